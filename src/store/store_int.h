/*
 * store_int.h: shared by the files of src/store/ only.
 */
#ifndef RB_STORE_INT_H
#define RB_STORE_INT_H

#include <stddef.h>
#include <sqlite3.h>

#include "cur/fact.h"
#include "store/store.h"
#include "util/decimal.h"

struct store_migration {
	int version;
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const size_t store_nmigrations;

/* A result column as text: "" for NULL, never NULL. */
const char *store_col_text_int(sqlite3_stmt *st, int col);

/* A stored amount column (canonical decimal TEXT, see store.h) at DEC_SCALE
 * into *out: NULL and '' are 0. Returns 0, or -1 when the cell is not a
 * decimal (a damaged database; callers report it). */
int store_col_amount_int(rb_i128 *out, sqlite3_stmt *st, int col);

/* THE database error of src/store: sets err to RB_EIO "database: WHAT:
 * SQLITE MESSAGE" (the message of db's last failed call) and returns
 * RB_EIO. what is a printf format. */
int store_fail_int(sqlite3 *db, struct rb_err *err, const char *what, ...)
	__attribute__((format(printf, 3, 4)));

/* The fact's key columns (payer, account, line_item_type, class,
 * product_code, product_name, usage_type, operation, region, owner) from
 * column col on, and its sums (rows at rows_col; unblended, ondemand,
 * effective from amounts_col on) into f; strings valid until the next step.
 * Returns 0, or -1 when the class or an amount is damaged. */
int store_col_fact_int(struct cur_fact *f, sqlite3_stmt *st, int col, int rows_col,
	int amounts_col);

/* Several statements that must see one state: when no transaction is open,
 * begins a read transaction and sets *began (end it with store_read_end_int);
 * inside a transaction (a snapshot, a change) does nothing. */
int store_read_begin_int(struct store *s, int *began, struct rb_err *err);
void store_read_end_int(struct store *s, int began);

/* Registers rebill's SQL functions (dec_sum) on a new connection. */
int store_functions_register_int(sqlite3 *db, struct rb_err *err);

#endif
