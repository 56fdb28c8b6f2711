"""The web server and the student page: `sabaq serve` on 127.0.0.1 with a
station whose lessons aired yesterday and air today and tomorrow. Every API
endpoint, JSON errors, the body limit, path traversal (raw requests, encoded
dots, a symlink out of the HLS folder), the guide files (/epg.xml validated
against the XMLTV DTD), /metrics, catch-up VOD checked with ffprobe, and
the student page in Debian's headless Chromium (tests/web/student.mjs):
channels and the lesson in Kazakh, a catch-up link that plays. Screenshots
go to build/meson-logs/screenshots/."""
import datetime
import json
import re
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from playout_helpers import ts_sections
from sabaq_test import SabaqTestCase, copy_catalog, ffprobe, main
from test_epg_golden import parse_eit, parse_sdt, validate_xmltv

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SHOTS = os.path.join(os.environ.get("MESON_BUILD_ROOT", os.path.join(ROOT, "build")),
                     "meson-logs", "screenshots")

STATION = """<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">
  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>
  <channel id="balapan" language="kk" service-id="101">
    <name lang="kk">Балапан</name><name lang="ru">Балапан</name>
    <output type="hls" path="hls/balapan"/>
    <filler pool="ident"/>
  </channel>
  <grid channel="balapan" days="mon tue wed thu fri sat sun">
    <slot start="00:10" length="0:00:20" grade="5" subject="math"/>
    <slot start="12:00" length="0:00:20" grade="5" subject="math"/>
  </grid>
</station>
"""


class WebTest(SabaqTestCase):

    station_dir = None  # the catalog every test starts from, made once

    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        if cls.station_dir:
            shutil.rmtree(cls.station_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        if WebTest.station_dir:
            shutil.rmtree(self.library, ignore_errors=True)
            copy_catalog(WebTest.station_dir, self.dir)
        else:
            self.ingest_lessons([(n, "kk", f"Бөлшектер {n}-сабақ", 11) for n in range(1, 7)])
            self.import_station(STATION)
            tz = datetime.timezone(datetime.timedelta(hours=5))
            yesterday = datetime.datetime.now(tz).date() - datetime.timedelta(days=1)
            self.sabaq("plan", "--from", yesterday.isoformat(), "--days", "3")
            self.sabaq("publish", "--channel", "balapan", "--from", yesterday.isoformat(),
                       "--days", "3")
            WebTest.station_dir = tempfile.mkdtemp(prefix="sabaq-it-web-")
            copy_catalog(self.dir, WebTest.station_dir)
        self.base = self.start_server()

    def get(self, path, method="GET", data=None, headers=None):
        req = urllib.request.Request(self.base + path, method=method, data=data,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get_json(self, path, status=200):
        code, headers, body = self.get(path)
        self.assertEqual(code, status, body)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        return json.loads(body)

    def raw(self, request_line):
        """A request sent as written (no client-side path normalisation)."""
        port = int(self.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1]), data

    def test_api(self):
        health = self.get_json("/api/v1/health")
        self.assertEqual(health["status"], "ok")
        channels = self.get_json("/api/v1/channels")
        self.assertEqual([c["id"] for c in channels], ["balapan"])
        self.assertEqual(channels[0]["hls"], "/hls/balapan/index.m3u8")
        self.assertIsNotNone(channels[0]["now"])
        now = self.get_json("/api/v1/channels/balapan/now")
        self.assertEqual(now["channel"], "balapan")
        self.assertIn("next", now)
        tz = datetime.timezone(datetime.timedelta(hours=5))
        yesterday = (datetime.datetime.now(tz).date() - datetime.timedelta(days=1)).isoformat()
        guide = self.get_json(f"/api/v1/channels/balapan/guide?date={yesterday}")
        lessons = [it for it in guide["items"] if it["kind"] == "lesson"]
        self.assertEqual(len(lessons), 2)
        self.assertTrue(all(it["catchup"].startswith("/vod/") for it in lessons))
        self.assertEqual(lessons[0]["title_kk"], "Бөлшектер 1-сабақ")
        subjects = self.get_json("/api/v1/subjects")
        self.assertEqual(subjects[0]["name_kk"], "Математика")
        found = self.get_json("/api/v1/lessons?grade=5&subject=math&q=%D0%B1%D3%A9%D0%BB")
        self.assertEqual(len(found), 6)
        first = found[0]
        self.assertEqual(first["number"], 1)
        self.assertIsNotNone(first["catchup"])
        self.assertTrue(any(l["next_airing"] for l in found))
        self.assertEqual(self.get_json("/api/v1/lessons?grade=7"), [])
        for bad in ("/api/v1/lessons?grade=12", "/api/v1/lessons?language=en",
                    "/api/v1/channels/balapan/guide?date=2026-02-30"):
            err = self.get_json(bad, status=400)
            self.assertIn("error", err)
        self.assertIn("error", self.get_json("/api/v1/channels/nope/now", status=404))
        self.assertIn("error", self.get_json("/api/v1/nothing", status=404))
        code, _, body = self.get("/api/v1/channels", method="POST", data=b"{}",
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(code, 405)
        self.assertIn("error", json.loads(body))
        code, _, body = self.get("/api/v1/channels", method="POST", data=b"x" * 100_000)
        self.assertEqual(code, 413)
        self.assertIn("error", json.loads(body))

    def test_catchup_vod(self):
        found = self.get_json("/api/v1/lessons?grade=5")
        url = found[0]["catchup"]
        code, headers, body = self.get(url)
        self.assertEqual(code, 200)
        playlist = body.decode()
        self.assertIn("#EXT-X-PLAYLIST-TYPE:VOD", playlist)
        self.assertIn("#EXT-X-ENDLIST", playlist)
        segments = [l for l in playlist.splitlines() if l and not l.startswith("#")]
        self.assertGreaterEqual(len(segments), 2)
        local = self.path("vod.m3u8")
        with open(local, "wb") as f:
            f.write(body.replace(b"seg", f"{self.base}{url.rsplit('/', 1)[0]}/seg".encode()))
        info = ffprobe(local, "-protocol_whitelist", "file,http,tcp", "-show_format",
                       "-show_streams")
        self.assertAlmostEqual(float(info["format"]["duration"]), 11.0, delta=0.2)
        self.assertEqual({s["codec_name"] for s in info["streams"]}, {"h264", "aac"})
        # A lesson that has not aired has no catch-up.
        not_aired = [l for l in found if not l["catchup"]]
        for l in not_aired:
            code, _, _ = self.get(f"/vod/{l['asset']}/index.m3u8")
            self.assertEqual(code, 404)
        code, _, _ = self.get("/vod/999/index.m3u8")
        self.assertEqual(code, 404)
        # IPTV players' catch-up: {utc} from a couple of minutes before an
        # aired lesson redirects to that lesson's VOD.
        tz = datetime.timezone(datetime.timedelta(hours=5))
        yesterday = (datetime.datetime.now(tz).date() - datetime.timedelta(days=1)).isoformat()
        guide = self.get_json(f"/api/v1/channels/balapan/guide?date={yesterday}")
        lesson = [it for it in guide["items"] if it["kind"] == "lesson"][0]
        utc = lesson["start_us"] // 1_000_000 - 120
        with urllib.request.urlopen(f"{self.base}/catchup/balapan/index.m3u8?utc={utc}",
                                    timeout=30) as r:
            self.assertTrue(r.geturl().endswith(lesson["catchup"]), r.geturl())
            self.assertIn(b"#EXT-X-ENDLIST", r.read())
        self.assertEqual(self.get("/catchup/balapan/index.m3u8?utc=1000")[0], 404)
        self.assertEqual(self.get("/catchup/balapan/index.m3u8")[0], 400)

    def test_path_traversal(self):
        hls = self.path("hls", "balapan")
        os.makedirs(hls)
        with open(os.path.join(hls, "index.m3u8"), "w") as f:
            f.write("#EXTM3U\n")
        os.symlink("/etc/passwd", os.path.join(hls, "passwd.ts"))
        os.symlink(self.db, os.path.join(hls, "catalog.ts"))
        code, _, body = self.get("/hls/balapan/index.m3u8")
        self.assertEqual((code, body), (200, b"#EXTM3U\n"))
        for line in ("GET /../sabaq.db HTTP/1.1", "GET /hls/../sabaq.db HTTP/1.1",
                     "GET /hls/%2e%2e/sabaq.db HTTP/1.1", "GET /hls/balapan/..%2f..%2fsabaq.db HTTP/1.1",
                     "GET /hls/balapan/passwd.ts HTTP/1.1", "GET /hls/balapan/catalog.ts HTTP/1.1",
                     "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", "GET /vendor/../package.json HTTP/1.1",
                     "GET /.git/config HTTP/1.1", "GET /vod/1/..%2f..%2f..%2fsabaq.db HTTP/1.1",
                     "GET /hls/balapan/%00index.m3u8 HTTP/1.1"):
            code, data = self.raw(line)
            self.assertIn(code, (400, 404), line)
            self.assertNotIn(b"root:", data)
            self.assertNotIn(b"SQLite format", data)

    def test_guide_files_and_metrics(self):
        code, headers, body = self.get("/epg.xml")
        self.assertEqual(code, 200)
        path = self.path("epg.xml")
        with open(path, "wb") as f:
            f.write(body)
        validate_xmltv(self, path)
        code, _, body = self.get("/channels.m3u")
        self.assertEqual(code, 200)
        text = body.decode()
        self.assertIn('tvg-id="balapan.sabaq"', text)
        self.assertIn(f"{self.base}/hls/balapan/index.m3u8", text)
        entry = [l for l in text.splitlines() if 'tvg-id="balapan.sabaq"' in l][0]
        self.assertIn('catchup="default"', entry)
        self.assertIn('catchup-days="7"', entry)
        self.assertIn(f'catchup-source="{self.base}/catchup/balapan/index.m3u8?utc={{utc}}"', entry)
        self.get("/api/v1/health")
        self.get("/api/v1/nothing")
        code, headers, body = self.get("/metrics")
        self.assertEqual(code, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain"))
        metrics = body.decode()
        self.assertIn('sabaq_http_requests_total{route="/api/v1/health",status="200"} 1', metrics)
        self.assertIn('sabaq_http_requests_total{route="/api",status="404"} 1', metrics)
        self.assertIn('sabaq_http_requests_total{route="/epg.xml",status="200"} 1', metrics)
        self.assertIn('sabaq_assets{status="approved"} ', metrics)
        self.assertIn("# TYPE sabaq_channel_on_air gauge", metrics)

    def add_user(self, name, role, password="correct horse 1"):
        return self.sabaq("user", "add", name, "--role", role, input=password + "\n",
                          check=False)

    def call(self, method, path, body=None, cookie=None, csrf=None, content_type=None):
        headers = {}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type or "application/json"
        if cookie:
            headers["Cookie"] = cookie
        if csrf:
            headers["X-CSRF-Token"] = csrf
        code, h, raw = self.get(path, method=method, data=data, headers=headers)
        return code, h, (json.loads(raw) if raw else None)

    def login(self, name, password="correct horse 1"):
        code, h, body = self.call("POST", "/api/v1/login", {"name": name, "password": password})
        self.assertEqual(code, 200, body)
        cookie = h["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        return cookie.split(";", 1)[0], body["csrf"]

    def test_accounts_roles_csrf(self):
        self.assertEqual(self.add_user("plan-a", "planner").returncode, 0)
        self.assertEqual(self.add_user("ops-a", "operator").returncode, 0)
        bad = self.add_user("x", "king")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("--role", bad.stderr)
        self.assertEqual(self.add_user("short", "planner", "abc").returncode, 1)
        db = __import__("sqlite3").connect(self.db)
        stored = db.execute("SELECT password FROM users WHERE name = 'plan-a'").fetchone()[0]
        db.close()
        self.assertTrue(stored.startswith("$argon2id$"))
        tz = datetime.timezone(datetime.timedelta(hours=5))
        today = datetime.datetime.now(tz).date().isoformat()
        # Students (no session) can change nothing and read no plan.
        for method, path, body in (("GET", f"/api/v1/plan?channel=balapan&date={today}", None),
                                   ("POST", "/api/v1/plan/publish", {"channel": "balapan"}),
                                   ("GET", "/api/v1/me", None), ("GET", "/api/v1/status", None),
                                   ("POST", "/api/v1/slots", {})):
            code, _, err = self.call(method, path, body)
            self.assertEqual(code, 401, path)
            self.assertIn("error", err)
        self.assertEqual(self.call("POST", "/api/v1/login", {"name": "plan-a",
                                                             "password": "wrong"})[0], 401)
        self.assertEqual(self.call("POST", "/api/v1/login", b"name=plan-a",
                                   content_type="application/x-www-form-urlencoded")[0], 415)
        self.assertEqual(self.call("POST", "/api/v1/login", b"{not json")[0], 400)
        cookie, csrf = self.login("plan-a")
        code, _, me = self.call("GET", "/api/v1/me", cookie=cookie)
        self.assertEqual((code, me["role"]), (200, "planner"))
        code, _, plan = self.call("GET", f"/api/v1/plan?channel=balapan&date={today}",
                                  cookie=cookie)
        self.assertEqual(code, 200)
        self.assertEqual(plan["state"], "published")
        self.assertTrue(plan["items"])
        # CSRF: a state change without the token is refused.
        code, _, err = self.call("POST", "/api/v1/plan/refresh", {"from": today, "days": 1},
                                 cookie=cookie)
        self.assertEqual(code, 403)
        self.assertIn("CSRF", err["error"])
        code, _, r = self.call("POST", "/api/v1/plan/refresh", {"from": today, "days": 1},
                               cookie=cookie, csrf=csrf)
        self.assertEqual(code, 200, r)
        self.assertEqual(r["kept"], 1)
        # Wrong role.
        self.assertEqual(self.call("GET", "/api/v1/status", cookie=cookie)[0], 403)
        ops_cookie, ops_csrf = self.login("ops-a")
        self.assertEqual(self.call("GET", "/api/v1/status", cookie=ops_cookie)[0], 200)
        code, _, _ = self.call("POST", "/api/v1/plan/publish",
                               {"channel": "balapan", "from": today}, cookie=ops_cookie,
                               csrf=ops_csrf)
        self.assertEqual(code, 403)
        code, _, rows = self.call("GET", f"/api/v1/asrun?channel=balapan&date={today}",
                                  cookie=ops_cookie)
        self.assertEqual(code, 200)
        self.assertIsInstance(rows, list)
        # Bad JSON, wrong types.
        self.assertEqual(self.call("POST", "/api/v1/plan/publish", b"[1, 2]", cookie=cookie,
                                   csrf=csrf)[0], 400)
        self.assertEqual(self.call("POST", "/api/v1/plan/refresh", {"from": today, "days": "x"},
                                   cookie=cookie, csrf=csrf)[0], 400)
        # Logout ends the session.
        self.assertEqual(self.call("POST", "/api/v1/logout", cookie=cookie, csrf=csrf)[0], 200)
        self.assertEqual(self.call("GET", "/api/v1/me", cookie=cookie)[0], 401)

    def test_login_rate_limited(self):
        self.add_user("plan-b", "planner")
        for _ in range(5):
            self.assertEqual(self.call("POST", "/api/v1/login",
                                       {"name": "plan-b", "password": "nope nope"})[0], 401)
        code, h, err = self.call("POST", "/api/v1/login",
                                 {"name": "plan-b", "password": "correct horse 1"})
        self.assertEqual(code, 429)
        self.assertEqual(h["Retry-After"], "300")

    def test_planner_moves_a_slot(self):
        self.add_user("plan-c", "planner")
        cookie, csrf = self.login("plan-c")
        code, _, grids = self.call("GET", "/api/v1/grids?channel=balapan", cookie=cookie)
        self.assertEqual(code, 200)
        slots = grids["grids"][0]["slots"]
        noon = [sl for sl in slots if sl["start"] == "12:00:00"][0]
        early = [sl for sl in slots if sl["start"] == "00:10:00"][0]
        # Onto the other slot: refused whole, nothing changed.
        code, _, err = self.call("PUT", f"/api/v1/slots/{noon['id']}", {"start": "00:10:10"},
                                 cookie=cookie, csrf=csrf)
        self.assertEqual(code, 422)
        self.assertIn("overlap", err["error"])
        code, _, err = self.call("PUT", f"/api/v1/slots/{noon['id']}", {"start": "23:59:50"},
                                 cookie=cookie, csrf=csrf)
        self.assertEqual(code, 422)
        self.assertIn("midnight", err["error"])
        code, _, _ = self.call("PUT", f"/api/v1/slots/{noon['id']}", {"start": "13:30"},
                               cookie=cookie, csrf=csrf)
        self.assertEqual(code, 200)
        code, _, _ = self.call("POST", "/api/v1/slots", {"grid": grids["grids"][0]["id"],
                                                          "start": "15:00", "length": "0:20",
                                                          "kind": "break"},
                               cookie=cookie, csrf=csrf)
        self.assertEqual(code, 200)
        code, _, _ = self.call("DELETE", f"/api/v1/slots/{early['id']}", cookie=cookie,
                               csrf=csrf)
        self.assertEqual(code, 200)
        self.assertEqual(self.call("DELETE", "/api/v1/slots/99999", cookie=cookie,
                                   csrf=csrf)[0], 404)
        code, _, grids = self.call("GET", "/api/v1/grids?channel=balapan", cookie=cookie)
        self.assertEqual([sl["start"] for sl in grids["grids"][0]["slots"]],
                         ["13:30:00", "15:00:00"])
        # A day after the published ones: plan, diff, publish, the guide follows.
        tz = datetime.timezone(datetime.timedelta(hours=5))
        later = (datetime.datetime.now(tz).date() + datetime.timedelta(days=2)).isoformat()
        code, _, r = self.call("POST", "/api/v1/plan/refresh",
                               {"from": later, "days": 1, "channel": "balapan"},
                               cookie=cookie, csrf=csrf)
        self.assertEqual(code, 200, r)
        code, _, found = self.call("GET", f"/api/v1/conflicts?channel=balapan&from={later}"
                                          "&days=1", cookie=cookie)
        self.assertEqual(code, 200)
        self.assertEqual([c["code"] for c in found], ["missing-lesson"])
        self.assertEqual(found[0]["state"], "draft")
        self.assertTrue(found[0]["line"].startswith(f"{later} 13:30 balapan: "))
        self.assertEqual(self.call("GET", "/api/v1/conflicts?channel=balapan", cookie=cookie)[0],
                         400)
        code, _, diff = self.call("GET", f"/api/v1/plan/diff?channel=balapan&date={later}",
                                  cookie=cookie)
        self.assertEqual(code, 200)
        self.assertEqual(diff["to"], "draft")
        self.assertTrue(any(c["start"].startswith(f"{later}T13:30:00") for c in diff["changes"]))
        code, _, r = self.call("POST", "/api/v1/plan/publish",
                               {"channel": "balapan", "from": later, "days": 1},
                               cookie=cookie, csrf=csrf)
        self.assertEqual((code, r["published"]), (200, 1))
        guide = self.get_json(f"/api/v1/channels/balapan/guide?date={later}")
        # Lesson 7 does not exist: the slot re-airs lesson 6 (a repeat).
        starts = [it["start"][11:19] for it in guide["items"]
                  if it["kind"] in ("lesson", "repeat")]
        self.assertEqual(starts, ["13:30:00"])

    def browser(self, script, *args):
        if not (os.path.exists("/usr/bin/chromium") and
                os.path.isdir(os.path.join(ROOT, "node_modules", "playwright-core"))):
            self.fail("Debian's chromium and playwright-core are missing: run scripts/deps.sh")
        proc = subprocess.run(["node", os.path.join(ROOT, "tests", "web", script), self.base,
                               SHOTS, *args], capture_output=True, text=True, timeout=120,
                              cwd=ROOT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def test_live_channel_in_chromium(self):
        # The server airs the station itself; once its HLS is up, lesson 6
        # is put on air a few seconds ahead (an edit, picked up live).
        self.stop_server()
        self.base = self.start_server("--playout")
        playlist = self.path("hls", "balapan", "index.m3u8")
        deadline = time.monotonic() + 40
        while not os.path.exists(playlist) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertTrue(os.path.exists(playlist), "playout wrote the HLS playlist")
        tz = datetime.timezone(datetime.timedelta(hours=5))
        start = datetime.datetime.now(tz).replace(microsecond=0) + datetime.timedelta(seconds=4)
        six = [a for a in self.lesson_assets() if a["number"] == 6][0]
        self.sabaq("schedule", "set", "--channel", "balapan", "--at",
                   start.isoformat(), "--asset", str(six["id"]), "--note", "live test")
        while datetime.datetime.now(tz) < start + datetime.timedelta(seconds=1):
            time.sleep(0.2)
        r = self.browser("live.mjs", "Бөлшектер 6-сабақ")
        self.assertEqual(r["errors"], [])
        self.assertIn("Бөлшектер 6-сабақ", r["now"])
        self.assertEqual(r["source"], "/hls/balapan/index.m3u8")
        self.assertGreater(r["currentTime"], 2.0)
        # The live playlist marks the programme with EXT-X-DATERANGE (read as
        # text: ffmpeg's HLS demuxer skips the tag).
        deadline = time.monotonic() + 20
        start_utc = start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        wanted = f'START-DATE="{start_utc}"'
        while time.monotonic() < deadline:
            with open(playlist, encoding="utf-8") as f:
                text = f.read()
            if wanted in text:
                break
            time.sleep(1)
        ranges = [l for l in text.splitlines() if l.startswith("#EXT-X-DATERANGE:")]
        mine = [l for l in ranges if wanted in l]
        self.assertEqual(len(mine), 1, text)
        self.assertIn('X-SABAQ-TITLE="Бөлшектер 6-сабақ"', mine[0])
        self.assertRegex(mine[0], r'ID="balapan-\d+",START-DATE="[^"]+",END-DATE="[^"]+"')
        self.assertIn("#EXT-X-PROGRAM-DATE-TIME:", text)
        ids = [re.search(r'ID="([^"]+)"', l).group(1) for l in ranges]
        self.assertEqual(len(ids), len(set(ids)), "DATERANGE ids are unique")
        # The segment holding the lesson's start carries the SDT and the EIT
        # present/following, read by this test's own section parser.
        segs = re.findall(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)\n#EXTINF:([\d.]+),\n(\S+)", text)
        holding = [name for pdt, dur, name in segs
                   if 0 <= (start - datetime.datetime.fromisoformat(pdt.replace("Z", "+00:00"))
                            ).total_seconds() < float(dur)]
        self.assertEqual(len(holding), 1, segs)
        segment = os.path.join(os.path.dirname(playlist), holding[0])
        sections = {pid: ts_sections(segment, pid) for pid in (0x11, 0x12)}
        sdt = [parse_sdt(x) for x in sections[0x11] if x[0] == 0x42]
        self.assertTrue(sdt, "an SDT in the segment")
        self.assertEqual(sdt[0]["services"][0]["sid"], 101)
        events = [e for x in sections[0x12] if x[0] == 0x4E for e in parse_eit(x)["events"]]
        names = [e["short"]["kaz"][0] for e in events if "kaz" in e["short"]]
        self.assertIn("Бөлшектер 6-сабақ", names)

    def test_planner_page_in_chromium(self):
        self.add_user("plan-d", "planner")
        tz = datetime.timezone(datetime.timedelta(hours=5))
        later = (datetime.datetime.now(tz).date() + datetime.timedelta(days=3))
        # The grid airs every day; the test moves Monday's view of it.
        r = self.browser("staff.mjs", "planner", "plan-d", "correct horse 1", later.isoformat())
        self.assertEqual(r["errors"], [])
        self.assertIn("plan-d", r["who"])
        self.assertEqual(r["loginLabel"], "Кіру", "the planner's page opens in Kazakh")
        self.assertTrue(any(s.startswith("12:00") for s in r["slotsBefore"]), r["slotsBefore"])
        self.assertTrue(any(s.startswith("13:30") for s in r["slotsAfter"]), r["slotsAfter"])
        # Lesson 7 does not exist: the planner sees the conflict, with date,
        # time and channel.
        self.assertTrue(any(f"{later.isoformat()} 13:30 balapan:" in c and "lesson 7" in c
                            for c in r["conflicts"]), r["conflicts"])
        self.assertTrue(any("13:30" in d for d in r["diff"]), r["diff"])
        self.assertIn("Published 1 days", r["published"])
        guide = self.get_json(f"/api/v1/channels/balapan/guide?date={later.isoformat()}")
        starts = [it["start"][11:16] for it in guide["items"] if it["kind"] in ("lesson", "repeat")]
        self.assertIn("13:30", starts)
        self.assertNotIn("12:00", starts)

    def test_operator_page_in_chromium(self):
        self.add_user("ops-d", "operator")
        self.stop_server()
        self.base = self.start_server("--playout")
        r = self.browser("staff.mjs", "operator", "ops-d", "correct horse 1")
        self.assertEqual(r["errors"], [])
        self.assertTrue(r["onAir"][0].startswith("On air:"), r["onAir"])
        self.assertTrue(r["next"][0].startswith("Next:"), r["next"])
        self.assertIn("hls", r["health"][0])
        self.assertTrue(r["asrun"], "an as-run row is shown")
        # With playout on air, /metrics tells it per channel.
        metrics = self.get("/metrics")[2].decode()
        self.assertIn('sabaq_channel_on_air{channel="balapan"} 1', metrics)
        self.assertIn('sabaq_hls_segments_total{channel="balapan"}', metrics)
        self.assertRegex(metrics, r'sabaq_asrun_items_24h\{channel="balapan",status="\w+"\} \d+')

    def test_student_page_in_chromium(self):
        r = self.browser("student.mjs")
        self.assertEqual(r["errors"], [])
        self.assertEqual(r["lang"], "kk")
        self.assertEqual(r["heading"], "Тікелей эфир")
        self.assertEqual(r["channels"], ["Балапан"])
        self.assertTrue(any("Бөлшектер" in p and "5-сынып" in p for p in r["programmes"]),
                        r["programmes"])
        self.assertTrue(r["catchupUrl"].startswith("/vod/"))
        self.assertGreater(r["currentTime"], 1.0)
        self.assertIn("Қайта көру", r["playing"])
        self.assertEqual(r["headingRu"], "Прямой эфир")
        self.assertTrue(r.get("breakRu"), "the guide is redrawn in Russian")
        self.assertFalse(r["phoneOverflow"], "the page fits a phone's width")
        self.assertTrue(os.path.exists(os.path.join(SHOTS, "student-desktop.png")))


if __name__ == "__main__":
    main()
