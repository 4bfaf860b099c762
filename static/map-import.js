// panhuo map: importing parcels (导入). A dialog takes one or more files
// (报部坐标 .txt, Shapefile in a .zip, .kml/.kmz, .geojson, 台账 .xlsx), an
// optional class and park and the all-or-nothing switch, and sends them to
// POST /api/imports: first as a dry run (检查), whose report shows per file
// and per feature what the import would do, then for real (确认导入), which
// is allowed only after a dry run of the same files and options that would
// write something. Both run asynchronously (Prefer: respond-async) and the
// dialog polls GET /api/imports/{id} for a progress bar. After a commit the
// parcel layer is reloaded and the view goes to the imported parcels.
//
// Only for users who may write (never a leader). Data goes into the page as
// text only. For tests, window.panhuoMap gets importsDone (runs finished),
// importResult (the last one's {report} or {problem, status}) and
// lastImportIds (the parcels of the last commit).
import { session, api, el, problemText, toLogin } from "./session.js";
import { CLASSES, LABELS, mu, flagName } from "./map-fields.js";

const ACCEPT = ".txt,.zip,.kml,.kmz,.geojson,.json,.xlsx";
const POLL_MS = 500;
const MAX_ROWS = 1000; // feature rows shown; rejected ones first when there are more

const ACTIONS = { create: "新增", update: "更新", unchanged: "无变化", reject: "拒绝" };
const FORMATS = { txt: "报部坐标 TXT", shapefile: "Shapefile", kml: "KML", kmz: "KMZ", geojson: "GeoJSON", xlsx: "Excel 台账" };
const PHASES = { read: "正在读取文件", prepare: "正在检查地块", overlap: "正在检查重叠", write: "正在写入", done: "完成" };

/** The Chinese label of an error's field ("geometry" → 图形; features[2].class → 类别). */
function fieldLabel(field) {
  const f = String(field || "").replace(/^features\[\d+\]\./, "");
  const head = f.split(/[.[]/)[0];
  if (head === "file") return "文件";
  if (head === "mapping") return "列对应关系";
  return LABELS[head] || f;
}

/** The reasons and hints of one feature, as lines of text. */
function featureNotes(f) {
  const lines = [];
  const errors = f.errors || [];
  if (f.title && !errors.some((e) => e.reason === f.title)) lines.push({ text: f.title, error: f.status === "rejected" });
  for (const e of errors) lines.push({ text: (e.field ? fieldLabel(e.field) + "：" : "") + e.reason, error: true });
  if (f.action === "update" && f.changed && f.changed.length) {
    lines.push({ text: "修改：" + f.changed.map((c) => LABELS[c] || c).join("、") });
  }
  for (const fl of f.flags || []) {
    if (fl !== "demo") lines.push({ text: flagName(fl) });
  }
  // The server's warnings include a declared area (台账面积) that differs.
  for (const w of f.warnings || []) lines.push({ text: w, warn: true });
  return lines;
}

/** Whether a report's import would write (or wrote) anything. */
function writes(rep, allOrNothing) {
  const s = rep.summary || {};
  return (s.created || 0) + (s.updated || 0) > 0 && !(allOrNothing && (s.rejected || 0) > 0);
}

export function setUpImport(ctx) {
  const { user, parks, debug } = ctx;
  const opener = document.getElementById("import-open");
  if (!opener) return null;

  // ---- The dialog ----------------------------------------------------------
  // The browser's own file button speaks the browser's language: a label
  // in Chinese opens the (visually hidden) input instead.
  const fileInput = el("input", { type: "file", id: "import-files", name: "file", multiple: true, accept: ACCEPT, className: "file-input" });
  const fileNames = el("span", { id: "import-file-names", className: "file-names" }, "未选择文件");
  const filePick = el("label", { className: "file-pick" }, fileInput, el("span", { className: "file-button" }, "选择文件…"), fileNames);
  fileInput.addEventListener("change", () => {
    const names = [...fileInput.files].map((f) => f.name);
    fileNames.textContent = names.length ? names.join("、") : "未选择文件";
  });
  const classSel = el("select", { id: "import-class", name: "class" },
    el("option", { value: "" }, "按文件中的类别"),
    ...CLASSES.map((c) => el("option", { value: c.code }, c.name)));
  const mayPark = (code) => user.role === "admin" || (user.parks || []).includes(code);
  const parkList = parks.getFeatures().filter((f) => mayPark(f.get("code")))
    .sort((a, b) => String(a.get("code")).localeCompare(String(b.get("code"))));
  const parkSel = el("select", { id: "import-park", name: "park" },
    el("option", { value: "" }, "按地块位置确定"),
    ...parkList.map((f) => el("option", { value: f.get("code") }, f.get("name"))));
  if (user.role === "officer" && parkList.length === 1) parkSel.value = parkList[0].get("code");
  const allBox = el("input", { type: "checkbox", id: "import-all", name: "all_or_nothing" });

  const checkBtn = el("button", { type: "button", id: "import-check", className: "primary" }, "检查（试导入）");
  const confirmBtn = el("button", { type: "button", id: "import-confirm", disabled: true }, "确认导入");
  const closeBtn = el("button", { type: "button", id: "import-close" }, "关闭");
  const hint = el("span", { id: "import-hint", className: "import-hint" }, "先选择文件并检查，确认无误后再导入。");

  const bar = el("progress", { id: "import-progress", max: 1 });
  const barText = el("span", { id: "import-progress-text" });
  const progress = el("div", { className: "import-progress", hidden: true }, bar, barText);
  const errorBox = el("div", { id: "import-error", className: "import-error", hidden: true, attrs: { role: "alert" } });
  const report = el("div", { id: "import-report", className: "import-report" });

  const dialog = el("dialog", { id: "import-dialog", className: "import-dialog", attrs: { "aria-labelledby": "import-title" } },
    el("div", { className: "dialog-head" },
      el("h2", { id: "import-title" }, "导入地块"),
      el("button", { type: "button", className: "close", title: "关闭", onclick: () => close() }, "×")),
    el("p", { className: "muted small" },
      "支持报部坐标 .txt、Shapefile（将 .shp、.shx、.dbf、.prj 一起打包为 .zip）、.kml/.kmz、.geojson 和台账 .xlsx；可同时选择多个文件，台账按宗地编号或电子监管号与图形关联。已有地块（电子监管号或宗地编号相同）将被更新。"),
    el("div", { className: "import-form" },
      el("div", { className: "field wide" }, "文件（可多选）", filePick),
      el("label", { className: "field" }, "类别（文件中没有类别时使用）", classSel),
      el("label", { className: "field" }, "园区", parkSel),
      el("label", { className: "check wide" }, allBox, "任一地块被拒绝则全部不导入")),
    el("div", { className: "buttons" }, checkBtn, confirmBtn, closeBtn, hint),
    progress, errorBox, report);
  document.body.append(dialog);

  // ---- State ---------------------------------------------------------------
  let checked = null; // {key, report} of the last dry run
  let busy = false;

  /** What identifies the files and options a dry run checked. */
  function key() {
    const files = [...fileInput.files].map((f) => [f.name, f.size, f.lastModified].join("/"));
    return JSON.stringify([files, classSel.value, parkSel.value, allBox.checked]);
  }

  function updateButtons() {
    const hasFiles = fileInput.files.length > 0;
    checkBtn.disabled = busy || !hasFiles;
    const same = checked && checked.key === key();
    const ok = same && writes(checked.report, allBox.checked);
    confirmBtn.disabled = busy || !ok;
    fileInput.disabled = classSel.disabled = parkSel.disabled = allBox.disabled = busy;
    if (busy) return;
    if (!hasFiles) hint.textContent = "请选择要导入的文件。";
    else if (!checked) hint.textContent = "先检查（试导入），确认无误后再导入。";
    else if (!same) hint.textContent = "文件或选项已更改，请重新检查。";
    else if (ok) hint.textContent = "检查完毕，可以确认导入。";
    else if (writes(checked.report, false)) hint.textContent = "有地块被拒绝，且已选择「任一地块被拒绝则全部不导入」：不能导入。";
    else hint.textContent = "没有需要写入的地块：确认导入不可用。";
    report.classList.toggle("stale", Boolean(checked) && !same);
  }
  for (const n of [fileInput, classSel, parkSel, allBox]) n.addEventListener("change", updateButtons);

  function open() {
    if (!dialog.open) dialog.showModal();
    updateButtons();
  }
  function close() {
    dialog.close();
  }
  opener.hidden = false;
  opener.addEventListener("click", open);
  closeBtn.addEventListener("click", close);

  // ---- Running an import ---------------------------------------------------
  function showProgress(phase, done, total) {
    progress.hidden = false;
    if (total > 0 && phase !== "read") {
      bar.max = total;
      bar.value = done;
      barText.textContent = `${PHASES[phase] || phase}：${done} / ${total}`;
    } else {
      bar.removeAttribute("value"); // indeterminate
      barText.textContent = (PHASES[phase] || phase) + "…";
    }
  }

  function showError(title, lines, detail) {
    errorBox.replaceChildren(el("strong", {}, title));
    if (lines.length) errorBox.append(el("ul", {}, ...lines.map((l) => el("li", {}, l))));
    if (detail) errorBox.append(el("p", {}, detail));
    errorBox.hidden = false;
  }

  /** Shows a problem+json answer; the one of an unreadable file plainly. */
  function showProblem(p, status) {
    if (!p || typeof p !== "object") {
      showError(status === 413 ? "上传的文件过大" : `导入失败（HTTP ${status}）`, [], "");
      return;
    }
    const errs = p.errors || [];
    const fileErrs = errs.filter((e) => e.field === "file");
    if (fileErrs.length) {
      showError(p.title || "文件无法导入", fileErrs.map((e) => e.reason), p.detail || "文件未导入，数据库未作任何修改。");
      return;
    }
    const lines = errs.slice(0, 20).map((e) => (e.field ? fieldLabel(e.field) + "：" : "") + e.reason);
    if (errs.length > 20) lines.push(`……共 ${errs.length} 条`);
    showError(p.title || problemText(p, status), lines, p.detail || "");
  }

  /** Sends the files; resolves to {report} or {problem, status}. */
  async function send(dryRun) {
    const s = await session();
    const q = new URLSearchParams({ dry_run: String(dryRun), all_or_nothing: String(allBox.checked) });
    if (classSel.value) q.set("class", classSel.value);
    if (parkSel.value) q.set("park", parkSel.value);
    const body = new FormData();
    for (const f of fileInput.files) body.append("file", f, f.name);
    const headers = { Accept: "application/json", Prefer: "respond-async" };
    if (s.csrf_token) headers["X-CSRF-Token"] = s.csrf_token;
    showProgress("read", 0, 0);
    const res = await fetch("/api/imports?" + q, { method: "POST", headers, body, credentials: "same-origin" });
    if (res.status === 401) {
      toLogin();
      throw new Error("登录已过期，请重新登录");
    }
    const ct = res.headers.get("Content-Type") || "";
    const data = ct.includes("json") ? await res.json() : null;
    if (res.status === 202) return poll(res.headers.get("Location") || `/api/imports/${data.id}`);
    if (res.ok) return { report: data };
    return { problem: data, status: res.status, report: data && data.report };
  }

  /** Polls an asynchronous import until it ends. */
  async function poll(location) {
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const { data: job } = await api("GET", location);
      if (job.state === "running") {
        showProgress(job.phase, job.done, job.total);
        continue;
      }
      if (job.state === "failed") return { problem: job.problem, status: (job.problem && job.problem.status) || 500 };
      return { report: job.report };
    }
  }

  async function run(dryRun) {
    if (busy) return;
    busy = true;
    const runKey = key();
    errorBox.hidden = true;
    if (!dryRun) checked = null; // a commit is done once
    updateButtons();
    hint.textContent = dryRun ? "正在检查…" : "正在导入…";
    report.replaceChildren();
    let out;
    try {
      out = await send(dryRun);
    } catch (err) {
      out = { problem: null, status: 0, message: (err && err.message) || String(err) };
    }
    busy = false;
    progress.hidden = true;
    debug.importResult = out;
    if (out.message) showError("导入失败", [out.message], "");
    else if (out.problem) showProblem(out.problem, out.status);
    if (out.report) {
      showReport(out.report);
      if (dryRun && key() === runKey && !out.problem) checked = { key: runKey, report: out.report };
      if (!dryRun) await afterCommit(out.report);
    }
    updateButtons();
    if (!dryRun && out.report && out.report.committed) hint.textContent = "导入完成。";
    debug.importsDone = (debug.importsDone || 0) + 1;
  }
  checkBtn.addEventListener("click", () => run(true));
  confirmBtn.addEventListener("click", () => run(false));

  // ---- The report ----------------------------------------------------------
  function showReport(rep) {
    const s = rep.summary || {};
    const head = rep.dry_run ? "检查结果（试导入，未写入数据）" : rep.committed ? "导入结果（已写入）" : "导入结果：未写入任何数据";
    const files = el("tbody");
    for (const f of rep.files || []) {
      files.append(el("tr", {},
        el("td", {}, f.name),
        el("td", {}, FORMATS[f.format] || f.format || ""),
        el("td", {}, f.crs || "—"),
        el("td", {}, f.encoding || "—"),
        el("td", { className: "num" }, String(f.features ?? "")),
        el("td", { className: "notes" }, ...(f.warnings || []).map((w) => el("div", { className: "warn" }, w)))));
    }
    const summary = `共 ${s.total || 0} 个：新增 ${s.created || 0}，更新 ${s.updated || 0}，无变化 ${s.unchanged || 0}，拒绝 ${s.rejected || 0}；面积 ${mu(s.area_mu)} 亩`;

    let feats = rep.features || [];
    let note = null;
    if (feats.length > MAX_ROWS) {
      const rejected = feats.filter((f) => f.status === "rejected");
      const others = feats.filter((f) => f.status !== "rejected");
      feats = rejected.concat(others).slice(0, MAX_ROWS).sort((a, b) => a.index - b.index);
      note = el("p", { className: "muted small" }, `共 ${rep.features.length} 个地块，仅列出 ${MAX_ROWS} 个（被拒绝的优先列出）。`);
    }
    const rows = el("tbody");
    for (const f of feats) {
      const ident = [f.code, f.supervision_no].filter(Boolean).join(" / ") || f.label || "";
      const notes = featureNotes(f);
      rows.append(el("tr", { className: "a-" + f.action + (f.status === "rejected" ? " rejected" : ""), title: f.label || "" },
        el("td", { className: "num" }, String(f.index)),
        el("td", { className: "file" }, f.file || ""),
        el("td", { className: "ident" }, ident),
        el("td", { className: "action" }, ACTIONS[f.action] || f.action || ""),
        el("td", {}, f.park_code ? ctx.parkName(f.park_code) : "—"),
        el("td", { className: "num area" }, f.area_mu ? mu(f.area_mu) : "—"),
        el("td", { className: "notes" }, ...notes.map((n) => el("div", { className: n.error ? "err" : n.warn ? "warn" : "" }, n.text)))));
    }
    report.replaceChildren(...[
      el("h3", {}, head),
      el("table", { className: "import-files" },
        el("thead", {}, el("tr", {}, ...["文件", "格式", "坐标系", "编码", "地块数", "提示"].map((h) => el("th", {}, h)))), files),
      el("p", { id: "import-summary", className: "import-summary" + (s.rejected ? " has-rejected" : "") }, summary),
      note,
      el("div", { className: "table-wrap" },
        el("table", { id: "import-features", className: "import-features" },
          el("thead", {}, el("tr", {}, ...["序号", "文件", "标识", "动作", "园区", "面积（亩）", "原因/提示"].map((h) => el("th", {}, h)))), rows)),
    ].filter(Boolean));
    report.classList.remove("stale");
  }

  // ---- After a commit: the new parcels on the map ----------------------------
  async function afterCommit(rep) {
    if (!rep.committed) return;
    const s = rep.summary || {};
    try {
      const { data } = await api("GET", "/api/layers/parcels");
      const fresh = ctx.gt.readFeatures(data);
      const add = [];
      for (const nf of fresh) {
        const f = ctx.parcels.getFeatureById(nf.getId());
        if (!f) {
          add.push(nf);
        } else if (f.get("version") !== nf.get("version")) {
          const p = { ...nf.getProperties() };
          delete p.geometry;
          f.setProperties(p);
          f.setGeometry(nf.getGeometry());
        }
      }
      if (add.length) ctx.parcels.addFeatures(add);
      const ids = (rep.features || []).filter((f) => f.parcel_id && f.action !== "reject").map((f) => f.parcel_id);
      const extent = ctx.ol.extent.createEmpty();
      for (const id of ids) {
        const f = ctx.parcels.getFeatureById(id);
        if (f) ctx.ol.extent.extend(extent, f.getGeometry().getExtent());
      }
      if (!ctx.ol.extent.isEmpty(extent)) ctx.fit(extent, 17);
      const hidden = ids.filter((id) => {
        const f = ctx.parcels.getFeatureById(id);
        return f && !ctx.visible(f);
      }).length;
      ctx.refilter();
      if (ctx.selectedId() !== null) ctx.panel.refresh();
      debug.lastImportIds = ids;
      ctx.status(`已导入：新增 ${s.created || 0} 宗，更新 ${s.updated || 0} 宗，面积 ${mu(s.area_mu)} 亩` +
        (hidden ? `（其中 ${hidden} 宗不符合当前筛选条件，未显示）` : ""), "ok");
    } catch (err) {
      ctx.status("导入已完成，但重新加载地块失败：" + ((err && err.message) || err) + "。请刷新页面。", "error");
    }
  }

  return { open, close, dialog };
}
