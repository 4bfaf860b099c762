package ledger

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"panhuo/internal/land"
)

// RatesInput is what the rates workbook shows.
type RatesInput struct {
	Rates land.RatesReport // the ranking: rows per park in rank order and the "total" row
	Demo  bool             // the figures are demo data (示例数据): the basis says so
}

// RankingSheet is the name of the rates workbook's only sheet.
const RankingSheet = "盘活率排名"

// Rows of the rates workbook's sheet.
const (
	rankingTitleRow  = 1
	rankingBasisRow  = 2
	rankingHeaderRow = 3
	rankingFirstRow  = 4 // the first park
)

// WriteRates writes the rates workbook, the ranking the dashboard shows for a
// meeting: one sheet 盘活率排名 with a title row (the as-of date), a row saying
// the basis of the figures, Chinese headers, a row per park in rank order, the
// total row, and the figures per class of the report. Figures are numbers
// (亩 as 0.00, counts as 0, rates as 0.0%), names text even where Excel would
// take them for a formula; the header and the rank and park columns stay in
// view.
func WriteRates(w io.Writer, in RatesInput) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", RankingSheet); err != nil {
		return fmt.Errorf("rates sheet: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("rates styles: %w", err)
	}
	rep := in.Rates
	title := "园区“三类”用地处置盘活率排名（截至 " + rep.AsOf.String() + "）"
	basis := ratesBasis(rep)
	if in.Demo {
		basis += demoNote
	}
	if err := writeRankingSheet(&sheetWriter{f: f, st: st, sheet: RankingSheet}, title, basis, rep); err != nil {
		return fmt.Errorf("rates sheet %s: %w", RankingSheet, err)
	}
	if err := save(f, w, title, "园区三类用地处置盘活率"); err != nil {
		return fmt.Errorf("rates workbook: %w", err)
	}
	return nil
}

func writeRankingSheet(w *sheetWriter, title, basis string, rep land.RatesReport) error {
	cols := rankingColumns(rep)
	if err := w.banner(rankingTitleRow, title, len(cols), w.st.title, 28); err != nil {
		return err
	}
	if err := w.banner(rankingBasisRow, basis, len(cols), w.st.basis, 36); err != nil {
		return err
	}
	if err := w.headers(rankingHeaderRow, rateHeaders(cols), 32); err != nil {
		return err
	}
	if _, err := w.rateRows(cols, rep.Rows, rankingFirstRow); err != nil {
		return err
	}
	if err := w.freeze(rankingHeaderRow, 2); err != nil {
		return err
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.width
	}
	if err := w.setWidths(widths); err != nil {
		return err
	}
	return w.page()
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

// rateColumn is one column of a sheet of rates: the ranking sheet of the
// rates workbook or the 盘活率 sheet of the ledger workbook.
type rateColumn struct {
	header string
	width  float64  // in the rates workbook; the ledger workbook fits its columns to the cells
	kind   cellKind // how the cells show
	value  func(r land.RateRow) any
}

// optInt is a number for a cell: nil (empty) for 0.
func optInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// optMu is an area for a cell: nil (empty) unless positive.
func optMu(v float64) any {
	if v <= 0 {
		return nil
	}
	return roundMu(v)
}

// The columns of the sheets of rates; the park columns first.
var (
	rateRank = rateColumn{"排名", 6, kindInt, func(r land.RateRow) any { return optInt(r.Rank) }}
	ratePark = rateColumn{"园区", 22, kindText, func(r land.RateRow) any {
		if r.ParkCode == "total" && r.ParkName == "" {
			return "合计"
		}
		return r.ParkName
	}}
	rateParkCode = rateColumn{"园区代码", 10, kindText, func(r land.RateRow) any {
		if r.ParkCode == "total" {
			return nil
		}
		return r.ParkCode
	}}
	rateLevel           = rateColumn{"级别", 8, kindText, func(r land.RateRow) any { return optText(r.Level) }}
	rateIdentifiedMu    = rateColumn{"三类用地面积(亩)", 14, kindMu, func(r land.RateRow) any { return roundMu(r.IdentifiedMu) }}
	rateIdentifiedCount = rateColumn{"宗数", 7, kindInt, func(r land.RateRow) any { return r.IdentifiedCount }}
	rateDisposedMu      = rateColumn{"已处置面积(亩)", 14, kindMu, func(r land.RateRow) any { return roundMu(r.DisposedMu) }}
	rateDisposedCount   = rateColumn{"已处置宗数", 10, kindInt, func(r land.RateRow) any { return r.DisposedCount }}
	rateRate            = rateColumn{"盘活率", 9, kindPct, func(r land.RateRow) any { return optFloat(r.Rate) }}
	rateRateCount       = rateColumn{"盘活率(按宗数)", 13, kindPct, func(r land.RateRow) any { return optFloat(r.RateCount) }}
	rateTargetMu        = rateColumn{"年度目标(亩)", 12, kindMu, func(r land.RateRow) any { return optMu(r.TargetMu) }}
	rateTargetYear      = rateColumn{"目标年份", 9, kindInt, func(r land.RateRow) any { return optInt(r.TargetYear) }}
	rateTargetDisposed  = rateColumn{"目标年度已处置(亩)", 16, kindMu, func(r land.RateRow) any { return roundMu(r.TargetDisposedMu) }}
	rateTargetProgress  = rateColumn{"目标进度", 9, kindPct, func(r land.RateRow) any { return optFloat(r.TargetProgress) }}
	rateBuiltupMu       = rateColumn{"建成区面积(亩)", 14, kindMu, func(r land.RateRow) any { return roundMu(r.BuiltupMu) }}
	rateBuiltupShare    = rateColumn{"占建成区比例", 12, kindPct, func(r land.RateRow) any { return optFloat(r.BuiltupShare) }}
)

// rankingColumns are the columns of the rates workbook for a report: the
// figures the dashboard shows, those it keeps for the details, then the
// figures of each class the report holds.
func rankingColumns(rep land.RatesReport) []rateColumn {
	cols := []rateColumn{rateRank, ratePark, rateLevel, rateIdentifiedMu, rateIdentifiedCount, rateDisposedMu, rateDisposedCount,
		rateRate, rateTargetMu, rateTargetProgress, rateBuiltupShare,
		rateParkCode, rateBuiltupMu, rateTargetYear, rateTargetDisposed, rateRateCount}
	return append(cols, classRateColumns(rep, true)...)
}

// ledgerRateColumns are the columns of the ledger workbook's 盘活率 sheet.
func ledgerRateColumns(rep land.RatesReport) []rateColumn {
	builtup := rateBuiltupMu
	builtup.value = func(r land.RateRow) any { return optMu(r.BuiltupMu) } // empty where unknown
	cols := []rateColumn{rateRank, ratePark, rateLevel, rateIdentifiedMu, rateIdentifiedCount, rateDisposedMu, rateDisposedCount,
		rateRate, rateRateCount, rateTargetMu, rateTargetProgress, builtup, rateBuiltupShare}
	return append(cols, classRateColumns(rep, false)...)
}

// classRateColumns are the figures of each class a report holds, with the
// count of disposed parcels where disposedCount.
func classRateColumns(rep land.RatesReport, disposedCount bool) []rateColumn {
	var cols []rateColumn
	for _, cl := range land.Classes {
		if rep.Class != "" && rep.Class != cl {
			continue
		}
		name := cl.Name()
		fig := func(r land.RateRow) land.RateFigures { return r.ByClass[cl] }
		cols = append(cols,
			rateColumn{name + "面积(亩)", 14, kindMu, func(r land.RateRow) any { return roundMu(fig(r).IdentifiedMu) }},
			rateColumn{name + "宗数", 10, kindInt, func(r land.RateRow) any { return fig(r).IdentifiedCount }},
			rateColumn{name + "已处置(亩)", 14, kindMu, func(r land.RateRow) any { return roundMu(fig(r).DisposedMu) }})
		if disposedCount {
			cols = append(cols, rateColumn{name + "已处置宗数", 12, kindInt, func(r land.RateRow) any { return fig(r).DisposedCount }})
		}
		cols = append(cols, rateColumn{name + "盘活率", 12, kindPct, func(r land.RateRow) any { return optFloat(fig(r).Rate) }})
	}
	return cols
}

func rateHeaders(cols []rateColumn) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.header
	}
	return names
}

// rateRows writes a row per park from row first on, in the order of rows,
// then the total row in the style of totals. It returns the row after the
// last.
func (w *sheetWriter) rateRows(cols []rateColumn, rows []land.RateRow, first int) (int, error) {
	row := first
	for _, total := range []bool{false, true} {
		for _, r := range rows {
			if (r.ParkCode == "total") != total {
				continue
			}
			for i, c := range cols {
				if err := w.set(i+1, row, c.value(r), c.kind, total); err != nil {
					return row, err
				}
			}
			row++
		}
	}
	return row, nil
}
