/* Opening a source: what container, which streams, how long. */
#include "ingest_private.h"

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

void ingest_quiet_libav(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        av_log_set_level(g_getenv("SABAQ_AV_LOG") ? AV_LOG_VERBOSE : AV_LOG_QUIET);
        g_once_init_leave(&done, 1);
    }
}

void set_av_error(GError **error, int code, SqErrorCode sq_code, const char *prefix)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof(text));
    g_set_error(error, SQ_ERROR, sq_code, "%s: %s", prefix, text);
}

/* Is there a container format in the first bytes, judged by content
 * alone? The file name is withheld so that "notes.txt" renamed to
 * "notes.mp4" is not taken for MP4 on its extension. */
static bool content_looks_like_media(const char *path)
{
    enum { PROBE_BYTES = 1 << 20 };
    g_autoptr(GMappedFile) mapped = g_mapped_file_new(path, FALSE, NULL);
    if (!mapped)
        return false;
    gsize size = g_mapped_file_get_length(mapped);
    if (size > PROBE_BYTES)
        size = PROBE_BYTES;
    g_autofree uint8_t *buf = g_malloc0(size + AVPROBE_PADDING_SIZE);
    memcpy(buf, g_mapped_file_get_contents(mapped), size);
    AVProbeData pd = {.filename = "", .buf = buf, .buf_size = (int)size};
    int score = 0;
    const AVInputFormat *fmt = av_probe_input_format3(&pd, 1, &score);
    /* Formats that claim almost any bytes (ANSI art, raw streams at the
     * lowest scores) are not a recording. */
    return fmt && score > AVPROBE_SCORE_EXTENSION / 2 && strcmp(fmt->name, "tty") != 0;
}

static bool is_real_video(const AVStream *st)
{
    return st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
           !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

bool media_open(const char *path, SqMedia *media, GError **error)
{
    memset(media, 0, sizeof(*media));
    media->video_index = media->audio_index = -1;
    media->name = path;
    const char *slash = strrchr(path, '/');
    if (slash)
        media->name = slash + 1;

    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: no such file", media->name);
        return false;
    }
    if (!content_looks_like_media(path)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: not a media file", media->name);
        return false;
    }
    int ret = avformat_open_input(&media->fmt, path, NULL, NULL);
    if (ret < 0) {
        g_autofree char *prefix =
            g_strdup_printf("%s: damaged or truncated, cannot be read", media->name);
        set_av_error(error, ret, SQ_ERROR_MEDIA, prefix);
        return false;
    }
    ret = avformat_find_stream_info(media->fmt, NULL);
    if (ret < 0) {
        g_autofree char *prefix =
            g_strdup_printf("%s: damaged or truncated, streams unreadable", media->name);
        set_av_error(error, ret, SQ_ERROR_MEDIA, prefix);
        media_close(media);
        return false;
    }

    int v = av_find_best_stream(media->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (v >= 0 && is_real_video(media->fmt->streams[v])) {
        const AVStream *st = media->fmt->streams[v];
        media->video_index = v;
        media->width = st->codecpar->width;
        media->height = st->codecpar->height;
        media->sample_aspect = av_guess_sample_aspect_ratio(media->fmt, (AVStream *)st, NULL);
        media->frame_rate = av_guess_frame_rate(media->fmt, (AVStream *)st, NULL);
        enum AVFieldOrder fo = st->codecpar->field_order;
        media->colour_matrix_known = st->codecpar->color_space != AVCOL_SPC_UNSPECIFIED;
        media->interlaced =
            fo == AV_FIELD_TT || fo == AV_FIELD_BB || fo == AV_FIELD_TB || fo == AV_FIELD_BT;
    }
    int a = av_find_best_stream(media->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (a >= 0) {
        const AVStream *st = media->fmt->streams[a];
        media->audio_index = a;
        media->audio_channels = st->codecpar->ch_layout.nb_channels;
        media->audio_rate = st->codecpar->sample_rate;
    }

    /* The video stream's own duration is what will be aired; the
     * container's is the fallback. */
    int64_t duration = AV_NOPTS_VALUE;
    if (media->video_index >= 0) {
        const AVStream *st = media->fmt->streams[media->video_index];
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
            duration = av_rescale_q(st->duration, st->time_base, AV_TIME_BASE_Q);
    }
    if (duration == AV_NOPTS_VALUE && media->fmt->duration != AV_NOPTS_VALUE)
        duration = media->fmt->duration;
    media->duration_us = duration == AV_NOPTS_VALUE ? 0 : duration;
    return true;
}

void media_close(SqMedia *media)
{
    if (media->fmt)
        avformat_close_input(&media->fmt);
}
