/*
 * export.c: documents as files — the formats by name, rendering with the
 * UBL schema check, and `invoice export`: every document of a period in
 * PDF, UBL, HTML and CSV, each file written whole (temporary name, fsync
 * is not needed for a re-creatable export, then rename) or not at all.
 *
 * Not for: drawing (render_*.c).
 */
#include "invoice/invoice.h"
#include "invoice/lifecycle_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_documents.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#ifndef REBILL_XSD_INSTALLED
#define REBILL_XSD_INSTALLED ""
#endif
#ifndef REBILL_XSD_SOURCE
#define REBILL_XSD_SOURCE ""
#endif

static const struct {
	const char *name, *ext;
} formats[] = {
	[INVOICE_FMT_TABLE] = { "table", "txt" }, [INVOICE_FMT_JSON] = { "json", "json" },
	[INVOICE_FMT_HTML] = { "html", "html" }, [INVOICE_FMT_PDF] = { "pdf", "pdf" },
	[INVOICE_FMT_CSV] = { "csv", "csv" }, [INVOICE_FMT_UBL] = { "ubl", "xml" },
};

int invoice_format_parse(enum invoice_format *out, const char *s)
{
	size_t i;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(s, formats[i].name)) {
			*out = (enum invoice_format)i;
			return 0;
		}
	return -1;
}

const char *invoice_format_ext(enum invoice_format f)
{
	return formats[f].ext;
}

const char *invoice_xsd_dir(void)
{
	const char *env = getenv("REBILL_UBL_XSD");
	struct stat st;
	char probe[1024];
	if (env && *env)
		return env;
	snprintf(probe, sizeof(probe), "%s/maindoc/UBL-Invoice-2.1.xsd", REBILL_XSD_INSTALLED);
	if (*REBILL_XSD_INSTALLED && stat(probe, &st) == 0)
		return REBILL_XSD_INSTALLED;
	return REBILL_XSD_SOURCE;
}

int invoice_render(struct strbuf *out, const struct doc *d, enum invoice_format fmt,
	struct rb_err *err)
{
	struct render_xsd *xsd = NULL;
	int rc = invoice_render_with(out, d, fmt, &xsd, err);
	render_xsd_free(xsd);
	return rc;
}

int invoice_render_with(struct strbuf *out, const struct doc *d, enum invoice_format fmt,
	struct render_xsd **xsd, struct rb_err *err)
{
	size_t start = out->len;
	int rc;
	switch (fmt) {
	case INVOICE_FMT_TABLE:
		return render_text(out, d, err);
	case INVOICE_FMT_JSON: {
		json_t *j = doc_json(d, 0);
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		rc = strbuf_addstr(out, s) < 0 || strbuf_addch(out, '\n') < 0
			? rb_err_set(err, RB_EINPUT, "json: the document is too large") : 0;
		free(s);
		json_decref(j);
		return rc;
	}
	case INVOICE_FMT_HTML:
		return render_html(out, d, err);
	case INVOICE_FMT_PDF:
		return render_pdf(out, d, NULL, err);
	case INVOICE_FMT_CSV:
		return render_csv(out, d, err);
	case INVOICE_FMT_UBL:
		if ((rc = render_ubl(out, d, err)) < 0)
			return rc;
		if (!*xsd && (rc = render_xsd_load(xsd, invoice_xsd_dir(), err)) < 0)
			return rc;
		if ((rc = render_ubl_check_with(out->buf + start, out->len - start, *xsd, err)) < 0)
			return rb_err_set(err, rc, "%s: %s", d->number ? d->number : "draft", err->msg);
		return 0;
	}
	return rb_err_set(err, RB_EUSAGE, "unknown format");
}

/* Writes data to path through path.tmp and rename. */
static int write_file(const char *path, const char *data, size_t len, struct rb_err *err)
{
	char tmp[4200];
	FILE *f;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return rb_err_set(err, RB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		remove(tmp);
		return rb_err_set(err, RB_EIO, "%s: cannot write: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		remove(tmp);
		return rb_err_set(err, RB_EIO, "%s: cannot rename: %s", path, strerror(errno));
	}
	return 0;
}

int invoice_export(size_t *n, struct invoice_issued *skipped, struct store *s, int period,
	const char *dir, struct rb_err *err)
{
	static const enum invoice_format want[] = { INVOICE_FMT_PDF, INVOICE_FMT_UBL,
		INVOICE_FMT_HTML, INVOICE_FMT_CSV };
	struct store_doc_filter f = { 0 };
	struct store_doc *docs = NULL;
	size_t nd = 0, i, k;
	struct strbuf sb;
	struct render_xsd *xsd = NULL;
	char pb[PERIOD_BUFSZ], path[4096];
	int rc;

	*n = 0;
	memset(skipped, 0, sizeof(*skipped));
	period_format(pb, period);
	f.period = pb;
	f.documents = 1;
	f.snapshots = 1;
	if ((rc = store_docs_list(&docs, &nd, s, &f, err)) < 0)
		return rc;
	if (!nd) {
		store_docs_free(docs, nd);
		return rb_err_set(err, RB_EINPUT, "no finalized documents for %s (finalize them first: "
			"'rebill invoice finalize --period %s')", pb, pb);
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		store_docs_free(docs, nd);
		return rb_err_set(err, RB_EIO, "%s: cannot create the directory: %s", dir, strerror(errno));
	}
	strbuf_init(&sb, 1 << 16, (size_t)256 << 20);
	for (i = 0; i < nd; i++) {
		struct doc *d = NULL;
		if ((rc = invoice_doc_parse(&d, docs[i].snapshot, docs[i].number, err)) < 0)
			break;
		for (k = 0; k < sizeof(want) / sizeof(want[0]) && rc == 0; k++) {
			strbuf_reset(&sb);
			if (want[k] == INVOICE_FMT_UBL && render_ubl(&sb, d, err) < 0) {
				/* what the document lacks for Peppol: say so, write the rest */
				char note[1200];
				snprintf(note, sizeof(note), "%s: no UBL file: %s", d->number, err->msg);
				skipped->numbers = xreallocarray(skipped->numbers, skipped->n + 1,
					sizeof(skipped->numbers[0]));
				skipped->numbers[skipped->n++] = xstrdup(note);
				rb_err_clear(err);
				continue;
			}
			strbuf_reset(&sb);
			if ((rc = invoice_render_with(&sb, d, want[k], &xsd, err)) < 0)
				break;
			snprintf(path, sizeof(path), "%s/%s.%s", dir, d->number, invoice_format_ext(want[k]));
			rc = write_file(path, sb.buf, sb.len, err);
		}
		doc_free(d);
		if (rc < 0)
			break;
		(*n)++;
	}
	strbuf_release(&sb);
	render_xsd_free(xsd);
	store_docs_free(docs, nd);
	return rc;
}
