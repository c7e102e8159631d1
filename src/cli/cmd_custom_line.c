/*
 * cmd_custom_line.c: `rebill custom-line add|remove|list` — one-off lines
 * of a customer's invoice for a period (spec §5 step 5). add and remove
 * are config_custom_add_edit / config_custom_remove_edit (config/edit.h)
 * run through store_config_edit: the rules of `rebill config apply`, one
 * audit entry (the object custom_lines:CUSTOMER:PERIOD; issue 13).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

static int add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--customer", 1, NULL }, { "--period", 1, NULL }, { "--description", 1, NULL },
		{ "--amount", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_custom_add c;
	struct config_result r;
	struct cli_args a;
	char label[160];
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "custom-line", opts, argc, argv, err)) < 0)
		return rc;
	c.customer = a.opt[0];
	c.period = a.opt[1];
	c.description = a.opt[2];
	c.amount = a.opt[3];
	if (a.npos || !c.customer || !c.period || !c.description || !c.amount)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill custom-line add --customer C --period YYYY-MM"
			" --description TEXT --amount AMOUNT");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	config_result_init(&r);
	snprintf(label, sizeof(label), "custom line of '%s' for %s", c.customer, c.period);
	rc = store_config_edit(ctx->store, config_custom_add_edit, &c, "custom-line add", &r, err);
	rc = cli_config_done(&r, rc, NULL, c.focus, label, err);
	if (rc == 0 && !ctx->quiet)
		printf("custom line %zu of %s for %s: %s\n", c.index, c.customer, c.period, c.amount);
	config_result_release(&r);
	return rc;
}

static int remove_line(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--customer", 1, NULL }, { "--period", 1, NULL }, { "--description", 1, NULL },
		{ NULL, 0, NULL },
	};
	struct config_custom_remove c;
	struct config_result r;
	struct cli_args a;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "custom-line", opts, argc, argv, err)) < 0)
		return rc;
	c.customer = a.opt[0];
	c.period = a.opt[1];
	c.description = a.opt[2];
	c.which = a.npos ? a.pos[0] : NULL;
	if (a.npos > 1 || !c.customer || !c.period || (c.which && c.description))
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill custom-line remove --customer C --period YYYY-MM"
			" [N | --description TEXT]");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	config_result_init(&r);
	rc = store_config_edit(ctx->store, config_custom_remove_edit, &c, "custom-line remove", &r, err);
	rc = cli_config_done(&r, rc, NULL, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet) {
		printf("removed custom line of %s for %s: ", c.customer, c.period);
		out_text(stdout, c.removed);
		putchar('\n');
	}
	config_result_release(&r);
	return rc;
}

/* custom-line list: numbered per customer and period, as remove takes N. */
static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "customer", "period", "n", "amount", "description" };
	static const int right[] = { 0, 0, 1, 1, 0 };
	static const struct cli_option opts[] = {
		{ "--customer", 1, NULL }, { "--period", 1, NULL }, { "--format", 1, NULL },
		{ NULL, 0, NULL },
	};
	enum out_format fmt = OUT_TABLE;
	json_t *doc = NULL, *e, *sel;
	const char *cust, *period, *pc = "", *pp = "";
	struct out_table *t;
	struct cli_args a;
	size_t i, n = 0;
	int rc;

	if ((rc = cli_parse(&a, "custom-line", opts, argc, argv, err)) < 0)
		return rc;
	cust = a.opt[0];
	period = a.opt[1];
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill custom-line list [--customer C] [--period YYYY-MM]"
			" [--format table|csv|json]");
	else if (a.opt[2])
		rc = out_format_parse(&fmt, a.opt[2], err);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	sel = json_array();
	t = out_table_new(5, head, right);
	/* canonical: sorted by customer and period, entry order kept */
	json_array_foreach(json_object_get(doc, "custom_lines"), i, e) {
		char num[24];
		const char *c = config_str(e, "customer"), *p = config_str(e, "period");
		n = strcmp(c, pc) || strcmp(p, pp) ? 1 : n + 1;
		pc = c;
		pp = p;
		if ((cust && strcmp(c, cust)) || (period && strcmp(p, period)))
			continue;
		snprintf(num, sizeof(num), "%zu", n);
		{
			const char *cells[5] = { c, p, num, config_str(e, "amount"), config_str(e, "description") };
			out_table_add(t, cells);
		}
		json_array_append(sel, e);
	}
	if (fmt == OUT_JSON)
		out_json(sel);
	else
		out_table_print(t, stdout, fmt);
	out_table_free(t);
	json_decref(sel);
	json_decref(doc);
	return 0;
}

int cmd_custom_line(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", add },
		{ "remove", remove_line },
		{ "list", list },
		{ NULL, NULL },
	};
	return cli_dispatch("custom-line", verbs, ctx, argc, argv, err);
}
