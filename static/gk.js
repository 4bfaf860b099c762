// panhuo: CGCS2000 3° Gauss-Krüger projection and parcel areas in the
// browser, a port of package geo (geo/gk.go, geo/area.go): the Krüger series
// to order n⁶ (Karney 2011), the shoelace formula on the plane of the zone
// holding the centroid. The map shows the area of a parcel being drawn with
// it, and that figure must equal what the server stores (area_mu) to well
// within 0.01 亩: keep this file in step with geo.

const A = 6378137.0; // CGCS2000 semi-major axis, m
const F = 1 / 298.257222101; // flattening
const N = F / (2 - F); // third flattening
const E = Math.sqrt(F * (2 - F)); // first eccentricity
const N2 = N * N;
const N3 = N2 * N;
const N4 = N3 * N;
const N5 = N4 * N;
const N6 = N5 * N;
const RECT = (A / (1 + N)) * (1 + N2 / 4 + N4 / 64 + N6 / 256); // rectifying radius
const FALSE_EASTING = 500000.0;
const DEG = Math.PI / 180;

// α_j of the forward series, highest first (Clenshaw order).
const ALPHA = [
  (212378941 * N6) / 319334400,
  (34729 * N5) / 80640 - (3418889 * N6) / 1995840,
  (49561 * N4) / 161280 - (179 * N5) / 168 + (6601661 * N6) / 7257600,
  (61 * N3) / 240 - (103 * N4) / 140 + (15061 * N5) / 26880 + (167603 * N6) / 181440,
  (13 * N2) / 48 - (3 * N3) / 5 + (557 * N4) / 1440 + (281 * N5) / 630 - (1983433 * N6) / 1935360,
  N / 2 - (2 * N2) / 3 + (5 * N3) / 16 + (41 * N4) / 180 - (127 * N5) / 288 + (7891 * N6) / 37800,
];

/** 1 亩 in square metres. */
export const M2_PER_MU = 10000 / 15;

/** The 3° zone whose central meridian is nearest lon (112.5° is zone 38). */
export function zoneForLon(lon) {
  return Math.round(lon / 3);
}

// sinh(e·atanh(e·x)) by power series, as geo does.
function sinhEAtanhE(x) {
  const u = E * x;
  const u2 = u * u;
  const at = u * (1 + u2 * (1 / 3 + u2 * (1 / 5 + u2 * (1 / 7 + u2 * (1 / 9 + u2 * (1 / 11 + u2 * (1 / 13 + u2 * (1 / 15))))))));
  const y = E * at;
  const y2 = y * y;
  return y * (1 + y2 * (1 / 6 + y2 * (1 / 120 + y2 * (1 / 5040))));
}

/** Projects lon/lat (degrees) to [easting, northing] in metres on zone's plane (false easting 500 000, no prefix). */
export function forward(zone, lon, lat) {
  const s = Math.sin(lat * DEG);
  const c = Math.cos(lat * DEG);
  const dl = (lon - 3 * zone) * DEG;
  const sl = Math.sin(dl);
  const cl = Math.cos(dl);
  const sig = sinhEAtanhE(s);
  const a = Math.sqrt(1 + sig * sig) * s - sig;
  const b = c * cl;
  const cc = c * sl;
  const r2 = a * a + b * b;
  const r = Math.sqrt(r2);
  const xip = Math.atan2(a, b);
  const etap = Math.asinh(cc / r);
  const s2 = (2 * a * b) / r2;
  const c2 = (b * b - a * a) / r2;
  const sh2 = (2 * cc * Math.sqrt(r2 + cc * cc)) / r2;
  const ch2 = 1 + (2 * cc * cc) / r2;
  // Clenshaw summation over complex numbers [re, im]: y0 = m·y0 − y1 + α.
  const mr = 2 * c2 * ch2;
  const mi = -2 * s2 * sh2;
  let y0r = 0, y0i = 0, y1r = 0, y1i = 0;
  for (const alpha of ALPHA) {
    const tr = mr * y0r - mi * y0i - y1r + alpha;
    const ti = mr * y0i + mi * y0r - y1i;
    y1r = y0r;
    y1i = y0i;
    y0r = tr;
    y0i = ti;
  }
  const sr = s2 * ch2;
  const si = c2 * sh2;
  const sumR = sr * y0r - si * y0i;
  const sumI = sr * y0i + si * y0r;
  return [FALSE_EASTING + RECT * (etap + sumI), RECT * (xip + sumR)];
}

// Signed shoelace area of a lon/lat ring on zone's plane, relative to its
// first vertex; positive counter-clockwise. Closed or open rings.
function ringSignedArea(ring, zone) {
  let n = ring.length;
  if (n > 1 && ring[0][0] === ring[n - 1][0] && ring[0][1] === ring[n - 1][1]) n--;
  if (n < 3) return 0;
  const [x0, y0] = forward(zone, ring[0][0], ring[0][1]);
  let s = 0, px = 0, py = 0;
  for (let i = 1; i < n; i++) {
    let [x, y] = forward(zone, ring[i][0], ring[i][1]);
    x -= x0;
    y -= y0;
    s += px * y - x * py;
    px = x;
    py = y;
  }
  return s / 2;
}

/** Area in m² of a lon/lat polygon (array of rings: shell, holes) on zone's plane. */
export function polygonAreaM2(rings, zone) {
  if (!rings.length) return 0;
  let a = Math.abs(ringSignedArea(rings[0], zone));
  for (const h of rings.slice(1)) a -= Math.abs(ringSignedArea(h, zone));
  return a;
}

/** Area in m² of a lon/lat multipolygon (array of polygons) on zone's plane. */
export function multiPolygonAreaM2(polys, zone) {
  let s = 0;
  for (const p of polys) s += polygonAreaM2(p, zone);
  return s;
}

// Planar lon/lat centroid of polygons, weighted by area (holes subtract), as
// orb's planar.CentroidArea does; the bounding box centre when degenerate.
function centroid(polys) {
  let sx = 0, sa = 0;
  let minX = Infinity, maxX = -Infinity;
  for (const rings of polys) {
    rings.forEach((ring, i) => {
      let a = 0, cx = 0;
      const n = ring.length;
      for (let j = 0; j < n; j++) {
        const [x1, y1] = ring[j];
        const [x2, y2] = ring[(j + 1) % n];
        const cross = x1 * y2 - x2 * y1;
        a += cross;
        cx += (x1 + x2) * cross;
        minX = Math.min(minX, x1);
        maxX = Math.max(maxX, x1);
      }
      a /= 2;
      if (a === 0) return;
      // Shells count positive and holes negative, whatever their orientation.
      const sign = (i === 0 ? 1 : -1) * Math.sign(a);
      sx += sign * (cx / 6);
      sa += sign * a;
    });
  }
  if (sa === 0 || !isFinite(sx / sa)) return (minX + maxX) / 2;
  return sx / sa;
}

/** The zone holding the centroid of a lon/lat multipolygon, as geo.CentroidZone. */
export function centroidZone(polys) {
  return zoneForLon(centroid(polys));
}

/**
 * Area of a lon/lat multipolygon (array of polygons of rings of [lon, lat])
 * on the Gauss-Krüger plane of its centroid's zone: {m2, mu, zone}.
 */
export function areaOf(polys) {
  const zone = centroidZone(polys);
  const m2 = multiPolygonAreaM2(polys, zone);
  return { m2, mu: m2 / M2_PER_MU, zone };
}
