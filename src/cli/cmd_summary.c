/*
 * cmd_summary.c: `rebill summary --period YYYY-MM [--by ...] [--format ...]`
 * — a period's cost summed by payer, account, service, region, line item
 * type, day or the value of one tag.
 *
 * Amounts: csv and json carry all 10 fractional digits (exact); csv holds
 * the groups only (no total line), json has "total". The table shows 2
 * decimals, the TOTAL and, when needed, the "(rounding)" line, all as
 * report_summary computed them (report/summary.h).
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

static void amount(char buf[DEC_BUFSZ], rb_i128 v, int digits)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, digits);
}

static void add_row(struct out_table *t, int service, const char *cur, const char *key,
	const char *name, int64_t rows, const rb_i128 v[3], int digits)
{
	char r[32], a[3][DEC_BUFSZ];
	const char *cells[8];
	int i, c = 0;

	snprintf(r, sizeof(r), "%lld", (long long)rows);
	for (i = 0; i < 3; i++)
		amount(a[i], v[i], digits);
	cells[c++] = key;
	if (service)
		cells[c++] = name;
	if (cur)
		cells[c++] = cur;
	cells[c++] = rows >= 0 ? r : "";
	cells[c++] = a[0];
	cells[c++] = a[1];
	cells[c++] = a[2];
	out_table_add(t, cells);
}

/* The currency column shows once some cost is in another currency than
 * USD; with several currencies each has its own TOTAL (and rounding) line:
 * costs in different currencies are never added together. */
static void print_table(enum out_format fmt, const struct report_summary *r)
{
	const char *heads[8];
	int right[8] = { 0 };
	struct out_table *t;
	int tag = r->store_by == STORE_BY_TAG, service = r->store_by == STORE_BY_SERVICE;
	int c = 0, digits = fmt == OUT_TABLE ? 2 : DEC_SCALE;
	int show_cur = r->ntotals > 1 || (r->ntotals == 1 && strcmp(r->totals[0].currency, "USD"));
	rb_i128 v[3];
	size_t k;

	heads[c++] = r->by;
	if (service)
		heads[c++] = "name";
	if (show_cur)
		heads[c++] = "currency";
	heads[c] = "rows";
	right[c++] = 1;
	heads[c] = "unblended";
	right[c++] = 1;
	heads[c] = "ondemand";
	right[c++] = 1;
	heads[c] = "effective";
	right[c++] = 1;
	t = out_table_new((size_t)c, heads, right);
	for (k = 0; k < r->n; k++) {
		const struct store_group *g = &r->groups[k];
		const char *key = g->key;
		if (fmt == OUT_TABLE && !*key)
			key = tag ? "(untagged)" : "(none)";
		v[0] = g->sum.unblended;
		v[1] = g->sum.ondemand;
		v[2] = g->sum.effective;
		add_row(t, service, show_cur ? g->currency : NULL, key, g->name, g->sum.rows, v,
			digits);
	}
	if (fmt == OUT_TABLE)
		for (k = 0; k < r->ntotals; k++) {
			const struct report_summary_total *tt = &r->totals[k];
			const char *cur = show_cur ? tt->currency : NULL;
			if (tt->has_rounding)
				add_row(t, service, cur, "(rounding)", "", -1, tt->rounding, digits);
			v[0] = tt->total.unblended;
			v[1] = tt->total.ondemand;
			v[2] = tt->total.effective;
			add_row(t, service, cur, "TOTAL", "", tt->total.rows, v, digits);
		}
	out_table_print(t, stdout, fmt);
	out_table_free(t);
}

int cmd_summary(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_PERIOD, O_BY, O_FORMAT };
	static const struct cli_option opts[] = {
		[O_PERIOD] = { "--period", 1, NULL }, [O_BY] = { "--by", 1, NULL },
		[O_FORMAT] = { "--format", 1, NULL }, { NULL, 0, NULL },
	};
	enum out_format fmt = OUT_TABLE;
	const char *by_name, *period_arg;
	struct report_summary *r = NULL;
	struct cli_args a;
	int period = -1, rc = 0;

	if ((rc = cli_parse(&a, "summary", opts, argc, argv, err)) < 0)
		return rc;
	period_arg = a.opt[O_PERIOD];
	by_name = a.opt[O_BY] ? a.opt[O_BY] : "payer";
	if (a.opt[O_FORMAT])
		rc = out_format_parse(&fmt, a.opt[O_FORMAT], err);
	if (rc == 0 && a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "summary: unexpected argument '%s'", a.pos[0]);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!period_arg)
		return rb_err_set(err, RB_EUSAGE, "summary: --period YYYY-MM is required");
	if (period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "summary: bad period '%s' (expected YYYY-MM)", period_arg);
	if ((rc = report_summary(&r, ctx->store, period, by_name, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *doc = report_summary_json(r);
		out_json(doc);
		json_decref(doc);
	} else {
		print_table(fmt, r);
	}
	report_summary_free(r);
	return 0;
}
