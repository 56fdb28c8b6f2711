/* The library folder: where assets live (assets/ab/<sha256>.mp4), how a
 * file is written without ever being seen half-done (library/.tmp, then
 * rename), and the sweep that removes what an interrupted run left. */
#include "ingest_private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#define TMP_DIR "tmp"

char *library_asset_relpath(const char *sha256)
{
    return g_strdup_printf("assets/%.2s/%s.mp4", sha256, sha256);
}

static char *tmp_dir(const char *library_dir)
{
    return g_build_filename(library_dir, "." TMP_DIR, NULL);
}

bool library_temp_create(const char *library_dir, const char *sha256, SqTempFile *tmp,
                         GError **error)
{
    memset(tmp, 0, sizeof(*tmp));
    tmp->lock_fd = -1;
    g_autofree char *dir = tmp_dir(library_dir);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    g_autofree char *name = g_strdup_printf("%s-%d.mp4.partial", sha256, (int)getpid());
    tmp->path = g_build_filename(dir, name, NULL);
    /* The lock says "being written": a sweep in another process skips a
     * locked file, and the kernel drops the lock when this process dies,
     * even by kill -9. */
    tmp->lock_fd = g_open(tmp->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (tmp->lock_fd < 0 || flock(tmp->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", tmp->path, g_strerror(errno));
        library_temp_discard(tmp);
        return false;
    }
    return true;
}

bool library_temp_commit(SqTempFile *tmp, const char *final_path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(final_path);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    if (fsync(tmp->lock_fd) != 0 || g_rename(tmp->path, final_path) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", final_path, g_strerror(errno));
        return false;
    }
    g_clear_pointer(&tmp->path, g_free);
    close(tmp->lock_fd);
    tmp->lock_fd = -1;
    return true;
}

void library_temp_discard(SqTempFile *tmp)
{
    if (tmp->path) {
        g_unlink(tmp->path);
        g_clear_pointer(&tmp->path, g_free);
    }
    if (tmp->lock_fd >= 0) {
        close(tmp->lock_fd);
        tmp->lock_fd = -1;
    }
}

/* Removes temporaries whose writer is gone (their lock is free). */
static void sweep_temporaries(const char *library_dir)
{
    g_autofree char *dir = tmp_dir(library_dir);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            g_message("removing %s, left by an interrupted ingest", path);
            g_unlink(path);
        }
        close(fd);
    }
}

/* Removes asset files no catalog row names: a crash between the rename
 * and the commit. Runs under the catalog's write lock, which every
 * rename + insert also holds, so it cannot catch one half-way. */
static bool sweep_orphans(SqCatalog *cat, const char *library_dir, GError **error)
{
    g_autofree char *assets = g_build_filename(library_dir, "assets", NULL);
    if (!g_file_test(assets, G_FILE_TEST_IS_DIR))
        return true;
    if (!sq_catalog_begin_write(cat, error))
        return false;
    g_autoptr(GHashTable) known = store_asset_paths(cat, error);
    if (!known) {
        sq_catalog_rollback(cat);
        return false;
    }
    g_autoptr(GDir) top = g_dir_open(assets, 0, NULL);
    const char *shard;
    while (top && (shard = g_dir_read_name(top))) {
        g_autofree char *shard_dir = g_build_filename(assets, shard, NULL);
        g_autoptr(GDir) d = g_dir_open(shard_dir, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *rel = g_strdup_printf("assets/%s/%s", shard, name);
            if (g_hash_table_contains(known, rel))
                continue;
            g_autofree char *path = g_build_filename(library_dir, rel, NULL);
            g_message("removing %s: no catalog entry names it (interrupted ingest)", path);
            g_unlink(path);
        }
    }
    return sq_catalog_commit(cat, error);
}

bool sq_library_sweep(SqCatalog *cat, const char *library_dir, GError **error)
{
    sweep_temporaries(library_dir);
    return sweep_orphans(cat, library_dir, error);
}

char *file_sha256(const char *path, GCancellable *cancellable, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GFileInputStream) in = g_file_read(file, cancellable, error);
    if (!in)
        return NULL;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    enum { CHUNK = 1 << 20 };
    g_autofree guchar *buf = g_malloc(CHUNK);
    for (;;) {
        gssize n = g_input_stream_read(G_INPUT_STREAM(in), buf, CHUNK, cancellable, error);
        if (n < 0)
            return NULL;
        if (n == 0)
            break;
        g_checksum_update(sum, buf, n);
    }
    return g_strdup(g_checksum_get_string(sum));
}
