// panhuo map: geometry between the API (GeoJSON, CGCS2000 lon/lat) and the
// map (the view's projection, after the basemap's display shift).
import { areaOf } from "./gk.js";

/** Decimals the server keeps (land.CoordinateDecimals): 1e-8° ≈ 1 mm. */
const SCALE = 1e8;
const round = (x) => Math.round(x * SCALE) / SCALE;

// Applies fn to every [lon, lat] of a GeoJSON Polygon or MultiPolygon.
function mapCoords(g, fn) {
  if (!g) return g;
  if (g.type === "Polygon") return { type: g.type, coordinates: g.coordinates.map((r) => r.map(fn)) };
  if (g.type === "MultiPolygon") return { type: g.type, coordinates: g.coordinates.map((p) => p.map((r) => r.map(fn))) };
  return g;
}

/** Converts between API features and map features for one map. */
export function geomTools(ol, basemap) {
  const proj = basemap.projection;
  const format = new ol.format.GeoJSON({ dataProjection: "EPSG:4326", featureProjection: proj });
  const shift = basemap.toDisplay;
  const unshift = basemap.fromDisplay;
  const shifted = basemap.kind === "gaode";

  /** Map features of a GeoJSON FeatureCollection or array of Features. */
  function readFeatures(fc) {
    const list = Array.isArray(fc) ? fc : fc.features || [];
    if (shifted) {
      for (const f of list) f.geometry = mapCoords(f.geometry, shift);
    }
    return format.readFeatures({ type: "FeatureCollection", features: list });
  }

  /** The map geometry of a GeoJSON geometry. */
  function readGeometry(g) {
    return format.readGeometry(shifted ? mapCoords(g, shift) : g);
  }

  /** Lon/lat (store) of a map coordinate. */
  function lonLat(coord) {
    const ll = ol.proj.toLonLat(coord, proj);
    const [lon, lat] = unshift(ll);
    return [round(lon), round(lat)];
  }

  /** The map coordinate of a store lon/lat. */
  function mapCoord(lon, lat) {
    return ol.proj.fromLonLat(shift([lon, lat]), proj);
  }

  /**
   * Polygons (arrays of closed rings of [lon, lat], store coordinates, 8
   * decimals) of a map Polygon or MultiPolygon, or of a list of them.
   */
  function polygons(geoms) {
    const out = [];
    for (const g of Array.isArray(geoms) ? geoms : [geoms]) {
      if (!g) continue;
      const polys = g.getType() === "MultiPolygon" ? g.getCoordinates() : g.getType() === "Polygon" ? [g.getCoordinates()] : [];
      for (const rings of polys) {
        const p = rings.map((ring) => {
          const r = ring.map(lonLat);
          const a = r[0], b = r[r.length - 1];
          if (r.length && (a[0] !== b[0] || a[1] !== b[1])) r.push([a[0], a[1]]);
          return r;
        }).filter((r) => r.length >= 4);
        if (p.length) out.push(p);
      }
    }
    return out;
  }

  /** GeoJSON geometry of polygons: a Polygon for one, else a MultiPolygon. */
  function geoJSON(polys) {
    return polys.length === 1 ? { type: "Polygon", coordinates: polys[0] } : { type: "MultiPolygon", coordinates: polys };
  }

  /** Area {m2, mu, zone} of map geometries, as the server will compute it. */
  function area(geoms) {
    const polys = polygons(geoms);
    if (!polys.length) return { m2: 0, mu: 0, zone: 0 };
    return areaOf(polys);
  }

  return { readFeatures, readGeometry, lonLat, mapCoord, polygons, geoJSON, area, format };
}
