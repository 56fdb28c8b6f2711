/* One source file through ingest, in the order that keeps every failure
 * harmless: validate metadata, hash, probe, QC, transcode to a temporary
 * file, then rename and insert under one catalog write lock. */
#include "ingest_private.h"

#include <glib/gstdio.h>

#define EDGE_MIN_FRAMES     (2 * SQ_FPS)  /* black or silence at an edge: over 2 s */
#define INSIDE_SILENCE_MIN  (10 * SQ_FPS) /* silence inside a lesson: over 10 s */
#define LOUDNESS_TOLERANCE  0.5
#define CODEC_LOSS_RETRY_LU 0.3 /* re-encode when the written file misses by more */

/* The loudness and true peak the catalog records are those of the file as
 * written, after the AAC encoder (which can move noise-like audio by a few
 * tenths of a dB): one more audio-only decode, about 1 % of the job. */
static bool measure_written_audio(const char *path, SqTranscodeResult *tr,
                                  GCancellable *cancellable, GError **error)
{
    enum { HOUSE_AUDIO_STREAM = 1 }; /* house_output.c: video 0, audio 1 */
    SqAnalysis *analysis = analysis_start(path, HOUSE_AUDIO_STREAM, false, 0.0, cancellable);
    SqLoudness written = {0};
    bool ok = analysis_finish(analysis, &written, NULL, error);
    analysis_free(analysis);
    if (ok) {
        tr->loudness_out_lufs = written.integrated_lufs;
        tr->true_peak_out_dbtp = written.true_peak_dbtp;
    }
    if (written.silence_runs)
        g_array_free(written.silence_runs, TRUE);
    return ok;
}

static GPtrArray *collect_findings(const SqTranscodeResult *tr)
{
    GPtrArray *findings = g_ptr_array_new_with_free_func((GDestroyNotify)finding_free);
    findings_add_runs(findings, "black", tr->black_runs, tr->duration_frames, EDGE_MIN_FRAMES, 0);
    if (tr->loudness_in.silence_runs)
        findings_add_runs(findings, "silence", tr->loudness_in.silence_runs,
                          tr->loudness_in.duration_frames, EDGE_MIN_FRAMES, INSIDE_SILENCE_MIN);
    if (tr->loudness_in.integrated_lufs <= -69.0) {
        g_ptr_array_add(findings, finding_new("audio_silent", 0, tr->duration_frames,
                                              "the audio is silent throughout"));
    } else if (ABS(tr->loudness_out_lufs - SQ_LOUDNESS_TARGET_LUFS) > LOUDNESS_TOLERANCE) {
        g_autofree char *msg = g_strdup_printf(
            "loudness %.1f LUFS after normalisation (limited peaks), target %.0f LUFS",
            tr->loudness_out_lufs, SQ_LOUDNESS_TARGET_LUFS);
        g_ptr_array_add(findings, finding_new("loudness", 0, tr->duration_frames, msg));
    }
    return findings;
}

/* A source already in the catalog: only its metadata can change. */
static bool update_duplicate(SqCatalog *cat, int64_t asset_id, const SqLessonMeta *meta,
                             SqIngestResult *result, GError **error)
{
    bool changed = false;
    if (!sq_catalog_begin_write(cat, error))
        return false;
    if (!store_update_asset_meta(cat, asset_id, meta, &changed, error)) {
        sq_catalog_rollback(cat);
        return false;
    }
    if (!sq_catalog_commit(cat, error))
        return false;
    g_autoptr(SqAsset) asset = sq_asset_get(cat, asset_id, error);
    if (!asset)
        return false;
    result->asset_id = asset_id;
    result->outcome = changed ? SQ_INGEST_UPDATED : SQ_INGEST_UNCHANGED;
    result->duration_frames = asset->duration_frames;
    result->loudness_in = asset->loudness_in;
    result->loudness_out = asset->loudness_out;
    result->true_peak = asset->true_peak;
    result->findings = (int)asset->findings->len;
    return true;
}

/* Rename and insert under the write lock: either both happen or neither
 * is visible. If another process finished the same source meanwhile, this
 * copy is dropped and the metadata applied to that one. */
static bool publish(SqCatalog *cat, const char *library_dir, SqTempFile *tmp,
                    const SqLessonMeta *meta, const SqNewAsset *asset, SqIngestResult *result,
                    GError **error)
{
    if (!sq_catalog_begin_write(cat, error))
        return false;
    int64_t existing = store_asset_by_sha(cat, asset->source_sha256, error);
    if (existing < 0) {
        sq_catalog_rollback(cat);
        return false;
    }
    if (existing > 0) {
        sq_catalog_rollback(cat);
        library_temp_discard(tmp);
        return update_duplicate(cat, existing, meta, result, error);
    }
    g_autofree char *final_path = g_build_filename(library_dir, asset->relpath, NULL);
    if (!library_temp_commit(tmp, final_path, error)) {
        sq_catalog_rollback(cat);
        return false;
    }
    int64_t id = 0;
    if (!store_insert_asset(cat, meta, asset, &id, error) || !sq_catalog_commit(cat, error)) {
        sq_catalog_rollback(cat);
        g_unlink(final_path);
        return false;
    }
    result->asset_id = id;
    result->outcome = SQ_INGEST_NEW;
    return true;
}

bool sq_ingest_file(SqCatalog *cat, const char *library_dir, const char *source_path,
                    const SqLessonMeta *meta, const SqIngestOptions *options,
                    SqIngestResult *result, GError **error)
{
    ingest_quiet_libav();
    memset(result, 0, sizeof(*result));
    g_autofree char *name = g_path_get_basename(source_path);
    const SqProfile *profile =
        options && options->profile ? options->profile : sq_profile_default();
    GCancellable *cancellable = options ? options->cancellable : NULL;
    GError *local = NULL;

    if (!sq_lesson_meta_validate(meta, &local)) {
        g_propagate_prefixed_error(error, local, "%s: ", name);
        return false;
    }
    /* What an interrupted run left is cleaned before anything else. */
    if (!sq_library_sweep(cat, library_dir, error))
        return false;
    g_autofree char *sha = file_sha256(source_path, cancellable, &local);
    if (!sha) {
        bool cancelled = g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_set_error(error, SQ_ERROR, cancelled ? SQ_ERROR_CANCELLED : SQ_ERROR_IO, "%s: %s%s", name,
                    cancelled ? "" : "cannot read: ", local->message);
        g_error_free(local);
        return false;
    }
    int64_t existing = store_asset_by_sha(cat, sha, error);
    if (existing < 0)
        return false;
    if (existing > 0)
        return update_duplicate(cat, existing, meta, result, error);

    SqMedia media;
    if (!media_open(source_path, &media, error))
        return false;
    media.name = name;
    bool ok = false;
    SqTempFile tmp = {.lock_fd = -1};
    SqTranscodeResult tr = {0};
    g_autoptr(GPtrArray) findings = NULL;
    g_autofree char *relpath = NULL;
    if (!qc_check_source(&media, meta, error) ||
        !library_temp_create(library_dir, sha, &tmp, error))
        goto out;

    SqTranscodeParams params = {
        .profile = profile,
        .cancellable = cancellable,
        .progress = options ? options->progress : NULL,
        .progress_data = options ? options->progress_data : NULL,
    };
    for (int attempt = 0;; attempt++) {
        if (!transcode_run(&media, source_path, tmp.path, &params, &tr, error) ||
            !measure_written_audio(tmp.path, &tr, cancellable, error))
            goto out;
        /* FFmpeg's AAC encoder loses level on noise-like audio (up to
         * 1.4 LU at low rates). Once measured, that loss is known: encode
         * once more aiming that much higher. Speech and tones never get
         * here; the few files that do pay a second encode. */
        double missing = SQ_LOUDNESS_TARGET_LUFS - tr.loudness_out_lufs;
        if (attempt > 0 || tr.loudness_in.integrated_lufs <= -69.0 ||
            ABS(missing) <= CODEC_LOSS_RETRY_LU)
            break;
        g_message("%s: the encoded audio measures %.1f LUFS; encoding again %.1f dB louder", name,
                  tr.loudness_out_lufs, missing);
        params.loudness_offset_db += missing;
        transcode_result_clear(&tr);
        media_close(&media);
        if (!media_open(source_path, &media, error))
            goto out;
        media.name = name;
    }
    findings = collect_findings(&tr);
    relpath = library_asset_relpath(sha);
    SqNewAsset asset = {
        .relpath = relpath,
        .source_name = name,
        .source_sha256 = sha,
        .profile = profile->name,
        .transcode = &tr,
        .findings = findings,
    };
    if (!publish(cat, library_dir, &tmp, meta, &asset, result, error))
        goto out;
    if (result->outcome == SQ_INGEST_NEW) {
        result->duration_frames = tr.duration_frames;
        result->loudness_in = tr.loudness_in.integrated_lufs;
        result->loudness_out = tr.loudness_out_lufs;
        result->true_peak = tr.true_peak_out_dbtp;
        result->findings = (int)findings->len;
    }
    ok = true;
out:
    library_temp_discard(&tmp);
    transcode_result_clear(&tr);
    media_close(&media);
    return ok;
}
