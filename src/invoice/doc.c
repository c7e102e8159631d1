/*
 * doc.c: the document model — building a draft from a §5 invoice, copying,
 * checking, and its JSON form (the `invoice show --format json` shape and
 * the stored snapshot, which reads back exactly).
 *
 * Not for: rendering (render_*.c) or storing (src/store/documents.c).
 */
#include "invoice/doc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "invoice/invoice_int.h"
#include "config/config.h"
#include "rate/rate.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

const char *doc_type_name(enum doc_type t)
{
	return t == DOC_CREDIT_NOTE ? "credit_note" : "invoice";
}

int doc_type_from_name(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "invoice"))
		return DOC_INVOICE;
	if (!strcmp(s, "credit_note"))
		return DOC_CREDIT_NOTE;
	return -1;
}

const char *doc_default_category(rb_i128 rate_pct)
{
	return rate_pct > 0 ? "S" : "O";
}

int doc_category_ok(const char *s)
{
	static const char *const ok[] = { "S", "AE", "Z", "E", "O" };
	size_t i;
	for (i = 0; s && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(s, ok[i]))
			return 1;
	return 0;
}

int doc_sign(const struct doc *d)
{
	return d->type == DOC_CREDIT_NOTE ? -1 : 1;
}

static char *dupn(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void party_copy(struct doc_party *to, const struct doc_party *from)
{
	memset(to, 0, sizeof(*to));
	if (!from)
		return;
	to->name = dupn(from->name);
	to->address = dupn(from->address);
	to->city = dupn(from->city);
	to->postal_code = dupn(from->postal_code);
	to->country = dupn(from->country);
	to->vat_id = dupn(from->vat_id);
	to->company_id = dupn(from->company_id);
	to->email = dupn(from->email);
	to->peppol_id = dupn(from->peppol_id);
	to->iban = dupn(from->iban);
	to->bic = dupn(from->bic);
}

static void party_release(struct doc_party *p)
{
	free(p->name);
	free(p->address);
	free(p->city);
	free(p->postal_code);
	free(p->country);
	free(p->vat_id);
	free(p->company_id);
	free(p->email);
	free(p->peppol_id);
	free(p->iban);
	free(p->bic);
}

void doc_free(struct doc *d)
{
	size_t i;
	if (!d)
		return;
	free(d->number);
	free(d->customer_id);
	party_release(&d->customer);
	party_release(&d->issuer);
	for (i = 0; i < d->nrefs; i++)
		free(d->refs[i].number);
	free(d->refs);
	free(d->note);
	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].kind);
		free(d->lines[i].key);
		free(d->lines[i].description);
	}
	free(d->lines);
	free(d->tax_name);
	free(d->tax_note);
	free(d->logo);
	free(d);
}

static void set_category(struct doc *d, const char *category)
{
	const char *c = category && doc_category_ok(category) ? category
		: doc_default_category(d->tax_rate_pct);
	memcpy(d->tax_category, c, strlen(c) + 1);
}

struct doc *doc_from_rate(const struct rate_invoice *inv, const struct doc_party *customer,
	const struct doc_party *issuer, const char *tax_name, const char *category,
	const char *tax_note)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->type = DOC_INVOICE;
	d->customer_id = xstrdup(inv->customer);
	party_copy(&d->customer, customer);
	party_copy(&d->issuer, issuer);
	d->period = inv->period;
	snprintf(d->currency, sizeof(d->currency), "%s", inv->currency);
	d->minor = inv->minor;
	d->fx = inv->fx;
	d->lines = xcalloc(inv->nlines ? inv->nlines : 1, sizeof(d->lines[0]));
	for (i = 0; i < inv->nlines; i++) {
		const struct rate_line *l = &inv->lines[i];
		d->lines[i].kind = xstrdup(rate_line_kind_name(l->kind));
		d->lines[i].key = xstrdup(l->key);
		d->lines[i].description = xstrdup(l->description ? l->description : "");
		d->lines[i].amount = l->amount;
	}
	d->nlines = inv->nlines;
	d->subtotal = inv->subtotal;
	d->tax = inv->tax;
	d->total = inv->total;
	d->tax_name = dupn(tax_name);
	d->tax_rate_pct = inv->tax_rate_pct;
	set_category(d, category);
	d->tax_note = dupn(tax_note);
	return d;
}

struct doc *doc_dup(const struct doc *s)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	size_t i;

	*d = *s;
	d->number = dupn(s->number);
	d->customer_id = dupn(s->customer_id);
	party_copy(&d->customer, &s->customer);
	party_copy(&d->issuer, &s->issuer);
	d->refs = xcalloc(s->nrefs ? s->nrefs : 1, sizeof(d->refs[0]));
	for (i = 0; i < s->nrefs; i++) {
		d->refs[i] = s->refs[i];
		d->refs[i].number = xstrdup(s->refs[i].number);
	}
	d->note = dupn(s->note);
	d->lines = xcalloc(s->nlines ? s->nlines : 1, sizeof(d->lines[0]));
	for (i = 0; i < s->nlines; i++) {
		d->lines[i].kind = xstrdup(s->lines[i].kind);
		d->lines[i].key = xstrdup(s->lines[i].key);
		d->lines[i].description = xstrdup(s->lines[i].description);
		d->lines[i].amount = s->lines[i].amount;
	}
	d->tax_name = dupn(s->tax_name);
	d->tax_note = dupn(s->tax_note);
	if (s->logo) {
		d->logo = xmalloc(s->logo_len);
		memcpy(d->logo, s->logo, s->logo_len);
	}
	return d;
}

int doc_check(const struct doc *d, struct rb_err *err)
{
	rb_i128 sum = 0;
	size_t i;

	if (config_currency_minor(d->currency) != d->minor)
		return rb_err_set(err, RB_EINPUT, "document: unknown currency '%s' or wrong minor digits",
			d->currency);
	for (i = 0; i < d->nlines; i++)
		if (dec_add(&sum, sum, d->lines[i].amount) < 0)
			return rb_err_set(err, RB_EINPUT, "document: amounts out of range");
	if (sum != d->subtotal)
		return rb_err_set(err, RB_EINPUT, "document: subtotal is not the sum of the lines");
	if (d->subtotal + d->tax != d->total)
		return rb_err_set(err, RB_EINPUT, "document: total is not subtotal + tax");
	if (!doc_category_ok(d->tax_category))
		return rb_err_set(err, RB_EINPUT, "document: bad VAT category '%s'", d->tax_category);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *jamount(const struct doc *d, rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, d->minor, d->minor);
	return json_string(buf);
}

static json_t *jparty(const struct doc_party *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", jstr(p->name));
	json_object_set_new(o, "address", jstr(p->address));
	json_object_set_new(o, "city", jstr(p->city));
	json_object_set_new(o, "postal_code", jstr(p->postal_code));
	json_object_set_new(o, "country", jstr(p->country));
	json_object_set_new(o, "vat_id", jstr(p->vat_id));
	json_object_set_new(o, "company_id", jstr(p->company_id));
	json_object_set_new(o, "email", jstr(p->email));
	json_object_set_new(o, "peppol_id", jstr(p->peppol_id));
	json_object_set_new(o, "iban", jstr(p->iban));
	json_object_set_new(o, "bic", jstr(p->bic));
	return o;
}

json_t *doc_json(const struct doc *d, int full)
{
	json_t *o = json_object(), *refs = json_array(), *lines = json_array();
	char buf[DEC_BUFSZ], pb[PERIOD_BUFSZ];
	size_t i;

	json_object_set_new(o, "number", jstr(d->number));
	json_object_set_new(o, "type", json_string(doc_type_name(d->type)));
	json_object_set_new(o, "customer", jstr(d->customer_id));
	period_format(pb, d->period);
	json_object_set_new(o, "period", json_string(pb));
	json_object_set_new(o, "currency", json_string(d->currency));
	dec_format_min(buf, sizeof(buf), d->fx, DEC_FACTOR_DIGITS);
	json_object_set_new(o, "fx", json_string(buf));
	json_object_set_new(o, "issue_date", jstr(d->issue_date));
	json_object_set_new(o, "due_date", jstr(d->due_date));
	for (i = 0; i < d->nrefs; i++)
		json_array_append_new(refs, json_string(d->refs[i].number));
	json_object_set_new(o, "references", refs);
	for (i = 0; i < d->nlines; i++) {
		json_t *l = json_object();
		json_object_set_new(l, "kind", json_string(d->lines[i].kind));
		json_object_set_new(l, "key", json_string(d->lines[i].key));
		json_object_set_new(l, "description", json_string(d->lines[i].description));
		json_object_set_new(l, "amount", jamount(d, d->lines[i].amount));
		json_array_append_new(lines, l);
	}
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "subtotal", jamount(d, d->subtotal));
	json_object_set_new(o, "tax", jamount(d, d->tax));
	json_object_set_new(o, "total", jamount(d, d->total));
	if (full) {
		json_t *dates = json_array(), *tc = json_object();
		for (i = 0; i < d->nrefs; i++)
			json_array_append_new(dates, jstr(d->refs[i].issue_date));
		json_object_set_new(o, "reference_dates", dates);
		json_object_set_new(o, "customer_party", jparty(&d->customer));
		json_object_set_new(o, "issuer", jparty(&d->issuer));
		json_object_set_new(o, "note", jstr(d->note));
		json_object_set_new(tc, "name", jstr(d->tax_name));
		dec_format_min(buf, sizeof(buf), d->tax_rate_pct, DEC_FACTOR_DIGITS);
		json_object_set_new(tc, "rate_pct", json_string(buf));
		json_object_set_new(tc, "category", json_string(d->tax_category));
		json_object_set_new(tc, "note", jstr(d->tax_note));
		json_object_set_new(o, "tax_cluster", tc);
		if (d->logo) {
			struct strbuf sb;
			strbuf_init(&sb, d->logo_len * 4 / 3 + 8, (size_t)-1);
			invoice_base64(&sb, d->logo, d->logo_len);
			json_object_set_new(o, "logo", json_string(sb.buf));
			strbuf_release(&sb);
		} else {
			json_object_set_new(o, "logo", json_null());
		}
	}
	return o;
}

/* Reading back: each getter names the path of what is wrong. */
struct jr {
	struct rb_err *err;
	int bad;
};

static const char *get_str(struct jr *r, const json_t *o, const char *key, int required,
	const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required && !r->bad++)
			rb_err_set(r->err, RB_EINPUT, "document: %s.%s is missing", where, key);
		return NULL;
	}
	if (!json_is_string(v)) {
		if (!r->bad++)
			rb_err_set(r->err, RB_EINPUT, "document: %s.%s is not a string", where, key);
		return NULL;
	}
	return json_string_value(v);
}

static char *get_dup(struct jr *r, const json_t *o, const char *key, const char *where)
{
	return dupn(get_str(r, o, key, 0, where));
}

static rb_i128 get_dec(struct jr *r, const json_t *o, const char *key, int scale,
	const char *where)
{
	const char *s = get_str(r, o, key, 1, where);
	rb_i128 v = 0;
	if (s && dec_parse_strict(&v, s, strlen(s), scale, scale) < 0 && !r->bad++)
		rb_err_set(r->err, RB_EINPUT, "document: %s.%s: bad amount '%s'", where, key, s);
	return v;
}

static void get_date(struct jr *r, char out[11], const json_t *o, const char *key,
	const char *where)
{
	const char *s = get_str(r, o, key, 0, where);
	out[0] = 0;
	if (!s)
		return;
	if (strlen(s) != 10 || day_check(s, 10) < 0) {
		if (!r->bad++)
			rb_err_set(r->err, RB_EINPUT, "document: %s.%s: bad date '%s'", where, key, s);
		return;
	}
	memcpy(out, s, 11);
}

static void get_party(struct jr *r, struct doc_party *p, const json_t *o, const char *where)
{
	if (!json_is_object(o))
		return;
	p->name = get_dup(r, o, "name", where);
	p->address = get_dup(r, o, "address", where);
	p->city = get_dup(r, o, "city", where);
	p->postal_code = get_dup(r, o, "postal_code", where);
	p->country = get_dup(r, o, "country", where);
	p->vat_id = get_dup(r, o, "vat_id", where);
	p->company_id = get_dup(r, o, "company_id", where);
	p->email = get_dup(r, o, "email", where);
	p->peppol_id = get_dup(r, o, "peppol_id", where);
	p->iban = get_dup(r, o, "iban", where);
	p->bic = get_dup(r, o, "bic", where);
}

void doc_party_set(struct doc_party *p, const json_t *o)
{
	struct jr r = { NULL, 0 };
	party_release(p);
	memset(p, 0, sizeof(*p));
	get_party(&r, p, o, "$");
}

int doc_from_json(struct doc **out, const json_t *j, struct rb_err *err)
{
	struct jr r = { err, 0 };
	struct doc *d = xcalloc(1, sizeof(*d));
	const char *s, *cat;
	json_t *refs, *dates, *lines, *tc;
	size_t i;
	int t;

	*out = NULL;
	if (!json_is_object(j)) {
		doc_free(d);
		return rb_err_set(err, RB_EINPUT, "document: not a JSON object");
	}
	d->number = get_dup(&r, j, "number", "$");
	t = doc_type_from_name(get_str(&r, j, "type", 1, "$"));
	d->type = t < 0 ? DOC_INVOICE : (enum doc_type)t;
	d->customer_id = get_dup(&r, j, "customer", "$");
	s = get_str(&r, j, "period", 1, "$");
	if (s && period_parse(&d->period, s, strlen(s)) < 0 && !r.bad++)
		rb_err_set(err, RB_EINPUT, "document: $.period: bad period '%s'", s);
	s = get_str(&r, j, "currency", 1, "$");
	if (s)
		snprintf(d->currency, sizeof(d->currency), "%s", s);
	d->minor = config_currency_minor(d->currency);
	if (d->minor < 0 && !r.bad++)
		rb_err_set(err, RB_EINPUT, "document: $.currency: unknown currency '%s'", d->currency);
	d->fx = get_dec(&r, j, "fx", DEC_FACTOR_DIGITS, "$");
	get_date(&r, d->issue_date, j, "issue_date", "$");
	get_date(&r, d->due_date, j, "due_date", "$");
	refs = json_object_get(j, "references");
	dates = json_object_get(j, "reference_dates");
	d->nrefs = json_array_size(refs);
	d->refs = xcalloc(d->nrefs ? d->nrefs : 1, sizeof(d->refs[0]));
	for (i = 0; i < d->nrefs; i++) {
		json_t *ds = json_array_get(dates, i);
		d->refs[i].number = dupn(json_string_value(json_array_get(refs, i)));
		if (!d->refs[i].number && !r.bad++)
			rb_err_set(err, RB_EINPUT, "document: $.references[%zu] is not a string", i);
		if (json_is_string(ds) && strlen(json_string_value(ds)) == 10)
			memcpy(d->refs[i].issue_date, json_string_value(ds), 11);
	}
	lines = json_object_get(j, "lines");
	d->nlines = json_array_size(lines);
	d->lines = xcalloc(d->nlines ? d->nlines : 1, sizeof(d->lines[0]));
	for (i = 0; i < d->nlines; i++) {
		json_t *l = json_array_get(lines, i);
		char where[32];
		snprintf(where, sizeof(where), "$.lines[%zu]", i);
		d->lines[i].kind = dupn(get_str(&r, l, "kind", 1, where));
		d->lines[i].key = dupn(get_str(&r, l, "key", 1, where));
		d->lines[i].description = dupn(get_str(&r, l, "description", 1, where));
		d->lines[i].amount = d->minor >= 0 ? get_dec(&r, l, "amount", d->minor, where) : 0;
	}
	if (d->minor >= 0) {
		d->subtotal = get_dec(&r, j, "subtotal", d->minor, "$");
		d->tax = get_dec(&r, j, "tax", d->minor, "$");
		d->total = get_dec(&r, j, "total", d->minor, "$");
	}
	get_party(&r, &d->customer, json_object_get(j, "customer_party"), "$.customer_party");
	get_party(&r, &d->issuer, json_object_get(j, "issuer"), "$.issuer");
	d->note = get_dup(&r, j, "note", "$");
	tc = json_object_get(j, "tax_cluster");
	if (json_is_object(tc)) {
		d->tax_name = get_dup(&r, tc, "name", "$.tax_cluster");
		d->tax_rate_pct = get_dec(&r, tc, "rate_pct", DEC_FACTOR_DIGITS, "$.tax_cluster");
		cat = get_str(&r, tc, "category", 0, "$.tax_cluster");
		d->tax_note = get_dup(&r, tc, "note", "$.tax_cluster");
	} else {
		cat = NULL;
	}
	set_category(d, cat);
	s = get_str(&r, j, "logo", 0, "$");
	if (s && invoice_base64_decode(&d->logo, &d->logo_len, s, strlen(s)) < 0 && !r.bad++)
		rb_err_set(err, RB_EINPUT, "document: $.logo is not base64");
	if (r.bad || doc_check(d, err) < 0) {
		doc_free(d);
		return RB_EINPUT;
	}
	*out = d;
	return 0;
}
