/*
 * csv.h: the RFC 4180 tokenizer under the CUR reader (private to
 * src/ingest; unit tests use it directly).
 *
 * Reads a byte source (a file descriptor or a memory block, gzip-compressed
 * or not: detected by the magic bytes 1f 8b, concatenated members allowed)
 * into one buffer and hands out one row at a time as views into that buffer.
 * No allocation per row or field: a row that runs past the end of the buffer
 * is moved to the front before the next read, and a field with doubled
 * quotes is unescaped in place once its row is complete.
 *
 * Accepts: quoted fields holding commas, quotes ("") and line breaks; a
 * UTF-8 byte order mark; LF or CRLF line ends (a CR inside quotes is data); a last
 * line without a line end; empty lines (skipped: they hold no field).
 * Rejects (RB_EINPUT, FILE:LINE:COLUMN, column = 1-based field number): a NUL
 * byte, a quote inside an unquoted field, anything but a separator after a
 * closing quote, a quote still open at end of input, a field longer than
 * INGEST_MAX_FIELD, a row longer than CSV_MAX_ROW, and — once
 * csv_expect_fields was called — a row with another number of fields.
 */
#ifndef RB_INGEST_CSV_H
#define RB_INGEST_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "util/err.h"

#define CSV_BUFSIZE (1u << 20)      /* default read buffer */
#define CSV_MAX_ROW (16u << 20)     /* a row past this is bad input */

struct csv;

/* How bytes are classified (separators, quotes, line ends, NUL): each
 * variant gives the same rows, fields and errors bit for bit. A tokenizer
 * uses the best one the CPU supports (__builtin_cpu_supports), unless the
 * environment variable REBILL_CSV_SIMD names a supported one (scalar, sse2,
 * avx2): tests and benchmarks run every variant through it. */
enum csv_variant { CSV_SCALAR, CSV_SSE2, CSV_AVX2, CSV_NVARIANTS };

/* 1 if this build and CPU can run v. */
int csv_variant_supported(enum csv_variant v);
/* "scalar", "sse2", "avx2". */
const char *csv_variant_name(enum csv_variant v);
/* The variant c uses. */
enum csv_variant csv_variant(const struct csv *c);

/* Opens a tokenizer over fd (owned: closed by csv_free, also on error).
 * name is used in error messages. bufsize 0 means CSV_BUFSIZE; tests pass
 * tiny sizes to force fields across buffer refills. */
int csv_open_fd(struct csv **out, const char *name, int fd, size_t bufsize,
	struct rb_err *err);

/* As csv_open_fd over len bytes at data, which must stay valid and
 * unchanged until csv_free. */
int csv_open_mem(struct csv **out, const char *name, const void *data, size_t len,
	size_t bufsize, struct rb_err *err);

/* Restricts the tokenizer to the rows of a byte range of a plain (not gzip)
 * source, after the header was read: rows start after the first line end
 * at or after offset start - 1 (start 0: where the tokenizer is), and the
 * last row is the one starting before offset end (0: no end). Lines count
 * from 1 at the first row of the range. Returns 0, RB_EUSAGE for gzip, or
 * RB_EIO. See cur_reader_open_range for how ranges are put together. */
int csv_set_range(struct csv *c, uint64_t start, uint64_t end, struct rb_err *err);

/* After the last row of a range: the offset of its first row start, the
 * offset where the next row starts (or the source size at its end), and the
 * line ends consumed since the range's first row. */
void csv_range_info(const struct csv *c, uint64_t *first, uint64_t *stop, long *lines);

/* Fields the caller reads: used[i] (n entries, borrowed until csv_free or
 * the next call) 0 means field i is not looked at, so its doubled quotes
 * are left as they are (its view holds the raw bytes between the quotes;
 * line breaks are the same either way). Fields from n on are unescaped. */
void csv_set_used(struct csv *c, const unsigned char *used, size_t n);

/* From now on a row with another number of fields than n is an error. */
void csv_expect_fields(struct csv *c, size_t n);

/* Reads the next row: 1 with *fields (nfields views, valid until the next
 * call) and *line (the line where the row starts), 0 at end of input, or a
 * negative RB_E* code with err set (then only csv_free is allowed). */
int csv_next(struct csv *c, const struct rb_str **fields, size_t *nfields,
	long *line, struct rb_err *err);

/* Bytes consumed from the source so far (compressed bytes for gzip). */
uint64_t csv_bytes_in(const struct csv *c);
/* Size of the source (file size, or the memory block's length). */
uint64_t csv_size(const struct csv *c);
const char *csv_name(const struct csv *c);

/* The first bytes of the (decompressed) text read so far, for saying what a
 * file is when it is no CSV: 0 with *p and *n set while the buffer still
 * starts at the beginning of the input (after the first csv_next), else -1. */
int csv_head(const struct csv *c, const char **p, size_t *n);

/* Frees; accepts NULL. */
void csv_free(struct csv *c);

#endif
