/* The feeder (feeder.c): one channel's packets, re-stamped, in real time. */
#pragma once

#include "output_private.h"

typedef enum {
    FEED_DONE,    /* reached the end of the span */
    FEED_ENDED,   /* the file ended before the span did */
    FEED_FAILED,  /* the file could not be read (error set) */
    FEED_STOPPED, /* cancelled, the stop instant reached, or the output failed */
} FeedResult;

typedef struct Feeder Feeder;
typedef void (*FeederTick)(Feeder *f, void *data);

struct Feeder {
    Output *out;
    const char *channel_id;
    const char *slate_path;
    GCancellable *cancellable;
    GstClockTime stop_ns; /* nothing at or after this instant is sent */
    bool started;         /* the first picture is on its way */
    bool join_after;      /* the first join starts at the IDR at or after its instant */
    bool output_failed;
    GstClockTime first_pts_ns;
    GstClockTime v_next_ns; /* where the next picture goes */
    int64_t a_next_samples; /* where the next audio frame goes, 48 kHz since the epoch */
    uint64_t video_frames, silent_frames, dropped_audio_frames;
    GstClockTime cut_ns; /* set by the tick: the span ends here instead (NONE: no cut) */
    FeederTick tick;     /* called about twice a second while waiting */
    void *tick_data;
    int64_t last_tick_us;
};

/* Airs path so that its position in_ns lands at anchor_ns, from from_ns
 * (joining: from the GOP before it when nothing is on air yet; else after a
 * slate bridge to the next IDR) up to *to_ns (exclusive), which the tick may
 * move earlier. */
FeedResult feeder_air_file(Feeder *f, const char *path, GstClockTime anchor_ns, GstClockTime in_ns,
                           GstClockTime from_ns, GstClockTime *to_ns, GError **error);
/* Airs path over and over from from_ns until *to_ns (slate, house loop). */
FeedResult feeder_air_loop(Feeder *f, const char *path, GstClockTime from_ns, GstClockTime *to_ns,
                           GError **error);
/* Silent audio frames up to until_ns (an item with short or no audio). */
bool feeder_fill_audio(Feeder *f, GstClockTime until_ns);
