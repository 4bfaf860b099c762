// panhuo map: editing the shape of a stored parcel (修改图形). One Modify
// interaction holds the parcel and the neighbours that share vertices with
// it (and that the user may edit), so that a shared vertex moves in both;
// snapping comes from the editor (parcels, park boundaries). Saving PATCHes
// every changed parcel with If-Match; a 412 shows the conflict, a refused
// shape is shown on the map.
import { api, el } from "./session.js";
import { showConflict } from "./map-conflict.js";
import { parcelTitle } from "./map-fields.js";

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

  // PATCHes one parcel's geometry: {ok} or {stale, geometry} or a fault
  // {x, status, title, reasons, blockers (ids of parcels it overlaps)}.
  async function savePart(x) {
    const geometry = gt.geoJSON(gt.polygons(x.getGeometry()));
    try {
      const { data } = await api("PATCH", `/api/parcels/${x.getId()}`, { geometry },
        { "If-Match": `"${x.get("version")}"`, "Content-Type": "application/merge-patch+json" });
      shape.originals.delete(x);
      ctx.updateFeature(data);
      return { ok: true };
    } catch (err) {
      if (err.status === 412) return { stale: true, geometry };
      const p = err.problem;
      let reasons = ((p && p.errors) || []).filter((e) => e.field === "geometry");
      if (!reasons.length) reasons = [{ field: "geometry", reason: err.message }];
      const blockers = reasons.flatMap((e) => [...e.reason.matchAll(/#(\d+)/g)].map((m) => Number(m[1])));
      return { x, status: err.status, title: (p && p.title) || err.message, reasons, blockers };
    }
  }

  async function save() {
    if (!shape) return;
    clearFaults();
    const changed = [...shape.originals].filter(([x, g]) => JSON.stringify(g.getCoordinates()) !== JSON.stringify(x.getGeometry().getCoordinates())).map(([x]) => x);
    if (!changed.length) {
      ctx.status("图形没有变化");
      return;
    }
    // The parcel being edited first, then the neighbours that moved with it.
    // The server refuses a shape that overlaps a stored one: when a shared
    // vertex moves, the parcel that grows overlaps its neighbour's stored,
    // not yet saved shape. Such a refusal defers the parcel until the others
    // are saved; only what cannot be saved at all is reported.
    changed.sort((a, c) => (a === shape.feature ? -1 : c === shape.feature ? 1 : 0));
    let pending = changed;
    let saved = 0;
    while (pending.length) {
      const deferred = [];
      let fault = null;
      for (const x of pending) {
        const r = await savePart(x);
        if (r.ok) {
          saved++;
          continue;
        }
        if (r.stale) {
          const base = shape.bases.get(x);
          const f = shape.feature;
          restore();
          finish();
          showConflict(ctx, x.getId(), base, { geometry: r.geometry }, (current) => {
            ctx.updateFeature(current);
            ctx.select(f);
          });
          return;
        }
        const waiting = r.status === 409 && pending.some((o) => o !== x && shape.originals.has(o) && r.blockers.includes(o.getId()));
        if (!waiting) {
          fault = r;
          break;
        }
        deferred.push(x);
        fault = fault || r;
      }
      if (fault && (deferred.length === 0 || deferred.length === pending.length)) {
        showFaults(fault.reasons, fault.x.getGeometry());
        ctx.status(`保存失败（${fault.x.get("project_name") || "地块 #" + fault.x.getId()}）：${fault.title}` + (saved ? `；另有 ${saved} 宗已保存` : ""), "error");
        return;
      }
      pending = deferred;
    }
    const f = shape.feature;
    finish();
    ctx.select(f);
    ctx.status(`已保存图形：${saved} 宗地块`, "ok");
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
