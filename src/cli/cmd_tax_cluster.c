/*
 * cmd_tax_cluster.c: `rebill tax-cluster add|set|list` — the VAT clusters
 * customers are billed in (spec §4). add and set are
 * config_tax_cluster_edit (config/edit.h) run through store_config_edit:
 * the rules of `rebill config apply`, one audit entry (issue 13).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

static int add_or_set(struct cli_ctx *ctx, int argc, char **argv, int add, struct rb_err *err)
{
	/* parallel to config_tax_cluster_fields */
	static const struct cli_option opts[] = {
		{ "--name", 1, NULL }, { "--rate-pct", 1, "--rate" }, { "--note", 1, NULL },
		{ "--category", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_tax_cluster_change c;
	struct cli_args a;
	size_t f;
	int rc;

	memset(&c, 0, sizeof(c));
	c.add = add;
	if ((rc = cli_parse(&a, "tax-cluster", opts, argc, argv, err)) < 0)
		return rc;
	for (f = 0; f < CONFIG_TAX_CLUSTER_NFIELDS; f++)
		c.values[f] = a.opt[f];
	if (a.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help tax-cluster'", a.pos[1]);
	c.id = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!c.id)
		return rb_err_set(err, RB_EUSAGE, "which tax cluster? see 'rebill help tax-cluster'");
	if (add && (!c.values[0] || !c.values[1]))
		return rb_err_set(err, RB_EUSAGE, "tax-cluster add needs --name and --rate-pct");
	return cli_config_edit_verb(ctx, config_tax_cluster_edit, &c, add ? "tax-cluster add" : "tax-cluster set", c.focus, add, "tax cluster", c.id, err);
}

static int add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_set(ctx, argc, argv, 1, err);
}

static int set(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return add_or_set(ctx, argc, argv, 0, err);
}

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "id", "name", "rate_pct", "category", "note" };
	static const int right[] = { 0, 0, 1, 0, 0 };
	static const struct cli_option opts[] = { { "--format", 1, NULL }, { NULL, 0, NULL } };
	enum out_format fmt = OUT_TABLE;
	json_t *doc = NULL, *e;
	struct out_table *t;
	struct cli_args a;
	size_t i;
	int rc;

	if ((rc = cli_parse(&a, "tax-cluster", opts, argc, argv, err)) < 0)
		return rc;
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill tax-cluster list [--format table|csv|json]");
	else if (a.opt[0])
		rc = out_format_parse(&fmt, a.opt[0], err);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		out_json(json_object_get(doc, "tax_clusters"));
		json_decref(doc);
		return 0;
	}
	t = out_table_new(5, head, right);
	json_array_foreach(json_object_get(doc, "tax_clusters"), i, e) {
		const char *cells[5] = { config_str(e, "id"), config_str(e, "name"),
			config_str(e, "rate_pct"), config_str(e, "category"), config_str(e, "note") };
		out_table_add(t, cells);
	}
	out_table_print(t, stdout, fmt);
	out_table_free(t);
	json_decref(doc);
	return 0;
}

int cmd_tax_cluster(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", add },
		{ "set", set },
		{ "list", list },
		{ NULL, NULL },
	};
	return cli_dispatch("tax-cluster", verbs, ctx, argc, argv, err);
}
