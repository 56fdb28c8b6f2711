/* The station file as read (station.c) before it is stored
 * (station_store.c). Private to core/ and its tests. */
#pragma once

#include "core.h"

typedef struct {
    char *id;
    char *name_kk, *name_ru;
} SqStationSubject;

typedef struct {
    char *id;
    char *language;
    int service_id;
    char *name_kk, *name_ru;
    char *icon;
    char *filler_tags;  /* space separated */
    char *holiday_rule; /* fillers, repeats */
    char *missing_rule; /* repeat-previous, fillers */
    GPtrArray *outputs; /* "hls PATH", "udp URL", "srt URL" */
} SqStationChannel;

typedef struct {
    char first_day[11], last_day[11]; /* YYYY-MM-DD, inclusive */
} SqStationTerm;

typedef struct {
    char day[11];
    char *name_kk, *name_ru;
} SqStationHoliday;

typedef struct {
    int line;
    int start_s; /* local time of day, seconds */
    int64_t length_frames;
    char *kind;      /* lesson, break, repeat */
    int grade;       /* lesson */
    char *subject;   /* lesson */
    char *language;  /* lesson: the slot's, else the channel's */
    int repeat_of_s; /* repeat: start of the repeated slot */
} SqStationSlot;

typedef struct {
    int line;
    char *channel;
    int days;         /* bit 0 = Monday ... bit 6 = Sunday */
    GPtrArray *slots; /* SqStationSlot*, sorted by start */
} SqStationGrid;

typedef struct {
    char *timezone;
    GPtrArray *subjects; /* SqStationSubject* */
    GPtrArray *channels; /* SqStationChannel* */
    GArray *terms;       /* SqStationTerm */
    GPtrArray *holidays; /* SqStationHoliday* */
    GPtrArray *grids;    /* SqStationGrid* */
} SqStation;

SqStation *sq_station_new(void);
void sq_station_free(SqStation *st);
void sq_station_slot_free(SqStationSlot *slot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SqStation, sq_station_free)

/* Parses and checks station XML; errors are "file:line: what". */
SqStation *sq_station_parse(const char *path, const char *text, gsize length, GError **error);
SqStation *sq_station_load(const char *path, GError **error);

const SqStationSubject *sq_station_find_subject(const SqStation *st, const char *id);
const SqStationChannel *sq_station_find_channel(const SqStation *st, const char *id);

/* Replaces the catalog's station (subjects, channels, calendar, grids) by
 * st in one transaction. */
bool sq_station_store(SqCatalog *cat, const SqStation *st, const char *source, GError **error);
