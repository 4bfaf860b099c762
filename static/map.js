// panhuo map (一张图): park boundaries and parcels on OpenLayers (the global
// `ol` of /static/vendor/ol.js; no bundler), filters, search, a legend of
// what is in view, a side panel per parcel and, for users who may edit,
// drawing and editing tools. Plain ES module; data goes into the page as
// text only.
//
// URL parameters: ?park=CODE zooms to a park and shows only its parcels
// (the dashboard links here); ?parcel=ID opens a parcel. Without them the
// map shows every park, or an officer's own parks.
//
// window.panhuoMap is a small debug handle that tests and benchmarks read:
// ready, readyMs (performance.now() when everything was first drawn),
// parcelCount(), props(id), styleKey(id), pixelOf(lon, lat), liveAreaMu.
import { api, session, el } from "./session.js";
import { basemapOf } from "./map-basemap.js";
import { geomTools } from "./map-geom.js";
import { makeStyles, styleKey } from "./map-style.js";
import { setUpFilters } from "./map-filter.js";
import { makePanel } from "./map-panel.js";
import { setUpEditing } from "./map-edit.js";
import { setUpImport } from "./map-import.js";
import { setUpExport } from "./map-export.js";

const debug = (window.panhuoMap = { ready: false, readyMs: null, error: null, liveAreaMu: null });

const statusNode = document.getElementById("map-status");

let statusTimer = 0;

/** Shows a line in the map's status bar; kind is "", "ok" (fades after a while) or "error". */
function status(text, kind = "") {
  clearTimeout(statusTimer);
  statusNode.className = "map-status " + kind;
  statusNode.textContent = text;
  statusNode.hidden = !text;
  if (kind === "ok") statusTimer = setTimeout(() => (statusNode.hidden = true), 6000);
}

function fail(text) {
  debug.error = text;
  status("");
  document.getElementById("map").append(el("div", { className: "map-missing", attrs: { role: "alert" } }, text));
}

/** The parcel's props without the geometry, as a plain object. */
function plainProps(f) {
  const p = { ...f.getProperties() };
  delete p.geometry;
  return p;
}

async function boot() {
  const ol = window.ol;
  if (!ol) {
    fail("地图组件（OpenLayers）未能加载：本程序构建时缺少 static/vendor/ol.js。请用 make build（它会先运行 make vendor）重新构建后再打开本页。");
    return;
  }
  status("正在加载园区和地块…");
  const [sess, config, parksFC, methods, parcelsFC] = await Promise.all([
    session(),
    api("GET", "/api/config").then((r) => r.data),
    api("GET", "/api/layers/parks").then((r) => r.data),
    api("GET", "/api/methods").then((r) => r.data),
    api("GET", "/api/layers/parcels").then((r) => r.data),
  ]);
  const user = sess.user;
  const basemap = basemapOf(ol, config);
  const gt = geomTools(ol, basemap);
  const styles = makeStyles(ol);

  const parks = new ol.source.Vector({ features: gt.readFeatures(parksFC) });
  const parcels = new ol.source.Vector({ features: gt.readFeatures(parcelsFC) });
  const parkNames = new Map(parks.getFeatures().map((f) => [f.get("code"), f.get("name")]));

  const filter = { park: "", cls: "", status: "" };
  let selectedId = null;
  const visible = (f) =>
    (!filter.park || f.get("park_code") === filter.park) &&
    (!filter.cls || f.get("class") === filter.cls) &&
    (!filter.status || f.get("status") === filter.status);

  const parcelLayer = new ol.layer.Vector({
    source: parcels,
    style: (f) => (visible(f) ? styles.parcelStyle(f.get("class"), f.get("status")) : null),
    properties: { name: "parcels" },
  });
  // The selected parcel is outlined in a layer of its own: selecting one of
  // thousands redraws one feature, not the whole parcel layer.
  const selection = new ol.source.Vector();
  const selectionLayer = new ol.layer.Vector({ source: selection, style: styles.selected, zIndex: 5, properties: { name: "selection" } });
  let parkLabels = true;
  const parkLayer = new ol.layer.Vector({
    source: parks,
    style: (f) => styles.parkStyle(f.get("name"), parkLabels),
    declutter: true, // park names do not overlap at small scales
    properties: { name: "parks" },
  });

  const map = new ol.Map({
    target: "map",
    layers: [...basemap.layers, parkLayer, parcelLayer, selectionLayer],
    view: new ol.View({ projection: basemap.projection, center: gt.mapCoord(113.3, 27.4), zoom: 9, maxZoom: 20, constrainResolution: false }),
    controls: ol.control.defaults.defaults({ rotate: false, attributionOptions: { collapsible: false } }).extend([new ol.control.ScaleLine()]),
  });
  map.getTargetElement().classList.toggle("no-basemap", basemap.kind === "none");

  const ctx = {
    ol, map, user, methods: methods.methods || methods, parks, parcels, parcelLayer, parkLayer, styles, gt, basemap, filter, visible, status,
    parkName: (code) => parkNames.get(code) || code,
    /** Whether the user may write parcels of a park. */
    canEdit: (parkCode) => user.role === "admin" || (user.role === "officer" && (user.parks || []).includes(parkCode)),
    canDraw: user.role === "admin" || (user.role === "officer" && (user.parks || []).length > 0),
    selectedId: () => selectedId,
    setParkLabels(on) {
      parkLabels = on;
      parkLayer.changed();
    },
    /** Fits the view to an extent, with room for the panel. */
    fit(extent, maxZoom = 17, { panel = false } = {}) {
      const right = panel ? Math.min(document.getElementById("panel").offsetWidth || 432, map.getSize()[0] / 2) + 40 : 40;
      map.getView().fit(extent, { padding: [40, right, 40, 40], maxZoom, duration: 0 });
    },
    /** Selects a parcel (feature or id) and opens its panel; null clears. */
    select(f, { zoom = false } = {}) {
      if (f !== null && typeof f !== "object") f = parcels.getFeatureById(f);
      selectedId = f ? f.getId() : null;
      selection.clear(true);
      if (f) selection.addFeature(f);
      selectionLayer.changed();
      if (!f) {
        ctx.panel.hide();
        return;
      }
      ctx.panel.show(f);
      if (zoom) ctx.fit(f.getGeometry().getExtent(), 17, { panel: true });
    },
    /** Replaces a parcel's data with an API Feature (after a write or a reload). */
    updateFeature(apiFeature) {
      const [nf] = gt.readFeatures([apiFeature]);
      let f = parcels.getFeatureById(nf.getId());
      if (!f) {
        parcels.addFeature(nf);
        return nf;
      }
      f.setProperties(plainProps(nf));
      f.setGeometry(nf.getGeometry());
      return f;
    },
    /**
     * Takes a removed parcel (an API Feature) off the map and out of the
     * selection; returns it as a feature outside the layer, for the panel.
     */
    removeFeature(apiFeature) {
      const [gone] = gt.readFeatures([apiFeature]);
      const f = parcels.getFeatureById(gone.getId());
      if (f) parcels.removeFeature(f);
      if (selectedId === gone.getId()) {
        selectedId = null;
        selection.clear();
      }
      return gone;
    },
    /** Parcels at a map coordinate that pass the filter, smallest first. */
    parcelsAt(coord) {
      if (!parcelLayer.getVisible()) return [];
      return parcels.getFeaturesAtCoordinate(coord).filter(visible).sort((a, b) => a.get("area_mu") - b.get("area_mu"));
    },
    debug,
  };
  ctx.panel = makePanel(ctx);
  const filters = setUpFilters(ctx);
  ctx.refilter = filters.refilter;
  if (ctx.canDraw) ctx.editor = setUpEditing(ctx);
  if (ctx.canDraw) ctx.importer = setUpImport(ctx);
  ctx.exporter = setUpExport(ctx);

  // "click", not "singleclick": that one waits 250 ms for a double click.
  map.on("click", (e) => {
    if (ctx.editor && ctx.editor.busy()) return;
    debug.clickMs = e.originalEvent.timeStamp;
    const hit = ctx.parcelsAt(e.coordinate)[0] || null;
    ctx.select(hit);
  });
  map.on("pointermove", (e) => {
    if (e.dragging) return;
    const over = !(ctx.editor && ctx.editor.busy()) && ctx.parcelsAt(e.coordinate).length > 0;
    map.getTargetElement().classList.toggle("over-parcel", over);
  });

  // Where to look first: ?park=, else every park.
  const params = new URLSearchParams(location.search);
  const parkCode = params.get("park");
  const park = parkCode && parks.getFeatures().find((f) => f.get("code") === parkCode);
  const mine = user.role === "officer" ? parks.getFeatures().filter((f) => (user.parks || []).includes(f.get("code"))) : [];
  if (park) {
    filters.setPark(parkCode, { zoom: true });
  } else if (mine.length) {
    // An officer starts at their own parks (the others stay on the map).
    const extent = ol.extent.createEmpty();
    for (const f of mine) ol.extent.extend(extent, f.getGeometry().getExtent());
    ctx.fit(extent, 16);
  } else if (parks.getFeatures().length) {
    ctx.fit(parks.getExtent(), 14);
  } else if (parcels.getFeatures().length) {
    ctx.fit(parcels.getExtent(), 14);
  }
  const parcelParam = params.get("parcel");
  if (parcelParam && parcels.getFeatureById(Number(parcelParam))) ctx.select(Number(parcelParam), { zoom: true });

  const n = parcels.getFeatures().length;
  status(`已加载 ${parks.getFeatures().length} 个园区、${n} 宗地块` + (basemap.kind === "none" ? "（未配置底图）" : `（底图：${basemap.label}）`), "ok");
  map.once("rendercomplete", () => {
    debug.ready = true;
    debug.readyMs = performance.now();
  });

  Object.assign(debug, {
    map,
    parks,
    parcels,
    ctx,
    parcelCount: () => parcels.getFeatures().length,
    visibleCount: () => parcels.getFeatures().filter(visible).length,
    props: (id) => {
      const f = parcels.getFeatureById(id);
      return f ? plainProps(f) : null;
    },
    styleKey: (id) => {
      const f = parcels.getFeatureById(id);
      return f ? styleKey(plainProps(f)) : null;
    },
    /** Viewport pixel (CSS px) of a store lon/lat. */
    pixelOf: (lon, lat) => {
      const px = map.getPixelFromCoordinate(gt.mapCoord(lon, lat));
      const r = map.getViewport().getBoundingClientRect();
      return [r.left + px[0], r.top + px[1]];
    },
    /** Viewport pixel of a point inside a parcel (its interior point). */
    interiorPixel: (id) => {
      const f = parcels.getFeatureById(id);
      if (!f) return null;
      const g = f.getGeometry();
      const c = g.getType() === "MultiPolygon" ? g.getInteriorPoints().getCoordinates()[0] : g.getInteriorPoint().getCoordinates();
      const px = map.getPixelFromCoordinate(c);
      const r = map.getViewport().getBoundingClientRect();
      return [r.left + px[0], r.top + px[1]];
    },
    /** Fits the view to a lon/lat box. */
    fitLonLat: (minLon, minLat, maxLon, maxLat) => {
      const a = gt.mapCoord(minLon, minLat);
      const b = gt.mapCoord(maxLon, maxLat);
      map.getView().fit([Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])], { padding: [20, 20, 20, 20] });
      map.renderSync();
    },
  });
}

boot().catch((err) => {
  if (err && err.status === 401) return; // on the way to the log-in page
  fail("地图加载失败：" + ((err && err.message) || String(err)));
});
