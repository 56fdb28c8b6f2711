/* sabaq epg: the programme guide from the published plan, as XMLTV for
 * IPTV operators, M3U for IPTV players and JSON (now/next, a day) for the
 * web. */
#include "cli.h"
#include "epg/epg.h"
#include "scheduler/scheduler.h"

#include <stdio.h>
#include <string.h>

#define DAY_US (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)

/* Writes text to path (temporary name, then rename) or to stdout. */
static int emit(const char *path, const char *text, gsize length)
{
    if (!path || strcmp(path, "-") == 0) {
        fwrite(text, 1, length, stdout);
        return 0;
    }
    g_autoptr(GError) error = NULL;
    if (!sq_write_file_atomic(path, text, (gssize)length, &error)) {
        cli_print_error(error);
        return 1;
    }
    return 0;
}

/* The station's zone; UTC before any station is imported (then there is
 * no plan either, and the loader says so). */
static GTimeZone *station_tz(SqCatalog *cat)
{
    GTimeZone *tz = sq_plan_station_timezone(cat, NULL);
    return tz ? tz : g_time_zone_new_utc();
}

static int64_t local_midnight_us(GTimeZone *tz, const GDate *day)
{
    g_autoptr(GDateTime) t = g_date_time_new(tz, g_date_get_year(day), g_date_get_month(day),
                                             g_date_get_day(day), 0, 0, 0);
    return g_date_time_to_unix(t) * SQ_SECOND_US;
}

/* Local midnight of today in the station's zone, as UTC µs. */
static int64_t today_start_us(SqCatalog *cat)
{
    g_autofree char *today = cli_station_today(cat);
    g_autoptr(GTimeZone) tz = station_tz(cat);
    GDate day;
    sq_plan_parse_day(today, &day);
    return local_midnight_us(tz, &day);
}

static int epg_xmltv(SqCli *cli, int argc, char **argv)
{
    g_autofree char *channel = NULL, *output = NULL;
    int days = 7;
    const GOptionEntry entries[] = {
        {"days", 0, 0, G_OPTION_ARG_INT, &days, "Days from today (default 7)", "N"},
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "Only this channel", "ID"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: stdout)",
         "FILE"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "epg xmltv", NULL,
                   "Writes the XMLTV guide of the published plan from today's local midnight,\n"
                   "valid against xmltv.dtd (docs/epg.md).",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || days < 1 || days > 62) {
        fprintf(stderr, "sabaq epg xmltv: --days is 1 to 62\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    int64_t from = today_start_us(cat), to = from + days * DAY_US;
    g_autoptr(GError) error = NULL;
    g_autoptr(SqEpgGuide) guide = sq_epg_guide_load(cat, channel, from, to, &error);
    SqEpgXmltvOptions opt = {.channel_id = channel, .from_us = from, .to_us = to};
    size_t length = 0;
    g_autofree char *xml = guide ? sq_epg_xmltv_write(guide, &opt, &length, &error) : NULL;
    if (!xml) {
        cli_print_error(error);
        return 1;
    }
    return emit(output, xml, length);
}

static int epg_m3u(SqCli *cli, int argc, char **argv)
{
    g_autofree char *base = NULL, *output = NULL;
    const GOptionEntry entries[] = {
        {"base-url", 0, 0, G_OPTION_ARG_STRING, &base,
         "Where the station is served, e.g. http://tv.example.kz (required)", "URL"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: stdout)",
         "FILE"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "epg m3u", NULL,
                   "Writes the M3U playlist for IPTV players: one entry per channel, its HLS\n"
                   "URL and tvg-id equal to the XMLTV channel id.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !base) {
        fprintf(stderr, "sabaq epg m3u: --base-url URL is required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    int64_t from = today_start_us(cat);
    g_autoptr(SqEpgGuide) guide = sq_epg_guide_load(cat, NULL, from, from + DAY_US, &error);
    g_autofree char *m3u = guide ? sq_epg_m3u_write(guide, base, &error) : NULL;
    if (!m3u) {
        cli_print_error(error);
        return 1;
    }
    return emit(output, m3u, strlen(m3u));
}

static int epg_json(SqCli *cli, int argc, char **argv)
{
    g_autofree char *channel = NULL, *date = NULL;
    const GOptionEntry entries[] = {
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel (required)", "ID"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &date,
         "The day guide of this local day (default: now and next)", "YYYY-MM-DD"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "epg json", NULL,
                   "Prints what is on now and next on a channel, or the guide of one local day,\n"
                   "as JSON (the web API's format).",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !channel) {
        fprintf(stderr, "sabaq epg json: --channel ID is required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    int64_t now = sq_now_us(), from, to;
    if (date) {
        g_autoptr(GTimeZone) tz = station_tz(cat);
        GDate day;
        if (!sq_plan_parse_day(date, &day)) {
            fprintf(stderr, "sabaq: --date: '%s' is not a date (YYYY-MM-DD)\n", date);
            return 1;
        }
        /* Programmes overlapping the day's edges, and days of 25 hours. */
        from = local_midnight_us(tz, &day) - DAY_US / 4;
        to = from + DAY_US * 3 / 2;
    } else {
        from = now - DAY_US;
        to = now + DAY_US;
    }
    g_autoptr(SqEpgGuide) guide = sq_epg_guide_load(cat, channel, from, to, &error);
    if (guide && !sq_epg_guide_channel(guide, channel))
        g_set_error(&error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "--channel: the station has no "
                    "channel '%s'",
                    channel);
    g_autoptr(JsonNode) node = NULL;
    if (!error)
        node = date ? sq_epg_json_day(guide, channel, date, &error)
                    : sq_epg_json_now_next(guide, channel, now, &error);
    if (!node) {
        cli_print_error(error);
        return 1;
    }
    cli_print_json(node);
    return 0;
}

int verb_epg(SqCli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        SqVerbFn run;
    } subs[] = {{"xmltv", epg_xmltv}, {"m3u", epg_m3u}, {"json", epg_json}};
    for (size_t i = 0; argc > 1 && i < G_N_ELEMENTS(subs); i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(cli, argc - 1, argv + 1);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: sabaq epg xmltv|m3u|json [OPTIONS]\n\n"
               "The programme guide of the published plan (docs/epg.md):\n"
               "  xmltv  the XMLTV guide         (sabaq epg xmltv --help)\n"
               "  m3u    the IPTV playlist       (sabaq epg m3u --help)\n"
               "  json   now/next or a day guide (sabaq epg json --help)\n");
        return 0;
    }
    fprintf(stderr, "sabaq epg: name one of xmltv, m3u, json (sabaq epg --help)\n");
    return 2;
}
