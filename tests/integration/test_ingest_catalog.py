"""What ingest leaves in the catalog: `sabaq assets --json`, identity by
SHA-256 (one asset per source, metadata updates), output on a pipe and
on a terminal, approval and withdrawal, and the help texts."""
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import unittest

from sabaq_test import (SabaqTestCase, catalog_count, ffmpeg_generate, ffprobe, library_files,
                        main, sha256)

KEYS = {"id", "subject", "grade", "number", "language", "title", "duration_frames",
        "loudness_in", "loudness_out", "true_peak", "status", "path", "findings"}
LESSON_KK = ("--subject", "kazakh-lang", "--grade", "3", "--number", "14", "--language", "kk")

_sources = tempfile.mkdtemp(prefix="sabaq-it-catalog-src-")


def setUpModule():
    unittest.addModuleCleanup(shutil.rmtree, _sources, True)
    ffmpeg_generate(os.path.join(_sources, "lesson.mp4"),
                    video="testsrc2=s=320x240:r=25", audio="sine=f=500:sample_rate=48000",
                    duration=10.5, args=["-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"])
    # A 30 s source so that there are several progress lines.
    ffmpeg_generate(os.path.join(_sources, "longer.mp4"),
                    video="testsrc2=s=640x360:r=25", audio="sine=f=500:sample_rate=48000",
                    duration=30, args=["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"])



class Catalog(SabaqTestCase):
    def source(self, name="lesson.mp4", as_name=None):
        dest = self.path(as_name or name)
        shutil.copy(os.path.join(_sources, name), dest)
        return dest

    def test_assets_json_has_the_documented_keys(self):
        src = self.source()
        digest = sha256(src)
        self.ingest(src, meta=LESSON_KK, extra=("--title", "Әліпби: Ә әрпі",
                                                "--description", "Дыбыстар мен әріптер"))
        self.assertEqual(sha256(src), digest, "the source is untouched")
        assets = self.assets()
        self.assertIsInstance(assets, list)
        for a in assets:
            self.assertLessEqual(KEYS, set(a), f"keys of {a}")
        lesson = self.asset_for("lesson.mp4")
        self.assertEqual((lesson["subject"], lesson["grade"], lesson["number"],
                          lesson["language"], lesson["title"]),
                         ("kazakh-lang", 3, 14, "kk", "Әліпби: Ә әрпі"))
        self.assertEqual(lesson["status"], "ready")
        self.assertEqual(lesson["duration_frames"], 263)  # 10.5 s at 25 fps
        self.assertIsInstance(lesson["findings"], list)
        for key in ("loudness_in", "loudness_out", "true_peak"):
            self.assertIsInstance(lesson[key], float)
        self.assertAlmostEqual(lesson["loudness_out"], -23.0, delta=0.5)
        # path is relative to the library (or absolute) and names the file.
        out = self.asset_file(lesson)
        self.assertTrue(os.path.isfile(out), out)
        self.assertTrue(os.path.realpath(out).startswith(os.path.realpath(self.library) + os.sep))
        self.assertEqual(ffprobe(out)["format"]["format_name"], "mov,mp4,m4a,3gp,3g2,mj2")
        # Nothing is left in the library's temporary folder.
        self.assertEqual([f for f in library_files(self.library) if f.startswith(".tmp")], [])
        # The description is kept with the lesson, in its language.
        self.assertEqual(catalog_count(self.db, "lessons",
                                       "subject = 'kazakh-lang' AND grade = 3 AND number = 14"
                                       " AND description_kk = 'Дыбыстар мен әріптер'"), 1)
        # The table for people shows the same asset.
        table = self.sabaq("assets").stdout
        self.assertRegex(table, r"(?m)^\s+%d\s+ready\s+kazakh-lang\s+3\s+14\s+kk\s+00:00:10\.13"
                         % lesson["id"])
        self.assertIn("Әліпби: Ә әрпі", table)

    def test_same_file_twice_is_one_asset_and_new_metadata_updates_it(self):
        src = self.source()
        first = self.ingest(src, meta=LESSON_KK, extra=("--title", "Бірінші"))
        self.assertRegex(first.stdout, r"^lesson\.mp4: ingested as asset \d+, ")
        before = self.snapshot()
        asset = self.asset_for("lesson.mp4")

        again = self.ingest(src, meta=LESSON_KK, extra=("--title", "Бірінші"))
        self.assertRegex(again.stdout, r"^lesson\.mp4: unchanged as asset %d, " % asset["id"])
        self.assertUnchanged(before, "by ingesting the same file again")

        # The same bytes under another name are the same asset.
        copy = self.source(as_name="copy-of-lesson.mov")
        same = self.ingest(copy, meta=LESSON_KK)
        self.assertRegex(same.stdout, r"^copy-of-lesson\.mov: unchanged as asset %d, "
                         % asset["id"])
        self.assertUnchanged(before, "by ingesting a copy")

        updated = self.ingest(src, meta=LESSON_KK, extra=("--title", "Екінші"))
        self.assertRegex(updated.stdout, r"^lesson\.mp4: updated as asset %d, " % asset["id"])
        after = self.asset_for("lesson.mp4")
        self.assertEqual(after["title"], "Екінші")
        self.assertEqual(after["path"], asset["path"])
        lessons = [a for a in self.assets() if a["kind"] == "lesson"]
        self.assertEqual(len(lessons), 1)
        # Still one file: the update wrote no media.
        self.assertEqual(library_files(self.library), before["library"])
        self.assertEqual(catalog_count(self.db, "asset_events",
                                       f"asset_id = {asset['id']} AND action = 'updated'"), 1)

    def test_json_lines_on_a_pipe(self):
        src = self.source("longer.mp4")
        proc = self.ingest(src, extra=("--json",))
        events = [json.loads(line) for line in proc.stdout.splitlines()]
        progress = [e for e in events if e["event"] == "progress"]
        self.assertGreaterEqual(len(progress), 2, proc.stdout)
        percents = [e["percent"] for e in progress]
        self.assertEqual(percents, sorted(percents))
        self.assertTrue(all(0 <= p <= 100 for p in percents))
        self.assertEqual(percents[-1], 100)
        for e in progress:
            self.assertEqual(e["source"], src)
            self.assertGreaterEqual(e["speed"], 0)
            self.assertIsInstance(e["eta_seconds"], int)
        self.assertGreater(progress[-1]["speed"], 1, "faster than real time at 320x180")
        self.assertEqual(progress[-1]["eta_seconds"], 0)
        self.assertEqual(events[-1]["event"], "ingested")
        self.assertEqual(events[-1]["asset"], self.asset_for("longer.mp4")["id"])
        self.assertEqual(events[-1]["duration_frames"], 750)
        self.assertEqual([e["event"] for e in events[:-1]], ["progress"] * (len(events) - 1))
        self.assertNotIn("\r", proc.stderr)

    def test_nothing_but_the_result_on_a_pipe(self):
        src = self.source("longer.mp4")
        proc = self.ingest(src)
        self.assertRegex(proc.stdout, r"\Alonger\.mp4: ingested as asset \d+, 00:00:30\.00, "
                         r"-?\d+\.\d -> -2[23]\.\d LUFS, true peak -\d+\.\d dBTP, 0 findings\n\Z")
        self.assertNotIn("\r", proc.stderr)
        self.assertNotIn("%", proc.stderr)
        self.assertNotIn("ETA", proc.stderr)

    def test_progress_line_on_a_terminal(self):
        src = self.source("longer.mp4")
        controller, terminal = pty.openpty()
        try:
            proc = subprocess.run(self.command("ingest", "--profile", "test", *LESSON_KK, src),
                                  stdout=subprocess.PIPE, stderr=terminal, timeout=300)
            os.close(terminal)
            terminal = -1
            shown = b""
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: the terminal's other end is closed
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            os.close(controller)
            if terminal >= 0:
                os.close(terminal)
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout.decode(), r"\Alonger\.mp4: ingested as asset \d+")
        lines = re.findall(rb"\r\x1b\[Klonger\.mp4 +(\d+\.\d)% +(\d+\.\d)x real time +ETA (\S+)",
                           shown)
        self.assertGreaterEqual(len(lines), 2, shown)
        self.assertEqual(float(lines[-1][0]), 100.0)
        self.assertGreater(float(lines[-1][1]), 1.0)
        # The line is cleared before the result.
        self.assertTrue(shown.rstrip(b"\n").endswith(b"\r\x1b[K"), shown[-40:])

    def test_refusal_as_json(self):
        notes = self.path("notes.mp4")
        with open(notes, "w") as f:
            f.write("not a video\n")
        proc = self.ingest(notes, check=False, extra=("--json",))
        self.assertEqual(proc.returncode, 1)
        events = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(events, [{"event": "refused", "source": notes,
                                   "reason": "notes.mp4: not a media file"}])

    def test_approve_and_withdraw(self):
        src = self.source()
        self.ingest(src)
        asset_id = self.asset_for("lesson.mp4")["id"]
        self.assertEqual(self.sabaq("approve", str(asset_id)).stdout,
                         f"asset {asset_id}: approved\n")
        self.assertEqual(self.asset_for("lesson.mp4")["status"], "approved")
        self.assertRegex(self.sabaq("assets").stdout, r"(?m)^\s+%d\s+approved\s" % asset_id)

        before = self.snapshot()
        proc = self.sabaq("withdraw", str(asset_id), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr, "sabaq withdraw: --reason is required\n")
        proc = self.sabaq("withdraw", str(asset_id), "--reason", "   ", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("reason", proc.stderr)
        self.assertUnchanged(before, "by a withdrawal without a reason")

        self.sabaq("withdraw", str(asset_id), "--reason", "wrong grade on the title card")
        a = self.asset_for("lesson.mp4")
        self.assertEqual((a["status"], a["status_reason"]),
                         ("withdrawn", "wrong grade on the title card"))
        self.assertRegex(self.sabaq("assets").stdout, r"(?m)^\s+%d\s+withdrawn\s" % asset_id)
        self.sabaq("approve", str(asset_id))
        self.assertEqual(self.asset_for("lesson.mp4")["status"], "approved")
        self.assertEqual(catalog_count(self.db, "asset_events", f"asset_id = {asset_id}"
                                       " AND action IN ('approved', 'withdrawn')"), 3)

        before = self.snapshot()
        for verb, extra in (("approve", ()), ("withdraw", ("--reason", "x"))):
            proc = self.sabaq(verb, "9999", *extra, check=False)
            self.assertEqual(proc.returncode, 1)
            self.assertEqual(proc.stderr, "sabaq: no asset 9999\n")
            proc = self.sabaq(verb, "abc", *extra, check=False)
            self.assertEqual(proc.returncode, 1)
            self.assertEqual(proc.stderr, f"sabaq {verb}: 'abc' is not an asset id\n")
        self.assertUnchanged(before, "by approving or withdrawing unknown ids")

    def test_help(self):
        usage = self.sabaq("--help").stdout
        for verb in ("ingest", "assets", "approve", "withdraw"):
            self.assertRegex(usage, rf"(?m)^  {verb}\s")
        ingest_help = self.sabaq("ingest", "--help").stdout
        for option in ("--subject", "--grade", "--number", "--language", "--title", "--manifest",
                       "--watch", "--settle", "--profile", "--json", "--db", "--library"):
            self.assertIn(option, ingest_help)
        proc = self.sabaq("ingest", "--profile", "nope", self.path("x.mp4"), check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("unknown profile 'nope'", proc.stderr)


if __name__ == "__main__":
    main()
