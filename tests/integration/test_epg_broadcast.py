"""The programme guide inside the broadcast transport stream: a station
whose lesson (titled with every Kazakh-specific letter) starts a few
seconds ahead is planned and published with the CLI, aired to UDP on
127.0.0.1, and the received stream's SDT and EIT are decoded by this
test's own section parser (test_epg_golden) and by dvbinfo, and matched
against the published guide (`sabaq epg json`): event ids, start in UTC
(MJD/BCD), duration, titles, p/f repeated at least every 2 s; a plan edit
while on air reaches the EIT with a new version within seconds."""
import datetime
import subprocess
import time

from playout_helpers import UdpReceiver, free_udp_port, ts_sections
from sabaq_test import SabaqTestCase, main
from test_epg_golden import parse_eit, parse_sdt

KAZAKH_TITLE = "Әліпби: Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і"
MUX_KBPS = 2000
ALMATY = datetime.timezone(datetime.timedelta(hours=5))

STATION = """<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">
  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>
  <channel id="balapan" language="kk" service-id="101">
    <name lang="kk">Балапан</name><name lang="ru">Балапан</name>
    <filler pool="ident"/>
  </channel>
  <grid channel="balapan" days="mon tue wed thu fri sat sun">
    <slot start="{start}" length="0:00:40" grade="5" subject="math"/>
  </grid>
</station>
"""


class EpgBroadcastTest(SabaqTestCase):

    def test_sdt_eit_match_the_plan(self):
        self.ingest_lessons([(1, "kk", KAZAKH_TITLE, 11), (2, "kk", "Екінші сабақ", 11)])
        # The lesson slot starts 12 s from now (local time, whole seconds).
        t0 = datetime.datetime.now(ALMATY).replace(microsecond=0) + datetime.timedelta(seconds=12)
        if t0.date() != (t0 + datetime.timedelta(seconds=40)).date():
            self.skipTest("too close to midnight for a one-day plan")
        self.import_station(STATION.format(start=t0.strftime("%H:%M:%S")))
        day = t0.date().isoformat()
        self.sabaq("plan", "--from", day, "--days", "1")
        self.sabaq("publish", "--channel", "balapan", "--from", day)
        guide = self.sabaq_json("epg", "json", "--channel", "balapan", "--date", day)
        t0_us = int(t0.timestamp()) * 1_000_000
        lesson = [it for it in guide["items"] if it["start_us"] == t0_us][0]
        self.assertEqual(lesson["title_kk"], KAZAKH_TITLE)

        port = free_udp_port()
        rx = UdpReceiver(port)
        proc = subprocess.Popen(self.command(
            "playout", "--channel", "balapan", "--udp",
            f"udp://127.0.0.1:{port}?mux-rate={MUX_KBPS}", "--for", "26"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # While the first lesson airs, an edit puts lesson 2 at t0 + 14 s.
        while datetime.datetime.now(ALMATY) < t0 + datetime.timedelta(seconds=2):
            time.sleep(0.2)
        two = [a for a in self.lesson_assets() if a["number"] == 2][0]
        edit_at = t0 + datetime.timedelta(seconds=14)
        edited_wall = time.time()
        self.sabaq("schedule", "set", "--channel", "balapan", "--at",
                   edit_at.strftime("%Y-%m-%dT%H:%M:%S"), "--asset", str(two["id"]))
        _, err = proc.communicate(timeout=90)
        self.assertEqual(proc.returncode, 0, err)
        ts = rx.finish(self.path("udp.ts"))
        first_wall = rx.datagrams[0][0]

        # SDT: the service, its names in Kazakh and Russian.
        sdts = [parse_sdt(s) for s in ts_sections(ts, 0x11) if s[0] == 0x42]
        self.assertTrue(sdts)
        service = sdts[0]["services"][0]
        self.assertEqual(service["sid"], 101)
        self.assertTrue(service["eit_pf"] and service["eit_schedule"])
        tags = [tag for tag, _ in service["descs"]]
        self.assertIn(0x48, tags)
        self.assertIn(0x5D, tags)

        # EIT p/f: each section with the arrival time of its last packet.
        rate = MUX_KBPS * 1000 / 8 / 188  # packets per second
        pf = [(first_wall + pos / rate, parse_eit(sec))
              for pos, sec in ts_sections(ts, 0x12, positions=True) if sec[0] == 0x4E]
        present = [(t, e) for t, e in pf if e["section"] == 0]
        gaps = [b[0] - a[0] for a, b in zip(present, present[1:])]
        self.assertTrue(gaps)
        self.assertLessEqual(max(gaps), 2.0, "EIT present repeated at least every 2 s")
        # The lesson as the present event: id, start (UTC), duration, title.
        events = [ev for _, e in present for ev in e["events"]
                  if ev["start"] == datetime.datetime.fromtimestamp(t0_us / 1e6,
                                                                    datetime.timezone.utc)]
        self.assertTrue(events, "the lesson was the present event")
        ev = events[0]
        self.assertEqual(ev["event_id"], lesson["event_id"])
        self.assertEqual(ev["duration"].total_seconds(),
                         (lesson["end_us"] - lesson["start_us"]) / 1e6)
        self.assertEqual(ev["short"]["kaz"][0], KAZAKH_TITLE)
        self.assertEqual(ev["running"], 4)
        self.assertIn(0x9, [c >> 4 for c in ev["content"]], "content: education")

        # The edit: within a few seconds a new version names lesson 2.
        new = [(t, e) for t, e in pf
               if any(x["short"].get("kaz", ("",))[0] == "Екінші сабақ" for x in e["events"])]
        self.assertTrue(new, "the edited plan reached the EIT")
        self.assertLess(new[0][0] - edited_wall, 8.0)
        old_versions = {e["version"] for t, e in pf if t < edited_wall}
        self.assertNotIn(new[0][1]["version"], old_versions)

        # dvbinfo (libdvbpsi) decodes the same stream.
        out = subprocess.run(["dvbinfo", "-f", ts, "-s", "table"], capture_output=True,
                             timeout=60).stdout.decode("utf-8", "replace")
        self.assertIn("SDT", out)
        self.assertRegex(out, rf"Event id: {lesson['event_id']}\b")
        self.assertIn("Балапан", out)


if __name__ == "__main__":
    main()
