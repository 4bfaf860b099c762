package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// The access tables (migration 00002): users, sessions, tokens and log-in
// attempts. Their timestamps have a fixed width, so that they compare as
// text in SQL. Writes run through Update, on the single writer connection;
// those that change a user or a token append their event in the same
// transaction.

var _ access.Store = (*Store)(nil)

// Event kinds of the access tables.
const (
	eventUserCreate   = "user.create"
	eventUserUpdate   = "user.update"
	eventUserPassword = "user.password"
	eventTokenCreate  = "token.create"
	eventTokenRevoke  = "token.revoke"
)

const fixedTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// fixedTimeArg stores t as UTC RFC 3339 with nine fractional digits.
func fixedTimeArg(t time.Time) string { return t.UTC().Format(fixedTimeLayout) }

func nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fixedTimeArg(t)
}

func scanNullTime(s sql.NullString, field string) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return scanTime(s.String, field)
}

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

// ---- users ----

const userColumns = `id, login, display_name, role, parks, disabled, version,
	created_at, updated_at, password_changed_at`

func scanUser(r rowScanner, extra ...any) (access.User, error) {
	var (
		u                          access.User
		role, parks                string
		created, updated, password string
	)
	dest := append([]any{&u.ID, &u.Login, &u.DisplayName, &role, &parks, &u.Disabled, &u.Version,
		&created, &updated, &password}, extra...)
	if err := r.Scan(dest...); err != nil {
		return access.User{}, err
	}
	u.Role = land.Role(role)
	if err := json.Unmarshal([]byte(parks), &u.Parks); err != nil {
		return access.User{}, fmt.Errorf("user %d: column parks: %w", u.ID, err)
	}
	if len(u.Parks) == 0 {
		u.Parks = nil
	}
	var e1, e2, e3 error
	u.CreatedAt, e1 = scanTime(created, "created_at")
	u.UpdatedAt, e2 = scanTime(updated, "updated_at")
	u.PasswordSet, e3 = scanTime(password, "password_changed_at")
	if err := errors.Join(e1, e2, e3); err != nil {
		return access.User{}, fmt.Errorf("user %d: %w", u.ID, err)
	}
	return u, nil
}

func parksArg(parks []string) (string, error) {
	if len(parks) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(parks)
	if err != nil {
		return "", fmt.Errorf("parks: %w", err)
	}
	return string(b), nil
}

// isUniqueViolation reports whether err is SQLite's UNIQUE constraint
// failure on the given table and column.
func isUniqueViolation(err error, tableColumn string) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: "+tableColumn)
}

// InsertUser inserts u (its login lower-cased) with the password hash, sets
// u.ID and u.Version to 1, and appends a "user.create" event. It fails with
// an error wrapping access.ErrLoginTaken when the login is taken.
func (s *Store) InsertUser(ctx context.Context, actor string, u *access.User, passwordHash string) error {
	u.Login = strings.ToLower(u.Login)
	parks, err := parksArg(u.Parks)
	if err != nil {
		return fmt.Errorf("sqlite: insert user %q: %w", u.Login, err)
	}
	err = s.writeTx(ctx, func(t *tx) error {
		err := t.q.QueryRowContext(ctx, `INSERT INTO users (login, display_name, role, parks, disabled,
				password_hash, password_changed_at, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			u.Login, u.DisplayName, string(u.Role), parks, boolArg(u.Disabled), passwordHash,
			fixedTimeArg(u.PasswordSet), fixedTimeArg(u.CreatedAt), fixedTimeArg(u.UpdatedAt)).Scan(&u.ID)
		if isUniqueViolation(err, "users.login") {
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
		return fmt.Errorf("sqlite: insert user %q: %w", u.Login, err)
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
	parks, err := parksArg(u.Parks)
	if err != nil {
		return fmt.Errorf("sqlite: update user %d: %w", u.ID, err)
	}
	var updated access.User
	err = s.writeTx(ctx, func(t *tx) error {
		before, err := scanUser(t.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		if before.Version != expect {
			return fmt.Errorf("stored version %d, expected %d: %w", before.Version, expect, land.ErrVersionConflict)
		}
		updated, err = scanUser(t.q.QueryRowContext(ctx, `UPDATE users SET display_name = ?, role = ?,
				parks = ?, disabled = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?
			RETURNING `+userColumns,
			u.DisplayName, string(u.Role), parks, boolArg(u.Disabled), fixedTimeArg(u.UpdatedAt), u.ID, expect))
		if err != nil {
			return err
		}
		if before.Role == land.RoleAdmin && !before.Disabled {
			var n int
			if err := t.q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return access.ErrLastAdmin
			}
		}
		return t.appendAccessEvent(ctx, eventUserUpdate, actor, u.UpdatedAt, before, updated)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update user %d: %w", u.ID, err)
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
		before, err := scanUser(t.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		after, err := scanUser(t.q.QueryRowContext(ctx, `UPDATE users SET password_hash = ?,
				password_changed_at = ?, updated_at = ?, version = version + 1
			WHERE id = ? RETURNING `+userColumns, hash, fixedTimeArg(at), fixedTimeArg(at), userID))
		if err != nil {
			return err
		}
		return t.appendAccessEvent(ctx, eventUserPassword, actor, at, before, after)
	})
	if err != nil {
		return fmt.Errorf("sqlite: set password of user %d: %w", userID, err)
	}
	return nil
}

// GetUser returns the user with the given id, or an error wrapping
// land.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (access.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.User{}, fmt.Errorf("sqlite: user %d: %w", id, land.ErrNotFound)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("sqlite: get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByLogin returns the user with the login (in any case) and their
// password hash, or an error wrapping land.ErrNotFound.
func (s *Store) GetUserByLogin(ctx context.Context, login string) (access.User, string, error) {
	var hash string
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash
		FROM users WHERE login = ?`, strings.ToLower(login)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return access.User{}, "", fmt.Errorf("sqlite: user %q: %w", login, land.ErrNotFound)
	}
	if err != nil {
		return access.User{}, "", fmt.Errorf("sqlite: get user %q: %w", login, err)
	}
	return u, hash, nil
}

// ListUsers lists all users by login.
func (s *Store) ListUsers(ctx context.Context) ([]access.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	defer rows.Close()
	us := []access.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	return us, nil
}

// CountActiveAdmins counts the administrators not disabled.
func (s *Store) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count active admins: %w", err)
	}
	return n, nil
}

// ---- sessions ----

// InsertSession inserts s.
func (s *Store) InsertSession(ctx context.Context, sess access.Session) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at,
				last_seen_at, expires_at, addr, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.IDHash, sess.UserID, sess.CSRFToken, fixedTimeArg(sess.CreatedAt),
			fixedTimeArg(sess.LastSeenAt), fixedTimeArg(sess.ExpiresAt), sess.Addr, sess.UserAgent)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: insert session of user %d: %w", sess.UserID, err)
	}
	return nil
}

// GetSession returns the session with the id hash, or an error wrapping
// land.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, idHash string) (access.Session, error) {
	var (
		sess                   access.Session
		created, seen, expires string
	)
	err := s.read.QueryRowContext(ctx, `SELECT id_hash, user_id, csrf_token, created_at, last_seen_at,
			expires_at, addr, user_agent
		FROM sessions WHERE id_hash = ?`, idHash).Scan(&sess.IDHash, &sess.UserID, &sess.CSRFToken,
		&created, &seen, &expires, &sess.Addr, &sess.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Session{}, fmt.Errorf("sqlite: session: %w", land.ErrNotFound)
	}
	if err != nil {
		return access.Session{}, fmt.Errorf("sqlite: get session: %w", err)
	}
	var e1, e2, e3 error
	sess.CreatedAt, e1 = scanTime(created, "created_at")
	sess.LastSeenAt, e2 = scanTime(seen, "last_seen_at")
	sess.ExpiresAt, e3 = scanTime(expires, "expires_at")
	if err := errors.Join(e1, e2, e3); err != nil {
		return access.Session{}, fmt.Errorf("sqlite: get session: %w", err)
	}
	return sess, nil
}

// TouchSession moves the session's last_seen_at forward to at (never back).
// An unknown session is no error.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?1
			WHERE id_hash = ?2 AND last_seen_at < ?1`, fixedTimeArg(at), idHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session; an unknown one is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.deleteSessions(ctx, "delete session", `DELETE FROM sessions WHERE id_hash = ?`, idHash)
}

// DeleteUserSessions deletes all the sessions of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.deleteSessions(ctx, fmt.Sprintf("delete sessions of user %d", userID),
		`DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions deletes the sessions last seen before idleBefore
// or whose absolute expiry is not after now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) error {
	return s.deleteSessions(ctx, "delete expired sessions",
		`DELETE FROM sessions WHERE last_seen_at < ? OR expires_at <= ?`,
		fixedTimeArg(idleBefore), fixedTimeArg(now))
}

func (s *Store) deleteSessions(ctx context.Context, what, query string, args ...any) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// ---- tokens ----

const tokenColumns = `id, user_id, name, prefix, created_at, last_used_at, revoked_at`

func scanToken(r rowScanner) (access.Token, error) {
	var (
		t             access.Token
		created       string
		used, revoked sql.NullString
	)
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
		return access.Token{}, err
	}
	var e1, e2, e3 error
	t.CreatedAt, e1 = scanTime(created, "created_at")
	t.LastUsedAt, e2 = scanNullTime(used, "last_used_at")
	t.RevokedAt, e3 = scanNullTime(revoked, "revoked_at")
	if err := errors.Join(e1, e2, e3); err != nil {
		return access.Token{}, fmt.Errorf("token %d: %w", t.ID, err)
	}
	return t, nil
}

// InsertToken inserts t with the hash of its raw token, sets t.ID and
// appends a "token.create" event (the token without raw or hash).
func (s *Store) InsertToken(ctx context.Context, actor string, t *access.Token, hash string) error {
	err := s.writeTx(ctx, func(tx *tx) error {
		err := tx.q.QueryRowContext(ctx, `INSERT INTO tokens (user_id, name, prefix, hash, created_at,
				last_used_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.UserID, t.Name, t.Prefix, hash, fixedTimeArg(t.CreatedAt), nullTimeArg(t.LastUsedAt),
			nullTimeArg(t.RevokedAt)).Scan(&t.ID)
		if err != nil {
			return err
		}
		return tx.appendAccessEvent(ctx, eventTokenCreate, actor, t.CreatedAt, nil, *t)
	})
	if err != nil {
		t.ID = 0
		return fmt.Errorf("sqlite: insert token of user %d: %w", t.UserID, err)
	}
	return nil
}

// GetTokenByHash returns the token, revoked or not, whose raw token has the
// hash, or an error wrapping land.ErrNotFound.
func (s *Store) GetTokenByHash(ctx context.Context, hash string) (access.Token, error) {
	t, err := scanToken(s.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Token{}, fmt.Errorf("sqlite: token: %w", land.ErrNotFound)
	}
	if err != nil {
		return access.Token{}, fmt.Errorf("sqlite: get token: %w", err)
	}
	return t, nil
}

// ListTokens lists a user's tokens, revoked ones included, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]access.Token, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	ts := []access.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list tokens of user %d: %w", userID, err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list tokens of user %d: %w", userID, err)
	}
	return ts, nil
}

// RevokeToken revokes the token tokenID of the user userID at the given
// time and appends a "token.revoke" event. It fails with an error wrapping
// land.ErrNotFound when the user has no such token; a token already
// revoked stays as it was, with no event.
func (s *Store) RevokeToken(ctx context.Context, actor string, userID, tokenID int64, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		before, err := scanToken(t.q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens
			WHERE id = ? AND user_id = ?`, tokenID, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return land.ErrNotFound
		}
		if err != nil {
			return err
		}
		if !before.RevokedAt.IsZero() {
			return nil
		}
		after, err := scanToken(t.q.QueryRowContext(ctx, `UPDATE tokens SET revoked_at = ?
			WHERE id = ? RETURNING `+tokenColumns, fixedTimeArg(at), tokenID))
		if err != nil {
			return err
		}
		return t.appendAccessEvent(ctx, eventTokenRevoke, actor, at, before, after)
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke token %d of user %d: %w", tokenID, userID, err)
	}
	return nil
}

// TouchToken moves the token's last_used_at forward to at (never back).
func (s *Store) TouchToken(ctx context.Context, tokenID int64, at time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, `UPDATE tokens SET last_used_at = ?1
			WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)`, fixedTimeArg(at), tokenID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: touch token %d: %w", tokenID, err)
	}
	return nil
}

// ---- log-in attempts ----

// RecordLoginAttempt appends a, its login in lower case.
func (s *Store) RecordLoginAttempt(ctx context.Context, a access.LoginAttempt) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, `INSERT INTO login_attempts (login, addr, at, ok) VALUES (?, ?, ?, ?)`,
			strings.ToLower(a.Login), a.Addr, fixedTimeArg(a.At), boolArg(a.OK))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: record login attempt: %w", err)
	}
	return nil
}

// DeleteLoginAttemptsBefore deletes the attempts made before the given time.
func (s *Store) DeleteLoginAttemptsBefore(ctx context.Context, before time.Time) error {
	err := s.writeTx(ctx, func(t *tx) error {
		_, err := t.q.ExecContext(ctx, `DELETE FROM login_attempts WHERE at < ?`, fixedTimeArg(before))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete login attempts before %s: %w", before.Format(time.RFC3339), err)
	}
	return nil
}

// CountFailures counts the failed attempts at or after since for the login
// and for the address, each counting only those recorded after its last
// success.
func (s *Store) CountFailures(ctx context.Context, login, addr string, since time.Time) (byLogin, byAddr int, err error) {
	from := fixedTimeArg(since)
	err = s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM login_attempts
			WHERE login = ?1 AND at >= ?3 AND ok = 0
				AND id > coalesce((SELECT max(id) FROM login_attempts WHERE login = ?1 AND ok = 1), 0)),
		(SELECT count(*) FROM login_attempts
			WHERE addr = ?2 AND at >= ?3 AND ok = 0
				AND id > coalesce((SELECT max(id) FROM login_attempts WHERE addr = ?2 AND ok = 1), 0))`,
		strings.ToLower(login), addr, from).Scan(&byLogin, &byAddr)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: count login failures: %w", err)
	}
	return byLogin, byAddr, nil
}
