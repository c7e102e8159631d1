/*
 * rerate.c: re-rating a closed period (spec §8). For every customer with
 * finalized documents in the period: the §5 invoice now (report_invoices,
 * at the FX rate of the customer's first document of the period), the net
 * of its documents per line key (kind + key) and for tax (invoices plus,
 * credit notes minus, as their effect on what is owed), and one correction
 * document with a line per key whose amount differs (now − net) and tax
 * now.tax − net.tax, never re-rounded. A negative total is issued as a
 * credit note printing every amount negated. Nothing is issued when
 * nothing differs. Afterwards, per customer, key, tax and total:
 * Σ invoices − Σ credit notes = the invoice now.
 *
 * The only arithmetic is adding and subtracting amounts that are already
 * at the currency's minor digits.
 */
#include "invoice/invoice.h"
#include "invoice/lifecycle_int.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/store_config.h"
#include "store/store_documents.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct acc {
	char *kind, *key, *desc;
	rb_i128 now, net;
};

struct sums {
	struct acc *v;
	size_t n;
	rb_i128 now_tax, net_tax;
};

static struct acc *acc_get(struct sums *s, const char *kind, const char *key, const char *desc)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].kind, kind) && !strcmp(s->v[i].key, key))
			return &s->v[i];
	s->v = xreallocarray(s->v, s->n + 1, sizeof(s->v[0]));
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].kind = xstrdup(kind);
	s->v[s->n].key = xstrdup(key);
	s->v[s->n].desc = xstrdup(desc ? desc : key);
	return &s->v[s->n++];
}

static void sums_release(struct sums *s)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].kind);
		free(s->v[i].key);
		free(s->v[i].desc);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* One customer's documents of the period (indexes into the listed rows). */
struct cust {
	const char *id;
	size_t *rows;
	size_t n;
	size_t first;          /* the row finalized first (lowest id) */
};

/* d refers to all the customer's documents of the period. */
static void set_refs(struct doc *d, const struct store_doc *rows, const struct cust *c)
{
	size_t j;
	for (j = 0; j < d->nrefs; j++)
		free(d->refs[j].number);
	free(d->refs);
	d->refs = xcalloc(c->n ? c->n : 1, sizeof(d->refs[0]));
	for (j = 0; j < c->n; j++) {
		d->refs[j].number = xstrdup(rows[c->rows[j]].number);
		memcpy(d->refs[j].issue_date, rows[c->rows[j]].issue_date, 11);
	}
	d->nrefs = c->n;
}

static const struct rate_invoice *find_now(const struct report_invoices *r, const char *c)
{
	size_t i;
	for (i = 0; r && i < r->n; i++)
		if (!strcmp(r->items[i].inv->customer, c))
			return r->items[i].inv;
	return NULL;
}

/* The correction of one customer, or NULL when nothing differs. tmpl is
 * its latest document (parties, currency, FX, tax cluster as printed). */
static struct doc *correction(const struct doc *tmpl, struct sums *sm,
	const struct rate_invoice *now, const json_t *cfg)
{
	struct doc *d;
	rb_i128 sub = 0, tax = sm->now_tax - sm->net_tax;
	size_t i, nl = 0;
	int any = tax != 0;

	for (i = 0; i < sm->n; i++)
		if (sm->v[i].now != sm->v[i].net)
			any = 1;
	if (!any)
		return NULL;
	d = doc_dup(tmpl);
	free(d->number);
	d->number = NULL;
	d->issue_date[0] = d->due_date[0] = 0;
	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].kind);
		free(d->lines[i].key);
		free(d->lines[i].description);
	}
	free(d->lines);
	d->lines = xcalloc(sm->n ? sm->n : 1, sizeof(d->lines[0]));
	for (i = 0; i < sm->n; i++) {
		rb_i128 diff = sm->v[i].now - sm->v[i].net;
		if (!diff)
			continue;
		d->lines[nl].kind = xstrdup(sm->v[i].kind);
		d->lines[nl].key = xstrdup(sm->v[i].key);
		d->lines[nl].description = xstrdup(sm->v[i].desc);
		d->lines[nl].amount = diff;
		sub += diff;
		nl++;
	}
	d->nlines = nl;
	d->subtotal = sub;
	d->tax = tax;
	d->total = sub + tax;
	if (now) {
		const json_t *c = invoice_find_id(json_object_get(cfg, "customers"), "id", d->customer_id);
		const char *tcid = json_string_value(json_object_get(c, "tax_cluster"));
		const json_t *tc = invoice_find_id(json_object_get(cfg, "tax_clusters"), "id", tcid);
		const char *cat = json_string_value(json_object_get(tc, "category"));
		const char *name = json_string_value(json_object_get(tc, "name"));
		const char *note = json_string_value(json_object_get(tc, "note"));
		d->tax_rate_pct = now->tax_rate_pct;
		free(d->tax_name);
		free(d->tax_note);
		d->tax_name = name ? xstrdup(name) : NULL;
		d->tax_note = note ? xstrdup(note) : NULL;
		cat = cat && doc_category_ok(cat) ? cat : doc_default_category(d->tax_rate_pct);
		memcpy(d->tax_category, cat, strlen(cat) + 1);
	}
	d->type = DOC_INVOICE;
	if (d->total < 0) {
		/* a credit note prints what it takes back: every amount negated */
		d->type = DOC_CREDIT_NOTE;
		for (i = 0; i < d->nlines; i++)
			d->lines[i].amount = -d->lines[i].amount;
		d->subtotal = -d->subtotal;
		d->tax = -d->tax;
		d->total = -d->total;
	}
	free(d->note);
	d->note = xstrdup("Correction after re-rating the period");
	return d;
}

int invoice_rerate(struct invoice_issued *out, struct doc ***docs_out, size_t *ndocs_out,
	struct store *s, int period, int dry_run, const char *date, struct rb_err *err)
{
	struct store_doc_filter f = { 0 };
	struct store_doc *rows = NULL;
	struct doc **parsed = NULL, **result = NULL;
	struct cust *cs = NULL;
	struct report_fx_pin *pins = NULL;
	struct report_invoices *nows = NULL;
	size_t nrows = 0, nc = 0, nres = 0, i, k;
	json_t *cfg = NULL;
	char pb[PERIOD_BUFSZ], day[11];
	int rc, began = 0;

	memset(out, 0, sizeof(*out));
	if (docs_out)
		*docs_out = NULL;
	if (ndocs_out)
		*ndocs_out = 0;
	if ((rc = invoice_date_arg(day, date, err)) < 0)
		return rc;
	period_format(pb, period);
	f.period = pb;
	f.documents = 1;
	f.snapshots = 1;
	if ((rc = store_docs_list(&rows, &nrows, s, &f, err)) < 0)
		goto cleanup;
	if (!nrows) {
		rc = rb_err_set(err, RB_EINPUT, "no finalized documents for %s: nothing to re-rate", pb);
		goto cleanup;
	}
	parsed = xcalloc(nrows, sizeof(parsed[0]));
	cs = xcalloc(nrows, sizeof(cs[0]));
	for (i = 0; i < nrows; i++) {
		if ((rc = invoice_doc_parse(&parsed[i], rows[i].snapshot, rows[i].number, err)) < 0)
			goto cleanup;
		for (k = 0; k < nc; k++)
			if (!strcmp(cs[k].id, rows[i].customer))
				break;
		if (k == nc) {
			cs[nc].id = rows[i].customer;
			cs[nc].rows = xcalloc(nrows, sizeof(size_t));
			cs[nc].first = i;
			nc++;
		}
		cs[k].rows[cs[k].n++] = i;
		if (rows[i].id < rows[cs[k].first].id)
			cs[k].first = i;
	}
	pins = xcalloc(nc, sizeof(pins[0]));
	for (k = 0; k < nc; k++) {
		pins[k].customer = cs[k].id;
		pins[k].fx = parsed[cs[k].first]->fx;
	}
	/* the invoices now of the customers with documents, in one pass over
	 * the period (the others are not rated: one of them without an
	 * exchange rate cannot stop the re-rating); a report reads in a
	 * snapshot of its own, so this comes before the write transaction.
	 * Once per customer it was a configuration each: 1.36 GB and 21 s for
	 * 1,000 customers (bench/RESULTS.md). */
	if ((rc = report_invoices_pinned(&nows, s, period, NULL, pins, nc, err)) < 0)
		goto cleanup;
	if (!dry_run) {
		struct store_doc *again = NULL;
		size_t nagain = 0;
		int same;
		if ((rc = store_begin(s, err)) < 0)
			goto cleanup;
		began = 1;
		f.snapshots = 0;
		if ((rc = store_docs_list(&again, &nagain, s, &f, err)) < 0)
			goto cleanup;
		same = nagain == nrows;
		for (i = 0; same && i < nrows; i++)
			same = again[i].id == rows[i].id;
		store_docs_free(again, nagain);
		if (!same) {
			rc = rb_err_set(err, RB_EINPUT, "documents of %s were issued while re-rating; "
				"run 'rebill invoice rerate --period %s' again", pb, pb);
			goto cleanup;
		}
	}
	if ((rc = store_config_export(&cfg, s, err)) < 0)
		goto cleanup;
	result = xcalloc(nc, sizeof(result[0]));
	for (k = 0; k < nc; k++) {
		const struct rate_invoice *now;
		struct sums sm = { 0 };
		const struct doc *latest = NULL;
		long latest_id = 0;
		size_t j;

		now = find_now(nows, cs[k].id);
		for (j = 0; now && j < now->nlines; j++)
			acc_get(&sm, rate_line_kind_name(now->lines[j].kind), now->lines[j].key,
				now->lines[j].description)->now += now->lines[j].amount;
		sm.now_tax = now ? now->tax : 0;
		for (j = 0; j < cs[k].n; j++) {
			const struct doc *d = parsed[cs[k].rows[j]];
			size_t l;
			int sign = doc_sign(d);
			for (l = 0; l < d->nlines; l++)
				acc_get(&sm, d->lines[l].kind, d->lines[l].key, d->lines[l].description)->net +=
					sign * d->lines[l].amount;
			sm.net_tax += sign * d->tax;
			if (!latest || rows[cs[k].rows[j]].id > latest_id) {
				latest = d;
				latest_id = rows[cs[k].rows[j]].id;
			}
		}
		result[nres] = correction(latest, &sm, now, cfg);
		sums_release(&sm);
		if (!result[nres])
			continue;
		if (!dry_run) {
			long *refs = xcalloc(cs[k].n, sizeof(long));
			for (j = 0; j < cs[k].n; j++)
				refs[j] = rows[cs[k].rows[j]].id;
			set_refs(result[nres], rows, &cs[k]);
			rc = invoice_issuer_apply(result[nres], cfg, err);
			if (rc == 0)
				rc = invoice_issue(out, s, result[nres], cfg, day, 0, refs, cs[k].n,
					json_string_value(json_object_get(invoice_find_id(
						json_object_get(cfg, "customers"), "id", cs[k].id), "plan")),
					"invoice rerate", "rerate", err);
			free(refs);
			if (rc < 0) {
				nres++;
				goto cleanup;
			}
		} else {
			set_refs(result[nres], rows, &cs[k]);
		}
		nres++;
	}
	if (began) {
		if ((rc = store_commit(s, err)) < 0)
			goto cleanup;
		began = 0;
	}
	if (docs_out) {
		*docs_out = result;
		*ndocs_out = nres;
		result = NULL;
	}
cleanup:
	if (began)
		store_rollback(s);
	if (rc < 0)
		invoice_issued_release(out);
	for (i = 0; result && i < nres; i++)
		doc_free(result[i]);
	free(result);
	for (i = 0; parsed && i < nrows; i++)
		doc_free(parsed[i]);
	free(parsed);
	for (k = 0; k < nc; k++)
		free(cs[k].rows);
	report_invoices_free(nows);
	free(cs);
	free(pins);
	json_decref(cfg);
	store_docs_free(rows, nrows);
	return rc;
}
