/*
 * walk.c: the period's configuration with per-customer holds sets; one pass
 * over the period's facts with each fact's holder; the facts summed over
 * days and tags (report_collect), read by one thread per core over account
 * ranges; and the string map the reports group with.
 *
 * Not for: rating (src/rate) or grouping decisions (invoices.c, reconcile.c,
 * margin.c).
 */
#include "report/report_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_scan.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int report_cfg_load(struct report_cfg *out, struct store *s, int period, struct rb_err *err)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->period = period;
	rc = store_config_load(s, period, &out->cfg, err);
	if (rc < 0)
		return rc;
	out->holds = xcalloc(out->cfg->ncustomers ? out->cfg->ncustomers : 1, sizeof(out->holds[0]));
	for (i = 0; i < out->cfg->ncustomers; i++) {
		out->holds[i].ids = (const char *const *)out->cfg->holdings[i].accounts;
		out->holds[i].n = out->cfg->holdings[i].naccounts;
	}
	return 0;
}

void report_cfg_release(struct report_cfg *rc)
{
	free(rc->holds);
	config_period_free(rc->cfg);
	memset(rc, 0, sizeof(*rc));
}

int report_cfg_invoiced(const struct report_cfg *rc, size_t i)
{
	return rc->cfg->holdings[i].naccounts > 0 || rc->cfg->holdings[i].ncustom_lines > 0;
}

struct walk {
	const struct report_cfg *rc;
	report_fact_fn fn;
	void *ctx;
	int have;                         /* last/holder are valid */
	char last[32];                    /* the account looked up last ... */
	const struct config_customer *holder; /* ... and its holder */
};

static int walk_one(void *arg, const struct store_fact *sf)
{
	struct walk *w = arg;
	const struct config_customer *c;
	struct rate_fact f;

	/* facts arrive grouped by account: look each account up once */
	if (!w->have || strcmp(w->last, sf->account)) {
		w->holder = config_period_holder(w->rc->cfg, sf->account);
		w->have = strlen(sf->account) < sizeof(w->last);
		if (w->have)
			memcpy(w->last, sf->account, strlen(sf->account) + 1);
	}
	c = w->holder;

	f.payer = sf->payer;
	f.account = sf->account;
	f.line_item_type = sf->line_item_type;
	f.cls = sf->cls;
	f.product_code = sf->product_code;
	f.product_name = sf->product_name;
	f.usage_type = sf->usage_type;
	f.operation = sf->operation;
	f.region = sf->region;
	f.owner = sf->owner ? sf->owner : "";
	f.rows = (long)sf->sum.rows;
	f.unblended = sf->sum.unblended;
	f.ondemand = sf->sum.ondemand;
	f.effective = sf->sum.effective;
	return w->fn(w->ctx, sf, &f, c ? (size_t)(c - w->rc->cfg->customers) : REPORT_NOBODY);
}

/* The walk itself: with tags, or the lean read of accounts [from, to) on
 * reader r (NULL: the store's connection). */
static int walk(struct store *s, struct store_reader *r, enum store_source src,
	const struct report_cfg *rc, int with_tags, const char *from, const char *to,
	report_fact_fn fn, void *ctx, struct rb_err *err)
{
	struct walk w = { rc, fn, ctx, 0, "", NULL };
	int ret = with_tags ? store_facts_each(s, rc->period, walk_one, &w, err)
			    : store_facts_scan(s, r, src, rc->period, from, to, walk_one, &w, err);
	/* a callback's own code is already negative RB_E* with err set */
	return ret < 0 ? ret : (ret > 0 ? rb_err_set(err, RB_EIO, "fact walk stopped (%d)", ret) : 0);
}

int report_walk(struct store *s, const struct report_cfg *rc, int with_tags, report_fact_fn fn,
	void *ctx, struct rb_err *err)
{
	return walk(s, NULL, STORE_FACTS, rc, with_tags, NULL, NULL, fn, ctx, err);
}

int report_add(rb_i128 *acc, rb_i128 v, struct rb_err *err)
{
	if (dec_add(acc, *acc, v))
		return rb_err_set(err, RB_EINPUT, "sum out of range in report");
	return 0;
}

/* ---- aggregates ---------------------------------------------------------- */

struct collect {
	struct report_agg *agg;
	size_t only;
	struct strbuf key;
	struct rb_err *err;
};

static int addfield(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s ? s : "", strlen(s ? s : "") + 1);
}

static int collect_one(void *arg, const struct store_fact *sf, const struct rate_fact *f, size_t ci)
{
	struct collect *c = arg;
	struct report_agg *a = c->agg;
	struct report_fact *x;
	size_t i;
	int added, rc;
	char cls = (char)('0' + f->cls);

	(void)sf;
	if (c->only != REPORT_NOBODY && ci != c->only)
		return 0;
	strbuf_reset(&c->key);
	if (addfield(&c->key, f->payer) || addfield(&c->key, f->account) ||
	    addfield(&c->key, f->line_item_type) || strbuf_add(&c->key, &cls, 1) ||
	    addfield(&c->key, f->product_code) || addfield(&c->key, f->product_name) ||
	    addfield(&c->key, f->usage_type) || addfield(&c->key, f->operation) ||
	    addfield(&c->key, f->region) || addfield(&c->key, f->owner))
		return rb_err_set(c->err, RB_EINPUT, "fact of account '%s' has over-long columns", f->account);
	i = report_map_put(a->keys, c->key.buf, c->key.len, &added);
	if (added) {
		if (i == a->alloc) {
			a->alloc = a->alloc ? a->alloc * 2 : 256;
			a->facts = xreallocarray(a->facts, a->alloc, sizeof(a->facts[0]));
		}
		memset(&a->facts[i], 0, sizeof(a->facts[i]));
		a->facts[i].ci = ci;
		a->n = i + 1;
	}
	x = &a->facts[i];
	x->f.rows += f->rows;
	if ((rc = report_add(&x->f.unblended, f->unblended, c->err)) ||
	    (rc = report_add(&x->f.ondemand, f->ondemand, c->err)) ||
	    (rc = report_add(&x->f.effective, f->effective, c->err)))
		return rc;
	return 0;
}

/* Points aggregate i's strings into the map's copy of its key. */
static void strings_of(struct report_agg *a, size_t i)
{
	struct rate_fact *f = &a->facts[i].f;
	const char *p = report_map_key(a->keys, i, NULL);
	const char **fields[] = { &f->payer, &f->account, &f->line_item_type, NULL,
		&f->product_code, &f->product_name, &f->usage_type, &f->operation,
		&f->region, &f->owner };
	size_t k;

	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		if (!fields[k]) {      /* the class byte */
			f->cls = (enum cur_class)(p[0] - '0');
			p += 1;
			continue;
		}
		*fields[k] = p;
		p += strlen(p) + 1;
	}
}

/* One range of accounts, read by one thread into its own aggregates. */
struct part {
	struct store *s;
	enum store_source src;
	const struct report_cfg *rc;
	const char *from, *to;     /* [from, to), NULL: open */
	int own_connection;
	struct report_agg agg;
	struct collect c;
	struct rb_err err;
	int ret;
};

static void *part_run(void *arg)
{
	struct part *p = arg;
	struct store_reader *r = NULL;

	p->c.agg = &p->agg;
	p->c.err = &p->err;
	if (p->own_connection && (p->ret = store_reader_open(&r, p->s, &p->err)) < 0)
		return NULL;
	p->ret = walk(p->s, r, p->src, p->rc, 0, p->from, p->to, collect_one, &p->c, &p->err);
	store_reader_free(r);
	return NULL;
}

/* Adds part q's aggregates into out (same key: sums add). */
static int merge(struct report_agg *out, const struct report_agg *q, struct rb_err *err)
{
	size_t i, j, len;
	int added, rc;

	for (i = 0; i < q->n; i++) {
		const char *key = report_map_key(q->keys, i, &len);
		const struct report_fact *x = &q->facts[i];
		j = report_map_put(out->keys, key, len, &added);
		if (added) {
			if (j == out->alloc) {
				out->alloc = out->alloc ? out->alloc * 2 : 256;
				out->facts = xreallocarray(out->facts, out->alloc, sizeof(out->facts[0]));
			}
			out->facts[j] = *x;
			out->n = j + 1;
			continue;
		}
		out->facts[j].f.rows += x->f.rows;
		if ((rc = report_add(&out->facts[j].f.unblended, x->f.unblended, err)) ||
		    (rc = report_add(&out->facts[j].f.ondemand, x->f.ondemand, err)) ||
		    (rc = report_add(&out->facts[j].f.effective, x->f.effective, err)))
			return rc;
	}
	return 0;
}

int report_threads(const struct report_cfg *rc)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (rc->cfg->nholders < 256 || n < 2)
		return 1;
	return n > REPORT_MAX_THREADS ? REPORT_MAX_THREADS : (int)n;
}

/* Writes the rollup of the period from out (all of its facts, read while
 * the latest imports were t). A cache: failing to write it (a read-only
 * database, a busy writer) costs speed next time, never a wrong result, so
 * it is not an error of the report. */
static void write_rollup(struct store *s, int period, const struct store_import_total *t,
	size_t n, const struct report_agg *out)
{
	struct store_fact *f = xcalloc(out->n ? out->n : 1, sizeof(f[0]));
	struct rb_err err;
	size_t i;
	int written;

	for (i = 0; i < out->n; i++) {
		const struct rate_fact *x = &out->facts[i].f;
		f[i].period = period;
		f[i].day = "";
		f[i].tags = "";
		f[i].payer = x->payer;
		f[i].account = x->account;
		f[i].line_item_type = x->line_item_type;
		f[i].cls = x->cls;
		f[i].product_code = x->product_code;
		f[i].product_name = x->product_name;
		f[i].usage_type = x->usage_type;
		f[i].operation = x->operation;
		f[i].region = x->region;
		f[i].owner = x->owner;
		f[i].sum.rows = x->rows;
		f[i].sum.unblended = x->unblended;
		f[i].sum.ondemand = x->ondemand;
		f[i].sum.effective = x->effective;
	}
	rb_err_clear(&err);
	(void)store_rollup_write(s, period, t, n, f, out->n, &written, &err);
	free(f);
}

int report_collect(struct report_agg *out, struct store *s, const struct report_cfg *rc,
	size_t only, int nthreads, struct rb_err *err)
{
	struct part parts[REPORT_MAX_THREADS];
	pthread_t tids[REPORT_MAX_THREADS];
	struct store_import_total *imports = NULL;
	enum store_source src;
	long long v0 = 0, v1 = 0;
	size_t nh = rc->cfg->nholders, nimports = 0, i;
	int n = nthreads, k, started = 0, ret = 0, fresh = 0;

	memset(out, 0, sizeof(*out));
	memset(parts, 0, sizeof(parts));
	if (n > REPORT_MAX_THREADS)
		n = REPORT_MAX_THREADS;
	if (n < 1 || (size_t)n > nh || only != REPORT_NOBODY)
		n = 1;
	/* what another connection commits from here on is seen by data_version */
	if ((ret = store_data_version(s, &v0, err)) < 0)
		goto cleanup;
	/* the rollup when it was built from the latest imports, else the facts */
	if ((ret = store_import_totals(&imports, &nimports, s, rc->period, err)) < 0 ||
	    (ret = store_rollup_fresh(s, rc->period, imports, nimports, &fresh, err)) < 0)
		goto cleanup;
	src = fresh ? STORE_ROLLUP : STORE_FACTS;
	/* split points: held accounts at equal steps (config order is sorted) */
	for (k = 0; k < n; k++) {
		struct part *p = &parts[k];
		p->s = s;
		p->src = src;
		p->rc = rc;
		p->own_connection = n > 1;
		p->from = k ? rc->cfg->holders[nh * (size_t)k / (size_t)n].account : NULL;
		p->to = k + 1 < n ? rc->cfg->holders[nh * (size_t)(k + 1) / (size_t)n].account : NULL;
		p->agg.keys = report_map_new();
		p->c.only = only;
		strbuf_init(&p->c.key, 256, 1u << 20);
		rb_err_clear(&p->err);
	}
	if (only != REPORT_NOBODY) {
		/* one customer: read just its accounts, each an index range
		 * [a, a "\x01") that holds exactly a */
		const struct config_holdings *h = &rc->cfg->holdings[only];
		char to[64];
		parts[0].c.agg = &parts[0].agg;
		parts[0].c.err = &parts[0].err;
		for (i = 0; i < h->naccounts && parts[0].ret >= 0; i++) {
			if (strlen(h->accounts[i]) + 2 > sizeof(to)) {
				parts[0].ret = rb_err_set(&parts[0].err, RB_EINPUT, "over-long account '%s'",
					h->accounts[i]);
				break;
			}
			snprintf(to, sizeof(to), "%s\x01", h->accounts[i]);
			parts[0].ret = walk(s, NULL, src, rc, 0, h->accounts[i], to, collect_one,
				&parts[0].c, &parts[0].err);
		}
	} else if (n == 1) {
		part_run(&parts[0]);
	} else {
		for (k = 0; k < n; k++) {
			if (pthread_create(&tids[k], NULL, part_run, &parts[k])) {
				ret = rb_err_set(err, RB_EIO, "cannot start a reading thread");
				break;
			}
			started++;
		}
		for (k = 0; k < started; k++)
			pthread_join(tids[k], NULL);
		if (ret < 0)
			goto cleanup;
	}
	for (k = 0; k < n; k++)
		if (parts[k].ret < 0) {
			*err = parts[k].err;
			ret = parts[k].ret;
			goto cleanup;
		}
	/* several statements (threads, or one per account) must have read one
	 * state of the database */
	if (n > 1 || only != REPORT_NOBODY) {
		if ((ret = store_data_version(s, &v1, err)) < 0)
			goto cleanup;
		if (v0 != v1) {
			ret = rb_err_set(err, RB_EIO,
				"the facts changed while they were read (an import ran); try again");
			goto cleanup;
		}
	}
	*out = parts[0].agg;
	memset(&parts[0].agg, 0, sizeof(parts[0].agg));
	for (k = 1; k < n; k++)
		if ((ret = merge(out, &parts[k].agg, err)) < 0)
			goto cleanup;
	for (i = 0; i < out->n; i++)
		strings_of(out, i);
	if (!fresh && only == REPORT_NOBODY && nimports > 0)
		write_rollup(s, rc->period, imports, nimports, out);
cleanup:
	for (k = 0; k < n; k++) {
		report_agg_release(&parts[k].agg);
		strbuf_release(&parts[k].c.key);
	}
	store_import_totals_free(imports, nimports);
	if (ret < 0)
		report_agg_release(out);
	return ret;
}

void report_agg_release(struct report_agg *a)
{
	report_map_free(a->keys);
	free(a->facts);
	memset(a, 0, sizeof(*a));
}

/* ---- map: open addressing, grows at half load ---------------------------- */

struct slot {
	size_t idx1;           /* index + 1; 0 = empty */
	uint64_t hash;
};

struct entry {
	char *key;
	size_t len;
};

struct report_map {
	struct slot *slots;
	size_t cap;            /* power of two */
	struct entry *e;
	size_t n, alloc;
};

/* A multiply-xorshift hash over 8-byte words (keys are ~100 bytes and
 * hashed once per fact, so the word loop matters). */
static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

struct report_map *report_map_new(void)
{
	struct report_map *m = xcalloc(1, sizeof(*m));
	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(m->slots[0]));
	return m;
}

void report_map_free(struct report_map *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->e[i].key);
	free(m->e);
	free(m->slots);
	free(m);
}

static void grow(struct report_map *m)
{
	size_t cap = m->cap * 2, i, j;
	struct slot *slots = xcalloc(cap, sizeof(slots[0]));
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].idx1)
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].idx1; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

size_t report_map_put(struct report_map *m, const char *key, size_t len, int *added)
{
	uint64_t h = hash(key, len);
	size_t j;

	for (j = h & (m->cap - 1); m->slots[j].idx1; j = (j + 1) & (m->cap - 1)) {
		const struct entry *e = &m->e[m->slots[j].idx1 - 1];
		if (m->slots[j].hash == h && e->len == len && !memcmp(e->key, key, len)) {
			if (added)
				*added = 0;
			return m->slots[j].idx1 - 1;
		}
	}
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 64;
		m->e = xreallocarray(m->e, m->alloc, sizeof(m->e[0]));
	}
	m->e[m->n].key = xmalloc(len + 1);
	memcpy(m->e[m->n].key, key, len);
	m->e[m->n].key[len] = '\0';
	m->e[m->n].len = len;
	m->slots[j].idx1 = m->n + 1;
	m->slots[j].hash = h;
	m->n++;
	if (m->n * 2 > m->cap)
		grow(m);
	if (added)
		*added = 1;
	return m->n - 1;
}

size_t report_map_count(const struct report_map *m)
{
	return m->n;
}

const char *report_map_key(const struct report_map *m, size_t i, size_t *len)
{
	if (len)
		*len = m->e[i].len;
	return m->e[i].key;
}
