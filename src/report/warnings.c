/*
 * warnings.c: what an invoice preview should say before anyone trusts it
 * (issue 13) — a period with no CUR data at all, a customer whose accounts
 * have no rows in it, an assigned account no import ever held, a rule
 * whose service, usage type, region, account or line item type no imported
 * data holds (a typo that silently matches nothing), an FX rate that moved
 * more than 20 % from the month before (an inverted rate). Warnings, not
 * errors: each may be intended.
 *
 * Not for: building the invoices (invoices.c).
 */
#include "report/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/store_config.h"
#include "store/store_period.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

__attribute__((format(printf, 2, 3)))
static void warn(struct report_warnings *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->msgs = xreallocarray(w->msgs, w->n + 1, sizeof(*w->msgs));
	w->msgs[w->n++] = xstrdup(msg);
}

/* The accounts a preview asks about, sorted and unique, with what the
 * store said of each. */
struct acct_set {
	const char **v;
	unsigned char *now, *ever;
	size_t n, alloc;
};

static void acct_add(struct acct_set *a, const char *id)
{
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 64;
		a->v = xreallocarray(a->v, a->alloc, sizeof(*a->v));
	}
	a->v[a->n++] = id;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorts and dedupes a, then asks the store about every account once. */
static int acct_resolve(struct acct_set *a, int *any, struct store *s, int period,
	struct rb_err *err)
{
	size_t i, m = 0;

	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_str);
	for (i = 0; i < a->n; i++)
		if (!m || strcmp(a->v[m - 1], a->v[i]))
			a->v[m++] = a->v[i];
	a->n = m;
	a->now = xcalloc(m + 1, 1);
	a->ever = xcalloc(m + 1, 1);
	return store_accounts_seen(any, a->now, a->ever, a->v, m, s, period, err);
}

/* What the store said of id (one of the accounts added): *now, *ever. */
static void acct_get(const struct acct_set *a, const char *id, int *now, int *ever)
{
	const char **p = a->n ? bsearch(&id, a->v, a->n, sizeof(*a->v), cmp_str) : NULL;
	*now = p && a->now[p - a->v];
	*ever = p && a->ever[p - a->v];
}

static void acct_release(struct acct_set *a)
{
	free(a->v);
	free(a->now);
	free(a->ever);
}

/* The questions about the values rule r names, in check_rules' order. */
static size_t rule_queries(struct store_seen_query *q, const struct config_rule *r)
{
	size_t n = 0;
	if (r->service)
		q[n++] = (struct store_seen_query){ STORE_SEEN_SERVICE, r->service, NULL, 0 };
	if (r->usage_type)
		q[n++] = (struct store_seen_query){ STORE_SEEN_USAGE_TYPE, r->usage_type,
			rate_glob_match, 0 };
	if (r->region)
		q[n++] = (struct store_seen_query){ STORE_SEEN_REGION, r->region, NULL, 0 };
	if (r->line_item_type)
		q[n++] = (struct store_seen_query){ STORE_SEEN_LINE_ITEM_TYPE, r->line_item_type,
			NULL, 0 };
	return n;
}

/* Rules of plan p that name something no imported data holds; q holds the
 * answers to rule_queries of its rules in order. */
static void check_rules(struct report_warnings *w, const struct config_plan *p,
	const struct store_seen_query *q, const struct acct_set *accts)
{
	size_t k;

	for (k = 0; k < p->nrules; k++) {
		const struct config_rule *r = &p->rules[k];
		int now, ever;
		if (r->service && !(q++)->seen)
			warn(w, "plan '%s', rule %zu: service '%s' is in no imported data; the rule"
				" matches nothing", p->id, k + 1, r->service);
		if (r->usage_type && !(q++)->seen)
			warn(w, "plan '%s', rule %zu: usage type '%s' matches no imported usage type;"
				" the rule matches nothing", p->id, k + 1, r->usage_type);
		if (r->region && !(q++)->seen)
			warn(w, "plan '%s', rule %zu: region '%s' is in no imported data; the rule"
				" matches nothing", p->id, k + 1, r->region);
		if (r->line_item_type && !(q++)->seen)
			warn(w, "plan '%s', rule %zu: line item type '%s' is in no imported data; the"
				" rule matches nothing", p->id, k + 1, r->line_item_type);
		if (r->account) {
			acct_get(accts, r->account, &now, &ever);
			if (!ever)
				warn(w, "plan '%s', rule %zu: account %s is in no imported data; the rule"
					" matches nothing", p->id, k + 1, r->account);
		}
	}
}

/* The rate of currency in period in the document's fx list, or -1. */
static rb_i128 fx_of(json_t *doc, const char *period, const char *currency)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(doc, "fx"), i, e) {
		const char *p = json_string_value(json_object_get(e, "period"));
		const char *c = json_string_value(json_object_get(e, "currency"));
		const char *r = json_string_value(json_object_get(e, "rate"));
		rb_i128 v;
		if (p && c && r && !strcmp(p, period) && !strcmp(c, currency) &&
		    dec_parse(&v, r, strlen(r), DEC_FACTOR_DIGITS) == DEC_OK)
			return v;
	}
	return -1;
}

/* Whether customer c is previewed: of the filter, and invoiced. */
static int previewed(const struct config_customer *c, const struct config_holdings *h,
	const char *customer)
{
	return (!customer || !strcmp(c->id, customer)) && (h->naccounts || h->ncustom_lines);
}

int report_preview_warnings(struct report_warnings *out, struct store *s, int period,
	const char *customer, struct rb_err *err)
{
	struct config_period *cfg = NULL;
	struct acct_set accts = { 0 };
	struct store_seen_query *q = NULL, *qp;
	size_t nq = 0, i, k;
	json_t *doc = NULL;
	char pb[PERIOD_BUFSZ], prev[PERIOD_BUFSZ];
	unsigned char *plan_used = NULL;
	int ret, any = 0;

	memset(out, 0, sizeof(*out));
	period_format(pb, period);
	period_format(prev, period - 1);
	if ((ret = store_config_load(s, period, &cfg, err)) < 0 ||
	    (ret = store_config_export(&doc, s, err)) < 0)
		goto cleanup;
	/* first what to ask the store: every account and rule value in play */
	plan_used = xcalloc(cfg->nplans + 1, 1);
	for (i = 0; i < cfg->ncustomers; i++) {
		const struct config_customer *c = &cfg->customers[i];
		const struct config_holdings *h = &cfg->holdings[i];
		if (!previewed(c, h, customer))
			continue;
		for (k = 0; c->plan && k < cfg->nplans; k++)
			if (&cfg->plans[k] == c->plan)
				plan_used[k] = 1;
		for (k = 0; k < h->naccounts; k++)
			acct_add(&accts, h->accounts[k]);
	}
	for (k = 0; k < cfg->nplans; k++)
		for (i = 0; plan_used[k] && i < cfg->plans[k].nrules; i++)
			nq += 4;
	q = xcalloc(nq + 1, sizeof(*q));
	for (k = 0, nq = 0; k < cfg->nplans; k++)
		for (i = 0; plan_used[k] && i < cfg->plans[k].nrules; i++) {
			nq += rule_queries(q + nq, &cfg->plans[k].rules[i]);
			if (cfg->plans[k].rules[i].account)
				acct_add(&accts, cfg->plans[k].rules[i].account);
		}
	if ((ret = acct_resolve(&accts, &any, s, period, err)) < 0 ||
	    (ret = store_values_seen(q, nq, s, err)) < 0)
		goto cleanup;
	if (!any)
		warn(out, "no CUR data is imported for %s: its invoices hold only fees and custom"
			" lines", pb);
	for (i = 0; i < cfg->ncustomers; i++) {
		const struct config_customer *c = &cfg->customers[i];
		const struct config_holdings *h = &cfg->holdings[i];
		size_t idle = 0;
		int now, ever;

		if (!previewed(c, h, customer))
			continue;   /* no invoice for the period */
		for (k = 0; k < h->naccounts; k++) {
			acct_get(&accts, h->accounts[k], &now, &ever);
			if (!ever)
				warn(out, "customer '%s': assigned account %s is in no imported data"
					" (a typo, or not imported yet?)", c->id, h->accounts[k]);
			else if (!now)
				idle++;
		}
		if (any && idle == h->naccounts && h->naccounts)
			warn(out, "customer '%s': none of its %zu account%s has rows in %s", c->id,
				h->naccounts, h->naccounts == 1 ? "" : "s", pb);
		else if (any && idle)
			for (k = 0; k < h->naccounts; k++) {
				acct_get(&accts, h->accounts[k], &now, &ever);
				if (ever && !now)
					warn(out, "customer '%s': account %s has no rows in %s", c->id,
						h->accounts[k], pb);
			}
		if (c->has_fx && strcmp(c->currency, "USD")) {
			rb_i128 was = fx_of(doc, prev, c->currency);
			rb_i128 diff = c->fx - was;
			if (diff < 0)
				diff = -diff;
			/* |new − old| > 20 % of old, exactly: 5 × |new − old| > old */
			if (was > 0 && diff * 5 > was) {
				char a[DEC_BUFSZ], b[DEC_BUFSZ];
				dec_format_min(a, sizeof(a), was, DEC_FACTOR_DIGITS);
				dec_format_min(b, sizeof(b), c->fx, DEC_FACTOR_DIGITS);
				warn(out, "customer '%s': the %s rate for %s (%s) moved more than 20%% from"
					" %s's (%s); an inverted rate?", c->id, c->currency, pb, b, prev, a);
			}
		}
	}
	for (k = 0, qp = q; k < cfg->nplans; k++)
		if (plan_used[k]) {
			check_rules(out, &cfg->plans[k], qp, &accts);
			for (i = 0; i < cfg->plans[k].nrules; i++) {
				struct store_seen_query tmp[4];
				qp += rule_queries(tmp, &cfg->plans[k].rules[i]);
			}
		}
	ret = 0;
cleanup:
	free(plan_used);
	free(q);
	acct_release(&accts);
	json_decref(doc);
	config_period_free(cfg);
	if (ret < 0)
		report_warnings_release(out);
	return ret;
}

void report_warnings_release(struct report_warnings *w)
{
	size_t i;
	for (i = 0; i < w->n; i++)
		free(w->msgs[i]);
	free(w->msgs);
	memset(w, 0, sizeof(*w));
}
