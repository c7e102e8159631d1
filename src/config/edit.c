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
