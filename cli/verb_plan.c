/* sabaq plan, sabaq plan diff, sabaq publish: drafts from the grid, what
 * changed between versions, and drafts made versions. */
#include "cli.h"
#include "ingest/ingest.h"
#include "scheduler/scheduler.h"

#include <stdio.h>
#include <string.h>

/* Today in the station's zone, for a missing --from/--date. */
char *cli_station_today(SqCatalog *cat)
{
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, NULL);
    g_autoptr(GDateTime) now = tz ? g_date_time_new_now(tz) : g_date_time_new_now_local();
    return g_date_time_format(now, "%Y-%m-%d");
}

/* The slate and the house loop, in the profile the library's assets use,
 * so that every plan has something to fill with. */
static bool ensure_house_assets(SqCli *cli, SqCatalog *cat)
{
    g_autofree char *name = sq_plan_house_profile(cat);
    const SqProfile *profile = name ? sq_profile_lookup(name) : NULL;
    g_autofree char *library = sq_default_library_dir(cli->library_dir);
    g_autoptr(GError) error = NULL;
    if (!sq_ingest_ensure_house_assets(cat, library, profile ? profile : sq_profile_default(),
                                       &error)) {
        cli_print_error(error);
        return false;
    }
    return true;
}

static int plan_diff(SqCli *cli, int argc, char **argv);

int verb_plan(SqCli *cli, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "diff") == 0)
        return plan_diff(cli, argc - 1, argv + 1);
    g_autofree char *from = NULL, *channel = NULL;
    int days = 7;
    gboolean strict = FALSE;
    const GOptionEntry entries[] = {
        {"from", 0, 0, G_OPTION_ARG_STRING, &from, "First local day (default: today)",
         "YYYY-MM-DD"},
        {"days", 0, 0, G_OPTION_ARG_INT, &days, "How many days (default 7)", "N"},
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "Only this channel (default: all)", "ID"},
        {"strict", 0, 0, G_OPTION_ARG_NONE, &strict, "Exit 1 when there is any conflict", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "plan", "[diff]",
                   "Builds or refreshes the draft plan of each channel from the station's grids,\n"
                   "calendar and approved assets. Published days are kept as they are. Every\n"
                   "conflict is printed as 'DATE TIME CHANNEL: reason'.\n"
                   "'sabaq plan diff --help': what changed between versions of a day.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1) {
        fprintf(stderr, "sabaq plan: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat || !ensure_house_assets(cli, cat))
        return 1;
    if (!from)
        from = cli_station_today(cat);
    SqPlanRefresh r = {0};
    g_autoptr(GError) error = NULL;
    if (!sq_plan_refresh(cat, channel, from, days, &r, &error)) {
        cli_print_error(error);
        return 1;
    }
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, NULL);
    for (guint i = 0; i < r.days->len; i++) {
        const SqPlanDay *d = r.days->pdata[i];
        for (guint j = 0; !d->is_fixed && j < d->conflicts->len; j++) {
            g_autofree char *line = sq_conflict_format(d->conflicts->pdata[j], d->channel_id, tz);
            printf("%s\n", line);
        }
    }
    for (guint i = 0; i < r.warnings->len; i++)
        fprintf(stderr, "sabaq plan: warning: %s\n", (char *)r.warnings->pdata[i]);
    printf("planned %d day%s (%" G_GINT64_FORMAT " items), kept %d published day%s, "
           "%d conflict%s\n",
           r.days_planned, r.days_planned == 1 ? "" : "s", r.items, r.days_kept,
           r.days_kept == 1 ? "" : "s", r.conflicts, r.conflicts == 1 ? "" : "s");
    int status = strict && r.conflicts > 0 ? 1 : 0;
    sq_plan_refresh_clear(&r);
    return status;
}

int verb_publish(SqCli *cli, int argc, char **argv)
{
    g_autofree char *from = NULL, *channel = NULL;
    int days = 1;
    const GOptionEntry entries[] = {
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel (required)", "ID"},
        {"from", 0, 0, G_OPTION_ARG_STRING, &from, "First local day (default: today)",
         "YYYY-MM-DD"},
        {"days", 0, 0, G_OPTION_ARG_INT, &days, "How many days (default 1)", "N"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "publish", NULL,
                   "Publishes the drafts of a channel's days as new versions, all or nothing:\n"
                   "every day of the range must have a draft or be published already.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !channel) {
        fprintf(stderr, "sabaq publish: --channel ID is required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    if (!from)
        from = cli_station_today(cat);
    SqPublishResult r;
    g_autoptr(GError) error = NULL;
    if (!sq_plan_publish(cat, channel, from, days, &r, &error)) {
        cli_print_error(error);
        return 1;
    }
    printf("%s: published %d day%s, %d already published without changes\n", channel, r.published,
           r.published == 1 ? "" : "s", r.unchanged);
    return 0;
}

static void diff_line(GString *out, char op, const SqPlanItem *it, const char *title, GTimeZone *tz)
{
    g_autoptr(GDateTime) s = g_date_time_new_from_unix_utc(it->start_us / SQ_SECOND_US);
    g_autoptr(GDateTime) e = g_date_time_new_from_unix_utc(it->end_us / SQ_SECOND_US);
    g_autoptr(GDateTime) sl = g_date_time_to_timezone(s, tz);
    g_autoptr(GDateTime) el = g_date_time_to_timezone(e, tz);
    g_autofree char *start = g_date_time_format(sl, "%H:%M:%S");
    g_autofree char *end = g_date_time_format(el, "%H:%M:%S");
    g_string_append_printf(
        out, "%c %s.%02d-%s.%02d %-7s", op, start, (int)(it->start_us % SQ_SECOND_US / SQ_FRAME_US),
        end, (int)(it->end_us % SQ_SECOND_US / SQ_FRAME_US), sq_item_kind_name(it->kind));
    if (it->asset_id)
        g_string_append_printf(out, " asset %" G_GINT64_FORMAT, it->asset_id);
    if (title)
        g_string_append_printf(out, " \"%s\"", title);
    g_string_append_c(out, '\n');
}

static int plan_diff(SqCli *cli, int argc, char **argv)
{
    g_autofree char *channel = NULL, *date = NULL;
    int from_version = 0, to_version = 0;
    gboolean json = FALSE, all = FALSE;
    const GOptionEntry entries[] = {
        {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel (required)", "ID"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &date, "The local day (default: today)", "YYYY-MM-DD"},
        {"from", 0, 0, G_OPTION_ARG_INT, &from_version,
         "Old version (default: the one before --to)", "N"},
        {"to", 0, 0, G_OPTION_ARG_INT, &to_version,
         "New version (default: the draft if any, else the newest published)", "N"},
        {"all", 0, 0, G_OPTION_ARG_NONE, &all, "Show unchanged items too", NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "plan diff", NULL,
                   "Shows what changed in a channel's day between two versions: '-' items only\n"
                   "in the old one, '+' only in the new one. Without --from/--to: the draft\n"
                   "against the newest published version, else the newest published version\n"
                   "against the one before.",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || !channel) {
        fprintf(stderr, "sabaq plan diff: --channel ID is required\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    if (!date)
        date = cli_station_today(cat);
    g_autoptr(GError) error = NULL;
    g_autoptr(GTimeZone) tz = sq_plan_station_timezone(cat, &error);
    g_autoptr(GArray) versions = tz ? sq_plan_day_versions(cat, channel, date, &error) : NULL;
    if (!versions) {
        cli_print_error(error);
        return 1;
    }
    int newest = versions->len ? g_array_index(versions, int, versions->len - 1) : 0;
    /* -1 stands for the draft. */
    int new_v = to_version, old_v = from_version;
    if (!new_v) {
        SqPlanVersionInfo info = {0};
        g_autoptr(SqPlanDay) draft = sq_plan_day_load(cat, channel, date, -1, &info, NULL);
        new_v = draft ? -1 : newest;
        sq_plan_version_info_clear(&info);
    }
    if (!old_v)
        old_v = new_v == -1 ? newest : new_v - 1;
    if (new_v == 0 || old_v <= 0) {
        fprintf(stderr, "sabaq: %s %s has no two versions to compare\n", date, channel);
        return 1;
    }
    g_autoptr(SqPlanDay) a = sq_plan_day_load(cat, channel, date, old_v, NULL, &error);
    g_autoptr(SqPlanDay) b = a ? sq_plan_day_load(cat, channel, date, new_v, NULL, &error) : NULL;
    if (!b) {
        cli_print_error(error);
        return 1;
    }
    g_autoptr(GArray) ops = sq_plan_diff(a->items, b->items);
    g_autoptr(JsonBuilder) jb = json_builder_new();
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *new_name = new_v == -1 ? g_strdup("draft") : g_strdup_printf("%d", new_v);
    g_string_append_printf(out, "%s %s: version %d -> %s\n", channel, date, old_v, new_name);
    json_builder_begin_object(jb);
    json_builder_set_member_name(jb, "channel");
    json_builder_add_string_value(jb, channel);
    json_builder_set_member_name(jb, "date");
    json_builder_add_string_value(jb, date);
    json_builder_set_member_name(jb, "from");
    json_builder_add_int_value(jb, old_v);
    json_builder_set_member_name(jb, "to");
    json_builder_add_string_value(jb, new_name);
    json_builder_set_member_name(jb, "changes");
    json_builder_begin_array(jb);
    int changes = 0;
    for (guint i = 0; i < ops->len; i++) {
        const SqPlanDiffOp *op = &g_array_index(ops, SqPlanDiffOp, i);
        if (op->op == '=' && !all)
            continue;
        changes += op->op != '=';
        g_autofree char *title = sq_plan_item_title(cat, op->item, NULL);
        diff_line(out, op->op, op->item, title, tz);
        g_autofree char *start = sq_format_rfc3339(op->item->start_us, tz);
        g_autofree char *end = sq_format_rfc3339(op->item->end_us, tz);
        json_builder_begin_object(jb);
        json_builder_set_member_name(jb, "op");
        json_builder_add_string_value(jb, op->op == '+'   ? "added"
                                          : op->op == '-' ? "removed"
                                                          : "same");
        json_builder_set_member_name(jb, "start");
        json_builder_add_string_value(jb, start);
        json_builder_set_member_name(jb, "end");
        json_builder_add_string_value(jb, end);
        json_builder_set_member_name(jb, "kind");
        json_builder_add_string_value(jb, sq_item_kind_name(op->item->kind));
        json_builder_set_member_name(jb, "asset");
        json_builder_add_int_value(jb, op->item->asset_id);
        json_builder_set_member_name(jb, "title");
        if (title)
            json_builder_add_string_value(jb, title);
        else
            json_builder_add_null_value(jb);
        json_builder_end_object(jb);
    }
    json_builder_end_array(jb);
    json_builder_end_object(jb);
    if (json) {
        g_autoptr(JsonNode) root = json_builder_get_root(jb);
        cli_print_json(root);
    } else {
        if (changes == 0)
            g_string_append(out, "no changes\n");
        fputs(out->str, stdout);
    }
    return 0;
}
