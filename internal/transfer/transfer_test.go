package transfer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"panhuo/geo"
	"panhuo/internal/land"
	"panhuo/internal/store/sqlite"
	"panhuo/internal/transfer"
)

// world is a fresh SQLite database with two parks that split the fixtures'
// region at 113.3°E: ZZGX west of it, LLJK east of it.
type world struct {
	t     *testing.T
	ctx   context.Context
	svc   *land.Service
	store *sqlite.Store
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, ctx: ctx, svc: land.NewService(st), store: st}
	box := func(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}}
	}
	for _, p := range []land.ParkInput{
		{Code: "ZZGX", Name: "株洲高新区", Level: land.LevelNational, City: "株洲市", Boundary: box(112.9, 27.5, 113.3, 28.0), BuiltupMu: 30000},
		{Code: "LLJK", Name: "醴陵经开区", Level: land.LevelProvincial, City: "株洲市", Boundary: box(113.3, 27.5, 114.5, 28.0), BuiltupMu: 10000},
	} {
		if _, err := w.svc.CreatePark(ctx, land.Operator("test"), p); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// parkOf is the park whose box holds a point: the independent answer to
// "which park does this parcel lie in".
func parkOf(lon float64) string {
	if lon < 113.3 {
		return "ZZGX"
	}
	return "LLJK"
}

func (w *world) importFiles(opt transfer.Options, dry bool, ups ...transfer.Upload) (transfer.Prepared, land.ImportResult) {
	w.t.Helper()
	prep, err := transfer.Read(ups, opt)
	if err != nil {
		w.t.Fatalf("read %s: %v", ups[0].Name, err)
	}
	res, err := w.svc.ImportParcels(w.ctx, land.Operator("cli:test"), prep.Items, land.ImportOptions{DryRun: dry})
	if err != nil {
		w.t.Fatalf("import %s: %v", ups[0].Name, err)
	}
	return prep, res
}

func upload(t *testing.T, path string) transfer.Upload {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return transfer.Upload{Name: filepath.Base(path), Data: b}
}

// fixture is one file of a format with the reference areas of its features,
// in file order, from GDAL/PROJ (or exact by construction for TXT).
type fixture struct {
	path  string
	areas []float64 // m²
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func fixtures(t *testing.T) []fixture {
	var out []fixture
	// Shapefiles by ogr2ogr in EPSG:4490/4526/4547, GBK and UTF-8.
	var shp struct {
		Files []struct {
			File     string
			Features []struct {
				AreaM2 float64 `json:"area_m2"`
			}
		}
	}
	readJSON(t, "../../geo/shp/testdata/expected.json", &shp)
	for _, f := range shp.Files {
		fx := fixture{path: "../../geo/shp/testdata/" + f.File}
		for _, ft := range f.Features {
			fx.areas = append(fx.areas, ft.AreaM2)
		}
		out = append(out, fx)
	}
	// KML and KMZ by ogr2ogr; GeoJSON with a crs of 4526 and 4547.
	var kml []struct {
		AreaM2 float64 `json:"area_m2"`
	}
	readJSON(t, "../../geo/kml/testdata/expected.json", &kml)
	var areas []float64
	for _, k := range kml {
		areas = append(areas, k.AreaM2)
	}
	for _, p := range []string{"../../geo/kml/testdata/parcels.kml", "../../geo/kml/testdata/parcels.kmz",
		"../../geo/testdata/geojson/parcels_4326.geojson", "../../geo/testdata/geojson/parcels_4526.geojson",
		"../../geo/testdata/geojson/parcels_4547.geojson"} {
		out = append(out, fixture{path: p, areas: areas})
	}
	// 报部 TXT: squares and triangles of whole metres, areas exact.
	out = append(out, fixture{path: "../../geo/testdata/txt/gbk_crlf.txt", areas: []float64{10000, 10000}})
	// The Excel ledger's WKT rows, areas by SpatiaLite (testdata/gen_expected.sh).
	var xl []struct {
		AreaM2 float64 `json:"area_m2"`
	}
	readJSON(t, "testdata/ledger_lonlat_expected.json", &xl)
	fx := fixture{path: "../../internal/ledger/testdata/ledger_lonlat.xlsx"}
	for _, x := range xl {
		fx.areas = append(fx.areas, x.AreaM2)
	}
	return append(out, fx)
}

func TestEachFormatImportsItsFixturesWithReferenceAreas(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(filepath.Base(fx.path), func(t *testing.T) {
			w := newWorld(t)
			up := upload(t, fx.path)
			opt := transfer.Options{Class: land.Idle}
			before, err := w.store.CountRows(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, dry := w.importFiles(opt, true, up)
			if after, _ := w.store.CountRows(w.ctx); after != before {
				t.Fatalf("dry run wrote rows")
			}
			prep, res := w.importFiles(opt, false, up)
			var accepted []land.ImportOutcome
			for i, o := range res.Outcomes {
				if o.Action == land.ImportReject {
					// Only rows without geometry may be refused (the ledger's rows that update nothing).
					if prep.Items[i].Geometry != nil {
						t.Fatalf("feature %s refused: %v", prep.Sources[i].Label, o.Error)
					}
					continue
				}
				accepted = append(accepted, o)
				if d := dry.Outcomes[i]; d.Action != o.Action || d.AreaMu != o.AreaMu || d.ParkCode != o.ParkCode {
					t.Errorf("feature %d: dry run %+v, commit %+v", i+1, d, o)
				}
			}
			if len(accepted) != len(fx.areas) || !res.Committed {
				t.Fatalf("%d features accepted, want %d (committed %v)", len(accepted), len(fx.areas), res.Committed)
			}
			for i, o := range accepted {
				want := geo.MuFromM2(fx.areas[i])
				if math.Abs(o.AreaMu-want) > 0.001 {
					t.Errorf("feature %d: %.6f 亩, reference %.6f 亩", i+1, o.AreaMu, want)
				}
				p, err := w.store.GetParcel(w.ctx, o.ParcelID)
				if err != nil {
					t.Fatal(err)
				}
				if p.AreaMu != o.AreaMu || p.ParkCode != o.ParkCode {
					t.Errorf("feature %d: stored %v 亩 in %s, reported %v in %s", i+1, p.AreaMu, p.ParkCode, o.AreaMu, o.ParkCode)
				}
				c := p.Geometry.Bound().Center()
				if want := parkOf(c[0]); p.ParkCode != want {
					t.Errorf("feature %d at %.4f°E: park %s, want %s", i+1, c[0], p.ParkCode, want)
				}
				if p.GKZone != 38 {
					t.Errorf("feature %d: zone %d", i+1, p.GKZone)
				}
			}
		})
	}
}

func TestShapefileAttributesAndReimport(t *testing.T) {
	w := newWorld(t)
	up := upload(t, "../../geo/shp/testdata/gk38_prefixed_gbk.zip")
	prep, res := w.importFiles(transfer.Options{}, false, up)
	if res.Created != 5 || prep.Files[0].Encoding != "GBK" || !strings.Contains(prep.Files[0].CRS, "4526") {
		t.Fatalf("created %d; file %+v", res.Created, prep.Files[0])
	}
	p, err := w.store.GetParcel(w.ctx, res.Outcomes[0].ParcelID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Code != "ZZ-2023-001" || p.ProjectName != "株洲高新区闲置地块一" || p.LandUser != "株洲市某某机械制造有限公司" ||
		p.Class != land.Idle || p.IdentifiedOn.String() != "2023-06-15" || p.DeclaredAreaMu == nil || *p.DeclaredAreaMu != 100.57 {
		t.Fatalf("attributes %+v", p.ParcelFields)
	}
	classes := []land.Class{land.Idle, land.Unsupplied, land.Inefficient, land.Idle, land.Inefficient}
	for i, o := range res.Outcomes {
		if o.Class != classes[i] {
			t.Errorf("feature %d: class %s, want %s from 类别", i+1, o.Class, classes[i])
		}
	}
	// The same file as UTF-8 in EPSG:4547: the same parcels, nothing to write.
	_, res = w.importFiles(transfer.Options{}, false, upload(t, "../../geo/shp/testdata/gk114e_utf8.zip"))
	if res.Unchanged != 5 || res.Committed {
		t.Fatalf("re-import in another CRS: %+v", res)
	}
}

func TestLedgerJoinsTheShapefileByCode(t *testing.T) {
	w := newWorld(t)
	shp := upload(t, "../../geo/shp/testdata/cgcs2000_utf8.zip")
	f := excelize.NewFile()
	rows := [][]any{
		{"株洲市园区三类用地台账"},
		{"宗地编号", "电子监管号", "用地单位", "闲置原因", "约定动工日期", "园区"},
		{"ZZ-2023-001", "4302112021B000123", "台账中的用地单位", "企业原因", "2020-05-01", "醴陵经开区"},
		{"ZZ-2023-002", "", "", "", "", "高新区"},
		{"ZZ-2023-404", "", "没有图形的行", "", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	prep, res := w.importFiles(transfer.Options{}, false, shp, transfer.Upload{Name: "台账.xlsx", Data: buf.Bytes()})
	if len(prep.Items) != 6 || res.Created != 5 || res.Rejected != 1 {
		t.Fatalf("%d items, %+v", len(prep.Items), res)
	}
	p, err := w.store.GetParcel(w.ctx, res.Outcomes[0].ParcelID)
	if err != nil {
		t.Fatal(err)
	}
	if p.LandUser != "台账中的用地单位" || p.SupervisionNo != "4302112021B000123" || p.IdleCause != land.IdleCauseEnterprise ||
		p.AgreedStartOn.String() != "2020-05-01" || p.ProjectName != "株洲高新区闲置地块一" {
		t.Fatalf("joined attributes %+v", p.ParcelFields)
	}
	if !strings.Contains(prep.Sources[0].Label, "台账.xlsx") {
		t.Fatalf("label %q does not name the ledger row", prep.Sources[0].Label)
	}
	if e := res.Outcomes[5].Error; e == nil || !strings.Contains(e.Error(), "ZZ-2023-404") {
		t.Fatalf("unjoined row: %v", e)
	}
	// The ledger's 园区 is checked against where the geometry lies: 醴陵经开区
	// is not where ZZ-2023-001 is; 高新区 is (a short form of 株洲高新区).
	parks, err := w.store.ListParkFigures(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep := transfer.NewReport(prep, res, parks)
	parkWarnings := map[string][]string{}
	for _, f := range rep.Features {
		for _, wn := range f.Warnings {
			if strings.Contains(wn, "文件中的园区") {
				parkWarnings[f.Code] = append(parkWarnings[f.Code], wn)
			}
		}
	}
	want := "文件中的园区为「醴陵经开区」，而地块图形位于 株洲高新区（ZZGX），已按图形归入后者"
	if len(parkWarnings) != 1 || len(parkWarnings["ZZ-2023-001"]) != 1 || parkWarnings["ZZ-2023-001"][0] != want {
		t.Fatalf("park warnings %v, want only %q for ZZ-2023-001", parkWarnings, want)
	}
	// A ledger alone now updates the parcel it names, and only the fields it has.
	f2 := excelize.NewFile()
	for i, r := range [][]any{{"宗地编号", "用地单位"}, {"ZZ-2023-002", "新的用地单位"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f2.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf.Reset()
	if err := f2.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, res2 := w.importFiles(transfer.Options{}, false, transfer.Upload{Name: "更新.xlsx", Data: buf.Bytes()})
	if res2.Updated != 1 || len(res2.Outcomes[0].Changed) != 1 || res2.Outcomes[0].Changed[0] != "land_user" {
		t.Fatalf("ledger update: %+v", res2.Outcomes)
	}
}

func TestExportsRoundTrip(t *testing.T) {
	w := newWorld(t)
	_, res := w.importFiles(transfer.Options{}, false, upload(t, "../../geo/shp/testdata/cgcs2000_gbk.zip"))
	if res.Created != 5 {
		t.Fatalf("%+v", res)
	}
	ps, err := transfer.Select(w.ctx, w.store, transfer.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	parks, err := w.store.ListParkFigures(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	rates, err := w.svc.Rates(w.ctx, land.RatesQuery{})
	if err != nil {
		t.Fatal(err)
	}
	exports := map[string]func(*bytes.Buffer) error{
		"导出.zip": func(b *bytes.Buffer) error {
			crs, _ := geo.CRSFromEPSG(4526)
			return transfer.WriteShapefile(b, ps, parks, transfer.ShapefileOptions{Name: "导出", CRS: crs})
		},
		"导出4490.zip": func(b *bytes.Buffer) error {
			return transfer.WriteShapefile(b, ps, parks, transfer.ShapefileOptions{Name: "导出", Encoding: "UTF-8"})
		},
		"导出.txt": func(b *bytes.Buffer) error { return transfer.WriteTXT(b, ps, 0, "GBK", land.MustDate("2026-11-24")) },
		"导出.xlsx": func(b *bytes.Buffer) error {
			return transfer.WriteLedger(b, "台账", ps, parks, rates)
		},
	}
	for name, write := range exports {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatal(err)
			}
			w2 := newWorld(t)
			if name == "导出.xlsx" {
				// The ledger carries no geometry: it updates the parcels it names.
				_, res := w2.importFiles(transfer.Options{}, false, upload(t, "../../geo/shp/testdata/cgcs2000_gbk.zip"))
				if res.Created != 5 {
					t.Fatal(res)
				}
				_, res = w.importFiles(transfer.Options{}, false, transfer.Upload{Name: name, Data: buf.Bytes()})
				if res.Unchanged != 5 || res.Rejected != 0 {
					t.Fatalf("the exported ledger re-imported into its own database: %+v", res.Outcomes)
				}
				return
			}
			_, res := w2.importFiles(transfer.Options{Class: land.Idle}, false, transfer.Upload{Name: name, Data: buf.Bytes()})
			if res.Created != 5 {
				t.Fatalf("re-import: %+v", res.Outcomes)
			}
			for i, o := range res.Outcomes {
				q, err := w2.store.GetParcel(w2.ctx, o.ParcelID)
				if err != nil {
					t.Fatal(err)
				}
				p := ps[i]
				if q.Code != p.Code || (name != "导出.txt" && (q.ProjectName != p.ProjectName || q.LandUser != p.LandUser || q.Class != p.Class)) {
					t.Errorf("parcel %d: attributes %+v, want %+v", i+1, q.ParcelFields, p.ParcelFields)
				}
				// Same geometry to 1 mm: the same area to well under a square metre, the same vertices.
				if math.Abs(q.AreaMu-p.AreaMu) > 0.001 {
					t.Errorf("parcel %d: area %.4f m², was %.4f", i+1, q.AreaM2, p.AreaM2)
				}
				if d := maxVertexShift(p.Geometry, q.Geometry); d > 0.001 {
					t.Errorf("parcel %d: a vertex moved %.4f m", i+1, d)
				}
			}
		})
	}
}

// maxVertexShift is the largest distance in metres on the zone-38 plane
// between a vertex of a and the nearest vertex of b.
func maxVertexShift(a, b orb.Geometry) float64 {
	pts := func(g orb.Geometry) []orb.Point {
		var out []orb.Point
		switch t := g.(type) {
		case orb.Polygon:
			for _, r := range t {
				out = append(out, r...)
			}
		case orb.MultiPolygon:
			for _, p := range t {
				for _, r := range p {
					out = append(out, r...)
				}
			}
		}
		return out
	}
	z := geo.Zone(38)
	worst := 0.0
	bs := pts(b)
	for _, p := range pts(a) {
		pe, pn := z.Forward(p[0], p[1])
		best := math.Inf(1)
		for _, q := range bs {
			qe, qn := z.Forward(q[0], q[1])
			best = math.Min(best, math.Hypot(pe-qe, pn-qn))
		}
		worst = math.Max(worst, best)
	}
	return worst
}
