package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestBasemapNormalized(t *testing.T) {
	for _, c := range []struct {
		in      Basemap
		want    Basemap
		wantErr string
	}{
		{Basemap{}, Basemap{Kind: "none", Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "NONE", URL: "ignored", Key: "ignored"}, Basemap{Kind: "none", Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "tianditu", Key: " abc "}, Basemap{Kind: "tianditu", URL: tiandituURL, Key: "abc", Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "tianditu", Key: "abc", Projection: "epsg:4326"}, Basemap{Kind: "tianditu", URL: tiandituURL, Key: "abc", Projection: "EPSG:4490"}, ""},
		{Basemap{Kind: "tianditu"}, Basemap{}, "needs a key"},
		{Basemap{Kind: "gaode"}, Basemap{Kind: "gaode", URL: gaodeURL, Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "gaode", Projection: "EPSG:4490"}, Basemap{}, "EPSG:3857 only"},
		{Basemap{Kind: "xyz", URL: "http://{a-c}.tiles.gov.hn/{z}/{x}/{-y}.png"}, Basemap{Kind: "xyz", URL: "http://{a-c}.tiles.gov.hn/{z}/{x}/{-y}.png", Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "xyz", URL: "/tiles/{z}/{x}/{y}.png"}, Basemap{Kind: "xyz", URL: "/tiles/{z}/{x}/{y}.png", Projection: "EPSG:3857"}, ""},
		{Basemap{Kind: "xyz"}, Basemap{}, "needs a URL"},
		{Basemap{Kind: "xyz", URL: "http://tiles.example/{z}/{x}.png"}, Basemap{}, "needs {z}, {x} and {y}"},
		{Basemap{Kind: "xyz", URL: "ftp://tiles.example/{z}/{x}/{y}.png"}, Basemap{}, "http(s)"},
		{Basemap{Kind: "xyz", URL: "http://tiles.{a-c}.example/{z}/{x}/{y}.png"}, Basemap{}, "first label"},
		{Basemap{Kind: "xyz", URL: "http://x.example/{z}/{x}/{y}.png", Projection: "EPSG:2000"}, Basemap{}, "projection"},
		{Basemap{Kind: "osm"}, Basemap{}, "want none, tianditu, gaode or xyz"},
	} {
		got, err := c.in.Normalized()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%+v: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v: %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestPageCSPForBasemap(t *testing.T) {
	for _, c := range []struct {
		b    Basemap
		want string // the img-src directive
	}{
		{Basemap{Kind: "none"}, "img-src 'self' data: blob:;"},
		{Basemap{Kind: "tianditu", URL: tiandituURL}, "img-src 'self' data: blob: https://*.tianditu.gov.cn;"},
		{Basemap{Kind: "gaode", URL: gaodeURL}, "img-src 'self' data: blob: https://*.is.autonavi.com;"},
		{Basemap{Kind: "xyz", URL: "http://10.1.2.3:8081/wmts/{z}/{x}/{y}.png"}, "img-src 'self' data: blob: http://10.1.2.3:8081;"},
		{Basemap{Kind: "xyz", URL: "/tiles/{z}/{x}/{y}.png"}, "img-src 'self' data: blob:;"},
	} {
		csp := pageCSPFor(c.b)
		if !strings.Contains(csp, c.want) {
			t.Errorf("%+v: CSP %q lacks %q", c.b, csp, c.want)
		}
		if strings.Replace(csp, c.want, "img-src 'self' data: blob:;", 1) != pageCSP {
			t.Errorf("%+v: CSP %q changes more than img-src", c.b, csp)
		}
	}
}

// GET /api/config gives the page its basemap, and pages allow its tiles.
func TestConfigRoute(t *testing.T) {
	get := func(e *env) map[string]map[string]string {
		t.Helper()
		var v map[string]map[string]string
		if err := json.Unmarshal(e.do("GET", "/api/config", nil).want(http.StatusOK).Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	e := newEnv(t)
	if got := get(e)["basemap"]; got["kind"] != "none" || got["url"] != "" || got["key"] != "" || got["projection"] != "EPSG:3857" {
		t.Errorf("default basemap %v", got)
	}
	e = newEnvOpts(t, Options{Basemap: Basemap{Kind: "tianditu", Key: "k123"}})
	got := get(e)["basemap"]
	if got["kind"] != "tianditu" || got["key"] != "k123" || !strings.Contains(got["url"], "{layer}") {
		t.Errorf("tianditu basemap %v", got)
	}
	cookie, _ := e.login("admin", testPassword)
	page := e.do("GET", "/", nil, "Cookie", cookie, "Authorization", "")
	if page.Code != http.StatusOK || !strings.Contains(page.Header().Get("Content-Security-Policy"), "https://*.tianditu.gov.cn") {
		t.Errorf("map page: %d, CSP %q", page.Code, page.Header().Get("Content-Security-Policy"))
	}
	// An invalid basemap is refused at start: the map gets none.
	e = newEnvOpts(t, Options{Basemap: Basemap{Kind: "tianditu"}})
	if got := get(e)["basemap"]; got["kind"] != "none" {
		t.Errorf("invalid basemap served as %v", got)
	}
	// Anonymous callers learn nothing.
	e.do("GET", "/api/config", nil, anon...).want(http.StatusUnauthorized)
}
