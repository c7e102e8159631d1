/*
 * api.c: the JSON API's read handlers and user creation. Each parses its
 * parameters, calls one library function (src/report, src/store) and sends
 * what that returns: the documents are those of the CLI's --format json.
 * A customer user reaches only the handlers its routes admit, always with
 * its own customer (http_scope_customer): invoice amounts at its billed
 * prices, never cost, margin or withheld amounts.
 *
 * Not for: computing anything, authorization (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "report/report.h"
#include "report/summary.h"
#include "store/store_config.h"
#include "store/store_drill.h"
#include "store/store_facts.h"
#include "store/store_users.h"
#include "util/period.h"
#include "util/banned.h"

int http_period(int *out, struct http_req *r)
{
	const char *p = http_query(r, "period");
	int *pi = NULL;
	struct rb_err err;
	size_t n = 0;
	int rc;

	if (p) {
		if (period_parse(out, p, strlen(p)) < 0) {
			http_error(r, 400, "bad_parameter", "period", "bad period '%s' (expected YYYY-MM)", p);
			return -1;
		}
		return 0;
	}
	rb_err_clear(&err);
	/* the period list only, not store_periods' sums over every fact */
	if ((rc = store_period_ids(&pi, &n, r->store, &err)) < 0) {
		http_fail(r, rc, &err);
		return -1;
	}
	if (!n) {
		free(pi);
		http_error(r, 404, "no_data", "period", "nothing has been imported yet");
		return -1;
	}
	*out = pi[n - 1];
	free(pi);
	return 0;
}

/* Sends v, or maps the library's error. */
static int reply(struct http_req *r, int rc, json_t *v, const struct rb_err *err)
{
	if (rc < 0) {
		json_decref(v);
		return http_fail(r, rc, err);
	}
	return http_json(r, 200, v);
}

int h_periods(struct http_req *r)
{
	struct rb_err err;
	struct store_period_info *p = NULL;
	size_t n = 0;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_periods(&p, &n, r->store, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, report_periods_json(p, n));
	free(p);
	return 0;
}

int h_summary(struct http_req *r)
{
	struct rb_err err;
	const char *by = http_query(r, "by");
	json_t *v = NULL;
	struct report_summary *sum = NULL;
	int period, rc;
	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = report_summary(&sum, r->store, period, by ? by : "payer", &err)) < 0) {
		if (rc == RB_EUSAGE)
			return http_error(r, 400, "bad_parameter", "by", "%s", err.msg);
		return http_fail(r, rc, &err);
	}
	v = report_summary_json(sum);
	report_summary_free(sum);
	return http_json(r, 200, v);
}

int h_margin(struct http_req *r)
{
	struct rb_err err;
	const char *by = http_query(r, "by"), *tag = NULL;
	struct report_margin *m = NULL;
	enum report_by rb;
	int period, rc;

	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	if (!by)
		by = "customer";
	if ((rc = report_by_parse(&rb, &tag, by, &err)) < 0)
		return http_error(r, 400, "bad_parameter", "by", "%s", err.msg);
	if ((rc = report_margin(&m, r->store, period, rb, tag, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, report_margin_json(m, by));
	report_margin_free(m);
	return 0;
}

int h_reconcile(struct http_req *r)
{
	struct rb_err err;
	struct report_reconcile *rec = NULL;
	int period, rc;
	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = report_reconcile(&rec, r->store, period, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, report_reconcile_json(rec));
	report_reconcile_free(rec);
	return 0;
}

static int preview(struct http_req *r, const char *customer)
{
	struct rb_err err;
	struct report_invoices *inv = NULL;
	int period, rc;
	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = report_invoices(&inv, r->store, period, customer, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, report_invoices_json(inv));
	report_invoices_free(inv);
	return 0;
}

int h_invoice_preview(struct http_req *r)
{
	return preview(r, http_scope_customer(r));
}

int h_customer_preview(struct http_req *r)
{
	return preview(r, http_scope_customer(r));
}

/* The configured customers array (a new reference), or NULL with the
 * response set. */
static json_t *customers(struct http_req *r)
{
	struct rb_err err;
	json_t *doc = NULL, *c;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_config_export(&doc, r->store, &err)) < 0) {
		http_fail(r, rc, &err);
		return NULL;
	}
	c = json_incref(json_object_get(doc, "customers"));
	json_decref(doc);
	return c ? c : json_array();
}

int h_customers(struct http_req *r)
{
	json_t *c = customers(r);
	if (!c)
		return 0;
	return http_json(r, 200, json_pack("{s:o}", "customers", c));
}

int h_customer(struct http_req *r)
{
	json_t *c = customers(r), *v;
	const char *id = http_scope_customer(r);
	size_t i;
	if (!c)
		return 0;
	json_array_foreach(c, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "id")), id)) {
			json_incref(v);
			json_decref(c);
			return http_json(r, 200, v);
		}
	json_decref(c);
	return http_error(r, 404, "not_found", "id", "unknown customer '%s'", id);
}

int h_accounts(struct http_req *r)
{
	struct rb_err err;
	const char *un = http_query(r, "unassigned"), *p = http_query(r, "period");
	json_t *v = NULL;
	int period = -1, rc;

	rb_err_clear(&err);
	if (p && http_period(&period, r) < 0)
		return 0;
	if (un && strcmp(un, "1") && strcmp(un, "0"))
		return http_error(r, 400, "bad_parameter", "unassigned", "unassigned is 0 or 1");
	if (un && !strcmp(un, "1")) {
		json_t *a = NULL;
		/* the reconciliation's list: split remainders and currencies too */
		if ((rc = report_unassigned_json(&a, r->store, p ? period : -1, &err)) < 0)
			return http_fail(r, rc, &err);
		return http_json(r, 200, json_pack("{s:o,s:o}", "period", p ? json_string(p) : json_null(),
			"accounts", a));
	}
	{
		struct store_account_info *a = NULL;
		size_t n = 0;
		if ((rc = store_accounts(&a, &n, r->store, period, &err)) < 0)
			return http_fail(r, rc, &err);
		v = report_accounts_json(p, a, n);
		store_accounts_free(a, n);
	}
	return http_json(r, 200, v);
}

int h_audit(struct http_req *r)
{
	struct rb_err err;
	const char *l = http_query(r, "limit");
	char *end = NULL;
	long limit = 50;
	json_t *a = NULL;
	int rc;
	if (l) {
		limit = strtol(l, &end, 10);
		if (!*l || *end || limit < 0 || limit > 100000)
			return http_error(r, 400, "bad_parameter", "limit", "limit is 0..100000");
	}
	rb_err_clear(&err);
	if ((rc = store_config_audit(&a, r->store, limit, &err)) < 0)
		return http_fail(r, rc, &err);
	return http_json(r, 200, json_pack("{s:o}", "entries", a));
}

static json_t *user_json(const struct store_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:s}", "id", (json_int_t)u->id, "email", u->email,
		"role", u->role, "customer", u->customer ? json_string(u->customer) : json_null(),
		"disabled", u->disabled, "created_at", u->created_at);
}

int h_users(struct http_req *r)
{
	struct rb_err err;
	struct store_user *u = NULL;
	json_t *a;
	size_t n = 0, i;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_user_list(&u, &n, r->store, &err)) < 0)
		return http_fail(r, rc, &err);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, user_json(&u[i]));
	store_users_free(u, n);
	return http_json(r, 200, json_pack("{s:o}", "users", a));
}

int h_user_create(struct http_req *r)
{
	static const char *const keys[] = { "email", "role", "customer", "password", NULL };
	static const char *const need[] = { "email", "role", "password" };
	struct rb_err err;
	char hash[AUTH_PWHASH_MAX];
	struct store_user *u = NULL;
	const char *customer;
	int64_t id = 0;
	size_t i;
	int rc;

	if (http_json_only(r, keys) < 0)
		return 0;
	for (i = 0; i < 3; i++)
		if (!json_is_string(json_object_get(r->json, need[i])))
			return http_error(r, 400, "missing_field", need[i], "%s is required (a string)",
				need[i]);
	customer = json_string_value(json_object_get(r->json, "customer"));
	if (json_object_get(r->json, "customer") && !customer &&
	    !json_is_null(json_object_get(r->json, "customer")))
		return http_error(r, 400, "bad_field", "customer", "customer is a string or null");
	rb_err_clear(&err);
	if ((rc = auth_password_hash(hash, json_string_value(json_object_get(r->json, "password")),
			&err)) < 0)
		return http_error(r, 400, "bad_field", "password", "%s", err.msg);
	rc = store_user_add(r->store, json_string_value(json_object_get(r->json, "email")),
		json_string_value(json_object_get(r->json, "role")), customer, hash, r->user.email, &id,
		&err);
	if (rc < 0)
		return http_error(r, rc == RB_EIO ? 500 : strstr(err.msg, "exists") ? 409 : 400,
			"bad_input", strstr(err.msg, "customer") ? "customer" : strstr(err.msg, "role")
			? "role" : "email", "%s", rc == RB_EIO ? "internal error" : err.msg);
	if ((rc = store_user_get(&u, r->store, NULL, id, &err)) < 0 || !u)
		return http_fail(r, rc < 0 ? rc : RB_EIO, &err);
	http_json(r, 201, user_json(u));
	store_user_free(u);
	return 0;
}

/* The latest period with facts before `period`, or -1. */
static int previous_period(struct http_req *r, int period, struct rb_err *err, int *out)
{
	int *pi = NULL;
	size_t n = 0, i;
	int rc;
	*out = -1;
	if ((rc = store_period_ids(&pi, &n, r->store, err)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (pi[i] < period)
			*out = pi[i];
	free(pi);
	return 0;
}

/* The customer's draft invoice of the period is at its billed prices, in
 * its currency: all a customer may see. */
int http_portal_doc(json_t **out, struct http_req *r, int period, struct rb_err *err)
{
	struct report_invoices *inv = NULL, *prev = NULL;
	json_t *doc, *invs, *p;
	int prior, rc;

	*out = NULL;
	if ((rc = report_invoices(&inv, r->store, period, r->user.customer, err)) < 0)
		return rc;
	doc = report_invoices_json(inv);
	report_invoices_free(inv);
	invs = json_object_get(doc, "invoices");
	json_object_set_new(doc, "customer", json_string(r->user.customer));
	json_object_set(doc, "invoice", json_array_size(invs) ? json_array_get(invs, 0) : json_null());
	json_object_del(doc, "invoices");
	p = json_null();
	if ((rc = previous_period(r, period, err, &prior)) < 0) {
		json_decref(doc);
		return rc;
	}
	if (prior >= 0 && report_invoices(&prev, r->store, prior, r->user.customer, err) == 0) {
		json_t *pd = report_invoices_json(prev);
		json_t *pi = json_array_get(json_object_get(pd, "invoices"), 0);
		json_decref(p);
		p = json_pack("{s:O,s:O}", "period", json_object_get(pd, "period"),
			"total", pi ? json_object_get(pi, "total") : json_null());
		json_decref(pd);
		report_invoices_free(prev);
	}
	rb_err_clear(err);
	json_object_set_new(doc, "previous", p);
	*out = doc;
	return 0;
}

int h_portal_summary(struct http_req *r)
{
	struct rb_err err;
	json_t *doc = NULL;
	int period, rc;
	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	rc = http_portal_doc(&doc, r, period, &err);
	return reply(r, rc, doc, &err);
}
