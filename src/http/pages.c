/*
 * pages.c: the server-rendered pages — login, the console's overview and
 * customers, the portal's month to date — and the embedded static files.
 * Each page builds a jansson context from library calls (src/report,
 * src/store), rounds amounts to cents for display and renders a template
 * (tmpl.h) inside the layout. Charts get their data in a data- attribute
 * that web/static/app.js reads: no inline script (the CSP forbids it).
 *
 * Not for: computing money (the report's values are shown, only rounded).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http/assets.h"
#include "http/tmpl.h"
#include "report/report.h"
#include "store/store_config.h"
#include "store/store_drill.h"
#include "store/store_facts.h"
#include "util/period.h"
#include "util/banned.h"

#define NTEMPLATES 32

static struct {
	const char *name;
	struct tmpl *t;
} templates[NTEMPLATES];
static size_t ntemplates;

int http_pages_init(struct rb_err *err)
{
	unsigned long i;
	int rc;
	for (i = 0; i < http_nassets; i++) {
		const struct http_asset *a = &http_assets[i];
		if (strncmp(a->name, "templates/", 10))
			continue;
		if (ntemplates == NTEMPLATES)
			return rb_err_set(err, RB_EBALANCE, "more than %d templates", NTEMPLATES);
		if ((rc = tmpl_parse(&templates[ntemplates].t, a->name, (const char *)a->data, a->len,
				err)) < 0)
			return rc;
		templates[ntemplates++].name = a->name + 10;
	}
	return 0;
}

void http_pages_free(void)
{
	while (ntemplates)
		tmpl_free(templates[--ntemplates].t);
}

static const struct tmpl *find(const char *name)
{
	size_t i;
	for (i = 0; i < ntemplates; i++)
		if (!strcmp(templates[i].name, name))
			return templates[i].t;
	return NULL;
}

int http_render(struct http_req *r, int status, const char *name, const char *title,
	json_t *ctx)
{
	struct rb_err err;
	struct strbuf body;
	const struct tmpl *page = find(name), *layout = find("layout.html");
	json_t *lc;
	int rc;

	rb_err_clear(&err);
	if (!page || !layout) {
		json_decref(ctx);
		return http_error(r, 500, "internal", NULL, "no template '%s'", name);
	}
	strbuf_init(&body, 4096, (size_t)16 << 20);
	json_object_set_new(ctx, "title", json_string(title));
	if (r->authed) {
		json_object_set_new(ctx, "user", json_pack("{s:s,s:s,s:b}", "email", r->user.email,
			"role", http_role_name(r->user.role), "staff", r->user.role != ROLE_CUSTOMER));
		/* the nav's finance pages (reconciliation, receivables) */
		json_object_set_new(json_object_get(ctx, "user"), "finance",
			json_boolean(r->user.role == ROLE_ADMIN || r->user.role == ROLE_FINANCE));
		json_object_set_new(ctx, "csrf", json_string(r->user.csrf));
	}
	if ((rc = tmpl_render(&body, page, ctx, &err)) < 0) {
		strbuf_release(&body);
		json_decref(ctx);
		return http_fail(r, RB_EIO, &err);
	}
	lc = json_deep_copy(ctx);
	json_object_set_new(lc, "content", json_stringn(body.buf ? body.buf : "", body.len));
	strbuf_release(&body);
	strbuf_reset(&r->out);
	rc = tmpl_render(&r->out, layout, lc, &err);
	json_decref(lc);
	json_decref(ctx);
	if (rc < 0)
		return http_fail(r, RB_EIO, &err);
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	return 0;
}

/* An amount for display: rounded half away from zero to cents. */
static json_t *cents(rb_i128 v, int scale)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, scale, 2);
	return json_string(buf);
}

static json_t *jperiod(int p)
{
	char pb[PERIOD_BUFSZ];
	period_format(pb, p);
	return json_string(pb);
}

int http_page_fail(struct http_req *r, int rc, const struct rb_err *err)
{
	http_fail(r, rc, err);
	{
		int status = r->status;
		json_t *ctx = json_pack("{s:s}", "message", err->msg[0] && status < 500 ? err->msg
			: "internal error (logged on the server)");
		http_render(r, status, "error.html", "Error", ctx);
	}
	return 0;
}

/* A period whose margin cannot be computed (a customer with fee or custom
 * lines but no exchange rate, spec §6): the page still renders, without
 * the figures, saying why and where to mend it, instead of failing whole. */
static int margin_unavailable(json_t *ctx, int rc, const struct rb_err *err)
{
	if (rc != RB_EINPUT)
		return 0;
	json_object_set_new(ctx, "margin_error", json_string(err->msg));
	json_object_set_new(ctx, "margin_error_fx", json_boolean(strstr(err->msg,
		"exchange rate") != NULL));
	return 1;
}

int h_root(struct http_req *r)
{
	if (!r->authed)
		return http_redirect(r, "/login");
	return http_redirect(r, r->user.role == ROLE_CUSTOMER ? "/portal" : "/console");
}

int http_login_page(struct http_req *r, int status, const char *error)
{
	json_t *ctx = json_object();
	int authed = r->authed;
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	r->authed = 0; /* the login page shows no user, even for a failed re-login */
	http_render(r, status, "login.html", "Log in", ctx);
	r->authed = authed;
	return 0;
}

int h_login_page(struct http_req *r)
{
	return http_login_page(r, 200, NULL);
}

/* The periods with facts, newest first, marking `cur`. */
static json_t *period_choices(struct http_req *r, int cur, struct rb_err *err)
{
	int *pi = NULL;
	size_t n = 0, i;
	json_t *a = json_array();
	if (store_period_ids(&pi, &n, r->store, err) < 0)
		return a;
	for (i = n; i-- > 0;)
		json_array_append_new(a, json_pack("{s:o,s:b}", "period", jperiod(pi[i]),
			"selected", pi[i] == cur));
	free(pi);
	return a;
}

/* The layout's period picker: the form's action (this page) and the periods. */
json_t *http_picker(struct http_req *r, int cur, struct rb_err *err)
{
	return json_pack("{s:s,s:o}", "action", r->path, "periods", period_choices(r, cur, err));
}

static int by_billed_desc(const void *a, const void *b)
{
	const struct report_margin_row *x = *(const struct report_margin_row *const *)a;
	const struct report_margin_row *y = *(const struct report_margin_row *const *)b;
	return x->billed < y->billed ? 1 : x->billed > y->billed ? -1 : strcmp(x->key, y->key);
}

/* The 12-month trend up to `period`: cost, billed and margin per period
 * with facts (each the margin report's total), as a chart document. Costs
 * in several currencies: three series per currency, never one sum. */
static char *trend_chart(struct http_req *r, int period, struct rb_err *err)
{
	struct store_period_info *pi = NULL;
	struct report_margin *ms[12];
	char cur[8][4];
	json_t *labels = json_array(), *series = json_array(), *chart;
	size_t n = 0, nm = 0, ncur = 0, i, j, k;
	char *out;

	if (store_period_list(&pi, &n, r->store, err) == 0) {
		for (i = 0; i < n && nm < 12; i++) {
			struct report_margin *m = NULL;
			if (pi[i].period > period || pi[i].period <= period - 12)
				continue;
			if (report_margin(&m, r->store, pi[i].period, REPORT_BY_TYPE, NULL, err) < 0)
				continue; /* a period that cannot be rated is left out of the picture */
			json_array_append_new(labels, jperiod(pi[i].period));
			ms[nm++] = m;
			for (j = 0; j < m->ntotals; j++) {
				for (k = 0; k < ncur; k++)
					if (!strcmp(cur[k], m->totals[j].currency))
						break;
				if (k == ncur && ncur < 8)
					memcpy(cur[ncur++], m->totals[j].currency, 4);
			}
		}
	}
	free(pi);
	rb_err_clear(err);
	if (!ncur)
		memcpy(cur[ncur++], "USD", 4);
	for (k = 0; k < ncur; k++) {
		static const char *const what[3] = { "Cost (effective, ", "Billed (", "Margin (" };
		int w;
		for (w = 0; w < 3; w++) {
			json_t *data = json_array();
			char label[48];
			snprintf(label, sizeof(label), "%s%s)", what[w], cur[k]);
			for (i = 0; i < nm; i++) {
				const struct report_margin_row *t = NULL;
				for (j = 0; j < ms[i]->ntotals; j++)
					if (!strcmp(ms[i]->totals[j].currency, cur[k]))
						t = &ms[i]->totals[j];
				json_array_append_new(data, !t ? json_integer(0) :
					w == 0 ? cents(t->effective, DEC_SCALE) :
					w == 1 ? cents(t->billed, RATE_SCALE) : cents(t->margin, RATE_SCALE));
			}
			json_array_append_new(series, json_pack("{s:s,s:o}", "label", label, "data", data));
		}
	}
	for (i = 0; i < nm; i++)
		report_margin_free(ms[i]);
	chart = json_pack("{s:s,s:o,s:o}", "type", "line", "labels", labels, "series", series);
	out = json_dumps(chart, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(chart);
	return out;
}

int h_overview(struct http_req *r)
{
	struct rb_err err;
	struct report_margin *m = NULL;
	struct report_margin_row **sorted = NULL;
	json_t *ctx, *top, *labels, *cost, *billed, *margin, *un = NULL;
	json_t *unrows = json_array();
	size_t i, k, nun = 0, naccts = 0;
	int period, rc, multi;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Overview", json_object());
		return 0;
	}
	rb_err_clear(&err);
	if ((rc = report_margin(&m, r->store, period, REPORT_BY_CUSTOMER, NULL, &err)) < 0) {
		json_t *c = json_pack("{s:o}", "period", jperiod(period));
		json_decref(unrows);
		if (margin_unavailable(c, rc, &err)) {
			json_object_set_new(c, "picker", http_picker(r, period, &err));
			return http_render(r, 200, "overview.html", "Overview", c);
		}
		json_decref(c);
		return http_page_fail(r, rc, &err);
	}
	/* costs in several currencies (or one not USD): each figure names its
	 * currency, and the totals are one per currency */
	multi = m->ntotals > 1 || (m->ntotals == 1 && strcmp(m->totals[0].currency, "USD"));
	sorted = calloc(m->n ? m->n : 1, sizeof(*sorted));
	for (i = k = 0; i < m->n; i++) {
		if (!strcmp(m->rows[i].key, REPORT_UNASSIGNED)) {
			if (m->rows[i].unblended != 0) {
				json_array_append_new(unrows, json_pack("{s:o,s:s}", "cost",
					cents(m->rows[i].unblended, DEC_SCALE), "currency", m->rows[i].currency));
				nun++;
			}
		} else {
			sorted[k++] = &m->rows[i];
		}
	}
	qsort(sorted, k, sizeof(*sorted), by_billed_desc);
	top = json_array();
	labels = json_array();
	cost = json_array();
	billed = json_array();
	margin = json_array();
	for (i = 0; i < k && i < 10; i++) {
		const struct report_margin_row *row = sorted[i];
		json_array_append_new(top, json_pack("{s:s,s:s,s:o,s:o,s:o}", "customer", row->key,
			"currency", row->currency,
			"cost", cents(row->effective, DEC_SCALE), "billed", cents(row->billed, RATE_SCALE),
			"margin", cents(row->margin, RATE_SCALE)));
		if (multi) {
			size_t len = strlen(row->key) + 8;
			char *name = malloc(len);
			if (name)
				snprintf(name, len, "%s (%s)", row->key, row->currency);
			json_array_append_new(labels, json_string(name ? name : row->key));
			free(name);
		} else {
			json_array_append_new(labels, json_string(row->key));
		}
		json_array_append_new(cost, cents(row->effective, DEC_SCALE));
		json_array_append_new(billed, cents(row->billed, RATE_SCALE));
		json_array_append_new(margin, cents(row->margin, RATE_SCALE));
	}
	if (nun) {
		json_t *accts = NULL;
		if (report_unassigned_json(&accts, r->store, period, &err) < 0)
			accts = json_array();
		naccts = json_array_size(accts);
		{
			/* "7.77 USD", or "6234.55 INR, 92.35 USD": never one sum of two currencies */
			char text[512];
			size_t off = 0, u;
			text[0] = '\0';
			for (u = 0; u < json_array_size(unrows) && off < sizeof(text); u++) {
				json_t *e = json_array_get(unrows, u);
				int w = snprintf(text + off, sizeof(text) - off, "%s%s %s", u ? ", " : "",
					json_string_value(json_object_get(e, "cost")),
					json_string_value(json_object_get(e, "currency")));
				if (w < 0)
					break;
				off += (size_t)w;
			}
			un = json_pack("{s:s,s:I}", "cost", text, "accounts", (json_int_t)naccts);
		}
		json_decref(accts);
	}
	json_decref(unrows);
	{
		char lc[40], lb[40], lm[40];
		const char *one = multi && m->ntotals == 1 ? m->totals[0].currency : "USD";
		json_t *chart;
		if (m->ntotals > 1) {
			snprintf(lc, sizeof(lc), "Cost (effective)");
			snprintf(lb, sizeof(lb), "Billed");
			snprintf(lm, sizeof(lm), "Margin");
		} else {
			snprintf(lc, sizeof(lc), "Cost (effective, %s)", one);
			snprintf(lb, sizeof(lb), "Billed (%s)", one);
			snprintf(lm, sizeof(lm), "Margin (%s)", one);
		}
		chart = json_pack("{s:s,s:o,s:[{s:s,s:o},{s:s,s:o},{s:s,s:o}]}", "type", "bar",
			"labels", labels, "series", "label", lc, "data", cost,
			"label", lb, "data", billed, "label", lm, "data", margin);
		char *cj = json_dumps(chart, JSON_COMPACT | JSON_PRESERVE_ORDER);
		ctx = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "period", jperiod(period),
			"picker", http_picker(r, period, &err),
			"cost", cents(m->total.effective, DEC_SCALE),
			"unblended", cents(m->total.unblended, DEC_SCALE),
			"billed", cents(m->total.billed, RATE_SCALE),
			"margin", cents(m->total.margin, RATE_SCALE), "chart", cj ? cj : "{}");
		free(cj);
		json_decref(chart);
	}
	if (multi) {
		json_t *tt = json_array();
		for (i = 0; i < m->ntotals; i++)
			json_array_append_new(tt, json_pack("{s:s,s:o,s:o,s:o,s:o}", "currency",
				m->totals[i].currency, "cost", cents(m->totals[i].effective, DEC_SCALE),
				"unblended", cents(m->totals[i].unblended, DEC_SCALE),
				"billed", cents(m->totals[i].billed, RATE_SCALE),
				"margin", cents(m->totals[i].margin, RATE_SCALE)));
		json_object_set_new(ctx, "multi", json_true());
		json_object_set_new(ctx, "totals", tt);
	}
	json_object_set_new(ctx, "top", top);
	json_object_set_new(ctx, "unassigned", un ? un : json_null());
	{
		char *tj = trend_chart(r, period, &err);
		json_object_set_new(ctx, "trend", json_string(tj ? tj : "{}"));
		free(tj);
	}
	free(sorted);
	report_margin_free(m);
	return http_render(r, 200, "overview.html", "Overview", ctx);
}

int h_customers_page(struct http_req *r)
{
	struct rb_err err;
	struct report_margin *m = NULL;
	json_t *doc = NULL, *list, *c;
	size_t i, k;
	int period, rc, have_period, multi = 0;

	rb_err_clear(&err);
	have_period = http_period(&period, r) == 0;
	if (!have_period && r->status != 404)
		return 0;
	if ((rc = store_config_export(&doc, r->store, &err)) < 0)
		return http_page_fail(r, rc, &err);
	if (have_period && (rc = report_margin(&m, r->store, period, REPORT_BY_CUSTOMER, NULL,
			&err)) < 0) {
		if (rc != RB_EINPUT) {
			json_decref(doc);
			return http_page_fail(r, rc, &err);
		}
		m = NULL;   /* the list without figures, and why (margin_unavailable) */
	}
	list = json_array();
	json_array_foreach(json_object_get(doc, "customers"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		json_t *o = json_pack("{s:s,s:O,s:O,s:O,s:I}", "id", id, "name", json_object_get(c, "name"),
			"currency", json_object_get(c, "currency"), "plan", json_object_get(c, "plan"),
			"accounts", (json_int_t)json_array_size(json_object_get(c, "accounts")));
		for (k = 0; m && k < m->n; k++)
			if (!strcmp(m->rows[k].key, id)) {
				/* in the currency of the customer's costs (spec §6: USD
				 * unless its payer bills in another), not its invoice's */
				json_object_set_new(o, "amounts_in", json_string(m->rows[k].currency));
				json_object_set_new(o, "cost", cents(m->rows[k].effective, DEC_SCALE));
				json_object_set_new(o, "billed", cents(m->rows[k].billed, RATE_SCALE));
				json_object_set_new(o, "margin", cents(m->rows[k].margin, RATE_SCALE));
				multi |= strcmp(m->rows[k].currency, "USD") != 0;
			}
		json_array_append_new(list, o);
	}
	json_decref(doc);
	c = json_pack("{s:o,s:o,s:b}", "customers", list, "period", have_period ? jperiod(period)
		: json_null(), "multi", multi);
	if (have_period && !m && rc == RB_EINPUT)
		margin_unavailable(c, rc, &err);
	if (have_period)
		json_object_set_new(c, "picker", http_picker(r, period, &err));
	report_margin_free(m);
	return http_render(r, 200, "customers.html", "Customers", c);
}

int h_portal(struct http_req *r)
{
	struct rb_err err;
	json_t *doc = NULL, *inv, *labels, *data, *l;
	char *cj;
	size_t i;
	int period, rc;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Month to date", json_object());
		return 0;
	}
	rb_err_clear(&err);
	if ((rc = http_portal_doc(&doc, r, period, &err)) < 0)
		return http_page_fail(r, rc, &err);
	inv = json_object_get(doc, "invoice");
	labels = json_array();
	data = json_array();
	json_array_foreach(json_object_get(inv, "lines"), i, l) {
		json_array_append(labels, json_object_get(l, "description"));
		json_array_append(data, json_object_get(l, "amount"));
	}
	{
		json_t *chart = json_pack("{s:s,s:o,s:[{s:s,s:o}]}", "type", "bar", "labels", labels,
			"series", "label", "Billed", "data", data);
		cj = json_dumps(chart, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(chart);
	}
	json_object_set_new(doc, "chart", json_string(cj ? cj : "{}"));
	free(cj);
	json_object_set_new(doc, "picker", http_picker(r, period, &err));
	return http_render(r, 200, "portal.html", "Month to date", doc);
}

int h_static(struct http_req *r)
{
	unsigned long i;
	char name[300];
	snprintf(name, sizeof(name), "static/%s", r->id);
	for (i = 0; i < http_nassets; i++)
		if (!strcmp(http_assets[i].name, name)) {
			strbuf_reset(&r->out);
			strbuf_add(&r->out, http_assets[i].data, http_assets[i].len);
			r->status = 200;
			r->ctype = http_assets[i].ctype;
			r->cacheable = 1;
			return 0;
		}
	return http_error(r, 404, "not_found", NULL, "no such file '%s'", r->id);
}

/* The unassigned accounts of the period, each with an assign form for
 * admin and finance; error (may be NULL) is a refused assignment. */
static int accounts_page(struct http_req *r, int status, const char *error)
{
	struct rb_err err;
	json_t *list = NULL, *doc = NULL, *custs, *rows, *a, *ctx;
	const char *assigned = http_query(r, "assigned");
	size_t i, nsplit = 0;
	int period, rc, can = r->user.role == ROLE_ADMIN || r->user.role == ROLE_FINANCE;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Unassigned accounts", json_object());
		return 0;
	}
	rb_err_clear(&err);
	if ((rc = report_unassigned_json(&list, r->store, period, &err)) < 0 ||
	    (rc = store_config_export(&doc, r->store, &err)) < 0) {
		json_decref(list);
		return http_page_fail(r, rc, &err);
	}
	custs = json_array();
	json_array_foreach(json_object_get(doc, "customers"), i, a)
		json_array_append_new(custs, json_pack("{s:O,s:O}", "id", json_object_get(a, "id"),
			"name", json_object_get(a, "name")));
	json_decref(doc);
	rows = json_array();
	json_array_foreach(list, i, a) {
		const char *u = json_string_value(json_object_get(a, "unblended"));
		const json_t *tag = json_object_get(a, "tag");
		rb_i128 v = 0;
		/* a split account's remainder (spec §9) is assigned by tag value in
		 * the configuration, not as a whole account from here */
		json_t *o = json_pack("{s:O,s:O,s:O,s:O,s:b}", "payer", json_object_get(a, "payer"),
			"account", json_object_get(a, "account"), "rows", json_object_get(a, "rows"),
			"currency", json_object_get(a, "currency"), "can_assign", can && !tag);
		if (u && dec_parse(&v, u, strlen(u), DEC_SCALE) == 0)
			json_object_set_new(o, "cost", cents(v, DEC_SCALE));
		if (tag) {
			const char *tv = json_string_value(json_object_get(a, "tag_value"));
			json_object_set_new(o, "split", json_sprintf("%s=%s", json_string_value(tag),
				tv ? tv : "(untagged)"));
			nsplit++;
		}
		json_array_append_new(rows, o);
	}
	json_decref(list);
	ctx = json_pack("{s:o,s:o,s:o,s:b}", "period", jperiod(period), "accounts", rows,
		"customers", custs, "has_split", nsplit > 0);
	if (assigned)
		json_object_set_new(ctx, "assigned", json_string(assigned));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	return http_render(r, status, "accounts.html", "Unassigned accounts", ctx);
}

int h_accounts_page(struct http_req *r)
{
	return accounts_page(r, 200, NULL);
}

int h_assign_form(struct http_req *r)
{
	char customer[128], from[16], csrf[128], to[300];
	struct http_form f = { { "customer", "from", "csrf" }, { customer, from, csrf },
		{ sizeof(customer), sizeof(from), sizeof(csrf) } };
	struct config_assign a;
	struct config_result cr;
	struct rb_err err;
	int rc;

	if (http_form_parse(r, &f) < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.account = r->id;
	a.customer = customer;
	a.from = *from ? from : NULL;
	config_result_init(&cr);
	rb_err_clear(&err);
	rc = store_config_edit_as(r->store, config_assign_edit, &a, "account assign", r->user.email,
		&cr, &err);
	if (rc == RB_EINPUT || rc == RB_EUSAGE) {
		char msg[1400];
		snprintf(msg, sizeof(msg), "account %s: %s", r->id,
			cr.nproblems ? cr.problems[0].msg : err.msg);
		config_result_release(&cr);
		return accounts_page(r, 400, msg);
	}
	config_result_release(&cr);
	if (rc < 0)
		return http_page_fail(r, rc, &err);
	snprintf(to, sizeof(to), "/console/accounts?assigned=%s", r->id);
	return http_redirect(r, to);
}

int h_customer_page(struct http_req *r)
{
	struct rb_err err;
	struct report_margin *m = NULL;
	struct report_invoices *inv = NULL;
	json_t *doc = NULL, *c, *cust = NULL, *ctx;
	size_t i;
	int period, rc;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Customer", json_object());
		return 0;
	}
	rb_err_clear(&err);
	if ((rc = store_config_export(&doc, r->store, &err)) < 0)
		return http_page_fail(r, rc, &err);
	json_array_foreach(json_object_get(doc, "customers"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), r->id))
			cust = json_incref(c);
	json_decref(doc);
	if (!cust) {
		snprintf(err.msg, sizeof(err.msg), "unknown customer '%s'", r->id);
		return http_page_fail(r, RB_EINPUT, &err);
	}
	ctx = json_pack("{s:o,s:o,s:o}", "customer", cust, "period", jperiod(period), "picker",
		http_picker(r, period, &err));
	rb_err_clear(&err);
	if ((rc = report_margin(&m, r->store, period, REPORT_BY_CUSTOMER, NULL, &err)) < 0) {
		if (!margin_unavailable(ctx, rc, &err)) {
			json_decref(ctx);
			return http_page_fail(r, rc, &err);
		}
		m = NULL;
	}
	/* the figures are in the currency of the customer's costs: USD, or the
	 * payer's own (an INR payer's costs are billed in INR, FX rate 1) */
	json_object_set_new(ctx, "cost_currency", json_string("USD"));
	json_object_set_new(ctx, "cost_usd", json_true());
	for (i = 0; m && i < m->n; i++)
		if (!strcmp(m->rows[i].key, r->id)) {
			json_object_set_new(ctx, "margin", json_pack("{s:o,s:o,s:o}",
				"cost", cents(m->rows[i].effective, DEC_SCALE),
				"billed", cents(m->rows[i].billed, RATE_SCALE),
				"margin", cents(m->rows[i].margin, RATE_SCALE)));
			json_object_set_new(ctx, "cost_currency", json_string(m->rows[i].currency));
			json_object_set_new(ctx, "cost_usd", json_boolean(!strcmp(m->rows[i].currency,
				"USD")));
		}
	report_margin_free(m);
	/* A draft that cannot be built (e.g. a missing exchange rate) is shown
	 * as the reason, beside the rest of the page. */
	if (report_invoices(&inv, r->store, period, r->id, &err) == 0) {
		json_t *d = report_invoices_json(inv);
		json_t *first = json_array_get(json_object_get(d, "invoices"), 0);
		json_object_set(ctx, "invoice", first ? first : json_null());
		json_decref(d);
		report_invoices_free(inv);
	} else {
		json_object_set_new(ctx, "invoice_error", json_string(err.msg));
	}
	return http_render(r, 200, "customer.html", "Customer", ctx);
}
