// Package kml reads the polygons of KML and KMZ files (Google Earth,
// 奥维互动地图, ArcGIS and GDAL exports) into a geo.Layer: one geo.Feature per
// Placemark, at any depth of Folders and Documents, with its name,
// description and ExtendedData as properties.
//
// KML coordinates are WGS 84 longitude/latitude; panhuo takes them as
// CGCS2000 (the datums differ by centimetres), so the layer's CRS is
// EPSG:4326 and no transformation is made. Files are streamed with
// encoding/xml; files in GBK, GB2312 or GB18030 are decoded when their XML
// declaration says so (and GBK is tried when a file without declaration is
// not UTF-8). Nothing in a file makes the readers panic.
package kml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"

	"panhuo/geo"
)

// FolderProperty is the name of the property holding a Placemark's folder
// path ("园区/闲置"), set when the Placemark lies in named Folders.
const FolderProperty = "文件夹"

// maxNesting caps the depth of MultiGeometries within MultiGeometries.
const maxNesting = 64

// errTooDeep is returned for MultiGeometries nested beyond maxNesting.
const errTooDeep = constError("MultiGeometry nested too deep")

type constError string

func (e constError) Error() string { return string(e) }

// maxNetworkLinks caps the documents ReadKMZ follows through NetworkLinks.
const maxNetworkLinks = 64

// Read reads a .kml file. Each Placemark becomes a feature, in document
// order: Label is its <name> (else "第 N 个地标"); Properties are name,
// description (as plain text), the ExtendedData <Data> and <SchemaData>
// values in the order written, and FolderProperty; Geometry is a Polygon, or
// a MultiPolygon when a MultiGeometry holds several polygons, with shells
// counter-clockwise, holes clockwise and every ring closed. A Placemark that
// is not a polygon, or whose coordinates are unreadable, gets a Problem.
//
// The whole file fails with a *geo.FileError when it is not well-formed
// XML, not KML, holds no Placemark, or more Placemarks than l.MaxFeatures.
func Read(data []byte, l geo.Limits) (geo.Layer, error) {
	r := newReader(l)
	if err := r.readDoc(data, ""); err != nil {
		return geo.Layer{}, err
	}
	return r.finish("kml", "KML")
}

// ReadKMZ reads a .kmz: a zip holding doc.kml (or another .kml at its root)
// and perhaps images. The archive is checked against l.MaxZipEntries and
// l.MaxUncompressedBytes before anything is inflated. NetworkLinks of the
// main document to other .kml files of the archive (as GDAL's LIBKML driver
// writes, layers/*.kml) are followed; links to the web are not.
func ReadKMZ(data []byte, l geo.Limits) (geo.Layer, error) {
	l = l.WithDefaults()
	zr, err := geo.OpenZip(data, "KMZ", l)
	if err != nil {
		return geo.Layer{}, err
	}
	kmls := geo.ZipEntries(zr)[".kml"]
	if len(kmls) == 0 {
		return geo.Layer{}, &geo.FileError{Format: "KMZ", Reason: "压缩包中没有 .kml 文件：KMZ 应包含 doc.kml"}
	}
	main := kmls[0]
	foundRoot := false
	for _, f := range kmls {
		if strings.Contains(f.Name, "/") {
			continue
		}
		if strings.EqualFold(f.Name, "doc.kml") {
			main, foundRoot = f, true
			break
		}
		if !foundRoot {
			main, foundRoot = f, true
		}
	}
	byName := make(map[string]int, len(kmls))
	for i, f := range kmls {
		byName[path.Clean(f.Name)] = i
	}

	r := newReader(l)
	var budget int64 = l.MaxUncompressedBytes
	queue := []int{byName[path.Clean(main.Name)]}
	done := map[int]bool{queue[0]: true}
	for len(queue) > 0 {
		f := kmls[queue[0]]
		queue = queue[1:]
		doc, err := geo.ReadZipEntry(f, "KMZ", budget)
		if err != nil {
			return geo.Layer{}, err
		}
		budget -= int64(len(doc))
		if err := r.readDoc(doc, f.Name); err != nil {
			return geo.Layer{}, err
		}
		for _, href := range r.links {
			i, ok := byName[path.Join(path.Dir(f.Name), href)]
			if !ok || done[i] || len(done) >= maxNetworkLinks {
				continue
			}
			done[i] = true
			queue = append(queue, i)
		}
		r.links = r.links[:0]
	}
	return r.finish("kmz", "KMZ")
}

// reader accumulates the Placemarks of one or more KML documents.
type reader struct {
	limits   geo.Limits
	features []geo.Feature
	warnings []string
	encoding string
	links    []string // NetworkLink hrefs of the last document, relative
	doc      string   // entry name of the document being read, for errors
	format   string
}

func newReader(l geo.Limits) *reader {
	return &reader{limits: l.WithDefaults(), format: "KML"}
}

func (r *reader) finish(layerFormat, errFormat string) (geo.Layer, error) {
	if len(r.features) == 0 {
		return geo.Layer{}, &geo.FileError{Format: errFormat, Reason: "文件中没有地标（Placemark）：请在 Google Earth 或 GIS 软件中导出包含面要素的 KML"}
	}
	crs, _ := geo.CRSFromEPSG(4326)
	enc := r.encoding
	if enc == "" {
		enc = "UTF-8"
	}
	return geo.Layer{Format: layerFormat, CRS: crs, Encoding: enc, Features: r.features, Warnings: r.warnings}, nil
}

// fileError is a *geo.FileError at line of the current document.
func (r *reader) fileError(line int, reason string) error {
	where := ""
	if line > 0 {
		where = fmt.Sprintf("第 %d 行", line)
	}
	format := "KML"
	if r.doc != "" {
		format = "KMZ"
		where = strings.TrimSpace(r.doc + " " + where)
	}
	return &geo.FileError{Format: format, Where: where, Reason: reason}
}

// folder is an open Folder and its name.
type folder struct {
	depth int
	name  string
}

// readDoc streams one KML document, appending its Placemarks.
func (r *reader) readDoc(data []byte, name string) error {
	r.doc = name
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return r.fileError(0, "文件为空")
	}
	if !utf8.Valid(data) && !declaresEncoding(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(dec) {
			return r.fileError(0, "文件既不是 UTF-8 编码，也没有在 XML 声明中写明编码")
		}
		data = dec
		r.encoding = "GBK"
		r.warnings = append(r.warnings, "文件不是 UTF-8 编码，也没有声明编码：已按 GBK 读取，请核对中文是否正确")
	}

	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, canon, err := charset(label)
		if err != nil {
			return nil, err
		}
		r.encoding = canon
		return enc.NewDecoder().Reader(in), nil
	}

	var folders []folder
	depth := 0
	sawRoot := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r.xmlError(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if !sawRoot {
				sawRoot = true
				if !strings.EqualFold(t.Name.Local, "kml") {
					return r.fileError(lineOf(d), fmt.Sprintf("不是 KML 文件：根元素为 <%s>，应为 <kml>", t.Name.Local))
				}
				continue
			}
			switch t.Name.Local {
			case "Folder":
				folders = append(folders, folder{depth: depth})
			case "name":
				if n := len(folders); n > 0 && folders[n-1].depth == depth-1 {
					var s string
					if err := d.DecodeElement(&s, &t); err != nil {
						return r.xmlError(d, err)
					}
					depth--
					folders[n-1].name = strings.TrimSpace(s)
				}
			case "NetworkLink":
				var nl networkLink
				if err := d.DecodeElement(&nl, &t); err != nil {
					return r.xmlError(d, err)
				}
				depth--
				if href := nl.href(); href != "" {
					r.links = append(r.links, href)
				}
			case "Placemark":
				line := lineOf(d)
				var pm placemark
				if err := d.DecodeElement(&pm, &t); err != nil {
					return r.xmlError(d, err)
				}
				depth--
				if len(r.features) >= r.limits.MaxFeatures {
					return r.fileError(line, fmt.Sprintf("地标（Placemark）超过 %d 个上限：请分批导入", r.limits.MaxFeatures))
				}
				r.features = append(r.features, r.feature(&pm, len(r.features)+1, folderPath(folders)))
			}
		case xml.EndElement:
			if n := len(folders); n > 0 && folders[n-1].depth == depth {
				folders = folders[:n-1]
			}
			depth--
		}
	}
	if !sawRoot {
		return r.fileError(0, "不是 KML 文件：没有任何 XML 元素")
	}
	return nil
}

// xmlError turns a decoding error into a *geo.FileError with its line.
func (r *reader) xmlError(d *xml.Decoder, err error) error {
	line := lineOf(d)
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if se.Line > 0 {
			line = se.Line
		}
		if se.Msg == "unexpected EOF" {
			return r.fileError(line, "文件不完整：XML 在文件末尾中断（文件可能没有传完或已损坏）")
		}
		return r.fileError(line, "XML 格式错误（"+se.Msg+"）：文件可能已损坏，或不是 KML 文件")
	}
	if errors.Is(err, errTooDeep) {
		return r.fileError(line, fmt.Sprintf("多几何图形（MultiGeometry）嵌套超过 %d 层", maxNesting))
	}
	var ce charsetError
	if errors.As(err, &ce) {
		return r.fileError(line, fmt.Sprintf("不支持的字符编码 %q：请另存为 UTF-8 或 GBK", string(ce)))
	}
	return r.fileError(line, "无法读取 XML："+err.Error())
}

func lineOf(d *xml.Decoder) int {
	line, _ := d.InputPos()
	return line
}

func folderPath(folders []folder) string {
	var parts []string
	for _, f := range folders {
		if f.name != "" {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "/")
}

// charsetError is an encoding named in an XML declaration that the reader
// does not know.
type charsetError string

func (e charsetError) Error() string { return "unsupported charset " + string(e) }

// charset returns the decoder of an XML encoding label and its canonical name.
func charset(label string) (encoding.Encoding, string, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "gbk", "gb2312", "gb_2312-80", "cp936", "x-gbk", "windows-936", "euc-cn":
		return simplifiedchinese.GBK, "GBK", nil
	case "gb18030":
		return simplifiedchinese.GB18030, "GB18030", nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, "", charsetError(label)
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		name = label
	}
	return enc, strings.ToUpper(name), nil
}

// declaresEncoding reports whether data starts with an XML declaration
// naming an encoding other than UTF-8.
func declaresEncoding(data []byte) bool {
	head := data
	if len(head) > 200 {
		head = head[:200]
	}
	if !bytes.HasPrefix(bytes.TrimSpace(head), []byte("<?xml")) {
		return false
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return false
	}
	decl := strings.ToLower(string(head[:end]))
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return false
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=\"'")
	return !strings.HasPrefix(rest, "utf-8") && !strings.HasPrefix(rest, "utf8")
}

// ---------------------------------------------------------------- elements

type networkLink struct {
	Link []struct {
		Href string `xml:"href"`
	} `xml:"Link"`
	URL []struct {
		Href string `xml:"href"`
	} `xml:"Url"`
}

// href is the link's target when it is a relative path (a file of the KMZ).
func (n *networkLink) href() string {
	var h string
	for _, l := range n.Link {
		h = l.Href
	}
	for _, l := range n.URL {
		if h == "" {
			h = l.Href
		}
	}
	h = strings.TrimSpace(h)
	if h == "" || strings.Contains(h, "://") || strings.HasPrefix(h, "/") {
		return ""
	}
	return h
}

type placemark struct {
	Name         *string
	Description  string
	ExtendedData extendedData
	Geometries   []geometry
}

// geometry is one geometry element, in document order: Kind is its local
// name; Polygon, Ring or Children is set for a Polygon, a LinearRing or a
// MultiGeometry.
type geometry struct {
	Kind     string
	Polygon  *polygon
	Ring     *ring
	Children []geometry
}

func (p *placemark) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return forChildren(d, func(t xml.StartElement) error {
		switch t.Name.Local {
		case "name":
			var s string
			if err := d.DecodeElement(&s, &t); err != nil {
				return err
			}
			p.Name = &s
			return nil
		case "description":
			return d.DecodeElement(&p.Description, &t)
		case "ExtendedData":
			return d.DecodeElement(&p.ExtendedData, &t)
		}
		g, ok, err := decodeGeometry(d, t, 0)
		if ok {
			p.Geometries = append(p.Geometries, g)
		}
		return err
	})
}

// decodeGeometry decodes the element t when it is a geometry; ok is false
// (and the element skipped) otherwise.
func decodeGeometry(d *xml.Decoder, t xml.StartElement, depth int) (g geometry, ok bool, err error) {
	g.Kind = t.Name.Local
	if depth > maxNesting {
		return g, false, errTooDeep
	}
	switch g.Kind {
	case "Polygon":
		g.Polygon = new(polygon)
		return g, true, d.DecodeElement(g.Polygon, &t)
	case "LinearRing":
		g.Ring = new(ring)
		return g, true, d.DecodeElement(g.Ring, &t)
	case "MultiGeometry":
		err := forChildren(d, func(c xml.StartElement) error {
			child, ok, err := decodeGeometry(d, c, depth+1)
			if ok {
				g.Children = append(g.Children, child)
			}
			return err
		})
		return g, true, err
	case "Point", "LineString", "Track", "MultiTrack", "Model":
		return g, true, d.Skip()
	}
	return g, false, d.Skip()
}

// forChildren calls fn for each child element of the element just started;
// fn must consume the child (DecodeElement or Skip). Text is ignored.
func forChildren(d *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

type polygon struct {
	Outer []boundary `xml:"outerBoundaryIs"`
	Inner []boundary `xml:"innerBoundaryIs"`
}

type boundary struct {
	Rings []ring `xml:"LinearRing"`
}

type ring struct {
	Coordinates string `xml:"coordinates"`
}

// extendedData keeps <Data> and <SchemaData>/<SimpleData> values in the
// order of the file.
type extendedData struct {
	props []geo.Property
}

func (e *extendedData) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return forChildren(d, func(t xml.StartElement) error {
		switch t.Name.Local {
		case "Data":
			var v struct {
				Name        string `xml:"name,attr"`
				DisplayName string `xml:"displayName"`
				Value       string `xml:"value"`
			}
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			name := v.Name
			if name == "" {
				name = strings.TrimSpace(v.DisplayName)
			}
			e.props = append(e.props, geo.Property{Name: name, Value: strings.TrimSpace(v.Value)})
		case "SchemaData":
			var v struct {
				SimpleData []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:",chardata"`
				} `xml:"SimpleData"`
			}
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			for _, s := range v.SimpleData {
				e.props = append(e.props, geo.Property{Name: s.Name, Value: strings.TrimSpace(s.Value)})
			}
		default:
			return d.Skip()
		}
		return nil
	})
}

// ---------------------------------------------------------------- features

// feature makes the n-th Placemark into a geo.Feature.
func (r *reader) feature(pm *placemark, n int, folders string) geo.Feature {
	f := geo.Feature{Index: n, Label: fmt.Sprintf("第 %d 个地标", n)}
	name := ""
	if pm.Name != nil {
		name = strings.TrimSpace(*pm.Name)
		f.Properties = append(f.Properties, geo.Property{Name: "name", Value: name})
		if name != "" {
			f.Label = name
		}
	}
	if desc := plainText(pm.Description); desc != "" {
		f.Properties = append(f.Properties, geo.Property{Name: "description", Value: desc})
	}
	f.Properties = append(f.Properties, pm.ExtendedData.props...)
	if folders != "" {
		f.Properties = append(f.Properties, geo.Property{Name: FolderProperty, Value: folders})
	}

	label := fmt.Sprintf("地标「%s」", f.Label)
	if name == "" {
		label = f.Label
	}
	c := collector{max: r.limits.MaxVerticesPerFeature, label: label}
	c.collect(pm.Geometries)
	switch {
	case c.problem != "":
		f.Problem = c.problem
		return f
	case len(c.polys) == 0 && len(c.others) == 0:
		f.Problem = label + "没有几何图形：须为多边形（Polygon）"
		return f
	case len(c.polys) == 0:
		f.Problem = fmt.Sprintf("%s不是面：须为多边形（Polygon），而这里是%s", label, strings.Join(c.otherKinds(), "、"))
		return f
	}
	if len(c.others) > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s的多几何图形（MultiGeometry）中除多边形外还有%s：已忽略，只保留多边形", label, strings.Join(c.otherKinds(), "、")))
	}
	if c.rings > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s的图形是线环（LinearRing）：已按多边形读取", label))
	}
	if len(c.polys) == 1 {
		f.Geometry = c.polys[0]
	} else {
		f.Geometry = orb.MultiPolygon(c.polys)
	}
	return f
}

// collector gathers the polygons of a Placemark.
type collector struct {
	max      int
	label    string
	vertices int
	polys    []orb.Polygon
	others   map[string]int
	rings    int // bare LinearRings read as polygons
	problem  string
}

func (c *collector) other(kind string, n int) {
	if n == 0 {
		return
	}
	if c.others == nil {
		c.others = map[string]int{}
	}
	c.others[kind] += n
}

// otherKind names a non-polygon geometry element in Chinese.
func otherKind(kind string) string {
	switch kind {
	case "Point":
		return "点（Point）"
	case "LineString":
		return "线（LineString）"
	case "Track":
		return "轨迹（gx:Track）"
	case "MultiTrack":
		return "多轨迹（gx:MultiTrack）"
	}
	return "三维模型（Model）"
}

func (c *collector) otherKinds() []string {
	var out []string
	for _, k := range []string{"点（Point）", "线（LineString）", "轨迹（gx:Track）", "多轨迹（gx:MultiTrack）", "三维模型（Model）"} {
		if n := c.others[k]; n > 0 {
			if n == 1 {
				out = append(out, k)
			} else {
				out = append(out, fmt.Sprintf("%d 个%s", n, k))
			}
		}
	}
	return out
}

// collect reads the polygons of gs into c, in order, recursing into
// MultiGeometries.
func (c *collector) collect(gs []geometry) {
	for i := range gs {
		if c.problem != "" {
			return
		}
		g := &gs[i]
		switch {
		case g.Polygon != nil:
			c.polygon(g.Polygon)
		case g.Ring != nil:
			shell, ok := c.ring(g.Ring.Coordinates, true)
			if ok {
				c.rings++
				c.polys = append(c.polys, orb.Polygon{shell})
			}
		case g.Kind == "MultiGeometry":
			c.collect(g.Children)
		default:
			c.other(otherKind(g.Kind), 1)
		}
	}
}

func (c *collector) polygon(p *polygon) {
	var shells []orb.Ring
	for _, b := range p.Outer {
		for _, rg := range b.Rings {
			s, ok := c.ring(rg.Coordinates, true)
			if !ok {
				return
			}
			shells = append(shells, s)
		}
	}
	if len(shells) == 0 {
		c.problem = c.label + "的多边形没有外边界（outerBoundaryIs）"
		return
	}
	poly := orb.Polygon{shells[0]}
	for _, b := range p.Inner {
		for _, rg := range b.Rings {
			h, ok := c.ring(rg.Coordinates, false)
			if !ok {
				return
			}
			poly = append(poly, h)
		}
	}
	c.polys = append(c.polys, poly)
	// Several outer boundaries in one Polygon are not KML; keep them as
	// further polygons rather than drop them.
	for _, s := range shells[1:] {
		c.polys = append(c.polys, orb.Polygon{s})
	}
}

// ring parses a <coordinates> text into a closed ring oriented
// counter-clockwise (shell) or clockwise.
func (c *collector) ring(text string, shell bool) (orb.Ring, bool) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		c.problem = c.label + "的多边形有一个没有坐标的环"
		return nil, false
	}
	if c.vertices+len(fields) > c.max {
		c.problem = fmt.Sprintf("%s的顶点超过 %d 个上限：请简化后再导入", c.label, c.max)
		return nil, false
	}
	c.vertices += len(fields)
	r := make(orb.Ring, 0, len(fields)+1)
	for _, tuple := range fields {
		parts := strings.Split(tuple, ",")
		if len(parts) < 2 || len(parts) > 3 {
			c.problem = fmt.Sprintf("%s的坐标「%s」格式不对：应为 经度,纬度[,高程]，各点之间用空格分隔", c.label, clip(tuple))
			return nil, false
		}
		lon, err1 := strconv.ParseFloat(parts[0], 64)
		lat, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil || math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
			c.problem = fmt.Sprintf("%s的坐标「%s」不是数字", c.label, clip(tuple))
			return nil, false
		}
		if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			c.problem = fmt.Sprintf("%s的坐标（%s, %s）超出经纬度范围：KML 的坐标须为 WGS 84 经纬度（经度在前）", c.label, clip(parts[0]), clip(parts[1]))
			return nil, false
		}
		r = append(r, orb.Point{lon, lat})
	}
	r, problem := geo.CloseRing(r)
	if problem != "" {
		c.problem = c.label + problem
		return nil, false
	}
	return geo.OrientRing(r, shell), true
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// plainText turns a KML description, often HTML, into plain text: tags
// removed (<br> and block ends as line breaks), entities decoded, blank lines
// and surrounding spaces dropped.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		tag := strings.ToLower(strings.TrimLeft(s[i+1:i+j], "/ "))
		for _, t := range []string{"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4"} {
			if tag == t || strings.HasPrefix(tag, t+" ") || strings.HasPrefix(tag, t+"/") {
				b.WriteByte('\n')
				break
			}
		}
		if strings.HasPrefix(tag, "td") || strings.HasPrefix(tag, "th") {
			b.WriteByte(' ')
		}
		s = s[i+j+1:]
	}
	text := html.UnescapeString(b.String())
	var lines []string
	for _, ln := range strings.Split(text, "\n") {
		if ln = strings.Join(strings.Fields(ln), " "); ln != "" {
			lines = append(lines, ln)
		}
	}
	return strings.Join(lines, "\n")
}
