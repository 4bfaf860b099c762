package land_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// fixture is a service on a fresh SQLite file with a settable clock and one
// park, a 2 km square near 株洲 (zone 38).
type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *land.Service
	store *sqlite.Store
	today time.Time
}

const (
	parkLon = 113.15
	parkLat = 27.80
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "land.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, ctx: ctx, store: st, today: time.Date(2022, 6, 28, 10, 0, 0, 0, time.UTC)}
	f.svc = land.NewService(st, land.WithClock(func() time.Time { return f.today }))
	f.park("ZZGX", "株洲高新区", parkLon, parkLat, 2000, 2022, 100)
	return f
}

// square returns a lon/lat polygon that is a square of side metres on the
// zone-38 plane, south-west corner at (e, n) metres from the given origin.
func square(lon, lat, e, n, side float64) orb.Polygon {
	z := geo.Zone(38)
	x0, y0 := z.Forward(lon, lat)
	pts := [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}}
	ring := make(orb.Ring, len(pts))
	for i, p := range pts {
		lo, la := z.Inverse(x0+e+p[0], y0+n+p[1])
		ring[i] = orb.Point{lo, la}
	}
	return orb.Polygon{ring}
}

func (f *fixture) park(code, name string, lon, lat, side float64, year int, target float64) land.Park {
	f.t.Helper()
	p, err := f.svc.CreatePark(f.ctx, land.Operator("test"), land.ParkInput{
		Code: code, Name: name, Level: land.LevelProvincial, City: "株洲市",
		Boundary:  orb.MultiPolygon{square(lon, lat, 0, 0, side)},
		BuiltupMu: 3000, TargetMu: target, TargetYear: year,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// parcel creates a square parcel of side metres at (e, n) metres inside the park.
func (f *fixture) parcel(class land.Class, e, n, side float64, identified string) land.Parcel {
	f.t.Helper()
	p, err := f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{
		Class: class, Geometry: square(parkLon, parkLat, e, n, side),
		ParcelFields: land.ParcelFields{IdentifiedOn: land.MustDate(identified)},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) dispose(id int64, method, date string, area float64) land.Parcel {
	f.t.Helper()
	in := land.DisposalInput{Method: method, Date: land.MustDate(date)}
	if area > 0 {
		in.AreaMu = &area
	}
	_, p, err := f.svc.AddDisposal(f.ctx, land.Operator("officer"), id, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// near compares areas in 亩: the test squares are exact on the plane, but
// stored coordinates are rounded to 1e-8° (about 1 mm), which moves a
// 200 m square's area by up to about half a square metre.
func near(a, b float64) bool { return math.Abs(a-b) < 0.002 }

func TestParcelIsMeasuredOnTheGaussKrugerPlane(t *testing.T) {
	f := newFixture(t)
	p := f.parcel(land.Idle, 100, 100, 100, "2022-01-10") // 100 m × 100 m = 10 000 m² = 15 亩
	if math.Abs(p.AreaM2-10000) > 0.3 || math.Abs(p.AreaMu-15) > 0.0005 {
		t.Fatalf("area %v m² / %v 亩, want 10000 m² / 15 亩", p.AreaM2, p.AreaMu)
	}
	if p.ParkCode != "ZZGX" || p.GKZone != 38 || p.Status != land.Pending || p.Version != 1 {
		t.Fatalf("parcel %+v", p)
	}
	if len(p.Flags) != 0 {
		t.Fatalf("flags %v for a parcel wholly inside its park", p.Flags)
	}
}

func TestParcelStraddlingParksGoesToTheLargerShare(t *testing.T) {
	f := newFixture(t)
	// A second park east of the first, touching it along x = 2000 m.
	z := geo.Zone(38)
	x0, y0 := z.Forward(parkLon, parkLat)
	lon2, lat2 := z.Inverse(x0+2000, y0)
	f.park("ZZJK", "株洲经开区", lon2, lat2, 2000, 2022, 100)
	// 300 m wide: 100 m in ZZGX, 200 m in ZZJK.
	p, err := f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Unsupplied,
		Geometry: square(parkLon, parkLat, 1900, 500, 300)})
	if err != nil {
		t.Fatal(err)
	}
	if p.ParkCode != "ZZJK" || !p.HasFlag(land.FlagStraddlesBoundary) {
		t.Fatalf("park %s flags %v, want ZZJK straddling", p.ParkCode, p.Flags)
	}
	// Half outside every park: accepted, flagged.
	p, err = f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Unsupplied,
		Geometry: square(parkLon, parkLat, 500, -50, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if p.ParkCode != "ZZGX" || !p.HasFlag(land.FlagStraddlesBoundary) {
		t.Fatalf("park %s flags %v, want ZZGX straddling", p.ParkCode, p.Flags)
	}
}

func TestOutsideEveryParkIsRefusedAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	before, _ := f.store.CountRows(f.ctx)
	_, err := f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Idle,
		Geometry: square(parkLon, parkLat, 5000, 5000, 100)})
	e, ok := land.AsError(err)
	if !ok || e.Kind != land.KindOutsideParks || e.Fields[0].Field != "geometry" {
		t.Fatalf("err = %v", err)
	}
	after, _ := f.store.CountRows(f.ctx)
	if before != after {
		t.Fatalf("rows changed: %+v → %+v", before, after)
	}
}

func TestBatchIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	before, _ := f.store.CountRows(f.ctx)
	_, err := f.svc.CreateParcels(f.ctx, land.Operator("officer"), []land.ParcelInput{
		{Class: land.Idle, Geometry: square(parkLon, parkLat, 100, 100, 100)},
		{Class: land.Idle, Geometry: square(parkLon, parkLat, 150, 150, 100)}, // overlaps the first
		{Class: "vacant", Geometry: square(parkLon, parkLat, 500, 500, 100)},
	})
	var be *land.BatchError
	if !errors.As(err, &be) || len(be.Items) != 2 || be.Items[1].Kind != land.KindConflict || be.Items[2].Fields[0].Field != "class" {
		t.Fatalf("err = %#v", err)
	}
	after, _ := f.store.CountRows(f.ctx)
	if before != after {
		t.Fatalf("rows changed: %+v → %+v", before, after)
	}
}

func TestDisposalStepsDriveStatusAndNeverExceedTheArea(t *testing.T) {
	f := newFixture(t)
	p := f.parcel(land.Unsupplied, 100, 100, 200, "2021-03-01") // 60 亩
	p = f.dispose(p.ID, "land_reserve", "2021-05-01", 0)        // does not count
	if p.Status != land.InProgress || p.Disposed != 0 {
		t.Fatalf("after 纳入储备: %s %v", p.Status, p.Disposed)
	}
	p = f.dispose(p.ID, "supply", "2021-09-01", 36) // 36 of 60 亩 supplied
	if p.Status != land.InProgress || !near(p.Disposed, 36) {
		t.Fatalf("after partial supply: %s %v", p.Status, p.Disposed)
	}
	too := 30.0
	_, _, err := f.svc.AddDisposal(f.ctx, land.Operator("officer"), p.ID, land.DisposalInput{Method: "supply", Date: land.MustDate("2022-01-01"), AreaMu: &too})
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "area_mu" {
		t.Fatalf("30 亩 of 24 left: err = %v", err)
	}
	_, _, err = f.svc.AddDisposal(f.ctx, land.Operator("officer"), p.ID, land.DisposalInput{Method: "start_construction", Date: land.MustDate("2022-01-01")})
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "method" {
		t.Fatalf("an idle-land method on 批而未供: err = %v", err)
	}
	_, _, err = f.svc.AddDisposal(f.ctx, land.Operator("officer"), p.ID, land.DisposalInput{Method: "supply", Date: land.MustDate("2022-07-01")})
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "date" {
		t.Fatalf("a step dated after today: err = %v", err)
	}
	p = f.dispose(p.ID, "withdraw_approval", "2022-02-01", 0) // the rest
	if p.Status != land.Disposed || p.Disposed != p.AreaMu || p.RemainingMu() != 0 {
		t.Fatalf("after the rest: %s %v of %v", p.Status, p.Disposed, p.AreaMu)
	}
	if _, _, err := f.svc.AddDisposal(f.ctx, land.Operator("officer"), p.ID, land.DisposalInput{Method: "land_reserve", Date: land.MustDate("2022-03-01")}); err == nil {
		t.Fatal("a step on a fully disposed parcel was accepted")
	}
	events, err := f.store.ListEvents(f.ctx, p.ID)
	if err != nil || len(events) != 4 { // create + 3 steps
		t.Fatalf("%d events, err %v", len(events), err)
	}
}

func TestUpdateRefusesStaleVersionsAndShrinkingBelowDisposed(t *testing.T) {
	f := newFixture(t)
	p := f.parcel(land.Idle, 100, 100, 200, "2021-03-01")
	in := land.ParcelInput{Class: land.Idle, Geometry: p.Geometry, GKZone: p.GKZone, ParcelFields: p.ParcelFields}
	in.ProjectName = "某某项目"
	q, err := f.svc.UpdateParcel(f.ctx, land.Operator("a"), p.ID, 1, in)
	if err != nil || q.Version != 2 || q.ProjectName != "某某项目" {
		t.Fatalf("first update: %v %+v", err, q)
	}
	in.ProjectName = "另一个项目"
	_, err = f.svc.UpdateParcel(f.ctx, land.Operator("b"), p.ID, 1, in)
	if e, ok := land.AsError(err); !ok || e.Kind != land.KindStale {
		t.Fatalf("second update with version 1: %v", err)
	}
	f.dispose(p.ID, "start_construction", "2022-01-01", 50)
	in.Geometry = square(parkLon, parkLat, 100, 100, 150) // 33.75 亩 < 50 disposed
	_, err = f.svc.UpdateParcel(f.ctx, land.Operator("a"), p.ID, 3, in)
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "geometry" {
		t.Fatalf("shrinking below the disposed area: %v", err)
	}
	in.Geometry, in.Class = p.Geometry, land.Inefficient
	_, err = f.svc.UpdateParcel(f.ctx, land.Operator("a"), p.ID, 3, in)
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "class" {
		t.Fatalf("changing the class of a parcel with steps: %v", err)
	}
	in.Class, in.IdentifiedOn = land.Idle, land.MustDate("2022-02-01") // after the step of 2022-01-01
	_, err = f.svc.UpdateParcel(f.ctx, land.Operator("a"), p.ID, 3, in)
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "identified_on" {
		t.Fatalf("identified after its own disposal step: %v", err)
	}
	_, err = f.svc.RemoveParcel(f.ctx, land.Operator("a"), p.ID, 3, land.MustDate("2021-12-01"), "重复登记")
	if e, ok := land.AsError(err); !ok || e.Fields[0].Field != "removed_on" {
		t.Fatalf("removed before its own disposal step: %v", err)
	}
}

// TestRatesFollowTheRules checks every rule of DESIGN.md's "Rules the numbers
// follow" on a small hand-computed ledger.
func TestRatesFollowTheRules(t *testing.T) {
	f := newFixture(t)
	a := f.parcel(land.Unsupplied, 0, 0, 200, "2021-01-10")      // 60 亩
	b := f.parcel(land.Idle, 300, 0, 100, "2021-06-01")          // 15 亩
	c := f.parcel(land.Inefficient, 0, 300, 100, "2022-02-01")   // 15 亩
	d := f.parcel(land.Inefficient, 300, 300, 100, "2021-02-01") // 15 亩, removed 2022-03-01
	f.dispose(a.ID, "supply", "2021-08-01", 24)                  // 24 of 60
	f.dispose(a.ID, "supply", "2022-03-15", 0)                   // the other 36
	f.dispose(b.ID, "extend_start", "2021-12-01", 0)             // no area
	f.dispose(c.ID, "capacity_upgrade", "2022-04-01", 0)         // all 15
	if _, err := f.svc.RemoveParcel(f.ctx, land.Operator("officer"), d.ID, 1, land.MustDate("2022-03-01"), "重复登记"); err != nil {
		t.Fatal(err)
	}

	rates := func(q land.RatesQuery) land.RateRow {
		t.Helper()
		r, err := f.svc.Rates(f.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if last := r.Rows[len(r.Rows)-1]; last.ParkCode != "total" {
			t.Fatalf("last row %s, want total", last.ParkCode)
		}
		return r.Rows[0]
	}
	check := func(name string, r land.RateRow, idMu float64, idN int, dMu float64, dN int) {
		t.Helper()
		if !near(r.IdentifiedMu, idMu) || r.IdentifiedCount != idN || !near(r.DisposedMu, dMu) || r.DisposedCount != dN {
			t.Fatalf("%s: identified %.4f 亩/%d 宗, disposed %.4f 亩/%d 宗; want %.4f/%d, %.4f/%d",
				name, r.IdentifiedMu, r.IdentifiedCount, r.DisposedMu, r.DisposedCount, idMu, idN, dMu, dN)
		}
		if r.Rate == nil || math.Abs(*r.Rate-r.DisposedMu/r.IdentifiedMu) > 1e-12 || r.RateCount == nil || *r.RateCount != float64(dN)/float64(idN) {
			t.Fatalf("%s: rate %v rate_count %v", name, r.Rate, r.RateCount)
		}
	}
	// Today, cumulative: a, b, c identified (d removed); a and c fully disposed.
	r := rates(land.RatesQuery{})
	check("cumulative", r, 90, 3, 75, 2)
	if !near(*r.BuiltupShare, 90.0/3000) {
		t.Fatalf("builtup_share %v", *r.BuiltupShare)
	}
	// Target year 2022: 36 (a) + 15 (c) disposed against 100.
	if !near(r.TargetDisposedMu, 51) || !near(*r.TargetProgress, 0.51) {
		t.Fatalf("target %v %v", r.TargetDisposedMu, *r.TargetProgress)
	}
	if got := r.ByClass[land.Unsupplied]; !near(got.IdentifiedMu, 60) || !near(got.DisposedMu, 60) || got.DisposedCount != 1 {
		t.Fatalf("by class unsupplied %+v", got)
	}
	if got := r.ByClass[land.Idle]; got.Rate == nil || *got.Rate != 0 || got.IdentifiedCount != 1 {
		t.Fatalf("by class idle %+v", got)
	}
	// As of 2021-12-31: a, b, d identified; c not yet; a's first 24 亩 only.
	check("asof 2021-12-31", rates(land.RatesQuery{AsOf: land.MustDate("2021-12-31")}), 90, 3, 24, 0)
	// Period 2022-01-01..today: stock = a's 36 left + b 15 + c 15 (d removed);
	// disposed 36 + 15; a and c completed.
	check("from 2022-01-01", rates(land.RatesQuery{From: land.MustDate("2022-01-01")}), 66, 3, 51, 2)
	// As of 2022-02-28, d is still there (removed 2022-03-01).
	check("asof 2022-02-28", rates(land.RatesQuery{AsOf: land.MustDate("2022-02-28")}), 105, 4, 24, 0)
	// Class filter.
	check("class inefficient", rates(land.RatesQuery{Class: land.Inefficient}), 15, 1, 15, 1)

	trend, err := f.svc.Trend(f.ctx, land.TrendQuery{From: land.MustDate("2021-12-01"), To: land.MustDate("2022-04-15")})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		month    string
		id, disp float64
	}{{"2021-12", 90, 24}, {"2022-01", 90, 24}, {"2022-02", 105, 24}, {"2022-03", 90, 60}, {"2022-04", 90, 75}}
	if len(trend) != len(want) {
		t.Fatalf("%d months", len(trend))
	}
	for i, w := range want {
		if trend[i].Month != w.month || !near(trend[i].IdentifiedMu, w.id) || !near(trend[i].DisposedMu, w.disp) {
			t.Fatalf("month %d: %+v, want %+v", i, trend[i], w)
		}
	}
	if trend[4].AsOf.String() != "2022-04-15" {
		t.Fatalf("last month as of %s", trend[4].AsOf)
	}
}

// TestWritesFollowRoles: an officer writes only in the parks assigned to
// them, a leader writes nothing, only an administrator changes parks; a
// refused write leaves no row.
func TestWritesFollowRoles(t *testing.T) {
	f := newFixture(t)
	z := geo.Zone(38)
	x0, y0 := z.Forward(parkLon, parkLat)
	lon2, lat2 := z.Inverse(x0+3000, y0)
	f.park("ZZJK", "株洲经开区", lon2, lat2, 2000, 2022, 100)
	officerA := land.Actor{Name: "李专员", Role: land.RoleOfficer, Parks: []string{"ZZGX"}}
	officerB := land.Actor{Name: "王专员", Role: land.RoleOfficer, Parks: []string{"ZZJK"}}
	leader := land.Actor{Name: "赵领导", Role: land.RoleLeader}
	in := land.ParcelInput{Class: land.Idle, Geometry: square(parkLon, parkLat, 100, 100, 100)}
	forbidden := func(what string, err error) {
		t.Helper()
		if e, ok := land.AsError(err); !ok || e.Kind != land.KindForbidden {
			t.Fatalf("%s: err = %v, want forbidden", what, err)
		}
	}

	before, _ := f.store.CountRows(f.ctx)
	_, err := f.svc.CreateParcel(f.ctx, officerB, in)
	forbidden("officer of ZZJK creating in ZZGX", err)
	_, err = f.svc.CreateParcel(f.ctx, leader, in)
	forbidden("leader creating", err)
	_, err = f.svc.CreatePark(f.ctx, officerA, land.ParkInput{Code: "X1", Name: "某园区", Level: land.LevelProvincial,
		Boundary: orb.MultiPolygon{square(parkLon, parkLat, 10000, 10000, 1000)}})
	forbidden("officer creating a park", err)
	if after, _ := f.store.CountRows(f.ctx); after != before {
		t.Fatalf("refused writes changed rows: %+v → %+v", before, after)
	}
	if _, err := f.svc.CreateParcel(f.ctx, land.Actor{Name: "", Role: land.RoleAdmin}, in); err == nil {
		t.Fatal("a write with no actor name was accepted")
	}

	p, err := f.svc.CreateParcel(f.ctx, officerA, in)
	if err != nil || p.CreatedBy != "李专员" {
		t.Fatalf("officer of ZZGX creating in ZZGX: %v, created by %q", err, p.CreatedBy)
	}
	_, _, err = f.svc.AddDisposal(f.ctx, officerB, p.ID, land.DisposalInput{Method: "extend_start", Date: land.MustDate("2022-06-01")})
	forbidden("officer of ZZJK recording a step in ZZGX", err)
	_, _, err = f.svc.AddDisposal(f.ctx, leader, p.ID, land.DisposalInput{Method: "extend_start", Date: land.MustDate("2022-06-01")})
	forbidden("leader recording a step", err)
	_, err = f.svc.RemoveParcel(f.ctx, officerB, p.ID, p.Version, land.Date{}, "重复登记")
	forbidden("officer of ZZJK removing in ZZGX", err)
	// Moving the parcel into ZZJK: officer A may not write there.
	moved := in
	moved.Geometry = square(parkLon, parkLat, 3500, 500, 100)
	_, err = f.svc.UpdateParcel(f.ctx, officerA, p.ID, p.Version, moved)
	forbidden("officer of ZZGX moving a parcel into ZZJK", err)
	both := land.Actor{Name: "两园专员", Role: land.RoleOfficer, Parks: []string{"ZZGX", "ZZJK"}}
	q, err := f.svc.UpdateParcel(f.ctx, both, p.ID, p.Version, moved)
	if err != nil || q.ParkCode != "ZZJK" || q.UpdatedBy != "两园专员" {
		t.Fatalf("officer of both parks moving it: %v, park %s", err, q.ParkCode)
	}
	events, _ := f.store.ListEvents(f.ctx, p.ID)
	if len(events) != 2 || events[0].Actor != "李专员" || events[1].Actor != "两园专员" {
		t.Fatalf("events %+v", events)
	}
}

func TestUpdateMethodIsForAdministratorsAndKeepsPastSteps(t *testing.T) {
	f := newFixture(t)
	p := f.parcel(land.Unsupplied, 100, 100, 100, "2022-01-10")
	f.dispose(p.ID, "land_reserve", "2022-02-01", 0) // 纳入储备: does not count
	counts := true
	officer := land.Actor{Name: "李专员", Role: land.RoleOfficer, Parks: []string{"ZZGX"}}
	if _, err := f.svc.UpdateMethod(f.ctx, officer, "land_reserve", land.MethodPatch{Counts: &counts}); err == nil {
		t.Fatal("an officer changed the method list")
	}
	m, err := f.svc.UpdateMethod(f.ctx, land.Operator("管理员"), "land_reserve", land.MethodPatch{Counts: &counts})
	if err != nil || !m.Counts || m.Name != "纳入储备" {
		t.Fatalf("UpdateMethod: %+v %v", m, err)
	}
	r, err := f.svc.Rates(f.ctx, land.RatesQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].DisposedMu != 0 {
		t.Fatalf("a step recorded before the change now counts: %v 亩", r.Rows[0].DisposedMu)
	}
	if _, err := f.svc.UpdateMethod(f.ctx, land.Operator("管理员"), "nope", land.MethodPatch{Counts: &counts}); err == nil {
		t.Fatal("an unknown method was updated")
	}
}

// Two services over one database stand for two servers (or a server and the
// CLI): a park boundary changed through one is what the other places
// parcels by at its next write, although it had the parks cached.
func TestParkChangesReachAnotherServiceSharingTheDatabase(t *testing.T) {
	f := newFixture(t)
	other := land.NewService(f.store, land.WithClock(func() time.Time { return f.today }))
	// Both have read the parks: the ZZGX square, 2000 m from its corner.
	f.parcel(land.Idle, 100, 100, 100, "2022-01-10")
	if _, err := other.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Idle,
		Geometry: square(parkLon, parkLat, 300, 100, 100)}); err != nil {
		t.Fatal(err)
	}
	// Through the first, ZZGX grows to 4000 m.
	if _, err := f.svc.UpdatePark(f.ctx, land.Operator("test"), "ZZGX", land.ParkInput{Code: "ZZGX", Name: "株洲高新区",
		Level: land.LevelProvincial, City: "株洲市", Boundary: orb.MultiPolygon{square(parkLon, parkLat, 0, 0, 4000)},
		BuiltupMu: 3000, TargetMu: 100, TargetYear: 2022}); err != nil {
		t.Fatal(err)
	}
	// The other now places a parcel at 3000 m in ZZGX, for the create, the
	// update and the import path alike.
	p, err := other.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Idle,
		Geometry: square(parkLon, parkLat, 3000, 3000, 100)})
	if err != nil || p.ParkCode != "ZZGX" {
		t.Fatalf("create in the grown park through the other service: %+v, %v", p, err)
	}
	if _, err := f.svc.UpdatePark(f.ctx, land.Operator("test"), "ZZGX", land.ParkInput{Code: "ZZGX", Name: "株洲高新区",
		Level: land.LevelProvincial, City: "株洲市", Boundary: orb.MultiPolygon{square(parkLon, parkLat, 0, 0, 2000)},
		BuiltupMu: 3000, TargetMu: 100, TargetYear: 2022}); err != nil {
		t.Fatal(err)
	}
	_, err = other.UpdateParcel(f.ctx, land.Operator("officer"), p.ID, p.Version, land.ParcelInput{Class: land.Idle,
		Geometry: square(parkLon, parkLat, 3000, 3200, 100)})
	if e, ok := land.AsError(err); !ok || e.Kind != land.KindOutsideParks {
		t.Fatalf("update outside the shrunk park through the other service: %v", err)
	}
	res, err := other.ImportParcels(f.ctx, land.Operator("officer"), []land.ImportItem{item("ZD-9", "九号地", 3000, 3400, 100)}, land.ImportOptions{})
	if err != nil || res.Outcomes[0].Action != land.ImportReject || res.Outcomes[0].Error.Kind != land.KindOutsideParks {
		t.Fatalf("import outside the shrunk park through the other service: %+v, %v", res.Outcomes, err)
	}
}

// A polygon valid as given but not once rounded to the stored 1e-8° (a
// notch whose tip is 0.4e-8° from the opposite edge comes to touch it) is
// refused: stored, it would break every later overlay with it.
func TestGeometryInvalidOnceRoundedIsRefused(t *testing.T) {
	f := newFixture(t)
	lon, lat := parkLon+0.001, parkLat+0.001
	ring := orb.Ring{{lon, lat}, {lon + 0.002, lat}, {lon + 0.002, lat + 0.002}, {lon + 0.0011, lat + 0.002},
		{lon + 0.001, lat + 0.4e-8}, {lon + 0.0009, lat + 0.002}, {lon, lat + 0.002}, {lon, lat}}
	if probs := geo.Validate(orb.Polygon{ring}); len(probs) != 0 {
		t.Fatalf("the polygon as given is invalid already: %v", probs)
	}
	before := f.counts()
	_, err := f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Idle, Geometry: orb.Polygon{ring}})
	e, ok := land.AsError(err)
	if !ok || e.Kind != land.KindInvalid || len(e.Fields) == 0 || !strings.Contains(e.Fields[0].Reason, "取整") {
		t.Fatalf("err = %v", err)
	}
	if f.counts() != before {
		t.Fatal("a refused parcel changed rows")
	}
}

// UpdateParcels writes a set of parcels together or not at all; refusals
// come back by position, and a stale version as that parcel's own error.
func TestUpdateParcelsIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	a := f.parcel(land.Idle, 100, 100, 100, "2022-01-10")
	b := f.parcel(land.Idle, 200, 100, 100, "2022-01-10")
	c := f.parcel(land.Idle, 400, 100, 100, "2022-01-10")
	officer := land.Operator("officer")
	move := func(p land.Parcel, version int, e, side float64) land.ParcelUpdate {
		return land.ParcelUpdate{ID: p.ID, IfMatch: version, Input: land.ParcelInput{Class: land.Idle,
			Geometry: square(parkLon, parkLat, e, 100, side), ParcelFields: p.ParcelFields}}
	}
	before := f.counts()
	// c is moved out of every park: refused, and so nothing is written.
	_, err := f.svc.UpdateParcels(f.ctx, officer, []land.ParcelUpdate{move(a, 1, 100, 150), move(b, 1, 250, 50), move(c, 1, 9000, 100)})
	var be *land.BatchError
	if !errors.As(err, &be) || len(be.Items) != 1 || be.Items[2] == nil || be.Items[2].Kind != land.KindOutsideParks {
		t.Fatalf("err = %v, want a batch error for item 2 only", err)
	}
	if f.counts() != before {
		t.Fatal("a refused batch wrote rows")
	}
	// A stale version: that parcel's 412 error.
	_, err = f.svc.UpdateParcels(f.ctx, officer, []land.ParcelUpdate{move(a, 1, 100, 150), move(b, 2, 250, 50)})
	if e, ok := land.AsError(err); !ok || e.Kind != land.KindStale {
		t.Fatalf("err = %v, want stale", err)
	}
	// a grows into b's old place while b shrinks: accepted together.
	ps, err := f.svc.UpdateParcels(f.ctx, officer, []land.ParcelUpdate{move(a, 1, 100, 150), move(b, 1, 250, 50)})
	if err != nil || len(ps) != 2 || ps[0].Version != 2 || ps[1].Version != 2 || !near(ps[0].AreaMu, 15*2.25) || !near(ps[1].AreaMu, 15*0.25) {
		t.Fatalf("%+v, %v", ps, err)
	}
	if after := f.counts(); after.Events != before.Events+2 {
		t.Fatalf("events %d → %d, want 2 more", before.Events, after.Events)
	}
}
