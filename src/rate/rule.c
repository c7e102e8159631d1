/*
 * rule.c: which configuration applies to a fact — the usage_type glob, the
 * most specific markup rule, discount factors by type, and the sorted
 * account set used by the purchaser basis. Pure lookups; the money itself
 * is computed in bill.c.
 */
#include "rate/rate.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int rate_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	if (!p)
		p = "";
	if (!s)
		s = "";
	/* Greedy with one backtrack point: on a mismatch after a '*', let that
	 * star swallow one more character. Later stars make earlier backtrack
	 * points unnecessary, so this is linear in practice and always correct. */
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p && *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The number of match fields of r set, or -1 when r does not match f. */
static int rule_score(const struct config_rule *r, const struct cur_fact *f)
{
	int n = 0;

	if (r->service) {
		if (strcmp(r->service, nz(f->product_code)))
			return -1;
		n++;
	}
	if (r->region) {
		if (strcmp(r->region, nz(f->region)))
			return -1;
		n++;
	}
	if (r->account) {
		if (strcmp(r->account, nz(f->account)))
			return -1;
		n++;
	}
	if (r->line_item_type) {
		if (strcmp(r->line_item_type, nz(f->line_item_type)))
			return -1;
		n++;
	}
	if (r->usage_type) { /* last: the only test that is not a plain compare */
		if (!rate_glob_match(r->usage_type, nz(f->usage_type)))
			return -1;
		n++;
	}
	return n;
}

int rate_rule_find(const struct config_plan *plan, const struct cur_fact *f)
{
	size_t i;
	int best = -1, best_score = -1, score;

	for (i = 0; i < plan->nrules; i++) {
		score = rule_score(&plan->rules[i], f);
		/* strictly greater: on a tie the earlier rule stays */
		if (score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

rb_i128 rate_discount_factor(const struct config_plan *plan, const char *type)
{
	size_t i;

	type = nz(type);
	for (i = 0; i < plan->ndiscounts; i++)
		if (plan->discounts[i].type && !strcmp(plan->discounts[i].type, type))
			return plan->discounts[i].factor;
	return strcmp(type, "BundledDiscount") ? 0 : dec_pow10(DEC_FACTOR_DIGITS);
}

static int cmp_id(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

int rate_accounts_holds(void *ctx, const char *account)
{
	const struct rate_accounts *set = ctx;

	if (!set || !set->n || !account)
		return 0;
	return bsearch(account, set->ids, set->n, sizeof(set->ids[0]), cmp_id) != NULL;
}

struct rate_accounts rate_config_accounts(const struct config_period *cfg, size_t customer)
{
	struct rate_accounts a;
	a.ids = (const char *const *)cfg->holdings[customer].accounts;
	a.n = cfg->holdings[customer].naccounts;
	return a;
}
