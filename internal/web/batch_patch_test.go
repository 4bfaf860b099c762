package web

import (
	"net/http"
	"strings"
	"testing"

	"panhuo/internal/land"
)

// reshape is a FeatureCollection for PATCH /api/parcels: each parcel (its
// properties as the API answered them) with a new geometry.
func reshape(items ...any) map[string]any {
	var fs []any
	for i := 0; i+1 < len(items); i += 2 {
		p, g := items[i].(map[string]any), items[i+1]
		fs = append(fs, map[string]any{"type": "Feature", "id": p["id"],
			"properties": map[string]any{"version": p["version"]}, "geometry": g})
	}
	return map[string]any{"type": "FeatureCollection", "features": fs}
}

// Moving the boundary two parcels share changes both at once: alone, the
// parcel that grows would overlap its neighbour's stored shape; together
// they are saved, with an event each, or, when one is refused, neither.
func TestPatchParcelsMovesASharedBoundary(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	a := e.createParcel(feature(rect(113.010, 27.710, 113.012, 27.712), "idle", nil))
	b := e.createParcel(feature(rect(113.012, 27.710, 113.014, 27.712), "idle", nil))
	sum := num(t, a, "area_mu") + num(t, b, "area_mu")
	grownA, shrunkB := rect(113.010, 27.710, 113.013, 27.712), rect(113.013, 27.710, 113.014, 27.712)
	hdr := []string{"Content-Type", "application/merge-patch+json"}

	// Alone, A's new shape overlaps B's stored one.
	e.do("PATCH", idPath(a), map[string]any{"geometry": grownA}, append(hdr, "If-Match", `"1"`)...).want(http.StatusConflict)

	// Together, but B's new shape is broken: nothing is written, and the
	// error names B's field by its place in the request.
	before := e.counts()
	bad := rect(113.013, 27.710, 113.014, 27.712)
	bad["coordinates"] = [][][2]float64{{{113.013, 27.710}, {113.014, 27.712}, {113.014, 27.710}, {113.013, 27.712}, {113.013, 27.710}}}
	r := e.do("PATCH", "/api/parcels", reshape(a, grownA, b, bad), hdr...).want(http.StatusUnprocessableEntity)
	if fe := r.fieldErrors(); fe["features[1].geometry"] == nil || len(fe) != 1 {
		t.Fatalf("errors %v, want features[1].geometry only", fe)
	}
	if after := e.counts(); after != before {
		t.Fatalf("rows changed by a refused batch: %+v → %+v", before, after)
	}

	// Two new shapes that overlap each other are refused, naming the other.
	r = e.do("PATCH", "/api/parcels", reshape(a, grownA, b, rect(113.0125, 27.710, 113.014, 27.712)), hdr...).want(http.StatusUnprocessableEntity)
	if fe := r.fieldErrors(); len(fe["features[0].geometry"]) == 0 || !strings.Contains(fe["features[0].geometry"][0], "#"+idPath(b)[len("/api/parcels/"):]) {
		t.Fatalf("errors %v, want features[0].geometry naming parcel B", fe)
	}

	// A stale version: 412, nothing written.
	stale := map[string]any{"id": b["id"], "version": 7.0}
	e.do("PATCH", "/api/parcels", reshape(a, grownA, stale, shrunkB), hdr...).want(http.StatusPreconditionFailed)
	if after := e.counts(); after != before {
		t.Fatalf("rows changed by a stale batch: %+v → %+v", before, after)
	}

	// The version is required.
	r = e.do("PATCH", "/api/parcels", map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "id": a["id"], "geometry": grownA}}}, hdr...).want(http.StatusUnprocessableEntity)
	if fe := r.fieldErrors(); fe["features[0].properties.version"] == nil {
		t.Fatalf("errors %v, want features[0].properties.version", fe)
	}

	// One parcel alone: its errors are named by its place too.
	r = e.do("PATCH", "/api/parcels", reshape(a, grownA), hdr...).want(http.StatusConflict)
	if fe := r.fieldErrors(); fe["features[0].geometry"] == nil {
		t.Fatalf("errors %v, want features[0].geometry", fe)
	}

	// Both at once: saved.
	r = e.do("PATCH", "/api/parcels", reshape(a, grownA, b, shrunkB), hdr...).want(http.StatusOK)
	fc := r.json()
	fs, _ := fc["features"].([]any)
	if len(fs) != 2 {
		t.Fatalf("answer %v, want the 2 changed parcels", fc)
	}
	pa, pb := fs[0].(map[string]any)["properties"].(map[string]any), fs[1].(map[string]any)["properties"].(map[string]any)
	if num(t, pa, "version") != 2 || num(t, pb, "version") != 2 {
		t.Fatalf("versions %v, %v, want 2, 2", pa["version"], pb["version"])
	}
	if got := num(t, pa, "area_mu") + num(t, pb, "area_mu"); !near(got, sum, 0.01) || !near(num(t, pa, "area_mu"), 3*num(t, pb, "area_mu"), 0.05) {
		t.Fatalf("areas %v + %v, want 3:1 and the sum %v kept", pa["area_mu"], pb["area_mu"], sum)
	}
	if after := e.counts(); after.Parcels != before.Parcels || after.Events != before.Events+2 {
		t.Fatalf("rows %+v → %+v, want 2 events more", before, after)
	}
	for _, p := range []map[string]any{a, b} {
		if n := countEvents(e, idPath(p), land.EventParcelUpdate); n != 1 {
			t.Fatalf("%s: %d update events, want 1", idPath(p), n)
		}
	}
}

// An officer's batch that touches a parcel of another park is 403, names
// that parcel, and writes nothing.
func TestPatchParcelsOfAnotherParkIsForbidden(t *testing.T) {
	e := newEnv(t)
	e.mainPark()
	e.addPark("LLJK", 113.4, 27.6, 113.6, 27.8, 10000, 100)
	_, zhang := e.user("zhangsan", "张三", land.RoleOfficer, "ZZGX")
	own := e.createParcel(feature(rect(113.010, 27.710, 113.012, 27.712), "idle", nil))
	other := e.createParcel(feature(rect(113.46, 27.61, 113.462, 27.612), "idle", nil))
	before := e.counts()
	r := e.do("PATCH", "/api/parcels", reshape(own, rect(113.010, 27.710, 113.013, 27.712), other, rect(113.46, 27.61, 113.463, 27.612)),
		append(bearer(zhang), "Content-Type", "application/merge-patch+json")...).want(http.StatusForbidden)
	if fe := r.fieldErrors(); fe["features[1]"] == nil || len(fe) != 1 {
		t.Fatalf("errors %v, want features[1] only", fe)
	}
	if after := e.counts(); after != before {
		t.Fatalf("rows changed: %+v → %+v", before, after)
	}
}
