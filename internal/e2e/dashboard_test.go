package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// hostile is a name that would run a script if a page inserted it as HTML.
const hostile = `<img src=x onerror=alert(1)>`

// openDashboard opens the dashboard with a query and waits until its
// figures, ranking and charts are drawn.
func openDashboard(b *browser, query string) {
	b.t.Helper()
	b.navigate("/dashboard" + query)
	waitDashboard(b)
}

// waitDashboard waits for the dashboard to finish loading.
func waitDashboard(b *browser) {
	b.t.Helper()
	b.waitFor(`document.body.dataset.state === "ready"`, 15*time.Second)
}

// rankingRow is one line of the ranking as the page shows it.
type rankingRow struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Cells  []string `json:"cells"`
	Rate   string   `json:"rate"`
	Ranked string   `json:"rank"`
}

const readRanking = `Array.from(document.querySelectorAll("#ranking tbody tr, #ranking tfoot tr"), (tr) => ({
  code: tr.dataset.park,
  name: (tr.querySelector("td.park a") || tr.querySelector("td.park")).textContent,
  cells: Array.from(tr.cells, (td) => td.textContent),
  rate: tr.querySelector("td.rate").textContent,
  rank: tr.querySelector("td.rank").textContent,
}))`

// ranking reads the ranking's rows, the total row last.
func ranking(b *browser) []rankingRow {
	b.t.Helper()
	rows := eval[[]rankingRow](b, readRanking)
	if len(rows) < 2 || rows[len(rows)-1].Code != "total" {
		b.t.Fatalf("ranking %+v: want park rows and the total", rows)
	}
	return rows
}

// The ranking's columns (td index).
const (
	colRank = iota
	colPark
	colIdentifiedMu
	colIdentifiedCount
	colDisposedMu
	colDisposedCount
	colRate
	colTarget
	colBuiltup
)

// grouped formats 亩 as the page does: two decimals, thousands grouped.
func grouped(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "." + frac
}

// apiTotal reads the total row of GET /api/rates with a query.
func apiTotal(t *testing.T, c *apiClient, query string) map[string]any {
	t.Helper()
	rows := c.json("GET", "/api/rates"+query, nil, http.StatusOK)["rows"].([]any)
	return rows[len(rows)-1].(map[string]any)
}

// chartState is what a test reads of an ECharts instance.
type chartState struct {
	Exists bool `json:"exists"`
	Inked  int  `json:"inked"` // sampled canvas pixels that are not transparent
	Series int  `json:"series"`
}

const readCharts = `Object.fromEntries(["chart-rates", "chart-trend", "chart-class"].map((id) => {
  const node = document.getElementById(id);
  const c = typeof echarts !== "undefined" && echarts.getInstanceByDom(node);
  if (!c) return [id, { exists: false, inked: 0, series: 0 }];
  const cv = node.querySelector("canvas");
  const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
  let inked = 0;
  for (let i = 3; i < d.length; i += 4 * 5) if (d[i] > 0) inked++;
  return [id, { exists: true, inked, series: c.getOption().series.length }];
}))`

// TestDashboardLeader walks the dashboard as the demo leader: seed 004's
// figures, the charts, sorting, the Excel download, another as-of date, the
// link to the map, no edit tools, and no request leaving the server.
func TestDashboardLeader(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/echarts.min.js")
	b := newBrowser(t, srv)
	b.login("leader", "/dashboard")
	waitDashboard(b)

	// A fresh load, with the network log from its start.
	b.resetLogs()
	openDashboard(b, "")
	if foreign := b.foreignRequests(); len(foreign) > 0 {
		t.Errorf("requests left the server while the dashboard loaded: %q", foreign)
	}
	reqs := strings.Join(b.requestList(), "\n")
	for _, want := range []string{srv.URL + "/static/vendor/echarts.min.js", srv.URL + "/api/rates", srv.URL + "/api/rates/trend?"} {
		if !strings.Contains(reqs, want) {
			t.Errorf("the network log lacks %s:\n%s", want, reqs)
		}
	}
	b.screenshot("dashboard")

	// Seed 004: 1.96 万亩, 62 宗 / 2497 亩 disposed, 醴陵经开区 first at 72.3%.
	rows := ranking(b)
	if len(rows) != 9 {
		t.Fatalf("%d ranking rows, want 8 parks and the total", len(rows))
	}
	first, total := rows[0], rows[len(rows)-1]
	if first.Name != "醴陵经开区" || first.Rate != "72.3%" || first.Ranked != "1" {
		t.Errorf("first row %+v, want 醴陵经开区 ranked 1 at 72.3%%", first)
	}
	if got := []string{total.Cells[colPark], total.Cells[colIdentifiedMu], total.Cells[colDisposedCount], total.Cells[colDisposedMu], total.Rate}; fmt.Sprint(got) != fmt.Sprint([]string{"合计", "19,600.00", "62", "2,497.00", "12.7%"}) {
		t.Errorf("total row %q, want 合计 19,600.00 亩, 62 宗 / 2,497.00 亩 disposed, 12.7%%", got)
	}
	if total.Cells[colBuiltup] != "18.8%" {
		t.Errorf("total 占建成区比例 %q, want 18.8%%", total.Cells[colBuiltup])
	}
	kpis := eval[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll(".kpis [id]"), (n) => [n.id, n.textContent]))`)
	for id, want := range map[string]string{"kpi-identified": "1.96", "kpi-disposed-count": "62", "kpi-disposed-mu": "2,497", "kpi-rate": "12.7%", "kpi-top-name": "醴陵经开区", "kpi-top-rate": "72.3%"} {
		if kpis[id] != want {
			t.Errorf("#%s = %q, want %q", id, kpis[id], want)
		}
	}
	if !strings.Contains(kpis["kpi-identified-note"], "18.8%") {
		t.Errorf("identified note %q lacks 18.8%%", kpis["kpi-identified-note"])
	}
	if hidden := eval[bool](b, `document.getElementById("demo-banner").hidden`); hidden {
		t.Error("the 示例数据 banner is hidden on the demo data")
	}

	// The charts are drawn.
	charts := eval[map[string]chartState](b, readCharts)
	for _, id := range []string{"chart-rates", "chart-trend", "chart-class"} {
		if c := charts[id]; !c.Exists || c.Inked < 500 || c.Series == 0 {
			t.Errorf("%s: %+v, want an ECharts instance with series and ink on its canvas", id, c)
		}
	}
	bars := eval[map[string]any](b, `(() => { const o = echarts.getInstanceByDom(document.getElementById("chart-rates")).getOption();
	  return { names: o.yAxis[0].data, first: o.series[0].data[0].value, codes: o.series[0].data.map((d) => d.code) }; })()`)
	if names := bars["names"].([]any); len(names) != 8 || names[0] != "醴陵经开区" {
		t.Errorf("rate bars %v, want 8 parks, 醴陵经开区 first", names)
	}
	if r, _ := bars["first"].(float64); r < 0.7225 || r >= 0.7235 {
		t.Errorf("醴陵经开区's bar %v, want 0.723", bars["first"])
	}
	trend := eval[map[string]any](b, `(() => { const o = echarts.getInstanceByDom(document.getElementById("chart-trend")).getOption();
	  return { title: document.getElementById("trend-title").textContent, names: o.series.map((s) => s.name), months: o.xAxis[0].data.length,
	    done: o.series[0].data.filter((v) => v !== null).length, last: o.series[0].data[11] }; })()`)
	if trend["title"] != "2022年逐月处置与目标 · 全市" || trend["months"] != 12.0 || trend["done"] != 12.0 {
		t.Errorf("trend %v, want 2022's twelve months (the demo's target year)", trend)
	}
	if names := fmt.Sprint(trend["names"]); !strings.Contains(names, "年度目标") || !strings.Contains(names, "累计盘活率") {
		t.Errorf("trend series %s, want the target line and the rate", names)
	}
	if classes := eval[[]string](b, `echarts.getInstanceByDom(document.getElementById("chart-class")).getOption().xAxis[0].data.map((s) => s.split("\n")[0])`); fmt.Sprint(classes) != "[批而未供 闲置 低效]" {
		t.Errorf("class chart categories %q", classes)
	}

	// Sorting by a column, both ways; the total stays last.
	b.run(chromedp.Click(`#ranking th[data-key=identified_mu] button`))
	sorted := ranking(b)
	for i := 1; i < len(sorted)-1; i++ {
		if mu(t, sorted[i-1].Cells[colIdentifiedMu]) < mu(t, sorted[i].Cells[colIdentifiedMu]) {
			t.Errorf("sorted by 三类用地 descending: %s before %s", sorted[i-1].Cells[colIdentifiedMu], sorted[i].Cells[colIdentifiedMu])
		}
	}
	if s := eval[string](b, `location.search + "|" + document.querySelector("#ranking th[data-key=identified_mu]").getAttribute("aria-sort")`); s != "?sort=identified_mu&dir=desc|descending" {
		t.Errorf("after sorting: %s", s)
	}
	b.run(chromedp.Click(`#ranking th[data-key=identified_mu] button`))
	sorted = ranking(b)
	if mu(t, sorted[0].Cells[colIdentifiedMu]) > mu(t, sorted[1].Cells[colIdentifiedMu]) || sorted[len(sorted)-1].Code != "total" {
		t.Errorf("ascending: %q, %q … %q", sorted[0].Cells, sorted[1].Cells, sorted[len(sorted)-1].Code)
	}
	b.run(chromedp.Click(`#ranking th[data-key=rank] button`))
	if r := ranking(b); r[0].Name != "醴陵经开区" {
		t.Errorf("back to rank order: first %q", r[0].Name)
	}

	// 导出 Excel downloads the ranking on screen as an .xlsx.
	asof := eval[string](b, `document.body.dataset.asof`)
	downloads := t.TempDir()
	b.allowDownloads(downloads)
	if href := eval[string](b, `document.getElementById("export").href`); href != srv.URL+"/api/exports/rates.xlsx?asof="+asof {
		t.Errorf("export link %s", href)
	}
	b.run(chromedp.Click(`#export`))
	file, err := waitFile(downloads, "*.xlsx", 15*time.Second)
	if err != nil {
		t.Fatalf("导出 Excel: %v", err)
	}
	if want := "盘活率排名_" + asof + ".xlsx"; filepath.Base(file) != want {
		t.Errorf("downloaded %s, want %s", filepath.Base(file), want)
	}
	checkWorkbook(t, file, map[string]string{"B4": "醴陵经开区", "H4": "72.3%", "B12": "合计", "D12": "19600.00", "E12": "277", "F12": "2497.00", "G12": "62", "H12": "12.7%"})

	// Another as-of date: the figures, the charts and the URL follow.
	leader := srv.client(t, "leader")
	old := apiTotal(t, leader, "?asof=2021-12-31")
	b.run(chromedp.SetValue(`#query input[name=asof]`, "2021-12-31"), chromedp.Click(`#query button[type=submit]`))
	b.waitFor(`document.body.dataset.state === "ready" && document.body.dataset.asof === "2021-12-31"`, 15*time.Second)
	rows = ranking(b)
	total = rows[len(rows)-1]
	if want := grouped(old["identified_mu"].(float64)); total.Cells[colIdentifiedMu] != want || want == "19,600.00" {
		t.Errorf("total as of 2021-12-31 %q, want %s (and not today's 19,600.00)", total.Cells[colIdentifiedMu], want)
	}
	if want := grouped(old["disposed_mu"].(float64)); total.Cells[colDisposedMu] != want || want == "2,497.00" {
		t.Errorf("disposed as of 2021-12-31 %q, want %s", total.Cells[colDisposedMu], want)
	}
	if s := eval[string](b, `location.search + " " + document.getElementById("export").href + " " + document.getElementById("asof-label").textContent + " " + document.getElementById("trend-title").textContent`); !strings.Contains(s, "?asof=2021-12-31") ||
		!strings.Contains(s, "rates.xlsx?asof=2021-12-31") || !strings.Contains(s, "截至 2021-12-31") || !strings.Contains(s, "2021年") {
		t.Errorf("after as-of 2021-12-31: %s", s)
	}
	b.screenshot("dashboard-asof-2021-12-31")
	// A period: the rate of what was disposed in it, against the stock.
	period := apiTotal(t, leader, "?from=2022-01-01&asof=2022-06-28")
	b.run(chromedp.SetValue(`#query input[name=asof]`, "2022-06-28"), chromedp.SetValue(`#query input[name=from]`, "2022-01-01"),
		chromedp.Click(`#query button[type=submit]`))
	b.waitFor(`document.body.dataset.state === "ready" && document.body.dataset.asof === "2022-06-28"`, 15*time.Second)
	rows = ranking(b)
	if got, want := rows[len(rows)-1].Cells[colDisposedMu], grouped(period["disposed_mu"].(float64)); got != want {
		t.Errorf("disposed in 2022-01-01 – 2022-06-28: %s, want %s", got, want)
	}
	if s := eval[string](b, `location.search + " " + document.getElementById("asof-label").textContent`); !strings.Contains(s, "from=2022-01-01") || !strings.Contains(s, "2022-01-01 至 2022-06-28") {
		t.Errorf("after choosing a period: %s", s)
	}
	// The URL keeps the view.
	openDashboard(b, "?asof=2021-12-31&sort=disposed_mu&dir=desc")
	if r := ranking(b); r[len(r)-1].Cells[colIdentifiedMu] != total.Cells[colIdentifiedMu] ||
		eval[string](b, `document.querySelector("#query input[name=asof]").value + document.querySelector("#ranking th[aria-sort]").dataset.key`) != "2021-12-31disposed_mu" {
		t.Errorf("reloaded ?asof=2021-12-31: total %q", r[len(r)-1].Cells)
	}

	// A leader has no edit tools: only the query, the sorting and log-out.
	if n := eval[int](b, `Array.from(document.querySelectorAll("input, select, textarea, button")).filter((e) => !e.closest("#query, #ranking thead, #userbar, .panel-head")).length`); n != 0 {
		t.Errorf("%d controls outside the query, the sorting and the user bar", n)
	}
	if n := eval[int](b, `document.querySelectorAll('#userbar a[href^="/admin"]').length`); n != 0 {
		t.Errorf("a leader's user bar links to the administration (%d links)", n)
	}
	b.checkClean()

	// A park's row opens the map zoomed to it; so does its bar.
	openDashboard(b, "")
	second := ranking(b)[1]
	b.run(chromedp.Click(`#ranking tbody tr:nth-child(2) td.num.rate`))
	b.waitFor(fmt.Sprintf(`location.pathname === "/" && location.search === "?park=%s"`, second.Code), 10*time.Second)
	openDashboard(b, "")
	b.run(chromedp.ScrollIntoView(`#chart-rates`))
	xy := eval[[]float64](b, `(() => { const node = document.getElementById("chart-rates"); const c = echarts.getInstanceByDom(node);
	  const v = c.getOption().series[0].data[0].value; const p = c.convertToPixel({ seriesIndex: 0 }, [v / 2, 0]);
	  const r = node.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; })()`)
	b.run(chromedp.MouseClickXY(xy[0], xy[1]))
	b.waitFor(`location.pathname === "/" && location.search === "?park=LLJK"`, 10*time.Second)

	// 系统管理 is not for leaders.
	b.navigate("/admin")
	if h := eval[string](b, `document.querySelector("h1").textContent`); h != "仅管理员可用" {
		t.Errorf("a leader on /admin: %q", h)
	}
}

// mu parses a figure in 亩 as the page shows it.
func mu(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("%q is no figure: %v", s, err)
	}
	return v
}

// checkWorkbook opens a downloaded export and compares cells of its sheet
// 盘活率排名 as Excel shows them.
func checkWorkbook(t *testing.T, file string, want map[string]string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	defer f.Close()
	for cell, w := range want {
		if got, err := f.GetCellValue("盘活率排名", cell); err != nil || got != w {
			t.Errorf("%s: %s = %q (%v), want %q", filepath.Base(file), cell, got, err, w)
		}
	}
}

// TestDashboardDisposalRaisesRate: a disposal the officer of 醴陵经开区
// records raises 醴陵's rate on the leader's dashboard.
func TestDashboardDisposalRaisesRate(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/echarts.min.js")
	b := newBrowser(t, srv)
	b.login("leader", "/dashboard")
	waitDashboard(b)
	before := ranking(b)
	if before[0].Code != "LLJK" || before[0].Rate != "72.3%" {
		t.Fatalf("first row %+v, want LLJK at 72.3%%", before[0])
	}
	beforeBar := eval[float64](b, `echarts.getInstanceByDom(document.getElementById("chart-rates")).getOption().series[0].data[0].value`)

	officer := srv.client(t, "officer")
	layer := officer.json("GET", "/api/layers/parcels?park=LLJK&status=pending", nil, http.StatusOK)
	features := layer["features"].([]any)
	if len(features) == 0 {
		t.Fatal("no pending parcel in LLJK")
	}
	parcel := features[0].(map[string]any)
	props := parcel["properties"].(map[string]any)
	class := props["class"].(string)
	var method string
	for _, m := range officer.json("GET", "/api/methods", nil, http.StatusOK)["methods"].([]any) {
		mm := m.(map[string]any)
		if mm["class"] == class && mm["counts"] == true {
			method = mm["code"].(string)
			break
		}
	}
	if method == "" {
		t.Fatalf("no counting method for %s", class)
	}
	date := "2022-06-28"
	if on, _ := props["identified_on"].(string); on > date {
		date = on
	}
	id := fmt.Sprint(parcel["id"])
	if id == "<nil>" {
		id = fmt.Sprint(props["id"])
	}
	if f, err := strconv.ParseFloat(id, 64); err == nil {
		id = strconv.FormatInt(int64(f), 10)
	}
	officer.json("POST", "/api/parcels/"+id+"/disposals", map[string]any{"method": method, "date": date, "note": "端到端测试：已处置"}, http.StatusCreated)

	openDashboard(b, "")
	after := ranking(b)
	if after[0].Code != "LLJK" {
		t.Fatalf("first row %+v after the disposal", after[0])
	}
	rateOf := func(s string) float64 { return mu(t, strings.TrimSuffix(s, "%")) }
	if rateOf(after[0].Rate) <= rateOf(before[0].Rate) {
		t.Errorf("醴陵经开区's rate %s after a disposal, was %s", after[0].Rate, before[0].Rate)
	}
	if got, want := after[len(after)-1].Cells[colDisposedCount], "63"; got != want {
		t.Errorf("total disposed count %s, want %s", got, want)
	}
	if bar := eval[float64](b, `echarts.getInstanceByDom(document.getElementById("chart-rates")).getOption().series[0].data[0].value`); bar <= beforeBar {
		t.Errorf("醴陵's bar %v, was %v", bar, beforeBar)
	}
	b.checkClean()
}

// TestDashboardHostileParkName: a park named with markup shows as text in
// the ranking, the charts and their tooltips, and no script runs.
func TestDashboardHostileParkName(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/echarts.min.js")
	admin := srv.client(t, "admin")
	square := func(lon, lat, d float64) map[string]any {
		return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}
	}
	// Far from the demo parks (永州, in the south-west of Hunan).
	admin.json("POST", "/api/parks", map[string]any{"type": "Feature", "geometry": square(111.60, 26.20, 0.05), "properties": map[string]any{
		"code": "XSS", "name": hostile, "level": "省级", "city": "永州市", "builtup_mu": 3000, "target_mu": 50, "target_year": 2022}}, http.StatusCreated)
	admin.json("POST", "/api/parcels", map[string]any{"type": "Feature", "geometry": square(111.61, 26.21, 0.003), "properties": map[string]any{
		"class": "idle", "identified_on": "2022-01-10", "project_name": hostile, "land_user": hostile}}, http.StatusCreated)

	b := newBrowser(t, srv)
	b.login("leader", "/dashboard")
	waitDashboard(b)

	names := eval[[]string](b, `Array.from(document.querySelectorAll("#ranking tbody td.park a"), (a) => a.textContent)`)
	if !contains(names, hostile) {
		t.Errorf("ranking names %q lack the park named %s", names, hostile)
	}
	if note := eval[string](b, `document.getElementById("kpi-top-note").textContent`); !strings.Contains(note, hostile) {
		t.Errorf("末位 note %q, want the hostile name as text", note)
	}
	if opts := eval[[]string](b, `Array.from(document.querySelectorAll("#trend-park option"), (o) => o.textContent)`); !contains(opts, hostile) {
		t.Errorf("trend scope options %q", opts)
	}

	// The bar's tooltip shows the name as text.
	idx := eval[int](b, `echarts.getInstanceByDom(document.getElementById("chart-rates")).getOption().series[0].data.findIndex((d) => d.code === "XSS")`)
	if idx < 0 {
		t.Fatal("no bar for the park XSS")
	}
	if axis := eval[string](b, fmt.Sprintf(`echarts.getInstanceByDom(document.getElementById("chart-rates")).getOption().yAxis[0].data[%d]`, idx)); axis != hostile {
		t.Errorf("axis label %q", axis)
	}
	b.run(chromedp.ScrollIntoView(`#chart-rates`))
	eval[bool](b, fmt.Sprintf(`(echarts.getInstanceByDom(document.getElementById("chart-rates")).dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: %d }), true)`, idx))
	b.waitFor(`Array.from(document.querySelectorAll("#chart-rates .dash-tooltip")).some((n) => n.textContent.includes(`+jsString(hostile)+`))`, 5*time.Second)
	b.screenshot("hostile-name-tooltip")

	// The trend for that park names it in its title and tooltip, as text.
	b.run(chromedp.SetValue(`#trend-park`, "XSS")) // fires change
	b.waitFor(`document.body.dataset.state === "ready" && document.getElementById("trend-title").textContent.includes(`+jsString(hostile)+`)`, 10*time.Second)
	b.run(chromedp.ScrollIntoView(`#chart-trend`))
	eval[bool](b, `(echarts.getInstanceByDom(document.getElementById("chart-trend")).dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 }), true)`)
	b.waitFor(`Array.from(document.querySelectorAll("#chart-trend .dash-tooltip")).some((n) => n.textContent.includes(`+jsString(hostile)+`))`, 5*time.Second)

	// No element came from the name, no image was asked for, no dialog opened.
	time.Sleep(200 * time.Millisecond)
	if n := eval[int](b, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("%d img elements on the dashboard", n)
	}
	for _, u := range b.requestList() {
		if strings.HasSuffix(u, "/x") {
			t.Errorf("the page asked for %s: the name was taken for HTML", u)
		}
	}
	b.checkClean()

	// The export carries the name as text too.
	code, body := admin.do("GET", "/api/exports/rates.xlsx", nil)
	if code != http.StatusOK {
		t.Fatalf("export: %d", code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cols, _ := f.GetCols("盘活率排名")
	if len(cols) < 2 || !contains(cols[1], hostile) {
		t.Errorf("the export's 园区 column lacks %s", hostile)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
