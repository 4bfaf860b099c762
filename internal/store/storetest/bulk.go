package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// Bulk writes: Tx.InsertParcels and Tx.AppendEvents. The batches are larger
// than one statement or chunk of an engine (the SQLite engine inserts 64
// parcels or 128 events per statement), with a remainder.

// bulkParcel is the i-th parcel of a bulk batch: every field set, in
// variations (a MultiPolygon with a hole, no optional numbers, removed,
// never identified, split from splitOf, two parks, the three classes).
func bulkParcel(i int, splitOf int64) land.Parcel {
	x, y := 113+float64(i%25)*0.01, 27+float64(i/25)*0.01
	p := fullParcel([]string{"A", "B"}[i%2])
	p.Class = land.Classes[i%3]
	p.Status = []land.Status{land.Pending, land.InProgress, land.Disposed, land.Pending}[i%4]
	p.Geometry = box(x, y, 0.004)
	if i%7 == 3 {
		p.Geometry = orb.MultiPolygon{
			{square(x, y, 0.004), orb.Ring{{x + 0.001, y + 0.001}, {x + 0.001, y + 0.002}, {x + 0.002, y + 0.002}, {x + 0.002, y + 0.001}, {x + 0.001, y + 0.001}}},
			box(x+0.005, y, 0.002),
		}
	}
	p.AreaMu = 1 + float64(i)*0.731 + 1e-7*float64(i)
	p.AreaM2 = p.AreaMu * 10000 / 15
	p.Disposed = float64(i%5) * 0.25
	p.Code = fmt.Sprintf("430211-%04d", i)
	p.SupervisionNo = fmt.Sprintf("4302112021B%05d", i)
	p.Note = fmt.Sprintf("第 %d 块\n备注", i)
	p.IdentifiedOn = land.MustDate("2020-01-01").AddDate(0, 0, i*7)
	p.RemovedOn, p.RemovedReason = land.Date{}, ""
	switch i % 11 {
	case 4: // removed
		p.RemovedOn, p.RemovedReason = p.IdentifiedOn.AddDate(0, 0, 200), "重复录入"
	case 5: // never identified, no optional number, no flag, no date
		p.IdentifiedOn = land.Date{}
		p.DeclaredAreaMu, p.PlotRatio, p.TaxPerMu = nil, nil, nil
		p.ApprovedOn, p.AgreedStartOn, p.AgreedCompletionOn = land.Date{}, land.Date{}, land.Date{}
		p.IdleCause, p.Flags = "", nil
	case 6:
		p.SplitOf = splitOf
		p.Flags = []string{land.FlagDemo}
	}
	p.CreatedAt = t0.Add(time.Duration(i) * time.Second).In(cst)
	p.UpdatedAt = t0.Add(time.Duration(i)*time.Minute + time.Duration(i))
	return p
}

// testInsertParcels checks that InsertParcels writes what InsertParcel
// writes, gives increasing ids in order after the stored and given ones,
// keeps the ids given, and that the R-tree and the rates follow.
func testInsertParcels(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	first := insertParcel(t, s, testParcel("A", land.Idle, box(112, 26, 0.001), 3))

	const n = 250
	ps := make([]land.Parcel, n)
	for i := range ps {
		ps[i] = bulkParcel(i, first.ID)
	}
	// Ids given at the start and in the middle.
	given := map[int]int64{0: first.ID + 1000, 1: first.ID + 1001, 130: first.ID + 2000}
	for i, id := range given {
		ps[i].ID = id
	}
	want := slices.Clone(ps)
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		if err := tx.InsertParcels(ctx, nil); err != nil {
			return fmt.Errorf("no parcels: %w", err)
		}
		return tx.InsertParcels(ctx, ps)
	})

	var last int64
	for i := range ps {
		if ps[i].Version != 1 {
			t.Errorf("parcel %d: version %d, want 1", i, ps[i].Version)
		}
		if id, ok := given[i]; ok {
			if ps[i].ID != id {
				t.Errorf("parcel %d: id %d, want the given %d", i, ps[i].ID, id)
			}
			continue
		}
		if ps[i].ID <= first.ID+2000 || ps[i].ID <= last {
			t.Fatalf("parcel %d: id %d, want more than the stored and given ids and than %d before it", i, ps[i].ID, last)
		}
		last = ps[i].ID
		want[i].ID = ps[i].ID
	}
	for i := range want {
		want[i].Version = 1
	}
	if c := counts(t, s); c.Parcels != n+1 {
		t.Fatalf("parcels: %d, want %d", c.Parcels, n+1)
	}

	// The rates count the parcels identified and not removed, none disposed
	// by a step.
	all := append([]land.Parcel{first}, want...)
	for _, q := range []land.RateQuery{
		{AsOf: land.MustDate("2030-01-01")},
		{AsOf: land.MustDate("2022-06-30")},
		{AsOf: land.MustDate("2023-12-31"), From: land.MustDate("2023-01-01"), ParkCode: "B"},
	} {
		got, err := s.RateSums(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		checkRateSums(t, fmt.Sprintf("rates %+v", q), got, expectedRateSums(all, q))
	}

	// The same parcels inserted one by one read back the same.
	twins := slices.Clone(want)
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i := range twins {
			twins[i].ID = 0
			if err := tx.InsertParcel(ctx, &twins[i]); err != nil {
				return err
			}
		}
		return nil
	})
	stored, err := s.ListParcels(ctx, land.ParcelFilter{IncludeRemoved: true})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]land.Parcel{}
	for _, p := range stored {
		byID[p.ID] = p
	}
	for i := range want {
		got, ok := byID[want[i].ID]
		if !ok {
			t.Fatalf("parcel %d (id %d) not listed", i, want[i].ID)
		}
		sameParcel(t, got, want[i])
		twin := byID[twins[i].ID]
		twin.ID = got.ID
		if !reflect.DeepEqual(got, twin) {
			t.Errorf("parcel %d inserted in bulk and alone:\n bulk %+v\nalone %+v", i, got, twin)
		}
	}
	if got, err := s.GetParcel(ctx, want[n-1].ID); err != nil {
		t.Fatal(err)
	} else {
		sameParcel(t, got, want[n-1])
	}

	// The spatial index holds them: each active one is near its own bbox.
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i, p := range want {
			near, err := tx.ActiveParcelsNear(ctx, p.Geometry.Bound(), 0)
			if err != nil {
				return err
			}
			active := !p.Removed() && p.Status != land.Disposed
			if found := slices.Contains(ids(near), p.ID); found != active {
				t.Errorf("parcel %d (id %d, %s, removed %v): near its bbox %v, want %v", i, p.ID, p.Status, p.Removed(), found, active)
			}
		}
		return nil
	})
	b := want[n-1].Geometry.Bound()
	inBox, err := s.ListParcels(ctx, land.ParcelFilter{BBox: &b, IncludeRemoved: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(inBox), want[n-1].ID) {
		t.Errorf("the last parcel is not listed in its bbox: %v", ids(inBox))
	}

	// Later parcels get ids past them.
	more := []land.Parcel{bulkParcel(0, 0), bulkParcel(1, 0)}
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.InsertParcels(ctx, more) })
	if maxID := slices.Max(ids(stored)); more[0].ID <= maxID || more[1].ID <= more[0].ID {
		t.Errorf("ids of a later batch: %d, %d; want increasing past %d", more[0].ID, more[1].ID, maxID)
	}
}

// expectedRateSums computes the rate sums of parcels without disposal steps.
func expectedRateSums(ps []land.Parcel, q land.RateQuery) []rateSum {
	type key struct {
		park  string
		class land.Class
	}
	sums := map[key]*rateSum{}
	var keys []key
	for _, p := range ps {
		if p.IdentifiedOn.IsZero() || p.IdentifiedOn.After(q.AsOf) || p.Removed() && !p.RemovedOn.After(q.AsOf) ||
			q.ParkCode != "" && p.ParkCode != q.ParkCode || q.Class != "" && p.Class != q.Class {
			continue
		}
		k := key{p.ParkCode, p.Class}
		if sums[k] == nil {
			sums[k] = &rateSum{park: k.park, class: k.class}
			keys = append(keys, k)
		}
		sums[k].identifiedMu += p.AreaMu
		if p.AreaMu > land.AreaEpsilonMu {
			sums[k].identifiedCount++
		}
	}
	out := make([]rateSum, len(keys))
	for i, k := range keys {
		out[i] = *sums[k]
	}
	return out
}

// testInsertParcelsRefused checks that a batch with a bad parcel anywhere
// is refused whole: the ids it gave are taken back, and once the
// transaction is rolled back nothing is written.
func testInsertParcelsRefused(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	first := insertParcel(t, s, testParcel("A", land.Idle, box(112, 26, 0.001), 3))
	before := counts(t, s)

	for name, spoil := range map[string]func(ps []land.Parcel){
		"no geometry":       func(ps []land.Parcel) { ps[100].Geometry = nil },
		"a point":           func(ps []land.Parcel) { ps[199].Geometry = orb.Point{113, 27} },
		"unknown park":      func(ps []land.Parcel) { ps[140].ParkCode = "NOPE" },
		"taken id":          func(ps []land.Parcel) { ps[150].ID = first.ID },
		"id given twice":    func(ps []land.Parcel) { ps[20].ID, ps[180].ID = first.ID+500, first.ID+500 },
		"unknown class":     func(ps []land.Parcel) { ps[170].Class = "nope" },
		"negative area":     func(ps []land.Parcel) { ps[199].AreaMu = -1 },
		"missing split_of":  func(ps []land.Parcel) { ps[66].SplitOf = first.ID + 100000 },
		"last of the batch": func(ps []land.Parcel) { ps[len(ps)-1].ParkCode = "NOPE" },
	} {
		ps := make([]land.Parcel, 200)
		for i := range ps {
			ps[i] = bulkParcel(i, first.ID)
		}
		ps[3].ID = first.ID + 300 // given: kept
		spoil(ps)
		givenIDs := make([]int64, len(ps))
		for i := range ps {
			givenIDs[i] = ps[i].ID
		}
		err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertParcels(ctx, ps) })
		if err == nil {
			t.Errorf("%s: InsertParcels: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		for i := range ps {
			if ps[i].ID != givenIDs[i] || ps[i].Version != 0 {
				t.Errorf("%s: parcel %d after the error: id %d version %d, want id %d version 0",
					name, i, ps[i].ID, ps[i].Version, givenIDs[i])
				break
			}
		}
		if after := counts(t, s); after != before {
			t.Errorf("%s: counts after the rollback %+v, want %+v", name, after, before)
		}
	}

	// The store still takes a good batch, with ids past the stored one.
	ps := []land.Parcel{bulkParcel(0, 0), bulkParcel(1, 0), bulkParcel(2, 0)}
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.InsertParcels(ctx, ps) })
	if ps[0].ID <= first.ID || ps[1].ID <= ps[0].ID || ps[2].ID <= ps[1].ID {
		t.Errorf("ids after refused batches: %d %d %d, want increasing past %d", ps[0].ID, ps[1].ID, ps[2].ID, first.ID)
	}
	if c := counts(t, s); c.Parcels != before.Parcels+3 {
		t.Errorf("parcels: %d, want %d", c.Parcels, before.Parcels+3)
	}
}

// bulkEvent is the i-th event of a bulk batch: of parcel p or q or of
// none, with documents or without, at times with nanoseconds.
func bulkEvent(i int, p, q int64) land.Event {
	e := land.Event{ParkCode: "A", ParcelID: p, Kind: land.EventParcelUpdate, Actor: fmt.Sprintf("user%d", i%3),
		At: t0.Add(time.Duration(i)*time.Millisecond + time.Duration(i)).In(cst)}
	switch i % 4 {
	case 1:
		e.ParcelID, e.ParkCode = q, "B"
		e.Before = []byte(fmt.Sprintf(`{"v": %d,  "名称":"地块\n%d"}`, i, i))
	case 2:
		e.ParcelID, e.ParkCode, e.Kind = 0, "", "user.update"
		e.After = []byte(`[1, 2.50, "三"]`)
	case 3:
		e.Before, e.After = []byte(`{"a":1}`), []byte(fmt.Sprintf(`{"a":%d}`, i))
	}
	return e
}

// testAppendEvents checks that AppendEvents appends the events in their
// order with increasing ids, that they read back as AppendEvent's do, and
// that a batch with a bad event is refused whole.
func testAppendEvents(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	q := insertParcel(t, s, testParcel("B", land.Idle, box(114, 27, 0.01), 100))
	one := bulkEvent(0, p.ID, q.ID)
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.AppendEvent(ctx, &one) })

	const n = 300
	es := make([]land.Event, n)
	for i := range es {
		es[i] = bulkEvent(i, p.ID, q.ID)
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		if err := tx.AppendEvents(ctx, nil); err != nil {
			return fmt.Errorf("no events: %w", err)
		}
		return tx.AppendEvents(ctx, es)
	})
	last := one.ID
	for i, e := range es {
		if e.ID <= last {
			t.Fatalf("event %d: id %d, want more than %d", i, e.ID, last)
		}
		last = e.ID
	}
	after := bulkEvent(1, p.ID, q.ID)
	update(t, s, func(ctx context.Context, tx land.Tx) error { return tx.AppendEvent(ctx, &after) })
	if after.ID <= last {
		t.Errorf("event appended after the batch: id %d, want more than %d", after.ID, last)
	}

	sameEvents := func(name string, got, want []land.Event) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", name, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.At.Equal(w.At) {
				t.Errorf("%s: event %d at %v, want %v", name, i, g.At, w.At)
			}
			g.At, w.At = time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s: event %d:\n got %+v\nwant %+v", name, i, g, w)
			}
		}
	}
	all := append(append([]land.Event{one}, es...), after)
	for _, id := range []int64{p.ID, q.ID} {
		var want []land.Event
		for _, e := range all {
			if e.ParcelID == id {
				want = append(want, e)
			}
		}
		got, err := s.ListEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sameEvents(fmt.Sprintf("events of parcel %d", id), got, want)
	}
	got, err := s.SearchEvents(ctx, land.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(got)
	sameEvents("all events", got, all)

	// A bad event anywhere refuses the batch.
	before := counts(t, s)
	for name, spoil := range map[string]func(es []land.Event){
		"no kind":       func(es []land.Event) { es[200].Kind = "" },
		"no actor":      func(es []land.Event) { es[0].Actor = "" },
		"bad JSON":      func(es []land.Event) { es[299].After = []byte(`{"a":`) },
		"bad JSON late": func(es []land.Event) { es[150].Before = []byte(`nope`) },
	} {
		es := make([]land.Event, n)
		for i := range es {
			es[i] = bulkEvent(i, p.ID, q.ID)
		}
		spoil(es)
		err := s.Update(ctx, func(tx land.Tx) error { return tx.AppendEvents(ctx, es) })
		if err == nil {
			t.Errorf("%s: AppendEvents: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		for i := range es {
			if es[i].ID != 0 {
				t.Errorf("%s: event %d has id %d after the error, want 0", name, i, es[i].ID)
				break
			}
		}
		if c := counts(t, s); c != before {
			t.Errorf("%s: counts after the rollback %+v, want %+v", name, c, before)
		}
	}
}
