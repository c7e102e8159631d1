/*
 * functions.c: SQL functions rebill adds to SQLite so that sums of stored
 * amounts stay exact in SQL: dec_sum(x) is an aggregate returning the exact
 * sum as canonical TEXT (DEC_SCALE digits) of decimal TEXT or of INTEGER
 * units of 10^-DEC_SCALE; dec_sum(lo, hi) sums a fact amount stored as a
 * pair (store_int.h). NULL and '' count as 0; a value that is not a
 * decimal makes the query fail rather than guess. SQLite's own SUM would
 * not do: it fails on 64-bit overflow of a large period's total. In
 * PostgreSQL the same is SUM(lo::numeric + COALESCE(hi, 0)::numeric * 10^18)
 * (SUM of NUMERIC is exact), divided by 10^10 when read. Also the readers of
 * result columns every query in src/store uses: text and stored amounts.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cur/cur.h"
#include "util/decimal.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* SQLite's aggregate context is only 8-byte aligned: the 128-bit sum is
 * kept as bytes and copied in and out (memcpy), never accessed in place. */
struct sum_ctx {
	unsigned char sum[sizeof(rb_i128)];
	int bad;
};

/* One argument: a stored decimal TEXT, or an INTEGER in units of
 * 10^-DEC_SCALE. Two: the (lo, hi) pair of a fact amount (store_int.h). */
static int value_units(rb_i128 *v, sqlite3_value *x)
{
	const unsigned char *txt;
	int n;

	*v = 0;
	switch (sqlite3_value_type(x)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		*v = sqlite3_value_int64(x);
		return 0;
	case SQLITE_FLOAT:
		return -1;     /* never money */
	default:
		txt = sqlite3_value_text(x);
		n = sqlite3_value_bytes(x);
		if (n == 0)
			return 0;
		return dec_parse(v, (const char *)txt, (size_t)n, DEC_SCALE) == DEC_OK ? 0 : -1;
	}
}

static int arg_units(rb_i128 *v, int argc, sqlite3_value **argv)
{
	rb_i128 hi = 0;
	if (value_units(v, argv[0]) < 0)
		return -1;
	if (argc < 2 || sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return 0;
	if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER)
		return -1;
	hi = sqlite3_value_int64(argv[1]);
	*v += hi * STORE_AMOUNT_SPLIT;   /* |hi| < 2^63: no overflow in 128 bits */
	return 0;
}

static void dec_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct sum_ctx *a = sqlite3_aggregate_context(ctx, sizeof(*a));
	rb_i128 v, sum;

	if (!a || a->bad)
		return;
	memcpy(&sum, a->sum, sizeof(sum));
	if (arg_units(&v, argc, argv) < 0 || dec_add(&sum, sum, v) != DEC_OK)
		a->bad = 1;
	else
		memcpy(a->sum, &sum, sizeof(sum));
}

static void dec_sum_final(sqlite3_context *ctx)
{
	struct sum_ctx *a = sqlite3_aggregate_context(ctx, 0);
	char buf[DEC_BUFSZ];
	rb_i128 sum = 0;
	size_t n;

	if (a && a->bad) {
		sqlite3_result_error(ctx, "dec_sum: a value is not an exact decimal or the sum overflows", -1);
		return;
	}
	if (a)
		memcpy(&sum, a->sum, sizeof(sum));
	n = dec_format(buf, sizeof(buf), sum, DEC_SCALE, DEC_SCALE);
	sqlite3_result_text(ctx, buf, (int)n, SQLITE_TRANSIENT);
}

const char *store_col_text_int(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t ? t : "";
}

/* The stored form is canonical ("-12.3456789012": DEC_SCALE digits after
 * the point, at most 27 before): read that directly, anything else through
 * dec_parse. Same value either way; this is only faster. */
int store_col_amount_int(rb_i128 *out, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col), i = 0, neg = 0, dot;
	rb_i128 v = 0;

	*out = 0;
	if (!t || n == 0)
		return 0;
	if (t[0] == '-')
		neg = i = 1;
	dot = n - DEC_SCALE - 1;
	if (dot <= i || dot - i > 27 || t[dot] != '.')
		goto slow;
	for (; i < n; i++) {
		if (i == dot)
			continue;
		if (t[i] < '0' || t[i] > '9')
			goto slow;
		v = v * 10 + (t[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
slow:
	return dec_parse(out, t, (size_t)n, DEC_SCALE) == DEC_OK ? 0 : -1;
}

int store_amount_split_int(int64_t *lo, int64_t *hi, rb_i128 v)
{
	rb_i128 h = v / STORE_AMOUNT_SPLIT;
	*lo = (int64_t)(v % STORE_AMOUNT_SPLIT);
	*hi = 0;
	if (h > INT64_MAX || h < -INT64_MAX)
		return -1;
	*hi = (int64_t)h;
	return 0;
}

int store_col_units_int(rb_i128 *out, sqlite3_stmt *st, int lo_col, int hi_col)
{
	*out = 0;
	if (sqlite3_column_type(st, lo_col) != SQLITE_INTEGER)
		return -1;
	*out = sqlite3_column_int64(st, lo_col);
	switch (sqlite3_column_type(st, hi_col)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		*out += (rb_i128)sqlite3_column_int64(st, hi_col) * STORE_AMOUNT_SPLIT;
		return 0;
	default:
		return -1;
	}
}

/* amount_lo(text) / amount_hi(text): the stored pair of a decimal TEXT
 * (migration v10); a cell that is not a decimal, or is too large, fails the
 * statement — and with it the migration — instead of guessing. */
static void amount_part(sqlite3_context *ctx, sqlite3_value **argv, int want_hi)
{
	rb_i128 v;
	int64_t lo, hi;
	if (value_units(&v, argv[0]) < 0 || store_amount_split_int(&lo, &hi, v) < 0) {
		sqlite3_result_error(ctx, "amount: a value is not an exact decimal or is too large", -1);
		return;
	}
	if (!want_hi)
		sqlite3_result_int64(ctx, lo);
	else if (hi)
		sqlite3_result_int64(ctx, hi);
	else
		sqlite3_result_null(ctx);
}

static void amount_lo_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	amount_part(ctx, argv, 0);
}

static void amount_hi_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	amount_part(ctx, argv, 1);
}

int store_functions_register_int(sqlite3 *db, struct rb_err *err)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	if (sqlite3_create_function_v2(db, "dec_sum", 1, flags, NULL, NULL, dec_sum_step,
			dec_sum_final, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "dec_sum", 2, flags, NULL, NULL, dec_sum_step,
			dec_sum_final, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot register dec_sum");
	if (sqlite3_create_function_v2(db, "amount_lo", 1, flags, NULL, amount_lo_fn, NULL, NULL,
			NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "amount_hi", 1, flags, NULL, amount_hi_fn, NULL, NULL,
			NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot register amount_lo/amount_hi");
	return 0;
}

/* ---- fact dictionaries ---- */

static int dict_load(struct store_dict *d, sqlite3 *db, const char *sql, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	d->v = NULL;
	d->n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t max = sqlite3_column_int64(st, 0);
		if (max < 0 || max > INT32_MAX) {
			sqlite3_finalize(st);
			return rb_err_set(err, RB_EIO, "database: a fact dictionary is damaged");
		}
		d->n = (size_t)max + 1;
		d->v = xcalloc(d->n, sizeof(*d->v));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail_int(db, err, "cannot read a fact dictionary");
}

static int dict_fill(struct store_dict *d, sqlite3 *db, const char *sql, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (id < 0 || (uint64_t)id >= d->n)
			continue;    /* added after the MAX (cannot happen in one transaction) */
		d->v[id] = xstrdup(store_col_text_int(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail_int(db, err, "cannot read a fact dictionary");
}

static void dict_release(struct store_dict *d)
{
	size_t i;
	for (i = 0; d->v && i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int store_fact_dicts_load_int(struct store_fact_dicts *d, sqlite3 *db, struct rb_err *err)
{
	int rc;
	memset(d, 0, sizeof(*d));
	if ((rc = dict_load(&d->accounts, db, "SELECT COALESCE(MAX(id), 0) FROM fact_accounts", err)) < 0 ||
	    (rc = dict_fill(&d->accounts, db, "SELECT id, account FROM fact_accounts", err)) < 0 ||
	    (rc = dict_load(&d->dims, db, "SELECT COALESCE(MAX(id), 0) FROM fact_dims", err)) < 0 ||
	    (rc = dict_fill(&d->dims, db, "SELECT id, value FROM fact_dims", err)) < 0) {
		store_fact_dicts_release_int(d);
		return rc;
	}
	return 0;
}

void store_fact_dicts_release_int(struct store_fact_dicts *d)
{
	dict_release(&d->accounts);
	dict_release(&d->dims);
}

int store_col_fact_ids_int(struct cur_fact *f, const struct store_fact_dicts *d,
	sqlite3_stmt *st, int col, int rows_col, int lo_col, int hi_col)
{
	const char *s[10];
	int i, cls;

	for (i = 0; i < 10; i++) {
		const struct store_dict *dict = i == 0 || i == 1 || i == 9 ? &d->accounts : &d->dims;
		if (!(s[i] = store_dict_get_int(dict, sqlite3_column_int64(st, col + i))))
			return -1;
	}
	cls = cur_class_from_name(s[3]);
	f->payer = s[0];
	f->account = s[1];
	f->line_item_type = s[2];
	f->cls = cls < 0 ? CUR_OTHER : (enum cur_class)cls;
	f->product_code = s[4];
	f->product_name = s[5];
	f->usage_type = s[6];
	f->operation = s[7];
	f->region = s[8];
	f->owner = s[9];
	f->rows = (long)sqlite3_column_int64(st, rows_col);
	if (cls < 0 || store_col_units_int(&f->unblended, st, lo_col, hi_col) < 0 ||
	    store_col_units_int(&f->ondemand, st, lo_col + 1, hi_col + 1) < 0 ||
	    store_col_units_int(&f->effective, st, lo_col + 2, hi_col + 2) < 0)
		return -1;
	return 0;
}
