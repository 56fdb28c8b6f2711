/* sabaq playout: each channel on air in real time, frame-accurate, from
 * house-format assets without decoding, to HLS, UDP and SRT.
 *
 * A channel's engine reads a timeline of items (the published plan of the
 * catalog, or an explicit rundown), opens each item's file with a small
 * reader, re-stamps its packets so that the item's first frame lands on its
 * planned instant, and feeds one long-lived output pipeline per channel
 * whose clock is the wall clock (running time = UTC). A missing or broken
 * asset becomes the house slate for exactly the rest of its time; a moment
 * without a plan airs the house filler loop. Every item is written to the
 * as-run log; a status file per channel tells what is on air.
 *
 *   SqPlayoutOptions opt = {.db_path = "sabaq.db", .library_dir = "library",
 *                           .for_seconds = 30};
 *   SqPlayoutChannelConfig ch = {.channel_id = "balapan", .hls_dir = "out/hls"};
 *   sq_playout_run(&opt, &ch, 1, cancellable, &error);
 *
 * GStreamer stays inside this folder. The formats (rundown JSON, HLS state
 * file, status file, output URLs) are in docs/playout.md.
 */
#pragma once

#include "core/core.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- rundowns (rundown.c) ------------------------------------------- */

typedef struct {
    int64_t asset_id;  /* 0 when the rundown named a file */
    char *path;        /* absolute */
    int64_t in_frames; /* first frame aired (a multiple of the 50-frame GOP) */
    int64_t duration_frames;
    char *title;
} SqRundownEntry;

typedef struct {
    int64_t start_us;   /* UTC, on the 40 ms grid */
    GPtrArray *entries; /* SqRundownEntry */
} SqRundown;

void sq_rundown_free(SqRundown *rundown);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqRundown, sq_rundown_free)

/* Reads a rundown file (docs/playout.md). Assets are looked up in the
 * catalog (cat may be NULL when every entry names a file with its
 * duration); files are relative to the rundown's folder. Errors name the
 * file and the entry ("show.json: items[2].out: ..."). */
SqRundown *sq_rundown_load(SqCatalog *cat, const char *library_dir, const char *path,
                           GError **error);

/* ---- running channels (engine.c) ------------------------------------ */

typedef struct {
    const char *channel_id;
    /* Outputs; all NULL: the channel's outputs from the station file. */
    const char *hls_dir;
    const char *udp_url;      /* udp://HOST:PORT[?ttl=N&iface=NAME&mux-rate=KBPS] */
    const char *srt_url;      /* srt://HOST:PORT?mode=caller|listener[&mux-rate=KBPS] */
    const char *rundown_path; /* NULL: the published plan */
} SqPlayoutChannelConfig;

typedef struct {
    const char *db_path;
    const char *library_dir;
    const char *status_dir; /* NULL: "playout-status" beside the catalog */
    double for_seconds;     /* <= 0: until cancelled */
    int hls_segment_s;      /* 0: 6 */
    int hls_window;         /* 0: 10 segments */
} SqPlayoutOptions;

/* Airs the channels, one pipeline each, until cancelled or for_seconds
 * have passed; then stops cleanly (playlists closed). Fails at once when a
 * channel or an output cannot be set up; errors during air are logged,
 * handled (slate, loop) and shown in the status file. */
bool sq_playout_run(const SqPlayoutOptions *options, const SqPlayoutChannelConfig *channels,
                    int n_channels, GCancellable *cancellable, GError **error);

/* The ids of the station's channels (for --all); caller frees. */
GStrv sq_playout_station_channels(SqCatalog *cat, GError **error);

/* ---- status (status.c) ---------------------------------------------- */

/* Reads the status files in status_dir (NULL: beside db_path) and returns
 * a JSON array, one object per channel; "running" is false when the
 * engine that wrote a file is gone. */
JsonNode *sq_playout_status_read(const char *db_path, const char *status_dir, GError **error);

/* ---- as-run log (asrun.c) ------------------------------------------- */

/* The as-run rows of a channel whose planned start falls on the station's
 * local day (YYYY-MM-DD), as a JSON array in start order. */
JsonNode *sq_asrun_day(SqCatalog *cat, const char *channel_id, const char *day, GError **error);

G_END_DECLS
