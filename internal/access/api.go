// Package access is who may use panhuo: users with roles (admin 管理员,
// officer 土地专员, leader 领导) and the parks assigned to officers,
// passwords hashed with argon2id under a minimum policy, log-in sessions
// with idle and absolute expiry, personal API tokens stored hashed, and
// throttling of failed log-ins per account and per address. It turns a
// session or a token into the land.Actor that every write carries.
//
// It knows nothing of HTTP: cookies, CSRF headers and pages are the web
// layer's; it stores through the Store interface the engines implement.
package access

import (
	"context"
	"errors"
	"time"

	"panhuo/internal/land"
)

// User is a person who logs in.
type User struct {
	ID          int64     `json:"id"`
	Login       string    `json:"login"`        // unique, 2–32 of [A-Za-z0-9._-]; the name events record
	DisplayName string    `json:"display_name"` // 姓名, shown in pages
	Role        land.Role `json:"role"`
	Parks       []string  `json:"parks"` // officer's parks (codes); empty for other roles
	Disabled    bool      `json:"disabled"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	PasswordSet time.Time `json:"password_changed_at"`
}

// Actor is the land.Actor of the user's writes (Name is the login).
func (u User) Actor() land.Actor {
	return land.Actor{Name: u.Login, Role: u.Role, Parks: u.Parks}
}

// Session is a log-in session. The raw session id lives only in the user's
// cookie; the store keeps its SHA-256 (IDHash).
type Session struct {
	IDHash     string    // hex SHA-256 of the raw id
	UserID     int64     //
	CSRFToken  string    // sent back by the page on every cookie-authenticated write
	CreatedAt  time.Time //
	LastSeenAt time.Time // idle expiry counts from here
	ExpiresAt  time.Time // absolute expiry
	Addr       string    // client address at log-in
	UserAgent  string    //
}

// Token is a personal API token, sent as `Authorization: Bearer <raw>`. The
// raw token is shown once at creation; the store keeps its SHA-256.
type Token struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`   // what it is for, e.g. "QGIS"
	Prefix     string    `json:"prefix"` // first characters of the raw token, to recognise it
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"` // zero while valid
}

// LoginAttempt is one log-in try, kept for throttling and for the audit.
type LoginAttempt struct {
	Login string
	Addr  string
	At    time.Time
	OK    bool
}

// Store is what an engine keeps for access. Every write that changes a user
// or a token also appends an event (kind "user.*" / "token.*", park_code "")
// to the same events table as land, in the same transaction, with the actor.
type Store interface {
	InsertUser(ctx context.Context, actor string, u *User, passwordHash string) error // sets ID, Version=1
	// UpdateUser replaces name, role, parks and disabled when the stored
	// version is expect; land.ErrVersionConflict otherwise.
	UpdateUser(ctx context.Context, actor string, u *User, expect int) error
	SetPasswordHash(ctx context.Context, actor string, userID int64, hash string, at time.Time) error
	GetUser(ctx context.Context, id int64) (User, error)                    // land.ErrNotFound
	GetUserByLogin(ctx context.Context, login string) (User, string, error) // with the password hash
	ListUsers(ctx context.Context) ([]User, error)
	CountActiveAdmins(ctx context.Context) (int, error)

	InsertSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, idHash string) (Session, error) // land.ErrNotFound
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) error

	InsertToken(ctx context.Context, actor string, t *Token, hash string) error // sets ID
	GetTokenByHash(ctx context.Context, hash string) (Token, error)             // land.ErrNotFound
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, actor string, userID, tokenID int64, at time.Time) error // land.ErrNotFound
	TouchToken(ctx context.Context, tokenID int64, at time.Time) error

	RecordLoginAttempt(ctx context.Context, a LoginAttempt) error
	// DeleteLoginAttemptsBefore deletes the attempts made before the given
	// time (throttling reads only the last minutes; the table must not grow
	// without end under a flood of tries).
	DeleteLoginAttemptsBefore(ctx context.Context, before time.Time) error
	// CountFailures counts failed attempts since the given time for the
	// login and for the address, each since their last success.
	CountFailures(ctx context.Context, login, addr string, since time.Time) (byLogin, byAddr int, err error)
}

// Errors of authentication, beside the *land.Error kinds for bad input,
// missing rights (land.KindForbidden) and unknown users.
var (
	ErrBadCredentials  = errors.New("unknown login or wrong password") // 401
	ErrUnauthenticated = errors.New("no valid session or token")       // 401: expired, revoked, disabled, unknown
)

// ThrottledError says a log-in was refused because of earlier failures,
// whatever the password; RetryAfter is how long to wait.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "too many failed log-ins; retry after " + e.RetryAfter.String()
}

// Limits are the security settings of the service.
type Limits struct {
	SessionIdle     time.Duration // default 30 min
	SessionAbsolute time.Duration // default 12 h
	FailureWindow   time.Duration // default 15 min
	// AttemptRetention is how long log-in attempts are kept (for a look at
	// who tried what, in the database); default 90 days, never less than
	// FailureWindow.
	AttemptRetention time.Duration
	MaxFailuresLogin int // default 5 per account per window
	MaxFailuresAddr  int // default 20 per address per window
	MinPasswordRunes int // default 10
}

// HashParams are the argon2id parameters (OWASP: m=19 MiB, t=2, p=1 or more).
type HashParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// UserInput is what an administrator writes for a new user.
type UserInput struct {
	Login, DisplayName string
	Role               land.Role
	Parks              []string
	Password           string
}

// UserPatch changes a user; nil fields stay.
type UserPatch struct {
	DisplayName *string
	Role        *land.Role
	Parks       *[]string
	Disabled    *bool
}

// Service applies the access rules (service.go, users.go, sessions.go, tokens.go):
//
//	NewService(store Store, parks land.Reader, opts ...Option) *Service — parks checks officers' park codes exist
//	WithClock(func() time.Time) Option; WithLimits(Limits) Option; WithHashParams(HashParams) Option
//	(s) CreateUser(ctx, actor land.Actor, in UserInput) (User, error)            — admin only; policy; unique login
//	(s) UpdateUser(ctx, actor land.Actor, id int64, ifMatch int, p UserPatch) (User, error) — admin only; disabling ends sessions; the last active admin cannot be disabled or demoted
//	(s) ChangePassword(ctx, actor land.Actor, id int64, old, new string) error   — self with old password, or admin without; ends the user's other sessions
//	(s) ListUsers(ctx, actor land.Actor) ([]User, error)                          — admin only
//	(s) Login(ctx, login, password, addr, userAgent string) (raw string, Session, User, error) — ErrBadCredentials / *ThrottledError
//	(s) SessionUser(ctx, raw string) (User, Session, error)                       — ErrUnauthenticated when unknown, idle/absolute expired or user disabled; touches LastSeenAt
//	(s) Logout(ctx, raw string) error
//	(s) CreateToken(ctx, u User, name string) (raw string, Token, error)          — "ph_" + 43 base64url chars
//	(s) ListTokens(ctx, u User) ([]Token, error); (s) RevokeToken(ctx, u User, id int64) error
//	(s) TokenUser(ctx, raw string) (User, Token, error)                           — ErrUnauthenticated when unknown, revoked or user disabled
//	(s) Bootstrap(ctx, in UserInput) (User, error)                                — the first administrator from the command line; refuses when an admin exists
