// Package migrations holds panhuo's database schema as SQL migration files,
// one directory per engine, embedded into the binary and applied in order at
// start-up by the engine's store package (with goose).
//
// Each file is named NNNNN_description.sql and carries goose annotations
// ("-- +goose Up" / "-- +goose Down"); every migration runs in a transaction.
// Data that Go code defines (the default disposal methods) is seeded from Go,
// not from SQL, so it has one source.
package migrations

import "embed"

// SQLite holds the migrations of the embedded SQLite engine under "sqlite/".
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// SQLiteDir is the directory of SQLite inside which the migrations lie; pass
// it to fs.Sub.
const SQLiteDir = "sqlite"

// Postgres holds the migrations of the PostgreSQL + PostGIS engine under
// "postgres/".
//
//go:embed postgres/*.sql
var Postgres embed.FS

// PostgresDir is the directory of Postgres inside which the migrations lie;
// pass it to fs.Sub.
const PostgresDir = "postgres"
