/* Properties of the planner over randomized stations and catalogs: for
 * every seed, every day is contiguous to the frame (no overlap, no hole),
 * every slot occurrence has an item starting exactly there, every
 * sequence airs its numbers in order without a skip, and the same inputs
 * give the same plan. Run with -m slow for more seeds (fewer under
 * valgrind: meson.build's test setup says so). */
#include "scheduler/scheduler_private.h"

#include <string.h>

static const char *const subjects[] = {"math", "kazakh-lang", "science"};
static const char *const zones[] = {"Asia/Almaty", "Europe/London", "America/New_York",
                                    "Asia/Kolkata"};

typedef struct {
    int days;
    GArray *slots; /* SqSlotSpec */
} RandomGrid;

/* Everything one seed makes, kept to check the plan against. */
typedef struct {
    const char *zone;
    GPtrArray *grids; /* RandomGrid* */
    char first_day[11];
    int n_days;
} Station;

static void random_grid_free(RandomGrid *g)
{
    g_array_unref(g->slots);
    g_free(g);
}

/* Slots back to back or with gaps, of 10 s to 40 min, never past
 * midnight; lessons, breaks and repeats of earlier lesson slots. */
static RandomGrid *random_grid(GRand *r, int days)
{
    RandomGrid *g = g_new0(RandomGrid, 1);
    g->days = days;
    g->slots = g_array_new(FALSE, FALSE, sizeof(SqSlotSpec));
    int at = g_rand_int_range(r, 0, 12 * 3600);
    int n = g_rand_int_range(r, 1, 14);
    for (int i = 0; i < n; i++) {
        int length_s = g_rand_boolean(r) ? 30 * 60 : g_rand_int_range(r, 10, 40 * 60);
        if (at + length_s > 86400)
            break;
        SqSlotSpec s = {.start_s = at, .length_frames = (int64_t)length_s * SQ_FPS};
        /* Some lengths in frames, not whole seconds. */
        if (g_rand_int_range(r, 0, 4) == 0)
            s.length_frames -= g_rand_int_range(r, 1, SQ_FPS);
        int kind = g_rand_int_range(r, 0, 10);
        if (kind < 7 || g->slots->len == 0) {
            s.kind = SQ_SLOT_LESSON;
            s.grade = g_rand_int_range(r, 1, 4);
            s.subject = subjects[g_rand_int_range(r, 0, G_N_ELEMENTS(subjects))];
            s.language = g_rand_int_range(r, 0, 4) == 0 ? "ru" : NULL;
        } else if (kind < 9) {
            s.kind = SQ_SLOT_BREAK;
        } else {
            /* Repeat of an earlier lesson slot of this grid, if any. */
            s.kind = SQ_SLOT_BREAK;
            for (guint j = 0; j < g->slots->len; j++) {
                const SqSlotSpec *o = &g_array_index(g->slots, SqSlotSpec, j);
                if (o->kind == SQ_SLOT_LESSON) {
                    s.kind = SQ_SLOT_REPEAT;
                    s.repeat_of_s = o->start_s;
                }
            }
        }
        g_array_append_val(g->slots, s);
        at += length_s + (g_rand_boolean(r) ? 0 : g_rand_int_range(r, 1, 3600));
    }
    return g;
}

static SqPlanner *make_planner(guint32 seed, Station *st)
{
    GRand *r = g_rand_new_with_seed(seed);
    st->zone = zones[g_rand_int_range(r, 0, G_N_ELEMENTS(zones))];
    SqPlanner *p = sq_planner_new(st->zone, NULL);
    SqChannelSpec ch = {.id = "ch",
                        .language = "kk",
                        .filler_tags = "ident promo",
                        .holiday_rule = g_rand_boolean(r) ? SQ_HOLIDAY_REPEATS : SQ_HOLIDAY_FILLERS,
                        .missing_rule =
                            g_rand_boolean(r) ? SQ_MISSING_FILLERS : SQ_MISSING_REPEAT_PREVIOUS};
    g_assert_true(sq_planner_add_channel(p, &ch, NULL));
    /* Two grids on disjoint day sets (a third overlapping is refused). */
    st->grids = g_ptr_array_new_with_free_func((GDestroyNotify)random_grid_free);
    int days = g_rand_int_range(r, 1, 127);
    RandomGrid *a = random_grid(r, days), *b = random_grid(r, 127 & ~days);
    g_ptr_array_add(st->grids, a);
    if (b->days)
        g_ptr_array_add(st->grids, b);
    else
        random_grid_free(b);
    for (guint i = 0; i < st->grids->len; i++) {
        RandomGrid *g = st->grids->pdata[i];
        g_autoptr(GError) error = NULL;
        g_assert_true(sq_planner_add_grid(p, "ch", g->days, (SqSlotSpec *)g->slots->data,
                                          g->slots->len, &error));
        g_assert_no_error(error);
    }
    /* The catalog: lessons with gaps in their numbers, some not approved,
     * some only in one language, some longer than a slot; fillers of
     * 1 s to 3 min; a slate, or none. */
    int64_t id = 1;
    for (guint s = 0; s < G_N_ELEMENTS(subjects); s++)
        for (int grade = 1; grade <= 3; grade++)
            for (int number = 1; number <= 30; number++) {
                if (g_rand_int_range(r, 0, 20) == 0)
                    continue;
                int64_t lesson = id++;
                sq_planner_add_lesson(p, lesson, subjects[s], grade, number);
                for (int lang = 0; lang < 2; lang++) {
                    if (g_rand_int_range(r, 0, 8) == 0)
                        continue;
                    SqAssetSpec a = {.id = id++,
                                     .kind = SQ_ASSET_LESSON,
                                     .lesson_id = lesson,
                                     .language = lang ? "ru" : "kk",
                                     .duration_frames =
                                         g_rand_int_range(r, 5 * SQ_FPS, 35 * 60 * SQ_FPS),
                                     .status = g_rand_int_range(r, 0, 15) ? "approved" : "ready"};
                    g_assert_true(sq_planner_add_asset(p, &a, NULL));
                }
            }
    int n_fillers = g_rand_int_range(r, 0, 6);
    for (int f = 0; f < n_fillers; f++) {
        SqAssetSpec a = {.id = id++,
                         .kind = SQ_ASSET_FILLER,
                         .tags = g_rand_boolean(r) ? "ident" : "promo",
                         .duration_frames = g_rand_int_range(r, SQ_FPS, 180 * SQ_FPS)};
        g_assert_true(sq_planner_add_asset(p, &a, NULL));
    }
    if (g_rand_int_range(r, 0, 5)) {
        SqAssetSpec slate = {
            .id = id++, .kind = SQ_ASSET_SLATE, .tags = "slate", .duration_frames = 250};
        g_assert_true(sq_planner_add_asset(p, &slate, NULL));
    }
    /* A calendar around the start, with a holiday. */
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_dmy(&d, (GDateDay)g_rand_int_range(r, 1, 28), (GDateMonth)g_rand_int_range(r, 1, 13),
                   (GDateYear)g_rand_int_range(r, 2023, 2028));
    g_snprintf(st->first_day, sizeof(st->first_day), "%04d-%02d-%02d", g_date_get_year(&d),
               g_date_get_month(&d), g_date_get_day(&d));
    st->n_days = g_rand_int_range(r, 3, 20);
    if (g_rand_boolean(r)) {
        char from[11], to[11], holiday[11];
        calendar_format_day(g_date_get_julian(&d) + 1, from);
        calendar_format_day(g_date_get_julian(&d) + 12, to);
        calendar_format_day(g_date_get_julian(&d) + 4, holiday);
        g_assert_true(sq_planner_add_term(p, from, to, NULL));
        g_assert_true(sq_planner_add_holiday(p, holiday, NULL));
    }
    g_rand_free(r);
    return p;
}

static void station_clear(Station *st)
{
    g_ptr_array_unref(st->grids);
}

static void check_days(SqPlanner *p, const Station *st, GPtrArray *days)
{
    GHashTable *last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int64_t previous_end = 0;
    for (guint i = 0; i < days->len; i++) {
        const SqPlanDay *d = days->pdata[i];
        g_autoptr(GError) error = NULL;
        /* No overlap, no hole, on the frame grid, across midnight too. */
        g_assert_true(sq_plan_day_check(d, &error));
        g_assert_no_error(error);
        if (i > 0)
            g_assert_cmpint(d->start_us, ==, previous_end);
        previous_end = d->end_us;
        /* Every slot occurrence starts an item, hard, exactly. */
        GDate date;
        g_assert_true(sq_plan_parse_day(d->day, &date));
        int bit = 1 << (g_date_get_weekday(&date) - G_DATE_MONDAY);
        for (guint g = 0; g < st->grids->len; g++) {
            const RandomGrid *grid = st->grids->pdata[g];
            if (!(grid->days & bit))
                continue;
            for (guint s = 0; s < grid->slots->len; s++) {
                const SqSlotSpec *slot = &g_array_index(grid->slots, SqSlotSpec, s);
                int64_t start;
                if (!calendar_local_instant(sq_planner_timezone(p), g_date_get_julian(&date),
                                            slot->start_s, &start))
                    continue; /* a clock change: a conflict says so */
                bool found = false;
                for (guint k = 0; k < d->items->len && !found; k++) {
                    const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, k);
                    found = it->start_us == start && it->is_hard;
                }
                bool folded = false;
                for (guint k = 0; k < d->conflicts->len; k++)
                    folded |= ((SqConflict *)d->conflicts->pdata[k])->slot_start_s == slot->start_s;
                g_assert_true(found || folded);
            }
        }
        /* Sequences: each lesson is the previous number + 1; the same
         * (subject, grade, language) never goes back or skips. */
        for (guint k = 0; k < d->items->len; k++) {
            const SqPlanItem *it = &g_array_index(d->items, SqPlanItem, k);
            if (it->kind == SQ_ITEM_LESSON) {
                g_autofree char *key =
                    g_strdup_printf("%s/%d/%s", it->subject, it->grade, it->language);
                int before = GPOINTER_TO_INT(g_hash_table_lookup(last, key));
                g_assert_cmpint(it->number, ==, before + 1);
                g_hash_table_replace(last, g_steal_pointer(&key), GINT_TO_POINTER(it->number));
                /* A lesson fits its slot: never cut. */
                g_assert_true(it->is_hard);
            }
            if (it->kind == SQ_ITEM_LESSON || it->kind == SQ_ITEM_REPEAT)
                g_assert_cmpint(it->asset_id, >, 0);
        }
    }
    g_hash_table_unref(last);
}

static bool same_days(GPtrArray *a, GPtrArray *b)
{
    if (a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++) {
        const SqPlanDay *x = a->pdata[i], *y = b->pdata[i];
        if (x->items->len != y->items->len || x->conflicts->len != y->conflicts->len ||
            memcmp(x->items->data, y->items->data, x->items->len * sizeof(SqPlanItem)) != 0)
            return false;
        for (guint k = 0; k < x->conflicts->len; k++)
            if (strcmp(((SqConflict *)x->conflicts->pdata[k])->message,
                       ((SqConflict *)y->conflicts->pdata[k])->message) != 0)
                return false;
    }
    return true;
}

static void test_random_stations(void)
{
    int seeds = g_test_slow() ? 2000 : g_getenv("SABAQ_UNDER_VALGRIND") ? 30 : 200;
    for (int seed = 1; seed <= seeds; seed++) {
        Station st = {0};
        g_autoptr(SqPlanner) p = make_planner((guint32)seed, &st);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) days = sq_planner_build(p, "ch", st.first_day, st.n_days, &error);
        g_assert_no_error(error);
        check_days(p, &st, days);
        /* Determinism: a second planner from the same inputs. */
        Station again = {0};
        g_autoptr(SqPlanner) q = make_planner((guint32)seed, &again);
        g_autoptr(GPtrArray) days2 = sq_planner_build(q, "ch", st.first_day, st.n_days, NULL);
        if (!same_days(days, days2))
            g_error("seed %d: two builds of the same inputs differ", seed);
        /* Building in two calls continues the sequences exactly. */
        Station split = {0};
        g_autoptr(SqPlanner) s = make_planner((guint32)seed, &split);
        g_autoptr(GPtrArray) head = sq_planner_build(s, "ch", st.first_day, 2, NULL);
        GDate d;
        sq_plan_parse_day(st.first_day, &d);
        char third[11];
        calendar_format_day(g_date_get_julian(&d) + 2, third);
        g_autoptr(GPtrArray) tail = sq_planner_build(s, "ch", third, st.n_days - 2, NULL);
        for (guint i = 0; i < tail->len; i++)
            g_ptr_array_add(head, g_steal_pointer(&tail->pdata[i]));
        if (!same_days(days, head))
            g_error("seed %d: building in two calls differs from one call", seed);
        station_clear(&st);
        station_clear(&again);
        station_clear(&split);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/scheduler/property/random-stations", test_random_stations);
    return g_test_run();
}
