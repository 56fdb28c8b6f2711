/* The library folder (ingest/library.c): temporaries held by a lock, the
 * sweep that removes only what dead writers and crashes left, hashing. */
#include "ingest/ingest_private.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct {
    char *dir;
    char *library;
    SqCatalog *cat;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->dir = g_dir_make_tmp("sabaq-library-XXXXXX", NULL);
    f->library = g_build_filename(f->dir, "library", NULL);
    g_autofree char *db = g_build_filename(f->dir, "sabaq.db", NULL);
    f->cat = sq_catalog_open(db, NULL);
    g_assert_nonnull(f->cat);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    sq_catalog_free(f->cat);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->library);
    g_free(f->dir);
}

static void write_file(const char *path, const char *text)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void test_temp_survives_sweep_while_held(Fixture *f, gconstpointer data)
{
    (void)data;
    SqTempFile tmp;
    g_autoptr(GError) error = NULL;
    g_assert_true(library_temp_create(f->library, "ab12", &tmp, &error));
    g_assert_no_error(error);
    g_assert_true(g_str_has_suffix(tmp.path, ".partial"));
    g_assert_true(sq_library_sweep(f->cat, f->library, &error));
    g_assert_true(g_file_test(tmp.path, G_FILE_TEST_EXISTS));
    g_autofree char *path = g_strdup(tmp.path);
    library_temp_discard(&tmp);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    library_temp_discard(&tmp); /* twice is harmless */
}

static void test_sweep_removes_dead_writers_leftovers(Fixture *f, gconstpointer data)
{
    (void)data;
    /* A writer killed with -9 leaves its file and no lock. */
    g_autofree char *left = g_build_filename(f->library, ".tmp", "cd34-999.mp4.partial", NULL);
    write_file(left, "half an asset");
    g_assert_true(sq_library_sweep(f->cat, f->library, NULL));
    g_assert_false(g_file_test(left, G_FILE_TEST_EXISTS));
}

static void test_sweep_removes_orphans_only(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *orphan_rel = library_asset_relpath("0123abcd");
    g_autofree char *kept_rel = library_asset_relpath("4567ef01");
    g_assert_cmpstr(orphan_rel, ==, "assets/01/0123abcd.mp4");
    g_autofree char *orphan = g_build_filename(f->library, orphan_rel, NULL);
    g_autofree char *kept = g_build_filename(f->library, kept_rel, NULL);
    write_file(orphan, "renamed but never committed");
    write_file(kept, "a catalogued asset");
    g_autofree char *sql = g_strdup_printf(
        "INSERT INTO assets (kind, tags, path, source_name, source_sha256, profile,"
        " duration_frames, width, height, video_peak_kbps, ingested_us, updated_us)"
        " VALUES ('filler', 'ident', '%s', 'x.mp4', '4567ef01', 'test', 25, 320, 180, 100, 0, 0)",
        kept_rel);
    g_assert_true(sq_catalog_exec(f->cat, sql, NULL));
    g_assert_true(sq_library_sweep(f->cat, f->library, NULL));
    g_assert_false(g_file_test(orphan, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(kept, G_FILE_TEST_EXISTS));
}

static void test_commit_renames(Fixture *f, gconstpointer data)
{
    (void)data;
    SqTempFile tmp;
    g_assert_true(library_temp_create(f->library, "ee99", &tmp, NULL));
    g_assert_cmpint(write(tmp.lock_fd, "data", 4), ==, 4);
    g_autofree char *final_path = g_build_filename(f->library, "assets/ee/ee99.mp4", NULL);
    g_autofree char *tmp_path = g_strdup(tmp.path);
    g_autoptr(GError) error = NULL;
    g_assert_true(library_temp_commit(&tmp, final_path, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(tmp_path, G_FILE_TEST_EXISTS));
    g_autofree char *contents = NULL;
    g_assert_true(g_file_get_contents(final_path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "data");
    library_temp_discard(&tmp); /* nothing left to discard: the final file stays */
    g_assert_true(g_file_test(final_path, G_FILE_TEST_EXISTS));
}

static void test_sha256(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *path = g_build_filename(f->dir, "abc.txt", NULL);
    write_file(path, "abc");
    g_autoptr(GError) error = NULL;
    g_autofree char *sum = file_sha256(path, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(sum, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    g_autofree char *missing = g_build_filename(f->dir, "nope", NULL);
    g_autofree char *none = file_sha256(missing, NULL, &error);
    g_assert_null(none);
    g_assert_nonnull(error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/ingest/library/temp-held", Fixture, NULL, setup,
               test_temp_survives_sweep_while_held, teardown);
    g_test_add("/ingest/library/dead-writer", Fixture, NULL, setup,
               test_sweep_removes_dead_writers_leftovers, teardown);
    g_test_add("/ingest/library/orphans", Fixture, NULL, setup, test_sweep_removes_orphans_only,
               teardown);
    g_test_add("/ingest/library/commit", Fixture, NULL, setup, test_commit_renames, teardown);
    g_test_add("/ingest/library/sha256", Fixture, NULL, setup, test_sha256, teardown);
    return g_test_run();
}
