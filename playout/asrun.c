/* The as-run log: what really aired, one row per item (table asrun,
 * migration v_playout). A row is written when the item starts (status
 * 'airing'), its aired length refreshed every few seconds, and closed when
 * the item ends; rows a killed engine left 'airing' are closed as
 * 'interrupted' when the channel starts again. */
#include "playout_private.h"

#include <stdio.h>

static const char *const status_names[] = {"airing", "aired", "joined",
                                           "cut",    "slate", "interrupted"};

bool asrun_close_stale(SqCatalog *cat, const char *channel_id, GError **error)
{
    static const char sql[] =
        "UPDATE asrun SET status = 'interrupted', "
        "  reason = 'the engine stopped without closing the item (crash or kill)' "
        "WHERE channel_id = ? AND status = 'airing'";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, channel_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "closing the as-run rows of a stopped engine");
        return false;
    }
    int n = sqlite3_changes(sq_catalog_db(cat));
    if (n > 0)
        g_message("%s: %d as-run row%s left airing by a stopped engine marked interrupted",
                  channel_id, n, n == 1 ? "" : "s");
    return true;
}

int64_t asrun_begin(SqCatalog *cat, const char *channel_id, const Item *item,
                    int64_t actual_start_us, GError **error)
{
    static const char sql[] =
        "INSERT INTO asrun (channel_id, planned_start_us, planned_end_us, actual_start_us, "
        "  aired_frames, asset_id, kind, title, source, plan_version, status, reason) "
        "VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 'airing', ?)";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, channel_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, item->start_us);
    sqlite3_bind_int64(st, 3, item->end_us);
    sqlite3_bind_int64(st, 4, actual_start_us);
    if (item->asset_id)
        sqlite3_bind_int64(st, 5, item->asset_id);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, item->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, item->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, item->source, -1, SQLITE_STATIC);
    if (item->plan_version)
        sqlite3_bind_int64(st, 9, item->plan_version);
    else
        sqlite3_bind_null(st, 9);
    sqlite3_bind_text(st, 10, item->reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "writing the as-run log");
        return 0;
    }
    return sqlite3_last_insert_rowid(sq_catalog_db(cat));
}

bool asrun_progress(SqCatalog *cat, int64_t row_id, int64_t aired_frames, GError **error)
{
    static const char sql[] = "UPDATE asrun SET aired_frames = ? WHERE id = ?";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, aired_frames);
    sqlite3_bind_int64(st, 2, row_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "updating the as-run log");
        return false;
    }
    return true;
}

bool asrun_end(SqCatalog *cat, int64_t row_id, AsrunStatus status, int64_t aired_frames,
               const char *reason, GError **error)
{
    static const char sql[] =
        "UPDATE asrun SET aired_frames = ?, status = ?, reason = ? WHERE id = ?";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, aired_frames);
    sqlite3_bind_text(st, 2, status_names[status], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, row_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "closing an as-run row");
        return false;
    }
    return true;
}

/* The station's zone (UTC when no station was imported). */
static GTimeZone *station_zone(SqCatalog *cat)
{
    static const char sql[] = "SELECT timezone FROM station WHERE id = 1";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, NULL);
    GTimeZone *tz = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        tz = g_time_zone_new_identifier((const char *)sqlite3_column_text(st, 0));
    if (st)
        sqlite3_reset(st);
    return tz ? tz : g_time_zone_new_utc();
}

JsonNode *sq_asrun_day(SqCatalog *cat, const char *channel_id, const char *day, GError **error)
{
    static const char sql[] =
        "SELECT planned_start_us, planned_end_us, actual_start_us, aired_frames, asset_id, "
        "  kind, title, source, plan_version, status, reason FROM asrun "
        "WHERE channel_id = ? AND planned_start_us < ? AND planned_end_us > ? "
        "ORDER BY actual_start_us, id";
    int y, m, d;
    char extra;
    if (sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || !g_date_valid_dmy(d, m, y)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--date %s: YYYY-MM-DD is expected", day);
        return NULL;
    }
    g_autoptr(GTimeZone) tz = station_zone(cat);
    g_autoptr(GDateTime) from = g_date_time_new(tz, y, m, d, 0, 0, 0);
    g_autoptr(GDateTime) to = from ? g_date_time_add_days(from, 1) : NULL;
    if (!to) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--date %s: not a day", day);
        return NULL;
    }
    int64_t from_us = g_date_time_to_unix(from) * SQ_SECOND_US;
    int64_t to_us = g_date_time_to_unix(to) * SQ_SECOND_US;
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, channel_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, to_us);
    sqlite3_bind_int64(st, 3, from_us);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t planned = sqlite3_column_int64(st, 0);
        int64_t planned_end = sqlite3_column_int64(st, 1);
        int64_t actual = sqlite3_column_int64(st, 2);
        int64_t frames = sqlite3_column_int64(st, 3);
        g_autofree char *p = sq_format_rfc3339(planned, tz);
        g_autofree char *pe = sq_format_rfc3339(planned_end, tz);
        g_autofree char *a = sq_format_rfc3339(actual, tz);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "planned_start");
        json_builder_add_string_value(b, p);
        json_builder_set_member_name(b, "planned_end");
        json_builder_add_string_value(b, pe);
        json_builder_set_member_name(b, "actual_start");
        json_builder_add_string_value(b, a);
        json_builder_set_member_name(b, "planned_start_us");
        json_builder_add_int_value(b, planned);
        json_builder_set_member_name(b, "actual_start_us");
        json_builder_add_int_value(b, actual);
        json_builder_set_member_name(b, "planned_frames");
        json_builder_add_int_value(b, (planned_end - planned) / SQ_FRAME_US);
        json_builder_set_member_name(b, "aired_frames");
        json_builder_add_int_value(b, frames);
        json_builder_set_member_name(b, "asset_id");
        if (sqlite3_column_type(st, 4) == SQLITE_NULL)
            json_builder_add_null_value(b);
        else
            json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
        static const char *const text_cols[] = {"kind", "title", "source"};
        for (int i = 0; i < 3; i++) {
            json_builder_set_member_name(b, text_cols[i]);
            json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 5 + i));
        }
        json_builder_set_member_name(b, "plan_version");
        if (sqlite3_column_type(st, 8) == SQLITE_NULL)
            json_builder_add_null_value(b);
        else
            json_builder_add_int_value(b, sqlite3_column_int64(st, 8));
        json_builder_set_member_name(b, "status");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 9));
        json_builder_set_member_name(b, "reason");
        if (sqlite3_column_type(st, 10) == SQLITE_NULL)
            json_builder_add_null_value(b);
        else
            json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 10));
        json_builder_end_object(b);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading the as-run log");
        return NULL;
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}
