"""The watch folder service: files dropped with a sidecar, with an invalid
sidecar, with no metadata, listed in a manifest in the folder, and one
still being copied; each ends in done/ or in rejected/ beside a
.reason.txt, and SIGTERM stops the service cleanly."""
import os
import signal
import subprocess
import time

from sabaq_test import SabaqTestCase, ffmpeg_generate, main, sha256

H264_AAC = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]

SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<lesson xmlns="urn:sabaq:lesson:1" subject="math" grade="6" number="4" language="kk">
  <title>Пропорция</title>
  <description>Қатынас пен пропорция</description>
</lesson>
"""

# Valid XML, but grade 12 is outside the schema's 1-11.
BAD_SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<lesson xmlns="urn:sabaq:lesson:1" subject="math" grade="12" number="4" language="kk">
  <title>Пропорция</title>
</lesson>
"""


class Watch(SabaqTestCase):
    def make(self, path, frequency):
        return ffmpeg_generate(path, video="testsrc2=s=160x120:r=25",
                               audio=f"sine=f={frequency}", duration=10.5, args=H264_AAC)

    def wait_for(self, paths, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(os.path.exists(p) for p in paths):
                return
            if self.service.poll() is not None:
                self.fail(f"the service stopped: {self.service.returncode}")
            time.sleep(0.2)
        missing = [p for p in paths if not os.path.exists(p)]
        self.fail(f"not there after {timeout_s} s: {missing}; folder: "
                  f"{sorted(os.listdir(self.inbox))}")

    def test_watch_folder(self):
        staging = self.path("staging")
        self.inbox = self.path("inbox")
        os.makedirs(staging)
        os.makedirs(self.inbox)
        # Made outside the folder, then moved in (as a finished upload is).
        for name, frequency in (("sidecar.mp4", 400), ("bad-sidecar.mp4", 500),
                                ("no-metadata.mp4", 600), ("listed.mp4", 700),
                                ("growing.mp4", 800)):
            self.make(os.path.join(staging, name), frequency)
        digests = {name: sha256(os.path.join(staging, name)) for name in os.listdir(staging)}

        self.service = subprocess.Popen(
            self.command("ingest", "--watch", self.inbox, "--settle", "1", "--profile", "test"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            with open(os.path.join(self.inbox, "sidecar.xml"), "w", encoding="utf-8") as f:
                f.write(SIDECAR)
            os.rename(os.path.join(staging, "sidecar.mp4"), os.path.join(self.inbox, "sidecar.mp4"))
            with open(os.path.join(self.inbox, "bad-sidecar.xml"), "w", encoding="utf-8") as f:
                f.write(BAD_SIDECAR)
            os.rename(os.path.join(staging, "bad-sidecar.mp4"),
                      os.path.join(self.inbox, "bad-sidecar.mp4"))
            os.rename(os.path.join(staging, "no-metadata.mp4"),
                      os.path.join(self.inbox, "no-metadata.mp4"))
            with open(os.path.join(self.inbox, "lessons.csv"), "w", encoding="utf-8") as f:
                f.write("file,subject,grade,number,language,title\n"
                        "listed.mp4,physics,8,1,ru,Механическое движение\n"
                        "growing.mp4,physics,8,2,ru,Скорость\n")
            os.rename(os.path.join(staging, "listed.mp4"), os.path.join(self.inbox, "listed.mp4"))
            # A copy in progress: it grows for 3 s in steps much shorter
            # than the settle time, and must not be taken before it is whole.
            with open(os.path.join(staging, "growing.mp4"), "rb") as f:
                data = f.read()
            with open(os.path.join(self.inbox, "growing.mp4"), "wb") as f:
                steps = 12
                for i in range(steps):
                    f.write(data[i * len(data) // steps:(i + 1) * len(data) // steps])
                    f.flush()
                    time.sleep(0.25)

            done = os.path.join(self.inbox, "done")
            rejected = os.path.join(self.inbox, "rejected")
            self.wait_for([os.path.join(done, "sidecar.mp4"), os.path.join(done, "sidecar.xml"),
                           os.path.join(done, "listed.mp4"), os.path.join(done, "growing.mp4"),
                           os.path.join(rejected, "bad-sidecar.mp4"),
                           os.path.join(rejected, "bad-sidecar.xml"),
                           os.path.join(rejected, "bad-sidecar.mp4.reason.txt"),
                           os.path.join(rejected, "no-metadata.mp4"),
                           os.path.join(rejected, "no-metadata.mp4.reason.txt")])
        finally:
            self.service.send_signal(signal.SIGTERM)
            try:
                out, err = self.service.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.service.kill()
                out, err = self.service.communicate()
                self.fail(f"the service did not stop on SIGTERM: {err}")
        self.assertEqual(self.service.returncode, 0, err)

        # Each source is moved, never altered.
        for name in ("sidecar.mp4", "listed.mp4", "growing.mp4"):
            self.assertEqual(sha256(os.path.join(done, name)), digests[name], name)
        for name in ("bad-sidecar.mp4", "no-metadata.mp4"):
            self.assertEqual(sha256(os.path.join(rejected, name)), digests[name], name)
        self.assertEqual(sorted(os.listdir(self.inbox)), ["done", "lessons.csv", "rejected"])

        with open(os.path.join(rejected, "bad-sidecar.mp4.reason.txt"), encoding="utf-8") as f:
            reason = f.read()
        self.assertEqual(reason, "bad-sidecar.xml:2: grade 12 is outside 1-11\n")
        with open(os.path.join(rejected, "no-metadata.mp4.reason.txt"), encoding="utf-8") as f:
            reason = f.read()
        self.assertEqual(reason, "no-metadata.mp4: no metadata: expected a sidecar "
                         "no-metadata.mp4.xml or a row in a manifest CSV\n")

        assets = {a["source"]: a for a in self.lesson_assets()}
        self.assertEqual(set(assets), {"sidecar.mp4", "listed.mp4", "growing.mp4"})
        a = assets["sidecar.mp4"]
        self.assertEqual((a["subject"], a["grade"], a["number"], a["language"], a["title"]),
                         ("math", 6, 4, "kk", "Пропорция"))
        a = assets["listed.mp4"]
        self.assertEqual((a["subject"], a["grade"], a["number"], a["language"], a["title"]),
                         ("physics", 8, 1, "ru", "Механическое движение"))
        self.assertEqual(assets["growing.mp4"]["duration_frames"], 263)

        # One line per file on stdout.
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        for name in ("sidecar.mp4", "listed.mp4", "growing.mp4"):
            self.assertEqual(len([x for x in lines if x.startswith(f"{name}: ingested")]), 1, out)
        for name in ("bad-sidecar.mp4", "no-metadata.mp4"):
            self.assertEqual(len([x for x in err.splitlines() if x.startswith("sabaq: ")
                                  and name.split(".")[0] in x]), 1, err)

    def test_sidecars_against_the_schema_with_xmllint(self):
        """The schema compiled into sabaq accepts and refuses what xmllint
        does with the same file."""
        schema = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../data/lesson.rng")
        for text, valid in ((SIDECAR, True), (BAD_SIDECAR, False)):
            path = self.path("sidecar.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            proc = subprocess.run(["xmllint", "--noout", "--nonet", "--relaxng", schema, path],
                                  capture_output=True, text=True)
            self.assertEqual(proc.returncode == 0, valid, proc.stderr)

    def test_not_a_folder(self):
        proc = self.sabaq("ingest", "--watch", self.path("nowhere"), "--profile", "test",
                          check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("nowhere: not a folder", proc.stderr)


if __name__ == "__main__":
    main()
