// panhuo map: recording a disposal step (登记处置) from the parcel's panel:
// method (the class's menu from /api/methods), date, area and note, sent to
// POST /api/parcels/{id}/disposals.
import { api, el } from "./session.js";
import { mu } from "./map-fields.js";
import { field, clearErrors, showFailure, today } from "./map-formutil.js";

/** The form; onDone receives the parcel (an API Feature) after the write. */
export function disposalForm(ctx, f, onDone) {
  const p = f.getProperties();
  const methods = ctx.methods.filter((m) => m.class === p.class);
  const method = el("select", { name: "method", required: true },
    el("option", { value: "", textContent: "请选择处置方式" }),
    ...methods.map((m) => el("option", { value: m.code, textContent: m.name + (m.counts ? "（计入处置率）" : "（不计入处置率）") })));
  const date = el("input", { type: "date", name: "date", value: today(), max: today(), required: true });
  const area = el("input", { type: "number", name: "area_mu", min: "0", step: "any", placeholder: `不填即剩余全部 ${mu(p.remaining_mu)} 亩` });
  const note = el("textarea", { name: "note", rows: 2, maxLength: 2000 });
  const status = el("p", { className: "form-status" });
  const submit = el("button", { type: "submit" }, "登记处置");

  method.addEventListener("change", () => {
    const m = methods.find((x) => x.code === method.value);
    area.disabled = !!m && !m.counts;
    area.placeholder = area.disabled ? "不计入处置率的方式不占用面积" : `不填即剩余全部 ${mu(p.remaining_mu)} 亩`;
  });

  const form = el("form", { id: "disposal-form", className: "grid disposal", noValidate: true },
    field("处置方式", method, { wide: true }),
    field("处置日期", date),
    field("处置面积（亩）", area),
    field("说明", note, { wide: true }),
    el("div", { className: "buttons" }, submit),
    status);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { method: method.value, date: date.value, note: note.value };
    if (area.value !== "" && !area.disabled) body.area_mu = Number(area.value);
    submit.disabled = true;
    status.className = "form-status";
    status.textContent = "正在保存…";
    try {
      const { data } = await api("POST", `/api/parcels/${f.getId()}/disposals`, body);
      status.className = "form-status ok";
      status.textContent = "已登记";
      onDone(data.parcel);
    } catch (err) {
      showFailure(form, status, err);
    } finally {
      submit.disabled = false;
    }
  });

  return el("details", { className: "disposal-box", id: "disposal-box" }, el("summary", {}, "登记处置"), form);
}
