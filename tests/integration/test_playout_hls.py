"""Playout to HLS from a rundown: frame-exact item starts (checked through
EXT-X-PROGRAM-DATE-TIME plus the frame's offset), gapless video and audio
across items and cuts, segment durations, playlist validity, and the media
sequence continuing with a discontinuity after a restart. Everything is
checked with ffprobe/ffmpeg and Python only."""
import os
import sqlite3
import subprocess

from playout_helpers import (AAC_FRAME_S, colour_name, concat_segments, frame_colours,
                             grid_now_us, make_colour_asset, packets, parse_playlist, tone_hz,
                             write_rundown)
from sabaq_test import SabaqTestCase, ffprobe, main

FRAME_S = 0.04


class PlayoutHlsTest(SabaqTestCase):
    def check_gapless(self, ts):
        video = packets(ts, "v")
        steps = [round(b[0] - a[0], 4) for a, b in zip(video, video[1:])]
        bad = [(i, s) for i, s in enumerate(steps) if abs(s - FRAME_S) > 0.0005]
        self.assertEqual(bad, [], "video steps other than one frame")
        audio = packets(ts, "a")
        steps = [b[0] - a[0] for a, b in zip(audio, audio[1:])]
        bad = [(i, round(s, 5)) for i, s in enumerate(steps)
               if abs(s - AAC_FRAME_S) > 0.0002]
        self.assertEqual(bad, [], "audio gaps or overlaps")
        # Audio stays with the pictures (half an AAC frame plus rounding).
        self.assertLess(abs(audio[0][0] - video[0][0]), AAC_FRAME_S)
        return video

    def check_playlist(self, hls, pl):
        self.assertEqual(pl["target"], 6)
        for a, b in zip(pl["segments"], pl["segments"][1:]):
            if not b["discontinuity"]:
                self.assertAlmostEqual(a["pdt"] + a["duration"], b["pdt"], delta=0.001,
                                       msg=f"{a['uri']} -> {b['uri']}: PDT not contiguous")
        for s in pl["segments"]:
            self.assertLessEqual(s["duration"], 6.0 + 1e-6, s["uri"])
            v = packets(os.path.join(hls, s["uri"]), "v")
            self.assertTrue(v[0][1], f"{s['uri']} starts with a keyframe")
            n_frames = len(v)
            self.assertAlmostEqual(n_frames * FRAME_S, s["duration"], delta=0.001,
                                   msg=f"{s['uri']}: EXTINF vs its frames")

    def test_rundown_frame_exact_then_restart(self):
        red = make_colour_asset(self, "red", 10)
        green = make_colour_asset(self, "green", 10)
        blue = make_colour_asset(self, "blue", 10)
        start_us = grid_now_us(4.0)
        # red cut mid-GOP after 5 s; green from its second GOP for 8 s; blue 4 s.
        rundown = write_rundown(self.path("show.json"), start_us, [
            {"asset": red["id"], "out": 125},
            {"asset": green["id"], "in": 50, "out": 250},
            {"asset": blue["id"], "out": 100},
        ])
        hls = self.path("hls")
        self.sabaq("playout", "--channel", "test", "--rundown", rundown, "--hls", hls,
                   "--for", "23", timeout=90)
        pl = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.assertTrue(pl["endlist"], "a clean stop closes the playlist")
        self.assertEqual(pl["sequence"], 0)
        self.check_playlist(hls, pl)
        # FFmpeg's HLS demuxer plays the playlist itself, without a complaint.
        played = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i",
                                 os.path.join(hls, "index.m3u8"), "-f", "null", "-"],
                                capture_output=True, text=True)
        self.assertEqual((played.returncode, played.stderr), (0, ""))
        self.assertAlmostEqual(float(ffprobe(os.path.join(hls, "index.m3u8"))["format"]["duration"]),
                               sum(s["duration"] for s in pl["segments"]), delta=0.1)
        ts = concat_segments(hls, pl["segments"], self.path("all.ts"))
        video = self.check_gapless(ts)

        # Each frame's UTC instant: the first segment's PDT plus its offset.
        frames = frame_colours(ts)
        pts0, pdt0 = frames[0][0], pl["segments"][0]["pdt"]
        self.assertEqual(len(frames), len(video))
        timeline = [(pdt0 + pts - pts0, colour_name(rgb)) for pts, rgb in frames]
        start = start_us / 1e6
        for colour, planned, length in (("red", start, 5.0), ("green", start + 5, 8.0),
                                        ("blue", start + 13, 4.0)):
            first = next(t for t, c in timeline if c == colour)
            last = max(t for t, c in timeline if c == colour)
            self.assertAlmostEqual(first, planned, delta=0.001, msg=f"{colour} starts on plan")
            self.assertAlmostEqual(last + FRAME_S, planned + length, delta=0.001,
                                   msg=f"{colour} ends on plan")
            n = sum(1 for t, c in timeline if c == colour)
            self.assertEqual(n, round(length / FRAME_S), f"{colour}: every frame once")
        after = [c for t, c in timeline if t >= start + 17 - 1e-6]
        self.assertTrue(after and "red" not in after and "green" not in after
                        and "blue" not in after, "the house loop after the rundown")

        # Tones, a second into each item (offset within the file's own timeline).
        file_start = float(ffprobe(ts)["format"]["start_time"])
        for colour, hz, at in (("red", 440, start + 1), ("green", 880, start + 6),
                               ("blue", 1760, start + 14)):
            offset = at - pdt0 + pts0 - file_start
            self.assertAlmostEqual(tone_hz(ts, offset), hz, delta=hz * 0.05, msg=colour)

        # The as-run log, read with Python's sqlite3.
        con = sqlite3.connect(self.db)
        rows = con.execute("SELECT source, asset_id, planned_start_us, actual_start_us, "
                           "aired_frames, status FROM asrun WHERE source = 'rundown' "
                           "ORDER BY planned_start_us").fetchall()
        con.close()
        self.assertEqual(rows, [
            ("rundown", red["id"], start_us, start_us, 125, "aired"),
            ("rundown", green["id"], start_us + 5000000, start_us + 5000000, 200, "aired"),
            ("rundown", blue["id"], start_us + 13000000, start_us + 13000000, 100, "aired"),
        ])

        # A restart continues the sequence after a discontinuity.
        first_run = pl["segments"]
        start2_us = grid_now_us(3.0)
        rundown2 = write_rundown(self.path("show2.json"), start2_us,
                                 [{"asset": blue["id"], "out": 100}])
        self.sabaq("playout", "--channel", "test", "--rundown", rundown2, "--hls", hls,
                   "--for", "9", timeout=60)
        pl2 = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.check_playlist(hls, pl2)
        uris = [s["uri"] for s in pl2["segments"]]
        self.assertEqual(len(set(uris)), len(uris), "no segment name reused")
        n_old = len(first_run)
        n_new = len(pl2["segments"]) - (n_old - (pl2["sequence"] - pl["sequence"]))
        self.assertGreaterEqual(n_new, 2)
        old_kept = pl2["segments"][:len(pl2["segments"]) - n_new]
        self.assertEqual([s["uri"] for s in old_kept],
                         [s["uri"] for s in first_run[len(first_run) - len(old_kept):]])
        new = pl2["segments"][len(old_kept):]
        self.assertTrue(new[0]["discontinuity"], "EXT-X-DISCONTINUITY after the restart")
        self.assertEqual([s["discontinuity"] for s in new[1:]], [False] * (len(new) - 1))
        self.assertTrue(pl2["endlist"])
        self.assertGreater(new[0]["pdt"], first_run[-1]["pdt"])
        ts2 = concat_segments(hls, new, self.path("second.ts"))
        self.check_gapless(ts2)
        frames2 = frame_colours(ts2)
        pdt_new = new[0]["pdt"]
        first_blue = next(pdt_new + pts - frames2[0][0] for pts, rgb in frames2
                          if colour_name(rgb) == "blue")
        self.assertAlmostEqual(first_blue, start2_us / 1e6, delta=0.001)


if __name__ == "__main__":
    main()
