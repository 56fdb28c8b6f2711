/* sabaq serve: the web server (pages, API, HLS, catch-up, guide, metrics)
 * until SIGINT or SIGTERM. */
#include "cli.h"
#include "playout/playout.h"
#include "web/web.h"

#include <glib-unix.h>
#include <stdio.h>

/* Playout of every channel of the station, in its own thread while the
 * server runs (serve --playout). */
typedef struct {
    SqPlayoutOptions options;
    SqPlayoutChannelConfig *channels;
    int n_channels;
    GCancellable *cancel;
    GMainLoop *loop;
} Station;

static gpointer run_playout(gpointer data)
{
    Station *st = data;
    g_autoptr(GError) error = NULL;
    if (!sq_playout_run(&st->options, st->channels, st->n_channels, st->cancel, &error)) {
        cli_print_error(error);
        g_main_loop_quit(st->loop);
    }
    return NULL;
}

static gboolean quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int verb_serve(SqCli *cli, int argc, char **argv)
{
    int port = 8080;
    gboolean playout = FALSE, trust_proxy = FALSE;
    g_autofree char *bind = NULL, *public_url = NULL, *ui = NULL;
    const GOptionEntry entries[] = {
        {"port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port (default 8080; 0: any free port)", "N"},
        {"bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Address to listen on (default 127.0.0.1)",
         "ADDR"},
        {"public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
         "The station's public URL for M3U links (default: from each request)", "URL"},
        {"ui", 0, 0, G_OPTION_ARG_FILENAME, &ui, "Serve the pages from DIR", "DIR"},
        {"trust-proxy", 0, 0, G_OPTION_ARG_NONE, &trust_proxy,
         "Behind a reverse proxy on this host: take the client's address from its X-Real-IP", NULL},
        {"playout", 0, 0, G_OPTION_ARG_NONE, &playout,
         "Also air every channel of the station (sabaq playout --all) in this process", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "serve", NULL,
                   "Serves the student page, the JSON API (/api/v1, docs/api.md), the channels'\n"
                   "HLS, catch-up of aired lessons, /epg.xml, /channels.m3u and /metrics;\n"
                   "with --playout it also airs every channel (one command runs a station).",
                   entries, &argc, &argv))
        return 2;
    if (argc != 1 || port < 0 || port > 65535) {
        fprintf(stderr, "sabaq serve: --port is 0 to 65535\n");
        return 2;
    }
    g_autofree char *db = sq_default_db_path(cli->db_path);
    g_autofree char *library = sq_default_library_dir(cli->library_dir);
    SqWebConfig cfg = {.db_path = db,
                       .library_dir = library,
                       .bind = bind,
                       .port = port,
                       .ui_dir = ui,
                       .public_url = public_url,
                       .trust_proxy = trust_proxy};
    g_autoptr(GError) error = NULL;
    g_autoptr(SqWebServer) server = sq_web_server_new(&cfg, &error);
    if (!server || !sq_web_server_listen(server, &error)) {
        cli_print_error(error);
        return 1;
    }
    /* The line tests and scripts wait for. */
    printf("serving on http://%s:%d/\n", bind ? bind : "127.0.0.1", sq_web_server_port(server));
    fflush(stdout);
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, quit, loop);
    g_unix_signal_add(SIGTERM, quit, loop);
    Station st = {.options = {.db_path = db, .library_dir = library}, .loop = loop};
    g_auto(GStrv) ids = NULL;
    GThread *thread = NULL;
    if (playout) {
        g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
        ids = cat ? sq_playout_station_channels(cat, &error) : NULL;
        if (!ids) {
            if (error)
                cli_print_error(error);
            return 1;
        }
        st.n_channels = (int)g_strv_length(ids);
        st.channels = g_new0(SqPlayoutChannelConfig, st.n_channels);
        for (int i = 0; i < st.n_channels; i++)
            st.channels[i].channel_id = ids[i];
        st.cancel = g_cancellable_new();
        thread = g_thread_new("playout", run_playout, &st);
    }
    g_main_loop_run(loop);
    if (thread) {
        /* Playlists are closed properly before the server goes. */
        g_cancellable_cancel(st.cancel);
        g_thread_join(thread);
        g_object_unref(st.cancel);
        g_free(st.channels);
    }
    return 0;
}
