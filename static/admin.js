// panhuo administration page: users, park data and disposal methods.
// Every write goes through api(), which sends the CSRF token; every piece of
// data is put into the page as text.

import { api, el, say, session } from "./session.js";

const status = document.getElementById("status");
const classNames = { unsupplied: "批而未供", idle: "闲置", inefficient: "低效" };
const roleNames = { admin: "管理员", officer: "土地专员", leader: "领导" };

let parks = [];

/** Runs a write, reports it, and reloads what it changed. */
async function act(what, fn, reload) {
  say(status, `正在${what}…`);
  try {
    await fn();
    say(status, `${what}：已完成`, "ok");
  } catch (err) {
    say(status, `${what}失败：${err.message}`, "error");
  }
  if (reload) await reload();
}

function parkOptions(select, chosen) {
  select.replaceChildren(...parks.map((p) =>
    el("option", { value: p.code, selected: chosen.includes(p.code) }, `${p.name}（${p.code}）`)));
}

function chosenParks(select) {
  return Array.from(select.selectedOptions, (o) => o.value);
}

function roleSelect(value) {
  const s = el("select", {});
  for (const [v, name] of Object.entries(roleNames)) s.append(el("option", { value: v, selected: v === value }, name));
  return s;
}

// ---- users ----

async function loadUsers() {
  const tbody = document.querySelector("#users tbody");
  let users;
  try {
    users = (await api("GET", "/api/users")).data.users;
  } catch (err) {
    say(status, "读取用户失败：" + err.message, "error");
    return;
  }
  tbody.replaceChildren(...users.map(userRow));
}

function userRow(u) {
  const name = el("input", { value: u.display_name, maxLength: 64, className: "name" });
  const role = roleSelect(u.role);
  const parkSel = el("select", { multiple: true, size: 3 });
  parkOptions(parkSel, u.parks || []);
  const ifMatch = { "If-Match": `"${u.version}"`, "Content-Type": "application/merge-patch+json" };
  const save = el("button", {
    type: "button",
    onclick: () => act(`保存用户 ${u.login}`, () => api("PATCH", `/api/users/${u.id}`, {
      display_name: name.value, role: role.value, parks: role.value === "officer" ? chosenParks(parkSel) : [],
    }, ifMatch), loadUsers),
  }, "保存");
  const toggle = el("button", {
    type: "button",
    onclick: () => act(`${u.disabled ? "启用" : "停用"}用户 ${u.login}`,
      () => api("PATCH", `/api/users/${u.id}`, { disabled: !u.disabled }, ifMatch), loadUsers),
  }, u.disabled ? "启用" : "停用");
  const reset = el("button", {
    type: "button",
    onclick: () => {
      const pw = prompt(`为 ${u.login} 设置新密码（至少 10 个字符，包含字母、数字、符号中的两类）：`);
      if (!pw) return;
      act(`重置 ${u.login} 的密码`, () => api("POST", `/api/users/${u.id}/password`, { new_password: pw }));
    },
  }, "重置密码");
  return el("tr", { className: u.disabled ? "disabled" : "" },
    el("td", {}, u.login),
    el("td", {}, name),
    el("td", {}, role),
    el("td", {}, parkSel),
    el("td", {}, u.disabled ? "已停用" : "正常"),
    el("td", { className: "actions" }, save, toggle, reset));
}

const newUser = document.getElementById("new-user");
newUser.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const f = newUser.elements;
  const body = {
    login: f.login.value.trim(),
    display_name: f.display_name.value.trim(),
    role: f.role.value,
    parks: f.role.value === "officer" ? chosenParks(f.parks) : [],
    password: f.password.value,
  };
  act(`创建用户 ${body.login}`, async () => {
    await api("POST", "/api/users", body);
    newUser.reset();
  }, loadUsers);
});

// ---- parks ----

function numberInput(value, step) {
  return el("input", { type: "number", min: "0", step, value: value ?? "", className: "num" });
}

/** The geometry of an uploaded GeoJSON file: a Feature, a Polygon or MultiPolygon (or a FeatureCollection of one). */
function boundaryOf(doc) {
  if (!doc || typeof doc !== "object") throw new Error("文件不是 GeoJSON");
  if (doc.type === "FeatureCollection") {
    if (!Array.isArray(doc.features) || doc.features.length !== 1) throw new Error("文件须只含一个园区边界要素");
    doc = doc.features[0];
  }
  const g = doc.type === "Feature" ? doc.geometry : doc;
  if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon")) {
    throw new Error("边界须为 Polygon 或 MultiPolygon");
  }
  return { type: g.type, coordinates: g.coordinates };
}

function parkRow(p) {
  const builtup = numberInput(p.builtup_mu, "0.01");
  const target = numberInput(p.target_mu, "0.01");
  const year = numberInput(p.target_year || "", "1");
  const headers = { "If-Match": `"${p.version}"`, "Content-Type": "application/merge-patch+json" };
  const save = el("button", {
    type: "button",
    onclick: () => act(`保存园区 ${p.name}`, () => api("PATCH", `/api/parks/${encodeURIComponent(p.code)}`, {
      properties: {
        builtup_mu: Number(builtup.value || 0),
        target_mu: Number(target.value || 0),
        target_year: Number(year.value || 0),
      },
    }, headers), loadParks),
  }, "保存");
  const file = el("input", { type: "file", accept: ".geojson,.json,application/geo+json,application/json" });
  const upload = el("button", {
    type: "button",
    onclick: () => {
      const f = file.files[0];
      if (!f) {
        say(status, "请先选择边界文件", "error");
        return;
      }
      act(`上传园区 ${p.name} 的边界`, async () => {
        let doc;
        try {
          doc = JSON.parse(await f.text());
        } catch {
          throw new Error("文件不是有效的 JSON");
        }
        await api("PATCH", `/api/parks/${encodeURIComponent(p.code)}`, { geometry: boundaryOf(doc) }, headers);
      }, loadParks);
    },
  }, "上传边界");
  return el("tr", {},
    el("td", {}, p.code),
    el("td", {}, p.name),
    el("td", {}, p.level),
    el("td", {}, builtup),
    el("td", {}, target),
    el("td", {}, year),
    el("td", {}, save),
    el("td", { className: "actions" }, file, upload));
}

async function loadParks() {
  try {
    parks = (await api("GET", "/api/parks")).data.parks;
  } catch (err) {
    say(status, "读取园区失败：" + err.message, "error");
    return;
  }
  document.querySelector("#parks tbody").replaceChildren(...parks.map(parkRow));
  parkOptions(newUser.elements.parks, chosenParks(newUser.elements.parks));
}

// ---- methods ----

function methodRow(m) {
  const name = el("input", { value: m.name, maxLength: 50, className: "name" });
  const counts = el("input", {
    type: "checkbox",
    checked: m.counts,
    onchange: () => act(`${counts.checked ? "计入" : "不计入"}处置率：${m.name}`,
      () => api("PATCH", `/api/methods/${encodeURIComponent(m.code)}`, { counts: counts.checked }), loadMethods),
  });
  const save = el("button", {
    type: "button",
    onclick: () => act(`修改处置方式名称 ${m.code}`,
      () => api("PATCH", `/api/methods/${encodeURIComponent(m.code)}`, { name: name.value }), loadMethods),
  }, "保存名称");
  return el("tr", {},
    el("td", {}, m.code),
    el("td", {}, classNames[m.class] || m.class),
    el("td", {}, name),
    el("td", {}, el("label", {}, counts, " 计入")),
    el("td", {}, save));
}

async function loadMethods() {
  try {
    const ms = (await api("GET", "/api/methods")).data.methods;
    document.querySelector("#methods tbody").replaceChildren(...ms.map(methodRow));
  } catch (err) {
    say(status, "读取处置方式失败：" + err.message, "error");
  }
}

const s = await session();
if (s.user.role !== "admin") {
  say(status, "仅管理员可用", "error");
} else {
  await loadParks();
  await Promise.all([loadUsers(), loadMethods()]);
}
