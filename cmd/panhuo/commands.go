package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	iofs "io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, for backup

	"panhuo/internal/access"
	"panhuo/internal/demo"
	"panhuo/internal/land"
)

// demo loads the 株洲 demo and the demo users into an empty database.
func (e env) demo(args []string) error {
	fs := e.flags("demo")
	dbPath := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		state, n, err := stateOf(ctx, st)
		if err != nil {
			return err
		}
		switch state {
		case realDB:
			return refuseReal(*dbPath, n)
		case demoDB:
			return fmt.Errorf("数据库 %s 中已有示例数据（%d 个园区），不再重复载入", *dbPath, n)
		}
		sum, err := demo.LoadZhuzhou(ctx, land.NewService(st), actor())
		if err != nil {
			return fmt.Errorf("load the demo: %w", err)
		}
		fmt.Fprintf(e.stdout, "已载入 %s\n%s", st.Path(), sum)
		accounts, err := demo.CreateDemoUsers(ctx, access.NewService(st, st), operator())
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout)
		printDemoAccounts(e.stdout, accounts, *dbPath)
		return nil
	})
}

// migrate creates or upgrades the schema and prints its version.
func (e env) migrate(args []string) error {
	fs := e.flags("migrate")
	dbPath := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		v, err := st.SchemaVersion(ctx)
		if err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		fmt.Fprintf(e.stdout, "%s: engine %s, schema version %d\n", st.Path(), st.Engine(), v)
		return nil
	})
}

// backup writes a consistent copy of a SQLite database with VACUUM INTO.
// It opens its own connection rather than the store, so that a database is
// backed up as it is, before any migration, and while a server uses it.
func (e env) backup(args []string) error {
	fs := e.flags("backup")
	dbPath := dbFlag(fs)
	out := fs.String("o", "", "file to write the backup to; must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"-o FILE is required"}
	}
	if isPostgres(*dbPath) {
		return usageError{"backup copies a SQLite file; back up PostgreSQL with pg_dump (备份 PostgreSQL 请用 pg_dump)"}
	}
	src, err := filepath.Abs(*dbPath)
	if err != nil {
		return fmt.Errorf("database path: %w", err)
	}
	dst, err := filepath.Abs(*out)
	if err != nil {
		return fmt.Errorf("backup path: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("数据库文件 %s 不存在或无法读取: %w", src, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("备份文件 %s 已存在，不会覆盖；请换一个文件名", dst)
	} else if !errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("backup path %s: %w", dst, err)
	}
	ctx := context.Background()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: filepath.ToSlash(src), RawQuery: q.Encode()}).String())
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	start := time.Now()
	// SQLite itself refuses to write INTO a file that exists and is not empty.
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("back up %s to %s: %w", src, dst, err)
	}
	info, err := os.Stat(dst)
	if err != nil {
		return fmt.Errorf("backup %s: %w", dst, err)
	}
	fmt.Fprintf(e.stdout, "已备份 %s → %s（%d 字节，用时 %s）\n", src, dst, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// synth fills an empty database with synthetic data for benchmarks.
func (e env) synth(args []string) error {
	fs := e.flags("synth")
	dbPath := dbFlag(fs)
	parks := fs.Int("parks", 3000, "number of parks")
	parcels := fs.Int("parcels", 100_000, "number of parcels")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same data")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *parks < 1 || *parcels < 0 {
		return usageError{"-parks must be at least 1 and -parcels not negative"}
	}
	ctx := context.Background()
	return withStore(ctx, *dbPath, func(st dataStore) error {
		start := time.Now()
		err := demo.LoadSynthetic(ctx, st, demo.SyntheticOptions{Parks: *parks, Parcels: *parcels, Seed: *seed})
		if errors.Is(err, demo.ErrNotEmpty) {
			return fmt.Errorf("数据库 %s 不是空的，合成数据只能写入空数据库", st.Path())
		}
		if err != nil {
			return err
		}
		rows, err := st.CountRows(ctx)
		if err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
		fmt.Fprintf(e.stdout, "%s: %d parks, %d parcels, %d disposal steps, %d events (seed %d, %s)\n",
			st.Path(), rows.Parks, rows.Parcels, rows.Disposals, rows.Events, *seed, time.Since(start).Round(time.Millisecond))
		return nil
	})
}

// withStore opens the database, runs fn and closes the database, reporting
// a failure to close as well.
func withStore(ctx context.Context, dsn string, fn func(st dataStore) error) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	err = fn(st)
	if cerr := st.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close database: %w", cerr))
	}
	return err
}
