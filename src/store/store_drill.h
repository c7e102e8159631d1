/*
 * store_drill.h: the reads behind the customer portal's breakdowns — one
 * account's facts of a period with their days and tag sets, one account's
 * resource facts — and the database's data version, which tells a
 * response cache that something was committed.
 *
 * Not for: summing or rating (src/report).
 */
#ifndef RB_STORE_DRILL_H
#define RB_STORE_DRILL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_facts.h"
#include "util/err.h"

/* As store_facts_each, for the facts of one usage account only (the
 * (period, account) index serves it). An unknown account has no facts. */
int store_facts_each_account(struct store *s, int period, const char *account,
	int (*cb)(void *ctx, const struct store_fact *f), void *ctx, struct rb_err *err);

/* Calls cb for each resource fact of (period, account), ordered by
 * resource id then product code. Strings are valid during the call only;
 * a non-zero return of cb stops the walk and is returned. */
int store_resources_each(struct store *s, int period, const char *account,
	int (*cb)(void *ctx, const struct store_resource_fact *f), void *ctx,
	struct rb_err *err);

/* The periods with facts, oldest first, as store_periods lists them but
 * without summing anything: the periods imports were recorded for that
 * hold a fact (one index probe each), not a scan of the facts. *out is
 * owned by the caller (free). */
int store_period_ids(int **out, size_t *n, struct store *s, struct rb_err *err);

/* SQLite's PRAGMA data_version of this connection: it changes when another
 * connection (of this process or another) commits. A connection's own
 * commits do not change it. */
int store_data_version(int64_t *out, struct store *s, struct rb_err *err);

#endif
