/* Grid expansion: the weekly grids of a channel become the dated slot
 * occurrences of one local day, as UTC instants. */
#include "scheduler_private.h"

static gint compare_occurrences(gconstpointer a, gconstpointer b)
{
    const Occurrence *x = a, *y = b;
    return (x->start_us > y->start_us) - (x->start_us < y->start_us);
}

GArray *grid_expand(const SqPlanner *p, const Channel *c, guint32 julian, SqPlanDay *day)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(Occurrence));
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_julian(&d, julian);
    int bit = 1 << (g_date_get_weekday(&d) - G_DATE_MONDAY);
    for (guint g = 0; g < c->grids->len; g++) {
        const Grid *grid = c->grids->pdata[g];
        if (!(grid->days & bit))
            continue;
        for (guint i = 0; i < grid->slots->len; i++) {
            const Slot *slot = &g_array_index(grid->slots, Slot, i);
            Occurrence o = {.slot = slot};
            if (!calendar_local_instant(p->tz, julian, slot->spec.start_s, &o.start_us)) {
                sq_plan_day_add_conflict(day, o.start_us, slot->spec.start_s, "no-local-time",
                                         "the slot's local time %02d:%02d does not exist on "
                                         "this date (a clock change); it does not air",
                                         slot->spec.start_s / 3600, slot->spec.start_s / 60 % 60);
                continue;
            }
            o.end_us = o.start_us + sq_frames_to_us(slot->spec.length_frames);
            g_assert(o.start_us % SQ_FRAME_US == 0);
            if (o.end_us > day->end_us)
                o.end_us = day->end_us; /* a day shortened by a clock change */
            if (o.end_us > o.start_us)
                g_array_append_val(out, o);
        }
    }
    g_array_sort(out, compare_occurrences);
    /* A clock going back can fold two slots onto one hour: the later one
     * gives way. */
    for (guint i = 1; i < out->len;) {
        Occurrence *prev = &g_array_index(out, Occurrence, i - 1);
        Occurrence *o = &g_array_index(out, Occurrence, i);
        if (o->start_us < prev->end_us) {
            sq_plan_day_add_conflict(day, o->start_us, o->slot->spec.start_s, "no-local-time",
                                     "the slot at %02d:%02d overlaps the one before on this date "
                                     "(a clock change); it does not air",
                                     o->slot->spec.start_s / 3600, o->slot->spec.start_s / 60 % 60);
            g_array_remove_index(out, i);
            continue;
        }
        i++;
    }
    return out;
}
