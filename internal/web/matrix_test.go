package web

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"panhuo/internal/access"
	"panhuo/internal/land"
)

// The principals of the authorization matrix.
type principalKind int

const (
	asAnonymous principalKind = iota
	asLeader
	asOfficerOwnPark   // officer of park A, on a resource of park A (or their own)
	asOfficerOtherPark // the same officer, on a resource of park B (or another user's)
	asAdmin
	asDisabled // the token of a user disabled since
	asExpired  // a session cookie past its idle expiry (with its CSRF token)
	asRevoked  // a revoked token of a valid officer of park A
	principalCount
)

var principalNames = [principalCount]string{"anonymous", "leader", "officer-A-on-A", "officer-A-on-B", "admin", "disabled", "expired-session", "revoked-token"}

// statuses are the expected answers, one per principal.
type statuses [principalCount]int

// Rows of the matrix by the kind of route. The arguments are the answers to
// leader, officer A on park A, officer A on park B, and admin; the columns of
// the bad credentials follow from the kind.
func apiRoute(leader, offA, offB, admin int) statuses {
	return statuses{401, leader, offA, offB, admin, 401, 401, 401}
}

func pageRoute(leader, offA, offB, admin int) statuses {
	// Pages send the anonymous and the expired cookie to /login; a bad
	// bearer token is 401 wherever it is sent.
	return statuses{303, leader, offA, offB, admin, 401, 303, 401}
}

func publicRoute(code int) statuses {
	return statuses{code, code, code, code, code, code, code, code}
}

// matrixEnv is the world of the matrix: parks PA and PB, a user of each
// role, and fresh resources made for each cell.
type matrixEnv struct {
	*env
	t        *testing.T
	creds    [principalCount][]string
	users    [principalCount]access.User // the user behind each principal (zero for anonymous)
	n        int                         // counter for fresh resources
	otherTok int64                       // a token of the admin that others try to revoke
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	e := newEnv(t)
	m := &matrixEnv{env: e, t: t}
	e.addPark("PA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	e.addPark("PB", 113.1, 27.7, 113.2, 27.8, 1000, 100)
	ctx := context.Background()

	m.creds[asAnonymous] = anon
	leader, leaderTok := e.user("leader", "领导", land.RoleLeader)
	officer, officerTok := e.user("officer.a", "专员甲", land.RoleOfficer, "PA")
	m.users[asLeader], m.creds[asLeader] = leader, bearer(leaderTok)
	m.users[asOfficerOwnPark], m.creds[asOfficerOwnPark] = officer, bearer(officerTok)
	m.users[asOfficerOtherPark], m.creds[asOfficerOtherPark] = officer, bearer(officerTok)
	m.users[asAdmin], m.creds[asAdmin] = e.admin, bearer(e.adminToken)

	disabled, disabledTok := e.user("disabled.a", "停用者", land.RoleOfficer, "PA")
	if _, err := e.acc.UpdateUser(ctx, land.Operator("test"), disabled.ID, 0, access.UserPatch{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	m.users[asDisabled], m.creds[asDisabled] = disabled, bearer(disabledTok)

	revoked := e.token(officer)
	ts, err := e.acc.ListTokens(ctx, officer)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ts {
		if strings.HasPrefix(revoked, tk.Prefix) {
			if err := e.acc.RevokeToken(ctx, officer, tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	m.users[asRevoked], m.creds[asRevoked] = officer, bearer(revoked)

	expired, _ := e.user("expired.a", "过期者", land.RoleOfficer, "PA")
	cookie, csrf := e.login("expired.a", testPassword)
	m.users[asExpired], m.creds[asExpired] = expired, []string{"Cookie", cookie, csrfHeader, csrf}
	e.clock.Advance(e.acc.Limits().SessionIdle + time.Minute)

	e.user("loginuser", "登录者", land.RoleLeader) // logs in in the POST /api/session cells
	_, tok, err := e.acc.CreateToken(ctx, e.admin, "管理员的另一个令牌")
	if err != nil {
		t.Fatal(err)
	}
	m.otherTok = tok.ID
	return m
}

func ptr[T any](v T) *T { return &v }

// park is the park a principal's cell works on: B for the officer on park B.
func (m *matrixEnv) park(p principalKind) string {
	if p == asOfficerOtherPark {
		return "PB"
	}
	return "PA"
}

// parcel creates a fresh idle parcel in a park (as the operator) and
// returns its path.
func (m *matrixEnv) parcel(park string) string {
	m.t.Helper()
	m.n++
	lon := 113.002 + 0.0006*float64(m.n%150)
	lat := 27.702 + 0.0006*float64(m.n/150)
	if park == "PB" {
		lon += 0.1
	}
	ring := orbRect(lon, lat, lon+0.0004, lat+0.0004)
	p, err := m.svc.CreateParcel(context.Background(), land.Operator("test"), land.ParcelInput{
		Class: land.Idle, Geometry: ring, ParcelFields: land.ParcelFields{IdentifiedOn: land.MustDate("2022-01-01")}})
	if err != nil {
		m.t.Fatalf("create parcel: %v", err)
	}
	return parcelLocation(p.ID)
}

// feature is a fresh parcel Feature inside a park, for POST /api/parcels.
func (m *matrixEnv) feature(park string) map[string]any {
	m.n++
	lon := 113.002 + 0.0006*float64(m.n%150)
	lat := 27.702 + 0.0006*float64(m.n/150)
	if park == "PB" {
		lon += 0.1
	}
	return feature(rect(lon, lat, lon+0.0004, lat+0.0004), "idle", map[string]any{"identified_on": "2022-01-01"})
}

// freshUser creates a user no principal is, and returns its id.
func (m *matrixEnv) freshUser() int64 {
	m.n++
	u, _ := m.user(fmt.Sprintf("fresh%d", m.n), "新用户", land.RoleLeader)
	return u.ID
}

// request is one cell's request: made fresh for each principal.
type request struct {
	path string
	body any
	hdr  []string
}

type matrixRow struct {
	build func(m *matrixEnv, p principalKind) request
	want  statuses
}

func fixed(path string, body any, hdr ...string) func(*matrixEnv, principalKind) request {
	return func(*matrixEnv, principalKind) request { return request{path, body, hdr} }
}

// matrix is every route × principal. A route registered without a row here
// fails TestAuthorizationMatrix: add its row when you add the route.
var matrix = map[string]matrixRow{
	"GET /healthz":     {fixed("/healthz", nil), publicRoute(200)},
	"GET /login":       {fixed("/login", nil), publicRoute(200)},
	"GET /static/*":    {fixed("/static/session.js", nil), publicRoute(200)},
	"GET /":            {fixed("/", nil), pageRoute(200, 200, 200, 200)},
	"GET /dashboard":   {fixed("/dashboard", nil), pageRoute(200, 200, 200, 200)},
	"GET /admin":       {fixed("/admin", nil), pageRoute(403, 403, 403, 200)},
	"GET /admin/audit": {fixed("/admin/audit", nil), pageRoute(403, 403, 403, 200)},

	"POST /api/session":   {fixed("/api/session", map[string]any{"login": "loginuser", "password": testPassword}), publicRoute(200)},
	"GET /api/session":    {fixed("/api/session", nil), apiRoute(200, 200, 200, 200)},
	"DELETE /api/session": {fixed("/api/session", nil), apiRoute(204, 204, 204, 204)},
	"GET /api/me":         {fixed("/api/me", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/config":     {fixed("/api/config", nil), apiRoute(200, 200, 200, 200)},

	"GET /api/tokens":  {fixed("/api/tokens", nil), apiRoute(200, 200, 200, 200)},
	"POST /api/tokens": {fixed("/api/tokens", map[string]any{"name": "QGIS"}), apiRoute(201, 201, 201, 201)},
	// Each revokes a fresh token of their own; "officer on B" tries the
	// admin's, which is not theirs.
	"DELETE /api/tokens/:id": {func(m *matrixEnv, p principalKind) request {
		id := m.otherTok
		if u := m.users[p]; u.ID != 0 && p != asOfficerOtherPark && p != asDisabled {
			_, t, err := m.acc.CreateToken(context.Background(), u, "待撤销")
			if err != nil {
				m.t.Fatal(err)
			}
			id = t.ID
		}
		return request{fmt.Sprintf("/api/tokens/%d", id), nil, nil}
	}, apiRoute(204, 204, 404, 204)},

	"GET /api/users": {fixed("/api/users", nil), apiRoute(403, 403, 403, 200)},
	"POST /api/users": {func(m *matrixEnv, p principalKind) request {
		m.n++
		return request{"/api/users", map[string]any{"login": fmt.Sprintf("new%d", m.n), "display_name": "新人",
			"role": "officer", "parks": []string{"PA"}, "password": testPassword}, nil}
	}, apiRoute(403, 403, 403, 201)},
	// Officer A reads themself; officer "on B" and the leader read someone else.
	"GET /api/users/:id": {func(m *matrixEnv, p principalKind) request {
		id := m.freshUser()
		if p == asOfficerOwnPark {
			id = m.users[p].ID
		}
		return request{fmt.Sprintf("/api/users/%d", id), nil, nil}
	}, apiRoute(403, 200, 403, 200)},
	"PATCH /api/users/:id": {func(m *matrixEnv, p principalKind) request {
		return request{fmt.Sprintf("/api/users/%d", m.freshUser()), map[string]any{"display_name": "改名"}, []string{"If-Match", `"1"`}}
	}, apiRoute(403, 403, 403, 200)},
	// Leader and officer A change their own password with the old one;
	// officer "on B" tries another user's; the admin resets another's.
	"POST /api/users/:id/password": {func(m *matrixEnv, p principalKind) request {
		switch p {
		case asLeader, asOfficerOwnPark:
			return request{fmt.Sprintf("/api/users/%d/password", m.users[p].ID),
				map[string]any{"old_password": testPassword, "new_password": testPassword}, nil}
		}
		return request{fmt.Sprintf("/api/users/%d/password", m.freshUser()), map[string]any{"old_password": testPassword, "new_password": "Another-pass-2022"}, nil}
	}, apiRoute(204, 204, 403, 204)},

	"GET /api/audit":               {fixed("/api/audit", nil), apiRoute(403, 403, 403, 200)},
	"GET /api/audit/export.csv":    {fixed("/api/audit/export.csv", nil), apiRoute(403, 403, 403, 200)},
	"POST /api/audit":              {fixed("/api/audit", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"PUT /api/audit":               {fixed("/api/audit", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"PATCH /api/audit":             {fixed("/api/audit", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"DELETE /api/audit":            {fixed("/api/audit", nil), apiRoute(405, 405, 405, 405)},
	"POST /api/audit/export.csv":   {fixed("/api/audit/export.csv", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"PUT /api/audit/export.csv":    {fixed("/api/audit/export.csv", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"PATCH /api/audit/export.csv":  {fixed("/api/audit/export.csv", map[string]any{}), apiRoute(405, 405, 405, 405)},
	"DELETE /api/audit/export.csv": {fixed("/api/audit/export.csv", nil), apiRoute(405, 405, 405, 405)},

	"GET /api/parks": {fixed("/api/parks", nil), apiRoute(200, 200, 200, 200)},
	"POST /api/parks": {func(m *matrixEnv, p principalKind) request {
		m.n++
		lon := 110 + 0.2*float64(m.n%10)
		return request{"/api/parks", map[string]any{"type": "Feature", "geometry": rect(lon, 26, lon+0.1, 26.1), "properties": map[string]any{
			"code": fmt.Sprintf("NEW%d", m.n), "name": "新园区", "level": "省级", "city": "怀化市", "builtup_mu": 100}}, nil}
	}, apiRoute(403, 403, 403, 201)},
	"GET /api/parks/:code": {fixed("/api/parks/PA", nil), apiRoute(200, 200, 200, 200)},
	"PATCH /api/parks/:code": {func(m *matrixEnv, p principalKind) request {
		return request{"/api/parks/" + m.park(p), map[string]any{"properties": map[string]any{"target_mu": 120}}, nil}
	}, apiRoute(403, 403, 403, 200)},
	"GET /api/methods":         {fixed("/api/methods", nil), apiRoute(200, 200, 200, 200)},
	"PATCH /api/methods/:code": {fixed("/api/methods/extend_start", map[string]any{"counts": false}), apiRoute(403, 403, 403, 200)},
	"GET /api/rates":           {fixed("/api/rates", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/rates/trend":     {fixed("/api/rates/trend?park=PA", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/layers/parks":    {fixed("/api/layers/parks", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/layers/parcels":  {fixed("/api/layers/parcels?park=PA", nil), apiRoute(200, 200, 200, 200)},

	// The ranking as a workbook, for every role (leaders export it).
	"GET /api/exports/rates.xlsx": {fixed("/api/exports/rates.xlsx?asof=2022-06-28", nil), apiRoute(200, 200, 200, 200)},
	// The ledger and the layers as files, for every role.
	"GET /api/exports/ledger.xlsx":     {fixed("/api/exports/ledger.xlsx?park=PA", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/exports/parcels.geojson": {fixed("/api/exports/parcels.geojson?park=PA", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/exports/parcels.zip":     {fixed("/api/exports/parcels.zip?park=PA&crs=4526", nil), apiRoute(200, 200, 200, 200)},
	"GET /api/exports/parcels.txt": {func(m *matrixEnv, p principalKind) request {
		m.parcel("PA")
		return request{"/api/exports/parcels.txt?park=PA", nil, nil}
	}, apiRoute(200, 200, 200, 200)},

	// Imports: an officer imports into their own park only; leaders never.
	"POST /api/imports": {func(m *matrixEnv, p principalKind) request {
		f := m.feature(m.park(p))
		body, ct := multipartFiles(m.t, nil, upload{"地块.geojson", mustJSON(m.t, map[string]any{"type": "FeatureCollection", "features": []any{f}})})
		return request{"/api/imports?park=" + m.park(p), body, []string{"Content-Type", ct}}
	}, apiRoute(403, 201, 403, 201)},
	// Jobs are only readable by their owner; an unknown id is 404 for all.
	"GET /api/imports/:id": {fixed("/api/imports/0123456789abcdef01234567", nil), apiRoute(404, 404, 404, 404)},

	"POST /api/parcels": {func(m *matrixEnv, p principalKind) request {
		return request{"/api/parcels", m.feature(m.park(p)), nil}
	}, apiRoute(403, 201, 403, 201)},
	"GET /api/parcels/:id": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)), nil, nil}
	}, apiRoute(200, 200, 200, 200)},
	"PATCH /api/parcels": {func(m *matrixEnv, p principalKind) request {
		loc := m.parcel(m.park(p))
		id, _ := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
		return request{"/api/parcels", map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{
			"type": "Feature", "id": id, "properties": map[string]any{"version": 1, "land_user": "某公司"}}}}, nil}
	}, apiRoute(403, 200, 403, 200)},
	"PATCH /api/parcels/:id": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)), map[string]any{"properties": map[string]any{"land_user": "某公司"}}, []string{"If-Match", `"1"`}}
	}, apiRoute(403, 200, 403, 200)},
	"DELETE /api/parcels/:id": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)), map[string]any{"reason": "重复登记"}, []string{"If-Match", `"1"`}}
	}, apiRoute(403, 200, 403, 200)},
	"POST /api/parcels/:id/disposals": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)) + "/disposals", map[string]any{"method": "start_construction", "date": "2022-06-01"}, nil}
	}, apiRoute(403, 201, 403, 201)},
	"GET /api/parcels/:id/disposals": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)) + "/disposals", nil, nil}
	}, apiRoute(200, 200, 200, 200)},
	"GET /api/parcels/:id/history": {func(m *matrixEnv, p principalKind) request {
		return request{m.parcel(m.park(p)) + "/history", nil, nil}
	}, apiRoute(200, 200, 200, 200)},
}

// TestAuthorizationMatrix sends every registered route as every principal
// and checks the status; a refused request changes no row.
func TestAuthorizationMatrix(t *testing.T) {
	m := newMatrixEnv(t)

	var routes []string
	registered := map[string]bool{}
	for _, r := range m.echo.Routes() {
		key := r.Method + " " + r.Path
		registered[key] = true
		routes = append(routes, key)
	}
	sort.Strings(routes)
	for _, key := range routes {
		if _, ok := matrix[key]; !ok {
			t.Errorf("route %s has no row in the authorization matrix: add one to matrix in matrix_test.go", key)
		}
	}
	for key := range matrix {
		if !registered[key] {
			t.Errorf("matrix row %s names no registered route", key)
		}
	}

	cells, attributed := 0, 0
	for _, key := range routes {
		row, ok := matrix[key]
		if !ok {
			continue
		}
		method := strings.SplitN(key, " ", 2)[0]
		for p := range principalCount {
			req := row.build(m, p)
			want := row.want[p]
			before := m.counts()
			mark := m.lastEventID()
			hdr := append(append([]string{}, m.creds[p]...), req.hdr...)
			r := m.do(method, req.path, req.body, hdr...)
			cells++
			// Every event the request wrote names the user who sent it.
			for _, ev := range m.eventsAfter(mark) {
				attributed++
				if ev.Actor == "" || ev.Actor != m.users[p].Login {
					t.Errorf("%s as %s: event %s #%d has actor %q, want %q", key, principalNames[p], ev.Kind, ev.ID, ev.Actor, m.users[p].Login)
				}
			}
			if r.Code != want {
				t.Errorf("%s as %s (%s): status %d, want %d; body: %.300s", key, principalNames[p], req.path, r.Code, want, r.Body.String())
				continue
			}
			if want >= 400 {
				if after := m.counts(); after != before {
					t.Errorf("%s as %s: refused with %d but rows changed: %+v → %+v", key, principalNames[p], want, before, after)
				}
			}
			switch {
			case want == 303:
				if loc := r.Header().Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
					t.Errorf("%s as %s: 303 to %q", key, principalNames[p], loc)
				}
			case want == 403 && strings.HasPrefix(req.path, "/admin"):
				if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(r.Body.String(), "仅管理员可用") {
					t.Errorf("%s as %s: 403 page %q without 仅管理员可用", key, principalNames[p], ct)
				}
			case want >= 400:
				r.problem()
				if want == 401 && r.Header().Get("WWW-Authenticate") != `Bearer realm="panhuo"` {
					t.Errorf("%s as %s: 401 with WWW-Authenticate %q", key, principalNames[p], r.Header().Get("WWW-Authenticate"))
				}
			}
		}
	}
	if attributed < 20 {
		t.Errorf("only %d events were written through the matrix: the attribution check proves little", attributed)
	}
	t.Logf("%d routes × %d principals: %d requests, %d events attributed to their users", len(routes), principalCount, cells, attributed)
}

// lastEventID is the id of the newest event (0 when there is none).
func (m *matrixEnv) lastEventID() int64 {
	m.t.Helper()
	evs, err := m.store.SearchEvents(context.Background(), land.EventFilter{Limit: 1})
	if err != nil {
		m.t.Fatal(err)
	}
	if len(evs) == 0 {
		return 0
	}
	return evs[0].ID
}

// eventsAfter lists the events newer than id.
func (m *matrixEnv) eventsAfter(id int64) []land.Event {
	m.t.Helper()
	evs, err := m.store.SearchEvents(context.Background(), land.EventFilter{Limit: 1000})
	if err != nil {
		m.t.Fatal(err)
	}
	var out []land.Event
	for _, ev := range evs {
		if ev.ID > id {
			out = append(out, ev)
		}
	}
	return out
}
