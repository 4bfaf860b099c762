package ledger

import (
	"bytes"
	"errors"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"panhuo/geo"
	"panhuo/internal/land"
)

// withTitle returns the workbook with a merged title row inserted above the
// first sheet's header, as real ledgers have.
func withTitle(t *testing.T, data []byte, title string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetName(0)
	if err := f.InsertRows(sh, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(sh, "A1", title); err != nil {
		t.Fatal(err)
	}
	if err := f.MergeCell(sh, "A1", "H1"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func prop(t *testing.T, r Row, name string) string {
	t.Helper()
	for _, p := range r.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	t.Errorf("row %d has no property %q", r.Row, name)
	return ""
}

func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

func TestReadXLSXLonLatGDAL(t *testing.T) {
	for _, titled := range []bool{false, true} {
		data := readFixture(t, "ledger_lonlat.xlsx")
		header := 1
		if titled {
			data = withTitle(t, data, "醴陵经开区“三类”用地台账（2022年）")
			header = 2
		}
		s, err := ReadXLSX(data, nil, geo.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "台账" || s.HeaderRow != header || s.Class != "" {
			t.Errorf("sheet %q header row %d class %q", s.Name, s.HeaderRow, s.Class)
		}
		wantHeaders := []string{"宗地编号", "电子监管号", "项目名称", "用地单位", "面积（亩）", "认定日期", "类别", "园区",
			"批准文号", "批准日期", "闲置原因", "约定动工日期", "容积率", "亩均税收(万元)", "联系人", "WKT"}
		if !reflect.DeepEqual(s.Headers, wantHeaders) {
			t.Errorf("headers %q", s.Headers)
		}
		wantFields := []string{"code", "supervision_no", "project_name", "land_user", "declared_area_mu", "identified_on",
			"class", "park", "approval_no", "approved_on", "idle_cause", "agreed_start_on", "plot_ratio", "tax_per_mu", "", "wkt"}
		if !reflect.DeepEqual(s.Fields, wantFields) {
			t.Errorf("fields %q", s.Fields)
		}
		if u := UnknownHeaders(s.Headers, nil); !reflect.DeepEqual(u, []string{"联系人"}) {
			t.Errorf("unknown %q", u)
		}
		// The empty row and the 合计 row are skipped.
		if len(s.Rows) != 3 {
			t.Fatalf("%d rows, want 3", len(s.Rows))
		}
		for i, r := range s.Rows {
			if r.Row != header+1+i || r.Problem != "" || len(r.Properties) != len(wantHeaders) {
				t.Errorf("row %d: number %d problem %q, %d properties", i, r.Row, r.Problem, len(r.Properties))
			}
		}
		r1, r2, r3 := s.Rows[0], s.Rows[1], s.Rows[2]
		// Date cells read as dates, numbers as their value, the long id as text.
		for _, c := range []struct{ got, want string }{
			{prop(t, r1, "认定日期"), "2021-03-05"}, {prop(t, r1, "批准日期"), "2019-06-18"},
			{prop(t, r1, "面积（亩）"), "12.5"}, {prop(t, r1, "电子监管号"), "4302022021000123456"},
			{prop(t, r2, "约定动工日期"), "2019-05-01"}, {prop(t, r2, "面积（亩）"), "30.25"},
			{prop(t, r3, "容积率"), "0.35"}, {prop(t, r3, "面积（亩）"), "8"}, {prop(t, r3, "WKT"), ""},
			{prop(t, r1, "联系人"), "张三"}, {prop(t, r3, "联系人"), ""},
		} {
			if c.got != c.want {
				t.Errorf("property %q, want %q", c.got, c.want)
			}
		}
		// Geometry: r1 a Polygon, r2 a MultiPolygon, r3 none.
		p, ok := r1.Geometry.(orb.Polygon)
		if !ok || len(p) != 1 || len(p[0]) != 5 || p[0][1] != (orb.Point{113.492, 27.66}) || p[0][2] != (orb.Point{113.492, 27.6615}) {
			t.Errorf("row 1 geometry %v", r1.Geometry)
		}
		if r1.Zone != 0 || r1.PlanarAreaM2 != 0 {
			t.Errorf("lon/lat row has zone %d area %v", r1.Zone, r1.PlanarAreaM2)
		}
		mp, ok := r2.Geometry.(orb.MultiPolygon)
		if !ok || len(mp) != 2 || mp[1][0][0] != (orb.Point{113.085, 27.82}) {
			t.Errorf("row 2 geometry %v", r2.Geometry)
		}
		if r3.Geometry != nil {
			t.Errorf("row 3 geometry %v", r3.Geometry)
		}
		// The mapped fields.
		m1 := MapProperties(r1.Properties, nil)
		m2 := MapProperties(r2.Properties, nil)
		m3 := MapProperties(r3.Properties, nil)
		for _, m := range []Mapped{m1, m2, m3} {
			if len(m.Errors) > 0 {
				t.Errorf("errors %+v", m.Errors)
			}
		}
		if m1.Class != land.Unsupplied || m1.Park != "醴陵经开区" || m1.Fields.Code != "ZD-001" ||
			m1.Fields.IdentifiedOn.String() != "2021-03-05" || m1.Fields.ApprovedOn.String() != "2019-06-18" ||
			m1.Fields.ApprovalNo != "湘政土批〔2019〕123号" || *m1.Fields.DeclaredAreaMu != 12.5 {
			t.Errorf("row 1 mapped %+v", m1)
		}
		if m2.Class != land.Idle || m2.Fields.IdleCause != land.IdleCauseEnterprise || m2.Fields.AgreedStartOn.String() != "2019-05-01" ||
			m2.Fields.LandUser != "株洲某电子科技有限公司" {
			t.Errorf("row 2 mapped %+v", m2)
		}
		if m3.Class != land.Inefficient || m3.Park != "ZZJK" || *m3.Fields.PlotRatio != 0.35 || *m3.Fields.TaxPerMu != 1.25 ||
			m3.Set["supervision_no"] || m3.Fields.IdentifiedOn.String() != "2021-11-30" {
			t.Errorf("row 3 mapped %+v", m3)
		}
	}
}

func TestReadXLSXGaussKrugerGDAL(t *testing.T) {
	s, err := ReadXLSX(readFixture(t, "ledger_gk.xlsx"), nil, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "坐标" || s.HeaderRow != 1 || len(s.Rows) != 4 {
		t.Fatalf("sheet %q header %d rows %d", s.Name, s.HeaderRow, len(s.Rows))
	}
	if !reflect.DeepEqual(s.Fields, []string{"wkt", "code", "project_name", "gk_zone", "declared_area_mu"}) {
		t.Errorf("fields %q", s.Fields)
	}
	const tol = 1e-8 // degrees, about a millimetre: panhuo's transform against PROJ's
	gk1, gk2, gk3, gk4 := s.Rows[0], s.Rows[1], s.Rows[2], s.Rows[3]

	// GK-1: prefixed eastings (EPSG:4526), a polygon with a hole.
	p, ok := gk1.Geometry.(orb.Polygon)
	if !ok || gk1.Problem != "" || gk1.Zone != 38 || len(p) != 2 {
		t.Fatalf("GK-1: %v zone %d problem %q", gk1.Geometry, gk1.Zone, gk1.Problem)
	}
	for i, want := range []orb.Point{{113.1, 27.8}, {113.104, 27.8}, {113.104, 27.803}, {113.1, 27.803}, {113.1, 27.8}} {
		if !near(p[0][i], want, tol) {
			t.Errorf("GK-1 vertex %d = %v, want %v", i, p[0][i], want)
		}
	}
	if !near(p[1][1], orb.Point{113.102, 27.801}, tol) {
		t.Errorf("GK-1 hole vertex %v", p[1][1])
	}
	// About 394 m × 332 m less a triangle of about 99 m × 111 m / 2.
	if gk1.PlanarAreaM2 < 125000 || gk1.PlanarAreaM2 > 131000 {
		t.Errorf("GK-1 planar area %v", gk1.PlanarAreaM2)
	}
	m := MapProperties(gk1.Properties, nil)
	if m.Fields.Code != "GK-1" || m.Fields.DeclaredAreaMu == nil || *m.Fields.DeclaredAreaMu != 18 { // 1.2 公顷
		t.Errorf("GK-1 mapped %+v", m.Fields)
	}

	// GK-2: no prefix (EPSG:4547), zone from the 带号 column, a MultiPolygon.
	mp, ok := gk2.Geometry.(orb.MultiPolygon)
	if !ok || gk2.Zone != 38 || len(mp) != 2 {
		t.Fatalf("GK-2: %v zone %d problem %q", gk2.Geometry, gk2.Zone, gk2.Problem)
	}
	if !near(mp[0][0][1], orb.Point{113.203, 27.87}, tol) || !near(mp[1][0][2], orb.Point{113.211, 27.871}, tol) {
		t.Errorf("GK-2 vertices %v", mp)
	}
	if prop(t, gk2, "带号") != "38" {
		t.Errorf("GK-2 带号 %q", prop(t, gk2, "带号"))
	}

	// GK-3: no prefix, no 带号; GK-4: broken WKT.
	if gk3.Geometry != nil || !strings.Contains(gk3.Problem, "带号") {
		t.Errorf("GK-3: %v %q", gk3.Geometry, gk3.Problem)
	}
	if gk4.Geometry != nil || !strings.Contains(gk4.Problem, "不是有效的 WKT") || !strings.Contains(gk4.Problem, "列「图形」") {
		t.Errorf("GK-4: %v %q", gk4.Geometry, gk4.Problem)
	}
}

// book builds a workbook with excelize: sheets in order, rows of cells.
type bookSheet struct {
	name   string
	rows   [][]any
	hidden bool
}

func book(t *testing.T, sheets []bookSheet, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		if s.hidden {
			if err := f.SetSheetVisible(s.name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if edit != nil {
		edit(f)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXCells(t *testing.T) {
	data := book(t, []bookSheet{
		{name: "说明", rows: [][]any{{"填表说明"}, {"本表由园区填报"}}},
		{name: "隐藏", hidden: true, rows: [][]any{{"宗地编号", "项目名称"}, {"H-1", "hidden"}}},
		{name: "闲置土地台账", rows: [][]any{
			{"株洲经开区闲置土地台账"},
			{nil, "单位：亩"},
			{"序号", "宗地编号", "面积", "认定日期", "约定动工日期", "容积率", "编号", "WKT", "带号"},
			{1, "X-1", 0.30000000000000004, 44260, 44260, 0.1 + 0.2, 4302022021000123456, "SRID=4547;POLYGON Z ((416160.25 3065485.73 10,416258.89 3065485.05 10,416259.65 3065595.87 10,416160.25 3065485.73 10))", nil},
			{nil, nil, nil, nil, nil, nil, nil, nil, nil},
			{"序号", "宗地编号", "面积", "认定日期", "约定动工日期", "容积率", "编号", "WKT", "带号"},
			{2, "X-2", 12, "2021/3/5", nil, nil, "0012", "POLYGON((27.66 113.49,27.66 113.5,27.67 113.5,27.66 113.49))", nil},
			{3, "X-3", 1, nil, nil, nil, nil, "POINT(113.1 27.8)", nil},
			{4, "X-4", 1, nil, nil, nil, nil, "POLYGON((416160.25 3065485.73,416258.89 3065485.05,416259.65 3065595.87,416160.25 3065485.73))", "第39带"},
			{"小计", nil, 14.3},
			{"合  计", nil, 14.3},
			{"注：面积以勘测定界为准"},
			{"填表人：张三", nil, nil, nil, nil, nil, nil, nil, nil},
		}},
	}, func(f *excelize.File) {
		date := "yyyy\"年\"m\"月\"d\"日\""
		ds, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &date})
		iso, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		two, _ := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
		_ = f.SetCellStyle("闲置土地台账", "D4", "D4", ds)
		_ = f.SetCellStyle("闲置土地台账", "E4", "E4", iso)
		_ = f.SetCellStyle("闲置土地台账", "C4", "C4", two)
		_ = f.SetCellStyle("闲置土地台账", "F4", "F4", two)
	})
	s, err := ReadXLSX(data, Mapping{"编号": "supervision_no"}, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "闲置土地台账" || s.HeaderRow != 3 || s.Class != land.Idle || len(s.Rows) != 4 {
		t.Fatalf("sheet %q header %d class %q rows %d", s.Name, s.HeaderRow, s.Class, len(s.Rows))
	}
	r := s.Rows[0]
	for _, c := range []struct{ name, want string }{
		{"面积", "0.3"},            // stored 0.30000000000000004, shown 0.30: the value as General shows it
		{"认定日期", "2021-03-05"},   // yyyy"年"m"月"d"日"
		{"约定动工日期", "2021-03-05"}, // built-in format 14
		{"容积率", "0.3"},
		{"序号", "1"},
		{"编号", "4302022021000123456"}, // an integer stored with 19 digits keeps them
	} {
		if got := prop(t, r, c.name); got != c.want {
			t.Errorf("%s = %q, want %q", c.name, got, c.want)
		}
	}
	// SRID=4547 gives the zone of unprefixed eastings; Z is dropped.
	if r.Problem != "" || r.Zone != 38 || r.Geometry == nil {
		t.Errorf("row 1 geometry %v zone %d problem %q", r.Geometry, r.Zone, r.Problem)
	} else if p := r.Geometry.(orb.Polygon); !near(p[0][0], orb.Point{113.15, 27.7}, 1e-6) {
		t.Errorf("row 1 vertex %v", p[0][0])
	}
	if got := prop(t, s.Rows[1], "编号"); got != "0012" {
		t.Errorf("text digits %q", got)
	}
	if m := MapProperties(s.Rows[1].Properties, Mapping{"编号": "supervision_no"}); m.Fields.SupervisionNo != "0012" || m.Fields.IdentifiedOn.String() != "2021-03-05" {
		t.Errorf("row 2 mapped %+v", m.Fields)
	}
	if !strings.Contains(s.Rows[1].Problem, "纬度 经度") {
		t.Errorf("swapped lon/lat: %q", s.Rows[1].Problem)
	}
	if !strings.Contains(s.Rows[2].Problem, "需要面") {
		t.Errorf("point: %q", s.Rows[2].Problem)
	}
	// 带号 第39带 is used as given (the shape then lies in zone 39's plane).
	if s.Rows[3].Zone != 39 || s.Rows[3].Problem != "" {
		t.Errorf("row 4 zone %d problem %q", s.Rows[3].Zone, s.Rows[3].Problem)
	}
}

func TestReadXLSXBook(t *testing.T) {
	data := book(t, []bookSheet{
		{name: "批而未供", rows: [][]any{{"宗地编号", "项目名称"}}},
		{name: "闲置", rows: [][]any{{"宗地编号", "项目名称"}, {"I-1", "a"}}},
		{name: "低效", rows: [][]any{{"宗地编号", "项目名称"}, {"E-1", "b"}, {"E-2", "c"}}},
		{name: "盘活率", rows: [][]any{{"园区", "盘活率"}, {"醴陵经开区", 0.723}}},
	}, nil)
	s, err := ReadXLSX(data, nil, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "闲置" || len(s.Rows) != 1 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "「低效」") {
		t.Errorf("ReadXLSX: sheet %q rows %d warnings %q", s.Name, len(s.Rows), s.Warnings)
	}
	all, err := ReadXLSXBook(data, nil, geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Class != land.Idle || all[1].Class != land.Inefficient || len(all[1].Rows) != 2 {
		t.Errorf("ReadXLSXBook: %+v", all)
	}
	// The limit is over all sheets together.
	_, err = ReadXLSXBook(data, nil, geo.Limits{MaxFeatures: 2})
	var fe *geo.FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "超过 2 行") || fe.Where != "工作表「低效」第 3 行" {
		t.Errorf("limit: %v", err)
	}
}

func TestReadXLSXBadFiles(t *testing.T) {
	ole := []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
	xls := append(append([]byte{}, ole...), make([]byte, 1024)...)
	encrypted := append(append(append([]byte{}, ole...), make([]byte, 512)...), utf16le("EncryptedPackage")...)
	ledger := readFixture(t, "ledger_lonlat.xlsx")
	var zipOnly bytes.Buffer
	zipOnly.Write([]byte("PK\x05\x06" + strings.Repeat("\x00", 18))) // an empty zip archive
	for _, tc := range []struct {
		name   string
		data   []byte
		limits geo.Limits
		where  string
		reason []string
	}{
		{"csv", []byte("宗地编号,面积\nZD-1,3\n"), geo.Limits{}, "", []string{"不是 Excel 工作簿（.xlsx）", "CSV"}},
		{"binary", []byte{0, 1, 2, 3, 4, 5}, geo.Limits{}, "", []string{"不是 Excel 工作簿"}},
		{"empty file", nil, geo.Limits{}, "", []string{"不是 Excel 工作簿"}},
		{"xls", xls, geo.Limits{}, "", []string{"Excel 97-2003", ".xls", "另存为", ".xlsx"}},
		{"encrypted", encrypted, geo.Limits{}, "", []string{"已加密"}},
		{"empty zip", zipOnly.Bytes(), geo.Limits{}, "", []string{"不是有效的"}},
		{"empty workbook", book(t, []bookSheet{{name: "Sheet1"}}, nil), geo.Limits{}, "", []string{"没有找到表头", "工作簿是空的"}},
		{"no header", book(t, []bookSheet{{name: "数据", rows: [][]any{{"株洲市台账"}, {"甲", "乙", "丙"}, {1, 2, 3}}}}, nil), geo.Limits{}, "",
			[]string{"没有找到表头", "工作表「数据」第 1 行 「株洲市台账」", "第 2 行 「甲」「乙」「丙」"}},
		{"header below row 10", book(t, []bookSheet{{name: "S", rows: append(make([][]any, 10), []any{"宗地编号", "面积"}, []any{"a", 1})}}, nil),
			geo.Limits{}, "", []string{"没有找到表头"}},
		{"no rows", book(t, []bookSheet{{name: "台账", rows: [][]any{{"标题"}, {"宗地编号", "面积"}, {"合计", 0}}}}, nil), geo.Limits{},
			"工作表「台账」", []string{"没有数据行"}},
		{"too many rows", ledger, geo.Limits{MaxFeatures: 2}, "工作表「台账」第 4 行", []string{"超过 2 行"}},
	} {
		_, err := ReadXLSX(tc.data, nil, tc.limits)
		var fe *geo.FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want *geo.FileError", tc.name, err)
			continue
		}
		if fe.Format != "Excel" || fe.Where != tc.where {
			t.Errorf("%s: format %q where %q, want %q", tc.name, fe.Format, fe.Where, tc.where)
		}
		for _, r := range tc.reason {
			if !strings.Contains(fe.Reason, r) {
				t.Errorf("%s: reason %q lacks %q", tc.name, fe.Reason, r)
			}
		}
	}
}

func TestFlattenWKT(t *testing.T) {
	for in, want := range map[string]string{
		"POLYGON Z ((1 2 3,4 5 6,7 8 9,1 2 3))":    "POLYGON ((1 2,4 5,7 8,1 2))",
		"MULTIPOLYGON ZM (((1 2 3 4, 5 6 7 8)))":   "MULTIPOLYGON (((1 2,5 6)))",
		"POLYGON((1 2,3 4))":                       "POLYGON ((1 2,3 4))",
		"polygon m ((1 2 0, 3 4 0, 5 6 0, 1 2 0))": "polygon ((1 2,3 4,5 6,1 2))",
	} {
		if got := flattenWKT(in); got != want {
			t.Errorf("flattenWKT(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseZone(t *testing.T) {
	for in, want := range map[string]geo.Zone{"38": 38, "38带": 38, "第38带": 38, "38.0": 38, "114": 38, "114°": 38, "１１１": 37} {
		if z, ok := parseZone(in); !ok || z != want {
			t.Errorf("parseZone(%q) = %d, %v; want %d", in, z, ok, want)
		}
	}
	for _, in := range []string{"", "38.5", "98", "abc", "115"} {
		if z, ok := parseZone(in); ok {
			t.Errorf("parseZone(%q) = %d, want failure", in, z)
		}
	}
}

// BenchmarkWriteRead writes a ledger of 5000 parcels and reads it back.
func BenchmarkWriteRead(b *testing.B) {
	in := sampleInput()
	proto := in.Parcels
	in.Parcels = nil
	for i := range 5000 {
		p := proto[i%len(proto)]
		p.Code = "ZD-" + strconv.Itoa(i)
		in.Parcels = append(in.Parcels, p)
	}
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, in); err != nil {
			b.Fatal(err)
		}
		sheets, err := ReadXLSXBook(buf.Bytes(), nil, geo.Limits{})
		if err != nil || len(sheets) != 3 {
			b.Fatal(err)
		}
	}
}
