/* The SI inserter (epg/si_inserter.c) on a synthetic CBR stream: only null
 * packets change, PCR-carrying packets stay byte for byte in place, the
 * sections come back whole with valid CRCs and continuous counters, at
 * their repetition rates, 25 ms apart on PID 0x12, with new versions when
 * the plan or the event on air changes. */
#include "epg/epg_private.h"
#include "test-epg-fixture.h"

#include <bitstream/common.h>
#include <bitstream/dvb/si.h>
#include <bitstream/mpeg/psi.h>
#include <glib/gstdio.h>

#define TS       188
#define RATE_BPS 2000000 /* 1329.8 packets a second */

static const SqEpgSiNetwork net = {
    .transport_stream_id = 1, .original_network_id = 0x2134, .provider_name = "sabaq"};

/* A stream: every 3rd packet video (PID 0x100, PCR in its adaptation
 * field), the rest null packets whose payload holds garbage. */
static uint8_t *make_stream(size_t n)
{
    uint8_t *buf = g_malloc(n * TS);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + i * TS;
        if (i % 3 == 0) {
            p[0] = 0x47;
            p[1] = 0x41;
            p[2] = 0x00;
            p[3] = (uint8_t)(0x30 | (i / 3 % 16));
            p[4] = 7;
            p[5] = 0x10; /* PCR flag */
            for (int k = 6; k < TS; k++)
                p[k] = (uint8_t)(i * 7 + k);
        } else {
            p[0] = 0x47;
            p[1] = 0x1F;
            p[2] = 0xFF;
            p[3] = 0x10;
            for (int k = 4; k < TS; k++)
                p[k] = (uint8_t)(i + k); /* uninitialised memory, as mpegtsmux sends */
        }
    }
    return buf;
}

typedef struct {
    int64_t start_us;
    uint8_t table_id, section, version;
    GBytes *bytes;
} Seen;

typedef struct {
    GByteArray *buf[2];
    int cc[2];
    int64_t start_us[2];
    GArray *seen; /* Seen */
} Reader;

static void seen_clear(gpointer data)
{
    g_bytes_unref(((Seen *)data)->bytes);
}

static void reader_init(Reader *r)
{
    for (int i = 0; i < 2; i++) {
        r->buf[i] = g_byte_array_new();
        r->cc[i] = -1;
    }
    r->seen = g_array_new(false, true, sizeof(Seen));
    g_array_set_clear_func(r->seen, seen_clear);
}

static void reader_clear(Reader *r)
{
    for (int i = 0; i < 2; i++)
        g_byte_array_unref(r->buf[i]);
    g_array_unref(r->seen);
}

/* Reassembles sections of PIDs 0x11/0x12 from one packet (sections start
 * packets and end with stuffing, as the inserter writes them). */
static void read_packet(Reader *r, const uint8_t *p, int64_t at_us)
{
    int pid = ((p[1] & 0x1f) << 8) | p[2];
    if (pid != 0x11 && pid != 0x12)
        return;
    int k = pid - 0x11;
    g_assert_cmphex(p[3] & 0x30, ==, 0x10);
    if (r->cc[k] >= 0)
        g_assert_cmpint(p[3] & 0x0f, ==, (r->cc[k] + 1) & 0x0f);
    r->cc[k] = p[3] & 0x0f;
    const uint8_t *payload = p + 4;
    size_t len = TS - 4;
    if (p[1] & 0x40) {
        g_assert_cmpuint(r->buf[k]->len, ==, 0); /* previous section complete */
        g_assert_cmpuint(payload[0], ==, 0);
        payload++;
        len--;
        r->start_us[k] = at_us;
    }
    g_assert_cmpuint(p[1] & 0x40 || r->buf[k]->len > 0, !=, 0);
    g_byte_array_append(r->buf[k], payload, (guint)len);
    if (r->buf[k]->len >= 3) {
        size_t total = (size_t)psi_get_length(r->buf[k]->data) + 3;
        if (r->buf[k]->len >= total) {
            for (size_t i = total; i < r->buf[k]->len; i++)
                g_assert_cmphex(r->buf[k]->data[i], ==, 0xFF);
            g_assert_true(psi_check_crc(r->buf[k]->data));
            Seen s = {.start_us = r->start_us[k],
                      .table_id = r->buf[k]->data[0],
                      .section = psi_get_section(r->buf[k]->data),
                      .version = psi_get_version(r->buf[k]->data),
                      .bytes = g_bytes_new(r->buf[k]->data, total)};
            g_array_append_val(r->seen, s);
            g_byte_array_set_size(r->buf[k], 0);
        }
    }
}

static int64_t packet_us(int64_t t0, size_t i)
{
    return t0 + (int64_t)((uint64_t)i * TS * 8 * 1000000 / RATE_BPS);
}

/* Runs n packets through si in chunks of 7 (one UDP datagram each). */
static void run(SqSiInserter *si, Reader *r, int64_t t0, size_t first, size_t n)
{
    g_autofree uint8_t *stream = make_stream(first + n);
    g_autofree uint8_t *orig = g_memdup2(stream, (first + n) * TS);
    for (size_t i = first; i < first + n; i += 7) {
        size_t count = MIN(7, first + n - i);
        sq_si_inserter_process(si, stream + i * TS, count, packet_us(t0, i));
    }
    for (size_t i = first; i < first + n; i++) {
        uint8_t *p = stream + i * TS, *o = orig + i * TS;
        int pid = ((p[1] & 0x1f) << 8) | p[2];
        if (i % 3 == 0) {
            g_assert_cmpmem(p, TS, o, TS); /* untouched, PCR and all */
            continue;
        }
        g_assert_true(pid == 0x1FFF || pid == 0x11 || pid == 0x12);
        if (pid == 0x1FFF) {
            for (int k = 4; k < TS; k++)
                g_assert_cmphex(p[k], ==, 0xFF);
        }
        read_packet(r, p, packet_us(t0, i));
    }
}

static SqSiInserter *new_inserter(SqEpgGuide *g)
{
    SqSiInserterConfig cfg = {.channel_id = "balapan", .network = net, .bitrate_bps = RATE_BPS};
    g_autoptr(GError) error = NULL;
    SqSiInserter *si = sq_si_inserter_new(&cfg, g, &error);
    g_assert_no_error(error);
    return si;
}

/* Largest start-to-start interval of sections matching (table, section). */
static int64_t max_interval(Reader *r, int table_lo, int table_hi, int sec_lo, int sec_hi,
                            int64_t *count)
{
    int64_t last = G_MININT64, worst = 0;
    *count = 0;
    for (guint i = 0; i < r->seen->len; i++) {
        Seen *s = &g_array_index(r->seen, Seen, i);
        if (s->table_id < table_lo || s->table_id > table_hi || s->section < sec_lo ||
            s->section > sec_hi)
            continue;
        if (last != G_MININT64)
            worst = MAX(worst, s->start_us - last);
        last = s->start_us;
        (*count)++;
    }
    return worst;
}

static void test_rates_and_integrity(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(SqSiInserter) si = new_inserter(g);
    Reader r;
    reader_init(&r);
    int64_t t0 = T(2026, 9, 1, 4, 10);
    size_t n = 40 * RATE_BPS / (TS * 8); /* 40 seconds */
    run(si, &r, t0, 0, n);

    int64_t count = 0;
    g_assert_cmpint(max_interval(&r, 0x42, 0x42, 0, 0, &count), <=, 2 * SQ_SECOND_US);
    g_assert_cmpint(count, >=, 39);
    g_assert_cmpint(max_interval(&r, 0x4E, 0x4E, 0, 0, &count), <=, 2 * SQ_SECOND_US);
    g_assert_cmpint(count, >=, 39);
    g_assert_cmpint(max_interval(&r, 0x4E, 0x4E, 1, 1, &count), <=, 2 * SQ_SECOND_US);
    /* first day: sections 0..63 of 0x50; here segment 1 (section 8) */
    g_assert_cmpint(max_interval(&r, 0x50, 0x50, 8, 8, &count), <=, 10 * SQ_SECOND_US);
    g_assert_cmpint(count, >=, 4);
    /* every section of the first day went out */
    for (int s = 0; s < 64; s += 8) {
        max_interval(&r, 0x50, 0x50, s, s, &count);
        g_assert_cmpint(count, >=, 4);
    }
    /* 25 ms between section starts on PID 0x12 */
    int64_t last = G_MININT64;
    for (guint i = 0; i < r.seen->len; i++) {
        Seen *s = &g_array_index(r.seen, Seen, i);
        if (s->table_id == 0x42)
            continue;
        if (last != G_MININT64)
            g_assert_cmpint(s->start_us - last, >=, 25000);
        last = s->start_us;
    }
    /* the first sections carry what the generators build */
    g_autoptr(GPtrArray) pf = sq_epg_eit_pf_sections(g, "balapan", &net, t0, 0, NULL);
    for (guint i = 0; i < r.seen->len; i++) {
        Seen *s = &g_array_index(r.seen, Seen, i);
        if (s->table_id == 0x4E) {
            g_assert_true(g_bytes_equal(s->bytes, g_ptr_array_index(pf, s->section)));
        }
    }
    SqSiInserterStats st;
    sq_si_inserter_get_stats(si, &st);
    g_assert_cmpuint(st.packets, ==, n);
    g_assert_cmpuint(st.null_packets, ==, n - (n + 2) / 3);
    g_assert_cmpuint(st.sdt_sections, >=, 39);
    g_assert_cmpuint(st.not_ts_packets, ==, 0);
    reader_clear(&r);
}

static uint8_t version_of(Reader *r, uint8_t table, uint8_t section, guint from)
{
    for (guint i = from; i < r->seen->len; i++) {
        Seen *s = &g_array_index(r->seen, Seen, i);
        if (s->table_id == table && s->section == section)
            return s->version;
    }
    g_error("no section %u of table 0x%02x", section, table);
}

static void test_event_change_and_new_plan(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(SqSiInserter) si = new_inserter(g);
    Reader r;
    reader_init(&r);
    /* 3 s before the 09:30 boundary (04:30 UTC) */
    int64_t t0 = T(2026, 9, 1, 4, 30) - 3 * SQ_SECOND_US;
    size_t per_s = RATE_BPS / (TS * 8);
    run(si, &r, t0, 0, 6 * per_s);
    /* p/f before and after the boundary: the version moved on, and the new
     * present event (the break, 04:30) went out within a second */
    uint8_t v0 = version_of(&r, 0x4E, 0, 0);
    guint after = 0;
    for (guint i = 0; i < r.seen->len; i++) {
        Seen *s = &g_array_index(r.seen, Seen, i);
        if (s->table_id == 0x4E && s->version != v0) {
            after = i;
            g_assert_cmpint(s->start_us, >=, T(2026, 9, 1, 4, 30));
            g_assert_cmpint(s->start_us, <, T(2026, 9, 1, 4, 30) + SQ_SECOND_US);
            break;
        }
    }
    g_assert_cmpuint(after, >, 0);
    g_assert_cmpuint(version_of(&r, 0x4E, 0, after), ==, (v0 + 1) & 0x1f);
    Seen *s = &g_array_index(r.seen, Seen, after);
    const uint8_t *ev = eit_get_event((uint8_t *)g_bytes_get_data(s->bytes, NULL), 0);
    if (s->section == 0)
        g_assert_cmphex(eitn_get_start_time(ev), ==, 0xEF64043000ULL);

    /* a republished plan: a new lesson at 05:10 UTC */
    uint8_t sched_v = version_of(&r, 0x50, 8, 0);
    g_autoptr(SqEpgGuide) g2 = fixture_guide();
    SqEpgProgramme extra = {.channel_id = "balapan",
                            .start_us = T(2026, 9, 1, 5, 10),
                            .end_us = T(2026, 9, 1, 5, 40),
                            .kind = SQ_EPG_KIND_LESSON,
                            .title_kk = "Жаңа сабақ: Ү Һ І"};
    g_assert_true(sq_epg_guide_add_programme(g2, &extra, NULL));
    g_assert_true(sq_si_inserter_set_guide(si, g2, NULL));
    guint mark = r.seen->len;
    run(si, &r, t0, 6 * per_s, 3 * per_s);
    uint8_t v_new = version_of(&r, 0x50, 8, mark);
    g_assert_cmpuint(v_new, ==, (sched_v + 1) & 0x1f);
    for (guint i = mark; i < r.seen->len; i++) {
        Seen *x = &g_array_index(r.seen, Seen, i);
        if (x->table_id == 0x50 && x->section == 8) {
            /* within 3 s of the change, with the new event in it */
            g_assert_cmpint(x->start_us - packet_us(t0, 6 * per_s), <, 3 * SQ_SECOND_US);
            int count = 0;
            while (eit_get_event((uint8_t *)g_bytes_get_data(x->bytes, NULL), (uint8_t)count))
                count++;
            g_assert_cmpint(count, ==, 4);
            break;
        }
    }
    /* unchanged tables keep their version: the SDT */
    g_assert_cmpuint(version_of(&r, 0x42, 0, mark), ==, version_of(&r, 0x42, 0, 0));

    g_autoptr(SqEpgGuide) empty = sq_epg_guide_new("t");
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_si_inserter_set_guide(si, empty, &error));
    g_assert_cmpstr(error->message, ==,
                    "SI inserter: the new guide has no channel 'balapan'; keeping the old one");
    reader_clear(&r);
}

static void test_refusals_and_foreign_bytes(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    SqSiInserterConfig cfg = {.channel_id = "nope", .network = net};
    g_autoptr(GError) error = NULL;
    g_assert_null(sq_si_inserter_new(&cfg, g, &error));
    g_assert_cmpstr(error->message, ==, "SI inserter: no channel 'nope' in the guide");

    g_autoptr(SqSiInserter) si = new_inserter(g);
    uint8_t junk[2 * TS];
    memset(junk, 0x00, sizeof junk);
    g_assert_cmpuint(sq_si_inserter_process(si, junk, 2, T(2026, 9, 1, 4, 0)), ==, 0);
    uint8_t zero[2 * TS] = {0};
    g_assert_cmpmem(junk, sizeof junk, zero, sizeof zero);
    SqSiInserterStats st;
    sq_si_inserter_get_stats(si, &st);
    g_assert_cmpuint(st.not_ts_packets, ==, 2);
}

/* A real CBR mux: ffmpeg's mpegts muxer at a fixed muxrate (its own SDT
 * turned into null packets first, as playout turns mpegtsmux's SI off).
 * After insertion ffprobe still reads the programme and its service name
 * comes from our SDT, dvbinfo decodes our EIT, and the PCR packets are
 * byte for byte where they were. */
static void test_real_mux(void)
{
    g_autofree char *ffmpeg = g_find_program_in_path("ffmpeg");
    g_autofree char *dvbinfo = g_find_program_in_path("dvbinfo");
    if (!ffmpeg || !dvbinfo) {
        g_test_skip("ffmpeg or dvbinfo missing");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("sabaq-si-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *in = g_build_filename(dir, "in.ts", NULL);
    g_autofree char *out = g_build_filename(dir, "out.ts", NULL);
    const char *gen[] = {ffmpeg,      "-v",      "error",
                         "-nostdin",  "-y",      "-f",
                         "lavfi",     "-i",      "testsrc2=s=160x90:r=25:d=4",
                         "-c:v",      "libx264", "-preset",
                         "ultrafast", "-b:v",    "150k",
                         "-maxrate",  "150k",    "-bufsize",
                         "150k",      "-f",      "mpegts",
                         "-muxrate",  "600k",    "-mpegts_service_id",
                         "101",       in,        NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)gen, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                               &status, &error));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(in, &data, &len, &error));
    g_assert_cmpuint(len % TS, ==, 0);
    size_t n = len / TS;
    uint8_t *p = (uint8_t *)data;
    for (size_t i = 0; i < n; i++) {
        uint8_t *pkt = p + i * TS;
        if ((((pkt[1] & 0x1f) << 8) | pkt[2]) == 0x11) { /* ffmpeg's SDT out */
            pkt[1] = 0x1F;
            pkt[2] = 0xFF;
            pkt[3] = 0x10;
        }
    }
    g_autofree uint8_t *orig = g_memdup2(p, len);
    g_autoptr(SqEpgGuide) g = fixture_guide();
    SqSiInserterConfig cfg = {.channel_id = "balapan", .network = net, .bitrate_bps = 600000};
    g_autoptr(SqSiInserter) si = sq_si_inserter_new(&cfg, g, &error);
    g_assert_no_error(error);
    int64_t t0 = T(2026, 9, 1, 4, 35);
    for (size_t i = 0; i < n; i += 7)
        sq_si_inserter_process(si, p + i * TS, MIN(7, n - i),
                               t0 + (int64_t)(i * TS * 8 * 1000000 / 600000));
    size_t changed = 0;
    for (size_t i = 0; i < n; i++) {
        int pid = ((orig[i * TS + 1] & 0x1f) << 8) | orig[i * TS + 2];
        if (pid != 0x1FFF)
            g_assert_cmpmem(p + i * TS, TS, orig + i * TS, TS);
        else
            changed += memcmp(p + i * TS, orig + i * TS, TS) != 0;
    }
    g_assert_cmpuint(changed, >, 0);
    g_assert_true(g_file_set_contents(out, data, (gssize)len, &error));

    g_autofree char *ffprobe = g_find_program_in_path("ffprobe");
    const char *probe[] = {ffprobe,
                           "-v",
                           "error",
                           "-show_entries",
                           "program=program_id:program_tags=service_name,service_provider",
                           "-of",
                           "compact",
                           out,
                           NULL};
    g_autofree char *probe_out = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)probe, NULL, G_SPAWN_DEFAULT, NULL, NULL, &probe_out,
                               NULL, &status, &error));
    g_assert_nonnull(strstr(probe_out, "program_id=101"));
    g_assert_nonnull(strstr(probe_out, "service_name=Балапан"));
    g_assert_nonnull(strstr(probe_out, "service_provider=sabaq"));

    const char *info[] = {dvbinfo, "-f", out, "-s", "table", NULL};
    g_autofree char *info_out = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)info, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &info_out, NULL, &status, &error));
    g_assert_nonnull(strstr(info_out, "Event id: 50606")); /* the break on air at 04:35 */
    g_assert_nonnull(strstr(info_out, "Үзіліс"));
    g_assert_nonnull(strstr(info_out, "Running status: 4"));
    g_unlink(in);
    g_unlink(out);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epg/si/rates-and-integrity", test_rates_and_integrity);
    g_test_add_func("/epg/si/event-change-and-new-plan", test_event_change_and_new_plan);
    g_test_add_func("/epg/si/refusals", test_refusals_and_foreign_bytes);
    g_test_add_func("/epg/si/real-mux", test_real_mux);
    return g_test_run();
}
