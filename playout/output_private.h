/* Inside the output pipeline: shared by output.c and the output kinds. */
#pragma once

#include "playout_private.h"

typedef struct {
    char *type;   /* "hls", "udp", "srt" */
    char *target; /* as given */
    char *element_name;
    gssize bytes; /* atomic: bytes handed to the sink */
    char *last_error;
} OutputSink;

struct Output {
    char *channel_id;
    int service_id;
    int mux_rate_kbps;
    GstElement *pipe, *vsrc, *asrc, *vtee, *atee;
    GstElement *ts_mux, *ts_tee; /* the CBR mux udp and srt share */
    GPtrArray *sinks;            /* OutputSink */
    Hls *hls;
    char *hls_pending_location; /* the fragment being written */
    int64_t hls_pending_start_us;
    char *hls_closed_location; /* closed, listed once its end is sure */
    int64_t hls_closed_start_us, hls_closed_end_us;
    GMutex lock;
    GCond cond;
    bool eos, failed;
    bool finishing;            /* EOS sent: the last fragment closes at the last buffer's start */
    GstClockTime video_end_ns; /* end of the last picture pushed */
    char *error;
};

typedef struct {
    const char *name;
    bool (*add)(Output *out, const char *target, int hls_segment_s, int hls_window, GError **error);
} OutputOps;

GstElement *output_make(Output *out, const char *factory, const char *name, GError **error);
GstElement *output_queue(Output *out, GError **error);
/* tee ! queue ! to (its request pad to_pad, or its "sink" pad when NULL). */
bool output_link_tee(Output *out, GstElement *tee, GstElement *to, const char *to_pad,
                     GError **error);
OutputSink *output_add_sink(Output *out, const char *type, const char *target);
void output_watch_sink(OutputSink *s, GstElement *sink);
/* splitmuxsink's fragment messages (called on the streaming thread). */
void output_hls_message(Output *out, GstMessage *msg);
/* Lists the last closed fragment (called at EOS, lock held). */
void output_hls_flush(Output *out);
