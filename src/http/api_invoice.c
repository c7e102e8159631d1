/*
 * api_invoice.c: the invoice lifecycle over the API — list, run drafts,
 * review one document, finalize, credit, re-rate (the corrections previewed
 * by GET, issued by POST), send, pay, downloads (PDF, UBL, CSV, HTML),
 * receivables and the journal. Each handler parses its input and calls the
 * one src/invoice function behind the matching `rebill invoice` verb, so
 * the CLI and the API cannot disagree; the documents are invoice.h's JSON
 * (doc_json, invoice_list_json, invoice_receivables_json). Every change is
 * audited by the library with the web user as actor (store_set_actor in
 * server.c).
 *
 * A customer user reaches only the list (its own finalized documents) and
 * one finalized document of its own with its files (SCOPE_DOCUMENT, checked
 * before the handler by http_document_scope): never a draft, never another
 * customer's number.
 *
 * Not for: computing or rendering anything (src/invoice), authorization
 * rules (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "invoice/invoice.h"
#include "invoice/mail.h"
#include "util/period.h"
#include "util/banned.h"

int http_document_scope(struct http_req *r)
{
	struct rb_err err;
	struct doc *d = NULL;
	int rc, own;

	rb_err_clear(&err);
	if (!strncmp(r->id, "DRAFT-", 6))
		own = 0;
	else if ((rc = invoice_get(&d, r->store, r->id, &err)) == RB_EIO)
		return http_fail(r, rc, &err), -1;
	else
		own = rc == 0 && d->number && d->customer_id &&
			!strcmp(d->customer_id, r->user.customer);
	doc_free(d);
	if (own)
		return 0;
	/* the same answer for another customer's number and for none at all */
	http_error(r, 403, "forbidden", "id", "a customer user sees only its own finalized documents");
	return -1;
}

/* A "period" member (required or not): *period -1 when absent; -1 with
 * 400 set when bad. */
static int body_period(int *period, const char **text, struct http_req *r, int required)
{
	*period = -1;
	if (http_member(text, r, "period", required) < 0)
		return -1;
	if (*text && period_parse(period, *text, strlen(*text)) < 0) {
		http_error(r, 400, "bad_field", "period", "bad period '%s' (expected YYYY-MM)", *text);
		return -1;
	}
	return 0;
}

/* A library error: 400/404 per http_fail; "already ..." conflicts are 409. */
static int fail(struct http_req *r, int rc, const struct rb_err *err)
{
	if (rc == RB_EINPUT && strstr(err->msg, "already"))
		return http_error(r, 409, "conflict", NULL, "%s", err->msg);
	return http_fail(r, rc, err);
}

static json_t *numbers(const struct invoice_issued *is)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < is->n; i++)
		json_array_append_new(a, json_string(is->numbers[i]));
	return a;
}

int h_invoices(struct http_req *r)
{
	const char *p = http_query(r, "period"), *st = http_query(r, "status");
	const char *c = http_scope_customer(r);
	struct rb_err err;
	json_t *j = NULL, *docs, *e;
	size_t i;
	int period, rc;

	if (p && period_parse(&period, p, strlen(p)) < 0)
		return http_error(r, 400, "bad_parameter", "period", "bad period '%s' (expected YYYY-MM)", p);
	rb_err_clear(&err);
	if ((rc = invoice_list_json(&j, r->store, p, c, st, &err)) < 0)
		return rc == RB_EUSAGE || strstr(err.msg, "status") ? http_error(r, 400, "bad_parameter",
			"status", "%s", err.msg) : http_fail(r, rc, &err);
	docs = json_object_get(j, "documents");
	/* a customer user never sees a draft: only what was issued to it */
	if (r->user.role == ROLE_CUSTOMER)
		for (i = json_array_size(docs); i-- > 0;) {
			e = json_array_get(docs, i);
			if (!json_is_string(json_object_get(e, "number")) ||
			    !strcmp(json_string_value(json_object_get(e, "status")), "draft"))
				json_array_remove(docs, i);
		}
	return http_json(r, 200, j);
}

int h_invoice_run(struct http_req *r)
{
	static const char *const keys[] = { "period", "customer", NULL };
	const char *pt, *c;
	struct rb_err err;
	size_t n = 0, skipped = 0;
	int period, rc;

	if (http_json_only(r, keys) < 0 || body_period(&period, &pt, r, 1) < 0 ||
	    http_member(&c, r, "customer", 0) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_run(&n, &skipped, r->store, period, c, &err)) < 0)
		return fail(r, rc, &err);
	return http_json(r, 200, json_pack("{s:s,s:I,s:I}", "period", pt, "drafts", (json_int_t)n,
		"skipped", (json_int_t)skipped));
}

int h_invoice_finalize(struct http_req *r)
{
	static const char *const keys[] = { "period", "customer", "date", NULL };
	const char *pt, *c, *date;
	struct invoice_issued is = { 0 };
	struct rb_err err;
	int period, rc;

	if (http_json_only(r, keys) < 0 || body_period(&period, &pt, r, 1) < 0 ||
	    http_member(&c, r, "customer", 0) < 0 || http_member(&date, r, "date", 0) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_finalize(&is, r->store, period, c, date, &err)) < 0)
		return fail(r, rc, &err);
	http_json(r, 200, json_pack("{s:s,s:o}", "period", pt, "finalized", numbers(&is)));
	invoice_issued_release(&is);
	return 0;
}

/* Runs invoice_rerate (dry or not) and answers {"period", "dry_run",
 * "corrections": [doc_json], "issued": [numbers]}. */
static int rerate(struct http_req *r, int period, const char *pt, int dry, const char *date)
{
	struct invoice_issued is = { 0 };
	struct doc **docs = NULL;
	struct rb_err err;
	json_t *a;
	size_t n = 0, i;
	int rc;

	rb_err_clear(&err);
	if ((rc = invoice_rerate(&is, &docs, &n, r->store, period, dry, date, &err)) < 0)
		return fail(r, rc, &err);
	a = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(a, doc_json(docs[i], 0));
		doc_free(docs[i]);
	}
	free(docs);
	http_json(r, 200, json_pack("{s:s,s:b,s:o,s:o}", "period", pt, "dry_run", dry,
		"corrections", a, "issued", numbers(&is)));
	invoice_issued_release(&is);
	return 0;
}

int h_invoice_rerate_preview(struct http_req *r)
{
	char pb[PERIOD_BUFSZ];
	int period;
	if (http_period(&period, r) < 0)
		return 0;
	period_format(pb, period);
	return rerate(r, period, pb, 1, NULL);
}

int h_invoice_rerate(struct http_req *r)
{
	static const char *const keys[] = { "period", "date", NULL };
	const char *pt, *date;
	int period;
	if (http_json_only(r, keys) < 0 || body_period(&period, &pt, r, 1) < 0 ||
	    http_member(&date, r, "date", 0) < 0)
		return 0;
	return rerate(r, period, pt, 0, date);
}

int h_invoice_get(struct http_req *r)
{
	struct rb_err err;
	struct doc *d = NULL;
	int rc;
	rb_err_clear(&err);
	if ((rc = invoice_get(&d, r->store, r->id, &err)) < 0)
		return http_fail(r, rc, &err);
	http_json(r, 200, doc_json(d, 0));
	doc_free(d);
	return 0;
}

int http_document_file(struct http_req *r, const char *format)
{
	static const struct { const char *name; enum invoice_format f; const char *ctype; } fmts[] = {
		{ "pdf", INVOICE_FMT_PDF, "application/pdf" },
		{ "ubl", INVOICE_FMT_UBL, "application/xml" },
		{ "csv", INVOICE_FMT_CSV, "text/csv; charset=utf-8" },
		{ "html", INVOICE_FMT_HTML, "text/html; charset=utf-8" },
	};
	struct rb_err err;
	struct doc *d = NULL;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (format && !strcmp(format, fmts[i].name))
			break;
	if (i == sizeof(fmts) / sizeof(fmts[0]))
		return http_error(r, 400, "bad_parameter", "format",
			"format is pdf, ubl, csv or html");
	rb_err_clear(&err);
	if ((rc = invoice_get(&d, r->store, r->id, &err)) < 0)
		return http_fail(r, rc, &err);
	strbuf_reset(&r->out);
	rc = invoice_render(&r->out, d, fmts[i].f, &err);
	doc_free(d);
	if (rc < 0) {
		strbuf_reset(&r->out);
		/* e.g. no UBL without both parties' Peppol ids: the document cannot be
		 * drawn in that format, which is not the client's syntax error */
		if (rc == RB_EINPUT)
			return http_error(r, 422, "not_renderable", "format", "%s", err.msg);
		return http_fail(r, rc, &err);
	}
	r->status = 200;
	r->ctype = fmts[i].ctype;
	/* r->id is a document number or DRAFT-N: letters, digits, '-', '/', '_' */
	{
		char name[200];
		size_t k, o = 0;
		for (k = 0; r->id[k] && o + 1 < sizeof(name); k++) {
			char ch = r->id[k];
			name[o++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ? ch : '_';
		}
		name[o] = 0;
		snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"%s.%s\"", name,
			invoice_format_ext(fmts[i].f));
	}
	return 0;
}

int h_invoice_download(struct http_req *r)
{
	return http_document_file(r, http_query(r, "format"));
}

int h_invoice_credit(struct http_req *r)
{
	static const char *const keys[] = { "reason", "date", NULL };
	const char *reason, *date;
	struct invoice_issued is = { 0 };
	struct rb_err err;
	int rc;
	if (http_json_only(r, keys) < 0 || http_member(&reason, r, "reason", 0) < 0 ||
	    http_member(&date, r, "date", 0) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_credit(&is, r->store, r->id, reason, date, &err)) < 0)
		return fail(r, rc, &err);
	http_json(r, 201, json_pack("{s:s,s:s}", "credited", r->id, "credit_note",
		is.n ? is.numbers[0] : ""));
	invoice_issued_release(&is);
	return 0;
}

int h_invoice_pay(struct http_req *r)
{
	static const char *const keys[] = { "amount", "date", NULL };
	const char *amount, *date;
	struct rb_err err;
	int rc;
	if (http_json_only(r, keys) < 0 || http_member(&amount, r, "amount", 1) < 0 ||
	    http_member(&date, r, "date", 0) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_pay(r->store, r->id, amount, date, &err)) < 0) {
		if (rc == RB_EINPUT && (strstr(err.msg, "amount") || strstr(err.msg, "paying")))
			return http_error(r, 400, "bad_field", "amount", "%s", err.msg);
		return fail(r, rc, &err);
	}
	return http_json(r, 201, json_pack("{s:s,s:s}", "number", r->id, "paid", amount));
}

int h_invoice_send(struct http_req *r)
{
	static const char *const keys[] = { "force", NULL };
	struct invoice_issued is = { 0 };
	struct rb_err err;
	json_t *f;
	int rc;
	if (http_json_only(r, keys) < 0)
		return 0;
	f = json_object_get(r->json, "force");
	if (f && !json_is_boolean(f))
		return http_error(r, 400, "bad_field", "force", "force is true or false");
	rb_err_clear(&err);
	rc = invoice_send(&is, r->store, r->id, -1, f && json_is_true(f), &err);
	if (rc < 0) {
		invoice_issued_release(&is);
		if (strstr(err.msg, "SMTP"))
			return http_error(r, 503, "mail_unavailable", NULL, "%s", err.msg);
		/* the mail server refused: not the client's fault */
		if (rc == RB_EIO && !strstr(err.msg, "database"))
			return http_error(r, 502, "send_failed", NULL, "%s", err.msg);
		return fail(r, rc, &err);
	}
	http_json(r, 200, json_pack("{s:o}", "sent", numbers(&is)));
	invoice_issued_release(&is);
	return 0;
}

int h_receivables(struct http_req *r)
{
	const char *asof = http_query(r, "as_of");
	struct rb_err err;
	json_t *j = NULL;
	int rc;
	rb_err_clear(&err);
	if ((rc = invoice_receivables_json(&j, r->store, asof, &err)) < 0)
		return rc == RB_EUSAGE || rc == RB_EINPUT ? http_error(r, 400, "bad_parameter", "as_of",
			"%s", err.msg) : http_fail(r, rc, &err);
	return http_json(r, 200, j);
}

int h_journal(struct http_req *r)
{
	struct rb_err err;
	char pb[PERIOD_BUFSZ];
	int period, rc;
	if (http_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	strbuf_reset(&r->out);
	if ((rc = invoice_journal_csv(&r->out, r->store, period, &err)) < 0) {
		strbuf_reset(&r->out);
		return http_fail(r, rc, &err);
	}
	period_format(pb, period);
	r->status = 200;
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"journal-%s.csv\"", pb);
	return 0;
}
