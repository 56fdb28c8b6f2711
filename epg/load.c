/* The guide from the catalog's published plan (tables plan_versions and
 * plan_items, owned by the scheduler): for each channel and local day the
 * newest published version, its items folded into programmes (fold.c).
 * Drafts are never read. */
#include "epg_private.h"

#include <string.h>

static const char channels_sql[] =
    "SELECT c.id, c.language, c.service_id, c.name_kk, c.name_ru, c.icon,"
    "  (SELECT target FROM channel_outputs o WHERE o.channel_id = c.id AND o.type = 'hls'"
    "   ORDER BY position LIMIT 1),"
    "  (SELECT timezone FROM station WHERE id = 1)"
    " FROM channels c WHERE ?1 IS NULL OR c.id = ?1 ORDER BY c.service_id";

/* The newest published version of each day of the channel that overlaps
 * the range, in time order. */
static const char versions_sql[] =
    "SELECT v.id FROM plan_versions v"
    " WHERE v.channel_id = ?1 AND v.state = 'published'"
    "   AND v.end_us > ?2 AND v.start_us < ?3"
    "   AND v.version = (SELECT MAX(w.version) FROM plan_versions w"
    "                    WHERE w.channel_id = v.channel_id AND w.day = v.day"
    "                      AND w.state = 'published')"
    " ORDER BY v.start_us";

static const char items_sql[] =
    "SELECT i.start_us, i.end_us, i.kind, i.is_hard, l.title_kk, l.title_ru,"
    "  l.description_kk, l.description_ru, s.name_kk, s.name_ru, i.grade, i.number,"
    "  i.language, a.title"
    " FROM plan_items i"
    " LEFT JOIN lessons l ON l.id = i.lesson_id"
    " LEFT JOIN subjects s ON s.id = i.subject_id"
    " LEFT JOIN assets a ON a.id = i.asset_id"
    " WHERE i.version_id = ?1 ORDER BY i.position";

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Texts of the items, kept alive until they are folded. */
static const char *keep(GPtrArray *strings, const char *s)
{
    if (!s)
        return NULL;
    char *copy = g_strdup(s);
    g_ptr_array_add(strings, copy);
    return copy;
}

static bool load_channel_items(SqCatalog *cat, SqEpgGuide *guide, const char *channel_id,
                               int64_t from_us, int64_t to_us, GError **error)
{
    sqlite3_stmt *vs = sq_catalog_prepare(cat, versions_sql, error);
    if (!vs)
        return false;
    sqlite3_bind_text(vs, 1, channel_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(vs, 2, from_us);
    sqlite3_bind_int64(vs, 3, to_us);
    g_autoptr(GArray) version_ids = g_array_new(false, false, sizeof(int64_t));
    int rc;
    while ((rc = sqlite3_step(vs)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(vs, 0);
        g_array_append_val(version_ids, id);
    }
    sqlite3_reset(vs);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading published plan versions");
        return false;
    }
    g_autoptr(GArray) items = g_array_new(false, true, sizeof(SqEpgPlanItem));
    g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
    for (guint v = 0; v < version_ids->len; v++) {
        sqlite3_stmt *is = sq_catalog_prepare(cat, items_sql, error);
        if (!is)
            return false;
        sqlite3_bind_int64(is, 1, g_array_index(version_ids, int64_t, v));
        while ((rc = sqlite3_step(is)) == SQLITE_ROW) {
            const char *kind = col(is, 2);
            SqEpgPlanItem it = {
                .start_us = sqlite3_column_int64(is, 0),
                .end_us = sqlite3_column_int64(is, 1),
                .kind = g_strcmp0(kind, "lesson") == 0   ? SQ_EPG_ITEM_LESSON
                        : g_strcmp0(kind, "repeat") == 0 ? SQ_EPG_ITEM_REPEAT
                                                         : SQ_EPG_ITEM_OTHER,
                .is_hard_start = sqlite3_column_int(is, 3) != 0,
                .title_kk = keep(strings, col(is, 4)),
                .title_ru = keep(strings, col(is, 5)),
                .desc_kk = keep(strings, col(is, 6)),
                .desc_ru = keep(strings, col(is, 7)),
                .subject_kk = keep(strings, col(is, 8)),
                .subject_ru = keep(strings, col(is, 9)),
                .grade = sqlite3_column_int(is, 10),
                .lesson_number = sqlite3_column_int(is, 11),
                .language = keep(strings, col(is, 12)),
            };
            if (it.kind != SQ_EPG_ITEM_OTHER && epg_empty(it.title_kk) && epg_empty(it.title_ru)) {
                /* A lesson without a title: the asset's own, else its subject. */
                const char *fallback = col(is, 13);
                if (epg_empty(fallback))
                    fallback = !epg_empty(it.subject_kk) ? it.subject_kk : it.subject_ru;
                if (epg_empty(fallback))
                    fallback = "?";
                if (g_strcmp0(it.language, "ru") == 0)
                    it.title_ru = keep(strings, fallback);
                else
                    it.title_kk = keep(strings, fallback);
            }
            g_array_append_val(items, it);
        }
        sqlite3_reset(is);
        if (rc != SQLITE_DONE) {
            sq_catalog_set_error(cat, error, "reading published plan items");
            return false;
        }
    }
    return sq_epg_fold(guide, channel_id, (const SqEpgPlanItem *)items->data, items->len, error);
}

SqEpgGuide *sq_epg_guide_load(SqCatalog *cat, const char *channel_id, int64_t from_us,
                              int64_t to_us, GError **error)
{
    sqlite3_stmt *cs = sq_catalog_prepare(cat, channels_sql, error);
    if (!cs)
        return NULL;
    if (channel_id)
        sqlite3_bind_text(cs, 1, channel_id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(cs, 1);
    g_autoptr(SqEpgGuide) guide = sq_epg_guide_new("sabaq " SQ_EPG_VERSION);
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(cs)) == SQLITE_ROW) {
        /* The HLS output's path doubles as its URL path when it is relative
         * (docs/station.md); an absolute folder says nothing about URLs. */
        g_autofree char *hls = NULL;
        if (col(cs, 6) && col(cs, 6)[0] != '/')
            hls = g_strdup(col(cs, 6));
        SqEpgChannel ch = {.id = col(cs, 0),
                           .language = col(cs, 1),
                           .service_id = (uint16_t)sqlite3_column_int(cs, 2),
                           .name_kk = col(cs, 3),
                           .name_ru = col(cs, 4),
                           .icon = col(cs, 5),
                           .hls_path = hls,
                           .timezone = col(cs, 7)};
        ok = sq_epg_guide_add_channel(guide, &ch, error);
        if (ok)
            g_ptr_array_add(ids, g_strdup(ch.id));
    }
    sqlite3_reset(cs);
    if (!ok)
        return NULL;
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading channels");
        return NULL;
    }
    if (channel_id && ids->len == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel '%s' in the catalog",
                    channel_id);
        return NULL;
    }
    for (guint i = 0; i < ids->len; i++)
        if (!load_channel_items(cat, guide, g_ptr_array_index(ids, i), from_us, to_us, error))
            return NULL;
    return g_steal_pointer(&guide);
}
