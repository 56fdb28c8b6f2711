/* Rundown files: an explicit running order for operators and tests
 * (docs/playout.md). JSON: {"start": RFC 3339 | "start_us": N, "items":
 * [{"asset": ID | "file": PATH, "in": FRAMES, "out": FRAMES, "title": T}]}. */
#include "playout_private.h"

#include <string.h>

#define GOP_FRAMES 50

static void entry_free(gpointer data)
{
    SqRundownEntry *e = data;
    g_free(e->path);
    g_free(e->title);
    g_free(e);
}

void sq_rundown_free(SqRundown *rundown)
{
    if (!rundown)
        return;
    if (rundown->entries)
        g_ptr_array_unref(rundown->entries);
    g_free(rundown);
}

static bool get_frames(JsonObject *o, const char *member, int64_t *value, const char *file, guint i,
                       GError **error)
{
    if (!json_object_has_member(o, member))
        return true;
    JsonNode *n = json_object_get_member(o, member);
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
        json_node_get_int(n) < 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s: items[%u].%s: a frame count (integer >= 0) is expected", file, i, member);
        return false;
    }
    *value = json_node_get_int(n);
    return true;
}

static bool asset_lookup(SqCatalog *cat, const char *library_dir, int64_t id, SqRundownEntry *e,
                         int64_t *duration_frames, GError **error)
{
    static const char sql[] = "SELECT path, duration_frames, title FROM assets WHERE id = ?";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return false;
    }
    e->path = asset_path_resolve(library_dir, (const char *)sqlite3_column_text(st, 0));
    *duration_frames = sqlite3_column_int64(st, 1);
    if (!e->title && sqlite3_column_text(st, 2))
        e->title = g_strdup((const char *)sqlite3_column_text(st, 2));
    sqlite3_reset(st);
    return true;
}

static bool parse_entry(SqCatalog *cat, const char *library_dir, const char *base_dir,
                        const char *file, JsonNode *node, guint i, SqRundownEntry *e,
                        GError **error)
{
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items[%u]: an object is expected", file,
                    i);
        return false;
    }
    JsonObject *o = json_node_get_object(node);
    bool has_asset = json_object_has_member(o, "asset");
    bool has_file = json_object_has_member(o, "file");
    if (has_asset == has_file) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s: items[%u]: give either \"asset\" (an id) or \"file\"", file, i);
        return false;
    }
    const char *title = json_object_get_string_member_with_default(o, "title", NULL);
    e->title = g_strdup(title);
    int64_t length_frames = -1;
    if (has_asset) {
        JsonNode *n = json_object_get_member(o, "asset");
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "%s: items[%u].asset: an asset id (integer) is expected", file, i);
            return false;
        }
        e->asset_id = json_node_get_int(n);
        g_autoptr(GError) local = NULL;
        if (!cat || !asset_lookup(cat, library_dir, e->asset_id, e, &length_frames, &local)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items[%u].asset: %s", file, i,
                        local ? local->message : "no such asset in the catalog");
            return false;
        }
    } else {
        const char *f = json_object_get_string_member_with_default(o, "file", NULL);
        if (!f || !*f) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items[%u].file: a path is expected",
                        file, i);
            return false;
        }
        e->path = g_path_is_absolute(f) ? g_strdup(f) : g_build_filename(base_dir, f, NULL);
        if (!json_object_has_member(o, "out")) {
            g_autoptr(GError) local = NULL;
            g_autoptr(Reader) r = reader_open(e->path, 0, false, &local);
            GstClockTime d = r ? reader_duration(r) : 0;
            if (!d) {
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items[%u].file: %s", file, i,
                            local ? local->message : "duration unknown (give \"out\")");
                return false;
            }
            length_frames = (int64_t)(d / (GST_SECOND / SQ_FPS));
        }
    }
    int64_t out = length_frames;
    if (!get_frames(o, "in", &e->in_frames, file, i, error) ||
        !get_frames(o, "out", &out, file, i, error))
        return false;
    if (e->in_frames % GOP_FRAMES != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s: items[%u].in: %" G_GINT64_FORMAT
                    " is not on a GOP start (a multiple of %d frames): passthrough cannot "
                    "start elsewhere",
                    file, i, e->in_frames, GOP_FRAMES);
        return false;
    }
    if (length_frames >= 0 && out > length_frames) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s: items[%u].out: %" G_GINT64_FORMAT
                    " is past the asset's end (%" G_GINT64_FORMAT " frames)",
                    file, i, out, length_frames);
        return false;
    }
    if (out <= e->in_frames) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items[%u].out: must be after \"in\"",
                    file, i);
        return false;
    }
    e->duration_frames = out - e->in_frames;
    return true;
}

static bool parse_start(JsonObject *root, const char *file, int64_t *start_us, GError **error)
{
    if (json_object_has_member(root, "start_us")) {
        JsonNode *n = json_object_get_member(root, "start_us");
        if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64) {
            *start_us = json_node_get_int(n);
            return true;
        }
    } else if (json_object_has_member(root, "start")) {
        const char *text = json_object_get_string_member_with_default(root, "start", "");
        g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(text, NULL);
        if (t) {
            *start_us = g_date_time_to_unix(t) * SQ_SECOND_US + g_date_time_get_microsecond(t);
            return true;
        }
    }
    g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                "%s: start: an RFC 3339 instant with its offset (\"start\") or UTC microseconds "
                "(\"start_us\") is expected",
                file);
    return false;
}

SqRundown *sq_rundown_load(SqCatalog *cat, const char *library_dir, const char *path,
                           GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *file = g_path_get_basename(path);
    if (!json_parser_load_from_file(parser, path, error))
        return NULL; /* json-glib's message names the file, line and column */
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: a JSON object is expected", file);
        return NULL;
    }
    JsonObject *o = json_node_get_object(root);
    g_autoptr(SqRundown) rd = g_new0(SqRundown, 1);
    rd->entries = g_ptr_array_new_with_free_func(entry_free);
    if (!parse_start(o, file, &rd->start_us, error))
        return NULL;
    if (rd->start_us % SQ_FRAME_US != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: start: not on the 40 ms frame grid",
                    file);
        return NULL;
    }
    JsonNode *items = json_object_get_member(o, "items");
    if (!items || !JSON_NODE_HOLDS_ARRAY(items) ||
        json_array_get_length(json_node_get_array(items)) == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: items: a non-empty list is expected",
                    file);
        return NULL;
    }
    g_autofree char *base_dir = g_path_get_dirname(path);
    JsonArray *arr = json_node_get_array(items);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        SqRundownEntry *e = g_new0(SqRundownEntry, 1);
        g_ptr_array_add(rd->entries, e);
        if (!parse_entry(cat, library_dir, base_dir, file, json_array_get_element(arr, i), i, e,
                         error))
            return NULL;
    }
    return g_steal_pointer(&rd);
}
