/* test_reader.c: CUR column maps and row normalization (src/ingest/reader.c),
 * on small in-memory files and on the real samples in $REBILL_SHARED/data. */
#include "reader_check.h"

#include <stdlib.h>
#include <unistd.h>

#include "util/period.h"

/* Reads all rows of an in-memory file; returns the error text or "". */
static const char *read_all(const char *csv, size_t *nrows)
{
	static char msg[2048];
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	int ret;

	rb_err_clear(&err);
	*nrows = 0;
	msg[0] = '\0';
	ret = cur_reader_open_mem(&r, "t.csv", csv, strlen(csv), &err);
	while (ret == 0 && (ret = cur_reader_next(r, &row, &err)) == 1) {
		(*nrows)++;
		ret = 0;
	}
	if (ret < 0)
		err_text(msg, sizeof(msg), &err);
	cur_reader_free(r);
	return msg;
}

#define LEGACY_HEADER \
	"identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate," \
	"lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate," \
	"lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,lineItem/ResourceId," \
	"lineItem/UsageAmount,lineItem/UnblendedCost,product/ProductName,product/region," \
	"pricing/publicOnDemandCost,reservation/ReservationARN,reservation/EffectiveCost," \
	"savingsPlan/SavingsPlanARN,savingsPlan/SavingsPlanEffectiveCost," \
	"resourceTags/user:Env,resourceTags/aws:createdBy,resourceTags/user:App\n"

TEST(legacy_columns)
{
	const char *csv = LEGACY_HEADER
		"id1,111122223333,2026-10-01T00:00:00Z,444455556666,Usage,2026-10-03T05:00:00Z,"
		"AmazonEC2,BoxUsage:t3.micro,RunInstances,i-123,24,0.2496,Amazon Elastic Compute Cloud,"
		"us-east-1,0.30,,,,,prod,,web\n"
		"id2,111122223333,2026-10-01T00:00:00Z,444455556666,DiscountedUsage,2026-10-31T23:00:00Z,"
		"AmazonEC2,BoxUsage:c5.large,RunInstances,i-9,1,0,Amazon Elastic Compute Cloud,"
		"eu-west-1,0.085,arn:aws:ec2:eu-west-1:999988887777:reserved-instances/abc,0.05,,,,"
		"\"someone, quoted\",\n"
		"id3,111122223333,2026-10-01T00:00:00Z,444455556666,Fee,2026-10-01T00:00:00Z,"
		"AmazonEC2,,,,,1000,,,,arn:aws:ec2:eu-west-1:999988887777:reserved-instances/abc,,,,,,\n";
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct cur_reader_stats st;
	struct rb_err err;
	char p[PERIOD_BUFSZ];

	CHECK_INT(cur_reader_open_mem(&r, "t.csv", csv, strlen(csv), &err), 0);
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_INT(row->line, 2);
	period_format(p, row->period);
	CHECK_STR(p, "2026-10");
	CHECK_STR(row->day, "2026-10-03");
	CHECK_RBSTR(row->payer, "111122223333");
	CHECK_RBSTR(row->account, "444455556666");
	CHECK_RBSTR(row->type, "Usage");
	CHECK_INT(row->cls, CUR_USAGE);
	CHECK_RBSTR(row->product_code, "AmazonEC2");
	CHECK_RBSTR(row->product_name, "Amazon Elastic Compute Cloud");
	CHECK_RBSTR(row->usage_type, "BoxUsage:t3.micro");
	CHECK_RBSTR(row->operation, "RunInstances");
	CHECK_RBSTR(row->region, "us-east-1");
	CHECK_RBSTR(row->resource_id, "i-123");
	CHECK_STR(row->owner, "");
	CHECK_STR(amt(row->usage_amount), "24");
	CHECK_STR(amt(row->views.unblended), "0.2496");
	CHECK_STR(amt(row->views.ondemand), "0.3");
	CHECK_STR(amt(row->views.effective), "0.2496");
	CHECK_INT(row->ntags, 2);
	if (row->ntags == 2) {
		CHECK_RBSTR(row->tags[0].key, "user:App");
		CHECK_RBSTR(row->tags[0].value, "web");
		CHECK_RBSTR(row->tags[1].key, "user:Env");
		CHECK_RBSTR(row->tags[1].value, "prod");
	}

	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_INT(row->line, 3);
	CHECK_STR(row->day, "2026-10-31");
	CHECK_INT(row->cls, CUR_USAGE);
	CHECK_STR(row->owner, "999988887777");
	CHECK_STR(amt(row->views.unblended), "0");
	CHECK_STR(amt(row->views.ondemand), "0.085");
	CHECK_STR(amt(row->views.effective), "0.05");
	CHECK_INT(row->ntags, 1);
	if (row->ntags == 1) {
		CHECK_RBSTR(row->tags[0].key, "aws:createdBy");
		CHECK_RBSTR(row->tags[0].value, "someone, quoted");
	}

	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_INT(row->cls, CUR_COMMITMENT);   /* Fee with an RI ARN: upfront fee */
	CHECK_STR(amt(row->views.ondemand), "0");
	CHECK_STR(amt(row->views.effective), "0");
	CHECK_RBSTR(row->region, "");
	CHECK_INT(row->ntags, 0);

	CHECK_INT(cur_reader_next(r, &row, &err), 0);
	cur_reader_stats(r, &st);
	CHECK_INT(st.rows, 3);
	CHECK_INT(st.file_size, strlen(csv));
	CHECK_INT(st.bytes_in, strlen(csv));
	CHECK_INT(st.nunknown_columns, 1);
	if (st.nunknown_columns == 1)
		CHECK_STR(st.unknown_columns[0], "identity/LineItemId");
	cur_reader_free(r);
}

#define CUR2_HEADER \
	"bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id," \
	"line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost," \
	"product_region_code,savings_plan_savings_plan_a_r_n,savings_plan_savings_plan_effective_cost," \
	"savings_plan_total_commitment_to_date,savings_plan_used_commitment,resource_tags,product\n"

TEST(cur2_columns)
{
	const char *csv = CUR2_HEADER
		"111122223333,2026-10-01T00:00:00.000Z,444455556666,SavingsPlanCoveredUsage,"
		"2026-10-02T00:00:00.000Z,0.5,eu-central-1,"
		"arn:aws:savingsplans::123456789012:savingsplan/x,0.3,,,"
		"\"{\"\"user_team\"\":\"\"a,b\"\",\"\"user_quote\"\":\"\"say \\\"\"hi\\\"\"\"\","
		"\"\"user_empty\"\":\"\"\"\",\"\"aws_created\"\":\"\"me\"\"}\","
		"\"{\"\"product_name\"\":\"\"Amazon Elastic Compute Cloud\"\",\"\"region\"\":\"\"eu-west-3\"\"}\"\n"
		"111122223333,2026-10-01T00:00:00.000Z,444455556666,SavingsPlanRecurringFee,"
		"2026-10-02T00:00:00.000Z,10,us-west-2,arn:aws:savingsplans::123456789012:savingsplan/x,,"
		"10,7.5,,\n";
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct cur_reader_stats st;
	struct rb_err err;

	CHECK_INT(cur_reader_open_mem(&r, "t.csv", csv, strlen(csv), &err), 0);
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_RBSTR(row->region, "eu-west-3");          /* the product map's region */
	CHECK_STR(row->owner, "123456789012");
	CHECK_STR(amt(row->views.effective), "0.3");
	CHECK_RBSTR(row->product_name, "Amazon Elastic Compute Cloud");
	CHECK_INT(row->ntags, 3);
	if (row->ntags == 3) {
		CHECK_RBSTR(row->tags[0].key, "aws_created");
		CHECK_RBSTR(row->tags[1].key, "user_quote");
		CHECK_RBSTR(row->tags[1].value, "say \"hi\"");
		CHECK_RBSTR(row->tags[2].key, "user_team");
		CHECK_RBSTR(row->tags[2].value, "a,b");
	}
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_INT(row->cls, CUR_COMMITMENT);
	CHECK_STR(amt(row->views.effective), "2.5");
	CHECK_INT(row->ntags, 0);
	CHECK_RBSTR(row->product_name, "");
	CHECK_RBSTR(row->region, "us-west-2");          /* product_region_code */
	CHECK_INT(cur_reader_next(r, &row, &err), 0);
	cur_reader_stats(r, &st);
	CHECK_INT(st.nunknown_columns, 0);
	cur_reader_free(r);
}

TEST(athena_flat_tags)
{
	const char *csv =
		"bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,"
		"line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,"
		"product_region,product_region_code,resource_tags_user_cost_center,resource_tags_user_env,"
		"resource_tags_user_cost_center,resource_tags_aws_created_by\n"
		"1,2018-12-01T00:00:00.000Z,2,Usage,2018-12-05T00:00:00.000Z,1.5E-7,us-east-1,eu-west-1,cc1,,cc2,bob\n"
		"1,2018-12-01T00:00:00.000Z,2,Usage,2018-12-05T00:00:00.000Z,2e3,,eu-west-1,,,cc3,\n";
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct cur_reader_stats st;
	struct rb_err err;

	CHECK_INT(cur_reader_open_mem(&r, "t.csv", csv, strlen(csv), &err), 0);
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_STR(amt(row->views.unblended), "0.00000015");
	CHECK_RBSTR(row->region, "us-east-1");
	CHECK_INT(row->ntags, 2);
	if (row->ntags == 2) {
		CHECK_RBSTR(row->tags[0].key, "aws_created_by");
		CHECK_RBSTR(row->tags[1].key, "user_cost_center");
		CHECK_RBSTR(row->tags[1].value, "cc1");   /* the first column wins */
	}
	CHECK_INT(cur_reader_next(r, &row, &err), 1);
	CHECK_STR(amt(row->views.unblended), "2000");
	CHECK_RBSTR(row->region, "eu-west-1");       /* falls back to the code */
	CHECK_INT(row->ntags, 1);
	if (row->ntags == 1)
		CHECK_RBSTR(row->tags[0].value, "cc3");
	CHECK_INT(cur_reader_next(r, &row, &err), 0);
	cur_reader_stats(r, &st);
	CHECK_INT(st.duplicate_tags, 1);
	CHECK_INT(st.nunknown_columns, 0);
	cur_reader_free(r);
}

#define MINI_HEADER "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId," \
	"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost\n"

TEST(bad_input)
{
	size_t n;

	CHECK_STR(read_all("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
		"lineItem/LineItemType,lineItem/UsageStartDate\n", &n),
		"t.csv:1: missing column lineItem/UnblendedCost");
	CHECK_STR(read_all("bill_payer_account_id,x\n", &n),
		"t.csv:1: missing column bill_billing_period_start_date");
	CHECK_STR(read_all("", &n), "t.csv: empty file: no header");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,\"12,5\"\n", &n),
		"t.csv:2:6: bad amount '12,5' in column lineItem/UnblendedCost");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,1\n"
		"1,2026-10-01,2,\"Us\nage\",2026-10-01,NaN\n", &n),
		"t.csv:4:6: bad amount 'NaN' in column lineItem/UnblendedCost");
	CHECK_INT(n, 1);
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,1\n"
		"1,2026-11-01,2,Usage,2026-10-01,1\n", &n),
		"t.csv:3:2: billing period 2026-11 differs from 2026-10 of the first row");
	CHECK_STR(read_all(MINI_HEADER "1,Oct 2026,2,Usage,2026-10-01,1\n", &n),
		"t.csv:2:2: bad billing period start 'Oct 2026' in column bill/BillingPeriodStartDate");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-02-30,1\n", &n),
		"t.csv:2:5: bad usage start date '2026-02-30' in column lineItem/UsageStartDate");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,,Usage,2026-10-01,1\n", &n),
		"t.csv:2:3: bad account id '' in column lineItem/UsageAccountId");
	CHECK_STR(read_all(MINI_HEADER "12a,2026-10-01,2,Usage,2026-10-01,1\n", &n),
		"t.csv:2:1: bad account id '12a' in column bill/PayerAccountId");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,1,x\n", &n),
		"t.csv:2:7: row has more fields than the header (6)");
	CHECK_STR(read_all("lineItem/UnblendedCost," MINI_HEADER, &n),
		"t.csv:1:7: duplicate column lineItem/UnblendedCost");
	CHECK_STR(read_all("bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,"
		"line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,resource_tags,product\n"
		"1,2026-10-01,2,Usage,2026-10-01,1,[1],{}\n", &n),
		"t.csv:2:7: bad tag map '[1]' in column resource_tags");
	CHECK_STR(read_all("bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,"
		"line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,resource_tags,product\n"
		"1,2026-10-01,2,Usage,2026-10-01,1,,{x\n", &n),
		"t.csv:2:8: bad product map '{x' in column product");
	CHECK_STR(read_all(MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,1\n", &n), "");
	CHECK_INT(n, 1);
}

/* Sums of one real file, per line item type. */
struct sums {
	uint64_t rows, usage, tax, discounted;
	rb_i128 unblended, discounted_effective, effective, ondemand, usage_ondemand, tax_unblended;
	int period;
	char first_day[11], last_day[11];
};

static int read_file(const char *path, size_t bufsize, struct sums *s, struct cur_reader_stats *st)
{
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = cur_reader_open_ex(&r, path, bufsize, &err);
	while (ret == 0 && (ret = cur_reader_next(r, &row, &err)) == 1) {
		s->rows++;
		s->period = row->period;
		s->unblended += row->views.unblended;
		s->effective += row->views.effective;
		s->ondemand += row->views.ondemand;
		if (str_is(row->type, "Usage")) {
			s->usage++;
			s->usage_ondemand += row->views.ondemand;
		}
		if (str_is(row->type, "Tax")) {
			s->tax++;
			s->tax_unblended += row->views.unblended;
		}
		if (str_is(row->type, "DiscountedUsage")) {
			s->discounted++;
			s->discounted_effective += row->views.effective;
		}
		if (!s->first_day[0] || strcmp(row->day, s->first_day) < 0)
			memcpy(s->first_day, row->day, 11);
		if (strcmp(row->day, s->last_day) > 0)
			memcpy(s->last_day, row->day, 11);
		ret = 0;
	}
	if (ret < 0)
		rb_err_print(&err, stdout);
	else
		cur_reader_stats(r, st);
	cur_reader_free(r);
	return ret;
}

/* The real CUR samples live in ../shared/data beside the repository (or
 * $REBILL_SHARED/data): a case that needs one skips when it is absent, and
 * fails under CI=true (check.h). missing says which was not found. */
static char missing[4200];

static const char *shared_file(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("REBILL_SHARED");
	if (!dir)
		dir = "../shared";
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (access(path, R_OK)) {
		snprintf(missing, sizeof(missing), "%s not found (set REBILL_SHARED)", path);
		return NULL;
	}
	return path;
}

static const char *fmt6(rb_i128 v)
{
	static char buf[2][DEC_BUFSZ];
	static int k;
	k = !k;
	dec_format(buf[k], DEC_BUFSZ, v, DEC_SCALE, 6);
	return buf[k];
}

TEST(real_legacy_sample)
{
	const char *path = shared_file("data/finops-focus-converters-aws-cur/sample-anonymous-aws-export-dataset.csv");
	struct cur_reader_stats st;
	struct sums s, s2;
	char p[PERIOD_BUFSZ];

	if (!path)
		CHECK_SKIP("%s", missing);
	CHECK_INT(read_file(path, 0, &s, &st), 0);
	CHECK_INT(s.rows, 1281);
	CHECK_INT(s.usage, 1269);
	CHECK_INT(s.tax, 12);
	CHECK_STR(fmt6(s.unblended), "1.682309");
	CHECK_STR(amt(s.unblended), "1.6823086974");   /* exact */
	CHECK_STR(fmt6(s.usage_ondemand), "3.356173");
	CHECK_STR(amt(s.tax_unblended), "0.08");
	CHECK(s.ondemand == s.usage_ondemand + s.tax_unblended);
	period_format(p, s.period);
	CHECK_STR(p, "2023-11");
	CHECK_STR(s.first_day, "2023-11-01");
	CHECK_STR(s.last_day, "2023-11-14");
	CHECK_INT(st.rows, 1281);
	CHECK_INT(st.file_size, 1039102);
	CHECK_INT(st.bytes_in, 1039102);
	CHECK_INT(st.nunknown_columns, 94 - 22);   /* 22 mapped columns (with lineItem/CurrencyCode) */
	/* the same with a tiny buffer: rows cross refills everywhere */
	CHECK_INT(read_file(path, 97, &s2, &st), 0);
	CHECK_INT(s2.rows, s.rows);
	CHECK(s2.unblended == s.unblended && s2.ondemand == s.ondemand);
}

TEST(real_workshop_gzip)
{
	const char *path = shared_file("data/aws-wa-labs-workshop-cur/Dec2018-WorkshopCUR.derived.csv.gz");
	struct cur_reader_stats st;
	struct sums s;

	if (!path)
		CHECK_SKIP("%s", missing);
	CHECK_INT(read_file(path, 0, &s, &st), 0);
	CHECK_INT(s.rows, 91264);
	CHECK_INT(s.usage, 84488);
	CHECK_INT(s.discounted, 6767);
	CHECK_STR(fmt6(s.unblended), "408.375992");
	CHECK_STR(fmt6(s.discounted_effective), "230.895531");
	CHECK_INT(st.file_size, 8607755);
	CHECK_INT(st.bytes_in, 8607755);
	CHECK_INT(st.rows, 91264);
}

/* Reads path as ranges of `step` bytes; checks the chain and returns the
 * rows in order (sum and line checksum) up to a break of the chain (counted
 * in *breaks), or -2 on an error in a range that started right. */
static long read_ranges(const char *path, uint64_t size, uint64_t step, rb_i128 *sum,
	long *linesum, long *breaks)
{
	uint64_t s, prev_stop = 0;
	long rows = 0, base = 0;
	int k = 0;

	*sum = 0;
	*linesum = 0;
	*breaks = 0;
	for (s = 0; s < size || (s == 0 && size == 0); s += step, k++) {
		struct cur_reader *r = NULL;
		struct cur_reader_range rg;
		const struct cur_row *row;
		struct rb_err err;
		int ret;

		ret = cur_reader_open_range(&r, path, s, s + step >= size ? 0 : s + step, &err);
		while (ret == 0 && (ret = cur_reader_next(r, &row, &err)) == 1) {
			rows++;
			*sum += row->views.unblended;
			*linesum += row->line + base;
			ret = 0;
		}
		cur_reader_range(r, &rg);
		if (k && rg.first != prev_stop) {
			/* a wrong start: this range's rows and errors mean nothing */
			(*breaks)++;
			cur_reader_free(r);
			return rows;
		}
		if (ret < 0) {
			rb_err_print(&err, stdout);
			cur_reader_free(r);
			return -2;
		}
		prev_stop = rg.stop;
		base += rg.lines;
		cur_reader_free(r);
		if (size == 0)
			break;
	}
	if (prev_stop != size)
		(*breaks)++;
	return rows;
}

TEST(byte_ranges)
{
	const char *path = shared_file("data/finops-focus-converters-aws-cur/sample-anonymous-aws-export-dataset.csv");
	static const uint64_t steps[] = { 1039102, 400000, 65536, 4000, 811, 97 };
	struct cur_reader_stats st;
	struct sums seq;
	char tmp[] = "/tmp/rebill-range-XXXXXX";
	const char *text = MINI_HEADER "1,2026-10-01,2,Usage,2026-10-01,1\n"
		"1,2026-10-01,2,\"Usage\n1,2026-10-01,2,Usage,2026-10-01,100\n\",2026-10-01,2\n"
		"1,2026-10-01,2,Usage,2026-10-01,4\n";
	long linesum, breaks, want_linesum = 0, i;
	rb_i128 sum;
	size_t k;
	FILE *f;
	int fd;

	if (path) {
		CHECK_INT(read_file(path, 0, &seq, &st), 0);
		for (i = 0; i < 1281; i++)
			want_linesum += i + 2;   /* one line per row, after the header */
		for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			CHECK_INT(read_ranges(path, 1039102, steps[k], &sum, &linesum, &breaks), 1281);
			CHECK(sum == seq.unblended);
			CHECK_INT(linesum, want_linesum);
			CHECK_INT(breaks, 0);
		}
	}
	/* a range starting inside a quoted field with a line break */
	fd = mkstemp(tmp);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	CHECK_INT(read_ranges(tmp, strlen(text), strlen(text), &sum, &linesum, &breaks), 3);
	CHECK_STR(amt(sum), "7");
	CHECK_INT(linesum, 2 + 3 + 6);
	CHECK_INT(breaks, 0);
	/* the second range starts in the quoted field: its first "row" is the
	 * quoted field's second line, then it fails; the chain says why */
	CHECK(read_ranges(tmp, strlen(text), strlen(MINI_HEADER) + 40, &sum, &linesum, &breaks) >= 0);
	CHECK_INT(breaks, 1);
	unlink(tmp);
	{
		struct cur_reader *r = NULL;
		struct rb_err err;
		const char *gz = shared_file("data/aws-wa-labs-workshop-cur/Dec2018-WorkshopCUR.derived.csv.gz");
		if (gz) {
			CHECK_INT(cur_reader_open_range(&r, gz, 1000, 0, &err), RB_EUSAGE);
			CHECK(r == NULL);
		}
	}
	if (!path)
		CHECK_SKIP("the real-sample half: %s", missing);
}

static const struct check_case cases[] = {
	CASE(legacy_columns), CASE(cur2_columns), CASE(athena_flat_tags), CASE(bad_input),
	CASE(real_legacy_sample), CASE(real_workshop_gzip), CASE(byte_ranges),
};
CHECK_MAIN(cases)
