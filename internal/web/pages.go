package web

import (
	"crypto/sha256"
	"encoding/hex"
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

// GET /static/* serves the embedded scripts and styles. Each has an ETag
// (a hash of its bytes; "-gzip" appended for the compressed form, as
// compress does), so a browser that revalidates (Cache-Control: no-cache)
// gets 304 and does not download OpenLayers again on every page load.
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
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	tag := s.staticTags[name]
	if tag == "" { // not hashed at start: cannot happen for embedded files
		return c.Blob(http.StatusOK, ct, b)
	}
	if match := matchingTag(c.Request().Header.Get("If-None-Match"), tag); match != "" {
		h.Set("ETag", match)
		return c.NoContent(http.StatusNotModified)
	}
	h.Set("ETag", tag)
	return c.Blob(http.StatusOK, ct, b)
}

// staticETags hashes every embedded static file: its ETag by name.
func staticETags() (map[string]string, error) {
	tags := map[string]string{}
	err := fs.WalkDir(static.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS(), name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[name] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash the embedded static files: %w", err)
	}
	return tags, nil
}

// matchingTag returns the entity tag of an If-None-Match header that names
// tag, in either form (as is or with "-gzip"), or "" when none does. Weak
// tags (W/"…") compare by their value, as RFC 9110 says If-None-Match does.
func matchingTag(header, tag string) string {
	if header == "" {
		return ""
	}
	if strings.TrimSpace(header) == "*" {
		return tag
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == gzipTag(tag) {
			return t
		}
	}
	return ""
}
