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

enum { O_PAYERS, O_ACCOUNTS, O_ROWS, O_PERIOD, O_FORMAT, O_PARTS, O_SEED, O_GZIP, O_RESTATE };
static const struct cli_option gen_options[] = {
	[O_PAYERS] = { "--payers", 1, NULL }, [O_ACCOUNTS] = { "--accounts", 1, NULL },
	[O_ROWS] = { "--rows", 1, NULL }, [O_PERIOD] = { "--period", 1, NULL },
	[O_FORMAT] = { "--format", 1, NULL }, [O_PARTS] = { "--parts", 1, NULL },
	[O_SEED] = { "--seed", 1, NULL }, [O_GZIP] = { "--gzip", 0, NULL },
	[O_RESTATE] = { "--restate", 0, NULL }, { NULL, 0, NULL },
};

int cmd_gen(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct { int opt; long long lo, hi; } nums[] = {
		{ O_PAYERS, 1, GEN_MAX_PAYERS }, { O_ACCOUNTS, 1, GEN_MAX_ACCOUNTS },
		{ O_ROWS, 1, GEN_MAX_ROWS }, { O_PARTS, 1, GEN_MAX_PARTS }, { O_SEED, 0, INT64_MAX },
	};
	struct gen_opts o;
	struct gen_result res;
	struct cli_args a;
	const char *dir, *val;
	char per[PERIOD_BUFSZ];
	long long v[sizeof(nums) / sizeof(nums[0])];
	size_t k;
	int rc = 0;

	gen_opts_init(&o);
	if ((rc = cli_parse(&a, "gen", gen_options, argc, argv, err)) < 0)
		return rc;
	for (k = 0; k < sizeof(nums) / sizeof(nums[0]) && rc == 0; k++)
		if ((val = a.opt[nums[k].opt]))
			rc = parse_num(&v[k], gen_options[nums[k].opt].name, val, nums[k].lo, nums[k].hi, err);
	if (rc == 0) {
		if (a.opt[O_PAYERS])
			o.payers = (int)v[0];
		if (a.opt[O_ACCOUNTS])
			o.accounts = (int)v[1];
		if (a.opt[O_ROWS])
			o.rows = (long)v[2];
		if (a.opt[O_PARTS])
			o.parts = (int)v[3];
		if (a.opt[O_SEED])
			o.seed = (uint64_t)v[4];
		o.gzip = a.opt[O_GZIP] != NULL;
		o.restate = a.opt[O_RESTATE] != NULL;
	}
	if (rc == 0 && (val = a.opt[O_PERIOD]) && period_parse(&o.period, val, strlen(val)) != 0)
		rc = rb_err_set(err, RB_EUSAGE, "--period needs YYYY-MM, not '%s'", val);
	if (rc == 0 && (val = a.opt[O_FORMAT]) && gen_format_parse(&o.format, val) != 0)
		rc = rb_err_set(err, RB_EUSAGE, "--format must be legacy or cur2, not '%s'", val);
	if (rc == 0 && a.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "gen: one output directory only, got '%s' and '%s'",
			a.pos[0], a.pos[1]);
	if (rc == 0 && a.npos == 0)
		rc = rb_err_set(err, RB_EUSAGE, "gen needs an output directory; see 'rebill help gen'");
	dir = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
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
