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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- invoice export: the documents on every core ----
 *
 * The snapshots are read by the calling thread (one query); then up to
 * export_threads() workers take the documents in order (an atomic index),
 * each rendering its own into its own buffer and writing its four files.
 * Rendering is a pure function of the snapshot (pango and cairo objects are
 * per worker; the UBL schema is parsed once, by the first worker that
 * needs it, and only read after that). The first failure stops the others
 * after their current document; the error reported is that of the
 * lowest-numbered failing document, as a one-by-one export would report
 * (every document before it was taken, so finished). */

#define EXPORT_MAX_THREADS 8

struct export_job {
	const struct store_doc *docs;
	size_t nd;
	const char *dir;
	atomic_size_t next;
	atomic_int stop;
	char **notes;                   /* per document: why it has no UBL file */
	unsigned char *written;         /* per document: all its files written */
	pthread_mutex_t mu;             /* guards xsd, xsd_tried and err, err_at */
	struct render_xsd *xsd;
	int xsd_tried;
	struct rb_err xsd_err;
	struct rb_err err;
	size_t err_at;                  /* index of the document err is about */
};

/* Workers: $REBILL_EXPORT_THREADS when it is 1..8, else the online cores
 * (at most 8), never more than there are documents. */
static int export_threads(size_t nd)
{
	const char *env = getenv("REBILL_EXPORT_THREADS");
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		if (!*end && v >= 1 && v <= EXPORT_MAX_THREADS)
			n = v;
	}
	if (n < 1)
		n = 1;
	if (n > EXPORT_MAX_THREADS)
		n = EXPORT_MAX_THREADS;
	if ((size_t)n > nd)
		n = (long)(nd ? nd : 1);
	return (int)n;
}

static const struct render_xsd *export_xsd(struct export_job *j, struct rb_err *err)
{
	const struct render_xsd *x;
	pthread_mutex_lock(&j->mu);
	if (!j->xsd_tried) {
		j->xsd_tried = 1;
		if (render_xsd_load(&j->xsd, invoice_xsd_dir(), &j->xsd_err) < 0)
			j->xsd = NULL;
	}
	x = j->xsd;
	if (!x)
		*err = j->xsd_err;
	pthread_mutex_unlock(&j->mu);
	return x;
}

/* Renders and writes the four files of document i. */
static int export_one(struct export_job *j, size_t i, struct strbuf *sb, struct rb_err *err)
{
	static const enum invoice_format want[] = { INVOICE_FMT_PDF, INVOICE_FMT_UBL,
		INVOICE_FMT_HTML, INVOICE_FMT_CSV };
	struct doc *d = NULL;
	char path[4096];
	size_t k;
	int rc;

	if ((rc = invoice_doc_parse(&d, j->docs[i].snapshot, j->docs[i].number, err)) < 0)
		return rc;
	for (k = 0; k < sizeof(want) / sizeof(want[0]) && rc == 0; k++) {
		strbuf_reset(sb);
		if (want[k] == INVOICE_FMT_UBL) {
			const struct render_xsd *x;
			if (render_ubl(sb, d, err) < 0) {
				/* what the document lacks for Peppol: say so, write the rest */
				char note[1200];
				snprintf(note, sizeof(note), "%s: no UBL file: %s", d->number, err->msg);
				j->notes[i] = xstrdup(note);
				rb_err_clear(err);
				continue;
			}
			if (!(x = export_xsd(j, err))) {
				rc = err->code;
				break;
			}
			if ((rc = render_ubl_check_with(sb->buf, sb->len, x, err)) < 0) {
				rc = rb_err_set(err, rc, "%s: %s", d->number, err->msg);
				break;
			}
		} else if ((rc = invoice_render_with(sb, d, want[k], NULL, err)) < 0) {
			break;
		}
		snprintf(path, sizeof(path), "%s/%s.%s", j->dir, d->number, invoice_format_ext(want[k]));
		rc = write_file(path, sb->buf, sb->len, err);
	}
	doc_free(d);
	return rc;
}

static void *export_worker(void *arg)
{
	struct export_job *j = arg;
	struct strbuf sb;
	struct rb_err err = { 0 };
	size_t i;

	strbuf_init(&sb, 1 << 16, (size_t)256 << 20);
	while (!atomic_load(&j->stop) && (i = atomic_fetch_add(&j->next, 1)) < j->nd) {
		if (export_one(j, i, &sb, &err) < 0) {
			pthread_mutex_lock(&j->mu);
			if (i < j->err_at) {
				j->err = err;
				j->err_at = i;
			}
			pthread_mutex_unlock(&j->mu);
			atomic_store(&j->stop, 1);
			rb_err_clear(&err);
			continue;
		}
		j->written[i] = 1;
	}
	strbuf_release(&sb);
	return NULL;
}

int invoice_export(size_t *n, struct invoice_issued *skipped, struct store *s, int period,
	const char *dir, struct rb_err *err)
{
	struct store_doc_filter f = { 0 };
	struct store_doc *docs = NULL;
	struct export_job j;
	pthread_t tids[EXPORT_MAX_THREADS];
	size_t nd = 0, i;
	char pb[PERIOD_BUFSZ];
	int rc, nt, started = 0, t;

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
	memset(&j, 0, sizeof(j));
	j.docs = docs;
	j.nd = nd;
	j.dir = dir;
	atomic_init(&j.next, 0);
	atomic_init(&j.stop, 0);
	j.notes = xcalloc(nd, sizeof(j.notes[0]));
	j.written = xcalloc(nd, 1);
	j.err_at = (size_t)-1;
	pthread_mutex_init(&j.mu, NULL);
	render_init();   /* libxml2's globals, before any worker uses it */
	nt = export_threads(nd);
	for (t = 1; t < nt; t++) {
		if (pthread_create(&tids[started], NULL, export_worker, &j) != 0)
			break;   /* fewer workers: the calling thread still does the rest */
		started++;
	}
	export_worker(&j);
	for (t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	rc = 0;
	if (j.err_at != (size_t)-1) {
		*err = j.err;
		rc = j.err.code ? j.err.code : RB_EIO;
	}
	/* in document order, as far as the export got */
	for (i = 0; i < nd && i < j.err_at; i++) {
		if (j.notes[i]) {
			skipped->numbers = xreallocarray(skipped->numbers, skipped->n + 1,
				sizeof(skipped->numbers[0]));
			skipped->numbers[skipped->n++] = j.notes[i];
			j.notes[i] = NULL;
		}
		*n += j.written[i];
	}
	for (i = 0; i < nd; i++)
		free(j.notes[i]);
	free(j.notes);
	free(j.written);
	pthread_mutex_destroy(&j.mu);
	render_xsd_free(j.xsd);
	store_docs_free(docs, nd);
	return rc;
}
