package geo

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

func TestNormalize(t *testing.T) {
	ccw := orb.Ring{{113, 27}, {113.001, 27}, {113.001, 27.001}, {113, 27.001}, {113, 27}}
	cw := reversed(ccw)
	holeCW := orb.Ring{{113.0002, 27.0002}, {113.0002, 27.0004}, {113.0004, 27.0004}, {113.0004, 27.0002}, {113.0002, 27.0002}}
	holeCCW := reversed(holeCW)
	tests := []struct {
		name     string
		in       orb.Geometry
		decimals int
		want     orb.Geometry
	}{
		{"ccw shell kept", orb.Polygon{ccw}, 8, orb.Polygon{ccw}},
		{"cw shell reversed", orb.Polygon{cw}, 8, orb.Polygon{ccw}},
		{"ccw hole reversed", orb.Polygon{cw, holeCCW}, 8, orb.Polygon{ccw, holeCW}},
		{"unclosed ring closed", orb.Polygon{ccw[:4]}, 8, orb.Polygon{ccw}},
		{"repeats removed", orb.Polygon{{{113, 27}, {113, 27}, {113.001, 27}, {113.001, 27.001}, {113.001, 27.001}, {113, 27.001}, {113, 27}}}, 8, orb.Polygon{ccw}},
		{"rounded", orb.Polygon{{{113.000000001, 27.000000004}, {113.001000006, 27}, {113.001, 27.001}, {113, 27.001}, {113, 27}}}, 8,
			orb.Polygon{{{113, 27}, {113.00100001, 27}, {113.001, 27.001}, {113, 27.001}, {113, 27}}}},
		{"rounding makes repeats", orb.Polygon{{{113, 27}, {113.000000001, 27}, {113.001, 27}, {113.001, 27.001}, {113, 27.001}, {113, 27.000000002}}}, 8, orb.Polygon{ccw}},
		{"multipolygon stays multipolygon", orb.MultiPolygon{{cw}, {ccw, holeCCW}}, 8, orb.MultiPolygon{{ccw}, {ccw, holeCW}}},
		{"3 decimals", orb.Polygon{{{113.00049, 27.0004}, {113.0011, 27}, {113.001, 27.0012}, {113.00049, 27.0004}}}, 3,
			orb.Polygon{{{113, 27}, {113.001, 27}, {113.001, 27.001}, {113, 27}}}},
		{"negative zero", orb.Point{-0.000000001, math.Copysign(0, -1)}, 8, orb.Point{0, 0}},
		{"line", orb.LineString{{1.123456789, 2}, {1.123456791, 2}, {3, 4}}, 8, orb.LineString{{1.12345679, 2}, {3, 4}}},
		{"no rounding", orb.Point{1.123456789123, 2}, -1, orb.Point{1.123456789123, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in, tt.decimals)
			if reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
				t.Fatalf("type %T, want %T", got, tt.want)
			}
			if !orb.Equal(got, tt.want) {
				t.Fatalf("Normalize = %v, want %v", got, tt.want)
			}
			if p, ok := got.(orb.Point); ok && (math.Signbit(p[0]) || math.Signbit(p[1])) {
				t.Errorf("negative zero in %v", p)
			}
		})
	}
}

func TestNormalizeDoesNotModifyInput(t *testing.T) {
	in := orb.Polygon{{{113.000000001, 27}, {113, 27.001}, {113.001, 27.001}, {113.001, 27}, {113.000000001, 27}}}
	before := in.Clone()
	_ = Normalize(in, 8)
	if !orb.Equal(in, before) {
		t.Fatalf("input changed: %v", in)
	}
}

// TestNormalizeKeepsArea: normalising at 8 decimals changes a parcel's area
// by far less than 0.01 亩, and keeps it valid.
func TestNormalizeKeepsArea(t *testing.T) {
	for _, f := range readParcelFixtures(t) {
		n := Normalize(f.geom, 8)
		if d := math.Abs(AreaM2(n, f.Zone) - f.AreaM2); d > 1e-6 {
			t.Errorf("%s: area changed by %g m²", f.Name, d)
		}
		if p := Validate(n); len(p) > 0 {
			t.Errorf("%s: %v", f.Name, p)
		}
		for i, p := range asPolygons(n) {
			for j, r := range p {
				a := RingSignedArea(r)
				if (j == 0) != (a > 0) {
					t.Errorf("%s: polygon %d ring %d has signed area %g", f.Name, i, j, a)
				}
			}
		}
	}
}
