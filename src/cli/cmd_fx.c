/*
 * cmd_fx.c: `rebill fx set|list` — the USD -> invoice currency rate of a
 * billing period (spec §5). set is config_fx_set_edit (config/edit.h) run
 * through store_config_edit (same rules as `rebill config apply`, one
 * audit entry).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "store/store_config.h"
#include "util/banned.h"

static int set(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--period", 1, NULL }, { "--currency", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_fx_set c;
	struct config_result r;
	struct cli_args a;
	char label[64];
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "fx", opts, argc, argv, err)) < 0)
		return rc;
	c.period = a.opt[0];
	c.currency = a.opt[1];
	if (a.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help fx'", a.pos[1]);
	c.rate = a.npos ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (!c.period || !c.currency || !c.rate)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill fx set --period YYYY-MM --currency CUR RATE");
	config_result_init(&r);
	snprintf(label, sizeof(label), "fx %s %s", c.period, c.currency);
	rc = store_config_edit(ctx->store, config_fx_set_edit, &c, "fx set", &r, err);
	rc = cli_config_done(&r, rc, NULL, c.focus, label, err);
	if (rc == 0 && !ctx->quiet) {
		if (c.was[0])
			printf("fx %s: 1 USD = %s %s (was %s)\n", c.period, c.rate, c.currency, c.was);
		else
			printf("fx %s: 1 USD = %s %s\n", c.period, c.rate, c.currency);
	}
	config_result_release(&r);
	return rc;
}

static int unset(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--period", 1, NULL }, { "--currency", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_fx_unset c;
	struct config_result r;
	struct cli_args a;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(&a, "fx", opts, argc, argv, err)) < 0)
		return rc;
	c.period = a.opt[0];
	c.currency = a.opt[1];
	if (a.npos || !c.period || !c.currency)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill fx unset --period YYYY-MM --currency CUR");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	config_result_init(&r);
	rc = store_config_edit(ctx->store, config_fx_unset_edit, &c, "fx unset", &r, err);
	rc = cli_config_done(&r, rc, NULL, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet)
		printf("fx %s: %s rate removed (was %s)\n", c.period, c.currency, c.was);
	config_result_release(&r);
	return rc;
}

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "period", "currency", "rate" };
	static const int right[] = { 0, 0, 1 };
	enum out_format fmt = OUT_TABLE;
	static const struct cli_option opts[] = {
		{ "--period", 1, NULL }, { "--format", 1, NULL }, { NULL, 0, NULL },
	};
	const char *period, *fs;
	json_t *doc = NULL, *e, *o;
	struct out_table *t;
	struct cli_args a;
	size_t k;
	int rc = 0;

	if ((rc = cli_parse(&a, "fx", opts, argc, argv, err)) < 0)
		return rc;
	period = a.opt[0];
	fs = a.opt[1];
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill fx list [--period YYYY-MM] [--format table|csv|json]");
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (fs && (rc = out_format_parse(&fmt, fs, err)) < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	t = out_table_new(3, head, right);
	o = report_fx_json(doc, period);
	json_array_foreach(o, k, e) {
		const char *cells[3] = { config_str(e, "period"), config_str(e, "currency"), config_str(e, "rate") };
		out_table_add(t, cells);
	}
	if (fmt == OUT_JSON) {
		out_json(o);
	} else {
		out_table_print(t, stdout, fmt);
	}
	out_table_free(t);
	json_decref(o);
	json_decref(doc);
	return 0;
}

int cmd_fx(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "set", set },
		{ "unset", unset },
		{ "list", list },
		{ NULL, NULL },
	};
	return cli_dispatch("fx", verbs, ctx, argc, argv, err);
}
