/*
 * render_html.c: a document as one self-contained, print-ready HTML file:
 * inline CSS (A4 print rules), no scripts, no external resources, the logo
 * embedded as a data: URI. Every text from the model goes through esc(),
 * which escapes &, <, >, " and '; markup is fixed strings only. A pure
 * function of the doc.
 */
#include "invoice/invoice_int.h"

#include <string.h>

#include "util/period.h"
#include "util/banned.h"

static const char css[] =
	"@page{size:A4;margin:18mm 16mm}"
	"body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;color:#222;margin:0}"
	".doc{max-width:180mm;margin:0 auto}"
	"header{display:flex;justify-content:space-between;align-items:flex-start}"
	"header img{max-height:22mm;max-width:60mm}"
	"h1{font-size:18pt;margin:0 0 2mm}"
	".parties{display:flex;justify-content:space-between;margin:8mm 0}"
	".parties div{width:48%}.label{color:#777;font-size:8pt;text-transform:uppercase}"
	"table{width:100%;border-collapse:collapse}"
	"th,td{padding:1.5mm 1mm;vertical-align:top}"
	"thead th{border-bottom:1px solid #222;text-align:left}"
	"td.amount,th.amount{text-align:right;white-space:nowrap}"
	"tbody tr{border-bottom:1px solid #ddd;page-break-inside:avoid}"
	"tfoot td{font-weight:bold}tfoot tr.total td{border-top:2px solid #222}"
	"thead{display:table-header-group}"
	".meta td{padding:0 2mm 0 0}.note{margin-top:6mm;color:#444}";

/* Appends s with HTML's special characters escaped. */
static int esc(struct strbuf *sb, const char *s)
{
	const char *p;
	if (!s)
		return 0;
	for (p = s; *p; p++) {
		int rc;
		switch (*p) {
		case '&': rc = strbuf_addstr(sb, "&amp;"); break;
		case '<': rc = strbuf_addstr(sb, "&lt;"); break;
		case '>': rc = strbuf_addstr(sb, "&gt;"); break;
		case '"': rc = strbuf_addstr(sb, "&quot;"); break;
		case '\'': rc = strbuf_addstr(sb, "&#39;"); break;
		case '\n': rc = strbuf_addstr(sb, "<br>"); break;
		default: rc = strbuf_addch(sb, *p); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* <tag>text</tag> with the text escaped; tag is a fixed string. */
static int el(struct strbuf *sb, const char *open, const char *text, const char *close)
{
	if (strbuf_addstr(sb, open) < 0 || esc(sb, text) < 0 || strbuf_addstr(sb, close) < 0)
		return -1;
	return 0;
}

static int party(struct strbuf *sb, const char *label, const struct doc_party *p)
{
	char addr[1024];
	int bad = 0;
	bad |= el(sb, "<div><div class=\"label\">", label, "</div>");
	bad |= el(sb, "<strong>", p->name, "</strong><br>");
	invoice_address(addr, sizeof(addr), p, "\n");
	if (*addr)
		bad |= el(sb, "", addr, "<br>");
	if (p->vat_id)
		bad |= el(sb, "VAT ", p->vat_id, "<br>");
	if (p->company_id)
		bad |= el(sb, "Company ", p->company_id, "<br>");
	if (p->email)
		bad |= el(sb, "", p->email, "<br>");
	bad |= strbuf_addstr(sb, "</div>");
	return bad;
}

static int amount_cell(struct strbuf *sb, const struct doc *d, rb_i128 v)
{
	char buf[DEC_BUFSZ + 16];
	invoice_amount_grouped(buf, d, v);
	return strbuf_addf(sb, "<td class=\"amount\">%s %s</td>",
		invoice_currency_symbol(d->currency), buf);
}

int render_html(struct strbuf *out, const struct doc *d, struct rb_err *err)
{
	char pb[PERIOD_BUFSZ], rate[DEC_BUFSZ], label[256];
	size_t i;
	int bad = 0;

	period_format(pb, d->period);
	bad |= strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
	bad |= strbuf_addstr(out, "<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">");
	snprintf(label, sizeof(label), "%s %s", invoice_title(d), d->number ? d->number : "");
	bad |= el(out, "<title>", label, "</title>");
	bad |= strbuf_addf(out, "<style>%s</style></head><body><div class=\"doc\">", css);
	bad |= strbuf_addstr(out, "<header><div>");
	bad |= el(out, "<h1>", invoice_title(d), "</h1>");
	bad |= strbuf_addstr(out, "<table class=\"meta\">");
	if (d->number)
		bad |= el(out, "<tr><td>Number</td><td><strong>", d->number, "</strong></td></tr>");
	if (d->issue_date[0])
		bad |= el(out, "<tr><td>Issue date</td><td>", d->issue_date, "</td></tr>");
	if (d->due_date[0] && d->type == DOC_INVOICE)
		bad |= el(out, "<tr><td>Due date</td><td>", d->due_date, "</td></tr>");
	bad |= el(out, "<tr><td>Period</td><td>", pb, "</td></tr>");
	bad |= el(out, "<tr><td>Customer</td><td>", d->customer_id, "</td></tr>");
	if (strcmp(d->currency, "USD")) {
		dec_format_min(rate, sizeof(rate), d->fx, DEC_FACTOR_DIGITS);
		snprintf(label, sizeof(label), "1 USD = %s %s", rate, d->currency);
		bad |= el(out, "<tr><td>Exchange rate</td><td>", label, "</td></tr>");
	}
	for (i = 0; i < d->nrefs; i++) {
		snprintf(label, sizeof(label), "%s%s%s", d->refs[i].number,
			d->refs[i].issue_date[0] ? " of " : "", d->refs[i].issue_date);
		bad |= el(out, "<tr><td>Refers to</td><td>", label, "</td></tr>");
	}
	bad |= strbuf_addstr(out, "</table></div>");
	if (d->logo) {
		bad |= strbuf_addstr(out, "<img alt=\"logo\" src=\"data:image/png;base64,");
		bad |= invoice_base64(out, d->logo, d->logo_len);
		bad |= strbuf_addstr(out, "\">");
	}
	bad |= strbuf_addstr(out, "</header><section class=\"parties\">");
	bad |= party(out, "From", &d->issuer);
	bad |= party(out, "Bill to", &d->customer);
	bad |= strbuf_addstr(out, "</section><table><thead><tr><th>Description</th>"
		"<th class=\"amount\">Amount</th></tr></thead><tbody>");
	for (i = 0; i < d->nlines; i++) {
		bad |= el(out, "<tr><td>", d->lines[i].description, "</td>");
		bad |= amount_cell(out, d, d->lines[i].amount);
		bad |= strbuf_addstr(out, "</tr>");
	}
	bad |= strbuf_addstr(out, "</tbody><tfoot><tr><td>Subtotal</td>");
	bad |= amount_cell(out, d, d->subtotal);
	dec_format_min(rate, sizeof(rate), d->tax_rate_pct, DEC_FACTOR_DIGITS);
	snprintf(label, sizeof(label), "%s (%s%%)", d->tax_name ? d->tax_name : "VAT", rate);
	bad |= el(out, "</tr><tr><td>", label, "</td>");
	bad |= amount_cell(out, d, d->tax);
	bad |= el(out, "</tr><tr class=\"total\"><td>Total ", d->currency, "</td>");
	bad |= amount_cell(out, d, d->total);
	bad |= strbuf_addstr(out, "</tr></tfoot></table>");
	if (d->tax_note)
		bad |= el(out, "<p class=\"note\">", d->tax_note, "</p>");
	if (d->note)
		bad |= el(out, "<p class=\"note\">", d->note, "</p>");
	if (d->type == DOC_INVOICE && d->issuer.iban) {
		snprintf(label, sizeof(label), "Please pay %s by %s to IBAN %s%s%s, quoting %s.",
			d->currency, d->due_date[0] ? d->due_date : "the due date", d->issuer.iban,
			d->issuer.bic ? ", BIC " : "", d->issuer.bic ? d->issuer.bic : "",
			d->number ? d->number : "the invoice number");
		bad |= el(out, "<p class=\"note\">", label, "</p>");
	}
	bad |= strbuf_addstr(out, "</div></body></html>\n");
	if (bad)
		return rb_err_set(err, RB_EINPUT, "html: the document is too large");
	return 0;
}
