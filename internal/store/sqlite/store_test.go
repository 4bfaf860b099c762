package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/pressly/goose/v3"

	"panhuo/internal/land"
	"panhuo/internal/store/storetest"
	"panhuo/migrations"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "panhuo.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) land.Store { return openTemp(t) })
}

// TestContractRateStrategies runs the contract with each way of computing
// rate sums forced.
func TestContractRateStrategies(t *testing.T) {
	for name, strategy := range map[string]rateStrategy{"scan": rateScan, "totals": rateTotals} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) land.Store {
				s := openTemp(t)
				s.rates = strategy
				return s
			})
		})
	}
}

func TestOpenCreatesAndReopens(t *testing.T) {
	ctx := t.Context()
	// A path that needs escaping in a URI.
	path := filepath.Join(t.TempDir(), "数据 a?b#c%20.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created at %s: %v", path, err)
	}
	if s.Engine() != "sqlite" {
		t.Errorf("Engine: %q", s.Engine())
	}
	v, err := s.SchemaVersion(ctx)
	if want := latestMigration(t); err != nil || v != want {
		t.Errorf("SchemaVersion: %d, %v; want %d", v, err, want)
	}
	err = s.Update(ctx, func(tx land.Tx) error {
		return tx.UpsertMethod(ctx, land.Method{Code: "supply", Class: land.Unsupplied, Name: "供地", Counts: false, Order: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening migrates nothing and seeds nothing: the changed flag stays.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := s.ListMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(land.DefaultMethods()) || ms[0].Code != "supply" || ms[0].Counts || ms[0].Name != "供地" {
		t.Errorf("methods after reopening: %+v", ms)
	}
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, p := range []string{"", ":memory:"} {
		if s, err := Open(t.Context(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q): no error", p)
		}
	}
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	check := func(pool string, q querier, pragma, want string) {
		t.Helper()
		var got string
		if err := q.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", pool, pragma, err)
		}
		if !strings.EqualFold(got, want) {
			t.Errorf("%s: PRAGMA %s = %s, want %s", pool, pragma, got, want)
		}
	}
	for pool, q := range map[string]querier{"write": s.write, "read": s.read} {
		check(pool, q, "journal_mode", "wal")
		check(pool, q, "foreign_keys", "1")
		check(pool, q, "synchronous", "1") // NORMAL
		check(pool, q, "busy_timeout", "10000")
	}
	check("read", s.read, "query_only", "1")
	if _, err := s.read.ExecContext(ctx, `INSERT INTO methods (code, class, name, counts) VALUES ('x', 'idle', 'x', 0)`); err == nil {
		t.Errorf("the read pool accepted a write")
	}
}

func TestEventsAppendOnly(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	err := s.Update(ctx, func(tx land.Tx) error {
		return tx.AppendEvent(ctx, &land.Event{ParkCode: "A", Kind: land.EventParkCreate, Actor: "test", At: time.Now(), After: []byte(`{}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE events SET actor = 'mallory'`,
		`UPDATE events SET "after" = NULL WHERE id = 1`,
		`DELETE FROM events`,
		`DELETE FROM events WHERE id = 1`,
		`INSERT OR REPLACE INTO events (id, park_code, kind, actor, at) VALUES (1, 'A', 'x', 'mallory', '2026-01-01T00:00:00Z')`,
	} {
		_, err := s.write.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only error", stmt, err)
		}
	}
	if c, _ := s.CountRows(ctx); c.Events != 1 {
		t.Errorf("events: %d, want 1", c.Events)
	}
	var actor string
	if err := s.read.QueryRowContext(ctx, `SELECT actor FROM events WHERE id = 1`).Scan(&actor); err != nil || actor != "test" {
		t.Errorf("actor: %q, %v", actor, err)
	}
}

func TestConstraints(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	err := s.Update(ctx, func(tx land.Tx) error {
		p := land.Park{Code: "A", Name: "A"}
		return tx.InsertPark(ctx, &p)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO methods (code, class, name, counts) VALUES ('m', 'nope', 'm', 1)`,
		`INSERT INTO methods (code, class, name, counts) VALUES ('m', 'idle', 'm', 2)`,
		`INSERT INTO events (park_code, kind, actor, at) VALUES ('A', 'k', '', '2026-01-01T00:00:00Z')`,
		`INSERT INTO events (park_code, kind, actor, at, "before") VALUES ('A', 'k', 'a', '2026-01-01T00:00:00Z', '{not json')`,
	} {
		if _, err := s.write.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: no error", stmt)
		}
	}
	bad := []func(p *land.Parcel){
		func(p *land.Parcel) { p.Class = "other" },
		func(p *land.Parcel) { p.Status = "" },
		func(p *land.Parcel) { p.IdleCause = "weather" },
		func(p *land.Parcel) { p.Geometry = nil },
		func(p *land.Parcel) { p.Geometry = orb.LineString{{1, 2}, {3, 4}} },
	}
	for i, change := range bad {
		err := s.Update(ctx, func(tx land.Tx) error {
			p := land.Parcel{ParkCode: "A", Class: land.Idle, Status: land.Pending,
				Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, CreatedBy: "t", UpdatedBy: "t"}
			change(&p)
			return tx.InsertParcel(ctx, &p)
		})
		if err == nil {
			t.Errorf("bad parcel %d: no error", i)
		}
	}
	// A step that does not count uses up no area.
	err = s.Update(ctx, func(tx land.Tx) error {
		p := land.Parcel{ParkCode: "A", Class: land.Idle, Status: land.Pending,
			Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, AreaMu: 10, CreatedBy: "t", UpdatedBy: "t"}
		if err := tx.InsertParcel(ctx, &p); err != nil {
			return err
		}
		d := land.Disposal{ParcelID: p.ID, Method: "extend_start", Date: land.MustDate("2021-01-01"), AreaMu: 5, CreatedBy: "t"}
		return tx.InsertDisposal(ctx, &d)
	})
	if err == nil {
		t.Errorf("a non-counting step with an area: no error")
	}
}

func TestRTreeFollowsParcels(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	var p land.Parcel
	err := s.Update(ctx, func(tx land.Tx) error {
		park := land.Park{Code: "A", Name: "A"}
		if err := tx.InsertPark(ctx, &park); err != nil {
			return err
		}
		p = land.Parcel{ParkCode: "A", Class: land.Idle, Status: land.Pending,
			Geometry: orb.Polygon{{{113, 27}, {113.01, 27}, {113.01, 27.01}, {113, 27}}}, CreatedBy: "t", UpdatedBy: "t"}
		if err := tx.InsertParcel(ctx, &p); err != nil {
			return err
		}
		p.Geometry = orb.MultiPolygon{{{{114, 28}, {114.02, 28}, {114.02, 28.03}, {114, 28}}}}
		return tx.UpdateParcel(ctx, &p, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var minx, maxx, miny, maxy float64
	err = s.read.QueryRowContext(ctx, `SELECT count(*), min(minx), max(maxx), min(miny), max(maxy) FROM parcels_rtree`).
		Scan(&n, &minx, &maxx, &miny, &maxy)
	if err != nil {
		t.Fatal(err)
	}
	// 32-bit floats, rounded outwards.
	const tol = 1e-4
	if n != 1 || minx > 114 || maxx < 114.02 || miny > 28 || maxy < 28.03 ||
		114-minx > tol || maxx-114.02 > tol || 28-miny > tol || maxy-28.03 > tol {
		t.Errorf("rtree: %d rows, box %v %v %v %v; want 114 114.02 28 28.03", n, minx, maxx, miny, maxy)
	}
}

func TestUpdatePanicRollsBack(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("the panic of fn did not reach the caller")
			}
		}()
		_ = s.Update(ctx, func(tx land.Tx) error {
			p := land.Park{Code: "A", Name: "A"}
			if err := tx.InsertPark(ctx, &p); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if c, _ := s.CountRows(ctx); c.Parks != 0 {
		t.Errorf("parks after a panic: %d", c.Parks)
	}
	// The write connection is usable again.
	err := s.Update(ctx, func(tx land.Tx) error {
		p := land.Park{Code: "A", Name: "A"}
		return tx.InsertPark(ctx, &p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Readers outside a write transaction do not wait for it (WAL), and see only
// what has been committed.
func TestReadersDuringWrite(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := s.Update(ctx, func(tx land.Tx) error {
		p := land.Park{Code: "A", Name: "A"}
		if err := tx.InsertPark(ctx, &p); err != nil {
			return err
		}
		if _, err := s.GetPark(ctx, "A"); !errors.Is(err, land.ErrNotFound) {
			t.Errorf("uncommitted park read outside the transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPark(ctx, "A"); err != nil {
		t.Errorf("committed park: %v", err)
	}
}

// The migrations go down and up again.
func TestMigrationsDownUp(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	fsys, err := fs.Sub(migrations.SQLite, migrations.SQLiteDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithLogger(goose.NopLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	var tables int
	if err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'goose%' AND name NOT LIKE 'sqlite%'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("after down: %d schema objects left (%v)", tables, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != latestMigration(t) {
		t.Errorf("SchemaVersion after up: %d, %v", v, err)
	}
}
