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
#include "report/report.h"
#include "report/summary.h"
#include "util/period.h"
#include "util/banned.h"

static int check_period(const char *opt, const char *s, struct rb_err *err)
{
	int p;
	if (s && period_parse(&p, s, strlen(s)) < 0)
		return rb_err_set(err, RB_EUSAGE, "bad %s '%s' (expected YYYY-MM)", opt, s);
	return 0;
}

/* --tag KEY=VALUE (spec §9), split at the first '=' into buf (size bytes). */
static int parse_tag(const char *arg, char *buf, size_t size, const char **tag,
	const char **value, struct rb_err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || strlen(arg) >= size)
		return rb_err_set(err, RB_EUSAGE, "bad --tag '%s' (expected KEY=VALUE)", arg);
	snprintf(buf, size, "%s", arg);
	buf[eq - arg] = '\0';
	*tag = buf;
	*value = buf + (eq - arg) + 1;
	return 0;
}

static int assign(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct config_assign a;
	static const struct cli_option opts[] = {
		{ "--from", 1, NULL }, { "--to", 1, NULL }, { "--tag", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_result r;
	struct cli_args args;
	char label[128], tag[1024];
	int rc = 0;

	memset(&a, 0, sizeof(a));
	if ((rc = cli_parse(&args, "account", opts, argc, argv, err)) < 0)
		return rc;
	a.from = args.opt[0];
	a.to = args.opt[1];
	if (args.opt[2])
		rc = parse_tag(args.opt[2], tag, sizeof(tag), &a.tag, &a.value, err);
	if (rc == 0 && args.npos > 2)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help account'", args.pos[2]);
	a.account = args.npos > 0 ? args.pos[0] : NULL;
	a.customer = args.npos > 1 ? args.pos[1] : NULL;
	cli_args_release(&args);
	if (rc < 0)
		return rc;
	if (!a.customer)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill account assign ACCOUNT CUSTOMER [--tag KEY=VALUE] [--from YYYY-MM] [--to YYYY-MM]");
	config_result_init(&r);
	snprintf(label, sizeof(label), "customer '%s'", a.customer);
	rc = store_config_edit(ctx->store, config_assign_edit, &a, "account assign", &r, err);
	rc = cli_config_done(&r, rc, NULL, a.focus, label, err);
	if (rc == 0 && !ctx->quiet) {
		printf("assigned %s to %s", a.account, a.customer);
		if (a.tag)
			printf(" for tag %s=%s", a.tag, a.value);
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
	static const struct cli_option opts[] = {
		{ "--from", 1, NULL }, { "--tag", 1, NULL }, { NULL, 0, NULL },
	};
	struct config_result r;
	struct cli_args args;
	char tag[1024];
	int rc = 0;

	memset(&a, 0, sizeof(a));
	if ((rc = cli_parse(&args, "account", opts, argc, argv, err)) < 0)
		return rc;
	a.from = args.opt[0];
	if (args.opt[1])
		rc = parse_tag(args.opt[1], tag, sizeof(tag), &a.tag, &a.value, err);
	if (rc == 0 && args.npos > 1)
		rc = rb_err_set(err, RB_EUSAGE, "unexpected '%s'; see 'rebill help account'", args.pos[1]);
	a.account = args.npos > 0 ? args.pos[0] : NULL;
	cli_args_release(&args);
	if (rc < 0)
		return rc;
	if (!a.account)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill account unassign ACCOUNT [--tag KEY=VALUE] [--from YYYY-MM]");
	config_result_init(&r);
	rc = store_config_edit(ctx->store, config_unassign_edit, &a, "account unassign", &r, err);
	rc = cli_config_done(&r, rc, NULL, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet) {
		printf("unassigned %s from %s", a.account, a.left);
		if (a.tag)
			printf(" for tag %s=%s", a.tag, a.value);
		if (a.from)
			printf(" as of %s", a.from);
		puts("");
	}
	config_result_release(&r);
	return rc;
}

static int list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const head[] = { "account", "customer", "from", "to", "split" };
	static const char *const uhead[] = { "period", "payer", "account", "rows", "unblended",
		"currency", "split" };
	static const int uright[] = { 0, 0, 0, 1, 1, 0, 0 };
	const char *uhead2[7];
	int uright2[7], shown[7];
	size_t ncol, nother = 0, c;
	static const struct cli_option opts[] = {
		{ "--period", 1, NULL }, { "--format", 1, NULL }, { "--unassigned", 0, NULL },
		{ NULL, 0, NULL },
	};
	enum out_format fmt = OUT_TABLE;
	const char *period, *fs;
	int unassigned, rc = 0, p = 0;
	size_t nsplit = 0;
	json_t *doc = NULL, *e, *o;
	struct out_table *t;
	struct cli_args args;
	size_t k;

	if ((rc = cli_parse(&args, "account", opts, argc, argv, err)) < 0)
		return rc;
	period = args.opt[0];
	fs = args.opt[1];
	unassigned = args.opt[2] != NULL;
	if (args.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill account list [--period YYYY-MM] [--unassigned] [--format table|csv|json]");
	cli_args_release(&args);
	if (rc < 0)
		return rc;
	if (fs && (rc = out_format_parse(&fmt, fs, err)) < 0)
		return rc;
	if ((rc = check_period("--period", period, err)) < 0)
		return rc;
	if (period)
		period_parse(&p, period, strlen(period));
	if (unassigned) {
		/* as the reconciliation lists them: spec §9 split remainders too */
		if ((rc = report_unassigned_json(&doc, ctx->store, period ? p : -1, err)) < 0)
			return rc;
		json_array_foreach(doc, k, e) {
			nsplit += json_object_get(e, "tag") != NULL;
			nother += strcmp(config_str(e, "currency"), "USD") != 0;
		}
		if (fmt == OUT_JSON) {
			out_json(doc);
		} else {
			/* a currency column once a payer bills in other than USD, a
			 * split column once a split account has a remainder */
			for (c = ncol = 0; c < 7; c++) {
				shown[c] = !((c == 5 && !nother) || (c == 6 && !nsplit));
				if (!shown[c])
					continue;
				uhead2[ncol] = uhead[c];
				uright2[ncol++] = uright[c];
			}
			t = out_table_new(ncol, uhead2, uright2);
			json_array_foreach(doc, k, e) {
				char rows[24], split[512] = "";
				const char *all[7] = { config_str(e, "period"), config_str(e, "payer"), config_str(e, "account"),
					rows, config_str(e, "unblended"), config_str(e, "currency"), split };
				const char *cells[7];
				snprintf(rows, sizeof(rows), "%lld", (long long)json_integer_value(json_object_get(e, "rows")));
				if (json_object_get(e, "tag")) {
					const char *v = json_string_value(json_object_get(e, "tag_value"));
					snprintf(split, sizeof(split), "%s=%s", config_str(e, "tag"),
						v ? v : "(untagged)");
				}
				for (c = ncol = 0; c < 7; c++)
					if (shown[c])
						cells[ncol++] = all[c];
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
	o = report_assignments_json(doc, period ? p : -1);
	/* the split column (spec §9) only when some assignment has one */
	json_array_foreach(o, k, e)
		nsplit += json_object_get(e, "split") != NULL;
	t = out_table_new(nsplit ? 5 : 4, head, NULL);
	json_array_foreach(o, k, e) {
		char split[512] = "";
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *to = json_string_value(json_object_get(e, "to"));
		const char *cells[5] = { config_str(e, "account"), config_str(e, "customer"),
			from ? from : OUT_OPEN, to ? to : OUT_OPEN, split };
		const json_t *sp = json_object_get(e, "split");
		if (sp)
			snprintf(split, sizeof(split), "%s=%s", config_str(sp, "tag"),
				config_str(sp, "value"));
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

int cmd_account(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "assign", assign },
		{ "unassign", unassign },
		{ "list", list },
		{ NULL, NULL },
	};
	return cli_dispatch("account", verbs, ctx, argc, argv, err);
}
