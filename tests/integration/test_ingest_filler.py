"""Fillers and the house assets: `sabaq ingest --filler TAGS` (a filler may
be one second long and needs no lesson metadata), and the slate and default
filler loop that every catalog gets on its first ingest."""
from sabaq_test import (SabaqTestCase, ebur128, ffmpeg_generate, ffprobe, main,
                        video_frames)


class FillerTest(SabaqTestCase):
    def test_one_second_filler_with_tags(self):
        src = ffmpeg_generate(self.path("ident.mp4"), "color=c=red:s=320x180:r=25:d=1",
                              "sine=f=1000:d=1", args=["-c:v", "libx264", "-c:a", "aac",
                                                      "-shortest"])
        out = self.sabaq("ingest", "--profile", "test", "--filler", "ident, balapan", src)
        self.assertRegex(out.stdout, r"^ident\.mp4: ingested as asset \d+, 00:00:01\.00")
        asset = self.asset_for("ident.mp4")
        self.assertEqual(asset["kind"], "filler")
        self.assertEqual(asset["tags"], ["ident", "balapan"])
        self.assertIsNone(asset["subject"])
        self.assertIsNone(asset["grade"])
        self.assertEqual(asset["duration_frames"], 25)
        self.assertEqual(asset["status"], "ready")
        frames = video_frames(self.asset_file(asset))
        self.assertEqual(len(frames), 25)

    def test_half_second_filler_refused(self):
        src = ffmpeg_generate(self.path("blip.mp4"), "color=c=blue:s=320x180:r=25:d=0.5",
                              "sine=d=0.5", args=["-c:v", "libx264", "-c:a", "aac", "-shortest"])
        before = self.snapshot()
        proc = self.sabaq("ingest", "--profile", "test", "--filler", "ident", src, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertOneLineRefusal(proc.stderr, "blip.mp4",
                                  r"too short: 0\.5 s, the minimum is 1 s")
        self.assertUnchanged(before, "by a refused filler")

    def test_bad_tags_refused(self):
        src = ffmpeg_generate(self.path("promo.mp4"), "color=c=green:s=320x180:r=25:d=2",
                              "sine=d=2", args=["-c:v", "libx264", "-c:a", "aac", "-shortest"])
        proc = self.sabaq("ingest", "--profile", "test", "--filler", "Promo", src, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertOneLineRefusal(proc.stderr, "promo.mp4", r"tag 'Promo' is not an identifier")


class HouseAssetsTest(SabaqTestCase):
    seeded = False  # the first run is what is under test

    def test_first_ingest_generates_slate_and_loop_once(self):
        src = ffmpeg_generate(self.path("l.mp4"), "testsrc2=s=320x240:r=25:d=11",
                              "sine=d=11", args=["-c:v", "libx264", "-c:a", "aac", "-shortest"])
        self.ingest(src)
        house = {a["kind"] + ":" + " ".join(a["tags"]): a for a in self.assets()
                 if (a["source"] or "").startswith("sabaq-generated:")}
        self.assertEqual(set(house), {"slate:slate", "filler:house-loop"})
        slate, loop = house["slate:slate"], house["filler:house-loop"]
        for asset, frames in ((slate, 250), (loop, 500)):
            self.assertEqual(asset["status"], "approved")
            self.assertEqual(asset["duration_frames"], frames)
            path = self.asset_file(asset)
            streams = ffprobe(path)["streams"]
            video = next(s for s in streams if s["codec_type"] == "video")
            audio = next(s for s in streams if s["codec_type"] == "audio")
            self.assertEqual((video["codec_name"], video["width"], video["height"]),
                             ("h264", 320, 180))
            self.assertEqual((audio["codec_name"], int(audio["sample_rate"]), audio["channels"]),
                             ("aac", 48000, 2))
        loudness, peak = ebur128(self.asset_file(loop))
        self.assertAlmostEqual(loudness, -23.0, delta=0.5)
        self.assertLessEqual(peak, -1.0)
        # The slate is silent: ebur128 reports the gate floor.
        slate_loudness, _ = ebur128(self.asset_file(slate))
        self.assertLessEqual(slate_loudness, -69.0)
        # A second run makes nothing new but the lesson.
        count = len(self.assets())
        src2 = ffmpeg_generate(self.path("l2.mp4"), "testsrc2=s=320x240:r=25:d=11",
                               "sine=f=500:d=11",
                               args=["-c:v", "libx264", "-c:a", "aac", "-shortest"])
        self.ingest(src2, meta=("--subject", "math", "--grade", "5", "--number", "2",
                                "--language", "kk"))
        self.assertEqual(len(self.assets()), count + 1)


if __name__ == "__main__":
    main()
