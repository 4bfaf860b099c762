// Package sqlite implements land.Store on SQLite, panhuo's embedded default
// engine: one database file, the pure-Go driver modernc.org/sqlite, WAL
// journal, an R*Tree index of parcel bounding boxes, and the migrations of
// package panhuo/migrations applied with goose when the store opens.
//
// Writes are serialized: Store.Update runs on a single connection that begins
// its transactions with BEGIN IMMEDIATE, so concurrent writers queue instead
// of failing with SQLITE_BUSY. Reads outside Update use a pool of read-only
// connections that, thanks to WAL, never wait for the writer.
//
// Triggers keep what derives from other rows in the same transaction as the
// write: the R*Tree, each parcel's sum of counting steps, and running totals
// per park and class from which the current rates are read in O(parks)
// (rates.go). Events are append-only: triggers refuse to change them.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"panhuo/internal/land"
	"panhuo/migrations"
)

// EngineName is what Store.Engine answers.
const EngineName = "sqlite"

// busyTimeoutMillis is how long a connection waits for a lock held by another
// process (a CLI import next to the server) before giving up.
const busyTimeoutMillis = 10_000

// Cache sizes: the writer's page cache, and the memory map of the file that
// readers use.
const (
	writerCacheKiB  = 32 << 10
	readerMmapBytes = 256 << 20
)

// Store is a land.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	reader         // reads outside transactions, on the read pool
	write  *sql.DB // one connection; BEGIN IMMEDIATE
	read   *sql.DB // read-only connections
	path   string
}

var _ land.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file if it is
// missing, applies the pending migrations, and seeds the disposal methods
// (land.DefaultMethods) into a database that has none. The directory of path
// must exist. path must name a file: ":memory:" is refused, because the
// store's connections must share one database.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, busyTimeoutMillis)
}

// open is Open with the time, in milliseconds, a connection waits for a
// lock another process holds.
func open(ctx context.Context, path string, busyMillis int) (*Store, error) {
	if path == "" || path == ":memory:" || path == "file::memory:" {
		return nil, fmt.Errorf("sqlite: open %q: the store needs a database file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	s := &Store{path: abs}

	s.write, err = sql.Open("sqlite", dsn(abs, true, busyMillis))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)
	if err := s.write.PingContext(ctx); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	if err := migrate(ctx, s.write); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}

	s.read, err = sql.Open("sqlite", dsn(abs, false, busyMillis))
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", abs, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
	s.reader = reader{q: s.read, cache: &ratesCache{}, parks: &parksCache{}}

	if err := land.SeedMethods(ctx, s); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return s, nil
}

// dsn builds the driver's data source name for the file at abs. The writer
// sets WAL (a persistent property of the file) and begins transactions with
// BEGIN IMMEDIATE; readers are query-only.
func dsn(abs string, writer bool, busyMillis int) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Statement journals and sorts stay in memory rather than temporary files.
	q.Add("_pragma", "temp_store(MEMORY)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		// Room for the pages a large import changes, so that they are not
		// spilled before it commits.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
		// Readers share the operating system's page cache instead of
		// copying pages into their own.
		q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", readerMmapBytes))
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // file:///C:/… on Windows
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// migrate applies the pending SQLite migrations, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations.SQLite, migrations.SQLiteDir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Engine answers "sqlite".
func (s *Store) Engine() string { return EngineName }

// SchemaVersion is the version of the last applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx,
		`SELECT coalesce(max(version_id), 0) FROM `+goose.DefaultTablename).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return v, nil
}

// Update runs fn in one write transaction (BEGIN IMMEDIATE), committing when
// fn returns nil and rolling back otherwise; fn's error is returned as is.
// Writers wait for each other in turn. fn must not use the Tx after it
// returns, nor call Update itself.
func (s *Store) Update(ctx context.Context, fn func(land.Tx) error) (err error) {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		if isBusy(err) {
			err = fmt.Errorf("%w: %w", land.ErrBusy, err)
		}
		return fmt.Errorf("sqlite: begin write transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// After a panic or an error; the error of fn is the one to report.
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
				err = errors.Join(err, fmt.Errorf("sqlite: rollback: %w", rbErr))
			}
		}
	}()
	if err := fn(&tx{reader: reader{q: sqlTx, rates: s.rates}, q: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	return nil
}

// isBusy tells whether err is SQLite's SQLITE_BUSY (or one of its extended
// codes): another connection holds the lock.
func isBusy(err error) bool {
	const sqliteBusy = 5
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

// Close closes the database; a checkpoint folds the WAL into the file.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		// Best effort: leave a compact file behind for copies and backups.
		_, _ = s.write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		errs = append(errs, s.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}
