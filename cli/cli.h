/* The sabaq command line: a verb table in main.c dispatching to
 * verb_<name>.c. Verbs parse options, call one library function, print. */
#pragma once

#include "core/core.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct {
    char *db_path;
    char *library_dir;
} SqCli;

/* Parses a verb's options with the global ones (--db, --library) added; prints the error and
 * returns false on a bad option. argv is the verb's (argv[0] is the verb). */
bool cli_parse(SqCli *cli, const char *verb, const char *parameters, const char *summary,
               const GOptionEntry *entries, int *argc, char ***argv);

/* Opens the catalog named by --db, creating its folder's library. Prints
 * the error and returns NULL on failure. */
SqCatalog *cli_open_catalog(SqCli *cli);

/* Prints "sabaq: message" on stderr. */
void cli_print_error(const GError *error);

/* A cancellable that SIGINT or SIGTERM cancels. Call before any thread is
 * started (the signals are blocked in every thread and taken by one). */
GCancellable *cli_cancel_on_signals(void);
/* Which signal cancelled it (0: none), for the exit status 128 + n. */
int cli_cancel_signal(void);

/* Prints a JSON node as one line on stdout. */
void cli_print_json(JsonNode *node);

typedef int (*SqVerbFn)(SqCli *cli, int argc, char **argv);

int verb_ingest(SqCli *cli, int argc, char **argv);
int verb_assets(SqCli *cli, int argc, char **argv);
int verb_approve(SqCli *cli, int argc, char **argv);
int verb_withdraw(SqCli *cli, int argc, char **argv);
int verb_import(SqCli *cli, int argc, char **argv);
int verb_playout(SqCli *cli, int argc, char **argv);
int verb_asrun(SqCli *cli, int argc, char **argv);
int verb_plan(SqCli *cli, int argc, char **argv);
int verb_publish(SqCli *cli, int argc, char **argv);
int verb_schedule(SqCli *cli, int argc, char **argv);
int verb_epg(SqCli *cli, int argc, char **argv);
int verb_serve(SqCli *cli, int argc, char **argv);
int verb_user(SqCli *cli, int argc, char **argv);
int verb_demo(SqCli *cli, int argc, char **argv);

/* Today's date in the station's zone (the machine's when there is no
 * station), YYYY-MM-DD. */
char *cli_station_today(SqCatalog *cat);
