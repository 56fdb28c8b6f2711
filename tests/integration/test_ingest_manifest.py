"""Batches from a manifest CSV: RFC 4180 quoting with commas, quotes and
line breaks in fields, Kazakh and Russian text, a byte-order mark and CRLF
line ends, paths relative to the CSV, a filler row; wrong rows reported as
"lessons.csv:N: ..." while the others go in."""
import os
import sqlite3

from sabaq_test import SabaqTestCase, ffmpeg_generate, main

H264_AAC = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]


class Manifest(SabaqTestCase):
    def make(self, relpath, seconds=10.5):
        """A distinct source (the tone differs per name: identical bytes
        would be one asset)."""
        path = self.path("batch", relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        frequency = 300 + sum(relpath.encode()) % 500
        return ffmpeg_generate(path, video="testsrc2=s=160x120:r=25", audio=f"sine=f={frequency}",
                               duration=seconds, args=H264_AAC)

    def write_csv(self, rows):
        path = self.path("batch", "lessons.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\ufeff" + "\r\n".join(rows) + "\r\n")
        return path

    def test_batch_with_quotes_kazakh_text_a_filler_and_bad_rows(self):
        for name in ("fractions.mp4", "newton.mp4", "grade12.mp4", "sub/alphabet.mp4"):
            self.make(name)
        self.make("ident.mp4", seconds=3)
        csv = self.write_csv([
            # line 1
            "file,subject,grade,number,language,title,description,tags",
            # lines 2-3: a description with a comma, quotes and a line break
            'fractions.mp4,math,5,12,kk,"Бөлшектер, аралас сандар",'
            '"Жай бөлшектер, ""аралас"" сандар',
            'және олармен амалдар",',
            # line 4
            "grade12.mp4,math,12,1,kk,Тым жоғары,,",
            # line 5: blank, skipped
            "",
            # lines 6-10
            "newton.mp4,physics,7,2,ru,\"Законы Ньютона, часть 1\",,",
            "sub/alphabet.mp4,kazakh-lang,1,1,kk,Әліпби: Ә әрпі,,",
            "missing.mp4,math,5,13,kk,Жоқ файл,,",
            "ident.mp4,,,,,Балапан,,ident",
            "newton.mp4,Physics,7,3,ru,,,",
            # line 11
            "fractions.mp4,math,5",
        ])
        before = self.snapshot()
        proc = self.sabaq("ingest", "--profile", "test", "--manifest", csv, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        errors = proc.stderr.splitlines()
        self.assertIn("sabaq: lessons.csv:4: grade 12 is outside 1-11", errors)
        self.assertIn("sabaq: lessons.csv:10: subject 'Physics' is not an identifier "
                      "(lowercase letters, digits, hyphens)", errors)
        self.assertIn("sabaq: lessons.csv:11: 3 fields, the header has 8", errors)
        self.assertEqual(len([e for e in errors if "missing.mp4" in e]), 1, errors)
        self.assertEqual(len(errors), 4, errors)
        ingested = sorted(line.split(":")[0] for line in proc.stdout.splitlines())
        self.assertEqual(ingested, ["alphabet.mp4", "fractions.mp4", "ident.mp4", "newton.mp4"])

        assets = {a["source"]: a for a in self.lesson_assets()}
        self.assertEqual(set(assets), {"alphabet.mp4", "fractions.mp4", "ident.mp4", "newton.mp4"})
        a = assets["fractions.mp4"]
        self.assertEqual((a["kind"], a["subject"], a["grade"], a["number"], a["language"],
                          a["title"]), ("lesson", "math", 5, 12, "kk", "Бөлшектер, аралас сандар"))
        a = assets["newton.mp4"]
        self.assertEqual((a["subject"], a["grade"], a["number"], a["language"], a["title"]),
                         ("physics", 7, 2, "ru", "Законы Ньютона, часть 1"))
        self.assertEqual(assets["alphabet.mp4"]["title"], "Әліпби: Ә әрпі")
        ident = assets["ident.mp4"]
        self.assertEqual((ident["kind"], ident["tags"], ident["grade"], ident["title"]),
                         ("filler", ["ident"], None, "Балапан"))
        self.assertEqual(ident["duration_frames"], 75)
        con = sqlite3.connect(self.db)
        description = con.execute("SELECT description_kk FROM lessons WHERE subject = 'math'"
                                  " AND grade = 5 AND number = 12").fetchone()[0]
        con.close()
        # The line break inside the quotes is kept as it was written (CRLF).
        self.assertEqual(description, 'Жай бөлшектер, "аралас" сандар\r\nжәне олармен амалдар')
        self.assertEqual(len(self.snapshot()["library"]) - len(before["library"]), 4)

    def test_unreadable_manifests_change_nothing(self):
        self.make("fractions.mp4")
        before = self.snapshot()
        cases = {
            "unknown column": (["file,subject,grade,number,language,teacher",
                                "fractions.mp4,math,5,1,kk,Сәуле"],
                               "sabaq: lessons.csv:1: unknown column 'teacher'"),
            "no file column": (["subject,grade,number,language", "math,5,1,kk"],
                               "sabaq: lessons.csv:1: the header has no 'file' column"),
        }
        for what, (rows, message) in cases.items():
            with self.subTest(what):
                csv = self.write_csv(rows)
                proc = self.sabaq("ingest", "--profile", "test", "--manifest", csv, check=False)
                self.assertEqual(proc.returncode, 1)
                self.assertEqual(proc.stderr, message + "\n")
                self.assertEqual(proc.stdout, "")
                self.assertUnchanged(before, what)
        proc = self.sabaq("ingest", "--profile", "test", "--manifest", self.path("nope.csv"),
                          check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertRegex(proc.stderr, r"\Asabaq: .*nope\.csv.*\n\Z")
        self.assertUnchanged(before, "by a missing manifest")


if __name__ == "__main__":
    main()
