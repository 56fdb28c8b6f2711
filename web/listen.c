/* Connections: accepted here, not by soup_server_listen, and closed after
 * every answer. Why: libsoup 3.2.3 (Debian 12) loses resources on every
 * connection, fixed upstream only in 3.3/3.4:
 *   - its listener never unrefs the GSocket it accepts (libsoup commit
 *     b545d5f0 "soup-listener: Plug a leak"): about 340 bytes a
 *     connection, measured with valgrind and with the server's RSS;
 *   - a kept-alive connection that the client closes while idle is never
 *     disconnected (commit d20c6601 "server: do not leak idle connections
 *     closed by the client"): its file descriptor stays open, so after a
 *     few thousand browser visits the server runs out of descriptors.
 * Accepting with a GSocketService and handing the stream to
 * soup_server_accept_iostream avoids the first; answering every request
 * with "Connection: close" avoids the second (libsoup then disconnects
 * after the answer, on its well-trodden path). The cost is a TCP
 * handshake per request: nothing on loopback behind nginx (which talks
 * HTTP/1.0 to its upstream anyway), little for hls.js (a playlist and a
 * segment every few seconds). */
#include "web_private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

static gboolean incoming(GSocketService *service, GSocketConnection *connection, GObject *source,
                         gpointer data)
{
    (void)service, (void)source;
    SqWebServer *s = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address(connection, &error);
    g_autoptr(GSocketAddress) remote =
        local ? g_socket_connection_get_remote_address(connection, &error) : NULL;
    if (!remote) {
        /* The client is already gone. */
        g_debug("accepting a connection: %s", error->message);
        return TRUE;
    }
    g_socket_set_option(g_socket_connection_get_socket(connection), IPPROTO_TCP, TCP_NODELAY, TRUE,
                        NULL);
    if (!soup_server_accept_iostream(s->soup, G_IO_STREAM(connection), local, remote, &error))
        g_warning("accepting a connection: %s", error->message);
    return TRUE;
}

static void request_started(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
    (void)soup, (void)data;
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
                                 "close");
}

bool web_listen(SqWebServer *s, GSocketAddress *address, GError **error)
{
    g_signal_connect(s->soup, "request-started", G_CALLBACK(request_started), s);
    s->service = g_socket_service_new();
    g_autoptr(GSocketAddress) effective = NULL;
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(s->service), address, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL, &effective, error)) {
        g_clear_object(&s->service);
        return false;
    }
    s->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
    g_signal_connect(s->service, "incoming", G_CALLBACK(incoming), s);
    g_socket_service_start(s->service);
    return true;
}

void web_listen_stop(SqWebServer *s)
{
    if (!s->service)
        return;
    g_socket_service_stop(s->service);
    g_socket_listener_close(G_SOCKET_LISTENER(s->service));
    g_signal_handlers_disconnect_by_data(s->service, s);
    g_clear_object(&s->service);
}
