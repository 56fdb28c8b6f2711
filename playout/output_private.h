/* Inside the output pipeline: shared by output.c and the output kinds. */
#pragma once

#include "playout_private.h"

/* Joining airs the past part of a GOP (up to 2 s) at once; a pipeline
 * latency above one GOP lets the synced sinks send it at its own pace. */
#define OUTPUT_LATENCY_NS (2500 * GST_MSECOND)

typedef struct NetSender NetSender;

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
    SqSiInserter *si;            /* SDT/EIT into the mux's null packets, or NULL */
    GstClockTime si_base_ns;     /* instant of the last timestamped mux buffer */
    uint64_t si_bytes_since;     /* bytes after it */
    GPtrArray *sinks;            /* OutputSink */
    GPtrArray *senders;          /* NetSender: UDP and SRT, each in its own pipeline */
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
/* tee [! queue] ! to (its request pad to_pad, or its "sink" pad when NULL). */
bool output_link_tee(Output *out, GstElement *tee, GstElement *to, const char *to_pad, bool queued,
                     GError **error);
OutputSink *output_add_sink(Output *out, const char *type, const char *target);
void output_watch_sink(OutputSink *s, GstElement *sink);
/* splitmuxsink's fragment messages (called on the streaming thread). */
void output_hls_message(Output *out, GstMessage *msg);
/* Lists the last closed fragment (called at EOS, lock held). */
void output_hls_flush(Output *out);

/* output_net.c: a network sink (udpsink, srtsink) in its own pipeline fed
 * from the shared transport stream; returns the sink to configure. */
GstElement *net_sender_add(Output *out, const char *factory, const char *type, const char *target,
                           GError **error);
void net_senders_start(Output *out);
/* Restarts failed senders whose retry time has come (called often). */
void net_senders_poll(Output *out);
/* Ends the senders' streams and waits until they have sent everything. */
void net_senders_finish(Output *out, int timeout_ms);
bool net_sender_failed(const OutputSink *s, Output *out);
void net_sender_free(gpointer data);
