package sqlite

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// naiveRateSums computes land.RateSum from its definition, in Go, over the
// whole ledger read back from the store.
func naiveRateSums(t *testing.T, s *Store, q land.RateQuery) map[[2]string]land.RateSum {
	t.Helper()
	ctx := t.Context()
	ps, err := s.ListParcels(ctx, land.ParcelFilter{IncludeRemoved: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]land.RateSum{}
	for _, p := range ps {
		if p.IdentifiedOn.IsZero() || p.IdentifiedOn.After(q.AsOf) || (!p.RemovedOn.IsZero() && !p.RemovedOn.After(q.AsOf)) {
			continue
		}
		if (q.ParkCode != "" && p.ParkCode != q.ParkCode) || (q.Class != "" && p.Class != q.Class) {
			continue
		}
		ds, err := s.ListDisposals(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var before, upto float64
		for _, d := range ds {
			if !d.Counts {
				continue
			}
			if !q.From.IsZero() && d.Date.Before(q.From) {
				before += d.AreaMu
			}
			if !d.Date.After(q.AsOf) {
				upto += d.AreaMu
			}
		}
		stock := p.AreaMu - before
		k := [2]string{p.ParkCode, string(p.Class)}
		r := out[k]
		r.ParkCode, r.Class = p.ParkCode, p.Class
		r.IdentifiedMu += stock
		r.DisposedMu += upto - before
		if stock > land.AreaEpsilonMu {
			r.IdentifiedCount++
			if upto >= p.AreaMu-land.AreaEpsilonMu {
				r.DisposedCount++
			}
		}
		out[k] = r
	}
	return out
}

func sameSums(t *testing.T, name string, got []land.RateSum, want map[[2]string]land.RateSum) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", name, len(got), len(want))
	}
	for i, g := range got {
		if i > 0 && (got[i-1].ParkCode > g.ParkCode || (got[i-1].ParkCode == g.ParkCode && got[i-1].Class >= g.Class)) {
			t.Errorf("%s: rows out of order at %d", name, i)
		}
		w, ok := want[[2]string{g.ParkCode, string(g.Class)}]
		if !ok {
			t.Errorf("%s: unexpected row %+v", name, g)
			continue
		}
		if math.Abs(g.IdentifiedMu-w.IdentifiedMu) > 1e-9 || g.IdentifiedCount != w.IdentifiedCount ||
			math.Abs(g.DisposedMu-w.DisposedMu) > 1e-9 || g.DisposedCount != w.DisposedCount {
			t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
		}
	}
}

// TestRateSumsRandomLedger checks every strategy against the definition on
// a random ledger that keeps changing (parcels moved, resized, removed,
// restored, steps added), with the cache in use between the changes.
func TestRateSumsRandomLedger(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(7, 11))
	parks := []string{"A", "B", "C"}
	day0 := land.MustDate("2020-01-01")
	// Few distinct days, so that dates often fall on AsOf, From and each
	// other; now and then the day before or after.
	randDay := func() land.Date { return day0.AddDate(0, 0, 45*rng.IntN(48)+[]int{0, 0, 0, -1, 1}[rng.IntN(5)]) }
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	counting := map[land.Class]string{land.Unsupplied: "supply", land.Idle: "start_construction", land.Inefficient: "capacity_upgrade"}
	other := map[land.Class]string{land.Unsupplied: "land_reserve", land.Idle: "extend_start", land.Inefficient: "renovation"}

	err := s.Update(ctx, func(tx land.Tx) error {
		for _, c := range parks {
			p := land.Park{Code: c, Name: c, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var ids []int64
	addParcels := func(n int) {
		t.Helper()
		err := s.Update(ctx, func(tx land.Tx) error {
			for range n {
				area := []float64{0, 5e-7, 1, 12.5, 33.3, 100}[rng.IntN(6)] + float64(rng.IntN(3))*0.1
				p := land.Parcel{ParkCode: parks[rng.IntN(3)], Class: land.Classes[rng.IntN(3)], Status: land.Pending,
					Geometry: orb.Polygon{{{113, 27}, {113.001, 27}, {113.001, 27.001}, {113, 27}}},
					AreaMu:   area, CreatedBy: "t", UpdatedBy: "t", CreatedAt: now, UpdatedAt: now}
				if rng.IntN(10) > 0 {
					p.IdentifiedOn = randDay()
				}
				if rng.IntN(8) == 0 && !p.IdentifiedOn.IsZero() {
					p.RemovedOn = p.IdentifiedOn.AddDate(0, 0, 45*rng.IntN(16))
				}
				if err := tx.InsertParcel(ctx, &p); err != nil {
					return err
				}
				ids = append(ids, p.ID)
				for range rng.IntN(4) {
					d := land.Disposal{ParcelID: p.ID, Date: randDay(), CreatedBy: "t", CreatedAt: now}
					if rng.IntN(4) == 0 {
						d.Method = other[p.Class]
					} else {
						d.Method, d.Counts = counting[p.Class], true
						d.AreaMu = area * []float64{1, 0.5, 0.25, 0.3333333, 1 - 1e-7}[rng.IntN(5)]
					}
					if err := tx.InsertDisposal(ctx, &d); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	change := func(n int, rollback bool) {
		t.Helper()
		errRollback := fmt.Errorf("roll back")
		err := s.Update(ctx, func(tx land.Tx) error {
			for range n {
				p, err := tx.GetParcel(ctx, ids[rng.IntN(len(ids))])
				if err != nil {
					return err
				}
				switch rng.IntN(6) {
				case 0:
					p.ParkCode = parks[rng.IntN(3)]
				case 1:
					p.Class = land.Classes[rng.IntN(3)]
				case 2:
					p.AreaMu *= 0.5
				case 3:
					if p.RemovedOn.IsZero() {
						p.RemovedOn = randDay()
					} else {
						p.RemovedOn = land.Date{}
					}
				case 4:
					p.IdentifiedOn = []land.Date{{}, randDay()}[rng.IntN(2)]
				case 5:
					d := land.Disposal{ParcelID: p.ID, Method: counting[p.Class], Counts: true, Date: randDay(),
						AreaMu: p.AreaMu * 0.5, CreatedBy: "t", CreatedAt: now}
					if err := tx.InsertDisposal(ctx, &d); err != nil {
						return err
					}
					continue
				}
				if err := tx.UpdateParcel(ctx, &p, p.Version); err != nil {
					return err
				}
			}
			if rollback {
				return errRollback
			}
			return nil
		})
		if err != nil && !rollback {
			t.Fatal(err)
		}
	}

	check := func(round string) {
		t.Helper()
		for range 30 {
			q := land.RateQuery{AsOf: randDay()}
			if rng.IntN(3) == 0 {
				q.AsOf = land.MustDate("2030-01-01") // after everything: no touched parcel
			}
			if rng.IntN(2) == 0 {
				q.From = randDay()
			}
			if rng.IntN(4) == 0 {
				q.Class = land.Classes[rng.IntN(3)]
			}
			if rng.IntN(5) == 0 {
				q.ParkCode = parks[rng.IntN(3)]
			}
			want := naiveRateSums(t, s, q)
			if !q.From.IsZero() && !q.From.After(q.AsOf) { // land refuses From after AsOf
				sameDisposed(t, fmt.Sprintf("%s DisposedByPark %+v", round, q), s, q, want)
			}
			for name, strategy := range map[string]rateStrategy{"auto": rateAuto, "scan": rateScan, "totals": rateTotals} {
				s.rates = strategy
				got, err := s.RateSums(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				sameSums(t, fmt.Sprintf("%s %s %+v", round, name, q), got, want)
				// Inside a write transaction, where the cache is not used.
				err = s.Update(ctx, func(tx land.Tx) error {
					got, err := tx.RateSums(ctx, q)
					sameSums(t, fmt.Sprintf("%s %s in tx %+v", round, name, q), got, want)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			s.rates = rateAuto
		}
	}

	addParcels(150)
	check("initial")
	for i := range 4 {
		change(20, false)
		change(10, true) // leaves no trace, in the totals nor in the cache
		addParcels(20)
		check(fmt.Sprintf("round %d", i))
	}
	checkTotals(t, s)
}

// sameDisposed checks DisposedByPark against the disposed area of the
// RateSums the definition gives.
func sameDisposed(t *testing.T, name string, s *Store, q land.RateQuery, want map[[2]string]land.RateSum) {
	t.Helper()
	got, err := s.DisposedByPark(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	byPark := map[string]float64{}
	for _, w := range want {
		byPark[w.ParkCode] += w.DisposedMu
	}
	for park, mu := range byPark {
		if math.Abs(got[park]-mu) > 1e-9 {
			t.Errorf("%s: park %s disposed %v, want %v", name, park, got[park], mu)
		}
	}
	for park, mu := range got {
		if _, ok := byPark[park]; !ok && math.Abs(mu) > 1e-9 {
			t.Errorf("%s: park %s disposed %v, want none", name, park, mu)
		}
	}
}

// checkTotals compares rate_totals, kept by triggers, with a recomputation.
func checkTotals(t *testing.T, s *Store) {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `
		WITH fresh AS (
			SELECT park_code, class, count(*) AS parcels, total(area_mu) AS area_mu,
				total(counted_mu) AS counted_mu, sum(area_mu > 1e-6) AS n_pos,
				sum(area_mu - counted_mu > 1e-6) AS n_open,
				sum(area_mu > 1e-6 AND counted_mu >= area_mu - 1e-6) AS n_full
			FROM parcels WHERE identified_on IS NOT NULL AND removed_on IS NULL
			GROUP BY park_code, class
		)
		SELECT f.park_code, f.class, f.parcels - coalesce(r.parcels, 0),
			abs(f.area_mu - coalesce(r.area_mu, 0)) + abs(f.counted_mu - coalesce(r.counted_mu, 0)),
			abs(f.n_pos - coalesce(r.n_pos, 0)) + abs(f.n_open - coalesce(r.n_open, 0)) + abs(f.n_full - coalesce(r.n_full, 0))
		FROM fresh f LEFT JOIN rate_totals r USING (park_code, class)
		UNION ALL
		SELECT r.park_code, r.class, r.parcels, abs(r.area_mu) + abs(r.counted_mu), r.n_pos + r.n_open + r.n_full
		FROM rate_totals r WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.park_code = r.park_code AND f.class = r.class)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			park, class string
			dn, dc      int
			dmu         float64
		)
		if err := rows.Scan(&park, &class, &dn, &dmu, &dc); err != nil {
			t.Fatal(err)
		}
		if dn != 0 || dmu > 1e-9 || dc != 0 {
			t.Errorf("rate_totals %s/%s off by %d parcels, %g mu, %d in counts", park, class, dn, dmu, dc)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// counted_mu follows the steps.
	var bad int
	err = s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM parcels p
		WHERE abs(p.counted_mu - (SELECT total(area_mu) FROM disposals WHERE parcel_id = p.id AND counts = 1)) > 1e-12`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Errorf("parcels whose counted_mu is not the sum of their steps: %d (%v)", bad, err)
	}
}

// The cache follows writes made by another connection, as by another
// process.
func TestRatesCacheSeesOtherWriters(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	other, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	q := land.RateQuery{AsOf: land.MustDate("2030-01-01")}
	now := time.Now()
	var id int64
	err = other.Update(ctx, func(tx land.Tx) error {
		park := land.Park{Code: "A", Name: "A", CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertPark(ctx, &park); err != nil {
			return err
		}
		p := land.Parcel{ParkCode: "A", Class: land.Idle, Status: land.Pending, AreaMu: 10,
			Geometry:  orb.Polygon{{{113, 27}, {113.001, 27}, {113.001, 27.001}, {113, 27}}},
			CreatedBy: "t", UpdatedBy: "t"}
		p.IdentifiedOn = land.MustDate("2021-01-01")
		err := tx.InsertParcel(ctx, &p)
		id = p.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.RateSums(ctx, q)
	if err != nil || len(sums) != 1 || sums[0].IdentifiedMu != 10 || sums[0].DisposedMu != 0 {
		t.Fatalf("before the step: %+v, %v", sums, err)
	}
	err = other.Update(ctx, func(tx land.Tx) error {
		d := land.Disposal{ParcelID: id, Method: "start_construction", Counts: true, Date: land.MustDate("2022-01-01"), AreaMu: 4, CreatedBy: "t"}
		return tx.InsertDisposal(ctx, &d)
	})
	if err != nil {
		t.Fatal(err)
	}
	sums, err = s.RateSums(ctx, q)
	if err != nil || len(sums) != 1 || sums[0].IdentifiedMu != 10 || sums[0].DisposedMu != 4 {
		t.Fatalf("after the step: %+v, %v", sums, err)
	}
}

func TestRateSumsRefusesBadQueries(t *testing.T) {
	s := openTemp(t)
	for _, q := range []land.RateQuery{{}, {AsOf: land.MustDate("2021-01-01"), Class: "other"}} {
		if _, err := s.RateSums(context.Background(), q); err == nil {
			t.Errorf("RateSums(%+v): no error", q)
		}
	}
}
