/* reader_check.h: helpers shared by the reader tests (test_reader.c,
 * test_focus.c): borrowed strings compared and printed, amounts as text. */
#ifndef RB_TEST_READER_CHECK_H
#define RB_TEST_READER_CHECK_H

#include "../check.h"

#include "ingest/ingest.h"

/* The one-line text of an error, as rebill prints it. */
static inline void err_text(char *out, size_t cap, const struct rb_err *err)
{
	FILE *f = fmemopen(out, cap, "w");
	rb_err_print(err, f);
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static inline int str_is(struct rb_str s, const char *want)
{
	return s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

#define CHECK_RBSTR(s, want) do { \
	if (!str_is((s), (want))) { \
		printf("  %s:%d: got '%.*s', want '%s'\n", __FILE__, __LINE__, (int)(s).n, (s).p, want); \
		check_failed_++; \
	} \
} while (0)

/* An amount at DEC_SCALE in its shortest form; 8 calls' results live at once. */
static inline const char *amt(rb_i128 v)
{
	static char buf[8][DEC_BUFSZ];
	static int k;
	k = (k + 1) % 8;
	dec_format_min(buf[k], DEC_BUFSZ, v, DEC_SCALE);
	return buf[k];
}

#endif
