package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"panhuo/geo"
	"panhuo/internal/demo"
	"panhuo/internal/land"
)

func TestLoadSynthetic(t *testing.T) {
	ctx := context.Background()
	_, st := openService(t)
	opts := demo.SyntheticOptions{Parks: 20, Parcels: 2000, Seed: 7}
	if err := demo.LoadSynthetic(ctx, st, opts); err != nil {
		t.Fatal(err)
	}
	want := len(geo.SyntheticParcels(opts.Seed, geo.SyntheticParks(opts.Seed, opts.Parks), opts.Parcels))
	if want < 1900 {
		t.Fatalf("the generator gave only %d parcels", want)
	}
	rows, err := st.CountRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Parks != 20 || rows.Parcels != want {
		t.Fatalf("rows %+v, want 20 parks and %d parcels", rows, want)
	}
	if rows.Events != rows.Parks+rows.Parcels+rows.Disposals {
		t.Errorf("events %d, want one per park, parcel and step (%d)", rows.Events, rows.Parks+rows.Parcels+rows.Disposals)
	}

	ps, err := st.ListParcels(ctx, land.ParcelFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var straddling, withCounting, disposed, partial, nonCounting int
	classes := map[land.Class]int{}
	for _, p := range ps {
		classes[p.Class]++
		if p.AreaMu < 4.9 || p.AreaMu > 300.5 {
			t.Errorf("parcel %d: %.2f 亩", p.ID, p.AreaMu)
		}
		if p.HasFlag(land.FlagStraddlesBoundary) {
			straddling++
		}
		if !p.HasFlag(land.FlagDemo) {
			t.Errorf("parcel %d not flagged demo", p.ID)
		}
		steps, err := st.ListDisposals(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum, counting := 0.0, false
		for _, d := range steps {
			sum += d.AreaMu
			if d.Counts {
				counting = true
			} else if d.AreaMu != 0 {
				t.Errorf("parcel %d: a step that does not count uses %.2f 亩", p.ID, d.AreaMu)
			}
			if d.Date.Before(p.IdentifiedOn) {
				t.Errorf("parcel %d: step on %s before identification %s", p.ID, d.Date, p.IdentifiedOn)
			}
		}
		// Its trail: its creation, then an event per step in the order the
		// steps were written (by id; ListDisposals lists them by date).
		events, err := st.ListEvents(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var stepIDs, eventStepIDs []int64
		for _, d := range steps {
			stepIDs = append(stepIDs, d.ID)
		}
		slices.Sort(stepIDs)
		for _, e := range events[min(1, len(events)):] {
			var step struct {
				Disposal land.Disposal `json:"disposal"`
			}
			if e.Kind != land.EventDisposalCreate || json.Unmarshal(e.After, &step) != nil {
				t.Errorf("parcel %d: event %d is %s, want %s", p.ID, e.ID, e.Kind, land.EventDisposalCreate)
			}
			eventStepIDs = append(eventStepIDs, step.Disposal.ID)
		}
		if len(events) == 0 || events[0].Kind != land.EventParcelCreate || !slices.Equal(eventStepIDs, stepIDs) {
			t.Errorf("parcel %d: events %+v, want its creation then the events of steps %v", p.ID, events, stepIDs)
		}
		if math.Abs(sum-p.Disposed) > 1e-6 {
			t.Errorf("parcel %d: steps use %.4f 亩, disposed_mu %.4f", p.ID, sum, p.Disposed)
		}
		wantStatus := land.Pending
		switch {
		case len(steps) > 0 && p.Disposed >= p.AreaMu-land.AreaEpsilonMu:
			wantStatus = land.Disposed
		case len(steps) > 0:
			wantStatus = land.InProgress
		}
		if p.Status != wantStatus {
			t.Errorf("parcel %d: status %s with %d steps, %.2f of %.2f 亩 disposed", p.ID, p.Status, len(steps), p.Disposed, p.AreaMu)
		}
		switch {
		case counting && p.Status == land.Disposed:
			withCounting++
			disposed++
		case counting:
			withCounting++
			partial++
		case len(steps) > 0:
			nonCounting++
		}
	}
	n := float64(len(ps))
	t.Logf("%d parcels: %d straddling, %d with counting steps (%d disposed, %d partial), %d with other steps only, classes %v",
		len(ps), straddling, withCounting, disposed, partial, nonCounting, classes)
	if s := float64(straddling) / n; s < 0.015 || s > 0.045 {
		t.Errorf("straddling share %.3f, want about 3%%", s)
	}
	if s := float64(withCounting) / n; s < 0.10 || s > 0.20 {
		t.Errorf("share with counting steps %.3f, want about 15%%", s)
	}
	if partial == 0 || nonCounting == 0 {
		t.Errorf("want partial and non-counting steps: %d, %d", partial, nonCounting)
	}

	// Synthetic dates run to 2025-06-30.
	svc := land.NewService(st, land.WithClock(func() time.Time { return time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC) }))
	rep, err := svc.Rates(ctx, land.RatesQuery{})
	if err != nil {
		t.Fatal(err)
	}
	total := rep.Rows[len(rep.Rows)-1]
	if total.IdentifiedCount != len(ps) || total.DisposedCount != disposed {
		t.Errorf("rates total %+v, want %d identified and %d disposed", total.RateFigures, len(ps), disposed)
	}

	if err := demo.LoadSynthetic(ctx, st, opts); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second load: %v, want ErrNotEmpty", err)
	}
}
