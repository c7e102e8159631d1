/*
 * invoice_int.h: helpers shared by the files of src/invoice only.
 */
#ifndef RB_INVOICE_INT_H
#define RB_INVOICE_INT_H

#include <stddef.h>

#include "invoice/doc.h"
#include "util/strbuf.h"

/* Appends the RFC 4648 base64 of data (no line breaks). -1 past sb's max. */
int invoice_base64(struct strbuf *sb, const unsigned char *data, size_t n);
/* Decodes base64 (no whitespace); *out is malloc'd. 0 or -1 on bad input. */
int invoice_base64_decode(unsigned char **out, size_t *outlen, const char *s, size_t n);

/* Appends s as one RFC 4180 CSV field (quoted when it holds , " CR or LF;
 * NULL is empty). -1 past sb's max. */
int invoice_csv_field(struct strbuf *sb, const char *s);

/* An amount of d as printed: minor digits, e.g. "1234.50". */
void invoice_amount(char buf[DEC_BUFSZ], const struct doc *d, rb_i128 v);
/* The same with thousands separators for people: "1,234.50". */
void invoice_amount_grouped(char buf[DEC_BUFSZ + 16], const struct doc *d, rb_i128 v);
/* The title of d: "Invoice", "Credit note", "Draft invoice". */
const char *invoice_title(const struct doc *d);
/* p's postal address for people: "street<sep>postal city<sep>country",
 * leaving out what is not known. */
void invoice_address(char *buf, size_t cap, const struct doc_party *p, const char *sep);
/* The currency symbol for people (€, £, ¥, $) or the code. */
const char *invoice_currency_symbol(const char *code);

#endif
