/* Sidecars: a small XML file beside a media file in a watch folder,
 * validated by data/lesson.rng (compiled into the binary). No network, no
 * DTD, no entities: a sidecar comes from outside. */
#include "ingest_private.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <string.h>

#define SIDECAR_NS     "urn:sabaq:lesson:1"
#define SIDECAR_SCHEMA "/org/sabaq/lesson.rng"
#define MAX_SIDECAR    (64 * 1024)

typedef struct {
    const char *name;
    GError **error;
} ErrorSink;

/* Keeps the first structured error as "file:line: message". */
static void keep_first_error_cb(void *data, xmlErrorPtr e)
{
    ErrorSink *sink = data;
    if (!sink->error || *sink->error || !e)
        return;
    g_autofree char *msg = g_strstrip(g_strdup(e->message ? e->message : "invalid"));
    g_set_error(sink->error, SQ_ERROR, SQ_ERROR_INVALID, "%s:%d: %s", sink->name, e->line, msg);
}

static xmlRelaxNGPtr load_schema(void)
{
    static xmlRelaxNGPtr schema;
    static gsize done;
    if (g_once_init_enter(&done)) {
        g_autoptr(GBytes) bytes =
            g_resources_lookup_data(SIDECAR_SCHEMA, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
        gsize size = 0;
        const char *data = bytes ? g_bytes_get_data(bytes, &size) : NULL;
        xmlRelaxNGParserCtxtPtr pctx = data ? xmlRelaxNGNewMemParserCtxt(data, (int)size) : NULL;
        schema = pctx ? xmlRelaxNGParse(pctx) : NULL;
        xmlRelaxNGFreeParserCtxt(pctx);
        g_once_init_leave(&done, 1);
    }
    return schema;
}

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
    ErrorSink sink = {name, error};
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    xmlSetStructuredErrorFunc(&sink, keep_first_error_cb);
    /* No XML_PARSE_NOENT, no DTD loading: entities stay unexpanded and
     * nothing is fetched. */
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, text, (int)length, name, "UTF-8",
                                      XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    bool ok = false;
    if (!doc) {
        if (!*error)
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: not well-formed XML", name);
        goto out;
    }
    if (doc->intSubset || doc->extSubset) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "%s:%d: a DOCTYPE is not allowed in a sidecar", name,
                    doc->intSubset ? (int)xmlGetLineNo((xmlNodePtr)doc->intSubset) : 1);
        goto out;
    }
    xmlRelaxNGPtr schema = load_schema();
    if (!schema) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "the sidecar schema did not load");
        goto out;
    }
    xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctx, keep_first_error_cb, &sink);
    int rc = xmlRelaxNGValidateDoc(vctx, doc);
    xmlRelaxNGFreeValidCtxt(vctx);
    if (rc != 0) {
        if (!*error)
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: does not match the schema", name);
        goto out;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (strcmp((const char *)root->name, "filler") == 0) {
        meta->filler_tags = prop(root, "tags");
        meta->title = child_text(root, "title");
    } else {
        meta->subject = prop(root, "subject");
        meta->language = prop(root, "language");
        g_autofree char *grade = prop(root, "grade");
        g_autofree char *number = prop(root, "number");
        meta->grade = (int)g_ascii_strtoll(grade, NULL, 10);
        meta->number = (int)g_ascii_strtoll(number, NULL, 10);
        meta->title = child_text(root, "title");
        meta->description = child_text(root, "description");
    }
    ok = sq_lesson_meta_validate(meta, error);
    if (!ok)
        g_prefix_error(error, "%s: ", name);
out:
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctx);
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
