package ledger

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/xuri/excelize/v2"

	"panhuo/geo"
	"panhuo/internal/land"
)

// Sheet is one worksheet of a ledger as read.
type Sheet struct {
	Name      string   // worksheet read
	HeaderRow int      // 1-based Excel row of the header
	Headers   []string // as written (trimmed)
	Fields    []string // field per header ("" when unknown, "ignore" for known columns carrying nothing)
	Rows      []Row
	// Class is the class the sheet's name gives (a sheet 闲置 or 闲置土地台账),
	// "" when it names none: a default for rows whose 类别 is empty.
	Class    land.Class
	Warnings []string // Chinese, about the sheet as a whole
}

// Row is one data row of a sheet.
type Row struct {
	Row int // 1-based Excel row number, for reports ("第 12 行")
	// Properties are header → cell text for every header column, in column
	// order (empty cells give ""). Numbers are the stored value as Excel shows
	// it in General format (15 significant digits), not the formatted text;
	// cells with a date format give YYYY-MM-DD.
	Properties []geo.Property
	// Geometry is the WKT column's Polygon or MultiPolygon in lon/lat; nil
	// when there is none or Problem is set.
	Geometry orb.Geometry
	// Zone and PlanarAreaM2 are set when the WKT was in Gauss-Krüger
	// coordinates: the zone and the area of the file's own plane coordinates.
	Zone         geo.Zone
	PlanarAreaM2 float64
	Problem      string   // why the row cannot be used (bad WKT …), Chinese
	Warnings     []string // Chinese (a zone prefix that disagrees with 带号 …)
}

// headerScanRows is how many rows from the top may hold the header.
const headerScanRows = 10

// maxXMLInMemory is the size of a worksheet's XML beyond which excelize
// streams it from a temporary file instead of memory.
const maxXMLInMemory = 16 << 20

// ReadXLSX reads the ledger in an .xlsx workbook: the first visible worksheet
// with a header row and data under it. A header row is a row within the first
// 10 with at least two headers FieldFor knows (titles, notes and blank rows
// above it are skipped). Blank rows, 合计/总计/小计 rows, notes under the table
// (注：…, 填表人…) and repeated headers are skipped. A WKT column may hold
// lon/lat, Gauss-Krüger with prefixed eastings (the zone read from the
// prefix), or Gauss-Krüger without prefix when a 带号 column (or an SRID=
// prefix) gives the zone; anything else becomes the row's Problem.
//
// Errors are *geo.FileError with a Chinese reason: not an .xlsx (an .xls
// must be saved as .xlsx first), encrypted, no header row, no data rows, more
// than l.MaxFeatures rows. When other sheets hold ledger rows too, a warning
// says so: ReadXLSXBook reads them all.
func ReadXLSX(data []byte, m Mapping, l geo.Limits) (Sheet, error) {
	sheets, err := readBook(data, m, l, true)
	if err != nil {
		return Sheet{}, err
	}
	return sheets[0], nil
}

// ReadXLSXBook reads every visible worksheet that has a header row and data
// rows, as ReadXLSX does one: an exported ledger has one sheet per class
// (Sheet.Class gives it). l.MaxFeatures limits the rows of all sheets
// together.
func ReadXLSXBook(data []byte, m Mapping, l geo.Limits) ([]Sheet, error) {
	return readBook(data, m, l, false)
}

func readBook(data []byte, m Mapping, l geo.Limits, first bool) ([]Sheet, error) {
	l = l.WithDefaults()
	f, err := openWorkbook(data, l)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, fileError("", "不是有效的 Excel 工作簿（.xlsx）：文件中没有工作表")
	}
	var (
		sheets   []Sheet
		previews []string
		empty    string // first sheet with a header but no rows
		rows     int
		skipped  []string // sheets with ledger rows ReadXLSX leaves out
	)
	for _, name := range names {
		if visible, err := f.GetSheetVisible(name); err == nil && !visible {
			continue
		}
		if first && len(sheets) == 1 {
			// Only look whether later sheets have a header, to warn.
			if ok, _ := hasHeader(f, name, m); ok {
				skipped = append(skipped, name)
			}
			continue
		}
		s, found, preview, err := readSheet(f, name, m, l, date1904, l.MaxFeatures-rows)
		if err != nil {
			return nil, err
		}
		if !found {
			previews = append(previews, preview...)
			continue
		}
		if len(s.Rows) == 0 {
			if empty == "" {
				empty = name
			}
			continue
		}
		rows += len(s.Rows)
		sheets = append(sheets, s)
	}
	if len(sheets) == 0 {
		if empty != "" {
			return nil, fileError("工作表「"+empty+"」", "表头下面没有数据行")
		}
		reason := "没有找到表头：前 10 行中应有一行至少含两个可识别的列名（如 宗地编号、电子监管号、项目名称、用地单位、面积、认定日期）"
		if len(previews) > 0 {
			reason += "。各工作表前几行为：" + strings.Join(previews, "；")
		} else {
			reason += "。工作簿是空的"
		}
		return nil, fileError("", reason)
	}
	if len(skipped) > 0 {
		sheets[0].Warnings = append(sheets[0].Warnings, fmt.Sprintf("只读取了工作表「%s」；工作表「%s」也有台账表头，未读取：请分别导入",
			sheets[0].Name, strings.Join(skipped, "」「")))
	}
	return sheets, nil
}

func fileError(where, reason string) *geo.FileError {
	return &geo.FileError{Format: "Excel", Where: where, Reason: reason}
}

// openWorkbook opens data as an .xlsx workbook, telling an .xls, an
// encrypted workbook and other files apart.
func openWorkbook(data []byte, l geo.Limits) (*excelize.File, error) {
	ole := []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
	switch {
	case bytes.HasPrefix(data, ole):
		if bytes.Contains(data, utf16le("EncryptedPackage")) || bytes.Contains(data, utf16le("EncryptionInfo")) {
			return nil, fileError("", "工作簿已加密（设置了打开密码）：请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入")
		}
		return nil, fileError("", "这是 Excel 97-2003 工作簿（.xls），不能直接读取：请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再导入")
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")) && !bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return nil, fileError("", "不是 Excel 工作簿（.xlsx）文件"+notXLSXHint(data))
	}
	xmlLimit := int64(maxXMLInMemory)
	if l.MaxUncompressedBytes < xmlLimit {
		xmlLimit = l.MaxUncompressedBytes
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    l.MaxUncompressedBytes,
		UnzipXMLSizeLimit: xmlLimit,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		switch {
		case errors.Is(err, zip.ErrFormat), errors.Is(err, excelize.ErrWorkbookFileFormat):
			return nil, fileError("", "不是有效的 Excel 工作簿（.xlsx）：文件已损坏或不是 .xlsx 格式")
		case strings.Contains(err.Error(), "size exceeds"):
			return nil, fileError("", fmt.Sprintf("工作簿解压后超过 %d MB 的上限", l.MaxUncompressedBytes>>20))
		}
		return nil, fileError("", "不是有效的 Excel 工作簿（.xlsx），或文件已损坏（"+err.Error()+"）：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入")
	}
	return f, nil
}

// notXLSXHint guesses what a file that is not a workbook is.
func notXLSXHint(data []byte) string {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	t := strings.TrimSpace(strings.ToLower(string(head)))
	switch {
	case strings.HasPrefix(t, "<html") || strings.HasPrefix(t, "<!doctype html") || strings.Contains(t, "<table"):
		return "：这是网页（HTML）格式的表格，请在 Excel 或 WPS 中打开后另存为 .xlsx"
	case strings.HasPrefix(t, "<?xml"):
		return "：这是 XML 格式的表格，请在 Excel 或 WPS 中打开后另存为 .xlsx"
	case len(data) > 0 && bytes.IndexByte(head, 0) < 0:
		return "：这像是文本文件（如 CSV），请在 Excel 或 WPS 中打开后另存为 .xlsx"
	}
	return ""
}

// utf16le encodes s as UTF-16LE, how OLE directory entries name streams.
func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// sheetRows reads a worksheet row by row, streaming, giving each row's
// cells as text: the stored value of numbers (so 0.1 + 0.2 reads 0.3 and
// 44260 stays 44260 under a number format) and YYYY-MM-DD for date cells.
// excelize's streaming reader gives either raw or formatted values, not the
// cell's style, so two readers run side by side: a number whose formatted
// text reads as a date is a date.
type sheetRows struct {
	raw, shown *excelize.Rows
	date1904   bool
	row        int // 1-based row number of the current row
}

func openRows(f *excelize.File, name string, date1904 bool) (*sheetRows, error) {
	raw, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("read sheet %q: %w", name, err)
	}
	shown, err := f.Rows(name)
	if err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("read sheet %q: %w", name, err)
	}
	return &sheetRows{raw: raw, shown: shown, date1904: date1904}, nil
}

func (r *sheetRows) close() {
	_ = r.raw.Close()
	_ = r.shown.Close()
}

// next advances to the next row (rows absent from the file are empty rows).
func (r *sheetRows) next() bool {
	if !r.raw.Next() {
		return false
	}
	r.shown.Next()
	r.row++
	return true
}

func (r *sheetRows) err() error {
	if err := r.raw.Error(); err != nil {
		return err
	}
	return r.shown.Error()
}

// cells returns the current row's cell texts, trimmed.
func (r *sheetRows) cells() ([]string, error) {
	raw, err := r.raw.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	shown, err := r.shown.Columns()
	if err != nil {
		return nil, err
	}
	n := max(len(raw), len(shown))
	out := make([]string, n)
	for i := range n {
		var rv, sv string
		if i < len(raw) {
			rv = raw[i]
		}
		if i < len(shown) {
			sv = shown[i]
		}
		out[i] = strings.TrimSpace(cellText(rv, sv, r.date1904))
	}
	return out, nil
}

// cellText decides a cell's text from its raw and formatted values.
func cellText(raw, shown string, date1904 bool) string {
	if raw == shown {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		// A date cell stored as an ISO time stamp (t="d"), or text.
		if strings.Contains(raw, "T") && strings.Contains(raw, ":") {
			if d, ok := ParseDate(raw); ok {
				return d.String()
			}
		}
		return raw
	}
	if looksLikeDateText(shown) {
		if d, ok := SerialDate(v, date1904); ok {
			return d.String()
		}
	}
	if allDigits(strings.TrimPrefix(raw, "-")) {
		return raw // an integer as written, every digit kept
	}
	return generalNumber(v)
}

// generalNumber writes v as Excel's General format keeps it: 15 significant
// digits, no exponent for ordinary magnitudes.
func generalNumber(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		r = v
	}
	if a := math.Abs(r); a != 0 && (a >= 1e21 || a < 1e-9) {
		return strconv.FormatFloat(r, 'g', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// looksLikeDateText reports whether a number's formatted text is a date: it
// has 年/月/日, a slash, a colon, or a dash between a digit and another
// character (05-03-21, 5-Mar-21) — never a leading minus.
func looksLikeDateText(s string) bool {
	if strings.ContainsAny(s, "年月日/:") {
		return true
	}
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '-' && s[i-1] >= '0' && s[i-1] <= '9' {
			return true
		}
	}
	return false
}

// hasHeader reports whether a sheet has a header row in its first rows.
func hasHeader(f *excelize.File, name string, m Mapping) (bool, error) {
	rs, err := openRows(f, name, false)
	if err != nil {
		return false, err
	}
	defer rs.close()
	for rs.next() && rs.row <= headerScanRows {
		cells, err := rs.cells()
		if err != nil {
			return false, err
		}
		if isHeaderRow(cells, m) {
			return true, nil
		}
	}
	return false, rs.err()
}

// isHeaderRow: at least two distinct known fields other than "ignore".
func isHeaderRow(cells []string, m Mapping) bool {
	seen := map[string]bool{}
	for _, c := range cells {
		if f, _, ok := FieldFor(c, m); ok && f != FieldIgnore {
			seen[f] = true
		}
	}
	return len(seen) >= 2
}

// readSheet reads one worksheet. found is false when no header row is in
// its first rows; preview then shows those rows for the error. At most
// budget data rows are read.
func readSheet(f *excelize.File, name string, m Mapping, l geo.Limits, date1904 bool, budget int) (s Sheet, found bool, preview []string, err error) {
	rs, err := openRows(f, name, date1904)
	if err != nil {
		return Sheet{}, false, nil, fileError("工作表「"+name+"」", "无法读取（"+err.Error()+"）")
	}
	defer rs.close()
	s = Sheet{Name: name, Class: sheetClass(name)}
	var (
		wktCol, zoneCol = -1, -1
		where           = func(row int) string { return fmt.Sprintf("工作表「%s」第 %d 行", name, row) }
	)
	for rs.next() {
		cells, err := rs.cells()
		if err != nil {
			return Sheet{}, false, nil, fileError(where(rs.row), "无法读取（"+err.Error()+"）")
		}
		if !found {
			if rs.row > headerScanRows {
				break
			}
			if !isHeaderRow(cells, m) {
				if p := previewRow(name, rs.row, cells); p != "" && len(preview) < 3 {
					preview = append(preview, p)
				}
				continue
			}
			found = true
			s.HeaderRow = rs.row
			last := len(cells)
			for last > 0 && cells[last-1] == "" {
				last--
			}
			s.Headers = cells[:last]
			s.Fields = make([]string, last)
			for i, h := range s.Headers {
				if fld, _, ok := FieldFor(h, m); ok {
					s.Fields[i] = fld
					if fld == FieldWKT && wktCol < 0 {
						wktCol = i
					}
					if fld == FieldGKZone && zoneCol < 0 {
						zoneCol = i
					}
				}
			}
			continue
		}
		if len(cells) > len(s.Headers) {
			cells = cells[:len(s.Headers)]
		}
		if skipRow(cells, s.Headers) {
			continue
		}
		if len(s.Rows) >= budget {
			return Sheet{}, false, nil, fileError(where(rs.row), fmt.Sprintf("数据超过 %d 行的上限：请分成几个文件导入", l.MaxFeatures))
		}
		row := Row{Row: rs.row, Properties: make([]geo.Property, 0, len(s.Headers))}
		for i, h := range s.Headers {
			if h == "" {
				continue
			}
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			row.Properties = append(row.Properties, geo.Property{Name: h, Value: v})
		}
		if wktCol >= 0 && wktCol < len(cells) && cells[wktCol] != "" {
			zone := ""
			if zoneCol >= 0 && zoneCol < len(cells) {
				zone = cells[zoneCol]
			}
			readGeometry(&row, s.Headers[wktCol], cells[wktCol], zone, l)
		}
		s.Rows = append(s.Rows, row)
	}
	if err := rs.err(); err != nil {
		return Sheet{}, false, nil, fileError("工作表「"+name+"」", "无法读取（"+err.Error()+"）")
	}
	if !found {
		return Sheet{}, false, preview, nil
	}
	return s, true, nil, nil
}

// previewRow shows a row's non-empty cells for the "no header" error.
func previewRow(sheet string, row int, cells []string) string {
	var vals []string
	for _, c := range cells {
		if c == "" {
			continue
		}
		if r := []rune(c); len(r) > 20 {
			c = string(r[:20]) + "…"
		}
		vals = append(vals, "「"+c+"」")
		if len(vals) == 8 {
			vals = append(vals, "…")
			break
		}
	}
	if len(vals) == 0 {
		return ""
	}
	return fmt.Sprintf("工作表「%s」第 %d 行 %s", sheet, row, strings.Join(vals, ""))
}

// skipRow reports whether a row under the header is no data: blank, a
// total (合计/总计/小计), a note under the table, or the header repeated.
func skipRow(cells, headers []string) bool {
	first, n, same := "", 0, 0
	for i, c := range cells {
		if c == "" {
			continue
		}
		if first == "" {
			first = c
		}
		n++
		if i < len(headers) && c == headers[i] {
			same++
		}
	}
	if n == 0 {
		return true
	}
	if same == n && n >= 2 {
		return true
	}
	h := normalizeHeader(first)
	for _, t := range []string{"合计", "总计", "小计"} {
		if rest, ok := strings.CutPrefix(h, t); ok && (rest == "" || strings.IndexAny(rest[:1], ":：(0123456789") == 0) {
			return true
		}
	}
	if n <= 2 {
		for _, t := range []string{"注:", "注：", "说明:", "填表人", "制表人", "制表", "审核人", "审核:", "单位负责人", "填报单位", "填表日期"} {
			if strings.HasPrefix(h, t) {
				return true
			}
		}
	}
	return false
}

// sheetClass is the class a sheet's name names, if exactly one.
func sheetClass(name string) land.Class {
	if c, ok := ParseClass(name); ok {
		return c
	}
	var found []land.Class
	for _, t := range []struct {
		word  string
		class land.Class
	}{{"批而未供", land.Unsupplied}, {"闲置", land.Idle}, {"低效", land.Inefficient}} {
		if strings.Contains(name, t.word) {
			found = append(found, t.class)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// readGeometry reads a row's WKT cell into its geometry, or its Problem.
func readGeometry(row *Row, header, text, zoneText string, l geo.Limits) {
	problem := func(format string, a ...any) {
		row.Problem = fmt.Sprintf("列「%s」：", header) + fmt.Sprintf(format, a...)
	}
	src, srid := stripSRID(text)
	src = flattenWKT(src)
	g, err := wkt.Unmarshal(src)
	if err != nil {
		problem("不是有效的 WKT 几何图形（%s）", abbreviate(text, 60))
		return
	}
	polys, ok := geo.Polygons(g)
	if !ok {
		problem("几何图形是 %s，需要面（POLYGON 或 MULTIPOLYGON）", g.GeoJSONType())
		return
	}
	var first orb.Point
	vertices := 0
	for _, p := range polys {
		for _, r := range p {
			if vertices == 0 && len(r) > 0 {
				first = r[0]
			}
			vertices += len(r)
		}
	}
	if vertices == 0 {
		problem("几何图形为空")
		return
	}
	if vertices > l.MaxVerticesPerFeature {
		problem("几何图形有 %d 个顶点，超过 %d 个的上限", vertices, l.MaxVerticesPerFeature)
		return
	}
	x, y := first[0], first[1]
	switch {
	case math.Abs(x) <= 180 && math.Abs(y) <= 90:
		for _, p := range polys {
			for _, r := range p {
				for _, q := range r {
					if math.Abs(q[0]) > 180 || math.Abs(q[1]) > 90 {
						problem("坐标 (%g, %g) 与首点 (%g, %g) 不是同一种坐标：经纬度应在 ±180、±90 以内", q[0], q[1], x, y)
						return
					}
				}
			}
		}
		row.Geometry = g
		return
	case x >= 3 && x <= 54 && y >= 73 && y <= 136:
		problem("坐标 (%g, %g) 像是（纬度 经度）次序：WKT 应为（经度 纬度）", x, y)
		return
	}
	var crs geo.CRS
	if z, _, ok := geo.SplitPrefixedEasting(x); ok {
		crs = gkCRS(z, true)
	} else if x >= 100000 && x <= 900000 && y > 0 && y < 10000000 {
		z, ok, why := zoneFrom(zoneText, srid)
		if !ok {
			problem("%s", why)
			return
		}
		crs = gkCRS(z, false)
	} else {
		_, _, py := geo.SplitPrefixedEasting(y)
		if x > 1000000 && x < 10000000 && (py || y >= 100000 && y <= 900000) {
			problem("坐标 (%.3f, %.3f) 像是（北坐标 东坐标）次序：WKT 应先写横坐标（东坐标），再写纵坐标（北坐标）", x, y)
			return
		}
		problem("无法识别坐标 (%g, %g)：应为经纬度，或 CGCS2000 高斯-克吕格坐标（米）", x, y)
		return
	}
	out, zone, area, warnings, err := crs.ToLonLat(g)
	if err != nil {
		problem("%s", err.Error())
		return
	}
	if zoneText != "" && crs.Prefixed {
		if z, ok := parseZone(zoneText); ok && z != zone {
			warnings = append(warnings, fmt.Sprintf("带号列为 %d，但横坐标带有带号 %d：按第 %d 带读取", z, zone, zone))
		}
	}
	row.Geometry, row.Zone, row.PlanarAreaM2, row.Warnings = out, zone, area, append(row.Warnings, warnings...)
}

// gkCRS is the CGCS2000 3° Gauss-Krüger CRS of zone z.
func gkCRS(z geo.Zone, prefixed bool) geo.CRS {
	if code, ok := z.EPSG(prefixed); ok {
		if c, ok := geo.CRSFromEPSG(code); ok {
			return c
		}
	}
	return geo.CRS{Name: fmt.Sprintf("CGCS2000 3° Gauss-Kruger zone %d", z), Zone: z, Prefixed: prefixed}
}

// zoneFrom finds the zone of unprefixed eastings: the 带号 cell, else the
// WKT's SRID.
func zoneFrom(zoneText string, srid int) (geo.Zone, bool, string) {
	if zoneText != "" {
		if z, ok := parseZone(zoneText); ok {
			return z, true, ""
		}
		return 0, false, fmt.Sprintf("带号「%s」无效：应为 24–45 的带号（如 38），或中央经线（如 114）", zoneText)
	}
	if z, prefixed, ok := geo.ZoneFromEPSG(srid); ok && !prefixed {
		return z, true, ""
	}
	return 0, false, "横坐标没有带号（如 38500000 的前两位），表中也没有「带号」列：请加一列「带号」（如 38），或用带带号的横坐标"
}

// parseZone reads a 带号: "38", "38带", "第38带", "38.0", or a central
// meridian "114"/"114°".
func parseZone(s string) (geo.Zone, bool) {
	s = normalizeHeader(s)
	s = strings.TrimPrefix(s, "第")
	s = strings.TrimRight(s, "带°度e")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) {
		return 0, false
	}
	z := geo.Zone(v)
	if z.Valid() {
		return z, true
	}
	if int(v)%3 == 0 {
		if z := geo.Zone(int(v) / 3); z.Valid() {
			return z, true
		}
	}
	return 0, false
}

// stripSRID removes an EWKT "SRID=4490;" prefix and returns the code.
func stripSRID(s string) (string, int) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || !strings.EqualFold(s[:5], "SRID=") {
		return s, 0
	}
	head, rest, ok := strings.Cut(s, ";")
	if !ok {
		return s, 0
	}
	code, _ := strconv.Atoi(strings.TrimSpace(head[5:]))
	return strings.TrimSpace(rest), code
}

// flattenWKT drops Z and M: "POLYGON Z ((1 2 3, …))" becomes
// "POLYGON ((1 2, …))", which orb reads.
func flattenWKT(s string) string {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s
	}
	head := strings.Fields(s[:i])
	if len(head) > 1 {
		switch strings.ToUpper(head[len(head)-1]) {
		case "Z", "M", "ZM":
			head = head[:len(head)-1]
		}
	}
	var b strings.Builder
	b.WriteString(strings.Join(head, " "))
	b.WriteByte(' ')
	start := i
	for j := i; j < len(s); j++ {
		c := s[j]
		if c != '(' && c != ')' && c != ',' {
			continue
		}
		if tuple := strings.Fields(s[start:j]); len(tuple) > 2 {
			b.WriteString(tuple[0] + " " + tuple[1])
		} else {
			b.WriteString(s[start:j])
		}
		b.WriteByte(c)
		start = j + 1
	}
	b.WriteString(s[start:])
	return b.String()
}

// abbreviate shortens s to n runes for a message.
func abbreviate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
