// panhuo map: the parcel's ledger fields with their Chinese labels, shared
// by the side panel (display) and the parcel form (input). Names are those
// of the HTTP contract (DESIGN.md).

/** The three classes (三类用地) with their Chinese names, in report order. */
export const CLASSES = [
  { code: "unsupplied", name: "批而未供" },
  { code: "idle", name: "闲置" },
  { code: "inefficient", name: "低效" },
];

/** Parcel statuses. */
export const STATUSES = [
  { code: "pending", name: "待处置" },
  { code: "in_progress", name: "处置中" },
  { code: "disposed", name: "已处置" },
];

export const IDLE_CAUSES = [
  { code: "government", name: "政府原因" },
  { code: "enterprise", name: "企业原因" },
  { code: "force_majeure", name: "不可抗力" },
];

export function className(code) {
  return (CLASSES.find((c) => c.code === code) || { name: code || "" }).name;
}

export function statusName(code) {
  return (STATUSES.find((s) => s.code === code) || { name: code || "" }).name;
}

export function idleCauseName(code) {
  return (IDLE_CAUSES.find((s) => s.code === code) || { name: code || "" }).name;
}

/**
 * Ledger fields an officer writes. type: text, number, date, textarea,
 * select (idle_cause). classes: the classes the field belongs to (absent:
 * every class).
 */
export const LEDGER_FIELDS = [
  { name: "code", label: "宗地编号", type: "text", max: 64 },
  { name: "supervision_no", label: "电子监管号", type: "text", max: 19 },
  { name: "project_name", label: "项目名称", type: "text", max: 200 },
  { name: "land_user", label: "用地单位", type: "text", max: 200 },
  { name: "location", label: "坐落", type: "text", max: 200 },
  { name: "land_use", label: "用途", type: "text", max: 64 },
  { name: "declared_area_mu", label: "台账面积（亩）", type: "number" },
  { name: "identified_on", label: "认定日期", type: "date" },
  { name: "batch_name", label: "批次名称", type: "text", max: 200, classes: ["unsupplied"] },
  { name: "approval_no", label: "批准文号", type: "text", max: 100, classes: ["unsupplied"] },
  { name: "approved_on", label: "批准日期", type: "date", classes: ["unsupplied"] },
  { name: "contract_no", label: "出让合同号", type: "text", max: 100, classes: ["idle"] },
  { name: "agreed_start_on", label: "约定动工日期", type: "date", classes: ["idle"] },
  { name: "agreed_completion_on", label: "约定竣工日期", type: "date", classes: ["idle"] },
  { name: "idle_cause", label: "闲置原因", type: "select", options: IDLE_CAUSES, classes: ["idle"] },
  { name: "identified_reason", label: "认定原因", type: "text", max: 500, classes: ["inefficient"] },
  { name: "plot_ratio", label: "容积率", type: "number", classes: ["inefficient"] },
  { name: "tax_per_mu", label: "亩均税收（万元/亩）", type: "number", classes: ["inefficient"] },
  { name: "note", label: "备注", type: "textarea", max: 2000 },
];

/** Labels of every property a person may see changed (history, conflicts). */
export const LABELS = {
  class: "类别",
  status: "状态",
  park_code: "园区",
  geometry: "图形",
  area_mu: "计算面积（亩）",
  disposed_mu: "已处置面积（亩）",
  gk_zone: "投影带号",
  removed_on: "删除日期",
  removed_reason: "删除原因",
  flags: "标记",
  ...Object.fromEntries(LEDGER_FIELDS.map((f) => [f.name, f.label])),
};

/** The name a person knows a parcel by: 项目名称, else 宗地编号, else its id. */
export function parcelTitle(p, id) {
  return p.project_name || p.code || `地块 #${id}`;
}

/** Whether a ledger field applies to a class. */
export function fieldApplies(f, cls) {
  return !f.classes || f.classes.includes(cls);
}

/** A property value as text for people ("" for none). */
export function showValue(name, v) {
  if (v === null || v === undefined || v === "") return "";
  if (name === "class") return className(v);
  if (name === "status") return statusName(v);
  if (name === "idle_cause") return idleCauseName(v);
  if (name === "flags") return (v || []).map(flagName).join("、");
  if (typeof v === "number") return formatNumber(v);
  return String(v);
}

/** Flag names. */
export function flagName(f) {
  return { straddles_boundary: "跨越园区边界", demo: "示例数据" }[f] || f;
}

/** A number with at most 4 decimals, without trailing zeros. */
export function formatNumber(v) {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
}

/** 亩 with two decimals. */
export function mu(v) {
  return (Number(v) || 0).toFixed(2);
}
