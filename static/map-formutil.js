// panhuo map: small helpers for the forms — labelled fields with a place
// for the server's reason, and showing problem+json errors next to them.
import { el } from "./session.js";

/** A labelled field: <label>text input <span class=field-error></span></label>. */
export function field(label, input, { wide = false, hint = "" } = {}) {
  const name = input.name;
  return el("label", { className: "field" + (wide ? " wide" : ""), dataset: { field: name } },
    el("span", { className: "label" }, label),
    input,
    hint ? el("span", { className: "hint" }, hint) : null,
    el("span", { className: "field-error", dataset: { for: name } }));
}

/** Clears the reasons shown in a form. */
export function clearErrors(form) {
  for (const n of form.querySelectorAll(".field-error")) n.textContent = "";
  for (const n of form.querySelectorAll(".invalid")) n.classList.remove("invalid");
}

/**
 * Shows a problem's field errors next to their fields; returns the errors
 * that have no field in the form (e.g. geometry) for the caller to show.
 */
export function showErrors(form, problem) {
  const rest = [];
  for (const e of (problem && problem.errors) || []) {
    const slot = [...form.querySelectorAll(".field-error")].find((n) => n.dataset.for === e.field);
    if (!slot) {
      rest.push(e);
      continue;
    }
    slot.textContent = slot.textContent ? slot.textContent + "；" + e.reason : e.reason;
    const input = form.elements.namedItem(e.field);
    if (input && input.classList) input.classList.add("invalid");
  }
  return rest;
}

/** Today as YYYY-MM-DD, local time. */
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
