// panhuo map: the editing tools, for users who may write parcels (an
// administrator, an officer with parks; a leader never gets here).
//   新建地块: draw a polygon, more parts for a multi-part parcel, adjust
//     vertices, then fill the form and save (POST).
//   修改图形: move vertices of a parcel; vertices it shares with neighbours
//     the user may also edit move with it (one Modify over all of them),
//     snapping to parcels and park boundaries; the changed parcels are
//     saved together, all or none (PATCH /api/parcels with their versions).
//   修改信息: the form, PATCH of what changed.
//   删除地块: the removal form (reason, date), DELETE with If-Match.
// The area in 亩 on the Gauss-Krüger plane is shown live while drawing and
// editing (gk.js); the server's faults about a shape are shown on the map.
import { el } from "./session.js";
import { mu, parcelTitle } from "./map-fields.js";
import { parcelForm } from "./map-form.js";
import { deleteForm } from "./map-delete.js";
import { showConflict } from "./map-conflict.js";
import { shapeEditor } from "./map-shape.js";

export function setUpEditing(ctx) {
  const { ol, map, parcels, parks, gt, styles, debug } = ctx;

  const sketch = new ol.source.Vector();
  const sketchLayer = new ol.layer.Vector({ source: sketch, style: styles.sketch, zIndex: 10, properties: { name: "sketch" } });
  const faults = new ol.source.Vector();
  const faultLayer = new ol.layer.Vector({ source: faults, style: styles.fault, zIndex: 11, properties: { name: "faults" } });
  map.addLayer(sketchLayer);
  map.addLayer(faultLayer);

  // The tooltip with the live area, and the one with the server's faults.
  const tip = el("div", { className: "area-tip", id: "area-tip" });
  const tipOverlay = new ol.Overlay({ element: tip, offset: [12, -12], positioning: "bottom-left", stopEvent: false });
  const faultTip = el("div", { className: "fault-tip", id: "fault-tip" });
  const faultOverlay = new ol.Overlay({ element: faultTip, positioning: "top-center", offset: [0, 10], stopEvent: true });
  map.addOverlay(tipOverlay);
  map.addOverlay(faultOverlay);

  // The toolbar.
  const live = el("span", { id: "live-area", className: "live-area" });
  const hint = el("span", { className: "edit-hint", id: "edit-hint" });
  const b = (id, text, onclick) => el("button", { type: "button", id, onclick, hidden: true }, text);
  const btn = {
    draw: b("draw-start", "新建地块", () => startDraw()),
    finish: b("draw-finish", "完成本部分", () => draw && draw.finishDrawing()),
    undo: b("draw-undo", "撤销上一点", () => draw && draw.removeLastPoint()),
    part: b("draw-part", "再画一部分", () => addPart()),
    save: b("draw-save", "填写信息并保存", () => openCreateForm()),
    saveShape: b("shape-save", "保存图形", () => shapes.save()),
    cancel: b("edit-cancel", "取消", () => cancel()),
  };
  btn.draw.hidden = false;
  const tools = document.getElementById("edit-tools");
  tools.append(el("span", { className: "tools-title" }, "编辑"), ...Object.values(btn), live, hint);
  tools.hidden = false;

  let mode = null; // null | "draw" | "drawn" | "form" | "shape"
  let draw = null;
  let modify = null;
  let snaps = null;

  function setMode(m, text = "") {
    mode = m;
    btn.draw.hidden = m !== null;
    btn.finish.hidden = btn.undo.hidden = m !== "draw";
    btn.part.hidden = btn.save.hidden = m !== "drawn";
    btn.saveShape.hidden = m !== "shape";
    btn.cancel.hidden = m === null;
    hint.textContent = text;
    document.body.classList.toggle("editing", m !== null);
  }

  function showArea(a, at) {
    debug.liveAreaMu = a.mu;
    const text = `面积 ${mu(a.mu)} 亩`;
    live.textContent = text;
    tip.textContent = text;
    tipOverlay.setPosition(at || undefined);
  }
  function clearArea() {
    debug.liveAreaMu = null;
    live.textContent = "";
    tipOverlay.setPosition(undefined);
  }

  function clearFaults() {
    faults.clear();
    faultOverlay.setPosition(undefined);
  }

  /** Shows the server's reasons about a shape next to it, and the parcels it overlaps. */
  function showFaults(errors, geoms) {
    clearFaults();
    const reasons = errors.map((e) => e.reason);
    faultTip.replaceChildren(el("strong", {}, "图形有误"), el("ul", {}, ...reasons.map((r) => el("li", {}, r))));
    const list = Array.isArray(geoms) ? geoms : [geoms];
    for (const g of list) faults.addFeature(new ol.Feature(g.clone()));
    for (const r of reasons) {
      for (const m of r.matchAll(/#(\d+)/g)) {
        const other = parcels.getFeatureById(Number(m[1]));
        if (other) faults.addFeature(new ol.Feature(other.getGeometry().clone()));
      }
    }
    const g = list[0];
    if (g) {
      const ext = g.getExtent();
      faultOverlay.setPosition([(ext[0] + ext[2]) / 2, ext[1]]);
    }
  }

  // Snapping to every parcel, the park boundaries and the sketch; made once
  // (indexing thousands of parcels takes a moment) and switched on and off.
  function snapOn() {
    if (!snaps) {
      snaps = [new ol.interaction.Snap({ source: sketch }), new ol.interaction.Snap({ source: parcels }), new ol.interaction.Snap({ source: parks })];
    }
    for (const s of snaps) {
      map.removeInteraction(s); // snaps go after Draw and Modify
      map.addInteraction(s);
      s.setActive(true);
    }
  }
  function snapOff() {
    if (snaps) for (const s of snaps) s.setActive(false);
  }

  function sketchGeoms() {
    return sketch.getFeatures().map((f) => f.getGeometry());
  }

  function updateSketchArea(extra) {
    const geoms = sketchGeoms();
    if (extra) geoms.push(extra);
    const a = gt.area(geoms);
    const last = geoms[geoms.length - 1];
    showArea(a, last ? ol.extent.getCenter(last.getExtent()) : null);
  }

  function startDraw() {
    ctx.select(null);
    clearFaults();
    sketch.clear();
    setMode("draw", "单击地图逐点绘制，单击起点或双击结束；靠近已有地块或园区边界时自动吸附");
    addDrawInteraction();
  }

  function addDrawInteraction() {
    draw = new ol.interaction.Draw({ source: sketch, type: "Polygon", style: styles.sketch });
    let key = null;
    draw.on("drawstart", (e) => {
      const g = e.feature.getGeometry();
      key = g.on("change", () => updateSketchArea(g));
    });
    draw.on("drawend", () => {
      if (key) ol.Observable.unByKey(key);
      // The finished part is added to the sketch after this event.
      setTimeout(() => {
        map.removeInteraction(draw);
        draw = null;
        setMode("drawn", "可拖动顶点调整；多部件地块请点“再画一部分”");
        startModify(new ol.Collection(sketch.getFeatures()), () => updateSketchArea());
        updateSketchArea();
      });
    });
    draw.on("drawabort", () => key && ol.Observable.unByKey(key));
    stopModify();
    map.addInteraction(draw);
    snapOn();
  }

  function addPart() {
    setMode("draw", "绘制地块的另一部分（多部件地块）");
    addDrawInteraction();
  }

  let modifyKeys = [];
  function startModify(features, onChange) {
    stopModify();
    modify = new ol.interaction.Modify({ features });
    modifyKeys = features.getArray().map((f) => f.getGeometry().on("change", onChange));
    map.addInteraction(modify);
    snapOn();
  }
  function stopModify() {
    if (modify) map.removeInteraction(modify);
    ol.Observable.unByKey(modifyKeys);
    modifyKeys = [];
    modify = null;
  }

  function openCreateForm() {
    const geoms = sketchGeoms();
    const polys = gt.polygons(geoms);
    if (!polys.length) return;
    const area = gt.area(geoms);
    setMode("drawn", "填写台账信息后保存");
    const form = parcelForm(ctx, {
      geometry: gt.geoJSON(polys),
      area,
      onCancel: () => ctx.panel.hide(),
      onFaults: (errors) => showFaults(errors, geoms),
      onSaved: (apiFeature) => {
        const f = ctx.updateFeature(apiFeature);
        finish();
        ctx.select(f);
        debug.lastSaved = apiFeature.properties;
        ctx.status(`已保存新地块（编号 ${f.getId()}），计算面积 ${mu(f.get("area_mu"))} 亩`, "ok");
      },
    });
    ctx.panel.showContent("新建地块", form);
    const first = form.querySelector("select, input");
    if (first) first.focus();
  }

  function editInfo(f) {
    clearFaults();
    setMode("form", "");
    const form = parcelForm(ctx, {
      feature: f,
      onCancel: () => {
        finish();
        ctx.select(f);
      },
      onSaved: (apiFeature) => {
        const nf = ctx.updateFeature(apiFeature);
        finish();
        ctx.select(nf);
        ctx.status("已保存修改", "ok");
      },
      onFaults: (errors) => showFaults(errors, f.getGeometry()),
      onConflict: (base, mine) => {
        finish();
        showConflict(ctx, f.getId(), base, mine, (current) => {
          const nf = ctx.updateFeature(current);
          ctx.select(nf);
          editInfo(nf);
        });
      },
    });
    ctx.panel.showContent("修改地块信息", form);
  }

  function removeParcel(f, draft) {
    clearFaults();
    setMode("form", "");
    const form = deleteForm(ctx, f, {
      draft,
      onCancel: () => {
        finish();
        ctx.select(f);
      },
      onDone: (apiFeature) => {
        finish();
        const gone = ctx.removeFeature(apiFeature);
        ctx.panel.show(gone);
        ctx.status(`已删除地块「${parcelTitle(gone.getProperties(), gone.getId())}」，已从地图上移除`, "ok");
      },
      onConflict: (base, mine) => {
        finish();
        showConflict(ctx, f.getId(), base, mine, (current) => {
          const nf = ctx.updateFeature(current);
          ctx.select(nf);
          removeParcel(nf, { reason: mine.properties.removed_reason, removed_on: mine.properties.removed_on });
        }, "remove");
      },
    });
    ctx.panel.showContent("删除地块", form);
    form.elements.namedItem("reason").focus();
  }

  function finish() {
    if (draw) map.removeInteraction(draw);
    draw = null;
    stopModify();
    snapOff();
    sketch.clear();
    shapes.reset();
    clearArea();
    setMode(null);
  }

  function cancel() {
    const f = shapes.feature();
    shapes.restore();
    clearFaults();
    finish();
    if (f) ctx.select(f);
    else ctx.panel.hide();
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && mode === "draw" && draw) draw.abortDrawing();
  });

  const shapes = shapeEditor({ ctx, setMode, showArea, showFaults, clearFaults, startModify, finish });
  setMode(null);
  return { busy: () => mode !== null, editInfo, editShape: shapes.edit, removeParcel, cancel, startDraw };
}
