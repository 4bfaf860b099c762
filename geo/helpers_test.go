package geo

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

// Origin of the plane test geometries: near 株洲高新区, zone 38.
const testZone Zone = 38

const (
	testE0 = 409000.0
	testN0 = 3078000.0
)

// planeRing makes a closed lon/lat ring from plane offsets (metres) from
// (testE0, testN0) in testZone.
func planeRing(pts ...[2]float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		lon, lat := testZone.Inverse(testE0+p[0], testN0+p[1])
		r = append(r, orb.Point{lon, lat})
	}
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	return r
}

// planeRect is the counter-clockwise rectangle [x0,x1]×[y0,y1] in metres.
func planeRect(x0, y0, x1, y1 float64) orb.Ring {
	return planeRing([2]float64{x0, y0}, [2]float64{x1, y0}, [2]float64{x1, y1}, [2]float64{x0, y1})
}

func readCSV(t testing.TB, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	out := make([][]float64, 0, len(recs))
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for i, s := range rec {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s: %q: %v", path, s, err)
			}
		}
		out = append(out, row)
	}
	return out
}

type parcelFixture struct {
	Name          string          `json:"name"`
	Zone          Zone            `json:"zone"`
	EPSG          int             `json:"epsg"`
	Geometry      json.RawMessage `json:"geometry"`
	GKCoordinates json.RawMessage `json:"gk_coordinates"`
	AreaM2        float64         `json:"area_m2"`
	AreaMu        float64         `json:"area_mu"`

	geom orb.Geometry
}

func readParcelFixtures(t testing.TB) []parcelFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/parcels_area.json")
	if err != nil {
		t.Fatal(err)
	}
	var fs []parcelFixture
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatalf("parse parcels_area.json: %v", err)
	}
	for i := range fs {
		g, err := decodeGeoJSONPolygonal(fs[i].Geometry)
		if err != nil {
			t.Fatalf("%s: %v", fs[i].Name, err)
		}
		fs[i].geom = g
	}
	return fs
}

// decodeGeoJSONPolygonal decodes a GeoJSON Polygon or MultiPolygon with
// encoding/json. (orb/geojson is not used: it needs go.sum entries for
// go.mongodb.org/mongo-driver that this module does not have.)
func decodeGeoJSONPolygonal(b []byte) (orb.Geometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	toPoly := func(rings [][][2]float64) orb.Polygon {
		p := make(orb.Polygon, len(rings))
		for i, r := range rings {
			p[i] = make(orb.Ring, len(r))
			for j, c := range r {
				p[i][j] = orb.Point(c)
			}
		}
		return p
	}
	switch g.Type {
	case "Polygon":
		var c [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		return toPoly(c), nil
	case "MultiPolygon":
		var c [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, err
		}
		mp := make(orb.MultiPolygon, len(c))
		for i, p := range c {
			mp[i] = toPoly(p)
		}
		return mp, nil
	}
	return nil, fmt.Errorf("unexpected GeoJSON type %q", g.Type)
}
