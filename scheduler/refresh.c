/* `sabaq plan`: the drafts of a date range, built from the catalog's
 * station and assets and stored in one transaction. Published days are
 * handed to the planner as they are (they carry the sequences through
 * what they air) and never rewritten. */
#include "plan_store.h"

#include <string.h>

static void day_free(gpointer p)
{
    sq_plan_day_free(p);
}

void sq_plan_refresh_clear(SqPlanRefresh *r)
{
    g_clear_pointer(&r->days, g_ptr_array_unref);
    g_clear_pointer(&r->warnings, g_ptr_array_unref);
    r->days_planned = r->days_kept = r->conflicts = 0;
    r->items = 0;
}

/* The published days of the range are fixed in the planner. */
static bool fix_published(SqCatalog *cat, SqPlanner *p, const char *channel_id, guint32 first,
                          int n_days, GError **error)
{
    static const char sql[] = "SELECT DISTINCT day FROM plan_versions WHERE channel_id = ?1"
                              " AND state = 'published' AND day BETWEEN ?2 AND ?3 ORDER BY day";
    char from[11], to[11];
    calendar_format_day(first, from);
    calendar_format_day(first + (guint32)n_days - 1, to);
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, channel_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, to, -1, SQLITE_STATIC);
    g_autoptr(GPtrArray) days = g_ptr_array_new_with_free_func(g_free);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        g_ptr_array_add(days, g_strdup((const char *)sqlite3_column_text(stmt, 0)));
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "reading the published days");
        return false;
    }
    for (guint i = 0; i < days->len; i++) {
        g_autoptr(SqPlanDay) d = sq_plan_day_load(cat, channel_id, days->pdata[i], 0, NULL, error);
        if (!d || !sq_planner_fix_day(p, channel_id, days->pdata[i], (SqPlanItem *)d->items->data,
                                      d->items->len, error))
            return false;
    }
    return true;
}

static bool refresh_channel(SqCatalog *cat, SqPlanner *p, const char *channel_id,
                            const char *first_day, int n_days, SqPlanRefresh *r, GError **error)
{
    GDate first;
    sq_plan_parse_day(first_day, &first);
    if (!store_load_sequences(cat, p, channel_id, first_day, error) ||
        !fix_published(cat, p, channel_id, g_date_get_julian(&first), n_days, error))
        return false;
    g_autoptr(GPtrArray) days = sq_planner_build(p, channel_id, first_day, n_days, error);
    if (!days || !sq_plan_store_drafts(cat, days, &r->items, error))
        return false;
    for (guint i = 0; i < days->len; i++) {
        const SqPlanDay *d = days->pdata[i];
        if (d->is_fixed) {
            r->days_kept++;
        } else {
            r->days_planned++;
            r->conflicts += (int)d->conflicts->len;
        }
    }
    if (!sq_planner_channel_has_pool(p, channel_id))
        g_ptr_array_add(r->warnings,
                        g_strdup_printf("%s: no approved filler carries the channel's pool tags; "
                                        "its gaps air the house loop",
                                        channel_id));
    for (guint i = 0; i < days->len; i++)
        g_ptr_array_add(r->days, g_steal_pointer(&days->pdata[i]));
    return true;
}

bool sq_plan_refresh(SqCatalog *cat, const char *channel_id, const char *first_day, int n_days,
                     SqPlanRefresh *result, GError **error)
{
    GDate first;
    if (!store_check_range(first_day, n_days, &first, error))
        return false;
    g_autoptr(SqPlanner) p = sq_planner_load(cat, error);
    if (!p)
        return false;
    GPtrArray *ids = sq_planner_channel_ids(p);
    if (channel_id && !planner_channel(p, channel_id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "--channel: the station has no channel '%s'", channel_id);
        return false;
    }
    if (ids->len == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "the station has no channel");
        return false;
    }
    memset(result, 0, sizeof(*result));
    result->days = g_ptr_array_new_with_free_func(day_free);
    result->warnings = g_ptr_array_new_with_free_func(g_free);
    if (!sq_catalog_begin_write(cat, error))
        return false;
    for (guint i = 0; i < ids->len; i++) {
        const char *id = ids->pdata[i];
        if (channel_id && strcmp(channel_id, id) != 0)
            continue;
        if (!refresh_channel(cat, p, id, first_day, n_days, result, error)) {
            sq_catalog_rollback(cat);
            sq_plan_refresh_clear(result);
            return false;
        }
    }
    if (!sq_catalog_commit(cat, error)) {
        sq_plan_refresh_clear(result);
        return false;
    }
    return true;
}
