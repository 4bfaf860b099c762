package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// userView is a user as the API shows it: the stored fields and the Chinese
// name of the role. Parks is never null.
type userView struct {
	access.User
	RoleName string `json:"role_name"`
}

func viewOf(u access.User) userView {
	if u.Parks == nil {
		u.Parks = []string{}
	}
	return userView{User: u, RoleName: u.Role.Name()}
}

// sessionView is the answer of the log-in and of GET /api/session.
type sessionView struct {
	User      userView  `json:"user"`
	CSRFToken string    `json:"csrf_token,omitempty"` // cookie sessions only
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Via       string    `json:"via"` // "session" or "token"
}

// maxCredentialBytes bounds what a log-in may send: hashing is the costly
// step, and no login or password is this long.
const maxCredentialBytes = 1024

// POST /api/session {"login", "password"} — log in: a session cookie and the
// CSRF token the page sends back on writes.
func (s *server) login(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `登录信息 {"login": …, "password": …}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var login, password string
	d.text("login", doc["login"], &login)
	d.text("password", doc["password"], &password)
	login = strings.TrimSpace(login)
	if len(d.fields) == 0 {
		if login == "" {
			d.fail("login", "请输入用户名")
		}
		if password == "" {
			d.fail("password", "请输入密码")
		}
		if len(login) > maxCredentialBytes || len(password) > maxCredentialBytes {
			d.fail("password", fmt.Sprintf("用户名和密码均不能超过 %d 字节", maxCredentialBytes))
		}
	}
	if err := d.err("登录信息不完整"); err != nil {
		return err
	}
	req := c.Request()
	raw, sess, u, err := s.acc.Login(req.Context(), login, password, s.clientAddr(req), req.UserAgent())
	var te *access.ThrottledError
	switch {
	case errors.As(err, &te):
		secs := int(math.Ceil(te.RetryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		p := newProblem(http.StatusTooManyRequests, "throttled", "登录失败次数过多，请稍后再试",
			fmt.Sprintf("请在 %d 秒后再试", secs))
		p.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
		return p
	case errors.Is(err, access.ErrBadCredentials):
		return newProblem(http.StatusUnauthorized, "bad-credentials", "用户名或密码错误", "请检查用户名和密码后重新登录")
	case err != nil:
		return err
	}
	// A session this browser had before ends: one browser, one session.
	if old, err := req.Cookie(sessionCookie); err == nil && old.Value != "" {
		if err := s.acc.Logout(req.Context(), old.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, raw, sess.ExpiresAt, sess.CreatedAt)
	return writeJSON(c, http.StatusOK, sessionView{User: viewOf(u), CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt, Via: "session"})
}

// GET /api/session — the current user and, for a cookie session, its CSRF token.
func (s *server) currentSession(c echo.Context) error {
	p := principalOf(c)
	if p == nil {
		return errUnauthenticated("")
	}
	v := sessionView{User: viewOf(p.user), Via: "token"}
	if p.session != nil {
		v.Via, v.CSRFToken, v.ExpiresAt = "session", p.session.CSRFToken, p.session.ExpiresAt
	}
	return writeJSON(c, http.StatusOK, v)
}

// DELETE /api/session — log out: the session ends and the cookie is cleared.
// With a token there is no session; the answer is the same.
func (s *server) logout(c echo.Context) error {
	p := principalOf(c)
	if p != nil && p.session != nil {
		if err := s.acc.Logout(c.Request().Context(), p.raw); err != nil {
			return err
		}
	}
	s.clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

// GET /api/me — the current user.
func (s *server) me(c echo.Context) error {
	p := principalOf(c)
	if p == nil {
		return errUnauthenticated("")
	}
	return writeJSON(c, http.StatusOK, viewOf(p.user))
}

// pathID reads a positive integer path parameter; anything else names no
// resource (404).
func pathID(c echo.Context, title string) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(title, fmt.Sprintf("编号 %q 无效：编号为正整数", raw))
	}
	return id, nil
}

// tokenView is a token's metadata; times not yet reached are null.
type tokenView struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func tokenViewOf(t access.Token) tokenView {
	v := tokenView{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		v.LastUsedAt = &t.LastUsedAt
	}
	if !t.RevokedAt.IsZero() {
		v.RevokedAt = &t.RevokedAt
	}
	return v
}

// GET /api/tokens — the user's own tokens (never the raw values).
func (s *server) listTokens(c echo.Context) error {
	p := principalOf(c)
	ts, err := s.acc.ListTokens(c.Request().Context(), p.user)
	if err != nil {
		return err
	}
	out := make([]tokenView, len(ts))
	for i, t := range ts {
		out[i] = tokenViewOf(t)
	}
	return writeJSON(c, http.StatusOK, map[string]any{"tokens": out})
}

// POST /api/tokens {"name"} — a new personal token, shown this once.
func (s *server) createToken(c echo.Context) error {
	p := principalOf(c)
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `令牌信息 {"name": …}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var name string
	d.text("name", doc["name"], &name)
	if err := d.err("令牌信息有误"); err != nil {
		return err
	}
	raw, t, err := s.acc.CreateToken(c.Request().Context(), p.user, strings.TrimSpace(name))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/tokens/"+strconv.FormatInt(t.ID, 10))
	return writeJSON(c, http.StatusCreated, struct {
		Token string `json:"token"`
		tokenView
	}{raw, tokenViewOf(t)})
}

// DELETE /api/tokens/:id — revoke one of the user's own tokens.
func (s *server) revokeToken(c echo.Context) error {
	p := principalOf(c)
	id, err := pathID(c, "令牌不存在")
	if err != nil {
		return err
	}
	if err := s.acc.RevokeToken(c.Request().Context(), p.user, id); err != nil {
		if errors.Is(err, land.ErrNotFound) {
			return notFound("令牌不存在", fmt.Sprintf("您没有编号为 %d 的令牌", id))
		}
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
