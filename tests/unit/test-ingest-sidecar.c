/* Sidecars (ingest/sidecar.c): valid lessons and fillers, schema
 * violations with their line, and what a hostile file may try (DOCTYPE,
 * external and recursive entities). */
#include "ingest/ingest_private.h"

#include <glib/gstdio.h>
#include <string.h>

#define XML_PATH "/watch/lesson.xml"
#define DECL     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS       "xmlns=\"urn:sabaq:lesson:1\""

static bool parse(const char *text, SqLessonMeta *meta, GError **error)
{
    return sq_sidecar_parse(XML_PATH, text, strlen(text), meta, error);
}

static void test_valid_lesson(void)
{
    SqLessonMeta meta;
    g_autoptr(GError) error = NULL;
    g_assert_true(parse(DECL "<lesson " NS " subject=\"kazakh-lang\" grade=\"3\" number=\"14\""
                             " language=\"kk\">\n"
                             "  <description>  Дыбыстар мен әріптер  </description>\n"
                             "  <title>Әліпби: Ә әрпі</title>\n"
                             "</lesson>\n",
                        &meta, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(meta.subject, ==, "kazakh-lang");
    g_assert_cmpint(meta.grade, ==, 3);
    g_assert_cmpint(meta.number, ==, 14);
    g_assert_cmpstr(meta.language, ==, "kk");
    g_assert_cmpstr(meta.title, ==, "Әліпби: Ә әрпі");
    g_assert_cmpstr(meta.description, ==, "Дыбыстар мен әріптер");
    g_assert_null(meta.filler_tags);
    sq_lesson_meta_clear(&meta);

    /* Title and description are optional. */
    g_assert_true(parse("<lesson " NS " subject=\"math\" grade=\"11\" number=\"9999\""
                        " language=\"ru\"/>",
                        &meta, &error));
    g_assert_no_error(error);
    g_assert_cmpint(meta.grade, ==, 11);
    g_assert_null(meta.title);
    g_assert_null(meta.description);
    sq_lesson_meta_clear(&meta);

    /* libxml2 warns about a processing instruction with a reserved name;
     * a warning does not refuse (found by fuzz-sidecar). */
    g_assert_true(parse("<?xmlfoo bar?>\n<lesson " NS " subject=\"math\" grade=\"2\" number=\"1\""
                        " language=\"ru\"/>",
                        &meta, &error));
    g_assert_no_error(error);
    g_assert_cmpint(meta.grade, ==, 2);
    sq_lesson_meta_clear(&meta);
}

static void test_valid_filler(void)
{
    SqLessonMeta meta;
    g_autoptr(GError) error = NULL;
    g_assert_true(parse(DECL "<filler " NS " tags=\"ident promo\"><title>Балапан</title></filler>",
                        &meta, &error));
    g_assert_no_error(error);
    g_assert_true(sq_lesson_meta_is_filler(&meta));
    g_assert_cmpstr(meta.filler_tags, ==, "ident promo");
    g_assert_cmpstr(meta.title, ==, "Балапан");
    g_assert_null(meta.subject);
    sq_lesson_meta_clear(&meta);
}

typedef struct {
    const char *what;
    const char *text;
    const char *message; /* exact, or a prefix when it ends in '*' */
} BadCase;

static const BadCase bad_cases[] = {
    {"grade out of range",
     DECL "<lesson " NS " subject=\"math\" grade=\"12\" number=\"4\" language=\"kk\"/>",
     "lesson.xml:2: grade 12 is outside 1-11"},
    {"grade zero",
     DECL "\n<lesson " NS " subject=\"math\" grade=\"0\" number=\"4\" language=\"kk\"/>",
     "lesson.xml:3: grade *"},
    {"language", DECL "<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\" language=\"en\"/>",
     "lesson.xml:2: language 'en' is not kk or ru"},
    {"subject with capitals",
     DECL "<lesson " NS " subject=\"Math\" grade=\"5\" number=\"4\" language=\"kk\"/>",
     "lesson.xml:2: subject 'Math' is not an identifier*"},
    {"number missing", DECL "<lesson " NS " subject=\"math\" grade=\"5\" language=\"kk\"/>",
     "lesson.xml:2: lesson number is missing"},
    {"number not a number",
     DECL "<lesson " NS " subject=\"math\" grade=\"5\" number=\"four\" language=\"kk\"/>",
     "lesson.xml:2: number 'four' is not a whole number"},
    {"unknown element",
     DECL "<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\" language=\"kk\">\n"
          "  <title>x</title>\n  <teacher>Айгүл</teacher>\n</lesson>",
     "lesson.xml:4: *"},
    {"wrong namespace", DECL "<lesson subject=\"math\" grade=\"5\" number=\"4\" language=\"kk\"/>",
     "lesson.xml:2: *"},
    {"wrong root", DECL "<video " NS "/>", "lesson.xml:2: *"},
    {"filler with a bad tag", DECL "<filler " NS " tags=\"Ident\"/>",
     "lesson.xml:2: tag 'Ident' is not an identifier*"},
    {"not well-formed", DECL "<lesson " NS " subject=\"math\"\n", "lesson.xml:3: *"},
    {"mismatched tags", DECL "<lesson " NS ">\n<title>x</titel>\n</lesson>", "lesson.xml:3: *"},
    {"empty", "", "lesson.xml*"},
    {"not UTF-8", DECL "<filler " NS " tags=\"ident\"><title>\xC0\xAF</title></filler>",
     "lesson.xml:2: *"},
};

static void assert_message(const char *what, const char *message, const char *expected)
{
    size_t n = strlen(expected);
    bool ok = n && expected[n - 1] == '*'
                  ? strncmp(message, expected, n - 1) == 0 && strchr(message, '\n') == NULL
                  : strcmp(message, expected) == 0;
    if (!ok)
        g_error("%s: message '%s', expected '%s'", what, message, expected);
}

static void test_invalid(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *c = &bad_cases[i];
        SqLessonMeta meta;
        g_autoptr(GError) error = NULL;
        g_assert_false(parse(c->text, &meta, &error));
        g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
        g_test_message("%s: %s", c->what, error->message);
        assert_message(c->what, error->message, c->message);
        /* Nothing is left half-filled. */
        g_assert_null(meta.subject);
        g_assert_null(meta.title);
        g_assert_null(meta.filler_tags);
    }
    /* "teacher" names the element at fault. */
    SqLessonMeta meta;
    g_autoptr(GError) error = NULL;
    g_assert_false(parse(bad_cases[6].text, &meta, &error));
    g_assert_nonnull(strstr(error->message, "teacher"));
}

static void test_doctype_and_entities_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("sabaq-sidecar-XXXXXX", NULL);
    g_autofree char *secret = g_build_filename(dir, "secret.txt", NULL);
    g_assert_true(g_file_set_contents(secret, "top-secret-token", -1, NULL));
    g_autofree char *external = g_strdup_printf(
        DECL "<!DOCTYPE lesson [<!ENTITY x SYSTEM \"file://%s\">]>\n"
             "<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\" language=\"kk\">"
             "<title>&x;</title></lesson>",
        secret);
    g_autofree char *external_dtd = g_strdup_printf(
        DECL "<!DOCTYPE lesson SYSTEM \"file://%s\">\n"
             "<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\" language=\"kk\"/>",
        secret);
    const char *internal =
        DECL "<!DOCTYPE lesson [<!ENTITY t \"Бөлшектер\">]>\n"
             "<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\" language=\"kk\">"
             "<title>&t;</title></lesson>";
    /* A billion laughs: must be refused without expanding anything. */
    GString *laughs = g_string_new(DECL "<!DOCTYPE lesson [\n<!ENTITY l0 \"ha\">\n");
    for (int i = 1; i <= 12; i++)
        g_string_append_printf(
            laughs, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;\">\n", i,
            i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    g_string_append(laughs, "]>\n<lesson " NS " subject=\"math\" grade=\"5\" number=\"4\""
                            " language=\"kk\"><title>&l12;</title></lesson>");
    g_autofree char *laughs_text = g_string_free(laughs, FALSE);

    const char *texts[] = {external, external_dtd, internal, laughs_text};
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        SqLessonMeta meta;
        g_autoptr(GError) error = NULL;
        int64_t started = g_get_monotonic_time();
        g_assert_false(parse(texts[i], &meta, &error));
        g_assert_cmpint(g_get_monotonic_time() - started, <, G_USEC_PER_SEC);
        g_assert_error(error, SQ_ERROR, SQ_ERROR_INVALID);
        g_test_message("%s", error->message);
        /* The DOCTYPE is on line 2 in each. */
        g_assert_true(g_str_has_prefix(error->message, "lesson.xml:"));
        if (i < 3)
            g_assert_cmpstr(error->message, ==,
                            "lesson.xml:2: a DOCTYPE is not allowed in a sidecar");
        g_assert_null(strstr(error->message, "top-secret-token"));
        g_assert_null(meta.title);
    }
    g_remove(secret);
    g_rmdir(dir);
}

static void test_size_limit_and_load(void)
{
    GString *big = g_string_new(DECL "<filler " NS " tags=\"ident\"><title>");
    while (big->len <= 64 * 1024)
        g_string_append(big, "ааааааааааааааааааааааааааааааааааааааааааааааааааааааа");
    g_string_append(big, "</title></filler>");
    SqLessonMeta meta;
    g_autoptr(GError) error = NULL;
    g_assert_false(sq_sidecar_parse(XML_PATH, big->str, big->len, &meta, &error));
    g_assert_cmpstr(error->message, ==, "lesson.xml: larger than 64 KiB");
    g_string_free(big, TRUE);
    g_clear_error(&error);

    g_autofree char *dir = g_dir_make_tmp("sabaq-sidecar-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ident.xml", NULL);
    g_assert_true(g_file_set_contents(
        path, DECL "<filler " NS " tags=\"ident\"><title>Балапан</title></filler>\n", -1, NULL));
    g_assert_true(sq_sidecar_load(path, &meta, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(meta.filler_tags, ==, "ident");
    sq_lesson_meta_clear(&meta);
    g_remove(path);
    g_rmdir(dir);
    g_assert_false(sq_sidecar_load(path, &meta, &error));
    g_assert_error(error, SQ_ERROR, SQ_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "ident.xml"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ingest/sidecar/valid-lesson", test_valid_lesson);
    g_test_add_func("/ingest/sidecar/valid-filler", test_valid_filler);
    g_test_add_func("/ingest/sidecar/invalid", test_invalid);
    g_test_add_func("/ingest/sidecar/doctype-and-entities", test_doctype_and_entities_refused);
    g_test_add_func("/ingest/sidecar/size-limit-and-load", test_size_limit_and_load);
    return g_test_run();
}
