/*
 * api_reports.c: the reseller's report routes beyond the CLI's documents —
 * the explorer (report_explore: the margin breakdown over a range of
 * periods, by day, filtered; JSON or CSV) and credits and refunds
 * (report_credits: applied by AWS vs passed on). Each parses its query,
 * calls the one src/report function and sends what it returns; the
 * console's pages (pages_reports.c) read the same query through
 * http_explore_query. Staff only: a customer user never reaches them.
 *
 * Not for: computing anything, authorization (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/period.h"
#include "util/banned.h"

/* A query value, NULL when absent or empty (a GET form sends "" for "any"). */
const char *http_query_opt(struct http_req *r, const char *name)
{
	const char *v = http_query(r, name);
	return v && *v ? v : NULL;
}

int http_explore_query(struct http_explore_q *q, struct http_req *r, const char *by_default)
{
	const char *to;

	memset(q, 0, sizeof(*q));
	if (http_period(&q->from, r) < 0) {
		snprintf(q->error, sizeof(q->error), "bad period '%s' (expected YYYY-MM)",
			http_query(r, "period") ? http_query(r, "period") : "");
		return -1;
	}
	q->to = q->from;
	if ((to = http_query_opt(r, "to")) && period_parse(&q->to, to, strlen(to)) < 0) {
		snprintf(q->error, sizeof(q->error), "bad period '%s' (expected YYYY-MM)", to);
		http_error(r, 400, "bad_parameter", "to", "%s", q->error);
		return -1;
	}
	if (q->to < q->from) {
		snprintf(q->error, sizeof(q->error), "to (%s) is before period (%s)", to,
			http_query(r, "period"));
		http_error(r, 400, "bad_parameter", "to", "%s", q->error);
		return -1;
	}
	q->by = http_query_opt(r, "by");
	if (!q->by)
		q->by = by_default;
	if (by_default) {
		struct rb_err err;
		rb_err_clear(&err);
		if (report_explore_by_parse(&q->rby, &q->tag, q->by, &err) < 0) {
			snprintf(q->error, sizeof(q->error), "%s", err.msg);
			http_error(r, 400, "bad_parameter", "by", "%s", q->error);
			return -1;
		}
	}
	q->f.customer = http_query_opt(r, "customer");
	q->f.account = http_query_opt(r, "account");
	q->f.service = http_query_opt(r, "service");
	q->f.region = http_query_opt(r, "region");
	return 0;
}

int h_explorer(struct http_req *r)
{
	struct http_explore_q q;
	struct report_margin *m = NULL;
	struct rb_err err;
	const char *fmt = http_query_opt(r, "format");
	int rc;

	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
		return http_error(r, 400, "bad_parameter", "format", "format is json or csv");
	if (http_explore_query(&q, r, "customer") < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = report_explore(&m, r->store, q.from, q.to, q.rby, q.tag, &q.f, &err)) < 0)
		return http_fail(r, rc, &err);
	if (fmt && !strcmp(fmt, "csv")) {
		char *buf = NULL, fb[PERIOD_BUFSZ], tb[PERIOD_BUFSZ], by[64];
		size_t len = 0, i;
		FILE *f = open_memstream(&buf, &len);
		if (!f || report_explore_csv(f, m, q.by) < 0) {
			if (f)
				fclose(f);
			free(buf);
			report_margin_free(m);
			snprintf(err.msg, sizeof(err.msg), "cannot write the CSV");
			return http_fail(r, RB_EIO, &err);
		}
		fclose(f);
		strbuf_reset(&r->out);
		strbuf_add(&r->out, buf, len);
		free(buf);
		report_margin_free(m);
		period_format(fb, q.from);
		period_format(tb, q.to);
		/* the grouping in the file name: tag:KEY's key is the user's text */
		for (i = 0; q.by[i] && i + 1 < sizeof(by); i++)
			by[i] = (q.by[i] >= 'a' && q.by[i] <= 'z') || (q.by[i] >= 'A' && q.by[i] <= 'Z') ||
				(q.by[i] >= '0' && q.by[i] <= '9') || q.by[i] == '_' ? q.by[i] : '-';
		by[i] = 0;
		r->status = 200;
		r->ctype = "text/csv; charset=utf-8";
		if (q.from == q.to)
			snprintf(r->disposition, sizeof(r->disposition),
				"attachment; filename=\"explorer-%s-%s.csv\"", fb, by);
		else
			snprintf(r->disposition, sizeof(r->disposition),
				"attachment; filename=\"explorer-%s-to-%s-%s.csv\"", fb, tb, by);
		return 0;
	}
	http_json(r, 200, report_explore_json(m, q.by, &q.f));
	report_margin_free(m);
	return 0;
}

int h_credits(struct http_req *r)
{
	struct http_explore_q q;
	struct report_credits *c = NULL;
	struct rb_err err;
	int rc;

	if (http_explore_query(&q, r, NULL) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = report_credits(&c, r->store, q.from, q.to, q.f.customer, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, report_credits_json(c, q.f.customer));
	report_credits_free(c);
	return 0;
}
