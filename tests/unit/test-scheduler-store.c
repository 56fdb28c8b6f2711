/* The scheduler against a catalog: drafts, publishing, published days kept
 * by later plans, sequences continued from stored plans, explicit edits as
 * new versions, the JSON of a day, and all-or-nothing failures. Dates are
 * in 2030 so that edits are in the future. */
#include "scheduler/scheduler.h"

#include <glib/gstdio.h>
#include <string.h>

static const char station[] =
    "<station xmlns=\"urn:sabaq:station:1\" timezone=\"Asia/Almaty\">\n"
    "  <subject id=\"math\"><name lang=\"kk\">Математика</name></subject>\n"
    "  <channel id=\"balapan\" language=\"kk\" service-id=\"101\">\n"
    "    <name lang=\"kk\">Балапан</name><filler pool=\"ident\"/>\n"
    "  </channel>\n"
    "  <channel id=\"el-arna\" language=\"ru\" service-id=\"102\">\n"
    "    <name lang=\"ru\">Ел Арна</name><filler pool=\"ident\"/>\n"
    "  </channel>\n"
    "  <grid channel=\"balapan\" days=\"mon tue wed thu fri\">\n"
    "    <slot start=\"09:00\" length=\"30:00\" grade=\"5\" subject=\"math\"/>\n"
    "    <slot start=\"19:00\" length=\"30:00\" repeat=\"09:00\"/>\n"
    "  </grid>\n"
    "  <grid channel=\"el-arna\" days=\"mon tue wed thu fri\">\n"
    "    <slot start=\"10:00\" length=\"30:00\" grade=\"5\" subject=\"math\"/>\n"
    "  </grid>\n"
    "</station>\n";

typedef struct {
    char *dir;
    SqCatalog *cat;
} Fixture;

static void exec_ok(SqCatalog *cat, const char *sql)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sq_catalog_exec(cat, sql, &error));
    g_assert_no_error(error);
}

/* Math grade 5 lessons 1..12, kk and ru, 28 min; two idents; a slate. */
static void fill_catalog(SqCatalog *cat)
{
    GString *sql = g_string_new("BEGIN;");
    for (int n = 1; n <= 12; n++) {
        g_string_append_printf(sql,
                               "INSERT INTO lessons (id, subject, grade, number, title_kk, "
                               "title_ru) VALUES (%d, 'math', 5, %d, 'Сабақ %d', 'Урок %d');",
                               n, n, n, n);
        for (int lang = 0; lang < 2; lang++)
            g_string_append_printf(
                sql,
                "INSERT INTO assets (id, kind, lesson_id, language, title, path, source_name, "
                "source_sha256, profile, duration_frames, width, height, video_peak_kbps, "
                "status, ingested_us, updated_us) VALUES (%d, 'lesson', %d, '%s', NULL, "
                "'a/%d.mp4', 's', 'sha%d', 'test', %d, 320, 180, 400, 'approved', 0, 0);",
                n * 10 + lang, n, lang ? "ru" : "kk", n * 10 + lang, n * 10 + lang, 28 * 60 * 25);
    }
    g_string_append(sql,
                    "INSERT INTO assets (id, kind, title, tags, path, source_name, source_sha256,"
                    " profile, duration_frames, width, height, video_peak_kbps, status,"
                    " ingested_us, updated_us) VALUES"
                    " (1001, 'filler', 'Ident', 'ident', 'f/1.mp4', 's', 'f1', 'test', 250, 320,"
                    "  180, 400, 'approved', 0, 0),"
                    " (1002, 'filler', 'Ident 2', 'ident', 'f/2.mp4', 's', 'f2', 'test', 4500,"
                    "  320, 180, 400, 'approved', 0, 0),"
                    " (1003, 'slate', 'Slate', 'slate', 'f/3.mp4', 's', 'f3', 'test', 250, 320,"
                    "  180, 400, 'approved', 0, 0);"
                    "COMMIT;");
    exec_ok(cat, sql->str);
    g_string_free(sql, TRUE);
}

static void fixture_set_up(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GError) error = NULL;
    f->dir = g_dir_make_tmp("sabaq-sched-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(f->dir, "sabaq.db", NULL);
    g_autofree char *xml = g_build_filename(f->dir, "station.xml", NULL);
    f->cat = sq_catalog_open(db, &error);
    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(xml, station, -1, NULL));
    SqStationSummary s;
    g_assert_true(sq_station_import(f->cat, xml, &s, &error));
    g_assert_no_error(error);
    fill_catalog(f->cat);
}

static void fixture_tear_down(Fixture *f, gconstpointer data)
{
    (void)data;
    sq_catalog_free(f->cat);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
}

static int64_t count(SqCatalog *cat, const char *sql)
{
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, NULL);
    g_assert_nonnull(stmt);
    g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return n;
}

static void refresh(SqCatalog *cat, const char *channel, const char *day, int n, SqPlanRefresh *r)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sq_plan_refresh(cat, channel, day, n, r, &error));
    g_assert_no_error(error);
}

static char *day_json(SqCatalog *cat, const char *channel, const char *day, int version)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, &error);
    g_autoptr(SqPlanDay) d = sq_plan_day_load(cat, channel, day, version, NULL, &error);
    g_assert_no_error(error);
    g_autoptr(JsonNode) node = sq_plan_day_to_json(cat, d, tz, &error);
    g_assert_no_error(error);
    return json_to_string(node, FALSE);
}

/* The lesson number airing at 09:00 (balapan) of a stored day. */
static int lesson_number(SqCatalog *cat, const char *channel, const char *day, int version)
{
    g_autoptr(SqPlanDay) d = sq_plan_day_load(cat, channel, day, version, NULL, NULL);
    g_assert_nonnull(d);
    for (guint i = 0; i < d->items->len; i++) {
        const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, i);
        if (it->kind == SQ_ITEM_LESSON)
            return it->number;
    }
    return 0;
}

/* 2030-09-02 is a Monday. */
static void test_draft_publish_keep(Fixture *f, gconstpointer data)
{
    (void)data;
    SqPlanRefresh r;
    refresh(f->cat, NULL, "2030-09-02", 5, &r);
    g_assert_cmpint(r.days_planned, ==, 10);
    g_assert_cmpint(r.days_kept, ==, 0);
    g_assert_cmpint(r.conflicts, ==, 0);
    sq_plan_refresh_clear(&r);
    g_autofree char *draft = day_json(f->cat, "balapan", "2030-09-03", 0);

    g_autoptr(GError) error = NULL;
    SqPublishResult pub;
    g_assert_true(sq_plan_publish(f->cat, "balapan", "2030-09-02", 3, &pub, &error));
    g_assert_no_error(error);
    g_assert_cmpint(pub.published, ==, 3);
    g_assert_cmpint(count(f->cat, "SELECT count(*) FROM plan_versions WHERE channel_id ="
                                  " 'balapan' AND state = 'published' AND version = 1"),
                    ==, 3);
    /* Published as it was drafted. */
    g_autofree char *published = day_json(f->cat, "balapan", "2030-09-03", 1);
    g_assert_cmpstr(draft, ==, published);

    /* A lesson withdrawn: a new plan keeps the published days as they are
     * and re-plans the rest, sequences continuing from what was published. */
    exec_ok(f->cat, "UPDATE assets SET status = 'withdrawn' WHERE id = 20");
    refresh(f->cat, "balapan", "2030-09-02", 5, &r);
    g_assert_cmpint(r.days_kept, ==, 3);
    g_assert_cmpint(r.days_planned, ==, 2);
    sq_plan_refresh_clear(&r);
    g_autofree char *kept = day_json(f->cat, "balapan", "2030-09-03", 0);
    g_assert_cmpstr(kept, ==, published);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-04", 0), ==, 3);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-05", 0), ==, 4);
    /* Publishing again: the kept days have no draft and stay at version 1. */
    g_assert_true(sq_plan_publish(f->cat, "balapan", "2030-09-02", 5, &pub, &error));
    g_assert_cmpint(pub.published, ==, 2);
    g_assert_cmpint(pub.unchanged, ==, 3);
}

/* Planning week by week continues the sequences as one plan would. */
static void test_sequences_continue(Fixture *f, gconstpointer data)
{
    (void)data;
    SqPlanRefresh r;
    refresh(f->cat, "balapan", "2030-09-02", 7, &r);
    sq_plan_refresh_clear(&r);
    refresh(f->cat, "balapan", "2030-09-09", 7, &r);
    sq_plan_refresh_clear(&r);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-06", 0), ==, 5);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-09", 0), ==, 6);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-13", 0), ==, 10);
    /* The Russian channel's own sequence of the same series. */
    refresh(f->cat, "el-arna", "2030-09-02", 3, &r);
    sq_plan_refresh_clear(&r);
    g_assert_cmpint(lesson_number(f->cat, "el-arna", "2030-09-02", 0), ==, 1);
    /* Past the last lesson (12): conflicts, printed with date, time and
     * channel. */
    refresh(f->cat, "balapan", "2030-09-16", 5, &r);
    g_assert_cmpint(r.conflicts, ==, 3);
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(f->cat, NULL);
    const SqPlanDay *d = r.days->pdata[2];
    g_autofree char *line = sq_conflict_format(d->conflicts->pdata[0], "balapan", tz);
    g_assert_cmpstr(line, ==,
                    "2030-09-18 09:00 balapan: grade 5 math (kk): lesson 13 is not in the "
                    "catalog; airing lesson 12 again");
    sq_plan_refresh_clear(&r);
}

/* The same inputs, twice, in two catalogs: the same JSON byte for byte. */
static void test_deterministic_json(Fixture *f, gconstpointer data)
{
    (void)data;
    Fixture other;
    fixture_set_up(&other, NULL);
    SqPlanRefresh r;
    refresh(f->cat, NULL, "2030-09-02", 3, &r);
    sq_plan_refresh_clear(&r);
    refresh(other.cat, NULL, "2030-09-02", 3, &r);
    sq_plan_refresh_clear(&r);
    for (int i = 2; i <= 4; i++) {
        g_autofree char *day = g_strdup_printf("2030-09-%02d", i);
        g_autofree char *a = day_json(f->cat, "balapan", day, 0);
        g_autofree char *b = day_json(other.cat, "balapan", day, 0);
        g_assert_cmpstr(a, ==, b);
    }
    g_autofree char *json = day_json(f->cat, "balapan", "2030-09-02", 0);
    g_assert_nonnull(strstr(json, "\"start\":\"2030-09-02T09:00:00+05:00\",\"end\":"
                                  "\"2030-09-02T09:28:00+05:00\",\"kind\":\"lesson\","
                                  "\"asset\":10,\"subject\":\"math\",\"grade\":5,\"number\":1,"
                                  "\"language\":\"kk\",\"title\":\"Сабақ 1\",\"hard\":true"));
    g_assert_nonnull(strstr(json, "\"start\":\"2030-09-02T19:00:00+05:00\",\"end\":"
                                  "\"2030-09-02T19:28:00+05:00\",\"kind\":\"repeat\","
                                  "\"asset\":10"));
    g_assert_true(g_str_has_prefix(json, "[{\"start\":\"2030-09-02T00:00:00+05:00\""));
    fixture_tear_down(&other, NULL);
}

static void test_edit_versions(Fixture *f, gconstpointer data)
{
    (void)data;
    SqPlanRefresh r;
    refresh(f->cat, "balapan", "2030-09-02", 1, &r);
    sq_plan_refresh_clear(&r);
    g_autoptr(GError) error = NULL;
    int version = 0;
    g_autoptr(GDateTime) nine = g_date_time_new_utc(2030, 9, 2, 4, 0, 0);
    int64_t at = g_date_time_to_unix(nine) * SQ_SECOND_US;
    /* A draft cannot be edited: plan it instead. */
    g_assert_false(sq_plan_edit(f->cat, "balapan", at, 70, NULL, &version, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND);
    g_clear_error(&error);
    SqPublishResult pub;
    g_assert_true(sq_plan_publish(f->cat, "balapan", "2030-09-02", 1, &pub, NULL));
    g_assert_true(sq_plan_edit(f->cat, "balapan", at, 70, "wrong lesson", &version, &error));
    g_assert_no_error(error);
    g_assert_cmpint(version, ==, 2);
    g_autoptr(GArray) versions = sq_plan_day_versions(f->cat, "balapan", "2030-09-02", NULL);
    g_assert_cmpint(versions->len, ==, 2);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-02", 1), ==, 1);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-02", 0), ==, 7);
    SqPlanVersionInfo info = {0};
    g_autoptr(SqPlanDay) v2 = sq_plan_day_load(f->cat, "balapan", "2030-09-02", 0, &info, NULL);
    g_assert_cmpstr(info.origin, ==, "edit");
    g_assert_cmpstr(info.note, ==, "wrong lesson");
    sq_plan_version_info_clear(&info);
    g_assert_true(sq_plan_day_check(v2, NULL));
    /* Refused edits change nothing. */
    int64_t before = count(f->cat, "SELECT count(*) FROM plan_versions");
    g_assert_false(sq_plan_edit(f->cat, "balapan", at + 1000, 70, NULL, &version, &error));
    g_clear_error(&error);
    g_assert_false(sq_plan_edit(f->cat, "balapan", at, 9999, NULL, &version, &error));
    g_clear_error(&error);
    g_assert_false(sq_plan_edit(f->cat, "balapan",
                                sq_now_us() / SQ_FRAME_US * SQ_FRAME_US - SQ_SECOND_US * 3600, 70,
                                NULL, &version, &error));
    g_assert_nonnull(strstr(error->message, "already aired"));
    g_assert_cmpint(count(f->cat, "SELECT count(*) FROM plan_versions"), ==, before);
    /* The next plan keeps the edited day and continues from lesson 7. */
    refresh(f->cat, "balapan", "2030-09-02", 2, &r);
    sq_plan_refresh_clear(&r);
    g_assert_cmpint(lesson_number(f->cat, "balapan", "2030-09-03", 0), ==, 8);
}

/* Publishing a range with a day that has no draft changes nothing. */
static void test_publish_all_or_nothing(Fixture *f, gconstpointer data)
{
    (void)data;
    SqPlanRefresh r;
    refresh(f->cat, "balapan", "2030-09-02", 2, &r);
    sq_plan_refresh_clear(&r);
    g_autoptr(GError) error = NULL;
    SqPublishResult pub;
    g_assert_false(sq_plan_publish(f->cat, "balapan", "2030-09-02", 3, &pub, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "2030-09-04"));
    g_assert_cmpint(count(f->cat, "SELECT count(*) FROM plan_versions WHERE state = 'published'"),
                    ==, 0);
    g_clear_error(&error);
    g_assert_false(sq_plan_publish(f->cat, "nope", "2030-09-02", 1, &pub, &error));
    g_clear_error(&error);
    g_assert_false(sq_plan_refresh(f->cat, "nope", "2030-09-02", 1, &r, &error));
    g_assert_nonnull(strstr(error->message, "no channel 'nope'"));
    g_clear_error(&error);
    g_assert_false(sq_plan_refresh(f->cat, NULL, "2030-02-30", 1, &r, &error));
    g_assert_nonnull(strstr(error->message, "not a date"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/scheduler/store/draft-publish-keep", Fixture, NULL, fixture_set_up,
               test_draft_publish_keep, fixture_tear_down);
    g_test_add("/scheduler/store/sequences-continue", Fixture, NULL, fixture_set_up,
               test_sequences_continue, fixture_tear_down);
    g_test_add("/scheduler/store/deterministic-json", Fixture, NULL, fixture_set_up,
               test_deterministic_json, fixture_tear_down);
    g_test_add("/scheduler/store/edit-versions", Fixture, NULL, fixture_set_up, test_edit_versions,
               fixture_tear_down);
    g_test_add("/scheduler/store/publish-all-or-nothing", Fixture, NULL, fixture_set_up,
               test_publish_all_or_nothing, fixture_tear_down);
    return g_test_run();
}
