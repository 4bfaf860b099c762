// panhuo map: a stale write (412). Someone else changed the parcel after the
// officer opened it: say so, show what they changed (the server's current
// version against the one the officer started from) and what the officer
// was about to write, and offer to reload. Nothing is overwritten.
import { api, el } from "./session.js";
import { LABELS, showValue, mu } from "./map-fields.js";
import { formatTime } from "./map-panel.js";

/**
 * Shows the conflict in the panel. base: the properties the officer started
 * from; mine: {properties?, geometry?} they tried to write; onReload(apiFeature)
 * after the officer chose to reload.
 */
export async function showConflict(ctx, id, base, mine, onReload) {
  const box = el("div", { id: "conflict", className: "conflict", attrs: { role: "alert" } },
    el("h3", {}, "该地块已被他人修改，您的修改尚未保存"),
    el("p", { className: "muted" }, "正在读取最新版本…"));
  ctx.panel.showContent("修改冲突", box);
  ctx.status("保存失败：地块已被他人修改（版本冲突），请查看变化后重新载入", "error");
  let current;
  try {
    current = (await api("GET", `/api/parcels/${id}`)).data;
  } catch (err) {
    box.replaceChildren(el("h3", {}, "该地块已被他人修改，您的修改尚未保存"), el("p", { className: "error" }, "无法读取最新版本：" + err.message));
    return;
  }
  const now = current.properties;
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
  const parts = [
    el("h3", {}, "该地块已被他人修改，您的修改尚未保存"),
    el("p", {}, `您打开此地块后，${who} 修改了它（版本 ${base.version} → ${now.version}）。为免覆盖他人的修改，系统没有保存您的修改。请查看变化，重新载入最新版本后再修改。`),
  ];
  if (rows.length) {
    parts.push(el("h4", {}, "对方修改的内容"), el("table", { className: "changes" },
      el("thead", {}, el("tr", {}, el("th", {}, "项目"), el("th", {}, "您打开时"), el("th", {}, "现在"))),
      el("tbody", {}, ...rows.map(([l, a, b]) => el("tr", {}, el("td", {}, l), el("td", {}, a || "—"), el("td", {}, b || "—"))))));
  } else {
    parts.push(el("p", { className: "muted" }, "台账字段没有变化（可能登记了处置或调整了状态）。"));
  }
  if (mineRows.length) {
    parts.push(el("h4", {}, "您未保存的修改"), el("table", { className: "changes" },
      el("tbody", {}, ...mineRows.map(([l, v]) => el("tr", {}, el("td", {}, l), el("td", {}, v || "—"))))));
  }
  const reload = el("button", { type: "button", id: "conflict-reload", onclick: () => onReload(current) }, "重新载入最新版本");
  const close = el("button", { type: "button", onclick: () => { ctx.updateFeature(current); ctx.select(id); } }, "放弃我的修改");
  parts.push(el("div", { className: "buttons" }, reload, close));
  box.replaceChildren(...parts);
}
