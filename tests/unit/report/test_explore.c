/*
 * test_explore.c: the explorer (report_explore: the margin breakdown over
 * a range of periods, by day, with filters) and the credits and refunds
 * report (report_credits) on a small database whose every figure is
 * worked out by hand below.
 *
 * The facts (payer 900000000001; effective = ondemand = unblended):
 *   2026-09  acme  100000000001 Usage  AmazonEC2 us-east-1 09-15   40.00
 *            brit  100000000002 Credit AmazonEC2 us-east-1 09-15   -2.00
 *   2026-10  acme  Usage  AmazonEC2 us-east-1 10-01 100.00 (2 rows)
 *            acme  Usage  AmazonS3  eu-west-1 10-02  20.00
 *            acme  Credit AmazonEC2 us-east-1 10-02 -10.00
 *            acme  Refund AmazonS3  eu-west-1 10-03  -4.00
 *            brit  Usage  AmazonEC2 us-east-1 10-01  50.00
 *            brit  Credit AmazonEC2 us-east-1 10-03  -8.00
 *            brit  Refund AmazonEC2 us-east-1 10-03  -6.00
 *            none  100000000003 Usage  AmazonEC2 us-east-1 10-02  30.00
 *            none  Credit AmazonEC2 us-east-1 10-02  -5.00
 * Plans: acme "full" (unblended, markup 10 %, credits 1, refunds pass);
 * brit "half" (unblended, markup 0, credits 0.5, refunds withhold).
 * Billed (spec §4): acme usage x 1.1 (100 -> 110, 20 -> 22, Sep 40 -> 44),
 * its credit -10 and refund -4 as they are; brit usage 50, credits x 0.5
 * (-8 -> -4, Sep -2 -> -1), refund withheld (0). Unassigned: billed 0.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../check.h"
#include "report/report.h"
#include "store/store_config.h"
#include "store/store_facts.h"
#include "util/period.h"
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

static rb_i128 amt(const char *s, int scale)
{
	rb_i128 v = 0;
	dec_parse(&v, s, strlen(s), scale);
	return v;
}

static const struct {
	const char *day, *account, *type, *service, *region, *amount;
	int rows;
} facts[] = {
	{ "2026-09-15", "100000000001", "Usage", "AmazonEC2", "us-east-1", "40.00", 1 },
	{ "2026-09-15", "100000000002", "Credit", "AmazonEC2", "us-east-1", "-2.00", 1 },
	{ "2026-10-01", "100000000001", "Usage", "AmazonEC2", "us-east-1", "100.00", 2 },
	{ "2026-10-02", "100000000001", "Usage", "AmazonS3", "eu-west-1", "20.00", 1 },
	{ "2026-10-02", "100000000001", "Credit", "AmazonEC2", "us-east-1", "-10.00", 1 },
	{ "2026-10-03", "100000000001", "Refund", "AmazonS3", "eu-west-1", "-4.00", 1 },
	{ "2026-10-01", "100000000002", "Usage", "AmazonEC2", "us-east-1", "50.00", 1 },
	{ "2026-10-03", "100000000002", "Credit", "AmazonEC2", "us-east-1", "-8.00", 1 },
	{ "2026-10-03", "100000000002", "Refund", "AmazonEC2", "us-east-1", "-6.00", 1 },
	{ "2026-10-02", "100000000003", "Usage", "AmazonEC2", "us-east-1", "30.00", 1 },
	{ "2026-10-02", "100000000003", "Credit", "AmazonEC2", "us-east-1", "-5.00", 1 },
};
#define NF (sizeof(facts) / sizeof(facts[0]))

static struct store *setup(void)
{
	static const char cfg[] =
		"{\"plans\":[{\"id\":\"full\",\"basis\":\"unblended\",\"markup_pct\":\"10\"},"
		"{\"id\":\"half\",\"basis\":\"unblended\",\"credits\":\"0.5\",\"refunds\":\"withhold\"}],"
		"\"customers\":[{\"id\":\"acme\",\"name\":\"Acme\",\"currency\":\"USD\",\"plan\":\"full\","
		"\"accounts\":[{\"id\":\"100000000001\"}]},"
		"{\"id\":\"brit\",\"name\":\"Brit\",\"currency\":\"USD\",\"plan\":\"half\","
		"\"accounts\":[{\"id\":\"100000000002\"}]}]}";
	struct store *s = NULL;
	struct store_batch *b = NULL;
	struct config_result cr;
	struct rb_err err;
	const char *payer = "900000000001";
	FILE *f;
	size_t i;
	int p;

	snprintf(dbpath, sizeof(dbpath), "test-explore-%ld.db", (long)getpid());
	snprintf(cfgpath, sizeof(cfgpath), "test-explore-%ld.json", (long)getpid());
	unlink_db();
	rb_err_clear(&err);
	if (store_open(&s, dbpath, &err) < 0 || store_batch_begin(&b, s, "2026-11-26T00:00:00Z",
			&err) < 0)
		goto fail;
	for (p = 0; p < 2; p++) {
		const char *period = p ? "2026-10" : "2026-09";
		int64_t rows = 0;
		rb_i128 sum = 0;
		for (i = 0; i < NF; i++)
			if (!strncmp(facts[i].day, period, 7)) {
				rows += facts[i].rows;
				sum += amt(facts[i].amount, DEC_SCALE);
			}
		if (store_batch_replace(b, payer, per(period), rows, sum, NULL, &err) < 0)
			goto fail;
	}
	for (i = 0; i < NF; i++) {
		struct store_fact sf;
		memset(&sf, 0, sizeof(sf));
		period_parse(&sf.period, facts[i].day, 7);
		sf.day = facts[i].day;
		sf.fact.payer = payer;
		sf.fact.account = facts[i].account;
		sf.fact.line_item_type = facts[i].type;
		sf.fact.cls = cur_classify(facts[i].type, strlen(facts[i].type), 0);
		sf.fact.product_code = facts[i].service;
		sf.fact.product_name = facts[i].service;
		sf.fact.usage_type = "Use";
		sf.fact.operation = "Op";
		sf.fact.region = facts[i].region;
		sf.fact.owner = "";
		sf.fact.rows = facts[i].rows;
		sf.fact.unblended = sf.fact.effective = sf.fact.ondemand =
			amt(facts[i].amount, DEC_SCALE);
		if (store_batch_fact(b, &sf, &err) < 0)
			goto fail;
	}
	if (store_batch_commit(b, &err) < 0) {
		b = NULL;
		goto fail;
	}
	b = NULL;
	if (!(f = fopen(cfgpath, "w")))
		goto fail;
	fputs(cfg, f);
	fclose(f);
	config_result_init(&cr);
	if (store_config_apply_file(s, cfgpath, STORE_APPLY_REPLACE, &cr, &err) < 0) {
		config_result_release(&cr);
		goto fail;
	}
	config_result_release(&cr);
	return s;
fail:
	printf("  setup: %s\n", err.msg);
	if (b)
		store_batch_abort(b);
	store_free(s);
	return NULL;
}

static void done(struct store *s)
{
	store_free(s);
	unlink_db();
}

/* The row of key in m, or NULL. */
static const struct report_margin_row *row(const struct report_margin *m, const char *key)
{
	size_t i;
	for (i = 0; m && i < m->n; i++)
		if (!strcmp(m->rows[i].key, key))
			return &m->rows[i];
	return NULL;
}

/* row key's unblended (DEC_SCALE) and billed (RATE_SCALE) are u and b. */
static int is(const struct report_margin *m, const char *key, const char *u, const char *b)
{
	const struct report_margin_row *r = row(m, key);
	if (!r) {
		printf("  no row '%s'\n", key);
		return 0;
	}
	if (r->unblended != amt(u, DEC_SCALE) || r->billed != amt(b, RATE_SCALE)) {
		char ub[DEC_BUFSZ], bb[DEC_BUFSZ];
		dec_format(ub, sizeof(ub), r->unblended, DEC_SCALE, 2);
		dec_format(bb, sizeof(bb), r->billed, RATE_SCALE, 2);
		printf("  row '%s': unblended %s billed %s, expected %s %s\n", key, ub, bb, u, b);
		return 0;
	}
	return 1;
}

TEST(explore_by_parse)
{
	enum report_by by;
	const char *tag = NULL;
	struct rb_err err;
	rb_err_clear(&err);
	CHECK_INT(report_explore_by_parse(&by, &tag, "day", &err), 0);
	CHECK_INT(by, REPORT_BY_DAY);
	CHECK_INT(report_explore_by_parse(&by, &tag, "line_item_type", &err), 0);
	CHECK_INT(by, REPORT_BY_TYPE);
	CHECK_INT(report_explore_by_parse(&by, &tag, "tag:team", &err), 0);
	CHECK(by == REPORT_BY_TAG && !strcmp(tag, "team"));
	CHECK_INT(report_explore_by_parse(&by, &tag, "colour", &err), RB_EUSAGE);
	CHECK(strstr(err.msg, "'colour'") && strstr(err.msg, "day"));
	/* the CLI's margin report keeps its own list: no day there */
	CHECK_INT(report_by_parse(&by, &tag, "day", &err), RB_EUSAGE);
}

TEST(explore_sums_by_hand)
{
	struct store *s = setup();
	struct report_margin *m = NULL;
	struct report_filter f;
	struct rb_err err;

	CHECK(s != NULL);
	if (!s)
		return;
	rb_err_clear(&err);
	/* 2026-10 by service. AmazonEC2: unblended 100 - 10 + 50 - 8 - 6 = 126,
	 * billed 110 - 10 + 50 - 4 + 0 = 146; AmazonS3: 20 - 4 = 16, billed
	 * 22 - 4 = 18; unassigned rows one line: 30 - 5 = 25, billed 0.
	 * Total 167, billed 164, margin 164 - 167 = -3; fees counted (none). */
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_SERVICE, NULL,
		NULL, &err), 0);
	CHECK(m && m->n == 3);
	CHECK(is(m, "AmazonEC2", "126", "146") && is(m, "AmazonS3", "16", "18") &&
		is(m, REPORT_UNASSIGNED, "25", "0"));
	CHECK(m && m->total.unblended == amt("167", DEC_SCALE) &&
		m->total.margin == amt("-3", RATE_SCALE) && m->fees_included);
	CHECK(m && row(m, "AmazonEC2")->margin == amt("20", RATE_SCALE));
	report_margin_free(m);

	/* only AmazonEC2, by customer: acme 100 - 10 = 90 (billed 100), brit
	 * 50 - 8 - 6 = 36 (billed 46), unassigned 25; fee lines left out */
	memset(&f, 0, sizeof(f));
	f.service = "AmazonEC2";
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_CUSTOMER, NULL,
		&f, &err), 0);
	CHECK(m && m->n == 3 && !m->fees_included);
	CHECK(is(m, "acme", "90", "100") && is(m, "brit", "36", "46") &&
		is(m, REPORT_UNASSIGNED, "25", "0"));
	report_margin_free(m);

	/* acme by day: 10-01 100 (110); 10-02 20 - 10 = 10 (22 - 10 = 12);
	 * 10-03 -4 (-4) */
	memset(&f, 0, sizeof(f));
	f.customer = "acme";
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_DAY, NULL, &f,
		&err), 0);
	CHECK(m && m->n == 3);
	CHECK(is(m, "2026-10-01", "100", "110") && is(m, "2026-10-02", "10", "12") &&
		is(m, "2026-10-03", "-4", "-4"));
	report_margin_free(m);

	/* 2026-09..2026-10 by customer: acme 40 + 106 = 146 (44 + 118 = 162),
	 * brit -2 + 36 = 34 (-1 + 46 = 45), unassigned 25 */
	CHECK_INT(report_explore(&m, s, per("2026-09"), per("2026-10"), REPORT_BY_CUSTOMER, NULL,
		NULL, &err), 0);
	CHECK(m && m->period == per("2026-09") && m->to == per("2026-10"));
	CHECK(is(m, "acme", "146", "162") && is(m, "brit", "34", "45") &&
		is(m, REPORT_UNASSIGNED, "25", "0"));
	CHECK(m && m->total.unblended == amt("205", DEC_SCALE));
	report_margin_free(m);

	/* the unassigned rows only, by account; eu-west-1 only, by customer */
	memset(&f, 0, sizeof(f));
	f.customer = REPORT_UNASSIGNED;
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_ACCOUNT, NULL,
		&f, &err), 0);
	CHECK(m && m->n == 1 && is(m, "100000000003", "25", "0"));
	report_margin_free(m);
	memset(&f, 0, sizeof(f));
	f.region = "eu-west-1";
	f.account = "100000000001";
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_CUSTOMER, NULL,
		&f, &err), 0);
	CHECK(m && m->n == 1 && is(m, "acme", "16", "18"));
	report_margin_free(m);

	/* errors */
	memset(&f, 0, sizeof(f));
	f.customer = "nobody";
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_CUSTOMER, NULL,
		&f, &err), RB_EINPUT);
	CHECK(m == NULL && strstr(err.msg, "'nobody'"));
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-09"), REPORT_BY_CUSTOMER, NULL,
		NULL, &err), RB_EUSAGE);
	CHECK_INT(report_explore(&m, s, per("2026-09"), per("2026-10"), REPORT_BY_TAG, "team",
		NULL, &err), RB_EINPUT);
	CHECK(m == NULL);
	done(s);
}

static const struct report_credit_row *crow(const struct report_credits *c, const char *period,
	const char *customer)
{
	size_t i;
	for (i = 0; c && i < c->n; i++)
		if (c->rows[i].period == per(period) && !strcmp(c->rows[i].customer, customer))
			return &c->rows[i];
	return NULL;
}

/* credits and refunds of r: aws, passed and withheld (in that order). */
static int cr_is(const struct report_credit_row *r, const char *ca, const char *cp,
	const char *cw, const char *ra, const char *rp, const char *rw)
{
	return r && r->aws[REPORT_CR_CREDIT] == amt(ca, DEC_SCALE) &&
		r->passed[REPORT_CR_CREDIT] == amt(cp, RATE_SCALE) &&
		r->withheld[REPORT_CR_CREDIT] == amt(cw, RATE_SCALE) &&
		r->aws[REPORT_CR_REFUND] == amt(ra, DEC_SCALE) &&
		r->passed[REPORT_CR_REFUND] == amt(rp, RATE_SCALE) &&
		r->withheld[REPORT_CR_REFUND] == amt(rw, RATE_SCALE);
}

TEST(credits_by_hand)
{
	struct store *s = setup();
	struct report_credits *c = NULL;
	struct rb_err err;
	json_t *j;

	CHECK(s != NULL);
	if (!s)
		return;
	rb_err_clear(&err);
	/* 2026-10: acme's credit -10 passed whole (credits 1), its refund -4
	 * passed (refunds pass): nothing withheld. brit's credit -8 passed at
	 * half: -4, withheld -8 - -4 = -4; its refund -6 withheld whole. The
	 * unassigned credit -5 is billed to nobody: withheld -5. */
	CHECK_INT(report_credits(&c, s, per("2026-10"), per("2026-10"), NULL, &err), 0);
	CHECK(c && c->n == 3);
	CHECK(cr_is(crow(c, "2026-10", "acme"), "-10", "-10", "0", "-4", "-4", "0"));
	CHECK(cr_is(crow(c, "2026-10", "brit"), "-8", "-4", "-4", "-6", "0", "-6"));
	CHECK(cr_is(crow(c, "2026-10", REPORT_UNASSIGNED), "-5", "0", "-5", "0", "0", "0"));
	CHECK(c && crow(c, "2026-10", "brit")->rows == 2);
	report_credits_free(c);

	/* both months: brit's September credit -2 at half: -1 passed, -1 kept.
	 * Credits: AWS -10 - 8 - 5 - 2 = -25, passed -10 - 4 - 1 = -15,
	 * withheld -4 - 5 - 1 = -10; refunds -10, -4, -6. */
	CHECK_INT(report_credits(&c, s, per("2026-09"), per("2026-10"), NULL, &err), 0);
	CHECK(c && c->n == 4 && c->rows[0].period == per("2026-09"));
	CHECK(cr_is(crow(c, "2026-09", "brit"), "-2", "-1", "-1", "0", "0", "0"));
	CHECK(c && cr_is(&c->total, "-25", "-15", "-10", "-10", "-4", "-6"));
	j = c ? report_credits_json(c, NULL) : NULL;
	CHECK(j && !strcmp(json_string_value(json_object_get(json_object_get(json_object_get(j,
		"total"), "credits"), "withheld")), "-10.0000000000"));
	json_decref(j);
	report_credits_free(c);

	/* one customer; an unknown one */
	CHECK_INT(report_credits(&c, s, per("2026-09"), per("2026-10"), "brit", &err), 0);
	CHECK(c && c->n == 2 && cr_is(&c->total, "-10", "-5", "-5", "-6", "0", "-6"));
	report_credits_free(c);
	CHECK_INT(report_credits(&c, s, per("2026-10"), per("2026-10"), "nobody", &err), RB_EINPUT);
	CHECK(c == NULL);
	done(s);
}

TEST(explore_csv)
{
	struct store *s = setup();
	struct report_margin *m = NULL;
	struct rb_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(s != NULL);
	if (!s)
		return;
	rb_err_clear(&err);
	CHECK_INT(report_explore(&m, s, per("2026-10"), per("2026-10"), REPORT_BY_SERVICE, NULL,
		NULL, &err), 0);
	f = open_memstream(&buf, &len);
	CHECK_INT(report_explore_csv(f, m, "service"), 0);
	fclose(f);
	CHECK(buf && !strncmp(buf, "service,rows,unblended,effective,billed_usd,fees_usd,"
		"revenue_usd,cost_usd,margin\n(unassigned),2,25.0000000000,25.0000000000,"
		"0.0000000000,0.0000000000,0.0000000000,25.0000000000,-25.0000000000\n", 170));
	CHECK(buf && strstr(buf, "\ntotal,10,167.0000000000,167.0000000000,164.0000000000,"
		"0.0000000000,164.0000000000,167.0000000000,-3.0000000000\n"));
	free(buf);
	report_margin_free(m);
	done(s);
}

static const struct check_case cases[] = {
	CASE(explore_by_parse),
	CASE(explore_sums_by_hand),
	CASE(credits_by_hand),
	CASE(explore_csv),
};
CHECK_MAIN(cases)
