/* libFuzzer target: manifest CSVs come from studios and teachers. Every
 * input must parse or fail with a message, never crash or leak. */
#include "ingest/ingest_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GPtrArray *row_errors = NULL;
    GError *error = NULL;
    GPtrArray *entries =
        sq_manifest_parse("/fuzz/lessons.csv", (const char *)data, size, &row_errors, &error);
    if (entries) {
        for (guint i = 0; i < entries->len; i++) {
            const SqManifestEntry *e = entries->pdata[i];
            /* What the parser accepts is valid metadata with a file. */
            if (!e->file || !sq_lesson_meta_validate(&e->meta, NULL))
                __builtin_trap();
        }
        g_ptr_array_unref(entries);
    } else if (!error) {
        __builtin_trap();
    }
    g_clear_error(&error);
    if (row_errors)
        g_ptr_array_unref(row_errors);
    return 0;
}
