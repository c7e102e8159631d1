/*
 * test_rate.c: spec §4 one fact at a time — the base by basis (incl.
 * purchaser), rule specificity, ties, globs, exclude, exact markup, and the
 * policies of credits, refunds, discounts and tax. Every expected value is
 * worked out by hand in the comment beside it.
 */
#include "rate_fixture.h"

#include "../check.h"

static struct rate_bill bill(const struct config_plan *p, const struct cur_fact *f)
{
	struct rate_bill b;
	struct rb_err err;
	rb_err_clear(&err);
	memset(&b, 0x5a, sizeof(b));
	if (rate_fact_bill(&b, p, f, NULL, NULL, &err)) {
		printf("  unexpected error: %s\n", err.msg);
		check_failed_++;
	}
	return b;
}

/* C holds 111111111111 and 222222222222 for the period (sorted). */
static const char *const held_ids[] = { "111111111111", "222222222222" };
static struct rate_accounts held = { held_ids, 2 };

static struct rate_bill bill_purchaser(const struct config_plan *p, const struct cur_fact *f)
{
	struct rate_bill b;
	struct rb_err err;
	rb_err_clear(&err);
	if (rate_fact_bill(&b, p, f, rate_accounts_holds, &held, &err)) {
		printf("  unexpected error: %s\n", err.msg);
		check_failed_++;
	}
	return b;
}

/* ---- base by basis (spec §4 table) ---- */

TEST(basis_unblended)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "10", "12", "8");
	struct cur_fact c = fx_fact("RIFee", "100", "0", "30");
	struct cur_fact fee = fx_fact("Fee", "29", "29", "29");
	/* every class at its unblended cost, markup 0 */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "10");
	CHECK_STR(fx_fmt(bill(&p, &c).billed, RATE_SCALE), "100");
	CHECK_STR(fx_fmt(bill(&p, &fee).billed, RATE_SCALE), "29");
	CHECK_INT(bill(&p, &u).cls, CUR_USAGE);
	CHECK_INT(bill(&p, &c).cls, CUR_COMMITMENT);
}

TEST(basis_ondemand)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_ONDEMAND);
	struct cur_fact u = fx_fact("DiscountedUsage", "0", "12", "8");
	struct cur_fact c = fx_fact("SavingsPlanRecurringFee", "100", "7", "30");
	struct cur_fact fee = fx_fact("Fee", "29", "1", "2");
	struct cur_fact other = fx_fact("SomethingNew", "3", "1", "2");
	/* usage: ondemand 12; commitment: 0 even though the fact says 7;
	 * fee and other: unblended */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "12");
	CHECK_STR(fx_fmt(bill(&p, &c).billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(bill(&p, &fee).billed, RATE_SCALE), "29");
	CHECK_STR(fx_fmt(bill(&p, &other).billed, RATE_SCALE), "3");
	CHECK_INT(bill(&p, &other).cls, CUR_OTHER);
}

TEST(basis_effective)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_EFFECTIVE);
	struct cur_fact u = fx_fact("SavingsPlanCoveredUsage", "0", "12", "8.5");
	struct cur_fact c = fx_fact("RIFee", "100", "0", "30");
	struct cur_fact fee = fx_fact("Fee", "29", "1", "2");
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "8.5");
	CHECK_STR(fx_fmt(bill(&p, &c).billed, RATE_SCALE), "30");
	CHECK_STR(fx_fmt(bill(&p, &fee).billed, RATE_SCALE), "29");
}

TEST(basis_purchaser_owner_held_by_customer)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct cur_fact u = fx_fact("DiscountedUsage", "0", "12", "8");
	u.owner = "222222222222"; /* C holds the RI's account: C paid for it -> effective */
	CHECK_STR(fx_fmt(bill_purchaser(&p, &u).billed, RATE_SCALE), "8");
	CHECK_STR(fx_fmt(bill_purchaser(&p, &u).base, DEC_SCALE), "8");
}

TEST(basis_purchaser_owner_held_by_other_customer)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct cur_fact u = fx_fact("SavingsPlanCoveredUsage", "0", "12", "8");
	u.owner = "333333333333"; /* another customer's account: ondemand 12 */
	CHECK_STR(fx_fmt(bill_purchaser(&p, &u).billed, RATE_SCALE), "12");
}

TEST(basis_purchaser_owner_held_by_nobody)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct cur_fact u = fx_fact("DiscountedUsage", "0", "12", "8");
	u.owner = "999999999999"; /* the payer, assigned to nobody: ondemand */
	CHECK_STR(fx_fmt(bill_purchaser(&p, &u).billed, RATE_SCALE), "12");
	/* and without any holds callback at all */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "12");
}

TEST(basis_purchaser_no_commitment)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct cur_fact u = fx_fact("Usage", "10", "12", "10");
	struct cur_fact n = fx_fact("Usage", "10", "12", "10");
	n.owner = NULL; /* NULL owner is the same as "" */
	CHECK_STR(fx_fmt(bill_purchaser(&p, &u).billed, RATE_SCALE), "12");
	CHECK_STR(fx_fmt(bill_purchaser(&p, &n).billed, RATE_SCALE), "12");
}

TEST(basis_purchaser_commitment_and_fee)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct cur_fact c = fx_fact("RIFee", "100", "0", "30");
	struct cur_fact ri = fx_fact("Fee", "1200", "1200", "0");
	struct cur_fact fee = fx_fact("Fee", "29", "1", "2");
	c.owner = "333333333333"; /* commitment rows: effective whoever owns them */
	ri.cls = cur_classify("Fee", 3, 1); /* RI upfront fee: a commitment, effective 0 */
	CHECK_INT(ri.cls, CUR_COMMITMENT);
	CHECK_STR(fx_fmt(bill_purchaser(&p, &c).billed, RATE_SCALE), "30");
	CHECK_STR(fx_fmt(bill_purchaser(&p, &ri).billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(bill_purchaser(&p, &fee).billed, RATE_SCALE), "29");
}

TEST(accounts_holds_sorted_set)
{
	static const char *const ids[] = { "1", "3", "5" };
	struct rate_accounts s = { ids, 3 }, empty = { NULL, 0 };
	CHECK_INT(rate_accounts_holds(&s, "1"), 1);
	CHECK_INT(rate_accounts_holds(&s, "5"), 1);
	CHECK_INT(rate_accounts_holds(&s, "4"), 0);
	CHECK_INT(rate_accounts_holds(&s, ""), 0);
	CHECK_INT(rate_accounts_holds(&empty, "1"), 0);
	CHECK_INT(rate_accounts_holds(NULL, "1"), 0);
}

/* ---- markup and rules ---- */

TEST(markup_default)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "100", "100", "100");
	struct rate_bill b;
	p.markup_pct = F6("5");
	b = bill(&p, &u); /* 100 x 105 / 100 = 105 */
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "105");
	CHECK_STR(fx_fmt(b.markup_pct, DEC_FACTOR_DIGITS), "5");
	CHECK_INT(b.rule, -1);
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "0");
	p.markup_pct = F6("-10"); /* a discount to the customer: 90 */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "90");
}

TEST(markup_exact_tiny)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "1E-10", "0", "0");
	p.markup_pct = F6("5");
	/* 0.0000000001 x 1.05 = 0.000000000105: 12 digits, kept, not rounded */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "0.000000000105");
	p.markup_pct = F6("0.000001");
	/* 1e-10 x 100.000001 / 100 = 1.00000001e-10: all 18 digits are needed */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "0.000000000100000001");
	p.markup_pct = F6("7.123457");
	u.unblended = D10("0.0000000003");
	/* 3e-10 x 107.123457 / 100 = 3.21370371e-10 */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "0.000000000321370371");
}

TEST(rule_more_fields_wins)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "100", "100", "100");
	struct cur_fact eu = fx_fact("Usage", "100", "100", "100");
	struct cur_fact s3 = fx_fact("Usage", "100", "100", "100");
	memset(rules, 0, sizeof(rules));
	rules[0].service = "AmazonEC2";
	rules[0].has_markup = 1;
	rules[0].markup_pct = F6("8");
	rules[1].service = "AmazonEC2";
	rules[1].region = "us-east-1";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("12");
	p.rules = rules;
	p.nrules = 2;
	p.markup_pct = F6("5");
	eu.region = "eu-west-1";
	s3.product_code = "AmazonS3";
	/* 2 fields beat 1 even though later: 112 */
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "112");
	CHECK_INT(bill(&p, &u).rule, 1);
	/* region differs: only the 1-field rule: 108 */
	CHECK_STR(fx_fmt(bill(&p, &eu).billed, RATE_SCALE), "108");
	/* no rule: default 105 */
	CHECK_STR(fx_fmt(bill(&p, &s3).billed, RATE_SCALE), "105");
	CHECK_INT(bill(&p, &s3).rule, -1);
}

TEST(rule_tie_earlier_wins)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "100", "100", "100");
	memset(rules, 0, sizeof(rules));
	rules[0].service = "AmazonEC2";
	rules[0].has_markup = 1;
	rules[0].markup_pct = F6("8");
	rules[1].region = "us-east-1";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("9");
	p.rules = rules;
	p.nrules = 2;
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "108"); /* rule 0 */
	rules[0].markup_pct = F6("9");
	rules[1].markup_pct = F6("8");
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "109"); /* still rule 0 */
	CHECK_INT(rate_rule_find(&p, &u), 0);
}

TEST(rule_account_and_type_fields)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "100", "100", "100");
	struct cur_fact d = fx_fact("DiscountedUsage", "100", "100", "100");
	struct cur_fact other = fx_fact("Usage", "100", "100", "100");
	memset(rules, 0, sizeof(rules));
	rules[0].account = "111111111111";
	rules[0].has_markup = 1;
	rules[0].markup_pct = F6("3");
	rules[1].account = "111111111111";
	rules[1].line_item_type = "DiscountedUsage";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("20");
	p.rules = rules;
	p.nrules = 2;
	other.account = "222222222222";
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "103");
	CHECK_STR(fx_fmt(bill(&p, &d).billed, RATE_SCALE), "120");
	CHECK_STR(fx_fmt(bill(&p, &other).billed, RATE_SCALE), "100"); /* default 0 */
}

TEST(rule_without_markup_uses_default)
{
	struct config_rule r;
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "100", "100", "100");
	memset(&r, 0, sizeof(r));
	r.service = "AmazonEC2"; /* neither markup nor exclude: says nothing */
	p.rules = &r;
	p.nrules = 1;
	p.markup_pct = F6("5");
	CHECK_STR(fx_fmt(bill(&p, &u).billed, RATE_SCALE), "105");
	CHECK_INT(bill(&p, &u).rule, 0);
}

TEST(glob_match)
{
	CHECK_INT(rate_glob_match("*BoxUsage*", "USE1-BoxUsage:t3.micro"), 1);
	CHECK_INT(rate_glob_match("*BoxUsage*", "BoxUsage"), 1);       /* '*' matches empty */
	CHECK_INT(rate_glob_match("*BoxUsage*", "USE1-SpotUsage:t3"), 0);
	CHECK_INT(rate_glob_match("*", ""), 1);
	CHECK_INT(rate_glob_match("*", "anything at all"), 1);
	CHECK_INT(rate_glob_match("USE1-*", "USE1-DataTransfer-Out-Bytes"), 1); /* prefix */
	CHECK_INT(rate_glob_match("USE1-*", "EUW1-DataTransfer-Out-Bytes"), 0);
	CHECK_INT(rate_glob_match("*-Bytes", "USE1-DataTransfer-Out-Bytes"), 1); /* suffix */
	CHECK_INT(rate_glob_match("*-Bytes", "USE1-DataTransfer-Out-Bytes-x"), 0);
	CHECK_INT(rate_glob_match("BoxUsage", "BoxUsage"), 1);         /* exact */
	CHECK_INT(rate_glob_match("BoxUsage", "BoxUsage:t3"), 0);
	CHECK_INT(rate_glob_match("BoxUsage", "boxusage"), 0);         /* case matters */
	CHECK_INT(rate_glob_match("a*b*c", "aXXbYYc"), 1);
	CHECK_INT(rate_glob_match("a*b*c", "abc"), 1);
	CHECK_INT(rate_glob_match("a*b*c", "acb"), 0);
	CHECK_INT(rate_glob_match("*ab", "aab"), 1);                   /* needs a backtrack */
	CHECK_INT(rate_glob_match("*aab", "aaab"), 1);
	CHECK_INT(rate_glob_match("a*a", "a"), 0);
	CHECK_INT(rate_glob_match("**", "x"), 1);
	CHECK_INT(rate_glob_match("?", "x"), 0);                       /* no other metacharacters */
	CHECK_INT(rate_glob_match("[a]", "a"), 0);
	CHECK_INT(rate_glob_match("", ""), 1);
	CHECK_INT(rate_glob_match("", "x"), 0);
	CHECK_INT(rate_glob_match(NULL, ""), 1);
}

TEST(rule_usage_type_glob)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact box = fx_fact("Usage", "100", "100", "100");
	struct cur_fact spot = fx_fact("Usage", "100", "100", "100");
	memset(rules, 0, sizeof(rules));
	rules[0].service = "AmazonEC2";
	rules[0].usage_type = "*BoxUsage*";
	rules[0].has_markup = 1;
	rules[0].markup_pct = F6("8");
	rules[1].usage_type = "*"; /* matches every usage type, 1 field */
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("2");
	p.rules = rules;
	p.nrules = 2;
	spot.usage_type = "USE1-SpotUsage:c5.large";
	CHECK_STR(fx_fmt(bill(&p, &box).billed, RATE_SCALE), "108");
	CHECK_STR(fx_fmt(bill(&p, &spot).billed, RATE_SCALE), "102");
	spot.usage_type = NULL; /* "" still matches "*" */
	CHECK_STR(fx_fmt(bill(&p, &spot).billed, RATE_SCALE), "102");
}

TEST(rule_exclude)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_ONDEMAND);
	struct cur_fact sup = fx_fact("Usage", "10", "12", "9");
	struct cur_fact ec2 = fx_fact("Usage", "10", "12", "9");
	struct cur_fact spot = fx_fact("Usage", "10", "12", "9");
	struct rate_bill b;
	memset(rules, 0, sizeof(rules));
	rules[0].service = "AWSSupportBusiness";
	rules[0].exclude = 1;
	rules[1].service = "AmazonEC2";
	rules[1].usage_type = "*SpotUsage*";
	rules[1].exclude = 1;
	p.rules = rules;
	p.nrules = 2;
	p.markup_pct = F6("5");
	sup.product_code = "AWSSupportBusiness";
	spot.usage_type = "USE1-SpotUsage:c5";
	b = bill(&p, &sup);
	/* billed 0; reported as excluded at its unblended cost 10 (not the base 12) */
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "0");
	CHECK_INT(b.excluded, 1);
	CHECK_STR(fx_fmt(b.excluded_cost, DEC_SCALE), "10");
	CHECK_INT(b.rule, 0);
	b = bill(&p, &spot);
	CHECK_INT(b.excluded, 1);
	CHECK_INT(b.rule, 1);
	b = bill(&p, &ec2); /* 12 x 1.05 = 12.6 */
	CHECK_INT(b.excluded, 0);
	CHECK_STR(fx_fmt(b.excluded_cost, DEC_SCALE), "0");
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "12.6");
}

TEST(rule_specific_beats_exclude)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact box = fx_fact("Usage", "10", "10", "10");
	struct cur_fact spot = fx_fact("Usage", "10", "10", "10");
	memset(rules, 0, sizeof(rules));
	rules[0].service = "AmazonEC2";
	rules[0].exclude = 1;
	rules[1].service = "AmazonEC2";
	rules[1].usage_type = "*SpotUsage*";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("3");
	p.rules = rules;
	p.nrules = 2;
	spot.usage_type = "USE1-SpotUsage:c5";
	CHECK_INT(bill(&p, &box).excluded, 1);
	CHECK_INT(bill(&p, &spot).excluded, 0);
	CHECK_STR(fx_fmt(bill(&p, &spot).billed, RATE_SCALE), "10.3");
}

TEST(rules_never_touch_policy_classes)
{
	struct config_rule rules[2];
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact cr = fx_fact("Credit", "-10", "-10", "-10");
	struct cur_fact tx = fx_fact("Tax", "4", "4", "4");
	memset(rules, 0, sizeof(rules));
	rules[0].exclude = 1;              /* no fields: matches every charge row */
	rules[1].service = "AmazonEC2";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("50");
	p.rules = rules;
	p.nrules = 2;
	p.markup_pct = F6("5");
	p.tax_pass = 1;
	/* the credit keeps unblended x credits(1) = -10: no markup, no exclusion */
	CHECK_STR(fx_fmt(bill(&p, &cr).billed, RATE_SCALE), "-10");
	CHECK_INT(bill(&p, &cr).excluded, 0);
	CHECK_INT(bill(&p, &cr).rule, -1);
	CHECK_STR(fx_fmt(bill(&p, &cr).markup_pct, DEC_FACTOR_DIGITS), "0");
	CHECK_STR(fx_fmt(bill(&p, &tx).billed, RATE_SCALE), "4");
}

TEST(fee_and_other_rows_take_markup_and_rules)
{
	struct config_rule r;
	struct config_plan p = fx_plan(CONFIG_BASIS_EFFECTIVE);
	struct cur_fact fee = fx_fact("Fee", "29", "0", "0");
	struct cur_fact other = fx_fact("MysteryType", "10", "0", "0");
	memset(&r, 0, sizeof(r));
	r.line_item_type = "MysteryType";
	r.has_markup = 1;
	r.markup_pct = F6("50");
	p.rules = &r;
	p.nrules = 1;
	p.markup_pct = F6("10");
	/* fee: unblended 29 whatever the basis, x 1.1 = 31.9 */
	CHECK_STR(fx_fmt(bill(&p, &fee).billed, RATE_SCALE), "31.9");
	/* other is billed like fee: unblended 10, its rule: x 1.5 = 15 */
	CHECK_INT(other.cls, CUR_OTHER);
	CHECK_STR(fx_fmt(bill(&p, &other).billed, RATE_SCALE), "15");
	CHECK_INT(bill(&p, &other).rule, 0);
}

/* ---- policies ---- */

TEST(policy_credits)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_ONDEMAND);
	struct cur_fact cr = fx_fact("Credit", "-10", "-10", "-10");
	struct rate_bill b = bill(&p, &cr);
	/* default credits 1: passed on whole, nothing withheld */
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "-10");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "0");
	CHECK_INT(b.cls, CUR_CREDIT);
	p.credits = F6("0.5"); /* -10 x 0.5 = -5 billed; -10 - -5 = -5 withheld */
	b = bill(&p, &cr);
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "-5");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "-5");
	p.credits = F6("0");
	b = bill(&p, &cr);
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "-10");
	p.credits = F6("0.333333"); /* -0.0000000001 x 0.333333, exact at 18 digits */
	cr.unblended = D10("-0.0000000001");
	CHECK_STR(fx_fmt(bill(&p, &cr).billed, RATE_SCALE), "-0.0000000000333333");
}

TEST(policy_refunds)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact rf = fx_fact("Refund", "-7.5", "-7.5", "-7.5");
	struct rate_bill b = bill(&p, &rf); /* default pass */
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "-7.5");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "0");
	p.refunds_pass = 0; /* withhold: 0 billed, all withheld */
	b = bill(&p, &rf);
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "-7.5");
}

TEST(policy_discounts_default)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact bun = fx_fact("BundledDiscount", "-3", "-3", "-3");
	struct cur_fact spp = fx_fact("SppDiscount", "-4", "-4", "-4");
	struct cur_fact edp = fx_fact("EdpDiscount", "-5", "-5", "-5");
	struct cur_fact dist = fx_fact("DistributorDiscount", "-6", "-6", "-6");
	/* BundledDiscount 1, all others 0 */
	CHECK_STR(fx_fmt(bill(&p, &bun).billed, RATE_SCALE), "-3");
	CHECK_STR(fx_fmt(bill(&p, &spp).billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(bill(&p, &spp).withheld, RATE_SCALE), "-4");
	CHECK_STR(fx_fmt(bill(&p, &edp).billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(bill(&p, &dist).billed, RATE_SCALE), "0");
	CHECK_INT(bill(&p, &edp).cls, CUR_DISCOUNT);
}

TEST(policy_discounts_explicit)
{
	struct config_discount d[2] = { { "SppDiscount", 0 }, { "BundledDiscount", 0 } };
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact bun = fx_fact("BundledDiscount", "-3", "-3", "-3");
	struct cur_fact spp = fx_fact("SppDiscount", "-4", "-4", "-4");
	struct cur_fact edp = fx_fact("EdpDiscount", "-5", "-5", "-5");
	d[0].factor = F6("0.5");
	d[1].factor = F6("0");
	p.discounts = d;
	p.ndiscounts = 2;
	CHECK_STR(fx_fmt(bill(&p, &spp).billed, RATE_SCALE), "-2");   /* -4 x 0.5 */
	CHECK_STR(fx_fmt(bill(&p, &spp).withheld, RATE_SCALE), "-2");
	CHECK_STR(fx_fmt(bill(&p, &bun).billed, RATE_SCALE), "0");    /* overridden to 0 */
	CHECK_STR(fx_fmt(bill(&p, &bun).withheld, RATE_SCALE), "-3");
	CHECK_STR(fx_fmt(bill(&p, &edp).billed, RATE_SCALE), "0");    /* default stays */
	CHECK_STR(fx_fmt(rate_discount_factor(&p, "SppDiscount"), DEC_FACTOR_DIGITS), "0.5");
	CHECK_STR(fx_fmt(rate_discount_factor(&p, "PrivateRateDiscount"), DEC_FACTOR_DIGITS), "0");
}

TEST(policy_tax)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact tx = fx_fact("Tax", "21", "21", "21");
	struct rate_bill b = bill(&p, &tx); /* default strip */
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "0");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "21");
	CHECK_INT(b.cls, CUR_TAX);
	p.tax_pass = 1;
	b = bill(&p, &tx);
	CHECK_STR(fx_fmt(b.billed, RATE_SCALE), "21");
	CHECK_STR(fx_fmt(b.withheld, RATE_SCALE), "0");
}

TEST(bad_class_is_an_error)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "1", "1", "1");
	struct rate_bill b;
	struct rb_err err;
	rb_err_clear(&err);
	u.cls = CUR_NCLASS;
	CHECK_INT(rate_fact_bill(&b, &p, &u, NULL, NULL, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "111111111111") != NULL);
}

TEST(overflow_is_an_error)
{
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct cur_fact u = fx_fact("Usage", "1", "1", "1");
	struct rate_bill b;
	struct rb_err err;
	rb_err_clear(&err);
	u.unblended = dec_pow10(37); /* 10^27 USD x 100000000 does not fit */
	p.markup_pct = F6("5");
	CHECK_INT(rate_fact_bill(&b, &p, &u, NULL, NULL, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "out of range") != NULL);
}

TEST(usd_convert_rounds_half_away)
{
	rb_i128 v;
	struct rb_err err;
	rb_err_clear(&err);
	/* 1.25 x 0.5 = 0.625 -> 0.63 (half away from zero; half-even would be 0.62) */
	CHECK_INT(rate_usd_convert(&v, R18("1.25"), F6("0.5"), 2, &err), 0);
	CHECK_STR(fx_fmtn(v, 2, 2), "0.63");
	CHECK_INT(rate_usd_convert(&v, R18("-1.25"), F6("0.5"), 2, &err), 0);
	CHECK_STR(fx_fmtn(v, 2, 2), "-0.63");
	/* 0.624999999999999999 x 1 -> 0.62 */
	CHECK_INT(rate_usd_convert(&v, R18("0.624999999999999999"), F6("1"), 2, &err), 0);
	CHECK_STR(fx_fmtn(v, 2, 2), "0.62");
	/* JPY: 10.01 x 150.5 = 1506.505 -> 1507 */
	CHECK_INT(rate_usd_convert(&v, R18("10.01"), F6("150.5"), 0, &err), 0);
	CHECK_STR(fx_fmtn(v, 0, 0), "1507");
}

static const struct check_case cases[] = {
	CASE(basis_unblended),
	CASE(basis_ondemand),
	CASE(basis_effective),
	CASE(basis_purchaser_owner_held_by_customer),
	CASE(basis_purchaser_owner_held_by_other_customer),
	CASE(basis_purchaser_owner_held_by_nobody),
	CASE(basis_purchaser_no_commitment),
	CASE(basis_purchaser_commitment_and_fee),
	CASE(accounts_holds_sorted_set),
	CASE(markup_default),
	CASE(markup_exact_tiny),
	CASE(rule_more_fields_wins),
	CASE(rule_tie_earlier_wins),
	CASE(rule_account_and_type_fields),
	CASE(rule_without_markup_uses_default),
	CASE(glob_match),
	CASE(rule_usage_type_glob),
	CASE(rule_exclude),
	CASE(rule_specific_beats_exclude),
	CASE(rules_never_touch_policy_classes),
	CASE(fee_and_other_rows_take_markup_and_rules),
	CASE(policy_credits),
	CASE(policy_refunds),
	CASE(policy_discounts_default),
	CASE(policy_discounts_explicit),
	CASE(policy_tax),
	CASE(bad_class_is_an_error),
	CASE(overflow_is_an_error),
	CASE(usd_convert_rounds_half_away),
};

CHECK_MAIN(cases)
