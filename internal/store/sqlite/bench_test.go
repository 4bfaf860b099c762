package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// Benchmark sizes: what GET /api/rates must answer in 50 ms.
const (
	benchParks   = 3_000
	benchParcels = 100_000
	benchBatch   = 20_000 // parcels per write transaction
)

// benchToday is the day the benchmark ledger is written on.
var benchToday = land.MustDate("2026-01-01")

// buildBenchLedger writes benchParks parks and benchParcels parcels (small
// squares) through the Tx API, as a ledger kept since 2019 looks on
// benchToday: parcels identified 2019–2025; about 15% with counting steps
// (a third all at once, a third in part, a third in two steps) dated after
// identification and not after today, 5% with a non-counting step only, 2%
// removed.
func buildBenchLedger(b *testing.B, s *Store) (disposals int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2021, 2497))
	day0 := land.MustDate("2019-01-01")
	days := int(benchToday.Time().Sub(day0.Time()).Hours() / 24)
	// randDate is a day in (after, after+n], or zero when that is after today.
	randDate := func(after land.Date, n int) land.Date {
		d := after.AddDate(0, 0, 1+rng.IntN(n))
		if d.After(benchToday) {
			return land.Date{}
		}
		return d
	}
	now := benchToday.Time()
	counting := map[land.Class][]string{
		land.Unsupplied: {"supply", "withdraw_approval"}, land.Idle: {"start_construction", "paid_recovery"},
		land.Inefficient: {"capacity_upgrade", "merger_transfer"},
	}
	other := map[land.Class]string{land.Unsupplied: "land_reserve", land.Idle: "extend_start", land.Inefficient: "renovation"}

	err := s.Update(ctx, func(tx land.Tx) error {
		for i := range benchParks {
			p := land.Park{Code: fmt.Sprintf("P%04d", i), Name: fmt.Sprintf("园区%d", i), Level: land.LevelProvincial,
				BuiltupMu: 30000, TargetMu: 500, TargetYear: 2025, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < benchParcels; start += benchBatch {
		err := s.Update(ctx, func(tx land.Tx) error {
			for i := start; i < min(start+benchBatch, benchParcels); i++ {
				x, y := 110+float64(i%1000)*0.005, 25+float64(i/1000)*0.005
				class := land.Classes[rng.IntN(3)]
				area := 5 + rng.Float64()*295
				p := land.Parcel{
					ParkCode: fmt.Sprintf("P%04d", rng.IntN(benchParks)), Class: class, Status: land.Pending,
					Geometry: orb.Polygon{{{x, y}, {x + 0.002, y}, {x + 0.002, y + 0.002}, {x, y + 0.002}, {x, y}}},
					GKZone:   38, AreaM2: area * 10000 / 15, AreaMu: area,
					CreatedBy: "bench", CreatedAt: now, UpdatedBy: "bench", UpdatedAt: now,
				}
				p.IdentifiedOn = randDate(day0, days-1)
				if rng.IntN(50) == 0 {
					p.RemovedOn = randDate(p.IdentifiedOn, 700)
				}
				var steps []land.Disposal
				switch r := rng.IntN(100); {
				case r < 15: // counting steps
					d := randDate(p.IdentifiedOn, 700)
					if d.IsZero() {
						break
					}
					m := counting[class][rng.IntN(2)]
					switch rng.IntN(3) {
					case 0: // all at once
						steps = append(steps, land.Disposal{Method: m, Counts: true, Date: d, AreaMu: area})
					case 1: // part
						steps = append(steps, land.Disposal{Method: m, Counts: true, Date: d, AreaMu: area * 0.4})
					case 2: // in two steps, the second when its day has come
						steps = append(steps, land.Disposal{Method: m, Counts: true, Date: d, AreaMu: area * 0.6})
						if d2 := randDate(d, 300); !d2.IsZero() {
							steps = append(steps, land.Disposal{Method: m, Counts: true, Date: d2, AreaMu: area * 0.4})
						}
					}
				case r < 20:
					if d := randDate(p.IdentifiedOn, 700); !d.IsZero() {
						steps = append(steps, land.Disposal{Method: other[class], Date: d})
					}
				}
				for _, st := range steps {
					p.Disposed += st.AreaMu
				}
				if len(steps) > 0 {
					p.Status = land.InProgress
					if p.Disposed >= p.AreaMu-land.AreaEpsilonMu {
						p.Status = land.Disposed
					}
				}
				if err := tx.InsertParcel(ctx, &p); err != nil {
					return err
				}
				for _, st := range steps {
					st.ParcelID, st.CreatedBy, st.CreatedAt = p.ID, "bench", now
					if err := tx.InsertDisposal(ctx, &st); err != nil {
						return err
					}
					disposals++
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return disposals
}

// BenchmarkRateSums100k measures RateSums over 100 000 parcels in 3 000
// parks. The ledger is built once, into a temporary file.
func BenchmarkRateSums100k(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	n := buildBenchLedger(b, s)
	b.Logf("built %d parcels, %d disposal steps in %d parks in %v", benchParcels, n, benchParks, time.Since(start).Round(time.Millisecond))

	queries := []struct {
		name string
		q    land.RateQuery
	}{
		// GET /api/rates: cumulative as of today (with the base figures
		// cached, and as the first request after a write does), and the
		// target year so far.
		{"cumulative", land.RateQuery{AsOf: benchToday}},
		{"cumulative-uncached", land.RateQuery{AsOf: benchToday}},
		{"from-year", land.RateQuery{From: land.MustDate("2025-01-01"), AsOf: benchToday}},
		// GET /api/rates?asof=…&from=…, and the trend's month ends.
		{"cumulative-asof-month", land.RateQuery{AsOf: land.MustDate("2025-11-30")}},
		{"cumulative-asof-2022", land.RateQuery{AsOf: land.MustDate("2022-06-30")}},
		{"from-2023", land.RateQuery{From: land.MustDate("2023-01-01"), AsOf: benchToday}},
		{"from-2022-year", land.RateQuery{From: land.MustDate("2022-01-01"), AsOf: land.MustDate("2022-12-31")}},
		// Filters.
		{"cumulative-class", land.RateQuery{AsOf: benchToday, Class: land.Idle}},
		{"cumulative-park", land.RateQuery{AsOf: benchToday, ParkCode: "P0042"}},
		{"from-year-park", land.RateQuery{From: land.MustDate("2025-01-01"), AsOf: benchToday, ParkCode: "P0042"}},
	}
	for _, c := range queries {
		b.Run(c.name, func(b *testing.B) {
			if strings.HasSuffix(c.name, "-uncached") {
				cache := s.cache
				s.cache = nil
				defer func() { s.cache = cache }()
			}
			ctx := context.Background()
			rows := 0
			cpu0 := cpuTime()
			for b.Loop() {
				sums, err := s.RateSums(ctx, c.q)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(sums)
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
			// CPU time is steadier than wall time on a shared machine.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
