package demo

import (
	"math"
	"testing"

	"panhuo/geo"
	"panhuo/internal/land"
)

func TestCoordScaleMatchesLand(t *testing.T) {
	if coordScale != math.Pow10(land.CoordinateDecimals) {
		t.Fatalf("coordScale %g, want 10^%d", coordScale, land.CoordinateDecimals)
	}
}

func TestPlanZhuzhou(t *testing.T) {
	plans, err := planZhuzhou()
	if err != nil {
		t.Fatal(err)
	}
	var total, disp, builtup float64
	n := 0
	for _, pp := range plans {
		builtup += pp.spec.builtupMu
		var park float64
		for _, p := range pp.parcels {
			g := geo.Normalize(p.input.Geometry, land.CoordinateDecimals)
			a := geo.MuFromM2(geo.AreaM2(g, geo.CentroidZone(g)))
			park += a
			total += a
			if p.disposed {
				disp += a
			}
			n++
		}
		t.Logf("%s: %d parcels %.4f 亩, park %.1f km²", pp.spec.code, len(pp.parcels), park, geo.AreaM2(pp.input.Boundary, 38)/1e6)
	}
	t.Logf("total %d parcels %.6f 亩, disposed %.6f 亩, builtup %.2f", n, total, disp, builtup)
	// Fitted to a few thousandths of a square metre per parcel, with the
	// rounding carried from parcel to parcel: the sums are exact to 1e-5 亩.
	if math.Abs(total-IdentifiedMu) > 1e-5 || math.Abs(disp-DisposedMu) > 1e-5 {
		t.Errorf("planned %.8f 亩 identified and %.8f 亩 disposed, want %g and %g", total, disp, IdentifiedMu, DisposedMu)
	}
	// 19600 ÷ 0.188 = 104 255.319… 亩, to two decimals as a ledger holds it.
	if math.Abs(builtup-104255.32) > 1e-6 || math.Abs(IdentifiedMu/builtup-BuiltupShare) > 1e-8 {
		t.Errorf("built-up areas sum to %.4f 亩, want 104255.32", builtup)
	}
}
