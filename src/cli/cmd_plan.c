/*
 * cmd_plan.c: `rebill plan list|show|add|set|rule|fee` — pricing plans for
 * people. The changes are the edit verbs of config/edit.h run through
 * store_config_edit: validated as a whole like `rebill config apply`, one
 * audit entry each (issue 13).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "id", "basis", "markup_pct", "rules", "fees", "customers" };
	static const int right[] = { 0, 0, 1, 1, 1, 1 };
	enum out_format fmt = OUT_TABLE;
	static const struct cli_option opts[] = { { "--format", 1, NULL }, { NULL, 0, NULL } };
	const char *fs;
	json_t *doc = NULL, *e, *c;
	struct out_table *t;
	struct cli_args a;
	size_t i, k;
	int rc = 0;

	if ((rc = cli_parse(&a, "plan", opts, argc, argv, err)) < 0)
		return rc;
	fs = a.opt[0];
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill plan list [--format table|csv|json]");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (fs && (rc = out_format_parse(&fmt, fs, err)) < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		out_json(json_object_get(doc, "plans"));
		json_decref(doc);
		return 0;
	}
	t = out_table_new(6, head, right);
	json_array_foreach(json_object_get(doc, "plans"), i, e) {
		char nr[24], nf[24], nc[24];
		size_t n = 0;
		const char *cells[6] = { config_str(e, "id"), config_str(e, "basis"), config_str(e, "markup_pct"), nr, nf, nc };
		json_array_foreach(json_object_get(doc, "customers"), k, c)
			n += !strcmp(config_str(c, "plan"), config_str(e, "id"));
		snprintf(nr, sizeof(nr), "%zu", json_array_size(json_object_get(e, "rules")));
		snprintf(nf, sizeof(nf), "%zu", json_array_size(json_object_get(e, "fees")));
		snprintf(nc, sizeof(nc), "%zu", n);
		out_table_add(t, cells);
	}
	out_table_print(t, stdout, fmt);
	out_table_free(t);
	json_decref(doc);
	return 0;
}

static int show(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	json_t *doc = NULL, *e;
	size_t i;
	int rc;

	if (argc != 2)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill plan show ID");
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	json_array_foreach(json_object_get(doc, "plans"), i, e) {
		if (strcmp(config_str(e, "id"), argv[1]))
			continue;
		out_json(e);
		json_decref(doc);
		return 0;
	}
	json_decref(doc);
	return rb_err_set(err, RB_EINPUT, "no plan '%s'", argv[1]);
}

/* Runs one edit and says what happened, or prints why it was refused. */
static int run_edit(struct cli_ctx *ctx, config_edit_fn fn, void *arg, const char *source,
	const char *focus, const char *label, struct config_result *r, struct rb_err *err)
{
	int rc;
	config_result_init(r);
	rc = store_config_edit(ctx->store, fn, arg, source, r, err);
	return cli_config_done(r, rc, NULL, focus, label, err);
}

/* plan add|set ID [--basis B] [--currency C] [--markup-pct P] ...:
 * options parallel to config_plan_fields, then --discounts. */
static int add_or_set(struct cli_ctx *ctx, int argc, char **argv, int add, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--basis", 1, NULL }, { "--currency", 1, NULL }, { "--markup-pct", 1, "--markup" },
		{ "--credits", 1, NULL }, { "--refunds", 1, NULL }, { "--tax", 1, NULL },
		{ "--discounts", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_plan_change c;
	struct cli_args a;
	size_t f;
	int rc;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if ((rc = cli_parse(&a, "plan", opts, argc, argv, err)) < 0)
		return rc;
	for (f = 0; f < CONFIG_PLAN_NFIELDS; f++)
		c.values[f] = a.opt[f];
	c.discounts = a.opt[CONFIG_PLAN_NFIELDS];
	if (a.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help plan'", a.pos[1]);
	c.id = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!c.id)
		return rb_err_set(err, RB_EUSAGE, "which plan? see 'rebill help plan'");
	if (add && !c.values[0])
		return rb_err_set(err, RB_EUSAGE, "plan add needs --basis unblended|ondemand|effective|purchaser"
			" (it decides what is marked up: no default)");
	return cli_config_edit_verb(ctx, config_plan_edit, &c, add ? "plan add" : "plan set", c.focus, add, "plan", c.id, err);
}

static int add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_set(ctx, argc, argv, 1, err);
}

static int set(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_set(ctx, argc, argv, 0, err);
}

/* The plan entry id of the current configuration (*doc owned by the caller). */
static json_t *load_plan(struct cli_ctx *ctx, json_t **doc, const char *id, struct rb_err *err)
{
	json_t *e;
	size_t i;
	if (store_config_export(doc, ctx->store, err) < 0)
		return NULL;
	json_array_foreach(json_object_get(*doc, "plans"), i, e)
		if (!strcmp(config_str(e, "id"), id))
			return e;
	rb_err_set(err, RB_EINPUT, "no plan '%s'", id);
	return NULL;
}

/* plan rule list PLAN: the rules numbered as rule remove names them. */
static int rule_list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	json_t *doc = NULL, *plan, *e;
	size_t i;

	if (argc != 2)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill plan rule list PLAN");
	if (!(plan = load_plan(ctx, &doc, argv[1], err))) {
		json_decref(doc);
		return err->code ? err->code : RB_EINPUT;
	}
	json_array_foreach(json_object_get(plan, "rules"), i, e) {
		char d[512];
		config_rule_describe(d, sizeof(d), e);
		printf("%zu  ", i + 1);
		out_text(stdout, d);
		putchar('\n');
	}
	if (!json_array_size(json_object_get(plan, "rules")))
		printf("plan %s has no rules (default markup %s%%)\n", argv[1], config_str(plan, "markup_pct"));
	json_decref(doc);
	return 0;
}

static int rule_add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--service", 1, NULL }, { "--usage-type", 1, NULL }, { "--region", 1, NULL },
		{ "--account", 1, NULL }, { "--line-item-type", 1, NULL },
		{ "--markup-pct", 1, "--markup" }, { "--exclude", 0, NULL }, { NULL, 0, NULL },
	};
	struct config_rule_add c;
	struct config_result r;
	struct cli_args a;
	size_t f;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "plan", opts, argc, argv, err)) < 0)
		return rc;
	for (f = 0; f < CONFIG_RULE_NFIELDS; f++)
		c.values[f] = a.opt[f];
	c.exclude = a.opt[CONFIG_RULE_NFIELDS] != NULL;
	if (a.npos != 1)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill plan rule add PLAN [--service S] [--usage-type U]"
			" [--region R] [--account A] [--line-item-type T] (--markup-pct P | --exclude)");
	c.plan = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	/* no focus: a problem names the plan and the rule's field (rules[1].account) */
	rc = run_edit(ctx, config_rule_add_edit, &c, "plan rule add", NULL, NULL, &r, err);
	if (rc == 0 && !ctx->quiet)
		printf("plan %s: added rule %zu\n", c.plan, c.index);
	config_result_release(&r);
	return rc;
}

static int item_remove(struct cli_ctx *ctx, int argc, char **argv, int fee, struct rb_err *err)
{
	struct config_item_remove c;
	struct config_result r;
	int rc;

	memset(&c, 0, sizeof(c));
	if (argc != 3)
		return rb_err_set(err, RB_EUSAGE, fee ? "usage: rebill plan fee remove PLAN N"
			: "usage: rebill plan rule remove PLAN N|MATCH (e.g. service=AmazonEC2,usage_type=*Box*)");
	c.plan = argv[1];
	c.which = argv[2];
	rc = run_edit(ctx, fee ? config_fee_remove_edit : config_rule_remove_edit, &c,
		fee ? "plan fee remove" : "plan rule remove", NULL, NULL, &r, err);
	if (rc == 0 && !ctx->quiet) {
		printf("plan %s: removed %s ", c.plan, fee ? "fee" : "rule");
		out_text(stdout, c.removed);
		putchar('\n');
	}
	config_result_release(&r);
	return rc;
}

static int rule_remove(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return item_remove(ctx, argc, argv, 0, err);
}

static int fee_remove(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return item_remove(ctx, argc, argv, 1, err);
}

static int fee_add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--type", 1, NULL }, { "--amount", 1, NULL }, { "--pct", 1, NULL },
		{ "--min", 1, NULL }, { "--max", 1, NULL }, { "--description", 1, NULL },
		{ NULL, 0, NULL },
	};
	struct config_fee_add c;
	struct config_result r;
	struct cli_args a;
	size_t f;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "plan", opts, argc, argv, err)) < 0)
		return rc;
	for (f = 0; f < CONFIG_FEE_NFIELDS; f++)
		c.values[f] = a.opt[f];
	if (a.npos != 1 || !c.values[0])
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill plan fee add PLAN --type flat|per_account|percent"
			" [--amount A] [--pct P] [--min M] [--max M] [--description D]");
	c.plan = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	rc = run_edit(ctx, config_fee_add_edit, &c, "plan fee add", NULL, NULL, &r, err);
	if (rc == 0 && !ctx->quiet)
		printf("plan %s: added fee %zu\n", c.plan, c.index);
	config_result_release(&r);
	return rc;
}

static int rule(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", rule_add },
		{ "remove", rule_remove },
		{ "list", rule_list },
		{ NULL, NULL },
	};
	return cli_dispatch("plan", verbs, ctx, argc, argv, err);
}

static int fee(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", fee_add },
		{ "remove", fee_remove },
		{ NULL, NULL },
	};
	return cli_dispatch("plan", verbs, ctx, argc, argv, err);
}

int cmd_plan(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "list", list },
		{ "show", show },
		{ "add", add },
		{ "set", set },
		{ "rule", rule },
		{ "fee", fee },
		{ NULL, NULL },
	};
	return cli_dispatch("plan", verbs, ctx, argc, argv, err);
}
