/* libFuzzer target: sidecars arrive in a watch folder from outside.
 * Every input must be accepted as valid metadata or refused with a
 * one-line message, never crash, leak or fetch anything. */
#include "ingest/ingest_private.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SqLessonMeta meta;
    GError *error = NULL;
    if (sq_sidecar_parse("/fuzz/lesson.xml", (const char *)data, size, &meta, &error)) {
        if (error || !sq_lesson_meta_validate(&meta, NULL))
            __builtin_trap();
        sq_lesson_meta_clear(&meta);
    } else if (!error || strchr(error->message, '\n')) {
        fprintf(stderr, "bad refusal: %s\n", error ? error->message : "(no message)");
        __builtin_trap();
    }
    g_clear_error(&error);
    return 0;
}
