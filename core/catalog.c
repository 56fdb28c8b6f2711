/* The catalog connection: opening, pragmas, migrations, statement cache,
 * transactions. Tables are owned by the stages; see catalog_schema.c. */
#include "core.h"
#include "catalog_private.h"

struct SqCatalog {
    sqlite3 *db;
    char *path;
    GHashTable *statements; /* static SQL text -> sqlite3_stmt* */
};

GQuark sq_error_quark(void)
{
    return g_quark_from_static_string("sabaq-error");
}

void sq_catalog_set_error(SqCatalog *cat, GError **error, const char *what)
{
    g_set_error(error, SQ_ERROR, SQ_ERROR_DB, "%s: %s: %s", cat->path, what,
                sqlite3_errmsg(cat->db));
}

bool sq_catalog_exec(SqCatalog *cat, const char *sql, GError **error)
{
    char *message = NULL;
    if (sqlite3_exec(cat->db, sql, NULL, NULL, &message) != SQLITE_OK) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_DB, "%s: %s", cat->path,
                    message ? message : sqlite3_errmsg(cat->db));
        sqlite3_free(message);
        return false;
    }
    return true;
}

int sq_catalog_schema_version(SqCatalog *cat)
{
    sqlite3_stmt *stmt = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(cat->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return version;
}

static bool migrate(SqCatalog *cat, GError **error)
{
    if (!sq_catalog_begin_write(cat, error))
        return false;
    int version = sq_catalog_schema_version(cat);
    if (version > sq_catalog_migration_count) {
        sq_catalog_rollback(cat);
        g_set_error(error, SQ_ERROR, SQ_ERROR_DB,
                    "%s: catalog schema version %d is newer than this sabaq knows (%d); "
                    "upgrade sabaq",
                    cat->path, version, sq_catalog_migration_count);
        return false;
    }
    for (int v = version; v < sq_catalog_migration_count; v++) {
        if (!sq_catalog_exec(cat, sq_catalog_migrations[v], error)) {
            sq_catalog_rollback(cat);
            g_prefix_error(error, "migration to schema %d: ", v + 1);
            return false;
        }
        g_autofree char *set = g_strdup_printf("PRAGMA user_version = %d", v + 1);
        if (!sq_catalog_exec(cat, set, error)) {
            sq_catalog_rollback(cat);
            return false;
        }
        if (version > 0)
            g_message("catalog %s migrated to schema %d", cat->path, v + 1);
    }
    return sq_catalog_commit(cat, error);
}

static void finalize_statement(gpointer stmt)
{
    sqlite3_finalize(stmt);
}

SqCatalog *sq_catalog_open(const char *path, GError **error)
{
    g_autoptr(SqCatalog) cat = g_new0(SqCatalog, 1);
    cat->path = g_strdup(path);
    cat->statements =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize_statement);

    int rc = sqlite3_open_v2(
        path, &cat->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_DB, "%s: cannot open catalog: %s", path,
                    cat->db ? sqlite3_errmsg(cat->db) : sqlite3_errstr(rc));
        return NULL;
    }
    /* Another process (a watch service, playout) may hold the write lock for
     * a moment: wait rather than fail. */
    sqlite3_busy_timeout(cat->db, 10000);
    sqlite3_extended_result_codes(cat->db, 1);
    if (!sq_catalog_exec(cat,
                         "PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = NORMAL;"
                         "PRAGMA foreign_keys = ON;"
                         /* A year of plans is written in one transaction:
                          * with the default 2 MB cache its pages spill
                          * to the WAL and are read back. */
                         "PRAGMA cache_size = -65536;",
                         error))
        return NULL;
    if (!migrate(cat, error))
        return NULL;
    return g_steal_pointer(&cat);
}

void sq_catalog_free(SqCatalog *cat)
{
    if (!cat)
        return;
    if (cat->statements)
        g_hash_table_destroy(cat->statements);
    if (cat->db)
        sqlite3_close(cat->db);
    g_free(cat->path);
    g_free(cat);
}

sqlite3 *sq_catalog_db(SqCatalog *cat)
{
    return cat->db;
}

sqlite3_stmt *sq_catalog_prepare(SqCatalog *cat, const char *sql, GError **error)
{
    sqlite3_stmt *stmt = g_hash_table_lookup(cat->statements, sql);
    if (stmt) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return stmt;
    }
    if (sqlite3_prepare_v3(cat->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
        sq_catalog_set_error(cat, error, "preparing a statement");
        return NULL;
    }
    g_hash_table_insert(cat->statements, (gpointer)sql, stmt);
    return stmt;
}

bool sq_catalog_begin_write(SqCatalog *cat, GError **error)
{
    return sq_catalog_exec(cat, "BEGIN IMMEDIATE", error);
}

bool sq_catalog_commit(SqCatalog *cat, GError **error)
{
    if (!sq_catalog_exec(cat, "COMMIT", error)) {
        sq_catalog_rollback(cat);
        return false;
    }
    return true;
}

void sq_catalog_rollback(SqCatalog *cat)
{
    if (!sqlite3_get_autocommit(cat->db))
        sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
}
