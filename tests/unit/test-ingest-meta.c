/* Lesson and filler metadata validation (ingest/meta.c), QC refusal rules
 * that need no media (ingest/qc.c), and the profiles (ingest/profile.c). */
#include "ingest/ingest_private.h"

#include <string.h>

static SqLessonMeta lesson(void)
{
    return (SqLessonMeta){.subject = "math", .grade = 5, .number = 12, .language = "kk"};
}

static void assert_invalid(const SqLessonMeta *m, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_lesson_meta_validate(m, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
    g_assert_cmpstr(error->message, ==, message);
}

static void test_valid_lesson(void)
{
    SqLessonMeta m = lesson();
    g_assert_true(sq_lesson_meta_validate(&m, NULL));
    g_assert_false(sq_lesson_meta_is_filler(&m));
    m.grade = 1;
    m.language = "ru";
    m.subject = "kazakh-lang";
    m.title = "Әліпби";
    g_assert_true(sq_lesson_meta_validate(&m, NULL));
    m.grade = 11;
    g_assert_true(sq_lesson_meta_validate(&m, NULL));
}

static void test_each_field(void)
{
    SqLessonMeta m = lesson();
    m.grade = 12;
    assert_invalid(&m, "grade 12 is outside 1-11");
    m.grade = 0;
    assert_invalid(&m, "grade 0 is outside 1-11");
    m.grade = SQ_META_ABSENT;
    assert_invalid(&m, "grade is missing");
    m = lesson();
    m.number = SQ_META_ABSENT;
    assert_invalid(&m, "lesson number is missing");
    m.number = -1;
    assert_invalid(&m, "lesson number -1 is outside 1-9999");
    m = lesson();
    m.language = "en";
    assert_invalid(&m, "language 'en' is not kk or ru");
    m.language = NULL;
    assert_invalid(&m, "language is missing (kk or ru)");
    m = lesson();
    m.subject = "Math";
    assert_invalid(&m, "subject 'Math' is not an identifier (lowercase letters, digits, hyphens)");
    m.subject = NULL;
    assert_invalid(&m, "subject is missing");
    m = lesson();
    m.title = "\xff\xfe";
    assert_invalid(&m, "title is not UTF-8");
}

static void test_filler(void)
{
    SqLessonMeta m = {.filler_tags = "ident, promo", .grade = SQ_META_ABSENT};
    g_assert_true(sq_lesson_meta_is_filler(&m));
    g_assert_true(sq_lesson_meta_validate(&m, NULL));
    m.filler_tags = " , ";
    assert_invalid(&m, "a filler needs at least one tag");
    m.filler_tags = "ident Promo";
    assert_invalid(&m, "tag 'Promo' is not an identifier (lowercase letters, digits, hyphens)");
}

static void test_copy_clear(void)
{
    SqLessonMeta src = lesson();
    src.title = "Бөлшектер";
    SqLessonMeta copy = {0};
    sq_lesson_meta_copy(&copy, &src);
    g_assert_cmpstr(copy.title, ==, "Бөлшектер");
    g_assert_true(copy.subject != src.subject);
    sq_lesson_meta_clear(&copy);
    g_assert_null(copy.subject);
    g_assert_cmpint(copy.grade, ==, SQ_META_ABSENT);
}

static SqMedia media_with(int64_t duration_us, int video, int audio)
{
    return (SqMedia){.name = "x.mp4",
                     .video_index = video,
                     .audio_index = audio,
                     .duration_us = duration_us,
                     .width = 320,
                     .height = 240,
                     .frame_rate = {25, 1},
                     .audio_channels = 2,
                     .audio_rate = 48000};
}

static void assert_refused(const SqMedia *media, const SqLessonMeta *meta, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(qc_check_source(media, meta, &error));
    g_assert_cmpstr(error->message, ==, message);
}

static void test_qc_rules(void)
{
    SqLessonMeta m = lesson();
    SqMedia ok = media_with(12 * SQ_SECOND_US, 0, 1);
    g_assert_true(qc_check_source(&ok, &m, NULL));
    SqMedia no_video = media_with(12 * SQ_SECOND_US, -1, 0);
    assert_refused(&no_video, &m, "x.mp4: no video stream");
    SqMedia no_audio = media_with(12 * SQ_SECOND_US, 0, -1);
    assert_refused(&no_audio, &m, "x.mp4: no audio stream");
    SqMedia short_one = media_with(9500000, 0, 1);
    assert_refused(&short_one, &m, "x.mp4: too short: 9.5 s, the minimum is 10 s");
    SqMedia long_one = media_with((3 * 3600 + 1) * SQ_SECOND_US, 0, 1);
    assert_refused(&long_one, &m, "x.mp4: too long: 10801 s, the maximum is 3 h");
    /* A filler may be as short as a second. */
    SqLessonMeta filler = {.filler_tags = "ident"};
    SqMedia ident = media_with(SQ_SECOND_US, 0, 1);
    g_assert_true(qc_check_source(&ident, &filler, NULL));
    SqMedia blip = media_with(SQ_SECOND_US / 2, 0, 1);
    assert_refused(&blip, &filler, "x.mp4: too short: 0.5 s, the minimum is 1 s");
}

static void test_profiles(void)
{
    const SqProfile *hd = sq_profile_lookup("hd1080");
    g_assert_nonnull(hd);
    g_assert_cmpint(hd->width, ==, 1920);
    g_assert_cmpint(hd->height, ==, 1080);
    const SqProfile *test = sq_profile_lookup("test");
    g_assert_cmpint(test->width, ==, 320);
    g_assert_null(sq_profile_lookup("4k"));
    g_assert_null(sq_profile_lookup(NULL));
    g_autofree char *names = sq_profile_names();
    g_assert_nonnull(strstr(names, "hd720"));
    g_setenv("SABAQ_PROFILE", "test", TRUE);
    g_assert_true(sq_profile_default() == test);
    g_setenv("SABAQ_PROFILE", "nonsense", TRUE);
    g_assert_true(sq_profile_default() == hd);
    g_unsetenv("SABAQ_PROFILE");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ingest/meta/valid-lesson", test_valid_lesson);
    g_test_add_func("/ingest/meta/each-field", test_each_field);
    g_test_add_func("/ingest/meta/filler", test_filler);
    g_test_add_func("/ingest/meta/copy-clear", test_copy_clear);
    g_test_add_func("/ingest/qc/rules", test_qc_rules);
    g_test_add_func("/ingest/profiles", test_profiles);
    return g_test_run();
}
