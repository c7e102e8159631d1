/*
 * pages_config.c: the console's configuration pages — Plans (each plan's
 * basis, markups, rules, charge-type policies and fees, beside the draft
 * invoice totals of the customers on it, so a change shows its effect),
 * Tax clusters and FX — and their forms. Every form runs the same edit
 * verb as the CLI and the API (src/config/edit.h through
 * store_config_edit_as: validation, audit with the web user); a refused
 * change shows the page again with the problem, status 400.
 *
 * Not for: computing money (the preview is report_invoices' document).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "store/store_config.h"
#include "util/period.h"
#include "util/banned.h"

/* What the last form did, for the notice (?done=CODE; an unknown code is
 * not shown). */
static json_t *done_text(const char *code)
{
	static const char *const t[][2] = {
		{ "plan-added", "The plan is added." }, { "plan-saved", "The plan is saved." },
		{ "rule-added", "The rule is added." }, { "rule-removed", "The rule is removed." },
		{ "fee-added", "The fee is added." }, { "fee-removed", "The fee is removed." },
		{ "cluster-added", "The tax cluster is added." },
		{ "cluster-saved", "The tax cluster is saved." },
		{ "rate-set", "The rate is set." }, { "rate-removed", "The rate is removed." },
	};
	size_t i;
	for (i = 0; code && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i][0], code))
			return json_string(t[i][1]);
	return json_null();
}

static int can_edit(const struct http_req *r)
{
	return r->user.role == ROLE_ADMIN || r->user.role == ROLE_FINANCE;
}

/* [{"value","label","selected"}] for a <select>. */
static json_t *options(const char *const *values, const char *const *labels, const char *cur)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; values[i]; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", values[i], "label",
			labels[i], "selected", cur && !strcmp(cur, values[i])));
	return a;
}

static const char *const basis_values[] = { "ondemand", "effective", "purchaser", "unblended", NULL };
static const char *const basis_labels[] = {
	"on-demand price (the reseller keeps the RI/SP discounts)",
	"discounted: effective cost (RI/SP passed on)",
	"purchaser: discounted where the customer owns the commitment, else on-demand",
	"unblended (as AWS bills the payer)", NULL };

/* Runs a form's edit: NULL when it went through, else the message to
 * show (static buffer per request: msg). */
static const char *form_edit(struct http_req *r, config_edit_fn fn, void *arg, const char *source,
	char *msg, size_t n, int *fatal)
{
	struct config_result cr;
	struct rb_err err;
	int rc;
	config_result_init(&cr);
	rb_err_clear(&err);
	*fatal = 0;
	rc = store_config_edit_as(r->store, fn, arg, source, r->user.email, &cr, &err);
	if (rc == 0) {
		config_result_release(&cr);
		return NULL;
	}
	if (rc == RB_EINPUT || rc == RB_EUSAGE) {
		if (cr.nproblems)
			snprintf(msg, n, "%s: %s", cr.problems[0].path, cr.problems[0].msg);
		else
			snprintf(msg, n, "%s", err.msg);
	} else {
		*fatal = 1;
		http_page_fail(r, rc, &err);
	}
	config_result_release(&cr);
	return msg;
}

/* The draft invoices of the period by customer id: {"id": {"total",
 * "currency"}}, or the reason they cannot be built in *why. */
static json_t *previews(struct http_req *r, int period, char *why, size_t n)
{
	struct report_invoices *inv = NULL;
	struct rb_err err;
	json_t *out = json_object(), *doc, *e;
	size_t i;
	rb_err_clear(&err);
	why[0] = 0;
	if (report_invoices(&inv, r->store, period, NULL, &err) < 0) {
		snprintf(why, n, "%s", err.msg);
		return out;
	}
	doc = report_invoices_json(inv);
	report_invoices_free(inv);
	json_array_foreach(json_object_get(doc, "invoices"), i, e)
		json_object_set_new(out, json_string_value(json_object_get(e, "customer")),
			json_pack("{s:O,s:O,s:O}", "total", json_object_get(e, "total"), "subtotal",
				json_object_get(e, "subtotal"), "currency", json_object_get(e, "currency")));
	json_decref(doc);
	return out;
}

static int plans_page(struct http_req *r, int status, const char *error)
{
	static const char *const refund_v[] = { "pass", "withhold", NULL };
	static const char *const refund_l[] = { "pass on to the customer", "withhold", NULL };
	static const char *const tax_v[] = { "strip", "pass", NULL };
	static const char *const tax_l[] = { "strip (reclaimed)", "pass through", NULL };
	static const char *const fee_v[] = { "flat", "per_account", "percent", NULL };
	struct rb_err err;
	json_t *doc = NULL, *plans, *p, *ctx, *prev = NULL;
	char pb[PERIOD_BUFSZ], why[1024];
	const char *done = http_query(r, "done");
	size_t i, k;
	int period = -1, rc;

	rb_err_clear(&err);
	if (http_period(&period, r) < 0) {
		if (r->status != 404)
			return 0;
		period = -1;        /* nothing imported: no preview */
	}
	if ((rc = store_config_export(&doc, r->store, &err)) < 0)
		return http_page_fail(r, rc, &err);
	why[0] = 0;
	prev = period >= 0 ? previews(r, period, why, sizeof(why)) : json_object();
	plans = json_array();
	json_array_foreach(json_object_get(doc, "plans"), i, p) {
		json_t *o, *rules = json_array(), *fees = json_array(), *custs = json_array(), *e,
			*disc = json_array();
		const char *id = config_str(p, "id"), *dk;
		char dtext[1024];
		size_t dl = 0;
		json_array_foreach(json_object_get(p, "rules"), k, e) {
			char d[512], which[24];
			config_rule_describe(d, sizeof(d), e);
			snprintf(which, sizeof(which), "%zu", k + 1);
			json_array_append_new(rules, json_pack("{s:s,s:s}", "n", which, "what", d));
		}
		json_array_foreach(json_object_get(p, "fees"), k, e) {
			char d[512], which[24];
			config_fee_describe(d, sizeof(d), e);
			snprintf(which, sizeof(which), "%zu", k + 1);
			json_array_append_new(fees, json_pack("{s:s,s:s}", "n", which, "what", d));
		}
		dtext[0] = 0;
		json_object_foreach(json_object_get(p, "discounts"), dk, e) {
			json_array_append_new(disc, json_pack("{s:s,s:s}", "type", dk, "factor",
				json_string_value(e) ? json_string_value(e) : ""));
			dl += (size_t)snprintf(dtext + dl, dl < sizeof(dtext) ? sizeof(dtext) - dl : 0,
				"%s%s=%s", dl ? "," : "", dk, json_string_value(e) ? json_string_value(e) : "");
			if (dl >= sizeof(dtext))
				dl = sizeof(dtext) - 1;
		}
		json_array_foreach(json_object_get(doc, "customers"), k, e) {
			json_t *pv;
			if (strcmp(config_str(e, "plan"), id))
				continue;
			pv = json_object_get(prev, config_str(e, "id"));
			json_array_append_new(custs, json_pack("{s:s,s:O,s:O}", "customer",
				config_str(e, "id"), "total", pv ? json_object_get(pv, "total") : json_null(),
				"currency", pv ? json_object_get(pv, "currency") : json_object_get(e, "currency")));
		}
		o = json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o}",
			"id", id, "basis_options", options(basis_values, basis_labels,
				config_str(p, "basis")),
			"basis", config_str(p, "basis"), "currency", config_str(p, "currency"),
			"markup_pct", config_str(p, "markup_pct"), "credits", config_str(p, "credits"),
			"refunds", config_str(p, "refunds"), "tax", config_str(p, "tax"),
			"refund_options", options(refund_v, refund_l, config_str(p, "refunds")),
			"tax_options", options(tax_v, tax_l, config_str(p, "tax")),
			"rules", rules, "fees", fees, "discounts", disc, "discounts_text", dtext,
			"customers", custs, "fee_types", options(fee_v, fee_v, NULL),
			"can_edit", json_boolean(can_edit(r)));
		for (k = 0; basis_values[k]; k++)
			if (!strcmp(basis_values[k], config_str(p, "basis")))
				json_object_set_new(o, "basis_label", json_string(basis_labels[k]));
		json_array_append_new(plans, o);
	}
	if (period >= 0)
		period_format(pb, period);
	ctx = json_pack("{s:o,s:o,s:o,s:b}", "plans", plans, "period", period >= 0 ?
		json_string(pb) : json_null(), "new_basis", options(basis_values, basis_labels, NULL),
		"can_edit", can_edit(r));
	if (why[0])
		json_object_set_new(ctx, "preview_error", json_string(why));
	if (period >= 0)
		json_object_set_new(ctx, "picker", http_picker(r, period, &err));
	if (done)
		json_object_set_new(ctx, "done", done_text(done));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_decref(prev);
	json_decref(doc);
	return http_render(r, status, "plans.html", "Plans", ctx);
}

int h_plans_page(struct http_req *r)
{
	return plans_page(r, 200, NULL);
}

/* After a form: back to the page (303), or the page with the problem. */
static int after(struct http_req *r, const char *msg, int fatal, const char *page,
	int (*again)(struct http_req *, int, const char *), const char *done)
{
	char to[600];
	if (fatal)
		return 0;
	if (msg)
		return again(r, 400, msg);
	snprintf(to, sizeof(to), "%s?done=%s", page, done);
	return http_redirect(r, to);
}

/* "" is "not given" in a form, except where it means "default". */
static const char *given(const char *s)
{
	return *s ? s : NULL;
}

static int plan_form(struct http_req *r, int add)
{
	char id[128], basis[32], currency[16], markup[64], credits[64], refunds[16], tax[16],
		disc[512], csrf[128], msg[1400];
	struct http_form f = { { "id", "basis", "currency", "markup_pct", "credits", "refunds", "tax",
		"discounts", "csrf" }, { id, basis, currency, markup, credits, refunds, tax, disc, csrf },
		{ sizeof(id), sizeof(basis), sizeof(currency), sizeof(markup), sizeof(credits),
		  sizeof(refunds), sizeof(tax), sizeof(disc), sizeof(csrf) } };
	struct config_plan_change c;
	const char *m;
	int fatal;

	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.add = add;
	c.id = add ? id : r->id;
	/* the form shows every field: what it sends is the plan ("" = default) */
	c.values[0] = given(basis);
	c.values[1] = add ? given(currency) : currency;
	c.values[2] = add ? given(markup) : markup;
	c.values[3] = add ? given(credits) : credits;
	c.values[4] = given(refunds);
	c.values[5] = given(tax);
	c.discounts = given(disc);
	if (add && !*id)
		return plans_page(r, 400, "a new plan needs an id");
	m = form_edit(r, config_plan_edit, &c, add ? "plan add" : "plan set", msg, sizeof(msg),
		&fatal);
	return after(r, m, fatal, "/console/plans", plans_page, add ? "plan-added" : "plan-saved");
}

int h_plan_add_form(struct http_req *r)
{
	return plan_form(r, 1);
}

int h_plan_set_form(struct http_req *r)
{
	return plan_form(r, 0);
}

int h_rule_add_form(struct http_req *r)
{
	char v[CONFIG_RULE_NFIELDS][256], exclude[8], csrf[128], msg[1400];
	struct http_form f = { { "service", "usage_type", "region", "account", "line_item_type",
		"markup_pct", "exclude", "csrf" }, { v[0], v[1], v[2], v[3], v[4], v[5], exclude, csrf },
		{ 256, 256, 256, 256, 256, 256, sizeof(exclude), sizeof(csrf) } };
	struct config_rule_add c;
	const char *m;
	size_t k;
	int fatal;

	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.plan = r->id;
	for (k = 0; k < CONFIG_RULE_NFIELDS; k++)
		c.values[k] = given(v[k]);
	c.exclude = *exclude != 0;
	if (c.exclude)
		c.values[CONFIG_RULE_NMATCH] = NULL;   /* exclude or a markup, not both */
	m = form_edit(r, config_rule_add_edit, &c, "plan rule add", msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/plans", plans_page, "rule-added");
}

static int remove_form(struct http_req *r, int fee)
{
	char which[300], csrf[128], msg[1400];
	struct http_form f = { { "which", "csrf" }, { which, csrf }, { sizeof(which), sizeof(csrf) } };
	struct config_item_remove c;
	const char *m;
	int fatal;
	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.plan = r->id;
	c.which = which;
	m = form_edit(r, fee ? config_fee_remove_edit : config_rule_remove_edit, &c,
		fee ? "plan fee remove" : "plan rule remove", msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/plans", plans_page, fee ? "fee-removed" : "rule-removed");
}

int h_rule_remove_form(struct http_req *r)
{
	return remove_form(r, 0);
}

int h_fee_remove_form(struct http_req *r)
{
	return remove_form(r, 1);
}

int h_fee_add_form(struct http_req *r)
{
	char v[CONFIG_FEE_NFIELDS][256], csrf[128], msg[1400];
	struct http_form f = { { "type", "amount", "pct", "min", "max", "description", "csrf" },
		{ v[0], v[1], v[2], v[3], v[4], v[5], csrf }, { 256, 256, 256, 256, 256, 256,
		sizeof(csrf) } };
	struct config_fee_add c;
	const char *m;
	size_t k;
	int fatal;
	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.plan = r->id;
	for (k = 0; k < CONFIG_FEE_NFIELDS; k++)
		c.values[k] = given(v[k]);
	m = form_edit(r, config_fee_add_edit, &c, "plan fee add", msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/plans", plans_page, "fee-added");
}

/* ---- tax clusters ---- */

static int clusters_page(struct http_req *r, int status, const char *error)
{
	static const char *const cat_v[] = { "", "S", "AE", "Z", "E", "O", NULL };
	static const char *const cat_l[] = { "(default)", "S standard", "AE reverse charge",
		"Z zero rated", "E exempt", "O outside scope", NULL };
	struct rb_err err;
	json_t *doc = NULL, *list, *c, *ctx;
	const char *done = http_query(r, "done");
	size_t i, k;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_config_export(&doc, r->store, &err)) < 0)
		return http_page_fail(r, rc, &err);
	list = json_array();
	json_array_foreach(json_object_get(doc, "tax_clusters"), i, c) {
		json_t *e, *users = json_array();
		json_array_foreach(json_object_get(doc, "customers"), k, e)
			if (!strcmp(config_str(e, "tax_cluster"), config_str(c, "id")))
				json_array_append_new(users, json_string(config_str(e, "id")));
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b}",
			"id", config_str(c, "id"), "name", config_str(c, "name"),
			"rate_pct", config_str(c, "rate_pct"), "note", config_str(c, "note"),
			"category", config_str(c, "category"), "categories", options(cat_v, cat_l,
				config_str(c, "category")), "customers", users, "can_edit", can_edit(r)));
	}
	json_decref(doc);
	ctx = json_pack("{s:o,s:b,s:o}", "clusters", list, "can_edit", can_edit(r),
		"categories", options(cat_v, cat_l, ""));
	if (done)
		json_object_set_new(ctx, "done", done_text(done));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	return http_render(r, status, "tax_clusters.html", "Tax clusters", ctx);
}

int h_tax_clusters_page(struct http_req *r)
{
	return clusters_page(r, 200, NULL);
}

static int cluster_form(struct http_req *r, int add)
{
	char id[128], name[256], rate[64], note[512], cat[8], csrf[128], msg[1400];
	struct http_form f = { { "id", "name", "rate_pct", "note", "category", "csrf" },
		{ id, name, rate, note, cat, csrf }, { sizeof(id), sizeof(name), sizeof(rate),
		sizeof(note), sizeof(cat), sizeof(csrf) } };
	struct config_tax_cluster_change c;
	const char *m;
	int fatal;
	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.add = add;
	c.id = add ? id : r->id;
	if (add && !*id)
		return clusters_page(r, 400, "a new tax cluster needs an id");
	c.values[0] = given(name);
	c.values[1] = given(rate);
	c.values[2] = add ? given(note) : note;   /* "" clears it */
	c.values[3] = add ? given(cat) : cat;
	m = form_edit(r, config_tax_cluster_edit, &c, add ? "tax-cluster add" : "tax-cluster set",
		msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/tax-clusters", clusters_page,
		add ? "cluster-added" : "cluster-saved");
}

int h_tax_cluster_add_form(struct http_req *r)
{
	return cluster_form(r, 1);
}

int h_tax_cluster_set_form(struct http_req *r)
{
	return cluster_form(r, 0);
}

/* ---- FX ---- */

static int fx_page(struct http_req *r, int status, const char *error)
{
	struct rb_err err;
	json_t *doc = NULL, *list, *e, *ctx, *need;
	const char *done = http_query(r, "done");
	size_t i;
	int rc;
	rb_err_clear(&err);
	if ((rc = store_config_export(&doc, r->store, &err)) < 0)
		return http_page_fail(r, rc, &err);
	list = json_array();
	json_array_foreach(json_object_get(doc, "fx"), i, e)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:b}", "period",
			config_str(e, "period"), "currency", config_str(e, "currency"), "rate",
			config_str(e, "rate"), "can_edit", can_edit(r)));
	/* the currencies customers invoice in, other than USD: each needs a rate */
	need = json_array();
	json_array_foreach(json_object_get(doc, "customers"), i, e) {
		const char *cur = config_str(e, "currency");
		size_t k;
		json_t *x;
		int seen = !strcmp(cur, "USD");
		json_array_foreach(need, k, x)
			seen |= !strcmp(json_string_value(x), cur);
		if (!seen)
			json_array_append_new(need, json_string(cur));
	}
	json_decref(doc);
	ctx = json_pack("{s:o,s:o,s:b}", "rates", list, "currencies", need, "can_edit", can_edit(r));
	if (done)
		json_object_set_new(ctx, "done", done_text(done));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	return http_render(r, status, "fx.html", "Exchange rates", ctx);
}

int h_fx_page(struct http_req *r)
{
	return fx_page(r, 200, NULL);
}

int h_fx_set_form(struct http_req *r)
{
	char period[16], currency[16], rate[64], csrf[128], msg[1400];
	struct http_form f = { { "period", "currency", "rate", "csrf" }, { period, currency, rate,
		csrf }, { sizeof(period), sizeof(currency), sizeof(rate), sizeof(csrf) } };
	struct config_fx_set c;
	const char *m;
	int fatal;
	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.period = period;
	c.currency = currency;
	c.rate = rate;
	m = form_edit(r, config_fx_set_edit, &c, "fx set", msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/fx", fx_page, "rate-set");
}

int h_fx_unset_form(struct http_req *r)
{
	char period[16], currency[16], csrf[128], msg[1400];
	struct http_form f = { { "period", "currency", "csrf" }, { period, currency, csrf },
		{ sizeof(period), sizeof(currency), sizeof(csrf) } };
	struct config_fx_unset c;
	const char *m;
	int fatal;
	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.period = period;
	c.currency = currency;
	m = form_edit(r, config_fx_unset_edit, &c, "fx unset", msg, sizeof(msg), &fatal);
	return after(r, m, fatal, "/console/fx", fx_page, "rate-removed");
}
