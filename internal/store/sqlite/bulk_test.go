package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"panhuo/geo"
	"panhuo/internal/land"
)

// The bulk statements have the placeholders their rows take.
func TestBulkStatements(t *testing.T) {
	for _, n := range []int{1, 7, parcelsPerInsert} {
		if got, want := strings.Count(insertParcelsSQL(n), "?"), n*parcelRowWidth; got != want {
			t.Errorf("insertParcelsSQL(%d) has %d placeholders, want %d", n, got, want)
		}
	}
	for _, n := range []int{1, 7, eventsPerInsert} {
		if got, want := strings.Count(insertEventsSQL(n), "?"), n*eventRowWidth; got != want {
			t.Errorf("insertEventsSQL(%d) has %d placeholders, want %d", n, got, want)
		}
	}
	if n := max(parcelsPerInsert*parcelRowWidth, eventsPerInsert*eventRowWidth); n > 32766 {
		t.Errorf("%d parameters in one statement: SQLite binds at most 32766", n)
	}
}

// bulkBenchParcels is the size of an import: the parcels of one write
// transaction.
const bulkBenchParcels = 20_000

// bulkBenchParks are the parks the benchmark parcels lie in.
const bulkBenchParks = 50

// syntheticBenchParcels gives n parcels with the polygons of
// geo.SyntheticParcels (8–30 vertices) and ledger fields set, no ids.
func syntheticBenchParcels(n int) []land.Parcel {
	boundaries := geo.SyntheticParks(2026, bulkBenchParks)
	polys := geo.SyntheticParcels(2026, boundaries, n)
	rng := rand.New(rand.NewPCG(2026, 1))
	now := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)
	ps := make([]land.Parcel, len(polys))
	for i, poly := range polys {
		z := geo.CentroidZone(poly)
		m2 := geo.AreaM2(poly, z)
		ps[i] = land.Parcel{
			ParkCode: fmt.Sprintf("B%02d", i%bulkBenchParks), Class: land.Classes[rng.IntN(3)], Status: land.Pending,
			Geometry: poly, GKZone: z, AreaM2: m2, AreaMu: geo.MuFromM2(m2),
			ParcelFields: land.ParcelFields{
				Code: fmt.Sprintf("430211-%06d", i), SupervisionNo: fmt.Sprintf("4302112021B%05d", i),
				ProjectName: "年产十万吨项目", LandUser: "株洲某某有限公司", Location: "天元区栗雨街道",
				LandUse: "工业用地", IdentifiedOn: land.NewDate(2020+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)),
				BatchName: "2019年第5批次", ApprovalNo: "湘政地〔2019〕123号", ApprovedOn: land.MustDate("2019-11-30"),
			},
			Flags:     []string{land.FlagDemo},
			CreatedBy: "bench", CreatedAt: now, UpdatedBy: "bench", UpdatedAt: now,
		}
	}
	return ps
}

// openBenchStore opens a new store in dir with the benchmark parks.
func openBenchStore(b *testing.B, dir string) *Store {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	err = s.Update(ctx, func(tx land.Tx) error {
		for i := range bulkBenchParks {
			p := land.Park{Code: fmt.Sprintf("B%02d", i), Name: fmt.Sprintf("园区%d", i), CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchWrites times write, one transaction on a new store, b.N times and
// reports the time per row.
func benchWrites(b *testing.B, rows int, write func(ctx context.Context, tx land.Tx) error) {
	ctx := context.Background()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		s := openBenchStore(b, dir)
		cpu0 := cpuTime()
		b.StartTimer()
		if err := s.Update(ctx, func(tx land.Tx) error { return write(ctx, tx) }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
	b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(rows)/1e3, "µs/row")
}

// BenchmarkInsertParcels20k writes an import of 20 000 synthetic parcels in
// one transaction (commit included), one at a time with InsertParcel and at
// once with InsertParcels.
func BenchmarkInsertParcels20k(b *testing.B) {
	ps := syntheticBenchParcels(bulkBenchParcels)
	b.Logf("%d parcels", len(ps))
	b.Run("InsertParcel", func(b *testing.B) {
		benchWrites(b, len(ps), func(ctx context.Context, tx land.Tx) error {
			for _, p := range ps {
				if err := tx.InsertParcel(ctx, &p); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("InsertParcels", func(b *testing.B) {
		benchWrites(b, len(ps), func(ctx context.Context, tx land.Tx) error {
			return tx.InsertParcels(ctx, slices.Clone(ps))
		})
	})
}

// BenchmarkAppendEvents20k appends 20 000 parcel.create events (about 1 kB
// of JSON each) in one transaction, one at a time with AppendEvent and at
// once with AppendEvents.
func BenchmarkAppendEvents20k(b *testing.B) {
	after := []byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[` +
		strings.Repeat(`[113.12345678,27.12345678],`, 30) + `[113.12345678,27.12345678]]]},` +
		`"properties":{"park_code":"B01","class":"idle","status":"pending","area_mu":12.5}}`)
	es := make([]land.Event, bulkBenchParcels)
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)
	for i := range es {
		es[i] = land.Event{ParkCode: fmt.Sprintf("B%02d", i%bulkBenchParks), ParcelID: int64(i + 1),
			Kind: land.EventParcelCreate, Actor: "bench", At: at, After: after}
	}
	b.Run("AppendEvent", func(b *testing.B) {
		benchWrites(b, len(es), func(ctx context.Context, tx land.Tx) error {
			for _, e := range es {
				if err := tx.AppendEvent(ctx, &e); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("AppendEvents", func(b *testing.B) {
		benchWrites(b, len(es), func(ctx context.Context, tx land.Tx) error {
			return tx.AppendEvents(ctx, slices.Clone(es))
		})
	})
}
