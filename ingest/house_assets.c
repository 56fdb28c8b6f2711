/* The house assets every catalog has from its first run: the slate that
 * replaces anything broken at air time, and the default filler loop for a
 * channel with nothing planned. They are generated in-process from lavfi
 * sources (no files to ship, no ffmpeg program to run) and written through
 * the same house-format encoder as any lesson. */
#include "house_output.h"

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <glib/gstdio.h>
#include <math.h>

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

typedef struct {
    const char *id;   /* part of the generated asset's identity */
    const char *kind; /* assets.kind */
    const char *tags;
    const char *title;
    int seconds;
    /* lavfi descriptions; %1$d/%2$d are the frame width and height. */
    const char *video;
    const char *audio; /* NULL: silence */
} HouseAsset;

/* A slate is silent; the loop carries a soft two-note pad brought to the
 * house loudness like any lesson. */
static const HouseAsset house_assets[] = {
    {"slate-v1", "slate", "slate", "Хабар жалғасады · Передача продолжится", 10,
     "color=c=0x14325a:s=%1$dx%2$d:r=25,"
     "drawtext=fontfile=" FONT ":text='Хабар жалғасады':fontcolor=white:fontsize=h/12:"
     "x=(w-tw)/2:y=h/2-th*1.4,"
     "drawtext=fontfile=" FONT ":text='Передача продолжится':fontcolor=0xc8d7e6:fontsize=h/16:"
     "x=(w-tw)/2:y=h/2+th*0.6",
     NULL},
    {"house-loop-v1", "filler", "house-loop", "sabaq · сабақ", 20,
     "gradients=s=%1$dx%2$d:r=25:c0=0x14325a:c1=0x1f6f8b:x0=0:y0=0:x1=%1$d:y1=%2$d:speed=0.005,"
     "drawtext=fontfile=" FONT ":text='сабақ · урок':fontcolor=white:fontsize=h/10:"
     "x=(w-tw)/2:y=(h-th)/2",
     "sine=f=220:sample_rate=48000[a];sine=f=330:sample_rate=48000[b];"
     "[a][b]amix=inputs=2,volume=0.3"},
};

static AVFilterContext *source_graph(AVFilterGraph *graph, const char *description, bool audio,
                                     GError **error)
{
    AVFilterInOut *inputs = NULL, *outputs = NULL;
    AVFilterContext *sink = NULL;
    int ret = avfilter_graph_parse2(graph, description, &inputs, &outputs);
    if (ret >= 0 && (!outputs || outputs->next || inputs))
        ret = AVERROR(EINVAL);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(
            &sink, avfilter_get_by_name(audio ? "abuffersink" : "buffersink"), "out", NULL, NULL,
            graph);
    if (ret >= 0)
        ret = avfilter_link(outputs->filter_ctx, outputs->pad_idx, sink, 0);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    if (ret >= 0)
        ret = avfilter_graph_config(graph, NULL);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, description);
        return NULL;
    }
    return sink;
}

/* The whole soundtrack of a generated asset, levelled to the house
 * loudness: short enough to hold in memory. */
static AVAudioFifo *render_audio(const HouseAsset *h, SqTranscodeResult *tr, GError **error)
{
    int64_t total = (int64_t)h->seconds * SQ_AUDIO_RATE;
    AVAudioFifo *fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, (int)total);
    if (!h->audio) {
        tr->loudness_in.integrated_lufs = tr->loudness_out_lufs = -70.0;
        tr->true_peak_out_dbtp = -144.0;
        return fifo;
    }
    g_autofree char *desc = g_strdup_printf(
        "%s,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,"
        "atrim=end_sample=%" G_GINT64_FORMAT ",ebur128=peak=true:metadata=1:framelog=verbose,"
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo",
        h->audio, total);
    AVFilterGraph *graph = avfilter_graph_alloc();
    AVFilterContext *sink = source_graph(graph, desc, true, error);
    AVFrame *frame = av_frame_alloc();
    double lufs = -70.0, peak = 0.0;
    while (sink && av_buffersink_get_frame(sink, frame) >= 0) {
        const AVDictionaryEntry *e = av_dict_get(frame->metadata, "lavfi.r128.I", NULL, 0);
        if (e)
            lufs = g_ascii_strtod(e->value, NULL);
        e = av_dict_get(frame->metadata, "lavfi.r128.true_peak", NULL, 0);
        if (e)
            peak = MAX(peak, g_ascii_strtod(e->value, NULL));
        av_audio_fifo_write(fifo, (void **)frame->extended_data, frame->nb_samples);
        av_frame_unref(frame);
    }
    av_frame_free(&frame);
    avfilter_graph_free(&graph);
    if (!sink) {
        av_audio_fifo_free(fifo);
        return NULL;
    }
    /* Apply the gain to the samples held: a pure generated signal needs
     * no limiter. */
    double gain_db = SQ_LOUDNESS_TARGET_LUFS - lufs;
    float gain = (float)pow(10.0, gain_db / 20.0);
    int n = av_audio_fifo_size(fifo);
    float *planes[2] = {g_new(float, n), g_new(float, n)};
    av_audio_fifo_read(fifo, (void **)planes, n);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < n; i++)
            planes[c][i] *= gain;
    av_audio_fifo_write(fifo, (void **)planes, n);
    g_free(planes[0]);
    g_free(planes[1]);
    tr->loudness_in.integrated_lufs = lufs;
    tr->loudness_out_lufs = SQ_LOUDNESS_TARGET_LUFS;
    tr->true_peak_out_dbtp = peak > 0 ? 20.0 * log10(peak) + gain_db : -144.0;
    return fifo;
}

/* Renders one house asset into path. */
static bool render(const HouseAsset *h, const SqProfile *profile, const char *path,
                   SqTranscodeResult *tr, GError **error)
{
    const int64_t frames = (int64_t)h->seconds * SQ_FPS;
    g_autofree char *video_desc = g_strdup_printf(h->video, profile->width, profile->height);
    g_autofree char *desc = g_strdup_printf("%s,trim=end_frame=%" G_GINT64_FORMAT ",format=yuv420p",
                                            video_desc, frames);
    AVAudioFifo *fifo = render_audio(h, tr, error);
    if (!fifo)
        return false;
    SqHouseOutput out;
    AVFilterGraph *graph = avfilter_graph_alloc();
    AVFrame *frame = av_frame_alloc();
    AVFilterContext *sink = source_graph(graph, desc, false, error);
    bool ok = sink && house_output_open(&out, path, profile, error);
    while (ok && av_buffersink_get_frame(sink, frame) >= 0) {
        ok = house_output_video(&out, frame, error) &&
             house_output_audio_from_fifo(&out, fifo, out.video_frames * SQ_AUDIO_SAMPLES_PER_FRAME,
                                          false, error);
        av_frame_unref(frame);
    }
    if (ok && out.video_frames != frames) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s: %" G_GINT64_FORMAT " frames made",
                    h->id, out.video_frames);
        ok = false;
    }
    ok = ok &&
         house_output_audio_from_fifo(&out, fifo, frames * SQ_AUDIO_SAMPLES_PER_FRAME, true,
                                      error) &&
         house_output_finish(&out, error);
    if (ok) {
        tr->duration_frames = out.video_frames;
        tr->video_peak_kbps = house_output_peak_kbps(&out);
    }
    if (sink)
        house_output_close(&out);
    av_frame_free(&frame);
    avfilter_graph_free(&graph);
    av_audio_fifo_free(fifo);
    return ok;
}

static bool ensure_one(SqCatalog *cat, const char *library_dir, const HouseAsset *h,
                       const SqProfile *profile, GError **error)
{
    /* The identity of a generated asset is its recipe and profile, as a
     * file's is its bytes. */
    g_autofree char *recipe = g_strdup_printf("sabaq-generated:%s:%s", h->id, profile->name);
    g_autofree char *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, recipe, -1);
    int64_t existing = store_asset_by_sha(cat, sha, error);
    if (existing != 0)
        return existing > 0;
    ingest_quiet_libav();
    if (!sq_library_sweep(cat, library_dir, error))
        return false;

    SqTempFile tmp;
    if (!library_temp_create(library_dir, sha, &tmp, error))
        return false;
    SqTranscodeResult tr = {0};
    g_autoptr(GPtrArray) findings = g_ptr_array_new();
    g_autofree char *relpath = library_asset_relpath(sha);
    g_autofree char *final_path = g_build_filename(library_dir, relpath, NULL);
    SqLessonMeta meta = {.filler_tags = (char *)h->tags, .title = (char *)h->title};
    SqNewAsset asset = {.kind = h->kind,
                        .relpath = relpath,
                        .source_name = recipe,
                        .source_sha256 = sha,
                        .profile = profile->name,
                        .transcode = &tr,
                        .findings = findings};
    int64_t id = 0;
    bool ok = render(h, profile, tmp.path, &tr, error) && sq_catalog_begin_write(cat, error);
    if (ok) {
        bool renamed = library_temp_commit(&tmp, final_path, error);
        ok = renamed && store_insert_asset(cat, &meta, &asset, &id, error) &&
             sq_catalog_commit(cat, error);
        if (!ok) {
            sq_catalog_rollback(cat);
            if (renamed)
                g_unlink(final_path);
        }
    }
    library_temp_discard(&tmp);
    if (!ok)
        return false;
    g_message("generated the house %s (asset %" G_GINT64_FORMAT ")", h->kind, id);
    return sq_asset_approve(cat, id, error);
}

bool sq_ingest_ensure_house_assets(SqCatalog *cat, const char *library_dir,
                                   const SqProfile *profile, GError **error)
{
    if (!profile)
        profile = sq_profile_default();
    for (size_t i = 0; i < G_N_ELEMENTS(house_assets); i++)
        if (!ensure_one(cat, library_dir, &house_assets[i], profile, error)) {
            g_prefix_error(error, "generating the house %s: ", house_assets[i].kind);
            return false;
        }
    return true;
}
