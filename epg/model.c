/* The guide: channels and their sorted, non-overlapping programmes, owned
 * copies of what the loader or a test handed in. */
#include "epg_private.h"

#include <string.h>

typedef struct {
    SqEpgProgramme pub;      /* first: a Prog * is a SqEpgProgramme * */
    int64_t event_unwrapped; /* start minute, raised past the previous one's */
} Prog;

typedef struct {
    SqEpgChannel pub;
    GTimeZone *tz;
    GPtrArray *progs; /* Prog *, sorted by start, non-overlapping */
    bool ids_dirty;
} Chan;

struct SqEpgGuide {
    char *generator;
    GPtrArray *chans;  /* Chan * */
    GHashTable *by_id; /* id -> Chan * (borrowed) */
};

const char *sq_epg_kind_name(SqEpgKind kind)
{
    switch (kind) {
    case SQ_EPG_KIND_LESSON:
        return "lesson";
    case SQ_EPG_KIND_REPEAT:
        return "repeat";
    case SQ_EPG_KIND_BREAK:
        return "break";
    }
    return "unknown";
}

const char *epg_dvb_language(const char *language)
{
    return g_strcmp0(language, "ru") == 0 ? "rus" : "kaz";
}

const char *epg_other_language(const char *language)
{
    return g_strcmp0(language, "ru") == 0 ? "kk" : "ru";
}

const char *epg_break_title(const char *language)
{
    return g_strcmp0(language, "ru") == 0 ? "Перерыв" : "Үзіліс";
}

const char *epg_channel_name(const SqEpgChannel *channel, const char *language)
{
    const char *kk = channel->name_kk, *ru = channel->name_ru;
    if (g_strcmp0(language, "ru") == 0)
        return !epg_empty(ru) ? ru : kk;
    return !epg_empty(kk) ? kk : ru;
}

static char *dup_or_null(const char *s)
{
    return epg_empty(s) ? NULL : g_strdup(s);
}

static void prog_free(gpointer data)
{
    Prog *p = data;
    if (!p)
        return;
    g_free((char *)p->pub.channel_id);
    g_free((char *)p->pub.title_kk);
    g_free((char *)p->pub.title_ru);
    g_free((char *)p->pub.desc_kk);
    g_free((char *)p->pub.desc_ru);
    g_free((char *)p->pub.subject_kk);
    g_free((char *)p->pub.subject_ru);
    g_free((char *)p->pub.language);
    g_free(p);
}

static void chan_free(gpointer data)
{
    Chan *c = data;
    if (!c)
        return;
    g_free((char *)c->pub.id);
    g_free((char *)c->pub.name_kk);
    g_free((char *)c->pub.name_ru);
    g_free((char *)c->pub.language);
    g_free((char *)c->pub.timezone);
    g_free((char *)c->pub.icon);
    g_free((char *)c->pub.hls_path);
    if (c->tz)
        g_time_zone_unref(c->tz);
    g_ptr_array_unref(c->progs);
    g_free(c);
}

SqEpgGuide *sq_epg_guide_new(const char *generator)
{
    SqEpgGuide *g = g_new0(SqEpgGuide, 1);
    g->generator = g_strdup(generator ? generator : "sabaq");
    g->chans = g_ptr_array_new_with_free_func(chan_free);
    g->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    return g;
}

void sq_epg_guide_free(SqEpgGuide *guide)
{
    if (!guide)
        return;
    g_hash_table_unref(guide->by_id);
    g_ptr_array_unref(guide->chans);
    g_free(guide->generator);
    g_free(guide);
}

const char *sq_epg_guide_generator(const SqEpgGuide *guide)
{
    return guide->generator;
}

bool sq_epg_guide_add_channel(SqEpgGuide *guide, const SqEpgChannel *ch, GError **error)
{
    if (!sq_identifier_is_valid(ch->id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel id '%s' is not an identifier",
                    ch->id ? ch->id : "");
        return false;
    }
    if (g_hash_table_contains(guide->by_id, ch->id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s' is in the guide twice",
                    ch->id);
        return false;
    }
    if (!sq_language_is_valid(ch->language)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "channel '%s': language '%s' is not kk or ru", ch->id,
                    ch->language ? ch->language : "");
        return false;
    }
    if (epg_empty(ch->name_kk) && epg_empty(ch->name_ru)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s' has no name", ch->id);
        return false;
    }
    GTimeZone *tz = ch->timezone ? g_time_zone_new_identifier(ch->timezone) : NULL;
    if (!tz) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s': unknown time zone '%s'",
                    ch->id, ch->timezone ? ch->timezone : "");
        return false;
    }
    Chan *c = g_new0(Chan, 1);
    c->pub.id = g_strdup(ch->id);
    c->pub.name_kk = dup_or_null(ch->name_kk);
    c->pub.name_ru = dup_or_null(ch->name_ru);
    c->pub.language = g_strdup(ch->language);
    c->pub.timezone = g_strdup(ch->timezone);
    c->pub.service_id = ch->service_id;
    c->pub.icon = dup_or_null(ch->icon);
    c->pub.hls_path =
        epg_empty(ch->hls_path) ? g_strdup_printf("hls/%s", ch->id) : g_strdup(ch->hls_path);
    c->tz = tz;
    c->progs = g_ptr_array_new_with_free_func(prog_free);
    g_ptr_array_add(guide->chans, c);
    g_hash_table_insert(guide->by_id, (char *)c->pub.id, c);
    return true;
}

static Chan *find_chan(const SqEpgGuide *guide, const char *id)
{
    return id ? g_hash_table_lookup(guide->by_id, id) : NULL;
}

/* Index of the first programme whose start is >= start_us. */
static size_t lower_bound(GPtrArray *progs, int64_t start_us)
{
    size_t lo = 0, hi = progs->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const Prog *p = g_ptr_array_index(progs, mid);
        if (p->pub.start_us < start_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static char *format_utc(int64_t us)
{
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    return sq_format_rfc3339(us, utc);
}

bool sq_epg_guide_add_programme(SqEpgGuide *guide, const SqEpgProgramme *p, GError **error)
{
    Chan *c = find_chan(guide, p->channel_id);
    if (!c) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "programme on unknown channel '%s'",
                    p->channel_id ? p->channel_id : "");
        return false;
    }
    if (p->end_us <= p->start_us) {
        g_autofree char *at = format_utc(p->start_us);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "channel '%s': programme at %s ends before it starts", c->pub.id, at);
        return false;
    }
    if (p->kind != SQ_EPG_KIND_BREAK && epg_empty(p->title_kk) && epg_empty(p->title_ru)) {
        g_autofree char *at = format_utc(p->start_us);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "channel '%s': lesson at %s has no title in any language", c->pub.id, at);
        return false;
    }
    size_t at = lower_bound(c->progs, p->start_us);
    const Prog *before = at > 0 ? g_ptr_array_index(c->progs, at - 1) : NULL;
    const Prog *after = at < c->progs->len ? g_ptr_array_index(c->progs, at) : NULL;
    const Prog *clash = before && before->pub.end_us > p->start_us ? before
                        : after && after->pub.start_us < p->end_us ? after
                                                                   : NULL;
    if (clash) {
        g_autofree char *a = format_utc(p->start_us);
        g_autofree char *b = format_utc(clash->pub.start_us);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "channel '%s': programme at %s overlaps the one at %s", c->pub.id, a, b);
        return false;
    }
    Prog *n = g_new0(Prog, 1);
    n->pub.channel_id = g_strdup(c->pub.id);
    n->pub.start_us = p->start_us;
    n->pub.end_us = p->end_us;
    n->pub.kind = p->kind;
    n->pub.title_kk = dup_or_null(p->title_kk);
    n->pub.title_ru = dup_or_null(p->title_ru);
    n->pub.desc_kk = dup_or_null(p->desc_kk);
    n->pub.desc_ru = dup_or_null(p->desc_ru);
    n->pub.subject_kk = dup_or_null(p->subject_kk);
    n->pub.subject_ru = dup_or_null(p->subject_ru);
    n->pub.grade = p->grade;
    n->pub.lesson_number = p->lesson_number;
    n->pub.language = dup_or_null(p->language);
    g_ptr_array_insert(c->progs, (gint)at, n);
    c->ids_dirty = true;
    return true;
}

const SqEpgChannel *const *sq_epg_guide_channels(const SqEpgGuide *guide, size_t *n)
{
    /* Chan starts with its SqEpgChannel, so the pointer array doubles as one. */
    *n = guide->chans->len;
    return (const SqEpgChannel *const *)guide->chans->pdata;
}

const SqEpgChannel *sq_epg_guide_channel(const SqEpgGuide *guide, const char *channel_id)
{
    Chan *c = find_chan(guide, channel_id);
    return c ? &c->pub : NULL;
}

const SqEpgProgramme *const *sq_epg_guide_programmes(const SqEpgGuide *guide,
                                                     const char *channel_id, size_t *n)
{
    Chan *c = find_chan(guide, channel_id);
    if (!c) {
        *n = 0;
        return NULL;
    }
    *n = c->progs->len;
    return (const SqEpgProgramme *const *)c->progs->pdata;
}

GTimeZone *epg_channel_tz(const SqEpgGuide *guide, const SqEpgChannel *channel)
{
    Chan *c = find_chan(guide, channel->id);
    return c ? c->tz : NULL;
}

char *sq_epg_channel_xmltv_id(const SqEpgChannel *channel)
{
    return g_strdup_printf("%s.sabaq", channel->id);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void compute_event_ids(Chan *c)
{
    int64_t prev = G_MININT64;
    for (guint i = 0; i < c->progs->len; i++) {
        Prog *p = g_ptr_array_index(c->progs, i);
        int64_t minute = floor_div(p->pub.start_us, 60 * SQ_SECOND_US);
        p->event_unwrapped = prev != G_MININT64 && minute <= prev ? prev + 1 : minute;
        prev = p->event_unwrapped;
    }
    c->ids_dirty = false;
}

uint16_t sq_epg_event_id(const SqEpgGuide *guide, const SqEpgProgramme *programme)
{
    Chan *c = find_chan(guide, programme->channel_id);
    g_return_val_if_fail(c, 0);
    if (c->ids_dirty)
        compute_event_ids(c);
    const Prog *p = (const Prog *)programme;
    return (uint16_t)(((p->event_unwrapped % 65536) + 65536) % 65536);
}

size_t epg_programme_at(const SqEpgProgramme *const *list, size_t n, int64_t at_us, bool *contains)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first programme ending after at_us */
        size_t mid = (lo + hi) / 2;
        if (list[mid]->end_us <= at_us)
            lo = mid + 1;
        else
            hi = mid;
    }
    *contains = lo < n && list[lo]->start_us <= at_us;
    return lo;
}

SqEpgGuide *sq_epg_guide_copy(const SqEpgGuide *guide)
{
    SqEpgGuide *copy = sq_epg_guide_new(guide->generator);
    for (guint i = 0; i < guide->chans->len; i++) {
        const Chan *c = g_ptr_array_index(guide->chans, i);
        g_autoptr(GError) error = NULL;
        if (!sq_epg_guide_add_channel(copy, &c->pub, &error))
            g_error("copying a valid guide failed: %s", error->message);
        for (guint k = 0; k < c->progs->len; k++) {
            const Prog *p = g_ptr_array_index(c->progs, k);
            if (!sq_epg_guide_add_programme(copy, &p->pub, &error))
                g_error("copying a valid guide failed: %s", error->message);
        }
    }
    return copy;
}

const char *sq_epg_programme_title(const SqEpgProgramme *p, const char *language)
{
    bool ru = g_strcmp0(language, "ru") == 0;
    const char *mine = ru ? p->title_ru : p->title_kk;
    const char *other = ru ? p->title_kk : p->title_ru;
    if (!epg_empty(mine))
        return mine;
    if (!epg_empty(other))
        return other;
    return epg_break_title(language);
}

char *sq_epg_programme_subtitle(const SqEpgProgramme *p, const char *language)
{
    if (p->kind == SQ_EPG_KIND_BREAK || p->grade <= 0)
        return NULL;
    bool ru = g_strcmp0(language, "ru") == 0;
    const char *subject = ru ? p->subject_ru : p->subject_kk;
    if (epg_empty(subject))
        subject = ru ? p->subject_kk : p->subject_ru;
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, ru ? "%d класс" : "%d-сынып", p->grade);
    if (!epg_empty(subject))
        g_string_append_printf(s, " · %s", subject);
    if (p->lesson_number > 0)
        g_string_append_printf(s, ru ? " · урок %d" : " · %d-сабақ", p->lesson_number);
    return g_string_free(s, false);
}
