/*
 * pages_reports.c: the console's report pages — Explorer (group by and
 * filters in a plain GET form, a chart, the table, a CSV download of the
 * same query from /api/v1/explorer), Reconciliation (each payer's AWS total
 * against what customers hold and what nobody holds, the balance as the
 * report checked it; per customer billed, withheld and excluded),
 * Receivables (open, overdue with days late, paid, as of a date) and
 * Credits and refunds (applied by AWS vs passed on). Each calls the same
 * src/report or src/invoice function as its API route and only rounds the
 * amounts to cents for display; charts get their data in data-chart.
 *
 * Not for: computing money, authorization (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "invoice/invoice.h"
#include "report/report.h"
#include "store/store_config.h"
#include "store/store_facts.h"
#include "util/period.h"
#include "util/banned.h"

#define CHART_MAX 30    /* bars in the explorer's chart (the table has every row) */

/* An amount for display: rounded half away from zero to cents. */
static json_t *cents(rb_i128 v, int scale)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, scale, 2);
	return json_string(buf);
}

static json_t *jper(int p)
{
	char pb[PERIOD_BUFSZ];
	period_format(pb, p);
	return json_string(pb);
}

/* The periods with facts (pi[0..n), read once per page), newest first,
 * marking `cur`. */
static json_t *period_options(const struct store_period_info *pi, size_t n, int cur)
{
	json_t *a = json_array();
	size_t i;
	int seen = 0;
	for (i = n; i-- > 0;) {
		json_array_append_new(a, json_pack("{s:o,s:b}", "period", jper(pi[i].period),
			"selected", pi[i].period == cur));
		seen |= pi[i].period == cur;
	}
	if (!seen) /* a period asked for that has no facts stays visible */
		json_array_insert_new(a, 0, json_pack("{s:o,s:b}", "period", jper(cur), "selected", 1));
	return a;
}

/* Both period selects (from, to) of a report form into ctx. */
static void period_selects(json_t *ctx, struct http_req *r, int from, int to)
{
	struct store_period_info *pi = NULL;
	struct rb_err err;
	size_t n = 0;
	rb_err_clear(&err);
	if (store_period_list(&pi, &n, r->store, &err) < 0)
		n = 0;
	json_object_set_new(ctx, "from_periods", period_options(pi, n, from));
	json_object_set_new(ctx, "to_periods", period_options(pi, n, to));
	free(pi);
}

/* Appends &name=value (value percent-encoded) when value is set. */
static void query_add(struct strbuf *sb, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	if (!value)
		return;
	strbuf_addf(sb, "%s%s=", sb->len ? "&" : "", name);
	for (p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~:", *p))
			strbuf_addch(sb, *p);
		else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}

/* A select's options: the configured customers (and "(unassigned)" when
 * with_unassigned), marking `cur`. */
static json_t *customer_options(struct http_req *r, const char *cur, int with_unassigned)
{
	struct rb_err err;
	json_t *doc = NULL, *a = json_array(), *c;
	size_t i;
	rb_err_clear(&err);
	if (store_config_export(&doc, r->store, &err) == 0)
		json_array_foreach(json_object_get(doc, "customers"), i, c) {
			const char *id = json_string_value(json_object_get(c, "id"));
			json_array_append_new(a, json_pack("{s:s,s:O,s:b}", "id", id, "name",
				json_object_get(c, "name"), "selected", cur && !strcmp(cur, id)));
		}
	json_decref(doc);
	if (with_unassigned)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "id", REPORT_UNASSIGNED, "name",
			"accounts no customer holds", "selected", cur && !strcmp(cur, REPORT_UNASSIGNED)));
	return a;
}

/* The grouping choices: the fixed ones and tag:KEY for each tag key of period. */
static json_t *grouping_options(struct http_req *r, int period, const char *cur)
{
	static const struct { const char *value, *label; } fixed[] = {
		{ "customer", "Customer" }, { "account", "Account" }, { "service", "Service" },
		{ "region", "Region" }, { "line_item_type", "Line item type" }, { "day", "Day" },
	};
	struct store_tag_key *k = NULL;
	struct rb_err err;
	size_t n = 0, i;
	json_t *a = json_array();
	char v[300], l[320];

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", fixed[i].value, "label",
			fixed[i].label, "selected", !strcmp(cur, fixed[i].value)));
	rb_err_clear(&err);
	if (store_tag_keys(&k, &n, r->store, period, &err) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "tag:%s", k[i].key);
		snprintf(l, sizeof(l), "Tag %s", k[i].key);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", v, "label", l,
			"selected", !strcmp(cur, v)));
	}
	store_tag_keys_free(k, n);
	return a;
}

static json_t *margin_cells(const struct report_margin_row *row)
{
	return json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
		"currency", row->currency[0] ? row->currency : "USD", "rows", (json_int_t)row->rows,
		"unblended", cents(row->unblended, DEC_SCALE),
		"effective", cents(row->effective, DEC_SCALE),
		"billed", cents(row->billed, RATE_SCALE), "fees", cents(row->fees, RATE_SCALE),
		"revenue", cents(row->revenue, RATE_SCALE), "cost", cents(row->cost, DEC_SCALE),
		"margin", cents(row->margin, RATE_SCALE), "loss", row->margin < 0);
}

static int by_cost_desc(const void *a, const void *b)
{
	const struct report_margin_row *x = *(const struct report_margin_row *const *)a;
	const struct report_margin_row *y = *(const struct report_margin_row *const *)b;
	return x->cost < y->cost ? 1 : x->cost > y->cost ? -1 : strcmp(x->key, y->key);
}

/* The chart document of m: every row by day (a line), else the CHART_MAX
 * rows of the largest cost (bars); *cut set when rows were left out. */
static char *explore_chart(const struct report_margin *m, int *cut)
{
	const struct report_margin_row **rows = calloc(m->n ? m->n : 1, sizeof(*rows));
	json_t *labels = json_array(), *cost = json_array(), *billed = json_array(),
		*margin = json_array(), *chart;
	size_t i, n = m->n;
	char *out, lc[32], lb[32], lm[32];
	/* several currencies: each bar names its own, the series none */
	int multi = m->ntotals > 1;
	const char *one = m->ntotals == 1 ? m->totals[0].currency : "USD";

	snprintf(lc, sizeof(lc), "Cost (%s)", one);
	snprintf(lb, sizeof(lb), "Billed (%s)", one);
	snprintf(lm, sizeof(lm), "Margin (%s)", one);
	for (i = 0; i < m->n; i++)
		rows[i] = &m->rows[i];
	*cut = 0;
	if (m->by != REPORT_BY_DAY && n > CHART_MAX) {
		qsort(rows, n, sizeof(*rows), by_cost_desc);
		n = CHART_MAX;
		*cut = 1;
	}
	for (i = 0; i < n; i++) {
		if (multi) {
			size_t len = strlen(rows[i]->key) + 8;
			char *name = malloc(len);
			if (name)
				snprintf(name, len, "%s (%s)", rows[i]->key, rows[i]->currency);
			json_array_append_new(labels, json_string(name ? name : rows[i]->key));
			free(name);
		} else {
			json_array_append_new(labels, json_string(rows[i]->key));
		}
		json_array_append_new(cost, cents(rows[i]->cost, DEC_SCALE));
		json_array_append_new(billed, cents(rows[i]->billed, RATE_SCALE));
		json_array_append_new(margin, cents(rows[i]->margin, RATE_SCALE));
	}
	free(rows);
	chart = json_pack("{s:s,s:o,s:[{s:s,s:o},{s:s,s:o},{s:s,s:o}]}",
		"type", m->by == REPORT_BY_DAY ? "line" : "bar", "labels", labels,
		"series", "label", multi ? "Cost" : lc, "data", cost,
		"label", multi ? "Billed" : lb, "data", billed, "label", multi ? "Margin" : lm,
		"data", margin);
	out = json_dumps(chart, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(chart);
	return out;
}

/* The query that drills into row `key` of q: that key as a filter, grouped
 * by the next thing to look at (service, or account within a service); NULL
 * when the row is no one value of the grouping (fee lines, day, tag, type). */
static char *drill_query(const struct http_explore_q *q, const char *fb, const char *tb,
	const char *key)
{
	struct report_filter f = q->f;
	const char *by = "service";
	struct strbuf sb;

	if (!strcmp(key, REPORT_FEES))
		return NULL;
	if (!strcmp(key, REPORT_UNASSIGNED) && q->rby != REPORT_BY_ACCOUNT) {
		/* one line of every unassigned row: open it by account */
		f.customer = REPORT_UNASSIGNED;
		by = "account";
	} else if (q->rby == REPORT_BY_CUSTOMER)
		f.customer = key;
	else if (q->rby == REPORT_BY_ACCOUNT)
		f.account = key;
	else if (q->rby == REPORT_BY_SERVICE) {
		f.service = key;
		by = "account";
	} else if (q->rby == REPORT_BY_REGION)
		f.region = key;
	else
		return NULL;
	strbuf_init(&sb, 256, 8192);
	query_add(&sb, "period", fb);
	query_add(&sb, "to", tb);
	query_add(&sb, "by", by);
	query_add(&sb, "customer", f.customer);
	query_add(&sb, "account", f.account);
	query_add(&sb, "service", f.service);
	query_add(&sb, "region", f.region);
	{
		char *out = strbuf_detach(&sb, NULL);
		strbuf_release(&sb);  /* detach leaves a fresh buffer behind */
		return out;
	}
}

int h_explorer_page(struct http_req *r)
{
	struct http_explore_q q;
	struct report_margin *m = NULL;
	struct strbuf qs;
	struct rb_err err;
	json_t *ctx, *rows;
	char fb[PERIOD_BUFSZ], tb[PERIOD_BUFSZ], *cj;
	size_t i;
	int rc, cut = 0, status = 200;

	if (http_explore_query(&q, r, "customer") < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Explorer", json_object());
		return http_render(r, 400, "error.html", "Explorer",
			json_pack("{s:s}", "message", q.error));
	}
	period_format(fb, q.from);
	period_format(tb, q.to);
	ctx = json_pack("{s:s,s:s,s:b,s:o,s:o,s:s,s:s,s:s}", "from", fb, "to", tb,
		"range", q.from != q.to,
		"groupings", grouping_options(r, q.from, q.by),
		"customers", customer_options(r, q.f.customer, 1),
		"account", q.f.account ? q.f.account : "", "service", q.f.service ? q.f.service : "",
		"region", q.f.region ? q.f.region : "");
	period_selects(ctx, r, q.from, q.to);
	json_object_set_new(ctx, "by", json_string(q.by));
	{
		/* the grouping's label, as the form names it */
		json_t *g;
		size_t k;
		json_array_foreach(json_object_get(ctx, "groupings"), k, g)
			if (json_is_true(json_object_get(g, "selected")))
				json_object_set(ctx, "by_label", json_object_get(g, "label"));
		if (!json_object_get(ctx, "by_label"))
			json_object_set_new(ctx, "by_label", json_string(q.by));
	}
	if (q.f.customer || q.f.account || q.f.service || q.f.region)
		json_object_set_new(ctx, "filtered", json_true());

	/* the same query, as the API's CSV */
	strbuf_init(&qs, 256, 8192);
	query_add(&qs, "period", fb);
	query_add(&qs, "to", tb);
	query_add(&qs, "by", q.by);
	query_add(&qs, "customer", q.f.customer);
	query_add(&qs, "account", q.f.account);
	query_add(&qs, "service", q.f.service);
	query_add(&qs, "region", q.f.region);
	query_add(&qs, "format", "csv");
	json_object_set_new(ctx, "csv", json_stringn(qs.buf ? qs.buf : "", qs.len));
	strbuf_release(&qs);

	rb_err_clear(&err);
	if ((rc = report_explore(&m, r->store, q.from, q.to, q.rby, q.tag, &q.f, &err)) < 0) {
		if (rc != RB_EINPUT && rc != RB_EUSAGE) {
			json_decref(ctx);
			return http_page_fail(r, rc, &err);
		}
		/* the form stays, with the library's reason */
		json_object_set_new(ctx, "error", json_string(err.msg));
		return http_render(r, 400, "explorer.html", "Explorer", ctx);
	}
	rows = json_array();
	for (i = 0; i < m->n; i++) {
		json_t *o = margin_cells(&m->rows[i]);
		char *drill = drill_query(&q, fb, tb, m->rows[i].key);
		json_object_set_new(o, "key", json_string(m->rows[i].key));
		if (drill)
			json_object_set_new(o, "drill", json_string(drill));
		free(drill);
		json_array_append_new(rows, o);
	}
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "total", margin_cells(&m->total));
	if (m->ntotals > 1 || (m->ntotals == 1 && strcmp(m->totals[0].currency, "USD"))) {
		json_t *tt = json_array();
		for (i = 0; i < m->ntotals; i++)
			json_array_append_new(tt, margin_cells(&m->totals[i]));
		json_object_set_new(ctx, "multi", json_true());
		json_object_set_new(ctx, "totals", tt);
	}
	json_object_set_new(ctx, "fees_included", json_boolean(m->fees_included));
	cj = explore_chart(m, &cut);
	json_object_set_new(ctx, "chart", json_string(cj ? cj : "{}"));
	free(cj);
	if (cut)
		json_object_set_new(ctx, "chart_cut", json_integer(CHART_MAX));
	report_margin_free(m);
	return http_render(r, status, "explorer.html", "Explorer", ctx);
}

/* ---- reconciliation ----------------------------------------------------------- */

int h_reconciliation_page(struct http_req *r)
{
	static const enum cur_class wc[] = { CUR_CREDIT, CUR_REFUND, CUR_DISCOUNT, CUR_TAX };
	static const char *const wn[] = { "credit", "refund", "discount", "tax" };
	struct report_reconcile *rec = NULL;
	struct rb_err err;
	json_t *ctx, *a;
	size_t i, k;
	int period, rc;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Reconciliation", json_object());
		return 0;
	}
	rb_err_clear(&err);
	ctx = json_pack("{s:o,s:o}", "period", jper(period), "picker", http_picker(r, period, &err));
	rb_err_clear(&err);
	if ((rc = report_reconcile(&rec, r->store, period, &err)) == RB_EBALANCE) {
		/* the exact check failed: said plainly, with both sides */
		json_object_set_new(ctx, "mismatch", json_string(err.msg));
		return http_render(r, 200, "reconciliation.html", "Reconciliation", ctx);
	}
	if (rc < 0) {
		json_decref(ctx);
		return http_page_fail(r, rc, &err);
	}
	json_object_set_new(ctx, "balanced", json_true());
	/* payers billed in several currencies (or one other than USD): a
	 * currency column and totals per currency, never one sum of them */
	{
		int multi = rec->ntotals > 1 ||
			(rec->ntotals == 1 && strcmp(rec->totals[0].currency, "USD"));
		struct strbuf cs;
		strbuf_init(&cs, 16, 256);
		for (i = 0; i < rec->ntotals; i++)
			strbuf_addf(&cs, "%s%s", i ? ", " : "", rec->totals[i].currency);
		json_object_set_new(ctx, "currencies", json_string(rec->ntotals ? cs.buf : "USD"));
		strbuf_release(&cs);
		if (multi) {
			json_object_set_new(ctx, "multi", json_true());
			a = json_array();
			for (i = 0; i < rec->ntotals; i++) {
				const struct report_recon_total *t = &rec->totals[i];
				json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}",
					"currency", t->currency, "unblended", cents(t->unblended, DEC_SCALE),
					"assigned", cents(t->assigned, DEC_SCALE),
					"unassigned", cents(t->unassigned, DEC_SCALE),
					"customers", cents(t->customers, DEC_SCALE),
					"accounts", cents(t->accounts, DEC_SCALE)));
			}
			json_object_set_new(ctx, "by_currency", a);
		}
	}
	json_object_set_new(ctx, "totals", json_pack("{s:o,s:o,s:o,s:o,s:o}",
		"unblended", cents(rec->total_unblended, DEC_SCALE),
		"assigned", cents(rec->total_assigned, DEC_SCALE),
		"unassigned", cents(rec->total_unassigned, DEC_SCALE),
		"customers", cents(rec->customers_unblended, DEC_SCALE),
		"accounts", cents(rec->accounts_unblended, DEC_SCALE)));
	a = json_array();
	for (i = 0; i < rec->npayers; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:o,s:o,s:o}", "payer",
			rec->payers[i].payer, "currency", rec->payers[i].currency,
			"rows", (json_int_t)rec->payers[i].rows,
			"unblended", cents(rec->payers[i].unblended, DEC_SCALE),
			"assigned", cents(rec->payers[i].assigned, DEC_SCALE),
			"unassigned", cents(rec->payers[i].unassigned, DEC_SCALE)));
	json_object_set_new(ctx, "payers", a);
	a = json_array();
	for (i = 0; i < rec->ncustomers; i++) {
		const struct report_customer *c = &rec->customers[i];
		json_t *o = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o}", "customer", c->customer,
			"currency", c->currency, "rows", (json_int_t)c->rows, "unblended", cents(c->unblended, DEC_SCALE),
			"effective", cents(c->effective, DEC_SCALE), "billed", cents(c->billed, RATE_SCALE),
			"excluded", cents(c->excluded, DEC_SCALE),
			"margin", c->margin_known ? cents(c->margin, RATE_SCALE) : json_string("n/a"));
		for (k = 0; k < 4; k++)
			json_object_set_new(o, wn[k], cents(c->withheld[wc[k]], RATE_SCALE));
		json_array_append_new(a, o);
	}
	json_object_set_new(ctx, "customers", a);
	a = json_array();
	for (i = 0; i < rec->nunassigned; i++) {
		const struct report_account *u = &rec->unassigned[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "payer", u->payer,
			"currency", u->currency,
			"account", u->account, "tag", u->tag ? (u->value ? u->value : "untagged") : "",
			"rows", (json_int_t)u->rows, "unblended", cents(u->unblended, DEC_SCALE)));
	}
	json_object_set_new(ctx, "unassigned", a);
	a = json_array();
	for (i = 0; i < rec->nother; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:o}", "type", rec->other[i].type,
			"currency", rec->other[i].currency, "rows", (json_int_t)rec->other[i].rows,
			"unblended", cents(rec->other[i].unblended, DEC_SCALE)));
	json_object_set_new(ctx, "other", a);
	report_reconcile_free(rec);
	return http_render(r, 200, "reconciliation.html", "Reconciliation", ctx);
}

/* ---- receivables ---------------------------------------------------------------- */

int h_receivables_page(struct http_req *r)
{
	const char *asof = http_query_opt(r, "as_of");
	struct rb_err err;
	json_t *doc = NULL, *ctx, *lists[3], *v;
	static const char *const names[3] = { "overdue", "open", "paid" };
	size_t i, k;
	int rc;

	rb_err_clear(&err);
	if ((rc = invoice_receivables_json(&doc, r->store, asof, &err)) < 0) {
		if (rc != RB_EINPUT && rc != RB_EUSAGE)
			return http_page_fail(r, rc, &err);
		return http_render(r, 400, "receivables.html", "Receivables",
			json_pack("{s:s,s:s?}", "error", err.msg, "as_of", asof));
	}
	for (k = 0; k < 3; k++)
		lists[k] = json_array();
	json_array_foreach(json_object_get(doc, "invoices"), i, v) {
		const char *st = json_string_value(json_object_get(v, "status"));
		for (k = 0; k < 3; k++)
			if (st && !strcmp(st, names[k]))
				json_array_append(lists[k], v);
	}
	ctx = json_pack("{s:O,s:o,s:o,s:o,s:O}", "as_of", json_object_get(doc, "as_of"),
		"overdue", lists[0], "open", lists[1], "paid", lists[2],
		"totals", json_object_get(doc, "totals"));
	json_decref(doc);
	return http_render(r, 200, "receivables.html", "Receivables", ctx);
}

/* ---- credits and refunds ----------------------------------------------------------- */

static json_t *credit_cells(const struct report_credit_row *c)
{
	return json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o}",
		"currency", c->currency[0] ? c->currency : "USD", "rows", (json_int_t)c->rows,
		"credit_aws", cents(c->aws[REPORT_CR_CREDIT], DEC_SCALE),
		"credit_passed", cents(c->passed[REPORT_CR_CREDIT], RATE_SCALE),
		"credit_withheld", cents(c->withheld[REPORT_CR_CREDIT], RATE_SCALE),
		"refund_aws", cents(c->aws[REPORT_CR_REFUND], DEC_SCALE),
		"refund_passed", cents(c->passed[REPORT_CR_REFUND], RATE_SCALE),
		"refund_withheld", cents(c->withheld[REPORT_CR_REFUND], RATE_SCALE));
}

int h_credits_page(struct http_req *r)
{
	struct http_explore_q q;
	struct report_credits *c = NULL;
	struct rb_err err;
	json_t *ctx, *rows;
	char fb[PERIOD_BUFSZ], tb[PERIOD_BUFSZ];
	size_t i;
	int rc;

	if (http_explore_query(&q, r, NULL) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Credits and refunds", json_object());
		return http_render(r, 400, "error.html", "Credits and refunds",
			json_pack("{s:s}", "message", q.error));
	}
	period_format(fb, q.from);
	period_format(tb, q.to);
	ctx = json_pack("{s:s,s:s,s:b,s:o}", "from", fb, "to", tb, "range", q.from != q.to,
		"customers", customer_options(r, q.f.customer, 0));
	period_selects(ctx, r, q.from, q.to);
	rb_err_clear(&err);
	if ((rc = report_credits(&c, r->store, q.from, q.to, q.f.customer, &err)) < 0) {
		if (rc != RB_EINPUT && rc != RB_EUSAGE) {
			json_decref(ctx);
			return http_page_fail(r, rc, &err);
		}
		json_object_set_new(ctx, "error", json_string(err.msg));
		return http_render(r, 400, "credits.html", "Credits and refunds", ctx);
	}
	rows = json_array();
	for (i = 0; i < c->n; i++) {
		json_t *o = credit_cells(&c->rows[i]);
		json_object_set_new(o, "period", jper(c->rows[i].period));
		json_object_set_new(o, "customer", json_string(c->rows[i].customer));
		json_array_append_new(rows, o);
	}
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "total", credit_cells(&c->total));
	if (c->ntotals > 1 || (c->ntotals == 1 && strcmp(c->totals[0].currency, "USD"))) {
		json_t *tt = json_array();
		for (i = 0; i < c->ntotals; i++)
			json_array_append_new(tt, credit_cells(&c->totals[i]));
		json_object_set_new(ctx, "multi", json_true());
		json_object_set_new(ctx, "totals", tt);
	}
	report_credits_free(c);
	return http_render(r, 200, "credits.html", "Credits and refunds", ctx);
}
