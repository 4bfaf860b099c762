// panhuo map: editing the shape of a stored parcel (修改图形). One Modify
// interaction holds the parcel and the neighbours that share vertices with
// it (and that the user may edit), so that a shared vertex moves in both;
// snapping comes from the editor (parcels, park boundaries). Saving sends
// every changed parcel in one PATCH /api/parcels, written all or none; a 412
// shows the conflict, a refused shape is shown on the map.
import { api, el } from "./session.js";
import { showConflict } from "./map-conflict.js";
import { parcelTitle } from "./map-fields.js";

/** A problem's field error with the index of the feature it is about and the field's own name. */
function faultOf(e) {
  const m = /^features\[(\d+)\]\.(.+)$/.exec(e.field);
  return m ? { ...e, index: Number(m[1]), name: m[2] } : { ...e, index: 0, name: e.field };
}

/**
 * kit: {ctx, setMode, showArea, showFaults, clearFaults, startModify, finish}
 * from the editor (map-edit.js).
 */
export function shapeEditor(kit) {
  const { ctx, setMode, showArea, showFaults, clearFaults, startModify, finish } = kit;
  const { ol, parcels, gt } = ctx;
  // While editing: {feature, originals: Map(feature → geometry), bases: Map(feature → properties)}.
  let shape = null;

  function edit(f) {
    clearFaults();
    const own = new Set();
    const geom = f.getGeometry();
    for (const c of geom.getFlatCoordinates().reduce((acc, v, i, a) => (i % 2 ? acc : acc.concat([[v, a[i + 1]]])), [])) own.add(c.join(","));
    const linked = [f];
    parcels.forEachFeatureIntersectingExtent(ol.extent.buffer(geom.getExtent(), 1), (n) => {
      if (n === f || !ctx.canEdit(n.get("park_code"))) return;
      const flat = n.getGeometry().getFlatCoordinates();
      for (let i = 0; i < flat.length; i += 2) {
        if (own.has(flat[i] + "," + flat[i + 1])) {
          linked.push(n);
          return;
        }
      }
    });
    shape = { feature: f, originals: new Map(linked.map((x) => [x, x.getGeometry().clone()])), bases: new Map(linked.map((x) => [x, { ...x.getProperties() }])) };
    setMode("shape", linked.length > 1 ? `拖动顶点修改图形；与相邻 ${linked.length - 1} 宗地块共用的顶点一起移动` : "拖动顶点修改图形；靠近其他地块或园区边界时自动吸附");
    ctx.panel.showContent("修改图形", el("p", {}, `正在修改：${parcelTitle(f.getProperties(), f.getId())}`),
      el("p", { className: "muted" }, "在地图上拖动顶点；在边上拖动可增加顶点，按住 Alt 单击顶点可删除。完成后点工具栏的“保存图形”。"));
    startModify(new ol.Collection(linked), () => showArea(gt.area(f.getGeometry()), ol.extent.getCenter(f.getGeometry().getExtent())));
    showArea(gt.area(f.getGeometry()), ol.extent.getCenter(f.getGeometry().getExtent()));
  }

  // The parcels whose shape changed, the edited one first (shape.originals
  // is keyed in that order).
  function changedParcels() {
    return [...shape.originals].filter(([x, g]) => JSON.stringify(g.getCoordinates()) !== JSON.stringify(x.getGeometry().getCoordinates())).map(([x]) => x);
  }

  /** One parcel's merge patch in PATCH /api/parcels: its new shape, at the version it was read at. */
  function patchOf(x) {
    return { type: "Feature", id: x.getId(), properties: { version: x.get("version") }, geometry: gt.geoJSON(gt.polygons(x.getGeometry())) };
  }

  // Saves every changed parcel in one request, all or none: the server
  // checks each new shape against the others' new shapes, so a shared
  // vertex may move into a neighbour that gives way in the same request.
  async function save() {
    if (!shape) return;
    clearFaults();
    const changed = changedParcels();
    if (!changed.length) {
      ctx.status("图形没有变化");
      return;
    }
    const features = changed.map(patchOf);
    let data;
    try {
      ({ data } = await api("PATCH", "/api/parcels", { type: "FeatureCollection", features }, { "Content-Type": "application/merge-patch+json" }));
    } catch (err) {
      if (err.status === 412) showStale(err, changed, features);
      else showRefusal(err, changed);
      return;
    }
    const f = shape.feature;
    for (const saved of data.features) ctx.updateFeature(saved);
    finish();
    ctx.select(f);
    ctx.status(`已保存图形：${data.features.length} 宗地块`, "ok");
  }

  // A 412: someone else changed one of the parcels (the detail names it,
  // "地块 #<id> 当前版本为 …"). Nothing was saved: the original shapes go
  // back and the conflict of that parcel is shown.
  function showStale(err, changed, features) {
    const m = /#(\d+)/.exec((err.problem && err.problem.detail) || "");
    const i = Math.max(0, changed.findIndex((x) => m && x.getId() === Number(m[1])));
    const x = changed[i];
    const base = shape.bases.get(x);
    const f = shape.feature;
    restore();
    finish();
    showConflict(ctx, x.getId(), base, { geometry: features[i].geometry }, (current) => {
      ctx.updateFeature(current);
      ctx.select(f);
    });
  }

  // A refusal (422, 409, …): nothing was saved and the editing goes on. The
  // reasons about a shape are shown on the parcels they are about, named by
  // "features[i].geometry" (plainly "geometry" when one parcel was sent).
  function showRefusal(err, changed) {
    const p = err.problem;
    const faults = ((p && p.errors) || []).map(faultOf).filter((e) => e.name === "geometry" && changed[e.index]);
    if (!faults.length) faults.push({ field: "geometry", reason: err.message, index: 0 });
    const refused = [...new Set(faults.map((e) => changed[e.index]))];
    showFaults(faults, refused.map((x) => x.getGeometry()));
    const names = refused.map((x) => parcelTitle(x.getProperties(), x.getId())).join("、");
    const title = (p && p.title) || err.message;
    // The server's title of a refused batch says already that nothing was saved.
    const none = title.includes("未保存") ? "" : changed.length > 1 ? `；${changed.length} 宗地块均未保存` : "；图形未保存";
    ctx.status(`保存失败（${names}）：${title}${none}`, "error");
  }

  /** Puts the original shapes back. */
  function restore() {
    if (!shape) return;
    for (const [x, g] of shape.originals) x.setGeometry(g);
  }

  return {
    edit,
    save,
    restore,
    reset: () => (shape = null),
    feature: () => shape && shape.feature,
  };
}
