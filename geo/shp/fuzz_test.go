package shp

import (
	"testing"

	"panhuo/geo"
)

// FuzzRead feeds Read with mutations of the fixtures, both as GDAL zipped
// them and stored without compression or CRC-32 (so that mutations reach
// the .shp, .shx, .dbf and .prj parsers instead of failing the checksum).
// Read must return a layer or an error, never panic. Run it with a bounded
// minimization, or the engine spends its first minute minimizing 8 KB seeds:
//
//	go test ./geo/shp -run XXX -fuzz FuzzRead -fuzztime 60s -fuzzminimizetime 100x
func FuzzRead(f *testing.F) {
	for _, name := range append(fixtures(), "bad/points.zip", "bad/lines.zip") {
		data := readFile(f, "testdata/"+name)
		f.Add(data)
		f.Add(storedZip(f, unzip(f, data)))
	}
	limits := geo.Limits{MaxFeatures: 1000, MaxVerticesPerFeature: 10000, MaxUncompressedBytes: 8 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		layer, err := Read(data, limits)
		if err != nil {
			return
		}
		for _, ft := range layer.Features {
			if (ft.Geometry == nil) == (ft.Problem == "") {
				t.Fatalf("feature %d: geometry %T with problem %q", ft.Index, ft.Geometry, ft.Problem)
			}
		}
	})
}
