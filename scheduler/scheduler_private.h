/* The planner's insides, shared by the files of scheduler/ and its tests. */
#pragma once

#include "scheduler.h"

/* A filler remainder shorter than this airs the slate rather than a few
 * frames cut from a filler's start. */
#define SQ_MIN_TRIM_FRAMES (2 * SQ_FPS)

typedef struct {
    int64_t id;
    SqAssetKind kind;
    int64_t lesson_id;
    const char *language; /* interned */
    char **tags;
    int64_t duration_frames;
    bool is_approved;
    char *status;
} Asset;

typedef struct {
    int64_t id;
    const char *subject; /* interned */
    int grade, number;
    GPtrArray *assets; /* Asset*, every recording in any status, by id */
} Lesson;

typedef struct {
    SqSlotSpec spec; /* subject, language interned */
} Slot;

typedef struct {
    int days;
    GArray *slots; /* Slot, by start */
} Grid;

/* Where one (grade, subject, language) stands on a channel. */
typedef struct {
    const char *subject; /* interned */
    int grade;
    const char *language; /* interned */
    int last_number;      /* 0: nothing aired yet */
    int64_t last_asset_id;
} Sequence;

/* The assets that fill a channel's gaps. */
typedef struct {
    GPtrArray *assets;    /* Asset*, by id: the rotation order */
    GPtrArray *by_length; /* the same, by duration then id: the longest that fits */
    const Asset *slate;   /* NULL when the catalog has none */
    bool is_own;          /* the channel's own tags (not the house loop) */
} Pool;

typedef struct {
    char *id;
    const char *language; /* interned */
    char **filler_tags;
    SqHolidayRule holiday_rule;
    SqMissingRule missing_rule;
    GPtrArray *grids;      /* Grid* */
    GHashTable *sequences; /* "subject/grade/language" -> Sequence* */
    GHashTable *fixed;     /* julian day -> SqPlanDay* (published) */
    Pool *pool;            /* built on first use */
} Channel;

struct SqPlanner {
    GTimeZone *tz;
    GPtrArray *channels;       /* Channel* */
    GPtrArray *channel_ids;    /* borrowed ids, for sq_planner_channel_ids */
    GArray *terms;             /* pairs of guint32 julian days */
    GHashTable *holidays;      /* julian day (GUINT_TO_POINTER) -> present */
    GHashTable *lessons;       /* "subject/grade/number" -> Lesson* */
    GHashTable *lessons_by_id; /* int64 -> Lesson* (borrowed) */
    GHashTable *assets;        /* int64 -> Asset* */
    GPtrArray *filler_assets;  /* approved fillers (borrowed), by id */
    const Asset *slate;        /* the newest approved slate */
};

/* planner.c */
Channel *planner_channel(const SqPlanner *p, const char *id);
const Asset *planner_asset(const SqPlanner *p, int64_t id);
const Lesson *planner_lesson(const SqPlanner *p, const char *subject, int grade, int number);
const Lesson *planner_lesson_by_id(const SqPlanner *p, int64_t id);
const Pool *planner_pool(SqPlanner *p, Channel *c);

/* calendar.c: local days as GDate julian numbers. */
bool calendar_is_school_day(const SqPlanner *p, guint32 julian);
/* The UTC instant of a local time of day on a date; false when that time
 * does not exist there (a clock change skipped it). */
bool calendar_local_instant(GTimeZone *tz, guint32 julian, int seconds_of_day, int64_t *instant_us);
void calendar_format_day(guint32 julian, char out[11]);

/* grid.c: a channel's slots on one date, as instants. */
typedef struct {
    const Slot *slot;
    int64_t start_us, end_us;
} Occurrence;

/* The slots of the grids airing on julian, sorted by start, clipped to the
 * day; slots that cannot air (a local time a clock change skipped) are
 * left out with a conflict in day. */
GArray *grid_expand(const SqPlanner *p, const Channel *c, guint32 julian, SqPlanDay *day);

/* sequence.c */
Sequence *sequence_get(Channel *c, const char *subject, int grade, const char *language);
void sequence_note_aired(Channel *c, const SqPlanItem *item);

typedef enum {
    CHOICE_NONE,   /* nothing to air: fill */
    CHOICE_LESSON, /* the next lesson */
    CHOICE_REPEAT, /* a lesson again */
} ChoiceKind;

typedef struct {
    ChoiceKind kind;
    const Asset *asset;
    const Lesson *lesson;
    bool is_holiday; /* a day without school: the fill is kind holiday */
} Choice;

/* What a lesson slot airs on a school day (advancing its sequence when the
 * lesson airs) or on a day without school (the holiday rule); conflicts go
 * into day. */
Choice sequence_choose(SqPlanner *p, Channel *c, const Slot *slot, int64_t at_us, bool is_school,
                       SqPlanDay *day);

/* fill.c: appends items covering [start_us, end_us) to day. The first item
 * is hard when first_is_hard. */
void fill_gap(SqPlanDay *day, const Pool *pool, int64_t start_us, int64_t end_us, SqItemKind kind,
              int slot_start_s, bool first_is_hard);

/* plan.c */
void plan_append(SqPlanDay *day, const SqPlanItem *item);
void plan_item_set_lesson(SqPlanItem *item, const Lesson *lesson, const Asset *asset);
