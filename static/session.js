// panhuo: the logged-in user, the CSRF token and a fetch wrapper for the
// pages. Plain ES module. Every piece of data goes into the page as text
// (textContent, DOM nodes), never as HTML.
//
// Loading this module fills <header id="userbar"> when the page has one:
// the user's name and role, links, and 退出 (log out).

let current = null;

/** An API answer that is not 2xx, with the problem+json body when there is one. */
export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

/** Goes to the log-in page, coming back here afterwards. */
export function toLogin() {
  location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
}

/** Explains a problem+json answer in one line of Chinese. */
export function problemText(p, status) {
  if (!p || typeof p !== "object") return `请求失败（HTTP ${status}）`;
  const reasons = (p.errors || []).map((e) => `${e.field}：${e.reason}`).join("；");
  let text = p.title || `请求失败（HTTP ${status}）`;
  if (reasons) text += "（" + reasons + "）";
  else if (p.detail) text += "：" + p.detail;
  return text;
}

/** The current session: {user, csrf_token, via}. Goes to /login when there is none. */
export async function session() {
  if (current) return current;
  const res = await fetch("/api/session", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (res.status === 401) {
    toLogin();
    throw new ApiError("请先登录", 401);
  }
  if (!res.ok) throw new ApiError(`无法读取登录状态（HTTP ${res.status}）`, res.status);
  current = await res.json();
  return current;
}

/**
 * Calls the API. body (if not undefined) is sent as JSON; writes carry the
 * session's CSRF token. Resolves to {data, res}; rejects with ApiError.
 */
export async function api(method, path, body, headers = {}) {
  const s = await session();
  const h = { Accept: "application/json", ...headers };
  if (method !== "GET" && method !== "HEAD" && s.csrf_token) h["X-CSRF-Token"] = s.csrf_token;
  let payload;
  if (body !== undefined) {
    if (!h["Content-Type"]) h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers: h, body: payload, credentials: "same-origin" });
  if (res.status === 401) {
    current = null;
    toLogin();
    throw new ApiError("登录已过期，请重新登录", 401);
  }
  let data = null;
  const ct = res.headers.get("Content-Type") || "";
  if (res.status !== 204 && ct.includes("json")) data = await res.json();
  if (!res.ok) throw new ApiError(problemText(data, res.status), res.status, data);
  return { data, res };
}

/**
 * Builds an element: props are set as properties (className, textContent,
 * value, type, checked, …); children are nodes or strings (text nodes).
 */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "attrs") for (const [a, av] of Object.entries(v)) e.setAttribute(a, String(av));
    else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

/** Shows a message in a status element; kind is "", "error" or "ok". */
export function say(node, text, kind = "") {
  node.className = kind;
  node.textContent = text;
}

/** Logs out and goes to the log-in page. */
export async function logout() {
  try {
    await api("DELETE", "/api/session");
  } catch {
    // Whatever happened, the way out is the log-in page.
  }
  current = null;
  location.assign("/login");
}

/** Fills <header id="userbar">. */
export async function userBar() {
  const bar = document.getElementById("userbar");
  if (!bar) return;
  let s;
  try {
    s = await session();
  } catch {
    return;
  }
  const u = s.user;
  const nav = el("nav", {},
    el("a", { href: "/" }, "一张图"),
    el("a", { href: "/dashboard" }, "盘活率排名"));
  if (u.role === "admin") {
    nav.append(el("a", { href: "/admin" }, "系统管理"), el("a", { href: "/admin/audit" }, "操作记录"));
  }
  const who = el("span", { className: "who" },
    el("strong", { textContent: u.display_name || u.login }),
    `（${u.role_name || u.role}）`);
  const out = el("button", { type: "button", className: "logout", onclick: logout }, "退出");
  bar.replaceChildren(nav, el("span", { className: "account" }, who, out));
}

userBar();
