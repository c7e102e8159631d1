/*
 * cmd_invoice.c: `rebill invoice preview --period P [--customer C]
 * [--format table|json]` — the draft invoices of a period as the rate
 * engine builds them (report_invoices). Nothing here computes money: amounts
 * are printed at the invoice currency's minor digits exactly as built.
 *
 * JSON (report_invoices_json, shared with HTTP; indented by 2, keys in this
 * order):
 *   {"period", "invoices": [{"customer", "currency", "fx", "lines": [{"kind",
 *   "key", "description", "amount"}], "subtotal", "tax", "total"}]}
 * The table shows one block per customer: its lines, subtotal, tax, total.
 * --explain adds under each block (and as "explain" in JSON) which rule or
 * the plan default priced each charge line, the excluded charges and the
 * rules that priced nothing (report_invoices_explain).
 *
 * Not for: finalizing or numbering invoices.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rate/rate.h"
#include "report/report.h"
#include "util/period.h"
#include "util/utf8.h"
#include "util/banned.h"

static void amount(char buf[DEC_BUFSZ], rb_i128 v, int minor)
{
	dec_format(buf, DEC_BUFSZ, v, minor, minor);
}

static int print_json(const struct report_invoices *r)
{
	json_t *root = report_invoices_json(r);
	int rc = out_json(root);
	json_decref(root);
	return rc;
}

/* "rule 2: service=AmazonEC2 usage_type=*BoxUsage*" (numbered from 1, as
 * in the preview's warnings), or "plan default". */
static void rule_text(char *buf, size_t size, const struct config_plan *plan, int rule)
{
	const struct config_rule *ru;
	size_t n;

	if (rule < 0) {
		snprintf(buf, size, "plan default");
		return;
	}
	ru = &plan->rules[rule];
	n = (size_t)snprintf(buf, size, "rule %d:", rule + 1);
#define FIELD(name, v) \
	if ((v) && n < size) \
		n += (size_t)snprintf(buf + n, size - n, " %s=%s", name, v)
	FIELD("service", ru->service);
	FIELD("usage_type", ru->usage_type);
	FIELD("region", ru->region);
	FIELD("account", ru->account);
	FIELD("line_item_type", ru->line_item_type);
#undef FIELD
	buf[utf8_whole(buf, strlen(buf))] = '\0';        /* cut whole when too long */
}

static void usd_cents(char buf[DEC_BUFSZ], rb_i128 v, int scale)
{
	dec_format(buf, DEC_BUFSZ, v, scale, 2);
}

/* --explain under an invoice's block: each charge line split by the rule
 * (or the plan default) that priced its rows, the excluded charges, and
 * the plan's rules that decided nothing for this customer. */
static void print_explain(const struct report_invoice *it)
{
	static const char *const heads[] = { "charge line", "priced by", "markup", "rows",
		"base_usd", "billed_usd" };
	static const int right[] = { 0, 0, 1, 1, 1, 1 };
	const struct config_plan *plan = it->customer->plan;
	const struct rate_explain *e = it->explain;
	char rule[1024], pct[DEC_BUFSZ + 1], rows[32], base[DEC_BUFSZ], billed[DEC_BUFSZ];
	struct out_table *t;
	size_t k, unused = 0;

	dec_format_min(pct, DEC_BUFSZ, plan->markup_pct, DEC_FACTOR_DIGITS);
	fputs("explain: plan ", stdout);
	out_text(stdout, plan->id);
	printf(", basis %s, default markup %s%%\n", config_basis_name(plan->basis), pct);
	if (!e->n) {
		puts("  no charges");
	} else {
		t = out_table_new(6, heads, right);
		for (k = 0; k < e->n; k++) {
			const struct rate_explain_item *x = &e->items[k];
			const char *cells[6];
			rule_text(rule, sizeof(rule), plan, x->rule);
			if (x->excluded) {
				snprintf(pct, sizeof(pct), "excluded");
				usd_cents(base, x->unblended, DEC_SCALE);
			} else {
				char m[DEC_BUFSZ];
				dec_format_min(m, sizeof(m), x->markup_pct, DEC_FACTOR_DIGITS);
				snprintf(pct, sizeof(pct), "%s%%", m);
				usd_cents(base, x->base, DEC_SCALE);
			}
			usd_cents(billed, x->billed, RATE_SCALE);
			snprintf(rows, sizeof(rows), "%ld", x->rows);
			cells[0] = x->description;
			cells[1] = rule;
			cells[2] = pct;
			cells[3] = rows;
			cells[4] = base;
			cells[5] = billed;
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
	}
	for (k = 0; k < e->nrules; k++) {
		if (e->rule_used[k])
			continue;
		rule_text(rule, sizeof(rule), plan, (int)k);
		if (!unused++)
			puts("rules that priced nothing here:");
		fputs("  ", stdout);
		out_text(stdout, rule);
		putchar('\n');
	}
	puts("(base_usd: the rows' cost by the plan's basis, for excluded rows their unblended\n"
	     " cost, left off the invoice; billed_usd = base_usd x (100 + markup) / 100, in USD\n"
	     " before conversion; cents here, exact in --format json)");
}

static void print_table(const struct report_invoices *r)
{
	static const char *const heads[] = { "kind", "description", "amount" };
	static const int right[] = { 0, 0, 1 };
	char buf[DEC_BUFSZ], pb[PERIOD_BUFSZ], fx[DEC_BUFSZ], label[256];
	size_t i, k;

	period_format(pb, r->period);
	if (!r->n)
		printf("no invoices for %s\n", pb);
	for (i = 0; i < r->n; i++) {
		const struct report_invoice *it = &r->items[i];
		const struct rate_invoice *inv = it->inv;
		struct out_table *t = out_table_new(3, heads, right);
		const char *cells[3];

		if (i)
			putchar('\n');
		dec_format_min(fx, sizeof(fx), inv->fx, DEC_FACTOR_DIGITS);
		out_text(stdout, inv->customer);
		fputs(" (", stdout);
		out_text(stdout, it->customer->name ? it->customer->name : "");
		printf("), %s, %s", pb, inv->currency);
		if (strcmp(inv->currency, "USD"))
			printf(" at %s per USD", fx);
		putchar('\n');
		for (k = 0; k < inv->nlines; k++) {
			const struct rate_line *l = &inv->lines[k];
			amount(buf, l->amount, inv->minor);
			cells[0] = rate_line_kind_name(l->kind);
			cells[1] = l->description;
			cells[2] = buf;
			out_table_add(t, cells);
		}
		cells[0] = "";
		cells[1] = "subtotal";
		amount(buf, inv->subtotal, inv->minor);
		cells[2] = buf;
		out_table_add(t, cells);
		dec_format_min(fx, sizeof(fx), inv->tax_rate_pct, DEC_FACTOR_DIGITS);
		snprintf(label, sizeof(label), "tax %s%%%s%s%s", fx,
			it->tax_cluster_name ? " (" : "",
			it->tax_cluster_name ? it->tax_cluster_name : "",
			it->tax_cluster_name ? ")" : "");
		label[utf8_whole(label, strlen(label))] = '\0';    /* a long name cut whole */
		cells[1] = label;
		amount(buf, inv->tax, inv->minor);
		out_table_add(t, cells);
		snprintf(label, sizeof(label), "total %s", inv->currency);
		cells[1] = label;
		amount(buf, inv->total, inv->minor);
		out_table_add(t, cells);
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
		if (it->explain)
			print_explain(it);
	}
}

static int preview(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_PERIOD, O_CUSTOMER, O_FORMAT, O_EXPLAIN };
	static const struct cli_option opts[] = {
		[O_PERIOD] = { "--period", 1, NULL }, [O_CUSTOMER] = { "--customer", 1, NULL },
		[O_FORMAT] = { "--format", 1, NULL }, [O_EXPLAIN] = { "--explain", 0, NULL },
		{ NULL, 0, NULL },
	};
	enum out_format fmt = OUT_TABLE;
	const char *period_arg, *customer;
	struct report_invoices *r = NULL;
	struct cli_args a;
	int period, rc, explain;

	if ((rc = cli_parse(&a, "invoice", opts, argc, argv, err)) < 0)
		return rc;
	explain = a.opt[O_EXPLAIN] != NULL;
	period_arg = a.opt[O_PERIOD];
	customer = a.opt[O_CUSTOMER];
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "invoice: unexpected argument '%s'", a.pos[0]);
	else if (a.opt[O_FORMAT] && (rc = out_format_parse(&fmt, a.opt[O_FORMAT], err)) == 0 &&
	         fmt == OUT_CSV)
		rc = rb_err_set(err, RB_EUSAGE, "invoice: format csv is not offered (table or json)");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!period_arg)
		return rb_err_set(err, RB_EUSAGE, "invoice: --period YYYY-MM is required");
	if (period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "invoice: bad period '%s' (expected YYYY-MM)", period_arg);
	if ((rc = (explain ? report_invoices_explain : report_invoices)(&r, ctx->store, period,
			customer, err)) < 0)
		return rc;
	{
		/* on stderr: the invoices on stdout stay what they are */
		struct report_warnings w;
		size_t i;
		if ((rc = report_preview_warnings(&w, ctx->store, period, customer, err)) < 0) {
			report_invoices_free(r);
			return rc;
		}
		for (i = 0; i < w.n; i++)
			fprintf(stderr, "warning: %s\n", w.msgs[i]);
		report_warnings_release(&w);
	}
	if (fmt == OUT_JSON)
		rc = print_json(r);
	else
		print_table(r);
	report_invoices_free(r);
	if (rc < 0 || fflush(stdout) == EOF)
		return rb_err_set(err, RB_EIO, "invoice: cannot write the output");
	return 0;
}

int cmd_invoice(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "preview", preview },
		{ "run", cmd_invoice_run }, { "list", cmd_invoice_list }, { "show", cmd_invoice_show },
		{ "finalize", cmd_invoice_finalize }, { "credit", cmd_invoice_credit },
		{ "rerate", cmd_invoice_rerate }, { "export", cmd_invoice_export },
		{ "pay", cmd_invoice_pay }, { "send", cmd_invoice_send },
		{ NULL, NULL },
	};
	return cli_dispatch("invoice", verbs, ctx, argc, argv, err);
}
