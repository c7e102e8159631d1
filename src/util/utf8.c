/*
 * utf8.c: the UTF-8 well-formedness check (utf8.h), after the table of
 * well-formed byte sequences in Unicode 15, section 3.9, table 3-7. ASCII
 * runs are skipped 8 bytes at a time: CUR text is nearly all ASCII.
 */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#include "util/banned.h"

int utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t len, k;

		if (c < 0x80) {
			uint64_t w;
			while (i + 8 <= n) {
				memcpy(&w, p + i, 8);
				if (w & 0x8080808080808080u)
					break;
				i += 8;
			}
			while (i < n && p[i] < 0x80)
				i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;        /* overlong */
			else if (c == 0xED)
				hi = 0x9F;        /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;        /* overlong */
			else if (c == 0xF4)
				hi = 0x8F;        /* past U+10FFFF */
		} else {
			goto fail;            /* continuation byte, C0, C1, F5..FF */
		}
		if (n - i < len)
			goto fail;
		if (p[i + 1] < lo || p[i + 1] > hi)
			goto fail;
		for (k = 2; k < len; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				goto fail;
		i += len;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}
