"""The programme guide from a published plan, from the command line:
`sabaq epg xmltv|m3u|json` on a station with real ingested lessons. The XMLTV
is validated by xmllint against Debian's XMLTV DTD and by tv_validate_file,
read with Python's own XML parser, and every lesson of the published plan
(`sabaq schedule --json` and, independently, the catalog's tables) must be
in it with its start and title: across midnight and after a republish."""
import datetime
import json
import sqlite3
import xml.etree.ElementTree as ET

from sabaq_test import SabaqTestCase, main
from test_epg_golden import validate_xmltv, xmltv_time

KAZAKH_TITLE = "Әліпби: Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і — \"тырнақша\" & <бұрыш>"

# A lesson at 23:59:40 whose fillers run into the next day up to a break at
# 00:02: the programme crosses midnight.
STATION = """<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">
  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>
  <channel id="balapan" language="kk" service-id="101">
    <name lang="kk">Балапан</name><name lang="ru">Балапан</name>
    <output type="hls" path="hls/balapan"/>
    <filler pool="ident"/>
  </channel>
  <channel id="el-arna" language="ru" service-id="102">
    <name lang="kk">Ел Арна</name><name lang="ru">Ел Арна</name>
    <filler pool="ident"/>
  </channel>
  <grid channel="balapan" days="mon tue wed thu fri sat sun">
    <slot start="00:02" length="0:00:10" kind="break"/>
    <slot start="09:00" length="0:00:20" grade="5" subject="math"/>
    <slot start="23:59:40" length="0:00:20" grade="5" subject="math"/>
  </grid>
  <grid channel="el-arna" days="mon tue wed thu fri sat sun">
    <slot start="10:00" length="0:00:20" grade="5" subject="math"/>
  </grid>
</station>
"""


class EpgTest(SabaqTestCase):

    def setUp(self):
        super().setUp()
        self.ingest_lessons([(1, "kk", KAZAKH_TITLE, 11), (2, "kk", "Сандар & «бөлшектер»", 11),
                             (3, "kk", "Үшінші сабақ", 11), (4, "kk", "Төртінші сабақ", 11),
                             (1, "ru", "Алфавит: \"кавычки\" & <скобки>", 11)])
        self.import_station(STATION)
        tz = datetime.timezone(datetime.timedelta(hours=5))
        self.today = datetime.datetime.now(tz).date()
        self.sabaq("plan", "--from", self.today.isoformat(), "--days", "3")
        for channel in ("balapan", "el-arna"):
            self.sabaq("publish", "--channel", channel, "--from", self.today.isoformat(),
                       "--days", "3")

    def xmltv(self, *args):
        out = self.path("guide.xml")
        self.sabaq("epg", "xmltv", "--days", "3", "-o", out, *args)
        validate_xmltv(self, out)
        return ET.parse(out).getroot()

    def plan(self, channel, day):
        return self.sabaq_json("schedule", "--channel", channel, "--date", day.isoformat(),
                               "--json")

    def programmes(self, root, channel):
        out = []
        for p in root.findall("programme"):
            if p.get("channel") == f"{channel}.sabaq":
                out.append({"start": xmltv_time(p.get("start")), "stop": xmltv_time(p.get("stop")),
                            "titles": {t.get("lang"): t.text for t in p.findall("title")},
                            "sub": [s.text for s in p.findall("sub-title")],
                            "episode": {e.get("system"): e.text for e in p.findall("episode-num")},
                            "category": [c.text for c in p.findall("category")],
                            "raw_start": p.get("start")})
        return out

    def assertLessonsInGuide(self, root, channel, language):
        progs = {p["start"]: p for p in self.programmes(root, channel)}
        lessons = 0
        for i in range(3):
            for it in self.plan(channel, self.today + datetime.timedelta(days=i)):
                if it["kind"] not in ("lesson", "repeat"):
                    continue
                start = datetime.datetime.fromisoformat(it["start"])
                self.assertIn(start, progs, f"{channel} {it['start']} is in the guide")
                p = progs[start]
                self.assertEqual(p["titles"][language], it["title"])
                self.assertGreaterEqual(p["stop"], datetime.datetime.fromisoformat(it["end"]))
                self.assertTrue(p["raw_start"].endswith(" +0500"), p["raw_start"])
                self.assertIn("education", [c.lower() for c in p["category"]])
                self.assertIn("xmltv_ns", p["episode"])
                lessons += 1
        self.assertGreater(lessons, 0)
        return progs

    def test_xmltv_matches_published_plan(self):
        root = self.xmltv()
        ids = {c.get("id"): {d.get("lang"): d.text for d in c.findall("display-name")}
               for c in root.findall("channel")}
        self.assertEqual(ids["balapan.sabaq"]["kk"], "Балапан")
        self.assertEqual(ids["el-arna.sabaq"]["ru"], "Ел Арна")
        progs = self.assertLessonsInGuide(root, "balapan", "kk")
        self.assertLessonsInGuide(root, "el-arna", "ru")
        # The Kazakh letters, quotes, ampersand and angle brackets survive.
        titles = [p["titles"].get("kk") for p in progs.values()]
        self.assertIn(KAZAKH_TITLE, titles)
        first = [p for p in progs.values() if p["titles"].get("kk") == KAZAKH_TITLE][0]
        self.assertEqual(first["titles"].get("ru"), "Алфавит: \"кавычки\" & <скобки>")
        self.assertIn("5-сынып · Математика · 1-сабақ", first["sub"])
        # Across midnight: the 23:59:40 lesson runs on to the break at 00:02.
        tz = datetime.timezone(datetime.timedelta(hours=5))
        late = datetime.datetime.combine(self.today, datetime.time(23, 59, 40), tz)
        self.assertIn(late, progs)
        self.assertEqual(progs[late]["stop"], late + datetime.timedelta(seconds=140))
        # The catalog's published rows say the same (read without sabaq).
        db = sqlite3.connect(self.db)
        rows = db.execute(
            "SELECT i.start_us FROM plan_items i JOIN plan_versions v ON v.id = i.version_id"
            " WHERE v.channel_id = 'balapan' AND v.state = 'published' AND i.kind = 'lesson'"
        ).fetchall()
        db.close()
        starts = {datetime.datetime.fromtimestamp(r[0] / 1e6, datetime.timezone.utc)
                  for r in rows}
        self.assertTrue(starts)
        self.assertLessEqual(starts, set(progs))

    def test_republish_changes_guide(self):
        tomorrow = self.today + datetime.timedelta(days=1)
        four = [a for a in self.lesson_assets() if a["number"] == 4][0]
        self.sabaq("schedule", "set", "--channel", "balapan", "--at",
                   f"{tomorrow.isoformat()}T09:00", "--asset", str(four["id"]))
        root = self.xmltv("--channel", "balapan")
        self.assertEqual([c.get("id") for c in root.findall("channel")], ["balapan.sabaq"])
        progs = self.assertLessonsInGuide(root, "balapan", "kk")
        tz = datetime.timezone(datetime.timedelta(hours=5))
        nine = datetime.datetime.combine(tomorrow, datetime.time(9, 0), tz)
        self.assertEqual(progs[nine]["titles"]["kk"], "Төртінші сабақ")

    def test_m3u_and_json(self):
        m3u = self.sabaq("epg", "m3u", "--base-url", "http://tv.example.kz").stdout
        lines = m3u.splitlines()
        self.assertTrue(lines[0].startswith("#EXTM3U"))
        self.assertIn('url-tvg="http://tv.example.kz/epg.xml"', lines[0])
        entry = [l for l in lines if 'tvg-id="balapan.sabaq"' in l][0]
        for attr in ('tvg-name="Балапан"', 'tvg-language="Kazakh"', "group-title="):
            self.assertIn(attr, entry)
        self.assertEqual(lines[lines.index(entry) + 1],
                         "http://tv.example.kz/hls/balapan/index.m3u8")
        day = self.sabaq_json("epg", "json", "--channel", "balapan", "--date",
                              self.today.isoformat())
        self.assertEqual(day["channel"], "balapan")
        titles = [it.get("title_kk") for it in day["items"]]
        self.assertIn(KAZAKH_TITLE, titles)
        lesson = [it for it in day["items"] if it.get("title_kk") == KAZAKH_TITLE][0]
        self.assertEqual((lesson["grade"], lesson["lesson"]), (5, 1))
        now_next = self.sabaq_json("epg", "json", "--channel", "balapan")
        self.assertIn("now", now_next)
        self.assertIn("next", now_next)
        self.assertIsNotNone(now_next["next"])
        bad = self.sabaq("epg", "json", "--channel", "nope", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("nope", bad.stderr)


if __name__ == "__main__":
    main()
