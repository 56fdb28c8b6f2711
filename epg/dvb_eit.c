/* The EIT actual of one service (ETSI EN 300 468 §5.2.4, TS 101 211
 * §4.1.4): present/following (table 0x4E) and the schedule (0x50...) in
 * 3-hour segments from midnight UTC. Each event carries a short event
 * descriptor per language (kaz, rus: title and the "grade · subject ·
 * lesson" line), extended event descriptors with the description, and a
 * content descriptor (0x90, education) for lessons. */
#include "epg_private.h"

#include <bitstream/common.h>
#include <bitstream/dvb/si.h>
#include <bitstream/mpeg/psi.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US               (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)
#define SEGMENT_US           (G_GINT64_CONSTANT(3) * 3600 * SQ_SECOND_US)
#define SEGMENTS_PER_TABLE   32
#define SECTIONS_PER_SEGMENT 8
/* EIT sections may be 4096 bytes (EN 300 468 §5.1.1). */
#define EIT_SECTION_MAX 4096
#define EVENTS_MAX      (EIT_SECTION_MAX - EIT_HEADER_SIZE - PSI_CRC_SIZE)
/* Two extended descriptors per language: ~490 bytes of description, so a
 * whole event stays well inside one section. */
#define EXTENDED_MAX 2
#define EVENT_BUF    (EIT_EVENT_SIZE + 2 * 257 + 2 * EXTENDED_MAX * 257 + 4)

enum { RUNNING_UNDEFINED = 0, RUNNING_NOT_RUNNING = 1, RUNNING_RUNNING = 4 };

static const char *pick(const char *language, const char *kk, const char *ru)
{
    return g_strcmp0(language, "ru") == 0 ? ru : kk;
}

/* One event of the event loop; returns its size (≤ EVENT_BUF). */
static size_t build_event(uint8_t *ev, const SqEpgGuide *guide, const SqEpgChannel *ch,
                          const SqEpgProgramme *p, uint8_t running)
{
    memset(ev, 0, EIT_EVENT_SIZE);
    eitn_init(ev);
    eitn_set_event_id(ev, sq_epg_event_id(guide, p));
    eitn_set_start_time(ev, epg_dvb_utc_time(p->start_us));
    eitn_set_duration_bcd(ev, epg_dvb_bcd_duration(p->start_us, p->end_us));
    eitn_set_running(ev, running);
    /* eitn_get_descs points at the 12-bit loop length (sharing its byte
     * with running_status and free_CA_mode, which descs_set_length keeps). */
    uint8_t *descs = eitn_get_descs(ev);
    uint8_t *d = ev + EIT_EVENT_SIZE;
    const char *langs[2] = {ch->language, epg_other_language(ch->language)};
    for (int i = 0; i < 2; i++) {
        const char *title = p->kind == SQ_EPG_KIND_BREAK ? epg_break_title(langs[i])
                                                         : pick(langs[i], p->title_kk, p->title_ru);
        if (epg_empty(title))
            continue;
        g_autofree char *sub = sq_epg_programme_subtitle(p, langs[i]);
        d += epg_dvb_short_event(d, epg_dvb_language(langs[i]), title, sub);
    }
    for (int i = 0; i < 2; i++)
        d += epg_dvb_extended_events(d, epg_dvb_language(langs[i]),
                                     pick(langs[i], p->desc_kk, p->desc_ru), EXTENDED_MAX);
    if (p->kind != SQ_EPG_KIND_BREAK) {
        desc54_init(d);
        desc_set_length(d, 2);
        uint8_t *content = desc54_get_content(d, 0);
        desc54n_set_content_l1(content, 0x9); /* education, science, factual topics */
        desc54n_set_content_l2(content, 0x0); /* general */
        desc54n_set_user(content, 0);
        d += DESC_HEADER_SIZE + 2;
    }
    descs_set_length(descs, (uint16_t)(d - ev - EIT_EVENT_SIZE));
    return (size_t)(d - ev);
}

typedef struct {
    uint8_t table_id, version, section, last_section, segment_last, last_table_id;
    uint16_t service_id;
} Header;

static GBytes *finish_section(const SqEpgSiNetwork *net, const Header *h, const uint8_t *events,
                              size_t events_len)
{
    uint8_t *eit = psi_private_allocate();
    memset(eit, 0, PSI_PRIVATE_MAX_SIZE + PSI_HEADER_SIZE);
    eit_init(eit, true);
    psi_set_tableid(eit, h->table_id); /* eit_init knows only p/f */
    psi_set_version(eit, h->version & 0x1f);
    psi_set_current(eit);
    eit_set_sid(eit, h->service_id);
    psi_set_section(eit, h->section);
    psi_set_lastsection(eit, h->last_section);
    eit_set_tsid(eit, net->transport_stream_id);
    eit_set_onid(eit, net->original_network_id);
    eit_set_segment_last_sec_number(eit, h->segment_last);
    eit_set_last_table_id(eit, h->last_table_id);
    if (events_len)
        memcpy(eit + EIT_HEADER_SIZE, events, events_len);
    eit_set_length(eit, (uint16_t)events_len);
    psi_set_crc(eit);
    GBytes *bytes = epg_section_bytes(eit);
    free(eit);
    return bytes;
}

static const SqEpgChannel *channel_for_eit(const SqEpgGuide *guide, const char *channel_id,
                                           GError **error)
{
    const SqEpgChannel *ch = sq_epg_guide_channel(guide, channel_id);
    if (!ch)
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel '%s' for the EIT",
                    channel_id ? channel_id : "");
    else if (ch->service_id == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s' has no DVB service id",
                    ch->id);
        ch = NULL;
    }
    return ch;
}

GPtrArray *sq_epg_eit_pf_sections(const SqEpgGuide *guide, const char *channel_id,
                                  const SqEpgSiNetwork *net, int64_t at_us, uint8_t version,
                                  GError **error)
{
    const SqEpgChannel *ch = channel_for_eit(guide, channel_id, error);
    if (!ch)
        return NULL;
    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
    bool on_air = false;
    size_t i = epg_programme_at(list, n, at_us, &on_air);
    const SqEpgProgramme *present = on_air ? list[i] : NULL;
    size_t next = on_air ? i + 1 : i;
    const SqEpgProgramme *following = next < n ? list[next] : NULL;

    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    uint8_t ev[EVENT_BUF];
    for (uint8_t s = 0; s < 2; s++) {
        const SqEpgProgramme *p = s == 0 ? present : following;
        size_t len =
            p ? build_event(ev, guide, ch, p, s == 0 ? RUNNING_RUNNING : RUNNING_NOT_RUNNING) : 0;
        Header h = {.table_id = EIT_TABLE_ID_PF_ACTUAL,
                    .version = version,
                    .section = s,
                    .last_section = 1,
                    .segment_last = 1,
                    .last_table_id = EIT_TABLE_ID_PF_ACTUAL,
                    .service_id = ch->service_id};
        g_ptr_array_add(out, finish_section(net, &h, ev, len));
    }
    return out;
}

/* The sections of one segment: events packed in order, at most 8 sections;
 * always at least one (an empty segment gets an empty section). */
typedef struct {
    GByteArray *sections[SECTIONS_PER_SEGMENT]; /* event loops */
    int count;
} Segment;

GPtrArray *sq_epg_eit_schedule_sections(const SqEpgGuide *guide, const char *channel_id,
                                        const SqEpgSiNetwork *net, int64_t at_us,
                                        const uint8_t versions[16], unsigned *dropped,
                                        GError **error)
{
    const SqEpgChannel *ch = channel_for_eit(guide, channel_id, error);
    if (!ch)
        return NULL;
    int64_t midnight = (at_us >= 0 ? at_us / DAY_US : -((-at_us + DAY_US - 1) / DAY_US)) * DAY_US;
    const int n_segments = SQ_EPG_EIT_SCHEDULE_DAYS * 8;
    Segment *segs = g_new0(Segment, n_segments);
    unsigned lost = 0;
    int last_used = -1;

    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
    uint8_t ev[EVENT_BUF];
    for (size_t i = 0; i < n; i++) {
        const SqEpgProgramme *p = list[i];
        if (p->start_us < midnight || p->start_us >= midnight + n_segments * SEGMENT_US)
            continue;
        int k = (int)((p->start_us - midnight) / SEGMENT_US);
        Segment *seg = &segs[k];
        size_t len = build_event(ev, guide, ch, p, RUNNING_UNDEFINED);
        if (seg->count == 0 || seg->sections[seg->count - 1]->len + len > EVENTS_MAX) {
            if (seg->count == SECTIONS_PER_SEGMENT) {
                lost++;
                continue;
            }
            seg->sections[seg->count++] = g_byte_array_new();
        }
        g_byte_array_append(seg->sections[seg->count - 1], ev, (guint)len);
        last_used = k;
    }

    int last_table = last_used < 0 ? 0 : last_used / SEGMENTS_PER_TABLE;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int t = 0; t <= last_table; t++) {
        int first_seg = t * SEGMENTS_PER_TABLE;
        /* Tables before the last are complete; the last ends at its last
         * used segment (segment 0 when nothing is scheduled at all). */
        int last_seg =
            t < last_table ? first_seg + SEGMENTS_PER_TABLE - 1 : MAX(last_used, first_seg);
        last_seg = MIN(last_seg, n_segments - 1);
        int last_seg_count = MAX(segs[last_seg].count, 1);
        uint8_t table_last_section =
            (uint8_t)((last_seg - first_seg) * SECTIONS_PER_SEGMENT + last_seg_count - 1);
        for (int k = first_seg; k <= last_seg; k++) {
            int count = MAX(segs[k].count, 1);
            int base = (k - first_seg) * SECTIONS_PER_SEGMENT;
            for (int s = 0; s < count; s++) {
                Header h = {.table_id = (uint8_t)(EIT_TABLE_ID_SCHED_ACTUAL_FIRST + t),
                            .version = versions ? versions[t] : 0,
                            .section = (uint8_t)(base + s),
                            .last_section = table_last_section,
                            .segment_last = (uint8_t)(base + count - 1),
                            .last_table_id =
                                (uint8_t)(EIT_TABLE_ID_SCHED_ACTUAL_FIRST + last_table),
                            .service_id = ch->service_id};
                GByteArray *loop = segs[k].count ? segs[k].sections[s] : NULL;
                g_ptr_array_add(
                    out, finish_section(net, &h, loop ? loop->data : NULL, loop ? loop->len : 0));
            }
        }
    }
    for (int k = 0; k < n_segments; k++)
        for (int s = 0; s < segs[k].count; s++)
            g_byte_array_unref(segs[k].sections[s]);
    g_free(segs);
    if (dropped)
        *dropped = lost;
    return out;
}
