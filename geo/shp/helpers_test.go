package shp

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// fixtures lists the zips made by testdata/gen.sh.
func fixtures() []string {
	return []string{
		"cgcs2000_utf8.zip", "cgcs2000_gbk.zip", "gk38_prefixed_gbk.zip",
		"gk114e_utf8.zip", "gbk_ldid_nocpg.zip", "arcgis_custom_prj.zip",
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// entry is one file of a zip.
type entry struct {
	name string
	data []byte
}

// unzip returns the entries of a zip in order.
func unzip(t testing.TB, data []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{f.Name, b})
	}
	return out
}

// ext returns the data of the entry with the extension, nil if none.
func ext(entries []entry, e string) []byte {
	for _, en := range entries {
		if strings.EqualFold(path.Ext(en.name), e) {
			return en.data
		}
	}
	return nil
}

// replace returns entries with the data of extension e replaced (dropped
// when data is nil).
func replace(entries []entry, e string, data []byte) []entry {
	var out []entry
	for _, en := range entries {
		if strings.EqualFold(path.Ext(en.name), e) {
			if data == nil {
				continue
			}
			en.data = data
		}
		out = append(out, en)
	}
	return out
}

// zipOf zips entries with Deflate.
func zipOf(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, en := range entries {
		w, err := zw.Create(en.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(en.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedZip zips entries uncompressed and without CRC-32 (which Go's reader
// then does not check), so that a fuzzer's mutations reach the shapefile
// parsers instead of failing the checksum.
func storedZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, en := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: en.name, Method: zip.Store,
			CompressedSize64: uint64(len(en.data)), UncompressedSize64: uint64(len(en.data)),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(en.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wantFileError asserts that err is a *geo.FileError whose reason contains
// want.
func wantFileError(t *testing.T, err error, want string) *geo.FileError {
	t.Helper()
	var fe *geo.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want a *geo.FileError containing %q", err, err, want)
	}
	if fe.Format != "Shapefile" {
		t.Errorf("Format = %q, want Shapefile", fe.Format)
	}
	if !strings.Contains(fe.Reason, want) {
		t.Errorf("reason = %q, want it to contain %q", fe.Reason, want)
	}
	return fe
}

// sourceFeature is a feature of testdata/parcels.geojson.
type sourceFeature struct {
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// source reads testdata/parcels.geojson, GDAL's input for the fixtures.
func source(t testing.TB) []sourceFeature {
	t.Helper()
	var fc struct {
		Features []sourceFeature `json:"features"`
	}
	if err := json.Unmarshal(readFile(t, "testdata/parcels.geojson"), &fc); err != nil {
		t.Fatal(err)
	}
	return fc.Features
}

// polygons returns the geometry of a source feature as polygons.
func (f sourceFeature) polygons(t testing.TB) []orb.Polygon {
	t.Helper()
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(f.Geometry, &g); err != nil {
		t.Fatal(err)
	}
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		return []orb.Polygon{toPolygon(p)}
	case "MultiPolygon":
		var mp [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
			t.Fatal(err)
		}
		var out []orb.Polygon
		for _, p := range mp {
			out = append(out, toPolygon(p))
		}
		return out
	}
	t.Fatalf("geometry type %s", g.Type)
	return nil
}

func toPolygon(p [][][2]float64) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		for _, q := range r {
			out[i] = append(out[i], orb.Point(q))
		}
	}
	return out
}

// polygonsOf returns a Polygon or MultiPolygon as polygons.
func polygonsOf(t testing.TB, g orb.Geometry) []orb.Polygon {
	t.Helper()
	polys, ok := geo.Polygons(g)
	if !ok {
		t.Fatalf("geometry %T, want a Polygon or MultiPolygon", g)
	}
	return polys
}

// samePolygons asserts that got and want have the same rings and vertices
// within tol, in order (rings as closed, shells as in want).
func samePolygons(t *testing.T, where string, got, want []orb.Polygon, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d polygons, want %d", where, len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: polygon %d has %d rings, want %d", where, i+1, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			g, w := got[i][j], want[i][j]
			if len(g) != len(w) {
				t.Fatalf("%s: polygon %d ring %d has %d points, want %d", where, i+1, j+1, len(g), len(w))
			}
			for k := range w {
				if d := math.Max(math.Abs(g[k][0]-w[k][0]), math.Abs(g[k][1]-w[k][1])); d > tol {
					t.Fatalf("%s: polygon %d ring %d point %d = %v, want %v (off by %g)", where, i+1, j+1, k+1, g[k], w[k], d)
				}
			}
		}
	}
}

// checkOrientation asserts shells counter-clockwise and holes clockwise.
func checkOrientation(t *testing.T, where string, polys []orb.Polygon) {
	t.Helper()
	for i, p := range polys {
		for j, r := range p {
			if a := geo.RingSignedArea(r); (a > 0) != (j == 0) {
				t.Errorf("%s: polygon %d ring %d has signed area %g: want shells counter-clockwise, holes clockwise", where, i+1, j+1, a)
			}
		}
	}
}

// propsMap returns the properties of f by name.
func propsMap(f geo.Feature) map[string]string {
	m := map[string]string{}
	for _, p := range f.Properties {
		m[p.Name] = p.Value
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
