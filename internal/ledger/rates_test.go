package ledger

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"panhuo/internal/land"
)

// hostileName is a park name Excel would run as a formula (DDE) were it
// written as one.
const hostileName = `=cmd|' /C calc'!A0`

// sampleRates is the sample's ranking with a hostile park name, no level and
// nothing identified.
func sampleRates() land.RatesReport {
	rep := sampleInput().Rates
	rep.Rows[0].TargetMu, rep.Rows[0].TargetYear, rep.Rows[0].TargetDisposedMu, rep.Rows[0].TargetProgress = 100, 2022, 20.005, fp(0.2)
	rep.Rows[0].BuiltupShare = fp(0.005325)
	rep.Rows = append(rep.Rows[:2:2], land.RateRow{ParkCode: "EVIL", ParkName: hostileName}, rep.Rows[2])
	return rep
}

func writeRates(t *testing.T, in RatesInput) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteRates(&buf, in); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteRates(t *testing.T) {
	f := writeRates(t, RatesInput{Rates: sampleRates()})
	const sh = RankingSheet
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"盘活率排名"}) {
		t.Fatalf("sheets %q", got)
	}
	if title, _ := f.GetCellValue(sh, "A1"); title != "园区“三类”用地处置盘活率排名（截至 2022-12-31）" {
		t.Errorf("title %q", title)
	}
	if basis, _ := f.GetCellValue(sh, "A2"); !strings.HasPrefix(basis, "口径：截至 2022-12-31 累计（三类合计）；盘活率 = 已处置面积 ÷ 认定面积") || strings.Contains(basis, "示例数据") {
		t.Errorf("basis %q", basis)
	}
	want := []string{"排名", "园区", "级别", "三类用地面积(亩)", "宗数", "已处置面积(亩)", "已处置宗数", "盘活率", "年度目标(亩)", "目标进度", "占建成区比例",
		"园区代码", "建成区面积(亩)", "目标年份", "目标年度已处置(亩)", "盘活率(按宗数)"}
	for _, c := range land.Classes {
		for _, h := range []string{"面积(亩)", "宗数", "已处置(亩)", "已处置宗数", "盘活率"} {
			want = append(want, c.Name()+h)
		}
	}
	if got := rowValues(t, f, sh, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("headers %q\nwant %q", got, want)
	}
	// The title and the basis span the table.
	merged, _ := f.GetMergeCells(sh)
	var spans []string
	for _, m := range merged {
		spans = append(spans, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if !reflect.DeepEqual(spans, []string{"A1:AE1", "A2:AE2"}) {
		t.Errorf("merged %q", spans)
	}

	// The parks in rank order, then the total; figures are numbers.
	for _, c := range []struct {
		ref, raw string
		number   bool
		fmt      string // number format: a built-in id or a code
		shown    string
	}{
		{"A4", "1", true, "1", "1"},
		{"B4", "醴陵经开区", false, "0", "醴陵经开区"},
		{"C4", "省级", false, "0", "省级"},
		{"D4", "42.6", true, "2", "42.60"},
		{"E4", "2", true, "1", "2"},
		{"H4", "0.723", true, "0.0%", "72.3%"},
		{"I4", "100", true, "2", "100.00"},
		{"J4", "0.2", true, "0.0%", "20.0%"},
		{"K4", "0.005325", true, "0.0%", "0.5%"},
		{"L4", "RLJK", false, "0", "RLJK"},
		{"M4", "8000", true, "2", "8000.00"},
		{"N4", "2022", true, "1", "2022"},
		{"O4", "20.01", true, "2", "20.01"},
		{"P4", "0.5", true, "0.0%", "50.0%"},
		{"Q4", "12.35", true, "2", "12.35"},    // 批而未供面积(亩)
		{"U4", "0.405", true, "0.0%", "40.5%"}, // 批而未供盘活率
		{"A5", "2", true, "1", "2"},
		{"A6", "", false, "1", ""}, // nothing identified: no rank
		{"B6", hostileName, false, "0", hostileName},
		{"C6", "", false, "0", ""},
		{"H6", "", false, "0.0%", ""},
		{"I6", "", false, "2", ""},     // no target
		{"M6", "0", true, "2", "0.00"}, // no built-up area
		{"N6", "", false, "1", ""},
		{"B7", "全市合计", false, "0", "全市合计"},
		{"D7", "65.93", true, "2", "65.93"},
		{"L7", "", false, "0", ""},
	} {
		raw, number := cell(t, f, sh, c.ref)
		shown, _ := f.GetCellValue(sh, c.ref)
		if raw != c.raw || number != c.number || shown != c.shown {
			t.Errorf("%s = %q shown %q (number %v), want %q shown %q (number %v)", c.ref, raw, shown, number, c.raw, c.shown, c.number)
		}
		if got := numFmt(t, f, sh, c.ref); got != c.fmt {
			t.Errorf("%s number format %q, want %q", c.ref, got, c.fmt)
		}
	}
	// A name that looks like a formula stays text.
	if formula, _ := f.GetCellFormula(sh, "B6"); formula != "" {
		t.Errorf("B6 is a formula: %q", formula)
	}
	if typ, _ := f.GetCellType(sh, "B6"); typ != excelize.CellTypeSharedString {
		t.Errorf("B6 cell type %v, want text", typ)
	}
	// The total row is bold, the others not.
	for ref, bold := range map[string]bool{"B4": false, "D4": false, "B7": true, "D7": true, "H7": true} {
		id, _ := f.GetCellStyle(sh, ref)
		if st, _ := f.GetStyle(id); st == nil || st.Font == nil || st.Font.Bold != bold || st.Font.Family != "微软雅黑" {
			t.Errorf("%s style %+v, want bold %v in 微软雅黑", ref, st, bold)
		}
	}
	// Fixed widths; the header and the rank and park columns stay in view.
	for col, want := range map[string]float64{"A": 6, "B": 22, "D": 14, "E": 7, "O": 16, "P": 13, "T": 12, "AE": 12} {
		if w, _ := f.GetColWidth(sh, col); w != want {
			t.Errorf("width of %s %v, want %v", col, w, want)
		}
	}
	for row, want := range map[int]float64{1: 28, 2: 36, 3: 32} {
		if h, _ := f.GetRowHeight(sh, row); h != want {
			t.Errorf("height of row %d %v, want %v", row, h, want)
		}
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.XSplit != 2 || panes.YSplit != 3 || panes.TopLeftCell != "C4" {
		t.Errorf("panes %+v %v", panes, err)
	}
	if props, _ := f.GetDocProps(); props.Title != "园区“三类”用地处置盘活率排名（截至 2022-12-31）" || props.Creator != "panhuo" {
		t.Errorf("properties %+v", props)
	}
	if rows, _ := f.GetRows(sh); len(rows) != 7 {
		t.Errorf("%d rows, want title, basis, header, 3 parks and the total", len(rows))
	}
}

func TestWriteRatesPeriodClassDemo(t *testing.T) {
	rep := sampleRates()
	rep.From, rep.Class = land.MustDate("2022-01-01"), land.Idle
	f := writeRates(t, RatesInput{Rates: rep, Demo: true})
	const sh = RankingSheet
	basis, _ := f.GetCellValue(sh, "A2")
	if !strings.HasPrefix(basis, "口径：统计区间 2022-01-01 至 2022-12-31（闲置）；盘活率 = 区间内处置面积") || !strings.HasSuffix(basis, demoNote) {
		t.Errorf("basis %q", basis)
	}
	head := rowValues(t, f, sh, 3)
	if got := head[16:]; !reflect.DeepEqual(got, []string{"闲置面积(亩)", "闲置宗数", "闲置已处置(亩)", "闲置已处置宗数", "闲置盘活率"}) {
		t.Errorf("class columns %q", got)
	}
	if len(head) != 21 {
		t.Errorf("%d columns", len(head))
	}
}

func TestWriteRatesEmpty(t *testing.T) {
	f := writeRates(t, RatesInput{Rates: land.RatesReport{AsOf: land.MustDate("2022-12-31"), Rows: []land.RateRow{{ParkCode: "total"}}}})
	const sh = RankingSheet
	if v := rowValues(t, f, sh, 4); len(v) < 5 || v[1] != "合计" || v[3] != "0.00" || v[4] != "0" {
		t.Errorf("total row %q", v)
	}
	if rows, _ := f.GetRows(sh); len(rows) != 4 {
		t.Errorf("%d rows", len(rows))
	}
}
