package web

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/static"
)

// Basemap kinds: what the map page draws under the parcels.
const (
	BasemapNone     = "none"     // a plain background; no request leaves the server (the default)
	BasemapTianditu = "tianditu" // 天地图 WMTS (vec + cva), CGCS2000, needs a key (tk)
	BasemapGaode    = "gaode"    // 高德 raster tiles in GCJ-02: the page shifts the parcels for display
	BasemapXYZ      = "xyz"      // any XYZ tile URL template, e.g. an intranet (政务外网) tile server
)

// Map projections a basemap may be drawn in.
const (
	ProjWebMercator = "EPSG:3857" // 天地图 _w, 高德, most XYZ servers
	ProjLonLat      = "EPSG:4490" // CGCS2000 lon/lat: 天地图 _c, lon/lat XYZ grids
)

// Default tile URL templates. {a-b} picks a subdomain, {z}/{x}/{y} the tile;
// 天地图's {layer} is vec_w and cva_w (or vec_c and cva_c) and {tk} its key.
const (
	tiandituURL = "https://t{0-7}.tianditu.gov.cn/{layer}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0" +
		"&LAYER={base}&STYLE=default&TILEMATRIXSET={set}&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
	gaodeURL = "https://webrd0{1-4}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
)

// Basemap configures the map page's basemap (底图). The zero value is
// BasemapNone. The page reads it from GET /api/config.
type Basemap struct {
	// Kind is BasemapNone (or ""), BasemapTianditu, BasemapGaode or BasemapXYZ.
	Kind string
	// URL is the tile URL template: required for BasemapXYZ ({z}, {x}, {y}
	// or {-y}, optionally {a-c} or {0-7} for subdomains); for 天地图 and 高德
	// it replaces the public servers' template (a mirror or proxy).
	URL string
	// Key is 天地图's key (tk); required for BasemapTianditu. It is sent to
	// the browser, which asks 天地图 for tiles with it: use a browser key
	// (浏览器端) bound to this site's domain or address.
	Key string
	// Projection is ProjWebMercator (or "", the default) or ProjLonLat
	// ("EPSG:4326" is taken as ProjLonLat). 高德 is Web Mercator only.
	Projection string
}

// Normalized returns b with defaults filled in and checks it: an unknown
// kind, a 天地图 basemap without a key, an XYZ basemap without a URL
// template, or a template that is not an absolute http(s) URL or a path on
// this server are errors. cmd/panhuo calls it on the flags it was given.
func (b Basemap) Normalized() (Basemap, error) {
	b.Kind = strings.ToLower(strings.TrimSpace(b.Kind))
	b.URL = strings.TrimSpace(b.URL)
	b.Key = strings.TrimSpace(b.Key)
	b.Projection = strings.ToUpper(strings.TrimSpace(b.Projection))
	switch b.Projection {
	case "", ProjWebMercator, "EPSG:900913", "EPSG:102100":
		b.Projection = ProjWebMercator
	case ProjLonLat, "EPSG:4326", "CRS:84":
		b.Projection = ProjLonLat
	default:
		return Basemap{}, fmt.Errorf("basemap projection %q: want %s (Web Mercator) or %s (CGCS2000 lon/lat)", b.Projection, ProjWebMercator, ProjLonLat)
	}
	switch b.Kind {
	case "", BasemapNone:
		return Basemap{Kind: BasemapNone, Projection: ProjWebMercator}, nil
	case BasemapTianditu:
		if b.Key == "" {
			return Basemap{}, errors.New("basemap tianditu needs a key (天地图 tk), from https://console.tianditu.gov.cn")
		}
		if b.URL == "" {
			b.URL = tiandituURL
		}
	case BasemapGaode:
		if b.Projection != ProjWebMercator {
			return Basemap{}, fmt.Errorf("basemap gaode: 高德 tiles are in %s only", ProjWebMercator)
		}
		if b.URL == "" {
			b.URL = gaodeURL
		}
	case BasemapXYZ:
		if b.URL == "" {
			return Basemap{}, errors.New("basemap xyz needs a URL template with {z}, {x} and {y}")
		}
		if !strings.Contains(b.URL, "{z}") || !strings.Contains(b.URL, "{x}") ||
			!(strings.Contains(b.URL, "{y}") || strings.Contains(b.URL, "{-y}")) {
			return Basemap{}, fmt.Errorf("basemap URL %q: the template needs {z}, {x} and {y} (or {-y})", b.URL)
		}
	default:
		return Basemap{}, fmt.Errorf("basemap kind %q: want none, tianditu, gaode or xyz", b.Kind)
	}
	if _, err := tileSource(b.URL); err != nil {
		return Basemap{}, err
	}
	return b, nil
}

// tileSource is the CSP source expression that lets the page load images
// from a tile URL template: "'self'" for a path on this server, else the
// scheme and host, with a templated first label ({a-c}, t{0-7}) as "*".
func tileSource(template string) (string, error) {
	if strings.HasPrefix(template, "/") && !strings.HasPrefix(template, "//") {
		return "'self'", nil
	}
	scheme, rest, ok := strings.Cut(template, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return "", fmt.Errorf("basemap URL %q: want an http(s) URL or a path on this server", template)
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	labels := strings.Split(host, ".")
	if strings.Contains(labels[0], "{") {
		labels[0] = "*"
	}
	host = strings.Join(labels, ".")
	if host == "" || strings.ContainsAny(host, "{}@ ;,'\"") || len(labels) < 2 && labels[0] == "*" {
		return "", fmt.Errorf("basemap URL %q: only the first label of the host may be templated ({a-c}, t{0-7})", template)
	}
	u, err := url.Parse(scheme + "://" + strings.Replace(host, "*", "x", 1) + "/")
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("basemap URL %q: %v", template, err)
	}
	return scheme + "://" + host, nil
}

// pageCSPFor is the pages' CSP with the basemap's tile host added to
// img-src (OpenLayers loads tiles as images).
func pageCSPFor(b Basemap) string {
	if b.Kind == BasemapNone {
		return pageCSP
	}
	src, err := tileSource(b.URL)
	if err != nil || src == "'self'" {
		return pageCSP
	}
	return strings.Replace(pageCSP, "img-src 'self' data: blob:", "img-src 'self' data: blob: "+src, 1)
}

// configView is the answer of GET /api/config.
type configView struct {
	Basemap basemapView `json:"basemap"`
}

type basemapView struct {
	Kind       string `json:"kind"`
	URL        string `json:"url"`
	Key        string `json:"key"`
	Projection string `json:"projection"`
}

// GET /api/config — what the map page needs to know of the server's setup:
// the basemap, as {"basemap": {"kind", "url", "key", "projection"}}.
func (s *server) config(c echo.Context) error {
	return writeJSON(c, http.StatusOK, configView{Basemap: basemapView(s.basemap)})
}

// vendorFiles are the third-party bundles `make vendor` copies into
// static/vendor; the pages need them.
var vendorFiles = []string{"vendor/ol.js", "vendor/ol.css", "vendor/echarts.min.js"}

// setUpPages settles the basemap (an invalid one is logged and replaced by
// none) and logs an error for every third-party bundle missing from the
// binary: the map then shows a message instead of a map.
func (s *server) setUpPages(b Basemap) {
	nb, err := b.Normalized()
	if err != nil {
		s.log.Error("basemap configuration refused; the map has no basemap", "error", err)
		nb = Basemap{Kind: BasemapNone, Projection: ProjWebMercator}
	}
	s.basemap, s.pageCSP = nb, pageCSPFor(nb)
	for _, name := range vendorFiles {
		if _, err := fs.Stat(static.FS(), name); err != nil {
			s.log.Error("front-end library missing from the binary: build with `make build` (it runs `make vendor`: npm ci, then copies the bundles to static/vendor)", "file", "static/"+name)
		}
	}
}
