/*
 * walk.c: the period's configuration with per-customer holds sets; one pass
 * over the period's facts with each fact's holder; the facts summed over
 * days and tags (report_collect), read by one thread per core over account
 * ranges, all in the snapshot the configuration was read in.
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
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int report_cfg_load(struct report_cfg *out, struct store *s, int period, unsigned flags,
	struct rb_err *err)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->period = period;
	/* the snapshot first: the configuration and every fact are read in it */
	if ((rc = store_snapshot_begin(&out->snap, s, period,
			(flags & REPORT_WHOLE_PERIOD) ? STORE_SNAP_ROLLUP : 0, err)) < 0)
		return rc;
	rc = store_config_load(s, period, &out->cfg, err);
	if (rc < 0) {
		report_cfg_release(out);
		return rc;
	}
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
	store_snapshot_end(rc->snap);
	memset(rc, 0, sizeof(*rc));
}

int report_cfg_invoiced(const struct report_cfg *rc, size_t i)
{
	if (rc->rated && !rc->rated[i])
		return 0;
	return rc->cfg->holdings[i].naccounts > 0 || rc->cfg->holdings[i].ncustom_lines > 0;
}

const char *report_tag_value(const char *canon, const char *key, size_t klen, size_t *vlen)
{
	const char *p = canon;
	while (p && *p) {
		const char *end = strchr(p, '\x1e');
		const char *sep = strchr(p, '\x1f');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (sep && sep < p + len && (size_t)(sep - p) == klen && !memcmp(p, key, klen)) {
			*vlen = len - klen - 1;
			return sep + 1;
		}
		p = end ? end + 1 : NULL;
	}
	*vlen = 0;
	return "";
}

/* How a walk reads: the lean scan (split accounts are skipped there and
 * read by their own scan, SPLIT, unless the rollup it reads keeps them by
 * their tag values: then the lean scan gives those), or every fact with
 * its tag set. */
enum walk_mode { WALK_LEAN, WALK_SPLIT, WALK_TAGS };

struct walk {
	const struct report_cfg *rc;
	report_fact_fn fn;
	void *ctx;
	struct rb_err *err;
	enum walk_mode mode;
	int have;                         /* last/holder/split are valid */
	char last[32];                    /* the account looked up last ... */
	const struct config_customer *holder; /* ... its plain holder ... */
	const char *split;                /* ... the tag key it is split by ... */
	int kept;                         /* ... and the lean scan gives its values */
};

static int walk_one(void *arg, const struct store_fact *sf)
{
	struct walk *w = arg;
	const struct config_customer *c;
	struct store_fact sv;
	struct cur_fact f;

	/* facts arrive grouped by account: look each account up once */
	if (!w->have || strcmp(w->last, sf->fact.account)) {
		w->holder = config_period_holder(w->rc->cfg, sf->fact.account);
		w->split = config_period_split_key(w->rc->cfg, sf->fact.account);
		w->kept = w->split && store_snapshot_split_kept(w->rc->snap, sf->fact.account, w->split);
		w->have = strlen(sf->fact.account) < sizeof(w->last);
		if (w->have)
			memcpy(w->last, sf->fact.account, strlen(sf->fact.account) + 1);
	}
	c = w->holder;
	if (w->split) {
		/* spec §9: the holder of a split account's row is told by its tag */
		const char *v = sf->tags;
		size_t vlen = 0;
		char vb[512];
		if (w->mode == WALK_LEAN && !w->kept)
			return 0;  /* read with its tag values by walk's split scan */
		if (w->mode == WALK_TAGS) {
			v = report_tag_value(sf->tags, w->split, strlen(w->split), &vlen);
			if (vlen >= sizeof(vb))
				return rb_err_set(w->err, RB_EINPUT, "fact of account '%s' has an over-long"
					" value of tag '%s'", sf->fact.account, w->split);
			memcpy(vb, v, vlen);
			vb[vlen] = 0;
			v = vb;
		}
		if (v && !*v)
			v = NULL;
		c = config_period_holder_tagged(w->rc->cfg, sf->fact.account, v);
		if (w->mode != WALK_TAGS) {
			sv = *sf;
			sv.tagset_id = REPORT_SPLIT;
			sv.tags = v;
			sf = &sv;
		}
	}

	f = sf->fact;
	if (!f.owner)
		f.owner = "";
	return w->fn(w->ctx, sf, &f, c ? (size_t)(c - w->rc->cfg->customers) : REPORT_NOBODY);
}

/* The walk itself: with tags, or the lean read of accounts [from, to) on
 * reader r (NULL: the store's connection); both in rc's snapshot. */
static int walk(struct store *s, struct store_reader *r,
	const struct report_cfg *rc, int with_tags, const char *from, const char *to,
	report_fact_fn fn, void *ctx, struct rb_err *err)
{
	struct walk w = { rc, fn, ctx, err, with_tags ? WALK_TAGS : WALK_LEAN, 0, "", NULL, NULL, 0 };
	const struct config_holder *h = rc->cfg->holders;
	size_t i, nh = rc->cfg->nholders;
	int ret = with_tags ? store_facts_each(s, rc->period, walk_one, &w, err)
			    : store_snapshot_scan(rc->snap, r, from, to, walk_one, &w, err);

	/* spec §9: the split accounts of [from, to), each once (holders are
	 * sorted by account, plain before split) with its tag values */
	w.mode = WALK_SPLIT;
	for (i = 0; !with_tags && ret == 0 && i < nh; i++) {
		int first = i == 0 || !h[i - 1].tag || strcmp(h[i - 1].account, h[i].account);
		if (!h[i].tag || !first || (from && strcmp(h[i].account, from) < 0) ||
		    (to && strcmp(h[i].account, to) >= 0) ||
		    store_snapshot_split_kept(rc->snap, h[i].account, h[i].tag))
			continue;
		w.have = 0;
		ret = store_snapshot_scan_split(rc->snap, r, h[i].account, h[i].tag, walk_one, &w, err);
	}
	/* a callback's own code is already negative RB_E* with err set */
	return ret < 0 ? ret : (ret > 0 ? rb_err_set(err, RB_EIO, "fact walk stopped (%d)", ret) : 0);
}

int report_walk(struct store *s, const struct report_cfg *rc, int with_tags, report_fact_fn fn,
	void *ctx, struct rb_err *err)
{
	return walk(s, NULL, rc, with_tags, NULL, NULL, fn, ctx, err);
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
	struct rb_err *err;
};

static int collect_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct collect *c = arg;
	struct report_agg *a = c->agg;
	const char *v = NULL;
	char tail[32], *vt = NULL;
	size_t tl = 0;
	long i;
	int added;

	if (c->only != REPORT_NOBODY && ci != c->only)
		return 0;
	if (sf && sf->tagset_id == REPORT_SPLIT) {
		/* spec §9: one account's rows of different holders stay apart, and
		 * so do its unassigned rows per tag value */
		if (ci != REPORT_NOBODY) {
			tl = (size_t)snprintf(tail, sizeof(tail), "%c%zu", '\x01', ci) + 1;
		} else {
			v = sf->tags ? sf->tags : "";
			tl = strlen(v) + 2;
			vt = xmalloc(tl);
			vt[0] = '\x02';
			memcpy(vt + 1, v, tl - 1);
		}
	}
	i = cur_fact_sums_add_tail(&a->s, f, vt ? vt : tail, tl, &added);
	free(vt);
	if (i == CUR_FACT_LONG)
		return rb_err_set(c->err, RB_EINPUT, "fact of account '%s' has over-long columns", f->account);
	if (i < 0)
		return rb_err_set(c->err, RB_EINPUT, "sum out of range in report");
	if (added) {
		if ((size_t)i >= a->cialloc) {
			a->cialloc = a->cialloc ? a->cialloc * 2 : 256;
			a->ci = xreallocarray(a->ci, a->cialloc, sizeof(a->ci[0]));
			a->split = xreallocarray(a->split, a->cialloc, sizeof(a->split[0]));
		}
		a->ci[i] = ci;
		a->split[i] = v ? xstrdup(v) : NULL;
	}
	return 0;
}

/* One range of accounts, read by one thread into its own aggregates. */
struct part {
	struct store *s;
	const struct report_cfg *rc;
	const char *from, *to;     /* [from, to), NULL: open */
	int own_connection;
	int stale;                 /* its connection could not join the snapshot */
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
	if (p->own_connection) {
		int same = 0;
		if ((p->ret = store_reader_open(&r, p->s, &p->err)) < 0 ||
		    (p->ret = store_reader_join(r, p->rc->snap, &same, &p->err)) < 0 || !same) {
			p->stale = p->ret == 0;
			store_reader_free(r);
			return NULL;
		}
	}
	p->ret = walk(p->s, r, p->rc, 0, p->from, p->to, collect_one, &p->c, &p->err);
	store_reader_free(r);
	return NULL;
}

/* Adds part q's aggregates into out (same key: sums add; an account has
 * one holder, so a key's ci is the same in every part). */
static int merge(struct report_agg *out, const struct report_agg *q, struct rb_err *err)
{
	size_t i, n0 = out->s.n;

	if (cur_fact_sums_merge(&out->s, &q->s) < 0)
		return rb_err_set(err, RB_EINPUT, "sum out of range in report");
	if (out->s.n > out->cialloc) {
		out->cialloc = out->s.n;
		out->ci = xreallocarray(out->ci, out->cialloc, sizeof(out->ci[0]));
		out->split = xreallocarray(out->split, out->cialloc, sizeof(out->split[0]));
	}
	for (i = 0; i < q->s.n; i++) {
		size_t len, j;
		const char *key = hmap_key(&q->s.keys, i, &len);
		j = hmap_find(&out->s.keys, key, len);
		if (j >= n0) {
			out->ci[j] = q->ci[i];
			out->split[j] = q->split[i] ? xstrdup(q->split[i]) : NULL;
		}
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

/* Sets up part k of n over rc's held accounts. */
static void part_init(struct part *p, struct store *s, const struct report_cfg *rc, size_t only,
	int k, int n)
{
	size_t nh = rc->cfg->nholders;
	p->s = s;
	p->rc = rc;
	p->own_connection = n > 1;
	p->from = k ? rc->cfg->holders[nh * (size_t)k / (size_t)n].account : NULL;
	p->to = k + 1 < n ? rc->cfg->holders[nh * (size_t)(k + 1) / (size_t)n].account : NULL;
	cur_fact_sums_init(&p->agg.s);
	p->c.only = only;
	p->c.agg = &p->agg;
	p->c.err = &p->err;
	rb_err_clear(&p->err);
}

static void part_release(struct part *p)
{
	report_agg_release(&p->agg);
	memset(p, 0, sizeof(*p));
}

int report_collect(struct report_agg *out, struct store *s, const struct report_cfg *rc,
	size_t only, int nthreads, struct rb_err *err)
{
	struct part parts[REPORT_MAX_THREADS];
	pthread_t tids[REPORT_MAX_THREADS];
	size_t nh = rc->cfg->nholders, i;
	int n = nthreads, k, started = 0, ret = 0, stale = 0;

	memset(out, 0, sizeof(*out));
	memset(parts, 0, sizeof(parts));
	if (n > REPORT_MAX_THREADS)
		n = REPORT_MAX_THREADS;
	if (n < 1 || (size_t)n > nh || only != REPORT_NOBODY)
		n = 1;
	/* split points: held accounts at equal steps (config order is sorted) */
	for (k = 0; k < n; k++)
		part_init(&parts[k], s, rc, only, k, n);
	if (only != REPORT_NOBODY) {
		/* one customer: read just its accounts, each an index range
		 * [a, a "\x01") that holds exactly a */
		const struct config_holdings *h = &rc->cfg->holdings[only];
		char to[64];
		for (i = 0; i < h->naccounts && parts[0].ret >= 0; i++) {
			if (strlen(h->accounts[i]) + 2 > sizeof(to)) {
				parts[0].ret = rb_err_set(&parts[0].err, RB_EINPUT, "over-long account '%s'",
					h->accounts[i]);
				break;
			}
			snprintf(to, sizeof(to), "%s\x01", h->accounts[i]);
			parts[0].ret = walk(s, NULL, rc, 0, h->accounts[i], to, collect_one,
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
		for (k = 0; k < n; k++)
			stale |= parts[k].stale;
	}
	if (stale) {
		/* something was committed after the snapshot began, so the
		 * threads' connections cannot see its state: read it all on the
		 * snapshot's own connection instead */
		for (k = 0; k < n; k++)
			part_release(&parts[k]);
		n = 1;
		part_init(&parts[0], s, rc, only, 0, 1);
		part_run(&parts[0]);
	}
	for (k = 0; k < n; k++)
		if (parts[k].ret < 0) {
			*err = parts[k].err;
			ret = parts[k].ret;
			goto cleanup;
		}
	*out = parts[0].agg;
	memset(&parts[0].agg, 0, sizeof(parts[0].agg));
	for (k = 1; k < n; k++)
		if ((ret = merge(out, &parts[k].agg, err)) < 0)
			goto cleanup;
	cur_fact_sums_finish(&out->s);
cleanup:
	for (k = 0; k < n; k++)
		part_release(&parts[k]);
	if (ret < 0)
		report_agg_release(out);
	return ret;
}

void report_agg_release(struct report_agg *a)
{
	size_t i;
	for (i = 0; a->split && i < a->s.n; i++)
		free(a->split[i]);
	free(a->split);
	cur_fact_sums_release(&a->s);
	free(a->ci);
	memset(a, 0, sizeof(*a));
}
