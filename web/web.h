/* sabaq web: the HTTP server (libsoup-3 on the GLib main loop) that serves
 * the JSON API (/api/v1), the pages (web/ui), the channels' HLS outputs,
 * catch-up of aired lessons as VOD HLS, the guide (/epg.xml,
 * /channels.m3u) and /metrics. docs/api.md documents the API.
 *
 *   SqWebConfig cfg = {.db_path = "sabaq.db", .library_dir = "library",
 *                      .bind = "127.0.0.1", .port = 8080};
 *   g_autoptr(SqWebServer) s = sq_web_server_new(&cfg, &error);
 *   sq_web_server_listen(s, &error);  ... g_main_loop_run(...)
 */
#pragma once

#include "core/core.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
    const char *db_path;     /* the catalog */
    const char *library_dir; /* assets (catch-up is made from them) */
    const char *bind;        /* address to listen on; NULL: 127.0.0.1 */
    int port;                /* 0: any free port (see sq_web_server_port) */
    const char *ui_dir;      /* the pages; NULL: the source tree's web/ui */
    const char *vendor_dir;  /* npm packages (node_modules); NULL: the source tree's */
    const char *cache_dir;   /* catch-up VOD segments; NULL: <library>/.vod */
    const char *public_url;  /* the station's URL in M3U/XMLTV; NULL: from the request */
    /* Requests from loopback carry the client's address in X-Real-IP (a
     * reverse proxy on this host, e.g. nginx with proxy_set_header
     * X-Real-IP $remote_addr): used for the login rate limits, which would
     * otherwise count every client as the proxy. */
    bool trust_proxy;
} SqWebConfig;

typedef struct SqWebServer SqWebServer;

SqWebServer *sq_web_server_new(const SqWebConfig *config, GError **error);
void sq_web_server_free(SqWebServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqWebServer, sq_web_server_free)

/* Starts listening; requests are served from the thread-default main loop. */
bool sq_web_server_listen(SqWebServer *server, GError **error);

/* The port actually listened on. */
int sq_web_server_port(const SqWebServer *server);

/* Accounts (accounts.c): role is planner, operator or admin; the password
 * (8 characters or more) is stored as an argon2id hash. Adding an existing
 * name replaces its role and password. */
bool sq_web_user_add(SqCatalog *cat, const char *name, const char *role, const char *password,
                     GError **error);
bool sq_web_user_remove(SqCatalog *cat, const char *name, GError **error);
/* [{"name", "role", "created"}]: never the hashes. */
JsonNode *sq_web_users_json(SqCatalog *cat, GError **error);

G_END_DECLS
