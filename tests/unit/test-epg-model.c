/* The guide model (epg/model.c) and folding plan items into programmes
 * (epg/fold.c). */
#include "test-epg-fixture.h"

static SqEpgGuide *one_channel(void)
{
    SqEpgGuide *g = sq_epg_guide_new("t");
    SqEpgChannel c = {.id = "balapan",
                      .name_kk = "Балапан",
                      .language = "kk",
                      .timezone = "Asia/Almaty",
                      .service_id = 101};
    g_assert_true(sq_epg_guide_add_channel(g, &c, NULL));
    return g;
}

static void assert_refused_channel(SqEpgChannel c, const char *message)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_epg_guide_add_channel(g, &c, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
    g_assert_cmpstr(error->message, ==, message);
}

static void test_channel_refusals(void)
{
    SqEpgChannel ok = {.id = "x", .name_kk = "X", .language = "kk", .timezone = "Asia/Almaty"};
    SqEpgChannel c = ok;
    c.id = "balapan";
    assert_refused_channel(c, "channel 'balapan' is in the guide twice");
    c = ok;
    c.id = "Bad Id";
    assert_refused_channel(c, "channel id 'Bad Id' is not an identifier");
    c = ok;
    c.language = "en";
    assert_refused_channel(c, "channel 'x': language 'en' is not kk or ru");
    c = ok;
    c.name_kk = "";
    assert_refused_channel(c, "channel 'x' has no name");
    c = ok;
    c.timezone = "Mars/Olympus";
    assert_refused_channel(c, "channel 'x': unknown time zone 'Mars/Olympus'");
}

static bool add(SqEpgGuide *g, int64_t start, int64_t end, const char *title, GError **error)
{
    SqEpgProgramme p = {.channel_id = "balapan",
                        .start_us = start,
                        .end_us = end,
                        .kind = title ? SQ_EPG_KIND_LESSON : SQ_EPG_KIND_BREAK,
                        .title_kk = title};
    return sq_epg_guide_add_programme(g, &p, error);
}

static void test_programmes_sorted_and_checked(void)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    int64_t h9 = T(2026, 9, 1, 4, 0);
    int64_t m = 60 * SQ_SECOND_US;
    g_assert_true(add(g, h9 + 30 * m, h9 + 60 * m, "B", NULL));
    g_assert_true(add(g, h9, h9 + 30 * m, "A", NULL)); /* before, back to back */
    g_assert_true(add(g, h9 + 90 * m, h9 + 100 * m, NULL, NULL));
    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(g, "balapan", &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(list[0]->title_kk, ==, "A");
    g_assert_cmpstr(list[1]->title_kk, ==, "B");
    g_assert_cmpint(list[2]->kind, ==, SQ_EPG_KIND_BREAK);

    g_autoptr(GError) error = NULL;
    g_assert_false(add(g, h9 + 50 * m, h9 + 70 * m, "C", &error));
    g_assert_cmpstr(error->message, ==,
                    "channel 'balapan': programme at 2026-09-01T04:50:00+00:00 overlaps the one "
                    "at 2026-09-01T04:30:00+00:00");
    g_clear_error(&error);
    g_assert_false(add(g, h9 + 61 * m, h9 + 95 * m, "C", &error));
    g_assert_nonnull(strstr(error->message, "overlaps the one at 2026-09-01T05:30:00"));
    g_clear_error(&error);
    g_assert_false(add(g, h9 + 200 * m, h9 + 200 * m, "C", &error));
    g_assert_cmpstr(error->message, ==,
                    "channel 'balapan': programme at 2026-09-01T07:20:00+00:00 ends before it "
                    "starts");
    g_clear_error(&error);
    SqEpgProgramme lost = {.channel_id = "nowhere", .start_us = 0, .end_us = 1};
    g_assert_false(sq_epg_guide_add_programme(g, &lost, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND);
    g_assert_cmpuint((sq_epg_guide_programmes(g, "balapan", &n), n), ==, 3);
}

static void test_lesson_needs_title(void)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    g_autoptr(GError) error = NULL;
    SqEpgProgramme p = {.channel_id = "balapan",
                        .start_us = 0,
                        .end_us = SQ_SECOND_US,
                        .kind = SQ_EPG_KIND_LESSON,
                        .title_kk = ""};
    g_assert_false(sq_epg_guide_add_programme(g, &p, &error));
    g_assert_cmpstr(error->message, ==,
                    "channel 'balapan': lesson at 1970-01-01T00:00:00+00:00 has no title in any "
                    "language");
}

static void test_event_ids(void)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    int64_t h9 = T(2026, 9, 1, 4, 0);
    int64_t s = SQ_SECOND_US;
    g_assert_true(add(g, h9, h9 + 20 * s, "A", NULL));
    g_assert_true(add(g, h9 + 20 * s, h9 + 40 * s, "B", NULL)); /* same minute */
    g_assert_true(add(g, h9 + 40 * s, h9 + 90 * s, "C", NULL)); /* same minute again */
    g_assert_true(add(g, h9 + 600 * s, h9 + 900 * s, "D", NULL));
    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(g, "balapan", &n);
    uint16_t base = (uint16_t)((h9 / (60 * s)) % 65536);
    g_assert_cmpuint(sq_epg_event_id(g, list[0]), ==, base);
    g_assert_cmpuint(sq_epg_event_id(g, list[1]), ==, (uint16_t)(base + 1));
    g_assert_cmpuint(sq_epg_event_id(g, list[2]), ==, (uint16_t)(base + 2));
    g_assert_cmpuint(sq_epg_event_id(g, list[3]), ==, (uint16_t)(base + 10));
    /* Stable: another guide with D alone gives D the same id. */
    g_autoptr(SqEpgGuide) g2 = one_channel();
    g_assert_true(add(g2, h9 + 600 * s, h9 + 900 * s, "D", NULL));
    g_assert_cmpuint(sq_epg_event_id(g2, sq_epg_guide_programmes(g2, "balapan", &n)[0]), ==,
                     (uint16_t)(base + 10));
}

static void test_subtitles(void)
{
    SqEpgProgramme p = {.kind = SQ_EPG_KIND_LESSON,
                        .grade = 5,
                        .lesson_number = 12,
                        .subject_kk = "Математика",
                        .subject_ru = "Математика"};
    g_autofree char *kk = sq_epg_programme_subtitle(&p, "kk");
    g_autofree char *ru = sq_epg_programme_subtitle(&p, "ru");
    g_assert_cmpstr(kk, ==, "5-сынып · Математика · 12-сабақ");
    g_assert_cmpstr(ru, ==, "5 класс · Математика · урок 12");
    p.subject_ru = NULL; /* falls back to the other language's subject name */
    g_autofree char *ru2 = sq_epg_programme_subtitle(&p, "ru");
    g_assert_cmpstr(ru2, ==, "5 класс · Математика · урок 12");
    p.kind = SQ_EPG_KIND_BREAK;
    g_assert_null(sq_epg_programme_subtitle(&p, "kk"));
}

static void test_copy(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(SqEpgGuide) c = sq_epg_guide_copy(g);
    size_t n1 = 0, n2 = 0;
    const SqEpgProgramme *const *a = sq_epg_guide_programmes(g, "balapan", &n1);
    const SqEpgProgramme *const *b = sq_epg_guide_programmes(c, "balapan", &n2);
    g_assert_cmpuint(n1, ==, n2);
    for (size_t i = 0; i < n1; i++) {
        g_assert_cmpint(a[i]->start_us, ==, b[i]->start_us);
        g_assert_cmpstr(a[i]->title_kk, ==, b[i]->title_kk);
        g_assert_true(a[i]->title_kk != b[i]->title_kk || a[i]->title_kk == NULL);
        g_assert_cmpuint(sq_epg_event_id(g, a[i]), ==, sq_epg_event_id(c, b[i]));
    }
}

/* ---- folding ---------------------------------------------------------- */

#define MIN_US (60 * SQ_SECOND_US)

static SqEpgPlanItem item(int64_t start_min, int64_t end_min, SqEpgItemKind kind, bool hard,
                          const char *title)
{
    int64_t base = T(2026, 9, 1, 4, 0);
    return (SqEpgPlanItem){.start_us = base + start_min * MIN_US,
                           .end_us = base + end_min * MIN_US,
                           .kind = kind,
                           .is_hard_start = hard,
                           .title_kk = title,
                           .grade = 1,
                           .lesson_number = 1,
                           .language = "kk"};
}

static void assert_programme(const SqEpgProgramme *p, int64_t start_min, int64_t end_min,
                             SqEpgKind kind, const char *title)
{
    int64_t base = T(2026, 9, 1, 4, 0);
    g_assert_cmpint((p->start_us - base) / MIN_US, ==, start_min);
    g_assert_cmpint((p->end_us - base) / MIN_US, ==, end_min);
    g_assert_cmpint(p->kind, ==, kind);
    g_assert_cmpstr(p->title_kk, ==, title);
}

static void test_fold(void)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    SqEpgPlanItem items[] = {
        item(-20, -10, SQ_EPG_ITEM_OTHER, false, NULL), /* day start: a break */
        item(-10, 0, SQ_EPG_ITEM_OTHER, false, NULL),
        item(0, 28, SQ_EPG_ITEM_LESSON, true, "A"),
        item(28, 29, SQ_EPG_ITEM_OTHER, false, NULL), /* 2 min of filler: folded into A */
        item(29, 30, SQ_EPG_ITEM_OTHER, false, NULL),
        item(30, 55, SQ_EPG_ITEM_LESSON, true, "B"),
        item(55, 70, SQ_EPG_ITEM_OTHER, false, NULL), /* 15 min: a break of its own */
        item(70, 100, SQ_EPG_ITEM_REPEAT, true, "C"),
        item(100, 102, SQ_EPG_ITEM_OTHER, false, NULL), /* short, but a hard start splits it */
        item(102, 104, SQ_EPG_ITEM_OTHER, true, NULL),
        item(110, 140, SQ_EPG_ITEM_LESSON, true, "D"),  /* after a gap */
        item(140, 141, SQ_EPG_ITEM_OTHER, false, NULL), /* end of the items: folded */
    };
    g_autoptr(GError) error = NULL;
    g_assert_true(sq_epg_fold(g, "balapan", items, G_N_ELEMENTS(items), &error));
    g_assert_no_error(error);
    size_t n = 0;
    const SqEpgProgramme *const *p = sq_epg_guide_programmes(g, "balapan", &n);
    g_assert_cmpuint(n, ==, 7);
    assert_programme(p[0], -20, 0, SQ_EPG_KIND_BREAK, NULL);
    assert_programme(p[1], 0, 30, SQ_EPG_KIND_LESSON, "A");
    assert_programme(p[2], 30, 55, SQ_EPG_KIND_LESSON, "B");
    assert_programme(p[3], 55, 70, SQ_EPG_KIND_BREAK, NULL);
    assert_programme(p[4], 70, 102, SQ_EPG_KIND_REPEAT, "C");
    assert_programme(p[5], 102, 104, SQ_EPG_KIND_BREAK, NULL);
    assert_programme(p[6], 110, 141, SQ_EPG_KIND_LESSON, "D");
}

static void test_fold_refuses_bad_item(void)
{
    g_autoptr(SqEpgGuide) g = one_channel();
    SqEpgPlanItem items[] = {item(0, 10, SQ_EPG_ITEM_LESSON, true, "A"),
                             item(10, 10, SQ_EPG_ITEM_OTHER, false, NULL)};
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_epg_fold(g, "balapan", items, 2, &error));
    g_assert_cmpstr(error->message, ==, "channel 'balapan': plan item 2 ends before it starts");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epg/model/channel-refusals", test_channel_refusals);
    g_test_add_func("/epg/model/programmes", test_programmes_sorted_and_checked);
    g_test_add_func("/epg/model/lesson-needs-title", test_lesson_needs_title);
    g_test_add_func("/epg/model/event-ids", test_event_ids);
    g_test_add_func("/epg/model/subtitles", test_subtitles);
    g_test_add_func("/epg/model/copy", test_copy);
    g_test_add_func("/epg/fold/rules", test_fold);
    g_test_add_func("/epg/fold/bad-item", test_fold_refuses_bad_item);
    return g_test_run();
}
