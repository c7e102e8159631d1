/*
 * store_period.h: removing one payer's billing period from the database.
 *
 * Also: the values imported data holds, for preview warnings.
 *
 * Not for: replacing it (an import of the month does that).
 */
#ifndef RB_STORE_PERIOD_H
#define RB_STORE_PERIOD_H

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

/* The distinct values imported data holds, over every period: a new object
 * {"product_code": [...], "usage_type": [...], "region": [...],
 * "line_item_type": [...]} (for warnings about rules that can match
 * nothing). RB_EIO on a database error. */
int store_seen_values(json_t **out, struct store *s, struct rb_err *err);

#endif
