/* test_cur.c: line item classes and cost views (spec §2, §3). */
#include "../check.h"

#include "cur/cur.h"

static enum cur_class cls(const char *t, int arn)
{
	return cur_classify(t, strlen(t), arn);
}

TEST(classes)
{
	CHECK_INT(cls("Usage", 0), CUR_USAGE);
	CHECK_INT(cls("DiscountedUsage", 0), CUR_USAGE);
	CHECK_INT(cls("SavingsPlanCoveredUsage", 0), CUR_USAGE);
	CHECK_INT(cls("SavingsPlanNegation", 0), CUR_COMMITMENT);
	CHECK_INT(cls("SavingsPlanUpfrontFee", 0), CUR_COMMITMENT);
	CHECK_INT(cls("SavingsPlanRecurringFee", 0), CUR_COMMITMENT);
	CHECK_INT(cls("RIFee", 0), CUR_COMMITMENT);
	CHECK_INT(cls("Fee", 1), CUR_COMMITMENT);
	CHECK_INT(cls("Fee", 0), CUR_FEE);
	CHECK_INT(cls("Credit", 0), CUR_CREDIT);
	CHECK_INT(cls("Refund", 0), CUR_REFUND);
	CHECK_INT(cls("EdpDiscount", 0), CUR_DISCOUNT);
	CHECK_INT(cls("SppDiscount", 0), CUR_DISCOUNT);
	CHECK_INT(cls("BundledDiscount", 0), CUR_DISCOUNT);
	CHECK_INT(cls("PrivateRateDiscount", 0), CUR_DISCOUNT);
	CHECK_INT(cls("DistributorDiscount", 0), CUR_DISCOUNT);
	CHECK_INT(cls("Tax", 0), CUR_TAX);
	CHECK_INT(cls("SomethingNew", 0), CUR_OTHER);
	CHECK_INT(cls("usage", 0), CUR_OTHER); /* case matters */
	CHECK(!cur_type_known("SomethingNew", 12));
	CHECK(cur_type_known("Tax", 3));
	CHECK_STR(cur_class_name(CUR_COMMITMENT), "commitment");
	CHECK_INT(cur_class_from_name("discount"), CUR_DISCOUNT);
	CHECK_INT(cur_class_from_name("nope"), -1);
}

static struct cur_views views(const char *type, int arn, const struct cur_costs *c)
{
	struct cur_views v;
	CHECK(cur_views_compute(&v, type, strlen(type), cls(type, arn), c) == 0);
	return v;
}

TEST(views)
{
	struct cur_costs c = { 0 };
	struct cur_views v;

	c.unblended = 100; c.public_ondemand = 150; c.has_public_ondemand = 1;
	c.ri_effective = 60; c.sp_effective = 70; c.sp_total_commitment = 500;
	c.sp_used_commitment = 420; c.ri_unused_amortized_upfront = 11; c.ri_unused_recurring = 4;

	v = views("Usage", 0, &c);
	CHECK_INT(v.unblended, 100); CHECK_INT(v.ondemand, 150); CHECK_INT(v.effective, 100);
	v = views("DiscountedUsage", 0, &c);
	CHECK_INT(v.ondemand, 150); CHECK_INT(v.effective, 60);
	v = views("SavingsPlanCoveredUsage", 0, &c);
	CHECK_INT(v.effective, 70);
	v = views("SavingsPlanNegation", 0, &c);
	CHECK_INT(v.ondemand, 0); CHECK_INT(v.effective, 0); CHECK_INT(v.unblended, 100);
	v = views("SavingsPlanUpfrontFee", 0, &c);
	CHECK_INT(v.effective, 0);
	v = views("SavingsPlanRecurringFee", 0, &c);
	CHECK_INT(v.effective, 80); CHECK_INT(v.ondemand, 0);
	v = views("RIFee", 0, &c);
	CHECK_INT(v.effective, 15);
	v = views("Fee", 1, &c);
	CHECK_INT(v.effective, 0); CHECK_INT(v.ondemand, 0);
	v = views("Fee", 0, &c);
	CHECK_INT(v.effective, 100); CHECK_INT(v.ondemand, 100);
	v = views("Credit", 0, &c);
	CHECK_INT(v.effective, 100); CHECK_INT(v.ondemand, 100);
	v = views("Tax", 0, &c);
	CHECK_INT(v.ondemand, 100);

	c.has_public_ondemand = 0;
	v = views("Usage", 0, &c);
	CHECK_INT(v.ondemand, 100);  /* empty publicOnDemandCost: unblended */
}

TEST(owner)
{
	char o[13];
	const char *ri = "arn:aws:ec2:us-east-1:836060457634:reserved-instances/3a2944f2";
	const char *sp = "arn:aws:savingsplans::123456789012:savingsplan/abc";
	CHECK(cur_owner_from_arn(o, ri, strlen(ri)) == 0);
	CHECK_STR(o, "836060457634");
	CHECK(cur_owner_from_arn(o, sp, strlen(sp)) == 0);
	CHECK_STR(o, "123456789012");
	CHECK(cur_owner_from_arn(o, "", 0) < 0);
	CHECK_STR(o, "");
	CHECK(cur_owner_from_arn(o, "arn:aws:ec2:us-east-1:8360604576:x", 34) < 0);
	CHECK(cur_owner_from_arn(o, "arn:aws:ec2:us-east-1:83606045763a:x", 36) < 0);
	CHECK(cur_owner_from_arn(o, "arn:aws:ec2:us-east-1:836060457634", 34) == 0);
}

static const struct check_case cases[] = { CASE(classes), CASE(views), CASE(owner) };
CHECK_MAIN(cases)
