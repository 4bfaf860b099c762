// Package postgres implements land.Store and access.Store on PostgreSQL with
// PostGIS, panhuo's production engine: pgx v5 with a connection pool,
// geometries in geometry(MultiPolygon, 4490) columns with GiST indexes, and
// the migrations of package panhuo/migrations (directory postgres) applied
// with goose when the store opens.
//
// It behaves as the SQLite engine does, and passes the same contract
// (package storetest):
//
//   - Writes are serialized: Store.Update takes an in-process lock and then
//     the transaction-level advisory lock writeLockKey, so that what fn reads
//     is still current when it writes, also across several server processes
//     on one database. Reads outside Update run on the pool, in parallel.
//   - Optimistic locking is enforced in SQL (UPDATE … WHERE id = $n AND
//     version = $m).
//   - Events are append-only: triggers refuse UPDATE, DELETE and TRUNCATE.
//   - Rates are SQL aggregates over stored numbers, no geometry: running
//     totals per park and class that statement-level triggers keep in the
//     writing transaction, corrected by the parcels a past date touches, or
//     a scan of the parcels (rates.go).
//   - Bulk writes use binary COPY: Tx.InsertParcels and Tx.AppendEvents,
//     and Load for `panhuo migrate-data`.
//
// Geometries go to PostGIS as WKB (ST_GeomFromWKB($n, 4490)) and come back
// with ST_AsBinary: pgx cannot send EWKB as a geometry parameter. A parcel
// stored from a Polygon is read back as a Polygon (column is_multi).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"panhuo/internal/land"
	"panhuo/migrations"
)

// EngineName is what Store.Engine answers.
const EngineName = "postgres"

// writeLockKey is the key of the transaction-level advisory lock that every
// write transaction takes first ("panhuo" in ASCII).
const writeLockKey int64 = 0x70616e68756f

// gooseLockID is the key of the session-level advisory lock goose holds while
// it migrates, so that two servers starting at once do not both migrate.
const gooseLockID int64 = 0x70616e68756f_01

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is a land.Store and an access.Store on one PostgreSQL database. It is
// safe for concurrent use.
type Store struct {
	reader // reads outside transactions, on the pool
	pool   *pgxpool.Pool
	// writer admits one write transaction of this process at a time, before
	// it takes a connection: writers waiting for the advisory lock do not
	// hold the pool's connections.
	writer chan struct{}
	where  string // the DSN without its password
}

var _ land.Store = (*Store)(nil)

// Open connects to the PostgreSQL database named by dsn (a postgres:// URL or
// a key=value string, as pgx reads them; pool_max_conns and the other pgxpool
// settings are honoured), applies the pending migrations, and seeds the
// disposal methods (land.DefaultMethods) into a database that has none.
//
// The database must have the extension postgis, or the user must be allowed
// to create it.
func Open(ctx context.Context, dsn string) (*Store, error) {
	where := redact(dsn)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 2*runtime.GOMAXPROCS(0)))
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "panhuo"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	s := &Store{reader: reader{q: pool}, pool: pool, writer: make(chan struct{}, 1), where: where}
	if err := land.SeedMethods(ctx, s); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	return s, nil
}

// redact returns dsn without its password, for messages and logs.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return "the PostgreSQL database"
}

// migrate applies the pending PostgreSQL migrations, each in its own
// transaction, under goose's session lock.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	fsys, err := fs.Sub(migrations.Postgres, migrations.PostgresDir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(gooseLockID))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
		goose.WithSessionLocker(locker),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		if strings.Contains(err.Error(), "postgis") {
			return fmt.Errorf("migrate: %w (the database needs the extension postgis: "+
				"as a superuser, CREATE EXTENSION postgis in it)", err)
		}
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Path says where the data lies: the DSN without its password.
func (s *Store) Path() string { return s.where }

// Pool is the store's connection pool, for tools and tests that query the
// database directly.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Engine answers "postgres".
func (s *Store) Engine() string { return EngineName }

// SchemaVersion is the version of the last applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx,
		`SELECT coalesce(max(version_id), 0) FROM `+goose.DefaultTablename).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}

// Update runs fn in one write transaction, committing when fn returns nil
// and rolling back otherwise; fn's error is returned as is. Writers wait for
// each other in turn: first in this process, then (the advisory lock
// writeLockKey) across processes. fn must not use the Tx after it returns,
// nor call Update itself.
func (s *Store) Update(ctx context.Context, fn func(land.Tx) error) (err error) {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("postgres: wait for the writer: %w", ctx.Err())
	}
	defer func() { <-s.writer }()

	pgTx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin write transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// After a panic or an error; the error of fn is the one to report.
			rbErr := pgTx.Rollback(context.WithoutCancel(ctx))
			if rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) && err != nil {
				err = errors.Join(err, fmt.Errorf("postgres: rollback: %w", rbErr))
			}
		}
	}()
	if _, err := pgTx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
		return fmt.Errorf("postgres: take the write lock: %w", err)
	}
	if err := fn(&tx{reader: reader{q: pgTx, rates: s.rates}, q: pgTx}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	committed = true
	return nil
}

// Close closes the pool's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
