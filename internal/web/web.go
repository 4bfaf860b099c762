// Package web is panhuo's HTTP interface: the v1 JSON/GeoJSON API of
// DESIGN.md ("The HTTP contract") on Echo, the log-in, users, tokens and
// audit API of issue 3, GET /api/config (the map's basemap, config.go), and
// the embedded pages (the map at /, the leaders' dashboard at /dashboard,
// /login and the administration pages).
//
// Every request but the log-in page, its assets, GET /healthz and POST
// /api/session is authenticated, by a personal API token (Authorization:
// Bearer ph_…) or by the session cookie; cookie-authenticated writes carry the
// session's CSRF token in X-CSRF-Token (auth.go). Every write is recorded
// under the user's login: the service (land, access) checks what the user's
// role may do and answers KindForbidden (403) otherwise.
//
// Every write goes through *land.Service or *access.Service; reads go to
// the store directly. Domain errors (*land.Error) become RFC 9457
// problem+json answers with a Chinese title and the fields at fault; so do
// Echo's own errors (no route, wrong method, body too large, malformed JSON).
// Parcels and users carry their version as a strong ETag, and writes that
// replace them require If-Match.
package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"panhuo/internal/access"
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
	// SecureCookies forces the Secure flag on the session cookie. Without
	// it the flag is set when the request came over TLS or through a proxy
	// that says so (X-Forwarded-Proto: https).
	SecureCookies bool
	// TrustProxy takes the client address for log-in throttling from the
	// last X-Forwarded-For entry (the one the proxy in front of panhuo
	// appended) and accepts X-Forwarded-Host as this host for the Origin
	// check. Leave it false unless panhuo is reachable only through that
	// proxy: otherwise a client could name any address it likes.
	TrustProxy bool
	// Basemap is the map page's basemap (config.go); the zero value is
	// none, a plain background with no request leaving the server.
	Basemap Basemap
	// MaxImportBytes limits the uploads of POST /api/imports; zero or
	// negative is DefaultMaxImportBytes (256 MiB).
	MaxImportBytes int64
}

// server holds what the handlers share; it is created per New call.
type server struct {
	svc        *land.Service
	acc        *access.Service
	store      land.Reader
	log        *slog.Logger
	maxBody    int64
	secure     bool
	trustProxy bool
	csvCap     int // most rows of the audit export
	basemap    Basemap
	pageCSP    string // pageCSP plus the basemap's tile host
	maxImport  int64
	imports    *importJobs
	staticTags map[string]string // ETag of each embedded static file, by name; read-only
}

// Media types of responses.
const (
	mimeJSON    = "application/json"
	mimeGeoJSON = "application/geo+json"
)

// New returns the HTTP handler of the API and pages, writing land data
// through svc and authenticating users with acc.
func New(svc *land.Service, acc *access.Service, opts Options) http.Handler {
	_, e := newServer(svc, acc, opts)
	return e
}

// newServer builds the server and the Echo instance with every route; tests
// reach the route table through the latter.
func newServer(svc *land.Service, acc *access.Service, opts Options) (*server, *echo.Echo) {
	s := &server{svc: svc, acc: acc, store: svc.Store(), log: opts.Logger, maxBody: opts.MaxBodyBytes,
		secure: opts.SecureCookies, trustProxy: opts.TrustProxy, csvCap: auditMaxCSVRows,
		maxImport: opts.MaxImportBytes, imports: newImportJobs()}
	if s.maxImport <= 0 {
		s.maxImport = DefaultMaxImportBytes
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.setUpPages(opts.Basemap)
	tags, err := staticETags()
	if err != nil { // the files are embedded: this does not happen
		s.log.Error("static files are served without ETags", "err", err)
	}
	s.staticTags = tags
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Echo runs these after routing (c.Path() is the route), also for the
	// 404 and 405 answers, so an anonymous caller learns nothing of routes.
	e.Use(s.accessLog, s.securityHeaders, s.recoverPanic, s.limitBody, s.authenticate, s.checkCSRF)

	e.GET("/healthz", s.healthz)

	api := e.Group("/api")
	api.POST("/session", s.login)
	api.GET("/session", s.currentSession)
	api.DELETE("/session", s.logout)
	api.GET("/me", s.me)
	api.GET("/config", s.config)
	api.GET("/tokens", s.listTokens)
	api.POST("/tokens", s.createToken)
	api.DELETE("/tokens/:id", s.revokeToken)
	api.GET("/users", s.listUsers)
	api.POST("/users", s.createUser)
	api.GET("/users/:id", s.getUser)
	api.PATCH("/users/:id", s.patchUser)
	api.POST("/users/:id/password", s.changePassword)
	api.GET("/audit", s.audit)
	api.GET("/audit/export.csv", s.auditCSV)
	// The trail is append-only: no route changes it (and /api/audit/{id}
	// does not exist); the methods that would are answered 405 explicitly.
	for _, p := range []string{"/audit", "/audit/export.csv"} {
		api.Match([]string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, p, s.auditImmutable)
	}

	api.GET("/parks", s.listParks)
	api.POST("/parks", s.createPark)
	api.GET("/parks/:code", s.getPark)
	api.PATCH("/parks/:code", s.patchPark)
	api.GET("/methods", s.listMethods)
	api.PATCH("/methods/:code", s.patchMethod)
	api.GET("/rates", s.rates)
	api.GET("/rates/trend", s.trend)
	api.GET("/exports/rates.xlsx", s.exportRates)
	api.GET("/exports/ledger.xlsx", s.exportLedger)
	api.GET("/exports/parcels.geojson", s.exportGeoJSON)
	api.GET("/exports/parcels.zip", s.exportShapefile)
	api.GET("/exports/parcels.txt", s.exportTXT)
	api.POST("/imports", s.createImport)
	api.GET("/imports/:id", s.getImport)
	// Layers run to megabytes of GeoJSON (a park of 5 000 parcels is 8 MB):
	// compressed when the client accepts it, at a fast level.
	api.GET("/layers/parks", s.parksLayer, compress)
	api.GET("/layers/parcels", s.parcelsLayer, compress)
	api.POST("/parcels", s.createParcel)
	api.GET("/parcels/:id", s.getParcel)
	api.PATCH("/parcels", s.patchParcels)
	api.PATCH("/parcels/:id", s.patchParcel)
	api.DELETE("/parcels/:id", s.deleteParcel)
	api.POST("/parcels/:id/disposals", s.addDisposal)
	api.GET("/parcels/:id/disposals", s.listDisposals)
	api.GET("/parcels/:id/history", s.history)

	e.GET("/login", s.page("login.html", pageOpen))
	e.GET("/", s.page("index.html", pageUser))
	e.GET("/dashboard", s.page("dashboard.html", pageUser))
	e.GET("/admin", s.page("admin.html", pageAdmin))
	e.GET("/admin/audit", s.page("audit.html", pageAdmin))
	e.GET("/static/*", s.staticFile, compress)
	return s, e
}

// accessLog logs every request once it is answered. It runs outside the
// other middleware and hands errors to the error handler itself, so that the
// status it logs is the one sent.
func (s *server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req := c.Request()
		user := ""
		if p := principalOf(c); p != nil {
			user = p.user.Login
		}
		s.log.LogAttrs(req.Context(), slog.LevelInfo, "http",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", c.Response().Status), slog.Int64("bytes", c.Response().Size),
			slog.String("user", user), slog.Duration("took", time.Since(start)))
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
		limit := s.maxBody
		if c.Path() == "/api/imports" {
			limit = s.maxImport
		}
		if req.ContentLength > limit {
			return newProblem(http.StatusRequestEntityTooLarge, "payload-too-large", "请求体过大",
				fmt.Sprintf("请求体 %d 字节，超过上限 %d 字节", req.ContentLength, limit))
		}
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		}
		return next(c)
	}
}

// actorOf returns the actor a write is recorded under: the authenticated
// user's (the X-Actor header of the days before users is ignored). Every
// route that writes is behind the authentication middleware, so a request
// without a user here is a programming error answered as 401.
func actorOf(c echo.Context) (land.Actor, error) {
	p := principalOf(c)
	if p == nil {
		return land.Actor{}, errUnauthenticated("")
	}
	return p.user.Actor(), nil
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
