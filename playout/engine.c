/* A channel on air: its timeline, its output pipeline and its feeder, in
 * one thread. Items are aired one after the other from the timeline; an
 * item that cannot air becomes the slate for exactly the rest of its time,
 * a moment without a plan the house loop. Every item gets an as-run row;
 * the status file is rewritten about twice a second. */
#include "engine.h"
#include "output_private.h"

#include <string.h>

#define FRAME_NS   ((GstClockTime)GST_SECOND / SQ_FPS)
#define MAX_ERRORS 5

static int64_t aired_frames(Channel *ch)
{
    if (!ch->feeder.started || ch->feeder.v_next_ns <= us_to_ns(ch->item_from_us))
        return 0;
    return (int64_t)((ch->feeder.v_next_ns - us_to_ns(ch->item_from_us)) / FRAME_NS);
}

void channel_note_error(Channel *ch, const char *text)
{
    g_autofree char *stamp = format_utc(sq_now_us());
    g_ptr_array_add(ch->errors, g_strdup_printf("%s %s", stamp, text));
    while (ch->errors->len > MAX_ERRORS)
        g_ptr_array_remove_index(ch->errors, 0);
}

/* The programmes of the guide for the HLS playlist's EXT-X-DATERANGE, in
 * the channel's language. */
static void set_hls_programmes(Channel *ch, const SqEpgGuide *guide)
{
    const SqEpgChannel *c = sq_epg_guide_channel(guide, ch->id);
    size_t n = 0;
    const SqEpgProgramme *const *progs = c ? sq_epg_guide_programmes(guide, ch->id, &n) : NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(hls_programme_free);
    for (size_t i = 0; i < n; i++) {
        HlsProgramme *p = g_new0(HlsProgramme, 1);
        p->id = g_strdup_printf("%s-%" G_GINT64_FORMAT, ch->id, progs[i]->start_us / SQ_SECOND_US);
        p->title = g_strdup(sq_epg_programme_title(progs[i], c->language));
        g_strdelimit(p->title, "\"\r\n", '\'');
        p->start_us = progs[i]->start_us;
        p->end_us = progs[i]->end_us;
        g_ptr_array_add(out, p);
    }
    g_mutex_lock(&ch->out->lock);
    if (ch->out->hls) {
        hls_set_programmes(ch->out->hls, out);
        hls_set_si(ch->out->hls, ch->id, (uint16_t)ch->out->service_id, guide);
    } else {
        g_ptr_array_unref(out);
    }
    g_mutex_unlock(&ch->out->lock);
}

/* The SI guide covers yesterday to a week ahead (EIT schedule: 7 days); the
 * HLS playlist's programme marks come from the same guide. */
void channel_load_guide(Channel *ch, bool first)
{
    if (!first && !ch->has_si && !ch->out->hls)
        return;
    int64_t now_us = sq_now_us();
    ch->last_guide_us = now_us;
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) guide = sq_epg_guide_load(ch->cat, ch->id, now_us - 86400 * SQ_SECOND_US,
                                                    now_us + 8 * 86400 * SQ_SECOND_US, &error);
    if (!guide) {
        g_warning("%s: EPG for the transport stream: %s", ch->id, error->message);
        return;
    }
    set_hls_programmes(ch, guide);
    if (!first && !ch->has_si)
        return;
    if (!first) {
        output_update_guide(ch->out, guide);
        return;
    }
    if (!output_enable_si(ch->out, guide, &error)) {
        g_warning("%s: no SDT/EIT in the transport stream: %s", ch->id, error->message);
        return;
    }
    ch->has_si = true;
}

/* A newly published version that puts a boundary inside the item on air
 * (an edit: "this airs at 10:15:00") cuts it there; one that only changes
 * later items is picked up at the next item. The house loop gives way to
 * a plan at once. */
static void check_plan(Channel *ch)
{
    if (strcmp(ch->source, "plan") != 0 || !ch->feeder.started ||
        GST_CLOCK_TIME_IS_VALID(ch->feeder.cut_ns))
        return;
    int64_t at_us = ns_to_us(ch->feeder.v_next_ns);
    Item item;
    g_autoptr(GError) error = NULL;
    if (!timeline_item_at(ch->timeline, at_us, &item, &error))
        return;
    /* A new version, or a minute gone: the EIT follows the plan. */
    if ((item.plan_version && item.plan_version != ch->guide_version) ||
        sq_now_us() - ch->last_guide_us > 60 * SQ_SECOND_US) {
        ch->guide_version = item.plan_version;
        channel_load_guide(ch, false);
    }
    bool was_loop = strcmp(ch->current.source, "loop") == 0;
    int64_t cut_us = 0;
    if (was_loop && strcmp(item.source, "plan") == 0)
        cut_us = at_us;
    else if (!was_loop && strcmp(ch->current.source, "plan") == 0 &&
             item.plan_version != ch->current.plan_version) {
        /* The new version's boundaries inside the item on air cut it: the
         * start of what airs now in it, or the end of that. */
        if (item.start_us > ch->current.start_us)
            cut_us = MAX(item.start_us, at_us);
        else if (item.end_us < ch->current.end_us)
            cut_us = item.end_us;
    }
    if (cut_us) {
        g_autofree char *when = format_utc(cut_us);
        g_message("%s: plan version %" G_GINT64_FORMAT " ends %s at %s", ch->id, item.plan_version,
                  ch->current.title, when);
        ch->cut_version = item.plan_version;
        ch->feeder.cut_ns = us_to_ns(cut_us);
    }
    item_clear(&item);
}

static void tick(Feeder *f, void *data)
{
    (void)f;
    Channel *ch = data;
    int64_t now_us = sq_now_us();
    output_poll(ch->out);
    if (now_us - ch->last_plan_check_us >= SQ_SECOND_US) {
        ch->last_plan_check_us = now_us;
        check_plan(ch);
    }
    if (ch->asrun_id && now_us - ch->last_progress_us >= 2 * SQ_SECOND_US) {
        ch->last_progress_us = now_us;
        g_autoptr(GError) error = NULL;
        if (!asrun_progress(ch->cat, ch->asrun_id, aired_frames(ch), &error))
            g_warning("%s: as-run: %s", ch->id, error->message);
    }
    if (now_us - ch->last_status_us >= SQ_SECOND_US) {
        ch->last_status_us = now_us;
        channel_write_status(ch);
    }
}

/* Airs [from, to) of the slate (the house loop when there is no slate). */
static FeedResult air_slate(Channel *ch, int64_t from_us, GstClockTime *to_ns, GError **error)
{
    const char *path = ch->slate_path ? ch->slate_path : ch->loop_path;
    if (!path) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "the catalog has neither a house slate nor a house loop");
        return FEED_FAILED;
    }
    GstClockTime from = MAX(us_to_ns(from_us), ch->feeder.started ? ch->feeder.v_next_ns : 0);
    return feeder_air_loop(&ch->feeder, path, from, to_ns, error);
}

static const char *status_name(AsrunStatus s)
{
    static const char *const names[] = {"airing", "aired", "joined", "cut", "slate", "interrupted"};
    return names[s];
}

/* Airs one item from from_us; returns false when the channel must stop. */
static bool air_item(Channel *ch, Item *item, int64_t from_us)
{
    GstClockTime to = us_to_ns(item->end_us);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) slate_error = NULL;
    ch->item_from_us = from_us;
    ch->feeder.cut_ns = GST_CLOCK_TIME_NONE;
    item_clear(&ch->current);
    item_copy(&ch->current, item);
    ch->asrun_id = asrun_begin(ch->cat, ch->id, item, from_us, &error);
    if (!ch->asrun_id) {
        g_warning("%s: as-run: %s", ch->id, error->message);
        g_clear_error(&error);
    }
    ch->last_progress_us = sq_now_us();
    AsrunStatus status = from_us > item->start_us ? ASRUN_JOINED : ASRUN_AIRED;
    g_autofree char *reason = NULL;
    FeedResult res;
    bool is_loop = strcmp(item->source, "loop") == 0;
    if (is_loop) {
        reason = g_strdup(item->reason);
        g_autofree char *at = format_utc(from_us);
        g_message("%s: %s from %s: airing the house loop", ch->id, item->reason, at);
        res = ch->loop_path
                  ? feeder_air_loop(&ch->feeder, ch->loop_path, us_to_ns(from_us), &to, &error)
                  : air_slate(ch, from_us, &to, &error);
    } else if (!item->path) {
        reason = g_strdup(item->reason);
        status = ASRUN_SLATE;
        g_warning("%s: %s: %s; the slate airs for its %.2f s", ch->id, item->title, item->reason,
                  (item->end_us - from_us) / 1e6);
        channel_note_error(ch, reason);
        res = air_slate(ch, from_us, &to, &error);
    } else {
        GstClockTime in = (GstClockTime)item->in_frames * FRAME_NS;
        res = feeder_air_file(&ch->feeder, item->path, us_to_ns(item->start_us), in,
                              us_to_ns(from_us), &to, &error);
        if (res == FEED_FAILED || res == FEED_ENDED) {
            GstClockTime at = ch->feeder.started ? ch->feeder.v_next_ns : us_to_ns(from_us);
            status = ASRUN_SLATE;
            if (res == FEED_ENDED && at <= us_to_ns(from_us) && from_us > item->start_us)
                reason = g_strdup_printf("%s: joined %.2f s into the item, past the file's end",
                                         item->path, (from_us - item->start_us) / 1e6);
            else if (res == FEED_ENDED)
                reason = g_strdup_printf("%s: the file ends %.2f s before the item does",
                                         item->path, (to - at) / 1e9);
            else
                reason = g_strdup(error->message);
            g_warning("%s: %s: %s; the slate airs for the remaining %.2f s", ch->id, item->title,
                      reason, (to - at) / 1e9);
            channel_note_error(ch, reason);
            g_clear_error(&error);
            res = air_slate(ch, ns_to_us(at), &to, &error);
        }
    }
    if (res == FEED_FAILED) {
        /* Even the slate failed: the muxer must not starve, so loop. */
        g_warning("%s: %s", ch->id, error->message);
        channel_note_error(ch, error->message);
        if (!reason)
            reason = g_strdup(error->message);
        g_clear_error(&error);
        res = ch->loop_path
                  ? feeder_air_loop(&ch->feeder, ch->loop_path,
                                    MAX(us_to_ns(from_us), ch->feeder.v_next_ns), &to, &error)
                  : FEED_FAILED;
        if (res == FEED_FAILED) {
            ch->fatal = true;
            return false;
        }
    }
    bool stopped = res == FEED_STOPPED;
    bool was_cut = GST_CLOCK_TIME_IS_VALID(ch->feeder.cut_ns) && to < us_to_ns(item->end_us);
    item->end_us = ns_to_us(to); /* where the next item starts */
    if (was_cut && !stopped && status != ASRUN_SLATE) {
        status = ASRUN_CUT;
        char *why = g_strdup_printf("%s%splan version %" G_GINT64_FORMAT " ends it early",
                                    reason ? reason : "", reason ? "; " : "", ch->cut_version);
        g_free(reason);
        reason = why;
    }
    if (!stopped && !feeder_fill_audio(&ch->feeder, to))
        stopped = true;
    if (stopped && status != ASRUN_SLATE) {
        status = ASRUN_CUT;
        const char *why = ch->feeder.output_failed ? "the output failed" : "playout stopped";
        char *full = g_strdup_printf("%s%s%s", reason ? reason : "", reason ? "; " : "", why);
        g_free(reason);
        reason = full;
    }
    if (ch->asrun_id) {
        if (!asrun_end(ch->cat, ch->asrun_id, status, aired_frames(ch), reason, &error))
            g_warning("%s: as-run: %s", ch->id, error->message);
        ch->asrun_id = 0;
    }
    g_message("%s: %s %s (%s)%s%s", ch->id, status_name(status), item->title, item->source,
              reason ? ": " : "", reason ? reason : "");
    return !stopped;
}

/* Where to join: the current instant, on the frame grid, from the GOP
 * before; but when the HLS playlist of an earlier run already holds what
 * comes after that, from the IDR after its end, so that the program date
 * time never goes back. */
static int64_t join_point(Channel *ch)
{
    int64_t now_us = sq_now_us();
    int64_t cursor_us = now_us / SQ_FRAME_US * SQ_FRAME_US;
    int64_t listed_end_us = output_listed_end_us(ch->out);
    ch->feeder.join_after = false;
    if (listed_end_us > now_us - 2 * SQ_SECOND_US && listed_end_us < now_us + 10 * SQ_SECOND_US) {
        cursor_us = MAX(cursor_us, (listed_end_us + SQ_FRAME_US - 1) / SQ_FRAME_US * SQ_FRAME_US);
        ch->feeder.join_after = true;
    }
    return cursor_us;
}

/* The channel's own pipeline failed (an HLS folder gone, an internal
 * error): build it again and join the plan at now. Returns false when
 * stopped while trying. */
static bool restart_output(Channel *ch)
{
    g_autofree char *why = output_take_error(ch->out);
    g_autofree char *text = g_strdup_printf("the output failed: %s", why ? why : "?");
    channel_note_error(ch, text);
    for (int attempt = 1;; attempt++) {
        g_warning("%s: %s; rebuilding the output in 3 s (attempt %d)", ch->id, text, attempt);
        for (int i = 0; i < 30; i++) {
            if (g_cancellable_is_cancelled(ch->feeder.cancellable) ||
                us_to_ns(sq_now_us()) >= ch->feeder.stop_ns)
                return false;
            if (i % 5 == 0)
                channel_write_status(ch);
            g_usleep(100 * 1000);
        }
        output_free(ch->out);
        ch->out = NULL;
        ch->has_si = false;
        g_autoptr(GError) error = NULL;
        ch->out = output_new(&ch->out_config, &error);
        if (ch->out && output_start(ch->out, &error)) {
            if (ch->wants_si && output_has_ts(ch->out))
                channel_load_guide(ch, true);
            break;
        }
        g_free(text);
        text = g_strdup_printf("the output cannot be rebuilt: %s", error->message);
        channel_note_error(ch, text);
    }
    ch->feeder.out = ch->out;
    ch->guide_version = -1; /* the new playlist gets its programme marks at once */
    ch->feeder.started = false;
    ch->feeder.output_failed = false;
    ch->feeder.v_next_ns = 0;
    g_message("%s: the output is back; joining the plan at now", ch->id);
    return true;
}

gpointer channel_run(gpointer data)
{
    Channel *ch = data;
    ch->feeder.tick = tick;
    ch->feeder.tick_data = ch;
    g_autoptr(GError) error = NULL;
    if (!asrun_close_stale(ch->cat, ch->id, &error)) {
        g_warning("%s: as-run: %s", ch->id, error->message);
        g_clear_error(&error);
    }
    int64_t cursor_us = join_point(ch);
    while (!g_cancellable_is_cancelled(ch->feeder.cancellable) &&
           us_to_ns(cursor_us) < ch->feeder.stop_ns) {
        Item item;
        if (!timeline_item_at(ch->timeline, cursor_us, &item, &error)) {
            /* A busy or broken catalog must not take the channel off air. */
            g_warning("%s: reading the plan: %s; the house loop airs for 10 s", ch->id,
                      error->message);
            channel_note_error(ch, error->message);
            g_clear_error(&error);
            memset(&item, 0, sizeof item);
            item.start_us = cursor_us;
            item.end_us = cursor_us + 10 * SQ_SECOND_US;
            item.kind = g_strdup("loop");
            item.source = g_strdup("loop");
            item.title = g_strdup("house loop");
            item.reason = g_strdup("the plan cannot be read");
        }
        Item next;
        if (timeline_item_at(ch->timeline, item.end_us, &next, NULL)) {
            item_clear(&ch->next);
            ch->next = next;
        }
        bool go_on = air_item(ch, &item, cursor_us);
        cursor_us = item.end_us;
        item_clear(&item);
        if (!go_on && ch->feeder.output_failed && !ch->fatal && restart_output(ch)) {
            cursor_us = join_point(ch);
            continue;
        }
        if (!go_on)
            break;
    }
    ch->stopping = true;
    channel_write_status(ch);
    output_finish(ch->out, 10000);
    channel_write_status(ch);
    return NULL;
}
