/*
 * render_csv.c: a document as RFC 4180 CSV for spreadsheets — the lines
 * (kind, key, description, amount, currency) and then the subtotal, tax
 * and total rows (kind "total"). A pure function of the doc.
 */
#include "invoice/invoice_int.h"

#include <string.h>

#include "util/banned.h"

static int row(struct strbuf *sb, const struct doc *d, const char *kind, const char *key,
	const char *desc, rb_i128 amount)
{
	char buf[DEC_BUFSZ];
	invoice_amount(buf, d, amount);
	if (invoice_csv_field(sb, kind) < 0 || strbuf_addch(sb, ',') < 0 ||
	    invoice_csv_field(sb, key) < 0 || strbuf_addch(sb, ',') < 0 ||
	    invoice_csv_field(sb, desc) < 0 || strbuf_addch(sb, ',') < 0 ||
	    strbuf_addf(sb, "%s,%s\r\n", buf, d->currency) < 0)
		return -1;
	return 0;
}

int render_csv(struct strbuf *out, const struct doc *d, struct rb_err *err)
{
	size_t i;

	if (strbuf_addstr(out, "kind,key,description,amount,currency\r\n") < 0)
		goto full;
	for (i = 0; i < d->nlines; i++)
		if (row(out, d, d->lines[i].kind, d->lines[i].key, d->lines[i].description,
			d->lines[i].amount) < 0)
			goto full;
	if (row(out, d, "total", "subtotal", "Subtotal", d->subtotal) < 0 ||
	    row(out, d, "total", "tax", d->tax_name ? d->tax_name : "Tax", d->tax) < 0 ||
	    row(out, d, "total", "total", "Total", d->total) < 0)
		goto full;
	return 0;
full:
	return rb_err_set(err, RB_EINPUT, "csv: the document is too large");
}
