/* sabaq playout: channels on air; sabaq playout status; sabaq asrun. */
#include "cli.h"
#include "playout/playout.h"

#include <stdio.h>
#include <string.h>

static int playout_status(SqCli *cli, int argc, char **argv)
{
    gboolean json = FALSE;
    g_autofree char *status_dir = NULL;
    const GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON array on stdout", NULL},
        {"status-dir", 0, 0, G_OPTION_ARG_FILENAME, &status_dir,
         "Where engines write status (default: playout-status/ beside the catalog)", "DIR"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "playout status", NULL, "What each channel airs, and its outputs' health.",
                   entries, &argc, &argv))
        return 2;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) status = sq_playout_status_read(cli->db_path, status_dir, &error);
    if (!status) {
        cli_print_error(error);
        return 1;
    }
    if (json) {
        cli_print_json(status);
        return 0;
    }
    JsonArray *arr = json_node_get_array(status);
    if (json_array_get_length(arr) == 0)
        printf("no channel has run here\n");
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        bool running = json_object_get_boolean_member(o, "running");
        printf("%s: %s (%s)\n", json_object_get_string_member(o, "channel"),
               running ? "on air" : "not running",
               json_object_get_string_member_with_default(o, "source", "?"));
        if (running && json_object_has_member(o, "on_air")) {
            JsonObject *a = json_object_get_object_member(o, "on_air");
            gint64 pos = json_object_get_int_member_with_default(o, "position_frames", 0);
            g_autofree char *tc = sq_format_timecode(pos);
            printf("  now:  %s [%s] since %s, at %s\n",
                   json_object_get_string_member_with_default(a, "title", "?"),
                   json_object_get_string_member_with_default(a, "kind", "?"),
                   json_object_get_string_member_with_default(a, "start", "?"), tc);
        }
        if (running && json_object_has_member(o, "next")) {
            JsonObject *n = json_object_get_object_member(o, "next");
            printf("  next: %s [%s] at %s\n",
                   json_object_get_string_member_with_default(n, "title", "?"),
                   json_object_get_string_member_with_default(n, "kind", "?"),
                   json_object_get_string_member_with_default(n, "start", "?"));
        }
        JsonArray *outs = json_object_get_array_member(o, "outputs");
        for (guint j = 0; outs && j < json_array_get_length(outs); j++) {
            JsonObject *out = json_array_get_object_element(outs, j);
            const char *err = json_object_get_string_member_with_default(out, "last_error", NULL);
            printf("  %s %s: %s, %" G_GINT64_FORMAT " bytes%s%s\n",
                   json_object_get_string_member(out, "type"),
                   json_object_get_string_member(out, "target"),
                   json_object_get_string_member(out, "state"),
                   json_object_get_int_member_with_default(out, "bytes", 0), err ? ", " : "",
                   err ? err : "");
        }
        JsonArray *errs = json_object_get_array_member(o, "errors");
        for (guint j = 0; errs && j < json_array_get_length(errs); j++)
            printf("  error: %s\n", json_array_get_string_element(errs, j));
    }
    return 0;
}

int verb_playout(SqCli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "status") == 0)
        return playout_status(cli, argc - 1, argv + 1);
    g_auto(GStrv) channels = NULL;
    gboolean all = FALSE;
    g_autofree char *hls = NULL, *udp = NULL, *srt = NULL, *rundown = NULL, *status_dir = NULL;
    double for_seconds = 0;
    int segment_s = 6, window = 10;
    const GOptionEntry entries[] = {
        {"channel", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &channels, "A channel of the station", "ID"},
        {"all", 0, 0, G_OPTION_ARG_NONE, &all, "Every channel of the station, one process", NULL},
        {"hls", 0, 0, G_OPTION_ARG_FILENAME, &hls, "HLS output folder (index.m3u8)", "DIR"},
        {"udp", 0, 0, G_OPTION_ARG_STRING, &udp,
         "UDP output, udp://HOST:PORT[?ttl=N&iface=NAME&mux-rate=KBPS]", "URL"},
        {"srt", 0, 0, G_OPTION_ARG_STRING, &srt,
         "SRT output, srt://HOST:PORT?mode=caller|listener[&mux-rate=KBPS]", "URL"},
        {"rundown", 0, 0, G_OPTION_ARG_FILENAME, &rundown,
         "Air this running order instead of the published plan", "FILE.json"},
        {"for", 0, 0, G_OPTION_ARG_DOUBLE, &for_seconds, "Stop after this many seconds", "SECONDS"},
        {"segment", 0, 0, G_OPTION_ARG_INT, &segment_s, "HLS segment length (default 6)", "S"},
        {"window", 0, 0, G_OPTION_ARG_INT, &window, "HLS segments listed (default 10)", "N"},
        {"status-dir", 0, 0, G_OPTION_ARG_FILENAME, &status_dir,
         "Where to write status (default: playout-status/ beside the catalog)", "DIR"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "playout", "[status]",
                   "Airs channels in real time: the published plan (or a rundown) to HLS, UDP\n"
                   "and SRT, with the station file's outputs unless options name others.\n"
                   "Stops on SIGINT/SIGTERM or after --for seconds. 'sabaq playout status'\n"
                   "tells what each channel airs.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1) {
        fprintf(stderr, "sabaq playout: unexpected argument %s\n", argv[1]);
        return 2;
    }
    guint n_named = channels ? g_strv_length(channels) : 0;
    if (all == (n_named > 0)) {
        fprintf(stderr, "sabaq playout: give --channel ID or --all\n");
        return 2;
    }
    if ((all || n_named > 1) && (hls || udp || srt || rundown)) {
        fprintf(stderr, "sabaq playout: --hls, --udp, --srt and --rundown apply to one channel; "
                        "with several, each uses its station outputs\n");
        return 2;
    }
    if (segment_s < 1 || segment_s > 30 || window < 3 || window > 1000) {
        fprintf(stderr, "sabaq playout: --segment 1-30 s, --window 3-1000 segments\n");
        return 2;
    }
    GCancellable *cancel = cli_cancel_on_signals();
    g_autoptr(GError) error = NULL;
    if (all) {
        g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
        if (!cat)
            return 1;
        channels = sq_playout_station_channels(cat, &error);
        if (!channels) {
            cli_print_error(error);
            return 1;
        }
        n_named = g_strv_length(channels);
        if (n_named == 0) {
            fprintf(stderr, "sabaq playout: the station has no channel (sabaq import)\n");
            return 1;
        }
    }
    g_autofree SqPlayoutChannelConfig *cfg = g_new0(SqPlayoutChannelConfig, n_named);
    for (guint i = 0; i < n_named; i++) {
        cfg[i].channel_id = channels[i];
        cfg[i].hls_dir = hls;
        cfg[i].udp_url = udp;
        cfg[i].srt_url = srt;
        cfg[i].rundown_path = rundown;
    }
    SqPlayoutOptions opt = {.db_path = cli->db_path,
                            .library_dir = cli->library_dir,
                            .status_dir = status_dir,
                            .for_seconds = for_seconds,
                            .hls_segment_s = segment_s,
                            .hls_window = window};
    if (!sq_playout_run(&opt, cfg, (int)n_named, cancel, &error)) {
        cli_print_error(error);
        return 1;
    }
    int sig = cli_cancel_signal();
    return sig ? 128 + sig : 0;
}

int verb_asrun(SqCli *cli, int argc, char **argv)
{
    g_autofree char *channel = NULL, *date = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        {"channel", 'c', 0, G_OPTION_ARG_STRING, &channel, "The channel", "ID"},
        {"date", 'd', 0, G_OPTION_ARG_STRING, &date, "The station's local day", "YYYY-MM-DD"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON array on stdout", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "asrun", NULL, "What a channel really aired on a day, item by item.",
                   entries, &argc, &argv))
        return 2;
    if (!channel || !date || argc != 1) {
        fprintf(stderr, "sabaq asrun: give --channel ID and --date YYYY-MM-DD\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) rows = sq_asrun_day(cat, channel, date, &error);
    if (!rows) {
        cli_print_error(error);
        return 1;
    }
    if (json) {
        cli_print_json(rows);
        return 0;
    }
    JsonArray *arr = json_node_get_array(rows);
    printf("%-25s %-25s %11s %11s  %-11s %s\n", "planned", "actual", "planned", "aired", "status",
           "title / reason");
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        g_autofree char *pf = sq_format_timecode(json_object_get_int_member(o, "planned_frames"));
        g_autofree char *af = sq_format_timecode(json_object_get_int_member(o, "aired_frames"));
        const char *reason = json_object_get_string_member_with_default(o, "reason", NULL);
        printf("%-25s %-25s %11s %11s  %-11s %s%s%s\n",
               json_object_get_string_member(o, "planned_start"),
               json_object_get_string_member(o, "actual_start"), pf, af,
               json_object_get_string_member(o, "status"),
               json_object_get_string_member_with_default(o, "title", ""), reason ? " — " : "",
               reason ? reason : "");
    }
    return 0;
}
