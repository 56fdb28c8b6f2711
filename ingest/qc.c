/* Quality control before anything is written: the checks that refuse a
 * source. Each is one entry of the table; the first failure wins. What is
 * noticed without refusing (black, silence) is in detect.c. */
#include "ingest_private.h"

#define MIN_LESSON_US (10 * SQ_SECOND_US)
#define MIN_FILLER_US (1 * SQ_SECOND_US)
#define MAX_SOURCE_US (3 * 3600 * SQ_SECOND_US)

typedef struct {
    const char *name;
    /* Returns a refusal reason (caller frees), or NULL when the source passes. */
    char *(*check)(const SqMedia *media, const SqLessonMeta *meta);
} QcCheck;

static char *check_video(const SqMedia *media, const SqLessonMeta *meta)
{
    (void)meta;
    if (media->video_index < 0)
        return g_strdup("no video stream");
    if (media->width <= 0 || media->height <= 0)
        return g_strdup("video stream has no picture size");
    return NULL;
}

static char *check_audio(const SqMedia *media, const SqLessonMeta *meta)
{
    (void)meta;
    if (media->audio_index < 0)
        return g_strdup("no audio stream");
    if (media->audio_channels < 1 || media->audio_rate <= 0)
        return g_strdup("audio stream has no channels or sample rate");
    return NULL;
}

static char *check_duration(const SqMedia *media, const SqLessonMeta *meta)
{
    int64_t min_us = sq_lesson_meta_is_filler(meta) ? MIN_FILLER_US : MIN_LESSON_US;
    double seconds = (double)media->duration_us / SQ_SECOND_US;
    if (media->duration_us <= 0)
        return g_strdup("duration unknown (damaged or truncated)");
    if (media->duration_us < min_us)
        return g_strdup_printf("too short: %.1f s, the minimum is %d s", seconds,
                               (int)(min_us / SQ_SECOND_US));
    if (media->duration_us > MAX_SOURCE_US)
        return g_strdup_printf("too long: %.0f s, the maximum is 3 h", seconds);
    return NULL;
}

static char *check_frame_rate(const SqMedia *media, const SqLessonMeta *meta)
{
    (void)meta;
    AVRational r = media->frame_rate;
    if (r.num <= 0 || r.den <= 0)
        return NULL; /* variable or unknown: the fps filter copes */
    double fps = av_q2d(r);
    if (fps < 10.0 || fps > 121.0)
        return g_strdup_printf("frame rate %.3f fps is not a video recording", fps);
    return NULL;
}

static const QcCheck checks[] = {
    {"video", check_video},
    {"audio", check_audio},
    {"duration", check_duration},
    {"frame-rate", check_frame_rate},
};

bool qc_check_source(const SqMedia *media, const SqLessonMeta *meta, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
        g_autofree char *reason = checks[i].check(media, meta);
        if (reason) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: %s", media->name, reason);
            return false;
        }
    }
    return true;
}
