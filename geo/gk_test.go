package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestEccentricityConstant(t *testing.T) {
	if d := math.Abs(eccentricity - math.Sqrt(e2)); d > 1e-17 {
		t.Fatalf("eccentricity %v differs from sqrt(e2) %v by %g", eccentricity, math.Sqrt(e2), d)
	}
}

// TestForwardAgainstPROJ compares Forward with cs2cs (testdata/gk_forward.csv:
// zones 25–45, latitudes 3–54°, up to 3° from the central meridian).
func TestForwardAgainstPROJ(t *testing.T) {
	rows := readCSV(t, "testdata/gk_forward.csv")
	if len(rows) < 300 {
		t.Fatalf("only %d fixture points", len(rows))
	}
	var worst float64
	zones := map[Zone]bool{}
	for _, r := range rows {
		z, prefixed, ok := ZoneFromEPSG(int(r[0]))
		if !ok {
			t.Fatalf("EPSG:%v is not a GK zone", r[0])
		}
		zones[z] = true
		var e, n float64
		if prefixed {
			e, n = z.ForwardPrefixed(r[1], r[2])
		} else {
			e, n = z.Forward(r[1], r[2])
		}
		d := math.Max(math.Abs(e-r[3]), math.Abs(n-r[4]))
		worst = math.Max(worst, d)
		if d > 1e-3 {
			t.Errorf("EPSG:%v Forward(%v, %v) = (%.6f, %.6f), PROJ (%.6f, %.6f): off by %.3g m",
				r[0], r[1], r[2], e, n, r[3], r[4], d)
		}
	}
	if len(zones) != 21 {
		t.Errorf("fixtures cover %d zones, want 21", len(zones))
	}
	t.Logf("%d points, worst difference from PROJ %.3g m", len(rows), worst)
}

// TestInverseAgainstPROJ compares Inverse with cs2cs (testdata/gk_inverse.csv).
func TestInverseAgainstPROJ(t *testing.T) {
	rows := readCSV(t, "testdata/gk_inverse.csv")
	if len(rows) < 150 {
		t.Fatalf("only %d fixture points", len(rows))
	}
	var worst float64
	for _, r := range rows {
		z, prefixed, ok := ZoneFromEPSG(int(r[0]))
		if !ok {
			t.Fatalf("EPSG:%v is not a GK zone", r[0])
		}
		var lon, lat float64
		if prefixed {
			lon, lat = z.InversePrefixed(r[1], r[2])
		} else {
			lon, lat = z.Inverse(r[1], r[2])
		}
		d := math.Max(math.Abs(lon-r[3]), math.Abs(lat-r[4]))
		worst = math.Max(worst, d)
		if d > 1e-8 {
			t.Errorf("EPSG:%v Inverse(%v, %v) = (%.12f, %.12f), PROJ (%.12f, %.12f): off by %.3g°",
				r[0], r[1], r[2], lon, lat, r[3], r[4], d)
		}
	}
	t.Logf("%d points, worst difference from PROJ %.3g°", len(rows), worst)
}

func TestForwardInverseRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for range 20000 {
		z := Zone(25 + rng.IntN(21))
		lon := z.CentralMeridian() + (2*rng.Float64()-1)*3
		lat := 3 + 51*rng.Float64()
		e, n := z.Forward(lon, lat)
		lon2, lat2 := z.Inverse(e, n)
		e2, n2 := z.Forward(lon2, lat2)
		worst = math.Max(worst, math.Max(math.Abs(e2-e), math.Abs(n2-n)))
		if d := math.Max(math.Abs(lon2-lon), math.Abs(lat2-lat)); d > 1e-11 {
			t.Fatalf("zone %d: (%v, %v) → (%v, %v) → (%v, %v)", z, lon, lat, e, n, lon2, lat2)
		}
	}
	if worst > 1e-6 {
		t.Fatalf("round trip moves points by %g m", worst)
	}
}

func TestForwardKnownPoints(t *testing.T) {
	tests := []struct {
		z        Zone
		lon, lat float64
		e, n     float64
	}{
		// On the central meridian at the equator: the false origin.
		{38, 114, 0, 500000, 0},
		// cs2cs -d 6 EPSG:4490 EPSG:4547 <<< "27.82 113.08"
		{38, 113.08, 27.82, 409354.942892, 3078834.161269},
		// cs2cs -d 6 EPSG:4490 EPSG:4547 <<< "27.82 116.08" (2° east of the zone's edge)
		{38, 116.08, 27.82, 704957.235102, 3080231.232564},
	}
	for _, tt := range tests {
		e, n := tt.z.Forward(tt.lon, tt.lat)
		if math.Abs(e-tt.e) > 1e-6 || math.Abs(n-tt.n) > 1e-6 {
			t.Errorf("zone %d Forward(%v, %v) = (%.6f, %.6f), want (%.6f, %.6f)", tt.z, tt.lon, tt.lat, e, n, tt.e, tt.n)
		}
	}
}

func TestZoneForLon(t *testing.T) {
	tests := []struct {
		lon  float64
		want Zone
	}{
		{73.5, 25}, {75, 25}, {76.49, 25}, {76.5, 26}, {112.49, 37}, {112.5, 38},
		{113.08, 38}, {114, 38}, {115.49, 38}, {115.5, 39}, {135, 45}, {136, 45},
		{70, 23}, {-3, -1},
	}
	for _, tt := range tests {
		if got := ZoneForLon(tt.lon); got != tt.want {
			t.Errorf("ZoneForLon(%v) = %d, want %d", tt.lon, got, tt.want)
		}
	}
}

func TestZoneEPSG(t *testing.T) {
	tests := []struct {
		z                  Zone
		prefixed, unprefix int
		ok                 bool
	}{
		{24, 0, 0, false},
		{25, 4513, 4534, true},
		{37, 4525, 4546, true},
		{38, 4526, 4547, true},
		{45, 4533, 4554, true},
		{46, 0, 0, false},
	}
	for _, tt := range tests {
		p, ok1 := tt.z.EPSG(true)
		u, ok2 := tt.z.EPSG(false)
		if p != tt.prefixed || u != tt.unprefix || ok1 != tt.ok || ok2 != tt.ok {
			t.Errorf("zone %d: EPSG = %d/%v, %d/%v; want %d, %d, %v", tt.z, p, ok1, u, ok2, tt.prefixed, tt.unprefix, tt.ok)
		}
	}
	for z := Zone(25); z <= 45; z++ {
		for _, prefixed := range []bool{true, false} {
			code, _ := z.EPSG(prefixed)
			z2, p2, ok := ZoneFromEPSG(code)
			if !ok || z2 != z || p2 != prefixed {
				t.Errorf("ZoneFromEPSG(%d) = %d, %v, %v; want %d, %v", code, z2, p2, ok, z, prefixed)
			}
		}
	}
	for _, code := range []int{4490, 4512, 4555, 3857, 0} {
		if _, _, ok := ZoneFromEPSG(code); ok {
			t.Errorf("ZoneFromEPSG(%d) ok", code)
		}
	}
	if !Zone(24).Valid() || !Zone(45).Valid() || Zone(23).Valid() || Zone(46).Valid() {
		t.Error("Valid: wrong range")
	}
	if Zone(38).CentralMeridian() != 114 {
		t.Error("CentralMeridian(38) != 114")
	}
}

func TestSplitPrefixedEasting(t *testing.T) {
	tests := []struct {
		e    float64
		z    Zone
		rest float64
		ok   bool
	}{
		{38512345.678, 38, 512345.678, true},
		{37409354.9429, 37, 409354.9429, true},
		{45100000, 45, 100000, true},
		{24900000, 24, 900000, true},
		{512345.678, 0, 0, false}, // no prefix
		{38050000, 0, 0, false},   // easting too far west
		{23512345, 0, 0, false},   // zone 23
		{46512345, 0, 0, false},   // zone 46
		{3076543.21, 0, 0, false}, // a northing
		{math.NaN(), 0, 0, false},
	}
	for _, tt := range tests {
		z, rest, ok := SplitPrefixedEasting(tt.e)
		if z != tt.z || ok != tt.ok || math.Abs(rest-tt.rest) > 1e-6 {
			t.Errorf("SplitPrefixedEasting(%v) = %d, %v, %v; want %d, %v, %v", tt.e, z, rest, ok, tt.z, tt.rest, tt.ok)
		}
	}
}

func BenchmarkForward(b *testing.B) {
	var s float64
	for i := 0; b.Loop(); i++ {
		e, n := Zone(38).Forward(113+float64(i%1000)*1e-3, 27.5+float64(i%777)*1e-3)
		s += e + n
	}
	_ = s
}

func BenchmarkInverse(b *testing.B) {
	var s float64
	for i := 0; b.Loop(); i++ {
		lon, lat := Zone(38).Inverse(400000+float64(i%1000), 3070000+float64(i%777))
		s += lon + lat
	}
	_ = s
}
