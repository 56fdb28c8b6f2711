"""Shared helpers for sabaq's integration tests.

Each test module is a unittest file run by meson with the environment
variable SABAQ_BIN pointing at the built binary. Tests work in a fresh
temporary folder, generate their media with FFmpeg's lavfi sources (small
frame sizes, a few seconds), run the real `sabaq` binary, and check what it
wrote with independent tools (ffprobe, ffmpeg's ebur128, xmllint, sqlite3).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

SABAQ = os.environ.get("SABAQ_BIN", os.path.join(os.path.dirname(__file__), "../../build/cli/sabaq"))


class SabaqTestCase(unittest.TestCase):
    """A test with its own folder, catalog and library."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sabaq-it-")
        self.db = os.path.join(self.dir, "sabaq.db")
        self.library = os.path.join(self.dir, "library")

    def tearDown(self):
        if os.environ.get("SABAQ_KEEP_TEST_DIRS"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def sabaq(self, *args, check=True, timeout=600, env=None, **kwargs):
        """Runs sabaq with this test's catalog and library; returns the
        CompletedProcess (text mode)."""
        cmd = [SABAQ, "--db", self.db, "--library", self.library, *args]
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=full_env, **kwargs)
        if check and proc.returncode != 0:
            self.fail(f"{' '.join(cmd)} exited {proc.returncode}\n"
                      f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def sabaq_json(self, *args, **kwargs):
        return json.loads(self.sabaq(*args, **kwargs).stdout)


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
    cmd = ["ffprobe", "-v", "error", "-of", "json", *(args or ("-show_format", "-show_streams")), path]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


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


def main():
    unittest.main(verbosity=2)
