/* The house format's encoders and container: H.264 High 25p with closed
 * 50-frame GOPs (IDR first), no B-frames, no scene-cut keyframes, VBV
 * limited; AAC-LC 48 kHz stereo; MP4 with the index at the front. */
#include "house_output.h"

#include <libavutil/opt.h>

static bool open_video_encoder(SqHouseOutput *o, const SqProfile *profile, GError **error)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "FFmpeg was built without libx264");
        return false;
    }
    AVCodecContext *c = o->venc = avcodec_alloc_context3(codec);
    c->width = profile->width;
    c->height = profile->height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = (AVRational){1, SQ_FPS};
    c->framerate = (AVRational){SQ_FPS, 1};
    c->sample_aspect_ratio = (AVRational){1, 1};
    c->gop_size = SQ_HOUSE_GOP_FRAMES;
    c->keyint_min = SQ_HOUSE_GOP_FRAMES;
    c->max_b_frames = 0;
    c->profile = FF_PROFILE_H264_HIGH;
    c->rc_max_rate = (int64_t)profile->maxrate_kbps * 1000;
    c->rc_buffer_size = profile->bufsize_kbps * 1000;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->colorspace = AVCOL_SPC_BT709;
    c->color_range = AVCOL_RANGE_MPEG;
    c->field_order = AV_FIELD_PROGRESSIVE;
    c->flags |= AV_CODEC_FLAG_CLOSED_GOP;
    if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    c->thread_count = 0;

    AVDictionary *opts = NULL;
    av_dict_set(&opts, "preset", profile->x264_preset, 0);
    av_dict_set_int(&opts, "crf", profile->crf, 0);
    /* The GOP rules are stated to x264 directly so no wrapper default can
     * loosen them: every 50th frame an IDR and no other keyframe. */
    av_dict_set(&opts, "x264-params",
                "keyint=50:min-keyint=50:scenecut=0:open-gop=0:bframes=0:nal-hrd=vbr", 0);
    int ret = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "H.264 encoder");
        return false;
    }
    o->vst = avformat_new_stream(o->fmt, NULL);
    avcodec_parameters_from_context(o->vst->codecpar, c);
    o->vst->time_base = (AVRational){1, 12800};
    o->vst->avg_frame_rate = c->framerate;
    return true;
}

static bool open_audio_encoder(SqHouseOutput *o, const SqProfile *profile, GError **error)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("aac");
    AVCodecContext *c = o->aenc = avcodec_alloc_context3(codec);
    c->sample_rate = SQ_AUDIO_RATE;
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&c->ch_layout, 2);
    c->bit_rate = (int64_t)profile->audio_kbps * 1000;
    c->profile = FF_PROFILE_AAC_LOW;
    c->time_base = (AVRational){1, SQ_AUDIO_RATE};
    if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "AAC encoder");
        return false;
    }
    o->ast = avformat_new_stream(o->fmt, NULL);
    avcodec_parameters_from_context(o->ast->codecpar, c);
    o->ast->time_base = c->time_base;
    return true;
}

bool house_output_open(SqHouseOutput *o, const char *path, const SqProfile *profile, GError **error)
{
    memset(o, 0, sizeof(*o));
    o->pkt = av_packet_alloc();
    o->chunk = av_frame_alloc();
    int ret = avformat_alloc_output_context2(&o->fmt, NULL, "mp4", path);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "MP4 muxer");
        return false;
    }
    if (!open_video_encoder(o, profile, error) || !open_audio_encoder(o, profile, error))
        return false;
    ret = avio_open(&o->fmt->pb, path, AVIO_FLAG_WRITE);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_IO, path);
        return false;
    }
    AVDictionary *opts = NULL;
    /* The index first: catch-up players and playout open it without
     * seeking to the end. */
    av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(o->fmt, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_IO, "writing the MP4 header");
        return false;
    }
    o->header_written = true;
    return true;
}

/* Tracks the highest video rate over any 25 consecutive frames (one
 * second), which the playout mux rate must exceed. */
static void note_video_size(SqHouseOutput *o, int size)
{
    int slot = (int)(o->video_packets % SQ_FPS);
    o->window_bytes += size - o->window[slot];
    o->window[slot] = size;
    o->video_packets++;
    if (o->window_bytes > o->peak_window_bytes)
        o->peak_window_bytes = o->window_bytes;
}

static bool drain(SqHouseOutput *o, AVCodecContext *enc, AVStream *st, GError **error)
{
    int ret;
    while ((ret = avcodec_receive_packet(enc, o->pkt)) >= 0) {
        if (st == o->vst)
            note_video_size(o, o->pkt->size);
        o->pkt->stream_index = st->index;
        av_packet_rescale_ts(o->pkt, enc->time_base, st->time_base);
        ret = av_interleaved_write_frame(o->fmt, o->pkt);
        if (ret < 0) {
            set_av_error(error, ret, SQ_ERROR_IO, "writing the asset");
            return false;
        }
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "encoder");
        return false;
    }
    return true;
}

bool house_output_video(SqHouseOutput *o, AVFrame *frame, GError **error)
{
    if (frame) {
        frame->pts = o->video_frames++;
        frame->pict_type = AV_PICTURE_TYPE_NONE;
    }
    int ret = avcodec_send_frame(o->venc, frame);
    if (ret < 0 && ret != AVERROR_EOF) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "H.264 encoder");
        return false;
    }
    return drain(o, o->venc, o->vst, error);
}

bool house_output_audio(SqHouseOutput *o, AVFrame *frame, GError **error)
{
    if (frame) {
        frame->pts = o->audio_samples;
        o->audio_samples += frame->nb_samples;
    }
    int ret = avcodec_send_frame(o->aenc, frame);
    if (ret < 0 && ret != AVERROR_EOF) {
        set_av_error(error, ret, SQ_ERROR_INTERNAL, "AAC encoder");
        return false;
    }
    return drain(o, o->aenc, o->ast, error);
}

bool house_output_audio_from_fifo(SqHouseOutput *o, AVAudioFifo *fifo, int64_t until, bool last,
                                  GError **error)
{
    const int frame_size = o->aenc->frame_size;
    for (;;) {
        int64_t room = until - o->audio_samples;
        int available = av_audio_fifo_size(fifo);
        if (!last && (room < frame_size || available < frame_size))
            return true;
        int n = (int)MIN((int64_t)frame_size, room);
        if (n <= 0)
            return true;
        av_frame_unref(o->chunk);
        o->chunk->nb_samples = n;
        o->chunk->format = AV_SAMPLE_FMT_FLTP;
        o->chunk->sample_rate = SQ_AUDIO_RATE;
        av_channel_layout_default(&o->chunk->ch_layout, 2);
        if (av_frame_get_buffer(o->chunk, 0) < 0) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "out of memory");
            return false;
        }
        av_samples_set_silence(o->chunk->extended_data, 0, n, 2, AV_SAMPLE_FMT_FLTP);
        av_audio_fifo_read(fifo, (void **)o->chunk->extended_data, MIN(available, n));
        if (!house_output_audio(o, o->chunk, error))
            return false;
    }
}

bool house_output_finish(SqHouseOutput *o, GError **error)
{
    if (!house_output_video(o, NULL, error) || !house_output_audio(o, NULL, error))
        return false;
    int ret = av_write_trailer(o->fmt);
    o->header_written = false;
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_IO, "finishing the asset");
        return false;
    }
    ret = avio_closep(&o->fmt->pb);
    if (ret < 0) {
        set_av_error(error, ret, SQ_ERROR_IO, "closing the asset");
        return false;
    }
    return true;
}

int house_output_peak_kbps(const SqHouseOutput *o)
{
    return (int)(o->peak_window_bytes * 8 / 1000);
}

void house_output_close(SqHouseOutput *o)
{
    if (o->fmt) {
        if (o->fmt->pb)
            avio_closep(&o->fmt->pb);
        avformat_free_context(o->fmt);
    }
    avcodec_free_context(&o->venc);
    avcodec_free_context(&o->aenc);
    av_packet_free(&o->pkt);
    av_frame_free(&o->chunk);
    memset(o, 0, sizeof(*o));
}
