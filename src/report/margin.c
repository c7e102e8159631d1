/*
 * margin.c: cost beside revenue, grouped by customer, account, service,
 * region, line item type or one tag's value. Every fact of the period
 * counts: rows of unassigned accounts carry their cost with billed 0, so a
 * breakdown always adds up to the period's total cost.
 *
 * Not for: the invoice currency (billed is USD before FX, fees and custom
 * lines) or the balance checks (reconcile.c).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

int report_by_parse(enum report_by *out, const char **tag_key, const char *s,
	struct rb_err *err)
{
	static const struct { const char *name; enum report_by by; } names[] = {
		{ "customer", REPORT_BY_CUSTOMER }, { "account", REPORT_BY_ACCOUNT },
		{ "service", REPORT_BY_SERVICE }, { "region", REPORT_BY_REGION },
		{ "type", REPORT_BY_TYPE },
	};
	size_t i;

	*tag_key = NULL;
	if (!strncmp(s, "tag:", 4) && s[4]) {
		*out = REPORT_BY_TAG;
		*tag_key = s + 4;
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].by;
			return 0;
		}
	return rb_err_set(err, RB_EUSAGE,
		"unknown grouping '%s' (expected customer, account, service, region, type or tag:KEY)", s);
}

struct margin_walk {
	const struct report_cfg *rc;
	enum report_by by;
	const char *tag_key;
	size_t tag_len;
	struct hmap *keys;
	struct report_margin_row *rows;
	size_t alloc;
	struct rb_err *err;
};

/* The value of tag `key` in a tag set canon ("k\x1fv\x1ek\x1fv"), or "". */
static const char *tag_value(const char *canon, const char *key, size_t klen, size_t *vlen)
{
	const char *p = canon;
	while (p && *p) {
		const char *end = strchr(p, '\x1e');
		const char *sep = strchr(p, '\x1f');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (sep && sep < p + len && (size_t)(sep - p) == klen && !memcmp(p, key, klen)) {
			*vlen = len - klen - 1;
			return sep + 1;
		}
		p = end ? end + 1 : NULL;
	}
	*vlen = 0;
	return "";
}

static int margin_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct margin_walk *m = arg;
	struct report_margin_row *row;
	const char *key;
	size_t len, i;
	rb_i128 billed = 0;
	int added, rc;

	switch (m->by) {
	case REPORT_BY_CUSTOMER:
		key = ci == REPORT_NOBODY ? REPORT_UNASSIGNED : m->rc->cfg->customers[ci].id;
		break;
	case REPORT_BY_ACCOUNT: key = f->account; break;
	case REPORT_BY_SERVICE: key = f->product_code; break;
	case REPORT_BY_REGION: key = f->region; break;
	case REPORT_BY_TYPE: key = f->line_item_type; break;
	case REPORT_BY_TAG:
	default:
		key = tag_value(sf->tags, m->tag_key, m->tag_len, &len);
		goto have_len;
	}
	len = strlen(key);
have_len:
	if (ci != REPORT_NOBODY) {
		struct rate_bill b;
		if ((rc = rate_fact_bill(&b, m->rc->cfg->customers[ci].plan, f, rate_accounts_holds,
				&m->rc->holds[ci], m->err)))
			return rc;
		billed = b.billed;
	}
	i = hmap_put(m->keys, key, len, &added);
	if (added) {
		if (i == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 64;
			m->rows = xreallocarray(m->rows, m->alloc, sizeof(m->rows[0]));
		}
		memset(&m->rows[i], 0, sizeof(m->rows[i]));
		m->rows[i].key = xstrndup(key, len);
	}
	row = &m->rows[i];
	row->rows += f->rows;
	if ((rc = report_add(&row->unblended, f->unblended, m->err)) ||
	    (rc = report_add(&row->effective, f->effective, m->err)) ||
	    (rc = report_add(&row->billed, billed, m->err)))
		return rc;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct report_margin_row *)a)->key,
		((const struct report_margin_row *)b)->key);
}

static int finish(struct report_margin_row *row, struct rb_err *err)
{
	rb_i128 eff;
	if (dec_rescale(&eff, row->effective, DEC_SCALE, RATE_SCALE) ||
	    dec_sub(&row->margin, row->billed, eff))
		return rb_err_set(err, RB_EINPUT, "margin of '%s' out of range", row->key);
	return 0;
}

int report_margin(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct margin_walk w = { 0 };
	struct report_margin *m = NULL;
	size_t i;
	int ret;

	*out = NULL;
	w.by = by;
	w.tag_key = tag_key ? tag_key : "";
	w.tag_len = strlen(w.tag_key);
	w.keys = hmap_new();
	w.err = err;
	if ((ret = report_cfg_load(&rc, s, period,
			by == REPORT_BY_TAG ? 0 : REPORT_WHOLE_PERIOD, err)) < 0)
		goto cleanup;
	w.rc = &rc;
	if (by == REPORT_BY_TAG) {
		/* tags are not in the sums: walk the facts themselves */
		if ((ret = report_walk(s, &rc, 1, margin_one, &w, err)) < 0)
			goto cleanup;
	} else {
		if ((ret = report_collect(&agg, s, &rc, REPORT_NOBODY, report_threads(&rc), err)) < 0)
			goto cleanup;
		for (i = 0; i < agg.s.n; i++)
			if ((ret = margin_one(&w, NULL, &agg.s.facts[i], agg.ci[i])) < 0)
				goto cleanup;
	}
	m = xcalloc(1, sizeof(*m));
	m->period = period;
	m->by = by;
	m->rows = w.rows;
	m->n = hmap_count(w.keys);
	w.rows = NULL;
	if (m->n > 1)
		qsort(m->rows, m->n, sizeof(m->rows[0]), cmp_row);
	m->total.key = xstrdup("total");
	for (i = 0; i < m->n; i++) {
		struct report_margin_row *row = &m->rows[i];
		m->total.rows += row->rows;
		if ((ret = finish(row, err)) < 0 ||
		    (ret = report_add(&m->total.unblended, row->unblended, err)) < 0 ||
		    (ret = report_add(&m->total.effective, row->effective, err)) < 0 ||
		    (ret = report_add(&m->total.billed, row->billed, err)) < 0)
			goto cleanup;
	}
	if ((ret = finish(&m->total, err)) < 0)
		goto cleanup;
	*out = m;
	m = NULL;
	ret = 0;
cleanup:
	report_margin_free(m);
	for (i = 0; w.rows && i < hmap_count(w.keys); i++)
		free(w.rows[i].key);
	free(w.rows);
	hmap_free(w.keys);
	report_agg_release(&agg);
	report_cfg_release(&rc);
	return ret;
}

void report_margin_free(struct report_margin *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->rows[i].key);
	free(m->rows);
	free(m->total.key);
	free(m);
}
