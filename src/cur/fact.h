/*
 * fact.h: THE fact — one aggregated CUR line item, or one row (a row is a
 * fact of rows = 1) — as billing sees it, and its key: the fields rating
 * can see, so facts with equal keys may be summed and rate exactly as their
 * rows do (spec §1). The store's facts (store_facts.h) add the day, tags
 * and usage amount to it; rate rates it; report and the store's billing
 * rollup group with its key (in a util/hmap).
 */
#ifndef RB_CUR_FACT_H
#define RB_CUR_FACT_H

#include "cur/cur.h"
#include "util/decimal.h"
#include "util/hmap.h"
#include "util/strbuf.h"

/* One fact (or one CUR row: a row is a fact of rows = 1). Strings are
 * borrowed; rate reads a NULL string as "". Amounts at DEC_SCALE. cls is
 * the spec §2 class as cur_classify gives it (a Fee with a reservation ARN
 * is already CUR_COMMITMENT). Facts that differ in any field may be summed
 * by the store only when every string field and cls are equal: rating is
 * linear, so the sum rates exactly as its rows do (spec §1). */
struct cur_fact {
	const char *payer;
	const char *account;
	const char *line_item_type;
	enum cur_class cls;
	const char *product_code;
	const char *product_name;
	const char *usage_type;
	const char *operation;
	const char *region;
	const char *owner;     /* "" when none */
	long rows;
	rb_i128 unblended, ondemand, effective;
};

/* The key of f: its string fields and class, each NUL-terminated, in a
 * fixed order, appended to key (reset first). Returns 0, or -1 when key's
 * maximum is reached. */
int cur_fact_key(struct strbuf *key, const struct cur_fact *f);

/* Sets f's string fields and class from a key made by cur_fact_key
 * (pointing into it: key must outlive f); the sums are left alone. */
void cur_fact_from_key(struct cur_fact *f, const char *key);

/* acc's sums += f's. Returns 0, or -1 when a sum leaves 128 bits (acc is
 * then partly added: callers fail the whole operation). */
int cur_fact_add(struct cur_fact *acc, const struct cur_fact *f);


/* Facts summed by their key (cur_fact_key) in a util/hmap: the grouping
 * the billing rollup and the reports both use. facts[i] is the sum of
 * every fact added with the i-th distinct key; its strings are set by
 * cur_fact_sums_finish (pointing into the map's copies of the keys). */
struct cur_fact_sums {
	struct hmap keys;
	struct cur_fact *facts;
	size_t n, alloc;
	struct strbuf key;
};

void cur_fact_sums_init(struct cur_fact_sums *s);
void cur_fact_sums_release(struct cur_fact_sums *s);

/* Adds f's sums to the entry of its key, creating it (zero sums, *added =
 * 1) when new. Returns the entry's index, CUR_FACT_LONG when the key is
 * over 1 MiB, CUR_FACT_RANGE when a sum leaves 128 bits. */
#define CUR_FACT_LONG (-1L)
#define CUR_FACT_RANGE (-2L)
long cur_fact_sums_add(struct cur_fact_sums *s, const struct cur_fact *f, int *added);

/* Adds every entry of from into s (same key: sums add). Returns 0 or
 * CUR_FACT_RANGE. from must not be finished yet or may be: only its keys
 * and sums are read. */
long cur_fact_sums_merge(struct cur_fact_sums *s, const struct cur_fact_sums *from);

/* Points every entry's strings and class into its key. */
void cur_fact_sums_finish(struct cur_fact_sums *s);

#endif
