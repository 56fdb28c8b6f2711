/* sabaq ingest: from a recorded lesson in whatever format a studio delivers
 * to a house-format asset in the catalog.
 *
 * One file goes through: hash (SHA-256, the asset's identity) -> probe ->
 * quality control (refuse with a one-line reason, nothing written) ->
 * loudness analysis of the audio, overlapped with the video encode ->
 * house-format MP4 written under a temporary name -> rename + catalog row in
 * one transaction. A duplicate source only updates the lesson's metadata.
 *
 *   SqLessonMeta meta = {.subject = "math", .grade = 5, .number = 12, .language = "kk"};
 *   SqIngestOptions opt = {.profile = sq_profile_default()};
 *   if (!sq_ingest_file(cat, "library", "lesson.mov", &meta, &opt, &result, &error)) ...
 *
 * Batches come from a manifest CSV (manifest.c) or a watch folder (watch.c)
 * whose files carry an XML sidecar (sidecar.c). libav* stays inside this
 * folder: nothing here exposes an FFmpeg type.
 */
#pragma once

#include "core/core.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- house format profiles ------------------------------------------ */

typedef struct {
    const char *name;        /* "hd1080" */
    const char *description; /* for --help */
    int width, height;
    const char *x264_preset;
    int crf;          /* quality target inside the VBV limit */
    int maxrate_kbps; /* VBV: the asset's peak video rate, so a CBR mux can carry it */
    int bufsize_kbps;
    int audio_kbps;
} SqProfile;

/* The profile called name, or NULL. */
const SqProfile *sq_profile_lookup(const char *name);
/* $SABAQ_PROFILE when set and known, else hd1080. */
const SqProfile *sq_profile_default(void);
/* "hd1080, hd720, ..." for messages; caller frees. */
char *sq_profile_names(void);

/* ---- what a file is ------------------------------------------------- */

/* A grade or lesson number nobody gave (0 is a value, and out of range). */
#define SQ_META_ABSENT G_MININT

typedef struct {
    /* A lesson (grade and number SQ_META_ABSENT when not given): */
    char *subject;  /* identifier, e.g. "math"; need not be known yet */
    int grade;      /* 1..11 */
    int number;     /* 1.. in the (subject, grade) sequence */
    char *language; /* "kk" or "ru" */
    char *title;    /* optional, in the asset's language */
    char *description;
    /* A filler (ident, promo, clip): tags set, lesson fields unused. */
    char *filler_tags; /* space- or comma-separated identifiers */
} SqLessonMeta;

void sq_lesson_meta_clear(SqLessonMeta *meta);
void sq_lesson_meta_copy(SqLessonMeta *dest, const SqLessonMeta *src);
/* Checks ranges and identifiers; the message names the field. */
bool sq_lesson_meta_validate(const SqLessonMeta *meta, GError **error);
bool sq_lesson_meta_is_filler(const SqLessonMeta *meta);

/* ---- ingesting ------------------------------------------------------ */

/* Called about 4 times a second while a file is encoded; source is the
 * path as given to sq_ingest_file (the same string the caller reports the
 * outcome with). fraction 0..1,
 * speed as a multiple of real time, eta in seconds (negative: unknown). */
typedef void (*SqIngestProgressFn)(const char *source, double fraction, double speed,
                                   double eta_seconds, void *user_data);

typedef struct {
    const SqProfile *profile; /* NULL: sq_profile_default() */
    GCancellable *cancellable;
    SqIngestProgressFn progress;
    void *progress_data;
} SqIngestOptions;

typedef enum {
    SQ_INGEST_NEW,       /* transcoded, a new asset */
    SQ_INGEST_UNCHANGED, /* the same source and metadata were already there */
    SQ_INGEST_UPDATED,   /* the same source, its metadata updated */
} SqIngestOutcome;

typedef struct {
    int64_t asset_id;
    SqIngestOutcome outcome;
    int64_t duration_frames;
    double loudness_in;  /* LUFS, integrated, of the source */
    double loudness_out; /* LUFS, of the house-format audio */
    double true_peak;    /* dBTP of the house-format audio */
    int findings;        /* how many QC findings were recorded */
} SqIngestResult;

/* Ingests one source file. On failure nothing has changed: not the
 * catalog, not the library, not the source. Error messages start with the
 * source's file name. */
bool sq_ingest_file(SqCatalog *cat, const char *library_dir, const char *source_path,
                    const SqLessonMeta *meta, const SqIngestOptions *options,
                    SqIngestResult *result, GError **error);

/* Makes sure the catalog has the house assets every channel relies on,
 * generating them (in-process, from lavfi sources) when absent:
 * - the house slate: kind "slate", tags "slate", 10 s, a card reading
 *   "Хабар жалғасады · Передача продолжится" over silence; playout loops it
 *   for exactly as long as an item it replaces;
 * - the default filler loop: kind "filler", tags "house-loop", 20 s,
 *   station card with a soft tone at -23 LUFS; aired where a channel has
 *   no plan or no filler of its own.
 * Both are approved from the start. Cheap when they exist. */
bool sq_ingest_ensure_house_assets(SqCatalog *cat, const char *library_dir,
                                   const SqProfile *profile, GError **error);

/* Removes what interrupted ingests left in the library: temporary files no
 * living process holds, and files no catalog row names. Called before every
 * ingest; safe while other ingests run. */
bool sq_library_sweep(SqCatalog *cat, const char *library_dir, GError **error);

/* ---- manifests and sidecars ---------------------------------------- */

typedef struct {
    char *file; /* absolute, or relative to the current folder */
    int line;   /* in the CSV, for messages */
    SqLessonMeta meta;
} SqManifestEntry;

void sq_manifest_entry_free(SqManifestEntry *entry);

/* Reads a UTF-8 CSV manifest (RFC 4180 quoting; header row naming the
 * columns file, subject, grade, number, language, title, description and
 * optionally tags for fillers). File paths are resolved relative to the
 * CSV. Rows that are wrong are left out and described, one line each
 * ("lessons.csv:4: grade 12 is outside 1-11"), in row_errors (strings);
 * a manifest that cannot be read at all fails. */
GPtrArray *sq_manifest_load(const char *csv_path, GPtrArray **row_errors, GError **error);

/* Parses manifest text as if it came from csv_path (used by the loader,
 * the tests and the fuzzer). */
GPtrArray *sq_manifest_parse(const char *csv_path, const char *text, gsize length,
                             GPtrArray **row_errors, GError **error);

/* Reads a sidecar (docs/ingest.md: <lesson> or <filler>, validated by
 * data/lesson.rng, no network, no external entities). */
bool sq_sidecar_load(const char *xml_path, SqLessonMeta *meta, GError **error);
bool sq_sidecar_parse(const char *xml_path, const char *text, gsize length, SqLessonMeta *meta,
                      GError **error);

/* ---- the watch folder service -------------------------------------- */

typedef struct {
    double settle_seconds; /* a file is taken once its size and mtime held this long */
    double poll_seconds;
    /* Called after each file with its outcome (error NULL on success). */
    void (*on_file)(const char *source, const SqIngestResult *result, const GError *error,
                    void *user_data);
    void *user_data;
} SqWatchOptions;

/* Watches dir until the options' cancellable is cancelled: each stable
 * media file with metadata (sidecar NAME.xml, or a row of a *.csv manifest
 * in dir) is ingested and moved to dir/done/, or to dir/rejected/ beside
 * NAME.reason.txt. */
bool sq_watch_run(SqCatalog *cat, const char *library_dir, const char *dir,
                  const SqIngestOptions *options, const SqWatchOptions *watch, GError **error);

/* ---- the catalog's assets ------------------------------------------ */

typedef struct {
    char *code; /* black_start, black_end, silence_start, silence_end, silence_inside, ... */
    int64_t start_frames;
    int64_t length_frames;
    char *message;
} SqFinding;

typedef struct {
    int64_t id;
    char *kind; /* lesson, filler, slate */
    char *subject;
    int grade, number;
    char *language;
    char *title;
    char *tags;
    char *path; /* relative to the library */
    char *source_name;
    char *source_sha256;
    char *profile;
    int64_t duration_frames;
    int width, height;
    int video_peak_kbps;
    double loudness_in, loudness_out, true_peak;
    char *status; /* ready, approved, rejected, withdrawn */
    char *status_reason;
    int64_t ingested_us;
    GPtrArray *findings; /* SqFinding* */
} SqAsset;

void sq_asset_free(SqAsset *asset);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqAsset, sq_asset_free)

/* Every asset, ordered by kind, subject, grade, number, language, id. */
GPtrArray *sq_assets_list(SqCatalog *cat, GError **error);
SqAsset *sq_asset_get(SqCatalog *cat, int64_t id, GError **error);

/* An array of asset objects (the documented `sabaq assets --json` form). */
JsonNode *sq_assets_to_json(GPtrArray *assets);

/* A methodologist's decision; recorded with its time in asset_events. */
bool sq_asset_approve(SqCatalog *cat, int64_t id, GError **error);
bool sq_asset_withdraw(SqCatalog *cat, int64_t id, const char *reason, GError **error);

G_END_DECLS
