/* The guide from the published plan (epg/load.c) on a catalog whose plan
 * rows are inserted directly: newest published version per channel and
 * day, drafts ignored, fillers folded, titles from the lessons. */
#include "test-epg-fixture.h"

#include <glib/gstdio.h>

static const char rows[] =
    "INSERT INTO station VALUES (1, 'Asia/Almaty', 'station.xml', 0);"
    "INSERT INTO subjects VALUES ('math', 'Математика', 'Математика');"
    "INSERT INTO channels (id, language, service_id, name_kk, name_ru) "
    "  VALUES ('balapan', 'kk', 101, 'Балапан', 'Балапан');"
    "INSERT INTO channel_outputs VALUES ('balapan', 0, 'hls', 'hls/balapan');"
    "INSERT INTO lessons VALUES (1, 'math', 5, 12, 'Бөлшектер: Ә Ғ Қ Ң Ө Ұ Ү Һ І', 'Дроби',"
    "  NULL, NULL);"
    "INSERT INTO lessons VALUES (2, 'math', 5, 13, 'Ондық бөлшектер', NULL, NULL, NULL);"
    /* 2026-09-01 local = 2026-08-31T19:00Z .. 2026-09-01T19:00Z */
    "INSERT INTO plan_versions VALUES (1, 'balapan', '2026-09-01', 'published', 1,"
    "  1788202800000000, 1788289200000000, 0, 0, 'plan', NULL);"
    "INSERT INTO plan_versions VALUES (2, 'balapan', '2026-09-01', 'published', 2,"
    "  1788202800000000, 1788289200000000, 0, 0, 'edit', NULL);"
    "INSERT INTO plan_versions VALUES (3, 'balapan', '2026-09-02', 'draft', NULL,"
    "  1788289200000000, 1788375600000000, 0, NULL, 'plan', NULL);";

/* Items of version v: break to 09:00, lesson 09:00-09:28 + filler to 09:30,
 * lesson 09:30-10:00, break to midnight. */
static char *items_of(int v, int second_lesson)
{
    int64_t day = 1788202800000000, h9 = 1788235200000000, m = 60000000;
    return g_strdup_printf(
        "INSERT INTO plan_items (version_id, position, start_us, end_us, kind, is_hard, "
        "lesson_id, subject_id, grade, number, language) VALUES "
        "(%d, 0, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        ", 'filler', 0, NULL, NULL, NULL, NULL, NULL),"
        "(%d, 1, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'lesson', 1, 1, 'math', 5, 12, 'kk'),"
        "(%d, 2, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        ", 'filler', 0, NULL, NULL, NULL, NULL, NULL),"
        "(%d, 3, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'lesson', 1, %d, 'math', 5, %d, 'kk'),"
        "(%d, 4, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        ", 'break', 1, NULL, NULL, NULL, NULL, NULL);",
        v, day, h9, v, h9, h9 + 28 * m, v, h9 + 28 * m, h9 + 30 * m, v, h9 + 30 * m, h9 + 60 * m,
        second_lesson, 11 + second_lesson, v, h9 + 60 * m, day + 24 * 60 * m);
}

static void test_load(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("sabaq-epg-load-XXXXXX", &error);
    g_autofree char *db = g_build_filename(dir, "sabaq.db", NULL);
    g_autoptr(SqCatalog) cat = sq_catalog_open(db, &error);
    g_assert_no_error(error);
    g_autofree char *v1 = items_of(1, 1), *v2 = items_of(2, 2), *v3 = items_of(3, 2);
    g_assert_true(sq_catalog_exec(cat, rows, &error));
    g_assert_true(sq_catalog_exec(cat, v1, &error));
    g_assert_true(sq_catalog_exec(cat, v2, &error));
    g_assert_true(sq_catalog_exec(cat, v3, &error)); /* items of the draft */
    g_assert_no_error(error);

    g_autoptr(SqEpgGuide) g =
        sq_epg_guide_load(cat, NULL, T(2026, 8, 31, 0, 0), T(2026, 9, 3, 0, 0), &error);
    g_assert_no_error(error);
    size_t n = 0;
    const SqEpgProgramme *const *p = sq_epg_guide_programmes(g, "balapan", &n);
    g_assert_cmpuint(n, ==, 4); /* version 2 only; the draft day is not there */
    g_assert_cmpint(p[0]->kind, ==, SQ_EPG_KIND_BREAK);
    g_assert_cmpint(p[1]->start_us, ==, T(2026, 9, 1, 4, 0));
    g_assert_cmpint(p[1]->end_us, ==, T(2026, 9, 1, 4, 30)); /* filler folded */
    g_assert_cmpstr(p[1]->title_kk, ==, "Бөлшектер: Ә Ғ Қ Ң Ө Ұ Ү Һ І");
    g_assert_cmpstr(p[1]->title_ru, ==, "Дроби");
    g_assert_cmpstr(p[1]->subject_kk, ==, "Математика");
    g_assert_cmpint(p[1]->grade, ==, 5);
    g_assert_cmpint(p[1]->lesson_number, ==, 12);
    g_assert_cmpstr(p[2]->title_kk, ==, "Ондық бөлшектер"); /* from version 2 */
    g_assert_cmpint(p[2]->lesson_number, ==, 13);
    g_assert_cmpint(p[3]->kind, ==, SQ_EPG_KIND_BREAK);
    const SqEpgChannel *ch = sq_epg_guide_channel(g, "balapan");
    g_assert_cmpstr(ch->timezone, ==, "Asia/Almaty");
    g_assert_cmpstr(ch->hls_path, ==, "hls/balapan");

    g_autoptr(SqEpgGuide) none = sq_epg_guide_load(cat, "nope", 0, 1, &error);
    g_assert_null(none);
    g_assert_cmpstr(error->message, ==, "no channel 'nope' in the catalog");
    sq_catalog_free(g_steal_pointer(&cat));
    g_autofree char *wal = g_strdup_printf("%s-wal", db), *shm = g_strdup_printf("%s-shm", db);
    g_unlink(db);
    g_unlink(wal);
    g_unlink(shm);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epg/load/published", test_load);
    return g_test_run();
}
