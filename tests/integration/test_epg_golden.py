"""The committed golden outputs of the epg module (tests/golden/epg/, which
the unit tests test-epg-xmltv and test-epg-dvb compare byte for byte with
what the code writes) checked by independent tools: xmllint against
Debian's XMLTV DTD, tv_validate_file, Python's own XML parser, dvbinfo, and
a small DVB SI parser of this file's own (sections, CRC-32/MPEG-2, MJD/BCD,
0x15 UTF-8 text). The expected values are the fixture's as written in
tests/unit/test-epg-fixture.h, restated here in UTC."""
import datetime
import json
import os
import re
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "epg")
DTD = "/usr/share/xmltv/xmltv.dtd"
UTC = datetime.timezone.utc
KAZAKH_TITLE = ("Әліпби: Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і — "
                "\"тырнақша\" 'бір' & <бұрыш>")


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# (channel, start UTC, stop UTC, kk title, ru title) of the fixture.
FIXTURE = [
    ("balapan", utc(2026, 9, 1, 4, 0), utc(2026, 9, 1, 4, 30), KAZAKH_TITLE,
     "Алфавит: \"кавычки\" & <скобки>"),
    ("balapan", utc(2026, 9, 1, 4, 30), utc(2026, 9, 1, 4, 40), "Үзіліс", "Перерыв"),
    ("balapan", utc(2026, 9, 1, 4, 40), utc(2026, 9, 1, 5, 10), "Сандар 1-ден 10-ға дейін",
     "Числа от 1 до 10"),
    ("balapan", utc(2026, 9, 1, 18, 45), utc(2026, 9, 1, 19, 15), KAZAKH_TITLE, None),
    ("balapan", utc(2026, 9, 1, 23, 50), utc(2026, 9, 2, 0, 20), "Таңғы жаттығу", None),
    ("bilim-ru", utc(2024, 2, 29, 3, 0), utc(2024, 2, 29, 3, 45), None, "Дроби"),
    ("bilim-ru", utc(2024, 3, 1, 4, 0), utc(2024, 3, 1, 4, 45), "Ондық бөлшектер",
     "Десятичные дроби"),
]


def golden(name):
    with open(os.path.join(GOLDEN, name), "rb") as f:
        return f.read()


# ---- XMLTV ------------------------------------------------------------------

def xmltv_time(text):
    """'20260901090000 +0500' -> aware datetime."""
    m = re.fullmatch(r"(\d{14}) ([+-])(\d\d)(\d\d)", text)
    assert m, f"bad XMLTV time {text!r}"
    local = datetime.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    offset = datetime.timedelta(hours=int(m.group(3)), minutes=int(m.group(4)))
    if m.group(2) == "-":
        offset = -offset
    return local.replace(tzinfo=datetime.timezone(offset))


def validate_xmltv(testcase, path):
    """xmllint against the DTD and tv_validate_file, both offline."""
    proc = subprocess.run(["xmllint", "--noout", "--nonet", "--dtdvalid", DTD, path],
                          capture_output=True, text=True)
    errors = [line for line in proc.stderr.splitlines()
              if "failed to load external entity" not in line and line.strip()
              and not line.strip().startswith(("SYSTEM", "^"))]
    testcase.assertEqual(proc.returncode, 0, proc.stderr)
    testcase.assertEqual(errors, [], proc.stderr)
    proc = subprocess.run(["tv_validate_file", path], capture_output=True, text=True,
                          env=dict(os.environ, XMLTV_SUPPLEMENT="/usr/share/xmltv"))
    testcase.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


def xmltv_programmes(path):
    """[(channel id, start, stop, {lang: title})] in file order."""
    root = ET.parse(path).getroot()
    out = []
    for p in root.findall("programme"):
        titles = {t.get("lang"): t.text for t in p.findall("title")}
        out.append((p.get("channel"), xmltv_time(p.get("start")), xmltv_time(p.get("stop")),
                    titles, p))
    return root, out


# ---- DVB SI -----------------------------------------------------------------

def crc32_mpeg2(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else \
                (crc << 1) & 0xFFFFFFFF
    return crc


def split_sections(data):
    out = []
    i = 0
    while i < len(data):
        length = ((data[i + 1] & 0x0F) << 8 | data[i + 2]) + 3
        out.append(data[i:i + length])
        i += length
    return out


def bcd(b):
    return (b >> 4) * 10 + (b & 0x0F)


def mjd_utc(field):
    """40-bit MJD + BCD hh:mm:ss -> datetime (EN 300 468 Annex C)."""
    mjd = field[0] << 8 | field[1]
    day = datetime.date(1858, 11, 17) + datetime.timedelta(days=mjd)
    return datetime.datetime(day.year, day.month, day.day, bcd(field[2]), bcd(field[3]),
                             bcd(field[4]), tzinfo=UTC)


def bcd_duration(field):
    return datetime.timedelta(hours=bcd(field[0]), minutes=bcd(field[1]), seconds=bcd(field[2]))


def dvb_text(raw):
    """A DVB string: only 0x15 (UTF-8) is accepted here."""
    if not raw:
        return ""
    assert raw[0] == 0x15, f"text not marked UTF-8: {raw[:4]!r}"
    return raw[1:].decode("utf-8")  # raises on a cut sequence


def descriptors(data):
    out = []
    i = 0
    while i < len(data):
        tag, length = data[i], data[i + 1]
        body = data[i + 2:i + 2 + length]
        assert len(body) == length, "descriptor runs past its loop"
        out.append((tag, body))
        i += 2 + length
    return out


def parse_section(sec):
    """Header fields of a long-form section, after checking its CRC."""
    assert crc32_mpeg2(sec[:-4]) == int.from_bytes(sec[-4:], "big"), "bad CRC"
    assert sec[1] & 0x80, "section_syntax_indicator"
    return {"table_id": sec[0], "id": sec[3] << 8 | sec[4], "version": (sec[5] >> 1) & 0x1F,
            "current": sec[5] & 1, "section": sec[6], "last_section": sec[7]}


def parse_sdt(sec):
    h = parse_section(sec)
    h["tsid"], h["onid"] = h["id"], sec[8] << 8 | sec[9]
    services = []
    i = 11
    while i < len(sec) - 4:
        sid = sec[i] << 8 | sec[i + 1]
        flags = sec[i + 2]
        running = sec[i + 3] >> 5
        loop = (sec[i + 3] & 0x0F) << 8 | sec[i + 4]
        descs = descriptors(sec[i + 5:i + 5 + loop])
        services.append({"sid": sid, "eit_schedule": bool(flags & 2),
                         "eit_pf": bool(flags & 1), "running": running, "descs": descs})
        i += 5 + loop
    h["services"] = services
    return h


def parse_short_event(body):
    lang = body[:3].decode()
    n = body[3]
    name = dvb_text(body[4:4 + n])
    t = body[4 + n]
    text = dvb_text(body[5 + n:5 + n + t])
    assert 5 + n + t == len(body)
    return lang, name, text


def parse_eit(sec):
    h = parse_section(sec)
    h["sid"] = h["id"]
    h["tsid"], h["onid"] = sec[8] << 8 | sec[9], sec[10] << 8 | sec[11]
    h["segment_last"], h["last_table_id"] = sec[12], sec[13]
    events = []
    i = 14
    while i < len(sec) - 4:
        ev = {"event_id": sec[i] << 8 | sec[i + 1], "start": mjd_utc(sec[i + 2:i + 7]),
              "duration": bcd_duration(sec[i + 7:i + 10]), "running": sec[i + 10] >> 5}
        loop = (sec[i + 10] & 0x0F) << 8 | sec[i + 11]
        ev["descs"] = descriptors(sec[i + 12:i + 12 + loop])
        ev["short"] = {}
        ev["extended"] = {}
        ev["content"] = []
        for tag, body in ev["descs"]:
            if tag == 0x4D:
                lang, name, text = parse_short_event(body)
                ev["short"][lang] = (name, text)
            elif tag == 0x4E:
                lang = body[1:4].decode()
                assert body[4] == 0, "no items"
                ev["extended"].setdefault(lang, []).append(
                    (body[0] >> 4, body[0] & 0x0F, dvb_text(body[6:6 + body[5]])))
            elif tag == 0x54:
                ev["content"] += [body[k] for k in range(0, len(body), 2)]
        events.append(ev)
        i += 12 + loop
    assert i == len(sec) - 4, "event loop overruns the section"
    h["events"] = events
    return h


def packetize(sections_by_pid):
    """TS packets carrying sections (one section per packet start)."""
    packets = []
    cc = {}
    for pid, section in sections_by_pid:
        first = True
        i = 0
        while i < len(section):
            room = 183 if first else 184
            chunk = section[i:i + room]
            i += room
            counter = cc.get(pid, 0)
            cc[pid] = (counter + 1) % 16
            body = (b"\0" if first else b"") + chunk
            packets.append(bytes([0x47, (0x40 if first else 0) | pid >> 8, pid & 0xFF,
                                  0x10 | counter]) + body + b"\xff" * (184 - len(body)))
            first = False
    return b"".join(packets)


def pat(tsid, program, pmt_pid):
    body = bytes([0x00, 0xB0, 13, tsid >> 8, tsid & 0xFF, 0xC1, 0, 0, program >> 8,
                  program & 0xFF, 0xE0 | pmt_pid >> 8, pmt_pid & 0xFF])
    return body + crc32_mpeg2(body).to_bytes(4, "big")


def event_id_of(start):
    """sabaq's event ids: the start minute since the epoch, modulo 65536."""
    return int(start.timestamp()) // 60 % 65536


class XmltvGolden(unittest.TestCase):
    path = os.path.join(GOLDEN, "fixture.xml")

    def test_validates(self):
        validate_xmltv(self, self.path)

    def test_programmes_match_fixture(self):
        root, progs = xmltv_programmes(self.path)
        self.assertEqual([c.get("id") for c in root.findall("channel")],
                         ["balapan.sabaq", "bilim-ru.sabaq"])
        got = sorted((ch, start.astimezone(UTC), stop.astimezone(UTC), titles.get("kk"),
                      titles.get("ru")) for ch, start, stop, titles, _ in progs)
        want = sorted((f"{c}.sabaq", s, e, kk, ru) for c, s, e, kk, ru in FIXTURE)
        self.assertEqual(got, want)

    def test_offsets_follow_the_zone_history(self):
        _, progs = xmltv_programmes(self.path)
        for ch, start, _, _, elem in progs:
            offset = start.utcoffset()
            expected = 6 if start.astimezone(UTC) < utc(2024, 2, 29, 18, 0) else 5
            self.assertEqual(offset, datetime.timedelta(hours=expected), elem.get("start"))
            self.assertEqual(start.hour, 9 if ch == "bilim-ru.sabaq" else start.hour)

    def test_channel_language_first_and_episode_numbers(self):
        _, progs = xmltv_programmes(self.path)
        for ch, _, _, _, elem in progs:
            first = elem.find("title").get("lang")
            self.assertEqual(first, "kk" if ch == "balapan.sabaq" else "ru")
            for num in elem.findall("episode-num"):
                if num.get("system") == "xmltv_ns":
                    self.assertRegex(num.text, r"^\d+\.\d+\.$")
            for desc in elem.findall("desc"):
                self.assertTrue(desc.text and desc.text.strip())
        lesson = progs[0][4]
        self.assertEqual(lesson.find("sub-title").text, "1-сынып · Қазақ тілі · 3-сабақ")
        self.assertEqual([n.text for n in lesson.findall("episode-num")],
                         ["1-сынып, 3-сабақ", "0.2."])

    def test_m3u_ids_match_xmltv(self):
        text = golden("fixture.m3u").decode()
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("#EXTM3U "))
        self.assertIn('url-tvg="http://tv.example.kz/epg.xml"', lines[0])
        ids = re.findall(r'tvg-id="([^"]+)"', text)
        root, _ = xmltv_programmes(self.path)
        self.assertEqual(ids, [c.get("id") for c in root.findall("channel")])
        urls = [line for line in lines if not line.startswith("#")]
        self.assertEqual(urls, ["http://tv.example.kz/hls/balapan/index.m3u8",
                                "http://tv.example.kz/hls/bilim-ru/index.m3u8"])
        for line in lines:
            if line.startswith("#EXTINF"):
                attrs = line.split(",", 1)[0]
                self.assertEqual(attrs.count('"') % 2, 0)

    def test_json_day_across_midnight(self):
        day = json.loads(golden("fixture-day.json"))
        self.assertEqual(day["date"], "2026-09-02")
        # local 2 September: the 23:45 repeat (ends 00:15) and the 04:50 lesson
        self.assertEqual([(i["start"], i["end"], i["kind"]) for i in day["items"]],
                         [("2026-09-01T23:45:00+05:00", "2026-09-02T00:15:00+05:00", "repeat"),
                          ("2026-09-02T04:50:00+05:00", "2026-09-02T05:20:00+05:00", "lesson")])
        now_next = json.loads(golden("fixture-now-next.json"))
        self.assertEqual(now_next["now"]["kind"], "break")
        self.assertEqual(now_next["next"]["title_ru"], "Числа от 1 до 10")


class DvbGolden(unittest.TestCase):
    def test_sdt(self):
        sdt = parse_sdt(golden("sdt.bin"))
        self.assertEqual((sdt["table_id"], sdt["tsid"], sdt["onid"], sdt["version"]),
                         (0x42, 1, 0x2134, 3))
        (svc,) = sdt["services"]
        self.assertEqual((svc["sid"], svc["eit_schedule"], svc["eit_pf"], svc["running"]),
                         (101, True, True, 4))
        tags = [t for t, _ in svc["descs"]]
        self.assertEqual(tags, [0x48, 0x5D])
        body = svc["descs"][0][1]
        self.assertEqual(body[0], 0x19)
        n = body[1]
        self.assertEqual(dvb_text(body[2:2 + n]), "sabaq")
        self.assertEqual(dvb_text(body[3 + n:3 + n + body[2 + n]]), "Балапан")
        body = svc["descs"][1][1]
        names = []
        i = 0
        while i < len(body):
            lang = body[i:i + 3].decode()
            p = body[i + 3]
            s = body[i + 4 + p]
            names.append((lang, dvb_text(body[i + 4:i + 4 + p]),
                          dvb_text(body[i + 5 + p:i + 5 + p + s])))
            i += 5 + p + s
        self.assertEqual(names, [("kaz", "sabaq", "Балапан"), ("rus", "sabaq", "Балапан")])

    def check_event(self, ev, fixture_row):
        ch, start, stop, kk, ru = fixture_row
        self.assertEqual(ev["start"], start)
        self.assertEqual(ev["duration"], stop - start)
        self.assertEqual(ev["event_id"], event_id_of(start))
        if kk:
            self.assertEqual(ev["short"]["kaz"][0], kk)
        if ru:
            self.assertEqual(ev["short"]["rus"][0], ru)
        self.assertEqual(ev["content"], [] if kk == "Үзіліс" else [0x90])

    def test_eit_pf(self):
        sections = [parse_eit(s) for s in split_sections(golden("eit-pf.bin"))]
        self.assertEqual(len(sections), 2)
        for k, s in enumerate(sections):
            self.assertEqual((s["table_id"], s["section"], s["last_section"], s["segment_last"],
                              s["last_table_id"], s["sid"], s["version"]),
                             (0x4E, k, 1, 1, 0x4E, 101, 7))
        present, following = sections[0]["events"][0], sections[1]["events"][0]
        self.assertEqual(present["running"], 4)
        self.check_event(present, FIXTURE[1])
        self.check_event(following, FIXTURE[2])
        self.assertEqual(following["short"]["kaz"][1], "1-сынып · Математика · 4-сабақ")

    def test_eit_schedule(self):
        sections = [parse_eit(s) for s in split_sections(golden("eit-schedule.bin"))]
        self.assertEqual([s["section"] for s in sections], [0, 8, 16, 24, 32, 40, 48, 56])
        for s in sections:
            self.assertEqual((s["table_id"], s["last_section"], s["last_table_id"]),
                             (0x50, 56, 0x50))
            self.assertEqual(s["segment_last"], s["section"])
            # each event in its 3-hour segment from midnight UTC
            for ev in s["events"]:
                self.assertEqual(ev["start"].hour // 3, s["section"] // 8)
        events = [ev for s in sections for ev in s["events"]]
        rows = [r for r in FIXTURE if r[0] == "balapan"]
        self.assertEqual(len(events), len(rows))
        for ev, row in zip(events, rows):
            self.check_event(ev, row)
        first = events[0]
        self.assertEqual(first["short"]["kaz"][0], KAZAKH_TITLE)
        for letter in "ӘҒҚҢӨҰҮҺІ":
            self.assertIn(letter, first["short"]["kaz"][0])
        self.assertEqual(first["extended"]["kaz"],
                         [(0, 0, "Қазақ әліпбиінің ерекше әріптері: Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І.")])

    def test_dvbinfo_reads_them(self):
        """dvbinfo (libdvbpsi) decodes the same tables from a stream."""
        sdt = golden("sdt.bin")
        pf = split_sections(golden("eit-pf.bin"))
        items = []
        for _ in range(2):
            items += [(0, pat(1, 101, 0x100)), (0x11, sdt)] + [(0x12, s) for s in pf]
        with tempfile.NamedTemporaryFile(suffix=".ts") as f:
            f.write(packetize(items))
            f.flush()
            proc = subprocess.run(["dvbinfo", "-f", f.name, "-s", "table"],
                                  capture_output=True, timeout=30)
        out = proc.stdout.decode("utf-8", "replace")
        self.assertIn("SDT", out)
        self.assertRegex(out, r"Service id\s*:\s*0x65")
        self.assertRegex(out, r"EIT schedule : yes")
        self.assertRegex(out, r"EIT present\s*: yes")
        self.assertIn("Балапан", out)
        self.assertRegex(out, rf"Event id: {event_id_of(FIXTURE[1][1])}\b")
        self.assertRegex(out, rf"Event id: {event_id_of(FIXTURE[2][1])}\b")
        self.assertIn("Үзіліс", out)
        self.assertIn("Числа от 1 до 10", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
