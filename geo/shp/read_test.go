package shp

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// expectedFile is one file of testdata/expected.json (areas by GDAL/PROJ).
type expectedFile struct {
	File     string `json:"file"`
	EPSG     int    `json:"epsg"`
	Encoding string `json:"encoding"`
	Features []struct {
		Index  int     `json:"index"`
		AreaM2 float64 `json:"area_m2"`
	} `json:"features"`
}

func expected(t *testing.T) []expectedFile {
	t.Helper()
	var e struct {
		Files []expectedFile `json:"files"`
	}
	if err := json.Unmarshal(readFile(t, "testdata/expected.json"), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Files) != len(fixtures()) {
		t.Fatalf("expected.json has %d files, want %d", len(e.Files), len(fixtures()))
	}
	return e.Files
}

// dbfName is a field name as a writer with a 10-byte limit stores it: cut
// before the character that would pass 10 bytes of the encoding.
func dbfName(name, encoding string) string {
	n, out := 0, ""
	for _, r := range name {
		size := len(string(r))
		if encoding != "UTF-8" && r >= 0x80 {
			size = 2
		}
		if n+size > 10 {
			break
		}
		n += size
		out += string(r)
	}
	return out
}

const m2PerMu = 10000.0 / 15

func TestReadGDALFixtures(t *testing.T) {
	src := source(t)
	for _, want := range expected(t) {
		t.Run(want.File, func(t *testing.T) {
			layer, err := Read(readFile(t, "testdata/"+want.File), geo.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if layer.Format != "shapefile" {
				t.Errorf("Format = %q", layer.Format)
			}
			if layer.Encoding != want.Encoding {
				t.Errorf("Encoding = %q, want %q", layer.Encoding, want.Encoding)
			}
			if len(layer.Warnings) != 0 {
				t.Errorf("warnings %q", layer.Warnings)
			}
			// The CRS: EPSG code, and zone 38 for the projected ones.
			wantEPSG := want.EPSG
			if wantEPSG == 0 { // the user-defined ArcGIS CRS is EPSG:4547 by its parameters
				wantEPSG = 4547
			}
			if layer.CRS.EPSG != wantEPSG {
				t.Errorf("CRS = %+v, want EPSG:%d", layer.CRS, wantEPSG)
			}
			projected := wantEPSG != 4490
			if projected && (layer.CRS.Zone != 38 || layer.CRS.Prefixed != (wantEPSG == 4526)) {
				t.Errorf("CRS = %+v, want zone 38 prefixed=%v", layer.CRS, wantEPSG == 4526)
			}
			if want.File == "arcgis_custom_prj.zip" && layer.CRS.Name != "CGCS_2000_114" {
				t.Errorf("CRS name = %q, want the .prj's", layer.CRS.Name)
			}
			if len(layer.Features) != len(src) || len(want.Features) != len(src) {
				t.Fatalf("%d features, expected.json %d, want %d", len(layer.Features), len(want.Features), len(src))
			}
			for i, f := range layer.Features {
				where := fmt.Sprintf("feature %d", i+1)
				if f.Index != i+1 || f.Problem != "" || len(f.Warnings) != 0 {
					t.Errorf("%s: index %d, problem %q, warnings %q", where, f.Index, f.Problem, f.Warnings)
					continue
				}
				// Attributes: every field, Chinese intact.
				props := propsMap(f)
				if len(f.Properties) != len(src[i].Properties) {
					t.Errorf("%s: %d properties %v, want %d", where, len(f.Properties), sortedKeys(props), len(src[i].Properties))
				}
				for name, v := range src[i].Properties {
					wantV := ""
					switch v := v.(type) {
					case string:
						wantV = v
					case float64:
						wantV = strconv.FormatFloat(v, 'f', -1, 64)
					}
					got, ok := props[dbfName(name, want.Encoding)]
					if !ok || got != wantV {
						t.Errorf("%s: %s (%s) = %q (present %v), want %q", where, name, dbfName(name, want.Encoding), got, ok, wantV)
					}
				}
				if code := src[i].Properties["宗地编号"]; f.Label != code {
					t.Errorf("%s: Label = %q, want %q", where, f.Label, code)
				}
				// Geometry: the source's vertices (1e-8° ≈ 1 mm), shells
				// counter-clockwise, one Polygon unless several shells.
				polys := polygonsOf(t, f.Geometry)
				samePolygons(t, where, polys, src[i].polygons(t), 1e-8)
				checkOrientation(t, where, polys)
				if _, multi := f.Geometry.(orb.MultiPolygon); multi != (len(polys) > 1) {
					t.Errorf("%s: %T with %d polygons", where, f.Geometry, len(polys))
				}
				// Area: GDAL's, within 0.0005 亩.
				got := geo.AreaM2(f.Geometry, 38)
				if projected {
					if f.Zone != 38 {
						t.Errorf("%s: Zone = %d, want 38", where, f.Zone)
					}
					got = f.PlanarAreaM2
				} else if f.Zone != 0 || f.PlanarAreaM2 != 0 {
					t.Errorf("%s: geographic file with Zone %d, PlanarAreaM2 %g", where, f.Zone, f.PlanarAreaM2)
				}
				if d := math.Abs(got-want.Features[i].AreaM2) / m2PerMu; d > 0.0005 {
					t.Errorf("%s: area %.4f m², GDAL %.4f m² (%.5f 亩 apart)", where, got, want.Features[i].AreaM2, d)
				}
			}
			// The hole and the MultiPolygon.
			if p, ok := layer.Features[1].Geometry.(orb.Polygon); !ok || len(p) != 2 {
				t.Errorf("ZZ-2023-002: %T, want a Polygon with a hole", layer.Features[1].Geometry)
			}
			if mp, ok := layer.Features[2].Geometry.(orb.MultiPolygon); !ok || len(mp) != 2 {
				t.Errorf("ZZ-2023-003: %T, want a MultiPolygon of 2", layer.Features[2].Geometry)
			}
		})
	}
}

func TestReadBadFiles(t *testing.T) {
	good := unzip(t, readFile(t, "testdata/cgcs2000_gbk.zip"))
	shpData, shxData, dbfData := ext(good, ".shp"), ext(good, ".shx"), ext(good, ".dbf")
	prj := func(name string) []byte { return readFile(t, "testdata/prj/"+name) }

	// A point in a geographic file moved to a projected easting.
	oneProjected := append([]byte(nil), shpData...)
	off := 2 * int(binary.BigEndian.Uint32(shxData[100:104]))
	numParts := int(binary.LittleEndian.Uint32(oneProjected[off+8+36:]))
	binary.LittleEndian.PutUint64(oneProjected[off+8+44+4*numParts:], math.Float64bits(38409354.9))

	two := append(append([]entry(nil), good...), entry{"other.shp", shpData}, entry{"other.shx", shxData}, entry{"other.dbf", dbfData})

	for _, tc := range []struct {
		name   string
		data   []byte
		limits geo.Limits
		want   string
	}{
		{"not a zip", []byte("PK\x03\x04 this is not a zip"), geo.Limits{}, "不是有效的 zip"},
		{"empty zip", zipOf(t, nil), geo.Limits{}, "压缩包是空的"},
		{"no shp", zipOf(t, replace(good, ".shp", nil)), geo.Limits{}, "没有 .shp"},
		{"two shp", zipOf(t, two), geo.Limits{}, "other.shp"},
		{"missing prj", zipOf(t, replace(good, ".prj", nil)), geo.Limits{}, "缺少 .prj 文件：无法确定坐标系"},
		{"missing dbf", zipOf(t, replace(good, ".dbf", nil)), geo.Limits{}, "缺少 .dbf"},
		{"missing shx", zipOf(t, replace(good, ".shx", nil)), geo.Limits{}, "缺少 .shx"},
		{"Xian 1980", zipOf(t, replace(good, ".prj", prj("esri_2383.prj"))), geo.Limits{}, "西安 1980"},
		{"Beijing 1954", zipOf(t, replace(good, ".prj", prj("esri_2435.prj"))), geo.Limits{}, "北京 1954"},
		{"UTM", zipOf(t, replace(good, ".prj", prj("wkt1_32649.prj"))), geo.Limits{}, "UTM"},
		{"garbage prj", zipOf(t, replace(good, ".prj", []byte("hello"))), geo.Limits{}, "无法解析 .prj"},
		{"points", readFile(t, "testdata/bad/points.zip"), geo.Limits{}, "几何类型为点（Point），须为面（Polygon）"},
		{"lines", readFile(t, "testdata/bad/lines.zip"), geo.Limits{}, "几何类型为线（PolyLine），须为面（Polygon）"},
		{"truncated shp", zipOf(t, replace(good, ".shp", shpData[:len(shpData)/2])), geo.Limits{}, "超出 .shp 文件末尾"},
		{"shp without header", zipOf(t, replace(good, ".shp", shpData[:60])), geo.Limits{}, "不足文件头"},
		{"truncated shx", zipOf(t, replace(good, ".shx", shxData[:len(shxData)-3])), geo.Limits{}, "索引文件长度"},
		{"truncated dbf", zipOf(t, replace(good, ".dbf", dbfData[:len(dbfData)/2])), geo.Limits{}, "属性表声明 5 条记录"},
		{"not a shp", zipOf(t, replace(good, ".shp", dbfData)), geo.Limits{}, "不是 Shapefile"},
		{"dbf of another layer", zipOf(t, replace(good, ".dbf", ext(unzip(t, readFile(t, "testdata/bad/points.zip")), ".dbf"))), geo.Limits{}, ""},
		{"too many features", readFile(t, "testdata/cgcs2000_gbk.zip"), geo.Limits{MaxFeatures: 3}, "文件有 5 个要素，超过上限 3 个"},
		{"projected numbers in a geographic file", zipOf(t, replace(readFile2(t, "testdata/gk114e_utf8.zip"), ".prj", prj("esri_4490.prj"))), geo.Limits{}, "不是经纬度"},
		{"geographic numbers in a GK file", zipOf(t, replace(good, ".prj", prj("esri_4547.prj"))), geo.Limits{}, "横坐标"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layer, err := Read(tc.data, tc.limits)
			if tc.name == "dbf of another layer" { // same record count: readable, other attributes
				if err != nil || len(layer.Features) != 5 || layer.Features[0].Label != "ZZ-2023-001" {
					t.Fatalf("Read = %d features, %v", len(layer.Features), err)
				}
				return
			}
			wantFileError(t, err, tc.want)
		})
	}

	t.Run("one feature with projected numbers", func(t *testing.T) {
		layer, err := Read(zipOf(t, replace(good, ".shp", oneProjected)), geo.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range layer.Features {
			if (f.Problem != "") != (i == 0) || (f.Geometry == nil) != (i == 0) {
				t.Errorf("feature %d: problem %q, geometry %T", i+1, f.Problem, f.Geometry)
			}
		}
		if p := layer.Features[0].Problem; !strings.Contains(p, "不是经纬度") || !strings.Contains(p, "38409354.900") {
			t.Errorf("problem = %q", p)
		}
	})

	t.Run("vertex limit", func(t *testing.T) {
		layer, err := Read(readFile(t, "testdata/cgcs2000_gbk.zip"), geo.Limits{MaxVerticesPerFeature: 12})
		if err != nil {
			t.Fatal(err)
		}
		// 9, 22 (hole), 21 (two parts), 25, 11 vertices.
		for i, wantProblem := range []bool{false, true, true, true, false} {
			f := layer.Features[i]
			if (f.Problem != "") != wantProblem {
				t.Errorf("feature %d: problem %q, want one: %v", i+1, f.Problem, wantProblem)
			}
		}
		if p := layer.Features[3].Problem; p != "面有 25 个坐标点，超过上限 12 个" {
			t.Errorf("problem = %q", p)
		}
	})

	t.Run("zip bomb", func(t *testing.T) {
		// 64 MB of zeros deflate to about 64 KB.
		bomb := zipOf(t, replace(good, ".shp", make([]byte, 64<<20)))
		if len(bomb) > 1<<20 {
			t.Fatalf("bomb is %d bytes", len(bomb))
		}
		_, err := Read(bomb, geo.Limits{MaxUncompressedBytes: 16 << 20})
		wantFileError(t, err, "压缩炸弹")
	})

	t.Run("zip bomb with a lying header", func(t *testing.T) {
		// The .shp declares 1 KB and inflates to 64 MB: archive/zip stops
		// at the declared size.
		_, err := Read(lyingZip(t, good, 64<<20), geo.Limits{})
		wantFileError(t, err, "无法解压")
	})
}

// readFile2 is unzip(readFile(name)).
func readFile2(t *testing.T, name string) []entry { return unzip(t, readFile(t, name)) }

func TestReadRepairsRingsAndNulls(t *testing.T) {
	// Rings written against the specification: the hole first and clockwise,
	// the shell counter-clockwise, an island inside the hole, a second shell;
	// then a null shape.
	sq := func(x0, y0, s float64, ccw bool) orb.Ring {
		r := orb.Ring{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}
		return geo.OrientRing(r, ccw)
	}
	rings := []orb.Ring{
		sq(113.001, 27.801, 0.002, false),  // hole of the shell below
		sq(113.000, 27.800, 0.010, true),   // shell
		sq(113.0015, 27.8015, 0.001, true), // island in the hole
		sq(113.020, 27.800, 0.005, false),  // second shell
	}
	var shp, shx []byte
	{
		shpData, shxData, err := writeShapes([]Record{{Geometry: orb.Polygon{sq(113, 27.8, 0.01, true)}}, {}}, geo.CRS{})
		if err != nil {
			t.Fatal(err)
		}
		// Replace record 1 by the raw rings, keeping their order and orientation.
		content := shapeContent(rings)
		rec := binary.BigEndian.AppendUint32(nil, 1)
		rec = binary.BigEndian.AppendUint32(rec, uint32(len(content)/2))
		rec = append(rec, content...)
		null := shpData[100+8+binary.BigEndian.Uint32(shxData[104:108])*2:]
		shp = append(append(append([]byte(nil), shpData[:100]...), rec...), null...)
		shx = append([]byte(nil), shxData...)
		binary.BigEndian.PutUint32(shx[104:], uint32(len(content)/2))
		binary.BigEndian.PutUint32(shx[108:], uint32((100+len(rec))/2))
		binary.BigEndian.PutUint32(shp[24:], uint32(len(shp)/2))
	}
	dbf, err := writeDBF([]Field{{Name: "CODE", Width: 10}}, []Record{{Values: []any{"A"}}, {Values: []any{""}}}, encGBK, fixedTime())
	if err != nil {
		t.Fatal(err)
	}
	data := zipOf(t, []entry{{"r.shp", shp}, {"r.shx", shx}, {"r.dbf", dbf}, {"r.prj", []byte(PRJ(geo.CRS{}))}})
	layer, err := Read(data, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(layer.Features) != 2 {
		t.Fatalf("%d features", len(layer.Features))
	}
	f := layer.Features[0]
	mp, ok := f.Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 3 {
		t.Fatalf("geometry %T %v (problem %q), want a MultiPolygon of 3", f.Geometry, f.Geometry, f.Problem)
	}
	// Shells in file order: the shell (with its hole), the island, the second shell.
	samePolygons(t, "repaired", mp, []orb.Polygon{
		{sq(113.000, 27.800, 0.010, true), sq(113.001, 27.801, 0.002, false)},
		{sq(113.0015, 27.8015, 0.001, true)},
		{sq(113.020, 27.800, 0.005, true)},
	}, 0)
	checkOrientation(t, "repaired", mp)
	if f.Label != "A" {
		t.Errorf("Label = %q", f.Label)
	}
	if g := layer.Features[1]; g.Problem != "几何为空（Null）" || g.Geometry != nil || g.Label != "第 2 个要素" {
		t.Errorf("null feature: problem %q, geometry %v, label %q", g.Problem, g.Geometry, g.Label)
	}
}

func TestEncodingDetection(t *testing.T) {
	for _, tc := range []struct {
		cpg  string
		want string
	}{
		{"UTF-8", "UTF-8"}, {"utf8", "UTF-8"}, {"65001", "UTF-8"},
		{"936", "GBK"}, {"CP936", "GBK"}, {"cp936\r\n", "GBK"}, {"GBK", "GBK"}, {"GB2312", "GBK"},
		{"ANSI 936", "GBK"}, {"GB18030", "GB18030"},
	} {
		got, ok := encodingFromCPG(tc.cpg)
		if !ok || got != tc.want {
			t.Errorf("encodingFromCPG(%q) = %q, %v, want %q", tc.cpg, got, ok, tc.want)
		}
	}
	for _, cpg := range []string{"", "OEM", "1252", "ISO-8859-1"} {
		if got, ok := encodingFromCPG(cpg); ok {
			t.Errorf("encodingFromCPG(%q) = %q, want not ok", cpg, got)
		}
	}

	// Without .cpg or language driver: the content decides.
	for _, tc := range []struct {
		name string
		file string
		ldid byte
		cpg  []byte
		want string
		warn bool
	}{
		{"GBK, LDID 0", "testdata/cgcs2000_gbk.zip", 0, nil, "GBK", false},
		{"GBK, LDID 0x57", "testdata/cgcs2000_gbk.zip", 0x57, nil, "GBK", false},
		{"UTF-8, LDID 0x57", "testdata/cgcs2000_utf8.zip", 0x57, nil, "UTF-8", false},
		{"GBK, unknown .cpg", "testdata/cgcs2000_gbk.zip", 0, []byte("OEM"), "GBK", true},
		{"GBK, LDID 0x4D", "testdata/cgcs2000_gbk.zip", 0x4D, nil, "GBK", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries := unzip(t, readFile(t, tc.file))
			dbf := append([]byte(nil), ext(entries, ".dbf")...)
			dbf[29] = tc.ldid
			entries = replace(replace(entries, ".dbf", dbf), ".cpg", tc.cpg)
			layer, err := Read(zipOf(t, entries), geo.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if layer.Encoding != tc.want || (len(layer.Warnings) > 0) != tc.warn {
				t.Errorf("Encoding %q, warnings %q; want %q, warning %v", layer.Encoding, layer.Warnings, tc.want, tc.warn)
			}
			if v, _ := layer.Features[0].Prop(dbfName("项目名称", tc.want)); v != "株洲高新区闲置地块一" {
				t.Errorf("项目名称 = %q", v)
			}
		})
	}
}

// lyingZip is entries with the .shp replaced by n zeros whose header declares
// 1 KB: only the decompressor can tell.
func lyingZip(t *testing.T, entries []entry, n int) []byte {
	t.Helper()
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, en := range entries {
		if strings.HasSuffix(en.name, ".shp") {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: en.name, Method: zip.Deflate,
				CompressedSize64: uint64(compressed.Len()), UncompressedSize64: 1024})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(compressed.Bytes()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(en.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(en.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
