/* What the epg files share and nobody else sees. */
#pragma once

#include "epg.h"

/* The zone of a channel of this guide (borrowed), from its IANA name. */
GTimeZone *epg_channel_tz(const SqEpgGuide *guide, const SqEpgChannel *channel);

/* The XMLTV/DVB language codes of a sabaq language. */
const char *epg_dvb_language(const char *language);   /* "kaz", "rus" */
const char *epg_other_language(const char *language); /* "kk" <-> "ru" */

/* Is s NULL or ""? */
static inline bool epg_empty(const char *s)
{
    return !s || !*s;
}

/* The name of a break in a language ("Үзіліс", "Перерыв"). */
const char *epg_break_title(const char *language);

/* The channel's name in language, else the other one. */
const char *epg_channel_name(const SqEpgChannel *channel, const char *language);

/* Index of the programme containing at_us, else of the first starting after
 * it (n when none); *contains says which. */
size_t epg_programme_at(const SqEpgProgramme *const *list, size_t n, int64_t at_us, bool *contains);

/* ---- DVB building blocks (dvb_text.c) ---- */

/* A short event descriptor 0x4D (lang3: "kaz"/"rus") with name and text as
 * UTF-8 DVB strings, both cut to fit 255 bytes (the name keeps priority).
 * Returns its size (tag and length included). out holds 257 bytes. */
size_t epg_dvb_short_event(uint8_t *out, const char *lang3, const char *name, const char *text);

/* Extended event descriptors 0x4E carrying text (numbered 0..last, at most
 * max_descs, text cut at a character boundary beyond that). Returns the
 * bytes written; out holds max_descs * 257 bytes. */
size_t epg_dvb_extended_events(uint8_t *out, const char *lang3, const char *text,
                               unsigned max_descs);

/* The 40-bit UTC start_time field (MJD + BCD hh:mm:ss) of an instant, and
 * the 24-bit BCD duration from start to end in whole seconds of each
 * (hours capped at 99). Integer arithmetic only. */
uint64_t epg_dvb_utc_time(int64_t instant_us);
uint32_t epg_dvb_bcd_duration(int64_t start_us, int64_t end_us);

/* A section's bytes as GBytes (copies the section_length + 3 bytes). */
GBytes *epg_section_bytes(const uint8_t *section);
