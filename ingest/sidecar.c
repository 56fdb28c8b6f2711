/* Sidecars: a small XML file beside a media file in a watch folder,
 * validated by data/lesson.rng (compiled into the binary). No network, no
 * DTD, no entities: a sidecar comes from outside. */
#include "ingest_private.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define SIDECAR_NS     "urn:sabaq:lesson:1"
#define SIDECAR_SCHEMA "/org/sabaq/lesson.rng"
#define MAX_SIDECAR    (64 * 1024)

static char *prop(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    char *s = v ? g_strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static char *child_text(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) {
            xmlChar *v = xmlNodeGetContent(c);
            char *s = g_strstrip(g_strdup(v ? (const char *)v : ""));
            xmlFree(v);
            if (!*s) {
                g_free(s);
                return NULL;
            }
            return s;
        }
    }
    return NULL;
}

/* The metadata the root element carries, whether or not it is valid. */
static void read_meta(xmlNodePtr root, SqLessonMeta *meta)
{
    if (strcmp((const char *)root->name, "filler") == 0) {
        meta->filler_tags = prop(root, "tags");
        meta->title = child_text(root, "title");
        return;
    }
    meta->subject = prop(root, "subject");
    meta->language = prop(root, "language");
    g_autofree char *grade = prop(root, "grade");
    g_autofree char *number = prop(root, "number");
    meta->grade = grade ? (int)g_ascii_strtoll(grade, NULL, 10) : SQ_META_ABSENT;
    meta->number = number ? (int)g_ascii_strtoll(number, NULL, 10) : SQ_META_ABSENT;
    meta->title = child_text(root, "title");
    meta->description = child_text(root, "description");
}

/* RelaxNG says only "failed to validate attributes"; the metadata check
 * names the field and the value, so its message replaces that one. */
static void explain_invalid(const char *name, xmlNodePtr root, GError **error)
{
    if (!root || (strcmp((const char *)root->name, "lesson") != 0 &&
                  strcmp((const char *)root->name, "filler") != 0))
        return;
    SqLessonMeta meta = {0};
    g_autoptr(GError) detail = NULL;
    static const char *const numbers[] = {"grade", "number"};
    for (size_t i = 0; i < G_N_ELEMENTS(numbers) && !detail; i++) {
        g_autofree char *v = prop(root, numbers[i]);
        gint64 n;
        if (v && !g_ascii_string_to_signed(v, 10, G_MININT, G_MAXINT, &n, NULL))
            g_set_error(&detail, SQ_ERROR, SQ_ERROR_INVALID, "%s '%s' is not a whole number",
                        numbers[i], v);
    }
    read_meta(root, &meta);
    if (detail || !sq_lesson_meta_validate(&meta, &detail)) {
        g_clear_error(error);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:%ld: %s", name, xmlGetLineNo(root),
                    detail->message);
    }
    sq_lesson_meta_clear(&meta);
}

/* The line where needle first appears in text (libxml2 keeps none for a
 * DTD node), or 1. */
bool sq_sidecar_parse(const char *xml_path, const char *text, gsize length, SqLessonMeta *meta,
                      GError **error)
{
    g_autofree char *name = g_path_get_basename(xml_path);
    memset(meta, 0, sizeof(*meta));
    if (length > MAX_SIDECAR) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: larger than %d KiB", name,
                    MAX_SIDECAR / 1024);
        return false;
    }
    bool valid = false;
    xmlDocPtr doc =
        sq_xml_read_validated(name, "sidecar", text, length, SIDECAR_SCHEMA, &valid, error);
    bool ok = false;
    if (!doc)
        goto out;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!valid) {
        explain_invalid(name, root, error);
        goto out;
    }
    read_meta(root, meta);
    ok = sq_lesson_meta_validate(meta, error);
    if (!ok)
        g_prefix_error(error, "%s: ", name);
out:
    if (doc)
        xmlFreeDoc(doc);
    if (!ok)
        sq_lesson_meta_clear(meta);
    return ok;
}

bool sq_sidecar_load(const char *xml_path, SqLessonMeta *meta, GError **error)
{
    g_autofree char *text = NULL;
    gsize length = 0;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(xml_path, &text, &length, &local)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s", local->message);
        return false;
    }
    return sq_sidecar_parse(xml_path, text, length, meta, error);
}
