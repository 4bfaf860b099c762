package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/internal/land"
)

// loadParcel reads a parcel (removed ones too); a missing one is 404.
func (s *server) loadParcel(ctx context.Context, id int64) (land.Parcel, error) {
	p, err := s.store.GetParcel(ctx, id)
	if errors.Is(err, land.ErrNotFound) {
		return land.Parcel{}, notFound("地块不存在", fmt.Sprintf("没有编号为 %d 的地块", id))
	}
	if err != nil {
		return land.Parcel{}, fmt.Errorf("get parcel %d: %w", id, err)
	}
	return p, nil
}

// parcelLocation is the URL of a parcel.
func parcelLocation(id int64) string { return "/api/parcels/" + strconv.FormatInt(id, 10) }

// writeParcel sends one parcel as a GeoJSON Feature with its ETag.
func writeParcel(c echo.Context, status int, p *land.Parcel) error {
	c.Response().Header().Set("ETag", etag(p.Version))
	return c.Blob(status, mimeGeoJSON, appendParcelFeature(make([]byte, 0, 2048), p))
}

// GET /api/parcels/:id
func (s *server) getParcel(c echo.Context) error {
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	p, err := s.loadParcel(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag(p.Version) || t == "*" {
				c.Response().Header().Set("ETag", etag(p.Version))
				return c.NoContent(http.StatusNotModified)
			}
		}
	}
	return writeParcel(c, http.StatusOK, &p)
}

// POST /api/parcels
func (s *server) createParcel(c echo.Context) error {
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
	in, err := parcelInput(g, props)
	if err != nil {
		return err
	}
	p, err := s.svc.CreateParcel(c.Request().Context(), actor, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", parcelLocation(p.ID))
	return writeParcel(c, http.StatusCreated, &p)
}

// checkPatchType accepts a merge patch (application/merge-patch+json), plain
// JSON or a body without a type; a JSON Patch (RFC 6902) or anything else
// is 415.
func checkPatchType(c echo.Context) error {
	ct := c.Request().Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case "application/merge-patch+json", "application/json", "application/geo+json":
			return nil
		}
	}
	return newProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "不支持的内容类型",
		fmt.Sprintf("PATCH 须为 JSON 合并补丁（Content-Type: application/merge-patch+json 或 application/json），收到 %q", ct))
}

// PATCH /api/parcels/:id — a JSON merge patch (RFC 7386) of the Feature.
func (s *server) patchParcel(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	if err := checkPatchType(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	old, err := s.loadParcel(ctx, id)
	if err != nil {
		return err
	}
	version, err := ifMatch(c, old.Version, "地块")
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	patched, err := patchFeature(appendParcelFeature(nil, &old), body, parcelReadOnly)
	if err != nil {
		return err
	}
	g, props, err := decodeFeature(patched)
	if err != nil {
		return err
	}
	in, err := parcelInput(g, props)
	if err != nil {
		return err
	}
	// The service checks the version again inside its transaction: that is
	// the guard against a write that lands between our read and its own.
	p, err := s.svc.UpdateParcel(ctx, actor, id, version, in)
	if err != nil {
		return err
	}
	return writeParcel(c, http.StatusOK, &p)
}

// maxParcelsPerPatch is the most parcels one PATCH /api/parcels changes.
const maxParcelsPerPatch = 200

// PATCH /api/parcels — several parcels changed at once, all or none (a
// boundary two parcels share, moved on the map): a FeatureCollection of
// merge patches, each Feature naming its parcel by its "id" and the version
// it was read at by properties.version (what If-Match is for one parcel).
// The answer is the FeatureCollection of the changed parcels; a refusal
// names the fields as features[i].….
func (s *server) patchParcels(c echo.Context) error {
	actor, err := actorOf(c)
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
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		return syntaxProblem(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 || len(fc.Features) > maxParcelsPerPatch {
		return badRequest(fmt.Sprintf("请求体须为 FeatureCollection，含 1 到 %d 个要修改地块的合并补丁（每个 Feature 给出 id 与 properties.version）", maxParcelsPerPatch))
	}
	ctx := c.Request().Context()
	ups := make([]land.ParcelUpdate, len(fc.Features))
	for i, raw := range fc.Features {
		up, err := s.parcelUpdate(ctx, raw)
		if err != nil {
			return prefixFields(err, fmt.Sprintf("features[%d].", i))
		}
		ups[i] = up
	}
	ps, err := s.svc.UpdateParcels(ctx, actor, ups)
	if err != nil {
		if len(ups) == 1 { // the service answers one parcel's own error
			return prefixFields(err, "features[0].")
		}
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, mimeGeoJSON)
	c.Response().WriteHeader(http.StatusOK)
	return WriteParcelsGeoJSON(c.Response(), ps)
}

// parcelUpdate reads one Feature of PATCH /api/parcels: the parcel it names,
// the version it was read at, and the parcel's new state once patched.
func (s *server) parcelUpdate(ctx context.Context, raw json.RawMessage) (land.ParcelUpdate, error) {
	v, err := decodeAny(raw)
	if err != nil {
		return land.ParcelUpdate{}, syntaxProblem(err)
	}
	patch, ok := v.(map[string]any)
	if !ok {
		return land.ParcelUpdate{}, badRequest("每个要素须为 JSON 对象（Feature）")
	}
	var d fieldDecoder
	var id int64
	if n, ok := patch["id"].(json.Number); !ok {
		d.fail("id", "须给出要修改地块的编号（id）")
	} else if id, err = n.Int64(); err != nil || id <= 0 {
		d.fail("id", "地块编号须为正整数")
	}
	props, _ := patch["properties"].(map[string]any)
	var version int64
	if n, ok := props["version"].(json.Number); !ok {
		d.fail("properties.version", "须给出读取时的版本号（version），以免覆盖他人的修改")
	} else if version, err = n.Int64(); err != nil || version <= 0 {
		d.fail("properties.version", "版本号须为正整数")
	}
	if err := d.err("地块修改有误"); err != nil {
		return land.ParcelUpdate{}, err
	}
	// The version is the condition, not a change: the service compares it.
	delete(props, "version")
	delete(patch, "type")
	body, err := json.Marshal(patch)
	if err != nil {
		return land.ParcelUpdate{}, fmt.Errorf("encode patch of parcel %d: %w", id, err)
	}
	old, err := s.loadParcel(ctx, id)
	if err != nil {
		return land.ParcelUpdate{}, err
	}
	patched, err := patchFeature(appendParcelFeature(nil, &old), body, parcelReadOnly)
	if err != nil {
		return land.ParcelUpdate{}, err
	}
	g, gotProps, err := decodeFeature(patched)
	if err != nil {
		return land.ParcelUpdate{}, err
	}
	in, err := parcelInput(g, gotProps)
	if err != nil {
		return land.ParcelUpdate{}, err
	}
	return land.ParcelUpdate{ID: id, IfMatch: int(version), Input: in}, nil
}

// prefixFields puts prefix before the field names of a problem or a
// *land.Error, to say which item of a request they belong to.
func prefixFields(err error, prefix string) error {
	var p *problem
	var le *land.Error
	switch {
	case errors.As(err, &p):
		q := *p
		q.Errors = prefixed(p.Errors, prefix)
		return &q
	case errors.As(err, &le):
		e := *le
		e.Fields = prefixed(le.Fields, prefix)
		return &e
	}
	return err
}

func prefixed(fe []land.FieldError, prefix string) []land.FieldError {
	out := make([]land.FieldError, len(fe))
	for i, f := range fe {
		out[i] = land.FieldError{Field: prefix + f.Field, Reason: f.Reason}
	}
	return out
}

// DELETE /api/parcels/:id — soft delete with a reason, from the JSON body
// {"reason", "removed_on"} or the query (?reason=&removed_on=).
func (s *server) deleteParcel(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	old, err := s.loadParcel(ctx, id)
	if err != nil {
		return err
	}
	version, err := ifMatch(c, old.Version, "地块")
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var d fieldDecoder
	var reason string
	var on land.Date
	if len(strings.TrimSpace(string(body))) > 0 {
		doc, err := decodeObject(body, "删除说明 {\"reason\": …, \"removed_on\": …}")
		if err != nil {
			return err
		}
		d.text("reason", doc["reason"], &reason)
		d.date("removed_on", doc["removed_on"], &on)
	}
	q := c.QueryParams()
	if reason == "" && q.Has("reason") {
		reason = q.Get("reason")
	}
	if on.IsZero() && q.Get("removed_on") != "" {
		v, err := land.ParseDate(q.Get("removed_on"))
		if err != nil {
			d.fail("removed_on", "日期须为 YYYY-MM-DD")
		}
		on = v
	}
	if err := d.err("删除请求有误"); err != nil {
		return err
	}
	p, err := s.svc.RemoveParcel(ctx, actor, id, version, on, reason)
	if err != nil {
		return err
	}
	return writeParcel(c, http.StatusOK, &p)
}

// POST /api/parcels/:id/disposals — one disposal step; no If-Match.
func (s *server) addDisposal(c echo.Context) error {
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, err := decodeObject(body, "处置记录 {\"method\", \"date\", \"area_mu\", \"note\"}")
	if err != nil {
		return err
	}
	var in land.DisposalInput
	var d fieldDecoder
	d.text("method", doc["method"], &in.Method)
	in.Method = strings.TrimSpace(in.Method)
	d.date("date", doc["date"], &in.Date)
	d.numberPtr("area_mu", doc["area_mu"], &in.AreaMu)
	d.text("note", doc["note"], &in.Note)
	sortFields(d.fields)
	if err := d.err("处置记录有误"); err != nil {
		return err
	}
	disposal, p, err := s.svc.AddDisposal(c.Request().Context(), actor, id, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(p.Version))
	return writeJSON(c, http.StatusCreated, struct {
		Disposal land.Disposal   `json:"disposal"`
		Parcel   json.RawMessage `json:"parcel"`
	}{disposal, appendParcelFeature(nil, &p)})
}

// GET /api/parcels/:id/disposals
func (s *server) listDisposals(c echo.Context) error {
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.loadParcel(ctx, id); err != nil {
		return err
	}
	ds, err := s.store.ListDisposals(ctx, id)
	if err != nil {
		return fmt.Errorf("list disposals of parcel %d: %w", id, err)
	}
	if ds == nil {
		ds = []land.Disposal{}
	}
	return writeJSON(c, http.StatusOK, map[string]any{"disposals": ds})
}

// GET /api/parcels/:id/history — the event trail, oldest first.
func (s *server) history(c echo.Context) error {
	id, err := parcelID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.loadParcel(ctx, id); err != nil {
		return err
	}
	es, err := s.store.ListEvents(ctx, id)
	if err != nil {
		return fmt.Errorf("list events of parcel %d: %w", id, err)
	}
	if es == nil {
		es = []land.Event{}
	}
	return writeJSON(c, http.StatusOK, map[string]any{"events": es})
}
