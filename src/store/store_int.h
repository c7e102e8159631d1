/*
 * store_int.h: shared by the files of src/store/ only.
 */
#ifndef RB_STORE_INT_H
#define RB_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
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

/* Fact amounts (fact_rows, resource_fact_rows; schema v10) are integers in
 * units of 10^-DEC_SCALE stored as a pair: value = hi * STORE_AMOUNT_SPLIT
 * + lo, |lo| < STORE_AMOUNT_SPLIT, hi of the same sign and NULL when 0. */
#define STORE_AMOUNT_SPLIT ((rb_i128)1000000000000000000LL)

/* Splits v into its pair; -1 when hi does not fit 64 bits (|v| >= ~9.2e36
 * units, ~9.2e26 USD): the caller refuses the amount, never rounds it. */
int store_amount_split_int(int64_t *lo, int64_t *hi, rb_i128 v);

/* The amount stored in columns lo_col (INTEGER) and hi_col (NULL or
 * INTEGER) into *out. Returns 0, or -1 for any other cell (damaged). */
int store_col_units_int(rb_i128 *out, sqlite3_stmt *st, int lo_col, int hi_col);

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

/* A fact dictionary read into memory (fact_accounts or fact_dims, schema
 * v10): v[id] is the string of id, NULL for an id not in the table. */
struct store_dict {
	char **v;
	size_t n;
};

/* The two dictionaries a fact's key needs. */
struct store_fact_dicts {
	struct store_dict accounts, dims;
};

/* Loads both dictionaries (inside the caller's read transaction, so they
 * match the facts it reads); release with store_fact_dicts_release_int. */
int store_fact_dicts_load_int(struct store_fact_dicts *d, sqlite3 *db, struct rb_err *err);
void store_fact_dicts_release_int(struct store_fact_dicts *d);

/* The string of id in d, or NULL when d has no such id (damaged). */
static inline const char *store_dict_get_int(const struct store_dict *d, int64_t id)
{
	return id >= 0 && (uint64_t)id < d->n ? d->v[id] : NULL;
}

/* As store_col_fact_int for a fact_rows row: the key's ids (payer_id,
 * account_id, type_id, class_id, product_id, product_name_id,
 * usage_type_id, operation_id, region_id, owner_id) from column col on,
 * rows at rows_col, the unblended, ondemand and effective pairs' lo parts
 * from lo_col on and hi parts from hi_col on. Strings point into d. */
int store_col_fact_ids_int(struct cur_fact *f, const struct store_fact_dicts *d,
	sqlite3_stmt *st, int col, int rows_col, int lo_col, int hi_col);

/* Several statements that must see one state: when no transaction is open,
 * begins a read transaction and sets *began (end it with store_read_end_int);
 * inside a transaction (a snapshot, a change) does nothing. */
int store_read_begin_int(struct store *s, int *began, struct rb_err *err);
void store_read_end_int(struct store *s, int began);

/* Registers rebill's SQL functions (dec_sum) on a new connection. */
int store_functions_register_int(sqlite3 *db, struct rb_err *err);

#endif
