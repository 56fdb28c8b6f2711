/* The catalog schema as forward migrations (PRAGMA user_version = number of
 * migrations applied). Each stage owns its tables; the comments say which. */
#include "catalog_private.h"

static const char v1_lessons_and_assets[] =
    /* ingest: a lesson is the unit of the curriculum, language-independent;
     * its recordings are assets, one per language (or more, re-recorded). */
    "CREATE TABLE lessons ("
    "  id INTEGER PRIMARY KEY,"
    "  subject TEXT NOT NULL,"
    "  grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 11),"
    "  number INTEGER NOT NULL CHECK (number >= 1),"
    "  title_kk TEXT, title_ru TEXT,"
    "  description_kk TEXT, description_ru TEXT,"
    "  UNIQUE (subject, grade, number));"

    /* ingest: a house-format file in the library. kind 'lesson' has a lesson
     * and a language; 'filler' has tags; 'slate' is the house slate. */
    "CREATE TABLE assets ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('lesson', 'filler', 'slate')),"
    "  lesson_id INTEGER REFERENCES lessons(id),"
    "  language TEXT CHECK (language IN ('kk', 'ru')),"
    "  title TEXT,"
    "  tags TEXT NOT NULL DEFAULT '',"
    "  path TEXT NOT NULL UNIQUE,"
    "  source_name TEXT NOT NULL,"
    "  source_sha256 TEXT NOT NULL UNIQUE,"
    "  profile TEXT NOT NULL,"
    "  duration_frames INTEGER NOT NULL CHECK (duration_frames > 0),"
    "  width INTEGER NOT NULL, height INTEGER NOT NULL,"
    "  video_peak_kbps INTEGER NOT NULL,"
    "  loudness_in REAL, loudness_out REAL, true_peak REAL,"
    "  status TEXT NOT NULL DEFAULT 'ready'"
    "    CHECK (status IN ('ready', 'approved', 'rejected', 'withdrawn')),"
    "  status_reason TEXT,"
    "  ingested_us INTEGER NOT NULL,"
    "  updated_us INTEGER NOT NULL,"
    "  CHECK ((kind = 'lesson') = (lesson_id IS NOT NULL AND language IS NOT NULL)));"
    "CREATE INDEX assets_lesson ON assets(lesson_id, language, status);"

    /* ingest: what quality control noticed without refusing the file. */
    "CREATE TABLE asset_findings ("
    "  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL,"
    "  start_frames INTEGER NOT NULL,"
    "  length_frames INTEGER NOT NULL,"
    "  message TEXT NOT NULL);"
    "CREATE INDEX asset_findings_asset ON asset_findings(asset_id);"

    /* ingest: who did what to an asset and why (approvals are audited). */
    "CREATE TABLE asset_events ("
    "  id INTEGER PRIMARY KEY,"
    "  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  at_us INTEGER NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('ingested', 'updated', 'approved', 'withdrawn')),"
    "  reason TEXT);";

static const char v2_station[] =
    /* core/station_store.c: the station file, replaced whole on import. */
    "CREATE TABLE station ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  timezone TEXT NOT NULL,"
    "  source TEXT,"
    "  imported_us INTEGER NOT NULL);"
    "CREATE TABLE subjects ("
    "  id TEXT PRIMARY KEY,"
    "  name_kk TEXT, name_ru TEXT);"
    "CREATE TABLE channels ("
    "  id TEXT PRIMARY KEY,"
    "  language TEXT NOT NULL CHECK (language IN ('kk', 'ru')),"
    "  service_id INTEGER NOT NULL UNIQUE CHECK (service_id BETWEEN 1 AND 65535),"
    "  name_kk TEXT, name_ru TEXT, icon TEXT,"
    "  filler_tags TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE channel_outputs ("
    "  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  type TEXT NOT NULL CHECK (type IN ('hls', 'udp', 'srt')),"
    "  target TEXT NOT NULL,"
    "  PRIMARY KEY (channel_id, position));"
    /* Days are local calendar dates, YYYY-MM-DD, inclusive. */
    "CREATE TABLE calendar_terms ("
    "  first_day TEXT NOT NULL, last_day TEXT NOT NULL,"
    "  CHECK (first_day <= last_day));"
    "CREATE TABLE calendar_holidays ("
    "  day TEXT PRIMARY KEY,"
    "  name_kk TEXT, name_ru TEXT);"
    /* days: bit 0 Monday ... bit 6 Sunday; line: where the file said it. */
    "CREATE TABLE grids ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),"
    "  line INTEGER);"
    /* start_s: local time of day; a slot never crosses midnight. */
    "CREATE TABLE slots ("
    "  id INTEGER PRIMARY KEY,"
    "  grid_id INTEGER NOT NULL REFERENCES grids(id) ON DELETE CASCADE,"
    "  start_s INTEGER NOT NULL CHECK (start_s BETWEEN 0 AND 86399),"
    "  length_frames INTEGER NOT NULL CHECK (length_frames > 0),"
    "  kind TEXT NOT NULL CHECK (kind IN ('lesson', 'break', 'repeat')),"
    "  grade INTEGER CHECK (grade BETWEEN 1 AND 11),"
    "  subject_id TEXT REFERENCES subjects(id),"
    "  language TEXT CHECK (language IN ('kk', 'ru')),"
    "  repeat_of_s INTEGER,"
    "  line INTEGER,"
    "  CHECK ((kind = 'lesson') = (grade IS NOT NULL AND subject_id IS NOT NULL)));";

const char *const sq_catalog_migrations[] = {
    v1_lessons_and_assets,
    v2_station,
};

const int sq_catalog_migration_count =
    (int)(sizeof(sq_catalog_migrations) / sizeof(sq_catalog_migrations[0]));
