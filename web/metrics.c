/* /metrics beyond HTTP: the station as Prometheus sees it. Per channel the
 * on-air state, position and lead from playout's status files, the
 * outputs' bytes and health, HLS segments written; from the as-run log the
 * last 24 hours' items by status (cut, slate = replaced) and the late
 * ones; the assets by status (ready = waiting for a methodologist); how far
 * ahead each channel's plan is published. Everything is read when scraped
 * (a scrape every 15 s costs a few small queries), so the figures hold
 * whether playout runs in this process or in another one. */
#include "playout/playout.h"
#include "web_private.h"

#include <string.h>

#define DAY_US (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)

/* Prometheus label values: backslash, double quote and newline escaped. */
static char *label(const char *value)
{
    GString *out = g_string_new(NULL);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            g_string_append_c(out, '\\');
        if (*p == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

static void help(GString *out, const char *name, const char *type, const char *text)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static gint64 int_at(JsonObject *o, const char *member)
{
    return o ? json_object_get_int_member_with_default(o, member, 0) : 0;
}

static JsonObject *object_at(JsonObject *o, const char *member)
{
    JsonNode *n = o ? json_object_get_member(o, member) : NULL;
    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static void playout_metrics(SqWebServer *s, GString *out)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) status = sq_playout_status_read(s->db_path, NULL, &error);
    if (!status) {
        g_warning("metrics: playout status: %s", error->message);
        return;
    }
    JsonArray *channels = json_node_get_array(status);
    guint n = json_array_get_length(channels);
    int64_t now = sq_now_us();
    GString *on_air = g_string_new(NULL), *position = g_string_new(NULL);
    GString *lead = g_string_new(NULL), *errors = g_string_new(NULL);
    GString *bytes = g_string_new(NULL), *healthy = g_string_new(NULL);
    GString *segments = g_string_new(NULL), *age = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        JsonObject *c = json_array_get_object_element(channels, i);
        g_autofree char *ch = label(json_object_get_string_member_with_default(c, "channel", ""));
        bool running = json_object_get_boolean_member_with_default(c, "running", FALSE);
        g_string_append_printf(on_air, "sabaq_channel_on_air{channel=\"%s\"} %d\n", ch, running);
        if (!running)
            continue;
        g_string_append_printf(position, "sabaq_channel_position_seconds{channel=\"%s\"} %.2f\n",
                               ch, (double)int_at(c, "position_frames") / SQ_FPS);
        g_string_append_printf(lead, "sabaq_channel_lead_seconds{channel=\"%s\"} %.3f\n", ch,
                               (double)int_at(object_at(c, "stats"), "lead_ms") / 1000.0);
        JsonNode *e = json_object_get_member(c, "errors");
        g_string_append_printf(
            errors, "sabaq_channel_errors{channel=\"%s\"} %u\n", ch,
            e && JSON_NODE_HOLDS_ARRAY(e) ? json_array_get_length(json_node_get_array(e)) : 0);
        JsonNode *outs = json_object_get_member(c, "outputs");
        JsonArray *oa = outs && JSON_NODE_HOLDS_ARRAY(outs) ? json_node_get_array(outs) : NULL;
        for (guint j = 0; oa && j < json_array_get_length(oa); j++) {
            JsonObject *o = json_array_get_object_element(oa, j);
            g_autofree char *type =
                label(json_object_get_string_member_with_default(o, "type", ""));
            const char *state = json_object_get_string_member_with_default(o, "state", "");
            /* Playout counts the bytes of its UDP and SRT senders; an HLS
             * output is measured by its segments below instead. */
            if (strcmp(type, "hls") != 0)
                g_string_append_printf(bytes,
                                       "sabaq_output_bytes_total{channel=\"%s\",type=\"%s\"} "
                                       "%" G_GINT64_FORMAT "\n",
                                       ch, type, int_at(o, "bytes"));
            g_string_append_printf(healthy, "sabaq_output_ok{channel=\"%s\",type=\"%s\"} %d\n", ch,
                                   type, strcmp(state, "ok") == 0);
            JsonObject *hls = object_at(o, "hls");
            if (!hls)
                continue;
            /* The media sequence carries on across restarts (RFC 8216), so
             * it counts every segment this channel's HLS output wrote. */
            g_string_append_printf(
                segments, "sabaq_hls_segments_total{channel=\"%s\"} %" G_GINT64_FORMAT "\n", ch,
                int_at(hls, "next_sequence"));
            JsonNode *last = json_object_get_member(hls, "last_segment_end_us");
            if (last && JSON_NODE_HOLDS_VALUE(last))
                g_string_append_printf(age,
                                       "sabaq_hls_last_segment_age_seconds{channel=\"%s\"} %.3f\n",
                                       ch, (double)(now - json_node_get_int(last)) / 1e6);
        }
    }
    static const struct {
        const char *name, *type, *help;
    } families[] = {
        {"sabaq_channel_on_air", "gauge", "1 when the channel's playout is running and on air."},
        {"sabaq_channel_position_seconds", "gauge", "Position in the item on air."},
        {"sabaq_channel_lead_seconds", "gauge",
         "How far the output runs ahead of the wall clock (negative: behind)."},
        {"sabaq_channel_errors", "gauge", "Recent errors in the channel's status."},
        {"sabaq_output_bytes_total", "counter", "Bytes an output sent or wrote."},
        {"sabaq_output_ok", "gauge", "1 when the output reports no error."},
        {"sabaq_hls_segments_total", "counter", "HLS segments written (the media sequence)."},
        {"sabaq_hls_last_segment_age_seconds", "gauge",
         "Seconds since the end of the newest HLS segment."},
    };
    GString *const bodies[] = {on_air, position, lead, errors, bytes, healthy, segments, age};
    for (guint i = 0; i < G_N_ELEMENTS(bodies); i++) {
        /* Declared even without samples: a scraper sees the family
         * exists before any playout has run. */
        help(out, families[i].name, families[i].type, families[i].help);
        g_string_append_len(out, bodies[i]->str, (gssize)bodies[i]->len);
        g_string_free(bodies[i], TRUE);
    }
}

static void asrun_metrics(SqWebServer *s, GString *out)
{
    /* Late: started a frame or more after its planned start, except where
     * playout joined an item already under way (a start or restart). */
    static const char sql[] =
        "SELECT channel_id, status, count(*),"
        " sum(actual_start_us - planned_start_us >= 40000 AND status != 'joined')"
        " FROM asrun WHERE planned_start_us >= ?1 AND planned_start_us < ?2"
        " GROUP BY channel_id, status ORDER BY channel_id, status";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return;
    int64_t now = sq_now_us();
    sqlite3_bind_int64(st, 1, now - DAY_US);
    sqlite3_bind_int64(st, 2, now);
    GString *items = g_string_new(NULL);
    g_autoptr(GHashTable) late = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_autofree char *ch = label((const char *)sqlite3_column_text(st, 0));
        g_autofree char *status = label((const char *)sqlite3_column_text(st, 1));
        g_string_append_printf(items, "sabaq_asrun_items_24h{channel=\"%s\",status=\"%s\"} %d\n",
                               ch, status, sqlite3_column_int(st, 2));
        gpointer old = NULL;
        if (!g_hash_table_lookup_extended(late, ch, NULL, &old))
            g_ptr_array_add(order, g_strdup(ch));
        g_hash_table_replace(late, g_strdup(ch),
                             GINT_TO_POINTER(GPOINTER_TO_INT(old) + sqlite3_column_int(st, 3)));
    }
    sqlite3_reset(st);
    if (items->len) {
        help(out, "sabaq_asrun_items_24h", "gauge",
             "Items that started in the last 24 hours by as-run status (slate: replaced).");
        g_string_append_len(out, items->str, (gssize)items->len);
        help(out, "sabaq_asrun_late_items_24h", "gauge",
             "Items of the last 24 hours that started a frame or more late.");
        for (guint i = 0; i < order->len; i++) {
            const char *ch = order->pdata[i];
            g_string_append_printf(out, "sabaq_asrun_late_items_24h{channel=\"%s\"} %d\n", ch,
                                   GPOINTER_TO_INT(g_hash_table_lookup(late, ch)));
        }
    }
    g_string_free(items, TRUE);
}

static void catalog_metrics(SqWebServer *s, GString *out)
{
    static const char assets_sql[] =
        "SELECT status, count(*) FROM assets GROUP BY status ORDER BY status";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, assets_sql, NULL);
    if (st) {
        help(out, "sabaq_assets", "gauge",
             "Assets in the catalog by status (ready: ingested, waiting for approval).");
        while (sqlite3_step(st) == SQLITE_ROW) {
            g_autofree char *status = label((const char *)sqlite3_column_text(st, 0));
            g_string_append_printf(out, "sabaq_assets{status=\"%s\"} %d\n", status,
                                   sqlite3_column_int(st, 1));
        }
        sqlite3_reset(st);
    }
    /* Planners publish ahead; an alert on this catches a channel about to
     * run out of plan (it would then air the house loop). */
    static const char plan_sql[] =
        "SELECT c.id, (SELECT max(v.end_us) FROM plan_versions v WHERE v.channel_id = c.id"
        " AND v.state = 'published') FROM channels c ORDER BY c.id";
    if (!(st = sq_catalog_prepare(s->cat, plan_sql, NULL)))
        return;
    help(out, "sabaq_plan_published_ahead_seconds", "gauge",
         "Seconds from now to the end of the channel's published plan (0: none ahead).");
    int64_t now = sq_now_us();
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_autofree char *ch = label((const char *)sqlite3_column_text(st, 0));
        int64_t end = sqlite3_column_type(st, 1) == SQLITE_NULL ? now : sqlite3_column_int64(st, 1);
        g_string_append_printf(
            out, "sabaq_plan_published_ahead_seconds{channel=\"%s\"} %" G_GINT64_FORMAT "\n", ch,
            MAX(0, end - now) / SQ_SECOND_US);
    }
    sqlite3_reset(st);
}

void web_metrics_station(SqWebServer *s, GString *out)
{
    playout_metrics(s, out);
    asrun_metrics(s, out);
    catalog_metrics(s, out);
}
