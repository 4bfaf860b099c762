// Package engines opens a fresh store of the engine a test run asks for, so
// that tests above the stores (the HTTP handlers) run on every engine:
// SQLite in a temporary file by default, PostgreSQL + PostGIS (a fresh
// database on the server of PANHUO_TEST_PG) when PANHUO_TEST_ENGINE=postgres.
package engines

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"panhuo/internal/store/postgres"
	"panhuo/internal/store/postgres/pgtest"
	"panhuo/internal/store/sqlite"
	"panhuo/internal/store/storetest"
)

// EnvEngine is the environment variable that chooses the engine: "sqlite"
// (or empty) or "postgres".
const EnvEngine = "PANHUO_TEST_ENGINE"

// Name is the engine the environment asks for: "sqlite" or "postgres".
func Name() string {
	if e := os.Getenv(EnvEngine); e != "" {
		return e
	}
	return sqlite.EngineName
}

// Open opens a new, empty store (methods seeded) of the engine Name names
// and closes it when the test ends. An unknown engine fails the test.
func Open(t testing.TB) storetest.AccessStore {
	t.Helper()
	switch Name() {
	case sqlite.EngineName:
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "panhuo.db"))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	case postgres.EngineName:
		return pgtest.Open(t)
	}
	t.Fatalf("%s=%q: want sqlite or postgres", EnvEngine, Name())
	return nil
}
