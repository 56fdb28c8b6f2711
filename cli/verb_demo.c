/* sabaq demo: the demo station (scripts/demo.sh of the source tree this
 * binary was built from): sample lessons, a station, a published week,
 * playout of both channels and the web server. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int verb_demo(SqCli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: sabaq demo\n\nRuns the demo station (scripts/demo.sh): generates and "
               "ingests 24 lessons, imports\na two-channel station, plans and publishes a week, "
               "and serves it with playout\nat http://127.0.0.1:8080/ until Ctrl-C. "
               "SABAQ_DEMO_PORT changes the port.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "sabaq demo: no arguments (SABAQ_DEMO_PORT sets the port)\n");
        return 2;
    }
    g_autofree char *script = g_build_filename(SQ_SOURCE_ROOT, "scripts", "demo.sh", NULL);
    execl("/bin/bash", "bash", script, (char *)NULL);
    fprintf(stderr, "sabaq demo: cannot run %s\n", script);
    return 1;
}
