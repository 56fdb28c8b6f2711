/* Network senders isolated from the channel: each UDP or SRT sink runs in
 * its own small pipeline (appsrc ! sink) fed from an appsink on the shared
 * transport stream. A sink that fails (an SRT caller without a listener, a
 * network error) would otherwise return an error flow through the tee and
 * stop the mux, the HLS output and the whole channel; here it only stops
 * itself, is reported, and is restarted every few seconds while the rest
 * stays on air. Both pipelines use the same realtime clock with base time 0
 * and the same latency, so the sink emits each packet when the channel's
 * own sinks would have. */
#include "output_private.h"

#define RETRY_US (3 * SQ_SECOND_US)

struct NetSender {
    Output *out;
    OutputSink *sink_info;
    GstElement *pipe, *src;
    gint failed;          /* atomic */
    gint eos;             /* atomic: drained after the end of the stream */
    GstBufferList *batch; /* datagrams not yet handed over (streaming thread) */
    GstClockTime batch_start_ns;
    int64_t retry_at_us; /* when failed: next attempt */
};

/* Datagrams go to the sender in lists spanning this much stream time:
 * the sink then waits on the clock once per list and sends it with one
 * sendmmsg, instead of a clock wait and a system call per datagram (mpegtsmux
 * pushes its 7-packet buffers one by one). */
#define BATCH_NS (10 * GST_MSECOND)

static void flush(NetSender *ns)
{
    if (!ns->batch)
        return;
    if (g_atomic_int_get(&ns->failed)) /* a failed sender drops: the channel goes on */
        gst_buffer_list_unref(ns->batch);
    else
        gst_app_src_push_buffer_list(GST_APP_SRC(ns->src), ns->batch);
    ns->batch = NULL;
}

static GstFlowReturn on_sample(GstAppSink *appsink, gpointer data)
{
    NetSender *ns = data;
    GstSample *sample = gst_app_sink_pull_sample(appsink);
    if (!sample)
        return GST_FLOW_OK;
    GstBuffer *buf = gst_sample_get_buffer(sample);
    GstClockTime pts = buf ? GST_BUFFER_PTS(buf) : GST_CLOCK_TIME_NONE;
    /* A list is synced on its first buffer: it must start with a timestamp. */
    if (ns->batch && GST_CLOCK_TIME_IS_VALID(pts) && pts >= ns->batch_start_ns + BATCH_NS)
        flush(ns);
    if (buf && (ns->batch || GST_CLOCK_TIME_IS_VALID(pts))) {
        if (!ns->batch) {
            ns->batch = gst_buffer_list_new_sized(32);
            ns->batch_start_ns = pts;
        }
        gst_buffer_list_add(ns->batch, gst_buffer_ref(buf));
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

static GstBusSyncReply on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    (void)bus;
    NetSender *ns = data;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
        g_atomic_int_set(&ns->eos, 1);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        g_autoptr(GError) err = NULL;
        gst_message_parse_error(msg, &err, NULL);
        g_mutex_lock(&ns->out->lock);
        g_free(ns->sink_info->last_error);
        ns->sink_info->last_error = g_strdup(err ? err->message : "error");
        g_mutex_unlock(&ns->out->lock);
        if (!g_atomic_int_get(&ns->failed))
            g_warning("%s: %s output %s failed: %s; the channel stays on air, retrying every %d s",
                      ns->out->channel_id, ns->sink_info->type, ns->sink_info->target,
                      err ? err->message : "error", (int)(RETRY_US / SQ_SECOND_US));
        ns->retry_at_us = sq_now_us() + RETRY_US;
        g_atomic_int_set(&ns->failed, 1);
    }
    gst_message_unref(msg);
    return GST_BUS_DROP;
}

static void start(NetSender *ns)
{
    if (gst_element_set_state(ns->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE &&
        !g_atomic_int_get(&ns->failed)) {
        ns->retry_at_us = sq_now_us() + RETRY_US;
        g_atomic_int_set(&ns->failed, 1);
    }
}

GstElement *net_sender_add(Output *out, const char *factory, const char *type, const char *target,
                           GError **error)
{
    GstElement *appsink = output_make(out, "appsink", NULL, error);
    if (!appsink)
        return NULL;
    NetSender *ns = g_new0(NetSender, 1);
    ns->out = out;
    g_ptr_array_add(out->senders, ns);
    ns->pipe = gst_pipeline_new(type);
    g_autoptr(GstClock) clock =
        g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, NULL);
    gst_pipeline_use_clock(GST_PIPELINE(ns->pipe), clock);
    gst_element_set_start_time(ns->pipe, GST_CLOCK_TIME_NONE);
    gst_element_set_base_time(ns->pipe, 0);
    gst_pipeline_set_latency(GST_PIPELINE(ns->pipe), OUTPUT_LATENCY_NS);
    ns->src = gst_element_factory_make("appsrc", NULL);
    GstElement *sink = gst_element_factory_make(factory, NULL);
    if (!ns->src || !sink) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "GStreamer element %s is missing", factory);
        return NULL;
    }
    g_autoptr(GstCaps) caps = gst_caps_from_string("video/mpegts,systemstream=true,packetsize=188");
    /* A sender that cannot keep up loses old data rather than holding the channel. */
    g_object_set(ns->src, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME, "block", FALSE,
                 "max-bytes", (guint64)32 << 20, NULL);
    gst_util_set_object_arg(G_OBJECT(ns->src), "leaky-type", "downstream");
    gst_bin_add_many(GST_BIN(ns->pipe), ns->src, sink, NULL);
    gst_element_link(ns->src, sink);
    g_autoptr(GstBus) bus = gst_element_get_bus(ns->pipe);
    gst_bus_set_sync_handler(bus, on_bus, ns, NULL);

    g_object_set(appsink, "sync", FALSE, "async", FALSE, "emit-signals", FALSE, "max-buffers", 1000,
                 "drop", TRUE, NULL);
    GstAppSinkCallbacks cb = {.new_sample = on_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, ns, NULL);
    /* No queue: the callback only batches, and a thread hop per datagram costs. */
    g_autoptr(GstPad) tee_src = gst_element_request_pad_simple(out->ts_tee, "src_%u");
    g_autoptr(GstPad) sink_pad = gst_element_get_static_pad(appsink, "sink");
    if (!tee_src || gst_pad_link(tee_src, sink_pad) != GST_PAD_LINK_OK) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s: cannot link the %s sender",
                    out->channel_id, type);
        return NULL;
    }
    ns->sink_info = output_add_sink(out, type, target);
    output_watch_sink(ns->sink_info, sink);
    return sink;
}

void net_senders_start(Output *out)
{
    for (guint i = 0; i < out->senders->len; i++)
        start(g_ptr_array_index(out->senders, i));
}

void net_senders_poll(Output *out)
{
    int64_t now_us = sq_now_us();
    for (guint i = 0; i < out->senders->len; i++) {
        NetSender *ns = g_ptr_array_index(out->senders, i);
        if (!g_atomic_int_get(&ns->failed) || now_us < ns->retry_at_us)
            continue;
        gst_element_set_state(ns->pipe, GST_STATE_NULL);
        g_atomic_int_set(&ns->failed, 0);
        start(ns);
    }
}

void net_senders_finish(Output *out, int timeout_ms)
{
    /* What the senders hold is due up to the latency after the channel's
     * last packet: let it go out before stopping. */
    for (guint i = 0; i < out->senders->len; i++) {
        NetSender *ns = g_ptr_array_index(out->senders, i);
        flush(ns); /* the main pipeline has drained: no more samples come */
        gst_app_src_end_of_stream(GST_APP_SRC(ns->src));
    }
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (guint i = 0; i < out->senders->len; i++) {
        NetSender *ns = g_ptr_array_index(out->senders, i);
        while (!g_atomic_int_get(&ns->eos) && !g_atomic_int_get(&ns->failed) &&
               g_get_monotonic_time() < deadline)
            g_usleep(20000);
        gst_element_set_state(ns->pipe, GST_STATE_NULL);
    }
}

bool net_sender_failed(const OutputSink *s, Output *out)
{
    for (guint i = 0; i < out->senders->len; i++) {
        NetSender *ns = g_ptr_array_index(out->senders, i);
        if (ns->sink_info == s)
            return g_atomic_int_get(&ns->failed);
    }
    return false;
}

void net_sender_free(gpointer data)
{
    NetSender *ns = data;
    if (ns->pipe) {
        gst_element_set_state(ns->pipe, GST_STATE_NULL);
        g_autoptr(GstBus) bus = gst_element_get_bus(ns->pipe);
        gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
        gst_object_unref(ns->pipe);
    }
    if (ns->batch)
        gst_buffer_list_unref(ns->batch);
    g_free(ns);
}
