/* How a plan day reads for people and programs: `sabaq schedule --json`
 * and the titles of items. */
#include "plan_store.h"

#include <string.h>

char *sq_plan_item_title(SqCatalog *cat, const SqPlanItem *item, GError **error)
{
    static const char sql[] =
        "SELECT CASE ?2 WHEN 'kk' THEN l.title_kk WHEN 'ru' THEN l.title_ru END, a.title"
        " FROM assets a LEFT JOIN lessons l ON l.id = a.lesson_id WHERE a.id = ?1";
    if (item->asset_id <= 0)
        return NULL;
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64(stmt, 1, item->asset_id);
    if (item->language)
        sqlite3_bind_text(stmt, 2, item->language, -1, SQLITE_STATIC);
    char *title = NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *lesson = (const char *)sqlite3_column_text(stmt, 0);
        const char *asset = (const char *)sqlite3_column_text(stmt, 1);
        title = g_strdup(lesson && *lesson ? lesson : asset && *asset ? asset : NULL);
    }
    sqlite3_reset(stmt);
    return title;
}

char *sq_plan_house_profile(SqCatalog *cat)
{
    static const char sql[] = "SELECT profile FROM assets WHERE kind != 'slate'"
                              " AND NOT (' ' || tags || ' ' LIKE '% house-loop %')"
                              " ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, NULL);
    if (!stmt)
        return NULL;
    char *profile = sqlite3_step(stmt) == SQLITE_ROW
                        ? g_strdup((const char *)sqlite3_column_text(stmt, 0))
                        : NULL;
    sqlite3_reset(stmt);
    return profile;
}

static void add_text(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void add_int(JsonBuilder *b, const char *key, int64_t value, bool present)
{
    json_builder_set_member_name(b, key);
    if (present)
        json_builder_add_int_value(b, value);
    else
        json_builder_add_null_value(b);
}

JsonNode *sq_plan_day_to_json(SqCatalog *cat, const SqPlanDay *day, GTimeZone *tz, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < day->items->len; i++) {
        const SqPlanItem *it = &g_array_index(day->items, SqPlanItem, i);
        GError *local = NULL;
        g_autofree char *title = sq_plan_item_title(cat, it, &local);
        if (local) {
            g_propagate_error(error, local);
            return NULL;
        }
        g_autofree char *start = sq_format_rfc3339(it->start_us, tz);
        g_autofree char *end = sq_format_rfc3339(it->end_us, tz);
        g_autofree char *slot =
            it->slot_start_s >= 0
                ? g_strdup_printf("%02d:%02d", it->slot_start_s / 3600, it->slot_start_s / 60 % 60)
                : NULL;
        bool is_lesson = it->kind == SQ_ITEM_LESSON || it->kind == SQ_ITEM_REPEAT;
        json_builder_begin_object(b);
        add_text(b, "start", start);
        add_text(b, "end", end);
        add_text(b, "kind", sq_item_kind_name(it->kind));
        add_int(b, "asset", it->asset_id, it->asset_id > 0);
        add_text(b, "subject", is_lesson ? it->subject : NULL);
        add_int(b, "grade", it->grade, is_lesson && it->subject);
        add_int(b, "number", it->number, is_lesson && it->subject);
        add_text(b, "language", it->language);
        add_text(b, "title", title);
        json_builder_set_member_name(b, "hard");
        json_builder_add_boolean_value(b, it->is_hard);
        add_text(b, "slot", slot);
        add_int(b, "duration_frames", (it->end_us - it->start_us) / SQ_FRAME_US, true);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}
