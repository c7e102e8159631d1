/*
 * cmd_summary.c: `rebill summary --period YYYY-MM [--by ...] [--format ...]`
 * — a period's cost summed by payer, account, service, region, line item
 * type, day or the value of one tag.
 *
 * Amounts: csv and json carry all 10 fractional digits (exact); csv holds
 * the groups only (no total line), json has "total". The table
 * shows 2 decimals for people; each cell is the exact value rounded half
 * away from zero, and the TOTAL line is the exact total rounded. When the
 * rounded cells do not add up to the rounded total, a "(rounding)" line
 * shows the difference, so the printed table always reconciles.
 *
 * Not for: computing money (src/store sums exactly).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_facts.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "report/json_text.h"
#include "util/banned.h"

static const struct {
	const char *name;
	enum store_by by;
} bys[] = {
	{ "payer", STORE_BY_PAYER }, { "account", STORE_BY_ACCOUNT },
	{ "service", STORE_BY_SERVICE }, { "region", STORE_BY_REGION },
	{ "type", STORE_BY_TYPE }, { "day", STORE_BY_DAY }, { "class", STORE_BY_CLASS },
};

static void amount(char buf[DEC_BUFSZ], rb_i128 v, int digits)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, digits);
}

/* The exact value rounded to 2 digits, still at DEC_SCALE. */
static rb_i128 round2(rb_i128 v)
{
	rb_i128 r = 0;
	dec_rescale(&r, v, DEC_SCALE, 2);
	return r * dec_pow10(DEC_SCALE - 2);
}

/* Checks that period has facts; otherwise RB_EINPUT listing the known ones. */
static int check_period(struct store *s, int period, struct rb_err *err)
{
	struct store_period_info *p = NULL;
	struct strbuf sb;
	char want[PERIOD_BUFSZ];
	size_t n = 0, i;
	int rc;

	if ((rc = store_periods(&p, &n, s, err)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (p[i].period == period) {
			free(p);
			return 0;
		}
	period_format(want, period);
	strbuf_init(&sb, 128, 4096);
	for (i = 0; i < n; i++) {
		char buf[PERIOD_BUFSZ];
		period_format(buf, p[i].period);
		strbuf_addf(&sb, "%s%s", i ? ", " : "", buf);
	}
	if (n)
		rc = rb_err_set(err, RB_EINPUT, "no facts for period %s; known periods: %s", want, sb.buf);
	else
		rc = rb_err_set(err, RB_EINPUT, "no facts for period %s; nothing has been imported yet",
			want);
	strbuf_release(&sb);
	free(p);
	return rc;
}

static void print_json(const char *period, const char *by, int service,
	const struct store_group *g, size_t n, const struct store_sum *total)
{
	json_t *root = json_object(), *rows = json_array(), *t = json_object();
	char buf[DEC_BUFSZ];
	size_t i;

	json_object_set_new(root, "period", json_text(period));
	json_object_set_new(root, "by", json_text(by));
	for (i = 0; i < n; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "key", json_text(g[i].key));
		if (service)
			json_object_set_new(r, "name", json_text(g[i].name));
		json_object_set_new(r, "rows", json_integer(g[i].sum.rows));
		amount(buf, g[i].sum.unblended, DEC_SCALE);
		json_object_set_new(r, "unblended", json_text(buf));
		amount(buf, g[i].sum.ondemand, DEC_SCALE);
		json_object_set_new(r, "ondemand", json_text(buf));
		amount(buf, g[i].sum.effective, DEC_SCALE);
		json_object_set_new(r, "effective", json_text(buf));
		json_array_append_new(rows, r);
	}
	json_object_set_new(root, "rows", rows);
	json_object_set_new(t, "rows", json_integer(total->rows));
	amount(buf, total->unblended, DEC_SCALE);
	json_object_set_new(t, "unblended", json_text(buf));
	amount(buf, total->ondemand, DEC_SCALE);
	json_object_set_new(t, "ondemand", json_text(buf));
	amount(buf, total->effective, DEC_SCALE);
	json_object_set_new(t, "effective", json_text(buf));
	json_object_set_new(root, "total", t);
	out_json(root, 1);
	json_decref(root);
}

static void add_row(struct out_table *t, int service, const char *key, const char *name,
	int64_t rows, const rb_i128 v[3], int digits)
{
	char r[32], a[3][DEC_BUFSZ];
	const char *cells[7];
	int i, c = 0;

	snprintf(r, sizeof(r), "%lld", (long long)rows);
	for (i = 0; i < 3; i++)
		amount(a[i], v[i], digits);
	cells[c++] = key;
	if (service)
		cells[c++] = name;
	cells[c++] = rows >= 0 ? r : "";
	cells[c++] = a[0];
	cells[c++] = a[1];
	cells[c++] = a[2];
	out_table_add(t, cells);
}

static void print_table(enum out_format fmt, const char *by, int tag, int service,
	const struct store_group *g, size_t n, const struct store_sum *total)
{
	const char *heads[7];
	int right[7] = { 0 };
	struct out_table *t;
	rb_i128 shown[3] = { 0, 0, 0 }, v[3];
	int c = 0, i, digits = fmt == OUT_TABLE ? 2 : DEC_SCALE;
	size_t k;

	heads[c++] = by;
	if (service)
		heads[c++] = "name";
	heads[c] = "rows";
	right[c++] = 1;
	heads[c] = "unblended";
	right[c++] = 1;
	heads[c] = "ondemand";
	right[c++] = 1;
	heads[c] = "effective";
	right[c++] = 1;
	t = out_table_new((size_t)c, heads, right);
	for (k = 0; k < n; k++) {
		const char *key = g[k].key;
		if (fmt == OUT_TABLE && !*key)
			key = tag ? "(untagged)" : "(none)";
		v[0] = g[k].sum.unblended;
		v[1] = g[k].sum.ondemand;
		v[2] = g[k].sum.effective;
		for (i = 0; i < 3; i++)
			shown[i] += round2(v[i]);
		add_row(t, service, key, g[k].name, g[k].sum.rows, v, digits);
	}
	v[0] = total->unblended;
	v[1] = total->ondemand;
	v[2] = total->effective;
	if (fmt == OUT_TABLE) {
		rb_i128 diff[3];
		int any = 0;
		for (i = 0; i < 3; i++) {
			diff[i] = round2(v[i]) - shown[i];
			any |= diff[i] != 0;
		}
		if (any)
			add_row(t, service, "(rounding)", "", -1, diff, digits);
	}
	if (fmt == OUT_TABLE)
		add_row(t, service, "TOTAL", "", total->rows, v, digits);
	out_table_print(t, stdout, fmt);
	out_table_free(t);
}

int cmd_summary(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum out_format fmt = OUT_TABLE;
	enum store_by by = STORE_BY_PAYER;
	const char *by_name = "payer", *tag_key = NULL, *period_arg = NULL;
	struct store_group *g = NULL;
	struct store_sum total;
	size_t n = 0, i;
	int period = -1, c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:b:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			period_arg = optarg;
			break;
		case 'b':
			by_name = optarg;
			break;
		case 'f':
			if ((rc = out_format_parse(&fmt, optarg, err)) < 0)
				return rc;
			break;
		default:
			return rb_err_set(err, RB_EUSAGE, "summary: unknown option or missing value '%s'; see 'rebill help summary'",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rb_err_set(err, RB_EUSAGE, "summary: unexpected argument '%s'", argv[optind]);
	if (!period_arg)
		return rb_err_set(err, RB_EUSAGE, "summary: --period YYYY-MM is required");
	if (period_parse(&period, period_arg, strlen(period_arg)) < 0)
		return rb_err_set(err, RB_EUSAGE, "summary: bad period '%s' (expected YYYY-MM)", period_arg);
	if (!strncmp(by_name, "tag:", 4)) {
		by = STORE_BY_TAG;
		tag_key = by_name + 4;
		if (!*tag_key)
			return rb_err_set(err, RB_EUSAGE, "summary: --by tag:KEY needs a tag key");
	} else {
		for (i = 0; i < sizeof(bys) / sizeof(bys[0]); i++)
			if (!strcmp(bys[i].name, by_name))
				break;
		if (i == sizeof(bys) / sizeof(bys[0]))
			return rb_err_set(err, RB_EUSAGE,
				"summary: unknown grouping '%s' (expected payer, account, service, region, type, class, day or tag:KEY)",
				by_name);
		by = bys[i].by;
	}
	if ((rc = check_period(ctx->store, period, err)) < 0)
		return rc;
	if ((rc = store_summary(&g, &n, ctx->store, period, by, tag_key, err)) < 0)
		return rc;
	memset(&total, 0, sizeof(total));
	for (i = 0; i < n; i++) {
		total.rows += g[i].sum.rows;
		if (dec_add(&total.unblended, total.unblended, g[i].sum.unblended) != DEC_OK ||
		    dec_add(&total.ondemand, total.ondemand, g[i].sum.ondemand) != DEC_OK ||
		    dec_add(&total.effective, total.effective, g[i].sum.effective) != DEC_OK) {
			store_groups_free(g, n);
			return rb_err_set(err, RB_EIO, "summary: the total passes the 128-bit range");
		}
	}
	if (fmt == OUT_JSON)
		print_json(period_arg, by_name, by == STORE_BY_SERVICE, g, n, &total);
	else
		print_table(fmt, by_name, by == STORE_BY_TAG, by == STORE_BY_SERVICE, g, n, &total);
	store_groups_free(g, n);
	return 0;
}
