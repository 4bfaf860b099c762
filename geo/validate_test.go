package geo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func pr(pts ...[2]float64) orb.Ring { return planeRing(pts...) }

func xy(x, y float64) [2]float64 { return [2]float64{x, y} }

// gp is a lon/lat point on a grid of 1e-5° (about 1 m) near 株洲: points
// with the same x (or y) lie exactly on one meridian (parallel), so that
// touching rings touch exactly.
func gp(x, y float64) orb.Point { return orb.Point{113 + x*1e-5, 27.8 + y*1e-5} }

func gring(pts ...orb.Point) orb.Ring { return append(orb.Ring(pts), pts[0]) }

func grect(x0, y0, x1, y1 float64) orb.Ring {
	return gring(gp(x0, y0), gp(x1, y0), gp(x1, y1), gp(x0, y1))
}

func TestValidate(t *testing.T) {
	square := planeRect(0, 0, 100, 100)
	sq := grect(0, 0, 100, 100)
	lonlatSquare := func(x0, y0, d float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x0 + d, y0}, {x0 + d, y0 + d}, {x0, y0 + d}, {x0, y0}}
	}
	gkPrefixed := orb.Ring{{38512345.678, 3076543.21}, {38512445.678, 3076543.21}, {38512445.678, 3076643.21}, {38512345.678, 3076543.21}}
	swap := func(r orb.Ring) orb.Ring {
		out := make(orb.Ring, len(r))
		for i, p := range r {
			out[i] = orb.Point{p[1], p[0]}
		}
		return out
	}
	withDup := append(orb.Ring{square[0]}, square...)
	nanRing := lonlatSquare(113, 27, 0.01)
	nanRing[2] = orb.Point{math.NaN(), 27}
	infRing := lonlatSquare(113, 27, 0.01)
	infRing[1] = orb.Point{113, math.Inf(1)}

	tests := []struct {
		name   string
		g      orb.Geometry
		codes  []string
		reason []string // substrings of the first problem's reason
	}{
		{"valid square", orb.Polygon{square}, nil, nil},
		{"valid clockwise", orb.Polygon{reversed(square)}, nil, nil},
		{"valid with hole", orb.Polygon{square, reversed(planeRect(10, 10, 20, 20))}, nil, nil},
		{"valid multipolygon", orb.MultiPolygon{{square}, {planeRect(200, 0, 300, 100)}}, nil, nil},
		{"valid, repeated point", orb.Polygon{withDup}, nil, nil},

		{"nil", nil, []string{CodeEmpty}, []string{"缺少图形"}},
		{"point", orb.Point{113, 27}, []string{CodeUnsupportedType}, []string{"Point", "Polygon"}},
		{"linestring", orb.LineString{{113, 27}, {113.1, 27}}, []string{CodeUnsupportedType}, []string{"LineString"}},
		{"collection", orb.Collection{orb.Polygon{square}}, []string{CodeUnsupportedType}, []string{"GeometryCollection"}},
		{"empty polygon", orb.Polygon{}, []string{CodeEmpty}, []string{"没有任何坐标"}},
		{"empty multipolygon", orb.MultiPolygon{}, []string{CodeEmpty}, nil},
		{"polygon with empty ring", orb.Polygon{{}}, []string{CodeEmpty}, nil},
		{"multipolygon with an empty part", orb.MultiPolygon{{square}, {}}, []string{CodeEmpty}, []string{"第2个面"}},

		{"NaN", orb.Polygon{nanRing}, []string{CodeNotFinite}, []string{"第1个环（外环）的第3个点"}},
		{"Inf", orb.Polygon{infRing}, []string{CodeNotFinite}, []string{"第2个点"}},

		{"two distinct points", orb.Polygon{{square[0], square[1], square[0]}}, []string{CodeRingTooShort}, []string{"2 个不同的点", "至少需要 3 个"}},
		{"two points repeated", orb.Polygon{{square[0], square[1], square[1], square[0]}}, []string{CodeRingTooShort}, nil},
		{"hole too short", orb.Polygon{square, {square[0]}}, []string{CodeRingTooShort}, []string{"第2个环（内环）"}},
		{"not closed", orb.Polygon{square[:4]}, []string{CodeRingNotClosed}, []string{"第1个环（外环）未闭合", "重复第一个点"}},
		{"triangle not closed", orb.Polygon{square[:3]}, []string{CodeRingNotClosed}, nil},
		{"multipolygon part not closed", orb.MultiPolygon{{square}, {square[:4]}}, []string{CodeRingNotClosed}, []string{"第2个面的第1个环"}},

		{"prefixed GK", orb.Polygon{gkPrefixed}, []string{CodeProjectedCoordinates},
			[]string{"第1个环（外环）的第1个点", "带带号", "第 38 带", "114°E", "EPSG:4526", "EPSG:4547"}},
		{"prefixed GK, northing first", orb.Polygon{swap(gkPrefixed)}, []string{CodeProjectedCoordinates},
			[]string{"北坐标在前", "X=北", "EPSG:4526", "交换"}},
		{"prefixed GK zone 37", orb.Polygon{{{37412345, 3076543}, {37412445, 3076543}, {37412445, 3076643}, {37412345, 3076543}}},
			[]string{CodeProjectedCoordinates}, []string{"第 37 带", "111°E", "EPSG:4525", "EPSG:4546"}},
		{"unprefixed GK", orb.Polygon{{{512345, 3076543}, {512445, 3076543}, {512445, 3076643}, {512345, 3076543}}},
			[]string{CodeProjectedCoordinates}, []string{"无带号的高斯-克吕格坐标（如 EPSG:4547，38 带"}},
		{"unprefixed GK, northing first", orb.Polygon{{{3076543, 512345}, {3076543, 512445}, {3076643, 512445}, {3076543, 512345}}},
			[]string{CodeProjectedCoordinates}, []string{"北坐标在前", "无带号"}},
		{"web mercator", orb.Polygon{{{12588000, 3225000}, {12588100, 3225000}, {12588100, 3225100}, {12588000, 3225000}}},
			[]string{CodeProjectedCoordinates}, []string{"EPSG:3857"}},
		{"some other metres", orb.Polygon{{{1000, 2000}, {1100, 2000}, {1100, 2100}, {1000, 2000}}},
			[]string{CodeProjectedCoordinates}, []string{"超出经纬度"}},
		{"one vertex in metres", orb.Polygon{{square[0], square[1], {38512345.678, 3076543.21}, square[0]}},
			[]string{CodeProjectedCoordinates}, []string{"第3个点"}},

		{"outside China", orb.Polygon{lonlatSquare(140, 35, 0.01)}, []string{CodeOutsideChina}, []string{"不在中国范围内", "73°–136°E"}},
		{"lat/lon swapped", orb.Polygon{swap(lonlatSquare(113, 27, 0.01))}, []string{CodeOutsideChina}, []string{"颠倒", "经度在前"}},
		{"latitude beyond 90", orb.Polygon{lonlatSquare(100, 95, 0.01)}, []string{CodeOutsideChina}, nil},

		{"bow tie", orb.Polygon{gring(gp(0, 0), gp(100, 100), gp(100, 0), gp(0, 100))}, []string{CodeSelfIntersection},
			[]string{"第1个环（外环）自相交", "第1条边（第1到第2个点）与第3条边（第3到第4个点）", "经度 113.0005，纬度 27.8005"}},
		{"bow tie in second part", orb.MultiPolygon{{sq}, {gring(gp(200, 0), gp(300, 100), gp(300, 0), gp(200, 100))}}, []string{CodeSelfIntersection},
			[]string{"第2个面的第1个环（外环）自相交"}},
		{"ring touches itself", orb.Polygon{gring(gp(0, 0), gp(100, 0), gp(100, 100), gp(50, 0), gp(0, 100))}, []string{CodeSelfIntersection},
			[]string{"自相交", "第1条边", "在经度 113.0005，纬度 27.8附近"}},
		{"spike back along an edge", orb.Polygon{gring(gp(0, 0), gp(100, 0), gp(100, 100), gp(100, 50), gp(0, 100))}, []string{CodeSelfIntersection},
			[]string{"第2条边"}},
		{"hole outside shell", orb.Polygon{sq, grect(200, 0, 220, 20)}, []string{CodeHoleOutsideShell},
			[]string{"第2个环（内环）", "外环之外", "多面"}},
		{"hole crosses shell", orb.Polygon{sq, grect(90, 10, 120, 20)}, []string{CodeHoleOutsideShell},
			[]string{"第2个环（内环）与外环相交"}},
		{"hole shares an edge with the shell", orb.Polygon{sq, grect(0, 10, 20, 20)}, []string{CodeHoleOutsideShell},
			[]string{"第2个环（内环）与外环相交或共用一段边界"}},
		{"holes cross", orb.Polygon{sq, grect(10, 10, 50, 50), grect(40, 40, 60, 60)}, []string{CodeSelfIntersection},
			[]string{"第2个环（内环）与第3个环（内环）相交"}},
		{"hole in hole", orb.Polygon{sq, grect(10, 10, 90, 90), grect(40, 40, 60, 60)}, []string{CodeHoleOutsideShell},
			[]string{"第3个环（内环）位于第2个环（内环）之内"}},
		{"holes cut the polygon apart", orb.Polygon{sq,
			gring(gp(0, 50), gp(50, 40), gp(50, 60)),
			gring(gp(50, 50), gp(90, 40), gp(100, 50), gp(90, 60))}, []string{CodeSelfIntersection},
			[]string{"互不相连"}},
		{"parts overlap", orb.MultiPolygon{{sq}, {grect(50, 50, 150, 150)}}, []string{CodeSelfIntersection},
			[]string{"第1个面与第2个面重叠"}},
		{"parts share an edge", orb.MultiPolygon{{sq}, {grect(100, 0, 200, 100)}}, []string{CodeSelfIntersection},
			[]string{"第1个面与第2个面", "共用一段边界"}},
		{"part inside part", orb.MultiPolygon{{sq}, {grect(10, 10, 20, 20)}}, []string{CodeSelfIntersection},
			[]string{"第1个面与第2个面重叠"}},
		{"valid, hole touches shell at a vertex", orb.Polygon{sq, gring(gp(0, 50), gp(20, 40), gp(20, 60))}, nil, nil},
		{"valid, parts touch at a vertex", orb.MultiPolygon{{sq}, {grect(100, 100, 200, 200)}}, nil, nil},

		{"tiny triangle", orb.Polygon{pr(xy(0, 0), xy(0.1, 0), xy(0, 0.1))}, []string{CodeZeroArea}, []string{"面积只有 0.005", "几乎为零"}},
		{"all on a line", orb.Polygon{pr(xy(0, 0), xy(50, 0), xy(100, 0))}, []string{CodeZeroArea}, []string{"一条直线"}},
		{"tiny second part", orb.MultiPolygon{{square}, {pr(xy(200, 0), xy(200.1, 0), xy(200, 0.1))}}, []string{CodeZeroArea}, []string{"第2个面"}},
		{"outside China and self-intersecting", orb.Polygon{{{140, 35}, {140.01, 35.01}, {140.01, 35}, {140, 35.01}, {140, 35}}},
			[]string{CodeOutsideChina, CodeSelfIntersection}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := Validate(tt.g)
			var codes []string
			for _, p := range probs {
				codes = append(codes, p.Code)
				if p.Reason == "" {
					t.Errorf("%s: empty reason", p.Code)
				}
			}
			if strings.Join(codes, ",") != strings.Join(tt.codes, ",") {
				t.Fatalf("codes %v, want %v; problems %+v", codes, tt.codes, probs)
			}
			for _, s := range tt.reason {
				if !strings.Contains(probs[0].Reason, s) {
					t.Errorf("reason %q lacks %q", probs[0].Reason, s)
				}
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	parks := SyntheticParks(3, 10)
	parcels := SyntheticParcels(4, parks, 1000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if p := Validate(parcels[i%len(parcels)]); len(p) > 0 {
			b.Fatal(p)
		}
	}
}
