"""Quality-control findings recorded on an asset without refusing it:
black and silence over 2 s at the start or end (with their lengths), long
silence inside, audio silent throughout. Lengths are checked to a frame."""

from sabaq_test import SabaqTestCase, ffmpeg_generate, main

H264_AAC = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]


class Findings(SabaqTestCase):
    def ingest_one(self, name, video, audio):
        path = ffmpeg_generate(self.path(name), video=video, audio=audio,
                               args=H264_AAC + ["-shortest"])
        self.ingest(path)
        return self.asset_for(name)

    def assertFindings(self, asset, expected):
        """expected: code -> (start_frames, length_frames), each to a frame."""
        found = {f["code"]: f for f in asset["findings"]}
        self.assertEqual(sorted(found), sorted(expected), asset["findings"])
        for code, (start, length) in expected.items():
            f = found[code]
            self.assertLessEqual(abs(f["start_frames"] - start), 1, f)
            self.assertLessEqual(abs(f["length_frames"] - length), 1, f)
            self.assertTrue(f["message"], f)
        return found

    def test_black_and_silence_at_start_and_end(self):
        # 3 s black, 7 s picture, 2.6 s black; silent for the first 2.4 s
        # and the last 3.2 s.
        video = ("color=c=black:s=320x240:r=25:d=3[a];testsrc2=s=320x240:r=25:d=7[b];"
                 "color=c=black:s=320x240:r=25:d=2.6[c];[a][b][c]concat=n=3:v=1:a=0")
        audio = "sine=f=440:d=12.6,volume=0:enable='lt(t,2.4)+gt(t,9.4)'"
        asset = self.ingest_one("edges.mp4", video, audio)
        self.assertEqual(asset["duration_frames"], 315)
        found = self.assertFindings(asset, {
            "black_start": (0, 75),
            "black_end": (250, 65),
            "silence_start": (0, 60),
            "silence_end": (235, 80),
        })
        self.assertIn("3.00 s of black at the start", found["black_start"]["message"])
        self.assertIn("2.60 s of black at the end", found["black_end"]["message"])
        # Still ready for a methodologist to judge: findings do not refuse.
        self.assertEqual(asset["status"], "ready")
        # People see them under the asset in `sabaq assets`.
        table = self.sabaq("assets").stdout
        self.assertIn("3.00 s of black at the start", table)
        self.assertIn("of silence at the end", table)

    def test_short_edges_are_not_findings(self):
        # 1.5 s of black and 1.8 s of silence at the start: under 2 s.
        video = ("color=c=black:s=320x240:r=25:d=1.5[a];testsrc2=s=320x240:r=25:d=9.5[b];"
                 "[a][b]concat=n=2:v=1:a=0")
        audio = "sine=f=440:d=11,volume=0:enable='lt(t,1.8)'"
        asset = self.ingest_one("short-edges.mp4", video, audio)
        self.assertFindings(asset, {})

    def test_long_silence_inside(self):
        # Tone, 12 s of silence from 8 s, tone again; and a 5 s pause,
        # which is not long enough to report.
        audio = "sine=f=440:d=36,volume=0:enable='between(t,8,20)+between(t,26,31)'"
        asset = self.ingest_one("pause.mp4", "testsrc2=s=160x120:r=25:d=36", audio)
        found = self.assertFindings(asset, {"silence_inside": (200, 300)})
        self.assertRegex(found["silence_inside"]["message"], r"from 00:00:08\.0[01]$")

    def test_silent_throughout(self):
        asset = self.ingest_one("mute.mp4", "testsrc2=s=160x120:r=25:d=11",
                                "anullsrc=r=48000:cl=stereo:d=11")
        found = {f["code"]: f for f in asset["findings"]}
        self.assertIn("audio_silent", found)
        self.assertEqual((found["audio_silent"]["start_frames"],
                          found["audio_silent"]["length_frames"]), (0, 275))
        # At most the silence at the start besides (it is all of it).
        self.assertLessEqual(set(found), {"audio_silent", "silence_start"})
        self.assertEqual(asset["status"], "ready")


if __name__ == "__main__":
    main()
