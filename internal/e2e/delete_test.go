package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The removal of a parcel (删除地块) from its panel: static/map-delete.js,
// wired in map-edit.js and map-panel.js.

// openParcelPanel opens the map at a parcel of a park (?parcel=) and waits
// for its panel.
func openParcelPanel(b *browser, park string, id int64) {
	b.t.Helper()
	b.navigate(fmt.Sprintf("/?park=%s&parcel=%d", park, id))
	waitMap(b)
	b.waitFor(fmt.Sprintf(`document.querySelector("#panel .parcel-title") && panhuoMap.ctx.selectedId() === %d`, id), 5*time.Second)
}

// openDeleteForm clicks 删除地块 in the open panel and waits for the form.
func openDeleteForm(b *browser) {
	b.t.Helper()
	b.run(chromedp.Click(`#delete-parcel`), chromedp.WaitVisible(`#delete-form`))
}

// deleteParcelAPI removes a parcel behind the page's back as c's user.
func deleteParcelAPI(t *testing.T, c *apiClient, id int64, reason string) {
	t.Helper()
	version := int(parcelProps(t, c, id)["version"].(float64))
	if code, body := ifMatchRequest(t, c, "DELETE", "application/json", id, version, map[string]any{"reason": reason}); code != http.StatusOK {
		t.Fatalf("DELETE parcel %d: %d %s", id, code, body)
	}
}

// historyKinds lists the kinds and actors of a parcel's events, oldest first.
func historyKinds(t *testing.T, c *apiClient, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range c.json("GET", fmt.Sprintf("/api/parcels/%d/history", id), nil, http.StatusOK)["events"].([]any) {
		ev := e.(map[string]any)
		out = append(out, fmt.Sprintf("%s by %s", ev["kind"], ev["actor"]))
	}
	return out
}

// layerHas reports whether the API's parcel layer of a park holds a parcel.
func layerHas(t *testing.T, c *apiClient, park string, id int64) bool {
	t.Helper()
	for _, f := range collection(t, c, "/api/layers/parcels?park="+park) {
		if featureID(t, f) == id {
			return true
		}
	}
	return false
}

// TestMapDeleteParcel: the officer of 醴陵经开区 removes a parcel of the park
// from its panel. Without a reason the server's reason shows next to the
// field and nothing changes; with one, the parcel leaves the map and the
// layer, the panel shows it as removed, and the API keeps it with its date,
// reason and a parcel.delete event. A leader, and the officer on another
// park's parcel, get no 删除地块.
func TestMapDeleteParcel(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	id := featureID(t, firstParcel(t, officer, "LLJK", "pending"))
	other := featureID(t, firstParcel(t, officer, "ZZGX", ""))

	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	waitMap(b)
	at := interiorPixel(b, id)
	click(b, at)
	b.waitFor(fmt.Sprintf(`document.querySelector("#panel .parcel-title") && panhuoMap.ctx.selectedId() === %d`, id), 5*time.Second)
	if got := eval[string](b, `(document.getElementById("delete-parcel") || {}).textContent || ""`); got != "删除地块" {
		t.Fatalf("the officer's panel of parcel %d has no 删除地块 button (%q)", id, got)
	}
	countAll := eval[int](b, `panhuoMap.parcelCount()`)
	inView, err := strconv.Atoi(eval[string](b, `document.querySelector("#legend tr.total td.count").textContent`))
	if err != nil || inView == 0 {
		t.Fatalf("legend total %d in view (%v)", inView, err)
	}
	eval[bool](b, `(document.getElementById("delete-parcel").scrollIntoView({block: "center"}), true)`)
	b.screenshot("panel")
	openDeleteForm(b)
	warning := eval[string](b, `document.querySelector("#delete-form .delete-warning").textContent`)
	for _, want := range []string{"从地图上移除", "处置率", "修改历史（历史记录）"} {
		if !strings.Contains(warning, want) {
			t.Errorf("the warning lacks %q: %q", want, warning)
		}
	}
	// Today in China, whatever the browser's zone (this machine's is UTC).
	today := eval[string](b, `document.querySelector("#delete-form input[name=removed_on]").value`)
	if want := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"); today != want {
		t.Errorf("删除日期 defaults to %q, want today in China %s", today, want)
	}
	b.screenshot("form")

	// No reason: refused, the reason shows next to 删除原因, nothing changes.
	b.run(chromedp.Click(`#delete-confirm`))
	b.waitFor(`document.querySelector("#delete-status.error")`, 10*time.Second)
	if reason := eval[string](b, `document.querySelector('#delete-form .field-error[data-for="reason"]').textContent`); !strings.Contains(reason, "须说明原因") {
		t.Errorf("reason next to 删除原因: %q", reason)
	}
	if !eval[bool](b, `document.querySelector("#delete-form textarea[name=reason]").classList.contains("invalid")`) {
		t.Error("删除原因 is not marked invalid")
	}
	b.screenshot("no-reason")
	if p := parcelProps(t, officer, id); p["removed_on"] != nil {
		t.Fatalf("a removal without a reason removed the parcel: removed_on %v", p["removed_on"])
	}
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != countAll || !eval[bool](b, fmt.Sprintf(`panhuoMap.props(%d) !== null`, id)) {
		t.Errorf("after the refused removal the map holds %d parcels (was %d), parcel %d: %v", n, countAll, id, eval[bool](b, fmt.Sprintf(`panhuoMap.props(%d) !== null`, id)))
	}

	// With a reason: removed.
	const why = "与 430281-2021-003 重复登记（端到端测试）"
	b.run(chromedp.SendKeys(`#delete-form textarea[name=reason]`, why), chromedp.Click(`#delete-confirm`))
	b.waitFor(fmt.Sprintf(`panhuoMap.props(%d) === null && document.getElementById("removed-note")`, id), 10*time.Second)
	if n := eval[int](b, `panhuoMap.parcelCount()`); n != countAll-1 {
		t.Errorf("%d parcels on the map after the removal, want %d", n, countAll-1)
	}
	b.waitFor(fmt.Sprintf(`document.querySelector("#legend tr.total td.count").textContent === "%d"`, inView-1), 5*time.Second)
	hits := eval[[]int64](b, fmt.Sprintf(`panhuoMap.ctx.parcelsAt(panhuoMap.map.getEventCoordinate({clientX: %f, clientY: %f})).map((f) => f.getId())`, at[0], at[1]))
	if slices.Contains(hits, id) {
		t.Errorf("the map still finds parcel %d where it was: %v", id, hits)
	}
	if s := eval[string](b, `document.getElementById("map-status").textContent`); !strings.Contains(s, "已删除地块") {
		t.Errorf("status %q after the removal", s)
	}
	note := eval[string](b, `document.getElementById("removed-note").textContent`)
	for _, want := range []string{why, today, "demo-officer"} {
		if !strings.Contains(note, want) {
			t.Errorf("the removed parcel's notice lacks %q: %q", want, note)
		}
	}
	if n := eval[int](b, `document.querySelectorAll("#panel #edit-info, #panel #edit-shape, #panel #delete-parcel, #panel #disposal-form").length`); n != 0 {
		t.Errorf("the removed parcel's panel offers %d edit tools", n)
	}
	b.waitFor(`Array.from(document.querySelectorAll("#panel .history li .what"), (n) => n.textContent).some((s) => s.startsWith("删除地块："))`, 5*time.Second)
	b.screenshot("removed")

	props := parcelProps(t, officer, id)
	if props["removed_on"] != today || props["removed_reason"] != why {
		t.Errorf("stored removed_on %v, removed_reason %v; want %s, %q", props["removed_on"], props["removed_reason"], today, why)
	}
	if layerHas(t, officer, "LLJK", id) {
		t.Errorf("parcel %d is still in /api/layers/parcels", id)
	}
	if h := historyKinds(t, officer, id); !slices.Contains(h, "parcel.delete by demo-officer") {
		t.Errorf("history of parcel %d: %q, want a parcel.delete by demo-officer", id, h)
	}
	b.checkClean("status of 422")

	// Not on another park's parcel; never for a leader.
	openParcelPanel(b, "ZZGX", other)
	if eval[bool](b, `document.getElementById("delete-parcel") !== null`) {
		t.Error("the officer of 醴陵经开区 may remove a parcel of 株洲高新区")
	}
	leader := newBrowser(t, srv)
	leader.login("leader")
	openParcelPanel(leader, "LLJK", featureID(t, firstParcel(t, officer, "LLJK", "")))
	if eval[bool](leader, `document.getElementById("delete-parcel") !== null`) {
		t.Error("a leader sees 删除地块")
	}
	leader.checkClean()
}

// TestMapDeleteConflict: a removal confirmed after someone else changed the
// parcel is refused (412) with the conflict view and removes nothing;
// reloading brings the form back on the new version, and then it goes
// through. A parcel someone else removed meanwhile leaves the map.
func TestMapDeleteConflict(t *testing.T) {
	srv := startServer(t)
	srv.requireAsset(t, "/static/vendor/ol.js")
	officer := srv.client(t, "officer")
	admin := srv.client(t, "admin")
	fc := collection(t, officer, "/api/layers/parcels?park=LLJK&status=pending")
	if len(fc) < 2 {
		t.Fatalf("%d pending parcels in LLJK, want 2", len(fc))
	}
	id, gone := featureID(t, fc[0]), featureID(t, fc[1])

	b := newBrowser(t, srv)
	b.login("officer", "/?park=LLJK")
	openParcelPanel(b, "LLJK", id)
	openDeleteForm(b)
	b.run(chromedp.SendKeys(`#delete-form textarea[name=reason]`, "经核查不属于三类用地"))
	version := int(parcelProps(t, admin, id)["version"].(float64))
	if code, body := patchIfMatch(t, admin, id, version, map[string]any{"properties": map[string]any{"land_user": "管理员改过的用地单位"}}); code != http.StatusOK {
		t.Fatalf("admin's patch: %d %s", code, body)
	}
	b.run(chromedp.Click(`#delete-confirm`))
	b.waitFor(`document.getElementById("conflict") && document.getElementById("conflict-reload")`, 10*time.Second)
	text := eval[string](b, `document.getElementById("conflict").textContent`)
	for _, want := range []string{"已被他人修改", "尚未删除", "demo-admin", "管理员改过的用地单位", "经核查不属于三类用地"} {
		if !strings.Contains(text, want) {
			t.Errorf("the conflict message lacks %q: %q", want, text)
		}
	}
	b.screenshot("conflict")
	if p := parcelProps(t, officer, id); p["removed_on"] != nil {
		t.Fatalf("a stale removal removed the parcel: %v", p["removed_on"])
	}
	b.run(chromedp.Click(`#conflict-reload`), chromedp.WaitVisible(`#delete-form`))
	if kept := eval[string](b, `document.querySelector("#delete-form textarea[name=reason]").value`); kept != "经核查不属于三类用地" {
		t.Errorf("the reloaded form holds the reason %q, want the one typed before", kept)
	}
	b.run(chromedp.Click(`#delete-confirm`))
	b.waitFor(fmt.Sprintf(`panhuoMap.props(%d) === null && document.getElementById("removed-note")`, id), 10*time.Second)
	if p := parcelProps(t, officer, id); p["removed_reason"] != "经核查不属于三类用地" || p["land_user"] != "管理员改过的用地单位" {
		t.Errorf("after the reload and removal: removed_reason %v, land_user %v", p["removed_reason"], p["land_user"])
	}

	// Removed by the administrator while the officer's form is open.
	openParcelPanel(b, "LLJK", gone)
	openDeleteForm(b)
	b.run(chromedp.SendKeys(`#delete-form textarea[name=reason]`, "重复登记"))
	deleteParcelAPI(t, admin, gone, "管理员删除：重复登记")
	b.run(chromedp.Click(`#delete-confirm`))
	b.waitFor(fmt.Sprintf(`document.getElementById("conflict-removed") && panhuoMap.props(%d) === null`, gone), 10*time.Second)
	if text := eval[string](b, `document.getElementById("conflict").textContent`); !strings.Contains(text, "已被他人删除") || !strings.Contains(text, "管理员删除：重复登记") {
		t.Errorf("the conflict message on a parcel removed meanwhile: %q", text)
	}
	b.screenshot("removed-meanwhile")
	b.run(chromedp.Click(`#conflict-removed`))
	b.waitFor(`document.getElementById("removed-note")`, 5*time.Second)
	if h := historyKinds(t, officer, gone); slices.Contains(h, "parcel.delete by demo-officer") {
		t.Errorf("history %q: the officer's stale removal was written", h)
	}
	b.checkClean("status of 412")
}
