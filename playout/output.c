/* A channel's output pipeline, alive as long as the channel airs:
 *
 *   appsrc video ! tee ─┬─ splitmuxsink (mpegtsmux) ─ HLS segments
 *   appsrc audio ! tee ─┤
 *                       └─ queue ─ mpegtsmux (CBR) ─ SI ! tee ─┬─ appsink ┄ appsrc ! udpsink
 *                                                              └─ appsink ┄ appsrc ! srtsink
 *
 * (each network sink in a pipeline of its own: output_net.c).
 *
 * Its clock is the realtime system clock with base time 0, so a buffer's
 * running time is its UTC instant: the feeder stamps packets with their
 * planned instants and every sink, PCR and program date time follows.
 * Outputs are a table (hls, udp, srt); udp and srt share one CBR mux. */
#include "output_private.h"

#include <string.h>

static GstElement *make(const char *factory, const char *name, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, name);
    if (!e)
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "GStreamer element %s is missing", factory);
    return e;
}

GstElement *output_make(Output *out, const char *factory, const char *name, GError **error)
{
    GstElement *e = make(factory, name, error);
    if (e)
        gst_bin_add(GST_BIN(out->pipe), e);
    return e;
}

GstElement *output_queue(Output *out, GError **error)
{
    GstElement *q = output_make(out, "queue", NULL, error);
    if (q)
        g_object_set(q, "max-size-time", (guint64)8 * GST_SECOND, "max-size-buffers", 0,
                     "max-size-bytes", 0, NULL);
    return q;
}

bool output_link_tee(Output *out, GstElement *tee, GstElement *to, const char *to_pad, bool queued,
                     GError **error)
{
    GstElement *q = queued ? output_queue(out, error) : NULL;
    if (queued && !q)
        return false;
    g_autoptr(GstPad) src = gst_element_request_pad_simple(tee, "src_%u");
    g_autoptr(GstPad) qsink = q ? gst_element_get_static_pad(q, "sink") : NULL;
    g_autoptr(GstPad) qsrc = q ? gst_element_get_static_pad(q, "src") : NULL;
    g_autoptr(GstPad) sink = to_pad ? gst_element_request_pad_simple(to, to_pad)
                                    : gst_element_get_static_pad(to, "sink");
    if (!sink) {
        /* A fixed name ("sink_65") is a request pad of its template. */
        sink = gst_element_get_static_pad(to, to_pad);
    }
    bool linked = src && sink &&
                  (q ? gst_pad_link(src, qsink) == GST_PAD_LINK_OK &&
                           gst_pad_link(qsrc, sink) == GST_PAD_LINK_OK
                     : gst_pad_link(src, sink) == GST_PAD_LINK_OK);
    if (!linked) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s: cannot link %s to %s", out->channel_id,
                    GST_ELEMENT_NAME(tee), GST_ELEMENT_NAME(to));
        return false;
    }
    return true;
}

OutputSink *output_add_sink(Output *out, const char *type, const char *target)
{
    OutputSink *s = g_new0(OutputSink, 1);
    s->type = g_strdup(type);
    s->target = g_strdup(target);
    g_ptr_array_add(out->sinks, s);
    return s;
}

static void sink_free(gpointer data)
{
    OutputSink *s = data;
    g_free(s->type);
    g_free(s->target);
    g_free(s->element_name);
    g_free(s->last_error);
    g_free(s);
}

static GstPadProbeReturn count_bytes(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    OutputSink *s = data;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        g_atomic_pointer_add(&s->bytes,
                             (gssize)gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info)));
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
        g_atomic_pointer_add(&s->bytes, (gssize)gst_buffer_list_calculate_size(list));
    }
    return GST_PAD_PROBE_OK;
}

void output_watch_sink(OutputSink *s, GstElement *sink)
{
    s->element_name = g_strdup(GST_ELEMENT_NAME(sink));
    g_autoptr(GstPad) pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_bytes,
                      s, NULL);
}

static OutputSink *sink_of(Output *out, GstObject *src)
{
    for (GstObject *o = src; o; o = GST_OBJECT_PARENT(o)) {
        for (guint i = 0; i < out->sinks->len; i++) {
            OutputSink *s = g_ptr_array_index(out->sinks, i);
            if (s->element_name && strcmp(s->element_name, GST_OBJECT_NAME(o)) == 0)
                return s;
        }
    }
    return NULL;
}

static GstBusSyncReply on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    (void)bus;
    Output *out = data;
    switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_ELEMENT:
        if (out->hls)
            output_hls_message(out, msg);
        break;
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING: {
        g_autoptr(GError) err = NULL;
        g_autofree char *debug = NULL;
        bool is_error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
        if (is_error)
            gst_message_parse_error(msg, &err, &debug);
        else
            gst_message_parse_warning(msg, &err, &debug);
        OutputSink *s = sink_of(out, GST_MESSAGE_SRC(msg));
        g_autofree char *text = g_strdup_printf("%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
                                                err ? err->message : "?");
        g_mutex_lock(&out->lock);
        if (s) {
            g_free(s->last_error);
            s->last_error = g_strdup(text);
        }
        if (is_error) {
            g_free(out->error);
            out->error = g_strdup(text);
            out->failed = true;
        }
        g_cond_broadcast(&out->cond);
        g_mutex_unlock(&out->lock);
        if (is_error)
            g_warning("%s: output failed: %s (%s)", out->channel_id, text, debug ? debug : "");
        else
            g_message("%s: output warning: %s", out->channel_id, text);
        break;
    }
    case GST_MESSAGE_EOS:
        g_mutex_lock(&out->lock);
        out->eos = true;
        g_cond_broadcast(&out->cond);
        g_mutex_unlock(&out->lock);
        break;
    default:
        break;
    }
    gst_message_unref(msg);
    return GST_BUS_DROP;
}

static GstElement *make_appsrc(Output *out, const char *name, const char *caps_text, GError **error)
{
    GstElement *src = output_make(out, "appsrc", name, error);
    if (!src)
        return NULL;
    g_autoptr(GstCaps) caps = gst_caps_from_string(caps_text);
    /* Fixed caps: a parser re-negotiating per item would bump the PMT version. */
    g_object_set(src, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME, "block", TRUE,
                 "max-bytes", (guint64)0, "max-buffers", (guint64)0, "max-time",
                 (guint64)2 * GST_SECOND, "stream-type", 0, NULL);
    return src;
}

extern const OutputOps output_hls_ops, output_udp_ops, output_srt_ops;

Output *output_new(const OutputConfig *config, GError **error)
{
    Output *out = g_new0(Output, 1);
    g_mutex_init(&out->lock);
    g_cond_init(&out->cond);
    out->channel_id = g_strdup(config->channel_id);
    out->service_id = config->service_id;
    out->mux_rate_kbps = config->mux_rate_kbps;
    out->sinks = g_ptr_array_new_with_free_func(sink_free);
    out->senders = g_ptr_array_new_with_free_func(net_sender_free);
    out->pipe = gst_pipeline_new(config->channel_id);

    g_autoptr(GstClock) clock =
        g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, NULL);
    gst_pipeline_use_clock(GST_PIPELINE(out->pipe), clock);
    gst_element_set_start_time(out->pipe, GST_CLOCK_TIME_NONE);
    gst_element_set_base_time(out->pipe, 0);
    gst_pipeline_set_latency(GST_PIPELINE(out->pipe), OUTPUT_LATENCY_NS);
    g_autoptr(GstBus) bus = gst_element_get_bus(out->pipe);
    gst_bus_set_sync_handler(bus, on_bus, out, NULL);

    out->vsrc =
        make_appsrc(out, "video", "video/x-h264,stream-format=byte-stream,alignment=au", error);
    out->asrc = out->vsrc ? make_appsrc(out, "audio",
                                        "audio/mpeg,mpegversion=4,stream-format=raw,"
                                        "codec_data=(buffer)1190,rate=48000,channels=2,"
                                        "framed=true",
                                        error)
                          : NULL;
    out->vtee = out->asrc ? output_make(out, "tee", "vtee", error) : NULL;
    out->atee = out->vtee ? output_make(out, "tee", "atee", error) : NULL;
    if (!out->atee || !gst_element_link(out->vsrc, out->vtee) ||
        !gst_element_link(out->asrc, out->atee)) {
        if (error && !*error)
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s: cannot build the pipeline",
                        config->channel_id);
        output_free(out);
        return NULL;
    }
    int hls_segment_s = config->hls_segment_s > 0 ? config->hls_segment_s : 6;
    int hls_window = config->hls_window > 0 ? config->hls_window : 10;
    struct {
        const OutputOps *ops;
        const char *target;
    } wanted[] = {
        {&output_hls_ops, config->hls_dir},
        {&output_udp_ops, config->udp_url},
        {&output_srt_ops, config->srt_url},
    };
    bool any = false;
    for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++) {
        if (!wanted[i].target)
            continue;
        any = true;
        if (!wanted[i].ops->add(out, wanted[i].target, hls_segment_s, hls_window, error)) {
            output_free(out);
            return NULL;
        }
    }
    if (!any) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "channel %s has no output (give --hls, --udp or --srt, or list outputs "
                    "in the station file)",
                    config->channel_id);
        output_free(out);
        return NULL;
    }
    return out;
}

void output_free(Output *out)
{
    if (!out)
        return;
    g_ptr_array_unref(out->senders); /* before the pipeline that feeds them */
    if (out->pipe) {
        gst_element_set_state(out->pipe, GST_STATE_NULL);
        g_autoptr(GstBus) bus = gst_element_get_bus(out->pipe);
        gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
        gst_object_unref(out->pipe);
    }
    hls_free(out->hls);
    sq_si_inserter_free(out->si);
    g_free(out->hls_pending_location);
    g_free(out->hls_closed_location);
    g_ptr_array_unref(out->sinks);
    g_free(out->channel_id);
    g_free(out->error);
    g_mutex_clear(&out->lock);
    g_cond_clear(&out->cond);
    g_free(out);
}

bool output_start(Output *out, GError **error)
{
    net_senders_start(out);
    if (gst_element_set_state(out->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_autofree char *why = output_take_error(out);
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: the output cannot start%s%s",
                    out->channel_id, why ? ": " : "", why ? why : "");
        return false;
    }
    return true;
}

bool output_push(Output *out, GstBuffer *buf, bool is_video)
{
    if (is_video)
        out->video_end_ns = GST_BUFFER_PTS(buf) + GST_BUFFER_DURATION(buf);
    GstFlowReturn ret = gst_app_src_push_buffer(GST_APP_SRC(is_video ? out->vsrc : out->asrc), buf);
    return ret == GST_FLOW_OK && !out->failed;
}

void output_finish(Output *out, int timeout_ms)
{
    if (!out)
        return;
    g_mutex_lock(&out->lock);
    out->finishing = true;
    g_mutex_unlock(&out->lock);
    gst_app_src_end_of_stream(GST_APP_SRC(out->vsrc));
    gst_app_src_end_of_stream(GST_APP_SRC(out->asrc));
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    g_mutex_lock(&out->lock);
    while (!out->eos && !out->failed)
        if (!g_cond_wait_until(&out->cond, &out->lock, deadline))
            break;
    bool eos = out->eos;
    g_mutex_unlock(&out->lock);
    if (!eos)
        g_message("%s: the outputs did not drain within %d ms", out->channel_id, timeout_ms);
    net_senders_finish(out, (int)(OUTPUT_LATENCY_NS / GST_MSECOND) + 2000);
    gst_element_set_state(out->pipe, GST_STATE_NULL);
    if (out->hls) {
        g_autoptr(GError) error = NULL;
        g_mutex_lock(&out->lock);
        if (eos)
            output_hls_flush(out);
        g_mutex_unlock(&out->lock);
        if (!hls_close(out->hls, &error))
            g_warning("%s: %s", out->channel_id, error->message);
    }
}

int64_t output_listed_end_us(Output *out)
{
    if (!out || !out->hls)
        return 0;
    g_mutex_lock(&out->lock);
    int64_t end = hls_listed_end_us(out->hls);
    g_mutex_unlock(&out->lock);
    return end;
}

void output_poll(Output *out)
{
    if (!out)
        return;
    net_senders_poll(out);
}

char *output_take_error(Output *out)
{
    if (!out)
        return NULL;
    g_mutex_lock(&out->lock);
    char *e = g_steal_pointer(&out->error);
    g_mutex_unlock(&out->lock);
    return e;
}

JsonNode *output_health(Output *out)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    if (!out) { /* being rebuilt */
        json_builder_end_array(b);
        return json_builder_get_root(b);
    }
    g_mutex_lock(&out->lock);
    for (guint i = 0; i < out->sinks->len; i++) {
        OutputSink *s = g_ptr_array_index(out->sinks, i);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, s->type);
        json_builder_set_member_name(b, "target");
        json_builder_add_string_value(b, s->target);
        json_builder_set_member_name(b, "bytes");
        json_builder_add_int_value(b, (gint64)g_atomic_pointer_get(&s->bytes));
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, out->failed || net_sender_failed(s, out) ? "failed"
                                         : s->last_error                          ? "warning"
                                                                                  : "ok");
        json_builder_set_member_name(b, "last_error");
        if (s->last_error)
            json_builder_add_string_value(b, s->last_error);
        else
            json_builder_add_null_value(b);
        if (strcmp(s->type, "hls") == 0 && out->hls) {
            json_builder_set_member_name(b, "hls");
            json_builder_add_value(b, hls_health(out->hls));
        }
        json_builder_end_object(b);
    }
    g_mutex_unlock(&out->lock);
    json_builder_end_array(b);
    return json_builder_get_root(b);
}
