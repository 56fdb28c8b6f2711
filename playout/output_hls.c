/* The HLS output: splitmuxsink cutting on IDRs into MPEG-TS segments (its
 * muxer an mpegtsmux made here, because hlssink2 in 1.22 has no program
 * date time and restarts its sequence), and our own playlist (hls.c). A
 * segment is listed only once splitmuxsink has closed it. */
#include "output_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
    char *dir;
} HlsNaming;

static gchar *format_location(GstElement *splitmux, guint fragment_id, gpointer data)
{
    (void)splitmux;
    HlsNaming *naming = data;
    g_autofree char *name = hls_segment_name(fragment_id);
    return g_build_filename(naming->dir, name, NULL);
}

static void naming_free(gpointer data, GClosure *closure)
{
    (void)closure;
    HlsNaming *naming = data;
    g_free(naming->dir);
    g_free(naming);
}

/* Lists the closed fragment ending at end_us (lock held). */
static void list_closed(Output *out, int64_t end_us)
{
    if (!out->hls_closed_location)
        return;
    g_autoptr(GError) error = NULL;
    if (!hls_add_segment(out->hls, out->hls_closed_location, out->hls_closed_start_us,
                         end_us - out->hls_closed_start_us, &error))
        g_warning("%s: HLS playlist: %s", out->channel_id, error->message);
    g_clear_pointer(&out->hls_closed_location, g_free);
}

void output_hls_flush(Output *out)
{
    /* At EOS splitmuxsink reports the last picture's start, not its end. */
    list_closed(out, MAX(out->hls_closed_end_us, ns_to_us(out->video_end_ns)));
}

/* A fragment ends where the next one opens; splitmuxsink's own figure for
 * the close is used only as a floor. */
void output_hls_message(Output *out, GstMessage *msg)
{
    const GstStructure *st = gst_message_get_structure(msg);
    if (!st)
        return;
    const char *name = gst_structure_get_name(st);
    bool opened = strcmp(name, "splitmuxsink-fragment-opened") == 0;
    bool closed = strcmp(name, "splitmuxsink-fragment-closed") == 0;
    if (!opened && !closed)
        return;
    const char *location = gst_structure_get_string(st, "location");
    guint64 running_ns = 0;
    if (!location || !gst_structure_get_uint64(st, "running-time", &running_ns))
        return;
    /* Base time 0 on a realtime clock: running time is UTC. */
    int64_t at_us = ns_to_us(running_ns);
    g_mutex_lock(&out->lock);
    if (opened) {
        list_closed(out, at_us);
        g_free(out->hls_pending_location);
        out->hls_pending_location = g_strdup(location);
        out->hls_pending_start_us = at_us;
    } else if (out->hls_pending_location && strcmp(out->hls_pending_location, location) == 0) {
        list_closed(out, MAX(at_us, out->hls_closed_end_us));
        out->hls_closed_location = g_steal_pointer(&out->hls_pending_location);
        out->hls_closed_start_us = out->hls_pending_start_us;
        out->hls_closed_end_us = at_us;
    }
    g_mutex_unlock(&out->lock);
}

static bool hls_add(Output *out, const char *dir, int segment_s, int window, GError **error)
{
    if (out->hls) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: only one HLS output per channel",
                    out->channel_id);
        return false;
    }
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    out->hls = hls_new(dir, segment_s, window, error);
    if (!out->hls)
        return false;
    GstElement *split = output_make(out, "splitmuxsink", "hls", error);
    if (!split)
        return false;
    GstElement *mux = gst_element_factory_make("mpegtsmux", NULL);
    if (!mux) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "GStreamer element mpegtsmux is missing");
        return false;
    }
    /* "first": keep the UTC-based timeline instead of re-basing to zero. */
    gst_util_set_object_arg(G_OBJECT(mux), "start-time-selection", "first");
    /* The muxer must be set before any pad is requested. */
    g_object_set(split, "muxer", mux, "max-size-time", (guint64)segment_s * GST_SECOND,
                 "send-keyframe-requests", FALSE, "start-index", (guint)hls_next_index(out->hls),
                 NULL);
    HlsNaming *naming = g_new0(HlsNaming, 1);
    naming->dir = g_strdup(dir);
    g_signal_connect_data(split, "format-location", G_CALLBACK(format_location), naming,
                          naming_free, 0);
    /* No queues: splitmuxsink holds a GOP in its own multiqueue, and a
     * thread hop per packet is most of a channel's cost. */
    if (!output_link_tee(out, out->vtee, split, "video", false, error) ||
        !output_link_tee(out, out->atee, split, "audio_%u", false, error))
        return false;
    OutputSink *s = output_add_sink(out, "hls", dir);
    s->element_name = g_strdup(GST_ELEMENT_NAME(split));
    return true;
}

const OutputOps output_hls_ops = {"hls", hls_add};
