/* An explicit edit of a day: an operator puts an asset on air at an
 * instant. What aired before stays; the item airing then is cut there;
 * after the asset the channel's pool fills up to the next hard start, and
 * from there the day is unchanged. */
#include "scheduler_private.h"

static SqItemKind kind_for(const Asset *a)
{
    switch (a->kind) {
    case SQ_ASSET_LESSON:
        return SQ_ITEM_LESSON;
    case SQ_ASSET_SLATE:
        return SQ_ITEM_SLATE;
    case SQ_ASSET_FILLER:
    default:
        return SQ_ITEM_FILLER;
    }
}

bool sq_planner_edit_day(SqPlanner *p, SqPlanDay *day, int64_t at_us, int64_t asset_id,
                         GError **error)
{
    Channel *c = planner_channel(p, day->channel_id);
    const Asset *a = planner_asset(p, asset_id);
    if (!c) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "unknown channel '%s'", day->channel_id);
        return false;
    }
    if (!a || !a->is_approved) {
        g_set_error(error, SQ_ERROR, a ? SQ_ERROR_INVALID : SQ_ERROR_NOT_FOUND,
                    "asset %" G_GINT64_FORMAT " %s", asset_id,
                    a ? "is not approved for air" : "is not in the catalog");
        return false;
    }
    if (at_us < day->start_us || at_us >= day->end_us || at_us % SQ_FRAME_US != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "the instant is not inside %s or not on the frame grid", day->day);
        return false;
    }
    /* The stretch [at_us, limit_us) is redone; limit is the next hard start. */
    int64_t limit_us = day->end_us;
    guint first_after = day->items->len;
    int slot_s = -1;
    bool is_hard = false;
    for (guint i = 0; i < day->items->len; i++) {
        const SqPlanItem *it = &g_array_index(day->items, SqPlanItem, i);
        if (it->start_us <= at_us && at_us < it->end_us) {
            slot_s = it->slot_start_s;
            is_hard = it->is_hard && it->start_us == at_us;
        }
        if (it->is_hard && it->start_us > at_us) {
            limit_us = it->start_us;
            first_after = i;
            break;
        }
    }
    int64_t room = (limit_us - at_us) / SQ_FRAME_US;
    if (a->duration_frames > room) {
        g_autofree char *have = sq_format_timecode(a->duration_frames);
        g_autofree char *left = sq_format_timecode(room);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "asset %" G_GINT64_FORMAT " lasts %s; only %s are left before the next hard "
                    "start",
                    asset_id, have, left);
        return false;
    }
    g_autoptr(GArray) old = g_array_copy(day->items);
    g_array_set_size(day->items, 0);
    for (guint i = 0; i < old->len; i++) {
        SqPlanItem it = g_array_index(old, SqPlanItem, i);
        if (it.start_us >= at_us)
            break;
        it.end_us = MIN(it.end_us, at_us);
        plan_append(day, &it);
    }
    SqPlanItem item = {.start_us = at_us,
                       .end_us = at_us + sq_frames_to_us(a->duration_frames),
                       .kind = kind_for(a),
                       .asset_id = a->id,
                       .is_hard = is_hard,
                       .slot_start_s = slot_s};
    if (a->kind == SQ_ASSET_LESSON)
        plan_item_set_lesson(&item, planner_lesson_by_id(p, a->lesson_id), a);
    plan_append(day, &item);
    fill_gap(day, planner_pool(p, c), item.end_us, limit_us, SQ_ITEM_FILLER, slot_s, false);
    for (guint i = first_after; i < old->len; i++)
        plan_append(day, &g_array_index(old, SqPlanItem, i));
    /* The conflicts about the stretch redone no longer hold. */
    for (guint i = 0; i < day->conflicts->len;) {
        const SqConflict *cf = day->conflicts->pdata[i];
        if (cf->at_us >= at_us && cf->at_us < limit_us)
            g_ptr_array_remove_index(day->conflicts, i);
        else
            i++;
    }
    return true;
}
