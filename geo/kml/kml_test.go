package kml

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"

	"panhuo/geo"
)

type expectedArea struct {
	Code   string  `json:"宗地编号"`
	AreaM2 float64 `json:"area_m2"`
}

// sourceProps returns the properties of testdata/source.geojson by 宗地编号.
func sourceProps(t *testing.T) map[string]map[string]string {
	t.Helper()
	b, err := os.ReadFile("testdata/source.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]string `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, f := range fc.Features {
		out[f.Properties["宗地编号"]] = f.Properties
	}
	return out
}

func readExpected(t *testing.T) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var es []expectedArea
	if err := json.Unmarshal(b, &es); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, e := range es {
		out[e.Code] = e.AreaM2
	}
	if len(out) != 5 {
		t.Fatalf("expected.json: %d areas, want 5", len(out))
	}
	return out
}

// polygons is geo.Polygons without its ok, for ranging over.
func polygons(g orb.Geometry) []orb.Polygon {
	polys, _ := geo.Polygons(g)
	return polys
}

// checkRings asserts closed rings, shells counter-clockwise, holes clockwise.
func checkRings(t *testing.T, label string, g orb.Geometry) {
	t.Helper()
	for _, p := range polygons(g) {
		for i, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Errorf("%s: ring %d not closed or too short: %d points", label, i, len(r))
			}
			if ccw := geo.RingSignedArea(r) > 0; ccw != (i == 0) {
				t.Errorf("%s: ring %d counter-clockwise=%v", label, i, ccw)
			}
		}
	}
}

func TestReadGDALFixtures(t *testing.T) {
	want := readExpected(t)
	props := sourceProps(t)
	for _, tc := range []struct {
		file   string
		read   func([]byte, geo.Limits) (geo.Layer, error)
		format string
		folder string
	}{
		{"parcels.kml", Read, "kml", "source"},
		{"parcels.kmz", ReadKMZ, "kmz", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			layer, err := tc.read(data, geo.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if layer.Format != tc.format || layer.CRS.EPSG != 4326 || !layer.CRS.Geographic() || layer.Encoding != "UTF-8" {
				t.Errorf("layer: format %q CRS %+v encoding %q", layer.Format, layer.CRS, layer.Encoding)
			}
			if len(layer.Features) != 5 {
				t.Fatalf("%d features, want 5", len(layer.Features))
			}
			for i, f := range layer.Features {
				if f.Index != i+1 || f.Problem != "" || len(f.Warnings) != 0 {
					t.Errorf("feature %d: index %d problem %q warnings %q", i+1, f.Index, f.Problem, f.Warnings)
					continue
				}
				code, _ := f.Prop("宗地编号")
				src, ok := props[code]
				if !ok {
					t.Fatalf("feature %d: 宗地编号 %q not in source", i+1, code)
				}
				if f.Label != src["项目名称"] {
					t.Errorf("%s: label %q, want %q", code, f.Label, src["项目名称"])
				}
				wantProps := []geo.Property{
					{Name: "name", Value: src["项目名称"]},
					{Name: "宗地编号", Value: code},
					{Name: "用地单位", Value: src["用地单位"]},
					{Name: "类别", Value: src["类别"]},
				}
				if tc.folder != "" {
					wantProps = append(wantProps, geo.Property{Name: FolderProperty, Value: tc.folder})
				}
				if !equalProps(f.Properties, wantProps) {
					t.Errorf("%s: properties\n got %q\nwant %q", code, f.Properties, wantProps)
				}
				gotMu := geo.MuFromM2(geo.AreaM2(f.Geometry, 38))
				if wantMu := geo.MuFromM2(want[code]); math.Abs(gotMu-wantMu) > 0.0005 {
					t.Errorf("%s: area %.6f 亩, GDAL %.6f 亩", code, gotMu, wantMu)
				}
				checkRings(t, code, f.Geometry)
				switch code {
				case "ZZGX-2024-002":
					if p, ok := f.Geometry.(orb.Polygon); !ok || len(p) != 2 {
						t.Errorf("%s: want a polygon with a hole, got %T %v", code, f.Geometry, ringsOf(f.Geometry))
					}
				case "ZZGX-2024-003":
					if mp, ok := f.Geometry.(orb.MultiPolygon); !ok || len(mp) != 2 {
						t.Errorf("%s: want a MultiPolygon of 2, got %T %v", code, f.Geometry, ringsOf(f.Geometry))
					}
				default:
					if p, ok := f.Geometry.(orb.Polygon); !ok || len(p) != 1 {
						t.Errorf("%s: want a simple polygon, got %T %v", code, f.Geometry, ringsOf(f.Geometry))
					}
				}
			}
		})
	}
}

func ringsOf(g orb.Geometry) []int {
	var n []int
	for _, p := range polygons(g) {
		n = append(n, len(p))
	}
	return n
}

func equalProps(a, b []geo.Property) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const handKML = `<?xml version="1.0" encoding="UTF-8"?>
<k:kml xmlns:k="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<k:Document><k:name>株洲高新区</k:name>
 <k:Folder><k:name>园区</k:name>
  <k:Folder><k:name>闲置</k:name>
   <k:Placemark>
    <k:name> A-01 </k:name>
    <k:description><![CDATA[<table><tr><td>宗地编号</td><td>A-01</td></tr></table><p>面积&nbsp;12 亩</p>]]></k:description>
    <k:ExtendedData>
     <k:Data name="宗地编号"><k:value>A-01</k:value></k:Data>
     <k:SchemaData schemaUrl="#s"><k:SimpleData name="用地单位">株洲某公司</k:SimpleData></k:SchemaData>
     <k:Data name="电子监管号"><k:displayName>监管号</k:displayName><k:value>4302112024B00123</k:value></k:Data>
    </k:ExtendedData>
    <k:Polygon><k:outerBoundaryIs><k:LinearRing><k:coordinates>
      113.080,27.820,0	113.080,27.821,0
      113.081,27.821,0 113.081,27.820,0
    </k:coordinates></k:LinearRing></k:outerBoundaryIs></k:Polygon>
   </k:Placemark>
  </k:Folder>
  <k:Placemark>
   <k:name>B-02</k:name>
   <k:MultiGeometry>
    <k:Point><k:coordinates>113.09,27.82</k:coordinates></k:Point>
    <k:MultiGeometry>
     <k:Polygon><k:outerBoundaryIs><k:LinearRing><k:coordinates>113.090,27.820 113.091,27.820 113.091,27.821 113.090,27.821 113.090,27.820</k:coordinates></k:LinearRing></k:outerBoundaryIs>
      <k:innerBoundaryIs><k:LinearRing><k:coordinates>113.0902,27.8202 113.0904,27.8202 113.0904,27.8204 113.0902,27.8204</k:coordinates></k:LinearRing></k:innerBoundaryIs></k:Polygon>
    </k:MultiGeometry>
    <k:Polygon><k:outerBoundaryIs><k:LinearRing><k:coordinates>113.092,27.820 113.093,27.820 113.093,27.821</k:coordinates></k:LinearRing></k:outerBoundaryIs></k:Polygon>
   </k:MultiGeometry>
  </k:Placemark>
 </k:Folder>
 <k:Placemark><k:name>井位</k:name><k:Point><k:coordinates>113.1,27.8,0</k:coordinates></k:Point></k:Placemark>
 <k:Placemark><k:name>道路</k:name><gx:Track><gx:coord>113.1 27.8 0</gx:coord></gx:Track><k:LineString><k:coordinates>113.1,27.8 113.2,27.9</k:coordinates></k:LineString></k:Placemark>
 <k:Placemark><k:Polygon><k:outerBoundaryIs><k:LinearRing><k:coordinates>113.1,27.8 113.2,abc 113.2,27.9</k:coordinates></k:LinearRing></k:outerBoundaryIs></k:Polygon></k:Placemark>
 <k:Placemark><k:name>C-03</k:name><k:Polygon><k:outerBoundaryIs><k:LinearRing><k:coordinates>38409000,3078000 38409100,3078000 38409100,3078100</k:coordinates></k:LinearRing></k:outerBoundaryIs></k:Polygon></k:Placemark>
 <k:Placemark><k:name>D-04</k:name></k:Placemark>
</k:Document>
</k:kml>`

func TestReadHandWritten(t *testing.T) {
	layer, err := Read([]byte(handKML), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(layer.Features) != 7 {
		t.Fatalf("%d features, want 7", len(layer.Features))
	}
	fs := layer.Features

	a := fs[0]
	wantA := []geo.Property{
		{Name: "name", Value: "A-01"},
		{Name: "description", Value: "宗地编号 A-01\n面积 12 亩"},
		{Name: "宗地编号", Value: "A-01"},
		{Name: "用地单位", Value: "株洲某公司"},
		{Name: "电子监管号", Value: "4302112024B00123"},
		{Name: FolderProperty, Value: "园区/闲置"},
	}
	if a.Label != "A-01" || !equalProps(a.Properties, wantA) || a.Problem != "" {
		t.Errorf("A-01: label %q problem %q\n got %q\nwant %q", a.Label, a.Problem, a.Properties, wantA)
	}
	// Written clockwise and unclosed: reversed and closed.
	if p, ok := a.Geometry.(orb.Polygon); !ok || len(p) != 1 || len(p[0]) != 5 {
		t.Fatalf("A-01: %T %v", a.Geometry, a.Geometry)
	}
	checkRings(t, "A-01", a.Geometry)

	b := fs[1]
	mp, ok := b.Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 1 {
		t.Fatalf("B-02: %T %v", b.Geometry, ringsOf(b.Geometry))
	}
	checkRings(t, "B-02", b.Geometry)
	if v, _ := b.Prop(FolderProperty); v != "园区" {
		t.Errorf("B-02 folder %q", v)
	}
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0], "点（Point）") || !strings.Contains(b.Warnings[0], "只保留多边形") {
		t.Errorf("B-02 warnings %q", b.Warnings)
	}

	for i, want := range []string{
		"地标「井位」不是面：须为多边形",
		"地标「道路」不是面：须为多边形",
		"第 5 个地标的坐标「113.2,abc」不是数字",
		"地标「C-03」的坐标（38409000, 3078000）超出经纬度范围",
		"地标「D-04」没有几何图形",
	} {
		f := fs[i+2]
		if !strings.Contains(f.Problem, want) || f.Geometry != nil {
			t.Errorf("feature %d (%s): problem %q, want %q", f.Index, f.Label, f.Problem, want)
		}
	}
	if !strings.Contains(fs[3].Problem, "线（LineString）") {
		t.Errorf("道路: %q", fs[3].Problem)
	}
	if fs[4].Label != "第 5 个地标" {
		t.Errorf("unnamed label %q", fs[4].Label)
	}
}

func TestReadGBK(t *testing.T) {
	src := strings.Replace(handKML, `encoding="UTF-8"`, `encoding="GB2312"`, 1)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	layer, err := Read([]byte(gbk), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if layer.Encoding != "GBK" {
		t.Errorf("encoding %q", layer.Encoding)
	}
	if v, _ := layer.Features[0].Prop("用地单位"); v != "株洲某公司" {
		t.Errorf("用地单位 %q", v)
	}
	if v, _ := layer.Features[0].Prop(FolderProperty); v != "园区/闲置" {
		t.Errorf("文件夹 %q", v)
	}

	// No declaration and not UTF-8: read as GBK with a warning.
	noDecl := gbk[strings.Index(gbk, "?>")+2:]
	layer, err = Read([]byte(noDecl), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if layer.Encoding != "GBK" || len(layer.Warnings) != 1 || !strings.Contains(layer.Warnings[0], "GBK") {
		t.Errorf("encoding %q warnings %q", layer.Encoding, layer.Warnings)
	}
	if layer.Features[1].Label != "B-02" {
		t.Errorf("label %q", layer.Features[1].Label)
	}
}

func kmz(t *testing.T, files map[string]string, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"doc.kml", "layers/a.kml", "other.kml", "images/x.png"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const onePlacemark = `<kml><Placemark><name>P</name><Polygon><outerBoundaryIs><LinearRing><coordinates>113,27 113.001,27 113.001,27.001</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>`

func TestReadKMZMainDocument(t *testing.T) {
	// doc.kml wins over another root .kml; links to the web are not followed.
	data := kmz(t, map[string]string{
		"other.kml": strings.Replace(onePlacemark, "<name>P", "<name>other", 1),
		"doc.kml":   strings.Replace(onePlacemark, "</kml>", `<NetworkLink><Link><href>http://example.com/x.kml</href></Link></NetworkLink></kml>`, 1),
	}, zip.Deflate)
	layer, err := ReadKMZ(data, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(layer.Features) != 1 || layer.Features[0].Label != "P" || layer.Format != "kmz" {
		t.Errorf("features %+v", layer.Features)
	}
	// Without doc.kml: the first root .kml.
	data = kmz(t, map[string]string{"layers/a.kml": onePlacemark, "other.kml": strings.Replace(onePlacemark, "<name>P", "<name>other", 1)}, zip.Store)
	layer, err = ReadKMZ(data, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(layer.Features) != 1 || layer.Features[0].Label != "other" {
		t.Errorf("features %+v", layer.Features)
	}
}

func TestReadErrors(t *testing.T) {
	fixture, err := os.ReadFile("testdata/parcels.kml")
	if err != nil {
		t.Fatal(err)
	}
	points := `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>一号井</name><Point><coordinates>113.08,27.82,0</coordinates></Point></Placemark>
<Placemark><name>二号井</name><Point><coordinates>113.09,27.82,0</coordinates></Point></Placemark>
</Document></kml>`
	bomb := kmz(t, map[string]string{"doc.kml": onePlacemark + strings.Repeat(" ", 1<<20)}, zip.Deflate)
	for _, tc := range []struct {
		name   string
		data   []byte
		kmz    bool
		limits geo.Limits
		format string
		where  string
		reason string
	}{
		{name: "empty", data: []byte(" \n"), format: "KML", reason: "文件为空"},
		{name: "not xml", data: []byte("宗地编号,面积\nA-01,12\n"), format: "KML", reason: "不是 KML 文件"},
		{name: "html", data: []byte("<html><body><p>hello</p></body></html>"), format: "KML", reason: "根元素为 <html>，应为 <kml>"},
		{name: "bad xml", data: []byte("<kml>\n<Placemark>\n<name>a</nme>\n</Placemark></kml>"), format: "KML", where: "第 3 行", reason: "XML 格式错误"},
		{name: "truncated", data: fixture[:len(fixture)/2], format: "KML", reason: "文件不完整"},
		{name: "no placemark", data: []byte(`<kml><Document><name>空</name></Document></kml>`), format: "KML", reason: "没有地标（Placemark）"},
		{name: "too many", data: []byte(points), limits: geo.Limits{MaxFeatures: 1}, format: "KML", where: "第 3 行", reason: "超过 1 个上限"},
		{name: "charset", data: []byte(`<?xml version="1.0" encoding="x-klingon"?><kml/>`), format: "KML", reason: "不支持的字符编码"},
		{name: "kmz not zip", data: fixture, kmz: true, format: "KMZ", reason: "不是有效的 zip 压缩包"},
		{name: "kmz without kml", data: kmz(t, map[string]string{"images/x.png": "png"}, zip.Store), kmz: true, format: "KMZ", reason: "没有 .kml 文件"},
		{name: "kmz bomb", data: bomb, kmz: true, limits: geo.Limits{MaxUncompressedBytes: 64 << 10}, format: "KMZ", reason: "压缩炸弹"},
		{name: "kmz bad xml", data: kmz(t, map[string]string{"doc.kml": "<kml>\n<Placemark>"}, zip.Deflate), kmz: true, format: "KMZ", where: "doc.kml 第 2 行", reason: "文件不完整"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := Read
			if tc.kmz {
				read = ReadKMZ
			}
			layer, err := read(tc.data, tc.limits)
			var fe *geo.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v (%T), layer %+v", err, err, layer)
			}
			if fe.Format != tc.format || (tc.where != "" && fe.Where != tc.where) || !strings.Contains(fe.Reason, tc.reason) {
				t.Errorf("got %+v, want format %q where %q reason containing %q", fe, tc.format, tc.where, tc.reason)
			}
			if len(layer.Features) != 0 {
				t.Errorf("features returned with an error")
			}
		})
	}

	// Only points: the file reads, every feature has a Problem.
	layer, err := Read([]byte(points), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range layer.Features {
		if !strings.Contains(f.Problem, "不是面：须为多边形") || f.Geometry != nil {
			t.Errorf("%s: %q", f.Label, f.Problem)
		}
	}

	// Vertex limit: a Problem, not a file error.
	layer, err = Read(fixture, geo.Limits{MaxVerticesPerFeature: 12})
	if err != nil {
		t.Fatal(err)
	}
	var over int
	for _, f := range layer.Features {
		if strings.Contains(f.Problem, "顶点超过 12 个上限") {
			over++
		}
	}
	// Closing points count: 13, 17+9, 11+15, 31 and 9 vertices.
	if over != 4 {
		t.Errorf("%d features over the vertex limit, want 4", over)
	}
}
