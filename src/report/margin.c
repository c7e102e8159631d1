/*
 * margin.c: spec §6's margin — revenue (billed USD of the rows other than
 * tax, plus fee and custom lines brought back to USD) beside cost
 * (effective of the rows other than tax) — grouped by customer, account,
 * service, region, line item type or one tag's value, for every customer
 * or one. Every fact of the period counts: rows of unassigned accounts are
 * one line "(unassigned)" (by account: their own accounts) with cost and
 * no revenue, fees one line "(fees and custom lines)" unless grouped by
 * customer, so a breakdown always adds up to the period's totals. The
 * explorer (report_explore) is the same walk over a range of periods, by
 * day too, with filters on customer, account, service and region.
 *
 * Not for: the invoice currency or the balance checks (reconcile.c).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int report_by_parse(enum report_by *out, const char **tag_key, const char *s,
	struct rb_err *err)
{
	static const struct { const char *name; enum report_by by; } names[] = {
		{ "customer", REPORT_BY_CUSTOMER }, { "account", REPORT_BY_ACCOUNT },
		{ "service", REPORT_BY_SERVICE }, { "region", REPORT_BY_REGION },
		{ "type", REPORT_BY_TYPE },
	};
	size_t i;

	*tag_key = NULL;
	if (!strncmp(s, "tag:", 4) && s[4]) {
		*out = REPORT_BY_TAG;
		*tag_key = s + 4;
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].by;
			return 0;
		}
	return rb_err_set(err, RB_EUSAGE,
		"unknown grouping '%s' (expected customer, account, service, region, type or tag:KEY)", s);
}

struct margin_walk {
	const struct report_cfg *rc;
	enum report_by by;
	const char *tag_key;
	size_t tag_len;
	size_t only;            /* the customer asked for, or REPORT_NOBODY: all */
	int unassigned_only;    /* explorer: only the rows no customer holds */
	const char *account, *service, *region;   /* explorer filters, NULL: any */
	struct hmap *keys;          /* key NUL currency -> index into rows */
	struct strbuf hkey;
	struct report_margin_row *rows;
	size_t alloc;
	struct rb_err *err;
};

/* The row of (key, currency), created empty when new: the hash key is the
 * key, a NUL and the currency, so costs in two currencies never share a row. */
static struct report_margin_row *row_of(struct margin_walk *m, const char *key, size_t len,
	const char *cur)
{
	int added;
	size_t i;

	strbuf_reset(&m->hkey);
	if (strbuf_add(&m->hkey, key, len) < 0 || strbuf_add(&m->hkey, "", 1) < 0 ||
	    strbuf_add(&m->hkey, cur, strlen(cur)) < 0)
		return NULL;   /* a key past 1 MiB */
	i = hmap_put(m->keys, m->hkey.buf, m->hkey.len, &added);
	if (added) {
		if (i == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 64;
			m->rows = xreallocarray(m->rows, m->alloc, sizeof(m->rows[0]));
		}
		memset(&m->rows[i], 0, sizeof(m->rows[i]));
		m->rows[i].key = xstrndup(key, len);
		snprintf(m->rows[i].currency, sizeof(m->rows[i].currency), "%s", cur);
	}
	return &m->rows[i];
}

static int margin_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct margin_walk *m = arg;
	struct report_margin_row *row;
	const char *key, *cur;
	size_t len;
	rb_i128 billed = 0;
	int rc;

	if (m->only != REPORT_NOBODY && ci != m->only)
		return 0;
	if ((m->unassigned_only && ci != REPORT_NOBODY) ||
	    (m->account && strcmp(f->account, m->account)) ||
	    (m->service && strcmp(f->product_code, m->service)) ||
	    (m->region && strcmp(f->region, m->region)))
		return 0;
	/* spec §6: unassigned rows are the reseller's cost with no revenue, one
	 * line of their own, never spread over services, regions, types, tags */
	if (ci == REPORT_NOBODY && m->by != REPORT_BY_ACCOUNT) {
		key = REPORT_UNASSIGNED;
		len = strlen(key);
		goto have_len;
	}
	switch (m->by) {
	case REPORT_BY_CUSTOMER:
		key = ci == REPORT_NOBODY ? REPORT_UNASSIGNED : m->rc->cfg->customers[ci].id;
		break;
	case REPORT_BY_ACCOUNT: key = f->account; break;
	case REPORT_BY_SERVICE: key = f->product_code; break;
	case REPORT_BY_REGION: key = f->region; break;
	case REPORT_BY_TYPE: key = f->line_item_type; break;
	case REPORT_BY_DAY: key = sf->day; break;
	case REPORT_BY_TAG:
	default:
		key = report_tag_value(sf->tags, m->tag_key, m->tag_len, &len);
		goto have_len;
	}
	len = strlen(key);
have_len:
	cur = store_snapshot_currency(m->rc->snap, f->payer ? f->payer : "");
	if (ci != REPORT_NOBODY) {
		struct rate_bill b;
		if ((rc = rate_fact_bill(&b, m->rc->cfg->customers[ci].plan, f, rate_accounts_holds,
				&m->rc->holds[ci], m->err)))
			return rc;
		billed = b.billed;
	}
	if (!(row = row_of(m, key, len, cur)))
		return rb_err_set(m->err, RB_EINPUT, "margin: a grouping key is too long");
	row->rows += f->rows;
	if ((rc = report_add(&row->unblended, f->unblended, m->err)) ||
	    (rc = report_add(&row->effective, f->effective, m->err)) ||
	    (rc = report_add(&row->billed, billed, m->err)))
		return rc;
	/* spec §6: AWS tax is neither revenue nor cost */
	if (f->cls != CUR_TAX &&
	    ((rc = report_add(&row->revenue, billed, m->err)) ||
	     (rc = report_add(&row->cost, f->effective, m->err))))
		return rc;
	return 0;
}

/* Spec §6: each invoiced customer's fee and custom lines in USD are
 * revenue — of the customer's own row by customer, else of one line
 * REPORT_FEES (they belong to no service, account or region). A customer
 * with such lines but no exchange rate is an error: a margin without them
 * would be silently wrong. Every such customer is named at once. */
static int add_fees(struct margin_walk *m, const struct report_agg *agg, struct rb_err *err)
{
	const struct report_cfg *rc = m->rc;
	struct report_split sp = { 0 };
	size_t i, nc = rc->cfg->ncustomers;
	rb_i128 *fees = xcalloc(nc + 1, sizeof(*fees));
	unsigned char *missing = xcalloc(nc + 1, 1);
	int ret = 0;

	report_split(&sp, agg, nc);
	ret = report_cost_currencies(rc, &sp, m->only, err);
	for (i = 0; i < nc && ret == 0; i++) {
		int known;
		if ((m->only != REPORT_NOBODY && i != m->only) || !report_cfg_invoiced(rc, i))
			continue;
		if ((ret = report_fee_revenue(&fees[i], &known, rc, i, &sp, err)) < 0)
			break;
		missing[i] = !known;
	}
	if (ret == 0)
		ret = report_fx_missing(rc->cfg, missing,
			": its fees and custom lines cannot be counted in the margin",
			": their fees and custom lines cannot be counted in the margin", err);
	for (i = 0; i < nc && ret == 0; i++) {
		const struct config_customer *c = &rc->cfg->customers[i];
		struct report_margin_row *row;
		if (!fees[i])
			continue;
		{
			const char *key = m->by == REPORT_BY_CUSTOMER ? c->id : REPORT_FEES;
			/* in USD, or in the customer's cost currency when that is not USD */
			row = row_of(m, key, strlen(key), c->cost_currency[0] ? c->cost_currency : "USD");
		}
		if (!row) {
			ret = rb_err_set(err, RB_EINPUT, "margin: a grouping key is too long");
			break;
		}
		if ((ret = report_add(&row->revenue, fees[i], err)) < 0)
			break;
		row->fees += fees[i];
	}
	report_split_release(&sp);
	free(fees);
	free(missing);
	return ret;
}

static int cmp_row(const void *a, const void *b)
{
	const struct report_margin_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->currency, y->currency);
}

/* The total of currency cur in m->totals, added in order when new. */
static struct report_margin_row *total_for(struct report_margin *m, const char *cur)
{
	size_t j;
	for (j = 0; j < m->ntotals; j++)
		if (!strcmp(m->totals[j].currency, cur))
			return &m->totals[j];
	m->totals = xreallocarray(m->totals, m->ntotals + 1, sizeof(*m->totals));
	for (j = m->ntotals; j > 0 && strcmp(m->totals[j - 1].currency, cur) > 0; j--)
		m->totals[j] = m->totals[j - 1];
	memset(&m->totals[j], 0, sizeof(m->totals[j]));
	m->totals[j].key = xstrdup("total");
	snprintf(m->totals[j].currency, sizeof(m->totals[j].currency), "%s", cur);
	m->ntotals++;
	return &m->totals[j];
}

static int finish(struct report_margin_row *row, struct rb_err *err)
{
	rb_i128 eff;
	if (dec_rescale(&eff, row->cost, DEC_SCALE, RATE_SCALE) ||
	    dec_sub(&row->margin, row->revenue, eff))
		return rb_err_set(err, RB_EINPUT, "margin of '%s' out of range", row->key);
	return 0;
}

int report_margin(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, struct rb_err *err)
{
	return report_margin_for(out, s, period, by, tag_key, NULL, err);
}

/* Adds one period's rows to w (its keys and rows), as report_margin_for
 * computes them: the facts held by w->only (or all), the explorer's filters
 * applied; fees unless `fees` is 0. *tag_ok is set to 0 when the period has
 * no fact with the tag key (the error is in err), and the period is still
 * walked (every row untagged) when tag_soft. */
static int margin_period(struct margin_walk *w, struct store *s, int period,
	const char *customer, int fees, int tag_soft, int *tag_ok, struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	int walk_facts = w->by == REPORT_BY_TAG || w->by == REPORT_BY_DAY;
	size_t i;
	int ret;

	*tag_ok = 1;
	if ((ret = report_cfg_load(&rc, s, period, walk_facts ? 0 : REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	if (w->by == REPORT_BY_TAG && (ret = report_tag_key_check(s, period, w->tag_key, err)) < 0) {
		*tag_ok = 0;
		if (!tag_soft || ret != RB_EINPUT)
			goto cleanup;
	}
	w->rc = &rc;
	w->only = REPORT_NOBODY;
	if (customer && strcmp(customer, REPORT_UNASSIGNED)) {
		for (i = 0; i < rc.cfg->ncustomers; i++)
			if (!strcmp(rc.cfg->customers[i].id, customer))
				break;
		if (i == rc.cfg->ncustomers) {
			ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
			goto cleanup;
		}
		w->only = i;
	}
	if ((ret = report_collect(&agg, s, &rc, w->only, report_threads(&rc), err)) < 0)
		goto cleanup;
	if (walk_facts) {
		/* tags and days are not in the sums: walk the facts themselves */
		if ((ret = report_walk(s, &rc, 1, margin_one, w, err)) < 0)
			goto cleanup;
	} else {
		for (i = 0; i < agg.s.n; i++)
			if ((ret = margin_one(w, NULL, &agg.s.facts[i], agg.ci[i])) < 0)
				goto cleanup;
	}
	if (fees && (ret = add_fees(w, &agg, err)) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	w->rc = NULL;
	report_agg_release(&agg);
	report_cfg_release(&rc);
	return ret;
}

/* Periods from..to to read: from alone when from == to (with facts or
 * not, as report_margin), else those with facts in the range. */
static int range_periods(int **out, size_t *n, struct store *s, int from, int to,
	struct rb_err *err)
{
	struct store_period_info *pi = NULL;
	size_t np = 0, i;
	int ret;

	*n = 0;
	*out = xcalloc(1, sizeof(int));
	if (from == to) {
		(*out)[0] = from;
		*n = 1;
		return 0;
	}
	if ((ret = store_period_list(&pi, &np, s, err)) < 0)
		return ret;
	free(*out);
	*out = xcalloc(np ? np : 1, sizeof(int));
	for (i = 0; i < np; i++)
		if (pi[i].period >= from && pi[i].period <= to)
			(*out)[(*n)++] = pi[i].period;
	free(pi);
	return 0;
}

int report_explore(struct report_margin **out, struct store *s, int from, int to,
	enum report_by by, const char *tag_key, const struct report_filter *flt,
	struct rb_err *err)
{
	static const struct report_filter none = { NULL, NULL, NULL, NULL };
	struct margin_walk w = { 0 };
	struct report_margin *m = NULL;
	struct rb_err tag_err;
	int *periods = NULL, fees, tag_any = 0, tag_ok;
	size_t np = 0, i;
	int ret;

	*out = NULL;
	if (!flt)
		flt = &none;
	if (to < from)
		return rb_err_set(err, RB_EUSAGE, "the range ends before it starts");
	w.by = by;
	w.tag_key = tag_key ? tag_key : "";
	w.tag_len = strlen(w.tag_key);
	w.keys = hmap_new();
	strbuf_init(&w.hkey, 64, 1 << 20);
	w.err = err;
	w.unassigned_only = flt->customer && !strcmp(flt->customer, REPORT_UNASSIGNED);
	w.account = flt->account;
	w.service = flt->service;
	w.region = flt->region;
	/* fee and custom lines belong to no account, service or region (and
	 * the unassigned rows have none) */
	fees = !flt->account && !flt->service && !flt->region && !w.unassigned_only;
	rb_err_clear(&tag_err);
	if ((ret = range_periods(&periods, &np, s, from, to, err)) < 0)
		goto cleanup;
	for (i = 0; i < np; i++) {
		if ((ret = margin_period(&w, s, periods[i], flt->customer, fees, np > 1, &tag_ok,
				err)) < 0)
			goto cleanup;
		if (tag_ok)
			tag_any = 1;
		else
			tag_err = *err;
		rb_err_clear(err);
	}
	/* over a range a tag key some months lack is fine; none at all is a typo */
	if (by == REPORT_BY_TAG && np > 1 && !tag_any) {
		*err = tag_err;
		ret = RB_EINPUT;
		goto cleanup;
	}
	m = xcalloc(1, sizeof(*m));
	m->period = from;
	m->to = to;
	m->by = by;
	m->fees_included = fees;
	m->rows = w.rows;
	m->n = hmap_count(w.keys);
	w.rows = NULL;
	if (m->n > 1)
		qsort(m->rows, m->n, sizeof(m->rows[0]), cmp_row);
	m->total.key = xstrdup("total");
	snprintf(m->total.currency, sizeof(m->total.currency), "USD");
	for (i = 0; i < m->n; i++) {
		struct report_margin_row *row = &m->rows[i];
		struct report_margin_row *t = total_for(m, row->currency);
		t->rows += row->rows;
		if ((ret = finish(row, err)) < 0 ||
		    (ret = report_add(&t->unblended, row->unblended, err)) < 0 ||
		    (ret = report_add(&t->effective, row->effective, err)) < 0 ||
		    (ret = report_add(&t->billed, row->billed, err)) < 0 ||
		    (ret = report_add(&t->fees, row->fees, err)) < 0 ||
		    (ret = report_add(&t->revenue, row->revenue, err)) < 0 ||
		    (ret = report_add(&t->cost, row->cost, err)) < 0)
			goto cleanup;
	}
	for (i = 0; i < m->ntotals; i++)
		if ((ret = finish(&m->totals[i], err)) < 0)
			goto cleanup;
	if (m->ntotals == 1) {
		char *k = m->total.key;
		m->total = m->totals[0];
		m->total.key = k;
	}
	m->mixed = m->ntotals > 1;
	*out = m;
	m = NULL;
	ret = 0;
cleanup:
	report_margin_free(m);
	for (i = 0; w.rows && i < hmap_count(w.keys); i++)
		free(w.rows[i].key);
	free(w.rows);
	free(periods);
	hmap_free(w.keys);
	strbuf_release(&w.hkey);
	return ret;
}

int report_margin_for(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, const char *customer, struct rb_err *err)
{
	struct report_filter f = { customer, NULL, NULL, NULL };
	if (customer && !strcmp(customer, REPORT_UNASSIGNED))
		return rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
	return report_explore(out, s, period, period, by, tag_key, &f, err);
}

int report_explore_by_parse(enum report_by *out, const char **tag_key, const char *s,
	struct rb_err *err)
{
	if (!strcmp(s, "line_item_type")) {
		*out = REPORT_BY_TYPE;
		*tag_key = NULL;
		return 0;
	}
	if (!strcmp(s, "day")) {
		*out = REPORT_BY_DAY;
		*tag_key = NULL;
		return 0;
	}
	if (report_by_parse(out, tag_key, s, err) == 0)
		return 0;
	return rb_err_set(err, RB_EUSAGE, "unknown grouping '%s' (expected customer, account, "
		"service, region, line_item_type, day or tag:KEY)", s);
}

void report_margin_free(struct report_margin *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->rows[i].key);
	free(m->rows);
	for (i = 0; i < m->ntotals; i++)
		free(m->totals[i].key);
	free(m->totals);
	free(m->total.key);
	free(m);
}
