/*
 * api_config.c: the API's configuration edits — assign and unassign an
 * account, set and remove an FX rate, add and change a customer — through the same edit verbs as the CLI (src/config/edit.h) and
 * store_config_edit_as, so the same validation applies and each change is
 * audited with the user who made it. A refused change is 400 naming the
 * first problem's JSON path as the field, with every problem listed.
 *
 * Not for: validating configuration (src/config), SQL.
 */
#include "http/http_int.h"

#include <jansson.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

/* Answers a finished edit: 200 with what changed, or the problems. */
static int edited(struct http_req *r, int rc, struct config_result *cr, const struct rb_err *err)
{
	json_t *problems;
	size_t i;

	if (rc == 0) {
		http_json(r, 200, json_pack("{s:I,s:I,s:I}", "created", (json_int_t)cr->created,
			"updated", (json_int_t)cr->updated, "deleted", (json_int_t)cr->deleted));
		config_result_release(cr);
		return 0;
	}
	if (rc != RB_EINPUT && rc != RB_EUSAGE) {
		config_result_release(cr);
		return http_fail(r, rc, err);
	}
	if (!cr->nproblems) {
		config_result_release(cr);
		return http_error(r, strstr(err->msg, "no customer") ? 404 : 400, "bad_input", NULL,
			"%s", err->msg);
	}
	problems = json_array();
	for (i = 0; i < cr->nproblems; i++)
		json_array_append_new(problems, json_pack("{s:s,s:s}", "path", cr->problems[i].path,
			"message", cr->problems[i].msg));
	http_error(r, 400, "invalid_config", cr->problems[0].path, "%s%s", cr->problems[0].msg,
		cr->nproblems > 1 ? " (and more: see problems)" : "");
	{
		json_t *doc = json_loadb(r->out.buf, r->out.len, 0, NULL);
		if (doc) {
			json_object_set_new(json_object_get(doc, "error"), "problems", problems);
			http_json(r, 400, doc);
		} else {
			json_decref(problems);
		}
	}
	config_result_release(cr);
	return 0;
}

int http_edited(struct http_req *r, int rc, struct config_result *cr, const struct rb_err *err)
{
	return edited(r, rc, cr, err);
}

int http_member(const char **out, struct http_req *r, const char *key, int required)
{
	json_t *v = json_object_get(r->json, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		http_error(r, 400, "missing_field", key, "%s is required (a string)", key);
		return -1;
	}
	if (!json_is_string(v)) {
		http_error(r, 400, "bad_field", key, "%s must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int h_account_assign(struct http_req *r)
{
	static const char *const keys[] = { "customer", "from", "to", "tag", "value", NULL };
	struct config_assign a;
	struct config_result cr;
	struct rb_err err;
	int rc;

	memset(&a, 0, sizeof(a));
	if (http_json_only(r, keys) < 0 || http_member(&a.customer, r, "customer", 1) < 0 ||
	    http_member(&a.from, r, "from", 0) < 0 || http_member(&a.to, r, "to", 0) < 0 ||
	    http_member(&a.tag, r, "tag", 0) < 0 || http_member(&a.value, r, "value", 0) < 0)
		return 0;
	if (!a.tag != !a.value)
		return http_error(r, 400, "missing_field", a.tag ? "value" : "tag",
			"tag and value go together (the account's rows with that tag value)");
	a.account = r->id;
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_assign_edit, &a, "account assign", r->user.email,
		&cr, &err);
	return edited(r, rc, &cr, &err);
}

int h_fx_set(struct http_req *r)
{
	static const char *const keys[] = { "period", "currency", "rate", NULL };
	struct config_fx_set f;
	struct config_result cr;
	struct rb_err err;
	int rc;

	memset(&f, 0, sizeof(f));
	if (http_json_only(r, keys) < 0 || http_member(&f.period, r, "period", 1) < 0 ||
	    http_member(&f.currency, r, "currency", 1) < 0 || http_member(&f.rate, r, "rate", 1) < 0)
		return 0;
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_fx_set_edit, &f, "fx set", r->user.email, &cr, &err);
	return edited(r, rc, &cr, &err);
}

int h_account_unassign(struct http_req *r)
{
	static const char *const keys[] = { "from", NULL };
	struct config_unassign u;
	struct config_result cr;
	struct rb_err err;
	int rc;

	memset(&u, 0, sizeof(u));
	if (http_json_only(r, keys) < 0 || http_member(&u.from, r, "from", 0) < 0)
		return 0;
	u.account = r->id;
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_unassign_edit, &u, "account unassign",
		r->user.email, &cr, &err);
	if (rc == RB_EINPUT && !cr.nproblems && strstr(err.msg, "not assigned")) {
		config_result_release(&cr);
		return http_error(r, 404, "not_found", "id", "%s", err.msg);
	}
	return edited(r, rc, &cr, &err);
}

int h_fx_unset(struct http_req *r)
{
	struct config_fx_unset f;
	struct config_result cr;
	struct rb_err err;
	int rc;

	memset(&f, 0, sizeof(f));
	f.period = http_query(r, "period");
	f.currency = http_query(r, "currency");
	if (!f.period || !f.currency)
		return http_error(r, 400, "missing_parameter", f.period ? "currency" : "period",
			"period and currency are required");
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_fx_unset_edit, &f, "fx unset", r->user.email, &cr,
		&err);
	if (rc == RB_EINPUT && !cr.nproblems && !strncmp(err.msg, "no ", 3)) {
		config_result_release(&cr);
		return http_error(r, 404, "not_found", "period", "%s", err.msg);
	}
	return edited(r, rc, &cr, &err);
}

/* Customer add (POST /customers, id in the body) or edit (PATCH
 * /customers/{id}): the fields of config_customer_fields, each a string
 * ("" clears an optional one on edit). */
static int customer_change(struct http_req *r, int add)
{
	const char *keys[CONFIG_CUSTOMER_NFIELDS + 2];
	struct config_customer_change c;
	struct config_result cr;
	struct rb_err err;
	size_t f, k = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if (add)
		keys[k++] = "id";
	for (f = 0; f < CONFIG_CUSTOMER_NFIELDS; f++)
		keys[k++] = config_customer_fields[f];
	keys[k] = NULL;
	if (http_json_only(r, keys) < 0)
		return 0;
	if (add && http_member(&c.id, r, "id", 1) < 0)
		return 0;
	if (!add)
		c.id = r->id;
	for (f = 0; f < CONFIG_CUSTOMER_NFIELDS; f++)
		if (http_member(&c.values[f], r, config_customer_fields[f], add && f < 3) < 0)
			return 0;
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_customer_edit, &c, add ? "customer add" :
		"customer edit", r->user.email, &cr, &err);
	if (rc == RB_EINPUT && !cr.nproblems && strstr(err.msg, "exists")) {
		config_result_release(&cr);
		return http_error(r, 409, "conflict", "id", "%s", err.msg);
	}
	if (rc == 0 && add) {
		edited(r, rc, &cr, &err);
		r->status = 201;
		return 0;
	}
	return edited(r, rc, &cr, &err);
}

int h_customer_add(struct http_req *r)
{
	return customer_change(r, 1);
}

int h_customer_edit(struct http_req *r)
{
	return customer_change(r, 0);
}
