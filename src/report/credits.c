/*
 * credits.c: credits and refunds — what AWS applied (the unblended amount
 * of the credit and refund rows) beside what each customer's plan passed
 * on (their billed USD, spec §4: credits × the plan's factor, refunds
 * passed or withheld) and what the reseller kept (withheld = applied −
 * passed, spec §6), per customer and period; and the explorer's CSV.
 *
 * Not for: the invoice lines (src/rate) or the balance checks (reconcile.c).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/textout.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct credits_walk {
	struct hmap *keys;
	struct report_credit_row *rows;
	size_t alloc;
};

static int credit_row_add(struct credits_walk *w, int period, const char *customer,
	const char *cur, const struct cur_fact *f, int k, rb_i128 passed, rb_i128 withheld,
	struct rb_err *err)
{
	struct report_credit_row *row;
	char key[300];
	size_t i;
	int added, n, rc;

	n = snprintf(key, sizeof(key), "%d\x1f%s\x1f%s", period, customer, cur);
	if (n < 0 || (size_t)n >= sizeof(key))
		return rb_err_set(err, RB_EINPUT, "over-long customer id '%s'", customer);
	i = hmap_put(w->keys, key, (size_t)n, &added);
	if (added) {
		if (i == w->alloc) {
			w->alloc = w->alloc ? w->alloc * 2 : 16;
			w->rows = xreallocarray(w->rows, w->alloc, sizeof(w->rows[0]));
		}
		memset(&w->rows[i], 0, sizeof(w->rows[i]));
		w->rows[i].customer = xstrdup(customer);
		snprintf(w->rows[i].currency, sizeof(w->rows[i].currency), "%s", cur);
		w->rows[i].period = period;
	}
	row = &w->rows[i];
	row->rows += f->rows;
	if ((rc = report_add(&row->aws[k], f->unblended, err)) < 0 ||
	    (rc = report_add(&row->passed[k], passed, err)) < 0 ||
	    (rc = report_add(&row->withheld[k], withheld, err)) < 0)
		return rc;
	return 0;
}

static int credits_period(struct credits_walk *w, struct store *s, int period,
	const char *customer, struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	size_t i, only = REPORT_NOBODY;
	int ret;

	if ((ret = report_cfg_load(&rc, s, period, REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	if (customer) {
		for (i = 0; i < rc.cfg->ncustomers; i++)
			if (!strcmp(rc.cfg->customers[i].id, customer))
				break;
		if (i == rc.cfg->ncustomers) {
			ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
			goto cleanup;
		}
		only = i;
	}
	if ((ret = report_collect(&agg, s, &rc, only, report_threads(&rc), err)) < 0)
		goto cleanup;
	for (i = 0; i < agg.s.n; i++) {
		const struct cur_fact *f = &agg.s.facts[i];
		size_t ci = agg.ci[i];
		struct rate_bill b;
		const char *cur = store_snapshot_currency(rc.snap, f->payer ? f->payer : "");
		int k;

		if (f->cls == CUR_CREDIT)
			k = REPORT_CR_CREDIT;
		else if (f->cls == CUR_REFUND)
			k = REPORT_CR_REFUND;
		else
			continue;
		if (ci == REPORT_NOBODY) {
			rb_i128 kept;
			/* billed to nobody: the reseller keeps all of it */
			if (dec_rescale(&kept, f->unblended, DEC_SCALE, RATE_SCALE)) {
				ret = rb_err_set(err, RB_EINPUT, "credit of account '%s' out of range",
					f->account);
				goto cleanup;
			}
			ret = credit_row_add(w, period, REPORT_UNASSIGNED, cur, f, k, 0, kept, err);
		} else {
			if ((ret = rate_fact_bill(&b, rc.cfg->customers[ci].plan, f, rate_accounts_holds,
					&rc.holds[ci], err)) < 0)
				goto cleanup;
			ret = credit_row_add(w, period, rc.cfg->customers[ci].id, cur, f, k, b.billed,
				b.withheld, err);
		}
		if (ret < 0)
			goto cleanup;
	}
	ret = 0;
cleanup:
	report_agg_release(&agg);
	report_cfg_release(&rc);
	return ret;
}

static int cmp_credit(const void *a, const void *b)
{
	const struct report_credit_row *x = a, *y = b;
	int c;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	c = strcmp(x->customer, y->customer);
	return c ? c : strcmp(x->currency, y->currency);
}

/* The total of currency cur in c->totals, added in order when new. */
static struct report_credit_row *credit_total_for(struct report_credits *c, const char *cur)
{
	size_t j;
	for (j = 0; j < c->ntotals; j++)
		if (!strcmp(c->totals[j].currency, cur))
			return &c->totals[j];
	c->totals = xreallocarray(c->totals, c->ntotals + 1, sizeof(*c->totals));
	for (j = c->ntotals; j > 0 && strcmp(c->totals[j - 1].currency, cur) > 0; j--)
		c->totals[j] = c->totals[j - 1];
	memset(&c->totals[j], 0, sizeof(c->totals[j]));
	c->totals[j].customer = xstrdup("total");
	c->totals[j].period = c->from;
	snprintf(c->totals[j].currency, sizeof(c->totals[j].currency), "%s", cur);
	c->ntotals++;
	return &c->totals[j];
}

int report_credits(struct report_credits **out, struct store *s, int from, int to,
	const char *customer, struct rb_err *err)
{
	struct credits_walk w = { 0 };
	struct report_credits *c = NULL;
	struct store_period_info *pi = NULL;
	size_t np = 0, i;
	int ret = 0, k;

	*out = NULL;
	if (to < from)
		return rb_err_set(err, RB_EUSAGE, "the range ends before it starts");
	w.keys = hmap_new();
	if (from == to) {
		ret = credits_period(&w, s, from, customer, err);
	} else if ((ret = store_period_list(&pi, &np, s, err)) == 0) {
		for (i = 0; i < np && ret == 0; i++)
			if (pi[i].period >= from && pi[i].period <= to)
				ret = credits_period(&w, s, pi[i].period, customer, err);
	}
	free(pi);
	if (ret < 0)
		goto cleanup;
	c = xcalloc(1, sizeof(*c));
	c->from = from;
	c->to = to;
	c->n = hmap_count(w.keys);
	c->rows = w.rows;
	w.rows = NULL;
	if (c->n > 1)
		qsort(c->rows, c->n, sizeof(c->rows[0]), cmp_credit);
	c->total.customer = xstrdup("total");
	c->total.period = from;
	snprintf(c->total.currency, sizeof(c->total.currency), "USD");
	for (i = 0; i < c->n; i++) {
		struct report_credit_row *t = credit_total_for(c, c->rows[i].currency);
		t->rows += c->rows[i].rows;
		for (k = 0; k < REPORT_CR_N; k++)
			if ((ret = report_add(&t->aws[k], c->rows[i].aws[k], err)) < 0 ||
			    (ret = report_add(&t->passed[k], c->rows[i].passed[k], err)) < 0 ||
			    (ret = report_add(&t->withheld[k], c->rows[i].withheld[k], err)) < 0)
				goto cleanup;
	}
	if (c->ntotals == 1) {
		char *name = c->total.customer;
		c->total = c->totals[0];
		c->total.customer = name;
	}
	c->mixed = c->ntotals > 1;
	*out = c;
	c = NULL;
	ret = 0;
cleanup:
	report_credits_free(c);
	for (i = 0; w.rows && i < hmap_count(w.keys); i++)
		free(w.rows[i].customer);
	free(w.rows);
	hmap_free(w.keys);
	return ret;
}

void report_credits_free(struct report_credits *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->rows[i].customer);
	free(c->rows);
	for (i = 0; i < c->ntotals; i++)
		free(c->totals[i].customer);
	free(c->totals);
	free(c->total.customer);
	free(c);
}

/* ---- the explorer's CSV ------------------------------------------------------ */

static void csv_amount(FILE *f, rb_i128 v, int scale)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, scale, REPORT_DIGITS);
	fputc(',', f);
	fputs(buf, f);
}

static void csv_row(FILE *f, const char *key, const struct report_margin_row *r, int cur)
{
	textout_csv_cell(f, key);
	if (cur)
		fprintf(f, ",%s", r->currency[0] ? r->currency : "USD");
	fprintf(f, ",%ld", r->rows);
	csv_amount(f, r->unblended, DEC_SCALE);
	csv_amount(f, r->effective, DEC_SCALE);
	csv_amount(f, r->billed, RATE_SCALE);
	csv_amount(f, r->fees, RATE_SCALE);
	csv_amount(f, r->revenue, RATE_SCALE);
	csv_amount(f, r->cost, DEC_SCALE);
	csv_amount(f, r->margin, RATE_SCALE);
	fputs("\n", f);
}

int report_explore_csv(FILE *f, const struct report_margin *m, const char *by)
{
	/* a currency column once a cost is in another currency than USD, and a
	 * total line per currency */
	int cur = m->ntotals > 1 || (m->ntotals == 1 && strcmp(m->totals[0].currency, "USD"));
	size_t i;
	textout_csv_cell(f, by);
	fputs(cur ? ",currency" : "", f);
	fputs(",rows,unblended,effective,billed_usd,fees_usd,revenue_usd,cost_usd,margin\n", f);
	for (i = 0; i < m->n; i++)
		csv_row(f, m->rows[i].key, &m->rows[i], cur);
	if (!m->ntotals)
		csv_row(f, "total", &m->total, cur);
	for (i = 0; i < m->ntotals; i++)
		csv_row(f, "total", &m->totals[i], cur);
	return ferror(f) ? RB_EIO : 0;
}
