/* The catalog rows ingest owns: lessons, assets, their findings and their
 * audit events. Every statement is prepared once (sq_catalog_prepare). */
#include "ingest_private.h"

#include <string.h>

static bool step_done(SqCatalog *cat, sqlite3_stmt *stmt, GError **error, const char *what)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sq_catalog_set_error(cat, error, what);
        return false;
    }
    return true;
}

static void bind_text_or_null(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text && *text)
        sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, index);
}

static bool same_text(const unsigned char *a, const char *b)
{
    return g_strcmp0((const char *)a, b && *b ? b : NULL) == 0;
}

int64_t store_asset_by_sha(SqCatalog *cat, const char *sha256, GError **error)
{
    static const char sql[] = "SELECT id FROM assets WHERE source_sha256 = ?";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return -1;
    sqlite3_bind_text(stmt, 1, sha256, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return sqlite3_column_int64(stmt, 0);
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "looking up a source");
        return -1;
    }
    return 0;
}

bool store_upsert_lesson(SqCatalog *cat, const SqLessonMeta *meta, int64_t *lesson_id,
                         bool *changed, GError **error)
{
    static const char find_sql[] =
        "SELECT id, title_kk, title_ru, description_kk, description_ru FROM lessons "
        "WHERE subject = ? AND grade = ? AND number = ?";
    static const char insert_sql[] =
        "INSERT INTO lessons (subject, grade, number) VALUES (?, ?, ?)";
    /* Titles are per language; a new ingest in one language never erases
     * the other's, and an absent title keeps the one there. */
    static const char update_kk_sql[] = "UPDATE lessons SET title_kk = coalesce(?, title_kk), "
                                        "description_kk = coalesce(?, description_kk) WHERE id = ?";
    static const char update_ru_sql[] = "UPDATE lessons SET title_ru = coalesce(?, title_ru), "
                                        "description_ru = coalesce(?, description_ru) WHERE id = ?";

    bool kk = strcmp(meta->language, "kk") == 0;
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, find_sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, meta->subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 2, meta->grade);
    sqlite3_bind_int(stmt, 3, meta->number);
    int rc = sqlite3_step(stmt);
    *changed = false;
    if (rc == SQLITE_ROW) {
        *lesson_id = sqlite3_column_int64(stmt, 0);
        int title_col = kk ? 1 : 2, desc_col = kk ? 3 : 4;
        *changed = (meta->title && *meta->title &&
                    !same_text(sqlite3_column_text(stmt, title_col), meta->title)) ||
                   (meta->description && *meta->description &&
                    !same_text(sqlite3_column_text(stmt, desc_col), meta->description));
    } else if (rc == SQLITE_DONE) {
        stmt = sq_catalog_prepare(cat, insert_sql, error);
        if (!stmt)
            return false;
        sqlite3_bind_text(stmt, 1, meta->subject, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(stmt, 2, meta->grade);
        sqlite3_bind_int(stmt, 3, meta->number);
        if (!step_done(cat, stmt, error, "adding a lesson"))
            return false;
        *lesson_id = sqlite3_last_insert_rowid(sq_catalog_db(cat));
        *changed = true;
    } else {
        sq_catalog_set_error(cat, error, "looking up a lesson");
        return false;
    }
    stmt = sq_catalog_prepare(cat, kk ? update_kk_sql : update_ru_sql, error);
    if (!stmt)
        return false;
    bind_text_or_null(stmt, 1, meta->title);
    bind_text_or_null(stmt, 2, meta->description);
    sqlite3_bind_int64(stmt, 3, *lesson_id);
    return step_done(cat, stmt, error, "updating a lesson");
}

static char *normalised_tags(const char *tags)
{
    if (!tags)
        return g_strdup("");
    g_auto(GStrv) parts = g_strsplit_set(tags, " ,", -1);
    GString *s = g_string_new(NULL);
    for (char **p = parts; *p; p++)
        if (**p)
            g_string_append_printf(s, "%s%s", s->len ? " " : "", *p);
    return g_string_free(s, FALSE);
}

static bool insert_findings(SqCatalog *cat, int64_t asset_id, GPtrArray *findings, GError **error)
{
    static const char sql[] = "INSERT INTO asset_findings "
                              "(asset_id, code, start_frames, length_frames, message) "
                              "VALUES (?, ?, ?, ?, ?)";
    for (guint i = 0; findings && i < findings->len; i++) {
        const SqFinding *f = findings->pdata[i];
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
        if (!stmt)
            return false;
        sqlite3_bind_int64(stmt, 1, asset_id);
        sqlite3_bind_text(stmt, 2, f->code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 3, f->start_frames);
        sqlite3_bind_int64(stmt, 4, f->length_frames);
        sqlite3_bind_text(stmt, 5, f->message, -1, SQLITE_TRANSIENT);
        if (!step_done(cat, stmt, error, "recording a finding"))
            return false;
    }
    return true;
}

bool store_insert_asset(SqCatalog *cat, const SqLessonMeta *meta, const SqNewAsset *asset,
                        int64_t *asset_id, GError **error)
{
    static const char sql[] =
        "INSERT INTO assets (kind, lesson_id, language, title, tags, path, source_name,"
        " source_sha256, profile, duration_frames, width, height, video_peak_kbps,"
        " loudness_in, loudness_out, true_peak, ingested_us, updated_us)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    int64_t lesson_id = 0;
    bool filler = sq_lesson_meta_is_filler(meta);
    if (!filler) {
        bool changed;
        if (!store_upsert_lesson(cat, meta, &lesson_id, &changed, error))
            return false;
    }
    const SqTranscodeResult *tr = asset->transcode;
    const SqProfile *profile = sq_profile_lookup(asset->profile);
    g_autofree char *tags = normalised_tags(meta->filler_tags);
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    int64_t now = sq_now_us();
    const char *kind = asset->kind ? asset->kind : filler ? "filler" : "lesson";
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    if (filler) {
        sqlite3_bind_null(stmt, 2);
        sqlite3_bind_null(stmt, 3);
    } else {
        sqlite3_bind_int64(stmt, 2, lesson_id);
        sqlite3_bind_text(stmt, 3, meta->language, -1, SQLITE_TRANSIENT);
    }
    bind_text_or_null(stmt, 4, meta->title);
    sqlite3_bind_text(stmt, 5, tags, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 6, asset->relpath, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 7, asset->source_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 8, asset->source_sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 9, asset->profile, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 10, tr->duration_frames);
    sqlite3_bind_int(stmt, 11, profile ? profile->width : 0);
    sqlite3_bind_int(stmt, 12, profile ? profile->height : 0);
    sqlite3_bind_int(stmt, 13, tr->video_peak_kbps);
    sqlite3_bind_double(stmt, 14, tr->loudness_in.integrated_lufs);
    sqlite3_bind_double(stmt, 15, tr->loudness_out_lufs);
    sqlite3_bind_double(stmt, 16, tr->true_peak_out_dbtp);
    sqlite3_bind_int64(stmt, 17, now);
    sqlite3_bind_int64(stmt, 18, now);
    if (!step_done(cat, stmt, error, "adding an asset"))
        return false;
    *asset_id = sqlite3_last_insert_rowid(sq_catalog_db(cat));
    return insert_findings(cat, *asset_id, asset->findings, error) &&
           store_add_event(cat, *asset_id, "ingested", asset->source_name, error);
}

bool store_update_asset_meta(SqCatalog *cat, int64_t asset_id, const SqLessonMeta *meta,
                             bool *changed, GError **error)
{
    static const char get_sql[] =
        "SELECT kind, lesson_id, language, title, tags FROM assets WHERE id = ?";
    static const char set_sql[] =
        "UPDATE assets SET kind = ?, lesson_id = ?, language = ?, title = ?, tags = ?,"
        " updated_us = ? WHERE id = ?";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, get_sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_int64(stmt, 1, asset_id);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sq_catalog_set_error(cat, error, "reading an asset");
        return false;
    }
    bool filler = sq_lesson_meta_is_filler(meta);
    g_autofree char *old_kind = g_strdup((const char *)sqlite3_column_text(stmt, 0));
    int64_t old_lesson = sqlite3_column_int64(stmt, 1);
    g_autofree char *old_language = g_strdup((const char *)sqlite3_column_text(stmt, 2));
    g_autofree char *old_title = g_strdup((const char *)sqlite3_column_text(stmt, 3));
    g_autofree char *old_tags = g_strdup((const char *)sqlite3_column_text(stmt, 4));

    int64_t lesson_id = 0;
    bool lesson_changed = false;
    if (!filler && !store_upsert_lesson(cat, meta, &lesson_id, &lesson_changed, error))
        return false;
    g_autofree char *tags = normalised_tags(meta->filler_tags);
    const char *kind = filler ? "filler" : "lesson";
    const char *title = meta->title && *meta->title ? meta->title : old_title;
    *changed = lesson_changed || strcmp(old_kind, kind) != 0 || old_lesson != lesson_id ||
               g_strcmp0(old_language, filler ? NULL : meta->language) != 0 ||
               g_strcmp0(old_title, title) != 0 || g_strcmp0(old_tags, tags) != 0;
    if (!*changed)
        return true;
    stmt = sq_catalog_prepare(cat, set_sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    if (filler) {
        sqlite3_bind_null(stmt, 2);
        sqlite3_bind_null(stmt, 3);
    } else {
        sqlite3_bind_int64(stmt, 2, lesson_id);
        sqlite3_bind_text(stmt, 3, meta->language, -1, SQLITE_TRANSIENT);
    }
    bind_text_or_null(stmt, 4, title);
    sqlite3_bind_text(stmt, 5, tags, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 6, sq_now_us());
    sqlite3_bind_int64(stmt, 7, asset_id);
    return step_done(cat, stmt, error, "updating an asset") &&
           store_add_event(cat, asset_id, "updated", NULL, error);
}

GHashTable *store_asset_paths(SqCatalog *cat, GError **error)
{
    static const char sql[] = "SELECT path FROM assets";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return NULL;
    GHashTable *paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        g_hash_table_add(paths, g_strdup((const char *)sqlite3_column_text(stmt, 0)));
    if (rc != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "listing asset paths");
        g_hash_table_destroy(paths);
        return NULL;
    }
    return paths;
}

bool store_add_event(SqCatalog *cat, int64_t asset_id, const char *action, const char *reason,
                     GError **error)
{
    static const char sql[] =
        "INSERT INTO asset_events (asset_id, at_us, action, reason) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *stmt = sq_catalog_prepare(cat, sql, error);
    if (!stmt)
        return false;
    sqlite3_bind_int64(stmt, 1, asset_id);
    sqlite3_bind_int64(stmt, 2, sq_now_us());
    sqlite3_bind_text(stmt, 3, action, -1, SQLITE_STATIC);
    bind_text_or_null(stmt, 4, reason);
    return step_done(cat, stmt, error, "recording an asset event");
}
