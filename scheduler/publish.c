/* Publishing: a day's draft becomes its next published version, and an
 * explicit edit of a published day adds a version. Published versions are
 * never changed or deleted: playout, the EPG and the as-run log refer to
 * them, and `sabaq plan diff` compares them. */
#include "plan_store.h"

#include <string.h>

static bool draft_id(SqCatalog *cat, const char *channel_id, const char *day, int64_t *id,
                     GError **error)
{
    static const char sql[] = "SELECT id FROM plan_versions WHERE channel_id = ? AND day = ?"
                              " AND state = 'draft'";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, channel_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading the drafts");
        return false;
    }
    return true;
}

static bool publish_day(SqCatalog *cat, const char *channel_id, const char *day, SqPublishResult *r,
                        GError **error)
{
    static const char sql[] = "UPDATE plan_versions SET state = 'published', version = ?,"
                              " published_us = ? WHERE id = ?";
    int64_t draft = 0;
    if (!draft_id(cat, channel_id, day, &draft, error))
        return false;
    int newest = store_newest_version(cat, channel_id, day, error);
    if (newest < 0)
        return false;
    if (!draft) {
        if (newest > 0) {
            r->unchanged++;
            return true;
        }
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "%s %s: nothing to publish (no draft): run sabaq plan --from %s first", day,
                    channel_id, day);
        return false;
    }
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_int(stmt, 1, newest + 1);
    sqlite3_bind_int64(stmt, 2, sq_now_us());
    sqlite3_bind_int64(stmt, 3, draft);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "publishing a draft");
        return false;
    }
    r->published++;
    return true;
}

bool sq_plan_publish(SqCatalog *cat, const char *channel_id, const char *first_day, int n_days,
                     SqPublishResult *result, GError **error)
{
    GDate first;
    if (!store_check_range(first_day, n_days, &first, error))
        return false;
    static const char channel_sql[] = "SELECT 1 FROM channels WHERE id = ?";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, channel_sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, channel_id, -1, SQLITE_STATIC);
    bool known = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    if (!known) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "--channel: the station has no channel '%s'", channel_id ? channel_id : "");
        return false;
    }
    memset(result, 0, sizeof(*result));
    if (!sq_catalog_begin_write(cat, error))
        return false;
    guint32 julian = g_date_get_julian(&first);
    for (int i = 0; i < n_days; i++) {
        char day[11];
        calendar_format_day(julian + (guint32)i, day);
        if (!publish_day(cat, channel_id, day, result, error)) {
            sq_catalog_rollback(cat);
            return false;
        }
    }
    return sq_catalog_commit(cat, error);
}

bool sq_plan_edit(SqCatalog *cat, const char *channel_id, int64_t at_us, int64_t asset_id,
                  const char *note, int *new_version, GError **error)
{
    g_autoptr(SqPlanner) p = sq_planner_load(cat, error);
    if (!p)
        return false;
    if (!planner_channel(p, channel_id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "--channel: the station has no channel '%s'", channel_id ? channel_id : "");
        return false;
    }
    if (at_us % SQ_FRAME_US != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--at: not on the 25 fps frame grid");
        return false;
    }
    /* What has aired is history (the as-run log says what it was). */
    if (at_us < sq_now_us()) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "--at: that instant has already aired; edits change the future only");
        return false;
    }
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(at_us / SQ_SECOND_US);
    g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, sq_planner_timezone(p));
    g_autofree char *day = g_date_time_format(local, "%Y-%m-%d");
    if (!sq_catalog_begin_write(cat, error))
        return false;
    int newest = store_newest_version(cat, channel_id, day, error);
    if (newest == 0)
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "%s %s is not published: change its draft with sabaq plan, then publish", day,
                    channel_id);
    g_autoptr(SqPlanDay) d =
        newest > 0 ? sq_plan_day_load(cat, channel_id, day, newest, NULL, error) : NULL;
    StoreVersion v = {.version = newest + 1, .origin = "edit", .note = note};
    if (!d || !sq_planner_edit_day(p, d, at_us, asset_id, error) ||
        !store_version(cat, d, &v, NULL, error) || !sq_catalog_commit(cat, error)) {
        sq_catalog_rollback(cat);
        return false;
    }
    *new_version = v.version;
    return true;
}
