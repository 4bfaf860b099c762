package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"panhuo/geo"
)

// The import dialog (static/map-import.js) and the 导出 menu
// (static/map-export.js) of the map, and the dashboard's 导出台账 link.

// importZone is the Gauss-Krüger zone of the demo parks (central meridian
// 114°E): the zone the server measures their parcels in.
const importZone = geo.Zone(38)

// squareSide is the side of the imported squares on the zone-38 plane, in
// metres: 100 m × 100 m = 10 000 m² = 15 亩 exactly.
const squareSide = 100.0

// freeSquares finds, inside park code, a spot free of every parcel (with a
// margin) for two squares of squareSide on the zone-38 plane, 50 m apart,
// and returns them as closed lon/lat rings (counter-clockwise).
func freeSquares(t *testing.T, c *apiClient, code string) [2]orb.Ring {
	t.Helper()
	var park orb.Geometry
	for _, f := range collection(t, c, "/api/layers/parks") {
		if f.Properties["code"] == code {
			park = f.Geometry
		}
	}
	if park == nil {
		t.Fatalf("no park %s", code)
	}
	inside := func(p orb.Point) bool {
		switch g := park.(type) {
		case orb.Polygon:
			return planar.PolygonContains(g, p)
		case orb.MultiPolygon:
			return planar.MultiPolygonContains(g, p)
		}
		return false
	}
	var taken []orb.Bound
	for _, f := range collection(t, c, "/api/layers/parcels") {
		taken = append(taken, f.Geometry.Bound())
	}
	ll := func(e, n float64) orb.Point {
		lon, lat := importZone.Inverse(e, n)
		return orb.Point{lon, lat}
	}
	// The squares span x−125…x+125, y−50…y+50 around a centre (x, y); the
	// free room around them is 60 m.
	const halfW, halfH, margin = 125.0, 50.0, 60.0
	free := func(x, y float64) bool {
		x0, x1, y0, y1 := x-halfW-margin, x+halfW+margin, y-halfH-margin, y+halfH+margin
		box := orb.Bound{Min: ll(x0, y0), Max: ll(x0, y0)}
		for i := 0; i <= 8; i++ {
			f := float64(i) / 8
			for _, p := range []orb.Point{ll(x0+f*(x1-x0), y0), ll(x0+f*(x1-x0), y1), ll(x0, y0+f*(y1-y0)), ll(x1, y0+f*(y1-y0))} {
				if !inside(p) {
					return false
				}
				box = box.Extend(p)
			}
		}
		for _, b := range taken {
			if b.Intersects(box) {
				return false
			}
		}
		return true
	}
	bound := park.Bound()
	cx, cy := importZone.Forward(bound.Center()[0], bound.Center()[1])
	minX, minY := importZone.Forward(bound.Min[0], bound.Min[1])
	maxX, maxY := importZone.Forward(bound.Max[0], bound.Max[1])
	best, bestD := [2]float64{}, math.Inf(1)
	for x := minX; x <= maxX; x += 20 {
		for y := minY; y <= maxY; y += 20 {
			if d := math.Hypot(x-cx, y-cy); d < bestD && free(x, y) {
				best, bestD = [2]float64{x, y}, d
			}
		}
	}
	if math.IsInf(bestD, 1) {
		t.Fatalf("no free spot for two squares in %s", code)
	}
	square := func(x0, y0 float64) orb.Ring {
		return orb.Ring{ll(x0, y0), ll(x0+squareSide, y0), ll(x0+squareSide, y0+squareSide), ll(x0, y0+squareSide), ll(x0, y0)}
	}
	x, y := best[0], best[1]
	return [2]orb.Ring{square(x-halfW, y-halfH), square(x+halfW-squareSide, y-halfH)}
}

// writeSquares writes the rings as a GeoJSON file (Chinese ledger column
// names as attributes, no class: the dialog's 类别 gives it) and returns
// its path.
func writeSquares(t *testing.T, rings [2]orb.Ring, codes [2]string) string {
	t.Helper()
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for i, r := range rings {
		fc.Features = append(fc.Features, feature{Type: "Feature",
			Properties: map[string]any{"宗地编号": codes[i], "项目名称": fmt.Sprintf("导入测试地块%d", i+1), "用地单位": "某导入测试公司"},
			Geometry:   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ringCoords(r)}}})
	}
	b, err := json.MarshalIndent(fc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "两块地.geojson")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func ringCoords(r orb.Ring) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[i] = [2]float64{p[0], p[1]}
	}
	return out
}

// importRow is a row of the dialog's feature table as shown.
type importRow struct {
	Index    string `json:"index"`
	File     string `json:"file"`
	Ident    string `json:"ident"`
	Action   string `json:"action"`
	Park     string `json:"park"`
	Area     string `json:"area"`
	Notes    string `json:"notes"`
	Rejected bool   `json:"rejected"`
}

const readImportRows = `Array.from(document.querySelectorAll("#import-features tbody tr"), (tr) => ({
  index: tr.cells[0].textContent, file: tr.cells[1].textContent, ident: tr.cells[2].textContent,
  action: tr.cells[3].textContent, park: tr.cells[4].textContent, area: tr.cells[5].textContent,
  notes: tr.cells[6].textContent, rejected: tr.classList.contains("rejected"),
}))`

// openImport opens the import dialog and puts files into it.
func openImport(b *browser, files ...string) {
	b.t.Helper()
	b.run(chromedp.Click(`#import-open`), chromedp.WaitVisible(`#import-dialog`),
		chromedp.SetUploadFiles(`#import-files`, files))
	b.waitFor(`document.getElementById("import-files").files.length === `+fmt.Sprint(len(files))+` && !document.getElementById("import-check").disabled`, 5*time.Second)
}

// runImport clicks a button of the dialog (#import-check or
// #import-confirm) and waits for the report or the error.
func runImport(b *browser, button string) {
	b.t.Helper()
	n := eval[int](b, `panhuoMap.importsDone || 0`)
	b.run(chromedp.Click(button))
	b.waitFor(fmt.Sprintf(`(panhuoMap.importsDone || 0) > %d`, n), 20*time.Second)
}

// disabled tells whether a button is disabled.
func disabled(b *browser, sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`document.querySelector(%q).disabled`, sel))
}

// TestImportGeoJSON: the administrator imports a GeoJSON of two 100 m
// squares in a free spot of 醴陵经开区 through the dialog: the check shows
// two rows 新增 of 15.00 亩 each in that park; 确认导入 writes them, the
// map shows two more parcels and the API has them with the class chosen in
// the dialog. Importing the same file again shows 无变化 twice and leaves
// 确认导入 disabled.
func TestImportGeoJSON(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	admin := srv.client(t, "admin")
	codes := [2]string{"430281-E2E-IMP-1", "430281-E2E-IMP-2"}
	rings := freeSquares(t, admin, "LLJK")
	for i, r := range rings {
		// Independently of the server: the squares measure 15 亩 on the plane.
		if a := geo.MuFromM2(geo.AreaM2(orb.Polygon{r}, importZone)); math.Abs(a-15) > 1e-6 {
			t.Fatalf("square %d measures %.9f 亩 on zone 38, want 15", i, a)
		}
	}
	file := writeSquares(t, rings, codes)

	b := newBrowser(t, srv)
	b.login("admin", "/?park=LLJK")
	waitMap(b)
	before := eval[int](b, `panhuoMap.parcelCount()`)
	if eval[bool](b, `document.getElementById("import-dialog").open`) {
		t.Error("the dialog is open before 导入 is clicked")
	}
	openImport(b, file)
	if !disabled(b, "#import-confirm") {
		t.Error("确认导入 is enabled before a check")
	}
	b.run(chromedp.SetValue(`#import-class`, "unsupplied"))
	runImport(b, "#import-check")
	if e := eval[string](b, `document.getElementById("import-error").hidden ? "" : document.getElementById("import-error").textContent`); e != "" {
		t.Fatalf("the check failed: %s", e)
	}
	rows := eval[[]importRow](b, readImportRows)
	if len(rows) != 2 {
		t.Fatalf("report rows %+v, want 2", rows)
	}
	for i, r := range rows {
		if r.Action != "新增" || r.Area != "15.00" || r.Park != "醴陵经开区" || r.Rejected || r.File != "两块地.geojson" || !strings.Contains(r.Ident, codes[i]) {
			t.Errorf("row %d: %+v, want 新增 of 15.00 亩 in 醴陵经开区 from 两块地.geojson, %s", i+1, r, codes[i])
		}
	}
	summary := eval[string](b, `document.getElementById("import-summary").textContent`)
	if want := "共 2 个：新增 2，更新 0，无变化 0，拒绝 0；面积 30.00 亩"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	if files := eval[string](b, `document.querySelector("#import-report table.import-files tbody").textContent`); !strings.Contains(files, "GeoJSON") || !strings.Contains(files, "两块地.geojson") {
		t.Errorf("file rows %q", files)
	}
	if disabled(b, "#import-confirm") {
		t.Fatalf("确认导入 disabled after a check that creates 2 parcels (hint %q)", eval[string](b, `document.getElementById("import-hint").textContent`))
	}
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != before {
		t.Errorf("a dry run changed the map: %d parcels, was %d", n, before)
	}
	b.screenshot("report")

	// Changing an option asks for another check.
	b.run(chromedp.SetValue(`#import-class`, "idle"))
	if !disabled(b, "#import-confirm") {
		t.Error("确认导入 stays enabled after the class changed")
	}
	b.run(chromedp.SetValue(`#import-class`, "unsupplied"))
	if disabled(b, "#import-confirm") {
		t.Error("确认导入 disabled after the class went back to what was checked")
	}

	runImport(b, "#import-confirm")
	b.waitFor(fmt.Sprintf(`panhuoMap.parcelCount() === %d`, before+2), 10*time.Second)
	if h := eval[string](b, `document.querySelector("#import-report h3").textContent`); !strings.Contains(h, "已写入") {
		t.Errorf("report heading after the commit %q", h)
	}
	if !disabled(b, "#import-confirm") {
		t.Error("确认导入 still enabled after the commit")
	}
	ids := eval[[]int64](b, `panhuoMap.lastImportIds`)
	if len(ids) != 2 {
		t.Fatalf("imported ids %v", ids)
	}
	for i, id := range ids {
		p := parcelProps(t, admin, id)
		if p["code"] != codes[i] || p["class"] != "unsupplied" || p["park_code"] != "LLJK" || p["project_name"] != fmt.Sprintf("导入测试地块%d", i+1) {
			t.Errorf("stored parcel %d: %v", id, p)
		}
		if a, _ := p["area_mu"].(float64); math.Abs(a-15) > 0.005 {
			t.Errorf("stored parcel %d: area_mu %v, want 15.00", id, p["area_mu"])
		}
		if eval[bool](b, fmt.Sprintf(`panhuoMap.props(%d) === null`, id)) {
			t.Errorf("parcel %d is not on the map", id)
		}
	}
	// The view went to them.
	inView := eval[bool](b, fmt.Sprintf(`(() => {
	  const m = panhuoMap.map, ext = m.getView().calculateExtent(m.getSize());
	  return [%d, %d].every((id) => panhuoMap.ctx.ol.extent.containsExtent(ext, panhuoMap.parcels.getFeatureById(id).getGeometry().getExtent()));
	})()`, ids[0], ids[1]))
	if !inView {
		t.Error("the imported parcels are not in view after the import")
	}
	b.screenshot("committed")
	b.run(chromedp.Click(`#import-close`))
	b.waitFor(`!document.getElementById("import-dialog").open`, 2*time.Second)
	b.screenshot("imported")
	b.run(chromedp.Click(`#import-open`), chromedp.WaitVisible(`#import-dialog`))

	// The same file again: nothing to write.
	b.run(chromedp.SetUploadFiles(`#import-files`, []string{file}))
	runImport(b, "#import-check")
	rows = eval[[]importRow](b, readImportRows)
	if len(rows) != 2 || rows[0].Action != "无变化" || rows[1].Action != "无变化" {
		t.Errorf("second import rows %+v, want 2 × 无变化", rows)
	}
	if s := eval[string](b, `document.getElementById("import-summary").textContent`); !strings.Contains(s, "无变化 2") || !strings.Contains(s, "新增 0") {
		t.Errorf("second summary %q", s)
	}
	if !disabled(b, "#import-confirm") {
		t.Error("确认导入 enabled though nothing would be written")
	}
	b.screenshot("unchanged")
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != before+2 {
		t.Errorf("%d parcels after the second check, want %d", n, before+2)
	}
	b.checkClean()
}

// TestImportBadFile: files the server cannot read at all (a loose .shp, a
// KML without placemarks) show the whole-file error in Chinese in the
// dialog, no report, and change nothing. The officer of 醴陵经开区 finds
// the park chosen for them; a parcel of another park in a file is refused
// and marked in the report.
func TestImportBadFile(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	dir := t.TempDir()
	shp := filepath.Join(dir, "地块.shp")
	kml := filepath.Join(dir, "空.kml")
	if err := os.WriteFile(shp, []byte("\x00\x00\x27\x0a not really a shapefile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kml, []byte(`<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>空</name></Document></kml>`), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, srv)
	b.login("officer")
	waitMap(b)
	before := eval[int](b, `panhuoMap.parcelCount()`)
	if v := eval[string](b, `document.getElementById("import-park").value`); v != "LLJK" {
		t.Errorf("park for the officer of one park %q, want LLJK", v)
	}
	for _, c := range []struct{ file, want string }{
		{shp, "打包为 .zip"},
		{kml, "没有地标"},
	} {
		if eval[bool](b, `document.getElementById("import-dialog").open`) {
			b.run(chromedp.SetUploadFiles(`#import-files`, []string{c.file}))
		} else {
			openImport(b, c.file)
		}
		runImport(b, "#import-check")
		msg := eval[string](b, `document.getElementById("import-error").hidden ? "" : document.getElementById("import-error").textContent`)
		if !strings.Contains(msg, "文件无法导入") || !strings.Contains(msg, filepath.Base(c.file)) || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q, want 文件无法导入 naming the file and %q", filepath.Base(c.file), msg, c.want)
		}
		if n := eval[int](b, `document.querySelectorAll("#import-features tbody tr").length`); n != 0 {
			t.Errorf("%s: %d report rows", filepath.Base(c.file), n)
		}
		if !disabled(b, "#import-confirm") {
			t.Errorf("%s: 确认导入 enabled", filepath.Base(c.file))
		}
		b.screenshot("error-" + filepath.Ext(c.file)[1:])
	}
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != before {
		t.Errorf("%d parcels after refused files, want %d", n, before)
	}
	officer := srv.client(t, "officer")
	if n := len(collection(t, officer, "/api/layers/parcels")); n != before {
		t.Errorf("the API has %d parcels after refused files, want %d", n, before)
	}

	// A readable file with a square in the officer's park and one in
	// another: the second row is refused and marked; 确认导入 would write
	// the first, unless any refusal stops the whole import.
	mine, other := freeSquares(t, officer, "LLJK"), freeSquares(t, officer, "ZZGX")
	mixed := writeSquares(t, [2]orb.Ring{mine[0], other[0]}, [2]string{"430281-E2E-MIX-1", "430211-E2E-MIX-2"})
	b.run(chromedp.SetUploadFiles(`#import-files`, []string{mixed}), chromedp.SetValue(`#import-class`, "idle"))
	runImport(b, "#import-check")
	rows := eval[[]importRow](b, readImportRows)
	if len(rows) != 2 || rows[0].Action != "新增" || rows[0].Rejected || rows[1].Action != "拒绝" || !rows[1].Rejected || rows[1].Notes == "" {
		t.Errorf("rows %+v, want 新增 then a marked 拒绝 with its reason", rows)
	}
	if disabled(b, "#import-confirm") {
		t.Error("确认导入 disabled though one parcel would be created")
	}
	b.screenshot("rejected")
	b.run(chromedp.Click(`#import-all`))
	if !disabled(b, "#import-confirm") {
		t.Error("确认导入 enabled after 任一地块被拒绝则全部不导入 was ticked, before another check")
	}
	runImport(b, "#import-check")
	if !disabled(b, "#import-confirm") {
		t.Errorf("确认导入 enabled though a refusal stops the whole import (hint %q)", eval[string](b, `document.getElementById("import-hint").textContent`))
	}
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != before {
		t.Errorf("%d parcels after dry runs, want %d", n, before)
	}
	b.checkClean()
}

// fetchInfo is what fetch() in the page saw of a download.
type fetchInfo struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Disp   string `json:"disp"`
	Size   int    `json:"size"`
	Body   string `json:"body"`
}

// fetchDownload fetches a URL in the page with its session.
func fetchDownload(b *browser, url string) fetchInfo {
	b.t.Helper()
	return eval[fetchInfo](b, fmt.Sprintf(`fetch(%q, { credentials: "same-origin" }).then(async (r) => {
	  const buf = await r.arrayBuffer();
	  const ct = r.headers.get("Content-Type") || "";
	  return { status: r.status, type: ct, disp: r.headers.get("Content-Disposition") || "", size: buf.byteLength,
	    body: ct.includes("json") ? new TextDecoder().decode(buf) : "" };
	})`, url))
}

// TestImportLeaderExports: a leader has no 导入 but 导出, whose links follow
// the map's filters and the selection and answer with the files; the
// dashboard's 导出台账 carries its date and class.
func TestImportLeaderExports(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	b := newBrowser(t, srv)
	b.login("leader")
	waitMap(b)
	if eval[bool](b, `(() => { const n = document.getElementById("import-open"); return !n.hidden || n.offsetWidth > 0; })()`) {
		t.Error("a leader sees 导入")
	}
	if eval[bool](b, `document.getElementById("import-dialog") !== null`) {
		t.Error("the import dialog exists for a leader")
	}
	b.run(chromedp.WaitVisible(`#export-open`), chromedp.Click(`#export-open`), chromedp.WaitVisible(`#export-ledger`))
	b.screenshot("export-menu")
	ledger := eval[string](b, `document.getElementById("export-ledger").href`)
	if ledger != srv.URL+"/api/exports/ledger.xlsx" {
		t.Errorf("ledger link without filters %s", ledger)
	}
	got := fetchDownload(b, ledger)
	if got.Status != http.StatusOK || !strings.Contains(got.Type, "spreadsheetml") || !strings.Contains(got.Disp, "attachment") || got.Size < 1000 {
		t.Errorf("ledger export: %+v", got)
	}

	// The filters go into the links.
	b.run(chromedp.SetValue(`#f-park`, "LLJK"), chromedp.SetValue(`#f-class`, "idle"))
	b.run(chromedp.Click(`#export-open`)) // closes
	b.run(chromedp.Click(`#export-open`), chromedp.WaitVisible(`#export-geojson`))
	q := "?park=LLJK&class=idle"
	hrefs := eval[map[string]string](b, `panhuoMap.ctx.exporter.hrefs()`)
	for id, want := range map[string]string{
		"export-ledger":   "/api/exports/ledger.xlsx" + q,
		"export-geojson":  "/api/exports/parcels.geojson" + q,
		"export-shp-4490": "/api/exports/parcels.zip" + q + "&crs=4490",
		"export-shp-4526": "/api/exports/parcels.zip" + q + "&crs=4526",
		"export-shp-4547": "/api/exports/parcels.zip" + q + "&crs=4547",
		"export-txt":      "/api/exports/parcels.txt" + q,
	} {
		if hrefs[id] != want {
			t.Errorf("%s: %q, want %q", id, hrefs[id], want)
		}
	}
	visible := eval[int](b, `panhuoMap.visibleCount()`)
	got = fetchDownload(b, hrefs["export-geojson"])
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal([]byte(got.Body), &fc); got.Status != http.StatusOK || err != nil || len(fc.Features) != visible || visible == 0 {
		t.Errorf("GeoJSON export of the filter: %d, %v, %d features, want the %d on the map", got.Status, err, len(fc.Features), visible)
	}
	got = fetchDownload(b, hrefs["export-shp-4526"])
	if got.Status != http.StatusOK || !strings.Contains(got.Type, "zip") {
		t.Errorf("Shapefile export: %+v", got)
	}

	// With a parcel selected, the 报部 TXT is of that parcel.
	admin := srv.client(t, "admin")
	id := featureID(t, firstParcel(t, admin, "LLJK", ""))
	eval[bool](b, fmt.Sprintf(`(panhuoMap.ctx.select(%d), true)`, id))
	b.run(chromedp.Click(`#export-open`)) // closes
	b.run(chromedp.Click(`#export-open`), chromedp.WaitVisible(`#export-txt`))
	if h := eval[string](b, `document.getElementById("export-txt").getAttribute("href")`); h != fmt.Sprintf("/api/exports/parcels.txt?ids=%d", id) {
		t.Errorf("TXT link with parcel %d selected: %q", id, h)
	}
	if got = fetchDownload(b, fmt.Sprintf("/api/exports/parcels.txt?ids=%d", id)); got.Status != http.StatusOK || !strings.Contains(got.Type, "text/plain") {
		t.Errorf("TXT export: %+v", got)
	}

	// The dashboard: 导出台账 with the as-of date and the class.
	openDashboard(b, "?asof=2021-12-31&class=idle")
	href := eval[string](b, `document.getElementById("export-ledger").href`)
	if want := srv.URL + "/api/exports/ledger.xlsx?asof=2021-12-31&class=idle"; href != want {
		t.Errorf("dashboard ledger link %s, want %s", href, want)
	}
	got = fetchDownload(b, href)
	if got.Status != http.StatusOK || !strings.Contains(got.Type, "spreadsheetml") {
		t.Errorf("dashboard ledger export: %+v", got)
	}
	b.checkClean()
}
