/* Inside playout: the pieces engine.c puts together. */
#pragma once

#include "playout.h"

#include "epg/epg.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

/* ---- one item of a channel's timeline (timeline.c) ------------------- */

typedef struct {
    int64_t start_us, end_us; /* planned, UTC, on the frame grid */
    int64_t asset_id;         /* 0: none */
    char *path;               /* absolute; NULL when nothing can air (reason says why) */
    char *reason;             /* why the asset cannot air, known before air time */
    int64_t in_frames;
    char *kind;           /* plan item kind, "rundown" or "loop" */
    char *title;          /* for logs and status */
    char *source;         /* "plan", "rundown", "loop" */
    int64_t plan_version; /* 0 outside a plan */
} Item;

void item_clear(Item *item);
void item_copy(Item *dest, const Item *src);

typedef struct Timeline Timeline;

/* A timeline from a rundown (taken), or from the channel's published plan
 * (read anew at every call, so a new version is seen at the next item). */
Timeline *timeline_new_rundown(SqRundown *rundown);
Timeline *timeline_new_plan(SqCatalog *cat, const char *channel_id);
void timeline_free(Timeline *tl);
void timeline_set_library(Timeline *tl, const char *library_dir);

/* The item that airs at at_us. A moment with nothing planned is a "loop"
 * item (no path: the caller airs the house loop) up to the next planned
 * item, at most an hour. Fails only on a catalog error. */
bool timeline_item_at(Timeline *tl, int64_t at_us, Item *item, GError **error);

/* Paths of the house slate and the house filler loop (NULL when absent). */
bool house_assets_find(SqCatalog *cat, const char *library_dir, char **slate_path, char **loop_path,
                       GError **error);

/* Resolves an asset row's path: absolute, or relative to the library. */
char *asset_path_resolve(const char *library_dir, const char *path);

/* ---- reading one file (reader.c) ------------------------------------- */

typedef struct Reader Reader;

typedef struct {
    GstSample *sample; /* owned */
    bool is_video;
    GstClockTime stream_ns; /* position in the file's own timeline */
} ReaderPacket;

/* Opens path (house format), positions it at the keyframe at or before
 * position_ns (SNAP_AFTER: at or after) and returns a reader whose packets
 * come interleaved by time. */
Reader *reader_open(const char *path, GstClockTime position_ns, bool snap_after, GError **error);
void reader_free(Reader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Reader, reader_free)
bool reader_has_audio(Reader *r);
/* The file's duration (0: unknown). */
GstClockTime reader_duration(Reader *r);

/* The next packet: true with *packet filled; false at the end (error NULL)
 * or on a read error (error set). */
bool reader_next(Reader *r, ReaderPacket *packet, GError **error);
/* Looks at the next packet without taking it (NULL at end or error). */
const ReaderPacket *reader_peek(Reader *r, GError **error);

/* ---- the output pipeline (output.c) ---------------------------------- */

typedef struct Output Output;

typedef struct {
    const char *channel_id;
    int service_id;
    const char *hls_dir;
    const char *udp_url;
    const char *srt_url;
    int mux_rate_kbps; /* default when no URL names one */
    int hls_segment_s, hls_window;
} OutputConfig;

Output *output_new(const OutputConfig *config, GError **error);
void output_free(Output *out);
bool output_start(Output *out, GError **error);
/* Hands one packet over, stamped (ownership of buf taken). Blocks when the
 * pipeline is full. False once the pipeline has failed. */
bool output_push(Output *out, GstBuffer *buf, bool is_video);
/* Whether the channel has a CBR transport stream (UDP/SRT). */
bool output_has_ts(Output *out);
/* Puts the SDT/EIT of the channel (from the guide, copied) into that
 * stream's null packets from now on. */
bool output_enable_si(Output *out, const SqEpgGuide *guide, GError **error);
/* A newer guide (a new plan version); any thread. */
void output_update_guide(Output *out, const SqEpgGuide *guide);
/* Ends the streams and waits (up to timeout_ms) for the last segment. */
void output_finish(Output *out, int timeout_ms);
/* A JSON object: per output its state, bytes, last error. */
JsonNode *output_health(Output *out);
/* Where what players already have ends (the HLS state of an earlier run),
 * 0 when nothing. */
int64_t output_listed_end_us(Output *out);
/* Restarts failed network senders when their time comes (often). */
void output_poll(Output *out);
/* Last error of the pipeline, or NULL (caller frees). */
char *output_take_error(Output *out);

/* ---- HLS playlist (hls.c) --------------------------------------------- */

typedef struct Hls Hls;

/* Continues the state file in dir (media sequence, window) if any. */
Hls *hls_new(const char *dir, int segment_s, int window, GError **error);
void hls_free(Hls *hls);
/* The index the next segment file gets. */
int64_t hls_next_index(Hls *hls);
/* The segment file name for index (within dir). */
char *hls_segment_name(int64_t index);
/* A segment was closed: lists it (atomic playlist and state writes). */
bool hls_add_segment(Hls *hls, const char *location, int64_t pdt_us, int64_t duration_us,
                     GError **error);
/* Writes the playlist with EXT-X-ENDLIST (clean stop). */
bool hls_close(Hls *hls, GError **error);
/* The programmes the playlist marks with EXT-X-DATERANGE (those overlapping
 * its window), from the channel's guide; programmes: HlsProgramme*, taken.
 * The next playlist written carries them. */
typedef struct {
    char *id;    /* never reused: "<channel>-<start seconds>" */
    char *title; /* quoted-string safe (no '"', CR, LF) */
    int64_t start_us, end_us;
} HlsProgramme;
void hls_programme_free(gpointer p);
void hls_set_programmes(Hls *hls, GPtrArray *programmes);
/* Where the listed segments end (UTC; 0 when none): a restart must not
 * list that time again. */
int64_t hls_listed_end_us(Hls *hls);
/* SDT and EIT present/following of the channel at the head of every
 * segment from now on (guide copied; tsid as in the broadcast outputs). */
void hls_set_si(Hls *hls, const char *channel_id, uint16_t transport_stream_id,
                const SqEpgGuide *guide);
/* "N segments, last at ..." for the status. */
JsonNode *hls_health(Hls *hls);

/* ---- the as-run log (asrun.c) ----------------------------------------- */

typedef enum {
    ASRUN_AIRING,      /* on air now (a row left so by a crash is closed on restart) */
    ASRUN_AIRED,       /* in full, from its planned start */
    ASRUN_JOINED,      /* joined late: the engine started or changed mid-item */
    ASRUN_CUT,         /* ended before its planned end (stop, plan edit) */
    ASRUN_SLATE,       /* replaced by the slate, from actual start for the rest */
    ASRUN_INTERRUPTED, /* the engine died while it aired */
} AsrunStatus;

/* Marks rows a dead engine left "airing" as interrupted. */
bool asrun_close_stale(SqCatalog *cat, const char *channel_id, GError **error);
/* A new row, status airing; returns its id. */
int64_t asrun_begin(SqCatalog *cat, const char *channel_id, const Item *item,
                    int64_t actual_start_us, GError **error);
/* Updates how long it has aired (so a crash leaves an honest figure). */
bool asrun_progress(SqCatalog *cat, int64_t row_id, int64_t aired_frames, GError **error);
bool asrun_end(SqCatalog *cat, int64_t row_id, AsrunStatus status, int64_t aired_frames,
               const char *reason, GError **error);

/* ---- status file (status.c) ------------------------------------------- */

char *status_dir_default(const char *db_path, const char *status_dir);
bool status_write(const char *dir, const char *channel_id, JsonNode *status, GError **error);

/* ---- time helpers ----------------------------------------------------- */

static inline GstClockTime us_to_ns(int64_t us)
{
    return (GstClockTime)us * 1000;
}
static inline int64_t ns_to_us(GstClockTime ns)
{
    return (int64_t)(ns / 1000);
}

/* RFC 3339 in UTC, for logs and status (timeline.c); caller frees. */
char *format_utc(int64_t instant_us);
