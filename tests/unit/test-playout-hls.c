/* The HLS playlist writer (playout/hls.c) on a temporary folder: the
 * window slides and old files go, sequence numbers continue across a
 * restart with a discontinuity, names a crash left are never reused, and
 * the state file is checked when read. */
#include "playout/playout_private.h"

#include <glib/gstdio.h>
#include <string.h>

static char *read_text(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    char *text = NULL;
    g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
    return text;
}

static void touch(const char *dir, int64_t index)
{
    g_autofree char *name = hls_segment_name(index);
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(p, "x", 1, NULL));
}

static bool exists(const char *dir, int64_t index)
{
    g_autofree char *name = hls_segment_name(index);
    g_autofree char *p = g_build_filename(dir, name, NULL);
    return g_file_test(p, G_FILE_TEST_EXISTS);
}

/* Adds the next segment as splitmuxsink would: its file, then the call. */
static void add(Hls *hls, const char *dir, int64_t pdt_us, int64_t duration_us)
{
    int64_t index = hls_next_index(hls);
    touch(dir, index);
    g_autofree char *name = hls_segment_name(index);
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(hls_add_segment(hls, p, pdt_us, duration_us, &error));
    g_assert_no_error(error);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_window_and_pdt(void)
{
    g_autofree char *dir = g_dir_make_tmp("sq-hls-XXXXXX", NULL);
    g_autoptr(GError) error = NULL;
    Hls *hls = hls_new(dir, 6, 3, &error);
    g_assert_no_error(error);
    int64_t t = G_GINT64_CONSTANT(1788400800000000); /* 2026-09-03T02:00:00Z */
    for (int i = 0; i < 8; i++)
        add(hls, dir, t + i * 6000000, 6000000);
    g_autofree char *m3u8 = read_text(dir, "index.m3u8");
    g_assert_true(g_str_has_prefix(m3u8, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                                         "#EXT-X-MEDIA-SEQUENCE:5\n"));
    g_assert_nonnull(strstr(m3u8, "#EXT-X-PROGRAM-DATE-TIME:2026-09-03T02:00:30.000Z\n"
                                  "#EXTINF:6.000000,\nseg000000005.ts\n"));
    g_assert_cmpint(count(m3u8, "#EXTINF"), ==, 3);
    g_assert_cmpint(count(m3u8, "#EXT-X-PROGRAM-DATE-TIME"), ==, 3);
    g_assert_null(strstr(m3u8, "ENDLIST"));
    g_assert_null(strstr(m3u8, "DISCONTINUITY\n"));
    /* Listed files stay, plus 3 more for players still fetching; older ones go. */
    for (int i = 0; i < 8; i++)
        g_assert_cmpint(exists(dir, i), ==, i >= 2);
    g_assert_true(hls_close(hls, &error));
    g_free(m3u8);
    m3u8 = read_text(dir, "index.m3u8");
    g_assert_true(g_str_has_suffix(m3u8, "seg000000007.ts\n#EXT-X-ENDLIST\n"));
    hls_free(hls);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

static void test_restart_continues(void)
{
    g_autofree char *dir = g_dir_make_tmp("sq-hls-XXXXXX", NULL);
    g_autoptr(GError) error = NULL;
    Hls *hls = hls_new(dir, 6, 4, &error);
    int64_t t = G_GINT64_CONSTANT(1788400800000000);
    for (int i = 0; i < 3; i++)
        add(hls, dir, t + i * 6000000, 6000000);
    /* A crash: the fragment being written (index 3) was never listed. */
    touch(dir, 3);
    hls_free(hls);

    hls = hls_new(dir, 6, 4, &error);
    g_assert_no_error(error);
    g_assert_cmpint(hls_next_index(hls), ==, 4);
    g_assert_false(exists(dir, 3)); /* the half-written file is gone */
    add(hls, dir, t + 60000000, 4000000);
    add(hls, dir, t + 64000000, 6000000);
    g_autofree char *m3u8 = read_text(dir, "index.m3u8");
    /* Sequence numbers count listed segments: 0..4, window of 4 from 1. */
    g_assert_nonnull(strstr(m3u8, "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n"));
    g_assert_nonnull(strstr(m3u8, "seg000000002.ts\n#EXT-X-DISCONTINUITY\n"
                                  "#EXT-X-PROGRAM-DATE-TIME:2026-09-03T02:01:00.000Z\n"
                                  "#EXTINF:4.000000,\nseg000000004.ts\n"));
    g_assert_cmpint(count(m3u8, "#EXT-X-DISCONTINUITY\n"), ==, 1);
    /* When the discontinuity leaves the window, its sequence counts it. */
    for (int i = 0; i < 4; i++)
        add(hls, dir, t + 70000000 + i * 6000000, 6000000);
    g_free(m3u8);
    m3u8 = read_text(dir, "index.m3u8");
    g_assert_nonnull(strstr(m3u8, "#EXT-X-MEDIA-SEQUENCE:5\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
    g_assert_null(strstr(m3u8, "#EXT-X-DISCONTINUITY\n"));
    hls_free(hls);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

static void test_long_segment_raises_target(void)
{
    g_autofree char *dir = g_dir_make_tmp("sq-hls-XXXXXX", NULL);
    g_autoptr(GError) error = NULL;
    Hls *hls = hls_new(dir, 6, 5, &error);
    add(hls, dir, 0, 7600000);
    g_autofree char *m3u8 = read_text(dir, "index.m3u8");
    g_assert_nonnull(strstr(m3u8, "#EXT-X-TARGETDURATION:8\n"));
    hls_free(hls);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

static void test_bad_state_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("sq-hls-XXXXXX", NULL);
    g_autofree char *state = g_build_filename(dir, "hls-state.json", NULL);
    g_assert_true(g_file_set_contents(state, "{\"next_sequence\": \"x\"}", -1, NULL));
    g_autoptr(GError) error = NULL;
    g_assert_null(hls_new(dir, 6, 5, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "not an HLS state file"));
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/playout/hls/window-and-pdt", test_window_and_pdt);
    g_test_add_func("/playout/hls/restart-continues", test_restart_continues);
    g_test_add_func("/playout/hls/long-segment-raises-target", test_long_segment_raises_target);
    g_test_add_func("/playout/hls/bad-state-refused", test_bad_state_refused);
    return g_test_run();
}
