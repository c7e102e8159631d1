/*
 * rowpipe.h: a bounded many-producer single-consumer queue of CUR rows
 * from reader threads to one aggregator thread (private to src/import), so
 * reading uses the cores while all rows meet in a single table.
 *
 * Invariants: rows are copied (strings and tags included) into a few
 * fixed batches that circulate between the threads, so memory is bounded
 * (two per producer, and two more) whatever the file size; a producer blocks
 * while all batches are full. A row popped stays valid until the next pop.
 *
 * Not for: more than one consumer.
 */
#ifndef RB_IMPORT_ROWPIPE_H
#define RB_IMPORT_ROWPIPE_H

#include <stdint.h>

#include "ingest/ingest.h"

struct rowpipe;

/* A producer's own state: its batch being filled. */
struct rowpipe_producer {
	int in;
};

/* A pipe for nproducers producers; each calls rowpipe_producer_init. */
struct rowpipe *rowpipe_new(int nproducers);
void rowpipe_producer_init(struct rowpipe_producer *pr);
/* Frees; accepts NULL. Both threads must be done with it. */
void rowpipe_free(struct rowpipe *p);

/* Producer: copies row in, with a number the consumer gets back (the
 * file's). Returns 0, or -1 when the consumer stopped (rowpipe_stop): then
 * stop producing. */
int rowpipe_push(struct rowpipe *p, struct rowpipe_producer *pr, const struct cur_row *row,
	uint32_t tag);
/* Producer: no more rows from pr. Once every producer closed, the consumer
 * drains what was pushed and then gets NULL. */
void rowpipe_close(struct rowpipe *p, struct rowpipe_producer *pr);

/* Consumer: the next row (and its tag), or NULL once the producer closed
 * and all rows were popped. */
const struct cur_row *rowpipe_pop(struct rowpipe *p, uint32_t *tag);
/* Consumer: stop early (an error); the producer's pushes fail from now. */
void rowpipe_stop(struct rowpipe *p);

#endif
