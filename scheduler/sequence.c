/* Sequences: on each channel, each (grade, subject, language) airs its
 * lessons in number order, one step per slot occurrence that airs the
 * lesson, carried across days. A step that cannot air (missing, not
 * approved, no recording in the language, too long) is a conflict and the
 * sequence waits: the next occurrence tries the same number again. */
#include "scheduler_private.h"

static char *sequence_key(const char *subject, int grade, const char *language)
{
    return g_strdup_printf("%s/%d/%s", subject, grade, language);
}

Sequence *sequence_get(Channel *c, const char *subject, int grade, const char *language)
{
    g_autofree char *key = sequence_key(subject, grade, language);
    Sequence *s = g_hash_table_lookup(c->sequences, key);
    if (!s) {
        s = g_new0(Sequence, 1);
        s->subject = g_intern_string(subject);
        s->grade = grade;
        s->language = g_intern_string(language);
        g_hash_table_insert(c->sequences, g_steal_pointer(&key), s);
    }
    return s;
}

bool sq_planner_set_sequence(SqPlanner *p, const char *channel_id, const char *subject, int grade,
                             const char *language, int last_number, int64_t last_asset_id,
                             GError **error)
{
    Channel *c = planner_channel(p, channel_id);
    if (!c) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "unknown channel '%s'", channel_id);
        return false;
    }
    Sequence *s = sequence_get(c, subject, grade, language);
    s->last_number = last_number;
    s->last_asset_id = last_asset_id;
    return true;
}

void sequence_note_aired(Channel *c, const SqPlanItem *item)
{
    if (item->kind != SQ_ITEM_LESSON || !item->subject || !item->language)
        return;
    Sequence *s = sequence_get(c, item->subject, item->grade, item->language);
    s->last_number = item->number;
    s->last_asset_id = item->asset_id;
}

/* The last lesson the sequence aired, when it is still approved and fits
 * the slot: what a repeat of the previous lesson airs. */
static const Asset *previous_lesson(const SqPlanner *p, const Sequence *seq, const Slot *slot)
{
    const Asset *a = seq->last_asset_id ? planner_asset(p, seq->last_asset_id) : NULL;
    if (!a || !a->is_approved || a->duration_frames > slot->spec.length_frames)
        return NULL;
    return a;
}

static const Asset *approved_recording(const Lesson *l, const char *language)
{
    const Asset *found = NULL;
    /* Re-recorded lessons: the newest approved recording wins. */
    for (guint i = 0; i < l->assets->len; i++) {
        const Asset *a = l->assets->pdata[i];
        if (a->is_approved && a->language == language)
            found = a;
    }
    return found;
}

/* Why lesson l cannot air in language, for the conflict. */
static const char *why_not(const Lesson *l, const char *language, GString *reason)
{
    const Asset *same = NULL, *other = NULL;
    for (guint i = 0; i < l->assets->len; i++) {
        const Asset *a = l->assets->pdata[i];
        if (a->language == language)
            same = a;
        else if (a->is_approved)
            other = a;
    }
    if (same) {
        g_string_append_printf(reason,
                               "has no approved %s recording (asset %" G_GINT64_FORMAT " is %s)",
                               language, same->id, same->status);
        return "not-approved";
    }
    if (other)
        g_string_append_printf(reason, "has no %s recording (approved in %s only)", language,
                               other->language);
    else
        g_string_append_printf(reason, "has no %s recording", language);
    return "no-language";
}

Choice sequence_choose(SqPlanner *p, Channel *c, const Slot *slot, int64_t at_us, bool is_school,
                       SqPlanDay *day)
{
    const SqSlotSpec *spec = &slot->spec;
    Sequence *seq = sequence_get(c, spec->subject, spec->grade, spec->language);
    if (!is_school) {
        const Asset *a =
            c->holiday_rule == SQ_HOLIDAY_REPEATS ? previous_lesson(p, seq, slot) : NULL;
        if (a)
            return (Choice){CHOICE_REPEAT, a, planner_lesson_by_id(p, a->lesson_id), true};
        return (Choice){CHOICE_NONE, NULL, NULL, true};
    }
    int number = seq->last_number + 1;
    const Lesson *lesson = planner_lesson(p, spec->subject, spec->grade, number);
    g_autoptr(GString) reason = g_string_new(NULL);
    g_string_printf(reason, "grade %d %s (%s): lesson %d ", spec->grade, spec->subject,
                    spec->language, number);
    const char *code;
    if (!lesson) {
        g_string_append(reason, "is not in the catalog");
        code = "missing-lesson";
    } else {
        const Asset *a = approved_recording(lesson, spec->language);
        if (a && a->duration_frames <= spec->length_frames) {
            seq->last_number = number;
            seq->last_asset_id = a->id;
            return (Choice){CHOICE_LESSON, a, lesson, false};
        }
        if (a) {
            g_autofree char *have = sq_format_timecode(a->duration_frames);
            g_autofree char *room = sq_format_timecode(spec->length_frames);
            g_string_append_printf(reason,
                                   "(asset %" G_GINT64_FORMAT ", %s) is longer than its "
                                   "slot (%s)",
                                   a->id, have, room);
            code = "too-long";
        } else {
            code = why_not(lesson, spec->language, reason);
        }
    }
    const Asset *previous =
        c->missing_rule == SQ_MISSING_REPEAT_PREVIOUS ? previous_lesson(p, seq, slot) : NULL;
    if (previous) {
        sq_plan_day_add_conflict(day, at_us, spec->start_s, code, "%s; airing lesson %d again",
                                 reason->str, seq->last_number);
        return (Choice){CHOICE_REPEAT, previous, planner_lesson_by_id(p, previous->lesson_id),
                        false};
    }
    sq_plan_day_add_conflict(day, at_us, spec->start_s, code, "%s; airing fillers", reason->str);
    return (Choice){CHOICE_NONE, NULL, NULL, false};
}
