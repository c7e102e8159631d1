/*
 * render_ubl.c: a document as UBL 2.1 for Peppol BIS Billing 3.0 — an
 * Invoice (type code 380) or a CreditNote (381) with a BillingReference to
 * each document it refers to — written with libxml2's xmlTextWriter (never
 * by string concatenation), and render_ubl_check, which validates the
 * result against the OASIS UBL 2.1 XSD with libxml2 before the product
 * writes a UBL file.
 *
 * Mapping (EN 16931 business terms in brackets): number [BT-1], issue and
 * due date [BT-2, BT-9], currency [BT-5], the customer id as buyer
 * reference [BT-10], the period [BT-73/74], the issuer and the customer
 * with their Peppol endpoints [BT-34, BT-49], one VAT breakdown with the
 * tax cluster's category and rate [BG-23] and its exemption reason (the
 * cluster's note, e.g. the reverse-charge text) for AE, E and O, one line
 * per document line (quantity 1, or -1 with a positive price for a
 * negative amount: an item price is never negative, BR-27). VAT
 * identifiers are left out for category O (BR-O-02). A pure function of
 * the doc: amounts are copied at the currency's minor digits.
 */
#include "invoice/invoice_int.h"

#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CN "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

struct w {
	xmlTextWriterPtr x;
	int bad;
	const struct doc *d;
};

static void start(struct w *w, const char *name)
{
	w->bad |= xmlTextWriterStartElement(w->x, BAD_CAST name) < 0;
}

static void end(struct w *w)
{
	w->bad |= xmlTextWriterEndElement(w->x) < 0;
}

/* <name>text</name>, left out when text is NULL or empty (Peppol R008:
 * no empty elements). */
static void text(struct w *w, const char *name, const char *s)
{
	if (!s || !*s)
		return;
	w->bad |= xmlTextWriterWriteElement(w->x, BAD_CAST name, BAD_CAST s) < 0;
}

static void text_attr(struct w *w, const char *name, const char *attr, const char *av,
	const char *s)
{
	start(w, name);
	w->bad |= xmlTextWriterWriteAttribute(w->x, BAD_CAST attr, BAD_CAST av) < 0;
	w->bad |= xmlTextWriterWriteString(w->x, BAD_CAST s) < 0;
	end(w);
}

static void amount(struct w *w, const char *name, rb_i128 v)
{
	char buf[DEC_BUFSZ];
	invoice_amount(buf, w->d, v);
	text_attr(w, name, "currencyID", w->d->currency, buf);
}

static void endpoint(struct w *w, const char *name, const char *peppol)
{
	const char *colon = strchr(peppol, ':');
	char scheme[16];
	snprintf(scheme, sizeof(scheme), "%.*s", (int)(colon - peppol), peppol);
	text_attr(w, name, "schemeID", scheme, colon + 1);
}

/* The legal registration [BT-30]: "SCHEME:ID", or a bare ID (a Dutch
 * party's is a KvK number, scheme 0106, as rule NL-R-003 wants). */
static void legal_id(struct w *w, const struct doc_party *p)
{
	const char *c = p->company_id ? strchr(p->company_id, ':') : NULL;
	char scheme[16];
	if (!p->company_id || !*p->company_id)
		return;
	if (c && c > p->company_id && c - p->company_id < 8) {
		snprintf(scheme, sizeof(scheme), "%.*s", (int)(c - p->company_id), p->company_id);
		text_attr(w, "cbc:CompanyID", "schemeID", scheme, c + 1);
	} else if (p->country && !strcmp(p->country, "NL")) {
		text_attr(w, "cbc:CompanyID", "schemeID", "0106", p->company_id);
	} else {
		text(w, "cbc:CompanyID", p->company_id);
	}
}

static void party(struct w *w, const char *role, const struct doc_party *p, int vat)
{
	start(w, role);
	start(w, "cac:Party");
	endpoint(w, "cbc:EndpointID", p->peppol_id);
	start(w, "cac:PartyName");
	text(w, "cbc:Name", p->name);
	end(w);
	start(w, "cac:PostalAddress");
	text(w, "cbc:StreetName", p->address);
	text(w, "cbc:CityName", p->city);
	text(w, "cbc:PostalZone", p->postal_code);
	start(w, "cac:Country");
	text(w, "cbc:IdentificationCode", p->country);
	end(w);
	end(w);
	if (vat && p->vat_id && *p->vat_id) {
		start(w, "cac:PartyTaxScheme");
		text(w, "cbc:CompanyID", p->vat_id);
		start(w, "cac:TaxScheme");
		text(w, "cbc:ID", "VAT");
		end(w);
		end(w);
	}
	start(w, "cac:PartyLegalEntity");
	text(w, "cbc:RegistrationName", p->name);
	legal_id(w, p);
	end(w);
	if (p->email && *p->email) {
		start(w, "cac:Contact");
		text(w, "cbc:ElectronicMail", p->email);
		end(w);
	}
	end(w);
	end(w);
}

static const char *exemption(const struct doc *d)
{
	const char *c = d->tax_category;
	if (!strcmp(c, "S") || !strcmp(c, "Z"))
		return NULL;
	if (d->tax_note && *d->tax_note)
		return d->tax_note;
	if (!strcmp(c, "AE"))
		return "Reverse charge";
	if (!strcmp(c, "E"))
		return "Exempt from VAT";
	return "Not subject to VAT";
}

/* A TaxCategory (document level, with the exemption reason) or a
 * ClassifiedTaxCategory (line level). */
static void category(struct w *w, const char *name, int with_reason)
{
	char rate[DEC_BUFSZ];
	start(w, name);
	text(w, "cbc:ID", w->d->tax_category);
	if (strcmp(w->d->tax_category, "O")) {
		dec_format_min(rate, sizeof(rate), w->d->tax_rate_pct, DEC_FACTOR_DIGITS);
		text(w, "cbc:Percent", rate);
	}
	if (with_reason)
		text(w, "cbc:TaxExemptionReason", exemption(w->d));
	start(w, "cac:TaxScheme");
	text(w, "cbc:ID", "VAT");
	end(w);
	end(w);
}

static void period_dates(char from[32], char to[32], int period)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = period / 12, m = period % 12, last = days[m];
	if (m == 1 && ((y % 4 == 0 && y % 100) || y % 400 == 0))
		last = 29;
	snprintf(from, 32, "%04d-%02d-01", y, m + 1);
	snprintf(to, 32, "%04d-%02d-%02d", y, m + 1, last);
}

static int need(const char *what, const char *v, struct rb_err *err)
{
	if (v && *v)
		return 0;
	return rb_err_set(err, RB_EINPUT, "ubl: the %s is missing", what);
}

static int peppol_ok(const char *who, const char *v, struct rb_err *err)
{
	const char *c = v ? strchr(v, ':') : NULL;
	if (!c || c == v || !c[1] || c - v > 8)
		return rb_err_set(err, RB_EINPUT,
			"ubl: the %s's peppol_id '%s' is not SCHEME:ID (e.g. 0106:12345678)", who,
			v ? v : "");
	return 0;
}

int render_ubl(struct strbuf *out, const struct doc *d, struct rb_err *err)
{
	int cn = d->type == DOC_CREDIT_NOTE, vat = strcmp(d->tax_category, "O") != 0;
	const char *line = cn ? "cac:CreditNoteLine" : "cac:InvoiceLine";
	const char *qty = cn ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity";
	char from[32], to[32], idbuf[24], terms[160];
	xmlBufferPtr buf = NULL;
	struct w w = { NULL, 0, d };
	size_t i;
	int ret;

	if ((ret = need("document number", d->number, err)) < 0 ||
	    (ret = need("issue date", d->issue_date, err)) < 0 ||
	    (ret = need("issuer's name", d->issuer.name, err)) < 0 ||
	    (ret = need("issuer's country", d->issuer.country, err)) < 0 ||
	    (ret = peppol_ok("issuer", d->issuer.peppol_id, err)) < 0 ||
	    (ret = need("customer's name", d->customer.name, err)) < 0 ||
	    (ret = need("customer's country", d->customer.country, err)) < 0 ||
	    (ret = peppol_ok("customer", d->customer.peppol_id, err)) < 0)
		return ret;
	if (vat && (ret = need("issuer's VAT id (needed for VAT category S, AE, Z, E)",
			d->issuer.vat_id, err)) < 0)
		return ret;
	if (!strcmp(d->tax_category, "AE") &&
	    (ret = need("customer's VAT id (needed for reverse charge)", d->customer.vat_id, err)) < 0)
		return ret;

	buf = xmlBufferCreate();
	w.x = xmlNewTextWriterMemory(buf, 0);
	if (!w.x) {
		xmlBufferFree(buf);
		return rb_err_set(err, RB_EIO, "ubl: cannot create an XML writer");
	}
	xmlTextWriterSetIndent(w.x, 1);
	xmlTextWriterSetIndentString(w.x, BAD_CAST "  ");
	w.bad |= xmlTextWriterStartDocument(w.x, "1.0", "UTF-8", NULL) < 0;
	start(&w, cn ? "CreditNote" : "Invoice");
	w.bad |= xmlTextWriterWriteAttribute(w.x, BAD_CAST "xmlns", BAD_CAST(cn ? NS_CN : NS_INV)) < 0;
	w.bad |= xmlTextWriterWriteAttribute(w.x, BAD_CAST "xmlns:cac", BAD_CAST NS_CAC) < 0;
	w.bad |= xmlTextWriterWriteAttribute(w.x, BAD_CAST "xmlns:cbc", BAD_CAST NS_CBC) < 0;
	text(&w, "cbc:CustomizationID",
		"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0");
	text(&w, "cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
	text(&w, "cbc:ID", d->number);
	text(&w, "cbc:IssueDate", d->issue_date);
	if (!cn)
		text(&w, "cbc:DueDate", d->due_date);
	text(&w, cn ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode", cn ? "381" : "380");
	text(&w, "cbc:Note", d->note);
	text(&w, "cbc:DocumentCurrencyCode", d->currency);
	text(&w, "cbc:BuyerReference", d->customer_id);
	period_dates(from, to, d->period);
	start(&w, "cac:InvoicePeriod");
	text(&w, "cbc:StartDate", from);
	text(&w, "cbc:EndDate", to);
	end(&w);
	for (i = 0; i < d->nrefs; i++) {
		start(&w, "cac:BillingReference");
		start(&w, "cac:InvoiceDocumentReference");
		text(&w, "cbc:ID", d->refs[i].number);
		text(&w, "cbc:IssueDate", d->refs[i].issue_date);
		end(&w);
		end(&w);
	}
	party(&w, "cac:AccountingSupplierParty", &d->issuer, vat);
	party(&w, "cac:AccountingCustomerParty", &d->customer, vat);
	if (d->issuer.iban && *d->issuer.iban) {
		start(&w, "cac:PaymentMeans");
		text(&w, "cbc:PaymentMeansCode", "30");
		text(&w, "cbc:PaymentID", d->number);
		start(&w, "cac:PayeeFinancialAccount");
		text(&w, "cbc:ID", d->issuer.iban);
		if (d->issuer.bic && *d->issuer.bic) {
			start(&w, "cac:FinancialInstitutionBranch");
			text(&w, "cbc:ID", d->issuer.bic);
			end(&w);
		}
		end(&w);
		end(&w);
	}
	if (cn)
		snprintf(terms, sizeof(terms), "Credit note: the amounts are taken back");
	else
		snprintf(terms, sizeof(terms), "Payment due by %s", d->due_date);
	start(&w, "cac:PaymentTerms");
	text(&w, "cbc:Note", terms);
	end(&w);
	start(&w, "cac:TaxTotal");
	amount(&w, "cbc:TaxAmount", d->tax);
	start(&w, "cac:TaxSubtotal");
	amount(&w, "cbc:TaxableAmount", d->subtotal);
	amount(&w, "cbc:TaxAmount", d->tax);
	category(&w, "cac:TaxCategory", 1);
	end(&w);
	end(&w);
	start(&w, "cac:LegalMonetaryTotal");
	amount(&w, "cbc:LineExtensionAmount", d->subtotal);
	amount(&w, "cbc:TaxExclusiveAmount", d->subtotal);
	amount(&w, "cbc:TaxInclusiveAmount", d->total);
	amount(&w, "cbc:PayableAmount", d->total);
	end(&w);
	for (i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		start(&w, line);
		snprintf(idbuf, sizeof(idbuf), "%zu", i + 1);
		text(&w, "cbc:ID", idbuf);
		text_attr(&w, qty, "unitCode", "C62", l->amount < 0 ? "-1" : "1");
		amount(&w, "cbc:LineExtensionAmount", l->amount);
		start(&w, "cac:Item");
		text(&w, "cbc:Name", l->description);
		start(&w, "cac:SellersItemIdentification");
		text(&w, "cbc:ID", l->key);
		end(&w);
		category(&w, "cac:ClassifiedTaxCategory", 0);
		end(&w);
		start(&w, "cac:Price");
		amount(&w, "cbc:PriceAmount", l->amount < 0 ? -l->amount : l->amount);
		end(&w);
		end(&w);
	}
	end(&w);
	w.bad |= xmlTextWriterEndDocument(w.x) < 0;
	xmlFreeTextWriter(w.x);
	if (w.bad)
		ret = rb_err_set(err, RB_EINPUT, "ubl: cannot write document %s", d->number);
	else if (strbuf_add(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf)) < 0)
		ret = rb_err_set(err, RB_EINPUT, "ubl: the document is too large");
	else
		ret = 0;
	xmlBufferFree(buf);
	return ret;
}

/* Collects the schema's first complaint into err. */
static void schema_error(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));
static void schema_error(void *ctx, const char *msg, ...)
{
	struct rb_err *err = ctx;
	char line[512];
	va_list ap;
	size_t n;
	if (err->code)
		return;
	va_start(ap, msg);
	vsnprintf(line, sizeof(line), msg, ap);
	va_end(ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	rb_err_set(err, RB_EINPUT, "ubl: the document does not validate against UBL 2.1: %s", line);
}

void render_init(void)
{
	xmlInitParser();
}

struct render_xsd {
	xmlSchemaPtr schema[2];        /* Invoice, CreditNote */
};

int render_xsd_load(struct render_xsd **out, const char *xsd_dir, struct rb_err *err)
{
	static const char *const names[2] = { "Invoice", "CreditNote" };
	struct render_xsd *x = xcalloc(1, sizeof(*x));
	struct rb_err local = { 0 };
	char path[1024];
	int i;

	*out = NULL;
	for (i = 0; i < 2; i++) {
		xmlSchemaParserCtxtPtr pc;
		snprintf(path, sizeof(path), "%s/maindoc/UBL-%s-2.1.xsd", xsd_dir, names[i]);
		pc = xmlSchemaNewParserCtxt(path);
		if (pc) {
			xmlSchemaSetParserErrors(pc, schema_error, schema_error, &local);
			x->schema[i] = xmlSchemaParse(pc);
			xmlSchemaFreeParserCtxt(pc);
		}
		if (!x->schema[i]) {
			render_xsd_free(x);
			return rb_err_set(err, RB_EIO, "ubl: cannot load the UBL 2.1 schema %s", path);
		}
	}
	*out = x;
	return 0;
}

void render_xsd_free(struct render_xsd *x)
{
	if (!x)
		return;
	xmlSchemaFree(x->schema[0]);
	xmlSchemaFree(x->schema[1]);
	free(x);
}

int render_ubl_check_with(const char *xml, size_t len, const struct render_xsd *x,
	struct rb_err *err)
{
	const char *root_cn = strstr(xml, "<CreditNote");
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlDocPtr doc = NULL;
	struct rb_err local = { 0 };
	int ret = 0;

	doc = xmlReadMemory(xml, (int)len, "ubl.xml", NULL, XML_PARSE_NONET);
	if (!doc)
		return rb_err_set(err, RB_EINPUT, "ubl: the document is not well-formed XML");
	vc = xmlSchemaNewValidCtxt(x->schema[root_cn && (size_t)(root_cn - xml) < 200]);
	xmlSchemaSetValidErrors(vc, schema_error, schema_error, &local);
	if (xmlSchemaValidateDoc(vc, doc) != 0) {
		if (!local.code)
			rb_err_set(&local, RB_EINPUT, "ubl: the document does not validate against UBL 2.1");
		*err = local;
		ret = RB_EINPUT;
	}
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return ret;
}

int render_ubl_check(const char *xml, size_t len, const char *xsd_dir, struct rb_err *err)
{
	struct render_xsd *x = NULL;
	int rc;
	if ((rc = render_xsd_load(&x, xsd_dir, err)) < 0)
		return rc;
	rc = render_ubl_check_with(xml, len, x, err);
	render_xsd_free(x);
	return rc;
}
