/*
 * cmd_periods.c: `rebill periods [--format table|csv|json]` — the billing
 * periods in the database with their payers, accounts, rows and unblended
 * cost, a line per currency of the payers' costs (a currency column once a
 * payer bills in other than USD). The table shows amounts with 2 decimals
 * (rounded half away from zero); csv and json carry all 10 digits.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_facts.h"
#include "report/summary.h"
#include "util/period.h"
#include "util/banned.h"

int cmd_periods(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = { { "--format", 1, NULL }, { NULL, 0, NULL } };
	static const char *const heads[] = { "period", "payers", "accounts", "rows", "unblended" };
	static const char *const heads_cur[] = { "period", "currency", "payers", "accounts", "rows",
		"unblended" };
	static const int right[] = { 0, 1, 1, 1, 1 };
	static const int right_cur[] = { 0, 0, 1, 1, 1, 1 };
	int with_currency = 0;
	struct store_period_info *p = NULL;
	size_t n = 0, i;
	enum out_format fmt = OUT_TABLE;
	struct cli_args a;
	int rc = 0;

	if ((rc = cli_parse(&a, "periods", opts, argc, argv, err)) < 0)
		return rc;
	if (a.opt[0])
		rc = out_format_parse(&fmt, a.opt[0], err);
	if (rc == 0 && a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "periods: unexpected argument '%s'", a.pos[0]);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_periods(&p, &n, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *root = report_periods_json(p, n);
		out_json(root);
		json_decref(root);
	} else {
		struct out_table *t;
		/* a currency column once a payer bills in other than USD: a period
		 * then has a line per currency, never one sum of two */
		for (i = 0; i < n; i++)
			with_currency |= strcmp(p[i].currency, "USD") != 0;
		t = with_currency ? out_table_new(6, heads_cur, right_cur) : out_table_new(5, heads, right);
		for (i = 0; i < n; i++) {
			char per[PERIOD_BUFSZ], amt[DEC_BUFSZ], pay[24], acc[24], rows[24];
			const char *cells[5] = { per, pay, acc, rows, amt };
			const char *cells_cur[6] = { per, p[i].currency, pay, acc, rows, amt };
			period_format(per, p[i].period);
			snprintf(pay, sizeof(pay), "%lld", (long long)p[i].payers);
			snprintf(acc, sizeof(acc), "%lld", (long long)p[i].accounts);
			snprintf(rows, sizeof(rows), "%lld", (long long)p[i].sum.rows);
			dec_format(amt, sizeof(amt), p[i].sum.unblended, DEC_SCALE,
				fmt == OUT_TABLE ? 2 : DEC_SCALE);
			out_table_add(t, with_currency ? cells_cur : cells);
		}
		out_table_print(t, stdout, fmt);
		out_table_free(t);
	}
	free(p);
	return 0;
}
