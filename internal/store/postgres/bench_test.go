package postgres_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/demo"
	"panhuo/internal/land"
	"panhuo/internal/store/postgres/pgtest"
	"panhuo/internal/store/sqlite"
)

// The size of the benchmark data: that of GET /api/rates's target.
var benchSynthetic = demo.SyntheticOptions{Parks: 3000, Parcels: 100_000, Seed: 1}

// BenchmarkEngines100k measures the main reads on both engines over the same
// synthetic data (demo.LoadSynthetic, 100 000 parcels in 3 000 parks, seed
// 1): rate sums (what GET /api/rates reads: cumulative as of the data's last
// day, the year so far, as of a past date as the trend asks, one park), a
// park's layer (ListParcels of
// the park with the most parcels) and a bounding-box query (ListParcels of a
// 0.05° square about that park, as a map view asks). The data is built once
// per engine and is not part of the measured time; the time it took is
// logged.
func BenchmarkEngines100k(b *testing.B) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	pg := pgtest.Open(b)
	stores := []land.Store{lite, pg}
	for _, s := range stores {
		start := time.Now()
		if err := demo.LoadSynthetic(ctx, s, benchSynthetic); err != nil {
			b.Fatalf("LoadSynthetic on %s: %v", s.Engine(), err)
		}
		c, err := s.CountRows(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: loaded %d parks, %d parcels, %d steps, %d events in %v", s.Engine(), c.Parks, c.Parcels,
			c.Disposals, c.Events, time.Since(start).Round(time.Millisecond))
	}
	if _, err := pg.Pool().Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}

	// The park with the most parcels, and a map view about its centre.
	var park string
	err = pg.Pool().QueryRow(ctx, `SELECT park_code FROM parcels GROUP BY park_code
		ORDER BY count(*) DESC, park_code LIMIT 1`).Scan(&park)
	if err != nil {
		b.Fatal(err)
	}
	p, err := lite.GetPark(ctx, park)
	if err != nil {
		b.Fatal(err)
	}
	c := p.Boundary.Bound().Center()
	view := orb.Bound{Min: orb.Point{c[0] - 0.025, c[1] - 0.025}, Max: orb.Point{c[0] + 0.025, c[1] + 0.025}}

	asOf := land.MustDate("2025-06-30")
	reads := []struct {
		name string
		read func(s land.Store) (int, error)
	}{
		{"rates", func(s land.Store) (int, error) {
			sums, err := s.RateSums(ctx, land.RateQuery{AsOf: asOf})
			return len(sums), err
		}},
		{"rates-from-year", func(s land.Store) (int, error) {
			sums, err := s.RateSums(ctx, land.RateQuery{AsOf: asOf, From: land.MustDate("2025-01-01")})
			return len(sums), err
		}},
		{"rates-asof-2023", func(s land.Store) (int, error) {
			sums, err := s.RateSums(ctx, land.RateQuery{AsOf: land.MustDate("2023-06-30")})
			return len(sums), err
		}},
		{"rates-park", func(s land.Store) (int, error) {
			sums, err := s.RateSums(ctx, land.RateQuery{AsOf: asOf, ParkCode: park})
			return len(sums), err
		}},
		{"park-layer", func(s land.Store) (int, error) {
			ps, err := s.ListParcels(ctx, land.ParcelFilter{ParkCode: park})
			return len(ps), err
		}},
		{"bbox", func(s land.Store) (int, error) {
			ps, err := s.ListParcels(ctx, land.ParcelFilter{BBox: &view})
			return len(ps), err
		}},
	}
	for _, r := range reads {
		for _, s := range stores {
			b.Run(r.name+"/engine="+s.Engine(), func(b *testing.B) {
				rows := 0
				for b.Loop() {
					n, err := r.read(s)
					if err != nil {
						b.Fatal(err)
					}
					rows = n
				}
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
				b.ReportMetric(float64(rows), "rows")
			})
		}
	}
}
