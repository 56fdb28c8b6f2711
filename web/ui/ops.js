// The operator's page: every channel at a glance, refreshed every 2 s:
// on air now with position and time to next, output health, recent as-run
// with deviations highlighted, alarms, and a muted preview player.
"use strict";

const ops = { players: {} };
const fmt = (frames) => {
  const s = Math.floor(frames / 25);
  return `${String(Math.floor(s / 3600)).padStart(2, "0")}:` +
         `${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};

function card(channel) {
  let c = document.querySelector(`[data-channel="${channel.id}"]`);
  if (c) return c;
  c = el("section", { class: "ops-channel", "data-channel": channel.id },
    el("h2", {}, channel.name_kk || channel.name_ru || channel.id),
    el("p", { class: "onair" }), el("p", { class: "next" }), el("p", { class: "health" }),
    el("video", { muted: "", playsinline: "", autoplay: "" }),
    el("table", { class: "asrun" }));
  $("channels").append(c);
  const video = c.querySelector("video");
  video.muted = true;
  if (window.Hls && Hls.isSupported()) {
    // Low latency preview: start close to the live edge.
    const hls = new Hls({ liveSyncDurationCount: 1, lowLatencyMode: true });
    hls.loadSource(channel.hls);
    hls.attachMedia(video);
    ops.players[channel.id] = hls;
  } else {
    video.src = channel.hls;
  }
  return c;
}

async function refresh() {
  const [channels, status] = await Promise.all([call("GET", "/api/v1/channels"),
                                                call("GET", "/api/v1/status")]);
  const alarms = [];
  const now = Date.now() * 1000;
  for (const ch of channels) {
    const c = card(ch);
    const st = status.find((x) => x.channel === ch.id);
    if (!st || !st.running) {
      alarms.push(`${ch.id}: ${t("notRunning")}`);
      c.querySelector(".onair").textContent = t("offAir");
      c.querySelector(".health").textContent = "";
    } else {
      const on = st.on_air || {};
      c.querySelector(".onair").textContent =
        `${t("nowOnAir")}: ${on.title || on.kind || "—"} · ${fmt(st.position_frames || 0)}` +
        (on.source && on.source !== "plan" ? ` (${on.source})` : "");
      const next = st.next;
      c.querySelector(".next").textContent = next
        ? `${t("next")}: ${next.title || next.kind} ${t("in")} ` +
          fmt(Math.max(0, (next.start_us - now) / 40000))
        : `${t("next")}: —`;
      const outs = (st.outputs || []).map((o) => `${o.type} ${o.state}` +
                                                 (o.last_error ? ` (${o.last_error})` : ""));
      const bad = (st.outputs || []).some((o) => o.state !== "ok" && o.state !== "sending" &&
                                                  o.state !== "writing");
      const health = c.querySelector(".health");
      health.textContent = outs.join(" · ");
      health.className = `health ${bad ? "bad" : "ok"}`;
      for (const e of st.errors || []) alarms.push(`${ch.id}: ${e}`);
    }
    const rows = await call("GET", `/api/v1/asrun?channel=${encodeURIComponent(ch.id)}` +
                                   `&date=${stationToday()}`).catch(() => []);
    const table = c.querySelector(".asrun");
    table.replaceChildren(el("tr", {}, el("th", {}, t("planned_")), el("th", {}, t("actual")),
                             el("th", {}, t("what")), el("th", {}, t("status"))));
    for (const r of rows.slice(-12).reverse()) {
      // aired and airing are the plan kept; joined (a restart) is shown,
      // cut, slate and interrupted are alarms.
      const deviation = r.status !== "aired" && r.status !== "airing";
      if (deviation && r.status !== "joined")
        alarms.push(`${ch.id} ${clock(r.planned_start)}: ${r.status} ${r.reason || ""}`);
      table.append(el("tr", { class: deviation ? "deviation" : "" },
        el("td", {}, clock(r.planned_start)), el("td", {}, clock(r.actual_start)),
        el("td", {}, r.title || r.kind), el("td", {}, `${r.status}${r.reason ? ": " + r.reason : ""}`)));
    }
  }
  $("alarms").replaceChildren(...alarms.slice(0, 20).map((a) => el("li", { class: "alarm" }, a)));
}

function start() {
  const tick = () => refresh().catch((e) => showMessage(e.message, true));
  tick();
  setInterval(tick, 2000);
}

setupLanguages();
requireLogin(["operator"], start);
