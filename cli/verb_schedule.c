/* sabaq schedule: a channel's local day as planned; sabaq schedule set: an
 * explicit edit of a published day (a new version). */
#include "cli.h"
#include "scheduler/scheduler.h"

#include <stdio.h>
#include <string.h>

static void print_day(SqCatalog *cat, const SqPlanDay *day, const SqPlanVersionInfo *info,
                      GTimeZone *tz)
{
    if (info->version)
        printf("%s %s: version %d (%s)\n", day->channel_id, day->day, info->version, info->origin);
    else
        printf("%s %s: draft (not published)\n", day->channel_id, day->day);
    for (guint i = 0; i < day->items->len; i++) {
        const SqPlanItem *it = &g_array_index(day->items, SqPlanItem, i);
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(it->start_us / SQ_SECOND_US);
        g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
        g_autofree char *clock = g_date_time_format(local, "%H:%M:%S");
        g_autofree char *length = sq_format_timecode((it->end_us - it->start_us) / SQ_FRAME_US);
        g_autofree char *title = sq_plan_item_title(cat, it, NULL);
        printf("%s.%02d %c %-7s %s", clock, (int)(it->start_us % SQ_SECOND_US / SQ_FRAME_US),
               it->is_hard ? '|' : ' ', sq_item_kind_name(it->kind), length);
        if (it->subject)
            printf("  %s grade %d no. %d (%s)", it->subject, it->grade, it->number, it->language);
        if (it->asset_id)
            printf("  asset %" G_GINT64_FORMAT, it->asset_id);
        if (title)
            printf("  \"%s\"", title);
        putchar('\n');
    }
    for (guint i = 0; i < day->conflicts->len; i++) {
        g_autofree char *line = sq_conflict_format(day->conflicts->pdata[i], day->channel_id, tz);
        printf("conflict: %s\n", line);
    }
}

static int schedule_set(SqCli *cli, int argc, char **argv)
{
    g_autofree char *channel = NULL, *at = NULL, *note = NULL;
    gint64 asset = 0;
    const GOptionEntry entries[] = {
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel (required)", "ID"},
        {"at", 0, 0, G_OPTION_ARG_STRING, &at,
         "When the asset starts: local time of the station, or with an offset (required)",
         "YYYY-MM-DDTHH:MM[:SS[.sss]]"},
        {"asset", 0, 0, G_OPTION_ARG_INT64, &asset, "The approved asset to air (required)", "ID"},
        {"note", 0, 0, G_OPTION_ARG_STRING, &note, "Why (kept with the version)", "TEXT"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "schedule set", NULL,
                   "Puts an asset on air at an instant of a published day: the item airing then\n"
                   "is cut, the channel's fillers follow up to the next slot start, and the day\n"
                   "gets a new published version.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !channel || !at || asset <= 0) {
        fprintf(stderr, "sabaq schedule set: --channel, --at and --asset are required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, &error);
    if (!tz) {
        cli_print_error(error);
        return 1;
    }
    /* GLib wants seconds; people write 09:00. */
    g_autofree char *full = g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d$", at, 0, 0)
                                ? g_strconcat(at, ":00", NULL)
                                : g_strdup(at);
    g_autoptr(GDateTime) when = g_date_time_new_from_iso8601(full, tz);
    if (!when) {
        fprintf(stderr, "sabaq: --at: '%s' is not a date and time (YYYY-MM-DDTHH:MM[:SS])\n", at);
        return 1;
    }
    int64_t at_us = g_date_time_to_unix(when) * SQ_SECOND_US + g_date_time_get_microsecond(when);
    int version = 0;
    if (!sq_plan_edit(cat, channel, at_us, asset, note, &version, &error)) {
        cli_print_error(error);
        return 1;
    }
    g_autoptr(GDateTime) local = g_date_time_to_timezone(when, tz);
    g_autofree char *day = g_date_time_format(local, "%Y-%m-%d");
    printf("%s %s: published version %d\n", channel, day, version);
    return 0;
}

int verb_schedule(SqCli *cli, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "set") == 0)
        return schedule_set(cli, argc - 1, argv + 1);
    g_autofree char *channel = NULL, *date = NULL;
    int version = 0;
    gboolean json = FALSE, draft = FALSE;
    const GOptionEntry entries[] = {
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel (required)", "ID"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &date, "The local day (default: today)", "YYYY-MM-DD"},
        {"version", 0, 0, G_OPTION_ARG_INT, &version,
         "A published version (default: the newest, else the draft)", "N"},
        {"draft", 0, 0, G_OPTION_ARG_NONE, &draft, "The draft, even when published", NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the items as a JSON array", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "schedule", "[set]",
                   "Shows a channel's local day: every item from midnight to midnight ('|' marks\n"
                   "a hard start at a slot), then the day's conflicts.\n"
                   "'sabaq schedule set --help': edit a published day.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !channel) {
        fprintf(stderr, "sabaq schedule: --channel ID is required\n");
        return 2;
    }
    if (version < 0) {
        fprintf(stderr, "sabaq schedule: --version must be 1 or more\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    if (!date)
        date = cli_station_today(cat);
    GDate check;
    if (!sq_plan_parse_day(date, &check)) {
        fprintf(stderr, "sabaq: --date: '%s' is not a date (YYYY-MM-DD)\n", date);
        return 1;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, &error);
    SqPlanVersionInfo info = {0};
    g_autoptr(SqPlanDay) day =
        tz ? sq_plan_day_load(cat, channel, date, draft ? -1 : version, &info, &error) : NULL;
    if (!day) {
        cli_print_error(error);
        return 1;
    }
    if (json) {
        g_autoptr(JsonNode) node = sq_plan_day_to_json(cat, day, tz, &error);
        if (!node) {
            cli_print_error(error);
            sq_plan_version_info_clear(&info);
            return 1;
        }
        cli_print_json(node);
    } else {
        print_day(cat, day, &info, tz);
    }
    sq_plan_version_info_clear(&info);
    return 0;
}
