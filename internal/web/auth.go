package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"panhuo/internal/access"
)

// sessionCookie is the name of the log-in session cookie. It holds the raw
// session id; the store keeps only its hash.
const sessionCookie = "panhuo_session"

// csrfHeader carries the session's CSRF token on cookie-authenticated writes.
const csrfHeader = "X-CSRF-Token"

// principal is who a request is from: a user, and how they proved it.
type principal struct {
	user    access.User
	session *access.Session // cookie-authenticated: the session (nil for a token)
	raw     string          // the raw session id from the cookie
	token   *access.Token   // token-authenticated: the token
}

// principalKey is the echo.Context key of the request's *principal.
const principalKey = "panhuo.principal"

// principalOf returns the authenticated principal of the request, or nil.
func principalOf(c echo.Context) *principal {
	p, _ := c.Get(principalKey).(*principal)
	return p
}

// Kinds of routes for authentication.
type routeAccess int

const (
	routeAPI    routeAccess = iota // authenticated; anonymous → 401 problem
	routePublic                    // open to everyone
	routePage                      // authenticated; anonymous → 303 to /login
)

// accessOf says how a request's route is protected. It decides on the route
// Echo matched (c.Path()), not on the raw URL, so that a path such as
// /static/../api/users cannot pass for a static asset.
func accessOf(c echo.Context) routeAccess {
	method := c.Request().Method
	route := c.Path()
	if method == http.MethodGet || method == http.MethodHead {
		switch route {
		case "/healthz", "/login", "/static/*":
			return routePublic
		case "/", "/dashboard", "/admin", "/admin/audit":
			return routePage
		}
	}
	if method == http.MethodPost && route == "/api/session" {
		return routePublic
	}
	return routeAPI
}

// errUnauthenticated is the 401 of a request without valid credentials.
func errUnauthenticated(detail string) *problem {
	if detail == "" {
		detail = "请先登录；脚本和 GIS 客户端请在 Authorization 请求头中发送个人令牌（Bearer ph_…）"
	}
	p := newProblem(http.StatusUnauthorized, "unauthenticated", "请先登录", detail)
	p.header = http.Header{"Www-Authenticate": {`Bearer realm="panhuo"`}}
	return p
}

// bearerToken returns the token of an Authorization header, and whether the
// header is present at all.
func bearerToken(r *http.Request) (token string, present bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// authenticate finds the request's user. A request with an Authorization
// header is judged by it alone: a bad token is 401 even with a valid cookie.
// Otherwise the session cookie counts. Public routes pass either way.
func (s *server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		kind := accessOf(c)
		if kind == routePublic {
			return next(c)
		}
		req := c.Request()
		ctx := req.Context()
		if tok, present := bearerToken(req); present {
			if tok == "" {
				return errUnauthenticated("Authorization 请求头须为 Bearer 个人令牌（ph_…）")
			}
			u, t, err := s.acc.TokenUser(ctx, tok)
			if err != nil {
				if errors.Is(err, access.ErrUnauthenticated) {
					return errUnauthenticated("令牌无效、已撤销或其用户已停用")
				}
				return err
			}
			c.Set(principalKey, &principal{user: u, token: &t})
			return next(c)
		}
		ck, err := req.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return s.refuse(c, kind, false)
		}
		u, sess, err := s.acc.SessionUser(ctx, ck.Value)
		if err != nil {
			if errors.Is(err, access.ErrUnauthenticated) {
				return s.refuse(c, kind, true)
			}
			return err
		}
		c.Set(principalKey, &principal{user: u, session: &sess, raw: ck.Value})
		return next(c)
	}
}

// refuse answers an unauthenticated request: pages go to the log-in page,
// the API gets 401. A stale cookie is cleared.
func (s *server) refuse(c echo.Context, kind routeAccess, staleCookie bool) error {
	if staleCookie {
		s.clearCookie(c)
	}
	if kind == routePage {
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(localPath(c.Request().URL.RequestURI())))
	}
	detail := ""
	if staleCookie {
		detail = "登录已过期或已退出，请重新登录"
	}
	return errUnauthenticated(detail)
}

// localPath returns p when it is a path on this site ("/…", not "//…" nor
// "/\\…", which browsers take for another host), else "/".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) {
		return "/"
	}
	return p
}

// unsafeMethod reports whether a method may change data.
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// errCSRF is the 403 of a cookie-authenticated write without a valid token.
func errCSRF(detail string) *problem {
	return newProblem(http.StatusForbidden, "csrf", "请求缺少有效的 CSRF 令牌", detail)
}

// checkCSRF refuses cookie-authenticated writes without the session's CSRF
// token in X-CSRF-Token, and those from another origin. Bearer tokens need
// neither: a browser never sends them on its own. The log-in itself (no
// session yet) is checked for its origin only, against log-in CSRF.
func (s *server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !unsafeMethod(req.Method) {
			return next(c)
		}
		p := principalOf(c)
		login := accessOf(c) == routePublic
		if (p == nil || p.session == nil) && !login {
			return next(c)
		}
		if !s.sameOrigin(req) {
			return errCSRF("请求来自其他网站（Origin 与本站不符），已拒绝")
		}
		if login {
			return next(c)
		}
		got := req.Header.Get(csrfHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.session.CSRFToken)) != 1 {
			return errCSRF("使用登录会话修改数据时，须在 X-CSRF-Token 请求头中给出 GET /api/session 返回的 csrf_token")
		}
		return next(c)
	}
}

// sameOrigin reports whether a request's Origin (and Sec-Fetch-Site) allow
// it: no Origin, or an Origin whose host is this host.
func (s *server) sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // "null" and the like
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if s.trustProxy {
		if fh := strings.TrimSpace(r.Header.Get("X-Forwarded-Host")); fh != "" && strings.EqualFold(u.Host, fh) {
			return true
		}
	}
	return false
}

// clientAddr is the address log-ins are throttled by: the peer's IP, or
// with TrustProxy the last X-Forwarded-For entry.
func (s *server) clientAddr(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if a := strings.TrimSpace(parts[len(parts)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secureRequest reports whether the session cookie gets the Secure flag.
func (s *server) secureRequest(r *http.Request) bool {
	return s.secure || r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// setSessionCookie sends the session cookie, living no longer than the
// session's absolute expiry.
func (s *server) setSessionCookie(c echo.Context, raw string, expires time.Time, now time.Time) {
	maxAge := int(expires.Sub(now) / time.Second)
	if maxAge < 1 {
		maxAge = 1
	}
	http.SetCookie(c.Response(), &http.Cookie{
		Name: sessionCookie, Value: raw, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureRequest(c.Request()),
	})
}

// clearCookie tells the browser to drop the session cookie.
func (s *server) clearCookie(c echo.Context) {
	http.SetCookie(c.Response(), &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureRequest(c.Request()),
	})
}

// Content security policies: the pages load only what the binary serves;
// API answers load nothing at all.
const (
	pageCSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
)

// securityHeaders sets the headers every answer carries, errors included.
// Pages replace the CSP with pageCSP.
func (s *server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if noStore(c.Request().URL.Path) {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// noStore reports whether answers under a path hold credentials or personal
// data that no cache may keep.
func noStore(path string) bool {
	for _, p := range []string{"/api/session", "/api/tokens", "/api/users", "/api/me", "/api/audit"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
