/* The station file: reading, schema validation (data/station.rng, compiled
 * in) and the checks a schema cannot make (references, overlaps, slots
 * crossing midnight), each error naming the file and line. Writing the
 * result into the catalog is station_store.c. */
#include "station_private.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <string.h>

#define STATION_SCHEMA "/org/sabaq/station.rng"
#define MAX_STATION    (8 * 1024 * 1024)

static const char *const weekdays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static bool fail(GError **error, const char *file, xmlNodePtr node, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

static bool fail(GError **error, const char *file, xmlNodePtr node, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s:%ld: %s", file,
                node ? xmlGetLineNo(node) : 1L, msg);
    return false;
}

static char *prop(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    char *s = v ? g_strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static bool is(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

/* "09:30" or "09:30:15" -> seconds of the day; "30:00" or "1:05:00" as a
 * length -> seconds. The schema has checked the shape. */
static int parse_clock(const char *text, bool is_length)
{
    int parts[3] = {0}, n = 0;
    for (const char *p = text; *p && n < 3; n++) {
        parts[n] = (int)g_ascii_strtoll(p, (char **)&p, 10);
        if (*p == ':')
            p++;
    }
    if (is_length)
        return n == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1];
    return parts[0] * 3600 + parts[1] * 60 + (n == 3 ? parts[2] : 0);
}

static char *format_clock(int seconds)
{
    return g_strdup_printf("%02d:%02d", seconds / 3600, seconds / 60 % 60);
}

static void read_names(xmlNodePtr node, char **kk, char **ru)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (!is(c, "name"))
            continue;
        g_autofree char *lang = prop(c, "lang");
        xmlChar *text = xmlNodeGetContent(c);
        char **slot = g_strcmp0(lang, "kk") == 0 ? kk : ru;
        g_free(*slot);
        *slot = g_strstrip(g_strdup((const char *)text));
        xmlFree(text);
    }
}

static bool read_subject(SqStation *st, const char *file, xmlNodePtr node, GError **error)
{
    SqStationSubject *s = g_new0(SqStationSubject, 1);
    s->id = prop(node, "id");
    read_names(node, &s->name_kk, &s->name_ru);
    g_ptr_array_add(st->subjects, s);
    if (sq_station_find_subject(st, s->id) != s)
        return fail(error, file, node, "subject '%s' is defined twice", s->id);
    return true;
}

static bool read_channel(SqStation *st, const char *file, xmlNodePtr node, GError **error)
{
    SqStationChannel *c = g_new0(SqStationChannel, 1);
    g_ptr_array_add(st->channels, c);
    c->id = prop(node, "id");
    c->language = prop(node, "language");
    c->icon = prop(node, "icon");
    g_autofree char *sid = prop(node, "service-id");
    c->service_id = (int)g_ascii_strtoll(sid, NULL, 10);
    c->outputs = g_ptr_array_new_with_free_func(g_free);
    c->holiday_rule = g_strdup("fillers");
    c->missing_rule = g_strdup("repeat-previous");
    read_names(node, &c->name_kk, &c->name_ru);
    for (xmlNodePtr o = node->children; o; o = o->next) {
        if (is(o, "output")) {
            g_autofree char *type = prop(o, "type");
            g_autofree char *target = prop(o, strcmp(type, "hls") == 0 ? "path" : "url");
            g_ptr_array_add(c->outputs, g_strdup_printf("%s %s", type, target));
        } else if (is(o, "rules")) {
            char *holiday = prop(o, "holiday"), *missing = prop(o, "missing");
            if (holiday) {
                g_free(c->holiday_rule);
                c->holiday_rule = holiday;
            }
            if (missing) {
                g_free(c->missing_rule);
                c->missing_rule = missing;
            }
        } else if (is(o, "filler")) {
            g_autofree char *pool = prop(o, "pool");
            g_auto(GStrv) tags = g_strsplit_set(pool, " ,", -1);
            GString *s = g_string_new(NULL);
            for (char **t = tags; *t; t++)
                if (**t)
                    g_string_append_printf(s, "%s%s", s->len ? " " : "", *t);
            c->filler_tags = g_string_free(s, FALSE);
        }
    }
    if (sq_station_find_channel(st, c->id) != c)
        return fail(error, file, node, "channel '%s' is defined twice", c->id);
    for (guint i = 0; i + 1 < st->channels->len; i++)
        if (((SqStationChannel *)st->channels->pdata[i])->service_id == c->service_id)
            return fail(error, file, node, "service-id %d is used by channel '%s' too",
                        c->service_id, ((SqStationChannel *)st->channels->pdata[i])->id);
    return true;
}

static bool read_calendar(SqStation *st, const char *file, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (is(c, "term")) {
            SqStationTerm term;
            g_autofree char *from = prop(c, "from");
            g_autofree char *to = prop(c, "to");
            g_strlcpy(term.first_day, from, sizeof(term.first_day));
            g_strlcpy(term.last_day, to, sizeof(term.last_day));
            if (strcmp(term.first_day, term.last_day) > 0)
                return fail(error, file, c, "term ends (%s) before it starts (%s)", to, from);
            for (guint i = 0; i < st->terms->len; i++) {
                const SqStationTerm *t = &g_array_index(st->terms, SqStationTerm, i);
                if (strcmp(term.first_day, t->last_day) <= 0 &&
                    strcmp(t->first_day, term.last_day) <= 0)
                    return fail(error, file, c, "term %s..%s overlaps term %s..%s", from, to,
                                t->first_day, t->last_day);
            }
            g_array_append_val(st->terms, term);
        } else if (is(c, "holiday")) {
            SqStationHoliday *h = g_new0(SqStationHoliday, 1);
            g_ptr_array_add(st->holidays, h);
            g_autofree char *date = prop(c, "date");
            g_strlcpy(h->day, date, sizeof(h->day));
            read_names(c, &h->name_kk, &h->name_ru);
            for (guint i = 0; i + 1 < st->holidays->len; i++)
                if (strcmp(((SqStationHoliday *)st->holidays->pdata[i])->day, h->day) == 0)
                    return fail(error, file, c, "holiday %s is listed twice", h->day);
        }
    }
    return true;
}

static bool read_slot(SqStation *st, SqStationGrid *grid, const SqStationChannel *channel,
                      const char *file, xmlNodePtr node, GError **error)
{
    SqStationSlot *s = g_new0(SqStationSlot, 1);
    g_ptr_array_add(grid->slots, s);
    s->line = (int)xmlGetLineNo(node);
    g_autofree char *start = prop(node, "start");
    g_autofree char *length = prop(node, "length");
    g_autofree char *kind = prop(node, "kind");
    g_autofree char *repeat = prop(node, "repeat");
    g_autofree char *grade = prop(node, "grade");
    s->start_s = parse_clock(start, false);
    int length_s = parse_clock(length, true);
    s->length_frames = (int64_t)length_s * SQ_FPS;
    if (length_s <= 0)
        return fail(error, file, node, "slot at %s has no length", start);
    if (s->start_s + length_s > 24 * 3600)
        return fail(error, file, node,
                    "slot at %s (%s long) crosses midnight; split it into one slot each side",
                    start, length);
    if (repeat) {
        s->kind = g_strdup("repeat");
        s->repeat_of_s = parse_clock(repeat, false);
    } else if (g_strcmp0(kind, "break") == 0) {
        s->kind = g_strdup("break");
    } else {
        s->kind = g_strdup("lesson");
        s->subject = prop(node, "subject");
        s->grade = (int)g_ascii_strtoll(grade, NULL, 10);
        s->language = prop(node, "language");
        if (!s->language)
            s->language = g_strdup(channel->language);
        if (!sq_station_find_subject(st, s->subject))
            return fail(error, file, node,
                        "unknown subject '%s' (define it with <subject id=\"%s\">)", s->subject,
                        s->subject);
    }
    return true;
}

static gint compare_slots(gconstpointer a, gconstpointer b)
{
    const SqStationSlot *x = *(SqStationSlot *const *)a, *y = *(SqStationSlot *const *)b;
    return (x->start_s > y->start_s) - (x->start_s < y->start_s);
}

/* Slots of one grid, and of grids of the same channel that share a day,
 * must not overlap; a repeat must name a lesson slot of its grid. */
static bool check_grid(SqStation *st, SqStationGrid *grid, const char *file, GError **error)
{
    g_ptr_array_sort(grid->slots, compare_slots);
    for (guint i = 0; i < grid->slots->len; i++) {
        const SqStationSlot *s = grid->slots->pdata[i];
        if (i > 0) {
            const SqStationSlot *prev = grid->slots->pdata[i - 1];
            if (prev->start_s + prev->length_frames / SQ_FPS > s->start_s) {
                g_autofree char *a = format_clock(prev->start_s);
                g_autofree char *b = format_clock(s->start_s);
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                            "%s:%d: slot at %s overlaps the slot at %s (line %d)", file, s->line, b,
                            a, prev->line);
                return false;
            }
        }
        if (strcmp(s->kind, "repeat") == 0) {
            const SqStationSlot *target = NULL;
            for (guint j = 0; j < grid->slots->len; j++) {
                const SqStationSlot *o = grid->slots->pdata[j];
                if (o->start_s == s->repeat_of_s && strcmp(o->kind, "lesson") == 0)
                    target = o;
            }
            if (!target) {
                g_autofree char *at = format_clock(s->repeat_of_s);
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                            "%s:%d: repeat=\"%s\" names no lesson slot of this grid", file, s->line,
                            at);
                return false;
            }
            if (target->length_frames > s->length_frames) {
                g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                            "%s:%d: the repeat is shorter than the slot it repeats", file, s->line);
                return false;
            }
        }
    }
    for (guint g = 0; g + 1 < st->grids->len; g++) {
        const SqStationGrid *other = st->grids->pdata[g];
        if (strcmp(other->channel, grid->channel) != 0 || !(other->days & grid->days))
            continue;
        for (guint i = 0; i < grid->slots->len; i++)
            for (guint j = 0; j < other->slots->len; j++) {
                const SqStationSlot *a = grid->slots->pdata[i], *b = other->slots->pdata[j];
                if (a->start_s < b->start_s + b->length_frames / SQ_FPS &&
                    b->start_s < a->start_s + a->length_frames / SQ_FPS) {
                    g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                                "%s:%d: slot overlaps the slot of line %d on a day both grids "
                                "of channel '%s' air",
                                file, a->line, b->line, grid->channel);
                    return false;
                }
            }
    }
    return true;
}

static bool read_grid(SqStation *st, const char *file, xmlNodePtr node, GError **error)
{
    SqStationGrid *grid = g_new0(SqStationGrid, 1);
    g_ptr_array_add(st->grids, grid);
    grid->slots = g_ptr_array_new_with_free_func((GDestroyNotify)sq_station_slot_free);
    grid->channel = prop(node, "channel");
    grid->line = (int)xmlGetLineNo(node);
    const SqStationChannel *channel = sq_station_find_channel(st, grid->channel);
    if (!channel)
        return fail(error, file, node, "unknown channel '%s'", grid->channel);
    g_autofree char *days = prop(node, "days");
    g_auto(GStrv) names = g_strsplit(days, " ", -1);
    for (char **d = names; *d; d++) {
        for (int w = 0; w < 7; w++) {
            if (strcmp(*d, weekdays[w]) != 0)
                continue;
            if (grid->days & (1 << w))
                return fail(error, file, node, "day '%s' is listed twice", *d);
            grid->days |= 1 << w;
        }
    }
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (is(c, "slot") && !read_slot(st, grid, channel, file, c, error))
            return false;
    return check_grid(st, grid, file, error);
}

SqStation *sq_station_parse(const char *path, const char *text, gsize length, GError **error)
{
    g_autofree char *file = g_path_get_basename(path);
    if (length > MAX_STATION) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "%s: larger than %d MiB", file,
                    MAX_STATION >> 20);
        return NULL;
    }
    bool valid = false;
    xmlDocPtr doc =
        sq_xml_read_validated(file, "station file", text, length, STATION_SCHEMA, &valid, error);
    SqStation *st = NULL;
    if (!doc || !valid)
        goto out;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    st = sq_station_new();
    st->timezone = prop(root, "timezone");
    GTimeZone *tz = g_time_zone_new_identifier(st->timezone);
    if (!tz) {
        fail(error, file, root, "unknown time zone '%s' (an IANA name such as Asia/Almaty)",
             st->timezone);
        g_clear_pointer(&st, sq_station_free);
        goto out;
    }
    g_time_zone_unref(tz);
    /* Subjects and channels first, whatever the order in the file: grids
     * refer to them. */
    static const char *const order[] = {"subject", "channel", "calendar", "grid"};
    for (size_t pass = 0; pass < G_N_ELEMENTS(order) && st; pass++) {
        for (xmlNodePtr c = root->children; c && st; c = c->next) {
            if (!is(c, order[pass]))
                continue;
            bool ok = pass == 0   ? read_subject(st, file, c, error)
                      : pass == 1 ? read_channel(st, file, c, error)
                      : pass == 2 ? read_calendar(st, file, c, error)
                                  : read_grid(st, file, c, error);
            if (!ok)
                g_clear_pointer(&st, sq_station_free);
        }
    }
out:
    if (doc)
        xmlFreeDoc(doc);
    return st;
}

SqStation *sq_station_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize length = 0;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, &length, &local)) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s", local->message);
        return NULL;
    }
    return sq_station_parse(path, text, length, error);
}
