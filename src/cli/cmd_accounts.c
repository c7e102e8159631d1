/*
 * cmd_accounts.c: `rebill accounts [--period YYYY-MM] [--format ...]` — the
 * usage accounts seen in CUR data, per payer, with rows and unblended cost
 * (in one period, or over all periods). The table shows amounts with 2
 * decimals (rounded half away from zero); csv and json carry all 10 digits.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_facts.h"
#include "util/period.h"
#include "report/json_text.h"
#include "util/banned.h"

int cmd_accounts(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const heads[] = { "payer", "account", "rows", "unblended" };
	static const int right[] = { 0, 0, 1, 1 };
	enum out_format fmt = OUT_TABLE;
	struct store_account_info *a = NULL;
	const char *period_arg = NULL;
	size_t n = 0, i;
	int period = -1, c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:f:", opts, NULL)) != -1) {
		if (c == 'p') {
			period_arg = optarg;
		} else if (c == 'f') {
			if ((rc = out_format_parse(&fmt, optarg, err)) < 0)
				return rc;
		} else {
			return rb_err_set(err, RB_EUSAGE, "accounts: unknown option or missing value '%s'; see 'rebill help accounts'",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rb_err_set(err, RB_EUSAGE, "accounts: unexpected argument '%s'", argv[optind]);
	if (period_arg && period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "accounts: bad period '%s' (expected YYYY-MM)", period_arg);
	if ((rc = store_accounts(&a, &n, ctx->store, period, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *root = json_object(), *arr = json_array();
		json_object_set_new(root, "period", period_arg ? json_text(period_arg) : json_null());
		for (i = 0; i < n; i++) {
			json_t *o = json_object();
			char amt[DEC_BUFSZ];
			dec_format(amt, sizeof(amt), a[i].sum.unblended, DEC_SCALE, DEC_SCALE);
			json_object_set_new(o, "payer", json_text(a[i].payer));
			json_object_set_new(o, "account", json_text(a[i].account));
			json_object_set_new(o, "rows", json_integer(a[i].sum.rows));
			json_object_set_new(o, "unblended", json_text(amt));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "accounts", arr);
		out_json(root, 1);
		json_decref(root);
	} else {
		struct out_table *t = out_table_new(4, heads, right);
		for (i = 0; i < n; i++) {
			char amt[DEC_BUFSZ], rows[24];
			const char *cells[4] = { a[i].payer, a[i].account, rows, amt };
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
