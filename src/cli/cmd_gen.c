/*
 * cmd_gen.c: `rebill gen` — parses the options and calls the generator
 * (tools/gen/gen.h). Writes files only; never touches the database.
 */
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util/period.h"

#include "util/banned.h"

/* A whole number in [lo, hi] from s, or RB_EUSAGE naming the option. */
static int parse_num(long long *out, const char *opt, const char *s, long long lo, long long hi,
	struct rb_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return rb_err_set(err, RB_EUSAGE, "%s needs a whole number %lld..%lld, not '%s'",
			opt, lo, hi, s);
	*out = v;
	return 0;
}

int cmd_gen(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct gen_opts o;
	struct gen_result res;
	const char *dir = NULL;
	char per[PERIOD_BUFSZ];
	long long v = 0;
	int i, rc = 0;

	gen_opts_init(&o);
	for (i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i], *val = NULL;
		int takes = !strcmp(a, "--payers") || !strcmp(a, "--accounts") || !strcmp(a, "--rows") ||
			!strcmp(a, "--period") || !strcmp(a, "--format") || !strcmp(a, "--parts") ||
			!strcmp(a, "--seed");
		if (takes) {
			if (i + 1 >= argc)
				return rb_err_set(err, RB_EUSAGE, "%s needs a value; see 'rebill help gen'", a);
			val = argv[++i];
		}
		if (!strcmp(a, "--payers")) {
			if ((rc = parse_num(&v, a, val, 1, GEN_MAX_PAYERS, err)) == 0)
				o.payers = (int)v;
		} else if (!strcmp(a, "--accounts")) {
			if ((rc = parse_num(&v, a, val, 1, GEN_MAX_ACCOUNTS, err)) == 0)
				o.accounts = (int)v;
		} else if (!strcmp(a, "--rows")) {
			if ((rc = parse_num(&v, a, val, 1, GEN_MAX_ROWS, err)) == 0)
				o.rows = (long)v;
		} else if (!strcmp(a, "--parts")) {
			if ((rc = parse_num(&v, a, val, 1, GEN_MAX_PARTS, err)) == 0)
				o.parts = (int)v;
		} else if (!strcmp(a, "--seed")) {
			if ((rc = parse_num(&v, a, val, 0, INT64_MAX, err)) == 0)
				o.seed = (uint64_t)v;
		} else if (!strcmp(a, "--period")) {
			if (period_parse(&o.period, val, strlen(val)) != 0)
				rc = rb_err_set(err, RB_EUSAGE, "--period needs YYYY-MM, not '%s'", val);
		} else if (!strcmp(a, "--format")) {
			if (gen_format_parse(&o.format, val) != 0)
				rc = rb_err_set(err, RB_EUSAGE, "--format must be legacy or cur2, not '%s'", val);
		} else if (!strcmp(a, "--gzip")) {
			o.gzip = 1;
		} else if (!strcmp(a, "--restate")) {
			o.restate = 1;
		} else if (a[0] == '-' && a[1]) {
			rc = rb_err_set(err, RB_EUSAGE, "gen: unknown option '%s'; see 'rebill help gen'", a);
		} else if (dir) {
			rc = rb_err_set(err, RB_EUSAGE, "gen: one output directory only, got '%s' and '%s'",
				dir, a);
		} else {
			dir = a;
		}
	}
	if (rc < 0)
		return rc;
	if (!dir)
		return rb_err_set(err, RB_EUSAGE, "gen needs an output directory; see 'rebill help gen'");
	rc = gen_write(&res, &o, dir, NULL, NULL, err);
	if (rc < 0)
		return rc;
	if (!ctx->quiet) {
		period_format(per, o.period);
		printf("wrote %" PRIu64 " rows for %d payer%s x %d account%s, %s %s%s, %d part%s per payer,"
			" %zu files in %s\n", res.rows, o.payers, o.payers == 1 ? "" : "s", o.accounts,
			o.accounts == 1 ? "" : "s", per, o.format == GEN_LEGACY ? "legacy" : "cur2",
			o.restate ? " restated" : "", o.parts, o.parts == 1 ? "" : "s", res.files, dir);
	}
	return 0;
}
