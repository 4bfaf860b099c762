package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"panhuo/internal/land"
)

// mimeXLSX is the media type of an Office Open XML workbook.
const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ratesSheet is the name of the ranking's worksheet.
const ratesSheet = "盘活率排名"

// GET /api/exports/rates.xlsx?asof=&from=&class= — the ranking the dashboard
// shows, as an Excel workbook for a meeting: one sheet 盘活率排名 with a
// title row (as-of date and basis), Chinese headers, a row per park in rank
// order, the total row, and the figures per class. Any user may export.
func (s *server) exportRates(c echo.Context) error {
	q := c.QueryParams()
	var d fieldDecoder
	rq := land.RatesQuery{AsOf: queryDate(q, "asof", &d), From: queryDate(q, "from", &d), Class: queryClass(q, &d)}
	if err := d.err("查询参数有误"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	rep, err := s.svc.Rates(ctx, rq)
	if err != nil {
		return err
	}
	parks, err := s.store.ListParkFigures(ctx)
	if err != nil {
		return fmt.Errorf("list parks: %w", err)
	}
	demo := false
	for _, p := range parks {
		demo = demo || p.Demo
	}
	b, err := ratesWorkbook(rep, demo)
	if err != nil {
		return fmt.Errorf("rates workbook: %w", err)
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", attachment(ratesFilename(rep), "panhuo-rates-"+rep.AsOf.String()+".xlsx"))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, mimeXLSX, b)
}

// ratesFilename is the Chinese file name of an export:
// 盘活率排名[_类别]_[FROM至]ASOF.xlsx.
func ratesFilename(rep land.RatesReport) string {
	var b strings.Builder
	b.WriteString("盘活率排名_")
	if rep.Class != "" {
		b.WriteString(rep.Class.Name() + "_")
	}
	if !rep.From.IsZero() {
		b.WriteString(rep.From.String() + "至")
	}
	b.WriteString(rep.AsOf.String() + ".xlsx")
	return b.String()
}

// attachment is a Content-Disposition header value for a download: an ASCII
// fallback name and the UTF-8 name per RFC 6266 and RFC 5987.
func attachment(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value: every byte but the
// attr-chars.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9',
			strings.IndexByte("!#$&+-.^_`|~", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// ratesBasis says in Chinese what the figures of a report mean.
func ratesBasis(rep land.RatesReport) string {
	scope := "三类合计"
	if rep.Class != "" {
		scope = rep.Class.Name()
	}
	if rep.From.IsZero() {
		return fmt.Sprintf("口径：截至 %s 累计（%s）；盘活率 = 已处置面积 ÷ 认定面积（按计算面积，亩）；目标进度 = 目标年度内已处置面积 ÷ 年度目标；占建成区比例 = 认定面积 ÷ 建成区面积。",
			rep.AsOf, scope)
	}
	return fmt.Sprintf("口径：统计区间 %s 至 %s（%s）；盘活率 = 区间内处置面积 ÷（期初未处置面积 + 区间内新认定面积）；目标进度 = 目标年度内已处置面积 ÷ 年度目标；占建成区比例 = 认定面积 ÷ 建成区面积。",
		rep.From, rep.AsOf, scope)
}

// Kinds of cells in the ranking sheet, each with its number format.
type xlKind int

const (
	xlText  xlKind = iota
	xlInt          // 宗, rank, year
	xlMu           // 亩: 0.00
	xlShare        // a fraction shown as a percentage: 0.0%
)

// xlColumn is one column of the ranking sheet: its header, width, kind and
// the value of a row (nil leaves the cell empty).
type xlColumn struct {
	header string
	width  float64
	kind   xlKind
	value  func(r land.RateRow) any
}

// optRate is a rate for a cell: nil (empty) when unknown.
func optRate(r *float64) any {
	if r == nil {
		return nil
	}
	return *r
}

// roundMu rounds an area to 0.01 亩, what the sheet shows, so that sums in
// Excel agree with the cells.
func roundMu(v float64) float64 { return math.Round(v*100) / 100 }

// rateColumns are the columns of the ranking sheet for a report: the fixed
// ones, then the figures of each class it holds.
func rateColumns(rep land.RatesReport) []xlColumn {
	cols := []xlColumn{
		{"排名", 6, xlInt, func(r land.RateRow) any {
			if r.Rank == 0 {
				return nil
			}
			return r.Rank
		}},
		{"园区", 22, xlText, func(r land.RateRow) any { return r.ParkName }},
		{"级别", 8, xlText, func(r land.RateRow) any { return r.Level }},
		{"三类用地面积(亩)", 14, xlMu, func(r land.RateRow) any { return roundMu(r.IdentifiedMu) }},
		{"宗数", 7, xlInt, func(r land.RateRow) any { return r.IdentifiedCount }},
		{"已处置面积(亩)", 14, xlMu, func(r land.RateRow) any { return roundMu(r.DisposedMu) }},
		{"已处置宗数", 10, xlInt, func(r land.RateRow) any { return r.DisposedCount }},
		{"盘活率", 9, xlShare, func(r land.RateRow) any { return optRate(r.Rate) }},
		{"年度目标(亩)", 12, xlMu, func(r land.RateRow) any {
			if r.TargetMu <= 0 {
				return nil
			}
			return roundMu(r.TargetMu)
		}},
		{"目标进度", 9, xlShare, func(r land.RateRow) any { return optRate(r.TargetProgress) }},
		{"占建成区比例", 12, xlShare, func(r land.RateRow) any { return optRate(r.BuiltupShare) }},
		{"园区代码", 10, xlText, func(r land.RateRow) any {
			if r.ParkCode == "total" {
				return nil
			}
			return r.ParkCode
		}},
		{"建成区面积(亩)", 14, xlMu, func(r land.RateRow) any { return roundMu(r.BuiltupMu) }},
		{"目标年份", 9, xlInt, func(r land.RateRow) any {
			if r.TargetYear == 0 {
				return nil
			}
			return r.TargetYear
		}},
		{"目标年度已处置(亩)", 16, xlMu, func(r land.RateRow) any { return roundMu(r.TargetDisposedMu) }},
		{"盘活率(按宗数)", 13, xlShare, func(r land.RateRow) any { return optRate(r.RateCount) }},
	}
	for _, cl := range land.Classes {
		if rep.Class != "" && rep.Class != cl {
			continue
		}
		name := cl.Name()
		fig := func(r land.RateRow) land.RateFigures { return r.ByClass[cl] }
		cols = append(cols,
			xlColumn{name + "面积(亩)", 14, xlMu, func(r land.RateRow) any { return roundMu(fig(r).IdentifiedMu) }},
			xlColumn{name + "宗数", 10, xlInt, func(r land.RateRow) any { return fig(r).IdentifiedCount }},
			xlColumn{name + "已处置(亩)", 14, xlMu, func(r land.RateRow) any { return roundMu(fig(r).DisposedMu) }},
			xlColumn{name + "已处置宗数", 12, xlInt, func(r land.RateRow) any { return fig(r).DisposedCount }},
			xlColumn{name + "盘活率", 12, xlShare, func(r land.RateRow) any { return optRate(fig(r).Rate) }},
		)
	}
	return cols
}

// Rows of the ranking sheet.
const (
	xlTitleRow  = 1
	xlBasisRow  = 2
	xlHeaderRow = 3
	xlFirstRow  = 4 // the first park
)

// ratesWorkbook writes a report as an .xlsx workbook.
func ratesWorkbook(rep land.RatesReport, demo bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ratesSheet); err != nil {
		return nil, err
	}
	cols := rateColumns(rep)
	last, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return nil, err
	}
	st, err := newXLStyles(f)
	if err != nil {
		return nil, err
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	sh := ratesSheet

	// Title and basis, across the table.
	title := "园区“三类”用地处置盘活率排名（截至 " + rep.AsOf.String() + "）"
	basis := ratesBasis(rep)
	if demo {
		basis += "示例数据：园区边界与地块为演示用途生成，不是官方统计。"
	}
	for _, t := range []struct {
		row    int
		text   string
		style  int
		height float64
	}{{xlTitleRow, title, st.title, 28}, {xlBasisRow, basis, st.basis, 36}} {
		if err := f.SetCellValue(sh, cell(1, t.row), t.text); err != nil {
			return nil, err
		}
		if err := f.MergeCell(sh, cell(1, t.row), last+fmt.Sprint(t.row)); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(sh, cell(1, t.row), last+fmt.Sprint(t.row), t.style); err != nil {
			return nil, err
		}
		if err := f.SetRowHeight(sh, t.row, t.height); err != nil {
			return nil, err
		}
	}

	// Headers.
	for i, c := range cols {
		if err := f.SetCellValue(sh, cell(i+1, xlHeaderRow), c.header); err != nil {
			return nil, err
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, c.width); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sh, cell(1, xlHeaderRow), cell(len(cols), xlHeaderRow), st.header); err != nil {
		return nil, err
	}
	if err := f.SetRowHeight(sh, xlHeaderRow, 32); err != nil {
		return nil, err
	}

	// One row per park in rank order; the total row last.
	for n, r := range rep.Rows {
		row := xlFirstRow + n
		total := r.ParkCode == "total"
		for i, c := range cols {
			v := c.value(r)
			if err := f.SetCellValue(sh, cell(i+1, row), v); err != nil {
				return nil, err
			}
			if err := f.SetCellStyle(sh, cell(i+1, row), cell(i+1, row), st.of(c.kind, total)); err != nil {
				return nil, err
			}
		}
	}

	// The header stays in view; so do rank and park.
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: xlHeaderRow,
		TopLeftCell: cell(3, xlFirstRow), ActivePane: "bottomRight"}); err != nil {
		return nil, err
	}
	landscape, one, zero := "landscape", 1, 0
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return nil, err
	}
	fit := true
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Subject: "园区三类用地处置盘活率", Creator: "panhuo", Language: "zh-CN"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// xlStyles are the style ids of the ranking sheet.
type xlStyles struct {
	title, basis, header int
	body, total          [4]int // by xlKind
}

func (s xlStyles) of(k xlKind, total bool) int {
	if total {
		return s.total[k]
	}
	return s.body[k]
}

func newXLStyles(f *excelize.File) (xlStyles, error) {
	var s xlStyles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	const font = "微软雅黑"
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Family: font},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}); err != nil {
		return s, err
	}
	if s.basis, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 10, Color: "595959", Family: font},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}); err != nil {
		return s, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 11, Family: font}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return s, err
	}
	pct := "0.0%"
	for k := xlText; k <= xlShare; k++ {
		for _, total := range []bool{false, true} {
			st := &excelize.Style{Font: &excelize.Font{Size: 11, Bold: total, Family: font}, Border: border,
				Alignment: &excelize.Alignment{Vertical: "center"}}
			if total {
				st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
			}
			switch k {
			case xlText:
				st.Alignment.Horizontal = "left"
			case xlInt:
				st.NumFmt = 1 // 0
				st.Alignment.Horizontal = "right"
			case xlMu:
				st.NumFmt = 2 // 0.00
				st.Alignment.Horizontal = "right"
			case xlShare:
				st.CustomNumFmt = &pct
				st.Alignment.Horizontal = "right"
			}
			id, err := f.NewStyle(st)
			if err != nil {
				return s, err
			}
			if total {
				s.total[k] = id
			} else {
				s.body[k] = id
			}
		}
	}
	return s, nil
}
