/* bench/plan: how fast the scheduler plans a school year.
 *
 * Builds a catalog (untimed) with a generated station of N channels (a
 * weekday grid Mon-Sat of 24 back-to-back 30-minute lesson slots from
 * 08:00, with a break and evening repeats, rotating grades and subjects),
 * 2,200 approved lessons of 25-30 minutes (10 grades x 5 subjects x 44
 * lessons, in Kazakh and Russian), 60 fillers of 15 s to 5 min and the
 * slate. Then times, for 4 and for 100 channels, 1 September to 31 May:
 *   build: the planner alone, in memory (sq_planner_load + sq_planner_build);
 *   plan:  `sabaq plan` end to end (sq_plan_refresh: load, build, store the
 *          drafts in one transaction).
 * and prints seconds, items and items per second.
 *
 *   build/bench/plan/bench-plan [--channels 4,100] [--dir DIR]
 */
#include "scheduler/scheduler.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define FIRST_DAY "2026-09-01"
#define N_DAYS    273 /* to 31 May 2027 */

static const char *const subjects[] = {"math", "kazakh-lang", "russian-lang", "science", "history"};

static char *station_xml(int n_channels)
{
    GString *x = g_string_new("<station xmlns=\"urn:sabaq:station:1\" timezone=\"Asia/Almaty\">\n");
    for (guint s = 0; s < G_N_ELEMENTS(subjects); s++)
        g_string_append_printf(x, "<subject id=\"%s\"><name lang=\"kk\">%s</name></subject>\n",
                               subjects[s], subjects[s]);
    for (int c = 0; c < n_channels; c++)
        g_string_append_printf(x,
                               "<channel id=\"ch%d\" language=\"%s\" service-id=\"%d\">"
                               "<name lang=\"kk\">Channel %d</name>"
                               "<filler pool=\"promo ident\"/></channel>\n",
                               c, c % 2 ? "ru" : "kk", c + 1, c);
    g_string_append(x, "<calendar><term from=\"2026-09-01\" to=\"2026-10-25\"/>"
                       "<term from=\"2026-11-03\" to=\"2026-12-28\"/>"
                       "<term from=\"2027-01-08\" to=\"2027-03-20\"/>"
                       "<term from=\"2027-03-30\" to=\"2027-05-25\"/>"
                       "<holiday date=\"2026-10-26\"/><holiday date=\"2026-12-16\"/>"
                       "</calendar>\n");
    static const char *const day_sets[] = {"mon wed fri", "tue thu sat"};
    for (int c = 0; c < n_channels; c++)
        for (int g = 0; g < 2; g++) {
            g_string_append_printf(x, "<grid channel=\"ch%d\" days=\"%s\">\n", c, day_sets[g]);
            for (int i = 0; i < 24; i++) {
                int minutes = 8 * 60 + i * 30;
                if (i == 8) {
                    g_string_append_printf(x,
                                           "<slot start=\"%02d:%02d\" length=\"30:00\" "
                                           "kind=\"break\"/>\n",
                                           minutes / 60, minutes % 60);
                    continue;
                }
                if (i >= 20) {
                    int of = 8 * 60 + (i - 20) * 30;
                    g_string_append_printf(x,
                                           "<slot start=\"%02d:%02d\" length=\"30:00\" "
                                           "repeat=\"%02d:%02d\"/>\n",
                                           minutes / 60, minutes % 60, of / 60, of % 60);
                    continue;
                }
                int grade = 1 + (i + c + g) % 10;
                const char *subject = subjects[(i / 2 + g + c) % G_N_ELEMENTS(subjects)];
                g_string_append_printf(x,
                                       "<slot start=\"%02d:%02d\" length=\"30:00\" "
                                       "grade=\"%d\" subject=\"%s\"/>\n",
                                       minutes / 60, minutes % 60, grade, subject);
            }
            g_string_append(x, "</grid>\n");
        }
    g_string_append(x, "</station>\n");
    return g_string_free(x, FALSE);
}

static bool fill_catalog(SqCatalog *cat, GError **error)
{
    static const char lesson_sql[] = "INSERT INTO lessons (subject, grade, number, title_kk,"
                                     " title_ru) VALUES (?, ?, ?, ?, ?)";
    static const char asset_sql[] =
        "INSERT INTO assets (kind, lesson_id, language, title, tags, path, source_name,"
        " source_sha256, profile, duration_frames, width, height, video_peak_kbps, status,"
        " ingested_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?, 'hd1080', ?, 1920,"
        " 1080, 8000, 'approved', 0, 0)";
    if (!sq_catalog_begin_write(cat, error))
        return false;
    GRand *rand = g_rand_new_with_seed(2026);
    int n = 0;
    for (int grade = 1; grade <= 10; grade++)
        for (guint s = 0; s < G_N_ELEMENTS(subjects); s++)
            for (int number = 1; number <= 44; number++) {
                sqlite3_stmt *st = sq_catalog_prepare(cat, lesson_sql, error);
                g_autofree char *title = g_strdup_printf("%s %d.%d", subjects[s], grade, number);
                sqlite3_bind_text(st, 1, subjects[s], -1, SQLITE_STATIC);
                sqlite3_bind_int(st, 2, grade);
                sqlite3_bind_int(st, 3, number);
                sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 5, title, -1, SQLITE_STATIC);
                sqlite3_step(st);
                int64_t lesson = sqlite3_last_insert_rowid(sq_catalog_db(cat));
                for (int lang = 0; lang < 2; lang++) {
                    st = sq_catalog_prepare(cat, asset_sql, error);
                    g_autofree char *path = g_strdup_printf("assets/%d.mp4", ++n);
                    g_autofree char *sha = g_strdup_printf("%064d", n);
                    sqlite3_bind_text(st, 1, "lesson", -1, SQLITE_STATIC);
                    sqlite3_bind_int64(st, 2, lesson);
                    sqlite3_bind_text(st, 3, lang ? "ru" : "kk", -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 5, "", -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 6, path, -1, SQLITE_STATIC);
                    sqlite3_bind_text(st, 7, sha, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(st, 8, g_rand_int_range(rand, 25 * 60 * 25, 30 * 60 * 25));
                    sqlite3_step(st);
                }
            }
    for (int f = 0; f < 61; f++) {
        sqlite3_stmt *st = sq_catalog_prepare(cat, asset_sql, error);
        g_autofree char *path = g_strdup_printf("assets/f%d.mp4", f);
        g_autofree char *sha = g_strdup_printf("f%063d", f);
        sqlite3_bind_text(st, 1, f == 60 ? "slate" : "filler", -1, SQLITE_STATIC);
        sqlite3_bind_null(st, 2);
        sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, "filler", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, f == 60 ? "slate" : f % 3 ? "promo" : "ident", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, sha, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, f == 60 ? 250 : g_rand_int_range(rand, 15 * 25, 5 * 60 * 25));
        sqlite3_step(st);
    }
    g_rand_free(rand);
    return sq_catalog_commit(cat, error);
}

static double seconds_since(int64_t t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static bool run(const char *dir, int n_channels)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *db = g_strdup_printf("%s/bench-%d.db", dir, n_channels);
    g_autofree char *xml_path = g_strdup_printf("%s/station-%d.xml", dir, n_channels);
    g_autofree char *xml = station_xml(n_channels);
    g_autofree char *wal = g_strconcat(db, "-wal", NULL);
    g_autofree char *shm = g_strconcat(db, "-shm", NULL);
    g_unlink(db), g_unlink(wal), g_unlink(shm);
    g_autoptr(SqCatalog) cat = sq_catalog_open(db, &error);
    if (!cat || !g_file_set_contents(xml_path, xml, -1, &error) ||
        !sq_station_import(cat, xml_path, &(SqStationSummary){0}, &error) ||
        !fill_catalog(cat, &error)) {
        fprintf(stderr, "bench-plan: setting up: %s\n", error->message);
        return false;
    }

    int64_t t0 = g_get_monotonic_time();
    g_autoptr(SqPlanner) p = sq_planner_load(cat, &error);
    int64_t items = 0, conflicts = 0;
    for (guint c = 0; p && c < sq_planner_channel_ids(p)->len; c++) {
        g_autoptr(GPtrArray) days =
            sq_planner_build(p, sq_planner_channel_ids(p)->pdata[c], FIRST_DAY, N_DAYS, &error);
        for (guint d = 0; d < days->len; d++) {
            const SqPlanDay *day = days->pdata[d];
            items += day->items->len;
            conflicts += day->conflicts->len;
        }
    }
    double build_s = seconds_since(t0);
    if (!p) {
        fprintf(stderr, "bench-plan: %s\n", error->message);
        return false;
    }

    t0 = g_get_monotonic_time();
    SqPlanRefresh r = {0};
    if (!sq_plan_refresh(cat, NULL, FIRST_DAY, N_DAYS, &r, &error)) {
        fprintf(stderr, "bench-plan: %s\n", error->message);
        return false;
    }
    double plan_s = seconds_since(t0);
    printf("%3d channels x %d days: build %.3f s (%" G_GINT64_FORMAT " items, %.0f items/s, "
           "%" G_GINT64_FORMAT " conflicts); sabaq plan %.3f s (%" G_GINT64_FORMAT
           " items stored, %.0f items/s)\n",
           n_channels, N_DAYS, build_s, items, (double)items / build_s, conflicts, plan_s, r.items,
           (double)r.items / plan_s);
    sq_plan_refresh_clear(&r);
    return true;
}

int main(int argc, char **argv)
{
    g_autofree char *channels = g_strdup("4,100");
    g_autofree char *dir = NULL;
    const GOptionEntry entries[] = {
        {"channels", 0, 0, G_OPTION_ARG_STRING, &channels, "Channel counts (4,100)", "LIST"},
        {"dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where the catalogs go (a temp dir)", "DIR"},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- time planning a school year");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "bench-plan: %s\n", error->message);
        return 2;
    }
    g_autofree char *tmp = dir ? NULL : g_dir_make_tmp("bench-plan-XXXXXX", &error);
    g_auto(GStrv) counts = g_strsplit(channels, ",", -1);
    bool ok = true;
    for (char **c = counts; ok && *c; c++)
        ok = run(dir ? dir : tmp, atoi(*c));
    if (tmp) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
        (void)!system(cmd);
    }
    return ok ? 0 : 1;
}
