/*
 * store_documents.h: the SQL of invoice documents (spec §8) — drafts,
 * finalized documents with their frozen snapshot, number series, payments,
 * sendings, and the audit rows of every lifecycle action. What a snapshot
 * holds is src/invoice's business (doc JSON); here it is opaque text.
 *
 * Invariants the database enforces (schema v6): a finalized document, its
 * references, payments and sendings are never updated or deleted
 * (triggers); (type, year, seq) and the number are unique; a document is
 * credited in full at most once; a customer or plan that a document refers
 * to cannot be removed from the configuration.
 *
 * Numbering: store_series_next must run inside the transaction that
 * inserts the document (store_begin takes SQLite's write lock first, so
 * concurrent finalizers queue and each sees the previous one's numbers):
 * that makes numbers gapless and increasing in the order of finalizing.
 *
 * Not for: computing documents or amounts (src/invoice, src/rate).
 */
#ifndef RB_STORE_DOCUMENTS_H
#define RB_STORE_DOCUMENTS_H

#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

/* One draft or document as listed. Strings are owned by the row; amounts
 * are decimal text at the document currency's minor digits. */
struct store_doc {
	long id;               /* drafts.id or documents.id */
	int draft;
	char *number;          /* NULL for a draft */
	char *type;            /* "invoice" | "credit_note" */
	char *customer;
	char *period;
	char *currency;
	char *total;
	char *issue_date;      /* NULL for a draft */
	char *due_date;
	char *paid;            /* Σ payments ("0" when none), documents only */
	int credited;          /* a credit note credits it in full */
	char *sent_at;         /* the last sending, or NULL */
	char *snapshot;        /* doc JSON, when asked for */
	char *config;          /* drafts: the customer's configuration JSON */
};

void store_docs_free(struct store_doc *docs, size_t n);

/* Filters for store_docs_list; NULL fields match everything. */
struct store_doc_filter {
	const char *period;
	const char *customer;
	int drafts;            /* include drafts */
	int documents;         /* include finalized documents */
	int snapshots;         /* fill snapshot (and config) */
};

/* Drafts first (by customer), then documents by type and (year, seq). */
int store_docs_list(struct store_doc **out, size_t *n, struct store *s,
	const struct store_doc_filter *f, struct rb_err *err);

/* The document with this number, or the draft "DRAFT-ID". RB_EINPUT
 * "no document 'X'" when there is none. With snapshot. */
int store_doc_get(struct store_doc **out, struct store *s, const char *ref,
	struct rb_err *err);

/* ---- writing: each runs inside the caller's transaction (store_begin) ---- */

/* One draft to store. */
struct store_draft_in {
	const char *customer;
	const char *plan;
	const char *config;
	const char *snapshot;
};

/* Replaces the drafts of period (of `customer` only when not NULL) with
 * drafts[0..n). Audits one "draft" row per draft (object "draft:ID"). */
int store_drafts_replace(struct store *s, const char *period, const char *customer,
	const struct store_draft_in *drafts, size_t n, const char *source, struct rb_err *err);

/* Deletes a draft (once finalized). */
int store_draft_delete(struct store *s, long id, struct rb_err *err);

/* The next sequence number of series (type, year) and the latest issue
 * date in it ("" when the series is empty; last_issue has room for 11). */
int store_series_next(long *seq, char *last_issue, struct store *s, const char *type,
	int year, struct rb_err *err);

/* A document to insert. refs are documents.id values it refers to;
 * credits is the id it credits in full, or 0. */
struct store_doc_in {
	const char *number;
	const char *type;
	int year;
	long seq;
	const char *customer;
	const char *plan;      /* may be NULL */
	const char *period;
	const char *issue_date;
	const char *due_date;
	const char *currency;
	const char *total;
	long credits;
	const long *refs;
	size_t nrefs;
	const char *snapshot;
};

/* Inserts a finalized document; *id gets its documents.id. A second full
 * credit of one document is RB_EINPUT. */
int store_doc_insert(long *id, struct store *s, const struct store_doc_in *d,
	struct rb_err *err);

/* Records a payment (amount at minor digits as text, date YYYY-MM-DD). */
int store_payment_add(struct store *s, long document_id, const char *amount,
	const char *paid_on, struct rb_err *err);

/* Records a sending. */
int store_send_add(struct store *s, long document_id, const char *sent_at,
	const char *message_id, const char *recipient, struct rb_err *err);


/* For src/store/config.c: RB_EINPUT "customer 'acme' cannot be removed: 3
 * documents refer to it" when kind ("customer" or "plan") id is referred
 * to by any document; 0 otherwise (also for other kinds). */
int store_documents_refuse_delete(struct store *s, const char *kind, const char *id,
	struct rb_err *err);

#endif
