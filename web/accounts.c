/* Accounts and sessions: planners, operators and admins log in; students
 * never do. Passwords are argon2id strings (libsodium's crypto_pwhash_str);
 * a session is a random token in an HttpOnly, SameSite=Strict cookie whose
 * SHA-256 is kept in the catalog, with a CSRF token that every
 * state-changing request must send back in X-CSRF-Token. Failed logins are
 * rate-limited per client address and per name. */
#include "web_private.h"

#include <sodium.h>
#include <string.h>

#define SESSION_US        (G_GINT64_CONSTANT(12) * 3600 * SQ_SECOND_US)
#define FAILURE_WINDOW_US (G_GINT64_CONSTANT(5) * 60 * SQ_SECOND_US)
#define MAX_FAILURES      5

static const char *const roles[] = {"planner", "operator", "admin"};

static bool sodium_ready(GError **error)
{
    if (sodium_init() < 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "libsodium cannot start");
        return false;
    }
    return true;
}

static char *random_hex(size_t n_bytes)
{
    guint8 buf[32];
    g_assert(n_bytes <= sizeof(buf));
    randombytes_buf(buf, n_bytes);
    GString *s = g_string_sized_new(n_bytes * 2);
    for (size_t i = 0; i < n_bytes; i++)
        g_string_append_printf(s, "%02x", buf[i]);
    return g_string_free(s, FALSE);
}

bool sq_web_user_add(SqCatalog *cat, const char *name, const char *role, const char *password,
                     GError **error)
{
    bool known = false;
    for (guint i = 0; role && i < G_N_ELEMENTS(roles); i++)
        known |= strcmp(role, roles[i]) == 0;
    if (!known) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "--role: '%s' is not planner, operator or admin", role ? role : "");
        return false;
    }
    if (!sq_identifier_is_valid(name)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "user name '%s': use lowercase letters, digits and hyphens", name);
        return false;
    }
    if (!password || g_utf8_strlen(password, -1) < 8) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "the password needs 8 characters or more");
        return false;
    }
    if (!sodium_ready(error))
        return false;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "hashing the password: out of memory");
        return false;
    }
    static const char sql[] =
        "INSERT INTO users (name, role, password, created_us) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (name) DO UPDATE SET role = ?2, password = ?3";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, sq_now_us());
    if (sqlite3_step(st) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "storing the user");
        return false;
    }
    return true;
}

bool sq_web_user_remove(SqCatalog *cat, const char *name, GError **error)
{
    static const char sql[] = "DELETE FROM users WHERE name = ?";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, "removing the user");
        return false;
    }
    if (sqlite3_changes(sq_catalog_db(cat)) == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no user '%s'", name);
        return false;
    }
    return true;
}

JsonNode *sq_web_users_json(SqCatalog *cat, GError **error)
{
    static const char sql[] = "SELECT name, role, created_us FROM users ORDER BY name";
    sqlite3_stmt *st = sq_catalog_prepare(cat, sql, error);
    if (!st)
        return NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    json_builder_begin_array(b);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 0));
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, (const char *)sqlite3_column_text(st, 1));
        g_autofree char *created = sq_format_rfc3339(sqlite3_column_int64(st, 2), utc);
        json_builder_set_member_name(b, "created");
        json_builder_add_string_value(b, created);
        json_builder_end_object(b);
    }
    sqlite3_reset(st);
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static int64_t count_failures(SqWebServer *s, const char *column_sql, const char *value)
{
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, column_sql, NULL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sq_now_us() - FAILURE_WINDOW_US);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

static void note_failure(SqWebServer *s, const char *client, const char *name)
{
    static const char sql[] = "INSERT INTO login_failures (client, name, at_us) VALUES (?, ?, ?)";
    static const char prune[] = "DELETE FROM login_failures WHERE at_us < ?";
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (st) {
        sqlite3_bind_text(st, 1, client, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, sq_now_us());
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    if ((st = sq_catalog_prepare(s->cat, prune, NULL))) {
        sqlite3_bind_int64(st, 1, sq_now_us() - FAILURE_WINDOW_US);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

static char *sha256_hex(const char *text)
{
    return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

WebLogin web_login(SqWebServer *s, const char *client, const char *name, const char *password,
                   WebSession *session)
{
    static const char by_client[] = "SELECT count(*) FROM login_failures WHERE client = ?1"
                                    " AND at_us > ?2";
    static const char by_name[] = "SELECT count(*) FROM login_failures WHERE name = ?1"
                                  " AND at_us > ?2";
    static const char user_sql[] = "SELECT id, role, password FROM users WHERE name = ?";
    static const char session_sql[] =
        "INSERT INTO sessions (token_sha256, user_id, csrf, created_us, expires_us)"
        " VALUES (?, ?, ?, ?, ?)";
    if (count_failures(s, by_client, client) >= MAX_FAILURES ||
        count_failures(s, by_name, name) >= 2 * MAX_FAILURES)
        return WEB_LOGIN_THROTTLED;
    if (!sodium_ready(NULL))
        return WEB_LOGIN_FAILED;
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, user_sql, NULL);
    if (!st)
        return WEB_LOGIN_FAILED;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    int64_t user_id = found ? sqlite3_column_int64(st, 0) : 0;
    g_autofree char *role = found ? g_strdup((const char *)sqlite3_column_text(st, 1)) : NULL;
    g_autofree char *hash = found ? g_strdup((const char *)sqlite3_column_text(st, 2)) : NULL;
    sqlite3_reset(st);
    /* An unknown name costs the same as a wrong password: a hash of a
     * random password, made once, is verified instead. */
    static char dummy[crypto_pwhash_STRBYTES];
    if (!dummy[0]) {
        g_autofree char *random = random_hex(16);
        if (crypto_pwhash_str(dummy, random, strlen(random), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            return WEB_LOGIN_FAILED;
    }
    char verify[crypto_pwhash_STRBYTES] = {0};
    g_strlcpy(verify, found ? hash : dummy, sizeof(verify));
    bool ok = crypto_pwhash_str_verify(verify, password, strlen(password)) == 0;
    if (!found || !ok) {
        note_failure(s, client, name);
        return WEB_LOGIN_FAILED;
    }
    /* Expired sessions go when someone logs in (logout removes only its own). */
    static const char prune_sql[] = "DELETE FROM sessions WHERE expires_us < ?";
    if ((st = sq_catalog_prepare(s->cat, prune_sql, NULL))) {
        sqlite3_bind_int64(st, 1, sq_now_us());
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    g_autofree char *token = random_hex(32);
    g_autofree char *token_hash = sha256_hex(token);
    char *csrf = random_hex(16);
    int64_t now = sq_now_us();
    if (!(st = sq_catalog_prepare(s->cat, session_sql, NULL))) {
        g_free(csrf);
        return WEB_LOGIN_FAILED;
    }
    sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now + SESSION_US);
    bool stored = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    if (!stored) {
        g_free(csrf);
        return WEB_LOGIN_FAILED;
    }
    session->user = g_strdup(name);
    session->role = g_steal_pointer(&role);
    session->csrf = csrf;
    session->token = g_steal_pointer(&token);
    return WEB_LOGIN_OK;
}

char *web_client_address(SqWebServer *s, SoupServerMessage *msg)
{
    const char *peer = soup_server_message_get_remote_host(msg);
    GSocketAddress *remote = soup_server_message_get_remote_address(msg);
    bool from_here = remote && G_IS_INET_SOCKET_ADDRESS(remote) &&
                     g_inet_address_get_is_loopback(
                         g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(remote)));
    const char *real =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "X-Real-IP");
    if (s->trust_proxy && from_here && real) {
        /* Only an address: the header is the proxy's word, kept as text
         * in the catalog, and must not be anything else. */
        g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(real);
        if (addr)
            return g_inet_address_to_string(addr);
    }
    return g_strdup(peer ? peer : "?");
}

static char *cookie_token(SoupServerMessage *msg)
{
    const char *header =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Cookie");
    if (!header)
        return NULL;
    GHashTable *cookies = soup_header_parse_semi_param_list(header);
    char *token = g_strdup(g_hash_table_lookup(cookies, WEB_SESSION_COOKIE));
    soup_header_free_param_list(cookies);
    return token;
}

bool web_session_get(SqWebServer *s, SoupServerMessage *msg, WebSession *session)
{
    static const char sql[] =
        "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_sha256 = ? AND s.expires_us > ?";
    g_autofree char *token = cookie_token(msg);
    if (!token || strlen(token) != 64)
        return false;
    g_autofree char *hash = sha256_hex(token);
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sq_now_us());
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        session->user = g_strdup((const char *)sqlite3_column_text(st, 0));
        session->role = g_strdup((const char *)sqlite3_column_text(st, 1));
        session->csrf = g_strdup((const char *)sqlite3_column_text(st, 2));
        session->token = g_steal_pointer(&token);
    }
    sqlite3_reset(st);
    return found;
}

void web_session_end(SqWebServer *s, const WebSession *session)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_sha256 = ? OR expires_us < ?";
    g_autofree char *hash = sha256_hex(session->token);
    sqlite3_stmt *st = sq_catalog_prepare(s->cat, sql, NULL);
    if (!st)
        return;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sq_now_us());
    sqlite3_step(st);
    sqlite3_reset(st);
}

void web_session_clear(WebSession *session)
{
    g_free(session->user);
    g_free(session->role);
    g_free(session->csrf);
    g_free(session->token);
    memset(session, 0, sizeof(*session));
}

bool web_role_allows(const WebSession *session, const char *const *allowed)
{
    if (g_strcmp0(session->role, "admin") == 0)
        return true;
    for (; allowed && *allowed; allowed++)
        if (g_strcmp0(session->role, *allowed) == 0)
            return true;
    return false;
}
