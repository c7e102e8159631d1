/*
 * invoice.c: spec §5 — one customer's invoice for one period from its
 * facts, plan and custom lines. The money path is: bill every fact exactly
 * (bill.c), sum per line at full precision, convert each line once with
 * one rounding, then fees, custom lines, subtotal and tax in the invoice
 * currency. Those line roundings and the percent-fee and tax roundings are
 * the only ones (spec §1).
 *
 * Not for: choosing which facts or customers to invoice, numbering,
 * storing or rendering invoices.
 */
#include "rate/rate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

const char *rate_line_kind_name(enum rate_line_kind k)
{
	static const char *const names[] = {
		"charge", "credit", "refund", "discount", "tax", "fee", "custom",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* ---- groups of (account, service) keys, in a util/hmap ------------------ */

/* One group of facts: a charge line in the making, or one account of the
 * distinct-account count. acct or svc is NULL when the grouping does not
 * use it. Strings are borrowed from the facts. */
struct group {
	const char *acct;
	const char *svc;
	rb_i128 usd;
	long rows;
};

struct table {
	struct hmap keys;   /* key: each of acct, svc as a presence byte + string + NUL */
	struct group *g;    /* by the map's index */
	size_t n, alloc;
	struct strbuf key;
	int init;
	const char *last_acct, *last_svc;  /* the previous call's key (facts come */
	size_t last;                       /* in runs of one account and service) */
	int have_last;
};

static int str_add(struct strbuf *sb, const char *s)
{
	if (!s)
		return strbuf_addch(sb, 0);
	return strbuf_addch(sb, 1) || strbuf_add(sb, s, strlen(s) + 1);
}

static void table_release(struct table *t)
{
	if (t->init) {
		hmap_release(&t->keys);
		strbuf_release(&t->key);
	}
	free(t->g);
	memset(t, 0, sizeof(*t));
}

/* The group for (acct, svc), created empty when new; NULL when the key is
 * over-long (64 KiB). */
static struct group *table_get(struct table *t, const char *acct, const char *svc)
{
	struct group *g;
	size_t i;
	int added;

	/* the same strings (pointers: borrowed from the facts) as last time */
	if (t->have_last && t->last_acct == acct && t->last_svc == svc)
		return &t->g[t->last];
	if (!t->init) {
		hmap_init(&t->keys);
		strbuf_init(&t->key, 128, 1u << 16);
		t->init = 1;
	}
	strbuf_reset(&t->key);
	if (str_add(&t->key, acct) || str_add(&t->key, svc))
		return NULL;
	i = hmap_put(&t->keys, t->key.buf, t->key.len, &added);
	t->last_acct = acct;
	t->last_svc = svc;
	t->last = i;
	t->have_last = 1;
	if (!added)
		return &t->g[i];
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 32;
		t->g = xreallocarray(t->g, t->alloc, sizeof(t->g[0]));
	}
	g = &t->g[t->n++];
	memset(g, 0, sizeof(*g));
	g->acct = acct;
	g->svc = svc;
	return g;
}

/* ---- building ---------------------------------------------------------- */

/* The pass-through lines in spec order, indexed by class. */
static const struct {
	enum cur_class cls;
	enum rate_line_kind kind;
	const char *key, *description;
} pass_lines[] = {
	{ CUR_CREDIT, RATE_LINE_CREDIT, "credits", "AWS credits" },
	{ CUR_REFUND, RATE_LINE_REFUND, "refunds", "AWS refunds" },
	{ CUR_DISCOUNT, RATE_LINE_DISCOUNT, "discounts", "AWS discounts" },
	{ CUR_TAX, RATE_LINE_TAX, "aws_tax", "AWS tax" },
};

/* The concatenation of a, b, c and d (any may be ""), newly allocated. */
static char *concat4(const char *a, const char *b, const char *c, const char *d)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
	char *s = xmalloc(la + lb + lc + ld + 1);

	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	memcpy(s + la + lb + lc, d, ld);
	s[la + lb + lc + ld] = '\0';
	return s;
}

void rate_charge_group(const struct config_customer *c, const struct cur_fact *f,
	const char **acct, const char **svc)
{
	const char *name = f->product_name && f->product_name[0] ? f->product_name :
		nz(f->product_code);

	switch (c->grouping) {
	case CONFIG_GROUP_ACCOUNT:
		*acct = nz(f->account);
		*svc = NULL;
		break;
	case CONFIG_GROUP_ACCOUNT_SERVICE:
		*acct = nz(f->account);
		*svc = name;
		break;
	case CONFIG_GROUP_SERVICE:
	default:
		*acct = NULL;
		*svc = name;
		break;
	}
}

void rate_charge_names(const char *acct, const char *svc, char **key, char **description)
{
	if (acct && svc) {
		*key = concat4(acct, "|", svc, "");
		*description = concat4(svc, " (account ", acct, ")");
	} else if (acct) {
		*key = xstrdup(acct);
		*description = concat4("AWS account ", acct, "", "");
	} else {
		*key = xstrdup(nz(svc));
		*description = xstrdup(nz(svc));
	}
}

/* Appends a line unless its amount is 0: spec §5 leaves out every line
 * that rounds to 0, and rebill applies that to fees and custom lines too
 * (a fee or custom line of 0 says nothing on an invoice). Takes ownership
 * of key and description either way. */
static void add_line(struct rate_invoice *inv, enum rate_line_kind kind, char *key,
	char *description, rb_i128 amount, rb_i128 usd, long rows, long quantity)
{
	struct rate_line *l;

	if (amount == 0) {
		free(key);
		free(description);
		return;
	}
	l = &inv->lines[inv->nlines++];
	l->kind = kind;
	l->key = key;
	l->description = description;
	l->amount = amount;
	l->usd = usd;
	l->rows = rows;
	l->quantity = quantity;
}

static int cmp_line_key(const void *a, const void *b)
{
	return strcmp(((const struct rate_line *)a)->key, ((const struct rate_line *)b)->key);
}

/* v at DEC_FACTOR_DIGITS to minor digits, refusing to drop digits. */
static int exact_minor(rb_i128 *out, rb_i128 v, int minor)
{
	rb_i128 unit = dec_pow10(DEC_FACTOR_DIGITS - minor);
	if (v % unit)
		return -1;
	*out = v / unit;
	return 0;
}

static int too_precise(struct rb_err *err, const struct config_customer *c, const char *what,
	rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format_min(buf, sizeof(buf), v, DEC_FACTOR_DIGITS);
	return rb_err_set(err, RB_EINPUT, "customer '%s': %s '%s' has more digits than %s allows",
		nz(c->id), what, buf, nz(c->currency));
}

static int out_of_range(struct rb_err *err, const struct config_customer *c)
{
	return rb_err_set(err, RB_EINPUT, "customer '%s': invoice amount out of range", nz(c->id));
}

/* Fees in plan order (spec §5 step 4). */
static int add_fees(struct rate_invoice *inv, const struct config_customer *c, struct rb_err *err)
{
	const struct config_plan *plan = c->plan;
	size_t i;
	rb_i128 amount, unit, v, lo, hi;
	long qty;

	for (i = 0; i < plan->nfees; i++) {
		const struct config_fee *fee = &plan->fees[i];
		qty = 1;
		switch (fee->type) {
		case CONFIG_FEE_FLAT:
		case CONFIG_FEE_PER_ACCOUNT:
			if (exact_minor(&unit, fee->amount, inv->minor))
				return too_precise(err, c, "fee amount", fee->amount);
			if (fee->type == CONFIG_FEE_PER_ACCOUNT)
				qty = (long)inv->totals.accounts;
			if (dec_mul(&amount, unit, qty))
				return out_of_range(err, c);
			break;
		case CONFIG_FEE_PERCENT:
			/* pct x charges is at DEC_FACTOR_DIGITS + minor; / 100 is two
			 * more digits; one rounding to minor. */
			if (dec_mul(&v, fee->pct, inv->charges))
				return out_of_range(err, c);
			dec_rescale(&amount, v, DEC_FACTOR_DIGITS + 2 + inv->minor, inv->minor);
			if (fee->has_min) {
				if (exact_minor(&lo, fee->min, inv->minor))
					return too_precise(err, c, "fee min", fee->min);
				if (amount < lo)
					amount = lo;
			}
			if (fee->has_max) {
				if (exact_minor(&hi, fee->max, inv->minor))
					return too_precise(err, c, "fee max", fee->max);
				if (amount > hi)
					amount = hi;
			}
			break;
		default:
			return rb_err_set(err, RB_EINPUT, "plan '%s': fee %zu has no type", nz(plan->id), i + 1);
		}
		add_line(inv, RATE_LINE_FEE, xstrdup(config_fee_type_name(fee->type)),
			xstrdup(fee->description ? fee->description : "Service fee"), amount, 0, 0, qty);
	}
	return 0;
}

/* Facts into charge groups, pass-through sums and totals. */
static int rate_facts(struct rate_invoice *inv, struct table *groups, rb_i128 pass[CUR_NCLASS],
	long pass_rows[CUR_NCLASS], const struct config_customer *c, const struct cur_fact *facts,
	size_t nfacts, rate_holds_fn holds, void *holds_ctx, struct rb_err *err)
{
	struct rate_totals *t = &inv->totals;
	struct table accounts = { 0 };
	struct rate_bill b;
	struct group *g;
	const struct cur_fact *f;
	const char *acct, *svc;
	size_t i;
	int rc = 0;

	for (i = 0; i < nfacts; i++) {
		f = &facts[i];
		if ((rc = rate_fact_bill(&b, c->plan, f, holds, holds_ctx, err)))
			goto cleanup;
		if (!table_get(&accounts, nz(f->account), NULL)) {
			rc = rb_err_set(err, RB_EINPUT, "customer '%s': an account id of over 64 KiB", c->id);
			goto cleanup;
		}
		t->rows += f->rows;
		if (dec_add(&t->unblended, t->unblended, f->unblended) ||
		    dec_add(&t->ondemand, t->ondemand, f->ondemand) ||
		    dec_add(&t->effective, t->effective, f->effective) ||
		    dec_add(&t->billed, t->billed, b.billed) ||
		    dec_add(&t->billed_class[b.cls], t->billed_class[b.cls], b.billed) ||
		    dec_add(&t->withheld[b.cls], t->withheld[b.cls], b.withheld) ||
		    dec_add(&t->excluded, t->excluded, b.excluded_cost)) {
			rc = out_of_range(err, c);
			goto cleanup;
		}
		if (b.excluded) {
			t->excluded_rows += f->rows;
			continue; /* billed 0: no line to contribute to */
		}
		switch (b.cls) {
		case CUR_CREDIT:
		case CUR_REFUND:
		case CUR_DISCOUNT:
		case CUR_TAX:
			pass_rows[b.cls] += f->rows;
			if (dec_add(&pass[b.cls], pass[b.cls], b.billed)) {
				rc = out_of_range(err, c);
				goto cleanup;
			}
			continue;
		default:
			break;
		}
		rate_charge_group(c, f, &acct, &svc);
		g = table_get(groups, acct, svc);
		if (!g) {
			rc = rb_err_set(err, RB_EINPUT, "customer '%s': a charge key of over 64 KiB", c->id);
			goto cleanup;
		}
		g->rows += f->rows;
		if (dec_add(&g->usd, g->usd, b.billed)) {
			rc = out_of_range(err, c);
			goto cleanup;
		}
	}
	t->accounts = accounts.n;
cleanup:
	table_release(&accounts);
	return rc;
}

int rate_invoice_build(struct rate_invoice **out, const struct config_customer *c,
	int period, const struct cur_fact *facts, size_t nfacts,
	rate_holds_fn holds, void *holds_ctx,
	const struct config_custom_line *custom, size_t ncustom, struct rb_err *err)
{
	struct rate_invoice *inv = NULL;
	struct table groups = { 0 };
	rb_i128 pass[CUR_NCLASS] = { 0 };
	long pass_rows[CUR_NCLASS] = { 0 };
	char pbuf[PERIOD_BUFSZ];
	rb_i128 amount, v;
	size_t i, ncharge;
	int minor, rc = 0;

	*out = NULL;
	period_format(pbuf, period);
	if (!c->plan) {
		rc = rb_err_set(err, RB_EINPUT, "customer '%s' has no plan", nz(c->id));
		goto cleanup;
	}
	minor = c->currency ? config_currency_minor(c->currency) : -1;
	if (minor < 0) {
		rc = rb_err_set(err, RB_EINPUT, "customer '%s' has unknown currency '%s'",
			nz(c->id), nz(c->currency));
		goto cleanup;
	}
	if (c->cost_currency[0] && strcmp(c->cost_currency, "USD") &&
	    strcmp(c->cost_currency, c->currency)) {
		/* the configured rates convert USD; costs in another currency
		 * are billed only in that currency (docs/import-focus.md) */
		rc = rb_err_set(err, RB_EINPUT,
			"customer '%s' invoices in %s but its costs for %s are in %s: costs in a "
			"currency other than USD can only be invoiced in that currency",
			nz(c->id), c->currency, pbuf, c->cost_currency);
		goto cleanup;
	}
	if (strcmp(c->currency, "USD") && !c->has_fx) {
		rc = rb_err_set(err, RB_EINPUT, "customer '%s' has no %s exchange rate for %s",
			nz(c->id), c->currency, pbuf);
		goto cleanup;
	}
	if (strcmp(c->currency, "USD") && c->fx <= 0) {
		rc = rb_err_set(err, RB_EINPUT, "customer '%s' has a %s exchange rate for %s that is not positive",
			nz(c->id), c->currency, pbuf);
		goto cleanup;
	}

	inv = xcalloc(1, sizeof(*inv));
	inv->customer = xstrdup(nz(c->id));
	inv->period = period;
	inv->currency = xstrdup(c->currency);
	inv->minor = minor;
	inv->fx = strcmp(c->currency, "USD") ? c->fx : dec_pow10(DEC_FACTOR_DIGITS);
	inv->tax_rate_pct = c->tax_rate_pct;

	if ((rc = rate_facts(inv, &groups, pass, pass_rows, c, facts, nfacts, holds, holds_ctx, err)))
		goto cleanup;
	inv->lines = xcalloc(groups.n + 4 + c->plan->nfees + ncustom, sizeof(inv->lines[0]));

	/* 1 + 3: charge lines, each Σ converted once; sorted by key */
	for (i = 0; i < groups.n; i++) {
		const struct group *g = &groups.g[i];
		char *key, *desc;
		if ((rc = rate_usd_convert(&amount, g->usd, inv->fx, minor, err)))
			goto cleanup;
		if (dec_add(&inv->charges, inv->charges, amount)) {
			rc = out_of_range(err, c);
			goto cleanup;
		}
		rate_charge_names(g->acct, g->svc, &key, &desc);
		add_line(inv, RATE_LINE_CHARGE, key, desc, amount, g->usd, g->rows, 1);
	}
	ncharge = inv->nlines;
	qsort(inv->lines, ncharge, sizeof(inv->lines[0]), cmp_line_key);

	/* 2 + 3: pass-through lines */
	for (i = 0; i < sizeof(pass_lines) / sizeof(pass_lines[0]); i++) {
		enum cur_class cls = pass_lines[i].cls;
		if ((rc = rate_usd_convert(&amount, pass[cls], inv->fx, minor, err)))
			goto cleanup;
		add_line(inv, pass_lines[i].kind, xstrdup(pass_lines[i].key),
			xstrdup(pass_lines[i].description), amount, pass[cls], pass_rows[cls], 1);
	}

	/* 4: fees */
	if ((rc = add_fees(inv, c, err)))
		goto cleanup;

	/* 5: custom lines as entered */
	for (i = 0; i < ncustom; i++) {
		if (exact_minor(&amount, custom[i].amount, minor)) {
			rc = too_precise(err, c, "custom line amount", custom[i].amount);
			goto cleanup;
		}
		add_line(inv, RATE_LINE_CUSTOM, xstrdup("custom"),
			xstrdup(custom[i].description ? custom[i].description : "Custom line"),
			amount, 0, 0, 1);
	}

	/* 6: subtotal, tax on it (at minor + DEC_FACTOR_DIGITS + 2), total */
	for (i = 0; i < inv->nlines; i++)
		if (dec_add(&inv->subtotal, inv->subtotal, inv->lines[i].amount)) {
			rc = out_of_range(err, c);
			goto cleanup;
		}
	if (dec_mul(&v, inv->subtotal, inv->tax_rate_pct) ||
	    dec_rescale(&inv->tax, v, minor + DEC_FACTOR_DIGITS + 2, minor) ||
	    dec_add(&inv->total, inv->subtotal, inv->tax)) {
		rc = out_of_range(err, c);
		goto cleanup;
	}

	*out = inv;
	inv = NULL;
cleanup:
	table_release(&groups);
	rate_invoice_free(inv);
	return rc;
}

void rate_invoice_free(struct rate_invoice *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->nlines; i++) {
		free(inv->lines[i].key);
		free(inv->lines[i].description);
	}
	free(inv->lines);
	free(inv->customer);
	free(inv->currency);
	free(inv);
}
