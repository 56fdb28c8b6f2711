/* DVB strings and the descriptors made of them (ETSI EN 300 468 §6.2.15,
 * §6.2.37, Annex A). Text is UTF-8 behind the selection byte 0x15: ISO
 * 8859-5 (0x01) has no Ә Ғ Қ Ң Ө Ұ Ү Һ, and receivers that read one
 * Cyrillic language read both the same way. Cuts fall between characters. */
#include "epg_private.h"

#include <bitstream/common.h>
#include <bitstream/dvb/si.h>
#include <bitstream/mpeg/psi.h>
#include <string.h>

#define DVB_UTF8 0x15

/* The longest prefix of text, at most max bytes, ending between characters. */
static size_t utf8_prefix(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len <= max)
        return len;
    size_t k = max;
    /* Back off over continuation bytes (10xxxxxx) to a lead byte. */
    while (k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80)
        k--;
    return k;
}

size_t sq_dvb_text_encode(const char *text, size_t max_bytes, uint8_t *out)
{
    if (epg_empty(text) || max_bytes < 2)
        return 0;
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    size_t n = utf8_prefix(valid, max_bytes - 1);
    if (n == 0)
        return 0;
    out[0] = DVB_UTF8;
    memcpy(out + 1, valid, n);
    return n + 1;
}

/* The encoded size text would take uncut. */
static size_t encoded_size(const char *text)
{
    return epg_empty(text) ? 0 : strlen(text) + 1;
}

size_t epg_dvb_short_event(uint8_t *out, const char *lang3, const char *name, const char *text)
{
    /* 255 = 3 (language) + 1 + name + 1 + text */
    const size_t room = 255 - 3 - 2;
    size_t want_text = encoded_size(text);
    size_t name_max = room - MIN(want_text, room / 3);
    uint8_t name_buf[256], text_buf[256];
    size_t name_len = sq_dvb_text_encode(name, name_max, name_buf);
    size_t text_len = sq_dvb_text_encode(text, room - name_len, text_buf);
    desc4d_init(out);
    desc4d_set_lang(out, (const uint8_t *)lang3);
    desc4d_set_event_name(out, name_buf, (uint8_t)name_len);
    desc4d_set_text(out, text_buf, (uint8_t)text_len);
    desc4d_set_length(out);
    return DESC_HEADER_SIZE + desc_get_length(out);
}

size_t epg_dvb_extended_events(uint8_t *out, const char *lang3, const char *text,
                               unsigned max_descs)
{
    if (epg_empty(text) || max_descs == 0)
        return 0;
    /* 255 = 1 (numbers) + 3 (language) + 1 (no items) + 1 + text */
    const size_t room = 255 - 6;
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    const char *chunks[16];
    size_t sizes[16];
    unsigned n = 0;
    const char *p = valid;
    while (*p && n < MIN(max_descs, 16u)) {
        size_t k = utf8_prefix(p, room - 1);
        if (k == 0)
            break;
        chunks[n] = p;
        sizes[n++] = k;
        p += k;
    }
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *d = out + total;
        uint8_t buf[256];
        buf[0] = DVB_UTF8;
        memcpy(buf + 1, chunks[i], sizes[i]);
        desc4e_init(d);
        desc4e_set_desc_number(d, (uint8_t)i);
        desc4e_set_last_desc_number(d, (uint8_t)(n - 1));
        desc4e_set_lang(d, (const uint8_t *)lang3);
        desc4e_set_items_length(d, 0);
        desc4e_set_text(d, buf, (uint8_t)(sizes[i] + 1));
        desc4e_set_length(d);
        total += DESC_HEADER_SIZE + desc_get_length(d);
    }
    return total;
}

static uint8_t bcd(int v)
{
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int64_t floor_seconds(int64_t us)
{
    return us >= 0 ? us / SQ_SECOND_US : -((-us + SQ_SECOND_US - 1) / SQ_SECOND_US);
}

uint64_t epg_dvb_utc_time(int64_t instant_us)
{
    int64_t s = floor_seconds(instant_us);
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t sod = s - days * 86400;
    /* MJD 40587 is 1970-01-01 (EN 300 468 Annex C). */
    uint64_t mjd = (uint64_t)(40587 + days) & 0xFFFF;
    uint32_t hms = ((uint32_t)bcd((int)(sod / 3600)) << 16) |
                   ((uint32_t)bcd((int)(sod / 60 % 60)) << 8) | bcd((int)(sod % 60));
    return (mjd << 24) | hms;
}

uint32_t epg_dvb_bcd_duration(int64_t start_us, int64_t end_us)
{
    /* Whole seconds from the start's second to the end's, so that each
     * event's start plus duration is the next one's start. */
    int64_t s = floor_seconds(end_us) - floor_seconds(start_us);
    if (s < 0)
        s = 0;
    if (s > 99 * 3600 + 59 * 60 + 59)
        s = 99 * 3600 + 59 * 60 + 59;
    return ((uint32_t)bcd((int)(s / 3600)) << 16) | ((uint32_t)bcd((int)(s / 60 % 60)) << 8) |
           bcd((int)(s % 60));
}

GBytes *epg_section_bytes(const uint8_t *section)
{
    return g_bytes_new(section, psi_get_length(section) + PSI_HEADER_SIZE);
}
