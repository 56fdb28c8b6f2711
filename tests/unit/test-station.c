/* The station file parser (core/station.c) on in-memory text: the model it
 * builds, and the checks beyond the schema. */
#include "core/station_private.h"

#include <string.h>

static const char example[] =
    "<station xmlns=\"urn:sabaq:station:1\" timezone=\"Asia/Almaty\">\n"
    "  <subject id=\"math\"><name lang=\"kk\">Математика</name></subject>\n"
    "  <channel id=\"el-arna\" language=\"ru\" service-id=\"102\">\n"
    "    <name lang=\"ru\">Ел Арна</name><filler pool=\"ident, promo\"/>\n"
    "  </channel>\n"
    "  <grid channel=\"el-arna\" days=\"tue fri\">\n"
    "    <slot start=\"10:00:30\" length=\"1:05:00\" grade=\"9\" subject=\"math\"/>\n"
    "    <slot start=\"09:00\" length=\"35:00\" grade=\"9\" subject=\"math\" language=\"kk\"/>\n"
    "  </grid>\n"
    "</station>\n";

static SqStation *parse(const char *text, GError **error)
{
    return sq_station_parse("station.xml", text, strlen(text), error);
}

static void test_model(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SqStation) st = parse(example, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(st->timezone, ==, "Asia/Almaty");
    const SqStationChannel *c = sq_station_find_channel(st, "el-arna");
    g_assert_nonnull(c);
    g_assert_cmpint(c->service_id, ==, 102);
    g_assert_cmpstr(c->filler_tags, ==, "ident promo");
    g_assert_cmpstr(c->name_ru, ==, "Ел Арна");
    g_assert_null(c->name_kk);
    const SqStationGrid *g = st->grids->pdata[0];
    g_assert_cmpint(g->days, ==, (1 << 1) | (1 << 4));
    /* sorted by start; lengths in frames; language defaults to the channel's */
    const SqStationSlot *first = g->slots->pdata[0], *second = g->slots->pdata[1];
    g_assert_cmpint(first->start_s, ==, 9 * 3600);
    g_assert_cmpint(first->length_frames, ==, 35 * 60 * SQ_FPS);
    g_assert_cmpstr(first->language, ==, "kk");
    g_assert_cmpint(second->start_s, ==, 10 * 3600 + 30);
    g_assert_cmpint(second->length_frames, ==, 3900 * SQ_FPS);
    g_assert_cmpstr(second->language, ==, "ru");
    g_assert_cmpint(second->grade, ==, 9);
}

static void assert_refused(const char *text, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SqStation) st = parse(text, &error);
    g_assert_null(st);
    g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
    if (!g_str_has_prefix(error->message, message))
        g_error("expected '%s...', got '%s'", message, error->message);
}

static char *replaced(const char *from, const char *to)
{
    g_autoptr(GString) s = g_string_new(example);
    g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
    return g_strdup(s->str);
}

static void test_refusals(void)
{
    g_autofree char *dup_subject =
        replaced("<channel", "<subject id=\"math\"><name lang=\"ru\">М</name></subject><channel");
    assert_refused(dup_subject, "station.xml:3: subject 'math' is defined twice");
    g_autofree char *dup_day = replaced("days=\"tue fri\"", "days=\"tue fri tue\"");
    assert_refused(dup_day, "station.xml:6: day 'tue' is listed twice");
    g_autofree char *midnight = replaced("start=\"10:00:30\"", "start=\"23:30\"");
    assert_refused(midnight, "station.xml:7: slot at 23:30 (1:05:00 long) crosses midnight");
    g_autofree char *overlap = replaced("start=\"10:00:30\"", "start=\"09:30\"");
    assert_refused(overlap, "station.xml:7: slot at 09:30 overlaps the slot at 09:00 (line 8)");
    g_autofree char *no_channel = replaced("<grid channel=\"el-arna\"", "<grid channel=\"x\"");
    assert_refused(no_channel, "station.xml:6: unknown channel 'x'");
    g_autofree char *bad_tz = replaced("Asia/Almaty", "Mars/Olympus");
    assert_refused(bad_tz, "station.xml:1: unknown time zone 'Mars/Olympus'");
    g_autofree char *schema = replaced("grade=\"9\"", "grade=\"nine\"");
    assert_refused(schema, "station.xml:7: ");
    assert_refused("<station", "station.xml:1: ");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/station/model", test_model);
    g_test_add_func("/station/refusals", test_refusals);
    return g_test_run();
}
