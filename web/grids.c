/* The planner's grid editor API: a channel's weekly grids and their slots,
 * and changes to slots (add, move, change, delete) checked by the planner's
 * own rules (no overlap, nothing across midnight, repeats of lesson slots)
 * inside one transaction: a change that breaks them is refused whole.
 * Changes are made to the catalog's station; re-importing the station
 * file replaces them (docs/api.md). */
#include "scheduler/scheduler.h"
#include "web_private.h"

#include <stdio.h>
#include <string.h>

static const char *const weekdays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* "hh:mm", "hh:mm:ss" -> seconds (lengths also "mm:ss"); -1 if not. */
static int parse_clock(const char *text, bool is_length)
{
    int a, b, c;
    char tail;
    if (!text)
        return -1;
    int n = sscanf(text, "%d:%d:%d%c", &a, &b, &c, &tail);
    if (n == 3 && a >= 0 && b >= 0 && b < 60 && c >= 0 && c < 60)
        return a * 3600 + b * 60 + c;
    if (n == 2 && a >= 0 && b >= 0 && b < 60)
        return is_length ? a * 60 + b : a * 3600 + b * 60;
    return -1;
}

void web_grids_get(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    static const char sql[] =
        "SELECT g.id, g.days, s.id, s.start_s, s.length_frames, s.kind, s.grade, s.subject_id,"
        " s.language, s.repeat_of_s FROM grids g LEFT JOIN slots s ON s.grid_id = g.id"
        " WHERE g.channel_id = ? ORDER BY g.id, s.start_s";
    const char *channel = query ? g_hash_table_lookup(query, "channel") : NULL;
    if (!channel) {
        web_count(s, "/api/v1/grids", 400);
        web_send_error(msg, 400, "channel is required");
        return;
    }
    g_autoptr(GError) error = NULL;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, &error);
    if (!st) {
        web_count(s, "/api/v1/grids", 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_TRANSIENT);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "channel");
    json_builder_add_string_value(b, channel);
    json_builder_set_member_name(b, "grids");
    json_builder_begin_array(b);
    int64_t grid = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id != grid) {
            if (grid != -1) {
                json_builder_end_array(b);
                json_builder_end_object(b);
            }
            grid = id;
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "id");
            json_builder_add_int_value(b, id);
            json_builder_set_member_name(b, "days");
            json_builder_begin_array(b);
            int days = sqlite3_column_int(st, 1);
            for (int d = 0; d < 7; d++)
                if (days & (1 << d))
                    json_builder_add_string_value(b, weekdays[d]);
            json_builder_end_array(b);
            json_builder_set_member_name(b, "slots");
            json_builder_begin_array(b);
        }
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue;
        int start = sqlite3_column_int(st, 3);
        int64_t frames = sqlite3_column_int64(st, 4);
        g_autofree char *start_text =
            g_strdup_printf("%02d:%02d:%02d", start / 3600, start / 60 % 60, start % 60);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, sqlite3_column_int64(st, 2));
        json_builder_set_member_name(b, "start");
        json_builder_add_string_value(b, start_text);
        json_builder_set_member_name(b, "start_s");
        json_builder_add_int_value(b, start);
        json_builder_set_member_name(b, "length_s");
        json_builder_add_double_value(b, (double)frames / SQ_FPS);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 5));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
            json_builder_set_member_name(b, "grade");
            json_builder_add_int_value(b, sqlite3_column_int(st, 6));
            json_builder_set_member_name(b, "subject");
            json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 7));
        }
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
            json_builder_set_member_name(b, "language");
            json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 8));
        }
        if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
            int r = sqlite3_column_int(st, 9);
            g_autofree char *rt = g_strdup_printf("%02d:%02d:%02d", r / 3600, r / 60 % 60, r % 60);
            json_builder_set_member_name(b, "repeat_of");
            json_builder_add_string_value(b, rt);
        }
        json_builder_end_object(b);
    }
    sqlite3_reset(st);
    if (grid != -1) {
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, "/api/v1/grids", 200);
    web_send_json(msg, 200, node);
}

static const char *str_member(JsonObject *o, const char *key)
{
    JsonNode *n = o ? json_object_get_member(o, key) : NULL;
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

static int64_t int_member(JsonObject *o, const char *key, int64_t otherwise)
{
    JsonNode *n = o ? json_object_get_member(o, key) : NULL;
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
               ? json_node_get_int(n)
               : otherwise;
}

/* Applies one change in the caller's transaction. */
static bool apply(SqWebServer *s, const char *method, int64_t slot_id, JsonObject *o,
                  int64_t *new_id, GError **error)
{
    static const char insert_sql[] =
        "INSERT INTO slots (grid_id, start_s, length_frames, kind, grade, subject_id, language,"
        " repeat_of_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    static const char update_sql[] =
        "UPDATE slots SET start_s = coalesce(?2, start_s), length_frames = coalesce(?3,"
        " length_frames), grade = CASE WHEN kind = 'lesson' THEN coalesce(?5, grade) END,"
        " subject_id = CASE WHEN kind = 'lesson' THEN coalesce(?6, subject_id) END,"
        " language = CASE WHEN kind = 'lesson' THEN coalesce(?7, language) END WHERE id = ?1";
    static const char delete_sql[] = "DELETE FROM slots WHERE id = ?1";
    const char *start = str_member(o, "start"), *length = str_member(o, "length");
    int start_s = start ? parse_clock(start, false) : -2;
    int length_s = length ? parse_clock(length, true) : -2;
    if (start_s == -1 || length_s == -1 || start_s >= 86400 || length_s == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "start is hh:mm[:ss] of the day and length mm:ss or hh:mm:ss");
        return false;
    }
    const char *language = str_member(o, "language");
    if (language && !sq_language_is_valid(language)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "language is kk or ru");
        return false;
    }
    int64_t grade = int_member(o, "grade", 0);
    if (grade && (grade < 1 || grade > 11)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "grade is 1 to 11");
        return false;
    }
    bool post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat,
                                          post  ? insert_sql
                                          : del ? delete_sql
                                                : update_sql,
                                          error);
    if (!st)
        return false;
    if (post) {
        const char *kind = str_member(o, "kind") ? str_member(o, "kind") : "lesson";
        const char *repeat = str_member(o, "repeat_of");
        int repeat_s = repeat ? parse_clock(repeat, false) : -1;
        if (start_s < 0 || length_s < 0 || int_member(o, "grid", 0) <= 0 ||
            (strcmp(kind, "lesson") != 0 && strcmp(kind, "break") != 0 &&
             strcmp(kind, "repeat") != 0) ||
            (strcmp(kind, "repeat") == 0 && repeat_s < 0)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "a new slot needs grid, start, length and kind (lesson with grade and "
                        "subject, break, or repeat with repeat_of)");
            return false;
        }
        sqlite3_bind_int64(st, 1, int_member(o, "grid", 0));
        sqlite3_bind_int(st, 2, start_s);
        sqlite3_bind_int64(st, 3, (int64_t)length_s * SQ_FPS);
        sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
        if (strcmp(kind, "lesson") == 0) {
            sqlite3_bind_int64(st, 5, grade);
            sqlite3_bind_text(st, 6, str_member(o, "subject"), -1, SQLITE_TRANSIENT);
            if (language)
                sqlite3_bind_text(st, 7, language, -1, SQLITE_TRANSIENT);
        }
        if (repeat_s >= 0)
            sqlite3_bind_int(st, 8, repeat_s);
    } else {
        sqlite3_bind_int64(st, 1, slot_id);
        if (!del) {
            if (start_s >= 0)
                sqlite3_bind_int(st, 2, start_s);
            if (length_s > 0)
                sqlite3_bind_int64(st, 3, (int64_t)length_s * SQ_FPS);
            if (grade)
                sqlite3_bind_int64(st, 5, grade);
            if (str_member(o, "subject"))
                sqlite3_bind_text(st, 6, str_member(o, "subject"), -1, SQLITE_TRANSIENT);
            if (language)
                sqlite3_bind_text(st, 7, language, -1, SQLITE_TRANSIENT);
        }
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "the slot cannot be stored: %s",
                    sqlite3_errmsg(sq_catalog_db(s->cat)));
        sqlite3_reset(st);
        return false;
    }
    sqlite3_reset(st);
    if (!post && sqlite3_changes(sq_catalog_db(s->cat)) == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no slot %" G_GINT64_FORMAT, slot_id);
        return false;
    }
    *new_id = post ? sqlite3_last_insert_rowid(sq_catalog_db(s->cat)) : slot_id;
    /* The planner's own checks over the whole station as changed. */
    g_autoptr(SqPlanner) p = sq_planner_load(s->cat, error);
    return p != NULL;
}

void web_slot_change(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    const char *path = call->path;
    JsonObject *body = call->body;
    const char *method = soup_server_message_get_method(msg);
    const char *route = "/api/v1/slots";
    int64_t slot_id = 0;
    if (g_str_has_prefix(path, "/api/v1/slots/")) {
        char *end = NULL;
        slot_id = g_ascii_strtoll(path + strlen("/api/v1/slots/"), &end, 10);
        if (slot_id <= 0 || *end) {
            web_count(s, route, 404);
            web_send_error(msg, 404, "no such slot");
            return;
        }
    }
    bool post = strcmp(method, "POST") == 0;
    if ((post && slot_id) || (!post && !slot_id) ||
        (!post && strcmp(method, "PUT") != 0 && strcmp(method, "DELETE") != 0)) {
        web_count(s, route, 405);
        web_send_error(msg, 405, "POST /api/v1/slots, PUT or DELETE /api/v1/slots/ID");
        return;
    }
    g_autoptr(GError) error = NULL;
    int64_t id = 0;
    if (!sq_catalog_begin_write(s->cat, &error) || !apply(s, method, slot_id, body, &id, &error) ||
        !sq_catalog_commit(s->cat, &error)) {
        sq_catalog_rollback(s->cat);
        unsigned status = error->code == SQ_ERROR_NOT_FOUND ? 404 : 422;
        web_count(s, route, status);
        web_send_error(msg, status, "%s", error->message);
        return;
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, id);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_count(s, route, 200);
    web_send_json(msg, 200, node);
}
