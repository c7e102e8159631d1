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
 * Not for: normalization, width, or anything Unicode beyond the encoding.
 */
#ifndef RB_UTF8_H
#define RB_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at p are well-formed UTF-8, else 0 with *bad (may be
 * NULL) set to the offset of the first byte of the bad sequence. */
int utf8_valid(const char *p, size_t n, size_t *bad);

#endif
