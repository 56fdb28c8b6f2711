/* Files under a root (the pages, the npm packages, the HLS outputs, the
 * catch-up cache): never anything outside it. The path is checked twice:
 * by its segments (no "..", no hidden names, no backslash or NUL once
 * decoded) and by where it really is (realpath under the root's realpath,
 * so a symlink cannot lead out). Only regular files; one byte range. */
#include "web_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

const char *web_content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".m3u8", "application/vnd.apple.mpegurl"},
        {".ts", "video/mp2t"},
        {".mp4", "video/mp4"},
        {".xml", "application/xml; charset=utf-8"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_str_has_suffix(path, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static bool safe_relative(const char *rel)
{
    if (!rel || !*rel || strchr(rel, '\\'))
        return false;
    g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
    for (char **p = parts; *p; p++)
        if (!**p || **p == '.')
            return false;
    return true;
}

/* bytes=FIRST-[LAST] or bytes=-SUFFIX of a file of size bytes. */
static bool parse_range(const char *header, goffset size, goffset *first, goffset *last)
{
    if (!header || !g_str_has_prefix(header, "bytes=") || strchr(header, ','))
        return false;
    const char *spec = header + 6;
    char *end;
    if (*spec == '-') {
        gint64 suffix = g_ascii_strtoll(spec + 1, &end, 10);
        if (*end || suffix <= 0)
            return false;
        *first = MAX(0, size - suffix);
        *last = size - 1;
        return size > 0;
    }
    *first = g_ascii_strtoll(spec, &end, 10);
    if (end == spec || *end != '-')
        return false;
    const char *tail = end + 1;
    *last = size - 1;
    if (*tail) {
        *last = g_ascii_strtoll(tail, &end, 10);
        if (*end)
            return false;
    }
    *last = MIN(*last, size - 1);
    return *first >= 0 && *first <= *last;
}

/* Sets ETag and Last-Modified, and says whether the client's copy is
 * current (If-None-Match, else If-Modified-Since: RFC 9110 §13.2.2), so
 * that nginx, a CDN or a browser revalidating a playlist or a page gets a
 * 304 without the body. */
static bool not_modified(SoupServerMessage *msg, const char *file, goffset size)
{
    GStatBuf st;
    if (g_stat(file, &st) != 0)
        return false;
    SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
    SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
    g_autofree char *etag =
        g_strdup_printf("\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x-%lx\"", (gint64)size,
                        (gint64)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    g_autoptr(GDateTime) mtime = g_date_time_new_from_unix_utc(st.st_mtim.tv_sec);
    g_autofree char *last_modified = soup_date_time_to_string(mtime, SOUP_DATE_HTTP);
    soup_message_headers_replace(rh, "ETag", etag);
    soup_message_headers_replace(rh, "Last-Modified", last_modified);
    const char *none_match = soup_message_headers_get_list(req, "If-None-Match");
    if (none_match) {
        g_auto(GStrv) tags = g_strsplit(none_match, ",", -1);
        for (char **t = tags; *t; t++) {
            const char *tag = g_strstrip(*t);
            if (g_str_has_prefix(tag, "W/"))
                tag += 2;
            if (strcmp(tag, "*") == 0 || strcmp(tag, etag) == 0)
                return true;
        }
        return false;
    }
    const char *since = soup_message_headers_get_one(req, "If-Modified-Since");
    g_autoptr(GDateTime) since_time = since ? soup_date_time_new_from_http_string(since) : NULL;
    return since_time && g_date_time_to_unix(since_time) >= (gint64)st.st_mtim.tv_sec;
}

void web_serve_file(SqWebServer *s, SoupServerMessage *msg, const char *root, const char *rel_path,
                    const char *route)
{
    g_autofree char *decoded = g_uri_unescape_string(rel_path, "/");
    if (!decoded || !safe_relative(decoded)) {
        web_count(s, route, 404);
        web_send_error(msg, 404, "not found");
        return;
    }
    g_autofree char *joined = g_build_filename(root, decoded, NULL);
    char *real_root = realpath(root, NULL), *real = realpath(joined, NULL);
    size_t n = real_root ? strlen(real_root) : 0;
    bool inside = real_root && real && strncmp(real, real_root, n) == 0 && real[n] == '/';
    free(real_root);
    g_autofree char *file = g_strdup(real);
    free(real);
    if (!inside || !g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
        web_count(s, route, 404);
        web_send_error(msg, 404, "not found");
        return;
    }
    g_autoptr(GMappedFile) map = g_mapped_file_new(file, FALSE, NULL);
    if (!map) {
        web_count(s, route, 404);
        web_send_error(msg, 404, "not found");
        return;
    }
    const char *data = g_mapped_file_get_contents(map);
    goffset size = (goffset)g_mapped_file_get_length(map);
    SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
    soup_message_headers_replace(rh, "Accept-Ranges", "bytes");
    soup_message_headers_replace(rh, "X-Content-Type-Options", "nosniff");
    if (g_str_has_suffix(file, ".html")) {
        /* The pages load only their own scripts and styles (hls.js from
         * node_modules, never a CDN): anything injected is refused. hls.js
         * feeds the video from blob: URLs and may run a blob: worker. No
         * page may be framed (the staff pages have buttons that publish). */
        soup_message_headers_replace(rh, "Content-Security-Policy", WEB_PAGE_CSP);
        soup_message_headers_replace(rh, "X-Frame-Options", "DENY");
        soup_message_headers_replace(rh, "Referrer-Policy", "same-origin");
    }
    /* Live playlists change every segment and pages with each release:
     * revalidated every time (cheap, see below). A catch-up folder is named
     * by its source's SHA-256 and never changes: a day. Live segments
     * never change once listed, but leave the window within a minute. */
    bool is_vod = strcmp(route, "/vod") == 0;
    soup_message_headers_replace(
        rh, "Cache-Control",
        is_vod                                                               ? "max-age=86400"
        : g_str_has_suffix(file, ".m3u8") || g_str_has_suffix(file, ".html") ? "no-cache"
                                                                             : "max-age=60");
    if (not_modified(msg, file, size)) {
        web_count(s, route, 304);
        soup_server_message_set_status(msg, 304, NULL);
        return;
    }
    const char *range =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Range");
    goffset first = 0, last = size - 1;
    if (range && parse_range(range, size, &first, &last)) {
        g_autofree char *cr =
            g_strdup_printf("bytes %" G_GOFFSET_FORMAT "-%" G_GOFFSET_FORMAT "/%" G_GOFFSET_FORMAT,
                            first, last, size);
        soup_message_headers_replace(rh, "Content-Range", cr);
        web_count(s, route, 206);
        web_send_text(msg, 206, web_content_type(file), data + first, (gsize)(last - first + 1));
        return;
    }
    if (range) {
        g_autofree char *cr = g_strdup_printf("bytes */%" G_GOFFSET_FORMAT, size);
        soup_message_headers_replace(rh, "Content-Range", cr);
        web_count(s, route, 416);
        web_send_error(msg, 416, "range not satisfiable");
        return;
    }
    web_count(s, route, 200);
    web_send_text(msg, 200, web_content_type(file), data, (gsize)size);
}
