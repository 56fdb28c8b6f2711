/* The catalog's schema, for catalog.c only. */
#pragma once

/* migrations[i] moves the schema from version i to version i + 1. Append
 * new migrations; never edit one that has shipped. */
extern const char *const sq_catalog_migrations[];
extern const int sq_catalog_migration_count;
