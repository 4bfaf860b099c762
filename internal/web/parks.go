package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"panhuo/internal/land"
)

// GET /healthz
func (s *server) healthz(c echo.Context) error {
	st := s.svc.Store()
	v, err := st.SchemaVersion(c.Request().Context())
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "healthz: schema version", slog.Any("error", err))
		return newProblem(http.StatusServiceUnavailable, "unavailable", "服务暂时不可用", "数据库无法访问")
	}
	return writeJSON(c, http.StatusOK, map[string]any{"status": "ok", "engine": st.Engine(), "schema_version": v})
}

// parkRow is a park with its current rate figures, as GET /api/parks lists it.
type parkRow struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Level      string     `json:"level"`
	City       string     `json:"city"`
	AreaMu     float64    `json:"area_mu"`
	GKZone     int        `json:"gk_zone"`
	BuiltupMu  float64    `json:"builtup_mu"`
	TargetMu   float64    `json:"target_mu"`
	TargetYear int        `json:"target_year"`
	Demo       bool       `json:"demo"`
	Version    int        `json:"version"`
	BBox       [4]float64 `json:"bbox"` // minLon, minLat, maxLon, maxLat
	Rank       int        `json:"rank"` // 0: nothing identified
	land.RateFigures
	BuiltupShare     *float64                        `json:"builtup_share"`
	TargetDisposedMu float64                         `json:"target_disposed_mu"`
	TargetProgress   *float64                        `json:"target_progress"`
	ByClass          map[land.Class]land.RateFigures `json:"by_class"`
}

// GET /api/parks — parks with their current (cumulative, as of today) rates.
func (s *server) listParks(c echo.Context) error {
	ctx := c.Request().Context()
	parks, err := s.store.ListParks(ctx)
	if err != nil {
		return fmt.Errorf("list parks: %w", err)
	}
	rep, err := s.svc.Rates(ctx, land.RatesQuery{})
	if err != nil {
		return err
	}
	byCode := make(map[string]*land.RateRow, len(rep.Rows))
	for i := range rep.Rows {
		byCode[rep.Rows[i].ParkCode] = &rep.Rows[i]
	}
	rows := make([]parkRow, len(parks))
	for i, p := range parks {
		b := p.Boundary.Bound()
		r := parkRow{Code: p.Code, Name: p.Name, Level: p.Level, City: p.City, AreaMu: p.AreaMu, GKZone: int(p.GKZone),
			BuiltupMu: p.BuiltupMu, TargetMu: p.TargetMu, TargetYear: p.TargetYear, Demo: p.Demo, Version: p.Version,
			BBox: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
		if rr, ok := byCode[p.Code]; ok {
			r.Rank, r.RateFigures, r.BuiltupShare = rr.Rank, rr.RateFigures, rr.BuiltupShare
			r.TargetDisposedMu, r.TargetProgress, r.ByClass = rr.TargetDisposedMu, rr.TargetProgress, rr.ByClass
		}
		rows[i] = r
	}
	return writeJSON(c, http.StatusOK, map[string]any{"asof": rep.AsOf, "parks": rows})
}

// loadPark reads a park; a missing one is 404.
func (s *server) loadPark(ctx context.Context, code string) (land.Park, error) {
	p, err := s.store.GetPark(ctx, code)
	if errors.Is(err, land.ErrNotFound) {
		return land.Park{}, notFound("园区不存在", fmt.Sprintf("没有代码为 %s 的园区", code))
	}
	if err != nil {
		return land.Park{}, fmt.Errorf("get park %s: %w", code, err)
	}
	return p, nil
}

// writePark sends a park as a GeoJSON Feature with its ETag.
func writePark(c echo.Context, status int, p *land.Park) error {
	c.Response().Header().Set("ETag", etag(p.Version))
	return c.Blob(status, mimeGeoJSON, appendParkFeature(nil, p))
}

// GET /api/parks/:code
func (s *server) getPark(c echo.Context) error {
	p, err := s.loadPark(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return writePark(c, http.StatusOK, &p)
}

// POST /api/parks — a Feature: boundary and properties.
func (s *server) createPark(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	g, props, err := decodeFeature(body)
	if err != nil {
		return err
	}
	in, err := parkInput(g, props)
	if err != nil {
		return err
	}
	p, err := s.svc.CreatePark(c.Request().Context(), actor, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/parks/"+url.PathEscape(p.Code))
	return writePark(c, http.StatusCreated, &p)
}

// PATCH /api/parks/:code — a JSON merge patch of the Feature. If-Match is
// optional for parks (an administrator's write); when given it must match.
func (s *server) patchPark(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	if err := checkPatchType(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	code := c.Param("code")
	old, err := s.loadPark(ctx, code)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("If-Match") != "" {
		if _, err := ifMatch(c, old.Version, "园区"); err != nil {
			return err
		}
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	patched, err := patchFeature(appendParkFeature(nil, &old), body, parkReadOnly)
	if err != nil {
		return err
	}
	g, props, err := decodeFeature(patched)
	if err != nil {
		return err
	}
	in, err := parkInput(g, props)
	if err != nil {
		return err
	}
	p, err := s.svc.UpdatePark(ctx, actor, code, in)
	if err != nil {
		return err
	}
	return writePark(c, http.StatusOK, &p)
}

// GET /api/methods
func (s *server) listMethods(c echo.Context) error {
	ms, err := s.svc.Methods(c.Request().Context())
	if err != nil {
		return fmt.Errorf("list methods: %w", err)
	}
	if ms == nil {
		ms = []land.Method{}
	}
	return writeJSON(c, http.StatusOK, map[string]any{"methods": ms})
}

// queryDate reads an optional YYYY-MM-DD query parameter.
func queryDate(q url.Values, name string, d *fieldDecoder) land.Date {
	v := strings.TrimSpace(q.Get(name))
	t, err := land.ParseDate(v)
	if err != nil {
		d.fail(name, fmt.Sprintf("日期 %q 须为 YYYY-MM-DD 格式的有效日期", v))
	}
	return t
}

// queryMonth reads an optional YYYY-MM or YYYY-MM-DD query parameter: a month
// stands for its first day, or for its last day when end is set.
func queryMonth(q url.Values, name string, end bool, d *fieldDecoder) (land.Date, bool) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return land.Date{}, false
	}
	if t, err := time.Parse("2006-01", v); err == nil {
		first := land.DateOf(t)
		if end {
			return first.MonthEnd(), true
		}
		return first, true
	}
	t, err := land.ParseDate(v)
	if err != nil {
		d.fail(name, fmt.Sprintf("%q 须为月份 YYYY-MM 或日期 YYYY-MM-DD", v))
	}
	return t, false
}

// queryClass reads an optional class query parameter.
func queryClass(q url.Values, d *fieldDecoder) land.Class {
	c := land.Class(strings.TrimSpace(q.Get("class")))
	if c != "" && !c.Valid() {
		d.fail("class", fmt.Sprintf("类别 %q 无效：须为 unsupplied（批而未供）、idle（闲置）或 inefficient（低效）", string(c)))
	}
	return c
}

// queryStatus reads the status parameter; an unknown status is a field error.
func queryStatus(q url.Values, d *fieldDecoder) land.Status {
	st := land.Status(strings.TrimSpace(q.Get("status")))
	if st != "" && !st.Valid() {
		d.fail("status", fmt.Sprintf("状态 %q 无效：须为 pending（待处置）、in_progress（处置中）或 disposed（已处置）", string(st)))
	}
	return st
}

// checkParkParam refuses a park parameter that names no park.
func (s *server) checkParkParam(ctx context.Context, code string) error {
	if code == "" {
		return nil
	}
	if _, err := s.store.GetPark(ctx, code); errors.Is(err, land.ErrNotFound) {
		return invalid("查询参数有误", land.FieldError{Field: "park", Reason: fmt.Sprintf("没有代码为 %s 的园区", code)})
	} else if err != nil {
		return fmt.Errorf("get park %s: %w", code, err)
	}
	return nil
}

// GET /api/rates?asof=&from=&class=
func (s *server) rates(c echo.Context) error {
	q := c.QueryParams()
	var d fieldDecoder
	rq := land.RatesQuery{AsOf: queryDate(q, "asof", &d), From: queryDate(q, "from", &d), Class: queryClass(q, &d)}
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	rep, err := s.svc.Rates(c.Request().Context(), rq)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, rep)
}

// GET /api/rates/trend?park=&from=&to=&class=
func (s *server) trend(c echo.Context) error {
	q := c.QueryParams()
	var d fieldDecoder
	tq := land.TrendQuery{ParkCode: strings.TrimSpace(q.Get("park")), Class: queryClass(q, &d)}
	tq.From, _ = queryMonth(q, "from", false, &d)
	to, month := queryMonth(q, "to", true, &d)
	if month {
		// A month that is not over yet ends today: its figures are today's.
		if today := s.svc.Today(); to.After(today) {
			to = today
		}
	}
	tq.To = to
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	series, err := s.svc.Trend(c.Request().Context(), tq)
	if err != nil {
		return err
	}
	if series == nil {
		series = []land.TrendPoint{}
	}
	return writeJSON(c, http.StatusOK, map[string]any{"park": tq.ParkCode, "class": tq.Class, "series": series})
}

// GET /api/layers/parks — park boundaries as a FeatureCollection.
func (s *server) parksLayer(c echo.Context) error {
	parks, err := s.store.ListParks(c.Request().Context())
	if err != nil {
		return fmt.Errorf("list parks: %w", err)
	}
	b := append(make([]byte, 0, 4096*len(parks)+64), `{"type":"FeatureCollection","features":[`...)
	for i := range parks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendParkFeature(b, &parks[i])
	}
	b = append(b, "]}"...)
	return c.Blob(http.StatusOK, mimeGeoJSON, b)
}

// parseBBox reads bbox=minLon,minLat,maxLon,maxLat (OGC API – Features).
func parseBBox(v string) (*orb.Bound, *land.FieldError) {
	fail := func(reason string) (*orb.Bound, *land.FieldError) {
		return nil, &land.FieldError{Field: "bbox", Reason: reason}
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return fail(fmt.Sprintf("bbox 须为 4 个数：最小经度,最小纬度,最大经度,最大纬度，收到 %d 个", len(parts)))
	}
	var n [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fail(fmt.Sprintf("bbox 第 %d 个值 %q 不是数字", i+1, p))
		}
		n[i] = f
	}
	switch {
	case n[0] < -180 || n[0] > 180 || n[2] < -180 || n[2] > 180:
		return fail("经度须在 -180 到 180 之间")
	case n[1] < -90 || n[1] > 90 || n[3] < -90 || n[3] > 90:
		return fail("纬度须在 -90 到 90 之间")
	case n[0] >= n[2] || n[1] >= n[3]:
		return fail("最小经度、纬度须分别小于最大经度、纬度")
	}
	return &orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, nil
}

// maxLayerLimit bounds the limit parameter of the parcels layer.
const maxLayerLimit = 1_000_000

// GET /api/layers/parcels?class=&park=&status=&bbox=&include_removed=&limit=
func (s *server) parcelsLayer(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	var d fieldDecoder
	f := land.ParcelFilter{Class: queryClass(q, &d), Status: queryStatus(q, &d), ParkCode: strings.TrimSpace(q.Get("park"))}
	if v := strings.TrimSpace(q.Get("bbox")); v != "" {
		b, fe := parseBBox(v)
		if fe != nil {
			d.fields = append(d.fields, *fe)
		}
		f.BBox = b
	} else if q.Has("bbox") {
		d.fail("bbox", "bbox 不能为空")
	}
	if v := strings.TrimSpace(q.Get("include_removed")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			d.fail("include_removed", "须为 true 或 false")
		}
		f.IncludeRemoved = b
	}
	if v := strings.TrimSpace(q.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > maxLayerLimit {
			d.fail("limit", fmt.Sprintf("须为 1 到 %d 之间的整数", maxLayerLimit))
		}
		f.Limit = n
	}
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	if err := s.checkParkParam(ctx, f.ParkCode); err != nil {
		return err
	}
	ps, err := s.store.ListParcels(ctx, f)
	if err != nil {
		return fmt.Errorf("list parcels: %w", err)
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, mimeGeoJSON)
	res.WriteHeader(http.StatusOK)
	if err := writeParcelCollection(res, ps); err != nil {
		// The status is sent; the client went away or the connection broke.
		s.log.DebugContext(ctx, "write parcels layer", slog.Any("error", err))
	}
	return nil
}

// PATCH /api/methods/:code {"name", "counts"} — rename a disposal method or
// set whether it counts toward the rate (administrators only).
func (s *server) patchMethod(c echo.Context) error {
	actor, err := requireAdmin(c)
	if err != nil {
		return err
	}
	if err := checkPatchType(c); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, `处置方式的修改 {"name": …, "counts": …}`)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var p land.MethodPatch
	for k, raw := range doc {
		switch k {
		case "name":
			var v string
			d.text(k, raw, &v)
			p.Name = &v
		case "counts":
			if isNull(raw) {
				d.fail(k, "须为 true 或 false")
				continue
			}
			var v bool
			d.boolean(k, raw, &v)
			p.Counts = &v
		case "code", "class", "order":
			// As GET /api/methods shows them; not changed here.
		default:
			d.fail(k, "未知字段；可修改的字段为 name、counts")
		}
	}
	sortFields(d.fields)
	if err := d.err("处置方式的修改有误"); err != nil {
		return err
	}
	m, err := s.svc.UpdateMethod(c.Request().Context(), actor, c.Param("code"), p)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, m)
}
