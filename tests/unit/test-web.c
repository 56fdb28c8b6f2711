/* The web server in-process: a SqWebServer on its own thread and main
 * loop, requests written byte for byte on a socket (no client-side path
 * normalisation), answers read whole. Files only from their roots (raw and
 * encoded "..", hidden names, a symlink out, a folder), byte ranges (206,
 * suffix, 416), HEAD, JSON errors with the right status (404, 405, 411,
 * 413), the station zone in health, request counters in /metrics. */
#include "web/web.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *dir;
    SqWebServer *server;
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    int port;
    GMutex lock;
    GCond ready;
    bool is_ready;
} Fixture;

static void write_text(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static gpointer serve(gpointer data)
{
    Fixture *f = data;
    g_main_context_push_thread_default(f->context);
    g_autofree char *db = g_build_filename(f->dir, "sabaq.db", NULL);
    g_autofree char *library = g_build_filename(f->dir, "library", NULL);
    g_autofree char *ui = g_build_filename(f->dir, "ui", NULL);
    SqWebConfig cfg = {.db_path = db, .library_dir = library, .ui_dir = ui, .port = 0};
    g_autoptr(GError) error = NULL;
    f->server = sq_web_server_new(&cfg, &error);
    g_assert_no_error(error);
    g_assert_true(sq_web_server_listen(f->server, &error));
    g_mutex_lock(&f->lock);
    f->port = sq_web_server_port(f->server);
    f->is_ready = true;
    g_cond_signal(&f->ready);
    g_mutex_unlock(&f->lock);
    g_main_loop_run(f->loop);
    g_clear_pointer(&f->server, sq_web_server_free);
    g_main_context_pop_thread_default(f->context);
    return NULL;
}

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    memset(f, 0, sizeof(*f));
    f->dir = g_dir_make_tmp("sabaq-test-web-XXXXXX", NULL);
    g_autofree char *ui = g_build_filename(f->dir, "ui", NULL);
    g_autofree char *sub = g_build_filename(ui, "sub", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    write_text(ui, "index.html", "<!doctype html><title>sabaq</title>");
    write_text(ui, "app.js", "0123456789");
    write_text(ui, ".hidden", "hidden");
    write_text(f->dir, "secret.txt", "SECRET");
    g_autofree char *link = g_build_filename(ui, "out.js", NULL);
    g_autofree char *secret = g_build_filename(f->dir, "secret.txt", NULL);
    g_assert_cmpint(symlink(secret, link), ==, 0);
    f->context = g_main_context_new();
    f->loop = g_main_loop_new(f->context, FALSE);
    g_mutex_init(&f->lock);
    g_cond_init(&f->ready);
    f->thread = g_thread_new("web", serve, f);
    g_mutex_lock(&f->lock);
    while (!f->is_ready)
        g_cond_wait(&f->ready, &f->lock);
    g_mutex_unlock(&f->lock);
}

static gboolean quit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void remove_tree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(path, name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            remove_tree(p);
        else
            g_unlink(p);
    }
    g_rmdir(path);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    g_main_context_invoke(f->context, quit, f->loop);
    g_thread_join(f->thread);
    g_main_loop_unref(f->loop);
    g_main_context_unref(f->context);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->ready);
    remove_tree(f->dir);
    g_free(f->dir);
}

/* A client on loopback that never asks the proxy resolver (GIO's libproxy
 * module throws C++ exceptions inside, which valgrind takes for errors). */
static GSocketClient *test_client(void)
{
    GSocketClient *client = g_socket_client_new();
    g_socket_client_set_enable_proxy(client, FALSE);
    return client;
}

typedef struct {
    int status;
    char *head; /* status line and headers */
    char *body;
    gsize body_length;
} Answer;

static void answer_clear(Answer *a)
{
    g_free(a->head);
    g_free(a->body);
}

/* Sends request (the request line and any headers, without the final
 * blank line) plus body, and reads the whole answer. */
static Answer request(Fixture *f, const char *head, const char *body)
{
    g_test_message("%s", head);
    g_autoptr(GSocketClient) client = test_client();
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketConnection) conn =
        g_socket_client_connect_to_host(client, "127.0.0.1", (guint16)f->port, NULL, &error);
    g_assert_no_error(error);
    g_autofree char *text = g_strdup_printf("%s\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n%s",
                                            head, body ? body : "");
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    g_assert_true(g_output_stream_write_all(out, text, strlen(text), NULL, NULL, &error));
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    GByteArray *all = g_byte_array_new();
    guint8 buf[8192];
    gssize n;
    while ((n = g_input_stream_read(in, buf, sizeof(buf), NULL, &error)) > 0)
        g_byte_array_append(all, buf, (guint)n);
    g_assert_no_error(error);
    g_byte_array_append(all, (const guint8 *)"", 1);
    char *data = (char *)all->data;
    char *split = strstr(data, "\r\n\r\n");
    g_assert_nonnull(split);
    Answer a = {0};
    a.head = g_strndup(data, (gsize)(split - data));
    a.body_length = all->len - 1 - (gsize)(split + 4 - data);
    a.body = g_memdup2(split + 4, a.body_length + 1);
    a.status = atoi(data + strlen("HTTP/1.1 "));
    g_byte_array_free(all, TRUE);
    return a;
}

static bool has_header(const Answer *a, const char *line)
{
    g_autofree char *needle = g_strdup_printf("\r\n%s\r\n", line);
    g_autofree char *head = g_strdup_printf("%s\r\n", a->head);
    return strstr(head, needle) != NULL;
}

/* A JSON error answer: status and an "error" member. */
static void assert_json_error(const Answer *a, int status)
{
    g_assert_cmpint(a->status, ==, status);
    g_assert_true(has_header(a, "Content-Type: application/json; charset=utf-8"));
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, a->body, (gssize)a->body_length, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    g_assert_true(json_object_has_member(o, "error"));
    g_assert_cmpint(json_object_get_int_member(o, "status"), ==, status);
}

static void test_files(Fixture *f, gconstpointer data)
{
    (void)data;
    Answer a = request(f, "GET / HTTP/1.1", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_true(has_header(&a, "Content-Type: text/html; charset=utf-8"));
    g_assert_cmpstr(a.body, ==, "<!doctype html><title>sabaq</title>");
    answer_clear(&a);

    a = request(f, "GET /app.js HTTP/1.1\r\nRange: bytes=2-5", NULL);
    g_assert_cmpint(a.status, ==, 206);
    g_assert_true(has_header(&a, "Content-Range: bytes 2-5/10"));
    g_assert_cmpstr(a.body, ==, "2345");
    answer_clear(&a);

    a = request(f, "GET /app.js HTTP/1.1\r\nRange: bytes=-3", NULL);
    g_assert_cmpint(a.status, ==, 206);
    g_assert_cmpstr(a.body, ==, "789");
    answer_clear(&a);

    a = request(f, "GET /app.js HTTP/1.1\r\nRange: bytes=7-", NULL);
    g_assert_cmpint(a.status, ==, 206);
    g_assert_true(has_header(&a, "Content-Range: bytes 7-9/10"));
    answer_clear(&a);

    a = request(f, "GET /app.js HTTP/1.1\r\nRange: bytes=20-30", NULL);
    g_assert_cmpint(a.status, ==, 416);
    g_assert_true(has_header(&a, "Content-Range: bytes */10"));
    answer_clear(&a);

    a = request(f, "HEAD /app.js HTTP/1.1", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_true(has_header(&a, "Content-Length: 10"));
    g_assert_cmpuint(a.body_length, ==, 0);
    answer_clear(&a);

    a = request(f, "POST /app.js HTTP/1.1\r\nContent-Length: 0", NULL);
    assert_json_error(&a, 405);
    g_assert_true(has_header(&a, "Allow: GET, HEAD"));
    answer_clear(&a);
}

/* The value of header name in an answer, or NULL. Caller frees. */
static char *header_value(const Answer *a, const char *name)
{
    g_auto(GStrv) lines = g_strsplit(a->head, "\r\n", -1);
    for (char **l = lines; *l; l++) {
        const char *colon = strchr(*l, ':');
        if (colon && (size_t)(colon - *l) == strlen(name) &&
            g_ascii_strncasecmp(*l, name, strlen(name)) == 0)
            return g_strstrip(g_strdup(colon + 1));
    }
    return NULL;
}

static void test_revalidation(Fixture *f, gconstpointer data)
{
    (void)data;
    Answer a = request(f, "GET /app.js HTTP/1.1", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_autofree char *etag = header_value(&a, "ETag");
    g_autofree char *modified = header_value(&a, "Last-Modified");
    g_assert_nonnull(etag);
    g_assert_true(g_str_has_suffix(modified, " GMT"));
    answer_clear(&a);

    g_autofree char *match = g_strdup_printf("GET /app.js HTTP/1.1\r\nIf-None-Match: %s", etag);
    a = request(f, match, NULL);
    g_assert_cmpint(a.status, ==, 304);
    g_assert_cmpuint(a.body_length, ==, 0);
    answer_clear(&a);
    g_autofree char *listed =
        g_strdup_printf("GET /app.js HTTP/1.1\r\nIf-None-Match: \"x\", W/%s", etag);
    a = request(f, listed, NULL);
    g_assert_cmpint(a.status, ==, 304);
    answer_clear(&a);
    a = request(f, "GET /app.js HTTP/1.1\r\nIf-None-Match: \"other\"", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_cmpstr(a.body, ==, "0123456789");
    answer_clear(&a);

    g_autofree char *since =
        g_strdup_printf("GET /app.js HTTP/1.1\r\nIf-Modified-Since: %s", modified);
    a = request(f, since, NULL);
    g_assert_cmpint(a.status, ==, 304);
    answer_clear(&a);
    a = request(f, "GET /app.js HTTP/1.1\r\nIf-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT",
                NULL);
    g_assert_cmpint(a.status, ==, 200);
    answer_clear(&a);

    /* A new release of the file: the old tag no longer matches. */
    g_autofree char *ui = g_build_filename(f->dir, "ui", NULL);
    write_text(ui, "app.js", "0123456789ab");
    a = request(f, match, NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_cmpstr(a.body, ==, "0123456789ab");
    answer_clear(&a);

    a = request(f, "GET / HTTP/1.1", NULL);
    g_assert_true(has_header(&a, "Cache-Control: no-cache"));
    answer_clear(&a);
}

static void test_traversal(Fixture *f, gconstpointer data)
{
    (void)data;
    static const char *const lines[] = {
        "GET /../secret.txt HTTP/1.1",
        "GET /%2e%2e/secret.txt HTTP/1.1",
        "GET /sub/..%2f..%2fsecret.txt HTTP/1.1",
        "GET /sub/%2e%2e%2f%2e%2e%2fsecret.txt HTTP/1.1",
        "GET /out.js HTTP/1.1",
        "GET /.hidden HTTP/1.1",
        "GET /sub HTTP/1.1",
        "GET /sub/ HTTP/1.1",
        "GET /sub%5c..%5c..%5csecret.txt HTTP/1.1",
        "GET /nothing.js HTTP/1.1",
        "GET /hls/../../secret.txt HTTP/1.1",
        "GET /vod/1/..%2f..%2f..%2fsecret.txt HTTP/1.1",
    };
    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
        Answer a = request(f, lines[i], NULL);
        g_test_message("%s: %d", lines[i], a.status);
        if (a.status != 400)
            assert_json_error(&a, 404);
        g_assert_null(g_strstr_len(a.body, (gssize)a.body_length, "SECRET"));
        answer_clear(&a);
    }
}

static void test_api_errors(Fixture *f, gconstpointer data)
{
    (void)data;
    Answer a = request(f, "GET /api/v1/health HTTP/1.1", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_nonnull(strstr(a.body, "\"status\":\"ok\""));
    g_assert_nonnull(strstr(a.body, "\"timezone\":\"UTC\"")); /* no station imported */
    answer_clear(&a);

    a = request(f, "GET /api/v1/nothing HTTP/1.1", NULL);
    assert_json_error(&a, 404);
    answer_clear(&a);

    a = request(f,
                "POST /api/v1/channels HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 2",
                "{}");
    assert_json_error(&a, 405);
    answer_clear(&a);

    a = request(f, "GET /api/v1/plan?channel=x&date=2026-11-23 HTTP/1.1", NULL);
    assert_json_error(&a, 401);
    answer_clear(&a);

    a = request(f, "POST /api/v1/login HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2",
                "{}");
    assert_json_error(&a, 415);
    answer_clear(&a);

    a = request(f,
                "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 5",
                "{nope");
    assert_json_error(&a, 400);
    answer_clear(&a);

    /* Refused at the headers: a client that waits for 100 Continue never
     * sends the body... */
    a = request(f,
                "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 70000\r\nExpect: 100-continue",
                NULL);
    assert_json_error(&a, 413);
    answer_clear(&a);
    /* ...one that sends it anyway gets the same answer once it is drained. */
    g_autofree char *big = g_strnfill(70000, 'x');
    a = request(f,
                "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 70000",
                big);
    assert_json_error(&a, 413);
    answer_clear(&a);

    a = request(f,
                "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked",
                "2\r\n{}\r\n0\r\n\r\n");
    assert_json_error(&a, 411);
    answer_clear(&a);
}

static guint count_fds(void)
{
    g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
    guint n = 0;
    while (d && g_dir_read_name(d))
        n++;
    return n;
}

/* Clients that want to keep the connection: the server answers with
 * "Connection: close" and closes, so no descriptor is left behind (libsoup
 * 3.2.3 left one open for each idle connection the client closed). */
static void test_connections(Fixture *f, gconstpointer data)
{
    (void)data;
    /* One answer first: GLib opens what it keeps for good (wakeup fds of
     * its worker threads) on the first connection. */
    Answer warm = request(f, "GET /api/v1/health HTTP/1.1", NULL);
    answer_clear(&warm);
    guint before = count_fds();
    for (int i = 0; i < 200; i++) {
        g_autoptr(GSocketClient) client = test_client();
        g_autoptr(GSocketConnection) conn =
            g_socket_client_connect_to_host(client, "127.0.0.1", (guint16)f->port, NULL, NULL);
        g_assert_nonnull(conn);
        static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
        g_assert_true(g_output_stream_write_all(out, req, strlen(req), NULL, NULL, NULL));
        GString *got = g_string_new(NULL);
        char buf[4096];
        gssize n;
        GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
        /* The server closes: the read ends without the client closing. */
        while ((n = g_input_stream_read(in, buf, sizeof(buf), NULL, NULL)) > 0)
            g_string_append_len(got, buf, n);
        g_assert_nonnull(strstr(got->str, "\r\nConnection: close\r\n"));
        g_assert_nonnull(strstr(got->str, "\"status\":\"ok\""));
        g_string_free(got, TRUE);
    }
    guint after = count_fds();
    for (int wait = 0; wait < 100 && after > before; wait++) {
        g_usleep(20000);
        after = count_fds();
    }
    g_assert_cmpuint(after, <=, before);
}

static void test_metrics(Fixture *f, gconstpointer data)
{
    (void)data;
    Answer a = request(f, "GET /app.js HTTP/1.1\r\nRange: bytes=0-0", NULL);
    answer_clear(&a);
    a = request(f, "GET /nothing HTTP/1.1", NULL);
    answer_clear(&a);
    a = request(f, "GET /nothing HTTP/1.1", NULL);
    answer_clear(&a);
    a = request(f, "GET /metrics HTTP/1.1", NULL);
    g_assert_cmpint(a.status, ==, 200);
    g_assert_true(has_header(&a, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    g_assert_nonnull(strstr(a.body, "# TYPE sabaq_http_requests_total counter\n"));
    g_assert_nonnull(strstr(a.body, "sabaq_http_requests_total{route=\"/ui\",status=\"206\"} 1\n"));
    g_assert_nonnull(strstr(a.body, "sabaq_http_requests_total{route=\"/ui\",status=\"404\"} 2\n"));
    /* An empty catalog: no channel, no asset, no playout figures. */
    g_assert_null(strstr(a.body, "sabaq_channel_on_air{"));
    g_assert_null(strstr(a.body, "sabaq_assets{"));
    answer_clear(&a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/web/files", Fixture, NULL, setup, test_files, teardown);
    g_test_add("/web/revalidation", Fixture, NULL, setup, test_revalidation, teardown);
    g_test_add("/web/traversal", Fixture, NULL, setup, test_traversal, teardown);
    g_test_add("/web/api-errors", Fixture, NULL, setup, test_api_errors, teardown);
    g_test_add("/web/metrics", Fixture, NULL, setup, test_metrics, teardown);
    g_test_add("/web/connections", Fixture, NULL, setup, test_connections, teardown);
    return g_test_run();
}
