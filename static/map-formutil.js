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

/**
 * Shows a refused write (an ApiError): the reasons with a field next to it,
 * the problem's title and the other reasons in the form's status line.
 * Returns the other reasons, for the caller to show elsewhere if it can.
 */
export function showFailure(form, status, err) {
  const p = err.problem;
  const rest = showErrors(form, p);
  status.className = "form-status error";
  status.textContent = (p && p.title) || err.message;
  if (rest.length) status.textContent += "：" + rest.map((e) => e.reason).join("；");
  return rest;
}

/**
 * Today as YYYY-MM-DD in China Standard Time (UTC+8), the day the server
 * checks dates against ("不能晚于今天"), whatever the browser's time zone.
 */
export function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
