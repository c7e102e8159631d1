/*
 * parquet.h: a Parquet file as rows of text cells, for the CUR reader
 * (reader.c). Private to src/ingest.
 *
 * The reader exposes the file's top-level columns by name; only the
 * columns named with pq_reader_project are decoded (the others read as
 * ""), a row group at a time and within it a page at a time, so memory
 * is bounded by the pages of the projected columns, never the file size.
 *
 * A cell is the value as text, the way AWS's CSV prints it: strings as
 * they are; integers and decimals in decimal ("12.3400" for DECIMAL scale
 * 4); DATE as YYYY-MM-DD; timestamps (millis, micros, nanos, INT96) as
 * YYYY-MM-DDTHH:MM:SS[.fff]Z in UTC; FLOAT and DOUBLE as the shortest
 * decimal that reads back as the same number (see docs/import-parquet.md);
 * BOOLEAN as true/false; null as "". A MAP column is a JSON object of its
 * non-null entries ("" when it has none), a LIST column a JSON array.
 *
 * Errors are RB_EINPUT naming FILE:ROW:COLUMN (ROW the 1-based row number,
 * COLUMN the 1-based top-level column) or FILE alone for the footer; RB_EIO
 * for read failures.
 */
#ifndef RB_PARQUET_H
#define RB_PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "util/err.h"

#define PQ_MAGIC "PAR1"

struct pq_reader;

/* Reads the footer of the file open at fd (taken over: closed by
 * pq_reader_free, also on error). */
int pq_reader_open_fd(struct pq_reader **out, const char *name, int fd, struct rb_err *err);
/* As pq_reader_open_fd over len bytes at data (kept until pq_reader_free). */
int pq_reader_open_mem(struct pq_reader **out, const char *name, const void *data, size_t len,
	struct rb_err *err);

size_t pq_reader_ncolumns(const struct pq_reader *r);
const char *pq_reader_column(const struct pq_reader *r, size_t i);

/* Decode column i. A column whose shape rebill cannot turn into one cell
 * (a struct, a list of lists) is RB_EINPUT naming it. */
int pq_reader_project(struct pq_reader *r, size_t i, struct rb_err *err);

/* As pq_reader_project; for a MAP column, its cells hold only the entries
 * with one of the nkeys keys (kept by the caller until pq_reader_free). */
int pq_reader_project_keys(struct pq_reader *r, size_t i, const char *const *keys, size_t nkeys,
	struct rb_err *err);

/* Only the row groups whose first byte lies in [start, end); see
 * cur_reader_open_range for how ranges chain (first and stop below are
 * row group starts, so consecutive ranges always chain). */
void pq_reader_set_range(struct pq_reader *r, uint64_t start, uint64_t end);
void pq_reader_range(const struct pq_reader *r, uint64_t *first, uint64_t *stop, long *rows);

/* The next row: 1 with *cells (ncolumns cells, borrowed until the next
 * call) and *row (1-based), 0 at the end, < 0 on error. */
int pq_reader_next(struct pq_reader *r, const struct rb_str **cells, long *row,
	struct rb_err *err);

/* Of the row pq_reader_next returned last: whether cell i is a number
 * whose exact value at DEC_SCALE (what dec_parse of its text gives) is
 * known without parsing the text, then in *out (DOUBLE and FLOAT cells of
 * the fast case of pq_format_double, zero, integers, DECIMAL of scale <=
 * DEC_SCALE). 0: parse the text. */
int pq_reader_amount(const struct pq_reader *r, size_t i, rb_i128 *out);
/* Column i is read only as an amount (pq_reader_amount, else the text):
 * where the amount is known the cell's text may be a non-empty stand-in,
 * never formatted. Before the first pq_reader_next. */
void pq_reader_amount_only(struct pq_reader *r, size_t i);
/* Whether cell i of that row is known to be valid UTF-8 (a dictionary
 * entry, checked when the dictionary page was read; an empty cell). 0:
 * check the text. */
int pq_reader_utf8_known(const struct pq_reader *r, size_t i);
/* The dictionary entry that column i's cell of the current row is (a
 * non-null value of a dictionary-encoded page), as a ref: the
 * dictionary's serial (unique among every reader of the process) above
 * PQ_REF_INDEX_BITS, the entry's index + 1 below. 0 when the cell is not
 * a dictionary entry. Equal refs are equal cells, so a caller may work
 * out what a cell means once per entry (cur_row.ref). */
#define PQ_REF_INDEX_BITS 24   /* PQ_MAX_PAGE_VALUES (4 Mi) entries fit */
uint64_t pq_reader_dict_ref(const struct pq_reader *r, size_t i);
/* As pq_reader_dict_ref, for the date part of the cell (YYYY-MM-DD):
 * also non-zero for an INT64 timestamp value read in a batch, equal for
 * values of the same day. 0 when not known. */
uint64_t pq_reader_day_ref(const struct pq_reader *r, size_t i);

uint64_t pq_reader_bytes_in(const struct pq_reader *r);
uint64_t pq_reader_size(const struct pq_reader *r);

void pq_reader_free(struct pq_reader *r);

/* Writes the shortest decimal that reads back (strtod) as d into buf
 * (cap >= 32) and returns its length; "0" for zero, never "-0". NaN and
 * infinities give "nan"/"inf" (which no amount parser accepts). */
size_t pq_format_double(char *buf, size_t cap, double d);

#endif
