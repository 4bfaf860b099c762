package ledger

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

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
	if err := save(f, w, title+suffix, "园区三类用地台账"); err != nil {
		return fmt.Errorf("ledger workbook: %w", err)
	}
	return nil
}

func optDate(d land.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
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

func writeClassSheet(f *excelize.File, st styles, sheet, title string, cols []ledgerColumn, ps []*land.Parcel) error {
	w := &sheetWriter{f: f, st: st, sheet: sheet}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.header
	}
	if err := w.head(title, names, firstRow+len(ps)-1, 3); err != nil {
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
	if err := w.fitWidths(); err != nil {
		return err
	}
	return w.page()
}

// head writes the title row and the header row of a sheet of the ledger
// workbook, freezes the header and frozenCols columns, and puts an
// autofilter on the rows up to lastRow.
func (w *sheetWriter) head(title string, names []string, lastRow, frozenCols int) error {
	if err := w.banner(titleRow, title, len(names), w.st.title, 30); err != nil {
		return err
	}
	if err := w.headers(headerRow, names, 24); err != nil {
		return err
	}
	if err := w.freeze(headerRow, frozenCols); err != nil {
		return err
	}
	return w.autoFilter(headerRow, len(names), lastRow)
}

// writeRatesSheet writes the 盘活率 sheet: a row per park in rank order, the
// total row, and a note on the basis of the figures.
func writeRatesSheet(f *excelize.File, st styles, title string, rep land.RatesReport, demo bool) error {
	w := &sheetWriter{f: f, st: st, sheet: RatesSheet}
	cols := ledgerRateColumns(rep)
	// The autofilter covers the parks, not the total row.
	parks := 0
	for _, r := range rep.Rows {
		if r.ParkCode != "total" {
			parks++
		}
	}
	if err := w.head(title, rateHeaders(cols), firstRow+parks-1, 2); err != nil {
		return err
	}
	row, err := w.rateRows(cols, rep.Rows, firstRow)
	if err != nil {
		return err
	}
	basis := "口径：盘活率 = 已处置面积 ÷ 认定面积（按计算面积，亩）；盘活率(按宗数) = 已处置宗数 ÷ 认定宗数；目标进度 = 目标年度内已处置面积 ÷ 年度目标；占建成区比例 = 认定面积 ÷ 建成区面积。"
	if rep.From.IsZero() {
		basis = "统计截至 " + rep.AsOf.String() + "，累计。" + basis
	} else {
		basis = "统计区间 " + rep.From.String() + " 至 " + rep.AsOf.String() + "。" + basis
	}
	if demo {
		basis += demoNote
	}
	// The note spills over the columns to its right: it does not widen A.
	note := cellName(1, row+1)
	if err := f.SetCellValue(RatesSheet, note, basis); err != nil {
		return err
	}
	if err := f.SetCellStyle(RatesSheet, note, note, st.note); err != nil {
		return err
	}
	if err := w.fitWidths(); err != nil {
		return err
	}
	return w.page()
}
