/*
 * cmd_accounts.c: `rebill accounts [--period YYYY-MM] [--format ...]` — the
 * usage accounts seen in CUR data, per payer, with rows and unblended cost
 * (in one period, or over all periods), in the payer's currency (a column
 * once a payer bills in other than USD). The table shows amounts with 2
 * decimals (rounded half away from zero); csv and json carry all 10 digits.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_facts.h"
#include "report/summary.h"
#include "util/period.h"
#include "util/banned.h"

int cmd_accounts(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_PERIOD, O_FORMAT };
	static const struct cli_option opts[] = {
		[O_PERIOD] = { "--period", 1, NULL }, [O_FORMAT] = { "--format", 1, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const heads[] = { "payer", "account", "rows", "unblended", "currency" };
	static const int right[] = { 0, 0, 1, 1, 0 };
	int with_currency = 0;
	enum out_format fmt = OUT_TABLE;
	struct store_account_info *a = NULL;
	const char *period_arg;
	struct cli_args args;
	size_t n = 0, i;
	int period = -1, rc = 0;

	if ((rc = cli_parse(&args, "accounts", opts, argc, argv, err)) < 0)
		return rc;
	period_arg = args.opt[O_PERIOD];
	if (args.opt[O_FORMAT])
		rc = out_format_parse(&fmt, args.opt[O_FORMAT], err);
	if (rc == 0 && args.npos)
		rc = rb_err_set(err, RB_EUSAGE, "accounts: unexpected argument '%s'", args.pos[0]);
	cli_args_release(&args);
	if (rc < 0)
		return rc;
	if (period_arg && period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "accounts: bad period '%s' (expected YYYY-MM)", period_arg);
	if ((rc = store_accounts(&a, &n, ctx->store, period, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *root = report_accounts_json(period_arg, a, n);
		out_json(root);
		json_decref(root);
	} else {
		struct out_table *t;
		/* a currency column once a payer bills in other than USD, as in
		 * `account list --unassigned` */
		for (i = 0; i < n; i++)
			with_currency |= strcmp(a[i].currency, "USD") != 0;
		t = out_table_new(with_currency ? 5 : 4, heads, right);
		for (i = 0; i < n; i++) {
			char amt[DEC_BUFSZ], rows[24];
			const char *cells[5] = { a[i].payer, a[i].account, rows, amt, a[i].currency };
			snprintf(rows, sizeof(rows), "%lld", (long long)a[i].sum.rows);
			dec_format(amt, sizeof(amt), a[i].sum.unblended, DEC_SCALE,
				fmt == OUT_TABLE ? 2 : DEC_SCALE);
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, fmt);
		out_table_free(t);
	}
	store_accounts_free(a, n);
	return 0;
}
