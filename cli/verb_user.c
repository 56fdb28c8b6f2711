/* sabaq user: planner, operator and admin accounts of the web pages. */
#include "cli.h"
#include "web/web.h"

#include <stdio.h>
#include <string.h>

/* The password: the first line of FILE, or of standard input. */
static char *read_password(const char *file, GError **error)
{
    g_autofree char *text = NULL;
    if (file) {
        if (!g_file_get_contents(file, &text, NULL, error))
            return NULL;
    } else {
        char line[1024];
        if (!fgets(line, sizeof(line), stdin)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                        "give the password on standard input or with --password-file");
            return NULL;
        }
        text = g_strdup(line);
    }
    text[strcspn(text, "\r\n")] = '\0';
    return g_steal_pointer(&text);
}

int verb_user(SqCli *cli, int argc, char **argv)
{
    g_autofree char *role = NULL, *password_file = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        {"role", 0, 0, G_OPTION_ARG_STRING, &role, "planner, operator or admin (add)", "ROLE"},
        {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
         "Read the password from FILE (default: standard input)", "FILE"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (list)", NULL},
        G_OPTION_ENTRY_NULL,
    };
    if (!cli_parse(cli, "user", "add NAME --role ROLE | remove NAME | list",
                   "Manages the accounts of the planner's and operator's pages. Passwords are\n"
                   "stored as argon2id hashes; students need no account.",
                   entries, &argc, &argv))
        return 2;
    const char *action = argc > 1 ? argv[1] : NULL;
    bool ok_args =
        action && ((strcmp(action, "list") == 0 && argc == 2) ||
                   ((strcmp(action, "add") == 0 || strcmp(action, "remove") == 0) && argc == 3));
    if (!ok_args) {
        fprintf(stderr, "sabaq user: add NAME --role ROLE, remove NAME or list\n");
        return 2;
    }
    g_autoptr(SqCatalog) cat = cli_open_catalog(cli);
    if (!cat)
        return 1;
    g_autoptr(GError) error = NULL;
    if (strcmp(action, "list") == 0) {
        g_autoptr(JsonNode) users = sq_web_users_json(cat, &error);
        if (!users) {
            cli_print_error(error);
            return 1;
        }
        if (json) {
            cli_print_json(users);
        } else {
            JsonArray *a = json_node_get_array(users);
            for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonObject *u = json_array_get_object_element(a, i);
                printf("%-20s %-9s %s\n", json_object_get_string_member(u, "name"),
                       json_object_get_string_member(u, "role"),
                       json_object_get_string_member(u, "created"));
            }
        }
        return 0;
    }
    if (strcmp(action, "remove") == 0) {
        if (!sq_web_user_remove(cat, argv[2], &error)) {
            cli_print_error(error);
            return 1;
        }
        printf("removed %s\n", argv[2]);
        return 0;
    }
    g_autofree char *password = read_password(password_file, &error);
    if (!password || !sq_web_user_add(cat, argv[2], role, password, &error)) {
        cli_print_error(error);
        return 1;
    }
    printf("%s: %s\n", argv[2], role);
    return 0;
}
