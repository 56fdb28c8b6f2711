/* sabaq scheduler: from the station's weekly grids, the school calendar
 * and the approved assets of the catalog to each channel's plan, one local
 * day at a time: a gap-free list of items from local midnight to local
 * midnight, every start on the 25 fps frame grid.
 *
 * The planner (SqPlanner: calendar.c, grid.c, sequence.c, fill.c, plan.c,
 * edit.c, diff.c) does no I/O: it is given rows (channels, grids, terms,
 * holidays, lessons, assets, where each sequence stands, which days are
 * published) and returns days of items and conflicts, deterministically.
 * The catalog side (load.c, plan_store.c, refresh.c, publish.c, show.c)
 * reads those rows, saves drafts, publishes versions and applies edits.
 *
 *   g_autoptr(SqPlanner) p = sq_planner_new("Asia/Almaty", &error);
 *   sq_planner_add_channel(p, &channel, &error); ... add grids, terms, assets
 *   g_autoptr(GPtrArray) days = sq_planner_build(p, "balapan", "2026-09-01", 7, &error);
 *
 * or, against the catalog, sq_plan_refresh() / sq_plan_publish() /
 * sq_plan_edit(). Instants are int64_t microseconds UTC; durations are
 * frames; local time (the grid's "09:00") is turned into instants per date
 * through GTimeZone. docs/scheduler.md describes the rules.
 */
#pragma once

#include "core/core.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- what a plan is made of ----------------------------------------- */

typedef enum {
    SQ_ITEM_LESSON,  /* the next lesson of a sequence, at its slot's start */
    SQ_ITEM_REPEAT,  /* a lesson aired again (repeat slot, fallback, holiday rule) */
    SQ_ITEM_FILLER,  /* fillers: after a lesson, outside the grid, in place of a missing lesson */
    SQ_ITEM_BREAK,   /* fillers in a break slot */
    SQ_ITEM_SLATE,   /* the house slate (a remainder too short to trim a filler to) */
    SQ_ITEM_HOLIDAY, /* fillers in a lesson slot on a day without school */
} SqItemKind;

/* "lesson", "repeat", "filler", "break", "slate", "holiday". */
const char *sq_item_kind_name(SqItemKind kind);
bool sq_item_kind_from_name(const char *name, SqItemKind *kind);

typedef struct {
    int64_t start_us, end_us; /* UTC, half-open, multiples of SQ_FRAME_US */
    SqItemKind kind;
    int64_t asset_id;    /* what airs; 0 only for a slate item when there is no slate */
    int64_t lesson_id;   /* 0 unless a lesson or repeat */
    const char *subject; /* interned (g_intern_string); NULL unless a lesson or repeat */
    int grade, number;
    const char *language; /* interned; the lesson's language */
    bool is_hard;         /* starts exactly at a grid slot's start */
    int slot_start_s;     /* the slot it belongs to (local seconds of the day), -1 outside */
} SqPlanItem;

typedef struct {
    int64_t at_us;    /* the slot's (or the day's) start */
    int slot_start_s; /* -1 when not about a slot */
    const char *code; /* static: missing-lesson, not-approved, no-language, too-long,
                         repeat-too-long, no-local-time, no-slate */
    char *message;    /* for a person, without date or channel */
} SqConflict;

typedef struct {
    char *channel_id;
    char day[11];             /* local date, YYYY-MM-DD */
    int64_t start_us, end_us; /* local midnight to the next local midnight, UTC */
    bool is_fixed;            /* a published day, kept as it was */
    GArray *items;            /* SqPlanItem, contiguous from start_us to end_us */
    GPtrArray *conflicts;     /* SqConflict* */
} SqPlanDay;

SqPlanDay *sq_plan_day_new(const char *channel_id, const char *day, int64_t start_us,
                           int64_t end_us);
void sq_plan_day_free(SqPlanDay *day);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqPlanDay, sq_plan_day_free)
void sq_plan_day_add_conflict(SqPlanDay *day, int64_t at_us, int slot_start_s, const char *code,
                              const char *format, ...) G_GNUC_PRINTF(5, 6);

/* Checks what every plan day must be: items contiguous from start_us to
 * end_us, every boundary on the frame grid, no empty item. Used by the
 * tests and before anything is stored. */
bool sq_plan_day_check(const SqPlanDay *day, GError **error);

/* "2026-09-07 09:00 balapan: reason", the time local in tz. Caller frees. */
char *sq_conflict_format(const SqConflict *conflict, const char *channel_id, GTimeZone *tz);

/* ---- the planner's input ---------------------------------------------- */

typedef enum { SQ_HOLIDAY_FILLERS, SQ_HOLIDAY_REPEATS } SqHolidayRule;
typedef enum { SQ_MISSING_REPEAT_PREVIOUS, SQ_MISSING_FILLERS } SqMissingRule;

typedef struct {
    const char *id;
    const char *language;    /* kk, ru: the default of its lesson slots */
    const char *filler_tags; /* space-separated: the filler pool */
    SqHolidayRule holiday_rule;
    SqMissingRule missing_rule;
} SqChannelSpec;

typedef enum { SQ_SLOT_LESSON, SQ_SLOT_BREAK, SQ_SLOT_REPEAT } SqSlotKind;

typedef struct {
    int start_s; /* local seconds of the day */
    int64_t length_frames;
    SqSlotKind kind;
    int grade;            /* lesson */
    const char *subject;  /* lesson */
    const char *language; /* lesson; NULL: the channel's */
    int repeat_of_s;      /* repeat: the start of the lesson slot it repeats */
} SqSlotSpec;

typedef enum { SQ_ASSET_LESSON, SQ_ASSET_FILLER, SQ_ASSET_SLATE } SqAssetKind;

typedef struct {
    int64_t id;
    SqAssetKind kind;
    int64_t lesson_id;    /* lesson */
    const char *language; /* lesson */
    const char *tags;     /* filler, slate: space-separated */
    int64_t duration_frames;
    const char *status; /* ready, approved, rejected, withdrawn: only approved airs */
} SqAssetSpec;

typedef struct SqPlanner SqPlanner;

/* A planner for a station in the IANA zone timezone. */
SqPlanner *sq_planner_new(const char *timezone, GError **error);
void sq_planner_free(SqPlanner *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqPlanner, sq_planner_free)

/* The station's zone. Borrowed. */
GTimeZone *sq_planner_timezone(const SqPlanner *p);

bool sq_planner_add_channel(SqPlanner *p, const SqChannelSpec *channel, GError **error);
/* A weekly grid: days is a bit set, bit 0 Monday ... bit 6 Sunday. Slots
 * must not overlap each other nor the channel's other grids on a shared
 * day, nor cross midnight. */
bool sq_planner_add_grid(SqPlanner *p, const char *channel_id, int days, const SqSlotSpec *slots,
                         size_t n_slots, GError **error);
/* School terms (inclusive local dates) and holidays. With no term at all,
 * every day but a holiday is a school day. */
bool sq_planner_add_term(SqPlanner *p, const char *first_day, const char *last_day, GError **error);
bool sq_planner_add_holiday(SqPlanner *p, const char *day, GError **error);
void sq_planner_add_lesson(SqPlanner *p, int64_t lesson_id, const char *subject, int grade,
                           int number);
/* A lesson asset's lesson must have been added first. */
bool sq_planner_add_asset(SqPlanner *p, const SqAssetSpec *asset, GError **error);

/* Where a sequence (channel, grade, subject, language) stands before the
 * first day built: the number and asset of the last lesson it aired. */
bool sq_planner_set_sequence(SqPlanner *p, const char *channel_id, const char *subject, int grade,
                             const char *language, int last_number, int64_t last_asset_id,
                             GError **error);

/* A published day: sq_planner_build returns it as it is (is_fixed) and
 * carries the sequences through what it airs. items are copied. */
bool sq_planner_fix_day(SqPlanner *p, const char *channel_id, const char *day,
                        const SqPlanItem *items, size_t n_items, GError **error);

/* Plans n_days local days of a channel from first_day (YYYY-MM-DD), in
 * order; sequences continue from where the previous call (or
 * sq_planner_set_sequence) left them. Returns SqPlanDay*, one per day. */
GPtrArray *sq_planner_build(SqPlanner *p, const char *channel_id, const char *first_day, int n_days,
                            GError **error);

/* The channel ids in the order added. Borrowed. */
GPtrArray *sq_planner_channel_ids(const SqPlanner *p);

/* Whether a channel's own filler pool has an approved asset (else the
 * house loop, else the slate fills its gaps). */
bool sq_planner_channel_has_pool(const SqPlanner *p, const char *channel_id);

/* An explicit edit of a day (edit.c): asset_id airs from at_us (on the
 * frame grid, inside the day); the item airing then is cut there; the rest
 * up to the next hard start (or the day's end) is filled again from the
 * channel's pool. Refuses an asset that is not approved or does not fit
 * before the next hard start. Conflicts of the replaced stretch go. */
bool sq_planner_edit_day(SqPlanner *p, SqPlanDay *day, int64_t at_us, int64_t asset_id,
                         GError **error);

/* ---- comparing two versions of a day (diff.c) ------------------------ */

typedef struct {
    char op; /* '=', '-' (only in the old version), '+' (only in the new) */
    const SqPlanItem *item;
} SqPlanDiffOp;

/* The shortest edit script from a to b (items compared by start, end,
 * kind, asset and hard start). GArray of SqPlanDiffOp pointing into a, b. */
GArray *sq_plan_diff(const GArray *a, const GArray *b);

/* ---- the catalog side -------------------------------------------------- */

/* A planner holding the catalog's station (channels, grids, calendar),
 * its lessons and assets. Fails when no station was imported. */
SqPlanner *sq_planner_load(SqCatalog *cat, GError **error);

typedef struct {
    GPtrArray *days;     /* SqPlanDay*, every day planned or kept, by channel then date */
    int days_planned;    /* drafts written */
    int days_kept;       /* published days left alone */
    int64_t items;       /* items written */
    int conflicts;       /* in the drafts written */
    GPtrArray *warnings; /* char*: things a planner should know that are not conflicts */
} SqPlanRefresh;

void sq_plan_refresh_clear(SqPlanRefresh *r);

/* `sabaq plan`: builds the drafts of n_days days from first_day for one
 * channel (or all when channel_id is NULL) and stores them in one
 * transaction, replacing older drafts. Published days are never changed;
 * sequences continue from the newest plan of the days before. */
bool sq_plan_refresh(SqCatalog *cat, const char *channel_id, const char *first_day, int n_days,
                     SqPlanRefresh *result, GError **error);

/* Stores days (non-fixed ones) as drafts, in the caller's transaction. */
bool sq_plan_store_drafts(SqCatalog *cat, GPtrArray *days, int64_t *items_written, GError **error);

typedef struct {
    int published; /* days that got a new version */
    int unchanged; /* days already published with no draft */
} SqPublishResult;

/* `sabaq publish`: every day of the range must have a draft or be
 * published already; the drafts become new published versions, in one
 * transaction. */
bool sq_plan_publish(SqCatalog *cat, const char *channel_id, const char *first_day, int n_days,
                     SqPublishResult *result, GError **error);

/* `sabaq schedule set`: a new published version of the day holding at_us
 * (local day of the station's zone) with asset_id airing from at_us
 * (sq_planner_edit_day). The day must be published. note says why. */
bool sq_plan_edit(SqCatalog *cat, const char *channel_id, int64_t at_us, int64_t asset_id,
                  const char *note, int *new_version, GError **error);

typedef struct {
    char *state; /* draft, published */
    int version; /* 0 for the draft */
    int64_t created_us, published_us;
    char *origin; /* plan, edit */
    char *note;
} SqPlanVersionInfo;

void sq_plan_version_info_clear(SqPlanVersionInfo *info);

/* One version of a channel's day: version N, or 0 = the newest published
 * one, else the draft, or -1 = the draft. NULL with SQ_ERROR_NOT_FOUND when there is none. */
SqPlanDay *sq_plan_day_load(SqCatalog *cat, const char *channel_id, const char *day, int version,
                            SqPlanVersionInfo *info, GError **error);

/* The published version numbers of a day, ascending (GArray of int). */
GArray *sq_plan_day_versions(SqCatalog *cat, const char *channel_id, const char *day,
                             GError **error);

/* The station's time zone as stored by the import. */
GTimeZone *sq_plan_station_timezone(SqCatalog *cat, GError **error);

/* The items of a day as `sabaq schedule --json` prints them: an array of
 * objects with start and end (RFC 3339 in tz), kind, asset, subject,
 * grade, number, language, title, hard, slot, duration_frames. */
JsonNode *sq_plan_day_to_json(SqCatalog *cat, const SqPlanDay *day, GTimeZone *tz, GError **error);

/* The title to show for an item: the lesson's in its language, else the
 * asset's, else NULL. Caller frees. */
char *sq_plan_item_title(SqCatalog *cat, const SqPlanItem *item, GError **error);

/* The name of the profile the house assets should match: the newest
 * non-slate asset's, else NULL (the default). */
char *sq_plan_house_profile(SqCatalog *cat);

/* "YYYY-MM-DD" -> GDate; false when not a valid date. */
bool sq_plan_parse_day(const char *text, GDate *date);

G_END_DECLS
