/*
 * test_billed.c: src/report/billed.c on a real SQLite file — one
 * customer's billed breakdown by account, service, region, day, tag and
 * resource, every expected value worked out by hand below (NOTES), and
 * another customer's facts never in it.
 *
 * The data: plan p, basis unblended, markup 10 %, a flat fee of 5.00; acme
 * (EUR, FX 0.9, grouping account) holds 100000000001 and 100000000002;
 * beta (USD) holds 100000000003. Facts of 2026-10 (unblended = on-demand =
 * effective):
 *   f1 acct1 10-01 AmazonEC2 us-east-1 Usage  10.00 env=prod -> billed USD 11.00
 *   f2 acct1 10-02 AmazonEC2 us-east-1 Usage   5.00 env=dev  ->            5.50
 *   f3 acct1 10-02 AmazonS3  eu-west-1 Usage   2.50 (none)   ->            2.75
 *   f4 acct2 10-01 AmazonS3  eu-west-1 Usage   1.05 env=prod ->            1.155
 *   f6 acct1 10-02 AmazonEC2 us-east-1 Credit -1.00 (none)   -> (factor 1) -1.00
 *   f5 acct3 10-01 AmazonEC2 us-east-1 Usage 100.00 (beta's)
 * The invoice (charge lines by account): acct1 19.25 x 0.9 = 17.325 ->
 * 17.33, acct2 1.155 x 0.9 = 1.0395 -> 1.04, credits -0.90, fee 5.00:
 * subtotal 22.47.
 *   by account: acct1 18.25 -> 16.425 -> 16.43; acct2 1.04; rounding 0.00
 *   by service: EC2 15.50 x 0.9 = 13.95; S3 3.905 x 0.9 = 3.5145 -> 3.51;
 *               rounding 22.47 - 17.46 - 5.00 = 0.01 (region: the same)
 *   by day: 10-01 12.155 -> 10.9395 -> 10.94; 10-02 7.25 -> 6.525 -> 6.53;
 *           rounding 22.47 - 17.47 - 5.00 = 0.00
 *   by tag env: "" 1.75 -> 1.575 -> 1.58; dev 5.50 -> 4.95; prod 10.94
 * Resource facts of acct1: i-aaa EC2 8.00, i-bbb EC2 2.00, bucket-1 S3 2.50.
 * The charges of (acct1, EC2) are billed 16.50 over cost 15.00 (the credit
 * is not a charge): ratio 1.1, so i-aaa 8.80 USD -> 7.92 EUR, i-bbb 2.20
 * -> 1.98; (acct1, S3) 2.75 / 2.50: bucket-1 2.75 -> 2.48. Without a
 * resource id: 18.25 - 13.75 = 4.50 -> 4.05; total 16.425 -> 16.43;
 * rounding 16.43 - 12.38 - 4.05 = 0. Every account: total 19.405 x 0.9 =
 * 17.4645 -> 17.46, rest 5.655 -> 5.0895 -> 5.09, rounding 17.46 - 12.38 -
 * 5.09 = -0.01.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "report/billed.h"
#include "store/store_config.h"
#include "store/store_drill.h"
#include "store/store_facts.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/banned.h"

static char dbpath[64], cfgpath[64];

static void unlink_db(void)
{
	char side[80];
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
	unlink(cfgpath);
}

static int per(const char *p)
{
	int v = -1;
	period_parse(&v, p, strlen(p));
	return v;
}

static rb_i128 amt(const char *s)
{
	rb_i128 v = 0;
	dec_parse(&v, s, strlen(s), DEC_SCALE);
	return v;
}

static int apply_config(struct store *s, const char *json)
{
	struct config_result r;
	struct rb_err err;
	FILE *f = fopen(cfgpath, "w");
	int rc;
	if (!f)
		return -1;
	fputs(json, f);
	fclose(f);
	config_result_init(&r);
	rb_err_clear(&err);
	rc = store_config_apply_file(s, cfgpath, STORE_APPLY_REPLACE, &r, &err);
	if (rc < 0)
		printf("  config: %s\n", err.msg);
	config_result_release(&r);
	return rc;
}

static const char config[] =
	"{\"plans\":[{\"id\":\"p\",\"basis\":\"unblended\",\"markup_pct\":\"10\","
	"  \"fees\":[{\"type\":\"flat\",\"amount\":\"5\",\"description\":\"Desk\"}]}],"
	" \"customers\":["
	"  {\"id\":\"acme\",\"name\":\"Acme\",\"currency\":\"EUR\",\"plan\":\"p\",\"grouping\":\"account\","
	"   \"accounts\":[{\"id\":\"100000000001\"},{\"id\":\"100000000002\"}]},"
	"  {\"id\":\"beta\",\"name\":\"Beta\",\"currency\":\"USD\",\"plan\":\"p\","
	"   \"accounts\":[{\"id\":\"100000000003\"}]}],"
	" \"fx\":[{\"period\":\"2026-10\",\"currency\":\"EUR\",\"rate\":\"0.9\"}]}";

struct f {
	const char *account, *day, *pcode, *region, *amount, *tags, *type;
};

static const struct f facts[] = {
	{ "100000000001", "2026-10-01", "AmazonEC2", "us-east-1", "10.00", "user:env\x1fprod", "Usage" },
	{ "100000000001", "2026-10-02", "AmazonEC2", "us-east-1", "5.00", "user:env\x1f" "dev", "Usage" },
	{ "100000000001", "2026-10-02", "AmazonS3", "eu-west-1", "2.50", "", "Usage" },
	{ "100000000002", "2026-10-01", "AmazonS3", "eu-west-1", "1.05", "user:env\x1fprod", "Usage" },
	{ "100000000003", "2026-10-01", "AmazonEC2", "us-east-1", "100.00", "user:team\x1fsecret", "Usage" },
	{ "100000000001", "2026-10-02", "AmazonEC2", "us-east-1", "-1.00", "", "Credit" },
};

static const struct { const char *account, *id, *pcode, *amount; } resources[] = {
	{ "100000000001", "i-aaa", "AmazonEC2", "8.00" },
	{ "100000000001", "i-bbb", "AmazonEC2", "2.00" },
	{ "100000000001", "bucket-1", "AmazonS3", "2.50" },
	{ "100000000003", "i-secret", "AmazonEC2", "100.00" },
};

static struct store *setup(void)
{
	struct store *s = NULL;
	struct store_batch *b = NULL;
	struct rb_err err;
	rb_i128 total = 0;
	size_t i;

	snprintf(dbpath, sizeof(dbpath), "test-billed-%ld.db", (long)getpid());
	snprintf(cfgpath, sizeof(cfgpath), "test-billed-%ld.json", (long)getpid());
	unlink_db();
	rb_err_clear(&err);
	if (store_open(&s, dbpath, &err) < 0)
		goto fail;
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		total += amt(facts[i].amount);
	if (store_batch_begin(&b, s, "2026-11-01T00:00:00Z", &err) < 0 ||
	    store_batch_replace(b, "900000000000", per("2026-10"), 6, total, NULL, &err) < 0)
		goto fail;
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		struct store_fact sf;
		memset(&sf, 0, sizeof(sf));
		sf.period = per("2026-10");
		sf.day = facts[i].day;
		sf.fact.payer = "900000000000";
		sf.fact.account = facts[i].account;
		sf.fact.line_item_type = facts[i].type;
		sf.fact.cls = cur_classify(facts[i].type, strlen(facts[i].type), 0);
		sf.fact.product_code = facts[i].pcode;
		sf.fact.product_name = facts[i].pcode;
		sf.fact.usage_type = "Use";
		sf.fact.operation = "Op";
		sf.fact.region = facts[i].region;
		sf.fact.owner = "";
		sf.fact.rows = 1;
		sf.fact.unblended = sf.fact.ondemand = sf.fact.effective = amt(facts[i].amount);
		if (store_batch_tagset(b, &sf.tagset_id, facts[i].tags, &err) < 0 ||
		    store_batch_fact(b, &sf, &err) < 0)
			goto fail;
	}
	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
		struct store_resource_fact rf;
		memset(&rf, 0, sizeof(rf));
		rf.period = per("2026-10");
		rf.payer = "900000000000";
		rf.account = resources[i].account;
		rf.resource_id = resources[i].id;
		rf.product_code = resources[i].pcode;
		rf.sum.rows = 1;
		rf.sum.unblended = rf.sum.ondemand = rf.sum.effective = amt(resources[i].amount);
		if (store_batch_resource(b, &rf, &err) < 0)
			goto fail;
	}
	if (store_batch_commit(b, &err) < 0) {
		b = NULL;
		goto fail;
	}
	if (apply_config(s, config) < 0)
		goto fail_quiet;
	return s;
fail:
	printf("  setup: %s\n", err.msg);
fail_quiet:
	store_batch_abort(b);
	store_free(s);
	return NULL;
}

/* "key=amount;..." of the rows, then "|other|rounding|total" */
static void shape(char *buf, size_t cap, const struct report_billed *b)
{
	char a[DEC_BUFSZ];
	size_t i, n = 0;
	buf[0] = 0;
	for (i = 0; i < b->n && n < cap; i++) {
		dec_format(a, sizeof(a), b->rows[i].amount, b->minor, b->minor);
		n += (size_t)snprintf(buf + n, cap - n, "%s=%s;", b->rows[i].key, a);
	}
	dec_format(a, sizeof(a), b->other, b->minor, b->minor);
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "|%s", a);
	dec_format(a, sizeof(a), b->rounding, b->minor, b->minor);
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "|%s", a);
	dec_format(a, sizeof(a), b->total, b->minor, b->minor);
	if (n < cap)
		snprintf(buf + n, cap - n, "|%s", a);
}

static void expect(struct store *s, const char *by, const char *account, const char *want)
{
	struct report_billed *b = NULL;
	struct rb_err err;
	enum report_dim dim;
	const char *tag = NULL;
	char got[1024];

	rb_err_clear(&err);
	CHECK_INT(report_dim_parse(&dim, &tag, by, &err), 0);
	CHECK_INT(report_billed(&b, s, per("2026-10"), "acme", dim, tag, account, &err), 0);
	if (!b) {
		printf("  %s: %s\n", by, err.msg);
		return;
	}
	shape(got, sizeof(got), b);
	CHECK_STR(got, want);
	CHECK_STR(b->currency, "EUR");
	report_billed_free(b);
}

TEST(breakdowns_by_hand)
{
	struct store *s = setup();
	CHECK(s != NULL);
	if (!s)
		return;
	expect(s, "account", NULL, "100000000001=16.43;100000000002=1.04;|5.00|0.00|22.47");
	expect(s, "service", NULL, "AmazonEC2=13.95;AmazonS3=3.51;|5.00|0.01|22.47");
	expect(s, "region", NULL, "eu-west-1=3.51;us-east-1=13.95;|5.00|0.01|22.47");
	expect(s, "day", NULL, "2026-10-01=10.94;2026-10-02=6.53;|5.00|0.00|22.47");
	expect(s, "tag:user:env", NULL, "=1.58;dev=4.95;prod=10.94;|5.00|0.00|22.47");
	expect(s, "resource", "100000000001", "i-aaa=7.92;bucket-1=2.48;i-bbb=1.98;|4.05|0.00|16.43");
	expect(s, "resource", NULL, "i-aaa=7.92;bucket-1=2.48;i-bbb=1.98;|5.09|-0.01|17.46");
	store_free(s);
	unlink_db();
}

TEST(only_its_own)
{
	struct store *s = setup();
	struct report_billed *b = NULL;
	struct rb_err err;
	struct strbuf csv;
	json_t *doc;
	char *text;
	size_t i;

	CHECK(s != NULL);
	if (!s)
		return;
	rb_err_clear(&err);
	/* another customer's account and an account nobody has: one answer */
	CHECK_INT(report_billed(&b, s, per("2026-10"), "acme", REPORT_DIM_RESOURCE, NULL,
		"100000000003", &err), RB_EINPUT);
	CHECK_STR(err.msg, "unknown account '100000000003'");
	CHECK(b == NULL);
	CHECK_INT(report_billed(&b, s, per("2026-10"), "acme", REPORT_DIM_RESOURCE, NULL,
		"100000000009", &err), RB_EINPUT);
	CHECK_STR(err.msg, "unknown account '100000000009'");
	CHECK_INT(report_billed(&b, s, per("2026-10"), "nobody", REPORT_DIM_ACCOUNT, NULL, NULL,
		&err), RB_EINPUT);
	CHECK_STR(err.msg, "unknown customer 'nobody'");
	/* beta's tag key and resources are not in acme's documents */
	CHECK_INT(report_billed(&b, s, per("2026-10"), "acme", REPORT_DIM_DAY, NULL, NULL, &err), 0);
	CHECK(b && b->ntag_keys == 1 && !strcmp(b->tag_keys[0], "user:env"));
	doc = b ? report_billed_json(b, "day") : NULL;
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	CHECK(text && !strstr(text, "team") && !strstr(text, "secret") &&
	      strstr(text, "\"tag_keys\":[\"user:env\"]"));
	free(text);
	json_decref(doc);
	report_billed_free(b);
	CHECK_INT(report_billed(&b, s, per("2026-10"), "acme", REPORT_DIM_RESOURCE, NULL, NULL,
		&err), 0);
	for (i = 0; b && i < b->n; i++)
		CHECK(strcmp(b->rows[i].key, "i-secret") != 0);
	strbuf_init(&csv, 256, 1 << 20);
	if (b)
		report_billed_csv(&csv, b);
	CHECK_STR(csv.buf ? csv.buf : "",
		"resource,service,account,amount,currency\r\n"
		"i-aaa,AmazonEC2,100000000001,7.92,EUR\r\n"
		"bucket-1,AmazonS3,100000000001,2.48,EUR\r\n"
		"i-bbb,AmazonEC2,100000000001,1.98,EUR\r\n"
		"(no resource id),,,5.09,EUR\r\n"
		"(rounding),,,-0.01,EUR\r\n"
		"total,,,17.46,EUR\r\n");
	strbuf_release(&csv);
	report_billed_free(b);
	/* the period list without sums: the one period imported */
	{
		int *ps = NULL;
		size_t np = 0;
		CHECK_INT(store_period_ids(&ps, &np, s, &err), 0);
		CHECK(np == 1 && ps && ps[0] == per("2026-10"));
		free(ps);
	}
	/* beta is USD at FX 1: its own figures, 100 x 1.1 + fee 5 */
	CHECK_INT(report_billed(&b, s, per("2026-10"), "beta", REPORT_DIM_SERVICE, NULL, NULL,
		&err), 0);
	CHECK(b && b->n == 1 && !strcmp(b->rows[0].key, "AmazonEC2"));
	if (b) {
		char got[256];
		shape(got, sizeof(got), b);
		CHECK_STR(got, "AmazonEC2=110.00;|5.00|0.00|115.00");
	}
	report_billed_free(b);
	store_free(s);
	unlink_db();
}

TEST(dim_parse)
{
	enum report_dim d;
	const char *tag = NULL;
	struct rb_err err;
	rb_err_clear(&err);
	CHECK_INT(report_dim_parse(&d, &tag, "tag:user:env", &err), 0);
	CHECK_INT(d, REPORT_DIM_TAG);
	CHECK_STR(tag, "user:env");
	CHECK_INT(report_dim_parse(&d, &tag, "customer", &err), RB_EUSAGE);
	CHECK_INT(report_dim_parse(&d, &tag, "tag:", &err), RB_EUSAGE);
}

static const struct check_case cases[] = {
	CASE(breakdowns_by_hand),
	CASE(only_its_own),
	CASE(dim_parse),
};
CHECK_MAIN(cases)
