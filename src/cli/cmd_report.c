/*
 * cmd_report.c: `rebill report reconcile|margin` — prints what src/report
 * computes. Cost amounts (USD) carry their 10 exact fractional digits;
 * billed USD, margins and withheld amounts are exact at 18 digits inside
 * and printed with 10, rounded half away from zero (each from its exact
 * value, so a printed margin may differ from billed − effective of the
 * printed parts in the last digit).
 *
 * Tables show cents of USD, or of each row's currency when some payer bills
 * in another (each cell rounded from its exact value, a legend under each
 * says so and what the columns mean); csv and json the digits above, csv
 * with a currency column in the second case.
 *
 * reconcile: table (with the balance check spelled out), csv (one row per
 * payer, customer, unassigned account and unknown type, marked by the
 * `section` column) or json:
 *   {"period", "payers": [{"payer", "unblended", "assigned", "unassigned"}],
 *    "customers": [{"customer", "unblended", "effective", "ondemand",
 *      "billed_usd", "margin", "withheld": {"credit", "refund", "discount",
 *      "tax"}, "excluded"}],
 *    "unassigned_accounts": [{"payer", "account", "tag"?, "tag_value"?, "currency",
 *      "unblended"}],
 *    "other_types": [{"type", "currency", "rows", "unblended"}]}
 * margin --by KEY: table (with a TOTAL line), csv (groups only) or json
 * (the JSON documents are built by src/report/json.c, shared with HTTP):
 *   {"period", "by", "rows": [{"key", "unblended", "effective",
 *    "billed_usd", "margin"}], "total": {...}}
 *
 * Not for: computing money (src/report, src/rate).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rate/rate.h"
#include "report/report.h"
#include "util/period.h"
#include "util/banned.h"

/* Digits shown: all REPORT_DIGITS in csv (json is report/json.c's), cents
 * in tables (each cell rounded half away from zero from its exact value). */
#define EXACT REPORT_DIGITS
#define CENTS 2

static const char *cost_d(char buf[DEC_BUFSZ], rb_i128 v, int digits)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, digits);
	return buf;
}

static const char *usd_d(char buf[DEC_BUFSZ], rb_i128 v, int digits)
{
	dec_format(buf, DEC_BUFSZ, v, RATE_SCALE, digits);
	return buf;
}

#define cost(b, v) cost_d(b, v, EXACT)
#define usd(b, v) usd_d(b, v, EXACT)
#define cost2(b, v) cost_d(b, v, CENTS)
#define usd2(b, v) usd_d(b, v, CENTS)

/* Under every table of amounts in cents: of USD, or of each row's currency
 * once a currency column is shown. */
static void cents_legend(int multi)
{
	if (multi)
		puts("(amounts in cents of each row's currency, each figure rounded half away from\n"
		     " zero from its exact value, so a column may miss its total by a cent;\n"
		     " --format csv|json: exact figures)");
	else
		puts("(USD in cents, each figure rounded half away from zero from its exact value,\n"
		     " so a column may miss its total by a cent; --format csv|json: exact figures)");
}

static int dump(json_t *root)
{
	int rc = out_json(root);
	json_decref(root);
	return rc;
}

static const enum cur_class withheld_classes[] = { CUR_CREDIT, CUR_REFUND, CUR_DISCOUNT, CUR_TAX };
#define NWITHHELD (sizeof(withheld_classes) / sizeof(withheld_classes[0]))

/* ---- reconcile ------------------------------------------------------------- */

enum { C_SECTION, C_CURRENCY, C_PAYER, C_ACCOUNT, C_CUSTOMER, C_TYPE, C_ROWS, C_UNBLENDED, C_ASSIGNED,
	C_UNASSIGNED, C_EFFECTIVE, C_ONDEMAND, C_BILLED, C_FEES, C_REVENUE, C_COST, C_MARGIN,
	C_WCREDIT, C_WREFUND,
	C_WDISCOUNT, C_WTAX, C_EXCLUDED, C_N };

/* A CSV row of reconcile_csv: the currency column only when shown. */
static void csv_add(struct out_table *t, const char *const cells[C_N], int show_cur)
{
	const char *row[C_N];
	size_t k, n = 0;
	for (k = 0; k < C_N; k++)
		if (k != C_CURRENCY || show_cur)
			row[n++] = cells[k];
	out_table_add(t, row);
}

static void reconcile_csv(const struct report_reconcile *r)
{
	static const char *const heads[C_N] = { "section", "currency", "payer", "account",
		"customer", "type", "rows", "unblended", "assigned", "unassigned", "effective",
		"ondemand", "billed_usd", "fees_usd", "revenue_usd", "cost_usd", "margin",
		"withheld_credit", "withheld_refund", "withheld_discount", "withheld_tax", "excluded" };
	char b[C_N][DEC_BUFSZ];
	const char *cells[C_N];
	/* a currency column once some payer bills in another currency than
	 * USD (as the table): each row in the currency of its costs */
	int show_cur = r->ntotals > 1 || (r->ntotals == 1 && strcmp(r->totals[0].currency, "USD"));
	const char *h[C_N];
	struct out_table *t;
	size_t i, k, nh = 0;

	for (k = 0; k < C_N; k++)
		if (k != C_CURRENCY || show_cur)
			h[nh++] = heads[k];
	t = out_table_new(nh, h, NULL);

#define RESET() do { for (k = 0; k < C_N; k++) cells[k] = ""; } while (0)
	for (i = 0; i < r->npayers; i++) {
		const struct report_payer *p = &r->payers[i];
		RESET();
		cells[C_SECTION] = "payer";
		cells[C_CURRENCY] = p->currency;
		cells[C_PAYER] = p->payer;
		snprintf(b[C_ROWS], DEC_BUFSZ, "%ld", p->rows);
		cells[C_ROWS] = b[C_ROWS];
		cells[C_UNBLENDED] = cost(b[C_UNBLENDED], p->unblended);
		cells[C_ASSIGNED] = cost(b[C_ASSIGNED], p->assigned);
		cells[C_UNASSIGNED] = cost(b[C_UNASSIGNED], p->unassigned);
		csv_add(t, cells, show_cur);
	}
	for (i = 0; i < r->ncustomers; i++) {
		const struct report_customer *c = &r->customers[i];
		RESET();
		cells[C_SECTION] = "customer";
		cells[C_CURRENCY] = c->currency;
		cells[C_CUSTOMER] = c->customer;
		snprintf(b[C_ROWS], DEC_BUFSZ, "%ld", c->rows);
		cells[C_ROWS] = b[C_ROWS];
		cells[C_UNBLENDED] = cost(b[C_UNBLENDED], c->unblended);
		cells[C_EFFECTIVE] = cost(b[C_EFFECTIVE], c->effective);
		cells[C_ONDEMAND] = cost(b[C_ONDEMAND], c->ondemand);
		cells[C_BILLED] = usd(b[C_BILLED], c->billed);
		cells[C_COST] = cost(b[C_COST], c->cost);
		if (c->margin_known) {
			cells[C_FEES] = usd(b[C_FEES], c->fees);
			cells[C_REVENUE] = usd(b[C_REVENUE], c->revenue);
			cells[C_MARGIN] = usd(b[C_MARGIN], c->margin);
		}
		for (k = 0; k < NWITHHELD; k++)
			cells[C_WCREDIT + k] = usd(b[C_WCREDIT + k], c->withheld[withheld_classes[k]]);
		cells[C_EXCLUDED] = cost(b[C_EXCLUDED], c->excluded);
		csv_add(t, cells, show_cur);
	}
	for (i = 0; i < r->nunassigned; i++) {
		RESET();
		cells[C_SECTION] = "unassigned_account";
		cells[C_CURRENCY] = r->unassigned[i].currency;
		cells[C_PAYER] = r->unassigned[i].payer;
		cells[C_ACCOUNT] = r->unassigned[i].account;
		if (r->unassigned[i].tag) {
			/* spec §9: the tag value of a split account that matched nobody */
			snprintf(b[C_TYPE], DEC_BUFSZ, "tag %s=%s", r->unassigned[i].tag,
				r->unassigned[i].value ? r->unassigned[i].value : "(untagged)");
			cells[C_TYPE] = b[C_TYPE];
		}
		snprintf(b[C_ROWS], DEC_BUFSZ, "%ld", r->unassigned[i].rows);
		cells[C_ROWS] = b[C_ROWS];
		cells[C_UNBLENDED] = cost(b[C_UNBLENDED], r->unassigned[i].unblended);
		csv_add(t, cells, show_cur);
	}
	for (i = 0; i < r->nother; i++) {
		RESET();
		cells[C_SECTION] = "other_type";
		cells[C_CURRENCY] = r->other[i].currency;
		cells[C_TYPE] = r->other[i].type;
		snprintf(b[C_ROWS], DEC_BUFSZ, "%ld", r->other[i].rows);
		cells[C_ROWS] = b[C_ROWS];
		cells[C_UNBLENDED] = cost(b[C_UNBLENDED], r->other[i].unblended);
		csv_add(t, cells, show_cur);
	}
#undef RESET
	out_table_print(t, stdout, OUT_CSV);
	out_table_free(t);
}

static void reconcile_table(const struct report_reconcile *r)
{
	char pb[PERIOD_BUFSZ], b[8][DEC_BUFSZ];
	struct out_table *t;
	size_t i, k;

	/* a currency column once some payer bills in another currency than
	 * USD; each currency its own TOTAL: amounts are never added across */
	int show_cur = r->ntotals > 1 || (r->ntotals == 1 && strcmp(r->totals[0].currency, "USD"));
	int off = show_cur;

	period_format(pb, r->period);
	if (!show_cur) {
		printf("reconciliation %s (USD)\n\n", pb);
	} else {
		printf("reconciliation %s (", pb);
		for (i = 0; i < r->ntotals; i++)
			printf("%s%s", i ? ", " : "", r->totals[i].currency);
		printf("%s)\n\n", r->ntotals > 1 ? ": each payer and customer in the currency of its costs"
			: "");
	}
	{
		static const char *const h[] = { "payer", "currency", "rows", "unblended", "assigned",
			"unassigned", "balance" };
		static const int right[] = { 0, 0, 1, 1, 1, 1, 0 };
		const char *hv[7];
		int rv[7];
		size_t c, nc = 0;
		for (c = 0; c < 7; c++)
			if (c != 1 || show_cur) {
				hv[nc] = h[c];
				rv[nc++] = right[c];
			}
		t = out_table_new(nc, hv, rv);
		for (i = 0; i < r->npayers; i++) {
			const struct report_payer *p = &r->payers[i];
			const char *cells[7];
			snprintf(b[0], DEC_BUFSZ, "%ld", p->rows);
			cells[0] = p->payer;
			cells[1] = p->currency;
			cells[1 + off] = b[0];
			cells[2 + off] = cost2(b[1], p->unblended);
			cells[3 + off] = cost2(b[2], p->assigned);
			cells[4 + off] = cost2(b[3], p->unassigned);
			/* report_reconcile returns only results that passed the check */
			cells[5 + off] = "ok";
			out_table_add(t, cells);
		}
		for (i = 0; i < r->ntotals; i++) {
			const struct report_recon_total *tt = &r->totals[i];
			const char *cells[7] = { "TOTAL", tt->currency };
			cells[1 + off] = "";
			cells[2 + off] = cost2(b[1], tt->unblended);
			cells[3 + off] = cost2(b[2], tt->assigned);
			cells[4 + off] = cost2(b[3], tt->unassigned);
			cells[5 + off] = "ok";
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
	}
	putchar('\n');
	{
		static const char *const h[] = { "customer", "currency", "unblended", "effective",
			"ondemand", "billed_usd", "fees_usd", "margin", "excluded" };
		static const int right[] = { 0, 0, 1, 1, 1, 1, 1, 1, 1 };
		const char *hv[9];
		int rv[9];
		size_t c, nc = 0;
		for (c = 0; c < 9; c++)
			if (c != 1 || show_cur) {
				hv[nc] = h[c];
				rv[nc++] = right[c];
			}
		t = out_table_new(nc, hv, rv);
		for (i = 0; i < r->ncustomers; i++) {
			const struct report_customer *cu = &r->customers[i];
			const char *cells[9] = { cu->customer, cu->currency };
			cells[1 + off] = cost2(b[0], cu->unblended);
			cells[2 + off] = cost2(b[1], cu->effective);
			cells[3 + off] = cost2(b[2], cu->ondemand);
			cells[4 + off] = usd2(b[3], cu->billed);
			cells[5 + off] = cu->margin_known ? usd2(b[4], cu->fees) : "n/a";
			cells[6 + off] = cu->margin_known ? usd2(b[6], cu->margin) : "n/a (no FX rate)";
			cells[7 + off] = cost2(b[5], cu->excluded);
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
		puts("(billed_usd: what the plan bills for the customer's rows, in USD before FX;\n"
		     " fees_usd: its fee and custom lines / FX; margin = billed_usd of the rows\n"
		     " other than AWS tax + fees_usd - their effective cost (docs/billing.md §7);\n"
		     " excluded: unblended cost of the rows an exclude rule leaves off the invoice)");
		if (show_cur)
			puts("(a customer whose costs are in another currency than USD is invoiced in\n"
			     " that currency: its billed_usd, fees_usd and margin are in it, FX rate 1)");
	}
	putchar('\n');
	{
		static const char *const h[] = { "withheld", "credit", "refund", "discount", "tax" };
		static const int right[] = { 0, 1, 1, 1, 1 };
		t = out_table_new(5, h, right);
		for (i = 0; i < r->ncustomers; i++) {
			const struct report_customer *c = &r->customers[i];
			const char *cells[5];
			cells[0] = c->customer;
			for (k = 0; k < NWITHHELD; k++)
				cells[1 + k] = usd2(b[k], c->withheld[withheld_classes[k]]);
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
		puts("(withheld: what the plan keeps instead of passing it on, unblended - billed:\n"
		     " credit, refund, discount are AWS's negative amounts the customer does not\n"
		     " get, e.g. -5.00 of a -10.00 credit passed at 0.5; tax is AWS tax not billed\n"
		     " on; the customer's own tax is on the invoice)");
	}
	putchar('\n');
	if (r->nunassigned) {
		static const char *const h[] = { "unassigned payer", "account", "rows", "unblended",
			"currency" };
		static const int right[] = { 0, 0, 1, 1, 0 };
		t = out_table_new(4 + off, h, right);
		for (i = 0; i < r->nunassigned; i++) {
			const char *cells[5];
			char acc[256];
			snprintf(b[0], DEC_BUFSZ, "%ld", r->unassigned[i].rows);
			cells[0] = r->unassigned[i].payer;
			cells[1] = r->unassigned[i].account;
			if (r->unassigned[i].tag) {
				/* spec §9: who to chase, by the tag value that matched nobody */
				snprintf(acc, sizeof(acc), "%s %s=%s", r->unassigned[i].account,
					r->unassigned[i].tag, r->unassigned[i].value ?
					r->unassigned[i].value : "(untagged)");
				cells[1] = acc;
			}
			cells[2] = b[0];
			cells[3] = cost2(b[1], r->unassigned[i].unblended);
			cells[4] = r->unassigned[i].currency;
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
	} else {
		puts("unassigned accounts: none");
	}
	putchar('\n');
	if (r->nother) {
		static const char *const h[] = { "unknown line item type", "rows", "unblended",
			"currency" };
		static const int right[] = { 0, 1, 1, 0 };
		t = out_table_new(3 + off, h, right);
		for (i = 0; i < r->nother; i++) {
			const char *cells[4];
			snprintf(b[0], DEC_BUFSZ, "%ld", r->other[i].rows);
			cells[0] = r->other[i].type;
			cells[1] = b[0];
			cells[2] = cost2(b[1], r->other[i].unblended);
			cells[3] = r->other[i].currency;
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
		puts("(billed like fees; listed so nothing passes unnoticed)");
	} else {
		puts("unknown line item types: none");
	}
	putchar('\n');
	cents_legend(show_cur);
	putchar('\n');
	printf("balance: ok (checked on the exact figures)\n"
	       "  every payer: unblended = assigned + unassigned = the database's sum = the import's count\n");
	if (!show_cur) {
		printf("  customers %s = assigned %s\n"
		       "  unassigned accounts %s = unassigned %s\n",
			cost2(b[0], r->customers_unblended), cost2(b[1], r->total_assigned),
			cost2(b[2], r->accounts_unblended), cost2(b[3], r->total_unassigned));
	} else {
		for (i = 0; i < r->ntotals; i++) {
			const struct report_recon_total *tt = &r->totals[i];
			printf("  %s: customers %s = assigned %s; unassigned accounts %s = unassigned %s\n",
				tt->currency, cost2(b[0], tt->customers), cost2(b[1], tt->assigned),
				cost2(b[2], tt->accounts), cost2(b[3], tt->unassigned));
		}
	}
}

/* ---- margin ---------------------------------------------------------------- */

static void margin_add(struct out_table *t, const char *key, const struct report_margin_row *row,
	int with_rows, int with_cur)
{
	const int d = with_rows ? CENTS : EXACT; /* rows: the table */
	char b[8][DEC_BUFSZ];
	const char *cells[10];
	int c = 0;
	cells[c++] = key;
	if (with_cur)
		cells[c++] = row->currency[0] ? row->currency : "USD";
	if (with_rows) {
		snprintf(b[0], DEC_BUFSZ, "%ld", row->rows);
		cells[c++] = b[0];
	}
	cells[c++] = cost_d(b[1], row->unblended, d);
	cells[c++] = cost_d(b[2], row->effective, d);
	cells[c++] = usd_d(b[3], row->billed, d);
	cells[c++] = usd_d(b[4], row->fees, d);
	cells[c++] = usd_d(b[5], row->revenue, d);
	cells[c++] = cost_d(b[6], row->cost, d);
	cells[c++] = usd_d(b[7], row->margin, d);
	out_table_add(t, cells);
}

/* Spec §6 columns: billed_usd is every row's (AWS tax too); revenue_usd =
 * billed of the rows other than tax + fees_usd; cost_usd = effective of
 * the rows other than tax; margin = revenue_usd − cost_usd. */
static void margin_table(const struct report_margin *m, const char *by, enum out_format fmt)
{
	const char *heads[10];
	int right[10] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, c = 0, rows = fmt == OUT_TABLE;
	/* a currency column once a cost is in another currency than USD; a
	 * TOTAL per currency (never one sum of two) */
	int cur = m->ntotals > 1 || (m->ntotals == 1 && strcmp(m->totals[0].currency, "USD"));
	struct out_table *t;
	size_t i;

	heads[c++] = by;
	if (cur) {
		right[c] = 0;
		heads[c++] = "currency";
	}
	if (rows)
		heads[c++] = "rows";
	heads[c++] = "unblended";
	heads[c++] = "effective";
	heads[c++] = "billed_usd";
	heads[c++] = "fees_usd";
	heads[c++] = "revenue_usd";
	heads[c++] = "cost_usd";
	heads[c++] = "margin";
	t = out_table_new((size_t)c, heads, right);
	for (i = 0; i < m->n; i++) {
		const char *key = m->rows[i].key;
		if (fmt == OUT_TABLE && !*key)
			key = m->by == REPORT_BY_TAG ? "(untagged)" : "(none)";
		margin_add(t, key, &m->rows[i], rows, cur);
	}
	if (fmt == OUT_TABLE && !m->ntotals)
		margin_add(t, "TOTAL", &m->total, rows, cur);
	for (i = 0; fmt == OUT_TABLE && i < m->ntotals; i++)
		margin_add(t, "TOTAL", &m->totals[i], rows, cur);
	out_table_print(t, stdout, fmt);
	out_table_free(t);
	if (fmt == OUT_TABLE) {
		printf("\nrevenue_usd = billed_usd of the rows other than AWS tax + fees_usd (fee and"
			" custom lines / FX);\ncost_usd = effective cost of the rows other than AWS tax;"
			" margin = revenue_usd - cost_usd\n");
		cents_legend(cur);
	}
}

/* ---- dispatch -------------------------------------------------------------- */

static int run(struct cli_ctx *ctx, int margin, int argc, char **argv, struct rb_err *err)
{
	enum { O_PERIOD, O_BY, O_FORMAT, O_CUSTOMER };
	static const struct cli_option opts[] = {
		[O_PERIOD] = { "--period", 1, NULL }, [O_BY] = { "--by", 1, NULL },
		[O_FORMAT] = { "--format", 1, NULL }, [O_CUSTOMER] = { "--customer", 1, NULL },
		{ NULL, 0, NULL },
	};
	enum out_format fmt = OUT_TABLE;
	const char *period_arg, *by_arg, *tag_key = NULL, *customer;
	enum report_by by = REPORT_BY_CUSTOMER;
	struct cli_args a;
	int period, rc = 0;

	if ((rc = cli_parse(&a, "report", opts, argc, argv, err)) < 0)
		return rc;
	period_arg = a.opt[O_PERIOD];
	by_arg = a.opt[O_BY];
	customer = a.opt[O_CUSTOMER];
	if (by_arg && !margin)
		rc = rb_err_set(err, RB_EUSAGE, "report: --by belongs to 'report margin'");
	else if (customer && !margin)
		rc = rb_err_set(err, RB_EUSAGE, "report: --customer belongs to 'report margin'");
	else if (a.opt[O_FORMAT])
		rc = out_format_parse(&fmt, a.opt[O_FORMAT], err);
	if (rc == 0 && a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "report: unexpected argument '%s'", a.pos[0]);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!period_arg)
		return rb_err_set(err, RB_EUSAGE, "report: --period YYYY-MM is required");
	if (period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "report: bad period '%s' (expected YYYY-MM)", period_arg);
	if (margin) {
		struct report_margin *m = NULL;
		if (!by_arg)
			return rb_err_set(err, RB_EUSAGE, "report: margin needs --by customer|account|service|region|type|tag:KEY");
		if ((rc = report_by_parse(&by, &tag_key, by_arg, err)) < 0)
			return rc;
		if ((rc = report_margin_for(&m, ctx->store, period, by, tag_key, customer, err)) < 0)
			return rc;
		if (fmt == OUT_JSON)
			rc = dump(report_margin_json(m, by_arg));
		else
			margin_table(m, by_arg, fmt);
		report_margin_free(m);
	} else {
		struct report_reconcile *r = NULL;
		if ((rc = report_reconcile(&r, ctx->store, period, err)) < 0)
			return rc;
		if (fmt == OUT_JSON)
			rc = dump(report_reconcile_json(r));
		else if (fmt == OUT_CSV)
			reconcile_csv(r);
		else
			reconcile_table(r);
		report_reconcile_free(r);
	}
	if (rc < 0 || fflush(stdout) == EOF)
		return rb_err_set(err, RB_EIO, "report: cannot write the output");
	return 0;
}

static int reconcile(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return run(ctx, 0, argc, argv, err);
}

static int margin(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return run(ctx, 1, argc, argv, err);
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "reconcile", reconcile },
		{ "margin", margin },
		{ "receivables", cmd_report_receivables },
		{ NULL, NULL },
	};
	return cli_dispatch("report", verbs, ctx, argc, argv, err);
}
