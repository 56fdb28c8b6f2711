"""Helpers for the playout tests: assets that can be told apart from the
output alone (solid colours with tones of distinct frequencies), rundowns
starting a few seconds ahead, and readers of the HLS and TS outputs that
use only ffprobe/ffmpeg and Python (never sabaq itself)."""
import datetime
import json
import os
import re
import subprocess
import time

from sabaq_test import ffmpeg_generate

FRAME_US = 40000
AAC_FRAME_S = 1024 / 48000

# name -> (lavfi colour, RGB it decodes to roughly, tone Hz)
COLOURS = {
    "red": ("red", (255, 0, 0), 440),
    "green": ("lime", (0, 255, 0), 880),
    "blue": ("blue", (0, 0, 255), 1760),
    "yellow": ("yellow", (255, 255, 0), 660),
}


def make_colour_asset(case, name, seconds=10):
    """Ingests a solid-colour filler with its tone; returns its asset row."""
    colour, _, tone = COLOURS[name]
    src = ffmpeg_generate(case.path(f"{name}.mp4"),
                          f"color=c={colour}:s=320x180:r=25:d={seconds}",
                          f"sine=f={tone}:r=48000:d={seconds}",
                          args=["-c:v", "libx264", "-c:a", "aac", "-shortest"])
    case.sabaq("ingest", "--profile", "test", "--filler", name, src)
    return case.asset_for(f"{name}.mp4")


def grid_now_us(ahead_s=0.0):
    """Now plus ahead_s, on the 40 ms frame grid, UTC microseconds."""
    t = int((time.time() + ahead_s) * 1e6)
    return t // FRAME_US * FRAME_US


def write_rundown(path, start_us, items):
    with open(path, "w") as f:
        json.dump({"start_us": start_us, "items": items}, f)
    return path


def parse_playlist(path):
    """The media playlist as a dict: tags and a list of segments, each
    {uri, duration, pdt (UTC seconds), discontinuity}."""
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    assert lines[0] == "#EXTM3U", lines[0]
    pl = {"segments": [], "endlist": False}
    seg = {}
    for line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            pl["target"] = int(line.split(":")[1])
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            pl["sequence"] = int(line.split(":")[1])
        elif line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE:"):
            pl["discontinuity_sequence"] = int(line.split(":")[1])
        elif line == "#EXT-X-DISCONTINUITY":
            seg["discontinuity"] = True
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            text = line.split(":", 1)[1].replace("Z", "+00:00")
            seg["pdt"] = datetime.datetime.fromisoformat(text).timestamp()
        elif line.startswith("#EXTINF:"):
            seg["duration"] = float(line.split(":")[1].rstrip(","))
        elif line == "#EXT-X-ENDLIST":
            pl["endlist"] = True
        elif line.startswith("#"):
            pl.setdefault("other", []).append(line)
        else:
            seg["uri"] = line
            seg.setdefault("discontinuity", False)
            pl["segments"].append(seg)
            seg = {}
    return pl


def packets(path, stream):
    """(pts seconds, is key) of stream 'v' or 'a' of path, in decode order."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                          "packet=pts_time,flags", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    return [(float(p["pts_time"]), "K" in p["flags"]) for p in json.loads(out)["packets"]]


def frame_colours(path):
    """Per decoded video frame of path: (pts seconds, mean (r, g, b))."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                            "frame=pts_time", "-of", "json", path],
                           capture_output=True, text=True, check=True).stdout
    pts = [float(f["pts_time"]) for f in json.loads(probe)["frames"]]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v",
                          "-vf", "scale=4:4", "-fps_mode", "passthrough", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    n = len(raw) // 48
    assert n == len(pts), f"{n} decoded frames, {len(pts)} timestamps"
    result = []
    for i in range(n):
        px = raw[i * 48:(i + 1) * 48]
        rgb = tuple(sum(px[c::3]) / 16 for c in range(3))
        result.append((pts[i], rgb))
    return result


def colour_name(rgb):
    for name, (_, ref, _) in COLOURS.items():
        if all(abs(a - b) < 60 for a, b in zip(rgb, ref)):
            return name
    return "other"


def tone_hz(path, at_s, length_s=0.4):
    """The frequency of the audio of path from at_s (seconds of its own
    timeline from the start), by counting zero crossings."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", str(at_s), "-i", path,
                          "-t", str(length_s), "-map", "0:a", "-ac", "1", "-f", "s16le",
                          "-ar", "48000", "-"], capture_output=True, check=True).stdout
    samples = [int.from_bytes(raw[i:i + 2], "little", signed=True)
               for i in range(0, len(raw) - 1, 2)]
    crossings = sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / 48000) if samples else 0.0


def concat_segments(hls_dir, segments, out):
    """The listed segments joined byte for byte (MPEG-TS concatenates)."""
    with open(out, "wb") as f:
        for s in segments:
            with open(os.path.join(hls_dir, s["uri"]), "rb") as seg:
                f.write(seg.read())
    return out


def ts_packet_check(path):
    """Reads a transport stream file: per PID the continuity-counter errors,
    and the PCR values (27 MHz) with their byte positions."""
    cc = {}
    errors = 0
    pcrs = []
    with open(path, "rb") as f:
        data = f.read()
    for pos in range(0, len(data) - 187, 188):
        p = data[pos:pos + 188]
        if p[0] != 0x47:
            raise AssertionError(f"lost sync at byte {pos}")
        pid = ((p[1] & 0x1F) << 8) | p[2]
        afc = (p[3] >> 4) & 3
        counter = p[3] & 0x0F
        if afc & 2 and p[4] > 0 and p[5] & 0x10:
            b = p[6:12]
            base = (b[0] << 25) | (b[1] << 17) | (b[2] << 9) | (b[3] << 1) | (b[4] >> 7)
            ext = ((b[4] & 1) << 8) | b[5]
            pcrs.append((pos, base * 300 + ext))
        if pid == 0x1FFF:
            continue
        if afc & 1:  # carries payload: the counter must step by one
            if pid in cc and counter != (cc[pid] + 1) % 16:
                discontinuity = afc & 2 and p[4] > 0 and p[5] & 0x80
                if not discontinuity:
                    errors += 1
            cc[pid] = counter
    return {"cc_errors": errors, "pcrs": pcrs, "bytes": len(data), "pids": set(cc)}


STATION = """<?xml version="1.0" encoding="UTF-8"?>
<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">
  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>
  <channel id="balapan" language="kk" service-id="101">
    <name lang="kk">Балапан</name><name lang="ru">Балапан</name>
    {outputs}
  </channel>
  <channel id="el-arna" language="ru" service-id="102">
    <name lang="kk">Ел Арна</name><name lang="ru">Ел Арна</name>
    {outputs2}
  </channel>
  <calendar><term from="2026-01-01" to="2030-12-28"/></calendar>
</station>
"""


def import_station(case, outputs="", outputs2=""):
    path = case.path("station.xml")
    with open(path, "w") as f:
        f.write(STATION.format(outputs=outputs, outputs2=outputs2))
    case.sabaq("import", path)


def free_udp_port():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class UdpReceiver:
    """Receives datagrams on 127.0.0.1:port in a thread, noting each
    one's arrival time and size, and keeping the bytes."""

    def __init__(self, port):
        import socket
        import threading
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.datagrams = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        import socket
        while not self.stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            self.datagrams.append((time.time(), data))

    def finish(self, path):
        self.stop = True
        self.thread.join()
        self.sock.close()
        with open(path, "wb") as f:
            for _, d in self.datagrams:
                f.write(d)
        return path


ALMATY = datetime.timezone(datetime.timedelta(hours=5))  # the test station's zone since 2024


def publish_plan(db, channel, items, filler_asset, note="test"):
    """Publishes a version of the local day holding items [(start_us,
    end_us, kind, asset_id)] (contiguous), padded to local midnight on both
    sides with filler_asset, written with Python's sqlite3 the way the
    scheduler stores a published day (migration 3's tables). Returns the
    version number."""
    import sqlite3
    first = items[0][0]
    local = datetime.datetime.fromtimestamp(first / 1e6, ALMATY)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    day_start = int(midnight.timestamp()) * 1000000
    day_end = day_start + 86400 * 1000000
    day = midnight.strftime("%Y-%m-%d")
    rows = []
    if first > day_start:
        rows.append((day_start, first, "filler", filler_asset))
    rows += items
    if items[-1][1] < day_end:
        rows.append((items[-1][1], day_end, "filler", filler_asset))
    con = sqlite3.connect(db)
    with con:
        version = con.execute("SELECT coalesce(max(version), 0) + 1 FROM plan_versions "
                              "WHERE channel_id = ? AND day = ?", (channel, day)).fetchone()[0]
        now = int(time.time() * 1e6)
        cur = con.execute("INSERT INTO plan_versions (channel_id, day, state, version, start_us,"
                          " end_us, created_us, published_us, origin, note) VALUES"
                          " (?, ?, 'published', ?, ?, ?, ?, ?, 'plan', ?)",
                          (channel, day, version, day_start, day_end, now, now, note))
        vid = cur.lastrowid
        for i, (s, e, kind, asset) in enumerate(rows):
            con.execute("INSERT INTO plan_items (version_id, position, start_us, end_us, kind,"
                        " asset_id, is_hard) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (vid, i, s, e, kind, asset, 1 if kind == "lesson" else 0))
    con.close()
    return version


def asrun_rows(db, channel):
    import sqlite3
    con = sqlite3.connect(db)
    rows = con.execute("SELECT planned_start_us, planned_end_us, actual_start_us, aired_frames,"
                       " asset_id, source, plan_version, status, reason FROM asrun"
                       " WHERE channel_id = ? ORDER BY id", (channel,)).fetchall()
    con.close()
    keys = ("planned_start_us", "planned_end_us", "actual_start_us", "aired_frames", "asset_id",
            "source", "plan_version", "status", "reason")
    return [dict(zip(keys, r)) for r in rows]


def colour_timeline(case, hls):
    """[(UTC seconds, colour name)] of every frame listed in hls's playlist,
    segments after a discontinuity placed by their own PDT."""
    pl = parse_playlist(os.path.join(hls, "index.m3u8"))
    result = []
    for seg in pl["segments"]:
        path = os.path.join(hls, seg["uri"])
        frames = frame_colours(path)
        pts0 = frames[0][0]
        result += [(seg["pdt"] + pts - pts0, colour_name(rgb)) for pts, rgb in frames]
    return pl, result


def runs(timeline):
    """Collapses a colour timeline into [(colour, first UTC, frames)]."""
    out = []
    for t, c in timeline:
        if out and out[-1][0] == c and abs(out[-1][1] + out[-1][2] * 0.04 - t) < 0.002:
            out[-1][2] += 1
        else:
            out.append([c, t, 1])
    return out


def ts_sections(path, pid, positions=False):
    """The PSI/SI sections carried on pid in a transport stream file,
    reassembled from packets (pointer_field honoured). With positions:
    (index of the packet where the section was completed, section)."""
    with open(path, "rb") as f:
        data = f.read()
    sections = []
    buf = b""
    started = False
    for pos in range(0, len(data) - 187, 188):
        p = data[pos:pos + 188]
        if (((p[1] & 0x1F) << 8) | p[2]) != pid:
            continue
        afc = (p[3] >> 4) & 3
        payload = p[4:] if afc == 1 else p[5 + p[4]:] if afc == 3 else b""
        if p[1] & 0x40:  # payload unit start
            pointer = payload[0]
            if started:
                buf += payload[1:1 + pointer]
            buf = _flush_sections(buf, sections)
            buf = payload[1 + pointer:]
            started = True
        elif started:
            buf += payload
        before = len(sections)
        buf = _flush_sections(buf, sections, keep=True)
        if positions:
            for k in range(before, len(sections)):
                sections[k] = (pos // 188, sections[k])
    return sections


def _flush_sections(buf, sections, keep=False):
    while len(buf) >= 3 and buf[0] != 0xFF:
        length = ((buf[1] & 0x0F) << 8 | buf[2]) + 3
        if len(buf) < length:
            return buf if keep else b""
        sections.append(buf[:length])
        buf = buf[length:]
    return b"" if not keep or (buf and buf[0] == 0xFF) else buf


def spawn(case, cmd, **kwargs):
    """Popen whose process is killed when the test ends, however it ends
    (a failed test must not leave a channel on air)."""
    proc = subprocess.Popen(cmd, **kwargs)

    def reap():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    case.addCleanup(reap)
    return proc
