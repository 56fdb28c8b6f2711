/* sabaq core: what every stage shares.
 *
 * - Errors: one GError domain (SQ_ERROR) whose messages are for people.
 * - Time: instants are int64_t microseconds UTC; media positions are frames
 *   at the house rate (25 fps). Local time exists only at the edges, through
 *   GTimeZone (time.c).
 * - The catalog: one SQLite database (WAL, foreign keys, migrations by
 *   PRAGMA user_version). Each stage prepares its own SQL next to the code
 *   that owns the tables; the catalog hands out cached prepared statements
 *   and transactions.
 * - Paths: where the database and the media library live.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ---- errors ---------------------------------------------------------- */

#define SQ_ERROR (sq_error_quark())
GQuark sq_error_quark(void);

typedef enum {
    SQ_ERROR_INVALID,   /* bad input from a person: metadata, a file, a CSV row */
    SQ_ERROR_MEDIA,     /* a media file that cannot be used */
    SQ_ERROR_IO,        /* the file system */
    SQ_ERROR_DB,        /* the catalog */
    SQ_ERROR_NOT_FOUND, /* an id that names nothing */
    SQ_ERROR_CANCELLED, /* stopped by a signal or the caller */
    SQ_ERROR_INTERNAL,  /* a library call that failed for no reason of the user's */
} SqErrorCode;

/* ---- time ------------------------------------------------------------ */

#define SQ_FPS       25
#define SQ_FRAME_US  G_GINT64_CONSTANT(40000)
#define SQ_SECOND_US G_GINT64_CONSTANT(1000000)

/* Samples of 48 kHz audio in one house-format video frame. */
#define SQ_AUDIO_RATE              48000
#define SQ_AUDIO_SAMPLES_PER_FRAME (SQ_AUDIO_RATE / SQ_FPS)

static inline int64_t sq_frames_to_us(int64_t frames)
{
    return frames * SQ_FRAME_US;
}

/* Frames wholly contained in a duration (rounds down). */
static inline int64_t sq_us_to_frames_floor(int64_t us)
{
    return us >= 0 ? us / SQ_FRAME_US : -((-us + SQ_FRAME_US - 1) / SQ_FRAME_US);
}

/* The current instant, UTC microseconds (wall clock: never use for timers). */
int64_t sq_now_us(void);

/* "hh:mm:ss.ff" (ff = frames) for a frame count; caller frees. */
char *sq_format_timecode(int64_t frames);

/* "h:mm:ss" for a whole number of seconds, for progress and ETA; caller frees. */
char *sq_format_clock_seconds(int64_t seconds);

/* RFC 3339 with the zone's offset at that instant, e.g.
 * "2026-09-01T09:00:00+05:00"; microseconds are printed only when non-zero.
 * Caller frees. */
char *sq_format_rfc3339(int64_t instant_us, GTimeZone *tz);

/* ---- the catalog ----------------------------------------------------- */

typedef struct SqCatalog SqCatalog;

/* Opens (creating if needed) the catalog at path and migrates it to the
 * newest schema in one transaction. */
SqCatalog *sq_catalog_open(const char *path, GError **error);
void sq_catalog_free(SqCatalog *cat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqCatalog, sq_catalog_free)

/* The connection, for modules that run their own statements. Borrowed. */
sqlite3 *sq_catalog_db(SqCatalog *cat);

/* The schema version the catalog is at (PRAGMA user_version). */
int sq_catalog_schema_version(SqCatalog *cat);

/* A prepared statement for sql, prepared once per catalog and reset before
 * it is returned. sql must be a string with static storage (it is the cache
 * key). Borrowed: do not finalize. */
sqlite3_stmt *sq_catalog_prepare(SqCatalog *cat, const char *sql, GError **error);

/* Transactions. begin_write takes the write lock at once (BEGIN IMMEDIATE),
 * so two processes never both hold a half-done write. */
bool sq_catalog_begin_write(SqCatalog *cat, GError **error);
bool sq_catalog_commit(SqCatalog *cat, GError **error);
void sq_catalog_rollback(SqCatalog *cat);

/* Runs sql (no parameters, no rows) and reports failures as GError. */
bool sq_catalog_exec(SqCatalog *cat, const char *sql, GError **error);

/* Sets error from the connection's last error, prefixed by what was tried. */
void sq_catalog_set_error(SqCatalog *cat, GError **error, const char *what);

/* ---- the station file ---------------------------------------------- */

typedef struct {
    int subjects, channels, grids, slots, terms, holidays;
} SqStationSummary;

/* Validates a station file (data/station.rng, then references, overlaps,
 * midnight) and replaces the catalog's station with it in one transaction:
 * on any error nothing changes. Errors name the file and line. The format
 * is docs/station.md. */
bool sq_station_import(SqCatalog *cat, const char *path, SqStationSummary *summary, GError **error);

/* ---- where things live ----------------------------------------------- */

/* The catalog path: explicit value, else $SABAQ_DB, else "sabaq.db". */
char *sq_default_db_path(const char *explicit_path);
/* The library folder: explicit value, else $SABAQ_LIBRARY, else "library". */
char *sq_default_library_dir(const char *explicit_dir);

/* ---- small shared helpers ------------------------------------------- */

/* Writes contents to path atomically: a temporary file beside it, fsync,
 * rename. A crash leaves either the old file or the new one. */
bool sq_write_file_atomic(const char *path, const char *contents, gssize length, GError **error);

/* Reads XML that came from outside: no network, no DTD, no entity
 * expansion (a DOCTYPE is refused), validated against the RelaxNG schema
 * compiled in at schema_resource ("/org/sabaq/station.rng"). Returns the
 * document (free with xmlFreeDoc) when it is well-formed, with *valid
 * telling whether it matches the schema; error then says why not, one line
 * "file:line: reason" (what names the kind of file: "station file"). NULL
 * when it cannot be read at all. */
struct _xmlDoc *sq_xml_read_validated(const char *file, const char *what, const char *text,
                                      gsize length, const char *schema_resource, bool *valid,
                                      GError **error);

/* The 1-based line of the first needle in text (1 when absent): libxml2
 * gives a DOCTYPE no line of its own. */
int sq_text_line_of(const char *text, gsize length, const char *needle);

/* Is a language code one sabaq airs? ("kk" or "ru") */
bool sq_language_is_valid(const char *code);

/* Is an identifier (subject, channel, tag) lowercase letters, digits and
 * hyphens, starting with a letter or digit, at most 64 bytes? */
bool sq_identifier_is_valid(const char *id);

G_END_DECLS
