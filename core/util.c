/* Small helpers every stage needs: default paths, atomic writes, the
 * identifiers and language codes the catalog accepts. */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

char *sq_default_db_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return g_strdup(explicit_path);
    const char *env = g_getenv("SABAQ_DB");
    return g_strdup(env && *env ? env : "sabaq.db");
}

char *sq_default_library_dir(const char *explicit_dir)
{
    if (explicit_dir && *explicit_dir)
        return g_strdup(explicit_dir);
    const char *env = g_getenv("SABAQ_LIBRARY");
    return g_strdup(env && *env ? env : "library");
}

bool sq_write_file_atomic(const char *path, const char *contents, gssize length, GError **error)
{
    if (length < 0)
        length = (gssize)strlen(contents);
    g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
    int fd = g_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", tmp, g_strerror(errno));
        return false;
    }
    const char *p = contents;
    gssize left = length;
    while (left > 0) {
        ssize_t n = write(fd, p, (size_t)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            g_unlink(tmp);
            g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", tmp, g_strerror(saved));
            return false;
        }
        p += n;
        left -= n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || g_rename(tmp, path) != 0) {
        int saved = errno;
        g_unlink(tmp);
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", path, g_strerror(saved));
        return false;
    }
    return true;
}

int sq_text_line_of(const char *text, gsize length, const char *needle)
{
    const char *at = g_strstr_len(text, (gssize)length, needle);
    int line = 1;
    for (const char *p = text; at && p < at; p++)
        line += *p == '\n';
    return line;
}

bool sq_language_is_valid(const char *code)
{
    return code && (strcmp(code, "kk") == 0 || strcmp(code, "ru") == 0);
}

bool sq_identifier_is_valid(const char *id)
{
    if (!id || !*id || strlen(id) > 64 || id[0] == '-')
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}
