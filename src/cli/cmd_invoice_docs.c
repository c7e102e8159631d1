/*
 * cmd_invoice_docs.c: the document verbs of `rebill invoice` — run, list,
 * show, finalize, credit, rerate, export, pay, send (in cmd_invoice.c's verb
 * table) — plus `rebill export journal` and `rebill report receivables`. Each parses its options from a
 * table, calls one library function of src/invoice and prints; nothing
 * here computes money.
 *
 * Not for: `invoice preview` (cmd_invoice.c).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "invoice/invoice.h"
#include "invoice/mail.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* A verb's options, for cli_parse (main.c, the one parser): --name VALUE
 * (or --name=VALUE) sets *val, a flag (val NULL) sets *flag to 1. */
struct opt {
	const char *name;
	const char **val;
	int *flag;
};

/* Parses argv[1..] with cli_parse against opts; positional arguments go to
 * pos (at most npos). RB_EUSAGE naming the offending word. */
static int parse(const char *cmd, int argc, char **argv, const struct opt *opts,
	const char **pos, int npos, struct rb_err *err)
{
	struct cli_option table[CLI_MAX_OPTIONS + 1];
	char names[CLI_MAX_OPTIONS][32];
	struct cli_args a;
	char label[48];
	int i, n, rc;

	for (n = 0; opts[n].name && n < CLI_MAX_OPTIONS; n++) {
		snprintf(names[n], sizeof(names[n]), "--%s", opts[n].name);
		table[n].name = names[n];
		table[n].value = opts[n].val != NULL;
		table[n].short_name = NULL;
	}
	table[n].name = NULL;
	table[n].value = 0;
	table[n].short_name = NULL;
	snprintf(label, sizeof(label), "invoice %s", cmd);
	if ((rc = cli_parse(&a, label, table, argc, argv, err)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (!a.opt[i])
			continue;
		if (opts[i].val)
			*opts[i].val = a.opt[i];
		else
			*opts[i].flag = 1;
	}
	if (a.npos > npos)
		rc = rb_err_set(err, RB_EUSAGE, "invoice %s: unexpected argument '%s'", cmd, a.pos[npos]);
	for (i = 0; rc == 0 && i < a.npos; i++)
		pos[i] = a.pos[i];
	cli_args_release(&a);
	return rc;
}

static int need_period(int *period, const char *cmd, const char *arg, struct rb_err *err)
{
	if (!arg)
		return rb_err_set(err, RB_EUSAGE, "invoice %s: --period YYYY-MM is required", cmd);
	if (period_parse(period, arg, strlen(arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "invoice %s: bad period '%s' (expected YYYY-MM)", cmd, arg);
	return 0;
}

static int flush(struct rb_err *err)
{
	if (fflush(stdout) == EOF)
		return rb_err_set(err, RB_EIO, "cannot write the output");
	return 0;
}

static void print_issued(const struct invoice_issued *r, const char *verb)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		printf("%s %s\n", verb, r->numbers[i]);
}

int cmd_invoice_run(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *c = NULL;
	const struct opt opts[] = { { "period", &p, NULL }, { "customer", &c, NULL }, { 0 } };
	size_t n, skipped;
	int period, rc;
	if ((rc = parse("run", argc, argv, opts, NULL, 0, err)) < 0 ||
	    (rc = need_period(&period, "run", p, err)) < 0 ||
	    (rc = invoice_run(&n, &skipped, ctx->store, period, c, err)) < 0)
		return rc;
	printf("%zu draft%s for %s", n, n == 1 ? "" : "s", p);
	if (skipped)
		printf(" (%zu customer%s already invoiced for %s: correct with 'rebill invoice rerate')",
			skipped, skipped == 1 ? "" : "s", p);
	putchar('\n');
	return flush(err);
}

int cmd_invoice_list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const heads[] = { "id", "type", "customer", "period", "status",
		"currency", "total" };
	static const int right[] = { 0, 0, 0, 0, 0, 0, 1 };
	const char *p = NULL, *c = NULL, *st = NULL, *f = NULL;
	const struct opt opts[] = { { "period", &p, NULL }, { "customer", &c, NULL },
		{ "status", &st, NULL }, { "format", &f, NULL }, { 0 } };
	enum out_format fmt = OUT_TABLE;
	json_t *j = NULL, *e;
	size_t i;
	int period, rc;

	if ((rc = parse("list", argc, argv, opts, NULL, 0, err)) < 0)
		return rc;
	if (p && (rc = need_period(&period, "list", p, err)) < 0)
		return rc;
	if (f && (rc = out_format_parse(&fmt, f, err)) < 0)
		return rc;
	if ((rc = invoice_list_json(&j, ctx->store, p, c, st, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		rc = out_json(j);
	} else {
		struct out_table *t = out_table_new(7, heads, right);
		json_array_foreach(json_object_get(j, "documents"), i, e) {
			const char *cells[7];
			cells[0] = json_string_value(json_object_get(e, "id"));
			cells[1] = json_string_value(json_object_get(e, "type"));
			cells[2] = json_string_value(json_object_get(e, "customer"));
			cells[3] = json_string_value(json_object_get(e, "period"));
			cells[4] = json_string_value(json_object_get(e, "status"));
			cells[5] = json_string_value(json_object_get(e, "currency"));
			cells[6] = json_string_value(json_object_get(e, "total"));
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, fmt);
		out_table_free(t);
	}
	json_decref(j);
	return rc < 0 ? rb_err_set(err, RB_EIO, "cannot write the output") : flush(err);
}

static int write_out(const char *path, const struct strbuf *sb, struct rb_err *err)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (!f)
		return rb_err_set(err, RB_EIO, "%s: cannot create the file", path ? path : "stdout");
	if (fwrite(sb->buf, 1, sb->len, f) != sb->len || (path ? fclose(f) : fflush(f)) != 0)
		return rb_err_set(err, RB_EIO, "%s: cannot write", path ? path : "stdout");
	return 0;
}

int cmd_invoice_show(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *f = NULL, *out = NULL, *ref = NULL;
	const struct opt opts[] = { { "format", &f, NULL }, { "out", &out, NULL }, { 0 } };
	enum invoice_format fmt = INVOICE_FMT_TABLE;
	struct doc *d = NULL;
	struct strbuf sb;
	int rc;

	if ((rc = parse("show", argc, argv, opts, &ref, 1, err)) < 0)
		return rc;
	if (!ref)
		return rb_err_set(err, RB_EUSAGE, "invoice show: NUMBER or DRAFT-ID is required");
	if (f && invoice_format_parse(&fmt, f) < 0)
		return rb_err_set(err, RB_EUSAGE, "invoice show: unknown format '%s' (expected table, "
			"json, html, pdf, csv or ubl)", f);
	if ((fmt == INVOICE_FMT_PDF) && !out && isatty(STDOUT_FILENO))
		return rb_err_set(err, RB_EUSAGE, "invoice show: a PDF goes to a file: add --out FILE");
	if ((rc = invoice_get(&d, ctx->store, ref, err)) < 0)
		return rc;
	strbuf_init(&sb, 1 << 16, (size_t)256 << 20);
	if ((rc = invoice_render(&sb, d, fmt, err)) == 0)
		rc = write_out(out, &sb, err);
	strbuf_release(&sb);
	doc_free(d);
	return rc;
}

int cmd_invoice_finalize(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *c = NULL, *date = NULL;
	const struct opt opts[] = { { "period", &p, NULL }, { "customer", &c, NULL },
		{ "date", &date, NULL }, { 0 } };
	struct invoice_issued r = { 0 };
	int period, rc;
	if ((rc = parse("finalize", argc, argv, opts, NULL, 0, err)) < 0 ||
	    (rc = need_period(&period, "finalize", p, err)) < 0 ||
	    (rc = invoice_finalize(&r, ctx->store, period, c, date, err)) < 0)
		return rc;
	print_issued(&r, "finalized");
	invoice_issued_release(&r);
	return flush(err);
}

int cmd_invoice_credit(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *reason = NULL, *date = NULL, *number = NULL;
	const struct opt opts[] = { { "reason", &reason, NULL }, { "date", &date, NULL }, { 0 } };
	struct invoice_issued r = { 0 };
	int rc;
	if ((rc = parse("credit", argc, argv, opts, &number, 1, err)) < 0)
		return rc;
	if (!number)
		return rb_err_set(err, RB_EUSAGE, "invoice credit: NUMBER is required");
	if ((rc = invoice_credit(&r, ctx->store, number, reason, date, err)) < 0)
		return rc;
	printf("credited %s with %s\n", number, r.numbers[0]);
	invoice_issued_release(&r);
	return flush(err);
}

int cmd_invoice_rerate(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *date = NULL, *f = NULL;
	int dry = 0, period, rc;
	const struct opt opts[] = { { "period", &p, NULL }, { "date", &date, NULL },
		{ "dry-run", NULL, &dry }, { "format", &f, NULL }, { 0 } };
	enum invoice_format fmt = INVOICE_FMT_TABLE;
	struct invoice_issued r = { 0 };
	struct doc **docs = NULL;
	size_t n = 0, i;
	struct strbuf sb;

	if ((rc = parse("rerate", argc, argv, opts, NULL, 0, err)) < 0 ||
	    (rc = need_period(&period, "rerate", p, err)) < 0)
		return rc;
	if (f && (invoice_format_parse(&fmt, f) < 0 || (fmt != INVOICE_FMT_TABLE &&
			fmt != INVOICE_FMT_JSON)))
		return rb_err_set(err, RB_EUSAGE, "invoice rerate: format is table or json");
	if ((rc = invoice_rerate(&r, &docs, &n, ctx->store, period, dry, date, err)) < 0)
		return rc;
	strbuf_init(&sb, 4096, (size_t)64 << 20);
	if (!n)
		printf("nothing to correct for %s\n", p);
	for (i = 0; i < n && rc == 0; i++) {
		if (fmt == INVOICE_FMT_TABLE && i)
			strbuf_addch(&sb, '\n');
		rc = invoice_render(&sb, docs[i], fmt, err);
		doc_free(docs[i]);
	}
	for (; i < n; i++)
		doc_free(docs[i]);
	free(docs);
	if (rc == 0)
		rc = write_out(NULL, &sb, err);
	if (rc == 0 && !dry)
		print_issued(&r, "issued");
	else if (rc == 0 && n)
		printf("dry run: %zu correction%s not issued\n", n, n == 1 ? "" : "s");
	strbuf_release(&sb);
	invoice_issued_release(&r);
	return rc < 0 ? rc : flush(err);
}

int cmd_invoice_export(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *out = NULL;
	const struct opt opts[] = { { "period", &p, NULL }, { "out", &out, NULL }, { 0 } };
	struct invoice_issued skipped = { 0 };
	size_t n, i;
	int period, rc;
	if ((rc = parse("export", argc, argv, opts, NULL, 0, err)) < 0 ||
	    (rc = need_period(&period, "export", p, err)) < 0)
		return rc;
	if (!out)
		return rb_err_set(err, RB_EUSAGE, "invoice export: --out DIR is required");
	rc = invoice_export(&n, &skipped, ctx->store, period, out, err);
	for (i = 0; i < skipped.n; i++)
		fprintf(stderr, "rebill: warning: %s\n", skipped.numbers[i]);
	invoice_issued_release(&skipped);
	if (rc < 0)
		return rc;
	printf("%zu document%s of %s written to %s (PDF, UBL, HTML, CSV)\n", n, n == 1 ? "" : "s",
		p, out);
	return flush(err);
}

int cmd_invoice_pay(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *amount = NULL, *date = NULL, *number = NULL;
	const struct opt opts[] = { { "amount", &amount, NULL }, { "date", &date, NULL }, { 0 } };
	int rc;
	if ((rc = parse("pay", argc, argv, opts, &number, 1, err)) < 0)
		return rc;
	if (!number || !amount)
		return rb_err_set(err, RB_EUSAGE, "invoice pay: NUMBER and --amount X are required");
	if ((rc = invoice_pay(ctx->store, number, amount, date, err)) < 0)
		return rc;
	printf("recorded %s on %s\n", amount, number);
	return flush(err);
}

int cmd_invoice_send(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *number = NULL;
	int force = 0, period = 0, rc;
	const struct opt opts[] = { { "period", &p, NULL }, { "force", NULL, &force }, { 0 } };
	struct invoice_issued r = { 0 };
	if ((rc = parse("send", argc, argv, opts, &number, 1, err)) < 0)
		return rc;
	if (!number == !p)
		return rb_err_set(err, RB_EUSAGE, "invoice send: give NUMBER or --period YYYY-MM");
	if (p && (rc = need_period(&period, "send", p, err)) < 0)
		return rc;
	rc = invoice_send(&r, ctx->store, number, p ? period : -1, force, err);
	print_issued(&r, "sent");
	invoice_issued_release(&r);
	return rc < 0 ? rc : flush(err);
}

static int journal(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *p = NULL, *f = NULL, *out = NULL;
	const struct opt opts[] = { { "period", &p, NULL }, { "format", &f, NULL },
		{ "out", &out, NULL }, { 0 } };
	struct strbuf sb;
	int period, rc;
	if ((rc = parse("journal", argc, argv, opts, NULL, 0, err)) < 0 ||
	    (rc = need_period(&period, "journal", p, err)) < 0)
		return rc;
	if (f && strcmp(f, "csv"))
		return rb_err_set(err, RB_EUSAGE, "export journal: the format is csv");
	strbuf_init(&sb, 4096, (size_t)256 << 20);
	if ((rc = invoice_journal_csv(&sb, ctx->store, period, err)) == 0)
		rc = write_out(out, &sb, err);
	strbuf_release(&sb);
	return rc;
}

int cmd_export(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = { { "journal", journal }, { NULL, NULL } };
	return cli_dispatch("export", verbs, ctx, argc, argv, err);
}

int cmd_report_receivables(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const heads[] = { "number", "customer", "due", "status", "days late",
		"currency", "total", "paid", "open" };
	static const int right[] = { 0, 0, 0, 0, 1, 0, 1, 1, 1 };
	const char *asof = NULL, *f = NULL;
	const struct opt opts[] = { { "as-of", &asof, NULL }, { "format", &f, NULL }, { 0 } };
	enum out_format fmt = OUT_TABLE;
	json_t *j = NULL, *e;
	size_t i;
	int rc;

	if ((rc = parse("receivables", argc, argv, opts, NULL, 0, err)) < 0)
		return rc;
	if (f && (rc = out_format_parse(&fmt, f, err)) < 0)
		return rc;
	if ((rc = invoice_receivables_json(&j, ctx->store, asof, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		rc = out_json(j);
	} else {
		struct out_table *t = out_table_new(9, heads, right);
		json_array_foreach(json_object_get(j, "invoices"), i, e) {
			const char *cells[9];
			char late[24];
			snprintf(late, sizeof(late), "%" JSON_INTEGER_FORMAT,
				json_integer_value(json_object_get(e, "days_late")));
			cells[0] = json_string_value(json_object_get(e, "number"));
			cells[1] = json_string_value(json_object_get(e, "customer"));
			cells[2] = json_string_value(json_object_get(e, "due_date"));
			cells[3] = json_string_value(json_object_get(e, "status"));
			cells[4] = late;
			cells[5] = json_string_value(json_object_get(e, "currency"));
			cells[6] = json_string_value(json_object_get(e, "total"));
			cells[7] = json_string_value(json_object_get(e, "paid"));
			cells[8] = json_string_value(json_object_get(e, "open"));
			out_table_add(t, cells);
		}
		if (fmt == OUT_TABLE)
			printf("receivables as of %s\n", json_string_value(json_object_get(j, "as_of")));
		out_table_print(t, stdout, fmt);
		out_table_free(t);
		if (fmt == OUT_TABLE)
			json_array_foreach(json_object_get(j, "totals"), i, e)
				printf("open %s %s, of which overdue %s\n",
					json_string_value(json_object_get(e, "currency")),
					json_string_value(json_object_get(e, "open")),
					json_string_value(json_object_get(e, "overdue")));
	}
	json_decref(j);
	return rc < 0 ? rb_err_set(err, RB_EIO, "cannot write the output") : flush(err);
}
