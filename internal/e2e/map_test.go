package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"panhuo/geo"
)

// The map's tests drive / (一张图) through window.panhuoMap, the page's
// debug handle (static/map.js): ready once everything is drawn,
// parcelCount(), props(id), styleKey(id) ("idle/solid", "…/hatched",
// "…/outline"), pixelOf(lon, lat), interiorPixel(id), liveAreaMu.

// waitMap waits for the map to load and draw.
func waitMap(b *browser) {
	b.t.Helper()
	b.waitFor(`window.panhuoMap && (window.panhuoMap.ready || window.panhuoMap.error)`, 20*time.Second)
	if e := eval[string](b, `panhuoMap.error || ""`); e != "" {
		b.t.Fatalf("the map says: %s", e)
	}
}

// pixelJS reads the colour the map shows at a viewport pixel: the topmost
// non-transparent pixel of the map's canvases, [r, g, b, a], or null.
const pixelJS = `((x, y) => {
  let out = null;
  for (const c of document.querySelectorAll("#map canvas")) {
    const r = c.getBoundingClientRect();
    if (!r.width || x < r.left || y < r.top || x >= r.right || y >= r.bottom) continue;
    const cx = Math.floor((x - r.left) * c.width / r.width), cy = Math.floor((y - r.top) * c.height / r.height);
    const d = c.getContext("2d").getImageData(cx, cy, 1, 1).data;
    if (d[3] > 0) out = [d[0], d[1], d[2], d[3]];
  }
  return out;
})`

// mapPixel is the colour at a viewport pixel (nil when nothing is drawn there).
func mapPixel(b *browser, x, y float64) []int {
	b.t.Helper()
	return eval[[]int](b, fmt.Sprintf(`%s(%f, %f)`, pixelJS, x, y))
}

// xy is a viewport pixel.
type xy [2]float64

func interiorPixel(b *browser, id int64) xy {
	b.t.Helper()
	p := eval[[]float64](b, fmt.Sprintf(`panhuoMap.interiorPixel(%d)`, id))
	if len(p) != 2 {
		b.t.Fatalf("no parcel %d on the map", id)
	}
	return xy{p[0], p[1]}
}

// click clicks a viewport pixel with the mouse, as a person would.
func click(b *browser, p xy) {
	b.t.Helper()
	b.run(chromedp.MouseClickXY(p[0], p[1]))
}

// apiFeature is a GeoJSON Feature of the API with its geometry as orb.
type apiFeature struct {
	Geometry   orb.Geometry
	Properties map[string]any
}

// collection reads a GeoJSON FeatureCollection of polygons from the API.
func collection(t *testing.T, c *apiClient, path string) []apiFeature {
	t.Helper()
	code, body := c.do("GET", path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	out := make([]apiFeature, len(fc.Features))
	for i, f := range fc.Features {
		out[i].Properties = f.Properties
		var err error
		switch f.Geometry.Type {
		case "Polygon":
			var p orb.Polygon
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			out[i].Geometry = p
		case "MultiPolygon":
			var mp orb.MultiPolygon
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
			out[i].Geometry = mp
		default:
			t.Fatalf("GET %s: a %q geometry", path, f.Geometry.Type)
		}
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return out
}

// featureID is the numeric id of an API feature.
func featureID(t *testing.T, f apiFeature) int64 {
	t.Helper()
	if v, ok := f.Properties["id"].(float64); ok {
		return int64(v)
	}
	t.Fatalf("feature without a numeric id: %v", f.Properties["id"])
	return 0
}

// freeShape finds, inside park code, a spot free of every parcel (with a
// margin) and returns an irregular pentagon there (lon/lat ring, closed).
func freeShape(t *testing.T, c *apiClient, code string) orb.Ring {
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
	const r = 0.0007      // the pentagon's radius, degrees (about 70 m)
	const margin = 0.0006 // free room around it
	const step = 0.0002   // grid of candidate centres
	bound := park.Bound()
	centre := bound.Center()
	best, bestD := orb.Point{}, math.Inf(1)
	for lon := bound.Min[0]; lon <= bound.Max[0]; lon += step {
		for lat := bound.Min[1]; lat <= bound.Max[1]; lat += step {
			p := orb.Point{lon, lat}
			ok := true
			for a := 0; a < 16 && ok; a++ {
				th := float64(a) * math.Pi / 8
				ok = inside(orb.Point{lon + (r+margin)*math.Cos(th), lat + (r+margin)*math.Sin(th)})
			}
			box := orb.Bound{Min: orb.Point{lon - r - margin, lat - r - margin}, Max: orb.Point{lon + r + margin, lat + r + margin}}
			for _, b := range taken {
				if ok && b.Intersects(box) {
					ok = false
				}
			}
			if d := math.Hypot(p[0]-centre[0], p[1]-centre[1]); ok && d < bestD {
				best, bestD = p, d
			}
		}
	}
	if math.IsInf(bestD, 1) {
		t.Fatalf("no free spot in %s", code)
	}
	var ring orb.Ring
	for i, k := range []float64{1, 0.8, 1.1, 0.75, 0.95} {
		th := math.Pi/2 + float64(i)*2*math.Pi/5
		ring = append(ring, orb.Point{best[0] + r*k*math.Cos(th), best[1] + r*k*0.9*math.Sin(th)})
	}
	return append(ring, ring[0])
}

// patchIfMatch sends a merge patch with If-Match as c's user.
func patchIfMatch(t *testing.T, c *apiClient, id int64, version int, body any) (int, []byte) {
	t.Helper()
	return ifMatchRequest(t, c, "PATCH", "application/merge-patch+json", id, version, body)
}

// ifMatchRequest sends a write of a parcel with If-Match as c's user.
func ifMatchRequest(t *testing.T, c *apiClient, method, contentType string, id int64, version int, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, fmt.Sprintf("%s/api/parcels/%d", c.base, id), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("If-Match", strconv.Quote(strconv.Itoa(version)))
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.AddCookie(c.cookie)
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// parcelProps reads a parcel's properties from the API.
func parcelProps(t *testing.T, c *apiClient, id int64) map[string]any {
	t.Helper()
	f := c.json("GET", fmt.Sprintf("/api/parcels/%d", id), nil, http.StatusOK)
	return f["properties"].(map[string]any)
}

// firstParcel returns a parcel of a park (and status, if not "") from the API.
func firstParcel(t *testing.T, c *apiClient, park, status string) apiFeature {
	t.Helper()
	q := "/api/layers/parcels?park=" + park
	if status != "" {
		q += "&status=" + status
	}
	fc := collection(t, c, q)
	if len(fc) == 0 {
		t.Fatalf("no parcel in %s", q)
	}
	return fc[0]
}

// TestMapLoads: the map draws the demo's 277 parcels on a canvas that is
// not blank, the legend counts what is in view, and with the default
// basemap (none) no request leaves the server.
func TestMapLoads(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	b := newBrowser(t, srv)
	b.login("officer")
	waitMap(b)

	if n := eval[int](b, `panhuoMap.parcelCount()`); n != 277 {
		t.Errorf("the parcel layer holds %d features, want the demo's 277", n)
	}
	if n := eval[int](b, `panhuoMap.parks.getFeatures().length`); n != 8 {
		t.Errorf("the park layer holds %d features, want 8", n)
	}
	// The canvas is not blank: parcels are drawn where they lie.
	officer := srv.client(t, "officer")
	drawn := 0
	fc := collection(t, officer, "/api/layers/parcels?park=ZZGX&status=pending")
	b.run(chromedp.Navigate(srv.URL + "/?park=ZZGX"))
	waitMap(b)
	for _, f := range fc {
		p := interiorPixel(b, featureID(t, f))
		if px := mapPixel(b, p[0], p[1]); px != nil && px[3] > 60 {
			drawn++
		}
	}
	if drawn < len(fc)*9/10 || drawn == 0 {
		t.Errorf("%d of %d pending parcels of 株洲高新区 show colour at their interior point", drawn, len(fc))
	}
	// The legend counts what is in view: ZZGX's parcels, by class.
	legend := eval[string](b, `document.querySelector("#legend tr.total td.count").textContent`)
	inPark := len(collection(t, officer, "/api/layers/parcels?park=ZZGX"))
	if got, _ := strconv.Atoi(legend); got != inPark {
		t.Errorf("legend total %q in view of 株洲高新区, want its %d parcels", legend, inPark)
	}
	if v := eval[string](b, `document.getElementById("f-park").value`); v != "ZZGX" {
		t.Errorf("park filter %q after ?park=ZZGX", v)
	}
	b.screenshot("map")

	// All of the demo in view: the total is 277.
	b.run(chromedp.SetValue(`#f-park`, ""))
	b.waitFor(`document.querySelector("#legend tr.total td.count").textContent === "277"`, 5*time.Second)
	if fr := b.foreignRequests(); len(fr) > 0 {
		t.Errorf("requests left the server with the default basemap: %q", fr)
	}
	b.checkClean()
}

// drawRing clicks the vertices of a closed lon/lat ring on the map, apart
// enough in time not to make a double click.
func drawRing(b *browser, ring orb.Ring) {
	b.t.Helper()
	for _, p := range ring[:len(ring)-1] {
		px := eval[[]float64](b, fmt.Sprintf(`panhuoMap.pixelOf(%.9f, %.9f)`, p[0], p[1]))
		click(b, xy{px[0], px[1]})
		time.Sleep(150 * time.Millisecond)
	}
}

var liveArea = regexp.MustCompile(`面积 ([0-9.]+) 亩`)

// TestMapDrawParcel: the officer of 醴陵经开区 draws a polygon by clicks in
// a free spot of the park, fills the form and saves; the API returns the
// parcel with the class chosen, and the area the page showed while drawing
// is the stored area_mu to 0.01 亩.
func TestMapDrawParcel(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	ring := freeShape(t, officer, "LLJK")
	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	waitMap(b)

	// Look at the spot closely, then draw its vertices with the mouse.
	bd := ring.Bound().Pad(0.004)
	eval[bool](b, fmt.Sprintf(`(panhuoMap.fitLonLat(%f, %f, %f, %f), true)`, bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]))
	b.run(chromedp.Click(`#draw-start`))
	drawRing(b, ring)
	whileDrawing := eval[float64](b, `panhuoMap.liveAreaMu || 0`)
	shown := eval[string](b, `document.getElementById("live-area").textContent`)
	m := liveArea.FindStringSubmatch(shown)
	if m == nil {
		t.Fatalf("no live area while drawing: %q", shown)
	}
	b.run(chromedp.Click(`#draw-finish`))
	b.waitFor(`!document.getElementById("draw-save").hidden`, 5*time.Second)
	b.screenshot("drawn")
	finished := eval[float64](b, `panhuoMap.liveAreaMu`)

	b.run(chromedp.Click(`#draw-save`), chromedp.WaitVisible(`#parcel-form`),
		chromedp.SetValue(`#parcel-form select[name=class]`, "idle"),
		chromedp.SetValue(`#parcel-form input[name=code]`, "430281-2022-E2E"),
		chromedp.SetValue(`#parcel-form input[name=project_name]`, "端到端测试绘制地块"),
		chromedp.SetValue(`#parcel-form input[name=land_user]`, "醴陵某测试公司"),
		chromedp.SetValue(`#parcel-form input[name=identified_on]`, "2022-05-10"),
		chromedp.SetValue(`#parcel-form select[name=idle_cause]`, "enterprise"),
		chromedp.Click(`#form-save`))
	b.waitFor(`panhuoMap.lastSaved || document.querySelector("#form-status.error")`, 10*time.Second)
	if e := eval[string](b, `(document.querySelector("#form-status.error") || {}).textContent || ""`); e != "" {
		t.Fatalf("save refused: %s", e)
	}
	id := eval[int64](b, `panhuoMap.lastSaved.id`)
	props := parcelProps(t, officer, id)
	if props["class"] != "idle" || props["park_code"] != "LLJK" || props["project_name"] != "端到端测试绘制地块" {
		t.Errorf("stored parcel %v", props)
	}
	stored := props["area_mu"].(float64)
	shownMu, _ := strconv.ParseFloat(m[1], 64)
	for what, v := range map[string]float64{"shown while drawing": shownMu, "computed while drawing": whileDrawing, "after drawing": finished} {
		if math.Abs(v-stored) > 0.01 {
			t.Errorf("live area %s %.4f 亩, stored area_mu %.4f 亩", what, v, stored)
		}
	}
	t.Logf("live area %.6f 亩 (shown %s), stored %.6f 亩", whileDrawing, m[1], stored)
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != 278 {
		t.Errorf("%d parcels on the map after saving, want 278", n)
	}
	b.waitFor(`document.querySelector("#panel .parcel-title") && document.querySelector("#panel .parcel-title").textContent === "端到端测试绘制地块"`, 5*time.Second)
	b.screenshot("saved")
	b.checkClean()
}

// TestMapDisposalChangesStyle: recording a disposal from the panel turns a
// pending parcel (filled) into a disposed one (outline only).
func TestMapDisposalChangesStyle(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	f := firstParcel(t, officer, "LLJK", "pending")
	id := featureID(t, f)
	class := f.Properties["class"].(string)
	var method string
	for _, m := range officer.json("GET", "/api/methods", nil, http.StatusOK)["methods"].([]any) {
		mm := m.(map[string]any)
		if mm["class"] == class && mm["counts"] == true {
			method = mm["code"].(string)
			break
		}
	}

	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	waitMap(b)
	p := interiorPixel(b, id)
	before := mapPixel(b, p[0], p[1])
	if before == nil || before[3] < 100 {
		t.Fatalf("pending parcel %d shows %v at its interior, want a solid fill", id, before)
	}
	click(b, p)
	b.waitFor(`document.querySelector("#panel .parcel-title") && document.getElementById("disposal-form")`, 5*time.Second)
	if k := eval[string](b, fmt.Sprintf(`panhuoMap.styleKey(%d)`, id)); k != class+"/solid" {
		t.Errorf("style before %q", k)
	}
	b.run(chromedp.Click(`#disposal-box summary`),
		chromedp.SetValue(`#disposal-form select[name=method]`, method),
		chromedp.SetValue(`#disposal-form input[name=date]`, "2022-06-20"),
		chromedp.SetValue(`#disposal-form textarea[name=note]`, "端到端测试：全部处置"),
		chromedp.Click(`#disposal-form button[type=submit]`))
	b.waitFor(fmt.Sprintf(`panhuoMap.props(%d).status === "disposed"`, id), 10*time.Second)
	if k := eval[string](b, fmt.Sprintf(`panhuoMap.styleKey(%d)`, id)); k != class+"/outline" {
		t.Errorf("style after %q, want %s/outline", k, class)
	}
	b.waitFor(`document.querySelector("#panel .chip.s-disposed") !== null`, 5*time.Second)
	eval[bool](b, `new Promise((ok) => { panhuoMap.map.once("rendercomplete", () => ok(true)); panhuoMap.map.render(); })`)
	after := mapPixel(b, p[0], p[1])
	if after != nil && after[3] > 60 {
		t.Errorf("disposed parcel %d still shows %v at its interior (was %v), want outline only", id, after, before)
	}
	if got := parcelProps(t, officer, id)["status"]; got != "disposed" {
		t.Errorf("stored status %v", got)
	}
	b.waitFor(`document.querySelector("#panel .history li .what") && document.querySelector("#panel .history li .what").textContent.startsWith("登记处置")`, 5*time.Second)
	b.screenshot("disposed")
	b.checkClean()
}

// TestMapConflict: an edit saved against a version someone else has
// changed since is refused (412), the page says so and shows what changed,
// and reloading brings the other user's version; nothing is overwritten.
func TestMapConflict(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	admin := srv.client(t, "admin")
	f := firstParcel(t, officer, "LLJK", "")
	id := featureID(t, f)

	b := newBrowser(t, srv)
	b.login("officer", fmt.Sprintf("/?park=LLJK&parcel=%d", id))
	waitMap(b)
	b.waitFor(`document.getElementById("edit-info") !== null`, 5*time.Second)
	b.run(chromedp.Click(`#edit-info`), chromedp.WaitVisible(`#parcel-form`),
		chromedp.SetValue(`#parcel-form input[name=project_name]`, "专员的修改"))

	// Meanwhile the administrator changes the same parcel.
	version := int(parcelProps(t, admin, id)["version"].(float64))
	if code, body := patchIfMatch(t, admin, id, version, map[string]any{"properties": map[string]any{"land_user": "管理员改过的用地单位"}}); code != http.StatusOK {
		t.Fatalf("admin's patch: %d %s", code, body)
	}

	b.run(chromedp.Click(`#form-save`))
	b.waitFor(`document.getElementById("conflict") && document.getElementById("conflict-reload")`, 10*time.Second)
	text := eval[string](b, `document.getElementById("conflict").textContent`)
	for _, want := range []string{"已被他人修改", "demo-admin", "用地单位", "管理员改过的用地单位", "专员的修改"} {
		if !strings.Contains(text, want) {
			t.Errorf("the conflict message lacks %q: %q", want, text)
		}
	}
	b.screenshot("conflict")
	stored := parcelProps(t, officer, id)
	if stored["project_name"] == "专员的修改" || stored["land_user"] != "管理员改过的用地单位" {
		t.Errorf("after the refused save the parcel holds %v / %v", stored["project_name"], stored["land_user"])
	}
	b.run(chromedp.Click(`#conflict-reload`))
	b.waitFor(`document.querySelector("#parcel-form input[name=land_user]") && document.querySelector("#parcel-form input[name=land_user]").value === "管理员改过的用地单位"`, 5*time.Second)
	if v := eval[float64](b, fmt.Sprintf(`panhuoMap.props(%d).version`, id)); int(v) != version+1 {
		t.Errorf("the map holds version %v after reloading, want %d", v, version+1)
	}
	b.checkClean(`status of 412`)
}

// TestMapHostileName: a parcel named with markup shows as text in the
// search results and the panel, and no script runs.
func TestMapHostileName(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	admin := srv.client(t, "admin")
	ring := freeShape(t, admin, "LLJK")
	created := admin.json("POST", "/api/parcels", map[string]any{"type": "Feature",
		"geometry": map[string]any{"type": "Polygon", "coordinates": []orb.Ring{ring}},
		"properties": map[string]any{"class": "inefficient", "identified_on": "2022-03-01", "code": "XSS-1",
			"project_name": hostile, "land_user": hostile, "note": hostile}}, http.StatusCreated)
	id := int64(created["properties"].(map[string]any)["id"].(float64))

	b := newBrowser(t, srv)
	b.login("leader")
	waitMap(b)
	b.run(chromedp.SendKeys(`#search`, "<img"))
	b.waitFor(`document.querySelectorAll("#search-results li button").length > 0`, 5*time.Second)
	hits := eval[[]string](b, `Array.from(document.querySelectorAll("#search-results .hit-title"), (n) => n.textContent)`)
	if len(hits) != 1 || hits[0] != hostile {
		t.Errorf("search results %q, want the name as text", hits)
	}
	b.screenshot("hostile-search")
	b.run(chromedp.Click(`#search-results li button`))
	b.waitFor(fmt.Sprintf(`document.querySelector("#panel .parcel-title") && panhuoMap.ctx.selectedId() === %d`, id), 5*time.Second)
	if title := eval[string](b, `document.querySelector("#panel .parcel-title").textContent`); title != hostile {
		t.Errorf("panel title %q", title)
	}
	panel := eval[string](b, `document.getElementById("panel").textContent`)
	if strings.Count(panel, hostile) < 3 {
		t.Errorf("the panel shows the name %d times as text, want at least 3 (title, 项目名称, 用地单位): %q", strings.Count(panel, hostile), panel)
	}
	b.waitFor(`document.querySelector("#panel .history li")`, 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	if n := eval[int](b, `document.querySelectorAll("#panel img, #search-results img, #map img").length`); n != 0 {
		t.Errorf("%d img elements came from the name", n)
	}
	for _, u := range b.requestList() {
		if strings.HasSuffix(u, "/x") {
			t.Errorf("the page asked for %s: the name was taken for HTML", u)
		}
	}
	b.screenshot("hostile-panel")
	b.checkClean()
}

// TestMapEditToolsByRole: a leader gets no edit tools anywhere; the officer
// of 醴陵经开区 gets them on its parcels and none on 株洲高新区's.
func TestMapEditToolsByRole(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	admin := srv.client(t, "admin")
	lljk := featureID(t, firstParcel(t, admin, "LLJK", ""))
	zzgx := featureID(t, firstParcel(t, admin, "ZZGX", ""))
	tools := `document.querySelectorAll("#draw-start, #edit-info, #edit-shape, #delete-parcel, #disposal-form, #parcel-form, #delete-form").length`
	openParcel := func(b *browser, park string, id int64) {
		t.Helper()
		b.navigate(fmt.Sprintf("/?park=%s", park))
		waitMap(b)
		click(b, interiorPixel(b, id))
		b.waitFor(fmt.Sprintf(`document.querySelector("#panel .parcel-title") && panhuoMap.ctx.selectedId() === %d`, id), 5*time.Second)
	}

	leader := newBrowser(t, srv)
	leader.login("leader")
	waitMap(leader)
	if n := eval[int](leader, tools); n != 0 {
		t.Errorf("a leader sees %d edit tools on the map", n)
	}
	if !eval[bool](leader, `document.getElementById("edit-tools").hidden`) {
		t.Error("the edit bar shows for a leader")
	}
	openParcel(leader, "LLJK", lljk)
	if n := eval[int](leader, tools); n != 0 {
		t.Errorf("a leader sees %d edit tools in a parcel's panel", n)
	}
	leader.screenshot("leader-panel")
	leader.checkClean()

	officer := newBrowser(t, srv)
	officer.login("officer")
	waitMap(officer)
	openParcel(officer, "ZZGX", zzgx)
	if n := eval[int](officer, `document.querySelectorAll("#panel #edit-info, #panel #edit-shape, #panel #delete-parcel, #panel #disposal-form").length`); n != 0 {
		t.Errorf("the officer of LLJK sees %d edit tools on a parcel of ZZGX", n)
	}
	officer.screenshot("officer-zzgx")
	openParcel(officer, "LLJK", lljk)
	if n := eval[int](officer, `document.querySelectorAll("#panel #edit-info, #panel #edit-shape, #panel #delete-parcel, #panel #disposal-form").length`); n != 4 {
		t.Errorf("the officer of LLJK sees %d of 4 edit tools on a parcel of LLJK", n)
	}
	officer.checkClean()
}

// TestMapAreaMatchesGeo: the page's Gauss-Krüger area (static/gk.js, the
// live area while drawing) is package geo's, in the browser: the same zone
// and the same square metres to a millionth, for polygons and multipolygons
// across zones 37–39; and the 高德 offset (static/gcj02.js) inverts to a
// millimetre.
func TestMapAreaMatchesGeo(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	b := newBrowser(t, srv)
	b.login("leader")
	waitMap(b)

	r := rand.New(rand.NewPCG(4, 2022))
	var shapes []orb.MultiPolygon
	for i := 0; i < 200; i++ {
		lon, lat := 110.0+6.5*r.Float64(), 24.6+5.5*r.Float64()
		if i%10 == 0 { // next to a zone edge (112.5°, 115.5°)
			lon = []float64{112.5, 115.5}[i%20/10] + (r.Float64()-0.5)*0.004
		}
		var mp orb.MultiPolygon
		for part := 0; part < 1+i%3/2; part++ {
			n := 8 + r.IntN(23)
			rad := 0.0005 + 0.006*r.Float64()
			var ring orb.Ring
			for k := 0; k < n; k++ {
				th := 2 * math.Pi * float64(k) / float64(n)
				d := rad * (0.6 + 0.4*r.Float64())
				ring = append(ring, orb.Point{
					math.Round((lon+float64(part)*0.02+d*math.Cos(th))*1e8) / 1e8,
					math.Round((lat+d*math.Sin(th))*1e8) / 1e8})
			}
			mp = append(mp, orb.Polygon{append(ring, ring[0])})
		}
		shapes = append(shapes, mp)
	}
	js, _ := json.Marshal(shapes)
	got := eval[[]struct {
		M2   float64 `json:"m2"`
		Zone int     `json:"zone"`
	}](b, `import("/static/gk.js").then((gk) => `+string(js)+`.map((p) => gk.areaOf(p)))`)
	if len(got) != len(shapes) {
		t.Fatalf("%d areas for %d shapes", len(got), len(shapes))
	}
	worst := 0.0
	for i, mp := range shapes {
		z := geo.CentroidZone(mp)
		want := geo.AreaM2(mp, z)
		if got[i].Zone != int(z) {
			t.Errorf("shape %d: zone %d in the browser, geo %d", i, got[i].Zone, z)
		}
		rel := math.Abs(got[i].M2-want) / want
		worst = math.Max(worst, rel)
		if rel > 1e-9 {
			t.Errorf("shape %d: %.6f m² in the browser, geo %.6f m²", i, got[i].M2, want)
		}
	}
	t.Logf("gk.js against geo: worst relative difference %.2g over %d shapes", worst, len(shapes))

	// GCJ-02 there and back: within 1e-8° (about a millimetre); the offset
	// itself is hundreds of metres in Hunan.
	res := eval[[]float64](b, `import("/static/gcj02.js").then((g) => {
  let back = 0, off = [Infinity, 0];
  for (let i = 0; i < 500; i++) {
    const p = [109.5 + 5 * (i % 25) / 25, 24.6 + 5.5 * Math.floor(i / 25) / 20];
    const q = g.toGcj(p), w = g.fromGcj(q);
    back = Math.max(back, Math.abs(w[0] - p[0]), Math.abs(w[1] - p[1]));
    const d = Math.hypot((q[0] - p[0]) * 100000 * Math.cos(p[1] * Math.PI / 180), (q[1] - p[1]) * 111000);
    off = [Math.min(off[0], d), Math.max(off[1], d)];
  }
  return [back, off[0], off[1]];
})`)
	if res[0] > 1e-8 {
		t.Errorf("GCJ-02 round trip off by %g°", res[0])
	}
	if res[1] < 100 || res[2] > 1000 {
		t.Errorf("GCJ-02 offset %.0f–%.0f m in Hunan, want a few hundred metres", res[1], res[2])
	}
	b.checkClean()
}

// dragMouse drags with the left button from one viewport pixel to another,
// in steps, as a hand would.
func dragMouse(b *browser, from, to xy) {
	b.t.Helper()
	held := func(p *input.DispatchMouseEventParams) {
		p.Button, p.Buttons, p.ClickCount = input.MouseButtonLeft, 1, 1
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, from[0], from[1]),
		chromedp.MouseEvent(chromedp.MousePressed, from[0], from[1], held)}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, from[0]+(to[0]-from[0])*f, from[1]+(to[1]-from[1])*f, held))
	}
	b.run(append(steps, chromedp.MouseEvent(chromedp.MouseReleased, to[0], to[1], held))...)
}

// sharedPair is two rectangles of 醴陵经开区, side by side, sharing their
// north-south edge: made by the officer through the API.
type sharedPair struct {
	srv     *server
	officer *apiClient
	ids     [2]int64
	c       orb.Point // the middle of the shared edge
}

// sharedHalf is half a side of the rectangles, degrees.
const sharedHalf = 0.0006

func newSharedPair(t *testing.T) *sharedPair {
	t.Helper()
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	p := &sharedPair{srv: srv, officer: srv.client(t, "officer")}
	p.c = freeShape(t, p.officer, "LLJK").Bound().Center()
	c, h := p.c, sharedHalf
	for i, g := range []map[string]any{rect(c[0]-h, c[1]-h, c[0], c[1]+h), rect(c[0], c[1]-h, c[0]+h, c[1]+h)} {
		f := p.officer.json("POST", "/api/parcels", map[string]any{"type": "Feature", "geometry": g,
			"properties": map[string]any{"class": "unsupplied", "code": fmt.Sprintf("SHARED-%d", i+1), "approved_on": "2021-08-01"}}, http.StatusCreated)
		p.ids[i] = int64(f["properties"].(map[string]any)["id"].(float64))
	}
	return p
}

// sharedCorner is the north end of the shared edge.
func (p *sharedPair) sharedCorner() orb.Point { return orb.Point{p.c[0], p.c[1] + sharedHalf} }

// rect is a lon/lat box as a GeoJSON Polygon.
func rect(minLon, minLat, maxLon, maxLat float64) map[string]any {
	return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}}
}

// stored is what the API holds of both parcels: their GeoJSON Features.
func (p *sharedPair) stored(t *testing.T) [2]map[string]any {
	t.Helper()
	var out [2]map[string]any
	for i, id := range p.ids {
		out[i] = p.officer.json("GET", fmt.Sprintf("/api/parcels/%d", id), nil, http.StatusOK)
	}
	return out
}

// updates counts the parcel.update events of each parcel.
func (p *sharedPair) updates(t *testing.T) [2]int {
	t.Helper()
	var out [2]int
	for i, id := range p.ids {
		for _, k := range historyKinds(t, p.officer, id) {
			if strings.HasPrefix(k, "parcel.update ") {
				out[i]++
			}
		}
	}
	return out
}

// editShared opens the map as the officer, starts 修改图形 on the first
// parcel, checks that the neighbour is linked, and drags the vertex at
// corner (lon/lat) by (dx, dy) pixels.
func (p *sharedPair) editShared(t *testing.T, corner orb.Point, dx, dy float64) *browser {
	t.Helper()
	c, h := p.c, sharedHalf
	b := newBrowser(t, p.srv)
	b.login("officer", fmt.Sprintf("/?park=LLJK&parcel=%d", p.ids[0]))
	waitMap(b)
	eval[bool](b, fmt.Sprintf(`(panhuoMap.fitLonLat(%f, %f, %f, %f), true)`, c[0]-4*h, c[1]-4*h, c[0]+4*h, c[1]+4*h))
	b.waitFor(`document.getElementById("edit-shape") !== null`, 5*time.Second)
	b.run(chromedp.Click(`#edit-shape`))
	b.waitFor(`!document.getElementById("shape-save").hidden`, 5*time.Second)
	if hint := eval[string](b, `document.getElementById("edit-hint").textContent`); !strings.Contains(hint, "相邻 1 宗") {
		t.Errorf("edit hint %q: the neighbour sharing vertices is not linked", hint)
	}
	from := eval[[]float64](b, fmt.Sprintf(`panhuoMap.pixelOf(%.8f, %.8f)`, corner[0], corner[1]))
	dragMouse(b, xy{from[0], from[1]}, xy{from[0] + dx, from[1] + dy})
	b.waitFor(`panhuoMap.liveAreaMu > 0`, 5*time.Second)
	b.screenshot("shape-edited")
	b.resetLogs()
	return b
}

// unchanged fails the test unless both parcels are stored as before.
func (p *sharedPair) unchanged(t *testing.T, before [2]map[string]any, updates [2]int) {
	t.Helper()
	after := p.stored(t)
	for i, id := range p.ids {
		if v, w := after[i]["properties"].(map[string]any)["version"], before[i]["properties"].(map[string]any)["version"]; v != w {
			t.Errorf("parcel %d: version %v after the refused save, was %v", id, v, w)
		}
		if !reflect.DeepEqual(after[i]["geometry"], before[i]["geometry"]) {
			t.Errorf("parcel %d: shape %v after the refused save, was %v", id, after[i]["geometry"], before[i]["geometry"])
		}
	}
	if got := p.updates(t); got != updates {
		t.Errorf("parcel.update events %v after the refused save, were %v", got, updates)
	}
}

// TestMapEditSharedVertex: editing a parcel's shape moves the vertex it
// shares with its neighbour in both (one Modify over both), saving writes
// both in one request (PATCH /api/parcels), and the stored shapes still meet.
func TestMapEditSharedVertex(t *testing.T) {
	p := newSharedPair(t)
	c, h, officer, ids := p.c, sharedHalf, p.officer, p.ids
	before := p.stored(t)
	updates := p.updates(t)

	// Drag the shared north-east corner of the first parcel east and north:
	// it grows into its neighbour, which gives way in the same request.
	b := p.editShared(t, p.sharedCorner(), 40, -30)
	live := eval[float64](b, `panhuoMap.liveAreaMu`)
	b.run(chromedp.Click(`#shape-save`))
	b.waitFor(`document.getElementById("draw-start") && !document.getElementById("draw-start").hidden`, 10*time.Second)
	if s := eval[string](b, `document.getElementById("map-status").textContent`); !strings.Contains(s, "已保存图形：2 宗地块") {
		t.Errorf("status %q after saving", s)
	}
	writes := 0
	for _, u := range b.requestList() {
		if strings.HasPrefix(u, p.srv.URL+"/api/parcels") && !strings.Contains(strings.TrimPrefix(u, p.srv.URL+"/api/parcels"), "/") {
			writes++
		}
	}
	if writes != 1 {
		t.Errorf("%d requests to /api/parcels while saving, want one PATCH: %q", writes, b.requestList())
	}

	after := []map[string]any{parcelProps(t, officer, ids[0]), parcelProps(t, officer, ids[1])}
	for i, id := range ids {
		v, was := after[i]["version"].(float64), before[i]["properties"].(map[string]any)["version"].(float64)
		if v != was+1 {
			t.Errorf("parcel %d: version %v after the edit, was %v", id, v, was)
		}
		if onMap := eval[float64](b, fmt.Sprintf(`panhuoMap.props(%d).version`, id)); onMap != v {
			t.Errorf("parcel %d: the map holds version %v after saving, the API %v", id, onMap, v)
		}
	}
	if got, want := p.updates(t), [2]int{updates[0] + 1, updates[1] + 1}; got != want {
		t.Errorf("parcel.update events %v after saving, want %v", got, want)
	}
	areaBefore := func(i int) float64 { return before[i]["properties"].(map[string]any)["area_mu"].(float64) }
	if a := after[0]["area_mu"].(float64); a <= areaBefore(0) {
		t.Errorf("the edited parcel's area %.4f 亩, was %.4f: the corner moved outwards", a, areaBefore(0))
	}
	if a := after[1]["area_mu"].(float64); a >= areaBefore(1) {
		t.Errorf("the neighbour's area %.4f 亩, was %.4f: the shared corner moved into it", a, areaBefore(1))
	}
	if math.Abs(live-after[0]["area_mu"].(float64)) > 0.01 {
		t.Errorf("live area %.4f 亩 while editing, stored %.4f", live, after[0]["area_mu"])
	}
	// The moved corner is one vertex of both.
	vertices := func(id int64) map[[2]float64]bool {
		f := officer.json("GET", fmt.Sprintf("/api/parcels/%d", id), nil, http.StatusOK)
		out := map[[2]float64]bool{}
		for _, q := range f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any) {
			xy := q.([]any)
			out[[2]float64{xy[0].(float64), xy[1].(float64)}] = true
		}
		return out
	}
	v0, v1 := vertices(ids[0]), vertices(ids[1])
	shared := 0
	for q := range v0 {
		if v1[q] {
			shared++
		}
	}
	if shared != 2 || v0[[2]float64{c[0], c[1] + h}] {
		t.Errorf("after the edit the parcels share %d vertices (want 2, one of them moved): %v / %v", shared, v0, v1)
	}
	b.checkClean()
}

// TestMapEditSharedVertexRefused: when the neighbour's new shape is refused
// (it is disposed of, and may not shrink below its disposed area) nothing is
// saved, not even the edited parcel's acceptable shape; the reason is shown
// on the neighbour and the status says that nothing was saved.
func TestMapEditSharedVertexRefused(t *testing.T) {
	p := newSharedPair(t)
	var method string
	for _, m := range p.officer.json("GET", "/api/methods", nil, http.StatusOK)["methods"].([]any) {
		if mm := m.(map[string]any); mm["class"] == "unsupplied" && method == "" {
			method = mm["code"].(string)
		}
	}
	if method == "" {
		t.Fatal("no disposal method for unsupplied land")
	}
	// Without area_mu the step disposes of the whole parcel.
	p.officer.json("POST", fmt.Sprintf("/api/parcels/%d/disposals", p.ids[1]),
		map[string]any{"method": method, "date": time.Now().Format("2006-01-02"), "note": "端到端测试：全部处置"}, http.StatusCreated)
	before := p.stored(t)
	updates := p.updates(t)

	b := p.editShared(t, p.sharedCorner(), 40, -30)
	b.run(chromedp.Click(`#shape-save`))
	b.waitFor(`document.getElementById("map-status").textContent.includes("保存失败")`, 10*time.Second)
	status := eval[string](b, `document.getElementById("map-status").textContent`)
	for _, want := range []string{"SHARED-2", "全部未保存"} {
		if !strings.Contains(status, want) {
			t.Errorf("status %q lacks %q", status, want)
		}
	}
	if strings.Contains(status, "已保存") && !strings.Contains(status, "未保存") {
		t.Errorf("status %q says something was saved", status)
	}
	b.waitFor(`document.getElementById("fault-tip").offsetParent !== null`, 5*time.Second)
	if tip := eval[string](b, `document.getElementById("fault-tip").textContent`); !strings.Contains(tip, "已处置面积") {
		t.Errorf("the fault on the map: %q", tip)
	}
	// The tip is next to the neighbour (the second parcel), below its shape.
	n := eval[[]float64](b, fmt.Sprintf(`panhuoMap.pixelOf(%.8f, %.8f)`, p.c[0]+sharedHalf/2, p.c[1]-sharedHalf))
	tip := eval[[]float64](b, `(() => { const r = document.getElementById("fault-tip").getBoundingClientRect(); return [r.left + r.width / 2, r.top]; })()`)
	if d := math.Hypot(tip[0]-n[0], tip[1]-n[1]); d > 60 {
		t.Errorf("the fault tip is %.0f px from the bottom of the refused parcel", d)
	}
	if eval[bool](b, `document.getElementById("shape-save").hidden`) {
		t.Error("editing ended after the refused save: the officer cannot correct the shape")
	}
	b.screenshot("refused")
	p.unchanged(t, before, updates)
	b.checkClean("status of 422")
}

// TestMapEditShapeOverlap: a vertex the edited parcel shares with nobody
// moved into a third parcel changes that parcel alone; the server refuses
// the overlap (409) and the page shows it on the map, naming the parcel
// overlapped, and saves nothing.
func TestMapEditShapeOverlap(t *testing.T) {
	p := newSharedPair(t)
	c, h := p.c, sharedHalf
	// A third parcel west of the first, a little apart from it.
	f := p.officer.json("POST", "/api/parcels", map[string]any{"type": "Feature", "geometry": rect(c[0]-1.75*h, c[1]-h, c[0]-1.25*h, c[1]+h),
		"properties": map[string]any{"class": "unsupplied", "code": "SHARED-3", "approved_on": "2021-08-01"}}, http.StatusCreated)
	third := int64(f["properties"].(map[string]any)["id"].(float64))
	before := p.stored(t)
	updates := p.updates(t)

	// Drag the first parcel's north-west corner west, into the third parcel.
	b := p.editShared(t, orb.Point{c[0] - h, c[1] + h}, -45, 0)
	b.run(chromedp.Click(`#shape-save`))
	b.waitFor(`document.getElementById("map-status").textContent.includes("保存失败")`, 10*time.Second)
	if s := eval[string](b, `document.getElementById("map-status").textContent`); !strings.Contains(s, "保存失败（SHARED-1）：地块与已有地块重叠；图形未保存") {
		t.Errorf("status %q", s)
	}
	b.waitFor(`document.getElementById("fault-tip").offsetParent !== null`, 5*time.Second)
	if tip := eval[string](b, `document.getElementById("fault-tip").textContent`); !strings.Contains(tip, fmt.Sprintf("#%d", third)) {
		t.Errorf("the fault on the map does not name parcel %d: %q", third, tip)
	}
	b.screenshot("overlap")
	p.unchanged(t, before, updates)
	b.checkClean("status of 409")
}

// TestMapEditSharedVertexStale: when another user changed the neighbour
// since the edit began, saving is refused as a whole (412): the conflict is
// shown for the neighbour, the original shapes come back and nothing of
// the edit is saved.
func TestMapEditSharedVertexStale(t *testing.T) {
	p := newSharedPair(t)
	admin := p.srv.client(t, "admin")
	b := p.editShared(t, p.sharedCorner(), 40, -30)

	// Meanwhile the administrator changes the neighbour.
	version := int(parcelProps(t, admin, p.ids[1])["version"].(float64))
	if code, body := patchIfMatch(t, admin, p.ids[1], version, map[string]any{"properties": map[string]any{"land_user": "管理员改过的用地单位"}}); code != http.StatusOK {
		t.Fatalf("admin's patch: %d %s", code, body)
	}
	before := p.stored(t)
	updates := p.updates(t)

	b.run(chromedp.Click(`#shape-save`))
	b.waitFor(`document.getElementById("conflict") && document.getElementById("conflict-reload")`, 10*time.Second)
	text := eval[string](b, `document.getElementById("conflict").textContent`)
	for _, want := range []string{"已被他人修改", "demo-admin", "管理员改过的用地单位", "新图形"} {
		if !strings.Contains(text, want) {
			t.Errorf("the conflict message lacks %q: %q", want, text)
		}
	}
	// It names the neighbour, not the parcel being edited.
	neighbour := parcelProps(t, admin, p.ids[1])
	named := eval[string](b, `document.getElementById("conflict-parcel").textContent`)
	if want, _ := neighbour["code"].(string); want == "" || !strings.Contains(named, want) {
		t.Errorf("the conflict names %q, want the neighbour %v", named, neighbour["code"])
	}
	if s := eval[string](b, `document.getElementById("map-status").textContent`); !strings.Contains(s, "版本冲突") {
		t.Errorf("status %q", s)
	}
	// The map shows the stored shapes again: the shared corner is back in both.
	for _, id := range p.ids {
		if !eval[bool](b, fmt.Sprintf(`panhuoMap.ctx.gt.polygons(panhuoMap.parcels.getFeatureById(%d).getGeometry())[0][0].some((q) => Math.abs(q[0] - %.8f) < 1e-7 && Math.abs(q[1] - %.8f) < 1e-7)`,
			id, p.c[0], p.c[1]+sharedHalf)) {
			t.Errorf("parcel %d: the map does not show the stored shape after the conflict", id)
		}
	}
	b.screenshot("stale")
	p.unchanged(t, before, updates)
	b.checkClean("status of 412")
}

// TestMapBasemapGaode: over a 高德 basemap (tiles in GCJ-02, here from a
// tile server on this machine) the parcels are drawn shifted by the GCJ-02
// offset, the page's CSP lets the tiles in, and a parcel drawn on it is
// stored in CGCS2000: the clicked vertices shifted back, not the shifted
// ones. Needs serve's -basemap flags (cmd/panhuo).
func TestMapBasemapGaode(t *testing.T) {
	bin := binary(t)
	if out, _ := exec.Command(bin, "serve", "-h").CombinedOutput(); !strings.Contains(string(out), "-basemap") {
		t.Skip("panhuo serve has no -basemap flag yet: the basemap is wired in cmd/panhuo")
	}
	var tiles atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tiles.Add(1)
		img := image.NewRGBA(image.Rect(0, 0, 256, 256))
		for i := range img.Pix {
			img.Pix[i] = 235
		}
		w.Header().Set("Content-Type", "image/png")
		_ = png.Encode(w, img)
	}))
	defer ts.Close()
	srv := startServer(t, "-basemap", "gaode", "-basemap-url", ts.URL+"/{z}/{x}/{y}.png")
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	f := firstParcel(t, officer, "LLJK", "")
	id := featureID(t, f)
	ring := freeShape(t, officer, "LLJK")

	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	waitMap(b)
	if tiles.Load() == 0 {
		t.Error("no basemap tile was asked for")
	}
	// The first vertex as drawn (lon/lat of the map) against the stored one.
	first := f.Geometry.(orb.Polygon)[0][0]
	if mp, ok := f.Geometry.(orb.MultiPolygon); ok {
		first = mp[0][0][0]
	}
	shown := eval[[]float64](b, fmt.Sprintf(`(() => { const g = panhuoMap.parcels.getFeatureById(%d).getGeometry();
  const c = g.getType() === "Polygon" ? g.getCoordinates()[0][0] : g.getCoordinates()[0][0][0];
  return ol.proj.toLonLat(c, panhuoMap.map.getView().getProjection()); })()`, id))
	if dLon, dLat := shown[0]-first[0], shown[1]-first[1]; dLon < 0.003 || dLon > 0.008 || dLat > -0.001 || dLat < -0.006 {
		t.Errorf("parcel %d drawn %.5f°, %.5f° from its stored position; want the GCJ-02 offset of 醴陵 (about +0.0057°, −0.0032°)", id, dLon, dLat)
	}

	bd := ring.Bound().Pad(0.004)
	eval[bool](b, fmt.Sprintf(`(panhuoMap.fitLonLat(%f, %f, %f, %f), true)`, bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]))
	b.run(chromedp.Click(`#draw-start`))
	drawRing(b, ring)
	b.run(chromedp.Click(`#draw-finish`))
	b.waitFor(`!document.getElementById("draw-save").hidden`, 5*time.Second)
	live := eval[float64](b, `panhuoMap.liveAreaMu`)
	b.run(chromedp.Click(`#draw-save`), chromedp.WaitVisible(`#parcel-form`),
		chromedp.SetValue(`#parcel-form select[name=class]`, "inefficient"),
		chromedp.SetValue(`#parcel-form input[name=project_name]`, "高德底图上绘制"),
		chromedp.Click(`#form-save`))
	b.waitFor(`panhuoMap.lastSaved || document.querySelector("#form-status.error")`, 10*time.Second)
	if e := eval[string](b, `(document.querySelector("#form-status.error") || {}).textContent || ""`); e != "" {
		t.Fatalf("save refused: %s", e)
	}
	saved := officer.json("GET", fmt.Sprintf("/api/parcels/%d", eval[int64](b, `panhuoMap.lastSaved.id`)), nil, http.StatusOK)
	coords := saved["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
	if len(coords) != len(ring) {
		t.Fatalf("stored ring of %d points, drew %d", len(coords), len(ring))
	}
	// Each clicked vertex is stored where it was meant to be, to a pixel
	// (about 1 m at this scale, 1e-5°); the GCJ-02 offset is 600 m.
	for _, c := range coords {
		p := c.([]any)
		lon, lat := p[0].(float64), p[1].(float64)
		best := math.Inf(1)
		for _, q := range ring {
			best = math.Min(best, math.Hypot(lon-q[0], lat-q[1]))
		}
		if best > 3e-5 {
			t.Errorf("stored vertex %.6f, %.6f is %.6f° from every drawn one", lon, lat, best)
		}
	}
	if stored := saved["properties"].(map[string]any)["area_mu"].(float64); math.Abs(stored-live) > 0.01 {
		t.Errorf("live area %.4f 亩 on the 高德 basemap, stored %.4f", live, stored)
	}
	b.screenshot("gaode")
	for _, u := range b.foreignRequests() {
		if !strings.HasPrefix(u, ts.URL+"/") {
			t.Errorf("a request to %s", u)
		}
	}
	b.checkClean()
}

// TestMapDrawMultiPart: a parcel of two parts ("再画一部分") is stored as a
// MultiPolygon whose area is what the page showed for both parts.
func TestMapDrawMultiPart(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	c := freeShape(t, officer, "LLJK").Bound().Center()
	square := func(minLon, maxLon float64) orb.Ring {
		return orb.Ring{{minLon, c[1] - 0.0004}, {maxLon, c[1] - 0.0004}, {maxLon, c[1] + 0.0004}, {minLon, c[1] + 0.0004}, {minLon, c[1] - 0.0004}}
	}
	parts := []orb.Ring{square(c[0]-0.0009, c[0]-0.0001), square(c[0]+0.0001, c[0]+0.0009)}

	b := newBrowser(t, srv)
	b.login("officer")
	waitMap(b)
	eval[bool](b, fmt.Sprintf(`(panhuoMap.fitLonLat(%f, %f, %f, %f), true)`, c[0]-0.004, c[1]-0.004, c[0]+0.004, c[1]+0.004))
	b.run(chromedp.Click(`#draw-start`))
	drawRing(b, parts[0])
	b.run(chromedp.Click(`#draw-finish`))
	b.waitFor(`!document.getElementById("draw-part").hidden`, 5*time.Second)
	one := eval[float64](b, `panhuoMap.liveAreaMu`)
	b.run(chromedp.Click(`#draw-part`))
	drawRing(b, parts[1])
	b.run(chromedp.Click(`#draw-finish`))
	b.waitFor(`!document.getElementById("draw-save").hidden`, 5*time.Second)
	both := eval[float64](b, `panhuoMap.liveAreaMu`)
	if both < 1.9*one || both > 2.1*one {
		t.Errorf("live area %.4f 亩 for two equal parts, %.4f for the first", both, one)
	}
	b.run(chromedp.Click(`#draw-save`), chromedp.WaitVisible(`#parcel-form`),
		chromedp.SetValue(`#parcel-form select[name=class]`, "unsupplied"),
		chromedp.SetValue(`#parcel-form input[name=batch_name]`, "2021年度第3批次"),
		chromedp.SetValue(`#parcel-form input[name=approved_on]`, "2021-09-30"),
		chromedp.Click(`#form-save`))
	b.waitFor(`panhuoMap.lastSaved || document.querySelector("#form-status.error")`, 10*time.Second)
	if e := eval[string](b, `(document.querySelector("#form-status.error") || {}).textContent || ""`); e != "" {
		t.Fatalf("save refused: %s", e)
	}
	f := officer.json("GET", fmt.Sprintf("/api/parcels/%d", eval[int64](b, `panhuoMap.lastSaved.id`)), nil, http.StatusOK)
	g := f["geometry"].(map[string]any)
	if g["type"] != "MultiPolygon" || len(g["coordinates"].([]any)) != 2 {
		t.Errorf("stored geometry %v, want a MultiPolygon of 2 parts", g["type"])
	}
	props := f["properties"].(map[string]any)
	if stored := props["area_mu"].(float64); math.Abs(stored-both) > 0.01 {
		t.Errorf("live area %.4f 亩, stored %.4f", both, stored)
	}
	if props["class"] != "unsupplied" || props["batch_name"] != "2021年度第3批次" || props["identified_on"] != "2021-09-30" {
		t.Errorf("stored %v / %v / %v", props["class"], props["batch_name"], props["identified_on"])
	}
	b.screenshot("multipart")
	b.checkClean()
}

// TestMapSaveErrors: the server's reasons are shown where they belong — a
// ledger field's next to the field, an overlap on the map next to the shape.
func TestMapSaveErrors(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	// A triangle over the biggest parcel of 醴陵经开区 not yet disposed (a
	// disposed parcel's land may be registered again).
	var big apiFeature
	for _, f := range collection(t, officer, "/api/layers/parcels?park=LLJK") {
		if f.Properties["status"] == "disposed" {
			continue
		}
		if big.Properties == nil || f.Properties["area_mu"].(float64) > big.Properties["area_mu"].(float64) {
			big = f
		}
	}
	c, _ := planar.CentroidArea(big.Geometry)
	const r = 0.0004
	tri := orb.Ring{{c[0], c[1] + r}, {c[0] - r, c[1] - r}, {c[0] + r, c[1] - r}, {c[0], c[1] + r}}

	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	waitMap(b)
	eval[bool](b, fmt.Sprintf(`(panhuoMap.fitLonLat(%f, %f, %f, %f), true)`, c[0]-0.003, c[1]-0.003, c[0]+0.003, c[1]+0.003))
	b.run(chromedp.Click(`#draw-start`))
	drawRing(b, tri)
	b.run(chromedp.Click(`#draw-finish`))
	b.waitFor(`!document.getElementById("draw-save").hidden`, 5*time.Second)
	b.run(chromedp.Click(`#draw-save`), chromedp.WaitVisible(`#parcel-form`),
		chromedp.SetValue(`#parcel-form select[name=class]`, "idle"),
		chromedp.SetValue(`#parcel-form input[name=supervision_no]`, "43028120220000000001234"),
		chromedp.Click(`#form-save`))
	b.waitFor(`document.querySelector("#form-status.error")`, 10*time.Second)
	if reason := eval[string](b, `document.querySelector('#parcel-form .field-error[data-for="supervision_no"]').textContent`); !strings.Contains(reason, "不能超过 19 个字符") {
		t.Errorf("reason next to 电子监管号: %q", reason)
	}
	if !eval[bool](b, `document.querySelector("#parcel-form input[name=supervision_no]").classList.contains("invalid")`) {
		t.Error("电子监管号 is not marked invalid")
	}

	b.run(chromedp.SetValue(`#parcel-form input[name=supervision_no]`, "4302812022000000001"), chromedp.Click(`#form-save`))
	b.waitFor(`document.getElementById("fault-tip").offsetParent !== null && document.getElementById("fault-tip").textContent.includes("重叠")`, 10*time.Second)
	tip := eval[string](b, `document.getElementById("fault-tip").textContent`)
	if !strings.Contains(tip, fmt.Sprintf("#%d", featureID(t, big))) {
		t.Errorf("the fault on the map does not name parcel %d: %q", featureID(t, big), tip)
	}
	// Next to the shape: the tip is within 200 px of the triangle's centre.
	centre := eval[[]float64](b, fmt.Sprintf(`panhuoMap.pixelOf(%.9f, %.9f)`, c[0], c[1]))
	box := eval[[]float64](b, `(() => { const r = document.getElementById("fault-tip").getBoundingClientRect(); return [r.left + r.width / 2, r.top]; })()`)
	if d := math.Hypot(box[0]-centre[0], box[1]-centre[1]); d > 200 {
		t.Errorf("the fault tip is %.0f px from the shape", d)
	}
	if s := eval[string](b, `document.getElementById("form-status").textContent`); !strings.Contains(s, "重叠") {
		t.Errorf("form status %q", s)
	}
	b.screenshot("overlap")
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != 277 {
		t.Errorf("%d parcels after refused saves", n)
	}
	b.checkClean("status of 422", "status of 409")
}
