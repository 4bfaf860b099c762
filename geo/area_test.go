package geo

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestAreaM2AgainstPROJ: AreaM2 of the fixture parcels equals the shoelace
// area of their vertices as projected by PROJ, and each vertex projects to
// PROJ's coordinates.
func TestAreaM2AgainstPROJ(t *testing.T) {
	fs := readParcelFixtures(t)
	if len(fs) < 5 {
		t.Fatalf("%d fixture parcels", len(fs))
	}
	for _, f := range fs {
		t.Run(f.Name, func(t *testing.T) {
			got := AreaM2(f.geom, f.Zone)
			if d := math.Abs(got - f.AreaM2); d > 1e-3 {
				t.Errorf("AreaM2 = %.6f m², PROJ + shoelace %.6f m²: off by %.3g m²", got, f.AreaM2, d)
			}
			if d := math.Abs(MuFromM2(got) - f.AreaMu); d > 1e-5 {
				t.Errorf("area %.6f 亩, fixture %.6f 亩", MuFromM2(got), f.AreaMu)
			}
			if CentroidZone(f.geom) != f.Zone {
				t.Errorf("CentroidZone = %d, want %d", CentroidZone(f.geom), f.Zone)
			}
			if p := Validate(f.geom); len(p) > 0 {
				t.Errorf("Validate: %v", p)
			}
			// Vertices against PROJ.
			var gk [][][][2]float64
			switch f.geom.(type) {
			case orb.Polygon:
				var c [][][2]float64
				if err := json.Unmarshal(f.GKCoordinates, &c); err != nil {
					t.Fatal(err)
				}
				gk = [][][][2]float64{c}
			default:
				if err := json.Unmarshal(f.GKCoordinates, &gk); err != nil {
					t.Fatal(err)
				}
			}
			polys := asPolygons(f.geom)
			for pi, p := range polys {
				for ri, r := range p {
					for i, pt := range r {
						e, n := f.Zone.Forward(pt[0], pt[1])
						want := gk[pi][ri][i]
						if math.Abs(e-want[0]) > 1e-3 || math.Abs(n-want[1]) > 1e-3 {
							t.Fatalf("vertex %d/%d/%d: (%.6f, %.6f), PROJ (%.6f, %.6f)", pi, ri, i, e, n, want[0], want[1])
						}
					}
				}
			}
		})
	}
}

// asPolygons is Polygons without its ok, for ranging over.
func asPolygons(g orb.Geometry) []orb.Polygon {
	polys, _ := Polygons(g)
	return polys
}

func reversed(r orb.Ring) orb.Ring {
	out := slices.Clone(r)
	slices.Reverse(out)
	return out
}

func TestAreaM2(t *testing.T) {
	square := planeRect(0, 0, 100, 100)
	hole := planeRect(20, 20, 40, 50) // 600 m²
	far := planeRect(1000, 0, 1050, 40)
	tests := []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"square ccw", orb.Polygon{square}, 10000},
		{"square cw", orb.Polygon{reversed(square)}, 10000},
		{"square unclosed", orb.Polygon{square[:4]}, 10000},
		{"with hole", orb.Polygon{square, reversed(hole)}, 9400},
		{"with hole, same orientation", orb.Polygon{square, hole}, 9400},
		{"multipolygon", orb.MultiPolygon{{square, hole}, {far}}, 9400 + 2000},
		{"ring", square, 10000},
		{"triangle", orb.Polygon{planeRing([2]float64{0, 0}, [2]float64{30, 0}, [2]float64{0, 20})}, 300},
		{"one 亩", orb.Polygon{planeRect(0, 0, 20, 100.0/3)}, M2PerMu},
		{"empty polygon", orb.Polygon{}, 0},
		{"degenerate ring", orb.Polygon{square[:2]}, 0},
		{"point", orb.Point{113, 27}, 0},
		{"line", orb.LineString(square), 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		got := AreaM2(tt.g, testZone)
		if math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("%s: AreaM2 = %.9f, want %.9f", tt.name, got, tt.want)
		}
	}
}

func TestAreaM2OtherZone(t *testing.T) {
	// The same parcel measured in the neighbouring zone is larger by the
	// square of the scale there (k² ≈ 1 + x²/R², x ≈ 387 km from 117°E).
	p := orb.Polygon{planeRect(0, 0, 100, 100)}
	a38, a39 := AreaM2(p, 38), AreaM2(p, 39)
	if r := a39/a38 - 1; r < 3.4e-3 || r > 3.8e-3 {
		t.Errorf("zone 39 / zone 38 area ratio - 1 = %g, want about 3.6e-3", r)
	}
}

func TestMu(t *testing.T) {
	if math.Abs(MuFromM2(10000)-15) > 1e-12 || math.Abs(M2FromMu(15)-10000) > 1e-9 {
		t.Errorf("1 公顷 = %v 亩", MuFromM2(10000))
	}
	if math.Abs(M2PerMu-666.6666666666666) > 1e-9 {
		t.Errorf("M2PerMu = %v", M2PerMu)
	}
}

func TestCentroidZone(t *testing.T) {
	sq := func(lon, lat float64) orb.Polygon {
		return orb.Polygon{{{lon, lat}, {lon + 0.01, lat}, {lon + 0.01, lat + 0.01}, {lon, lat + 0.01}, {lon, lat}}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want Zone
	}{
		{"zhuzhou", sq(113.08, 27.82), 38},
		{"west of 112.5", sq(112.3, 27.8), 37},
		{"straddling 112.5, mostly east", orb.Polygon{{{112.49, 27}, {112.6, 27}, {112.6, 27.1}, {112.49, 27.1}, {112.49, 27}}}, 38},
		{"multipolygon, big part decides", orb.MultiPolygon{sq(112.0, 27), {{{114, 27}, {114.5, 27}, {114.5, 27.5}, {114, 27.5}, {114, 27}}}}, 38},
		{"point", orb.Point{117.2, 31.8}, 39},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		if got := CentroidZone(tt.g); got != tt.want {
			t.Errorf("%s: CentroidZone = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// BenchmarkAreaM2 measures AreaM2 on 20-vertex parcels; ns/vertex is the
// figure to watch (target ≤ 1 µs, typically below 100 ns).
func BenchmarkAreaM2(b *testing.B) {
	parks := SyntheticParks(3, 10)
	parcels := SyntheticParcels(4, parks, 1000)
	vertices := 0
	for _, p := range parcels {
		vertices += len(p[0])
	}
	b.ResetTimer()
	var s float64
	for b.Loop() {
		for _, p := range parcels {
			s += AreaM2(p, 38)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(vertices), "ns/vertex")
	_ = s
}
