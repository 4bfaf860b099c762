package land_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"panhuo/internal/land"
)

func (f *fixture) counts() land.RowCounts {
	f.t.Helper()
	c, err := f.store.CountRows(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) importItems(items []land.ImportItem, opt land.ImportOptions) land.ImportResult {
	f.t.Helper()
	res, err := f.svc.ImportParcels(f.ctx, land.Operator("importer"), items, opt)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func item(code, project string, e, n, side float64) land.ImportItem {
	return land.ImportItem{Label: code, ParcelInput: land.ParcelInput{Class: land.Idle,
		Geometry:     square(parkLon, parkLat, e, n, side),
		ParcelFields: land.ParcelFields{Code: code, ProjectName: project, IdentifiedOn: land.MustDate("2022-01-05")}}}
}

func actions(res land.ImportResult) []land.ImportAction {
	out := make([]land.ImportAction, len(res.Outcomes))
	for i, o := range res.Outcomes {
		out[i] = o.Action
	}
	return out
}

func TestImportDryRunAgreesWithCommit(t *testing.T) {
	f := newFixture(t)
	existing := f.parcel(land.Idle, 1500, 1500, 100, "2022-01-01")
	items := []land.ImportItem{
		item("ZD-1", "一号地", 100, 100, 100),
		item("ZD-2", "二号地", 300, 100, 100),
		item("ZD-3", "与二号地重叠", 350, 150, 100), // overlaps ZD-2 of this very import
		item("ZD-1", "重复编号", 600, 600, 50),    // repeats ZD-1
		item("ZD-5", "与已有地块重叠", 1550, 1550, 100),
		item("ZD-6", "园区外", 5000, 5000, 100),
	}
	before := f.counts()
	dry := f.importItems(items, land.ImportOptions{DryRun: true})
	if f.counts() != before {
		t.Fatalf("a dry run wrote rows: %+v → %+v", before, f.counts())
	}
	want := []land.ImportAction{land.ImportCreate, land.ImportCreate, land.ImportReject, land.ImportReject, land.ImportReject, land.ImportReject}
	if got := actions(dry); !slices.Equal(got, want) {
		t.Fatalf("dry run actions %v, want %v", got, want)
	}
	if dry.Committed || dry.Created != 2 || dry.Rejected != 4 || math.Abs(dry.AreaMu-30) > 0.002 {
		t.Fatalf("dry run summary %+v", dry)
	}
	reasons := map[int]string{2: "与本次导入的第 2 个要素（宗地编号 ZD-2） 重叠", 3: "与第 1 个要素重复", 4: "与地块 #", 5: "不在任何园区"}
	for i, sub := range reasons {
		e := dry.Outcomes[i].Error
		if e == nil || !strings.Contains(e.Error(), sub) {
			t.Errorf("outcome %d: error %v, want one containing %q", i+1, e, sub)
		}
	}
	if e := dry.Outcomes[4].Error; !strings.Contains(e.Error(), "#"+strconv.FormatInt(existing.ID, 10)) {
		t.Errorf("overlap with a stored parcel does not name it: %v", e)
	}

	res := f.importItems(items, land.ImportOptions{})
	if got := actions(res); !slices.Equal(got, want) || !res.Committed || res.Created != 2 {
		t.Fatalf("commit %v %+v, want the dry run's %v", got, res, want)
	}
	after := f.counts()
	if after.Parcels != before.Parcels+2 || after.Events != before.Events+2 {
		t.Fatalf("rows %+v → %+v, want 2 parcels and 2 events more", before, after)
	}
	for _, i := range []int{0, 1} {
		p, err := f.store.GetParcel(f.ctx, res.Outcomes[i].ParcelID)
		if err != nil || p.Code != items[i].Code || p.ParkCode != "ZZGX" || !near(p.AreaMu, 15) || p.CreatedBy != "importer" {
			t.Fatalf("parcel of item %d: %+v, %v", i+1, p, err)
		}
	}

	// The same file again creates nothing and writes nothing.
	again := f.importItems(items[:2], land.ImportOptions{})
	if got := actions(again); !slices.Equal(got, []land.ImportAction{land.ImportUnchanged, land.ImportUnchanged}) || again.Committed {
		t.Fatalf("re-import: %v %+v", got, again)
	}
	if f.counts() != after {
		t.Fatalf("an unchanged re-import wrote rows")
	}
}

func TestImportUpdatesByKeyWithTheChangesInTheHistory(t *testing.T) {
	f := newFixture(t)
	first := f.importItems([]land.ImportItem{item("ZD-1", "一号地", 100, 100, 100), item("ZD-2", "二号地", 300, 100, 100)}, land.ImportOptions{})
	id1, id2 := first.Outcomes[0].ParcelID, first.Outcomes[1].ParcelID

	// A ledger row with no geometry changes only the fields it gives.
	ledger := land.ImportItem{Label: "台账第 3 行", Set: map[string]bool{"code": true, "land_user": true},
		ParcelInput: land.ParcelInput{ParcelFields: land.ParcelFields{Code: "ZD-1", LandUser: "株洲某某机械有限公司"}}}
	// A feature with a new geometry for ZD-2 (moved 10 m east).
	moved := item("ZD-2", "二号地", 310, 100, 100)
	unknown := land.ImportItem{Label: "台账第 4 行", Set: map[string]bool{"code": true},
		ParcelInput: land.ParcelInput{ParcelFields: land.ParcelFields{Code: "ZD-404"}}}
	res := f.importItems([]land.ImportItem{ledger, moved, unknown}, land.ImportOptions{})
	if got := actions(res); !slices.Equal(got, []land.ImportAction{land.ImportUpdate, land.ImportUpdate, land.ImportReject}) {
		t.Fatalf("actions %v", got)
	}
	if res.Outcomes[0].ParcelID != id1 || !slices.Equal(res.Outcomes[0].Changed, []string{"land_user"}) {
		t.Fatalf("ledger row outcome %+v", res.Outcomes[0])
	}
	if !slices.Equal(res.Outcomes[1].Changed, []string{"geometry"}) {
		t.Fatalf("moved outcome %+v", res.Outcomes[1])
	}
	if e := res.Outcomes[2].Error; e == nil || !strings.Contains(e.Error(), "ZD-404") {
		t.Fatalf("unknown key: %v", e)
	}
	p1, _ := f.store.GetParcel(f.ctx, id1)
	if p1.LandUser != "株洲某某机械有限公司" || p1.ProjectName != "一号地" || p1.Class != land.Idle || p1.Version != 2 || !near(p1.AreaMu, 15) {
		t.Fatalf("updated parcel %+v", p1)
	}
	evs, err := f.store.ListEvents(f.ctx, id2)
	if err != nil || len(evs) != 2 || evs[1].Kind != land.EventParcelUpdate || evs[1].Actor != "importer" ||
		len(evs[1].Before) == 0 || string(evs[1].Before) == string(evs[1].After) {
		t.Fatalf("history of the moved parcel: %v %v", evs, err)
	}
}

func TestImportAllOrNothingAndPark(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	items := []land.ImportItem{item("ZD-1", "一号地", 100, 100, 100),
		{Label: "第 2 个要素", Refused: land.Invalid("属性有误", land.FieldError{Field: "identified_on", Reason: "列「认定日期」的值「2021-13-01」不是有效日期"})}}
	res := f.importItems(items, land.ImportOptions{AllOrNothing: true})
	if res.Committed || res.Created != 1 || res.Rejected != 1 || f.counts() != before {
		t.Fatalf("all-or-nothing with a refused feature: %+v; rows %+v → %+v", res, before, f.counts())
	}
	if e := res.Outcomes[1].Error; e == nil || e.Fields[0].Field != "identified_on" {
		t.Fatalf("refused outcome %+v", res.Outcomes[1])
	}
	// Without it, the accepted feature is written.
	res = f.importItems(items, land.ImportOptions{})
	if !res.Committed || f.counts().Parcels != before.Parcels+1 {
		t.Fatalf("partial import: %+v", res)
	}
	// A park given: features elsewhere are refused.
	f.park("OTHER", "另一园区", parkLon+0.1, parkLat, 2000, 2022, 100)
	res = f.importItems([]land.ImportItem{item("ZD-9", "九号地", 700, 700, 50)}, land.ImportOptions{ParkCode: "OTHER", DryRun: true})
	if res.Outcomes[0].Action != land.ImportReject || !strings.Contains(res.Outcomes[0].Error.Error(), "OTHER") {
		t.Fatalf("feature outside the chosen park: %+v", res.Outcomes[0])
	}
	// An officer of another park cannot import here.
	officer := land.Actor{Name: "other-officer", Role: land.RoleOfficer, Parks: []string{"OTHER"}}
	res, err := f.svc.ImportParcels(f.ctx, officer, []land.ImportItem{item("ZD-10", "十号地", 900, 900, 50)}, land.ImportOptions{})
	if err != nil || res.Outcomes[0].Action != land.ImportReject || res.Outcomes[0].Error.Kind != land.KindForbidden {
		t.Fatalf("officer of another park: %+v %v", res, err)
	}
}

func TestImportKeepsTheSurveyedArea(t *testing.T) {
	f := newFixture(t)
	it := item("ZD-1", "一号地", 100, 100, 100)
	it.GKZone = 38
	it.SurveyedAreaM2 = 10000.4 // the file's own plane coordinates say so
	res := f.importItems([]land.ImportItem{it}, land.ImportOptions{})
	p, err := f.store.GetParcel(f.ctx, res.Outcomes[0].ParcelID)
	if err != nil || p.AreaM2 != 10000.4 {
		t.Fatalf("area %v m², want the surveyed 10000.4 (%v)", p.AreaM2, err)
	}
	// A surveyed area that the geometry does not bear out is not believed.
	it = item("ZD-2", "二号地", 300, 100, 100)
	it.GKZone, it.SurveyedAreaM2 = 38, 12000
	res = f.importItems([]land.ImportItem{it}, land.ImportOptions{})
	p, _ = f.store.GetParcel(f.ctx, res.Outcomes[0].ParcelID)
	if math.Abs(p.AreaM2-10000) > 0.5 {
		t.Fatalf("area %v m², want the geometry's 10000", p.AreaM2)
	}
}

// TestImportDecidesAsIfWrittenOneByOne checks the import's decisions, taken
// in memory against the stored parcels and the earlier features, against an
// oracle: the same features written one at a time with CreateParcel and
// UpdateParcel on a second database in the same state. Squares at random
// places overlap each other, stored parcels (one fully disposed, which
// blocks nothing until it grows) and stored parcels that earlier features
// move away.
func TestImportDecidesAsIfWrittenOneByOne(t *testing.T) {
	reasons := map[string]int{} // refusals by kind, over every seed
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 99))
			type spot struct{ e, n, side float64 }
			randomSpot := func() spot {
				return spot{e: 50 + rnd.Float64()*1300, n: 50 + rnd.Float64()*1300, side: 60 + rnd.Float64()*120}
			}
			var storedSpots []spot
			for range 8 {
				storedSpots = append(storedSpots, randomSpot())
			}
			items := make([]land.ImportItem, 40)
			for i := range items {
				code := fmt.Sprintf("NEW-%02d", i)
				if rnd.IntN(3) == 0 {
					code = fmt.Sprintf("OLD-%02d", rnd.IntN(len(storedSpots)))
				}
				s := randomSpot()
				items[i] = item(code, "项目"+code, s.e, s.n, s.side)
			}

			// Both databases get the same stored parcels; the first that
			// could be stored is then disposed of in full.
			setup := func(f *fixture) map[string]int64 {
				ids := map[string]int64{}
				for k, s := range storedSpots {
					code := fmt.Sprintf("OLD-%02d", k)
					p, err := f.svc.CreateParcel(f.ctx, land.Operator("officer"), land.ParcelInput{Class: land.Idle,
						Geometry:     square(parkLon, parkLat, s.e, s.n, s.side),
						ParcelFields: land.ParcelFields{Code: code, ProjectName: "项目" + code, IdentifiedOn: land.MustDate("2022-01-05")}})
					if err == nil {
						ids[code] = p.ID
					}
				}
				for k := range storedSpots {
					if id, ok := ids[fmt.Sprintf("OLD-%02d", k)]; ok {
						f.dispose(id, "start_construction", "2022-03-01", 0)
						break
					}
				}
				return ids
			}
			fi, fo := newFixture(t), newFixture(t)
			setup(fi)
			ids := setup(fo)

			res := fi.importItems(items, land.ImportOptions{})
			seen := map[string]bool{}
			for i, it := range items {
				got := res.Outcomes[i].Action == land.ImportCreate || res.Outcomes[i].Action == land.ImportUpdate
				if seen[it.Code] {
					// A key repeated in one import is refused; the oracle
					// leaves it out.
					if got {
						t.Fatalf("feature %d (%s): a repeated key was accepted", i+1, it.Code)
					}
					continue
				}
				var err error
				if id, ok := ids[it.Code]; ok {
					var cur land.Parcel
					if cur, err = fo.store.GetParcel(fo.ctx, id); err != nil {
						t.Fatal(err)
					}
					_, err = fo.svc.UpdateParcel(fo.ctx, land.Operator("importer"), id, cur.Version, it.ParcelInput)
				} else {
					_, err = fo.svc.CreateParcel(fo.ctx, land.Operator("importer"), it.ParcelInput)
				}
				if _, ok := land.AsError(err); err != nil && !ok {
					t.Fatal(err)
				}
				if got != (err == nil) {
					t.Fatalf("feature %d (%s): import %s %v; one by one: %v", i+1, it.Code,
						res.Outcomes[i].Action, res.Outcomes[i].Error, err)
				}
				if got {
					seen[it.Code] = true
				}
			}
			for _, o := range res.Outcomes {
				if o.Error != nil {
					for _, kind := range []string{"本次导入的第", "与地块 #", "个要素重复"} {
						if strings.Contains(o.Error.Error(), kind) {
							reasons[kind]++
						}
					}
				}
			}
			t.Logf("created %d, updated %d, rejected %d", res.Created, res.Updated, res.Rejected)
			if fi.counts().Parcels != fo.counts().Parcels {
				t.Fatalf("parcels: import %d, one by one %d", fi.counts().Parcels, fo.counts().Parcels)
			}
		})
	}
	// The seeds must exercise each kind of refusal.
	for _, kind := range []string{"本次导入的第", "与地块 #", "个要素重复"} {
		if reasons[kind] == 0 {
			t.Errorf("no refusal containing %q: the test does not exercise it", kind)
		}
	}
	t.Logf("refusals %v", reasons)
}
