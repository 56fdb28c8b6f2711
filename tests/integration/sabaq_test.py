"""Shared helpers for sabaq's integration tests.

Each test module is a unittest file run by meson with the environment
variable SABAQ_BIN pointing at the built binary. Tests work in a fresh
temporary folder, generate their media with FFmpeg's lavfi sources (small
frame sizes, a few seconds), run the real `sabaq` binary, and check what it
wrote with independent tools (ffprobe, ffmpeg's ebur128 and trace_headers,
xmllint, Python's sqlite3), never with sabaq alone.

Every catalog gets the house slate and filler the first time ingest runs
(a few seconds of encoding); a test starts from a copy of one such catalog,
made once per test process, so that it pays that only once.
"""
import atexit
import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import unittest

SABAQ = os.environ.get("SABAQ_BIN",
                       os.path.join(os.path.dirname(__file__), "../../build/cli/sabaq"))

# The `test` profile's house frame and the house rates.
HOUSE_WIDTH, HOUSE_HEIGHT = 320, 180
HOUSE_FPS = 25
FRAME_S = 1 / HOUSE_FPS
GOP_FRAMES = 50
AAC_FRAME_S = 1024 / 48000
TEST_PROFILE_MAXRATE_KBPS = 400

LESSON = ("--subject", "math", "--grade", "5", "--number", "1", "--language", "kk")

_seed_dir = None


def seeded_catalog():
    """The folder of a catalog (sabaq.db) and library that already hold the
    house assets of the test profile, made on first use in this process."""
    global _seed_dir
    if _seed_dir is None:
        d = tempfile.mkdtemp(prefix="sabaq-it-seed-")
        atexit.register(shutil.rmtree, d, True)
        # Any ingest creates the house assets first; this one then fails on
        # the missing file, which is all we need.
        proc = subprocess.run([SABAQ, "--db", os.path.join(d, "sabaq.db"), "--library",
                               os.path.join(d, "library"), "ingest", "--profile", "test",
                               *LESSON, os.path.join(d, "nothing.mp4")],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 1 or "nothing.mp4" not in proc.stderr:
            raise RuntimeError(f"seeding a catalog failed ({proc.returncode}): {proc.stderr}")
        _seed_dir = d
    return _seed_dir


class SabaqTestCase(unittest.TestCase):
    """A test with its own folder, catalog and library (the catalog starts
    with the house assets of the test profile unless seeded is False)."""

    seeded = True

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sabaq-it-")
        self.db = os.path.join(self.dir, "sabaq.db")
        self.library = os.path.join(self.dir, "library")
        if self.seeded:
            copy_catalog(seeded_catalog(), self.dir)

    def tearDown(self):
        if os.environ.get("SABAQ_KEEP_TEST_DIRS"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def command(self, *args):
        return [SABAQ, "--db", self.db, "--library", self.library, *args]

    def sabaq(self, *args, check=True, timeout=600, env=None, **kwargs):
        """Runs sabaq with this test's catalog and library; returns the
        CompletedProcess (text mode)."""
        cmd = self.command(*args)
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=full_env, **kwargs)
        if check and proc.returncode != 0:
            self.fail(f"{' '.join(cmd)} exited {proc.returncode}\n"
                      f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def sabaq_json(self, *args, **kwargs):
        return json.loads(self.sabaq(*args, **kwargs).stdout)

    def ingest(self, *files, meta=LESSON, check=True, extra=()):
        """sabaq ingest --profile test with lesson metadata."""
        return self.sabaq("ingest", "--profile", "test", *meta, *extra, *files, check=check)

    def ingest_lessons(self, lessons, subject="math", grade=5, ident_s=3):
        """Generates, ingests (test profile) and approves math lessons, given
        as (number, language, title, seconds), and a blue ident filler
        tagged 'ident'. Every source differs (ingest knows a file by its
        content)."""
        src = self.path("src")
        os.makedirs(src, exist_ok=True)
        encode = ("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac")
        for number, lang, title, seconds in lessons:
            tone = 200 + number * 100 + (lang == "ru") * 50
            f = ffmpeg_generate(os.path.join(src, f"{subject}-{grade}-{number}-{lang}.mp4"),
                                video=f"testsrc2=s=160x90:r=25:d={seconds}",
                                audio=f"sine=f={tone}:d={seconds}", args=encode)
            self.ingest(f, meta=("--subject", subject, "--grade", str(grade), "--number",
                                 str(number), "--language", lang, "--title", title))
        if ident_s:
            ident = ffmpeg_generate(os.path.join(src, "ident.mp4"),
                                    video=f"color=c=blue:s=160x90:r=25:d={ident_s}",
                                    audio=f"sine=f=1000:d={ident_s}", args=encode)
            self.sabaq("ingest", "--profile", "test", "--filler", "ident", ident)
        ready = [str(a["id"]) for a in self.assets() if a["status"] != "approved"]
        if ready:
            self.sabaq("approve", *ready)

    def import_station(self, text):
        with open(self.path("station.xml"), "w", encoding="utf-8") as f:
            f.write(text)
        self.sabaq("import", self.path("station.xml"))

    def start_server(self, *args):
        """Starts `sabaq serve` on 127.0.0.1 and a free port; stopped at the
        end of the test. Returns the base URL."""
        proc = subprocess.Popen(self.command("serve", "--port", "0", *args),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def stop():
            if proc.returncode is not None:
                return
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.addCleanup(stop)
        self.stop_server = stop
        line = proc.stdout.readline()
        m = re.match(r"serving on (http://127\.0\.0\.1:\d+)/", line)
        if not m:
            self.fail(f"sabaq serve did not start: {line!r} {proc.stderr.read()}")
        return m.group(1)

    def assets(self):
        return self.sabaq_json("assets", "--json")

    def lesson_assets(self):
        """The assets that came from sources (not the generated house ones)."""
        return [a for a in self.assets() if a["kind"] not in ("slate",)
                and not (a["source"] or "").startswith("sabaq-generated:")]

    def asset_for(self, source_name):
        found = [a for a in self.assets() if a["source"] == source_name]
        self.assertEqual(len(found), 1, f"one asset from {source_name}: {found}")
        return found[0]

    def asset_file(self, asset):
        """The asset's file, resolved as `sabaq assets --json` documents it
        (absolute, or relative to the library)."""
        p = asset["path"]
        return p if os.path.isabs(p) else os.path.join(self.library, p)

    def snapshot(self):
        """Everything a refusal must leave alone: every catalog row and the
        library's files (name and size)."""
        return {"catalog": catalog_rows(self.db), "library": library_files(self.library)}

    def assertUnchanged(self, before, what=""):
        after = self.snapshot()
        self.assertEqual(before["catalog"], after["catalog"], f"catalog changed {what}")
        self.assertEqual(before["library"], after["library"], f"library changed {what}")

    def assertOneLineRefusal(self, stderr, name, reason_pattern):
        """Exactly one line on stderr names the file and matches the reason."""
        lines = [line for line in stderr.splitlines() if name in line]
        self.assertEqual(len(lines), 1, f"one line naming {name} in:\n{stderr}")
        self.assertRegex(lines[0], reason_pattern)
        return lines[0]

    # ---- the house format, checked with ffprobe and ffmpeg only ----------

    def assertHouseFormat(self, out, source_duration_s, pillarbox=False):
        """Checks every property of the house format on out (the `test`
        profile) and returns the facts measured."""
        streams = ffprobe(out)["streams"]
        video = [s for s in streams if s["codec_type"] == "video"]
        audio = [s for s in streams if s["codec_type"] == "audio"]
        self.assertEqual((len(video), len(audio)), (1, 1), f"{out}: one video, one audio stream")
        v, a = video[0], audio[0]
        self.assertEqual(v["codec_name"], "h264")
        self.assertEqual(v["profile"], "High")
        self.assertEqual((v["width"], v["height"]), (HOUSE_WIDTH, HOUSE_HEIGHT))
        self.assertEqual(v.get("sample_aspect_ratio", "1:1"), "1:1")
        self.assertEqual(v["r_frame_rate"], "25/1")
        self.assertEqual(v["avg_frame_rate"], "25/1")
        self.assertEqual(v["pix_fmt"], "yuv420p")
        self.assertIn(v.get("field_order", "unknown"), ("progressive", "unknown"))
        self.assertEqual(v["has_b_frames"], 0)
        self.assertEqual(a["codec_name"], "aac")
        self.assertEqual(a["profile"], "LC")
        self.assertEqual(int(a["sample_rate"]), 48000)
        self.assertEqual(a["channels"], 2)

        frames = video_frames(out)
        n = len(frames)
        self.assertGreater(n, 0)
        self.assertEqual([f["interlaced_frame"] for f in frames], [0] * n, "progressive frames")
        self.assertNotIn("B", {f["pict_type"] for f in frames}, "no B-frames")
        keys = [i for i, f in enumerate(frames) if f["key_frame"] == 1]
        self.assertEqual(keys, list(range(0, n, GOP_FRAMES)), "keyframes exactly every 50 frames")
        self.assertEqual([i for i, f in enumerate(frames) if f["pict_type"] == "I"], keys,
                         "I pictures only at the GOP starts")
        # Every GOP starts with an IDR (closed), and there is no other IDR.
        idr = idr_packets(out)
        self.assertEqual(len(idr), n)
        self.assertEqual([i for i, is_idr in enumerate(idr) if is_idr], keys, "IDR at each GOP")
        # Constant 25 fps timestamps.
        pts = [float(f["pts_time"]) for f in frames]
        self.assertAlmostEqual(pts[0], 0.0, delta=0.001)
        for i in range(1, n):
            self.assertAlmostEqual(pts[i] - pts[i - 1], FRAME_S, delta=0.001, msg=f"frame {i}")

        video_s = n * FRAME_S
        self.assertAlmostEqual(float(v["duration"]), video_s, delta=0.001)
        self.assertLessEqual(abs(video_s - source_duration_s), FRAME_S + 1e-6,
                             f"video {video_s:.3f} s, source {source_duration_s:.3f} s")
        self.assertLessEqual(abs(float(a["duration"]) - video_s), AAC_FRAME_S + 1e-6,
                             f"audio {a['duration']} s, video {video_s:.3f} s")

        # VBV (maxrate = bufsize = 400 kbit/s in the test profile): the
        # decoder's buffer, filled at maxrate from 90% (x264's initial
        # fullness), never runs dry.
        sizes = video_packet_sizes(out)
        self.assertEqual(len(sizes), n)
        self.assertGreaterEqual(vbv_lowest_fill(sizes, TEST_PROFILE_MAXRATE_KBPS * 1000,
                                                TEST_PROFILE_MAXRATE_KBPS * 1000), 0.0,
                                "VBV underflow")
        windows = range(max(1, n - HOUSE_FPS + 1))
        peak_kbps = max(sum(sizes[i:i + HOUSE_FPS]) for i in windows) * 8 / 1000

        loudness, true_peak = ebur128(out)
        self.assertAlmostEqual(loudness, -23.0, delta=0.5, msg=f"{out}: loudness")
        self.assertLessEqual(true_peak, -1.0, f"{out}: true peak")

        rows = gray_frame(out, 1.0)

        def pixels(x0, x1):
            return [row[x] for row in rows for x in range(x0, x1)]

        if pillarbox:
            # 4:3 in 16:9: 240 columns of picture between 40 of black each
            # side (a few columns of scaler ringing allowed at the edge).
            self.assertLessEqual(max(pixels(0, 37)), 20, "left bar black")
            self.assertLessEqual(max(pixels(HOUSE_WIDTH - 37, HOUSE_WIDTH)), 20, "right bar black")
            self.assertGreater(statistics.mean(pixels(45, HOUSE_WIDTH - 45)), 40, "picture inside")
            self.assertGreater(max(pixels(42, 60)), 60, "picture reaches the left bar")
            self.assertGreater(max(pixels(HOUSE_WIDTH - 60, HOUSE_WIDTH - 42)), 60,
                               "picture reaches the right bar")
        else:
            self.assertGreater(max(pixels(0, 8)), 60, "no bar on the left")
            self.assertGreater(max(pixels(HOUSE_WIDTH - 8, HOUSE_WIDTH)), 60, "no bar on the right")
        return {"frames": n, "loudness": loudness, "true_peak": true_peak, "peak_kbps": peak_kbps}


def copy_catalog(src_dir, dest_dir):
    """Copies a catalog (sabaq.db*) and its library/ into dest_dir."""
    for name in os.listdir(src_dir):
        src = os.path.join(src_dir, name)
        if name.startswith("sabaq.db"):
            shutil.copy2(src, os.path.join(dest_dir, name))
        elif name == "library":
            shutil.copytree(src, os.path.join(dest_dir, name))


def catalog_rows(db):
    """Every row of every table, read with Python's own sqlite3."""
    if not os.path.exists(db):
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        con.close()


def catalog_count(db, table, where="1"):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
    finally:
        con.close()


def library_files(library):
    """Relative path -> size of every file under the library."""
    files = {}
    for root, _, names in os.walk(library):
        for name in names:
            p = os.path.join(root, name)
            files[os.path.relpath(p, library)] = os.path.getsize(p)
    return files


def vbv_lowest_fill(sizes, maxrate_bps, bufsize_bits, initial=0.9, fps=HOUSE_FPS):
    """Simulates the H.264 decoder buffer (Annex C, VBR: it stops filling
    when full) over packet sizes in bytes; returns the lowest fill in bits
    seen just after a picture is removed (negative: underflow)."""
    fill = initial * bufsize_bits
    lowest = fill
    for size in sizes:
        fill -= size * 8
        lowest = min(lowest, fill)
        fill = min(bufsize_bits, fill + maxrate_bps / fps)
    return lowest


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ffmpeg_generate(out, video=None, audio=None, duration=None, args=(), inputs=()):
    """Generates a test file from lavfi sources. video/audio are lavfi
    graph descriptions (e.g. "testsrc2=s=320x240:r=25:d=12")."""
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y"]
    if video:
        cmd += ["-f", "lavfi", "-i", video]
    if audio:
        cmd += ["-f", "lavfi", "-i", audio]
    cmd += list(inputs)
    if duration:
        cmd += ["-t", str(duration)]
    cmd += list(args) + [out]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def ffprobe(path, *args):
    """ffprobe's JSON for path (format and streams unless args say otherwise)."""
    cmd = ["ffprobe", "-v", "error", "-of", "json",
           *(args or ("-show_format", "-show_streams")), path]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def video_frames(path):
    """The decoded video frames of path, in presentation order."""
    frames = ffprobe(path, "-select_streams", "v:0", "-show_entries",
                     "frame=key_frame,pict_type,interlaced_frame,top_field_first,pts_time,"
                     "pkt_duration_time",
                     "-show_frames")["frames"]
    return sorted(frames, key=lambda f: float(f["pts_time"]))


def video_packet_sizes(path):
    packets = ffprobe(path, "-select_streams", "v:0", "-show_entries", "packet=size,pts",
                      "-show_packets")["packets"]
    return [int(p["size"]) for p in sorted(packets, key=lambda p: int(p["pts"]))]


def idr_packets(path):
    """For each H.264 packet of path, in decode order: does it hold an IDR
    slice (NAL unit type 5)? Read by FFmpeg's trace_headers bitstream
    filter, independently of the container's key flags."""
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "debug", "-i", path,
                           "-map", "0:v:0", "-c", "copy", "-bsf:v", "trace_headers",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    result = []
    for line in proc.stderr.splitlines():
        if "trace_headers" not in line:
            continue
        if "] Packet:" in line:
            result.append(False)
        else:
            m = re.search(r"nal_unit_type: (\d+)\(", line)
            if m and int(m.group(1)) == 5 and result:
                result[-1] = True
    return result


def source_video_duration(path):
    """How long the pictures of path last, from its decoded frames: last
    timestamp minus first plus one frame."""
    frames = ffprobe(path, "-select_streams", "v:0", "-show_entries",
                     "frame=pts_time,best_effort_timestamp_time,pkt_duration_time",
                     "-show_frames")["frames"]
    times = sorted(float(f.get("pts_time", f.get("best_effort_timestamp_time")))
                   for f in frames)
    deltas = [b - a for a, b in zip(times, times[1:])]
    last = frames[-1].get("pkt_duration_time")
    step = float(last) if last not in (None, "N/A") else statistics.median(deltas)
    return times[-1] - times[0] + step


def ebur128(path):
    """Integrated loudness (LUFS) and true peak (dBTP) of path's audio,
    measured by FFmpeg's ebur128 filter as an independent meter."""
    proc = subprocess.run(["ffmpeg", "-nostats", "-nostdin", "-i", path, "-map", "0:a:0",
                           "-af", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def gray_frame(path, at_s, width=HOUSE_WIDTH, height=HOUSE_HEIGHT):
    """The luma plane of the frame at at_s, as rows of bytes."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", str(at_s), "-i", path,
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    assert len(raw) == width * height, f"{len(raw)} bytes of luma"
    return [raw[y * width:(y + 1) * width] for y in range(height)]


def comb_energy(path, width, height, skip=10, count=40):
    """How much the pictures of path look like two woven fields: per pixel,
    the product of the differences of a line to the lines above and below
    where both have the same sign (a line that stands out from both
    neighbours), averaged over count frames after skip."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v",
                          str(skip + count), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    size = width * height
    total = 0
    frames = 0
    for k in range(skip, len(raw) // size):
        frame = raw[k * size:(k + 1) * size]
        rows = [frame[y * width:(y + 1) * width] for y in range(height)]
        for y in range(1, height - 1):
            above, line, below = rows[y - 1], rows[y], rows[y + 1]
            for x in range(0, width, 2):
                d = (line[x] - above[x]) * (line[x] - below[x])
                if d > 0:
                    total += d
        frames += 1
    return total / (frames * size)


def main():
    unittest.main(verbosity=2)
