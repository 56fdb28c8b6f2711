/* The catalog: creation, migrations, pragmas, the statement cache. */
#include "core/core.h"

#include <glib/gstdio.h>
#include <string.h>

static char *temp_db(void)
{
    g_autofree char *dir = g_dir_make_tmp("sabaq-test-XXXXXX", NULL);
    return g_build_filename(dir, "catalog.db", NULL);
}

static void test_open_migrates(void)
{
    g_autofree char *path = temp_db();
    g_autoptr(GError) error = NULL;
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sq_catalog_schema_version(cat), >, 0);
    /* foreign keys are enforced */
    g_assert_false(sq_catalog_exec(
        cat,
        "INSERT INTO asset_findings (asset_id, code, start_frames, length_frames, message)"
        " VALUES (42, 'x', 0, 0, 'x')",
        &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_DB);
}

static void test_reopen_keeps_version(void)
{
    g_autofree char *path = temp_db();
    int version;
    {
        g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
        g_assert_nonnull(cat);
        version = sq_catalog_schema_version(cat);
        g_assert_true(sq_catalog_exec(cat,
                                      "INSERT INTO lessons (subject, grade, number)"
                                      " VALUES ('math', 5, 1)",
                                      NULL));
    }
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
    g_assert_cmpint(sq_catalog_schema_version(cat), ==, version);
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, "SELECT count(*) FROM lessons", NULL);
    g_assert_nonnull(stmt);
    g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int(stmt, 0), ==, 1);
}

static void test_newer_schema_refused(void)
{
    g_autofree char *path = temp_db();
    {
        g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
        g_assert_true(sq_catalog_exec(cat, "PRAGMA user_version = 999", NULL));
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, &error);
    g_assert_null(cat);
    g_assert_error(error, SQ_ERROR, SQ_ERROR_DB);
    g_assert_nonnull(strstr(error->message, "newer"));
}

static void test_wal_mode(void)
{
    g_autofree char *path = temp_db();
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, "PRAGMA journal_mode", NULL);
    g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
    g_assert_cmpstr((const char *)sqlite3_column_text(stmt, 0), ==, "wal");
}

static void test_statement_cache(void)
{
    static const char sql[] = "SELECT ?1 + 1";
    g_autofree char *path = temp_db();
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
    sqlite3_stmt *a = sq_catalog_prepare(cat, sql, NULL);
    sqlite3_bind_int(a, 1, 41);
    g_assert_cmpint(sqlite3_step(a), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int(a, 0), ==, 42);
    sqlite3_stmt *b = sq_catalog_prepare(cat, sql, NULL);
    g_assert_true(a == b);
    /* reset and unbound: NULL + 1 is NULL */
    g_assert_cmpint(sqlite3_step(b), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_type(b, 0), ==, SQLITE_NULL);
}

static void test_rollback(void)
{
    g_autofree char *path = temp_db();
    g_autoptr(SqCatalog) cat = sq_catalog_open(path, NULL);
    g_assert_true(sq_catalog_begin_write(cat, NULL));
    g_assert_true(sq_catalog_exec(
        cat, "INSERT INTO lessons (subject, grade, number) VALUES ('math', 5, 1)", NULL));
    sq_catalog_rollback(cat);
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, "SELECT count(*) FROM lessons", NULL);
    g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int(stmt, 0), ==, 0);
}

static void test_time_formats(void)
{
    g_autoptr(GTimeZone) almaty = g_time_zone_new_identifier("Asia/Almaty");
    g_assert_nonnull(almaty);
    /* 2023-09-01 03:00 UTC: Almaty was UTC+6 then */
    g_autofree char *old = sq_format_rfc3339(G_GINT64_CONSTANT(1693537200) * SQ_SECOND_US, almaty);
    g_assert_cmpstr(old, ==, "2023-09-01T09:00:00+06:00");
    /* 2026-09-01 04:00 UTC: UTC+5 since March 2024 */
    g_autofree char *now = sq_format_rfc3339(G_GINT64_CONSTANT(1788235200) * SQ_SECOND_US, almaty);
    g_assert_cmpstr(now, ==, "2026-09-01T09:00:00+05:00");
    g_autofree char *tc = sq_format_timecode(25 * 3661 + 7);
    g_assert_cmpstr(tc, ==, "01:01:01.07");
    g_assert_cmpint(sq_us_to_frames_floor(79999), ==, 1);
    g_assert_cmpint(sq_us_to_frames_floor(-1), ==, -1);
}

static void test_identifiers(void)
{
    g_assert_true(sq_identifier_is_valid("kazakh-lang"));
    g_assert_true(sq_identifier_is_valid("math9"));
    g_assert_false(sq_identifier_is_valid("Math"));
    g_assert_false(sq_identifier_is_valid("-math"));
    g_assert_false(sq_identifier_is_valid(""));
    g_assert_false(sq_identifier_is_valid("ма"));
    g_assert_true(sq_language_is_valid("kk"));
    g_assert_false(sq_language_is_valid("en"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/catalog/open-migrates", test_open_migrates);
    g_test_add_func("/catalog/reopen-keeps-version", test_reopen_keeps_version);
    g_test_add_func("/catalog/newer-schema-refused", test_newer_schema_refused);
    g_test_add_func("/catalog/wal", test_wal_mode);
    g_test_add_func("/catalog/statement-cache", test_statement_cache);
    g_test_add_func("/catalog/rollback", test_rollback);
    g_test_add_func("/core/time-formats", test_time_formats);
    g_test_add_func("/core/identifiers", test_identifiers);
    return g_test_run();
}
