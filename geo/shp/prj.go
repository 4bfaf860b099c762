package shp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"panhuo/geo"
)

// maxPRJBytes bounds the .prj text ParsePRJ reads: real ones are under 1 KB.
const maxPRJBytes = 64 << 10

// maxWKTDepth bounds the nesting of a WKT text (real ones nest 4–5 deep).
const maxWKTDepth = 32

// ParsePRJ identifies the coordinate system of a .prj file: ESRI or OGC WKT1
// (and the common keywords of WKT2). It accepts CGCS2000 and WGS 84
// longitude/latitude and the CGCS2000 3° Gauss-Krüger zones, with or
// without the zone prefix in the easting:
//
//   - an AUTHORITY["EPSG",…] (or ID["EPSG",…]) of the whole CRS wins;
//   - else a Transverse Mercator / Gauss-Krüger projection on the CGCS2000
//     datum with a central meridian a multiple of 3°, scale factor 1, latitude
//     of origin 0, false northing 0 and false easting 500 000 m (no prefix)
//     or zone × 10⁶ + 500 000 m (prefix), whatever its name;
//   - else, when the parameters are missing, the ESRI or EPSG name
//     ("CGCS2000_3_Degree_GK_Zone_38", "CGCS2000 / 3-degree Gauss-Kruger CM 114E").
//
// Any other CRS (Xian 1980, Beijing 1954, 6° zones, UTM, Web Mercator) is an
// error in Chinese that names it and asks for a conversion to CGCS2000:
// panhuo never guesses a coordinate system.
func ParsePRJ(wkt string) (geo.CRS, error) {
	wkt = strings.TrimSpace(strings.TrimPrefix(wkt, "\ufeff"))
	if wkt == "" {
		return geo.CRS{}, errors.New(".prj 文件为空：无法确定坐标系")
	}
	if len(wkt) > maxPRJBytes {
		return geo.CRS{}, fmt.Errorf(".prj 文件超过 %d KB，不是坐标系定义", maxPRJBytes>>10)
	}
	root, err := parseWKT(wkt)
	if err != nil {
		return geo.CRS{}, fmt.Errorf("无法解析 .prj 坐标系定义（%v）", err)
	}
	name := root.str(0)
	if code, ok := root.epsg(); ok {
		if c, ok := geo.CRSFromEPSG(code); ok {
			if name != "" {
				c.Name = name
			}
			return c, nil
		}
		return geo.CRS{}, unsupported(root, fmt.Sprintf("EPSG:%d", code))
	}
	switch root.key {
	case "GEOGCS", "GEOGCRS", "GEODCRS", "GEODETICCRS", "GEOGRAPHICCRS":
		switch datumOf(root) {
		case datumCGCS2000:
			c, _ := geo.CRSFromEPSG(4490)
			c.Name = name
			return c, nil
		case datumWGS84:
			c, _ := geo.CRSFromEPSG(4326)
			c.Name = name
			return c, nil
		}
		return geo.CRS{}, unsupported(root, "")
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		return parseProjected(root, name)
	}
	return geo.CRS{}, fmt.Errorf(".prj 不是坐标系定义（以 %s 开头）", root.key)
}

// parseProjected identifies a PROJCS as a CGCS2000 3° Gauss-Krüger zone.
func parseProjected(root *wktNode, name string) (geo.CRS, error) {
	base := root.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS")
	if base == nil || datumOf(base) != datumCGCS2000 {
		return geo.CRS{}, unsupported(root, "")
	}
	n := normalize(name)
	if strings.HasPrefix(n, "cgcs2000gk") || strings.HasPrefix(n, "cgcs2000gausskruger") {
		return geo.CRS{}, fmt.Errorf("坐标系为 %s（CGCS2000 6° 分带），不支持：请转换为 CGCS2000 3° 分带高斯-克吕格投影或 CGCS2000 经纬度（EPSG:4490）后再上传", name)
	}
	p, complete := projectionParams(root)
	if !complete {
		if z, prefixed, ok := zoneFromName(n); ok {
			return gkCRS(z, prefixed, name), nil
		}
		return geo.CRS{}, fmt.Errorf("坐标系 %s 缺少投影参数，无法确定是哪个 3° 分带：请转换为 CGCS2000 3° 分带高斯-克吕格投影或经纬度后再上传", name)
	}
	if z, prefixed, ok := p.gkZone(); ok {
		return gkCRS(z, prefixed, name), nil
	}
	return geo.CRS{}, fmt.Errorf("坐标系 %s 基于 CGCS2000，但不是 3° 分带高斯-克吕格投影（投影 %s，中央经线 %g°，比例因子 %g，东偏移 %g 米）：请转换为 CGCS2000 3° 分带高斯-克吕格投影或经纬度（EPSG:4490）后再上传",
		name, p.method, p.centralMeridian, p.scale, p.falseEasting)
}

// gkCRS is the CRS of a Gauss-Krüger zone, with its EPSG code when it has one.
func gkCRS(z geo.Zone, prefixed bool, name string) geo.CRS {
	c := geo.CRS{Name: name, Zone: z, Prefixed: prefixed}
	if code, ok := z.EPSG(prefixed); ok {
		c, _ = geo.CRSFromEPSG(code)
		if name != "" {
			c.Name = name
		}
	}
	return c
}

// zoneFromName reads the zone from a normalized ESRI or EPSG name of a
// CGCS2000 3° zone: "cgcs20003degreegkzone38", "cgcs20003degreegausskrugercm114e".
func zoneFromName(n string) (z geo.Zone, prefixed, ok bool) {
	rest, ok := strings.CutPrefix(n, "cgcs20003degree")
	if !ok {
		return 0, false, false
	}
	if r, ok := strings.CutPrefix(rest, "gausskruger"); ok {
		rest = r
	} else if r, ok := strings.CutPrefix(rest, "gk"); ok {
		rest = r
	} else {
		return 0, false, false
	}
	if r, ok := strings.CutPrefix(rest, "zone"); ok {
		v, err := strconv.Atoi(r)
		if err != nil || !geo.Zone(v).Valid() {
			return 0, false, false
		}
		return geo.Zone(v), true, true
	}
	if r, ok := strings.CutPrefix(rest, "cm"); ok {
		r, ok = strings.CutSuffix(r, "e")
		v, err := strconv.Atoi(r)
		if !ok || err != nil || v%3 != 0 || !geo.Zone(v/3).Valid() {
			return 0, false, false
		}
		return geo.Zone(v / 3), false, true
	}
	return 0, false, false
}

// tmParams are the parameters of a projected CRS.
type tmParams struct {
	method                                   string
	centralMeridian, scale, falseEasting     float64
	falseNorthing, latitudeOfOrigin, unitInM float64
}

// projectionParams reads the projection method and parameters; complete is
// false when the method, central meridian or false easting is missing.
func projectionParams(root *wktNode) (p tmParams, complete bool) {
	p.scale, p.unitInM = 1, 1
	var haveCM, haveFE bool
	conv := root
	if c := root.child("CONVERSION"); c != nil {
		conv = c
	}
	if m := conv.child("PROJECTION", "METHOD"); m != nil {
		p.method = m.str(0)
	}
	if u := root.child("UNIT", "LENGTHUNIT"); u != nil {
		if f, ok := u.num(1); ok {
			p.unitInM = f
		}
	}
	for _, a := range conv.args {
		n, ok := a.(*wktNode)
		if !ok || n.key != "PARAMETER" {
			continue
		}
		v, ok := n.num(1)
		if !ok {
			continue
		}
		switch normalize(n.str(0)) {
		case "centralmeridian", "longitudeofnaturalorigin", "longitudeofcenter", "longitudeoforigin":
			p.centralMeridian, haveCM = v, true
		case "scalefactor", "scalefactoratnaturalorigin":
			p.scale = v
		case "falseeasting":
			p.falseEasting, haveFE = v, true
		case "falsenorthing":
			p.falseNorthing = v
		case "latitudeoforigin", "latitudeofnaturalorigin", "latitudeofcenter":
			p.latitudeOfOrigin = v
		}
	}
	return p, p.method != "" && haveCM && haveFE
}

// gkZone reports whether p is a CGCS2000 3° Gauss-Krüger zone.
func (p tmParams) gkZone() (z geo.Zone, prefixed, ok bool) {
	switch normalize(p.method) {
	case "transversemercator", "gausskruger", "gaussian", "gausskrugerprojection":
	default:
		return 0, false, false
	}
	if p.unitInM != 1 || p.scale != 1 || p.latitudeOfOrigin != 0 || p.falseNorthing != 0 {
		return 0, false, false
	}
	cm := p.centralMeridian
	if cm != math.Trunc(cm) || int(cm)%3 != 0 {
		return 0, false, false
	}
	z = geo.Zone(int(cm) / 3)
	if !z.Valid() {
		return 0, false, false
	}
	switch p.falseEasting {
	case geo.FalseEasting:
		return z, false, true
	case float64(z)*geo.ZonePrefixFactor + geo.FalseEasting:
		return z, true, true
	}
	return 0, false, false
}

type datum int

const (
	datumOther datum = iota
	datumCGCS2000
	datumWGS84
)

// datumOf classifies the datum of a GEOGCS by its own, its DATUM's and its
// SPHEROID's names.
func datumOf(g *wktNode) datum {
	names := normalize(g.str(0))
	if d := g.child("DATUM", "GEODETICDATUM", "TRF"); d != nil {
		names += " " + normalize(d.str(0))
	}
	switch {
	case strings.Contains(names, "china2000") || strings.Contains(names, "cgcs2000") ||
		strings.Contains(names, "chinageodeticcoordinatesystem2000"):
		return datumCGCS2000
	case strings.Contains(names, "wgs84") || strings.Contains(names, "wgs1984") ||
		strings.Contains(names, "worldgeodeticsystem1984"):
		return datumWGS84
	}
	return datumOther
}

// unsupported is the error for a CRS panhuo does not read: it names the CRS
// (and what it recognizes it as) and asks for a conversion.
func unsupported(root *wktNode, code string) error {
	name := root.str(0)
	if name == "" {
		name = root.key
	}
	what := code
	n := normalize(name)
	if g := root.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS"); g != nil {
		n += " " + normalize(g.str(0))
		if d := g.child("DATUM"); d != nil {
			n += " " + normalize(d.str(0))
		}
	}
	family := ""
	switch {
	case strings.Contains(n, "xian1980") || strings.Contains(n, "xian80"):
		family = "西安 1980 坐标系"
	case strings.Contains(n, "newbeijing"):
		family = "新北京 1954 坐标系"
	case strings.Contains(n, "beijing1954") || strings.Contains(n, "beijing54"):
		family = "北京 1954 坐标系"
	case strings.Contains(n, "utm"):
		family = "UTM 投影"
	case strings.Contains(n, "pseudomercator") || strings.Contains(n, "webmercator") || strings.Contains(n, "mercatorauxiliarysphere"):
		family = "Web 墨卡托投影"
	case strings.Contains(n, "cgcs2000") || strings.Contains(n, "china2000"):
		family = "CGCS2000 的其他投影"
	}
	if family != "" {
		if what != "" {
			what += "，"
		}
		what += family
	}
	if what != "" {
		what = "（" + what + "）"
	}
	return fmt.Errorf("坐标系为 %s%s，不是 CGCS2000 经纬度或 3° 分带高斯-克吕格投影：请先在 GIS 软件中转换为 CGCS2000（EPSG:4490 经纬度或 3° 分带高斯-克吕格投影）后再上传", name, what)
}

// normalize lower-cases s and keeps only its ASCII letters and digits:
// "CGCS2000_3_Degree_GK_Zone_38" and "CGCS2000 / 3-degree Gauss-Kruger zone 38"
// become "cgcs20003degreegkzone38" and "cgcs20003degreegausskrugerzone38".
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PRJ returns the .prj text of c, in ESRI WKT1 as ArcGIS and GDAL write it:
// EPSG:4490 (also for the zero CRS), EPSG:4326, and the CGCS2000 3°
// Gauss-Krüger zones with prefix (EPSG:4513–4533, "CGCS2000_3_Degree_GK_Zone_38")
// or without (EPSG:4534–4554, "CGCS2000_3_Degree_GK_CM_114E").
func PRJ(c geo.CRS) string {
	const (
		gcsCGCS2000 = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
		gcsWGS84    = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	)
	switch {
	case c.Zone == 0 && c.EPSG == 4326:
		return gcsWGS84
	case c.Zone == 0:
		return gcsCGCS2000
	}
	cm := int(c.Zone.CentralMeridian())
	name := fmt.Sprintf("CGCS2000_3_Degree_GK_CM_%dE", cm)
	fe := "500000.0"
	if c.Prefixed {
		name = fmt.Sprintf("CGCS2000_3_Degree_GK_Zone_%d", c.Zone)
		fe = fmt.Sprintf("%d500000.0", c.Zone)
	}
	return `PROJCS["` + name + `",` + gcsCGCS2000 +
		`,PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",` + fe +
		`],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",` + strconv.Itoa(cm) +
		`.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
}

// wktNode is a WKT keyword and its bracketed arguments: strings (quoted),
// float64 numbers, wktWord enumerations (NORTH) and nested *wktNode.
type wktNode struct {
	key  string // upper case
	args []any
}

type wktWord string

// str returns argument i as a string ("" when it is not a quoted string).
func (n *wktNode) str(i int) string {
	if n == nil || i >= len(n.args) {
		return ""
	}
	s, _ := n.args[i].(string)
	return s
}

// num returns argument i as a number.
func (n *wktNode) num(i int) (float64, bool) {
	if n == nil || i >= len(n.args) {
		return 0, false
	}
	switch v := n.args[i].(type) {
	case float64:
		return v, true
	case string: // AUTHORITY["EPSG","4526"]
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// child returns the first direct child node with one of the keys.
func (n *wktNode) child(keys ...string) *wktNode {
	if n == nil {
		return nil
	}
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok {
			for _, k := range keys {
				if c.key == k {
					return c
				}
			}
		}
	}
	return nil
}

// epsg returns the EPSG code of the node itself (not of its parts).
func (n *wktNode) epsg() (int, bool) {
	a := n.child("AUTHORITY", "ID")
	if a == nil || !strings.EqualFold(a.str(0), "EPSG") {
		return 0, false
	}
	v, ok := a.num(1)
	if !ok || v != math.Trunc(v) || v <= 0 || v > 1e9 {
		return 0, false
	}
	return int(v), true
}

// parseWKT parses a WKT text into its root node.
func parseWKT(s string) (*wktNode, error) {
	p := wktParser{s: s}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("第 %d 个字符后有多余内容", p.i)
	}
	return n, nil
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *wktParser) word() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, errors.New("嵌套过深")
	}
	p.space()
	key := p.word()
	if key == "" {
		return nil, fmt.Errorf("第 %d 个字符处应为关键字", p.i+1)
	}
	n := &wktNode{key: strings.ToUpper(key)}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '[' && p.s[p.i] != '(') {
		return nil, fmt.Errorf("%s 后缺少 [", key)
	}
	p.i++
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, errors.New("括号不完整")
		}
		switch c := p.s[p.i]; {
		case c == ']' || c == ')':
			p.i++
			return n, nil
		case c == ',' && len(n.args) > 0:
			p.i++
			continue
		case c == '"':
			str, err := p.quoted()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, str)
		case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
			start := p.i
			for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
				p.i++
			}
			v, err := strconv.ParseFloat(p.s[start:p.i], 64)
			if err != nil {
				return nil, fmt.Errorf("第 %d 个字符处的数字 %q 无效", start+1, p.s[start:p.i])
			}
			n.args = append(n.args, v)
		default:
			start := p.i
			w := p.word()
			if w == "" {
				return nil, fmt.Errorf("第 %d 个字符 %q 无效", p.i+1, p.s[p.i])
			}
			p.space()
			if p.i < len(p.s) && (p.s[p.i] == '[' || p.s[p.i] == '(') {
				p.i = start
				child, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, child)
			} else {
				n.args = append(n.args, wktWord(w))
			}
		}
	}
}

// quoted reads a double-quoted string; "" inside is a quote (WKT2).
func (p *wktParser) quoted() (string, error) {
	var b strings.Builder
	p.i++ // opening quote
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c != '"' {
			b.WriteByte(c)
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '"' {
			b.WriteByte('"')
			p.i++
			continue
		}
		return b.String(), nil
	}
	return "", errors.New("引号不完整")
}
