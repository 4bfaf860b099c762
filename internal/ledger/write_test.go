package ledger

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"panhuo/geo"
	"panhuo/internal/land"
)

func fp(v float64) *float64 { return &v }

func sampleInput() WriteInput {
	d := land.MustDate
	return WriteInput{
		Title: "株洲市园区三类用地台账",
		AsOf:  d("2022-12-31"),
		Parks: []land.Park{{Code: "RLJK", Name: "醴陵经开区"}, {Code: "ZZGX", Name: "株洲高新区"}},
		Parcels: []land.Parcel{
			{ID: 4, ParkCode: "ZZGX", Class: land.Inefficient, Status: land.Pending, AreaMu: 20, GKZone: 38,
				ParcelFields: land.ParcelFields{Code: "ZD-E1", ProjectName: "老旧仓储用地", LandUser: "株洲某物流有限公司",
					IdentifiedOn: d("2021-11-30"), IdentifiedReason: "容积率低于0.5", PlotRatio: fp(0.35), TaxPerMu: fp(1.2)}},
			{ID: 2, ParkCode: "ZZGX", Class: land.Unsupplied, Status: land.Disposed, AreaMu: 3.333, Disposed: 3.333,
				ParcelFields: land.ParcelFields{Code: "0012", SupervisionNo: "4302022021000000012", ProjectName: "航空城配套",
					IdentifiedOn: d("2021-06-01"), ApprovalNo: "株政函〔2020〕1号"}},
			{ID: 1, ParkCode: "RLJK", Class: land.Unsupplied, Status: land.InProgress, AreaMu: 12.345678, Disposed: 5.004, GKZone: 38,
				Flags: []string{land.FlagStraddlesBoundary},
				ParcelFields: land.ParcelFields{Code: "ZD-U1", SupervisionNo: "4302812019000012345", ProjectName: "陶瓷产业园二期",
					LandUser: "醴陵某陶瓷有限公司", Location: "醴陵市经开区", LandUse: "工业用地", DeclaredAreaMu: fp(12.5),
					IdentifiedOn: d("2021-03-05"), BatchName: "2019年第3批次", ApprovalNo: "湘政土批〔2019〕123号",
					ApprovedOn: d("2019-06-18"), Note: "复核中"}},
			{ID: 3, ParkCode: "RLJK", Class: land.Idle, Status: land.Pending, AreaMu: 30.256,
				RemovedOn: d("2022-06-01"), RemovedReason: "重复录入",
				ParcelFields: land.ParcelFields{Code: "ZD-I1", SupervisionNo: "4302812018000054321", ProjectName: "电子元件厂房",
					LandUser: "株洲某电子科技有限公司", IdentifiedOn: d("2022-01-10"), ContractNo: "430281-2019-0012",
					AgreedStartOn: d("2019-05-01"), AgreedCompletionOn: d("2021-05-01"), IdleCause: land.IdleCauseGovernment}},
		},
		Rates: land.RatesReport{AsOf: d("2022-12-31"), Rows: []land.RateRow{
			{Rank: 1, ParkCode: "RLJK", ParkName: "醴陵经开区", Level: "省级", BuiltupMu: 8000,
				RateFigures: land.RateFigures{IdentifiedMu: 42.6, IdentifiedCount: 2, DisposedMu: 30.8, DisposedCount: 1, Rate: fp(0.723), RateCount: fp(0.5)},
				ByClass:     map[land.Class]land.RateFigures{land.Unsupplied: {IdentifiedMu: 12.35, IdentifiedCount: 1, Rate: fp(0.405)}}},
			{Rank: 2, ParkCode: "ZZGX", ParkName: "株洲高新区", Level: "国家级",
				RateFigures: land.RateFigures{IdentifiedMu: 23.33, IdentifiedCount: 2, DisposedMu: 3.33, DisposedCount: 1, Rate: fp(0.1427)}},
			{ParkCode: "total", ParkName: "全市合计",
				RateFigures: land.RateFigures{IdentifiedMu: 65.93, IdentifiedCount: 4, DisposedMu: 34.13, DisposedCount: 2, Rate: fp(0.5177)}},
		}},
		Demo: true,
	}
}

func writeSample(t *testing.T, in WriteInput) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cell reads a cell's raw value and whether it is stored as a number.
func cell(t *testing.T, f *excelize.File, sheet, ref string) (raw string, number bool) {
	t.Helper()
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	_, perr := strconv.ParseFloat(raw, 64)
	return raw, raw != "" && perr == nil && (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber)
}

func numFmt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
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

func rowValues(t *testing.T, f *excelize.File, sheet string, row int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if row > len(rows) {
		return nil
	}
	return rows[row-1]
}

func TestWrite(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeSample(t, sampleInput())))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"批而未供", "闲置", "低效", "盘活率"}) {
		t.Fatalf("sheets %q", got)
	}
	common := []string{"序号", "园区", "宗地编号", "电子监管号", "项目名称", "用地单位", "坐落", "用途", "面积(亩)", "台账面积(亩)",
		"已处置面积(亩)", "剩余面积(亩)", "状态", "认定日期"}
	tail := []string{"带号", "标记", "备注"}
	for sheet, own := range map[string][]string{
		"批而未供": {"批次名称", "批准文号", "批准日期"},
		"闲置":   {"出让合同号", "约定动工日期", "约定竣工日期", "闲置原因"},
		"低效":   {"认定原因", "容积率", "亩均税收(万元)"},
	} {
		want := append(append(append([]string{}, common...), own...), tail...)
		if got := rowValues(t, f, sheet, 2); !reflect.DeepEqual(got, want) {
			t.Errorf("%s headers %q\nwant %q", sheet, got, want)
		}
		title, _ := f.GetCellValue(sheet, "A1")
		if title != "株洲市园区三类用地台账 — "+sheet+"（截至 2022-12-31）（示例数据）" {
			t.Errorf("%s title %q", sheet, title)
		}
		// Each header maps back to a field (none unknown).
		if u := UnknownHeaders(want, nil); len(u) != 0 {
			t.Errorf("%s: unknown headers %q", sheet, u)
		}
		// Bold headers, frozen below row 2, an autofilter.
		id, _ := f.GetCellStyle(sheet, "C2")
		if st, _ := f.GetStyle(id); st == nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s: header not bold", sheet)
		}
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 2 {
			t.Errorf("%s panes %+v %v", sheet, panes, err)
		}
		if w, _ := f.GetColWidth(sheet, "E"); w < 10 {
			t.Errorf("%s: 项目名称 width %v", sheet, w)
		}
	}

	// 批而未供: ZD-U1 (RLJK first in Parks) then 0012 (ZZGX).
	const sh = "批而未供"
	for _, c := range []struct {
		ref, raw string
		number   bool
		fmt      string
	}{
		{"A3", "1", true, "1"},
		{"B3", "醴陵经开区", false, ""},
		{"C3", "ZD-U1", false, "49"},
		{"D3", "4302812019000012345", false, "49"},
		{"I3", "12.35", true, "2"}, // 12.345678 rounded to 0.01
		{"J3", "12.5", true, "2"},
		{"K3", "5", true, "2"}, // 5.004
		{"L3", "7.35", true, "2"},
		{"M3", "处置中", false, ""},
		{"N3", "44260", true, "yyyy-mm-dd"}, // 2021-03-05
		{"O3", "2019年第3批次", false, ""},
		{"Q3", "43634", true, "yyyy-mm-dd"}, // 2019-06-18
		{"R3", "38", true, "1"},
		{"S3", "跨园区边界", false, ""},
		{"T3", "复核中", false, ""},
		{"C4", "0012", false, "49"},
		{"J4", "", false, "2"}, // no declared area
		{"L4", "0", true, "2"},
		{"M4", "已处置", false, ""},
		// The 合计 row: count and area sums.
		{"A5", "合计", false, ""},
		{"B5", "2", true, `0"宗"`},
		{"I5", "15.68", true, "2"}, // 12.35 + 3.33
		{"J5", "12.5", true, "2"},
		{"K5", "8.33", true, "2"},
		{"L5", "7.35", true, "2"},
	} {
		raw, number := cell(t, f, sh, c.ref)
		if raw != c.raw || number != c.number {
			t.Errorf("%s!%s = %q (number %v), want %q (number %v)", sh, c.ref, raw, number, c.raw, c.number)
		}
		if c.fmt != "" {
			if got := numFmt(t, f, sh, c.ref); got != c.fmt {
				t.Errorf("%s!%s number format %q, want %q", sh, c.ref, got, c.fmt)
			}
		}
	}
	if v, _ := f.GetCellValue(sh, "N3"); v != "2021-03-05" {
		t.Errorf("date shows %q", v)
	}
	if v, _ := f.GetCellValue(sh, "B5"); v != "2宗" {
		t.Errorf("count shows %q", v)
	}

	// 闲置: the removal is marked, the cause in Chinese.
	if v := rowValues(t, f, "闲置", 3); len(v) < 20 || v[17] != "政府原因" || v[19] != "已删除（2022-06-01：重复录入）" {
		t.Errorf("闲置 row %q", v)
	}
	// 低效: ratio and tax are numbers.
	for ref, want := range map[string]string{"P3": "0.35", "Q3": "1.2", "R3": "38"} {
		if raw, number := cell(t, f, "低效", ref); raw != want || !number {
			t.Errorf("低效!%s = %q number %v", ref, raw, number)
		}
	}

	// 盘活率: ranked rows, the total row, rates as fractions shown as percentages.
	const rs = "盘活率"
	if got := rowValues(t, f, rs, 2); len(got) < 13 || got[0] != "排名" || got[1] != "园区" || got[7] != "盘活率" {
		t.Errorf("盘活率 headers %q", got)
	}
	for _, c := range []struct{ ref, raw, shown string }{
		{"A3", "1", "1"}, {"B3", "醴陵经开区", "醴陵经开区"}, {"H3", "0.723", "72.3%"}, {"I3", "0.5", "50.0%"},
		{"B4", "株洲高新区", "株洲高新区"}, {"H4", "0.1427", "14.3%"},
		{"A5", "", ""}, {"B5", "全市合计", "全市合计"}, {"D5", "65.93", "65.93"}, {"H5", "0.5177", "51.8%"},
		{"N3", "12.35", "12.35"}, {"Q3", "0.405", "40.5%"},
	} {
		raw, _ := cell(t, f, rs, c.ref)
		shown, _ := f.GetCellValue(rs, c.ref)
		if raw != c.raw || shown != c.shown {
			t.Errorf("盘活率!%s = %q shown %q, want %q shown %q", c.ref, raw, shown, c.raw, c.shown)
		}
	}
	if got := numFmt(t, f, rs, "H3"); got != "0.0%" {
		t.Errorf("rate format %q", got)
	}
	if note, _ := f.GetCellValue(rs, "A7"); !strings.Contains(note, "口径") || !strings.Contains(note, "示例数据") {
		t.Errorf("note %q", note)
	}
}

func TestWriteEmpty(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeSample(t, WriteInput{AsOf: land.MustDate("2022-12-31")})))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"批而未供", "闲置", "低效", "盘活率"}) {
		t.Fatalf("sheets %q", got)
	}
	for _, sh := range []string{"批而未供", "闲置", "低效"} {
		title, _ := f.GetCellValue(sh, "A1")
		if title != "园区三类用地台账 — "+sh+"（截至 2022-12-31）" {
			t.Errorf("title %q", title)
		}
		if raw, number := cell(t, f, sh, "B3"); raw != "0" || !number {
			t.Errorf("%s empty count %q", sh, raw)
		}
	}
	// Nothing to import from an empty ledger.
	if _, err := ReadXLSX(writeSample(t, WriteInput{}), nil, geo.Limits{}); err == nil || !strings.Contains(err.Error(), "没有数据行") {
		t.Errorf("empty ledger read: %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	in := sampleInput()
	data := writeSample(t, in)
	sheets, err := ReadXLSXBook(data, nil, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 3 {
		t.Fatalf("%d sheets", len(sheets))
	}
	got := map[string]Mapped{}
	for _, s := range sheets {
		if s.HeaderRow != 2 {
			t.Errorf("%s header row %d", s.Name, s.HeaderRow)
		}
		if u := UnknownHeaders(s.Headers, nil); len(u) != 0 {
			t.Errorf("%s unknown headers %q", s.Name, u)
		}
		for _, r := range s.Rows {
			m := MapProperties(r.Properties, nil)
			if len(m.Errors) > 0 || len(m.Warnings) > 0 {
				t.Errorf("%s row %d: %+v %q", s.Name, r.Row, m.Errors, m.Warnings)
			}
			if m.Class == "" {
				m.Class = s.Class
			}
			got[m.Fields.Code] = m
		}
	}
	parkName := map[string]string{"RLJK": "醴陵经开区", "ZZGX": "株洲高新区"}
	for _, p := range in.Parcels {
		m, ok := got[p.Code]
		if !ok {
			t.Errorf("parcel %s not read back", p.Code)
			continue
		}
		// Every ledger field comes back; where no area was declared, 台账面积
		// is empty and the computed 面积 is not taken for one.
		want := p.ParcelFields
		if m.Class != p.Class || m.Park != parkName[p.ParkCode] {
			t.Errorf("%s: class %q park %q", p.Code, m.Class, m.Park)
		}
		if !reflect.DeepEqual(m.Fields, want) {
			t.Errorf("%s fields\n got %+v\nwant %+v", p.Code, m.Fields, want)
		}
		for _, f := range []string{"code", "identified_on"} {
			if !m.Set[f] {
				t.Errorf("%s: %s not set", p.Code, f)
			}
		}
	}
	// ReadXLSX reads the first class sheet and warns of the others.
	s, err := ReadXLSX(data, nil, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "批而未供" || s.Class != land.Unsupplied || len(s.Rows) != 2 || len(s.Warnings) != 1 {
		t.Errorf("ReadXLSX: %q %q %d rows, warnings %q", s.Name, s.Class, len(s.Rows), s.Warnings)
	}
}
