/*
 * cmd_periods.c: `rebill periods [--format table|csv|json]` — the billing
 * periods in the database with their payers, accounts, rows and unblended
 * cost. The table shows amounts with 2 decimals (rounded half away from
 * zero); csv and json carry all 10 digits.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>

#include "store/store_facts.h"
#include "util/period.h"
#include "report/json_text.h"
#include "util/banned.h"

int cmd_periods(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const heads[] = { "period", "payers", "accounts", "rows", "unblended" };
	static const int right[] = { 0, 1, 1, 1, 1 };
	enum out_format fmt = OUT_TABLE;
	struct store_period_info *p = NULL;
	size_t n = 0, i;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		if (c != 'f')
			return rb_err_set(err, RB_EUSAGE, "periods: unknown option or missing value '%s'; see 'rebill help periods'",
				argv[optind - 1]);
		if ((rc = out_format_parse(&fmt, optarg, err)) < 0)
			return rc;
	}
	if (optind < argc)
		return rb_err_set(err, RB_EUSAGE, "periods: unexpected argument '%s'", argv[optind]);
	if ((rc = store_periods(&p, &n, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *root = json_object(), *arr = json_array();
		for (i = 0; i < n; i++) {
			json_t *o = json_object();
			char per[PERIOD_BUFSZ], amt[DEC_BUFSZ];
			period_format(per, p[i].period);
			dec_format(amt, sizeof(amt), p[i].sum.unblended, DEC_SCALE, DEC_SCALE);
			json_object_set_new(o, "period", json_text(per));
			json_object_set_new(o, "payers", json_integer(p[i].payers));
			json_object_set_new(o, "accounts", json_integer(p[i].accounts));
			json_object_set_new(o, "rows", json_integer(p[i].sum.rows));
			json_object_set_new(o, "unblended", json_text(amt));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "periods", arr);
		out_json(root, 1);
		json_decref(root);
	} else {
		struct out_table *t = out_table_new(5, heads, right);
		for (i = 0; i < n; i++) {
			char per[PERIOD_BUFSZ], amt[DEC_BUFSZ], pay[24], acc[24], rows[24];
			const char *cells[5] = { per, pay, acc, rows, amt };
			period_format(per, p[i].period);
			snprintf(pay, sizeof(pay), "%lld", (long long)p[i].payers);
			snprintf(acc, sizeof(acc), "%lld", (long long)p[i].accounts);
			snprintf(rows, sizeof(rows), "%lld", (long long)p[i].sum.rows);
			dec_format(amt, sizeof(amt), p[i].sum.unblended, DEC_SCALE,
				fmt == OUT_TABLE ? 2 : DEC_SCALE);
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, fmt);
		out_table_free(t);
	}
	free(p);
	return 0;
}
