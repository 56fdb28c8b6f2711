"""The playout command line: --all airs every channel of the station in one
process with the station's outputs, SIGINT stops cleanly (playlists
closed, exit 130), `sabaq playout status` in text, and bad rundowns and
options are refused with one line naming the file and field."""
import json
import os
import signal
import subprocess
import time

from playout_helpers import (spawn, import_station, make_colour_asset, grid_now_us, packets,
                             parse_playlist, write_rundown)
from sabaq_test import SabaqTestCase, main


class PlayoutCliTest(SabaqTestCase):
    def test_all_channels_then_sigint(self):
        import_station(self, outputs='<output type="hls" path="hls/balapan"/>',
                       outputs2='<output type="hls" path="hls/el-arna"/>')
        proc = spawn(self, self.command("playout", "--all", "--segment", "2"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(8)
        text = self.sabaq("playout", "status").stdout
        self.assertRegex(text, r"balapan: on air \(plan\)\n  now:  .*house loop")
        self.assertRegex(text, r"el-arna: on air")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        for ch in ("balapan", "el-arna"):
            hls = self.path("hls", ch)  # beside the catalog, as the station file says
            pl = parse_playlist(os.path.join(hls, "index.m3u8"))
            self.assertTrue(pl["endlist"], f"{ch}: playlist closed on SIGINT")
            self.assertGreaterEqual(len(pl["segments"]), 2)
            self.assertTrue(packets(os.path.join(hls, pl["segments"][0]["uri"]), "v")[0][1])
        status = json.loads(self.sabaq("playout", "status", "--json").stdout)
        self.assertEqual([(s["channel"], s["running"], s["state"]) for s in status],
                         [("balapan", False, "stopped"), ("el-arna", False, "stopped")])
        rows = self.sabaq("asrun", "--channel", "balapan", "--date",
                          time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600)),
                          "--json").stdout
        self.assertEqual([r["status"] for r in json.loads(rows)], ["cut"])

    def test_sigterm_stops_cleanly(self):
        hls = self.path("h")
        proc = spawn(self, self.command("playout", "--channel", "x", "--segment", "2", "--hls",
                                        hls, "--rundown",
                                        write_rundown(self.path("r.json"), grid_now_us(60),
                                                      [{"asset": 1}])),
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(7)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 128 + signal.SIGTERM, err)
        pl = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.assertTrue(pl["endlist"])
        rows = json.loads(self.sabaq("asrun", "--channel", "x", "--date",
                                     time.strftime("%Y-%m-%d", time.gmtime()), "--json").stdout)
        self.assertEqual([(r["source"], r["status"], r["reason"]) for r in rows],
                         [("loop", "cut", "before the rundown; playout stopped")])

    def refused(self, rundown_obj, pattern, name="bad.json"):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(rundown_obj if isinstance(rundown_obj, str) else json.dumps(rundown_obj))
        proc = self.sabaq("playout", "--channel", "x", "--rundown", path, "--hls",
                          self.path("h"), "--for", "1", check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertRegex(lines[0], pattern)
        self.assertFalse(os.path.exists(self.path("h", "index.m3u8")))

    def test_bad_rundowns_refused(self):
        red = make_colour_asset(self, "red", 2)
        now = grid_now_us(2)
        self.refused("{", r"bad\.json")
        self.refused({"items": []}, r"bad\.json: start: an RFC 3339 instant")
        self.refused({"start_us": now + 1, "items": [{"asset": red["id"]}]},
                     r"bad\.json: start: not on the 40 ms frame grid")
        self.refused({"start_us": now, "items": []}, r"bad\.json: items: a non-empty list")
        self.refused({"start_us": now, "items": [{"asset": 999}]},
                     r"bad\.json: items\[0\]\.asset: no such asset")
        self.refused({"start_us": now, "items": [{"asset": red["id"], "in": 10}]},
                     r"items\[0\]\.in: 10 is not on a GOP start")
        self.refused({"start_us": now, "items": [{"asset": red["id"], "out": 51}]},
                     r"items\[0\]\.out: 51 is past the asset's end \(50 frames\)")
        self.refused({"start_us": now, "items": [{"asset": red["id"], "file": "x.mp4"}]},
                     r"items\[0\]: give either")
        self.refused({"start": "tomorrow", "items": [{"asset": red["id"]}]},
                     r"bad\.json: start:")
        self.refused({"start_us": now, "items": [{"file": "nothing.mp4"}]},
                     r"items\[0\]\.file: .*nothing\.mp4: file missing")

    def test_rundown_start_as_rfc3339_and_file_items(self):
        red = make_colour_asset(self, "red", 2)
        start = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3))
        path = write_rundown(self.path("r.json"), 0, [])
        with open(path, "w") as f:
            json.dump({"start": start, "items": [{"file": self.asset_file(red), "out": 25}]}, f)
        hls = self.path("h")
        self.sabaq("playout", "--channel", "x", "--rundown", path, "--hls", hls, "--for", "6")
        rows = self.sabaq("asrun", "--channel", "x", "--date",
                          time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3)),
                          "--json").stdout
        statuses = [(r["source"], r["status"], r["aired_frames"]) for r in json.loads(rows)]
        self.assertIn(("rundown", "aired", 25), statuses)

    def test_option_errors(self):
        for args, pattern in ((["--for", "1"], r"give --channel ID or --all"),
                              (["--all", "--hls", "x"], r"apply to one channel"),
                              (["--channel", "a", "--segment", "0"], r"--segment 1-30")):
            proc = self.sabaq("playout", *args, check=False)
            self.assertEqual(proc.returncode, 2)
            self.assertRegex(proc.stderr, pattern)
        proc = self.sabaq("asrun", "--channel", "a", "--date", "2026-13-01", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("--date 2026-13-01: YYYY-MM-DD is expected", proc.stderr)


if __name__ == "__main__":
    main()
