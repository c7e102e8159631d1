/*
 * check.h: the unit-test harness. A test file defines TEST(name) functions
 * and lists them in a table; main runs them all, printing one line per case
 * ("ok - name" / "FAIL - name: file:line: what" / "skip - name") and the
 * closing summary "N passed, N failed, N skipped". The exit status is 0 only
 * when nothing failed.
 *
 * A case whose data or tool is missing calls CHECK_SKIP("why", ...) and
 * returns: it counts as skipped, never as passed — and under CI=true (the
 * environment variable) as FAILED, so a CI run cannot go green without
 * the data it is meant to test.
 *
 *   TEST(parse_plain) { CHECK(1 + 1 == 2); CHECK_STR(got, "1.50"); }
 *   static const struct check_case cases[] = { CASE(parse_plain), ... };
 *   CHECK_MAIN(cases)
 */
#ifndef RB_CHECK_H
#define RB_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

extern int check_failed_;   /* failures in the current case */
extern int check_skipped_;  /* the current case skipped itself */

/* Skips the rest of the current case (a printf format saying why). */
#define CHECK_SKIP(...) do { \
	printf("  skip: "); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	check_skipped_ = 1; \
	return; \
} while (0)

#define TEST(name) static void test_##name(void)
#define CASE(name) { #name, test_##name }

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		check_failed_++; \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!g_ || strcmp(g_, w_)) { \
		printf("  %s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_); \
		check_failed_++; \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) { \
		printf("  %s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
		check_failed_++; \
	} \
} while (0)

int check_run_(const struct check_case *cases, size_t n, int argc, char **argv);

int check_ci_(void);

#define CHECK_MAIN(cases) \
	int check_failed_, check_skipped_; \
	int check_ci_(void) \
	{ \
		const char *ci = getenv("CI"); \
		return ci && !strcmp(ci, "true"); \
	} \
	int check_run_(const struct check_case *c, size_t n, int argc, char **argv) \
	{ \
		size_t i, pass = 0, fail = 0, skip = 0; \
		for (i = 0; i < n; i++) { \
			if (argc > 1 && strcmp(argv[1], c[i].name)) \
				continue; \
			check_failed_ = 0; \
			check_skipped_ = 0; \
			c[i].fn(); \
			if (check_failed_) { \
				printf("FAIL - %s\n", c[i].name); \
				fail++; \
			} else if (check_skipped_ && check_ci_()) { \
				printf("FAIL - %s: skipped, and CI=true needs it to run\n", c[i].name); \
				fail++; \
			} else if (check_skipped_) { \
				printf("skip - %s\n", c[i].name); \
				skip++; \
			} else { \
				printf("ok - %s\n", c[i].name); \
				pass++; \
			} \
		} \
		printf("%zu passed, %zu failed, %zu skipped\n", pass, fail, skip); \
		return fail ? 1 : 0; \
	} \
	int main(int argc, char **argv) \
	{ \
		return check_run_(cases, sizeof(cases) / sizeof(cases[0]), argc, argv); \
	}

#endif
