/*
 * render_text.c: a document as plain text for a terminal (`invoice show`
 * with the table format): the header, one line per invoice line, the
 * totals. A pure function of the doc.
 */
#include "invoice/invoice_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/period.h"
#include "util/utf8.h"
#include "util/banned.h"

/* Display width of UTF-8 text: columns (CJK wide characters take two;
 * util/utf8.h). */
static size_t width(const char *s)
{
	return utf8_width(s);
}

/* snprintf into label, cut (when too long) on a character boundary. */
__attribute__((format(printf, 3, 4)))
static void label_printf(char *label, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(label, size, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= size)
		label[utf8_whole(label, size - 1)] = '\0';
}

static int pad_line(struct strbuf *sb, const char *left, const char *right, size_t cols)
{
	size_t w = width(left) + width(right), i;
	if (strbuf_addstr(sb, left) < 0)
		return -1;
	for (i = w; i < cols; i++)
		if (strbuf_addch(sb, ' ') < 0)
			return -1;
	if (w >= cols && strbuf_addch(sb, ' ') < 0)
		return -1;
	return strbuf_addf(sb, "%s\n", right);
}

int render_text(struct strbuf *out, const struct doc *d, struct rb_err *err)
{
	char buf[DEC_BUFSZ + 16], pb[PERIOD_BUFSZ], rate[DEC_BUFSZ], label[512];
	size_t i;
	int bad = 0;

	period_format(pb, d->period);
	bad |= strbuf_addf(out, "%s%s%s\n", invoice_title(d), d->number ? " " : "",
		d->number ? d->number : "");
	bad |= strbuf_addf(out, "customer: %s (%s)\nperiod: %s  currency: %s", d->customer_id,
		d->customer.name ? d->customer.name : "", pb, d->currency);
	if (strcmp(d->currency, "USD")) {
		dec_format_min(rate, sizeof(rate), d->fx, DEC_FACTOR_DIGITS);
		bad |= strbuf_addf(out, " at %s per USD", rate);
	}
	bad |= strbuf_addch(out, '\n');
	if (d->issue_date[0])
		bad |= strbuf_addf(out, "issued: %s  due: %s\n", d->issue_date, d->due_date);
	for (i = 0; i < d->nrefs; i++)
		bad |= strbuf_addf(out, "refers to: %s%s%s\n", d->refs[i].number,
			d->refs[i].issue_date[0] ? " of " : "", d->refs[i].issue_date);
	if (d->note)
		bad |= strbuf_addf(out, "note: %s\n", d->note);
	bad |= strbuf_addch(out, '\n');
	for (i = 0; i < d->nlines; i++) {
		invoice_amount_grouped(buf, d, d->lines[i].amount);
		label_printf(label, sizeof(label), "%-9s %s", d->lines[i].kind, d->lines[i].description);
		bad |= pad_line(out, label, buf, 72);
	}
	invoice_amount_grouped(buf, d, d->subtotal);
	bad |= pad_line(out, "          subtotal", buf, 72);
	dec_format_min(rate, sizeof(rate), d->tax_rate_pct, DEC_FACTOR_DIGITS);
	label_printf(label, sizeof(label), "          tax %s%% %s%s%s", rate, d->tax_category,
		d->tax_name ? ", " : "", d->tax_name ? d->tax_name : "");
	invoice_amount_grouped(buf, d, d->tax);
	bad |= pad_line(out, label, buf, 72);
	label_printf(label, sizeof(label), "          total %s", d->currency);
	invoice_amount_grouped(buf, d, d->total);
	bad |= pad_line(out, label, buf, 72);
	if (d->tax_note)
		bad |= strbuf_addf(out, "%s\n", d->tax_note);
	if (bad)
		return rb_err_set(err, RB_EINPUT, "text: the document is too large");
	return 0;
}
