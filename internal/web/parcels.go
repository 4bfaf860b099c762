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
