/*
 * read.c: reading documents back — one document or draft, the status of
 * each (draft, final, credited, paid, overdue), the list and the
 * receivables report. Amounts are read as stored (minor digits); open
 * balances are total − Σ payments, exact.
 *
 * Not for: changing anything (lifecycle.c).
 */
#include "invoice/invoice.h"
#include "invoice/lifecycle_int.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/store_documents.h"
#include "util/banned.h"

int invoice_get(struct doc **out, struct store *s, const char *ref, struct rb_err *err)
{
	struct store_doc *row = NULL;
	int rc;
	*out = NULL;
	if ((rc = store_doc_get(&row, s, ref, err)) < 0)
		return rc;
	rc = invoice_doc_parse(out, row->snapshot, ref, err);
	store_docs_free(row, 1);
	return rc;
}

/* total and paid of a row at its currency's digits. */
static void amounts(const struct store_doc *d, rb_i128 *total, rb_i128 *paid, int *minor)
{
	*minor = config_currency_minor(d->currency);
	if (*minor < 0)
		*minor = 2;
	*total = *paid = 0;
	dec_parse(total, d->total, strlen(d->total), *minor);
	dec_parse(paid, d->paid, strlen(d->paid), *minor);
}

const char *invoice_status(const struct store_doc *d, const char *today)
{
	rb_i128 total, paid;
	int minor;
	if (d->draft)
		return "draft";
	if (strcmp(d->type, "invoice"))
		return "final";
	if (d->credited)
		return "credited";
	amounts(d, &total, &paid, &minor);
	if (paid >= total)
		return "paid";
	if (d->due_date && strcmp(today, d->due_date) > 0)
		return "overdue";
	return "final";
}

int invoice_list_json(json_t **out, struct store *s, const char *period, const char *customer,
	const char *status, struct rb_err *err)
{
	struct store_doc_filter f = { period, customer, 1, 1, 0 };
	struct store_doc *docs = NULL;
	size_t n = 0, i;
	json_t *arr;
	char today[11];
	int rc;

	*out = NULL;
	if (status && strcmp(status, "draft") && strcmp(status, "final") &&
	    strcmp(status, "credited") && strcmp(status, "paid") && strcmp(status, "overdue"))
		return rb_err_set(err, RB_EUSAGE,
			"unknown status '%s' (expected draft, final, credited, paid or overdue)", status);
	if ((rc = store_docs_list(&docs, &n, s, &f, err)) < 0)
		return rc;
	invoice_today(today);
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct store_doc *d = &docs[i];
		const char *st = invoice_status(d, today);
		char id[40];
		json_t *o;
		if (status && strcmp(status, st))
			continue;
		if (d->draft)
			snprintf(id, sizeof(id), "DRAFT-%ld", d->id);
		o = json_object();
		json_object_set_new(o, "id", json_string(d->draft ? id : d->number));
		json_object_set_new(o, "number", d->number ? json_string(d->number) : json_null());
		json_object_set_new(o, "type", json_string(d->type));
		json_object_set_new(o, "customer", json_string(d->customer));
		json_object_set_new(o, "period", json_string(d->period));
		json_object_set_new(o, "status", json_string(st));
		json_object_set_new(o, "currency", json_string(d->currency ? d->currency : ""));
		json_object_set_new(o, "total", json_string(d->total ? d->total : ""));
		json_array_append_new(arr, o);
	}
	*out = json_pack("{s:o}", "documents", arr);
	store_docs_free(docs, n);
	return 0;
}

int invoice_receivables_json(json_t **out, struct store *s, const char *as_of,
	struct rb_err *err)
{
	struct store_doc_filter f = { NULL, NULL, 0, 1, 0 };
	struct store_doc *docs = NULL;
	size_t n = 0, i;
	json_t *arr, *totals, *sums;
	const char *cur;
	json_t *v;
	char day[11];
	int rc;

	*out = NULL;
	if ((rc = invoice_date_arg(day, as_of, err)) < 0)
		return rc;
	if ((rc = store_docs_list(&docs, &n, s, &f, err)) < 0)
		return rc;
	/* made after the argument checks, so an early return leaks nothing */
	sums = json_object();
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct store_doc *d = &docs[i];
		rb_i128 total, paid, open;
		char tb[DEC_BUFSZ], pb[DEC_BUFSZ], ob[DEC_BUFSZ];
		const char *st;
		long late = 0;
		int minor;
		json_t *o, *sum;
		if (strcmp(d->type, "invoice") || d->credited || strcmp(d->issue_date, day) > 0)
			continue;
		amounts(d, &total, &paid, &minor);
		open = total - paid;
		if (open <= 0)
			st = "paid";
		else if (strcmp(day, d->due_date) > 0) {
			st = "overdue";
			late = invoice_date_diff(d->due_date, day);
		} else
			st = "open";
		dec_format(tb, sizeof(tb), total, minor, minor);
		dec_format(pb, sizeof(pb), paid, minor, minor);
		dec_format(ob, sizeof(ob), open > 0 ? open : 0, minor, minor);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "number", d->number,
			"customer", d->customer, "currency", d->currency, "issue_date", d->issue_date,
			"due_date", d->due_date, "total", tb, "paid", pb, "open", ob, "status", st,
			"days_late", (json_int_t)late);
		json_array_append_new(arr, o);
		/* per currency: open and overdue sums, kept as exact integers of
		 * the minor unit in a JSON array [open, overdue, minor] */
		sum = json_object_get(sums, d->currency);
		if (!sum) {
			sum = json_pack("[s, s, i]", "0", "0", minor);
			json_object_set_new(sums, d->currency, sum);
		}
		if (open > 0) {
			rb_i128 a = 0, b = 0;
			const char *sa = json_string_value(json_array_get(sum, 0));
			const char *sb = json_string_value(json_array_get(sum, 1));
			dec_parse(&a, sa, strlen(sa), minor);
			dec_parse(&b, sb, strlen(sb), minor);
			a += open;
			if (!strcmp(st, "overdue"))
				b += open;
			dec_format(tb, sizeof(tb), a, minor, minor);
			dec_format(pb, sizeof(pb), b, minor, minor);
			json_array_set_new(sum, 0, json_string(tb));
			json_array_set_new(sum, 1, json_string(pb));
		}
	}
	totals = json_array();
	json_object_foreach(sums, cur, v) {
		json_array_append_new(totals, json_pack("{s:s, s:O, s:O}", "currency", cur,
			"open", json_array_get(v, 0), "overdue", json_array_get(v, 1)));
	}
	json_decref(sums);
	*out = json_pack("{s:s, s:o, s:o}", "as_of", day, "invoices", arr, "totals", totals);
	store_docs_free(docs, n);
	return 0;
}
