/*
 * summary.c: see summary.h.
 */
#include "report/summary.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/decimal.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "report/json_text.h"
#include "util/banned.h"

static const struct {
	const char *name;
	enum store_by by;
} bys[] = {
	{ "payer", STORE_BY_PAYER }, { "account", STORE_BY_ACCOUNT },
	{ "service", STORE_BY_SERVICE }, { "region", STORE_BY_REGION },
	{ "type", STORE_BY_TYPE }, { "day", STORE_BY_DAY }, { "class", STORE_BY_CLASS },
	{ "provider", STORE_BY_PROVIDER }, { "usage_type", STORE_BY_USAGE_TYPE },
	{ "operation", STORE_BY_OPERATION },
};

/* The exact value rounded half away from zero to 2 digits, at DEC_SCALE. */
static int round2(rb_i128 *out, rb_i128 v)
{
	rb_i128 r = 0;
	if (dec_rescale(&r, v, DEC_SCALE, 2))
		return -1;
	return dec_mul(out, r, dec_pow10(DEC_SCALE - 2)) ? -1 : 0;
}

/* Checks that period has facts; otherwise RB_EINPUT listing the known ones. */
static int check_period(struct store *s, int period, struct rb_err *err)
{
	struct store_period_info *p = NULL;
	struct strbuf sb;
	char want[PERIOD_BUFSZ];
	size_t n = 0, i;
	int rc;

	if ((rc = store_period_list(&p, &n, s, err)) < 0)
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

/* The total and the rounding line of r's groups of currency t->currency. */
static int total_of(struct report_summary *r, struct report_summary_total *t, struct rb_err *err)
{
	rb_i128 shown[3] = { 0, 0, 0 }, x;
	size_t i;
	int k;

	for (i = 0; i < r->n; i++) {
		const struct store_sum *g = &r->groups[i].sum;
		const rb_i128 v[3] = { g->unblended, g->ondemand, g->effective };
		if (strcmp(r->groups[i].currency, t->currency))
			continue;
		t->total.rows += g->rows;
		if (dec_add(&t->total.unblended, t->total.unblended, g->unblended) ||
		    dec_add(&t->total.ondemand, t->total.ondemand, g->ondemand) ||
		    dec_add(&t->total.effective, t->total.effective, g->effective))
			return rb_err_set(err, RB_EIO, "summary: the total passes the 128-bit range");
		for (k = 0; k < 3; k++)
			if (round2(&x, v[k]) || dec_add(&shown[k], shown[k], x))
				return rb_err_set(err, RB_EIO, "summary: the total passes the 128-bit range");
	}
	{
		const rb_i128 tv[3] = { t->total.unblended, t->total.ondemand, t->total.effective };
		for (k = 0; k < 3; k++) {
			if (round2(&x, tv[k]) || dec_sub(&t->rounding[k], x, shown[k]))
				return rb_err_set(err, RB_EIO, "summary: the total passes the 128-bit range");
			t->has_rounding |= t->rounding[k] != 0;
		}
	}
	return 0;
}

/* One total per currency of r's groups (sorted by currency). */
static int totals(struct report_summary *r, struct rb_err *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->ntotals; j++)
			if (!strcmp(r->totals[j].currency, r->groups[i].currency))
				break;
		if (j < r->ntotals)
			continue;
		r->totals = xreallocarray(r->totals, r->ntotals + 1, sizeof(*r->totals));
		for (j = r->ntotals; j > 0 && strcmp(r->totals[j - 1].currency, r->groups[i].currency) > 0; j--)
			r->totals[j] = r->totals[j - 1];
		memset(&r->totals[j], 0, sizeof(r->totals[j]));
		memcpy(r->totals[j].currency, r->groups[i].currency, sizeof(r->totals[j].currency));
		r->ntotals++;
	}
	for (j = 0; j < r->ntotals; j++)
		if ((rc = total_of(r, &r->totals[j], err)) < 0)
			return rc;
	if (r->ntotals == 1) {
		r->total = r->totals[0].total;
		r->has_rounding = r->totals[0].has_rounding;
		memcpy(r->rounding, r->totals[0].rounding, sizeof(r->rounding));
	}
	return 0;
}

int report_summary(struct report_summary **out, struct store *s, int period, const char *by,
	struct rb_err *err)
{
	struct report_summary *r = xcalloc(1, sizeof(*r));
	size_t i;
	int rc;

	*out = NULL;
	r->by = by;
	period_format(r->period, period);
	if (!strncmp(by, "tag:", 4)) {
		r->store_by = STORE_BY_TAG;
		r->tag_key = by + 4;
		if (!*r->tag_key) {
			rc = rb_err_set(err, RB_EUSAGE, "summary: --by tag:KEY needs a tag key");
			goto fail;
		}
	} else {
		for (i = 0; i < sizeof(bys) / sizeof(bys[0]); i++)
			if (!strcmp(bys[i].name, by))
				break;
		if (i == sizeof(bys) / sizeof(bys[0])) {
			rc = rb_err_set(err, RB_EUSAGE,
				"summary: unknown grouping '%s' (expected payer, account, service, region, type, usage_type, operation, class, day, provider or tag:KEY)",
				by);
			goto fail;
		}
		r->store_by = bys[i].by;
	}
	if ((rc = check_period(s, period, err)) < 0 ||
	    (r->tag_key && (rc = report_tag_key_check(s, period, r->tag_key, err)) < 0) ||
	    (rc = store_summary(&r->groups, &r->n, s, period, r->store_by, r->tag_key, err)) < 0 ||
	    (rc = totals(r, err)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	report_summary_free(r);
	return rc;
}

int report_tag_key_check(struct store *s, int period, const char *key, struct rb_err *err)
{
	struct store_tag_key *k = NULL;
	struct strbuf sb;
	char pb[PERIOD_BUFSZ];
	size_t n = 0, i;
	int rc;

	if ((rc = store_tag_keys(&k, &n, s, period, err)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!strcmp(k[i].key, key)) {
			store_tag_keys_free(k, n);
			return 0;
		}
	period_format(pb, period);
	strbuf_init(&sb, 128, 4096);
	for (i = 0; i < n; i++)
		if (strbuf_addf(&sb, "%s%s", i ? ", " : "", k[i].key) < 0)
			break; /* a long list: what fits */
	if (n)
		rc = rb_err_set(err, RB_EINPUT, "no tag key '%s' in %s; its tag keys: %s%s", key, pb,
			sb.buf ? sb.buf : "", i < n ? ", ..." : "");
	else
		rc = rb_err_set(err, RB_EINPUT, "no tag key '%s' in %s: no row of %s is tagged", key,
			pb, pb);
	strbuf_release(&sb);
	store_tag_keys_free(k, n);
	return rc;
}

int report_tags(struct report_tags **out, struct store *s, int period, struct rb_err *err)
{
	struct report_tags *t = xcalloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	period_format(t->period, period);
	if ((rc = check_period(s, period, err)) < 0 ||
	    (rc = store_tag_keys(&t->keys, &t->n, s, period, err)) < 0) {
		report_tags_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void report_tags_free(struct report_tags *t)
{
	if (!t)
		return;
	store_tag_keys_free(t->keys, t->n);
	free(t);
}

void report_summary_free(struct report_summary *r)
{
	if (!r)
		return;
	store_groups_free(r->groups, r->n);
	free(r->totals);
	free(r);
}

static json_t *jamount(rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, DEC_SCALE, DEC_SCALE);
	return json_text(buf);
}

static void set_sums(json_t *o, const struct store_sum *s)
{
	json_object_set_new(o, "rows", json_integer(s->rows));
	json_object_set_new(o, "unblended", jamount(s->unblended));
	json_object_set_new(o, "ondemand", jamount(s->ondemand));
	json_object_set_new(o, "effective", jamount(s->effective));
}

json_t *report_summary_json(const struct report_summary *r)
{
	json_t *root = json_object(), *rows = json_array(), *totals = json_array();
	size_t i;

	json_object_set_new(root, "period", json_text(r->period));
	json_object_set_new(root, "by", json_text(r->by));
	for (i = 0; i < r->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_text(r->groups[i].key));
		if (r->store_by == STORE_BY_SERVICE)
			json_object_set_new(o, "name", json_text(r->groups[i].name));
		json_object_set_new(o, "currency", json_text(r->groups[i].currency));
		set_sums(o, &r->groups[i].sum);
		json_array_append_new(rows, o);
	}
	json_object_set_new(root, "rows", rows);
	for (i = 0; i < r->ntotals; i++) {
		json_t *t = json_object();
		json_object_set_new(t, "currency", json_text(r->totals[i].currency));
		set_sums(t, &r->totals[i].total);
		json_array_append_new(totals, t);
	}
	if (r->ntotals == 1) {
		json_object_set(root, "total", json_array_get(totals, 0));
	} else if (r->ntotals == 0) {
		json_t *t = json_object();
		json_object_set_new(t, "currency", json_text("USD"));
		set_sums(t, &r->total);
		json_object_set_new(root, "total", t);
	} else {
		json_object_set_new(root, "total", json_null());
	}
	json_object_set_new(root, "totals", totals);
	return root;
}

json_t *report_tags_json(const struct report_tags *t)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(root, "period", json_text(t->period));
	for (i = 0; i < t->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_text(t->keys[i].key));
		json_object_set_new(o, "values", json_integer(t->keys[i].values));
		set_sums(o, &t->keys[i].sum);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "keys", arr);
	return root;
}

json_t *report_periods_json(const struct store_period_info *p, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		char per[PERIOD_BUFSZ];
		period_format(per, p[i].period);
		json_object_set_new(o, "period", json_text(per));
		json_object_set_new(o, "currency", json_text(p[i].currency[0] ? p[i].currency : "USD"));
		json_object_set_new(o, "payers", json_integer(p[i].payers));
		json_object_set_new(o, "accounts", json_integer(p[i].accounts));
		json_object_set_new(o, "rows", json_integer(p[i].sum.rows));
		json_object_set_new(o, "unblended", jamount(p[i].sum.unblended));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "periods", arr);
	return root;
}

json_t *report_accounts_json(const char *period, const struct store_account_info *a, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(root, "period", period ? json_text(period) : json_null());
	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "payer", json_text(a[i].payer));
		json_object_set_new(o, "account", json_text(a[i].account));
		json_object_set_new(o, "currency", json_text(a[i].currency[0] ? a[i].currency : "USD"));
		json_object_set_new(o, "rows", json_integer(a[i].sum.rows));
		json_object_set_new(o, "unblended", jamount(a[i].sum.unblended));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "accounts", arr);
	return root;
}

json_t *report_assignments_json(const json_t *doc, int period)
{
	json_t *out = json_array();
	const json_t *e, *a;
	size_t k, j;

	json_array_foreach(json_object_get(doc, "customers"), k, e)
		json_array_foreach(json_object_get(e, "accounts"), j, a) {
			if (period >= 0 && !config_assignment_covers(a, period))
				continue;
			/* an open end is null (docs/cli.md, "Output") */
			json_t *o = json_pack("{s:s, s:s, s:s?, s:s?}",
				"account", config_str(a, "id"), "customer", config_str(e, "id"),
				"from", json_string_value(json_object_get(a, "from")),
				"to", json_string_value(json_object_get(a, "to")));
			if (json_object_get(a, "split"))  /* spec §9 */
				json_object_set(o, "split", json_object_get(a, "split"));
			json_array_append_new(out, o);
		}
	return out;
}

json_t *report_fx_json(const json_t *doc, const char *period)
{
	json_t *out = json_array(), *e;
	size_t k;

	json_array_foreach(json_object_get(doc, "fx"), k, e)
		if (!period || !strcmp(period, config_str(e, "period")))
			json_array_append(out, e);
	return out;
}
