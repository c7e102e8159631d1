/*
 * documents.c: storing invoice documents (store_documents.h) — drafts,
 * finalized documents, series, payments, sendings and their audit rows.
 * Every statement binds its parameters; snapshots are opaque JSON text.
 *
 * Not for: what a document contains or how it is numbered (src/invoice).
 */
#include "store/store_documents.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"
#include "util/banned.h"

static int db_fail(struct store *s, struct rb_err *err, const char *what)
{
	return rb_err_set(err, RB_EIO, "%s: %s", what, sqlite3_errmsg(store_db_int(s)));
}

static sqlite3_stmt *prep(struct store *s, const char *sql, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store_db_int(s), sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, err, "cannot prepare a document statement");
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows and finalizes it. */
static int done(struct store *s, sqlite3_stmt *st, const char *what, struct rb_err *err)
{
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(s, err, what);
	sqlite3_finalize(st);
	return rc;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static void now_utc(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void store_docs_free(struct store_doc *docs, size_t n)
{
	size_t i;
	for (i = 0; docs && i < n; i++) {
		struct store_doc *d = &docs[i];
		free(d->number);
		free(d->type);
		free(d->customer);
		free(d->period);
		free(d->currency);
		free(d->total);
		free(d->issue_date);
		free(d->due_date);
		free(d->paid);
		free(d->sent_at);
		free(d->snapshot);
		free(d->config);
	}
	free(docs);
}

/* Column order of both row readers below. */
#define DOC_COLUMNS \
	"d.id, d.number, d.type, d.customer, d.period, d.currency, d.total, d.issue_date," \
	" d.due_date, (SELECT dec_sum(amount) FROM payments p WHERE p.document_id = d.id)," \
	" EXISTS (SELECT 1 FROM documents c WHERE c.credits = d.id)," \
	" (SELECT max(sent_at) FROM document_sends x WHERE x.document_id = d.id)"

static void read_doc(struct store_doc *o, sqlite3_stmt *st, int snapshots)
{
	memset(o, 0, sizeof(*o));
	o->id = (long)sqlite3_column_int64(st, 0);
	o->number = col_dup(st, 1);
	o->type = col_dup(st, 2);
	o->customer = col_dup(st, 3);
	o->period = col_dup(st, 4);
	o->currency = col_dup(st, 5);
	o->total = col_dup(st, 6);
	o->issue_date = col_dup(st, 7);
	o->due_date = col_dup(st, 8);
	o->paid = col_dup(st, 9);
	if (!o->paid)
		o->paid = xstrdup("0");
	o->credited = sqlite3_column_int(st, 10);
	o->sent_at = col_dup(st, 11);
	if (snapshots)
		o->snapshot = col_dup(st, 12);
}

static void read_draft(struct store_doc *o, sqlite3_stmt *st, int snapshots)
{
	memset(o, 0, sizeof(*o));
	o->id = (long)sqlite3_column_int64(st, 0);
	o->draft = 1;
	o->customer = col_dup(st, 1);
	o->period = col_dup(st, 2);
	o->type = xstrdup("invoice");
	o->currency = col_dup(st, 3);
	o->total = col_dup(st, 4);
	o->paid = xstrdup("0");
	if (snapshots) {
		o->snapshot = col_dup(st, 5);
		o->config = col_dup(st, 6);
	}
}

#define DRAFT_COLUMNS \
	"id, customer, period, json_extract(snapshot, '$.currency'), json_extract(snapshot, '$.total')," \
	" snapshot, config"

int store_docs_list(struct store_doc **out, size_t *n, struct store *s,
	const struct store_doc_filter *f, struct rb_err *err)
{
	struct store_doc *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	int rc = 0, step, pass;

	*out = NULL;
	*n = 0;
	for (pass = 0; pass < 2; pass++) {
		if ((pass == 0 && !f->drafts) || (pass == 1 && !f->documents))
			continue;
		st = prep(s, pass == 0
			? "SELECT " DRAFT_COLUMNS " FROM drafts WHERE (?1 IS NULL OR period = ?1)"
			  " AND (?2 IS NULL OR customer = ?2) ORDER BY period, customer"
			: "SELECT " DOC_COLUMNS ", d.snapshot FROM documents d"
			  " WHERE (?1 IS NULL OR d.period = ?1) AND (?2 IS NULL OR d.customer = ?2)"
			  " ORDER BY d.type DESC, d.year, d.seq", err);
		if (!st) {
			rc = RB_EIO;
			goto cleanup;
		}
		bind_text(st, 1, f->period);
		bind_text(st, 2, f->customer);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			if (len == cap) {
				cap = cap ? cap * 2 : 16;
				v = xreallocarray(v, cap, sizeof(v[0]));
			}
			if (pass == 0)
				read_draft(&v[len++], st, f->snapshots);
			else
				read_doc(&v[len++], st, f->snapshots);
		}
		if (step != SQLITE_DONE) {
			rc = db_fail(s, err, "cannot read the documents");
			goto cleanup;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	*out = v;
	*n = len;
	v = NULL;
cleanup:
	sqlite3_finalize(st);
	store_docs_free(v, len);
	return rc;
}

int store_doc_get(struct store_doc **out, struct store *s, const char *ref,
	struct rb_err *err)
{
	sqlite3_stmt *st;
	int draft = !strncmp(ref, "DRAFT-", 6), step, rc = 0;

	*out = NULL;
	st = prep(s, draft ? "SELECT " DRAFT_COLUMNS " FROM drafts WHERE id = CAST(?1 AS INTEGER)"
		: "SELECT " DOC_COLUMNS ", d.snapshot FROM documents d WHERE d.number = ?1", err);
	if (!st)
		return RB_EIO;
	bind_text(st, 1, draft ? ref + 6 : ref);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out = xcalloc(1, sizeof(**out));
		if (draft)
			read_draft(*out, st, 1);
		else
			read_doc(*out, st, 1);
	} else if (step == SQLITE_DONE) {
		rc = rb_err_set(err, RB_EINPUT, "no %s '%s'", draft ? "draft" : "document", ref);
	} else {
		rc = db_fail(s, err, "cannot read the documents");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_drafts_replace(struct store *s, const char *period, const char *customer,
	const struct store_draft_in *drafts, size_t n, const char *source, struct rb_err *err)
{
	sqlite3_stmt *st;
	char at[32], object[64];
	size_t i;
	int rc;

	st = prep(s, "DELETE FROM drafts WHERE period = ?1 AND (?2 IS NULL OR customer = ?2)", err);
	if (!st)
		return RB_EIO;
	bind_text(st, 1, period);
	bind_text(st, 2, customer);
	if ((rc = done(s, st, "cannot replace the drafts", err)) < 0)
		return rc;
	now_utc(at, sizeof(at));
	for (i = 0; i < n; i++) {
		st = prep(s, "INSERT INTO drafts (period, customer, plan, created_at, config, snapshot)"
			" VALUES (?, ?, ?, ?, ?, ?)", err);
		if (!st)
			return RB_EIO;
		bind_text(st, 1, period);
		bind_text(st, 2, drafts[i].customer);
		bind_text(st, 3, drafts[i].plan);
		bind_text(st, 4, at);
		bind_text(st, 5, drafts[i].config);
		bind_text(st, 6, drafts[i].snapshot);
		if ((rc = done(s, st, "cannot store a draft", err)) < 0)
			return rc;
		snprintf(object, sizeof(object), "draft:DRAFT-%lld",
			(long long)sqlite3_last_insert_rowid(store_db_int(s)));
		if ((rc = store_audit_add(s, source, "draft", object, NULL, drafts[i].snapshot, NULL, err)) < 0)
			return rc;
	}
	return 0;
}

int store_draft_delete(struct store *s, long id, struct rb_err *err)
{
	sqlite3_stmt *st = prep(s, "DELETE FROM drafts WHERE id = ?", err);
	if (!st)
		return RB_EIO;
	sqlite3_bind_int64(st, 1, id);
	return done(s, st, "cannot delete a draft", err);
}

int store_series_next(long *seq, char *last_issue, struct store *s, const char *type,
	int year, struct rb_err *err)
{
	sqlite3_stmt *st = prep(s, "SELECT coalesce(max(seq), 0) + 1, coalesce(max(issue_date), '')"
		" FROM documents WHERE type = ? AND year = ?", err);
	int rc = 0;
	if (!st)
		return RB_EIO;
	bind_text(st, 1, type);
	sqlite3_bind_int(st, 2, year);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seq = (long)sqlite3_column_int64(st, 0);
		snprintf(last_issue, 11, "%s", store_col_text_int(st, 1));
	} else {
		rc = db_fail(s, err, "cannot read the number series");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_doc_insert(long *id, struct store *s, const struct store_doc_in *d,
	struct rb_err *err)
{
	sqlite3_stmt *st;
	char at[32];
	size_t i;
	int rc;

	now_utc(at, sizeof(at));
	st = prep(s, "INSERT INTO documents (number, type, year, seq, customer, plan, period,"
		" issue_date, due_date, currency, total, credits, finalized_at, snapshot)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (!st)
		return RB_EIO;
	bind_text(st, 1, d->number);
	bind_text(st, 2, d->type);
	sqlite3_bind_int(st, 3, d->year);
	sqlite3_bind_int64(st, 4, d->seq);
	bind_text(st, 5, d->customer);
	bind_text(st, 6, d->plan);
	bind_text(st, 7, d->period);
	bind_text(st, 8, d->issue_date);
	bind_text(st, 9, d->due_date);
	bind_text(st, 10, d->currency);
	bind_text(st, 11, d->total);
	if (d->credits)
		sqlite3_bind_int64(st, 12, d->credits);
	else
		sqlite3_bind_null(st, 12);
	bind_text(st, 13, at);
	bind_text(st, 14, d->snapshot);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(store_db_int(s));
		rc = ext == SQLITE_CONSTRAINT_UNIQUE && d->credits
			? rb_err_set(err, RB_EINPUT, "document is already credited in full")
			: db_fail(s, err, "cannot store a document");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*id = (long)sqlite3_last_insert_rowid(store_db_int(s));
	for (i = 0; i < d->nrefs; i++) {
		st = prep(s, "INSERT INTO document_refs (document_id, ref_id) VALUES (?, ?)", err);
		if (!st)
			return RB_EIO;
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, d->refs[i]);
		if ((rc = done(s, st, "cannot store a document reference", err)) < 0)
			return rc;
	}
	return 0;
}

int store_payment_add(struct store *s, long document_id, const char *amount,
	const char *paid_on, struct rb_err *err)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO payments (document_id, amount, paid_on, recorded_at)"
		" VALUES (?, ?, ?, ?)", err);
	char at[32];
	if (!st)
		return RB_EIO;
	now_utc(at, sizeof(at));
	sqlite3_bind_int64(st, 1, document_id);
	bind_text(st, 2, amount);
	bind_text(st, 3, paid_on);
	bind_text(st, 4, at);
	return done(s, st, "cannot record a payment", err);
}

int store_send_add(struct store *s, long document_id, const char *sent_at,
	const char *message_id, const char *recipient, struct rb_err *err)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO document_sends (document_id, sent_at, message_id,"
		" recipient) VALUES (?, ?, ?, ?)", err);
	if (!st)
		return RB_EIO;
	sqlite3_bind_int64(st, 1, document_id);
	bind_text(st, 2, sent_at);
	bind_text(st, 3, message_id);
	bind_text(st, 4, recipient);
	return done(s, st, "cannot record a sending", err);
}

int store_documents_refuse_delete(struct store *s, const char *kind, const char *id,
	struct rb_err *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int is_customer = !strcmp(kind, "customer");
	char names[512] = "";
	size_t len = 0;

	if (!is_customer && strcmp(kind, "plan"))
		return 0;
	/* the documents by number (issue 13: say which), at most 8 named */
	st = prep(s, is_customer ? "SELECT number FROM documents WHERE customer = ? ORDER BY id"
		: "SELECT number FROM documents WHERE plan = ? ORDER BY id", err);
	if (!st)
		return RB_EIO;
	bind_text(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (++n <= 8 && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", n > 1 ? ", " : "",
				(const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (n > 8 && len < sizeof(names))
		snprintf(names + len, sizeof(names) - len, " and %ld more", n - 8);
	if (n)
		return rb_err_set(err, RB_EINPUT,
			"%s '%s' cannot be removed: %ld finalized document%s refer%s to it (%s); issued "
			"invoices and credit notes are kept for ever", kind, id, n,
			n == 1 ? "" : "s", n == 1 ? "s" : "", names);
	return 0;
}
