// panhuo: the GCJ-02 offset ("火星坐标") that 高德 tiles are drawn in, for
// display only. The store holds CGCS2000 (= WGS84 for maps, to centimetres);
// over a 高德 basemap every geometry is shifted forward for display, and
// what the user draws or clicks is shifted back before it is measured or
// sent. The forward transform is the widely published one (Krasovsky
// ellipsoid, the 105°E/35°N polynomial); the inverse is iterative.

const KA = 6378245.0; // Krasovsky 1940 semi-major axis
const KEE = 0.00669342162296594323; // its first eccentricity squared
const PI = Math.PI;

/** Whether lon/lat lies outside the box where GCJ-02 applies (there it is the identity). */
export function outOfChina(lon, lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function dLatRaw(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * PI) + 320 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function dLonRaw(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return r;
}

// The offset [dLon, dLat] in degrees at a WGS84 point.
function offset(lon, lat) {
  let dLat = dLatRaw(lon - 105.0, lat - 35.0);
  let dLon = dLonRaw(lon - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * PI;
  let magic = Math.sin(radLat);
  magic = 1 - KEE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((KA * (1 - KEE)) / (magic * sqrtMagic)) * PI);
  dLon = (dLon * 180.0) / ((KA / sqrtMagic) * Math.cos(radLat) * PI);
  return [dLon, dLat];
}

/** WGS84 (CGCS2000) lon/lat → GCJ-02 lon/lat. */
export function toGcj([lon, lat]) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const [dLon, dLat] = offset(lon, lat);
  return [lon + dLon, lat + dLat];
}

/** GCJ-02 lon/lat → WGS84 lon/lat, by fixed-point iteration to 1e-10° (about 0.01 mm). */
export function fromGcj([glon, glat]) {
  if (outOfChina(glon, glat)) return [glon, glat];
  let lon = glon, lat = glat;
  for (let i = 0; i < 30; i++) {
    const [flon, flat] = toGcj([lon, lat]);
    const ex = flon - glon;
    const ey = flat - glat;
    lon -= ex;
    lat -= ey;
    if (Math.abs(ex) < 1e-10 && Math.abs(ey) < 1e-10) break;
  }
  return [lon, lat];
}
