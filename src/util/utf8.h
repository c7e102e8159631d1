/*
 * utf8.h: checking that text is well-formed UTF-8 (RFC 3629).
 *
 * rebill's rule (docs/reliability.md): text that is not well-formed UTF-8 —
 * a stray continuation byte, a truncated sequence, an overlong form (C0 80
 * for NUL), a UTF-16 surrogate (ED A0..BF) or a code point past U+10FFFF —
 * is refused where it enters (CUR cells, header names, command-line names),
 * naming FILE:LINE:COLUMN; it is never replaced or dropped. JSON output
 * checks again and fails loudly (report/json_text.h).
 *
 * Also (utf8_width.c): the display width of text on a terminal and cutting
 * it on character boundaries, for tables.
 *
 * Not for: normalization, or anything Unicode beyond the encoding and widths.
 */
#ifndef RB_UTF8_H
#define RB_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at p are well-formed UTF-8, else 0 with *bad (may be
 * NULL) set to the offset of the first byte of the bad sequence. */
int utf8_valid(const char *p, size_t n, size_t *bad);

/* The columns NUL-terminated s takes on a terminal: glibc's wcwidth under
 * C.UTF-8 (East Asian Wide and Fullwidth: 2, combining and zero-width: 0,
 * others 1; whatever the process's locale), each byte of a bad sequence
 * one column. */
size_t utf8_width(const char *s);

/* n, or less when the n bytes at s end inside a character (text cut by
 * bytes, as snprintf does): the length without that partial character. */
size_t utf8_whole(const char *s, size_t n);

/* The length in bytes of the longest prefix of s that takes at most cols
 * columns (utf8_width) and ends on a character boundary. */
size_t utf8_fit(const char *s, size_t cols);

#endif
