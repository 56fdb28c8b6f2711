/* The encode pass: the source is demuxed and its video decoded once,
 * filtered to the house picture and encoded, while analyze.c measures the
 * audio in another thread. Source audio packets wait in a queue until the
 * measurement is known; then they are decoded, brought to -23 LUFS and
 * encoded. The audio is fitted to the video: exactly 1920 samples per
 * frame, aligned on the first video frame. */
#include "house_output.h"

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
#include <math.h>

#define BLACK_MIN_FRAMES   (2 * SQ_FPS)
#define PROGRESS_PERIOD_US (250 * 1000)

typedef struct {
    SqMedia *media;
    const char *source_path; /* as the caller named it, for progress */
    const SqTranscodeParams *params;
    SqTranscodeResult *result;
    AVCodecContext *vdec, *adec;
    SqFilterGraph video, audio;
    AVAudioFifo *fifo;
    SqHouseOutput out;
    SqAnalysis *analysis;
    bool audio_ready;     /* the measurement is in and the audio graph built */
    int64_t video_origin; /* pts (video time base) of the first frame: time zero */
    int64_t video_end;    /* pts (video time base, re-based) where the last frame ends */
    bool have_origin;
    GQueue waiting_audio; /* AVPacket*, until audio_ready */
    SqRunDetector black;
    bool measured_out;
    int64_t expected_frames;
    int64_t started_mono, last_progress_mono;
    int decode_errors;
    int read_error; /* from av_read_frame, other than the end of file */
    AVFrame *decoded, *filtered;
    AVPacket *pkt;
} Transcode;

static AVCodecContext *open_decoder(const AVStream *st, GError **error)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "no decoder for %s",
                    avcodec_get_name(st->codecpar->codec_id));
        return NULL;
    }
    AVCodecContext *c = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(c, st->codecpar);
    c->pkt_timebase = st->time_base;
    c->thread_count = 0;
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_MEDIA, avcodec_get_name(st->codecpar->codec_id));
        avcodec_free_context(&c);
        return NULL;
    }
    return c;
}

static bool build_video_graph(Transcode *t, GError **error)
{
    const AVStream *st = t->media->fmt->streams[t->media->video_index];
    AVRational sar = t->media->sample_aspect;
    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){1, 1};
    AVRational fr = t->media->frame_rate;
    if (fr.num <= 0 || fr.den <= 0)
        fr = (AVRational){SQ_FPS, 1};
    g_autofree char *args = g_strdup_printf(
        "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d:frame_rate=%d/%d",
        t->vdec->width, t->vdec->height, t->vdec->pix_fmt, st->time_base.num, st->time_base.den,
        sar.num, sar.den, fr.num, fr.den);
    g_autofree char *desc = video_filter_description(t->media, t->params->profile);
    return filter_graph_build(&t->video, "buffer", args, "buffersink", desc, error);
}

static bool build_audio_graph(Transcode *t, const SqLoudnessPlan *plan, GError **error)
{
    g_autofree char *args = audio_source_args(t->adec);
    g_autofree char *desc = audio_filter_description(plan, true);
    if (!filter_graph_build(&t->audio, "abuffer", args, "abuffersink", desc, error))
        return false;
    t->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, SQ_AUDIO_RATE);
    return true;
}

static void report_progress(Transcode *t, bool force)
{
    if (!t->params->progress)
        return;
    int64_t now = g_get_monotonic_time();
    if (!force && now - t->last_progress_mono < PROGRESS_PERIOD_US)
        return;
    t->last_progress_mono = now;
    double elapsed = (double)(now - t->started_mono) / SQ_SECOND_US;
    double done_s = (double)t->out.video_frames / SQ_FPS;
    double total_s = (double)t->expected_frames / SQ_FPS;
    double fraction = total_s > 0 ? MIN(done_s / total_s, 1.0) : 0.0;
    double speed = elapsed > 0 ? done_s / elapsed : 0.0;
    double eta = speed > 0 ? (total_s - done_s) / speed : -1.0;
    t->params->progress(t->source_path, fraction, speed, eta, t->params->progress_data);
}

static void note_output_loudness(Transcode *t, const AVFrame *frame)
{
    const AVDictionaryEntry *e = av_dict_get(frame->metadata, "lavfi.r128.I", NULL, 0);
    if (e)
        t->result->loudness_out_lufs = g_ascii_strtod(e->value, NULL);
    e = av_dict_get(frame->metadata, "lavfi.r128.true_peak", NULL, 0);
    if (e) {
        double v = g_ascii_strtod(e->value, NULL);
        double db = v > 0 ? 20.0 * log10(v) : -144.0;
        if (!t->measured_out || db > t->result->true_peak_out_dbtp)
            t->result->true_peak_out_dbtp = db;
        t->measured_out = true;
    }
}

static bool pull_audio(Transcode *t, GError **error)
{
    int ret;
    while ((ret = av_buffersink_get_frame(t->audio.sink, t->filtered)) >= 0) {
        note_output_loudness(t, t->filtered);
        av_audio_fifo_write(t->fifo, (void **)t->filtered->extended_data, t->filtered->nb_samples);
        av_frame_unref(t->filtered);
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "audio filters");
        return false;
    }
    /* Never ahead of the video sent so far, so that the end can be cut or
     * padded to the video's length. */
    return house_output_audio_from_fifo(
        &t->out, t->fifo, t->out.video_frames * SQ_AUDIO_SAMPLES_PER_FRAME, false, error);
}

static bool filter_audio_frame(Transcode *t, AVFrame *frame, GError **error)
{
    if (frame) {
        /* Time zero is the first video frame: earlier audio is cut, a
         * later start is padded with silence (aresample first_pts=0). */
        int64_t pts = frame->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE)
            pts = frame->pts;
        const AVStream *vst = t->media->fmt->streams[t->media->video_index];
        int64_t origin = av_rescale_q(t->video_origin, vst->time_base, t->adec->pkt_timebase);
        frame->pts = pts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE
                                           : av_rescale_q(pts - origin, t->adec->pkt_timebase,
                                                          (AVRational){1, t->adec->sample_rate});
    }
    int ret = av_buffersrc_add_frame_flags(t->audio.src, frame, AV_BUFFERSRC_FLAG_KEEP_REF);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "audio filters");
        return false;
    }
    return pull_audio(t, error);
}

static bool decode_audio(Transcode *t, const AVPacket *pkt, GError **error)
{
    int ret = avcodec_send_packet(t->adec, pkt);
    if (ret < 0 && ret != AVERROR_EOF) {
        t->decode_errors++;
        return true;
    }
    while ((ret = avcodec_receive_frame(t->adec, t->decoded)) >= 0) {
        bool ok = filter_audio_frame(t, t->decoded, error);
        av_frame_unref(t->decoded);
        if (!ok)
            return false;
    }
    if (ret == AVERROR_INVALIDDATA)
        t->decode_errors++;
    return true;
}

static bool start_audio(Transcode *t, GError **error)
{
    SqLoudnessPlan plan;
    if (!analysis_finish(t->analysis, &t->result->loudness_in, &plan, error)) {
        g_prefix_error(error, "%s: ", t->media->name);
        return false;
    }
    if (!build_audio_graph(t, &plan, error))
        return false;
    t->audio_ready = true;
    AVPacket *pkt;
    while ((pkt = g_queue_pop_head(&t->waiting_audio))) {
        bool ok = decode_audio(t, pkt, error);
        av_packet_free(&pkt);
        if (!ok)
            return false;
    }
    return true;
}

static bool pull_video(Transcode *t, GError **error)
{
    int ret;
    while ((ret = av_buffersink_get_frame(t->video.sink, t->filtered)) >= 0) {
        run_detector_feed(&t->black, luma_is_black(t->filtered->data[0], t->filtered->linesize[0],
                                                   t->filtered->width, t->filtered->height));
        bool ok = house_output_video(&t->out, t->filtered, error);
        av_frame_unref(t->filtered);
        if (!ok)
            return false;
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "video filters");
        return false;
    }
    return true;
}

/* A frame's length in the video stream's time base, for the end of the
 * last one: the fps filter needs it to know whether to emit that frame. */
static int64_t source_frame_duration(const Transcode *t, const AVFrame *frame)
{
    const AVStream *st = t->media->fmt->streams[t->media->video_index];
    if (frame->pkt_duration > 0)
        return frame->pkt_duration;
    AVRational fr = t->media->frame_rate;
    if (fr.num <= 0 || fr.den <= 0)
        fr = (AVRational){SQ_FPS, 1};
    return av_rescale_q(1, av_inv_q(fr), st->time_base);
}

static bool decode_video(Transcode *t, const AVPacket *pkt, GError **error)
{
    int ret = avcodec_send_packet(t->vdec, pkt);
    if (ret < 0 && ret != AVERROR_EOF) {
        t->decode_errors++;
        return true;
    }
    while ((ret = avcodec_receive_frame(t->vdec, t->decoded)) >= 0) {
        int64_t pts = t->decoded->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) {
            av_frame_unref(t->decoded);
            continue;
        }
        if (!t->have_origin) {
            t->video_origin = pts;
            t->have_origin = true;
        }
        if (pts < t->video_origin) {
            av_frame_unref(t->decoded);
            continue;
        }
        t->decoded->pts = pts - t->video_origin;
        t->video_end = MAX(t->video_end, t->decoded->pts + source_frame_duration(t, t->decoded));
        ret = av_buffersrc_add_frame_flags(t->video.src, t->decoded, AV_BUFFERSRC_FLAG_KEEP_REF);
        av_frame_unref(t->decoded);
        if (ret < 0) {
            set_av_error(error, ret, SQ_ERROR_INTERNAL, "video filters");
            return false;
        }
        if (!pull_video(t, error))
            return false;
    }
    if (ret == AVERROR_INVALIDDATA)
        t->decode_errors++;
    return true;
}

static bool handle_packet(Transcode *t, AVPacket *pkt, GError **error)
{
    if (pkt->stream_index == t->media->video_index)
        return decode_video(t, pkt, error);
    if (pkt->stream_index != t->media->audio_index)
        return true;
    if (!t->audio_ready) {
        g_queue_push_tail(&t->waiting_audio, av_packet_clone(pkt));
        return true;
    }
    return decode_audio(t, pkt, error);
}

static bool flush(Transcode *t, GError **error)
{
    if (!decode_video(t, NULL, error))
        return false;
    int ret = av_buffersrc_close(t->video.src, t->video_end, AV_BUFFERSRC_FLAG_PUSH);
    if (ret < 0 || !pull_video(t, error)) {
        if (ret < 0)
            set_av_error(error, ret, SQ_ERROR_INTERNAL, "video filters");
        return false;
    }
    if (!t->audio_ready && !start_audio(t, error))
        return false;
    if (!decode_audio(t, NULL, error) || !filter_audio_frame(t, NULL, error))
        return false;
    /* The audio is exactly as long as the video: the rest of the fifo is
     * cut, a shortfall is silence. */
    int64_t total = t->out.video_frames * SQ_AUDIO_SAMPLES_PER_FRAME;
    return house_output_audio_from_fifo(&t->out, t->fifo, total, true, error) &&
           house_output_finish(&t->out, error);
}

static bool check_complete(Transcode *t, GError **error)
{
    int64_t frames = t->out.video_frames;
    /* A source that ends more than a second before its own declared
     * duration was cut off in transfer. */
    if (frames + SQ_FPS < t->expected_frames) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA,
                    "%s: truncated: the pictures end at %.1f s of %.1f s", t->media->name,
                    (double)frames / SQ_FPS, (double)t->expected_frames / SQ_FPS);
        return false;
    }
    if (t->read_error) {
        char text[AV_ERROR_MAX_STRING_SIZE] = {0};
        av_strerror(t->read_error, text, sizeof(text));
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: damaged: reading stopped at %.1f s: %s",
                    t->media->name, (double)frames / SQ_FPS, text);
        return false;
    }
    if (t->decode_errors > 25 + frames / 100) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: undecodable: %d damaged packets",
                    t->media->name, t->decode_errors);
        return false;
    }
    return true;
}

static bool run(Transcode *t, const char *source_path, const char *out_path, GError **error)
{
    SqMedia *m = t->media;
    GError *local = NULL;
    if (!(t->vdec = open_decoder(m->fmt->streams[m->video_index], &local)) ||
        !(t->adec = open_decoder(m->fmt->streams[m->audio_index], &local))) {
        g_propagate_prefixed_error(error, local, "%s: ", m->name);
        return false;
    }
    if (!build_video_graph(t, error) ||
        !house_output_open(&t->out, out_path, t->params->profile, error))
        return false;
    t->analysis = analysis_start(source_path, m->audio_index, true, t->params->loudness_offset_db,
                                 t->params->cancellable);

    int ret;
    while ((ret = av_read_frame(m->fmt, t->pkt)) >= 0 || ret == AVERROR(EAGAIN)) {
        if (g_cancellable_is_cancelled(t->params->cancellable)) {
            av_packet_unref(t->pkt);
            g_set_error(error, SQ_ERROR, SQ_ERROR_CANCELLED, "%s: interrupted", m->name);
            return false;
        }
        if (ret < 0)
            continue;
        bool ok = handle_packet(t, t->pkt, error);
        av_packet_unref(t->pkt);
        if (!ok)
            return false;
        if (!t->audio_ready && t->have_origin && analysis_is_done(t->analysis) &&
            !start_audio(t, error))
            return false;
        report_progress(t, false);
    }
    if (ret != AVERROR_EOF)
        t->read_error = ret;
    if (!flush(t, error))
        return false;
    run_detector_finish(&t->black);
    report_progress(t, true);
    return check_complete(t, error);
}

bool transcode_run(SqMedia *media, const char *source_path, const char *out_path,
                   const SqTranscodeParams *params, SqTranscodeResult *result, GError **error)
{
    memset(result, 0, sizeof(*result));
    result->loudness_out_lufs = -70.0;
    result->true_peak_out_dbtp = -144.0;
    Transcode t = {.media = media, .source_path = source_path, .params = params, .result = result};
    g_queue_init(&t.waiting_audio);
    run_detector_init(&t.black, BLACK_MIN_FRAMES);
    t.decoded = av_frame_alloc();
    t.filtered = av_frame_alloc();
    t.pkt = av_packet_alloc();
    t.expected_frames = av_rescale(media->duration_us, SQ_FPS, SQ_SECOND_US);
    t.started_mono = g_get_monotonic_time();

    bool ok = run(&t, source_path, out_path, error);
    if (ok) {
        result->duration_frames = t.out.video_frames;
        result->video_peak_kbps = house_output_peak_kbps(&t.out);
        result->black_runs = g_steal_pointer(&t.black.runs);
    }
    analysis_free(t.analysis); /* stops it early if the encode failed */
    AVPacket *pkt;
    while ((pkt = g_queue_pop_head(&t.waiting_audio)))
        av_packet_free(&pkt);
    run_detector_clear(&t.black);
    house_output_close(&t.out);
    filter_graph_clear(&t.video);
    filter_graph_clear(&t.audio);
    if (t.fifo)
        av_audio_fifo_free(t.fifo);
    avcodec_free_context(&t.vdec);
    avcodec_free_context(&t.adec);
    av_frame_free(&t.decoded);
    av_frame_free(&t.filtered);
    av_packet_free(&t.pkt);
    if (!ok)
        transcode_result_clear(result);
    return ok;
}

void transcode_result_clear(SqTranscodeResult *result)
{
    if (result->black_runs)
        g_array_free(result->black_runs, TRUE);
    if (result->loudness_in.silence_runs)
        g_array_free(result->loudness_in.silence_runs, TRUE);
    result->black_runs = NULL;
    result->loudness_in.silence_runs = NULL;
}
