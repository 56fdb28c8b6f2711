// The planner's page: a channel's weekly grids as days x time, slots
// added, moved and changed; the plan of a date range with its conflicts;
// publishing with a preview of what changes.
"use strict";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const plan = { grids: [], subjects: [] };

function seconds(text) {
  const p = text.split(":").map(Number);
  return p.length === 3 ? p[0] * 3600 + p[1] * 60 + p[2] : p[0] * 3600 + p[1] * 60;
}

function fmtLength(s) {
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  return `${m}:${String(r).padStart(2, "0")}`;
}

function editSlot(grid, slot) {
  $("slot-id").value = slot ? slot.id : "";
  $("slot-grid").value = grid.id;
  $("slot-start").value = slot ? slot.start.slice(0, 5) + (slot.start.endsWith(":00") ? "" : slot.start.slice(5)) : "";
  $("slot-length").value = slot ? fmtLength(slot.length_s) : "30:00";
  $("slot-kind").value = slot ? slot.kind : "lesson";
  $("slot-grade").value = slot && slot.grade ? slot.grade : "";
  $("slot-subject").value = slot && slot.subject ? slot.subject : "";
  $("slot-language").value = slot && slot.language ? slot.language : "";
  $("slot-repeat").value = slot && slot.repeat_of ? slot.repeat_of.slice(0, 5) : "";
  $("slot-delete").disabled = !slot;
}

// Days as columns, the day's hours as height: a slot is placed at its start.
function renderGrid() {
  const box = $("grid");
  box.replaceChildren();
  let first = 24 * 3600, last = 0;
  for (const g of plan.grids)
    for (const s of g.slots) {
      first = Math.min(first, s.start_s);
      last = Math.max(last, s.start_s + s.length_s);
    }
  if (first >= last) { first = 8 * 3600; last = 20 * 3600; }
  first = Math.floor(first / 3600) * 3600;
  last = Math.ceil(last / 3600) * 3600;
  const scale = 600 / Math.max(3600, last - first); // px per second
  for (const day of DAYS) {
    const col = el("div", { class: "day", "data-day": day }, el("h4", {}, day));
    const lane = el("div", { class: "lane", style: `height:${(last - first) * scale}px` });
    for (const g of plan.grids) {
      if (!g.days.includes(day)) continue;
      for (const s of g.slots) {
        const label = s.kind === "lesson"
          ? `${s.start.slice(0, 5)} ${s.grade} ${s.subject}${s.language ? " " + s.language : ""}`
          : `${s.start.slice(0, 5)} ${s.kind}${s.repeat_of ? " " + s.repeat_of.slice(0, 5) : ""}`;
        lane.append(el("button", {
          class: `slot ${s.kind}`, "data-slot": s.id, title: `${label} (${fmtLength(s.length_s)})`,
          style: `top:${(s.start_s - first) * scale}px;` +
                 `height:${Math.max(14, s.length_s * scale)}px`,
          onclick: () => editSlot(g, s) }, label));
      }
    }
    col.append(lane);
    box.append(col);
  }
}

async function loadGrid() {
  const data = await call("GET", `/api/v1/grids?channel=${encodeURIComponent($("channel").value)}`);
  plan.grids = data.grids;
  $("slot-grid").replaceChildren(...plan.grids.map((g) =>
    el("option", { value: g.id }, g.days.join(" "))));
  renderGrid();
  if (plan.grids.length) editSlot(plan.grids[0], null);
}

async function saveSlot(ev) {
  ev.preventDefault();
  const id = $("slot-id").value;
  const body = { start: $("slot-start").value, length: $("slot-length").value };
  if ($("slot-kind").value === "lesson") {
    if ($("slot-grade").value) body.grade = Number($("slot-grade").value);
    if ($("slot-subject").value) body.subject = $("slot-subject").value;
    if ($("slot-language").value) body.language = $("slot-language").value;
  }
  try {
    if (id) {
      await call("PUT", `/api/v1/slots/${id}`, body);
    } else {
      Object.assign(body, { grid: Number($("slot-grid").value), kind: $("slot-kind").value });
      if (body.kind === "repeat") body.repeat_of = $("slot-repeat").value;
      await call("POST", "/api/v1/slots", body);
    }
    showMessage(t("saved"));
    await loadGrid();
  } catch (e) {
    showMessage(e.message, true);
  }
}

async function deleteSlot() {
  const id = $("slot-id").value;
  if (!id) return;
  try {
    await call("DELETE", `/api/v1/slots/${id}`);
    showMessage(t("deleted"));
    await loadGrid();
  } catch (e) {
    showMessage(e.message, true);
  }
}

async function refreshPlan(ev) {
  if (ev) ev.preventDefault();
  try {
    const r = await call("POST", "/api/v1/plan/refresh",
                         { from: $("from").value, days: Number($("days").value),
                           channel: $("channel").value });
    const list = $("conflicts");
    list.replaceChildren(...r.conflicts.map((c) => el("li", { class: "conflict" }, c)));
    showMessage(t("planned", r.planned, r.items, r.kept, r.conflicts.length),
                r.conflicts.length > 0);
    await loadDay();
  } catch (e) {
    showMessage(e.message, true);
  }
}

async function loadDay() {
  const list = $("items");
  list.replaceChildren();
  try {
    const d = await call("GET", `/api/v1/plan?channel=${encodeURIComponent($("channel").value)}` +
                                `&date=${$("day").value}`);
    const conflictAt = new Set(d.conflicts.map((c) => c.at));
    for (const it of d.items) {
      if (it.kind === "filler" && !it.hard) continue;
      list.append(el("li", { class: `item ${it.kind}${conflictAt.has(it.start) ? " has-conflict" : ""}` },
        `${clock(it.start)} ${it.kind} ${it.title || ""}` +
        (it.subject ? ` — ${it.grade} ${it.subject} no. ${it.number} (${it.language})` : "")));
    }
    for (const c of d.conflicts)
      list.append(el("li", { class: "conflict" }, `${clock(c.at)} ${c.message}`));
    $("items").dataset.state = `${d.state} ${d.version || ""}`;
  } catch (e) {
    list.append(el("li", {}, e.message));
  }
}

async function previewPublish() {
  const days = Number($("days").value), list = $("diff");
  list.replaceChildren();
  for (let i = 0; i < days; i++) {
    const date = new Date(new Date(`${$("from").value}T12:00:00Z`).getTime() + i * 86400000)
      .toISOString().slice(0, 10);
    const d = await call("GET", `/api/v1/plan/diff?channel=${encodeURIComponent($("channel").value)}` +
                                `&date=${date}`).catch(() => null);
    if (!d) continue;
    for (const c of d.changes)
      list.append(el("li", { class: c.op }, `${date} ${c.op === "added" ? "+" : "−"} ` +
                                           `${clock(c.start)} ${c.kind} ${c.title || ""}`));
  }
  if (!list.children.length) list.append(el("li", {}, t("noChanges")));
  $("preview").hidden = false;
}

async function publish() {
  try {
    const r = await call("POST", "/api/v1/plan/publish",
                         { channel: $("channel").value, from: $("from").value,
                           days: Number($("days").value) });
    showMessage(t("published", r.published, r.unchanged));
    $("preview").hidden = true;
    await loadDay();
  } catch (e) {
    showMessage(e.message, true);
  }
}

async function start() {
  const [channels, subjects] = await Promise.all([call("GET", "/api/v1/channels"),
                                                  call("GET", "/api/v1/subjects")]);
  plan.subjects = subjects;
  $("channel").replaceChildren(...channels.map((c) => el("option", { value: c.id },
                                                         c.name_kk || c.name_ru || c.id)));
  $("slot-subject").replaceChildren(el("option", { value: "" }, "—"),
    ...subjects.map((s) => el("option", { value: s.id }, s.name_kk || s.id)));
  $("from").value = $("day").value = stationToday(1);
  $("channel").addEventListener("change", () => { loadGrid(); loadDay(); });
  $("slot-form").addEventListener("submit", saveSlot);
  $("slot-delete").addEventListener("click", deleteSlot);
  $("slot-new").addEventListener("click", () => editSlot(plan.grids[0], null));
  $("range").addEventListener("submit", refreshPlan);
  $("publish").addEventListener("click", previewPublish);
  $("confirm-publish").addEventListener("click", publish);
  $("day").addEventListener("change", loadDay);
  await loadGrid();
  await loadDay();
}

setupLanguages();
requireLogin(["planner"], start);
