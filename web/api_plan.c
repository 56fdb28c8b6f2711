/* The logged-in API (docs/api.md): login and logout; for planners the
 * plan (read, refresh, edit, publish, diff), the weekly grids and their
 * slots (add, move, change, delete), conflicts; for operators as-run,
 * status and edits. Roles are checked here on every call; state-changing
 * calls need a JSON body and the session's X-CSRF-Token. */
#include "playout/playout.h"
#include "scheduler/scheduler.h"
#include "web_private.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const planners[] = {"planner", NULL};
static const char *const operators[] = {"operator", NULL};
static const char *const staff[] = {"planner", "operator", NULL};

static void send_node(SqWebServer *s, SoupServerMessage *msg, const char *route, JsonNode *node)
{
    web_count(s, route, 200);
    web_send_json(msg, 200, node);
}

static void fail(SqWebServer *s, SoupServerMessage *msg, const char *route, const GError *error)
{
    unsigned status = error->domain != SQ_ERROR           ? 500
                      : error->code == SQ_ERROR_NOT_FOUND ? 404
                      : error->code == SQ_ERROR_INVALID   ? 422
                                                          : 500;
    web_count(s, route, status);
    web_send_error(msg, status, "%s", error->message);
}

static const char *query_get(GHashTable *query, const char *key)
{
    const char *v = query ? g_hash_table_lookup(query, key) : NULL;
    return v && *v ? v : NULL;
}

/* The JSON object of a request body; NULL (and the answer sent) when the
 * body is not a JSON object. */
static JsonObject *body_object(SqWebServer *s, SoupServerMessage *msg, const char *route,
                               JsonParser *parser)
{
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    const char *type = soup_message_headers_get_content_type(h, NULL);
    if (g_strcmp0(type, "application/json") != 0) {
        web_count(s, route, 415);
        web_send_error(msg, 415, "send application/json");
        return NULL;
    }
    SoupMessageBody *body = soup_server_message_get_request_body(msg);
    g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
    gsize length = 0;
    const char *data = g_bytes_get_data(bytes, &length);
    g_autoptr(GError) error = NULL;
    if (!json_parser_load_from_data(parser, data ? data : "", (gssize)length, &error) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "the body is not a JSON object%s%s", error ? ": " : "",
                       error ? error->message : "");
        return NULL;
    }
    return json_node_get_object(json_parser_get_root(parser));
}

static const char *member_str(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

static bool member_int(JsonObject *o, const char *key, int64_t *value)
{
    JsonNode *n = json_object_get_member(o, key);
    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
        return false;
    *value = json_node_get_int(n);
    return true;
}

/* The channel and date of a query (?channel=ID&date=YYYY-MM-DD); false
 * with a 400 sent when either is missing or wrong. */
static bool channel_and_date(SqWebServer *s, SoupServerMessage *msg, const char *route,
                             GHashTable *query, const char **channel, const char **date)
{
    *channel = query_get(query, "channel");
    *date = query_get(query, "date");
    GDate check;
    if (*channel && *date && sq_plan_parse_day(*date, &check))
        return true;
    web_count(s, route, 400);
    web_send_error(msg, 400, "channel and date (YYYY-MM-DD) are required");
    return false;
}

static void login(SqWebServer *s, SoupServerMessage *msg)
{
    const char *route = "/api/v1/login";
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *o = body_object(s, msg, route, parser);
    if (!o)
        return;
    const char *name = member_str(o, "name"), *password = member_str(o, "password");
    if (!name || !password) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "name and password are required strings");
        return;
    }
    g_autofree char *client = web_client_address(s, msg);
    WebSession session = {0};
    WebLogin r = web_login(s, client, name, password, &session);
    if (r == WEB_LOGIN_THROTTLED) {
        web_count(s, route, 429);
        soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After",
                                     "300");
        web_send_error(msg, 429, "too many failed logins: try again in 5 minutes");
        return;
    }
    if (r != WEB_LOGIN_OK) {
        web_count(s, route, 401);
        web_send_error(msg, 401, "wrong name or password");
        return;
    }
    g_autofree char *cookie = g_strdup_printf("%s=%s; Path=/; HttpOnly; SameSite=Strict; "
                                              "Max-Age=43200",
                                              WEB_SESSION_COOKIE, session.token);
    soup_message_headers_append(soup_server_message_get_response_headers(msg), "Set-Cookie",
                                cookie);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "user");
    json_builder_add_string_value(b, session.user);
    json_builder_set_member_name(b, "role");
    json_builder_add_string_value(b, session.role);
    json_builder_set_member_name(b, "csrf");
    json_builder_add_string_value(b, session.csrf);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    web_session_clear(&session);
    send_node(s, msg, route, node);
}

static JsonNode *conflicts_json(SqCatalog *cat, const SqPlanDay *day, GTimeZone *tz)
{
    (void)cat;
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < day->conflicts->len; i++) {
        const SqConflict *c = day->conflicts->pdata[i];
        g_autofree char *at = sq_format_rfc3339(c->at_us, tz);
        g_autofree char *line = sq_conflict_format(c, day->channel_id, tz);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "at");
        json_builder_add_string_value(b, at);
        json_builder_set_member_name(b, "code");
        json_builder_add_string_value(b, c->code);
        json_builder_set_member_name(b, "message");
        json_builder_add_string_value(b, c->message);
        json_builder_set_member_name(b, "line");
        json_builder_add_string_value(b, line);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static void plan_get(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    const char *route = "/api/v1/plan";
    const char *channel = query_get(query, "channel"), *date = query_get(query, "date");
    const char *version_text = query_get(query, "version");
    int version = query_get(query, "draft") ? -1 : version_text ? atoi(version_text) : 0;
    g_autoptr(GError) error = NULL;
    GDate check;
    if (!channel || !date || !sq_plan_parse_day(date, &check) || version < -1) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "channel and date (YYYY-MM-DD) are required");
        return;
    }
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(s->cat, &error);
    SqPlanVersionInfo info = {0};
    g_autoptr(SqPlanDay) day =
        tz ? sq_plan_day_load(s->cat, channel, date, version, &info, &error) : NULL;
    g_autoptr(JsonNode) items = day ? sq_plan_day_to_json(s->cat, day, tz, &error) : NULL;
    if (!items) {
        sq_plan_version_info_clear(&info);
        return fail(s, msg, route, error);
    }
    g_autoptr(GArray) versions = sq_plan_day_versions(s->cat, channel, date, NULL);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "channel");
    json_builder_add_string_value(b, channel);
    json_builder_set_member_name(b, "date");
    json_builder_add_string_value(b, date);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, info.state);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, info.version);
    json_builder_set_member_name(b, "versions");
    json_builder_begin_array(b);
    for (guint i = 0; versions && i < versions->len; i++)
        json_builder_add_int_value(b, g_array_index(versions, int, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "items");
    json_builder_add_value(b, json_node_copy(items));
    json_builder_set_member_name(b, "conflicts");
    json_builder_add_value(b, conflicts_json(s->cat, day, tz));
    json_builder_end_object(b);
    sq_plan_version_info_clear(&info);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

static void plan_refresh(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    JsonObject *o = call->body;
    const char *route = "/api/v1/plan/refresh";
    const char *from = member_str(o, "from"), *channel = member_str(o, "channel");
    int64_t days = 7;
    if (json_object_has_member(o, "days") && !member_int(o, "days", &days)) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "days is a number");
        return;
    }
    SqPlanRefresh r = {0};
    g_autoptr(GError) error = NULL;
    if (!from || !sq_plan_refresh(s->cat, channel, from, (int)days, &r, &error)) {
        if (!error)
            g_set_error(&error, SQ_ERROR, SQ_ERROR_INVALID, "from (YYYY-MM-DD) is required");
        return fail(s, msg, route, error);
    }
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(s->cat, NULL);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "planned");
    json_builder_add_int_value(b, r.days_planned);
    json_builder_set_member_name(b, "kept");
    json_builder_add_int_value(b, r.days_kept);
    json_builder_set_member_name(b, "items");
    json_builder_add_int_value(b, r.items);
    json_builder_set_member_name(b, "conflicts");
    json_builder_begin_array(b);
    for (guint i = 0; i < r.days->len; i++) {
        const SqPlanDay *d = r.days->pdata[i];
        for (guint j = 0; !d->is_fixed && j < d->conflicts->len; j++) {
            g_autofree char *line = sq_conflict_format(d->conflicts->pdata[j], d->channel_id, tz);
            json_builder_add_string_value(b, line);
        }
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    sq_plan_refresh_clear(&r);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

static void plan_publish(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    JsonObject *o = call->body;
    const char *route = "/api/v1/plan/publish";
    const char *from = member_str(o, "from"), *channel = member_str(o, "channel");
    int64_t days = 1;
    if (json_object_has_member(o, "days") && !member_int(o, "days", &days)) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "days is a number");
        return;
    }
    SqPublishResult r;
    g_autoptr(GError) error = NULL;
    if (!from || !channel || !sq_plan_publish(s->cat, channel, from, (int)days, &r, &error)) {
        if (!error)
            g_set_error(&error, SQ_ERROR, SQ_ERROR_INVALID, "channel and from are required");
        return fail(s, msg, route, error);
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "published");
    json_builder_add_int_value(b, r.published);
    json_builder_set_member_name(b, "unchanged");
    json_builder_add_int_value(b, r.unchanged);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

static void plan_edit(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    JsonObject *o = call->body;
    const char *route = "/api/v1/plan/edit";
    const char *channel = member_str(o, "channel"), *at = member_str(o, "at");
    int64_t asset = 0;
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(s->cat, &error);
    g_autoptr(GDateTime) when = at && tz ? g_date_time_new_from_iso8601(at, tz) : NULL;
    if (!channel || !when || !member_int(o, "asset", &asset)) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "channel, at (ISO 8601 with seconds) and asset are required");
        return;
    }
    int64_t at_us = g_date_time_to_unix(when) * SQ_SECOND_US + g_date_time_get_microsecond(when);
    int version = 0;
    if (!sq_plan_edit(s->cat, channel, at_us, asset, member_str(o, "note"), &version, &error))
        return fail(s, msg, route, error);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, version);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

static void plan_diff(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    const char *route = "/api/v1/plan/diff";
    const char *channel, *date;
    if (!channel_and_date(s, msg, route, query, &channel, &date))
        return;
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(s->cat, &error);
    g_autoptr(SqPlanDay) draft = sq_plan_day_load(s->cat, channel, date, -1, NULL, NULL);
    g_autoptr(GArray) versions = sq_plan_day_versions(s->cat, channel, date, &error);
    if (!tz || !versions)
        return fail(s, msg, route, error);
    int newest = versions->len ? g_array_index(versions, int, versions->len - 1) : 0;
    g_autoptr(SqPlanDay) old =
        newest ? sq_plan_day_load(s->cat, channel, date, newest, NULL, NULL) : NULL;
    g_autoptr(SqPlanDay) older =
        !draft && newest > 1 ? sq_plan_day_load(s->cat, channel, date, newest - 1, NULL, NULL)
                             : NULL;
    const SqPlanDay *a = draft ? old : older, *bday = draft ? draft : old;
    g_autoptr(GArray) empty = g_array_new(FALSE, FALSE, sizeof(SqPlanItem));
    g_autoptr(GArray) ops = bday ? sq_plan_diff(a ? a->items : empty, bday->items) : NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "from");
    json_builder_add_int_value(b, draft ? newest : newest > 1 ? newest - 1 : 0);
    json_builder_set_member_name(b, "to");
    json_builder_add_string_value(b, draft ? "draft" : newest ? "published" : "none");
    json_builder_set_member_name(b, "changes");
    json_builder_begin_array(b);
    for (guint i = 0; ops && i < ops->len; i++) {
        const SqPlanDiffOp *op = &g_array_index(ops, SqPlanDiffOp, i);
        if (op->op == '=')
            continue;
        g_autofree char *start = sq_format_rfc3339(op->item->start_us, tz);
        g_autofree char *end = sq_format_rfc3339(op->item->end_us, tz);
        g_autofree char *title = sq_plan_item_title(s->cat, op->item, NULL);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "op");
        json_builder_add_string_value(b, op->op == '+' ? "added" : "removed");
        json_builder_set_member_name(b, "start");
        json_builder_add_string_value(b, start);
        json_builder_set_member_name(b, "end");
        json_builder_add_string_value(b, end);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, sq_item_kind_name(op->item->kind));
        json_builder_set_member_name(b, "title");
        if (title)
            json_builder_add_string_value(b, title);
        else
            json_builder_add_null_value(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

/* The conflicts of a channel's days: of each day's draft when it has one
 * (what would be published), else of its newest published version. */
static void conflicts(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    static const char sql[] =
        "SELECT v.day, v.state, coalesce(v.version, 0), c.at_us, c.code, c.message"
        " FROM plan_versions v JOIN plan_conflicts c ON c.version_id = v.id"
        " WHERE v.channel_id = ?1 AND v.day BETWEEN ?2 AND ?3 AND v.id = (SELECT w.id FROM"
        " plan_versions w WHERE w.channel_id = v.channel_id AND w.day = v.day"
        " ORDER BY w.state = 'draft' DESC, w.version DESC LIMIT 1)"
        " ORDER BY c.at_us, c.position";
    const char *route = "/api/v1/conflicts";
    const char *channel = query_get(query, "channel"), *from = query_get(query, "from");
    const char *days_text = query_get(query, "days");
    int days = days_text ? atoi(days_text) : 7;
    GDate first;
    if (!channel || !from || !sq_plan_parse_day(from, &first) || days < 1 || days > 366) {
        web_count(s, route, 400);
        web_send_error(msg, 400, "channel, from (YYYY-MM-DD) and days (1 to 366) are required");
        return;
    }
    g_date_add_days(&first, (guint)days - 1);
    char to[11];
    g_date_strftime(to, sizeof(to), "%Y-%m-%d", &first);
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(s->cat, &error);
    sqlite3_stmt *st = tz ? sq_catalog_prepare(s->cat, sql, &error) : NULL;
    if (!st)
        return fail(s, msg, route, error);
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    while (sqlite3_step(st) == SQLITE_ROW) {
        SqConflict c = {.at_us = sqlite3_column_int64(st, 3),
                        .code = (const char *)sqlite3_column_text(st, 4),
                        .message = (char *)sqlite3_column_text(st, 5)};
        g_autofree char *at = sq_format_rfc3339(c.at_us, tz);
        g_autofree char *line = sq_conflict_format(&c, channel, tz);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "day");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 0));
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 1));
        json_builder_set_member_name(b, "version");
        json_builder_add_int_value(b, sqlite3_column_int(st, 2));
        json_builder_set_member_name(b, "at");
        json_builder_add_string_value(b, at);
        json_builder_set_member_name(b, "code");
        json_builder_add_string_value(b, c.code);
        json_builder_set_member_name(b, "message");
        json_builder_add_string_value(b, c.message);
        json_builder_set_member_name(b, "line");
        json_builder_add_string_value(b, line);
        json_builder_end_object(b);
    }
    sqlite3_reset(st);
    json_builder_end_array(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, route, node);
}

static void asrun(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    const char *route = "/api/v1/asrun";
    const char *channel, *date;
    if (!channel_and_date(s, msg, route, query, &channel, &date))
        return;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = sq_asrun_day(s->cat, channel, date, &error);
    if (!node)
        return fail(s, msg, route, error);
    send_node(s, msg, route, node);
}

static void status(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    (void)call;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = sq_playout_status_read(s->db_path, NULL, &error);
    if (!node)
        return fail(s, msg, "/api/v1/status", error);
    send_node(s, msg, "/api/v1/status", node);
}

static void me(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "user");
    json_builder_add_string_value(b, call->session->user);
    json_builder_set_member_name(b, "role");
    json_builder_add_string_value(b, call->session->role);
    json_builder_set_member_name(b, "csrf");
    json_builder_add_string_value(b, call->session->csrf);
    json_builder_end_object(b);
    g_autoptr(JsonNode) node = json_builder_get_root(b);
    send_node(s, msg, call->path, node);
}

static void logout(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    web_session_end(s, call->session);
    g_autofree char *cookie =
        g_strdup_printf("%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", WEB_SESSION_COOKIE);
    soup_message_headers_append(soup_server_message_get_response_headers(msg), "Set-Cookie",
                                cookie);
    g_autoptr(JsonNode) node = json_from_string("{}", NULL);
    send_node(s, msg, call->path, node);
}

/* Route -> (method, roles, handler). */
void web_api_private(SqWebServer *s, SoupServerMessage *msg, const char *path, GHashTable *query)
{
    const char *method = soup_server_message_get_method(msg);
    bool is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strcmp(path, "/api/v1/login") == 0) {
        if (strcmp(method, "POST") != 0) {
            web_count(s, path, 405);
            web_send_error(msg, 405, "log in with POST");
            return;
        }
        return login(s, msg);
    }
    /* method: "GET" (also HEAD), "POST", or NULL for /api/v1/slots/ID
     * (POST, PUT, DELETE: the handler tells them apart). */
    static const struct {
        const char *path;
        const char *method;
        const char *const *roles;
        WebHandler handler;
    } routes[] = {
        {"/api/v1/me", "GET", staff, me},
        {"/api/v1/logout", "POST", staff, logout},
        {"/api/v1/plan", "GET", staff, plan_get},
        {"/api/v1/plan/refresh", "POST", planners, plan_refresh},
        {"/api/v1/plan/publish", "POST", planners, plan_publish},
        {"/api/v1/plan/edit", "POST", staff, plan_edit},
        {"/api/v1/plan/diff", "GET", staff, plan_diff},
        {"/api/v1/asrun", "GET", staff, asrun},
        {"/api/v1/status", "GET", operators, status},
        {"/api/v1/grids", "GET", planners, web_grids_get},
        {"/api/v1/slots", NULL, planners, web_slot_change},
        {"/api/v1/conflicts", "GET", staff, conflicts},
        {"/api/v1/assets", "GET", staff, web_assets_get},
    };
    int id = -1;
    for (guint i = 0; i < G_N_ELEMENTS(routes); i++)
        if (strcmp(path, routes[i].path) == 0 ||
            (!routes[i].method && g_str_has_prefix(path, routes[i].path) &&
             path[strlen(routes[i].path)] == '/'))
            id = (int)i;
    if (id < 0) {
        web_count(s, "/api", 404);
        web_send_error(msg, 404, "%s: no such API resource", path);
        return;
    }
    /* One metrics label per route, whatever the slot id. */
    const char *route = routes[id].path;
    bool method_ok =
        !routes[id].method ||
        (strcmp(routes[id].method, "GET") == 0 ? is_get : strcmp(routes[id].method, method) == 0);
    WebSession session = {0};
    if (!web_session_get(s, msg, &session)) {
        web_count(s, "/api/private", 401);
        web_send_error(msg, 401, "log in first");
        return;
    }
    if (!is_get) {
        const char *token = soup_message_headers_get_one(
            soup_server_message_get_request_headers(msg), "X-CSRF-Token");
        /* Compared in constant time: the answer's timing must not tell
         * how much of a guessed token was right. */
        bool token_ok = token && strlen(token) == strlen(session.csrf) &&
                        sodium_memcmp(token, session.csrf, strlen(token)) == 0;
        if (!token_ok) {
            web_session_clear(&session);
            web_count(s, "/api/private", 403);
            web_send_error(msg, 403, "missing or wrong X-CSRF-Token");
            return;
        }
    }
    if (!method_ok) {
        web_session_clear(&session);
        web_count(s, route, 405);
        web_send_error(msg, 405, "%s is not allowed on %s", method, path);
        return;
    }
    if (!web_role_allows(&session, routes[id].roles)) {
        web_count(s, route, 403);
        web_send_error(msg, 403, "a %s may not do this", session.role);
        web_session_clear(&session);
        return;
    }
    /* Every change but logout and a slot's deletion sends a JSON object. */
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *body = NULL;
    bool wants_body = !is_get && routes[id].handler != logout && strcmp(method, "DELETE") != 0;
    if (wants_body && !(body = body_object(s, msg, path, parser))) {
        web_session_clear(&session);
        return;
    }
    WebCall call = {.path = path, .query = query, .body = body, .session = &session};
    routes[id].handler(s, msg, &call);
    web_session_clear(&session);
}
