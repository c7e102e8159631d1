/*
 * billed.c: one customer's billed breakdown (billed.h) — the facts the
 * invoice preview reads, rated with the same rate_fact_bill under the
 * customer's plan, summed by the grouping asked for and converted to the
 * invoice currency; the draft invoice itself built in the same snapshot,
 * so the breakdown reconciles to its subtotal line by line.
 *
 * Not for: output of cost or margin (margin.c), invoices (invoices.c).
 */
#include "report/billed.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "store/store_drill.h"
#include "util/hmap.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

int report_dim_parse(enum report_dim *out, const char **tag_key, const char *s,
	struct rb_err *err)
{
	static const struct { const char *name; enum report_dim dim; } names[] = {
		{ "account", REPORT_DIM_ACCOUNT }, { "service", REPORT_DIM_SERVICE },
		{ "region", REPORT_DIM_REGION }, { "day", REPORT_DIM_DAY },
		{ "resource", REPORT_DIM_RESOURCE },
	};
	size_t i;

	*tag_key = NULL;
	if (!strncmp(s, "tag:", 4) && s[4]) {
		*out = REPORT_DIM_TAG;
		*tag_key = s + 4;
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].dim;
			return 0;
		}
	return rb_err_set(err, RB_EUSAGE,
		"unknown grouping '%s' (expected account, service, region, day, resource or tag:KEY)", s);
}

/* The rows being summed: key (with the account for resources) -> row. */
struct acc {
	struct hmap *keys;
	struct report_billed_row *rows;
	size_t alloc;
	struct hmap *tagkeys;
};

static struct report_billed_row *row_of(struct acc *a, const char *key, size_t klen,
	const char *name, const char *account)
{
	struct strbuf k;
	struct report_billed_row *row;
	size_t i;
	int added;

	strbuf_init(&k, 64, (size_t)1 << 20);
	strbuf_add(&k, key, klen);
	if (account) {
		strbuf_addch(&k, 0);
		strbuf_addstr(&k, account);
	}
	if (name) {
		strbuf_addch(&k, 0);
		strbuf_addstr(&k, name);
	}
	i = hmap_put(a->keys, k.buf ? k.buf : "", k.len, &added);
	strbuf_release(&k);
	if (added) {
		if (i >= a->alloc) {
			a->alloc = a->alloc ? a->alloc * 2 : 64;
			a->rows = xreallocarray(a->rows, a->alloc, sizeof(a->rows[0]));
		}
		row = &a->rows[i];
		memset(row, 0, sizeof(*row));
		row->key = xstrndup(key, klen);
		row->name = name ? xstrdup(name) : NULL;
		row->account = account ? xstrdup(account) : NULL;
	}
	return &a->rows[i];
}

struct walkctx {
	const struct report_cfg *rc;
	size_t ci;
	enum report_dim dim;
	const char *tag_key;
	struct acc *a;
	struct rb_err *err;
};

/* Adds the billed USD of fact f (held by the customer) to its row. */
static int add_fact(struct walkctx *w, const struct cur_fact *f, const char *day,
	const char *tags)
{
	const struct config_customer *c = &w->rc->cfg->customers[w->ci];
	struct report_billed_row *row;
	struct rate_bill b;
	const char *key = NULL, *name = NULL;
	size_t klen = 0;
	int rc;

	if ((rc = rate_fact_bill(&b, c->plan, f, rate_accounts_holds, &w->rc->holds[w->ci], w->err)))
		return rc;
	switch (w->dim) {
	case REPORT_DIM_ACCOUNT: key = f->account; break;
	case REPORT_DIM_SERVICE:
		key = f->product_code;
		name = f->product_name && f->product_name[0] ? f->product_name : f->product_code;
		break;
	case REPORT_DIM_REGION: key = f->region; break;
	case REPORT_DIM_DAY: key = day; break;
	case REPORT_DIM_TAG:
		key = report_tag_value(tags, w->tag_key, strlen(w->tag_key), &klen);
		break;
	case REPORT_DIM_RESOURCE:
	default:
		return rb_err_set(w->err, RB_EINPUT, "resource rows are not summed by fact");
	}
	if (!key)
		key = "";
	if (w->dim != REPORT_DIM_TAG)
		klen = strlen(key);
	row = row_of(w->a, key, klen, name, NULL);
	return report_add(&row->usd, b.billed, w->err);
}

/* The tag keys of a canon "k\x1fv\x1ek\x1fv" into the set. */
static void note_tag_keys(struct hmap *set, const char *canon)
{
	const char *p = canon;
	while (p && *p) {
		const char *end = strchr(p, '\x1e');
		const char *sep = strchr(p, '\x1f');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (sep && sep < p + len)
			hmap_put(set, p, (size_t)(sep - p), NULL);
		p = end ? end + 1 : NULL;
	}
}

static int walk_fact(void *arg, const struct store_fact *sf)
{
	struct walkctx *w = arg;
	const struct config_period *cfg = w->rc->cfg;
	const struct config_customer *holder;
	const char *split = config_period_split_key(cfg, sf->fact.account);
	struct cur_fact f = sf->fact;

	if (split) {
		/* spec §9: a split account's row belongs to the holder of its tag value */
		size_t vlen = 0;
		char vb[512];
		const char *v = report_tag_value(sf->tags, split, strlen(split), &vlen);
		if (vlen >= sizeof(vb))
			return rb_err_set(w->err, RB_EINPUT, "fact of account '%s' has an over-long value"
				" of tag '%s'", sf->fact.account, split);
		memcpy(vb, v, vlen);
		vb[vlen] = 0;
		holder = config_period_holder_tagged(cfg, sf->fact.account, vlen ? vb : NULL);
	} else {
		holder = config_period_holder(cfg, sf->fact.account);
	}
	if (!holder || (size_t)(holder - cfg->customers) != w->ci)
		return 0;
	if (!f.owner)
		f.owner = "";
	note_tag_keys(w->a->tagkeys, sf->tags);
	return add_fact(w, &f, sf->day, sf->tags);
}

/* ---- resources ------------------------------------------------------------ */

/* (account, product code) of the customer's charge-class facts: billed USD
 * and the cost view of the plan's basis. */
struct group {
	rb_i128 billed;   /* RATE_SCALE */
	rb_i128 view;     /* DEC_SCALE */
};

struct resctx {
	struct hmap *gkeys;
	struct group *groups;
	size_t galloc;
	rb_i128 *acct_billed;    /* per target account index: Σ billed USD */
	struct acc *a;
	enum config_basis basis;
	struct rb_err *err;
};

static rb_i128 view_of(enum config_basis basis, rb_i128 unblended, rb_i128 ondemand,
	rb_i128 effective)
{
	switch (basis) {
	case CONFIG_BASIS_ONDEMAND: return ondemand;
	case CONFIG_BASIS_EFFECTIVE:
	case CONFIG_BASIS_PURCHASER: return effective;
	case CONFIG_BASIS_UNBLENDED: break;
	}
	return unblended;
}

static int charge_class(enum cur_class c)
{
	return c == CUR_USAGE || c == CUR_COMMITMENT || c == CUR_FEE || c == CUR_OTHER;
}

static size_t group_key(struct hmap *m, const char *account, const char *pcode, int add)
{
	char k[256];
	size_t al = strlen(account), pl = strlen(pcode);
	int added;
	if (al + pl + 1 > sizeof(k))
		return HMAP_NONE;
	memcpy(k, account, al);
	k[al] = 0;
	memcpy(k + al + 1, pcode, pl);
	return add ? hmap_put(m, k, al + 1 + pl, &added) : hmap_find(m, k, al + 1 + pl);
}

/* q = round(a / b) half away from zero; b != 0. */
static rb_i128 div_round(rb_i128 a, rb_i128 b)
{
	rb_i128 q = a / b, r = a % b;
	rb_i128 ar = r < 0 ? -r : r, ab = b < 0 ? -b : b;
	if (ar && 2 * ar >= ab)
		q += (a < 0) != (b < 0) ? -1 : 1;
	return q;
}

static int resource_one(void *arg, const struct store_resource_fact *f)
{
	struct resctx *x = arg;
	struct report_billed_row *row;
	rb_i128 view = view_of(x->basis, f->sum.unblended, f->sum.ondemand, f->sum.effective);
	rb_i128 usd = 0, ratio;
	size_t g = group_key(x->gkeys, f->account, f->product_code, 0);

	if (g != HMAP_NONE && x->groups[g].view != 0) {
		/* ratio = billed / view at RATE_SCALE; usd = view x ratio */
		if (dec_mul(&ratio, x->groups[g].billed, dec_pow10(DEC_SCALE)))
			return rb_err_set(x->err, RB_EINPUT, "billed amount of account '%s' out of range",
				f->account);
		ratio = div_round(ratio, x->groups[g].view);
		if (dec_mul(&usd, view, ratio))
			return rb_err_set(x->err, RB_EINPUT, "billed amount of resource '%s' out of range",
				f->resource_id);
		usd = div_round(usd, dec_pow10(DEC_SCALE));
	}
	row = row_of(x->a, f->resource_id, strlen(f->resource_id), f->product_code, f->account);
	return report_add(&row->usd, usd, x->err);
}

/* ---- the breakdown -------------------------------------------------------- */

static int cmp_key(const void *pa, const void *pb)
{
	const struct report_billed_row *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	c = strcmp(a->account ? a->account : "", b->account ? b->account : "");
	return c ? c : strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static int cmp_usd(const void *pa, const void *pb)
{
	const struct report_billed_row *a = pa, *b = pb;
	if (a->usd != b->usd)
		return a->usd > b->usd ? -1 : 1;
	return cmp_key(pa, pb);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int holds(const struct config_holdings *h, const char *account)
{
	size_t i;
	for (i = 0; i < h->naccounts; i++)
		if (!strcmp(h->accounts[i], account))
			return 1;
	return 0;
}

int report_billed(struct report_billed **out, struct store *s, int period,
	const char *customer, enum report_dim dim, const char *tag_key, const char *account,
	struct rb_err *err)
{
	struct report_cfg rc = { 0 };
	struct report_agg agg = { 0 };
	struct report_split sp = { 0 };
	struct rate_invoice *inv = NULL;
	struct report_billed *b = NULL;
	struct acc a = { 0 };
	struct resctx x = { 0 };
	const struct config_customer *c;
	const struct config_holdings *h;
	rb_i128 sum = 0, usd_all = 0;
	size_t ci, i, nc;
	int ret;

	*out = NULL;
	a.keys = hmap_new();
	a.tagkeys = hmap_new();
	if ((ret = report_cfg_load(&rc, s, period, 0, err)) < 0)
		goto cleanup;
	nc = rc.cfg->ncustomers;
	for (ci = 0; ci < nc; ci++)
		if (!strcmp(rc.cfg->customers[ci].id, customer))
			break;
	if (ci == nc) {
		ret = rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
		goto cleanup;
	}
	c = &rc.cfg->customers[ci];
	h = &rc.cfg->holdings[ci];
	/* an account of another customer and one that does not exist: the
	 * same answer, so a customer cannot probe for accounts */
	if (account && !holds(h, account)) {
		ret = rb_err_set(err, RB_EINPUT, "unknown account '%s'", account);
		goto cleanup;
	}
	b = xcalloc(1, sizeof(*b));
	b->period = period;
	b->customer = xstrdup(c->id);
	b->currency = xstrdup(c->currency ? c->currency : "USD");
	b->minor = config_currency_minor(b->currency);
	b->dim = dim;
	b->tag_key = tag_key ? xstrdup(tag_key) : NULL;
	b->account = account ? xstrdup(account) : NULL;
	b->other_key = dim == REPORT_DIM_RESOURCE ? REPORT_BILLED_NO_RESOURCE : REPORT_BILLED_FEES;
	if (!report_cfg_invoiced(&rc, ci))
		goto done;
	b->invoiced = 1;
	/* the invoice preview's input and the invoice itself, in one snapshot */
	if ((ret = report_collect(&agg, s, &rc, ci, 1, err)) < 0)
		goto cleanup;
	report_split(&sp, &agg, nc);
	/* costs in the invoice's own currency (an INR payer's for an INR
	 * customer) convert nothing: no rate needed, as for the invoice */
	if ((ret = report_cost_currencies(&rc, &sp, ci, err)) < 0)
		goto cleanup;
	if (!c->has_fx) {
		char pb[PERIOD_BUFSZ];
		period_format(pb, period);
		ret = rb_err_set(err, RB_EINPUT, "customer '%s' has no %s exchange rate for %s",
			c->id, c->currency, pb);
		goto cleanup;
	}
	if ((ret = rate_invoice_build(&inv, c, period, sp.facts + sp.start[ci],
			sp.start[ci + 1] - sp.start[ci], rate_accounts_holds, &rc.holds[ci],
			h->custom_lines, h->ncustom_lines, err)) < 0)
		goto cleanup;

	{
		struct walkctx w = { &rc, ci, dim, tag_key ? tag_key : "", &a, err };
		if (dim == REPORT_DIM_DAY || dim == REPORT_DIM_TAG) {
			/* days and tags are not in the sums: read the accounts' facts */
			for (i = 0; i < h->naccounts && ret == 0; i++)
				ret = store_facts_each_account(s, period, h->accounts[i], walk_fact, &w, err);
			if (ret)
				goto cleanup;
		} else if (dim != REPORT_DIM_RESOURCE) {
			for (i = sp.start[ci]; i < sp.start[ci + 1]; i++)
				if ((ret = add_fact(&w, &sp.facts[i], NULL, NULL)) < 0)
					goto cleanup;
		} else {
			size_t na = account ? 1 : h->naccounts;
			const char *const *accts = account ? &account : (const char *const *)h->accounts;
			struct rate_bill rb;
			x.gkeys = hmap_new();
			x.a = &a;
			x.basis = c->plan->basis;
			x.err = err;
			x.acct_billed = xcalloc(na ? na : 1, sizeof(x.acct_billed[0]));
			for (i = sp.start[ci]; i < sp.start[ci + 1]; i++) {
				const struct cur_fact *f = &sp.facts[i];
				size_t g = group_key(x.gkeys, f->account, f->product_code, 1), k;
				if (g == HMAP_NONE) {
					ret = rb_err_set(err, RB_EINPUT, "over-long account '%s'", f->account);
					goto cleanup;
				}
				if (g >= x.galloc) {
					size_t n0 = x.galloc;
					x.galloc = x.galloc ? x.galloc * 2 : 64;
					x.groups = xreallocarray(x.groups, x.galloc, sizeof(x.groups[0]));
					memset(x.groups + n0, 0, (x.galloc - n0) * sizeof(x.groups[0]));
				}
				if ((ret = rate_fact_bill(&rb, c->plan, f, rate_accounts_holds, &rc.holds[ci],
						err)) < 0)
					goto cleanup;
				/* the share is of the charges: credits, refunds, discounts and
				 * tax carry no resource id and stay in the rest */
				if (charge_class(f->cls) &&
				    ((ret = report_add(&x.groups[g].billed, rb.billed, err)) < 0 ||
				     (ret = report_add(&x.groups[g].view, view_of(x.basis, f->unblended,
						f->ondemand, f->effective), err)) < 0))
					goto cleanup;
				for (k = 0; k < na; k++)
					if (!strcmp(accts[k], f->account) &&
					    (ret = report_add(&x.acct_billed[k], rb.billed, err)) < 0)
						goto cleanup;
			}
			for (i = 0; i < na; i++) {
				if ((ret = report_add(&usd_all, x.acct_billed[i], err)) < 0)
					goto cleanup;
				/* spec §9: a split account's resources are not told apart by holder */
				if (config_period_split_key(rc.cfg, accts[i]))
					continue;
				if ((ret = store_resources_each(s, period, accts[i], resource_one, &x, err)))
					goto cleanup;
			}
		}
	}

	b->n = hmap_count(a.keys);
	b->rows = a.rows;
	a.rows = NULL;
	if (b->n > 1)
		qsort(b->rows, b->n, sizeof(b->rows[0]), dim == REPORT_DIM_RESOURCE ? cmp_usd : cmp_key);
	for (i = 0; i < b->n; i++) {
		if ((ret = rate_usd_convert(&b->rows[i].amount, b->rows[i].usd, c->fx, b->minor, err)) < 0 ||
		    (ret = report_add(&sum, b->rows[i].amount, err)) < 0)
			goto cleanup;
	}
	if (dim == REPORT_DIM_RESOURCE) {
		rb_i128 rest = usd_all, in_rows = 0;
		for (i = 0; i < b->n; i++)
			if ((ret = report_add(&in_rows, b->rows[i].usd, err)) < 0)
				goto cleanup;
		if (dec_sub(&rest, usd_all, in_rows) ||
		    (ret = rate_usd_convert(&b->other, rest, c->fx, b->minor, err)) < 0 ||
		    (ret = rate_usd_convert(&b->total, usd_all, c->fx, b->minor, err)) < 0) {
			ret = ret < 0 ? ret : rb_err_set(err, RB_EINPUT, "sum out of range in report");
			goto cleanup;
		}
	} else {
		for (i = 0; i < inv->nlines; i++)
			if ((inv->lines[i].kind == RATE_LINE_FEE || inv->lines[i].kind == RATE_LINE_CUSTOM) &&
			    (ret = report_add(&b->other, inv->lines[i].amount, err)) < 0)
				goto cleanup;
		b->total = inv->subtotal;
	}
	if (dec_sub(&b->rounding, b->total, sum) || dec_sub(&b->rounding, b->rounding, b->other)) {
		ret = rb_err_set(err, RB_EINPUT, "sum out of range in report");
		goto cleanup;
	}
	if (dim == REPORT_DIM_DAY || dim == REPORT_DIM_TAG) {
		b->ntag_keys = hmap_count(a.tagkeys);
		b->tag_keys = xcalloc(b->ntag_keys ? b->ntag_keys : 1, sizeof(b->tag_keys[0]));
		for (i = 0; i < b->ntag_keys; i++) {
			size_t len;
			const char *k = hmap_key(a.tagkeys, i, &len);
			b->tag_keys[i] = xstrndup(k, len);
		}
		if (b->ntag_keys > 1)
			qsort(b->tag_keys, b->ntag_keys, sizeof(b->tag_keys[0]), cmp_str);
	}
done:
	*out = b;
	b = NULL;
	ret = 0;
cleanup:
	report_billed_free(b);
	for (i = 0; a.rows && i < hmap_count(a.keys); i++) {
		free(a.rows[i].key);
		free(a.rows[i].name);
		free(a.rows[i].account);
	}
	free(a.rows);
	hmap_free(a.keys);
	hmap_free(a.tagkeys);
	hmap_free(x.gkeys);
	free(x.groups);
	free(x.acct_billed);
	rate_invoice_free(inv);
	report_split_release(&sp);
	report_agg_release(&agg);
	report_cfg_release(&rc);
	return ret;
}

void report_billed_free(struct report_billed *b)
{
	size_t i;
	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->rows[i].key);
		free(b->rows[i].name);
		free(b->rows[i].account);
	}
	free(b->rows);
	for (i = 0; i < b->ntag_keys; i++)
		free(b->tag_keys[i]);
	free(b->tag_keys);
	free(b->customer);
	free(b->currency);
	free(b->tag_key);
	free(b->account);
	free(b);
}

/* ---- output ---------------------------------------------------------------- */

static json_t *money(const struct report_billed *b, rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, b->minor, b->minor);
	return json_string(buf);
}

json_t *report_billed_json(const struct report_billed *b, const char *by)
{
	json_t *doc = json_object(), *rows = json_array();
	char pb[PERIOD_BUFSZ];
	size_t i;

	period_format(pb, b->period);
	json_object_set_new(doc, "period", json_string(pb));
	json_object_set_new(doc, "customer", json_string(b->customer));
	json_object_set_new(doc, "currency", json_string(b->currency));
	json_object_set_new(doc, "by", json_string(by));
	if (b->dim == REPORT_DIM_RESOURCE)
		json_object_set_new(doc, "account", b->account ? json_string(b->account) : json_null());
	for (i = 0; i < b->n; i++) {
		const struct report_billed_row *r = &b->rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(r->key));
		if (r->name)
			json_object_set_new(o, b->dim == REPORT_DIM_RESOURCE ? "service" : "name",
				json_string(r->name));
		if (r->account)
			json_object_set_new(o, "account", json_string(r->account));
		json_object_set_new(o, "amount", money(b, r->amount));
		json_array_append_new(rows, o);
	}
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(doc, "other", json_pack("{s:s,s:o}", "key", b->other_key, "amount",
		money(b, b->other)));
	json_object_set_new(doc, "rounding", money(b, b->rounding));
	json_object_set_new(doc, "total", money(b, b->total));
	if (b->dim == REPORT_DIM_DAY || b->dim == REPORT_DIM_TAG) {
		json_t *k = json_array();
		for (i = 0; i < b->ntag_keys; i++)
			json_array_append_new(k, json_string(b->tag_keys[i]));
		json_object_set_new(doc, "tag_keys", k);
	}
	return doc;
}

/* One CSV field: quoted when it holds a comma, quote, CR or LF; a leading
 * =, +, - or @ is prefixed with ' so a spreadsheet does not run it. */
static void csv_field(struct strbuf *out, const char *s)
{
	const char *p;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		strbuf_addch(out, '"');
	if (*s == '=' || *s == '+' || *s == '@' || (*s == '-' && !(s[1] >= '0' && s[1] <= '9')))
		strbuf_addch(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *p);
	}
	if (quote)
		strbuf_addch(out, '"');
}

static void csv_line(struct strbuf *out, const struct report_billed *b, const char *key,
	const char *name, const char *account, rb_i128 amount)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), amount, b->minor, b->minor);
	csv_field(out, key);
	strbuf_addch(out, ',');
	if (b->dim == REPORT_DIM_RESOURCE || b->dim == REPORT_DIM_SERVICE) {
		csv_field(out, name ? name : "");
		strbuf_addch(out, ',');
	}
	if (b->dim == REPORT_DIM_RESOURCE) {
		csv_field(out, account ? account : "");
		strbuf_addch(out, ',');
	}
	strbuf_addstr(out, buf);
	strbuf_addch(out, ',');
	csv_field(out, b->currency);
	strbuf_addstr(out, "\r\n");
}

void report_billed_csv(struct strbuf *out, const struct report_billed *b)
{
	static const char *const first[] = { "account", "service", "region", "tag_value", "day",
		"resource" };
	size_t i;

	strbuf_addstr(out, first[b->dim]);
	if (b->dim == REPORT_DIM_SERVICE)
		strbuf_addstr(out, ",name");
	if (b->dim == REPORT_DIM_RESOURCE)
		strbuf_addstr(out, ",service,account");
	strbuf_addstr(out, ",amount,currency\r\n");
	for (i = 0; i < b->n; i++)
		csv_line(out, b, b->rows[i].key, b->rows[i].name, b->rows[i].account, b->rows[i].amount);
	csv_line(out, b, b->other_key, NULL, NULL, b->other);
	csv_line(out, b, "(rounding)", NULL, NULL, b->rounding);
	csv_line(out, b, "total", NULL, NULL, b->total);
}
