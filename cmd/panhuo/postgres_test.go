package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"panhuo/internal/store/postgres/pgtest"
	"panhuo/migrations"
)

// testPostgres drives the binary on PostgreSQL (PANHUO_TEST_PG): serve -demo
// on an empty database, migrate, and migrate-data from a SQLite demo, after
// which a token made on SQLite reads the same /api/rates from both engines.
func testPostgres(t *testing.T, bin string) {
	// serve -demo on an empty PostgreSQL database.
	dsn := pgtest.NewDatabase(t)
	srv := startServer(t, bin, "serve", "-demo", "-addr", "127.0.0.1:0", "-db", dsn)
	accounts := demoAccounts(srv.before)
	code, cred := login(t, srv.base, "demo-leader", accounts["demo-leader"])
	if code != http.StatusOK {
		t.Fatalf("log-in as demo-leader on PostgreSQL: %d\n%s", code, srv.stderr.String())
	}
	code, body := do(t, http.MethodGet, srv.base+"/api/rates", cred, "", "")
	if code != http.StatusOK {
		t.Fatalf("/api/rates on PostgreSQL: %d %s", code, body)
	}
	checkDemoRates(t, body)
	if !strings.Contains(srv.stderr.String(), "engine=postgres") {
		t.Errorf("the log does not name the engine postgres:\n%s", srv.stderr.String())
	}
	srv.stop(t)
	out, errOut, code := runBin(t, bin, "migrate", "-db", dsn)
	if want := fmt.Sprintf("engine postgres, schema version %d", latestPostgresMigration(t)); code != 0 || !strings.Contains(out, want) {
		t.Errorf("migrate on PostgreSQL: exit %d\n%s%s", code, out, errOut)
	}

	// migrate-data from a SQLite demo with a token.
	lite := filepath.Join(t.TempDir(), "demo.db")
	if _, errOut, code := runBin(t, bin, "demo", "-db", lite); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	tok, errOut, code := runBin(t, bin, "token", "create", "-db", lite, "-user", "demo-leader", "-name", "QGIS")
	if code != 0 {
		t.Fatalf("token create: exit %d\n%s", code, errOut)
	}
	bearer := credentials{bearer: strings.TrimSpace(tok)}
	target := pgtest.NewDatabase(t)
	out, errOut, code = runBin(t, bin, "migrate-data", "--from", lite, "--to", target)
	if code != 0 || !strings.Contains(out, "已迁移") || strings.Contains(out, "✗") {
		t.Fatalf("migrate-data: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"parcels Σarea_mu", "events", "tokens"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate-data does not print %q:\n%s", want, out)
		}
	}
	// Again: nothing to do.
	out, errOut, code = runBin(t, bin, "migrate-data", "--from", lite, "--to", target)
	if code != 0 || !strings.Contains(out, "already migrated") {
		t.Errorf("migrate-data again: exit %d\n%s%s", code, out, errOut)
	}
	// Into a database holding other data: refused.
	out, errOut, code = runBin(t, bin, "migrate-data", "--from", lite, "--to", dsn)
	if code != 1 || !strings.Contains(errOut, "已有其他数据") {
		t.Errorf("migrate-data into another demo: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"migrate-data"}, {"migrate-data", "--from", lite}, {"migrate-data", "--from", target, "--to", target}, {"migrate-data", "--from", lite, "--to", lite}} {
		if _, _, code := runBin(t, bin, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}

	// The same token reads the same rates from both engines.
	var docs [2]any
	for i, db := range []string{lite, target} {
		srv := startServer(t, bin, "serve", "-addr", "127.0.0.1:0", "-db", db)
		code, body := do(t, http.MethodGet, srv.base+"/api/rates?asof=2022-06-28", bearer, "", "")
		if code != http.StatusOK {
			t.Fatalf("/api/rates on %s: %d %s", db, code, body)
		}
		checkDemoRates(t, body)
		if err := json.Unmarshal(body, &docs[i]); err != nil {
			t.Fatal(err)
		}
		srv.stop(t)
	}
	pgtest.SameJSON(t, "rates", docs[0], docs[1])
}

// latestPostgresMigration is the number of the last PostgreSQL migration
// file (NNNNN_description.sql).
func latestPostgresMigration(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrations.Postgres, migrations.PostgresDir+"/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %d files", err, len(names))
	}
	latest := 0
	for _, n := range names {
		num, _, _ := strings.Cut(path.Base(n), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s: %v", n, err)
		}
		latest = max(latest, v)
	}
	return latest
}
