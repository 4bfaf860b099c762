// panhuo map: filters (park, class, status), layer switches, the legend of
// what is in view (count and 亩 per class) and the search by 宗地编号,
// 电子监管号, 项目名称 or 用地单位 over the loaded parcels.
import { el } from "./session.js";
import { CLASSES, STATUSES, mu, parcelTitle } from "./map-fields.js";

const SEARCH_FIELDS = ["code", "supervision_no", "project_name", "land_user"];
const MAX_HITS = 20;

export function setUpFilters(ctx) {
  const { map, parcels, parks, filter } = ctx;
  const parkSel = document.getElementById("f-park");
  const classSel = document.getElementById("f-class");
  const statusSel = document.getElementById("f-status");

  const byName = [...parks.getFeatures()].sort((a, b) => String(a.get("code")).localeCompare(String(b.get("code"))));
  for (const f of byName) parkSel.append(el("option", { value: f.get("code"), textContent: f.get("name") }));
  for (const c of CLASSES) classSel.append(el("option", { value: c.code, textContent: c.name }));
  for (const s of STATUSES) statusSel.append(el("option", { value: s.code, textContent: s.name }));

  function refilter() {
    ctx.parcelLayer.changed();
    scheduleLegend();
  }

  function setPark(code, { zoom = false } = {}) {
    filter.park = code || "";
    parkSel.value = filter.park;
    const url = new URL(location.href);
    if (filter.park) url.searchParams.set("park", filter.park);
    else url.searchParams.delete("park");
    history.replaceState(null, "", url.pathname + url.search);
    if (zoom) {
      const f = filter.park && parks.getFeatures().find((p) => p.get("code") === filter.park);
      if (f) ctx.fit(f.getGeometry().getExtent(), 16);
      else if (parks.getFeatures().length) ctx.fit(parks.getExtent(), 14);
    }
    refilter();
  }

  parkSel.addEventListener("change", () => setPark(parkSel.value, { zoom: true }));
  classSel.addEventListener("change", () => {
    filter.cls = classSel.value;
    refilter();
  });
  statusSel.addEventListener("change", () => {
    filter.status = statusSel.value;
    refilter();
  });

  // Layer switches.
  const toggles = document.getElementById("layers");
  function toggle(id, text, checked, onchange) {
    const box = el("input", { type: "checkbox", id, checked, onchange: () => onchange(box.checked) });
    toggles.append(el("label", { className: "toggle" }, box, text));
  }
  toggle("l-parcels", "地块", true, (on) => {
    ctx.parcelLayer.setVisible(on);
    scheduleLegend();
  });
  toggle("l-parks", "园区边界", true, (on) => ctx.parkLayer.setVisible(on));
  toggle("l-labels", "园区名称", true, (on) => ctx.setParkLabels(on));
  if (ctx.basemap.layers.length) {
    toggle("l-basemap", "底图（" + ctx.basemap.label + "）", true, (on) => ctx.basemap.layers.forEach((l) => l.setVisible(on)));
  }

  // The legend: per class, the parcels in view that pass the filter.
  const legend = document.getElementById("legend");
  const rows = {};
  const body = el("tbody");
  for (const c of CLASSES) {
    rows[c.code] = { count: el("td", { className: "num count" }), mu: el("td", { className: "num mu" }) };
    body.append(el("tr", { dataset: { class: c.code } },
      el("td", {}, el("span", { className: "swatch solid c-" + c.code }), c.name), rows[c.code].count, rows[c.code].mu));
  }
  const total = { count: el("td", { className: "num count" }), mu: el("td", { className: "num mu" }) };
  body.append(el("tr", { className: "total", dataset: { class: "total" } }, el("td", {}, "合计"), total.count, total.mu));
  legend.append(
    el("div", { className: "legend-title" }, "视野内地块"),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "类别"), el("th", {}, "宗"), el("th", {}, "亩"))), body),
    el("div", { className: "legend-status" },
      el("span", {}, el("span", { className: "swatch solid c-other" }), "待处置"),
      el("span", {}, el("span", { className: "swatch hatched c-other" }), "处置中"),
      el("span", {}, el("span", { className: "swatch outline c-other" }), "已处置")));

  let legendQueued = false;
  function scheduleLegend() {
    if (legendQueued) return;
    legendQueued = true;
    requestAnimationFrame(() => {
      legendQueued = false;
      updateLegend();
    });
  }
  function updateLegend() {
    const stats = Object.fromEntries(CLASSES.map((c) => [c.code, { n: 0, mu: 0 }]));
    if (ctx.parcelLayer.getVisible() && map.getSize()) {
      const extent = map.getView().calculateExtent(map.getSize());
      parcels.forEachFeatureInExtent(extent, (f) => {
        const s = stats[f.get("class")];
        if (s && ctx.visible(f)) {
          s.n++;
          s.mu += f.get("area_mu") || 0;
        }
      });
    }
    let n = 0, m = 0;
    for (const c of CLASSES) {
      rows[c.code].count.textContent = String(stats[c.code].n);
      rows[c.code].mu.textContent = mu(stats[c.code].mu);
      n += stats[c.code].n;
      m += stats[c.code].mu;
    }
    total.count.textContent = String(n);
    total.mu.textContent = mu(m);
  }
  map.on("moveend", scheduleLegend);
  parcels.on("change", scheduleLegend);
  parcels.on("changefeature", scheduleLegend);

  // Search.
  const input = document.getElementById("search");
  const results = document.getElementById("search-results");
  function hits(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    const out = [];
    for (const f of parcels.getFeatures()) {
      if (SEARCH_FIELDS.some((k) => String(f.get(k) || "").toLowerCase().includes(q))) {
        out.push(f);
        if (out.length >= MAX_HITS) break;
      }
    }
    return out;
  }
  function go(f) {
    results.hidden = true;
    // A hit the filter hides: show it anyway.
    if (!ctx.visible(f)) {
      filter.cls = filter.status = "";
      classSel.value = statusSel.value = "";
      if (filter.park && filter.park !== f.get("park_code")) setPark("");
      refilter();
    }
    ctx.select(f, { zoom: true });
  }
  function show() {
    const found = hits(input.value);
    results.replaceChildren();
    if (!input.value.trim()) {
      results.hidden = true;
      return;
    }
    if (!found.length) {
      results.append(el("li", { className: "none" }, "未找到匹配的地块"));
    }
    for (const f of found) {
      const title = parcelTitle(f.getProperties(), f.getId());
      const sub = [f.get("code"), f.get("supervision_no"), f.get("land_user"), ctx.parkName(f.get("park_code"))].filter(Boolean).join(" · ");
      results.append(el("li", {}, el("button", { type: "button", onclick: () => go(f) },
        el("span", { className: "hit-title" }, title), el("span", { className: "hit-sub" }, sub))));
    }
    results.hidden = false;
  }
  input.addEventListener("input", show);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const [f] = hits(input.value);
      if (f) go(f);
    } else if (e.key === "Escape") {
      results.hidden = true;
    }
  });
  document.addEventListener("click", (e) => {
    if (!e.target.closest || !e.target.closest(".search")) results.hidden = true;
  });

  scheduleLegend();
  return { refilter, setPark, updateLegend };
}
