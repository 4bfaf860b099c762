package shp

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// TestFieldReaderMatchesFieldText checks the fast decoding of Read against
// fieldText, the plain definition of a field's text, on random fields full
// of what real files hold and what they should not: padding, NULs, GBK and
// UTF-8 characters (some cut at the field's end), invalid bytes, white space
// of any width, numbers, dates and logicals.
func TestFieldReaderMatchesFieldText(t *testing.T) {
	pieces := [][]byte{
		{' '}, {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}, {0}, {'\t'}, {'\r'}, {'\v'},
		[]byte("ZZ-2023-001"), []byte("0"), []byte("5.6600"), []byte("-1.5"), []byte("."), []byte("1e3"),
		[]byte("12345678901234567890"), []byte("0.000000000000001"), []byte("NaN"), []byte("20230615"),
		[]byte("00000000"), []byte("T"), []byte("n"), []byte("?"),
		{0xD6, 0xEA}, {0xD6, 0xDE}, {0xB8, 0xDF}, // 株 洲 高 in GBK
		{0xA1, 0xA1},           // U+3000 in GBK
		{0x81}, {0x80}, {0xFF}, // a lead byte alone, the euro sign, invalid
		{0x81, 0x30, 0x81, 0x30}, // a GB18030 four-byte character
		{0x81, 0x30},
		[]byte("株洲"), {0xE4, 0xB8}, // UTF-8, and a character cut short
		[]byte("\u3000"), []byte("\u00a0"), []byte("\u0085"), []byte("\ufffd"), {0xC2, 0xA0},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, enc := range []string{encGBK, encGB18030, encUTF8} {
		fr := newFieldReader(enc)
		dec := decoder(enc)
		for range 100000 {
			var rec []byte
			rec = append(rec, ' ') // the deletion flag
			for k := rng.IntN(6); k > 0; k-- {
				rec = append(rec, pieces[rng.IntN(len(pieces))]...)
			}
			f := dbfField{typ: "CNFDLM"[rng.IntN(6)], length: len(rec) - 1, offset: 1}
			if rng.IntN(4) == 0 && f.length > 0 {
				f.length-- // the record does not end with the field
			}
			if len(fr.buf) > 1<<16 {
				fr.buf = fr.buf[:0]
			}
			sp := fr.appendField(f, rec)
			got, want := string(fr.buf[sp.start:sp.end]), fieldText(f, rec, dec)
			if got != want {
				t.Fatalf("%s field %c %q: %q, want %q", enc, f.typ, rec[f.offset:f.offset+f.length], got, want)
			}
		}
	}
}

func TestAppendShortDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	taken := 0
	for range 200000 {
		b := make([]byte, rng.IntN(2*maxShortDecimal+3))
		for i := range b {
			b[i] = "0000123456789."[rng.IntN(14)]
		}
		got, ok := appendShortDecimal(nil, b)
		v, err := strconv.ParseFloat(string(b), 64)
		if !ok {
			continue
		}
		taken++
		if err != nil {
			t.Fatalf("%q: took what ParseFloat refuses (%v)", b, err)
		}
		if want := strconv.FormatFloat(v, 'f', -1, 64); string(got) != want {
			t.Fatalf("%q: %q, want %q", b, got, want)
		}
	}
	if taken < 50000 {
		t.Errorf("only %d numbers of 200 000 taken", taken)
	}
}

// TestReadSkipsDeletedRecords reads a fixture with records marked deleted
// in the DBF: the others keep their index, attributes and geometry.
func TestReadSkipsDeletedRecords(t *testing.T) {
	entries := unzip(t, readFile(t, "testdata/cgcs2000_gbk.zip"))
	all, err := Read(zipOf(t, entries), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	checkDeleted(t, entries, all, [][]int{{1}, {2, 4}, {5}, {1, 2, 3, 4, 5}})

	// Several chunks of records.
	var recs []Record
	for i := range 3*chunkRecords + 10 {
		x, y := 113+float64(i%50)*0.001, 27.8+float64(i/50)*0.001
		recs = append(recs, Record{
			Geometry: orb.Polygon{{{x, y}, {x + 0.0005, y}, {x + 0.0005, y + 0.0005}, {x, y + 0.0005}, {x, y}}},
			Values:   []any{"宗地" + strconv.Itoa(i+1)},
		})
	}
	var buf bytes.Buffer
	if err := Write(&buf, []Field{{Name: "宗地编号", Kind: Text, Width: 20}}, recs, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	all, err = Read(buf.Bytes(), geo.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	entries = unzip(t, buf.Bytes())
	checkDeleted(t, entries, all, [][]int{{1}, {chunkRecords, chunkRecords + 1, 2*chunkRecords + 7}, {len(recs)}})
}

func checkDeleted(t *testing.T, entries []entry, all geo.Layer, cases [][]int) {
	t.Helper()
	for _, deleted := range cases {
		dbf := bytes.Clone(ext(entries, ".dbf"))
		headerLen := int(binary.LittleEndian.Uint16(dbf[8:10]))
		recordLen := int(binary.LittleEndian.Uint16(dbf[10:12]))
		for _, i := range deleted {
			dbf[headerLen+(i-1)*recordLen] = '*'
		}
		layer, err := Read(zipOf(t, replace(entries, ".dbf", dbf)), geo.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		var want []geo.Feature
		for _, f := range all.Features {
			if !slices.Contains(deleted, f.Index) {
				want = append(want, f)
			}
		}
		if !reflect.DeepEqual(layer.Features, want) {
			t.Errorf("records %v deleted: got %d features, want %d", deleted, len(layer.Features), len(want))
		}
	}
}
