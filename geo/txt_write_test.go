package geo

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// gkVertices flattens the "gk_coordinates" of a parcels_area.json fixture.
func gkVertices(t *testing.T, raw json.RawMessage) []orb.Point {
	t.Helper()
	var out []orb.Point
	var walk func(v any)
	walk = func(v any) {
		a, ok := v.([]any)
		if !ok {
			return
		}
		if len(a) == 2 {
			if x, ok := a[0].(float64); ok {
				out = append(out, orb.Point{x, a[1].(float64)})
				return
			}
		}
		for _, e := range a {
			walk(e)
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	walk(v)
	return out
}

func planarVertices(g orb.Geometry) []orb.Point {
	var out []orb.Point
	for _, p := range asPolygons(g) {
		for _, r := range p {
			out = append(out, r...)
		}
	}
	return out
}

func nearest(ps []orb.Point, q orb.Point) float64 {
	best := math.Inf(1)
	for _, p := range ps {
		best = math.Min(best, math.Hypot(p[0]-q[0], p[1]-q[1]))
	}
	return best
}

func TestWriteBaobuTXTRoundTrip(t *testing.T) {
	fixtures := readParcelFixtures(t)
	byZone := map[Zone][]int{}
	for i, f := range fixtures {
		byZone[f.Zone] = append(byZone[f.Zone], i)
	}
	for zone, idx := range byZone {
		var parcels []TXTOutParcel
		for k, i := range idx {
			parcels = append(parcels, TXTOutParcel{
				Code:          fixtures[i].Name,
				Name:          "株洲高新区闲置地块" + string(rune('一'+k)),
				Use:           "工业用地",
				LandClassCode: "0601",
				Geometry:      fixtures[i].geom,
			})
		}
		var buf bytes.Buffer
		if err := WriteBaobuTXT(&buf, parcels, TXTWriteOptions{Zone: zone, Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) || !bytes.HasSuffix(raw, []byte("\r\n")) {
			t.Error("not CRLF throughout")
		}
		file, err := ReadBaobuTXT(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("zone %d: read back: %v\n%s", zone, err, raw)
		}
		if file.Encoding != "GBK" || file.Zone != zone || file.Header["带号"] != strconv.Itoa(int(zone)) ||
			file.Header["数据产生日期"] != "2026-01-02" || file.Header["数据产生单位"] != "panhuo" || file.Header["坐标系"] != "2000国家大地坐标系" {
			t.Errorf("zone %d: encoding %q zone %d header %q", zone, file.Encoding, file.Zone, file.Header)
		}
		if len(file.Parcels) != len(parcels) {
			t.Fatalf("zone %d: %d parcels, want %d", zone, len(file.Parcels), len(parcels))
		}
		for k, pc := range file.Parcels {
			f := fixtures[idx[k]]
			in := parcels[k]
			if pc.Code != in.Code || pc.Name != in.Name || pc.Use != in.Use || pc.LandClassCode != in.LandClassCode {
				t.Errorf("%s: read %q %q %q %q", f.Name, pc.Code, pc.Name, pc.Use, pc.LandClassCode)
			}
			if len(pc.Warnings) != 0 {
				t.Errorf("%s: warnings %q", f.Name, pc.Warnings)
			}
			if got, want := ringCounts(pc.Planar), ringCounts(f.geom); !slices.Equal(got, want) {
				t.Errorf("%s: rings %v, want %v", f.Name, got, want)
			}
			// Same geometry to 1 mm on the plane: every read vertex is one
			// of PROJ's projected vertices and the other way round.
			got := planarVertices(pc.Planar)
			want := gkVertices(t, f.GKCoordinates)
			if len(got) != len(want) {
				t.Errorf("%s: %d vertices, PROJ %d", f.Name, len(got), len(want))
			}
			for _, q := range want {
				if d := nearest(got, q); d > 0.001 {
					t.Errorf("%s: PROJ vertex %v is %.4f m from the written ones", f.Name, q, d)
					break
				}
			}
			for _, q := range got {
				if d := nearest(want, q); d > 0.001 {
					t.Errorf("%s: written vertex %v is %.4f m from PROJ's", f.Name, q, d)
					break
				}
			}
			if pc.DeclaredHectares == nil || math.Abs(*pc.DeclaredHectares-pc.AreaM2/10000) > 0.0001 {
				t.Errorf("%s: declared %v 公顷, read %.6f 公顷", f.Name, pc.DeclaredHectares, pc.AreaM2/10000)
			}
			// Rounding the vertices to millimetres moves the area by a
			// few tenths of a m² at most: well within the 0.0001 公顷 written.
			if math.Abs(pc.AreaM2-f.AreaM2) > 1 {
				t.Errorf("%s: area %.4f m², PROJ-based %.4f m²", f.Name, pc.AreaM2, f.AreaM2)
			}
		}
	}
}

// ll is the lon/lat of a point of testZone's plane given as offsets from
// (testE0, testN0).
func ll(x, y float64) orb.Point {
	lon, lat := testZone.Inverse(testE0+x, testN0+y)
	return orb.Point{lon, lat}
}

func TestWriteBaobuTXTExact(t *testing.T) {
	// A 100 m square written clockwise and unclosed, with a hole written
	// counter-clockwise, and a second part: 1 − 0.04 + 0.6 公顷.
	square := orb.Ring{ll(0, 0), ll(0, 100), ll(100, 100), ll(100, 0)}
	hole := orb.Ring{ll(20, 20), ll(40, 20), ll(40, 40), ll(20, 40), ll(20, 20)}
	part := orb.Ring{ll(200, 0), ll(300, 0), ll(300, 60), ll(200, 60), ll(200, 0)}
	var buf bytes.Buffer
	err := WriteBaobuTXT(&buf, []TXTOutParcel{{
		Code: "ZZ-1", Name: "闲置地块,一号，北区\r\n", Use: "工业用地", LandClassCode: "0601",
		Geometry: orb.MultiPolygon{{square, hole}, {part}},
	}}, TXTWriteOptions{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"[属性描述]",
		"格式版本号=1.01版本",
		"数据产生单位=panhuo",
		"数据产生日期=",
		"坐标系=2000国家大地坐标系",
		"几度分带=3",
		"投影类型=高斯克吕格",
		"计量单位=米",
		"带号=38",
		"精度=0.001",
		"转换参数=,,,,,,",
		"[地块坐标]",
		"15,1.5600,ZZ-1,闲置地块、一号、北区,面,,工业用地,0601,@",
		"J1,1,3078000.000,38409100.000", // the shell was clockwise: reversed
		"J2,1,3078100.000,38409100.000",
		"J3,1,3078100.000,38409000.000",
		"J4,1,3078000.000,38409000.000",
		"J1,1,3078000.000,38409100.000",
		"J5,2,3078040.000,38409020.000", // the hole was counter-clockwise: reversed
		"J6,2,3078040.000,38409040.000",
		"J7,2,3078020.000,38409040.000",
		"J8,2,3078020.000,38409020.000",
		"J5,2,3078040.000,38409020.000",
		"J9,3,3078000.000,38409200.000",
		"J10,3,3078000.000,38409300.000",
		"J11,3,3078060.000,38409300.000",
		"J12,3,3078060.000,38409200.000",
		"J9,3,3078000.000,38409200.000",
		"",
	}, "\r\n")
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	file, err := ReadBaobuTXT(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if pc := file.Parcels[0]; file.Encoding != "UTF-8" || len(pc.Warnings) != 0 || math.Abs(pc.AreaM2-15600) > 1e-6 || !slices.Equal(ringCounts(pc.Planar), []int{2, 1}) {
		t.Errorf("read back: %+v", pc)
	}
}

func TestWriteBaobuTXTZoneFromCentroid(t *testing.T) {
	for _, f := range readParcelFixtures(t) {
		var buf bytes.Buffer
		if err := WriteBaobuTXT(&buf, []TXTOutParcel{{Code: f.Name, Geometry: f.geom}}, TXTWriteOptions{Decimals: 4}); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		file, err := ReadBaobuTXT(&buf)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if file.Zone != f.Zone || file.Header["精度"] != "0.0001" {
			t.Errorf("%s: zone %d, want %d; 精度 %q", f.Name, file.Zone, f.Zone, file.Header["精度"])
		}
	}
}

func TestWriteBaobuTXTErrors(t *testing.T) {
	square := orb.Polygon{{ll(0, 0), ll(100, 0), ll(100, 100), ll(0, 100), ll(0, 0)}}
	// An island inside the hole of another part.
	donut := orb.Polygon{{ll(0, 0), ll(100, 0), ll(100, 100), ll(0, 100), ll(0, 0)}, {ll(20, 20), ll(20, 80), ll(80, 80), ll(80, 20), ll(20, 20)}}
	island := orb.Polygon{{ll(40, 40), ll(60, 40), ll(60, 60), ll(40, 60), ll(40, 40)}}
	for _, tc := range []struct {
		name    string
		parcels []TXTOutParcel
		opt     TXTWriteOptions
		reason  string
	}{
		{"none", nil, TXTWriteOptions{}, "没有地块"},
		{"point", []TXTOutParcel{{Code: "P", Geometry: orb.Point{113, 27}}}, TXTWriteOptions{}, "第 1 个地块（P）：图形类型 Point 不是面"},
		{"nil", []TXTOutParcel{{Geometry: square}, {Geometry: nil}}, TXTWriteOptions{}, "第 2 个地块：没有图形"},
		{"no zone", []TXTOutParcel{{Geometry: nil}}, TXTWriteOptions{}, "无法从第 1 个地块的图形确定带号"},
		{"encoding", []TXTOutParcel{{Geometry: square}}, TXTWriteOptions{Encoding: "Big5"}, "不支持的编码"},
		{"decimals", []TXTOutParcel{{Geometry: square}}, TXTWriteOptions{Decimals: 9}, "小数位数 9 无效"},
		{"zone", []TXTOutParcel{{Geometry: square}}, TXTWriteOptions{Zone: 12}, "带号 12 无效"},
		{"far zone", []TXTOutParcel{{Geometry: square}}, TXTWriteOptions{Zone: 40}, "离第 40 带中央经线 120°E 太远"},
		{"degenerate", []TXTOutParcel{{Geometry: orb.Polygon{{ll(0, 0), ll(0.0001, 0), ll(0, 0.0001), ll(0, 0)}}}}, TXTWriteOptions{}, "只有 1 个不同的点"},
		{"island", []TXTOutParcel{{Geometry: orb.MultiPolygon{donut, island}}}, TXTWriteOptions{}, "第 2 个面位于另一个面的范围（或其洞）内"},
		{"gbk", []TXTOutParcel{{Name: "地块😀", Geometry: square}}, TXTWriteOptions{}, "「地块😀」含有 GBK 无法表示的字符"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteBaobuTXT(&buf, tc.parcels, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want %q", err, tc.reason)
			}
			if buf.Len() != 0 {
				t.Error("wrote output despite the error")
			}
		})
	}
}
