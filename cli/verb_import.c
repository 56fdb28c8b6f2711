/* sabaq import: the station file into the catalog. */
#include "cli.h"

#include <stdio.h>

int verb_import(SqCli *cli, int argc, char **argv)
{
    if (!cli_parse(cli, "import", "STATION.xml",
                   "Validates a station file (subjects, channels, calendar, grids; see\n"
                   "docs/station.md) and replaces the catalog's station with it, all or nothing.",
                   NULL, &argc, &argv))
        return 2;
    if (argc != 2) {
        fprintf(stderr, "sabaq import: name one station file\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    SqStationSummary s;
    g_autoptr(GError) error = NULL;
    if (!sq_station_import(cat, argv[1], &s, &error)) {
        cli_print_error(error);
        return 1;
    }
    g_autofree char *name = g_path_get_basename(argv[1]);
    printf("%s: imported %d subject%s, %d channel%s, %d grid%s with %d slot%s, %d term%s, "
           "%d holiday%s\n",
           name, s.subjects, s.subjects == 1 ? "" : "s", s.channels, s.channels == 1 ? "" : "s",
           s.grids, s.grids == 1 ? "" : "s", s.slots, s.slots == 1 ? "" : "s", s.terms,
           s.terms == 1 ? "" : "s", s.holidays, s.holidays == 1 ? "" : "s");
    return 0;
}
