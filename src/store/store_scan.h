/*
 * store_scan.h: reading a period's facts for billing — only the columns
 * rating needs (no day, no tags), in no particular order, optionally one
 * range of accounts at a time on a connection of its own so that several
 * threads can read one period in parallel. The lean sibling of
 * store_facts_each (store_facts.h), for invoice previews and the
 * reconciliation, which read every fact of a period.
 *
 * Every read of a report runs in one snapshot (below); threads reading on
 * connections of their own join it and are told when they cannot see the
 * same state.
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

/* What the latest import of each payer counted for period while it read the
 * CUR files (the imports table): rows and unblended cost, sorted by payer.
 * Owned by the caller: store_import_totals_free. */
struct store_import_total {
	char *payer;
	int64_t id;            /* imports.id */
	int64_t rows;
	rb_i128 unblended;     /* DEC_SCALE */
	char currency[4];      /* of its costs: "USD", FOCUS BillingCurrency */
};
int store_import_totals(struct store_import_total **out, size_t *n, struct store *s,
	int period, struct rb_err *err);
void store_import_totals_free(struct store_import_total *t, size_t n);

/* ---- one consistent read of a period for billing ---- */

/* A snapshot is a read transaction on the store's connection: everything
 * read on the store between store_snapshot_begin and store_snapshot_end
 * (the configuration, the imports, the facts, summaries) is one state of
 * the database, whatever other processes commit meanwhile. The store must
 * not be written while it is open.
 *
 * The billing rollup is a cache the store keeps: a period's facts summed
 * over days and tags (what rating sees), so a whole-period read scans ~30x
 * fewer rows. It is valid while it was built from exactly the latest
 * import of every payer of the period (imports are the only writers of
 * facts). Spec §9: the facts of an account the configuration splits by
 * tag in the period are summed per value of that tag instead, so split
 * accounts are read from the rollup too; which accounts it keeps so, by
 * which key, is recorded beside it. With STORE_SNAP_ROLLUP,
 * store_snapshot_begin first brings it up to date (before the snapshot
 * starts; failing to is not an error, the scans then read the facts):
 * rebuilt when stale, and rebuilt for just the accounts whose split
 * changed when the configuration splits other accounts (or by another
 * key) than it was built with. Scans of the snapshot read the rollup when
 * it is valid in the snapshot, else the facts: the sums are the same
 * either way. */
struct store_snapshot;
#define STORE_SNAP_ROLLUP 1u
int store_snapshot_begin(struct store_snapshot **out, struct store *s, int period,
	unsigned flags, struct rb_err *err);
/* Ends the read transaction and frees snap; accepts NULL. */
void store_snapshot_end(struct store_snapshot *snap);
/* The currency of the costs of payer's facts in the snapshot's period, as
 * its latest import recorded it ("USD" for CUR; FOCUS BillingCurrency);
 * "USD" for a payer without an import. Borrowed from snap. */
const char *store_snapshot_currency(const struct store_snapshot *snap, const char *payer);

/* 1 when the snapshot's scans read the rollup (for tests and benchmarks). */
int store_snapshot_rollup(const struct store_snapshot *snap);

/* Calls cb for each fact of the snapshot's period whose account is in
 * [from, to) (NULL: unbounded), read on r (NULL: the store's connection,
 * in the snapshot; else r must have joined it), with every key column but
 * day and tags (f->day and f->tags are "", f->tagset_id 0) and the sums
 * (usage_amount is not read: 0). Spec §9: a fact of an account that
 * store_snapshot_split_kept names has instead f->tags its value of that
 * split key (NULL: untagged). Strings are valid during the call only.
 * A non-zero return of cb stops the walk and is returned; RB_EIO on a
 * database error or a stored value that is not a class or an amount. */
int store_snapshot_scan(const struct store_snapshot *snap, struct store_reader *r,
	const char *from, const char *to, int (*cb)(void *ctx, const struct store_fact *f),
	void *ctx, struct rb_err *err);

/* Spec §9: the same for the facts of one account split by tag tag_key,
 * with f->tags the fact's value of tag_key (NULL: untagged) instead of a
 * canon. Reads the rollup when it is valid and keeps account by the values
 * of tag_key, else the facts (the account was split, or its key changed,
 * after the rollup was built). */
int store_snapshot_scan_split(const struct store_snapshot *snap, struct store_reader *r,
	const char *account, const char *tag_key, int (*cb)(void *ctx, const struct store_fact *f),
	void *ctx, struct rb_err *err);

/* 1 when the snapshot reads the rollup and the rollup keeps account by the
 * values of tag_key: then store_snapshot_scan gives each of its facts with
 * its value of tag_key, and store_snapshot_scan_split is not needed. */
int store_snapshot_split_kept(const struct store_snapshot *snap, const char *account,
	const char *tag_key);

/* Starts a read transaction on r and sets *same to 1 when r sees the
 * snapshot's state of the period (the same latest imports, rollup state
 * and split accounts of the rollup), so its scans agree with the snapshot's; 0 when something was
 * committed since (then do not mix its reads with the snapshot's). The
 * transaction lasts until store_reader_free. */
int store_reader_join(struct store_reader *r, const struct store_snapshot *snap, int *same,
	struct rb_err *err);

#endif
