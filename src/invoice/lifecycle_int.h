/*
 * lifecycle_int.h: shared by lifecycle.c, rerate.c, read.c and export.c.
 */
#ifndef RB_INVOICE_LIFECYCLE_INT_H
#define RB_INVOICE_LIFECYCLE_INT_H

#include <jansson.h>

#include "invoice/invoice.h"

/* The element of arr whose string `key` equals id, or NULL. */
const json_t *invoice_find_id(const json_t *arr, const char *key, const char *id);
/* Compact JSON with keys in order; caller frees. */
char *invoice_dump(const json_t *j);
/* doc_json(d, 1) as text; caller frees. */
char *invoice_snapshot(const struct doc *d);
/* A stored snapshot back into a doc; a bad one is RB_EIO naming `what`. */
int invoice_doc_parse(struct doc **out, const char *snapshot, const char *what,
	struct rb_err *err);
/* The issuer of the configuration (and its logo file) into d. */
int invoice_issuer_apply(struct doc *d, const json_t *cfg, struct rb_err *err);
/* date (or today when NULL) checked into out; RB_EUSAGE when bad. */
int invoice_date_arg(char out[11], const char *date, struct rb_err *err);
/* The year of a YYYY-MM-DD date. */
int invoice_date_year(const char *date);
/* Numbers d in its series for issue date `date`, sets its dates, stores it
 * (credits, refs as store_doc_in) and audits it as action by source;
 * appends its number to out. Inside the caller's transaction. */
int invoice_issue(struct invoice_issued *out, struct store *s, struct doc *d,
	const json_t *cfg, const char *date, long credits, const long *refs, size_t nrefs,
	const char *plan, const char *source, const char *action, struct rb_err *err);

#endif
