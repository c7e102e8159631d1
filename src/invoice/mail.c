/*
 * mail.c: e-mailing documents (mail.h) with libcurl's SMTP and MIME API:
 * STARTTLS or implicit TLS, AUTH when a user is set, a multipart/mixed
 * message holding a multipart/alternative text + HTML body and the PDF and
 * UBL files (base64, libcurl encodes them). The bodies and attachments are
 * the renderers' output for the frozen document.
 *
 * Not for: deciding what is owed (the document says it).
 */
#include "invoice/mail.h"
#include "invoice/invoice_int.h"
#include "invoice/lifecycle_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_documents.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct smtp {
	char *url, *user, *password, *from, *tls;
	char *ca_file;   /* PEM CA bundle for the server's certificate; NULL: the system's */
};

static void smtp_release(struct smtp *m)
{
	free(m->url);
	free(m->user);
	if (m->password) {
		memset(m->password, 0, strlen(m->password));
		free(m->password);
	}
	free(m->from);
	free(m->tls);
	free(m->ca_file);
}

static void set(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* The settings file: KEY=VALUE lines, '#' comments; 0600 or stricter. */
static int read_file(struct smtp *m, const char *path, struct rb_err *err)
{
	struct stat st;
	char line[2048];
	long no = 0;
	FILE *f;

	if (stat(path, &st) != 0)
		return rb_err_set(err, RB_EINPUT, "%s: cannot read the SMTP settings file", path);
	if (st.st_mode & 077)
		return rb_err_set(err, RB_EINPUT, "%s: the SMTP settings file holds a password and must "
			"be readable by its owner only (chmod 600 %s)", path, path);
	if (!(f = fopen(path, "r")))
		return rb_err_set(err, RB_EINPUT, "%s: cannot read the SMTP settings file", path);
	while (fgets(line, sizeof(line), f)) {
		char *eq, *end;
		no++;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = 0;
		if (!line[0] || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			fclose(f);
			return rb_err_at(err, RB_EINPUT, path, no, 1, "expected KEY=VALUE");
		}
		*eq = 0;
		if (!strcmp(line, "url"))
			set(&m->url, eq + 1);
		else if (!strcmp(line, "user"))
			set(&m->user, eq + 1);
		else if (!strcmp(line, "password"))
			set(&m->password, eq + 1);
		else if (!strcmp(line, "from"))
			set(&m->from, eq + 1);
		else if (!strcmp(line, "tls"))
			set(&m->tls, eq + 1);
		else if (!strcmp(line, "ca_file"))
			set(&m->ca_file, eq + 1);
		else {
			fclose(f);
			return rb_err_at(err, RB_EINPUT, path, no, 1,
				"unknown setting '%s' (url, user, password, from, tls, ca_file)", line);
		}
	}
	fclose(f);
	return 0;
}

static int smtp_load(struct smtp *m, struct rb_err *err)
{
	static const struct { const char *env; size_t off; } envs[] = {
		{ "REBILL_SMTP_URL", offsetof(struct smtp, url) },
		{ "REBILL_SMTP_USER", offsetof(struct smtp, user) },
		{ "REBILL_SMTP_PASSWORD", offsetof(struct smtp, password) },
		{ "REBILL_SMTP_FROM", offsetof(struct smtp, from) },
		{ "REBILL_SMTP_TLS", offsetof(struct smtp, tls) },
		{ "REBILL_SMTP_CA_FILE", offsetof(struct smtp, ca_file) },
	};
	const char *file = getenv("REBILL_SMTP_FILE");
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	if (file && *file && (rc = read_file(m, file, err)) < 0)
		return rc;
	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		const char *v = getenv(envs[i].env);
		if (v && *v)
			set((char **)((char *)m + envs[i].off), v);
	}
	if (!m->url)
		return rb_err_set(err, RB_EINPUT, "no SMTP server: set REBILL_SMTP_URL (e.g. "
			"smtp://mail.example:587) or REBILL_SMTP_FILE");
	if (m->tls && strcmp(m->tls, "required") && strcmp(m->tls, "try") && strcmp(m->tls, "none"))
		return rb_err_set(err, RB_EINPUT, "bad SMTP tls setting '%s' (required, try or none)",
			m->tls);
	return 0;
}

/* "Name <addr>" has no CR/LF (header injection) */
static int header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

/* xsd: the UBL schema, parsed on the first UBL document and kept for the
 * next ones (parsing it takes far longer than sending a message). */
static int render(struct strbuf *sb, const struct doc *d, enum invoice_format f,
	struct render_xsd **xsd, struct rb_err *err)
{
	strbuf_reset(sb);
	return invoice_render_with(sb, d, f, xsd, err);
}

/* The text body: a greeting, what is attached, and the document as a
 * table, with CRLF line ends (what SMTP and quoted-printable expect). */
static int text_body(struct strbuf *sb, const struct doc *d, struct rb_err *err)
{
	struct strbuf t;
	char pb[PERIOD_BUFSZ], total[DEC_BUFSZ];
	size_t i;
	int rc;

	strbuf_reset(sb);
	strbuf_init(&t, 4096, 16 << 20);
	period_format(pb, d->period);
	invoice_amount(total, d, d->total);
	strbuf_addf(&t, "Dear %s,\n\nplease find attached %s %s for %s: %s %s", d->customer.name ?
		d->customer.name : d->customer_id, d->type == DOC_INVOICE ? "invoice" : "credit note",
		d->number, pb, d->currency, total);
	if (d->type == DOC_INVOICE)
		strbuf_addf(&t, ", due %s", d->due_date);
	strbuf_addstr(&t, ".\nThe PDF is for people, the XML (UBL, Peppol BIS Billing 3.0) for "
		"accounting software.\n\n");
	if ((rc = render_text(&t, d, err)) == 0) {
		for (i = 0; i < t.len; i++)
			if ((t.buf[i] == '\n' && strbuf_addch(sb, '\r') < 0) || strbuf_addch(sb, t.buf[i]) < 0)
				rc = rb_err_set(err, RB_EINPUT, "mail: the text body is too large");
	}
	strbuf_release(&t);
	return rc;
}

/* Sends one document; fills message_id (room for 256). */
static int send_one(const struct smtp *m, const struct doc *d, char *message_id,
	struct render_xsd **xsd, struct rb_err *err)
{
	CURL *c = NULL;
	curl_mime *mime = NULL, *alt = NULL;
	curl_mimepart *part;
	struct curl_slist *rcpt = NULL, *hdrs = NULL, *inner = NULL;
	struct strbuf text, html, pdf, ubl;
	char errbuf[CURL_ERROR_SIZE] = "", line[1024], date[64], name[300], pb[PERIOD_BUFSZ];
	const char *from = m->from ? m->from : d->issuer.email, *at;
	struct tm tm;
	time_t now = time(NULL);
	CURLcode cc;
	int rc = 0;

	strbuf_init(&text, 4096, 16 << 20);
	strbuf_init(&html, 4096, 16 << 20);
	strbuf_init(&pdf, 65536, 64 << 20);
	strbuf_init(&ubl, 16384, 16 << 20);
	if (!d->customer.email || !header_safe(d->customer.email)) {
		rc = rb_err_set(err, RB_EINPUT, "%s: customer '%s' has no email address", d->number,
			d->customer_id);
		goto cleanup;
	}
	if (!from || !header_safe(from)) {
		rc = rb_err_set(err, RB_EINPUT, "%s: no sender address (set REBILL_SMTP_FROM or the "
			"issuer's email)", d->number);
		goto cleanup;
	}
	if ((rc = render(&pdf, d, INVOICE_FMT_PDF, xsd, err)) < 0 ||
	    (rc = render(&ubl, d, INVOICE_FMT_UBL, xsd, err)) < 0 ||
	    (rc = render(&html, d, INVOICE_FMT_HTML, xsd, err)) < 0 ||
	    (rc = text_body(&text, d, err)) < 0)
		goto cleanup;
	at = strchr(from, '@');
	snprintf(message_id, 256, "<%s.%ld.%ld@%s>", d->number, (long)now, (long)getpid(),
		at ? at + 1 : "rebill.invalid");
	c = curl_easy_init();
	if (!c) {
		rc = rb_err_set(err, RB_EIO, "%s: cannot start libcurl", d->number);
		goto cleanup;
	}
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	rcpt = curl_slist_append(rcpt, d->customer.email);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	if (m->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
	if (m->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
	if (!m->tls ? !strncmp(m->url, "smtp://", 7) : !strcmp(m->tls, "required"))
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	else if (m->tls && !strcmp(m->tls, "try"))
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (m->ca_file)   /* a private CA (an internal relay); verification stays on */
		curl_easy_setopt(c, CURLOPT_CAINFO, m->ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	hdrs = curl_slist_append(hdrs, date);
	snprintf(line, sizeof(line), "From: %s", from);
	hdrs = curl_slist_append(hdrs, line);
	snprintf(line, sizeof(line), "To: %s", d->customer.email);
	hdrs = curl_slist_append(hdrs, line);
	period_format(pb, d->period);
	snprintf(line, sizeof(line), "Subject: %s %s (%s)", invoice_title(d), d->number, pb);
	hdrs = curl_slist_append(hdrs, line);
	snprintf(line, sizeof(line), "Message-ID: %s", message_id);
	hdrs = curl_slist_append(hdrs, line);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	mime = curl_mime_init(c);
	alt = curl_mime_init(c);
	part = curl_mime_addpart(alt);
	curl_mime_data(part, text.buf, text.len);
	curl_mime_type(part, "text/plain; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(alt);
	curl_mime_data(part, html.buf, html.len);
	curl_mime_type(part, "text/html; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(mime);
	curl_mime_subparts(part, alt);
	alt = NULL;
	curl_mime_type(part, "multipart/alternative");
	inner = curl_slist_append(inner, "Content-Disposition: inline");
	curl_mime_headers(part, inner, 1);
	inner = NULL;
	part = curl_mime_addpart(mime);
	curl_mime_data(part, pdf.buf, pdf.len);
	curl_mime_type(part, "application/pdf");
	snprintf(name, sizeof(name), "%s.pdf", d->number);
	curl_mime_filename(part, name);
	curl_mime_encoder(part, "base64");
	part = curl_mime_addpart(mime);
	curl_mime_data(part, ubl.buf, ubl.len);
	curl_mime_type(part, "application/xml");
	snprintf(name, sizeof(name), "%s.xml", d->number);
	curl_mime_filename(part, name);
	curl_mime_encoder(part, "base64");
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);

	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code)
			rc = rb_err_set(err, RB_EIO, "%s: sending to %s failed: %s (server reply %ld); "
				"nothing was marked as sent", d->number, d->customer.email,
				errbuf[0] ? errbuf : curl_easy_strerror(cc), code);
		else
			rc = rb_err_set(err, RB_EIO, "%s: sending to %s failed: %s; nothing was marked as "
				"sent", d->number, d->customer.email, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	}
cleanup:
	curl_mime_free(alt);
	curl_mime_free(mime);
	curl_slist_free_all(rcpt);
	curl_slist_free_all(hdrs);
	curl_slist_free_all(inner);
	if (c)
		curl_easy_cleanup(c);
	strbuf_release(&text);
	strbuf_release(&html);
	strbuf_release(&pdf);
	strbuf_release(&ubl);
	return rc;
}

int invoice_send(struct invoice_issued *out, struct store *s, const char *number, int period,
	int force, struct rb_err *err)
{
	struct store_doc *rows = NULL;
	struct render_xsd *xsd = NULL;
	struct smtp m;
	size_t n = 0, i;
	int rc, curl = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = smtp_load(&m, err)) < 0) {
		smtp_release(&m);
		return rc;
	}
	if (number) {
		rc = store_doc_get(&rows, s, number, err);
		n = rows ? 1 : 0;
		if (rc == 0 && rows->draft)
			rc = rb_err_set(err, RB_EINPUT, "%s is a draft: finalize it before sending", number);
	} else {
		struct store_doc_filter f = { 0 };
		char pb[PERIOD_BUFSZ];
		period_format(pb, period);
		f.period = pb;
		f.documents = 1;
		f.snapshots = 1;
		rc = store_docs_list(&rows, &n, s, &f, err);
		if (rc == 0 && !n)
			rc = rb_err_set(err, RB_EINPUT, "no finalized documents for %s to send", pb);
	}
	if (rc == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		rc = rb_err_set(err, RB_EIO, "cannot start libcurl");
	else if (rc == 0)
		curl = 1;
	for (i = 0; rc == 0 && i < n; i++) {
		struct doc *d = NULL;
		char mid[256], at[32], object[160], *after;
		time_t now;
		struct tm tm;
		json_t *a;

		if (rows[i].sent_at && !force) {
			if (number)
				rc = rb_err_set(err, RB_EINPUT, "%s was already sent at %s; use --force to send "
					"it again", rows[i].number, rows[i].sent_at);
			continue;
		}
		if ((rc = invoice_doc_parse(&d, rows[i].snapshot, rows[i].number, err)) < 0)
			break;
		rc = send_one(&m, d, mid, &xsd, err);
		if (rc == 0) {
			now = time(NULL);
			gmtime_r(&now, &tm);
			strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
			a = json_pack("{s:s, s:s, s:s}", "to", d->customer.email, "message_id", mid,
				"sent_at", at);
			after = invoice_dump(a);
			json_decref(a);
			snprintf(object, sizeof(object), "document:%s", d->number);
			if ((rc = store_begin(s, err)) == 0) {
				if ((rc = store_send_add(s, rows[i].id, at, mid, d->customer.email, err)) < 0 ||
				    (rc = store_audit_add(s, "invoice send", "send", object, NULL, after,
					    NULL, err)) < 0 ||
				    (rc = store_commit(s, err)) < 0)
					store_rollback(s);
			}
			free(after);
			if (rc == 0) {
				out->numbers = xreallocarray(out->numbers, out->n + 1, sizeof(out->numbers[0]));
				out->numbers[out->n++] = xstrdup(d->number);
			}
		}
		doc_free(d);
	}
	if (curl)
		curl_global_cleanup();
	render_xsd_free(xsd);
	store_docs_free(rows, n);
	smtp_release(&m);
	return rc;
}
