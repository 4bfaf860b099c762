// panhuo map: the 导出 menu. Links to the exports of the parcels the map's
// filters (park, class, status) show: the ledger (台账 Excel), GeoJSON,
// Shapefile in CGCS2000 lon/lat or on the Gauss-Krüger plane of zone 38
// (with or without the zone number in the easting), and the 报部 TXT of the
// selected parcel, or of the filtered ones when none is selected. The
// server answers with Content-Disposition: attachment. Every user may
// export, leaders included.
import { el } from "./session.js";
import { className, statusName } from "./map-fields.js";

const ITEMS = [
  { id: "export-ledger", path: "/api/exports/ledger.xlsx", text: "台账 Excel（.xlsx）" },
  { id: "export-geojson", path: "/api/exports/parcels.geojson", text: "GeoJSON（CGCS2000 经纬度）" },
  { group: "Shapefile（.zip）" },
  { id: "export-shp-4490", path: "/api/exports/parcels.zip", extra: { crs: "4490" }, text: "CGCS2000 经纬度（EPSG:4490）" },
  { id: "export-shp-4526", path: "/api/exports/parcels.zip", extra: { crs: "4526" }, text: "高斯-克吕格 3° 第 38 带，带号（EPSG:4526）" },
  { id: "export-shp-4547", path: "/api/exports/parcels.zip", extra: { crs: "4547" }, text: "高斯-克吕格 3° 中央经线 114°，无带号（EPSG:4547）" },
  { group: "报部坐标" },
  { id: "export-txt", path: "/api/exports/parcels.txt", text: "报部 TXT", txt: true },
];

export function setUpExport(ctx) {
  const { filter } = ctx;
  const menu = document.getElementById("export-menu");
  const list = document.getElementById("export-list");
  if (!menu || !list) return null;

  const scope = el("p", { className: "menu-scope", id: "export-scope" });
  const links = {};
  list.replaceChildren(scope);
  for (const it of ITEMS) {
    if (it.group) {
      list.append(el("div", { className: "menu-group" }, it.group));
      continue;
    }
    const a = el("a", { id: it.id, className: "menu-item", href: it.path, download: "" }, it.text);
    links[it.id] = { a, it };
    list.append(a);
  }

  /** The filter as query parameters. */
  function query(extra = {}) {
    const q = new URLSearchParams();
    if (filter.park) q.set("park", filter.park);
    if (filter.cls) q.set("class", filter.cls);
    if (filter.status) q.set("status", filter.status);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q;
  }

  function href(path, q) {
    const s = q.toString();
    return s ? path + "?" + s : path;
  }

  /** Points every link at the current filter and selection. */
  function refresh() {
    const parts = [filter.park ? ctx.parkName(filter.park) : "全部园区"];
    if (filter.cls) parts.push(className(filter.cls));
    if (filter.status) parts.push(statusName(filter.status));
    const n = ctx.parcels.getFeatures().filter(ctx.visible).length;
    scope.textContent = `导出范围：${parts.join("、")}（${n} 宗）`;
    for (const { a, it } of Object.values(links)) {
      if (!it.txt) {
        a.href = href(it.path, query(it.extra));
        continue;
      }
      const sel = ctx.selectedId();
      const f = sel !== null && ctx.parcels.getFeatureById(sel);
      if (f) {
        a.href = href(it.path, new URLSearchParams({ ids: String(sel) }));
        a.textContent = `报部 TXT：所选地块（${f.get("code") || f.get("project_name") || "#" + sel}）`;
      } else {
        a.href = href(it.path, query());
        a.textContent = `报部 TXT：筛选出的 ${n} 宗地块`;
      }
      // Nothing to export: the server would refuse.
      const none = !f && n === 0;
      a.classList.toggle("disabled", none);
      a.setAttribute("aria-disabled", String(none));
      if (none) a.removeAttribute("href");
    }
  }

  // On the click that opens the menu (the toggle event comes later).
  menu.querySelector("summary").addEventListener("click", refresh);
  menu.addEventListener("toggle", () => {
    if (menu.open) refresh();
  });
  list.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a.menu-item");
    if (!a) return;
    if (a.classList.contains("disabled")) {
      e.preventDefault();
      return;
    }
    refresh(); // the href at the moment of the click
    setTimeout(() => (menu.open = false));
  });
  document.addEventListener("click", (e) => {
    if (menu.open && !(e.target.closest && e.target.closest("#export-menu"))) menu.open = false;
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) menu.open = false;
  });
  refresh();
  return { refresh, hrefs: () => Object.fromEntries(Object.entries(links).map(([id, { a }]) => [id, a.getAttribute("href")])) };
}
