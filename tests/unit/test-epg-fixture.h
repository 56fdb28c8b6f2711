/* The guide every epg unit test starts from, and golden-file helpers.
 * Two channels in Asia/Almaty (UTC+6 before 2024-03-01, UTC+5 since), a
 * title with every Kazakh-specific letter and the XML specials, a break, a
 * repeat, lessons across local and UTC midnight. */
#pragma once

#include "epg/epg.h"

#include <string.h>

#define T(y, mo, d, h, mi) fixture_utc(y, mo, d, h, mi, 0)

static inline int64_t fixture_utc(int y, int mo, int d, int h, int mi, int s)
{
    g_autoptr(GDateTime) t = g_date_time_new_utc(y, mo, d, h, mi, s);
    return g_date_time_to_unix(t) * SQ_SECOND_US;
}

static const char fixture_kazakh_title[] =
    "Әліпби: Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і — \"тырнақша\" 'бір' & <бұрыш>";

static inline SqEpgGuide *fixture_guide(void)
{
    g_autoptr(GError) error = NULL;
    SqEpgGuide *g = sq_epg_guide_new("sabaq test");
    SqEpgChannel balapan = {.id = "balapan",
                            .name_kk = "Балапан",
                            .name_ru = "Балапан",
                            .language = "kk",
                            .timezone = "Asia/Almaty",
                            .service_id = 101,
                            .icon = "http://tv.example.kz/logo/balapan.png"};
    SqEpgChannel bilim = {.id = "bilim-ru",
                          .name_kk = "Білім",
                          .name_ru = "Билим",
                          .language = "ru",
                          .timezone = "Asia/Almaty",
                          .service_id = 102};
    g_assert_true(sq_epg_guide_add_channel(g, &balapan, &error));
    g_assert_true(sq_epg_guide_add_channel(g, &bilim, &error));
    /* 2026-09-01 09:00 +0500 = 04:00 UTC */
    SqEpgProgramme p[] = {
        {.channel_id = "balapan",
         .start_us = T(2026, 9, 1, 4, 0),
         .end_us = T(2026, 9, 1, 4, 30),
         .kind = SQ_EPG_KIND_LESSON,
         .title_kk = fixture_kazakh_title,
         .title_ru = "Алфавит: \"кавычки\" & <скобки>",
         .desc_kk = "Қазақ әліпбиінің ерекше әріптері: Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І.",
         .subject_kk = "Қазақ тілі",
         .subject_ru = "Казахский язык",
         .grade = 1,
         .lesson_number = 3,
         .language = "kk"},
        {.channel_id = "balapan",
         .start_us = T(2026, 9, 1, 4, 30),
         .end_us = T(2026, 9, 1, 4, 40),
         .kind = SQ_EPG_KIND_BREAK},
        {.channel_id = "balapan",
         .start_us = T(2026, 9, 1, 4, 40),
         .end_us = T(2026, 9, 1, 5, 10),
         .kind = SQ_EPG_KIND_LESSON,
         .title_kk = "Сандар 1-ден 10-ға дейін",
         .title_ru = "Числа от 1 до 10",
         .subject_kk = "Математика",
         .subject_ru = "Математика",
         .grade = 1,
         .lesson_number = 4,
         .language = "kk"},
        /* 23:45 local to 00:15 local the next day (18:45-19:15 UTC) */
        {.channel_id = "balapan",
         .start_us = T(2026, 9, 1, 18, 45),
         .end_us = T(2026, 9, 1, 19, 15),
         .kind = SQ_EPG_KIND_REPEAT,
         .title_kk = fixture_kazakh_title,
         .subject_kk = "Қазақ тілі",
         .grade = 1,
         .lesson_number = 3,
         .language = "kk"},
        /* across UTC midnight: 04:50-05:20 local on 2 September */
        {.channel_id = "balapan",
         .start_us = T(2026, 9, 1, 23, 50),
         .end_us = T(2026, 9, 2, 0, 20),
         .kind = SQ_EPG_KIND_LESSON,
         .title_kk = "Таңғы жаттығу",
         .grade = 2,
         .lesson_number = 1,
         .subject_kk = "Дене шынықтыру",
         .language = "kk"},
        /* before 2024-03-01: 09:00 +0600 = 03:00 UTC */
        {.channel_id = "bilim-ru",
         .start_us = T(2024, 2, 29, 3, 0),
         .end_us = T(2024, 2, 29, 3, 45),
         .kind = SQ_EPG_KIND_LESSON,
         .title_ru = "Дроби",
         .desc_ru = "Обыкновенные дроби.",
         .subject_ru = "Математика",
         .grade = 5,
         .lesson_number = 12,
         .language = "ru"},
        /* after: 09:00 +0500 = 04:00 UTC */
        {.channel_id = "bilim-ru",
         .start_us = T(2024, 3, 1, 4, 0),
         .end_us = T(2024, 3, 1, 4, 45),
         .kind = SQ_EPG_KIND_LESSON,
         .title_ru = "Десятичные дроби",
         .title_kk = "Ондық бөлшектер",
         .subject_ru = "Математика",
         .subject_kk = "Математика",
         .grade = 5,
         .lesson_number = 13,
         .language = "ru"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(p); i++)
        if (!sq_epg_guide_add_programme(g, &p[i], &error))
            g_error("fixture: %s", error->message);
    return g;
}

static inline char *golden_path(const char *name)
{
    return g_build_filename(SQ_EPG_GOLDEN_DIR, name, NULL);
}

/* Compares bytes with the committed golden file; SABAQ_UPDATE_GOLDEN=1
 * rewrites it instead (then review the diff). */
static inline void assert_golden(const char *name, const void *data, size_t len)
{
    g_autofree char *path = golden_path(name);
    if (g_getenv("SABAQ_UPDATE_GOLDEN")) {
        g_autoptr(GError) error = NULL;
        g_assert_true(g_file_set_contents(path, data, (gssize)len, &error));
        return;
    }
    g_autofree char *expected = NULL;
    gsize expected_len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &expected, &expected_len, &error))
        g_error("%s (run with SABAQ_UPDATE_GOLDEN=1 to create it)", error->message);
    if (expected_len != len || memcmp(expected, data, len) != 0) {
        g_autofree char *actual = g_build_filename(g_get_tmp_dir(), name, NULL);
        g_file_set_contents(actual, data, (gssize)len, NULL);
        g_error("%s differs from the golden file (wrote %s)", name, actual);
    }
}
