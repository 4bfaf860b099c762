package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/store/postgres/pgtest"
)

// BenchmarkBulkWrites20k writes 20 000 synthetic parcels (the polygons of
// geo.SyntheticParcels) and 20 000 parcel.create events in one transaction,
// one at a time (InsertParcel, AppendEvent) and at once (InsertParcels,
// AppendEvents), rolled back after each round.
func BenchmarkBulkWrites20k(b *testing.B) {
	const n, parks = 20_000, 50
	ctx := context.Background()
	// errRollback rolls every round back: each writes into the same empty tables.
	errRollback := errors.New("rolled back on purpose")
	s := pgtest.Open(b)
	now := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)
	err := s.Update(ctx, func(tx land.Tx) error {
		for i := range parks {
			p := land.Park{Code: fmt.Sprintf("B%02d", i), Name: fmt.Sprintf("园区%d", i), CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	polys := geo.SyntheticParcels(2026, geo.SyntheticParks(2026, parks), n)
	ps := make([]land.Parcel, len(polys))
	for i, poly := range polys {
		z := geo.CentroidZone(poly)
		m2 := geo.AreaM2(poly, z)
		ps[i] = land.Parcel{ParkCode: fmt.Sprintf("B%02d", i%parks), Class: land.Classes[i%3], Status: land.Pending,
			Geometry: poly, GKZone: z, AreaM2: m2, AreaMu: geo.MuFromM2(m2),
			ParcelFields: land.ParcelFields{Code: fmt.Sprintf("430211-%06d", i), ProjectName: "年产十万吨项目",
				IdentifiedOn: land.MustDate("2021-05-06")},
			Flags: []string{land.FlagDemo}, CreatedBy: "bench", CreatedAt: now, UpdatedBy: "bench", UpdatedAt: now}
	}
	after := []byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[` +
		strings.Repeat(`[113.12345678,27.12345678],`, 30) + `[113.12345678,27.12345678]]]},` +
		`"properties":{"park_code":"B01","class":"idle","status":"pending","area_mu":12.5}}`)
	es := make([]land.Event, n)
	for i := range es {
		es[i] = land.Event{ParkCode: fmt.Sprintf("B%02d", i%parks), ParcelID: int64(i + 1),
			Kind: land.EventParcelCreate, Actor: "bench", At: now, After: after}
	}

	for _, c := range []struct {
		name  string
		rows  int
		write func(ctx context.Context, tx land.Tx) error
	}{
		{"InsertParcel", len(ps), func(ctx context.Context, tx land.Tx) error {
			for _, p := range ps {
				if err := tx.InsertParcel(ctx, &p); err != nil {
					return err
				}
			}
			return nil
		}},
		{"InsertParcels", len(ps), func(ctx context.Context, tx land.Tx) error {
			return tx.InsertParcels(ctx, slices.Clone(ps))
		}},
		{"AppendEvent", len(es), func(ctx context.Context, tx land.Tx) error {
			for _, e := range es {
				if err := tx.AppendEvent(ctx, &e); err != nil {
					return err
				}
			}
			return nil
		}},
		{"AppendEvents", len(es), func(ctx context.Context, tx land.Tx) error {
			return tx.AppendEvents(ctx, slices.Clone(es))
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				err := s.Update(ctx, func(tx land.Tx) error {
					if err := c.write(ctx, tx); err != nil {
						return err
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(c.rows)/1e3, "µs/row")
		})
	}
}
