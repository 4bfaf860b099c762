package web

import (
	"bytes"
	"context"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"panhuo/internal/land"
)

// exportLedger is a small ledger: 醴陵经开区 with a disposed idle parcel and
// a partly disposed unsupplied one, 株洲高新区 with one pending idle parcel.
func exportLedger(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	for _, p := range []struct {
		code, name, level string
		lon               float64
		builtup, target   float64
	}{{"LLJK", "醴陵经开区", land.LevelProvincial, 113.45, 9000, 800}, {"ZZGX", "株洲高新区", "国家级", 113.05, 20000, 100}} {
		ring := orb.Ring{{p.lon, 27.6}, {p.lon + 0.1, 27.6}, {p.lon + 0.1, 27.7}, {p.lon, 27.7}, {p.lon, 27.6}}
		if _, err := e.svc.CreatePark(ctx, land.Operator("test"), land.ParkInput{Code: p.code, Name: p.name, Level: p.level, City: "株洲市",
			Boundary: orb.MultiPolygon{{ring}}, BuiltupMu: p.builtup, TargetMu: p.target, TargetYear: 2022}); err != nil {
			t.Fatalf("create park %s: %v", p.code, err)
		}
	}
	idle := e.createParcel(feature(rect(113.46, 27.61, 113.463, 27.613), "idle", map[string]any{"identified_on": "2021-03-01"}))
	unsup := e.createParcel(feature(rect(113.47, 27.61, 113.474, 27.614), "unsupplied", map[string]any{"identified_on": "2021-05-01"}))
	e.createParcel(feature(rect(113.06, 27.61, 113.065, 27.615), "idle", map[string]any{"identified_on": "2021-06-01"}))
	e.do("POST", idPath(idle)+"/disposals", map[string]any{"method": "start_construction", "date": "2022-03-01"}).want(201)
	e.do("POST", idPath(unsup)+"/disposals", map[string]any{"method": "supply", "date": "2022-04-01", "area_mu": 5}).want(201)
	return e
}

// openXLSX checks the answer of an export and opens the workbook.
func openXLSX(t *testing.T, r resp) *excelize.File {
	t.Helper()
	if ct := r.Header().Get("Content-Type"); ct != mimeXLSX {
		t.Fatalf("Content-Type %q, want %s", ct, mimeXLSX)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
	if err != nil {
		t.Fatalf("open the export: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// cellFloat reads a numeric cell's raw value.
func cellFloat(t *testing.T, f *excelize.File, cell string) float64 {
	t.Helper()
	v, err := f.GetCellValue(ratesSheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s = %q, want a number", cell, v)
	}
	return x
}

func cellText(t *testing.T, f *excelize.File, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(ratesSheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// numFmt is the number format of a cell: a built-in id or a custom code.
func numFmt(t *testing.T, f *excelize.File, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(ratesSheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return strconv.Itoa(st.NumFmt)
}

func TestExportRatesXLSX(t *testing.T) {
	e := exportLedger(t)
	rep := e.do("GET", "/api/rates?asof=2022-06-28", nil).want(200).json()
	rows := rep["rows"].([]any)
	lljk, total := rows[0].(map[string]any), rows[len(rows)-1].(map[string]any)
	if lljk["park_code"] != "LLJK" || total["park_code"] != "total" {
		t.Fatalf("ranking %v … %v", lljk["park_code"], total["park_code"])
	}

	_, leaderTok := e.user("leader", "领导", land.RoleLeader)
	r := e.do("GET", "/api/exports/rates.xlsx?asof=2022-06-28", nil, bearer(leaderTok)...).want(200)
	cd := r.Header().Get("Content-Disposition")
	if want := "filename*=UTF-8''" + url.PathEscape("盘活率排名_2022-06-28.xlsx"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, want) ||
		!strings.Contains(cd, `filename="panhuo-rates-2022-06-28.xlsx"`) {
		t.Errorf("Content-Disposition %q, want an attachment with %s", cd, want)
	}
	f := openXLSX(t, r)
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "盘活率排名" {
		t.Errorf("sheets %q", sheets)
	}
	if title := cellText(t, f, "A1"); !strings.Contains(title, "截至 2022-06-28") {
		t.Errorf("title %q", title)
	}
	if basis := cellText(t, f, "A2"); !strings.Contains(basis, "累计") || !strings.Contains(basis, "已处置面积 ÷ 认定面积") {
		t.Errorf("basis %q", basis)
	}
	headers := []string{"排名", "园区", "级别", "三类用地面积(亩)", "宗数", "已处置面积(亩)", "已处置宗数", "盘活率", "年度目标(亩)", "目标进度", "占建成区比例"}
	for i, h := range headers {
		c, _ := excelize.CoordinatesToCellName(i+1, 3)
		if got := cellText(t, f, c); got != h {
			t.Errorf("header %s = %q, want %q", c, got, h)
		}
	}
	all, err := f.GetRows(ratesSheet)
	if err != nil {
		t.Fatal(err)
	}
	header := all[2]
	col := func(name string) string {
		t.Helper()
		for i, h := range header {
			if h == name {
				c, _ := excelize.ColumnNumberToName(i + 1)
				return c
			}
		}
		t.Fatalf("no column %q in %q", name, header)
		return ""
	}
	for _, h := range []string{"批而未供面积(亩)", "闲置已处置(亩)", "低效盘活率", "园区代码"} {
		col(h)
	}
	if len(all) != 3+3 {
		t.Fatalf("%d rows, want title, basis, header, 2 parks and the total", len(all))
	}

	// 醴陵 first, then the total row last, with the API's figures.
	mu := func(v any) float64 { return math.Round(v.(float64)*100) / 100 }
	for _, c := range []struct {
		row  string
		want map[string]any
	}{{"4", lljk}, {"6", total}} {
		if c.row == "4" {
			if cellText(t, f, "A4") != "1" || cellText(t, f, "B4") != "醴陵经开区" || cellText(t, f, "C4") != "省级" || cellText(t, f, col("园区代码")+"4") != "LLJK" {
				t.Errorf("first row %q", all[3])
			}
		} else if cellText(t, f, "A6") != "" || cellText(t, f, "B6") != "合计" {
			t.Errorf("total row %q", all[5])
		}
		for name, key := range map[string]string{"三类用地面积(亩)": "identified_mu", "已处置面积(亩)": "disposed_mu"} {
			if got, want := cellFloat(t, f, col(name)+c.row), mu(c.want[key]); got != want {
				t.Errorf("row %s %s = %v, want %v", c.row, name, got, want)
			}
		}
		for name, key := range map[string]string{"宗数": "identified_count", "已处置宗数": "disposed_count"} {
			if got, want := cellFloat(t, f, col(name)+c.row), c.want[key].(float64); got != want {
				t.Errorf("row %s %s = %v, want %v", c.row, name, got, want)
			}
		}
		for name, key := range map[string]string{"盘活率": "rate", "目标进度": "target_progress", "占建成区比例": "builtup_share"} {
			if got, want := cellFloat(t, f, col(name)+c.row), c.want[key].(float64); math.Abs(got-want) > 1e-12 {
				t.Errorf("row %s %s = %v, want %v", c.row, name, got, want)
			}
		}
	}
	if got := cellFloat(t, f, "E6"); got != 3 {
		t.Errorf("total 宗数 %v, want 3", got)
	}
	if got := cellFloat(t, f, "G6"); got != 1 {
		t.Errorf("total 已处置宗数 %v, want 1", got)
	}
	// The figures as shown: 亩 with two decimals, rates as 0.0%.
	if got := cellText(t, f, "H4"); got != strconv.FormatFloat(lljk["rate"].(float64)*100, 'f', 1, 64)+"%" {
		t.Errorf("H4 shows %q", got)
	}
	for cell, want := range map[string]string{"D4": "2", "F6": "2", "I4": "2", "H4": "0.0%", "J6": "0.0%", "K4": "0.0%", "E4": "1"} {
		if got := numFmt(t, f, cell); got != want {
			t.Errorf("number format of %s: %s, want %s", cell, got, want)
		}
	}
	panes, err := f.GetPanes(ratesSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 3 || panes.XSplit != 2 {
		t.Errorf("panes %+v %v: want the header and park columns frozen", panes, err)
	}

	// One class, a period: only that class's columns, and the file says so.
	r = e.do("GET", "/api/exports/rates.xlsx?asof=2022-06-28&from=2022-01-01&class=idle", nil).want(200)
	if cd := r.Header().Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("盘活率排名_闲置_2022-01-01至2022-06-28.xlsx")) {
		t.Errorf("Content-Disposition %q", cd)
	}
	f = openXLSX(t, r)
	all, _ = f.GetRows(ratesSheet)
	head := strings.Join(all[2], "|")
	if !strings.Contains(head, "闲置面积(亩)") || strings.Contains(head, "批而未供") || strings.Contains(head, "低效") {
		t.Errorf("class export header %q", head)
	}
	if basis := cellText(t, f, "A2"); !strings.Contains(basis, "2022-01-01 至 2022-06-28") || !strings.Contains(basis, "闲置") {
		t.Errorf("period basis %q", basis)
	}

	// Bad parameters: a problem naming the field, no workbook.
	for q, field := range map[string]string{"?asof=2022-02-30": "asof", "?from=yesterday": "from", "?class=vacant": "class", "?asof=2022-06-28&from=2022-07-01": "from"} {
		r := e.do("GET", "/api/exports/rates.xlsx"+q, nil).want(422)
		if fe := r.fieldErrors(); fe[field] == nil {
			t.Errorf("%s: field %s not named: %v", q, field, fe)
		}
	}
	e.do("GET", "/api/exports/rates.xlsx", nil, anon...).want(401).problem()
}

func TestAttachmentFilename(t *testing.T) {
	got := attachment("盘活率排名_2026-11-24.xlsx", "panhuo-rates-2026-11-24.xlsx")
	want := `attachment; filename="panhuo-rates-2026-11-24.xlsx"; filename*=UTF-8''%E7%9B%98%E6%B4%BB%E7%8E%87%E6%8E%92%E5%90%8D_2026-11-24.xlsx`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := rfc5987("a b;\"'%*"); got != "a%20b%3B%22%27%25%2A" {
		t.Errorf("rfc5987: %s", got)
	}
}
