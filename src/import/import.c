/*
 * import.c: the import pipeline — worker threads read files from a queue
 * into their own aggregation tables, the main thread draws progress, then
 * merges the tables and writes everything in one store batch.
 *
 * Not for: parsing (src/ingest), SQL (src/store), printing (src/cli).
 */
#include "import/import.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import/agg.h"
#include "import/progress.h"
#include "import/rowpipe.h"
#include "store/store_facts.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_THREADS 16
#define STATS_EVERY 4096   /* rows between progress updates of a worker */

/* Unknown columns of one file (copied from the reader's stats). */
struct file_cols {
	char **names;
	size_t n;
};

struct shared {
	const struct ingest_file *files;
	size_t nfiles;
	const struct import_source_ops *src;
	atomic_size_t next;
	atomic_int failed;
	atomic_int finished;
	atomic_uint_fast64_t done_bytes;   /* bytes of files read to the end */
	pthread_mutex_t mu;
	struct rb_err err;                 /* the first error, under mu */
	int code;
	struct file_cols *cols;            /* per file, written by its worker */
};

struct worker {
	pthread_t tid;
	int started;
	struct shared *sh;
	struct agg *agg;
	struct rowpipe *pipe;              /* set: an aggregator thread sums the rows */
	pthread_t agg_tid;
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

static void keep_columns(struct file_cols *fc, const struct cur_reader_stats *st)
{
	size_t i;
	fc->n = st->nunknown_columns;
	fc->names = fc->n ? xcalloc(fc->n, sizeof(char *)) : NULL;
	for (i = 0; i < fc->n; i++)
		fc->names[i] = xstrdup(st->unknown_columns[i]);
}

static int agg_error(struct rb_err *err, int code, const char *path, long line)
{
	return rb_err_at(err, RB_EINPUT, path, line, 0, code == AGG_ETAG
		? "a tag key or value holds a \\x1e or \\x1f control character"
		: "a sum passes the 128-bit range");
}

/* The aggregator thread of a worker with a pipe. */
static void *aggregator_main(void *arg)
{
	struct worker *w = arg;
	const struct cur_row *row;
	uint32_t file;

	while ((row = rowpipe_pop(w->pipe, &file)) != NULL) {
		int a = agg_add(w->agg, row, file);
		if (a < 0) {
			struct rb_err e;
			rb_err_clear(&e);
			fail_shared(w->sh, agg_error(&e, a, w->sh->files[file].path, row->line), &e);
			rowpipe_stop(w->pipe);
			break;
		}
	}
	return NULL;
}

static int read_file(struct worker *w, size_t idx, struct rb_err *err)
{
	struct shared *sh = w->sh;
	const struct ingest_file *f = &sh->files[idx];
	const struct cur_row *row;
	struct cur_reader_stats st;
	void *state = NULL;
	uint64_t n = 0;
	int rc;

	if ((rc = sh->src->open(&state, f->path, sh->src->arg, err)) < 0)
		return rc;
	while ((rc = sh->src->next(state, &row, err)) == 1) {
		if (w->pipe) {
			if (rowpipe_push(w->pipe, row, (uint32_t)idx) < 0) {
				rc = 0;   /* the aggregator failed and said so */
				goto cleanup;
			}
		} else {
			int a = agg_add(w->agg, row, (uint32_t)idx);
			if (a < 0) {
				rc = agg_error(err, a, f->path, row->line);
				goto cleanup;
			}
		}
		if (++n % STATS_EVERY == 0) {
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
	keep_columns(&sh->cols[idx], &st);
	atomic_fetch_add(&w->rows, n % STATS_EVERY);
	atomic_fetch_add(&sh->done_bytes, f->size);
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
	if (w->pipe && pthread_create(&w->agg_tid, NULL, aggregator_main, w) != 0) {
		rowpipe_free(w->pipe);
		w->pipe = NULL;     /* no second thread: aggregate here */
	}
	while (!atomic_load(&sh->failed)) {
		size_t idx = atomic_fetch_add(&sh->next, 1);
		int rc;
		if (idx >= sh->nfiles)
			break;
		if ((rc = read_file(w, idx, &err)) < 0) {
			fail_shared(sh, rc, &err);
			break;
		}
	}
	if (w->pipe) {
		rowpipe_close(w->pipe);
		pthread_join(w->agg_tid, NULL);
		rowpipe_free(w->pipe);
		w->pipe = NULL;
	}
	atomic_fetch_add(&sh->finished, 1);
	return NULL;
}

static int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* ---- summarizing the merged table ---- */

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
	const char *last_payer = NULL;
	int last_period = -1;
	struct import_pp *pp = NULL;

	for (i = 0; i < agg_nfacts(a); i++) {
		struct store_fact f;
		agg_fact(a, i, &f);
		/* interned strings: equal pointers are equal strings */
		if (f.payer != last_payer || f.period != last_period) {
			pp = pp_get(r, &ppalloc, f.payer, f.period);
			last_payer = f.payer;
			last_period = f.period;
		}
		pp->rows += f.sum.rows;
		r->rows += f.sum.rows;
		if (dec_add(&pp->unblended, pp->unblended, f.sum.unblended) != DEC_OK)
			return rb_err_set(err, RB_EINPUT, "the unblended total of payer %s passes the 128-bit range",
				f.payer);
		if (f.cls == CUR_OTHER) {
			struct import_note *n = note_get(r, &nalloc, f.payer, f.period, "unknown_type",
				f.line_item_type);
			n->rows += f.sum.rows;
			if (dec_add(&n->unblended, n->unblended, f.sum.unblended) != DEC_OK)
				return rb_err_set(err, RB_EINPUT, "a note's unblended total passes the 128-bit range");
		}
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
	if (r->npps)
		qsort(r->pps, r->npps, sizeof(*r->pps), pp_cmp);
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

/* Distinct accounts and periods of the merged facts. */
static void count_accounts_periods(struct import_result *r, const struct agg *a)
{
	size_t n = agg_nfacts(a), i, cap = 64, cnt = 0;
	const char **acc = xcalloc(cap, sizeof(char *));
	int *periods = NULL;
	size_t np = 0, pal = 0, j;

	/* open addressing on the interned pointers */
	for (i = 0; i < n; i++) {
		struct store_fact f;
		size_t h;
		agg_fact(a, i, &f);
		h = ((uintptr_t)f.account >> 3) * 0x9e3779b97f4a7c15ULL;
		for (h &= cap - 1; acc[h] && acc[h] != f.account; h = (h + 1) & (cap - 1))
			;
		if (!acc[h]) {
			acc[h] = f.account;
			if (++cnt * 2 > cap) {
				const char **old = acc;
				size_t oc = cap, k;
				cap *= 2;
				acc = xcalloc(cap, sizeof(char *));
				for (k = 0; k < oc; k++) {
					size_t g;
					if (!old[k])
						continue;
					g = (((uintptr_t)old[k] >> 3) * 0x9e3779b97f4a7c15ULL) & (cap - 1);
					while (acc[g])
						g = (g + 1) & (cap - 1);
					acc[g] = old[k];
				}
				free(old);
			}
		}
		for (j = 0; j < np && periods[j] != f.period; j++)
			;
		if (j == np) {
			if (np == pal) {
				pal = pal ? pal * 2 : 8;
				periods = xreallocarray(periods, pal, sizeof(int));
			}
			periods[np++] = f.period;
		}
	}
	r->naccounts = cnt;
	r->nperiods = np;
	free(acc);
	free(periods);
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

static int write_all(struct import_result *r, struct store *s, const struct agg *a,
	const struct shared *sh, const char *imported_at, struct rb_err *err)
{
	struct store_batch *b = NULL;
	size_t i, nt = agg_ntagsets(a);
	struct tag_order *order = xcalloc(nt, sizeof(*order));
	int64_t *ids = xcalloc(nt, sizeof(int64_t));
	int rc;

	if ((rc = store_batch_begin(&b, s, imported_at, err)) < 0)
		goto cleanup;
	for (i = 0; i < r->npps; i++)
		if ((rc = store_batch_replace(b, r->pps[i].payer, r->pps[i].period, r->pps[i].rows,
				r->pps[i].unblended, &r->pps[i].replaced, err)) < 0)
			goto cleanup;
	/* new tag sets get ids in canon order, whatever order threads saw them */
	for (i = 0; i < nt; i++) {
		order[i].canon = agg_tagset(a, i);
		order[i].idx = i;
	}
	qsort(order, nt, sizeof(*order), tag_cmp);
	for (i = 0; i < nt; i++)
		if ((rc = store_batch_tagset(b, &ids[order[i].idx], order[i].canon, err)) < 0)
			goto cleanup;
	for (i = 0; i < agg_nfacts(a); i++) {
		struct store_fact f;
		agg_fact(a, i, &f);
		f.tagset_id = ids[f.tagset_id];
		if ((rc = store_batch_fact(b, &f, err)) < 0)
			goto cleanup;
	}
	r->nfacts = agg_nfacts(a);
	for (i = 0; i < agg_nresources(a); i++) {
		struct store_resource_fact f;
		agg_resource(a, i, &f);
		if ((rc = store_batch_resource(b, &f, err)) < 0)
			goto cleanup;
	}
	r->nresources = agg_nresources(a);
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
	rc = store_batch_commit(b, err);
	b = NULL;
cleanup:
	store_batch_abort(b);
	free(order);
	free(ids);
	return rc;
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
	for (i = 0; i < r->npps; i++)
		free(r->pps[i].payer);
	for (i = 0; i < r->nnotes; i++) {
		free(r->notes[i].payer);
		free(r->notes[i].name);
	}
	free(r->pps);
	free(r->notes);
	memset(r, 0, sizeof(*r));
}

int import_files(struct import_result *out, struct store *s, const struct ingest_file *files,
	size_t nfiles, const struct import_options *opt, struct rb_err *err)
{
	struct shared sh;
	struct worker *w = NULL;
	struct progress pg;
	char stamp[32];
	size_t i, nw, ncpu;
	uint64_t total = 0;
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
	sh.cols = xcalloc(nfiles ? nfiles : 1, sizeof(*sh.cols));

	/* one worker per file up to the CPUs; CPUs left over (fewer files than
	 * cores) give each worker a second thread that aggregates while it reads */
	ncpu = (size_t)(opt->threads > 0 ? opt->threads : cpu_count());
	nw = ncpu < nfiles ? ncpu : nfiles;
	if (nw == 0)
		nw = 1;
	w = xcalloc(nw, sizeof(*w));
	for (i = 0; i < nfiles; i++)
		total += files[i].size;
	if (opt->progress)
		progress_start(&pg, stderr, total);
	for (i = 0; i < nw; i++) {
		w[i].sh = &sh;
		w[i].agg = agg_new();
		if (ncpu >= 2 * nw)
			w[i].pipe = rowpipe_new();
		atomic_init(&w[i].bytes, 0);
		atomic_init(&w[i].rows, 0);
	}
	for (i = 0; i < nw; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			struct rb_err e;
			rb_err_clear(&e);
			rb_err_set(&e, RB_EIO, "cannot start an import thread");
			fail_shared(&sh, RB_EIO, &e);
			break;
		}
		w[i].started = 1;
	}
	if (opt->progress) {
		size_t started = 0;
		for (i = 0; i < nw; i++)
			started += (size_t)w[i].started;
		while ((size_t)atomic_load(&sh.finished) < started) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			uint64_t bytes = atomic_load(&sh.done_bytes), rows = 0;
			nanosleep(&ts, NULL);
			for (i = 0; i < nw; i++) {
				bytes += atomic_load(&w[i].bytes);
				rows += atomic_load(&w[i].rows);
			}
			progress_draw(&pg, bytes, rows);
		}
		progress_end(&pg);
	}
	for (i = 0; i < nw; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
	if (atomic_load(&sh.failed)) {
		*err = sh.err;
		rc = sh.code;
		goto cleanup;
	}
	/* merge into the first table, freeing the others as we go */
	for (i = 1; i < nw; i++) {
		if (agg_merge(w[0].agg, w[i].agg) < 0) {
			rc = rb_err_set(err, RB_EINPUT, "a sum passes the 128-bit range");
			goto cleanup;
		}
		agg_free(w[i].agg);
		w[i].agg = NULL;
	}
	out->nfiles = nfiles;
	if ((rc = summarize(out, w[0].agg, &sh, err)) < 0)
		goto cleanup;
	count_accounts_periods(out, w[0].agg);
	if (opt->imported_at)
		snprintf(stamp, sizeof(stamp), "%s", opt->imported_at);
	else
		now_utc(stamp);
	rc = write_all(out, s, w[0].agg, &sh, stamp, err);
cleanup:
	if (rc < 0)
		import_result_release(out);
	for (i = 0; i < nw; i++) {
		agg_free(w[i].agg);
		rowpipe_free(w[i].pipe);   /* a worker that never started */
	}
	for (i = 0; i < nfiles; i++) {
		size_t j;
		for (j = 0; j < sh.cols[i].n; j++)
			free(sh.cols[i].names[j]);
		free(sh.cols[i].names);
	}
	free(sh.cols);
	free(w);
	pthread_mutex_destroy(&sh.mu);
	return rc;
}
