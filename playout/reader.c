/* Reading one house-format file without decoding: filesrc ! qtdemux, then
 * per stream queue ! parser ! appsink. The pipeline is not synced to any
 * clock; the feeder pulls packets interleaved by time (pulling one stream
 * only would fill the other appsink and stall qtdemux). */
#include "playout_private.h"

#define PULL_TIMEOUT_NS (5 * GST_SECOND)

struct Reader {
    GstElement *pipe;
    GstElement *demux;
    GstAppSink *video, *audio;
    bool video_eos, audio_eos;
    ReaderPacket pending_video, pending_audio; /* sample NULL: empty */
    ReaderPacket peeked;
    bool has_peeked;
    GMutex lock;
    GCond cond;
    bool pads_done;
    GError *error; /* the first error the pipeline posted */
    char *name;
};

static GstElement *make(const char *factory, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, NULL);
    if (!e)
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "GStreamer element %s is missing", factory);
    return e;
}

/* queue ! parser ! capsfilter ! appsink, added to the pipeline, linked from pad. */
static GstAppSink *add_branch(Reader *r, GstPad *pad, bool is_video)
{
    GstElement *queue = gst_element_factory_make("queue", NULL);
    GstElement *parse = gst_element_factory_make(is_video ? "h264parse" : "aacparse", NULL);
    GstElement *filter = gst_element_factory_make("capsfilter", NULL);
    GstElement *sink = gst_element_factory_make("appsink", NULL);
    if (!queue || !parse || !filter || !sink)
        return NULL;
    /* House files interleave about a second of each stream: room for that. */
    g_object_set(queue, "max-size-time", (guint64)10 * GST_SECOND, "max-size-buffers", 0,
                 "max-size-bytes", 0, NULL);
    g_autoptr(GstCaps) caps =
        gst_caps_from_string(is_video ? "video/x-h264,stream-format=byte-stream,alignment=au"
                                      : "audio/mpeg,mpegversion=4,stream-format=raw");
    g_object_set(filter, "caps", caps, NULL);
    if (is_video)
        g_object_set(parse, "config-interval", -1, NULL);
    g_object_set(sink, "sync", FALSE, "max-buffers", 50, "drop", FALSE, "emit-signals", FALSE,
                 NULL);
    gst_bin_add_many(GST_BIN(r->pipe), queue, parse, filter, sink, NULL);
    if (!gst_element_link_many(queue, parse, filter, sink, NULL))
        return NULL;
    g_autoptr(GstPad) sinkpad = gst_element_get_static_pad(queue, "sink");
    if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK)
        return NULL;
    gst_element_sync_state_with_parent(sink);
    gst_element_sync_state_with_parent(filter);
    gst_element_sync_state_with_parent(parse);
    gst_element_sync_state_with_parent(queue);
    return GST_APP_SINK(sink);
}

static void on_no_more_pads(GstElement *demux, gpointer data)
{
    (void)demux;
    Reader *r = data;
    g_mutex_lock(&r->lock);
    r->pads_done = true;
    g_cond_broadcast(&r->cond);
    g_mutex_unlock(&r->lock);
}

static void on_pad_added(GstElement *demux, GstPad *pad, gpointer data)
{
    (void)demux;
    Reader *r = data;
    const char *name = GST_PAD_NAME(pad);
    if (g_str_has_prefix(name, "video_") && !r->video)
        r->video = add_branch(r, pad, true);
    else if (g_str_has_prefix(name, "audio_") && !r->audio)
        r->audio = add_branch(r, pad, false);
}

/* Takes the error messages off the bus; keeps the first. */
static bool collect_errors(Reader *r)
{
    g_autoptr(GstBus) bus = gst_element_get_bus(r->pipe);
    GstMessage *msg;
    while ((msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR))) {
        g_autoptr(GError) gerr = NULL;
        gst_message_parse_error(msg, &gerr, NULL);
        if (!r->error)
            r->error = g_error_new(SQ_ERROR, SQ_ERROR_MEDIA, "%s: %s", r->name,
                                   gerr ? gerr->message : "read error");
        gst_message_unref(msg);
    }
    return r->error != NULL;
}

/* The first error the pipeline posted, as a GError naming the file. */
static bool bus_error(Reader *r, GError **error)
{
    if (!collect_errors(r))
        return false;
    if (error && !*error)
        *error = g_error_copy(r->error);
    return true;
}

Reader *reader_open(const char *path, GstClockTime position_ns, bool snap_after, GError **error)
{
    g_autoptr(Reader) r = g_new0(Reader, 1);
    g_mutex_init(&r->lock);
    g_cond_init(&r->cond);
    r->name = g_path_get_basename(path);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: file missing", path);
        return NULL;
    }
    r->pipe = gst_pipeline_new("reader");
    GstElement *src = make("filesrc", error);
    if (!src)
        return NULL;
    r->demux = make("qtdemux", error);
    if (!r->demux) {
        gst_object_unref(src);
        return NULL;
    }
    g_object_set(src, "location", path, NULL);
    gst_bin_add_many(GST_BIN(r->pipe), src, r->demux, NULL);
    gst_element_link(src, r->demux);
    g_signal_connect(r->demux, "pad-added", G_CALLBACK(on_pad_added), r);
    g_signal_connect(r->demux, "no-more-pads", G_CALLBACK(on_no_more_pads), r);

    /* The sinks only exist once qtdemux has found the streams: wait for
     * them, then for their preroll. */
    gst_element_set_state(r->pipe, GST_STATE_PAUSED);
    gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&r->lock);
    while (!r->pads_done && g_get_monotonic_time() < deadline) {
        g_cond_wait_until(&r->cond, &r->lock, MIN(deadline, g_get_monotonic_time() + 50000));
        g_mutex_unlock(&r->lock);
        bool failed = collect_errors(r); /* qtdemux gives up without no-more-pads */
        g_mutex_lock(&r->lock);
        if (failed)
            break;
    }
    g_mutex_unlock(&r->lock);
    GstState state;
    GstStateChangeReturn ret = gst_element_get_state(r->pipe, &state, NULL, 10 * GST_SECOND);
    if (ret != GST_STATE_CHANGE_SUCCESS || !r->video) {
        if (!bus_error(r, error))
            g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: %s", path,
                        r->video ? "cannot be opened" : "no video stream");
        return NULL;
    }
    if (position_ns > 0) {
        GstSeekFlags flags = GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT |
                             (snap_after ? GST_SEEK_FLAG_SNAP_AFTER : GST_SEEK_FLAG_SNAP_BEFORE);
        if (!gst_element_seek(r->pipe, 1.0, GST_FORMAT_TIME, flags, GST_SEEK_TYPE_SET,
                              (gint64)position_ns, GST_SEEK_TYPE_NONE, -1)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: cannot seek to %.3f s", path,
                        position_ns / 1e9);
            return NULL;
        }
        gst_element_get_state(r->pipe, NULL, NULL, 10 * GST_SECOND);
    }
    gst_element_set_state(r->pipe, GST_STATE_PLAYING);
    r->audio_eos = r->audio == NULL;
    return g_steal_pointer(&r);
}

void reader_free(Reader *r)
{
    if (!r)
        return;
    if (r->pipe) {
        gst_element_set_state(r->pipe, GST_STATE_NULL);
        gst_object_unref(r->pipe);
    }
    if (r->pending_video.sample)
        gst_sample_unref(r->pending_video.sample);
    if (r->pending_audio.sample)
        gst_sample_unref(r->pending_audio.sample);
    if (r->has_peeked && r->peeked.sample)
        gst_sample_unref(r->peeked.sample);
    g_free(r->name);
    g_clear_error(&r->error);
    g_mutex_clear(&r->lock);
    g_cond_clear(&r->cond);
    g_free(r);
}

bool reader_has_audio(Reader *r)
{
    return r->audio != NULL;
}

GstClockTime reader_duration(Reader *r)
{
    gint64 d = 0;
    if (!gst_element_query_duration(r->pipe, GST_FORMAT_TIME, &d) || d < 0)
        return 0;
    return (GstClockTime)d;
}

/* Fills the stream's pending slot unless it is full or at its end. */
static bool fill(Reader *r, bool is_video, GError **error)
{
    ReaderPacket *slot = is_video ? &r->pending_video : &r->pending_audio;
    bool *eos = is_video ? &r->video_eos : &r->audio_eos;
    GstAppSink *sink = is_video ? r->video : r->audio;
    while (!slot->sample && !*eos) {
        GstSample *s = gst_app_sink_try_pull_sample(sink, PULL_TIMEOUT_NS);
        if (!s) {
            if (bus_error(r, error))
                return false;
            if (gst_app_sink_is_eos(sink)) {
                *eos = true;
                break;
            }
            g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: no data for %d s", r->name,
                        (int)(PULL_TIMEOUT_NS / GST_SECOND));
            return false;
        }
        GstBuffer *buf = gst_sample_get_buffer(s);
        const GstSegment *seg = gst_sample_get_segment(s);
        GstClockTime pts = GST_BUFFER_PTS(buf);
        GstClockTime st = GST_CLOCK_TIME_NONE;
        if (GST_CLOCK_TIME_IS_VALID(pts) && seg)
            st = gst_segment_to_stream_time(seg, GST_FORMAT_TIME, pts);
        if (!GST_CLOCK_TIME_IS_VALID(st)) {
            /* After a key-unit seek the first audio frames can lie before
             * the segment: they have no place on the timeline. */
            gst_sample_unref(s);
            continue;
        }
        slot->sample = s;
        slot->is_video = is_video;
        slot->stream_ns = st;
    }
    /* A read error can also come as an early EOS after an error message. */
    if (*eos && bus_error(r, error))
        return false;
    return true;
}

static bool take(Reader *r, ReaderPacket *packet, GError **error)
{
    if (!fill(r, true, error) || !fill(r, false, error))
        return false;
    ReaderPacket *v = &r->pending_video, *a = &r->pending_audio;
    ReaderPacket *pick = NULL;
    if (v->sample && a->sample)
        pick = a->stream_ns < v->stream_ns ? a : v;
    else
        pick = v->sample ? v : (a->sample ? a : NULL);
    if (!pick)
        return false;
    *packet = *pick;
    pick->sample = NULL;
    return true;
}

bool reader_next(Reader *r, ReaderPacket *packet, GError **error)
{
    if (r->has_peeked) {
        r->has_peeked = false;
        if (!r->peeked.sample)
            return false;
        *packet = r->peeked;
        r->peeked.sample = NULL;
        return true;
    }
    return take(r, packet, error);
}

const ReaderPacket *reader_peek(Reader *r, GError **error)
{
    if (!r->has_peeked) {
        r->peeked.sample = NULL;
        if (!take(r, &r->peeked, error))
            r->peeked.sample = NULL;
        r->has_peeked = true;
    }
    return r->peeked.sample ? &r->peeked : NULL;
}
