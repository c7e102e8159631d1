/*
 * api_plans.c: the API's plan, tax cluster and FX routes — list them, and
 * change them through the edit verbs of src/config/edit.h that `rebill plan
 * add|set|rule add|rule remove|fee add|fee remove`, `tax-cluster add|set`
 * and `fx list` use, run with store_config_edit_as: the same validation
 * (a problem names its JSON path as the error's field) and one audit entry
 * per change with the web user. Decimals are JSON strings, as in the
 * configuration document: never a binary float near money.
 *
 * Not for: validating (src/config), SQL, pages (pages_config.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

/* The configuration's array `key` as {"key": [...]} (a new reference), or
 * NULL with the response set. */
static json_t *config_array(struct http_req *r, const char *key)
{
	struct rb_err err;
	json_t *doc = NULL, *a;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_config_export(&doc, r->store, &err)) < 0) {
		http_fail(r, rc, &err);
		return NULL;
	}
	a = json_incref(json_object_get(doc, key));
	json_decref(doc);
	return a ? a : json_array();
}

int http_config_entry(json_t **out, struct http_req *r, const char *key, const char *id)
{
	json_t *a = config_array(r, key), *e;
	size_t i;
	*out = NULL;
	if (!a)
		return -1;
	json_array_foreach(a, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "id")), id)) {
			*out = json_incref(e);
			break;
		}
	json_decref(a);
	return 0;
}

static int list(struct http_req *r, const char *key, const char *as)
{
	json_t *a = config_array(r, key);
	if (!a)
		return 0;
	return http_json(r, 200, json_pack("{s:o}", as, a));
}

int h_plans(struct http_req *r)
{
	return list(r, "plans", "plans");
}

int h_plan(struct http_req *r)
{
	json_t *e = NULL;
	if (http_config_entry(&e, r, "plans", r->id) < 0)
		return 0;
	if (!e)
		return http_error(r, 404, "not_found", "id", "no plan '%s'", r->id);
	return http_json(r, 200, e);
}

int h_tax_clusters(struct http_req *r)
{
	return list(r, "tax_clusters", "tax_clusters");
}

int h_fx_list(struct http_req *r)
{
	return list(r, "fx", "rates");
}

/* Runs one edit as the web user and answers it: 200 (201 when creates)
 * with what changed plus extra (stolen; may be NULL), 409 for an id that
 * exists, 404 for a plan or cluster that does not, else as edited(). */
static int run_edit(struct http_req *r, config_edit_fn fn, void *arg, const char *source,
	int creates, json_t *extra)
{
	struct config_result cr;
	struct rb_err err;
	int rc;

	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, fn, arg, source, r->user.email, &cr, &err);
	if (rc == RB_EINPUT && !cr.nproblems) {
		config_result_release(&cr);
		json_decref(extra);
		if (strstr(err.msg, "already"))
			return http_error(r, 409, "conflict", "id", "%s", err.msg);
		if (!strncmp(err.msg, "no plan", 7) || !strncmp(err.msg, "no tax cluster", 14))
			return http_error(r, 404, "not_found", "id", "%s", err.msg);
		return http_error(r, 400, "bad_input", NULL, "%s", err.msg);
	}
	if (rc == 0 && extra) {
		json_t *v = json_pack("{s:I,s:I,s:I}", "created", (json_int_t)cr.created,
			"updated", (json_int_t)cr.updated, "deleted", (json_int_t)cr.deleted);
		json_object_update(v, extra);
		json_decref(extra);
		config_result_release(&cr);
		return http_json(r, creates ? 201 : 200, v);
	}
	json_decref(extra);
	http_edited(r, rc, &cr, &err);
	if (rc == 0 && creates)
		r->status = 201;
	return 0;
}

/* discounts {"TYPE": "FACTOR" | null} as edit.h's "TYPE=F,TYPE=" text. */
static int discounts_text(char *buf, size_t n, struct http_req *r)
{
	json_t *d = json_object_get(r->json, "discounts"), *v;
	const char *k;
	size_t len = 0;
	if (!d || json_is_null(d))
		return 1;
	if (!json_is_object(d) || !json_object_size(d)) {
		http_error(r, 400, "bad_field", "discounts",
			"discounts is an object {\"TYPE\": \"FACTOR\" or null}");
		return -1;
	}
	buf[0] = 0;
	json_object_foreach(d, k, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		if ((!json_is_string(v) && !json_is_null(v)) || strpbrk(k, ",=") || strpbrk(s, ",=") ||
		    !*k) {
			http_error(r, 400, "bad_field", "discounts",
				"discounts.%s: a factor is a decimal string (or null for the default)", k);
			return -1;
		}
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s=%s", len ? "," : "", k, s);
		if (len >= n) {
			http_error(r, 400, "bad_field", "discounts", "discounts is too long");
			return -1;
		}
	}
	return 0;
}

/* POST /plans (add, id in the body) or PATCH /plans/{id} (set). */
static int plan_change(struct http_req *r, int add)
{
	const char *keys[CONFIG_PLAN_NFIELDS + 3];
	struct config_plan_change c;
	char disc[1024];
	size_t f, k = 0;
	int d;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if (add)
		keys[k++] = "id";
	for (f = 0; f < CONFIG_PLAN_NFIELDS; f++)
		keys[k++] = config_plan_fields[f];
	keys[k++] = "discounts";
	keys[k] = NULL;
	if (http_json_only(r, keys) < 0)
		return 0;
	if (add && http_member(&c.id, r, "id", 1) < 0)
		return 0;
	if (!add)
		c.id = r->id;
	for (f = 0; f < CONFIG_PLAN_NFIELDS; f++)   /* basis first: needed to add */
		if (http_member(&c.values[f], r, config_plan_fields[f], add && f == 0) < 0)
			return 0;
	if ((d = discounts_text(disc, sizeof(disc), r)) < 0)
		return 0;
	c.discounts = d ? NULL : disc;
	return run_edit(r, config_plan_edit, &c, add ? "plan add" : "plan set", add, NULL);
}

int h_plan_add(struct http_req *r)
{
	return plan_change(r, 1);
}

int h_plan_set(struct http_req *r)
{
	return plan_change(r, 0);
}

int h_rule_add(struct http_req *r)
{
	const char *keys[CONFIG_RULE_NFIELDS + 2];
	struct config_rule_add c;
	json_t *ex;
	size_t f;

	memset(&c, 0, sizeof(c));
	for (f = 0; f < CONFIG_RULE_NFIELDS; f++)
		keys[f] = config_rule_fields[f];
	keys[f++] = "exclude";
	keys[f] = NULL;
	if (http_json_only(r, keys) < 0)
		return 0;
	for (f = 0; f < CONFIG_RULE_NFIELDS; f++)
		if (http_member(&c.values[f], r, config_rule_fields[f], 0) < 0)
			return 0;
	ex = json_object_get(r->json, "exclude");
	if (ex && !json_is_boolean(ex))
		return http_error(r, 400, "bad_field", "exclude", "exclude is true or false");
	c.exclude = json_is_true(ex);
	c.plan = r->id;
	if (run_edit(r, config_rule_add_edit, &c, "plan rule add", 1, json_object()) == 0 &&
	    r->status == 201) {
		json_t *v = json_loadb(r->out.buf, r->out.len, 0, NULL);
		if (v) {
			json_object_set_new(v, "rule", json_integer((json_int_t)c.index));
			http_json(r, 201, v);
		}
	}
	return 0;
}

int h_fee_add(struct http_req *r)
{
	struct config_fee_add c;
	size_t f;

	memset(&c, 0, sizeof(c));
	if (http_json_only(r, config_fee_fields) < 0)
		return 0;
	for (f = 0; f < CONFIG_FEE_NFIELDS; f++)
		if (http_member(&c.values[f], r, config_fee_fields[f], f == 0) < 0)
			return 0;
	c.plan = r->id;
	if (run_edit(r, config_fee_add_edit, &c, "plan fee add", 1, json_object()) == 0 &&
	    r->status == 201) {
		json_t *v = json_loadb(r->out.buf, r->out.len, 0, NULL);
		if (v) {
			json_object_set_new(v, "fee", json_integer((json_int_t)c.index));
			http_json(r, 201, v);
		}
	}
	return 0;
}

/* DELETE /plans/{id}/rules?which=N|MATCH, /plans/{id}/fees?which=N. */
static int item_remove(struct http_req *r, int fee)
{
	struct config_item_remove c;
	memset(&c, 0, sizeof(c));
	c.plan = r->id;
	c.which = http_query(r, "which");
	if (!c.which || !*c.which)
		return http_error(r, 400, "missing_parameter", "which", fee ?
			"which is required: the fee's number (1 = first)" :
			"which is required: the rule's number (1 = first) or its match "
			"(service=AmazonEC2,usage_type=*Box*)");
	if (run_edit(r, fee ? config_fee_remove_edit : config_rule_remove_edit, &c,
			fee ? "plan fee remove" : "plan rule remove", 0, json_object()) == 0 &&
	    r->status == 200) {
		json_t *v = json_loadb(r->out.buf, r->out.len, 0, NULL);
		if (v) {
			json_object_set_new(v, "removed", json_string(c.removed));
			http_json(r, 200, v);
		}
	} else if (r->status == 400 && strstr(r->out.buf ? r->out.buf : "", " has no ")) {
		/* the plan exists but not that rule or fee */
		json_t *v = json_loadb(r->out.buf, r->out.len, 0, NULL);
		json_t *e = json_object_get(v, "error");
		if (e) {
			json_object_set_new(e, "code", json_string("not_found"));
			json_object_set_new(e, "field", json_string("which"));
			http_json(r, 404, v);
		} else {
			json_decref(v);
		}
	}
	return 0;
}

int h_rule_remove(struct http_req *r)
{
	return item_remove(r, 0);
}

int h_fee_remove(struct http_req *r)
{
	return item_remove(r, 1);
}

static int cluster_change(struct http_req *r, int add)
{
	const char *keys[CONFIG_TAX_CLUSTER_NFIELDS + 2];
	struct config_tax_cluster_change c;
	size_t f, k = 0;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if (add)
		keys[k++] = "id";
	for (f = 0; f < CONFIG_TAX_CLUSTER_NFIELDS; f++)
		keys[k++] = config_tax_cluster_fields[f];
	keys[k] = NULL;
	if (http_json_only(r, keys) < 0)
		return 0;
	if (add && http_member(&c.id, r, "id", 1) < 0)
		return 0;
	if (!add)
		c.id = r->id;
	for (f = 0; f < CONFIG_TAX_CLUSTER_NFIELDS; f++)   /* name, rate_pct needed to add */
		if (http_member(&c.values[f], r, config_tax_cluster_fields[f], add && f < 2) < 0)
			return 0;
	return run_edit(r, config_tax_cluster_edit, &c, add ? "tax-cluster add" : "tax-cluster set",
		add, NULL);
}

int h_tax_cluster_add(struct http_req *r)
{
	return cluster_change(r, 1);
}

int h_tax_cluster_set(struct http_req *r)
{
	return cluster_change(r, 0);
}
