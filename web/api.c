/* The JSON API, /api/v1 (docs/api.md): channels with what is on now,
 * now/next, a day's guide with catch-up links, lesson search with the next
 * airing, subjects, health. Read-only for everyone; every statement is
 * prepared with bound parameters. */
#include "epg/epg.h"
#include "web_private.h"

#include <stdio.h>
#include <string.h>

#define DAY_US (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)

static void add_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void health(SqWebServer *s, SoupServerMessage *msg)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "status", "ok");
    json_builder_set_member_name(b, "schema");
    json_builder_add_int_value(b, sq_catalog_schema_version(s->cat));
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autofree char *now = sq_format_rfc3339(sq_now_us(), utc);
    add_str(b, "time", now);
    /* The station's zone: pages compute "today" in it, not in the
     * browser's (a plan day and a guide day are station-local days). */
    static const char sql[] = "SELECT timezone FROM station WHERE id = 1";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    bool found = st && sqlite3_step(st) == SQLITE_ROW;
    add_str(b, "timezone", found ? col(st, 0) : "UTC");
    if (st)
        sqlite3_reset(st);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, "/api/v1/health", 200);
    web_send_json(msg, 200, node);
}

/* The guide around now, for now/next. */
/* The guide for [from, to): the server's cached one when it covers the
 * range, else one loaded for it (*owned set). */
static SqEpgGuide *guide_for(SqWebServer *s, const char *channel, int64_t from, int64_t to,
                             SqEpgGuide **owned, GError **error)
{
    GError *local = NULL;
    SqEpgGuide *g = web_guide(s, from, to, &local);
    if (g || local) {
        if (local)
            g_propagate_error(error, local);
        return g;
    }
    return *owned = sq_epg_guide_load(s->cat, channel, from, to, error);
}

static void channels(SqWebServer *s, SoupServerMessage *msg)
{
    int64_t now = sq_now_us();
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) owned = NULL;
    SqEpgGuide *guide = guide_for(s, NULL, now - DAY_US / 2, now + DAY_US, &owned, &error);
    if (!guide) {
        web_count(s, "/api/v1/channels", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    size_t n = 0;
    const SqEpgChannel *const *chs = sq_epg_guide_channels(guide, &n);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++) {
        const SqEpgChannel *c = chs[i];
        json_builder_begin_object(b);
        add_str(b, "id", c->id);
        add_str(b, "name_kk", c->name_kk);
        add_str(b, "name_ru", c->name_ru);
        add_str(b, "language", c->language);
        add_str(b, "timezone", c->timezone);
        json_builder_set_member_name(b, "service_id");
        json_builder_add_int_value(b, c->service_id);
        g_autofree char *hls = g_strdup_printf("/%s/index.m3u8", c->hls_path ? c->hls_path : "hls");
        if (!c->hls_path)
            g_free(hls), hls = g_strdup_printf("/hls/%s/index.m3u8", c->id);
        add_str(b, "hls", hls);
        g_autoptr(JsonNode) nn = sq_epg_json_now_next(guide, c->id, now, NULL);
        JsonObject *o = nn ? json_node_get_object(nn) : NULL;
        json_builder_set_member_name(b, "now");
        json_builder_add_value(b, o && json_object_has_member(o, "now")
                                      ? json_node_copy(json_object_get_member(o, "now"))
                                      : json_node_new(JSON_NODE_NULL));
        json_builder_set_member_name(b, "next");
        json_builder_add_value(b, o && json_object_has_member(o, "next")
                                      ? json_node_copy(json_object_get_member(o, "next"))
                                      : json_node_new(JSON_NODE_NULL));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, "/api/v1/channels", 200);
    web_send_json(msg, 200, node);
}

static bool channel_exists(SqWebServer *s, const char *id)
{
    static const char sql[] = "SELECT 1 FROM channels WHERE id = ?";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

static void now_next_free(gpointer p)
{
    NowNext *n = p;
    g_bytes_unref(n->body);
    g_free(n->stamp);
    g_free(n);
}

/* Now/next is the page every player polls: the answer is kept until the
 * programme on air ends, the plan changes, or a second passes ("at" is at
 * most a second old). */
static void now_next(SqWebServer *s, SoupServerMessage *msg, const char *channel)
{
    int64_t now = sq_now_us();
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) owned = NULL;
    SqEpgGuide *guide = guide_for(s, channel, now - DAY_US / 2, now + DAY_US, &owned, &error);
    if (!s->now_next)
        s->now_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, now_next_free);
    NowNext *cached = g_hash_table_lookup(s->now_next, channel);
    if (guide && !owned && cached && now < cached->until_us &&
        g_strcmp0(cached->stamp, web_guide_stamp(s)) == 0) {
        gsize length = 0;
        const char *data = g_bytes_get_data(cached->body, &length);
        soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
                                     "no-store");
        web_count(s, "/api/v1/channels/now", 200);
        web_send_text(msg, 200, "application/json; charset=utf-8", data, length);
        return;
    }
    g_autoptr(JsonNode) node = guide ? sq_epg_json_now_next(guide, channel, now, &error) : NULL;
    if (!node) {
        web_count(s, "/api/v1/channels/now", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    if (!owned) {
        JsonObject *o = json_node_get_object(node);
        JsonNode *on = json_object_get_member(o, "now");
        int64_t until = now + SQ_SECOND_US;
        if (on && JSON_NODE_HOLDS_OBJECT(on))
            until = MIN(until, json_object_get_int_member(json_node_get_object(on), "end_us"));
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, node);
        gsize length = 0;
        char *text = json_generator_to_data(gen, &length);
        NowNext *n = g_new0(NowNext, 1);
        n->body = g_bytes_new_take(text, length);
        n->until_us = until;
        n->stamp = g_strdup(web_guide_stamp(s));
        g_hash_table_replace(s->now_next, g_strdup(channel), n);
    }
    web_count(s, "/api/v1/channels/now", 200);
    web_send_json(msg, 200, node);
}

/* start_us -> asset id of the published lessons and repeats of a channel
 * in a range: what the guide's catch-up links point at. */
static GHashTable *aired_assets(SqWebServer *s, const char *channel, int64_t from, int64_t to)
{
    static const char sql[] =
        "SELECT i.start_us, i.asset_id FROM plan_versions v JOIN plan_items i"
        " ON i.version_id = v.id WHERE v.channel_id = ?1 AND v.state = 'published'"
        " AND v.version = (SELECT max(w.version) FROM plan_versions w WHERE w.channel_id ="
        " v.channel_id AND w.day = v.day AND w.state = 'published')"
        " AND v.end_us > ?2 AND v.start_us < ?3 AND i.kind IN ('lesson', 'repeat')";
    GHashTable *map = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return map;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t start = sqlite3_column_int64(st, 0), asset = sqlite3_column_int64(st, 1);
        g_hash_table_replace(map, g_memdup2(&start, sizeof(start)),
                             g_memdup2(&asset, sizeof(asset)));
    }
    sqlite3_reset(st);
    return map;
}

static void day_guide(SqWebServer *s, SoupServerMessage *msg, const char *channel,
                      GHashTable *query)
{
    const char *date = query ? g_hash_table_lookup(query, "date") : NULL;
    g_autoptr(GTimeZone) tz = NULL;
    g_autofree char *today = NULL;
    if (!date) {
        static const char sql[] = "SELECT timezone FROM station WHERE id = 1";
        sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
        if (st && sqlite3_step(st) == SQLITE_ROW)
            tz = g_time_zone_new_identifier(col(st, 0));
        if (st)
            sqlite3_reset(st);
        if (!tz)
            tz = g_time_zone_new_utc();
        g_autoptr(GDateTime) now = g_date_time_new_now(tz);
        date = today = g_date_time_format(now, "%Y-%m-%d");
    }
    int y, m, dd;
    char tail;
    if (sscanf(date, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 ||
        !g_date_valid_dmy((GDateDay)dd, (GDateMonth)m, (GDateYear)y)) {
        web_count(s, "/api/v1/channels/guide", 400);
        web_send_error(msg, 400, "date: '%s' is not YYYY-MM-DD", date);
        return;
    }
    g_autoptr(GDateTime) utc_day = g_date_time_new_utc(y, m, dd, 0, 0, 0);
    int64_t mid = g_date_time_to_unix(utc_day) * SQ_SECOND_US;
    int64_t from = mid - DAY_US / 2, to = mid + DAY_US * 3 / 2;
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) owned = NULL;
    SqEpgGuide *guide = guide_for(s, channel, from, to, &owned, &error);
    g_autoptr(JsonNode) node = guide ? sq_epg_json_day(guide, channel, date, &error) : NULL;
    if (!node) {
        web_count(s, "/api/v1/channels/guide", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    /* Catch-up: a lesson that has finished airing links to its VOD. */
    g_autoptr(GHashTable) aired = aired_assets(s, channel, from, to);
    int64_t now = sq_now_us();
    JsonArray *items = json_object_get_array_member(json_node_get_object(node), "items");
    for (guint i = 0; items && i < json_array_get_length(items); i++) {
        JsonObject *it = json_array_get_object_element(items, i);
        int64_t start = json_object_get_int_member(it, "start_us");
        int64_t end = json_object_get_int_member(it, "end_us");
        const int64_t *asset = g_hash_table_lookup(aired, &start);
        if (asset) {
            json_object_set_int_member(it, "asset", *asset);
            if (end <= now) {
                g_autofree char *url =
                    g_strdup_printf("/vod/%" G_GINT64_FORMAT "/index.m3u8", *asset);
                json_object_set_string_member(it, "catchup", url);
            }
        }
    }
    web_count(s, "/api/v1/channels/guide", 200);
    web_send_json(msg, 200, node);
}

static void subjects(SqWebServer *s, SoupServerMessage *msg)
{
    static const char sql[] = "SELECT id, name_kk, name_ru FROM subjects ORDER BY id";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        json_builder_begin_object(b);
        add_str(b, "id", col(st, 0));
        add_str(b, "name_kk", col(st, 1));
        add_str(b, "name_ru", col(st, 2));
        json_builder_end_object(b);
    }
    if (st)
        sqlite3_reset(st);
    json_builder_end_array(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, "/api/v1/subjects", 200);
    web_send_json(msg, 200, node);
}

/* Approved lesson recordings matching grade, subject, language and a text
 * (in titles, either language), with their last and next airing. */
static void lessons(SqWebServer *s, SoupServerMessage *msg, GHashTable *query)
{
    static const char sql[] =
        "SELECT a.id, l.subject, l.grade, l.number, a.language,"
        " CASE a.language WHEN 'kk' THEN coalesce(l.title_kk, a.title)"
        "  ELSE coalesce(l.title_ru, a.title) END, a.duration_frames,"
        " (SELECT max(i.start_us) FROM plan_items i JOIN plan_versions v ON v.id = i.version_id"
        "  WHERE i.asset_id = a.id AND v.state = 'published' AND i.end_us <= ?5),"
        " (SELECT min(i.start_us) FROM plan_items i JOIN plan_versions v ON v.id = i.version_id"
        "  WHERE i.asset_id = a.id AND v.state = 'published' AND i.start_us > ?5),"
        " (SELECT v.channel_id FROM plan_items i JOIN plan_versions v ON v.id = i.version_id"
        "  WHERE i.asset_id = a.id AND v.state = 'published' AND i.start_us > ?5"
        "  ORDER BY i.start_us LIMIT 1)"
        " FROM assets a JOIN lessons l ON l.id = a.lesson_id"
        " WHERE a.status = 'approved' AND (?1 IS NULL OR l.grade = ?1)"
        " AND (?2 IS NULL OR l.subject = ?2) AND (?3 IS NULL OR a.language = ?3)"
        " AND (?4 IS NULL OR instr(sq_casefold(coalesce(l.title_kk, '') || ' ' ||"
        "  coalesce(l.title_ru, '') || ' ' || coalesce(a.title, '')), sq_casefold(?4)) > 0)"
        " ORDER BY l.grade, l.subject, l.number, a.language LIMIT 200";
    const char *grade = query ? g_hash_table_lookup(query, "grade") : NULL;
    const char *subject = query ? g_hash_table_lookup(query, "subject") : NULL;
    const char *language = query ? g_hash_table_lookup(query, "language") : NULL;
    const char *text = query ? g_hash_table_lookup(query, "q") : NULL;
    char *end = NULL;
    gint64 g = grade && *grade ? g_ascii_strtoll(grade, &end, 10) : 0;
    if ((grade && *grade && (*end || g < 1 || g > 11)) ||
        (language && *language && !sq_language_is_valid(language))) {
        web_count(s, "/api/v1/lessons", 400);
        web_send_error(msg, 400, "grade is 1 to 11 and language kk or ru");
        return;
    }
    g_autoptr(GError) error = NULL;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, &error);
    if (!st) {
        web_count(s, "/api/v1/lessons", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    if (g)
        sqlite3_bind_int64(st, 1, g);
    if (subject && *subject)
        sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
    if (language && *language)
        sqlite3_bind_text(st, 3, language, -1, SQLITE_TRANSIENT);
    if (text && *text)
        sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
    int64_t now = sq_now_us();
    sqlite3_bind_int64(st, 5, now);
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "asset");
        json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
        add_str(b, "subject", col(st, 1));
        json_builder_set_member_name(b, "grade");
        json_builder_add_int_value(b, sqlite3_column_int(st, 2));
        json_builder_set_member_name(b, "number");
        json_builder_add_int_value(b, sqlite3_column_int(st, 3));
        add_str(b, "language", col(st, 4));
        add_str(b, "title", col(st, 5));
        json_builder_set_member_name(b, "duration_frames");
        json_builder_add_int_value(b, sqlite3_column_int64(st, 6));
        bool aired = sqlite3_column_type(st, 7) != SQLITE_NULL;
        g_autofree char *last = aired ? sq_format_rfc3339(sqlite3_column_int64(st, 7), utc) : NULL;
        add_str(b, "last_aired", last);
        g_autofree char *next = sqlite3_column_type(st, 8) != SQLITE_NULL
                                    ? sq_format_rfc3339(sqlite3_column_int64(st, 8), utc)
                                    : NULL;
        add_str(b, "next_airing", next);
        add_str(b, "next_channel", col(st, 9));
        g_autofree char *url = aired ? g_strdup_printf("/vod/%" G_GINT64_FORMAT "/index.m3u8",
                                                       (gint64)sqlite3_column_int64(st, 0))
                                     : NULL;
        add_str(b, "catchup", url);
        json_builder_end_object(b);
    }
    sqlite3_reset(st);
    json_builder_end_array(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, "/api/v1/lessons", 200);
    web_send_json(msg, 200, node);
}

void web_api_handle(SqWebServer *s, SoupServerMessage *msg, const char *path, GHashTable *query)
{
    const char *method = soup_server_message_get_method(msg);
    static const char *const public_paths[] = {"/api/v1/health", "/api/v1/channels",
                                               "/api/v1/subjects", "/api/v1/lessons"};
    bool is_public = g_str_has_prefix(path, "/api/v1/channels/");
    for (guint i = 0; i < G_N_ELEMENTS(public_paths); i++)
        is_public |= strcmp(path, public_paths[i]) == 0;
    if (!is_public)
        return web_api_private(s, msg, path, query);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        web_count(s, "/api", 405);
        web_send_error(msg, 405, "%s %s: students' API is read-only", method, path);
        return;
    }
    if (strcmp(path, "/api/v1/health") == 0)
        return health(s, msg);
    if (strcmp(path, "/api/v1/channels") == 0)
        return channels(s, msg);
    if (strcmp(path, "/api/v1/subjects") == 0)
        return subjects(s, msg);
    if (strcmp(path, "/api/v1/lessons") == 0)
        return lessons(s, msg, query);
    if (g_str_has_prefix(path, "/api/v1/channels/")) {
        g_auto(GStrv) parts = g_strsplit(path + strlen("/api/v1/channels/"), "/", -1);
        if (g_strv_length(parts) == 2 && channel_exists(s, parts[0])) {
            if (strcmp(parts[1], "now") == 0)
                return now_next(s, msg, parts[0]);
            if (strcmp(parts[1], "guide") == 0)
                return day_guide(s, msg, parts[0], query);
        }
    }
    web_count(s, "/api", 404);
    web_send_error(msg, 404, "%s: no such API resource", path);
}

void web_guide_handle(SqWebServer *s, SoupServerMessage *msg, const char *path)
{
    bool xml = strcmp(path, "/epg.xml") == 0;
    const char *route = xml ? "/epg.xml" : "/channels.m3u";
    int64_t now = sq_now_us();
    int64_t from = now - DAY_US / 2, to = now + 7 * DAY_US;
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) owned = NULL;
    SqEpgGuide *guide = guide_for(s, NULL, from, to, &owned, &error);
    g_autofree char *base = web_base_url(s, msg);
    g_autofree char *text = NULL;
    size_t length = 0;
    if (guide && xml) {
        SqEpgXmltvOptions opt = {.from_us = from, .to_us = to};
        text = sq_epg_xmltv_write(guide, &opt, &length, &error);
    } else if (guide) {
        text = sq_epg_m3u_write_catchup(guide, base, WEB_CATCHUP_DAYS, &error);
        length = text ? strlen(text) : 0;
    }
    if (!text) {
        web_count(s, route, 503);
        web_send_error(msg, 503, "no guide: %s", error->message);
        return;
    }
    web_count(s, route, 200);
    web_send_text(msg, 200,
                  xml ? "application/xml; charset=utf-8" : "audio/x-mpegurl; charset=utf-8", text,
                  length);
}
