package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"panhuo/internal/access"
	"panhuo/internal/land"
	"panhuo/internal/store/storetest"
	"panhuo/internal/store/storetest/engines"
)

// seedDay is the date of seed 004, "today" in these tests.
var seedDay = time.Date(2022, 6, 28, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// testPassword meets the password policy; every test user has it.
const testPassword = "Zhuzhou-2022-test"

// fakeClock is the clock of both services; tests move it forward.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a handler over a real SQLite store in a temporary file, with the
// clock at seedDay, and an administrator "admin" whose token every request
// carries unless it names its own Authorization or Cookie.
type env struct {
	t     *testing.T
	h     http.Handler
	echo  *echo.Echo
	srv   *server
	svc   *land.Service
	acc   *access.Service
	store storetest.AccessStore
	clock *fakeClock
	admin access.User
	// adminToken is the raw token of admin.
	adminToken string
}

func newEnv(t *testing.T) *env {
	return newEnvOpts(t, Options{})
}

func newEnvOpts(t *testing.T, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	st := engines.Open(t) // SQLite; PostgreSQL when PANHUO_TEST_ENGINE=postgres
	clock := &fakeClock{now: seedDay}
	svc := land.NewService(st, land.WithClock(clock.Now))
	acc := access.NewService(st, st, access.WithClock(clock.Now),
		access.WithHashParams(access.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}))
	opts.Logger = slog.New(slog.DiscardHandler)
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	srv, ec := newServer(svc, acc, opts)
	e := &env{t: t, h: ec, echo: ec, srv: srv, svc: svc, acc: acc, store: st, clock: clock}
	var err error
	e.admin, err = acc.Bootstrap(ctx, access.UserInput{Login: "admin", DisplayName: "系统管理员", Password: testPassword})
	if err != nil {
		t.Fatalf("bootstrap admin: %v", err)
	}
	e.adminToken = e.token(e.admin)
	return e
}

// token creates a personal token of u and returns it raw.
func (e *env) token(u access.User) string {
	e.t.Helper()
	raw, _, err := e.acc.CreateToken(context.Background(), u, "测试")
	if err != nil {
		e.t.Fatalf("create token of %s: %v", u.Login, err)
	}
	return raw
}

// user creates a user with testPassword (as the operator "test") and returns
// it with a token.
func (e *env) user(login, name string, role land.Role, parks ...string) (access.User, string) {
	e.t.Helper()
	u, err := e.acc.CreateUser(context.Background(), land.Operator("test"), access.UserInput{
		Login: login, DisplayName: name, Role: role, Parks: parks, Password: testPassword})
	if err != nil {
		e.t.Fatalf("create user %s: %v", login, err)
	}
	return u, e.token(u)
}

// bearer is the header pair of a token.
func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// anon marks a request sent without credentials.
var anon = []string{"Authorization", ""}

// resp is a recorded response with helpers to read it.
type resp struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// do sends a request. body may be nil, a string or []byte (sent as is), or
// anything else (sent as JSON). hdr is name, value pairs (an empty value
// removes the header; ":remote" sets the client address); without an
// Authorization or Cookie pair the request carries the administrator's token.
func (e *env) do(method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode request body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	own := false
	for i := 0; i+1 < len(hdr); i += 2 {
		own = own || http.CanonicalHeaderKey(hdr[i]) == "Authorization" || http.CanonicalHeaderKey(hdr[i]) == "Cookie"
	}
	if !own {
		req.Header.Set("Authorization", "Bearer "+e.adminToken)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == ":remote" { // the client's address
			req.RemoteAddr = hdr[i+1]
			continue
		}
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return resp{w, e.t}
}

// want fails the test unless the status is code.
func (r resp) want(code int) resp {
	r.t.Helper()
	if r.Code != code {
		r.t.Fatalf("status %d, want %d; body: %s", r.Code, code, r.Body.String())
	}
	return r
}

// json decodes the body into a generic value.
func (r resp) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body.Bytes(), &m); err != nil {
		r.t.Fatalf("decode body: %v; body: %s", err, r.Body.String())
	}
	return m
}

// props returns the properties of a Feature body.
func (r resp) props() map[string]any {
	r.t.Helper()
	p, ok := r.json()["properties"].(map[string]any)
	if !ok {
		r.t.Fatalf("no properties in %s", r.Body.String())
	}
	return p
}

// problemFields checks that the body is a problem+json with a Chinese title
// and returns it.
func (r resp) problem() map[string]any {
	r.t.Helper()
	if ct := r.Header().Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("Content-Type %q, want application/problem+json; body: %s", ct, r.Body.String())
	}
	m := r.json()
	title, _ := m["title"].(string)
	if !hasHan(title) {
		r.t.Errorf("problem title %q is not Chinese", title)
	}
	if typ, _ := m["type"].(string); !strings.HasPrefix(typ, "/problems/") {
		r.t.Errorf("problem type %q", typ)
	}
	if st, _ := m["status"].(float64); int(st) != r.Code {
		r.t.Errorf("problem status %v, response status %d", m["status"], r.Code)
	}
	if _, ok := m["detail"].(string); !ok {
		r.t.Errorf("problem without detail: %s", r.Body.String())
	}
	if _, ok := m["errors"].([]any); !ok {
		r.t.Errorf("problem without errors list: %s", r.Body.String())
	}
	return m
}

// fieldErrors returns the errors of a problem as field → reasons.
func (r resp) fieldErrors() map[string][]string {
	r.t.Helper()
	out := map[string][]string{}
	for _, e := range r.problem()["errors"].([]any) {
		m := e.(map[string]any)
		out[m["field"].(string)] = append(out[m["field"].(string)], m["reason"].(string))
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// num reads a JSON number property.
func num(t *testing.T, m map[string]any, k string) float64 {
	t.Helper()
	v, ok := m[k].(float64)
	if !ok {
		t.Fatalf("%s = %#v, want a number", k, m[k])
	}
	return v
}

func near(a, b, eps float64) bool { return a-b <= eps && b-a <= eps }

// rect is a lon/lat rectangle as GeoJSON Polygon coordinates.
func rect(minLon, minLat, maxLon, maxLat float64) map[string]any {
	return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

// feature builds a parcel Feature of a class with extra properties.
func feature(geometry any, class string, props map[string]any) map[string]any {
	p := map[string]any{"class": class}
	for k, v := range props {
		p[k] = v
	}
	return map[string]any{"type": "Feature", "geometry": geometry, "properties": p}
}

// addPark creates a rectangular park through the service.
func (e *env) addPark(code string, minLon, minLat, maxLon, maxLat float64, builtup, target float64) land.Park {
	e.t.Helper()
	ring := orb.Ring{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}
	p, err := e.svc.CreatePark(context.Background(), land.Operator("test"), land.ParkInput{
		Code: code, Name: code + "园区", Level: land.LevelProvincial, City: "株洲市",
		Boundary: orb.MultiPolygon{{ring}}, BuiltupMu: builtup, TargetMu: target, TargetYear: 2022,
	})
	if err != nil {
		e.t.Fatalf("create park %s: %v", code, err)
	}
	return p
}

// mainPark is the big square park around the test area (113.0–113.2 E,
// 27.7–27.9 N, near 株洲高新区).
func (e *env) mainPark() land.Park {
	return e.addPark("ZZGX", 113.0, 27.7, 113.2, 27.9, 20000, 100)
}

// createParcel posts a parcel and returns its properties.
func (e *env) createParcel(f map[string]any, hdr ...string) map[string]any {
	e.t.Helper()
	return e.do("POST", "/api/parcels", f, hdr...).want(http.StatusCreated).props()
}

func (e *env) counts() land.RowCounts {
	e.t.Helper()
	n, err := e.store.CountRows(context.Background())
	if err != nil {
		e.t.Fatalf("count rows: %v", err)
	}
	return n
}

// idOf returns the id property as a URL path.
func idPath(props map[string]any) string {
	return fmt.Sprintf("/api/parcels/%d", int64(props["id"].(float64)))
}

// orbRect is a lon/lat rectangle as an orb polygon.
func orbRect(minLon, minLat, maxLon, maxLat float64) orb.Polygon {
	return orb.Polygon{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}
}

// login logs in through POST /api/session and returns the Cookie header
// value and the CSRF token.
func (e *env) login(login, password string) (cookie, csrf string) {
	e.t.Helper()
	r := e.do("POST", "/api/session", map[string]any{"login": login, "password": password}, anon...).want(http.StatusOK)
	for _, c := range r.Result().Cookies() {
		if c.Name == sessionCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		e.t.Fatalf("log-in set no %s cookie: %v", sessionCookie, r.Header())
	}
	csrf, _ = r.json()["csrf_token"].(string)
	if csrf == "" {
		e.t.Fatalf("log-in answered no csrf_token: %s", r.Body.String())
	}
	return cookie, csrf
}
