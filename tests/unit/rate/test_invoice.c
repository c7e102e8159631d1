/*
 * test_invoice.c: spec §5 — grouping keys, pass-through lines, the one
 * rounding per line (sum, then x fx, then half away from zero), JPY, fees
 * (flat, per_account, percent with min/max), custom lines, lines that round
 * to 0, the tax cluster on the subtotal, the missing-FX error and the
 * totals for reports. Every expected value is worked out by hand beside it.
 */
#include "rate_fixture.h"

#include "util/err.h"

#include "../check.h"

#define P2610 fx_period("2026-10")

static struct rate_invoice *build(const struct config_customer *c, const struct cur_fact *f,
	size_t n, const struct config_custom_line *cl, size_t ncl)
{
	struct rate_invoice *inv = NULL;
	struct rb_err err;
	rb_err_clear(&err);
	if (rate_invoice_build(&inv, c, P2610, f, n, NULL, NULL, cl, ncl, &err)) {
		printf("  unexpected error: %s\n", err.msg);
		check_failed_++;
	}
	return inv;
}

/* The amount of line i with the invoice's minor digits, or "(none)". */
static const char *amt(const struct rate_invoice *inv, size_t i)
{
	if (!inv || i >= inv->nlines)
		return "(none)";
	return fx_fmtn(inv->lines[i].amount, inv->minor, inv->minor);
}

static const char *key(const struct rate_invoice *inv, size_t i)
{
	return inv && i < inv->nlines ? inv->lines[i].key : "(none)";
}

static const char *money(const struct rate_invoice *inv, rb_i128 v)
{
	return inv ? fx_fmtn(v, inv->minor, inv->minor) : "(none)";
}

/* ---- grouping (spec §5 step 1) ---- */

static void three_facts(struct cur_fact f[3])
{
	f[0] = fx_fact("Usage", "10", "10", "10");
	f[1] = fx_fact("Usage", "5", "5", "5");
	f[1].account = "222222222222";
	f[2] = fx_fact("Usage", "2.5", "2.5", "2.5");
	f[2].product_code = "AmazonS3";
	f[2].product_name = ""; /* no product name: the code is the key */
	f[2].account = "222222222222";
}

TEST(grouping_service)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[3];
	struct rate_invoice *inv;
	three_facts(f);
	inv = build(&c, f, 3, NULL, 0);
	if (!inv)
		return;
	/* EC2 10 + 5 in one line; S3 2.5 by code. "Amazon " < "AmazonS" */
	CHECK_INT(inv->nlines, 2);
	CHECK_STR(key(inv, 0), "Amazon Elastic Compute Cloud");
	CHECK_STR(inv->lines[0].description, "Amazon Elastic Compute Cloud");
	CHECK_STR(amt(inv, 0), "15.00");
	CHECK_INT(inv->lines[0].rows, 2);
	CHECK_INT(inv->lines[0].kind, RATE_LINE_CHARGE);
	CHECK_STR(rate_line_kind_name(inv->lines[0].kind), "charge");
	CHECK_STR(key(inv, 1), "AmazonS3");
	CHECK_STR(amt(inv, 1), "2.50");
	CHECK_STR(money(inv, inv->charges), "17.50");
	CHECK_STR(money(inv, inv->subtotal), "17.50");
	CHECK_STR(money(inv, inv->tax), "0.00");
	CHECK_STR(money(inv, inv->total), "17.50");
	rate_invoice_free(inv);
}

TEST(grouping_account)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[3];
	struct rate_invoice *inv;
	three_facts(f);
	c.grouping = CONFIG_GROUP_ACCOUNT;
	inv = build(&c, f, 3, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 2);
	CHECK_STR(key(inv, 0), "111111111111");
	CHECK_STR(amt(inv, 0), "10.00");
	CHECK_STR(key(inv, 1), "222222222222"); /* 5 + 2.5 */
	CHECK_STR(amt(inv, 1), "7.50");
	CHECK(strstr(inv->lines[1].description, "222222222222") != NULL);
	rate_invoice_free(inv);
}

TEST(grouping_account_service)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[4];
	struct rate_invoice *inv;
	three_facts(f);
	f[3] = fx_fact("Usage", "1", "1", "1"); /* joins 111..|EC2 */
	c.grouping = CONFIG_GROUP_ACCOUNT_SERVICE;
	inv = build(&c, f, 4, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 3);
	CHECK_STR(key(inv, 0), "111111111111|Amazon Elastic Compute Cloud");
	CHECK_STR(amt(inv, 0), "11.00");
	CHECK_STR(key(inv, 1), "222222222222|Amazon Elastic Compute Cloud");
	CHECK_STR(amt(inv, 1), "5.00");
	CHECK_STR(key(inv, 2), "222222222222|AmazonS3");
	CHECK_STR(amt(inv, 2), "2.50");
	rate_invoice_free(inv);
}

/* ---- pass-through lines (spec §5 step 2) ---- */

TEST(pass_through_lines_in_order)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[6];
	struct rate_invoice *inv;
	f[0] = fx_fact("Tax", "2.1", "2.1", "2.1");
	f[1] = fx_fact("BundledDiscount", "-1", "-1", "-1");
	f[2] = fx_fact("Refund", "-3", "-3", "-3");
	f[3] = fx_fact("Credit", "-4", "-4", "-4");
	f[4] = fx_fact("Usage", "100", "100", "100");
	f[5] = fx_fact("SppDiscount", "-9", "-9", "-9"); /* default 0: withheld */
	p.tax_pass = 1;
	inv = build(&c, f, 6, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 5);
	CHECK_STR(key(inv, 0), "Amazon Elastic Compute Cloud");
	CHECK_STR(key(inv, 1), "credits");
	CHECK_STR(amt(inv, 1), "-4.00");
	CHECK_STR(inv->lines[1].description, "AWS credits");
	CHECK_INT(inv->lines[1].kind, RATE_LINE_CREDIT);
	CHECK_STR(key(inv, 2), "refunds");
	CHECK_STR(amt(inv, 2), "-3.00");
	CHECK_INT(inv->lines[2].kind, RATE_LINE_REFUND);
	CHECK_STR(key(inv, 3), "discounts"); /* -1 x 1 + -9 x 0 */
	CHECK_STR(amt(inv, 3), "-1.00");
	CHECK_INT(inv->lines[3].rows, 2);
	CHECK_INT(inv->lines[3].kind, RATE_LINE_DISCOUNT);
	CHECK_STR(key(inv, 4), "aws_tax");
	CHECK_STR(amt(inv, 4), "2.10");
	CHECK_INT(inv->lines[4].kind, RATE_LINE_TAX);
	/* 100 - 4 - 3 - 1 + 2.1 */
	CHECK_STR(money(inv, inv->subtotal), "94.10");
	/* percent fees and reports see only the charge line */
	CHECK_STR(money(inv, inv->charges), "100.00");
	rate_invoice_free(inv);
}

/* ---- the one rounding per line (spec §5 step 3) ---- */

TEST(line_rounds_once_after_sum)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[3];
	struct rate_invoice *inv;
	size_t i;
	rb_i128 per_fact = 0, v;
	struct rb_err err;
	for (i = 0; i < 3; i++)
		f[i] = fx_fact("Usage", "0.004", "0.004", "0.004");
	p.markup_pct = F6("25");
	/* each fact: 0.004 x 1.25 = 0.005; rounded per fact that would be
	 * 0.01 x 3 = 0.03. The line is round(0.015) = 0.02. */
	inv = build(&c, f, 3, NULL, 0);
	if (!inv)
		return;
	for (i = 0; i < 3; i++) {
		struct rate_bill b;
		rate_fact_bill(&b, &p, &f[i], NULL, NULL, &err);
		rate_usd_convert(&v, b.billed, c.fx, 2, &err);
		per_fact += v;
	}
	CHECK_STR(fx_fmtn(per_fact, 2, 2), "0.03");
	CHECK_STR(amt(inv, 0), "0.02");
	CHECK_STR(fx_fmt(inv->lines[0].usd, RATE_SCALE), "0.015");
	rate_invoice_free(inv);
}

TEST(fx_sum_then_convert_then_round)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[3];
	struct rate_invoice *inv;
	size_t i;
	for (i = 0; i < 3; i++)
		f[i] = fx_fact("Usage", "1", "1", "1");
	c.currency = "EUR";
	c.fx = F6("0.9231");
	/* Σ 3 x 0.9231 = 2.7693 -> 2.77; rounding per fact: 0.92 x 3 = 2.76 */
	inv = build(&c, f, 3, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(inv->currency, "EUR");
	CHECK_STR(amt(inv, 0), "2.77");
	{
		struct rb_err err;
		rb_i128 v, per_fact = 0;
		for (i = 0; i < 3; i++) {
			CHECK_INT(rate_usd_convert(&v, R18("1"), c.fx, 2, &err), 0);
			per_fact += v;
		}
		CHECK_STR(fx_fmtn(per_fact, 2, 2), "2.76"); /* what the spec forbids */
	}
	CHECK_STR(fx_fmt(inv->fx, DEC_FACTOR_DIGITS), "0.9231");
	rate_invoice_free(inv);
}

TEST(fx_half_away_from_zero)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[2];
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "1.25", "1.25", "1.25");
	f[1] = fx_fact("Credit", "-1.25", "-1.25", "-1.25");
	c.currency = "GBP";
	c.fx = F6("0.5");
	/* 1.25 x 0.5 = 0.625 -> 0.63; the credit -0.625 -> -0.63 */
	inv = build(&c, f, 2, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 2);
	CHECK_STR(amt(inv, 0), "0.63");
	CHECK_STR(amt(inv, 1), "-0.63");
	CHECK_STR(money(inv, inv->total), "0.00");
	rate_invoice_free(inv);
}

TEST(usd_ignores_fx_fields)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f = fx_fact("Usage", "7", "7", "7");
	struct rate_invoice *inv;
	c.has_fx = 0; /* USD converts at 1 whatever the store filled in */
	c.fx = 0;
	inv = build(&c, &f, 1, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(amt(inv, 0), "7.00");
	rate_invoice_free(inv);
}

TEST(jpy_zero_minor_digits)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f = fx_fact("Usage", "10.01", "10.01", "10.01");
	struct config_fee fee;
	struct rate_invoice *inv;
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_FLAT;
	fee.amount = F6("1000");
	fee.description = "Support";
	p.fees = &fee;
	p.nfees = 1;
	c.currency = "JPY";
	c.minor = 2; /* wrong on purpose: the currency decides, JPY has 0 */
	c.fx = F6("150.5");
	c.tax_rate_pct = F6("10");
	/* 10.01 x 150.5 = 1506.505 -> 1507; + 1000; tax 10% of 2507 = 250.7 -> 251 */
	inv = build(&c, &f, 1, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->minor, 0);
	CHECK_STR(amt(inv, 0), "1507");
	CHECK_STR(amt(inv, 1), "1000");
	CHECK_STR(money(inv, inv->subtotal), "2507");
	CHECK_STR(money(inv, inv->tax), "251");
	CHECK_STR(money(inv, inv->total), "2758");
	rate_invoice_free(inv);
}

TEST(jpy_fee_with_cents_is_an_error)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct config_fee fee;
	struct rate_invoice *inv = (void *)&fee;
	struct rb_err err;
	rb_err_clear(&err);
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_FLAT;
	fee.amount = F6("1000.5");
	p.fees = &fee;
	p.nfees = 1;
	c.currency = "JPY";
	c.fx = F6("150");
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, NULL, 0, NULL, NULL, NULL, 0, &err), RB_EINPUT);
	CHECK(inv == NULL);
	CHECK_STR(err.msg, "customer 'acme': fee amount '1000.5' has more digits than JPY allows");
}

/* ---- fees (spec §5 step 4) ---- */

static struct rate_invoice *with_fee(struct config_fee *fee, const char *usage)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[2];
	f[0] = fx_fact("Usage", usage, usage, usage);
	f[1] = fx_fact("Credit", "-100", "-100", "-100");
	p.fees = fee;
	p.nfees = 1;
	return build(&c, f, 2, NULL, 0);
}

TEST(fee_percent_min_max)
{
	struct config_fee fee;
	struct rate_invoice *inv;
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_PERCENT;
	fee.pct = F6("10");
	fee.description = "Managed services";
	/* 10% of the charge lines (1000, not 1000 - 100 credit) = 100 */
	inv = with_fee(&fee, "1000");
	CHECK_STR(key(inv, 2), "percent");
	CHECK_STR(amt(inv, 2), "100.00");
	CHECK_STR(inv ? inv->lines[2].description : "", "Managed services");
	CHECK_INT(inv ? (long long)inv->lines[2].kind : -1, RATE_LINE_FEE);
	rate_invoice_free(inv);
	fee.has_min = 1; /* raised to min 250 */
	fee.min = F6("250");
	inv = with_fee(&fee, "1000");
	CHECK_STR(amt(inv, 2), "250.00");
	CHECK_STR(money(inv, inv ? inv->subtotal : 0), "1150.00");
	rate_invoice_free(inv);
	fee.has_min = 0; /* lowered to max 50 */
	fee.has_max = 1;
	fee.max = F6("50");
	inv = with_fee(&fee, "1000");
	CHECK_STR(amt(inv, 2), "50.00");
	rate_invoice_free(inv);
	fee.has_max = 0; /* 2.5% of 123.45 = 3.08625 -> 3.09 */
	fee.pct = F6("2.5");
	inv = with_fee(&fee, "123.45");
	CHECK_STR(amt(inv, 2), "3.09");
	rate_invoice_free(inv);
	fee.pct = F6("0.000001"); /* 0.000001% of 123.45 rounds to 0: left out */
	inv = with_fee(&fee, "123.45");
	CHECK_INT(inv ? (long long)inv->nlines : -1, 2);
	rate_invoice_free(inv);
}

TEST(fee_percent_of_rounded_charge_lines)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[2];
	struct config_fee fee;
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "0.005", "0.005", "0.005");
	f[1] = fx_fact("Usage", "0.005", "0.005", "0.005");
	f[1].product_code = "AmazonS3";
	f[1].product_name = "Amazon Simple Storage Service";
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_PERCENT;
	fee.pct = F6("100");
	p.fees = &fee;
	p.nfees = 1;
	/* two lines of 0.005 -> 0.01 each; the fee is 100% of Σ lines = 0.02
	 * (not of the unrounded 0.01) */
	inv = build(&c, f, 2, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(money(inv, inv->charges), "0.02");
	CHECK_STR(amt(inv, 2), "0.02");
	CHECK_STR(inv->lines[2].description, "Service fee"); /* no description given */
	rate_invoice_free(inv);
}

TEST(fee_per_account_counts_any_row)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[5];
	struct config_fee fee[2];
	struct config_rule r;
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "10", "10", "10");
	f[1] = fx_fact("Usage", "10", "10", "10");   /* same account again */
	f[2] = fx_fact("Usage", "10", "10", "10");
	f[2].account = "222222222222";
	f[3] = fx_fact("Credit", "-1", "-1", "-1");  /* only a credit row */
	f[3].account = "333333333333";
	f[4] = fx_fact("Usage", "10", "10", "10");   /* only an excluded row */
	f[4].account = "444444444444";
	memset(&r, 0, sizeof(r));
	r.account = "444444444444";
	r.exclude = 1;
	p.rules = &r;
	p.nrules = 1;
	memset(fee, 0, sizeof(fee));
	fee[0].type = CONFIG_FEE_PER_ACCOUNT;
	fee[0].amount = F6("15");
	fee[0].description = "Account monitoring";
	fee[1].type = CONFIG_FEE_FLAT;
	fee[1].amount = F6("99.99");
	fee[1].description = "Platform";
	p.fees = fee;
	p.nfees = 2;
	/* 4 accounts x 15 = 60; fees in plan order after the credits line */
	inv = build(&c, f, 5, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->totals.accounts, 4);
	CHECK_INT(inv->nlines, 4);
	CHECK_STR(key(inv, 0), "Amazon Elastic Compute Cloud");
	CHECK_STR(amt(inv, 0), "30.00");
	CHECK_STR(key(inv, 1), "credits");
	CHECK_STR(key(inv, 2), "per_account");
	CHECK_STR(amt(inv, 2), "60.00");
	CHECK_INT(inv->lines[2].quantity, 4);
	CHECK_STR(key(inv, 3), "flat");
	CHECK_STR(amt(inv, 3), "99.99");
	/* 30 - 1 + 60 + 99.99 */
	CHECK_STR(money(inv, inv->subtotal), "188.99");
	rate_invoice_free(inv);
}

TEST(fee_per_account_without_rows_is_left_out)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct config_fee fee;
	struct config_custom_line cl = { "Setup", 0 };
	struct rate_invoice *inv;
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_PER_ACCOUNT;
	fee.amount = F6("15");
	p.fees = &fee;
	p.nfees = 1;
	cl.amount = F6("100");
	/* no facts: 0 accounts x 15 = 0 -> left out; the custom line stays */
	inv = build(&c, NULL, 0, &cl, 1);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 1);
	CHECK_STR(key(inv, 0), "custom");
	CHECK_STR(money(inv, inv->total), "100.00");
	rate_invoice_free(inv);
}

/* ---- custom lines (step 5), zero lines, tax (step 6) ---- */

TEST(custom_lines_as_entered)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f = fx_fact("Usage", "10", "10", "10");
	struct config_custom_line cl[3] = { { "Migration project", 0 }, { "Goodwill", 0 },
		{ "Nothing", 0 } };
	struct rate_invoice *inv;
	cl[0].amount = F6("1200.00");
	cl[1].amount = F6("-50.5");
	cl[2].amount = 0; /* a 0 line is left out */
	c.currency = "EUR";
	c.fx = F6("0.9");
	inv = build(&c, &f, 1, cl, 3);
	if (!inv)
		return;
	/* 10 x 0.9 = 9.00; custom lines in entry order, never converted */
	CHECK_INT(inv->nlines, 3);
	CHECK_STR(amt(inv, 0), "9.00");
	CHECK_STR(key(inv, 1), "custom");
	CHECK_STR(inv->lines[1].description, "Migration project");
	CHECK_STR(amt(inv, 1), "1200.00");
	CHECK_INT(inv->lines[1].kind, RATE_LINE_CUSTOM);
	CHECK_STR(inv->lines[2].description, "Goodwill");
	CHECK_STR(amt(inv, 2), "-50.50");
	CHECK_STR(money(inv, inv->total), "1158.50");
	rate_invoice_free(inv);
}

TEST(custom_line_too_precise_is_an_error)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct config_custom_line cl = { "Odd", 0 };
	struct rate_invoice *inv;
	struct rb_err err;
	rb_err_clear(&err);
	cl.amount = F6("1.005");
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, NULL, 0, NULL, NULL, &cl, 1, &err), RB_EINPUT);
	CHECK(inv == NULL);
	CHECK(strstr(err.msg, "'1.005'") != NULL);
}

TEST(lines_rounding_to_zero_left_out)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[5];
	struct config_fee fee;
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "0.004999", "0", "0");   /* 0.004999 -> 0.00 */
	f[1] = fx_fact("Usage", "3", "3", "3");
	f[1].product_code = "AmazonS3";
	f[1].product_name = "Amazon Simple Storage Service";
	f[2] = fx_fact("Credit", "-0.001", "0", "0");   /* -0.001 -> -0.00 = 0 */
	f[3] = fx_fact("Refund", "5", "5", "5");
	f[4] = fx_fact("Refund", "-5", "-5", "-5");      /* Σ 0 */
	memset(&fee, 0, sizeof(fee));
	fee.type = CONFIG_FEE_FLAT;                        /* a flat fee of 0 */
	p.fees = &fee;
	p.nfees = 1;
	inv = build(&c, f, 5, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 1);
	CHECK_STR(key(inv, 0), "Amazon Simple Storage Service");
	CHECK_STR(money(inv, inv->total), "3.00");
	/* the facts behind the left-out lines still count for reports */
	CHECK_STR(fx_fmt(inv->totals.billed, RATE_SCALE), "3.003999");
	CHECK_INT(inv->totals.rows, 5);
	rate_invoice_free(inv);
}

TEST(tax_cluster_on_subtotal_incl_aws_tax)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[2];
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "100", "100", "100");
	f[1] = fx_fact("Tax", "21", "21", "21");
	p.tax_pass = 1;
	/* tax = pass with a 0% cluster: the AWS tax is a line, no tax on top */
	inv = build(&c, f, 2, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(key(inv, 1), "aws_tax");
	CHECK_STR(amt(inv, 1), "21.00");
	CHECK_STR(money(inv, inv->subtotal), "121.00");
	CHECK_STR(money(inv, inv->tax), "0.00");
	CHECK_STR(money(inv, inv->total), "121.00");
	rate_invoice_free(inv);
	/* a 10% cluster applies to the whole subtotal, aws_tax included:
	 * 10% of 121.00 = 12.10 */
	c.tax_cluster = "ten";
	c.tax_rate_pct = F6("10");
	inv = build(&c, f, 2, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(money(inv, inv->tax), "12.10");
	CHECK_STR(money(inv, inv->total), "133.10");
	rate_invoice_free(inv);
	/* tax strip: no aws_tax line; 21% of 100 = 21.00 */
	p.tax_pass = 0;
	c.tax_rate_pct = F6("21");
	inv = build(&c, f, 2, NULL, 0);
	if (!inv)
		return;
	CHECK_INT(inv->nlines, 1);
	CHECK_STR(money(inv, inv->tax), "21.00");
	CHECK_STR(money(inv, inv->total), "121.00");
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_TAX], RATE_SCALE), "21");
	rate_invoice_free(inv);
}

TEST(tax_rounds_half_away)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f = fx_fact("Usage", "0.5", "0.5", "0.5");
	struct rate_invoice *inv;
	c.tax_rate_pct = F6("21");
	/* 21% of 0.50 = 0.105 -> 0.11 */
	inv = build(&c, &f, 1, NULL, 0);
	if (!inv)
		return;
	CHECK_STR(money(inv, inv->tax), "0.11");
	CHECK_STR(money(inv, inv->total), "0.61");
	rate_invoice_free(inv);
}

/* ---- errors ---- */

TEST(missing_fx_is_an_error)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f = fx_fact("Usage", "1", "1", "1");
	struct rate_invoice *inv = (void *)&f;
	struct rb_err err;
	rb_err_clear(&err);
	c.currency = "EUR";
	c.has_fx = 0;
	c.fx = F6("1"); /* never used without has_fx */
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, &f, 1, NULL, NULL, NULL, 0, &err), RB_EINPUT);
	CHECK(inv == NULL);
	CHECK_INT(err.code, RB_EINPUT);
	CHECK_STR(err.msg, "customer 'acme' has no EUR exchange rate for 2026-10");
}

TEST(unknown_currency_and_no_plan_are_errors)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct rate_invoice *inv;
	struct rb_err err;
	rb_err_clear(&err);
	c.currency = "XXX";
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, NULL, 0, NULL, NULL, NULL, 0, &err), RB_EINPUT);
	CHECK_STR(err.msg, "customer 'acme' has unknown currency 'XXX'");
	c.currency = "USD";
	c.plan = NULL;
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, NULL, 0, NULL, NULL, NULL, 0, &err), RB_EINPUT);
	CHECK_STR(err.msg, "customer 'acme' has no plan");
}

/* ---- totals for reports (spec §6) ---- */

TEST(totals_for_reports)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_ONDEMAND);
	struct config_customer c = fx_customer(&p);
	struct cur_fact f[5];
	struct config_rule r;
	struct rate_invoice *inv;
	f[0] = fx_fact("Usage", "10", "12", "9");
	f[1] = fx_fact("Usage", "4", "5", "3");
	f[1].product_code = "AWSSupportBusiness"; /* excluded */
	f[1].product_name = "AWS Support (Business)";
	f[2] = fx_fact("Credit", "-2", "-2", "-2");
	f[3] = fx_fact("SppDiscount", "-1", "-1", "-1");
	f[4] = fx_fact("Tax", "3", "3", "3");
	f[4].rows = 7; /* an aggregated fact */
	memset(&r, 0, sizeof(r));
	r.service = "AWSSupportBusiness";
	r.exclude = 1;
	p.rules = &r;
	p.nrules = 1;
	p.markup_pct = F6("10");
	p.credits = F6("0.25");
	inv = build(&c, f, 5, NULL, 0);
	if (!inv)
		return;
	/* cost views: unblended 10+4-2-1+3 = 14, ondemand 12+5-2-1+3 = 17,
	 * effective 9+3-2-1+3 = 12 */
	CHECK_STR(fx_fmt(inv->totals.unblended, DEC_SCALE), "14");
	CHECK_STR(fx_fmt(inv->totals.ondemand, DEC_SCALE), "17");
	CHECK_STR(fx_fmt(inv->totals.effective, DEC_SCALE), "12");
	/* billed: usage 12 x 1.1 = 13.2; credit -2 x 0.25 = -0.5; spp 0; tax strip 0 */
	CHECK_STR(fx_fmt(inv->totals.billed, RATE_SCALE), "12.7");
	CHECK_STR(fx_fmt(inv->totals.billed_class[CUR_USAGE], RATE_SCALE), "13.2");
	CHECK_STR(fx_fmt(inv->totals.billed_class[CUR_CREDIT], RATE_SCALE), "-0.5");
	/* withheld = unblended - billed: credit -1.5, discount -1, tax 3 */
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_CREDIT], RATE_SCALE), "-1.5");
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_DISCOUNT], RATE_SCALE), "-1");
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_TAX], RATE_SCALE), "3");
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_REFUND], RATE_SCALE), "0");
	CHECK_STR(fx_fmt(inv->totals.withheld[CUR_USAGE], RATE_SCALE), "0");
	/* excluded at its unblended cost */
	CHECK_STR(fx_fmt(inv->totals.excluded, DEC_SCALE), "4");
	CHECK_INT(inv->totals.excluded_rows, 1);
	CHECK_INT(inv->totals.rows, 11);
	CHECK_INT(inv->totals.accounts, 1);
	/* lines: EC2 13.20, credits -0.50 */
	CHECK_INT(inv->nlines, 2);
	CHECK_STR(amt(inv, 0), "13.20");
	CHECK_STR(amt(inv, 1), "-0.50");
	CHECK_STR(inv->customer, "acme");
	CHECK_INT(inv->period, P2610);
	rate_invoice_free(inv);
}

TEST(purchaser_through_invoice)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct config_customer c = fx_customer(&p);
	static const char *const ids[] = { "111111111111" };
	struct rate_accounts held = { ids, 1 };
	struct cur_fact f[2];
	struct rate_invoice *inv = NULL;
	struct rb_err err;
	rb_err_clear(&err);
	f[0] = fx_fact("DiscountedUsage", "0", "10", "6");
	f[0].owner = "111111111111";     /* own RI: effective 6 */
	f[1] = fx_fact("DiscountedUsage", "0", "10", "6");
	f[1].owner = "555555555555";     /* someone else's: ondemand 10 */
	f[1].usage_type = "other";       /* a distinct fact, same line */
	CHECK_INT(rate_invoice_build(&inv, &c, P2610, f, 2, rate_accounts_holds, &held,
		NULL, 0, &err), 0);
	CHECK_STR(amt(inv, 0), "16.00");
	rate_invoice_free(inv);
}

static const struct check_case cases[] = {
	CASE(grouping_service),
	CASE(grouping_account),
	CASE(grouping_account_service),
	CASE(pass_through_lines_in_order),
	CASE(line_rounds_once_after_sum),
	CASE(fx_sum_then_convert_then_round),
	CASE(fx_half_away_from_zero),
	CASE(usd_ignores_fx_fields),
	CASE(jpy_zero_minor_digits),
	CASE(jpy_fee_with_cents_is_an_error),
	CASE(fee_percent_min_max),
	CASE(fee_percent_of_rounded_charge_lines),
	CASE(fee_per_account_counts_any_row),
	CASE(fee_per_account_without_rows_is_left_out),
	CASE(custom_lines_as_entered),
	CASE(custom_line_too_precise_is_an_error),
	CASE(lines_rounding_to_zero_left_out),
	CASE(tax_cluster_on_subtotal_incl_aws_tax),
	CASE(tax_rounds_half_away),
	CASE(missing_fx_is_an_error),
	CASE(unknown_currency_and_no_plan_are_errors),
	CASE(totals_for_reports),
	CASE(purchaser_through_invoice),
};

CHECK_MAIN(cases)
