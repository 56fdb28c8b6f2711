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

static const char v3_plans[] =
    /* core/station_store.c: what a channel airs when the calendar has no
     * school (holiday) and when a lesson is missing (docs/station.md). */
    "ALTER TABLE channels ADD COLUMN holiday_rule TEXT NOT NULL DEFAULT 'fillers'"
    "  CHECK (holiday_rule IN ('fillers', 'repeats'));"
    "ALTER TABLE channels ADD COLUMN missing_rule TEXT NOT NULL DEFAULT 'repeat-previous'"
    "  CHECK (missing_rule IN ('repeat-previous', 'fillers'));"

    /* scheduler: one version of one channel's local day. A day has either
     * one draft (version NULL, rebuilt by `sabaq plan`) or published
     * versions 1, 2, ... (never changed; an edit adds a version). No foreign
     * key to channels: re-importing the station must not take the history
     * of what was published with it. */
    "CREATE TABLE plan_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id TEXT NOT NULL,"
    "  day TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('draft', 'published')),"
    "  version INTEGER CHECK (version >= 1),"
    "  start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,"
    "  created_us INTEGER NOT NULL,"
    "  published_us INTEGER,"
    "  origin TEXT NOT NULL CHECK (origin IN ('plan', 'edit')),"
    "  note TEXT,"
    "  CHECK ((state = 'published') = (version IS NOT NULL AND published_us IS NOT NULL)),"
    "  CHECK (end_us > start_us),"
    "  UNIQUE (channel_id, day, version));"
    "CREATE UNIQUE INDEX plan_versions_draft ON plan_versions(channel_id, day)"
    "  WHERE state = 'draft';"

    /* scheduler: the items of a version, contiguous from the day's start to
     * its end. kind is the item's role; asset what airs (NULL only for a
     * slate item when the catalog has no slate). slot_start_s names the
     * grid slot (local seconds of the day) an item belongs to. Lesson fields
     * are copied so that sequences can be followed without joins.
     * A year of plans is millions of rows written in one go, so this table
     * has no CHECK and no foreign key (together they triple the time to
     * store a plan): the scheduler checks every day before storing it
     * (sq_plan_day_check), deletes a version's items with the version
     * (scheduler/plan_store.c), and the assets and lessons named are never
     * deleted (assets are withdrawn, not removed). */
    "CREATE TABLE plan_items ("
    "  version_id INTEGER NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,"
    "  kind TEXT NOT NULL," /* lesson, repeat, filler, break, slate, holiday */
    "  asset_id INTEGER,"
    "  is_hard INTEGER NOT NULL DEFAULT 0,"
    "  slot_start_s INTEGER,"
    "  lesson_id INTEGER,"
    "  subject_id TEXT, grade INTEGER, number INTEGER,"
    "  language TEXT,"
    "  PRIMARY KEY (version_id, position)) WITHOUT ROWID;"

    /* scheduler: what a version could not do as the grid asked, with the
     * date, slot and reason (kept with the version it explains). */
    "CREATE TABLE plan_conflicts ("
    "  version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  at_us INTEGER NOT NULL,"
    "  slot_start_s INTEGER,"
    "  code TEXT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  PRIMARY KEY (version_id, position)) WITHOUT ROWID;";

static const char v_playout[] =
    /* playout/asrun.c: what really aired, one row per item (or per house
     * loop / slate stretch). Times are UTC microseconds; aired_frames is
     * refreshed while the item airs so a killed engine leaves an honest
     * figure, and its 'airing' row becomes 'interrupted' on restart. */
    "CREATE TABLE asrun ("
    "  id INTEGER PRIMARY KEY,"
    "  channel_id TEXT NOT NULL,"
    "  planned_start_us INTEGER NOT NULL, planned_end_us INTEGER NOT NULL,"
    "  actual_start_us INTEGER NOT NULL,"
    "  aired_frames INTEGER NOT NULL DEFAULT 0,"
    "  asset_id INTEGER,"
    "  kind TEXT NOT NULL, title TEXT,"
    "  source TEXT NOT NULL CHECK (source IN ('plan', 'rundown', 'loop')),"
    "  plan_version INTEGER,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('airing', 'aired', 'joined', 'cut', 'slate', 'interrupted')),"
    "  reason TEXT);"
    "CREATE INDEX asrun_channel ON asrun(channel_id, planned_start_us);";

static const char v_web[] =
    /* web: planner, operator and admin accounts (students need none).
     * password is libsodium's argon2id string (salt and parameters in it). */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('planner', 'operator', 'admin')),"
    "  password TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL);"
    /* web: logged-in sessions; the cookie carries a random token, the
     * catalog only its SHA-256, so a copy of the catalog logs nobody in. */
    "CREATE TABLE sessions ("
    "  token_sha256 TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL,"
    "  expires_us INTEGER NOT NULL);"
    /* web: failed logins, for rate limiting by client address and name. */
    "CREATE TABLE login_failures ("
    "  client TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  at_us INTEGER NOT NULL);"
    "CREATE INDEX login_failures_client ON login_failures(client, at_us);";

const char *const sq_catalog_migrations[] = {
    v1_lessons_and_assets,
    v2_station,
    v3_plans,
    v_playout,
    v_web,
};

const int sq_catalog_migration_count =
    (int)(sizeof(sq_catalog_migrations) / sizeof(sq_catalog_migrations[0]));
