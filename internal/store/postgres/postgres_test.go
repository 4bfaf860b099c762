package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"panhuo/internal/demo"
	"panhuo/internal/land"
	"panhuo/internal/store/postgres"
	"panhuo/internal/store/postgres/pgtest"
	"panhuo/internal/store/sqlite"
	"panhuo/internal/store/storetest"
)

// TestMain fails at once, saying what to do, without PANHUO_TEST_PG: the
// engine is tested, never skipped.
func TestMain(m *testing.M) {
	if os.Getenv(pgtest.EnvDSN) == "" {
		fmt.Fprintln(os.Stderr, "FAIL: "+pgtest.Missing)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) land.Store { return pgtest.Open(t) })
}

// TestContractRateStrategies runs the contract with each way of computing
// rate sums forced.
func TestContractRateStrategies(t *testing.T) {
	for _, strategy := range []string{"scan", "totals"} {
		t.Run(strategy, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) land.Store {
				s := pgtest.Open(t)
				postgres.ForceRates(s, strategy)
				return s
			})
		})
	}
}

func TestAccessContract(t *testing.T) {
	storetest.RunAccess(t, func(t *testing.T) storetest.AccessStore { return pgtest.Open(t) })
}

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

func box(x, y, size float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}
}

func addPark(t *testing.T, s land.Store, code string) {
	t.Helper()
	err := s.Update(t.Context(), func(tx land.Tx) error {
		return tx.InsertPark(t.Context(), &land.Park{Code: code, Name: "园区 " + code,
			Boundary: orb.MultiPolygon{box(113, 27, 1)}, GKZone: 38, CreatedAt: t0, UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func parcel(park string, g orb.Geometry, code string) land.Parcel {
	return land.Parcel{ParkCode: park, Class: land.Idle, Status: land.Pending, Geometry: g, GKZone: 38,
		AreaM2: 6666.7, AreaMu: 10.00005, ParcelFields: land.ParcelFields{Code: code, IdentifiedOn: land.MustDate("2021-05-06"),
			PlotRatio: new(0.5)}, Flags: []string{land.FlagDemo},
		CreatedBy: "copy", CreatedAt: t0, UpdatedBy: "copy", UpdatedAt: t0.Add(time.Nanosecond)}
}

// Binary COPY writes the same rows InsertParcel writes, gives ids from the
// sequence (keeping those given), and leaves the sequence past them.
func TestCopyParcels(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	addPark(t, s, "A")
	ps := []land.Parcel{
		parcel("A", box(113.1, 27.1, 0.001), "P1"),
		parcel("A", orb.MultiPolygon{box(113.2, 27.1, 0.001), box(113.3, 27.1, 0.001)}, "P2"),
		parcel("A", box(113.4, 27.1, 0.001), "P3"),
	}
	ps[2].ID = 500
	if err := s.CopyParcels(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if ps[0].ID == 0 || ps[1].ID != ps[0].ID+1 || ps[2].ID != 500 {
		t.Fatalf("ids %d %d %d", ps[0].ID, ps[1].ID, ps[2].ID)
	}
	for _, want := range ps {
		got, err := s.GetParcel(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("parcel %d times %v %v", got.ID, got.CreatedAt, got.UpdatedAt)
		}
		got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("copied parcel:\n got %+v\nwant %+v", got, want)
		}
	}
	// An insert after the copy takes an id past the given one.
	next := parcel("A", box(113.5, 27.1, 0.001), "P4")
	if err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertParcel(ctx, &next) }); err != nil {
		t.Fatal(err)
	}
	if next.ID <= 500 {
		t.Errorf("id after the copy: %d, want > 500", next.ID)
	}
	// A bad parcel refuses the whole copy and takes back the ids it gave.
	bad := []land.Parcel{parcel("A", box(113.6, 27.1, 0.001), "P5"), parcel("NOPE", box(113.7, 27.1, 0.001), "P6")}
	if err := s.CopyParcels(ctx, bad); err == nil {
		t.Fatal("copy of a parcel in an unknown park: no error")
	}
	if bad[0].ID != 0 || bad[1].ID != 0 {
		t.Errorf("ids after a failed copy: %d %d", bad[0].ID, bad[1].ID)
	}
	if c, _ := s.CountRows(ctx); c.Parcels != 4 {
		t.Errorf("parcels: %d, want 4", c.Parcels)
	}
}

// The trail is append-only in the database itself, whoever connects.
func TestEventsAppendOnly(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	err := s.Update(ctx, func(tx land.Tx) error {
		return tx.AppendEvent(ctx, &land.Event{Kind: "park.create", Actor: "x", At: t0, After: []byte(`{"a": 1}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE events SET actor = 'y'`, `DELETE FROM events`, `TRUNCATE events`} {
		_, err := s.Pool().Exec(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	es, err := s.SearchEvents(ctx, land.EventFilter{})
	if err != nil || len(es) != 1 || es[0].Actor != "x" || string(es[0].After) != `{"a": 1}` {
		t.Errorf("events after refused changes: %+v, %v", es, err)
	}
}

// Writers of two stores on one database (two server processes) take turns:
// what one reads in Update is still current when it writes.
func TestWritersOfTwoStores(t *testing.T) {
	ctx := t.Context()
	dsn := pgtest.NewDatabase(t)
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	addPark(t, stores[0], "A")
	p := parcel("A", box(113.1, 27.1, 0.001), "P1")
	if err := stores[0].Update(ctx, func(tx land.Tx) error { return tx.InsertParcel(ctx, &p) }); err != nil {
		t.Fatal(err)
	}
	const writers, rounds = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		s := stores[w%2]
		wg.Go(func() {
			for range rounds {
				errs <- s.Update(ctx, func(tx land.Tx) error {
					q, err := tx.GetParcel(ctx, p.ID)
					if err != nil {
						return err
					}
					q.Disposed++
					return tx.UpdateParcel(ctx, &q, q.Version)
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	got, err := stores[1].GetParcel(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1+writers*rounds || got.Disposed != writers*rounds {
		t.Errorf("after %d writes: version %d, disposed %v", writers*rounds, got.Version, got.Disposed)
	}
}

// The version check is in the SQL: an UPDATE with a stale version changes
// nothing even when it reaches the database.
func TestStaleUpdateChangesNothing(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	addPark(t, s, "A")
	p := parcel("A", box(113.1, 27.1, 0.001), "P1")
	if err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertParcel(ctx, &p) }); err != nil {
		t.Fatal(err)
	}
	stale := p
	stale.Note = "stale"
	err := s.Update(ctx, func(tx land.Tx) error { return tx.UpdateParcel(ctx, &stale, 7) })
	if !errors.Is(err, land.ErrVersionConflict) {
		t.Fatalf("stale update: %v", err)
	}
	var note string
	var version int
	if err := s.Pool().QueryRow(ctx, `SELECT note, version FROM parcels WHERE id = $1`, p.ID).Scan(&note, &version); err != nil {
		t.Fatal(err)
	}
	if note != "" || version != 1 {
		t.Errorf("after a stale update: note %q version %d", note, version)
	}
}

// seedClock is the date of seed 004 in China, midday: the demo's "today".
func seedClock() time.Time { return time.Date(2022, 6, 28, 12, 0, 0, 0, time.FixedZone("CST", 8*3600)) }

// loadDemo loads the 株洲 demo through land.Service into s.
func loadDemo(t *testing.T, s land.Store) (*land.Service, demo.Summary) {
	t.Helper()
	svc := land.NewService(s, land.WithClock(seedClock))
	sum, err := demo.LoadZhuzhou(t.Context(), svc, "test")
	if err != nil {
		t.Fatalf("LoadZhuzhou on %s: %v", s.Engine(), err)
	}
	return svc, sum
}

// The areas panhuo computes in Go (geo, Krüger series) and stores equal what
// PostGIS computes with PROJ, ST_Area(ST_Transform(geom, <zone's EPSG>)), to
// 0.001 亩 for every demo parcel. EPSG:4534–4554 are CGCS2000 3-degree
// Gauss-Krüger zones 25–45 without the zone prefix.
func TestDemoAreasMatchPostGIS(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	_, sum := loadDemo(t, s)
	rows, err := s.Pool().Query(ctx, `SELECT id, code, gk_zone, area_mu,
			ST_Area(ST_Transform(geom, 4534 + gk_zone - 25)) / (10000.0 / 15)
		FROM parcels ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, worst := 0, 0.0
	for rows.Next() {
		var (
			id          int64
			code        string
			zone        int
			stored, gis float64
		)
		if err := rows.Scan(&id, &code, &zone, &stored, &gis); err != nil {
			t.Fatal(err)
		}
		if zone < 25 || zone > 45 {
			t.Errorf("parcel %d (%s): zone %d out of 25–45", id, code, zone)
		}
		d := math.Abs(stored - gis)
		worst = max(worst, d)
		if d > 0.001 {
			t.Errorf("parcel %d (%s): stored %.6f 亩, PostGIS %.6f 亩 (zone %d)", id, code, stored, gis, zone)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != sum.Parcels || n == 0 {
		t.Errorf("%d parcels checked, the demo has %d", n, sum.Parcels)
	}
	t.Logf("%d parcels, largest difference %.2g 亩", n, worst)
}

// The demo on PostGIS gives the same rates as on SQLite, row by row, to
// 1e-6: cumulative, as of a past date, over a period, by class, and the trend.
func TestDemoRatesMatchSQLite(t *testing.T) {
	ctx := t.Context()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := pgtest.Open(t)
	svcLite, _ := loadDemo(t, lite)
	svcPG, _ := loadDemo(t, pg)
	svcs := []*land.Service{svcLite, svcPG}

	for _, q := range []land.RatesQuery{
		{},
		{AsOf: land.MustDate("2021-12-31")},
		{From: land.MustDate("2022-01-01")},
		{From: land.MustDate("2021-07-01"), AsOf: land.MustDate("2022-03-31")},
		{Class: land.Idle},
		{Class: land.Unsupplied, From: land.MustDate("2022-01-01")},
	} {
		var docs [2]any
		for i, svc := range svcs {
			r, err := svc.Rates(ctx, q)
			if err != nil {
				t.Fatalf("%+v on %s: %v", q, svc.Store().Engine(), err)
			}
			if len(r.Rows) < 9 {
				t.Fatalf("%+v: %d rows", q, len(r.Rows))
			}
			docs[i] = jsonDoc(t, r)
		}
		pgtest.SameJSON(t, fmt.Sprintf("rates %+v", q), docs[0], docs[1])
	}
	var docs [2]any
	for i, svc := range svcs {
		tr, err := svc.Trend(ctx, land.TrendQuery{From: land.MustDate("2021-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		docs[i] = jsonDoc(t, tr)
	}
	pgtest.SameJSON(t, "trend", docs[0], docs[1])
}

func jsonDoc(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// GIS staff read the parcels through the view v_parcels: names in Chinese,
// MultiPolygons in EPSG:4490. The view cannot be written through.
func TestViewParcels(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	addPark(t, s, "A")
	p := parcel("A", box(113.1, 27.1, 0.001), "430211-007")
	p.ProjectName, p.LandUser = "某项目", "某公司"
	if err := s.Update(ctx, func(tx land.Tx) error { return tx.InsertParcel(ctx, &p) }); err != nil {
		t.Fatal(err)
	}
	var (
		id                                             int64
		park, parkName, class, className, status, name string
		code, project, user, geomType                  string
		areaMu                                         float64
		srid                                           int
		identified                                     time.Time
	)
	err := s.Pool().QueryRow(ctx, `SELECT id, park_code, park_name, class, class_name, status, status_name,
			"宗地编号", project_name, land_user, area_mu, identified_on, GeometryType(geom), ST_SRID(geom)
		FROM v_parcels`).Scan(&id, &park, &parkName, &class, &className, &status, &name, &code, &project,
		&user, &areaMu, &identified, &geomType, &srid)
	if err != nil {
		t.Fatal(err)
	}
	if id != p.ID || park != "A" || parkName != "园区 A" || class != "idle" || className != "闲置" ||
		status != "pending" || name != "待处置" || code != "430211-007" || project != "某项目" || user != "某公司" ||
		areaMu != p.AreaMu || !identified.Equal(p.IdentifiedOn.Time()) || geomType != "MULTIPOLYGON" || srid != 4490 {
		t.Errorf("v_parcels row: %v %v %v %v %v %v %v %v %v %v %v %v %v %v", id, park, parkName, class, className,
			status, name, code, project, user, areaMu, identified, geomType, srid)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE v_parcels SET project_name = 'x'`); err == nil {
		t.Errorf("v_parcels was written through")
	}
}

// Bounding-box queries go through the GiST index.
func TestBBoxUsesGiST(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	if err := demo.LoadSynthetic(ctx, s, demo.SyntheticOptions{Parks: 5, Parcels: 2000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE parcels`); err != nil {
		t.Fatal(err)
	}
	ps, err := s.ListParcels(ctx, land.ParcelFilter{Limit: 1})
	if err != nil || len(ps) != 1 {
		t.Fatalf("a parcel: %v %v", ps, err)
	}
	b := ps[0].Geometry.Bound()
	rows, err := s.Pool().Query(ctx, `EXPLAIN SELECT id FROM parcels p
		WHERE p.geom && ST_MakeEnvelope($1, $2, $3, $4, 4490)
			AND p.minx <= $3 AND p.maxx >= $1 AND p.miny <= $4 AND p.maxy >= $2`,
		b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "parcels_geom") {
		t.Errorf("bbox plan does not use parcels_geom:\n%s", p)
	}
	got, err := s.ListParcels(ctx, land.ParcelFilter{BBox: &b})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range got {
		found = found || p.ID == ps[0].ID
	}
	if !found {
		t.Errorf("the bbox of parcel %d does not find it", ps[0].ID)
	}
}

// The synthetic data (written with binary COPY on PostgreSQL) gives the same
// rates on both engines.
func TestSyntheticRatesMatchSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "synth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := pgtest.Open(t)
	opts := demo.SyntheticOptions{Parks: 20, Parcels: 3000, Seed: 7}
	for _, s := range []land.Store{lite, pg} {
		if err := demo.LoadSynthetic(ctx, s, opts); err != nil {
			t.Fatalf("LoadSynthetic on %s: %v", s.Engine(), err)
		}
	}
	cl, _ := lite.CountRows(ctx)
	cp, _ := pg.CountRows(ctx)
	if cl != cp {
		t.Errorf("rows: SQLite %+v, PostgreSQL %+v", cl, cp)
	}
	// Each query on SQLite, and on PostgreSQL with the strategy it chooses
	// and with each forced.
	for _, q := range []land.RateQuery{
		{AsOf: land.MustDate("2025-06-30")},
		{AsOf: land.MustDate("2025-06-30"), From: land.MustDate("2025-01-01")},
		{AsOf: land.MustDate("2025-05-31")},
		{AsOf: land.MustDate("2021-06-30")},
		{AsOf: land.MustDate("2023-12-31"), From: land.MustDate("2023-01-01")},
		{AsOf: land.MustDate("2024-06-30"), Class: land.Inefficient},
		{AsOf: land.MustDate("2024-06-30"), ParkCode: "S00003"},
		{AsOf: land.MustDate("2025-06-30"), From: land.MustDate("2024-07-01"), ParkCode: "S00003", Class: land.Unsupplied},
	} {
		a, err := lite.RateSums(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 {
			t.Fatalf("rate sums %+v: no rows", q)
		}
		for _, strategy := range []string{"", "scan", "totals"} {
			postgres.ForceRates(pg, strategy)
			b, err := pg.RateSums(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			pgtest.SameJSON(t, fmt.Sprintf("rate sums %+v (%s)", q, strategy), jsonDoc(t, a), jsonDoc(t, b))
		}
		postgres.ForceRates(pg, "")
	}
	a, err := lite.ListParcels(ctx, land.ParcelFilter{ParkCode: "S00002"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := pg.ListParcels(ctx, land.ParcelFilter{ParkCode: "S00002"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("park S00002: %d parcels on SQLite, %d on PostgreSQL", len(a), len(b))
	}
	for i := range a {
		a[i].CreatedAt, a[i].UpdatedAt, b[i].CreatedAt, b[i].UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("parcel %d:\nSQLite     %+v\nPostgreSQL %+v", a[i].ID, a[i], b[i])
		}
	}
}

// The triggers keep parcels.counted_mu and rate_totals equal to what they
// sum, through inserts, steps, moves, removals and bulk copies.
func TestTotalsFollowWrites(t *testing.T) {
	ctx := t.Context()
	s := pgtest.Open(t)
	addPark(t, s, "A")
	addPark(t, s, "B")
	check := func(when string) {
		t.Helper()
		var bad int
		err := s.Pool().QueryRow(ctx, `
			WITH want AS (
				SELECT park_code, class, count(*) AS parcels, sum(area_mu) AS area_mu,
					sum(counted_mu) AS counted_mu,
					count(*) FILTER (WHERE area_mu > 1e-6) AS n_pos,
					count(*) FILTER (WHERE area_mu - counted_mu > 1e-6) AS n_open,
					count(*) FILTER (WHERE area_mu > 1e-6 AND counted_mu >= area_mu - 1e-6) AS n_full
				FROM parcels WHERE identified_on IS NOT NULL AND removed_on IS NULL
				GROUP BY park_code, class
			)
			SELECT (SELECT count(*) FROM want FULL JOIN (SELECT * FROM rate_totals WHERE parcels > 0) t
					USING (park_code, class)
				WHERE want.parcels IS DISTINCT FROM t.parcels OR abs(want.area_mu - t.area_mu) > 1e-9
					OR abs(want.counted_mu - t.counted_mu) > 1e-9 OR want.n_pos IS DISTINCT FROM t.n_pos
					OR want.n_open IS DISTINCT FROM t.n_open OR want.n_full IS DISTINCT FROM t.n_full)
				+ (SELECT count(*) FROM parcels p WHERE abs(p.counted_mu -
					(SELECT coalesce(sum(area_mu), 0) FROM disposals d WHERE d.parcel_id = p.id AND d.counts)) > 1e-9)`).Scan(&bad)
		if err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Errorf("%s: %d totals or counted sums differ from what they sum", when, bad)
		}
	}
	ps := []land.Parcel{
		parcel("A", box(113.1, 27.1, 0.001), "P1"), parcel("A", box(113.2, 27.1, 0.001), "P2"),
		parcel("B", box(113.3, 27.1, 0.001), "P3"),
	}
	ps[2].Class = land.Unsupplied
	if err := s.CopyParcels(ctx, ps); err != nil {
		t.Fatal(err)
	}
	check("after a copy")
	err := s.Update(ctx, func(tx land.Tx) error {
		for _, d := range []land.Disposal{
			{ParcelID: ps[0].ID, Method: "start_construction", Counts: true, Date: land.MustDate("2021-06-01"), AreaMu: 4},
			{ParcelID: ps[0].ID, Method: "extend_start", Date: land.MustDate("2021-07-01")},
			{ParcelID: ps[1].ID, Method: "paid_recovery", Counts: true, Date: land.MustDate("2021-08-01"), AreaMu: ps[1].AreaMu},
		} {
			d.CreatedBy, d.CreatedAt = "x", t0
			if err := tx.InsertDisposal(ctx, &d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after steps")
	update := func(i int, change func(p *land.Parcel)) {
		t.Helper()
		err := s.Update(ctx, func(tx land.Tx) error {
			p, err := tx.GetParcel(ctx, ps[i].ID)
			if err != nil {
				return err
			}
			change(&p)
			return tx.UpdateParcel(ctx, &p, p.Version)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	update(0, func(p *land.Parcel) { p.ParkCode = "B" }) // its steps move along
	check("after a move")
	update(0, func(p *land.Parcel) { p.AreaMu = 4; p.Class = land.Inefficient })
	check("after a new area and class")
	update(1, func(p *land.Parcel) { p.RemovedOn = land.MustDate("2022-01-01") })
	check("after a removal")
	update(2, func(p *land.Parcel) { p.IdentifiedOn = land.Date{} })
	check("after an identification taken back")
	update(2, func(p *land.Parcel) { p.Note = "only a note" })
	check("after a change of note")
}
