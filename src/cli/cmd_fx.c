/*
 * cmd_fx.c: `rebill fx set|list` — the USD -> invoice currency rate of a
 * billing period (spec §5). set is config_fx_set_edit (config/edit.h) run
 * through store_config_edit (same rules as `rebill config apply`, one
 * audit entry).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int set(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct config_fx_set c;
	struct config_result r;
	char label[64];
	int i, rc;

	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&c.period, argc, argv, &i, "--period", err)) != 0 ||
		    (rc = cli_opt(&c.currency, argc, argv, &i, "--currency", err)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (c.rate || (argv[i][0] == '-' && !(argv[i][1] >= '0' && argv[i][1] <= '9')))
			return rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help fx'", argv[i]);
		c.rate = argv[i];
	}
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

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "period", "currency", "rate" };
	static const int right[] = { 0, 0, 1 };
	enum out_format fmt = OUT_TABLE;
	const char *period = NULL, *fs = NULL;
	json_t *doc = NULL, *e, *o;
	struct out_table *t;
	size_t k;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&period, argc, argv, &i, "--period", err)) < 0 ||
		    (!rc && (rc = cli_opt(&fs, argc, argv, &i, "--format", err)) < 0))
			return rc;
		if (!rc)
			return rb_err_set(err, RB_EUSAGE, "usage: rebill fx list [--period YYYY-MM] [--format table|csv|json]");
	}
	if (fs && (rc = out_format_parse(&fmt, fs, err)) < 0)
		return rc;
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	t = out_table_new(3, head, right);
	o = json_array();
	json_array_foreach(json_object_get(doc, "fx"), k, e) {
		const char *cells[3] = { str(e, "period"), str(e, "currency"), str(e, "rate") };
		if (period && strcmp(period, cells[0]))
			continue;
		out_table_add(t, cells);
		json_array_append(o, e);
	}
	if (fmt == OUT_JSON) {
		out_json(o, 0);
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
	if (argc >= 2 && !strcmp(argv[1], "set"))
		return set(ctx, argc - 1, argv + 1, err);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return list(ctx, argc - 1, argv + 1, err);
	return rb_err_set(err, RB_EUSAGE, "usage: rebill fx set --period YYYY-MM --currency CUR RATE | fx list");
}
