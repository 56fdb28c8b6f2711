/* GET /api/v1/assets (planners, operators): every asset of the catalog,
 * whatever its status, in the documented `sabaq assets --json` form
 * (loudness, QC findings, status and reason), filtered by kind, status,
 * grade, subject, language and a text. Students see only approved lessons
 * (/api/v1/lessons); staff need the rest to find what to approve, what
 * was refused and which asset id to put in a plan edit. */
#include "ingest/ingest.h"
#include "web_private.h"

#include <string.h>

static const char *query_get(GHashTable *query, const char *key)
{
    const char *v = query ? g_hash_table_lookup(query, key) : NULL;
    return v && *v ? v : NULL;
}

/* Case-folded substring, so "бөл" finds "Бөлшектер". */
static bool contains_folded(const char *haystack, const char *folded_needle)
{
    if (!haystack)
        return false;
    g_autofree char *folded = g_utf8_casefold(haystack, -1);
    return strstr(folded, folded_needle) != NULL;
}

void web_assets_get(SqWebServer *s, SoupServerMessage *msg, const WebCall *call)
{
    GHashTable *query = call->query;
    const char *route = "/api/v1/assets";
    const char *kind = query_get(query, "kind"), *status = query_get(query, "status");
    const char *grade_text = query_get(query, "grade"), *subject = query_get(query, "subject");
    const char *language = query_get(query, "language"), *text = query_get(query, "q");
    static const char *const kinds[] = {"lesson", "filler", "slate", NULL};
    static const char *const statuses[] = {"ready", "approved", "rejected", "withdrawn", NULL};
    char *end = NULL;
    gint64 grade = grade_text ? g_ascii_strtoll(grade_text, &end, 10) : 0;
    if ((grade_text && (*end || grade < 1 || grade > 11)) ||
        (language && !sq_language_is_valid(language)) || (kind && !g_strv_contains(kinds, kind)) ||
        (status && !g_strv_contains(statuses, status))) {
        web_count(s, route, 400);
        web_send_error(msg, 400,
                       "grade is 1 to 11, language kk or ru, kind lesson, filler or slate, status "
                       "ready, approved, rejected or withdrawn");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all = sq_assets_list(s->cat, &error);
    if (!all) {
        web_count(s, route, 500);
        web_send_error(msg, 500, "%s", error->message);
        return;
    }
    g_autofree char *needle = text ? g_utf8_casefold(text, -1) : NULL;
    /* Borrowed pointers: `all` keeps the assets. */
    g_autoptr(GPtrArray) found = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++) {
        const SqAsset *a = all->pdata[i];
        if ((kind && g_strcmp0(a->kind, kind) != 0) ||
            (status && g_strcmp0(a->status, status) != 0) || (grade && a->grade != grade) ||
            (subject && g_strcmp0(a->subject, subject) != 0) ||
            (language && g_strcmp0(a->language, language) != 0))
            continue;
        if (needle && !contains_folded(a->title, needle) &&
            !contains_folded(a->source_name, needle) && !contains_folded(a->tags, needle))
            continue;
        g_ptr_array_add(found, all->pdata[i]);
    }
    g_autoptr(JsonNode) node = sq_assets_to_json(found);
    web_count(s, route, 200);
    web_send_json(msg, 200, node);
}
