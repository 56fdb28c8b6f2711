/* The guide the public API answers from, loaded once and kept while it is
 * valid: loading and folding a day and a half of every channel's plan takes
 * tens of milliseconds (a day of short fillers is thousands of items), and
 * now/next must answer in well under 5 ms at 1,000 requests a second. It
 * is reloaded when a plan version is published, when the station is
 * re-imported (both change the stamp) or when its window has moved on. */
#include "epg/epg.h"
#include "web_private.h"

#define DAY_US         (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)
#define REFRESH_US     (G_GINT64_CONSTANT(6) * 3600 * SQ_SECOND_US)
#define STAMP_EVERY_US (200 * 1000)

static char *stamp(SqWebServer *s)
{
    static const char sql[] =
        "SELECT (SELECT count(*) || '/' || coalesce(max(id), 0) || '/' ||"
        " coalesce(max(published_us), 0) FROM plan_versions WHERE state = 'published')"
        " || '/' || coalesce((SELECT imported_us FROM station WHERE id = 1), 0)";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    char *out = st && sqlite3_step(st) == SQLITE_ROW
                    ? g_strdup((const char *)sqlite3_column_text(st, 0))
                    : NULL;
    if (st)
        sqlite3_reset(st);
    return out;
}

SqEpgGuide *web_guide(SqWebServer *s, int64_t from_us, int64_t to_us, GError **error)
{
    int64_t now = sq_now_us();
    /* The stamp is read at most every 200 ms: a publication shows within
     * that, and a burst of requests costs one query. */
    g_autofree char *current = NULL;
    if (s->guide && now - s->stamp_checked_us < STAMP_EVERY_US)
        current = g_strdup(s->guide_stamp);
    else
        current = stamp(s), s->stamp_checked_us = now;
    bool fresh = s->guide && current && g_strcmp0(current, s->guide_stamp) == 0 &&
                 now < s->guide_from_us + DAY_US + REFRESH_US;
    if (!fresh) {
        int64_t from = now - DAY_US, to = now + 8 * DAY_US;
        SqEpgGuide *g = sq_epg_guide_load(s->cat, NULL, from, to, error);
        if (!g)
            return NULL;
        g_clear_pointer(&s->guide, sq_epg_guide_free);
        s->guide = g;
        s->guide_from_us = from;
        s->guide_to_us = to;
        g_free(s->guide_stamp);
        s->guide_stamp = g_steal_pointer(&current);
    }
    if (from_us < s->guide_from_us || to_us > s->guide_to_us)
        return NULL;
    return s->guide;
}

const char *web_guide_stamp(SqWebServer *s)
{
    return s->guide_stamp;
}
