/* Reading the planner's input from the catalog: the imported station
 * (channels, grids, calendar), the lessons and every asset. */
#include "scheduler_private.h"

#include <string.h>

static const char *text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

static bool done(SqCatalog *cat, int rc, const char *what, GError **error)
{
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, what);
        return false;
    }
    return true;
}

static bool load_channels(SqCatalog *cat, SqPlanner *p, GError **error)
{
    static const char sql[] = "SELECT id, language, filler_tags, holiday_rule, missing_rule"
                              " FROM channels ORDER BY rowid";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        SqChannelSpec c = {
            .id = text(stmt, 0),
            .language = text(stmt, 1),
            .filler_tags = text(stmt, 2),
            .holiday_rule =
                g_strcmp0(text(stmt, 3), "repeats") == 0 ? SQ_HOLIDAY_REPEATS : SQ_HOLIDAY_FILLERS,
            .missing_rule = g_strcmp0(text(stmt, 4), "fillers") == 0 ? SQ_MISSING_FILLERS
                                                                     : SQ_MISSING_REPEAT_PREVIOUS,
        };
        if (!sq_planner_add_channel(p, &c, error))
            return false;
    }
    return done(cat, rc, "reading the channels", error);
}

static SqSlotKind slot_kind(const char *kind)
{
    return g_strcmp0(kind, "break") == 0    ? SQ_SLOT_BREAK
           : g_strcmp0(kind, "repeat") == 0 ? SQ_SLOT_REPEAT
                                            : SQ_SLOT_LESSON;
}

static bool load_grids(SqCatalog *cat, SqPlanner *p, GError **error)
{
    static const char sql[] =
        "SELECT g.id, g.channel_id, g.days, s.start_s, s.length_frames, s.kind, s.grade,"
        " s.subject_id, s.language, s.repeat_of_s FROM grids g JOIN slots s ON s.grid_id = g.id"
        " ORDER BY g.id, s.start_s";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    g_autoptr(GArray) slots = g_array_new(FALSE, FALSE, sizeof(SqSlotSpec));
    g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
    int64_t grid = -1;
    g_autofree char *channel = NULL;
    int days = 0, rc;
    for (;;) {
        rc = sqlite3_step(stmt);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -2;
        if (id != grid && grid != -1) {
            if (!sq_planner_add_grid(p, channel, days, (SqSlotSpec *)slots->data, slots->len,
                                     error))
                return false;
            g_array_set_size(slots, 0);
        }
        if (rc != SQLITE_ROW)
            break;
        if (id != grid) {
            grid = id;
            g_free(channel);
            channel = g_strdup(text(stmt, 1));
            days = sqlite3_column_int(stmt, 2);
        }
        char *subject = g_strdup(text(stmt, 7)), *language = g_strdup(text(stmt, 8));
        g_ptr_array_add(strings, subject);
        g_ptr_array_add(strings, language);
        SqSlotSpec s = {.start_s = sqlite3_column_int(stmt, 3),
                        .length_frames = sqlite3_column_int64(stmt, 4),
                        .kind = slot_kind(text(stmt, 5)),
                        .grade = sqlite3_column_int(stmt, 6),
                        .subject = subject,
                        .language = language,
                        .repeat_of_s = sqlite3_column_int(stmt, 9)};
        g_array_append_val(slots, s);
    }
    return done(cat, rc, "reading the grids", error);
}

static bool load_calendar(SqCatalog *cat, SqPlanner *p, GError **error)
{
    static const char terms_sql[] = "SELECT first_day, last_day FROM calendar_terms";
    static const char holidays_sql[] = "SELECT day FROM calendar_holidays";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, terms_sql, error);
    if (!stmt)
        return false;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (!sq_planner_add_term(p, text(stmt, 0), text(stmt, 1), error))
            return false;
    if (!done(cat, rc, "reading the terms", error))
        return false;
    if (!(stmt = sq_catalog_prepare(cat, holidays_sql, error)))
        return false;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (!sq_planner_add_holiday(p, text(stmt, 0), error))
            return false;
    return done(cat, rc, "reading the holidays", error);
}

static bool load_assets(SqCatalog *cat, SqPlanner *p, GError **error)
{
    static const char lessons_sql[] = "SELECT id, subject, grade, number FROM lessons";
    static const char assets_sql[] =
        "SELECT id, kind, lesson_id, language, tags, duration_frames, status FROM assets"
        " ORDER BY id";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, lessons_sql, error);
    if (!stmt)
        return false;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        sq_planner_add_lesson(p, sqlite3_column_int64(stmt, 0), text(stmt, 1),
                              sqlite3_column_int(stmt, 2), sqlite3_column_int(stmt, 3));
    if (!done(cat, rc, "reading the lessons", error))
        return false;
    if (!(stmt = sq_catalog_prepare(cat, assets_sql, error)))
        return false;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *kind = text(stmt, 1);
        SqAssetSpec a = {.id = sqlite3_column_int64(stmt, 0),
                         .kind = strcmp(kind, "lesson") == 0  ? SQ_ASSET_LESSON
                                 : strcmp(kind, "slate") == 0 ? SQ_ASSET_SLATE
                                                              : SQ_ASSET_FILLER,
                         .lesson_id = sqlite3_column_int64(stmt, 2),
                         .language = text(stmt, 3),
                         .tags = text(stmt, 4),
                         .duration_frames = sqlite3_column_int64(stmt, 5),
                         .status = text(stmt, 6)};
        if (!sq_planner_add_asset(p, &a, error))
            return false;
    }
    return done(cat, rc, "reading the assets", error);
}

GTimeZone *sq_plan_station_timezone(SqCatalog *cat, GError **error)
{
    static const char sql[] = "SELECT timezone FROM station WHERE id = 1";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "the catalog has no station: import one first (sabaq import STATION.xml)");
        return NULL;
    }
    GTimeZone *tz = g_time_zone_new_identifier(text(stmt, 0));
    if (!tz)
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "the station's time zone '%s' is unknown",
                    text(stmt, 0));
    sqlite3_reset(stmt);
    return tz;
}

SqPlanner *sq_planner_load(SqCatalog *cat, GError **error)
{
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, error);
    if (!tz)
        return NULL;
    g_autoptr(SqPlanner) p = sq_planner_new(g_time_zone_get_identifier(tz), error);
    if (!p || !load_channels(cat, p, error) || !load_grids(cat, p, error) ||
        !load_calendar(cat, p, error) || !load_assets(cat, p, error))
        return NULL;
    return g_steal_pointer(&p);
}
