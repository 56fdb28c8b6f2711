/* Time at the edges: the one place that turns instants and frame counts into
 * text people read. Inside, instants are UTC microseconds (core.h). */
#include "core.h"

int64_t sq_now_us(void)
{
    return g_get_real_time();
}

char *sq_format_timecode(int64_t frames)
{
    const char *sign = frames < 0 ? "-" : "";
    int64_t f = frames < 0 ? -frames : frames;
    int64_t seconds = f / SQ_FPS;
    return g_strdup_printf("%s%02" G_GINT64_FORMAT ":%02d:%02d.%02d", sign, seconds / 3600,
                           (int)(seconds / 60 % 60), (int)(seconds % 60), (int)(f % SQ_FPS));
}

char *sq_format_clock_seconds(int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                           (int)(seconds / 60 % 60), (int)(seconds % 60));
}

char *sq_format_rfc3339(int64_t instant_us, GTimeZone *tz)
{
    int64_t seconds = instant_us / SQ_SECOND_US;
    int64_t micro = instant_us % SQ_SECOND_US;
    if (micro < 0) {
        micro += SQ_SECOND_US;
        seconds--;
    }
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(seconds);
    if (!utc)
        return g_strdup("invalid-time");
    g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
    g_autofree char *base = g_date_time_format(local, "%Y-%m-%dT%H:%M:%S");
    int offset_min = (int)(g_date_time_get_utc_offset(local) / G_TIME_SPAN_MINUTE);
    char sign = offset_min < 0 ? '-' : '+';
    offset_min = ABS(offset_min);
    if (micro)
        return g_strdup_printf("%s.%06d%c%02d:%02d", base, (int)micro, sign, offset_min / 60,
                               offset_min % 60);
    return g_strdup_printf("%s%c%02d:%02d", base, sign, offset_min / 60, offset_min % 60);
}
