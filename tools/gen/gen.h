/*
 * gen.h: the deterministic synthetic CUR generator behind `rebill gen`.
 *
 * Writes a month of Cost and Usage Report data for N AWS Organizations
 * (payers) with M linked accounts each, in the layout AWS delivers it to S3
 * (legacy CUR: report prefix, date range, assembly id, manifest; CUR 2.0 data
 * export: data/ and metadata/ partitions, manifest), plain CSV or gzip, split
 * into K parts per payer. Every spec §2 line item type is present, plus an
 * unknown one ("SomethingNew") that rebill must classify as "other".
 *
 * Invariants:
 * - Deterministic: the bytes written depend only on the options (never on the
 *   clock, the locale or the machine). A row's content depends on (seed,
 *   payer, row number) only, so --parts changes how rows are split, not what
 *   they are.
 * - No floating point: amounts are generated as integers and written with
 *   util/decimal.h. Some amounts carry more than 10 fractional digits or use
 *   E-notation on purpose; the expected sums are computed from each cell as
 *   rebill parses it (dec_parse at DEC_SCALE), with src/cur for the class and
 *   the spec §3 cost views.
 * - Bounded memory: one row is built at a time in a fixed buffer; nothing is
 *   allocated per row.
 *
 * Not for: reading CUR (src/ingest) or anything about customers and prices.
 */
#ifndef RB_GEN_H
#define RB_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum gen_format {
	GEN_LEGACY = 0,  /* "lineItem/UnblendedCost", one resourceTags/user:KEY column per tag */
	GEN_CUR2,        /* "line_item_unblended_cost", resource_tags and product JSON maps */
};

#define GEN_MAX_PAYERS 899
#define GEN_MAX_ACCOUNTS 999
#define GEN_MAX_PARTS 1000
#define GEN_MAX_ROWS 1000000000L

struct gen_opts {
	int payers;              /* 1..GEN_MAX_PAYERS */
	int accounts;            /* linked accounts per payer, 1..GEN_MAX_ACCOUNTS */
	long rows;               /* rows per payer (exact without restate), 1..GEN_MAX_ROWS */
	int period;              /* util/period.h */
	enum gen_format format;
	int gzip;                /* write .csv.gz (zlib) instead of .csv */
	int parts;               /* data files per payer, 1..GEN_MAX_PARTS */
	uint64_t seed;
	int restate;             /* the restated assembly of the same month (see gen_write) */
};

/* Defaults: 1 payer, 3 accounts, 1000 rows, 2026-10, legacy, plain CSV,
 * 1 part, seed 1, no restatement. */
void gen_opts_init(struct gen_opts *opts);

/* Checks the ranges above; RB_EUSAGE with a message naming the option. */
int gen_opts_check(const struct gen_opts *opts, struct rb_err *err);

/* Called once per data row in the order rows are written. names and cells
 * hold ncols entries: the format's header and the row's cells exactly as
 * written before CSV quoting ("" for an empty cell). Borrowed for the call. */
typedef void (*gen_row_fn)(void *ctx, int payer, size_t ncols,
	const char *const *names, const char *const *cells);

struct gen_result {
	uint64_t rows;           /* data rows written, all payers */
	uint64_t bytes;          /* CSV bytes before compression */
	size_t files;            /* data files + manifests + expected.json */
};

/*
 * Writes the data set into dir (created if missing, parents too):
 *
 *   legacy: dir/<payer>/rebill-cur/<YYYYMMDD-YYYYMMDD>/rebill-cur-Manifest.json
 *           dir/<payer>/rebill-cur/<YYYYMMDD-YYYYMMDD>/<assemblyId>/rebill-cur-0000k.csv[.gz]
 *   cur2:   dir/<payer>/rebill-cur2/metadata/BILLING_PERIOD=YYYY-MM/rebill-cur2-Manifest.json
 *           dir/<payer>/rebill-cur2/data/BILLING_PERIOD=YYYY-MM/rebill-cur2-0000k.csv[.gz]
 *   both:   dir/expected.json (the exact expected sums, see tools/gen/README.md)
 *
 * The manifests name S3 keys (legacy reportKeys "<payer>/rebill-cur/...") or
 * S3 URIs (cur2 dataFiles "s3://<bucket>/<payer>/rebill-cur2/data/...") whose
 * path suffix is the file's path below dir.
 *
 * With opts->restate the same month is written as AWS restates it: another
 * assembly (execution) id, about 10% of the rows with other amounts, about
 * 2.5% of the rows gone and R/30 new rows. Written into the directory of the
 * original, the legacy manifest is replaced and points at the new assembly
 * folder (as on S3).
 *
 * fn (may be NULL) sees every row. Returns 0, RB_EUSAGE for bad options, or
 * RB_EIO naming the file that could not be written.
 */
int gen_write(struct gen_result *out, const struct gen_opts *opts, const char *dir,
	gen_row_fn fn, void *ctx, struct rb_err *err);

/* "legacy" | "cur2" -> 0, else -1. */
int gen_format_parse(enum gen_format *out, const char *s);

#endif
