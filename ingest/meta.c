/* Lesson and filler metadata: copying and validation. The messages name
 * the field, since they reach people who typed a CSV or a command line. */
#include "ingest.h"

#include <string.h>

void sq_lesson_meta_clear(SqLessonMeta *meta)
{
    g_clear_pointer(&meta->subject, g_free);
    g_clear_pointer(&meta->language, g_free);
    g_clear_pointer(&meta->title, g_free);
    g_clear_pointer(&meta->description, g_free);
    g_clear_pointer(&meta->filler_tags, g_free);
    meta->grade = meta->number = SQ_META_ABSENT;
}

void sq_lesson_meta_copy(SqLessonMeta *dest, const SqLessonMeta *src)
{
    dest->subject = g_strdup(src->subject);
    dest->grade = src->grade;
    dest->number = src->number;
    dest->language = g_strdup(src->language);
    dest->title = g_strdup(src->title);
    dest->description = g_strdup(src->description);
    dest->filler_tags = g_strdup(src->filler_tags);
}

bool sq_lesson_meta_is_filler(const SqLessonMeta *meta)
{
    return meta->filler_tags != NULL;
}

static bool validate_tags(const char *tags, GError **error)
{
    g_auto(GStrv) parts = g_strsplit_set(tags, " ,", -1);
    int count = 0;
    for (char **p = parts; *p; p++) {
        if (!**p)
            continue;
        if (!sq_identifier_is_valid(*p)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "tag '%s' is not an identifier (lowercase letters, digits, hyphens)", *p);
            return false;
        }
        count++;
    }
    if (count == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "a filler needs at least one tag");
        return false;
    }
    return true;
}

bool sq_lesson_meta_validate(const SqLessonMeta *meta, GError **error)
{
    if (sq_lesson_meta_is_filler(meta))
        return validate_tags(meta->filler_tags, error);
    if (!meta->subject || !*meta->subject) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "subject is missing");
        return false;
    }
    if (!sq_identifier_is_valid(meta->subject)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "subject '%s' is not an identifier (lowercase letters, digits, hyphens)",
                    meta->subject);
        return false;
    }
    if (meta->grade == SQ_META_ABSENT) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "grade is missing");
        return false;
    }
    if (meta->grade < 1 || meta->grade > 11) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "grade %d is outside 1-11", meta->grade);
        return false;
    }
    if (meta->number == SQ_META_ABSENT) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "lesson number is missing");
        return false;
    }
    if (meta->number < 1 || meta->number > 9999) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "lesson number %d is outside 1-9999",
                    meta->number);
        return false;
    }
    if (!meta->language || !*meta->language) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "language is missing (kk or ru)");
        return false;
    }
    if (!sq_language_is_valid(meta->language)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "language '%s' is not kk or ru",
                    meta->language);
        return false;
    }
    if (meta->title && !g_utf8_validate(meta->title, -1, NULL)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "title is not UTF-8");
        return false;
    }
    if (meta->description && !g_utf8_validate(meta->description, -1, NULL)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "description is not UTF-8");
        return false;
    }
    return true;
}
