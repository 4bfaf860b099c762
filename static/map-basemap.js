// panhuo map: the basemap (底图) the server configured (GET /api/config),
// and the display transform it implies. Kinds:
//   none      a plain background; nothing is requested from anywhere (default)
//   tianditu  天地图 WMTS, vec (roads) + cva (Chinese labels), key tk; _w in
//             Web Mercator or _c in lon/lat (CGCS2000, no offset)
//   gaode     高德 tiles in GCJ-02: geometries are shifted for display
//   xyz       any {z}/{x}/{y} template, e.g. an intranet tile server
import { toGcj, fromGcj } from "./gcj02.js";

const identity = (p) => p;

// The 天地图 _c (and lon/lat XYZ) tile grid: level 0 is two 256-pixel tiles
// of 0.703125°/px; 天地图 numbers its levels from 1.
function lonLatGrid(ol) {
  const resolutions = [];
  for (let z = 0; z < 19; z++) resolutions.push(0.703125 / 2 ** z);
  return new ol.tilegrid.TileGrid({ extent: [-180, -90, 180, 90], origin: [-180, 90], resolutions, tileSize: 256 });
}

// Expands {a-c} and {0-7} in a template into the list of URLs.
function expand(template) {
  const m = template.match(/\{([a-z0-9])-([a-z0-9])\}/);
  if (!m) return [template];
  const out = [];
  for (let c = m[1].charCodeAt(0); c <= m[2].charCodeAt(0); c++) out.push(template.replace(m[0], String.fromCharCode(c)));
  return out;
}

// A tile source for a template with {z}, {x}, {y} (or {-y}); zOffset is
// added to {z} (天地图 _c levels start at 1).
function tileSource(ol, urls, lonlat, opts) {
  const common = {
    attributions: opts.attributions,
    crossOrigin: null, // tiles need no CORS: their pixels are never read
    transition: 0,
    tileLoadFunction: opts.tileLoadFunction,
  };
  if (!lonlat) return new ol.source.XYZ({ ...common, urls });
  const grid = lonLatGrid(ol);
  return new ol.source.XYZ({
    ...common,
    projection: "EPSG:4326",
    tileGrid: grid,
    tileUrlFunction: ([z, x, y]) => {
      const u = urls[Math.abs(x + y) % urls.length];
      const rows = 2 ** z; // rows at level z of this grid
      return u.replace("{z}", String(z + opts.zOffset)).replace("{x}", String(x)).replace("{y}", String(y)).replace("{-y}", String(rows - 1 - y));
    },
  });
}

/**
 * The basemap of a config answer: {layers, projection (of the view),
 * toDisplay/fromDisplay (lon/lat → lon/lat shown, and back), kind, label}.
 */
export function basemapOf(ol, config) {
  const b = (config && config.basemap) || { kind: "none" };
  const lonlat = b.projection === "EPSG:4490" || b.projection === "EPSG:4326";
  const view = lonlat ? "EPSG:4326" : "EPSG:3857";
  const out = { kind: b.kind || "none", projection: view, toDisplay: identity, fromDisplay: identity, layers: [], label: "无底图" };
  switch (b.kind) {
    case "tianditu": {
      const set = lonlat ? "c" : "w";
      // 天地图 browser keys are bound to this site: tell 天地图 who asks.
      const tileLoadFunction = (tile, src) => {
        const img = tile.getImage();
        img.referrerPolicy = "strict-origin-when-cross-origin";
        img.src = src;
      };
      for (const base of ["vec", "cva"]) {
        const t = b.url.replaceAll("{layer}", `${base}_${set}`).replaceAll("{base}", base).replaceAll("{set}", set).replaceAll("{tk}", encodeURIComponent(b.key || ""));
        const source = tileSource(ol, expand(t), lonlat, { attributions: "© 天地图", zOffset: 1, tileLoadFunction });
        out.layers.push(new ol.layer.Tile({ source, properties: { name: "basemap-" + base } }));
      }
      out.label = "天地图";
      break;
    }
    case "gaode": {
      out.layers.push(new ol.layer.Tile({ source: tileSource(ol, expand(b.url), false, { attributions: "© 高德地图" }), properties: { name: "basemap" } }));
      out.toDisplay = toGcj;
      out.fromDisplay = fromGcj;
      out.label = "高德地图";
      break;
    }
    case "xyz": {
      out.layers.push(new ol.layer.Tile({ source: tileSource(ol, expand(b.url), lonlat, { zOffset: 0 }), properties: { name: "basemap" } }));
      out.label = "底图";
      break;
    }
    default:
      out.kind = "none";
  }
  return out;
}
