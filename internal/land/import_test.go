package land_test

import (
	"math"
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
	reasons := map[int]string{2: "与地块", 3: "与第 1 个要素重复", 4: "与地块 #", 5: "不在任何园区"}
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
