/*
 * margin.c: spec §6's margin — revenue (billed USD of the rows other than
 * tax, plus fee and custom lines brought back to USD) beside cost
 * (effective of the rows other than tax) — grouped by customer, account,
 * service, region, line item type or one tag's value, for every customer
 * or one. Every fact of the period counts: rows of unassigned accounts are
 * one line "(unassigned)" (by account: their own accounts) with cost and
 * no revenue, fees one line "(fees and custom lines)" unless grouped by
 * customer, so a breakdown always adds up to the period's totals.
 *
 * Not for: the invoice currency or the balance checks (reconcile.c).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "util/period.h"
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
	struct hmap *keys;
	struct report_margin_row *rows;
	size_t alloc;
	struct rb_err *err;
};

static int margin_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct margin_walk *m = arg;
	struct report_margin_row *row;
	const char *key;
	size_t len, i;
	rb_i128 billed = 0;
	int added, rc;

	if (m->only != REPORT_NOBODY && ci != m->only)
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
	case REPORT_BY_TAG:
	default:
		key = report_tag_value(sf->tags, m->tag_key, m->tag_len, &len);
		goto have_len;
	}
	len = strlen(key);
have_len:
	if (ci != REPORT_NOBODY) {
		struct rate_bill b;
		if ((rc = rate_fact_bill(&b, m->rc->cfg->customers[ci].plan, f, rate_accounts_holds,
				&m->rc->holds[ci], m->err)))
			return rc;
		billed = b.billed;
	}
	i = hmap_put(m->keys, key, len, &added);
	if (added) {
		if (i == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 64;
			m->rows = xreallocarray(m->rows, m->alloc, sizeof(m->rows[0]));
		}
		memset(&m->rows[i], 0, sizeof(m->rows[i]));
		m->rows[i].key = xstrndup(key, len);
	}
	row = &m->rows[i];
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

/* The row of key, created empty when new. */
static struct report_margin_row *row_of(struct margin_walk *m, const char *key)
{
	int added;
	size_t i = hmap_put(m->keys, key, strlen(key), &added);
	if (added) {
		if (i == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 64;
			m->rows = xreallocarray(m->rows, m->alloc, sizeof(m->rows[0]));
		}
		memset(&m->rows[i], 0, sizeof(m->rows[i]));
		m->rows[i].key = xstrdup(key);
	}
	return &m->rows[i];
}

/* Spec §6: each invoiced customer's fee and custom lines in USD are
 * revenue — of the customer's own row by customer, else of one line
 * REPORT_FEES (they belong to no service, account or region). A customer
 * with such lines but no exchange rate is an error: a margin without them
 * would be silently wrong. */
static int add_fees(struct margin_walk *m, const struct report_agg *agg, struct rb_err *err)
{
	const struct report_cfg *rc = m->rc;
	struct report_split sp = { 0 };
	size_t i, nc = rc->cfg->ncustomers;
	int ret = 0;

	report_split(&sp, agg, nc);
	ret = report_cost_currencies(rc, &sp, m->only, err);
	for (i = 0; i < nc && ret == 0; i++) {
		const struct config_customer *c = &rc->cfg->customers[i];
		struct report_margin_row *row;
		rb_i128 fees;
		int known;

		if ((m->only != REPORT_NOBODY && i != m->only) || !report_cfg_invoiced(rc, i))
			continue;
		if ((ret = report_fee_revenue(&fees, &known, rc, i, &sp, err)) < 0)
			break;
		if (!known) {
			char pb[PERIOD_BUFSZ];
			period_format(pb, rc->period);
			ret = rb_err_set(err, RB_EINPUT, "customer '%s' has no %s exchange rate for %s:"
				" its fees and custom lines cannot be counted in the margin",
				c->id, c->currency, pb);
			break;
		}
		if (!fees)
			continue;
		row = row_of(m, m->by == REPORT_BY_CUSTOMER ? c->id : REPORT_FEES);
		if ((ret = report_add(&row->revenue, fees, err)) < 0)
			break;
		row->fees += fees;
	}
	report_split_release(&sp);
	return ret;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct report_margin_row *)a)->key,
		((const struct report_margin_row *)b)->key);
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

int report_margin_for(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, const char *customer, struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct margin_walk w = { 0 };
	struct report_margin *m = NULL;
	size_t i;
	int ret;

	*out = NULL;
	w.by = by;
	w.tag_key = tag_key ? tag_key : "";
	w.tag_len = strlen(w.tag_key);
	w.keys = hmap_new();
	w.err = err;
	if ((ret = report_cfg_load(&rc, s, period,
			by == REPORT_BY_TAG ? 0 : REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	if (by == REPORT_BY_TAG && (ret = report_tag_key_check(s, period, w.tag_key, err)) < 0)
		goto cleanup;
	w.rc = &rc;
	w.only = REPORT_NOBODY;
	if (customer) {
		for (i = 0; i < rc.cfg->ncustomers; i++)
			if (!strcmp(rc.cfg->customers[i].id, customer))
				break;
		if (i == rc.cfg->ncustomers) {
			ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
			goto cleanup;
		}
		w.only = i;
	}
	if ((ret = report_collect(&agg, s, &rc, w.only, report_threads(&rc), err)) < 0)
		goto cleanup;
	if (by == REPORT_BY_TAG) {
		/* tags are not in the sums: walk the facts themselves */
		if ((ret = report_walk(s, &rc, 1, margin_one, &w, err)) < 0)
			goto cleanup;
	} else {
		for (i = 0; i < agg.s.n; i++)
			if ((ret = margin_one(&w, NULL, &agg.s.facts[i], agg.ci[i])) < 0)
				goto cleanup;
	}
	if ((ret = add_fees(&w, &agg, err)) < 0)
		goto cleanup;
	m = xcalloc(1, sizeof(*m));
	m->period = period;
	m->by = by;
	m->rows = w.rows;
	m->n = hmap_count(w.keys);
	w.rows = NULL;
	if (m->n > 1)
		qsort(m->rows, m->n, sizeof(m->rows[0]), cmp_row);
	m->total.key = xstrdup("total");
	for (i = 0; i < m->n; i++) {
		struct report_margin_row *row = &m->rows[i];
		m->total.rows += row->rows;
		if ((ret = finish(row, err)) < 0 ||
		    (ret = report_add(&m->total.unblended, row->unblended, err)) < 0 ||
		    (ret = report_add(&m->total.effective, row->effective, err)) < 0 ||
		    (ret = report_add(&m->total.billed, row->billed, err)) < 0 ||
		    (ret = report_add(&m->total.fees, row->fees, err)) < 0 ||
		    (ret = report_add(&m->total.revenue, row->revenue, err)) < 0 ||
		    (ret = report_add(&m->total.cost, row->cost, err)) < 0)
			goto cleanup;
	}
	if ((ret = finish(&m->total, err)) < 0)
		goto cleanup;
	*out = m;
	m = NULL;
	ret = 0;
cleanup:
	report_margin_free(m);
	for (i = 0; w.rows && i < hmap_count(w.keys); i++)
		free(w.rows[i].key);
	free(w.rows);
	hmap_free(w.keys);
	report_agg_release(&agg);
	report_cfg_release(&rc);
	return ret;
}

void report_margin_free(struct report_margin *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->rows[i].key);
	free(m->rows);
	free(m->total.key);
	free(m);
}
