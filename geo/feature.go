package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// Property is one attribute of a feature read from a file, as text: DBF
// fields, KML ExtendedData, GeoJSON properties (numbers written with
// strconv.FormatFloat(v, 'f', -1, 64), booleans as true/false, null as "").
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Feature is one feature of an imported file: its geometry in CGCS2000
// longitude/latitude and what the file says of it.
type Feature struct {
	Index int    // 1-based, in file order
	Label string // how a person finds it in the file: a Placemark name, a 地块编号, "第 3 个要素"
	// Geometry is a Polygon or MultiPolygon in lon/lat; nil when Problem is set.
	Geometry orb.Geometry
	// Zone and PlanarAreaM2 are set when the file's coordinates were
	// Gauss-Krüger: the zone they were surveyed in and the shoelace area of
	// the file's own plane coordinates (shells minus holes), which is what a
	// survey report states. Zero otherwise.
	Zone         Zone
	PlanarAreaM2 float64
	Properties   []Property
	// Problem is why the feature cannot be used (a point where a polygon is
	// needed, an empty shape), in Chinese; the rest of the file still is.
	Problem  string
	Warnings []string // Chinese
}

// Prop returns the value of the first property named name (exact match) and
// whether there is one.
func (f *Feature) Prop(name string) (string, bool) {
	for _, p := range f.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Layer is what a reader makes of one file.
type Layer struct {
	Format   string // "txt", "shapefile", "kml", "kmz", "geojson"
	CRS      CRS    // the coordinate system the file's coordinates were in
	Encoding string // "UTF-8", "GBK", … for formats that have one; "" otherwise
	Features []Feature
	Warnings []string // Chinese, about the file as a whole
}

// FileError is a reason a whole file cannot be read, in Chinese. Format names
// the format ("Shapefile", "KML", "GeoJSON", "Excel"); Where, when not empty,
// says where in the file ("第 12 行", "第 3 个要素", "a.dbf").
type FileError struct {
	Format string
	Where  string
	Reason string
}

func (e *FileError) Error() string {
	if e.Where == "" {
		return e.Format + "：" + e.Reason
	}
	return e.Format + " " + e.Where + "：" + e.Reason
}

// Limits protect the server from files too large to handle. A zero field
// means the default of DefaultLimits.
type Limits struct {
	MaxFeatures           int   // features per file
	MaxVerticesPerFeature int   // vertices per feature, all rings
	MaxZipEntries         int   // entries of a .zip or .kmz
	MaxUncompressedBytes  int64 // total uncompressed size of a .zip or .kmz
}

// DefaultLimits are the limits used where none are given: a city's whole
// ledger fits easily (a city has a few thousand parcels of 8–300 vertices).
func DefaultLimits() Limits {
	return Limits{
		MaxFeatures:           100000,
		MaxVerticesPerFeature: 100000,
		MaxZipEntries:         64,
		MaxUncompressedBytes:  512 << 20,
	}
}

// WithDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFeatures <= 0 {
		l.MaxFeatures = d.MaxFeatures
	}
	if l.MaxVerticesPerFeature <= 0 {
		l.MaxVerticesPerFeature = d.MaxVerticesPerFeature
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = d.MaxZipEntries
	}
	if l.MaxUncompressedBytes <= 0 {
		l.MaxUncompressedBytes = d.MaxUncompressedBytes
	}
	return l
}

// CRS is a coordinate reference system panhuo reads files in: CGCS2000 or
// WGS84 geographic, or a CGCS2000 3° Gauss-Krüger zone.
type CRS struct {
	EPSG int    // 4490, 4326, 4513–4554; 0 when the file named no code
	Name string // as the file wrote it, or the EPSG name
	// Zone is the Gauss-Krüger zone; 0 for a geographic CRS.
	Zone Zone
	// Prefixed is true when eastings carry the zone prefix (x_0 = zone × 10⁶ + 500 000).
	Prefixed bool
}

// Geographic reports whether coordinates are longitude/latitude degrees.
func (c CRS) Geographic() bool { return c.Zone == 0 }

// String is a short description for reports: "EPSG:4526 CGCS2000 / 3° 高斯-克吕格 第 38 带（带号前缀）".
func (c CRS) String() string {
	var b strings.Builder
	if c.EPSG != 0 {
		fmt.Fprintf(&b, "EPSG:%d ", c.EPSG)
	}
	switch {
	case c.Zone != 0 && c.Prefixed:
		fmt.Fprintf(&b, "CGCS2000 3° 高斯-克吕格 第 %d 带（横坐标带带号）", c.Zone)
	case c.Zone != 0:
		fmt.Fprintf(&b, "CGCS2000 3° 高斯-克吕格 中央经线 %d°E", int(c.Zone.CentralMeridian()))
	case c.EPSG == 4326:
		b.WriteString("WGS 84 经纬度")
	default:
		b.WriteString("CGCS2000 经纬度")
	}
	return b.String()
}

// CRSFromEPSG returns the CRS of an EPSG code panhuo reads: 4490, 4326 (and
// its GeoJSON alias CRS84 as 4326), and the CGCS2000 3° Gauss-Krüger codes
// 4513–4554. ok is false for any other code.
func CRSFromEPSG(code int) (CRS, bool) {
	switch code {
	case 4490:
		return CRS{EPSG: 4490, Name: "China Geodetic Coordinate System 2000"}, true
	case 4326:
		return CRS{EPSG: 4326, Name: "WGS 84"}, true
	}
	z, prefixed, ok := ZoneFromEPSG(code)
	if !ok {
		return CRS{}, false
	}
	name := fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger CM %dE", int(z.CentralMeridian()))
	if prefixed {
		name = fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger zone %d", z)
	}
	return CRS{EPSG: code, Name: name, Zone: z, Prefixed: prefixed}, true
}

// ToLonLat turns a Polygon or MultiPolygon in the CRS's coordinates into
// CGCS2000 lon/lat. For a Gauss-Krüger CRS it also returns the zone and the
// area of the plane coordinates as given (shells minus holes, m²), and reads
// the zone from the eastings themselves when they carry a prefix: files often
// name the wrong code, and the easting is what was surveyed. A warning says
// so when the file's CRS and its eastings disagree. Geographic input is
// returned as is, with zone 0 and area 0.
func (c CRS) ToLonLat(g orb.Geometry) (out orb.Geometry, zone Zone, planarAreaM2 float64, warnings []string, err error) {
	if c.Geographic() {
		return g, 0, 0, nil, nil
	}
	polys, ok := Polygons(g)
	if !ok {
		return nil, 0, 0, nil, fmt.Errorf("不支持的几何类型 %T", g)
	}
	// Read the zone from the first vertex's easting.
	zone, prefixed := c.Zone, c.Prefixed
	var first orb.Point
	found := false
	for _, p := range polys {
		for _, r := range p {
			if len(r) > 0 {
				first, found = r[0], true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		return nil, 0, 0, nil, fmt.Errorf("几何图形没有坐标")
	}
	if z, _, ok := SplitPrefixedEasting(first[0]); ok {
		if !prefixed || z != zone {
			warnings = append(warnings, fmt.Sprintf("文件声明的坐标系为 %s，但横坐标 %.3f 带有带号 %d：按第 %d 带读取", c, first[0], z, z))
		}
		zone, prefixed = z, true
	} else if prefixed || first[0] < 100000 || first[0] > 900000 {
		if first[0] >= 100000 && first[0] <= 900000 {
			warnings = append(warnings, fmt.Sprintf("文件声明的坐标系为 %s，但横坐标 %.3f 没有带号：按第 %d 带（无带号）读取", c, first[0], zone))
			prefixed = false
		} else {
			return nil, 0, 0, nil, fmt.Errorf("横坐标 %.3f 不是 %s 的坐标：应为 100000–900000 米，或带带号（如 38500000）", first[0], c)
		}
	}
	offset := 0.0
	if prefixed {
		offset = float64(zone) * ZonePrefixFactor
	}
	outPolys := make(orb.MultiPolygon, len(polys))
	for i, p := range polys {
		outPolys[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			ring := make(orb.Ring, len(r))
			plane := make(orb.Ring, len(r))
			for k, q := range r {
				e := q[0] - offset
				if math.IsNaN(e) || math.IsInf(e, 0) || math.IsNaN(q[1]) || math.IsInf(q[1], 0) ||
					e < 0 || e > 1000000 || q[1] < 0 || q[1] > 10000000 {
					return nil, 0, 0, nil, fmt.Errorf("坐标 (%.3f, %.3f) 不在 %s 的范围内", q[0], q[1], c)
				}
				plane[k] = orb.Point{e, q[1]}
				lon, lat := zone.Inverse(e, q[1])
				ring[k] = orb.Point{lon, lat}
			}
			a := math.Abs(RingSignedArea(plane))
			if j == 0 {
				planarAreaM2 += a
			} else {
				planarAreaM2 -= a
			}
			outPolys[i][j] = ring
		}
	}
	if _, ok := g.(orb.Polygon); ok {
		return outPolys[0], zone, planarAreaM2, warnings, nil
	}
	return outPolys, zone, planarAreaM2, warnings, nil
}
