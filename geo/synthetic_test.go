package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/rtree"
)

func TestSyntheticParks(t *testing.T) {
	parks := SyntheticParks(7, 200)
	if len(parks) != 200 {
		t.Fatalf("%d parks", len(parks))
	}
	zones := map[Zone]bool{}
	items := make([]rtree.BulkItem, len(parks))
	for i, p := range parks {
		if len(p) != 1 || len(p[0]) != 1 || len(p[0][0]) != SyntheticParkVertices+1 {
			t.Fatalf("park %d: shape %v", i, p)
		}
		if probs := Validate(p); len(probs) > 0 {
			t.Fatalf("park %d: %v", i, probs)
		}
		z := CentroidZone(p)
		zones[z] = true
		if km2 := AreaM2(p, z) / 1e6; km2 < 4.99 || km2 > 40.01 {
			t.Errorf("park %d: %.3f km²", i, km2)
		}
		b := p.Bound()
		if b.Min[0] < 105 || b.Max[0] > 120 || b.Min[1] < 22 || b.Max[1] > 32 {
			t.Errorf("park %d outside lon 105–120, lat 22–32: %v", i, b)
		}
		if RingSignedArea(p[0][0]) <= 0 {
			t.Errorf("park %d: shell not counter-clockwise", i)
		}
		items[i] = rtree.BulkItem{Box: boxOf(b), RecordID: i}
	}
	if len(zones) != 6 {
		t.Errorf("parks in %d zones, want 6 (35–40)", len(zones))
	}
	// Not even the bounding boxes overlap.
	tree := rtree.BulkLoad(items)
	for i, p := range parks {
		_ = tree.RangeSearch(boxOf(p.Bound()), func(j int) error {
			if j != i {
				t.Errorf("parks %d and %d overlap", i, j)
			}
			return nil
		})
	}
	if again := SyntheticParks(7, 200); !orb.Equal(again[17], parks[17]) {
		t.Error("not deterministic")
	}
	if other := SyntheticParks(8, 200); orb.Equal(other[17], parks[17]) {
		t.Error("seed ignored")
	}
	if SyntheticParks(1, 0) != nil {
		t.Error("n = 0")
	}
}

func TestSyntheticParcels(t *testing.T) {
	parks := SyntheticParks(3, 40)
	const n = 4000
	parcels := SyntheticParcels(4, parks, n)
	if len(parcels) != n {
		t.Fatalf("%d parcels, want %d", len(parcels), n)
	}
	ix, err := NewAreaIndex(parks)
	if err != nil {
		t.Fatal(err)
	}
	straddling := 0
	minMu, maxMu := math.Inf(1), 0.0
	items := make([]rtree.BulkItem, len(parcels))
	for i, p := range parcels {
		if v := len(p[0]) - 1; len(p) != 1 || v < 8 || v > 30 {
			t.Fatalf("parcel %d: %d rings, %d vertices", i, len(p), v)
		}
		if probs := Validate(p); len(probs) > 0 {
			t.Fatalf("parcel %d: %v", i, probs)
		}
		z := CentroidZone(p)
		mu := MuFromM2(AreaM2(p, z))
		minMu, maxMu = math.Min(minMu, mu), math.Max(maxMu, mu)
		shares, inside, err := ix.Shares(p, z)
		if err != nil {
			t.Fatal(err)
		}
		if len(shares) == 0 {
			t.Fatalf("parcel %d in no park", i)
		}
		if !inside {
			straddling++
			if len(shares) != 1 || shares[0].AreaM2 > 0.95*AreaM2(p, z) {
				t.Errorf("parcel %d: shares %v of %.1f m²: not clearly straddling", i, shares, AreaM2(p, z))
			}
		}
		items[i] = rtree.BulkItem{Box: boxOf(p.Bound()), RecordID: i}
	}
	if minMu < SyntheticParcelMinMu || maxMu > SyntheticParcelMaxMu {
		t.Errorf("areas %.3f–%.3f 亩, want within 5–300", minMu, maxMu)
	}
	if maxMu < 100 {
		t.Errorf("largest parcel %.1f 亩: sizes do not spread", maxMu)
	}
	if f := float64(straddling) / n; f < 0.02 || f > 0.04 {
		t.Errorf("straddling fraction %.4f, want 0.02–0.04", f)
	}
	// No two parcels overlap.
	tree := rtree.BulkLoad(items)
	for i, p := range parcels {
		_ = tree.RangeSearch(boxOf(p.Bound()), func(j int) error {
			if j <= i {
				return nil
			}
			a, err := IntersectionAreaM2(p, parcels[j], CentroidZone(p))
			if err != nil {
				t.Fatal(err)
			}
			if a > 0 {
				t.Errorf("parcels %d and %d overlap by %.3f m²", i, j, a)
			}
			return nil
		})
	}
	if again := SyntheticParcels(4, parks, n); !orb.Equal(again[1234], parcels[1234]) {
		t.Error("not deterministic")
	}
	if SyntheticParcels(1, nil, 10) != nil || SyntheticParcels(1, parks, 0) != nil {
		t.Error("no parks or n = 0 should give nil")
	}
}
