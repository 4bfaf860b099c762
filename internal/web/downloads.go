package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/transfer"
)

// exportFilter reads the filters of an export: park, class, status, asof
// (YYYY-MM-DD) and ids (comma-separated parcel ids).
func (s *server) exportFilter(c echo.Context) (transfer.Filter, error) {
	q := c.QueryParams()
	var d fieldDecoder
	f := transfer.Filter{ParkCode: strings.TrimSpace(q.Get("park")), Class: queryClass(q, &d), Status: queryStatus(q, &d),
		AsOf: queryDate(q, "asof", &d)}
	if v := strings.TrimSpace(q.Get("ids")); v != "" {
		for _, part := range strings.Split(v, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				d.fail("ids", fmt.Sprintf("地块编号 %q 无效：须为以逗号分隔的正整数", part))
				break
			}
			f.IDs = append(f.IDs, id)
		}
	}
	if err := d.err("查询参数有误"); err != nil {
		return f, err
	}
	return f, s.checkParkParam(c.Request().Context(), f.ParkCode)
}

// exportName is the Chinese base name of an export: 三类用地[_园区][_类别][_截至日期].
func (s *server) exportName(c echo.Context, f transfer.Filter, parks []land.Park) string {
	var b strings.Builder
	b.WriteString("三类用地")
	for _, p := range parks {
		if p.Code == f.ParkCode {
			b.WriteString("_" + p.Name)
		}
	}
	if f.Class != "" {
		b.WriteString("_" + f.Class.Name())
	}
	asof := f.AsOf
	if asof.IsZero() {
		asof = s.svc.Today()
	}
	b.WriteString("_" + asof.String())
	return b.String()
}

// sendDownload answers with a file to save.
func sendDownload(c echo.Context, mime, name, asciiName string, body []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment(name, asciiName))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, mime, body)
}

// selectExport reads the filter, the parcels and the parks of an export.
func (s *server) selectExport(c echo.Context) (transfer.Filter, []land.Parcel, []land.Park, error) {
	f, err := s.exportFilter(c)
	if err != nil {
		return f, nil, nil, err
	}
	ctx := c.Request().Context()
	ps, err := transfer.Select(ctx, s.store, f)
	if err != nil {
		return f, nil, nil, err
	}
	parks, err := s.store.ListParkFigures(ctx)
	if err != nil {
		return f, nil, nil, fmt.Errorf("list parks: %w", err)
	}
	return f, ps, parks, nil
}

// GET /api/exports/ledger.xlsx?park=&class=&status=&asof= — the ledger (台账)
// an officer hands to a leader: a sheet per class and the rates per park.
func (s *server) exportLedger(c echo.Context) error {
	f, ps, parks, err := s.selectExport(c)
	if err != nil {
		return err
	}
	rep, err := s.svc.Rates(c.Request().Context(), land.RatesQuery{AsOf: f.AsOf, Class: f.Class})
	if err != nil {
		return err
	}
	name := s.exportName(c, f, parks)
	var buf bytes.Buffer
	if err := transfer.WriteLedger(&buf, strings.ReplaceAll(name, "_", " ")+" 台账", ps, parks, rep); err != nil {
		return err
	}
	return sendDownload(c, mimeXLSX, name+"_台账.xlsx", "panhuo-ledger.xlsx", buf.Bytes())
}

// GET /api/exports/parcels.geojson?park=&class=&status=&asof=&ids= — the
// parcels as GeoJSON (RFC 7946, CGCS2000 lon/lat) with the contract's
// properties.
func (s *server) exportGeoJSON(c echo.Context) error {
	f, ps, parks, err := s.selectExport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeParcelCollection(&buf, ps); err != nil {
		return fmt.Errorf("encode parcels: %w", err)
	}
	return sendDownload(c, mimeGeoJSON, s.exportName(c, f, parks)+".geojson", "panhuo-parcels.geojson", buf.Bytes())
}

// GET /api/exports/parcels.zip?park=&class=&status=&asof=&ids=&crs=&encoding=
// — a zipped Shapefile: crs is 4490 (CGCS2000 lon/lat, the default) or a
// CGCS2000 3° Gauss-Krüger EPSG code (4513–4554); encoding GBK (default,
// what ArcGIS expects) or UTF-8.
func (s *server) exportShapefile(c echo.Context) error {
	crs, enc, err := shapefileOptions(c.QueryParams())
	if err != nil {
		return err
	}
	f, ps, parks, err := s.selectExport(c)
	if err != nil {
		return err
	}
	name := s.exportName(c, f, parks)
	var buf bytes.Buffer
	if err := transfer.WriteShapefile(&buf, ps, parks, transfer.ShapefileOptions{Name: name, CRS: crs, Encoding: enc}); err != nil {
		var ee *transfer.ExportError
		if errors.As(err, &ee) {
			return invalid("无法按所选坐标系导出", land.FieldError{Field: "crs", Reason: ee.Reason})
		}
		return err
	}
	return sendDownload(c, "application/zip", name+".zip", "panhuo-parcels.zip", buf.Bytes())
}

// shapefileOptions reads crs and encoding.
func shapefileOptions(q url.Values) (geo.CRS, string, error) {
	var d fieldDecoder
	crs, _ := geo.CRSFromEPSG(4490)
	if v := strings.TrimSpace(q.Get("crs")); v != "" {
		code, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(v), "EPSG:"))
		c, ok := geo.CRSFromEPSG(code)
		if err != nil || !ok || code == 4326 {
			d.fail("crs", fmt.Sprintf("坐标系 %q 不支持：须为 4490（CGCS2000 经纬度）或 CGCS2000 3° 高斯-克吕格投影 4513–4554", v))
		} else {
			crs = c
		}
	}
	enc := queryEncoding(q, &d)
	return crs, enc, d.err("查询参数有误")
}

// queryEncoding reads the text encoding of an export: GBK (the default,
// what ArcGIS and 报部 systems expect) or UTF-8.
func queryEncoding(q url.Values, d *fieldDecoder) string {
	switch enc := strings.ToUpper(strings.TrimSpace(q.Get("encoding"))); enc {
	case "", "GBK":
		return "GBK"
	case "UTF-8", "UTF8":
		return "UTF-8"
	}
	d.fail("encoding", "编码须为 GBK 或 UTF-8")
	return ""
}

// GET /api/exports/parcels.txt?ids=…&zone=&encoding= (or the filters) — the
// parcels as a 报部 coordinate TXT file in one Gauss-Krüger zone (default:
// the first parcel's), GBK by default.
func (s *server) exportTXT(c echo.Context) error {
	q := c.QueryParams()
	var d fieldDecoder
	var zone geo.Zone
	if v := strings.TrimSpace(q.Get("zone")); v != "" {
		n, err := strconv.Atoi(v)
		zone = geo.Zone(n)
		if err != nil || !zone.Valid() {
			d.fail("zone", "带号须为 24–45 之间的整数")
		}
	}
	enc := queryEncoding(q, &d)
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	f, ps, parks, err := s.selectExport(c)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return invalid("没有可导出的地块", land.FieldError{Field: "ids", Reason: "所选条件下没有地块"})
	}
	var buf bytes.Buffer
	if err := transfer.WriteTXT(&buf, ps, zone, enc, s.svc.Today()); err != nil {
		return err
	}
	mime := "text/plain; charset=GBK"
	if enc == "UTF-8" {
		mime = "text/plain; charset=utf-8"
	}
	return sendDownload(c, mime, s.exportName(c, f, parks)+"_报部坐标.txt", "panhuo-parcels.txt", buf.Bytes())
}
