/* strbuf.c: see strbuf.h. */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

void strbuf_init(struct strbuf *sb, size_t hint, size_t max)
{
	sb->alloc = hint + 1;
	sb->buf = xmalloc(sb->alloc);
	sb->buf[0] = '\0';
	sb->len = 0;
	sb->max = max;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

int strbuf_grow(struct strbuf *sb, size_t n)
{
	size_t want;

	if (n > sb->max || sb->len > sb->max - n)
		return -1;
	want = sb->len + n + 1;
	if (want > sb->alloc) {
		size_t a = sb->alloc * 2;
		if (a < want)
			a = want;
		sb->buf = xrealloc(sb->buf, a);
		sb->alloc = a;
	}
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	if (strbuf_grow(sb, n) < 0)
		return -1;
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;
	return strbuf_add(sb, &ch, 1);
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0, sb->max);
	return p;
}
