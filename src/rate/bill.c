/*
 * bill.c: spec §4 for one fact — the base by basis, the markup, the
 * policies of the pass-through classes — and the one conversion to the
 * invoice currency (spec §5 step 3). Exact: every billed amount is an
 * integer product at RATE_SCALE, nothing is rounded here except in
 * rate_usd_convert, which is the invoice line rounding itself.
 *
 * Not for: grouping, fees, tax, invoices (invoice.c).
 */
#include "rate/rate.h"

#include <string.h>

#include "util/banned.h"

/* billed = base x (100 + m) / 100: base at DEC_SCALE times (100 + m) at
 * DEC_FACTOR_DIGITS is at DEC_SCALE + DEC_FACTOR_DIGITS; dividing by 100
 * moves the point two more digits, so the same integer is the result at
 * RATE_SCALE. Likewise unblended x factor needs x 100 to reach RATE_SCALE. */
_Static_assert(RATE_SCALE == DEC_SCALE + DEC_FACTOR_DIGITS + 2, "RATE_SCALE");

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int overflow(struct rb_err *err, const struct cur_fact *f)
{
	return rb_err_set(err, RB_EINPUT,
		"amount out of range rating account '%s' product '%s' type '%s'",
		nz(f->account), nz(f->product_code), nz(f->line_item_type));
}

/* The base of a charge-class fact (spec §4 table). */
static rb_i128 base_of(const struct config_plan *plan, const struct cur_fact *f,
	rate_holds_fn holds, void *holds_ctx)
{
	if (f->cls == CUR_USAGE) {
		switch (plan->basis) {
		case CONFIG_BASIS_UNBLENDED:
			return f->unblended;
		case CONFIG_BASIS_ONDEMAND:
			return f->ondemand;
		case CONFIG_BASIS_EFFECTIVE:
			return f->effective;
		case CONFIG_BASIS_PURCHASER:
			if (f->owner && f->owner[0] && holds && holds(holds_ctx, f->owner))
				return f->effective;
			return f->ondemand;
		}
	} else if (f->cls == CUR_COMMITMENT) {
		switch (plan->basis) {
		case CONFIG_BASIS_UNBLENDED:
			return f->unblended;
		case CONFIG_BASIS_ONDEMAND:
			return 0;
		case CONFIG_BASIS_EFFECTIVE:
		case CONFIG_BASIS_PURCHASER:
			return f->effective;
		}
	}
	return f->unblended; /* fee, other */
}

int rate_fact_bill(struct rate_bill *out, const struct config_plan *plan,
	const struct cur_fact *f, rate_holds_fn holds, void *holds_ctx,
	struct rb_err *err)
{
	const rb_i128 one = dec_pow10(DEC_FACTOR_DIGITS);
	struct rate_bill b;
	rb_i128 factor = 0, full;
	int policy = 1, rule;

	memset(&b, 0, sizeof(b));
	b.cls = f->cls;
	b.rule = -1;
	switch (f->cls) {
	case CUR_USAGE:
	case CUR_COMMITMENT:
	case CUR_FEE:
	case CUR_OTHER:
		policy = 0;
		break;
	case CUR_CREDIT:
		factor = plan->credits;
		break;
	case CUR_REFUND:
		factor = plan->refunds_pass ? one : 0;
		break;
	case CUR_DISCOUNT:
		factor = rate_discount_factor(plan, f->line_item_type);
		break;
	case CUR_TAX:
		factor = plan->tax_pass ? one : 0;
		break;
	default:
		return rb_err_set(err, RB_EINPUT, "fact of account '%s' has no line item class (%d)",
			nz(f->account), (int)f->cls);
	}

	if (policy) {
		/* unblended x factor x 100 and unblended x 10^8 are at RATE_SCALE */
		b.base = f->unblended;
		if (dec_mul(&b.billed, f->unblended, factor) || dec_mul(&b.billed, b.billed, 100) ||
		    dec_mul(&full, f->unblended, dec_pow10(RATE_SCALE - DEC_SCALE)) ||
		    dec_sub(&b.withheld, full, b.billed))
			return overflow(err, f);
		*out = b;
		return 0;
	}

	b.base = base_of(plan, f, holds, holds_ctx);
	rule = rate_rule_find(plan, f);
	b.rule = rule;
	if (rule >= 0 && plan->rules[rule].exclude) {
		b.excluded = 1;
		b.excluded_cost = f->unblended;
		*out = b; /* billed 0 */
		return 0;
	}
	b.markup_pct = rule >= 0 && plan->rules[rule].has_markup ?
		plan->rules[rule].markup_pct : plan->markup_pct;
	if (dec_mul(&b.billed, b.base, 100 * one + b.markup_pct))
		return overflow(err, f);
	*out = b;
	return 0;
}

int rate_usd_convert(rb_i128 *out, rb_i128 usd, rb_i128 fx, int minor,
	struct rb_err *err)
{
	rb_i128 v;

	if (dec_mul(&v, usd, fx))
		return rb_err_set(err, RB_EINPUT, "amount out of range converting to the invoice currency");
	return dec_rescale(out, v, RATE_SCALE + DEC_FACTOR_DIGITS, minor) ?
		rb_err_set(err, RB_EINPUT, "amount out of range converting to the invoice currency") : 0;
}
