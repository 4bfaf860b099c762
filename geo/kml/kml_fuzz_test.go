package kml

import (
	"archive/zip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"panhuo/geo"
)

// FuzzRead feeds arbitrary bytes to Read and ReadKMZ: they must not panic,
// must return either a *geo.FileError and no features or features whose
// geometry is a closed, finite lon/lat Polygon or MultiPolygon.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"parcels.kml", "parcels.kmz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(handKML))
	f.Add([]byte(onePlacemark))
	f.Add([]byte(`<?xml version="1.0" encoding="GBK"?><kml><Placemark><name>\xd6\xea</name><MultiGeometry><MultiGeometry><LinearRing><coordinates>1,2 3,4 5,6</coordinates></LinearRing></MultiGeometry></MultiGeometry></Placemark></kml>`))
	limits := geo.Limits{MaxFeatures: 50, MaxVerticesPerFeature: 1000, MaxZipEntries: 8, MaxUncompressedBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, read := range []func([]byte, geo.Limits) (geo.Layer, error){Read, ReadKMZ} {
			layer, err := read(data, limits)
			if err != nil {
				var fe *geo.FileError
				if !errors.As(err, &fe) && !errors.Is(err, zip.ErrFormat) {
					t.Fatalf("error %v is %T, not *geo.FileError", err, err)
				}
				if len(layer.Features) != 0 {
					t.Fatal("features returned with an error")
				}
				continue
			}
			if len(layer.Features) == 0 || len(layer.Features) > limits.MaxFeatures {
				t.Fatalf("%d features", len(layer.Features))
			}
			for _, ft := range layer.Features {
				if (ft.Problem == "") == (ft.Geometry == nil) {
					t.Fatalf("feature %d: problem %q geometry %v", ft.Index, ft.Problem, ft.Geometry)
				}
				checkFuzzGeometry(t, ft.Geometry)
			}
		}
	})
}

func checkFuzzGeometry(t *testing.T, g orb.Geometry) {
	if g == nil {
		return
	}
	polys, ok := geo.Polygons(g)
	if !ok {
		t.Fatalf("geometry %T", g)
	}
	for _, p := range polys {
		if len(p) == 0 {
			t.Fatal("polygon without rings")
		}
		for _, r := range p {
			if len(r) < 2 || r[0] != r[len(r)-1] {
				t.Fatalf("ring not closed: %v", r)
			}
			for _, q := range r {
				if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.Abs(q[0]) > 180 || math.Abs(q[1]) > 90 {
					t.Fatalf("bad point %v", q)
				}
			}
		}
	}
}
