/* test_decimal.c: exact parsing, formatting and rounding (spec §1). */
#include <stdint.h>

#include "../check.h"

#include "util/decimal.h"

static const char *fmt(rb_i128 v, int scale, int digits)
{
	static char buf[4][DEC_BUFSZ];
	static int k;
	k = (k + 1) % 4;
	dec_format(buf[k], sizeof(buf[k]), v, scale, digits);
	return buf[k];
}

/* parse at DEC_SCALE and print all 10 digits */
static const char *p10(const char *s)
{
	rb_i128 v;
	if (dec_parse(&v, s, strlen(s), DEC_SCALE) != DEC_OK)
		return "ERR";
	return fmt(v, DEC_SCALE, DEC_SCALE);
}

TEST(parse_plain)
{
	CHECK_STR(p10("0"), "0.0000000000");
	CHECK_STR(p10("12.5"), "12.5000000000");
	CHECK_STR(p10("-12.5"), "-12.5000000000");
	CHECK_STR(p10("+3"), "3.0000000000");
	CHECK_STR(p10(".5"), "0.5000000000");
	CHECK_STR(p10("5."), "5.0000000000");
	CHECK_STR(p10("0.0000000001"), "0.0000000001");
	CHECK_STR(p10("-0.0"), "0.0000000000");
	CHECK_STR(p10("000123.4500"), "123.4500000000");
}

TEST(parse_exponent)
{
	CHECK_STR(p10("1.2E-7"), "0.0000001200");
	CHECK_STR(p10("1.2e-7"), "0.0000001200");
	CHECK_STR(p10("5E-11"), "0.0000000001");  /* half away from zero */
	CHECK_STR(p10("4.9E-11"), "0.0000000000");
	CHECK_STR(p10("-5E-11"), "-0.0000000001");
	CHECK_STR(p10("1E+3"), "1000.0000000000");
	CHECK_STR(p10("2.5e2"), "250.0000000000");
	CHECK_STR(p10("1E-400"), "0.0000000000");
}

TEST(parse_rounds_half_away)
{
	CHECK_STR(p10("0.00000000005"), "0.0000000001");
	CHECK_STR(p10("0.00000000004999"), "0.0000000000");
	CHECK_STR(p10("-0.00000000015"), "-0.0000000002");
	CHECK_STR(p10("1.23456789014999999"), "1.2345678901");
	CHECK_STR(p10("1.2345678901500000000000000000"), "1.2345678902");
}

TEST(parse_rejects)
{
	const char *bad[] = { "", "-", "+", ".", "1.2.3", "12,5", " 1", "1 ", "NaN", "inf",
		"1e", "1e+", "e5", "0x10", "1..2", "--1", "1-" };
	size_t i;
	rb_i128 v;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec_parse(&v, bad[i], strlen(bad[i]), DEC_SCALE);
		if (rc != DEC_EBAD)
			printf("  accepted '%s'\n", bad[i]);
		CHECK(rc == DEC_EBAD);
	}
	CHECK(dec_parse(&v, "1e1000", 6, DEC_SCALE) == DEC_ERANGE);
	CHECK(dec_parse(&v, "100000000000000000000000000000", 30, DEC_SCALE) == DEC_ERANGE);
}

TEST(parse_len_not_nul)
{
	rb_i128 v;
	CHECK(dec_parse(&v, "12.5,99", 4, DEC_SCALE) == DEC_OK);
	CHECK_STR(fmt(v, DEC_SCALE, 2), "12.50");
}

TEST(parse_strict)
{
	rb_i128 v;
	CHECK(dec_parse_strict(&v, "0.9231", 6, 6, 6) == DEC_OK);
	CHECK_STR(fmt(v, 6, 6), "0.923100");
	CHECK(dec_parse_strict(&v, "0.1234567", 9, 6, 6) == DEC_EPRECISION);
	CHECK(dec_parse_strict(&v, "1.50", 4, 6, 1) == DEC_OK);  /* trailing zeros are not digits */
	CHECK(dec_parse_strict(&v, "1.25", 4, 6, 1) == DEC_EPRECISION);
	CHECK(dec_parse_strict(&v, "1E2", 3, 6, 6) == DEC_EBAD);
}

TEST(format_rounding)
{
	CHECK_STR(fmt(12345, 4, 2), "1.23");
	CHECK_STR(fmt(12350, 4, 2), "1.24");
	CHECK_STR(fmt(-12350, 4, 2), "-1.24");
	CHECK_STR(fmt(-49, 4, 2), "0.00");     /* never -0 */
	CHECK_STR(fmt(-50, 4, 2), "-0.01");
	CHECK_STR(fmt(5, 1, 0), "1");
	CHECK_STR(fmt(-5, 1, 0), "-1");
	CHECK_STR(fmt(7, 0, 3), "7.000");
	CHECK_STR(fmt(0, 10, 10), "0.0000000000");
}

TEST(format_min)
{
	char buf[DEC_BUFSZ];
	dec_format_min(buf, sizeof(buf), 1500000, 6);
	CHECK_STR(buf, "1.5");
	dec_format_min(buf, sizeof(buf), 12000000, 6);
	CHECK_STR(buf, "12");
	dec_format_min(buf, sizeof(buf), -1, 6);
	CHECK_STR(buf, "-0.000001");
	dec_format_min(buf, sizeof(buf), 0, 6);
	CHECK_STR(buf, "0");
}

TEST(rescale)
{
	rb_i128 v;
	CHECK(dec_rescale(&v, 12345, 4, 2) == DEC_OK);
	CHECK_INT(v, 123);
	CHECK(dec_rescale(&v, 15, 1, 0) == DEC_OK);
	CHECK_INT(v, 2);
	CHECK(dec_rescale(&v, -15, 1, 0) == DEC_OK);
	CHECK_INT(v, -2);
	CHECK(dec_rescale(&v, 7, 0, 18) == DEC_OK);
	CHECK_STR(fmt(v, 18, 2), "7.00");
	CHECK(dec_rescale(&v, dec_pow10(30), 0, 10) == DEC_ERANGE);
}

TEST(extremes)
{
	rb_i128 max = (rb_i128)(((rb_u128)1 << 127) - 1), v;
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), max, 0, 0);
	CHECK_STR(buf, "170141183460469231731687303715884105727");
	dec_format(buf, sizeof(buf), -max - 1, 10, 10);
	CHECK_STR(buf, "-17014118346046923173168730371.5884105728");
	CHECK(dec_add(&v, max, 1) == DEC_ERANGE);
	CHECK(dec_mul(&v, max, 2) == DEC_ERANGE);
	CHECK(dec_sub(&v, -max - 1, 1) == DEC_ERANGE);
	/* either side of 64 bits (formatting switches to 64-bit division there) */
	dec_format(buf, sizeof(buf), (rb_i128)UINT64_MAX, 10, 10);
	CHECK_STR(buf, "1844674407.3709551615");
	dec_format(buf, sizeof(buf), (rb_i128)UINT64_MAX + 1, 10, 10);
	CHECK_STR(buf, "1844674407.3709551616");
	dec_format(buf, sizeof(buf), -(rb_i128)UINT64_MAX - 10, 0, 0);
	CHECK_STR(buf, "-18446744073709551625");
	dec_format(buf, sizeof(buf), (rb_i128)UINT64_MAX * 10 + 7, 1, 1);
	CHECK_STR(buf, "18446744073709551615.7");
}

TEST(sums_are_exact)
{
	/* 0.1 added ten million times is exactly 1000000 */
	rb_i128 s = 0, tenth;
	int i;
	CHECK(dec_parse(&tenth, "0.1", 3, DEC_SCALE) == DEC_OK);
	for (i = 0; i < 10000000; i++)
		s += tenth;
	CHECK_STR(fmt(s, DEC_SCALE, 2), "1000000.00");
}

static const struct check_case cases[] = {
	CASE(parse_plain), CASE(parse_exponent), CASE(parse_rounds_half_away),
	CASE(parse_rejects), CASE(parse_len_not_nul), CASE(parse_strict),
	CASE(format_rounding), CASE(format_min), CASE(rescale), CASE(extremes),
	CASE(sums_are_exact),
};
CHECK_MAIN(cases)
