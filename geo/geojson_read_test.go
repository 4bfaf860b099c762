package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The fixtures of testdata/geojson are written by ogr2ogr from
// geo/kml/testdata/source.geojson (see geo/kml/testdata/gen.sh); expected.json
// holds the areas GDAL/SpatiaLite computes on the zone-38 plane (EPSG:4547).

func readGeoJSONExpected(t *testing.T) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile("testdata/geojson/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var es []struct {
		Code   string  `json:"宗地编号"`
		AreaM2 float64 `json:"area_m2"`
	}
	if err := json.Unmarshal(b, &es); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, e := range es {
		out[e.Code] = e.AreaM2
	}
	return out
}

// ringIsCCW reports the orientation of a lon/lat ring.
func ringIsCCW(r orb.Ring) bool { return RingSignedArea(r) > 0 }

func TestReadGeoJSONGDALFixtures(t *testing.T) {
	want := readGeoJSONExpected(t)
	fixtureAttrs := map[string][3]string{ // 宗地编号 → 项目名称, 用地单位, 类别
		"ZZGX-2024-001": {"株洲高新区闲置地块一", "株洲天易科技有限公司", "闲置"},
		"ZZGX-2024-002": {"株洲高新区低效地块二（含保留用地）", "湖南栗雨机械制造有限公司", "低效"},
		"ZZGX-2024-003": {"株洲高新区批而未供地块三", "株洲高新区管委会", "批而未供"},
		"ZZGX-2024-004": {"株洲高新区闲置地块四", `株洲"华强"新材料有限公司`, "闲置"},
		"ZZGX-2024-005": {"株洲高新区低效地块五", "醴陵市陶瓷&电瓷有限公司", "低效"},
	}
	if len(want) != 5 {
		t.Fatalf("expected.json: %d areas", len(want))
	}
	for _, tc := range []struct {
		file   string
		epsg   int
		zone   Zone
		prefix bool
	}{
		{"parcels_4326.geojson", 4326, 0, false},
		{"parcels_4526.geojson", 4526, 38, true},
		{"parcels_4547.geojson", 4547, 38, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "geojson", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			layer, err := ReadGeoJSON(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if layer.Format != "geojson" || layer.Encoding != "UTF-8" || len(layer.Warnings) != 0 {
				t.Errorf("layer %q %q warnings %q", layer.Format, layer.Encoding, layer.Warnings)
			}
			if layer.CRS.EPSG != tc.epsg || layer.CRS.Zone != tc.zone || layer.CRS.Prefixed != tc.prefix {
				t.Errorf("CRS %+v", layer.CRS)
			}
			if len(layer.Features) != 5 {
				t.Fatalf("%d features", len(layer.Features))
			}
			for i, f := range layer.Features {
				code, _ := f.Prop("宗地编号")
				a, ok := fixtureAttrs[code]
				if !ok || f.Label != code || f.Index != i+1 || f.Problem != "" || len(f.Warnings) != 0 {
					t.Fatalf("feature %d: label %q code %q problem %q warnings %q", i+1, f.Label, code, f.Problem, f.Warnings)
				}
				wantProps := []Property{{"宗地编号", code}, {"项目名称", a[0]}, {"用地单位", a[1]}, {"类别", a[2]}}
				if fmt.Sprint(f.Properties) != fmt.Sprint(wantProps) {
					t.Errorf("%s: properties %q, want %q", code, f.Properties, wantProps)
				}
				area := AreaM2(f.Geometry, 38)
				if tc.zone != 0 {
					if f.Zone != 38 {
						t.Errorf("%s: zone %d", code, f.Zone)
					}
					area = f.PlanarAreaM2
					// The lon/lat geometry agrees with the plane area too.
					if d := math.Abs(AreaM2(f.Geometry, 38) - f.PlanarAreaM2); d > 0.01 {
						t.Errorf("%s: lon/lat area differs from the plane area by %.4f m²", code, d)
					}
				} else if f.Zone != 0 || f.PlanarAreaM2 != 0 {
					t.Errorf("%s: zone %d planar area %v for lon/lat", code, f.Zone, f.PlanarAreaM2)
				}
				if d := MuFromM2(math.Abs(area - want[code])); d > 0.0005 {
					t.Errorf("%s: area %.4f m², GDAL %.4f m² (%.6f 亩 apart)", code, area, want[code], d)
				}
				for _, p := range asPolygons(f.Geometry) {
					for j, r := range p {
						if r[0] != r[len(r)-1] || ringIsCCW(r) != (j == 0) {
							t.Errorf("%s: ring %d closed %v ccw %v", code, j, r[0] == r[len(r)-1], ringIsCCW(r))
						}
					}
				}
				switch g := f.Geometry.(type) {
				case orb.Polygon:
					if code == "ZZGX-2024-003" || (code == "ZZGX-2024-002") != (len(g) == 2) {
						t.Errorf("%s: polygon of %d rings", code, len(g))
					}
				case orb.MultiPolygon:
					if code != "ZZGX-2024-003" || len(g) != 2 {
						t.Errorf("%s: MultiPolygon of %d", code, len(g))
					}
				default:
					t.Errorf("%s: %T", code, g)
				}
			}
		})
	}
}

func TestReadGeoJSONForms(t *testing.T) {
	ring := `[[113.08,27.82],[113.081,27.82],[113.081,27.821],[113.08,27.821]]` // unclosed, counter-clockwise
	cw := `[[113.08,27.82],[113.08,27.821],[113.081,27.821],[113.081,27.82],[113.08,27.82]]`
	for _, tc := range []struct {
		name, doc string
		epsg      int
		check     func(t *testing.T, l Layer)
	}{
		{"bare polygon", `{"type":"Polygon","coordinates":[` + cw + `]}`, 4326, func(t *testing.T, l Layer) {
			f := l.Features[0]
			p, ok := f.Geometry.(orb.Polygon)
			if !ok || !ringIsCCW(p[0]) || f.Label != "第 1 个要素" || len(f.Properties) != 0 {
				t.Errorf("%+v", f)
			}
		}},
		{"bare multipolygon", `{"type":"MultiPolygon","coordinates":[[` + ring + `]]}`, 4326, func(t *testing.T, l Layer) {
			if mp, ok := l.Features[0].Geometry.(orb.MultiPolygon); !ok || len(mp) != 1 || len(mp[0][0]) != 5 {
				t.Errorf("%#v", l.Features[0].Geometry)
			}
		}},
		{"single feature with crs 4490", `{"type":"Feature","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"properties":{"name":"甲","code":"C-1"},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`, 4490, func(t *testing.T, l Layer) {
			if l.Features[0].Label != "C-1" {
				t.Errorf("label %q", l.Features[0].Label)
			}
		}},
		{"CRS84", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}]}`, 4326, nil},
		{"EPSG:4526 short name", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4526"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[38409000,3078000],[38409100,3078000],[38409100,3078100],[38409000,3078100]]]}}]}`, 4526, func(t *testing.T, l Layer) {
			f := l.Features[0]
			if f.Zone != 38 || math.Abs(f.PlanarAreaM2-10000) > 1e-6 || f.Problem != "" {
				t.Errorf("zone %d area %v problem %q", f.Zone, f.PlanarAreaM2, f.Problem)
			}
		}},
		{"prefixed eastings without crs", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"地块编号":"D-9"},"geometry":{"type":"Polygon","coordinates":[[[38409000,3078000],[38409100,3078000],[38409100,3078050],[38409000,3078050],[38409000,3078000]]]}}]}`, 4526, func(t *testing.T, l Layer) {
			f := l.Features[0]
			if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "没有 crs 成员") || f.Label != "D-9" || math.Abs(f.PlanarAreaM2-5000) > 1e-6 {
				t.Errorf("warnings %q feature %+v", l.Warnings, f)
			}
		}},
		{"properties", `{"type":"Feature","properties":{"电子监管号":4302112024000123456,"面积":12.50,"比例":1e-3,"大数":1.5e300,"闲置":true,"备注":null,"土地":{"b":1, "a":[1, 2]},"宗地编号":"  ","名称":"株洲"},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`, 4326, func(t *testing.T, l Layer) {
			want := []Property{{"电子监管号", "4302112024000123456"}, {"面积", "12.5"}, {"比例", "0.001"},
				{"大数", "15" + strings.Repeat("0", 299)}, {"闲置", "true"}, {"备注", ""}, {"土地", `{"b":1,"a":[1,2]}`}, {"宗地编号", "  "}, {"名称", "株洲"}}
			if fmt.Sprint(l.Features[0].Properties) != fmt.Sprint(want) {
				t.Errorf("got  %q\nwant %q", l.Features[0].Properties, want)
			}
			if l.Features[0].Label != "第 1 个要素" {
				t.Errorf("label %q", l.Features[0].Label)
			}
		}},
		{"feature problems", `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"点"},"geometry":{"type":"Point","coordinates":[113,27]}},
{"type":"Feature","properties":{"name":"空"},"geometry":null},
{"type":"Feature","properties":{"name":"坏"},"geometry":{"type":"Polygon","coordinates":[[[113,null],[113.1,27],[113.1,27.1]]]}},
{"type":"Feature","properties":{"name":"远"},"geometry":{"type":"Polygon","coordinates":[[[113,27],[213,27],[113.1,27.1]]]}},
{"type":"Feature","properties":{"name":"短"},"geometry":{"type":"Polygon","coordinates":[[[113,27],[113.1,27]]]}},
{"type":"Feature","properties":{"name":"混"},"geometry":{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[113,27],[113.1,27]]},{"type":"Polygon","coordinates":[` + ring + `]}]}},
{"type":"Feature","properties":{"name":"多"},"geometry":{"type":"Polygon","coordinates":[[[113,27],[113.1,27],[113.1,27.1],[113,27.1],[113,27]]]}}
]}`, 4326, func(t *testing.T, l Layer) {
			for i, want := range []string{
				"要素「点」不是面：须为多边形", "要素「空」没有几何图形", "要素「坏」的坐标 [113, null] 不是数字",
				"要素「远」的坐标（213, 27）超出经纬度范围", "要素「短」的多边形有一个只有 2 个点的环",
			} {
				if f := l.Features[i]; !strings.Contains(f.Problem, want) || f.Geometry != nil {
					t.Errorf("feature %d: problem %q, want %q", i+1, f.Problem, want)
				}
			}
			if f := l.Features[5]; f.Problem != "" || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "只保留多边形") {
				t.Errorf("混: %q %q", f.Problem, f.Warnings)
			} else if _, ok := f.Geometry.(orb.Polygon); !ok {
				t.Errorf("混: %T", f.Geometry)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ReadGeoJSON([]byte(tc.doc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if l.CRS.EPSG != tc.epsg {
				t.Errorf("CRS %+v, want EPSG:%d", l.CRS, tc.epsg)
			}
			if tc.check != nil {
				tc.check(t, l)
			}
		})
	}

	// The vertex limit gives a Problem.
	l, err := ReadGeoJSON([]byte(`{"type":"Polygon","coordinates":[`+ring+`]}`), Limits{MaxVerticesPerFeature: 3})
	if err != nil || !strings.Contains(l.Features[0].Problem, "顶点超过 3 个上限") {
		t.Errorf("vertex limit: %v %+v", err, l.Features)
	}
}

func TestReadGeoJSONGBK(t *testing.T) {
	doc := `{"type":"Feature","properties":{"宗地编号":"株-1","用地单位":"株洲某公司"},"geometry":{"type":"Polygon","coordinates":[[[113.08,27.82],[113.081,27.82],[113.081,27.821],[113.08,27.82]]]}}`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ReadGeoJSON([]byte(gbk), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Encoding != "GBK" || len(l.Warnings) != 1 || l.Features[0].Label != "株-1" {
		t.Errorf("%q %q %q", l.Encoding, l.Warnings, l.Features[0].Label)
	}
}

func TestReadGeoJSONErrors(t *testing.T) {
	poly := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113,27],[113.1,27],[113.1,27.1],[113,27]]]}}`
	for _, tc := range []struct {
		name, doc string
		limits    Limits
		where     string
		reason    string
	}{
		{name: "empty", doc: "\xef\xbb\xbf  \n", reason: "文件为空"},
		{name: "invalid json", doc: "{\n\"type\": \"FeatureCollection\",\n\"features\": [,]\n}", where: "第 3 行", reason: "不是有效的 JSON"},
		{name: "truncated", doc: "{\n\"type\": \"FeatureCollection\",\n\"features\": [" + poly, where: "第 3 行", reason: "文件不完整"},
		{name: "array", doc: `[1, 2]`, reason: "应为一个 JSON 对象"},
		{name: "no type", doc: `{"features": []}`, reason: "缺少 type 成员"},
		{name: "other type", doc: `{"type": "Topology"}`, reason: `type 为 "Topology"`},
		{name: "no features", doc: `{"type": "FeatureCollection", "features": []}`, reason: "没有要素"},
		{name: "not a feature", doc: `{"type": "FeatureCollection", "features": [` + poly + `, {"type": "Polygon"}]}`, where: "第 2 个要素", reason: "不是 GeoJSON 要素"},
		{name: "too many", doc: `{"type": "FeatureCollection", "features": [` + poly + `,` + poly + `,` + poly + `]}`, limits: Limits{MaxFeatures: 2}, reason: "文件有 3 个要素，超过 2 个上限"},
		{name: "web mercator", doc: `{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}, "features": [` + poly + `]}`,
			reason: "不支持的坐标系 EPSG:3857：请转换为 CGCS2000（EPSG:4490）或其高斯-克吕格投影"},
		{name: "unknown crs name", doc: `{"type": "Feature", "crs": {"type": "name", "properties": {"name": "Xian 1980"}}, "properties": {}, "geometry": null}`, reason: "不支持的坐标系 Xian 1980"},
		{name: "linked crs", doc: `{"type": "Feature", "crs": {"type": "link", "properties": {"href": "http://example.com/crs"}}, "properties": {}, "geometry": null}`, reason: "不支持的坐标系 http://example.com/crs"},
		{name: "projected without crs", doc: `{"type": "Polygon", "coordinates": [[[409000, 3078000], [409100, 3078000], [409100, 3078100], [409000, 3078000]]]}`,
			reason: "GeoJSON 没有 crs 成员时坐标须为经纬度"},
		{name: "web mercator without crs", doc: `{"type": "Polygon", "coordinates": [[[12588000, 3225000], [12588100, 3225000], [12588100, 3225100], [12588000, 3225000]]]}`,
			reason: "Web 墨卡托"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ReadGeoJSON([]byte(tc.doc), tc.limits)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v (%T), layer %+v", err, err, l)
			}
			if fe.Format != "GeoJSON" || fe.Where != tc.where || !strings.Contains(fe.Reason, tc.reason) {
				t.Errorf("got %+v\nwant where %q reason containing %q", fe, tc.where, tc.reason)
			}
			if len(l.Features) != 0 {
				t.Error("features returned with an error")
			}
		})
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "geojson", "*.geojson"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"GeometryCollection","geometries":[{"type":"Polygon","coordinates":[[[38409000,3078000],[38409100,3078000],[38409100,3078100]]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadGeoJSON(data, Limits{MaxFeatures: 20, MaxVerticesPerFeature: 200})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || len(l.Features) != 0 {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		for _, ft := range l.Features {
			if (ft.Problem == "") == (ft.Geometry == nil) {
				t.Fatalf("feature %d: problem %q geometry %v", ft.Index, ft.Problem, ft.Geometry)
			}
			if p, bad := outOfLonLat(ft.Geometry); bad {
				t.Fatalf("feature %d: point %v", ft.Index, p)
			}
		}
	})
}
