// panhuo map: the parcel form — class and ledger fields — for a new parcel
// (POST /api/parcels with the drawn geometry) or for an existing one (PATCH
// with a merge patch of what changed, If-Match: its version). The server's
// reasons are shown next to their fields; the ones about the geometry go to
// the caller, which shows them on the map.
import { api, el } from "./session.js";
import { CLASSES, LEDGER_FIELDS, fieldApplies, mu } from "./map-fields.js";
import { field, clearErrors, showErrors, showFailure } from "./map-formutil.js";

// An input for a ledger field, holding value v.
function inputFor(fd, v) {
  let input;
  switch (fd.type) {
    case "textarea":
      input = el("textarea", { name: fd.name, rows: 2, value: v ?? "" });
      break;
    case "select":
      input = el("select", { name: fd.name },
        el("option", { value: "", textContent: "（未填）" }),
        ...fd.options.map((o) => el("option", { value: o.code, textContent: o.name })));
      input.value = v ?? "";
      break;
    case "number":
      input = el("input", { type: "number", name: fd.name, step: "any", min: "0", value: v ?? "" });
      break;
    case "date":
      input = el("input", { type: "date", name: fd.name, value: v ?? "" });
      break;
    default:
      input = el("input", { type: "text", name: fd.name, value: v ?? "" });
  }
  if (fd.max) input.maxLength = fd.max;
  return input;
}

// The value of an input as the API takes it: null for an empty number or date.
function valueOf(fd, input) {
  const v = input.value.trim();
  if (fd.type === "number") return v === "" ? null : Number(v);
  if (fd.type === "date") return v === "" ? null : v;
  return v;
}

const same = (a, b) => (a ?? "") === (b ?? "") || (a == null && b === "") || (a === "" && b == null);

/**
 * The form. opts: feature (edit) or geometry + area (create); onSaved(apiFeature),
 * onCancel(), onFaults(errors without a field in the form, problem),
 * onConflict(base, patch) for a 412.
 */
export function parcelForm(ctx, opts) {
  const f = opts.feature || null;
  const base = f ? { ...f.getProperties() } : {};
  delete base.geometry;
  const version = f ? f.get("version") : null;

  const cls = el("select", { name: "class", required: true },
    el("option", { value: "", textContent: "请选择类别" }),
    ...CLASSES.map((c) => el("option", { value: c.code, textContent: c.name })));
  cls.value = base.class || "";
  const inputs = LEDGER_FIELDS.map((fd) => ({ fd, input: inputFor(fd, base[fd.name]) }));
  const rows = inputs.map(({ fd, input }) => {
    const row = field(fd.label, input, { wide: fd.type === "textarea" || fd.name === "project_name" || fd.name === "identified_reason" });
    row.dataset.classes = (fd.classes || []).join(" ");
    return { fd, row };
  });
  function showClassFields() {
    for (const { fd, row } of rows) row.hidden = !!fd.classes && !fieldApplies(fd, cls.value);
  }
  cls.addEventListener("change", showClassFields);
  showClassFields();

  const status = el("p", { className: "form-status", id: "form-status" });
  const submit = el("button", { type: "submit", id: "form-save" }, "保存");
  const cancel = el("button", { type: "button", onclick: () => opts.onCancel && opts.onCancel() }, "取消");
  const intro = f
    ? el("p", { className: "muted" }, `修改后保存；保存时核对版本（当前第 ${version} 版），他人已修改时会提示，不会覆盖。`)
    : el("p", { className: "area-note" }, `绘制面积 ${mu(opts.area.mu)} 亩（高斯-克吕格第 ${opts.area.zone} 带；保存后以服务器计算为准）`);

  const form = el("form", { id: "parcel-form", className: "grid parcel", noValidate: true },
    intro,
    field("类别", cls, { wide: true }),
    ...rows.map((r) => r.row),
    el("div", { className: "buttons" }, submit, cancel),
    status);

  function collect() {
    const props = { class: cls.value };
    for (const { fd, input } of inputs) {
      if (fd.classes && !fieldApplies(fd, cls.value)) continue;
      props[fd.name] = valueOf(fd, input);
    }
    return props;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!cls.value) {
      showErrors(form, { errors: [{ field: "class", reason: "请选择类别" }] });
      return;
    }
    const props = collect();
    submit.disabled = true;
    status.className = "form-status";
    status.textContent = "正在保存…";
    try {
      let res;
      if (f) {
        const patch = {};
        for (const [k, v] of Object.entries(props)) if (!same(v, base[k])) patch[k] = v;
        if (!Object.keys(patch).length) {
          status.textContent = "没有修改";
          submit.disabled = false;
          return;
        }
        try {
          res = await api("PATCH", `/api/parcels/${f.getId()}`, { properties: patch },
            { "If-Match": `"${version}"`, "Content-Type": "application/merge-patch+json" });
        } catch (err) {
          if (err.status === 412 && opts.onConflict) {
            opts.onConflict(base, { properties: patch });
            return;
          }
          throw err;
        }
      } else {
        for (const k of Object.keys(props)) if (props[k] === "" || props[k] === null) delete props[k];
        res = await api("POST", "/api/parcels", { type: "Feature", geometry: opts.geometry, properties: props }, { "Content-Type": "application/geo+json" });
      }
      status.className = "form-status ok";
      status.textContent = "已保存";
      opts.onSaved(res.data);
    } catch (err) {
      const rest = showFailure(form, status, err);
      if (rest.length && opts.onFaults) opts.onFaults(rest, err.problem);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
