package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestLayersAreCompressedForClientsThatAsk: a browser (Accept-Encoding: gzip)
// gets the parcel layer gzipped, and it decompresses to exactly the bytes a
// client that does not ask gets; an empty 304 stays empty.
func TestLayersAreCompressedForClientsThatAsk(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	for i := range 40 {
		lon := 113.01 + float64(i%8)*0.003
		lat := 27.71 + float64(i/8)*0.003
		e.createParcel(feature(rect(lon, lat, lon+0.002, lat+0.002), "idle", map[string]any{"identified_on": "2022-01-01", "project_name": "压缩测试"}))
	}
	plain := e.do("GET", "/api/layers/parcels", nil).want(http.StatusOK)
	if ce := plain.Header().Get("Content-Encoding"); ce != "" {
		t.Fatalf("Content-Encoding %q without Accept-Encoding", ce)
	}
	zipped := e.do("GET", "/api/layers/parcels", nil, "Accept-Encoding", "gzip, deflate, br").want(http.StatusOK)
	if ce := zipped.Header().Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", ce)
	}
	if v := zipped.Header().Values("Vary"); len(v) == 0 {
		t.Errorf("no Vary: Accept-Encoding")
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain.Body.Bytes()) {
		t.Fatalf("decompressed layer (%d bytes) differs from the plain one (%d bytes)", len(got), plain.Body.Len())
	}
	if zipped.Body.Len()*3 > plain.Body.Len() {
		t.Errorf("gzip saved little: %d → %d bytes", plain.Body.Len(), zipped.Body.Len())
	}
	if r := e.do("GET", "/api/layers/parcels", nil, "Accept-Encoding", "gzip;q=0"); r.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got %q", r.Header().Get("Content-Encoding"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "br, gzip": true, "gzip;q=0": false, "gzip; q=0.5": true, "deflate": false, "x-gzip": false,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

// Static files carry an ETag: a browser revalidating (Cache-Control:
// no-cache) gets 304 with no body, for the plain and the gzip form alike,
// and a file that changed (another tag) comes again whole.
func TestStaticFilesAnswerConditionalRequests(t *testing.T) {
	e := newEnv(t)
	first := e.do("GET", "/static/map.js", nil, anon...).want(200)
	tag := first.Header().Get("ETag")
	if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 10 || first.Body.Len() == 0 {
		t.Fatalf("ETag %q, %d bytes", tag, first.Body.Len())
	}
	if other := e.do("GET", "/static/map.css", nil, anon...).want(200).Header().Get("ETag"); other == tag || other == "" {
		t.Fatalf("map.css has ETag %q, map.js %q", other, tag)
	}
	again := e.do("GET", "/static/map.js", nil, append(anon, "If-None-Match", tag)...).want(304)
	if again.Body.Len() != 0 || again.Header().Get("ETag") != tag {
		t.Fatalf("304: %d bytes, ETag %q", again.Body.Len(), again.Header().Get("ETag"))
	}
	e.do("GET", "/static/map.js", nil, append(anon, "If-None-Match", `"0123456789abcdef01234567", W/`+tag)...).want(304)
	e.do("GET", "/static/map.js", nil, append(anon, "If-None-Match", `"0123456789abcdef01234567"`)...).want(200)

	gz := e.do("GET", "/static/map.js", nil, append(anon, "Accept-Encoding", "gzip")...).want(200)
	gzTag := gz.Header().Get("ETag")
	if gz.Header().Get("Content-Encoding") != "gzip" || gzTag != strings.TrimSuffix(tag, `"`)+`-gzip"` {
		t.Fatalf("gzip answer: encoding %q, ETag %q (plain %q)", gz.Header().Get("Content-Encoding"), gzTag, tag)
	}
	r := e.do("GET", "/static/map.js", nil, append(anon, "Accept-Encoding", "gzip", "If-None-Match", gzTag)...).want(304)
	if r.Body.Len() != 0 || r.Header().Get("Content-Encoding") != "" || r.Header().Get("ETag") != gzTag {
		t.Fatalf("gzip 304: %d bytes, encoding %q, ETag %q", r.Body.Len(), r.Header().Get("Content-Encoding"), r.Header().Get("ETag"))
	}
}
