/* The web module's insides, shared by server.c, static.c, api.c, vod.c. */
#pragma once

#include "web.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* How far back the M3U's catch-up reaches (IPTV players' catchup-days). */
#define WEB_CATCHUP_DAYS 7

/* The pages' Content-Security-Policy (static.c). media-src data: is for
 * the empty WebVTT track hls.js makes for the playlist's DATERANGE cues. */
#define WEB_PAGE_CSP                                                                               \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "media-src 'self' blob: data:; worker-src 'self' blob:; connect-src 'self'; object-src "       \
    "'none'; "                                                                                     \
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* Request bodies larger than this are refused with 413. */
#define WEB_MAX_BODY_BYTES (64 * 1024)

struct SqWebServer {
    SoupServer *soup;
    SqCatalog *cat;
    char *db_path;
    char *db_dir; /* relative HLS outputs are beside the catalog */
    char *library_dir;
    char *ui_dir;
    char *vendor_dir;
    char *cache_dir;
    char *public_url;
    bool trust_proxy;
    char *bind;
    int port;
    int64_t started_us;
    GHashTable *requests;    /* "route status" -> count, for /metrics */
    GSocketService *service; /* listen.c: accepts the connections */
    GHashTable *vod_jobs;    /* sha256 -> VodJob: catch-up folders being made (vod.c) */
    /* The guide of every channel from a day ago to 8 days ahead, kept
     * until a plan is published, the station re-imported or 6 hours pass
     * (guide_cache.c): now/next is asked thousands of times a second. */
    struct SqEpgGuide *guide;
    int64_t guide_from_us, guide_to_us;
    char *guide_stamp;
    int64_t stamp_checked_us;
    GHashTable *now_next; /* channel -> NowNext*: answers reused until stale */
};

typedef struct {
    GBytes *body;
    int64_t until_us;
    char *stamp;
} NowNext;

/* accounts.c */
#define WEB_SESSION_COOKIE "sabaq_session"

typedef struct {
    char *user, *role, *csrf, *token;
} WebSession;

typedef enum { WEB_LOGIN_OK, WEB_LOGIN_FAILED, WEB_LOGIN_THROTTLED } WebLogin;

WebLogin web_login(SqWebServer *s, const char *client, const char *name, const char *password,
                   WebSession *session);
/* The session of the request's cookie, if valid. */
bool web_session_get(SqWebServer *s, SoupServerMessage *msg, WebSession *session);
void web_session_end(SqWebServer *s, const WebSession *session);
void web_session_clear(WebSession *session);
/* The client's address: the peer's, or X-Real-IP when the peer is this
 * host and the server trusts its proxy. Caller frees. */
char *web_client_address(SqWebServer *s, SoupServerMessage *msg);
/* Admins may do everything; others what allowed (NULL-terminated) names. */
bool web_role_allows(const WebSession *session, const char *const *allowed);

/* One logged-in API call as the router hands it to its handler: body is
 * the parsed JSON object of a state-changing call, else NULL. */
typedef struct {
    const char *path;
    GHashTable *query;
    JsonObject *body;
    const WebSession *session;
} WebCall;
typedef void (*WebHandler)(SqWebServer *s, SoupServerMessage *msg, const WebCall *call);

/* api_plan.c: the planner's and operator's API (logged in). */
void web_api_private(SqWebServer *s, SoupServerMessage *msg, const char *path, GHashTable *query);

/* hls_routes.c: answers path when it is in a channel's live HLS (its
 * station output folder); false when no channel's URL matches. */
bool web_hls_handle(SqWebServer *s, SoupServerMessage *msg, const char *path);

/* listen.c: listens on address (port 0: any; s->port is set) and hands
 * each connection to libsoup; every answer closes its connection. */
bool web_listen(SqWebServer *s, GSocketAddress *address, GError **error);
void web_listen_stop(SqWebServer *s);

/* api_assets.c: GET /api/v1/assets (staff). */
void web_assets_get(SqWebServer *s, SoupServerMessage *msg, const WebCall *call);

/* grids.c */
void web_grids_get(SqWebServer *s, SoupServerMessage *msg, const WebCall *call);
void web_slot_change(SqWebServer *s, SoupServerMessage *msg, const WebCall *call);

/* server.c */
void web_count(SqWebServer *s, const char *route, unsigned status);
void web_send_json(SoupServerMessage *msg, unsigned status, JsonNode *node);
/* {"error": message} with status; message is for people. */
void web_send_error(SoupServerMessage *msg, unsigned status, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
void web_send_text(SoupServerMessage *msg, unsigned status, const char *content_type,
                   const char *text, gsize length);
/* The station's base URL for links in M3U/XMLTV: the configured one, else
 * scheme://host of the request. Caller frees. */
char *web_base_url(SqWebServer *s, SoupServerMessage *msg);

/* static.c: serves the file rel_path under root (no "..", no symlink out
 * of root, regular files only), with Range support. */
void web_serve_file(SqWebServer *s, SoupServerMessage *msg, const char *root, const char *rel_path,
                    const char *route);
const char *web_content_type(const char *path);

/* metrics.c: the station's figures for /metrics (playout, as-run, catalog). */
void web_metrics_station(SqWebServer *s, GString *out);

/* guide_cache.c: the cached guide if it covers [from_us, to_us), else
 * NULL (then load one for the range). Borrowed until the next call. */
struct SqEpgGuide *web_guide(SqWebServer *s, int64_t from_us, int64_t to_us, GError **error);
/* The stamp of the cached guide (what it was loaded from). */
const char *web_guide_stamp(SqWebServer *s);

/* api.c */
void web_api_handle(SqWebServer *s, SoupServerMessage *msg, const char *path, GHashTable *query);
void web_guide_handle(SqWebServer *s, SoupServerMessage *msg, const char *path);

/* vod.c: the VOD HLS folder of an asset's file under cache_dir (made on
 * first request by remuxing, never re-encoding; any thread). Returns the folder or NULL. Caller
 * frees. */
char *web_vod_prepare(const char *cache_dir, const char *asset_path, const char *sha256,
                      GError **error);
/* Answers msg with the file rel of the asset's VOD folder; when the folder
 * is not made yet, msg is paused until a worker thread has made it. */
void web_vod_serve(SqWebServer *s, SoupServerMessage *msg, const char *asset_path,
                   const char *sha256, const char *rel);
/* Called when the server is freed: pending jobs answer their waiters 503. */
void web_vod_detach(SqWebServer *s);
