/* Manifest CSVs: a batch of lessons, one row each. RFC 4180 quoting
 * (commas, quotes and line breaks inside quoted fields), an optional UTF-8
 * byte-order mark, CRLF or LF. Columns are found by their header names. */
#include "ingest_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_FILE,
    COL_SUBJECT,
    COL_GRADE,
    COL_NUMBER,
    COL_LANGUAGE,
    COL_TITLE,
    COL_DESCRIPTION,
    COL_TAGS,
    COL_COUNT
};

static const char *const column_names[COL_COUNT] = {
    "file", "subject", "grade", "number", "language", "title", "description", "tags",
};

void sq_manifest_entry_free(SqManifestEntry *entry)
{
    if (!entry)
        return;
    g_free(entry->file);
    sq_lesson_meta_clear(&entry->meta);
    g_free(entry);
}

/* Splits the next record off text at *pos: fields into a GPtrArray of
 * strings. Returns NULL at the end; sets *bad when a quote is unclosed. */
static GPtrArray *next_record(const char *text, gsize length, gsize *pos, int *line, bool *bad)
{
    if (*pos >= length)
        return NULL;
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *field = g_string_new(NULL);
    bool quoted = false, was_quoted = false;
    while (*pos < length) {
        char c = text[(*pos)++];
        if (quoted) {
            if (c == '"' && *pos < length && text[*pos] == '"') {
                g_string_append_c(field, '"');
                (*pos)++;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n')
                    (*line)++;
                g_string_append_c(field, c);
            }
        } else if (c == '"' && field->len == 0 && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            g_ptr_array_add(fields, g_string_free(field, FALSE));
            field = g_string_new(NULL);
            was_quoted = false;
        } else if (c == '\r' && *pos < length && text[*pos] == '\n') {
            continue;
        } else if (c == '\n') {
            (*line)++;
            break;
        } else {
            g_string_append_c(field, c);
        }
    }
    if (quoted)
        *bad = true;
    g_ptr_array_add(fields, g_string_free(field, FALSE));
    return fields;
}

static bool is_blank_record(const GPtrArray *fields)
{
    for (guint i = 0; i < fields->len; i++)
        if (*g_strstrip((char *)fields->pdata[i]))
            return false;
    return true;
}

static bool parse_int_field(const char *text, const char *name, int *out, GError **error)
{
    if (!*text) {
        *out = SQ_META_ABSENT; /* validation names it */
        return true;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*end || errno || v < -100000 || v > 100000) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s '%s' is not a whole number", name, text);
        return false;
    }
    *out = (int)v;
    return true;
}

static char *field_or_null(GPtrArray *fields, const int *index, int col)
{
    if (index[col] < 0 || index[col] >= (int)fields->len)
        return NULL;
    const char *v = fields->pdata[index[col]];
    return *v ? g_strdup(v) : NULL;
}

static SqManifestEntry *entry_from_record(GPtrArray *fields, const int *index, const char *base_dir,
                                          int line, GError **error)
{
    g_autoptr(GError) local = NULL;
    SqManifestEntry *e = g_new0(SqManifestEntry, 1);
    e->line = line;
    g_autofree char *file = field_or_null(fields, index, COL_FILE);
    e->meta.subject = field_or_null(fields, index, COL_SUBJECT);
    e->meta.language = field_or_null(fields, index, COL_LANGUAGE);
    e->meta.title = field_or_null(fields, index, COL_TITLE);
    e->meta.description = field_or_null(fields, index, COL_DESCRIPTION);
    e->meta.filler_tags = field_or_null(fields, index, COL_TAGS);
    g_autofree char *grade = field_or_null(fields, index, COL_GRADE);
    g_autofree char *number = field_or_null(fields, index, COL_NUMBER);
    if (!file) {
        g_set_error(&local, SQ_ERROR, SQ_ERROR_INVALID, "file is missing");
    } else if (parse_int_field(grade ? grade : "", "grade", &e->meta.grade, &local) &&
               parse_int_field(number ? number : "", "number", &e->meta.number, &local)) {
        sq_lesson_meta_validate(&e->meta, &local);
    }
    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        sq_manifest_entry_free(e);
        return NULL;
    }
    e->file = g_path_is_absolute(file) ? g_strdup(file) : g_build_filename(base_dir, file, NULL);
    return e;
}

GPtrArray *sq_manifest_parse(const char *csv_path, const char *text, gsize length,
                             GPtrArray **row_errors, GError **error)
{
    g_autofree char *name = g_path_get_basename(csv_path);
    g_autofree char *base_dir = g_path_get_dirname(csv_path);
    *row_errors = g_ptr_array_new_with_free_func(g_free);
    if (!g_utf8_validate_len(text, length, NULL)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: not UTF-8 text", name);
        return NULL;
    }
    gsize pos = 0;
    if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    int line = 1;
    bool bad = false;
    g_autoptr(GPtrArray) header = next_record(text, length, &pos, &line, &bad);
    if (!header || bad) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:1: no header row", name);
        return NULL;
    }
    int index[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++)
        index[c] = -1;
    for (guint i = 0; i < header->len; i++) {
        char *h = g_ascii_strdown(g_strstrip((char *)header->pdata[i]), -1);
        int c = 0;
        while (c < COL_COUNT && strcmp(column_names[c], h) != 0)
            c++;
        if (c == COL_COUNT) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:1: unknown column '%s'", name, h);
            g_free(h);
            return NULL;
        }
        g_free(h);
        if (index[c] >= 0) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:1: column '%s' appears twice", name,
                        column_names[c]);
            return NULL;
        }
        index[c] = (int)i;
    }
    if (index[COL_FILE] < 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:1: the header has no 'file' column",
                    name);
        return NULL;
    }

    GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)sq_manifest_entry_free);
    for (;;) {
        int record_line = line;
        bad = false;
        g_autoptr(GPtrArray) fields = next_record(text, length, &pos, &line, &bad);
        if (!fields)
            break;
        if (bad) {
            g_ptr_array_add(*row_errors, g_strdup_printf("%s:%d: a quoted field is not closed",
                                                         name, record_line));
            break;
        }
        if (is_blank_record(fields))
            continue;
        if (fields->len != header->len) {
            g_ptr_array_add(*row_errors,
                            g_strdup_printf("%s:%d: %u fields, the header has %u", name,
                                            record_line, fields->len, header->len));
            continue;
        }
        g_autoptr(GError) row_error = NULL;
        SqManifestEntry *e = entry_from_record(fields, index, base_dir, record_line, &row_error);
        if (e)
            g_ptr_array_add(entries, e);
        else
            g_ptr_array_add(*row_errors,
                            g_strdup_printf("%s:%d: %s", name, record_line, row_error->message));
    }
    return entries;
}

GPtrArray *sq_manifest_load(const char *csv_path, GPtrArray **row_errors, GError **error)
{
    g_autofree char *text = NULL;
    gsize length = 0;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(csv_path, &text, &length, &local)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s", local->message);
        return NULL;
    }
    return sq_manifest_parse(csv_path, text, length, row_errors, error);
}
