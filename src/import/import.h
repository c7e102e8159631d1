/*
 * import.h: the import pipeline — CUR files in, aggregated facts in the
 * database out, as ONE transaction.
 *
 * Reader threads (one per CPU, at most one per file, or per byte range of
 * a big plain CSV) take files from a queue and pipe their rows to one aggregator thread that sums them into a
 * single table; at the end it is written with src/store in a single batch
 * that replaces every (payer, period) the files hold. Memory is bounded
 * whatever the input size: past IMPORT_MEMORY_BUDGET partial facts are
 * spilled to a temporary file and summed back partition by partition
 * (import/spill.h). Any error of any file aborts
 * the whole import: nothing is written.
 *
 * Rows come from a row source (struct import_source_ops): the CUR reader of
 * src/ingest (import_source_cur); tests feed rows they build in C.
 *
 * Not for: parsing CSV (src/ingest), SQL (src/store) or printing (src/cli).
 */
#ifndef RB_IMPORT_H
#define RB_IMPORT_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "store/store.h"
#include "util/decimal.h"
#include "util/err.h"

/* Where rows come from. open gets the file's path; next/stats/close behave
 * as cur_reader_next/stats/free (next: 1 row, 0 end, < 0 error with err
 * naming FILE:LINE:COLUMN). Calls for one file come from one thread; calls
 * for different files may run at the same time. */
struct import_source_ops {
	int (*open)(void **state, const char *path, void *arg, struct rb_err *err);
	int (*next)(void *state, const struct cur_row **row, struct rb_err *err);
	void (*stats)(void *state, struct cur_reader_stats *out);
	void (*close)(void *state);
	void *arg;
	/* Optional (NULL: files are never split): a reader of the rows
	 * starting in [start, end) of a plain CSV, and where it started and
	 * stopped once read, as cur_reader_open_range / cur_reader_range. */
	int (*open_range)(void **state, const char *path, uint64_t start, uint64_t end,
		void *arg, struct rb_err *err);
	void (*range)(void *state, struct cur_reader_range *out);
};

/* The CUR reader of src/ingest as a row source. */
extern const struct import_source_ops import_source_cur;

enum { IMPORT_RUN, IMPORT_COMMIT, IMPORT_STOP };   /* import_options.stop */

struct import_options {
	int progress;              /* draw a progress bar on stderr (caller checked the TTY) */
	int threads;               /* workers; 0 = the number of online CPUs */
	const char *imported_at;   /* "YYYY-MM-DDTHH:MM:SSZ"; NULL = now (UTC) */
	const struct import_source_ops *source; /* required, e.g. &import_source_cur */
	size_t memory_budget;      /* bytes of facts held in memory; 0 = $REBILL_IMPORT_BUDGET,
	                              else IMPORT_MEMORY_BUDGET */
	uint64_t range_bytes;      /* least bytes per range of a split file; 0 = IMPORT_RANGE_BYTES */
	/* Optional: set to 1 just before the COMMIT starts. Until then the
	 * database is unchanged whatever happens to the process (a signal
	 * handler may tell the user so). */
	volatile sig_atomic_t *committing;
	/* Optional: lets another thread stop the import (a server shutting
	 * down). *stop starts at IMPORT_RUN. import_files moves it to
	 * IMPORT_COMMIT by compare-and-swap just before the COMMIT. A thread
	 * that moves it from IMPORT_RUN to IMPORT_STOP first makes the import
	 * end with RB_EIO and the database unchanged: while reading, at the next
	 * progress step (about 0.2 s; a reader waiting for input is waited
	 * for); else at the COMMIT, which it never starts. A stop that finds IMPORT_COMMIT is too late: the import
	 * completes. */
	atomic_int *stop;
	/* Optional: called about 5 times a second from the thread that called
	 * import_files while the files are read (bytes read of total, rows),
	 * and once more when reading ended; e.g. a web job's progress. */
	void (*on_progress)(void *arg, uint64_t bytes, uint64_t total, uint64_t rows);
	void *progress_arg;
};

/* With fewer files than threads, a plain CSV of at least twice this size is
 * read as byte ranges on several threads (source ops open_range/range).
 * Should a range start inside a quoted field with a line break, or any
 * error occur, the files are read again whole: the result, rows and errors
 * are exactly those of reading them whole. */
#define IMPORT_RANGE_BYTES ((uint64_t)64 << 20)

/* Past this many bytes of aggregated facts, partial facts are spilled to
 * TEMP tables and summed in SQL at the end: memory stays bounded whatever
 * the number of distinct keys, at some speed. 40 MiB holds ~565k daily
 * facts and keeps the peak RSS of an import under 64 MiB with SQLite's
 * 4 MiB page cache, the readers and the spill's own SQLite memory: 46 MiB
 * peaked at 65.2 MiB on 1M rows with a random tag set per row (.csv.gz),
 * 40 MiB at 56.2 MiB (bench/RESULTS.md, issue 10). */
#define IMPORT_MEMORY_BUDGET ((size_t)40 << 20)

/* What one (payer, period) of the import holds. */
struct import_pp {
	char *payer;
	int period;
	char *provider;            /* "AWS" for CUR, FOCUS ProviderName */
	char *currency;            /* of the costs: "USD" for CUR, FOCUS BillingCurrency */
	int64_t rows;
	rb_i128 unblended;
	int replaced;              /* the database held this (payer, period) before */
	int64_t old_rows;          /* what its latest import counted then (0: none) */
	rb_i128 old_unblended;
};

/* An oddity that is not an error (also stored as import_notes). */
struct import_note {
	char *payer;
	int period;
	const char *kind;          /* "unknown_type" | "unknown_column" */
	char *name;
	int64_t rows;
	rb_i128 unblended;
};

/* The result of an import. */
struct import_result {
	size_t nfiles;             /* data files read */
	int64_t rows;
	size_t npayers, naccounts, nperiods;
	struct import_pp *pps;     /* sorted by payer, period */
	size_t npps;
	struct import_note *notes; /* sorted by kind, name, payer, period */
	size_t nnotes;
	size_t nunknown_columns;   /* distinct column names rebill does not use */
	size_t nunknown_types;     /* distinct line item types of class "other" */
	size_t nfacts, nresources; /* facts and resource facts written */
	/* Files with a header and no row: nothing imported from them (paths
	 * borrowed from the files given to import_files). */
	const char **empty_files;
	size_t nempty_files;
	/* Tag values not used because an earlier column gave the row that key
	 * (cur_reader_stats.duplicate_tags, summed over the files). */
	uint64_t duplicate_tags;
	/* Wall time of the phases, for benchmarks: reading and aggregating
	 * (until the last row is summed, spills included), then writing the
	 * batch (summary, facts, commit). */
	uint64_t read_ns, write_ns;
	size_t spill_runs;         /* runs spilled past the memory budget (levels below included) */
	uint64_t spill_bytes;      /* bytes of them in the temporary file */
};

/* Imports the given files (from ingest_collect) into s. On success fills
 * *out (release with import_result_release); on failure the database is
 * unchanged and *out is empty. Errors: RB_EINPUT (bad input, naming
 * FILE:LINE:COLUMN), RB_EIO (reading or the database). */
int import_files(struct import_result *out, struct store *s, const struct ingest_file *files,
	size_t nfiles, const struct import_options *opt, struct rb_err *err);

void import_result_release(struct import_result *r);

#endif
