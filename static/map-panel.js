// panhuo map: the side panel of a parcel — ledger fields, computed and
// declared area, disposal steps and history; for users who may write the
// parcel, the buttons to edit or remove it and the form to record a
// disposal. A removed parcel (just removed, or removed by someone else)
// shows when, why and by whom, and no tools. The ledger part comes from
// the loaded feature at once; steps and history follow from the API.
import { api, el } from "./session.js";
import { LEDGER_FIELDS, LABELS, className, statusName, fieldApplies, showValue, flagName, mu, formatNumber, parcelTitle } from "./map-fields.js";
import { disposalForm } from "./map-disposal.js";

const EVENT_KINDS = {
  "parcel.create": "新建地块",
  "parcel.update": "修改地块",
  "parcel.delete": "删除地块",
  "disposal.create": "登记处置",
};

/** "2022-06-28 14:03" in local time. */
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A definition list of [label, value] pairs; empty values show "—". */
function facts(pairs) {
  const dl = el("dl", { className: "facts" });
  for (const [label, value, cls] of pairs) {
    dl.append(el("dt", {}, label), el("dd", { className: cls || "" }, value === "" || value === null || value === undefined ? "—" : String(value)));
  }
  return dl;
}

/** The notice on a removed parcel: when, why and by whom. */
function removedNote(p) {
  return el("section", { className: "removed-note", id: "removed-note", attrs: { role: "note" } },
    el("h3", {}, "该地块已删除"),
    facts([
      ["删除日期", p.removed_on],
      ["删除原因", p.removed_reason],
      ["操作人", `${p.updated_by || ""} ${formatTime(p.updated_at)}`.trim()],
    ]),
    el("p", { className: "muted" }, "已从地图上移除，自删除日期起不计入处置率；台账信息和处置记录保留在修改历史中。"));
}

/** The fields an update changed, by label. */
function changedLabels(before, after) {
  const b = (before && before.properties) || {};
  const a = (after && after.properties) || {};
  const out = [];
  if (JSON.stringify(before && before.geometry) !== JSON.stringify(after && after.geometry)) out.push(LABELS.geometry);
  for (const [k, label] of Object.entries(LABELS)) {
    if (k === "geometry" || k === "area_mu") continue;
    if (JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null)) out.push(label);
  }
  return out;
}

export function makePanel(ctx) {
  const node = document.getElementById("panel");
  let current = null;
  let seq = 0;

  const methodName = (code) => (ctx.methods.find((m) => m.code === code) || { name: code }).name;

  function hide() {
    seq++;
    current = null;
    node.hidden = true;
    node.replaceChildren();
    document.body.classList.remove("panel-open");
  }

  /** Shows arbitrary content (forms of the editor) in the panel. */
  function showContent(title, ...children) {
    seq++;
    current = null;
    const close = el("button", { type: "button", className: "close", title: "关闭", onclick: () => ctx.editor ? ctx.editor.cancel() : hide() }, "×");
    node.replaceChildren(el("div", { className: "panel-head" }, el("h2", {}, title), close), ...children);
    node.hidden = false;
    document.body.classList.add("panel-open");
  }

  /** The edit buttons and the disposal form, for users who may write the parcel. */
  function editTools(f, title) {
    const id = f.getId();
    const actions = el("div", { className: "actions" },
      el("button", { type: "button", id: "edit-info", onclick: () => ctx.editor.editInfo(f) }, "修改信息"),
      el("button", { type: "button", id: "edit-shape", onclick: () => ctx.editor.editShape(f) }, "修改图形"),
      el("button", { type: "button", id: "delete-parcel", className: "danger-outline", onclick: () => ctx.editor.removeParcel(f) }, "删除地块"));
    const form = disposalForm(ctx, f, (parcel) => {
      const nf = ctx.updateFeature(parcel);
      ctx.status(`已登记处置：${title}，状态为「${statusName(nf.get("status"))}」`, "ok");
      if (ctx.selectedId() === id) show(nf);
    });
    return [el("section", { className: "edit" }, el("h3", {}, "编辑"), actions), form];
  }

  function show(f) {
    const my = ++seq;
    current = f;
    const p = f.getProperties();
    const id = f.getId();
    const title = parcelTitle(p, id);
    const close = el("button", { type: "button", className: "close", title: "关闭", onclick: () => ctx.select(null) }, "×");
    const head = el("div", { className: "panel-head" },
      el("h2", { className: "parcel-title" }, title), close);
    const chips = el("p", { className: "chips" },
      el("span", { className: "chip c-" + p.class }, className(p.class)),
      el("span", { className: "chip s-" + p.status }, statusName(p.status)),
      el("span", { className: "chip park" }, ctx.parkName(p.park_code)),
      p.removed_on ? el("span", { className: "chip removed" }, "已删除") : null,
      ...(p.flags || []).map((fl) => el("span", { className: "chip flag" }, flagName(fl))));

    const ledger = LEDGER_FIELDS.filter((fd) => fieldApplies(fd, p.class) && fd.name !== "declared_area_mu")
      .map((fd) => [fd.label, showValue(fd.name, p[fd.name])]);

    // Areas: computed on the Gauss-Krüger plane, declared in the ledger.
    const areaPairs = [["计算面积", `${mu(p.area_mu)} 亩（${formatNumber(Math.round(p.area_m2 * 100) / 100)} 平方米，高斯-克吕格第 ${p.gk_zone} 带）`]];
    const declared = p.declared_area_mu;
    if (declared !== null && declared !== undefined) {
      areaPairs.push(["台账面积", `${mu(declared)} 亩`]);
      const diff = p.area_mu - declared;
      if (declared > 0 && Math.abs(diff) / declared > 0.01) {
        const pct = (diff / declared) * 100;
        areaPairs.push(["面积差异", `计算面积比台账面积${diff > 0 ? "多" : "少"} ${mu(Math.abs(diff))} 亩（${pct > 0 ? "+" : ""}${pct.toFixed(1)}%），超过 1%，请核实`, "warn area-diff"]);
      }
    } else {
      areaPairs.push(["台账面积", ""]);
    }
    areaPairs.push(["已处置面积", `${mu(p.disposed_mu)} 亩`], ["剩余面积", `${mu(p.remaining_mu)} 亩`]);

    const disposals = el("section", { className: "disposals" }, el("h3", {}, "处置记录"), el("p", { className: "muted" }, "正在加载…"));
    const history = el("section", { className: "history" }, el("h3", {}, "修改历史"), el("p", { className: "muted" }, "正在加载…"));

    const parts = [head, chips, p.removed_on ? removedNote(p) : null,
      el("section", { className: "ledger" }, el("h3", {}, "台账信息"), facts(ledger)),
      el("section", { className: "area" }, el("h3", {}, "面积"), facts(areaPairs))];

    if (!p.removed_on && ctx.canEdit(p.park_code) && ctx.editor) parts.push(...editTools(f, title));
    parts.push(disposals, history,
      el("section", { className: "meta" }, facts([
        ["地块编号（系统）", String(id)],
        ["创建", `${formatTime(p.created_at)} ${p.created_by || ""}`],
        ["最后修改", `${formatTime(p.updated_at)} ${p.updated_by || ""}`],
        ["版本", String(p.version)],
      ])));
    node.replaceChildren(...parts.filter(Boolean));
    node.hidden = false;
    node.scrollTop = 0;
    document.body.classList.add("panel-open");
    // When the panel was built, and (after the next frame) painted.
    ctx.debug.panelShownMs = performance.now();
    requestAnimationFrame(() => setTimeout(() => {
      if (my === seq) ctx.debug.panelPaintedMs = performance.now();
    }));

    api("GET", `/api/parcels/${id}/disposals`).then(({ data }) => {
      if (my !== seq) return;
      const steps = data.disposals || [];
      if (!steps.length) {
        disposals.replaceChildren(el("h3", {}, "处置记录"), el("p", { className: "muted" }, "尚无处置记录"));
        return;
      }
      const body = el("tbody");
      for (const d of steps) {
        body.append(el("tr", {},
          el("td", { className: "nowrap" }, d.date || ""),
          el("td", {}, methodName(d.method)),
          el("td", { className: "num" }, d.counts ? mu(d.area_mu) : "—"),
          el("td", {}, d.counts ? "计入" : "不计入"),
          el("td", {}, d.note || ""),
          el("td", {}, d.created_by || "")));
      }
      disposals.replaceChildren(el("h3", {}, "处置记录"), el("table", { className: "steps" },
        el("thead", {}, el("tr", {}, ...["日期", "处置方式", "面积（亩）", "处置率", "说明", "登记人"].map((h) => el("th", {}, h)))), body));
    }).catch((err) => {
      if (my === seq) disposals.replaceChildren(el("h3", {}, "处置记录"), el("p", { className: "error" }, err.message));
    });

    api("GET", `/api/parcels/${id}/history`).then(({ data }) => {
      if (my !== seq) return;
      const list = el("ol", { className: "events" });
      for (const e of (data.events || []).slice().reverse()) {
        let what = "";
        if (e.kind === "parcel.update") {
          const ch = changedLabels(e.before, e.after);
          what = ch.length ? "：" + ch.join("、") : "";
        } else if (e.kind === "disposal.create" && e.after && e.after.disposal) {
          const d = e.after.disposal;
          what = `：${methodName(d.method)}（${d.date}）`;
          if (e.before && e.before.status !== e.after.status) what += `，${statusName(e.before.status)} → ${statusName(e.after.status)}`;
        } else if (e.kind === "parcel.delete" && e.after && e.after.properties) {
          what = "：" + (e.after.properties.removed_reason || "");
        }
        list.append(el("li", {},
          el("span", { className: "when" }, formatTime(e.at)),
          el("span", { className: "who" }, e.actor || ""),
          el("span", { className: "what" }, (EVENT_KINDS[e.kind] || e.kind) + what)));
      }
      history.replaceChildren(el("h3", {}, "修改历史"), list.children.length ? list : el("p", { className: "muted" }, "无记录"));
    }).catch((err) => {
      if (my === seq) history.replaceChildren(el("h3", {}, "修改历史"), el("p", { className: "error" }, err.message));
    });
  }

  return { show, hide, showContent, refresh: () => current && show(current), current: () => current, node };
}
