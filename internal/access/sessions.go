package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"panhuo/internal/land"
)

// Lengths kept of what clients send, so that junk cannot bloat the tables.
const (
	maxAttemptLogin = 64
	maxAddr         = 64
	maxUserAgent    = 256
)

// rawSecretLen is the length of a raw session id: 32 bytes in base64url.
const rawSecretLen = 43

// truncate cuts s to at most n bytes on a rune boundary, replacing invalid
// UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Login checks a login and password from the client at addr. It answers a
// new session and its raw id (for the cookie), *ThrottledError when too many
// log-ins failed lately for the login or from the address, whatever the
// password, and ErrBadCredentials for an unknown login, a wrong password or
// a disabled user, all alike and taking as long. Every attempt is recorded
// (and those older than Limits.AttemptRetention deleted).
func (s *Service) Login(ctx context.Context, login, password, addr, userAgent string) (string, Session, User, error) {
	now := s.now().UTC()
	login = truncate(NormalizeLogin(login), maxAttemptLogin)
	addr = truncate(addr, maxAddr)
	userAgent = truncate(userAgent, maxUserAgent)
	record := func(ok bool) error {
		if err := s.store.RecordLoginAttempt(ctx, LoginAttempt{Login: login, Addr: addr, At: now, OK: ok}); err != nil {
			return fmt.Errorf("access: log in %q: record attempt: %w", login, err)
		}
		// Attempts past their retention go as new ones come, so that a
		// flood of tries cannot grow the table without end.
		if err := s.store.DeleteLoginAttemptsBefore(ctx, now.Add(-s.limits.AttemptRetention)); err != nil {
			return fmt.Errorf("access: log in %q: %w", login, err)
		}
		return nil
	}
	fail := func(err error) (string, Session, User, error) {
		if rerr := record(false); rerr != nil {
			return "", Session{}, User{}, rerr
		}
		return "", Session{}, User{}, err
	}

	byLogin, byAddr, err := s.store.CountFailures(ctx, login, addr, now.Add(-s.limits.FailureWindow))
	if err != nil {
		return "", Session{}, User{}, fmt.Errorf("access: log in %q: %w", login, err)
	}
	if byLogin >= s.limits.MaxFailuresLogin || byAddr >= s.limits.MaxFailuresAddr {
		// This attempt counts as a failure too: the wait is a whole window
		// with no attempts.
		return fail(&ThrottledError{RetryAfter: s.limits.FailureWindow})
	}

	u, hash, err := s.store.GetUserByLogin(ctx, login)
	switch {
	case errors.Is(err, land.ErrNotFound):
		// As long as a real check, so that timing does not tell which
		// logins exist.
		_, _ = VerifyPassword(password, s.dummyHash())
		return fail(fmt.Errorf("access: log in %q: %w", login, ErrBadCredentials))
	case err != nil:
		return "", Session{}, User{}, fmt.Errorf("access: log in %q: %w", login, err)
	}
	ok := false
	if len(password) <= maxPasswordBytes {
		ok, err = VerifyPassword(password, hash)
		if err != nil {
			return "", Session{}, User{}, fmt.Errorf("access: log in %q: %w", login, err)
		}
	} else {
		_, _ = VerifyPassword("", s.dummyHash())
	}
	if !ok || u.Disabled {
		return fail(fmt.Errorf("access: log in %q: %w", login, ErrBadCredentials))
	}
	if err := record(true); err != nil {
		return "", Session{}, User{}, err
	}

	// Sessions that have run out go when new ones come.
	if err := s.store.DeleteExpiredSessions(ctx, now.Add(-s.limits.SessionIdle), now); err != nil {
		return "", Session{}, User{}, fmt.Errorf("access: log in %q: %w", login, err)
	}
	raw := randomString(32)
	sess := Session{
		IDHash:     hashSecret(raw),
		UserID:     u.ID,
		CSRFToken:  randomString(32),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.limits.SessionAbsolute),
		Addr:       addr,
		UserAgent:  userAgent,
	}
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return "", Session{}, User{}, fmt.Errorf("access: log in %q: %w", login, err)
	}
	return raw, sess, u, nil
}

// SessionUser answers the user and session of a raw session id, and marks
// the session as used (at most once a minute). It fails with
// ErrUnauthenticated when the session is unknown, idle for longer than
// SessionIdle, past its absolute expiry, or its user is disabled; such a
// session is deleted.
func (s *Service) SessionUser(ctx context.Context, raw string) (User, Session, error) {
	if len(raw) != rawSecretLen {
		return User{}, Session{}, unauthenticated("malformed session id")
	}
	now := s.now().UTC()
	idHash := hashSecret(raw)
	sess, err := s.store.GetSession(ctx, idHash)
	if errors.Is(err, land.ErrNotFound) {
		return User{}, Session{}, unauthenticated("unknown session")
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("access: session: %w", err)
	}
	end := func(why string) (User, Session, error) {
		if err := s.store.DeleteSession(ctx, idHash); err != nil {
			return User{}, Session{}, fmt.Errorf("access: end session: %w", err)
		}
		return User{}, Session{}, unauthenticated(why)
	}
	if !now.Before(sess.ExpiresAt) {
		return end("session expired")
	}
	if !now.Before(sess.LastSeenAt.Add(s.limits.SessionIdle)) {
		return end("session idle for too long")
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if errors.Is(err, land.ErrNotFound) {
		return end("session of an unknown user")
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("access: session: %w", err)
	}
	if u.Disabled {
		return end("user disabled")
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, idHash, now); err != nil {
			return User{}, Session{}, fmt.Errorf("access: session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return u, sess, nil
}

// Logout ends the session with the raw id; an unknown one is no error.
func (s *Service) Logout(ctx context.Context, raw string) error {
	if raw == "" {
		return nil
	}
	if err := s.store.DeleteSession(ctx, hashSecret(raw)); err != nil {
		return fmt.Errorf("access: log out: %w", err)
	}
	return nil
}
