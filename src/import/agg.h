/*
 * agg.h: the aggregation table of the import pipeline (private to
 * src/import and its unit tests).
 *
 * An agg sums CUR rows into facts keyed by (period, day, payer, account,
 * line item type, class, product code, product name, usage type, operation,
 * region, owner, tag set) and into monthly resource facts keyed by (period,
 * payer, account, resource id, product code), with rows and exact sums of the
 * usage amount and the three cost views. It also counts the rows each input
 * file gave each (payer, period), with the rows' provider.
 *
 * Invariants: strings are interned once into an arena (no allocation per
 * row); facts live in open-addressing hash tables that double at 3/4
 * full, so memory grows with the number of distinct keys and strings, never
 * with the number of rows. Sums are exact; an overflow of 128 bits is
 * reported, never wrapped. An agg is used by one thread at a time.
 *
 * Not for: reading files (src/ingest) or the database (src/store).
 */
#ifndef RB_IMPORT_AGG_H
#define RB_IMPORT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "store/store_facts.h"

struct agg;

struct agg *agg_new(void);
/* Frees; accepts NULL. */
void agg_free(struct agg *a);

enum {
	AGG_EOVERFLOW = -1,   /* a sum would pass 128 bits */
	AGG_ETAG = -2,        /* a tag key or value holds \x1e or \x1f */
};

/* Adds one row read from input file number `file`. Returns 0 or an AGG_E*
 * code: AGG_ETAG changes nothing; after AGG_EOVERFLOW some sums may hold
 * the row, so callers abort the import. The row's fact sums may be held
 * back (a few rows, so their memory is prefetched): call agg_flush before
 * reading or spilling the facts. An AGG_EOVERFLOW may thus come from one
 * of the last few rows: agg_error_row says which. */
int agg_add(struct agg *a, const struct cur_row *row, uint32_t file);

/* Adds the fact sums held back by agg_add. Returns 0 or AGG_EOVERFLOW. */
int agg_flush(struct agg *a);

/* After AGG_EOVERFLOW: the file number and line of the row whose sum passed
 * the range. */
void agg_error_row(const struct agg *a, uint32_t *file, long *line);

/* Adds everything of `from` (flushed) into `into`. Returns 0, or
 * AGG_EOVERFLOW (`into` may then hold part of `from`: callers abort the
 * import). */
int agg_merge(struct agg *into, const struct agg *from);

/* The facts (after agg_flush), 0 <= i < agg_nfacts(). Strings in *out are borrowed from the
 * agg (valid until it is freed or changed); out->tags is the tag set canon
 * ("key\x1fvalue" pairs joined by "\x1e", "" without tags); out->tagset_id
 * is the agg's own tag set number (0 = no tags, < agg_ntagsets()). */
size_t agg_nfacts(const struct agg *a);
void agg_fact(const struct agg *a, size_t i, struct store_fact *out);
/* A hint that agg_fact(a, i) comes soon: its entry is fetched into the
 * cache meanwhile (facts read in another order than stored are misses). */
void agg_fact_prefetch(const struct agg *a, size_t i);

/* The distinct tag sets: number 0 is "", then in first-seen order. */
size_t agg_ntagsets(const struct agg *a);
const char *agg_tagset(const struct agg *a, size_t i);

size_t agg_nresources(const struct agg *a);
void agg_resource(const struct agg *a, size_t i, struct store_resource_fact *out);

/* Rows per (file, payer, period, provider, currency). */
struct agg_file_rows {
	uint32_t file;
	const char *payer;
	const char *provider;      /* as agg_pp_provider */
	const char *currency;      /* as agg_pp_currency */
	int period;
	int64_t rows;
};
size_t agg_nfile_rows(const struct agg *a);
void agg_file_rows(const struct agg *a, size_t i, struct agg_file_rows *out);

/* Bytes the agg holds (tables, arenas): bounded by distinct keys. */
size_t agg_memory(const struct agg *a);

/* The memory in use (not reserved) by what agg_reset_facts gives back and
 * by the strings: what an import compares with its budget. */
size_t agg_facts_memory(const struct agg *a);

/* Empties the facts, resource facts and tag sets (after the caller spilled
 * them) and gives their memory back, keeping the file rows and the running
 * totals below; strings that only facts used are dropped. Pointers from
 * earlier agg_fact/agg_resource/agg_tagset calls become invalid. */
void agg_reset_facts(struct agg *a);

/* Running totals over every row added (kept across agg_reset_facts):
 * per (payer, period), per (payer, period, line item type) of class
 * "other", and the number of distinct usage accounts. */
size_t agg_npps(const struct agg *a);
void agg_pp(const struct agg *a, size_t i, const char **payer, int *period,
	struct store_sum *sum);
/* The provider of the rows of agg_pp(a, i) ("AWS" for CUR; FOCUS
 * ProviderName): an entry per (payer, period, provider). */
const char *agg_pp_provider(const struct agg *a, size_t i);
/* The currency of its costs ("USD" for CUR and rows that name none; FOCUS
 * BillingCurrency): part of the entry's key, like the provider. */
const char *agg_pp_currency(const struct agg *a, size_t i);
size_t agg_nothers(const struct agg *a);
void agg_other(const struct agg *a, size_t i, const char **payer, int *period,
	const char **type, struct store_sum *sum);
size_t agg_naccounts(const struct agg *a);

/* ---- raw ids, for the spill (src/import/spill.c) ----
 *
 * A fact's key as the agg's own ids: strings (agg_str) and a tag set
 * (agg_tagset_str). Ids are valid until agg_reset_facts or agg_free; the
 * spill writes the strings themselves beside the ids, never the ids alone. */
enum { AGG_FACT_NSTR = 10 };   /* day, payer, account, type, product code, product name,
                                  usage type, operation, region, owner */
struct agg_fact_ids {
	int32_t period, cls;
	uint32_t str[AGG_FACT_NSTR];
	uint32_t tags;
};
struct agg_res_ids {
	int32_t period;
	uint32_t payer, account, resource, pcode;
};
void agg_fact_ids(const struct agg *a, size_t i, struct agg_fact_ids *out, struct store_sum *sum);
void agg_resource_ids(const struct agg *a, size_t i, struct agg_res_ids *out,
	struct store_sum *sum);
size_t agg_nstrs(const struct agg *a);
/* The bytes, length and content hash (the same for equal strings in any
 * agg) of string `id` or tag set canon `id`. */
const char *agg_str(const struct agg *a, uint32_t id, size_t *len, uint32_t *hash);
const char *agg_tagset_str(const struct agg *a, uint32_t id, size_t *len, uint32_t *hash);
/* Interns a string or a tag set canon (already in canonical form), giving its id. */
uint32_t agg_intern(struct agg *a, const char *s, size_t n);
uint32_t agg_intern_tagset(struct agg *a, const char *s, size_t n);
/* Adds partial sums under a key of this agg's ids. Returns 0 or
 * AGG_EOVERFLOW (the import is then aborted). */
int agg_add_fact_ids(struct agg *a, const struct agg_fact_ids *k, const struct store_sum *v);
int agg_add_resource_ids(struct agg *a, const struct agg_res_ids *k, const struct store_sum *v);

#endif
