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

// contentSecurityPolicy keeps the pages to what the binary serves.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"

// page serves one embedded HTML page.
func (s *server) page(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, err := fs.ReadFile(static.FS(), name)
		if err != nil {
			return fmt.Errorf("read embedded page %s: %w", name, err)
		}
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cache-Control", "no-cache")
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", b)
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
