package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// The examples of RFC 7386, Appendix A.
func TestMergePatchRFC7386(t *testing.T) {
	cases := []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	}
	for _, c := range cases {
		target, err := decodeAny([]byte(c.target))
		if err != nil {
			t.Fatal(err)
		}
		patch, err := decodeAny([]byte(c.patch))
		if err != nil {
			t.Fatal(err)
		}
		targetCopy, _ := json.Marshal(target)
		got := mergePatch(target, patch)
		want, _ := decodeAny([]byte(c.want))
		if !jsonEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Errorf("merge %s with %s = %s, want %s", c.target, c.patch, g, c.want)
		}
		if after, _ := json.Marshal(target); string(after) != string(targetCopy) {
			t.Errorf("mergePatch modified its target: %s → %s", targetCopy, after)
		}
	}
}

func TestJSONEqual(t *testing.T) {
	dec := func(s string) any { v, _ := decodeAny([]byte(s)); return v }
	for _, c := range []struct {
		a, b string
		eq   bool
	}{
		{`12.5`, `12.50`, true}, {`1`, `1.0`, true}, {`1`, `"1"`, false}, {`null`, `null`, true},
		{`null`, `0`, false}, {`[1,2]`, `[1,2]`, true}, {`[1,2]`, `[2,1]`, false},
		{`{"a":[true]}`, `{"a":[true]}`, true}, {`{"a":1}`, `{"a":1,"b":2}`, false}, {`"x"`, `"x"`, true},
	} {
		if got := jsonEqual(dec(c.a), dec(c.b)); got != c.eq {
			t.Errorf("jsonEqual(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// appendString writes what encoding/json writes.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", "株洲高新区 董家垅", `quote " and \ backslash`, "tab\tnew\nline\r", "\x00\x1f\x7f",
		"<script>&</script>", "line\u2028sep\u2029", "bad \xff utf8 \xc3", "emoji 😀",
	} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	for _, f := range []float64{0, 1, -1.5, 65.58875374877942, 1e-7, -2.5e-9, 1.5e-300, 123456789012345678901234.0, 1e21, 0.1 + 0.2, math.MaxFloat64} {
		got := appendFloat(nil, f)
		want, _ := json.Marshal(f)
		if string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, encoding/json writes %s", f, got, want)
		}
	}
	if got := string(appendFloat(nil, math.NaN())); got != "null" {
		t.Errorf("NaN → %s", got)
	}
}

// The parcel Feature is valid JSON whose properties agree with land.Parcel's
// own JSON (the event trail's) on every shared key.
func TestParcelFeatureAgreesWithEventJSON(t *testing.T) {
	area := 12.5
	p := land.Parcel{
		ID: 7, ParkCode: "ZZGX", Class: land.Idle, Status: land.InProgress,
		Geometry: orb.Polygon{{{113.1, 27.8}, {113.2, 27.8}, {113.2, 27.9}, {113.1, 27.8}}},
		GKZone:   38, AreaM2: 8333.3, AreaMu: 12.49995, Disposed: 3,
		ParcelFields: land.ParcelFields{Code: "ZD\"1", DeclaredAreaMu: &area, IdentifiedOn: land.MustDate("2021-03-01"),
			AgreedStartOn: land.MustDate("2020-01-01"), IdleCause: land.IdleCauseEnterprise, Note: "a\nb"},
		Flags: []string{land.FlagStraddlesBoundary}, Version: 3, CreatedBy: "张三",
		CreatedAt: time.Date(2022, 6, 1, 8, 0, 0, 123, time.UTC), UpdatedAt: time.Date(2022, 6, 2, 8, 0, 0, 0, time.UTC),
	}
	var f struct {
		Type       string         `json:"type"`
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
	}
	b := appendParcelFeature(nil, &p)
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	ref, _ := json.Marshal(p)
	var want map[string]any
	json.Unmarshal(ref, &want)
	for k, v := range want {
		if k == "split_of" || k == "removed_reason" { // omitempty in land's JSON
			continue
		}
		got, ok := f.Properties[k]
		if !ok {
			t.Errorf("feature lacks property %s", k)
			continue
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(v)
		if string(gb) != string(wb) {
			t.Errorf("property %s = %s, land JSON says %s", k, gb, wb)
		}
	}
	if f.Type != "Feature" || f.ID != 7 || f.Properties["class_name"] != "闲置" || f.Properties["status_name"] != "处置中" {
		t.Errorf("feature head: %+v", f)
	}
	// Every read-only property is rendered (so a patch can repeat it).
	for _, k := range []string{"id", "park_code", "status", "area_mu", "area_m2", "version", "flags", "disposed_mu", "created_at", "updated_by"} {
		if !parcelReadOnly(k) {
			t.Errorf("%s should be read-only", k)
		}
		if _, ok := f.Properties[k]; !ok {
			t.Errorf("read-only %s not rendered", k)
		}
	}
}

func TestParseBBox(t *testing.T) {
	b, fe := parseBBox("113.0, 27.5,113.5,28")
	if fe != nil || b.Min != (orb.Point{113, 27.5}) || b.Max != (orb.Point{113.5, 28}) {
		t.Errorf("parse: %v %v", b, fe)
	}
	for _, s := range []string{"", "1,2,3", "1,2,3,4,5", "a,1,2,3", "113,28,114,27", "113,27,113,28", "-181,0,0,1", "0,-91,1,0", "NaN,1,2,3", "Inf,1,2,3"} {
		if _, fe := parseBBox(s); fe == nil || fe.Field != "bbox" {
			t.Errorf("parseBBox(%q) accepted", s)
		}
	}
}

func TestDecodeGeometry(t *testing.T) {
	g, err := decodeGeometry(json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[113,27,50],[113.1,27],[113.1,27.1],[113,27]]]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if mp, ok := g.(orb.MultiPolygon); !ok || len(mp) != 1 || mp[0][0][0] != (orb.Point{113, 27}) {
		t.Errorf("decoded %#v", g)
	}
	for _, s := range []string{
		`{"type":"Polygon","coordinates":[[[113],[113.1,27],[113.1,27.1],[113,27]]]}`,
		`{"type":"Polygon","coordinates":[[["113","27"]]]}`,
		`{"type":"LineString","coordinates":[[113,27],[114,28]]}`,
		`{"type":"Polygon"}`,
		`{"coordinates":[]}`,
		`[1,2]`,
	} {
		_, err := decodeGeometry(json.RawMessage(s))
		p, ok := err.(*problem)
		if !ok || p.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Field != "geometry" || !strings.ContainsFunc(p.Errors[0].Reason, func(r rune) bool { return r >= 0x4e00 }) {
			t.Errorf("decodeGeometry(%s) = %v", s, err)
		}
	}
}

// A write that found the database busy (another process held its write
// lock too long) is 503 with Retry-After, not a server fault.
func TestBusyDatabaseIs503(t *testing.T) {
	p, fault := problemOf(fmt.Errorf("create parcel: %w", fmt.Errorf("sqlite: begin: %w", land.ErrBusy)))
	if p.Status != http.StatusServiceUnavailable || fault || p.header.Get("Retry-After") == "" || p.Title != "数据库正忙" {
		t.Fatalf("problem %+v (fault %v)", p, fault)
	}
}
