package shp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encodings of attribute text, as reported in geo.Layer.Encoding.
const (
	encUTF8    = "UTF-8"
	encGBK     = "GBK"
	encGB18030 = "GB18030"
)

// DBF language driver IDs (byte 29 of the header) that panhuo acts on.
const (
	ldidNone  = 0x00
	ldidCP936 = 0x4D // Chinese GBK (PRC), code page 936; GDAL's LDID/77
	ldidANSI  = 0x57 // "ANSI": the writer's Windows code page, unknown here
	ldidGBK2  = 0x7A // also code page 936 in ESRI's table
)

const (
	dbfHeaderLen = 32
	dbfFieldLen  = 32
)

// dbfField is one field descriptor of a DBF.
type dbfField struct {
	rawName  []byte // up to 11 bytes, NUL-trimmed, in the file's encoding
	typ      byte   // C, N, F, D, L, M, …
	length   int
	decimals int
	offset   int // in the record, after the deletion flag
}

// dbfTable is a parsed DBF held in memory.
type dbfTable struct {
	ldid      byte
	fields    []dbfField
	records   int
	headerLen int
	recordLen int
	data      []byte
}

// parseDBF checks a dBase III DBF and reads its field descriptors. The reason
// is in Chinese.
func parseDBF(data []byte) (*dbfTable, string) {
	if len(data) < dbfHeaderLen+1 {
		return nil, "属性表文件不完整或已损坏（不足文件头长度）"
	}
	t := &dbfTable{
		ldid:      data[29],
		records:   int(binary.LittleEndian.Uint32(data[4:8])),
		headerLen: int(binary.LittleEndian.Uint16(data[8:10])),
		recordLen: int(binary.LittleEndian.Uint16(data[10:12])),
		data:      data,
	}
	if t.headerLen < dbfHeaderLen+1 || t.headerLen > len(data) {
		return nil, "属性表文件头长度无效：文件不完整或已损坏"
	}
	offset := 1 // the deletion flag
	for p := dbfHeaderLen; p+dbfFieldLen <= t.headerLen && data[p] != 0x0D; p += dbfFieldLen {
		d := data[p : p+dbfFieldLen]
		name := d[:11]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		f := dbfField{rawName: name, typ: d[11], length: int(d[16]), decimals: int(d[17]), offset: offset}
		if f.typ == 'C' {
			// Clipper and FoxPro use the decimals byte as the high byte of long text fields.
			f.length += 256 * f.decimals
			f.decimals = 0
		}
		offset += f.length
		t.fields = append(t.fields, f)
	}
	if len(t.fields) == 0 {
		return nil, "属性表没有字段：文件不完整或已损坏"
	}
	if offset > t.recordLen {
		return nil, fmt.Sprintf("属性表记录长度 %d 小于字段宽度之和 %d：文件已损坏", t.recordLen, offset)
	}
	if int64(t.records)*int64(t.recordLen) > int64(len(data)-t.headerLen) {
		return nil, fmt.Sprintf("属性表声明 %d 条记录，但文件只容得下 %d 条：文件不完整或已损坏",
			t.records, (len(data)-t.headerLen)/t.recordLen)
	}
	return t, ""
}

// record returns the bytes of record i (0-based) and whether it is deleted.
func (t *dbfTable) record(i int) (rec []byte, deleted bool) {
	p := t.headerLen + i*t.recordLen
	rec = t.data[p : p+t.recordLen]
	return rec, rec[0] == '*'
}

// textIsUTF8 reports whether all the text of the table (field names and
// records) is valid UTF-8, for guessing the encoding; a name cut in the
// middle of a UTF-8 character (GDAL cuts UTF-8 names at 10 bytes) is
// trimmed.
func (t *dbfTable) textIsUTF8() bool {
	for _, f := range t.fields {
		if !utf8.Valid(trimPartialUTF8(f.rawName)) {
			return false
		}
	}
	return utf8.Valid(t.data[t.headerLen : t.headerLen+t.records*t.recordLen])
}

// trimPartialUTF8 drops an incomplete UTF-8 sequence at the end of b.
func trimPartialUTF8(b []byte) []byte {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return b
		}
		if c >= 0xC0 { // a lead byte: is its sequence complete?
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			return b
		}
	}
	return b
}

// encodingFromCPG reads the content of a .cpg: "UTF-8", "65001", "936",
// "CP936", "GBK", "GB2312", "ANSI 936", "GB18030", … ok is false for any
// other code page.
func encodingFromCPG(cpg string) (enc string, ok bool) {
	n := strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(cpg, "\ufeff")))
	n = strings.NewReplacer(" ", "", "-", "", "_", "").Replace(n)
	n = strings.TrimPrefix(n, "ANSI")
	switch n {
	case "UTF8", "65001", "UNICODE":
		return encUTF8, true
	case "936", "CP936", "MS936", "WINDOWS936", "GBK", "GB2312", "20936", "EUCCN", "OEM936":
		return encGBK, true
	case "GB18030", "54936":
		return encGB18030, true
	}
	return "", false
}

// encodingFromLDID reads the DBF language driver byte; ok is false when it
// does not name a Chinese or Unicode code page (0, 0x57 "ANSI", Western ones).
func encodingFromLDID(ldid byte) (enc string, ok bool) {
	switch ldid {
	case ldidCP936, ldidGBK2:
		return encGBK, true
	}
	return "", false
}

// decoder returns a function decoding text of the encoding into UTF-8.
// Invalid bytes become U+FFFD; an incomplete character at the end (a name or
// value cut at the field width) is dropped.
func decoder(enc string) func([]byte) string {
	if enc == encUTF8 {
		return func(b []byte) string {
			return strings.ToValidUTF8(string(trimPartialUTF8(b)), "\uFFFD")
		}
	}
	e := simplifiedchinese.GBK
	if enc == encGB18030 {
		e = simplifiedchinese.GB18030
	}
	return func(b []byte) string {
		s, err := e.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return strings.TrimRight(string(s), "\uFFFD")
	}
}

// fieldText returns the value of field f in record rec as text: numbers via
// strconv.FormatFloat(v, 'f', -1, 64), dates as YYYY-MM-DD, logicals as
// true/false, empty values as "". A value that does not parse is returned
// as written.
func fieldText(f dbfField, rec []byte, decode func([]byte) string) string {
	if f.offset+f.length > len(rec) {
		return ""
	}
	raw := bytes.TrimRight(rec[f.offset:f.offset+f.length], "\x00")
	switch f.typ {
	case 'N', 'F':
		s := strings.TrimSpace(string(raw))
		if s == "" {
			return ""
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return decode([]byte(s))
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case 'D':
		s := strings.TrimSpace(string(raw))
		if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
			if s == "00000000" {
				return ""
			}
			return s[:4] + "-" + s[4:6] + "-" + s[6:]
		}
		return decode([]byte(s))
	case 'L':
		switch strings.TrimSpace(string(raw)) {
		case "T", "t", "Y", "y":
			return "true"
		case "F", "f", "N", "n":
			return "false"
		}
		return ""
	}
	return strings.TrimSpace(decode(raw))
}
