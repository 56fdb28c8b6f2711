/* Manifest CSVs (ingest/manifest.c): RFC 4180 quoting, line ends, the
 * byte-order mark, header handling, and one message per wrong row. */
#include "ingest/ingest_private.h"

#include <glib/gstdio.h>
#include <string.h>

#define CSV_PATH "/data/batch/lessons.csv"
#define HEADER   "file,subject,grade,number,language,title,description,tags\n"

typedef struct {
    GPtrArray *entries;
    GPtrArray *row_errors;
    GError *error;
} Parsed;

static void parsed_clear(Parsed *p)
{
    if (p->entries)
        g_ptr_array_unref(p->entries);
    if (p->row_errors)
        g_ptr_array_unref(p->row_errors);
    g_clear_error(&p->error);
    memset(p, 0, sizeof(*p));
}

static void parse(Parsed *p, const char *text, gssize length)
{
    memset(p, 0, sizeof(*p));
    p->entries = sq_manifest_parse(CSV_PATH, text, length < 0 ? strlen(text) : (gsize)length,
                                   &p->row_errors, &p->error);
    g_assert_nonnull(p->row_errors);
    g_assert_true((p->entries != NULL) == (p->error == NULL));
}

static const SqManifestEntry *entry(const Parsed *p, guint i)
{
    g_assert_nonnull(p->entries);
    g_assert_cmpuint(i, <, p->entries->len);
    return p->entries->pdata[i];
}

static void assert_errors(const Parsed *p, const char *const *expected)
{
    guint n = 0;
    while (expected[n])
        n++;
    for (guint i = 0; i < p->row_errors->len && i < n; i++)
        g_assert_cmpstr(p->row_errors->pdata[i], ==, expected[i]);
    g_assert_cmpuint(p->row_errors->len, ==, n);
}

static void test_quotes(void)
{
    Parsed p;
    parse(&p,
          HEADER "fractions.mp4,math,5,12,kk,\"Бөлшектер, аралас сандар\","
                 "\"Жай \"\"бөлшектер\"\",\nаралас сандар\",\n"
                 "/abs/path/newton.mov,physics,7,2,ru,Законы Ньютона,,\n"
                 "\"sub dir/a,b.mp4\",kazakh-lang,1,1,kk,\"\",,\n",
          -1);
    g_assert_no_error(p.error);
    assert_errors(&p, (const char *[]){NULL});
    g_assert_cmpuint(p.entries->len, ==, 3);
    const SqManifestEntry *e = entry(&p, 0);
    g_assert_cmpstr(e->file, ==, "/data/batch/fractions.mp4");
    g_assert_cmpint(e->line, ==, 2);
    g_assert_cmpstr(e->meta.subject, ==, "math");
    g_assert_cmpint(e->meta.grade, ==, 5);
    g_assert_cmpint(e->meta.number, ==, 12);
    g_assert_cmpstr(e->meta.language, ==, "kk");
    g_assert_cmpstr(e->meta.title, ==, "Бөлшектер, аралас сандар");
    g_assert_cmpstr(e->meta.description, ==, "Жай \"бөлшектер\",\nаралас сандар");
    g_assert_null(e->meta.filler_tags);
    e = entry(&p, 1);
    g_assert_cmpint(e->line, ==, 4); /* the quoted line break counts */
    g_assert_cmpstr(e->file, ==, "/abs/path/newton.mov");
    g_assert_cmpstr(e->meta.title, ==, "Законы Ньютона");
    g_assert_null(e->meta.description);
    e = entry(&p, 2);
    g_assert_cmpstr(e->file, ==, "/data/batch/sub dir/a,b.mp4");
    g_assert_null(e->meta.title); /* empty means absent */
    parsed_clear(&p);
}

static void test_crlf_bom_and_blank_lines(void)
{
    Parsed p;
    parse(&p,
          "\xEF\xBB\xBF"
          "file,subject,grade,number,language\r\n"
          "\r\n"
          "a.mp4,math,5,1,kk\r\n"
          ",,,,\r\n"
          "   \r\n"
          "b.mp4,math,5,2,ru\r\n"
          "\r\n",
          -1);
    g_assert_no_error(p.error);
    assert_errors(&p, (const char *[]){NULL});
    g_assert_cmpuint(p.entries->len, ==, 2);
    g_assert_cmpstr(entry(&p, 0)->file, ==, "/data/batch/a.mp4");
    g_assert_cmpint(entry(&p, 0)->line, ==, 3);
    g_assert_cmpstr(entry(&p, 0)->meta.language, ==, "kk");
    g_assert_cmpstr(entry(&p, 1)->file, ==, "/data/batch/b.mp4");
    g_assert_cmpint(entry(&p, 1)->line, ==, 6);
    g_assert_cmpstr(entry(&p, 1)->meta.language, ==, "ru"); /* no stray \r */
    parsed_clear(&p);

    /* Last row without a line end; header names in any case and order. */
    parse(&p, "Language, FILE ,Number,Grade,Subject\nkk,a.mp4,3,4,music", -1);
    g_assert_no_error(p.error);
    g_assert_cmpuint(p.entries->len, ==, 1);
    g_assert_cmpstr(entry(&p, 0)->file, ==, "/data/batch/a.mp4");
    g_assert_cmpstr(entry(&p, 0)->meta.subject, ==, "music");
    g_assert_cmpint(entry(&p, 0)->meta.grade, ==, 4);
    g_assert_cmpint(entry(&p, 0)->meta.number, ==, 3);
    parsed_clear(&p);

    /* A header and nothing else is an empty batch, not an error. */
    parse(&p, HEADER, -1);
    g_assert_no_error(p.error);
    g_assert_cmpuint(p.entries->len, ==, 0);
    assert_errors(&p, (const char *[]){NULL});
    parsed_clear(&p);
}

static void test_bad_headers(void)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"file,subject,grade,number,language,teacher\n", "lessons.csv:1: unknown column 'teacher'"},
        {"subject,grade,number,language\nmath,5,1,kk\n",
         "lessons.csv:1: the header has no 'file' column"},
        {"file,subject,file\n", "lessons.csv:1: column 'file' appears twice"},
        {"", "lessons.csv:1: no header row"},
        {"\"file,subject\n", "lessons.csv:1: no header row"},
        {"file,subject,title\na.mp4,math,\xC0\xAF\n", "lessons.csv: not UTF-8 text"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Parsed p;
        parse(&p, cases[i].text, -1);
        g_assert_null(p.entries);
        g_assert_error(p.error, SQ_ERROR, SQ_ERROR_INVALID);
        g_assert_cmpstr(p.error->message, ==, cases[i].message);
        parsed_clear(&p);
    }
}

static void test_bad_rows(void)
{
    Parsed p;
    parse(&p,
          HEADER "ok1.mp4,math,5,1,kk,,,\n"             /* 2 */
                 "g12.mp4,math,12,1,kk,,,\n"            /* 3 */
                 "g0.mp4,math,0,1,kk,,,\n"              /* 4 */
                 "five.mp4,math,five,1,kk,,,\n"         /* 5 */
                 "en.mp4,math,5,1,en,,,\n"              /* 6 */
                 "caps.mp4,Math,5,1,kk,,,\n"            /* 7 */
                 "nonum.mp4,math,5,,kk,,,\n"            /* 8 */
                 ",math,5,1,kk,,,\n"                    /* 9 */
                 "short.mp4,math,5\n"                   /* 10 */
                 "\"multi\nline.mp4\",math,5,1,xx,,,\n" /* 11-12 */
                 "ok2.mp4,math,5,2,ru,,,\n"             /* 13 */
                 "nolang.mp4,math,5,3,,,,\n"            /* 14 */
                 "bigno.mp4,math,5,10000,kk,,,\n"       /* 15 */
                 "open.mp4,math,5,1,kk,\"never closed,,\n",
          -1);
    g_assert_no_error(p.error);
    assert_errors(&p, (const char *[]){
                          "lessons.csv:3: grade 12 is outside 1-11",
                          "lessons.csv:4: grade 0 is outside 1-11",
                          "lessons.csv:5: grade 'five' is not a whole number",
                          "lessons.csv:6: language 'en' is not kk or ru",
                          "lessons.csv:7: subject 'Math' is not an identifier (lowercase "
                          "letters, digits, hyphens)",
                          "lessons.csv:8: lesson number is missing",
                          "lessons.csv:9: file is missing",
                          "lessons.csv:10: 3 fields, the header has 8",
                          "lessons.csv:11: language 'xx' is not kk or ru",
                          "lessons.csv:14: language is missing (kk or ru)",
                          "lessons.csv:15: lesson number 10000 is outside 1-9999",
                          "lessons.csv:16: a quoted field is not closed",
                          NULL,
                      });
    g_assert_cmpuint(p.entries->len, ==, 2);
    g_assert_cmpstr(entry(&p, 0)->file, ==, "/data/batch/ok1.mp4");
    g_assert_cmpstr(entry(&p, 1)->file, ==, "/data/batch/ok2.mp4");
    g_assert_cmpint(entry(&p, 1)->line, ==, 13);
    parsed_clear(&p);
}

static void test_fillers(void)
{
    Parsed p;
    parse(&p,
          HEADER "ident.mp4,,,,,Балапан,,ident\n"
                 "promo.mp4,,,,,,,\"promo, autumn-2025\"\n"
                 "bad.mp4,,,,,,,Ident\n"
                 "spaces.mp4,,,,,,,\" , \"\n",
          -1);
    g_assert_no_error(p.error);
    assert_errors(&p, (const char *[]){
                          "lessons.csv:4: tag 'Ident' is not an identifier (lowercase letters, "
                          "digits, hyphens)",
                          "lessons.csv:5: a filler needs at least one tag",
                          NULL,
                      });
    g_assert_cmpuint(p.entries->len, ==, 2);
    const SqManifestEntry *e = entry(&p, 0);
    g_assert_true(sq_lesson_meta_is_filler(&e->meta));
    g_assert_cmpstr(e->meta.filler_tags, ==, "ident");
    g_assert_cmpstr(e->meta.title, ==, "Балапан");
    g_assert_null(e->meta.subject);
    g_assert_cmpint(e->meta.grade, ==, SQ_META_ABSENT);
    e = entry(&p, 1);
    g_assert_cmpstr(e->meta.filler_tags, ==, "promo, autumn-2025");
    g_assert_true(sq_lesson_meta_validate(&e->meta, NULL));
    parsed_clear(&p);
}

static void test_load(void)
{
    g_autofree char *dir = g_dir_make_tmp("sabaq-manifest-XXXXXX", NULL);
    g_autofree char *csv = g_build_filename(dir, "lessons.csv", NULL);
    g_assert_true(g_file_set_contents(csv, HEADER "a.mp4,math,5,1,kk,,,\n", -1, NULL));
    g_autoptr(GPtrArray) errors = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) rows = sq_manifest_load(csv, &errors, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(rows->len, ==, 1);
    g_autofree char *expected = g_build_filename(dir, "a.mp4", NULL);
    g_assert_cmpstr(((SqManifestEntry *)rows->pdata[0])->file, ==, expected);
    g_remove(csv);
    g_rmdir(dir);

    g_autoptr(GPtrArray) errors2 = NULL;
    g_autoptr(GPtrArray) none = sq_manifest_load(csv, &errors2, &error);
    g_assert_null(none);
    g_assert_error(error, SQ_ERROR, SQ_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "lessons.csv"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ingest/manifest/quotes", test_quotes);
    g_test_add_func("/ingest/manifest/crlf-bom-blank-lines", test_crlf_bom_and_blank_lines);
    g_test_add_func("/ingest/manifest/bad-headers", test_bad_headers);
    g_test_add_func("/ingest/manifest/bad-rows", test_bad_rows);
    g_test_add_func("/ingest/manifest/fillers", test_fillers);
    g_test_add_func("/ingest/manifest/load", test_load);
    return g_test_run();
}
