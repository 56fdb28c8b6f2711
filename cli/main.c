/* sabaq: one binary, one verb per job of the station. */
#include "cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    SqVerbFn run;
    const char *summary;
} Verb;

static const Verb verbs[] = {
    {"ingest", verb_ingest, "transcode recorded lessons into the house format and the catalog"},
    {"assets", verb_assets, "list the catalog's assets"},
    {"approve", verb_approve, "approve an asset for air (methodologist)"},
    {"withdraw", verb_withdraw, "take an asset off air, with a reason"},
    {"import", verb_import, "load the station file: subjects, channels, calendar, grids"},
    {"plan", verb_plan, "build the draft plan of each channel; 'plan diff': what changed"},
    {"publish", verb_publish, "publish a channel's drafts as new versions"},
    {"schedule", verb_schedule, "show a channel's day; 'schedule set': edit a published day"},
    {"serve", verb_serve, "the web server: student page, API, HLS, catch-up, guide, metrics"},
    {"demo", verb_demo, "run the demo station: sample lessons, plans, playout, web"},
    {"user", verb_user, "accounts of the planner's and operator's pages"},
    {"epg", verb_epg, "the programme guide: XMLTV, M3U for IPTV players, JSON now/next"},
    {"playout", verb_playout, "air channels in real time to HLS, UDP and SRT; 'playout status'"},
    {"asrun", verb_asrun, "what a channel really aired on a day"},
};

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: sabaq [--db FILE] [--library DIR] VERB [OPTIONS...]\n\n"
                 "sabaq puts recorded school lessons on air and online.\n\nVerbs:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "\nGlobal options:\n"
                 "  --db FILE        the catalog (default: $SABAQ_DB, else sabaq.db)\n"
                 "  --library DIR    the media library (default: $SABAQ_LIBRARY, else library/)\n"
                 "\n'sabaq VERB --help' describes a verb.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    g_set_prgname("sabaq");
    /* stdout is for results and --json; logs for operators go to stderr. */
    g_log_writer_default_set_use_stderr(TRUE);
    SqCli cli = {0};

    /* Global options may come before the verb; verbs accept them too. */
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        const char *arg = argv[first];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if ((strcmp(arg, "--db") == 0 || strcmp(arg, "--library") == 0) && first + 1 < argc) {
            char **slot = strcmp(arg, "--db") == 0 ? &cli.db_path : &cli.library_dir;
            g_free(*slot);
            *slot = g_strdup(argv[first + 1]);
            first += 2;
        } else if (g_str_has_prefix(arg, "--db=")) {
            g_free(cli.db_path);
            cli.db_path = g_strdup(arg + 5);
            first++;
        } else if (g_str_has_prefix(arg, "--library=")) {
            g_free(cli.library_dir);
            cli.library_dir = g_strdup(arg + 10);
            first++;
        } else {
            fprintf(stderr, "sabaq: unknown option %s before the verb\n", arg);
            return 2;
        }
    }
    if (first >= argc) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[first];
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
        if (strcmp(verbs[i].name, name) == 0) {
            int status = verbs[i].run(&cli, argc - first, argv + first);
            g_free(cli.db_path);
            g_free(cli.library_dir);
            return status;
        }
    }
    fprintf(stderr, "sabaq: unknown verb '%s' (sabaq --help lists them)\n", name);
    return 2;
}
