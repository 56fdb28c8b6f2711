/* The HLS media playlist: a sliding window of closed segments, each with
 * EXT-X-PROGRAM-DATE-TIME (the UTC instant of its first frame), written
 * atomically. A state file beside it (hls-state.json) carries the media
 * sequence and the window across restarts, so numbers continue, are never
 * reused, and the first segment after a restart gets EXT-X-DISCONTINUITY.
 * Segment sequence numbers are our own count of listed segments; file names
 * carry a separate index that also skips files a crash left half-written. */
#include "playout_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define PLAYLIST_NAME "index.m3u8"
#define STATE_NAME    "hls-state.json"
/* Files stay this many segments after leaving the playlist, for players
 * still fetching them. */
#define KEEP_EXTRA 3
/* As the broadcast outputs' (output_ts.c). */
#define HLS_ORIGINAL_NETWORK_ID 0x2134

typedef struct {
    int64_t sequence, index;
    char *uri;
    int64_t pdt_us, duration_us;
    bool discontinuity;
} Segment;

struct Hls {
    char *dir;
    int segment_s, window;
    GQueue segments; /* Segment*, oldest first */
    int64_t next_sequence, next_index, discontinuity_sequence;
    bool pending_discontinuity;
    bool closed;
    GPtrArray *programmes; /* HlsProgramme*, by start, or NULL */
    /* DVB SI at the head of each segment (hls_set_si), or NULL. */
    SqEpgGuide *si_guide;
    char *si_channel;
    uint16_t si_tsid;
    uint8_t si_version, cc_sdt, cc_eit;
};

void hls_set_si(Hls *hls, const char *channel_id, uint16_t transport_stream_id,
                const SqEpgGuide *guide)
{
    g_clear_pointer(&hls->si_guide, sq_epg_guide_free);
    g_free(hls->si_channel);
    hls->si_guide = sq_epg_guide_copy(guide);
    hls->si_channel = g_strdup(channel_id);
    hls->si_tsid = transport_stream_id;
    /* A new guide may change the tables: a new version (5 bits). */
    hls->si_version = (uint8_t)((hls->si_version + 1) & 0x1f);
}

/* Section -> 188-byte packets on pid: the first with payload_unit_start
 * and a pointer field, the rest of the last one stuffed with 0xFF. */
static void packetize(GByteArray *out, uint16_t pid, uint8_t *cc, GBytes *section)
{
    gsize length = 0;
    const uint8_t *data = g_bytes_get_data(section, &length);
    for (gsize done = 0, first = 1; done < length; first = 0) {
        uint8_t pkt[188];
        memset(pkt, 0xff, sizeof(pkt));
        pkt[0] = 0x47;
        pkt[1] = (uint8_t)((first ? 0x40 : 0) | ((pid >> 8) & 0x1f));
        pkt[2] = (uint8_t)(pid & 0xff);
        pkt[3] = (uint8_t)(0x10 | (*cc & 0x0f));
        *cc = (uint8_t)((*cc + 1) & 0x0f);
        gsize at = 4;
        if (first)
            pkt[at++] = 0; /* pointer field */
        gsize n = MIN(length - done, sizeof(pkt) - at);
        memcpy(pkt + at, data + done, n);
        done += n;
        g_byte_array_append(out, pkt, sizeof(pkt));
    }
}

/* Rewrites a closed segment (not yet listed, so no player reads it) with
 * the SDT and the EIT p/f of its first instant in front: a receiver or
 * player reading any single segment finds the service and what is on. */
static bool prepend_si(Hls *hls, const char *path, int64_t pdt_us, GError **error)
{
    if (!hls->si_guide)
        return true;
    SqEpgSiNetwork net = {.transport_stream_id = hls->si_tsid,
                          .original_network_id = HLS_ORIGINAL_NETWORK_ID,
                          .provider_name = "sabaq"};
    g_autoptr(GError) local = NULL;
    g_autoptr(GBytes) sdt =
        sq_epg_sdt_section(hls->si_guide, hls->si_channel, &net, hls->si_version, &local);
    g_autoptr(GPtrArray) pf = sdt ? sq_epg_eit_pf_sections(hls->si_guide, hls->si_channel, &net,
                                                           pdt_us, hls->si_version, &local)
                                  : NULL;
    if (!pf) {
        g_warning("HLS segment SI: %s", local->message);
        return true; /* the segment airs without SI rather than not at all */
    }
    g_autofree char *media = NULL;
    gsize media_length = 0;
    if (!g_file_get_contents(path, &media, &media_length, error))
        return false;
    g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)media_length + 4 * 188);
    packetize(out, 0x11, &hls->cc_sdt, sdt);
    for (guint i = 0; i < pf->len; i++)
        packetize(out, 0x12, &hls->cc_eit, pf->pdata[i]);
    g_byte_array_append(out, (const guint8 *)media, (guint)media_length);
    return sq_write_file_atomic(path, (const char *)out->data, out->len, error);
}

void hls_programme_free(gpointer p)
{
    HlsProgramme *prog = p;
    g_free(prog->id);
    g_free(prog->title);
    g_free(prog);
}

void hls_set_programmes(Hls *hls, GPtrArray *programmes)
{
    if (hls->programmes)
        g_ptr_array_unref(hls->programmes);
    hls->programmes = programmes;
}

static char *format_pdt(int64_t us)
{
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(us / SQ_SECOND_US);
    g_autofree char *base = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
    return g_strdup_printf("%s.%03dZ", base, (int)(us % SQ_SECOND_US / 1000));
}

/* EXT-X-DATERANGE of each programme overlapping the window: players that
 * show programme boundaries can (hls.js makes a metadata cue of a range
 * with an X- attribute: X-SABAQ-TITLE). */
static void append_dateranges(Hls *hls, GString *m)
{
    Segment *first = hls->segments.head ? hls->segments.head->data : NULL;
    Segment *last = hls->segments.tail ? hls->segments.tail->data : NULL;
    if (!first || !hls->programmes)
        return;
    int64_t from = first->pdt_us, to = last->pdt_us + last->duration_us;
    for (guint i = 0; i < hls->programmes->len; i++) {
        const HlsProgramme *p = hls->programmes->pdata[i];
        if (p->end_us <= from || p->start_us >= to)
            continue;
        g_autofree char *start = format_pdt(p->start_us);
        g_autofree char *end = format_pdt(p->end_us);
        g_string_append_printf(m,
                               "#EXT-X-DATERANGE:ID=\"%s\",START-DATE=\"%s\",END-DATE=\"%s\","
                               "X-SABAQ-TITLE=\"%s\"\n",
                               p->id, start, end, p->title);
    }
}

static void segment_free(gpointer data)
{
    Segment *s = data;
    g_free(s->uri);
    g_free(s);
}

char *hls_segment_name(int64_t index)
{
    return g_strdup_printf("seg%09" G_GINT64_FORMAT ".ts", index);
}

static bool index_of_name(const char *name, int64_t *index)
{
    long long n = 0;
    char tail[8] = "";
    if (strlen(name) != 15 || sscanf(name, "seg%9lld%4s", &n, tail) != 2 ||
        strcmp(tail, ".ts") != 0)
        return false;
    *index = n;
    return true;
}

static bool load_state(Hls *hls, const char *path, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_file(parser, path, error)) {
        g_prefix_error(error, "%s: ", path);
        return false;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!JSON_NODE_HOLDS_OBJECT(root))
        goto bad;
    JsonObject *o = json_node_get_object(root);
    hls->next_sequence = json_object_get_int_member_with_default(o, "next_sequence", -1);
    hls->next_index = json_object_get_int_member_with_default(o, "next_index", -1);
    hls->discontinuity_sequence =
        json_object_get_int_member_with_default(o, "discontinuity_sequence", 0);
    if (hls->next_sequence < 0 || hls->next_index < 0 || !json_object_has_member(o, "segments") ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "segments")))
        goto bad;
    JsonArray *arr = json_object_get_array_member(o, "segments");
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *so = json_array_get_object_element(arr, i);
        if (!so || !json_object_has_member(so, "uri"))
            goto bad;
        Segment *s = g_new0(Segment, 1);
        s->sequence = json_object_get_int_member_with_default(so, "sequence", 0);
        s->index = json_object_get_int_member_with_default(so, "index", 0);
        s->uri = g_strdup(json_object_get_string_member(so, "uri"));
        s->pdt_us = json_object_get_int_member_with_default(so, "pdt_us", 0);
        s->duration_us = json_object_get_int_member_with_default(so, "duration_us", 0);
        s->discontinuity = json_object_get_boolean_member_with_default(so, "discontinuity", 0);
        g_queue_push_tail(&hls->segments, s);
    }
    return true;
bad:
    g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                "%s: not an HLS state file (delete it to start a new sequence)", path);
    return false;
}

static bool is_listed(Hls *hls, const char *name)
{
    for (GList *l = hls->segments.head; l; l = l->next)
        if (strcmp(((Segment *)l->data)->uri, name) == 0)
            return true;
    return false;
}

/* Deletes segment files that are neither listed nor recently dropped,
 * and skips the index of anything a crash left behind. */
static void sweep(Hls *hls)
{
    g_autoptr(GDir) d = g_dir_open(hls->dir, 0, NULL);
    if (!d)
        return;
    int64_t first_index =
        hls->segments.head ? ((Segment *)hls->segments.head->data)->index : hls->next_index;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        int64_t index;
        if (!index_of_name(name, &index) || is_listed(hls, name))
            continue;
        if (index >= hls->next_index)
            hls->next_index = index + 1; /* never reuse a name a player may have seen */
        if (index < first_index - KEEP_EXTRA || index >= first_index) {
            g_autofree char *p = g_build_filename(hls->dir, name, NULL);
            g_unlink(p);
        }
    }
}

Hls *hls_new(const char *dir, int segment_s, int window, GError **error)
{
    Hls *hls = g_new0(Hls, 1);
    hls->dir = g_strdup(dir);
    hls->segment_s = segment_s;
    hls->window = window;
    g_queue_init(&hls->segments);
    g_autofree char *state = g_build_filename(dir, STATE_NAME, NULL);
    if (g_file_test(state, G_FILE_TEST_EXISTS)) {
        if (!load_state(hls, state, error)) {
            hls_free(hls);
            return NULL;
        }
        /* Whatever comes next does not continue what a player last saw. */
        hls->pending_discontinuity = true;
    }
    sweep(hls);
    return hls;
}

void hls_free(Hls *hls)
{
    if (!hls)
        return;
    g_queue_clear_full(&hls->segments, segment_free);
    if (hls->programmes)
        g_ptr_array_unref(hls->programmes);
    g_clear_pointer(&hls->si_guide, sq_epg_guide_free);
    g_free(hls->si_channel);
    g_free(hls->dir);
    g_free(hls);
}

int64_t hls_next_index(Hls *hls)
{
    return hls->next_index;
}

static bool write_files(Hls *hls, GError **error)
{
    int64_t target_s = hls->segment_s;
    for (GList *l = hls->segments.head; l; l = l->next) {
        Segment *s = l->data;
        /* EXTINF rounded to the nearest second must not exceed it (RFC 8216 4.3.3.1). */
        int64_t rounded = (s->duration_us + SQ_SECOND_US / 2) / SQ_SECOND_US;
        target_s = MAX(target_s, rounded);
    }
    Segment *first = hls->segments.head ? hls->segments.head->data : NULL;
    GString *m = g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n");
    g_string_append_printf(m, "#EXT-X-TARGETDURATION:%" G_GINT64_FORMAT "\n", target_s);
    g_string_append_printf(m, "#EXT-X-MEDIA-SEQUENCE:%" G_GINT64_FORMAT "\n",
                           first ? first->sequence : hls->next_sequence);
    g_string_append_printf(m, "#EXT-X-DISCONTINUITY-SEQUENCE:%" G_GINT64_FORMAT "\n",
                           hls->discontinuity_sequence);
    append_dateranges(hls, m);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "next_sequence");
    json_builder_add_int_value(b, hls->next_sequence);
    json_builder_set_member_name(b, "next_index");
    json_builder_add_int_value(b, hls->next_index);
    json_builder_set_member_name(b, "discontinuity_sequence");
    json_builder_add_int_value(b, hls->discontinuity_sequence);
    json_builder_set_member_name(b, "segments");
    json_builder_begin_array(b);
    for (GList *l = hls->segments.head; l; l = l->next) {
        Segment *s = l->data;
        g_autofree char *pdt = format_pdt(s->pdt_us);
        if (s->discontinuity)
            g_string_append(m, "#EXT-X-DISCONTINUITY\n");
        g_string_append_printf(
            m, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%" G_GINT64_FORMAT ".%06d,\n%s\n", pdt,
            s->duration_us / SQ_SECOND_US, (int)(s->duration_us % SQ_SECOND_US), s->uri);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "sequence");
        json_builder_add_int_value(b, s->sequence);
        json_builder_set_member_name(b, "index");
        json_builder_add_int_value(b, s->index);
        json_builder_set_member_name(b, "uri");
        json_builder_add_string_value(b, s->uri);
        json_builder_set_member_name(b, "pdt_us");
        json_builder_add_int_value(b, s->pdt_us);
        json_builder_set_member_name(b, "duration_us");
        json_builder_add_int_value(b, s->duration_us);
        json_builder_set_member_name(b, "discontinuity");
        json_builder_add_boolean_value(b, s->discontinuity);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    if (hls->closed)
        g_string_append(m, "#EXT-X-ENDLIST\n");
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    g_autofree char *state_text = json_generator_to_data(gen, NULL);
    g_autofree char *state = g_build_filename(hls->dir, STATE_NAME, NULL);
    g_autofree char *playlist = g_build_filename(hls->dir, PLAYLIST_NAME, NULL);
    g_autofree char *text = g_string_free(m, FALSE);
    /* State first: a crash between the two never lets a number be reused. */
    return sq_write_file_atomic(state, state_text, -1, error) &&
           sq_write_file_atomic(playlist, text, -1, error);
}

bool hls_add_segment(Hls *hls, const char *location, int64_t pdt_us, int64_t duration_us,
                     GError **error)
{
    g_autofree char *file = g_path_is_absolute(location)
                                ? g_strdup(location)
                                : g_build_filename(hls->dir, location, NULL);
    if (!prepend_si(hls, file, pdt_us, error))
        return false;
    Segment *s = g_new0(Segment, 1);
    s->uri = g_path_get_basename(location);
    if (!index_of_name(s->uri, &s->index))
        s->index = hls->next_index;
    s->sequence = hls->next_sequence++;
    hls->next_index = MAX(hls->next_index, s->index + 1);
    s->pdt_us = pdt_us;
    s->duration_us = duration_us;
    s->discontinuity = hls->pending_discontinuity;
    hls->pending_discontinuity = false;
    g_queue_push_tail(&hls->segments, s);
    while ((int)hls->segments.length > hls->window) {
        Segment *old = g_queue_pop_head(&hls->segments);
        if (old->discontinuity)
            hls->discontinuity_sequence++;
        g_autofree char *gone = hls_segment_name(old->index - KEEP_EXTRA);
        g_autofree char *p = g_build_filename(hls->dir, gone, NULL);
        g_unlink(p);
        segment_free(old);
    }
    return write_files(hls, error);
}

bool hls_close(Hls *hls, GError **error)
{
    hls->closed = true;
    return write_files(hls, error);
}

int64_t hls_listed_end_us(Hls *hls)
{
    Segment *last = hls->segments.tail ? hls->segments.tail->data : NULL;
    return last ? last->pdt_us + last->duration_us : 0;
}

JsonNode *hls_health(Hls *hls)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "segments");
    json_builder_add_int_value(b, hls->segments.length);
    json_builder_set_member_name(b, "next_sequence");
    json_builder_add_int_value(b, hls->next_sequence);
    Segment *last = hls->segments.tail ? hls->segments.tail->data : NULL;
    json_builder_set_member_name(b, "last_segment_end_us");
    if (last)
        json_builder_add_int_value(b, last->pdt_us + last->duration_us);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}
