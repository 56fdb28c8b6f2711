/* What airs when (playout/timeline.c): from the published plan in a
 * temporary catalog (newest version, across midnight, gaps to the house
 * loop, assets that cannot air) and from a rundown. */
#include "playout/playout_private.h"

#include <string.h>

#define S  G_GINT64_CONSTANT(1000000)
#define T0 G_GINT64_CONSTANT(1788400800000000) /* 2026-09-03T02:00:00Z, 07:00 in Almaty */

static void exec(SqCatalog *cat, const char *sql)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sq_catalog_exec(cat, sql, &error));
    g_assert_no_error(error);
}

static SqCatalog *catalog(char **dir)
{
    *dir = g_dir_make_tmp("sq-tl-XXXXXX", NULL);
    g_autofree char *db = g_build_filename(*dir, "sabaq.db", NULL);
    g_autoptr(GError) error = NULL;
    SqCatalog *cat = sq_catalog_open(db, &error);
    g_assert_no_error(error);
    exec(cat, "INSERT INTO assets (id, kind, tags, path, source_name, source_sha256, profile,"
              " duration_frames, width, height, video_peak_kbps, status, ingested_us,"
              " updated_us) VALUES"
              " (1, 'slate', 'slate', 'a/slate.mp4', 's', 'h1', 'test', 250, 320, 180, 1,"
              "  'approved', 0, 0),"
              " (2, 'filler', 'house-loop', 'a/loop.mp4', 'l', 'h2', 'test', 500, 320, 180, 1,"
              "  'approved', 0, 0),"
              " (3, 'filler', 'ident', 'a/red.mp4', 'red.mp4', 'h3', 'test', 100, 320, 180, 1,"
              "  'ready', 0, 0),"
              " (4, 'filler', 'ident', '/abs/green.mp4', 'green.mp4', 'h4', 'test', 100, 320,"
              "  180, 1, 'withdrawn', 0, 0)");
    return cat;
}

static void version(SqCatalog *cat, int id, const char *day, int number, int64_t start_us,
                    int64_t end_us)
{
    g_autofree char *sql = g_strdup_printf(
        "INSERT INTO plan_versions (id, channel_id, day, state, version, start_us, end_us,"
        " created_us, published_us, origin) VALUES (%d, 'ch', '%s', 'published', %d, "
        "%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 0, 0, 'plan')",
        id, day, number, start_us, end_us);
    exec(cat, sql);
}

static void item(SqCatalog *cat, int version_id, int position, int64_t start_us, int64_t end_us,
                 const char *kind, int asset)
{
    g_autofree char *sql = g_strdup_printf(
        "INSERT INTO plan_items (version_id, position, start_us, end_us, kind, asset_id) VALUES"
        " (%d, %d, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', %d)",
        version_id, position, start_us, end_us, kind, asset);
    exec(cat, sql);
}

static void test_plan(void)
{
    g_autofree char *dir = NULL;
    SqCatalog *cat = catalog(&dir);
    /* Day one [T0, T0+10 s): red then green; version 2 replaces green by red. */
    version(cat, 1, "2026-09-03", 1, T0, T0 + 10 * S);
    item(cat, 1, 0, T0, T0 + 4 * S, "lesson", 3);
    item(cat, 1, 1, T0 + 4 * S, T0 + 10 * S, "filler", 4);
    /* The next day starts where it ends, then a gap before a third. */
    version(cat, 3, "2026-09-04", 1, T0 + 10 * S, T0 + 20 * S);
    item(cat, 3, 0, T0 + 10 * S, T0 + 20 * S, "filler", 3);
    version(cat, 4, "2026-09-05", 1, T0 + 30 * S, T0 + 40 * S);
    item(cat, 4, 0, T0 + 30 * S, T0 + 40 * S, "filler", 3);

    Timeline *tl = timeline_new_plan(cat, "ch");
    timeline_set_library(tl, "/lib");
    Item it;
    g_autoptr(GError) error = NULL;

    /* Before any plan: the house loop up to the first version. */
    g_assert_true(timeline_item_at(tl, T0 - 5 * S, &it, &error));
    g_assert_cmpstr(it.source, ==, "loop");
    g_assert_cmpint(it.start_us, ==, T0 - 5 * S);
    g_assert_cmpint(it.end_us, ==, T0);
    g_assert_cmpstr(it.reason, ==, "no published plan");
    item_clear(&it);

    g_assert_true(timeline_item_at(tl, T0 + 2 * S, &it, &error));
    g_assert_cmpstr(it.source, ==, "plan");
    g_assert_cmpint(it.start_us, ==, T0);
    g_assert_cmpint(it.end_us, ==, T0 + 4 * S);
    g_assert_cmpstr(it.path, ==, "/lib/a/red.mp4");
    g_assert_cmpint(it.plan_version, ==, 1);
    g_assert_cmpstr(it.title, ==, "red.mp4");
    item_clear(&it);

    /* A withdrawn asset cannot air: no path, a reason. */
    g_assert_true(timeline_item_at(tl, T0 + 5 * S, &it, &error));
    g_assert_null(it.path);
    g_assert_cmpstr(it.reason, ==, "asset 4 is withdrawn");
    item_clear(&it);

    /* A newer version of the day wins. */
    version(cat, 2, "2026-09-03", 2, T0, T0 + 10 * S);
    item(cat, 2, 0, T0, T0 + 6 * S, "lesson", 3);
    item(cat, 2, 1, T0 + 6 * S, T0 + 10 * S, "filler", 4);
    g_assert_true(timeline_item_at(tl, T0 + 5 * S, &it, &error));
    g_assert_cmpint(it.plan_version, ==, 2);
    g_assert_cmpint(it.end_us, ==, T0 + 6 * S);
    g_assert_nonnull(it.path);
    item_clear(&it);

    /* Across midnight, then a gap between days. */
    g_assert_true(timeline_item_at(tl, T0 + 10 * S, &it, &error));
    g_assert_cmpint(it.start_us, ==, T0 + 10 * S);
    item_clear(&it);
    g_assert_true(timeline_item_at(tl, T0 + 25 * S, &it, &error));
    g_assert_cmpstr(it.source, ==, "loop");
    g_assert_cmpint(it.end_us, ==, T0 + 30 * S);
    item_clear(&it);
    /* After the last plan: an hour of loop, then ask again. */
    g_assert_true(timeline_item_at(tl, T0 + 50 * S, &it, &error));
    g_assert_cmpint(it.end_us, ==, T0 + 50 * S + 3600 * S);
    item_clear(&it);

    g_autofree char *slate = NULL, *loop = NULL;
    g_assert_true(house_assets_find(cat, "/lib", &slate, &loop, &error));
    g_assert_cmpstr(slate, ==, "/lib/a/slate.mp4");
    g_assert_cmpstr(loop, ==, "/lib/a/loop.mp4");

    timeline_free(tl);
    sq_catalog_free(cat);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

static void test_rundown(void)
{
    SqRundown *rd = g_new0(SqRundown, 1);
    rd->start_us = T0;
    rd->entries = g_ptr_array_new();
    SqRundownEntry a = {.path = "/x/a.mp4", .in_frames = 50, .duration_frames = 100};
    SqRundownEntry b = {.path = "/x/b.mp4", .duration_frames = 25, .title = "B"};
    g_ptr_array_add(rd->entries, &a);
    g_ptr_array_add(rd->entries, &b);
    Timeline *tl = timeline_new_rundown(rd);
    Item it;
    g_assert_true(timeline_item_at(tl, T0 - S, &it, NULL));
    g_assert_cmpstr(it.reason, ==, "before the rundown");
    g_assert_cmpint(it.end_us, ==, T0);
    item_clear(&it);
    g_assert_true(timeline_item_at(tl, T0 + 4 * S - 1, &it, NULL));
    g_assert_cmpstr(it.path, ==, "/x/a.mp4");
    g_assert_cmpint(it.in_frames, ==, 50);
    item_clear(&it);
    g_assert_true(timeline_item_at(tl, T0 + 4 * S, &it, NULL));
    g_assert_cmpstr(it.title, ==, "B");
    g_assert_cmpint(it.end_us, ==, T0 + 5 * S);
    item_clear(&it);
    g_assert_true(timeline_item_at(tl, T0 + 5 * S, &it, NULL));
    g_assert_cmpstr(it.reason, ==, "after the rundown");
    item_clear(&it);
    /* The entries are the test's: detach them before the rundown goes. */
    g_ptr_array_set_size(rd->entries, 0);
    timeline_free(tl);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/playout/timeline/plan", test_plan);
    g_test_add_func("/playout/timeline/rundown", test_rundown);
    return g_test_run();
}
