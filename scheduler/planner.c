/* The planner's input: channels, grids, calendar, lessons and assets as
 * rows, checked as they are added and indexed for the build. */
#include "scheduler_private.h"

#include <string.h>

static void asset_free(Asset *a)
{
    g_strfreev(a->tags);
    g_free(a->status);
    g_free(a);
}

static void lesson_free(Lesson *l)
{
    g_ptr_array_unref(l->assets);
    g_free(l);
}

static void grid_free(Grid *g)
{
    g_array_unref(g->slots);
    g_free(g);
}

static void pool_free(Pool *pool)
{
    if (!pool)
        return;
    g_ptr_array_unref(pool->assets);
    g_ptr_array_unref(pool->by_length);
    g_free(pool);
}

static void channel_free(Channel *c)
{
    g_free(c->id);
    g_strfreev(c->filler_tags);
    g_ptr_array_unref(c->grids);
    g_hash_table_unref(c->sequences);
    g_hash_table_unref(c->fixed);
    pool_free(c->pool);
    g_free(c);
}

SqPlanner *sq_planner_new(const char *timezone, GError **error)
{
    GTimeZone *tz = timezone ? g_time_zone_new_identifier(timezone) : NULL;
    if (!tz) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "unknown time zone '%s'",
                    timezone ? timezone : "");
        return NULL;
    }
    SqPlanner *p = g_new0(SqPlanner, 1);
    p->tz = tz;
    p->channels = g_ptr_array_new_with_free_func((GDestroyNotify)channel_free);
    p->channel_ids = g_ptr_array_new();
    p->terms = g_array_new(FALSE, FALSE, sizeof(guint32));
    p->holidays = g_hash_table_new(g_direct_hash, g_direct_equal);
    p->lessons =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)lesson_free);
    p->lessons_by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    p->assets =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)asset_free);
    p->filler_assets = g_ptr_array_new();
    return p;
}

void sq_planner_free(SqPlanner *p)
{
    if (!p)
        return;
    g_time_zone_unref(p->tz);
    g_ptr_array_unref(p->channels);
    g_ptr_array_unref(p->channel_ids);
    g_array_unref(p->terms);
    g_hash_table_unref(p->holidays);
    g_hash_table_unref(p->lessons_by_id);
    g_hash_table_unref(p->lessons);
    g_ptr_array_unref(p->filler_assets);
    g_hash_table_unref(p->assets);
    g_free(p);
}

GTimeZone *sq_planner_timezone(const SqPlanner *p)
{
    return p->tz;
}

GPtrArray *sq_planner_channel_ids(const SqPlanner *p)
{
    return p->channel_ids;
}

Channel *planner_channel(const SqPlanner *p, const char *id)
{
    for (guint i = 0; id && i < p->channels->len; i++) {
        Channel *c = p->channels->pdata[i];
        if (strcmp(c->id, id) == 0)
            return c;
    }
    return NULL;
}

static Channel *find_channel(const SqPlanner *p, const char *id, GError **error)
{
    Channel *c = planner_channel(p, id);
    if (!c)
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "unknown channel '%s'", id ? id : "");
    return c;
}

static char **split_tags(const char *tags)
{
    g_auto(GStrv) parts = g_strsplit_set(tags ? tags : "", " ,", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **t = parts; *t; t++)
        if (**t)
            g_ptr_array_add(out, g_strdup(*t));
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

bool sq_planner_add_channel(SqPlanner *p, const SqChannelSpec *spec, GError **error)
{
    if (!spec->id || planner_channel(p, spec->id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s' is added twice",
                    spec->id ? spec->id : "");
        return false;
    }
    if (!sq_language_is_valid(spec->language)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s': unknown language '%s'",
                    spec->id, spec->language ? spec->language : "");
        return false;
    }
    Channel *c = g_new0(Channel, 1);
    c->id = g_strdup(spec->id);
    c->language = g_intern_string(spec->language);
    c->filler_tags = split_tags(spec->filler_tags);
    c->holiday_rule = spec->holiday_rule;
    c->missing_rule = spec->missing_rule;
    c->grids = g_ptr_array_new_with_free_func((GDestroyNotify)grid_free);
    c->sequences = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    c->fixed = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                     (GDestroyNotify)sq_plan_day_free);
    g_ptr_array_add(p->channels, c);
    g_ptr_array_add(p->channel_ids, c->id);
    return true;
}

static int64_t slot_end_s(const SqSlotSpec *s)
{
    return s->start_s + s->length_frames / SQ_FPS + (s->length_frames % SQ_FPS != 0);
}

static bool slots_overlap(const SqSlotSpec *a, const SqSlotSpec *b)
{
    /* In frames from midnight, so that a slot of 10.5 s is exact. */
    int64_t a0 = (int64_t)a->start_s * SQ_FPS, b0 = (int64_t)b->start_s * SQ_FPS;
    return a0 < b0 + b->length_frames && b0 < a0 + a->length_frames;
}

static gint compare_slots(gconstpointer a, gconstpointer b)
{
    const Slot *x = a, *y = b;
    return (x->spec.start_s > y->spec.start_s) - (x->spec.start_s < y->spec.start_s);
}

bool sq_planner_add_grid(SqPlanner *p, const char *channel_id, int days, const SqSlotSpec *slots,
                         size_t n_slots, GError **error)
{
    Channel *c = find_channel(p, channel_id, error);
    if (!c)
        return false;
    if (days <= 0 || days > 127) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "grid of '%s': no days", channel_id);
        return false;
    }
    g_autoptr(GArray) arr = g_array_sized_new(FALSE, FALSE, sizeof(Slot), (guint)n_slots);
    for (size_t i = 0; i < n_slots; i++) {
        Slot s = {.spec = slots[i]};
        if (s.spec.start_s < 0 || s.spec.length_frames <= 0 || slot_end_s(&s.spec) > 86400) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "grid of '%s': the slot at %d s is empty or crosses midnight", channel_id,
                        s.spec.start_s);
            return false;
        }
        if (s.spec.kind == SQ_SLOT_LESSON) {
            if (!s.spec.subject || s.spec.grade < 1) {
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                            "grid of '%s': the lesson slot at %d s has no subject or grade",
                            channel_id, s.spec.start_s);
                return false;
            }
            s.spec.subject = g_intern_string(s.spec.subject);
            s.spec.language = g_intern_string(s.spec.language ? s.spec.language : c->language);
        } else {
            s.spec.subject = NULL;
            s.spec.language = NULL;
        }
        g_array_append_val(arr, s);
    }
    g_array_sort(arr, compare_slots);
    for (guint i = 0; i < arr->len; i++) {
        const Slot *s = &g_array_index(arr, Slot, i);
        if (i > 0 && slots_overlap(&g_array_index(arr, Slot, i - 1).spec, &s->spec)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "grid of '%s': the slots at %d s and %d s overlap", channel_id,
                        g_array_index(arr, Slot, i - 1).spec.start_s, s->spec.start_s);
            return false;
        }
        if (s->spec.kind == SQ_SLOT_REPEAT) {
            const Slot *target = NULL;
            for (guint j = 0; j < arr->len; j++) {
                const Slot *o = &g_array_index(arr, Slot, j);
                if (o->spec.start_s == s->spec.repeat_of_s && o->spec.kind == SQ_SLOT_LESSON)
                    target = o;
            }
            if (!target) {
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                            "grid of '%s': the repeat at %d s names no lesson slot", channel_id,
                            s->spec.start_s);
                return false;
            }
        }
        for (guint g = 0; g < c->grids->len; g++) {
            const Grid *other = c->grids->pdata[g];
            if (!(other->days & days))
                continue;
            for (guint j = 0; j < other->slots->len; j++)
                if (slots_overlap(&g_array_index(other->slots, Slot, j).spec, &s->spec)) {
                    g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                                "grid of '%s': the slot at %d s overlaps another grid's",
                                channel_id, s->spec.start_s);
                    return false;
                }
        }
    }
    Grid *grid = g_new0(Grid, 1);
    grid->days = days;
    grid->slots = g_steal_pointer(&arr);
    g_ptr_array_add(c->grids, grid);
    return true;
}

static bool parse_day(const char *text, guint32 *julian, GError **error)
{
    GDate d;
    if (!sq_plan_parse_day(text, &d)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "'%s' is not a date (YYYY-MM-DD)",
                    text ? text : "");
        return false;
    }
    *julian = g_date_get_julian(&d);
    return true;
}

bool sq_planner_add_term(SqPlanner *p, const char *first_day, const char *last_day, GError **error)
{
    guint32 first, last;
    if (!parse_day(first_day, &first, error) || !parse_day(last_day, &last, error))
        return false;
    if (last < first) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "term %s..%s ends before it starts",
                    first_day, last_day);
        return false;
    }
    g_array_append_val(p->terms, first);
    g_array_append_val(p->terms, last);
    return true;
}

bool sq_planner_add_holiday(SqPlanner *p, const char *day, GError **error)
{
    guint32 julian;
    if (!parse_day(day, &julian, error))
        return false;
    g_hash_table_add(p->holidays, GUINT_TO_POINTER(julian));
    return true;
}

static char *lesson_key(const char *subject, int grade, int number)
{
    return g_strdup_printf("%s/%d/%d", subject, grade, number);
}

void sq_planner_add_lesson(SqPlanner *p, int64_t lesson_id, const char *subject, int grade,
                           int number)
{
    Lesson *l = g_new0(Lesson, 1);
    l->id = lesson_id;
    l->subject = g_intern_string(subject);
    l->grade = grade;
    l->number = number;
    l->assets = g_ptr_array_new();
    g_hash_table_replace(p->lessons, lesson_key(subject, grade, number), l);
    g_hash_table_replace(p->lessons_by_id, g_memdup2(&l->id, sizeof(l->id)), l);
}

const Lesson *planner_lesson(const SqPlanner *p, const char *subject, int grade, int number)
{
    g_autofree char *key = lesson_key(subject, grade, number);
    return g_hash_table_lookup(p->lessons, key);
}

const Lesson *planner_lesson_by_id(const SqPlanner *p, int64_t id)
{
    return g_hash_table_lookup(p->lessons_by_id, &id);
}

const Asset *planner_asset(const SqPlanner *p, int64_t id)
{
    return g_hash_table_lookup(p->assets, &id);
}

static gint compare_by_id(gconstpointer a, gconstpointer b)
{
    const Asset *x = *(Asset *const *)a, *y = *(Asset *const *)b;
    return (x->id > y->id) - (x->id < y->id);
}

bool sq_planner_add_asset(SqPlanner *p, const SqAssetSpec *spec, GError **error)
{
    Lesson *lesson = NULL;
    if (spec->kind == SQ_ASSET_LESSON) {
        lesson = (Lesson *)planner_lesson_by_id(p, spec->lesson_id);
        if (!lesson || !sq_language_is_valid(spec->language)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "asset %" G_GINT64_FORMAT ": no lesson %" G_GINT64_FORMAT " or no language",
                        spec->id, spec->lesson_id);
            return false;
        }
    }
    if (spec->duration_frames <= 0 || planner_asset(p, spec->id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "asset %" G_GINT64_FORMAT ": added twice or without a duration", spec->id);
        return false;
    }
    Asset *a = g_new0(Asset, 1);
    a->id = spec->id;
    a->kind = spec->kind;
    a->lesson_id = spec->lesson_id;
    a->language = spec->language ? g_intern_string(spec->language) : NULL;
    a->tags = split_tags(spec->tags);
    a->duration_frames = spec->duration_frames;
    a->status = g_strdup(spec->status ? spec->status : "approved");
    a->is_approved = strcmp(a->status, "approved") == 0;
    g_hash_table_insert(p->assets, g_memdup2(&a->id, sizeof(a->id)), a);
    if (lesson) {
        g_ptr_array_add(lesson->assets, a);
        g_ptr_array_sort(lesson->assets, compare_by_id);
    } else if (a->is_approved && a->kind == SQ_ASSET_FILLER) {
        g_ptr_array_add(p->filler_assets, a);
        g_ptr_array_sort(p->filler_assets, compare_by_id);
    } else if (a->is_approved && a->kind == SQ_ASSET_SLATE) {
        if (!p->slate || p->slate->id < a->id)
            p->slate = a;
    }
    /* Pools are built from the assets on first use. */
    for (guint i = 0; i < p->channels->len; i++)
        g_clear_pointer(&((Channel *)p->channels->pdata[i])->pool, pool_free);
    return true;
}

bool sq_planner_fix_day(SqPlanner *p, const char *channel_id, const char *day,
                        const SqPlanItem *items, size_t n_items, GError **error)
{
    Channel *c = find_channel(p, channel_id, error);
    guint32 julian;
    if (!c || !parse_day(day, &julian, error))
        return false;
    int64_t start_us = n_items ? items[0].start_us : 0;
    int64_t end_us = n_items ? items[n_items - 1].end_us : 0;
    SqPlanDay *d = sq_plan_day_new(channel_id, day, start_us, end_us);
    d->is_fixed = true;
    g_array_append_vals(d->items, items, (guint)n_items);
    g_hash_table_replace(c->fixed, GUINT_TO_POINTER(julian), d);
    return true;
}

static bool has_tag(char **tags, const char *tag)
{
    for (char **t = tags; t && *t; t++)
        if (strcmp(*t, tag) == 0)
            return true;
    return false;
}

static gint compare_by_length(gconstpointer a, gconstpointer b)
{
    const Asset *x = *(Asset *const *)a, *y = *(Asset *const *)b;
    if (x->duration_frames != y->duration_frames)
        return (x->duration_frames > y->duration_frames) -
               (x->duration_frames < y->duration_frames);
    return (x->id > y->id) - (x->id < y->id);
}

static void pool_collect(Pool *pool, const SqPlanner *p, char **wanted)
{
    for (guint i = 0; i < p->filler_assets->len; i++) {
        Asset *a = p->filler_assets->pdata[i];
        for (char **t = wanted; t && *t; t++)
            if (has_tag(a->tags, *t)) {
                g_ptr_array_add(pool->assets, a);
                break;
            }
    }
}

const Pool *planner_pool(SqPlanner *p, Channel *c)
{
    if (c->pool)
        return c->pool;
    Pool *pool = g_new0(Pool, 1);
    pool->assets = g_ptr_array_new();
    pool_collect(pool, p, c->filler_tags);
    pool->is_own = pool->assets->len > 0;
    if (!pool->is_own) {
        /* ingest's default loop: what a channel airs when it has nothing
         * of its own. */
        char *house[] = {"house-loop", NULL};
        pool_collect(pool, p, house);
    }
    pool->by_length = g_ptr_array_copy(pool->assets, NULL, NULL);
    g_ptr_array_sort(pool->by_length, compare_by_length);
    pool->slate = p->slate;
    c->pool = pool;
    return pool;
}

bool sq_planner_channel_has_pool(const SqPlanner *p, const char *channel_id)
{
    Channel *c = planner_channel(p, channel_id);
    return c && planner_pool((SqPlanner *)p, c)->is_own;
}
