package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/demo"
	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
)

// benchDir holds the benchmark databases of this test process; TestMain
// removes it. With PANHUO_BENCH_DIR set, the databases are kept there and
// reused by later runs (the synthetic data is deterministic).
var benchDir struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir.path != "" && os.Getenv("PANHUO_BENCH_DIR") == "" {
		os.RemoveAll(benchDir.path)
	}
	os.Exit(code)
}

// benchData is one synthetic database, built once per process.
type benchData struct {
	once sync.Once
	h    http.Handler
	svc  *land.Service
	err  error
}

var (
	rates100k = &benchData{}
	layer10k  = &benchData{}
)

// load builds (once) a synthetic database of parks and parcels in a temporary
// file and the handler over it.
func (d *benchData) load(b *testing.B, name string, parks, parcels int) (http.Handler, *land.Service) {
	b.Helper()
	d.once.Do(func() {
		benchDir.once.Do(func() {
			if dir := os.Getenv("PANHUO_BENCH_DIR"); dir != "" {
				benchDir.path, benchDir.err = dir, os.MkdirAll(dir, 0o755)
				return
			}
			benchDir.path, benchDir.err = os.MkdirTemp("", "panhuo-web-bench-")
		})
		if benchDir.err != nil {
			d.err = benchDir.err
			return
		}
		ctx := context.Background()
		path := filepath.Join(benchDir.path, fmt.Sprintf("%s-%d-%d.db", name, parks, parcels))
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			d.err = err
			return
		}
		start := time.Now()
		n, err := st.CountRows(ctx)
		if err != nil {
			d.err = err
			return
		}
		if n.Parcels == 0 {
			if err := demo.LoadSynthetic(ctx, st, demo.SyntheticOptions{Parks: parks, Parcels: parcels, Seed: 2022}); err != nil {
				d.err = fmt.Errorf("load synthetic data: %w", err)
				return
			}
			n, _ = st.CountRows(ctx)
		}
		fmt.Fprintf(os.Stderr, "bench data %s: %d parks, %d parcels, %d disposals ready in %v\n",
			name, n.Parks, n.Parcels, n.Disposals, time.Since(start).Round(time.Millisecond))
		clock := func() time.Time { return time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC) }
		d.svc = land.NewService(st, land.WithClock(clock))
		acc := access.NewService(st, st, access.WithClock(clock), access.WithHashParams(access.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}))
		// A reader with a token: every request is authenticated. The
		// database may be reused (PANHUO_BENCH_DIR), so the login is new.
		u, err := acc.CreateUser(ctx, land.Operator("bench"), access.UserInput{
			Login: fmt.Sprintf("bench%d", time.Now().UnixNano()%1e9), DisplayName: "基准测试", Role: land.RoleLeader, Password: testPassword})
		if err != nil {
			d.err = fmt.Errorf("create bench user: %w", err)
			return
		}
		token, _, err := acc.CreateToken(ctx, u, "bench")
		if err != nil {
			d.err = fmt.Errorf("create bench token: %w", err)
			return
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		d.h = withToken{New(d.svc, acc, Options{Logger: log}), token}
	})
	if d.err != nil {
		b.Fatal(d.err)
	}
	return d.h, d.svc
}

// withToken sends every request with a bearer token.
type withToken struct {
	h     http.Handler
	token string
}

func (w withToken) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("Authorization", "Bearer "+w.token)
	w.h.ServeHTTP(rw, r)
}

// countingWriter counts the bytes written to it.
type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}

func get(b *testing.B, h http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
	}
	return w
}

// BenchmarkRates100k: GET /api/rates over 100 000 parcels in 3 000 parks
// through the whole handler. Target ≤ 50 ms/op.
func BenchmarkRates100k(b *testing.B) {
	h, svc := rates100k.load(b, "rates100k", 3000, 100_000)
	// After a write: every GET follows a counting step of 0.01 亩, so the
	// figures are read afresh rather than from what the store keeps between
	// writes. The write itself is not timed.
	b.Run("after-write", func(b *testing.B) {
		ctx := context.Background()
		ps, err := svc.Store().ListParcels(ctx, land.ParcelFilter{Status: land.Pending, Limit: 1000})
		if err != nil || len(ps) == 0 {
			b.Fatalf("pending parcels: %d, %v", len(ps), err)
		}
		counting := map[land.Class]string{land.Unsupplied: "supply", land.Idle: "start_construction", land.Inefficient: "capacity_upgrade"}
		i := 0
		for b.Loop() {
			b.StopTimer()
			p := ps[i%len(ps)]
			i++
			area := 0.01
			if _, _, err := svc.AddDisposal(ctx, land.Operator("bench"), p.ID, land.DisposalInput{Method: counting[p.Class], Date: p.IdentifiedOn, AreaMu: &area}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			get(b, h, "/api/rates")
		}
	})
	for _, q := range []string{"", "?from=2025-01-01", "?class=idle&asof=2024-06-30"} {
		b.Run("query="+q, func(b *testing.B) {
			w := get(b, h, "/api/rates"+q)
			b.SetBytes(int64(w.Body.Len()))
			b.ResetTimer()
			for b.Loop() {
				get(b, h, "/api/rates"+q)
			}
		})
	}
}

// BenchmarkParcelsLayer10k: GET /api/layers/parcels returning 10 000
// parcels, through the whole handler (store read included) and the encoding
// alone. Target ≤ 100 ms for the encoding.
func BenchmarkParcelsLayer10k(b *testing.B) {
	h, svc := layer10k.load(b, "layer10k", 60, 10_000)
	ps, err := svc.Store().ListParcels(context.Background(), land.ParcelFilter{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("handler", func(b *testing.B) {
		w := get(b, h, "/api/layers/parcels")
		b.SetBytes(int64(w.Body.Len()))
		b.ReportMetric(float64(len(ps)), "features")
		b.ResetTimer()
		for b.Loop() {
			get(b, h, "/api/layers/parcels")
		}
	})
	b.Run("encode", func(b *testing.B) {
		var n countingWriter
		if err := writeParcelCollection(&n, ps); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n))
		b.ReportMetric(float64(len(ps)), "features")
		b.ResetTimer()
		for b.Loop() {
			writeParcelCollection(io.Discard, ps)
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Store().ListParcels(context.Background(), land.ParcelFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
