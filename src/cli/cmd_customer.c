/*
 * cmd_customer.c: `rebill customer add|list|show|edit` — customers for
 * people. add and edit are config_customer_edit (config/edit.h) run
 * through store_config_edit, so they obey exactly the rules of
 * `rebill config apply` and leave an audit entry.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

/* Index of customer id in doc, or -1. */
static long find_customer(json_t *doc, const char *id)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(doc, "customers"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "id")), id))
			return (long)i;
	return -1;
}

/* --name, --currency, ... parallel to config_customer_fields ("_" is "-"). */
static const struct cli_option customer_options[] = {
	{ "--name", 1, NULL }, { "--currency", 1, NULL }, { "--plan", 1, NULL },
	{ "--tax-cluster", 1, NULL }, { "--grouping", 1, NULL }, { "--email", 1, NULL },
	{ "--address", 1, NULL }, { "--vat-id", 1, NULL }, { NULL, 0, NULL },
};

static int add_or_edit(struct cli_ctx *ctx, int argc, char **argv, int add, struct rb_err *err)
{
	struct config_customer_change c;
	struct cli_args a;
	size_t f;
	int rc;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if ((rc = cli_parse(&a, "customer", customer_options, argc, argv, err)) < 0)
		return rc;
	for (f = 0; f < CONFIG_CUSTOMER_NFIELDS; f++)
		c.values[f] = a.opt[f];
	if (a.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help customer'", a.pos[1]);
	c.id = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!c.id)
		return rb_err_set(err, RB_EUSAGE, "which customer? see 'rebill help customer'");
	if (add && (!c.values[0] || !c.values[1] || !c.values[2]))
		return rb_err_set(err, RB_EUSAGE, "customer add needs --name, --currency and --plan");
	return cli_config_edit_verb(ctx, config_customer_edit, &c, add ? "customer add" : "customer edit", c.focus, add, "customer", c.id, err);
}

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "id", "name", "currency", "plan", "tax_cluster",
		"grouping", "accounts" };
	static const int right[] = { 0, 0, 0, 0, 0, 0, 1 };
	enum out_format fmt = OUT_TABLE;
	const char *fs = NULL;
	static const struct cli_option format_option[] = { { "--format", 1, NULL }, { NULL, 0, NULL } };
	json_t *doc = NULL, *e;
	struct out_table *t;
	struct cli_args args;
	size_t i;
	int rc = 0;

	if ((rc = cli_parse(&args, "customer", format_option, argc, argv, err)) < 0)
		return rc;
	fs = args.opt[0];
	if (args.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill customer list [--format table|csv|json]");
	else if (fs)
		rc = out_format_parse(&fmt, fs, err);
	cli_args_release(&args);
	if (rc < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		out_json(json_object_get(doc, "customers"));
		json_decref(doc);
		return 0;
	}
	t = out_table_new(7, head, right);
	json_array_foreach(json_object_get(doc, "customers"), i, e) {
		char n[24];
		const char *cells[7];
		snprintf(n, sizeof(n), "%zu", json_array_size(json_object_get(e, "accounts")));
		cells[0] = config_str(e, "id");
		cells[1] = config_str(e, "name");
		cells[2] = config_str(e, "currency");
		cells[3] = config_str(e, "plan");
		cells[4] = config_str(e, "tax_cluster");
		cells[5] = config_str(e, "grouping");
		cells[6] = n;
		out_table_add(t, cells);
	}
	out_table_print(t, stdout, fmt);
	out_table_free(t);
	json_decref(doc);
	return 0;
}

static int show(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "account", "from", "to" };
	json_t *doc = NULL, *o, *e;
	struct out_table *t;
	size_t i, f;
	long k;
	int rc;

	if (argc != 2)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill customer show ID");
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	k = find_customer(doc, argv[1]);
	if (k < 0) {
		json_decref(doc);
		return rb_err_set(err, RB_EINPUT, "no customer '%s'", argv[1]);
	}
	o = json_array_get(json_object_get(doc, "customers"), (size_t)k);
	printf("%-12s %s\n", "id:", config_str(o, "id"));
	for (f = 0; config_customer_fields[f]; f++) {
		char lab[32];
		if (!json_object_get(o, config_customer_fields[f]))
			continue;
		snprintf(lab, sizeof(lab), "%s:", config_customer_fields[f]);
		printf("%-12s ", lab);
		out_text(stdout, config_str(o, config_customer_fields[f]));
		putchar('\n');
	}
	printf("\naccounts:\n");
	t = out_table_new(3, head, NULL);
	json_array_foreach(json_object_get(o, "accounts"), i, e) {
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *to = json_string_value(json_object_get(e, "to"));
		const char *cells[3] = { config_str(e, "id"), from ? from : OUT_OPEN, to ? to : OUT_OPEN };
		out_table_add(t, cells);
	}
	out_table_print(t, stdout, OUT_TABLE);
	out_table_free(t);
	json_array_foreach(json_object_get(doc, "custom_lines"), i, e) {
		if (strcmp(config_str(e, "customer"), argv[1]))
			continue;
		printf("custom line %s: %s %s %s\n", config_str(e, "period"), config_str(e, "amount"),
			config_str(o, "currency"), config_str(e, "description"));
	}
	json_decref(doc);
	return 0;
}

static int add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_edit(ctx, argc, argv, 1, err);
}

static int edit(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_edit(ctx, argc, argv, 0, err);
}

/* customer remove ID [--unassign]: refused while the customer holds
 * accounts (unless --unassign) or finalized documents name it. */
static int remove_customer(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = { { "--unassign", 0, NULL }, { NULL, 0, NULL } };
	struct config_customer_remove c;
	struct config_result r;
	struct cli_args a;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "customer", opts, argc, argv, err)) < 0)
		return rc;
	c.unassign = a.opt[0] != NULL;
	c.id = a.npos == 1 ? a.pos[0] : NULL;
	if (!c.id)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill customer remove ID [--unassign]");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	config_result_init(&r);
	rc = store_config_edit(ctx->store, config_customer_remove_edit, &c, "customer remove", &r, err);
	rc = cli_config_done(&r, rc, NULL, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet) {
		printf("removed customer %s", c.id);
		if (c.ncustom)
			printf(" and its %zu custom line%s", c.ncustom, c.ncustom == 1 ? "" : "s");
		putchar('\n');
		if (c.naccounts)
			printf("now unassigned: %s\n", c.accounts);
	}
	config_result_release(&r);
	return rc;
}

int cmd_customer(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", add },
		{ "edit", edit },
		{ "remove", remove_customer },
		{ "list", list },
		{ "show", show },
		{ NULL, NULL },
	};
	return cli_dispatch("customer", verbs, ctx, argc, argv, err);
}
