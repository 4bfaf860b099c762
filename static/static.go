// Package static holds panhuo's browser pages, embedded in the binary so that
// the service works offline (on an intranet with no internet): nothing is
// loaded from a CDN. These are the officers' map (一张图, index.html), the
// leaders' dashboard (dashboard.html with dashboard.js) that reads
// /api/rates, the log-in page (login.html, login.js), the administration
// pages (admin.html, audit.html with their scripts; forbidden.html for users
// who are not administrators) and session.js, which every page but the
// log-in shares: the user bar, log-out and API calls with the CSRF token.
//
// The map is map.js and its map-*.js modules (map.css), with gk.js
// (Gauss-Krüger areas, a port of package geo) and gcj02.js (the 高德
// offset), on OpenLayers. Third-party bundles (OpenLayers, ECharts) are in
// vendor/, which `make vendor` fills from npm (package-lock.json) and which
// is not committed; a build without them still compiles (vendor/README.txt
// is always there) and the pages say what is missing.
//
// The pages run under a Content-Security-Policy without 'unsafe-inline':
// no inline scripts, styles or event attributes; scripts put data into the
// page with textContent and DOM nodes only, never as HTML.
package static

import (
	"embed"
	"io/fs"
)

//go:embed *.html *.js *.css all:vendor
var files embed.FS

// FS returns the embedded files, by name at its root ("index.html",
// "dashboard.js", …).
func FS() fs.FS { return files }
