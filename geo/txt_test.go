package geo

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// handShoelace is the shoelace area of a ring given as (easting, northing)
// pairs copied from a fixture, written out independently of txt.go.
func handShoelace(pts ...[2]float64) float64 {
	var s float64
	for i := range pts {
		j := (i + 1) % len(pts)
		s += pts[i][0]*pts[j][1] - pts[j][0]*pts[i][1]
	}
	return math.Abs(s) / 2
}

func readTXTFixture(t *testing.T, name string) TXTFile {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", "txt", name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := ReadBaobuTXT(fh)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// ringCounts is the number of rings of each polygon of g.
func ringCounts(g orb.Geometry) []int {
	var out []int
	for _, p := range asPolygons(g) {
		out = append(out, len(p))
	}
	return out
}

func TestReadBaobuTXTFixtures(t *testing.T) {
	type want struct {
		code, name, use, class string
		declared               float64 // -1: none
		areaM2                 float64 // hand-computed from the fixture's coordinates
		multi                  bool
		rings                  []int // rings per part
		warning                string
	}
	tests := []struct {
		file     string
		encoding string
		zone     Zone
		parcels  []want
	}{
		{"gbk_crlf.txt", "GBK", 38, []want{
			// J1..J4: 100 m × 100 m square.
			{"ZZ-001", "株洲高新区一号地块", "工业用地", "0601", 1, 100 * 100, false, []int{1}, ""},
			// Triangle with legs 200 m (east) and 100 m (north).
			{"ZZ-002", "三角地块", "工业用地", "0601", 1, 200 * 100 / 2, false, []int{1}, ""},
		}},
		{"utf8_lf_empty_zone.txt", "UTF-8", 38, []want{
			// Unclosed 100 m × 100 m square with decimal coordinates.
			{"LL-007", "醴陵开口地块", "", "", 1, handShoelace(
				[2]float64{512345.678, 3076543.210}, [2]float64{512445.678, 3076543.210},
				[2]float64{512445.678, 3076643.210}, [2]float64{512345.678, 3076643.210}),
				false, []int{1}, ""},
		}},
		{"unprefixed_hole.txt", "UTF-8", 38, []want{
			// 100 m square minus a 40 m square hole.
			{"CS-100", "带洞地块", "仓储用地", "0602", 0.84, 100*100 - 40*40, false, []int{2}, ""},
		}},
		{"multipart.txt", "UTF-8", 38, []want{
			// 100 × 50 part plus a 40 × 60 part (圈号 2 outside 圈号 1); declared 2 ha.
			{"ZZ-050", "两片地块", "", "", 2, 100*50 + 40*60, true, []int{1, 1}, "声明面积 2 公顷与计算面积 0.74 公顷相差 63.00%（> 0.5%）"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := readTXTFixture(t, tt.file)
			if f.Encoding != tt.encoding || f.Zone != tt.zone {
				t.Errorf("encoding %s zone %d, want %s %d", f.Encoding, f.Zone, tt.encoding, tt.zone)
			}
			if len(f.Parcels) != len(tt.parcels) {
				t.Fatalf("%d parcels, want %d", len(f.Parcels), len(tt.parcels))
			}
			for i, w := range tt.parcels {
				p := f.Parcels[i]
				if p.Index != i+1 || p.Code != w.code || p.Name != w.name || p.Use != w.use || p.LandClassCode != w.class || p.Zone != tt.zone {
					t.Errorf("parcel %d: %+v", i+1, p)
				}
				if w.declared < 0 != (p.DeclaredHectares == nil) || p.DeclaredHectares != nil && *p.DeclaredHectares != w.declared {
					t.Errorf("parcel %d: declared %v, want %v", i+1, p.DeclaredHectares, w.declared)
				}
				if math.Abs(p.AreaM2-w.areaM2) > 1e-6 {
					t.Errorf("parcel %d: area %.9f, want %.9f", i+1, p.AreaM2, w.areaM2)
				}
				_, isMulti := p.Planar.(orb.MultiPolygon)
				_, geoMulti := p.Geometry.(orb.MultiPolygon)
				if isMulti != w.multi || geoMulti != w.multi {
					t.Errorf("parcel %d: planar %T geometry %T", i+1, p.Planar, p.Geometry)
				}
				if got := ringCounts(p.Planar); !equalInts(got, w.rings) {
					t.Errorf("parcel %d: rings %v, want %v", i+1, got, w.rings)
				}
				// The lon/lat geometry has the same area on the plane, to
				// round-trip accuracy, and is a valid polygon.
				if a := AreaM2(p.Geometry, p.Zone); math.Abs(a-w.areaM2) > 1e-3 {
					t.Errorf("parcel %d: AreaM2(Geometry) = %.6f, want %.6f", i+1, a, w.areaM2)
				}
				if probs := Validate(p.Geometry); len(probs) != 0 {
					t.Errorf("parcel %d: Validate: %v", i+1, probs)
				}
				if w.warning == "" && len(p.Warnings) != 0 {
					t.Errorf("parcel %d: unexpected warnings %q", i+1, p.Warnings)
				}
				if w.warning != "" && (len(p.Warnings) != 1 || p.Warnings[0] != w.warning) {
					t.Errorf("parcel %d: warnings %q, want %q", i+1, p.Warnings, w.warning)
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
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

func TestReadBaobuTXTVertexAgainstPROJ(t *testing.T) {
	// Produced with PROJ 9 (Debian proj-bin):
	//   echo "3076543.210 512345.678" | cs2cs -f %.9f EPSG:4547 EPSG:4490
	//   27.802334813	114.125284920 0.000000000
	// EPSG:4547 takes northing easting, EPSG:4490 prints lat lon.
	const wantLon, wantLat = 114.125284920, 27.802334813
	f := readTXTFixture(t, "utf8_lf_empty_zone.txt")
	p := f.Parcels[0]
	if got := p.Planar.(orb.Polygon)[0][0]; got != (orb.Point{512345.678, 3076543.210}) {
		t.Fatalf("first planar vertex %v", got)
	}
	got := p.Geometry.(orb.Polygon)[0][0]
	if math.Abs(got[0]-wantLon) > 1e-8 || math.Abs(got[1]-wantLat) > 1e-8 {
		t.Errorf("first vertex %.9f %.9f, want %.9f %.9f", got[0], got[1], wantLon, wantLat)
	}
	// The ring was left open in the file and is closed now.
	r := p.Geometry.(orb.Polygon)[0]
	if len(r) != 5 || r[0] != r[4] {
		t.Errorf("ring not closed: %v", r)
	}
}

func TestReadBaobuTXTHoleOrientation(t *testing.T) {
	p := readTXTFixture(t, "unprefixed_hole.txt").Parcels[0]
	pl := p.Planar.(orb.Polygon)
	if RingSignedArea(pl[0]) <= 0 || RingSignedArea(pl[1]) >= 0 {
		t.Errorf("shell must be counter-clockwise and hole clockwise: %v", pl)
	}
}

const txtHeader38 = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=38\n[地块坐标]\n"

func TestReadBaobuTXTErrors(t *testing.T) {
	square := "4,1,A,,面,,,,@\nJ1,1,3076500,38512300\nJ2,1,3076500,38512400\nJ3,1,3076600,38512400\nJ4,1,3076600,38512300\n"
	tests := []struct {
		name   string
		in     string
		line   int
		reason string
	}{
		{"empty", "", 0, "文件为空"},
		{"blank lines", "\r\n \n", 0, "文件为空"},
		{"missing section", "[属性描述]\n计量单位=米\n带号=38\n", 0, "没有 [地块坐标]"},
		{"no parcels", txtHeader38, 0, "没有地块"},
		{"truncated point line", txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,3076500,38512300\nJ2,1,3076500,38512400\nJ3,1,3076600\n", 11, "4 个字段"},
		{"letters in a coordinate", txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,3076500,38512300\nJ2,1,3076500,38512400\nJ3,1,307660O,38512400\n", 11, "不是数字"},
		{"unit degree", strings.Replace(txtHeader38, "计量单位=米", "计量单位=度", 1) + square, 5, "计量单位"},
		{"ring of 2 points", txtHeader38 + "2,1,A,,面,,,,@\nJ1,1,3076500,38512300\nJ2,1,3076500,38512400\nJ1,1,3076500,38512300\n", 9, "只有 2 个不同的点"},
		{"lon/lat", txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,27.80,114.12\nJ2,1,27.80,114.13\nJ3,1,27.81,114.13\n", 9, "经纬度"},
		{"zone out of range", strings.Replace(txtHeader38, "带号=38", "带号=50", 1) + square, 6, "带号"},
		{"prefix out of range", strings.Replace(txtHeader38, "带号=38", "带号=", 1) + "4,1,A,,面,,,,@\nJ1,1,3076500,50512300\n", 9, "东坐标"},
		{"prefix differs from header", strings.Replace(square, "38512400", "39512400", 2), 0, ""},
		{"no zone", strings.Replace(txtHeader38, "带号=38", "带号=", 1) + "4,1,A,,面,,,,@\nJ1,1,3076500,512300\n", 9, "带号 为空"},
		{"X and Y swapped", txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,38512300,3076500\n", 9, "颠倒"},
		{"point before parcel", txtHeader38 + "J1,1,3076500,38512300\n", 8, "之前没有地块行"},
		{"collinear", txtHeader38 + "3,1,A,,面,,,,@\nJ1,1,3076500,38512300\nJ2,1,3076500,38512400\nJ3,1,3076500,38512500\n", 8, "面积为零"},
		{"six-degree zones", strings.Replace(txtHeader38, "几度分带=3", "几度分带=6", 1) + square, 3, "3 度带"},
		{"parcel without points", txtHeader38 + "4,1,A,,面,,,,@\n", 8, "没有界址点"},
		{"bad declared area", txtHeader38 + strings.Replace(square, "4,1,A", "4,abc,A", 1), 8, "地块面积"},
	}
	for _, tt := range tests {
		if tt.name == "prefix differs from header" {
			tt.in, tt.line, tt.reason = txtHeader38+tt.in, 10, "带号前缀 39"
		}
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadBaobuTXT(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; parcels %+v", f.Parcels)
			}
			if len(f.Parcels) != 0 || f.Header != nil {
				t.Errorf("partial result returned with the error: %+v", f)
			}
			var te *TXTError
			if !errors.As(err, &te) {
				t.Fatalf("error %T %v is not a *TXTError", err, err)
			}
			if te.Line != tt.line || !strings.Contains(te.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", te.Line, te.Reason, tt.line, tt.reason)
			}
		})
	}
}

func TestReadBaobuTXTSeveralErrors(t *testing.T) {
	in := txtHeader38 + "4,1,A,,面,,,,@\nJ1,1,x,38512300\nJ2,1,3076500,y\n"
	_, err := ReadBaobuTXT(strings.NewReader(in))
	var list TXTErrors
	if !errors.As(err, &list) || len(list) != 2 || list[0].Line != 9 || list[1].Line != 10 {
		t.Fatalf("got %v", err)
	}
	var te *TXTError
	if !errors.As(err, &te) || te.Line != 9 {
		t.Errorf("errors.As *TXTError: %v", te)
	}
	if !strings.Contains(err.Error(), "第 10 行") {
		t.Errorf("message %q", err.Error())
	}
}
