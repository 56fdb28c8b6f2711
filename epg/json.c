/* JSON guides for the web pages and programs: now/next per channel and a
 * local day's items. Written with json-glib. */
#include "epg_private.h"

#include <stdio.h>

static void add_string(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (epg_empty(value))
        json_builder_add_null_value(b);
    else
        json_builder_add_string_value(b, value);
}

static void add_int_or_null(JsonBuilder *b, const char *key, int value)
{
    json_builder_set_member_name(b, key);
    if (value > 0)
        json_builder_add_int_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void add_time(JsonBuilder *b, const char *key, int64_t us, GTimeZone *tz)
{
    g_autofree char *text = sq_format_rfc3339(us, tz);
    add_string(b, key, text);
    g_autofree char *key_us = g_strdup_printf("%s_us", key);
    json_builder_set_member_name(b, key_us);
    json_builder_add_int_value(b, us);
}

static void add_item(JsonBuilder *b, const SqEpgGuide *guide, const SqEpgChannel *ch,
                     const SqEpgProgramme *p)
{
    GTimeZone *tz = epg_channel_tz(guide, ch);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "event_id");
    json_builder_add_int_value(b, sq_epg_event_id(guide, p));
    add_time(b, "start", p->start_us, tz);
    add_time(b, "end", p->end_us, tz);
    add_string(b, "kind", sq_epg_kind_name(p->kind));
    if (p->kind == SQ_EPG_KIND_BREAK) {
        add_string(b, "title_kk", epg_break_title("kk"));
        add_string(b, "title_ru", epg_break_title("ru"));
    } else {
        add_string(b, "title_kk", p->title_kk);
        add_string(b, "title_ru", p->title_ru);
    }
    add_string(b, "description_kk", p->desc_kk);
    add_string(b, "description_ru", p->desc_ru);
    add_string(b, "subject_kk", p->subject_kk);
    add_string(b, "subject_ru", p->subject_ru);
    add_int_or_null(b, "grade", p->grade);
    add_int_or_null(b, "lesson", p->lesson_number);
    add_string(b, "language", p->language);
    json_builder_end_object(b);
}

static const SqEpgChannel *channel_or_error(const SqEpgGuide *guide, const char *id, GError **error)
{
    const SqEpgChannel *ch = sq_epg_guide_channel(guide, id);
    if (!ch)
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel '%s'", id ? id : "");
    return ch;
}

JsonNode *sq_epg_json_now_next(const SqEpgGuide *guide, const char *channel_id, int64_t at_us,
                               GError **error)
{
    const SqEpgChannel *ch = channel_or_error(guide, channel_id, error);
    if (!ch)
        return NULL;
    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
    bool on_air = false;
    size_t i = epg_programme_at(list, n, at_us, &on_air);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "channel", ch->id);
    add_time(b, "at", at_us, epg_channel_tz(guide, ch));
    json_builder_set_member_name(b, "now");
    if (on_air)
        add_item(b, guide, ch, list[i]);
    else
        json_builder_add_null_value(b);
    size_t next = on_air ? i + 1 : i;
    json_builder_set_member_name(b, "next");
    if (next < n)
        add_item(b, guide, ch, list[next]);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

JsonNode *sq_epg_json_day(const SqEpgGuide *guide, const char *channel_id, const char *date,
                          GError **error)
{
    const SqEpgChannel *ch = channel_or_error(guide, channel_id, error);
    if (!ch)
        return NULL;
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (!date || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "date '%s' is not YYYY-MM-DD",
                    date ? date : "");
        return NULL;
    }
    GTimeZone *tz = epg_channel_tz(guide, ch);
    g_autoptr(GDateTime) day = g_date_time_new(tz, y, m, d, 0, 0, 0);
    g_autoptr(GDateTime) next_day = g_date_time_add_days(day, 1);
    int64_t from_us = g_date_time_to_unix(day) * SQ_SECOND_US;
    int64_t to_us = g_date_time_to_unix(next_day) * SQ_SECOND_US;

    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "channel", ch->id);
    g_autofree char *canonical = g_strdup_printf("%04d-%02d-%02d", y, m, d);
    add_string(b, "date", canonical);
    add_string(b, "timezone", ch->timezone);
    json_builder_set_member_name(b, "items");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++)
        if (list[i]->end_us > from_us && list[i]->start_us < to_us)
            add_item(b, guide, ch, list[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}
