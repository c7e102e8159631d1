/*
 * store_scan.h: reading a period's facts for billing — only the columns
 * rating needs (no day, no tags), in no particular order, optionally one
 * range of accounts at a time on a connection of its own so that several
 * threads can read one period in parallel. The lean sibling of
 * store_facts_each (store_facts.h), for invoice previews and the
 * reconciliation, which read every fact of a period.
 *
 * Readers see the database as of their own read transaction: a caller that
 * splits a period over several readers checks with store_data_version, before
 * and after, that nothing was committed meanwhile.
 *
 * Also: what the imports themselves counted, the reconciliation's
 * independent witness.
 *
 * Not for: drill-down by day or tag (store_facts_each), writing facts.
 */
#ifndef RB_STORE_SCAN_H
#define RB_STORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_facts.h"
#include "util/err.h"

/* A read-only connection of its own on the store's database file, for one
 * thread at a time. */
struct store_reader;
int store_reader_open(struct store_reader **out, struct store *s, struct rb_err *err);
/* Closes; accepts NULL. */
void store_reader_free(struct store_reader *r);

/* Where store_facts_scan reads: the facts themselves, or the billing rollup
 * (the same facts summed over days and tags; see store_rollup_write). */
enum store_source { STORE_FACTS, STORE_ROLLUP };

/* Calls cb for each fact of period whose account is in [from, to) (NULL:
 * unbounded), read from src on r (NULL: the store's own connection), with every key
 * column but day and tags (f->day and f->tags are "", f->tagset_id 0) and
 * the sums (usage_amount is not read: 0). Strings are valid during the call
 * only. A non-zero return of cb stops the walk and is returned; RB_EIO on a
 * database error or a stored value that is not a class or an amount. */
int store_facts_scan(struct store *s, struct store_reader *r, enum store_source src, int period,
	const char *from, const char *to, int (*cb)(void *ctx, const struct store_fact *f),
	void *ctx, struct rb_err *err);

/* What the latest import of each payer counted for period while it read the
 * CUR files (the imports table): rows and unblended cost, sorted by payer.
 * Owned by the caller: store_import_totals_free. */
struct store_import_total {
	char *payer;
	int64_t id;            /* imports.id */
	int64_t rows;
	rb_i128 unblended;     /* DEC_SCALE */
};
int store_import_totals(struct store_import_total **out, size_t *n, struct store *s,
	int period, struct rb_err *err);
void store_import_totals_free(struct store_import_total *t, size_t n);

/* The billing rollup: a cache of a period's facts summed over days and tags,
 * so an invoice preview reads ~30x fewer rows. It is valid for a period
 * while it was built from exactly the latest import of every payer of the
 * period (imports are the only writers of facts).
 *
 * store_rollup_fresh sets *fresh to 1 when the rollup of period was built
 * from exactly the imports in t (n > 0, as store_import_totals gives them). */
int store_rollup_fresh(struct store *s, int period, const struct store_import_total *t, size_t n,
	int *fresh, struct rb_err *err);
/* Replaces the rollup of period by facts[0..nfacts) — the caller's sums of
 * the facts it read while the latest imports were t — in one transaction,
 * unless the latest imports are no longer t (an import committed since):
 * then nothing is written and *written is 0. */
int store_rollup_write(struct store *s, int period, const struct store_import_total *t, size_t n,
	const struct store_fact *facts, size_t nfacts, int *written, struct rb_err *err);

/* A number that changes whenever another connection commits to the database
 * (SQLite's PRAGMA data_version on the store's connection). */
int store_data_version(struct store *s, long long *out, struct rb_err *err);

#endif
