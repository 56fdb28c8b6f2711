/* The planner (scheduler/, no catalog): grid expansion, the calendar,
 * sequences, filling to the frame, repeats, time zones, conflicts, edits
 * and diffs, on small hand-made stations. */
#include "scheduler/scheduler_private.h"

#include <string.h>

#define MIN_FRAMES(m) ((int64_t)(m)*60 * SQ_FPS)
#define HOUR_US       (G_GINT64_CONSTANT(3600) * SQ_SECOND_US)

/* Fillers: ids 100.. (ident 10 s, ident 7 s, promo 60 s); slate 900. */
static void add_fillers(SqPlanner *p)
{
    const SqAssetSpec fillers[] = {
        {.id = 100, .kind = SQ_ASSET_FILLER, .tags = "ident", .duration_frames = 250},
        {.id = 101, .kind = SQ_ASSET_FILLER, .tags = "ident", .duration_frames = 175},
        {.id = 102, .kind = SQ_ASSET_FILLER, .tags = "promo", .duration_frames = 1500},
        {.id = 103, .kind = SQ_ASSET_FILLER, .tags = "house-loop", .duration_frames = 500},
        {.id = 900, .kind = SQ_ASSET_SLATE, .tags = "slate", .duration_frames = 250},
    };
    for (guint i = 0; i < G_N_ELEMENTS(fillers); i++)
        g_assert_true(sq_planner_add_asset(p, &fillers[i], NULL));
}

/* Lessons math grade 5 numbers 1..n: lesson id 10 + number, kk asset
 * 200 + number, ru asset 300 + number, each 28 minutes. */
static void add_math(SqPlanner *p, int n, bool with_ru)
{
    for (int i = 1; i <= n; i++) {
        sq_planner_add_lesson(p, 10 + i, "math", 5, i);
        SqAssetSpec kk = {.id = 200 + i,
                          .kind = SQ_ASSET_LESSON,
                          .lesson_id = 10 + i,
                          .language = "kk",
                          .duration_frames = MIN_FRAMES(28)};
        g_assert_true(sq_planner_add_asset(p, &kk, NULL));
        if (with_ru) {
            SqAssetSpec ru = kk;
            ru.id = 300 + i;
            ru.language = "ru";
            g_assert_true(sq_planner_add_asset(p, &ru, NULL));
        }
    }
}

static SqPlanner *new_planner(const char *tz)
{
    g_autoptr(GError) error = NULL;
    SqPlanner *p = sq_planner_new(tz, &error);
    g_assert_no_error(error);
    SqChannelSpec ch = {.id = "balapan", .language = "kk", .filler_tags = "ident promo"};
    g_assert_true(sq_planner_add_channel(p, &ch, NULL));
    add_fillers(p);
    return p;
}

static void add_grid(SqPlanner *p, int days, const SqSlotSpec *slots, size_t n)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sq_planner_add_grid(p, "balapan", days, slots, n, &error));
    g_assert_no_error(error);
}

static GPtrArray *build(SqPlanner *p, const char *day, int n)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *days = sq_planner_build(p, "balapan", day, n, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < days->len; i++) {
        g_assert_true(sq_plan_day_check(days->pdata[i], &error));
        g_assert_no_error(error);
    }
    return days;
}

/* The item airing at instant us of a day. */
static const SqPlanItem *at(const SqPlanDay *d, int64_t us)
{
    for (guint i = 0; i < d->items->len; i++) {
        const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, i);
        if (it->start_us <= us && us < it->end_us)
            return it;
    }
    return NULL;
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    g_autoptr(GDateTime) t = g_date_time_new_utc(y, mo, d, h, mi, 0);
    return g_date_time_to_unix(t) * SQ_SECOND_US;
}

static const int MON_TO_FRI = 0x1f;

/* 2026-09-01 is a Tuesday; Almaty is UTC+5 then. */
static void test_grid_expansion(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 10, false);
    const SqSlotSpec slots[] = {
        {.start_s = 9 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
        {.start_s = 9 * 3600 + 1800, .length_frames = MIN_FRAMES(10), .kind = SQ_SLOT_BREAK},
    };
    add_grid(p, MON_TO_FRI, slots, G_N_ELEMENTS(slots));
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    g_assert_cmpint(d->start_us, ==, utc(2026, 8, 31, 19, 0));
    g_assert_cmpint(d->end_us, ==, utc(2026, 9, 1, 19, 0));
    const SqPlanItem *lesson = at(d, utc(2026, 9, 1, 4, 0));
    g_assert_cmpint(lesson->start_us, ==, utc(2026, 9, 1, 4, 0));
    g_assert_cmpint(lesson->kind, ==, SQ_ITEM_LESSON);
    g_assert_true(lesson->is_hard);
    g_assert_cmpint(lesson->number, ==, 1);
    g_assert_cmpint(lesson->asset_id, ==, 201);
    const SqPlanItem *brk = at(d, utc(2026, 9, 1, 4, 30));
    g_assert_cmpint(brk->kind, ==, SQ_ITEM_BREAK);
    g_assert_true(brk->is_hard);
    g_assert_cmpint(brk->start_us, ==, utc(2026, 9, 1, 4, 30));
    /* Outside the grid: the pool, never hard. */
    const SqPlanItem *night = at(d, utc(2026, 9, 1, 0, 0));
    g_assert_cmpint(night->kind, ==, SQ_ITEM_FILLER);
    g_assert_false(night->is_hard);
    /* Saturday is not in the grid: no lesson. */
    g_autoptr(GPtrArray) sat = build(p, "2026-09-05", 1);
    const SqPlanDay *s = sat->pdata[0];
    for (guint i = 0; i < s->items->len; i++)
        g_assert_cmpint(g_array_index(s->items, SqPlanItem, i).kind, ==, SQ_ITEM_FILLER);
}

/* A lesson shorter than its slot is followed by fillers that end exactly at
 * the slot's end; a remainder under 2 s is the slate. */
static void test_fill_exact(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    sq_planner_add_lesson(p, 11, "math", 5, 1);
    /* 28:00 + 1 frame: the rest of a 30:00 slot is 2999 frames. */
    SqAssetSpec a = {.id = 201,
                     .kind = SQ_ASSET_LESSON,
                     .lesson_id = 11,
                     .language = "kk",
                     .duration_frames = MIN_FRAMES(28) + 1};
    g_assert_true(sq_planner_add_asset(p, &a, NULL));
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, MON_TO_FRI, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    int64_t slot_end = utc(2026, 9, 1, 4, 30);
    int64_t filled = 0;
    for (guint i = 0; i < d->items->len; i++) {
        const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, i);
        if (it->slot_start_s != 9 * 3600 || it->kind == SQ_ITEM_LESSON)
            continue;
        g_assert_cmpint(it->end_us, <=, slot_end);
        filled += (it->end_us - it->start_us) / SQ_FRAME_US;
        /* A filler is aired whole or trimmed, never longer than it is. */
        if (it->kind == SQ_ITEM_FILLER) {
            int64_t len = (it->end_us - it->start_us) / SQ_FRAME_US;
            g_assert_cmpint(len, <=, it->asset_id == 102 ? 1500 : it->asset_id == 100 ? 250 : 175);
        }
    }
    g_assert_cmpint(filled, ==, MIN_FRAMES(2) - 1);
    const SqPlanItem *next = at(d, slot_end);
    g_assert_cmpint(next->start_us, ==, slot_end);
}

static void test_fill_slate_remainder(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    SqPlanDay *d = sq_plan_day_new("balapan", "2026-09-01", 0, sq_frames_to_us(1500 + 10));
    Channel *c = planner_channel(p, "balapan");
    /* The rotation at 0 starts with the first pool asset by id (100, 10 s);
     * whatever it picks, 1510 frames end on a remainder rule. */
    fill_gap(d, planner_pool(p, c), 0, d->end_us, SQ_ITEM_FILLER, -1, false);
    g_assert_true(sq_plan_day_check(d, NULL));
    const SqPlanItem *last = &g_array_index(d->items, SqPlanItem, d->items->len - 1);
    int64_t len = (last->end_us - last->start_us) / SQ_FRAME_US;
    /* A remainder under SQ_MIN_TRIM_FRAMES is the slate, not a 0.4 s cut. */
    if (len < SQ_MIN_TRIM_FRAMES && last->kind != SQ_ITEM_SLATE)
        g_assert_cmpint(len, ==, last->asset_id == 100 ? 250 : 175);
    sq_plan_day_free(d);

    /* 9 frames after whole fillers: nothing fits, the slate airs them. */
    d = sq_plan_day_new("balapan", "x", 0, sq_frames_to_us(9));
    fill_gap(d, planner_pool(p, c), 0, d->end_us, SQ_ITEM_FILLER, -1, false);
    g_assert_cmpint(d->items->len, ==, 1);
    g_assert_cmpint(g_array_index(d->items, SqPlanItem, 0).kind, ==, SQ_ITEM_SLATE);
    g_assert_cmpint(g_array_index(d->items, SqPlanItem, 0).asset_id, ==, 900);
    sq_plan_day_free(d);
}

/* Sequences carry across days and skip days without the slot; two
 * channels progress on their own. */
static void test_sequence_across_days(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    SqChannelSpec other = {.id = "el-arna", .language = "kk", .filler_tags = "ident"};
    g_assert_true(sq_planner_add_channel(p, &other, NULL));
    add_math(p, 10, false);
    const SqSlotSpec slots[] = {
        {.start_s = 9 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
        {.start_s = 15 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
    };
    /* Monday and Thursday. */
    add_grid(p, 1 | 8, slots, 2);
    g_assert_true(sq_planner_add_grid(p, "el-arna", 1, slots, 1, NULL));
    g_autoptr(GPtrArray) days = build(p, "2026-09-07", 4); /* Mon..Thu */
    int expected = 1;
    for (guint i = 0; i < days->len; i++) {
        const SqPlanDay *d = days->pdata[i];
        for (guint j = 0; j < d->items->len; j++) {
            const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, j);
            if (it->kind == SQ_ITEM_LESSON)
                g_assert_cmpint(it->number, ==, expected++);
        }
    }
    g_assert_cmpint(expected, ==, 5);
    g_autoptr(GPtrArray) other_days = sq_planner_build(p, "el-arna", "2026-09-07", 1, NULL);
    const SqPlanDay *o = other_days->pdata[0];
    g_assert_cmpint(at(o, utc(2026, 9, 7, 4, 0))->number, ==, 1);
}

/* Holidays and days outside the terms air the holiday rule; the sequence
 * resumes after them. */
static void test_calendar_holiday(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 10, false);
    g_assert_true(sq_planner_add_term(p, "2026-09-01", "2026-10-25", NULL));
    g_assert_true(sq_planner_add_term(p, "2026-11-03", "2026-12-28", NULL));
    g_assert_true(sq_planner_add_holiday(p, "2026-09-02", NULL));
    g_assert_false(sq_planner_add_term(p, "2026-10-01", "2026-09-01", NULL));
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 3);
    g_assert_cmpint(at(days->pdata[0], utc(2026, 9, 1, 4, 0))->number, ==, 1);
    const SqPlanItem *holiday = at(days->pdata[1], utc(2026, 9, 2, 4, 0));
    g_assert_cmpint(holiday->kind, ==, SQ_ITEM_HOLIDAY);
    g_assert_true(holiday->is_hard);
    g_assert_cmpint(at(days->pdata[2], utc(2026, 9, 3, 4, 0))->number, ==, 2);
    /* The autumn break (26 Oct - 2 Nov) is outside the terms. */
    g_autoptr(GPtrArray) autumn = build(p, "2026-10-28", 1);
    g_assert_cmpint(at(autumn->pdata[0], utc(2026, 10, 28, 4, 0))->kind, ==, SQ_ITEM_HOLIDAY);
    g_assert_cmpint(((SqPlanDay *)autumn->pdata[0])->conflicts->len, ==, 0);
}

static void test_holiday_repeats(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SqPlanner) p = sq_planner_new("Asia/Almaty", &error);
    SqChannelSpec ch = {.id = "balapan",
                        .language = "kk",
                        .filler_tags = "ident",
                        .holiday_rule = SQ_HOLIDAY_REPEATS};
    g_assert_true(sq_planner_add_channel(p, &ch, NULL));
    add_fillers(p);
    add_math(p, 10, false);
    g_assert_true(sq_planner_add_holiday(p, "2026-09-02", NULL));
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 3);
    const SqPlanItem *rep = at(days->pdata[1], utc(2026, 9, 2, 4, 0));
    g_assert_cmpint(rep->kind, ==, SQ_ITEM_REPEAT);
    g_assert_cmpint(rep->number, ==, 1);
    g_assert_cmpint(at(days->pdata[2], utc(2026, 9, 3, 4, 0))->number, ==, 2);
}

/* A missing number is a conflict; the slot airs the previous lesson again
 * and the sequence waits for it (no silent skip). */
static void test_missing_lesson(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 2, false);
    sq_planner_add_lesson(p, 14, "math", 5, 4); /* 3 is missing */
    SqAssetSpec four = {.id = 204,
                        .kind = SQ_ASSET_LESSON,
                        .lesson_id = 14,
                        .language = "kk",
                        .duration_frames = MIN_FRAMES(28)};
    g_assert_true(sq_planner_add_asset(p, &four, NULL));
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 4);
    g_assert_cmpint(at(days->pdata[1], utc(2026, 9, 2, 4, 0))->number, ==, 2);
    const SqPlanDay *third = days->pdata[2];
    const SqPlanItem *rep = at(third, utc(2026, 9, 3, 4, 0));
    g_assert_cmpint(rep->kind, ==, SQ_ITEM_REPEAT);
    g_assert_cmpint(rep->number, ==, 2);
    g_assert_cmpint(third->conflicts->len, ==, 1);
    const SqConflict *cf = third->conflicts->pdata[0];
    g_assert_cmpstr(cf->code, ==, "missing-lesson");
    g_assert_cmpint(cf->at_us, ==, utc(2026, 9, 3, 4, 0));
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Asia/Almaty");
    g_autofree char *line = sq_conflict_format(cf, "balapan", tz);
    g_assert_true(g_str_has_prefix(line, "2026-09-03 09:00 balapan: grade 5 math (kk): lesson 3 "
                                         "is not in the catalog"));
    /* Still missing the next day: never a skip to 4. */
    g_assert_cmpint(at(days->pdata[3], utc(2026, 9, 4, 4, 0))->number, ==, 2);
}

static void test_not_approved_and_language(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    sq_planner_add_lesson(p, 11, "math", 5, 1);
    SqAssetSpec ready = {.id = 201,
                         .kind = SQ_ASSET_LESSON,
                         .lesson_id = 11,
                         .language = "kk",
                         .duration_frames = MIN_FRAMES(28),
                         .status = "ready"};
    SqAssetSpec ru = {.id = 301,
                      .kind = SQ_ASSET_LESSON,
                      .lesson_id = 11,
                      .language = "ru",
                      .duration_frames = MIN_FRAMES(28)};
    g_assert_true(sq_planner_add_asset(p, &ready, NULL));
    g_assert_true(sq_planner_add_asset(p, &ru, NULL));
    /* A Kazakh channel with a Russian afternoon slot. */
    const SqSlotSpec slots[] = {
        {.start_s = 9 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
        {.start_s = 14 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math",
         .language = "ru"},
    };
    add_grid(p, 0x7f, slots, 2);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    g_assert_cmpint(d->conflicts->len, ==, 1);
    g_assert_cmpstr(((SqConflict *)d->conflicts->pdata[0])->code, ==, "not-approved");
    /* Nothing aired before: fillers, not a repeat. */
    g_assert_cmpint(at(d, utc(2026, 9, 1, 4, 0))->kind, ==, SQ_ITEM_FILLER);
    const SqPlanItem *afternoon = at(d, utc(2026, 9, 1, 9, 0));
    g_assert_cmpint(afternoon->kind, ==, SQ_ITEM_LESSON);
    g_assert_cmpstr(afternoon->language, ==, "ru");
    g_assert_cmpint(afternoon->asset_id, ==, 301);

    /* Only a Russian recording for a Kazakh slot. */
    g_autoptr(SqPlanner) q = new_planner("Asia/Almaty");
    sq_planner_add_lesson(q, 11, "math", 5, 1);
    g_assert_true(sq_planner_add_asset(q, &ru, NULL));
    add_grid(q, 0x7f, slots, 1);
    g_autoptr(GPtrArray) qd = build(q, "2026-09-01", 1);
    const SqConflict *cf = ((SqPlanDay *)qd->pdata[0])->conflicts->pdata[0];
    g_assert_cmpstr(cf->code, ==, "no-language");
    g_assert_nonnull(strstr(cf->message, "has no kk recording (approved in ru only)"));
}

static void test_too_long(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 1, false);
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(25),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    g_assert_cmpint(d->conflicts->len, ==, 1);
    g_assert_cmpstr(((SqConflict *)d->conflicts->pdata[0])->code, ==, "too-long");
    /* Never cut: the slot airs fillers, and the next item starts on time. */
    for (guint i = 0; i < d->items->len; i++)
        g_assert_cmpint(g_array_index(d->items, SqPlanItem, i).kind, !=, SQ_ITEM_LESSON);
}

/* Repeats air exactly what the referenced slot aired that day. */
static void test_repeat(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 5, false);
    const SqSlotSpec slots[] = {
        {.start_s = 9 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
        {.start_s = 19 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_REPEAT,
         .repeat_of_s = 9 * 3600},
    };
    add_grid(p, 0x7f, slots, 2);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 2);
    for (guint i = 0; i < 2; i++) {
        const SqPlanDay *d = days->pdata[i];
        const SqPlanItem *morning = at(d, d->start_us + 9 * HOUR_US);
        const SqPlanItem *evening = at(d, d->start_us + 19 * HOUR_US);
        g_assert_cmpint(evening->kind, ==, SQ_ITEM_REPEAT);
        g_assert_true(evening->is_hard);
        g_assert_cmpint(evening->asset_id, ==, morning->asset_id);
        g_assert_cmpint(evening->number, ==, (int)i + 1);
    }
    /* A repeat slot naming no lesson slot is refused with the grid. */
    g_autoptr(SqPlanner) q = new_planner("Asia/Almaty");
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_planner_add_grid(q, "balapan", 1, &slots[1], 1, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
}

static void test_grid_checks(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    const SqSlotSpec overlap[] = {
        {.start_s = 9 * 3600, .length_frames = MIN_FRAMES(30), .kind = SQ_SLOT_BREAK},
        {.start_s = 9 * 3600 + 29 * 60, .length_frames = MIN_FRAMES(30), .kind = SQ_SLOT_BREAK},
    };
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_planner_add_grid(p, "balapan", 1, overlap, 2, &error));
    g_assert_nonnull(strstr(error->message, "overlap"));
    g_clear_error(&error);
    const SqSlotSpec midnight = {
        .start_s = 23 * 3600 + 50 * 60, .length_frames = MIN_FRAMES(30), .kind = SQ_SLOT_BREAK};
    g_assert_false(sq_planner_add_grid(p, "balapan", 1, &midnight, 1, &error));
    g_assert_nonnull(strstr(error->message, "midnight"));
    g_clear_error(&error);
    /* Two grids sharing Monday must not overlap; Tuesday-only may. */
    g_assert_true(sq_planner_add_grid(p, "balapan", 1 | 4, overlap, 1, NULL));
    g_assert_false(sq_planner_add_grid(p, "balapan", 1 | 2, &overlap[1], 1, &error));
    g_assert_true(sq_planner_add_grid(p, "balapan", 2, &overlap[1], 1, NULL));
}

/* Almaty was UTC+6 until 1 March 2024 00:00, then UTC+5: the clock went
 * back at midnight, so 29 February 2024 lasted 25 hours, and 09:00 is 03:00
 * UTC before and 04:00 UTC after. */
static void test_time_zone_history(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 5, false);
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2024-02-28", 3);
    const SqPlanDay *before = days->pdata[0], *change = days->pdata[1], *after = days->pdata[2];
    g_assert_cmpint(at(before, utc(2024, 2, 28, 3, 0))->start_us, ==, utc(2024, 2, 28, 3, 0));
    g_assert_cmpint(at(before, utc(2024, 2, 28, 3, 0))->kind, ==, SQ_ITEM_LESSON);
    g_assert_cmpint(change->end_us - change->start_us, ==, 25 * HOUR_US);
    g_assert_cmpint(change->end_us, ==, after->start_us);
    const SqPlanItem *l = at(after, utc(2024, 3, 1, 4, 0));
    g_assert_cmpint(l->start_us, ==, utc(2024, 3, 1, 4, 0));
    g_assert_cmpint(l->kind, ==, SQ_ITEM_LESSON);
    g_assert_cmpint(l->number, ==, 3);
    /* A day shortened by a clock change: Europe/London 2026-03-29 has 23 h,
     * and a slot at 01:30 does not exist that day. */
    g_autoptr(SqPlanner) q = new_planner("Europe/London");
    const SqSlotSpec night = {
        .start_s = 3600 + 1800, .length_frames = MIN_FRAMES(10), .kind = SQ_SLOT_BREAK};
    add_grid(q, 0x7f, &night, 1);
    g_autoptr(GPtrArray) ld = build(q, "2026-03-29", 1);
    const SqPlanDay *spring = ld->pdata[0];
    g_assert_cmpint(spring->end_us - spring->start_us, ==, 23 * HOUR_US);
    g_assert_cmpint(spring->conflicts->len, ==, 1);
    g_assert_cmpstr(((SqConflict *)spring->conflicts->pdata[0])->code, ==, "no-local-time");
}

/* Published days pass through unchanged and carry the sequences. */
static void test_fixed_day(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 10, false);
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) first = build(p, "2026-09-01", 1);
    /* The published day aired lesson 5 (an explicit edit, say). */
    const SqPlanDay *pub = first->pdata[0];
    g_autoptr(GArray) items = g_array_copy(pub->items);
    for (guint i = 0; i < items->len; i++) {
        SqPlanItem *it = &g_array_index(items, SqPlanItem, i);
        if (it->kind == SQ_ITEM_LESSON) {
            it->number = 5;
            it->asset_id = 205;
        }
    }
    g_autoptr(SqPlanner) q = new_planner("Asia/Almaty");
    add_math(q, 10, false);
    add_grid(q, 0x7f, &slot, 1);
    g_assert_true(sq_planner_fix_day(q, "balapan", "2026-09-01", (SqPlanItem *)items->data,
                                     items->len, NULL));
    g_autoptr(GPtrArray) days = build(q, "2026-09-01", 2);
    g_assert_true(((SqPlanDay *)days->pdata[0])->is_fixed);
    g_assert_cmpint(at(days->pdata[0], utc(2026, 9, 1, 4, 0))->number, ==, 5);
    g_assert_cmpint(at(days->pdata[1], utc(2026, 9, 2, 4, 0))->number, ==, 6);
}

static void test_edit(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 10, false);
    const SqSlotSpec slots[] = {
        {.start_s = 9 * 3600,
         .length_frames = MIN_FRAMES(30),
         .kind = SQ_SLOT_LESSON,
         .grade = 5,
         .subject = "math"},
        {.start_s = 9 * 3600 + 1800, .length_frames = MIN_FRAMES(30), .kind = SQ_SLOT_BREAK},
    };
    add_grid(p, 0x7f, slots, 2);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    SqPlanDay *d = days->pdata[0];
    g_autoptr(GArray) before = g_array_copy(d->items);
    g_autoptr(GError) error = NULL;
    /* Lesson 7 instead of lesson 1 at 09:00. */
    int64_t nine = utc(2026, 9, 1, 4, 0);
    g_assert_true(sq_planner_edit_day(p, d, nine, 207, &error));
    g_assert_no_error(error);
    g_assert_true(sq_plan_day_check(d, NULL));
    const SqPlanItem *l = at(d, nine);
    g_assert_cmpint(l->asset_id, ==, 207);
    g_assert_cmpint(l->number, ==, 7);
    g_assert_true(l->is_hard);
    /* The break at 09:30 and everything after it are as they were. */
    g_assert_cmpint(at(d, nine + HOUR_US / 2)->kind, ==, SQ_ITEM_BREAK);
    g_autoptr(GArray) ops = sq_plan_diff(before, d->items);
    int added = 0, removed = 0;
    for (guint i = 0; i < ops->len; i++) {
        const SqPlanDiffOp *op = &g_array_index(ops, SqPlanDiffOp, i);
        added += op->op == '+';
        removed += op->op == '-';
        if (op->op != '=')
            g_assert_cmpint(op->item->start_us, <, nine + HOUR_US / 2);
    }
    g_assert_cmpint(added, >=, 1);
    g_assert_cmpint(removed, >=, 1);
    /* A filler of 60 s at 09:29:30 does not fit before the break. */
    g_assert_false(
        sq_planner_edit_day(p, d, nine + 29 * 60 * SQ_SECOND_US + 30 * SQ_SECOND_US, 102, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_false(sq_planner_edit_day(p, d, nine + 1, 100, &error));
    g_clear_error(&error);
    g_assert_false(sq_planner_edit_day(p, d, nine, 999, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND);
}

static void test_diff_identity(void)
{
    g_autoptr(SqPlanner) p = new_planner("Asia/Almaty");
    add_math(p, 3, false);
    const SqSlotSpec slot = {.start_s = 9 * 3600,
                             .length_frames = MIN_FRAMES(30),
                             .kind = SQ_SLOT_LESSON,
                             .grade = 5,
                             .subject = "math"};
    add_grid(p, 0x7f, &slot, 1);
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    g_autoptr(GArray) ops = sq_plan_diff(d->items, d->items);
    g_assert_cmpint(ops->len, ==, d->items->len);
    for (guint i = 0; i < ops->len; i++)
        g_assert_cmpint(g_array_index(ops, SqPlanDiffOp, i).op, ==, '=');
}

/* No filler of the channel's tags: the house loop fills; with nothing at
 * all, slate items (playout's own slate) and a conflict. */
static void test_pool_fallbacks(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SqPlanner) p = sq_planner_new("Asia/Almaty", &error);
    SqChannelSpec ch = {.id = "balapan", .language = "kk", .filler_tags = "nothing-has-this"};
    g_assert_true(sq_planner_add_channel(p, &ch, NULL));
    g_autoptr(GPtrArray) bare = build(p, "2026-09-01", 1);
    const SqPlanDay *b = bare->pdata[0];
    g_assert_cmpint(b->items->len, ==, 1);
    g_assert_cmpint(g_array_index(b->items, SqPlanItem, 0).kind, ==, SQ_ITEM_SLATE);
    g_assert_cmpint(b->conflicts->len, ==, 1);
    add_fillers(p);
    g_assert_false(sq_planner_channel_has_pool(p, "balapan"));
    g_autoptr(GPtrArray) days = build(p, "2026-09-01", 1);
    const SqPlanDay *d = days->pdata[0];
    for (guint i = 0; i < d->items->len; i++) {
        int64_t id = g_array_index(d->items, SqPlanItem, i).asset_id;
        g_assert_true(id == 103 || id == 900);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/scheduler/grid-expansion", test_grid_expansion);
    g_test_add_func("/scheduler/fill-exact", test_fill_exact);
    g_test_add_func("/scheduler/fill-slate-remainder", test_fill_slate_remainder);
    g_test_add_func("/scheduler/sequence-across-days", test_sequence_across_days);
    g_test_add_func("/scheduler/calendar-holiday", test_calendar_holiday);
    g_test_add_func("/scheduler/holiday-repeats", test_holiday_repeats);
    g_test_add_func("/scheduler/missing-lesson", test_missing_lesson);
    g_test_add_func("/scheduler/not-approved-and-language", test_not_approved_and_language);
    g_test_add_func("/scheduler/too-long", test_too_long);
    g_test_add_func("/scheduler/repeat", test_repeat);
    g_test_add_func("/scheduler/grid-checks", test_grid_checks);
    g_test_add_func("/scheduler/time-zone-history", test_time_zone_history);
    g_test_add_func("/scheduler/fixed-day", test_fixed_day);
    g_test_add_func("/scheduler/edit", test_edit);
    g_test_add_func("/scheduler/diff-identity", test_diff_identity);
    g_test_add_func("/scheduler/pool-fallbacks", test_pool_fallbacks);
    return g_test_run();
}
