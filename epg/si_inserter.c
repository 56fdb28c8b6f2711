/* SDT and EIT carousels put into a CBR transport stream in place of null
 * packets (the contract is in epg.h). Each carousel (SDT, EIT p/f, EIT
 * schedule of the first day, the rest of the schedule) comes due at its
 * interval and queues its sections on its PID; each null packet goes to the
 * first PID that has a section under way or one allowed to start. A
 * section starts in a packet of its own (payload_unit_start, pointer_field
 * 0) and its last packet is stuffed with 0xFF (ISO/IEC 13818-1 §2.4.4). */
#include "epg_private.h"

#include <string.h>

#define TS_SIZE   188
#define TS_HEADER 4
#define NULL_PID  0x1FFF
#define MS        G_GINT64_CONSTANT(1000)
#define DAY_US    (G_GINT64_CONSTANT(86400) * SQ_SECOND_US)

/* TS 101 211 §4.4: ≤ 2 s for SDT and p/f, ≤ 10 s for the first day of the
 * schedule, ≤ 30 s for the rest; sent faster so a late packet never
 * breaks the limit. TR 101 290 §5.2.2: 25 ms between sections on 0x12. */
#define SDT_INTERVAL_US    (1000 * MS)
#define PF_INTERVAL_US     (1000 * MS)
#define DAY1_INTERVAL_US   (8000 * MS)
#define REST_INTERVAL_US   (25000 * MS)
#define EIT_SECTION_GAP_US (25 * MS)

enum { CAR_SDT, CAR_PF, CAR_DAY1, CAR_REST, N_CAR };

typedef struct {
    uint16_t pid;
    uint8_t cc;
    int64_t gap_us; /* least time between section starts */
    int64_t last_start_us;
    GQueue urgent;   /* GBytes *: p/f and SDT go before the schedule */
    GQueue queue;    /* GBytes * */
    GBytes *current; /* the section being sent */
    size_t offset;
} PidOut;

typedef struct {
    PidOut *out;
    int64_t interval_us, next_due_us;
    bool urgent;
    GPtrArray *sections; /* GBytes * */
} Carousel;

struct SqSiInserter {
    char *channel_id;
    SqEpgSiNetwork net;
    char *provider;
    uint64_t bitrate_bps;
    SqEpgGuide *guide;

    GMutex lock; /* guards pending */
    SqEpgGuide *pending;

    PidOut sdt_out, eit_out;
    Carousel car[N_CAR];
    uint8_t sdt_version, pf_version, sched_versions[16];
    bool built;
    int64_t pf_valid_until_us; /* the next event boundary */
    int64_t sched_day_us;      /* the midnight UTC the schedule counts from */
    bool turn_eit;             /* which PID the next null packet is offered to first */
    SqSiInserterStats stats;
};

static void queue_clear(GQueue *q)
{
    g_queue_clear_full(q, (GDestroyNotify)g_bytes_unref);
}

SqSiInserter *sq_si_inserter_new(const SqSiInserterConfig *config, const SqEpgGuide *guide,
                                 GError **error)
{
    const SqEpgChannel *ch = sq_epg_guide_channel(guide, config->channel_id);
    if (!ch) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "SI inserter: no channel '%s' in the guide",
                    config->channel_id ? config->channel_id : "");
        return NULL;
    }
    if (ch->service_id == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "SI inserter: channel '%s' has no service id", ch->id);
        return NULL;
    }
    SqSiInserter *si = g_new0(SqSiInserter, 1);
    si->channel_id = g_strdup(config->channel_id);
    si->net = config->network;
    si->provider = g_strdup(
        epg_empty(config->network.provider_name) ? "sabaq" : config->network.provider_name);
    si->net.provider_name = si->provider;
    si->bitrate_bps = config->bitrate_bps;
    si->guide = sq_epg_guide_copy(guide);
    g_mutex_init(&si->lock);
    si->sdt_out = (PidOut){.pid = SQ_EPG_SDT_PID, .last_start_us = G_MININT64};
    si->eit_out =
        (PidOut){.pid = SQ_EPG_EIT_PID, .gap_us = EIT_SECTION_GAP_US, .last_start_us = G_MININT64};
    g_queue_init(&si->sdt_out.urgent);
    g_queue_init(&si->sdt_out.queue);
    g_queue_init(&si->eit_out.urgent);
    g_queue_init(&si->eit_out.queue);
    const int64_t intervals[N_CAR] = {SDT_INTERVAL_US, PF_INTERVAL_US, DAY1_INTERVAL_US,
                                      REST_INTERVAL_US};
    for (int i = 0; i < N_CAR; i++) {
        si->car[i].out = i == CAR_SDT ? &si->sdt_out : &si->eit_out;
        si->car[i].interval_us = intervals[i];
        si->car[i].next_due_us = G_MININT64;
        si->car[i].urgent = i == CAR_SDT || i == CAR_PF;
        si->car[i].sections = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    }
    return si;
}

void sq_si_inserter_free(SqSiInserter *si)
{
    if (!si)
        return;
    for (int i = 0; i < N_CAR; i++)
        g_ptr_array_unref(si->car[i].sections);
    PidOut *outs[2] = {&si->sdt_out, &si->eit_out};
    for (int i = 0; i < 2; i++) {
        queue_clear(&outs[i]->urgent);
        queue_clear(&outs[i]->queue);
        if (outs[i]->current)
            g_bytes_unref(outs[i]->current);
    }
    sq_epg_guide_free(si->guide);
    sq_epg_guide_free(si->pending);
    g_mutex_clear(&si->lock);
    g_free(si->provider);
    g_free(si->channel_id);
    g_free(si);
}

bool sq_si_inserter_set_guide(SqSiInserter *si, const SqEpgGuide *guide, GError **error)
{
    if (!sq_epg_guide_channel(guide, si->channel_id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "SI inserter: the new guide has no channel '%s'; keeping the old one",
                    si->channel_id);
        return false;
    }
    SqEpgGuide *copy = sq_epg_guide_copy(guide);
    g_mutex_lock(&si->lock);
    sq_epg_guide_free(si->pending);
    si->pending = copy;
    g_mutex_unlock(&si->lock);
    return true;
}

void sq_si_inserter_get_stats(SqSiInserter *si, SqSiInserterStats *stats)
{
    *stats = si->stats;
}

/* Do two sections say the same, version and CRC aside? */
static bool same_content(GBytes *a, GBytes *b)
{
    size_t na = 0, nb = 0;
    const uint8_t *pa = g_bytes_get_data(a, &na), *pb = g_bytes_get_data(b, &nb);
    if (na != nb || na < 12)
        return false;
    for (size_t i = 0; i < na - 4; i++) {
        uint8_t mask = i == 5 ? 0xC1 : 0xFF; /* byte 5: version_number bits */
        if ((pa[i] & mask) != (pb[i] & mask))
            return false;
    }
    return true;
}

static bool same_sections(GPtrArray *a, GPtrArray *b)
{
    if (a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++)
        if (!same_content(g_ptr_array_index(a, i), g_ptr_array_index(b, i)))
            return false;
    return true;
}

/* Replaces a carousel's sections; when they changed, it comes due now. */
static void install(Carousel *car, GPtrArray *sections, bool changed, int64_t now_us)
{
    g_ptr_array_set_size(car->sections, 0);
    for (guint i = 0; i < sections->len; i++)
        g_ptr_array_add(car->sections, g_bytes_ref(g_ptr_array_index(sections, i)));
    if (changed)
        car->next_due_us = now_us;
}

static GPtrArray *wrap_one(GBytes *b)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    if (b)
        g_ptr_array_add(a, b);
    return a;
}

static void build_sdt(SqSiInserter *si, int64_t now_us)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) fresh =
        wrap_one(sq_epg_sdt_section(si->guide, si->channel_id, &si->net, si->sdt_version, &error));
    bool changed = !same_sections(fresh, si->car[CAR_SDT].sections);
    if (changed && si->built) {
        si->sdt_version = (si->sdt_version + 1) & 0x1f;
        g_ptr_array_unref(fresh);
        fresh = wrap_one(
            sq_epg_sdt_section(si->guide, si->channel_id, &si->net, si->sdt_version, NULL));
    }
    install(&si->car[CAR_SDT], fresh, changed, now_us);
}

static void build_pf(SqSiInserter *si, int64_t now_us)
{
    g_autoptr(GPtrArray) fresh =
        sq_epg_eit_pf_sections(si->guide, si->channel_id, &si->net, now_us, si->pf_version, NULL);
    bool changed = !same_sections(fresh, si->car[CAR_PF].sections);
    if (changed && si->built) {
        si->pf_version = (si->pf_version + 1) & 0x1f;
        g_ptr_array_unref(fresh);
        fresh = sq_epg_eit_pf_sections(si->guide, si->channel_id, &si->net, now_us, si->pf_version,
                                       NULL);
    }
    install(&si->car[CAR_PF], fresh, changed, now_us);
    size_t n = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(si->guide, si->channel_id, &n);
    bool on_air = false;
    size_t i = epg_programme_at(list, n, now_us, &on_air);
    si->pf_valid_until_us = i >= n ? G_MAXINT64 : on_air ? list[i]->end_us : list[i]->start_us;
}

static bool is_day1(GBytes *section)
{
    const uint8_t *p = g_bytes_get_data(section, NULL);
    /* Table 0x50, segments 0-7 (sections 0-63): the first 24 hours. */
    return p[0] == 0x50 && p[6] < 64;
}

/* The sections of one table id in a list. */
static GPtrArray *of_table(GPtrArray *all, uint8_t table_id)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < all->len; i++) {
        GBytes *b = g_ptr_array_index(all, i);
        if (((const uint8_t *)g_bytes_get_data(b, NULL))[0] == table_id)
            g_ptr_array_add(a, g_bytes_ref(b));
    }
    return a;
}

static void build_schedule(SqSiInserter *si, int64_t now_us)
{
    unsigned dropped = 0;
    g_autoptr(GPtrArray) fresh = sq_epg_eit_schedule_sections(
        si->guide, si->channel_id, &si->net, now_us, si->sched_versions, &dropped, NULL);
    g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int c = CAR_DAY1; c <= CAR_REST; c++)
        for (guint i = 0; i < si->car[c].sections->len; i++)
            g_ptr_array_add(old, g_bytes_ref(g_ptr_array_index(si->car[c].sections, i)));
    bool bumped = false, changed_day1 = false, changed_rest = false;
    for (int t = 0; t < 16; t++) {
        g_autoptr(GPtrArray) a = of_table(fresh, (uint8_t)(0x50 + t));
        g_autoptr(GPtrArray) b = of_table(old, (uint8_t)(0x50 + t));
        if (a->len == 0 && b->len == 0)
            continue;
        if (!same_sections(a, b)) {
            if (si->built) {
                si->sched_versions[t] = (si->sched_versions[t] + 1) & 0x1f;
                bumped = true;
            }
            changed_rest = true;
            changed_day1 |= t == 0;
        }
    }
    if (bumped) {
        g_ptr_array_unref(fresh);
        fresh = sq_epg_eit_schedule_sections(si->guide, si->channel_id, &si->net, now_us,
                                             si->sched_versions, &dropped, NULL);
    }
    if (dropped && dropped != si->stats.eit_dropped_events)
        g_warning("channel %s: %u events do not fit the EIT schedule's 8 sections per "
                  "3-hour segment; they are left out of the schedule (p/f still carries them)",
                  si->channel_id, dropped);
    si->stats.eit_dropped_events = dropped;
    g_autoptr(GPtrArray) day1 = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < fresh->len; i++) {
        GBytes *b = g_ptr_array_index(fresh, i);
        g_ptr_array_add(is_day1(b) ? day1 : rest, g_bytes_ref(b));
    }
    install(&si->car[CAR_DAY1], day1, changed_day1, now_us);
    install(&si->car[CAR_REST], rest, changed_rest, now_us);
    si->sched_day_us = now_us / DAY_US * DAY_US;
}

/* Rebuilds what the instant or a new guide made stale. */
static void refresh(SqSiInserter *si, int64_t now_us)
{
    bool new_guide = false;
    g_mutex_lock(&si->lock);
    if (si->pending) {
        sq_epg_guide_free(si->guide);
        si->guide = si->pending;
        si->pending = NULL;
        new_guide = true;
    }
    g_mutex_unlock(&si->lock);
    if (!si->built || new_guide)
        build_sdt(si, now_us);
    if (!si->built || new_guide || now_us >= si->pf_valid_until_us)
        build_pf(si, now_us);
    if (!si->built || new_guide || now_us / DAY_US * DAY_US != si->sched_day_us)
        build_schedule(si, now_us);
    si->built = true;
}

/* Queues the sections of every carousel that is due. */
static void queue_due(SqSiInserter *si, int64_t now_us)
{
    for (int i = 0; i < N_CAR; i++) {
        Carousel *car = &si->car[i];
        if (now_us < car->next_due_us || car->sections->len == 0)
            continue;
        GQueue *q = car->urgent ? &car->out->urgent : &car->out->queue;
        /* A round still waiting is stale: the new one replaces it. */
        for (GList *l = q->head; l;) {
            GList *next = l->next;
            for (guint k = 0; k < car->sections->len; k++) {
                GBytes *b = g_ptr_array_index(car->sections, k);
                const uint8_t *x = g_bytes_get_data(l->data, NULL), *y = g_bytes_get_data(b, NULL);
                if (x[0] == y[0] && x[6] == y[6]) { /* same table id and section */
                    g_bytes_unref(l->data);
                    g_queue_delete_link(q, l);
                    break;
                }
            }
            l = next;
        }
        for (guint k = 0; k < car->sections->len; k++)
            g_queue_push_tail(q, g_bytes_ref(g_ptr_array_index(car->sections, k)));
        car->next_due_us =
            (car->next_due_us == G_MININT64 ? now_us : car->next_due_us) + car->interval_us;
        if (car->next_due_us <= now_us) /* fell behind: do not burst to catch up */
            car->next_due_us = now_us + car->interval_us;
    }
}

static bool can_send(PidOut *o, int64_t now_us)
{
    if (o->current)
        return true;
    if (g_queue_is_empty(&o->urgent) && g_queue_is_empty(&o->queue))
        return false;
    return o->last_start_us == G_MININT64 || now_us - o->last_start_us >= o->gap_us;
}

static void count_section(SqSiInserter *si, GBytes *section)
{
    uint8_t table = ((const uint8_t *)g_bytes_get_data(section, NULL))[0];
    if (table == 0x42)
        si->stats.sdt_sections++;
    else if (table == 0x4E)
        si->stats.eit_pf_sections++;
    else
        si->stats.eit_schedule_sections++;
}

/* Writes the next packet of o's section into pkt. */
static void send_packet(SqSiInserter *si, PidOut *o, uint8_t *pkt, int64_t now_us)
{
    bool start = false;
    if (!o->current) {
        o->current = g_queue_pop_head(&o->urgent);
        if (!o->current)
            o->current = g_queue_pop_head(&o->queue);
        o->offset = 0;
        o->last_start_us = now_us;
        start = true;
        count_section(si, o->current);
    }
    size_t size = 0;
    const uint8_t *data = g_bytes_get_data(o->current, &size);
    pkt[0] = 0x47;
    pkt[1] = (uint8_t)((start ? 0x40 : 0x00) | (o->pid >> 8));
    pkt[2] = (uint8_t)(o->pid & 0xff);
    pkt[3] = (uint8_t)(0x10 | o->cc); /* payload only */
    o->cc = (o->cc + 1) & 0x0f;
    size_t pos = TS_HEADER;
    if (start)
        pkt[pos++] = 0; /* pointer_field */
    size_t take = MIN(size - o->offset, TS_SIZE - pos);
    memcpy(pkt + pos, data + o->offset, take);
    pos += take;
    memset(pkt + pos, 0xFF, TS_SIZE - pos);
    o->offset += take;
    if (o->offset >= size) {
        g_bytes_unref(o->current);
        o->current = NULL;
    }
}

size_t sq_si_inserter_process(SqSiInserter *si, uint8_t *packets, size_t n_packets,
                              int64_t first_packet_us)
{
    size_t used = 0;
    for (size_t i = 0; i < n_packets; i++) {
        uint8_t *pkt = packets + i * TS_SIZE;
        si->stats.packets++;
        if (pkt[0] != 0x47) {
            si->stats.not_ts_packets++;
            continue;
        }
        if ((((pkt[1] & 0x1f) << 8) | pkt[2]) != NULL_PID)
            continue;
        si->stats.null_packets++;
        int64_t now_us = first_packet_us;
        if (si->bitrate_bps)
            now_us += (int64_t)((uint64_t)i * TS_SIZE * 8 * 1000000 / si->bitrate_bps);
        refresh(si, now_us);
        queue_due(si, now_us);
        /* Alternate between the PIDs so a long schedule section never holds
         * the SDT back. */
        PidOut *first = si->turn_eit ? &si->eit_out : &si->sdt_out;
        PidOut *second = si->turn_eit ? &si->sdt_out : &si->eit_out;
        PidOut *o = can_send(first, now_us) ? first : can_send(second, now_us) ? second : NULL;
        if (o) {
            send_packet(si, o, pkt, now_us);
            si->stats.si_packets++;
            used++;
            si->turn_eit = o == &si->sdt_out;
        } else {
            /* A clean null packet: mpegtsmux 1.22 leaves garbage in them. */
            pkt[1] = 0x1F;
            pkt[2] = 0xFF;
            pkt[3] = 0x10;
            memset(pkt + TS_HEADER, 0xFF, TS_SIZE - TS_HEADER);
        }
    }
    return used;
}
