/*
 * spill.h: external aggregation of an import's partial facts (private to
 * src/import and its unit tests).
 *
 * When the aggregation table passes its memory budget, its facts and
 * resource facts are written as one RUN to an anonymous temporary file:
 * binary records of partial sums, hash-partitioned by their key's content
 * into SPILL_PARTS partitions, each partition's records preceded by the
 * strings they name (so a partition of a run reads back on its own, with
 * no id that outlives the table that gave it). At the end, partition by
 * partition, every run's part is summed in a fresh table in memory and
 * handed to the caller: equal keys meet in the same partition, so each
 * fact comes out once with its whole sum. A partition that is itself past
 * the budget is spilled again, one level down, with another hash.
 *
 * Invariants: the file is in $TMPDIR (else /tmp), opened with O_TMPFILE or
 * unlinked right after it is made, so it never outlives the process, on
 * any path (error, signal, crash). Sums are exact (128 bits, overflow
 * reported). Memory: the write buffer, one partition's records and one
 * partition's table.
 *
 * Not for: SQL (the caller writes what spill_each hands it) or threads
 * (one caller at a time).
 */
#ifndef RB_IMPORT_SPILL_H
#define RB_IMPORT_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "import/agg.h"
#include "util/err.h"

#define SPILL_PARTS 64

struct spill;

/* Opens an empty spill (the temporary file). */
int spill_open(struct spill **out, struct rb_err *err);
/* Frees and closes (the file goes with it); accepts NULL. */
void spill_free(struct spill *sp);

/* Writes a's facts and resource facts (a flushed) as one run. The caller
 * then empties a (agg_reset_facts). */
int spill_write(struct spill *sp, const struct agg *a, struct rb_err *err);

/* Calls emit with each partition's summed facts, one table at a time (the
 * table is freed after the call, unless emit returns SPILL_KEPT: it is
 * then emit's to agg_free). budget: bytes a partition's table may hold
 * before it is spilled one level down. emit's negative return stops the
 * walk and is returned. A sum past 128 bits is RB_EINPUT. */
#define SPILL_KEPT 1
int spill_each(struct spill *sp, size_t budget,
	int (*emit)(void *ctx, struct agg *part, struct rb_err *err), void *ctx,
	struct rb_err *err);

/* Runs written and bytes in the file (levels below included), for tests
 * and --timing. */
size_t spill_runs(const struct spill *sp);
uint64_t spill_bytes(const struct spill *sp);

#endif
