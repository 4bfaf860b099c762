// panhuo log-in page: POST /api/session, then back to where the user was
// going (?next=, only a path on this site).

/** The page to go to after logging in: ?next= when it is on this site, else "/". */
function nextPage() {
  const n = new URLSearchParams(location.search).get("next") || "";
  if (!n.startsWith("/") || n.startsWith("//") || n.startsWith("/\\")) return "/";
  try {
    // Browsers drop tabs and newlines from URLs ("/\t/evil" is "//evil"):
    // judge what the browser would make of it.
    const u = new URL(n, location.origin);
    if (u.origin !== location.origin) return "/";
    return u.pathname + u.search + u.hash;
  } catch {
    return "/";
  }
}

const form = document.getElementById("login-form");
const status = document.getElementById("status");

function say(text, kind) {
  status.className = kind || "";
  status.textContent = text;
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const data = new FormData(form);
  const button = form.querySelector("button");
  button.disabled = true;
  say("正在登录…");
  try {
    const res = await fetch("/api/session", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ login: data.get("login"), password: data.get("password") }),
    });
    if (res.ok) {
      say("登录成功，正在跳转…", "ok");
      location.assign(nextPage());
      return;
    }
    let p = null;
    try {
      p = await res.json();
    } catch {
      // not JSON
    }
    let text = (p && p.title) || `登录失败（HTTP ${res.status}）`;
    if (res.status === 429) {
      const wait = Number(res.headers.get("Retry-After"));
      if (wait > 0) text += `（约 ${Math.ceil(wait / 60)} 分钟后可再试）`;
    } else if (p && p.errors && p.errors.length) {
      text += "：" + p.errors.map((e) => e.reason).join("；");
    }
    say(text, "error");
    form.elements.password.value = "";
    form.elements.password.focus();
  } catch (err) {
    say("无法连接服务器：" + err.message, "error");
  } finally {
    button.disabled = false;
  }
});

// Already logged in: go on.
fetch("/api/session", { headers: { Accept: "application/json" }, credentials: "same-origin" })
  .then((res) => {
    if (res.ok) location.replace(nextPage());
  })
  .catch(() => {});
