/* DVB SI sections (epg/dvb_text.c, dvb_sdt.c, dvb_eit.c): golden bytes
 * (decoded independently by tests/integration/test_epg_golden.py) and the
 * rules of ETSI EN 300 468 / TS 101 211 checked field by field. */
#include "epg/epg_private.h"
#include "test-epg-fixture.h"

#include <bitstream/common.h>
#include <bitstream/dvb/si.h>
#include <bitstream/mpeg/psi.h>

static const SqEpgSiNetwork net = {
    .transport_stream_id = 1, .original_network_id = 0x2134, .provider_name = "sabaq"};

static GBytes *concat(GPtrArray *sections)
{
    GByteArray *all = g_byte_array_new();
    for (guint i = 0; i < sections->len; i++) {
        size_t n = 0;
        const uint8_t *p = g_bytes_get_data(g_ptr_array_index(sections, i), &n);
        g_byte_array_append(all, p, (guint)n);
    }
    return g_byte_array_free_to_bytes(all);
}

static const uint8_t *sec(GPtrArray *a, guint i)
{
    return g_bytes_get_data(g_ptr_array_index(a, i), NULL);
}

static void assert_valid_section(const uint8_t *s)
{
    g_assert_true(psi_validate(s));
    g_assert_true(psi_check_crc(s));
}

static void test_text(void)
{
    uint8_t out[64];
    g_assert_cmpuint(sq_dvb_text_encode("", 10, out), ==, 0);
    g_assert_cmpuint(sq_dvb_text_encode(NULL, 10, out), ==, 0);
    g_assert_cmpuint(sq_dvb_text_encode("Қ", 10, out), ==, 3);
    g_assert_cmpmem(out, 3, "\x15\xd2\x9a", 3);
    /* "ӘӘӘ" is 6 bytes: 4 allowed = 0x15 + 3 bytes, cut back to one letter */
    g_assert_cmpuint(sq_dvb_text_encode("ӘӘӘ", 4, out), ==, 3);
    g_assert_cmpmem(out + 1, 2, "Ә", 2);
    g_assert_cmpuint(sq_dvb_text_encode("ӘӘӘ", 2, out), ==, 0); /* no room for a letter */
    /* every cut of a mixed string stays valid UTF-8 */
    const char *mixed = "aӘbҒ€ҚңӨ😀Ұ";
    for (size_t max = 2; max < 30; max++) {
        size_t n = sq_dvb_text_encode(mixed, max, out);
        g_assert_cmpuint(n, <=, max);
        if (n)
            g_assert_true(g_utf8_validate((const char *)out + 1, (gssize)(n - 1), NULL));
    }
}

static void test_short_event_long_texts(void)
{
    GString *title = g_string_new(NULL), *sub = g_string_new(NULL);
    for (int i = 0; i < 100; i++) {
        g_string_append(title, "Ә");
        g_string_append(sub, "Қ");
    }
    g_string_append(title, "x"); /* 201 bytes: the odd byte makes a cut likely */
    uint8_t d[257];
    size_t n = epg_dvb_short_event(d, "kaz", title->str, sub->str);
    g_assert_cmpuint(d[0], ==, 0x4D);
    g_assert_cmpuint(n, ==, (size_t)d[1] + 2);
    g_assert_cmpuint(d[1], <=, 255);
    g_assert_cmpmem(d + 2, 3, "kaz", 3);
    uint8_t name_len = d[5], text_len = d[6 + name_len];
    g_assert_cmpuint(name_len + text_len + 5, ==, d[1]);
    g_assert_cmpuint(d[6], ==, 0x15);
    g_assert_true(g_utf8_validate((const char *)d + 7, name_len - 1, NULL));
    g_assert_cmpuint(name_len, >, 150); /* the name keeps priority */
    g_assert_cmpuint(d[7 + name_len], ==, 0x15);
    g_assert_true(g_utf8_validate((const char *)d + 8 + name_len, text_len - 1, NULL));
    g_string_free(title, true);
    g_string_free(sub, true);
}

static void test_extended_events(void)
{
    GString *text = g_string_new(NULL);
    for (int i = 0; i < 300; i++)
        g_string_append(text, "Ү"); /* 600 bytes: more than two descriptors hold */
    uint8_t d[2 * 257];
    size_t n = epg_dvb_extended_events(d, "kaz", text->str, 2);
    const uint8_t *first = d, *second = d + 2 + d[1];
    g_assert_cmpuint(n, ==, (size_t)(2 + d[1] + 2 + second[1]));
    g_assert_cmpuint(first[0], ==, 0x4E);
    g_assert_cmpuint(first[2], ==, 0x01); /* number 0, last 1 */
    g_assert_cmpuint(second[2], ==, 0x11);
    g_assert_cmpmem(second + 3, 3, "kaz", 3);
    g_assert_cmpuint(first[6], ==, 0); /* no items */
    g_assert_cmpuint(first[8], ==, 0x15);
    g_assert_cmpuint(first[7], ==, 249); /* 0x15 + 248 bytes: 124 whole letters */
    g_assert_true(g_utf8_validate((const char *)first + 9, first[7] - 1, NULL));
    g_assert_true(g_utf8_validate((const char *)second + 9, second[7] - 1, NULL));
    g_assert_cmpuint(epg_dvb_extended_events(d, "kaz", "", 2), ==, 0);
    g_string_free(text, true);
}

static void test_times(void)
{
    /* 2026-09-01 04:00:00 UTC = MJD 61284 (0xEF64) */
    g_assert_cmphex(epg_dvb_utc_time(T(2026, 9, 1, 4, 0)), ==, 0xEF64040000ULL);
    g_assert_cmphex(epg_dvb_utc_time(fixture_utc(2024, 2, 29, 23, 59, 58)), ==,
                    ((uint64_t)60369 << 24) | 0x235958);
    g_assert_cmphex(epg_dvb_bcd_duration(0, 45 * 60 * SQ_SECOND_US), ==, 0x004500);
    g_assert_cmphex(epg_dvb_bcd_duration(0, (10 * 3600 + 61) * SQ_SECOND_US), ==, 0x100101);
    /* frame-aligned instants: whole seconds of each end, so events chain */
    g_assert_cmphex(epg_dvb_bcd_duration(SQ_SECOND_US * 10 + 440000, SQ_SECOND_US * 22 + 120000),
                    ==, 0x000012);
}

static void test_sdt(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) sdt = sq_epg_sdt_section(g, "balapan", &net, 3, &error);
    g_assert_no_error(error);
    const uint8_t *s = g_bytes_get_data(sdt, NULL);
    assert_valid_section(s);
    g_assert_true(sdt_validate(s));
    g_assert_cmpuint(psi_get_tableid(s), ==, 0x42);
    g_assert_cmpuint(psi_get_version(s), ==, 3);
    g_assert_cmpuint(sdt_get_tsid(s), ==, 1);
    g_assert_cmpuint(sdt_get_onid(s), ==, 0x2134);
    uint8_t *service = sdt_get_service((uint8_t *)s, 0);
    g_assert_cmpuint(sdtn_get_sid(service), ==, 101);
    g_assert_true(sdtn_get_eitschedule(service));
    g_assert_true(sdtn_get_eitpresent(service));
    g_assert_cmpuint(sdtn_get_running(service), ==, 4);
    g_assert_null(sdt_get_service((uint8_t *)s, 1));
    assert_golden("sdt.bin", s, g_bytes_get_size(sdt));

    g_assert_null(sq_epg_sdt_section(g, "nope", &net, 0, &error));
    g_assert_cmpstr(error->message, ==, "no channel 'nope' for the SDT");
}

static void test_eit_pf(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    /* 09:35 local: in the break; next is the 09:40 lesson */
    g_autoptr(GPtrArray) pf =
        sq_epg_eit_pf_sections(g, "balapan", &net, T(2026, 9, 1, 4, 35), 7, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(pf->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        const uint8_t *s = sec(pf, i);
        assert_valid_section(s);
        g_assert_true(eit_validate(s));
        g_assert_cmpuint(psi_get_tableid(s), ==, 0x4E);
        g_assert_cmpuint(psi_get_section(s), ==, i);
        g_assert_cmpuint(psi_get_lastsection(s), ==, 1);
        g_assert_cmpuint(eit_get_segment_last_sec_number(s), ==, 1);
        g_assert_cmpuint(eit_get_last_table_id(s), ==, 0x4E);
        g_assert_cmpuint(eit_get_sid(s), ==, 101);
        g_assert_cmpuint(psi_get_version(s), ==, 7);
    }
    uint8_t *present = eit_get_event((uint8_t *)sec(pf, 0), 0);
    uint8_t *following = eit_get_event((uint8_t *)sec(pf, 1), 0);
    g_assert_cmpuint(eitn_get_running(present), ==, 4);
    g_assert_cmphex(eitn_get_start_time(present), ==, 0xEF64043000ULL);
    g_assert_cmphex(eitn_get_duration_bcd(present), ==, 0x001000);
    g_assert_cmpuint(eitn_get_running(following), ==, 1);
    g_assert_cmphex(eitn_get_start_time(following), ==, 0xEF64044000ULL);
    g_autoptr(GBytes) all = concat(pf);
    assert_golden("eit-pf.bin", g_bytes_get_data(all, NULL), g_bytes_get_size(all));

    /* in a gap before anything: section 0 empty, section 1 the first event */
    g_autoptr(GPtrArray) early =
        sq_epg_eit_pf_sections(g, "balapan", &net, T(2026, 8, 1, 0, 0), 0, &error);
    g_assert_null(eit_get_event((uint8_t *)sec(early, 0), 0));
    g_assert_cmphex(eitn_get_start_time(eit_get_event((uint8_t *)sec(early, 1), 0)), ==,
                    0xEF64040000ULL);
    /* after everything: both empty */
    g_autoptr(GPtrArray) late =
        sq_epg_eit_pf_sections(g, "balapan", &net, T(2030, 1, 1, 0, 0), 0, &error);
    g_assert_null(eit_get_event((uint8_t *)sec(late, 0), 0));
    g_assert_null(eit_get_event((uint8_t *)sec(late, 1), 0));
}

static void test_eit_schedule(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    uint8_t versions[16] = {5};
    unsigned dropped = 99;
    g_autoptr(GPtrArray) sch = sq_epg_eit_schedule_sections(
        g, "balapan", &net, T(2026, 9, 1, 10, 0), versions, &dropped, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(dropped, ==, 0);
    /* events at 04:00, 04:30, 04:40 (segment 1), 18:45 (segment 6), 23:50
     * (segment 7): one section per segment 0..7, empty ones included */
    g_assert_cmpuint(sch->len, ==, 8);
    const int events[8] = {0, 3, 0, 0, 0, 0, 1, 1};
    for (guint k = 0; k < 8; k++) {
        const uint8_t *s = sec(sch, k);
        assert_valid_section(s);
        g_assert_true(eit_validate(s));
        g_assert_cmpuint(psi_get_tableid(s), ==, 0x50);
        g_assert_cmpuint(psi_get_version(s), ==, 5);
        g_assert_cmpuint(psi_get_section(s), ==, 8 * k);
        g_assert_cmpuint(eit_get_segment_last_sec_number(s), ==, 8 * k);
        g_assert_cmpuint(psi_get_lastsection(s), ==, 56);
        g_assert_cmpuint(eit_get_last_table_id(s), ==, 0x50);
        int count = 0;
        while (eit_get_event((uint8_t *)s, (uint8_t)count))
            count++;
        g_assert_cmpint(count, ==, events[k]);
    }
    g_autoptr(GBytes) all = concat(sch);
    assert_golden("eit-schedule.bin", g_bytes_get_data(all, NULL), g_bytes_get_size(all));
}

static void test_eit_schedule_second_table_and_overflow(void)
{
    g_autoptr(SqEpgGuide) g = sq_epg_guide_new("t");
    SqEpgChannel c = {
        .id = "c", .name_kk = "C", .language = "kk", .timezone = "UTC", .service_id = 9};
    g_assert_true(sq_epg_guide_add_channel(g, &c, NULL));
    int64_t day = T(2026, 9, 1, 0, 0);
    /* 1000 events of 10 s from 00:00: far more than 8 sections hold */
    for (int i = 0; i < 1000; i++) {
        g_autofree char *title = g_strdup_printf("Сабақ %d: Ә Ғ Қ Ң Ө Ұ Ү Һ І", i);
        SqEpgProgramme p = {.channel_id = "c",
                            .start_us = day + i * 10 * SQ_SECOND_US,
                            .end_us = day + (i + 1) * 10 * SQ_SECOND_US,
                            .kind = SQ_EPG_KIND_LESSON,
                            .title_kk = title};
        g_assert_true(sq_epg_guide_add_programme(g, &p, NULL));
    }
    /* one on day 5 (table 0x51, segment 1) */
    SqEpgProgramme late = {.channel_id = "c",
                           .start_us = T(2026, 9, 5, 4, 0),
                           .end_us = T(2026, 9, 5, 5, 0),
                           .kind = SQ_EPG_KIND_LESSON,
                           .title_kk = "Кеш"};
    g_assert_true(sq_epg_guide_add_programme(g, &late, NULL));
    unsigned dropped = 0;
    uint8_t versions[16] = {0};
    g_autoptr(GPtrArray) sch =
        sq_epg_eit_schedule_sections(g, "c", &net, day + 1, versions, &dropped, NULL);
    /* table 0x50: segment 0 in 8 full sections, segments 1..31 empty; table
     * 0x51: segments 0 and 1 */
    g_assert_cmpuint(sch->len, ==, 8 + 31 + 2);
    g_assert_cmpuint(dropped, >, 0);
    int kept = 0;
    for (guint i = 0; i < sch->len; i++) {
        const uint8_t *s = sec(sch, i);
        assert_valid_section(s);
        g_assert_cmpuint(psi_get_length(s) + 3, <=, 4096);
        g_assert_cmpuint(eit_get_last_table_id(s), ==, 0x51);
        if (i < 8) {
            g_assert_cmpuint(psi_get_section(s), ==, i);
            g_assert_cmpuint(eit_get_segment_last_sec_number(s), ==, 7);
        }
        if (psi_get_tableid(s) == 0x50)
            g_assert_cmpuint(psi_get_lastsection(s), ==, 31 * 8);
        else
            g_assert_cmpuint(psi_get_lastsection(s), ==, 8);
    }
    for (guint i = 0; i < 8; i++)
        for (uint8_t k = 0; eit_get_event((uint8_t *)sec(sch, i), k); k++)
            kept++;
    g_assert_cmpuint(kept + dropped, ==, 1000);
    g_assert_cmpuint(psi_get_tableid(sec(sch, sch->len - 1)), ==, 0x51);
    g_assert_cmpuint(psi_get_section(sec(sch, sch->len - 1)), ==, 8);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epg/dvb/text", test_text);
    g_test_add_func("/epg/dvb/short-event", test_short_event_long_texts);
    g_test_add_func("/epg/dvb/extended-event", test_extended_events);
    g_test_add_func("/epg/dvb/times", test_times);
    g_test_add_func("/epg/dvb/sdt", test_sdt);
    g_test_add_func("/epg/dvb/eit-pf", test_eit_pf);
    g_test_add_func("/epg/dvb/eit-schedule", test_eit_schedule);
    g_test_add_func("/epg/dvb/eit-schedule-overflow", test_eit_schedule_second_table_and_overflow);
    return g_test_run();
}
