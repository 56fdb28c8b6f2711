/* The arithmetic of the house picture and sound: fitting any display aspect
 * into the profile's frame (ingest/filters.c) and the loudness plan
 * (ingest/analyze.c), without media. */
#include "ingest/ingest_private.h"

#include <math.h>
#include <string.h>

typedef struct {
    const char *what;
    int width, height;
    AVRational sar;
    int frame_width, frame_height;
    int expect_width, expect_height;
} FitCase;

static const FitCase fit_cases[] = {
    /* PAL SD 4:3 (ITU-R BT.601 sample aspect): pillarboxed. */
    {"PAL 4:3", 720, 576, {16, 15}, 1920, 1080, 1440, 1080},
    /* PAL SD anamorphic 16:9: the whole frame. */
    {"PAL 16:9", 720, 576, {64, 45}, 1920, 1080, 1920, 1080},
    {"NTSC 4:3", 720, 480, {8, 9}, 1920, 1080, 1440, 1080},
    {"PAL 4:3 with 704 active", 704, 576, {12, 11}, 1920, 1080, 1440, 1080},
    {"VGA square 4:3", 640, 480, {1, 1}, 1920, 1080, 1440, 1080},
    {"HD", 1920, 1080, {1, 1}, 1920, 1080, 1920, 1080},
    {"HD into 720p", 1920, 1080, {1, 1}, 1280, 720, 1280, 720},
    /* 1088 coded lines are within 1% of 16:9: no 7-pixel bars. */
    {"1920x1088", 1920, 1088, {1, 1}, 1920, 1080, 1920, 1080},
    /* 21:9 cinema: letterboxed. */
    {"21:9", 2560, 1080, {1, 1}, 1920, 1080, 1920, 810},
    {"2.39:1 scope", 1920, 804, {1, 1}, 1920, 1080, 1920, 804},
    /* Unknown sample aspect (0/1) means square. */
    {"unknown SAR", 720, 576, {0, 1}, 1920, 1080, 1350, 1080},
    {"PAL 4:3 into test", 720, 576, {16, 15}, 320, 180, 240, 180},
    {"portrait phone", 1080, 1920, {1, 1}, 1920, 1080, 608, 1080},
    {"odd result made even", 510, 480, {1, 1}, 320, 180, 190, 180},
};

static void test_fit_picture(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fit_cases); i++) {
        const FitCase *c = &fit_cases[i];
        int w = 0, h = 0;
        fit_picture(c->width, c->height, c->sar, c->frame_width, c->frame_height, &w, &h);
        if (w != c->expect_width || h != c->expect_height)
            g_error("%s: %dx%d, expected %dx%d", c->what, w, h, c->expect_width, c->expect_height);
        g_assert_cmpint(w % 2, ==, 0);
        g_assert_cmpint(h % 2, ==, 0);
        g_assert_cmpint(w, <=, c->frame_width);
        g_assert_cmpint(h, <=, c->frame_height);
    }
}

static void test_video_filter_description(void)
{
    const SqProfile *hd = sq_profile_lookup("hd1080");
    g_assert_nonnull(hd);
    SqMedia pal = {.width = 720, .height = 576, .sample_aspect = {16, 15}, .interlaced = true};
    g_autofree char *desc = video_filter_description(&pal, hd);
    /* Deinterlaced to one frame per frame, 25 fps, scaled and padded. */
    g_assert_nonnull(strstr(desc, "bwdif=mode=send_frame"));
    g_assert_nonnull(strstr(desc, "deint=all"));
    g_assert_nonnull(strstr(desc, "fps=fps=25"));
    g_assert_nonnull(strstr(desc, "scale=w=1440:h=1080"));
    g_assert_nonnull(strstr(desc, "pad=w=1920:h=1080"));
    g_assert_nonnull(strstr(desc, "setsar=1"));
    g_assert_true(g_str_has_suffix(desc, "format=yuv420p"));
    SqMedia progressive = {.width = 1280, .height = 720, .sample_aspect = {1, 1}};
    g_autofree char *p = video_filter_description(&progressive, hd);
    g_assert_nonnull(strstr(p, "deint=interlaced"));
    g_assert_nonnull(strstr(p, "scale=w=1920:h=1080"));
}

static void plan_for(double lufs, double peak, SqLoudnessPlan *plan)
{
    SqLoudness measured = {.integrated_lufs = lufs, .true_peak_dbtp = peak};
    loudness_plan(&measured, plan);
}

static void test_loudness_plan(void)
{
    SqLoudnessPlan plan;
    /* Quiet, peaks well below the ceiling after the gain: gain only. */
    plan_for(-30.0, -20.0, &plan);
    g_assert_cmpfloat_with_epsilon(plan.gain_db, 7.0, 1e-9);
    g_assert_false(plan.limit);
    /* Loud: attenuation never needs a limiter. */
    plan_for(-14.0, -0.5, &plan);
    g_assert_cmpfloat_with_epsilon(plan.gain_db, -9.0, 1e-9);
    g_assert_false(plan.limit);
    /* Quiet with peaks: the gain would put them over -1 dBTP. */
    plan_for(-30.0, -5.0, &plan);
    g_assert_cmpfloat_with_epsilon(plan.gain_db, 7.0, 1e-9);
    g_assert_true(plan.limit);
    g_assert_cmpfloat(plan.limit_dbfs, <, SQ_TRUE_PEAK_CEILING);
    /* The margin: half a dB under the ceiling already limits. */
    plan_for(-23.0, -1.6, &plan);
    g_assert_false(plan.limit);
    plan_for(-23.0, -1.4, &plan);
    g_assert_true(plan.limit);
    /* Silence is left alone. */
    plan_for(-70.0, -144.0, &plan);
    g_assert_cmpfloat(plan.gain_db, ==, 0.0);
    g_assert_false(plan.limit);
    /* A near-silent source gets at most 40 dB. */
    plan_for(-68.0, -50.0, &plan);
    g_assert_cmpfloat(plan.gain_db, ==, 40.0);
    g_assert_false(plan.limit);
}

static void test_audio_filter_description(void)
{
    g_autofree char *measure = audio_filter_description(NULL, true);
    g_assert_true(g_str_has_prefix(measure, "aresample=48000"));
    g_assert_nonnull(strstr(measure, "channel_layouts=stereo"));
    g_assert_nonnull(strstr(measure, "ebur128=peak=true"));
    g_assert_null(strstr(measure, "volume"));

    SqLoudnessPlan gain = {.gain_db = 7.0};
    g_autofree char *g = audio_filter_description(&gain, false);
    g_assert_nonnull(strstr(g, "volume=volume=7.000dB"));
    g_assert_null(strstr(g, "alimiter"));
    g_assert_null(strstr(g, "ebur128"));

    SqLoudnessPlan limited = {.gain_db = 9.5, .limit = true, .limit_dbfs = -2.5};
    g_autofree char *l = audio_filter_description(&limited, true);
    const char *volume = strstr(l, "volume=volume=9.500dB");
    const char *limiter = strstr(l, "alimiter=limit=0.74989");
    const char *meter = strstr(l, "ebur128");
    g_assert_nonnull(volume);
    g_assert_nonnull(limiter);
    g_assert_nonnull(meter);
    /* gain, then limiter (at 4x the rate: true peaks), then the meter */
    g_assert_true(volume < limiter && limiter < meter);
    g_assert_nonnull(strstr(l, "aresample=192000,alimiter"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ingest/filters/fit-picture", test_fit_picture);
    g_test_add_func("/ingest/filters/video-description", test_video_filter_description);
    g_test_add_func("/ingest/filters/loudness-plan", test_loudness_plan);
    g_test_add_func("/ingest/filters/audio-description", test_audio_filter_description);
    return g_test_run();
}
