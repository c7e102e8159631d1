/*
 * edit.c: the edit verbs of the configuration document (see edit.h). They
 * change the document only; validating the result and storing it is the
 * caller's (store_config_edit runs config_normalize on it).
 *
 * Not for: parsing command lines or printing (src/cli).
 */
#include "config/edit.h"
#include "config/check.h"
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/utf8.h"
#include "util/banned.h"

const char *const config_customer_fields[] = { "name", "currency", "plan", "tax_cluster",
	"grouping", "email", "address", "vat_id", NULL };

/* An optional "YYYY-MM" argument of a verb. */
static int check_period(const char *what, const char *s, struct rb_err *err)
{
	int p;
	if (s && period_parse(&p, s, strlen(s)) < 0)
		return rb_err_set(err, RB_EUSAGE, "bad %s '%s' (expected YYYY-MM)", what, s);
	return 0;
}

static int check_account(const char *account, struct rb_err *err)
{
	if (!account || !config_account_ok(account))
		return rb_err_set(err, RB_EUSAGE, "bad account id '%s' (expected 12 digits)",
			account ? account : "");
	return 0;
}

/* Index of the entry of doc's section whose key equals s, or -1. */
static long find_entry(json_t *doc, const char *section, const char *key, const char *s)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(doc, section), i, e)
		if (!strcmp(config_str(e, key), s))
			return (long)i;
	return -1;
}

int config_assign_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_assign *a = arg;
	json_t *custs = json_object_get(*doc, "customers"), *e, *o, *acc;
	long i;
	int rc;

	if ((rc = check_account(a->account, err)) < 0 ||
	    (rc = check_period("--from", a->from, err)) < 0 ||
	    (rc = check_period("--to", a->to, err)) < 0)
		return rc;
	i = find_entry(*doc, "customers", "id", a->customer);
	if (i < 0)
		return rb_err_set(err, RB_EINPUT, "no customer '%s'", a->customer);
	/* Move the customer last and the new account to its end, so that an
	 * overlap is reported at the new assignment, not at the old one. */
	e = json_incref(json_array_get(custs, (size_t)i));
	json_array_remove(custs, (size_t)i);
	json_array_append_new(custs, e);
	acc = json_object_get(e, "accounts");
	if (!acc) {
		acc = json_array();
		json_object_set_new(e, "accounts", acc);
	}
	o = json_object();
	json_object_set_new(o, "id", json_string(a->account));
	if (a->from)
		json_object_set_new(o, "from", json_string(a->from));
	if (a->to)
		json_object_set_new(o, "to", json_string(a->to));
	if (a->tag)
		json_object_set_new(o, "split", json_pack("{s:s, s:s}", "tag", a->tag, "value",
			a->value ? a->value : ""));
	json_array_append_new(acc, o);
	snprintf(a->focus, sizeof(a->focus), "$.customers[%zu]", json_array_size(custs) - 1);
	return 0;
}

int config_unassign_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_unassign *a = arg;
	json_t *e, *acc, *o;
	size_t i, k;
	int from = -1, changed = 0, rc;
	char last[PERIOD_BUFSZ] = "";

	if ((rc = check_account(a->account, err)) < 0 ||
	    (rc = check_period("--from", a->from, err)) < 0)
		return rc;
	a->left[0] = '\0';
	if (a->from) {
		period_parse(&from, a->from, strlen(a->from));
		period_format(last, from - 1);
	}
	json_array_foreach(json_object_get(*doc, "customers"), i, e) {
		int hit = 0;
		acc = json_object_get(e, "accounts");
		for (k = 0; k < json_array_size(acc);) {
			const char *f, *t;
			int pf = -1, pt = -1;
			o = json_array_get(acc, k);
			if (strcmp(config_str(o, "id"), a->account) ||
			    (a->tag && (!json_object_get(o, "split") ||
				    strcmp(config_str(json_object_get(o, "split"), "tag"), a->tag) ||
				    strcmp(config_str(json_object_get(o, "split"), "value"),
					    a->value ? a->value : "")))) {
				k++;
				continue;
			}
			f = json_string_value(json_object_get(o, "from"));
			t = json_string_value(json_object_get(o, "to"));
			if (f)
				period_parse(&pf, f, strlen(f));
			if (t)
				period_parse(&pt, t, strlen(t));
			if (from < 0 || (pf >= 0 && pf >= from)) {
				json_array_remove(acc, k);
				hit = 1;
				continue;
			}
			if (pt < 0 || pt >= from) {
				json_object_set_new(o, "to", json_string(last));
				hit = 1;
			}
			k++;
		}
		if (hit) {
			size_t n = strlen(a->left);
			snprintf(a->left + n, sizeof(a->left) - n, "%s%s", n ? ", " : "", config_str(e, "id"));
			changed = 1;
		}
	}
	if (!changed && a->tag)
		return rb_err_set(err, RB_EINPUT, "account %s has no assignment for tag %s=%s%s%s",
			a->account, a->tag, a->value ? a->value : "", a->from ? " in or after " : "",
			a->from ? a->from : "");
	if (!changed)
		return rb_err_set(err, RB_EINPUT, "account %s is not assigned%s%s", a->account,
			a->from ? " in or after " : "", a->from ? a->from : "");
	return 0;
}

int config_fx_set_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_fx_set *c = arg;
	json_t *fx = json_object_get(*doc, "fx"), *e;
	size_t i;

	(void)err;
	c->was[0] = '\0';
	json_array_foreach(fx, i, e) {
		if (!strcmp(config_str(e, "period"), c->period) && !strcmp(config_str(e, "currency"), c->currency)) {
			snprintf(c->was, sizeof(c->was), "%s", config_str(e, "rate"));
			json_object_set_new(e, "rate", json_string(c->rate));
			snprintf(c->focus, sizeof(c->focus), "$.fx[%zu]", i);
			return 0;
		}
	}
	json_array_append_new(fx, json_pack("{s:s, s:s, s:s}", "period", c->period,
		"currency", c->currency, "rate", c->rate));
	snprintf(c->focus, sizeof(c->focus), "$.fx[%zu]", json_array_size(fx) - 1);
	return 0;
}

int config_fx_unset_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_fx_unset *c = arg;
	json_t *fx = json_object_get(*doc, "fx"), *e;
	size_t i;

	c->was[0] = '\0';
	json_array_foreach(fx, i, e) {
		if (!strcmp(config_str(e, "period"), c->period) &&
		    !strcmp(config_str(e, "currency"), c->currency)) {
			snprintf(c->was, sizeof(c->was), "%s", config_str(e, "rate"));
			json_array_remove(fx, i);
			return 0;
		}
	}
	return rb_err_set(err, RB_EINPUT, "no %s rate for %s", c->currency, c->period);
}

int config_customer_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_customer_change *c = arg;
	json_t *custs = json_object_get(*doc, "customers"), *o;
	long i = find_entry(*doc, "customers", "id", c->id);
	size_t f;

	/* jansson makes no string of text that is not UTF-8: it would be
	 * dropped, the change silently lost (issue 10). Refuse it here. */
	if (!utf8_valid(c->id, strlen(c->id), NULL))
		return rb_err_set(err, RB_EINPUT, "customer id is not valid UTF-8");
	for (f = 0; config_customer_fields[f]; f++)
		if (c->values[f] && !utf8_valid(c->values[f], strlen(c->values[f]), NULL))
			return rb_err_set(err, RB_EINPUT, "customer '%s': --%s is not valid UTF-8",
				c->id, config_customer_fields[f]);
	if (c->add && i >= 0)
		return rb_err_set(err, RB_EINPUT, "customer '%s' already exists (use 'rebill customer edit')", c->id);
	if (!c->add && i < 0)
		return rb_err_set(err, RB_EINPUT, "no customer '%s'", c->id);
	if (c->add) {
		o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "accounts", json_array());
		json_array_append_new(custs, o);
		i = (long)json_array_size(custs) - 1;
	} else {
		o = json_array_get(custs, (size_t)i);
	}
	for (f = 0; config_customer_fields[f]; f++) {
		if (!c->values[f])
			continue;
		if (c->values[f][0])
			json_object_set_new(o, config_customer_fields[f], json_string(c->values[f]));
		else
			json_object_del(o, config_customer_fields[f]);  /* "" clears an optional field */
	}
	snprintf(c->focus, sizeof(c->focus), "$.customers[%ld]", i);
	return 0;
}

/* ---- plans, rules, fees, tax clusters, custom lines, customer remove ---- */

const char *const config_plan_fields[] = { "basis", "currency", "markup_pct", "credits",
	"refunds", "tax", NULL };
const char *const config_rule_fields[] = { "service", "usage_type", "region", "account",
	"line_item_type", "markup_pct", NULL };
const char *const config_fee_fields[] = { "type", "amount", "pct", "min", "max",
	"description", NULL };
const char *const config_tax_cluster_fields[] = { "name", "rate_pct", "note", "category", NULL };

/* Every value given is UTF-8 (jansson would drop it: the change lost). */
static int check_utf8(const char *what, const char *const *fields, const char *const *values,
	struct rb_err *err)
{
	size_t f;
	for (f = 0; fields[f]; f++)
		if (values[f] && !utf8_valid(values[f], strlen(values[f]), NULL))
			return rb_err_set(err, RB_EINPUT, "%s: --%s is not valid UTF-8", what, fields[f]);
	return 0;
}

/* Sets each given field of o ("" removes it: the default, or unset). */
static void set_fields(json_t *o, const char *const *fields, const char *const *values)
{
	size_t f;
	for (f = 0; fields[f]; f++) {
		if (!values[f])
			continue;
		if (values[f][0])
			json_object_set_new(o, fields[f], json_string(values[f]));
		else
			json_object_del(o, fields[f]);
	}
}

/* The plan entry named plan, or NULL with err set. */
static json_t *plan_of(json_t *doc, const char *plan, long *idx, struct rb_err *err)
{
	long i = plan ? find_entry(doc, "plans", "id", plan) : -1;
	if (i < 0) {
		rb_err_set(err, RB_EINPUT, "no plan '%s'", plan ? plan : "");
		return NULL;
	}
	*idx = i;
	return json_array_get(json_object_get(doc, "plans"), (size_t)i);
}

/* A 1-based position "N" among n items: 0..n-1, or -1 when s is not one. */
static long position(const char *s, size_t n)
{
	unsigned long v = 0;
	const char *p = s;
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 1000000)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v >= 1 && v <= n ? (long)v - 1 : -2;
}

int config_plan_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_plan_change *c = arg;
	json_t *plans = json_object_get(*doc, "plans"), *o;
	long i;
	int rc;

	if (!c->id || !utf8_valid(c->id, strlen(c->id), NULL))
		return rb_err_set(err, RB_EINPUT, "plan id is not valid UTF-8");
	if ((rc = check_utf8("plan", config_plan_fields, c->values, err)) < 0)
		return rc;
	if (c->discounts && !utf8_valid(c->discounts, strlen(c->discounts), NULL))
		return rb_err_set(err, RB_EINPUT, "plan '%s': --discounts is not valid UTF-8", c->id);
	i = find_entry(*doc, "plans", "id", c->id);
	if (c->add && i >= 0)
		return rb_err_set(err, RB_EINPUT, "plan '%s' already exists (use 'rebill plan set')", c->id);
	if (!c->add && i < 0)
		return rb_err_set(err, RB_EINPUT, "no plan '%s'", c->id);
	if (c->add) {
		if (!plans) {
			plans = json_array();
			json_object_set_new(*doc, "plans", plans);
		}
		o = json_pack("{s:s}", "id", c->id);
		json_array_append_new(plans, o);
		i = (long)json_array_size(plans) - 1;
	} else {
		o = json_array_get(plans, (size_t)i);
	}
	set_fields(o, config_plan_fields, c->values);
	if (c->discounts) {
		/* TYPE=FACTOR,... merged; TYPE= drops the type; validation names
		 * an unknown type or a bad factor at its path */
		json_t *d = json_object_get(o, "discounts");
		const char *p = c->discounts;
		if (!json_is_object(d)) {
			d = json_object();
			json_object_set_new(o, "discounts", d);
		}
		while (*p) {
			const char *end = strchr(p, ','), *eq;
			size_t n = end ? (size_t)(end - p) : strlen(p);
			char key[128], val[128];
			eq = memchr(p, '=', n);
			if (!eq || eq == p || (size_t)(eq - p) >= sizeof(key) || n - (size_t)(eq - p) > sizeof(val))
				return rb_err_set(err, RB_EUSAGE, "bad --discounts '%s' (expected TYPE=FACTOR,...,"
					" e.g. SppDiscount=0,BundledDiscount=1)", c->discounts);
			snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
			snprintf(val, sizeof(val), "%.*s", (int)(n - (size_t)(eq - p) - 1), eq + 1);
			if (val[0])
				json_object_set_new(d, key, json_string(val));
			else
				json_object_del(d, key);
			p += n + (end ? 1 : 0);
		}
		if (!json_object_size(d))
			json_object_del(o, "discounts");
	}
	snprintf(c->focus, sizeof(c->focus), "$.plans[%ld]", i);
	return 0;
}

static int same_match(const json_t *a, const json_t *b)
{
	size_t k;
	for (k = 0; k < CONFIG_RULE_NMATCH; k++)
		if (strcmp(config_str(a, config_rule_fields[k]), config_str(b, config_rule_fields[k])))
			return 0;
	return 1;
}

void config_rule_describe(char *buf, size_t n, const json_t *rule)
{
	size_t k, len = 0;
	buf[0] = '\0';
	for (k = 0; k < CONFIG_RULE_NMATCH && len < n; k++) {
		const char *v = config_str(rule, config_rule_fields[k]);
		if (*v)
			len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", len ? ", " : "",
				config_rule_fields[k], v);
	}
	if (len >= n)
		return;
	if (json_is_true(json_object_get(rule, "exclude")))
		snprintf(buf + len, n - len, ": exclude");
	else
		snprintf(buf + len, n - len, ": markup %s%%", config_str(rule, "markup_pct"));
}

int config_rule_add_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_rule_add *c = arg;
	json_t *plan, *rules, *o, *e;
	long pi;
	size_t i;
	int rc;

	if (!(plan = plan_of(*doc, c->plan, &pi, err)))
		return RB_EINPUT;
	if ((rc = check_utf8("rule", config_rule_fields, c->values, err)) < 0)
		return rc;
	o = json_object();
	set_fields(o, config_rule_fields, c->values);
	if (c->exclude)
		json_object_set_new(o, "exclude", json_true());
	rules = json_object_get(plan, "rules");
	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(plan, "rules", rules);
	}
	json_array_foreach(rules, i, e) {
		if (json_object_size(o) && same_match(e, o)) {
			char d[256];
			config_rule_describe(d, sizeof(d), e);
			json_decref(o);
			return rb_err_set(err, RB_EINPUT, "plan '%s' already has rule %zu with this match (%s);"
				" remove it first ('rebill plan rule remove %s %zu')", c->plan, i + 1, d, c->plan, i + 1);
		}
	}
	json_array_append_new(rules, o);
	c->index = json_array_size(rules);
	snprintf(c->focus, sizeof(c->focus), "$.plans[%ld].rules[%zu]", pi, c->index - 1);
	return 0;
}

/* The rule of rules that which names: a position or a match. */
static long find_rule(const json_t *rules, const char *plan, const char *which, struct rb_err *err)
{
	json_t *m, *e;
	const char *p = which;
	long pos = position(which, json_array_size(rules)), hit = -1;
	size_t i, nhit = 0;

	if (pos >= 0)
		return pos;
	if (pos == -2)
		return rb_err_set(err, RB_EINPUT, "plan '%s' has no rule %s (it has %zu)", plan, which,
			json_array_size(rules));
	m = json_object();
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p), k;
		char key[64];
		eq = memchr(p, '=', n);
		for (k = 0; eq && k < CONFIG_RULE_NMATCH; k++)
			if ((size_t)(eq - p) == strlen(config_rule_fields[k]) &&
			    !strncmp(p, config_rule_fields[k], (size_t)(eq - p)))
				break;
		if (!eq || k == CONFIG_RULE_NMATCH) {
			json_decref(m);
			return rb_err_set(err, RB_EUSAGE, "bad rule '%s': a number (see 'rebill plan rule list"
				" %s') or a match like service=AmazonEC2,usage_type=*BoxUsage*", which, plan);
		}
		snprintf(key, sizeof(key), "%s", config_rule_fields[k]);
		json_object_set_new(m, key, json_stringn(eq + 1, n - (size_t)(eq - p) - 1));
		p += n + (end ? 1 : 0);
	}
	json_array_foreach(rules, i, e)
		if (same_match(e, m)) {
			hit = (long)i;
			nhit++;
		}
	json_decref(m);
	if (nhit == 0)
		return rb_err_set(err, RB_EINPUT, "plan '%s' has no rule matching exactly %s", plan, which);
	if (nhit > 1)
		return rb_err_set(err, RB_EINPUT, "plan '%s' has %zu rules matching %s; name one by its"
			" number ('rebill plan rule list %s')", plan, nhit, which, plan);
	return hit;
}

int config_rule_remove_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_item_remove *c = arg;
	json_t *plan, *rules;
	long pi, k;

	if (!(plan = plan_of(*doc, c->plan, &pi, err)))
		return RB_EINPUT;
	rules = json_object_get(plan, "rules");
	if (!json_array_size(rules))
		return rb_err_set(err, RB_EINPUT, "plan '%s' has no rules", c->plan);
	if ((k = find_rule(rules, c->plan, c->which, err)) < 0)
		return (int)k;
	config_rule_describe(c->removed, sizeof(c->removed), json_array_get(rules, (size_t)k));
	json_array_remove(rules, (size_t)k);
	if (!json_array_size(rules))
		json_object_del(plan, "rules");
	return 0;
}

void config_fee_describe(char *buf, size_t n, const json_t *fee)
{
	const char *type = config_str(fee, "type"), *d = config_str(fee, "description");
	size_t len;

	if (!strcmp(type, "percent"))
		len = (size_t)snprintf(buf, n, "percent %s%%", config_str(fee, "pct"));
	else
		len = (size_t)snprintf(buf, n, "%s %s", type, config_str(fee, "amount"));
	if (len < n && *config_str(fee, "min"))
		len += (size_t)snprintf(buf + len, n - len, " min %s", config_str(fee, "min"));
	if (len < n && *config_str(fee, "max"))
		len += (size_t)snprintf(buf + len, n - len, " max %s", config_str(fee, "max"));
	if (len < n && *d)
		snprintf(buf + len, n - len, " '%s'", d);
}

int config_fee_add_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_fee_add *c = arg;
	json_t *plan, *fees, *o;
	long pi;
	int rc;

	if (!(plan = plan_of(*doc, c->plan, &pi, err)))
		return RB_EINPUT;
	if ((rc = check_utf8("fee", config_fee_fields, c->values, err)) < 0)
		return rc;
	o = json_object();
	set_fields(o, config_fee_fields, c->values);
	fees = json_object_get(plan, "fees");
	if (!json_is_array(fees)) {
		fees = json_array();
		json_object_set_new(plan, "fees", fees);
	}
	json_array_append_new(fees, o);
	c->index = json_array_size(fees);
	snprintf(c->focus, sizeof(c->focus), "$.plans[%ld].fees[%zu]", pi, c->index - 1);
	return 0;
}

int config_fee_remove_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_item_remove *c = arg;
	json_t *plan, *fees;
	long pi, k;

	if (!(plan = plan_of(*doc, c->plan, &pi, err)))
		return RB_EINPUT;
	fees = json_object_get(plan, "fees");
	if (!json_array_size(fees))
		return rb_err_set(err, RB_EINPUT, "plan '%s' has no fees", c->plan);
	k = position(c->which ? c->which : "", json_array_size(fees));
	if (k == -1)
		return rb_err_set(err, RB_EUSAGE, "bad fee '%s': its number, as 'rebill plan show %s' lists"
			" the fees (1 = first)", c->which ? c->which : "", c->plan);
	if (k < 0)
		return rb_err_set(err, RB_EINPUT, "plan '%s' has no fee %s (it has %zu)", c->plan, c->which,
			json_array_size(fees));
	config_fee_describe(c->removed, sizeof(c->removed), json_array_get(fees, (size_t)k));
	json_array_remove(fees, (size_t)k);
	if (!json_array_size(fees))
		json_object_del(plan, "fees");
	return 0;
}

int config_tax_cluster_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_tax_cluster_change *c = arg;
	json_t *arr = json_object_get(*doc, "tax_clusters"), *o;
	long i;
	int rc;

	if (!c->id || !utf8_valid(c->id, strlen(c->id), NULL))
		return rb_err_set(err, RB_EINPUT, "tax cluster id is not valid UTF-8");
	if ((rc = check_utf8("tax cluster", config_tax_cluster_fields, c->values, err)) < 0)
		return rc;
	i = find_entry(*doc, "tax_clusters", "id", c->id);
	if (c->add && i >= 0)
		return rb_err_set(err, RB_EINPUT, "tax cluster '%s' already exists (use 'rebill tax-cluster set')", c->id);
	if (!c->add && i < 0)
		return rb_err_set(err, RB_EINPUT, "no tax cluster '%s'", c->id);
	if (c->add) {
		if (!arr) {
			arr = json_array();
			json_object_set_new(*doc, "tax_clusters", arr);
		}
		o = json_pack("{s:s}", "id", c->id);
		json_array_append_new(arr, o);
		i = (long)json_array_size(arr) - 1;
	} else {
		o = json_array_get(arr, (size_t)i);
	}
	set_fields(o, config_tax_cluster_fields, c->values);
	snprintf(c->focus, sizeof(c->focus), "$.tax_clusters[%ld]", i);
	return 0;
}

int config_custom_add_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_custom_add *c = arg;
	json_t *arr = json_object_get(*doc, "custom_lines"), *e;
	size_t i, n = 0;
	int rc;

	if ((rc = check_period("--period", c->period, err)) < 0)
		return rc;
	if (!c->customer || find_entry(*doc, "customers", "id", c->customer) < 0)
		return rb_err_set(err, RB_EINPUT, "no customer '%s'", c->customer ? c->customer : "");
	if (c->description && !utf8_valid(c->description, strlen(c->description), NULL))
		return rb_err_set(err, RB_EINPUT, "custom line: --description is not valid UTF-8");
	if (!arr) {
		arr = json_array();
		json_object_set_new(*doc, "custom_lines", arr);
	}
	json_array_foreach(arr, i, e)
		n += !strcmp(config_str(e, "customer"), c->customer) &&
			!strcmp(config_str(e, "period"), c->period);
	e = json_pack("{s:s, s:s}", "customer", c->customer, "period", c->period);
	if (c->description)
		json_object_set_new(e, "description", json_string(c->description));
	if (c->amount)
		json_object_set_new(e, "amount", json_string(c->amount));
	json_array_append_new(arr, e);
	c->index = n + 1;
	snprintf(c->focus, sizeof(c->focus), "$.custom_lines[%zu]", json_array_size(arr) - 1);
	return 0;
}

int config_custom_remove_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_custom_remove *c = arg;
	json_t *arr = json_object_get(*doc, "custom_lines"), *e;
	size_t i, n = 0, nhit = 0, hit = 0, *idx;
	long k = -1;
	int rc;

	if ((rc = check_period("--period", c->period, err)) < 0)
		return rc;
	idx = json_array_size(arr) ? calloc(json_array_size(arr), sizeof(*idx)) : NULL;
	if (json_array_size(arr) && !idx)
		return rb_err_set(err, RB_EIO, "out of memory");
	json_array_foreach(arr, i, e)
		if (!strcmp(config_str(e, "customer"), c->customer) &&
		    !strcmp(config_str(e, "period"), c->period))
			idx[n++] = i;
	if (n == 0) {
		free(idx);
		return rb_err_set(err, RB_EINPUT, "customer '%s' has no custom lines for %s", c->customer, c->period);
	}
	if (c->which) {
		k = position(c->which, n);
		if (k < 0) {
			free(idx);
			return rb_err_set(err, k == -1 ? RB_EUSAGE : RB_EINPUT, "customer '%s' has no custom line"
				" %s for %s (it has %zu; 'rebill custom-line list' numbers them)", c->customer,
				c->which, c->period, n);
		}
	} else if (c->description) {
		for (i = 0; i < n; i++)
			if (!strcmp(config_str(json_array_get(arr, idx[i]), "description"), c->description)) {
				hit = i;
				nhit++;
			}
		if (nhit != 1) {
			free(idx);
			if (nhit)
				return rb_err_set(err, RB_EINPUT, "customer '%s' has %zu custom lines '%s' for %s;"
					" name one by its number", c->customer, nhit, c->description, c->period);
			return rb_err_set(err, RB_EINPUT, "customer '%s' has no custom line '%s' for %s",
				c->customer, c->description, c->period);
		}
		k = (long)hit;
	} else if (n == 1) {
		k = 0;
	} else {
		free(idx);
		return rb_err_set(err, RB_EINPUT, "customer '%s' has %zu custom lines for %s; name one by"
			" its number or --description ('rebill custom-line list')", c->customer, n, c->period);
	}
	e = json_array_get(arr, idx[k]);
	snprintf(c->removed, sizeof(c->removed), "%s %s", config_str(e, "amount"),
		config_str(e, "description"));
	json_array_remove(arr, idx[k]);
	free(idx);
	return 0;
}

int config_customer_remove_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_customer_remove *c = arg;
	json_t *custs = json_object_get(*doc, "customers"), *o, *a, *arr;
	long i = c->id ? find_entry(*doc, "customers", "id", c->id) : -1;
	size_t k, len = 0;

	c->accounts[0] = '\0';
	c->naccounts = c->ncustom = 0;
	if (i < 0)
		return rb_err_set(err, RB_EINPUT, "no customer '%s'", c->id ? c->id : "");
	o = json_array_get(custs, (size_t)i);
	json_array_foreach(json_object_get(o, "accounts"), k, a) {
		const char *f = config_str(a, "from"), *t = config_str(a, "to");
		if (len < sizeof(c->accounts))
			len += (size_t)snprintf(c->accounts + len, sizeof(c->accounts) - len, "%s%s%s%s%s%s%s",
				k ? ", " : "", config_str(a, "id"), *f || *t ? " (" : "",
				*f ? "from " : "", f, *t ? (*f ? " to " : "to ") : "", t);
		if (len < sizeof(c->accounts) && (*f || *t))
			len += (size_t)snprintf(c->accounts + len, sizeof(c->accounts) - len, ")");
		c->naccounts++;
	}
	if (len >= sizeof(c->accounts))
		memcpy(c->accounts + sizeof(c->accounts) - 4, "...", 4);
	if (c->naccounts && !c->unassign)
		return rb_err_set(err, RB_EINPUT, "customer '%s' holds %zu account assignment%s: %s;"
			" unassign %s first ('rebill account unassign ACCOUNT'), or remove the customer"
			" with --unassign, which leaves %s unassigned", c->id, c->naccounts,
			c->naccounts == 1 ? "" : "s", c->accounts, c->naccounts == 1 ? "it" : "them",
			c->naccounts == 1 ? "it" : "them");
	json_array_remove(custs, (size_t)i);
	arr = json_object_get(*doc, "custom_lines");
	for (k = 0; k < json_array_size(arr);) {
		if (!strcmp(config_str(json_array_get(arr, k), "customer"), c->id)) {
			json_array_remove(arr, k);
			c->ncustom++;
		} else {
			k++;
		}
	}
	return 0;
}
