package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// The access tables (migration 00002): users, sessions, tokens and log-in
// attempts, with the semantics of the SQLite engine. Writes run through
// Update, serialized with every other write; those that change a user or a
// token append their event in the same transaction.

var _ access.Store = (*Store)(nil)

// Event kinds of the access tables.
const (
	eventUserCreate   = "user.create"
	eventUserUpdate   = "user.update"
	eventUserPassword = "user.password"
	eventTokenCreate  = "token.create"
	eventTokenRevoke  = "token.revoke"
)

// writeTx runs fn in a write transaction.
func (s *Store) writeTx(ctx context.Context, fn func(t *tx) error) error {
	return s.Update(ctx, func(lt land.Tx) error { return fn(lt.(*tx)) })
}

// appendAccessEvent appends an event of the access tables: no park, no parcel.
func (t *tx) appendAccessEvent(ctx context.Context, kind, actor string, at time.Time, before, after any) error {
	e := land.Event{Kind: kind, Actor: actor, At: at}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("event %s: %w", kind, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("event %s: %w", kind, err)
		}
	}
	return t.AppendEvent(ctx, &e)
}

// isUniqueViolation reports whether err is PostgreSQL's unique violation of
// the given constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == constraint
}

// ---- users ----

const userColumns = `id, login, display_name, role, parks, disabled, version,
	created_at, created_at_ns, updated_at, updated_at_ns, password_changed_at, password_changed_at_ns`

func scanUser(r pgx.Row, extra ...any) (access.User, error) {
	var (
		u                         access.User
		role                      string
		parks                     []string
		created, updated, pw      pgtype.Timestamptz
		createdNs, updatedNs, pwN int16
	)
	dest := append([]any{&u.ID, &u.Login, &u.DisplayName, &role, &parks, &u.Disabled, &u.Version,
		&created, &createdNs, &updated, &updatedNs, &pw, &pwN}, extra...)
	if err := r.Scan(dest...); err != nil {
		return access.User{}, err
	}
	u.Role = land.Role(role)
	u.Parks = fromTextArray(parks)
	u.CreatedAt = fromNullTS(created, createdNs)
	u.UpdatedAt = fromNullTS(updated, updatedNs)
	u.PasswordSet = fromNullTS(pw, pwN)
	return u, nil
}

// InsertUser inserts u (its login lower-cased) with the password hash, sets
// u.ID and u.Version to 1, and appends a "user.create" event. It fails with
// an error wrapping access.ErrLoginTaken when the login is taken.
func (s *Store) InsertUser(ctx context.Context, actor string, u *access.User, passwordHash string) error {
	u.Login = strings.ToLower(u.Login)
	err := s.writeTx(ctx, func(t *tx) error {
		err := t.q.QueryRow(ctx, `INSERT INTO users (login, display_name, role, parks, disabled,
				password_hash, password_changed_at, password_changed_at_ns, version,
				created_at, created_at_ns, updated_at, updated_at_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12) RETURNING id`,
			u.Login, u.DisplayName, string(u.Role), textArray(u.Parks), u.Disabled, passwordHash,
			tsAt(u.PasswordSet), tsNs(u.PasswordSet), tsAt(u.CreatedAt), tsNs(u.CreatedAt),
			tsAt(u.UpdatedAt), tsNs(u.UpdatedAt)).Scan(&u.ID)
		if isUniqueViolation(err, "users_login_key") {
			return access.ErrLoginTaken
		}
		if err != nil {
			return err
		}
		u.Version = 1
		return t.appendAccessEvent(ctx, eventUserCreate, actor, u.CreatedAt, nil, *u)
	})
	if err != nil {
		u.ID, u.Version = 0, 0
		return fmt.Errorf("postgres: insert user %q: %w", u.Login, err)
	}
	return nil
}

// UpdateUser replaces the display name, role, parks, disabled flag and
// update time of the user u.ID when its stored version is expect, sets
// u.Version to expect+1 and the other fields to the stored ones, and appends
// a "user.update" event. It fails with an error wrapping
// land.ErrVersionConflict when the version differs, land.ErrNotFound when
// there is no such user, and access.ErrLastAdmin, changing nothing, when no
// active administrator would be left.
func (s *Store) UpdateUser(ctx context.Context, actor string, u *access.User, expect int) error {
	var updated access.User
	err := s.writeTx(ctx, func(t *tx) error {
		before, err := scanUser(t.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, u.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		if before.Version != expect {
			return fmt.Errorf("stored version %d, expected %d: %w", before.Version, expect, land.ErrVersionConflict)
		}
		updated, err = scanUser(t.q.QueryRow(ctx, `UPDATE users SET display_name = $1, role = $2,
				parks = $3, disabled = $4, updated_at = $5, updated_at_ns = $6, version = version + 1
			WHERE id = $7 AND version = $8
			RETURNING `+userColumns,
			u.DisplayName, string(u.Role), textArray(u.Parks), u.Disabled, tsAt(u.UpdatedAt),
			tsNs(u.UpdatedAt), u.ID, expect))
		if err != nil {
			return err
		}
		if before.Role == land.RoleAdmin && !before.Disabled {
			var n int
			if err := t.q.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return access.ErrLastAdmin
			}
		}
		return t.appendAccessEvent(ctx, eventUserUpdate, actor, u.UpdatedAt, before, updated)
	})
	if err != nil {
		return fmt.Errorf("postgres: update user %d: %w", u.ID, err)
	}
	*u = updated
	return nil
}

// SetPasswordHash replaces the password hash of a user, sets its
// password_changed_at to at, bumps its version and appends a "user.password"
// event (the user before and after, never a hash). It fails with an error
// wrapping land.ErrNotFound when there is no such user.
func (s *Store) SetPasswordHash(ctx context.Context, actor string, userID int64, hash string, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		before, err := scanUser(t.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
		if errors.Is(err, pgx.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		after, err := scanUser(t.q.QueryRow(ctx, `UPDATE users SET password_hash = $1,
				password_changed_at = $2, password_changed_at_ns = $3, updated_at = $2,
				updated_at_ns = $3, version = version + 1
			WHERE id = $4 RETURNING `+userColumns, hash, tsAt(at), tsNs(at), userID))
		if err != nil {
			return err
		}
		return t.appendAccessEvent(ctx, eventUserPassword, actor, at, before, after)
	})
	if err != nil {
		return fmt.Errorf("postgres: set password of user %d: %w", userID, err)
	}
	return nil
}

// GetUser returns the user with the given id, or an error wrapping
// land.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (access.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return access.User{}, fmt.Errorf("postgres: user %d: %w", id, land.ErrNotFound)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("postgres: get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByLogin returns the user with the login (in any case) and their
// password hash, or an error wrapping land.ErrNotFound.
func (s *Store) GetUserByLogin(ctx context.Context, login string) (access.User, string, error) {
	var hash string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash
		FROM users WHERE login = $1`, strings.ToLower(login)), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return access.User{}, "", fmt.Errorf("postgres: user %q: %w", login, land.ErrNotFound)
	}
	if err != nil {
		return access.User{}, "", fmt.Errorf("postgres: get user %q: %w", login, err)
	}
	return u, hash, nil
}

// ListUsers lists all users by login.
func (s *Store) ListUsers(ctx context.Context) ([]access.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	defer rows.Close()
	us := []access.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return us, nil
}

// CountActiveAdmins counts the administrators not disabled.
func (s *Store) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: count active admins: %w", err)
	}
	return n, nil
}

// ---- sessions ----

// InsertSession inserts s.
func (s *Store) InsertSession(ctx context.Context, sess access.Session) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at,
				created_at_ns, last_seen_at, last_seen_at_ns, expires_at, expires_at_ns, addr, user_agent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			sess.IDHash, sess.UserID, sess.CSRFToken, tsAt(sess.CreatedAt), tsNs(sess.CreatedAt),
			tsAt(sess.LastSeenAt), tsNs(sess.LastSeenAt), tsAt(sess.ExpiresAt), tsNs(sess.ExpiresAt),
			sess.Addr, sess.UserAgent)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: insert session of user %d: %w", sess.UserID, err)
	}
	return nil
}

// GetSession returns the session with the id hash, or an error wrapping
// land.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, idHash string) (access.Session, error) {
	var (
		sess                   access.Session
		created, seen, expires pgtype.Timestamptz
		cNs, sNs, eNs          int16
	)
	err := s.pool.QueryRow(ctx, `SELECT id_hash, user_id, csrf_token, created_at, created_at_ns,
			last_seen_at, last_seen_at_ns, expires_at, expires_at_ns, addr, user_agent
		FROM sessions WHERE id_hash = $1`, idHash).Scan(&sess.IDHash, &sess.UserID, &sess.CSRFToken,
		&created, &cNs, &seen, &sNs, &expires, &eNs, &sess.Addr, &sess.UserAgent)
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Session{}, fmt.Errorf("postgres: session: %w", land.ErrNotFound)
	}
	if err != nil {
		return access.Session{}, fmt.Errorf("postgres: get session: %w", err)
	}
	sess.CreatedAt = fromNullTS(created, cNs)
	sess.LastSeenAt = fromNullTS(seen, sNs)
	sess.ExpiresAt = fromNullTS(expires, eNs)
	return sess, nil
}

// TouchSession moves the session's last_seen_at forward to at (never back).
// An unknown session is no error.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, `UPDATE sessions SET last_seen_at = $1, last_seen_at_ns = $2
			WHERE id_hash = $3 AND (last_seen_at, last_seen_at_ns) < ($1, $2)`, tsAt(at), tsNs(at), idHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session; an unknown one is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.deleteSessions(ctx, "delete session", `DELETE FROM sessions WHERE id_hash = $1`, idHash)
}

// DeleteUserSessions deletes all the sessions of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.deleteSessions(ctx, fmt.Sprintf("delete sessions of user %d", userID),
		`DELETE FROM sessions WHERE user_id = $1`, userID)
}

// DeleteExpiredSessions deletes the sessions last seen before idleBefore
// or whose absolute expiry is not after now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) error {
	return s.deleteSessions(ctx, "delete expired sessions",
		`DELETE FROM sessions WHERE (last_seen_at, last_seen_at_ns) < ($1, $2)
			OR (expires_at, expires_at_ns) <= ($3, $4)`,
		tsAt(idleBefore), tsNs(idleBefore), tsAt(now), tsNs(now))
}

func (s *Store) deleteSessions(ctx context.Context, what, query string, a ...any) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, query, a...)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// ---- tokens ----

const tokenColumns = `id, user_id, name, prefix, created_at, created_at_ns, last_used_at,
	last_used_at_ns, revoked_at, revoked_at_ns`

func scanToken(r pgx.Row) (access.Token, error) {
	var (
		t                      access.Token
		created, used, revoked pgtype.Timestamptz
		cNs, uNs, rNs          int16
	)
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &cNs, &used, &uNs, &revoked, &rNs); err != nil {
		return access.Token{}, err
	}
	t.CreatedAt = fromNullTS(created, cNs)
	t.LastUsedAt = fromNullTS(used, uNs)
	t.RevokedAt = fromNullTS(revoked, rNs)
	return t, nil
}

// InsertToken inserts t with the hash of its raw token, sets t.ID and
// appends a "token.create" event (the token without raw or hash).
func (s *Store) InsertToken(ctx context.Context, actor string, t *access.Token, hash string) error {
	err := s.writeTx(ctx, func(tx *tx) error {
		err := tx.q.QueryRow(ctx, `INSERT INTO tokens (user_id, name, prefix, hash, created_at,
				created_at_ns, last_used_at, last_used_at_ns, revoked_at, revoked_at_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			t.UserID, t.Name, t.Prefix, hash, tsAt(t.CreatedAt), tsNs(t.CreatedAt),
			nullTSAt(t.LastUsedAt), nullTSNs(t.LastUsedAt), nullTSAt(t.RevokedAt), nullTSNs(t.RevokedAt)).Scan(&t.ID)
		if err != nil {
			return err
		}
		return tx.appendAccessEvent(ctx, eventTokenCreate, actor, t.CreatedAt, nil, *t)
	})
	if err != nil {
		t.ID = 0
		return fmt.Errorf("postgres: insert token of user %d: %w", t.UserID, err)
	}
	return nil
}

// GetTokenByHash returns the token, revoked or not, whose raw token has the
// hash, or an error wrapping land.ErrNotFound.
func (s *Store) GetTokenByHash(ctx context.Context, hash string) (access.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Token{}, fmt.Errorf("postgres: token: %w", land.ErrNotFound)
	}
	if err != nil {
		return access.Token{}, fmt.Errorf("postgres: get token: %w", err)
	}
	return t, nil
}

// ListTokens lists a user's tokens, revoked ones included, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]access.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	ts := []access.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list tokens of user %d: %w", userID, err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list tokens of user %d: %w", userID, err)
	}
	return ts, nil
}

// RevokeToken revokes the token tokenID of the user userID at the given
// time and appends a "token.revoke" event. It fails with an error wrapping
// land.ErrNotFound when the user has no such token; a token already
// revoked stays as it was, with no event.
func (s *Store) RevokeToken(ctx context.Context, actor string, userID, tokenID int64, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		before, err := scanToken(t.q.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens
			WHERE id = $1 AND user_id = $2`, tokenID, userID))
		if errors.Is(err, pgx.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		if !before.RevokedAt.IsZero() {
			return nil
		}
		after, err := scanToken(t.q.QueryRow(ctx, `UPDATE tokens SET revoked_at = $1, revoked_at_ns = $2
			WHERE id = $3 RETURNING `+tokenColumns, tsAt(at), tsNs(at), tokenID))
		if err != nil {
			return err
		}
		return t.appendAccessEvent(ctx, eventTokenRevoke, actor, at, before, after)
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke token %d of user %d: %w", tokenID, userID, err)
	}
	return nil
}

// TouchToken moves the token's last_used_at forward to at (never back).
func (s *Store) TouchToken(ctx context.Context, tokenID int64, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, `UPDATE tokens SET last_used_at = $1, last_used_at_ns = $2
			WHERE id = $3 AND (last_used_at IS NULL OR (last_used_at, last_used_at_ns) < ($1, $2))`,
			tsAt(at), tsNs(at), tokenID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: touch token %d: %w", tokenID, err)
	}
	return nil
}

// ---- log-in attempts ----

// RecordLoginAttempt appends a, its login in lower case.
func (s *Store) RecordLoginAttempt(ctx context.Context, a access.LoginAttempt) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, `INSERT INTO login_attempts (login, addr, at, at_ns, ok) VALUES ($1, $2, $3, $4, $5)`,
			strings.ToLower(a.Login), a.Addr, tsAt(a.At), tsNs(a.At), a.OK)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record login attempt: %w", err)
	}
	return nil
}

// DeleteLoginAttemptsBefore deletes the attempts made before the given time
// (to the microsecond: at_ns only orders attempts within one).
func (s *Store) DeleteLoginAttemptsBefore(ctx context.Context, before time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.Exec(ctx, `DELETE FROM login_attempts WHERE at < $1`, tsAt(before))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete login attempts before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}

// CountFailures counts the failed attempts at or after since for the login
// and for the address, each counting only those recorded after its last
// success.
func (s *Store) CountFailures(ctx context.Context, login, addr string, since time.Time) (byLogin, byAddr int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM login_attempts
			WHERE login = $1 AND (at, at_ns) >= ($3, $4) AND NOT ok
				AND id > coalesce((SELECT max(id) FROM login_attempts WHERE login = $1 AND ok), 0)),
		(SELECT count(*) FROM login_attempts
			WHERE addr = $2 AND (at, at_ns) >= ($3, $4) AND NOT ok
				AND id > coalesce((SELECT max(id) FROM login_attempts WHERE addr = $2 AND ok), 0))`,
		strings.ToLower(login), addr, tsAt(since), tsNs(since)).Scan(&byLogin, &byAddr)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: count login failures: %w", err)
	}
	return byLogin, byAddr, nil
}
