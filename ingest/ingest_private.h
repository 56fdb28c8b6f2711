/* Private interfaces of the ingest folder. libav* types appear only here
 * and in the .c files that use them. */
#pragma once

#include "ingest.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/rational.h>

/* ---- errors from libav* (probe.c) ---------------------------------- */

/* Silences libav*'s own logging (our errors carry its messages);
 * SABAQ_AV_LOG=1 in the environment turns it back on. */
void ingest_quiet_libav(void);

/* Sets error to "<prefix>: <av_strerror(code)>". */
void set_av_error(GError **error, int code, SqErrorCode sq_code, const char *prefix);

/* ---- a source opened for reading (probe.c) -------------------------- */

typedef struct {
    AVFormatContext *fmt;
    const char *name; /* the file's base name, for messages (borrowed) */
    int video_index;  /* -1: none */
    int audio_index;  /* -1: none */
    int64_t duration_us;
    int width, height;
    AVRational sample_aspect; /* 0/1 when unknown: square */
    AVRational frame_rate;
    bool interlaced;
    bool colour_matrix_known; /* the stream says BT.601 or BT.709 */
    int audio_channels, audio_rate;
} SqMedia;

/* Opens path and finds its streams. Tells "not a media file" (nothing
 * recognisable by content) apart from "damaged or truncated" (a recognised
 * container that cannot be read). */
bool media_open(const char *path, SqMedia *media, GError **error);
void media_close(SqMedia *media);

/* ---- quality control before anything is written (qc.c) ------------- */

/* Runs every check of the table in qc.c; the first that fails sets error
 * ("lesson.mp4: no audio stream"). */
bool qc_check_source(const SqMedia *media, const SqLessonMeta *meta, GError **error);

/* ---- run detection for black and silence (detect.c) ---------------- */

typedef struct {
    int64_t start; /* in frames */
    int64_t length;
} SqRun;

typedef struct {
    GArray *runs; /* SqRun, closed runs of at least min_length */
    int64_t min_length;
    int64_t position;  /* frames fed so far */
    int64_t run_start; /* -1: not in a run */
} SqRunDetector;

void run_detector_init(SqRunDetector *d, int64_t min_length);
void run_detector_clear(SqRunDetector *d);
/* Feeds one frame's verdict. */
void run_detector_feed(SqRunDetector *d, bool active);
/* Closes a run still open at the end. */
void run_detector_finish(SqRunDetector *d);

/* A frame is black when nearly all of a sample of its luma is at or below
 * video black plus a small margin (8-bit, limited range). */
bool luma_is_black(const uint8_t *luma, int linesize, int width, int height);
/* A block of float planar audio is silent when its peak is below -60 dBFS. */
bool audio_is_silent(const float *const *planes, int channels, int samples);

/* Turns detected runs into findings: at the start or end of the asset when
 * longer than edge_min frames, inside when longer than inside_min frames
 * (inside_min <= 0: not reported). what is "black" or "silence". */
void findings_add_runs(GPtrArray *findings, const char *what, const GArray *runs,
                       int64_t total_frames, int64_t edge_min, int64_t inside_min);

SqFinding *finding_new(const char *code, int64_t start_frames, int64_t length_frames,
                       const char *message);
void finding_free(SqFinding *finding);

/* ---- loudness analysis (analyze.c) --------------------------------- */

typedef struct {
    double integrated_lufs; /* -70 or below: silent */
    double true_peak_dbtp;
    int64_t duration_frames; /* of audio, at 25 fps */
    GArray *silence_runs;    /* SqRun in 25 fps frames */
} SqLoudness;

/* Applies the house target to a measurement: the gain in dB, and whether a
 * limiter is needed to keep the true peak under the ceiling. */
typedef struct {
    double gain_db;
    bool limit;
    double limit_dbfs; /* limiter ceiling when limit */
} SqLoudnessPlan;

#define SQ_LOUDNESS_TARGET_LUFS (-23.0)
#define SQ_TRUE_PEAK_CEILING    (-1.0)
void loudness_plan(const SqLoudness *measured, SqLoudnessPlan *plan);

typedef struct SqAnalysis SqAnalysis;

/* Starts measuring the audio of path in a thread of its own, with its own
 * demuxer, while the caller encodes the video. With plan_gain it also
 * settles the gain and limiter the encode is to apply (loudness_plan,
 * corrected for what the limiter takes), aiming offset_db above the house
 * target (to make up for what the AAC encoder is known to lose). */
SqAnalysis *analysis_start(const char *path, int audio_index, bool plan_gain, double offset_db,
                           GCancellable *cancellable);
/* True once the measurement has finished (successfully or not). */
bool analysis_is_done(SqAnalysis *analysis);
/* Waits for the thread; fills out (caller clears silence_runs) and, when
 * started with plan_gain, plan (may be NULL). */
bool analysis_finish(SqAnalysis *analysis, SqLoudness *out, SqLoudnessPlan *plan, GError **error);
void analysis_free(SqAnalysis *analysis);

/* ---- the encode (transcode.c) -------------------------------------- */

typedef struct {
    int64_t duration_frames;
    double loudness_out_lufs;
    double true_peak_out_dbtp;
    int video_peak_kbps; /* highest one-second video rate written */
    GArray *black_runs;  /* SqRun */
    SqLoudness loudness_in;
} SqTranscodeResult;

typedef struct {
    const SqProfile *profile;
    double loudness_offset_db; /* aim this far above -23 LUFS (see job.c) */
    GCancellable *cancellable;
    SqIngestProgressFn progress;
    void *progress_data;
} SqTranscodeParams;

/* Decodes media once and writes the house format to out_path. The audio
 * analysis runs concurrently (analysis.c); audio is encoded once it is
 * known. */
bool transcode_run(SqMedia *media, const char *source_path, const char *out_path,
                   const SqTranscodeParams *params, SqTranscodeResult *result, GError **error);
void transcode_result_clear(SqTranscodeResult *result);

/* A filter graph from one source filter to one sink (filters.c). */
typedef struct {
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
} SqFilterGraph;

/* Builds src_name(src_args) -> description -> sink_name, single-threaded
 * (the encoders own the cores). The error names the description. */
bool filter_graph_build(SqFilterGraph *g, const char *src_name, const char *src_args,
                        const char *sink_name, const char *description, GError **error);
void filter_graph_clear(SqFilterGraph *g);
/* abuffer arguments for what a decoder delivers (time base 1/rate); an
 * unknown channel order becomes the default layout for its count. */
char *audio_source_args(AVCodecContext *decoder);

/* Filter graph descriptions (filters.c), separate so that tests can check
 * the arithmetic of pillarboxing without media. */
char *video_filter_description(const SqMedia *media, const SqProfile *profile);
char *audio_filter_description(const SqLoudnessPlan *plan, bool measure);
/* The picture size inside the profile's frame that keeps the source's
 * display aspect ratio (even numbers). */
void fit_picture(int src_width, int src_height, AVRational sample_aspect, int frame_width,
                 int frame_height, int *out_width, int *out_height);

/* ---- the library folder (library.c) -------------------------------- */

/* "assets/ab/abcdef....mp4" for a source digest. */
char *library_asset_relpath(const char *sha256);

typedef struct {
    char *path;
    int lock_fd; /* holds an flock for as long as the file is being written */
} SqTempFile;

/* A temporary file in library/.tmp that a sweep will not touch while this
 * process lives (and removes once it is dead). */
bool library_temp_create(const char *library_dir, const char *sha256, SqTempFile *tmp,
                         GError **error);
/* Renames the temporary file to final_path (creating folders). */
bool library_temp_commit(SqTempFile *tmp, const char *final_path, GError **error);
/* Deletes the temporary file if it is still there; safe to call twice. */
void library_temp_discard(SqTempFile *tmp);

/* SHA-256 of a file's contents, lowercase hex; caller frees. */
char *file_sha256(const char *path, GCancellable *cancellable, GError **error);

/* ---- catalog rows (asset_store.c) ---------------------------------- */

typedef struct {
    const char *kind; /* NULL: "lesson" or "filler" from the metadata */
    const char *relpath;
    const char *source_name;
    const char *source_sha256;
    const char *profile;
    const SqTranscodeResult *transcode;
    GPtrArray *findings; /* SqFinding* */
} SqNewAsset;

/* The asset made from a source with this digest, or 0. */
int64_t store_asset_by_sha(SqCatalog *cat, const char *sha256, GError **error);
/* Within a write transaction: the lesson row for meta, created or updated. */
bool store_upsert_lesson(SqCatalog *cat, const SqLessonMeta *meta, int64_t *lesson_id,
                         bool *changed, GError **error);
/* Within a write transaction. */
bool store_insert_asset(SqCatalog *cat, const SqLessonMeta *meta, const SqNewAsset *asset,
                        int64_t *asset_id, GError **error);
/* Within a write transaction: points an existing asset at new metadata. */
bool store_update_asset_meta(SqCatalog *cat, int64_t asset_id, const SqLessonMeta *meta,
                             bool *changed, GError **error);
/* Every asset path the catalog names (relative to the library). */
GHashTable *store_asset_paths(SqCatalog *cat, GError **error);
/* Within a write transaction. */
bool store_add_event(SqCatalog *cat, int64_t asset_id, const char *action, const char *reason,
                     GError **error);
