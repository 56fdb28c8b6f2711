/* The catalog side of plans (plan_store.c), shared by refresh.c,
 * publish.c and show.c. */
#pragma once

#include "scheduler_private.h"

typedef struct {
    int version;        /* 0: a draft */
    const char *origin; /* plan, edit */
    const char *note;
} StoreVersion;

/* Writes day as a new row of plan_versions with its items and conflicts,
 * in the caller's transaction; adds the items written to *items. */
bool store_version(SqCatalog *cat, const SqPlanDay *day, const StoreVersion *v, int64_t *items,
                   GError **error);

/* The newest published version number of a day, 0 when none, -1 on error. */
int store_newest_version(SqCatalog *cat, const char *channel_id, const char *day, GError **error);

/* Sets where each of the channel's sequences stood before day (the plan
 * that counts for each earlier day: newest published, else draft). */
bool store_load_sequences(SqCatalog *cat, SqPlanner *p, const char *channel_id, const char *day,
                          GError **error);

/* Checks a command's range (--from YYYY-MM-DD, --days 1..732) and sets
 * *first; the error names the option. */
bool store_check_range(const char *first_day, int n_days, GDate *first, GError **error);
