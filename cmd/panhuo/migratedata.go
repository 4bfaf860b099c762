package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"panhuo/internal/land"
	"panhuo/internal/store/postgres"
	"panhuo/internal/store/sqlite"
)

// migrateData copies a SQLite database into a PostgreSQL one:
//
//	panhuo migrate-data --from panhuo.db --to postgres://user@host/db
//
// Parks, methods, parcels, disposal steps, events, users and tokens are
// copied with their ids, versions and timestamps, in one PostgreSQL
// transaction that is committed only when the counts and sums of areas of
// what it wrote equal the source's; they are printed. Sessions and log-in
// attempts are not copied: users log in again.
//
// It is safe to re-run. The target must be empty (a new database: methods
// only) — then the data is copied — or already hold exactly the source's
// figures — then nothing is written and the figures are printed again. A
// target holding other data is refused and left alone; so is a source that
// changes while it is read (the figures would not match): stop the server,
// or migrate from a copy made with `panhuo backup`.
func (e env) migrateData(args []string) error {
	fs := e.flags("migrate-data")
	from := fs.String("from", "", "the SQLite database file to copy (required)")
	to := fs.String("to", "", "the PostgreSQL database to copy into, postgres://user:password@host:port/dbname (required; PostGIS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return usageError{"--from FILE.db and --to postgres://… are both required"}
	case isPostgres(*from):
		return usageError{"--from must be a SQLite database file"}
	case !isPostgres(*to):
		return usageError{"--to must be a postgres:// or postgresql:// URL"}
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("数据库文件 %s 不存在或无法读取: %w", *from, err)
	}
	ctx := context.Background()
	start := time.Now()

	src, err := sqlite.Open(ctx, *from)
	if err != nil {
		return fmt.Errorf("open %s: %w", *from, err)
	}
	defer src.Close()
	raw, err := openSQLiteReadOnly(src.Path())
	if err != nil {
		return err
	}
	defer raw.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("open the target: %w", err)
	}
	defer dst.Close()

	want, err := readFigures(ctx, func(ctx context.Context, query string, dest any) error {
		return raw.QueryRowContext(ctx, query).Scan(dest)
	})
	if err != nil {
		return fmt.Errorf("figures of %s: %w", src.Path(), err)
	}
	pgFigures := func(q postgres.RowQuerier) func(ctx context.Context, query string, dest any) error {
		return func(ctx context.Context, query string, dest any) error { return q.QueryRow(ctx, query).Scan(dest) }
	}

	snap, err := snapshot(ctx, src, raw)
	if err != nil {
		return fmt.Errorf("read %s: %w", src.Path(), err)
	}
	err = dst.Load(ctx, snap, func(ctx context.Context, q postgres.RowQuerier) error {
		got, err := readFigures(ctx, pgFigures(q))
		if err != nil {
			return fmt.Errorf("figures of what was written: %w", err)
		}
		if !sameFigures(want, got) {
			printFigures(e.stderr, src.Path(), dst.Path(), want, got)
			return errors.New("what was written differs from the source (was the source written to meanwhile?); nothing was committed")
		}
		return nil
	})
	if errors.Is(err, postgres.ErrNotEmpty) {
		got, ferr := readFigures(ctx, pgFigures(dst.Pool()))
		if ferr != nil {
			return fmt.Errorf("figures of the target: %w", ferr)
		}
		printFigures(e.stdout, src.Path(), dst.Path(), want, got)
		if sameFigures(want, got) {
			fmt.Fprintf(e.stdout, "目标数据库已有与源相同的数据，无需再迁移 (already migrated: the target holds the same data; nothing written)\n")
			return nil
		}
		return fmt.Errorf("目标数据库 %s 已有其他数据，不会覆盖；请使用新建的空数据库 (the target already holds other data and is left alone): %w", dst.Path(), err)
	}
	if err != nil {
		return err
	}

	got, err := readFigures(ctx, pgFigures(dst.Pool()))
	if err != nil {
		return fmt.Errorf("figures of the target: %w", err)
	}
	printFigures(e.stdout, src.Path(), dst.Path(), want, got)
	if !sameFigures(want, got) {
		return errors.New("the target's figures differ from the source's after the copy")
	}
	fmt.Fprintf(e.stdout, "已迁移 %s → %s，数量与面积一致（用时 %s）\nmigrated; counts and areas verified.\n",
		src.Path(), dst.Path(), time.Since(start).Round(time.Millisecond))
	return nil
}

// openSQLiteReadOnly opens a read-only connection to the SQLite file at path,
// for what the store does not expose (token hashes, the figures).
func openSQLiteReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}).String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// snapshot reads the whole source database.
func snapshot(ctx context.Context, src *sqlite.Store, raw *sql.DB) (postgres.Snapshot, error) {
	var (
		snap postgres.Snapshot
		err  error
	)
	if snap.Methods, err = src.ListMethods(ctx); err != nil {
		return snap, err
	}
	if snap.Parks, err = src.ListParks(ctx); err != nil {
		return snap, err
	}
	if snap.Parcels, err = src.ListParcels(ctx, land.ParcelFilter{IncludeRemoved: true}); err != nil {
		return snap, err
	}
	for _, p := range snap.Parcels {
		ds, err := src.ListDisposals(ctx, p.ID)
		if err != nil {
			return snap, err
		}
		snap.Disposals = append(snap.Disposals, ds...)
	}
	snap.Events = func(yield func(land.Event, error) bool) {
		var before int64
		for {
			page, err := src.SearchEvents(ctx, land.EventFilter{BeforeID: before, Limit: 5000})
			if err != nil {
				yield(land.Event{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) == 0 {
				return
			}
			before = page[len(page)-1].ID
		}
	}
	users, err := src.ListUsers(ctx)
	if err != nil {
		return snap, err
	}
	for _, u := range users {
		_, hash, err := src.GetUserByLogin(ctx, u.Login)
		if err != nil {
			return snap, err
		}
		snap.Users = append(snap.Users, postgres.UserWithHash{User: u, PasswordHash: hash})
		tokens, err := src.ListTokens(ctx, u.ID)
		if err != nil {
			return snap, err
		}
		for _, t := range tokens {
			var hash string
			if err := raw.QueryRowContext(ctx, `SELECT hash FROM tokens WHERE id = ?`, t.ID).Scan(&hash); err != nil {
				return snap, fmt.Errorf("token %d: %w", t.ID, err)
			}
			snap.Tokens = append(snap.Tokens, postgres.TokenWithHash{Token: t, Hash: hash})
		}
	}
	return snap, nil
}

// figure is one number migrate-data compares between source and target; the
// same SQL runs on both engines.
type figure struct {
	name, query string
	area        bool // a sum of areas: compared to 1e-6 亩, printed with decimals
}

var figureQueries = []figure{
	{name: "parks", query: `SELECT count(*) FROM parks`},
	{name: "parks Σversion", query: `SELECT coalesce(sum(version), 0) FROM parks`},
	{name: "methods", query: `SELECT count(*) FROM methods`},
	{name: "parcels", query: `SELECT count(*) FROM parcels`},
	{name: "parcels max(id)", query: `SELECT coalesce(max(id), 0) FROM parcels`},
	{name: "parcels Σversion", query: `SELECT coalesce(sum(version), 0) FROM parcels`},
	{name: "parcels Σarea_mu", query: `SELECT coalesce(sum(area_mu), 0) FROM parcels`, area: true},
	{name: "parcels Σdisposed_mu", query: `SELECT coalesce(sum(disposed_mu), 0) FROM parcels`, area: true},
	{name: "disposals", query: `SELECT count(*) FROM disposals`},
	{name: "disposals max(id)", query: `SELECT coalesce(max(id), 0) FROM disposals`},
	{name: "disposals Σarea_mu (counting)", query: `SELECT coalesce(sum(area_mu), 0) FROM disposals WHERE counts`, area: true},
	{name: "events", query: `SELECT count(*) FROM events`},
	{name: "events max(id)", query: `SELECT coalesce(max(id), 0) FROM events`},
	{name: "users", query: `SELECT count(*) FROM users`},
	{name: "users max(id)", query: `SELECT coalesce(max(id), 0) FROM users`},
	{name: "tokens", query: `SELECT count(*) FROM tokens`},
	{name: "tokens max(id)", query: `SELECT coalesce(max(id), 0) FROM tokens`},
}

// readFigures reads figureQueries with queryRow, which scans the one value
// of a query into dest.
func readFigures(ctx context.Context, queryRow func(ctx context.Context, query string, dest any) error) ([]float64, error) {
	out := make([]float64, len(figureQueries))
	for i, f := range figureQueries {
		var err error
		if f.area {
			err = queryRow(ctx, f.query, &out[i])
		} else {
			var n int64
			err = queryRow(ctx, f.query, &n)
			out[i] = float64(n)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return out, nil
}

// sameFigures compares counts exactly and areas to 1e-6 亩 (sums in another
// order round differently).
func sameFigures(a, b []float64) bool {
	for i, f := range figureQueries {
		if !sameFigure(f, a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameFigure(f figure, a, b float64) bool {
	if f.area {
		return math.Abs(a-b) <= 1e-6*max(1, math.Abs(a))
	}
	return a == b
}

func printFigures(w io.Writer, from, to string, a, b []float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\t源 SQLite\t目标 PostgreSQL\t\n")
	for i, f := range figureQueries {
		mark := "✓"
		if !sameFigure(f, a[i], b[i]) {
			mark = "✗"
		}
		if f.area {
			fmt.Fprintf(tw, "%s\t%.6f\t%.6f\t%s\n", f.name, a[i], b[i], mark)
		} else {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\n", f.name, a[i], b[i], mark)
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "(%s → %s)\n", from, to)
}
