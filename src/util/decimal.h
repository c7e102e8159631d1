/*
 * decimal.h: exact fixed-point decimals for every amount in rebill.
 *
 * A value is a signed 128-bit integer plus a scale the caller keeps: the
 * number v at scale s means v / 10^s. CUR amounts are stored at DEC_SCALE
 * (10 fractional digits, spec §1); configured factors have at most
 * DEC_FACTOR_DIGITS. Products carry all their digits: a product of a scale-a
 * and a scale-b value has scale a+b. The only roundings are the explicit ones
 * (dec_rescale to fewer digits), always half away from zero.
 *
 * Not for: binary floating point, which never touches money in rebill.
 */
#ifndef RB_DECIMAL_H
#define RB_DECIMAL_H

#include <stddef.h>

__extension__ typedef __int128 rb_i128;
__extension__ typedef unsigned __int128 rb_u128;

#define DEC_SCALE 10         /* stored CUR amounts, spec §1 */
#define DEC_FACTOR_DIGITS 6  /* configured factors, spec §1 */
#define DEC_MAX_SCALE 38
#define DEC_BUFSZ 48         /* enough for any rb_i128 at any scale, sign, dot, NUL */

enum dec_status {
	DEC_OK = 0,
	DEC_EBAD = -1,        /* not a decimal number */
	DEC_ERANGE = -2,      /* does not fit in 128 bits at the scale */
	DEC_EPRECISION = -3,  /* (strict parse) more fractional digits than allowed */
};

/* Parses the len bytes at s (no NUL needed) as a decimal number: optional
 * sign, digits with an optional '.', optional exponent (e.g. "1.2E-7").
 * Stores the value at `scale`, rounding half away from zero when the input
 * has more digits. The empty string, spaces, "NaN" and the like are DEC_EBAD.
 * *out is written only on success. */
int dec_parse(rb_i128 *out, const char *s, size_t len, int scale);

/* As dec_parse, for configuration values: no exponent, and at most maxfrac
 * fractional digits (more is DEC_EPRECISION: never rounded silently). */
int dec_parse_strict(rb_i128 *out, const char *s, size_t len, int scale,
	int maxfrac);

/* Writes v (at scale) with exactly `digits` fractional digits into buf (cap
 * >= DEC_BUFSZ), rounding half away from zero when digits < scale and padding
 * with zeros when digits > scale. Never "-0". Returns the length written. */
size_t dec_format(char *buf, size_t cap, rb_i128 v, int scale, int digits);

/* Writes v (at scale) with as few fractional digits as needed (at least
 * none): "1.5", "12", "-0.0000001". For configuration export. */
size_t dec_format_min(char *buf, size_t cap, rb_i128 v, int scale);

/* Converts v from scale `from` to scale `to`. Fewer digits round half away
 * from zero; more digits multiply, and DEC_ERANGE is returned on overflow. */
int dec_rescale(rb_i128 *out, rb_i128 v, int from, int to);

/* Overflow-checked arithmetic: 0 or DEC_ERANGE (then *out is unspecified). */
int dec_add(rb_i128 *out, rb_i128 a, rb_i128 b);
int dec_sub(rb_i128 *out, rb_i128 a, rb_i128 b);
int dec_mul(rb_i128 *out, rb_i128 a, rb_i128 b);

/* 10^n for 0 <= n <= DEC_MAX_SCALE. */
rb_i128 dec_pow10(int n);

#endif
