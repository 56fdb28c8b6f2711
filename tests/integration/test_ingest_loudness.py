"""Loudness edge cases: audio that FFmpeg's AAC encoder loses level on
(noise bursts) still lands at -23 LUFS, and what the catalog records is the
written file's loudness, as an independent meter reads it."""
from sabaq_test import SabaqTestCase, ebur128, ffmpeg_generate, main

NOISE_BURSTS = ("aevalsrc='if(lt(mod(t\\,0.25)\\,0.03)\\,0.95*(random(0)*2-1)\\,"
                "0.02*sin(2*PI*300*t))':s=48000:d=12")


class LoudnessTest(SabaqTestCase):
    def test_noise_bursts_reach_the_target(self):
        src = ffmpeg_generate(self.path("bursts.mov"), "testsrc2=s=320x240:r=25:d=12",
                              NOISE_BURSTS,
                              args=["-c:v", "libx264", "-c:a", "pcm_s16le", "-shortest"])
        proc = self.ingest(src)
        # The first encode came out short of the target and was redone.
        self.assertIn("encoding again", proc.stderr)
        asset = self.asset_for("bursts.mov")
        loudness, peak = ebur128(self.asset_file(asset))
        self.assertAlmostEqual(loudness, -23.0, delta=0.5)
        self.assertLessEqual(peak, -1.0)
        self.assertAlmostEqual(asset["loudness_out"], loudness, delta=0.15)
        self.assertAlmostEqual(asset["true_peak"], peak, delta=0.3)
        self.assertNotIn("loudness", [f["code"] for f in asset["findings"]])

    def test_tone_needs_no_second_encode(self):
        src = ffmpeg_generate(self.path("tone.mp4"), "testsrc2=s=320x240:r=25:d=11",
                              "sine=f=440:d=11", args=["-c:v", "libx264", "-c:a", "aac",
                                                       "-shortest"])
        proc = self.ingest(src)
        self.assertNotIn("encoding again", proc.stderr)
        asset = self.asset_for("tone.mp4")
        loudness, _ = ebur128(self.asset_file(asset))
        self.assertAlmostEqual(loudness, -23.0, delta=0.5)
        self.assertAlmostEqual(asset["loudness_out"], loudness, delta=0.15)


if __name__ == "__main__":
    main()
