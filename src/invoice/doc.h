/*
 * doc.h: the frozen invoice document (spec §8) and its faces.
 *
 * A `struct doc` is everything printed on one invoice or credit note: the
 * number, dates, the customer's and the issuer's details as they stood when
 * it was finalized, the lines and totals exactly as printed, and the tax
 * cluster. It is built once (doc_from_rate for a draft, doc_from_json for a
 * stored snapshot) and never recomputed: every renderer below is a pure
 * function of it — no money is computed here (the §5 amounts come from
 * src/rate), no file or database is read, and the same doc always renders
 * to the same bytes.
 *
 * Invariants of a well-formed doc (doc_check): currency known, amounts at
 * the currency's minor digits, subtotal = Σ lines, total = subtotal + tax.
 * Amounts are as printed: a credit note prints the amounts it takes back
 * as positive numbers (a charge of 100 is credited as 100), so its effect
 * on what the customer owes is their negation (doc_sign).
 *
 * Not for: SQL (src/store), numbering and lifecycle (invoice.h), rating.
 */
#ifndef RB_INVOICE_DOC_H
#define RB_INVOICE_DOC_H

#include <stddef.h>

#include "util/decimal.h"
#include "util/err.h"
#include "util/strbuf.h"

struct json_t;
struct rate_invoice;

enum doc_type { DOC_INVOICE, DOC_CREDIT_NOTE };
/* "invoice" | "credit_note"; doc_type_from_name returns the type or -1. */
const char *doc_type_name(enum doc_type t);
int doc_type_from_name(const char *s);

/* A party as printed. Every field may be NULL (not known). country is ISO
 * 3166 alpha-2; peppol_id is "SCHEME:ID" (e.g. "0106:12345678");
 * company_id is the legal registration, "SCHEME:ID" or just the ID (for a
 * Dutch issuer a bare ID is a KvK number, scheme 0106). */
struct doc_party {
	char *name;
	char *address;   /* street and number, or the whole address as one text */
	char *city;
	char *postal_code;
	char *country;
	char *vat_id;
	char *company_id;
	char *email;
	char *peppol_id;
	char *iban;      /* issuer only */
	char *bic;       /* issuer only */
};

/* One line: kind is rate_line_kind_name() ("charge", "credit", ...), key
 * the spec §5 line key; kind + key identify a line across documents. */
struct doc_line {
	char *kind;
	char *key;
	char *description;
	rb_i128 amount;  /* at the doc's minor digits, as printed */
};

/* A document this one refers to (a credit note's invoice, a correction's
 * documents). */
struct doc_ref {
	char *number;
	char issue_date[11];   /* YYYY-MM-DD */
};

struct doc {
	char *number;          /* NULL for a draft */
	enum doc_type type;
	char *customer_id;
	struct doc_party customer;
	struct doc_party issuer;
	int period;            /* util/period.h */
	char currency[4];
	int minor;             /* config_currency_minor(currency) */
	rb_i128 fx;            /* DEC_FACTOR_DIGITS: USD -> currency */
	char issue_date[11];   /* "" for a draft */
	char due_date[11];     /* "" for a draft */
	struct doc_ref *refs;
	size_t nrefs;
	char *note;            /* free text (a credit note's reason), or NULL */
	struct doc_line *lines;
	size_t nlines;
	rb_i128 subtotal, tax, total;
	char *tax_name;        /* the tax cluster's name, or NULL (no cluster) */
	rb_i128 tax_rate_pct;  /* DEC_FACTOR_DIGITS */
	char tax_category[3];  /* S, AE, Z, E or O */
	char *tax_note;        /* e.g. the reverse-charge text, or NULL */
	unsigned char *logo;   /* the issuer's logo as PNG bytes, or NULL */
	size_t logo_len;
};

/* Fills p from a JSON object with the party keys (name, address, city,
 * postal_code, country, vat_id, company_id, email, peppol_id, iban, bic —
 * the names of the configuration document too); other keys are ignored,
 * o may be NULL. Releases what p held. */
void doc_party_set(struct doc_party *p, const struct json_t *o);

/* Frees d and everything it owns; NULL is fine. */
void doc_free(struct doc *d);

/* The spec §8 default VAT category of a cluster rate: "S" when > 0 else "O". */
const char *doc_default_category(rb_i128 rate_pct);
/* 1 when s is one of S, AE, Z, E, O. */
int doc_category_ok(const char *s);

/* A draft doc of a §5 invoice: lines, totals, FX and tax rate copied from
 * inv (nothing recomputed). customer and issuer are deep-copied (either may
 * be NULL); tax_name/category/note may be NULL (category: the default).
 * The type is DOC_INVOICE and there is no number or date yet. */
struct doc *doc_from_rate(const struct rate_invoice *inv, const struct doc_party *customer,
	const struct doc_party *issuer, const char *tax_name, const char *category,
	const char *tax_note);

/* A deep copy of d. */
struct doc *doc_dup(const struct doc *d);

/* Checks the invariants above: RB_EINPUT naming the first one broken. */
int doc_check(const struct doc *d, struct rb_err *err);

/* +1 for an invoice, -1 for a credit note: its effect on what is owed. */
int doc_sign(const struct doc *d);

/* ---- JSON ----------------------------------------------------------------
 * doc_json: the shape of `invoice show --format json` (keys in this order):
 *   {"number", "type", "customer", "period", "currency", "fx", "issue_date",
 *    "due_date", "references": [NUMBER...], "lines": [{"kind", "key",
 *    "description", "amount"}], "subtotal", "tax", "total"}
 * Amounts as printed (strings with the minor digits), null for what a draft
 * does not have. With full != 0 the snapshot fields follow: "customer_party",
 * "issuer", "reference_dates", "note", "tax_cluster" {"name", "rate_pct",
 * "category", "note"}, "logo" (base64) — the stored form, which
 * doc_from_json reads back exactly. */
struct json_t *doc_json(const struct doc *d, int full);
/* Reads what doc_json(d, 1) wrote. RB_EINPUT naming the JSON path of the
 * first bad field; *out NULL on failure. */
int doc_from_json(struct doc **out, const struct json_t *j, struct rb_err *err);

/* ---- renderers: each appends the whole document to out ------------------
 * Return 0, or RB_EINPUT when the document cannot be drawn in that format
 * (err says what is missing, e.g. a UBL issuer without peppol_id), or when
 * out would pass its maximum. Nothing is appended on failure... except
 * partial bytes, which the caller discards (it owns out). */

/* One self-contained print-ready HTML file: inline CSS, no scripts, the
 * logo embedded as a data: URI. */
int render_html(struct strbuf *out, const struct doc *d, struct rb_err *err);
/* RFC 4180 CSV: header kind,key,description,amount,currency; one row per
 * line; then subtotal, tax and total rows (kind "total"). */
int render_csv(struct strbuf *out, const struct doc *d, struct rb_err *err);
/* UBL 2.1 Peppol BIS Billing 3.0: Invoice (380) or CreditNote (381) with a
 * BillingReference per reference. Needs the issuer's and the customer's
 * name, country and peppol_id (the Peppol endpoints). */
int render_ubl(struct strbuf *out, const struct doc *d, struct rb_err *err);
/* Validates a UBL document (from render_ubl) against the OASIS UBL 2.1 XSD
 * under xsd_dir (holding maindoc/ and common/). RB_EINPUT with the
 * schema's first complaint, RB_EIO when the schema cannot be loaded. */
int render_ubl_check(const char *xml, size_t len, const char *xsd_dir, struct rb_err *err);
/* The two schemas parsed once, for checking many documents (parsing the
 * 2.4 MB of UBL XSD takes far longer than validating a document). A loaded
 * schema is only read by render_ubl_check_with. RB_EIO when it cannot be
 * loaded. */
struct render_xsd;
/* Sets up libxml2's globals; call once before renderers run on several
 * threads (each thread may then render on its own; a loaded render_xsd may
 * be shared, as it is only read). */
void render_init(void);
int render_xsd_load(struct render_xsd **out, const char *xsd_dir, struct rb_err *err);
void render_xsd_free(struct render_xsd *x);
int render_ubl_check_with(const char *xml, size_t len, const struct render_xsd *x,
	struct rb_err *err);
/* A PDF drawn with cairo and pango (DejaVu Sans): A4, the header on every
 * page, long descriptions wrapped, "page N of M". *pages (may be NULL)
 * gets the page count. */
int render_pdf(struct strbuf *out, const struct doc *d, int *pages, struct rb_err *err);
/* A plain-text table for terminals (what `invoice show` prints). */
int render_text(struct strbuf *out, const struct doc *d, struct rb_err *err);

#endif
