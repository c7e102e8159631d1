/*
 * reconcile.c: spec §6 — where every dollar of a period went. Per payer the
 * total unblended cost splits into assigned (held by a customer) and
 * unassigned; per customer cost views beside billed USD, margin, withheld
 * per policy class and excluded; the unassigned accounts; the line item
 * types rebill does not know. The result must always balance: the checks
 * are exact and a failure is RB_EBALANCE, never a warning.
 *
 * Not for: invoices (invoices.c) or breakdowns by other keys (margin.c).
 */
#include "report/report_int.h"

#include "store/store_scan.h"

#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct recon {
	const struct report_cfg *rc;
	struct hmap *payers, *accounts, *types;
	struct report_payer *p;
	size_t palloc;
	struct report_account *a;
	size_t aalloc;
	struct report_type *t;
	size_t talloc;
	struct report_customer *c;     /* parallel to cfg->customers */
	struct strbuf key;
	const char *split;             /* spec §9: the aggregate's unmatched tag value */
	struct rb_err *err;
};

static size_t slot(struct hmap *m, const char *key, size_t len, void **arr,
	size_t *alloc, size_t size, int *added)
{
	size_t i = hmap_put(m, key, len, added);
	if (*added) {
		if (i == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 16;
			*arr = xreallocarray(*arr, *alloc, size);
		}
		memset((char *)*arr + i * size, 0, size);
	}
	return i;
}

/* An unassigned fact: its account's line among the unassigned accounts,
 * spec §9: for a split account one line per tag value matching nobody. */
static int recon_unassigned(struct recon *r, const struct cur_fact *f)
{
	size_t i;
	int added;

	strbuf_reset(&r->key);
	if (strbuf_add(&r->key, f->payer, strlen(f->payer) + 1) ||
	    strbuf_add(&r->key, f->account, strlen(f->account) + 1) ||
	    (r->split && strbuf_addstr(&r->key, r->split)))
		return rb_err_set(r->err, RB_EINPUT, "over-long account '%s'", f->account);
	i = slot(r->accounts, r->key.buf, r->key.len, (void **)&r->a, &r->aalloc,
		sizeof(r->a[0]), &added);
	if (added) {
		r->a[i].payer = xstrdup(f->payer);
		r->a[i].account = xstrdup(f->account);
		if (r->split) {
			/* what of a split account matched no assignment, by value */
			r->a[i].tag = xstrdup(config_period_split_key(r->rc->cfg, f->account));
			r->a[i].value = *r->split ? xstrdup(r->split) : NULL;
		}
	}
	r->a[i].rows += f->rows;
	return report_add(&r->a[i].unblended, f->unblended, r->err);
}

static int recon_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct recon *r = arg;
	struct report_payer *p;
	struct report_customer *c;
	struct rate_bill b;
	size_t i;
	int added, rc;

	(void)sf;
	i = slot(r->payers, f->payer, strlen(f->payer), (void **)&r->p, &r->palloc,
		sizeof(r->p[0]), &added);
	p = &r->p[i];
	if (added)
		p->payer = xstrdup(f->payer);
	p->rows += f->rows;
	if ((rc = report_add(&p->unblended, f->unblended, r->err)))
		return rc;

	if (f->cls == CUR_OTHER) {
		/* by (type, currency): the same type from payers billed in two
		 * currencies is two rows, never one sum */
		const char *cur = store_snapshot_currency(r->rc->snap, f->payer);
		strbuf_reset(&r->key);
		if (strbuf_add(&r->key, f->line_item_type, strlen(f->line_item_type) + 1) ||
		    strbuf_addstr(&r->key, cur))
			return rb_err_set(r->err, RB_EINPUT, "over-long line item type '%s'",
				f->line_item_type);
		i = slot(r->types, r->key.buf, r->key.len, (void **)&r->t,
			&r->talloc, sizeof(r->t[0]), &added);
		if (added) {
			r->t[i].type = xstrdup(f->line_item_type);
			snprintf(r->t[i].currency, sizeof(r->t[i].currency), "%s", cur);
		}
		r->t[i].rows += f->rows;
		if ((rc = report_add(&r->t[i].unblended, f->unblended, r->err)))
			return rc;
	}

	if (ci == REPORT_NOBODY) {
		if ((rc = report_add(&p->unassigned, f->unblended, r->err)))
			return rc;
		return recon_unassigned(r, f);
	}

	if ((rc = report_add(&p->assigned, f->unblended, r->err)))
		return rc;
	c = &r->c[ci];
	if ((rc = rate_fact_bill(&b, r->rc->cfg->customers[ci].plan, f, rate_accounts_holds,
			&r->rc->holds[ci], r->err)))
		return rc;
	c->rows += f->rows;
	if ((rc = report_add(&c->unblended, f->unblended, r->err)) ||
	    (rc = report_add(&c->effective, f->effective, r->err)) ||
	    (rc = report_add(&c->ondemand, f->ondemand, r->err)) ||
	    (rc = report_add(&c->billed, b.billed, r->err)) ||
	    (rc = report_add(&c->withheld[f->cls], b.withheld, r->err)))
		return rc;
	/* spec §6: AWS tax is neither revenue nor cost */
	if (f->cls != CUR_TAX &&
	    ((rc = report_add(&c->revenue, b.billed, r->err)) ||
	     (rc = report_add(&c->cost, f->effective, r->err))))
		return rc;
	if (b.excluded) {
		c->excluded_rows += f->rows;
		if ((rc = report_add(&c->excluded, b.excluded_cost, r->err)))
			return rc;
	}
	return 0;
}

static int cmp_payer(const void *a, const void *b)
{
	return strcmp(((const struct report_payer *)a)->payer, ((const struct report_payer *)b)->payer);
}

static int cmp_account(const void *a, const void *b)
{
	const struct report_account *x = a, *y = b;
	int c = strcmp(x->payer, y->payer);
	if (!c)
		c = strcmp(x->account, y->account);
	if (c || !x->tag || !y->tag)
		return c ? c : (x->tag ? 1 : (y->tag ? -1 : 0));
	/* untagged first, then by value */
	if (!x->value || !y->value)
		return !x->value ? (y->value ? -1 : 0) : 1;
	return strcmp(x->value, y->value);
}

static int cmp_type(const void *a, const void *b)
{
	const struct report_type *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	return c ? c : strcmp(x->currency, y->currency);
}

static int unbalanced(struct rb_err *err, int period, const char *what, rb_i128 left,
	rb_i128 right)
{
	char pb[PERIOD_BUFSZ], lb[DEC_BUFSZ], rb[DEC_BUFSZ];
	period_format(pb, period);
	dec_format(lb, sizeof(lb), left, DEC_SCALE, DEC_SCALE);
	dec_format(rb, sizeof(rb), right, DEC_SCALE, DEC_SCALE);
	return rb_err_set(err, RB_EBALANCE,
		"reconciliation of %s does not balance: %s: %s != %s", pb, what, lb, rb);
}

/* The entry of currency cur in r->totals, added in order when new. */
static struct report_recon_total *total_for(struct report_reconcile *r, const char *cur)
{
	size_t j;
	for (j = 0; j < r->ntotals; j++)
		if (!strcmp(r->totals[j].currency, cur))
			return &r->totals[j];
	r->totals = xreallocarray(r->totals, r->ntotals + 1, sizeof(*r->totals));
	for (j = r->ntotals; j > 0 && strcmp(r->totals[j - 1].currency, cur) > 0; j--)
		r->totals[j] = r->totals[j - 1];
	memset(&r->totals[j], 0, sizeof(r->totals[j]));
	snprintf(r->totals[j].currency, sizeof(r->totals[j].currency), "%s", cur);
	r->ntotals++;
	return &r->totals[j];
}

/* r's sums per currency, and the two cross checks per currency: a
 * customer's costs are those of its payers' currency, so customers equal
 * assigned and unassigned accounts equal unassigned in every currency. */
static int currency_totals(struct report_reconcile *r, struct rb_err *err)
{
	char what[96];
	size_t i, j;

	free(r->totals);
	r->totals = NULL;
	r->ntotals = 0;
	for (i = 0; i < r->npayers; i++) {
		struct report_recon_total *t = total_for(r, r->payers[i].currency);
		if (dec_add(&t->unblended, t->unblended, r->payers[i].unblended) ||
		    dec_add(&t->assigned, t->assigned, r->payers[i].assigned) ||
		    dec_add(&t->unassigned, t->unassigned, r->payers[i].unassigned))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	}
	for (i = 0; i < r->ncustomers; i++) {
		struct report_recon_total *t = total_for(r, r->customers[i].currency);
		if (dec_add(&t->customers, t->customers, r->customers[i].unblended))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	}
	for (i = 0; i < r->nunassigned; i++) {
		const char *cur = r->unassigned[i].currency[0] ? r->unassigned[i].currency : "USD";
		struct report_recon_total *t;
		for (j = 0; !r->unassigned[i].currency[0] && j < r->npayers; j++)
			if (!strcmp(r->payers[j].payer, r->unassigned[i].payer)) {
				cur = r->payers[j].currency;
				break;
			}
		t = total_for(r, cur);
		if (dec_add(&t->accounts, t->accounts, r->unassigned[i].unblended))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	}
	for (j = 0; j < r->ntotals; j++) {
		const struct report_recon_total *t = &r->totals[j];
		snprintf(what, sizeof(what), "sum of customers vs sum of assigned in %s", t->currency);
		if (t->customers != t->assigned)
			return unbalanced(err, r->period, what, t->customers, t->assigned);
		snprintf(what, sizeof(what), "sum of unassigned accounts vs sum of unassigned in %s",
			t->currency);
		if (t->accounts != t->unassigned)
			return unbalanced(err, r->period, what, t->accounts, t->unassigned);
	}
	return 0;
}

int report_reconcile_check(struct report_reconcile *r, const struct report_source *src,
	size_t nsrc, struct rb_err *err)
{
	rb_i128 total = 0, assigned = 0, unassigned = 0, cust = 0, acc = 0, sum;
	size_t i, j, k;
	char what[200];

	for (i = 0; i < r->npayers; i++) {
		const struct report_payer *p = &r->payers[i];
		snprintf(what, sizeof(what), "payer %s unblended vs assigned + unassigned", p->payer);
		if (dec_add(&sum, p->assigned, p->unassigned) || sum != p->unblended)
			return unbalanced(err, r->period, what, p->unblended, sum);
		if (dec_add(&total, total, p->unblended) || dec_add(&assigned, assigned, p->assigned) ||
		    dec_add(&unassigned, unassigned, p->unassigned))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	}
	/* every independent source agrees with every payer, and knows no other */
	for (k = 0; k < nsrc; k++) {
		const struct report_source *x = &src[k];
		for (i = 0; i < r->npayers; i++) {
			const struct report_payer *p = &r->payers[i];
			for (j = 0; j < x->n; j++)
				if (!strcmp(x->payers[j], p->payer))
					break;
			snprintf(what, sizeof(what), "payer %s unblended vs %s", p->payer, x->name);
			if (j == x->n || x->unblended[j] != p->unblended)
				return unbalanced(err, r->period, what, p->unblended,
					j == x->n ? 0 : x->unblended[j]);
			if (x->rows[j] != p->rows)
				return rb_err_set(err, RB_EBALANCE,
					"reconciliation does not balance: payer %s has %ld rows, %s %ld",
					p->payer, p->rows, x->name, x->rows[j]);
		}
		for (j = 0; j < x->n; j++) {
			for (i = 0; i < r->npayers; i++)
				if (!strcmp(x->payers[j], r->payers[i].payer))
					break;
			snprintf(what, sizeof(what), "payer %s (%s) is not reconciled", x->payers[j], x->name);
			if (i == r->npayers && (x->unblended[j] != 0 || x->rows[j] != 0))
				return unbalanced(err, r->period, what, x->unblended[j], 0);
		}
	}
	for (i = 0; i < r->ncustomers; i++)
		if (dec_add(&cust, cust, r->customers[i].unblended))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	if (cust != assigned)
		return unbalanced(err, r->period, "sum of customers vs sum of assigned", cust, assigned);
	for (i = 0; i < r->nunassigned; i++)
		if (dec_add(&acc, acc, r->unassigned[i].unblended))
			return rb_err_set(err, RB_EBALANCE, "reconciliation sums out of range");
	if (acc != unassigned)
		return unbalanced(err, r->period, "sum of unassigned accounts vs sum of unassigned",
			acc, unassigned);
	{
		int rc = currency_totals(r, err);
		if (rc < 0)
			return rc;
	}
	r->total_unblended = total;
	r->total_assigned = assigned;
	r->total_unassigned = unassigned;
	r->customers_unblended = cust;
	r->accounts_unblended = acc;
	return 0;
}

int report_reconcile(struct report_reconcile **out, struct store *s, int period,
	struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct recon w = { 0 };
	struct report_reconcile *r = NULL;
	struct store_group *groups = NULL;
	struct store_import_total *imports = NULL;
	struct report_source src[2];
	struct report_split sp = { 0 };
	size_t ngroups = 0, nimports = 0, i, nc;
	int ret;

	*out = NULL;
	memset(src, 0, sizeof(src));
	w.err = err;
	w.payers = hmap_new();
	w.accounts = hmap_new();
	w.types = hmap_new();
	strbuf_init(&w.key, 64, 4096);
	if ((ret = report_cfg_load(&rc, s, period, REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	w.rc = &rc;
	nc = rc.cfg->ncustomers;
	w.c = xcalloc(nc ? nc : 1, sizeof(w.c[0]));
	/* rating the period's sums equals rating its rows (exact), and is faster */
	if ((ret = report_collect(&agg, s, &rc, REPORT_NOBODY, report_threads(&rc), err)) < 0)
		goto cleanup;
	for (i = 0; i < agg.s.n; i++) {
		w.split = agg.split[i];
		if ((ret = recon_one(&w, NULL, &agg.s.facts[i], agg.ci[i])) < 0)
			goto cleanup;
	}

	r = xcalloc(1, sizeof(*r));
	r->period = period;
	r->npayers = hmap_count(w.payers);
	r->payers = w.p;
	w.p = NULL;
	r->nunassigned = hmap_count(w.accounts);
	r->unassigned = w.a;
	w.a = NULL;
	r->nother = hmap_count(w.types);
	r->other = w.t;
	w.t = NULL;
	if (r->npayers > 1)
		qsort(r->payers, r->npayers, sizeof(r->payers[0]), cmp_payer);
	if (r->nunassigned > 1)
		qsort(r->unassigned, r->nunassigned, sizeof(r->unassigned[0]), cmp_account);
	if (r->nother > 1)
		qsort(r->other, r->nother, sizeof(r->other[0]), cmp_type);
	for (i = 0; i < r->npayers; i++)
		snprintf(r->payers[i].currency, sizeof(r->payers[i].currency), "%s",
			store_snapshot_currency(rc.snap, r->payers[i].payer));
	for (i = 0; i < r->nunassigned; i++)
		snprintf(r->unassigned[i].currency, sizeof(r->unassigned[i].currency), "%s",
			store_snapshot_currency(rc.snap, r->unassigned[i].payer));
	report_split(&sp, &agg, nc);
	if ((ret = report_cost_currencies(&rc, &sp, REPORT_NOBODY, err)) < 0)
		goto cleanup;
	/* customers are sorted by id in the configuration already */
	r->customers = xcalloc(nc ? nc : 1, sizeof(r->customers[0]));
	for (i = 0; i < nc; i++) {
		struct report_customer *c;
		rb_i128 eff;
		if (!report_cfg_invoiced(&rc, i))
			continue;
		c = &r->customers[r->ncustomers++];
		*c = w.c[i];
		c->customer = rc.cfg->customers[i].id;
		snprintf(c->currency, sizeof(c->currency), "%s",
			rc.cfg->customers[i].cost_currency[0] ? rc.cfg->customers[i].cost_currency : "USD");
		if ((ret = report_fee_revenue(&c->fees, &c->margin_known, &rc, i, &sp, err)) < 0)
			goto cleanup;
		if (dec_add(&c->revenue, c->revenue, c->fees) ||
		    dec_rescale(&eff, c->cost, DEC_SCALE, RATE_SCALE) ||
		    dec_sub(&c->margin, c->revenue, eff)) {
			ret = rb_err_set(err, RB_EINPUT, "margin of customer '%s' out of range", c->customer);
			goto cleanup;
		}
	}
	r->cfg = rc.cfg;
	rc.cfg = NULL;

	/* the independent sides: the database's own SQL sum per payer, and what
	 * each payer's latest import counted while it read the CUR files —
	 * read in the same snapshot as the facts (rc is still open), so an
	 * import committing meanwhile cannot make them disagree */
	if ((ret = store_summary(&groups, &ngroups, s, period, STORE_BY_PAYER, NULL, err)) < 0)
		goto cleanup;
	if ((ret = store_import_totals(&imports, &nimports, s, period, err)) < 0)
		goto cleanup;
	src[0].name = "the database's sum";
	src[0].n = ngroups;
	src[0].payers = xcalloc(ngroups ? ngroups : 1, sizeof(char *));
	src[0].rows = xcalloc(ngroups ? ngroups : 1, sizeof(long));
	src[0].unblended = xcalloc(ngroups ? ngroups : 1, sizeof(rb_i128));
	for (i = 0; i < ngroups; i++) {
		src[0].payers[i] = groups[i].key;
		src[0].rows[i] = (long)groups[i].sum.rows;
		src[0].unblended[i] = groups[i].sum.unblended;
	}
	src[1].name = "the import's count";
	src[1].n = nimports;
	src[1].payers = xcalloc(nimports ? nimports : 1, sizeof(char *));
	src[1].rows = xcalloc(nimports ? nimports : 1, sizeof(long));
	src[1].unblended = xcalloc(nimports ? nimports : 1, sizeof(rb_i128));
	for (i = 0; i < nimports; i++) {
		src[1].payers[i] = imports[i].payer;
		src[1].rows[i] = (long)imports[i].rows;
		src[1].unblended[i] = imports[i].unblended;
	}
	if ((ret = report_reconcile_check(r, src, 2, err)) < 0)
		goto cleanup;
	*out = r;
	r = NULL;
	ret = 0;
cleanup:
	report_reconcile_free(r);
	report_split_release(&sp);
	report_agg_release(&agg);
	report_cfg_release(&rc);
	store_groups_free(groups, ngroups);
	store_import_totals_free(imports, nimports);
	for (i = 0; i < 2; i++) {
		free((void *)src[i].payers);
		free(src[i].rows);
		free(src[i].unblended);
	}
	for (i = 0; w.p && i < hmap_count(w.payers); i++)
		free(w.p[i].payer);
	for (i = 0; w.a && i < hmap_count(w.accounts); i++) {
		free(w.a[i].payer);
		free(w.a[i].account);
		free(w.a[i].tag);
		free(w.a[i].value);
	}
	for (i = 0; w.t && i < hmap_count(w.types); i++)
		free(w.t[i].type);
	free(w.p);
	free(w.a);
	free(w.t);
	free(w.c);
	hmap_free(w.payers);
	hmap_free(w.accounts);
	hmap_free(w.types);
	strbuf_release(&w.key);
	return ret;
}

void report_reconcile_free(struct report_reconcile *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->npayers; i++)
		free(r->payers[i].payer);
	for (i = 0; i < r->nunassigned; i++) {
		free(r->unassigned[i].payer);
		free(r->unassigned[i].account);
		free(r->unassigned[i].tag);
		free(r->unassigned[i].value);
	}
	for (i = 0; i < r->nother; i++)
		free(r->other[i].type);
	free(r->payers);
	free(r->unassigned);
	free(r->other);
	free(r->customers);
	free(r->totals);
	config_period_free(r->cfg);
	free(r);
}

int report_unassigned(struct report_account **out, size_t *n, struct store *s, int period,
	struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct recon w = { 0 };
	size_t i;
	int ret;

	*out = NULL;
	*n = 0;
	w.err = err;
	w.accounts = hmap_new();
	strbuf_init(&w.key, 64, 4096);
	/* the very aggregates and lines of report_reconcile */
	if ((ret = report_cfg_load(&rc, s, period, REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	w.rc = &rc;
	if ((ret = report_collect(&agg, s, &rc, REPORT_NOBODY, report_threads(&rc), err)) < 0)
		goto cleanup;
	for (i = 0; i < agg.s.n; i++) {
		if (agg.ci[i] != REPORT_NOBODY)
			continue;
		w.split = agg.split[i];
		if ((ret = recon_unassigned(&w, &agg.s.facts[i])) < 0)
			goto cleanup;
	}
	*n = hmap_count(w.accounts);
	*out = w.a;
	w.a = NULL;
	if (*n > 1)
		qsort(*out, *n, sizeof((*out)[0]), cmp_account);
	/* its payer's currency, read in the same snapshot as the facts */
	for (i = 0; i < *n; i++)
		snprintf((*out)[i].currency, sizeof((*out)[i].currency), "%s",
			store_snapshot_currency(rc.snap, (*out)[i].payer));
cleanup:
	report_accounts_free(w.a, hmap_count(w.accounts));
	report_agg_release(&agg);
	report_cfg_release(&rc);
	hmap_free(w.accounts);
	strbuf_release(&w.key);
	return ret;
}

void report_accounts_free(struct report_account *a, size_t n)
{
	size_t i;
	for (i = 0; a && i < n; i++) {
		free(a[i].payer);
		free(a[i].account);
		free(a[i].tag);
		free(a[i].value);
	}
	free(a);
}
