// Package static holds panhuo's browser pages, embedded in the binary so that
// the service works offline (on an intranet with no internet): nothing is
// loaded from a CDN. For now these are the placeholder map page (index.html)
// and a small leaders' dashboard (dashboard.html with dashboard.js) that
// reads /api/rates; the OpenLayers map and ECharts dashboard come later.
package static

import (
	"embed"
	"io/fs"
)

//go:embed index.html dashboard.html dashboard.js style.css
var files embed.FS

// FS returns the embedded files, by name at its root ("index.html",
// "dashboard.js", …).
func FS() fs.FS { return files }
