/* Reading the catalog's assets, their JSON form, and the methodologist's
 * approve/withdraw decisions. */
#include "ingest_private.h"

#include <string.h>

#define ASSET_COLUMNS                                                                              \
    "a.id, a.kind, l.subject, l.grade, l.number, a.language,"                                      \
    " coalesce(a.title, CASE a.language WHEN 'kk' THEN l.title_kk ELSE l.title_ru END),"           \
    " a.tags, a.path, a.source_name, a.source_sha256, a.profile, a.duration_frames, a.width,"      \
    " a.height, a.video_peak_kbps, a.loudness_in, a.loudness_out, a.true_peak, a.status,"          \
    " a.status_reason, a.ingested_us"

static char *column_text(sqlite3_stmt *stmt, int col)
{
    return g_strdup((const char *)sqlite3_column_text(stmt, col));
}

static SqAsset *asset_from_row(sqlite3_stmt *stmt)
{
    SqAsset *a = g_new0(SqAsset, 1);
    int c = 0;
    a->id = sqlite3_column_int64(stmt, c++);
    a->kind = column_text(stmt, c++);
    a->subject = column_text(stmt, c++);
    a->grade = sqlite3_column_int(stmt, c++);
    a->number = sqlite3_column_int(stmt, c++);
    a->language = column_text(stmt, c++);
    a->title = column_text(stmt, c++);
    a->tags = column_text(stmt, c++);
    a->path = column_text(stmt, c++);
    a->source_name = column_text(stmt, c++);
    a->source_sha256 = column_text(stmt, c++);
    a->profile = column_text(stmt, c++);
    a->duration_frames = sqlite3_column_int64(stmt, c++);
    a->width = sqlite3_column_int(stmt, c++);
    a->height = sqlite3_column_int(stmt, c++);
    a->video_peak_kbps = sqlite3_column_int(stmt, c++);
    a->loudness_in = sqlite3_column_double(stmt, c++);
    a->loudness_out = sqlite3_column_double(stmt, c++);
    a->true_peak = sqlite3_column_double(stmt, c++);
    a->status = column_text(stmt, c++);
    a->status_reason = column_text(stmt, c++);
    a->ingested_us = sqlite3_column_int64(stmt, c++);
    a->findings = g_ptr_array_new_with_free_func((GDestroyNotify)finding_free);
    return a;
}

void sq_asset_free(SqAsset *a)
{
    if (!a)
        return;
    g_free(a->kind);
    g_free(a->subject);
    g_free(a->language);
    g_free(a->title);
    g_free(a->tags);
    g_free(a->path);
    g_free(a->source_name);
    g_free(a->source_sha256);
    g_free(a->profile);
    g_free(a->status);
    g_free(a->status_reason);
    if (a->findings)
        g_ptr_array_unref(a->findings);
    g_free(a);
}

static bool load_findings(SqCatalog *cat, SqAsset *a, GError **error)
{
    static const char sql[] = "SELECT code, start_frames, length_frames, message"
                              " FROM asset_findings WHERE asset_id = ? ORDER BY start_frames, code";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_int64(stmt, 1, a->id);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        g_ptr_array_add(a->findings,
                        finding_new((const char *)sqlite3_column_text(stmt, 0),
                                    sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
                                    (const char *)sqlite3_column_text(stmt, 3)));
    return true;
}

GPtrArray *sq_assets_list(SqCatalog *cat, GError **error)
{
    static const char sql[] =
        "SELECT " ASSET_COLUMNS " FROM assets a LEFT JOIN lessons l ON l.id = a.lesson_id"
        " ORDER BY a.kind, l.subject, l.grade, l.number, a.language, a.id";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)sq_asset_free);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        g_ptr_array_add(list, asset_from_row(stmt));
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "listing assets");
        return NULL;
    }
    for (guint i = 0; i < list->len; i++)
        if (!load_findings(cat, list->pdata[i], error))
            return NULL;
    return g_steal_pointer(&list);
}

SqAsset *sq_asset_get(SqCatalog *cat, int64_t id, GError **error)
{
    static const char sql[] =
        "SELECT " ASSET_COLUMNS " FROM assets a LEFT JOIN lessons l ON l.id = a.lesson_id"
        " WHERE a.id = ?";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    sqlite3_bind_int64(stmt, 1, id);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no asset %" G_GINT64_FORMAT, id);
        return NULL;
    }
    g_autoptr(SqAsset) a = asset_from_row(stmt);
    if (!load_findings(cat, a, error))
        return NULL;
    return g_steal_pointer(&a);
}

static void add_string_or_null(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void add_rounded(JsonBuilder *b, const char *key, double value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_double_value(b, (double)(int64_t)(value * 100.0 + (value < 0 ? -0.5 : 0.5)) /
                                         100.0);
}

static void add_asset(JsonBuilder *b, const SqAsset *a)
{
    bool lesson = strcmp(a->kind, "lesson") == 0;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, a->id);
    add_string_or_null(b, "kind", a->kind);
    add_string_or_null(b, "subject", a->subject);
    json_builder_set_member_name(b, "grade");
    lesson ? json_builder_add_int_value(b, a->grade) : json_builder_add_null_value(b);
    json_builder_set_member_name(b, "number");
    lesson ? json_builder_add_int_value(b, a->number) : json_builder_add_null_value(b);
    add_string_or_null(b, "language", a->language);
    add_string_or_null(b, "title", a->title);
    json_builder_set_member_name(b, "tags");
    json_builder_begin_array(b);
    g_auto(GStrv) tags = g_strsplit(a->tags ? a->tags : "", " ", -1);
    for (char **t = tags; *t; t++)
        if (**t)
            json_builder_add_string_value(b, *t);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "duration_frames");
    json_builder_add_int_value(b, a->duration_frames);
    add_rounded(b, "loudness_in", a->loudness_in);
    add_rounded(b, "loudness_out", a->loudness_out);
    add_rounded(b, "true_peak", a->true_peak);
    add_string_or_null(b, "status", a->status);
    add_string_or_null(b, "status_reason", a->status_reason);
    add_string_or_null(b, "path", a->path);
    add_string_or_null(b, "source", a->source_name);
    add_string_or_null(b, "sha256", a->source_sha256);
    add_string_or_null(b, "profile", a->profile);
    json_builder_set_member_name(b, "width");
    json_builder_add_int_value(b, a->width);
    json_builder_set_member_name(b, "height");
    json_builder_add_int_value(b, a->height);
    json_builder_set_member_name(b, "video_peak_kbps");
    json_builder_add_int_value(b, a->video_peak_kbps);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->findings->len; i++) {
        const SqFinding *f = a->findings->pdata[i];
        json_builder_begin_object(b);
        add_string_or_null(b, "code", f->code);
        json_builder_set_member_name(b, "start_frames");
        json_builder_add_int_value(b, f->start_frames);
        json_builder_set_member_name(b, "length_frames");
        json_builder_add_int_value(b, f->length_frames);
        add_string_or_null(b, "message", f->message);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

JsonNode *sq_assets_to_json(GPtrArray *assets)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < assets->len; i++)
        add_asset(b, assets->pdata[i]);
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static bool set_status(SqCatalog *cat, int64_t id, const char *status, const char *reason,
                       GError **error)
{
    static const char sql[] =
        "UPDATE assets SET status = ?, status_reason = ?, updated_us = ? WHERE id = ?";
    if (!sq_catalog_begin_write(cat, error))
        return false;
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt) {
        sq_catalog_rollback(cat);
        return false;
    }
    sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(stmt, 2, reason, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, 2);
    sqlite3_bind_int64(stmt, 3, sq_now_us());
    sqlite3_bind_int64(stmt, 4, id);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "changing an asset's status");
        sq_catalog_rollback(cat);
        return false;
    }
    if (sqlite3_changes(sq_catalog_db(cat)) == 0) {
        sq_catalog_rollback(cat);
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no asset %" G_GINT64_FORMAT, id);
        return false;
    }
    if (!store_add_event(cat, id, status, reason, error)) {
        sq_catalog_rollback(cat);
        return false;
    }
    return sq_catalog_commit(cat, error);
}

bool sq_asset_approve(SqCatalog *cat, int64_t id, GError **error)
{
    return set_status(cat, id, "approved", NULL, error);
}

bool sq_asset_withdraw(SqCatalog *cat, int64_t id, const char *reason, GError **error)
{
    g_autofree char *trimmed = g_strstrip(g_strdup(reason ? reason : ""));
    if (!*trimmed) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "a withdrawal needs a reason");
        return false;
    }
    return set_status(cat, id, "withdrawn", trimmed, error);
}
