package main

import (
	"context"
	"fmt"
	"strings"

	"panhuo/internal/access"
	"panhuo/internal/land"
	"panhuo/internal/store/postgres"
	"panhuo/internal/store/sqlite"
)

// dataStore is a database engine as the commands use it: land's data,
// access's, and where they lie.
type dataStore interface {
	land.Store
	access.Store
	// Path says where the data lies: the SQLite file, or the PostgreSQL DSN
	// without its password.
	Path() string
}

var (
	_ dataStore = (*sqlite.Store)(nil)
	_ dataStore = (*postgres.Store)(nil)
)

// openStore opens (creating and migrating) the database named by dsn: the
// PostgreSQL database of a postgres:// or postgresql:// URL (PostGIS
// required), else the SQLite file at that path.
func openStore(ctx context.Context, dsn string) (dataStore, error) {
	if isPostgres(dsn) {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return st, nil
	}
	if dsn == "" {
		return nil, usageError{"-db must name a SQLite database file or a postgres:// URL"}
	}
	st, err := sqlite.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return st, nil
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	d := strings.ToLower(dsn)
	return strings.HasPrefix(d, "postgres://") || strings.HasPrefix(d, "postgresql://")
}
