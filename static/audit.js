// panhuo audit trail page: GET /api/audit with filters, page by page, and
// the CSV export link. Data goes into the page as text only.

import { api, el, say, session } from "./session.js";

const form = document.getElementById("query");
const status = document.getElementById("status");
const tbody = document.querySelector("#events tbody");
const more = document.getElementById("more");
const exportLink = document.getElementById("export");

const timeFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});

let parkNames = {};
let nextBefore = null;

/** The filters of the form as query parameters (empty ones left out). */
function filters() {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
  return q;
}

/** A short text of a JSON value, for the change list. */
function short(v) {
  if (v === undefined) return "（无）";
  const t = typeof v === "string" ? v : JSON.stringify(v);
  return t.length > 80 ? t.slice(0, 80) + "…" : t;
}

/** The zero time, which stands for "not yet" in some records. */
const zeroTime = "0001-01-01T00:00:00Z";

/** The members of a state worth comparing: its own and a Feature's properties. */
function flatten(state) {
  const out = {};
  if (!state || typeof state !== "object") return out;
  for (const [k, v] of Object.entries(state)) {
    if (v === zeroTime || v === null || v === "") continue;
    if (k === "properties" && v && typeof v === "object") Object.assign(out, v);
    else if (k === "geometry" || k === "boundary") out[k] = JSON.stringify(v);
    else out[k] = v;
  }
  return out;
}

/** What changed from before to after, as a list of lines. */
function changes(before, after) {
  const a = flatten(before);
  const b = flatten(after);
  const lines = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[k]) === JSON.stringify(b[k])) continue;
    if (k === "version" || k === "updated_at" || k === "updated_by") continue;
    if (k === "geometry" || k === "boundary") lines.push(`${k}：图形已变更`);
    else if (before && after) lines.push(`${k}：${short(a[k])} → ${short(b[k])}`);
    else lines.push(`${k}：${short(before ? a[k] : b[k])}`);
  }
  return lines;
}

function changeCell(ev) {
  const lines = changes(ev.before, ev.after);
  const list = el("ul", { className: "changes" }, ...lines.slice(0, 12).map((l) => el("li", {}, l)));
  if (lines.length > 12) list.append(el("li", {}, `……共 ${lines.length} 项`));
  const full = JSON.stringify({ before: ev.before ?? null, after: ev.after ?? null }, null, 2);
  const details = el("details", {},
    el("summary", {}, "完整记录"),
    el("pre", {}, full.length > 20000 ? full.slice(0, 20000) + "\n……（过长，完整内容请导出 CSV）" : full));
  return el("td", {}, list, details);
}

function row(ev) {
  const park = ev.park_code ? `${parkNames[ev.park_code] || ""}（${ev.park_code}）` : "";
  return el("tr", {},
    el("td", { className: "nowrap" }, timeFormat.format(new Date(ev.at))),
    el("td", {}, ev.actor),
    el("td", {}, ev.kind_name || ev.kind),
    el("td", {}, park),
    el("td", {}, ev.parcel_id ? String(ev.parcel_id) : ""),
    changeCell(ev));
}

async function load(append) {
  const q = filters();
  exportLink.href = "/api/audit/export.csv" + (q.toString() ? "?" + q : "");
  if (append && nextBefore) q.set("before", String(nextBefore));
  q.set("limit", "100");
  say(status, "正在加载…");
  try {
    const { data } = await api("GET", "/api/audit?" + q);
    const rows = data.events.map(row);
    if (append) tbody.append(...rows);
    else tbody.replaceChildren(...rows);
    nextBefore = data.next_before;
    more.hidden = !nextBefore;
    say(status, tbody.children.length ? `已显示 ${tbody.children.length} 条记录` : "没有符合条件的记录");
  } catch (err) {
    say(status, "加载失败：" + err.message, "error");
  }
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  history.replaceState(null, "", "?" + filters());
  load(false);
});
more.addEventListener("click", () => load(true));

const s = await session();
if (s.user.role !== "admin") {
  say(status, "仅管理员可用", "error");
} else {
  try {
    const { data } = await api("GET", "/api/parks");
    const select = form.elements.park;
    for (const p of data.parks) {
      parkNames[p.code] = p.name;
      select.append(el("option", { value: p.code }, `${p.name}（${p.code}）`));
    }
  } catch (err) {
    say(status, "读取园区失败：" + err.message, "error");
  }
  for (const [k, v] of new URLSearchParams(location.search)) if (form.elements[k]) form.elements[k].value = v;
  load(false);
}
