/*
 * cmd_tags.c: `rebill tags --period YYYY-MM [--format table|csv|json]` —
 * the cost-allocation tag keys present in a period's CUR data, with how
 * many distinct values each has and the rows and cost that carry it: what
 * a finance user looks at before `summary --by tag:KEY`, `report margin
 * --by tag:KEY` or splitting an account by a tag.
 *
 * Amounts as in `summary`: tables show cents, csv and json all 10
 * fractional digits (report_tags_json).
 *
 * Not for: computing money (src/report, src/store).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "util/period.h"
#include "util/banned.h"

int cmd_tags(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_PERIOD, O_FORMAT };
	static const struct cli_option opts[] = {
		[O_PERIOD] = { "--period", 1, NULL }, [O_FORMAT] = { "--format", 1, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const heads[] = { "tag key", "values", "rows", "unblended",
		"ondemand", "effective" };
	static const int right[] = { 0, 1, 1, 1, 1, 1 };
	enum out_format fmt = OUT_TABLE;
	const char *period_arg;
	struct report_tags *t = NULL;
	struct cli_args a;
	int period = -1, rc = 0, digits;
	size_t i;

	if ((rc = cli_parse(&a, "tags", opts, argc, argv, err)) < 0)
		return rc;
	period_arg = a.opt[O_PERIOD];
	if (a.opt[O_FORMAT])
		rc = out_format_parse(&fmt, a.opt[O_FORMAT], err);
	if (rc == 0 && a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "tags: unexpected argument '%s'", a.pos[0]);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!period_arg)
		return rb_err_set(err, RB_EUSAGE, "tags: --period YYYY-MM is required");
	if (period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "tags: bad period '%s' (expected YYYY-MM)", period_arg);
	if ((rc = report_tags(&t, ctx->store, period, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *doc = report_tags_json(t);
		rc = out_json(doc);
		json_decref(doc);
	} else if (fmt == OUT_TABLE && !t->n) {
		printf("no tagged rows in %s\n", t->period);
	} else {
		struct out_table *tab = out_table_new(6, heads, right);
		digits = fmt == OUT_TABLE ? 2 : DEC_SCALE;
		for (i = 0; i < t->n; i++) {
			const struct store_tag_key *k = &t->keys[i];
			char vals[32], rows[32], u[DEC_BUFSZ], o[DEC_BUFSZ], e[DEC_BUFSZ];
			const char *cells[6] = { k->key, vals, rows, u, o, e };
			snprintf(vals, sizeof(vals), "%ld", k->values);
			snprintf(rows, sizeof(rows), "%lld", (long long)k->sum.rows);
			dec_format(u, sizeof(u), k->sum.unblended, DEC_SCALE, digits);
			dec_format(o, sizeof(o), k->sum.ondemand, DEC_SCALE, digits);
			dec_format(e, sizeof(e), k->sum.effective, DEC_SCALE, digits);
			out_table_add(tab, cells);
		}
		out_table_print(tab, stdout, fmt);
		out_table_free(tab);
		if (fmt == OUT_TABLE)
			printf("(rows and cost of the rows that carry the key, in USD; a row carries\n"
			       " several keys, so the column sums are not the period's total)\n");
	}
	report_tags_free(t);
	if (rc < 0 || fflush(stdout) == EOF)
		return rb_err_set(err, RB_EIO, "tags: cannot write the output");
	return 0;
}
