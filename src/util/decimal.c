/*
 * decimal.c: parsing, formatting and rounding of fixed-point decimals (see
 * decimal.h). Works on digits and 128-bit integers only.
 */
#include "util/decimal.h"

#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define I128_MAX ((rb_i128)(((rb_u128)1 << 127) - 1))

rb_i128 dec_pow10(int n)
{
	rb_i128 p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

/* Divides v by 10^n (n >= 1), rounding half away from zero. */
static rb_i128 div_round(rb_i128 v, int n)
{
	rb_i128 p, q, r;
	rb_u128 ar;

	if (n > DEC_MAX_SCALE)
		return 0; /* |v| < 1.7e38 < 0.5 * 10^39 */
	p = dec_pow10(n);
	q = v / p;
	r = v % p;
	ar = (rb_u128)(r < 0 ? -r : r);
	if (ar * 2 >= (rb_u128)p)
		q += v < 0 ? -1 : 1;
	return q;
}

int dec_rescale(rb_i128 *out, rb_i128 v, int from, int to)
{
	if (to == from) {
		*out = v;
		return DEC_OK;
	}
	if (to < from) {
		*out = div_round(v, from - to);
		return DEC_OK;
	}
	if (to - from > DEC_MAX_SCALE)
		return v ? DEC_ERANGE : (*out = 0, DEC_OK);
	if (__builtin_mul_overflow(v, dec_pow10(to - from), out))
		return DEC_ERANGE;
	return DEC_OK;
}

int dec_add(rb_i128 *out, rb_i128 a, rb_i128 b)
{
	return __builtin_add_overflow(a, b, out) ? DEC_ERANGE : DEC_OK;
}

int dec_sub(rb_i128 *out, rb_i128 a, rb_i128 b)
{
	return __builtin_sub_overflow(a, b, out) ? DEC_ERANGE : DEC_OK;
}

int dec_mul(rb_i128 *out, rb_i128 a, rb_i128 b)
{
	return __builtin_mul_overflow(a, b, out) ? DEC_ERANGE : DEC_OK;
}

static int parse(rb_i128 *out, const char *s, size_t len, int scale,
	int strict, int maxfrac)
{
	const char *p = s, *end = s + len;
	const char *int_start, *int_end, *frac_start = NULL, *frac_end = NULL;
	const char *d;
	int neg = 0, nfrac, shift;
	long exp = 0;
	int ndig = 0;
	rb_i128 mant = 0, v;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	int_start = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	int_end = p;
	if (p < end && *p == '.') {
		frac_start = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		frac_end = p;
	}
	if (int_end == int_start && (!frac_start || frac_end == frac_start))
		return DEC_EBAD; /* no digit at all */
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		const char *e0;
		if (strict)
			return DEC_EBAD;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		e0 = p;
		while (p < end && *p >= '0' && *p <= '9') {
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
			p++;
		}
		if (p == e0)
			return DEC_EBAD;
		if (eneg)
			exp = -exp;
	}
	if (p != end)
		return DEC_EBAD;

	/* Trailing zeros of the fraction change nothing: drop them so that
	 * "1.50000000000000" never looks more precise than it is. */
	if (frac_start)
		while (frac_end > frac_start && frac_end[-1] == '0')
			frac_end--;
	nfrac = frac_start ? (int)(frac_end - frac_start) : 0;
	if (strict && nfrac > maxfrac)
		return DEC_EPRECISION;

	/* mantissa = all digits, leading zeros skipped */
	for (d = int_start; d < int_end; d++) {
		if (!ndig && *d == '0')
			continue;
		if (++ndig > DEC_MAX_SCALE)
			return DEC_ERANGE;
		mant = mant * 10 + (*d - '0');
	}
	for (d = frac_start; d && d < frac_end; d++) {
		if (!ndig && *d == '0')
			continue;
		if (++ndig > DEC_MAX_SCALE)
			return DEC_ERANGE;
		mant = mant * 10 + (*d - '0');
	}
	if (mant == 0) {
		*out = 0;
		return DEC_OK;
	}
	/* value = mant * 10^(exp - nfrac); scaled = mant * 10^(exp - nfrac + scale) */
	if (exp - nfrac + scale > 2 * DEC_MAX_SCALE)
		return DEC_ERANGE;
	if (exp - nfrac + scale < -2 * DEC_MAX_SCALE) {
		*out = 0;
		return DEC_OK;
	}
	shift = (int)(exp - nfrac + scale);
	if (neg)
		mant = -mant;
	if (shift >= 0) {
		if (shift > DEC_MAX_SCALE || __builtin_mul_overflow(mant, dec_pow10(shift), &v))
			return DEC_ERANGE;
	} else {
		v = div_round(mant, -shift);
	}
	*out = v;
	return DEC_OK;
}

int dec_parse(rb_i128 *out, const char *s, size_t len, int scale)
{
	return parse(out, s, len, scale, 0, 0);
}

int dec_parse_strict(rb_i128 *out, const char *s, size_t len, int scale,
	int maxfrac)
{
	return parse(out, s, len, scale, 1, maxfrac);
}

/* Writes the digits of u (no sign) into buf, returns the count. */
static size_t utoa128(char *buf, rb_u128 u)
{
	char tmp[48];
	size_t n = 0, i;
	uint64_t w;

	/* a 128-bit division is a library call per digit; amounts nearly always
	 * fit 64 bits, where dividing by 10 is a multiplication */
	while (u > UINT64_MAX) {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	}
	w = (uint64_t)u;
	do {
		tmp[n++] = (char)('0' + (int)(w % 10));
		w /= 10;
	} while (w);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t dec_format(char *buf, size_t cap, rb_i128 v, int scale, int digits)
{
	char dig[48];
	size_t n, pos = 0, i;
	rb_u128 u;
	rb_i128 r;

	if (digits < scale) {
		r = div_round(v, scale - digits);
	} else {
		r = v;
	}
	u = r < 0 ? (rb_u128)0 - (rb_u128)r : (rb_u128)r;
	n = utoa128(dig, u);
	{
		int have = digits < scale ? digits : scale; /* fractional digits in dig */
		size_t intlen = n > (size_t)have ? n - (size_t)have : 0;
		size_t need = 1 + (intlen ? intlen : 1) + (digits > 0 ? 1 + (size_t)digits : 0) + 1;
		if (cap < need) {
			if (cap)
				buf[0] = '\0';
			return 0;
		}
		if (r < 0)
			buf[pos++] = '-';
		if (intlen == 0)
			buf[pos++] = '0';
		for (i = 0; i < intlen; i++)
			buf[pos++] = dig[i];
		if (digits > 0) {
			buf[pos++] = '.';
			for (i = 0; i < (size_t)have; i++) {
				/* the fraction is the last `have` digits, zero-padded on the left */
				size_t from_end = (size_t)have - i;
				buf[pos++] = from_end <= n ? dig[n - from_end] : '0';
			}
			for (i = (size_t)have; i < (size_t)digits; i++)
				buf[pos++] = '0';
		}
	}
	buf[pos] = '\0';
	return pos;
}

size_t dec_format_min(char *buf, size_t cap, rb_i128 v, int scale)
{
	int digits = scale;
	while (digits > 0 && v % dec_pow10(scale - digits + 1) == 0)
		digits--;
	return dec_format(buf, cap, v, scale, digits);
}
