/* XMLTV, M3U and JSON from the fixture guide (epg/xmltv.c, m3u.c, json.c):
 * golden files (tests/golden/epg/, validated by xmllint and
 * tv_validate_file in tests/integration/test_epg_golden.py) and the rules a
 * golden file cannot show on its own. */
#include "test-epg-fixture.h"

static void test_xmltv_golden(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    size_t len = 0;
    g_autofree char *xml = sq_epg_xmltv_write(g, NULL, &len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(xml), ==, len);
    assert_golden("fixture.xml", xml, len);
}

static void test_xmltv_offsets(void)
{
    g_autoptr(GTimeZone) almaty = g_time_zone_new_identifier("Asia/Almaty");
    g_autofree char *before = sq_epg_xmltv_time(T(2024, 2, 29, 3, 0), almaty);
    g_autofree char *after = sq_epg_xmltv_time(T(2024, 3, 1, 4, 0), almaty);
    g_autofree char *late = sq_epg_xmltv_time(T(2026, 9, 1, 19, 15), almaty);
    g_assert_cmpstr(before, ==, "20240229090000 +0600");
    g_assert_cmpstr(after, ==, "20240301090000 +0500");
    g_assert_cmpstr(late, ==, "20260902001500 +0500");
}

static void test_xmltv_escapes_and_order(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autofree char *xml = sq_epg_xmltv_write(g, NULL, NULL, NULL);
    /* every Kazakh letter as plain UTF-8; the specials escaped */
    g_assert_nonnull(strstr(xml, "Әліпби: Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і — "
                                 "&quot;тырнақша&quot; 'бір' &amp; &lt;бұрыш&gt;"));
    /* the channel's own language first (Kodi reads only the first title) */
    const char *kk = strstr(xml, "<title lang=\"kk\">Әліпби");
    const char *ru = strstr(xml, "<title lang=\"ru\">Алфавит");
    g_assert_true(kk && ru && kk < ru);
    const char *ru_first = strstr(xml, "<title lang=\"ru\">Десятичные");
    const char *kk_second = strstr(xml, "<title lang=\"kk\">Ондық");
    g_assert_true(ru_first && kk_second && ru_first < kk_second);
    /* no empty desc anywhere */
    g_assert_null(strstr(xml, "<desc lang=\"ru\"></desc>"));
    g_assert_null(strstr(xml, "<desc lang=\"ru\"/>"));
}

static void test_xmltv_filters(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    SqEpgXmltvOptions one = {.channel_id = "bilim-ru"};
    g_autofree char *xml = sq_epg_xmltv_write(g, &one, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(strstr(xml, "balapan.sabaq"));
    g_assert_nonnull(strstr(xml, "<channel id=\"bilim-ru.sabaq\">"));

    /* a window with programmes on one channel only: the other is left out */
    SqEpgXmltvOptions day = {.from_us = T(2026, 9, 1, 0, 0), .to_us = T(2026, 9, 1, 5, 0)};
    g_autofree char *xml2 = sq_epg_xmltv_write(g, &day, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(strstr(xml2, "bilim-ru.sabaq"));
    g_assert_nonnull(strstr(xml2, "start=\"20260901094000 +0500\""));
    g_assert_null(strstr(xml2, "start=\"20260901234500 +0500\""));

    SqEpgXmltvOptions none = {.from_us = T(2030, 1, 1, 0, 0), .to_us = T(2030, 1, 2, 0, 0)};
    g_assert_null(sq_epg_xmltv_write(g, &none, NULL, &error));
    g_assert_cmpstr(error->message, ==,
                    "no programme in the published plan for any channel in that period");
    g_clear_error(&error);
    SqEpgXmltvOptions unknown = {.channel_id = "nope"};
    g_assert_null(sq_epg_xmltv_write(g, &unknown, NULL, &error));
    g_assert_cmpstr(error->message, ==, "no channel 'nope' in the guide");
}

static void test_m3u_golden(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    g_autofree char *m3u = sq_epg_m3u_write(g, "http://tv.example.kz/", &error);
    g_assert_no_error(error);
    assert_golden("fixture.m3u", m3u, strlen(m3u));
}

static void test_m3u_cleans_values(void)
{
    g_autoptr(SqEpgGuide) g = sq_epg_guide_new("t");
    SqEpgChannel c = {.id = "x",
                      .name_kk = "Бір, \"екі\" - үш",
                      .language = "kk",
                      .timezone = "Asia/Almaty",
                      .service_id = 7};
    g_assert_true(sq_epg_guide_add_channel(g, &c, NULL));
    g_autofree char *m3u = sq_epg_m3u_write(g, "https://h/sabaq", NULL);
    g_assert_cmpstr(
        m3u, ==,
        "#EXTM3U x-tvg-url=\"https://h/sabaq/epg.xml\" url-tvg=\"https://h/sabaq/epg.xml\"\n"
        "#EXTINF:-1 tvg-id=\"x.sabaq\" tvg-name=\"Бір  'екі' – үш\" tvg-chno=\"7\" "
        "tvg-language=\"Kazakh\" group-title=\"sabaq\",Бір  'екі' – үш\n"
        "https://h/sabaq/hls/x/index.m3u8\n");
    g_autoptr(GError) error = NULL;
    g_assert_null(sq_epg_m3u_write(g, "ftp://h", &error));
    g_assert_cmpstr(error->message, ==, "base URL 'ftp://h' is not an http:// or https:// URL");
}

static void test_m3u_catchup(void)
{
    g_autoptr(SqEpgGuide) g = sq_epg_guide_new("t");
    SqEpgChannel c = {
        .id = "x", .name_kk = "Бір", .language = "kk", .timezone = "Asia/Almaty", .service_id = 7};
    g_assert_true(sq_epg_guide_add_channel(g, &c, NULL));
    g_autofree char *m3u = sq_epg_m3u_write_catchup(g, "https://h/sabaq/", 7, NULL);
    g_assert_cmpstr(
        m3u, ==,
        "#EXTM3U x-tvg-url=\"https://h/sabaq/epg.xml\" url-tvg=\"https://h/sabaq/epg.xml\"\n"
        "#EXTINF:-1 tvg-id=\"x.sabaq\" tvg-name=\"Бір\" tvg-chno=\"7\" "
        "tvg-language=\"Kazakh\" group-title=\"sabaq\" catchup=\"default\" catchup-days=\"7\" "
        "catchup-source=\"https://h/sabaq/catchup/x/index.m3u8?utc={utc}\",Бір\n"
        "https://h/sabaq/hls/x/index.m3u8\n");
    /* No catch-up days: exactly the plain playlist. */
    g_autofree char *plain = sq_epg_m3u_write(g, "https://h/sabaq/", NULL);
    g_autofree char *zero = sq_epg_m3u_write_catchup(g, "https://h/sabaq/", 0, NULL);
    g_assert_cmpstr(plain, ==, zero);
    g_assert_null(strstr(plain, "catchup"));
}

static char *to_json(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_pretty(gen, true);
    json_generator_set_root(gen, node);
    char *text = json_generator_to_data(gen, NULL);
    json_node_unref(node);
    return text;
}

static void test_json(void)
{
    g_autoptr(SqEpgGuide) g = fixture_guide();
    g_autoptr(GError) error = NULL;
    /* 09:35 local: in the break; next is the 09:40 lesson */
    JsonNode *nn = sq_epg_json_now_next(g, "balapan", T(2026, 9, 1, 4, 35), &error);
    g_assert_no_error(error);
    g_autofree char *now_next = to_json(nn);
    assert_golden("fixture-now-next.json", now_next, strlen(now_next));

    JsonNode *day = sq_epg_json_day(g, "balapan", "2026-09-02", &error);
    g_assert_no_error(error);
    g_autofree char *day_text = to_json(day);
    assert_golden("fixture-day.json", day_text, strlen(day_text));

    g_assert_null(sq_epg_json_day(g, "balapan", "2026-02-30", &error));
    g_assert_cmpstr(error->message, ==, "date '2026-02-30' is not YYYY-MM-DD");
    g_clear_error(&error);
    g_assert_null(sq_epg_json_now_next(g, "nope", 0, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND);
    /* after the last programme: now and next are null */
    JsonNode *late = sq_epg_json_now_next(g, "balapan", T(2030, 1, 1, 0, 0), NULL);
    JsonObject *o = json_node_get_object(late);
    g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(o, "now")));
    g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(o, "next")));
    json_node_unref(late);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epg/xmltv/golden", test_xmltv_golden);
    g_test_add_func("/epg/xmltv/offsets", test_xmltv_offsets);
    g_test_add_func("/epg/xmltv/escapes-and-order", test_xmltv_escapes_and_order);
    g_test_add_func("/epg/xmltv/filters", test_xmltv_filters);
    g_test_add_func("/epg/m3u/golden", test_m3u_golden);
    g_test_add_func("/epg/m3u/clean", test_m3u_cleans_values);
    g_test_add_func("/epg/m3u/catchup", test_m3u_catchup);
    g_test_add_func("/epg/json", test_json);
    return g_test_run();
}
