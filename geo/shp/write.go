package shp

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"

	"panhuo/geo"
)

// FieldKind is the DBF type of a Field.
type FieldKind int

const (
	// Text is a character field (C): Record values are strings.
	Text FieldKind = iota
	// Number is a numeric field (N): values are float64, *float64 or int.
	Number
	// Date is a date field (D, written YYYYMMDD): values are time.Time.
	Date
)

// Maximum widths of DBF fields that every reader accepts.
const (
	maxTextWidth   = 254
	maxNumberWidth = 20
	maxDecimals    = 15
	dateWidth      = 8
	maxFieldName   = 10 // bytes, in the output encoding
)

// Field is a column of the attribute table (.dbf) Write produces.
type Field struct {
	// Name is at most 10 bytes in the output encoding: 5 Chinese characters
	// in GBK, 3 in UTF-8.
	Name string
	Kind FieldKind
	// Width is the field's width in bytes; 0 means 254 for Text, 20 for
	// Number, and Date is always 8. Text longer than Width is cut at a
	// character boundary.
	Width int
	// Decimals are the digits after the point of a Number (0–15).
	Decimals int
}

// Record is one feature Write writes.
type Record struct {
	// Geometry is a Polygon or MultiPolygon in CGCS2000 lon/lat, shells
	// first in each polygon (any orientation); nil writes a null shape.
	Geometry orb.Geometry
	// Values has one value per field: string (Text), float64, *float64 or
	// int (Number), time.Time (Date), or nil for an empty value.
	Values []any
}

// WriteOptions are the options of Write.
type WriteOptions struct {
	// Name is the base name of the files in the zip (NAME.shp, …); it may
	// be Chinese. Default "parcels".
	Name string
	// CRS is CGCS2000 lon/lat (the zero CRS or EPSG:4490, the default) or a
	// CGCS2000 3° Gauss-Krüger zone, with or without the zone prefix;
	// coordinates are projected with geo.Zone.Forward or ForwardPrefixed.
	CRS geo.CRS
	// Encoding of the attribute text: "GBK" (the default, what ArcGIS on a
	// Chinese Windows expects) or "UTF-8".
	Encoding string
}

// Write writes records as a zipped shapefile to w: NAME.shp (polygons, type
// 5; shells clockwise and holes counter-clockwise as the specification says;
// a MultiPolygon is one record of all its rings), NAME.shx, NAME.dbf (dBase
// III), NAME.prj (PRJ of the CRS) and NAME.cpg. A GBK table has language
// driver 0x4D and the .cpg "936" (the code page number, which ArcGIS, QGIS
// and GDAL all read); a UTF-8 table has language driver 0 and the .cpg "UTF-8".
func Write(w io.Writer, fields []Field, records []Record, opt WriteOptions) error {
	name, crs, enc, err := checkOptions(opt)
	if err != nil {
		return fmt.Errorf("导出 Shapefile：%w", err)
	}
	fields, err = checkFields(fields, enc)
	if err != nil {
		return fmt.Errorf("导出 Shapefile：%w", err)
	}
	shpData, shxData, err := writeShapes(records, crs)
	if err != nil {
		return fmt.Errorf("导出 Shapefile：%w", err)
	}
	dbfData, err := writeDBF(fields, records, enc, time.Now())
	if err != nil {
		return fmt.Errorf("导出 Shapefile：%w", err)
	}
	cpg := "UTF-8"
	if enc == encGBK {
		cpg = "936"
	}
	zw := zip.NewWriter(w)
	now := time.Now()
	for _, f := range []struct {
		ext  string
		data []byte
	}{
		{".shp", shpData}, {".shx", shxData}, {".dbf", dbfData},
		{".prj", []byte(PRJ(crs))}, {".cpg", []byte(cpg)},
	} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name + f.ext, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("导出 Shapefile：写入 %s%s：%w", name, f.ext, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("导出 Shapefile：写入 %s%s：%w", name, f.ext, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("导出 Shapefile：%w", err)
	}
	return nil
}

// checkOptions applies the defaults of opt and checks them.
func checkOptions(opt WriteOptions) (name string, crs geo.CRS, enc string, err error) {
	name = strings.TrimSpace(opt.Name)
	for _, ext := range []string{".zip", ".shp"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			name = name[:len(name)-len(ext)]
		}
	}
	if name == "" {
		name = "parcels"
	}
	if !utf8.ValidString(name) || strings.ContainsAny(name, `/\:*?"<>|`) || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 }) >= 0 {
		return "", geo.CRS{}, "", fmt.Errorf("文件名 %q 含有不能用于文件名的字符", opt.Name)
	}

	crs = opt.CRS
	switch {
	case crs.Zone == 0 && (crs.EPSG == 0 || crs.EPSG == 4490):
		crs, _ = geo.CRSFromEPSG(4490)
	case crs.Zone == 0:
		return "", geo.CRS{}, "", fmt.Errorf("不能导出为 %s：只能导出为 CGCS2000 经纬度（EPSG:4490）或 3° 分带高斯-克吕格投影", crs)
	case !crs.Zone.Valid():
		return "", geo.CRS{}, "", fmt.Errorf("第 %d 带不是 CGCS2000 3° 分带（应为 %d–%d）", crs.Zone, geo.MinZone, geo.MaxZone)
	default:
		crs = gkCRS(crs.Zone, crs.Prefixed, "")
	}

	switch strings.ToUpper(strings.ReplaceAll(opt.Encoding, "-", "")) {
	case "", "GBK", "CP936", "936":
		enc = encGBK
	case "UTF8":
		enc = encUTF8
	default:
		return "", geo.CRS{}, "", fmt.Errorf("不支持的编码 %q：只能为 GBK 或 UTF-8", opt.Encoding)
	}
	return name, crs, enc, nil
}

// checkFields fills the default widths and checks names and widths.
func checkFields(fields []Field, enc string) ([]Field, error) {
	if len(fields) == 0 {
		return nil, errors.New("属性表至少要有一个字段")
	}
	if len(fields) > 255 {
		return nil, fmt.Errorf("属性表有 %d 个字段，超过 255 个", len(fields))
	}
	out := make([]Field, len(fields))
	seen := map[string]bool{}
	recordLen := 1
	for i, f := range fields {
		name, err := encodeText(f.Name, enc)
		if err != nil {
			return nil, fmt.Errorf("字段名「%s」：%w", f.Name, err)
		}
		switch {
		case len(name) == 0:
			return nil, fmt.Errorf("第 %d 个字段没有名称", i+1)
		case len(name) > maxFieldName:
			return nil, fmt.Errorf("字段名「%s」在 %s 编码下有 %d 字节，超过 10 字节（GBK 最多 5 个汉字，UTF-8 最多 3 个）", f.Name, enc, len(name))
		case bytes.IndexByte(name, 0) >= 0:
			return nil, fmt.Errorf("字段名「%s」含有空字符", f.Name)
		case seen[strings.ToUpper(f.Name)]:
			return nil, fmt.Errorf("字段名「%s」重复", f.Name)
		}
		seen[strings.ToUpper(f.Name)] = true
		switch f.Kind {
		case Text:
			if f.Width == 0 {
				f.Width = maxTextWidth
			}
			if f.Width < 1 || f.Width > maxTextWidth {
				return nil, fmt.Errorf("文本字段「%s」的宽度 %d 不在 1–%d 之间", f.Name, f.Width, maxTextWidth)
			}
			f.Decimals = 0
		case Number:
			if f.Width == 0 {
				f.Width = maxNumberWidth
			}
			if f.Width < 1 || f.Width > maxNumberWidth || f.Decimals < 0 || f.Decimals > maxDecimals ||
				(f.Decimals > 0 && f.Decimals > f.Width-2) {
				return nil, fmt.Errorf("数值字段「%s」的宽度 %d、小数位 %d 无效（宽度 1–%d，小数位 0–%d 且小于宽度减 1）", f.Name, f.Width, f.Decimals, maxNumberWidth, maxDecimals)
			}
		case Date:
			f.Width, f.Decimals = dateWidth, 0
		default:
			return nil, fmt.Errorf("字段「%s」的类型 %d 无效", f.Name, f.Kind)
		}
		recordLen += f.Width
		out[i] = f
	}
	if recordLen > math.MaxUint16 {
		return nil, fmt.Errorf("字段总宽度 %d 超过 DBF 上限 65535 字节", recordLen)
	}
	return out, nil
}

// encodeText encodes s in enc (GBK or UTF-8); a character GBK cannot hold
// is an error.
func encodeText(s, enc string) ([]byte, error) {
	if enc == encUTF8 {
		if !utf8.ValidString(s) {
			return nil, errors.New("不是有效的 UTF-8 文本")
		}
		return []byte(s), nil
	}
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err == nil {
		return b, nil
	}
	for _, r := range s {
		if _, err := simplifiedchinese.GBK.NewEncoder().String(string(r)); err != nil {
			return nil, fmt.Errorf("字符「%c」（U+%04X）无法用 GBK 表示：请改用 UTF-8 导出", r, r)
		}
	}
	return nil, fmt.Errorf("无法用 GBK 表示：%w", err)
}

// cutText cuts encoded text to at most width bytes at a character boundary.
func cutText(b []byte, width int, enc string) []byte {
	if len(b) <= width {
		return b
	}
	if enc == encUTF8 {
		n := width
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		return b[:n]
	}
	n := 0
	for n < len(b) {
		size := 1
		if b[n] > 0x80 { // a GBK lead byte; 0x80 alone is €
			size = 2
		}
		if n+size > width {
			break
		}
		n += size
	}
	return b[:n]
}

// writeDBF builds the dBase III table.
func writeDBF(fields []Field, records []Record, enc string, now time.Time) ([]byte, error) {
	headerLen := dbfHeaderLen + dbfFieldLen*len(fields) + 1
	recordLen := 1
	for _, f := range fields {
		recordLen += f.Width
	}
	var b bytes.Buffer
	b.Grow(headerLen + recordLen*len(records) + 1)
	h := make([]byte, dbfHeaderLen)
	h[0] = 0x03
	h[1], h[2], h[3] = byte(now.Year()-1900), byte(now.Month()), byte(now.Day())
	binary.LittleEndian.PutUint32(h[4:8], uint32(len(records)))
	binary.LittleEndian.PutUint16(h[8:10], uint16(headerLen))
	binary.LittleEndian.PutUint16(h[10:12], uint16(recordLen))
	if enc == encGBK {
		h[29] = ldidCP936
	}
	b.Write(h)
	for _, f := range fields {
		d := make([]byte, dbfFieldLen)
		name, _ := encodeText(f.Name, enc) // checked by checkFields
		copy(d[:11], name)
		d[11] = "CND"[f.Kind]
		d[16], d[17] = byte(f.Width), byte(f.Decimals)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	rec := make([]byte, recordLen)
	for i, r := range records {
		if len(r.Values) != len(fields) {
			return nil, fmt.Errorf("第 %d 条记录有 %d 个属性值，字段有 %d 个", i+1, len(r.Values), len(fields))
		}
		for k := range rec {
			rec[k] = ' '
		}
		at := 1
		for k, f := range fields {
			cell := rec[at : at+f.Width]
			at += f.Width
			if err := writeCell(cell, f, r.Values[k], enc); err != nil {
				return nil, fmt.Errorf("第 %d 条记录的字段「%s」：%w", i+1, f.Name, err)
			}
		}
		b.Write(rec)
	}
	b.WriteByte(0x1A)
	return b.Bytes(), nil
}

// writeCell writes value v of field f into cell (pre-filled with spaces).
func writeCell(cell []byte, f Field, v any, enc string) error {
	if v == nil {
		return nil
	}
	switch f.Kind {
	case Text:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("文本字段的值须为 string，而不是 %T", v)
		}
		s = strings.Map(func(r rune) rune {
			if r == 0 {
				return -1
			}
			return r
		}, s)
		b, err := encodeText(s, enc)
		if err != nil {
			return err
		}
		copy(cell, cutText(b, f.Width, enc))
	case Number:
		var x float64
		switch t := v.(type) {
		case float64:
			x = t
		case *float64:
			if t == nil {
				return nil
			}
			x = *t
		case int:
			x = float64(t)
		default:
			return fmt.Errorf("数值字段的值须为 float64、*float64 或 int，而不是 %T", v)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("数值 %v 无效", x)
		}
		s := strconv.FormatFloat(x, 'f', f.Decimals, 64)
		if len(s) > f.Width {
			return fmt.Errorf("数值 %s 超出字段宽度 %d", s, f.Width)
		}
		copy(cell[f.Width-len(s):], s) // right-aligned
	case Date:
		var t time.Time
		switch d := v.(type) {
		case time.Time:
			t = d
		case *time.Time:
			if d == nil {
				return nil
			}
			t = *d
		default:
			return fmt.Errorf("日期字段的值须为 time.Time，而不是 %T", v)
		}
		if t.IsZero() {
			return nil
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return fmt.Errorf("日期 %s 超出 1–9999 年", t.Format(time.DateOnly))
		}
		copy(cell, t.Format("20060102"))
	}
	return nil
}

// writeShapes builds the .shp and .shx of the records in crs.
func writeShapes(records []Record, crs geo.CRS) (shpData, shxData []byte, err error) {
	project := func(p orb.Point) orb.Point { return p }
	switch {
	case crs.Zone != 0 && crs.Prefixed:
		project = func(p orb.Point) orb.Point {
			e, n := crs.Zone.ForwardPrefixed(p[0], p[1])
			return orb.Point{e, n}
		}
	case crs.Zone != 0:
		project = func(p orb.Point) orb.Point {
			e, n := crs.Zone.Forward(p[0], p[1])
			return orb.Point{e, n}
		}
	}
	var shp, shx bytes.Buffer
	shp.Write(make([]byte, headerLen))
	shx.Write(make([]byte, headerLen))
	var fileBound orb.Bound
	haveBound := false
	for i, r := range records {
		rings, err := outputRings(r.Geometry, project)
		if err != nil {
			return nil, nil, fmt.Errorf("第 %d 条记录：%w", i+1, err)
		}
		content := shapeContent(rings)
		if len(rings) > 0 {
			b := ringsBound(rings)
			if !haveBound {
				fileBound, haveBound = b, true
			} else {
				fileBound = fileBound.Union(b)
			}
		}
		var rh [8]byte
		binary.BigEndian.PutUint32(rh[0:4], uint32(i+1))
		binary.BigEndian.PutUint32(rh[4:8], uint32(len(content)/2))
		var xh [8]byte
		binary.BigEndian.PutUint32(xh[0:4], uint32(shp.Len()/2))
		binary.BigEndian.PutUint32(xh[4:8], uint32(len(content)/2))
		shx.Write(xh[:])
		shp.Write(rh[:])
		shp.Write(content)
		if shp.Len() > math.MaxInt32 {
			return nil, nil, errors.New(".shp 超过 2 GB 上限")
		}
	}
	shpData, shxData = shp.Bytes(), shx.Bytes()
	putFileHeader(shpData, fileBound)
	putFileHeader(shxData, fileBound)
	return shpData, shxData, nil
}

// outputRings projects the rings of a lon/lat Polygon or MultiPolygon,
// closes them and orients shells clockwise and holes counter-clockwise. A nil
// geometry has no rings (a null shape).
func outputRings(g orb.Geometry, project func(orb.Point) orb.Point) ([]orb.Ring, error) {
	if g == nil {
		return nil, nil
	}
	polys, ok := geo.Polygons(g)
	if !ok {
		return nil, fmt.Errorf("几何类型 %s 不是面（Polygon 或 MultiPolygon）", g.GeoJSONType())
	}
	var out []orb.Ring
	for pi, p := range polys {
		for ri, r := range p {
			if len(r) == 0 {
				continue
			}
			ring := make(orb.Ring, 0, len(r)+1)
			for _, q := range r {
				if math.IsNaN(q[0]) || math.IsNaN(q[1]) || q[0] < -180 || q[0] > 180 || q[1] < -90 || q[1] > 90 {
					return nil, fmt.Errorf("坐标 (%v, %v) 不是有效的经纬度", q[0], q[1])
				}
				ring = append(ring, project(q))
			}
			if ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0])
			}
			if len(ring) < 4 {
				return nil, fmt.Errorf("第 %d 个面的第 %d 个环不足 3 个点", pi+1, ri+1)
			}
			out = append(out, geo.OrientRing(ring, ri != 0)) // shells clockwise, holes counter-clockwise
		}
	}
	return out, nil
}

// shapeContent is the record content of a polygon (type 5) or, without
// rings, of a null shape.
func shapeContent(rings []orb.Ring) []byte {
	if len(rings) == 0 {
		return binary.LittleEndian.AppendUint32(nil, shapeNull)
	}
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	b := make([]byte, 0, 44+4*len(rings)+16*n)
	b = binary.LittleEndian.AppendUint32(b, shapePolygon)
	b = appendBound(b, ringsBound(rings))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(rings)))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	start := 0
	for _, r := range rings {
		b = binary.LittleEndian.AppendUint32(b, uint32(start))
		start += len(r)
	}
	for _, r := range rings {
		for _, p := range r {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[0]))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[1]))
		}
	}
	return b
}

func ringsBound(rings []orb.Ring) orb.Bound {
	b := rings[0].Bound()
	for _, r := range rings[1:] {
		b = b.Union(r.Bound())
	}
	return b
}

func appendBound(b []byte, bd orb.Bound) []byte {
	for _, v := range []float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// putFileHeader fills the 100-byte header of a .shp or .shx (data holds
// the whole file).
func putFileHeader(data []byte, bd orb.Bound) {
	binary.BigEndian.PutUint32(data[0:4], fileCode)
	binary.BigEndian.PutUint32(data[24:28], uint32(len(data)/2))
	binary.LittleEndian.PutUint32(data[28:32], shpVersion)
	binary.LittleEndian.PutUint32(data[32:36], shapePolygon)
	for i, v := range []float64{bd.Min[0], bd.Min[1], bd.Max[0], bd.Max[1]} {
		binary.LittleEndian.PutUint64(data[36+8*i:], math.Float64bits(v))
	}
}
