/* The watch folder service: studios copy files into a folder; each file is
 * taken once it has stopped changing, ingested with the metadata of its
 * sidecar or of a manifest row, and moved out of the way: to done/ or to
 * rejected/ with NAME.reason.txt saying why. */
#include "ingest_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
    int64_t size;
    int64_t mtime_us;
    int64_t stable_since_mono; /* when size and mtime were last seen to change */
} Seen;

static bool is_candidate(const char *name)
{
    static const char *const skipped_suffixes[] = {
        ".xml", ".csv", ".reason.txt", ".part", ".partial", ".tmp", ".crdownload", ".filepart",
    };
    if (name[0] == '.')
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(skipped_suffixes); i++)
        if (g_str_has_suffix(name, skipped_suffixes[i]))
            return false;
    return true;
}

/* lesson.mp4 -> lesson.xml, or lesson.mp4.xml, whichever exists. */
static char *find_sidecar(const char *dir, const char *name)
{
    const char *dot = strrchr(name, '.');
    g_autofree char *stem = dot ? g_strndup(name, (gsize)(dot - name)) : g_strdup(name);
    g_autofree char *a = g_strdup_printf("%s/%s.xml", dir, stem);
    if (g_file_test(a, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&a);
    g_autofree char *b = g_strdup_printf("%s/%s.xml", dir, name);
    if (g_file_test(b, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&b);
    return NULL;
}

/* The row of any manifest in dir that names this file. */
static bool find_manifest_row(const char *dir, const char *path, SqLessonMeta *meta)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    g_autofree char *want = g_canonicalize_filename(path, NULL);
    while (d && (name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".csv"))
            continue;
        g_autofree char *csv = g_build_filename(dir, name, NULL);
        g_autoptr(GPtrArray) errors = NULL;
        g_autoptr(GPtrArray) rows = sq_manifest_load(csv, &errors, NULL);
        for (guint i = 0; rows && i < rows->len; i++) {
            const SqManifestEntry *e = rows->pdata[i];
            g_autofree char *have = g_canonicalize_filename(e->file, NULL);
            if (strcmp(have, want) == 0) {
                sq_lesson_meta_copy(meta, &e->meta);
                return true;
            }
        }
    }
    return false;
}

/* Moves path into dir/sub/, never over an existing file. Returns the new
 * path (caller frees) or NULL. */
static char *move_into(const char *dir, const char *sub, const char *path)
{
    g_autofree char *target_dir = g_build_filename(dir, sub, NULL);
    g_mkdir_with_parents(target_dir, 0755);
    g_autofree char *name = g_path_get_basename(path);
    char *target = g_build_filename(target_dir, name, NULL);
    for (int n = 1; g_file_test(target, G_FILE_TEST_EXISTS) && n < 1000; n++) {
        g_free(target);
        g_autofree char *numbered = g_strdup_printf("%d-%s", n, name);
        target = g_build_filename(target_dir, numbered, NULL);
    }
    if (g_rename(path, target) != 0) {
        g_warning("cannot move %s to %s: %s", path, target, g_strerror(errno));
        g_free(target);
        return NULL;
    }
    return target;
}

static void reject(const char *dir, const char *path, const char *sidecar, const char *reason)
{
    g_autofree char *moved = move_into(dir, "rejected", path);
    if (sidecar)
        g_free(move_into(dir, "rejected", sidecar));
    if (!moved)
        return;
    g_autofree char *reason_path = g_strdup_printf("%s.reason.txt", moved);
    g_autofree char *text = g_strdup_printf("%s\n", reason);
    g_autoptr(GError) error = NULL;
    if (!sq_write_file_atomic(reason_path, text, -1, &error))
        g_warning("%s", error->message);
    g_message("rejected %s: %s", path, reason);
}

typedef enum { TAKE_DONE, TAKE_WAIT, TAKE_STOP } TakeResult;

static TakeResult take(SqCatalog *cat, const char *library, const char *dir, const char *path,
                       int64_t waited_us, const SqIngestOptions *options,
                       const SqWatchOptions *watch)
{
    g_autofree char *name = g_path_get_basename(path);
    g_autofree char *sidecar = find_sidecar(dir, name);
    SqLessonMeta meta = {0};
    g_autoptr(GError) error = NULL;
    if (sidecar) {
        if (!sq_sidecar_load(sidecar, &meta, &error)) {
            reject(dir, path, sidecar, error->message);
            if (watch->on_file)
                watch->on_file(path, NULL, error, watch->user_data);
            return TAKE_DONE;
        }
    } else if (!find_manifest_row(dir, path, &meta)) {
        /* The sidecar may still be on its way: wait a while for it. */
        if (waited_us < (int64_t)(3 * watch->settle_seconds * SQ_SECOND_US) + 2 * SQ_SECOND_US)
            return TAKE_WAIT;
        g_set_error(&error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s: no metadata: expected a sidecar %s.xml or a row in a manifest CSV", name,
                    name);
        reject(dir, path, NULL, error->message);
        if (watch->on_file)
            watch->on_file(path, NULL, error, watch->user_data);
        return TAKE_DONE;
    }
    SqIngestResult result;
    bool ok = sq_ingest_file(cat, library, path, &meta, options, &result, &error);
    sq_lesson_meta_clear(&meta);
    if (!ok && g_error_matches(error, SQ_ERROR, SQ_ERROR_CANCELLED))
        return TAKE_STOP; /* left where it is, taken again next time */
    if (ok) {
        g_free(move_into(dir, "done", path));
        if (sidecar)
            g_free(move_into(dir, "done", sidecar));
    } else {
        reject(dir, path, sidecar, error->message);
    }
    if (watch->on_file)
        watch->on_file(path, ok ? &result : NULL, error, watch->user_data);
    return TAKE_DONE;
}

static bool sleep_unless_cancelled(GCancellable *cancellable, double seconds)
{
    int64_t until = g_get_monotonic_time() + (int64_t)(seconds * SQ_SECOND_US);
    while (g_get_monotonic_time() < until) {
        if (g_cancellable_is_cancelled(cancellable))
            return false;
        g_usleep(50 * 1000);
    }
    return !g_cancellable_is_cancelled(cancellable);
}

bool sq_watch_run(SqCatalog *cat, const char *library_dir, const char *dir,
                  const SqIngestOptions *options, const SqWatchOptions *watch, GError **error)
{
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: not a folder", dir);
        return false;
    }
    GCancellable *cancellable = options ? options->cancellable : NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_message("watching %s (files taken after %.1f s unchanged)", dir, watch->settle_seconds);
    while (!g_cancellable_is_cancelled(cancellable)) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, error);
        if (!d)
            return false;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *n;
        while ((n = g_dir_read_name(d)))
            if (is_candidate(n))
                g_ptr_array_add(names, g_strdup(n));
        g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
        int64_t now = g_get_monotonic_time();
        g_autoptr(GHashTable) present = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < names->len; i++) {
            const char *name = names->pdata[i];
            g_autofree char *path = g_build_filename(dir, name, NULL);
            GStatBuf st;
            if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            g_hash_table_add(present, (gpointer)name);
            int64_t mtime_us =
                (int64_t)st.st_mtim.tv_sec * SQ_SECOND_US + st.st_mtim.tv_nsec / 1000;
            Seen *s = g_hash_table_lookup(seen, name);
            if (!s || s->size != (int64_t)st.st_size || s->mtime_us != mtime_us) {
                if (!s) {
                    s = g_new0(Seen, 1);
                    g_hash_table_insert(seen, g_strdup(name), s);
                }
                s->size = st.st_size;
                s->mtime_us = mtime_us;
                s->stable_since_mono = now;
                continue;
            }
            int64_t stable_us = now - s->stable_since_mono;
            if (stable_us < (int64_t)(watch->settle_seconds * SQ_SECOND_US))
                continue;
            TakeResult r =
                take(cat, library_dir, dir, path,
                     stable_us - (int64_t)(watch->settle_seconds * SQ_SECOND_US), options, watch);
            if (r == TAKE_STOP)
                return true;
            if (r == TAKE_DONE)
                g_hash_table_remove(seen, name);
            if (g_cancellable_is_cancelled(cancellable))
                return true;
        }
        /* Forget files that went away. */
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, seen);
        while (g_hash_table_iter_next(&it, &key, NULL))
            if (!g_hash_table_contains(present, key))
                g_hash_table_iter_remove(&it);
        if (!sleep_unless_cancelled(cancellable, watch->poll_seconds))
            break;
    }
    return true;
}
