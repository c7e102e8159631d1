/*
 * check.h: the unit-test harness. A test file defines TEST(name) functions
 * and lists them in a table; main runs them all, printing one line per case
 * ("ok - name" / "FAIL - name: file:line: what") and the closing summary
 * "N passed, N failed". The exit status is 0 only when nothing failed.
 *
 *   TEST(parse_plain) { CHECK(1 + 1 == 2); CHECK_STR(got, "1.50"); }
 *   static const struct check_case cases[] = { CASE(parse_plain), ... };
 *   CHECK_MAIN(cases)
 */
#ifndef RB_CHECK_H
#define RB_CHECK_H

#include <stdio.h>
#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

extern int check_failed_;   /* failures in the current case */

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

#define CHECK_MAIN(cases) \
	int check_failed_; \
	int check_run_(const struct check_case *c, size_t n, int argc, char **argv) \
	{ \
		size_t i, pass = 0, fail = 0; \
		for (i = 0; i < n; i++) { \
			if (argc > 1 && strcmp(argv[1], c[i].name)) \
				continue; \
			check_failed_ = 0; \
			c[i].fn(); \
			if (check_failed_) { \
				printf("FAIL - %s\n", c[i].name); \
				fail++; \
			} else { \
				printf("ok - %s\n", c[i].name); \
				pass++; \
			} \
		} \
		printf("%zu passed, %zu failed\n", pass, fail); \
		return fail ? 1 : 0; \
	} \
	int main(int argc, char **argv) \
	{ \
		return check_run_(cases, sizeof(cases) / sizeof(cases[0]), argc, argv); \
	}

#endif
