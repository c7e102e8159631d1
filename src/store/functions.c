/*
 * functions.c: SQL functions rebill adds to SQLite so that sums of stored
 * decimal TEXT stay exact in SQL: dec_sum(x) is an aggregate returning the
 * exact sum as canonical TEXT (DEC_SCALE digits). NULL and '' count as 0; a
 * value that is not a decimal makes the query fail rather than guess.
 * (PostgreSQL gets the same with SUM over NUMERIC.) Also the two readers of
 * result columns every query in src/store uses: text and stored amounts.
 */
#include "store/store_int.h"

#include <string.h>

#include "util/decimal.h"
#include "util/banned.h"

/* SQLite's aggregate context is only 8-byte aligned: the 128-bit sum is
 * kept as bytes and copied in and out (memcpy), never accessed in place. */
struct sum_ctx {
	unsigned char sum[sizeof(rb_i128)];
	int bad;
};

static void dec_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct sum_ctx *a = sqlite3_aggregate_context(ctx, sizeof(*a));
	const unsigned char *txt;
	rb_i128 v, sum;
	int n;

	(void)argc;
	if (!a || a->bad)
		return;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	txt = sqlite3_value_text(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	if (n == 0)
		return;
	memcpy(&sum, a->sum, sizeof(sum));
	if (dec_parse(&v, (const char *)txt, (size_t)n, DEC_SCALE) != DEC_OK ||
	    dec_add(&sum, sum, v) != DEC_OK)
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

int store_functions_register_int(sqlite3 *db, struct rb_err *err)
{
	if (sqlite3_create_function_v2(db, "dec_sum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
			NULL, NULL, dec_sum_step, dec_sum_final, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot register dec_sum");
	return 0;
}
