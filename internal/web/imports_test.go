package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"panhuo/geo"
	"panhuo/internal/land"
)

// upload is a file of a multipart import request.
type upload struct {
	name string
	data []byte
}

// multipartFiles builds a multipart/form-data body with the uploads as
// `file` parts and fields as form fields; it returns the body and its
// Content-Type.
func multipartFiles(t *testing.T, fields map[string]string, files ...upload) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gkSquare is a square of side metres on the zone-38 plane with its south-west
// corner at easting e, northing n (no prefix), as lon/lat GeoJSON coordinates.
func gkSquare(e, n, side float64) [][][2]float64 {
	z := geo.Zone(38)
	var ring [][2]float64
	for _, p := range [][2]float64{{0, 0}, {side, 0}, {side, side}, {0, side}, {0, 0}} {
		lon, lat := z.Inverse(e+p[0], n+p[1])
		ring = append(ring, [2]float64{lon, lat})
	}
	return [][][2]float64{ring}
}

func (e *env) importFiles(query string, hdr []string, files ...upload) resp {
	e.t.Helper()
	body, ct := multipartFiles(e.t, nil, files...)
	return e.do(http.MethodPost, "/api/imports"+query, body, append([]string{"Content-Type", ct}, hdr...)...)
}

func TestImportGeoJSONDryRunThenCommit(t *testing.T) {
	e := newEnv(t)
	e.addPark("PA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	x0, y0 := geo.Zone(38).Forward(113.05, 27.75)
	fc := map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": gkSquare(x0, y0, 100)},
			"properties": map[string]any{"宗地编号": "ZD-001", "项目名称": "一号地", "类别": "闲置", "认定日期": "2021-03-05"}},
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": gkSquare(x0+200, y0, 200)},
			"properties": map[string]any{"宗地编号": "ZD-002", "用地单位": "株洲某公司", "面积": 61}},
		// Outside every park.
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": gkSquare(x0+50000, y0, 100)},
			"properties": map[string]any{"宗地编号": "ZD-003"}},
	}}
	file := upload{"三类用地.geojson", mustJSON(t, fc)}
	before := e.counts()
	r := e.importFiles("?class=inefficient&dry_run=true", nil, file).want(200)
	if e.counts() != before {
		t.Fatalf("a dry run changed rows")
	}
	var rep struct {
		DryRun    bool `json:"dry_run"`
		Committed bool
		Files     []map[string]any
		Summary   map[string]float64
		Features  []struct {
			Status, Action, Code, Class, Title string
			AreaMu                             float64 `json:"area_mu"`
			ParcelID                           int64   `json:"parcel_id"`
			Errors                             []land.FieldError
			Warnings                           []string
		}
	}
	if err := json.Unmarshal(r.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Committed || rep.Summary["created"] != 2 || rep.Summary["rejected"] != 1 || len(rep.Features) != 3 {
		t.Fatalf("dry-run report: %s", r.Body.String())
	}
	f0, f1, f2 := rep.Features[0], rep.Features[1], rep.Features[2]
	if f0.Class != "idle" || f1.Class != "inefficient" || !near(f0.AreaMu, 15, 0.001) || !near(f1.AreaMu, 60, 0.001) {
		t.Fatalf("classes %s %s, areas %v %v", f0.Class, f1.Class, f0.AreaMu, f1.AreaMu)
	}
	if len(f1.Warnings) == 0 || !strings.Contains(f1.Warnings[0], "61.00") {
		t.Fatalf("declared 61 亩 vs computed 60 亩 gives no warning: %v", f1.Warnings)
	}
	if f2.Status != "rejected" || len(f2.Errors) == 0 || !hasHan(f2.Title) {
		t.Fatalf("outside every park: %+v", f2)
	}

	r = e.importFiles("?class=inefficient", nil, file).want(201)
	if err := json.Unmarshal(r.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	after := e.counts()
	if !rep.Committed || after.Parcels != before.Parcels+2 || after.Events != before.Events+2 {
		t.Fatalf("commit: %s; rows %+v → %+v", r.Body.String(), before, after)
	}
	got := e.do(http.MethodGet, parcelLocation(rep.Features[0].ParcelID), nil).want(200).props()
	if got["code"] != "ZD-001" || got["project_name"] != "一号地" || got["identified_on"] != "2021-03-05" || got["park_code"] != "PA" {
		t.Fatalf("imported parcel %v", got)
	}

	// The same file again: nothing to write, nothing written, 200.
	r = e.importFiles("?class=inefficient", nil, upload{"三类用地.geojson", mustJSON(t, map[string]any{"type": "FeatureCollection", "features": fc["features"].([]any)[:2]})}).want(200)
	if err := json.Unmarshal(r.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary["unchanged"] != 2 || e.counts() != after {
		t.Fatalf("re-import: %s", r.Body.String())
	}
}

func TestImportRefusesBadFilesAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.addPark("PA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("a.shp")
	zeros := make([]byte, 1<<20)
	for range 600 { // 600 MB of zeros, a few hundred kB compressed
		w.Write(zeros)
	}
	zw.Close()
	cases := []struct {
		name   string
		file   upload
		reason string
	}{
		{"empty file", upload{"a.geojson", nil}, "文件为空"},
		{"wrong extension", upload{"a.docx", []byte("hello")}, "不支持的文件类型"},
		{"bare .shp", upload{"a.shp", []byte("xxxx")}, "打包为 .zip"},
		{"old Excel", upload{"台账.xls", []byte{0xD0, 0xCF, 0x11, 0xE0}}, ".xlsx"},
		{"not JSON", upload{"a.geojson", []byte("{\"type\": \"FeatureCollection\", ")}, "GeoJSON"},
		{"zip bomb", upload{"a.zip", bomb.Bytes()}, "压缩"},
		{"truncated TXT", upload{"a.txt", []byte("[属性描述]\r\n坐标系=2000国家大地坐标系\r\n")}, "报部"},
	}
	for _, c := range cases {
		before := e.counts()
		start := time.Now()
		r := e.importFiles("?class=idle", nil, c.file)
		if r.Code != 422 {
			t.Errorf("%s: status %d, want 422: %s", c.name, r.Code, r.Body.String())
			continue
		}
		p := r.problem()
		fe := r.fieldErrors()
		if !hasHan(p["title"].(string)) || len(fe["file"]) == 0 || !strings.Contains(fe["file"][0], c.reason) {
			t.Errorf("%s: problem %v, want a file error containing %q", c.name, p, c.reason)
		}
		if e.counts() != before {
			t.Errorf("%s: rows changed", c.name)
		}
		if c.name == "zip bomb" && time.Since(start) > 5*time.Second {
			t.Errorf("zip bomb took %s to refuse", time.Since(start))
		}
	}
	// Not multipart at all.
	r := e.do(http.MethodPost, "/api/imports", map[string]any{"type": "FeatureCollection"}).want(415)
	if fe := r.fieldErrors(); len(fe["file"]) == 0 {
		t.Fatalf("415 without a file error: %s", r.Body.String())
	}
	// A leader may not import, not even a dry run.
	_, tok := e.user("leader", "领导", land.RoleLeader)
	e.importFiles("?dry_run=true", bearer(tok), upload{"a.geojson", []byte(`{}`)}).want(403)
}

func TestImportAsyncReportsProgressToItsOwner(t *testing.T) {
	e := newEnv(t)
	e.addPark("PA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	x0, y0 := geo.Zone(38).Forward(113.01, 27.71)
	var feats []any
	for i := range 40 {
		feats = append(feats, map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Polygon", "coordinates": gkSquare(x0+float64(i%8)*150, y0+float64(i/8)*150, 100)},
			"properties": map[string]any{"宗地编号": "A-" + string(rune('A'+i))}})
	}
	r := e.importFiles("?class=idle", []string{"Prefer", "respond-async"}, upload{"a.geojson", mustJSON(t, map[string]any{"type": "FeatureCollection", "features": feats})}).want(202)
	loc := r.Header().Get("Location")
	if !strings.HasPrefix(loc, "/api/imports/") {
		t.Fatalf("Location %q", loc)
	}
	var job struct {
		State  string
		Report *struct{ Committed bool }
		Total  int
	}
	deadline := time.Now().Add(20 * time.Second)
	for job.State != "done" && job.State != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("import job still %q", job.State)
		}
		time.Sleep(20 * time.Millisecond)
		if err := json.Unmarshal(e.do(http.MethodGet, loc, nil).want(200).Body.Bytes(), &job); err != nil {
			t.Fatal(err)
		}
	}
	if job.State != "done" || job.Report == nil || !job.Report.Committed || job.Total != 40 || e.counts().Parcels != 40 {
		t.Fatalf("job %+v, %d parcels", job, e.counts().Parcels)
	}
	// Another user does not see it.
	_, tok := e.user("officer", "专员", land.RoleOfficer, "PA")
	e.do(http.MethodGet, loc, nil, bearer(tok)...).want(404)
}

func TestExportsAreFilesWithTheParcels(t *testing.T) {
	e := newEnv(t)
	e.addPark("PA", 113.0, 27.7, 113.1, 27.8, 1000, 100)
	x0, y0 := geo.Zone(38).Forward(113.05, 27.75)
	fc := map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": gkSquare(x0, y0, 100)},
			"properties": map[string]any{"宗地编号": "ZD-001", "项目名称": "株洲高新区闲置地块一"}},
	}}
	e.importFiles("?class=idle", nil, upload{"a.geojson", mustJSON(t, fc)}).want(201)

	r := e.do(http.MethodGet, "/api/exports/ledger.xlsx?park=PA", nil).want(200)
	if ct := r.Header().Get("Content-Type"); ct != mimeXLSX || !strings.Contains(r.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("ledger: %s %s", ct, r.Header().Get("Content-Disposition"))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sh := range wb.GetSheetList() {
		rows, _ := wb.GetRows(sh)
		for _, row := range rows {
			found = found || strings.Contains(strings.Join(row, "|"), "株洲高新区闲置地块一")
		}
	}
	if !found {
		t.Fatalf("the ledger lacks the parcel: sheets %v", wb.GetSheetList())
	}

	r = e.do(http.MethodGet, "/api/exports/parcels.geojson?class=idle", nil).want(200)
	var got struct{ Features []map[string]any }
	if err := json.Unmarshal(r.Body.Bytes(), &got); err != nil || len(got.Features) != 1 {
		t.Fatalf("geojson: %v %s", err, r.Body.String())
	}
	r = e.do(http.MethodGet, "/api/exports/parcels.zip?crs=4526", nil).want(200)
	zr, err := zip.NewReader(bytes.NewReader(r.Body.Bytes()), int64(r.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	exts := map[string]bool{}
	for _, f := range zr.File {
		exts[f.Name[strings.LastIndex(f.Name, "."):]] = true
	}
	for _, x := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		if !exts[x] {
			t.Fatalf("shapefile zip lacks %s: %v", x, exts)
		}
	}
	r = e.do(http.MethodGet, "/api/exports/parcels.txt?class=idle&encoding=UTF-8", nil).want(200)
	if !strings.Contains(r.Body.String(), "[地块坐标]") || !strings.Contains(r.Body.String(), "ZD-001") {
		t.Fatalf("TXT: %s", r.Body.String())
	}
	e.do(http.MethodGet, "/api/exports/parcels.zip?crs=3857", nil).want(422)
	e.do(http.MethodGet, "/api/exports/parcels.txt?class=unsupplied", nil).want(422)
}

// rezip rewrites a zipped Shapefile fixture: edit may change, replace or
// (returning nil) drop each entry.
func rezip(t *testing.T, path string, edit func(name string, data []byte) []byte) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if data = edit(f.Name, data); data == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestBadFileCorpus: every file of the corpus is refused with a Chinese
// reason naming what is wrong, and the database is left as it was.
func TestBadFileCorpus(t *testing.T) {
	e := newEnv(t)
	e.addPark("PA", 113.0, 27.7, 113.2, 27.9, 1000, 100)
	const fixture = "../../geo/shp/testdata/cgcs2000_gbk.zip"
	xian80, err := os.ReadFile("../../geo/shp/testdata/prj/esri_2383.prj")
	if err != nil {
		t.Fatal(err)
	}
	txt := "[属性描述]\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n带号=38\r\n[地块坐标]\r\n"
	cases := []struct {
		name   string
		file   upload
		reason string // in the file error
	}{
		{"truncated .shp", upload{"a.zip", rezip(t, fixture, func(n string, d []byte) []byte {
			if strings.HasSuffix(n, ".shp") {
				return d[:len(d)/2]
			}
			return d
		})}, "Shapefile"},
		{"missing .prj", upload{"a.zip", rezip(t, fixture, func(n string, d []byte) []byte {
			if strings.HasSuffix(n, ".prj") {
				return nil
			}
			return d
		})}, ".prj"},
		{"unknown CRS (Xian 1980)", upload{"a.zip", rezip(t, fixture, func(n string, d []byte) []byte {
			if strings.HasSuffix(n, ".prj") {
				return xian80
			}
			return d
		})}, "CGCS2000"},
		{"KML without placemarks", upload{"a.kml", []byte(`<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>空</name></Document></kml>`)}, "KML"},
		{"TXT with a ring of two points", upload{"a.txt", []byte(txt + "3,1.0,ZD-1,地块,面,,,,@\r\nJ1,1,3076500.000,38512300.000\r\nJ2,1,3076500.000,38512400.000\r\nJ1,1,3076500.000,38512300.000\r\n")}, "至少需要 3 个"},
		{"TXT with absurd coordinates", upload{"a.txt", []byte(txt + "4,1.0,ZD-1,地块,面,,,,@\r\nJ1,1,99999999999,38512300.000\r\nJ2,1,3076500.000,38512400.000\r\nJ3,1,3076600.000,38512400.000\r\nJ1,1,99999999999,38512300.000\r\n")}, "报部 TXT"},
		{"GeoJSON in projected coordinates without crs", upload{"a.geojson", []byte(`{"type":"Polygon","coordinates":[[[512300,3076500],[512400,3076500],[512400,3076600],[512300,3076500]]]}`)}, "GeoJSON"},
		{"GeoJSON in Web Mercator", upload{"a.geojson", []byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}`)}, "3857"},
		{"Excel that is not a workbook", upload{"台账.xlsx", []byte("宗地编号,面积\nZD-1,10\n")}, "Excel"},
		{"empty zip", upload{"a.zip", rezip(t, fixture, func(string, []byte) []byte { return nil })}, "Shapefile"},
	}
	for _, c := range cases {
		before := e.counts()
		r := e.importFiles("?class=idle", nil, c.file)
		if r.Code != 422 {
			t.Errorf("%s: status %d, want 422: %.300s", c.name, r.Code, r.Body.String())
			continue
		}
		fe := r.fieldErrors()
		if len(fe["file"]) == 0 || !strings.Contains(fe["file"][0], c.reason) || !hasHan(fe["file"][0]) {
			t.Errorf("%s: errors %v, want a Chinese file error containing %q", c.name, fe, c.reason)
		}
		t.Logf("%s: %s", c.name, strings.Join(fe["file"], "；"))
		if e.counts() != before {
			t.Errorf("%s: rows changed", c.name)
		}
	}
}
