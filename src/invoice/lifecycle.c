/*
 * lifecycle.c: drafts, finalizing, credit notes and payments (spec §8) —
 * see invoice.h. The §5 amounts come from report_invoices (src/report,
 * computed by src/rate); this file copies them into documents, numbers
 * and freezes them, and never computes money itself.
 *
 * Not for: re-rating (rerate.c), reading and formats (read.c, export.c).
 */
#include "invoice/invoice.h"
#include "invoice/lifecycle_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "report/report.h"
#include "store/store_config.h"
#include "store/store_documents.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

void invoice_issued_release(struct invoice_issued *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		free(r->numbers[i]);
	free(r->numbers);
	memset(r, 0, sizeof(*r));
}

static void issued_add(struct invoice_issued *r, const char *number)
{
	r->numbers = xreallocarray(r->numbers, r->n + 1, sizeof(r->numbers[0]));
	r->numbers[r->n++] = xstrdup(number);
}

const json_t *invoice_find_id(const json_t *arr, const char *key, const char *id)
{
	size_t i;
	json_t *e;
	if (!id)
		return NULL;
	json_array_foreach(arr, i, e) {
		const char *v = json_string_value(json_object_get(e, key));
		if (v && !strcmp(v, id))
			return e;
	}
	return NULL;
}

char *invoice_dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

char *invoice_snapshot(const struct doc *d)
{
	json_t *j = doc_json(d, 1);
	char *s = invoice_dump(j);
	json_decref(j);
	return s;
}

int invoice_doc_parse(struct doc **out, const char *snapshot, const char *what,
	struct rb_err *err)
{
	json_error_t je;
	json_t *j = json_loads(snapshot ? snapshot : "", 0, &je);
	int rc;
	if (!j)
		return rb_err_set(err, RB_EIO, "%s: the stored snapshot is not JSON: %s", what, je.text);
	rc = doc_from_json(out, j, err);
	json_decref(j);
	if (rc < 0)
		return rb_err_set(err, RB_EIO, "%s: the stored snapshot is damaged: %s", what, err->msg);
	return 0;
}

int invoice_run(size_t *n, size_t *skipped, struct store *s, int period, const char *customer,
	struct rb_err *err)
{
	struct report_invoices *r = NULL;
	struct store_draft_in *drafts = NULL;
	struct store_doc *docs = NULL;
	size_t ndocs = 0, nd = 0, i, k;
	char **texts = NULL;
	json_t *cfg = NULL, *by_id = json_object(), *invoiced = json_object(), *e;
	char pb[PERIOD_BUFSZ];
	int rc;

	*n = *skipped = 0;
	period_format(pb, period);
	if ((rc = report_invoices(&r, s, period, customer, err)) < 0)
		goto cleanup;
	if ((rc = store_config_export(&cfg, s, err)) < 0)
		goto cleanup;
	{
		struct store_doc_filter f = { pb, customer, 0, 1, 0 };
		if ((rc = store_docs_list(&docs, &ndocs, s, &f, err)) < 0)
			goto cleanup;
	}
	/* lookups by id in hash tables: 1,000 customers would be a million
	 * string compares through invoice_find_id */
	json_array_foreach(json_object_get(cfg, "customers"), i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		if (id)
			json_object_set(by_id, id, e);
	}
	for (k = 0; k < ndocs; k++)
		json_object_set_new(invoiced, docs[k].customer, json_true());
	drafts = xcalloc(r->n ? r->n : 1, sizeof(drafts[0]));
	texts = xcalloc(2 * (r->n ? r->n : 1), sizeof(texts[0]));
	for (i = 0; i < r->n; i++) {
		const struct rate_invoice *inv = r->items[i].inv;
		const json_t *c = json_object_get(by_id, inv->customer);
		const char *tcid = json_string_value(json_object_get(c, "tax_cluster"));
		const json_t *tc = invoice_find_id(json_object_get(cfg, "tax_clusters"), "id", tcid);
		const char *plan = json_string_value(json_object_get(c, "plan"));
		struct doc_party party = { 0 }, issuer = { 0 };
		json_t *conf;
		struct doc *d;
		char fx[DEC_BUFSZ];

		/* a customer already invoiced for the period is corrected by
		 * `invoice rerate`, never invoiced twice */
		if (json_object_get(invoiced, inv->customer)) {
			(*skipped)++;
			continue;
		}
		doc_party_set(&party, c);
		doc_party_set(&issuer, json_object_get(cfg, "issuer"));
		d = doc_from_rate(inv, &party, &issuer,
			json_string_value(json_object_get(tc, "name")),
			json_string_value(json_object_get(tc, "category")),
			json_string_value(json_object_get(tc, "note")));
		doc_party_set(&party, NULL);
		doc_party_set(&issuer, NULL);
		conf = json_object();
		json_object_set(conf, "customer", (json_t *)c);
		json_object_set(conf, "plan",
			(json_t *)invoice_find_id(json_object_get(cfg, "plans"), "id", plan));
		json_object_set_new(conf, "tax_cluster", tc ? json_incref((json_t *)tc) : json_null());
		dec_format_min(fx, sizeof(fx), inv->fx, DEC_FACTOR_DIGITS);
		json_object_set_new(conf, "fx", json_string(fx));
		texts[2 * nd] = invoice_snapshot(d);
		texts[2 * nd + 1] = invoice_dump(conf);
		json_decref(conf);
		doc_free(d);
		drafts[nd].customer = inv->customer;
		drafts[nd].plan = plan;
		drafts[nd].snapshot = texts[2 * nd];
		drafts[nd].config = texts[2 * nd + 1];
		nd++;
	}
	if ((rc = store_begin(s, err)) < 0)
		goto cleanup;
	if ((rc = store_drafts_replace(s, pb, customer, drafts, nd, "invoice run", err)) < 0 ||
	    (rc = store_commit(s, err)) < 0) {
		store_rollback(s);
		goto cleanup;
	}
	*n = nd;
cleanup:
	for (i = 0; texts && i < 2 * nd; i++)
		free(texts[i]);
	free(texts);
	free(drafts);
	store_docs_free(docs, ndocs);
	json_decref(by_id);
	json_decref(invoiced);
	json_decref(cfg);
	report_invoices_free(r);
	return rc;
}

/* ---- issuing: number, dates, snapshot, insert, audit ---- */

static int read_logo(struct doc *d, const char *path, struct rb_err *err)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[8192];
	size_t got;
	if (!f)
		return rb_err_set(err, RB_EINPUT, "issuer logo '%s': cannot open it", path);
	strbuf_init(&sb, 8192, 4 << 20);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(&sb, buf, got) < 0) {
			fclose(f);
			strbuf_release(&sb);
			return rb_err_set(err, RB_EINPUT, "issuer logo '%s': larger than 4 MiB", path);
		}
	fclose(f);
	if (sb.len < 8 || memcmp(sb.buf, "\x89PNG\r\n\x1a\n", 8)) {
		strbuf_release(&sb);
		return rb_err_set(err, RB_EINPUT, "issuer logo '%s': not a PNG file", path);
	}
	free(d->logo);
	d->logo = (unsigned char *)strbuf_detach(&sb, &d->logo_len);
	strbuf_release(&sb);
	return 0;
}

int invoice_issuer_apply(struct doc *d, const json_t *cfg, struct rb_err *err)
{
	const json_t *is = json_object_get(cfg, "issuer");
	const char *logo = json_string_value(json_object_get(is, "logo"));
	if (!is)
		return rb_err_set(err, RB_EINPUT, "no issuer in the configuration: add an \"issuer\" "
			"object (name, address, country, vat_id, ...) before finalizing documents");
	doc_party_set(&d->issuer, is);
	free(d->logo);
	d->logo = NULL;
	d->logo_len = 0;
	return logo ? read_logo(d, logo, err) : 0;
}

int invoice_date_arg(char out[11], const char *date, struct rb_err *err)
{
	if (!date) {
		invoice_today(out);
		return 0;
	}
	if (strlen(date) != 10 || day_check(date, 10) < 0)
		return rb_err_set(err, RB_EUSAGE, "bad date '%s' (expected YYYY-MM-DD)", date);
	memcpy(out, date, 11);
	return 0;
}

int invoice_date_year(const char *date)
{
	return (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
}

int invoice_issue(struct invoice_issued *out, struct store *s, struct doc *d,
	const json_t *cfg, const char *date, long credits, const long *refs, size_t nrefs,
	const char *plan, const char *source, const char *action, struct rb_err *err)
{
	const json_t *is = json_object_get(cfg, "issuer");
	const char *type = doc_type_name(d->type);
	const char *pattern = json_string_value(json_object_get(is,
		d->type == DOC_INVOICE ? "invoice_format" : "credit_note_format"));
	const json_t *c = invoice_find_id(json_object_get(cfg, "customers"), "id", d->customer_id);
	json_t *terms = json_object_get(c, "payment_terms_days"), *audit;
	char last[16], number[128], pb[PERIOD_BUFSZ], total[DEC_BUFSZ], object[160];
	char *snap = NULL, *after = NULL;
	struct store_doc_in in = { 0 };
	long seq, id;
	int year = invoice_date_year(date), rc;

	if (!pattern)
		pattern = d->type == DOC_INVOICE ? "INV-{YYYY}-{SEQ:5}" : "CN-{YYYY}-{SEQ:5}";
	if ((rc = store_series_next(&seq, last, s, type, year, err)) < 0)
		return rc;
	if (*last && strcmp(date, last) < 0)
		return rb_err_set(err, RB_EINPUT, "issue date %s is before %s, the date of the last %s "
			"numbered in %d: numbers and dates must go up together", date, last,
			d->type == DOC_INVOICE ? "invoice" : "credit note", year);
	if (invoice_number_format(number, sizeof(number), pattern, year, seq) < 0)
		return rb_err_set(err, RB_EINPUT, "number format '%s' gives a number that is too long",
			pattern);
	free(d->number);
	d->number = xstrdup(number);
	memcpy(d->issue_date, date, 11);
	if (d->type == DOC_INVOICE)
		invoice_date_add(d->due_date, date, terms ? (int)json_integer_value(terms) : 30);
	else
		memcpy(d->due_date, date, 11);
	if ((rc = doc_check(d, err)) < 0)
		return rc;
	snap = invoice_snapshot(d);
	period_format(pb, d->period);
	dec_format(total, sizeof(total), d->total, d->minor, d->minor);
	in.number = number;
	in.type = type;
	in.year = year;
	in.seq = seq;
	in.customer = d->customer_id;
	in.plan = plan;
	in.period = pb;
	in.issue_date = d->issue_date;
	in.due_date = d->due_date;
	in.currency = d->currency;
	in.total = total;
	in.credits = credits;
	in.refs = refs;
	in.nrefs = nrefs;
	in.snapshot = snap;
	rc = store_doc_insert(&id, s, &in, err);
	if (rc == RB_EINPUT && credits)
		rc = rb_err_set(err, RB_EINPUT, "%s is already credited in full",
			d->refs && d->nrefs ? d->refs[0].number : "the document");
	if (rc < 0)
		goto cleanup;
	audit = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "customer", d->customer_id,
		"period", pb, "currency", d->currency, "total", total);
	after = invoice_dump(audit);
	json_decref(audit);
	snprintf(object, sizeof(object), "document:%s", number);
	if ((rc = store_audit_add(s, source, action, object, NULL, after, NULL, err)) < 0)
		goto cleanup;
	issued_add(out, number);
cleanup:
	free(snap);
	free(after);
	return rc;
}


int invoice_finalize(struct invoice_issued *out, struct store *s, int period,
	const char *customer, const char *date, struct rb_err *err)
{
	struct store_doc_filter f = { 0 };
	struct store_doc *drafts = NULL;
	size_t n = 0, i;
	json_t *cfg = NULL;
	char pb[PERIOD_BUFSZ], day[11];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = invoice_date_arg(day, date, err)) < 0)
		return rc;
	period_format(pb, period);
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	f.period = pb;
	f.customer = customer;
	f.drafts = 1;
	f.snapshots = 1;
	if ((rc = store_docs_list(&drafts, &n, s, &f, err)) < 0)
		goto cleanup;
	if (!n) {
		rc = rb_err_set(err, RB_EINPUT, "no drafts for %s%s%s%s (run 'rebill invoice run "
			"--period %s' first)", pb, customer ? " of customer '" : "",
			customer ? customer : "", customer ? "'" : "", pb);
		goto cleanup;
	}
	if ((rc = store_config_export(&cfg, s, err)) < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		const json_t *c = invoice_find_id(json_object_get(cfg, "customers"), "id",
			drafts[i].customer);
		struct doc *d = NULL;
		char what[64];
		json_t *conf = json_loads(drafts[i].config ? drafts[i].config : "{}", 0, NULL);
		const char *plan = json_string_value(json_object_get(json_object_get(conf, "plan"), "id"));

		snprintf(what, sizeof(what), "draft DRAFT-%ld", drafts[i].id);
		if (!c) {
			json_decref(conf);
			rc = rb_err_set(err, RB_EINPUT, "draft DRAFT-%ld: customer '%s' is no longer "
				"configured; run 'rebill invoice run --period %s' again", drafts[i].id,
				drafts[i].customer, pb);
			goto cleanup;
		}
		if ((rc = invoice_doc_parse(&d, drafts[i].snapshot, what, err)) < 0) {
			json_decref(conf);
			goto cleanup;
		}
		/* the customer's and the issuer's details as they are when it is
		 * finalized: what is printed is frozen from now on */
		doc_party_set(&d->customer, c);
		rc = invoice_issuer_apply(d, cfg, err);
		if (rc == 0)
			rc = invoice_issue(out, s, d, cfg, day, 0, NULL, 0, plan, "invoice finalize",
				"finalize", err);
		if (rc == 0)
			rc = store_draft_delete(s, drafts[i].id, err);
		json_decref(conf);
		doc_free(d);
		if (rc < 0)
			goto cleanup;
	}
	rc = store_commit(s, err);
cleanup:
	if (rc < 0) {
		store_rollback(s);
		invoice_issued_release(out);
	}
	json_decref(cfg);
	store_docs_free(drafts, n);
	return rc;
}

int invoice_credit(struct invoice_issued *out, struct store *s, const char *number,
	const char *reason, const char *date, struct rb_err *err)
{
	struct store_doc *row = NULL;
	struct doc *d = NULL;
	json_t *cfg = NULL;
	char day[11];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = invoice_date_arg(day, date, err)) < 0)
		return rc;
	if (!strncmp(number, "DRAFT-", 6))
		return rb_err_set(err, RB_EINPUT, "%s is a draft: drafts are replaced by 'invoice run', "
			"not credited", number);
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	if ((rc = store_doc_get(&row, s, number, err)) < 0)
		goto cleanup;
	if (strcmp(row->type, "invoice")) {
		rc = rb_err_set(err, RB_EINPUT, "%s is a credit note: only invoices can be credited",
			number);
		goto cleanup;
	}
	if (row->credited) {
		rc = rb_err_set(err, RB_EINPUT, "%s is already credited in full", number);
		goto cleanup;
	}
	if ((rc = invoice_doc_parse(&d, row->snapshot, number, err)) < 0 ||
	    (rc = store_config_export(&cfg, s, err)) < 0)
		goto cleanup;
	/* the same lines, FX and tax as printed on the invoice; a reference
	 * to it with its date */
	d->type = DOC_CREDIT_NOTE;
	{
		size_t j;
		for (j = 0; j < d->nrefs; j++)
			free(d->refs[j].number);
	}
	d->refs = xreallocarray(d->refs, 1, sizeof(d->refs[0]));
	memset(&d->refs[0], 0, sizeof(d->refs[0]));
	d->refs[0].number = xstrdup(number);
	memcpy(d->refs[0].issue_date, row->issue_date, 11);
	d->nrefs = 1;
	free(d->note);
	d->note = reason ? xstrdup(reason) : NULL;
	if ((rc = invoice_issue(out, s, d, cfg, day, row->id, &row->id, 1, NULL, "invoice credit",
			"credit", err)) < 0)
		goto cleanup;
	rc = store_commit(s, err);
cleanup:
	if (rc < 0) {
		store_rollback(s);
		invoice_issued_release(out);
	}
	doc_free(d);
	json_decref(cfg);
	store_docs_free(row, row ? 1 : 0);
	return rc;
}

int invoice_pay(struct store *s, const char *number, const char *amount, const char *date,
	struct rb_err *err)
{
	struct store_doc *row = NULL;
	rb_i128 amt, total, paid, open;
	char day[11], object[160], *after = NULL;
	json_t *a;
	int minor, rc;

	if ((rc = invoice_date_arg(day, date, err)) < 0)
		return rc;
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	if ((rc = store_doc_get(&row, s, number, err)) < 0)
		goto cleanup;
	if (row->draft || strcmp(row->type, "invoice")) {
		rc = rb_err_set(err, RB_EINPUT, "%s is not a finalized invoice: payments are recorded "
			"against invoices", number);
		goto cleanup;
	}
	if (row->credited) {
		rc = rb_err_set(err, RB_EINPUT, "%s is credited in full: nothing is owed on it", number);
		goto cleanup;
	}
	minor = config_currency_minor(row->currency);
	if (dec_parse_strict(&amt, amount, strlen(amount), minor, minor) < 0) {
		rc = rb_err_set(err, RB_EINPUT, "bad amount '%s' (a %s amount has at most %d decimals)",
			amount, row->currency, minor);
		goto cleanup;
	}
	if (dec_parse(&total, row->total, strlen(row->total), minor) < 0 ||
	    dec_parse(&paid, row->paid, strlen(row->paid), minor) < 0) {
		rc = rb_err_set(err, RB_EIO, "%s: damaged amounts in the database", number);
		goto cleanup;
	}
	open = total - paid;
	if (amt <= 0) {
		rc = rb_err_set(err, RB_EINPUT, "amount must be above 0, got '%s'", amount);
		goto cleanup;
	}
	if (amt > open) {
		char ob[DEC_BUFSZ];
		dec_format(ob, sizeof(ob), open, minor, minor);
		rc = rb_err_set(err, RB_EINPUT, "%s: paying %s %s is more than the open %s %s", number,
			amount, row->currency, ob, row->currency);
		goto cleanup;
	}
	{
		char canon[DEC_BUFSZ];
		dec_format(canon, sizeof(canon), amt, minor, minor);
		if ((rc = store_payment_add(s, row->id, canon, day, err)) < 0)
			goto cleanup;
		a = json_pack("{s:s, s:s, s:s}", "amount", canon, "currency", row->currency, "paid_on", day);
		after = invoice_dump(a);
		json_decref(a);
	}
	snprintf(object, sizeof(object), "document:%s", number);
	if ((rc = store_audit_add(s, "invoice pay", "pay", object, NULL, after, NULL, err)) < 0)
		goto cleanup;
	rc = store_commit(s, err);
cleanup:
	if (rc < 0)
		store_rollback(s);
	free(after);
	store_docs_free(row, row ? 1 : 0);
	return rc;
}
