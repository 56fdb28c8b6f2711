"""Playout to broadcast: a constant-bitrate MPEG-TS over UDP (7 packets a
datagram, null packets as stuffing) and SRT (listener and caller). Checked
on the receiving side with Python's socket and ffmpeg/ffprobe: the rate per
wall second within 1 %, no continuity-counter errors, a PCR at least every
40 ms, the channel's service in the PAT, pictures and tones decodable."""
import collections
import os
import subprocess
import time

from playout_helpers import (UdpReceiver, free_udp_port, grid_now_us, import_station,
                             make_colour_asset, packets, parse_playlist, publish_plan, ts_packet_check,
                             ts_sections, write_rundown)
from sabaq_test import SabaqTestCase, ffprobe, main

MUX_KBPS = 2000
S = 1000000


class PlayoutTsTest(SabaqTestCase):
    def check_ts(self, path, service_id):
        r = ts_packet_check(path)
        self.assertEqual(r["cc_errors"], 0, "continuity-counter errors")
        pcr = r["pcrs"]
        self.assertGreater(len(pcr), 100)
        steps_ms = [(b[1] - a[1]) / 27000 for a, b in zip(pcr, pcr[1:])]
        self.assertLessEqual(max(steps_ms), 40.0, "PCR interval")
        # Between every two PCRs the stream carries exactly the mux rate.
        rates = [(b[0] - a[0]) * 8 / ((b[1] - a[1]) / 27e6) for a, b in zip(pcr, pcr[1:])]
        self.assertLess(max(abs(x - MUX_KBPS * 1000) for x in rates), MUX_KBPS * 10)
        self.assertIn(0x1FFF, r["pids"] | {0x1FFF})
        programs = ffprobe(path, "-show_programs")["programs"]
        self.assertEqual([p["program_num"] for p in programs], [service_id])
        streams = {s["codec_type"]: s["codec_name"] for s in programs[0]["streams"]}
        self.assertEqual(streams, {"video": "h264", "audio": "aac"})
        video = packets(path, "v")
        steps = [round(b[0] - a[0], 4) for a, b in zip(video, video[1:])]
        self.assertEqual([s for s in steps if abs(s - 0.04) > 0.0005], [], "video gaps")

    def test_udp_cbr_and_srt_listener(self):
        red = make_colour_asset(self, "red", 4)
        green = make_colour_asset(self, "green", 4)
        import_station(self)
        port = free_udp_port()
        srt_port = free_udp_port()
        rx = UdpReceiver(port)
        start_us = grid_now_us(2.0)
        rundown = write_rundown(self.path("r.json"), start_us, [
            {"asset": red["id"]}, {"asset": green["id"]}, {"asset": red["id"]}])
        proc = subprocess.Popen(self.command(
            "playout", "--channel", "balapan", "--rundown", rundown,
            "--udp", f"udp://127.0.0.1:{port}?ttl=2&mux-rate={MUX_KBPS}",
            "--srt", f"srt://127.0.0.1:{srt_port}?mode=listener", "--for", "14"),
            stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        srt_out = self.path("srt.ts")
        caller = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i",
                                 f"srt://127.0.0.1:{srt_port}?mode=caller", "-t", "7",
                                 "-map", "0", "-c", "copy", "-f", "mpegts", srt_out],
                                capture_output=True, text=True, timeout=30)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(caller.returncode, 0, caller.stderr)
        udp_ts = rx.finish(self.path("udp.ts"))

        # 7 packets of 188 bytes per datagram, the mux rate every wall second.
        self.assertEqual({len(d) for _, d in rx.datagrams}, {7 * 188})
        per_second = collections.Counter()
        for t, d in rx.datagrams:
            per_second[int(t)] += len(d)
        seconds = sorted(per_second)[1:-1]  # whole seconds only
        self.assertGreaterEqual(len(seconds), 8)
        for s in seconds:
            rate = per_second[s] * 8
            self.assertLess(abs(rate - MUX_KBPS * 1000), MUX_KBPS * 10,
                            f"second {s}: {rate} bit/s")
        self.check_ts(udp_ts, 101)
        # The SRT receiver got the same kind of stream (ffmpeg re-muxed it:
        # its service, pictures and sound).
        streams = ffprobe(srt_out)["streams"]
        # bin_data: ffmpeg's stream for the EIT (the station knows balapan).
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "bin_data", "h264"])
        self.assertGreater(float(ffprobe(srt_out)["format"]["duration"]), 5.0)

    def test_sdt_and_eit_in_the_stream(self):
        from test_epg_golden import parse_eit, parse_sdt
        red = make_colour_asset(self, "red", 4)
        import_station(self)
        loop_id = next(a["id"] for a in self.assets() if "house-loop" in a["tags"])
        t0 = grid_now_us(3.0)
        publish_plan(self.db, "balapan", [(t0, t0 + 4 * S, "lesson", red["id"])], loop_id)
        port = free_udp_port()
        rx = UdpReceiver(port)
        self.sabaq("playout", "--channel", "balapan",
                   "--udp", f"udp://127.0.0.1:{port}?mux-rate={MUX_KBPS}", "--for", "9",
                   timeout=60)
        ts = rx.finish(self.path("udp.ts"))
        self.check_ts(ts, 101)  # SI in the null packets leaves rate, CC and PCR intact
        programs = ffprobe(ts, "-show_programs")["programs"]
        self.assertEqual(programs[0]["tags"], {"service_name": "Балапан",
                                               "service_provider": "sabaq"})
        sdts = [parse_sdt(s) for s in ts_sections(ts, 0x11)]
        self.assertGreaterEqual(len(sdts), 6, "SDT every second")
        self.assertEqual({(s["tsid"], s["services"][0]["sid"]) for s in sdts}, {(101, 101)})
        pf = [parse_eit(s) for s in ts_sections(ts, 0x12) if s[0] == 0x4E]
        self.assertGreaterEqual(len(pf), 6)
        # While red aired, the present event started at its planned instant.
        starts = {int(ev["start"].timestamp()) for e in pf if e["section"] == 0
                  for ev in e["events"]}
        self.assertIn(t0 // S, starts)

    def test_srt_caller_before_its_listener(self):
        """A caller whose listener is not up yet: the channel (here its HLS)
        stays on air, and the stream reaches the listener once it is up."""
        make_colour_asset(self, "blue", 4)
        import_station(self)
        srt_port = free_udp_port()
        hls = self.path("hls")
        proc = subprocess.Popen(self.command(
            "playout", "--channel", "balapan", "--hls", hls, "--segment", "2", "--rundown",
            write_rundown(self.path("r.json"), grid_now_us(1.0),
                          [{"asset": self.asset_for("blue.mp4")["id"]}]),
            "--srt", f"srt://127.0.0.1:{srt_port}?mode=caller&mux-rate={MUX_KBPS}",
            "--for", "12"), stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        out = self.path("listener.ts")
        listener = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i",
                                   f"srt://127.0.0.1:{srt_port}?mode=listener", "-t", "4",
                                   "-map", "0", "-c", "copy", "-f", "mpegts", out],
                                  capture_output=True, text=True, timeout=30)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(listener.returncode, 0, listener.stderr)
        self.assertGreater(float(ffprobe(out)["format"]["duration"]), 3.0)
        self.assertEqual(sorted(s["codec_name"] for s in ffprobe(out)["streams"]),
                         ["aac", "bin_data", "h264"])
        pl = parse_playlist(os.path.join(hls, "index.m3u8"))
        self.assertTrue(pl["endlist"])
        total = sum(s["duration"] for s in pl["segments"])
        self.assertGreater(total, 10.0, "HLS aired throughout")
        for a, b in zip(pl["segments"], pl["segments"][1:]):
            self.assertAlmostEqual(a["pdt"] + a["duration"], b["pdt"], delta=0.001)

    def test_bad_urls_refused(self):
        for url, pattern in (("udp://nohost", r"not a udp URL"),
                             ("udp://127.0.0.1:5000?ttl=999", r"ttl=999 is not a number in 0-255"),
                             ("udp://127.0.0.1:5000?mux-rate=abc", r"mux-rate=abc")):
            proc = self.sabaq("playout", "--channel", "x", "--rundown",
                              write_rundown(self.path("r.json"), grid_now_us(1.0),
                                            [{"asset": 1}]),
                              "--udp", url, "--for", "1", check=False)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertRegex(proc.stderr.strip().splitlines()[-1], pattern)


if __name__ == "__main__":
    main()
