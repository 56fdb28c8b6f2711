/* Filling a stretch of time with the channel's filler pool, to the frame:
 * whole fillers in rotation; when the next one does not fit, the longest
 * one that does; when none fits, the last filler is trimmed to the
 * remainder, or the slate airs for a remainder shorter than
 * SQ_MIN_TRIM_FRAMES. Integer frames throughout. */
#include "scheduler_private.h"

static void emit(SqPlanDay *day, int64_t *at_us, int64_t frames, SqItemKind kind, int64_t asset_id,
                 int slot_start_s, bool *is_hard)
{
    SqPlanItem item = {.start_us = *at_us,
                       .end_us = *at_us + sq_frames_to_us(frames),
                       .kind = kind,
                       .asset_id = asset_id,
                       .is_hard = *is_hard,
                       .slot_start_s = slot_start_s};
    plan_append(day, &item);
    *at_us = item.end_us;
    *is_hard = false;
}

/* The longest filler of at most frames (by_length is sorted by duration). */
static const Asset *longest_fitting(const Pool *pool, int64_t frames)
{
    guint lo = 0, hi = pool->by_length->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (((const Asset *)pool->by_length->pdata[mid])->duration_frames <= frames)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    /* Among equally long fillers, the first by id. */
    int64_t length = ((const Asset *)pool->by_length->pdata[lo - 1])->duration_frames;
    while (lo > 1 && ((const Asset *)pool->by_length->pdata[lo - 2])->duration_frames == length)
        lo--;
    return pool->by_length->pdata[lo - 1];
}

void fill_gap(SqPlanDay *day, const Pool *pool, int64_t start_us, int64_t end_us, SqItemKind kind,
              int slot_start_s, bool first_is_hard)
{
    g_assert(start_us % SQ_FRAME_US == 0 && end_us % SQ_FRAME_US == 0);
    if (end_us <= start_us)
        return;
    int64_t at_us = start_us;
    int64_t remaining = (end_us - start_us) / SQ_FRAME_US;
    bool is_hard = first_is_hard;
    int64_t slate_id = pool->slate ? pool->slate->id : 0;
    guint n = pool->assets->len;
    if (n == 0) {
        /* Playout loops the slate for as long as the item lasts. */
        emit(day, &at_us, remaining, SQ_ITEM_SLATE, slate_id, slot_start_s, &is_hard);
        return;
    }
    /* The rotation starts where the stretch starts: the same stretch gets
     * the same fillers whatever else is planned around it. */
    guint next = (guint)((start_us / SQ_FRAME_US) % n);
    while (remaining > 0) {
        const Asset *a = pool->assets->pdata[next];
        next = (next + 1) % n;
        if (a->duration_frames > remaining) {
            const Asset *fits = longest_fitting(pool, remaining);
            if (fits)
                a = fits;
        }
        int64_t frames = MIN(a->duration_frames, remaining);
        if (frames < a->duration_frames && frames < SQ_MIN_TRIM_FRAMES && pool->slate)
            emit(day, &at_us, frames, SQ_ITEM_SLATE, slate_id, slot_start_s, &is_hard);
        else
            emit(day, &at_us, frames, kind, a->id, slot_start_s, &is_hard);
        remaining -= frames;
    }
    g_assert(at_us == end_us);
}
