/*
 * cmd_account.c: `rebill account assign|unassign|list` — which customer
 * holds which AWS account, month by month. assign and unassign are the
 * edit verbs of config/edit.h run through store_config_edit (same rules
 * as `rebill config apply`, one audit entry per customer changed).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/period.h"
#include "util/banned.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int check_period(const char *opt, const char *s, struct rb_err *err)
{
	int p;
	if (s && period_parse(&p, s, strlen(s)) < 0)
		return rb_err_set(err, RB_EUSAGE, "bad %s '%s' (expected YYYY-MM)", opt, s);
	return 0;
}

static int assign(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct config_assign a;
	struct config_result r;
	char label[128];
	int i, rc;

	memset(&a, 0, sizeof(a));
	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&a.from, argc, argv, &i, "--from", err)) != 0 ||
		    (rc = cli_opt(&a.to, argc, argv, &i, "--to", err)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (argv[i][0] == '-' || (a.account && a.customer))
			return rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help account'", argv[i]);
		if (!a.account)
			a.account = argv[i];
		else
			a.customer = argv[i];
	}
	if (!a.customer)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill account assign ACCOUNT CUSTOMER [--from YYYY-MM] [--to YYYY-MM]");
	config_result_init(&r);
	snprintf(label, sizeof(label), "customer '%s'", a.customer);
	rc = store_config_edit(ctx->store, config_assign_edit, &a, "account assign", &r, err);
	rc = cli_config_done(&r, rc, NULL, a.focus, label, err);
	if (rc == 0 && !ctx->quiet) {
		printf("assigned %s to %s", a.account, a.customer);
		if (a.from)
			printf(" from %s", a.from);
		if (a.to)
			printf(" to %s", a.to);
		if (!a.from && !a.to)
			printf(" for every period");
		puts("");
	}
	config_result_release(&r);
	return rc;
}

static int unassign(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct config_unassign a;
	struct config_result r;
	int i, rc;

	memset(&a, 0, sizeof(a));
	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&a.from, argc, argv, &i, "--from", err)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (argv[i][0] == '-' || a.account)
			return rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help account'", argv[i]);
		a.account = argv[i];
	}
	if (!a.account)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill account unassign ACCOUNT [--from YYYY-MM]");
	config_result_init(&r);
	rc = store_config_edit(ctx->store, config_unassign_edit, &a, "account unassign", &r, err);
	rc = cli_config_done(&r, rc, NULL, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet) {
		if (a.from)
			printf("unassigned %s from %s as of %s\n", a.account, a.left, a.from);
		else
			printf("unassigned %s from %s\n", a.account, a.left);
	}
	config_result_release(&r);
	return rc;
}

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "account", "customer", "from", "to" };
	static const char *const uhead[] = { "period", "payer", "account", "rows", "unblended" };
	static const int uright[] = { 0, 0, 0, 1, 1 };
	enum out_format fmt = OUT_TABLE;
	const char *period = NULL, *fs = NULL;
	int unassigned = 0, i, rc, p = 0;
	json_t *doc = NULL, *e, *o;
	struct out_table *t;
	size_t k, j;

	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&period, argc, argv, &i, "--period", err)) < 0 ||
		    (!rc && (rc = cli_opt(&fs, argc, argv, &i, "--format", err)) < 0))
			return rc;
		if (rc)
			continue;
		if (!strcmp(argv[i], "--unassigned"))
			unassigned = 1;
		else
			return rb_err_set(err, RB_EUSAGE, "usage: rebill account list [--period YYYY-MM] [--unassigned] [--format table|csv|json]");
	}
	if (fs && (rc = out_format_parse(&fmt, fs, err)) < 0)
		return rc;
	if ((rc = check_period("--period", period, err)) < 0)
		return rc;
	if (period)
		period_parse(&p, period, strlen(period));
	if (unassigned) {
		if ((rc = store_config_unassigned(&doc, ctx->store, period, err)) < 0)
			return rc;
		if (fmt == OUT_JSON) {
			out_json(doc, 0);
		} else {
			t = out_table_new(5, uhead, uright);
			json_array_foreach(doc, k, e) {
				char rows[24];
				const char *cells[5] = { str(e, "period"), str(e, "payer"), str(e, "account"),
					rows, str(e, "unblended") };
				snprintf(rows, sizeof(rows), "%lld", (long long)json_integer_value(json_object_get(e, "rows")));
				out_table_add(t, cells);
			}
			out_table_print(t, stdout, fmt);
			out_table_free(t);
		}
		json_decref(doc);
		return 0;
	}
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	t = out_table_new(4, head, NULL);
	o = json_array();
	json_array_foreach(json_object_get(doc, "customers"), k, e) {
		json_t *a;
		json_array_foreach(json_object_get(e, "accounts"), j, a) {
			const char *f = json_string_value(json_object_get(a, "from"));
			const char *to = json_string_value(json_object_get(a, "to"));
			const char *cells[4] = { str(a, "id"), str(e, "id"), f ? f : "", to ? to : "" };
			if (period && !config_assignment_covers(a, p))
				continue;
			out_table_add(t, cells);
			json_array_append_new(o, json_pack("{s:s, s:s, s:s*, s:s*}", "account", cells[0],
				"customer", cells[1], "from", f, "to", to));
		}
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

int cmd_account(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	if (argc >= 2 && !strcmp(argv[1], "assign"))
		return assign(ctx, argc - 1, argv + 1, err);
	if (argc >= 2 && !strcmp(argv[1], "unassign"))
		return unassign(ctx, argc - 1, argv + 1, err);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return list(ctx, argc - 1, argv + 1, err);
	return rb_err_set(err, RB_EUSAGE, "usage: rebill account assign|unassign|list ...; see 'rebill help account'");
}
