package geo

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

func TestAppendGeometryJSON(t *testing.T) {
	tests := []struct {
		name     string
		g        orb.Geometry
		decimals int
		want     string
	}{
		{"point", orb.Point{113.08, 27.82}, 8, `{"type":"Point","coordinates":[113.08,27.82]}`},
		{"rounding", orb.Point{113.123456789, 27.000000004}, 8, `{"type":"Point","coordinates":[113.12345679,27]}`},
		{"trailing zeros and dot", orb.Point{100, 0.5}, 8, `{"type":"Point","coordinates":[100,0.5]}`},
		{"negative zero", orb.Point{math.Copysign(0, -1), -0.000000001}, 8, `{"type":"Point","coordinates":[0,0]}`},
		{"negative", orb.Point{-73.5, -0.00000001}, 8, `{"type":"Point","coordinates":[-73.5,-0.00000001]}`},
		{"0 decimals", orb.Point{100, 27.6}, 0, `{"type":"Point","coordinates":[100,28]}`},
		{"shortest", orb.Point{0.1, 113.123456789123}, -1, `{"type":"Point","coordinates":[0.1,113.123456789123]}`},
		{"NaN", orb.Point{math.NaN(), 1}, 8, `{"type":"Point","coordinates":[null,1]}`},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}, 8, `{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`},
		{"linestring", orb.LineString{{1, 2}, {3.25, 4}}, 8, `{"type":"LineString","coordinates":[[1,2],[3.25,4]]}`},
		{"multilinestring", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, 8,
			`{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}`},
		{"polygon", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.1}, {0.8, 0.7}, {0.8, 0.1}, {0.2, 0.1}}}, 8,
			`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.1],[0.8,0.7],[0.8,0.1],[0.2,0.1]]]}`},
		{"multipolygon", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{2, 0}, {3, 0}, {3, 1}, {2, 0}}}}, 8,
			`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,0],[3,0],[3,1],[2,0]]]]}`},
		{"empty polygon", orb.Polygon{}, 8, `{"type":"Polygon","coordinates":[]}`},
		{"empty multipolygon", orb.MultiPolygon{}, 8, `{"type":"MultiPolygon","coordinates":[]}`},
		{"ring", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, 8, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`},
		{"bound", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 2}}, 8,
			`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,2],[0,2],[0,0]]]}`},
		{"collection", orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}}, 8,
			`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[1,2],[3,4]]}]}`},
		{"nil", nil, 8, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendGeometryJSON([]byte("x"), tt.g, tt.decimals))
			if got != "x"+tt.want {
				t.Fatalf("got  %s\nwant %s", got[1:], tt.want)
			}
			if !json.Valid([]byte(tt.want)) {
				t.Fatalf("not JSON: %s", tt.want)
			}
		})
	}
}

// TestAppendGeometryJSONRoundTrip: the output of synthetic parcels and the
// fixture parcels parses with encoding/json and with simplefeatures' GeoJSON
// reader back to the coordinates within half a unit of the last decimal.
func TestAppendGeometryJSONRoundTrip(t *testing.T) {
	var gs []orb.Geometry
	for _, p := range SyntheticParcels(5, SyntheticParks(5, 10), 300) {
		// Unrounded coordinates, so that rounding is exercised.
		q := p.Clone()
		for i := range q[0] {
			q[0][i][0] += 1.23456e-10 * float64(i)
		}
		gs = append(gs, q)
	}
	for _, f := range readParcelFixtures(t) {
		gs = append(gs, f.geom)
	}
	for i, g := range gs {
		out := AppendGeometryJSON(nil, g, 8)
		var decoded struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(out, &decoded); err != nil {
			t.Fatalf("geometry %d: encoding/json: %v\n%s", i, err, out)
		}
		if decoded.Type != g.GeoJSONType() {
			t.Fatalf("geometry %d: type %q", i, decoded.Type)
		}
		back, err := decodeGeoJSONPolygonal(out)
		if err != nil {
			t.Fatalf("geometry %d: %v", i, err)
		}
		sf, err := geom.UnmarshalGeoJSON(out)
		if err != nil {
			t.Fatalf("geometry %d: simplefeatures: %v", i, err)
		}
		want := asPolygons(g)
		got := asPolygons(back)
		sfPoints := sf.DumpCoordinates()
		k := 0
		for pi := range want {
			for ri := range want[pi] {
				for j, p := range want[pi][ri] {
					q := got[pi][ri][j]
					if math.Abs(p[0]-q[0]) > 0.5e-8+1e-12 || math.Abs(p[1]-q[1]) > 0.5e-8+1e-12 {
						t.Fatalf("geometry %d: %v came back as %v", i, p, q)
					}
					if xy := sfPoints.GetXY(k); xy.X != q[0] || xy.Y != q[1] {
						t.Fatalf("geometry %d: encoding/json and simplefeatures disagree: %v vs %v", i, q, xy)
					}
					k++
				}
			}
		}
	}
}

// BenchmarkAppendGeometryJSON10k encodes 10 000 parcels of about 20
// vertices at 8 decimals; budget 100 ms per op.
func BenchmarkAppendGeometryJSON10k(b *testing.B) {
	parcels := SyntheticParcels(6, SyntheticParks(6, 30), 10000)
	vertices := 0
	for _, p := range parcels {
		vertices += len(p[0])
	}
	buf := make([]byte, 0, 1<<20)
	b.ResetTimer()
	var size int
	for b.Loop() {
		size = 0
		for _, p := range parcels {
			buf = AppendGeometryJSON(buf[:0], p, 8)
			size += len(buf)
		}
	}
	b.ReportMetric(float64(size)/float64(len(parcels)), "bytes/parcel")
	b.ReportMetric(float64(vertices)/float64(len(parcels)), "vertices/parcel")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/10k")
}
