/* Black and silence detection: per-frame verdicts, runs, and the findings
 * made of them (ingest/detect.c). */
#include "ingest/ingest_private.h"

#include <math.h>
#include <string.h>

static GArray *feed_pattern(const char *pattern, int64_t min_length)
{
    SqRunDetector d;
    run_detector_init(&d, min_length);
    for (const char *p = pattern; *p; p++)
        run_detector_feed(&d, *p == '#');
    run_detector_finish(&d);
    g_assert_cmpint(d.position, ==, (int64_t)strlen(pattern));
    GArray *runs = g_steal_pointer(&d.runs);
    run_detector_clear(&d);
    return runs;
}

static void assert_run(const GArray *runs, guint i, int64_t start, int64_t length)
{
    g_assert_cmpuint(i, <, runs->len);
    const SqRun *r = &g_array_index(runs, SqRun, i);
    g_assert_cmpint(r->start, ==, start);
    g_assert_cmpint(r->length, ==, length);
}

static void test_runs(void)
{
    /* Runs at the start, inside and open at the end; short ones dropped. */
    GArray *runs = feed_pattern("###..#..####.##...#####", 3);
    g_assert_cmpuint(runs->len, ==, 3);
    assert_run(runs, 0, 0, 3);
    assert_run(runs, 1, 8, 4);
    assert_run(runs, 2, 18, 5);
    g_array_free(runs, TRUE);

    runs = feed_pattern("", 1);
    g_assert_cmpuint(runs->len, ==, 0);
    g_array_free(runs, TRUE);

    runs = feed_pattern("##########", 10);
    g_assert_cmpuint(runs->len, ==, 1);
    assert_run(runs, 0, 0, 10);
    g_array_free(runs, TRUE);

    runs = feed_pattern("#########.", 10);
    g_assert_cmpuint(runs->len, ==, 0);
    g_array_free(runs, TRUE);

    /* Finishing twice closes nothing twice. */
    SqRunDetector d;
    run_detector_init(&d, 1);
    run_detector_feed(&d, true);
    run_detector_finish(&d);
    run_detector_finish(&d);
    g_assert_cmpuint(d.runs->len, ==, 1);
    run_detector_clear(&d);
    run_detector_clear(&d);
}

enum { W = 64, H = 36, STRIDE = 80 };

static void fill(uint8_t *plane, uint8_t value)
{
    memset(plane, value, STRIDE * H);
}

static void test_luma_is_black(void)
{
    g_autofree uint8_t *plane = g_malloc(STRIDE * H);
    fill(plane, 16);
    g_assert_true(luma_is_black(plane, STRIDE, W, H));
    /* Noise just above video black is still black. */
    for (int i = 0; i < STRIDE * H; i++)
        plane[i] = (uint8_t)(16 + i % 17);
    g_assert_true(luma_is_black(plane, STRIDE, W, H));
    fill(plane, 16);
    /* Bytes past the width (line padding) do not count. */
    for (int y = 0; y < H; y++)
        memset(plane + y * STRIDE + W, 235, STRIDE - W);
    g_assert_true(luma_is_black(plane, STRIDE, W, H));
    /* A grey picture, a dark grey one, and a bright caption on black. */
    fill(plane, 126);
    g_assert_false(luma_is_black(plane, STRIDE, W, H));
    fill(plane, 40);
    g_assert_false(luma_is_black(plane, STRIDE, W, H));
    fill(plane, 16);
    for (int y = H / 2; y < H / 2 + 4; y++)
        memset(plane + y * STRIDE + 8, 235, W - 16);
    g_assert_false(luma_is_black(plane, STRIDE, W, H));
    /* A pillarboxed picture is not black. */
    fill(plane, 16);
    for (int y = 0; y < H; y++)
        memset(plane + y * STRIDE + W / 8, 120, W * 3 / 4);
    g_assert_false(luma_is_black(plane, STRIDE, W, H));
    g_assert_false(luma_is_black(plane, STRIDE, 0, 0));
}

static void test_audio_is_silent(void)
{
    enum { N = 1920 };
    float left[N] = {0}, right[N] = {0};
    const float *planes[2] = {left, right};
    g_assert_true(audio_is_silent(planes, 2, N));
    /* -66 dBFS hiss is silence; one sample at -60 dBFS is not. */
    for (int i = 0; i < N; i++)
        left[i] = right[i] = 0.0005f * sinf((float)i * 0.3f);
    g_assert_true(audio_is_silent(planes, 2, N));
    right[N - 1] = 0.001f;
    g_assert_false(audio_is_silent(planes, 2, N));
    right[N - 1] = -0.5f;
    g_assert_false(audio_is_silent(planes, 2, N));
    /* Only the channels and samples named are read. */
    g_assert_true(audio_is_silent(planes, 1, N));
    g_assert_true(audio_is_silent(planes, 2, N - 1));
    g_assert_true(audio_is_silent(planes, 2, 0));
}

static GArray *runs_of(const SqRun *list, guint n)
{
    GArray *runs = g_array_new(FALSE, FALSE, sizeof(SqRun));
    g_array_append_vals(runs, list, n);
    return runs;
}

static const SqFinding *finding(GPtrArray *findings, guint i)
{
    g_assert_cmpuint(i, <, findings->len);
    return findings->pdata[i];
}

static void test_findings(void)
{
    g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func((GDestroyNotify)finding_free);
    /* 100 frames in 250: 75 at the start, 51 inside, 30 inside, 65 at the end. */
    const SqRun list[] = {{0, 75}, {90, 51}, {150, 30}, {185, 65}};
    GArray *runs = runs_of(list, G_N_ELEMENTS(list));
    findings_add_runs(findings, "silence", runs, 250, 50, 50);
    g_assert_cmpuint(findings->len, ==, 3);
    const SqFinding *f = finding(findings, 0);
    g_assert_cmpstr(f->code, ==, "silence_start");
    g_assert_cmpint(f->start_frames, ==, 0);
    g_assert_cmpint(f->length_frames, ==, 75);
    g_assert_cmpstr(f->message, ==, "3.00 s of silence at the start");
    f = finding(findings, 1);
    g_assert_cmpstr(f->code, ==, "silence_inside");
    g_assert_cmpint(f->start_frames, ==, 90);
    g_assert_cmpint(f->length_frames, ==, 51);
    g_assert_cmpstr(f->message, ==, "2.04 s of silence inside, from 00:00:03.15");
    f = finding(findings, 2);
    g_assert_cmpstr(f->code, ==, "silence_end");
    g_assert_cmpint(f->start_frames, ==, 185);
    g_assert_cmpint(f->length_frames, ==, 65);
    g_assert_cmpstr(f->message, ==, "2.60 s of silence at the end");
    g_array_free(runs, TRUE);

    /* Edges must be longer than edge_min (2 s = 50 frames is not over
     * 2 s); inside_min <= 0 turns inside reports off. */
    g_ptr_array_set_size(findings, 0);
    const SqRun exact[] = {{0, 50}, {100, 120}, {200, 50}};
    runs = runs_of(exact, G_N_ELEMENTS(exact));
    findings_add_runs(findings, "black", runs, 250, 50, 0);
    g_assert_cmpuint(findings->len, ==, 0);
    g_array_free(runs, TRUE);

    /* A run covering everything is reported once, at the start. */
    const SqRun all[] = {{0, 250}};
    runs = runs_of(all, 1);
    findings_add_runs(findings, "black", runs, 250, 50, 250);
    g_assert_cmpuint(findings->len, ==, 1);
    g_assert_cmpstr(finding(findings, 0)->code, ==, "black_start");
    g_assert_cmpint(finding(findings, 0)->length_frames, ==, 250);
    g_array_free(runs, TRUE);

    /* A run past the end (audio longer than video) still counts as the end. */
    g_ptr_array_set_size(findings, 0);
    const SqRun past[] = {{200, 80}};
    runs = runs_of(past, 1);
    findings_add_runs(findings, "silence", runs, 250, 50, 250);
    g_assert_cmpuint(findings->len, ==, 1);
    g_assert_cmpstr(finding(findings, 0)->code, ==, "silence_end");
    g_array_free(runs, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ingest/detect/runs", test_runs);
    g_test_add_func("/ingest/detect/luma-is-black", test_luma_is_black);
    g_test_add_func("/ingest/detect/audio-is-silent", test_audio_is_silent);
    g_test_add_func("/ingest/detect/findings", test_findings);
    return g_test_run();
}
