// The student page: channels with what is on now, a live player (hls.js,
// or the browser's own HLS), the guide of today and the coming days with
// catch-up links, and lesson search. Everything comes from /api/v1.
"use strict";

const state = { lang: localStorage.getItem("sabaq.lang") || "kk", channels: [], channel: null,
                day: 0, subjects: [], hls: null };

const $ = (id) => document.getElementById(id);
const t = (key, ...args) => {
  const v = SABAQ_TEXT[state.lang][key];
  return typeof v === "function" ? v(...args) : v;
};
// Titles come in kk and ru; English readers get the channel's language.
const title = (o, prefix = "title") =>
  o[`${prefix}_${state.lang}`] || o[`${prefix}_kk`] || o[`${prefix}_ru`] || "";
const clock = (iso) => iso.slice(11, 16);

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function describe(item) {
  if (!item) return t("nothing");
  if (item.kind === "break") return t("breakTitle");
  const parts = [title(item)];
  if (item.grade) parts.push(`${t("gradeN", item.grade)} · ${t("lessonN", item.lesson)}`);
  return parts.join(" — ");
}

function play(url, label) {
  const video = $("video");
  if (state.hls) { state.hls.destroy(); state.hls = null; }
  if (window.Hls && Hls.isSupported()) {
    state.hls = new Hls({ liveSyncDurationCount: 3 });
    state.hls.loadSource(url);
    state.hls.attachMedia(video);
  } else {
    video.src = url; // Safari and phones with native HLS
  }
  video.play().catch(() => {});
  // A function: the label is said again when the language changes.
  state.playingLabel = label;
  $("playing").textContent = label();
  $("playing").dataset.url = url;
}

function renderChannels() {
  const box = $("channels");
  box.replaceChildren();
  for (const c of state.channels) {
    const name = c[`name_${state.lang}`] || c.name_kk || c.name_ru;
    const card = el("article", { class: "channel" + (c.id === state.channel ? " selected" : ""),
                                 "data-channel": c.id },
      el("h3", {}, name),
      el("p", { class: "now" }, el("strong", {}, `${t("now")}: `), describe(c.now)),
      el("p", { class: "next" }, `${t("next")}: `,
         c.next ? `${clock(c.next.start)} ${describe(c.next)}` : "—"),
      el("button", { class: "watch", onclick: () => selectChannel(c.id, true) }, t("watch")));
    box.append(card);
  }
}

function renderDays() {
  const box = $("days");
  box.replaceChildren();
  for (let i = -1; i <= 6; i++) {
    const date = localDate(i);
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    const label = i === 0 ? t("today")
                          : `${t("weekdays")[weekday]} ${date.slice(8)}.${date.slice(5, 7)}`;
    box.append(el("button", { class: i === state.day ? "selected" : "",
                              onclick: () => { state.day = i; renderDays(); loadGuide(); } },
                  label));
  }
}

// The channel's own zone (the API's "timezone"): a guide day is a local
// day there, whatever the zone of the student's phone.
function channelZone() {
  const c = state.channels.find((x) => x.id === state.channel);
  return (c && c.timezone) || "Asia/Almaty";
}

// YYYY-MM-DD in zone, offsetDays from today (noon avoids DST edges).
function zoneDate(zone, offsetDays = 0, at = Date.now()) {
  const parts = new Intl.DateTimeFormat("en", { timeZone: zone, year: "numeric",
                                                month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(at));
  const get = (type) => parts.find((p) => p.type === type).value;
  const noon = Date.UTC(+get("year"), +get("month") - 1, +get("day"), 12);
  return new Date(noon + offsetDays * 86400000).toISOString().slice(0, 10);
}

function localDate(offsetDays) {
  return zoneDate(channelZone(), offsetDays);
}

// A time in the station's zone, in the page's words: "Сс 24.11 00:10".
// (Chromium's ICU has no Kazakh month or weekday names, so they are ours.)
function stationTime(iso) {
  const parts = new Intl.DateTimeFormat("en", { timeZone: channelZone(), year: "numeric",
                                                month: "2-digit", day: "2-digit",
                                                hour: "2-digit", minute: "2-digit",
                                                hourCycle: "h23" })
    .formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  const weekday = new Date(Date.UTC(+get("year"), +get("month") - 1, +get("day"))).getUTCDay();
  return `${t("weekdays")[weekday]} ${get("day")}.${get("month")} ${get("hour")}:${get("minute")}`;
}

async function loadGuide() {
  const list = $("programmes");
  // Only the newest request draws: clicks can overtake each other.
  const ticket = (state.guideTicket = (state.guideTicket || 0) + 1);
  if (!state.channel) return list.replaceChildren();
  const guide = await api(`/api/v1/channels/${encodeURIComponent(state.channel)}/guide` +
                          `?date=${localDate(state.day)}`);
  if (ticket !== state.guideTicket) return;
  list.replaceChildren();
  for (const it of guide.items) {
    // A programme that began the day before (the night's break) shows its
    // date, or "12:00" at the top of the day would read as today's noon.
    const day = it.start.slice(0, 10);
    const when = day === guide.date ? clock(it.start)
                                    : `${day.slice(8)}.${day.slice(5, 7)} ${clock(it.start)}`;
    const li = el("li", { class: `programme ${it.kind}` },
      el("time", { datetime: it.start }, when), " ", describe(it));
    if (it.catchup) {
      li.append(" ", el("button", { class: "catchup", "data-url": it.catchup,
                                    onclick: () => play(it.catchup,
                                      () => `${t("playingCatchup")}: ${describe(it)}`) },
                        t("catchup")));
    }
    list.append(li);
  }
}

function selectChannel(id, start) {
  state.channel = id;
  renderChannels();
  loadGuide();
  const c = state.channels.find((x) => x.id === id);
  if (start && c)
    play(c.hls, () => `${t("playingLive")}: ${c[`name_${state.lang}`] || c.name_kk}`);
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = new URLSearchParams();
  if ($("grade").value) q.set("grade", $("grade").value);
  if ($("subject").value) q.set("subject", $("subject").value);
  if ($("text").value) q.set("q", $("text").value);
  const found = await api(`/api/v1/lessons?${q}`);
  const list = $("results");
  list.replaceChildren();
  if (!found.length) list.append(el("li", {}, t("noResults")));
  for (const l of found) {
    const subject = state.subjects.find((s) => s.id === l.subject);
    const li = el("li", { class: "result" },
      `${t("gradeN", l.grade)} · ${subject ? title(subject, "name") : l.subject} · ` +
      `${t("lessonN", l.number)} (${l.language}) — ${l.title || ""}`);
    if (l.next_airing)
      li.append(el("span", { class: "next-airing" },
        ` ${t("nextAiring")}: ${stationTime(l.next_airing)}`));
    if (l.catchup)
      li.append(" ", el("button", { class: "catchup", "data-url": l.catchup,
                                    onclick: () => play(l.catchup,
                                      () => `${t("playingCatchup")}: ${l.title}`) },
                        t("catchup")));
    list.append(li);
  }
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("#languages button"))
    b.classList.toggle("selected", b.dataset.lang === state.lang);
  const grade = $("grade");
  grade.replaceChildren(el("option", { value: "" }, "—"));
  for (let g = 1; g <= 11; g++) grade.append(el("option", { value: g }, t("gradeN", g)));
  const subject = $("subject");
  subject.replaceChildren(el("option", { value: "" }, "—"));
  for (const s of state.subjects) subject.append(el("option", { value: s.id }, title(s, "name")));
  renderChannels();
  renderDays();
  loadGuide();
  if (state.playingLabel) $("playing").textContent = state.playingLabel();
}

async function refresh() {
  state.channels = await api("/api/v1/channels");
  renderChannels();
}

async function main() {
  for (const b of document.querySelectorAll("#languages button"))
    b.addEventListener("click", () => {
      state.lang = b.dataset.lang;
      localStorage.setItem("sabaq.lang", state.lang);
      applyLanguage();
    });
  $("search-form").addEventListener("submit", search);
  [state.channels, state.subjects] = await Promise.all([api("/api/v1/channels"),
                                                        api("/api/v1/subjects")]);
  const wanted = new URLSearchParams(location.search).get("channel");
  state.channel = (state.channels.find((c) => c.id === wanted) || state.channels[0] || {}).id;
  applyLanguage();
  if (state.channel) selectChannel(state.channel, true);
  setInterval(refresh, 15000);
}

main().catch((e) => { $("playing").textContent = String(e); });
