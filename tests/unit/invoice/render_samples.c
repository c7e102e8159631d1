/*
 * render_samples.c: writes the fixture documents (doc_fixture.h) in every
 * format into DIR, for the checks with external tools in render-tools.sh
 * (validate-ubl, pdftotext, pdftoppm). Usage: render_samples DIR
 */
#include "doc_fixture.h"

#include <stdio.h>

#include "util/banned.h"

static int put(const char *dir, const char *name, const char *ext,
	int (*fn)(struct strbuf *, const struct doc *, struct rb_err *), const struct doc *d)
{
	struct strbuf sb;
	struct rb_err err = { 0 };
	char path[1024];
	FILE *f;
	int rc;
	strbuf_init(&sb, 1 << 16, 1 << 26);
	rc = fn(&sb, d, &err);
	if (rc) {
		fprintf(stderr, "%s.%s: %s\n", name, ext, err.msg);
		strbuf_release(&sb);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	f = fopen(path, "wb");
	if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len || fclose(f)) {
		fprintf(stderr, "%s: cannot write\n", path);
		strbuf_release(&sb);
		return 1;
	}
	strbuf_release(&sb);
	return 0;
}

static int pdf(struct strbuf *sb, const struct doc *d, struct rb_err *err)
{
	return render_pdf(sb, d, NULL, err);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		struct doc *(*mk)(void);
		int ubl;
	} docs[] = {
		{ "invoice-s", fx_invoice_s, 1 }, { "credit-s", fx_credit_s, 1 },
		{ "invoice-ae", fx_invoice_ae, 1 }, { "invoice-z", fx_invoice_z, 1 },
		{ "invoice-e", fx_invoice_e, 1 }, { "invoice-o-long", fx_invoice_o_long, 1 },
		{ "draft", fx_draft, 0 },
	};
	size_t i;
	int bad = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: render_samples DIR\n");
		return 1;
	}
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct doc *d = docs[i].mk();
		bad |= put(argv[1], docs[i].name, "pdf", pdf, d);
		bad |= put(argv[1], docs[i].name, "html", render_html, d);
		bad |= put(argv[1], docs[i].name, "csv", render_csv, d);
		if (docs[i].ubl)
			bad |= put(argv[1], docs[i].name, "xml", render_ubl, d);
		doc_free(d);
	}
	return bad;
}
