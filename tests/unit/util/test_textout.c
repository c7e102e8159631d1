/* test_textout.c: CSV cells without formula injection (OWASP "CSV
 * Injection": prefix ' to cells beginning with = + - @ TAB CR) and text made
 * safe for a terminal. Expected bytes are written out by hand. */
#include "util/textout.h"

#include <stdlib.h>

#include "../check.h"
#include "util/banned.h"

static char buf[512];

static const char *cell(const char *s)
{
	FILE *f;
	buf[0] = '\0';
	f = fmemopen(buf, sizeof(buf), "w");
	textout_csv_cell(f, s);
	fclose(f);
	return buf;
}

TEST(csv_formulas)
{
	CHECK_STR(cell("plain"), "plain");
	CHECK_STR(cell(""), "");
	CHECK_STR(cell("a,b"), "\"a,b\"");
	CHECK_STR(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	CHECK_STR(cell("=1+1"), "\"'=1+1\"");
	CHECK_STR(cell("+1+cmd|' /C calc'!A0"), "\"'+1+cmd|' /C calc'!A0\"");
	CHECK_STR(cell("-2+3"), "\"'-2+3\"");
	CHECK_STR(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
	CHECK_STR(cell("\t=1"), "\"'\t=1\"");
	CHECK_STR(cell("\r=1"), "\"'\r=1\"");
	CHECK_STR(cell("a=1"), "a=1");        /* only the first character counts */
}

TEST(csv_numbers)
{
	/* numbers are not text: negative amounts stay numbers */
	CHECK_STR(cell("-12.5000000000"), "-12.5000000000");
	CHECK_STR(cell("-3"), "-3");
	CHECK_STR(cell("0.25"), "0.25");
	CHECK_STR(cell("-"), "\"'-\"");
	CHECK_STR(cell("-1."), "\"'-1.\"");
	CHECK_STR(cell("-1e5"), "\"'-1e5\"");
	CHECK_STR(cell("+5"), "\"'+5\"");
	CHECK(textout_is_number("10"));
	CHECK(!textout_is_number("1,5"));
	CHECK(!textout_is_number(".5"));
}

TEST(terminal)
{
	char *s;
	s = textout_term("ok \xC3\xA9", 0);
	CHECK_STR(s, "ok \xC3\xA9");
	free(s);
	s = textout_term("\x1B[31mred\x1B[0m", 0);
	CHECK_STR(s, "\\x1B[31mred\\x1B[0m");
	free(s);
	s = textout_term("abc\xE2\x80\xAEtxt.exe", 0);     /* U+202E RIGHT-TO-LEFT OVERRIDE */
	CHECK_STR(s, "abc\\u202Etxt.exe");
	free(s);
	s = textout_term("\xE2\x81\xA6x\xE2\x81\xA9\xE2\x80\x8F\xD8\x9C", 0);
	CHECK_STR(s, "\\u2066x\\u2069\\u200F\\u061C");
	free(s);
	s = textout_term("c1\xC2\x9B" "2J del\x7F tab\t", 0);
	CHECK_STR(s, "c1\\u009B2J del\\x7F tab\\x09");
	free(s);
	s = textout_term("two\nlines\r", 1);
	CHECK_STR(s, "two\nlines\\x0D");
	free(s);
}

static const struct check_case cases[] = {
	CASE(csv_formulas), CASE(csv_numbers), CASE(terminal),
};

CHECK_MAIN(cases)
