/*
 * cmd_plan.c: `rebill plan list|show` — pricing plans for people. Plans
 * are edited in the configuration document (`rebill config export`, edit,
 * `rebill config apply`), which validates them as a whole.
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

int cmd_plan(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "list", list },
		{ "show", show },
		{ NULL, NULL },
	};
	return cli_dispatch("plan", verbs, ctx, argc, argv, err);
}
