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

static const struct check_case cases[] = {
	CASE(well_formed), CASE(ill_formed),
};

CHECK_MAIN(cases)
