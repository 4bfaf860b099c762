// panhuo dashboard: the ranking of parks by disposal rate (盘活率), read from
// /api/rates. Plain ES module, nothing from the internet; data is written
// with textContent only.

import { toLogin } from "./session.js";

const area = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = new Intl.NumberFormat("zh-CN", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Formats 亩 with 2 decimals; "—" when missing. */
function mu(v) {
  return typeof v === "number" && Number.isFinite(v) ? area.format(v) : "—";
}

/** Formats a fraction as a percentage with 1 decimal; "—" when unknown (null). */
function percent(v) {
  return typeof v === "number" && Number.isFinite(v) ? pct.format(v) : "—";
}

function cell(tr, text, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  tr.appendChild(td);
  return td;
}

function render(report) {
  const tbody = document.querySelector("#ranking tbody");
  tbody.replaceChildren();
  const rows = report.rows || [];
  const ranked = rows.filter((r) => r.park_code !== "total" && r.rank > 0);
  const last = ranked.length ? ranked[ranked.length - 1].rank : 0;
  for (const r of rows) {
    const tr = document.createElement("tr");
    const total = r.park_code === "total";
    if (total) tr.className = "total";
    else if (r.rank === 1) tr.className = "top";
    else if (r.rank > 1 && r.rank === last) tr.className = "bottom";
    const rank = cell(tr, total ? "" : r.rank > 0 ? String(r.rank) : "—", true);
    rank.classList.add("rank");
    cell(tr, r.park_name || r.park_code, false);
    cell(tr, mu(r.identified_mu), true);
    cell(tr, mu(r.disposed_mu), true);
    cell(tr, percent(r.rate), true);
    cell(tr, `${r.disposed_count ?? 0} / ${r.identified_count ?? 0}`, true);
    cell(tr, percent(r.builtup_share), true);
    const target = r.target_mu > 0
      ? `${percent(r.target_progress)}（${mu(r.target_disposed_mu)} / ${mu(r.target_mu)}${r.target_year ? "，" + r.target_year + "年" : ""}）`
      : "—";
    cell(tr, target, true);
    tbody.appendChild(tr);
  }
  const basis = document.getElementById("basis");
  basis.textContent = report.from
    ? `统计区间 ${report.from} 至 ${report.asof}：区间内处置面积 ÷（期初未处置面积 + 区间内新认定面积）。宗数为已处置/认定。`
    : `截至 ${report.asof} 累计：已处置面积 ÷ 认定面积（按计算面积，亩）。宗数为已处置/认定。`;
}

async function load(params) {
  const status = document.getElementById("status");
  status.className = "";
  status.textContent = "正在加载…";
  const query = new URLSearchParams();
  for (const [k, v] of params) if (v) query.set(k, v);
  try {
    const qs = query.toString();
    const res = await fetch("/api/rates" + (qs ? "?" + qs : ""), { headers: { Accept: "application/json" } });
    if (res.status === 401) {
      toLogin();
      return;
    }
    const body = await res.json();
    if (!res.ok) {
      const reasons = (body.errors || []).map((e) => `${e.field}：${e.reason}`).join("；");
      throw new Error(`${body.title || res.status}${reasons ? "（" + reasons + "）" : ""}`);
    }
    render(body);
    status.textContent = "";
  } catch (err) {
    status.className = "error";
    status.textContent = "加载失败：" + err.message;
  }
}

/** Shows the 示例数据 banner when any park is demo data. */
async function markDemo() {
  try {
    const res = await fetch("/api/parks", { headers: { Accept: "application/json" } });
    if (!res.ok) return;
    const body = await res.json();
    document.getElementById("demo-banner").hidden = !(body.parks || []).some((p) => p.demo);
  } catch {
    // The ranking reports its own failure; the banner is only a marker.
  }
}

const form = document.getElementById("query");
form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const params = new FormData(form);
  history.replaceState(null, "", "?" + new URLSearchParams(params));
  load(params);
});
const initial = new URLSearchParams(location.search);
for (const [k, v] of initial) if (form.elements[k]) form.elements[k].value = v;
load(initial);
markDemo();
