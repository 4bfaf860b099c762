package ledger

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// What the workbooks of this package share, the ledger workbook (Write) and
// the rates workbook (WriteRates): one style set, the kinds of cells with
// their number formats, and a writer of title rows, headers, cells and column
// widths.

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

// demoNote ends the note on the figures of a workbook of demo data.
const demoNote = "示例数据：园区边界与地块为演示用途生成，不是官方统计。"

// roundMu rounds an area to 0.01 亩, what the sheet shows, so that sums in
// Excel agree with the cells.
func roundMu(v float64) float64 { return math.Round(v*100) / 100 }

// optText is a text for a cell: nil (empty) when there is none.
func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optFloat is a figure for a cell: nil (empty) when unknown.
func optFloat(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// styles are the style ids of a workbook.
type styles struct {
	title  int // the title row: bold, large
	header int // header cells: bold, centred, wrapped, filled
	note   int // a note on the figures: small, grey
	basis  int // the same, wrapped: a note across a merged row
	body   [numKinds]int
	total  [numKinds]int // the 合计 row: bold, filled
}

func (s styles) of(k cellKind, total bool) int {
	if total {
		return s.total[k]
	}
	return s.body[k]
}

// newStyles adds the styles to a workbook.
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
	for _, n := range []struct {
		id   *int
		wrap bool
	}{{&s.note, false}, {&s.basis, true}} {
		if *n.id, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 10, Color: "595959", Family: font},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: n.wrap}}); err != nil {
			return s, err
		}
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

// sheetWriter writes cells of one sheet and tracks column widths.
type sheetWriter struct {
	f      *excelize.File
	st     styles
	sheet  string
	widths []float64 // what the cells written so far need
}

// set writes a cell (none for a nil v, only its style) in the style of its
// kind. Strings are written as text, never as formulas, whatever they start
// with.
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

// fitWidths sets the widths the cells need, between 6 and 50 characters.
func (w *sheetWriter) fitWidths() error {
	widths := make([]float64, len(w.widths))
	for i, wd := range w.widths {
		widths[i] = math.Min(50, math.Max(6, wd))
	}
	return w.setWidths(widths)
}

// setWidths sets the widths of the first columns, in characters.
func (w *sheetWriter) setWidths(widths []float64) error {
	for i, wd := range widths {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := w.f.SetColWidth(w.sheet, name, name, wd); err != nil {
			return err
		}
	}
	return nil
}

// banner writes text across the first ncols columns of a row (merged), in a
// style and a row height: the title row, a note on the figures.
func (w *sheetWriter) banner(row int, text string, ncols, style int, height float64) error {
	if err := w.f.SetCellValue(w.sheet, cellName(1, row), text); err != nil {
		return err
	}
	last := cellName(max(ncols, 1), row)
	if ncols > 1 {
		if err := w.f.MergeCell(w.sheet, cellName(1, row), last); err != nil {
			return err
		}
	}
	if err := w.f.SetCellStyle(w.sheet, cellName(1, row), last, style); err != nil {
		return err
	}
	return w.f.SetRowHeight(w.sheet, row, height)
}

// headers writes the header row, bold, in a row height.
func (w *sheetWriter) headers(row int, names []string, height float64) error {
	for i, h := range names {
		if err := w.f.SetCellValue(w.sheet, cellName(i+1, row), h); err != nil {
			return err
		}
		w.fit(i+1, h)
	}
	if err := w.f.SetCellStyle(w.sheet, cellName(1, row), cellName(len(names), row), w.st.header); err != nil {
		return err
	}
	return w.f.SetRowHeight(w.sheet, row, height)
}

// freeze keeps the rows up to the header row and the first cols columns in
// view.
func (w *sheetWriter) freeze(headerRow, cols int) error {
	return w.f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, XSplit: cols, YSplit: headerRow,
		TopLeftCell: cellName(cols+1, headerRow+1), ActivePane: "bottomRight"})
}

// autoFilter puts an autofilter on ncols columns from the header row to
// lastRow.
func (w *sheetWriter) autoFilter(headerRow, ncols, lastRow int) error {
	return w.f.AutoFilter(w.sheet, cellName(1, headerRow)+":"+cellName(ncols, max(lastRow, headerRow)), nil)
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

// save sets the document properties and writes the workbook to w.
func save(f *excelize.File, w io.Writer, title, subject string) error {
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Subject: subject, Creator: "panhuo", Language: "zh-CN"}); err != nil {
		return fmt.Errorf("properties: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
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
