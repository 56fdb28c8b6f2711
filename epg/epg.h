/* sabaq epg: the programme guide, from the published plan to what viewers'
 * players and receivers read.
 *
 * Everything starts from a guide (SqEpgGuide, model.c): the channels and,
 * per channel, a sorted, non-overlapping list of programmes with UTC instants
 * and texts in Kazakh and Russian. A guide is built either from the
 * catalog's published plan (sq_epg_guide_load, load.c, which folds fillers
 * and idents into programmes with sq_epg_fold, fold.c) or by hand (tests,
 * benchmarks). From a guide come:
 *
 *   - XMLTV (xmltv.c), valid against xmltv.dtd and tv_validate_file;
 *   - an M3U playlist for IPTV players (m3u.c), tvg-id = XMLTV channel id;
 *   - JSON now/next and day guides (json.c);
 *   - DVB SI sections (dvb_sdt.c, dvb_eit.c, dvb_text.c): SDT, EIT
 *     present/following and EIT schedule, texts as UTF-8 (0x15);
 *   - an SI inserter (si_inserter.c) that puts those sections into a CBR
 *     transport stream in place of its null packets, for playout's outputs.
 *
 *   g_autoptr(SqEpgGuide) guide = sq_epg_guide_load(cat, from_us, to_us, &error);
 *   g_autofree char *xml = sq_epg_xmltv_write(guide, &opts, &len, &error);
 *
 * Instants are int64_t microseconds UTC; local time (XMLTV offsets, JSON
 * dates) comes from each channel's IANA zone through GTimeZone. The format
 * decisions are in docs/epg.md.
 */
#pragma once

#include "core/core.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- the guide (model.c) -------------------------------------------- */

typedef enum {
    SQ_EPG_KIND_LESSON, /* a lesson airing for the first time that day */
    SQ_EPG_KIND_REPEAT, /* a lesson aired again (XMLTV previously-shown) */
    SQ_EPG_KIND_BREAK,  /* fillers, idents, slates between lessons, as one programme */
} SqEpgKind;

/* "lesson", "repeat", "break". */
const char *sq_epg_kind_name(SqEpgKind kind);

typedef struct {
    const char *id;      /* the station file's channel id, e.g. "balapan" */
    const char *name_kk; /* display names; at least one is set */
    const char *name_ru;
    const char *language; /* "kk" or "ru": the channel's own language */
    const char *timezone; /* IANA zone, e.g. "Asia/Almaty" */
    uint16_t service_id;  /* DVB service id = PAT program number */
    const char *icon;     /* URL or NULL */
    const char *hls_path; /* the HLS output's path under the base URL, NULL: "hls/<id>" */
} SqEpgChannel;

typedef struct {
    const char *channel_id;
    int64_t start_us, end_us; /* UTC, half-open */
    SqEpgKind kind;
    const char *title_kk, *title_ru; /* NULL or "" when the lesson has none in that language */
    const char *desc_kk, *desc_ru;
    const char *subject_kk, *subject_ru; /* subject names, for sub-titles */
    int grade;                           /* 1..11, 0 when not a lesson */
    int lesson_number;                   /* 1.., 0 when not a lesson */
    const char *language;                /* the programme's spoken language, NULL for breaks */
} SqEpgProgramme;

typedef struct SqEpgGuide SqEpgGuide;

/* An empty guide. generator: "sabaq 0.1.0" for XMLTV's generator-info-name. */
SqEpgGuide *sq_epg_guide_new(const char *generator);
void sq_epg_guide_free(SqEpgGuide *guide);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqEpgGuide, sq_epg_guide_free)

/* Adds a channel (copied). Refuses a duplicate id, an id that is not an
 * identifier, an unknown language or time zone, a channel without a name. */
bool sq_epg_guide_add_channel(SqEpgGuide *guide, const SqEpgChannel *channel, GError **error);

/* Adds a programme (copied) to its channel. Refuses an unknown channel, an
 * end not after the start, a lesson without a title, an overlap with a
 * programme already there (programmes may be added in any order). */
bool sq_epg_guide_add_programme(SqEpgGuide *guide, const SqEpgProgramme *programme, GError **error);

/* The channels in the order added. Borrowed. */
const SqEpgChannel *const *sq_epg_guide_channels(const SqEpgGuide *guide, size_t *n);
/* One channel, or NULL. Borrowed. */
const SqEpgChannel *sq_epg_guide_channel(const SqEpgGuide *guide, const char *channel_id);
/* A channel's programmes sorted by start. Borrowed, valid until the next add. */
const SqEpgProgramme *const *sq_epg_guide_programmes(const SqEpgGuide *guide,
                                                     const char *channel_id, size_t *n);
const char *sq_epg_guide_generator(const SqEpgGuide *guide);

/* The channel's XMLTV / M3U id: "<id>.sabaq" (XMLTV ids need a dot).
 * Caller frees. */
char *sq_epg_channel_xmltv_id(const SqEpgChannel *channel);

/* The DVB event id of a programme: its start minute since the epoch modulo
 * 65536, raised past the previous programme's id when two start in the same
 * minute. Stable across rebuilds and republishes as long as the programme
 * keeps its start; unique within 45 days of a channel. */
uint16_t sq_epg_event_id(const SqEpgGuide *guide, const SqEpgProgramme *programme);

/* "5-сынып · Математика · 12-сабақ" (kk) or "5 класс · Математика · урок 12"
 * (ru) for a lesson, NULL when there is nothing to say. Caller frees. */
char *sq_epg_programme_subtitle(const SqEpgProgramme *p, const char *language);

/* The title in language, else in the other one, else the break's name. */
const char *sq_epg_programme_title(const SqEpgProgramme *p, const char *language);

/* ---- folding plan items into programmes (fold.c) -------------------- */

typedef enum {
    SQ_EPG_ITEM_LESSON,
    SQ_EPG_ITEM_REPEAT,
    SQ_EPG_ITEM_OTHER, /* filler, ident, promo, slate, an empty break */
} SqEpgItemKind;

/* One published plan item, as the loader reads it; texts borrowed. */
typedef struct {
    int64_t start_us, end_us;
    SqEpgItemKind kind;
    bool is_hard_start; /* starts at a grid slot's time */
    const char *title_kk, *title_ru, *desc_kk, *desc_ru;
    const char *subject_kk, *subject_ru;
    int grade, lesson_number;
    const char *language;
} SqEpgPlanItem;

/* Non-lesson stretches up to this long are folded into the lesson before. */
#define SQ_EPG_FOLD_MAX_US (G_GINT64_CONSTANT(5) * 60 * SQ_SECOND_US)

/* Turns one channel's plan items (sorted by start, any number of days) into
 * programmes added to guide: each lesson or repeat is a programme; a run of
 * other items after a lesson that ends before the next hard start and lasts
 * at most SQ_EPG_FOLD_MAX_US extends that lesson; any other run becomes one
 * break programme. A gap in the items is left a gap. */
bool sq_epg_fold(SqEpgGuide *guide, const char *channel_id, const SqEpgPlanItem *items,
                 size_t n_items, GError **error);

/* ---- reading the published plan (load.c) --------------------------- */

/* The guide of every channel (or just channel_id when not NULL) from the
 * catalog's published plan: for each channel and local day, the newest
 * published version; programmes overlapping [from_us, to_us). */
SqEpgGuide *sq_epg_guide_load(SqCatalog *cat, const char *channel_id, int64_t from_us,
                              int64_t to_us, GError **error);

/* ---- XMLTV (xmltv.c) ------------------------------------------------- */

typedef struct {
    const char *channel_id; /* NULL: every channel */
    int64_t from_us, to_us; /* programmes overlapping this; 0,0: all */
} SqEpgXmltvOptions;

/* The XMLTV document (UTF-8), NUL-terminated; *length without the NUL.
 * Fails when no programme is left (tv_validate_file refuses such a file);
 * channels without a programme in range are left out for the same reason.
 * Caller frees. */
char *sq_epg_xmltv_write(const SqEpgGuide *guide, const SqEpgXmltvOptions *options, size_t *length,
                         GError **error);

/* "20260901090000 +0500": XMLTV's time at the zone's offset for that instant.
 * Caller frees. */
char *sq_epg_xmltv_time(int64_t instant_us, GTimeZone *tz);

/* ---- M3U (m3u.c) ------------------------------------------------------ */

/* The playlist for IPTV players: base_url is where the station is served
 * (e.g. "http://tv.example.kz"); the guide at base_url/epg.xml, each
 * channel's HLS at base_url/<hls_path>/index.m3u8. Caller frees. */
char *sq_epg_m3u_write(const SqEpgGuide *guide, const char *base_url, GError **error);
/* The same with IPTV catch-up attributes on every entry (catchup="default",
 * catchup-days, catchup-source = base_url/catchup/<id>/index.m3u8?utc={utc},
 * which `sabaq serve` resolves); catchup_days 0: none. */
char *sq_epg_m3u_write_catchup(const SqEpgGuide *guide, const char *base_url, int catchup_days,
                               GError **error);

/* ---- JSON (json.c) ---------------------------------------------------- */

/* {"channel", "at", "now": item|null, "next": item|null}. */
JsonNode *sq_epg_json_now_next(const SqEpgGuide *guide, const char *channel_id, int64_t at_us,
                               GError **error);
/* {"channel", "date", "timezone", "items": [item...]} for the local day
 * date ("YYYY-MM-DD" in the channel's zone): programmes overlapping it. */
JsonNode *sq_epg_json_day(const SqEpgGuide *guide, const char *channel_id, const char *date,
                          GError **error);

/* ---- DVB SI sections (dvb_sdt.c, dvb_eit.c) --------------------------- */

typedef struct {
    uint16_t transport_stream_id;
    uint16_t original_network_id;
    const char *provider_name; /* 0x48 and 0x5D provider, e.g. "sabaq" */
    uint8_t service_type;      /* 0x19: H.264 HD television (0 means 0x19) */
} SqEpgSiNetwork;

#define SQ_EPG_SDT_PID           0x11
#define SQ_EPG_EIT_PID           0x12
#define SQ_EPG_EIT_SCHEDULE_DAYS 7

/* The SDT actual (table 0x42, one section) describing channel_id's service:
 * 0x48 service descriptor in the channel's language, 0x5D multilingual
 * names (kaz, rus), EIT schedule and p/f flags set, running. */
GBytes *sq_epg_sdt_section(const SqEpgGuide *guide, const char *channel_id,
                           const SqEpgSiNetwork *net, uint8_t version, GError **error);

/* EIT p/f actual (table 0x4E): two sections, 0 = the programme on air at
 * at_us (running_status 4; no event in a gap), 1 = the next one.
 * Array of GBytes, caller unrefs. */
GPtrArray *sq_epg_eit_pf_sections(const SqEpgGuide *guide, const char *channel_id,
                                  const SqEpgSiNetwork *net, int64_t at_us, uint8_t version,
                                  GError **error);

/* EIT schedule actual (tables 0x50...) for SQ_EPG_EIT_SCHEDULE_DAYS days from
 * midnight UTC of at_us's day: 3-hour segments, at most 8 sections each,
 * an empty section for each empty segment before the last used one.
 * versions[i] is the version of table 0x50 + i. Array of GBytes in table,
 * section order; *dropped (may be NULL) counts events that did not fit a
 * segment's 8 sections (they still air in p/f). */
GPtrArray *sq_epg_eit_schedule_sections(const SqEpgGuide *guide, const char *channel_id,
                                        const SqEpgSiNetwork *net, int64_t at_us,
                                        const uint8_t versions[16], unsigned *dropped,
                                        GError **error);

/* ---- DVB text (dvb_text.c) ------------------------------------------- */

/* Writes text as a DVB string: 0x15 (UTF-8) then at most max_bytes - 1
 * bytes of text, cut only at a character boundary. Empty text writes
 * nothing. Returns the bytes written (≤ max_bytes). */
size_t sq_dvb_text_encode(const char *text, size_t max_bytes, uint8_t *out);

/* ---- SI inserter (si_inserter.c) -------------------------------------- */

/* Puts the SDT and EIT of one service into a constant-bitrate transport
 * stream, in place of its null packets (PID 0x1FFF), so that the stream
 * keeps its rate and every other packet (PCR included) stays where and
 * what it was. Plain C, no GStreamer: playout calls it on each buffer of
 * 188-byte packets before sending (UDP, SRT) or writing (HLS segments).
 *
 *   SqSiInserterConfig cfg = {.channel_id = "balapan", .network = net,
 *                             .bitrate_bps = 4000000};
 *   SqSiInserter *si = sq_si_inserter_new(&cfg, guide, &error);
 *   for each buffer: sq_si_inserter_process(si, data, n_packets, utc_us_of_first_packet);
 *   when a new plan is published: sq_si_inserter_set_guide(si, new_guide);
 *   sq_si_inserter_free(si);
 *
 * Time: first_packet_us is the UTC instant of the buffer's first packet on
 * the stream's own clock (playout's running time mapped to UTC), never
 * the wall clock at the time of the call; later packets of the buffer are
 * placed at bitrate_bps. Repetition (ETSI TS 101 211): SDT and EIT p/f
 * every second (≤ 2 s required); EIT schedule of the first day every 8 s
 * (≤ 10 s), the other days every 25 s (≤ 30 s); on PID 0x12 a new section
 * starts at least 25 ms after the previous one (TR 101 290). Sections are
 * rebuilt when the on-air event changes, the UTC day turns or a new guide
 * is set; a table whose content changed gets the next version number and
 * goes out at once. Null packets left over get a 0xFF payload (mpegtsmux
 * in GStreamer 1.22 sends uninitialised memory there). The inserter keeps
 * its own continuity counters for PIDs 0x11 and 0x12; the stream must not
 * carry those PIDs itself (mpegtsmux's own SI must be off).
 *
 * Not thread-safe except sq_si_inserter_set_guide, which may be called from
 * any thread while another one processes. */
typedef struct {
    const char *channel_id; /* the service this stream carries */
    SqEpgSiNetwork network;
    uint64_t bitrate_bps; /* the stream's constant rate; 0: every packet at first_packet_us */
} SqSiInserterConfig;

typedef struct {
    uint64_t packets, null_packets, si_packets; /* seen, null seen, null replaced by SI */
    uint64_t sdt_sections, eit_pf_sections, eit_schedule_sections; /* sent */
    uint64_t not_ts_packets;     /* packets without the 0x47 sync byte (left untouched) */
    unsigned eit_dropped_events; /* last schedule build: events that did not fit */
} SqSiInserterStats;

typedef struct SqSiInserter SqSiInserter;

/* guide is copied (the caller keeps its own). Fails on an unknown channel. */
SqSiInserter *sq_si_inserter_new(const SqSiInserterConfig *config, const SqEpgGuide *guide,
                                 GError **error);
void sq_si_inserter_free(SqSiInserter *si);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqSiInserter, sq_si_inserter_free)

/* Replaces the guide (copied); tables are rebuilt on the next process call
 * and the ones that changed go out with a new version at once. Fails, and
 * keeps the old guide, when the channel is missing from the new one. */
bool sq_si_inserter_set_guide(SqSiInserter *si, const SqEpgGuide *guide, GError **error);

/* Rewrites null packets of packets (n_packets × 188 bytes, in place).
 * Returns the number of null packets that now carry SI. */
size_t sq_si_inserter_process(SqSiInserter *si, uint8_t *packets, size_t n_packets,
                              int64_t first_packet_us);

void sq_si_inserter_get_stats(SqSiInserter *si, SqSiInserterStats *stats);

/* A copy of a guide (deep), for holders that outlive the caller's. */
SqEpgGuide *sq_epg_guide_copy(const SqEpgGuide *guide);

G_END_DECLS
