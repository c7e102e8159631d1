/*
 * store_int.h: shared by the files of src/store/ only.
 */
#ifndef RB_STORE_INT_H
#define RB_STORE_INT_H

#include <stddef.h>
#include <sqlite3.h>

#include "store/store.h"

struct store_migration {
	int version;
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const size_t store_nmigrations;

/* Registers rebill's SQL functions (dec_sum) on a new connection. */
int store_functions_register_int(sqlite3 *db, struct rb_err *err);

#endif
