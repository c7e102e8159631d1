/*
 * textout.c: CSV cells without formula injection, and text made safe for a
 * terminal (textout.h).
 */
#include "util/textout.h"

#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

int textout_is_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

void textout_csv_cell(FILE *f, const char *s)
{
	int formula = s[0] && strchr("=+-@\t\r", s[0]) && !textout_is_number(s);

	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The length of a bidirectional control's UTF-8 encoding at p, or 0. */
static size_t bidi_len(const unsigned char *p)
{
	if (p[0] == 0xD8 && p[1] == 0x9C)
		return 2;                                   /* U+061C */
	if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F ||
	    (p[2] >= 0xAA && p[2] <= 0xAE)))
		return 3;                                   /* U+200E/F, U+202A..E */
	if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
		return 3;                                   /* U+2066..9 */
	return 0;
}

char *textout_term(const char *s, int keep_lf)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf sb;
	char *out;

	/* at most 6 bytes out per byte in: within the limit by construction */
	strbuf_init(&sb, strlen(s) + 1, 6 * strlen(s) + 16);
	while (*p) {
		size_t n;
		if ((*p < 0x20 && !(keep_lf && *p == '\n')) || *p == 0x7F) {
			strbuf_addf(&sb, "\\x%02X", *p);
			p++;
		} else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			strbuf_addf(&sb, "\\u%04X", p[1]);      /* C1 control */
			p += 2;
		} else if ((n = bidi_len(p))) {
			unsigned cp = n == 2 ? 0x061C : p[1] == 0x80 ? 0x2000u + (p[2] - 0x80u) :
				0x2040u + (p[2] - 0x80u);
			strbuf_addf(&sb, "\\u%04X", cp);
			p += n;
		} else {
			strbuf_addch(&sb, *p);
			p++;
		}
	}
	out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);   /* detach leaves sb initialized, with a buffer */
	return out;
}
