package geo

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestIntersectionAreaM2(t *testing.T) {
	a := orb.Polygon{planeRect(0, 0, 100, 100)}
	tests := []struct {
		name string
		a, b orb.Geometry
		want float64
		tol  float64
	}{
		{"shared edge", a, orb.Polygon{planeRect(100, 0, 200, 100)}, 0, 1e-6},
		{"shared edge, partly", a, orb.Polygon{planeRect(100, 30, 180, 60)}, 0, 1e-6},
		{"shared corner", a, orb.Polygon{planeRect(100, 100, 200, 200)}, 0, 1e-6},
		{"2 m × 2 m overlap", a, orb.Polygon{planeRect(98, 98, 150, 150)}, 4, 1e-6},
		{"2 m strip", a, orb.Polygon{planeRect(98, 0, 200, 100)}, 200, 1e-6},
		{"disjoint", a, orb.Polygon{planeRect(300, 0, 400, 100)}, 0, 0},
		{"contained", a, orb.Polygon{planeRect(10, 10, 30, 40)}, 600, 1e-6},
		{"identical", a, a, 10000, 1e-6},
		{"identical, reversed", a, orb.Polygon{reversed(a[0])}, 10000, 1e-6},
		{"b in a's hole", orb.Polygon{a[0], reversed(planeRect(20, 20, 80, 80))}, orb.Polygon{planeRect(30, 30, 70, 70)}, 0, 1e-6},
		{"b across a's hole", orb.Polygon{a[0], reversed(planeRect(20, 20, 80, 80))}, orb.Polygon{planeRect(10, 30, 30, 70)}, 400, 1e-6},
		{"multipolygon", orb.MultiPolygon{{planeRect(0, 0, 10, 10)}, {planeRect(20, 0, 30, 10)}}, orb.Polygon{planeRect(5, 0, 25, 10)}, 100, 1e-6},
		{"triangle", a, orb.Polygon{planeRing(xy(50, 50), xy(150, 50), xy(50, 150))}, 2500, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IntersectionAreaM2(tt.a, tt.b, testZone)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("IntersectionAreaM2 = %.9f, want %.9f", got, tt.want)
			}
			rev, err := IntersectionAreaM2(tt.b, tt.a, testZone)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(rev-got) > 1e-6 {
				t.Errorf("not symmetric: %.9f vs %.9f", got, rev)
			}
		})
	}
}

// TestIntersectionMatchesAreaM2: a parcel intersected with a much larger
// polygon holding it has exactly its own AreaM2.
func TestIntersectionMatchesAreaM2(t *testing.T) {
	big := orb.Polygon{planeRect(-5000, -5000, 5000, 5000)}
	for _, f := range readParcelFixtures(t) {
		if f.Zone != testZone {
			continue
		}
		// Shift the big square onto the parcel.
		c := f.geom.Bound().Center()
		e, n := testZone.Forward(c[0], c[1])
		shift := func(r orb.Ring) orb.Ring {
			out := make(orb.Ring, len(r))
			for i, p := range r {
				x, y := testZone.Forward(p[0], p[1])
				out[i][0], out[i][1] = testZone.Inverse(x-testE0+e, y-testN0+n)
			}
			return out
		}
		got, err := IntersectionAreaM2(f.geom, orb.Polygon{shift(big[0])}, f.Zone)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(got - f.AreaM2); d > 1e-3 {
			t.Errorf("%s: intersection %.6f, PROJ area %.6f", f.Name, got, f.AreaM2)
		}
	}
}

func TestOverlaps(t *testing.T) {
	a := orb.Polygon{planeRect(0, 0, 100, 100)}
	tests := []struct {
		name string
		b    orb.Polygon
		want bool
		area float64
	}{
		{"neighbour", orb.Polygon{planeRect(100, 0, 200, 100)}, false, 0},
		{"sliver of 0.5 m²", orb.Polygon{planeRect(99.995, 0, 200, 100)}, false, 0.5},
		{"2 m × 2 m", orb.Polygon{planeRect(98, 98, 150, 150)}, true, 4},
	}
	for _, tt := range tests {
		got, area, err := Overlaps(a, tt.b, testZone)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want || math.Abs(area-tt.area) > 1e-6 {
			t.Errorf("%s: Overlaps = %v, %.9f; want %v, %v", tt.name, got, area, tt.want, tt.area)
		}
	}
}

func TestIntersectionInvalidInput(t *testing.T) {
	good := orb.Polygon{planeRect(0, 0, 100, 100)}
	bowtie := orb.Polygon{planeRing(xy(0, 0), xy(100, 100), xy(100, 0), xy(0, 100))}
	tests := []struct {
		name string
		a, b orb.Geometry
		code string
	}{
		{"bow tie first", bowtie, good, CodeSelfIntersection},
		{"bow tie second", good, bowtie, CodeSelfIntersection},
		{"unclosed", good, orb.Polygon{good[0][:4]}, CodeRingNotClosed},
		{"point", good, orb.Point{113, 27}, CodeUnsupportedType},
		{"nil", nil, good, CodeEmpty},
	}
	for _, tt := range tests {
		_, err := IntersectionAreaM2(tt.a, tt.b, testZone)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want an *InvalidError", tt.name, err)
			continue
		}
		if ie.Problems[0].Code != tt.code {
			t.Errorf("%s: code %s, want %s", tt.name, ie.Problems[0].Code, tt.code)
		}
		if _, _, err := Overlaps(tt.a, tt.b, testZone); !errors.As(err, &ie) {
			t.Errorf("%s: Overlaps err = %v", tt.name, err)
		}
	}
	// Outside China is no obstacle to an overlay.
	far := orb.Polygon{{{140, 35}, {140.001, 35}, {140.001, 35.001}, {140, 35.001}, {140, 35}}}
	if a, err := IntersectionAreaM2(far, far, 47); err != nil || a < 10000 {
		t.Errorf("outside China: %v, %v", a, err)
	}
}

// An Operand is checked once and then intersects as IntersectionAreaM2
// does; invalid input is refused when the operand is made.
func TestOperands(t *testing.T) {
	a, err := NewOperand(orb.Polygon{planeRect(0, 0, 100, 100)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewOperand(orb.Polygon{planeRect(98, 0, 200, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OperandIntersectionAreaM2(a, b, testZone); err != nil || math.Abs(got-200) > 1e-6 {
		t.Fatalf("2 m strip: %v, %v; want 200 m²", got, err)
	}
	bowTie := orb.Polygon{planeRing(xy(0, 0), xy(100, 100), xy(100, 0), xy(0, 100))}
	var ie *InvalidError
	if _, err := NewOperand(bowTie); !errors.As(err, &ie) {
		t.Fatalf("bow tie: %v, want an *InvalidError", err)
	}
	if _, err := OperandIntersectionAreaM2(a, Operand{}, testZone); err == nil {
		t.Fatal("a zero Operand was overlaid")
	}
}
