/*
 * store_period.h: removing one payer's billing period from the database.
 *
 * Also: what imported data holds, for preview warnings (seen.c).
 *
 * Not for: replacing it (an import of the month does that).
 */
#ifndef RB_STORE_PERIOD_H
#define RB_STORE_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"
#include "util/decimal.h"
#include "util/err.h"

/* Deletes every fact, resource fact, note, import and rollup row of payer
 * in period (period.h integer) in one transaction, and writes one audit_log
 * row (source `who`, e.g. "period delete"; action "delete"; object
 * "period:PAYER:YYYY-MM"; before = {"payer", "period", "rows",
 * "unblended"} of its latest import). *rows and *unblended say what was
 * removed. RB_EINPUT "no import of payer P for M to delete" when there is
 * none; RB_EIO on a database error (nothing changed). */
int store_period_delete(struct store *s, const char *payer, int period, int64_t *rows,
	rb_i128 *unblended, const char *who, struct rb_err *err);

/* ---- what imported data holds, for preview warnings (seen.c) ----------- */

/* A fact_rows column a question is about. */
enum store_seen_col {
	STORE_SEEN_SERVICE,             /* product code */
	STORE_SEEN_USAGE_TYPE,
	STORE_SEEN_REGION,
	STORE_SEEN_LINE_ITEM_TYPE,
};

/* Does some fact (of any period) hold value in col? With match set, value
 * is a pattern and any string s with match(value, s) counts. */
struct store_seen_query {
	enum store_seen_col col;
	const char *value;
	int (*match)(const char *pattern, const char *s);       /* NULL: exactly value */
	int seen;                                               /* out: 1 or 0 */
};

/* Answers the n questions of q in one read: from the dictionary of fact
 * strings, then (only when some question has a candidate there) one pass
 * over the facts that stops once every question is answered. RB_EIO on a
 * database error. */
int store_values_seen(struct store_seen_query *q, size_t n, struct store *s,
	struct rb_err *err);

/* *any: whether period holds any fact; in_period[i] and ever[i] (arrays of
 * n, set to 0 or 1): whether usage account accounts[i] has facts in period,
 * in any period. Index searches only (per account and period with facts).
 * RB_EIO on a database error. */
int store_accounts_seen(int *any, unsigned char *in_period, unsigned char *ever,
	const char *const *accounts, size_t n, struct store *s, int period, struct rb_err *err);

#endif
