/*
 * invoice.h: invoice documents' lifecycle (spec §8) — the library calls
 * behind `rebill invoice ...`, `export journal` and `report receivables`,
 * which the HTTP API will call too.
 *
 * A draft is the §5 invoice (src/report's report_invoices, computed by
 * src/rate) of one customer for one period as doc JSON (doc.h), with the
 * configuration it was rated with. Finalizing freezes it into a numbered
 * document; from then on it is read from its snapshot only and never
 * recomputed. Corrections are new documents: a credit note of a whole
 * document, or the re-rate difference. No money is computed here beyond
 * copying, negating and summing amounts already at the currency's minor
 * digits.
 *
 * Every call that changes anything runs in one store transaction (all or
 * nothing) and writes one audit_log row per document it touches. Errors:
 * RB_EINPUT naming the document, customer or period at fault; RB_EIO for
 * the database. Dates are "YYYY-MM-DD" (UTC); NULL means today.
 *
 * Not for: printing (doc.h renderers, src/cli), SQL (src/store).
 */
#ifndef RB_INVOICE_H
#define RB_INVOICE_H

#include <stddef.h>

#include "invoice/doc.h"
#include "store/store.h"
#include "util/err.h"

struct json_t;

/* ---- dates and numbers: number.c (pure) ---- */

/* Today in UTC, or $REBILL_TODAY when it holds a valid date (for tests
 * and for issuing a batch as of a fixed day). */
void invoice_today(char out[11]);
/* date + days; 0, or -1 when date is not a valid YYYY-MM-DD. */
int invoice_date_add(char out[11], const char *date, int days);
/* Days from a to b (b - a); both valid dates. */
long invoice_date_diff(const char *a, const char *b);
/* Formats a document number: {YYYY} is year, {SEQ} the number, {SEQ:N}
 * zero-padded to N digits. Returns 0, or -1 when it does not fit. */
int invoice_number_format(char *out, size_t cap, const char *pattern, int year, long seq);

/* ---- lifecycle: lifecycle.c ---- */

/* `invoice run`: stores the §5 invoice of every customer invoiced for
 * period (or of `customer` only) as a draft, replacing the drafts of the
 * period (never a document). A customer that already has documents for
 * the period gets no draft (it is corrected by invoice_rerate, never
 * invoiced twice). *n gets the number of drafts, *skipped the customers
 * left out for that reason. */
int invoice_run(size_t *n, size_t *skipped, struct store *s, int period, const char *customer,
	struct rb_err *err);

/* What a finalize, credit or re-rate issued: numbers in order. */
struct invoice_issued {
	char **numbers;
	size_t n;
};
void invoice_issued_release(struct invoice_issued *r);

/* `invoice finalize`: all drafts of period (of `customer` only when not
 * NULL) become documents in customer order, numbered in their series, with
 * issue date `date` (NULL: today) — all or none. RB_EINPUT when there is
 * no draft ("no drafts for 2026-10 ..."), when date is before the last
 * issue date of the series (numbers and dates must agree), or when the
 * issuer is not configured. */
int invoice_finalize(struct invoice_issued *out, struct store *s, int period,
	const char *customer, const char *date, struct rb_err *err);

/* `invoice credit`: a credit note for the whole of invoice `number` (same
 * lines, FX and tax, referencing it). RB_EINPUT for a credit note, an
 * already credited invoice, an unknown number. */
int invoice_credit(struct invoice_issued *out, struct store *s, const char *number,
	const char *reason, const char *date, struct rb_err *err);

/* `invoice rerate` (spec §8): for every customer with documents in period,
 * the correction between the §5 invoice now (at the FX rate of the first
 * document) and the net of its documents. With dry_run the corrections are
 * returned in *docs (no numbers) and nothing is stored; otherwise they are
 * issued, returned with their numbers too. *docs may be NULL. */
int invoice_rerate(struct invoice_issued *out, struct doc ***docs, size_t *ndocs,
	struct store *s, int period, int dry_run, const char *date, struct rb_err *err);

/* `invoice pay`: records a payment of amount (decimal text, at most the
 * currency's digits, > 0 and not above the open balance) on invoice
 * number, paid on date (NULL: today). */
int invoice_pay(struct store *s, const char *number, const char *amount, const char *date,
	struct rb_err *err);

/* ---- reading ---- */

/* The document with this number, or the draft "DRAFT-ID". */
int invoice_get(struct doc **out, struct store *s, const char *ref, struct rb_err *err);

/* Status of a listed document on date `today`: draft, final, credited,
 * paid or overdue. */
struct store_doc;
const char *invoice_status(const struct store_doc *d, const char *today);

/* `invoice list` as JSON: {"documents": [{"id", "number", "type",
 * "customer", "period", "status", "currency", "total"}]}; period, customer,
 * status may be NULL (all). */
int invoice_list_json(struct json_t **out, struct store *s, const char *period,
	const char *customer, const char *status, struct rb_err *err);

/* `report receivables`: {"as_of", "invoices": [{"number", "customer",
 * "currency", "issue_date", "due_date", "total", "paid", "open", "status"
 * (open|overdue|paid), "days_late"}], "totals": [{"currency", "open",
 * "overdue"}]}. */
int invoice_receivables_json(struct json_t **out, struct store *s, const char *as_of,
	struct rb_err *err);

/* ---- formats ---- */

enum invoice_format { INVOICE_FMT_TABLE, INVOICE_FMT_JSON, INVOICE_FMT_HTML, INVOICE_FMT_PDF,
	INVOICE_FMT_CSV, INVOICE_FMT_UBL };
/* "table" | "json" | ... -> 0 and *out, else -1. */
int invoice_format_parse(enum invoice_format *out, const char *s);
/* The file extension of a format: "txt", "json", "html", "pdf", "csv", "xml". */
const char *invoice_format_ext(enum invoice_format f);

/* Renders d in fmt. A UBL document is validated against the UBL 2.1 XSD
 * (invoice_xsd_dir) first and refused when it does not pass. */
int invoice_render(struct strbuf *out, const struct doc *d, enum invoice_format fmt,
	struct rb_err *err);
/* The same for many documents: *xsd is loaded on the first UBL document
 * and kept (the caller frees it with render_xsd_free). */
int invoice_render_with(struct strbuf *out, const struct doc *d, enum invoice_format fmt,
	struct render_xsd **xsd, struct rb_err *err);

/* Where the UBL 2.1 schemas are: $REBILL_UBL_XSD, else the installed copy,
 * else the source tree's data/ubl-2.1/xsd. */
const char *invoice_xsd_dir(void);

/* `invoice export`: every document of period in PDF, UBL, HTML and CSV
 * into dir (created when missing), named NUMBER.pdf, NUMBER.xml, ... Each
 * file is written whole or not at all (temporary name, then rename). A
 * document that cannot be UBL (e.g. no Peppol id: Peppol needs both
 * parties' endpoints) gets the other three files and a line in *skipped
 * ("INV-2026-00001: no UBL: ..."); a UBL document that fails the XSD is an
 * error. *n gets the number of documents. RB_EINPUT when period has none. */
int invoice_export(size_t *n, struct invoice_issued *skipped, struct store *s, int period,
	const char *dir, struct rb_err *err);

/* `export journal`: the accounting journal of period's documents as CSV
 * (see docs/invoices.md for columns and accounts); each entry is checked
 * to balance (Σ debit = Σ credit) before anything is written. */
int invoice_journal_csv(struct strbuf *out, struct store *s, int period, struct rb_err *err);

#endif
