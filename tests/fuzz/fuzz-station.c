/* libFuzzer target: station files come from planners' editors and other
 * tools. Every input must be parsed into a station or refused with a
 * one-line message naming the file and line, never crash, leak or fetch
 * anything. */
#include "core/station_private.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    SqStation *st = sq_station_parse("/fuzz/station.xml", (const char *)data, size, &error);
    if (st) {
        if (error || st->channels->len == 0)
            __builtin_trap();
        sq_station_free(st);
    } else if (!error || strchr(error->message, '\n') ||
               !g_str_has_prefix(error->message, "station.xml:")) {
        fprintf(stderr, "bad refusal: %s\n", error ? error->message : "(no message)");
        __builtin_trap();
    }
    g_clear_error(&error);
    return 0;
}
