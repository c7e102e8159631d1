/*
 * strbuf.h: a growable byte buffer with a mandatory maximum size.
 *
 * Invariants: buf is always NUL-terminated (buf[len] == 0) once the strbuf is
 * initialized; len <= max. Growing past max is an error (RB_EINPUT), which is
 * how CSV fields, inflated data and HTTP bodies are bounded.
 */
#ifndef RB_STRBUF_H
#define RB_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

/* Initializes sb with room for hint bytes and the hard limit max. */
void strbuf_init(struct strbuf *sb, size_t hint, size_t max);
/* Frees the contents; sb may be initialized again afterwards. */
void strbuf_release(struct strbuf *sb);
/* Empties sb, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Appends n bytes; returns 0, or -1 (nothing appended) if len would pass max. */
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Makes room for n more bytes (within max); returns 0 or -1. */
int strbuf_grow(struct strbuf *sb, size_t n);
/* Takes the buffer from sb (caller frees); sb is left empty and usable. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
