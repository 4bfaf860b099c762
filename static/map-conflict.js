// panhuo map: a stale write (412). Someone else changed the parcel after the
// officer opened it: say so, show what they changed (the server's current
// version against the one the officer started from) and what the officer
// was about to write (an edit or a removal), and offer to reload. Nothing is
// overwritten. A parcel someone else removed meanwhile leaves the map.
import { api, el } from "./session.js";
import { LABELS, showValue, mu, parcelTitle } from "./map-fields.js";
import { formatTime } from "./map-panel.js";

// What the page says, by what the officer tried to do.
const WORDS = {
  edit: {
    head: "该地块已被他人修改，您的修改尚未保存",
    status: "保存失败：地块已被他人修改（版本冲突），请查看变化后重新载入",
    kept: "系统没有保存您的修改。请查看变化，重新载入最新版本后再修改。",
    mine: "您未保存的修改",
    giveUp: "放弃我的修改",
    gone: "您的修改没有保存。",
  },
  remove: {
    head: "该地块已被他人修改，尚未删除",
    status: "删除失败：地块已被他人修改（版本冲突），请查看变化后重新载入",
    kept: "系统没有删除该地块。请查看变化，重新载入最新版本后再决定是否删除。",
    mine: "您填写的删除信息",
    giveUp: "放弃删除",
    gone: "无需再次删除。",
  },
};

/** The parcel was removed meanwhile: say when, why and by whom, and take it off the map. */
function removedMeanwhile(ctx, box, current, w) {
  const now = current.properties;
  const gone = ctx.removeFeature(current);
  box.replaceChildren(
    el("h3", {}, "该地块已被他人删除"),
    el("p", {}, `${now.updated_by || "他人"} 于 ${formatTime(now.updated_at)} 删除了该地块（删除日期 ${now.removed_on}，原因：${now.removed_reason || "—"}），它已从地图上移除。${w.gone}`),
    el("div", { className: "buttons" },
      el("button", { type: "button", id: "conflict-removed", onclick: () => ctx.panel.show(gone) }, "查看已删除的地块")));
  ctx.status("该地块已被他人删除", "error");
}

/**
 * Shows the conflict in the panel. base: the properties the officer started
 * from; mine: {properties?, geometry?} they tried to write; onReload(apiFeature)
 * after the officer chose to reload; kind: "edit" or "remove" (what they tried).
 */
export async function showConflict(ctx, id, base, mine, onReload, kind = "edit") {
  const w = WORDS[kind];
  const box = el("div", { id: "conflict", className: "conflict", attrs: { role: "alert" } },
    el("h3", {}, w.head),
    el("p", { className: "muted" }, "正在读取最新版本…"));
  ctx.panel.showContent("修改冲突", box);
  ctx.status(w.status, "error");
  let current;
  try {
    current = (await api("GET", `/api/parcels/${id}`)).data;
  } catch (err) {
    box.replaceChildren(el("h3", {}, w.head), el("p", { className: "error" }, "无法读取最新版本：" + err.message));
    return;
  }
  const now = current.properties;
  if (now.removed_on) {
    removedMeanwhile(ctx, box, current, w);
    return;
  }
  const rows = [];
  if (base.area_m2 !== now.area_m2) {
    rows.push([LABELS.geometry + "（面积）", `${mu(base.area_mu)} 亩`, `${mu(now.area_mu)} 亩`]);
  }
  for (const [k, label] of Object.entries(LABELS)) {
    if (k === "geometry" || k === "area_mu") continue;
    const a = base[k] ?? null;
    const b = now[k] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) rows.push([label, showValue(k, a), showValue(k, b)]);
  }
  const mineRows = [];
  for (const [k, v] of Object.entries(mine.properties || {})) mineRows.push([LABELS[k] || k, showValue(k, v)]);
  if (mine.geometry) mineRows.push([LABELS.geometry, "（新图形）"]);

  const who = now.updated_by ? `${now.updated_by} 于 ${formatTime(now.updated_at)}` : "他人";
  // Named: when a shape edit moved neighbours too, the stale one may not be
  // the parcel being edited.
  const name = now.code && now.project_name ? `${now.project_name}（${now.code}）` : parcelTitle(now, id);
  const parts = [
    el("h3", {}, w.head),
    el("p", { id: "conflict-parcel" }, `地块：${name}`),
    el("p", {}, `您打开此地块后，${who} 修改了它（版本 ${base.version} → ${now.version}）。为免覆盖他人的修改，${w.kept}`),
  ];
  if (rows.length) {
    parts.push(el("h4", {}, "对方修改的内容"), el("table", { className: "changes" },
      el("thead", {}, el("tr", {}, el("th", {}, "项目"), el("th", {}, "您打开时"), el("th", {}, "现在"))),
      el("tbody", {}, ...rows.map(([l, a, b]) => el("tr", {}, el("td", {}, l), el("td", {}, a || "—"), el("td", {}, b || "—"))))));
  } else {
    parts.push(el("p", { className: "muted" }, "台账字段没有变化（可能登记了处置或调整了状态）。"));
  }
  if (mineRows.length) {
    parts.push(el("h4", {}, w.mine), el("table", { className: "changes" },
      el("tbody", {}, ...mineRows.map(([l, v]) => el("tr", {}, el("td", {}, l), el("td", {}, v || "—"))))));
  }
  const reload = el("button", { type: "button", id: "conflict-reload", onclick: () => onReload(current) }, "重新载入最新版本");
  const close = el("button", { type: "button", onclick: () => { ctx.updateFeature(current); ctx.select(id); } }, w.giveUp);
  parts.push(el("div", { className: "buttons" }, reload, close));
  box.replaceChildren(...parts);
}
