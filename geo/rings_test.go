package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestRingSignedArea(t *testing.T) {
	square := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}} // counter-clockwise
	triangle := orb.Ring{{0, 0}, {4, 0}, {0, 3}}               // counter-clockwise, open
	// A 10 m square at prefixed Gauss-Krüger coordinates: taken absolutely,
	// the products (~1e14 m²) lose digits and a textbook shoelace gives
	// 99.984375 m².
	const e, n = 38500000.123, 3000000.123
	prefixed := orb.Ring{{e, n}, {e + 10, n}, {e + 10, n + 10}, {e, n + 10}, {e, n}}
	// 0.001° × 0.001° in lon/lat: the result is in degrees².
	lonLat := orb.Ring{{113.08, 27.82}, {113.081, 27.82}, {113.081, 27.821}, {113.08, 27.821}, {113.08, 27.82}}
	for _, tc := range []struct {
		name string
		r    orb.Ring
		want float64
		tol  float64
	}{
		{"square ccw closed", square, 1, 0},
		{"square cw closed", reversed(square), -1, 0},
		{"square ccw open", square[:4], 1, 0},
		{"square cw open", reversed(square)[:4], -1, 0},
		{"square started elsewhere", orb.Ring{{1, 1}, {0, 1}, {0, 0}, {1, 0}}, 1, 0},
		{"triangle ccw", triangle, 6, 0},
		{"triangle cw", reversed(triangle), -6, 0},
		{"triangle closed", append(slices.Clone(triangle), triangle[0]), 6, 0},
		{"prefixed eastings", prefixed, 100, 1e-6},
		{"prefixed eastings cw", reversed(prefixed), -100, 1e-6},
		{"lon/lat degrees²", lonLat, 1e-6, 1e-15},
		{"L-shape (concave)", orb.Ring{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}}, 3, 0},
		{"nil", nil, 0, 0},
		{"empty", orb.Ring{}, 0, 0},
		{"one point", orb.Ring{{1, 2}}, 0, 0},
		{"two points", orb.Ring{{0, 0}, {1, 1}}, 0, 0},
		{"two points closed", orb.Ring{{0, 0}, {1, 1}, {0, 0}}, 0, 0},
		{"one point repeated", orb.Ring{{3, 4}, {3, 4}, {3, 4}, {3, 4}}, 0, 0},
		{"collinear", orb.Ring{{0, 0}, {1, 1}, {2, 2}, {0, 0}}, 0, 0},
		{"bow tie (lobes cancel)", orb.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}, 0, 0},
	} {
		got := RingSignedArea(tc.r)
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: RingSignedArea = %g, want %g", tc.name, got, tc.want)
		}
	}
}

// TestRingSignedAreaProperties checks, on random rings of small integers
// (exact in floating point), that the area equals a textbook shoelace, that
// closing a ring changes nothing and that reversing it negates the area.
func TestRingSignedAreaProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	textbook := func(r orb.Ring) float64 {
		var s float64
		for i := range r {
			j := (i + 1) % len(r)
			s += r[i][0]*r[j][1] - r[j][0]*r[i][1]
		}
		return s / 2
	}
	for range 10000 {
		r := make(orb.Ring, 3+rng.IntN(8))
		for i := range r {
			r[i] = orb.Point{float64(rng.IntN(41) - 20), float64(rng.IntN(41) - 20)}
		}
		if r[0] == r[len(r)-1] {
			continue // already closed: "open" would not be
		}
		a := RingSignedArea(r)
		if w := textbook(r); a != w {
			t.Fatalf("%v: RingSignedArea = %g, textbook shoelace %g", r, a, w)
		}
		if c := RingSignedArea(append(slices.Clone(r), r[0])); c != a {
			t.Fatalf("%v: closed %g, open %g", r, c, a)
		}
		if b := RingSignedArea(reversed(r)); b != -a {
			t.Fatalf("%v: reversed %g, want %g", r, b, -a)
		}
	}
}

func TestOrientRing(t *testing.T) {
	ccwSquare := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	cwSquare := reversed(ccwSquare)
	flat := orb.Ring{{0, 0}, {1, 1}, {2, 2}, {0, 0}} // no area
	for _, tc := range []struct {
		name    string
		r       orb.Ring
		ccw     bool
		reverse bool
	}{
		{"ccw as ccw", ccwSquare, true, false},
		{"ccw as cw", ccwSquare, false, true},
		{"cw as cw", cwSquare, false, false},
		{"cw as ccw", cwSquare, true, true},
		{"open cw as ccw", cwSquare[:4], true, true},
		// A ring without area counts as clockwise.
		{"no area as ccw", flat, true, true},
		{"no area as cw", flat, false, false},
	} {
		before := slices.Clone(tc.r)
		got := OrientRing(tc.r, tc.ccw)
		if !slices.Equal(tc.r, before) {
			t.Errorf("%s: input modified: %v", tc.name, tc.r)
		}
		if !tc.reverse {
			if &got[0] != &tc.r[0] || len(got) != len(tc.r) {
				t.Errorf("%s: got %v, want the ring itself", tc.name, got)
			}
			continue
		}
		if &got[0] == &tc.r[0] || !slices.Equal(got, reversed(tc.r)) {
			t.Errorf("%s: got %v, want a reversed copy of %v", tc.name, got, tc.r)
		}
		if a := RingSignedArea(got); a != 0 && (a > 0) != tc.ccw {
			t.Errorf("%s: result has signed area %g", tc.name, a)
		}
	}
	for _, r := range []orb.Ring{nil, {}} {
		if got := OrientRing(r, true); len(got) != 0 {
			t.Errorf("OrientRing(%v, true) = %v", r, got)
		}
		if got := OrientRing(r, false); len(got) != 0 {
			t.Errorf("OrientRing(%v, false) = %v", r, got)
		}
	}
}

func TestPolygons(t *testing.T) {
	sq := func(x float64) orb.Ring {
		return orb.Ring{{x, 0}, {x + 1, 0}, {x + 1, 1}, {x, 1}, {x, 0}}
	}
	p := orb.Polygon{sq(0), reversed(sq(0.25))}
	mp := orb.MultiPolygon{{sq(0)}, {sq(2)}}

	got, ok := Polygons(p)
	if !ok || len(got) != 1 || len(got[0]) != 2 || &got[0][0] != &p[0] {
		t.Errorf("Polygon: %v, %v; want the polygon itself", got, ok)
	}
	got, ok = Polygons(mp)
	if !ok || len(got) != 2 || &got[0] != &mp[0] {
		t.Errorf("MultiPolygon: %v, %v; want its own polygons", got, ok)
	}
	// Empty polygonal geometries are still polygonal.
	if got, ok := Polygons(orb.MultiPolygon{}); !ok || len(got) != 0 {
		t.Errorf("empty MultiPolygon: %v, %v", got, ok)
	}
	if got, ok := Polygons(orb.MultiPolygon(nil)); !ok || len(got) != 0 {
		t.Errorf("nil MultiPolygon: %v, %v", got, ok)
	}
	if got, ok := Polygons(orb.Polygon(nil)); !ok || len(got) != 1 || len(got[0]) != 0 {
		t.Errorf("nil Polygon: %v, %v", got, ok)
	}
	for _, g := range []orb.Geometry{
		nil,
		sq(0), // a bare ring is not a polygon here
		orb.Point{1, 2},
		orb.MultiPoint{{1, 2}},
		orb.LineString{{0, 0}, {1, 1}},
		orb.MultiLineString{{{0, 0}, {1, 1}}},
		orb.Bound{Max: orb.Point{1, 1}},
		orb.Collection{p},
	} {
		if got, ok := Polygons(g); ok || got != nil {
			t.Errorf("%T: %v, %v; want nil, false", g, got, ok)
		}
	}
}

func TestCloseRing(t *testing.T) {
	open := orb.Ring{{0, 0}, {1, 0}, {1, 1}}
	r, problem := CloseRing(open)
	if problem != "" || len(r) != 4 || r[3] != r[0] {
		t.Fatalf("open triangle: %v, %q", r, problem)
	}
	if r, problem = CloseRing(r); problem != "" || len(r) != 4 {
		t.Fatalf("closed triangle: %v, %q", r, problem)
	}
	if _, problem = CloseRing(orb.Ring{{0, 0}, {1, 0}, {0, 0}}); problem != "的多边形有一个只有 2 个点的环：至少需要 3 个不同的点" {
		t.Fatalf("two points: %q", problem)
	}
}
