/* sabaq serve: the web server (pages, API, HLS, catch-up, guide, metrics)
 * until SIGINT or SIGTERM. */
#include "cli.h"
#include "web/web.h"

#include <glib-unix.h>
#include <stdio.h>

static gboolean quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int verb_serve(SqCli *cli, int argc, char **argv)
{
    int port = 8080;
    g_autofree char *bind = NULL, *public_url = NULL, *ui = NULL;
    const GOptionEntry entries[] = {
        {"port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port (default 8080; 0: any free port)", "N"},
        {"bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Address to listen on (default 127.0.0.1)",
         "ADDR"},
        {"public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
         "The station's public URL for M3U links (default: from each request)", "URL"},
        {"ui", 0, 0, G_OPTION_ARG_FILENAME, &ui, "Serve the pages from DIR", "DIR"},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "serve", NULL,
                   "Serves the student page, the JSON API (/api/v1, docs/api.md), the channels'\n"
                   "HLS, catch-up of aired lessons, /epg.xml, /channels.m3u and /metrics.",
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
                       .public_url = public_url};
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
    g_main_loop_run(loop);
    return 0;
}
