/*
 * portal.c: the customer portal's breakdowns — the API (breakdown by
 * account, service, region, tag or day; resources; CSV export) and the
 * pages (/portal/breakdown with the daily trend chart, /portal/resources).
 * Every figure is report_billed's (src/report/billed.c: the invoice
 * preview's rating, in the customer's currency); this file only picks the
 * customer — always the logged-in user's own, never one from the request —
 * and lays out what the report returns.
 *
 * An account that is not the user's customer's, for the period, is 404
 * exactly like one that does not exist.
 *
 * Not for: computing money, authorization (routes.c: these routes admit
 * only customer users, SCOPE_SELF).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/billed.h"
#include "store/store_drill.h"
#include "util/period.h"
#include "util/banned.h"

/* The breakdown of the user's customer for the request's period, grouped by
 * `by`; 0 with *out set, else -1 with the response set. */
static int billed(struct report_billed **out, struct http_req *r, int period, const char *by,
	const char *account)
{
	struct rb_err err;
	enum report_dim dim;
	const char *tag = NULL;
	int rc;

	*out = NULL;
	rb_err_clear(&err);
	if (report_dim_parse(&dim, &tag, by, &err) < 0) {
		http_error(r, 400, "bad_parameter", "by", "%s", err.msg);
		return -1;
	}
	if (account && dim != REPORT_DIM_RESOURCE) {
		http_error(r, 400, "bad_parameter", "account", "account goes with by=resource only");
		return -1;
	}
	rc = report_billed(out, r->store, period, r->user.customer, dim, tag, account, &err);
	if (rc < 0) {
		if (account && strstr(err.msg, "unknown account"))
			/* the same whether the account is another customer's or nobody's */
			http_error(r, 404, "not_found", "account", "no account '%s' of yours in this period",
				account);
		else
			http_fail(r, rc, &err);
		return -1;
	}
	return 0;
}

int h_portal_breakdown(struct http_req *r)
{
	struct report_billed *b = NULL;
	const char *by = http_query(r, "by");
	int period;
	if (http_period(&period, r) < 0)
		return 0;
	if (!by)
		by = "service";
	if (!strcmp(by, "resource"))
		return http_error(r, 400, "bad_parameter", "by", "resources: /api/v1/portal/resources");
	if (billed(&b, r, period, by, NULL) < 0)
		return 0;
	http_json(r, 200, report_billed_json(b, by));
	report_billed_free(b);
	return 0;
}

int h_portal_resources(struct http_req *r)
{
	struct report_billed *b = NULL;
	int period;
	if (http_period(&period, r) < 0)
		return 0;
	if (billed(&b, r, period, "resource", http_query(r, "account")) < 0)
		return 0;
	http_json(r, 200, report_billed_json(b, "resource"));
	report_billed_free(b);
	return 0;
}

/* s with every byte but [A-Za-z0-9._-] as '_' (a file name). */
static void safe_name(char *out, size_t cap, const char *s)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < cap; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '.' || c == '-';
		out[i] = ok ? c : '_';
	}
	out[i] = 0;
}

int h_portal_export(struct http_req *r)
{
	struct report_billed *b = NULL;
	const char *by = http_query(r, "by"), *account = http_query(r, "account");
	char pb[PERIOD_BUFSZ], cn[130], bn[130];
	int period;
	if (http_period(&period, r) < 0)
		return 0;
	if (!by)
		by = account ? "resource" : "service";
	if (billed(&b, r, period, by, account) < 0)
		return 0;
	strbuf_reset(&r->out);
	report_billed_csv(&r->out, b);
	report_billed_free(b);
	period_format(pb, period);
	safe_name(cn, sizeof(cn), r->user.customer);
	safe_name(bn, sizeof(bn), by);
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s-%s-%s.csv\"",
		cn, pb, bn);
	r->status = 200;
	r->ctype = "text/csv; charset=utf-8";
	return 0;
}

/* ---- pages ------------------------------------------------------------------ */

/* s percent-encoded for a query value, appended to sb. */
static void query_value(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

/* "PATH?period=P&NAME=VALUE" (name NULL: none) as a JSON string. */
static json_t *link(const char *path, int period, const char *name, const char *value,
	const char *name2, const char *value2)
{
	struct strbuf sb;
	char pb[PERIOD_BUFSZ];
	json_t *v;
	strbuf_init(&sb, 128, 1 << 16);
	period_format(pb, period);
	strbuf_addf(&sb, "%s?period=%s", path, pb);
	if (name) {
		strbuf_addf(&sb, "&%s=", name);
		query_value(&sb, value);
	}
	if (name2) {
		strbuf_addf(&sb, "&%s=", name2);
		query_value(&sb, value2);
	}
	v = json_stringn(sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return v;
}

static json_t *periods(struct http_req *r, int cur, int *prev)
{
	int *pi = NULL;
	struct rb_err err;
	size_t n = 0, i;
	json_t *a = json_array();
	char pb[PERIOD_BUFSZ];
	*prev = -1;
	rb_err_clear(&err);
	if (store_period_ids(&pi, &n, r->store, &err) < 0)
		return a;
	for (i = n; i-- > 0;) {
		period_format(pb, pi[i]);
		json_array_append_new(a, json_pack("{s:s,s:b}", "period", pb, "selected", pi[i] == cur));
		if (pi[i] < cur && *prev < 0)
			*prev = pi[i];
	}
	free(pi);
	return a;
}

static char *dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	return s;
}

/* The amount of day dd ("01".."31") in a by=day document's rows, or "0". */
static json_t *day_amount(const json_t *doc, const char *dd)
{
	const json_t *row;
	size_t i;
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		const char *k = json_string_value(json_object_get(row, "key"));
		if (k && strlen(k) == 10 && !strcmp(k + 8, dd))
			return json_incref(json_object_get(row, "amount"));
	}
	return json_string("0");
}

/* The daily trend: the period's billed amount per day beside the previous
 * period's (day of month against day of month), as a chart document. */
static char *trend_chart(const json_t *cur, const json_t *prev)
{
	json_t *labels = json_array(), *a = json_array(), *p = json_array(), *series;
	int d;
	for (d = 1; d <= 31; d++) {
		char dd[4];
		snprintf(dd, sizeof(dd), "%02d", d);
		json_array_append_new(labels, json_string(dd));
		json_array_append_new(a, day_amount(cur, dd));
		if (prev)
			json_array_append_new(p, day_amount(prev, dd));
	}
	series = json_pack("[{s:O,s:o}]", "label", json_object_get(cur, "period"), "data", a);
	if (prev)
		json_array_append_new(series, json_pack("{s:O,s:o}", "label",
			json_object_get(prev, "period"), "data", p));
	else
		json_decref(p);
	return dump(json_pack("{s:s,s:o,s:o}", "type", "line", "labels", labels, "series", series));
}

/* The table's rows of a document: label (untagged for ""), name, amount,
 * and for accounts a link to their resources. */
static json_t *table(const json_t *doc, int period, int accounts)
{
	json_t *out = json_array(), *row;
	size_t i;
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		const char *k = json_string_value(json_object_get(row, "key"));
		json_t *o = json_pack("{s:s,s:O}", "label", k && *k ? k : "(untagged)", "amount",
			json_object_get(row, "amount"));
		if (json_object_get(row, "name"))
			json_object_set(o, "name", json_object_get(row, "name"));
		if (json_object_get(row, "service"))
			json_object_set(o, "name", json_object_get(row, "service"));
		if (json_object_get(row, "account"))
			json_object_set(o, "account", json_object_get(row, "account"));
		if (accounts && k)
			json_object_set_new(o, "link", link("/portal/resources", period, "account", k,
				NULL, NULL));
		json_array_append_new(out, o);
	}
	return out;
}

/* A bar chart of a document's rows (at most 40: the table has them all). */
static char *rows_chart(const json_t *doc)
{
	json_t *labels = json_array(), *data = json_array(), *row;
	size_t i;
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		const char *k = json_string_value(json_object_get(row, "key"));
		if (i == 40)
			break;
		json_array_append_new(labels, json_string(k && *k ? k : "(untagged)"));
		json_array_append(data, json_object_get(row, "amount"));
	}
	return dump(json_pack("{s:s,s:o,s:[{s:s,s:o}]}", "type", "bar", "labels", labels, "series",
		"label", "Billed", "data", data));
}

static void set_chart(json_t *ctx, const char *name, char *chart)
{
	json_object_set_new(ctx, name, json_string(chart ? chart : "{}"));
	free(chart);
}

/* The error page for the API error response billed() left in r. */
static int page_error(struct http_req *r)
{
	int status = r->status >= 400 ? r->status : 500;
	json_t *e = json_loadb(r->out.buf ? r->out.buf : "", r->out.len, 0, NULL);
	const char *msg = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
	json_t *ctx = json_pack("{s:s}", "message", msg ? msg : "internal error");
	json_decref(e);
	return http_render(r, status, "error.html", "Error", ctx);
}

int h_portal_breakdown_page(struct http_req *r)
{
	struct report_billed *b = NULL, *day = NULL, *pday = NULL;
	const char *by = http_query(r, "by");
	json_t *doc, *ddoc, *pdoc = NULL, *ctx, *bys, *k;
	char *chart;
	int period, prev;
	size_t i;
	static const char *const dims[][2] = { { "service", "Service" }, { "account", "Account" },
		{ "region", "Region" }, { "day", "Day" } };

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Breakdown", json_object());
		return 0;
	}
	if (!by)
		by = "service";
	if (!strcmp(by, "resource"))
		return http_redirect(r, "/portal/resources");
	if (billed(&b, r, period, by, NULL) < 0 || billed(&day, r, period, "day", NULL) < 0) {
		report_billed_free(b);
		return page_error(r);
	}
	ctx = json_object();
	json_object_set_new(ctx, "periods", periods(r, period, &prev));
	if (prev >= 0 && billed(&pday, r, prev, "day", NULL) < 0)
		pday = NULL;   /* a previous period that cannot be shown is left out */
	doc = report_billed_json(b, by);
	ddoc = report_billed_json(day, "day");
	if (pday)
		pdoc = report_billed_json(pday, "day");
	json_object_set(ctx, "customer", json_object_get(doc, "customer"));
	json_object_set(ctx, "period", json_object_get(doc, "period"));
	json_object_set(ctx, "currency", json_object_get(doc, "currency"));
	json_object_set_new(ctx, "by", json_string(by));
	json_object_set_new(ctx, "invoiced", json_boolean(b->invoiced));
	if (pdoc)
		json_object_set(ctx, "previous", json_object_get(pdoc, "period"));
	bys = json_array();
	for (i = 0; i < 4; i++)
		json_array_append_new(bys, json_pack("{s:s,s:s,s:b}", "value", dims[i][0], "label",
			dims[i][1], "selected", !strcmp(by, dims[i][0])));
	json_array_foreach(json_object_get(ddoc, "tag_keys"), i, k) {
		char v[300], l[300];
		snprintf(v, sizeof(v), "tag:%s", json_string_value(k));
		snprintf(l, sizeof(l), "Tag %s", json_string_value(k));
		json_array_append_new(bys, json_pack("{s:s,s:s,s:b}", "value", v, "label", l,
			"selected", !strcmp(by, v)));
	}
	json_object_set_new(ctx, "bys", bys);
	json_object_set_new(ctx, "rows", table(doc, period, b->dim == REPORT_DIM_ACCOUNT));
	json_object_set(ctx, "other", json_object_get(doc, "other"));
	json_object_set(ctx, "rounding", json_object_get(doc, "rounding"));
	json_object_set(ctx, "total", json_object_get(doc, "total"));
	json_object_set_new(ctx, "csv", link("/api/v1/portal/export", period, "by", by, NULL, NULL));
	json_object_set_new(ctx, "resources", link("/portal/resources", period, NULL, NULL, NULL, NULL));
	chart = trend_chart(ddoc, pdoc);
	set_chart(ctx, "trend", chart);
	set_chart(ctx, "chart", rows_chart(doc));
	json_decref(doc);
	json_decref(ddoc);
	json_decref(pdoc);
	report_billed_free(b);
	report_billed_free(day);
	report_billed_free(pday);
	return http_render(r, 200, "portal_breakdown.html", "Breakdown", ctx);
}

int h_portal_resources_page(struct http_req *r)
{
	struct report_billed *b = NULL, *accts = NULL;
	const char *account = http_query(r, "account");
	json_t *doc, *adoc, *ctx, *opts, *row;
	int period, prev;
	size_t i;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Resources", json_object());
		return 0;
	}
	if (account && !*account)
		account = NULL;
	if (billed(&b, r, period, "resource", account) < 0 ||
	    billed(&accts, r, period, "account", NULL) < 0) {
		report_billed_free(b);
		return page_error(r);
	}
	doc = report_billed_json(b, "resource");
	adoc = report_billed_json(accts, "account");
	ctx = json_object();
	json_object_set_new(ctx, "periods", periods(r, period, &prev));
	json_object_set(ctx, "customer", json_object_get(doc, "customer"));
	json_object_set(ctx, "period", json_object_get(doc, "period"));
	json_object_set(ctx, "currency", json_object_get(doc, "currency"));
	json_object_set_new(ctx, "account", json_string(account ? account : ""));
	opts = json_array();
	json_array_foreach(json_object_get(adoc, "rows"), i, row)
		json_array_append_new(opts, json_pack("{s:O,s:b}", "value", json_object_get(row, "key"),
			"selected", account && !strcmp(account,
				json_string_value(json_object_get(row, "key")))));
	json_object_set_new(ctx, "accounts", opts);
	json_object_set_new(ctx, "rows", table(doc, period, 0));
	json_object_set(ctx, "other", json_object_get(doc, "other"));
	json_object_set(ctx, "rounding", json_object_get(doc, "rounding"));
	json_object_set(ctx, "total", json_object_get(doc, "total"));
	json_object_set_new(ctx, "csv", account ? link("/api/v1/portal/export", period, "by",
		"resource", "account", account) : link("/api/v1/portal/export", period, "by", "resource",
		NULL, NULL));
	json_object_set_new(ctx, "back", link("/portal/breakdown", period, "by", "account", NULL, NULL));
	set_chart(ctx, "chart", rows_chart(doc));
	json_decref(doc);
	json_decref(adoc);
	report_billed_free(b);
	report_billed_free(accts);
	return http_render(r, 200, "portal_resources.html", "Resources", ctx);
}
