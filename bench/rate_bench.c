/*
 * rate_bench.c: how long the invoice math takes for a whole reseller —
 * by default 1,000 customers x 10 accounts x 300 facts per account (a month
 * of daily facts over 10 product/usage-type/type combinations), rated with
 * rate_invoice_build under a purchaser plan with rules, policies and fees,
 * invoiced in EUR. Only rate_invoice_build is timed (generating the facts
 * is not); the store's part of an invoice preview is measured elsewhere.
 *
 *   rate_bench [CUSTOMERS [ACCOUNTS [FACTS_PER_ACCOUNT]]]
 *
 * Prints the counts, the total time, the time per invoice and a checksum
 * of all invoice totals (so runs can be compared and nothing is optimised
 * away). Not a test: it asserts nothing but success.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rate/rate.h"
#include "util/xalloc.h"

#include "util/banned.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static const struct {
	const char *type, *code, *name, *usage_type;
} combos[] = {
	{ "Usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:m5.large" },
	{ "DiscountedUsage", "AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:c5.xlarge" },
	{ "SavingsPlanCoveredUsage", "AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:r5.large" },
	{ "Usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-EBS:VolumeUsage.gp3" },
	{ "Usage", "AmazonS3", "Amazon Simple Storage Service", "USE1-TimedStorage-ByteHrs" },
	{ "Usage", "AWSDataTransfer", "AWS Data Transfer", "USE1-DataTransfer-Out-Bytes" },
	{ "Usage", "AmazonRDS", "Amazon Relational Database Service", "USE1-InstanceUsage:db.m5" },
	{ "SavingsPlanRecurringFee", "ComputeSavingsPlans", "Savings Plans for AWS Compute usage", "ComputeSP:1yrNoUpfront" },
	{ "Tax", "AmazonEC2", "Amazon Elastic Compute Cloud", "" },
	{ "Credit", "AmazonEC2", "Amazon Elastic Compute Cloud", "" },
};
#define NCOMBO (sizeof(combos) / sizeof(combos[0]))

static long long arg(int argc, char **argv, int i, long long def)
{
	char *end;
	long long v;
	if (argc <= i)
		return def;
	v = strtoll(argv[i], &end, 10);
	if (*end || v <= 0 || v > 1000000) {
		fprintf(stderr, "rate_bench: bad count '%s'\n", argv[i]);
		exit(1);
	}
	return v;
}

static rb_i128 dec(const char *s)
{
	rb_i128 v;
	if (dec_parse(&v, s, strlen(s), DEC_FACTOR_DIGITS))
		abort();
	return v;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long ncust = arg(argc, argv, 1, 1000), nacct = arg(argc, argv, 2, 10);
	long long nper = arg(argc, argv, 3, 300), total_ns = 0, t0, nfacts_all = 0;
	size_t nfacts = (size_t)(nacct * nper), k;
	struct cur_fact *facts = xcalloc(nfacts, sizeof(*facts));
	char (*ids)[24] = xcalloc((size_t)nacct, sizeof(*ids));
	const char **idp = xcalloc((size_t)nacct, sizeof(*idp));
	struct config_rule rules[4];
	struct config_fee fees[2];
	struct config_custom_line custom = { "Migration project", 0 };
	struct config_plan plan;
	struct config_customer c;
	struct rate_accounts held;
	struct rate_invoice *inv;
	struct rb_err err;
	rb_i128 checksum = 0;
	long long cu, a, d;
	char buf[DEC_BUFSZ];

	memset(&plan, 0, sizeof(plan));
	memset(rules, 0, sizeof(rules));
	memset(fees, 0, sizeof(fees));
	rules[0].service = "AWSSupportBusiness";
	rules[0].exclude = 1;
	rules[1].service = "AmazonEC2";
	rules[1].usage_type = "*BoxUsage*";
	rules[1].has_markup = 1;
	rules[1].markup_pct = dec("8");
	rules[2].usage_type = "*DataTransfer*";
	rules[2].has_markup = 1;
	rules[2].markup_pct = dec("2.5");
	rules[3].region = "eu-west-1";
	rules[3].has_markup = 1;
	rules[3].markup_pct = dec("3");
	fees[0].type = CONFIG_FEE_PERCENT;
	fees[0].pct = dec("10");
	fees[0].has_min = 1;
	fees[0].min = dec("250");
	fees[0].description = "Managed services";
	fees[1].type = CONFIG_FEE_PER_ACCOUNT;
	fees[1].amount = dec("15");
	fees[1].description = "Account monitoring";
	plan.id = "standard";
	plan.basis = CONFIG_BASIS_PURCHASER;
	plan.markup_pct = dec("5");
	plan.rules = rules;
	plan.nrules = 4;
	plan.credits = dec("0.5");
	plan.refunds_pass = 1;
	plan.fees = fees;
	plan.nfees = 2;
	memset(&c, 0, sizeof(c));
	c.id = "customer";
	c.currency = "EUR";
	c.minor = 2;
	c.plan = &plan;
	c.tax_rate_pct = dec("21");
	c.grouping = CONFIG_GROUP_SERVICE;
	c.has_fx = 1;
	c.fx = dec("0.9231");
	custom.amount = dec("1200");
	rb_err_clear(&err);

	for (cu = 0; cu < ncust; cu++) {
		for (a = 0; a < nacct; a++) {
			snprintf(ids[a], sizeof(ids[a]), "%012lld", 100000000000LL + cu * 100 + a);
			idp[a] = ids[a];
		}
		held.ids = idp;
		held.n = (size_t)nacct;
		c.grouping = (enum config_grouping)(cu % 3);
		k = 0;
		for (a = 0; a < nacct; a++)
			for (d = 0; d < nper; d++, k++) {
				const size_t j = (size_t)d % NCOMBO;
				struct cur_fact *f = &facts[k];
				rb_i128 u = (rb_i128)(rnd() % 100000000000ULL); /* < 10 USD at DEC_SCALE */
				f->payer = "999999999999";
				f->account = ids[a];
				f->line_item_type = combos[j].type;
				f->cls = cur_classify(combos[j].type, strlen(combos[j].type), 0);
				f->product_code = combos[j].code;
				f->product_name = combos[j].name;
				f->usage_type = combos[j].usage_type;
				f->operation = "RunInstances";
				f->region = d % 7 ? "us-east-1" : "eu-west-1";
				f->owner = j == 1 || j == 2 ? ids[(a + 1) % nacct] : "";
				f->rows = 1 + (long)(rnd() % 24);
				f->unblended = f->cls == CUR_CREDIT ? -u : u;
				f->ondemand = f->unblended + (f->cls == CUR_USAGE ? u / 3 : 0);
				f->effective = f->unblended - u / 5;
			}
		t0 = now_ns();
		if (rate_invoice_build(&inv, &c, 2026 * 12 + 9, facts, nfacts, rate_accounts_holds,
			&held, &custom, 1, &err)) {
			fprintf(stderr, "rate_bench: %s\n", err.msg);
			return 1;
		}
		total_ns += now_ns() - t0;
		checksum += inv->total;
		nfacts_all += (long long)nfacts;
		rate_invoice_free(inv);
	}
	dec_format(buf, sizeof(buf), checksum, 2, 2);
	printf("rate_invoice_build: %lld customers x %lld accounts x %lld facts = %lld facts\n",
		ncust, nacct, nper, nfacts_all);
	printf("total %lld.%03lld s, %lld us per invoice, %lld ns per fact\n",
		total_ns / 1000000000LL, total_ns / 1000000LL % 1000, total_ns / ncust / 1000,
		total_ns / nfacts_all);
	printf("checksum of invoice totals: %s EUR\n", buf);
	free(facts);
	free(ids);
	free(idp);
	return 0;
}
