"""Interrupting an ingest (SIGINT, SIGTERM, kill -9) never leaves a half
asset in the catalog, nor a file the next run does not clean up."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from sabaq_test import SabaqTestCase, ffmpeg_generate, library_files, main

_sources = tempfile.mkdtemp(prefix="sabaq-it-interrupt-src-")
LONG = os.path.join(_sources, "long-lesson.mp4")
SMALL = os.path.join(_sources, "small.mp4")


def setUpModule():
    unittest.addModuleCleanup(shutil.rmtree, _sources, True)
    # 60 s at 640x360: a few seconds of work even for the test profile.
    ffmpeg_generate(LONG, video="testsrc2=s=640x360:r=25", audio="sine=f=440", duration=60,
                    args=["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"])
    ffmpeg_generate(SMALL, video="testsrc2=s=160x120:r=25", audio="sine=f=550", duration=10.5,
                    args=["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"])



class Interrupt(SabaqTestCase):
    def start_and_wait_for_progress(self):
        """Starts ingesting the long source; returns the process once it
        reports encoding progress (so the signal lands mid-encode)."""
        proc = subprocess.Popen(self.command("ingest", "--profile", "test", "--json",
                                             "--subject", "math", "--grade", "5", "--number", "1",
                                             "--language", "kk", LONG),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.reap, proc)
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "progress" and event["percent"] > 0:
                self.assertLess(event["percent"], 60, "still early in the encode")
                return proc
        proc.wait()
        self.fail(f"no progress before the end: {proc.stderr.read()}")

    @staticmethod
    def reap(proc):
        """Never leaves an ingest running after a failed test."""
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    def temporaries(self):
        return [f for f in library_files(self.library) if f.startswith(".tmp" + os.sep)]

    def assertStopsCleanly(self, sig, status):
        before = self.snapshot()
        proc = self.start_and_wait_for_progress()
        # The temporary file is there while the encode runs.
        self.assertEqual(len(self.temporaries()), 1, library_files(self.library))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, status, err)
        self.assertNotIn('"event":"ingested"', out)
        self.assertIn("interrupted", err)
        self.assertEqual(self.temporaries(), [])
        self.assertUnchanged(before, f"by an ingest stopped with signal {sig}")

    def test_sigint(self):
        self.assertStopsCleanly(signal.SIGINT, 130)

    def test_sigterm(self):
        self.assertStopsCleanly(signal.SIGTERM, 143)

    def test_kill_9_leftovers_are_swept_by_the_next_run(self):
        before = self.snapshot()
        proc = self.start_and_wait_for_progress()
        proc.kill()
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        # The dead process's temporary file stays behind, and nothing else.
        leftovers = self.temporaries()
        self.assertEqual(len(leftovers), 1)
        self.assertTrue(leftovers[0].endswith(".partial"), leftovers)
        self.assertEqual(before["catalog"], self.snapshot()["catalog"], "no half asset")
        # A crash between the rename and the catalog commit leaves an
        # asset file no row names: make one.
        orphan = os.path.join(self.library, "assets", "ff", "f" * 64 + ".mp4")
        os.makedirs(os.path.dirname(orphan), exist_ok=True)
        shutil.copy(SMALL, orphan)

        proc = self.sabaq("ingest", "--profile", "test", "--subject", "math", "--grade", "5",
                          "--number", "2", "--language", "kk", SMALL)
        self.assertRegex(proc.stdout, r"^small\.mp4: ingested as asset \d+")
        self.assertEqual(self.temporaries(), [])
        self.assertFalse(os.path.exists(orphan))
        assets = self.lesson_assets()
        self.assertEqual([a["source"] for a in assets], ["small.mp4"])
        self.assertEqual(set(library_files(self.library)) - set(before["library"]),
                         {assets[0]["path"]})

        # The interrupted source goes in on the next try.
        self.ingest(LONG)
        self.assertEqual(sorted(a["source"] for a in self.lesson_assets()),
                         ["long-lesson.mp4", "small.mp4"])


if __name__ == "__main__":
    main()
