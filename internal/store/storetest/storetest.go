// Package storetest is the contract every land.Store engine must pass
// (SQLite now, PostgreSQL later): round trips of every field, versioned
// updates, filters, transactions that change nothing when they fail, writers
// that do not interleave, and the rate sums of a hand-built ledger checked
// against hand-computed figures.
//
// An engine's test calls Run with a function that opens a new, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// Run runs the contract's subtests. open must return a new, empty store
// (disposal methods seeded as land.DefaultMethods, nothing else) and close it
// when the test ends (t.Cleanup).
//
// Beyond land.Store's documentation, the contract asks that write
// transactions do not interleave (what fn reads in Update is still current
// when it writes), that a disposal step takes its parcel's park and follows
// the parcel when it moves, and that rate sums match land.RateSum to 1e-9 亩.
func Run(t *testing.T, open func(t *testing.T) land.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s land.Store)
	}{
		{"SeededMethods", testSeededMethods},
		{"Parks", testParks},
		{"ParksVersion", testParksVersion},
		{"ParcelRoundTrip", testParcelRoundTrip},
		{"ParcelGivenID", testParcelGivenID},
		{"UpdateParcel", testUpdateParcel},
		{"GetParcelMissing", testGetParcelMissing},
		{"ListParcels", testListParcels},
		{"ActiveParcelsNear", testActiveParcelsNear},
		{"InsertParcels", testInsertParcels},
		{"InsertParcelsRefused", testInsertParcelsRefused},
		{"Disposals", testDisposals},
		{"Events", testEvents},
		{"SearchEvents", testSearchEvents},
		{"AppendEvents", testAppendEvents},
		{"Rollback", testRollback},
		{"SerializedWriters", testSerializedWriters},
		{"RateSums", testRateSums},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// ---- helpers ----

var (
	t0  = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)
	cst = time.FixedZone("CST", 8*3600)
)

// square is a closed counter-clockwise square ring with its lower left
// corner at (x, y).
func square(x, y, size float64) orb.Ring {
	return orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
}

// box is a Polygon square.
func box(x, y, size float64) orb.Polygon { return orb.Polygon{square(x, y, size)} }

func update(t *testing.T, s land.Store, fn func(ctx context.Context, tx land.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Update(ctx, func(tx land.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func testPark(code string) land.Park {
	return land.Park{
		Code: code, Name: "园区 " + code, Level: land.LevelProvincial, City: "株洲市",
		Boundary: orb.MultiPolygon{box(113, 27, 1)},
		AreaMu:   1000, GKZone: 38, BuiltupMu: 800, TargetMu: 50, TargetYear: 2022,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func insertParks(t *testing.T, s land.Store, codes ...string) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for _, c := range codes {
			p := testPark(c)
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
}

// testParcel is a parcel with only the fields the store requires.
func testParcel(park string, class land.Class, g orb.Geometry, areaMu float64) land.Parcel {
	return land.Parcel{
		ParkCode: park, Class: class, Status: land.Pending, Geometry: g, GKZone: 38,
		AreaM2: areaMu * 10000 / 15, AreaMu: areaMu,
		CreatedBy: "test", CreatedAt: t0, UpdatedBy: "test", UpdatedAt: t0,
	}
}

func insertParcel(t *testing.T, s land.Store, p land.Parcel) land.Parcel {
	t.Helper()
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.InsertParcel(ctx, &p) })
	return p
}

func counts(t *testing.T, s land.Store) land.RowCounts {
	t.Helper()
	c, err := s.CountRows(t.Context())
	if err != nil {
		t.Fatalf("CountRows: %v", err)
	}
	return c
}

func ptr(f float64) *float64 { return &f }

// sameParcel compares parcels field by field: times with Equal, no flags
// and empty flags alike.
func sameParcel(t *testing.T, got, want land.Parcel) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("parcel %d times: got created %v updated %v, want %v %v",
			got.ID, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(got.Flags) == 0 && len(want.Flags) == 0 {
		got.Flags, want.Flags = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parcel %d:\n got %+v\nwant %+v", got.ID, got, want)
	}
}

func ids(ps []land.Parcel) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// ---- methods and parks ----

func testSeededMethods(t *testing.T, s land.Store) {
	ctx := t.Context()
	got, err := s.ListMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := land.DefaultMethods(); !reflect.DeepEqual(got, want) {
		t.Fatalf("seeded methods:\n got %+v\nwant %+v", got, want)
	}

	changed := got[0]
	changed.Counts = !changed.Counts
	changed.Name += "（改）"
	added := land.Method{Code: "zz_new", Class: land.Idle, Name: "新方式", Counts: true, Order: 100}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		if err := tx.UpsertMethod(ctx, changed); err != nil {
			return err
		}
		return tx.UpsertMethod(ctx, added)
	})
	after, err := s.ListMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]land.Method{changed}, land.DefaultMethods()[1:]...)
	want = append(want, added)
	if !reflect.DeepEqual(after, want) {
		t.Fatalf("methods after upsert:\n got %+v\nwant %+v", after, want)
	}
}

func testParks(t *testing.T, s land.Store) {
	ctx := t.Context()
	// A boundary of two polygons, the first with a hole.
	boundary := orb.MultiPolygon{
		{square(113.0, 27.8, 0.1), orb.Ring{{113.02, 27.82}, {113.02, 27.84}, {113.04, 27.84}, {113.04, 27.82}, {113.02, 27.82}}},
		box(113.2, 27.8, 0.05),
	}
	zz := land.Park{
		Code: "ZZGX", Name: "株洲高新区", Level: land.LevelNational, City: "株洲市",
		Boundary: boundary, AreaMu: 123456.789, GKZone: 38, BuiltupMu: 100000.5,
		TargetMu: 1500.25, TargetYear: 2022, Demo: true,
		CreatedAt: t0.In(cst), UpdatedAt: t0.Add(time.Hour),
	}
	ll := testPark("LLJK")
	ll.Boundary = nil
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		if err := tx.InsertPark(ctx, &zz); err != nil {
			return err
		}
		return tx.InsertPark(ctx, &ll)
	})
	if zz.Version != 1 || ll.Version != 1 {
		t.Fatalf("versions after insert: %d, %d; want 1", zz.Version, ll.Version)
	}

	samePark := func(got, want land.Park) {
		t.Helper()
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("park %s times: got %v %v, want %v %v", got.Code, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
		}
		got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("park:\n got %+v\nwant %+v", got, want)
		}
	}
	got, err := s.GetPark(ctx, "ZZGX")
	if err != nil {
		t.Fatal(err)
	}
	samePark(got, zz)

	list, err := s.ListParks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Code != "LLJK" || list[1].Code != "ZZGX" {
		t.Fatalf("ListParks: got %d parks %v, want LLJK, ZZGX by code", len(list), list)
	}
	samePark(list[0], ll)

	figures, err := s.ListParkFigures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(figures) != 2 || figures[0].Boundary != nil || figures[1].Boundary != nil {
		t.Fatalf("ListParkFigures: got %d parks, boundaries must be left out", len(figures))
	}
	noBoundary := ll
	noBoundary.Boundary = nil
	samePark(figures[0], noBoundary)

	// Update replaces the data and bumps the version.
	zz.Name, zz.Level, zz.BuiltupMu, zz.TargetMu, zz.TargetYear, zz.Demo = "株洲高新技术产业开发区", land.LevelProvincial, 90000, 2000, 2023, false
	zz.Boundary = orb.MultiPolygon{box(113.1, 27.9, 0.2)}
	zz.UpdatedAt = t0.Add(48 * time.Hour)
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.UpdatePark(ctx, &zz) })
	if zz.Version != 2 {
		t.Fatalf("version after update: %d, want 2", zz.Version)
	}
	got, err = s.GetPark(ctx, "ZZGX")
	if err != nil {
		t.Fatal(err)
	}
	samePark(got, zz)
	// The park list without boundaries follows the update (an engine that
	// keeps the list between reads must learn of it).
	figures, err = s.ListParkFigures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(figures) != 2 || figures[1].Name != zz.Name || figures[1].Version != 2 || figures[1].TargetYear != 2023 {
		t.Fatalf("ListParkFigures after update: %+v", figures)
	}

	// Missing parks; a duplicate code.
	if _, err := s.GetPark(ctx, "NOPE"); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("GetPark(NOPE): %v, want ErrNotFound", err)
	}
	err = s.Update(ctx, func(tx land.Tx) error {
		p := testPark("NOPE")
		return tx.UpdatePark(ctx, &p)
	})
	if !errors.Is(err, land.ErrNotFound) {
		t.Errorf("UpdatePark(NOPE): %v, want ErrNotFound", err)
	}
	err = s.Update(ctx, func(tx land.Tx) error {
		p := testPark("LLJK")
		return tx.InsertPark(ctx, &p)
	})
	if err == nil {
		t.Errorf("InsertPark of an existing code: no error")
	}
	if c := counts(t, s); c.Parks != 2 {
		t.Errorf("parks: %d, want 2", c.Parks)
	}
}

// ---- parcels ----

// fullParcel has every field set.
func fullParcel(park string) land.Parcel {
	return land.Parcel{
		ParkCode: park, Class: land.Idle, Status: land.InProgress,
		Geometry: box(113.081234567891, 27.821234567891, 0.001),
		GKZone:   38, AreaM2: 12345.678901, AreaMu: 18.5185183515, Disposed: 3.25,
		ParcelFields: land.ParcelFields{
			Code: "430211-001", SupervisionNo: "4302112021B00123", ProjectName: "年产十万吨项目",
			LandUser: "株洲某某有限公司", Location: "天元区栗雨街道", LandUse: "工业用地",
			DeclaredAreaMu: ptr(18.52), IdentifiedOn: land.MustDate("2021-07-15"), Note: "备注\n第二行",
			BatchName: "2019年第5批次", ApprovalNo: "湘政地〔2019〕123号", ApprovedOn: land.MustDate("2019-11-30"),
			ContractNo: "株天出让(2019)18号", AgreedStartOn: land.MustDate("2020-03-01"),
			AgreedCompletionOn: land.MustDate("2022-03-01"), IdleCause: land.IdleCauseEnterprise,
			IdentifiedReason: "亩均税收低", PlotRatio: ptr(0.0), TaxPerMu: ptr(3.75),
		},
		Flags:     []string{land.FlagStraddlesBoundary, land.FlagDemo},
		RemovedOn: land.MustDate("2022-01-02"), RemovedReason: "重复录入",
		CreatedBy: "alice", CreatedAt: t0.In(cst), UpdatedBy: "bob", UpdatedAt: t0.Add(time.Nanosecond),
	}
}

func testParcelRoundTrip(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "ZZGX")

	full := insertParcel(t, s, fullParcel("ZZGX"))
	if full.ID == 0 || full.Version != 1 {
		t.Fatalf("after insert: id %d version %d, want an id and version 1", full.ID, full.Version)
	}

	// A MultiPolygon whose first part has a hole; no optional field; split
	// from the first parcel.
	multi := testParcel("ZZGX", land.Unsupplied, orb.MultiPolygon{
		{square(113.1, 27.8, 0.01), orb.Ring{{113.102, 27.802}, {113.102, 27.804}, {113.104, 27.804}, {113.104, 27.802}, {113.102, 27.802}}},
		box(113.12, 27.8, 0.005),
	}, 42.125)
	multi.SplitOf = full.ID
	multi = insertParcel(t, s, multi)

	// Optional numbers that are nil, and no flags.
	bare := insertParcel(t, s, testParcel("ZZGX", land.Inefficient, box(113.2, 27.9, 0.002), 5))

	for _, want := range []land.Parcel{full, multi, bare} {
		got, err := s.GetParcel(ctx, want.ID)
		if err != nil {
			t.Fatalf("GetParcel(%d): %v", want.ID, err)
		}
		sameParcel(t, got, want)
	}
	if full.ID == multi.ID || multi.ID == bare.ID {
		t.Errorf("ids not distinct: %d %d %d", full.ID, multi.ID, bare.ID)
	}

	// A geometry that is not a polygon is refused.
	err := s.Update(ctx, func(tx land.Tx) error {
		p := testParcel("ZZGX", land.Idle, orb.Point{113, 27}, 1)
		return tx.InsertParcel(ctx, &p)
	})
	if err == nil {
		t.Errorf("InsertParcel with a Point geometry: no error")
	}
	// A parcel in no stored park is refused.
	err = s.Update(ctx, func(tx land.Tx) error {
		p := testParcel("NOPE", land.Idle, box(113, 27, 0.001), 1)
		return tx.InsertParcel(ctx, &p)
	})
	if err == nil {
		t.Errorf("InsertParcel in an unknown park: no error")
	}
	if c := counts(t, s); c.Parcels != 3 {
		t.Errorf("parcels: %d, want 3", c.Parcels)
	}
}

// testParcelGivenID checks that a parcel inserted with its own id (a copy
// from another database) keeps it, that a taken id is refused, and that
// later parcels get ids past it.
func testParcelGivenID(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A")
	first := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.001), 1))
	given := testParcel("A", land.Idle, box(113.01, 27, 0.001), 2)
	given.ID = first.ID + 1000
	given = insertParcel(t, s, given)
	if got, err := s.GetParcel(ctx, first.ID+1000); err != nil || got.AreaMu != 2 || given.Version != 1 {
		t.Fatalf("parcel inserted with id %d: %+v, %v", first.ID+1000, got, err)
	}
	taken := testParcel("A", land.Idle, box(113.02, 27, 0.001), 3)
	taken.ID = first.ID
	if err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertParcel(ctx, &taken) }); err == nil {
		t.Errorf("InsertParcel with a taken id: no error")
	}
	next := insertParcel(t, s, testParcel("A", land.Idle, box(113.03, 27, 0.001), 4))
	if next.ID <= given.ID {
		t.Errorf("id after a given one: %d, want more than %d", next.ID, given.ID)
	}
	if c := counts(t, s); c.Parcels != 3 {
		t.Errorf("parcels: %d, want 3", c.Parcels)
	}
}

func testUpdateParcel(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "ZZGX", "LLJK")
	p := insertParcel(t, s, fullParcel("ZZGX"))
	created := p
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		d := land.Disposal{ParcelID: p.ID, Method: "start_construction", Counts: true,
			Date: land.MustDate("2021-09-01"), AreaMu: 1, CreatedBy: "alice", CreatedAt: t0}
		return tx.InsertDisposal(ctx, &d)
	})

	// A good update replaces every written field.
	p.ParkCode, p.Class, p.Status = "LLJK", land.Inefficient, land.Disposed
	p.Geometry = orb.MultiPolygon{box(113.49, 27.66, 0.002)}
	p.AreaM2, p.AreaMu, p.Disposed = 6666.66, 9.99999, 9.99999
	p.Code, p.Note, p.IdleCause = "X-1", "", ""
	p.DeclaredAreaMu, p.PlotRatio, p.TaxPerMu = nil, ptr(1.2), nil
	p.IdentifiedOn, p.ApprovedOn, p.AgreedStartOn, p.AgreedCompletionOn = land.MustDate("2021-08-01"), land.Date{}, land.Date{}, land.Date{}
	p.Flags = nil
	p.RemovedOn, p.RemovedReason = land.Date{}, ""
	p.UpdatedBy, p.UpdatedAt = "carol", t0.Add(24*time.Hour)
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.UpdateParcel(ctx, &p, 1) })
	if p.Version != 2 {
		t.Fatalf("version after update: %d, want 2", p.Version)
	}
	got, err := s.GetParcel(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameParcel(t, got, p)
	if got.CreatedBy != created.CreatedBy || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("creation fields changed: %s %v", got.CreatedBy, got.CreatedAt)
	}
	// The parcel moved to another park: its steps follow it.
	if ds, err := s.ListDisposals(ctx, p.ID); err != nil || len(ds) != 1 || ds[0].ParkCode != "LLJK" {
		t.Errorf("steps after the parcel moved to LLJK: %+v, %v", ds, err)
	}

	// A stale version is refused and changes nothing.
	stale := got
	stale.Note = "stale write"
	err = s.Update(ctx, func(tx land.Tx) error { return tx.UpdateParcel(ctx, &stale, 1) })
	if !errors.Is(err, land.ErrVersionConflict) {
		t.Fatalf("UpdateParcel with a stale version: %v, want ErrVersionConflict", err)
	}
	again, err := s.GetParcel(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameParcel(t, again, got)

	// A missing parcel.
	missing := got
	missing.ID = got.ID + 1000
	err = s.Update(ctx, func(tx land.Tx) error { return tx.UpdateParcel(ctx, &missing, 1) })
	if !errors.Is(err, land.ErrNotFound) {
		t.Errorf("UpdateParcel of a missing parcel: %v, want ErrNotFound", err)
	}

	// Versions keep counting.
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		q, err := tx.GetParcel(ctx, p.ID)
		if err != nil {
			return err
		}
		return tx.UpdateParcel(ctx, &q, q.Version)
	})
	if got, _ := s.GetParcel(ctx, p.ID); got.Version != 3 {
		t.Errorf("version after a second update: %d, want 3", got.Version)
	}
}

func testGetParcelMissing(t *testing.T, s land.Store) {
	ctx := t.Context()
	if _, err := s.GetParcel(ctx, 12345); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("GetParcel(12345): %v, want ErrNotFound", err)
	}
	err := s.Update(ctx, func(tx land.Tx) error {
		_, err := tx.GetParcel(ctx, 12345)
		return err
	})
	if !errors.Is(err, land.ErrNotFound) {
		t.Errorf("Tx.GetParcel(12345): %v, want ErrNotFound", err)
	}
}

func testListParcels(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	mk := func(park string, class land.Class, status land.Status, g orb.Geometry, removed string) int64 {
		p := testParcel(park, class, g, 10)
		p.Status = status
		if removed != "" {
			p.RemovedOn, p.RemovedReason = land.MustDate(removed), "test"
		}
		return insertParcel(t, s, p).ID
	}
	p1 := mk("A", land.Idle, land.Pending, box(113.00, 27.00, 0.01), "")
	p2 := mk("A", land.Unsupplied, land.InProgress, box(113.02, 27.00, 0.01), "")
	p3 := mk("B", land.Idle, land.Disposed, box(113.50, 27.50, 0.01), "")
	p4 := mk("A", land.Idle, land.Pending, box(113.04, 27.00, 0.01), "2022-01-01")
	// A part well inside the bbox below and a part far away.
	p5 := mk("B", land.Inefficient, land.Pending, orb.MultiPolygon{box(114.0, 28.0, 0.01), box(113.005, 27.005, 0.001)}, "")
	// Just outside the bbox below, by less than a 32-bit float can tell at
	// this longitude.
	p6 := mk("A", land.Idle, land.Pending, box(113.0300001, 27.0, 0.01), "")
	// Touching the bbox below on its edge.
	p7 := mk("B", land.Idle, land.Pending, orb.Polygon{{{112.99, 27.0}, {113.0, 27.0}, {113.0, 27.01}, {112.99, 27.01}, {112.99, 27.0}}}, "")
	// Keys for imports: 宗地编号 and 电子监管号.
	keyed := func(id int64, code, supNo string) {
		update(t, s, func(ctx context.Context, tx land.Tx) error {
			p, err := tx.GetParcel(ctx, id)
			if err != nil {
				return err
			}
			p.Code, p.SupervisionNo = code, supNo
			return tx.UpdateParcel(ctx, &p, p.Version)
		})
	}
	keyed(p1, "ZD-001", "4302112021B00001")
	keyed(p2, "ZD-002", "")
	keyed(p4, "ZD-001", "4302112021B00004") // removed
	keyed(p5, "宗地-五", "4302112021B00005")

	bbox := orb.Bound{Min: orb.Point{113.0, 27.0}, Max: orb.Point{113.03, 27.02}}
	cases := []struct {
		name string
		f    land.ParcelFilter
		want []int64
	}{
		{"all", land.ParcelFilter{}, []int64{p1, p2, p3, p5, p6, p7}},
		{"include removed", land.ParcelFilter{IncludeRemoved: true}, []int64{p1, p2, p3, p4, p5, p6, p7}},
		{"park", land.ParcelFilter{ParkCode: "B"}, []int64{p3, p5, p7}},
		{"class", land.ParcelFilter{Class: land.Idle}, []int64{p1, p3, p6, p7}},
		{"class with removed", land.ParcelFilter{Class: land.Idle, IncludeRemoved: true}, []int64{p1, p3, p4, p6, p7}},
		{"status", land.ParcelFilter{Status: land.Pending}, []int64{p1, p5, p6, p7}},
		{"park class status", land.ParcelFilter{ParkCode: "A", Class: land.Idle, Status: land.Pending}, []int64{p1, p6}},
		{"bbox", land.ParcelFilter{BBox: &bbox}, []int64{p1, p2, p5, p7}},
		{"bbox park", land.ParcelFilter{BBox: &bbox, ParkCode: "A"}, []int64{p1, p2}},
		// p5's parts lie far apart, but its bbox covers this one.
		{"bbox removed", land.ParcelFilter{BBox: &orb.Bound{Min: orb.Point{113.045, 27.005}, Max: orb.Point{113.046, 27.006}}, IncludeRemoved: true}, []int64{p4, p5}},
		{"bbox not removed", land.ParcelFilter{BBox: &orb.Bound{Min: orb.Point{113.045, 27.005}, Max: orb.Point{113.046, 27.006}}}, []int64{p5}},
		{"bbox empty", land.ParcelFilter{BBox: &orb.Bound{Min: orb.Point{100, 20}, Max: orb.Point{101, 21}}}, nil},
		{"limit", land.ParcelFilter{Limit: 2}, []int64{p1, p2}},
		{"limit with filter", land.ParcelFilter{Class: land.Idle, Limit: 3}, []int64{p1, p3, p6}},
		{"codes", land.ParcelFilter{Codes: []string{"ZD-001", "宗地-五", "nothing"}}, []int64{p1, p5}},
		{"codes with removed", land.ParcelFilter{Codes: []string{"ZD-001"}, IncludeRemoved: true}, []int64{p1, p4}},
		{"supervision nos", land.ParcelFilter{SupervisionNos: []string{"4302112021B00005", "4302112021B00004"}}, []int64{p5}},
		{"codes or supervision nos", land.ParcelFilter{Codes: []string{"ZD-002"}, SupervisionNos: []string{"4302112021B00001"}}, []int64{p1, p2}},
		{"keys and park", land.ParcelFilter{Codes: []string{"ZD-001", "ZD-002", "宗地-五"}, ParkCode: "B"}, []int64{p5}},
		{"empty key matches nothing", land.ParcelFilter{Codes: []string{""}, SupervisionNos: []string{""}}, nil},
		{"empty key lists", land.ParcelFilter{Codes: []string{}, SupervisionNos: []string{}}, nil},
	}
	for _, c := range cases {
		got, err := s.ListParcels(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if g := ids(got); !slices.Equal(g, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, g, c.want)
		}
	}
	// What the list returns is whole parcels.
	got, err := s.ListParcels(ctx, land.ParcelFilter{ParkCode: "B", Class: land.Inefficient})
	if err != nil || len(got) != 1 {
		t.Fatalf("list p5: %v, %v", got, err)
	}
	want, err := s.GetParcel(ctx, p5)
	if err != nil {
		t.Fatal(err)
	}
	sameParcel(t, got[0], want)
}

func testActiveParcelsNear(t *testing.T, s land.Store) {
	insertParks(t, s, "A")
	mk := func(status land.Status, removed string, x float64) int64 {
		p := testParcel("A", land.Idle, box(x, 27.0, 0.01), 10)
		p.Status = status
		if removed != "" {
			p.RemovedOn = land.MustDate(removed)
		}
		return insertParcel(t, s, p).ID
	}
	pending := mk(land.Pending, "", 113.000)
	inProgress := mk(land.InProgress, "", 113.005)
	_ = mk(land.Disposed, "", 113.006)
	_ = mk(land.Pending, "2022-01-01", 113.007)
	self := mk(land.Pending, "", 113.008)
	_ = mk(land.Pending, "", 113.100) // far away
	b := orb.Bound{Min: orb.Point{113.004, 27.004}, Max: orb.Point{113.009, 27.006}}

	var got []land.Parcel
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		var err error
		got, err = tx.ActiveParcelsNear(ctx, b, self)
		return err
	})
	if g, want := ids(got), []int64{pending, inProgress}; !slices.Equal(g, want) {
		t.Errorf("ActiveParcelsNear: got %v, want %v", g, want)
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		var err error
		got, err = tx.ActiveParcelsNear(ctx, b, 0)
		return err
	})
	if g, want := ids(got), []int64{pending, inProgress, self}; !slices.Equal(g, want) {
		t.Errorf("ActiveParcelsNear with no exception: got %v, want %v", g, want)
	}
}

// ---- disposals and events ----

func testDisposals(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	other := insertParcel(t, s, testParcel("A", land.Idle, box(113.1, 27, 0.01), 100))

	steps := []land.Disposal{
		{ParcelID: p.ID, ParkCode: "A", Method: "start_construction", Counts: true, Date: land.MustDate("2021-09-01"), AreaMu: 60.5, Note: "二期", CreatedBy: "alice", CreatedAt: t0.In(cst)},
		{ParcelID: p.ID, Method: "extend_start", Date: land.MustDate("2021-03-01"), CreatedBy: "alice", CreatedAt: t0},
		{ParcelID: p.ID, ParkCode: "A", Method: "start_construction", Counts: true, Date: land.MustDate("2021-03-01"), AreaMu: 10, CreatedBy: "bob", CreatedAt: t0},
		{ParcelID: other.ID, ParkCode: "A", Method: "free_recovery", Counts: true, Date: land.MustDate("2021-01-01"), AreaMu: 100, CreatedBy: "bob", CreatedAt: t0},
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i := range steps {
			if err := tx.InsertDisposal(ctx, &steps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for i, d := range steps {
		if d.ID == 0 || d.ParkCode != "A" {
			t.Errorf("step %d after insert: id %d park %q, want an id and park A", i, d.ID, d.ParkCode)
		}
	}
	got, err := s.ListDisposals(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []land.Disposal{steps[1], steps[2], steps[0]} // by date, then id
	if len(got) != len(want) {
		t.Fatalf("ListDisposals: %d steps, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) {
			t.Errorf("step %d created at %v, want %v", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("step %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	// Refused steps: a missing parcel, another park than the parcel's, an
	// unknown method.
	for name, d := range map[string]land.Disposal{
		"missing parcel": {ParcelID: p.ID + 1000, Method: "start_construction", Counts: true, Date: land.MustDate("2021-01-01"), AreaMu: 1, CreatedBy: "x", CreatedAt: t0},
		"other park":     {ParcelID: p.ID, ParkCode: "B", Method: "start_construction", Counts: true, Date: land.MustDate("2021-01-01"), AreaMu: 1, CreatedBy: "x", CreatedAt: t0},
		"unknown method": {ParcelID: p.ID, Method: "no_such_method", Counts: true, Date: land.MustDate("2021-01-01"), AreaMu: 1, CreatedBy: "x", CreatedAt: t0},
	} {
		err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertDisposal(ctx, &d) })
		if err == nil {
			t.Errorf("InsertDisposal with %s: no error", name)
		}
		if name == "missing parcel" && !errors.Is(err, land.ErrNotFound) {
			t.Errorf("InsertDisposal with a missing parcel: %v, want ErrNotFound", err)
		}
	}
	if c := counts(t, s); c.Disposals != 4 {
		t.Errorf("disposals: %d, want 4", c.Disposals)
	}
}

func testEvents(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	events := []land.Event{
		{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelCreate, Actor: "alice", At: t0, After: []byte(`{"id":1,"名":"地块"}`)},
		{ParkCode: "A", Kind: land.EventParkUpdate, Actor: "admin", At: t0.Add(time.Second), Before: []byte(`{"a":1}`), After: []byte(`{"a":2}`)},
		{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelUpdate, Actor: "bob", At: t0.In(cst).Add(time.Minute), Before: []byte(`{"v":1}`), After: []byte(`[1,2,3]`)},
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i := range events {
			if err := tx.AppendEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.ListEvents(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []land.Event{events[0], events[2]}
	if len(got) != len(want) {
		t.Fatalf("ListEvents: %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID == 0 || (i > 0 && g.ID <= got[i-1].ID) {
			t.Errorf("event ids not increasing: %v", got)
		}
		if !g.At.Equal(w.At) {
			t.Errorf("event %d at %v, want %v", i, g.At, w.At)
		}
		g.At, w.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	// An event needs an actor.
	err = s.Update(ctx, func(tx land.Tx) error {
		return tx.AppendEvent(ctx, &land.Event{ParkCode: "A", Kind: land.EventParkUpdate, At: t0})
	})
	if err == nil {
		t.Errorf("AppendEvent with no actor: no error")
	}
	if c := counts(t, s); c.Events != 3 {
		t.Errorf("events: %d, want 3", c.Events)
	}
}

// ---- transactions ----

func testRollback(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	before := counts(t, s)
	if before != (land.RowCounts{Parks: 1, Parcels: 1, Methods: len(land.DefaultMethods())}) {
		t.Fatalf("counts before: %+v", before)
	}

	errFail := errors.New("refused on purpose")
	var newID int64
	err := s.Update(ctx, func(tx land.Tx) error {
		park := testPark("B")
		if err := tx.InsertPark(ctx, &park); err != nil {
			return err
		}
		q := testParcel("B", land.Idle, box(113.5, 27, 0.01), 5)
		if err := tx.InsertParcel(ctx, &q); err != nil {
			return err
		}
		newID = q.ID
		changed := p
		changed.Note = "changed"
		if err := tx.UpdateParcel(ctx, &changed, 1); err != nil {
			return err
		}
		d := land.Disposal{ParcelID: p.ID, Method: "start_construction", Counts: true, Date: land.MustDate("2021-01-01"), AreaMu: 1, CreatedBy: "x", CreatedAt: t0}
		if err := tx.InsertDisposal(ctx, &d); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, &land.Event{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelUpdate, Actor: "x", At: t0}); err != nil {
			return err
		}
		if err := tx.UpsertMethod(ctx, land.Method{Code: "zz", Class: land.Idle, Name: "zz"}); err != nil {
			return err
		}
		// Inside the transaction, its writes are visible.
		c, err := tx.CountRows(ctx)
		if err != nil {
			return err
		}
		if want := (land.RowCounts{Parks: 2, Parcels: 2, Disposals: 1, Events: 1, Methods: before.Methods + 1}); c != want {
			return fmt.Errorf("counts inside the transaction: %+v, want %+v", c, want)
		}
		return fmt.Errorf("wrapped: %w", errFail)
	})
	if !errors.Is(err, errFail) {
		t.Fatalf("Update: %v, want the error of fn", err)
	}
	if after := counts(t, s); after != before {
		t.Errorf("counts after rollback: %+v, want %+v", after, before)
	}
	if _, err := s.GetParcel(ctx, newID); !errors.Is(err, land.ErrNotFound) {
		t.Errorf("parcel inserted in a rolled back transaction: %v, want ErrNotFound", err)
	}
	got, err := s.GetParcel(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameParcel(t, got, p)
}

// testSerializedWriters checks that write transactions do not interleave:
// what fn reads inside Update is still current when it writes, so that a
// read-modify-write with the version just read never conflicts.
func testSerializedWriters(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	const writers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				err := s.Update(ctx, func(tx land.Tx) error {
					q, err := tx.GetParcel(ctx, p.ID)
					if err != nil {
						return err
					}
					q.Disposed++
					if err := tx.UpdateParcel(ctx, &q, q.Version); err != nil {
						return err
					}
					return tx.AppendEvent(ctx, &land.Event{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelUpdate,
						Actor: fmt.Sprintf("writer %d", w), At: t0.Add(time.Duration(r) * time.Second)})
				})
				if err != nil {
					errs <- err
				}
				// Readers run alongside the writers.
				if _, err := s.RateSums(ctx, land.RateQuery{AsOf: land.MustDate("2030-01-01")}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent writer: %v", err)
	}
	got, err := s.GetParcel(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1+writers*rounds || got.Disposed != writers*rounds {
		t.Errorf("after %d writes: version %d, disposed %v", writers*rounds, got.Version, got.Disposed)
	}
	if c := counts(t, s); c.Events != writers*rounds {
		t.Errorf("events: %d, want %d", c.Events, writers*rounds)
	}
}

// ---- rates ----

// testRateSums builds a small ledger and checks RateSums against figures
// computed by hand.
//
//	parcel park class        area  identified  removed     counting steps (non-counting)
//	P1     A    idle        100.5  2021-01-10  -           2021-03-01 30.25, 2021-09-01 70.25 (2021-06-01 extend_start)
//	P2     A    idle         50    2021-02-01  -           2021-12-15 20, 2022-03-01 30
//	P3     A    idle         40    2022-01-15  -           2022-02-01 15
//	P4     A    idle         25    2021-01-05  2021-10-01  -
//	P5     A    unsupplied   60    2021-04-01  -           2021-05-01 60
//	P6     B    inefficient  80    2021-03-01  -           (2021-04-01 renovation)
//	P7     B    unsupplied   30    2020-06-01  -           2020-12-01 30
//	P8     A    inefficient  12.5  2021-07-01  -           2021-08-01 12.4999995 (within ε of all)
//	P9     A    idle          7    -           -           (never identified: never counted)
func testRateSums(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	type step struct {
		date, method string
		area         float64
	}
	type row struct {
		park       string
		class      land.Class
		area       float64
		identified string
		removed    string
		steps      []step
	}
	ledger := []row{
		{"A", land.Idle, 100.5, "2021-01-10", "", []step{{"2021-03-01", "start_construction", 30.25}, {"2021-06-01", "extend_start", 0}, {"2021-09-01", "start_construction", 70.25}}},
		{"A", land.Idle, 50, "2021-02-01", "", []step{{"2021-12-15", "paid_recovery", 20}, {"2022-03-01", "free_recovery", 30}}},
		{"A", land.Idle, 40, "2022-01-15", "", []step{{"2022-02-01", "start_construction", 15}}},
		{"A", land.Idle, 25, "2021-01-05", "2021-10-01", nil},
		{"A", land.Unsupplied, 60, "2021-04-01", "", []step{{"2021-05-01", "supply", 60}}},
		{"B", land.Inefficient, 80, "2021-03-01", "", []step{{"2021-04-01", "renovation", 0}}},
		{"B", land.Unsupplied, 30, "2020-06-01", "", []step{{"2020-12-01", "supply", 30}}},
		{"A", land.Inefficient, 12.5, "2021-07-01", "", []step{{"2021-08-01", "capacity_upgrade", 12.4999995}}},
		{"A", land.Idle, 7, "", "", nil},
	}
	counting := map[string]bool{}
	for _, m := range land.DefaultMethods() {
		counting[m.Code] = m.Counts
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i, r := range ledger {
			p := testParcel(r.park, r.class, box(113+float64(i)*0.01, 27, 0.005), r.area)
			if r.identified != "" {
				p.IdentifiedOn = land.MustDate(r.identified)
			}
			if r.removed != "" {
				p.RemovedOn = land.MustDate(r.removed)
			}
			if err := tx.InsertParcel(ctx, &p); err != nil {
				return err
			}
			for _, st := range r.steps {
				d := land.Disposal{ParcelID: p.ID, Method: st.method, Counts: counting[st.method],
					Date: land.MustDate(st.date), AreaMu: st.area, CreatedBy: "test", CreatedAt: t0}
				if err := tx.InsertDisposal(ctx, &d); err != nil {
					return err
				}
			}
		}
		return nil
	})

	type want = rateSum
	cases := []struct {
		name string
		q    land.RateQuery
		want []want
	}{
		{
			name: "cumulative",
			q:    land.RateQuery{AsOf: land.MustDate("2022-12-31")},
			want: []want{
				{"A", land.Idle, 190.5, 3, 165.5, 2},
				{"A", land.Inefficient, 12.5, 1, 12.4999995, 1},
				{"A", land.Unsupplied, 60, 1, 60, 1},
				{"B", land.Inefficient, 80, 1, 0, 0},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			// P2's second step and P3 come later; P4 was removed on 2021-10-01.
			name: "as of a past date",
			q:    land.RateQuery{AsOf: land.MustDate("2021-12-31")},
			want: []want{
				{"A", land.Idle, 150.5, 2, 120.5, 1},
				{"A", land.Inefficient, 12.5, 1, 12.4999995, 1},
				{"A", land.Unsupplied, 60, 1, 60, 1},
				{"B", land.Inefficient, 80, 1, 0, 0},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			name: "as of the removal date",
			q:    land.RateQuery{AsOf: land.MustDate("2021-10-01"), Class: land.Idle},
			want: []want{{"A", land.Idle, 150.5, 2, 100.5, 1}},
		},
		{
			// The day before its removal P4 still counts.
			name: "as of the day before the removal",
			q:    land.RateQuery{AsOf: land.MustDate("2021-09-30")},
			want: []want{
				{"A", land.Idle, 175.5, 3, 100.5, 1},
				{"A", land.Inefficient, 12.5, 1, 12.4999995, 1},
				{"A", land.Unsupplied, 60, 1, 60, 1},
				{"B", land.Inefficient, 80, 1, 0, 0},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			// A step dated on AsOf counts.
			name: "as of a step's date",
			q:    land.RateQuery{AsOf: land.MustDate("2021-09-01"), ParkCode: "A", Class: land.Idle},
			want: []want{{"A", land.Idle, 175.5, 3, 100.5, 1}},
		},
		{
			name: "before the steps",
			q:    land.RateQuery{AsOf: land.MustDate("2021-02-28")},
			want: []want{
				{"A", land.Idle, 175.5, 3, 0, 0},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			// Against the stock undisposed at From: P1 had 30.25 disposed
			// before, P5, P7 and P8 were wholly disposed before (P8 up to
			// less than ε: in the stock by area, not by count).
			name: "period",
			q:    land.RateQuery{From: land.MustDate("2021-09-01"), AsOf: land.MustDate("2021-12-31")},
			want: []want{
				{"A", land.Idle, 120.25, 2, 90.25, 1},
				{"A", land.Inefficient, 12.5 - 12.4999995, 0, 0, 0},
				{"A", land.Unsupplied, 0, 0, 0, 0},
				{"B", land.Inefficient, 80, 1, 0, 0},
				{"B", land.Unsupplied, 0, 0, 0, 0},
			},
		},
		{
			// A step dated on From is in the period.
			name: "period from a step's date",
			q:    land.RateQuery{From: land.MustDate("2021-03-01"), AsOf: land.MustDate("2021-12-31"), ParkCode: "A"},
			want: []want{
				{"A", land.Idle, 150.5, 2, 120.5, 1},
				{"A", land.Inefficient, 12.5, 1, 12.4999995, 1},
				{"A", land.Unsupplied, 60, 1, 60, 1},
			},
		},
		{
			// Parcels identified within the period join the stock.
			name: "period of a year",
			q:    land.RateQuery{From: land.MustDate("2022-01-01"), AsOf: land.MustDate("2022-12-31"), Class: land.Idle},
			want: []want{{"A", land.Idle, 70, 2, 45, 1}},
		},
		{
			name: "class",
			q:    land.RateQuery{AsOf: land.MustDate("2022-12-31"), Class: land.Unsupplied},
			want: []want{
				{"A", land.Unsupplied, 60, 1, 60, 1},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			name: "park",
			q:    land.RateQuery{AsOf: land.MustDate("2022-12-31"), ParkCode: "B"},
			want: []want{
				{"B", land.Inefficient, 80, 1, 0, 0},
				{"B", land.Unsupplied, 30, 1, 30, 1},
			},
		},
		{
			name: "park and class",
			q:    land.RateQuery{AsOf: land.MustDate("2022-12-31"), ParkCode: "A", Class: land.Idle},
			want: []want{{"A", land.Idle, 190.5, 3, 165.5, 2}},
		},
		{
			name: "unknown park",
			q:    land.RateQuery{AsOf: land.MustDate("2022-12-31"), ParkCode: "C"},
		},
		{
			name: "before any identification",
			q:    land.RateQuery{AsOf: land.MustDate("2020-01-01")},
		},
	}
	for _, c := range cases {
		got, err := s.RateSums(ctx, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkRateSums(t, c.name, got, c.want)
		if c.q.From.IsZero() {
			continue
		}
		// DisposedByPark is RateSums' disposed area per park, read cheaply.
		byPark, err := s.DisposedByPark(ctx, c.q)
		if err != nil {
			t.Errorf("%s: DisposedByPark: %v", c.name, err)
			continue
		}
		want := map[string]float64{}
		for _, w := range c.want {
			if w.disposedMu != 0 {
				want[w.park] += w.disposedMu
			}
		}
		if len(byPark) != len(want) {
			t.Errorf("%s: DisposedByPark = %v, want %v", c.name, byPark, want)
		}
		for park, mu := range want {
			if math.Abs(byPark[park]-mu) > 1e-9 {
				t.Errorf("%s: DisposedByPark[%s] = %v, want %v", c.name, park, byPark[park], mu)
			}
		}
	}

	if _, err := s.RateSums(ctx, land.RateQuery{}); err == nil {
		t.Errorf("RateSums with no as-of date: no error")
	}
	// The same figures inside a write transaction.
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		got, err := tx.RateSums(ctx, cases[0].q)
		if err != nil {
			return err
		}
		checkRateSums(t, "in a transaction", got, cases[0].want)
		return nil
	})
}

// rateSum is land.RateSum in short literals.
type rateSum struct {
	park            string
	class           land.Class
	identifiedMu    float64
	identifiedCount int
	disposedMu      float64
	disposedCount   int
}

// checkRateSums compares rate sums as sets keyed by park and class, areas to
// 1e-9 亩.
func checkRateSums(t *testing.T, name string, got []land.RateSum, wants []rateSum) {
	t.Helper()
	type key struct {
		park  string
		class land.Class
	}
	byKey := map[key]land.RateSum{}
	for _, g := range got {
		k := key{g.ParkCode, g.Class}
		if _, dup := byKey[k]; dup {
			t.Errorf("%s: two rows for %v", name, k)
		}
		byKey[k] = g
	}
	want := make([]land.RateSum, len(wants))
	for i, w := range wants {
		want[i] = land.RateSum{ParkCode: w.park, Class: w.class, IdentifiedMu: w.identifiedMu,
			IdentifiedCount: w.identifiedCount, DisposedMu: w.disposedMu, DisposedCount: w.disposedCount}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n got %+v\nwant %+v", name, len(got), len(want), got, want)
	}
	for _, w := range want {
		g, ok := byKey[key{w.ParkCode, w.Class}]
		if !ok {
			t.Errorf("%s: no row for %s/%s", name, w.ParkCode, w.Class)
			continue
		}
		if math.Abs(g.IdentifiedMu-w.IdentifiedMu) > 1e-9 || g.IdentifiedCount != w.IdentifiedCount ||
			math.Abs(g.DisposedMu-w.DisposedMu) > 1e-9 || g.DisposedCount != w.DisposedCount {
			t.Errorf("%s: %s/%s:\n got %+v\nwant %+v", name, w.ParkCode, w.Class, g, w)
		}
	}
}

// testParksVersion: the version grows with every park inserted or updated,
// read in a transaction or not, stays when only parcels change, and a
// rolled-back park change leaves it as it was.
func testParksVersion(t *testing.T, s land.Store) {
	ctx := t.Context()
	version := func(r land.Reader) int64 {
		t.Helper()
		v, err := r.ParksVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version(s)
	insertParks(t, s, "A", "B")
	v1 := version(s)
	if v1 <= v0 {
		t.Fatalf("after inserting parks: version %d, was %d", v1, v0)
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		p := testParcel("A", land.Idle, box(113.1, 27.1, 0.01), 10)
		return tx.InsertParcel(ctx, &p)
	})
	if v := version(s); v != v1 {
		t.Fatalf("after a parcel: version %d, want %d", v, v1)
	}
	var inTx int64
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		p := testPark("A")
		p.TargetMu = 75
		if err := tx.UpdatePark(ctx, &p); err != nil {
			return err
		}
		inTx = version(tx)
		return nil
	})
	v2 := version(s)
	if v2 <= v1 || inTx != v2 {
		t.Fatalf("after a park update: version %d (in its transaction %d), was %d", v2, inTx, v1)
	}
	err := s.Update(ctx, func(tx land.Tx) error {
		p := testPark("C")
		if err := tx.InsertPark(ctx, &p); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("the update was not rolled back")
	}
	if v := version(s); v != v2 {
		t.Fatalf("after a rolled-back park: version %d, want %d", v, v2)
	}
}
