"""Every way ingest refuses a source: one line on stderr naming the file
and the reason, exit status 1, and nothing changed: not the catalog (every
row), not the library (every file), not the source (every byte). Other
files of the same call still go in."""
import os
import random
import shutil
import subprocess
import tempfile
import unittest

from sabaq_test import (LESSON, SABAQ, SabaqTestCase, copy_catalog, ffmpeg_generate,
                        library_files, main, seeded_catalog, sha256)

_sources = tempfile.mkdtemp(prefix="sabaq-it-refusals-src-")
GOOD = "good.mp4"


def src(name):
    return os.path.join(_sources, name)


def _cut_in_half(name, out):
    with open(src(name), "rb") as f:
        data = f.read()
    with open(src(out), "wb") as f:
        f.write(data[:len(data) // 2])


def setUpModule():
    unittest.addModuleCleanup(shutil.rmtree, _sources, True)
    h264_aac = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]
    ffmpeg_generate(src(GOOD), video="testsrc2=s=320x240:r=25", audio="sine=f=600",
                    duration=10.5, args=h264_aac)
    # The index (moov) at the end, as cameras write it, and at the front.
    ffmpeg_generate(src("moov-at-end.mp4"), video="testsrc2=s=320x240:r=25",
                    audio="sine=f=700", duration=12, args=h264_aac)
    ffmpeg_generate(src("faststart.mp4"), inputs=["-i", src("moov-at-end.mp4")],
                    args=["-c", "copy", "-movflags", "+faststart"])
    _cut_in_half("moov-at-end.mp4", "truncated-moov-at-end.mp4")
    _cut_in_half("faststart.mp4", "truncated-faststart.mp4")
    # Garbage over most of the media data: a readable index, undecodable
    # pictures.
    with open(src("moov-at-end.mp4"), "rb") as f:
        data = bytearray(f.read())
    rnd = random.Random(2)
    for i in range(len(data) // 10, len(data) * 8 // 10):
        data[i] = rnd.randrange(256)
    with open(src("garbage-inside.mp4"), "wb") as f:
        f.write(data)
    with open(src("notes.mp4"), "w", encoding="utf-8") as f:
        f.write("Lesson 12: fractions. Bring a ruler.\n" * 20)
    with open(src("empty.mov"), "wb"):
        pass
    ffmpeg_generate(src("video-only.mp4"), video="testsrc2=s=320x240:r=25", duration=12,
                    args=["-c:v", "libx264", "-preset", "ultrafast"])
    ffmpeg_generate(src("audio-only.m4a"), audio="sine=f=500", duration=12, args=["-c:a", "aac"])
    ffmpeg_generate(src("short.mp4"), video="testsrc2=s=320x240:r=25", audio="sine=f=600",
                    duration=9.5, args=h264_aac)
    # 3 h 1 s in a few kilobytes: three frames, the last 10861 s after the
    # first, and one second of audio (the pictures' duration is what airs).
    ffmpeg_generate(src("long.mp4"),
                    video="color=s=16x16:r=25:d=0.12,setpts='if(eq(N,2),10861/TB,PTS)'",
                    audio="anullsrc=r=8000:cl=mono:d=1",
                    args=["-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast",
                          "-c:a", "aac"])



class Refusals(SabaqTestCase):
    seeded = False

    @classmethod
    def setUpClass(cls):
        # A catalog that already holds one lesson, so that "unchanged"
        # means more than "still empty"; each test starts from a copy.
        cls.base = tempfile.mkdtemp(prefix="sabaq-it-refusals-base-")
        cls.addClassCleanup(shutil.rmtree, cls.base, True)
        copy_catalog(seeded_catalog(), cls.base)
        shutil.copy(src(GOOD), cls.base)
        subprocess.run([SABAQ, "--db", os.path.join(cls.base, "sabaq.db"), "--library",
                        os.path.join(cls.base, "library"), "ingest", "--profile", "test",
                        "--subject", "math", "--grade", "5", "--number", "99", "--language", "ru",
                        os.path.join(cls.base, GOOD)], check=True, capture_output=True)

    def setUp(self):
        super().setUp()
        copy_catalog(self.base, self.dir)
        self.before = self.snapshot()
        self.assertEqual(len(self.lesson_assets()), 1)

    def copy(self, name):
        dest = self.path(name)
        shutil.copy(src(name), dest)
        return dest

    def assertRefused(self, name, reason, meta=LESSON):
        path = self.copy(name)
        digest = sha256(path)
        proc = self.ingest(path, meta=meta, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stdout, "")
        line = self.assertOneLineRefusal(proc.stderr, name, reason)
        self.assertTrue(line.startswith(f"sabaq: {name}: "), line)
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
        self.assertUnchanged(self.before, f"by refusing {name}")
        self.assertEqual(sha256(path), digest, "the source is untouched")
        return line

    def test_not_a_media_file(self):
        self.assertRefused("notes.mp4", r": not a media file$")

    def test_empty_file(self):
        self.assertRefused("empty.mov", r": not a media file$")

    def test_truncated_with_the_index_at_the_end(self):
        self.assertRefused("truncated-moov-at-end.mp4", r": damaged or truncated")

    def test_truncated_with_the_index_at_the_front(self):
        self.assertRefused("truncated-faststart.mp4",
                           r": truncated: the pictures end at \d+\.\d s of 12\.0 s$")

    def test_undecodable(self):
        self.assertRefused("garbage-inside.mp4", r": (undecodable|damaged|truncated)")

    def test_no_video_stream(self):
        self.assertRefused("audio-only.m4a", r": no video stream$")

    def test_no_audio_stream(self):
        self.assertRefused("video-only.mp4", r": no audio stream$")

    def test_shorter_than_10_s(self):
        self.assertRefused("short.mp4", r": too short: 9\.5 s, the minimum is 10 s$")

    def test_longer_than_3_h(self):
        self.assertRefused("long.mp4", r": too long: 10861 s, the maximum is 3 h$")

    def test_missing_file(self):
        proc = self.ingest(self.path("absent.mp4"), check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertOneLineRefusal(proc.stderr, "absent.mp4",
                                  r"absent\.mp4: .*(no such file|No such file)")
        self.assertUnchanged(self.before, "by a missing file")

    def test_metadata_missing_or_out_of_range(self):
        lesson = {"--subject": "math", "--grade": "5", "--number": "3", "--language": "kk"}
        cases = [
            ({"--grade": "12"}, r": grade 12 is outside 1-11$"),
            ({"--grade": "0"}, r": grade 0 is outside 1-11$"),
            ({"--grade": "-3"}, r": grade -3 is outside 1-11$"),
            ({"--language": "en"}, r": language 'en' is not kk or ru$"),
            ({"--subject": "Math"}, r": subject 'Math' is not an identifier"),
            ({"--subject": "math class"}, r": subject 'math class' is not an identifier"),
            ({"--number": None}, r": lesson number is missing$"),
            ({"--number": "0"}, r": lesson number 0 is outside 1-9999$"),
            ({"--subject": None}, r": subject is missing$"),
            ({"--language": None}, r": language is missing"),
            ({"--grade": None}, r": grade is missing$"),
        ]
        for change, reason in cases:
            with self.subTest(change=change):
                fields = dict(lesson, **change)
                meta = [x for k, v in fields.items() if v is not None for x in (k, v)]
                self.assertRefused(GOOD, reason, meta=meta)

    def test_the_other_files_still_go_in(self):
        bad = ["notes.mp4", "truncated-moov-at-end.mp4", "truncated-faststart.mp4",
               "audio-only.m4a", "video-only.mp4", "short.mp4", "long.mp4"]
        paths = [self.copy(name) for name in bad]
        good = self.path("another-good.mp4")
        ffmpeg_generate(good, video="testsrc2=s=320x240:r=25", audio="sine=f=800",
                        duration=10.5, args=["-c:v", "libx264", "-preset", "ultrafast",
                                             "-c:a", "aac"])
        # The good file comes in the middle: refusals before and after it.
        paths.insert(3, good)
        proc = self.ingest(*paths, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stdout, r"\Aanother-good\.mp4: ingested as asset \d+, [^\n]*\n\Z")
        for name in bad:
            self.assertOneLineRefusal(proc.stderr, name, rf"^sabaq: {name}: ")
        self.assertEqual(len(proc.stderr.splitlines()), len(bad), proc.stderr)
        after = self.snapshot()
        new_files = set(after["library"]) - set(self.before["library"])
        self.assertEqual(len(new_files), 1, new_files)
        self.assertEqual(len([a for a in self.lesson_assets()]), 2)
        self.assertEqual([f for f in library_files(self.library) if f.startswith(".tmp")], [])


if __name__ == "__main__":
    main()
