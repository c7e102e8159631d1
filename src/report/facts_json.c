/*
 * facts_json.c: the JSON documents about imported facts that the HTTP API
 * serves — periods, accounts and the summary by one grouping — in the shape
 * of `rebill periods|accounts|summary --format json` (the CLI builds the same
 * shapes in src/cli today; after issue 6's refactor both should print these).
 * The summary's total is summed here, exactly, so no caller adds money.
 *
 * Not for: SQL (src/store), rating (report.h's reports).
 */
#include "report/report.h"

#include <jansson.h>
#include <string.h>

#include "store/store_facts.h"
#include "util/period.h"
#include "util/banned.h"

static json_t *jdec(rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, DEC_SCALE, DEC_SCALE);
	return json_string(buf);
}

static json_t *jper(int period)
{
	char pb[PERIOD_BUFSZ];
	period_format(pb, period);
	return json_string(pb);
}

int report_periods_json(json_t **out, struct store *s, struct rb_err *err)
{
	struct store_period_info *p = NULL;
	json_t *root, *arr;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	if ((rc = store_periods(&p, &n, s, err)) < 0)
		return rc;
	root = json_object();
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "period", jper(p[i].period));
		json_object_set_new(o, "payers", json_integer(p[i].payers));
		json_object_set_new(o, "accounts", json_integer(p[i].accounts));
		json_object_set_new(o, "rows", json_integer(p[i].sum.rows));
		json_object_set_new(o, "unblended", jdec(p[i].sum.unblended));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "periods", arr);
	free(p);
	*out = root;
	return 0;
}

int report_accounts_json(json_t **out, struct store *s, int period, struct rb_err *err)
{
	struct store_account_info *a = NULL;
	json_t *root, *arr;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	if ((rc = store_accounts(&a, &n, s, period, err)) < 0)
		return rc;
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "period", period >= 0 ? jper(period) : json_null());
	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "payer", json_string(a[i].payer));
		json_object_set_new(o, "account", json_string(a[i].account));
		json_object_set_new(o, "rows", json_integer(a[i].sum.rows));
		json_object_set_new(o, "unblended", jdec(a[i].sum.unblended));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "accounts", arr);
	store_accounts_free(a, n);
	*out = root;
	return 0;
}

static const struct { const char *name; enum store_by by; } summary_bys[] = {
	{ "payer", STORE_BY_PAYER }, { "account", STORE_BY_ACCOUNT },
	{ "service", STORE_BY_SERVICE }, { "region", STORE_BY_REGION },
	{ "type", STORE_BY_TYPE }, { "class", STORE_BY_CLASS }, { "day", STORE_BY_DAY },
};

static json_t *sum_json(const struct store_sum *sum)
{
	json_t *o = json_object();
	json_object_set_new(o, "rows", json_integer(sum->rows));
	json_object_set_new(o, "unblended", jdec(sum->unblended));
	json_object_set_new(o, "ondemand", jdec(sum->ondemand));
	json_object_set_new(o, "effective", jdec(sum->effective));
	return o;
}

int report_summary_json(json_t **out, struct store *s, int period, const char *by_name,
	struct rb_err *err)
{
	enum store_by by = STORE_BY_PAYER;
	const char *tag_key = NULL;
	struct store_group *g = NULL;
	struct store_sum total;
	json_t *root, *rows;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	if (!strncmp(by_name, "tag:", 4)) {
		by = STORE_BY_TAG;
		tag_key = by_name + 4;
		if (!*tag_key)
			return rb_err_set(err, RB_EUSAGE, "grouping tag:KEY needs a tag key");
	} else {
		for (i = 0; i < sizeof(summary_bys) / sizeof(summary_bys[0]); i++)
			if (!strcmp(summary_bys[i].name, by_name))
				break;
		if (i == sizeof(summary_bys) / sizeof(summary_bys[0]))
			return rb_err_set(err, RB_EUSAGE, "unknown grouping '%s' (expected payer, account,"
				" service, region, type, class, day or tag:KEY)", by_name);
		by = summary_bys[i].by;
	}
	if ((rc = store_summary(&g, &n, s, period, by, tag_key, err)) < 0)
		return rc;
	memset(&total, 0, sizeof(total));
	root = json_object();
	rows = json_array();
	json_object_set_new(root, "period", jper(period));
	json_object_set_new(root, "by", json_string(by_name));
	for (i = 0; i < n; i++) {
		json_t *r = json_object(), *sj;
		const char *k;
		json_t *v;
		total.rows += g[i].sum.rows;
		if (dec_add(&total.unblended, total.unblended, g[i].sum.unblended) != DEC_OK ||
		    dec_add(&total.ondemand, total.ondemand, g[i].sum.ondemand) != DEC_OK ||
		    dec_add(&total.effective, total.effective, g[i].sum.effective) != DEC_OK) {
			json_decref(r);
			json_decref(rows);
			json_decref(root);
			store_groups_free(g, n);
			return rb_err_set(err, RB_EIO, "summary: the total passes the 128-bit range");
		}
		json_object_set_new(r, "key", json_string(g[i].key));
		if (by == STORE_BY_SERVICE)
			json_object_set_new(r, "name", json_string(g[i].name));
		sj = sum_json(&g[i].sum);
		json_object_foreach(sj, k, v)
			json_object_set(r, k, v);
		json_decref(sj);
		json_array_append_new(rows, r);
	}
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "total", sum_json(&total));
	store_groups_free(g, n);
	*out = root;
	return 0;
}
