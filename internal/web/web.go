// Package web is panhuo's HTTP interface: the v1 JSON/GeoJSON API of
// DESIGN.md ("The HTTP contract") on Echo, and the embedded pages (the map
// placeholder at / and the leaders' dashboard at /dashboard).
//
// Every write goes through *land.Service, which measures, places and checks
// parcels and appends the audit trail; reads go to the store directly. Domain
// errors (*land.Error) become RFC 9457 problem+json answers with a Chinese
// title and the fields at fault; so do Echo's own errors (no route, wrong
// method, body too large, malformed JSON). Parcels carry their version as a
// strong ETag, and writes that replace a parcel require If-Match.
//
// Until users exist, the X-Actor header names the actor of a write (default
// "system").
package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"panhuo/internal/land"
)

// DefaultMaxBodyBytes is the request body limit when Options leaves it zero.
const DefaultMaxBodyBytes = 16 << 20

// Options configure the handler.
type Options struct {
	// Logger receives the access log (Info) and server faults (Error);
	// nil is slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes limits request bodies; larger ones get 413. Zero or
	// negative is DefaultMaxBodyBytes (16 MiB).
	MaxBodyBytes int64
}

// server holds what the handlers share; it is created per New call.
type server struct {
	svc     *land.Service
	store   land.Reader
	log     *slog.Logger
	maxBody int64
}

// Media types of responses.
const (
	mimeJSON    = "application/json"
	mimeGeoJSON = "application/geo+json"
)

// New returns the HTTP handler of the API and pages, writing through svc.
func New(svc *land.Service, opts Options) http.Handler {
	s := &server{svc: svc, store: svc.Store(), log: opts.Logger, maxBody: opts.MaxBodyBytes}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.accessLog, s.recoverPanic, s.limitBody)

	e.GET("/healthz", s.healthz)

	api := e.Group("/api")
	api.GET("/parks", s.listParks)
	api.POST("/parks", s.createPark)
	api.GET("/parks/:code", s.getPark)
	api.PATCH("/parks/:code", s.patchPark)
	api.GET("/methods", s.listMethods)
	api.GET("/rates", s.rates)
	api.GET("/rates/trend", s.trend)
	api.GET("/layers/parks", s.parksLayer)
	api.GET("/layers/parcels", s.parcelsLayer)
	api.POST("/parcels", s.createParcel)
	api.GET("/parcels/:id", s.getParcel)
	api.PATCH("/parcels/:id", s.patchParcel)
	api.DELETE("/parcels/:id", s.deleteParcel)
	api.POST("/parcels/:id/disposals", s.addDisposal)
	api.GET("/parcels/:id/disposals", s.listDisposals)
	api.GET("/parcels/:id/history", s.history)

	e.GET("/", s.page("index.html"))
	e.GET("/dashboard", s.page("dashboard.html"))
	e.GET("/static/*", s.staticFile)
	return e
}

// accessLog logs every request once it is answered. It runs outside the
// other middleware and hands errors to the error handler itself, so that the
// status it logs is the one sent.
func (s *server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		c.Response().Header().Set("X-Content-Type-Options", "nosniff")
		if err := next(c); err != nil {
			c.Error(err)
		}
		req := c.Request()
		s.log.LogAttrs(req.Context(), slog.LevelInfo, "http",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", c.Response().Status), slog.Int64("bytes", c.Response().Size),
			slog.Duration("took", time.Since(start)))
		return nil
	}
}

// recoverPanic turns a handler's panic into a logged 500 problem.
func (s *server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return next(c)
	}
}

// limitBody refuses bodies over the limit: at once when Content-Length says
// so, else when reading crosses it.
func (s *server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > s.maxBody {
			return newProblem(http.StatusRequestEntityTooLarge, "payload-too-large", "请求体过大",
				fmt.Sprintf("请求体 %d 字节，超过上限 %d 字节", req.ContentLength, s.maxBody))
		}
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = http.MaxBytesReader(c.Response(), req.Body, s.maxBody)
		}
		return next(c)
	}
}

// maxActorRunes bounds the X-Actor header.
const maxActorRunes = 64

// actorOf returns the actor a write is recorded under: the X-Actor header,
// trimmed (percent-decoded when it holds %XX escapes, since browsers cannot
// send non-Latin-1 header values), or "system".
func actorOf(c echo.Context) (land.Actor, error) {
	name, err := actorName(c)
	if err != nil {
		return land.Actor{}, err
	}
	// Until users exist, whoever the header names may do everything.
	return land.Operator(name), nil
}

// actorName reads the X-Actor header (default "system").
func actorName(c echo.Context) (string, error) {
	raw := c.Request().Header.Get("X-Actor")
	a := strings.TrimSpace(raw)
	if strings.Contains(a, "%") {
		if dec, err := url.PathUnescape(a); err == nil {
			a = strings.TrimSpace(dec)
		}
	}
	if a == "" {
		return "system", nil
	}
	fail := func(reason string) error {
		return badRequest("X-Actor 请求头无效", land.FieldError{Field: "X-Actor", Reason: reason})
	}
	if !utf8.ValidString(a) {
		return "", fail("须为 UTF-8 文本")
	}
	if n := utf8.RuneCountInString(a); n > maxActorRunes {
		return "", fail(fmt.Sprintf("不能超过 %d 个字符（现有 %d 个）", maxActorRunes, n))
	}
	for _, r := range a {
		if unicode.IsControl(r) {
			return "", fail("不能含控制字符")
		}
	}
	return a, nil
}

// parcelID reads the :id path parameter; anything but a positive integer
// names no parcel (404).
func parcelID(c echo.Context) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("地块不存在", fmt.Sprintf("地块编号 %q 无效：编号为正整数", raw))
	}
	return id, nil
}

// etag is the strong entity tag of a version.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads the If-Match header against the stored version: 428 when it
// is missing (or "*", which would skip the lost-update guard), 412 when no
// listed entity tag is the stored version. It returns the version to write
// against.
func ifMatch(c echo.Context, stored int, what string) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, newProblem(http.StatusPreconditionRequired, "precondition-required", "缺少 If-Match 版本号",
			fmt.Sprintf("修改%s须在 If-Match 请求头中给出读取时的版本（ETag），如 If-Match: %s，以免覆盖他人的修改", what, etag(stored)),
			land.FieldError{Field: "If-Match", Reason: "须给出具体的版本号（ETag）"})
	}
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		if strings.HasPrefix(t, "W/") { // weak tags never match strongly
			continue
		}
		t = strings.Trim(t, `"`)
		if v, err := strconv.Atoi(t); err == nil && v == stored {
			return v, nil
		}
	}
	p := newProblem(http.StatusPreconditionFailed, string(land.KindStale), what+"已被他人修改",
		fmt.Sprintf("当前版本为 %s，与 If-Match: %s 不符；请重新读取后再修改", etag(stored), h))
	p.header = http.Header{"Etag": {etag(stored)}}
	return 0, p
}

// writeJSON sends v as JSON.
func writeJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return c.Blob(status, mimeJSON, b)
}
