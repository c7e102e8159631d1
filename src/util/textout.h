/*
 * textout.h: writing text that came from outside (tag values, customer
 * names, CUR cells) where it could do harm — into a CSV file a spreadsheet
 * opens, or onto a terminal.
 *
 * CSV (every CSV rebill writes goes through textout_csv_cell): RFC 4180
 * quoting, and formula injection neutralised as OWASP recommends: a cell
 * beginning with = + - @ TAB or CR gets a leading apostrophe, so a
 * spreadsheet shows it as text instead of running it. A cell that is a
 * plain decimal number ("-12.5000000000": optional '-', digits, optional
 * '.' and digits) is a number, not text, and is written as it is: negative
 * amounts stay readable and summable (docs/reliability.md).
 *
 * Terminal (tables, error messages): ESC and every other C0 control, DEL,
 * C1 controls (U+0080..U+009F) and the Unicode bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) are written as
 * visible escapes (\x1B, \u202E), so text cannot move the cursor, recolour
 * or reorder what is shown. TAB and LF in a table cell are escaped too.
 *
 * Not for: reading CSV (src/ingest), JSON (jansson escapes).
 */
#ifndef RB_TEXTOUT_H
#define RB_TEXTOUT_H

#include <stdio.h>

/* Writes s as one CSV cell to f. */
void textout_csv_cell(FILE *f, const char *s);

/* Whether s is a plain decimal number (see above). */
int textout_is_number(const char *s);

/* A new string (free it) holding s with terminal controls escaped. keep_lf:
 * leave LF as it is (multi-line messages). */
char *textout_term(const char *s, int keep_lf);

#endif
