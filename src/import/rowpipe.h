/*
 * rowpipe.h: a bounded single-producer single-consumer queue of CUR rows
 * between a reader thread and an aggregator thread (private to
 * src/import), so one file can use two cores.
 *
 * Invariants: rows are copied (strings and tags included) into a few
 * fixed batches that circulate between the threads, so memory is bounded
 * (ROWPIPE_BATCHES batches) whatever the file size; the producer blocks
 * while all batches are full. A row popped stays valid until the next pop.
 *
 * Not for: more than one producer or consumer.
 */
#ifndef RB_IMPORT_ROWPIPE_H
#define RB_IMPORT_ROWPIPE_H

#include <stdint.h>

#include "ingest/ingest.h"

struct rowpipe;

struct rowpipe *rowpipe_new(void);
/* Frees; accepts NULL. Both threads must be done with it. */
void rowpipe_free(struct rowpipe *p);

/* Producer: copies row in, with a number the consumer gets back (the
 * file's). Returns 0, or -1 when the consumer stopped (rowpipe_stop): then
 * stop producing. */
int rowpipe_push(struct rowpipe *p, const struct cur_row *row, uint32_t tag);
/* Producer: no more rows; the consumer drains what was pushed. */
void rowpipe_close(struct rowpipe *p);

/* Consumer: the next row (and its tag), or NULL once the producer closed
 * and all rows were popped. */
const struct cur_row *rowpipe_pop(struct rowpipe *p, uint32_t *tag);
/* Consumer: stop early (an error); the producer's pushes fail from now. */
void rowpipe_stop(struct rowpipe *p);

#endif
