// panhuo leaders' dashboard (驾驶舱): the headline figures, the ranking of
// parks by disposal rate (红黑榜), and three Apache ECharts charts — rates by
// park, the month-by-month progress against the year's target, and the split
// by class. Reads /api/rates and /api/rates/trend; the query (as-of date,
// period start, class, sort order, trend scope) lives in the URL so that a
// link or a reload shows the same view.
//
// Plain ES module, nothing from the internet: ECharts is the global `echarts`
// of /static/vendor/echarts.min.js. Data goes into the page as text
// (textContent, DOM nodes) and into charts as ECharts options; the only HTML
// is the charts' tooltips, built here from escaped text.

import { api, el, say } from "./session.js";

const CLASSES = [
  ["unsupplied", "批而未供"],
  ["idle", "闲置"],
  ["inefficient", "低效"],
];
const CLASS_NAME = Object.fromEntries(CLASSES);

const muFmt = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const muWhole = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });
const pctFmt = new Intl.NumberFormat("zh-CN", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat("zh-CN");

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
/** 亩 with two decimals and grouping: 19,600.00; "—" when missing. */
const mu = (v) => (isNum(v) ? muFmt.format(v) : "—");
/** A fraction as a percentage with one decimal: 72.3%; "—" when unknown. */
const pct = (v) => (isNum(v) ? pctFmt.format(v) : "—");
/** 亩 in 万亩 with two decimals, as seed 004 writes it: 1.96. */
const wan = (v) => (isNum(v) ? (v / 10000).toFixed(2) : "—");

/** Escapes text for the HTML of an ECharts tooltip. */
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Tooltip HTML: a title and label/value rows, every piece escaped. */
function tip(title, rows, hint) {
  let h = `<div class="tt-title">${esc(title)}</div>`;
  for (const [k, v] of rows) h += `<div class="tt-row"><span>${esc(k)}</span><span class="tt-val">${esc(v)}</span></div>`;
  if (hint) h += `<div class="tt-hint">${esc(hint)}</div>`;
  return h;
}

/** The tooltip options every chart shares: HTML (escaped), inside the chart. */
function tooltip(formatter, trigger = "item") {
  return {
    trigger,
    confine: true,
    renderMode: "html",
    className: "dash-tooltip",
    backgroundColor: "#fff",
    borderColor: "#9fb3c8",
    textStyle: { color: "#1f2933", fontSize: 15 },
    formatter,
  };
}

const $ = (id) => document.getElementById(id);

// The view: the last report and the state the URL keeps.
const view = {
  report: null,
  sortKey: "rank",
  sortDir: "asc",
  trendPark: "",
  today: "", // the as-of date the server takes when none is asked for
  charts: {},
};

/** The map, zoomed to a park. */
function openPark(code) {
  location.assign("/?park=" + encodeURIComponent(code));
}

/** The query of the rates API from the form/URL parameters. */
function ratesQuery(params) {
  const q = new URLSearchParams();
  for (const k of ["asof", "from", "class"]) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  return q;
}

/** Writes the view into the URL (without reloading). */
function saveURL(push) {
  const form = $("query");
  const q = ratesQuery(new FormData(form));
  // Today's date, filled in for the reader, is the default: a link keeps
  // following today.
  if (view.today && q.get("asof") === view.today) q.delete("asof");
  if (view.sortKey !== "rank" || view.sortDir !== "asc") {
    q.set("sort", view.sortKey);
    q.set("dir", view.sortDir);
  }
  if (view.trendPark) q.set("trend", view.trendPark);
  const url = location.pathname + (q.toString() ? "?" + q : "");
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

// ---- Headline figures ----------------------------------------------------

function renderKPIs(rep) {
  const rows = rep.rows || [];
  const total = rows.find((r) => r.park_code === "total") || {};
  const ranked = rows.filter((r) => r.park_code !== "total" && r.rank > 0);
  $("kpi-identified").textContent = wan(total.identified_mu);
  $("kpi-identified-note").textContent =
    `${intFmt.format(total.identified_count ?? 0)} 宗，占园区建成区 ${pct(total.builtup_share)}`;
  $("kpi-disposed-count").textContent = intFmt.format(total.disposed_count ?? 0);
  $("kpi-disposed-mu").textContent = isNum(total.disposed_mu) ? muWhole.format(total.disposed_mu) : "—";
  $("kpi-disposed-note").textContent = rep.from ? `${rep.from} 至 ${rep.asof} 区间内处置` : `截至 ${rep.asof} 累计处置`;
  $("kpi-rate").textContent = pct(total.rate);
  $("kpi-rate-note").textContent = `按面积；按宗数 ${pct(total.rate_count)}`;
  const top = ranked[0];
  const bottom = ranked.length > 1 ? ranked[ranked.length - 1] : null;
  $("kpi-top-name").textContent = top ? top.park_name : "—";
  $("kpi-top-rate").textContent = top ? pct(top.rate) : "";
  $("kpi-top-note").textContent = bottom ? `末位：${bottom.park_name} ${pct(bottom.rate)}` : "";
}

// ---- Ranking ---------------------------------------------------------------

/** Compares two rows by the sort key; missing values go last either way. */
function compareRows(a, b) {
  const k = view.sortKey;
  const dir = view.sortDir === "asc" ? 1 : -1;
  let va = a[k];
  let vb = b[k];
  if (k === "rank") {
    va = a.rank > 0 ? a.rank : null;
    vb = b.rank > 0 ? b.rank : null;
  }
  const ma = va === null || va === undefined;
  const mb = vb === null || vb === undefined;
  if (ma || mb) return ma === mb ? 0 : ma ? 1 : -1;
  if (typeof va === "string") return dir * va.localeCompare(vb, "zh-CN");
  return dir * (va - vb);
}

function cell(text, className) {
  return el("td", { className, textContent: text });
}

function rateCell(r) {
  const td = el("td", { className: "num rate" });
  const wrap = el("span", { className: "ratebar" }, pct(r.rate));
  if (isNum(r.rate)) {
    const fill = el("span", { className: "fill" });
    fill.style.width = Math.max(0, Math.min(1, r.rate)) * 100 + "%"; // CSSOM, allowed by the CSP
    wrap.append(fill);
  }
  td.append(wrap);
  return td;
}

function targetCell(r, asof) {
  const td = el("td", { className: "num" });
  if (!(r.target_mu > 0)) {
    td.textContent = "—";
    return td;
  }
  // A target whose year has not begun by the as-of date has no progress yet.
  td.append(r.target_year && asof < `${r.target_year}-01-01` ? "未开始" : pct(r.target_progress));
  const year = r.target_year ? `${r.target_year}年 ` : "";
  td.append(el("span", { className: "sub", textContent: `${year}${mu(r.target_disposed_mu)} / ${mu(r.target_mu)} 亩` }));
  return td;
}

/** One line of the ranking; the total line has no link and no rank. */
function rankingRow(r, lastRank, asof) {
  const total = r.park_code === "total";
  const tr = el("tr", { dataset: { park: r.park_code } });
  if (!total && r.rank === 1) tr.classList.add("red");
  else if (!total && r.rank > 1 && r.rank === lastRank) tr.classList.add("black");
  const rank = el("td", { className: "num rank" });
  if (!total) {
    rank.append(el("span", {
      className: "rank-badge",
      textContent: r.rank > 0 ? String(r.rank) : "—",
      title: r.rank === 1 ? "红榜" : r.rank > 1 && r.rank === lastRank ? "黑榜" : "",
    }));
  }
  tr.append(rank);
  const park = el("td", { className: "park" });
  if (total) {
    park.textContent = r.park_name || "合计";
  } else {
    park.append(el("a", { href: "/?park=" + encodeURIComponent(r.park_code), textContent: r.park_name || r.park_code, title: "在一张图中查看" }));
    if (r.level) park.append(el("span", { className: "level", textContent: r.level }));
  }
  tr.append(park,
    cell(mu(r.identified_mu), "num"),
    cell(intFmt.format(r.identified_count ?? 0), "num"),
    cell(mu(r.disposed_mu), "num"),
    cell(intFmt.format(r.disposed_count ?? 0), "num"),
    rateCell(r),
    targetCell(r, asof),
    cell(pct(r.builtup_share), "num"));
  return tr;
}

function renderRanking(rep) {
  const rows = rep.rows || [];
  const parks = rows.filter((r) => r.park_code !== "total");
  const total = rows.find((r) => r.park_code === "total");
  const ranked = parks.filter((r) => r.rank > 0);
  const lastRank = ranked.length ? ranked[ranked.length - 1].rank : 0;
  const sorted = parks.slice().sort((a, b) => compareRows(a, b) || (a.rank || 1e9) - (b.rank || 1e9));
  $("ranking").tBodies[0].replaceChildren(...sorted.map((r) => rankingRow(r, lastRank, rep.asof)));
  $("ranking").tFoot.replaceChildren(...(total ? [rankingRow(total, lastRank, rep.asof)] : []));
  for (const th of $("ranking").tHead.rows[0].cells) {
    if (th.dataset.key === view.sortKey) th.setAttribute("aria-sort", view.sortDir === "asc" ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
}

function setupRanking() {
  const table = $("ranking");
  table.tHead.addEventListener("click", (ev) => {
    const th = ev.target.closest("th[data-key]");
    if (!th) return;
    const key = th.dataset.key;
    if (view.sortKey === key) view.sortDir = view.sortDir === "asc" ? "desc" : "asc";
    else {
      view.sortKey = key;
      // Names and ranks read upwards; figures from the largest.
      view.sortDir = key === "rank" || key === "park_name" ? "asc" : "desc";
    }
    saveURL(false);
    if (view.report) renderRanking(view.report);
  });
  table.tBodies[0].addEventListener("click", (ev) => {
    if (ev.target.closest("a")) return; // the link navigates by itself
    const tr = ev.target.closest("tr[data-park]");
    if (tr && tr.dataset.park !== "total") openPark(tr.dataset.park);
  });
}

// ---- Charts ----------------------------------------------------------------

/** The ECharts instance of a chart element, or null without ECharts. */
function chart(id) {
  if (typeof echarts === "undefined") return null;
  if (!view.charts[id]) {
    const node = $(id);
    view.charts[id] = echarts.init(node, null, { renderer: "canvas", locale: "ZH" });
  }
  return view.charts[id];
}

function noCharts() {
  for (const id of ["chart-rates", "chart-trend", "chart-class"]) {
    const node = $(id);
    node.classList.add("chart-empty");
    node.textContent = "图表组件未加载（/static/vendor/echarts.min.js），请联系管理员。";
  }
}

const COLORS = { bar: "#2f6fb0", red: "#c0392b", black: "#1f2933", disposed: "#2e8b57", left: "#e8a33d", target: "#c0392b", rate: "#6a3fa0" };
const AXIS_FONT = 14;

function renderRateChart(rep) {
  const c = chart("chart-rates");
  if (!c) return;
  const rows = rep.rows || [];
  const total = rows.find((r) => r.park_code === "total");
  const ranked = rows.filter((r) => r.park_code !== "total" && r.rank > 0);
  const maxRate = Math.max(0, ...ranked.map((r) => r.rate));
  const data = ranked.map((r, i) => ({
    value: r.rate,
    code: r.park_code,
    row: r,
    itemStyle: { color: i === 0 ? COLORS.red : i === ranked.length - 1 && i > 0 ? COLORS.black : COLORS.bar },
  }));
  c.setOption({
    animation: false,
    grid: { left: 8, right: 64, top: 28, bottom: 8, containLabel: true },
    tooltip: tooltip((p) => {
      const r = p.data && p.data.row;
      if (!r) return "";
      return tip(r.park_name, [
        ["盘活率", pct(r.rate)],
        ["三类用地", `${mu(r.identified_mu)} 亩 / ${r.identified_count} 宗`],
        ["已处置", `${mu(r.disposed_mu)} 亩 / ${r.disposed_count} 宗`],
        ["目标进度", r.target_mu > 0 ? pct(r.target_progress) : "—"],
      ], "点击在一张图中查看");
    }),
    xAxis: {
      type: "value",
      min: 0,
      max: Math.min(1, Math.ceil((maxRate + 0.08) * 10) / 10) || 1,
      axisLabel: { formatter: (v) => Math.round(v * 100) + "%", fontSize: AXIS_FONT },
      splitLine: { lineStyle: { color: "#e4e7eb" } },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: ranked.map((r) => r.park_name),
      axisLabel: { fontSize: 15, width: 150, overflow: "truncate", color: "#1f2933" },
      axisTick: { show: false },
    },
    series: [{
      type: "bar",
      name: "盘活率",
      data,
      barMaxWidth: 30,
      cursor: "pointer",
      label: { show: true, position: "right", fontSize: 15, fontWeight: "bold", formatter: (p) => pct(p.value) },
      markLine: total && isNum(total.rate) ? {
        silent: true,
        symbol: "none",
        lineStyle: { color: "#616e7c", type: "dashed" },
        label: { formatter: "全市 " + pct(total.rate), position: "start", fontSize: 13 },
        data: [{ xAxis: total.rate }],
      } : undefined,
    }],
  }, { notMerge: true });
}

function renderClassChart(rep) {
  const c = chart("chart-class");
  if (!c) return;
  const total = (rep.rows || []).find((r) => r.park_code === "total");
  const by = (total && total.by_class) || {};
  const classes = CLASSES.filter(([k]) => by[k]);
  const fig = (k) => by[k];
  const label = (k) => `${CLASS_NAME[k]}\n${pct(fig(k).rate)}`;
  const formatter = (p) => {
    const k = classes[p.dataIndex] && classes[p.dataIndex][0];
    if (!k) return "";
    const f = fig(k);
    return tip(CLASS_NAME[k], [
      ["认定", `${mu(f.identified_mu)} 亩 / ${f.identified_count} 宗`],
      ["已处置", `${mu(f.disposed_mu)} 亩 / ${f.disposed_count} 宗`],
      ["未处置", `${mu(f.identified_mu - f.disposed_mu)} 亩`],
      ["盘活率", pct(f.rate)],
    ]);
  };
  c.setOption({
    animation: false,
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { fontSize: 14 } },
    tooltip: tooltip(formatter),
    xAxis: { type: "category", data: classes.map(([k]) => label(k)), axisLabel: { fontSize: 15, lineHeight: 20, color: "#1f2933" } },
    yAxis: { type: "value", name: "亩", axisLabel: { fontSize: AXIS_FONT }, splitLine: { lineStyle: { color: "#e4e7eb" } } },
    series: [
      {
        type: "bar", name: "已处置", stack: "area", barMaxWidth: 70,
        itemStyle: { color: COLORS.disposed },
        label: { show: true, fontSize: 13, color: "#fff", formatter: (p) => (p.value > 0 ? muWhole.format(p.value) : "") },
        data: classes.map(([k]) => fig(k).disposed_mu),
      },
      {
        type: "bar", name: "未处置", stack: "area", barMaxWidth: 70,
        itemStyle: { color: COLORS.left },
        label: { show: true, fontSize: 13, formatter: (p) => (p.value > 0 ? muWhole.format(p.value) : "") },
        data: classes.map(([k]) => Math.max(0, fig(k).identified_mu - fig(k).disposed_mu)),
      },
    ],
  }, { notMerge: true });
}

/**
 * The year the trend compares with a target: the as-of year when a park in
 * scope has a target for it, else the latest target year before it, else the
 * as-of year (no target line).
 */
function trendYear(rows, asofYear) {
  const years = rows.filter((r) => r.target_mu > 0 && r.target_year > 0).map((r) => r.target_year);
  if (years.includes(asofYear)) return asofYear;
  const before = years.filter((y) => y < asofYear);
  return before.length ? Math.max(...before) : asofYear;
}

async function renderTrend(rep, params) {
  const c = chart("chart-trend");
  const parks = (rep.rows || []).filter((r) => r.park_code !== "total");
  const scope = view.trendPark ? parks.filter((r) => r.park_code === view.trendPark) : parks;
  const asofYear = Number(rep.asof.slice(0, 4));
  const year = trendYear(scope, asofYear);
  const target = scope.filter((r) => r.target_year === year).reduce((s, r) => s + (r.target_mu || 0), 0);
  const scopeName = view.trendPark ? (scope[0] ? scope[0].park_name : view.trendPark) : "全市";
  $("trend-title").textContent = `${year}年逐月处置与目标 · ${scopeName}`;
  if (!c) return;

  // From December of the year before (the baseline) to the as-of date, or
  // the year's end.
  const q = new URLSearchParams({ from: `${year - 1}-12`, to: year === asofYear ? rep.asof : `${year}-12` });
  if (params.get("class")) q.set("class", params.get("class"));
  if (view.trendPark) q.set("park", view.trendPark);
  const { data } = await api("GET", "/api/rates/trend?" + q);
  const series = data.series || [];
  const base = series.length && series[0].month === `${year - 1}-12` ? series[0].disposed_mu : 0;
  const byMonth = new Map(series.map((p) => [p.month, p]));
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`);
  const points = months.map((m) => byMonth.get(m) || null);
  const done = points.map((p) => (p ? Math.max(0, p.disposed_mu - base) : null));
  const rate = points.map((p) => (p && isNum(p.rate) ? p.rate : null));

  const formatter = (items) => {
    const list = Array.isArray(items) ? items : [items];
    if (!list.length) return "";
    const i = list[0].dataIndex;
    const p = points[i];
    const rows = [["年内累计处置", p ? `${mu(done[i])} 亩` : "—"]];
    if (target > 0) rows.push(["年度目标", `${mu(target)} 亩`], ["目标完成", p ? pct(done[i] / target) : "—"]);
    rows.push(["累计盘活率", p ? pct(p.rate) : "—"]);
    return tip(`${scopeName} ${months[i]}`, rows, p ? `截至 ${p.asof}` : "");
  };
  const seriesOpts = [
    {
      type: "bar", name: "年内累计处置(亩)", data: done, barMaxWidth: 28,
      itemStyle: { color: COLORS.disposed },
    },
  ];
  if (target > 0) {
    seriesOpts.push({
      type: "line", name: `年度目标 ${muWhole.format(target)} 亩`, data: months.map(() => target),
      symbol: "none", lineStyle: { color: COLORS.target, type: "dashed", width: 2 }, itemStyle: { color: COLORS.target },
    });
  }
  seriesOpts.push({
    type: "line", name: "累计盘活率", yAxisIndex: 1, data: rate, connectNulls: false,
    symbolSize: 7, lineStyle: { color: COLORS.rate, width: 3 }, itemStyle: { color: COLORS.rate },
  });
  const maxMu = Math.max(target, ...done.filter(isNum), 1);
  c.setOption({
    animation: false,
    grid: { left: 8, right: 8, top: 64, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { fontSize: 14 } },
    tooltip: tooltip(formatter, "axis"),
    xAxis: { type: "category", data: months.map((m) => Number(m.slice(5)) + "月"), axisLabel: { fontSize: AXIS_FONT } },
    yAxis: [
      { type: "value", name: "亩", max: Math.ceil(maxMu * 1.1), axisLabel: { fontSize: AXIS_FONT }, splitLine: { lineStyle: { color: "#e4e7eb" } } },
      { type: "value", name: "盘活率", min: 0, max: (v) => Math.min(1, Math.max(0.1, Math.ceil(v.max * 12) / 10)), axisLabel: { fontSize: AXIS_FONT, formatter: (v) => Math.round(v * 100) + "%" }, splitLine: { show: false } },
    ],
    series: seriesOpts,
  }, { notMerge: true });
}

function setupCharts() {
  if (typeof echarts === "undefined") {
    noCharts();
    return;
  }
  const rates = chart("chart-rates");
  rates.on("click", (p) => {
    if (p.componentType === "series" && p.data && p.data.code) openPark(p.data.code);
  });
  chart("chart-trend");
  chart("chart-class");
  window.addEventListener("resize", () => {
    for (const c of Object.values(view.charts)) c.resize();
  });
}

// ---- Loading -----------------------------------------------------------------

function renderBasis(rep) {
  const cls = rep.class ? CLASS_NAME[rep.class] || rep.class : "三类合计";
  $("asof-label").textContent = rep.from ? `${rep.from} 至 ${rep.asof} · ${cls}` : `截至 ${rep.asof} · ${cls}`;
  $("basis").textContent = (rep.from
    ? `统计区间 ${rep.from} 至 ${rep.asof}：盘活率 = 区间内处置面积 ÷（期初未处置面积 + 区间内新认定面积）。`
    : `截至 ${rep.asof} 累计：盘活率 = 已处置面积 ÷ 认定面积（按计算面积，亩）。`) +
    "目标进度 = 目标年度内已处置面积 ÷ 年度目标；占建成区比例 = 认定面积 ÷ 建成区面积。";
  const q = new URLSearchParams({ asof: rep.asof });
  if (rep.from) q.set("from", rep.from);
  if (rep.class) q.set("class", rep.class);
  $("export").href = "/api/exports/rates.xlsx?" + q;
  // The ledger is a state at a date: no period start.
  const lq = new URLSearchParams({ asof: rep.asof });
  if (rep.class) lq.set("class", rep.class);
  $("export-ledger").href = "/api/exports/ledger.xlsx?" + lq;
}

function fillTrendParks(rep) {
  const sel = $("trend-park");
  const parks = (rep.rows || []).filter((r) => r.park_code !== "total")
    .slice().sort((a, b) => a.park_name.localeCompare(b.park_name, "zh-CN"));
  sel.replaceChildren(el("option", { value: "", textContent: "全市" }),
    ...parks.map((r) => el("option", { value: r.park_code, textContent: r.park_name })));
  if (view.trendPark && !parks.some((r) => r.park_code === view.trendPark)) view.trendPark = "";
  sel.value = view.trendPark;
}

let loading = 0; // the number of the newest load; older answers are dropped

async function load(params) {
  const mine = ++loading;
  document.body.dataset.state = "loading";
  const status = $("status");
  say(status, "正在加载…");
  try {
    const q = ratesQuery(params);
    const { data: rep } = await api("GET", "/api/rates" + (q.toString() ? "?" + q : ""));
    if (mine !== loading) return;
    view.report = rep;
    const form = $("query");
    if (!params.get("asof")) {
      view.today = rep.asof;
      form.elements.asof.value = rep.asof;
    }
    renderBasis(rep);
    renderKPIs(rep);
    renderRanking(rep);
    fillTrendParks(rep);
    renderRateChart(rep);
    renderClassChart(rep);
    await renderTrend(rep, params);
    if (mine !== loading) return;
    say(status, "");
    document.body.dataset.asof = rep.asof;
    document.body.dataset.state = "ready";
  } catch (err) {
    if (mine !== loading) return;
    say(status, "加载失败：" + err.message, "error");
    document.body.dataset.state = "error";
  }
}

async function reloadTrend() {
  if (!view.report) return;
  document.body.dataset.state = "loading";
  try {
    await renderTrend(view.report, new URLSearchParams(location.search));
    document.body.dataset.state = "ready";
  } catch (err) {
    say($("status"), "趋势加载失败：" + err.message, "error");
    document.body.dataset.state = "error";
  }
}

/** Shows the 示例数据 banner when any park is demo data. */
async function markDemo() {
  try {
    const { data } = await api("GET", "/api/parks");
    $("demo-banner").hidden = !(data.parks || []).some((p) => p.demo);
  } catch {
    // The ranking reports its own failure; the banner is only a marker.
  }
}

/** Reads the view from the URL into the form and the state. */
function fromURL() {
  const params = new URLSearchParams(location.search);
  const form = $("query");
  for (const k of ["asof", "from", "class"]) form.elements[k].value = params.get(k) || "";
  const keys = Array.from($("ranking").tHead.rows[0].cells, (th) => th.dataset.key);
  view.sortKey = keys.includes(params.get("sort")) ? params.get("sort") : "rank";
  view.sortDir = params.get("dir") === "desc" ? "desc" : "asc";
  view.trendPark = params.get("trend") || "";
  return params;
}

function main() {
  setupRanking();
  setupCharts();
  const form = $("query");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    saveURL(true);
    load(new FormData(form));
  });
  $("trend-park").addEventListener("change", (ev) => {
    view.trendPark = ev.target.value;
    saveURL(false);
    reloadTrend();
  });
  window.addEventListener("popstate", () => load(fromURL()));
  load(fromURL());
  markDemo();
}

main();
