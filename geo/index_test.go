package geo

import (
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

func testParks() []orb.MultiPolygon {
	return []orb.MultiPolygon{
		{{planeRect(0, 0, 1000, 1000)}},                                               // 0
		{{planeRect(1000, 0, 2000, 1000)}},                                            // 1, shares an edge with 0
		{{planeRect(3000, 0, 4000, 1000), reversed(planeRect(3400, 400, 3600, 600))}}, // 2, with a hole
		{{planeRect(5000, 0, 5500, 500)}, {planeRect(6000, 0, 6500, 500)}},            // 3, two parts
		{}, // 4, empty
	}
}

func TestAreaIndexShares(t *testing.T) {
	ix, err := NewAreaIndex(testParks())
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 5 {
		t.Fatalf("Len = %d", ix.Len())
	}
	rect := func(x0, y0, x1, y1 float64) orb.Polygon { return orb.Polygon{planeRect(x0, y0, x1, y1)} }
	tests := []struct {
		name   string
		g      orb.Geometry
		zone   Zone
		want   []Share
		inside bool
	}{
		{"inside 0", rect(100, 100, 200, 300), testZone, []Share{{0, 20000}}, true},
		{"across 0|1, more in 1", rect(950, 100, 1100, 200), testZone, []Share{{1, 10000}, {0, 5000}}, false},
		{"across 0|1, more in 0", rect(800, 100, 1100, 200), testZone, []Share{{0, 20000}, {1, 10000}}, false},
		{"partly outside 0", rect(-50, 100, 50, 200), testZone, []Share{{0, 5000}}, false},
		{"outside all", rect(2200, 100, 2300, 200), testZone, nil, false},
		{"in the bounding box of 0 but far from it", rect(8000, 100, 8100, 200), testZone, nil, false},
		{"in the hole of 2", rect(3450, 450, 3550, 550), testZone, nil, false},
		{"half in the hole of 2", rect(3300, 450, 3500, 550), testZone, []Share{{2, 10000}}, false},
		{"around the hole of 2", rect(3300, 300, 3700, 700), testZone, []Share{{2, 160000 - 40000}}, false},
		{"touching 0's boundary from inside", rect(0, 100, 100, 200), testZone, []Share{{0, 10000}}, true},
		{"touching 0's boundary from outside", rect(-100, 100, 0, 200), testZone, nil, false},
		{"in the second part of 3", rect(6100, 100, 6200, 200), testZone, []Share{{3, 10000}}, true},
		{"between the parts of 3", rect(5600, 100, 5700, 200), testZone, nil, false},
		{"across both parts of 3", rect(5400, 100, 6100, 200), testZone, []Share{{3, 20000}}, false},
		{"multipolygon over 0 and 1", orb.MultiPolygon{rect(100, 100, 200, 200), rect(1100, 100, 1300, 200)}, testZone,
			[]Share{{1, 20000}, {0, 10000}}, false},
		{"multipolygon in 0", orb.MultiPolygon{rect(100, 100, 200, 200), rect(300, 100, 500, 200)}, testZone,
			[]Share{{0, 30000}}, true},
		{"larger than 0 on three sides", rect(-10, -10, 990, 1010), testZone, []Share{{0, 990000}, {1, 0}}, false},
		{"holding the first part of 3", rect(4900, -100, 5600, 600), testZone, []Share{{3, 250000}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, inside, err := ix.Shares(tt.g, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want[:0:0]
			for _, s := range tt.want {
				if s.AreaM2 > 0 {
					want = append(want, s)
				}
			}
			if len(got) != len(want) || inside != tt.inside {
				t.Fatalf("Shares = %v, %v; want %v, %v", got, inside, want, tt.inside)
			}
			for i := range got {
				if got[i].Index != want[i].Index || math.Abs(got[i].AreaM2-want[i].AreaM2) > 1e-4 {
					t.Fatalf("Shares = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestAreaIndexSharesOtherZone(t *testing.T) {
	ix, err := NewAreaIndex(testParks())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []orb.Polygon{{planeRect(100, 100, 200, 300)}, {planeRect(950, 100, 1100, 200)}} {
		got, _, err := ix.Shares(g, 39)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, s := range got {
			sum += s.AreaM2
		}
		if want := AreaM2(g, 39); math.Abs(sum-want) > 1e-4 {
			t.Errorf("shares in zone 39 sum to %.6f, AreaM2 in zone 39 is %.6f", sum, want)
		}
	}
}

func TestAreaIndexErrors(t *testing.T) {
	parks := testParks()
	parks[1] = orb.MultiPolygon{{planeRing(xy(0, 0), xy(100, 100), xy(100, 0), xy(0, 100))}}
	_, err := NewAreaIndex(parks)
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "area 1") {
		t.Errorf("NewAreaIndex with a bow tie: %v", err)
	}

	ix, err := NewAreaIndex(testParks())
	if err != nil {
		t.Fatal(err)
	}
	bowtie := orb.Polygon{planeRing(xy(900, 0), xy(1100, 100), xy(1100, 0), xy(900, 100))}
	if _, _, err := ix.Shares(bowtie, testZone); !errors.As(err, &ie) {
		t.Errorf("Shares of a bow tie across two areas: %v", err)
	}
	if _, _, err := ix.Shares(orb.Point{113, 27}, testZone); err == nil {
		t.Error("Shares of a point: no error")
	}
	if s, in, err := ix.Shares(orb.Polygon{}, testZone); s != nil || in || err != nil {
		t.Errorf("Shares of an empty polygon: %v, %v, %v", s, in, err)
	}
	empty, err := NewAreaIndex(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, in, err := empty.Shares(orb.Polygon{planeRect(0, 0, 10, 10)}, testZone); s != nil || in || err != nil {
		t.Errorf("Shares with no areas: %v, %v, %v", s, in, err)
	}
}

// TestAreaIndexAgainstOverlay: on synthetic parks and parcels, the shares
// (fast path or not) equal plain overlays with every park.
func TestAreaIndexAgainstOverlay(t *testing.T) {
	parks := SyntheticParks(11, 20)
	parcels := SyntheticParcels(12, parks, 1000)
	ix, err := NewAreaIndex(parks)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parcels {
		z := CentroidZone(p)
		got, inside, err := ix.Shares(p, z)
		if err != nil {
			t.Fatal(err)
		}
		var want []Share
		for _, k := range ix.Candidates(p.Bound()) {
			a, err := IntersectionAreaM2(p, parks[k], z)
			if err != nil {
				t.Fatal(err)
			}
			if a >= MinAreaM2 {
				want = append(want, Share{k, a})
			}
		}
		if len(got) != len(want) {
			t.Fatalf("parcel %d: shares %v, overlay %v", i, got, want)
		}
		var sum float64
		for _, s := range got {
			sum += s.AreaM2
			found := false
			for _, w := range want {
				found = found || (w.Index == s.Index && math.Abs(w.AreaM2-s.AreaM2) < 1e-4)
			}
			if !found {
				t.Fatalf("parcel %d: shares %v, overlay %v", i, got, want)
			}
		}
		if full := AreaM2(p, z); inside != (len(got) == 1 && math.Abs(sum-full) < 1e-4) {
			t.Fatalf("parcel %d: inside = %v with shares %v of %.4f m²", i, inside, got, full)
		}
	}
}

func TestAreaIndexConcurrent(t *testing.T) {
	parks := SyntheticParks(21, 20)
	parcels := SyntheticParcels(22, parks, 2000)
	ix, err := NewAreaIndex(parks)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]Share, len(parcels))
	for i, p := range parcels {
		if want[i], _, err = ix.Shares(p, CentroidZone(p)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(parcels); i += 3 {
				got, _, err := ix.Shares(parcels[i], CentroidZone(parcels[i]))
				if err != nil || len(got) != len(want[i]) || (len(got) > 0 && got[0] != want[i][0]) {
					errs <- "parcel differs under concurrency"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// BenchmarkAssign100kParcels3000Parks assigns 100 000 synthetic parcels to
// 3 000 synthetic parks (zone of each parcel's centroid, as the service
// does). Budget: 5 s per op on one core:
//
//	go test ./geo -run '^$' -bench Assign100k -cpu 1 -benchtime 1x
func BenchmarkAssign100kParcels3000Parks(b *testing.B) {
	parks := SyntheticParks(1, 3000)
	parcels := SyntheticParcels(2, parks, 100000)
	ix, err := NewAreaIndex(parks)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		straddling := 0
		for _, p := range parcels {
			shares, inside, err := ix.Shares(p, CentroidZone(p))
			if err != nil {
				b.Fatal(err)
			}
			if len(shares) == 0 {
				b.Fatal("parcel outside every park")
			}
			if !inside {
				straddling++
			}
		}
		b.ReportMetric(float64(straddling), "straddling")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/assign-all")
}

// BenchmarkNewAreaIndex3000Parks builds the index over 3 000 parks.
func BenchmarkNewAreaIndex3000Parks(b *testing.B) {
	parks := SyntheticParks(1, 3000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewAreaIndex(parks); err != nil {
			b.Fatal(err)
		}
	}
}
