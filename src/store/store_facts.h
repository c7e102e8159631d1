/*
 * store_facts.h: aggregated CUR facts in the database — writing one import
 * batch atomically, and reading periods, accounts, summaries and facts back.
 *
 * Invariants:
 *  - An import batch is ONE transaction. For every (payer, period) declared
 *    with store_batch_replace, the batch first deletes that payer's facts,
 *    resource facts and notes of the period, then inserts the new ones:
 *    a restated month replaces the old one atomically, other payers and
 *    periods are untouched, and importing the same files twice leaves the
 *    facts identical. Any failure rolls everything back.
 *  - Every fact, resource fact, note and file of a batch belongs to a
 *    (payer, period) declared before it in the same batch (checked).
 *  - Tag sets are interned: canon is the tags' "key\x1fvalue" pairs, sorted
 *    by key, joined by "\x1e"; "" (id 0) is the empty tag set.
 *  - Amounts are exact (rb_i128 at DEC_SCALE); nothing here rounds.
 *
 * Not for: aggregating rows (src/import) or formatting output (src/cli).
 */
#ifndef RB_STORE_FACTS_H
#define RB_STORE_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "cur/cur.h"
#include "cur/fact.h"
#include "store/store.h"
#include "util/decimal.h"
#include "util/err.h"

/* Sums carried by every fact and every summary group. */
struct store_sum {
	int64_t rows;
	rb_i128 usage_amount;   /* only meaningful on facts */
	rb_i128 unblended;
	rb_i128 ondemand;
	rb_i128 effective;
};

/* One aggregated fact as stored: THE fact (cur/fact.h: what billing sees,
 * with rows, unblended, ondemand and effective) per day and tag set, plus
 * the usage amount. Strings are borrowed (NUL-terminated). */
struct store_fact {
	int period;                 /* util/period.h */
	const char *day;            /* "YYYY-MM-DD" */
	struct cur_fact fact;       /* owner: commitment owner or "" */
	rb_i128 usage_amount;
	int64_t tagset_id;          /* from store_batch_tagset; 0 = no tags */
	const char *tags;           /* reading only: the tag set's canon */
};

/* Monthly facts per resource. */
struct store_resource_fact {
	int period;
	const char *payer;
	const char *account;
	const char *resource_id;
	const char *product_code;
	struct store_sum sum;
};

/* ---- writing -------------------------------------------------------- */

struct store_batch;

/* Starts a batch: opens the transaction (BEGIN IMMEDIATE) and prepares the
 * statements. imported_at is the UTC time "YYYY-MM-DDTHH:MM:SSZ" recorded
 * on each import. On failure nothing is open. */
int store_batch_begin(struct store_batch **out, struct store *s, const char *imported_at,
	struct rb_err *err);

/* Declares (payer, period) as part of this batch: deletes what the database
 * holds for it and records the import (rows, unblended). *replaced (may be
 * NULL) is set to 1 when the database held facts or an import for it. A
 * (payer, period) may be declared only once per batch. */
int store_batch_replace(struct store_batch *b, const char *payer, int period, int64_t rows,
	rb_i128 unblended, int *replaced, struct rb_err *err);

/* What the latest import of (payer, period) before this batch counted:
 * *had 0 (rows and unblended 0) when there was none. Call before
 * store_batch_replace of it. */
int store_batch_previous(struct store_batch *b, const char *payer, int period, int *had,
	int64_t *rows, rb_i128 *unblended, struct rb_err *err);

/* Records the provider ("AWS" for CUR; FOCUS ProviderName, e.g.
 * "Microsoft") of a (payer, period) declared by store_batch_replace (a new
 * import records "AWS" until told otherwise). */
int store_batch_provider(struct store_batch *b, const char *payer, int period,
	const char *provider, struct rb_err *err);
/* Records the currency of the (payer, period)'s costs when it is not USD
 * (FOCUS BillingCurrency; the column's default is "USD"). */
int store_batch_currency(struct store_batch *b, const char *payer, int period,
	const char *currency, struct rb_err *err);

/* Interns a tag set by its canon (see above) and returns its id in *out;
 * "" is 0. Parses canon into tagset_items on first sight; a malformed canon
 * (a pair without \x1f, keys not strictly increasing) is RB_EINPUT. */
int store_batch_tagset(struct store_batch *b, int64_t *out, const char *canon,
	struct rb_err *err);

int store_batch_fact(struct store_batch *b, const struct store_fact *f, struct rb_err *err);
int store_batch_resource(struct store_batch *b, const struct store_resource_fact *f,
	struct rb_err *err);

/* A file the import read, for the (payer, period) it fed with `rows` rows. */
int store_batch_file(struct store_batch *b, const char *payer, int period, const char *path,
	uint64_t size, const char *assembly_id, int64_t rows, struct rb_err *err);

/* An oddity that is not an error: kind "unknown_type" (name = the line item
 * type) or "unknown_column" (name = the column). The caller sums: each (payer,
 * period, kind, name) may be noted once per batch. */
int store_batch_note(struct store_batch *b, const char *payer, int period, const char *kind,
	const char *name, int64_t rows, rb_i128 unblended, struct rb_err *err);

/* Commits and frees the batch. On failure the transaction is rolled back
 * and the batch is freed all the same. */
int store_batch_commit(struct store_batch *b, struct rb_err *err);

/* Rolls back and frees; accepts NULL. The database is exactly as before
 * store_batch_begin. */
void store_batch_abort(struct store_batch *b);

/* ---- reading -------------------------------------------------------- */

struct store_period_info {
	int period;
	char currency[4];           /* store_periods: of these payers' costs ("USD", ...) */
	int64_t payers;
	int64_t accounts;
	struct store_sum sum;       /* rows, unblended, ondemand, effective */
};

/* The periods with facts, oldest first, with only .period set: one index
 * seek a period instead of store_periods' pass over every fact (0.8 s on
 * 3 M facts). *out is owned by the caller (free). */
int store_period_list(struct store_period_info **out, size_t *n, struct store *s,
	struct rb_err *err);
/* All periods with facts, oldest first: one entry per currency of the
 * period's payers (a payer's currency is its latest import's of the
 * period, USD without one), so costs of two currencies are never summed;
 * a period of one currency is one entry. *out is owned by the caller (free). */
int store_periods(struct store_period_info **out, size_t *n, struct store *s,
	struct rb_err *err);

struct store_account_info {
	int period;
	char *payer;
	char *account;
	char currency[4];           /* of the sums: the payer's ("USD", "INR", ...) */
	struct store_sum sum;
};

/* Usage accounts per payer with their sums, in the given period or over all
 * periods (period < 0; then .period is -1). Sorted by payer, account. The
 * currency is the payer's (its latest import's of the period, USD without
 * one); over all periods a payer billed in two currencies in different
 * months is RB_EUSAGE (its sums would add them): ask per period. */
int store_accounts(struct store_account_info **out, size_t *n, struct store *s, int period,
	struct rb_err *err);
void store_accounts_free(struct store_account_info *a, size_t n);

enum store_by {
	STORE_BY_PAYER,
	STORE_BY_ACCOUNT,
	STORE_BY_SERVICE,       /* product code; .name = its product name */
	STORE_BY_REGION,
	STORE_BY_TYPE,          /* line item type */
	STORE_BY_DAY,
	STORE_BY_CLASS,         /* spec §2 class (cur_class_name) */
	STORE_BY_TAG,           /* the value of one tag key; "" when untagged */
	STORE_BY_PROVIDER,      /* the provider of the fact's (payer, period) import */
	STORE_BY_USAGE_TYPE,    /* lineItem/UsageType */
	STORE_BY_OPERATION,     /* lineItem/Operation */
};

struct store_group {
	char *key;
	char *name;                 /* STORE_BY_SERVICE: product name ("" if none); else "" */
	char currency[4];           /* of the costs: the payer's import currency (ISO 4217) */
	struct store_sum sum;
};

/* Sums a period's facts grouped by `by` (tag_key for STORE_BY_TAG), sorted
 * by key (bytewise). A period without facts gives no groups. Costs of
 * payers billed in different currencies are never added together: when the
 * period holds more than one currency, each key has a group per currency
 * (sorted by key, then currency). */
int store_summary(struct store_group **out, size_t *n, struct store *s, int period,
	enum store_by by, const char *tag_key, struct rb_err *err);
void store_groups_free(struct store_group *g, size_t n);

/* One cost-allocation tag key of a period: how many distinct values it
 * has and the sums of the facts that carry it. */
struct store_tag_key {
	char *key;
	long values;
	struct store_sum sum;
};

/* The tag keys present in period's facts, sorted by key (bytewise); none
 * when no fact is tagged. */
int store_tag_keys(struct store_tag_key **out, size_t *n, struct store *s, int period,
	struct rb_err *err);
void store_tag_keys_free(struct store_tag_key *k, size_t n);

/* Calls cb for each fact of a period (all key columns, class, sums, the tag
 * set id and canon). Strings are valid during the call only. A non-zero
 * return of cb stops the walk and is returned. */
int store_facts_each(struct store *s, int period,
	int (*cb)(void *ctx, const struct store_fact *f), void *ctx, struct rb_err *err);

#endif
