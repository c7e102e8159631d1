/*
 * render_pdf.c: a document as PDF, drawn natively with cairo and pango —
 * no browser, no template engine. A4 portrait, DejaVu Sans (any Unicode
 * text: €, £, ¥, accents), the logo from its PNG bytes, long descriptions
 * wrapped in their column, as many pages as needed with the header (logo,
 * title, number, issuer) and the column heads repeated on each, and
 * "page N of M" at the foot.
 *
 * Two passes: the first measures every block with pango and decides the
 * page breaks (so M is known), the second draws. The PDF's creation date
 * is the issue date, so the same doc gives the same bytes. A pure function
 * of the doc.
 */
#include "invoice/invoice_int.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 48.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define AMOUNT_W 110.0
#define FOOTER_H 30.0
#define LINE_PAD 4.0

struct pdf {
	cairo_t *cr;
	PangoContext *ctx;
	/* one layout per font, so a font is set once, not per text */
	PangoLayout *lnormal, *lbold, *lsmall, *ltitle;
	PangoLayout **lines;   /* each line's description, laid out once (pass 1) */
	PangoFontDescription *normal, *bold, *small, *title;
	/* what pass 1 measured, laid out once and drawn from in pass 2 (and on
	 * every page, for the header): shaping is most of a PDF's time */
	struct measured {
		const PangoFontDescription *font;
		double width;
		enum align { LEFT, RIGHT, CENTER } al;
		char *s;
		PangoLayout *l;
	} *cache;
	size_t ncache, capcache;
	const struct doc *d;
	int page, pages;
};

static PangoLayout *font_layout(struct pdf *p, const PangoFontDescription *font);

static PangoLayout *shared_layout(struct pdf *p, const PangoFontDescription *font)
{
	return font == p->bold ? p->lbold : font == p->small ? p->lsmall
		: font == p->title ? p->ltitle : p->lnormal;
}

/* Lays text out in width at (x, y) and draws it when draw; returns its
 * height in points. A text measured (draw 0) is kept, laid out, for when
 * it is drawn; one only drawn uses its font's shared layout. */
static double text(struct pdf *p, double x, double y, double width, const char *s,
	const PangoFontDescription *font, enum align al, int draw)
{
	PangoLayout *l = NULL;
	size_t i;
	int w, h;
	if (!s)
		s = "";
	for (i = 0; i < p->ncache; i++)
		if (p->cache[i].font == font && p->cache[i].width == width && p->cache[i].al == al &&
		    !strcmp(p->cache[i].s, s)) {
			l = p->cache[i].l;
			break;
		}
	if (!l) {
		if (draw) {
			l = shared_layout(p, font);
		} else {
			if (p->ncache == p->capcache) {
				p->capcache = p->capcache ? 2 * p->capcache : 32;
				p->cache = xreallocarray(p->cache, p->capcache, sizeof(p->cache[0]));
			}
			l = font_layout(p, font);
			p->cache[p->ncache++] = (struct measured){ font, width, al, xstrdup(s), l };
		}
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_alignment(l, al == RIGHT ? PANGO_ALIGN_RIGHT
			: al == CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
		pango_layout_set_text(l, s, -1);
	}
	pango_layout_get_size(l, &w, &h);
	if (draw) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, l);
	}
	return (double)h / PANGO_SCALE;
}

static void rule(struct pdf *p, double y, double width)
{
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, MARGIN, y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, y);
	cairo_stroke(p->cr);
}

static void amount_str(char *buf, size_t cap, const struct doc *d, rb_i128 v)
{
	char a[DEC_BUFSZ + 16];
	invoice_amount_grouped(a, d, v);
	snprintf(buf, cap, "%s %s", invoice_currency_symbol(d->currency), a);
}

/* The logo, scaled into 140 x 56 points at the top right. */
static void logo(struct pdf *p, cairo_surface_t *img)
{
	double w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
	double sc;
	if (w <= 0 || h <= 0)
		return;
	sc = 140.0 / w < 56.0 / h ? 140.0 / w : 56.0 / h;
	cairo_save(p->cr);
	cairo_translate(p->cr, PAGE_W - MARGIN - w * sc, MARGIN);
	cairo_scale(p->cr, sc, sc);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
}

/* Header of every page: title and number, issuer; returns its height. */
static double header(struct pdf *p, cairo_surface_t *img, int draw)
{
	const struct doc *d = p->d;
	char line[512];
	double y = MARGIN;

	if (draw && img)
		logo(p, img);
	snprintf(line, sizeof(line), "%s %s", invoice_title(d), d->number ? d->number : "");
	y += text(p, MARGIN, y, CONTENT_W - 150, line, p->title, LEFT, draw) + 2;
	y += text(p, MARGIN, y, CONTENT_W - 150, d->issuer.name, p->bold, LEFT, draw);
	invoice_address(line, sizeof(line), &d->issuer, ", ");
	if (*line)
		y += text(p, MARGIN, y, CONTENT_W - 150, line, p->small, LEFT, draw);
	if (y < MARGIN + 60)
		y = MARGIN + 60;
	return y - MARGIN + 10;
}

/* Page 1 only: the dates and the two parties; returns its height. */
static double details(struct pdf *p, double y0, int draw)
{
	const struct doc *d = p->d;
	char meta[2048], party[1024], pb[PERIOD_BUFSZ], rate[DEC_BUFSZ];
	double half = CONTENT_W / 2, hl, hr, y = y0;
	size_t i, n = 0;

	period_format(pb, d->period);
	n += (size_t)snprintf(meta + n, sizeof(meta) - n, "Period: %s\nCustomer: %s\n", pb,
		d->customer_id ? d->customer_id : "");
	if (d->issue_date[0] && n < sizeof(meta))
		n += (size_t)snprintf(meta + n, sizeof(meta) - n, "Issue date: %s\n", d->issue_date);
	if (d->due_date[0] && d->type == DOC_INVOICE && n < sizeof(meta))
		n += (size_t)snprintf(meta + n, sizeof(meta) - n, "Due date: %s\n", d->due_date);
	if (strcmp(d->currency, "USD") && n < sizeof(meta)) {
		dec_format_min(rate, sizeof(rate), d->fx, DEC_FACTOR_DIGITS);
		n += (size_t)snprintf(meta + n, sizeof(meta) - n, "Exchange rate: 1 USD = %s %s\n",
			rate, d->currency);
	}
	for (i = 0; i < d->nrefs && n < sizeof(meta); i++)
		n += (size_t)snprintf(meta + n, sizeof(meta) - n, "Refers to: %s%s%s\n",
			d->refs[i].number, d->refs[i].issue_date[0] ? " of " : "",
			d->refs[i].issue_date);
	if (n && n < sizeof(meta) && meta[n - 1] == '\n')
		meta[n - 1] = 0;
	invoice_address(party, sizeof(party) - 64, &d->customer, "\n");
	if (d->customer.vat_id)
		snprintf(party + strlen(party), sizeof(party) - strlen(party), "%sVAT %s",
			*party ? "\n" : "", d->customer.vat_id);
	hl = text(p, MARGIN, y, half - 10, meta, p->normal, LEFT, draw);
	hr = text(p, MARGIN + half, y, half, "BILL TO", p->small, LEFT, draw);
	hr += text(p, MARGIN + half, y + hr, half, d->customer.name, p->bold, LEFT, draw);
	hr += text(p, MARGIN + half, y + hr, half, party, p->normal, LEFT, draw);
	y += (hl > hr ? hl : hr) + 16;
	return y - y0;
}

static double table_head(struct pdf *p, double y, int draw)
{
	double h = text(p, MARGIN, y, CONTENT_W - AMOUNT_W, "Description", p->bold, LEFT, draw);
	text(p, PAGE_W - MARGIN - AMOUNT_W, y, AMOUNT_W, "Amount", p->bold, RIGHT, draw);
	if (draw)
		rule(p, y + h + 2, 0.8);
	return h + LINE_PAD + 2;
}

/* Line i: its description is laid out once, when first measured. */
static double line(struct pdf *p, size_t i, double y, int draw)
{
	const struct doc_line *l = &p->d->lines[i];
	char a[DEC_BUFSZ + 32];
	int w, h;
	if (!p->lines[i]) {
		p->lines[i] = pango_layout_new(p->ctx);
		pango_layout_set_font_description(p->lines[i], p->normal);
		pango_layout_set_wrap(p->lines[i], PANGO_WRAP_WORD_CHAR);
		pango_layout_set_width(p->lines[i], (int)((CONTENT_W - AMOUNT_W - 10) * PANGO_SCALE));
		pango_layout_set_text(p->lines[i], l->description, -1);
	}
	pango_layout_get_size(p->lines[i], &w, &h);
	if (draw) {
		cairo_move_to(p->cr, MARGIN, y);
		pango_cairo_show_layout(p->cr, p->lines[i]);
		amount_str(a, sizeof(a), p->d, l->amount);
		text(p, PAGE_W - MARGIN - AMOUNT_W, y, AMOUNT_W, a, p->normal, RIGHT, draw);
	}
	return (double)h / PANGO_SCALE + LINE_PAD;
}

static PangoLayout *font_layout(struct pdf *p, const PangoFontDescription *font)
{
	PangoLayout *l = pango_layout_new(p->ctx);
	pango_layout_set_font_description(l, font);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

static double totals(struct pdf *p, double y0, int draw)
{
	const struct doc *d = p->d;
	char a[DEC_BUFSZ + 32], label[512], rate[DEC_BUFSZ];
	double y = y0 + 4, lw = 200, lx = PAGE_W - MARGIN - AMOUNT_W - lw;

	if (draw)
		rule(p, y0, 0.4);
	amount_str(a, sizeof(a), d, d->subtotal);
	text(p, lx, y, lw, "Subtotal", p->normal, RIGHT, draw);
	y += text(p, PAGE_W - MARGIN - AMOUNT_W, y, AMOUNT_W, a, p->normal, RIGHT, draw) + 2;
	dec_format_min(rate, sizeof(rate), d->tax_rate_pct, DEC_FACTOR_DIGITS);
	snprintf(label, sizeof(label), "%s (%s%%)", d->tax_name ? d->tax_name : "VAT", rate);
	amount_str(a, sizeof(a), d, d->tax);
	text(p, lx, y, lw, label, p->normal, RIGHT, draw);
	y += text(p, PAGE_W - MARGIN - AMOUNT_W, y, AMOUNT_W, a, p->normal, RIGHT, draw) + 2;
	snprintf(label, sizeof(label), "Total %s", d->currency);
	amount_str(a, sizeof(a), d, d->total);
	text(p, lx, y, lw, label, p->bold, RIGHT, draw);
	y += text(p, PAGE_W - MARGIN - AMOUNT_W, y, AMOUNT_W, a, p->bold, RIGHT, draw) + 12;
	if (d->tax_note)
		y += text(p, MARGIN, y, CONTENT_W, d->tax_note, p->normal, LEFT, draw) + 4;
	if (d->note)
		y += text(p, MARGIN, y, CONTENT_W, d->note, p->normal, LEFT, draw) + 4;
	if (d->type == DOC_INVOICE && d->issuer.iban) {
		snprintf(label, sizeof(label), "Please pay by %s to IBAN %s%s%s, quoting %s.",
			d->due_date[0] ? d->due_date : "the due date", d->issuer.iban,
			d->issuer.bic ? ", BIC " : "", d->issuer.bic ? d->issuer.bic : "",
			d->number ? d->number : "the invoice number");
		y += text(p, MARGIN, y, CONTENT_W, label, p->normal, LEFT, draw) + 4;
	}
	return y - y0;
}

static void footer(struct pdf *p)
{
	char s[1024];
	const struct doc_party *is = &p->d->issuer;
	snprintf(s, sizeof(s), "%s%s%s%s%s    page %d of %d", is->name ? is->name : "",
		is->vat_id ? " · VAT " : "", is->vat_id ? is->vat_id : "",
		is->company_id ? " · " : "", is->company_id ? is->company_id : "", p->page,
		p->pages);
	text(p, MARGIN, PAGE_H - MARGIN + 10, CONTENT_W, s, p->small, CENTER, 1);
}

struct png_src {
	const unsigned char *p;
	size_t n, off;
};

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int len)
{
	struct png_src *s = closure;
	if (s->n - s->off < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, s->p + s->off, len);
	s->off += len;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
	return strbuf_add(closure, data, len) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int render_pdf(struct strbuf *out, const struct doc *d, int *npages, struct rb_err *err)
{
	struct pdf p = { 0 };
	cairo_surface_t *surf = NULL, *img = NULL;
	size_t *first = NULL, i, k;   /* first[k]: index of the first line on page k */
	double hh, dh, th, y, bottom = PAGE_H - MARGIN - FOOTER_H, tot;
	char date[32];
	int ret = 0, totals_page;
	cairo_status_t st;

	if (d->logo) {
		struct png_src src = { d->logo, d->logo_len, 0 };
		img = cairo_image_surface_create_from_png_stream(png_read, &src);
		if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(img);
			return rb_err_set(err, RB_EINPUT, "pdf: the logo is not a readable PNG");
		}
	}
	surf = cairo_pdf_surface_create_for_stream(pdf_write, out, PAGE_W, PAGE_H);
	snprintf(date, sizeof(date), "%sT00:00:00Z", d->issue_date[0] ? d->issue_date : "2000-01-01");
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE,
		d->number ? d->number : invoice_title(d));
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "rebill");
	p.cr = cairo_create(surf);
	p.ctx = pango_cairo_create_context(p.cr);
	/* one point of font size is one PDF point (pango assumes 96 dpi) */
	pango_cairo_context_set_resolution(p.ctx, 72);
	p.normal = pango_font_description_from_string("DejaVu Sans 9");
	p.bold = pango_font_description_from_string("DejaVu Sans Bold 9");
	p.small = pango_font_description_from_string("DejaVu Sans 7");
	p.title = pango_font_description_from_string("DejaVu Sans Bold 16");
	p.lnormal = font_layout(&p, p.normal);
	p.lbold = font_layout(&p, p.bold);
	p.lsmall = font_layout(&p, p.small);
	p.ltitle = font_layout(&p, p.title);
	p.lines = xcalloc(d->nlines ? d->nlines : 1, sizeof(p.lines[0]));
	p.d = d;

	/* pass 1: page breaks */
	hh = header(&p, NULL, 0);
	dh = details(&p, MARGIN + hh, 0);
	th = table_head(&p, 0, 0);
	tot = totals(&p, 0, 0);
	first = xcalloc(d->nlines + 2, sizeof(first[0]));
	p.pages = 1;
	first[0] = 0;
	y = MARGIN + hh + dh + th;
	for (i = 0; i < d->nlines; i++) {
		double lh = line(&p, i, 0, 0);
		if (y + lh > bottom && i > first[p.pages - 1]) {
			first[p.pages++] = i;
			y = MARGIN + hh + th;
		}
		y += lh;
	}
	totals_page = p.pages;
	if (y + tot > bottom) {
		first[p.pages++] = d->nlines;
		totals_page = p.pages;
	}
	first[p.pages] = d->nlines;

	/* pass 2: draw */
	cairo_set_source_rgb(p.cr, 0.13, 0.13, 0.13);
	for (k = 0; k < (size_t)p.pages; k++) {
		p.page = (int)k + 1;
		y = MARGIN + header(&p, img, 1);
		if (k == 0)
			y += details(&p, y, 1);
		if (first[k] < first[k + 1] || k == 0)
			y += table_head(&p, y, 1);
		for (i = first[k]; i < first[k + 1]; i++)
			y += line(&p, i, y, 1);
		if (p.page == totals_page)
			totals(&p, y + 2, 1);
		footer(&p);
		cairo_show_page(p.cr);
	}
	if (npages)
		*npages = p.pages;
	for (i = 0; i < d->nlines; i++)
		if (p.lines[i])
			g_object_unref(p.lines[i]);
	free(p.lines);
	for (i = 0; i < p.ncache; i++) {
		g_object_unref(p.cache[i].l);
		free(p.cache[i].s);
	}
	free(p.cache);
	g_object_unref(p.lnormal);
	g_object_unref(p.lbold);
	g_object_unref(p.lsmall);
	g_object_unref(p.ltitle);
	g_object_unref(p.ctx);
	cairo_destroy(p.cr);
	cairo_surface_finish(surf);
	st = cairo_surface_status(surf);
	if (st != CAIRO_STATUS_SUCCESS)
		ret = rb_err_set(err, st == CAIRO_STATUS_WRITE_ERROR ? RB_EINPUT : RB_EIO,
			"pdf: cannot draw document %s: %s", d->number ? d->number : "(draft)",
			cairo_status_to_string(st));
	cairo_surface_destroy(surf);
	if (img)
		cairo_surface_destroy(img);
	pango_font_description_free(p.normal);
	pango_font_description_free(p.bold);
	pango_font_description_free(p.small);
	pango_font_description_free(p.title);
	free(first);
	return ret;
}
