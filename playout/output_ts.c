/* The broadcast outputs: one constant-bitrate MPEG-TS per channel
 * (mpegtsmux with bitrate set stuffs null packets; 7 packets per buffer, one
 * UDP datagram each), sent by udpsink and srtsink.
 *
 * URLs: udp://HOST:PORT?ttl=N&iface=NAME&mux-rate=KBPS and
 * srt://HOST:PORT?mode=caller|listener&mux-rate=KBPS (other SRT
 * parameters pass through to srtsink). */
#include "output_private.h"

#include <string.h>

typedef struct {
    char *scheme, *host;
    int port;
    GHashTable *params; /* name -> value */
} Url;

static void url_clear(Url *u)
{
    g_free(u->scheme);
    g_free(u->host);
    if (u->params)
        g_hash_table_unref(u->params);
}

static bool url_parse(const char *text, const char *scheme, Url *u, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(GUri) uri = g_uri_parse(text, G_URI_FLAGS_NONE, &local);
    if (!uri || strcmp(g_uri_get_scheme(uri), scheme) != 0 || g_uri_get_port(uri) <= 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: not a %s URL (%s://HOST:PORT?...)",
                    text, scheme, scheme);
        return false;
    }
    u->scheme = g_strdup(scheme);
    u->host = g_strdup(g_uri_get_host(uri) ? g_uri_get_host(uri) : "");
    u->port = g_uri_get_port(uri);
    const char *query = g_uri_get_query(uri);
    if (query) {
        u->params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &local);
        if (!u->params) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: %s", text, local->message);
            return false;
        }
    } else {
        u->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    return true;
}

static bool param_int(const Url *u, const char *text, const char *name, int min, int max,
                      int *value, GError **error)
{
    const char *v = g_hash_table_lookup(u->params, name);
    if (!v)
        return true;
    char *end = NULL;
    gint64 n = g_ascii_strtoll(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: %s=%s is not a number in %d-%d", text,
                    name, v, min, max);
        return false;
    }
    *value = (int)n;
    return true;
}

/* Puts SI into the null packets of one buffer of 188-byte packets. */
static bool si_buffer(Output *out, GstBuffer **buf)
{
    GstClockTime pts = GST_BUFFER_PTS(*buf);
    if (GST_CLOCK_TIME_IS_VALID(pts)) {
        out->si_base_ns = pts;
        out->si_bytes_since = 0;
    }
    if (!GST_CLOCK_TIME_IS_VALID(out->si_base_ns))
        return true;
    /* The buffer's first packet is this far after the last stamped one at the mux rate. */
    GstClockTime at = out->si_base_ns + gst_util_uint64_scale(out->si_bytes_since * 8, GST_SECOND,
                                                              (guint64)out->mux_rate_kbps * 1000);
    gsize size = gst_buffer_get_size(*buf);
    out->si_bytes_since += size;
    *buf = gst_buffer_make_writable(*buf);
    GstMapInfo map;
    if (!gst_buffer_map(*buf, &map, GST_MAP_READWRITE))
        return true;
    sq_si_inserter_process(out->si, map.data, map.size / 188, ns_to_us(at));
    gst_buffer_unmap(*buf, &map);
    return true;
}

static gboolean si_list_item(GstBuffer **buf, guint idx, gpointer data)
{
    (void)idx;
    return si_buffer(data, buf);
}

static GstPadProbeReturn si_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    Output *out = data;
    if (!g_atomic_pointer_get(&out->si))
        return GST_PAD_PROBE_OK;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
        si_buffer(out, &buf);
        GST_PAD_PROBE_INFO_DATA(info) = buf;
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
        gst_buffer_list_foreach(list, si_list_item, out);
        GST_PAD_PROBE_INFO_DATA(info) = list;
    }
    return GST_PAD_PROBE_OK;
}

bool output_has_ts(Output *out)
{
    return out->ts_mux != NULL;
}

/* The network ids of the station's transport streams (docs/playout.md). */
#define ORIGINAL_NETWORK_ID 0x2134

bool output_enable_si(Output *out, const SqEpgGuide *guide, GError **error)
{
    SqSiInserterConfig cfg = {
        .channel_id = out->channel_id,
        .network = {.transport_stream_id = (uint16_t)out->service_id,
                    .original_network_id = ORIGINAL_NETWORK_ID,
                    .provider_name = "sabaq"},
        .bitrate_bps = (uint64_t)out->mux_rate_kbps * 1000,
    };
    SqSiInserter *si = sq_si_inserter_new(&cfg, guide, error);
    if (!si)
        return false;
    g_atomic_pointer_set(&out->si, si);
    return true;
}

void output_update_guide(Output *out, const SqEpgGuide *guide)
{
    SqSiInserter *si = g_atomic_pointer_get(&out->si);
    g_autoptr(GError) error = NULL;
    if (si && !sq_si_inserter_set_guide(si, guide, &error))
        g_warning("%s: EPG: %s", out->channel_id, error->message);
}

/* The shared CBR mux, made by the first broadcast output. */
static bool ensure_ts_mux(Output *out, const Url *u, const char *text, GError **error)
{
    int rate_kbps = 0;
    if (!param_int(u, text, "mux-rate", 500, 200000, &rate_kbps, error))
        return false;
    if (out->ts_mux) {
        if (rate_kbps && rate_kbps != out->mux_rate_kbps) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "%s: mux-rate=%d differs from the channel's %d kbit/s (UDP and SRT "
                        "carry one stream)",
                        text, rate_kbps, out->mux_rate_kbps);
            return false;
        }
        return true;
    }
    if (rate_kbps)
        out->mux_rate_kbps = rate_kbps;
    if (out->mux_rate_kbps <= 0)
        out->mux_rate_kbps = 5000;
    out->ts_mux = output_make(out, "mpegtsmux", "tsmux", error);
    out->ts_tee = out->ts_mux ? output_make(out, "tee", "tstee", error) : NULL;
    if (!out->ts_tee)
        return false;
    gst_util_set_object_arg(G_OBJECT(out->ts_mux), "start-time-selection", "first");
    g_autofree char *map = g_strdup_printf("program_map,sink_65=(int)%d,sink_66=(int)%d",
                                           out->service_id, out->service_id);
    g_autoptr(GstStructure) prog_map = gst_structure_from_string(map, NULL);
    g_object_set(out->ts_mux, "bitrate", (guint64)out->mux_rate_kbps * 1000, "alignment", 7,
                 "pcr-interval", 1800, "prog-map", prog_map, NULL);
    if (!output_link_tee(out, out->vtee, out->ts_mux, "sink_65", true, error) ||
        !output_link_tee(out, out->atee, out->ts_mux, "sink_66", true, error) ||
        !gst_element_link(out->ts_mux, out->ts_tee)) {
        if (error && !*error)
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "%s: cannot link the mux",
                        out->channel_id);
        return false;
    }
    out->si_base_ns = GST_CLOCK_TIME_NONE;
    g_autoptr(GstPad) src = gst_element_get_static_pad(out->ts_mux, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, si_probe,
                      out, NULL);
    return true;
}

static bool udp_add(Output *out, const char *text, int segment_s, int window, GError **error)
{
    (void)segment_s, (void)window;
    Url u = {0};
    bool ok = false;
    int ttl = 16;
    GstElement *sink = NULL;
    if (!url_parse(text, "udp", &u, error) || !param_int(&u, text, "ttl", 0, 255, &ttl, error) ||
        !ensure_ts_mux(out, &u, text, error))
        goto out;
    sink = net_sender_add(out, "udpsink", "udp", text, error);
    if (!sink)
        goto out;
    const char *iface = g_hash_table_lookup(u.params, "iface");
    g_object_set(sink, "host", u.host, "port", u.port, "ttl-mc", ttl, "ttl", ttl, "sync", TRUE,
                 "async", FALSE, "processing-deadline", (guint64)0, NULL);
    if (iface)
        g_object_set(sink, "multicast-iface", iface, NULL);
    ok = true;
out:
    url_clear(&u);
    return ok;
}

static bool srt_add(Output *out, const char *text, int segment_s, int window, GError **error)
{
    (void)segment_s, (void)window;
    Url u = {0};
    bool ok = false;
    GString *uri = NULL;
    if (!url_parse(text, "srt", &u, error) || !ensure_ts_mux(out, &u, text, error))
        goto out;
    const char *mode = g_hash_table_lookup(u.params, "mode");
    if (mode && strcmp(mode, "caller") != 0 && strcmp(mode, "listener") != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: mode=%s (caller or listener)", text,
                    mode);
        goto out;
    }
    /* srtsink's own URI, without our parameter. */
    g_hash_table_remove(u.params, "mux-rate");
    uri = g_string_new(NULL);
    g_string_append_printf(uri, "srt://%s:%d", u.host, u.port);
    GHashTableIter it;
    gpointer k, v;
    char sep = '?';
    g_hash_table_iter_init(&it, u.params);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_string_append_printf(uri, "%c%s=%s", sep, (char *)k, (char *)v);
        sep = '&';
    }
    char *uri_text = g_string_free(uri, FALSE);
    GstElement *sink = net_sender_add(out, "srtsink", "srt", text, error);
    /* TRUE would block the whole channel until a caller connects. */
    if (sink)
        g_object_set(sink, "uri", uri_text, "wait-for-connection", FALSE, "sync", TRUE, "async",
                     FALSE, NULL);
    g_free(uri_text);
    if (!sink)
        goto out;
    ok = true;
out:
    url_clear(&u);
    return ok;
}

const OutputOps output_udp_ops = {"udp", udp_add};
const OutputOps output_srt_ops = {"srt", srt_add};
