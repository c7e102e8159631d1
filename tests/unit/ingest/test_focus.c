/* test_focus.c: FOCUS files through the CUR reader — the column map
 * (src/ingest/reader.c) and the class and cost view table (focus.c) — on
 * small in-memory files whose expected values are worked out by hand from
 * docs/import-focus.md. */
#include "reader_check.h"

#include <stdlib.h>

#include "ingest/focus.h"
#include "util/period.h"

static const char *period_text(int p)
{
	static char buf[PERIOD_BUFSZ];
	period_format(buf, p);
	return buf;
}

static const char *error_of(const char *csv)
{
	static char msg[1024];
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	int ret;

	msg[0] = '\0';
	rb_err_clear(&err);
	ret = cur_reader_open_mem(&r, "f.csv", csv, strlen(csv), &err);
	while (ret == 0 && (ret = cur_reader_next(r, &row, &err)) == 1)
		ret = 0;
	if (ret < 0)
		err_text(msg, sizeof(msg), &err);
	cur_reader_free(r);
	return msg;
}

#define HEADER \
	"BillingAccountId,SubAccountId,ProviderName,BillingPeriodStart,ChargePeriodStart," \
	"ChargeCategory,ChargeClass,BilledCost,EffectiveCost,ListCost,CommitmentDiscountId," \
	"CommitmentDiscountStatus,ServiceName,RegionId,SkuId,Tags\n"
#define SP "arn:aws:savingsplans::999988887777:savingsplan/abc"

/* One row per line of the class table in focus.h. */
TEST(class_table)
{
	static const char csv[] = HEADER
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Usage,,10,7,12,,,EC2,us-east-1,S,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,usage,,10,7,12," SP ",Used,EC2,,S,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Usage,,3,3,4," SP ",Unused,EC2,,S,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Purchase,,100,0,100," SP ",,SP,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Purchase,,29,29,29,,,Support,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Tax,,2.1,0,0,,,,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Tax,Correction,-0.1,0,0,,,,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Credit,,-5,-5,0,,,,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Credit,correction,-1,,,,,,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Adjustment,,-4,-4,-4,,,,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Usage,Correction,-6,-5,-7,,,EC2,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Purchase,Correction,-8,,,"
		SP ",,SP,,,\n"
		"111122223333,444455556666,AWS,2026-10-01,2026-10-02,Rebate,,-9,,,,,,,,\n";
	static const struct {
		const char *type, *cls, *unblended, *ondemand, *effective, *owner;
	} want[] = {
		{ "Usage", "usage", "10", "12", "7", "" },
		{ "Usage", "usage", "10", "12", "7", "999988887777" },
		{ "Usage", "commitment", "3", "0", "3", "999988887777" },
		{ "Purchase", "commitment", "100", "0", "0", "999988887777" },
		{ "Purchase", "fee", "29", "29", "29", "" },
		{ "Tax", "tax", "2.1", "2.1", "2.1", "" },
		{ "TaxCorrection", "tax", "-0.1", "-0.1", "-0.1", "" },
		{ "Credit", "credit", "-5", "-5", "-5", "" },
		{ "CreditCorrection", "credit", "-1", "-1", "-1", "" },
		{ "Adjustment", "refund", "-4", "-4", "-4", "" },
		{ "UsageCorrection", "refund", "-6", "-6", "-6", "" },
		{ "PurchaseCorrection", "refund", "-8", "-8", "-8", "999988887777" },
		{ "Rebate", "other", "-9", "-9", "-9", "" },
	};
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	size_t i = 0;

	CHECK_INT(cur_reader_open_mem(&r, "f.csv", csv, strlen(csv), &err), 0);
	while (r && cur_reader_next(r, &row, &err) == 1 && i < sizeof(want) / sizeof(want[0])) {
		CHECK_RBSTR(row->type, want[i].type);
		CHECK_STR(cur_class_name(row->cls), want[i].cls);
		CHECK_STR(amt(row->views.unblended), want[i].unblended);
		CHECK_STR(amt(row->views.ondemand), want[i].ondemand);
		CHECK_STR(amt(row->views.effective), want[i].effective);
		CHECK_STR(row->owner, want[i].owner);
		CHECK_RBSTR(row->provider, "AWS");
		i++;
	}
	CHECK_INT(i, sizeof(want) / sizeof(want[0]));
	cur_reader_free(r);
}

/* Other clouds' ids, NULL cells, each row its own period, the account of
 * a row without SubAccountId, 1.2's ServiceProviderName, the AWS x_
 * columns before ServiceName/SkuId, tags. */
TEST(columns)
{
	static const char csv[] =
		"BillingAccountId,SubAccountId,ProviderName,ServiceProviderName,BillingCurrency,"
		"BillingPeriodStart,ChargePeriodStart,ChargeCategory,BilledCost,EffectiveCost,ListCost,"
		"ServiceName,x_ServiceCode,SkuId,x_UsageType,x_Operation,RegionId,ResourceId,"
		"ConsumedQuantity,CommitmentDiscountId,Tags\n"
		"/providers/Microsoft.Billing/billingAccounts/8611537,"
		"/subscriptions/64e355d7-997c-491d-b0c1-8414dccfcf42,Microsoft,NULL,USD,"
		"2024-09-01 00:00:00,2024-09-30 23:00:00,Usage,0.5,NULL,NULL,Storage Accounts,NULL,"
		"1099985,NULL,NULL,eastus,/subscriptions/x/disk1,2.5,"
		"/providers/Microsoft.Capacity/reservationOrders/1,"
		"\"{\"\"env\"\": \"\"prod\"\", \"\" org\"\": \"\"trey\"\", \"\"gone\"\": null}\"\n"
		"billing-01A2B3,NULL,Google,Google Cloud,,2024-10-01T00:00:00Z,2024-09-30T22:00:00Z,"
		"Tax,0.7,,,,,,,,,,,,NULL\n"
		"111122223333,444455556666,AWS,,USD,2024-10-01,2024-10-01,Usage,1,,,"
		"Amazon Elastic Compute Cloud,AmazonEC2,SKU1,USE1-BoxUsage:t3.micro,RunInstances,"
		"us-east-1,i-1,3,,\n";
	struct cur_reader *r = NULL;
	struct cur_reader_range range;
	const struct cur_row *row;
	struct rb_err err;

	CHECK_INT(cur_reader_open_mem(&r, "f.csv", csv, strlen(csv), &err), 0);
	if (!r)
		return;
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_RBSTR(row->payer, "/providers/Microsoft.Billing/billingAccounts/8611537");
	CHECK_RBSTR(row->account, "/subscriptions/64e355d7-997c-491d-b0c1-8414dccfcf42");
	CHECK_RBSTR(row->provider, "Microsoft");
	CHECK_STR(period_text(row->period), "2024-09");
	CHECK_STR(row->day, "2024-09-30");
	CHECK_STR(amt(row->views.ondemand), "0.5");     /* ListCost NULL: BilledCost */
	CHECK_STR(amt(row->views.effective), "0.5");
	CHECK_RBSTR(row->product_code, "Storage Accounts");
	CHECK_RBSTR(row->product_name, "Storage Accounts");
	CHECK_RBSTR(row->usage_type, "1099985");
	CHECK_RBSTR(row->operation, "");
	CHECK_RBSTR(row->region, "eastus");
	CHECK_RBSTR(row->resource_id, "/subscriptions/x/disk1");
	CHECK_STR(amt(row->usage_amount), "2.5");
	CHECK_STR(row->owner, "");                      /* not an ARN: no owner */
	CHECK_INT(row->ntags, 2);
	if (row->ntags == 2) {
		CHECK_RBSTR(row->tags[0].key, " org");
		CHECK_RBSTR(row->tags[1].key, "env");
		CHECK_RBSTR(row->tags[1].value, "prod");
	}
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_RBSTR(row->payer, "billing-01A2B3");
	CHECK_RBSTR(row->account, "billing-01A2B3");    /* no SubAccountId */
	CHECK_RBSTR(row->provider, "Google Cloud");
	CHECK_STR(period_text(row->period), "2024-10");  /* not the first row's */
	CHECK_STR(row->day, "2024-09-30");
	CHECK_STR(cur_class_name(row->cls), "tax");
	CHECK_INT(row->ntags, 0);
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_RBSTR(row->product_code, "AmazonEC2");
	CHECK_RBSTR(row->product_name, "Amazon Elastic Compute Cloud");
	CHECK_RBSTR(row->usage_type, "USE1-BoxUsage:t3.micro");
	CHECK_RBSTR(row->operation, "RunInstances");
	CHECK_INT(cur_reader_next(r, &row, &err), 0);
	cur_reader_range(r, &range);
	CHECK_INT(range.period, -1);   /* FOCUS periods are per row */
	cur_reader_free(r);
}

/* Equal period cells are parsed once; a cell too long to remember must not
 * leave the one before it standing for the next rows. */
TEST(period_cache)
{
	static const char csv[] =
		"BillingAccountId,BillingPeriodStart,ChargePeriodStart,ChargeCategory,BilledCost\n"
		"a,2024-09-01,2024-09-02,Usage,1\n"
		"a,2024-10-01T00:00:00.000000000000000000000000000000000000000000000000000000000Z,"
		"2024-10-02,Usage,1\n"
		"a,2024-09-01,2024-09-03,Usage,1\n";
	static const char *const want[] = { "2024-09", "2024-10", "2024-09" };
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	size_t i = 0;

	CHECK_INT(cur_reader_open_mem(&r, "f.csv", csv, strlen(csv), &err), 0);
	while (r && i < 3 && cur_reader_next(r, &row, &err) == 1)
		CHECK_STR(period_text(row->period), want[i++]);
	CHECK_INT(i, 3);
	cur_reader_free(r);
}

TEST(account_ids)
{
	char id[FOCUS_ACCOUNT_MAX + 2];
	memset(id, 'a', sizeof(id));
	CHECK(focus_account_ok(id, FOCUS_ACCOUNT_MAX));
	CHECK(!focus_account_ok(id, FOCUS_ACCOUNT_MAX + 1));
	CHECK(!focus_account_ok("", 0));
	CHECK(!focus_account_ok("a b", 3));
	CHECK(!focus_account_ok("a\tb", 3));
	CHECK(focus_account_ok("ocid1.tenancy.oc1..aaaa", 23));
	CHECK(focus_account_ok("1", 1));
}

TEST(errors)
{
	CHECK_STR(error_of(HEADER
		"1,2,AWS,2026-10-01,2026-10-02,Usage,,1,1,1,,,EC2,,,\n"
		"1,2,AWS,2026-10-01,2026-10-02,Usage,,1,1,x1,,,EC2,,,\n"),
		"f.csv:3:10: bad amount 'x1' in column ListCost");
	CHECK_STR(error_of(HEADER
		"1,2,AWS,2026-10-01,2026-10-02,Usage,Normal,1,1,1,,,EC2,,,\n"),
		"f.csv:2:7: bad charge class 'Normal' in column ChargeClass");
	CHECK_STR(error_of(HEADER
		"1,2,AWS,2026-10-01,2026-10-02,Usage,,1,1,1,,,EC2,,,\"{\"\"k\"\": 1}\"\n"),
		"f.csv:2:16: bad tag map '{\"k\": 1}' in column Tags");
	CHECK_STR(error_of(HEADER
		"1,2,AWS,2026-10-01,2026-10-02,Usage,,1,1,1,,,EC2,,,\n"
		"1,3,Microsoft,2026-10-01,2026-10-02,Usage,,1,1,1,,,EC2,,,\n"),
		"f.csv:3:3: billing account '1' has provider 'Microsoft' here, 'AWS' before");
	CHECK_STR(error_of("BilledCost,ChargeCategory,BillingAccountId,ChargePeriodStart\n"),
		"f.csv:1: missing column BillingPeriodStart (a FOCUS file)");
	/* one FOCUS name alone is not a FOCUS file: the CUR message stands */
	CHECK_STR(error_of("BilledCost\n1\n"), "f.csv:1: missing column bill_payer_account_id");
}

static const struct check_case cases[] = {
	CASE(class_table), CASE(columns), CASE(period_cache), CASE(account_ids), CASE(errors),
};
CHECK_MAIN(cases)
