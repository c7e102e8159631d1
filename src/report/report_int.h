/*
 * report_int.h: what the files of src/report share — loading the period's
 * configuration with a "holds" set per customer, walking the period's facts
 * with each one's holder, all in one snapshot of the database.
 *
 * Not for: use outside src/report.
 */
#ifndef RB_REPORT_INT_H
#define RB_REPORT_INT_H

#include <stddef.h>

#include "rate/rate.h"
#include "report/report.h"
#include "store/store.h"
#include "store/store_config.h"
#include "store/store_facts.h"
#include "store/store_scan.h"
#include "util/hmap.h"
#include "util/decimal.h"
#include "util/err.h"

/* The configuration of one period plus, per customer (parallel to
 * cfg->customers), the accounts it holds as a rate_accounts set for the
 * purchaser basis. */
struct report_cfg {
	struct config_period *cfg;
	struct rate_accounts *holds;
	int period;
	struct store_snapshot *snap;  /* every read of the report is in it */
	const unsigned char *rated;   /* NULL, or: only customers i with rated[i] have an invoice */
};

/* Begins the report's snapshot of period (store_scan.h) and reads the
 * configuration in it. REPORT_WHOLE_PERIOD: the report reads every fact of
 * the period, so the store brings its billing rollup up to date first. */
#define REPORT_WHOLE_PERIOD 1u
int report_cfg_load(struct report_cfg *out, struct store *s, int period, unsigned flags,
	struct rb_err *err);
/* Frees holds and ends the snapshot; cfg is freed too unless it was taken
 * (set to NULL). */
void report_cfg_release(struct report_cfg *rc);

/* 1 when customer i has an invoice for the period (spec §5: an assignment
 * covering it, or custom lines for it) and, when rc->rated is set, is one
 * of the customers rated. */
int report_cfg_invoiced(const struct report_cfg *rc, size_t i);

/* Called for each fact of the period: sf as the store gives it, f the same
 * fact for the rate engine (strings borrowed from sf), ci the index of the
 * customer holding the fact's account or (size_t)-1. Returns 0 to go on,
 * or an RB_E* code (with err set through ctx) to stop. */
typedef int (*report_fact_fn)(void *ctx, const struct store_fact *sf,
	const struct cur_fact *f, size_t ci);

#define REPORT_NOBODY ((size_t)-1)
/* Spec §9: in the lean walk, a fact of an account split by tag arrives
 * with sf->tagset_id REPORT_SPLIT and sf->tags its value of the split key
 * (NULL: untagged); ci is then the holder that value resolves to. */
#define REPORT_SPLIT ((int64_t)-1)
/* The value of tag key (klen bytes) in a tag set canon ("k\x1fv\x1ek\x1fv"),
 * *vlen bytes long (not terminated), or "". */
const char *report_tag_value(const char *canon, const char *key, size_t klen, size_t *vlen);

/* Walks the period's facts: with tags (store_facts_each: sf->day and
 * sf->tags set) when with_tags, else the lean billing read
 * (store_snapshot_scan: no day, no tags), both in rc's snapshot. */
int report_walk(struct store *s, const struct report_cfg *rc, int with_tags, report_fact_fn fn,
	void *ctx, struct rb_err *err);

/* The period's facts summed over days and tags: one per distinct fact key
 * (cur_fact_key: payer, account, line item type, class, product code and
 * name, usage type, operation, region, owner) — everything rating can see,
 * so rating a sum equals summing the ratings (spec §1: exact). s.facts[i]
 * is the i-th aggregate, ci[i] the index of the customer holding it or
 * REPORT_NOBODY. Spec §9: aggregates of a split account are kept apart per
 * holder and, unassigned, per tag value: split[i] is that value ("":
 * untagged), NULL for everything else. */
struct report_agg {
	struct cur_fact_sums s;
	size_t *ci;
	char **split;
	size_t cialloc;
};

/* Collects the aggregates of the facts held by customer `only`, or of every
 * fact of the period (only = REPORT_NOBODY; ci is then REPORT_NOBODY for
 * unassigned accounts), as rc's snapshot sees them (the store reads its
 * billing rollup when that is valid, else the facts). With nthreads > 1 the
 * accounts are split into that many ranges, each read by a thread on a
 * connection of its own that joins the snapshot; when one cannot (an
 * import committed since the snapshot began) everything is read on the
 * snapshot's connection instead. The aggregates are the same whatever the
 * source and nthreads (their order is not). */
int report_collect(struct report_agg *out, struct store *s, const struct report_cfg *rc,
	size_t only, int nthreads, struct rb_err *err);

/* How many threads report_collect should use for rc: 1 for small
 * configurations, else the online CPUs, at most REPORT_MAX_THREADS. */
#define REPORT_MAX_THREADS 4
int report_threads(const struct report_cfg *rc);
void report_agg_release(struct report_agg *a);

/* The aggregates of each customer: those of customer i are
 * facts[start[i] .. start[i+1]) (copies of agg's, strings borrowed). */
struct report_split {
	struct cur_fact *facts;
	size_t *start;
};
void report_split(struct report_split *out, const struct report_agg *agg, size_t nc);
void report_split_release(struct report_split *sp);

/* Issue 13: RB_EINPUT naming every customer i with missing[i] set (an
 * invoiced customer in a currency without an exchange rate for cfg's
 * period), or 0 when none is. One customer: "customer 'acme' has no EUR
 * exchange rate for 2026-10" + why_one; several, grouped by currency in
 * order: "3 customers have no exchange rate for 2026-10: EUR 'acme',
 * 'beta'; JPY 'kaisha'" + why_many; a list past the message size ends in
 * "and N more". */
int report_fx_missing(const struct config_period *cfg, const unsigned char *missing,
	const char *why_one, const char *why_many, struct rb_err *err);
/* Issue 8: sets each invoiced customer's cost_currency (config.h) from the
 * currency of its facts' billing accounts (store_snapshot_currency), and
 * fx 1 when that is the customer's own currency. RB_EINPUT for a customer
 * whose facts are in two currencies, or in a currency other than USD and
 * its own (the configured rates convert from USD only). only: one customer,
 * or REPORT_NOBODY for all. */
int report_cost_currencies(const struct report_cfg *rc, const struct report_split *sp,
	size_t only, struct rb_err *err);

/* Spec §6: Σ over the fee and custom lines of customer ci's invoice of
 * amount ÷ the invoice's FX rate, each rounded half away from zero to
 * REPORT_DIGITS; *out at RATE_SCALE (USD). 0 without fees or custom lines.
 * *known = 0 (and *out 0) when the customer has them but no exchange rate
 * for the period: then no invoice exists to take them from. Returns 0 or
 * the invoice's RB_E* error. */
int report_fee_revenue(rb_i128 *out, int *known, const struct report_cfg *rc, size_t ci,
	const struct report_split *sp, struct rb_err *err);

/* acc += v, or RB_EINPUT "sum out of range" (never silent). */
int report_add(rb_i128 *acc, rb_i128 v, struct rb_err *err);

#endif
