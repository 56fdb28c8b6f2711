/* Setting channels up and running them: everything that can be refused is
 * checked before any channel goes on air; then one thread per channel. */
#include "engine.h"

#include <errno.h>
#include <string.h>

/* What the CBR mux adds to the assets' peak video rate: audio, PSI, PES
 * and TS headers, and a margin (mpegtsmux overloads silently). */
#define MUX_OVERHEAD_KBPS  400
#define MUX_MARGIN_PERCENT 25

GStrv sq_playout_station_channels(SqCatalog *cat, GError **error)
{
    static const char sql[] = "SELECT id FROM channels ORDER BY id";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return NULL;
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    while (sqlite3_step(st) == SQLITE_ROW)
        g_strv_builder_add(b, (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return g_strv_builder_end(b);
}

static int default_mux_rate_kbps(SqCatalog *cat)
{
    static const char sql[] = "SELECT max(video_peak_kbps) FROM assets";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, NULL);
    int peak = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        peak = sqlite3_column_int(st, 0);
    if (st)
        sqlite3_reset(st);
    return MAX(1000, peak * (100 + MUX_MARGIN_PERCENT) / 100 + MUX_OVERHEAD_KBPS);
}

/* The station's row for the channel: service id and outputs. */
static bool station_channel(SqCatalog *cat, const char *id, bool *found, int *service_id,
                            GPtrArray *types, GPtrArray *targets, GError **error)
{
    static const char ch_sql[] = "SELECT service_id FROM channels WHERE id = ?";
    static const char out_sql[] =
        "SELECT type, target FROM channel_outputs WHERE channel_id = ? ORDER BY position";
    sqlite3_stmt *st = sq_catalog_prepare(cat, ch_sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    *found = sqlite3_step(st) == SQLITE_ROW;
    if (*found)
        *service_id = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (!*found)
        return true;
    st = sq_catalog_prepare(cat, out_sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_ptr_array_add(types, g_strdup((const char *)sqlite3_column_text(st, 0)));
        g_ptr_array_add(targets, g_strdup((const char *)sqlite3_column_text(st, 1)));
    }
    sqlite3_reset(st);
    return true;
}

static void channel_free(Channel *ch)
{
    if (!ch)
        return;
    timeline_free(ch->timeline);
    output_free(ch->out);
    sq_catalog_free(ch->cat);
    item_clear(&ch->current);
    item_clear(&ch->next);
    g_free(ch->id);
    g_free(ch->slate_path);
    g_free(ch->loop_path);
    g_free(ch->status_dir);
    g_free(ch->source);
    g_free(ch->hls_dir);
    g_free(ch->udp_url);
    g_free(ch->srt_url);
    if (ch->errors)
        g_ptr_array_unref(ch->errors);
    g_free(ch);
}

static bool channel_setup(Channel *ch, const SqPlayoutOptions *opt,
                          const SqPlayoutChannelConfig *cfg, GCancellable *cancellable,
                          GError **error)
{
    g_autofree char *db = sq_default_db_path(opt->db_path);
    g_autofree char *library = sq_default_library_dir(opt->library_dir);
    g_autofree char *db_dir = g_path_get_dirname(db);
    ch->cat = sq_catalog_open(db, error);
    if (!ch->cat)
        return false;
    if (cfg->rundown_path) {
        SqRundown *rd = sq_rundown_load(ch->cat, library, cfg->rundown_path, error);
        if (!rd)
            return false;
        ch->timeline = timeline_new_rundown(rd);
        ch->source = g_strdup(cfg->rundown_path);
    } else {
        ch->timeline = timeline_new_plan(ch->cat, ch->id);
        timeline_set_library(ch->timeline, library);
        ch->source = g_strdup("plan");
    }
    int service_id = 0;
    g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(g_free);
    bool known = false;
    if (!station_channel(ch->cat, ch->id, &known, &service_id, types, targets, error))
        return false;
    if (!known && !cfg->rundown_path) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "channel %s is not in the station (sabaq import STATION.xml)", ch->id);
        return false;
    }
    if (!known)
        service_id = 1;
    OutputConfig oc = {.channel_id = ch->id,
                       .service_id = service_id,
                       .hls_dir = cfg->hls_dir,
                       .udp_url = cfg->udp_url,
                       .srt_url = cfg->srt_url,
                       .mux_rate_kbps = default_mux_rate_kbps(ch->cat),
                       .hls_segment_s = opt->hls_segment_s,
                       .hls_window = opt->hls_window};
    g_autofree char *hls_dir = NULL;
    if (!cfg->hls_dir && !cfg->udp_url && !cfg->srt_url) {
        /* The station's outputs; a relative HLS path is beside the catalog. */
        for (guint i = 0; i < types->len; i++) {
            const char *type = g_ptr_array_index(types, i);
            const char *target = g_ptr_array_index(targets, i);
            if (strcmp(type, "hls") == 0 && !hls_dir)
                oc.hls_dir = hls_dir = g_path_is_absolute(target)
                                           ? g_strdup(target)
                                           : g_build_filename(db_dir, target, NULL);
            else if (strcmp(type, "udp") == 0 && !oc.udp_url)
                oc.udp_url = target;
            else if (strcmp(type, "srt") == 0 && !oc.srt_url)
                oc.srt_url = target;
        }
    }
    /* Absolute: splitmuxsink reports each segment as <dir>/<name>, and the
     * playlist writer reads a relative location against the folder again
     * ("demo/hls/x/demo/hls/x/seg.ts" with --db demo/sabaq.db). */
    g_autofree char *hls_abs = oc.hls_dir ? g_canonicalize_filename(oc.hls_dir, NULL) : NULL;
    oc.hls_dir = hls_abs;
    if (!house_assets_find(ch->cat, library, &ch->slate_path, &ch->loop_path, error))
        return false;
    if (!ch->slate_path)
        g_warning("%s: the catalog has no house slate; the house loop stands in for it", ch->id);
    ch->status_dir = status_dir_default(opt->db_path, opt->status_dir);
    if (g_mkdir_with_parents(ch->status_dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", ch->status_dir, g_strerror(errno));
        return false;
    }
    ch->hls_dir = g_strdup(oc.hls_dir);
    ch->udp_url = g_strdup(oc.udp_url);
    ch->srt_url = g_strdup(oc.srt_url);
    ch->out_config = oc;
    ch->out_config.hls_dir = ch->hls_dir;
    ch->out_config.udp_url = ch->udp_url;
    ch->out_config.srt_url = ch->srt_url;
    ch->out = output_new(&ch->out_config, error);
    if (!ch->out)
        return false;
    if (!known)
        g_message("%s: not in the station; airing the rundown as service 1", ch->id);
    else if (output_has_ts(ch->out)) {
        ch->wants_si = true;
        channel_load_guide(ch, true);
    }
    ch->feeder.out = ch->out;
    ch->feeder.channel_id = ch->id;
    ch->feeder.slate_path = ch->slate_path ? ch->slate_path : ch->loop_path;
    ch->feeder.cancellable = cancellable;
    ch->feeder.stop_ns = GST_CLOCK_TIME_NONE;
    return true;
}

static Channel *channel_new(const SqPlayoutOptions *opt, const SqPlayoutChannelConfig *cfg,
                            GCancellable *cancellable, GError **error)
{
    Channel *ch = g_new0(Channel, 1);
    ch->id = g_strdup(cfg->channel_id);
    ch->errors = g_ptr_array_new_with_free_func(g_free);
    if (!channel_setup(ch, opt, cfg, cancellable, error)) {
        g_prefix_error(error, "%s: ", cfg->channel_id);
        channel_free(ch);
        return NULL;
    }
    return ch;
}

bool sq_playout_run(const SqPlayoutOptions *options, const SqPlayoutChannelConfig *channels,
                    int n_channels, GCancellable *cancellable, GError **error)
{
    gst_init(NULL, NULL);
    g_autoptr(GPtrArray) chans = g_ptr_array_new_with_free_func((GDestroyNotify)channel_free);
    for (int i = 0; i < n_channels; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(channels[i].channel_id, channels[j].channel_id) == 0) {
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel %s named twice",
                            channels[i].channel_id);
                return false;
            }
        Channel *ch = channel_new(options, &channels[i], cancellable, error);
        if (!ch)
            return false;
        g_ptr_array_add(chans, ch);
    }
    int64_t now_us = sq_now_us();
    for (guint i = 0; i < chans->len; i++) {
        Channel *ch = g_ptr_array_index(chans, i);
        if (!output_start(ch->out, error))
            return false;
        ch->started_us = now_us;
        if (options->for_seconds > 0)
            ch->feeder.stop_ns = us_to_ns(now_us + (int64_t)(options->for_seconds * 1e6));
    }
    for (guint i = 0; i < chans->len; i++) {
        Channel *ch = g_ptr_array_index(chans, i);
        g_autofree char *name = g_strdup_printf("sq-%s", ch->id);
        ch->thread = g_thread_new(name, channel_run, ch);
    }
    bool ok = true;
    for (guint i = 0; i < chans->len; i++) {
        Channel *ch = g_ptr_array_index(chans, i);
        g_thread_join(ch->thread);
        if ((ch->fatal || ch->feeder.output_failed) && ok) {
            g_autofree char *why = output_take_error(ch->out);
            g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: went off air: %s", ch->id,
                        why ? why : "nothing could be aired");
            ok = false;
        }
    }
    return ok;
}
