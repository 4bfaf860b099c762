// Package pgtest gives tests fresh PostgreSQL + PostGIS databases on the
// server named by the environment variable PANHUO_TEST_PG (a DSN of a
// database on which the user may create databases; .ci/postgres.sh starts a
// throwaway server and sets it).
//
// Without PANHUO_TEST_PG a test that asks for a database fails, with a
// message saying how to get one: the PostgreSQL engine is tested, never
// skipped.
//
// Every database is a copy of a template made once per server and version of
// the migrations: PostGIS, the migrations applied and the methods seeded, so
// that opening a store on a fresh database costs a CREATE DATABASE.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"panhuo/internal/store/postgres"
	"panhuo/migrations"
)

// EnvDSN is the environment variable naming the test server.
const EnvDSN = "PANHUO_TEST_PG"

// lockKey is the advisory lock under which a template is made.
const lockKey int64 = 0x70616e68756f_7470

// Missing says what to do when PANHUO_TEST_PG is not set.
const Missing = EnvDSN + ` is not set: the PostgreSQL engine is tested against a real PostgreSQL + PostGIS server.
Start a throwaway one and run the tests with it:
    . .ci/postgres.sh && trap panhuo_pg_stop EXIT && go test ./...
or point ` + EnvDSN + ` at a server where this user may create databases, e.g.
    ` + EnvDSN + `='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go test ./...
(make test and .ci/run do the former.)`

// DSN returns the DSN of PANHUO_TEST_PG, failing the test when it is unset.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Fatal(Missing)
	}
	return dsn
}

// WithDatabase returns dsn with its database replaced by name.
func WithDatabase(dsn, name string) (string, error) {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", name)
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	if strings.Contains(dsn, "://") {
		return "", fmt.Errorf("pgtest: %s is not a postgres:// URL nor a key=value DSN", EnvDSN)
	}
	// key=value: a later key wins.
	return dsn + " dbname=" + name, nil
}

// exec runs statements on a new connection to the database of dsn.
func exec(ctx context.Context, dsn string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// templateName names the template of the current migrations.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.Postgres, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Postgres, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return "panhuo_tpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// ensureTemplate makes the template database when the server lacks it, under
// an advisory lock so that test processes running at once make it once.
func ensureTemplate(ctx context.Context, dsn, name string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", EnvDSN, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	exists := func() (bool, error) {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n)
		return n > 0, err
	}
	if ok, err := exists(); err != nil || ok {
		return err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) //nolint:errcheck // the connection closes anyway
	if ok, err := exists(); err != nil || ok {
		return err
	}
	// Built under another name and renamed: a template is whole or absent.
	building := name + "_building"
	ident := pgx.Identifier{building}.Sanitize()
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+ident+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		return err
	}
	bdsn, err := WithDatabase(dsn, building)
	if err != nil {
		return err
	}
	if err := exec(ctx, bdsn, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return fmt.Errorf("the test server needs PostGIS (Debian: postgresql-15-postgis-3): %w", err)
	}
	st, err := postgres.Open(ctx, bdsn)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `ALTER DATABASE `+ident+` RENAME TO `+pgx.Identifier{name}.Sanitize())
	return err
}

// NewDatabase creates a fresh database with PostGIS, the migrations applied
// and the methods seeded, returns its DSN, and drops it when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tpl, err := templateName()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if err := ensureTemplate(ctx, dsn, tpl); err != nil {
		t.Fatalf("pgtest: make the template database: %v", err)
	}
	name := "panhuo_t_" + strings.ToLower(rand.Text()[:16])
	ident := pgx.Identifier{name}.Sanitize()
	var createErr error
	for range 5 {
		// CREATE DATABASE fails while another session is connected to the
		// template, e.g. one that was just closed.
		if createErr = exec(ctx, dsn, `CREATE DATABASE `+ident+` TEMPLATE `+pgx.Identifier{tpl}.Sanitize()); createErr == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if createErr != nil {
		t.Fatalf("pgtest: create a database: %v", createErr)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, dsn, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	out, err := WithDatabase(dsn, name)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Open opens a store on a fresh database (NewDatabase) and closes it when
// the test ends, before the database is dropped.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	dsn := NewDatabase(t)
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("pgtest: close store: %v", err)
		}
	})
	return st
}

// SameJSON compares the JSON documents (as decoded into any) that SQLite and
// PostgreSQL gave for the same question: numbers to 1e-6, the rest exactly,
// naming in each error the path of what differs.
func SameJSON(t testing.TB, path string, sqlite, postgres any) {
	t.Helper()
	switch x := sqlite.(type) {
	case float64:
		y, ok := postgres.(float64)
		if !ok || math.Abs(x-y) > 1e-6 {
			t.Errorf("%s: SQLite %v, PostgreSQL %v", path, sqlite, postgres)
		}
	case map[string]any:
		y, ok := postgres.(map[string]any)
		if !ok || len(x) != len(y) {
			t.Errorf("%s: SQLite %v, PostgreSQL %v", path, sqlite, postgres)
			return
		}
		for k := range x {
			SameJSON(t, path+"."+k, x[k], y[k])
		}
	case []any:
		y, ok := postgres.([]any)
		if !ok || len(x) != len(y) {
			t.Errorf("%s: SQLite %d items, PostgreSQL %v", path, len(x), postgres)
			return
		}
		for i := range x {
			SameJSON(t, fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
		}
	default:
		if sqlite != postgres {
			t.Errorf("%s: SQLite %v, PostgreSQL %v", path, sqlite, postgres)
		}
	}
}
