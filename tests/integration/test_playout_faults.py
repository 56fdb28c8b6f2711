"""Playout under faults: an asset deleted before its air time and one
truncated mid-item become the slate for exactly the rest of their time
(the next item still starts on its instant); kill -9 mid-item and a
restart: the output resumes from the GOP before now, the HLS sequence
continues after a discontinuity, and the as-run log shows the
interruption. Checked with ffprobe/ffmpeg and sqlite3 only."""
import json
import os
import signal
import subprocess
import time

from playout_helpers import (spawn, asrun_rows, colour_timeline, grid_now_us, import_station,
                             make_colour_asset, parse_playlist, publish_plan, runs)
from sabaq_test import SabaqTestCase, main

S = 1000000


class PlayoutFaultTest(SabaqTestCase):
    def setUp(self):
        super().setUp()
        import_station(self)
        self.loop_id = next(a["id"] for a in self.assets() if "house-loop" in a["tags"])

    def run_playout(self, seconds, hls):
        return self.sabaq("playout", "--channel", "balapan", "--hls", hls, "--for", str(seconds),
                          timeout=90)

    def test_deleted_and_truncated_assets_become_slate(self):
        red = make_colour_asset(self, "red", 4)
        green = make_colour_asset(self, "green", 4)
        blue = make_colour_asset(self, "blue", 4)
        os.unlink(self.asset_file(red))
        path = self.asset_file(green)
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size // 2)
        t0 = grid_now_us(4.0)
        publish_plan(self.db, "balapan", [(t0, t0 + 4 * S, "lesson", red["id"]),
                                          (t0 + 4 * S, t0 + 8 * S, "lesson", green["id"]),
                                          (t0 + 8 * S, t0 + 12 * S, "lesson", blue["id"])],
                     self.loop_id)
        hls = self.path("hls")
        proc = self.run_playout(17, hls)
        pl, timeline = colour_timeline(self, hls)
        r = runs(timeline)
        in_red = [c for t, c in timeline if t0 / S - 1e-6 <= t < (t0 + 4 * S) / S - 1e-6]
        self.assertEqual(len(in_red), 100)
        self.assertEqual(set(in_red), {"other"}, "the slate where the deleted asset was")
        greens = [x for x in r if x[0] == "green"]
        self.assertEqual(len(greens), 1)
        self.assertAlmostEqual(greens[0][1], (t0 + 4 * S) / S, delta=0.001)
        self.assertGreater(greens[0][2], 10)
        self.assertLess(greens[0][2], 100, "the truncated asset stops early")
        after_green = [c for t, c in timeline
                       if greens[0][1] + greens[0][2] * 0.04 - 1e-6 <= t < (t0 + 8 * S) / S - 1e-6]
        self.assertEqual(set(after_green), {"other"}, "slate for the rest of the item")
        self.assertEqual(greens[0][2] + len(after_green), 100, "exactly the item's time")
        blues = [x for x in r if x[0] == "blue"]
        self.assertEqual([(round(b[1] * S), b[2]) for b in blues], [(t0 + 8 * S, 100)])

        rows = {x["asset_id"]: x for x in asrun_rows(self.db, "balapan")}
        self.assertEqual(rows[red["id"]]["status"], "slate")
        self.assertRegex(rows[red["id"]]["reason"], r"file missing")
        self.assertEqual(rows[green["id"]]["status"], "slate")
        self.assertEqual(rows[green["id"]]["aired_frames"], 100)
        self.assertRegex(rows[green["id"]]["reason"], r"ends .* before the item does|green|mp4")
        self.assertEqual(rows[blue["id"]]["status"], "aired")
        self.assertRegex(proc.stderr, r"red\.mp4: .*file missing; the slate airs for the remaining 4\.00 s")

    def test_kill_and_restart_mid_item(self):
        red = make_colour_asset(self, "red", 10)
        green = make_colour_asset(self, "green", 4)
        t0 = grid_now_us(3.0)
        publish_plan(self.db, "balapan", [(t0, t0 + 10 * S, "lesson", red["id"]),
                                          (t0 + 10 * S, t0 + 14 * S, "lesson", green["id"])],
                     self.loop_id)
        hls = self.path("hls")
        proc = spawn(self, self.command("playout", "--channel", "balapan", "--hls", hls,
                                             "--for", "60"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(max(0, (t0 + 4.5 * S) / S - time.time()))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        before = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.assertFalse(before["endlist"])
        status = json.loads(self.sabaq("playout", "status", "--json").stdout)
        self.assertEqual([s["running"] for s in status], [False], "a killed engine is not running")

        restart_us = grid_now_us()
        self.run_playout(12, hls)
        after = parse_playlist(os.path.join(hls, "index.m3u8"))
        old = [s["uri"] for s in before["segments"]]
        uris = [s["uri"] for s in after["segments"]]
        self.assertEqual(uris[:len(old)], old, "the window keeps what players saw")
        self.assertEqual(len(set(uris)), len(uris))
        new = after["segments"][len(old):]
        self.assertTrue(new[0]["discontinuity"])
        self.assertEqual(after["sequence"], before["sequence"])
        # Resumed at the first IDR after what the playlist already held
        # (the program date time never goes back), at most a GOP later.
        held_until = before["segments"][-1]["pdt"] + before["segments"][-1]["duration"]
        self.assertGreaterEqual(new[0]["pdt"], held_until - 0.001)
        self.assertLess(new[0]["pdt"], max(held_until, restart_us / S) + 2.05)
        pl, timeline = colour_timeline(self, hls)
        resumed = [(t, c) for t, c in timeline if t >= new[0]["pdt"] - 1e-6]
        self.assertEqual({c for t, c in resumed if t < (t0 + 10 * S) / S - 1e-6}, {"red"})
        first_green = next(t for t, c in resumed if c == "green")
        self.assertAlmostEqual(first_green, (t0 + 10 * S) / S, delta=0.001,
                               msg="frame-accurate from the next item on")

        rows = [x for x in asrun_rows(self.db, "balapan") if x["asset_id"] == red["id"]]
        self.assertEqual([x["status"] for x in rows], ["interrupted", "joined"])
        self.assertRegex(rows[0]["reason"], "crash or kill")
        self.assertGreater(rows[0]["aired_frames"], 0)
        self.assertGreater(rows[1]["actual_start_us"], t0)
        self.assertEqual((rows[1]["actual_start_us"] - t0) % 40000, 0)

    def test_output_pipeline_rebuilt_after_failure(self):
        """The HLS folder vanishes mid-air: the channel's pipeline fails, is
        rebuilt 3 s later, joins the plan at now and goes on; the process
        ends normally and the status tells what happened."""
        import shutil
        hls = self.path("hls")
        proc = spawn(self, self.command("playout", "--channel", "balapan", "--hls", hls,
                                        "--segment", "2", "--for", "16"),
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(6)
        shutil.rmtree(hls)
        removed_at = time.time()
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertRegex(err, r"Could not open file .*seg\d+\.ts")
        self.assertRegex(err, r"rebuilding the output in 3 s \(attempt 1\)")
        self.assertIn("the output is back; joining the plan at now", err)
        pl = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.assertTrue(pl["endlist"])
        self.assertGreaterEqual(len(pl["segments"]), 2)
        self.assertGreater(pl["segments"][0]["pdt"], removed_at)
        self.assertLess(pl["segments"][0]["pdt"], removed_at + 6)
        status = json.loads(self.sabaq("playout", "status", "--json").stdout)
        self.assertTrue(any("the output failed" in e for e in status[0]["errors"]))


if __name__ == "__main__":
    main()
