/* test_utf8.c: the UTF-8 well-formedness check. Expected values come from
 * Unicode 15 table 3-7 and Markus Kuhn's UTF-8 decoder stress test. */
#include "util/utf8.h"

#include "../check.h"
#include "util/banned.h"

static long bad_at(const char *s, size_t n)
{
	size_t off = 999;
	return utf8_valid(s, n, &off) ? -1 : (long)off;
}
#define BAD(lit) bad_at(lit, sizeof(lit) - 1)

TEST(well_formed)
{
	CHECK_INT(BAD(""), -1);
	CHECK_INT(BAD("plain ascii, longer than eight bytes"), -1);
	CHECK_INT(BAD("caf\xC3\xA9"), -1);                 /* U+00E9 */
	CHECK_INT(BAD("\xE2\x82\xAC 5"), -1);              /* U+20AC */
	CHECK_INT(BAD("\xED\x9F\xBF"), -1);                /* U+D7FF, last before surrogates */
	CHECK_INT(BAD("\xEE\x80\x80"), -1);                /* U+E000 */
	CHECK_INT(BAD("\xF0\x9F\x98\x80"), -1);            /* U+1F600 */
	CHECK_INT(BAD("\xF4\x8F\xBF\xBF"), -1);            /* U+10FFFF */
	CHECK_INT(BAD("\xEF\xBF\xBD"), -1);                /* U+FFFD itself */
}

TEST(ill_formed)
{
	CHECK_INT(BAD("ab\x80"), 2);                       /* lone continuation */
	CHECK_INT(BAD("abcdefghij\xC3"), 10);              /* truncated at end */
	CHECK_INT(BAD("\xC3(x"), 0);                       /* bad continuation */
	CHECK_INT(BAD("\xC0\x80"), 0);                     /* overlong NUL */
	CHECK_INT(BAD("\xC1\xBF"), 0);                     /* overlong */
	CHECK_INT(BAD("x\xE0\x80\xAF"), 1);                /* overlong '/' */
	CHECK_INT(BAD("\xF0\x80\x80\xAF"), 0);             /* overlong '/' */
	CHECK_INT(BAD("\xED\xA0\x80"), 0);                 /* U+D800 surrogate */
	CHECK_INT(BAD("\xED\xBF\xBF"), 0);                 /* U+DFFF surrogate */
	CHECK_INT(BAD("\xF4\x90\x80\x80"), 0);             /* U+110000 */
	CHECK_INT(BAD("\xF5\x80\x80\x80"), 0);
	CHECK_INT(BAD("\xFF"), 0);
	CHECK_INT(BAD("ok \xE2\x82"), 3);                  /* truncated 3-byte */
}

/* Columns by UAX #11 (East Asian Width): W and F take 2, combining marks 0. */
TEST(width)
{
	CHECK_INT(utf8_width(""), 0);
	CHECK_INT(utf8_width("plain"), 5);
	CHECK_INT(utf8_width("Z\xC3\xBCrich"), 6);                     /* Zürich, U+00FC */
	CHECK_INT(utf8_width("e\xCC\x81"), 1);                         /* e + U+0301 combining */
	CHECK_INT(utf8_width("\xE6\x97\xA5\xE6\x9C\xAC\xE3\x83\x81\xE3\x83\xBC\xE3\x83\xA0"),
		10);                                                 /* 日本チーム: 5 wide */
	CHECK_INT(utf8_width("\xED\x95\x9C\xEA\xB5\xAD"), 4);           /* 한국, Hangul syllables */
	CHECK_INT(utf8_width("\xEF\xBC\xA1"), 2);                     /* U+FF21 fullwidth A */
	CHECK_INT(utf8_width("\xEF\xBD\xB1"), 1);                     /* U+FF71 halfwidth ka */
	CHECK_INT(utf8_width("\xE2\x82\xAC 5"), 3);                   /* € 5 */
	CHECK_INT(utf8_width("ab\x80"), 3);                         /* a bad byte: 1 column */
}

TEST(whole)
{
	CHECK_INT(utf8_whole("abc", 3), 3);
	CHECK_INT(utf8_whole("a\xC3\xA9", 3), 3);                      /* aé complete */
	CHECK_INT(utf8_whole("a\xC3", 2), 1);                          /* é cut after 1 byte */
	CHECK_INT(utf8_whole("a\xE6\x97", 3), 1);                      /* 日 cut after 2 */
	CHECK_INT(utf8_whole("a\xE6\x97\xA5", 4), 4);
	CHECK_INT(utf8_whole("\xF0\x9F\x98", 3), 0);                  /* U+1F600 cut after 3 */
	CHECK_INT(utf8_whole("x\x80\x80\x80\x80", 5), 5);              /* stray run: as it is */
}

TEST(fit)
{
	const char *jp = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";  /* 日本語, 3 bytes and 2 columns each */
	CHECK_INT(utf8_fit(jp, 6), 9);
	CHECK_INT(utf8_fit(jp, 5), 6);                               /* not half a character */
	CHECK_INT(utf8_fit(jp, 1), 0);
	CHECK_INT(utf8_fit("caf\xC3\xA9s", 4), 5);                     /* café */
	CHECK_INT(utf8_fit("e\xCC\x81x", 1), 3);                       /* the combining mark stays */
}

static const struct check_case cases[] = {
	CASE(well_formed), CASE(ill_formed), CASE(width), CASE(whole), CASE(fit),
};

CHECK_MAIN(cases)
