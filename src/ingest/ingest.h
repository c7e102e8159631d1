/*
 * ingest.h: reading AWS Cost and Usage Report files into normalized rows.
 *
 * Knows CSV (RFC 4180), gzip, CUR column names (legacy "lineItem/UnblendedCost",
 * CUR 2.0 / Athena "line_item_unblended_cost"), FOCUS 1.0-1.2 column names
 * ("BilledCost", "ChargeCategory": focus.h, docs/import-focus.md) and
 * manifests; knows nothing of
 * customers, prices or the database. Memory is bounded whatever the file
 * size: a reader holds one row at a time, and every field is limited to
 * INGEST_MAX_FIELD bytes.
 *
 * Errors name FILE:LINE:COLUMN (1-based; the column is the CSV field number)
 * and are RB_EINPUT for bad input, RB_EIO for I/O.
 *
 * Row rules (cur_reader_next): every row of a file has the billing period of
 * its first row; the usage day is a real calendar day inside that billing
 * period, and its time of day, when given, a real one (hour 25 is bad
 * input); kept text is well-formed UTF-8 (util/utf8.h); payer and usage
 * account ids are 1 to 20 ASCII digits (AWS uses 12; anonymised samples
 * differ). FOCUS rows differ: each row has its own billing period, account
 * ids are other clouds' too (focus_account_ok), NULL cells are empty.
 * Amounts are exact decimals (E-notation allowed), an empty cell is 0; an
 * empty tag value is no tag; when two columns give the same tag key the
 * first in header order wins and the rest are counted (duplicate_tags).
 * Memory per reader: a 1 MiB buffer, grown only for a row longer than that
 * (at most 16 MiB, a longer row is bad input).
 */
#ifndef RB_INGEST_H
#define RB_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "cur/cur.h"
#include "util/decimal.h"
#include "util/err.h"

#define INGEST_MAX_FIELD (1u << 20)   /* 1 MiB: a field past this is bad input */
/* Pipes and FIFOs are read sequentially, by one reader: "-" is standard
 * input; a FIFO waits this many seconds for a writer (environment
 * REBILL_FIFO_WAIT overrides it), then is an error (RB_EIO). */
#define INGEST_FIFO_WAIT 30

/* A borrowed byte string (not NUL-terminated). */
struct rb_str {
	const char *p;
	size_t n;
};

struct cur_tag {
	struct rb_str key;    /* "user:Env" (legacy resourceTags/user:Env), CUR 2.0 map key */
	struct rb_str value;  /* never empty: an empty cell is no tag */
};

/* The string fields of a row that may name the Parquet dictionary entry
 * their text is (cur_row.ref). */
enum cur_ref_field {
	CUR_REF_DAY, CUR_REF_PAYER, CUR_REF_ACCOUNT, CUR_REF_TYPE, CUR_REF_PCODE, CUR_REF_PNAME,
	CUR_REF_UTYPE, CUR_REF_OP, CUR_REF_REGION, CUR_REF_RESOURCE, CUR_REF_N
};
#define CUR_REF_INDEX_BITS 24
#define CUR_TAGREF_MAX 8

/* One CUR row, normalized. Every pointer is borrowed from the reader and
 * valid until the next cur_reader_next or cur_reader_free. */
struct cur_row {
	long line;                 /* line of the file where the row starts */
	int period;                /* billing period (util/period.h) */
	char day[11];              /* usage day "YYYY-MM-DD" (UsageStartDate) */
	struct rb_str payer;       /* bill/PayerAccountId */
	struct rb_str account;     /* lineItem/UsageAccountId */
	struct rb_str type;        /* lineItem/LineItemType */
	enum cur_class cls;        /* cur_classify(type, RI ARN not empty) */
	struct rb_str product_code;/* lineItem/ProductCode */
	struct rb_str product_name;/* product/ProductName ("" when absent) */
	struct rb_str usage_type;  /* lineItem/UsageType */
	struct rb_str operation;   /* lineItem/Operation */
	struct rb_str region;      /* product/region ("" when absent) */
	struct rb_str resource_id; /* lineItem/ResourceId ("" when absent) */
	struct rb_str provider;    /* "AWS" for CUR; FOCUS ServiceProviderName or
	                            * ProviderName ("" when absent) */
	struct rb_str currency;    /* the costs' currency: "USD" for CUR; FOCUS
	                            * BillingCurrency ("USD" when empty) */
	char owner[13];            /* commitment owner (cur_owner_from_arn) or "" */
	rb_i128 usage_amount;      /* DEC_SCALE */
	struct cur_views views;    /* spec §3, DEC_SCALE */
	size_t ntags;              /* tags sorted by key, keys unique */
	const struct cur_tag *tags;
	/* Parquet: per cur_ref_field, the dictionary entry the field's text
	 * came from (a serial of the dictionary, unique in the process, above
	 * CUR_REF_INDEX_BITS; the entry's index + 1 below), 0 when none (CSV,
	 * plain pages, or a text not taken straight from one cell). Two equal
	 * non-zero refs of a field are the same text, so the aggregator interns
	 * it once per dictionary entry instead of hashing it per row. */
	uint64_t ref[CUR_REF_N];
	/* Parquet: when ntagrefs > 0, the tags are exactly what the row's
	 * ntagrefs flat tag cells make (no other tag source), and tagref[i]
	 * names cell i as above (0: an empty cell). Equal tuples are equal tag
	 * sets, so the aggregator need not build and hash the canon. */
	size_t ntagrefs;
	uint64_t tagref[CUR_TAGREF_MAX];
};

/* What a reader has seen so far. */
struct cur_reader_stats {
	uint64_t bytes_in;         /* bytes read from the file (compressed if gzip) */
	uint64_t file_size;        /* size of the file on disk */
	uint64_t rows;             /* rows returned */
	size_t nunknown_columns;   /* header columns rebill does not use */
	const char *const *unknown_columns;
	/* Tag values not returned because an earlier column (legacy
	 * resourceTags/KEY or flat resource_tags_KEY, in header order) or the
	 * resource_tags JSON cell already gave the row that key: the first wins. */
	uint64_t duplicate_tags;
};

struct cur_reader;

/* Opens a .csv, .csv.gz or Parquet file (gzip and Parquet are detected by
 * their magic bytes, not the name) and reads its header (Parquet: the
 * footer; its top-level column names are the header, and only the columns
 * the map uses are decoded; see parquet.h for how values become cells and
 * docs/import-parquet.md). The header decides the column map: legacy CUR,
 * CUR 2.0, or Athena/Parquet-style flat names. A missing required column is
 * RB_EINPUT naming it. For Parquet, LINE in errors is the row number. */
int cur_reader_open(struct cur_reader **out, const char *path, struct rb_err *err);

/* As cur_reader_open over len bytes at data (plain, gzip or Parquet), which must stay
 * valid and unchanged until cur_reader_free; name is used in errors. For
 * fuzzing and tests. */
int cur_reader_open_mem(struct cur_reader **out, const char *name, const void *data,
	size_t len, struct rb_err *err);

/* As cur_reader_open with a read buffer of bufsize bytes (0: the default
 * 1 MiB). Tests use tiny sizes to put fields across buffer refills. */
int cur_reader_open_ex(struct cur_reader **out, const char *path, size_t bufsize,
	struct rb_err *err);

/* Reading one plain (not gzip) CSV file on several threads: split [0, size)
 * into byte ranges [s0 = 0, s1), [s1, s2), ... [sn, size) and open one reader
 * per range; each reads the header itself, then only the rows starting in
 * its range (a range's first row starts after the first line end at or after
 * s - 1; the last is the one starting before the range's end). Ranges should
 * be large (e.g. 64 MiB or more): a row is read by exactly one of them.
 *
 * The rows of all ranges are exactly the file's rows when, for every k >= 1,
 * range k-1's `stop` equals range k's `first` (cur_reader_range, after the
 * last row; `first` is also valid after an error). Otherwise range k
 * started inside a quoted field that holds a line break: its rows and its
 * error, if any, mean nothing; discard the rows from range k on and read the
 * file with one reader. An error in a range whose chain holds is real.
 * Line numbers (row->line, err->line) count from 1 at a range's first row,
 * except in the range starting at 0: add the `lines` of the earlier ranges
 * to get the file's. Each range checks the billing period of its own
 * rows only: compare `period` across ranges. Gzip data is RB_EUSAGE. A Parquet file splits by
 * row groups: a range reads the groups whose first byte lies in it, and
 * `first`/`stop` are row group starts (ranges always chain). */
int cur_reader_open_range(struct cur_reader **out, const char *path, uint64_t start,
	uint64_t end, struct rb_err *err);

struct cur_reader_range {
	uint64_t first;   /* offset of the range's first row start */
	uint64_t stop;    /* offset of the row start after its last row (or the size) */
	long lines;       /* line ends from `first` (or the file start) to `stop` */
	int period;       /* billing period of its rows, -1 when it had none */
};

/* Where a range reader started and stopped (valid after cur_reader_next
 * returned 0). */
void cur_reader_range(const struct cur_reader *r, struct cur_reader_range *out);

/* Reads the next row into *row. Returns 1 with a row, 0 at end of file,
 * or a negative RB_E* code with err set. After an error the reader may
 * only be freed. */
int cur_reader_next(struct cur_reader *r, const struct cur_row **row, struct rb_err *err);

/* For benchmarks (bench/read_bench --decode-only): decodes the next row's
 * cells (CSV tokens, Parquet's projected columns) without the row rules,
 * so a row's format work can be told from the work both formats share.
 * Returns 1, 0 at end of file, or < 0 with err set, as cur_reader_next;
 * mixing it with cur_reader_next on one reader is not supported. */
int cur_reader_skip_decoded(struct cur_reader *r, struct rb_err *err);

void cur_reader_stats(const struct cur_reader *r, struct cur_reader_stats *out);

/* Closes; accepts NULL. */
void cur_reader_free(struct cur_reader *r);

/* Input discovery: expands the paths a user named (CSV or CSV.gz files,
 * legacy or CUR 2.0 manifests, directories searched recursively) into the
 * list of data files to read, each with the assembly id of its manifest
 * ("" when none). In a directory, files listed by a manifest are read
 * through it, and never twice. */
struct ingest_file {
	char *path;
	char *assembly_id;
	uint64_t size;
};

/* A file found in a named directory (or listed by a manifest) that is not
 * read, and why: "zip (not supported)", "not a CUR file" (unknown
 * type), "not listed by a manifest" (e.g. an older assembly's data next to
 * the manifests), "superseded assembly" (a legacy CUR assembly that the
 * top-level manifest of its period no longer names), "broken symbolic link",
 * "symbolic link loop", "not a regular file (...)" (a FIFO, socket or device
 * inside a folder: only a FIFO named alone is read). Callers report them.
 * "-" names standard input (once); a FIFO named alone is read like a file,
 * sequentially (size 0: never split). */
struct ingest_skipped {
	char *path;
	const char *reason;   /* static string */
};

struct ingest_list {
	struct ingest_file *files;
	size_t nfiles;
	struct ingest_skipped *skipped;
	size_t nskipped;
};

int ingest_collect(struct ingest_list *out, const char *const *paths, size_t npaths,
	struct rb_err *err);

/* A data file named by itself (not through a manifest) that a manifest in
 * its folder, or up to two folders above, lists with other parts: unless
 * every part is in list, RB_EINPUT naming the file, the manifest and the
 * S3 keys of the missing parts — importing one part would replace the
 * whole month with a fraction of it. Returns 0 when nothing is missing. */
int ingest_check_parts(const struct ingest_list *list, struct rb_err *err);
void ingest_list_release(struct ingest_list *list);

/* CUR manifests read without looking for their data files (S3 import
 * fetches the manifests first, then only the data files of the current
 * ones): each one's identity, the S3 keys it lists, and whether it is the
 * one to read for its report and period (the rule of ingest_collect: in a
 * folder holding several legacy assemblies, the top-level manifest). Two
 * manifests of a group naming different assemblies with none top-level is
 * RB_EINPUT, as in ingest_collect. */
struct ingest_manifest {
	char *path;           /* as given */
	char *report;         /* REPORT of "REPORT-Manifest.json" */
	char *period;         /* billingPeriod.start as written */
	char *assembly_id;    /* assemblyId (legacy) / executionId (CUR 2.0) */
	char **keys;          /* data files: S3 keys, "s3://BUCKET/" stripped */
	size_t nkeys;
	int current;
};

int ingest_manifests_read(struct ingest_manifest **out, size_t *nout,
	const char *const *paths, size_t npaths, struct rb_err *err);
void ingest_manifests_free(struct ingest_manifest *ms, size_t n);

#endif
