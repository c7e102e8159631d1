/*
 * number.c: dates (civil calendar, UTC) and document numbers from the
 * issuer's pattern ({YYYY}, {SEQ}, {SEQ:N}). Pure.
 */
#include "invoice/invoice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/period.h"
#include "util/banned.h"

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	long era, yy;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int parse(const char *s, long *days)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || day_check(s, 10) < 0)
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static void format(char out[11], long days)
{
	int y, m, d;
	char buf[32];
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	memcpy(out, buf, 10);
	out[10] = 0;
}

void invoice_today(char out[11])
{
	const char *fixed = getenv("REBILL_TODAY");
	long z;
	if (fixed && parse(fixed, &z) == 0) {
		format(out, z);
		return;
	}
	format(out, (long)(time(NULL) / 86400));
}

int invoice_date_add(char out[11], const char *date, int days)
{
	long z;
	if (parse(date, &z) < 0)
		return -1;
	format(out, z + days);
	return 0;
}

long invoice_date_diff(const char *a, const char *b)
{
	long za = 0, zb = 0;
	parse(a, &za);
	parse(b, &zb);
	return zb - za;
}

int invoice_number_format(char *out, size_t cap, const char *p, int year, long seq)
{
	size_t len = 0;
	char piece[32];

	while (*p) {
		const char *add = piece;
		size_t n;
		if (!strncmp(p, "{YYYY}", 6)) {
			snprintf(piece, sizeof(piece), "%04d", year);
			p += 6;
		} else if (!strncmp(p, "{SEQ}", 5)) {
			snprintf(piece, sizeof(piece), "%ld", seq);
			p += 5;
		} else if (!strncmp(p, "{SEQ:", 5) && p[5] >= '1' && p[5] <= '9' && p[6] == '}') {
			snprintf(piece, sizeof(piece), "%0*ld", p[5] - '0', seq);
			p += 7;
		} else {
			piece[0] = *p++;
			piece[1] = 0;
		}
		n = strlen(add);
		if (len + n + 1 > cap)
			return -1;
		memcpy(out + len, add, n);
		len += n;
	}
	out[len] = 0;
	return 0;
}
