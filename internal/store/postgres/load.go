package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// Snapshot is a whole panhuo database as `panhuo migrate-data` copies it from
// one engine to another: every row with its id, version and timestamps.
// Sessions and log-in attempts are not part of it: users log in again.
type Snapshot struct {
	Methods   []land.Method
	Parks     []land.Park
	Parcels   []land.Parcel
	Disposals []land.Disposal
	Events    iter.Seq2[land.Event, error] // in any order; read once
	Users     []UserWithHash
	Tokens    []TokenWithHash
}

// UserWithHash is a user with their password hash.
type UserWithHash struct {
	access.User
	PasswordHash string
}

// TokenWithHash is a token with the hash of its raw token.
type TokenWithHash struct {
	access.Token
	Hash string
}

// ErrNotEmpty is returned (wrapped) by Load when the database already holds
// data beyond the seeded disposal methods.
var ErrNotEmpty = errors.New("the database is not empty")

// RowQuerier runs a query of one row; Load's check gets the transaction as one.
type RowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Load writes snap into the store, which must hold nothing but disposal
// methods (ErrNotEmpty otherwise), in one transaction: the methods are
// replaced by snap's, every other row is copied with binary COPY keeping its
// id, and the id sequences are moved past the largest ids. check, when not
// nil, runs last inside the transaction on what was written: an error from
// it rolls everything back.
func (s *Store) Load(ctx context.Context, snap Snapshot, check func(ctx context.Context, q RowQuerier) error) error {
	err := s.Update(ctx, func(lt land.Tx) error {
		q := lt.(*tx).q
		var n int
		err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM parks) + (SELECT count(*) FROM parcels)
			+ (SELECT count(*) FROM disposals) + (SELECT count(*) FROM events)
			+ (SELECT count(*) FROM users) + (SELECT count(*) FROM tokens)
			+ (SELECT count(*) FROM sessions) + (SELECT count(*) FROM login_attempts)`).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: it holds %d rows of parks, parcels, disposals, events, users, tokens, sessions or log-in attempts", ErrNotEmpty, n)
		}
		if _, err := q.Exec(ctx, `DELETE FROM methods`); err != nil {
			return err
		}
		if err := copyRows(ctx, q, "methods", []string{"code", "class", "name", "counts", "ord"},
			len(snap.Methods), func(i int) ([]any, error) {
				m := snap.Methods[i]
				return []any{m.Code, string(m.Class), m.Name, m.Counts, int32(m.Order)}, nil
			}); err != nil {
			return err
		}
		for i := range snap.Parks {
			p := &snap.Parks[i]
			boundary, err := boundaryArg(p.Boundary)
			if err != nil {
				return fmt.Errorf("park %s: %w", p.Code, err)
			}
			_, err = q.Exec(ctx, `INSERT INTO parks (code, name, level, city, boundary, area_mu,
					gk_zone, builtup_mu, target_mu, target_year, demo, version, created_at, created_at_ns,
					updated_at, updated_at_ns)
				VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromWKB($5, 4490)), $6, $7, $8, $9, $10, $11, $12,
					$13, $14, $15, $16)`,
				p.Code, p.Name, p.Level, p.City, boundary, p.AreaMu, int32(p.GKZone), p.BuiltupMu,
				p.TargetMu, p.TargetYear, p.Demo, p.Version, tsAt(p.CreatedAt), tsNs(p.CreatedAt),
				tsAt(p.UpdatedAt), tsNs(p.UpdatedAt))
			if err != nil {
				return fmt.Errorf("park %s: %w", p.Code, err)
			}
		}
		if err := copyParcels(ctx, q, snap.Parcels, true); err != nil {
			return err
		}
		if err := copyRows(ctx, q, "disposals", []string{"id", "parcel_id", "park_code", "method", "counts",
			"date", "area_mu", "note", "created_by", "created_at", "created_at_ns"},
			len(snap.Disposals), func(i int) ([]any, error) {
				d := &snap.Disposals[i]
				return []any{d.ID, d.ParcelID, d.ParkCode, d.Method, d.Counts, d.Date.Time(), d.AreaMu,
					d.Note, d.CreatedBy, tsAt(d.CreatedAt), tsNs(d.CreatedAt)}, nil
			}); err != nil {
			return err
		}
		if snap.Events != nil {
			next, stop := iter.Pull2(snap.Events)
			defer stop()
			_, err := q.CopyFrom(ctx, pgx.Identifier{"events"},
				[]string{"id", "park_code", "parcel_id", "kind", "actor", "at", "at_ns", "before", "after"},
				pgx.CopyFromFunc(func() ([]any, error) {
					e, err, ok := next()
					if !ok || err != nil {
						return nil, err
					}
					return []any{e.ID, e.ParkCode, idArg(e.ParcelID), e.Kind, e.Actor, tsAt(e.At), tsNs(e.At),
						jsonArg(e.Before), jsonArg(e.After)}, nil
				}))
			if err != nil {
				return fmt.Errorf("copy events: %w", err)
			}
		}
		if err := copyRows(ctx, q, "users", []string{"id", "login", "display_name", "role", "parks",
			"disabled", "password_hash", "password_changed_at", "password_changed_at_ns", "version",
			"created_at", "created_at_ns", "updated_at", "updated_at_ns"},
			len(snap.Users), func(i int) ([]any, error) {
				u := &snap.Users[i]
				return []any{u.ID, u.Login, u.DisplayName, string(u.Role), textArray(u.Parks), u.Disabled,
					u.PasswordHash, tsAt(u.PasswordSet), tsNs(u.PasswordSet), int32(u.Version),
					tsAt(u.CreatedAt), tsNs(u.CreatedAt), tsAt(u.UpdatedAt), tsNs(u.UpdatedAt)}, nil
			}); err != nil {
			return err
		}
		if err := copyRows(ctx, q, "tokens", []string{"id", "user_id", "name", "prefix", "hash",
			"created_at", "created_at_ns", "last_used_at", "last_used_at_ns", "revoked_at", "revoked_at_ns"},
			len(snap.Tokens), func(i int) ([]any, error) {
				t := &snap.Tokens[i]
				return []any{t.ID, t.UserID, t.Name, t.Prefix, t.Hash, tsAt(t.CreatedAt), tsNs(t.CreatedAt),
					nullTSAt(t.LastUsedAt), nullTSNs(t.LastUsedAt), nullTSAt(t.RevokedAt), nullTSNs(t.RevokedAt)}, nil
			}); err != nil {
			return err
		}
		for _, table := range []string{"parcels", "disposals", "events", "users", "tokens"} {
			if err := bumpSequence(ctx, q, table); err != nil {
				return fmt.Errorf("sequence of %s: %w", table, err)
			}
		}
		if check != nil {
			return check(ctx, q)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: load: %w", err)
	}
	return nil
}

// copyRows copies n rows, the values of row(i), into table with binary COPY.
func copyRows(ctx context.Context, q pgx.Tx, table string, columns []string, n int, row func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	if _, err := q.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(n, row)); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}
