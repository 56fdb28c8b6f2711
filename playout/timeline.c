/* A channel's timeline: what airs at a given instant, from a rundown or
 * from the newest published plan version covering that instant (read at
 * every call, so a newly published version is used from the next item
 * on). Plans are per local day; asking by instant crosses midnight. */
#include "playout_private.h"

#include <string.h>

#define LOOP_MAX_US (3600 * SQ_SECOND_US)

struct Timeline {
    SqRundown *rundown;
    SqCatalog *cat;
    char *channel_id;
    char *library_dir;
};

void item_clear(Item *item)
{
    g_free(item->path);
    g_free(item->reason);
    g_free(item->kind);
    g_free(item->title);
    g_free(item->source);
    memset(item, 0, sizeof *item);
}

void item_copy(Item *dest, const Item *src)
{
    *dest = *src;
    dest->path = g_strdup(src->path);
    dest->reason = g_strdup(src->reason);
    dest->kind = g_strdup(src->kind);
    dest->title = g_strdup(src->title);
    dest->source = g_strdup(src->source);
}

char *asset_path_resolve(const char *library_dir, const char *path)
{
    if (g_path_is_absolute(path))
        return g_strdup(path);
    g_autofree char *joined = g_build_filename(library_dir, path, NULL);
    return g_canonicalize_filename(joined, NULL);
}

Timeline *timeline_new_rundown(SqRundown *rundown)
{
    Timeline *tl = g_new0(Timeline, 1);
    tl->rundown = rundown;
    return tl;
}

Timeline *timeline_new_plan(SqCatalog *cat, const char *channel_id)
{
    Timeline *tl = g_new0(Timeline, 1);
    tl->cat = cat;
    tl->channel_id = g_strdup(channel_id);
    return tl;
}

void timeline_free(Timeline *tl)
{
    if (!tl)
        return;
    sq_rundown_free(tl->rundown);
    g_free(tl->channel_id);
    g_free(tl->library_dir);
    g_free(tl);
}

static void loop_item(Item *item, int64_t from_us, int64_t to_us, const char *why)
{
    item->start_us = from_us;
    item->end_us = MIN(to_us, from_us + LOOP_MAX_US);
    item->kind = g_strdup("loop");
    item->source = g_strdup("loop");
    item->title = g_strdup("house loop");
    item->reason = g_strdup(why);
}

static void rundown_item_at(SqRundown *rd, int64_t at_us, Item *item)
{
    int64_t t = rd->start_us;
    if (at_us < t) {
        loop_item(item, at_us, t, "before the rundown");
        return;
    }
    for (guint i = 0; i < rd->entries->len; i++) {
        SqRundownEntry *e = g_ptr_array_index(rd->entries, i);
        int64_t end = t + sq_frames_to_us(e->duration_frames);
        if (at_us < end) {
            item->start_us = t;
            item->end_us = end;
            item->asset_id = e->asset_id;
            item->path = g_strdup(e->path);
            item->in_frames = e->in_frames;
            item->kind = g_strdup("rundown");
            item->source = g_strdup("rundown");
            item->title = g_strdup(e->title ? e->title : e->path);
            return;
        }
        t = end;
    }
    loop_item(item, at_us, G_MAXINT64, "after the rundown");
}

static bool plan_item_at(Timeline *tl, int64_t at_us, Item *item, GError **error)
{
    static const char version_sql[] =
        "SELECT id, version, start_us, end_us FROM plan_versions "
        "WHERE channel_id = ? AND state = 'published' AND start_us <= ? AND end_us > ? "
        "ORDER BY day DESC, version DESC LIMIT 1";
    static const char item_sql[] =
        "SELECT i.start_us, i.end_us, i.kind, i.asset_id, a.path, a.status, "
        "  coalesce(a.title, i.subject_id || ' ' || i.grade || '/' || i.number, a.source_name, "
        "i.kind) "
        "FROM plan_items i LEFT JOIN assets a ON a.id = i.asset_id "
        "WHERE i.version_id = ? AND i.start_us <= ? AND i.end_us > ? LIMIT 1";
    static const char next_sql[] = "SELECT min(start_us) FROM plan_versions "
                                   "WHERE channel_id = ? AND state = 'published' AND start_us > ?";
    sqlite3_stmt *st = sq_catalog_prepare(tl->cat, version_sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, tl->channel_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_int64(st, 3, at_us);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            sq_catalog_set_error(tl->cat, error, "reading the plan");
            return false;
        }
        st = sq_catalog_prepare(tl->cat, next_sql, error);
        if (!st)
            return false;
        sqlite3_bind_text(st, 1, tl->channel_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, at_us);
        int64_t next = G_MAXINT64;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            next = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        loop_item(item, at_us, next, "no published plan");
        return true;
    }
    int64_t version_id = sqlite3_column_int64(st, 0);
    int64_t version = sqlite3_column_int64(st, 1);
    int64_t version_end = sqlite3_column_int64(st, 3);
    sqlite3_reset(st);

    st = sq_catalog_prepare(tl->cat, item_sql, error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, version_id);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_int64(st, 3, at_us);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        /* Items are contiguous; a hole would be a scheduler bug: never dead air. */
        loop_item(item, at_us, version_end, "a hole in the published plan");
        item->plan_version = version;
        return true;
    }
    item->start_us = sqlite3_column_int64(st, 0);
    item->end_us = sqlite3_column_int64(st, 1);
    item->kind = g_strdup((const char *)sqlite3_column_text(st, 2));
    item->asset_id = sqlite3_column_int64(st, 3);
    const char *path = (const char *)sqlite3_column_text(st, 4);
    const char *status = (const char *)sqlite3_column_text(st, 5);
    item->title = g_strdup((const char *)sqlite3_column_text(st, 6));
    item->source = g_strdup("plan");
    item->plan_version = version;
    if (sqlite3_column_type(st, 3) == SQLITE_NULL)
        item->reason = g_strdup("the plan has no asset for this item");
    else if (!path)
        item->reason =
            g_strdup_printf("asset %" G_GINT64_FORMAT " is not in the catalog", item->asset_id);
    else if (status && (strcmp(status, "withdrawn") == 0 || strcmp(status, "rejected") == 0))
        item->reason = g_strdup_printf("asset %" G_GINT64_FORMAT " is %s", item->asset_id, status);
    else
        item->path = asset_path_resolve(tl->library_dir, path);
    sqlite3_reset(st);
    return true;
}

bool timeline_item_at(Timeline *tl, int64_t at_us, Item *item, GError **error)
{
    memset(item, 0, sizeof *item);
    if (tl->rundown) {
        rundown_item_at(tl->rundown, at_us, item);
        return true;
    }
    return plan_item_at(tl, at_us, item, error);
}

void timeline_set_library(Timeline *tl, const char *library_dir)
{
    g_free(tl->library_dir);
    tl->library_dir = g_strdup(library_dir);
}

bool house_assets_find(SqCatalog *cat, const char *library_dir, char **slate_path, char **loop_path,
                       GError **error)
{
    static const char sql[] = "SELECT path FROM assets WHERE status IN ('ready', 'approved') AND "
                              "((? = 1 AND kind = 'slate') OR (? = 0 AND kind = 'filler' AND "
                              "  (' ' || replace(tags, ',', ' ') || ' ') LIKE '% house-loop %')) "
                              "ORDER BY id DESC LIMIT 1";
    for (int want_slate = 1; want_slate >= 0; want_slate--) {
        sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
        if (!st)
            return false;
        sqlite3_bind_int(st, 1, want_slate);
        sqlite3_bind_int(st, 2, want_slate);
        char **slot = want_slate ? slate_path : loop_path;
        *slot = NULL;
        if (sqlite3_step(st) == SQLITE_ROW)
            *slot = asset_path_resolve(library_dir, (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
    }
    return true;
}

char *format_utc(int64_t instant_us)
{
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    return sq_format_rfc3339(instant_us, utc);
}
