package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ReadGeoJSON reads a GeoJSON file: a FeatureCollection, a single Feature or
// a bare Polygon or MultiPolygon (RFC 7946), UTF-8 (a file that is not UTF-8
// is read as GBK, with a warning).
//
// Coordinates are longitude/latitude unless the file has the legacy (2008)
// "crs" member naming EPSG:4326, CRS84, EPSG:4490, or a CGCS2000 3°
// Gauss-Krüger code 4513–4554 ("urn:ogc:def:crs:EPSG::4526", "EPSG:4526"),
// as ogr2ogr writes with -lco RFC7946=NO. Gauss-Krüger features are converted
// to lon/lat and get their Zone and PlanarAreaM2 from the file's own
// coordinates (see CRS.ToLonLat). Any other CRS is a file error. A file
// without "crs" whose coordinates are clearly metres is a file error too,
// unless the eastings carry a valid zone prefix (38 409 493.68): then it is
// read in that zone, with a warning on the layer.
//
// Each feature's properties are kept in file order, as text: strings as
// they are, integers with the digits written (a 19-digit 电子监管号 stays
// exact), other numbers with strconv.FormatFloat(v, 'f', -1, 64), booleans as
// true/false, null as "", objects and arrays as compact JSON. Label is the
// first non-empty 宗地编号, 地块编号, code or name, else "第 N 个要素".
// Geometries are Polygons and MultiPolygons (a GeometryCollection of polygons
// becomes a MultiPolygon) with closed rings, shells counter-clockwise and
// holes clockwise; anything else, a null geometry, unreadable coordinates or
// more than l.MaxVerticesPerFeature vertices give the feature a Problem.
//
// Invalid JSON, a file that is not GeoJSON, no feature, or more than
// l.MaxFeatures features fail the whole file with a *FileError.
func ReadGeoJSON(data []byte, l Limits) (Layer, error) {
	l = l.WithDefaults()
	layer := Layer{Format: "geojson", Encoding: "UTF-8"}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return Layer{}, &FileError{Format: "GeoJSON", Reason: "文件为空"}
	}
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) {
			return Layer{}, &FileError{Format: "GeoJSON", Reason: "文件既不是 UTF-8 也不是 GBK 编码"}
		}
		data = dec
		layer.Encoding = "GBK"
		layer.Warnings = append(layer.Warnings, "文件不是 UTF-8 编码（GeoJSON 规定为 UTF-8）：已按 GBK 读取，请核对中文是否正确")
	}

	var top gjObject
	if err := json.Unmarshal(data, &top); err != nil {
		return Layer{}, jsonFileError(data, err, "")
	}
	crs, named, err := geoJSONCRS(top.CRS)
	if err != nil {
		return Layer{}, err
	}

	// Gather the features as raw objects.
	var raws []gjObject
	switch top.Type {
	case "FeatureCollection":
		var feats []json.RawMessage
		if len(top.Features) > 0 && string(top.Features) != "null" {
			if err := json.Unmarshal(top.Features, &feats); err != nil {
				return Layer{}, &FileError{Format: "GeoJSON", Reason: "features 成员应为要素数组"}
			}
		}
		if len(feats) > l.MaxFeatures {
			return Layer{}, &FileError{Format: "GeoJSON", Reason: fmt.Sprintf("文件有 %d 个要素，超过 %d 个上限：请分批导入", len(feats), l.MaxFeatures)}
		}
		raws = make([]gjObject, len(feats))
		for i, fb := range feats {
			if err := json.Unmarshal(fb, &raws[i]); err != nil || raws[i].Type != "Feature" {
				return Layer{}, &FileError{Format: "GeoJSON", Where: fmt.Sprintf("第 %d 个要素", i+1), Reason: "不是 GeoJSON 要素（应为 \"type\": \"Feature\" 的对象）"}
			}
		}
	case "Feature":
		raws = []gjObject{top}
	case "Polygon", "MultiPolygon", "GeometryCollection", "Point", "MultiPoint", "LineString", "MultiLineString":
		whole, _ := json.Marshal(struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates,omitempty"`
			Geometries  json.RawMessage `json:"geometries,omitempty"`
		}{top.Type, top.Coordinates, top.Geometries})
		raws = []gjObject{{Type: "Feature", Geometry: whole}}
	case "":
		return Layer{}, &FileError{Format: "GeoJSON", Reason: "不是 GeoJSON：缺少 type 成员（应为 FeatureCollection、Feature 或 Polygon）"}
	default:
		return Layer{}, &FileError{Format: "GeoJSON", Reason: fmt.Sprintf("不是 GeoJSON：type 为 %q，应为 FeatureCollection、Feature 或 Polygon", clipText(top.Type))}
	}
	if len(raws) == 0 {
		return Layer{}, &FileError{Format: "GeoJSON", Reason: "文件中没有要素"}
	}
	if len(raws) > l.MaxFeatures {
		return Layer{}, &FileError{Format: "GeoJSON", Reason: fmt.Sprintf("文件有 %d 个要素，超过 %d 个上限：请分批导入", len(raws), l.MaxFeatures)}
	}

	// Decode every feature with its coordinates as written.
	layer.Features = make([]Feature, len(raws))
	for i := range raws {
		f := &layer.Features[i]
		f.Index = i + 1
		props, err := orderedProperties(raws[i].Properties)
		if err != nil {
			f.Problem = fmt.Sprintf("第 %d 个要素的 properties 不是对象", i+1)
		}
		f.Properties = props
		f.Label = geoJSONLabel(props, i+1)
		if f.Problem == "" {
			f.Geometry, f.Warnings, f.Problem = decodeGeoJSONGeometry(raws[i].Geometry, f.Label, l.MaxVerticesPerFeature)
		}
	}

	// No crs: lon/lat, unless the coordinates are clearly projected.
	if !named {
		crs, _ = CRSFromEPSG(4326)
		if p, ok := firstVertex(layer.Features); ok && (math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90) {
			z, _, ok := SplitPrefixedEasting(p[0])
			code, okCode := z.EPSG(true)
			if !ok || !okCode || p[1] < txtMinNorthing || p[1] > txtMaxNorthing {
				return Layer{}, &FileError{Format: "GeoJSON", Reason: projectedReason("坐标", p[0], p[1]) +
					"。GeoJSON 没有 crs 成员时坐标须为经纬度；如文件确为高斯-克吕格坐标，请在文件中写明坐标系，如 " +
					`"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}` +
					"（ogr2ogr 导出时加 -lco RFC7946=NO 会写出 crs）"}
			}
			crs, _ = CRSFromEPSG(code)
			layer.Warnings = append(layer.Warnings, fmt.Sprintf(
				"文件没有 crs 成员，但坐标（%s, %s）是带带号的高斯-克吕格坐标：按 %s 读取，请核对坐标系",
				fmtNum(p[0], 3), fmtNum(p[1], 3), crs))
		}
	}
	layer.CRS = crs

	// Convert to lon/lat, orient and check the range.
	for i := range layer.Features {
		f := &layer.Features[i]
		if f.Geometry == nil {
			continue
		}
		if !crs.Geographic() {
			g, zone, area, warns, err := crs.ToLonLat(f.Geometry)
			if err != nil {
				f.Geometry, f.Problem = nil, fmt.Sprintf("要素「%s」：%v", f.Label, err)
				continue
			}
			f.Geometry, f.Zone, f.PlanarAreaM2 = g, zone, area
			f.Warnings = append(f.Warnings, warns...)
		} else if p, bad := outOfLonLat(f.Geometry); bad {
			f.Geometry, f.Problem = nil, fmt.Sprintf("要素「%s」的坐标（%s, %s）超出经纬度范围：没有 crs 成员的 GeoJSON 坐标须为经纬度（经度在前）",
				f.Label, fmtNum(p[0], 3), fmtNum(p[1], 3))
			continue
		}
		f.Geometry = orientPolygons(f.Geometry)
	}
	return layer, nil
}

// gjObject holds the members of a GeoJSON object that the reader uses.
type gjObject struct {
	Type        string          `json:"type"`
	CRS         json.RawMessage `json:"crs"`
	Features    json.RawMessage `json:"features"`
	Geometry    json.RawMessage `json:"geometry"`
	Properties  json.RawMessage `json:"properties"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  json.RawMessage `json:"geometries"`
}

// jsonFileError turns a decoding error into a *FileError with the line.
func jsonFileError(data []byte, err error, where string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line := lineAt(data, se.Offset)
		if se.Offset >= int64(len(data)) || strings.Contains(se.Error(), "unexpected end") {
			return &FileError{Format: "GeoJSON", Where: fmt.Sprintf("第 %d 行", line), Reason: "文件不完整：JSON 在文件末尾中断（文件可能没有传完或已损坏）"}
		}
		return &FileError{Format: "GeoJSON", Where: fmt.Sprintf("第 %d 行", line), Reason: "不是有效的 JSON（" + se.Error() + "）：文件可能已损坏，或不是 GeoJSON"}
	case errors.As(err, &te):
		if te.Field == "" {
			return &FileError{Format: "GeoJSON", Reason: "不是 GeoJSON：文件应为一个 JSON 对象（FeatureCollection、Feature 或 Polygon）"}
		}
		return &FileError{Format: "GeoJSON", Where: fmt.Sprintf("第 %d 行", lineAt(data, te.Offset)), Reason: fmt.Sprintf("成员 %s 的类型不对：不是 GeoJSON", te.Field)}
	}
	return &FileError{Format: "GeoJSON", Where: where, Reason: "无法读取：" + err.Error()}
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// geoJSONCRS reads the legacy crs member. named is false when there is none.
func geoJSONCRS(raw json.RawMessage) (crs CRS, named bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return CRS{}, false, nil
	}
	var c struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
			Href string `json:"href"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return CRS{}, false, &FileError{Format: "GeoJSON", Reason: "crs 成员格式不对：应为 {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::4490\"}}"}
	}
	name := strings.TrimSpace(c.Properties.Name)
	if !strings.EqualFold(c.Type, "name") || name == "" {
		what := name
		if what == "" {
			what = strings.TrimSpace(c.Properties.Href)
		}
		return CRS{}, false, &FileError{Format: "GeoJSON", Reason: fmt.Sprintf("不支持的坐标系 %s：crs 须以名称（\"type\": \"name\"）给出 CGCS2000（EPSG:4490）或其高斯-克吕格投影的 EPSG 代码", clipText(what))}
	}
	code, ok := epsgFromName(name)
	if ok {
		if crs, ok := CRSFromEPSG(code); ok {
			crs.Name = name
			return crs, true, nil
		}
	}
	shown := name
	if ok {
		shown = fmt.Sprintf("EPSG:%d", code)
	}
	return CRS{}, false, &FileError{Format: "GeoJSON", Reason: fmt.Sprintf("不支持的坐标系 %s：请转换为 CGCS2000（EPSG:4490）或其高斯-克吕格投影", clipText(shown))}
}

// epsgFromName reads the EPSG code of a CRS name: "urn:ogc:def:crs:EPSG::4526",
// "urn:ogc:def:crs:EPSG:6.6:4526", "EPSG:4526", and the CRS84 names (4326).
func epsgFromName(name string) (int, bool) {
	u := strings.ToUpper(name)
	if u == "CRS84" || strings.HasSuffix(u, ":CRS84") || strings.HasSuffix(u, "/CRS84") {
		return 4326, true
	}
	i := strings.LastIndex(u, "EPSG")
	if i < 0 {
		return 0, false
	}
	rest := u[i+len("EPSG"):]
	if j := strings.LastIndexAny(rest, ":/"); j >= 0 {
		rest = rest[j+1:]
	}
	code, err := strconv.Atoi(rest)
	if err != nil || code <= 0 {
		return 0, false
	}
	return code, true
}

// orderedProperties reads a properties object keeping the file's order.
func orderedProperties(raw json.RawMessage) ([]Property, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errors.New("properties is not an object")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	var props []Property
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		props = append(props, Property{Name: key, Value: propertyText(v)})
	}
	return props, nil
}

// propertyText is the text of a JSON value (see ReadGeoJSON).
func propertyText(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case 'n':
		return ""
	case 't', 'f':
		return string(v)
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			return b.String()
		}
	default:
		s := string(v)
		if !strings.ContainsAny(s, ".eE") {
			return s // an integer: keep every digit as written
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return s
	}
	return string(v)
}

// geoJSONLabel is how a person finds the n-th feature.
func geoJSONLabel(props []Property, n int) string {
	for _, key := range []string{"宗地编号", "地块编号", "code", "name"} {
		for _, p := range props {
			if strings.EqualFold(p.Name, key) {
				if v := strings.TrimSpace(p.Value); v != "" {
					return v
				}
			}
		}
	}
	return fmt.Sprintf("第 %d 个要素", n)
}

// gjPosition is a position as written; null and non-numbers decode to "".
type gjPosition []json.Number

// decodeGeoJSONGeometry decodes a feature's geometry as written in the file
// (not yet converted to lon/lat, rings closed).
func decodeGeoJSONGeometry(raw json.RawMessage, label string, maxVertices int) (orb.Geometry, []string, string) {
	what := fmt.Sprintf("要素「%s」", label)
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, what + "没有几何图形（geometry 为 null）：须为多边形（Polygon）"
	}
	var g gjObject
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, nil, what + "的 geometry 不是 GeoJSON 几何对象"
	}
	d := gjDecoder{what: what, max: maxVertices}
	polys, others := d.geometry(&g, 0)
	if d.problem != "" {
		return nil, nil, d.problem
	}
	if len(polys) == 0 {
		if len(others) == 0 {
			return nil, nil, what + "的几何图形为空：须为多边形（Polygon）"
		}
		return nil, nil, fmt.Sprintf("%s不是面：须为多边形（Polygon）或多多边形（MultiPolygon），而这里是 %s", what, strings.Join(others, "、"))
	}
	var warns []string
	if len(others) > 0 {
		warns = append(warns, fmt.Sprintf("%s的几何集合（GeometryCollection）中除多边形外还有 %s：已忽略，只保留多边形", what, strings.Join(others, "、")))
	}
	if g.Type == "Polygon" {
		return polys[0], warns, ""
	}
	if g.Type == "GeometryCollection" && len(polys) == 1 {
		return polys[0], warns, ""
	}
	return orb.MultiPolygon(polys), warns, ""
}

type gjDecoder struct {
	what     string
	max      int
	vertices int
	problem  string
}

// geometry returns the polygons of g and the types of its other members.
func (d *gjDecoder) geometry(g *gjObject, depth int) (polys []orb.Polygon, others []string) {
	switch g.Type {
	case "Polygon":
		var rings [][]gjPosition
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			d.problem = d.what + "的坐标格式不对：Polygon 的 coordinates 应为 [[[经度, 纬度], …]]"
			return nil, nil
		}
		if p, ok := d.polygon(rings); ok {
			polys = append(polys, p)
		}
	case "MultiPolygon":
		var parts [][][]gjPosition
		if err := json.Unmarshal(g.Coordinates, &parts); err != nil {
			d.problem = d.what + "的坐标格式不对：MultiPolygon 的 coordinates 应为 [[[[经度, 纬度], …]]]"
			return nil, nil
		}
		for _, rings := range parts {
			p, ok := d.polygon(rings)
			if !ok {
				return nil, nil
			}
			polys = append(polys, p)
		}
	case "GeometryCollection":
		if depth > 16 {
			d.problem = d.what + "的几何集合嵌套过深"
			return nil, nil
		}
		var members []gjObject
		if err := json.Unmarshal(g.Geometries, &members); err != nil {
			d.problem = d.what + "的几何集合（GeometryCollection）格式不对"
			return nil, nil
		}
		for i := range members {
			p, o := d.geometry(&members[i], depth+1)
			if d.problem != "" {
				return nil, nil
			}
			polys = append(polys, p...)
			others = append(others, o...)
		}
	case "Point", "MultiPoint":
		others = append(others, "点（"+g.Type+"）")
	case "LineString", "MultiLineString":
		others = append(others, "线（"+g.Type+"）")
	default:
		d.problem = fmt.Sprintf("%s的几何类型 %q 不是 GeoJSON 几何类型", d.what, clipText(g.Type))
	}
	return polys, others
}

// polygon reads the rings of a Polygon, closing them.
func (d *gjDecoder) polygon(rings [][]gjPosition) (orb.Polygon, bool) {
	if len(rings) == 0 {
		d.problem = d.what + "有一个没有任何环的多边形"
		return nil, false
	}
	p := make(orb.Polygon, 0, len(rings))
	for _, rg := range rings {
		if d.vertices+len(rg) > d.max {
			d.problem = fmt.Sprintf("%s的顶点超过 %d 个上限：请简化后再导入", d.what, d.max)
			return nil, false
		}
		d.vertices += len(rg)
		if len(rg) == 0 {
			d.problem = d.what + "的多边形有一个没有坐标的环"
			return nil, false
		}
		r := make(orb.Ring, 0, len(rg)+1)
		for _, pos := range rg {
			if len(pos) < 2 {
				d.problem = d.what + "的坐标格式不对：每个点应为 [经度, 纬度]"
				return nil, false
			}
			x, err1 := strconv.ParseFloat(string(pos[0]), 64)
			y, err2 := strconv.ParseFloat(string(pos[1]), 64)
			if err1 != nil || err2 != nil || math.IsInf(x, 0) || math.IsInf(y, 0) {
				shown := func(n json.Number) string {
					if n == "" {
						return "null"
					}
					return clipText(string(n))
				}
				d.problem = fmt.Sprintf("%s的坐标 [%s, %s] 不是数字", d.what, shown(pos[0]), shown(pos[1]))
				return nil, false
			}
			r = append(r, orb.Point{x, y})
		}
		r, problem := CloseRing(r)
		if problem != "" {
			d.problem = d.what + problem
			return nil, false
		}
		p = append(p, r)
	}
	return p, true
}

// firstVertex is the first vertex of the first feature with a geometry.
func firstVertex(fs []Feature) (orb.Point, bool) {
	for _, f := range fs {
		polys, _ := Polygons(f.Geometry)
		for _, p := range polys {
			for _, r := range p {
				if len(r) > 0 {
					return r[0], true
				}
			}
		}
	}
	return orb.Point{}, false
}

// outOfLonLat returns the first point of g outside longitude ±180°,
// latitude ±90°.
func outOfLonLat(g orb.Geometry) (orb.Point, bool) {
	polys, _ := Polygons(g)
	for _, p := range polys {
		for _, r := range p {
			for _, q := range r {
				if !(math.Abs(q[0]) <= 180 && math.Abs(q[1]) <= 90) {
					return q, true
				}
			}
		}
	}
	return orb.Point{}, false
}

// orientPolygons orients shells counter-clockwise and holes clockwise,
// replacing the rings of g's polygons.
func orientPolygons(g orb.Geometry) orb.Geometry {
	polys, _ := Polygons(g)
	for _, p := range polys {
		for i := range p {
			p[i] = OrientRing(p[i], i == 0)
		}
	}
	return g
}

// clipText shortens s for an error message.
func clipText(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
