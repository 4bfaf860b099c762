package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"panhuo/internal/land"
)

// 1. Areas: each fixture of geo/testdata/parcels_area.json (area from PROJ
// cs2cs + shoelace on the Gauss-Krüger plane of its zone) comes back from
// POST /api/parcels with area_mu within 0.001 亩.
func TestCreateParcelAreaMatchesPROJ(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile("../../geo/testdata/parcels_area.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string          `json:"name"`
		Zone     int             `json:"zone"`
		Geometry json.RawMessage `json:"geometry"`
		AreaM2   float64         `json:"area_m2"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no fixtures")
	}
	for i, c := range cases {
		g, err := decodeGeometry(c.Geometry)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		b := g.Bound().Pad(0.01)
		e.addPark(fmt.Sprintf("P%d", i), b.Min[0], b.Min[1], b.Max[0], b.Max[1], 1000, 0)
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			body := fmt.Sprintf(`{"type":"Feature","geometry":%s,"properties":{"class":"idle","gk_zone":%d,"project_name":%q,"qgis_fid":7}}`,
				c.Geometry, c.Zone, c.Name)
			r := e.do("POST", "/api/parcels", body).want(http.StatusCreated)
			p := r.props()
			want := c.AreaM2 / (10000.0 / 15)
			if got := num(t, p, "area_mu"); !near(got, want, 0.001) {
				t.Errorf("area_mu %.6f, want %.6f (PROJ), off by %.6f 亩", got, want, got-want)
			}
			if got := num(t, p, "area_m2"); !near(got, c.AreaM2, 0.5) {
				t.Errorf("area_m2 %.3f, want %.3f", got, c.AreaM2)
			}
			if z := num(t, p, "gk_zone"); int(z) != c.Zone {
				t.Errorf("gk_zone %v, want %d", z, c.Zone)
			}
			if pc := p["park_code"]; pc != fmt.Sprintf("P%d", i) {
				t.Errorf("park_code %v, want P%d", pc, i)
			}
			if loc := r.Header().Get("Location"); loc != idPath(p) {
				t.Errorf("Location %q, want %q", loc, idPath(p))
			}
			if et := r.Header().Get("ETag"); et != `"1"` {
				t.Errorf("ETag %q, want \"1\"", et)
			}
			if ct := r.Header().Get("Content-Type"); ct != "application/geo+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if _, ok := p["qgis_fid"]; ok {
				t.Errorf("unknown property qgis_fid was kept")
			}
			if id, _ := r.json()["id"].(float64); id != p["id"] || id <= 0 {
				t.Errorf("top-level id %v, properties id %v", r.json()["id"], p["id"])
			}
		})
	}
}

// 2. Lost updates: two PATCHes with the same If-Match give one 200 and one
// 412, sequentially and concurrently; PATCH without If-Match is 428.
func TestPatchIfMatch(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle", map[string]any{"project_name": "原名"}))
	path := idPath(p)
	patch := func(name string, ifMatch string) resp {
		hdr := []string{"Content-Type", "application/merge-patch+json"}
		if ifMatch != "" {
			hdr = append(hdr, "If-Match", ifMatch)
		}
		return e.do("PATCH", path, map[string]any{"properties": map[string]any{"project_name": name}}, hdr...)
	}

	before := e.counts()
	r := patch("无版本", "").want(http.StatusPreconditionRequired)
	if fe := r.fieldErrors(); fe["If-Match"] == nil {
		t.Errorf("428 names no If-Match field: %v", fe)
	}
	if after := e.counts(); after != before {
		t.Errorf("rows changed by a refused PATCH: %+v → %+v", before, after)
	}

	a := patch("甲", `"1"`).want(http.StatusOK)
	if et := a.Header().Get("ETag"); et != `"2"` {
		t.Errorf("ETag after PATCH %q, want \"2\"", et)
	}
	b := patch("乙", `"1"`).want(http.StatusPreconditionFailed)
	b.problem()
	if et := b.Header().Get("ETag"); et != `"2"` {
		t.Errorf("412 carries ETag %q, want the current \"2\"", et)
	}
	g := e.do("GET", path, nil).want(http.StatusOK)
	gp := g.props()
	if gp["project_name"] != "甲" || num(t, gp, "version") != 2 || g.Header().Get("ETag") != `"2"` {
		t.Errorf("after the race: project_name %v version %v ETag %s", gp["project_name"], gp["version"], g.Header().Get("ETag"))
	}
	if n := countEvents(e, path, land.EventParcelUpdate); n != 1 {
		t.Errorf("%d update events, want 1", n)
	}
	// A weak tag never matches.
	patch("丙", `W/"2"`).want(http.StatusPreconditionFailed)
	// If-None-Match on GET.
	e.do("GET", path, nil, "If-None-Match", `"2"`).want(http.StatusNotModified)

	// Concurrently: both requests may pass the handler's own check; the
	// service's check inside the transaction must refuse one of them.
	// Two officers of the park race each other.
	_, tokA := e.user("officer.a", "专员甲", land.RoleOfficer, "ZZGX")
	_, tokB := e.user("officer.b", "专员乙", land.RoleOfficer, "ZZGX")
	tokens := []string{tokA, tokB}
	guarded := 0
	for round := 0; round < 8; round++ {
		q := e.createParcel(feature(rect(113.02+0.004*float64(round), 27.72, 113.022+0.004*float64(round), 27.722), "unsupplied", nil))
		qpath := idPath(q)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		bodies := make([]string, 2)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.do("PATCH", qpath, map[string]any{"properties": map[string]any{"land_user": fmt.Sprintf("单位%d", i)}},
					append(bearer(tokens[i]), "If-Match", `"1"`)...)
				codes[i], bodies[i] = r.Code, r.Body.String()
			}()
		}
		wg.Wait()
		for _, b := range bodies {
			if strings.Contains(b, "而请求基于版本") { // the service's own stale answer
				guarded++
			}
		}
		sort.Ints(codes)
		if codes[0] != http.StatusOK || codes[1] != http.StatusPreconditionFailed {
			t.Errorf("round %d: concurrent PATCHes answered %v, want one 200 and one 412", round, codes)
		}
		if v := num(t, e.do("GET", qpath, nil).want(200).props(), "version"); v != 2 {
			t.Errorf("round %d: version %v, want 2", round, v)
		}
		if n := countEvents(e, qpath, land.EventParcelUpdate); n != 1 {
			t.Errorf("round %d: %d update events, want 1", round, n)
		}
	}
	t.Logf("%d of 8 concurrent rounds were refused by the transaction's own version check", guarded)
}

// PATCH details: read-only properties, wrong types, geometry changes, media type.
func TestPatchContent(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle", map[string]any{"code": "ZD-1", "declared_area_mu": 60}))
	path := idPath(p)
	ifm := func(v int) []string { return []string{"If-Match", fmt.Sprintf(`"%d"`, v)} }

	before := e.counts()
	r := e.do("PATCH", path, map[string]any{"properties": map[string]any{"area_mu": 1, "park_code": "XX"}}, ifm(1)...).want(422)
	if fe := r.fieldErrors(); fe["area_mu"] == nil || fe["park_code"] == nil {
		t.Errorf("read-only fields not named: %v", fe)
	}
	r = e.do("PATCH", path, map[string]any{"properties": map[string]any{"declared_area_mu": "abc"}}, ifm(1)...).want(422)
	if fe := r.fieldErrors(); fe["declared_area_mu"] == nil {
		t.Errorf("wrong type not named: %v", fe)
	}
	r = e.do("PATCH", path, map[string]any{"id": 999}, ifm(1)...).want(422)
	if fe := r.fieldErrors(); fe["id"] == nil {
		t.Errorf("id change not named: %v", fe)
	}
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"note": "x"}},
		"If-Match", `"1"`, "Content-Type", "application/json-patch+json").want(http.StatusUnsupportedMediaType).problem()
	if after := e.counts(); after != before {
		t.Errorf("rows changed by refused PATCHes: %+v → %+v", before, after)
	}

	// Sending back the whole Feature with a change is a valid merge patch:
	// read-only values that did not change are accepted.
	var whole map[string]any
	json.Unmarshal(e.do("GET", path, nil).Body.Bytes(), &whole)
	whole["properties"].(map[string]any)["land_user"] = "株洲某公司"
	whole["properties"].(map[string]any)["declared_area_mu"] = nil // null removes it
	q := e.do("PATCH", path, whole, ifm(1)...).want(200).props()
	if q["land_user"] != "株洲某公司" || q["declared_area_mu"] != nil || q["code"] != "ZD-1" || num(t, q, "version") != 2 {
		t.Errorf("whole-feature patch: %v", q)
	}

	// A geometry patch is measured again.
	q = e.do("PATCH", path, map[string]any{"geometry": rect(113.01, 27.71, 113.014, 27.712)}, ifm(2)...).want(200).props()
	if a := num(t, q, "area_mu"); !near(a, 2*num(t, p, "area_mu"), 0.01*a) {
		t.Errorf("area after doubling the rectangle %.3f, before %.3f", a, num(t, p, "area_mu"))
	}
	// Class changes while there are no disposal steps.
	q = e.do("PATCH", path, map[string]any{"properties": map[string]any{"class": "inefficient", "plot_ratio": 0.6}}, ifm(3)...).want(200).props()
	if q["class"] != "inefficient" || q["class_name"] != "低效" || num(t, q, "plot_ratio") != 0.6 {
		t.Errorf("class patch: %v", q)
	}
	// An invalid class is refused, naming class.
	r = e.do("PATCH", path, map[string]any{"properties": map[string]any{"class": "vacant"}}, ifm(4)...).want(422)
	if fe := r.fieldErrors(); fe["class"] == nil {
		t.Errorf("bad class not named: %v", fe)
	}
	e.do("PATCH", "/api/parcels/424242", map[string]any{}, ifm(1)...).want(404).problem()
}

// countEvents counts events of a kind in a parcel's history.
func countEvents(e *env, path, kind string) int {
	e.t.Helper()
	n := 0
	for _, ev := range e.do("GET", path+"/history", nil).want(200).json()["events"].([]any) {
		if ev.(map[string]any)["kind"] == kind {
			n++
		}
	}
	return n
}

// 3. Bad geometries are refused with a problem naming the geometry and the
// fault, and change nothing.
func TestBadGeometriesChangeNothing(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.createParcel(feature(rect(113.1, 27.8, 113.102, 27.802), "idle", nil))
	cases := []struct {
		name     string
		geometry any
		status   int
		reason   string
	}{
		{"bow-tie", map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
			{113.05, 27.75}, {113.052, 27.752}, {113.052, 27.75}, {113.05, 27.752}, {113.05, 27.75}}}}, 422, "自相交"},
		{"projected", map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
			{38512345.678, 3076543.21}, {38512445.678, 3076543.21}, {38512445.678, 3076643.21},
			{38512345.678, 3076643.21}, {38512345.678, 3076543.21}}}}, 422, "EPSG:45"},
		{"outside-parks", rect(112.5, 27.5, 112.502, 27.502), 422, "园区"},
		{"point", map[string]any{"type": "Point", "coordinates": []float64{113.05, 27.75}}, 422, "Polygon"},
		{"missing", nil, 422, "geometry"},
		{"not-closed", map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
			{113.05, 27.75}, {113.052, 27.75}, {113.052, 27.752}, {113.05, 27.752}}}}, 422, "闭合"},
		{"bad-coordinates", map[string]any{"type": "Polygon", "coordinates": "113,27"}, 422, "coordinates"},
		{"crs-4547", nil, 422, "EPSG:4490"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.counts()
			f := feature(c.geometry, "idle", nil)
			if c.name == "crs-4547" {
				f["geometry"] = rect(113.06, 27.76, 113.062, 27.762)
				f["crs"] = map[string]any{"type": "name", "properties": map[string]any{"name": "urn:ogc:def:crs:EPSG::4547"}}
			}
			r := e.do("POST", "/api/parcels", f).want(c.status)
			m := r.problem()
			errs := m["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("no errors in %s", r.Body.String())
			}
			first := errs[0].(map[string]any)
			if first["field"] != "geometry" {
				t.Errorf("errors[0].field = %v, want geometry; %s", first["field"], r.Body.String())
			}
			reason, _ := first["reason"].(string)
			if !strings.Contains(reason, c.reason) && !strings.Contains(fmt.Sprint(errs), c.reason) {
				t.Errorf("reason %q does not mention %q", reason, c.reason)
			}
			if after := e.counts(); after != before {
				t.Errorf("rows changed: %+v → %+v", before, after)
			}
		})
	}
}

// 4. Overlap: > 1 m² with an active parcel is 409 naming it; sharing an edge
// is fine; a fully disposed parcel no longer blocks.
func TestOverlap(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	first := e.createParcel(feature(rect(113.03, 27.73, 113.032, 27.732), "idle", map[string]any{"code": "ZD-001", "identified_on": "2021-12-01"}))
	id := int64(first["id"].(float64))

	before := e.counts()
	r := e.do("POST", "/api/parcels", feature(rect(113.031, 27.731, 113.033, 27.733), "idle", nil)).want(http.StatusConflict)
	fe := r.fieldErrors()
	if len(fe["geometry"]) == 0 || !strings.Contains(fe["geometry"][0], fmt.Sprintf("#%d", id)) {
		t.Errorf("409 does not name parcel #%d: %v", id, fe)
	}
	if after := e.counts(); after != before {
		t.Errorf("rows changed: %+v → %+v", before, after)
	}

	// Adjacent, sharing the east edge.
	e.createParcel(feature(rect(113.032, 27.73, 113.034, 27.732), "unsupplied", nil))

	// Dispose of the first parcel fully; then land overlapping it is accepted
	// (land once supplied can later be found idle again).
	e.do("POST", idPath(first)+"/disposals", map[string]any{"method": "start_construction", "date": "2022-05-01"}).want(201)
	e.createParcel(feature(rect(113.0305, 27.7305, 113.0315, 27.7315), "inefficient", nil))
}

// 5. Disposal steps and the rates they produce.
func TestDisposalsAndRates(t *testing.T) {
	e := newEnv(t)
	e.addPark("AAA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	e.addPark("BBB", 113.1, 27.7, 113.2, 27.8, 500, 0)
	e.addPark("CCC", 113.2, 27.7, 113.3, 27.8, 800, 50)

	idle := e.createParcel(feature(rect(113.01, 27.71, 113.013, 27.713), "idle", map[string]any{"identified_on": "2021-03-01"}))
	unsup := e.createParcel(feature(rect(113.02, 27.71, 113.023, 27.713), "unsupplied", map[string]any{"approved_on": "2021-06-01"}))
	ineff := e.createParcel(feature(rect(113.03, 27.71, 113.033, 27.713), "inefficient", map[string]any{"identified_on": "2022-02-01"}))
	bpar := e.createParcel(feature(rect(113.11, 27.71, 113.112, 27.712), "idle", map[string]any{"identified_on": "2021-01-10"}))
	a1, a2, a3, b1 := num(t, idle, "area_mu"), num(t, unsup, "area_mu"), num(t, ineff, "area_mu"), num(t, bpar, "area_mu")
	if unsup["identified_on"] != "2021-06-01" {
		t.Errorf("批而未供 identified_on %v, want the approval date", unsup["identified_on"])
	}

	// The steps are recorded by an officer of both parks.
	_, officer := e.user("officer", "专员", land.RoleOfficer, "AAA", "BBB")
	post := func(p map[string]any, body map[string]any) resp {
		return e.do("POST", idPath(p)+"/disposals", body, bearer(officer)...)
	}
	// Counting step, default area: all of it.
	r := post(idle, map[string]any{"method": "start_construction", "date": "2022-03-10", "note": "已动工"}).want(201)
	m := r.json()
	if d := m["disposal"].(map[string]any); !near(num(t, d, "area_mu"), a1, 1e-9) || d["counts"] != true {
		t.Errorf("default disposal %v, want the whole %.4f 亩", d, a1)
	}
	pp := m["parcel"].(map[string]any)["properties"].(map[string]any)
	if pp["status"] != "disposed" || r.Header().Get("ETag") != `"2"` {
		t.Errorf("after full disposal: status %v ETag %s", pp["status"], r.Header().Get("ETag"))
	}
	// A disposed parcel takes no more steps.
	post(idle, map[string]any{"method": "start_construction", "date": "2022-03-11"}).want(409).problem()

	// Partial step.
	r = post(unsup, map[string]any{"method": "supply", "date": "2022-05-01", "area_mu": 5}).want(201)
	pp = r.json()["parcel"].(map[string]any)["properties"].(map[string]any)
	if pp["status"] != "in_progress" || num(t, pp, "disposed_mu") != 5 {
		t.Errorf("partial: status %v disposed %v", pp["status"], pp["disposed_mu"])
	}
	// More than is left.
	before := e.counts()
	r = post(unsup, map[string]any{"method": "supply", "date": "2022-05-02", "area_mu": a2}).want(422)
	if fe := r.fieldErrors(); fe["area_mu"] == nil {
		t.Errorf("area over remaining not named: %v", fe)
	}
	// Method of another class.
	r = post(unsup, map[string]any{"method": "start_construction", "date": "2022-05-02"}).want(422)
	if fe := r.fieldErrors(); fe["method"] == nil {
		t.Errorf("method of wrong class not named: %v", fe)
	}
	// Wrong types and a bad date.
	r = post(unsup, map[string]any{"method": "supply", "date": "2022-13-01", "area_mu": "5"}).want(422)
	if fe := r.fieldErrors(); fe["area_mu"] == nil || fe["date"] == nil {
		t.Errorf("wrong types not named: %v", fe)
	}
	e.do("POST", idPath(unsup)+"/disposals", "{not json").want(400).problem()
	e.do("POST", "/api/parcels/999999/disposals", map[string]any{"method": "supply", "date": "2022-05-02"}).want(404).problem()
	if after := e.counts(); after != before {
		t.Errorf("rows changed by refused disposals: %+v → %+v", before, after)
	}

	// Non-counting step: in progress, no area used.
	r = post(ineff, map[string]any{"method": "renovation", "date": "2022-04-01"}).want(201)
	m = r.json()
	pp = m["parcel"].(map[string]any)["properties"].(map[string]any)
	if pp["status"] != "in_progress" || num(t, pp, "disposed_mu") != 0 || num(t, m["disposal"].(map[string]any), "area_mu") != 0 {
		t.Errorf("non-counting: %v", pp)
	}
	post(bpar, map[string]any{"method": "paid_recovery", "date": "2021-12-01"}).want(201)

	ds := e.do("GET", idPath(unsup)+"/disposals", nil).want(200).json()["disposals"].([]any)
	if len(ds) != 1 {
		t.Errorf("%d disposals of the partial parcel, want 1", len(ds))
	}

	rows := func(query string) map[string]map[string]any {
		t.Helper()
		rep := e.do("GET", "/api/rates"+query, nil).want(200).json()
		out := map[string]map[string]any{}
		list := rep["rows"].([]any)
		for i, r := range list {
			row := r.(map[string]any)
			row["_pos"] = float64(i)
			out[row["park_code"].(string)] = row
		}
		if last := list[len(list)-1].(map[string]any); last["park_code"] != "total" {
			t.Errorf("last row %v, want total", last["park_code"])
		}
		return out
	}
	check := func(label string, row map[string]any, idMu float64, idN int, dMu float64, dN int) {
		t.Helper()
		if got := num(t, row, "identified_mu"); !near(got, idMu, 1e-6) {
			t.Errorf("%s identified_mu %.6f, want %.6f", label, got, idMu)
		}
		if got := num(t, row, "disposed_mu"); !near(got, dMu, 1e-6) {
			t.Errorf("%s disposed_mu %.6f, want %.6f", label, got, dMu)
		}
		if got := int(num(t, row, "identified_count")); got != idN {
			t.Errorf("%s identified_count %d, want %d", label, got, idN)
		}
		if got := int(num(t, row, "disposed_count")); got != dN {
			t.Errorf("%s disposed_count %d, want %d", label, got, dN)
		}
		if idMu > 0 {
			if got := num(t, row, "rate"); !near(got, dMu/idMu, 1e-9) {
				t.Errorf("%s rate %.6f, want %.6f", label, got, dMu/idMu)
			}
			if got := num(t, row, "rate_count"); !near(got, float64(dN)/float64(idN), 1e-9) {
				t.Errorf("%s rate_count %.6f, want %d/%d", label, got, dN, idN)
			}
		}
	}

	// Cumulative, as of today.
	rs := rows("")
	check("AAA", rs["AAA"], a1+a2+a3, 3, a1+5, 1)
	check("BBB", rs["BBB"], b1, 1, b1, 1)
	check("total", rs["total"], a1+a2+a3+b1, 4, a1+5+b1, 2)
	if rs["BBB"]["_pos"].(float64) != 0 || num(t, rs["BBB"], "rank") != 1 || num(t, rs["AAA"], "rank") != 2 {
		t.Errorf("ranking: BBB pos %v rank %v, AAA rank %v", rs["BBB"]["_pos"], rs["BBB"]["rank"], rs["AAA"]["rank"])
	}
	if rs["CCC"]["rate"] != nil || rs["CCC"]["_pos"].(float64) != 2 {
		t.Errorf("empty park: rate %v position %v", rs["CCC"]["rate"], rs["CCC"]["_pos"])
	}
	if got := num(t, rs["AAA"], "builtup_share"); !near(got, (a1+a2+a3)/1000, 1e-9) {
		t.Errorf("builtup_share %.6f", got)
	}
	if got := num(t, rs["AAA"], "target_progress"); !near(got, (a1+5)/100, 1e-9) {
		t.Errorf("target_progress %.6f, want %.6f", got, (a1+5)/100)
	}
	byClass := rs["AAA"]["by_class"].(map[string]any)
	check("AAA idle", byClass["idle"].(map[string]any), a1, 1, a1, 1)
	check("AAA unsupplied", byClass["unsupplied"].(map[string]any), a2, 1, 5, 0)

	// As of a date before the first 2022 disposal: nothing disposed in AAA.
	rs = rows("?asof=2022-03-01")
	check("AAA asof 03-01", rs["AAA"], a1+a2+a3, 3, 0, 0)
	// Before the 低效 parcel was identified.
	rs = rows("?asof=2022-01-31")
	check("AAA asof 01-31", rs["AAA"], a1+a2, 2, 0, 0)
	rs = rows("?asof=2022-03-31")
	check("AAA asof 03-31", rs["AAA"], a1+a2+a3, 3, a1, 1)

	// Period from 2022-04-01: the idle parcel was disposed before it and is
	// out of the stock; the partial step is in the period.
	rs = rows("?from=2022-04-01")
	check("AAA from 04-01", rs["AAA"], a2+a3, 2, 5, 0)
	check("BBB from 04-01", rs["BBB"], 0, 0, 0, 0)
	rs = rows("?from=2022-01-01&asof=2022-06-28")
	check("AAA from 01-01", rs["AAA"], a1+a2+a3, 3, a1+5, 1)

	// One class.
	rs = rows("?class=unsupplied")
	check("AAA unsupplied only", rs["AAA"], a2, 1, 5, 0)

	// Bad parameters name the field.
	for q, field := range map[string]string{"?asof=2022-02-30": "asof", "?from=yesterday": "from", "?class=vacant": "class", "?from=2022-07-01": "from"} {
		r := e.do("GET", "/api/rates"+q, nil).want(422)
		if fe := r.fieldErrors(); fe[field] == nil {
			t.Errorf("%s: field %s not named: %v", q, field, fe)
		}
	}

	// Trend: month by month, cumulative.
	series := e.do("GET", "/api/rates/trend?park=AAA&from=2022-01&to=2022-06", nil).want(200).json()["series"].([]any)
	if len(series) != 6 {
		t.Fatalf("%d months, want 6", len(series))
	}
	wantDisposed := []float64{0, 0, a1, a1, a1 + 5, a1 + 5}
	wantIdentified := []float64{a1 + a2, a1 + a2 + a3, a1 + a2 + a3, a1 + a2 + a3, a1 + a2 + a3, a1 + a2 + a3}
	for i, s := range series {
		p := s.(map[string]any)
		if p["month"] != fmt.Sprintf("2022-%02d", i+1) {
			t.Errorf("month %v", p["month"])
		}
		if !near(num(t, p, "disposed_mu"), wantDisposed[i], 1e-6) || !near(num(t, p, "identified_mu"), wantIdentified[i], 1e-6) {
			t.Errorf("%v: identified %v disposed %v, want %.4f %.4f", p["month"], p["identified_mu"], p["disposed_mu"], wantIdentified[i], wantDisposed[i])
		}
	}
	if last := series[5].(map[string]any); last["asof"] != "2022-06-28" {
		t.Errorf("current month as of %v, want today", last["asof"])
	}
	e.do("GET", "/api/rates/trend?park=NOPE", nil).want(404).problem()
	if fe := e.do("GET", "/api/rates/trend?from=2022-1", nil).want(422).fieldErrors(); fe["from"] == nil {
		t.Errorf("bad month not named: %v", fe)
	}

	// The park list carries the current figures.
	parks := e.do("GET", "/api/parks", nil).want(200).json()["parks"].([]any)
	found := false
	for _, p := range parks {
		p := p.(map[string]any)
		if p["code"] == "AAA" {
			found = true
			if !near(num(t, p, "identified_mu"), a1+a2+a3, 1e-6) || !near(num(t, p, "rate"), (a1+5)/(a1+a2+a3), 1e-9) ||
				num(t, p, "builtup_mu") != 1000 || num(t, p, "target_mu") != 100 || p["level"] != "省级" {
				t.Errorf("park AAA in /api/parks: %v", p)
			}
		}
	}
	if !found || len(parks) != 3 {
		t.Errorf("/api/parks lists %d parks", len(parks))
	}
}

// 6. Layers: filters select the right parcels; coordinates have at most 8
// decimals; the media type is GeoJSON's.
func TestParcelsLayer(t *testing.T) {
	e := newEnv(t)
	e.addPark("AAA", 113.0, 27.7, 113.1, 27.8, 1000, 0)
	e.addPark("BBB", 113.1, 27.7, 113.2, 27.8, 1000, 0)
	mk := func(lon float64, park, class string) int {
		ring := map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
			{lon, 27.71}, {lon + 0.0021234567891, 27.71}, {lon + 0.0021234567891, 27.7121234567891}, {lon, 27.71212}, {lon, 27.71}}}}
		p := e.createParcel(feature(ring, class, map[string]any{"identified_on": "2022-01-01"}))
		if p["park_code"] != park {
			t.Fatalf("parcel at %v placed in %v, want %s", lon, p["park_code"], park)
		}
		return int(p["id"].(float64))
	}
	a1 := mk(113.01, "AAA", "idle")
	a2 := mk(113.02, "AAA", "unsupplied")
	a3 := mk(113.05, "AAA", "idle")
	b1 := mk(113.11, "BBB", "idle")
	b2 := mk(113.15, "BBB", "inefficient")
	e.do("POST", fmt.Sprintf("/api/parcels/%d/disposals", a3), map[string]any{"method": "start_construction", "date": "2022-06-01"}).want(201)
	e.do("POST", fmt.Sprintf("/api/parcels/%d/disposals", b1), map[string]any{"method": "extend_start", "date": "2022-06-01"}).want(201)

	ids := func(query string) []int {
		t.Helper()
		r := e.do("GET", "/api/layers/parcels"+query, nil).want(200)
		if ct := r.Header().Get("Content-Type"); ct != "application/geo+json" {
			t.Errorf("Content-Type %q", ct)
		}
		fc := r.json()
		if fc["type"] != "FeatureCollection" {
			t.Fatalf("type %v", fc["type"])
		}
		var out []int
		for _, f := range fc["features"].([]any) {
			f := f.(map[string]any)
			id := int(f["id"].(float64))
			props := f["properties"].(map[string]any)
			if int(props["id"].(float64)) != id {
				t.Errorf("feature id %d, properties id %v", id, props["id"])
			}
			for _, k := range []string{"park_code", "class", "class_name", "status", "status_name", "area_mu", "area_m2", "version", "flags", "gk_zone", "identified_on", "removed_on", "disposed_mu", "declared_area_mu", "code", "supervision_no"} {
				if _, ok := props[k]; !ok {
					t.Errorf("feature %d lacks property %s", id, k)
				}
			}
			out = append(out, id)
		}
		sort.Ints(out)
		return out
	}
	eq := func(query string, want ...int) {
		t.Helper()
		sort.Ints(want)
		if got := ids(query); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: ids %v, want %v", query, got, want)
		}
	}
	eq("", a1, a2, a3, b1, b2)
	eq("?class=idle", a1, a3, b1)
	eq("?park=BBB", b1, b2)
	eq("?status=disposed", a3)
	eq("?status=in_progress", b1)
	eq("?status=pending&park=AAA", a1, a2)
	eq("?class=idle&park=AAA&status=pending", a1)
	eq("?bbox=113.015,27.705,113.03,27.72", a2)
	eq("?bbox=113.0,27.7,113.012,27.72", a1)
	eq("?bbox=114,28,115,29")

	// At most 8 decimals in coordinates.
	body := e.do("GET", "/api/layers/parcels", nil).Body.String()
	for _, m := range regexp.MustCompile(`"coordinates":(\[[^"]*\])`).FindAllStringSubmatch(body, -1) {
		for _, n := range regexp.MustCompile(`\.(\d+)`).FindAllStringSubmatch(m[1], -1) {
			if len(n[1]) > 8 {
				t.Fatalf("coordinate with %d decimals: %s", len(n[1]), n[0])
			}
		}
	}

	for q, field := range map[string]string{
		"?bbox=1,2,3":              "bbox",
		"?bbox=113,27,112,28":      "bbox",
		"?bbox=a,b,c,d":            "bbox",
		"?bbox=113,27,200,28":      "bbox",
		"?bbox=113,-95,114,28":     "bbox",
		"?class=vacant":            "class",
		"?status=done":             "status",
		"?park=NOPE":               "park",
		"?include_removed=perhaps": "include_removed",
	} {
		r := e.do("GET", "/api/layers/parcels"+q, nil).want(422)
		if fe := r.fieldErrors(); fe[field] == nil {
			t.Errorf("%s: field %s not named: %v", q, field, fe)
		}
	}
}

// 7. DELETE: If-Match and a reason; the parcel leaves the layer but stays
// readable, with its history.
func TestDeleteParcel(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "idle", map[string]any{"identified_on": "2022-01-05"}))
	path := idPath(p)
	e.do("DELETE", path, map[string]any{"reason": "重复登记"}).want(428).problem()
	e.do("DELETE", path, map[string]any{"reason": "重复登记"}, "If-Match", `"7"`).want(412).problem()
	r := e.do("DELETE", path, map[string]any{"removed_on": "2022-05-01"}, "If-Match", `"1"`).want(422)
	if fe := r.fieldErrors(); fe["reason"] == nil {
		t.Errorf("missing reason not named: %v", fe)
	}
	_, lisi := e.user("lisi", "李四", land.RoleOfficer, "ZZGX")
	r = e.do("DELETE", path, map[string]any{"reason": "重复登记", "removed_on": "2022-05-01"}, append(bearer(lisi), "If-Match", `"1"`)...).want(200)
	rp := r.props()
	if rp["removed_on"] != "2022-05-01" || rp["removed_reason"] != "重复登记" || r.Header().Get("ETag") != `"2"` {
		t.Errorf("removed: %v ETag %s", rp, r.Header().Get("ETag"))
	}
	if fs := e.do("GET", "/api/layers/parcels", nil).want(200).json()["features"].([]any); len(fs) != 0 {
		t.Errorf("layer still lists %d parcels", len(fs))
	}
	if fs := e.do("GET", "/api/layers/parcels?include_removed=true", nil).want(200).json()["features"].([]any); len(fs) != 1 {
		t.Errorf("include_removed lists %d parcels", len(fs))
	}
	if g := e.do("GET", path, nil).want(200).props(); g["removed_on"] != "2022-05-01" {
		t.Errorf("GET removed parcel: removed_on %v", g["removed_on"])
	}
	// A removed parcel takes no more writes.
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"note": "x"}}, "If-Match", `"2"`).want(409).problem()
	events := e.do("GET", path+"/history", nil).want(200).json()["events"].([]any)
	last := events[len(events)-1].(map[string]any)
	if last["kind"] != land.EventParcelDelete || last["actor"] != "lisi" {
		t.Errorf("last event %v by %v", last["kind"], last["actor"])
	}
	// Removed parcels count in rates only before their removal.
	if row := e.do("GET", "/api/rates?asof=2022-04-30", nil).want(200).json()["rows"].([]any)[0].(map[string]any); num(t, row, "identified_count") != 1 {
		t.Errorf("rates before removal: %v", row)
	}
	if row := e.do("GET", "/api/rates", nil).want(200).json()["rows"].([]any)[0].(map[string]any); num(t, row, "identified_count") != 0 {
		t.Errorf("rates after removal: %v", row)
	}

	// The reason may come in the query.
	q := e.createParcel(feature(rect(113.02, 27.71, 113.022, 27.712), "idle", nil))
	e.do("DELETE", idPath(q)+"?reason="+"%E6%A0%B8%E6%9F%A5%E5%90%8E%E4%B8%8D%E5%B1%9E%E4%BA%8E", nil, "If-Match", `"1"`).want(200)
}

// 8. Error shapes of Echo's own errors and of bodies.
func TestErrorShapes(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.do("GET", "/no/such/route", nil).want(404).problem()
	e.do("GET", "/api/parcels/abc", nil).want(404).problem()
	e.do("GET", "/api/parcels/-3", nil).want(404).problem()
	e.do("GET", "/api/parcels/123456", nil).want(404).problem()
	r := e.do("PUT", "/api/parcels/1", "{}").want(405)
	r.problem()
	if r.Header().Get("Allow") == "" {
		t.Errorf("405 without Allow")
	}
	e.do("POST", "/api/parcels", `{"type":"Feature",`).want(400).problem()
	e.do("POST", "/api/parcels", `[1,2]`).want(400).problem()
	e.do("POST", "/api/parcels", ``).want(400).problem()
	big := `{"type":"Feature","properties":{"note":"` + strings.Repeat("地", 1<<19) + `"}}`
	e.do("POST", "/api/parcels", big).want(413).problem()
	// Without a Content-Length (chunked), the limit holds while reading.
	req := httptest.NewRequest("POST", "/api/parcels", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.adminToken)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	resp{w, t}.want(413).problem()

	// Wrong property types name the field; a missing class names class.
	g := rect(113.05, 27.75, 113.052, 27.752)
	before := e.counts()
	fe := e.do("POST", "/api/parcels", feature(g, "idle", map[string]any{"declared_area_mu": "abc", "identified_on": 20220101, "gk_zone": 38.5})).want(422).fieldErrors()
	for _, f := range []string{"declared_area_mu", "identified_on", "gk_zone"} {
		if fe[f] == nil {
			t.Errorf("field %s not named: %v", f, fe)
		}
	}
	fe = e.do("POST", "/api/parcels", map[string]any{"type": "Feature", "geometry": g, "properties": map[string]any{"code": 1}}).want(422).fieldErrors()
	if fe["class"] == nil {
		t.Errorf("missing class not named: %v", fe)
	}
	fe = e.do("POST", "/api/parcels", map[string]any{"type": "FeatureCollection", "features": []any{}}).want(422).fieldErrors()
	if fe["type"] == nil {
		t.Errorf("FeatureCollection not refused by type: %v", fe)
	}
	if after := e.counts(); after != before {
		t.Errorf("rows changed: %+v → %+v", before, after)
	}
	// Read-only and unknown properties are ignored on create; numbers are
	// taken as text where text is wanted.
	p := e.createParcel(feature(g, "idle", map[string]any{"area_mu": 9999, "status": "disposed", "version": 9, "code": 4302110001, "fid": 3}))
	if num(t, p, "area_mu") == 9999 || p["status"] != "pending" || num(t, p, "version") != 1 || p["code"] != "4302110001" {
		t.Errorf("read-only properties taken from the request: %v", p)
	}

	// X-Actor, which named the actor before users existed, is ignored:
	// the write is the authenticated user's, whatever the header says.
	f := feature(rect(113.06, 27.76, 113.062, 27.762), "idle", nil)
	if q := e.do("POST", "/api/parcels", f, "X-Actor", "mallory").want(201).props(); q["created_by"] != "admin" {
		t.Errorf("created_by %v, want the authenticated admin", q["created_by"])
	}
	_, leader := e.user("leader", "领导", land.RoleLeader)
	before = e.counts()
	e.do("POST", "/api/parcels", feature(rect(113.07, 27.77, 113.072, 27.772), "idle", nil),
		append(bearer(leader), "X-Actor", "admin")...).want(403).problem()
	if after := e.counts(); after != before {
		t.Errorf("a leader naming admin in X-Actor wrote: %+v → %+v", before, after)
	}
}

// 9. History: every write carries the login of the user who made it.
func TestHistoryActors(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	_, zhang := e.user("zhangsan", "张三", land.RoleOfficer, "ZZGX")
	_, wang := e.user("wangwu", "王五", land.RoleOfficer, "ZZGX")
	_, li := e.user("lisi", "李四", land.RoleOfficer, "ZZGX")
	p := e.createParcel(feature(rect(113.01, 27.71, 113.012, 27.712), "unsupplied", map[string]any{"approved_on": "2021-09-01"}))
	path := idPath(p)
	e.do("PATCH", path, map[string]any{"properties": map[string]any{"batch_name": "2021年第3批次"}}, append(bearer(zhang), "If-Match", `"1"`)...).want(200)
	e.do("POST", path+"/disposals", map[string]any{"method": "land_reserve", "date": "2022-01-10"}, append(bearer(wang), "X-Actor", "lisi")...).want(201)
	e.do("DELETE", path, map[string]any{"reason": "核查后不属于三类用地"}, append(bearer(li), "If-Match", `"3"`)...).want(200)

	events := e.do("GET", path+"/history", nil).want(200).json()["events"].([]any)
	want := []struct{ kind, actor string }{
		{land.EventParcelCreate, "admin"},
		{land.EventParcelUpdate, "zhangsan"},
		{land.EventDisposalCreate, "wangwu"},
		{land.EventParcelDelete, "lisi"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d: %v", len(events), len(want), events)
	}
	for i, w := range want {
		ev := events[i].(map[string]any)
		if ev["kind"] != w.kind || ev["actor"] != w.actor {
			t.Errorf("event %d: %v by %v, want %s by %s", i, ev["kind"], ev["actor"], w.kind, w.actor)
		}
		if ev["at"] == nil {
			t.Errorf("event %d without time", i)
		}
	}
	upd := events[1].(map[string]any)
	before, after := upd["before"].(map[string]any), upd["after"].(map[string]any)
	if before["properties"].(map[string]any)["batch_name"] != "" || after["properties"].(map[string]any)["batch_name"] != "2021年第3批次" {
		t.Errorf("update event before/after: %v → %v", before["properties"], after["properties"])
	}
	e.do("GET", "/api/parcels/99999/history", nil).want(404).problem()
}

// Parks: create, read, patch, layer.
func TestParksAPI(t *testing.T) {
	e := newEnv(t)
	park := map[string]any{"type": "Feature", "geometry": rect(113.45, 27.6, 113.55, 27.7), "properties": map[string]any{
		"code": "LLJK", "name": "醴陵经开区", "level": "省级", "city": "株洲市", "builtup_mu": 12000, "target_mu": 300, "target_year": 2022}}
	r := e.do("POST", "/api/parks", park).want(201)
	if r.Header().Get("Location") != "/api/parks/LLJK" {
		t.Errorf("Location %q", r.Header().Get("Location"))
	}
	pp := r.props()
	if pp["name"] != "醴陵经开区" || num(t, pp, "area_mu") < 100000 || num(t, pp, "gk_zone") != 38 {
		t.Errorf("created park: %v", pp)
	}
	e.do("POST", "/api/parks", park).want(409).problem()
	bad := map[string]any{"type": "Feature", "geometry": rect(113.45, 27.6, 113.55, 27.7), "properties": map[string]any{"code": "X", "level": "市级", "builtup_mu": "many"}}
	fe := e.do("POST", "/api/parks", bad).want(422).fieldErrors()
	if fe["builtup_mu"] == nil {
		t.Errorf("wrong type not named: %v", fe)
	}
	bad["properties"].(map[string]any)["builtup_mu"] = 1
	fe = e.do("POST", "/api/parks", bad).want(422).fieldErrors()
	if fe["code"] == nil || fe["level"] == nil || fe["name"] == nil {
		t.Errorf("bad park fields not named: %v", fe)
	}

	r = e.do("PATCH", "/api/parks/LLJK", map[string]any{"properties": map[string]any{"target_mu": 350}}, "Content-Type", "application/merge-patch+json").want(200)
	if p := r.props(); num(t, p, "target_mu") != 350 || p["name"] != "醴陵经开区" || num(t, p, "version") != 2 {
		t.Errorf("patched park: %v", p)
	}
	fe = e.do("PATCH", "/api/parks/LLJK", map[string]any{"properties": map[string]any{"area_mu": 1}}).want(422).fieldErrors()
	if fe["area_mu"] == nil {
		t.Errorf("read-only park field not named: %v", fe)
	}
	fe = e.do("PATCH", "/api/parks/LLJK", map[string]any{"properties": map[string]any{"code": "LL"}}).want(422).fieldErrors()
	if fe["code"] == nil {
		t.Errorf("code change not named: %v", fe)
	}
	e.do("PATCH", "/api/parks/LLJK", map[string]any{"properties": map[string]any{"target_mu": 1}}, "If-Match", `"1"`).want(412).problem()
	e.do("PATCH", "/api/parks/NOPE", map[string]any{}).want(404).problem()
	e.do("GET", "/api/parks/LLJK", nil).want(200)

	layer := e.do("GET", "/api/layers/parks", nil).want(200)
	if ct := layer.Header().Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	fs := layer.json()["features"].([]any)
	if len(fs) != 1 || fs[0].(map[string]any)["id"] != "LLJK" {
		t.Errorf("parks layer: %v", fs)
	}
	props := fs[0].(map[string]any)["properties"].(map[string]any)
	for _, k := range []string{"code", "name", "level", "city", "area_mu", "gk_zone", "builtup_mu", "target_mu", "target_year", "demo", "version"} {
		if _, ok := props[k]; !ok {
			t.Errorf("park layer lacks %s", k)
		}
	}
	parks := e.do("GET", "/api/parks", nil).want(200).json()["parks"].([]any)
	if len(parks) != 1 {
		t.Fatalf("%d parks", len(parks))
	}
	if p := parks[0].(map[string]any); p["rate"] != nil || num(t, p, "identified_mu") != 0 || num(t, p, "target_mu") != 350 {
		t.Errorf("park without parcels: %v", p)
	}

	ms := e.do("GET", "/api/methods", nil).want(200).json()["methods"].([]any)
	if len(ms) != len(land.DefaultMethods()) {
		t.Errorf("%d methods", len(ms))
	}
	m0 := ms[0].(map[string]any)
	for _, k := range []string{"code", "class", "name", "counts", "order"} {
		if _, ok := m0[k]; !ok {
			t.Errorf("method lacks %s", k)
		}
	}
}

func TestHealthzAndPages(t *testing.T) {
	e := newEnv(t)
	h := e.do("GET", "/healthz", nil).want(200).json()
	if h["status"] != "ok" || h["engine"] != e.store.Engine() || num(t, h, "schema_version") < 1 {
		t.Errorf("healthz: %v", h)
	}
	for path, want := range map[string]string{
		"/":                     `<script type="module" src="/static/map.js">`,
		"/dashboard":            "dashboard.js",
		"/static/dashboard.js":  "textContent",
		"/static/style.css":     "font-family",
		"/static/../static.go":  "",
		"/static/dashboard.htm": "",
	} {
		r := e.do("GET", path, nil)
		if want == "" {
			r.want(404).problem()
			continue
		}
		r.want(200)
		if !strings.Contains(r.Body.String(), want) {
			t.Errorf("%s does not contain %q", path, want)
		}
		if strings.HasSuffix(path, ".js") && !strings.Contains(r.Header().Get("Content-Type"), "javascript") {
			t.Errorf("%s Content-Type %q", path, r.Header().Get("Content-Type"))
		}
		if (path == "/" || path == "/dashboard") && (r.Header().Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(r.Body.String(), `lang="zh-CN"`)) {
			t.Errorf("%s: %s", path, r.Header().Get("Content-Type"))
		}
	}
	js := e.do("GET", "/static/dashboard.js", nil).Body.String()
	if strings.Contains(js, "innerHTML") || strings.Contains(js, "http://") || strings.Contains(js, "https://") {
		t.Errorf("dashboard.js uses innerHTML or loads from the internet")
	}
}
