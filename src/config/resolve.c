/*
 * resolve.c: the canonical configuration document as the structs of
 * config.h for one period (config_resolve): the effective-dated
 * assignments, FX rate and custom lines of the period. The document was
 * validated when written, so only a damaged one fails here.
 *
 * Not for: validation (check.c) or rating (src/rate).
 */
#include "config/config.h"

#include <stdlib.h>
#include <string.h>

#include "util/decimal.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

static char *dupj(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? xstrdup(s) : NULL;
}

/* A stored decimal (canonical, validated) at DEC_FACTOR_DIGITS. */
static int decj(rb_i128 *out, const json_t *o, const char *key, rb_i128 def, struct rb_err *err)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s) {
		*out = def;
		return 0;
	}
	if (dec_parse_strict(out, s, strlen(s), DEC_FACTOR_DIGITS, DEC_FACTOR_DIGITS) != DEC_OK)
		return rb_err_set(err, RB_EIO, "stored configuration value '%s' of %s is not a decimal",
			s, key);
	return 0;
}

static int load_plan(struct config_plan *p, const json_t *o, struct rb_err *err)
{
	const json_t *rules = json_object_get(o, "rules"), *fees = json_object_get(o, "fees");
	json_t *disc = json_object_get(o, "discounts");  /* non-const: json_object_foreach */
	const json_t *e;
	const char *key;
	size_t i;
	int rc;

	p->id = dupj(o, "id");
	p->basis = (enum config_basis)config_basis_from_name(json_string_value(json_object_get(o, "basis")));
	if ((rc = decj(&p->markup_pct, o, "markup_pct", 0, err)) < 0 ||
	    (rc = decj(&p->credits, o, "credits", dec_pow10(DEC_FACTOR_DIGITS), err)) < 0)
		return rc;
	p->refunds_pass = strcmp(json_string_value(json_object_get(o, "refunds")), "withhold") != 0;
	p->tax_pass = !strcmp(json_string_value(json_object_get(o, "tax")), "pass");
	p->nrules = json_array_size(rules);
	p->rules = xcalloc(p->nrules + 1, sizeof(*p->rules));
	json_array_foreach(rules, i, e) {
		struct config_rule *r = &p->rules[i];
		r->service = dupj(e, "service");
		r->usage_type = dupj(e, "usage_type");
		r->region = dupj(e, "region");
		r->account = dupj(e, "account");
		r->line_item_type = dupj(e, "line_item_type");
		r->exclude = json_is_true(json_object_get(e, "exclude"));
		r->has_markup = json_object_get(e, "markup_pct") != NULL;
		if ((rc = decj(&r->markup_pct, e, "markup_pct", 0, err)) < 0)
			return rc;
	}
	p->ndiscounts = json_object_size(disc);
	p->discounts = xcalloc(p->ndiscounts + 1, sizeof(*p->discounts));
	i = 0;
	json_object_foreach(disc, key, e) {
		p->discounts[i].type = xstrdup(key);
		if ((rc = decj(&p->discounts[i].factor, disc, key, 0, err)) < 0)
			return rc;
		i++;
	}
	p->nfees = json_array_size(fees);
	p->fees = xcalloc(p->nfees + 1, sizeof(*p->fees));
	json_array_foreach(fees, i, e) {
		struct config_fee *f = &p->fees[i];
		f->type = (enum config_fee_type)config_fee_type_from_name(json_string_value(json_object_get(e, "type")));
		f->has_min = json_object_get(e, "min") != NULL;
		f->has_max = json_object_get(e, "max") != NULL;
		f->description = dupj(e, "description");
		if ((rc = decj(&f->amount, e, "amount", 0, err)) < 0 ||
		    (rc = decj(&f->pct, e, "pct", 0, err)) < 0 ||
		    (rc = decj(&f->min, e, "min", 0, err)) < 0 ||
		    (rc = decj(&f->max, e, "max", 0, err)) < 0)
			return rc;
	}
	return 0;
}

const char *config_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int config_span_covers(const char *from, const char *to, int period)
{
	int p;
	if (from && (period_parse(&p, from, strlen(from)) < 0 || p > period))
		return 0;
	if (to && (period_parse(&p, to, strlen(to)) < 0 || p < period))
		return 0;
	return 1;
}

int config_assignment_covers(const json_t *a, int period)
{
	return config_span_covers(json_string_value(json_object_get(a, "from")),
		json_string_value(json_object_get(a, "to")), period);
}

const json_t *config_account_holder(const json_t *doc, const char *account, int period)
{
	const json_t *e, *a;
	size_t i, k;
	json_array_foreach(json_object_get(doc, "customers"), i, e)
		json_array_foreach(json_object_get(e, "accounts"), k, a) {
			const char *id = json_string_value(json_object_get(a, "id"));
			if (id && !strcmp(id, account) && config_assignment_covers(a, period))
				return e;
		}
	return NULL;
}

static int cmp_holder(const void *a, const void *b)
{
	return strcmp(((const struct config_holder *)a)->account,
		((const struct config_holder *)b)->account);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int config_resolve(struct config_period **out, const json_t *doc, int period,
	struct rb_err *err)
{
	struct config_period *c = xcalloc(1, sizeof(*c));
	const json_t *arr, *e, *a;
	char pbuf[PERIOD_BUFSZ];
	size_t i, k, j;
	int rc = 0;

	*out = NULL;
	c->period = period;
	period_format(pbuf, period);

	arr = json_object_get(doc, "tax_clusters");
	c->ntax_clusters = json_array_size(arr);
	c->tax_clusters = xcalloc(c->ntax_clusters + 1, sizeof(*c->tax_clusters));
	json_array_foreach(arr, i, e) {
		struct config_tax_cluster *t = &c->tax_clusters[i];
		t->id = dupj(e, "id");
		t->name = dupj(e, "name");
		t->note = dupj(e, "note");
		if ((rc = decj(&t->rate_pct, e, "rate_pct", 0, err)) < 0)
			goto cleanup;
	}

	arr = json_object_get(doc, "plans");
	c->nplans = json_array_size(arr);
	c->plans = xcalloc(c->nplans + 1, sizeof(*c->plans));
	json_array_foreach(arr, i, e)
		if ((rc = load_plan(&c->plans[i], e, err)) < 0)
			goto cleanup;

	arr = json_object_get(doc, "customers");
	c->ncustomers = json_array_size(arr);
	c->customers = xcalloc(c->ncustomers + 1, sizeof(*c->customers));
	c->holdings = xcalloc(c->ncustomers + 1, sizeof(*c->holdings));
	json_array_foreach(arr, i, e) {
		struct config_customer *cu = &c->customers[i];
		struct config_holdings *h = &c->holdings[i];
		const char *plan = json_string_value(json_object_get(e, "plan"));
		const json_t *fx, *f;
		size_t fi;

		cu->id = dupj(e, "id");
		cu->name = dupj(e, "name");
		cu->currency = dupj(e, "currency");
		cu->minor = config_currency_minor(cu->currency);
		for (k = 0; k < c->nplans; k++)
			if (!strcmp(c->plans[k].id, plan))
				cu->plan = &c->plans[k];
		cu->tax_cluster = dupj(e, "tax_cluster");
		for (k = 0; cu->tax_cluster && k < c->ntax_clusters; k++)
			if (!strcmp(c->tax_clusters[k].id, cu->tax_cluster))
				cu->tax_rate_pct = c->tax_clusters[k].rate_pct;
		cu->grouping = (enum config_grouping)config_grouping_from_name(
			json_string_value(json_object_get(e, "grouping")));
		if (!strcmp(cu->currency, "USD")) {
			cu->has_fx = 1;
			cu->fx = dec_pow10(DEC_FACTOR_DIGITS);
		}
		fx = json_object_get(doc, "fx");
		json_array_foreach(fx, fi, f) {
			if (strcmp(json_string_value(json_object_get(f, "period")), pbuf) ||
			    strcmp(json_string_value(json_object_get(f, "currency")), cu->currency))
				continue;
			if ((rc = decj(&cu->fx, f, "rate", 0, err)) < 0)
				goto cleanup;
			cu->has_fx = 1;
		}
		json_array_foreach(json_object_get(e, "accounts"), k, a) {
			if (!config_assignment_covers(a, period))
				continue;
			h->accounts = xreallocarray(h->accounts, h->naccounts + 1, sizeof(char *));
			h->accounts[h->naccounts++] = dupj(a, "id");
			c->holders = xreallocarray(c->holders, c->nholders + 1, sizeof(*c->holders));
			c->holders[c->nholders].account = dupj(a, "id");
			c->holders[c->nholders].customer = i;
			c->nholders++;
		}
		if (h->naccounts > 1)
			qsort(h->accounts, h->naccounts, sizeof(char *), cmp_str);
		json_array_foreach(json_object_get(doc, "custom_lines"), k, a) {
			struct config_custom_line *l;
			if (strcmp(json_string_value(json_object_get(a, "customer")), cu->id) ||
			    strcmp(json_string_value(json_object_get(a, "period")), pbuf))
				continue;
			h->custom_lines = xreallocarray(h->custom_lines, h->ncustom_lines + 1,
				sizeof(*h->custom_lines));
			l = &h->custom_lines[h->ncustom_lines++];
			l->description = dupj(a, "description");
			if ((rc = decj(&l->amount, a, "amount", 0, err)) < 0)
				goto cleanup;
		}
	}
	if (c->nholders > 1)
		qsort(c->holders, c->nholders, sizeof(*c->holders), cmp_holder);
	for (j = 1; j < c->nholders; j++)
		if (!strcmp(c->holders[j - 1].account, c->holders[j].account)) {
			rc = rb_err_set(err, RB_EIO, "stored configuration assigns account %s twice in %s",
				c->holders[j].account, pbuf);
			goto cleanup;
		}
	*out = c;
	c = NULL;
cleanup:
	config_period_free(c);
	return rc;
}

const struct config_customer *config_period_holder(const struct config_period *cfg,
	const char *account)
{
	struct config_holder key, *h;
	if (!cfg || !cfg->nholders)
		return NULL;
	key.account = (char *)account;
	key.customer = 0;
	h = bsearch(&key, cfg->holders, cfg->nholders, sizeof(*cfg->holders), cmp_holder);
	return h ? &cfg->customers[h->customer] : NULL;
}

static void plan_release(struct config_plan *p)
{
	size_t i;
	free(p->id);
	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].service);
		free(p->rules[i].usage_type);
		free(p->rules[i].region);
		free(p->rules[i].account);
		free(p->rules[i].line_item_type);
	}
	free(p->rules);
	for (i = 0; i < p->ndiscounts; i++)
		free(p->discounts[i].type);
	free(p->discounts);
	for (i = 0; i < p->nfees; i++)
		free(p->fees[i].description);
	free(p->fees);
}

void config_period_free(struct config_period *cfg)
{
	size_t i, k;
	if (!cfg)
		return;
	for (i = 0; i < cfg->ntax_clusters; i++) {
		free(cfg->tax_clusters[i].id);
		free(cfg->tax_clusters[i].name);
		free(cfg->tax_clusters[i].note);
	}
	free(cfg->tax_clusters);
	for (i = 0; i < cfg->nplans; i++)
		plan_release(&cfg->plans[i]);
	free(cfg->plans);
	for (i = 0; i < cfg->ncustomers; i++) {
		struct config_customer *cu = &cfg->customers[i];
		struct config_holdings *h = &cfg->holdings[i];
		free(cu->id);
		free(cu->name);
		free(cu->currency);
		free(cu->tax_cluster);
		for (k = 0; k < h->naccounts; k++)
			free(h->accounts[k]);
		free(h->accounts);
		for (k = 0; k < h->ncustom_lines; k++)
			free(h->custom_lines[k].description);
		free(h->custom_lines);
	}
	free(cfg->customers);
	free(cfg->holdings);
	for (i = 0; i < cfg->nholders; i++)
		free(cfg->holders[i].account);
	free(cfg->holders);
	free(cfg);
}
