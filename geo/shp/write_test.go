package shp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

func fixedTime() time.Time { return time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC) }

// parcelFields are the fields of the source parcels, with names short
// enough for the encoding (10 bytes: 5 Chinese characters in GBK, 3 in UTF-8).
func parcelFields(encoding string) []Field {
	names := []string{"宗地编号", "项目名称", "用地单位", "面积", "认定日期", "类别"}
	if encoding == "UTF-8" {
		names = []string{"宗地号", "项目名", "用地单", "面积", "认定日", "类别"}
	}
	return []Field{
		{Name: names[0], Kind: Text, Width: 20},
		{Name: names[1], Kind: Text, Width: 80},
		{Name: names[2], Kind: Text, Width: 80},
		{Name: names[3], Kind: Number, Width: 12, Decimals: 2},
		{Name: names[4], Kind: Date},
		{Name: names[5], Kind: Text, Width: 12},
	}
}

// parcelRecords are the source parcels as Records.
func parcelRecords(t *testing.T) []Record {
	t.Helper()
	var out []Record
	for _, f := range source(t) {
		polys := f.polygons(t)
		var g orb.Geometry = orb.MultiPolygon(polys)
		if len(polys) == 1 {
			g = polys[0]
		}
		var date any
		if s, ok := f.Properties["认定日期"].(string); ok {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				t.Fatal(err)
			}
			date = d
		}
		area := f.Properties["面积"].(float64)
		out = append(out, Record{Geometry: g, Values: []any{
			f.Properties["宗地编号"], f.Properties["项目名称"], f.Properties["用地单位"], &area, date, f.Properties["类别"],
		}})
	}
	return out
}

func TestWriteReadRoundTrip(t *testing.T) {
	src := source(t)
	records := parcelRecords(t)
	zone38, _ := geo.CRSFromEPSG(4526)
	cm114, _ := geo.CRSFromEPSG(4547)
	for _, tc := range []struct {
		crs      geo.CRS
		encoding string
	}{
		{geo.CRS{}, "GBK"}, {geo.CRS{}, "UTF-8"}, {zone38, "GBK"}, {cm114, "UTF-8"}, {zone38, "UTF-8"}, {cm114, ""},
	} {
		name := fmt.Sprintf("%d %s", tc.crs.EPSG, tc.encoding)
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			opt := WriteOptions{Name: "株洲闲置地块", CRS: tc.crs, Encoding: tc.encoding}
			if err := Write(&buf, parcelFields(tc.encoding), records, opt); err != nil {
				t.Fatal(err)
			}
			entries := unzip(t, buf.Bytes())
			var names []string
			for _, e := range entries {
				names = append(names, e.name)
			}
			if got := strings.Join(names, " "); got != "株洲闲置地块.shp 株洲闲置地块.shx 株洲闲置地块.dbf 株洲闲置地块.prj 株洲闲置地块.cpg" {
				t.Errorf("zip holds %s", got)
			}
			wantEnc, wantCPG, wantLDID := "GBK", "936", byte(0x4D)
			if tc.encoding == "UTF-8" {
				wantEnc, wantCPG, wantLDID = "UTF-8", "UTF-8", 0
			}
			if cpg := string(ext(entries, ".cpg")); cpg != wantCPG {
				t.Errorf(".cpg = %q, want %q", cpg, wantCPG)
			}
			if ldid := ext(entries, ".dbf")[29]; ldid != wantLDID {
				t.Errorf("LDID = %#x, want %#x", ldid, wantLDID)
			}
			wantCRS := tc.crs
			if wantCRS.EPSG == 0 {
				wantCRS, _ = geo.CRSFromEPSG(4490)
			}
			if prj := string(ext(entries, ".prj")); prj != PRJ(wantCRS) {
				t.Errorf(".prj = %s", prj)
			}

			layer, err := Read(buf.Bytes(), geo.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if layer.Encoding != wantEnc || layer.CRS.EPSG != wantCRS.EPSG || layer.CRS.Zone != wantCRS.Zone || layer.CRS.Prefixed != wantCRS.Prefixed {
				t.Errorf("Read: encoding %q, CRS %+v; want %q, %+v", layer.Encoding, layer.CRS, wantEnc, wantCRS)
			}
			if len(layer.Features) != len(src) {
				t.Fatalf("%d features, want %d", len(layer.Features), len(src))
			}
			fields := parcelFields(tc.encoding)
			for i, f := range layer.Features {
				where := fmt.Sprintf("feature %d", i+1)
				if f.Problem != "" || len(f.Warnings) != 0 {
					t.Errorf("%s: problem %q, warnings %q", where, f.Problem, f.Warnings)
					continue
				}
				// Same geometry: lon/lat within 1e-8° (about 1 mm), and for
				// Gauss-Krüger the plane area of the file's coordinates.
				polys := polygonsOf(t, f.Geometry)
				samePolygons(t, where, polys, src[i].polygons(t), 1e-8)
				checkOrientation(t, where, polys)
				if wantCRS.Zone != 0 {
					want := geo.AreaM2(records[i].Geometry, 38)
					if f.Zone != 38 || abs(f.PlanarAreaM2-want) > 0.001 {
						t.Errorf("%s: zone %d, plane area %.4f, want 38, %.4f", where, f.Zone, f.PlanarAreaM2, want)
					}
				}
				// Same attributes.
				if len(f.Properties) != len(fields) {
					t.Fatalf("%s: %d properties", where, len(f.Properties))
				}
				for k, p := range f.Properties {
					want := ""
					switch v := src[i].Properties[[]string{"宗地编号", "项目名称", "用地单位", "面积", "认定日期", "类别"}[k]].(type) {
					case string:
						want = v
					case float64:
						want = fmt.Sprint(v)
					}
					if p.Name != fields[k].Name || p.Value != want {
						t.Errorf("%s: property %d = %s=%q, want %s=%q", where, k+1, p.Name, p.Value, fields[k].Name, want)
					}
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestWriteSHPLayout(t *testing.T) {
	records := parcelRecords(t)
	records = append(records, Record{Values: records[0].Values}) // a null shape
	shpData, shxData, err := writeShapes(records, geo.CRS{})
	if err != nil {
		t.Fatal(err)
	}
	if len(shxData) != 100+8*len(records) {
		t.Fatalf(".shx is %d bytes", len(shxData))
	}
	if got := int(binary.BigEndian.Uint32(shpData[24:])) * 2; got != len(shpData) {
		t.Errorf(".shp header length %d, file %d", got, len(shpData))
	}
	if got := int(binary.BigEndian.Uint32(shxData[24:])) * 2; got != len(shxData) {
		t.Errorf(".shx header length %d, file %d", got, len(shxData))
	}
	if typ := binary.LittleEndian.Uint32(shpData[32:]); typ != 5 {
		t.Errorf("shape type %d", typ)
	}
	// The file's bounding box holds every vertex and touches the extremes.
	var all orb.Bound
	for i, r := range records[:len(records)-1] {
		if i == 0 {
			all = r.Geometry.Bound()
		}
		all = all.Union(r.Geometry.Bound())
	}
	box := readBox(shpData[36:])
	if box != all {
		t.Errorf("file box %v, want %v", box, all)
	}
	for i := range records {
		off := 2 * int(binary.BigEndian.Uint32(shxData[100+8*i:]))
		length := 2 * int(binary.BigEndian.Uint32(shxData[104+8*i:]))
		if n := binary.BigEndian.Uint32(shpData[off:]); int(n) != i+1 {
			t.Errorf("record %d numbered %d", i+1, n)
		}
		content := shpData[off+8 : off+8+length]
		if i == len(records)-1 {
			if length != 4 || binary.LittleEndian.Uint32(content) != 0 {
				t.Errorf("null record: %d bytes, type %d", length, binary.LittleEndian.Uint32(content))
			}
			continue
		}
		if b := readBox(content[4:]); b != records[i].Geometry.Bound() {
			t.Errorf("record %d box %v, want %v", i+1, b, records[i].Geometry.Bound())
		}
		// Shells clockwise, holes counter-clockwise, as the specification says.
		raw := readShape(content, 1000)
		for k, r := range raw.rings {
			hole := i == 1 && k == 1
			if a := geo.RingSignedArea(r); (a > 0) != hole {
				t.Errorf("record %d ring %d: signed area %g, hole %v", i+1, k+1, a, hole)
			}
		}
	}
}

func readBox(b []byte) orb.Bound {
	f := func(i int) float64 {
		return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return orb.Bound{Min: orb.Point{f(0), f(1)}, Max: orb.Point{f(2), f(3)}}
}

func TestWriteDBF(t *testing.T) {
	v := 3.14159
	fields := []Field{
		{Name: "名称", Kind: Text, Width: 9},
		{Name: "面积", Kind: Number, Width: 10, Decimals: 2},
		{Name: "日期", Kind: Date},
		{Name: "N", Kind: Number, Width: 5},
	}
	records := []Record{
		{Values: []any{"株洲高新区", &v, time.Date(2023, 6, 15, 0, 0, 0, 0, time.UTC), 42}},
		{Values: []any{nil, (*float64)(nil), nil, nil}},
	}
	for _, tc := range []struct {
		enc  string
		name []byte // 名称 cut to 9 bytes
	}{
		{encGBK, []byte("\xd6\xea\xd6\xde\xb8\xdf\xd0\xc2 ")}, // 株洲高新 + padding
		{encUTF8, []byte("株洲高")},
	} {
		checked, err := checkFields(fields, tc.enc)
		if err != nil {
			t.Fatal(err)
		}
		data, err := writeDBF(checked, records, tc.enc, fixedTime())
		if err != nil {
			t.Fatal(err)
		}
		if data[0] != 3 || data[1] != 124 || data[2] != 5 || data[3] != 6 {
			t.Errorf("%s: header %x", tc.enc, data[:4])
		}
		headerLen := 32 + 32*4 + 1
		rec := data[headerLen : headerLen+1+9+10+8+5]
		want := append(append([]byte(" "), tc.name...), []byte("      3.1420230615   42")...)
		if !bytes.Equal(rec, want) {
			t.Errorf("%s: record %q, want %q", tc.enc, rec, want)
		}
		empty := data[headerLen+len(rec) : headerLen+2*len(rec)]
		if strings.TrimSpace(string(empty)) != "" {
			t.Errorf("%s: empty record %q", tc.enc, empty)
		}
		if data[len(data)-1] != 0x1A {
			t.Errorf("%s: no end-of-file marker", tc.enc)
		}
		// And back.
		table, reason := parseDBF(data)
		if reason != "" {
			t.Fatal(reason)
		}
		r0, _ := table.record(0)
		dec := decoder(tc.enc)
		var got []string
		for _, f := range table.fields {
			got = append(got, dec(f.rawName)+"="+fieldText(f, r0, dec))
		}
		wantName := "株洲高新"
		if tc.enc == encUTF8 {
			wantName = "株洲高"
		}
		if g := strings.Join(got, " "); g != "名称="+wantName+" 面积=3.14 日期=2023-06-15 N=42" {
			t.Errorf("%s: read back %s", tc.enc, g)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	poly := orb.Polygon{{{113, 27.8}, {113.01, 27.8}, {113.01, 27.81}, {113, 27.8}}}
	for _, tc := range []struct {
		name    string
		fields  []Field
		records []Record
		opt     WriteOptions
		want    string
	}{
		{"name too long in UTF-8", []Field{{Name: "宗地编号"}}, nil, WriteOptions{Encoding: "UTF-8"}, "超过 10 字节"},
		{"name too long in GBK", []Field{{Name: "宗地编号名称"}}, nil, WriteOptions{}, "超过 10 字节"},
		{"duplicate name", []Field{{Name: "A"}, {Name: "a"}}, nil, WriteOptions{}, "重复"},
		{"no fields", nil, nil, WriteOptions{}, "至少要有一个字段"},
		{"not GBK", []Field{{Name: "名称"}}, []Record{{Geometry: poly, Values: []any{"𠀀"}}}, WriteOptions{}, "无法用 GBK 表示"},
		{"wrong type", []Field{{Name: "N", Kind: Number}}, []Record{{Geometry: poly, Values: []any{"1"}}}, WriteOptions{}, "float64"},
		{"number too wide", []Field{{Name: "N", Kind: Number, Width: 4, Decimals: 1}}, []Record{{Geometry: poly, Values: []any{123.4}}}, WriteOptions{}, "超出字段宽度"},
		{"values count", []Field{{Name: "N"}}, []Record{{Geometry: poly, Values: nil}}, WriteOptions{}, "0 个属性值"},
		{"a line", []Field{{Name: "N"}}, []Record{{Geometry: orb.LineString{{113, 27}, {114, 28}}, Values: []any{"x"}}}, WriteOptions{}, "不是面"},
		{"projected input", []Field{{Name: "N"}}, []Record{{Geometry: orb.Polygon{{{500000, 3e6}, {500010, 3e6}, {500010, 3e6 + 10}}}, Values: []any{"x"}}}, WriteOptions{}, "不是有效的经纬度"},
		{"WGS 84", []Field{{Name: "N"}}, nil, WriteOptions{CRS: geo.CRS{EPSG: 4326}}, "只能导出为"},
		{"encoding", []Field{{Name: "N"}}, nil, WriteOptions{Encoding: "Big5"}, "不支持的编码"},
		{"file name", []Field{{Name: "N"}}, nil, WriteOptions{Name: "a/b"}, "不能用于文件名"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(&bytes.Buffer{}, tc.fields, tc.records, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write error = %v, want %q", err, tc.want)
			}
		})
	}
}
