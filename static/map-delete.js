// panhuo map: removing a parcel (删除地块) from the panel — a duplicate
// registration, or land found not to be 三类用地 after checking. The form
// asks for the reason and the date and says what a removal means; it is
// sent to DELETE /api/parcels/{id} with If-Match: the parcel's version. The
// removal is soft: the parcel leaves the map and the rates from that date
// on, and stays in the history.
import { api, el } from "./session.js";
import { className, mu, parcelTitle } from "./map-fields.js";
import { field, clearErrors, showFailure, today } from "./map-formutil.js";

/** One line naming the parcel: title, 宗地编号, park, class, area. */
function target(ctx, f) {
  const p = f.getProperties();
  const parts = [p.code, ctx.parkName(p.park_code), className(p.class), `${mu(p.area_mu)} 亩`].filter(Boolean);
  return el("div", { className: "delete-target" },
    el("strong", {}, parcelTitle(p, f.getId())),
    el("span", { className: "muted" }, parts.join(" · ")));
}

/** What a removal does, and what it does not. */
function warning(p) {
  const items = [
    "地块将从地图上移除，自删除日期起不再计入认定面积和处置率（盘活率）。",
    "地块的台账信息和处置记录不会被抹去，保留在修改历史（历史记录）中，可供查询和审计；删除后不能在地图上恢复。",
    "如只是台账信息或图形有误，请用“修改信息”或“修改图形”更正，不要删除。",
  ];
  if (p.disposed_mu > 0) {
    items.splice(1, 0, `该地块已登记处置 ${mu(p.disposed_mu)} 亩，删除后这部分处置面积自删除日期起也不再计入处置率。`);
  }
  return el("div", { className: "delete-warning", attrs: { role: "note" } },
    el("strong", {}, "请确认：删除后"),
    el("ul", {}, ...items.map((t) => el("li", {}, t))));
}

/**
 * The form. opts: draft {reason, removed_on} to start from (after a
 * conflict), onDone(apiFeature) after the removal, onCancel(),
 * onConflict(base, mine) for a 412 (someone changed the parcel since).
 */
export function deleteForm(ctx, f, opts) {
  const p = f.getProperties();
  const base = { ...p };
  delete base.geometry;
  const draft = opts.draft || {};
  const reason = el("textarea", { name: "reason", rows: 3, maxLength: 500, value: draft.reason || "", placeholder: "如：与 430281-2022-012 重复登记；经核查不属于三类用地" });
  const date = el("input", { type: "date", name: "removed_on", value: draft.removed_on || today(), max: today(), min: p.identified_on || "" });
  const status = el("p", { className: "form-status", id: "delete-status", attrs: { role: "status" } });
  const submit = el("button", { type: "submit", id: "delete-confirm", className: "danger" }, "确认删除");
  const cancel = el("button", { type: "button", id: "delete-cancel", onclick: () => opts.onCancel() }, "取消");
  const dateHint = "默认今天；不能早于认定日期" + (p.identified_on ? `（${p.identified_on}）` : "") + "，也不能早于已登记的处置日期";

  const form = el("form", { id: "delete-form", className: "grid delete", noValidate: true },
    target(ctx, f),
    warning(p),
    field("删除原因（必填）", reason, { wide: true }),
    field("删除日期", date, { wide: true, hint: dateHint }),
    el("div", { className: "buttons" }, submit, cancel),
    status);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { reason: reason.value.trim(), removed_on: date.value || null };
    submit.disabled = true;
    status.className = "form-status";
    status.textContent = "正在删除…";
    try {
      const { data } = await api("DELETE", `/api/parcels/${f.getId()}`, body, { "If-Match": `"${p.version}"` });
      status.className = "form-status ok";
      status.textContent = "已删除";
      opts.onDone(data);
    } catch (err) {
      if (err.status === 412) {
        opts.onConflict(base, { properties: { removed_on: body.removed_on || today(), removed_reason: body.reason } });
        return;
      }
      showFailure(form, status, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
