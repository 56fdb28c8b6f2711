"""`sabaq serve` beyond the student API: request bodies without a length,
catch-up made off the main loop (concurrent first requests, the server
answering meanwhile), the staff's asset search (roles, filters, bad
queries), and /metrics with the station's figures (playout on air, HLS
segments, outputs, as-run by status and late items, assets by status, plan
published ahead) in valid Prometheus text, checked against the status
files, the catalog (Python's sqlite3) and the HLS playlist on disk."""
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from sabaq_test import SabaqTestCase, main
from test_web import ROOT, SHOTS, STATION

# One sample line of the Prometheus text format: name{labels} value.
SAMPLE = re.compile(r'^([a-z_:][a-z0-9_:]*)(\{([a-z_]+="(?:[^"\\\n]|\\.)*",?)*\})? '
                    r'(-?[0-9.e+-]+|NaN|\+Inf|-Inf)$')


def parse_metrics(text):
    """{(name, frozenset(labels)): value}; fails on any line that is not a
    comment or a sample, and on a sample whose family has no TYPE."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample: {line!r}"
        name = m.group(1)
        assert name in typed, f"{name} has no # TYPE before it"
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(name, labels)] = float(m.group(4))
    return samples


class WebStationTest(SabaqTestCase):

    def setUp(self):
        super().setUp()
        self.ingest_lessons([(n, "kk", f"Бөлшектер {n}-сабақ", 11) for n in range(1, 4)])
        self.import_station(STATION)
        tz = datetime.timezone(datetime.timedelta(hours=5))
        yesterday = datetime.datetime.now(tz).date() - datetime.timedelta(days=1)
        self.sabaq("plan", "--from", yesterday.isoformat(), "--days", "3")
        self.sabaq("publish", "--channel", "balapan", "--from", yesterday.isoformat(),
                   "--days", "3")

    def request(self, path, method="GET", data=None, headers=None):
        req = urllib.request.Request(self.base + path, method=method, data=data,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def raw(self, data):
        port = int(self.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(data)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return int(out.split(b" ", 2)[1]), out

    def login(self, name, role):
        self.sabaq("user", "add", name, "--role", role, input="correct horse 1\n")
        code, h, body = self.request("/api/v1/login", "POST",
                                     json.dumps({"name": name,
                                                 "password": "correct horse 1"}).encode(),
                                     {"Content-Type": "application/json"})
        self.assertEqual(code, 200, body)
        return h["Set-Cookie"].split(";", 1)[0], json.loads(body)["csrf"]

    def test_bodies_need_a_length(self):
        self.base = self.start_server()
        big = b'{"name":"' + b"a" * 300_000 + b'","password":"x"}'
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 8192]), big[i:i + 8192])
                           for i in range(0, len(big), 8192)) + b"0\r\n\r\n"
        code, out = self.raw(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                             b"Connection: close\r\n\r\n" + chunked)
        self.assertEqual(code, 411)
        self.assertIn("Content-Length", json.loads(out.split(b"\r\n\r\n", 1)[1])["error"])
        # Small chunked bodies too: the length is what is checked, not the size.
        code, _ = self.raw(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                           b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
        self.assertEqual(code, 411)
        code, _, body = self.request("/api/v1/login", "POST", big,
                                     {"Content-Type": "application/json"})
        self.assertEqual(code, 413)
        # Nothing of the refused bodies was taken as a login attempt.
        db = sqlite3.connect(self.db)
        self.assertEqual(db.execute("SELECT count(*) FROM login_failures").fetchone()[0], 0)
        db.close()
        code, _, body = self.request("/api/v1/health")
        self.assertEqual(code, 200)

    def test_catchup_made_once_while_serving(self):
        self.base = self.start_server()
        code, _, body = self.request("/api/v1/lessons?grade=5")
        aired = [l for l in json.loads(body) if l["catchup"]]
        self.assertTrue(aired, "a lesson aired yesterday")
        url = aired[0]["catchup"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            playlists = list(pool.map(lambda _: self.request(url), range(6)))
            health = pool.submit(self.request, "/api/v1/health").result()
        self.assertEqual(health[0], 200)
        self.assertEqual({p[0] for p in playlists}, {200})
        self.assertEqual(len({p[2] for p in playlists}), 1, "every request got the same playlist")
        text = playlists[0][2].decode()
        self.assertIn("#EXT-X-ENDLIST", text)
        for seg in [l for l in text.splitlines() if l and not l.startswith("#")]:
            code, headers, data = self.request(url.rsplit("/", 1)[0] + "/" + seg)
            self.assertEqual(code, 200)
            self.assertEqual(headers["Content-Type"], "video/mp2t")
            self.assertEqual(data[0], 0x47)
        cache = os.path.join(self.library, ".vod")
        made = [d for d in os.listdir(cache)]
        self.assertEqual(len(made), 1, f"one folder, no temporaries left: {made}")
        # A missing source: the waiting request gets a JSON 500, the server lives on.
        other = aired[1] if len(aired) > 1 else None
        if other:
            db = sqlite3.connect(self.db)
            path = db.execute("SELECT path FROM assets WHERE id = ?",
                              (other["asset"],)).fetchone()[0]
            db.close()
            full = path if os.path.isabs(path) else os.path.join(self.library, path)
            os.rename(full, full + ".gone")
            code, _, body = self.request(other["catchup"])
            self.assertEqual(code, 500)
            self.assertIn("not available", json.loads(body)["error"])
            os.rename(full + ".gone", full)
            code, _, _ = self.request(other["catchup"])
            self.assertEqual(code, 200)

    def test_staff_asset_search(self):
        self.base = self.start_server()
        code, _, _ = self.request("/api/v1/assets")
        self.assertEqual(code, 401)
        cookie, _ = self.login("op-a", "operator")
        # One asset waits for approval, one was rejected.
        db = sqlite3.connect(self.db)
        ids = [r[0] for r in db.execute(
            "SELECT a.id FROM assets a JOIN lessons l ON l.id = a.lesson_id ORDER BY l.number")]
        db.execute("UPDATE assets SET status = 'ready' WHERE id = ?", (ids[0],))
        db.execute("UPDATE assets SET status = 'rejected', status_reason = 'black' WHERE id = ?",
                   (ids[1],))
        db.commit()
        db.close()

        def search(query, status=200):
            query = "?" + urllib.parse.urlencode(urllib.parse.parse_qsl(query[1:])) if query else ""
            code, _, body = self.request("/api/v1/assets" + query, headers={"Cookie": cookie})
            self.assertEqual(code, status, body)
            return json.loads(body)

        everything = search("")
        self.assertEqual({a["kind"] for a in everything} >= {"lesson", "filler", "slate"}, True)
        self.assertEqual([a["id"] for a in search("?status=ready")], [ids[0]])
        rejected = search("?status=rejected")
        self.assertEqual([a["id"] for a in rejected], [ids[1]])
        self.assertEqual([a["id"] for a in search("?grade=5&subject=math&language=kk&q=БӨЛШЕК")],
                         ids)
        self.assertEqual(search("?q=3-сабақ")[0]["id"], ids[2])
        self.assertEqual(search("?grade=6"), [])
        self.assertEqual(search("?language=ru"), [])
        self.assertEqual({a["kind"] for a in search("?kind=filler")}, {"filler"})
        for bad in ("?grade=12", "?grade=5x", "?language=en", "?kind=x", "?status=gone"):
            self.assertIn("error", search(bad, 400))
        # Students see none of it, and the endpoint changes nothing.
        code, _, _ = self.request("/api/v1/assets", "POST", b"{}",
                                  {"Cookie": cookie, "Content-Type": "application/json"})
        self.assertEqual(code, 403)  # no CSRF token

    def test_metrics_of_the_station(self):
        # As-run rows of the last day: one aired, one late, one replaced by
        # the slate, one cut; and one from two days ago that must not count.
        now_us = int(time.time() * 1e6)
        db = sqlite3.connect(self.db)
        rows = [(now_us - 3600e6, 0, "aired"), (now_us - 3000e6, 80_000, "aired"),
                (now_us - 2400e6, 0, "slate"), (now_us - 1800e6, 40_000, "cut"),
                (now_us - 2 * 86400e6, 400_000, "aired")]
        for start, late, status in rows:
            db.execute("INSERT INTO asrun (channel_id, planned_start_us, planned_end_us,"
                       " actual_start_us, aired_frames, kind, title, source, status)"
                       " VALUES ('balapan', ?, ?, ?, 100, 'lesson', 't', 'plan', ?)",
                       (int(start), int(start + 4e6), int(start + late), status))
        db.commit()
        counts = dict(db.execute("SELECT status, count(*) FROM assets"
                                 " GROUP BY status").fetchall())
        plan_end = db.execute("SELECT max(end_us) FROM plan_versions WHERE state = 'published'"
                              " AND channel_id = 'balapan'").fetchone()[0]
        db.close()

        self.base = self.start_server()
        code, headers, body = self.request("/metrics")
        self.assertEqual(code, 200)
        m = parse_metrics(body.decode())
        ch = frozenset({("channel", "balapan")})
        self.assertEqual(m[("sabaq_asrun_items_24h", ch | {("status", "aired")})], 2)
        self.assertEqual(m[("sabaq_asrun_items_24h", ch | {("status", "slate")})], 1)
        self.assertEqual(m[("sabaq_asrun_items_24h", ch | {("status", "cut")})], 1)
        self.assertEqual(m[("sabaq_asrun_late_items_24h", ch)], 2)
        self.assertEqual(m[("sabaq_assets", frozenset({("status", "approved")}))],
                         counts["approved"])
        ahead = m[("sabaq_plan_published_ahead_seconds", ch)]
        self.assertAlmostEqual(ahead, (plan_end - now_us) / 1e6, delta=30)
        self.assertNotIn(("sabaq_channel_on_air", ch), m, "no playout has run")

        # With playout in the process: on air, segments, bytes.
        self.stop_server()
        self.base = self.start_server("--playout")
        playlist = self.path("hls", "balapan", "index.m3u8")
        deadline = time.monotonic() + 40
        segments = []
        while time.monotonic() < deadline:
            if os.path.exists(playlist):
                with open(playlist) as f:
                    segments = [l for l in f.read().splitlines() if l.endswith(".ts")]
                if len(segments) >= 2:
                    break
            time.sleep(0.5)
        self.assertGreaterEqual(len(segments), 2, "playout wrote HLS segments")
        time.sleep(1.5)  # a status file written after the playlist
        code, _, body = self.request("/metrics")
        m = parse_metrics(body.decode())
        self.assertEqual(m[("sabaq_channel_on_air", ch)], 1)
        written = m[("sabaq_hls_segments_total", ch)]
        with open(playlist) as f:
            text = f.read()
        sequence = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))
        listed = len([l for l in text.splitlines() if l.endswith(".ts")])
        self.assertGreaterEqual(written, sequence + listed)
        self.assertLess(m[("sabaq_hls_last_segment_age_seconds", ch)], 20)
        # HLS is measured by segments (playout counts bytes of UDP and SRT only).
        self.assertNotIn(("sabaq_output_bytes_total", ch | {("type", "hls")}), m)
        self.assertEqual(m[("sabaq_output_ok", ch | {("type", "hls")})], 1)
        self.assertGreaterEqual(m[("sabaq_channel_position_seconds", ch)], 0)
        self.assertIn(("sabaq_channel_lead_seconds", ch), m)

    def test_pages_use_the_station_zone(self):
        self.base = self.start_server()
        code, _, body = self.request("/api/v1/health")
        self.assertEqual(json.loads(body)["timezone"], "Asia/Almaty")
        code, _, body = self.request("/api/v1/channels")
        self.assertEqual([c["timezone"] for c in json.loads(body)], ["Asia/Almaty"])
        # A browser on the other side of the date line from Almaty: its
        # "today" is not the station's, whatever the hour of the test.
        almaty = datetime.timezone(datetime.timedelta(hours=5))
        now = datetime.datetime.now(almaty)
        zone, offset = (("Pacific/Honolulu", -10) if now.hour < 15 else
                        ("Pacific/Kiritimati", 14))
        browser_today = now.astimezone(datetime.timezone(datetime.timedelta(hours=offset)))
        self.assertNotEqual(browser_today.date(), now.date())
        if not (os.path.exists("/usr/bin/chromium") and
                os.path.isdir(os.path.join(ROOT, "node_modules", "playwright-core"))):
            self.fail("Debian's chromium and playwright-core are missing: run scripts/deps.sh")
        os.makedirs(SHOTS, exist_ok=True)
        proc = subprocess.run(["node", os.path.join(ROOT, "tests", "web", "zone.mjs"),
                               self.base, SHOTS, zone], capture_output=True, text=True,
                              timeout=120, cwd=ROOT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertEqual(r["errors"], [])
        self.assertEqual(r["browserToday"], browser_today.date().isoformat())
        self.assertEqual(r["guideDates"][0], now.date().isoformat())
        # Today's guide: the night's break began yesterday and says so; the
        # lessons of today show their Almaty clock.
        today = now.date().isoformat()
        for when, start in zip(r["times"], r["starts"]):
            if start.startswith(today):
                self.assertEqual(when, start[11:16])
            else:
                self.assertEqual(when, f"{start[8:10]}.{start[5:7]} {start[11:16]}")
        self.assertIn("00:10", r["times"])
        # The next airing is said in Almaty time: 00:10 or 12:00.
        self.assertTrue(r["nextAiring"])
        for text in r["nextAiring"]:
            self.assertTrue("00:10" in text or "12:00" in text, text)
        # What plays is said again in the language chosen.
        self.assertTrue(r["playingKk"].startswith("Қайта көру: "), r["playingKk"])
        self.assertTrue(r["playingRu"].startswith("Запись: "), r["playingRu"])

    def test_iptv_catchup(self):
        self.base = self.start_server()
        code, _, body = self.request("/channels.m3u")
        self.assertEqual(code, 200)
        extinf = [l for l in body.decode().splitlines() if l.startswith("#EXTINF")]
        self.assertEqual(len(extinf), 1)
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', extinf[0]))
        self.assertEqual(attrs["catchup"], "default")
        self.assertEqual(attrs["catchup-days"], "7")
        template = attrs["catchup-source"]
        self.assertEqual(template, f"{self.base}/catchup/balapan/index.m3u8?utc={{utc}}")

        almaty = datetime.timezone(datetime.timedelta(hours=5))
        today = datetime.datetime.now(almaty).date()
        yesterday = today - datetime.timedelta(days=1)
        code, _, body = self.request(f"/api/v1/channels/balapan/guide?date={yesterday}")
        lessons = [i for i in json.loads(body)["items"]
                   if i["kind"] in ("lesson", "repeat") and i["start"].startswith(str(yesterday))]
        self.assertEqual([l["start"][11:16] for l in lessons], ["00:10", "12:00"])

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None
        opener = urllib.request.build_opener(NoRedirect)

        def resolve(utc):
            try:
                with opener.open(template.replace("{utc}", str(utc)), timeout=30) as r:
                    return r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.read()

        for lesson in lessons:
            start = lesson["start_us"] // 1_000_000
            for utc in (start - 300, start, start + 5):  # Kodi starts 5 min early
                code, headers, _ = resolve(utc)
                self.assertEqual(code, 302, (lesson["start"], utc))
                self.assertTrue(headers["Location"].endswith(f"/vod/{lesson['asset']}/index.m3u8"),
                                headers["Location"])
        # A player follows the redirect and plays the lesson from its start.
        noon = lessons[1]["start_us"] // 1_000_000
        info = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
             template.replace("{utc}", str(noon - 300))],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertAlmostEqual(float(json.loads(info.stdout)["format"]["duration"]), 11.0,
                               delta=0.2)
        # Mid-break (06:00 yesterday), a lesson not aired yet: 404 in JSON.
        six = int(datetime.datetime.combine(yesterday, datetime.time(6, 0),
                                            almaty).timestamp())
        tomorrow_noon = int(datetime.datetime.combine(today + datetime.timedelta(days=1),
                                                      datetime.time(12, 0), almaty).timestamp())
        for utc in (six, tomorrow_noon):
            code, _, body = resolve(utc)
            self.assertEqual(code, 404, utc)
            self.assertIn("no aired lesson", json.loads(body)["error"])
        for path in ("/catchup/balapan/index.m3u8?utc=abc", "/catchup/balapan/index.m3u8",
                     "/catchup/balapan/other.m3u8?utc=1", "/catchup/balapan/index.m3u8?utc=-5"):
            code, _, body = self.request(path)
            self.assertEqual(code, 400, path)
            self.assertIn("error", json.loads(body))
        code, _, body = self.request(f"/catchup/nothing/index.m3u8?utc={noon}")
        self.assertEqual(code, 404)

    def test_pages_content_security_policy(self):
        self.base = self.start_server()
        for page in ("/", "/plan", "/ops"):
            code, headers, _ = self.request(page)
            self.assertEqual(code, 200)
            csp = headers["Content-Security-Policy"]
            self.assertIn("script-src 'self'", csp)
            self.assertIn("frame-ancestors 'none'", csp)
            self.assertNotIn("unsafe", csp)
            self.assertEqual(headers["X-Frame-Options"], "DENY")
        code, headers, _ = self.request("/api/v1/health")
        self.assertIsNone(headers["Content-Security-Policy"])
        self.sabaq("user", "add", "plan-csp", "--role", "planner", input="correct horse 1\n")
        os.makedirs(SHOTS, exist_ok=True)
        proc = subprocess.run(["node", os.path.join(ROOT, "tests", "web", "csp.mjs"), self.base,
                               SHOTS, "plan-csp", "correct horse 1"], capture_output=True,
                              text=True, timeout=120, cwd=ROOT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertEqual(r["errors"], [])
        self.assertGreater(r["currentTime"], 1.0)
        self.assertEqual(r["violations"]["planner"], [])
        self.assertTrue(r["slotHeights"] and min(r["slotHeights"]) > 0, r["slotHeights"])
        self.assertTrue(all(t.endswith("px") for t in r["slotTops"]), r["slotTops"])
        # The only violation on the student page is the injected handler,
        # and it did not run.
        self.assertFalse(r["injectedRan"])
        self.assertEqual(len(r["violations"]["student"]), 1, r["violations"])
        self.assertTrue(r["violations"]["student"][0].startswith("script-src"),
                        r["violations"])

    def test_login_limits_behind_a_proxy(self):
        self.sabaq("user", "add", "ainur", "--role", "planner", input="correct horse 1\n")

        def login(client, password="wrong password", name="ainur"):
            code, _, body = self.request(
                "/api/v1/login", "POST",
                json.dumps({"name": name, "password": password}).encode(),
                {"Content-Type": "application/json", "X-Real-IP": client})
            return code

        # Trusted: each client behind the proxy has its own count.
        self.base = self.start_server("--trust-proxy")
        self.assertEqual([login("10.0.0.1") for _ in range(5)], [401] * 5)
        self.assertEqual(login("10.0.0.1"), 429)
        self.assertEqual(login("10.0.0.2", "correct horse 1"), 200)
        self.assertEqual(login("not an address", "correct horse 1"), 200)
        db = sqlite3.connect(self.db)
        clients = {r[0] for r in db.execute("SELECT client FROM login_failures")}
        db.close()
        self.assertEqual(clients, {"10.0.0.1"})
        # Not trusted (the default): the header is ignored and every request
        # is the peer's (127.0.0.1): five failures "from 10.0.0.3" throttle
        # "10.0.0.4" too. (Another name: ainur has failures of her own.)
        self.stop_server()
        self.base = self.start_server()
        self.sabaq("user", "add", "bota", "--role", "planner", input="correct horse 1\n")
        self.assertEqual([login("10.0.0.3", name="bota") for _ in range(5)], [401] * 5)
        self.assertEqual(login("10.0.0.4", "correct horse 1", name="bota"), 429)
        db = sqlite3.connect(self.db)
        clients = {r[0] for r in db.execute("SELECT client FROM login_failures")}
        db.close()
        self.assertEqual(clients, {"10.0.0.1", "127.0.0.1"})
    def test_live_hls_from_the_station_outputs(self):
        # One channel writes beside the catalog under its own URL path, one
        # into an absolute folder elsewhere (only /hls/<id>/ reaches it).
        elsewhere = tempfile.mkdtemp(prefix="sabaq-it-hls-")
        self.addCleanup(shutil.rmtree, elsewhere, True)
        station = STATION.replace('<output type="hls" path="hls/balapan"/>',
                                  '<output type="hls" path="live/balapan"/>').replace(
            "</station>",
            '<channel id="el-arna" language="ru" service-id="102">'
            '<name lang="ru">Ел Арна</name>'
            f'<output type="hls" path="{elsewhere}/el-arna"/><filler pool="ident"/></channel>'
            '<grid channel="el-arna" days="mon tue wed thu fri sat sun">'
            '<slot start="00:10" length="0:00:20" grade="5" subject="math"/></grid></station>')
        self.import_station(station)
        for folder, text in ((self.path("live", "balapan"), "#EXTM3U\n#balapan\n"),
                             (os.path.join(elsewhere, "el-arna"), "#EXTM3U\n#el-arna\n")):
            os.makedirs(folder)
            with open(os.path.join(folder, "index.m3u8"), "w") as f:
                f.write(text)
            with open(os.path.join(folder, "seg00001.ts"), "wb") as f:
                f.write(b"\x47" + bytes(187))
        os.symlink(self.db, os.path.join(elsewhere, "el-arna", "db.ts"))
        self.base = self.start_server()
        code, _, body = self.request("/api/v1/channels")
        urls = {c["id"]: c["hls"] for c in json.loads(body)}
        self.assertEqual(urls, {"balapan": "/live/balapan/index.m3u8",
                                "el-arna": "/hls/el-arna/index.m3u8"})
        for channel, url in urls.items():
            code, headers, body = self.request(url)
            self.assertEqual(code, 200, url)
            self.assertEqual(body.decode(), f"#EXTM3U\n#{channel}\n")
            self.assertEqual(headers["Content-Type"], "application/vnd.apple.mpegurl")
            code, headers, body = self.request(url.replace("index.m3u8", "seg00001.ts"))
            self.assertEqual((code, headers["Content-Type"], len(body)), (200, "video/mp2t", 188))
        # Every channel is at /hls/<id>/ too; the M3U's stream URLs all answer.
        self.assertEqual(self.request("/hls/balapan/index.m3u8")[0], 200)
        code, _, body = self.request("/channels.m3u")
        streams = [l for l in body.decode().splitlines() if l.startswith("http")]
        self.assertEqual(len(streams), 2)
        for url in streams:
            with urllib.request.urlopen(url, timeout=30) as r:
                self.assertEqual(r.status, 200)
        # Nothing outside the folders.
        for line in ("GET /live/balapan/../../sabaq.db HTTP/1.1",
                     "GET /live/balapan/%2e%2e/%2e%2e/sabaq.db HTTP/1.1",
                     "GET /hls/el-arna/db.ts HTTP/1.1", "GET /hls/el-arna/..%2fel-arna HTTP/1.1",
                     "GET /live/other/index.m3u8 HTTP/1.1"):
            code, out = self.raw(f"{line}\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            self.assertIn(code, (400, 404), line)
            self.assertNotIn(b"SQLite format", out)

    def test_station_with_relative_paths(self):
        # As scripts/demo.sh runs it: --db and --library relative to the
        # working folder. The live playlist must list segments that exist
        # and that the server serves.
        sabaq = self.command()[0]
        proc = subprocess.Popen([sabaq, "--db", "sabaq.db", "--library", "library", "serve",
                                 "--playout", "--port", "0"], cwd=self.dir,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def stop():
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.addCleanup(stop)
        m = re.match(r"serving on (http://127\.0\.0\.1:\d+)/", proc.stdout.readline())
        self.assertTrue(m, "sabaq serve started")
        self.base = m.group(1)
        playlist = self.path("hls", "balapan", "index.m3u8")
        deadline = time.monotonic() + 40
        listed = []
        while time.monotonic() < deadline and len(listed) < 2:
            if os.path.exists(playlist):
                with open(playlist) as f:
                    listed = [l for l in f.read().splitlines() if l.endswith(".ts")]
            time.sleep(0.5)
        self.assertGreaterEqual(len(listed), 2, "playout listed segments")
        for name in listed:
            self.assertFalse("/" in name, name)
            self.assertTrue(os.path.exists(self.path("hls", "balapan", name)), name)
        code, _, body = self.request("/hls/balapan/" + listed[-1])
        self.assertEqual((code, body[:1]), (200, b"\x47"))


if __name__ == "__main__":
    main()
