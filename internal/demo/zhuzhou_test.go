package demo_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/demo"
	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// seedClock is the date of seed 004 in China, midday.
func seedClock() time.Time { return time.Date(2022, 6, 28, 12, 0, 0, 0, time.FixedZone("CST", 8*3600)) }

func openService(t testing.TB) (*land.Service, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return land.NewService(st, land.WithClock(seedClock)), st
}

func loadDemo(t testing.TB) (*land.Service, *sqlite.Store, demo.Summary) {
	t.Helper()
	svc, st := openService(t)
	sum, err := demo.LoadZhuzhou(context.Background(), svc, "test")
	if err != nil {
		t.Fatalf("LoadZhuzhou: %v", err)
	}
	return svc, st, sum
}

func TestZhuzhouDemoReproducesSeed004(t *testing.T) {
	ctx := context.Background()
	svc, st, sum := loadDemo(t)
	t.Logf("\n%s", sum)

	rep, err := svc.Rates(ctx, land.RatesQuery{})
	if err != nil {
		t.Fatal(err)
	}
	total := rep.Rows[len(rep.Rows)-1]
	if total.ParkCode != "total" {
		t.Fatalf("last row is %q, want total", total.ParkCode)
	}
	if math.Abs(total.IdentifiedMu-19600) > 0.5 {
		t.Errorf("identified %.4f 亩, want 19600", total.IdentifiedMu)
	}
	if total.DisposedCount != 62 {
		t.Errorf("disposed_count %d, want 62", total.DisposedCount)
	}
	if math.Abs(total.DisposedMu-2497) > 0.5 {
		t.Errorf("disposed %.4f 亩, want 2497", total.DisposedMu)
	}
	if total.BuiltupShare == nil || math.Abs(*total.BuiltupShare-0.188) > 0.0005 {
		t.Errorf("builtup_share %v, want 0.188", total.BuiltupShare)
	}
	first := rep.Rows[0]
	if first.ParkName != "醴陵经开区" || first.Rate == nil || math.Abs(*first.Rate-0.723) > 0.0005 {
		t.Errorf("first row %s %v, want 醴陵经开区 at 0.723", first.ParkName, first.Rate)
	} else {
		t.Logf("first: %s %.1f%%", first.ParkName, 100**first.Rate)
	}
	for _, r := range rep.Rows[1 : len(rep.Rows)-1] {
		if r.Rate == nil || *r.Rate >= *first.Rate {
			t.Errorf("park %s rate %v not below the first", r.ParkCode, r.Rate)
		}
		if r.BuiltupShare == nil || *r.BuiltupShare < 0.05 || *r.BuiltupShare > 0.4 {
			t.Errorf("park %s builtup_share %v", r.ParkCode, r.BuiltupShare)
		}
	}
	// The exact figures the scheme aims at, far inside the acceptance bounds.
	if math.Abs(total.IdentifiedMu-19600) > 0.05 || math.Abs(total.DisposedMu-2497) > 0.05 || math.Abs(*first.Rate-0.723) > 0.0002 {
		t.Errorf("figures not exact: %.6f / %.6f / %.6f", total.IdentifiedMu, total.DisposedMu, *first.Rate)
	}

	parks, err := st.ListParks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var largest land.Park
	for _, p := range parks {
		if !p.Demo || p.City != "株洲市" {
			t.Errorf("park %s: demo %t city %q", p.Code, p.Demo, p.City)
		}
		if p.AreaMu > largest.AreaMu {
			largest = p
		}
		if n := len(p.Boundary[0][0]) - 1; n < 20 || n > 30 {
			t.Errorf("park %s: %d vertices", p.Code, n)
		}
	}
	if largest.Code != "ZZGX" {
		t.Errorf("largest park %s, want 株洲高新区", largest.Name)
	}
	// Parks do not overlap.
	for i := range parks {
		for j := i + 1; j < len(parks); j++ {
			a, err := geo.IntersectionAreaM2(parks[i].Boundary, parks[j].Boundary, 38)
			if err != nil || a > 0 {
				t.Errorf("parks %s and %s overlap: %.1f m² %v", parks[i].Code, parks[j].Code, a, err)
			}
		}
	}

	ps, err := st.ListParcels(ctx, land.ParcelFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != sum.Parcels {
		t.Fatalf("%d parcels stored, summary says %d", len(ps), sum.Parcels)
	}
	straddling, inProgress := 0, 0
	classMu := map[land.Class]float64{}
	for _, p := range ps {
		if p.AreaMu < 5 || p.AreaMu > 300 {
			t.Errorf("parcel %s: %.2f 亩", p.Code, p.AreaMu)
		}
		poly, ok := p.Geometry.(orb.Polygon)
		if !ok {
			t.Fatalf("parcel %s: %T", p.Code, p.Geometry)
		}
		if n := len(poly[0]) - 1; n < 8 || n > 30 {
			t.Errorf("parcel %s: %d vertices", p.Code, n)
		}
		if p.DeclaredAreaMu == nil || math.Abs(*p.DeclaredAreaMu-p.AreaMu) > 0.01 {
			t.Errorf("parcel %s: declared %v, computed %.4f", p.Code, p.DeclaredAreaMu, p.AreaMu)
		}
		if !p.HasFlag(land.FlagDemo) {
			t.Errorf("parcel %s not flagged demo", p.Code)
		}
		if p.HasFlag(land.FlagStraddlesBoundary) {
			straddling++
		}
		if p.Status == land.InProgress {
			inProgress++
			if p.Disposed != 0 {
				t.Errorf("in-progress parcel %s has %.2f 亩 disposed", p.Code, p.Disposed)
			}
		}
		if p.IdentifiedOn.Before(land.NewDate(2021, 1, 1)) || p.IdentifiedOn.After(demo.SeedDate()) {
			t.Errorf("parcel %s identified on %s", p.Code, p.IdentifiedOn)
		}
		classMu[p.Class] += p.AreaMu
	}
	if straddling < 2 || inProgress < 5 {
		t.Errorf("%d straddling, %d in progress", straddling, inProgress)
	}
	for _, c := range land.Classes {
		t.Logf("%s: %.1f%%", c.Name(), 100*classMu[c]/total.IdentifiedMu)
	}
	if s := classMu[land.Unsupplied] / total.IdentifiedMu; s < 0.38 || s > 0.52 {
		t.Errorf("批而未供 share %.3f", s)
	}
}

// layerBytes is every park and parcel as stored: geometry, area and fields.
func layerBytes(t *testing.T, st land.Store) []byte {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	parks, err := st.ListParks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parks {
		b.WriteString(p.Code)
		b.Write(geo.AppendGeometryJSON(nil, p.Boundary, land.CoordinateDecimals))
	}
	ps, err := st.ListParcels(ctx, land.ParcelFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		b.WriteString(p.Code + p.SupervisionNo + p.ProjectName + p.LandUser + string(p.Status) + p.IdentifiedOn.String())
		b.Write(geo.AppendGeometryJSON(nil, p.Geometry, land.CoordinateDecimals))
		b.WriteString(" " + formatFloat(p.AreaM2) + " " + formatFloat(p.Disposed))
	}
	return b.Bytes()
}

func formatFloat(f float64) string { return string(geo.AppendGeometryJSON(nil, orb.Point{f, 0}, 12)) }

func TestZhuzhouDemoDeterministic(t *testing.T) {
	_, st1, s1 := loadDemo(t)
	_, st2, s2 := loadDemo(t)
	if s1.String() != s2.String() {
		t.Errorf("summaries differ:\n%s\n%s", s1, s2)
	}
	if !bytes.Equal(layerBytes(t, st1), layerBytes(t, st2)) {
		t.Error("two loads stored different parks or parcels")
	}
}

func TestZhuzhouDemoRefusesNonEmpty(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := loadDemo(t)
	before, err := st.CountRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadZhuzhou(ctx, svc, "test"); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second load: %v, want ErrNotEmpty", err)
	}
	after, err := st.CountRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("refused load changed the rows: %+v → %+v", before, after)
	}

	// A database with one real park is refused too.
	svc2, _ := openService(t)
	real := land.ParkInput{Code: "REAL", Name: "某园区", Level: land.LevelProvincial, City: "长沙市",
		Boundary: orb.MultiPolygon{{{{113, 28}, {113.01, 28}, {113.01, 28.01}, {113, 28.01}, {113, 28}}}}}
	if _, err := svc2.CreatePark(ctx, land.Operator("test"), real); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadZhuzhou(ctx, svc2, "test"); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("load into a real database: %v, want ErrNotEmpty", err)
	}
}
