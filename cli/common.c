/* What every verb shares: global options, opening the catalog, errors,
 * JSON output, and stopping cleanly on SIGINT/SIGTERM. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

bool cli_parse(SqCli *cli, const char *verb, const char *parameters, const char *summary,
               const GOptionEntry *entries, int *argc, char ***argv)
{
    const GOptionEntry global[] = {
        {"db", 0, 0, G_OPTION_ARG_FILENAME, &cli->db_path,
         "The catalog (default: $SABAQ_DB, else sabaq.db)", "FILE"},
        {"library", 0, 0, G_OPTION_ARG_FILENAME, &cli->library_dir,
         "The media library (default: $SABAQ_LIBRARY, else library/)", "DIR"},
        G_OPTION_ENTRY_NULL,
    };
    g_autofree char *title =
        g_strdup_printf("%s%s%s", verb, parameters ? " " : "", parameters ? parameters : "");
    g_autoptr(GOptionContext) ctx = g_option_context_new(title);
    g_option_context_set_summary(ctx, summary);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    /* People type the global options after the verb as often as before. */
    g_option_context_add_main_entries(ctx, global, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        fprintf(stderr, "sabaq %s: %s\n", verb, error->message);
        return false;
    }
    return true;
}

SqCatalog *cli_open_catalog(SqCli *cli)
{
    g_autofree char *path = sq_default_db_path(cli->db_path);
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "sabaq: %s: %s\n", dir, g_strerror(errno));
        return NULL;
    }
    g_autoptr(GError) error = NULL;
    SqCatalog *cat = sq_catalog_open(path, &error);
    if (!cat)
        cli_print_error(error);
    return cat;
}

void cli_print_error(const GError *error)
{
    fprintf(stderr, "sabaq: %s\n", error ? error->message : "unknown error");
}

void cli_print_json(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, node);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static GCancellable *signal_cancellable;
static volatile int signal_taken;

static gpointer signal_thread(gpointer data)
{
    sigset_t *set = data;
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    signal_taken = sig;
    g_cancellable_cancel(signal_cancellable);
    return NULL;
}

GCancellable *cli_cancel_on_signals(void)
{
    if (signal_cancellable)
        return signal_cancellable;
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Blocked here, so every thread started later inherits the mask and
     * only signal_thread receives them. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal_cancellable = g_cancellable_new();
    g_thread_unref(g_thread_new("sabaq-signals", signal_thread, &set));
    return signal_cancellable;
}

int cli_cancel_signal(void)
{
    return signal_taken;
}
