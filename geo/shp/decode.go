package shp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"panhuo/geo"
)

// chunkRecords is how many records a worker decodes at a time: enough that
// the values of a chunk share one string, few enough that the workers of a
// 2-core machine finish together.
const chunkRecords = 256

// layerSource is a checked shapefile, ready to be decoded into features.
type layerSource struct {
	table            *dbfTable
	shp              []byte
	offsets, lengths []int // of the .shp records, from the .shx
	names            []string
	labels           []int // indices of the label fields, in order of preference
	encoding         string
	crs              geo.CRS
	maxVertices      int
}

// decodeResult is what decoding the records found beyond the features.
type decodeResult struct {
	deleted               int    // records skipped
	shapes, coordProblems int    // records with a polygon; of them, with impossible coordinates
	firstCoordProblem     string // of the first record with impossible coordinates
}

// labelColumns lists, for labelFields in order, the indices of the fields of
// that name (Latin names compared ignoring case).
func labelColumns(names []string) []int {
	var out []int
	for _, l := range labelFields() {
		for k, n := range names {
			if strings.EqualFold(n, l) {
				out = append(out, k)
			}
		}
	}
	return out
}

// decode decodes every record that is not deleted into a feature, in file
// order, on all cores: records are fixed-size in the DBF and the .shx gives
// where each is in the .shp, so chunks of records are independent.
func (src *layerSource) decode() ([]geo.Feature, decodeResult) {
	n := len(src.offsets)
	chunks := (n + chunkRecords - 1) / chunkRecords
	features := make([]geo.Feature, n) // by record; a deleted one stays zero
	results := make([]decodeResult, chunks)

	var next atomic.Int64
	work := func() {
		fr := newFieldReader(src.encoding)
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			lo, hi := c*chunkRecords, min(n, (c+1)*chunkRecords)
			results[c] = src.decodeChunk(fr, lo, hi, features[lo:hi])
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), chunks); workers <= 1 {
		work()
	} else {
		parallel(workers, work)
	}

	var res decodeResult
	for _, r := range results {
		res.shapes += r.shapes
		res.coordProblems += r.coordProblems
		res.deleted += r.deleted
		if res.firstCoordProblem == "" {
			res.firstCoordProblem = r.firstCoordProblem
		}
	}
	if res.deleted == n {
		return nil, res
	}
	if res.deleted > 0 {
		live := features[:0]
		for _, f := range features {
			if f.Index != 0 {
				live = append(live, f)
			}
		}
		clear(features[len(live):])
		features = live
	}
	return features, res
}

// parallel runs work on n goroutines and waits for them; a panic in one is
// raised again in the caller, where a server's recovery can handle it.
func parallel(n int, work func()) {
	var wg sync.WaitGroup
	var once sync.Once
	var panicked any
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { panicked = fmt.Sprintf("%v\n%s", r, debug.Stack()) })
				}
			}()
			work()
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// decodeChunk decodes records lo to hi (0-based, hi excluded) into out[0]
// to out[hi-lo-1], leaving deleted records zero.
func (src *layerSource) decodeChunk(fr *fieldReader, lo, hi int, out []geo.Feature) decodeResult {
	var res decodeResult
	nf := len(src.table.fields)
	props := make([]geo.Property, len(out)*nf)
	fr.buf = fr.buf[:0]
	fr.spans = slices.Grow(fr.spans[:0], len(out)*nf)[:len(out)*nf]
	for i := lo; i < hi; i++ {
		rec, deleted := src.table.record(i)
		if deleted {
			res.deleted++
			continue
		}
		j := i - lo
		for k, fd := range src.table.fields {
			fr.spans[j*nf+k] = fr.appendField(fd, rec)
		}
		f := &out[j]
		f.Index = i + 1
		f.Properties = props[j*nf : (j+1)*nf : (j+1)*nf]

		content := src.shp[src.offsets[i]+8 : src.offsets[i]+8+src.lengths[i]]
		raw := readShape(content, src.maxVertices)
		if raw.problem != "" {
			f.Problem = raw.problem
			continue
		}
		res.shapes++
		g, warnings, problem := assemble(raw.rings)
		f.Warnings = append(f.Warnings, warnings...)
		if problem == "" {
			problem = toLonLat(f, g, src.crs)
			if problem != "" {
				res.coordProblems++
				if res.firstCoordProblem == "" {
					res.firstCoordProblem = fmt.Sprintf("第 %d 个要素：%s", i+1, problem)
				}
			}
		}
		f.Problem = problem
	}

	// The values of the chunk share one string.
	text := string(fr.buf)
	for j := range out {
		f := &out[j]
		if f.Index == 0 { // deleted
			continue
		}
		for k := range f.Properties {
			sp := fr.spans[j*nf+k]
			f.Properties[k] = geo.Property{Name: src.names[k], Value: text[sp.start:sp.end]}
		}
		for _, k := range src.labels {
			if v := f.Properties[k].Value; v != "" {
				f.Label = v
				break
			}
		}
		if f.Label == "" {
			f.Label = fmt.Sprintf("第 %d 个要素", f.Index)
		}
	}
	return res
}

// maxShortDecimal is the most significant digits appendShortDecimal takes:
// every decimal of up to 15 digits (DBL_DIG) reads as a float64 that reads
// back as that decimal, and as no shorter one.
const maxShortDecimal = 15

// appendShortDecimal appends what strconv.FormatFloat(strconv.ParseFloat(s),
// 'f', -1, 64) gives for a number written as digits with maybe a decimal
// point and up to maxShortDecimal significant digits, as DBF numbers mostly
// are: s without its leading and trailing zeros. ok is false, and dst
// unchanged, for any other s.
func appendShortDecimal(dst, s []byte) ([]byte, bool) {
	if len(s) > 2*maxShortDecimal { // and so far from the ends of float64's range
		return dst, false
	}
	whole, frac := s, []byte(nil)
	if i := bytes.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i+1:]
	}
	if len(whole)+len(frac) == 0 || !allDigits(whole) || !allDigits(frac) {
		return dst, false
	}
	for len(whole) > 0 && whole[0] == '0' {
		whole = whole[1:]
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	digits := len(whole) + len(frac)
	if len(whole) == 0 {
		digits = len(bytes.TrimLeft(frac, "0"))
	}
	if digits > maxShortDecimal {
		return dst, false
	}
	if len(whole) == 0 {
		dst = append(dst, '0')
	}
	dst = append(dst, whole...)
	if len(frac) > 0 {
		dst = append(append(dst, '.'), frac...)
	}
	return dst, true
}

// span is where a value lies in fieldReader.buf.
type span struct{ start, end int }

// fieldReader decodes the values of DBF fields for one goroutine, as
// fieldText does: it owns its GBK decoder (golang.org/x/text transformers are
// not safe for concurrent use) and appends the values of a chunk of records
// to one buffer. ASCII values, empty ones and the padding of the others skip
// the decoder.
type fieldReader struct {
	gbk    transform.Transformer // GBK or GB18030; nil for UTF-8
	decode func([]byte) string   // decoder(encoding), for the rare odd value
	buf    []byte
	spans  []span
}

func newFieldReader(enc string) *fieldReader {
	fr := &fieldReader{decode: decoder(enc), buf: make([]byte, 0, 64<<10)}
	switch enc {
	case encGBK:
		fr.gbk = simplifiedchinese.GBK.NewDecoder()
	case encGB18030:
		fr.gbk = simplifiedchinese.GB18030.NewDecoder()
	}
	return fr
}

// appendField appends fieldText(f, rec, decoder(encoding)) to fr.buf and
// says where it is.
func (fr *fieldReader) appendField(f dbfField, rec []byte) span {
	start := len(fr.buf)
	if f.offset+f.length > len(rec) {
		return span{start, start}
	}
	raw := rec[f.offset : f.offset+f.length]
	for len(raw) > 0 && raw[len(raw)-1] == 0 {
		raw = raw[:len(raw)-1]
	}
	switch f.typ {
	case 'N', 'F', 'D', 'L':
		if !isASCII(raw) {
			return fr.appendString(fieldText(f, rec, fr.decode))
		}
		// For ASCII, strings.TrimSpace trims these bytes, and decoding is the
		// identity in every encoding.
		s, _ := trimASCIISpace(raw)
		switch f.typ {
		case 'N', 'F':
			if len(s) == 0 {
				break
			}
			if b, ok := appendShortDecimal(fr.buf, s); ok {
				fr.buf = b
			} else if v, err := strconv.ParseFloat(string(s), 64); err == nil {
				fr.buf = strconv.AppendFloat(fr.buf, v, 'f', -1, 64)
			} else {
				fr.buf = append(fr.buf, s...)
			}
		case 'D':
			switch {
			case len(s) != 8 || !allDigits(s):
				fr.buf = append(fr.buf, s...)
			case string(s) != "00000000":
				fr.buf = append(append(append(append(append(fr.buf, s[:4]...), '-'), s[4:6]...), '-'), s[6:]...)
			}
		case 'L':
			if len(s) == 1 {
				switch s[0] {
				case 'T', 't', 'Y', 'y':
					fr.buf = append(fr.buf, "true"...)
				case 'F', 'f', 'N', 'n':
					fr.buf = append(fr.buf, "false"...)
				}
			}
		}
		return span{start, len(fr.buf)}
	}

	// Text: strings.TrimSpace(decode(raw)).
	s, trailing := trimASCIISpace(raw)
	switch {
	case len(s) == 0:
		return span{start, start}
	case isASCII(s):
		fr.buf = append(fr.buf, s...)
		return span{start, len(fr.buf)}
	case fr.gbk == nil:
		// Valid UTF-8 is kept as it is (the decoder would only replace
		// invalid bytes and drop a character cut at the field's end).
		if !utf8.Valid(s) {
			return fr.appendString(fieldText(f, rec, fr.decode))
		}
		fr.buf = append(fr.buf, s...)
		return trimSpace(fr.buf, start, len(fr.buf))
	}
	// ASCII white space never belongs to a GBK or GB18030 character (trail
	// bytes are 0x30 and up), so the padding decodes to itself and can be left
	// out; but the decoder's trailing U+FFFD (a character cut at the field
	// width) is dropped only when nothing followed it.
	var err error
	fr.buf, _, err = transform.Append(fr.gbk, fr.buf, s)
	if err != nil {
		fr.buf = fr.buf[:start]
		return fr.appendString(fieldText(f, rec, fr.decode))
	}
	end := len(fr.buf)
	if !trailing {
		for end-start >= 3 && string(fr.buf[end-3:end]) == "\uFFFD" {
			end -= 3
		}
	}
	return trimSpace(fr.buf, start, end)
}

func (fr *fieldReader) appendString(s string) span {
	start := len(fr.buf)
	fr.buf = append(fr.buf, s...)
	return span{start, len(fr.buf)}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isASCIISpace reports whether c is one of the ASCII bytes unicode.IsSpace
// (and so strings.TrimSpace) takes for white space.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// trimASCIISpace trims ASCII white space from both ends of b; trailing says
// whether there was any at the end.
func trimASCIISpace(b []byte) (s []byte, trailing bool) {
	end := len(b)
	// Text fields are padded with spaces, often to many times their value:
	// skip them eight at a time.
	const spaces = 0x2020202020202020
	for end >= 8 && binary.LittleEndian.Uint64(b[end-8:end]) == spaces {
		end -= 8
	}
	for end > 0 && isASCIISpace(b[end-1]) {
		end--
	}
	start := 0
	for start < end && isASCIISpace(b[start]) {
		start++
	}
	return b[start:end], end < len(b)
}

// isSpace is unicode.IsSpace, quick for Chinese characters: there is no
// white space after U+3000.
func isSpace(r rune) bool {
	return r <= '\u3000' && unicode.IsSpace(r)
}

// trimSpace is strings.TrimSpace of the valid UTF-8 buf[start:end], as a span.
func trimSpace(buf []byte, start, end int) span {
	for start < end {
		if c := buf[start]; c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			start++
			continue
		}
		r, size := utf8.DecodeRune(buf[start:end])
		if !isSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		if c := buf[end-1]; c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			end--
			continue
		}
		r, size := utf8.DecodeLastRune(buf[start:end])
		if !isSpace(r) {
			break
		}
		end -= size
	}
	return span{start, end}
}
