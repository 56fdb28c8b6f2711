/* sabaq ingest: files given on the command line, a manifest CSV, or a
 * watch folder run as a service. */
#include "cli.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <unistd.h>

typedef struct {
    bool json;
    bool tty;
    int refused;
} Report;

static void on_progress(const char *source, double fraction, double speed, double eta, void *data)
{
    Report *r = data;
    if (r->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, "progress");
        json_builder_set_member_name(b, "source");
        json_builder_add_string_value(b, source);
        json_builder_set_member_name(b, "percent");
        json_builder_add_double_value(b, (int)(fraction * 1000) / 10.0);
        json_builder_set_member_name(b, "speed");
        json_builder_add_double_value(b, (int)(speed * 100) / 100.0);
        json_builder_set_member_name(b, "eta_seconds");
        json_builder_add_int_value(b, eta < 0 ? -1 : (int64_t)eta);
        json_builder_end_object(b);
        g_autoptr(JsonNode) node = json_builder_get_root(b);
        cli_print_json(node);
    } else if (r->tty) {
        /* The base name keeps the line within the terminal's width. */
        g_autofree char *name = g_path_get_basename(source);
        g_autofree char *eta_text = sq_format_clock_seconds((int64_t)eta);
        fprintf(stderr, "\r\033[K%s  %5.1f%%  %.1fx real time  ETA %s", name, fraction * 100, speed,
                eta < 0 ? "?" : eta_text);
        fflush(stderr);
    }
}

static void clear_progress_line(const Report *r)
{
    if (r->tty && !r->json)
        fprintf(stderr, "\r\033[K");
}

static const char *outcome_name(SqIngestOutcome o)
{
    switch (o) {
    case SQ_INGEST_NEW:
        return "ingested";
    case SQ_INGEST_UPDATED:
        return "updated";
    case SQ_INGEST_UNCHANGED:
        return "unchanged";
    }
    return "?";
}

static void report(Report *r, const char *source, const SqIngestResult *res, const GError *error)
{
    clear_progress_line(r);
    g_autofree char *name = g_path_get_basename(source);
    if (error)
        r->refused++;
    if (r->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, error ? "refused" : outcome_name(res->outcome));
        json_builder_set_member_name(b, "source");
        json_builder_add_string_value(b, source);
        if (error) {
            json_builder_set_member_name(b, "reason");
            json_builder_add_string_value(b, error->message);
        } else {
            json_builder_set_member_name(b, "asset");
            json_builder_add_int_value(b, res->asset_id);
            json_builder_set_member_name(b, "duration_frames");
            json_builder_add_int_value(b, res->duration_frames);
            json_builder_set_member_name(b, "loudness_in");
            json_builder_add_double_value(b, res->loudness_in);
            json_builder_set_member_name(b, "loudness_out");
            json_builder_add_double_value(b, res->loudness_out);
            json_builder_set_member_name(b, "true_peak");
            json_builder_add_double_value(b, res->true_peak);
            json_builder_set_member_name(b, "findings");
            json_builder_add_int_value(b, res->findings);
        }
        json_builder_end_object(b);
        g_autoptr(JsonNode) node = json_builder_get_root(b);
        cli_print_json(node);
        return;
    }
    if (error) {
        cli_print_error(error);
        return;
    }
    g_autofree char *tc = sq_format_timecode(res->duration_frames);
    printf("%s: %s as asset %" G_GINT64_FORMAT ", %s, %.1f -> %.1f LUFS, true peak %.1f dBTP, "
           "%d finding%s\n",
           name, outcome_name(res->outcome), res->asset_id, tc, res->loudness_in, res->loudness_out,
           res->true_peak, res->findings, res->findings == 1 ? "" : "s");
    fflush(stdout);
}

static bool ingest_one(SqCatalog *cat, const char *library, const char *path,
                       const SqLessonMeta *meta, const SqIngestOptions *opt, Report *r)
{
    SqIngestResult res;
    g_autoptr(GError) error = NULL;
    bool ok = sq_ingest_file(cat, library, path, meta, opt, &res, &error);
    if (!ok && g_error_matches(error, SQ_ERROR, SQ_ERROR_CANCELLED)) {
        clear_progress_line(r);
        return false;
    }
    report(r, path, ok ? &res : NULL, error);
    return true;
}

static void on_watched_file(const char *source, const SqIngestResult *res, const GError *error,
                            void *data)
{
    report(data, source, res, error);
}

int verb_ingest(SqCli *cli, int argc, char **argv)
{
    SqLessonMeta meta = {.grade = SQ_META_ABSENT, .number = SQ_META_ABSENT};
    g_autofree char *manifest = NULL, *watch_dir = NULL, *profile_name = NULL;
    gboolean json = FALSE;
    double settle = 5.0;
    const GOptionEntry entries[] = {
        {"subject", 0, 0, G_OPTION_ARG_STRING, &meta.subject, "Subject identifier, e.g. math",
         "ID"},
        {"grade", 0, 0, G_OPTION_ARG_INT, &meta.grade, "Grade, 1 to 11", "N"},
        {"number", 0, 0, G_OPTION_ARG_INT, &meta.number, "Lesson number in the subject's sequence",
         "N"},
        {"language", 0, 0, G_OPTION_ARG_STRING, &meta.language, "Language of the recording",
         "kk|ru"},
        {"title", 0, 0, G_OPTION_ARG_STRING, &meta.title, "Lesson title in that language", "TEXT"},
        {"description", 0, 0, G_OPTION_ARG_STRING, &meta.description, "Lesson description", "TEXT"},
        {"filler", 0, 0, G_OPTION_ARG_STRING, &meta.filler_tags,
         "Ingest as a filler with these tags (comma or space separated)", "TAGS"},
        {"manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest,
         "A CSV: file,subject,grade,number,language,title,description", "CSV"},
        {"watch", 0, 0, G_OPTION_ARG_FILENAME, &watch_dir,
         "Watch a folder and ingest what arrives, until stopped", "DIR"},
        {"settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle,
         "With --watch: seconds a file must stay unchanged before it is taken (default 5)",
         "SECONDS"},
        {"profile", 0, 0, G_OPTION_ARG_STRING, &profile_name,
         "House format profile: hd1080 (default, or $SABAQ_PROFILE), hd720, sd576, test", "NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per line for each event", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "ingest", "[FILE...]",
                   "Checks recorded lessons and transcodes them into the house format\n"
                   "(H.264 25p, AAC 48 kHz at -23 LUFS) in the library and the catalog.",
                   entries, &argc, &argv)) {
        sq_lesson_meta_clear(&meta);
        return 2;
    }
    const SqProfile *profile = sq_profile_default();
    if (profile_name && !(profile = sq_profile_lookup(profile_name))) {
        g_autofree char *names = sq_profile_names();
        fprintf(stderr, "sabaq ingest: unknown profile '%s' (one of %s)\n", profile_name, names);
        sq_lesson_meta_clear(&meta);
        return 2;
    }
    int modes = (argc > 1) + (manifest != NULL) + (watch_dir != NULL);
    if (modes != 1) {
        fprintf(stderr, "sabaq ingest: give files, or --manifest CSV, or --watch DIR\n");
        sq_lesson_meta_clear(&meta);
        return 2;
    }

    GCancellable *cancel = cli_cancel_on_signals();
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat) {
        sq_lesson_meta_clear(&meta);
        return 1;
    }
    g_autofree char *library = sq_default_library_dir(cli->library_dir);
    {
        g_autoptr(GError) error = NULL;
        if (!sq_ingest_ensure_house_assets(cat, library, profile, &error)) {
            cli_print_error(error);
            sq_lesson_meta_clear(&meta);
            return 1;
        }
    }
    Report r = {.json = json, .tty = isatty(STDERR_FILENO) && !json};
    SqIngestOptions opt = {.profile = profile, .cancellable = cancel};
    if (json || r.tty) {
        opt.progress = on_progress;
        opt.progress_data = &r;
    }

    if (watch_dir) {
        SqWatchOptions w = {.settle_seconds = settle,
                            .poll_seconds = 1.0,
                            .on_file = on_watched_file,
                            .user_data = &r};
        g_autoptr(GError) error = NULL;
        bool ok = sq_watch_run(cat, library, watch_dir, &opt, &w, &error);
        sq_lesson_meta_clear(&meta);
        if (!ok) {
            cli_print_error(error);
            return 1;
        }
        return 0;
    }

    if (manifest) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) row_errors = NULL;
        g_autoptr(GPtrArray) rows = sq_manifest_load(manifest, &row_errors, &error);
        if (!rows) {
            cli_print_error(error);
            sq_lesson_meta_clear(&meta);
            return 1;
        }
        for (guint i = 0; i < row_errors->len; i++) {
            fprintf(stderr, "sabaq: %s\n", (const char *)row_errors->pdata[i]);
            r.refused++;
        }
        for (guint i = 0; i < rows->len; i++) {
            const SqManifestEntry *e = rows->pdata[i];
            if (!ingest_one(cat, library, e->file, &e->meta, &opt, &r))
                break;
        }
    } else {
        for (int i = 1; i < argc; i++)
            if (!ingest_one(cat, library, argv[i], &meta, &opt, &r))
                break;
    }
    sq_lesson_meta_clear(&meta);
    if (g_cancellable_is_cancelled(cancel)) {
        fprintf(stderr, "sabaq: ingest interrupted; nothing half-done was kept\n");
        return 128 + cli_cancel_signal();
    }
    return r.refused ? 1 : 0;
}
