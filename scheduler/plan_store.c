/* Plan versions in the catalog: writing drafts and versions with their
 * items and conflicts, reading a version back, and where each sequence
 * stood before a date. Tables: migration 3 in core/catalog_schema.c. */
#include "plan_store.h"

#include <string.h>

static const char *text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

static bool step_done(SqCatalog *cat, sqlite3_stmt *stmt, const char *what, GError **error)
{
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, what);
        return false;
    }
    return true;
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *value)
{
    if (value)
        sqlite3_bind_text(stmt, i, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, i);
}

static void bind_id(sqlite3_stmt *stmt, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(stmt, i, id);
    else
        sqlite3_bind_null(stmt, i);
}

bool store_version(SqCatalog *cat, const SqPlanDay *day, const StoreVersion *v, int64_t *items,
                   GError **error)
{
    static const char version_sql[] =
        "INSERT INTO plan_versions (channel_id, day, state, version, start_us, end_us,"
        " created_us, published_us, origin, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char item_sql[] =
        "INSERT INTO plan_items (version_id, position, start_us, end_us, kind, asset_id,"
        " is_hard, slot_start_s, lesson_id, subject_id, grade, number, language)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char conflict_sql[] =
        "INSERT INTO plan_conflicts (version_id, position, at_us, slot_start_s, code, message)"
        " VALUES (?, ?, ?, ?, ?, ?)";
    if (!sq_plan_day_check(day, error))
        return false;
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, version_sql, error);
    if (!stmt)
        return false;
    int64_t now = sq_now_us();
    bind_text(stmt, 1, day->channel_id);
    bind_text(stmt, 2, day->day);
    bind_text(stmt, 3, v->version ? "published" : "draft");
    if (v->version)
        sqlite3_bind_int(stmt, 4, v->version);
    sqlite3_bind_int64(stmt, 5, day->start_us);
    sqlite3_bind_int64(stmt, 6, day->end_us);
    sqlite3_bind_int64(stmt, 7, now);
    if (v->version)
        sqlite3_bind_int64(stmt, 8, now);
    bind_text(stmt, 9, v->origin);
    bind_text(stmt, 10, v->note);
    if (!step_done(cat, stmt, "storing a plan version", error))
        return false;
    int64_t version_id = sqlite3_last_insert_rowid(sq_catalog_db(cat));
    for (guint i = 0; i < day->items->len; i++) {
        const SqPlanItem *it = &g_array_index(day->items, SqPlanItem, i);
        if (!(stmt = sq_catalog_prepare(cat, item_sql, error)))
            return false;
        sqlite3_bind_int64(stmt, 1, version_id);
        sqlite3_bind_int(stmt, 2, (int)i);
        sqlite3_bind_int64(stmt, 3, it->start_us);
        sqlite3_bind_int64(stmt, 4, it->end_us);
        bind_text(stmt, 5, sq_item_kind_name(it->kind));
        bind_id(stmt, 6, it->asset_id);
        sqlite3_bind_int(stmt, 7, it->is_hard);
        if (it->slot_start_s >= 0)
            sqlite3_bind_int(stmt, 8, it->slot_start_s);
        bind_id(stmt, 9, it->lesson_id);
        bind_text(stmt, 10, it->subject);
        if (it->subject) {
            sqlite3_bind_int(stmt, 11, it->grade);
            sqlite3_bind_int(stmt, 12, it->number);
        }
        bind_text(stmt, 13, it->language);
        if (!step_done(cat, stmt, "storing a plan item", error))
            return false;
    }
    for (guint i = 0; i < day->conflicts->len; i++) {
        const SqConflict *c = day->conflicts->pdata[i];
        if (!(stmt = sq_catalog_prepare(cat, conflict_sql, error)))
            return false;
        sqlite3_bind_int64(stmt, 1, version_id);
        sqlite3_bind_int(stmt, 2, (int)i);
        sqlite3_bind_int64(stmt, 3, c->at_us);
        if (c->slot_start_s >= 0)
            sqlite3_bind_int(stmt, 4, c->slot_start_s);
        bind_text(stmt, 5, c->code);
        bind_text(stmt, 6, c->message);
        if (!step_done(cat, stmt, "storing a conflict", error))
            return false;
    }
    if (items)
        *items += day->items->len;
    return true;
}

bool sq_plan_store_drafts(SqCatalog *cat, GPtrArray *days, int64_t *items_written, GError **error)
{
    /* plan_items has no foreign key (core/catalog_schema.c): its rows go
     * first. */
    static const char delete_items_sql[] =
        "DELETE FROM plan_items WHERE version_id = (SELECT id FROM plan_versions"
        " WHERE channel_id = ?1 AND day = ?2 AND state = 'draft')";
    static const char delete_sql[] =
        "DELETE FROM plan_versions WHERE channel_id = ?1 AND day = ?2 AND state = 'draft'";
    StoreVersion draft = {.origin = "plan"};
    for (guint i = 0; i < days->len; i++) {
        const SqPlanDay *day = days->pdata[i];
        if (day->is_fixed)
            continue;
        sqlite3_stmt *items = sq_catalog_prepare(cat, delete_items_sql, error);
        if (!items)
            return false;
        bind_text(items, 1, day->channel_id);
        bind_text(items, 2, day->day);
        if (!step_done(cat, items, "replacing a draft", error))
            return false;
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, delete_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, day->channel_id);
        bind_text(stmt, 2, day->day);
        if (!step_done(cat, stmt, "replacing a draft", error) ||
            !store_version(cat, day, &draft, items_written, error))
            return false;
    }
    return true;
}

int store_newest_version(SqCatalog *cat, const char *channel_id, const char *day, GError **error)
{
    static const char sql[] = "SELECT coalesce(max(version), 0) FROM plan_versions"
                              " WHERE channel_id = ? AND day = ? AND state = 'published'";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return -1;
    bind_text(stmt, 1, channel_id);
    bind_text(stmt, 2, day);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sq_catalog_set_error(cat, error, "reading plan versions");
        return -1;
    }
    int v = sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    return v;
}

static bool load_items(SqCatalog *cat, int64_t version_id, SqPlanDay *day, GError **error)
{
    static const char items_sql[] =
        "SELECT start_us, end_us, kind, asset_id, is_hard, slot_start_s, lesson_id, subject_id,"
        " grade, number, language FROM plan_items WHERE version_id = ? ORDER BY position";
    static const char conflicts_sql[] =
        "SELECT at_us, slot_start_s, code, message FROM plan_conflicts WHERE version_id = ?"
        " ORDER BY position";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, items_sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_int64(stmt, 1, version_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        SqPlanItem it = {
            .start_us = sqlite3_column_int64(stmt, 0),
            .end_us = sqlite3_column_int64(stmt, 1),
            .asset_id = sqlite3_column_int64(stmt, 3),
            .is_hard = sqlite3_column_int(stmt, 4) != 0,
            .slot_start_s =
                sqlite3_column_type(stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 5),
            .lesson_id = sqlite3_column_int64(stmt, 6),
            .subject = text(stmt, 7) ? g_intern_string(text(stmt, 7)) : NULL,
            .grade = sqlite3_column_int(stmt, 8),
            .number = sqlite3_column_int(stmt, 9),
            .language = text(stmt, 10) ? g_intern_string(text(stmt, 10)) : NULL,
        };
        sq_item_kind_from_name(text(stmt, 2), &it.kind);
        g_array_append_val(day->items, it);
    }
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading plan items");
        return false;
    }
    if (!(stmt = sq_catalog_prepare(cat, conflicts_sql, error)))
        return false;
    sqlite3_bind_int64(stmt, 1, version_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        sq_plan_day_add_conflict(
            day, sqlite3_column_int64(stmt, 0),
            sqlite3_column_type(stmt, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 1),
            text(stmt, 2), "%s", text(stmt, 3));
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading plan conflicts");
        return false;
    }
    return true;
}

void sq_plan_version_info_clear(SqPlanVersionInfo *info)
{
    g_free(info->state);
    g_free(info->origin);
    g_free(info->note);
    memset(info, 0, sizeof(*info));
}

SqPlanDay *sq_plan_day_load(SqCatalog *cat, const char *channel_id, const char *day, int version,
                            SqPlanVersionInfo *info, GError **error)
{
    /* Version 0: the newest published, else the draft; -1: the draft. */
    static const char sql[] =
        "SELECT id, start_us, end_us, state, coalesce(version, 0), created_us,"
        " coalesce(published_us, 0), origin, note FROM plan_versions"
        " WHERE channel_id = ?1 AND day = ?2"
        "  AND (?3 = 0 OR (?3 = -1 AND state = 'draft') OR version = ?3)"
        " ORDER BY state = 'published' DESC, version DESC LIMIT 1";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    bind_text(stmt, 1, channel_id);
    bind_text(stmt, 2, day);
    sqlite3_bind_int(stmt, 3, version);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            sq_catalog_set_error(cat, error, "reading plan versions");
        else if (version == -1)
            g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "channel '%s' has no draft of %s",
                        channel_id, day);
        else if (version)
            g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "channel '%s' has no version %d of %s",
                        channel_id, version, day);
        else
            g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                        "channel '%s' has no plan for %s (sabaq plan --from %s)", channel_id, day,
                        day);
        return NULL;
    }
    int64_t id = sqlite3_column_int64(stmt, 0);
    g_autoptr(SqPlanDay) d = sq_plan_day_new(channel_id, day, sqlite3_column_int64(stmt, 1),
                                             sqlite3_column_int64(stmt, 2));
    if (info) {
        info->state = g_strdup(text(stmt, 3));
        info->version = sqlite3_column_int(stmt, 4);
        info->created_us = sqlite3_column_int64(stmt, 5);
        info->published_us = sqlite3_column_int64(stmt, 6);
        info->origin = g_strdup(text(stmt, 7));
        info->note = g_strdup(text(stmt, 8));
    }
    d->is_fixed = strcmp(text(stmt, 3), "published") == 0;
    sqlite3_reset(stmt);
    if (!load_items(cat, id, d, error))
        return NULL;
    return g_steal_pointer(&d);
}

GArray *sq_plan_day_versions(SqCatalog *cat, const char *channel_id, const char *day,
                             GError **error)
{
    static const char sql[] = "SELECT version FROM plan_versions WHERE channel_id = ? AND day = ?"
                              " AND state = 'published' ORDER BY version";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    bind_text(stmt, 1, channel_id);
    bind_text(stmt, 2, day);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(int));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int v = sqlite3_column_int(stmt, 0);
        g_array_append_val(out, v);
    }
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading plan versions");
        g_array_unref(out);
        return NULL;
    }
    return out;
}

bool store_load_sequences(SqCatalog *cat, SqPlanner *p, const char *channel_id, const char *day,
                          GError **error)
{
    /* The last lesson each sequence aired before day, in the plan that
     * counts for each earlier day: its newest published version, else its
     * draft. (SQLite takes the bare columns from the row of max().) */
    static const char sql[] =
        "SELECT i.subject_id, i.grade, i.language, i.number, i.asset_id, max(i.start_us)"
        " FROM plan_versions v JOIN plan_items i ON i.version_id = v.id"
        " WHERE v.channel_id = ?1 AND v.day < ?2 AND i.kind = 'lesson'"
        "  AND v.id = (SELECT w.id FROM plan_versions w"
        "              WHERE w.channel_id = v.channel_id AND w.day = v.day"
        "              ORDER BY w.state = 'published' DESC, w.version DESC LIMIT 1)"
        " GROUP BY i.subject_id, i.grade, i.language";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    bind_text(stmt, 1, channel_id);
    bind_text(stmt, 2, day);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (!sq_planner_set_sequence(p, channel_id, text(stmt, 0), sqlite3_column_int(stmt, 1),
                                     text(stmt, 2), sqlite3_column_int(stmt, 3),
                                     sqlite3_column_int64(stmt, 4), error))
            return false;
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading where the sequences stand");
        return false;
    }
    return true;
}

bool store_check_range(const char *first_day, int n_days, GDate *first, GError **error)
{
    if (!sq_plan_parse_day(first_day, first)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--from: '%s' is not a date (YYYY-MM-DD)",
                    first_day ? first_day : "");
        return false;
    }
    if (n_days < 1 || n_days > 732) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "--days: %d is not between 1 and 732",
                    n_days);
        return false;
    }
    return true;
}
