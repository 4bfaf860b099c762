package web

import (
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/static"
)

// Who may open a page. Pages are static files: every piece of data they
// show is fetched from the API by their scripts and inserted as text.
type pageKind int

const (
	pageOpen  pageKind = iota // the log-in page
	pageUser                  // any user who is logged in
	pageAdmin                 // administrators; others get forbidden.html (403)
)

// page serves one embedded HTML page under the pages' CSP.
func (s *server) page(name string, kind pageKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		status := http.StatusOK
		if kind == pageAdmin {
			if p := principalOf(c); p == nil || !p.user.Actor().MayAdminister() {
				name, status = "forbidden.html", http.StatusForbidden
			}
		}
		b, err := fs.ReadFile(static.FS(), name)
		if err != nil {
			return fmt.Errorf("read embedded page %s: %w", name, err)
		}
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.pageCSP)
		h.Set("Cache-Control", "no-cache")
		return c.Blob(status, "text/html; charset=utf-8", b)
	}
}

// GET /static/* serves the embedded scripts and styles.
func (s *server) staticFile(c echo.Context) error {
	name := c.Param("*")
	if name == "" || strings.HasSuffix(name, ".html") || !fs.ValidPath(name) {
		return echo.ErrNotFound
	}
	b, err := fs.ReadFile(static.FS(), name)
	if err != nil { // missing, or a directory
		return echo.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, ct, b)
}
