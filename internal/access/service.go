package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"panhuo/internal/land"
)

// ErrLoginTaken is returned (wrapped) by Store.InsertUser when another user
// has the login.
var ErrLoginTaken = errors.New("login already taken")

// ErrLastAdmin is returned (wrapped) by Store.UpdateUser, which then changes
// nothing, when the change would leave no active administrator. The store
// checks it inside the write transaction, so that two administrators
// demoting each other at once cannot both succeed.
var ErrLastAdmin = errors.New("the last active administrator")

// DefaultLimits are the security settings used where Limits leaves zeros.
func DefaultLimits() Limits {
	return Limits{
		SessionIdle:      30 * time.Minute,
		SessionAbsolute:  12 * time.Hour,
		FailureWindow:    15 * time.Minute,
		AttemptRetention: 90 * 24 * time.Hour,
		MaxFailuresLogin: 5,
		MaxFailuresAddr:  20,
		MinPasswordRunes: 10,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.SessionIdle <= 0 {
		l.SessionIdle = d.SessionIdle
	}
	if l.SessionAbsolute <= 0 {
		l.SessionAbsolute = d.SessionAbsolute
	}
	if l.FailureWindow <= 0 {
		l.FailureWindow = d.FailureWindow
	}
	if l.AttemptRetention <= 0 {
		l.AttemptRetention = d.AttemptRetention
	}
	l.AttemptRetention = max(l.AttemptRetention, l.FailureWindow)
	if l.MaxFailuresLogin <= 0 {
		l.MaxFailuresLogin = d.MaxFailuresLogin
	}
	if l.MaxFailuresAddr <= 0 {
		l.MaxFailuresAddr = d.MaxFailuresAddr
	}
	if l.MinPasswordRunes <= 0 {
		l.MinPasswordRunes = d.MinPasswordRunes
	}
	return l
}

// touchEvery is how stale LastSeenAt / LastUsedAt may get before a use
// writes them again: not a write per request.
const touchEvery = time.Minute

// setupActor is the actor of Bootstrap's event.
const setupActor = "setup"

// Service applies the access rules on a Store. It is safe for concurrent use.
type Service struct {
	store  Store
	parks  land.Reader
	now    func() time.Time
	limits Limits
	params HashParams

	dummyOnce sync.Once
	dummy     string // a hash of a random password, verified for unknown logins
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLimits sets the security limits; zero fields keep their defaults.
func WithLimits(l Limits) Option { return func(s *Service) { s.limits = l.withDefaults() } }

// WithHashParams sets the argon2id parameters of new hashes; zero fields
// keep their defaults. Stored hashes keep verifying with their own.
func WithHashParams(p HashParams) Option { return func(s *Service) { s.params = p.withDefaults() } }

// NewService returns a service storing in store; parks is read to check
// that the parks assigned to officers exist.
func NewService(store Store, parks land.Reader, opts ...Option) *Service {
	s := &Service{
		store:  store,
		parks:  parks,
		now:    time.Now,
		limits: DefaultLimits(),
		params: DefaultHashParams(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Limits returns the limits in force (the web layer sets cookie lifetimes
// from them).
func (s *Service) Limits() Limits { return s.limits }

// ValidatePassword checks password against the minimum policy for the user
// with the given login: nil or a *land.Error (KindInvalid, field "password").
func (s *Service) ValidatePassword(login, password string) error {
	return checkPassword(login, password, s.limits.MinPasswordRunes)
}

func (s *Service) hash(password string) (string, error) { return HashPassword(password, s.params) }

// dummyHash is a hash with the current parameters of a password nobody
// knows: verifying a password against it takes as long as a real check.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		h, err := s.hash(randomString(32))
		if err != nil {
			// Without randomness nothing else works either; a fixed input
			// costs the same.
			h, _ = HashPassword("", s.params)
		}
		s.dummy = h
	})
	return s.dummy
}

// randomString is n random bytes in base64url without padding.
func randomString(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails (it crashes the program if the system's
	// generator is broken).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is the hex SHA-256 under which a session id or token is stored.
func hashSecret(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func forbidden(a land.Actor, detail string) *land.Error {
	return &land.Error{Kind: land.KindForbidden, Title: "无权进行此操作",
		Detail: fmt.Sprintf("%s（%s）%s", a.Name, a.Role.Name(), detail)}
}

// requireAdmin refuses a change that only an administrator may make.
func requireAdmin(a land.Actor) error {
	if a.Name == "" || !a.Role.Valid() {
		return fmt.Errorf("access: write without an actor (name %q, role %q)", a.Name, a.Role)
	}
	if !a.MayAdminister() {
		return forbidden(a, "不是管理员，不能管理用户")
	}
	return nil
}

func userNotFound(id int64) *land.Error {
	return &land.Error{Kind: land.KindNotFound, Title: "用户不存在", Detail: fmt.Sprintf("没有编号为 %d 的用户", id)}
}

func unauthenticated(why string) error {
	return fmt.Errorf("access: %s: %w", why, ErrUnauthenticated)
}
