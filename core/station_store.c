/* The station in the catalog: the model's life cycle and its one-
 * transaction replacement of subjects, channels, calendar and grids. */
#include "station_private.h"

#include <string.h>

static void subject_free(SqStationSubject *s)
{
    g_free(s->id);
    g_free(s->name_kk);
    g_free(s->name_ru);
    g_free(s);
}

static void channel_free(SqStationChannel *c)
{
    g_free(c->id);
    g_free(c->language);
    g_free(c->name_kk);
    g_free(c->name_ru);
    g_free(c->icon);
    g_free(c->filler_tags);
    g_free(c->holiday_rule);
    g_free(c->missing_rule);
    if (c->outputs)
        g_ptr_array_unref(c->outputs);
    g_free(c);
}

static void holiday_free(SqStationHoliday *h)
{
    g_free(h->name_kk);
    g_free(h->name_ru);
    g_free(h);
}

void sq_station_slot_free(SqStationSlot *s)
{
    g_free(s->kind);
    g_free(s->subject);
    g_free(s->language);
    g_free(s);
}

static void grid_free(SqStationGrid *g)
{
    g_free(g->channel);
    if (g->slots)
        g_ptr_array_unref(g->slots);
    g_free(g);
}

SqStation *sq_station_new(void)
{
    SqStation *st = g_new0(SqStation, 1);
    st->subjects = g_ptr_array_new_with_free_func((GDestroyNotify)subject_free);
    st->channels = g_ptr_array_new_with_free_func((GDestroyNotify)channel_free);
    st->terms = g_array_new(FALSE, FALSE, sizeof(SqStationTerm));
    st->holidays = g_ptr_array_new_with_free_func((GDestroyNotify)holiday_free);
    st->grids = g_ptr_array_new_with_free_func((GDestroyNotify)grid_free);
    return st;
}

void sq_station_free(SqStation *st)
{
    if (!st)
        return;
    g_free(st->timezone);
    g_ptr_array_unref(st->subjects);
    g_ptr_array_unref(st->channels);
    g_array_free(st->terms, TRUE);
    g_ptr_array_unref(st->holidays);
    g_ptr_array_unref(st->grids);
    g_free(st);
}

const SqStationSubject *sq_station_find_subject(const SqStation *st, const char *id)
{
    for (guint i = 0; id && i < st->subjects->len; i++)
        if (strcmp(((SqStationSubject *)st->subjects->pdata[i])->id, id) == 0)
            return st->subjects->pdata[i];
    return NULL;
}

const SqStationChannel *sq_station_find_channel(const SqStation *st, const char *id)
{
    for (guint i = 0; id && i < st->channels->len; i++)
        if (strcmp(((SqStationChannel *)st->channels->pdata[i])->id, id) == 0)
            return st->channels->pdata[i];
    return NULL;
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, i);
}

static bool step(SqCatalog *cat, sqlite3_stmt *stmt, const char *what, GError **error)
{
    if (!stmt)
        return false;
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        sq_catalog_set_error(cat, error, what);
        return false;
    }
    return true;
}

static bool store_subjects_and_channels(SqCatalog *cat, const SqStation *st, GError **error)
{
    static const char subject_sql[] =
        "INSERT INTO subjects (id, name_kk, name_ru) VALUES (?, ?, ?)";
    static const char channel_sql[] =
        "INSERT INTO channels (id, language, service_id, name_kk, name_ru, icon, filler_tags,"
        " holiday_rule, missing_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char output_sql[] =
        "INSERT INTO channel_outputs (channel_id, position, type, target) VALUES (?, ?, ?, ?)";
    for (guint i = 0; i < st->subjects->len; i++) {
        const SqStationSubject *s = st->subjects->pdata[i];
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, subject_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, s->id);
        bind_text(stmt, 2, s->name_kk);
        bind_text(stmt, 3, s->name_ru);
        if (!step(cat, stmt, "storing a subject", error))
            return false;
    }
    for (guint i = 0; i < st->channels->len; i++) {
        const SqStationChannel *c = st->channels->pdata[i];
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, channel_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, c->id);
        bind_text(stmt, 2, c->language);
        sqlite3_bind_int(stmt, 3, c->service_id);
        bind_text(stmt, 4, c->name_kk);
        bind_text(stmt, 5, c->name_ru);
        bind_text(stmt, 6, c->icon);
        bind_text(stmt, 7, c->filler_tags ? c->filler_tags : "");
        bind_text(stmt, 8, c->holiday_rule);
        bind_text(stmt, 9, c->missing_rule);
        if (!step(cat, stmt, "storing a channel", error))
            return false;
        for (guint o = 0; o < c->outputs->len; o++) {
            const char *spec = c->outputs->pdata[o];
            const char *space = strchr(spec, ' ');
            g_autofree char *type = g_strndup(spec, (gsize)(space - spec));
            stmt = sq_catalog_prepare(cat, output_sql, error);
            if (!stmt)
                return false;
            bind_text(stmt, 1, c->id);
            sqlite3_bind_int(stmt, 2, (int)o);
            bind_text(stmt, 3, type);
            bind_text(stmt, 4, space + 1);
            if (!step(cat, stmt, "storing a channel output", error))
                return false;
        }
    }
    return true;
}

static bool store_calendar(SqCatalog *cat, const SqStation *st, GError **error)
{
    static const char term_sql[] = "INSERT INTO calendar_terms (first_day, last_day) VALUES (?, ?)";
    static const char holiday_sql[] =
        "INSERT INTO calendar_holidays (day, name_kk, name_ru) VALUES (?, ?, ?)";
    for (guint i = 0; i < st->terms->len; i++) {
        const SqStationTerm *t = &g_array_index(st->terms, SqStationTerm, i);
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, term_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, t->first_day);
        bind_text(stmt, 2, t->last_day);
        if (!step(cat, stmt, "storing a term", error))
            return false;
    }
    for (guint i = 0; i < st->holidays->len; i++) {
        const SqStationHoliday *h = st->holidays->pdata[i];
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, holiday_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, h->day);
        bind_text(stmt, 2, h->name_kk);
        bind_text(stmt, 3, h->name_ru);
        if (!step(cat, stmt, "storing a holiday", error))
            return false;
    }
    return true;
}

static bool store_grids(SqCatalog *cat, const SqStation *st, GError **error)
{
    static const char grid_sql[] = "INSERT INTO grids (channel_id, days, line) VALUES (?, ?, ?)";
    static const char slot_sql[] =
        "INSERT INTO slots (grid_id, start_s, length_frames, kind, grade, subject_id, language,"
        " repeat_of_s, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (guint g = 0; g < st->grids->len; g++) {
        const SqStationGrid *grid = st->grids->pdata[g];
        sqlite3_stmt *stmt = sq_catalog_prepare(cat, grid_sql, error);
        if (!stmt)
            return false;
        bind_text(stmt, 1, grid->channel);
        sqlite3_bind_int(stmt, 2, grid->days);
        sqlite3_bind_int(stmt, 3, grid->line);
        if (!step(cat, stmt, "storing a grid", error))
            return false;
        int64_t grid_id = sqlite3_last_insert_rowid(sq_catalog_db(cat));
        for (guint i = 0; i < grid->slots->len; i++) {
            const SqStationSlot *s = grid->slots->pdata[i];
            bool lesson = strcmp(s->kind, "lesson") == 0;
            stmt = sq_catalog_prepare(cat, slot_sql, error);
            if (!stmt)
                return false;
            sqlite3_bind_int64(stmt, 1, grid_id);
            sqlite3_bind_int(stmt, 2, s->start_s);
            sqlite3_bind_int64(stmt, 3, s->length_frames);
            bind_text(stmt, 4, s->kind);
            if (lesson)
                sqlite3_bind_int(stmt, 5, s->grade);
            else
                sqlite3_bind_null(stmt, 5);
            bind_text(stmt, 6, s->subject);
            bind_text(stmt, 7, s->language);
            if (strcmp(s->kind, "repeat") == 0)
                sqlite3_bind_int(stmt, 8, s->repeat_of_s);
            else
                sqlite3_bind_null(stmt, 8);
            sqlite3_bind_int(stmt, 9, s->line);
            if (!step(cat, stmt, "storing a slot", error))
                return false;
        }
    }
    return true;
}

bool sq_station_store(SqCatalog *cat, const SqStation *st, const char *source, GError **error)
{
    static const char station_sql[] =
        "INSERT INTO station (id, timezone, source, imported_us) VALUES (1, ?, ?, ?)";
    if (!sq_catalog_begin_write(cat, error))
        return false;
    /* The station is replaced whole: what the file no longer names goes. */
    bool ok = sq_catalog_exec(cat,
                              "DELETE FROM slots; DELETE FROM grids; DELETE FROM channel_outputs;"
                              "DELETE FROM channels; DELETE FROM subjects;"
                              "DELETE FROM calendar_terms; DELETE FROM calendar_holidays;"
                              "DELETE FROM station;",
                              error);
    sqlite3_stmt *stmt = ok ? sq_catalog_prepare(cat, station_sql, error) : NULL;
    if (stmt) {
        bind_text(stmt, 1, st->timezone);
        bind_text(stmt, 2, source);
        sqlite3_bind_int64(stmt, 3, sq_now_us());
    }
    ok = stmt && step(cat, stmt, "storing the station", error) &&
         store_subjects_and_channels(cat, st, error) && store_calendar(cat, st, error) &&
         store_grids(cat, st, error);
    if (!ok) {
        sq_catalog_rollback(cat);
        return false;
    }
    return sq_catalog_commit(cat, error);
}

bool sq_station_import(SqCatalog *cat, const char *path, SqStationSummary *summary, GError **error)
{
    g_autoptr(SqStation) st = sq_station_load(path, error);
    if (!st)
        return false;
    g_autofree char *name = g_path_get_basename(path);
    if (!sq_station_store(cat, st, name, error))
        return false;
    if (summary) {
        memset(summary, 0, sizeof(*summary));
        summary->subjects = (int)st->subjects->len;
        summary->channels = (int)st->channels->len;
        summary->grids = (int)st->grids->len;
        for (guint g = 0; g < st->grids->len; g++)
            summary->slots += (int)((SqStationGrid *)st->grids->pdata[g])->slots->len;
        summary->terms = (int)st->terms->len;
        summary->holidays = (int)st->holidays->len;
    }
    return true;
}
