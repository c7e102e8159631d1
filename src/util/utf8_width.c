/*
 * utf8_width.c: how many terminal columns UTF-8 text takes, and where to
 * cut it without splitting a character (utf8.h), so tables line up with
 * CJK and accented text.
 *
 * The widths are the C library's: wcwidth(3) of glibc under the C.UTF-8
 * locale (East Asian Wide and Fullwidth characters take 2 columns,
 * combining marks and zero-width characters 0, per glibc's Unicode
 * tables), used through a private locale object (newlocale/uselocale), so
 * the process's own locale is never changed and LC_ALL=C does not turn the
 * widths off. Only where C.UTF-8 cannot be loaded (not on Debian, where
 * glibc ships it) a small table stands in: the main East Asian Wide and
 * Fullwidth blocks 2, the common combining marks 0.
 *
 * Not for: escaping controls (textout.h), validation (utf8.c).
 */
#define _XOPEN_SOURCE 700       /* wcwidth */
#include "util/utf8.h"

#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <wchar.h>

#include "util/banned.h"

static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;

static void utf8_locale_load(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The code point at s (NUL-terminated) into *cp and its length; a byte
 * that starts no well-formed sequence is one "character" of its own. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	size_t len, k;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = c << 6 | (s[k] & 0x3F);
	}
	*cp = c;
	return len;
}

/* Without C.UTF-8 only: the main blocks of UAX #11 East Asian Wide (W) and
 * Fullwidth (F), and the common combining marks. */
static int fallback_width(uint32_t c)
{
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
		{ 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
		{ 0xFE30, 0xFE4F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
		{ 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
	};
	size_t i;

	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) ||
	    (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x20D0 && c <= 0x20FF))
		return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

/* The columns of the code point cp, under the locale cols_begin chose. */
static size_t cp_width(uint32_t cp)
{
	int n;
	if (cp < 0x80)
		return 1;       /* ASCII: the table printers escape controls first */
	n = utf8_locale ? wcwidth((wchar_t)cp) : fallback_width(cp);
	return n < 0 ? 1 : (size_t)n;   /* unassigned or a control: one column */
}

/* wcwidth answers for the calling thread's locale: C.UTF-8 for a while. */
static locale_t cols_begin(void)
{
	pthread_once(&utf8_locale_once, utf8_locale_load);
	return utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
}

static void cols_end(locale_t old)
{
	if (utf8_locale)
		uselocale(old);
}

size_t utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	locale_t old = cols_begin();
	size_t w = 0;

	while (*p) {
		uint32_t cp;
		p += decode(p, &cp);
		w += cp_width(cp);
	}
	cols_end(old);
	return w;
}

size_t utf8_whole(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = n, need;

	/* back to the start of the last character (at most 3 continuation bytes) */
	while (i > 0 && n - i < 3 && (p[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0 || p[i - 1] < 0xC0)
		return n;       /* ASCII last, or a stray continuation run: as it is */
	need = p[i - 1] >= 0xF0 ? 4 : p[i - 1] >= 0xE0 ? 3 : 2;
	return n - (i - 1) < need ? i - 1 : n;
}

size_t utf8_fit(const char *s, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	locale_t old = cols_begin();
	size_t used = 0;

	while (*p) {
		uint32_t cp;
		size_t len = decode(p, &cp), w = cp_width(cp);
		if (used + w > cols)
			break;
		used += w;
		p += len;
	}
	cols_end(old);
	return (size_t)((const char *)p - s);
}
