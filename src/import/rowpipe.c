/*
 * rowpipe.c: batches of copied rows handed from a reader thread to an
 * aggregator thread under one mutex: the producer fills a batch, queues it
 * and takes an empty one; the consumer drains a batch and gives it back.
 * Locking happens once per batch, not per row.
 */
#include "import/rowpipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_BATCHES 64
#define BATCH_ROWS 512
#define BATCH_TEXT (128 * 1024)
#define BATCH_TAGS 1024

struct batch {
	struct cur_row rows[BATCH_ROWS];
	uint32_t tag[BATCH_ROWS];
	size_t n;
	char *text;
	size_t tlen, tcap;
	struct cur_tag *tags;
	size_t ntags, tagcap;
};

struct rowpipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int nbatches;                  /* 2 per producer + 2 */
	struct batch *batches;
	int full[MAX_BATCHES];         /* FIFO of full batch indices */
	int nfull, head;
	int freelist[MAX_BATCHES];
	int nfree;
	int open_producers, stopped;
	int out;                       /* consumer's batch, -1 none */
	size_t out_pos;
};

struct rowpipe *rowpipe_new(int nproducers)
{
	struct rowpipe *p = xcalloc(1, sizeof(*p));
	int i;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (nproducers < 1)
		nproducers = 1;
	p->nbatches = 2 * nproducers + 2;
	if (p->nbatches > MAX_BATCHES)
		p->nbatches = MAX_BATCHES;
	p->open_producers = nproducers;
	p->batches = xcalloc((size_t)p->nbatches, sizeof(struct batch));
	for (i = 0; i < p->nbatches; i++) {
		p->batches[i].tcap = BATCH_TEXT;
		p->batches[i].text = xmalloc(BATCH_TEXT);
		p->batches[i].tagcap = BATCH_TAGS;
		p->batches[i].tags = xcalloc(BATCH_TAGS, sizeof(struct cur_tag));
		p->freelist[p->nfree++] = i;
	}
	p->out = -1;
	return p;
}

void rowpipe_producer_init(struct rowpipe_producer *pr)
{
	pr->in = -1;
}

void rowpipe_free(struct rowpipe *p)
{
	int i;
	if (!p)
		return;
	for (i = 0; i < p->nbatches; i++) {
		free(p->batches[i].text);
		free(p->batches[i].tags);
	}
	free(p->batches);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

/* Producer: queues the current batch (if any rows) and takes an empty one.
 * Returns -1 when stopped. */
static int next_in(struct rowpipe *p, struct rowpipe_producer *pr)
{
	int rc = 0;
	pthread_mutex_lock(&p->mu);
	if (pr->in >= 0) {
		if (p->batches[pr->in].n) {
			p->full[(p->head + p->nfull) % p->nbatches] = pr->in;
			p->nfull++;
		} else {
			p->freelist[p->nfree++] = pr->in;
		}
		pr->in = -1;
		pthread_cond_broadcast(&p->cv);
	}
	while (!p->nfree && !p->stopped)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->stopped) {
		rc = -1;
	} else {
		struct batch *b;
		pr->in = p->freelist[--p->nfree];
		b = &p->batches[pr->in];
		b->n = 0;
		b->tlen = 0;
		b->ntags = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void copy_str(struct batch *b, struct rb_str *s)
{
	char *dst = b->text + b->tlen;
	if (s->n)
		memcpy(dst, s->p, s->n);
	s->p = dst;
	b->tlen += s->n;
}

static size_t row_text(const struct cur_row *r)
{
	size_t n = r->payer.n + r->account.n + r->type.n + r->product_code.n + r->product_name.n +
		r->usage_type.n + r->operation.n + r->region.n + r->resource_id.n + r->provider.n +
		r->currency.n, i;
	for (i = 0; i < r->ntags; i++)
		n += r->tags[i].key.n + r->tags[i].value.n;
	return n;
}

int rowpipe_push(struct rowpipe *p, struct rowpipe_producer *pr, const struct cur_row *row,
	uint32_t tag)
{
	size_t need = row_text(row), i;
	struct batch *b;
	struct cur_row *r;

	if (pr->in < 0 && next_in(p, pr) < 0)
		return -1;
	b = &p->batches[pr->in];
	if (b->n == BATCH_ROWS || b->tlen + need > b->tcap || b->ntags + row->ntags > b->tagcap) {
		if (next_in(p, pr) < 0)
			return -1;
		b = &p->batches[pr->in];
	}
	/* an empty batch grows to fit any one row (fields are bounded by ingest) */
	if (need > b->tcap) {
		b->tcap = need;
		b->text = xrealloc(b->text, b->tcap);
	}
	if (row->ntags > b->tagcap) {
		b->tagcap = row->ntags;
		b->tags = xreallocarray(b->tags, b->tagcap, sizeof(struct cur_tag));
	}
	b->tag[b->n] = tag;
	r = &b->rows[b->n++];
	*r = *row;
	copy_str(b, &r->payer);
	copy_str(b, &r->account);
	copy_str(b, &r->type);
	copy_str(b, &r->product_code);
	copy_str(b, &r->product_name);
	copy_str(b, &r->usage_type);
	copy_str(b, &r->operation);
	copy_str(b, &r->region);
	copy_str(b, &r->resource_id);
	copy_str(b, &r->provider);
	copy_str(b, &r->currency);
	r->tags = b->tags + b->ntags;
	for (i = 0; i < row->ntags; i++) {
		struct cur_tag *t = &b->tags[b->ntags++];
		*t = row->tags[i];
		copy_str(b, &t->key);
		copy_str(b, &t->value);
	}
	return 0;
}

void rowpipe_close(struct rowpipe *p, struct rowpipe_producer *pr)
{
	pthread_mutex_lock(&p->mu);
	if (pr->in >= 0) {
		if (p->batches[pr->in].n && !p->stopped) {
			p->full[(p->head + p->nfull) % p->nbatches] = pr->in;
			p->nfull++;
		} else {
			p->freelist[p->nfree++] = pr->in;
		}
		pr->in = -1;
	}
	p->open_producers--;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

const struct cur_row *rowpipe_pop(struct rowpipe *p, uint32_t *tag)
{
	if (p->out >= 0 && p->out_pos < p->batches[p->out].n) {
		*tag = p->batches[p->out].tag[p->out_pos];
		return &p->batches[p->out].rows[p->out_pos++];
	}
	pthread_mutex_lock(&p->mu);
	if (p->out >= 0) {
		p->freelist[p->nfree++] = p->out;
		p->out = -1;
		pthread_cond_broadcast(&p->cv);
	}
	while (!p->nfull && p->open_producers > 0)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->nfull) {
		p->out = p->full[p->head];
		p->head = (p->head + 1) % p->nbatches;
		p->nfull--;
		p->out_pos = 0;
	}
	pthread_mutex_unlock(&p->mu);
	if (p->out < 0)
		return NULL;
	*tag = p->batches[p->out].tag[p->out_pos];
	return &p->batches[p->out].rows[p->out_pos++];
}

void rowpipe_stop(struct rowpipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->stopped = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
