/*
 * import.c: the import pipeline. Reader threads (one per CPU, at most one
 * per file, or per byte range of one big plain CSV) take files from a
 * queue and hand copied rows through a bounded
 * pipe to ONE aggregator thread, so all rows meet in a single table (memory
 * counts each fact once) while parsing uses the cores. With one CPU a
 * single thread reads and aggregates. The main thread draws progress, then
 * writes everything in one store batch. When the table passes its memory
 * budget, partial facts are spilled to a temporary file (import/spill.c)
 * and summed back partition by partition while the batch is written.
 *
 * Not for: parsing (src/ingest), SQL (src/store), printing (src/cli).
 */
#include "import/import.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import/agg.h"
#include "import/progress.h"
#include "import/rowpipe.h"
#include "import/spill.h"
#include "store/store_facts.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_THREADS 16
#define STATS_EVERY 4096   /* rows between progress updates of a worker */
#define SPILL_EVERY 1024   /* rows between memory checks (a multiple divides STATS_EVERY) */
#define PREFETCH_FACTS 8   /* facts written in key order: fetch this many ahead */

/* Unknown columns of one file (copied from the reader's stats). */
struct file_cols {
	char **names;
	size_t n;
};

/* What one reader thread reads at a time: a whole file, or one of the
 * byte ranges of a big plain CSV (ingest.h, cur_reader_open_range). */
struct item {
	size_t file;
	uint64_t start, end;
	int part, nparts;              /* nparts 0: the whole file */
	struct cur_reader_range range; /* where a range started and stopped */
	uint64_t rows, duplicate_tags; /* what it read (cur_reader_stats) */
};

struct shared {
	const struct ingest_file *files;
	size_t nfiles;
	struct item *items;
	size_t nitems;
	const struct import_source_ops *src;
	atomic_size_t next;
	atomic_int failed;
	atomic_int finished;
	atomic_uint_fast64_t done_bytes;   /* bytes of files read to the end */
	pthread_mutex_t mu;
	struct rb_err err;                 /* the first error, under mu */
	int code;
	struct file_cols *cols;            /* per file, written by its worker */
	struct store *store;
	struct agg *agg;                   /* the one table */
	struct rowpipe *pipe;              /* readers -> aggregator; NULL: one thread */
	size_t budget;                     /* bytes of facts before spilling */
	volatile sig_atomic_t *committing; /* import_options.committing */
	atomic_int *stop;                  /* import_options.stop */
	pthread_mutex_t spill_mu;          /* one spill at a time into the file */
	struct spill *spill;               /* opened by the first spill */
};

struct worker {
	pthread_t tid;
	int started;
	struct shared *sh;
	struct rowpipe_producer prod;
	atomic_uint_fast64_t bytes;        /* of the file being read */
	atomic_uint_fast64_t rows;
};

static void fail_shared(struct shared *sh, int code, const struct rb_err *err)
{
	pthread_mutex_lock(&sh->mu);
	if (!atomic_load(&sh->failed)) {
		sh->err = *err;
		sh->code = code;
		atomic_store(&sh->failed, 1);
	}
	pthread_mutex_unlock(&sh->mu);
}

/* The error of an import stopped by import_options.stop. */
static int stopped_error(struct rb_err *err)
{
	return rb_err_set(err, RB_EIO, "import stopped before its commit (the server is shutting "
		"down); the database is unchanged");
}

static int stop_requested(const struct shared *sh)
{
	return sh->stop && atomic_load(sh->stop) == IMPORT_STOP;
}

static void keep_columns(struct file_cols *fc, const struct cur_reader_stats *st)
{
	size_t i;
	fc->n = st->nunknown_columns;
	fc->names = fc->n ? xcalloc(fc->n, sizeof(char *)) : NULL;
	for (i = 0; i < fc->n; i++)
		fc->names[i] = xstrdup(st->unknown_columns[i]);
}

static int agg_tag_error(struct rb_err *err, const char *path, long line)
{
	return rb_err_at(err, RB_EINPUT, path, line, 0,
		"a tag key or value holds a \\x1e or \\x1f control character");
}

/* The error of an agg call that failed with code (< 0) on a row of path. */
static int agg_row_error(struct rb_err *err, const struct shared *sh, const struct agg *a,
	int code, const char *path, long line)
{
	uint32_t file;
	if (code == AGG_ETAG)
		return agg_tag_error(err, path, line);
	agg_error_row(a, &file, &line);
	if (file >= sh->nfiles)   /* summing spilled partial sums: no one row */
		return rb_err_set(err, RB_EINPUT, "a sum passes the 128-bit range");
	return rb_err_at(err, RB_EINPUT, sh->files[file].path, line, 0,
		"a sum passes the 128-bit range");
}

/* An AGG_EOVERFLOW of agg_flush. */
static int agg_error(struct rb_err *err, const struct shared *sh, const struct agg *a)
{
	return agg_row_error(err, sh, a, AGG_EOVERFLOW, NULL, 0);
}

/* Moves a's facts into the spill file as a run and empties them. */
static int spill_agg(struct shared *sh, struct agg *a, struct rb_err *err)
{
	int rc = 0;

	if (agg_flush(a) < 0)
		return agg_error(err, sh, a);
	pthread_mutex_lock(&sh->spill_mu);
	if (!sh->spill)
		rc = spill_open(&sh->spill, err);
	if (rc == 0)
		rc = spill_write(sh->spill, a, err);
	pthread_mutex_unlock(&sh->spill_mu);
	if (rc == 0) {
		agg_reset_facts(a);
#ifdef __GLIBC__
		/* glibc keeps freed heap pages; give the table's back so that
		 * the next table and the partitions summed later stay within the
		 * budget */
		malloc_trim(0);
#endif
	}
	return rc;
}

/* Spills a when its facts passed the budget. */
/* What a row may add to the agg's memory, roughly: its tag bytes (a new
 * tag set is interned whole). Rows with thousands of distinct tags make
 * 1024 rows many megabytes: the memory is checked after SPILL_BYTES of
 * them too, not only every SPILL_EVERY rows (issue 10: 6k rows x 1000 tag
 * columns went 14 MB past the budget between two checks). */
#define SPILL_BYTES ((uint64_t)1 << 20)

static uint64_t row_weight(const struct cur_row *row)
{
	uint64_t w = 64;
	size_t i;
	for (i = 0; i < row->ntags; i++)
		w += row->tags[i].key.n + row->tags[i].value.n + 2;
	return w;
}

static int maybe_spill(struct shared *sh, struct agg *a, struct rb_err *err)
{
	if (agg_facts_memory(a) <= sh->budget)
		return 0;
	return spill_agg(sh, a, err);
}


/* The aggregator thread: sums what the readers pipe in. */
static void *aggregator_main(void *arg)
{
	struct shared *sh = arg;
	const struct cur_row *row;
	uint32_t file;
	uint64_t n = 0, weight = 0;

	while ((row = rowpipe_pop(sh->pipe, &file)) != NULL) {
		struct rb_err e;
		int a = agg_add(sh->agg, row, file);
		if (a < 0) {
			rb_err_clear(&e);
			fail_shared(sh, agg_row_error(&e, sh, sh->agg, a, sh->files[file].path,
				row->line), &e);
			rowpipe_stop(sh->pipe);
			break;
		}
		weight += row->ntags ? row_weight(row) : 64;
		if (++n % SPILL_EVERY == 0 || weight >= SPILL_BYTES) {
			weight = 0;
			rb_err_clear(&e);
			if ((a = maybe_spill(sh, sh->agg, &e)) < 0) {
				fail_shared(sh, a, &e);
				rowpipe_stop(sh->pipe);
				break;
			}
		}
	}
	return NULL;
}

static int read_file(struct worker *w, size_t item, struct rb_err *err)
{
	struct shared *sh = w->sh;
	struct item *it = &sh->items[item];
	size_t idx = it->file;
	const struct ingest_file *f = &sh->files[idx];
	const struct cur_row *row;
	struct cur_reader_stats st;
	void *state = NULL;
	uint64_t n = 0, weight = 0;
	int rc;

	if (it->nparts)
		rc = sh->src->open_range(&state, f->path, it->start, it->end, sh->src->arg, err);
	else
		rc = sh->src->open(&state, f->path, sh->src->arg, err);
	if (rc < 0)
		return rc;
	while ((rc = sh->src->next(state, &row, err)) == 1) {
		if (sh->pipe) {
			if (rowpipe_push(sh->pipe, &w->prod, row, (uint32_t)idx) < 0) {
				rc = 0;   /* the aggregator failed and said so */
				goto cleanup;
			}
		} else {
			int a = agg_add(sh->agg, row, (uint32_t)idx);
			if (a < 0) {
				rc = agg_row_error(err, sh, sh->agg, a, f->path, row->line);
				goto cleanup;
			}
		}
		++n;
		if (!sh->pipe) {
			weight += row->ntags ? row_weight(row) : 64;
			if (n % SPILL_EVERY == 0 || weight >= SPILL_BYTES) {
				weight = 0;
				if ((rc = maybe_spill(sh, sh->agg, err)) < 0)
					goto cleanup;
			}
		}
		if (n % STATS_EVERY == 0) {
			sh->src->stats(state, &st);
			atomic_store(&w->bytes, st.bytes_in);
			atomic_fetch_add(&w->rows, STATS_EVERY);
			if (atomic_load(&sh->failed)) {
				rc = 0;
				goto cleanup;
			}
		}
	}
	if (rc < 0)
		goto cleanup;
	sh->src->stats(state, &st);
	if (it->part == 0)   /* every range reads the same header */
		keep_columns(&sh->cols[idx], &st);
	it->rows = n;
	it->duplicate_tags = st.duplicate_tags;
	if (it->nparts)
		sh->src->range(state, &it->range);
	atomic_fetch_add(&w->rows, n % STATS_EVERY);
	atomic_fetch_add(&sh->done_bytes, it->nparts ? it->end - it->start : f->size);
	atomic_store(&w->bytes, 0);
	rc = 0;
cleanup:
	sh->src->close(state);
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct rb_err err;

	rb_err_clear(&err);
	while (!atomic_load(&sh->failed)) {
		size_t idx = atomic_fetch_add(&sh->next, 1);
		int rc;
		if (idx >= sh->nitems)
			break;
		if ((rc = read_file(w, idx, &err)) < 0) {
			fail_shared(sh, rc, &err);
			break;
		}
	}
	if (sh->pipe)
		rowpipe_close(sh->pipe, &w->prod);
	atomic_fetch_add(&sh->finished, 1);
	return NULL;
}

static int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* ---- summarizing the table ---- */

static int pp_cmp(const void *a, const void *b)
{
	const struct import_pp *x = a, *y = b;
	int c = strcmp(x->payer, y->payer);
	return c ? c : (x->period > y->period) - (x->period < y->period);
}

static int note_cmp(const void *a, const void *b)
{
	const struct import_note *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->payer, y->payer);
	return c ? c : (x->period > y->period) - (x->period < y->period);
}

static struct import_pp *pp_get(struct import_result *r, size_t *alloc, const char *payer,
	int period)
{
	size_t i;
	for (i = r->npps; i-- > 0;)
		if (r->pps[i].period == period && !strcmp(r->pps[i].payer, payer))
			return &r->pps[i];
	if (r->npps == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		r->pps = xreallocarray(r->pps, *alloc, sizeof(*r->pps));
	}
	memset(&r->pps[r->npps], 0, sizeof(r->pps[0]));
	r->pps[r->npps].payer = xstrdup(payer);
	r->pps[r->npps].period = period;
	return &r->pps[r->npps++];
}

static struct import_note *note_get(struct import_result *r, size_t *alloc, const char *payer,
	int period, const char *kind, const char *name)
{
	size_t i;
	for (i = r->nnotes; i-- > 0;) {
		struct import_note *n = &r->notes[i];
		if (n->period == period && n->kind == kind && !strcmp(n->name, name) &&
		    !strcmp(n->payer, payer))
			return n;
	}
	if (r->nnotes == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		r->notes = xreallocarray(r->notes, *alloc, sizeof(*r->notes));
	}
	memset(&r->notes[r->nnotes], 0, sizeof(r->notes[0]));
	r->notes[r->nnotes].payer = xstrdup(payer);
	r->notes[r->nnotes].period = period;
	r->notes[r->nnotes].kind = kind;
	r->notes[r->nnotes].name = xstrdup(name);
	return &r->notes[r->nnotes++];
}

static size_t count_distinct_names(const struct import_result *r, const char *kind)
{
	size_t i, n = 0;
	/* notes are sorted by kind, name */
	for (i = 0; i < r->nnotes; i++)
		if (r->notes[i].kind == kind &&
		    (i == 0 || r->notes[i - 1].kind != kind || strcmp(r->notes[i - 1].name, r->notes[i].name)))
			n++;
	return n;
}

static int summarize(struct import_result *r, const struct agg *a, const struct shared *sh,
	struct rb_err *err)
{
	size_t i, j, ppalloc = 0, nalloc = 0;
	int *periods = NULL;
	size_t np = 0;

	for (i = 0; i < agg_npps(a); i++) {
		struct store_sum sum;
		struct import_pp *pp;
		const char *payer;
		int period;
		agg_pp(a, i, &payer, &period, &sum);
		pp = pp_get(r, &ppalloc, payer, period);
		if (pp->provider) {
			/* one billing account belongs to one provider and bills in one
			 * currency: both are recorded per (payer, period), beside the
			 * import. The entries differ in one of the two. */
			char p[PERIOD_BUFSZ];
			int cur = !strcmp(pp->provider, agg_pp_provider(a, i));
			const char *val[2] = { cur ? pp->currency : pp->provider,
				cur ? agg_pp_currency(a, i) : agg_pp_provider(a, i) };
			uint32_t file[2] = { UINT32_MAX, UINT32_MAX };
			int k, late;
			/* the first file of each value; the later one is blamed,
			 * whatever order the threads summed them in */
			for (j = 0; j < agg_nfile_rows(a); j++) {
				struct agg_file_rows fr;
				agg_file_rows(a, j, &fr);
				for (k = 0; k < 2; k++)
					if (fr.period == period && !strcmp(fr.payer, payer) &&
					    !strcmp(cur ? fr.currency : fr.provider, val[k]) && fr.file < file[k])
						file[k] = fr.file;
			}
			late = file[1] > file[0];
			period_format(p, period);
			free(periods);
			if (cur)
				return rb_err_at(err, RB_EINPUT, sh->files[file[late]].path, 0, 0,
					"billing account '%s' bills in %s here, in %s in %s (%s): a billing "
					"account's period is in one currency",
					payer, val[late], val[!late], sh->files[file[!late]].path, p);
			return rb_err_at(err, RB_EINPUT, sh->files[file[late]].path, 0, 0,
				"billing account '%s' has provider '%s' here, '%s' in %s (%s)",
				payer, val[late], val[!late], sh->files[file[!late]].path, p);
		}
		pp->provider = xstrdup(agg_pp_provider(a, i));
		pp->currency = xstrdup(agg_pp_currency(a, i));
		pp->rows = sum.rows;
		pp->unblended = sum.unblended;
		r->rows += sum.rows;
		for (j = 0; j < np && periods[j] != period; j++)
			;
		if (j == np) {
			periods = xreallocarray(periods, np + 1, sizeof(int));
			periods[np++] = period;
		}
	}
	free(periods);
	r->nperiods = np;
	r->naccounts = agg_naccounts(a);
	for (i = 0; i < agg_nothers(a); i++) {
		struct store_sum sum;
		struct import_note *n;
		const char *payer, *type;
		int period;
		agg_other(a, i, &payer, &period, &type, &sum);
		n = note_get(r, &nalloc, payer, period, "unknown_type", type);
		n->rows = sum.rows;
		n->unblended = sum.unblended;
	}
	for (i = 0; i < agg_nfile_rows(a); i++) {
		struct agg_file_rows fr;
		const struct file_cols *fc;
		agg_file_rows(a, i, &fr);
		fc = &sh->cols[fr.file];
		for (j = 0; j < fc->n; j++)
			note_get(r, &nalloc, fr.payer, fr.period, "unknown_column", fc->names[j])->rows +=
				fr.rows;
	}
	/* files that gave nothing, and tag values not used: said, not silent */
	for (i = 0; i < sh->nfiles; i++) {
		uint64_t rows = 0;
		for (j = 0; j < sh->nitems; j++)
			if (sh->items[j].file == i)
				rows += sh->items[j].rows;
		if (!rows) {
			r->empty_files = xreallocarray(r->empty_files, r->nempty_files + 1,
				sizeof(*r->empty_files));
			r->empty_files[r->nempty_files++] = sh->files[i].path;
		}
	}
	for (j = 0; j < sh->nitems; j++)
		r->duplicate_tags += sh->items[j].duplicate_tags;
	if (r->npps)
		qsort(r->pps, r->npps, sizeof(*r->pps), pp_cmp);
	(void)err;
	if (r->nnotes)
		qsort(r->notes, r->nnotes, sizeof(*r->notes), note_cmp);
	r->nunknown_types = count_distinct_names(r, "unknown_type");
	r->nunknown_columns = count_distinct_names(r, "unknown_column");
	for (i = 0; i < r->npps; i++) {
		if (i == 0 || strcmp(r->pps[i - 1].payer, r->pps[i].payer))
			r->npayers++;
	}
	return 0;
}

/* ---- writing ---- */

struct tag_order {
	const char *canon;
	size_t idx;
};

static int tag_cmp(const void *x, const void *y)
{
	return strcmp(((const struct tag_order *)x)->canon, ((const struct tag_order *)y)->canon);
}

/* Facts in (period, payer, account) order, so that the table and its
 * indexes grow by appends (SQLite's fast path) instead of splitting pages
 * in the middle: a counting sort over the few distinct (period, payer,
 * account) groups, 4 bytes per fact. Interned strings: equal pointers are
 * equal strings. */
struct fgroup {
	int period;
	const char *payer, *account;
	size_t count, next;
};

static int fgroup_cmp(const void *x, const void *y)
{
	const struct fgroup *a = x, *b = y;
	int c = (a->period > b->period) - (a->period < b->period);
	if (!c)
		c = strcmp(a->payer, b->payer);
	return c ? c : strcmp(a->account, b->account);
}

static size_t fgroup_hash(int period, const char *payer, const char *account)
{
	uint64_t h = (uint64_t)(uintptr_t)account * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)(uintptr_t)payer * 0xc2b2ae3d27d4eb4fULL;
	h ^= (uint64_t)(unsigned)period * 0x165667b19e3779f9ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of (period, payer, account) in the open-addressing table slots
 * (group index + 1, 0 empty) of mask + 1 entries. */
static size_t fgroup_slot(const uint32_t *slots, size_t mask, const struct fgroup *g,
	int period, const char *payer, const char *account)
{
	size_t j = fgroup_hash(period, payer, account) & mask;
	for (; slots[j]; j = (j + 1) & mask) {
		const struct fgroup *e = &g[slots[j] - 1];
		if (e->period == period && e->payer == payer && e->account == account)
			break;
	}
	return j;
}

static void order_facts(uint32_t **out, const struct agg *a)
{
	size_t n = agg_nfacts(a), i, ng = 0, galloc = 64, mask = 255, pos = 0;
	struct fgroup *g = xcalloc(galloc, sizeof(*g));
	uint32_t *slots = xcalloc(mask + 1, sizeof(uint32_t)), *grp_of_slot;
	uint32_t *fo = xcalloc(n ? n : 1, sizeof(uint32_t));

	for (i = 0; i < n; i++) {
		struct store_fact f;
		size_t j;
		agg_fact(a, i, &f);
		j = fgroup_slot(slots, mask, g, f.period, f.fact.payer, f.fact.account);
		if (!slots[j]) {
			if (ng == galloc) {
				galloc *= 2;
				g = xreallocarray(g, galloc, sizeof(*g));
			}
			g[ng].period = f.period;
			g[ng].payer = f.fact.payer;
			g[ng].account = f.fact.account;
			g[ng].count = 0;
			slots[j] = (uint32_t)++ng;
			if (ng * 2 > mask) {
				size_t k;
				mask = mask * 2 + 1;
				free(slots);
				slots = xcalloc(mask + 1, sizeof(uint32_t));
				for (k = 0; k < ng; k++)
					slots[fgroup_slot(slots, mask, g, g[k].period, g[k].payer,
						g[k].account)] = (uint32_t)(k + 1);
				j = fgroup_slot(slots, mask, g, f.period, f.fact.payer, f.fact.account);
			}
		}
		g[slots[j] - 1].count++;
	}
	qsort(g, ng, sizeof(*g), fgroup_cmp);
	for (i = 0; i < ng; i++) {
		g[i].next = pos;
		pos += g[i].count;
	}
	/* the slots pointed at unsorted group numbers: rebuild them */
	memset(slots, 0, (mask + 1) * sizeof(uint32_t));
	for (i = 0; i < ng; i++)
		slots[fgroup_slot(slots, mask, g, g[i].period, g[i].payer, g[i].account)] =
			(uint32_t)(i + 1);
	grp_of_slot = slots;
	for (i = 0; i < n; i++) {
		struct store_fact f;
		struct fgroup *e;
		agg_fact(a, i, &f);
		e = &g[grp_of_slot[fgroup_slot(slots, mask, g, f.period, f.fact.payer, f.fact.account)] - 1];
		fo[e->next++] = (uint32_t)i;
	}
	free(slots);
	free(g);
	*out = fo;
}

/* What write_table wrote. */
struct write_ctx {
	struct store_batch *b;
	size_t nfacts, nresources;
};

/* Writes a table's tag sets, facts and resource facts into the batch: the
 * table in memory, or one partition of the spill summed. */
static int write_table(void *arg, struct agg *a, struct rb_err *err)
{
	struct write_ctx *w = arg;
	size_t i, nt = agg_ntagsets(a);
	struct tag_order *order = xcalloc(nt ? nt : 1, sizeof(*order));
	int64_t *ids = xcalloc(nt ? nt : 1, sizeof(int64_t));
	uint32_t *fo = NULL;
	int rc = 0;

	/* new tag sets get ids in canon order, whatever order threads saw them */
	for (i = 0; i < nt; i++) {
		order[i].canon = agg_tagset(a, i);
		order[i].idx = i;
	}
	qsort(order, nt, sizeof(*order), tag_cmp);
	for (i = 0; i < nt; i++)
		if ((rc = store_batch_tagset(w->b, &ids[order[i].idx], order[i].canon, err)) < 0)
			goto cleanup;
	order_facts(&fo, a);
	for (i = 0; i < agg_nfacts(a); i++) {
		struct store_fact f;
		if (i + PREFETCH_FACTS < agg_nfacts(a))
			agg_fact_prefetch(a, fo[i + PREFETCH_FACTS]);
		agg_fact(a, fo[i], &f);
		f.tagset_id = ids[f.tagset_id];
		if ((rc = store_batch_fact(w->b, &f, err)) < 0)
			goto cleanup;
	}
	w->nfacts += agg_nfacts(a);
	for (i = 0; i < agg_nresources(a); i++) {
		struct store_resource_fact f;
		agg_resource(a, i, &f);
		if ((rc = store_batch_resource(w->b, &f, err)) < 0)
			goto cleanup;
	}
	w->nresources += agg_nresources(a);
cleanup:
	free(order);
	free(ids);
	free(fo);
	return rc;
}

/* The spill's partitions summed on a thread of their own while the main
 * thread writes the one before (SQLite's side and ours take about as
 * long): a one-table mailbox between them. */
struct sum_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct agg *slot;          /* summed, not yet taken */
	int done, stop;            /* the summing ended; the writer failed */
	int rc;                    /* the summing's result, with err */
	struct rb_err err;
	struct spill *sp;
	size_t budget;
};

static int hand_over(void *arg, struct agg *t, struct rb_err *err)
{
	struct sum_pipe *q = arg;
	pthread_mutex_lock(&q->mu);
	while (q->slot && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		return rb_err_set(err, RB_EIO, "import: the write stopped");
	}
	q->slot = t;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return SPILL_KEPT;
}

static void *summer_main(void *arg)
{
	struct sum_pipe *q = arg;
	struct rb_err e;
	int rc;
	rb_err_clear(&e);
	rc = spill_each(q->sp, q->budget, hand_over, q, &e);
	pthread_mutex_lock(&q->mu);
	q->rc = rc;
	q->err = e;
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Writes every partition of the spill: summed on a second thread when
 * there are two CPUs (three tables may then be in memory at once, so each
 * gets a third of the budget), else in turn. */
static int write_spill(struct write_ctx *w, const struct shared *sh, size_t ncpu,
	struct rb_err *err)
{
	struct sum_pipe q;
	pthread_t tid;
	int rc = 0;

	if (ncpu < 2)
		return spill_each(sh->spill, sh->budget, write_table, w, err);
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.cv, NULL);
	q.sp = sh->spill;
	q.budget = sh->budget / 3 ? sh->budget / 3 : 1;
	if (pthread_create(&tid, NULL, summer_main, &q) != 0) {
		pthread_mutex_destroy(&q.mu);
		pthread_cond_destroy(&q.cv);
		return spill_each(sh->spill, sh->budget, write_table, w, err);
	}
	for (;;) {
		struct agg *t;
		pthread_mutex_lock(&q.mu);
		while (!q.slot && !q.done)
			pthread_cond_wait(&q.cv, &q.mu);
		t = q.slot;
		q.slot = NULL;
		pthread_cond_broadcast(&q.cv);
		pthread_mutex_unlock(&q.mu);
		if (!t)
			break;
		rc = write_table(w, t, err);
		agg_free(t);
		if (rc < 0) {
			pthread_mutex_lock(&q.mu);
			q.stop = 1;
			pthread_cond_broadcast(&q.cv);
			pthread_mutex_unlock(&q.mu);
			break;
		}
	}
	pthread_join(tid, NULL);
	agg_free(q.slot);   /* handed over after the writer stopped */
	if (rc == 0 && q.rc < 0) {
		*err = q.err;
		rc = q.rc;
	}
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.cv);
	return rc;
}

static int write_all(struct import_result *r, struct store *s, struct agg *a,
	const struct shared *sh, size_t ncpu, const char *imported_at, struct rb_err *err)
{
	struct store_batch *b = NULL;
	struct write_ctx w;
	size_t i;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((rc = store_batch_begin(&b, s, imported_at, err)) < 0)
		goto cleanup;
	for (i = 0; i < r->npps; i++) {
		int had;
		if ((rc = store_batch_previous(b, r->pps[i].payer, r->pps[i].period, &had,
				&r->pps[i].old_rows, &r->pps[i].old_unblended, err)) < 0 ||
		    (rc = store_batch_replace(b, r->pps[i].payer, r->pps[i].period, r->pps[i].rows,
				r->pps[i].unblended, &r->pps[i].replaced, err)) < 0 ||
		    (rc = store_batch_provider(b, r->pps[i].payer, r->pps[i].period,
				r->pps[i].provider, err)) < 0 ||
		    (strcmp(r->pps[i].currency, "USD") &&
		     (rc = store_batch_currency(b, r->pps[i].payer, r->pps[i].period,
				r->pps[i].currency, err)) < 0))
			goto cleanup;
	}
	w.b = b;
	/* after a spill the table holds no facts: they are all in the file */
	if (sh->spill)
		rc = write_spill(&w, sh, ncpu, err);
	else
		rc = write_table(&w, a, err);
	if (rc < 0)
		goto cleanup;
	r->nfacts = w.nfacts;
	r->nresources = w.nresources;
	for (i = 0; i < agg_nfile_rows(a); i++) {
		struct agg_file_rows fr;
		const struct ingest_file *f;
		agg_file_rows(a, i, &fr);
		f = &sh->files[fr.file];
		if ((rc = store_batch_file(b, fr.payer, fr.period, f->path, f->size,
				f->assembly_id ? f->assembly_id : "", fr.rows, err)) < 0)
			goto cleanup;
	}
	for (i = 0; i < r->nnotes; i++) {
		const struct import_note *n = &r->notes[i];
		if ((rc = store_batch_note(b, n->payer, n->period, n->kind, n->name, n->rows,
				n->unblended, err)) < 0)
			goto cleanup;
	}
	if (sh->stop) {
		int expect = IMPORT_RUN;
		if (!atomic_compare_exchange_strong(sh->stop, &expect, IMPORT_COMMIT)) {
			rc = stopped_error(err);   /* cleanup rolls back */
			goto cleanup;
		}
	}
	if (sh->committing)   /* from now on an interrupt may find it written */
		*sh->committing = 1;
	rc = store_batch_commit(b, err);
	b = NULL;
cleanup:
	store_batch_abort(b);
	return rc;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void now_utc(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void import_result_release(struct import_result *r)
{
	size_t i;
	for (i = 0; i < r->npps; i++) {
		free(r->pps[i].payer);
		free(r->pps[i].provider);
		free(r->pps[i].currency);
	}
	for (i = 0; i < r->nnotes; i++) {
		free(r->notes[i].payer);
		free(r->notes[i].name);
	}
	free(r->pps);
	free(r->notes);
	free(r->empty_files);
	memset(r, 0, sizeof(*r));
}

/* Whether the file starts with the gzip magic (gzip cannot be split). */
static int is_gzip(const char *path)
{
	unsigned char m[2] = { 0, 0 };
	FILE *fp = fopen(path, "rb");
	size_t n;
	if (!fp)
		return 1;   /* let the reader report it, unsplit */
	n = fread(m, 1, 2, fp);
	fclose(fp);
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* The reading items: whole files; with split, and fewer files than
 * threads, each plain CSV of 2 * range_min bytes or more is cut into up to
 * `threads` byte ranges so that one big file uses every core. Returns
 * whether a file was split. */
static int plan_items(struct shared *sh, size_t threads, uint64_t range_min, int split)
{
	size_t i, n = 0;
	int any = 0;

	free(sh->items);
	sh->items = NULL;
	for (i = 0; i < sh->nfiles; i++) {
		const struct ingest_file *f = &sh->files[i];
		uint64_t k = 1, p;
		if (split && sh->src->open_range && sh->nfiles < threads &&
		    f->size >= 2 * range_min && !is_gzip(f->path)) {
			k = f->size / range_min;
			if (k > threads)
				k = threads;
		}
		sh->items = xreallocarray(sh->items, n + (size_t)k, sizeof(*sh->items));
		for (p = 0; p < k; p++) {
			struct item *it = &sh->items[n++];
			memset(it, 0, sizeof(*it));
			it->file = i;
			if (k > 1) {
				it->start = f->size * p / k;
				it->end = f->size * (p + 1) / k;
				it->part = (int)p;
				it->nparts = (int)k;
				any = 1;
			}
		}
	}
	sh->nitems = n;
	return any;
}

/* Whether the ranges of every split file chained up (each started where
 * the one before stopped: no range began inside a quoted line break) and
 * agree on the billing period. */
static int ranges_hold(const struct shared *sh)
{
	size_t i;
	for (i = 1; i < sh->nitems; i++) {
		const struct item *a = &sh->items[i - 1], *b = &sh->items[i];
		if (!b->nparts || b->part == 0)
			continue;
		if (a->range.stop != b->range.first)
			return 0;
		if (a->range.period >= 0 && b->range.period >= 0 && a->range.period != b->range.period)
			return 0;
	}
	return 1;
}

/* Empties what a read left (table, spill, columns, pipe) for another read. */
static void shared_reset(struct shared *sh)
{
	size_t i;
	agg_free(sh->agg);
	sh->agg = agg_new();
	rowpipe_free(sh->pipe);
	sh->pipe = NULL;
	spill_free(sh->spill);
	sh->spill = NULL;
	for (i = 0; i < sh->nfiles; i++) {
		size_t j;
		for (j = 0; j < sh->cols[i].n; j++)
			free(sh->cols[i].names[j]);
		free(sh->cols[i].names);
		sh->cols[i].names = NULL;
		sh->cols[i].n = 0;
	}
	atomic_store(&sh->next, 0);
	atomic_store(&sh->failed, 0);
	atomic_store(&sh->finished, 0);
	atomic_store(&sh->done_bytes, 0);
	rb_err_clear(&sh->err);
	sh->code = 0;
}

/* Reads every item into sh->agg: readers, aggregator, progress. Returns 0
 * or the first error (with *err). */
static int read_items(struct shared *sh, const struct import_options *opt, size_t ncpu,
	struct rb_err *err)
{
	struct worker *w = NULL;
	struct progress pg;
	pthread_t agg_tid;
	size_t i, nw, started = 0;
	uint64_t total = 0;
	int rc = 0;

	/* readers: one per CPU, at most one per item; with two CPUs or more an
	 * aggregator thread sums what they read */
	nw = ncpu < sh->nitems ? ncpu : sh->nitems;
	if (nw == 0)
		nw = 1;
	if (ncpu >= 2) {
		sh->pipe = rowpipe_new((int)nw);
		if (pthread_create(&agg_tid, NULL, aggregator_main, sh) != 0) {
			rowpipe_free(sh->pipe);
			sh->pipe = NULL;
		}
	}
	if (!sh->pipe)
		nw = 1;     /* one thread reads and sums */
	w = xcalloc(nw, sizeof(*w));
	for (i = 0; i < sh->nfiles; i++)
		total += sh->files[i].size;
	if (opt->progress)
		progress_start(&pg, stderr, total);
	for (i = 0; i < nw; i++) {
		w[i].sh = sh;
		rowpipe_producer_init(&w[i].prod);
		atomic_init(&w[i].bytes, 0);
		atomic_init(&w[i].rows, 0);
	}
	for (i = 0; i < nw; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			struct rb_err e;
			rb_err_clear(&e);
			rb_err_set(&e, RB_EIO, "cannot start an import thread");
			fail_shared(sh, RB_EIO, &e);
			if (sh->pipe)
				rowpipe_close(sh->pipe, &w[i].prod);   /* it will never close itself */
			continue;
		}
		w[i].started = 1;
		started++;
	}
	if (opt->progress || opt->on_progress || opt->stop) {
		uint64_t shown = 0, shown_rows = 0;
		while ((size_t)atomic_load(&sh->finished) < started) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			uint64_t bytes, rows = 0;
			nanosleep(&ts, NULL);
			/* a worker finishing a file may be caught between adding its
			 * size and resetting its count: never draw a step back */
			bytes = atomic_load(&sh->done_bytes);
			for (i = 0; i < nw; i++) {
				bytes += atomic_load(&w[i].bytes);
				rows += atomic_load(&w[i].rows);
			}
			if (bytes < shown)
				bytes = shown;
			shown = bytes;
			if (rows > shown_rows)
				shown_rows = rows;
			if (opt->progress)
				progress_draw(&pg, bytes, rows);
			if (opt->on_progress)
				opt->on_progress(opt->progress_arg, bytes, total, shown_rows);
			if (stop_requested(sh) && !atomic_load(&sh->failed)) {
				struct rb_err e;
				rb_err_clear(&e);
				stopped_error(&e);
				fail_shared(sh, RB_EIO, &e);
				if (sh->pipe)
					rowpipe_stop(sh->pipe);
			}
		}
		if (opt->on_progress) {
			uint64_t rows = 0;   /* every reader has finished: the whole count */
			for (i = 0; i < nw; i++)
				rows += atomic_load(&w[i].rows);
			opt->on_progress(opt->progress_arg, total, total, rows > shown_rows ? rows :
				shown_rows);
		}
	}
	for (i = 0; i < nw; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
	if (sh->pipe)
		pthread_join(agg_tid, NULL);
	if (opt->progress)
		progress_end(&pg);
	if (atomic_load(&sh->failed)) {
		*err = sh->err;
		rc = sh->code;
	} else if (agg_flush(sh->agg) < 0) {
		rc = agg_error(err, sh, sh->agg);
	}
	free(w);
	return rc;
}

/* $REBILL_IMPORT_BUDGET: the memory budget in bytes, for tests that want
 * the spill on small inputs (1 spills every 1024 rows). */
static int env_budget(size_t *budget, struct rb_err *err)
{
	const char *v = getenv("REBILL_IMPORT_BUDGET");
	char *end;
	unsigned long long n;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end || errno || n == 0 || v[0] == '-')
		return rb_err_set(err, RB_EUSAGE, "REBILL_IMPORT_BUDGET='%s': not a positive number of"
			" bytes", v);
	*budget = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	return 0;
}

int import_files(struct import_result *out, struct store *s, const struct ingest_file *files,
	size_t nfiles, const struct import_options *opt, struct rb_err *err)
{
	struct shared sh;
	char stamp[32];
	size_t i, ncpu;
	uint64_t t0 = mono_ns(), t1;
	uint64_t range_min = opt->range_bytes ? opt->range_bytes : IMPORT_RANGE_BYTES;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&sh, 0, sizeof(sh));
	sh.files = files;
	sh.nfiles = nfiles;
	sh.src = opt->source;
	atomic_init(&sh.next, 0);
	atomic_init(&sh.failed, 0);
	atomic_init(&sh.finished, 0);
	atomic_init(&sh.done_bytes, 0);
	pthread_mutex_init(&sh.mu, NULL);
	pthread_mutex_init(&sh.spill_mu, NULL);
	sh.store = s;
	sh.cols = xcalloc(nfiles ? nfiles : 1, sizeof(*sh.cols));
	sh.agg = agg_new();
	sh.budget = opt->memory_budget ? opt->memory_budget : IMPORT_MEMORY_BUDGET;
	if (!opt->memory_budget && (rc = env_budget(&sh.budget, err)) < 0)
		goto cleanup;
	sh.committing = opt->committing;
	sh.stop = opt->stop;
	ncpu = (size_t)(opt->threads > 0 ? opt->threads : cpu_count());

	if (plan_items(&sh, ncpu, range_min, 1)) {
		/* split files: when a range started inside a quoted line break, or
		 * anything failed (its line numbers count from the range), read
		 * again without splitting: that gives the exact rows and error */
		rc = read_items(&sh, opt, ncpu, err);
		if (rc < 0 || !ranges_hold(&sh)) {
			rb_err_clear(err);
			shared_reset(&sh);
			plan_items(&sh, ncpu, range_min, 0);
			rc = read_items(&sh, opt, ncpu, err);
		}
	} else {
		rc = read_items(&sh, opt, ncpu, err);
	}
	if (rc < 0)
		goto cleanup;
	/* once anything was spilled, everything goes through the spill */
	if (sh.spill && (rc = spill_agg(&sh, sh.agg, err)) < 0)
		goto cleanup;
	t1 = mono_ns();
	out->nfiles = nfiles;
	if ((rc = summarize(out, sh.agg, &sh, err)) < 0)
		goto cleanup;
	if (opt->imported_at)
		snprintf(stamp, sizeof(stamp), "%s", opt->imported_at);
	else
		now_utc(stamp);
	rc = write_all(out, s, sh.agg, &sh, ncpu, stamp, err);
	out->spill_runs = spill_runs(sh.spill);
	out->spill_bytes = spill_bytes(sh.spill);
	out->read_ns = t1 - t0;
	out->write_ns = mono_ns() - t1;
cleanup:
	if (rc < 0)
		import_result_release(out);
	agg_free(sh.agg);
	rowpipe_free(sh.pipe);
	spill_free(sh.spill);
	for (i = 0; i < nfiles; i++) {
		size_t j;
		for (j = 0; j < sh.cols[i].n; j++)
			free(sh.cols[i].names[j]);
		free(sh.cols[i].names);
	}
	free(sh.cols);
	free(sh.items);
	pthread_mutex_destroy(&sh.mu);
	pthread_mutex_destroy(&sh.spill_mu);
	return rc;
}
