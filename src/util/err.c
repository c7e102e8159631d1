/*
 * err.c: the rb_err helpers. Formatting only; no policy about what is an
 * error lives here.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/textout.h"
#include "util/banned.h"

void rb_err_clear(struct rb_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

/* format(printf, 2, 0): lets clang's -Wformat-nonliteral check callers */
static void set_msg(struct rb_err *err, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void set_msg(struct rb_err *err, const char *fmt, va_list ap)
{
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		snprintf(err->msg, sizeof(err->msg), "error");
}

int rb_err_set(struct rb_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->file[0] = '\0';
	err->line = 0;
	err->column = 0;
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	return code;
}

int rb_err_at(struct rb_err *err, int code, const char *file, long line,
	long column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	return code;
}

void rb_err_print(const struct rb_err *err, FILE *f)
{
	char *file = textout_term(err->file, 0), *msg;

	/* messages quote input (cells, names): controls in it are shown
	 * escaped, never sent to the terminal */
	msg = textout_term(err->msg[0] ? err->msg : "unknown error", 1);
	if (err->file[0]) {
		fputs(file, f);
		if (err->line > 0) {
			fprintf(f, ":%ld", err->line);
			if (err->column > 0)
				fprintf(f, ":%ld", err->column);
		}
		fputs(": ", f);
	}
	fprintf(f, "%s\n", msg);
	free(file);
	free(msg);
}

int rb_err_exit_status(int code)
{
	switch (code) {
	case RB_OK: return 0;
	case RB_EUSAGE: return 1;
	case RB_EINPUT: return 2;
	case RB_EBALANCE: return 4;
	default: return 3;
	}
}
