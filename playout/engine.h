/* One channel's engine (engine.c), set up by playout.c. */
#pragma once

#include "feeder.h"

typedef struct {
    char *id;
    SqCatalog *cat; /* the thread's own connection */
    Timeline *timeline;
    Output *out;
    OutputConfig out_config;           /* to rebuild the pipeline after a failure */
    char *hls_dir, *udp_url, *srt_url; /* owned, for out_config */
    Feeder feeder;
    char *slate_path, *loop_path;
    char *status_dir;
    char *source; /* "plan" or the rundown's path */
    Item current, next;
    int64_t item_from_us;
    int64_t asrun_id;
    int64_t last_progress_us;
    int64_t last_plan_check_us;
    int64_t last_status_us;
    int64_t cut_version;
    int64_t guide_version; /* plan version the SI guide was loaded at */
    int64_t last_guide_us;
    bool has_si;
    bool wants_si; /* a station channel with a transport stream */
    int64_t started_us;
    GPtrArray *errors; /* the last few, stamped */
    bool stopping, fatal;
    GThread *thread;
} Channel;

gpointer channel_run(gpointer data);
/* (Re)loads the channel's programme guide into the transport stream's SI
 * (first: turn SI on). Failures are logged: SI is not worth dead air. */
void channel_load_guide(Channel *ch, bool first);
void channel_note_error(Channel *ch, const char *text);
/* Writes the channel's status file (status.c). */
void channel_write_status(Channel *ch);
