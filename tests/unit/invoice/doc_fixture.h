/*
 * doc_fixture.h: sample documents for the renderer tests, built by hand
 * (amounts are hand arithmetic, written in the comments), covering the
 * VAT categories S, AE, Z, E, O, credit notes, EUR/GBP/JPY/USD, accents,
 * a long description and a multi-page document.
 */
#ifndef RB_DOC_FIXTURE_H
#define RB_DOC_FIXTURE_H

#include <cairo.h>
#include <stdlib.h>
#include <string.h>

#include "invoice/doc.h"
#include "config/config.h"
#include "rate/rate.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static inline char *fx_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static inline void fx_add_line(struct doc *d, const char *kind, const char *key, const char *desc,
	const char *amount)
{
	struct doc_line *l;
	d->lines = xreallocarray(d->lines, d->nlines + 1, sizeof(d->lines[0]));
	l = &d->lines[d->nlines++];
	l->kind = xstrdup(kind);
	l->key = xstrdup(key);
	l->description = xstrdup(desc);
	dec_parse_strict(&l->amount, amount, strlen(amount), d->minor, d->minor);
}

static inline void fx_amount(rb_i128 *out, const struct doc *d, const char *s)
{
	dec_parse_strict(out, s, strlen(s), d->minor, d->minor);
}

static inline cairo_status_t fx_png_write(void *c, const unsigned char *p, unsigned int n)
{
	return strbuf_add(c, p, n) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* A 120 x 40 PNG: a blue bar with an orange square, drawn with cairo. */
static inline void fx_logo(struct doc *d)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 120, 40);
	cairo_t *cr = cairo_create(s);
	struct strbuf sb;
	cairo_set_source_rgb(cr, 0.1, 0.3, 0.7);
	cairo_rectangle(cr, 0, 0, 120, 40);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 1, 0.6, 0);
	cairo_rectangle(cr, 8, 8, 24, 24);
	cairo_fill(cr);
	cairo_destroy(cr);
	strbuf_init(&sb, 4096, 1 << 20);
	cairo_surface_write_to_png_stream(s, fx_png_write, &sb);
	cairo_surface_destroy(s);
	d->logo = (unsigned char *)strbuf_detach(&sb, &d->logo_len);
	strbuf_release(&sb);
}

static inline void fx_issuer(struct doc *d)
{
	d->issuer.name = fx_dup("Cloudwise Reselling B.V.");
	d->issuer.address = fx_dup("Herengracht 100");
	d->issuer.city = fx_dup("Amsterdam");
	d->issuer.postal_code = fx_dup("1015 BS");
	d->issuer.country = fx_dup("NL");
	d->issuer.vat_id = fx_dup("NL999999999B01");
	d->issuer.company_id = fx_dup("12345678");
	d->issuer.email = fx_dup("billing@cloudwise.example");
	d->issuer.peppol_id = fx_dup("0106:12345678");
	d->issuer.iban = fx_dup("NL91ABNA0417164300");
	d->issuer.bic = fx_dup("ABNANL2A");
}

static inline struct doc *fx_base(const char *number, const char *currency, const char *customer,
	const char *country, const char *vat_id)
{
	struct doc *d = xcalloc(1, sizeof(*d));
	d->number = fx_dup(number);
	d->type = DOC_INVOICE;
	d->customer_id = xstrdup(customer);
	d->customer.name = xstrdup("Acme Café Sàrl — Zürich");
	d->customer.address = xstrdup("Bahnhofstraße 1");
	d->customer.city = xstrdup("Zürich");
	d->customer.postal_code = xstrdup("8001");
	d->customer.country = xstrdup(country);
	d->customer.vat_id = fx_dup(vat_id);
	d->customer.email = xstrdup("billing@acme.example");
	d->customer.peppol_id = xstrdup("0106:87654321");
	fx_issuer(d);
	period_parse(&d->period, "2026-10", 7);
	snprintf(d->currency, sizeof(d->currency), "%s", currency);
	d->minor = config_currency_minor(currency);
	dec_parse_strict(&d->fx, "0.9231", 6, DEC_FACTOR_DIGITS, DEC_FACTOR_DIGITS);
	if (!strcmp(currency, "USD"))
		d->fx = dec_pow10(DEC_FACTOR_DIGITS);
	if (number) {
		memcpy(d->issue_date, "2026-11-02", 11);
		memcpy(d->due_date, "2026-12-02", 11);
	}
	return d;
}

static inline void fx_tax(struct doc *d, const char *name, const char *rate, const char *cat,
	const char *note)
{
	d->tax_name = fx_dup(name);
	dec_parse_strict(&d->tax_rate_pct, rate, strlen(rate), DEC_FACTOR_DIGITS, DEC_FACTOR_DIGITS);
	snprintf(d->tax_category, sizeof(d->tax_category), "%s", cat);
	d->tax_note = fx_dup(note);
}

/* EUR, NL VAT 21% (S): 1234.56 + 89.10 - 50.00 + 127.37 = 1401.03;
 * tax round(1401.03 x 0.21 = 294.2163) = 294.22; total 1695.25. */
static inline struct doc *fx_invoice_s(void)
{
	struct doc *d = fx_base("INV-2026-00001", "EUR", "acme", "NL", "NL123456789B01");
	fx_add_line(d, "charge", "Amazon Elastic Compute Cloud", "Amazon Elastic Compute Cloud",
		"1234.56");
	fx_add_line(d, "charge", "Amazon Simple Storage Service",
		"Amazon Simple Storage Service, \"Überprüfung\" café, naïve résumé", "89.10");
	fx_add_line(d, "credit", "credits", "AWS credits", "-50.00");
	fx_add_line(d, "fee", "percent", "Managed services", "127.37");
	fx_amount(&d->subtotal, d, "1401.03");
	fx_amount(&d->tax, d, "294.22");
	fx_amount(&d->total, d, "1695.25");
	fx_tax(d, "NL VAT 21%", "21", "S", NULL);
	fx_logo(d);
	return d;
}

/* The credit note of fx_invoice_s: the same amounts, as printed. */
static inline struct doc *fx_credit_s(void)
{
	struct doc *d = fx_invoice_s();
	free(d->number);
	d->number = xstrdup("CN-2026-00001");
	d->type = DOC_CREDIT_NOTE;
	memcpy(d->issue_date, "2026-11-20", 11);
	memcpy(d->due_date, "2026-11-20", 11);
	d->refs = xcalloc(1, sizeof(d->refs[0]));
	d->refs[0].number = xstrdup("INV-2026-00001");
	memcpy(d->refs[0].issue_date, "2026-11-02", 11);
	d->nrefs = 1;
	d->note = xstrdup("Wrong plan applied");
	return d;
}

/* GBP reverse charge (AE): 2000.00 + 150.00 = 2150.00, tax 0. */
static inline struct doc *fx_invoice_ae(void)
{
	struct doc *d = fx_base("INV-2026-00002", "GBP", "brit", "GB", "GB123456789");
	fx_add_line(d, "charge", "123456789012", "Account 123456789012 — £ billed", "2000.00");
	fx_add_line(d, "fee", "flat", "Support retainer", "150.00");
	fx_amount(&d->subtotal, d, "2150.00");
	d->tax = 0;
	d->total = d->subtotal;
	fx_tax(d, "EU reverse charge", "0", "AE",
		"VAT reverse charged (Art. 196 Directive 2006/112/EC)");
	return d;
}

/* JPY zero rated (Z): ¥ 120000 + ¥ 3456 = 123456, tax 0. */
static inline struct doc *fx_invoice_z(void)
{
	struct doc *d = fx_base("INV-2026-00003", "JPY", "nihon", "JP", "JP1234567890123");
	fx_add_line(d, "charge", "AmazonEC2", "Amazon EC2 (Tōkyō region)", "120000");
	fx_add_line(d, "custom", "custom", "Migration ¥ project 移行プロジェクト", "3456");
	fx_amount(&d->subtotal, d, "123456");
	d->tax = 0;
	d->total = d->subtotal;
	fx_tax(d, "Zero rated", "0", "Z", NULL);
	return d;
}

/* EUR exempt (E): 500.00, tax 0. */
static inline struct doc *fx_invoice_e(void)
{
	struct doc *d = fx_base("INV-2026-00004", "EUR", "school", "NL", "NL111111111B01");
	fx_add_line(d, "charge", "AmazonS3", "Storage for education", "500.00");
	fx_amount(&d->subtotal, d, "500.00");
	d->tax = 0;
	d->total = d->subtotal;
	fx_tax(d, "Exempt", "0", "E", "Exempt under Art. 132 Directive 2006/112/EC");
	return d;
}

/* USD outside scope (O), no cluster, no VAT ids, many lines with long
 * descriptions: 80 lines of 12.34 = 987.20 ... 40 pages? No: about 3. */
static inline struct doc *fx_invoice_o_long(void)
{
	struct doc *d = fx_base("INV-2026-00005", "USD", "yankee", "US", NULL);
	char key[64], desc[400];
	int i;
	for (i = 0; i < 80; i++) {
		snprintf(key, sizeof(key), "1000000000%02d|Amazon Service %02d", i, i);
		snprintf(desc, sizeof(desc), "Account 1000000000%02d, Amazon Service %02d: a long "
			"description that does not fit on one line of the table and so must be wrapped "
			"inside its column without overlapping the amount", i, i);
		fx_add_line(d, "charge", key, desc, "12.34");
	}
	fx_amount(&d->subtotal, d, "987.20");
	d->tax = 0;
	d->total = d->subtotal;
	memcpy(d->tax_category, "O", 2);
	return d;
}

/* A draft (no number): what `invoice show DRAFT-ID` prints. */
static inline struct doc *fx_draft(void)
{
	struct doc *d = fx_invoice_s();
	free(d->number);
	d->number = NULL;
	d->issue_date[0] = d->due_date[0] = 0;
	return d;
}

#endif
