"""Playout of the published plan: items start on their planned instants,
a version published while airing is picked up without a restart (an edit
with `sabaq schedule set` cuts the item on air at its instant), a channel
without a plan airs the house loop until one is published, and the as-run
log and `sabaq asrun` / `sabaq playout status` tell what happened."""
import datetime
import json
import os
import subprocess
import time

from playout_helpers import (spawn, ALMATY, asrun_rows, colour_timeline, grid_now_us, import_station,
                             make_colour_asset, publish_plan, runs)
from sabaq_test import SabaqTestCase, main

S = 1000000


class PlayoutPlanTest(SabaqTestCase):
    def setUp(self):
        super().setUp()
        import_station(self)
        self.loop_id = next(a["id"] for a in self.assets() if "house-loop" in a["tags"])

    def start(self, seconds, *extra):
        hls = self.path("hls")
        proc = spawn(self, self.command("playout", "--channel", "balapan", "--hls", hls,
                                             "--for", str(seconds), *extra),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return proc, hls

    def wait(self, proc):
        out, err = proc.communicate(timeout=90)
        self.assertEqual(proc.returncode, 0, err)
        return err

    def assertStartsAt(self, run_list, colour, at_us, frames=None):
        found = [r for r in run_list if r[0] == colour]
        self.assertTrue(found, f"{colour} aired: {run_list}")
        self.assertAlmostEqual(found[0][1], at_us / S, delta=0.001, msg=f"{colour} start")
        if frames is not None:
            self.assertEqual(found[0][2], frames, f"{colour}: frames aired")

    def test_plan_then_edit_while_airing(self):
        red = make_colour_asset(self, "red", 4)
        green = make_colour_asset(self, "green", 4)
        blue = make_colour_asset(self, "blue", 4)
        self.sabaq("approve", str(blue["id"]))
        t0 = grid_now_us(4.0)
        publish_plan(self.db, "balapan", [(t0, t0 + 4 * S, "lesson", red["id"]),
                                          (t0 + 4 * S, t0 + 8 * S, "filler", green["id"])],
                     self.loop_id)
        proc, hls = self.start(22)
        # An edit while the loop filler after green is on its way (the
        # feeder runs 3 s ahead of the clock): blue at t0 + 12 s.
        time.sleep(max(0, (t0 + 6.5 * S) / S - time.time()))
        at = datetime.datetime.fromtimestamp((t0 + 12 * S) / S, ALMATY).isoformat()
        self.sabaq("schedule", "set", "--channel", "balapan", "--at", at, "--asset",
                   str(blue["id"]), "--note", "test edit")
        time.sleep(1)
        status = json.loads(self.sabaq("playout", "status", "--json").stdout)
        err = self.wait(proc)
        self.assertEqual(len(status), 1)
        self.assertTrue(status[0]["running"])
        self.assertEqual(status[0]["channel"], "balapan")
        self.assertIn(status[0]["on_air"]["kind"], ("lesson", "filler"))
        self.assertIn("next", status[0])
        self.assertEqual(status[0]["outputs"][0]["type"], "hls")

        pl, timeline = colour_timeline(self, hls)
        r = runs(timeline)
        self.assertStartsAt(r, "red", t0, 100)
        self.assertStartsAt(r, "green", t0 + 4 * S, 100)
        self.assertStartsAt(r, "blue", t0 + 12 * S, 100)
        self.assertIn("plan version 2", err)

        rows = [x for x in asrun_rows(self.db, "balapan") if x["planned_start_us"] >= t0]
        by_asset = {x["asset_id"]: x for x in rows}
        self.assertEqual(by_asset[red["id"]]["status"], "aired")
        self.assertEqual(by_asset[red["id"]]["plan_version"], 1)
        self.assertEqual(by_asset[green["id"]]["aired_frames"], 100)
        self.assertEqual(by_asset[blue["id"]]["plan_version"], 2)
        self.assertEqual(by_asset[blue["id"]]["actual_start_us"], t0 + 12 * S)
        cut = [x for x in rows if x["asset_id"] == self.loop_id and x["planned_start_us"] == t0 + 8 * S]
        self.assertEqual(len(cut), 1)
        self.assertEqual(cut[0]["status"], "cut")
        self.assertEqual(cut[0]["aired_frames"], 100)
        self.assertIn("plan version 2", cut[0]["reason"])

        day = datetime.datetime.fromtimestamp(t0 / S, ALMATY).strftime("%Y-%m-%d")
        listed = json.loads(self.sabaq("asrun", "--channel", "balapan", "--date", day,
                                       "--json").stdout)
        self.assertEqual([x["status"] for x in listed if x["asset_id"] == red["id"]], ["aired"])
        text = self.sabaq("asrun", "--channel", "balapan", "--date", day).stdout
        self.assertRegex(text, r"cut .*plan version 2 ends it early")
        status = json.loads(self.sabaq("playout", "status", "--json").stdout)
        self.assertFalse(status[0]["running"])

    def test_no_plan_airs_loop_until_published(self):
        red = make_colour_asset(self, "red", 4)
        proc, hls = self.start(14)
        time.sleep(3)
        t0 = grid_now_us(5.0)
        publish_plan(self.db, "balapan", [(t0, t0 + 4 * S, "lesson", red["id"])], self.loop_id)
        err = self.wait(proc)
        pl, timeline = colour_timeline(self, hls)
        r = runs(timeline)
        self.assertStartsAt(r, "red", t0, 100)
        self.assertEqual(r[0][0], "other", "the house loop before the plan")
        rows = asrun_rows(self.db, "balapan")
        self.assertEqual(rows[0]["source"], "loop")
        self.assertRegex(rows[0]["reason"], r"^no published plan; plan version 1 ends it early$")
        self.assertEqual(rows[0]["status"], "cut")
        self.assertIn("no published plan", err)
        red_rows = [x for x in rows if x["asset_id"] == red["id"]]
        self.assertEqual([(x["status"], x["actual_start_us"]) for x in red_rows],
                         [("aired", t0)])

    def test_unknown_channel_refused(self):
        proc = self.sabaq("playout", "--channel", "nope", "--hls", self.path("h"), "--for", "1",
                          check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("channel nope is not in the station", proc.stderr)
        self.assertFalse(os.path.exists(self.path("h", "index.m3u8")))


if __name__ == "__main__":
    main()
