package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/land"
)

// readBody reads the whole request body, within the size limit the
// middleware set. A body over the limit is a 413 problem.
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, badRequest("读取请求体失败：" + err.Error())
	}
	return b, nil
}

// syntaxProblem explains a body that is not JSON.
func syntaxProblem(err error) *problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest(fmt.Sprintf("请求体不是有效的 JSON（第 %d 字节附近：%s）", se.Offset, se.Error()))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest("请求体不是完整的 JSON")
	}
	return badRequest("请求体不是有效的 JSON：" + err.Error())
}

// decodeObject reads body as one JSON object into its members. An empty body,
// JSON that does not parse, or JSON that is not an object is a 400 problem.
func decodeObject(body []byte, what string) (map[string]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badRequest("请求体为空，须为" + what)
	}
	if !json.Valid(body) {
		var v any
		return nil, syntaxProblem(json.Unmarshal(body, &v))
	}
	if body[0] != '{' {
		return nil, badRequest("请求体须为 JSON 对象（" + what + "）")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, syntaxProblem(err)
	}
	return m, nil
}

// isNull reports whether a member is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// jsonKind names the JSON type of a value in Chinese, for reasons.
func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "空值"
	}
	switch raw[0] {
	case '"':
		return "文本"
	case '{':
		return "对象"
	case '[':
		return "数组"
	case 't', 'f':
		return "布尔值"
	case 'n':
		return "null"
	}
	return "数字"
}

// fieldDecoder collects the field errors of one object's members.
type fieldDecoder struct {
	fields []land.FieldError
}

func (d *fieldDecoder) fail(field, reason string) {
	d.fields = append(d.fields, land.FieldError{Field: field, Reason: reason})
}

// text reads a string member; a number is taken as its literal text (ledgers
// exported by GIS tools often hold 宗地编号 as numbers); null is "".
func (d *fieldDecoder) text(name string, raw json.RawMessage, dst *string) {
	switch {
	case isNull(raw):
		*dst = ""
	case raw[0] == '"':
		if err := json.Unmarshal(raw, dst); err != nil {
			d.fail(name, "须为文本")
		}
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		*dst = string(raw)
	default:
		d.fail(name, "须为文本，收到"+jsonKind(raw))
	}
}

// number reads a number member into a float64; null is 0.
func (d *fieldDecoder) number(name string, raw json.RawMessage, dst *float64) {
	var p *float64
	d.numberPtr(name, raw, &p)
	if p != nil {
		*dst = *p
	} else {
		*dst = 0
	}
}

// numberPtr reads an optional number member; null leaves it unset.
func (d *fieldDecoder) numberPtr(name string, raw json.RawMessage, dst **float64) {
	if isNull(raw) {
		*dst = nil
		return
	}
	var f float64
	if raw[0] == '"' || raw[0] == '{' || raw[0] == '[' || raw[0] == 't' || raw[0] == 'f' {
		d.fail(name, "须为数字，收到"+jsonKind(raw))
		return
	}
	if err := json.Unmarshal(raw, &f); err != nil || math.IsInf(f, 0) {
		d.fail(name, "须为有限的数字")
		return
	}
	*dst = &f
}

// integer reads an integer member; null is 0.
func (d *fieldDecoder) integer(name string, raw json.RawMessage, dst *int) {
	var f float64
	n := len(d.fields)
	d.number(name, raw, &f)
	if len(d.fields) > n {
		return
	}
	if f != math.Trunc(f) || math.Abs(f) > 1e9 {
		d.fail(name, "须为整数")
		return
	}
	*dst = int(f)
}

// boolean reads a true/false member; null is false.
func (d *fieldDecoder) boolean(name string, raw json.RawMessage, dst *bool) {
	switch {
	case isNull(raw):
		*dst = false
	case string(raw) == "true":
		*dst = true
	case string(raw) == "false":
		*dst = false
	default:
		d.fail(name, "须为 true 或 false，收到"+jsonKind(raw))
	}
}

// date reads a "YYYY-MM-DD" member; null and "" are the zero date.
func (d *fieldDecoder) date(name string, raw json.RawMessage, dst *land.Date) {
	if isNull(raw) {
		*dst = land.Date{}
		return
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		d.fail(name, "须为日期文本 YYYY-MM-DD，收到"+jsonKind(raw))
		return
	}
	v, err := land.ParseDate(strings.TrimSpace(s))
	if err != nil {
		d.fail(name, fmt.Sprintf("日期 %q 须为 YYYY-MM-DD 格式的有效日期", s))
		return
	}
	*dst = v
}

// err returns the collected field errors as a 422 problem, or nil.
func (d *fieldDecoder) err(title string) error {
	if len(d.fields) == 0 {
		return nil
	}
	return invalid(title, d.fields...)
}

// decodeFeature reads the members of a GeoJSON Feature: its geometry
// (Polygon or MultiPolygon, lon/lat) and its properties.
func decodeFeature(body []byte) (orb.Geometry, map[string]json.RawMessage, error) {
	doc, err := decodeObject(body, " GeoJSON Feature")
	if err != nil {
		return nil, nil, err
	}
	return featureMembers(doc)
}

// featureMembers checks the members of a Feature object.
func featureMembers(doc map[string]json.RawMessage) (orb.Geometry, map[string]json.RawMessage, error) {
	var d fieldDecoder
	var typ string
	d.text("type", doc["type"], &typ)
	if len(d.fields) == 0 && typ != "Feature" {
		d.fail("type", fmt.Sprintf("须为 GeoJSON Feature（\"type\": \"Feature\"），收到 %q", typ))
	}
	if err := d.err("请求体不是 GeoJSON Feature"); err != nil {
		return nil, nil, err
	}
	if err := checkCRS(doc["crs"]); err != nil {
		return nil, nil, err
	}
	g, err := decodeGeometry(doc["geometry"])
	if err != nil {
		return nil, nil, err
	}
	props := map[string]json.RawMessage{}
	if raw := doc["properties"]; !isNull(raw) {
		if raw[0] != '{' {
			return nil, nil, invalid("属性格式错误", land.FieldError{Field: "properties", Reason: "properties 须为 JSON 对象，收到" + jsonKind(raw)})
		}
		if err := json.Unmarshal(raw, &props); err != nil {
			return nil, nil, syntaxProblem(err)
		}
	}
	return g, props, nil
}

// checkCRS refuses a Feature that declares (the pre-RFC 7946 "crs" member)
// anything but longitude/latitude.
func checkCRS(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var crs struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(raw, &crs)
	name := crs.Properties.Name
	for _, ok := range []string{"CRS84", "EPSG::4490", "EPSG::4326", "EPSG:4490", "EPSG:4326"} {
		if strings.HasSuffix(name, ok) {
			return nil
		}
	}
	return invalid("坐标系不受支持", land.FieldError{Field: "geometry",
		Reason: fmt.Sprintf("坐标须为经纬度（CGCS2000，EPSG:4490，经度在前），而 crs 声明为 %q；高斯-克吕格投影坐标请以 TXT 或 Shapefile 导入", name)})
}

// decodeGeometry reads a GeoJSON geometry that must be a Polygon or a
// MultiPolygon in longitude/latitude. An absent or null geometry gives nil
// (the service says it is missing). Positions must hold two or three finite
// numbers; a third (height) is dropped.
func decodeGeometry(raw json.RawMessage) (orb.Geometry, error) {
	if isNull(raw) {
		return nil, nil
	}
	fail := func(title, reason string) error {
		return invalid(title, land.FieldError{Field: "geometry", Reason: reason})
	}
	if raw[0] != '{' {
		return nil, fail("几何图形无效", "geometry 须为 GeoJSON 几何对象，收到"+jsonKind(raw))
	}
	var doc struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fail("几何图形无效", "geometry 的 type 须为文本")
	}
	switch doc.Type {
	case "Polygon", "MultiPolygon":
	case "":
		return nil, fail("几何图形无效", "geometry 缺少 type（须为 Polygon 或 MultiPolygon）")
	default:
		return nil, fail("几何图形类型不对", fmt.Sprintf("地块图形须为 Polygon 或 MultiPolygon（面），收到 %s", doc.Type))
	}
	if isNull(doc.Coordinates) {
		return nil, fail("几何图形无效", doc.Type+" 缺少 coordinates")
	}
	shape := "[[[经度, 纬度], …]]（外环在前，每个环首尾闭合）"
	if doc.Type == "MultiPolygon" {
		shape = "[[[[经度, 纬度], …]], …]"
	}
	var polys [][][][]float64
	if doc.Type == "Polygon" {
		var rings [][][]float64
		if err := json.Unmarshal(doc.Coordinates, &rings); err != nil {
			return nil, fail("几何图形无效", "Polygon 的 coordinates 须为 "+shape)
		}
		polys = [][][][]float64{rings}
	} else if err := json.Unmarshal(doc.Coordinates, &polys); err != nil {
		return nil, fail("几何图形无效", "MultiPolygon 的 coordinates 须为 "+shape)
	}
	mp := make(orb.MultiPolygon, len(polys))
	for i, rings := range polys {
		mp[i] = make(orb.Polygon, len(rings))
		for j, ring := range rings {
			mp[i][j] = make(orb.Ring, len(ring))
			for k, pos := range ring {
				if len(pos) < 2 || len(pos) > 3 {
					return nil, fail("几何图形无效", fmt.Sprintf("坐标须为 [经度, 纬度]，第 %d 个环的第 %d 个点有 %d 个数", j+1, k+1, len(pos)))
				}
				mp[i][j][k] = orb.Point{pos[0], pos[1]}
			}
		}
	}
	if doc.Type == "Polygon" {
		return mp[0], nil
	}
	return mp, nil
}

// parcelInput builds the service's input from a Feature's geometry and
// properties. Read-only and unknown properties are ignored: GIS tools add
// their own attributes, and a Feature read from the API can be sent back.
func parcelInput(g orb.Geometry, props map[string]json.RawMessage) (land.ParcelInput, error) {
	in := land.ParcelInput{Geometry: g}
	f := &in.ParcelFields
	var d fieldDecoder
	var class string
	d.text("class", props["class"], &class)
	in.Class = land.Class(strings.TrimSpace(class))
	if len(d.fields) == 0 && in.Class == "" {
		d.fail("class", "须给出类别：unsupplied（批而未供）、idle（闲置）或 inefficient（低效）")
	}
	for name, dst := range map[string]*string{
		"code": &f.Code, "supervision_no": &f.SupervisionNo, "project_name": &f.ProjectName,
		"land_user": &f.LandUser, "location": &f.Location, "land_use": &f.LandUse, "note": &f.Note,
		"batch_name": &f.BatchName, "approval_no": &f.ApprovalNo, "contract_no": &f.ContractNo,
		"idle_cause": &f.IdleCause, "identified_reason": &f.IdentifiedReason,
	} {
		d.text(name, props[name], dst)
	}
	for name, dst := range map[string]**float64{
		"declared_area_mu": &f.DeclaredAreaMu, "plot_ratio": &f.PlotRatio, "tax_per_mu": &f.TaxPerMu,
	} {
		d.numberPtr(name, props[name], dst)
	}
	for name, dst := range map[string]*land.Date{
		"identified_on": &f.IdentifiedOn, "approved_on": &f.ApprovedOn,
		"agreed_start_on": &f.AgreedStartOn, "agreed_completion_on": &f.AgreedCompletionOn,
	} {
		d.date(name, props[name], dst)
	}
	var zone int
	d.integer("gk_zone", props["gk_zone"], &zone)
	in.GKZone = geo.Zone(zone)
	sortFields(d.fields)
	return in, d.err("地块数据有误")
}

// parkInput builds a park input from a Feature's geometry and properties.
func parkInput(g orb.Geometry, props map[string]json.RawMessage) (land.ParkInput, error) {
	var in land.ParkInput
	var d fieldDecoder
	d.text("code", props["code"], &in.Code)
	d.text("name", props["name"], &in.Name)
	d.text("level", props["level"], &in.Level)
	d.text("city", props["city"], &in.City)
	d.number("builtup_mu", props["builtup_mu"], &in.BuiltupMu)
	d.number("target_mu", props["target_mu"], &in.TargetMu)
	d.integer("target_year", props["target_year"], &in.TargetYear)
	d.boolean("demo", props["demo"], &in.Demo)
	if ps, ok := geo.Polygons(g); ok {
		in.Boundary = orb.MultiPolygon(ps)
	}
	sortFields(d.fields)
	return in, d.err("园区数据有误")
}

// sortFields orders field errors by field name so that answers are stable.
func sortFields(fe []land.FieldError) {
	for i := 1; i < len(fe); i++ {
		for j := i; j > 0 && fe[j].Field < fe[j-1].Field; j-- {
			fe[j], fe[j-1] = fe[j-1], fe[j]
		}
	}
}

// mergePatch applies an RFC 7386 JSON merge patch to target and returns the
// result. Values are those encoding/json decodes into any (maps, slices,
// strings, numbers, bools, nil). Objects are merged member by member, null
// removes a member, and anything else replaces the target's value. Neither
// argument is modified.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, _ := target.(map[string]any)
	out := make(map[string]any, len(t)+len(p))
	for k, v := range t {
		out[k] = v
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = mergePatch(out[k], v)
		}
	}
	return out
}

// decodeAny decodes JSON keeping numbers exact (json.Number).
func decodeAny(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// jsonEqual compares two decoded JSON values; numbers compare by value, so
// 12.50 equals 12.5.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == bn {
			return true
		}
		x, err1 := a.Float64()
		y, err2 := bn.Float64()
		return err1 == nil && err2 == nil && x == y
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bs[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// patchFeature applies a merge patch (the request body) to current, the
// Feature as the API renders it, and returns the patched Feature as JSON. A
// patch may repeat read-only members (the top-level id, and the properties
// for which readOnly is true) but not change them.
func patchFeature(current []byte, body []byte, readOnly func(string) bool) ([]byte, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badRequest("请求体为空，须为 JSON 合并补丁（RFC 7386）")
	}
	patch, err := decodeAny(body)
	if err != nil {
		return nil, syntaxProblem(err)
	}
	pm, ok := patch.(map[string]any)
	if !ok {
		return nil, badRequest("合并补丁须为 JSON 对象，如 {\"properties\": {…}} 或 {\"geometry\": {…}}")
	}
	cur, err := decodeAny(current)
	if err != nil {
		return nil, fmt.Errorf("decode rendered feature: %w", err)
	}
	cm := cur.(map[string]any)
	var d fieldDecoder
	if v, ok := pm["id"]; ok && !jsonEqual(v, cm["id"]) {
		d.fail("id", "编号不可修改")
	}
	if pp, ok := pm["properties"].(map[string]any); ok {
		cp, _ := cm["properties"].(map[string]any)
		for k, v := range pp {
			if !readOnly(k) {
				continue
			}
			old, had := cp[k]
			if v == nil {
				if had && old != nil {
					d.fail(k, "只读字段，由系统计算或维护，不能修改或删除")
				}
				continue
			}
			if !jsonEqual(v, old) {
				d.fail(k, "只读字段，由系统计算或维护，不能修改")
			}
		}
	}
	sortFields(d.fields)
	if err := d.err("不能修改只读字段"); err != nil {
		return nil, err
	}
	out, err := json.Marshal(mergePatch(cm, pm))
	if err != nil {
		return nil, fmt.Errorf("encode patched feature: %w", err)
	}
	return out, nil
}
