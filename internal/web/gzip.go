package web

import (
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// compress gzips a response when the client accepts it: the layers run to
// megabytes of GeoJSON and ol.js is a megabyte, which matters on a
// government intranet. The gzip stream starts only with the first byte of
// body, so an empty answer (304, 204, HEAD) stays empty.
func compress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Header().Add("Vary", "Accept-Encoding")
		// A byte range of a compressed stream is not the range asked for.
		if !acceptsGzip(c.Request().Header.Get("Accept-Encoding")) || c.Request().Header.Get("Range") != "" {
			return next(c)
		}
		w := &gzipWriter{ResponseWriter: res.Writer}
		res.Writer = w
		err := next(c)
		if cerr := w.close(); cerr != nil && err == nil {
			err = fmt.Errorf("finish gzip stream: %w", cerr)
		}
		return err
	}
}

// acceptsGzip reads an Accept-Encoding header (gzip;q=0 refuses it).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// gzipWriter compresses what is written after the first byte.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		if code != http.StatusNoContent && code != http.StatusNotModified {
			w.Header().Del("Content-Length")
			w.Header().Set("Content-Encoding", "gzip")
			// The compressed bytes are another representation: another tag.
			if tag := w.Header().Get("ETag"); tag != "" {
				w.Header().Set("ETag", gzipTag(tag))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if w.gz == nil {
		if !w.wroteHeader {
			w.WriteHeader(http.StatusOK)
		}
		if w.Header().Get("Content-Encoding") != "gzip" {
			return w.ResponseWriter.Write(b)
		}
		w.gz, _ = gzip.NewWriterLevel(w.ResponseWriter, gzip.BestSpeed) // a valid level: no error
	}
	return w.gz.Write(b)
}

// Flush sends what is compressed so far.
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush() // an error here shows again at close
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *gzipWriter) close() error {
	if w.gz == nil {
		return nil
	}
	return w.gz.Close()
}

// gzipTag is the entity tag of the gzip-compressed form of the
// representation tagged tag: "-gzip" appended inside the quotes.
func gzipTag(tag string) string {
	if strings.HasSuffix(tag, `-gzip"`) || !strings.HasSuffix(tag, `"`) {
		return tag
	}
	return strings.TrimSuffix(tag, `"`) + `-gzip"`
}
