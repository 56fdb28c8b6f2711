/* The server: one libsoup handler that routes by path to the API, the
 * guide, catch-up, the HLS outputs and the pages; JSON errors; request
 * counters for /metrics. */
#include "epg/epg.h"
#include "web_private.h"

#include <string.h>

void web_count(SqWebServer *s, const char *route, unsigned status)
{
    char *key = g_strdup_printf("%s %u", route, status);
    gpointer old = g_hash_table_lookup(s->requests, key);
    g_hash_table_replace(s->requests, key, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
}

void web_send_text(SoupServerMessage *msg, unsigned status, const char *content_type,
                   const char *text, gsize length)
{
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, content_type, SOUP_MEMORY_COPY, text, length);
}

void web_send_json(SoupServerMessage *msg, unsigned status, JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, node);
    gsize length = 0;
    g_autofree char *text = json_generator_to_data(gen, &length);
    SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
    soup_message_headers_replace(h, "Cache-Control", "no-store");
    web_send_text(msg, status, "application/json; charset=utf-8", text, length);
}

void web_send_error(SoupServerMessage *msg, unsigned status, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_add_string_value(b, message);
    json_builder_set_member_name(b, "status");
    json_builder_add_int_value(b, status);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_send_json(msg, status, node);
}

char *web_base_url(SqWebServer *s, SoupServerMessage *msg)
{
    if (s->public_url)
        return g_strdup(s->public_url);
    const char *host =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Host");
    if (!host || !*host || strpbrk(host, " \"<>\r\n/\\"))
        return g_strdup_printf("http://%s:%d", s->bind, s->port);
    return g_strdup_printf("http://%s", host);
}

static void metrics(SqWebServer *s, SoupServerMessage *msg)
{
    GString *out = g_string_new("# HELP sabaq_http_requests_total HTTP requests by route and "
                                "status.\n# TYPE sabaq_http_requests_total counter\n");
    g_autoptr(GList) keys = g_hash_table_get_keys(s->requests);
    keys = g_list_sort(keys, (GCompareFunc)strcmp);
    for (GList *k = keys; k; k = k->next) {
        const char *key = k->data;
        const char *space = strrchr(key, ' ');
        g_string_append_printf(out, "sabaq_http_requests_total{route=\"%.*s\",status=\"%s\"} %zu\n",
                               (int)(space - key), key, space + 1,
                               GPOINTER_TO_SIZE(g_hash_table_lookup(s->requests, key)));
    }
    web_metrics_station(s, out);
    g_string_append_printf(out,
                           "# HELP sabaq_uptime_seconds Seconds since the server started.\n"
                           "# TYPE sabaq_uptime_seconds gauge\nsabaq_uptime_seconds %.1f\n",
                           (double)(g_get_monotonic_time() - s->started_us) / 1e6);
    web_send_text(msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", out->str,
                  out->len);
    g_string_free(out, TRUE);
}

/* /catchup/<channel>/index.m3u8?utc=SECONDS: IPTV players' catch-up
 * (the M3U's catchup-source). Players ask from a few minutes before a
 * programme's start, so the lesson airing at utc or starting within 10
 * minutes after it is the one; answered with a redirect to its VOD. */
static void catchup(SqWebServer *s, SoupServerMessage *msg, const char *rest, GHashTable *query)
{
    static const char sql[] =
        "SELECT i.asset_id FROM plan_versions v JOIN plan_items i ON i.version_id = v.id"
        " WHERE v.channel_id = ?1 AND v.state = 'published' AND v.version = (SELECT"
        " max(w.version) FROM plan_versions w WHERE w.channel_id = v.channel_id AND w.day = v.day"
        " AND w.state = 'published') AND v.end_us > ?2 AND v.start_us <= ?2 + 600000000"
        " AND i.kind IN ('lesson', 'repeat') AND i.end_us > ?2 AND i.start_us <= ?2 + 600000000"
        " AND i.end_us <= ?3 ORDER BY i.start_us LIMIT 1";
    g_auto(GStrv) parts = g_strsplit(rest, "/", -1);
    const char *utc = query ? g_hash_table_lookup(query, "utc") : NULL;
    char *end = NULL;
    gint64 seconds = utc ? g_ascii_strtoll(utc, &end, 10) : 0;
    if (g_strv_length(parts) != 2 || strcmp(parts[1], "index.m3u8") != 0 || !utc || *end ||
        seconds <= 0) {
        web_count(s, "/catchup", 400);
        web_send_error(msg, 400, "use /catchup/CHANNEL/index.m3u8?utc=UNIX_SECONDS");
        return;
    }
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    int64_t asset = 0;
    if (st) {
        sqlite3_bind_text(st, 1, parts[0], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, seconds * SQ_SECOND_US);
        sqlite3_bind_int64(st, 3, sq_now_us());
        if (sqlite3_step(st) == SQLITE_ROW)
            asset = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (!asset) {
        web_count(s, "/catchup", 404);
        web_send_error(msg, 404, "no aired lesson on %s at that time", parts[0]);
        return;
    }
    g_autofree char *location = g_strdup_printf("/vod/%" G_GINT64_FORMAT "/index.m3u8", asset);
    web_count(s, "/catchup", 302);
    soup_server_message_set_redirect(msg, 302, location);
}

/* /vod/<asset id>/<file>: catch-up of an aired lesson. */
static void vod(SqWebServer *s, SoupServerMessage *msg, const char *rest)
{
    g_auto(GStrv) parts = g_strsplit(rest, "/", 2);
    char *end = NULL;
    gint64 id = parts[0] ? g_ascii_strtoll(parts[0], &end, 10) : 0;
    if (!parts[0] || !parts[1] || id <= 0 || *end) {
        web_count(s, "/vod", 404);
        web_send_error(msg, 404, "no such catch-up file");
        return;
    }
    /* Only lessons that have aired (an as-run or a published past item)
     * and are still approved: catch-up is for what students missed. */
    static const char sql[] =
        "SELECT a.path, a.source_sha256 FROM assets a WHERE a.id = ?1 AND a.status = 'approved'"
        " AND a.kind = 'lesson' AND EXISTS (SELECT 1 FROM plan_items i JOIN plan_versions v"
        " ON v.id = i.version_id WHERE i.asset_id = a.id AND v.state = 'published'"
        " AND i.start_us <= ?2)";
    g_autoptr(GError) error = NULL;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, &error);
    if (!st) {
        web_count(s, "/vod", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, sq_now_us());
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        web_count(s, "/vod", 404);
        web_send_error(msg, 404, "lesson %" G_GINT64_FORMAT " has not aired or is not approved",
                       id);
        return;
    }
    g_autofree char *path = g_strdup((const char *)sqlite3_column_text(st, 0));
    g_autofree char *sha = g_strdup((const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    g_autofree char *full =
        g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(s->library_dir, path, NULL);
    web_vod_serve(s, msg, full, sha, parts[1]);
}

static void handle(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
                   gpointer data)
{
    (void)soup;
    SqWebServer *s = data;
    const char *method = soup_server_message_get_method(msg);
    if (g_str_has_prefix(path, "/api/")) {
        web_api_handle(s, msg, path, query);
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        web_count(s, "other", 405);
        soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow",
                                     "GET, HEAD");
        web_send_error(msg, 405, "%s is not allowed here", method);
        return;
    }
    if (web_hls_handle(s, msg, path))
        return;
    if (strcmp(path, "/epg.xml") == 0 || strcmp(path, "/channels.m3u") == 0) {
        web_guide_handle(s, msg, path);
    } else if (strcmp(path, "/metrics") == 0) {
        web_count(s, "/metrics", 200);
        metrics(s, msg);
    } else if (g_str_has_prefix(path, "/hls/")) {
        g_autofree char *root = g_build_filename(s->db_dir, "hls", NULL);
        web_serve_file(s, msg, root, path + 5, "/hls");
    } else if (g_str_has_prefix(path, "/catchup/")) {
        catchup(s, msg, path + 9, query);
    } else if (g_str_has_prefix(path, "/vod/")) {
        vod(s, msg, path + 5);
    } else if (strcmp(path, "/vendor/hls.min.js") == 0) {
        g_autofree char *root = g_build_filename(s->vendor_dir, "hls.js", "dist", NULL);
        web_serve_file(s, msg, root, "hls.min.js", "/vendor");
    } else {
        /* The pages' short names: /, /plan, /ops. */
        const char *rel = strcmp(path, "/") == 0       ? "index.html"
                          : strcmp(path, "/plan") == 0 ? "plan.html"
                          : strcmp(path, "/ops") == 0  ? "ops.html"
                                                       : path + 1;
        web_serve_file(s, msg, s->ui_dir, rel, "/ui");
    }
}

/* Refuses oversized bodies as soon as the headers are in. libsoup still
 * reads the body of a refused request off the connection (unless the
 * client asked "Expect: 100-continue", then it is never sent), so it is
 * told not to keep it: a gigabyte sent costs bandwidth, never memory. A
 * chunked body has no length to check in advance: refused too (411);
 * browsers, curl -d and urllib send a length. */
static void refuse_body(SqWebServer *s, SoupServerMessage *msg, const char *path, unsigned status)
{
    soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
    web_count(s, g_str_has_prefix(path, "/api/") ? "/api" : "other", status);
    if (status == 411)
        web_send_error(msg, 411, "send the request body with a Content-Length (at most %d bytes)",
                       WEB_MAX_BODY_BYTES);
    else
        web_send_error(msg, 413, "the request body is larger than %d bytes", WEB_MAX_BODY_BYTES);
}

static void early(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
                  gpointer data)
{
    (void)soup, (void)query;
    SqWebServer *s = data;
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CHUNKED)
        refuse_body(s, msg, path, 411);
    else if (soup_message_headers_get_content_length(h) > WEB_MAX_BODY_BYTES)
        refuse_body(s, msg, path, 413);
}

/* sq_casefold(text): Unicode case folding for search (SQLite's lower()
 * knows ASCII only, and "Бөлшектер" must match "бөл"). */
static void casefold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    if (!text) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, g_utf8_casefold(text, -1), -1, g_free);
}

static char *source_dir(const char *sub)
{
    return g_build_filename(SQ_WEB_SOURCE_ROOT, sub, NULL);
}

SqWebServer *sq_web_server_new(const SqWebConfig *cfg, GError **error)
{
    g_autoptr(SqCatalog) cat = sq_catalog_open(cfg->db_path, error);
    if (!cat)
        return NULL;
    SqWebServer *s = g_new0(SqWebServer, 1);
    s->cat = g_steal_pointer(&cat);
    sqlite3_create_function(sq_catalog_db(s->cat), "sq_casefold", 1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, casefold, NULL, NULL);
    g_autofree char *db_abs = g_canonicalize_filename(cfg->db_path, NULL);
    s->db_dir = g_path_get_dirname(db_abs);
    s->db_path = g_strdup(db_abs);
    s->library_dir = g_canonicalize_filename(cfg->library_dir, NULL);
    s->ui_dir = cfg->ui_dir ? g_canonicalize_filename(cfg->ui_dir, NULL) : source_dir("web/ui");
    s->vendor_dir = cfg->vendor_dir ? g_canonicalize_filename(cfg->vendor_dir, NULL)
                                    : source_dir("node_modules");
    s->cache_dir = cfg->cache_dir ? g_canonicalize_filename(cfg->cache_dir, NULL)
                                  : g_build_filename(s->library_dir, ".vod", NULL);
    s->public_url = g_strdup(cfg->public_url);
    s->trust_proxy = cfg->trust_proxy;
    s->bind = g_strdup(cfg->bind ? cfg->bind : "127.0.0.1");
    s->port = cfg->port;
    s->started_us = g_get_monotonic_time();
    s->requests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->soup = soup_server_new("server-header", "sabaq", NULL);
    soup_server_add_early_handler(s->soup, NULL, early, s, NULL);
    soup_server_add_handler(s->soup, NULL, handle, s, NULL);
    return s;
}

bool sq_web_server_listen(SqWebServer *s, GError **error)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(s->bind);
    if (!addr) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--bind: '%s' is not an IP address",
                    s->bind);
        return false;
    }
    g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(addr, (guint16)s->port);
    return web_listen(s, sa, error);
}

int sq_web_server_port(const SqWebServer *s)
{
    return s->port;
}

void sq_web_server_free(SqWebServer *s)
{
    if (!s)
        return;
    web_listen_stop(s);
    web_vod_detach(s);
    g_clear_object(&s->soup);
    g_clear_pointer(&s->guide, sq_epg_guide_free);
    g_free(s->guide_stamp);
    g_clear_pointer(&s->now_next, g_hash_table_unref);
    sq_catalog_free(s->cat);
    g_hash_table_unref(s->requests);
    g_free(s->db_dir);
    g_free(s->db_path);
    g_free(s->library_dir);
    g_free(s->ui_dir);
    g_free(s->vendor_dir);
    g_free(s->cache_dir);
    g_free(s->public_url);
    g_free(s->bind);
    g_free(s);
}
