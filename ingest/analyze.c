/* The loudness analysis pass: EBU R128 integrated loudness and true peak of
 * the source's audio (after the same resampling and channel mapping the
 * encode applies), and runs of silence. It runs in a thread with its own
 * demuxer that reads only the audio, while transcode.c encodes the video:
 * the two passes overlap on two cores and the video is decoded once.
 *
 * When the gain needs the limiter, the limiter takes loudness away with the
 * peaks; the thread then runs the audio chain as the encode will (gain and
 * limiter) and corrects the gain by what is missing, up to twice. These
 * audio-only passes cost a few per cent of the job and also overlap the
 * video encode. */
#include "ingest_private.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
#include <math.h>
#include <string.h>

struct SqAnalysis {
    char *path;
    int audio_index;
    GCancellable *cancellable;
    GThread *thread;
    gint done;        /* atomic */
    gint abort;       /* atomic: the encode failed, stop early */
    bool plan_gain;   /* also settle the gain (sources), not only measure */
    double offset_db; /* aim this far above the house target */
    bool ok;
    GError *error;
    SqLoudness result;
    SqLoudnessPlan plan;
};

#define SILENCE_MIN_FRAMES (2 * SQ_FPS)

typedef struct {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    SqFilterGraph graph;
    AVFrame *decoded;
    AVFrame *filtered;
    AVPacket *pkt;
    int64_t first_pts;
    const SqLoudnessPlan *plan; /* NULL: measure the audio as it is */
    bool detect_silence;
    double lufs, peak_dbtp;
    bool have_peak;
    SqRunDetector silence;
} Pass;

static double meta_value(const AVFrame *frame, const char *key, bool *found)
{
    const AVDictionaryEntry *e = av_dict_get(frame->metadata, key, NULL, 0);
    *found = e != NULL;
    return e ? g_ascii_strtod(e->value, NULL) : 0.0;
}

static void collect(Pass *p, const AVFrame *frame)
{
    bool found;
    double v = meta_value(frame, "lavfi.r128.I", &found);
    if (found)
        p->lufs = v; /* a running value: the last one is the file's */
    v = meta_value(frame, "lavfi.r128.true_peak", &found);
    if (found && v > 0) {
        double db = 20.0 * log10(v);
        if (!p->have_peak || db > p->peak_dbtp)
            p->peak_dbtp = db;
        p->have_peak = true;
    }
    /* The sink hands out blocks of one video frame's worth of samples. */
    if (p->detect_silence)
        run_detector_feed(&p->silence,
                          audio_is_silent((const float *const *)frame->extended_data,
                                          frame->ch_layout.nb_channels, frame->nb_samples));
}

static int drain(Pass *p)
{
    int ret;
    while ((ret = av_buffersink_get_frame(p->graph.sink, p->filtered)) >= 0) {
        collect(p, p->filtered);
        av_frame_unref(p->filtered);
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static bool build_graph(Pass *p, GError **error)
{
    g_autofree char *args = audio_source_args(p->dec);
    g_autofree char *desc = audio_filter_description(p->plan, true);
    if (!filter_graph_build(&p->graph, "abuffer", args, "abuffersink", desc, error))
        return false;
    /* Blocks of one video frame's samples: the silence detector's unit. */
    av_buffersink_set_frame_size(p->graph.sink, SQ_AUDIO_SAMPLES_PER_FRAME);
    return true;
}

static int feed(Pass *p, AVFrame *frame)
{
    /* Re-base on the first sample so that the chain's first_pts=0 pads
     * nothing: the analysis measures the audio as it is. */
    if (frame && frame->pts != AV_NOPTS_VALUE) {
        if (p->first_pts == AV_NOPTS_VALUE)
            p->first_pts = frame->pts;
        frame->pts = av_rescale_q(frame->pts - p->first_pts, p->dec->pkt_timebase,
                                  (AVRational){1, p->dec->sample_rate});
    }
    int ret = av_buffersrc_add_frame_flags(p->graph.src, frame, AV_BUFFERSRC_FLAG_KEEP_REF);
    if (ret < 0)
        return ret;
    return drain(p);
}

static bool read_through(SqAnalysis *a, Pass *p, GError **error)
{
    int ret = avformat_open_input(&p->fmt, a->path, NULL, NULL);
    if (ret < 0 || (ret = avformat_find_stream_info(p->fmt, NULL)) < 0) {
        set_av_error(error, ret, SQ_ERROR_MEDIA, "audio analysis: cannot open");
        return false;
    }
    /* Read only the audio: the MP4/MOV demuxer then skips video samples
     * without reading them. */
    for (unsigned i = 0; i < p->fmt->nb_streams; i++)
        p->fmt->streams[i]->discard = (int)i == a->audio_index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    const AVStream *st = p->fmt->streams[a->audio_index];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "no decoder for audio codec %s",
                    avcodec_get_name(st->codecpar->codec_id));
        return false;
    }
    p->dec = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(p->dec, st->codecpar);
    p->dec->pkt_timebase = st->time_base;
    if ((ret = avcodec_open2(p->dec, codec, NULL)) < 0) {
        set_av_error(error, ret, SQ_ERROR_MEDIA, "audio decoder");
        return false;
    }
    if (!build_graph(p, error))
        return false;

    while ((ret = av_read_frame(p->fmt, p->pkt)) >= 0 || ret == AVERROR(EAGAIN)) {
        if (g_cancellable_is_cancelled(a->cancellable) || g_atomic_int_get(&a->abort)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_CANCELLED, "cancelled");
            return false;
        }
        if (ret < 0 || p->pkt->stream_index != a->audio_index) {
            av_packet_unref(p->pkt);
            continue;
        }
        ret = avcodec_send_packet(p->dec, p->pkt);
        av_packet_unref(p->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN))
            continue; /* a damaged packet: the encode pass decides about damage */
        while (avcodec_receive_frame(p->dec, p->decoded) >= 0) {
            ret = feed(p, p->decoded);
            av_frame_unref(p->decoded);
            if (ret < 0) {
                set_av_error(error, ret, SQ_ERROR_INTERNAL, "audio analysis");
                return false;
            }
        }
    }
    if (ret != AVERROR_EOF && ret < 0) {
        set_av_error(error, ret, SQ_ERROR_MEDIA, "audio analysis: reading");
        return false;
    }
    avcodec_send_packet(p->dec, NULL);
    while (avcodec_receive_frame(p->dec, p->decoded) >= 0) {
        feed(p, p->decoded);
        av_frame_unref(p->decoded);
    }
    if ((ret = feed(p, NULL)) < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "audio analysis");
        return false;
    }
    run_detector_finish(&p->silence);
    return true;
}

/* One pass over the audio through the chain for plan (NULL: as it is). */
static bool run_pass(SqAnalysis *a, const SqLoudnessPlan *plan, bool detect_silence, Pass *result,
                     GError **error)
{
    Pass p = {.first_pts = AV_NOPTS_VALUE,
              .plan = plan,
              .detect_silence = detect_silence,
              .lufs = -70.0,
              .peak_dbtp = -144.0};
    p.decoded = av_frame_alloc();
    p.filtered = av_frame_alloc();
    p.pkt = av_packet_alloc();
    run_detector_init(&p.silence, SILENCE_MIN_FRAMES);
    bool ok = read_through(a, &p, error);
    filter_graph_clear(&p.graph);
    avcodec_free_context(&p.dec);
    avformat_close_input(&p.fmt);
    av_frame_free(&p.decoded);
    av_frame_free(&p.filtered);
    av_packet_free(&p.pkt);
    *result = p; /* what it measured; the silence runs pass to the caller */
    return ok;
}

/* Settles the gain where the limiter is needed: measure the chain's output
 * and add what the limiter took, keeping the ceiling. */
static bool settle_gain(SqAnalysis *a, GError **error)
{
    enum { MAX_CORRECTIONS = 2 };
    const double tolerance_lu = 0.1;
    /* Aiming offset_db higher is planning for a source that much quieter. */
    SqLoudness shifted = a->result;
    if (shifted.integrated_lufs > -69.0)
        shifted.integrated_lufs -= a->offset_db;
    loudness_plan(&shifted, &a->plan);
    for (int i = 0; i < MAX_CORRECTIONS && a->plan.limit; i++) {
        Pass p;
        bool ok = run_pass(a, &a->plan, false, &p, error);
        run_detector_clear(&p.silence);
        if (!ok)
            return false;
        double missing = SQ_LOUDNESS_TARGET_LUFS + a->offset_db - p.lufs;
        if (ABS(missing) <= tolerance_lu)
            break;
        a->plan.gain_db = CLAMP(a->plan.gain_db + missing, -40.0, 40.0);
    }
    return true;
}

static gpointer analysis_thread(gpointer data)
{
    SqAnalysis *a = data;
    Pass p;
    a->ok = run_pass(a, NULL, true, &p, &a->error);
    a->result.integrated_lufs = p.lufs;
    a->result.true_peak_dbtp = p.peak_dbtp;
    a->result.duration_frames = p.silence.position;
    a->result.silence_runs = g_steal_pointer(&p.silence.runs);
    run_detector_clear(&p.silence);
    if (a->ok && a->plan_gain)
        a->ok = settle_gain(a, &a->error);
    g_atomic_int_set(&a->done, 1);
    return NULL;
}

SqAnalysis *analysis_start(const char *path, int audio_index, bool plan_gain, double offset_db,
                           GCancellable *cancellable)
{
    SqAnalysis *a = g_new0(SqAnalysis, 1);
    a->plan_gain = plan_gain;
    a->offset_db = offset_db;
    a->path = g_strdup(path);
    a->audio_index = audio_index;
    a->cancellable = cancellable ? g_object_ref(cancellable) : NULL;
    a->thread = g_thread_new("sabaq-loudness", analysis_thread, a);
    return a;
}

bool analysis_is_done(SqAnalysis *analysis)
{
    return g_atomic_int_get(&analysis->done) != 0;
}

bool analysis_finish(SqAnalysis *a, SqLoudness *out, SqLoudnessPlan *plan, GError **error)
{
    if (a->thread) {
        g_thread_join(a->thread);
        a->thread = NULL;
    }
    if (!a->ok) {
        if (a->error)
            g_propagate_error(error, g_steal_pointer(&a->error));
        else
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "audio analysis failed");
        return false;
    }
    *out = a->result;
    a->result.silence_runs = NULL;
    if (plan)
        *plan = a->plan;
    return true;
}

void analysis_free(SqAnalysis *a)
{
    if (!a)
        return;
    g_atomic_int_set(&a->abort, 1);
    if (a->thread)
        g_thread_join(a->thread);
    g_clear_error(&a->error);
    if (a->result.silence_runs)
        g_array_free(a->result.silence_runs, TRUE);
    g_clear_object(&a->cancellable);
    g_free(a->path);
    g_free(a);
}

void loudness_plan(const SqLoudness *measured, SqLoudnessPlan *plan)
{
    /* The AAC encoder's overshoot can add a few tenths of a dB to the true
     * peak, so the limiter's ceiling keeps half a dB in hand. */
    const double margin_db = 0.5;
    memset(plan, 0, sizeof(*plan));
    if (measured->integrated_lufs <= -69.0) {
        plan->gain_db = 0.0; /* silence: nothing to normalise */
        return;
    }
    plan->gain_db = SQ_LOUDNESS_TARGET_LUFS - measured->integrated_lufs;
    plan->gain_db = CLAMP(plan->gain_db, -40.0, 40.0);
    if (measured->true_peak_dbtp + plan->gain_db > SQ_TRUE_PEAK_CEILING - margin_db) {
        plan->limit = true;
        /* alimiter limits sample peaks; inter-sample peaks of speech rarely
         * exceed them by more than 1 dB. */
        plan->limit_dbfs = SQ_TRUE_PEAK_CEILING - margin_db - 1.0;
    }
}
