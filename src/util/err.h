/*
 * err.h: how failures travel in rebill.
 *
 * Every fallible function returns int: 0 on success, one of the negative
 * RB_E* codes on failure, and fills an explicit struct rb_err (never a global:
 * the HTTP server is multi-threaded). When input is at fault the error names
 * the file, line and column; line/column 0 mean "not known".
 *
 * Not for: out of memory, which aborts (see xalloc.h).
 */
#ifndef RB_ERR_H
#define RB_ERR_H

#include <stdio.h>

enum rb_code {
	RB_OK = 0,
	RB_EUSAGE = -1,   /* the command line is wrong: exit 1 */
	RB_EINPUT = -2,   /* bad input file or document: exit 2 */
	RB_EIO = -3,      /* I/O or database failure: exit 3 */
	RB_EBALANCE = -4, /* an internal invariant (reconciliation) failed: exit 4 */
};

struct rb_err {
	int code;
	long line;        /* 1-based, 0 when not known */
	long column;      /* 1-based, 0 when not known */
	char file[512];   /* "" when not about a file */
	char msg[1024];
};

/* Resets err to "no error". */
void rb_err_clear(struct rb_err *err);

/* Sets code and message (printf-style); returns code so callers can
 * `return rb_err_set(err, RB_EIO, "...")`. err may be NULL. */
int rb_err_set(struct rb_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As rb_err_set, naming the place in an input file. */
int rb_err_at(struct rb_err *err, int code, const char *file, long line,
	long column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Writes "file:line:column: message\n" (parts that are not known are left
 * out) to f. */
void rb_err_print(const struct rb_err *err, FILE *f);

/* The process exit status for an error code: 0, 1, 2, 3 or 4. */
int rb_err_exit_status(int code);

#endif
