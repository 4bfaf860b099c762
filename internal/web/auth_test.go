package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// setCookie returns the response's Set-Cookie of the session cookie.
func setCookie(t *testing.T, r resp) *http.Cookie {
	t.Helper()
	for _, c := range r.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie set; headers %v", sessionCookie, r.Header())
	return nil
}

// Log-in, session, log-out, expiry and the cookie's flags.
func TestSessionLifecycle(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.user("zhangsan", "张三", land.RoleOfficer, "ZZGX")

	r := e.do("POST", "/api/session", map[string]any{"login": "ZhangSan", "password": testPassword}, anon...).want(200)
	c := setCookie(t, r)
	raw := r.Header().Get("Set-Cookie")
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure {
		t.Errorf("cookie flags on plain HTTP: %s", raw)
	}
	if c.MaxAge <= 0 || time.Duration(c.MaxAge)*time.Second > e.acc.Limits().SessionAbsolute {
		t.Errorf("cookie Max-Age %d beyond the absolute expiry %v", c.MaxAge, e.acc.Limits().SessionAbsolute)
	}
	body := r.json()
	csrf, _ := body["csrf_token"].(string)
	user := body["user"].(map[string]any)
	if user["login"] != "zhangsan" || user["role"] != "officer" || user["role_name"] != "土地专员" || user["display_name"] != "张三" || csrf == "" {
		t.Errorf("log-in answer: %v", body)
	}
	if strings.Contains(r.Body.String(), c.Value) {
		t.Errorf("the raw session id is in the body")
	}
	cookie := sessionCookie + "=" + c.Value

	// The session answers GET /api/session and /api/me.
	g := e.do("GET", "/api/session", nil, "Cookie", cookie).want(200).json()
	if g["csrf_token"] != csrf || g["via"] != "session" {
		t.Errorf("GET /api/session: %v", g)
	}
	if me := e.do("GET", "/api/me", nil, "Cookie", cookie).want(200).json(); me["login"] != "zhangsan" {
		t.Errorf("GET /api/me: %v", me)
	}
	// A token's session has no CSRF token.
	if g := e.do("GET", "/api/session", nil).want(200).json(); g["via"] != "token" || g["csrf_token"] != nil {
		t.Errorf("GET /api/session with a token: %v", g)
	}

	// Idle expiry counts from the last use.
	idle := e.acc.Limits().SessionIdle
	e.clock.Advance(idle - 2*time.Minute)
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(200)
	e.clock.Advance(idle - 2*time.Minute)
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(200)
	e.clock.Advance(idle + time.Minute)
	r = e.do("GET", "/api/me", nil, "Cookie", cookie).want(401)
	r.problem()
	if c := setCookie(t, r); c.MaxAge >= 0 {
		t.Errorf("the stale cookie is not cleared: %s", r.Header().Get("Set-Cookie"))
	}
	// Pages send an expired session to the log-in page.
	if loc := e.do("GET", "/dashboard?class=idle", nil, "Cookie", cookie).want(303).Header().Get("Location"); loc != "/login?next=%2Fdashboard%3Fclass%3Didle" {
		t.Errorf("expired page request to %q", loc)
	}

	// Absolute expiry, however busy the session.
	cookie, _ = e.login("zhangsan", testPassword)
	for elapsed := time.Duration(0); elapsed < e.acc.Limits().SessionAbsolute-20*time.Minute; elapsed += 20 * time.Minute {
		e.clock.Advance(20 * time.Minute)
		e.do("GET", "/api/me", nil, "Cookie", cookie).want(200)
	}
	e.clock.Advance(20 * time.Minute)
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(401)

	// Log-out ends the session and clears the cookie.
	cookie, csrf = e.login("zhangsan", testPassword)
	e.do("DELETE", "/api/session", nil, "Cookie", cookie).want(403) // no CSRF token
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(200)
	r = e.do("DELETE", "/api/session", nil, "Cookie", cookie, csrfHeader, csrf).want(204)
	if c := setCookie(t, r); c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("log-out does not clear the cookie: %s", r.Header().Get("Set-Cookie"))
	}
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(401)
	e.do("GET", "/api/session", nil, "Cookie", cookie).want(401)

	// Wrong password and unknown login: the same answer.
	bad := e.do("POST", "/api/session", map[string]any{"login": "zhangsan", "password": "wrong-password-1"}, anon...).want(401)
	unknown := e.do("POST", "/api/session", map[string]any{"login": "nobody", "password": "wrong-password-1"}, anon...).want(401)
	if b, u := bad.problem(), unknown.problem(); b["title"] != "用户名或密码错误" || b["title"] != u["title"] || b["detail"] != u["detail"] {
		t.Errorf("wrong password %v, unknown login %v", b, u)
	}
	if len(bad.Result().Cookies()) != 0 {
		t.Errorf("a failed log-in set a cookie")
	}
	fe := e.do("POST", "/api/session", map[string]any{"login": "zhangsan"}, anon...).want(422).fieldErrors()
	if fe["password"] == nil {
		t.Errorf("missing password not named: %v", fe)
	}

	// Logging in again from the same browser ends its previous session.
	first, _ := e.login("zhangsan", testPassword)
	r = e.do("POST", "/api/session", map[string]any{"login": "zhangsan", "password": testPassword}, "Cookie", first).want(200)
	e.do("GET", "/api/me", nil, "Cookie", first).want(401)
	e.do("GET", "/api/me", nil, "Cookie", sessionCookie+"="+setCookie(t, r).Value).want(200)

	// A bad bearer token is 401 even with a valid cookie: no fallback.
	cookie, _ = e.login("zhangsan", testPassword)
	e.do("GET", "/api/me", nil, "Cookie", cookie, "Authorization", "Bearer ph_notatoken").want(401).problem()
	e.do("GET", "/api/me", nil, "Cookie", cookie, "Authorization", "Basic YWRtaW46YWRtaW4=").want(401).problem()
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(200)
}

// The Secure flag: forced by the option, or when the request came over TLS
// (here: through a proxy that says so).
func TestSecureCookie(t *testing.T) {
	e := newEnv(t)
	creds := map[string]any{"login": "admin", "password": testPassword}
	if c := setCookie(t, e.do("POST", "/api/session", creds, anon...).want(200)); c.Secure {
		t.Errorf("Secure on plain HTTP")
	}
	if c := setCookie(t, e.do("POST", "/api/session", creds, "X-Forwarded-Proto", "https", "Authorization", "").want(200)); !c.Secure {
		t.Errorf("no Secure behind an HTTPS proxy")
	}
	s := newEnvOpts(t, Options{SecureCookies: true})
	r := s.do("POST", "/api/session", creds, anon...).want(200)
	if c := setCookie(t, r); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("SecureCookies: %s", r.Header().Get("Set-Cookie"))
	}
	cookie := sessionCookie + "=" + setCookie(t, r).Value
	if c := setCookie(t, s.do("DELETE", "/api/session", nil, "Cookie", cookie, csrfHeader, r.json()["csrf_token"].(string)).want(204)); !c.Secure {
		t.Errorf("the clearing cookie lacks Secure")
	}
}

// Pages: anonymous → /login?next=; next is only ever a local path.
func TestPageRedirects(t *testing.T) {
	e := newEnv(t)
	for path, next := range map[string]string{
		"/":                      "%2F",
		"/admin":                 "%2Fadmin",
		"/admin/audit?actor=x":   "%2Fadmin%2Faudit%3Factor%3Dx",
		"/dashboard?asof=2022-1": "%2Fdashboard%3Fasof%3D2022-1",
	} {
		r := e.do("GET", path, nil, anon...).want(303)
		if loc := r.Header().Get("Location"); loc != "/login?next="+next {
			t.Errorf("%s: Location %q", path, loc)
		}
	}
	for in, want := range map[string]string{
		"/admin": "/admin", "//evil.example/x": "/", `/\evil.example`: "/", "https://evil.example/": "/", "": "/", "/a?b=//c": "/a?b=//c",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
	// The API answers 401 with a problem, not a redirect.
	r := e.do("GET", "/api/parks", nil, anon...).want(401)
	if r.problem()["title"] != "请先登录" || r.Header().Get("WWW-Authenticate") != `Bearer realm="panhuo"` {
		t.Errorf("401: %s %v", r.Body.String(), r.Header())
	}
	// The log-in page and its assets are open.
	e.do("GET", "/login", nil, anon...).want(200)
	e.do("GET", "/static/login.js", nil, anon...).want(200)
	e.do("GET", "/static/style.css", nil, anon...).want(200)
	// A path that only looks like a static asset is not.
	e.do("GET", "/static/../api/users", nil, anon...).want(404)
}

// CSRF: cookie-authenticated writes need the session's token; bearer
// writes do not; a foreign Origin is refused.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	_, officerTok := e.user("zhangsan", "张三", land.RoleOfficer, "ZZGX")
	cookie, csrf := e.login("zhangsan", testPassword)
	f := func(i int) map[string]any {
		lon := 113.01 + 0.003*float64(i)
		return feature(rect(lon, 27.71, lon+0.002, 27.712), "idle", map[string]any{"identified_on": "2022-01-01"})
	}

	before := e.counts()
	for _, hdr := range [][]string{
		{"Cookie", cookie},
		{"Cookie", cookie, csrfHeader, "wrong"},
		{"Cookie", cookie, csrfHeader, csrf + "x"},
		{"Cookie", cookie, csrfHeader, csrf, "Origin", "https://evil.example"},
		{"Cookie", cookie, csrfHeader, csrf, "Origin", "null"},
		{"Cookie", cookie, csrfHeader, csrf, "Sec-Fetch-Site", "cross-site"},
	} {
		r := e.do("POST", "/api/parcels", f(0), hdr...).want(403)
		if p := r.problem(); p["type"] != "/problems/csrf" || p["title"] != "请求缺少有效的 CSRF 令牌" {
			t.Errorf("%v: %v", hdr, p)
		}
	}
	if after := e.counts(); after != before {
		t.Fatalf("refused writes changed rows: %+v → %+v", before, after)
	}

	// With the token (and a same-origin Origin): written.
	p := e.do("POST", "/api/parcels", f(1), "Cookie", cookie, csrfHeader, csrf, "Origin", "http://example.com").want(201).props()
	if p["created_by"] != "zhangsan" {
		t.Errorf("created_by %v", p["created_by"])
	}
	path := idPath(p)

	// PATCH and DELETE alike.
	before = e.counts()
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"note": "x"}}, "Cookie", cookie, "If-Match", `"1"`).want(403).problem()
	e.do("DELETE", path, map[string]any{"reason": "重复"}, "Cookie", cookie, "If-Match", `"1"`).want(403).problem()
	e.do("POST", path+"/disposals", map[string]any{"method": "start_construction", "date": "2022-06-01"}, "Cookie", cookie).want(403).problem()
	e.do("POST", "/api/tokens", map[string]any{"name": "x"}, "Cookie", cookie).want(403).problem()
	if after := e.counts(); after != before {
		t.Fatalf("refused writes changed rows: %+v → %+v", before, after)
	}
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"note": "x"}}, "Cookie", cookie, csrfHeader, csrf, "If-Match", `"1"`).want(200)
	e.do("DELETE", path, map[string]any{"reason": "重复"}, "Cookie", cookie, csrfHeader, csrf, "If-Match", `"2"`).want(200)

	// Bearer: no CSRF token needed, Origin not consulted.
	e.do("POST", "/api/parcels", f(2), bearer(officerTok)...).want(201)
	// Reads need no token.
	e.do("GET", "/api/layers/parcels", nil, "Cookie", cookie).want(200)

	// Log-in from another origin is refused (log-in CSRF).
	e.do("POST", "/api/session", map[string]any{"login": "zhangsan", "password": testPassword}, "Origin", "https://evil.example", "Authorization", "").want(403).problem()
	// Behind a trusted proxy, the forwarded host is this host.
	pe := newEnvOpts(t, Options{TrustProxy: true})
	pe.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Origin", "https://panhuo.example", "X-Forwarded-Host", "panhuo.example", "Authorization", "").want(200)
	e.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Origin", "https://panhuo.example", "X-Forwarded-Host", "panhuo.example", "Authorization", "").want(403)
}

// Throttling: after N failures within the window, even the right password
// is refused with 429 and Retry-After.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	e.user("zhangsan", "张三", land.RoleLeader)
	lim := e.acc.Limits()
	wrong := map[string]any{"login": "zhangsan", "password": "wrong-password-1"}
	right := map[string]any{"login": "zhangsan", "password": testPassword}
	for i := 0; i < lim.MaxFailuresLogin; i++ {
		e.do("POST", "/api/session", wrong, anon...).want(401)
	}
	r := e.do("POST", "/api/session", right, anon...).want(429)
	if p := r.problem(); p["title"] != "登录失败次数过多，请稍后再试" {
		t.Errorf("429 title %v", p["title"])
	}
	ra, err := strconv.Atoi(r.Header().Get("Retry-After"))
	if err != nil || ra <= 0 || time.Duration(ra)*time.Second > lim.FailureWindow+time.Second {
		t.Errorf("Retry-After %q", r.Header().Get("Retry-After"))
	}
	if len(r.Result().Cookies()) != 0 {
		t.Errorf("a throttled log-in set a cookie")
	}
	// Per account: from another address too.
	e.do("POST", "/api/session", right, "Authorization", "", ":remote", "198.51.100.7:5000").want(429)
	// After the window, the right password works.
	e.clock.Advance(lim.FailureWindow + time.Minute)
	e.do("POST", "/api/session", right, anon...).want(200)

	// Per address: failures for many logins from one address, whatever
	// X-Forwarded-For claims (it is not trusted by default).
	for i := 0; i < lim.MaxFailuresAddr; i++ {
		e.do("POST", "/api/session", map[string]any{"login": fmt.Sprintf("guess%d", i), "password": "x"},
			"Authorization", "", ":remote", "203.0.113.9:4000", "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i)).want(401)
	}
	e.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Authorization", "", ":remote", "203.0.113.9:4001", "X-Forwarded-For", "10.0.1.1").want(429)
	e.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Authorization", "", ":remote", "203.0.113.10:4001").want(200)

	// With TrustProxy the last X-Forwarded-For entry is the client.
	p := newEnvOpts(t, Options{TrustProxy: true})
	for i := 0; i < lim.MaxFailuresAddr; i++ {
		p.do("POST", "/api/session", map[string]any{"login": fmt.Sprintf("guess%d", i), "password": "x"},
			"Authorization", "", ":remote", "10.0.0.1:4000", "X-Forwarded-For", "1.2.3.4, 192.0.2.50").want(401)
	}
	p.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Authorization", "", ":remote", "10.0.0.1:4000", "X-Forwarded-For", "192.0.2.50").want(429)
	p.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword},
		"Authorization", "", ":remote", "10.0.0.1:4000", "X-Forwarded-For", "192.0.2.51").want(200)
}

// Personal tokens: shown once, listed without the secret, revoked for good.
func TestTokens(t *testing.T) {
	e := newEnv(t)
	_, leaderTok := e.user("leader", "领导", land.RoleLeader)
	r := e.do("POST", "/api/tokens", map[string]any{"name": "QGIS"}, bearer(leaderTok)...).want(201)
	m := r.json()
	raw, _ := m["token"].(string)
	if !strings.HasPrefix(raw, "ph_") || m["name"] != "QGIS" || !strings.HasPrefix(raw, m["prefix"].(string)) || r.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("created token: %v %v", m, r.Header())
	}
	id := int64(m["id"].(float64))
	list := e.do("GET", "/api/tokens", nil, bearer(raw)...).want(200)
	if strings.Contains(list.Body.String(), raw) {
		t.Errorf("the token list shows a raw token")
	}
	if ts := list.json()["tokens"].([]any); len(ts) != 2 {
		t.Errorf("%d tokens, want 2", len(ts))
	}
	if fe := e.do("POST", "/api/tokens", map[string]any{"name": ""}, bearer(raw)...).want(422).fieldErrors(); fe["name"] == nil {
		t.Errorf("empty name not named: %v", fe)
	}
	// Another user cannot revoke it.
	e.do("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil).want(404).problem()
	e.do("GET", "/api/me", nil, bearer(raw)...).want(200)
	e.do("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil, bearer(leaderTok)...).want(204)
	e.do("GET", "/api/me", nil, bearer(raw)...).want(401).problem()
	e.do("DELETE", "/api/tokens/abc", nil).want(404).problem()
}

// Users: created, changed under If-Match, disabled; passwords.
func TestUsersAPI(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.addPark("LLJK", 113.45, 27.6, 113.55, 27.7, 1000, 0)
	r := e.do("POST", "/api/users", map[string]any{"login": "Zhangsan", "display_name": "张三", "role": "officer",
		"parks": []string{"ZZGX"}, "password": testPassword}).want(201)
	u := r.json()
	id := int64(u["id"].(float64))
	if u["login"] != "zhangsan" || u["role_name"] != "土地专员" || r.Header().Get("ETag") != `"1"` || r.Header().Get("Location") != fmt.Sprintf("/api/users/%d", id) {
		t.Errorf("created user %v %v", u, r.Header())
	}
	if strings.Contains(r.Body.String(), "argon2") || strings.Contains(r.Body.String(), testPassword) {
		t.Errorf("the answer shows the password or its hash")
	}
	e.do("POST", "/api/users", map[string]any{"login": "zhangsan", "display_name": "张三", "role": "leader", "password": testPassword}).want(409).problem()
	fe := e.do("POST", "/api/users", map[string]any{"login": "lisi", "display_name": "李四", "role": "officer", "parks": []string{"NOPE"}, "password": "123456"}).want(422).fieldErrors()
	if fe["password"] == nil || fe["parks"] == nil {
		t.Errorf("policy and park not named: %v", fe)
	}
	fe = e.do("POST", "/api/users", map[string]any{"login": "lisi", "parks": "ZZGX"}).want(422).fieldErrors()
	if fe["parks"] == nil {
		t.Errorf("parks of the wrong type not named: %v", fe)
	}

	path := fmt.Sprintf("/api/users/%d", id)
	e.do("PATCH", path, map[string]any{"parks": []string{"ZZGX", "LLJK"}}).want(428).problem()
	e.do("PATCH", path, map[string]any{"parks": []string{"ZZGX", "LLJK"}}, "If-Match", `"7"`).want(412).problem()
	fe = e.do("PATCH", path, map[string]any{"password": "x", "login": "other", "shoe_size": 42}, "If-Match", `"1"`).want(422).fieldErrors()
	if fe["password"] == nil || fe["login"] == nil || fe["shoe_size"] == nil {
		t.Errorf("fields not named: %v", fe)
	}
	r = e.do("PATCH", path, map[string]any{"parks": []string{"ZZGX", "LLJK"}, "login": "zhangsan", "version": 1}, "If-Match", `"1"`).want(200)
	if p := r.json()["parks"].([]any); len(p) != 2 || r.Header().Get("ETag") != `"2"` {
		t.Errorf("patched: %s %v", r.Body.String(), r.Header())
	}
	if g := e.do("GET", path, nil).want(200); g.Header().Get("ETag") != `"2"` {
		t.Errorf("GET user ETag %q", g.Header().Get("ETag"))
	}
	users := e.do("GET", "/api/users", nil).want(200).json()["users"].([]any)
	if len(users) != 2 {
		t.Errorf("%d users", len(users))
	}

	// The user's password: self with the old one.
	cookie, csrf := e.login("zhangsan", testPassword)
	other, _ := e.user("other", "别人", land.RoleLeader)
	e.do("POST", fmt.Sprintf("/api/users/%d/password", other.ID), map[string]any{"old_password": testPassword, "new_password": "New-password-2022"},
		"Cookie", cookie, csrfHeader, csrf).want(403).problem()
	fe = e.do("POST", path+"/password", map[string]any{"old_password": "not-it-2022", "new_password": "New-password-2022"},
		"Cookie", cookie, csrfHeader, csrf).want(422).fieldErrors()
	if fe["old_password"] == nil {
		t.Errorf("wrong old password not named: %v", fe)
	}
	other2, _ := e.login("zhangsan", testPassword) // a second session
	e.do("POST", path+"/password", map[string]any{"old_password": testPassword, "new_password": "New-password-2022"},
		"Cookie", cookie, csrfHeader, csrf).want(204)
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(200) // the session the change was made in stays
	e.do("GET", "/api/me", nil, "Cookie", other2).want(401) // the others end
	e.do("POST", "/api/session", map[string]any{"login": "zhangsan", "password": testPassword}, anon...).want(401)
	e.login("zhangsan", "New-password-2022")
	// An administrator resets it without the old one.
	e.do("POST", path+"/password", map[string]any{"new_password": "Reset-password-2022"}).want(204)
	e.login("zhangsan", "Reset-password-2022")

	// Disabling ends sessions and tokens.
	tok := e.token(mustUser(t, e, id))
	cookie, _ = e.login("zhangsan", "Reset-password-2022")
	e.do("PATCH", path, map[string]any{"disabled": true}, "If-Match", e.do("GET", path, nil).want(200).Header().Get("ETag")).want(200)
	e.do("GET", "/api/me", nil, bearer(tok)...).want(401)
	e.do("GET", "/api/me", nil, "Cookie", cookie).want(401)
	e.do("POST", "/api/session", map[string]any{"login": "zhangsan", "password": "Reset-password-2022"}, anon...).want(401)
	// History keeps their name.
	if u := e.do("GET", path, nil).want(200).json(); u["disabled"] != true || u["display_name"] != "张三" {
		t.Errorf("disabled user: %v", u)
	}
	// The last administrator cannot be disabled.
	e.do("PATCH", fmt.Sprintf("/api/users/%d", e.admin.ID), map[string]any{"disabled": true}, "If-Match", `"1"`).want(409).problem()
	e.do("GET", "/api/users/999", nil).want(404).problem()
}

func mustUser(t *testing.T, e *env, id int64) access.User {
	t.Helper()
	u, err := e.acc.GetUser(context.Background(), land.Operator("test"), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Methods: the 计入处置率 flag and the name, administrators only.
func TestPatchMethod(t *testing.T) {
	e := newEnv(t)
	_, leader := e.user("leader", "领导", land.RoleLeader)
	before := e.counts()
	e.do("PATCH", "/api/methods/extend_start", map[string]any{"counts": true}, bearer(leader)...).want(403).problem()
	if after := e.counts(); after != before {
		t.Errorf("a refused method change wrote: %+v → %+v", before, after)
	}
	m := e.do("PATCH", "/api/methods/extend_start", map[string]any{"counts": true, "name": " 延长动工期限（计入） "}).want(200).json()
	if m["counts"] != true || m["name"] != "延长动工期限（计入）" || m["code"] != "extend_start" {
		t.Errorf("patched method: %v", m)
	}
	for _, x := range e.do("GET", "/api/methods", nil).want(200).json()["methods"].([]any) {
		if x := x.(map[string]any); x["code"] == "extend_start" && x["counts"] != true {
			t.Errorf("GET /api/methods: %v", x)
		}
	}
	if fe := e.do("PATCH", "/api/methods/extend_start", map[string]any{"counts": "yes", "colour": 1}).want(422).fieldErrors(); fe["counts"] == nil || fe["colour"] == nil {
		t.Errorf("bad fields not named: %v", fe)
	}
	e.do("PATCH", "/api/methods/extend_start", map[string]any{"name": ""}).want(422).problem()
	e.do("PATCH", "/api/methods/nope", map[string]any{"counts": true}).want(404).problem()
	evs := e.do("GET", "/api/audit?kind=method.update", nil).want(200).json()["events"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["actor"] != "admin" {
		t.Errorf("method events: %v", evs)
	}
}

// Security headers on pages, API answers and errors.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	common := func(r resp, what string) {
		t.Helper()
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := r.Header().Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", what, k, got, v)
			}
		}
	}
	for _, path := range []string{"/", "/dashboard", "/admin", "/admin/audit", "/login"} {
		r := e.do("GET", path, nil).want(200)
		common(r, path)
		if got := r.Header().Get("Content-Security-Policy"); got != pageCSP {
			t.Errorf("%s: CSP %q", path, got)
		}
	}
	for _, c := range []struct {
		path   string
		status int
		hdr    []string
	}{{"/api/parks", 200, nil}, {"/api/session", 200, nil}, {"/api/users", 200, nil}, {"/api/parks", 401, anon}, {"/api/nope", 404, nil}, {"/healthz", 200, nil}} {
		r := e.do("GET", c.path, nil, c.hdr...).want(c.status)
		common(r, c.path)
		if got := r.Header().Get("Content-Security-Policy"); got != apiCSP {
			t.Errorf("%s: CSP %q", c.path, got)
		}
	}
	for _, path := range []string{"/api/session", "/api/tokens", "/api/users", "/api/me", "/api/audit"} {
		if cc := e.do("GET", path, nil).want(200).Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	if cc := e.do("POST", "/api/session", map[string]any{"login": "admin", "password": testPassword}, anon...).want(200).Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("log-in: Cache-Control %q", cc)
	}
}
