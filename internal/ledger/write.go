package ledger

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"panhuo/internal/land"
)

// WriteInput is what the ledger workbook shows.
type WriteInput struct {
	Title   string           // e.g. "株洲市园区三类用地台账"; "园区三类用地台账" when empty
	AsOf    land.Date        // the 截至 date of the titles
	Parks   []land.Park      // for park names and the order of parcels
	Parcels []land.Parcel    // any classes (others than the three are left out), any order; removed ones are shown, marked in 标记
	Rates   land.RatesReport // the 盘活率 rows per park, ranked, with the "total" row
	Demo    bool             // mark the workbook as demo data (示例数据) in the titles
}

// RatesSheet is the name of the ledger workbook's sheet of rates.
const RatesSheet = "盘活率"

// SheetName is the name of a class's sheet in the ledger workbook: the
// class's Chinese name (批而未供, 闲置, 低效).
func SheetName(c land.Class) string { return c.Name() }

// Rows of every sheet the ledger workbook has.
const (
	titleRow  = 1
	headerRow = 2
	firstRow  = 3
)

// cellKind is how a column's cells are written and shown.
type cellKind int

const (
	kindText  cellKind = iota
	kindID             // text that looks like a number (宗地编号, 电子监管号): number format "@"
	kindInt            // 0
	kindMu             // 亩 rounded to 0.01: 0.00
	kindRatio          // 容积率, 亩均税收: 0.00
	kindDate           // a real date: yyyy-mm-dd
	kindPct            // a fraction shown as a percentage: 0.0%
	kindCount          // a count of parcels: 0"宗"
	numKinds           // the number of kinds; keep last
)

// ledgerColumn is one column of a class sheet.
type ledgerColumn struct {
	header string
	kind   cellKind
	sum    bool // summed in the 合计 row
	value  func(p *land.Parcel) any
}

// Write writes the ledger workbook: one sheet per class (批而未供, 闲置, 低效;
// each present even when empty) and one sheet 盘活率. Each sheet has a title
// row (title, class, 截至 date), bold Chinese headers in row 2 with the header
// frozen and an autofilter, and column widths that fit Chinese text. A class
// sheet lists its parcels ordered by park (as in Parks), 认定日期 and 宗地编号,
// with a 合计 row of the count and the area sums; areas are numbers rounded to
// 0.01 亩, dates real Excel dates. Its headers map back through FieldFor, so
// the workbook imports again (面积(亩), the computed area, counts as a
// declared area only where 台账面积(亩) is absent).
func Write(w io.Writer, in WriteInput) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("ledger styles: %w", err)
	}
	title := in.Title
	if title == "" {
		title = "园区三类用地台账"
	}
	suffix := "（截至 " + in.AsOf.String() + "）"
	if in.AsOf.IsZero() {
		suffix = ""
	}
	if in.Demo {
		suffix += "（示例数据）"
	}
	parkName := map[string]string{}
	parkOrder := map[string]int{}
	for i, p := range in.Parks {
		parkName[p.Code] = p.Name
		parkOrder[p.Code] = i
	}
	byClass := map[land.Class][]*land.Parcel{}
	for i := range in.Parcels {
		p := &in.Parcels[i]
		byClass[p.Class] = append(byClass[p.Class], p)
	}
	for i, c := range land.Classes {
		name := SheetName(c)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("ledger sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("ledger sheet %s: %w", name, err)
		}
		ps := byClass[c]
		sort.SliceStable(ps, func(i, j int) bool {
			a, b := ps[i], ps[j]
			oa, okA := parkOrder[a.ParkCode]
			ob, okB := parkOrder[b.ParkCode]
			if okA != okB {
				return okA
			}
			if oa != ob {
				return oa < ob
			}
			if a.ParkCode != b.ParkCode {
				return a.ParkCode < b.ParkCode
			}
			if !a.IdentifiedOn.Time().Equal(b.IdentifiedOn.Time()) {
				return a.IdentifiedOn.Before(b.IdentifiedOn)
			}
			if a.Code != b.Code {
				return a.Code < b.Code
			}
			return a.ID < b.ID
		})
		if err := writeClassSheet(f, st, name, title+" — "+c.Name()+suffix, classColumns(c, parkName), ps); err != nil {
			return fmt.Errorf("ledger sheet %s: %w", name, err)
		}
	}
	if _, err := f.NewSheet(RatesSheet); err != nil {
		return fmt.Errorf("ledger sheet %s: %w", RatesSheet, err)
	}
	if err := writeRatesSheet(f, st, title+" — 盘活率"+suffix, in.Rates, in.Demo); err != nil {
		return fmt.Errorf("ledger sheet %s: %w", RatesSheet, err)
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title + suffix, Subject: "园区三类用地台账",
		Creator: "panhuo", Language: "zh-CN"}); err != nil {
		return fmt.Errorf("ledger properties: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write ledger workbook: %w", err)
	}
	return nil
}

// roundMu rounds an area to 0.01 亩, what the sheet shows, so that sums in
// Excel agree with the cells.
func roundMu(v float64) float64 { return math.Round(v*100) / 100 }

func optFloat(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func optDate(d land.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// flagNames writes a parcel's flags (and removal) in Chinese.
func flagNames(p *land.Parcel) string {
	var out []string
	for _, fl := range p.Flags {
		switch fl {
		case land.FlagStraddlesBoundary:
			out = append(out, "跨园区边界")
		case land.FlagDemo:
			out = append(out, "示例数据")
		default:
			out = append(out, fl)
		}
	}
	if p.Removed() {
		s := "已删除（" + p.RemovedOn.String()
		if p.RemovedReason != "" {
			s += "：" + p.RemovedReason
		}
		out = append(out, s+"）")
	}
	return strings.Join(out, "、")
}

// classColumns are the columns of a class sheet.
func classColumns(c land.Class, parkName map[string]string) []ledgerColumn {
	cols := []ledgerColumn{
		{header: "序号", kind: kindInt}, // filled by the writer
		{header: "园区", kind: kindText, value: func(p *land.Parcel) any {
			if n := parkName[p.ParkCode]; n != "" {
				return n
			}
			return optText(p.ParkCode)
		}},
		{header: "宗地编号", kind: kindID, value: func(p *land.Parcel) any { return optText(p.Code) }},
		{header: "电子监管号", kind: kindID, value: func(p *land.Parcel) any { return optText(p.SupervisionNo) }},
		{header: "项目名称", kind: kindText, value: func(p *land.Parcel) any { return optText(p.ProjectName) }},
		{header: "用地单位", kind: kindText, value: func(p *land.Parcel) any { return optText(p.LandUser) }},
		{header: "坐落", kind: kindText, value: func(p *land.Parcel) any { return optText(p.Location) }},
		{header: "用途", kind: kindText, value: func(p *land.Parcel) any { return optText(p.LandUse) }},
		{header: "面积(亩)", kind: kindMu, sum: true, value: func(p *land.Parcel) any { return roundMu(p.AreaMu) }},
		{header: "台账面积(亩)", kind: kindMu, sum: true, value: func(p *land.Parcel) any {
			if p.DeclaredAreaMu == nil {
				return nil
			}
			return roundMu(*p.DeclaredAreaMu)
		}},
		{header: "已处置面积(亩)", kind: kindMu, sum: true, value: func(p *land.Parcel) any { return roundMu(p.Disposed) }},
		{header: "剩余面积(亩)", kind: kindMu, sum: true, value: func(p *land.Parcel) any {
			if p.RemainingMu() == 0 {
				return 0.0
			}
			return math.Max(0, roundMu(roundMu(p.AreaMu)-roundMu(p.Disposed)))
		}},
		{header: "状态", kind: kindText, value: func(p *land.Parcel) any { return optText(p.Status.Name()) }},
		{header: "认定日期", kind: kindDate, value: func(p *land.Parcel) any { return optDate(p.IdentifiedOn) }},
	}
	switch c {
	case land.Unsupplied:
		cols = append(cols,
			ledgerColumn{header: "批次名称", kind: kindText, value: func(p *land.Parcel) any { return optText(p.BatchName) }},
			ledgerColumn{header: "批准文号", kind: kindText, value: func(p *land.Parcel) any { return optText(p.ApprovalNo) }},
			ledgerColumn{header: "批准日期", kind: kindDate, value: func(p *land.Parcel) any { return optDate(p.ApprovedOn) }},
		)
	case land.Idle:
		cols = append(cols,
			ledgerColumn{header: "出让合同号", kind: kindID, value: func(p *land.Parcel) any { return optText(p.ContractNo) }},
			ledgerColumn{header: "约定动工日期", kind: kindDate, value: func(p *land.Parcel) any { return optDate(p.AgreedStartOn) }},
			ledgerColumn{header: "约定竣工日期", kind: kindDate, value: func(p *land.Parcel) any { return optDate(p.AgreedCompletionOn) }},
			ledgerColumn{header: "闲置原因", kind: kindText, value: func(p *land.Parcel) any { return optText(IdleCauseName(p.IdleCause)) }},
		)
	case land.Inefficient:
		cols = append(cols,
			ledgerColumn{header: "认定原因", kind: kindText, value: func(p *land.Parcel) any { return optText(p.IdentifiedReason) }},
			ledgerColumn{header: "容积率", kind: kindRatio, value: func(p *land.Parcel) any { return optFloat(p.PlotRatio) }},
			ledgerColumn{header: "亩均税收(万元)", kind: kindRatio, value: func(p *land.Parcel) any { return optFloat(p.TaxPerMu) }},
		)
	}
	return append(cols,
		ledgerColumn{header: "带号", kind: kindInt, value: func(p *land.Parcel) any {
			if p.GKZone == 0 {
				return nil
			}
			return int(p.GKZone)
		}},
		ledgerColumn{header: "标记", kind: kindText, value: func(p *land.Parcel) any { return optText(flagNames(p)) }},
		ledgerColumn{header: "备注", kind: kindText, value: func(p *land.Parcel) any { return optText(p.Note) }},
	)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// sheetWriter writes cells of one sheet and tracks column widths.
type sheetWriter struct {
	f      *excelize.File
	st     styles
	sheet  string
	widths []float64
}

func (w *sheetWriter) set(col, row int, v any, kind cellKind, total bool) error {
	cell := cellName(col, row)
	if v != nil {
		if err := w.f.SetCellValue(w.sheet, cell, v); err != nil {
			return err
		}
		w.fit(col, displayText(v, kind))
	}
	return w.f.SetCellStyle(w.sheet, cell, cell, w.st.of(kind, total))
}

// fit widens column col to show s.
func (w *sheetWriter) fit(col int, s string) {
	for len(w.widths) < col {
		w.widths = append(w.widths, 0)
	}
	if d := textWidth(s) + 2; d > w.widths[col-1] {
		w.widths[col-1] = d
	}
}

// applyWidths sets the widths, between 6 and 50 characters.
func (w *sheetWriter) applyWidths() error {
	for i, wd := range w.widths {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := w.f.SetColWidth(w.sheet, name, name, math.Min(50, math.Max(6, wd))); err != nil {
			return err
		}
	}
	return nil
}

// title writes the title row across ncols columns.
func (w *sheetWriter) title(text string, ncols int) error {
	if err := w.f.SetCellValue(w.sheet, cellName(1, titleRow), text); err != nil {
		return err
	}
	last := cellName(max(ncols, 1), titleRow)
	if ncols > 1 {
		if err := w.f.MergeCell(w.sheet, cellName(1, titleRow), last); err != nil {
			return err
		}
	}
	if err := w.f.SetCellStyle(w.sheet, cellName(1, titleRow), last, w.st.title); err != nil {
		return err
	}
	return w.f.SetRowHeight(w.sheet, titleRow, 30)
}

// headers writes the header row, bold, frozen and with an autofilter over
// the rows up to lastRow.
func (w *sheetWriter) headers(names []string, lastRow, frozenCols int) error {
	for i, h := range names {
		if err := w.f.SetCellValue(w.sheet, cellName(i+1, headerRow), h); err != nil {
			return err
		}
		w.fit(i+1, h)
	}
	if err := w.f.SetCellStyle(w.sheet, cellName(1, headerRow), cellName(len(names), headerRow), w.st.header); err != nil {
		return err
	}
	if err := w.f.SetRowHeight(w.sheet, headerRow, 24); err != nil {
		return err
	}
	if err := w.f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, XSplit: frozenCols, YSplit: headerRow,
		TopLeftCell: cellName(frozenCols+1, firstRow), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	return w.f.AutoFilter(w.sheet, cellName(1, headerRow)+":"+cellName(len(names), max(lastRow, headerRow)), nil)
}

// page sets landscape printing fitted to the width.
func (w *sheetWriter) page() error {
	landscape, one, zero := "landscape", 1, 0
	if err := w.f.SetPageLayout(w.sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	fit := true
	return w.f.SetSheetProps(w.sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

func writeClassSheet(f *excelize.File, st styles, sheet, title string, cols []ledgerColumn, ps []*land.Parcel) error {
	w := &sheetWriter{f: f, st: st, sheet: sheet}
	if err := w.title(title, len(cols)); err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.header
	}
	lastData := firstRow + len(ps) - 1
	if err := w.headers(names, lastData, 3); err != nil {
		return err
	}
	sums := make([]float64, len(cols))
	for n, p := range ps {
		row := firstRow + n
		for i, c := range cols {
			var v any
			if i == 0 {
				v = n + 1
			} else {
				v = c.value(p)
			}
			if x, ok := v.(float64); ok && c.sum {
				sums[i] += x
			}
			if err := w.set(i+1, row, v, c.kind, false); err != nil {
				return err
			}
		}
	}
	// The 合计 row: the count in 园区, the area sums.
	total := firstRow + len(ps)
	for i, c := range cols {
		var v any
		kind := c.kind
		switch {
		case i == 0:
			v, kind = "合计", kindText
		case i == 1:
			v, kind = len(ps), kindCount
		case c.sum:
			v = roundMu(sums[i])
		}
		if err := w.set(i+1, total, v, kind, true); err != nil {
			return err
		}
	}
	if err := w.applyWidths(); err != nil {
		return err
	}
	return w.page()
}

// rateColumn is one column of the 盘活率 sheet.
type rateColumn struct {
	header string
	kind   cellKind
	value  func(r land.RateRow) any
}

func optRate(r *float64) any {
	if r == nil {
		return nil
	}
	return *r
}

func rateColumns(rep land.RatesReport) []rateColumn {
	cols := []rateColumn{
		{"排名", kindInt, func(r land.RateRow) any {
			if r.Rank == 0 {
				return nil
			}
			return r.Rank
		}},
		{"园区", kindText, func(r land.RateRow) any {
			if r.ParkCode == "total" && r.ParkName == "" {
				return "合计"
			}
			return r.ParkName
		}},
		{"级别", kindText, func(r land.RateRow) any { return optText(r.Level) }},
		{"三类用地面积(亩)", kindMu, func(r land.RateRow) any { return roundMu(r.IdentifiedMu) }},
		{"宗数", kindInt, func(r land.RateRow) any { return r.IdentifiedCount }},
		{"已处置面积(亩)", kindMu, func(r land.RateRow) any { return roundMu(r.DisposedMu) }},
		{"已处置宗数", kindInt, func(r land.RateRow) any { return r.DisposedCount }},
		{"盘活率", kindPct, func(r land.RateRow) any { return optRate(r.Rate) }},
		{"盘活率(按宗数)", kindPct, func(r land.RateRow) any { return optRate(r.RateCount) }},
		{"年度目标(亩)", kindMu, func(r land.RateRow) any {
			if r.TargetMu <= 0 {
				return nil
			}
			return roundMu(r.TargetMu)
		}},
		{"目标进度", kindPct, func(r land.RateRow) any { return optRate(r.TargetProgress) }},
		{"建成区面积(亩)", kindMu, func(r land.RateRow) any {
			if r.BuiltupMu <= 0 {
				return nil
			}
			return roundMu(r.BuiltupMu)
		}},
		{"占建成区比例", kindPct, func(r land.RateRow) any { return optRate(r.BuiltupShare) }},
	}
	for _, cl := range land.Classes {
		if rep.Class != "" && rep.Class != cl {
			continue
		}
		name := cl.Name()
		fig := func(r land.RateRow) land.RateFigures { return r.ByClass[cl] }
		cols = append(cols,
			rateColumn{name + "面积(亩)", kindMu, func(r land.RateRow) any { return roundMu(fig(r).IdentifiedMu) }},
			rateColumn{name + "宗数", kindInt, func(r land.RateRow) any { return fig(r).IdentifiedCount }},
			rateColumn{name + "已处置(亩)", kindMu, func(r land.RateRow) any { return roundMu(fig(r).DisposedMu) }},
			rateColumn{name + "盘活率", kindPct, func(r land.RateRow) any { return optRate(fig(r).Rate) }},
		)
	}
	return cols
}

func writeRatesSheet(f *excelize.File, st styles, title string, rep land.RatesReport, demo bool) error {
	w := &sheetWriter{f: f, st: st, sheet: RatesSheet}
	cols := rateColumns(rep)
	if err := w.title(title, len(cols)); err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.header
	}
	// The autofilter covers the parks, not the total row.
	parks := 0
	for _, r := range rep.Rows {
		if r.ParkCode != "total" {
			parks++
		}
	}
	if err := w.headers(names, firstRow+parks-1, 2); err != nil {
		return err
	}
	row := firstRow
	for _, total := range []bool{false, true} {
		for _, r := range rep.Rows {
			if (r.ParkCode == "total") != total {
				continue
			}
			for i, c := range cols {
				if err := w.set(i+1, row, c.value(r), c.kind, total); err != nil {
					return err
				}
			}
			row++
		}
	}
	basis := "口径：盘活率 = 已处置面积 ÷ 认定面积（按计算面积，亩）；盘活率(按宗数) = 已处置宗数 ÷ 认定宗数；目标进度 = 目标年度内已处置面积 ÷ 年度目标；占建成区比例 = 认定面积 ÷ 建成区面积。"
	if rep.From.IsZero() {
		basis = "统计截至 " + rep.AsOf.String() + "，累计。" + basis
	} else {
		basis = "统计区间 " + rep.From.String() + " 至 " + rep.AsOf.String() + "。" + basis
	}
	if demo {
		basis += "示例数据：园区边界与地块为演示用途生成，不是官方统计。"
	}
	note := cellName(1, row+1)
	if err := f.SetCellValue(RatesSheet, note, basis); err != nil {
		return err
	}
	if err := f.SetCellStyle(RatesSheet, note, note, st.note); err != nil {
		return err
	}
	if err := w.applyWidths(); err != nil {
		return err
	}
	return w.page()
}

// displayText is how a value shows in its cell, to size the column.
func displayText(v any, kind cellKind) string {
	switch kind {
	case kindDate:
		return "2006-01-02"
	case kindMu, kindRatio:
		if x, ok := v.(float64); ok {
			return fmt.Sprintf("%.2f", x)
		}
	case kindPct:
		if x, ok := v.(float64); ok {
			return fmt.Sprintf("%.1f%%", x*100)
		}
	case kindCount:
		return fmt.Sprint(v) + "宗"
	}
	return fmt.Sprint(v)
}

// textWidth is the width of s in Excel's character units: CJK and other
// wide characters count two.
func textWidth(s string) float64 {
	w := 0.0
	for _, line := range strings.Split(s, "\n") {
		lw := 0.0
		for _, r := range line {
			switch {
			case r >= 0x1100 && (unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x30ff || r >= 0xff00 && r <= 0xffef):
				lw += 2
			case r < utf8.RuneSelf:
				lw++
			default:
				lw += 1.5
			}
		}
		w = math.Max(w, lw)
	}
	return w * 1.1
}

// styles are the style ids of the ledger workbook.
type styles struct {
	title, header, note int
	body, total         [numKinds]int
}

func (s styles) of(k cellKind, total bool) int {
	if total {
		return s.total[k]
	}
	return s.body[k]
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
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
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 11, Family: font}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return s, err
	}
	if s.note, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 10, Color: "595959", Family: font},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}); err != nil {
		return s, err
	}
	date, pct, count := "yyyy-mm-dd", "0.0%", `0"宗"`
	for k := kindText; k < numKinds; k++ {
		for _, total := range []bool{false, true} {
			st := &excelize.Style{Font: &excelize.Font{Size: 11, Bold: total, Family: font}, Border: border,
				Alignment: &excelize.Alignment{Vertical: "center"}}
			if total {
				st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
			}
			switch k {
			case kindText:
				st.Alignment.Horizontal = "left"
			case kindID:
				st.NumFmt = 49 // @
				st.Alignment.Horizontal = "left"
			case kindInt:
				st.NumFmt = 1 // 0
				st.Alignment.Horizontal = "right"
			case kindMu, kindRatio:
				st.NumFmt = 2 // 0.00
				st.Alignment.Horizontal = "right"
			case kindDate:
				st.CustomNumFmt = &date
				st.Alignment.Horizontal = "center"
			case kindPct:
				st.CustomNumFmt = &pct
				st.Alignment.Horizontal = "right"
			case kindCount:
				st.CustomNumFmt = &count
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
