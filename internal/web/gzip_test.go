package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
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
