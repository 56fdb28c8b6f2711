/* sabaq assets, approve, withdraw: the catalog as a methodologist sees it. */
#include "cli.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>

int verb_assets(SqCli *cli, int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON array of asset objects", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "assets", NULL, "Lists the catalog's assets with their status.", entries,
                   &argc, &argv))
        return 2;
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) assets = sq_assets_list(cat, &error);
    if (!assets) {
        cli_print_error(error);
        return 1;
    }
    if (json) {
        g_autoptr(JsonNode) node = sq_assets_to_json(assets);
        cli_print_json(node);
        return 0;
    }
    printf("%5s  %-9s  %-14s %5s %4s %-4s %-11s  %7s %7s  %-9s  %s\n", "ID", "STATUS", "SUBJECT",
           "GRADE", "NO.", "LANG", "DURATION", "LUFS", "dBTP", "FINDINGS", "TITLE");
    for (guint i = 0; i < assets->len; i++) {
        const SqAsset *a = assets->pdata[i];
        g_autofree char *tc = sq_format_timecode(a->duration_frames);
        g_autofree char *grade = a->grade ? g_strdup_printf("%d", a->grade) : g_strdup("-");
        g_autofree char *number = a->number ? g_strdup_printf("%d", a->number) : g_strdup("-");
        g_autofree char *subject =
            a->subject ? g_strdup(a->subject) : g_strdup_printf("[%s]", a->tags ? a->tags : "");
        printf("%5" G_GINT64_FORMAT "  %-9s  %-14s %5s %4s %-4s %-11s  %7.1f %7.1f  %-9u  %s\n",
               a->id, a->status, subject, grade, number, a->language ? a->language : "-", tc,
               a->loudness_out, a->true_peak, a->findings->len, a->title ? a->title : "");
        for (guint f = 0; f < a->findings->len; f++)
            printf("%7s- %s\n", "", ((const SqFinding *)a->findings->pdata[f])->message);
    }
    return 0;
}

static bool parse_asset_id(const char *text, int64_t *id)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (!text[0] || *end || v <= 0)
        return false;
    *id = v;
    return true;
}

static int change_status(SqCli *cli, int argc, char **argv, bool approve)
{
    g_autofree char *reason = NULL;
    const GOptionEntry withdraw_entries[] = {
        {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why it comes off air (required)", "TEXT"},
        G_OPTION_ENTRY_NULL,
    };
    const char *verb = approve ? "approve" : "withdraw";
    if (!cli_parse(cli, verb, "ASSET...",
                   approve ? "Approves assets for air: only approved lessons are scheduled."
                           : "Withdraws assets from air, recording the reason.",
                   approve ? NULL : withdraw_entries, &argc, &argv))
        return 2;
    if (argc < 2) {
        fprintf(stderr, "sabaq %s: name at least one asset id\n", verb);
        return 2;
    }
    if (!approve && (!reason || !*reason)) {
        fprintf(stderr, "sabaq withdraw: --reason is required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int64_t id;
        g_autoptr(GError) error = NULL;
        if (!parse_asset_id(argv[i], &id)) {
            fprintf(stderr, "sabaq %s: '%s' is not an asset id\n", verb, argv[i]);
            status = 1;
            continue;
        }
        bool ok = approve ? sq_asset_approve(cat, id, &error)
                          : sq_asset_withdraw(cat, id, reason, &error);
        if (!ok) {
            cli_print_error(error);
            status = 1;
            continue;
        }
        printf("asset %" G_GINT64_FORMAT ": %s\n", id, approve ? "approved" : "withdrawn");
    }
    return status;
}

int verb_approve(SqCli *cli, int argc, char **argv)
{
    return change_status(cli, argc, argv, true);
}

int verb_withdraw(SqCli *cli, int argc, char **argv)
{
    return change_status(cli, argc, argv, false);
}
