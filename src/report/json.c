/*
 * json.c: the JSON documents of the reports — one shape for the CLI's
 * --format json and the HTTP API, so both print the same bytes. Amounts are
 * decimal strings: invoice amounts at the currency's minor digits, USD cost
 * at 10 fractional digits (exact), billed USD, margins and withheld amounts
 * rounded half away from zero to 10 digits from their exact 18-digit value.
 *
 * Not for: tables and CSV (src/cli), computing anything.
 */
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>

#include "store/store_facts.h"
#include "config/config.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "report/json_text.h"
#include "util/banned.h"

static json_t *jamount(rb_i128 v, int scale, int digits)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, scale, digits);
	return json_text(buf);
}

static json_t *jcost(rb_i128 v)
{
	return jamount(v, DEC_SCALE, REPORT_DIGITS);
}

static json_t *jusd(rb_i128 v)
{
	return jamount(v, RATE_SCALE, REPORT_DIGITS);
}

static json_t *jperiod(int period)
{
	char pb[PERIOD_BUFSZ];
	period_format(pb, period);
	return json_text(pb);
}

/* A rule's match fields, in the configuration document's names. */
static json_t *jmatch(const struct config_rule *r)
{
	json_t *o = json_object();
	if (r->service)
		json_object_set_new(o, "service", json_text(r->service));
	if (r->usage_type)
		json_object_set_new(o, "usage_type", json_text(r->usage_type));
	if (r->region)
		json_object_set_new(o, "region", json_text(r->region));
	if (r->account)
		json_object_set_new(o, "account", json_text(r->account));
	if (r->line_item_type)
		json_object_set_new(o, "line_item_type", json_text(r->line_item_type));
	return o;
}

static json_t *jpct(rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format_min(buf, sizeof(buf), v, DEC_FACTOR_DIGITS);
	return json_text(buf);
}

/* "explain" of one invoice: rules are numbered from 1, as in the
 * preview's warnings ("plan 'standard', rule 2: ..."). */
static json_t *jexplain(const struct report_invoice *it)
{
	const struct config_plan *plan = it->customer->plan;
	const struct rate_explain *e = it->explain;
	json_t *o = json_object(), *items = json_array(), *unused = json_array();
	size_t k;

	json_object_set_new(o, "plan", json_text(plan->id));
	json_object_set_new(o, "basis", json_text(config_basis_name(plan->basis)));
	json_object_set_new(o, "markup_pct", jpct(plan->markup_pct));
	for (k = 0; k < e->n; k++) {
		const struct rate_explain_item *x = &e->items[k];
		json_t *io = json_object();
		json_object_set_new(io, "key", json_text(x->key));
		json_object_set_new(io, "description", json_text(x->description));
		if (x->rule >= 0) {
			json_object_set_new(io, "rule", json_integer(x->rule + 1));
			json_object_set_new(io, "match", jmatch(&plan->rules[x->rule]));
		} else {
			json_object_set_new(io, "rule", json_null());
		}
		json_object_set_new(io, "excluded", json_boolean(x->excluded));
		if (!x->excluded)
			json_object_set_new(io, "markup_pct", jpct(x->markup_pct));
		json_object_set_new(io, "rows", json_integer(x->rows));
		json_object_set_new(io, "base", jcost(x->base));
		json_object_set_new(io, "unblended", jcost(x->unblended));
		json_object_set_new(io, "billed_usd", jusd(x->billed));
		json_array_append_new(items, io);
	}
	json_object_set_new(o, "items", items);
	for (k = 0; k < e->nrules; k++) {
		json_t *uo;
		if (e->rule_used[k])
			continue;
		uo = json_object();
		json_object_set_new(uo, "rule", json_integer((json_int_t)k + 1));
		json_object_set_new(uo, "match", jmatch(&plan->rules[k]));
		json_array_append_new(unused, uo);
	}
	json_object_set_new(o, "unused_rules", unused);
	return o;
}

json_t *report_invoices_json(const struct report_invoices *r)
{
	json_t *root = json_object(), *invs = json_array();
	char buf[DEC_BUFSZ];
	size_t i, k;

	json_object_set_new(root, "period", jperiod(r->period));
	for (i = 0; i < r->n; i++) {
		const struct rate_invoice *inv = r->items[i].inv;
		json_t *o = json_object(), *lines = json_array();
		json_object_set_new(o, "customer", json_text(inv->customer));
		json_object_set_new(o, "currency", json_text(inv->currency));
		dec_format_min(buf, sizeof(buf), inv->fx, DEC_FACTOR_DIGITS);
		json_object_set_new(o, "fx", json_text(buf));
		for (k = 0; k < inv->nlines; k++) {
			const struct rate_line *l = &inv->lines[k];
			json_t *lo = json_object();
			json_object_set_new(lo, "kind", json_text(rate_line_kind_name(l->kind)));
			json_object_set_new(lo, "key", json_text(l->key));
			json_object_set_new(lo, "description", json_text(l->description));
			json_object_set_new(lo, "amount", jamount(l->amount, inv->minor, inv->minor));
			json_array_append_new(lines, lo);
		}
		json_object_set_new(o, "lines", lines);
		json_object_set_new(o, "subtotal", jamount(inv->subtotal, inv->minor, inv->minor));
		json_object_set_new(o, "tax", jamount(inv->tax, inv->minor, inv->minor));
		json_object_set_new(o, "total", jamount(inv->total, inv->minor, inv->minor));
		if (r->items[i].explain)
			json_object_set_new(o, "explain", jexplain(&r->items[i]));
		json_array_append_new(invs, o);
	}
	json_object_set_new(root, "invoices", invs);
	return root;
}

static const enum cur_class withheld_classes[] = { CUR_CREDIT, CUR_REFUND, CUR_DISCOUNT, CUR_TAX };

json_t *report_reconcile_json(const struct report_reconcile *r)
{
	json_t *root = json_object(), *a;
	size_t i, k;

	json_object_set_new(root, "period", jperiod(r->period));
	a = json_array();
	for (i = 0; i < r->npayers; i++) {
		const struct report_payer *p = &r->payers[i];
		json_t *o = json_object();
		json_object_set_new(o, "payer", json_text(p->payer));
		json_object_set_new(o, "currency", json_text(p->currency));
		json_object_set_new(o, "unblended", jcost(p->unblended));
		json_object_set_new(o, "assigned", jcost(p->assigned));
		json_object_set_new(o, "unassigned", jcost(p->unassigned));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "payers", a);
	a = json_array();
	for (i = 0; i < r->ncustomers; i++) {
		const struct report_customer *c = &r->customers[i];
		json_t *o = json_object(), *w = json_object();
		json_object_set_new(o, "customer", json_text(c->customer));
		json_object_set_new(o, "currency", json_text(c->currency));
		json_object_set_new(o, "unblended", jcost(c->unblended));
		json_object_set_new(o, "effective", jcost(c->effective));
		json_object_set_new(o, "ondemand", jcost(c->ondemand));
		json_object_set_new(o, "billed_usd", jusd(c->billed));
		json_object_set_new(o, "fees_usd", c->margin_known ? jusd(c->fees) : json_null());
		json_object_set_new(o, "revenue_usd", c->margin_known ? jusd(c->revenue) : json_null());
		json_object_set_new(o, "cost_usd", jcost(c->cost));
		json_object_set_new(o, "margin", c->margin_known ? jusd(c->margin) : json_null());
		for (k = 0; k < sizeof(withheld_classes) / sizeof(withheld_classes[0]); k++)
			json_object_set_new(w, cur_class_name(withheld_classes[k]),
				jusd(c->withheld[withheld_classes[k]]));
		json_object_set_new(o, "withheld", w);
		json_object_set_new(o, "excluded", jcost(c->excluded));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "customers", a);
	a = json_array();
	for (i = 0; i < r->nunassigned; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "payer", json_text(r->unassigned[i].payer));
		json_object_set_new(o, "account", json_text(r->unassigned[i].account));
		if (r->unassigned[i].tag) {
			json_object_set_new(o, "tag", json_text(r->unassigned[i].tag));
			json_object_set_new(o, "tag_value", r->unassigned[i].value ?
				json_text(r->unassigned[i].value) : json_null());
		}
		json_object_set_new(o, "currency", json_text(r->unassigned[i].currency));
		json_object_set_new(o, "unblended", jcost(r->unassigned[i].unblended));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "unassigned_accounts", a);
	a = json_array();
	for (i = 0; i < r->nother; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_text(r->other[i].type));
		json_object_set_new(o, "currency", json_text(r->other[i].currency));
		json_object_set_new(o, "rows", json_integer(r->other[i].rows));
		json_object_set_new(o, "unblended", jcost(r->other[i].unblended));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "other_types", a);
	return root;
}

static json_t *margin_row(const struct report_margin_row *row, int with_key)
{
	json_t *o = json_object();
	if (with_key)
		json_object_set_new(o, "key", json_text(row->key));
	json_object_set_new(o, "currency", json_text(row->currency[0] ? row->currency : "USD"));
	json_object_set_new(o, "unblended", jcost(row->unblended));
	json_object_set_new(o, "effective", jcost(row->effective));
	json_object_set_new(o, "billed_usd", jusd(row->billed));
	json_object_set_new(o, "fees_usd", jusd(row->fees));
	json_object_set_new(o, "revenue_usd", jusd(row->revenue));
	json_object_set_new(o, "cost_usd", jcost(row->cost));
	json_object_set_new(o, "margin", jusd(row->margin));
	return o;
}

/* "total" (null when the costs are in several currencies: never added)
 * and "totals", one per currency. */
static void margin_totals(json_t *root, const struct report_margin *m)
{
	json_t *a = json_array();
	size_t i;
	json_object_set_new(root, "total", m->mixed ? json_null() : margin_row(&m->total, 0));
	for (i = 0; i < m->ntotals; i++)
		json_array_append_new(a, margin_row(&m->totals[i], 0));
	if (!m->ntotals)
		json_array_append_new(a, margin_row(&m->total, 0));
	json_object_set_new(root, "totals", a);
}

json_t *report_margin_json(const struct report_margin *m, const char *by)
{
	json_t *root = json_object(), *rows = json_array();
	size_t i;

	json_object_set_new(root, "period", jperiod(m->period));
	json_object_set_new(root, "by", json_text(by));
	for (i = 0; i < m->n; i++)
		json_array_append_new(rows, margin_row(&m->rows[i], 1));
	json_object_set_new(root, "rows", rows);
	margin_totals(root, m);
	return root;
}

int report_unassigned_json(json_t **out, struct store *s, int period, struct rb_err *err)
{
	struct store_period_info *ps = NULL;
	size_t np = 0, i, k;
	json_t *arr = json_array();
	int ret = 0;

	*out = NULL;
	if (period >= 0) {
		ps = xcalloc(1, sizeof(*ps));
		ps[0].period = period;
		np = 1;
	} else if ((ret = store_period_list(&ps, &np, s, err)) < 0) {
		json_decref(arr);
		return ret;
	}
	for (i = 0; i < np && ret == 0; i++) {
		struct report_account *a = NULL;
		size_t n = 0;
		char pb[PERIOD_BUFSZ];
		period_format(pb, ps[i].period);
		if ((ret = report_unassigned(&a, &n, s, ps[i].period, err)) < 0)
			break;
		for (k = 0; k < n; k++) {
			json_t *o = json_object();
			json_object_set_new(o, "period", json_string(pb));
			json_object_set_new(o, "payer", json_text(a[k].payer));
			json_object_set_new(o, "account", json_text(a[k].account));
			if (a[k].tag) {
				json_object_set_new(o, "tag", json_text(a[k].tag));
				json_object_set_new(o, "tag_value", a[k].value ? json_text(a[k].value) :
					json_null());
			}
			json_object_set_new(o, "rows", json_integer(a[k].rows));
			json_object_set_new(o, "currency", json_text(a[k].currency));
			json_object_set_new(o, "unblended", jcost(a[k].unblended));
			json_array_append_new(arr, o);
		}
		report_accounts_free(a, n);
	}
	free(ps);
	if (ret < 0) {
		json_decref(arr);
		return ret;
	}
	*out = arr;
	return 0;
}

static json_t *jopt(const char *s)
{
	return s ? json_text(s) : json_null();
}

json_t *report_explore_json(const struct report_margin *m, const char *by,
	const struct report_filter *f)
{
	json_t *root = json_object(), *rows = json_array();
	size_t i;

	json_object_set_new(root, "from", jperiod(m->period));
	json_object_set_new(root, "to", jperiod(m->to));
	json_object_set_new(root, "by", json_text(by));
	json_object_set_new(root, "filters", json_pack("{s:o,s:o,s:o,s:o}",
		"customer", jopt(f ? f->customer : NULL), "account", jopt(f ? f->account : NULL),
		"service", jopt(f ? f->service : NULL), "region", jopt(f ? f->region : NULL)));
	json_object_set_new(root, "fees_included", json_boolean(m->fees_included));
	for (i = 0; i < m->n; i++)
		json_array_append_new(rows, margin_row(&m->rows[i], 1));
	json_object_set_new(root, "rows", rows);
	margin_totals(root, m);
	return root;
}

static json_t *credit_row(const struct report_credit_row *r, int with_key)
{
	static const char *const names[REPORT_CR_N] = { "credits", "refunds" };
	json_t *o = json_object();
	int k;
	if (with_key) {
		json_object_set_new(o, "period", jperiod(r->period));
		json_object_set_new(o, "customer", json_text(r->customer));
	}
	json_object_set_new(o, "currency", json_text(r->currency[0] ? r->currency : "USD"));
	json_object_set_new(o, "rows", json_integer(r->rows));
	for (k = 0; k < REPORT_CR_N; k++)
		json_object_set_new(o, names[k], json_pack("{s:o,s:o,s:o}", "aws", jcost(r->aws[k]),
			"passed_on", jusd(r->passed[k]), "withheld", jusd(r->withheld[k])));
	return o;
}

json_t *report_credits_json(const struct report_credits *c, const char *customer)
{
	json_t *root = json_object(), *rows = json_array();
	size_t i;

	json_object_set_new(root, "from", jperiod(c->from));
	json_object_set_new(root, "to", jperiod(c->to));
	json_object_set_new(root, "customer", jopt(customer));
	for (i = 0; i < c->n; i++)
		json_array_append_new(rows, credit_row(&c->rows[i], 1));
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "total", c->mixed ? json_null() : credit_row(&c->total, 0));
	rows = json_array();
	for (i = 0; i < c->ntotals; i++)
		json_array_append_new(rows, credit_row(&c->totals[i], 0));
	if (!c->ntotals)
		json_array_append_new(rows, credit_row(&c->total, 0));
	json_object_set_new(root, "totals", rows);
	return root;
}
