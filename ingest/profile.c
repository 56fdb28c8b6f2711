/* House-format profiles: frame size and rate control. Every profile is
 * 25 fps progressive H.264 High with 50-frame closed GOPs and no B-frames,
 * and AAC-LC 48 kHz stereo; only size and bitrates differ. */
#include "ingest.h"

#include <string.h>

static const SqProfile profiles[] = {
    {"hd1080", "1920x1080, video peak 8 Mbit/s (broadcast)", 1920, 1080, "fast", 20, 8000, 8000,
     192},
    {"hd720", "1280x720, video peak 4 Mbit/s", 1280, 720, "fast", 21, 4000, 4000, 160},
    {"sd576", "1024x576, video peak 2 Mbit/s", 1024, 576, "fast", 22, 2000, 2000, 128},
    {"test", "320x180, video peak 400 kbit/s (tests and demos)", 320, 180, "veryfast", 23, 400, 400,
     96},
};

const SqProfile *sq_profile_lookup(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(profiles); i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

const SqProfile *sq_profile_default(void)
{
    const SqProfile *p = sq_profile_lookup(g_getenv("SABAQ_PROFILE"));
    return p ? p : &profiles[0];
}

char *sq_profile_names(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", profiles[i].name);
    return g_string_free(s, FALSE);
}
