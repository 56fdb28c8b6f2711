/* The school calendar and local days: which dates have school, and where a
 * local time of a date falls in UTC. The zone's rules come from GLib
 * (GTimeZone over the system's tzdata); no offset is ever assumed. */
#include "scheduler_private.h"

#include <stdio.h>
#include <string.h>

bool sq_plan_parse_day(const char *text, GDate *date)
{
    int y, m, d;
    char tail;
    if (!text || strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return false;
    g_date_clear(date, 1);
    g_date_set_dmy(date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    return true;
}

void calendar_format_day(guint32 julian, char out[11])
{
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_julian(&d, julian);
    g_snprintf(out, 11, "%04d-%02d-%02d", g_date_get_year(&d), g_date_get_month(&d),
               g_date_get_day(&d));
}

bool calendar_is_school_day(const SqPlanner *p, guint32 julian)
{
    if (g_hash_table_contains(p->holidays, GUINT_TO_POINTER(julian)))
        return false;
    if (p->terms->len == 0)
        return true;
    for (guint i = 0; i + 1 < p->terms->len; i += 2)
        if (julian >= g_array_index(p->terms, guint32, i) &&
            julian <= g_array_index(p->terms, guint32, i + 1))
            return true;
    return false;
}

bool calendar_local_instant(GTimeZone *tz, guint32 julian, int seconds_of_day, int64_t *instant_us)
{
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_julian(&d, julian);
    int h = seconds_of_day / 3600, m = seconds_of_day / 60 % 60, s = seconds_of_day % 60;
    g_autoptr(GDateTime) dt =
        g_date_time_new(tz, g_date_get_year(&d), g_date_get_month(&d), g_date_get_day(&d), h, m, s);
    if (!dt)
        return false;
    *instant_us = g_date_time_to_unix(dt) * SQ_SECOND_US;
    /* GLib moves a time a clock change skipped to one that exists: a slot
     * "at 02:30" on such a date does not exist. Midnight itself is taken as
     * moved (the day starts when the clock says it does). */
    return seconds_of_day == 0 ||
           (g_date_time_get_hour(dt) == h && g_date_time_get_minute(dt) == m &&
            g_date_time_get_second(dt) == s &&
            (int)g_date_time_get_day_of_month(dt) == (int)g_date_get_day(&d));
}
