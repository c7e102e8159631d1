/* test_period.c: billing periods and days. */
#include "../check.h"

#include "util/period.h"

TEST(parse_and_format)
{
	int p, q;
	char buf[PERIOD_BUFSZ];
	CHECK(period_parse(&p, "2026-10", 7) == 0);
	period_format(buf, p);
	CHECK_STR(buf, "2026-10");
	CHECK(period_parse(&q, "2026-11", 7) == 0);
	CHECK_INT(q - p, 1);
	CHECK(period_parse(&q, "2027-01", 7) == 0);
	CHECK_INT(q - p, 3);
	CHECK(period_from_date(&q, "2026-10-01T00:00:00.000Z", 24) == 0);
	CHECK_INT(q, p);
}

TEST(rejects)
{
	int p;
	CHECK(period_parse(&p, "2026-13", 7) < 0);
	CHECK(period_parse(&p, "2026-00", 7) < 0);
	CHECK(period_parse(&p, "2026-1", 6) < 0);
	CHECK(period_parse(&p, "26-10-1", 7) < 0);
	CHECK(period_parse(&p, "2026/10", 7) < 0);
	CHECK(period_from_date(&p, "2026-10X", 8) < 0);
}

TEST(days)
{
	CHECK(day_check("2026-02-28", 10) == 0);
	CHECK(day_check("2026-02-29", 10) < 0);
	CHECK(day_check("2028-02-29", 10) == 0);
	CHECK(day_check("2100-02-29", 10) < 0);
	CHECK(day_check("2026-04-31", 10) < 0);
	CHECK(day_check("2026-10-01T00:00:00Z", 20) == 0);
	CHECK(day_check("2026-10-0", 9) < 0);
}

static const struct check_case cases[] = { CASE(parse_and_format), CASE(rejects), CASE(days) };
CHECK_MAIN(cases)
