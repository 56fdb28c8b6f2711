/* XMLTV (xmltv.dtd as Debian's xmltv-util 1.2.1 ships it), written with
 * libxml2's xmlTextWriter, which does all the escaping. What validators and
 * players expect beyond the DTD is in notes/epg-conventions.md: elements in
 * DTD order, the channel's own language first (Kodi reads only the first
 * title), "YYYYMMDDhhmmss +0500" times, no empty desc, no channel without a
 * programme. */
#include "epg_private.h"

#include <libxml/xmlwriter.h>

char *sq_epg_xmltv_time(int64_t instant_us, GTimeZone *tz)
{
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(instant_us / SQ_SECOND_US);
    if (!utc)
        return g_strdup("19700101000000 +0000");
    g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
    g_autofree char *base = g_date_time_format(local, "%Y%m%d%H%M%S");
    int offset_min = (int)(g_date_time_get_utc_offset(local) / G_TIME_SPAN_MINUTE);
    char sign = offset_min < 0 ? '-' : '+';
    offset_min = ABS(offset_min);
    return g_strdup_printf("%s %c%02d%02d", base, sign, offset_min / 60, offset_min % 60);
}

typedef struct {
    xmlTextWriterPtr w;
    bool failed;
} Out;

static void check(Out *o, int rc)
{
    if (rc < 0)
        o->failed = true;
}

static void start(Out *o, const char *name)
{
    check(o, xmlTextWriterStartElement(o->w, BAD_CAST name));
}

static void end(Out *o)
{
    check(o, xmlTextWriterEndElement(o->w));
}

static void attr(Out *o, const char *name, const char *value)
{
    check(o, xmlTextWriterWriteAttribute(o->w, BAD_CAST name, BAD_CAST value));
}

/* <name lang="lang">text</name>, nothing when text is empty. */
static void text_element(Out *o, const char *name, const char *lang, const char *text)
{
    if (epg_empty(text))
        return;
    start(o, name);
    if (lang)
        attr(o, "lang", lang);
    check(o, xmlTextWriterWriteString(o->w, BAD_CAST text));
    end(o);
}

static const char *pick(const char *language, const char *kk, const char *ru)
{
    return g_strcmp0(language, "ru") == 0 ? ru : kk;
}

static void write_channel(Out *o, const SqEpgChannel *ch)
{
    g_autofree char *id = sq_epg_channel_xmltv_id(ch);
    const char *first = ch->language, *second = epg_other_language(ch->language);
    start(o, "channel");
    attr(o, "id", id);
    text_element(o, "display-name", first, pick(first, ch->name_kk, ch->name_ru));
    text_element(o, "display-name", second, pick(second, ch->name_kk, ch->name_ru));
    if (!epg_empty(ch->icon)) {
        start(o, "icon");
        attr(o, "src", ch->icon);
        end(o);
    }
    end(o);
}

static void write_programme(Out *o, const SqEpgGuide *guide, const SqEpgChannel *ch,
                            const SqEpgProgramme *p)
{
    GTimeZone *tz = epg_channel_tz(guide, ch);
    g_autofree char *id = sq_epg_channel_xmltv_id(ch);
    g_autofree char *t0 = sq_epg_xmltv_time(p->start_us, tz);
    g_autofree char *t1 = sq_epg_xmltv_time(p->end_us, tz);
    /* The channel's language first: Kodi shows only the first of each. */
    const char *langs[2] = {ch->language, epg_other_language(ch->language)};

    start(o, "programme");
    attr(o, "start", t0);
    attr(o, "stop", t1);
    attr(o, "channel", id);
    if (p->kind == SQ_EPG_KIND_BREAK) {
        for (int i = 0; i < 2; i++)
            text_element(o, "title", langs[i], epg_break_title(langs[i]));
    } else {
        for (int i = 0; i < 2; i++)
            text_element(o, "title", langs[i], pick(langs[i], p->title_kk, p->title_ru));
        for (int i = 0; i < 2; i++) {
            g_autofree char *sub = sq_epg_programme_subtitle(p, langs[i]);
            text_element(o, "sub-title", langs[i], sub);
        }
        for (int i = 0; i < 2; i++)
            text_element(o, "desc", langs[i], pick(langs[i], p->desc_kk, p->desc_ru));
        text_element(o, "category", "en", "Education");
        for (int i = 0; i < 2; i++)
            text_element(o, "category", langs[i], pick(langs[i], "Білім беру", "Образование"));
        if (!epg_empty(p->language))
            text_element(o, "language", NULL, p->language);
        if (p->grade > 0 && p->lesson_number > 0) {
            /* xmltv_ns is zero-based: season = grade, episode = lesson. */
            g_autofree char *ns = g_strdup_printf("%d.%d.", p->grade - 1, p->lesson_number - 1);
            g_autofree char *onscreen =
                g_strcmp0(ch->language, "ru") == 0
                    ? g_strdup_printf("%d класс, урок %d", p->grade, p->lesson_number)
                    : g_strdup_printf("%d-сынып, %d-сабақ", p->grade, p->lesson_number);
            start(o, "episode-num");
            attr(o, "system", "onscreen");
            check(o, xmlTextWriterWriteString(o->w, BAD_CAST onscreen));
            end(o);
            start(o, "episode-num");
            attr(o, "system", "xmltv_ns");
            check(o, xmlTextWriterWriteString(o->w, BAD_CAST ns));
            end(o);
        }
        if (p->kind == SQ_EPG_KIND_REPEAT) {
            start(o, "previously-shown");
            end(o);
        }
    }
    end(o);
}

static bool in_range(const SqEpgProgramme *p, const SqEpgXmltvOptions *opt)
{
    if (opt->from_us == 0 && opt->to_us == 0)
        return true;
    return p->end_us > opt->from_us && p->start_us < opt->to_us;
}

static size_t count_in_range(const SqEpgGuide *guide, const SqEpgChannel *ch,
                             const SqEpgXmltvOptions *opt)
{
    size_t n = 0, count = 0;
    const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
    for (size_t i = 0; i < n; i++)
        count += in_range(list[i], opt);
    return count;
}

char *sq_epg_xmltv_write(const SqEpgGuide *guide, const SqEpgXmltvOptions *options, size_t *length,
                         GError **error)
{
    SqEpgXmltvOptions all = {0};
    const SqEpgXmltvOptions *opt = options ? options : &all;
    if (opt->channel_id && !sq_epg_guide_channel(guide, opt->channel_id)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel '%s' in the guide",
                    opt->channel_id);
        return NULL;
    }
    size_t n_ch = 0;
    const SqEpgChannel *const *chans = sq_epg_guide_channels(guide, &n_ch);
    g_autoptr(GPtrArray) used = g_ptr_array_new();
    for (size_t i = 0; i < n_ch; i++) {
        if (opt->channel_id && g_strcmp0(opt->channel_id, chans[i]->id) != 0)
            continue;
        if (count_in_range(guide, chans[i], opt) > 0)
            g_ptr_array_add(used, (gpointer)chans[i]);
    }
    if (used->len == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND,
                    "no programme in the published plan for %s%s in that period",
                    opt->channel_id ? "channel " : "any channel",
                    opt->channel_id ? opt->channel_id : "");
        return NULL;
    }

    xmlBufferPtr buf = xmlBufferCreate();
    Out o = {.w = xmlNewTextWriterMemory(buf, 0)};
    if (!o.w) {
        xmlBufferFree(buf);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "cannot create an XML writer");
        return NULL;
    }
    check(&o, xmlTextWriterSetIndent(o.w, 1));
    check(&o, xmlTextWriterSetIndentString(o.w, BAD_CAST "  "));
    check(&o, xmlTextWriterStartDocument(o.w, "1.0", "UTF-8", NULL));
    check(&o, xmlTextWriterStartDTD(o.w, BAD_CAST "tv", NULL, BAD_CAST "xmltv.dtd"));
    check(&o, xmlTextWriterEndDTD(o.w));
    start(&o, "tv");
    attr(&o, "source-info-name", "sabaq");
    attr(&o, "generator-info-name", sq_epg_guide_generator(guide));
    for (guint i = 0; i < used->len; i++)
        write_channel(&o, g_ptr_array_index(used, i));
    for (guint i = 0; i < used->len; i++) {
        const SqEpgChannel *ch = g_ptr_array_index(used, i);
        size_t n = 0;
        const SqEpgProgramme *const *list = sq_epg_guide_programmes(guide, ch->id, &n);
        for (size_t k = 0; k < n; k++)
            if (in_range(list[k], opt))
                write_programme(&o, guide, ch, list[k]);
    }
    end(&o);
    check(&o, xmlTextWriterEndDocument(o.w));
    xmlFreeTextWriter(o.w); /* flushes into buf */
    if (o.failed) {
        xmlBufferFree(buf);
        g_set_error(error, SQ_ERROR, SQ_ERROR_INTERNAL, "writing the XMLTV document failed");
        return NULL;
    }
    size_t len = (size_t)xmlBufferLength(buf);
    char *out = g_strndup((const char *)xmlBufferContent(buf), len);
    xmlBufferFree(buf);
    if (length)
        *length = len;
    return out;
}
