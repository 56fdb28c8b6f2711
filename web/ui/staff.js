// What the planner's and operator's pages share: login, the session's
// CSRF token on every change, JSON calls, small DOM helpers.
"use strict";

const staff = { csrf: null, user: null, role: null, timezone: null,
                lang: localStorage.getItem("sabaq.lang") || "kk" };
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => {
  const v = STAFF_TEXT[staff.lang][key];
  return typeof v === "function" ? v(...args) : v;
};

// Kazakh first; the choice is shared with the student page.
function applyStaffLanguage() {
  document.documentElement.lang = staff.lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("#languages button"))
    b.classList.toggle("selected", b.dataset.lang === staff.lang);
}

function setupLanguages(onChange) {
  for (const b of document.querySelectorAll("#languages button"))
    b.addEventListener("click", () => {
      staff.lang = b.dataset.lang;
      localStorage.setItem("sabaq.lang", staff.lang);
      applyStaffLanguage();
      if (onChange) onChange();
    });
  applyStaffLanguage();
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") e.addEventListener("click", v);
    // Through the CSSOM: the pages' CSP refuses style attributes.
    else if (k === "style") e.style.cssText = v;
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = staff.csrf || "";
  const r = await fetch(path, { method, headers, credentials: "same-origin",
                                body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.error || `${method} ${path}: ${r.status}`);
  return data;
}

function showMessage(text, isError) {
  const m = $("message");
  m.textContent = text;
  m.className = isError ? "message error" : "message";
}

// Shows the login form until someone with one of roles is logged in, then
// calls start().
async function requireLogin(roles, start) {
  const form = $("login");
  const go = (me) => {
    Object.assign(staff, { csrf: me.csrf, user: me.user, role: me.role });
    if (!roles.includes(me.role) && me.role !== "admin") {
      showMessage(t("notForYou", me.user, me.role, roles.join(", ")), true);
      return;
    }
    form.hidden = true;
    $("who").textContent = `${me.user} (${me.role})`;
    $("logout").hidden = false;
    $("app").hidden = false;
    start();
  };
  $("logout").addEventListener("click", async () => {
    await call("POST", "/api/v1/logout").catch(() => {});
    location.reload();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      go(await call("POST", "/api/v1/login", { name: $("name").value,
                                              password: $("password").value }));
    } catch (e) {
      showMessage(e.message, true);
    }
  });
  staff.timezone = (await call("GET", "/api/v1/health").catch(() => ({}))).timezone;
  try {
    go(await call("GET", "/api/v1/me"));
  } catch (e) {
    form.hidden = false;
  }
}

// The station's local day (plan days and as-run days are days in its zone,
// which /api/v1/health gives), whatever the zone of this computer.
function stationToday(offset = 0) {
  const parts = new Intl.DateTimeFormat("en", { timeZone: staff.timezone || "Asia/Almaty",
                                                year: "numeric", month: "2-digit",
                                                day: "2-digit" }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  const noon = Date.UTC(+get("year"), +get("month") - 1, +get("day"), 12);
  return new Date(noon + offset * 86400000).toISOString().slice(0, 10);
}
const clock = (iso) => (iso ? iso.slice(11, 19) : "");
