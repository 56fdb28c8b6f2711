/* Status files: each running channel rewrites <status dir>/<channel>.json
 * (atomically, about twice a second) with what is on air, where, what is
 * next, the outputs' health and the last errors; `sabaq playout status`
 * reads them. A file whose writer is gone or silent says running: false. */
#include "engine.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define STALE_US (5 * SQ_SECOND_US)

char *status_dir_default(const char *db_path, const char *status_dir)
{
    if (status_dir)
        return g_strdup(status_dir);
    g_autofree char *db = sq_default_db_path(db_path);
    g_autofree char *dir = g_path_get_dirname(db);
    return g_build_filename(dir, "playout-status", NULL);
}

bool status_write(const char *dir, const char *channel_id, JsonNode *status, GError **error)
{
    /* Only the folder itself: when its parent is gone (a test's folder
     * removed, a volume unmounted) nothing is written and nothing re-made. */
    if (g_mkdir(dir, 0755) != 0 && errno != EEXIST) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    g_autofree char *name = g_strdup_printf("%s.json", channel_id);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, status);
    json_generator_set_pretty(gen, TRUE);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    return sq_write_file_atomic(path, text, -1, error);
}

static void add_time(JsonBuilder *b, const char *name, int64_t us)
{
    g_autofree char *text = format_utc(us);
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, text);
}

static void add_item(JsonBuilder *b, const Item *item)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "title");
    json_builder_add_string_value(b, item->title);
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, item->kind);
    json_builder_set_member_name(b, "source");
    json_builder_add_string_value(b, item->source);
    json_builder_set_member_name(b, "asset_id");
    json_builder_add_int_value(b, item->asset_id);
    json_builder_set_member_name(b, "plan_version");
    json_builder_add_int_value(b, item->plan_version);
    add_time(b, "start", item->start_us);
    add_time(b, "end", item->end_us);
    json_builder_set_member_name(b, "start_us");
    json_builder_add_int_value(b, item->start_us);
    json_builder_set_member_name(b, "end_us");
    json_builder_add_int_value(b, item->end_us);
    if (item->reason) {
        json_builder_set_member_name(b, "reason");
        json_builder_add_string_value(b, item->reason);
    }
    json_builder_end_object(b);
}

void channel_write_status(Channel *ch)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    int64_t now_us = sq_now_us();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "channel");
    json_builder_add_string_value(b, ch->id);
    json_builder_set_member_name(b, "pid");
    json_builder_add_int_value(b, getpid());
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, ch->stopping ? "stopped" : "on-air");
    json_builder_set_member_name(b, "source");
    json_builder_add_string_value(b, ch->source);
    json_builder_set_member_name(b, "updated_us");
    json_builder_add_int_value(b, now_us);
    add_time(b, "started", ch->started_us);
    if (ch->current.kind) {
        json_builder_set_member_name(b, "on_air");
        add_item(b, &ch->current);
        /* Position on the output's own timeline: the last picture sent. */
        json_builder_set_member_name(b, "position_frames");
        GstClockTime start = us_to_ns(ch->current.start_us);
        json_builder_add_int_value(
            b, ch->feeder.v_next_ns > start
                   ? (int64_t)((ch->feeder.v_next_ns - start) / (GST_SECOND / SQ_FPS))
                   : 0);
    }
    if (ch->next.kind) {
        json_builder_set_member_name(b, "next");
        add_item(b, &ch->next);
    }
    json_builder_set_member_name(b, "outputs");
    json_builder_add_value(b, output_health(ch->out));
    json_builder_set_member_name(b, "stats");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "video_frames");
    json_builder_add_int_value(b, (gint64)ch->feeder.video_frames);
    json_builder_set_member_name(b, "silent_audio_frames");
    json_builder_add_int_value(b, (gint64)ch->feeder.silent_frames);
    json_builder_set_member_name(b, "dropped_audio_frames");
    json_builder_add_int_value(b, (gint64)ch->feeder.dropped_audio_frames);
    json_builder_set_member_name(b, "lead_ms");
    json_builder_add_int_value(
        b, ch->feeder.started ? (ns_to_us(ch->feeder.v_next_ns) - now_us) / 1000 : 0);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "errors");
    json_builder_begin_array(b);
    for (guint i = 0; i < ch->errors->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(ch->errors, i));
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(GError) error = NULL;
    if (!status_write(ch->status_dir, ch->id, root, &error)) {
        static gint warned;
        if (g_atomic_int_compare_and_exchange(&warned, 0, 1))
            g_warning("%s: status: %s", ch->id, error->message);
    }
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

JsonNode *sq_playout_status_read(const char *db_path, const char *status_dir, GError **error)
{
    g_autofree char *dir = status_dir_default(db_path, status_dir);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".json"))
            g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, compare_names);
    int64_t now_us = sq_now_us();
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        g_autoptr(JsonParser) parser = json_parser_new();
        if (!json_parser_load_from_file(parser, path, error)) {
            g_prefix_error(error, "%s: ", path);
            return NULL;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
            continue;
        JsonObject *o = json_node_get_object(root);
        gint64 pid = json_object_get_int_member_with_default(o, "pid", 0);
        gint64 updated = json_object_get_int_member_with_default(o, "updated_us", 0);
        const char *state = json_object_get_string_member_with_default(o, "state", "");
        bool alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        bool running = alive && now_us - updated < STALE_US && strcmp(state, "on-air") == 0;
        json_object_set_boolean_member(o, "running", running);
        json_builder_add_value(b, json_node_copy(root));
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}
