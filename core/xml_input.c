/* XML that comes from outside (station files, sidecars): read with no
 * network, no DTD and no entity expansion, a DOCTYPE refused, validated by
 * a RelaxNG schema compiled into the binary, every error one line naming
 * the file and line. */
#include "core.h"

#include "sabaq-resources.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

typedef struct {
    const char *file;
    GError **error;
} ErrorSink;

/* Keeps the first structured error as "file:line: message". */
static void keep_first_error(void *data, xmlErrorPtr e)
{
    ErrorSink *sink = data;
    /* Warnings (a reserved "<?xml-foo" PI name, ...) do not refuse. */
    if (!sink->error || *sink->error || !e || e->level < XML_ERR_ERROR)
        return;
    g_autofree char *msg = g_strstrip(g_strdup(e->message ? e->message : "invalid"));
    /* Some libxml2 messages run over two lines ("...\nBytes: 0xC0"); a
     * reason is one line. */
    g_strdelimit(msg, "\r\n", ' ');
    g_set_error(sink->error, SQ_ERROR, SQ_ERROR_INVALID, "%s:%d: %s", sink->file, e->line, msg);
}

/* Schemas are parsed once per process and kept. */
static xmlRelaxNGPtr load_schema(const char *resource)
{
    static GMutex lock;
    static GHashTable *schemas; /* resource path -> xmlRelaxNGPtr */
    g_mutex_lock(&lock);
    if (!schemas)
        schemas = g_hash_table_new(g_str_hash, g_str_equal);
    xmlRelaxNGPtr schema = g_hash_table_lookup(schemas, resource);
    if (!schema) {
        /* Asking the resource by name keeps its object file in the link:
         * from a static library, one only registered by a constructor is
         * dropped, and the global lookup then finds nothing. */
        g_autoptr(GBytes) bytes = g_resource_lookup_data(sq_data_get_resource(), resource,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
        gsize size = 0;
        const char *data = bytes ? g_bytes_get_data(bytes, &size) : NULL;
        xmlRelaxNGParserCtxtPtr pctx = data ? xmlRelaxNGNewMemParserCtxt(data, (int)size) : NULL;
        schema = pctx ? xmlRelaxNGParse(pctx) : NULL;
        xmlRelaxNGFreeParserCtxt(pctx);
        if (schema)
            g_hash_table_insert(schemas, g_strdup(resource), schema);
    }
    g_mutex_unlock(&lock);
    return schema;
}

struct _xmlDoc *sq_xml_read_validated(const char *file, const char *what, const char *text,
                                      gsize length, const char *schema_resource, bool *valid,
                                      GError **error)
{
    *valid = false;
    ErrorSink sink = {file, error};
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    xmlSetStructuredErrorFunc(&sink, keep_first_error);
    /* No XML_PARSE_NOENT, no DTD loading: entities stay unexpanded and
     * nothing is fetched. (No XML_PARSE_NOBLANKS either: it shifts the
     * line numbers libxml2 gives elements, which messages quote.) */
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, text, (int)length, file, "UTF-8", XML_PARSE_NONET);
    if (!doc) {
        if (!*error)
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: not well-formed XML", file);
    } else if (doc->intSubset || doc->extSubset) {
        /* libxml2 gives the DTD node no line; find it in the text. */
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:%d: a DOCTYPE is not allowed in a %s",
                    file, sq_text_line_of(text, length, "<!DOCTYPE"), what);
        g_clear_pointer(&doc, xmlFreeDoc);
    } else {
        xmlRelaxNGPtr schema = load_schema(schema_resource);
        if (!schema) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "the %s schema did not load", what);
            g_clear_pointer(&doc, xmlFreeDoc);
        } else {
            xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(schema);
            xmlRelaxNGSetValidStructuredErrors(vctx, keep_first_error, &sink);
            *valid = xmlRelaxNGValidateDoc(vctx, doc) == 0;
            xmlRelaxNGFreeValidCtxt(vctx);
            if (!*valid && !*error)
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: does not match the schema",
                            file);
        }
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlFreeParserCtxt(ctx);
    return doc;
}
