package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"panhuo/internal/land"
)

// testSearchEvents checks the audit trail's filters, day bounds in China
// Standard Time, keyset paging and newest-first order.
func testSearchEvents(t *testing.T, s land.Store) {
	ctx := t.Context()
	insertParks(t, s, "A", "B")
	p := insertParcel(t, s, testParcel("A", land.Idle, box(113, 27, 0.01), 100))
	q := insertParcel(t, s, testParcel("B", land.Idle, box(114, 27, 0.01), 100))

	// 2026-03-14 in CST runs from 2026-03-13T16:00:00Z to 2026-03-14T16:00:00Z.
	dayStart := time.Date(2026, 3, 14, 0, 0, 0, 0, cst)
	events := []land.Event{
		// 0: the last nanosecond of 03-13 CST.
		{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelCreate, Actor: "alice", At: dayStart.Add(-time.Nanosecond)},
		// 1: the first instant of 03-14 CST.
		{ParkCode: "A", ParcelID: p.ID, Kind: land.EventParcelUpdate, Actor: "bob", At: dayStart},
		// 2: half a second into 03-14 CST (fractional seconds in the stored text).
		{ParkCode: "B", ParcelID: q.ID, Kind: land.EventParcelCreate, Actor: "alice", At: dayStart.Add(500 * time.Millisecond)},
		// 3: a user event, no park, late on 03-14 CST (already 03-14 in UTC too).
		{ParkCode: "", Kind: "user.create", Actor: "admin", At: dayStart.Add(24*time.Hour - time.Nanosecond), After: []byte(`{"login":"bob"}`)},
		// 4: the first instant of 03-15 CST.
		{ParkCode: "", Kind: "user.update", Actor: "admin", At: dayStart.Add(24 * time.Hour)},
		// 5: a park event.
		{ParkCode: "B", Kind: land.EventParkUpdate, Actor: "admin", At: dayStart.Add(48 * time.Hour)},
		// 6: a kind that shares a prefix without the dot.
		{ParkCode: "", Kind: "username.x", Actor: "admin", At: dayStart.Add(48 * time.Hour)},
	}
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		for i := range events {
			if err := tx.AppendEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	idx := func(es []land.Event) []int {
		var out []int
		for _, e := range es {
			i := slices.IndexFunc(events, func(w land.Event) bool { return w.ID == e.ID })
			out = append(out, i)
		}
		return out
	}
	day := func(s string) land.Date { return land.MustDate(s) }
	for _, tc := range []struct {
		name string
		f    land.EventFilter
		want []int
	}{
		{"all", land.EventFilter{}, []int{6, 5, 4, 3, 2, 1, 0}},
		{"actor", land.EventFilter{Actor: "alice"}, []int{2, 0}},
		{"actor unknown", land.EventFilter{Actor: "ALICE"}, nil},
		{"park", land.EventFilter{ParkCode: "B"}, []int{5, 2}},
		{"parcel", land.EventFilter{ParcelID: p.ID}, []int{1, 0}},
		{"kind exact", land.EventFilter{Kind: land.EventParcelCreate}, []int{2, 0}},
		{"kind prefix", land.EventFilter{Kind: "user."}, []int{4, 3}},
		{"kind prefix parcel", land.EventFilter{Kind: "parcel."}, []int{2, 1, 0}},
		{"kind without dot is exact", land.EventFilter{Kind: "user"}, nil},
		{"one day", land.EventFilter{From: day("2026-03-14"), To: day("2026-03-14")}, []int{3, 2, 1}},
		{"from", land.EventFilter{From: day("2026-03-15")}, []int{6, 5, 4}},
		{"to", land.EventFilter{To: day("2026-03-13")}, []int{0}},
		{"empty range", land.EventFilter{From: day("2026-03-20")}, nil},
		{"combined", land.EventFilter{Actor: "admin", Kind: "user.", From: day("2026-03-14"), To: day("2026-03-14")}, []int{3}},
		{"limit", land.EventFilter{Limit: 2}, []int{6, 5}},
		{"before id", land.EventFilter{BeforeID: events[3].ID}, []int{2, 1, 0}},
		{"before id and limit", land.EventFilter{BeforeID: events[3].ID, Limit: 2}, []int{2, 1}},
	} {
		got, err := s.SearchEvents(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if g := idx(got); !slices.Equal(g, tc.want) {
			t.Errorf("%s: events %v, want %v", tc.name, g, tc.want)
		}
	}

	// Fields come back whole.
	got, err := s.SearchEvents(ctx, land.EventFilter{Kind: "user.create"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Actor != "admin" || got[0].ParkCode != "" || got[0].ParcelID != 0 ||
		!got[0].At.Equal(events[3].At) || string(got[0].After) != `{"login":"bob"}` || got[0].Before != nil {
		t.Errorf("user.create event: %+v", got)
	}

	// Paging through everything two at a time gives every event once.
	var all []int
	var before int64
	for range 10 {
		page, err := s.SearchEvents(ctx, land.EventFilter{BeforeID: before, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, idx(page)...)
		before = page[len(page)-1].ID
	}
	if want := []int{6, 5, 4, 3, 2, 1, 0}; !slices.Equal(all, want) {
		t.Errorf("paged: %v, want %v", all, want)
	}

	// Inside a write transaction too.
	update(t, s, func(ctx context.Context, tx land.Tx) error {
		es, err := tx.SearchEvents(ctx, land.EventFilter{Actor: "bob"})
		if err != nil {
			return err
		}
		if g := idx(es); !slices.Equal(g, []int{1}) {
			t.Errorf("in a transaction: %v, want [1]", g)
		}
		return nil
	})
}
