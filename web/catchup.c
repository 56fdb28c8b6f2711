/* /catchup/<channel>/<utc>[/...]: catch-up for IPTV players. The M3U's
 * catchup-source (Kodi's "default" mode) asks for a channel at a Unix
 * time; Kodi starts from 5 minutes before a programme and may add more
 * path (the duration, index.m3u8), which is ignored. The answer is a
 * redirect (302) to the VOD playlist of the lesson that was on air then,
 * or of the first one starting within 15 minutes after it, so a player
 * that asks a little early still gets the lesson it chose in the guide.
 * Only what a published plan has aired (started before now) and is still
 * approved, as for /vod. */
#include "web_private.h"

#include <string.h>

#define LOOKAHEAD_US (G_GINT64_CONSTANT(15) * 60 * SQ_SECOND_US)

void web_catchup_handle(SqWebServer *s, SoupServerMessage *msg, const char *rest)
{
    const char *route = "/catchup";
    g_auto(GStrv) parts = g_strsplit(rest, "/", 3);
    char *end = NULL;
    gint64 utc_s = parts[0] && parts[1] ? g_ascii_strtoll(parts[1], &end, 10) : -1;
    if (!parts[0] || !sq_identifier_is_valid(parts[0]) || !parts[1] || end == parts[1] || *end ||
        utc_s <= 0 || utc_s > G_MAXINT64 / SQ_SECOND_US) {
        web_count(s, route, 404);
        web_send_error(msg, 404, "catch-up is /catchup/<channel>/<unix seconds>");
        return;
    }
    int64_t at_us = utc_s * SQ_SECOND_US;
    /* The newest published version of each day; the item containing at_us,
     * else the first starting after it within the lookahead. */
    static const char sql[] =
        "SELECT i.asset_id FROM plan_items i JOIN plan_versions v ON v.id = i.version_id"
        " JOIN assets a ON a.id = i.asset_id"
        " WHERE v.channel_id = ?1 AND v.state = 'published'"
        " AND v.version = (SELECT max(w.version) FROM plan_versions w WHERE w.channel_id ="
        " v.channel_id AND w.day = v.day AND w.state = 'published')"
        " AND i.kind IN ('lesson', 'repeat') AND a.status = 'approved' AND a.kind = 'lesson'"
        " AND i.end_us > ?2 AND i.start_us <= ?2 + ?3 AND i.start_us <= ?4"
        " ORDER BY i.start_us > ?2, i.start_us LIMIT 1";
    g_autoptr(GError) error = NULL;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, &error);
    if (!st) {
        web_count(s, route, 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    sqlite3_bind_text(st, 1, parts[0], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_int64(st, 3, LOOKAHEAD_US);
    sqlite3_bind_int64(st, 4, sq_now_us());
    bool found = sqlite3_step(st) == SQLITE_ROW;
    int64_t asset = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (!found) {
        web_count(s, route, 404);
        web_send_error(msg, 404, "%s aired no lesson at %" G_GINT64_FORMAT " that can be replayed",
                       parts[0], utc_s);
        return;
    }
    g_autofree char *location = g_strdup_printf("/vod/%" G_GINT64_FORMAT "/index.m3u8", asset);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Location",
                                 location);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
                                 "no-store");
    web_count(s, route, 302);
    web_send_text(msg, 302, "text/plain; charset=utf-8", location, strlen(location));
}
