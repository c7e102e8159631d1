/* period.c: see period.h. */
#include "util/period.h"

#include <stdio.h>

#include "util/banned.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int period_parse(int *out, const char *s, size_t len)
{
	int y, m;
	if (len != 7 || s[4] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m))
		return -1;
	if (y < 1970 || m < 1 || m > 12)
		return -1;
	*out = y * 12 + (m - 1);
	return 0;
}

int period_from_date(int *out, const char *s, size_t len)
{
	if (len < 7 || (len > 7 && s[7] != '-'))
		return -1;
	return period_parse(out, s, 7);
}

void period_format(char *buf, int period)
{
	unsigned p = period < 0 ? 0u : (unsigned)period;
	snprintf(buf, PERIOD_BUFSZ, "%04u-%02u", p / 12 % 10000, p % 12 + 1);
}

int day_check(const char *s, size_t len)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int p, d, y;
	if (len < 10 || s[7] != '-' || period_from_date(&p, s, 7) || digits(s + 8, 2, &d))
		return -1;
	y = p / 12;
	if (d < 1 || d > mdays[p % 12])
		return -1;
	if (p % 12 == 1 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	return 0;
}
