/*
 * summary.h: a period's cost summed by one grouping (`rebill summary`), and
 * the JSON documents of the database listings (periods, accounts) — the
 * figures and bytes every front end shows, computed once here.
 *
 * Money: group sums and the total are exact (DEC_SCALE). Tables show 2
 * decimals, each cell the exact value rounded half away from zero and the
 * TOTAL the exact total rounded; when the rounded cells do not add up to
 * the rounded total, the difference is the "(rounding)" line, so a printed
 * table always reconciles. Both are computed here with checked arithmetic.
 *
 * Not for: printing tables (src/cli).
 */
#ifndef RB_REPORT_SUMMARY_H
#define RB_REPORT_SUMMARY_H

#include <stddef.h>

#include "store/store.h"
#include "store/store_facts.h"
#include "util/err.h"

struct report_summary {
	char period[8];             /* "YYYY-MM" */
	const char *by;             /* the grouping as given: "payer", "tag:env", ... */
	enum store_by store_by;
	const char *tag_key;        /* STORE_BY_TAG only: points into by */
	struct store_group *groups; /* sorted by key */
	size_t n;
	struct report_summary_total *totals;  /* one per currency of the costs, sorted */
	size_t ntotals;
	/* the one currency's total (totals[0]); all zero when ntotals > 1:
	 * costs in different currencies are never added together */
	struct store_sum total;     /* exact */
	int has_rounding;           /* the rounded groups miss the rounded total */
	rb_i128 rounding[3];        /* unblended, ondemand, effective at DEC_SCALE
	                               (multiples of 0.01): rounded total - Σ rounded groups */
};

/* The groups of one currency summed, and their rounding line. */
struct report_summary_total {
	char currency[4];
	struct store_sum total;     /* exact */
	int has_rounding;
	rb_i128 rounding[3];
};

/* Sums period by `by` (payer, account, service, region, type, usage_type,
 * operation, class, day, provider, tag:KEY; kept as given, borrowed).
 * RB_EUSAGE for an unknown grouping; RB_EINPUT for a period without facts
 * (err lists the known periods) or a tag key no fact of it carries;
 * RB_EIO on a database error or a sum out of range. */
int report_summary(struct report_summary **out, struct store *s, int period, const char *by,
	struct rb_err *err);
void report_summary_free(struct report_summary *r);

/* `rebill summary --format json`: {"period", "by", "rows": [{"key",
 * "name" (service only), "currency", "rows", "unblended", "ondemand",
 * "effective"}], "total": {"currency", ...}, "totals": [{"currency", ...}]}
 * with all 10 fractional digits. "totals" has one entry per currency of the
 * costs; "total" is that entry when there is one, null when there are
 * several (a sum of two currencies means nothing). */
struct json_t;
struct json_t *report_summary_json(const struct report_summary *r);

/* `rebill tags --period P`: the tag keys of a period with their number of
 * distinct values and the rows and cost that carry them. RB_EINPUT for a
 * period without facts (err lists the known periods). */
struct report_tags {
	char period[8];
	struct store_tag_key *keys;   /* sorted by key */
	size_t n;
};
int report_tags(struct report_tags **out, struct store *s, int period, struct rb_err *err);
void report_tags_free(struct report_tags *t);
/* {"period", "keys": [{"key", "values", "rows", "unblended", "ondemand",
 * "effective"}]} with all 10 fractional digits. */
struct json_t *report_tags_json(const struct report_tags *t);

/* 0 when some fact of period carries tag key `key`; else RB_EINPUT "no tag
 * key 'KEY' in YYYY-MM; its tag keys: a, b" (or "no row of YYYY-MM is
 * tagged"), so that --by tag:KEY with a typo says so instead of printing
 * every row as untagged. */
int report_tag_key_check(struct store *s, int period, const char *key, struct rb_err *err);

/* `rebill periods --format json` and `rebill accounts --format json`. */
struct json_t *report_periods_json(const struct store_period_info *p, size_t n);
struct json_t *report_accounts_json(const char *period, const struct store_account_info *a,
	size_t n);

/* The configuration's listings, from its canonical document doc:
 * `rebill account list --format json` — [{"account", "customer", "from",
 * "to"}] of the assignments covering period (period.h; < 0: all; from
 * and to are null when open), in
 * customer then account order; and `rebill fx list --format json` — the fx
 * entries of period ("YYYY-MM", NULL: all). */
struct json_t *report_assignments_json(const struct json_t *doc, int period);
struct json_t *report_fx_json(const struct json_t *doc, const char *period);

#endif
