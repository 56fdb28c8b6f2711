/* The channels' live HLS, served from where playout writes it: each
 * channel's first HLS output in the station file (docs/station.md), a
 * folder relative to the catalog or absolute. The URLs are the ones the
 * API and the M3U give (epg/load.c): a relative folder is its own URL
 * path ("live/balapan" -> /live/balapan/index.m3u8), and every channel is
 * also at /hls/<channel>/, the only URL an absolute folder has. */
#include "web_private.h"

#include <string.h>

bool web_hls_handle(SqWebServer *s, SoupServerMessage *msg, const char *path)
{
    static const char sql[] =
        "SELECT o.channel_id, o.target FROM channel_outputs o WHERE o.type = 'hls'"
        " AND o.position = (SELECT min(p.position) FROM channel_outputs p"
        "  WHERE p.channel_id = o.channel_id AND p.type = 'hls')";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return false;
    g_autofree char *root = NULL;
    const char *rest = NULL;
    while (!root && sqlite3_step(st) == SQLITE_ROW) {
        const char *channel = (const char *)sqlite3_column_text(st, 0);
        const char *target = (const char *)sqlite3_column_text(st, 1);
        if (!channel || !target || !*target)
            continue;
        bool is_absolute = g_path_is_absolute(target);
        g_autofree char *by_id = g_strdup_printf("/hls/%s/", channel);
        g_autofree char *trimmed = g_strdup(target);
        while (g_str_has_suffix(trimmed, "/") && strlen(trimmed) > 1)
            trimmed[strlen(trimmed) - 1] = '\0';
        g_autofree char *by_path = is_absolute ? NULL : g_strdup_printf("/%s/", trimmed);
        if (g_str_has_prefix(path, by_id))
            rest = path + strlen(by_id);
        else if (by_path && g_str_has_prefix(path, by_path))
            rest = path + strlen(by_path);
        else
            continue;
        root = is_absolute ? g_strdup(trimmed) : g_build_filename(s->db_dir, trimmed, NULL);
    }
    sqlite3_reset(st);
    if (!root)
        return false;
    /* rest points into path, which outlives this call. */
    web_serve_file(s, msg, root, rest, "/hls");
    return true;
}
