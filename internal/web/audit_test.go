package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
	"panhuo/static"
)

// eventIDs lists the ids and the events of a GET /api/audit answer.
func eventList(t *testing.T, r resp) ([]map[string]any, any) {
	t.Helper()
	m := r.json()
	var out []map[string]any
	for _, e := range m["events"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out, m["next_before"]
}

func TestAuditAPI(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.addPark("LLJK", 113.45, 27.6, 113.55, 27.7, 1000, 0)
	_, zhang := e.user("zhangsan", "张三", land.RoleOfficer, "ZZGX")
	_, li := e.user("lisi", "李四", land.RoleOfficer, "LLJK")
	_, leader := e.user("leader", "领导", land.RoleLeader)
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle", nil))
	e.do("PATCH", idPath(p), map[string]any{"properties": map[string]any{"note": "核查"}}, append(bearer(zhang), "If-Match", `"1"`)...).want(200)
	q := e.createParcel(feature(rect(113.46, 27.61, 113.462, 27.612), "idle", map[string]any{"identified_on": "2022-01-01"}), bearer(li)...)
	e.do("POST", idPath(q)+"/disposals", map[string]any{"method": "start_construction", "date": "2022-06-01"}, bearer(li)...).want(201)

	all, next := eventList(t, e.do("GET", "/api/audit", nil).want(200))
	if next != nil || len(all) < 10 {
		t.Fatalf("%d events, next_before %v", len(all), next)
	}
	for i, ev := range all {
		if i > 0 && ev["id"].(float64) >= all[i-1]["id"].(float64) {
			t.Errorf("not newest first at %d", i)
		}
		if ev["kind_name"] == "" || ev["actor"] == "" || ev["at"] == nil {
			t.Errorf("event %v", ev)
		}
	}
	if all[0]["kind"] != land.EventDisposalCreate || all[0]["kind_name"] != "登记处置" || all[0]["actor"] != "lisi" {
		t.Errorf("newest event %v", all[0])
	}

	count := func(query string) int {
		t.Helper()
		evs, _ := eventList(t, e.do("GET", "/api/audit"+query, nil).want(200))
		return len(evs)
	}
	kinds := func(query string) []string {
		t.Helper()
		evs, _ := eventList(t, e.do("GET", "/api/audit"+query, nil).want(200))
		var out []string
		for _, ev := range evs {
			out = append(out, ev["kind"].(string)+"/"+ev["actor"].(string))
		}
		return out
	}
	if got := fmt.Sprint(kinds("?actor=zhangsan")); got != "[parcel.update/zhangsan token.create/zhangsan]" {
		t.Errorf("actor=zhangsan: %s", got)
	}
	if got := fmt.Sprint(kinds("?park=LLJK")); got != "[disposal.create/lisi parcel.create/lisi park.create/test]" {
		t.Errorf("park=LLJK: %s", got)
	}
	if got := fmt.Sprint(kinds(fmt.Sprintf("?parcel=%d", int64(p["id"].(float64))))); got != "[parcel.update/zhangsan parcel.create/admin]" {
		t.Errorf("parcel: %s", got)
	}
	if n := count("?kind=user."); n != 4 { // admin (setup) and three users
		t.Errorf("kind=user.: %d events", n)
	}
	if n := count("?kind=parcel.update"); n != 1 {
		t.Errorf("kind=parcel.update: %d", n)
	}
	if n := count("?from=2022-06-28&to=2022-06-28"); n != len(all) {
		t.Errorf("today: %d of %d", n, len(all))
	}
	if n := count("?from=2022-06-29") + count("?to=2022-06-27"); n != 0 {
		t.Errorf("other days: %d", n)
	}

	// Paging by next_before covers the trail once.
	seen := map[float64]bool{}
	before := ""
	for pages := 0; ; pages++ {
		evs, nb := eventList(t, e.do("GET", "/api/audit?limit=3"+before, nil).want(200))
		if len(evs) > 3 || pages > len(all) {
			t.Fatalf("page of %d", len(evs))
		}
		for _, ev := range evs {
			if seen[ev["id"].(float64)] {
				t.Errorf("event %v twice", ev["id"])
			}
			seen[ev["id"].(float64)] = true
		}
		if nb == nil {
			break
		}
		if nb.(float64) != evs[len(evs)-1]["id"].(float64) {
			t.Errorf("next_before %v, last id %v", nb, evs[len(evs)-1]["id"])
		}
		before = fmt.Sprintf("&before=%d", int64(nb.(float64)))
	}
	if len(seen) != len(all) {
		t.Errorf("paging saw %d of %d events", len(seen), len(all))
	}

	for query, field := range map[string]string{"?limit=0": "limit", "?limit=1001": "limit", "?parcel=abc": "parcel",
		"?before=-1": "before", "?from=2022-13-01": "from", "?from=2022-06-28&to=2022-06-01": "to"} {
		if fe := e.do("GET", "/api/audit"+query, nil).want(422).fieldErrors(); fe[field] == nil {
			t.Errorf("%s: %s not named: %v", query, field, fe)
		}
	}
	if n := count("?limit=1000"); n != len(all) {
		t.Errorf("limit=1000: %d", n)
	}

	// Administrators only.
	e.do("GET", "/api/audit", nil, bearer(leader)...).want(403).problem()
	e.do("GET", "/api/audit/export.csv", nil, bearer(zhang)...).want(403).problem()

	// No path changes the trail.
	rows := e.counts()
	id := int64(all[0]["id"].(float64))
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		for _, path := range []string{"/api/audit", "/api/audit/export.csv", "/api/audit?before=1"} {
			r := e.do(m, path, map[string]any{"id": id}).want(405)
			if r.problem(); r.Header().Get("Allow") != "GET" {
				t.Errorf("%s %s: Allow %q", m, path, r.Header().Get("Allow"))
			}
		}
		e.do(m, fmt.Sprintf("/api/audit/%d", id), map[string]any{}).want(404).problem()
	}
	if after := e.counts(); after != rows {
		t.Errorf("rows changed: %+v → %+v", rows, after)
	}

	// The CSV export.
	r := e.do("GET", "/api/audit/export.csv?park=LLJK", nil).want(200)
	if ct := r.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.HasPrefix(r.Header().Get("Content-Disposition"), "attachment;") {
		t.Errorf("export headers %v", r.Header())
	}
	records := readCSV(t, r.Body.Bytes())
	if fmt.Sprint(records[0]) != "[时间 操作人 操作 园区 地块 变更前 变更后]" || len(records) != 4 {
		t.Fatalf("export: %v", records)
	}
	if rec := records[1]; rec[0] != "2022-06-28 10:00:00" || rec[1] != "lisi" || rec[2] != "登记处置" || rec[3] != "LLJK园区（LLJK）" ||
		rec[4] != fmt.Sprint(int64(q["id"].(float64))) || !json.Valid([]byte(rec[6])) {
		t.Errorf("export row %q", rec)
	}
	// At most csvCap rows, then a note.
	e.srv.csvCap = 3
	records = readCSV(t, e.do("GET", "/api/audit/export.csv", nil).want(200).Body.Bytes())
	if len(records) != 5 || !strings.Contains(records[4][0], "已达导出上限 3 行") {
		t.Errorf("capped export: %d records, last %q", len(records), records[len(records)-1])
	}
	e.srv.csvCap = len(all)
	records = readCSV(t, e.do("GET", "/api/audit/export.csv", nil).want(200).Body.Bytes())
	if len(records) != len(all)+1 {
		t.Errorf("export of exactly the cap: %d records for %d events", len(records), len(all))
	}
}

// readCSV checks the export's form (BOM, every cell quoted, CRLF) and
// parses it.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatalf("no byte order mark: %.20q", b)
	}
	b = b[3:]
	if !bytes.HasSuffix(b, []byte("\r\n")) || !bytes.HasPrefix(b, []byte(`"`)) {
		t.Errorf("records are not quoted, CRLF-ended: %.40q … %q", b, b[max(0, len(b)-10):])
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	return recs
}

func TestCSVCells(t *testing.T) {
	got := string(appendCSVRow(nil, "=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "a\"b", "普通", "", "1-2"))
	want := `"'=1+1","'+SUM(A1)","'-2","'@cmd","'` + "\tx" + `","'` + "\rx" + `","a""b","普通","","1-2"` + "\r\n"
	if got != want {
		t.Errorf("appendCSVRow = %q, want %q", got, want)
	}
	long := strings.Repeat("地", maxCSVCell+10)
	cell := string(appendCSVRow(nil, long))
	if n := len([]rune(cell)) - 4; n != maxCSVCell || !strings.Contains(cell, "已截断") {
		t.Errorf("long cell: %d runes", n)
	}
}

// XSS: hostile text comes back from every endpoint of the issue as JSON
// text, from the export as a quoted (and formula-defused) cell, and no page
// puts data into the document as HTML.
func TestXSSInert(t *testing.T) {
	const payload = `<img src=x onerror=alert(1)>`
	e := newEnv(t)
	e.mainPark()
	// A park whose name Excel would take for a formula.
	ring := orb.Ring{{113.45, 27.6}, {113.55, 27.6}, {113.55, 27.7}, {113.45, 27.7}, {113.45, 27.6}}
	if _, err := e.svc.CreatePark(context.Background(), land.Operator("test"), land.ParkInput{Code: "EVIL", Name: "=HYPERLINK(\"http://x\")",
		Level: land.LevelProvincial, City: "株洲市", Boundary: orb.MultiPolygon{{ring}}}); err != nil {
		t.Fatal(err)
	}
	xu, xtok := e.user("-xss", payload, land.RoleOfficer, "ZZGX", "EVIL")
	as := bearer(xtok)
	e.do("POST", "/api/tokens", map[string]any{"name": payload}, as...).want(201)
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle",
		map[string]any{"project_name": payload, "land_user": payload, "code": payload, "identified_on": "2022-01-01"}), as...)
	path := idPath(p)
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"note": payload}}, append(as, "If-Match", `"1"`)...).want(200)
	e.do("POST", path+"/disposals", map[string]any{"method": "extend_start", "date": "2022-06-01", "note": payload}, as...).want(201)
	e.createParcel(feature(rect(113.46, 27.61, 113.462, 27.612), "idle", map[string]any{"project_name": "=1+1"}), as...)
	cookie, csrf := e.login("-xss", testPassword)

	for _, c := range []struct {
		method, path string
		body         any
		hdr          []string
	}{
		{"GET", path, nil, as},
		{"GET", "/api/layers/parcels", nil, as},
		{"GET", path + "/history", nil, as},
		{"GET", path + "/disposals", nil, as},
		{"GET", "/api/session", nil, []string{"Cookie", cookie}},
		{"GET", "/api/me", nil, as},
		{"GET", "/api/tokens", nil, as},
		{"GET", "/api/users", nil, nil},
		{"GET", fmt.Sprintf("/api/users/%d", xu.ID), nil, nil},
		{"GET", "/api/audit", nil, nil},
		{"POST", "/api/parcels", feature(rect(113.02, 27.71, 113.022, 27.712), "idle", map[string]any{"project_name": payload}), []string{"Cookie", cookie, csrfHeader, csrf}},
		{"PATCH", fmt.Sprintf("/api/users/%d", xu.ID), map[string]any{"display_name": payload + "!"}, []string{"If-Match", fmt.Sprintf(`"%d"`, xu.Version)}},
		{"POST", "/api/session", map[string]any{"login": "-xss", "password": testPassword}, anon},
	} {
		r := e.do(c.method, c.path, c.body, c.hdr...)
		if r.Code >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Code, r.Body.String())
			continue
		}
		checkInertJSON(t, c.method+" "+c.path, r, payload)
	}
	// Errors that repeat what was sent.
	for _, path := range []string{"/api/parcels/" + payload, "/api/users/" + payload, "/api/parks/" + payload} {
		r := e.do("GET", strings.ReplaceAll(path, " ", "%20"), nil)
		if r.Code != 404 || strings.Contains(r.Body.String(), "<img") {
			t.Errorf("%s: %d %s", path, r.Code, r.Body.String())
		}
		r.problem()
	}

	// The export: the cells holding the text are quoted; formulas defused.
	body := e.do("GET", "/api/audit/export.csv", nil).want(200).Body.Bytes()
	found, parkCell, actorCell := false, false, false
	for _, rec := range readCSV(t, body) {
		for _, cell := range rec {
			if strings.Contains(cell, "onerror=alert(1)") {
				found = true
				if !bytes.Contains(body, []byte(`"`+strings.ReplaceAll(cell, `"`, `""`)+`"`)) {
					t.Errorf("cell %.60q is not quoted", cell)
				}
			}
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "-") || strings.HasPrefix(cell, "@") {
				t.Errorf("cell %q would be a formula", cell)
			}
			parkCell = parkCell || strings.HasPrefix(cell, `'=HYPERLINK`)
			actorCell = actorCell || cell == "'-xss"
		}
	}
	if !found || !parkCell || !actorCell {
		t.Errorf("export: payload found %v, defused park name %v, defused login %v", found, parkCell, actorCell)
	}

	// The pages are the static files, whatever the data.
	for _, page := range []string{"/", "/dashboard", "/admin", "/admin/audit", "/login"} {
		r := e.do("GET", page, nil).want(200)
		if ct := r.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" || strings.Contains(r.Body.String(), "onerror") {
			t.Errorf("%s: %s", page, ct)
		}
	}
	checkStaticFiles(t)
}

// checkInertJSON checks that an answer is JSON (never HTML), that the
// payload is not in it as markup, and that it comes back as text.
func checkInertJSON(t *testing.T, what string, r resp, payload string) {
	t.Helper()
	switch ct := r.Header().Get("Content-Type"); ct {
	case "application/json", "application/geo+json", "application/problem+json":
	default:
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if strings.Contains(r.Body.String(), "<img") {
		t.Errorf("%s: markup in the answer: %.200s", what, r.Body.String())
	}
	var v any
	if err := json.Unmarshal(r.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !containsText(v, payload) {
		t.Errorf("%s: the text does not come back: %.300s", what, r.Body.String())
	}
}

func containsText(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, s)
	case []any:
		for _, x := range v {
			if containsText(x, s) {
				return true
			}
		}
	case map[string]any:
		for _, x := range v {
			if containsText(x, s) {
				return true
			}
		}
	}
	return false
}

// checkStaticFiles: no script writes HTML; no page has inline scripts,
// styles or event handlers (the CSP would block them anyway); nothing loads
// from the internet.
func checkStaticFiles(t *testing.T) {
	t.Helper()
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	scriptTag := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	n := 0
	err := fs.WalkDir(static.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(name, "vendor/") { // third-party bundles (make vendor), not ours to judge
			return nil
		}
		b, err := fs.ReadFile(static.FS(), name)
		if err != nil {
			return err
		}
		s := string(b)
		switch {
		case strings.HasSuffix(name, ".js"):
			n++
			for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "http://", "https://"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s uses %s", name, bad)
				}
			}
		case strings.HasSuffix(name, ".html"):
			n++
			if m := inline.FindString(s); m != "" {
				t.Errorf("%s has inline script, style or handler: %q", name, m)
			}
			for _, tag := range scriptTag.FindAllString(s, -1) {
				if !strings.Contains(tag, `src="/static/`) {
					t.Errorf("%s: script %q not from /static/", name, tag)
				}
			}
			if strings.Contains(s, "http://") || strings.Contains(s, "https://") {
				t.Errorf("%s loads from the internet", name)
			}
		}
		return nil
	})
	if err != nil || n < 10 {
		t.Errorf("walked %d pages and scripts: %v", n, err)
	}
}

// Every page's scripts are served, as JavaScript.
func TestPagesScripts(t *testing.T) {
	e := newEnv(t)
	src := regexp.MustCompile(`src="(/static/[^"]+)"|from "\./([^"]+)"`)
	for _, page := range []string{"/", "/dashboard", "/admin", "/admin/audit", "/login", "/static/admin.js", "/static/audit.js", "/static/dashboard.js"} {
		r := e.do("GET", page, nil).want(200)
		for _, m := range src.FindAllStringSubmatch(r.Body.String(), -1) {
			path := m[1]
			if path == "" {
				path = "/static/" + m[2]
			}
			s := e.do("GET", path, nil, anon...)
			if s.Code != http.StatusOK || !strings.Contains(s.Header().Get("Content-Type"), "javascript") {
				t.Errorf("%s loads %s: %d %s", page, path, s.Code, s.Header().Get("Content-Type"))
			}
		}
	}
	// The 403 page for officers and leaders.
	_, leader := e.user("leader", "领导", land.RoleLeader)
	r := e.do("GET", "/admin", nil, bearer(leader)...).want(403)
	if !strings.Contains(r.Body.String(), "仅管理员可用") || r.Header().Get("Content-Security-Policy") != pageCSP {
		t.Errorf("403 page: %s", r.Body.String())
	}
}
