/*
 * period.h: billing periods ("YYYY-MM") and usage days ("YYYY-MM-DD").
 *
 * A period is held as the integer YYYY*12 + (MM-1), so that consecutive
 * months are consecutive integers and comparisons are plain integer ones.
 */
#ifndef RB_PERIOD_H
#define RB_PERIOD_H

#include <stddef.h>

#define PERIOD_BUFSZ 8  /* "YYYY-MM" + NUL */

/* Parses exactly "YYYY-MM" (len bytes, 1970 <= YYYY <= 9999, 01..12).
 * Returns 0 and sets *out, or -1. */
int period_parse(int *out, const char *s, size_t len);
/* Parses the period out of an ISO timestamp or date starting "YYYY-MM"
 * (e.g. "2026-10-01T00:00:00.000Z"): the first 7 bytes must be a period and
 * the 8th, if present, '-'. Returns 0 or -1. */
int period_from_date(int *out, const char *s, size_t len);
/* Writes "YYYY-MM" into buf (>= PERIOD_BUFSZ). */
void period_format(char *buf, int period);

/* Validates "YYYY-MM-DD" at the start of s (a real calendar day) and
 * returns 0, or -1. */
int day_check(const char *s, size_t len);

#endif
