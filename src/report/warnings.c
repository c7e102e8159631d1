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
#include "store/store_facts.h"
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

static int in_array(json_t *a, const char *s)
{
	json_t *v;
	size_t i;
	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static int glob_in_array(json_t *a, const char *pattern)
{
	json_t *v;
	size_t i;
	json_array_foreach(a, i, v)
		if (rate_glob_match(pattern, json_string_value(v)))
			return 1;
	return 0;
}

static int account_seen(const struct store_account_info *a, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(a[i].account, id))
			return 1;
	return 0;
}

/* Rules of plan p that name something no imported data holds. */
static void check_rules(struct report_warnings *w, const struct config_plan *p, json_t *seen,
	const struct store_account_info *all, size_t nall)
{
	size_t k;

	for (k = 0; k < p->nrules; k++) {
		const struct config_rule *r = &p->rules[k];
		if (r->service && !in_array(json_object_get(seen, "product_code"), r->service))
			warn(w, "plan '%s', rule %zu: service '%s' is in no imported data; the rule"
				" matches nothing", p->id, k + 1, r->service);
		if (r->usage_type && !glob_in_array(json_object_get(seen, "usage_type"), r->usage_type))
			warn(w, "plan '%s', rule %zu: usage type '%s' matches no imported usage type;"
				" the rule matches nothing", p->id, k + 1, r->usage_type);
		if (r->region && !in_array(json_object_get(seen, "region"), r->region))
			warn(w, "plan '%s', rule %zu: region '%s' is in no imported data; the rule"
				" matches nothing", p->id, k + 1, r->region);
		if (r->line_item_type &&
		    !in_array(json_object_get(seen, "line_item_type"), r->line_item_type))
			warn(w, "plan '%s', rule %zu: line item type '%s' is in no imported data; the"
				" rule matches nothing", p->id, k + 1, r->line_item_type);
		if (r->account && !account_seen(all, nall, r->account))
			warn(w, "plan '%s', rule %zu: account %s is in no imported data; the rule"
				" matches nothing", p->id, k + 1, r->account);
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

int report_preview_warnings(struct report_warnings *out, struct store *s, int period,
	const char *customer, struct rb_err *err)
{
	struct config_period *cfg = NULL;
	struct store_account_info *now = NULL, *all = NULL;
	size_t nnow = 0, nall = 0, i, k;
	json_t *seen = NULL, *doc = NULL;
	char pb[PERIOD_BUFSZ], prev[PERIOD_BUFSZ];
	unsigned char *plan_used = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	period_format(pb, period);
	period_format(prev, period - 1);
	if ((ret = store_config_load(s, period, &cfg, err)) < 0 ||
	    (ret = store_config_export(&doc, s, err)) < 0 ||
	    (ret = store_accounts(&now, &nnow, s, period, err)) < 0 ||
	    (ret = store_accounts(&all, &nall, s, -1, err)) < 0 ||
	    (ret = store_seen_values(&seen, s, err)) < 0)
		goto cleanup;
	if (!nnow)
		warn(out, "no CUR data is imported for %s: its invoices hold only fees and custom"
			" lines", pb);
	plan_used = xcalloc(cfg->nplans + 1, 1);
	for (i = 0; i < cfg->ncustomers; i++) {
		const struct config_customer *c = &cfg->customers[i];
		const struct config_holdings *h = &cfg->holdings[i];
		size_t idle = 0;

		if (customer && strcmp(c->id, customer))
			continue;
		if (!h->naccounts && !h->ncustom_lines)
			continue;   /* no invoice for the period */
		for (k = 0; c->plan && k < cfg->nplans; k++)
			if (&cfg->plans[k] == c->plan)
				plan_used[k] = 1;
		for (k = 0; k < h->naccounts; k++) {
			if (!account_seen(all, nall, h->accounts[k]))
				warn(out, "customer '%s': assigned account %s is in no imported data"
					" (a typo, or not imported yet?)", c->id, h->accounts[k]);
			else if (!account_seen(now, nnow, h->accounts[k]))
				idle++;
		}
		if (nnow && idle == h->naccounts && h->naccounts)
			warn(out, "customer '%s': none of its %zu account%s has rows in %s", c->id,
				h->naccounts, h->naccounts == 1 ? "" : "s", pb);
		else if (nnow && idle)
			for (k = 0; k < h->naccounts; k++)
				if (account_seen(all, nall, h->accounts[k]) &&
				    !account_seen(now, nnow, h->accounts[k]))
					warn(out, "customer '%s': account %s has no rows in %s", c->id,
						h->accounts[k], pb);
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
	for (k = 0; k < cfg->nplans; k++)
		if (plan_used[k])
			check_rules(out, &cfg->plans[k], seen, all, nall);
	ret = 0;
cleanup:
	free(plan_used);
	store_accounts_free(now, nnow);
	store_accounts_free(all, nall);
	json_decref(seen);
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
