/*
 * pages_invoice.c: the console's Invoices pages — the period's drafts and
 * documents (run → review → finalize → send; credit, pay, downloads), one
 * document for review, the re-rate corrections previewed before they are
 * issued — and the portal's list of a customer's own finalized documents.
 * Every form posts to a route that calls the same src/invoice function as
 * the API (api_invoice.c) and the CLI; a refused action shows the page
 * again with the library's message. Amounts are the documents' own, at
 * their currency's digits: nothing is computed here.
 *
 * Not for: the lifecycle rules (src/invoice), authorization (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "invoice/invoice.h"
#include "invoice/mail.h"
#include "util/period.h"
#include "util/banned.h"

/* What a finished form did, by code (only these texts can appear). */
static const struct { const char *code, *text; } notices[] = {
	{ "run", "Drafts stored." }, { "finalize", "Drafts finalized." },
	{ "rerate", "Corrections issued." }, { "credit", "Credit note issued." },
	{ "pay", "Payment recorded." }, { "send", "Document sent." },
};

static const char *notice_text(const char *code)
{
	size_t i;
	for (i = 0; code && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (!strcmp(code, notices[i].code))
			return notices[i].text;
	return NULL;
}

static int can_edit(const struct http_req *r)
{
	return r->user.role == ROLE_ADMIN || r->user.role == ROLE_FINANCE;
}

/* The download links of one document. */
static json_t *downloads(const char *id)
{
	static const char *const fmts[][2] = { { "pdf", "PDF" }, { "ubl", "UBL" }, { "csv", "CSV" },
		{ "html", "HTML" } };
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < 4; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "id", id, "format", fmts[i][0],
			"label", fmts[i][1]));
	return a;
}

/* The list of the period's documents, marking what each allows. */
static int invoices_page(struct http_req *r, int status, const char *error)
{
	struct rb_err err;
	json_t *j = NULL, *docs, *e, *ctx;
	char pb[PERIOD_BUFSZ];
	size_t i, ndrafts = 0;
	int period, rc;

	if (http_period(&period, r) < 0) {
		if (r->status == 404)
			return http_render(r, 200, "empty.html", "Invoices", json_object());
		return 0;
	}
	period_format(pb, period);
	rb_err_clear(&err);
	if ((rc = invoice_list_json(&j, r->store, pb, NULL, NULL, &err)) < 0)
		return http_page_fail(r, rc, &err);
	docs = json_object_get(j, "documents");
	json_array_foreach(docs, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *st = json_string_value(json_object_get(e, "status"));
		const char *type = json_string_value(json_object_get(e, "type"));
		int draft = !strcmp(st, "draft");
		int open_invoice = !draft && !strcmp(type, "invoice") && strcmp(st, "credited") &&
			strcmp(st, "paid");
		ndrafts += draft;
		json_object_set_new(e, "draft", json_boolean(draft));
		json_object_set_new(e, "actions", json_boolean(can_edit(r) && !draft));
		json_object_set_new(e, "open_invoice", json_boolean(open_invoice));
		json_object_set_new(e, "creditable", json_boolean(!draft && !strcmp(type, "invoice") &&
			strcmp(st, "credited")));
		json_object_set_new(e, "downloads", downloads(id));
	}
	ctx = json_pack("{s:s,s:O,s:b,s:I,s:o}", "period", pb, "documents", docs, "can_edit",
		can_edit(r), "drafts", (json_int_t)ndrafts, "picker", http_picker(r, period, &err));
	json_decref(j);
	if (notice_text(http_query(r, "done")))
		json_object_set_new(ctx, "notice", json_string(notice_text(http_query(r, "done"))));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	return http_render(r, status, "invoices.html", "Invoices", ctx);
}

int h_invoices_page(struct http_req *r)
{
	return invoices_page(r, 200, NULL);
}

int h_invoice_page(struct http_req *r)
{
	struct rb_err err;
	struct doc *d = NULL;
	json_t *ctx;
	int rc;
	rb_err_clear(&err);
	if ((rc = invoice_get(&d, r->store, r->id, &err)) < 0)
		return http_page_fail(r, rc, &err);
	ctx = json_pack("{s:o,s:s,s:b,s:o}", "doc", doc_json(d, 0), "id", r->id, "draft", !d->number,
		"downloads", downloads(r->id));
	doc_free(d);
	return http_render(r, 200, "invoice.html", "Invoice", ctx);
}

/* The re-rate corrections of the period, previewed (nothing issued). */
int h_rerate_page(struct http_req *r)
{
	struct invoice_issued is = { 0 };
	struct doc **docs = NULL;
	struct rb_err err;
	char pb[PERIOD_BUFSZ];
	json_t *a, *ctx;
	size_t n = 0, i;
	int period, rc;

	if (http_period(&period, r) < 0)
		return r->status == 404 ? http_render(r, 200, "empty.html", "Re-rate", json_object()) : 0;
	period_format(pb, period);
	rb_err_clear(&err);
	rc = invoice_rerate(&is, &docs, &n, r->store, period, 1, NULL, &err);
	invoice_issued_release(&is);
	ctx = json_pack("{s:s,s:b,s:o}", "period", pb, "can_edit", can_edit(r), "picker",
		http_picker(r, period, &err));
	if (rc < 0) {
		json_object_set_new(ctx, "error", json_string(err.msg));
		return http_render(r, rc == RB_EIO ? 500 : 200, "rerate.html", "Re-rate", ctx);
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(a, doc_json(docs[i], 0));
		doc_free(docs[i]);
	}
	free(docs);
	json_object_set_new(ctx, "corrections", a);
	return http_render(r, 200, "rerate.html", "Re-rate", ctx);
}

/* After a successful form: back to the period's list with a notice. */
static int done(struct http_req *r, int period, const char *code)
{
	char to[128], pb[PERIOD_BUFSZ];
	period_format(pb, period);
	snprintf(to, sizeof(to), "/console/invoices?period=%s&done=%s", pb, code);
	return http_redirect(r, to);
}

/* A refused form: the list again (of the form's period), with why. */
static int refused(struct http_req *r, int rc, const struct rb_err *err, const char *what)
{
	char msg[sizeof(err->msg) + 256];
	if (rc != RB_EINPUT && rc != RB_EUSAGE && !strstr(err->msg, "SMTP"))
		return http_page_fail(r, rc, err);
	/* what is a short literal; a longer one would only be cut */
	if (snprintf(msg, sizeof(msg), "%s: %s", what, err->msg) < 0)
		msg[0] = '\0';
	return invoices_page(r, 400, msg);
}

/* The period of a form's field; -1 with the error page set. */
static int form_period(int *out, struct http_req *r, const char *text)
{
	if (period_parse(out, text, strlen(text)) < 0) {
		struct rb_err err;
		rb_err_set(&err, RB_EUSAGE, "bad period '%s' (expected YYYY-MM)", text);
		http_page_fail(r, RB_EUSAGE, &err);
		return -1;
	}
	return 0;
}

int h_invoices_run_form(struct http_req *r)
{
	char p[16], csrf[128];
	struct http_form f = { { "period", "csrf" }, { p, csrf }, { sizeof(p), sizeof(csrf) } };
	struct rb_err err;
	size_t n, skipped;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || form_period(&period, r, p) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_run(&n, &skipped, r->store, period, NULL, &err)) < 0)
		return refused(r, rc, &err, "run");
	return done(r, period, "run");
}

int h_invoices_finalize_form(struct http_req *r)
{
	char p[16], c[128], date[16], csrf[128];
	struct http_form f = { { "period", "customer", "date", "csrf" }, { p, c, date, csrf },
		{ sizeof(p), sizeof(c), sizeof(date), sizeof(csrf) } };
	struct invoice_issued is = { 0 };
	struct rb_err err;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || form_period(&period, r, p) < 0)
		return 0;
	rb_err_clear(&err);
	rc = invoice_finalize(&is, r->store, period, *c ? c : NULL, *date ? date : NULL, &err);
	invoice_issued_release(&is);
	if (rc < 0)
		return refused(r, rc, &err, "finalize");
	return done(r, period, "finalize");
}

int h_rerate_form(struct http_req *r)
{
	char p[16], csrf[128];
	struct http_form f = { { "period", "csrf" }, { p, csrf }, { sizeof(p), sizeof(csrf) } };
	struct invoice_issued is = { 0 };
	struct doc **docs = NULL;
	struct rb_err err;
	size_t n = 0, i;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || form_period(&period, r, p) < 0)
		return 0;
	rb_err_clear(&err);
	rc = invoice_rerate(&is, &docs, &n, r->store, period, 0, NULL, &err);
	for (i = 0; i < n; i++)
		doc_free(docs[i]);
	free(docs);
	invoice_issued_release(&is);
	if (rc < 0)
		return refused(r, rc, &err, "re-rate");
	return done(r, period, "rerate");
}

/* The period of document r->id (for the redirect), or -1 with the page set. */
static int doc_period(int *out, struct http_req *r)
{
	struct rb_err err;
	struct doc *d = NULL;
	int rc;
	rb_err_clear(&err);
	if ((rc = invoice_get(&d, r->store, r->id, &err)) < 0) {
		http_page_fail(r, rc, &err);
		return -1;
	}
	*out = d->period;
	doc_free(d);
	return 0;
}

int h_credit_form(struct http_req *r)
{
	char reason[512], csrf[128];
	struct http_form f = { { "reason", "csrf" }, { reason, csrf }, { sizeof(reason), sizeof(csrf) } };
	struct invoice_issued is = { 0 };
	struct rb_err err;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || doc_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	rc = invoice_credit(&is, r->store, r->id, *reason ? reason : NULL, NULL, &err);
	invoice_issued_release(&is);
	if (rc < 0)
		return refused(r, rc, &err, r->id);
	return done(r, period, "credit");
}

int h_pay_form(struct http_req *r)
{
	char amount[64], date[16], csrf[128];
	struct http_form f = { { "amount", "date", "csrf" }, { amount, date, csrf },
		{ sizeof(amount), sizeof(date), sizeof(csrf) } };
	struct rb_err err;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || doc_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	if ((rc = invoice_pay(r->store, r->id, amount, *date ? date : NULL, &err)) < 0)
		return refused(r, rc, &err, r->id);
	return done(r, period, "pay");
}

int h_send_form(struct http_req *r)
{
	char csrf[128];
	struct http_form f = { { "csrf" }, { csrf }, { sizeof(csrf) } };
	struct invoice_issued is = { 0 };
	struct rb_err err;
	int period, rc;
	if (http_form_parse(r, &f) < 0 || doc_period(&period, r) < 0)
		return 0;
	rb_err_clear(&err);
	rc = invoice_send(&is, r->store, r->id, -1, 0, &err);
	invoice_issued_release(&is);
	if (rc < 0)
		return refused(r, rc, &err, r->id);
	return done(r, period, "send");
}

/* The portal: the customer's own finalized invoices and credit notes. */
int h_portal_invoices(struct http_req *r)
{
	struct rb_err err;
	json_t *j = NULL, *docs, *e, *list;
	size_t i;
	int rc;
	rb_err_clear(&err);
	if ((rc = invoice_list_json(&j, r->store, NULL, r->user.customer, NULL, &err)) < 0)
		return http_page_fail(r, rc, &err);
	docs = json_object_get(j, "documents");
	list = json_array();
	json_array_foreach(docs, i, e) {
		const char *num = json_string_value(json_object_get(e, "number"));
		if (!num || !strcmp(json_string_value(json_object_get(e, "status")), "draft"))
			continue;
		json_object_set_new(e, "downloads", downloads(num));
		json_array_append(list, e);
	}
	json_decref(j);
	return http_render(r, 200, "portal_invoices.html", "Invoices",
		json_pack("{s:s,s:o}", "customer", r->user.customer, "documents", list));
}
