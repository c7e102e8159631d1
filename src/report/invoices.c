/*
 * invoices.c: draft invoices of a period from the database (spec §5) — the
 * library call behind `rebill invoice preview` and the HTTP server.
 *
 * The period's facts are read once and summed over days and tags
 * (report_collect: rating is exact, so rating the sums equals rating the
 * rows, spec §1); each invoiced customer's sums then go to the rate engine.
 *
 * Not for: numbering or freezing invoices, or printing them.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *cluster_name(const struct config_period *cfg, const char *id)
{
	size_t i;
	if (!id)
		return NULL;
	for (i = 0; i < cfg->ntax_clusters; i++)
		if (!strcmp(cfg->tax_clusters[i].id, id))
			return cfg->tax_clusters[i].name;
	return NULL;
}

/* Issue 13: every invoiced customer (of only, or all) in a currency
 * without an exchange rate for the period, at once — not only the first,
 * so one round of `fx set` fixes them all (the message: report_int.h). */
static int check_fx(const struct report_cfg *rc, size_t only, struct rb_err *err)
{
	const struct config_period *cfg = rc->cfg;
	size_t i, nc = cfg->ncustomers;
	unsigned char *missing = xcalloc(nc + 1, 1);
	int ret;

	for (i = 0; i < nc; i++) {
		const struct config_customer *c = &cfg->customers[i];
		missing[i] = !((only != REPORT_NOBODY && i != only) || !report_cfg_invoiced(rc, i) ||
		    !c->currency || !strcmp(c->currency, "USD") || c->has_fx);
	}
	ret = report_fx_missing(cfg, missing, "", "", err);
	free(missing);
	return ret;
}

int report_fx_missing(const struct config_period *cfg, const unsigned char *missing,
	const char *why_one, const char *why_many, struct rb_err *err)
{
	size_t i, k = 0, n = 0, shown = 0, nc = cfg->ncustomers;
	char msg[sizeof(err->msg)], pb[PERIOD_BUFSZ], *done;
	const char *cur = NULL;
	size_t len, room = 32 + strlen(why_many);

	for (i = 0; i < nc; i++)
		if (missing[i]) {
			n++;
			k = i;
		}
	if (n == 0)
		return 0;
	period_format(pb, cfg->period);
	if (n == 1)
		return rb_err_set(err, RB_EINPUT, "customer '%s' has no %s exchange rate for %s%s",
			cfg->customers[k].id, cfg->customers[k].currency, pb, why_one);
	len = (size_t)snprintf(msg, sizeof(msg), "%zu customers have no exchange rate for %s:", n, pb);
	done = xcalloc(nc, 1);
	/* currencies in order: each round takes the smallest currency left */
	for (;;) {
		const char *next = NULL;
		for (i = 0; i < nc; i++) {
			const struct config_customer *c = &cfg->customers[i];
			if (done[i] || !missing[i])
				continue;
			if (!next || strcmp(c->currency, next) < 0)
				next = c->currency;
		}
		if (!next)
			break;
		for (i = 0; i < nc; i++) {
			const struct config_customer *c = &cfg->customers[i];
			int w;
			if (done[i] || !missing[i] || strcmp(c->currency, next))
				continue;
			done[i] = 1;
			{
				int same = cur && !strcmp(cur, next);
				w = snprintf(msg + len, sizeof(msg) - len, "%s%s%s'%s'",
					!cur ? " " : same ? ", " : "; ", same ? "" : next, same ? "" : " ", c->id);
			}
			/* keep room for " and N more" and why_many */
			if (w < 0 || len + (size_t)w + room >= sizeof(msg))
				break;
			len += (size_t)w;
			cur = next;
			shown++;
		}
		if (i < nc)
			break;
	}
	free(done);
	if (shown < n)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, " and %zu more", n - shown);
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "%s", why_many);
	return rb_err_set(err, RB_EINPUT, "%s", msg);
}

static int build(struct report_invoices **out, struct store *s, int period,
	const char *customer, const struct report_fx_pin *pins, size_t npins, int explain,
	struct rb_err *err);

int report_invoices(struct report_invoices **out, struct store *s, int period,
	const char *customer, struct rb_err *err)
{
	return build(out, s, period, customer, NULL, 0, 0, err);
}

int report_invoices_explain(struct report_invoices **out, struct store *s, int period,
	const char *customer, struct rb_err *err)
{
	return build(out, s, period, customer, NULL, 0, 1, err);
}

int report_invoices_pinned(struct report_invoices **out, struct store *s, int period,
	const char *customer, const struct report_fx_pin *pins, size_t npins,
	struct rb_err *err)
{
	return build(out, s, period, customer, pins, npins, 0, err);
}

static int build(struct report_invoices **out, struct store *s, int period,
	const char *customer, const struct report_fx_pin *pins, size_t npins, int explain,
	struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct report_invoices *r = NULL;
	struct report_split sp = { 0 };
	unsigned char *rated = NULL;
	size_t i, nc, only = REPORT_NOBODY;
	int ret;

	*out = NULL;
	if ((ret = report_cfg_load(&rc, s, period, customer ? 0 : REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	nc = rc.cfg->ncustomers;
	if (pins && !customer)
		rated = xcalloc(nc ? nc : 1, 1);
	for (i = 0; i < npins; i++) {
		size_t k;
		for (k = 0; k < nc; k++)
			if (!strcmp(rc.cfg->customers[k].id, pins[i].customer)) {
				rc.cfg->customers[k].fx = pins[i].fx;
				rc.cfg->customers[k].has_fx = 1;
				break;
			}
		if (rated && k == nc) {
			ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", pins[i].customer);
			goto cleanup;
		}
		if (rated)
			rated[k] = 1;
	}
	rc.rated = rated;
	if (customer) {
		for (i = 0; i < nc; i++)
			if (!strcmp(rc.cfg->customers[i].id, customer))
				break;
		if (i == nc) {
			ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
			goto cleanup;
		}
		only = i;
	}
	if ((ret = report_collect(&agg, s, &rc, only, report_threads(&rc), err)) < 0)
		goto cleanup;

	report_split(&sp, &agg, nc);
	/* after the facts: a customer whose costs are in its own currency
	 * needs no exchange rate (issue 8) */
	if ((ret = report_cost_currencies(&rc, &sp, only, err)) < 0 ||
	    (ret = check_fx(&rc, only, err)) < 0)
		goto cleanup;

	r = xcalloc(1, sizeof(*r));
	r->period = period;
	r->items = xcalloc(nc ? nc : 1, sizeof(r->items[0]));
	for (i = 0; i < nc; i++) {
		const struct config_holdings *h = &rc.cfg->holdings[i];
		struct report_invoice *it;
		if ((only != REPORT_NOBODY && i != only) || !report_cfg_invoiced(&rc, i))
			continue;
		it = &r->items[r->n];
		ret = rate_invoice_build(&it->inv, &rc.cfg->customers[i], period,
			sp.facts + sp.start[i], sp.start[i + 1] - sp.start[i], rate_accounts_holds, &rc.holds[i],
			h->custom_lines, h->ncustom_lines, err);
		if (ret < 0)
			goto cleanup;
		r->n++;
		if (explain) {
			it->explain = xcalloc(1, sizeof(*it->explain));
			ret = rate_invoice_explain(it->explain, &rc.cfg->customers[i],
				sp.facts + sp.start[i], sp.start[i + 1] - sp.start[i],
				rate_accounts_holds, &rc.holds[i], err);
			if (ret < 0)
				goto cleanup;
		}
		it->customer = &rc.cfg->customers[i];
		it->tax_cluster_name = cluster_name(rc.cfg, rc.cfg->customers[i].tax_cluster);
	}
	r->cfg = rc.cfg;
	rc.cfg = NULL;
	*out = r;
	r = NULL;
	ret = 0;
cleanup:
	report_invoices_free(r);
	report_cfg_release(&rc);
	report_agg_release(&agg);
	report_split_release(&sp);
	free(rated);
	return ret;
}

void report_invoices_free(struct report_invoices *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		rate_invoice_free(r->items[i].inv);
		rate_explain_release(r->items[i].explain);
		free(r->items[i].explain);
	}
	free(r->items);
	config_period_free(r->cfg);
	free(r);
}
