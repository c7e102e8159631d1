/*
 * revenue.c: what spec §6 counts as a customer's revenue beyond its billed
 * rows — the managed-service fees and custom lines of its invoice, brought
 * back to USD — and the split of a period's aggregates by customer that
 * invoices and margins share.
 *
 * Not for: billing (the invoice amounts are src/rate's) or printing.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

void report_split(struct report_split *out, const struct report_agg *agg, size_t nc)
{
	size_t *fill, i;

	out->start = xcalloc(nc + 1, sizeof(out->start[0]));
	fill = xcalloc(nc + 1, sizeof(fill[0]));
	for (i = 0; i < agg->s.n; i++)
		if (agg->ci[i] != REPORT_NOBODY)
			out->start[agg->ci[i] + 1]++;
	for (i = 0; i < nc; i++)
		out->start[i + 1] += out->start[i];
	out->facts = xcalloc(agg->s.n ? agg->s.n : 1, sizeof(out->facts[0]));
	for (i = 0; i < agg->s.n; i++) {
		size_t ci = agg->ci[i];
		if (ci != REPORT_NOBODY)       /* unassigned: nobody's invoice */
			out->facts[out->start[ci] + fill[ci]++] = agg->s.facts[i];
	}
	free(fill);
}

int report_cost_currencies(const struct report_cfg *rc, const struct report_split *sp,
	size_t only, struct rb_err *err)
{
	size_t i, j, nc = rc->cfg->ncustomers;
	char pb[PERIOD_BUFSZ];

	period_format(pb, rc->period);
	for (i = 0; i < nc; i++) {
		struct config_customer *c = &rc->cfg->customers[i];
		const char *k = NULL, *kpayer = NULL;
		c->cost_currency[0] = '\0';
		if ((only != REPORT_NOBODY && i != only) || !report_cfg_invoiced(rc, i))
			continue;
		for (j = sp->start[i]; j < sp->start[i + 1]; j++) {
			const char *payer = sp->facts[j].payer ? sp->facts[j].payer : "";
			const char *v = store_snapshot_currency(rc->snap, payer);
			if (!k) {
				k = v;
				kpayer = payer;
			} else if (strcmp(k, v)) {
				return rb_err_set(err, RB_EINPUT,
					"customer '%s' holds accounts whose costs for %s are in %s (billing "
					"account '%s') and in %s (billing account '%s'): one invoice bills "
					"costs of one currency", c->id, pb, k, kpayer, v, payer);
			}
		}
		if (!k || !strcmp(k, "USD"))
			continue;
		if (!c->currency || strcmp(k, c->currency))
			return rb_err_set(err, RB_EINPUT,
				"customer '%s' invoices in %s but its costs for %s are in %s (billing "
				"account '%s'): costs in a currency other than USD can only be invoiced "
				"in that currency", c->id, c->currency ? c->currency : "?", pb, k,
				kpayer);
		snprintf(c->cost_currency, sizeof(c->cost_currency), "%s", k);
		c->fx = dec_pow10(DEC_FACTOR_DIGITS);   /* nothing to convert */
		c->has_fx = 1;
	}
	return 0;
}

void report_split_release(struct report_split *sp)
{
	free(sp->facts);
	free(sp->start);
	memset(sp, 0, sizeof(*sp));
}

/* amount (at minor digits, invoice currency) / fx (DEC_FACTOR_DIGITS),
 * rounded half away from zero to REPORT_DIGITS, returned at RATE_SCALE. */
static int to_usd(rb_i128 *out, rb_i128 amount, int minor, rb_i128 fx, struct rb_err *err)
{
	rb_i128 num, q, r;

	if (fx <= 0 ||
	    dec_mul(&num, amount, dec_pow10(REPORT_DIGITS + DEC_FACTOR_DIGITS - minor)))
		return rb_err_set(err, RB_EINPUT, "fee amount out of range converting to USD");
	q = num / fx;
	r = num % fx;
	if (r < 0)
		r = -r;
	if (2 * r >= fx)
		q += num < 0 ? -1 : 1;
	if (dec_rescale(out, q, REPORT_DIGITS, RATE_SCALE))
		return rb_err_set(err, RB_EINPUT, "fee amount out of range converting to USD");
	return 0;
}

int report_fee_revenue(rb_i128 *out, int *known, const struct report_cfg *rc, size_t ci,
	const struct report_split *sp, struct rb_err *err)
{
	const struct config_customer *c = &rc->cfg->customers[ci];
	const struct config_holdings *h = &rc->cfg->holdings[ci];
	struct rate_invoice *inv = NULL;
	size_t i;
	int ret;

	*out = 0;
	*known = 1;
	if ((!c->plan || !c->plan->nfees) && !h->ncustom_lines)
		return 0;
	if (!c->has_fx) {
		*known = 0;     /* no rate: the invoice itself cannot be built */
		return 0;
	}
	if ((ret = rate_invoice_build(&inv, c, rc->period, sp->facts + sp->start[ci],
			sp->start[ci + 1] - sp->start[ci], rate_accounts_holds, &rc->holds[ci],
			h->custom_lines, h->ncustom_lines, err)) < 0)
		return ret;
	for (i = 0; i < inv->nlines; i++) {
		const struct rate_line *l = &inv->lines[i];
		rb_i128 usd;
		if (l->kind != RATE_LINE_FEE && l->kind != RATE_LINE_CUSTOM)
			continue;
		if ((ret = to_usd(&usd, l->amount, inv->minor, inv->fx, err)) < 0 ||
		    (ret = report_add(out, usd, err)) < 0)
			break;
	}
	rate_invoice_free(inv);
	return ret;
}
