/* Building a channel's days: the gap-free item list of each local day,
 * from its slot occurrences, the choices of its lesson slots, repeats and
 * fills. Published days are passed through and carry the sequences. */
#include "scheduler_private.h"

#include <string.h>

static const char *const kind_names[] = {
    [SQ_ITEM_LESSON] = "lesson", [SQ_ITEM_REPEAT] = "repeat", [SQ_ITEM_FILLER] = "filler",
    [SQ_ITEM_BREAK] = "break",   [SQ_ITEM_SLATE] = "slate",   [SQ_ITEM_HOLIDAY] = "holiday",
};

const char *sq_item_kind_name(SqItemKind kind)
{
    return (guint)kind < G_N_ELEMENTS(kind_names) ? kind_names[kind] : "unknown";
}

bool sq_item_kind_from_name(const char *name, SqItemKind *kind)
{
    for (guint i = 0; name && i < G_N_ELEMENTS(kind_names); i++)
        if (strcmp(kind_names[i], name) == 0) {
            *kind = (SqItemKind)i;
            return true;
        }
    return false;
}

static void conflict_free(SqConflict *c)
{
    g_free(c->message);
    g_free(c);
}

SqPlanDay *sq_plan_day_new(const char *channel_id, const char *day, int64_t start_us,
                           int64_t end_us)
{
    SqPlanDay *d = g_new0(SqPlanDay, 1);
    d->channel_id = g_strdup(channel_id);
    g_strlcpy(d->day, day, sizeof(d->day));
    d->start_us = start_us;
    d->end_us = end_us;
    d->items = g_array_new(FALSE, FALSE, sizeof(SqPlanItem));
    d->conflicts = g_ptr_array_new_with_free_func((GDestroyNotify)conflict_free);
    return d;
}

void sq_plan_day_free(SqPlanDay *day)
{
    if (!day)
        return;
    g_free(day->channel_id);
    g_array_unref(day->items);
    g_ptr_array_unref(day->conflicts);
    g_free(day);
}

void sq_plan_day_add_conflict(SqPlanDay *day, int64_t at_us, int slot_start_s, const char *code,
                              const char *format, ...)
{
    SqConflict *c = g_new0(SqConflict, 1);
    c->at_us = at_us;
    c->slot_start_s = slot_start_s;
    c->code = g_intern_string(code);
    va_list ap;
    va_start(ap, format);
    c->message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_ptr_array_add(day->conflicts, c);
}

bool sq_plan_day_check(const SqPlanDay *day, GError **error)
{
    int64_t at = day->start_us;
    for (guint i = 0; i < day->items->len; i++) {
        const SqPlanItem *it = &g_array_index(day->items, SqPlanItem, i);
        const char *wrong = it->start_us != at           ? "does not start where the last ended"
                            : it->end_us <= it->start_us ? "is empty"
                            : it->start_us % SQ_FRAME_US != 0 ? "starts off the frame grid"
                            : it->end_us % SQ_FRAME_US != 0   ? "ends off the frame grid"
                                                              : NULL;
        if (wrong) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s %s: item %u %s", day->channel_id,
                        day->day, i + 1, wrong);
            return false;
        }
        at = it->end_us;
    }
    if (at != day->end_us) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s %s: the items do not cover the day",
                    day->channel_id, day->day);
        return false;
    }
    return true;
}

char *sq_conflict_format(const SqConflict *conflict, const char *channel_id, GTimeZone *tz)
{
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(conflict->at_us / SQ_SECOND_US);
    g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
    g_autofree char *when = g_date_time_format(local, "%Y-%m-%d %H:%M");
    return g_strdup_printf("%s %s: %s", when, channel_id, conflict->message);
}

void plan_append(SqPlanDay *day, const SqPlanItem *item)
{
    int64_t at = day->items->len ? g_array_index(day->items, SqPlanItem, day->items->len - 1).end_us
                                 : day->start_us;
    /* The invariants every consumer relies on (docs/scheduler.md). */
    g_assert(item->start_us == at);
    g_assert(item->start_us % SQ_FRAME_US == 0 && item->end_us % SQ_FRAME_US == 0);
    g_assert(item->end_us > item->start_us);
    g_array_append_val(day->items, *item);
}

void plan_item_set_lesson(SqPlanItem *item, const Lesson *lesson, const Asset *asset)
{
    item->asset_id = asset->id;
    item->lesson_id = lesson ? lesson->id : 0;
    item->subject = lesson ? lesson->subject : NULL;
    item->grade = lesson ? lesson->grade : 0;
    item->number = lesson ? lesson->number : 0;
    item->language = asset->language;
}

/* A lesson slot: the chosen lesson at the slot's start, fillers to its
 * end; or, with nothing to air, fillers (holiday on a day without school)
 * from its start. */
static void emit_choice(SqPlanDay *day, const Pool *pool, const Occurrence *o, const Choice *ch,
                        SqItemKind asset_kind)
{
    int slot_s = o->slot->spec.start_s;
    if (!ch->asset) {
        fill_gap(day, pool, o->start_us, o->end_us,
                 ch->is_holiday ? SQ_ITEM_HOLIDAY : SQ_ITEM_FILLER, slot_s, true);
        return;
    }
    SqPlanItem item = {.start_us = o->start_us,
                       .end_us = o->start_us + sq_frames_to_us(ch->asset->duration_frames),
                       .kind = asset_kind,
                       .is_hard = true,
                       .slot_start_s = slot_s};
    plan_item_set_lesson(&item, ch->lesson, ch->asset);
    plan_append(day, &item);
    fill_gap(day, pool, item.end_us, o->end_us, SQ_ITEM_FILLER, slot_s, false);
}

static void emit_repeat(SqPlanDay *day, const Pool *pool, const Occurrence *o,
                        const GArray *occurrences, const Choice *choices, bool is_school)
{
    Choice ch = {CHOICE_NONE, NULL, NULL, !is_school};
    for (guint j = 0; j < occurrences->len; j++) {
        const Slot *s = g_array_index(occurrences, Occurrence, j).slot;
        if (s->spec.kind == SQ_SLOT_LESSON && s->spec.start_s == o->slot->spec.repeat_of_s)
            ch = choices[j];
    }
    if (ch.asset && sq_frames_to_us(ch.asset->duration_frames) > o->end_us - o->start_us) {
        sq_plan_day_add_conflict(day, o->start_us, o->slot->spec.start_s, "repeat-too-long",
                                 "the repeat of %02d:%02d is shorter than what that slot aired "
                                 "(asset %" G_GINT64_FORMAT "); airing fillers",
                                 o->slot->spec.repeat_of_s / 3600,
                                 o->slot->spec.repeat_of_s / 60 % 60, ch.asset->id);
        ch.asset = NULL;
    }
    emit_choice(day, pool, o, &ch, SQ_ITEM_REPEAT);
}

static SqPlanDay *copy_fixed(const SqPlanDay *fixed)
{
    SqPlanDay *d = sq_plan_day_new(fixed->channel_id, fixed->day, fixed->start_us, fixed->end_us);
    d->is_fixed = true;
    g_array_append_vals(d->items, fixed->items->data, fixed->items->len);
    return d;
}

static SqPlanDay *build_day(SqPlanner *p, Channel *c, guint32 julian)
{
    char name[11];
    calendar_format_day(julian, name);
    const SqPlanDay *fixed = g_hash_table_lookup(c->fixed, GUINT_TO_POINTER(julian));
    if (fixed) {
        SqPlanDay *d = copy_fixed(fixed);
        for (guint i = 0; i < d->items->len; i++)
            sequence_note_aired(c, &g_array_index(d->items, SqPlanItem, i));
        return d;
    }
    int64_t start_us = 0, end_us = 0;
    calendar_local_instant(p->tz, julian, 0, &start_us);
    calendar_local_instant(p->tz, julian + 1, 0, &end_us);
    SqPlanDay *day = sq_plan_day_new(c->id, name, start_us, end_us);
    bool is_school = calendar_is_school_day(p, julian);
    g_autoptr(GArray) occ = grid_expand(p, c, julian, day);
    g_autofree Choice *choices = g_new0(Choice, occ->len + 1);
    /* Lesson slots first, in time order (that is the sequences' order), so
     * that a repeat slot knows what its lesson slot airs wherever it is. */
    for (guint i = 0; i < occ->len; i++) {
        const Occurrence *o = &g_array_index(occ, Occurrence, i);
        if (o->slot->spec.kind == SQ_SLOT_LESSON)
            choices[i] = sequence_choose(p, c, o->slot, o->start_us, is_school, day);
    }
    const Pool *pool = planner_pool(p, c);
    int64_t cursor = start_us;
    for (guint i = 0; i < occ->len; i++) {
        const Occurrence *o = &g_array_index(occ, Occurrence, i);
        fill_gap(day, pool, cursor, o->start_us, SQ_ITEM_FILLER, -1, false);
        switch (o->slot->spec.kind) {
        case SQ_SLOT_LESSON:
            emit_choice(day, pool, o, &choices[i],
                        choices[i].kind == CHOICE_LESSON ? SQ_ITEM_LESSON : SQ_ITEM_REPEAT);
            break;
        case SQ_SLOT_BREAK:
            fill_gap(day, pool, o->start_us, o->end_us, SQ_ITEM_BREAK, o->slot->spec.start_s, true);
            break;
        case SQ_SLOT_REPEAT:
            emit_repeat(day, pool, o, occ, choices, is_school);
            break;
        }
        cursor = o->end_us;
    }
    fill_gap(day, pool, cursor, end_us, SQ_ITEM_FILLER, -1, false);
    if (!pool->slate && pool->assets->len == 0)
        sq_plan_day_add_conflict(day, start_us, -1, "no-slate",
                                 "no filler and no slate in the catalog: the day is slate items "
                                 "without an asset (playout airs its own slate)");
    return day;
}

GPtrArray *sq_planner_build(SqPlanner *p, const char *channel_id, const char *first_day, int n_days,
                            GError **error)
{
    Channel *c = planner_channel(p, channel_id);
    if (!c) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "unknown channel '%s'",
                    channel_id ? channel_id : "");
        return NULL;
    }
    GDate first;
    if (!sq_plan_parse_day(first_day, &first) || n_days < 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "'%s' is not a date (YYYY-MM-DD)",
                    first_day ? first_day : "");
        return NULL;
    }
    GPtrArray *days = g_ptr_array_new_with_free_func((GDestroyNotify)sq_plan_day_free);
    guint32 julian = g_date_get_julian(&first);
    for (int i = 0; i < n_days; i++)
        g_ptr_array_add(days, build_day(p, c, julian + (guint32)i));
    return days;
}
