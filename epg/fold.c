/* Plan items to programmes. A viewer's guide lists lessons, not the
 * 40-second ident after one: a short run of fillers, idents and slates
 * after a lesson is shown as part of that lesson (its stop moves to the
 * run's end), as long as the run ends by the next hard start and lasts at
 * most SQ_EPG_FOLD_MAX_US. A longer run, or one with no lesson before it
 * (the start of the day, after a gap), is one "break" programme, so the
 * guide never claims a lesson runs for half an hour of fillers. */
#include "epg_private.h"

static void lesson_of(SqEpgProgramme *p, const char *channel_id, const SqEpgPlanItem *it)
{
    *p = (SqEpgProgramme){
        .channel_id = channel_id,
        .start_us = it->start_us,
        .end_us = it->end_us,
        .kind = it->kind == SQ_EPG_ITEM_REPEAT ? SQ_EPG_KIND_REPEAT : SQ_EPG_KIND_LESSON,
        .title_kk = it->title_kk,
        .title_ru = it->title_ru,
        .desc_kk = it->desc_kk,
        .desc_ru = it->desc_ru,
        .subject_kk = it->subject_kk,
        .subject_ru = it->subject_ru,
        .grade = it->grade,
        .lesson_number = it->lesson_number,
        .language = it->language,
    };
}

bool sq_epg_fold(SqEpgGuide *guide, const char *channel_id, const SqEpgPlanItem *items,
                 size_t n_items, GError **error)
{
    SqEpgProgramme held = {0}; /* a lesson waiting for its tail of fillers */
    bool holding = false;
    size_t i = 0;
    while (i < n_items) {
        const SqEpgPlanItem *it = &items[i];
        if (it->end_us <= it->start_us) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "channel '%s': plan item %zu ends before it starts", channel_id, i + 1);
            return false;
        }
        if (it->kind != SQ_EPG_ITEM_OTHER) {
            if (holding && !sq_epg_guide_add_programme(guide, &held, error))
                return false;
            lesson_of(&held, channel_id, it);
            holding = true;
            i++;
            continue;
        }
        /* A run of other items, contiguous (no gap) and without a hard
         * start inside it after its first item. */
        size_t j = i + 1;
        while (j < n_items && items[j].kind == SQ_EPG_ITEM_OTHER &&
               items[j].start_us == items[j - 1].end_us && !items[j].is_hard_start)
            j++;
        int64_t run_start = it->start_us, run_end = items[j - 1].end_us;
        bool foldable = holding && held.end_us == run_start && !it->is_hard_start &&
                        run_end - run_start <= SQ_EPG_FOLD_MAX_US;
        if (foldable) {
            held.end_us = run_end;
        } else {
            if (holding && !sq_epg_guide_add_programme(guide, &held, error))
                return false;
            holding = false;
            SqEpgProgramme brk = {.channel_id = channel_id,
                                  .start_us = run_start,
                                  .end_us = run_end,
                                  .kind = SQ_EPG_KIND_BREAK};
            /* A break that directly follows another (a hard start split
             * them) stays separate: each hard start is a boundary people
             * were promised. */
            if (!sq_epg_guide_add_programme(guide, &brk, error))
                return false;
        }
        i = j;
    }
    if (holding && !sq_epg_guide_add_programme(guide, &held, error))
        return false;
    return true;
}
