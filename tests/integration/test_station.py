"""`sabaq import station.xml`: the example of the station format is accepted
as written; broken files are refused with a line number and leave the
catalog exactly as it was (one transaction)."""
import sqlite3

from sabaq_test import SabaqTestCase, main

EXAMPLE = """<station xmlns="urn:sabaq:station:1" timezone="Asia/Almaty">
  <subject id="math"><name lang="kk">Математика</name><name lang="ru">Математика</name></subject>
  <subject id="kazakh-lang"><name lang="kk">Қазақ тілі</name><name lang="ru">Казахский язык</name></subject>
  <channel id="balapan" language="kk" service-id="101">
    <name lang="kk">Балапан</name><name lang="ru">Балапан</name>
    <output type="hls" path="hls/balapan"/>
    <output type="udp" url="udp://239.1.1.1:1234?ttl=1"/>
    <filler pool="ident promo"/>   <!-- what fills gaps: tags of filler assets -->
  </channel>
  <calendar>
    <term from="2026-09-01" to="2026-10-25"/>
    <term from="2026-11-03" to="2026-12-28"/>
    <holiday date="2026-10-26"><name lang="kk">Республика күні</name><name lang="ru">День Республики</name></holiday>
  </calendar>
  <grid channel="balapan" days="mon tue wed thu fri">
    <slot start="09:00" length="30:00" grade="1" subject="math"/>
    <slot start="09:30" length="10:00" kind="break"/>
    <slot start="09:40" length="30:00" grade="1" subject="kazakh-lang"/>
    <slot start="14:00" length="30:00" grade="5" subject="math" language="ru"/>
    <slot start="19:00" length="30:00" repeat="09:00"/>
  </grid>
</station>
"""

TABLES = ("station", "subjects", "channels", "channel_outputs", "calendar_terms",
          "calendar_holidays", "grids", "slots")


class StationImportTest(SabaqTestCase):
    seeded = False

    def write(self, name, text):
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def dump(self):
        with sqlite3.connect(self.db) as db:
            # imported_us changes on every import; the rest must not.
            return {t: sorted(map(repr, db.execute(
                f"SELECT * FROM {t}" if t != "station" else
                "SELECT id, timezone, source FROM station").fetchall())) for t in TABLES}

    def import_ok(self, text=EXAMPLE, name="station.xml"):
        return self.sabaq("import", self.write(name, text))

    def test_example_accepted_as_written(self):
        out = self.import_ok()
        self.assertEqual(out.stdout.strip(), "station.xml: imported 2 subjects, 1 channel, "
                         "1 grid with 5 slots, 2 terms, 1 holiday")
        d = self.dump()
        self.assertEqual(len(d["slots"]), 5)
        with sqlite3.connect(self.db) as db:
            rows = db.execute("SELECT start_s, length_frames, kind, grade, subject_id, language,"
                              " repeat_of_s FROM slots ORDER BY start_s").fetchall()
            self.assertEqual(rows, [
                (9 * 3600, 30 * 60 * 25, "lesson", 1, "math", "kk", None),
                (9 * 3600 + 1800, 10 * 60 * 25, "break", None, None, None, None),
                (9 * 3600 + 2400, 30 * 60 * 25, "lesson", 1, "kazakh-lang", "kk", None),
                (14 * 3600, 30 * 60 * 25, "lesson", 5, "math", "ru", None),
                (19 * 3600, 30 * 60 * 25, "repeat", None, None, None, 9 * 3600),
            ])
            self.assertEqual(db.execute("SELECT days FROM grids").fetchone()[0], 0b0011111)
            self.assertEqual(db.execute("SELECT name_kk, filler_tags, service_id FROM channels")
                             .fetchone(), ("Балапан", "ident promo", 101))
            self.assertEqual(db.execute("SELECT name_ru FROM calendar_holidays").fetchone()[0],
                             "День Республики")

    def test_reimport_updates(self):
        self.import_ok()
        changed = EXAMPLE.replace('<name lang="ru">Балапан</name>',
                                  '<name lang="ru">Балапан ТВ</name>').replace(
            '    <slot start="14:00" length="30:00" grade="5" subject="math" language="ru"/>\n', "")
        self.import_ok(changed)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT name_ru FROM channels").fetchone()[0],
                             "Балапан ТВ")
            self.assertEqual(db.execute("SELECT count(*) FROM slots").fetchone()[0], 4)

    def assertRefused(self, text, pattern):
        self.import_ok()
        before = self.dump()
        proc = self.sabaq("import", self.write("broken.xml", text), check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertRegex(lines[0], r"^sabaq: broken\.xml:\d+: " + pattern)
        self.assertEqual(self.dump(), before, "a refused file changed the catalog")
        return lines[0]

    def test_schema_violation(self):
        line = self.assertRefused(EXAMPLE.replace('<filler pool="ident promo"/>',
                                                  '<filler pool="ident promo"/><logo/>'), ".*")
        self.assertIn("broken.xml:8:", line)

    def test_bad_grade(self):
        self.assertRefused(EXAMPLE.replace('grade="5"', 'grade="12"'), ".*")

    def test_unknown_subject(self):
        line = self.assertRefused(EXAMPLE.replace('subject="kazakh-lang"', 'subject="physics"'),
                                  "unknown subject 'physics'")
        self.assertIn("broken.xml:18:", line)

    def test_overlapping_slots(self):
        line = self.assertRefused(EXAMPLE.replace('<slot start="09:30" length="10:00"',
                                                  '<slot start="09:20" length="10:00"'),
                                  "slot at 09:20 overlaps the slot at 09:00")
        self.assertIn("broken.xml:17:", line)

    def test_slot_crossing_midnight(self):
        self.assertRefused(EXAMPLE.replace('<slot start="19:00" length="30:00" repeat="09:00"/>',
                                           '<slot start="23:45" length="30:00" grade="1" '
                                           'subject="math"/>'),
                           "slot at 23:45 \\(30:00 long\\) crosses midnight")

    def test_external_entity_refused(self):
        text = ('<?xml version="1.0"?>\n<!DOCTYPE station [<!ENTITY x SYSTEM '
                '"file:///etc/passwd">]>\n' + EXAMPLE.replace(
                    '<name lang="kk">Балапан</name>', '<name lang="kk">&x;</name>'))
        line = self.assertRefused(text, "a DOCTYPE is not allowed")
        self.assertNotIn("root:", line)

    def test_unknown_time_zone(self):
        self.assertRefused(EXAMPLE.replace("Asia/Almaty", "Asia/Nowhere"),
                           "unknown time zone 'Asia/Nowhere'")

    def test_unknown_channel(self):
        self.assertRefused(EXAMPLE.replace('<grid channel="balapan"', '<grid channel="el-arna"'),
                           "unknown channel 'el-arna'")

    def test_repeat_of_nothing(self):
        self.assertRefused(EXAMPLE.replace('repeat="09:00"', 'repeat="10:00"'),
                           'repeat="10:00" names no lesson slot of this grid')

    def test_two_grids_overlap_on_a_shared_day(self):
        second = ('  <grid channel="balapan" days="fri sat">\n'
                  '    <slot start="14:10" length="30:00" grade="2" subject="math"/>\n'
                  '  </grid>\n</station>\n')
        self.assertRefused(EXAMPLE.replace("</station>\n", second),
                           "slot overlaps the slot of line 19 on a day both grids")

    def test_not_xml(self):
        self.import_ok()
        before = self.dump()
        proc = self.sabaq("import", self.write("broken.xml", "<station"), check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"^sabaq: broken\.xml:\d+: ")
        self.assertEqual(self.dump(), before)


if __name__ == "__main__":
    main()
