/*
 * test_report.c: src/report on a real SQLite file — the balance check
 * catches every kind of imbalance on crafted values; on random periods
 * (random facts, assignments, bases, policies) the reconciliation always
 * balances and agrees with sums the test computes itself; invoices built
 * from the database (facts summed over days) equal invoices rated from the
 * day-level facts; margin breakdowns add up to the period's total.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "rate/rate.h"
#include "report/report.h"
#include "report/report_int.h"
#include "store/store_config.h"
#include "store/store_facts.h"
#include "store/store_scan.h"
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

static struct store *fresh(void)
{
	struct store *s = NULL;
	struct rb_err err;
	snprintf(dbpath, sizeof(dbpath), "test-report-%ld.db", (long)getpid());
	snprintf(cfgpath, sizeof(cfgpath), "test-report-%ld.json", (long)getpid());
	unlink_db();
	rb_err_clear(&err);
	if (store_open(&s, dbpath, &err) < 0)
		printf("  store_open: %s\n", err.msg);
	return s;
}

static void done(struct store *s)
{
	store_free(s);
	unlink_db();
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
	if (rc < 0) {
		size_t i;
		printf("  config: %s\n", err.msg);
		for (i = 0; i < r.nproblems; i++)
			printf("  %s: %s\n", r.problems[i].path, r.problems[i].msg);
	}
	config_result_release(&r);
	return rc;
}

/* ---- the map ---------------------------------------------------------------- */

TEST(map_keeps_insertion_indices)
{
	struct hmap *m = hmap_new();
	char key[32];
	size_t i, len;
	int added, ok = 1;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%zu", i * 7919);
		if (hmap_put(m, key, strlen(key), &added) != i || !added)
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(hmap_count(m), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%zu", i * 7919);
		if (hmap_put(m, key, strlen(key), &added) != i || added)
			ok = 0;
	}
	CHECK(ok);
	/* keys with NUL bytes inside are distinct by length and content */
	i = hmap_put(m, "a\0b", 3, &added);
	CHECK(added);
	CHECK(hmap_put(m, "a\0c", 3, &added) != i && added);
	CHECK(hmap_put(m, "a", 1, &added) != i && added);
	CHECK(!memcmp(hmap_key(m, i, &len), "a\0b", 3));
	CHECK_INT(len, 3);
	hmap_free(m);
}

TEST(by_parse)
{
	enum report_by by;
	const char *tag = NULL;
	struct rb_err err;
	rb_err_clear(&err);
	CHECK_INT(report_by_parse(&by, &tag, "account", &err), 0);
	CHECK_INT(by, REPORT_BY_ACCOUNT);
	CHECK(tag == NULL);
	CHECK_INT(report_by_parse(&by, &tag, "tag:user:Env", &err), 0);
	CHECK_INT(by, REPORT_BY_TAG);
	CHECK_STR(tag, "user:Env");
	CHECK_INT(report_by_parse(&by, &tag, "tag:", &err), RB_EUSAGE);
	CHECK_INT(report_by_parse(&by, &tag, "day", &err), RB_EUSAGE);
	CHECK(strstr(err.msg, "'day'") != NULL);
}

/* ---- the balance check on crafted values ------------------------------------ */

struct crafted {
	struct report_reconcile r;
	struct report_payer p[2];
	struct report_customer c[1];
	struct report_account a[1];
	const char *payers[2][3];
	long rows[2][3];
	rb_i128 unblended[2][3];
	struct report_source src[2];
};

static void craft(struct crafted *x)
{
	int k;
	memset(x, 0, sizeof(*x));
	x->p[0].payer = (char *)"111111111111";
	x->p[0].rows = 5;
	x->p[0].unblended = amt("10");
	x->p[0].assigned = amt("7.5");
	x->p[0].unassigned = amt("2.5");
	x->p[1].payer = (char *)"222222222222";
	x->p[1].rows = 1;
	x->p[1].unblended = amt("1");
	x->p[1].assigned = amt("1");
	x->c[0].customer = "acme";
	x->c[0].unblended = amt("8.5");
	x->a[0].payer = (char *)"111111111111";
	x->a[0].account = (char *)"100000000001";
	x->a[0].unblended = amt("2.5");
	x->r.period = per("2026-10");
	x->r.payers = x->p;
	x->r.npayers = 2;
	x->r.customers = x->c;
	x->r.ncustomers = 1;
	x->r.unassigned = x->a;
	x->r.nunassigned = 1;
	for (k = 0; k < 2; k++) {     /* both sources list the payers in reverse */
		x->payers[k][0] = "222222222222";
		x->rows[k][0] = 1;
		x->unblended[k][0] = amt("1");
		x->payers[k][1] = "111111111111";
		x->rows[k][1] = 5;
		x->unblended[k][1] = amt("10");
		x->src[k].name = k ? "the import's count" : "the database's sum";
		x->src[k].payers = x->payers[k];
		x->src[k].rows = x->rows[k];
		x->src[k].unblended = x->unblended[k];
		x->src[k].n = 2;
	}
}

/* The check on x, then x's per-currency totals freed, so that craft() can
 * start over without leaking them. */
static int check(struct crafted *x, struct rb_err *err)
{
	int rc = report_reconcile_check(&x->r, x->src, 2, err);
	free(x->r.totals);
	x->r.totals = NULL;
	x->r.ntotals = 0;
	return rc;
}

TEST(check_accepts_balanced)
{
	struct crafted x;
	struct rb_err err;
	craft(&x);
	rb_err_clear(&err);
	CHECK_INT(report_reconcile_check(&x.r, x.src, 2, &err), 0);
	CHECK(x.r.total_unblended == amt("11"));
	CHECK(x.r.customers_unblended == amt("8.5"));
	CHECK(x.r.accounts_unblended == amt("2.5"));
	/* one currency (the crafted payers name none), with the same sums */
	CHECK_INT((int)x.r.ntotals, 1);
	CHECK(x.r.totals[0].customers == amt("8.5") && x.r.totals[0].assigned == amt("8.5"));
	CHECK(x.r.totals[0].accounts == amt("2.5") && x.r.totals[0].unassigned == amt("2.5"));
	free(x.r.totals);
	x.r.totals = NULL;
	x.r.ntotals = 0;
	/* a payer only a source knows, with nothing in it, is fine */
	x.src[1].n = 3;
	x.payers[1][2] = "333333333333";
	CHECK_INT(check(&x, &err), 0);
}

TEST(check_catches_every_imbalance)
{
	struct crafted x;
	struct rb_err err;

	craft(&x);
	x.p[0].unassigned = amt("2.4999999999");   /* one tenth of a nano-dollar */
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "payer 111111111111") != NULL);
	CHECK(strstr(err.msg, "2026-10") != NULL);

	craft(&x);
	x.unblended[0][1] = amt("10.0000000001");  /* the database's sum disagrees */
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "database") != NULL);

	craft(&x);
	x.rows[1][0] = 2;                          /* the import counted another row */
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "import") != NULL && strstr(err.msg, "222222222222") != NULL);

	craft(&x);                                 /* a payer only the import knows */
	x.src[1].n = 3;
	x.payers[1][2] = "333333333333";
	x.unblended[1][2] = amt("0.01");
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "333333333333") != NULL);

	craft(&x);                                 /* a payer no source knows */
	x.src[0].n = 1;
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "111111111111") != NULL);

	craft(&x);
	x.c[0].unblended = amt("8.4");             /* customers vs assigned */
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "customers") != NULL);

	craft(&x);
	x.a[0].unblended = amt("2");               /* unassigned accounts vs unassigned */
	CHECK_INT(check(&x, &err), RB_EBALANCE);
	CHECK(strstr(err.msg, "unassigned accounts") != NULL);
}

/* ---- random periods through the database ------------------------------------ */

static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define NPAYERS 3
#define NACCOUNTS 24
#define NDAYS 5
#define NFACTS 3000

static const char *const types[] = { "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage",
	"RIFee", "Fee", "Credit", "Refund", "SppDiscount", "BundledDiscount", "Tax", "Brandnew" };
static const char *const services[] = { "AmazonEC2", "AmazonS3", "AWSSupportBusiness" };
static const char *const regions[] = { "us-east-1", "eu-west-1", "" };

static void account_id(char out[13], unsigned i)
{
	snprintf(out, 13, "%012u", 100000000 + i);
}

/* A random amount between -99.9999999999 and 999.9999999999 (DEC_SCALE). */
static rb_i128 random_amount(int negative)
{
	rb_i128 v = (rb_i128)rnd(1000000) * 1000000 + rnd(1000000);
	v = v * 1000 / 1000;
	return negative ? -v / 10 : v;
}

struct truth {
	char payer[NPAYERS][13];
	rb_i128 payer_unblended[NPAYERS];
	rb_i128 unassigned;
	rb_i128 other;
	long other_rows;
};

static int holder_of(unsigned acct)
{
	/* accounts 0..3 held by nobody; the rest round-robin over 5 customers */
	return acct < 4 ? -1 : (int)(acct % 5);
}

/* Writes NPAYERS payers' facts for 2026-10, each payer's import recording
 * the rows and cost it holds; facts[] receives every one (strings static),
 * nfacts its count. */
static int random_facts(struct store *s, struct truth *t, struct cur_fact *facts, size_t *nfacts,
	char (*days)[11], size_t max)
{
	static char accts[NACCOUNTS][13], owners[NACCOUNTS][13];
	static struct store_fact sf[NFACTS];
	struct store_batch *b = NULL;
	struct rb_err err;
	int64_t rows[NPAYERS] = { 0 };
	unsigned p, i;
	size_t k;
	int rc;

	memset(t, 0, sizeof(*t));
	*nfacts = 0;
	for (i = 0; i < NACCOUNTS; i++) {
		account_id(accts[i], i);
		account_id(owners[i], (i * 5 + 3) % NACCOUNTS);
	}
	for (p = 0; p < NPAYERS; p++)
		snprintf(t->payer[p], 13, "%012u", 900000000 + p);
	for (k = 0; k < max && k < NFACTS; k++) {
		struct store_fact *f = &sf[k];
		struct cur_fact *rf = &facts[k];
		unsigned a = rnd(NACCOUNTS), ty = rnd(sizeof(types) / sizeof(types[0]));
		const char *type = types[ty];
		int neg = !strcmp(type, "Credit") || !strcmp(type, "Refund") || strstr(type, "Discount");

		memset(f, 0, sizeof(*f));
		p = a % NPAYERS;
		snprintf(days[k], 11, "2026-10-%02u", 1 + rnd(NDAYS));
		f->period = per("2026-10");
		f->day = days[k];
		f->fact.payer = t->payer[p];
		f->fact.account = accts[a];
		f->fact.line_item_type = type;
		f->fact.cls = cur_classify(type, strlen(type), 0);
		f->fact.product_code = services[rnd(3)];
		f->fact.product_name = f->fact.product_code;
		f->fact.usage_type = rnd(2) ? "BoxUsage:m5.large" : "TimedStorage";
		f->fact.operation = "Op";
		f->fact.region = regions[rnd(3)];
		f->fact.owner = (f->fact.cls == CUR_USAGE && strcmp(type, "Usage")) ? owners[rnd(NACCOUNTS)] : "";
		f->fact.rows = 1 + rnd(3);
		f->fact.unblended = random_amount(neg);
		f->fact.ondemand = f->fact.cls == CUR_COMMITMENT ? 0 : f->fact.unblended + (f->fact.cls == CUR_USAGE ? random_amount(0) / 7 : 0);
		f->fact.effective = f->fact.unblended - (f->fact.cls == CUR_USAGE ? random_amount(0) / 9 : 0);
		*rf = f->fact;
		t->payer_unblended[p] += f->fact.unblended;
		rows[p] += f->fact.rows;
		if (holder_of(a) < 0)
			t->unassigned += f->fact.unblended;
		if (f->fact.cls == CUR_OTHER) {
			t->other += f->fact.unblended;
			t->other_rows += (long)f->fact.rows;
		}
	}
	*nfacts = k;
	rb_err_clear(&err);
	if ((rc = store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err)) < 0)
		goto fail;
	for (p = 0; p < NPAYERS; p++)
		if ((rc = store_batch_replace(b, t->payer[p], per("2026-10"), rows[p],
				t->payer_unblended[p], NULL, &err)) < 0)
			goto fail;
	for (k = 0; k < *nfacts; k++)
		if ((rc = store_batch_fact(b, &sf[k], &err)) < 0)
			goto fail;
	if ((rc = store_batch_commit(b, &err)) < 0) {
		b = NULL;
		goto fail;
	}
	return 0;
fail:
	printf("  facts: %s\n", err.msg);
	store_batch_abort(b);
	return rc;
}

/* Five customers on the five bases/policies; accounts 0..3 unassigned. */
static int random_config(struct store *s)
{
	struct strbuf sb;
	unsigned c, a;
	char id[13];
	int rc;

	strbuf_init(&sb, 4096, 1 << 20);
	strbuf_addstr(&sb,
		"{\"tax_clusters\":[{\"id\":\"vat\",\"name\":\"VAT\",\"rate_pct\":\"21\"}],"
		"\"plans\":["
		"{\"id\":\"p0\",\"basis\":\"unblended\",\"markup_pct\":\"7.5\"},"
		"{\"id\":\"p1\",\"basis\":\"ondemand\",\"credits\":\"0.5\",\"refunds\":\"withhold\"},"
		"{\"id\":\"p2\",\"basis\":\"effective\",\"markup_pct\":\"3\",\"tax\":\"pass\","
		" \"rules\":[{\"service\":\"AWSSupportBusiness\",\"exclude\":true},"
		"  {\"usage_type\":\"*Box*\",\"markup_pct\":\"12.125\"}]},"
		"{\"id\":\"p3\",\"basis\":\"purchaser\",\"markup_pct\":\"1\","
		" \"discounts\":{\"SppDiscount\":\"0.333333\"},"
		" \"fees\":[{\"type\":\"percent\",\"pct\":\"10\",\"min\":\"5\"},{\"type\":\"per_account\",\"amount\":\"3\"}]},"
		"{\"id\":\"p4\",\"basis\":\"purchaser\"}],"
		"\"customers\":[");
	for (c = 0; c < 5; c++) {
		strbuf_addf(&sb, "%s{\"id\":\"c%u\",\"name\":\"C%u\",\"currency\":\"%s\",\"plan\":\"p%u\","
			"\"grouping\":\"%s\",%s\"accounts\":[", c ? "," : "", c, c,
			c == 1 ? "EUR" : c == 3 ? "JPY" : "USD", c,
			c == 2 ? "account_service" : c == 4 ? "account" : "service",
			c == 0 ? "\"tax_cluster\":\"vat\"," : "");
		for (a = 4; a < NACCOUNTS; a++) {
			if (holder_of(a) != (int)c)
				continue;
			account_id(id, a);
			strbuf_addf(&sb, "%s{\"id\":\"%s\"}", sb.buf[sb.len - 1] == '[' ? "" : ",", id);
		}
		strbuf_addstr(&sb, "]}");
	}
	strbuf_addstr(&sb, "],\"fx\":[{\"period\":\"2026-10\",\"currency\":\"EUR\",\"rate\":\"0.9231\"},"
		"{\"period\":\"2026-10\",\"currency\":\"JPY\",\"rate\":\"151.37\"}]}");
	rc = apply_config(s, sb.buf);
	strbuf_release(&sb);
	return rc;
}

TEST(random_periods_balance_and_agree)
{
	static struct cur_fact facts[NFACTS];
	static char days[NFACTS][11];
	struct store *s = fresh();
	struct truth t;
	struct report_reconcile *r = NULL;
	struct report_invoices *inv = NULL;
	struct report_margin *m = NULL;
	struct rb_err err;
	size_t nfacts = 0, i, j;
	rb_i128 total = 0, billed = 0;
	int round;

	rb_err_clear(&err);
	for (round = 0; round < 3; round++) {
		CHECK_INT(random_facts(s, &t, facts, &nfacts, days, NFACTS - (size_t)round * 700), 0);
		CHECK_INT(random_config(s), 0);
		CHECK_INT(report_reconcile(&r, s, per("2026-10"), &err), 0);
		if (!r) {
			printf("  reconcile: %s\n", err.msg);
			break;
		}
		/* the test's own sums */
		CHECK_INT(r->npayers, NPAYERS);
		for (i = 0; i < r->npayers && i < NPAYERS; i++) {
			CHECK_STR(r->payers[i].payer, t.payer[i]);
			CHECK(r->payers[i].unblended == t.payer_unblended[i]);
		}
		CHECK(r->total_unassigned == t.unassigned);
		CHECK_INT(r->nunassigned, 4);
		CHECK_INT(r->ncustomers, 5);
		CHECK_INT(r->nother, 1);
		if (r->nother == 1) {
			CHECK_STR(r->other[0].type, "Brandnew");
			CHECK(r->other[0].unblended == t.other);
			CHECK_INT(r->other[0].rows, t.other_rows);
		}
		/* invoices: the figures behind each equal the reconciliation's */
		CHECK_INT(report_invoices(&inv, s, per("2026-10"), NULL, &err), 0);
		if (!inv) {
			printf("  invoices: %s\n", err.msg);
			report_reconcile_free(r);
			break;
		}
		CHECK_INT(inv->n, 5);
		for (i = 0; i < inv->n && i < r->ncustomers; i++) {
			const struct rate_totals *tt = &inv->items[i].inv->totals;
			const struct report_customer *c = &r->customers[i];
			CHECK_STR(inv->items[i].inv->customer, c->customer);
			CHECK(tt->unblended == c->unblended);
			CHECK(tt->effective == c->effective);
			CHECK(tt->ondemand == c->ondemand);
			CHECK(tt->billed == c->billed);
			CHECK(tt->excluded == c->excluded);
			for (j = 0; j < CUR_NCLASS; j++)
				CHECK(tt->withheld[j] == c->withheld[j]);
		}
		/* margin by account: adds up to the total cost and the billed sum */
		CHECK_INT(report_margin(&m, s, per("2026-10"), REPORT_BY_ACCOUNT, NULL, &err), 0);
		total = 0;
		billed = 0;
		for (i = 0; i < NPAYERS; i++)
			total += t.payer_unblended[i];
		for (i = 0; i < r->ncustomers; i++)
			billed += r->customers[i].billed;
		if (m) {
			rb_i128 revenue = 0;
			size_t naccounts = 0;
			for (i = 0; i < r->ncustomers; i++)
				revenue += r->customers[i].revenue;
			for (i = 0; i < m->n; i++)
				naccounts += strcmp(m->rows[i].key, REPORT_FEES) != 0;
			CHECK(m->total.unblended == total);
			CHECK(m->total.billed == billed);
			/* spec §6: the same revenue as the reconciliation's, cost without tax */
			CHECK(m->total.revenue == revenue);
			CHECK(m->total.margin == m->total.revenue - m->total.cost * 100000000);
			CHECK_INT(naccounts, NACCOUNTS);
		}
		report_margin_free(m);
		m = NULL;
		report_invoices_free(inv);
		inv = NULL;
		report_reconcile_free(r);
		r = NULL;
	}
	done(s);
}

/* Facts summed over days rate to the same invoice as the day-level facts. */
TEST(invoices_equal_rating_day_facts)
{
	static struct cur_fact facts[NFACTS];
	static char days[NFACTS][11];
	struct store *s = fresh();
	struct truth t;
	struct report_invoices *inv = NULL;
	struct rb_err err;
	size_t nfacts = 0, i, k, n;
	struct cur_fact *mine = calloc(NFACTS, sizeof(*mine));

	rb_err_clear(&err);
	CHECK_INT(random_facts(s, &t, facts, &nfacts, days, NFACTS), 0);
	CHECK_INT(random_config(s), 0);
	CHECK_INT(report_invoices(&inv, s, per("2026-10"), NULL, &err), 0);
	for (i = 0; inv && i < inv->n; i++) {
		const struct report_invoice *it = &inv->items[i];
		struct rate_invoice *direct = NULL;
		struct rate_accounts holds;
		const char *ids[NACCOUNTS];
		char accts[NACCOUNTS][13];
		char cid[8];
		unsigned a;

		holds.n = 0;
		for (a = 0; a < NACCOUNTS; a++) {
			account_id(accts[a], a);
			snprintf(cid, sizeof(cid), "c%d", holder_of(a));
			if (holder_of(a) >= 0 && !strcmp(it->customer->id, cid))
				ids[holds.n++] = accts[a];
		}
		holds.ids = ids;
		for (n = 0, k = 0; k < nfacts; k++) {
			size_t h;
			for (h = 0; h < holds.n; h++)
				if (!strcmp(facts[k].account, ids[h]))
					break;
			if (h < holds.n)
				mine[n++] = facts[k];
		}
		CHECK_INT(rate_invoice_build(&direct, it->customer, per("2026-10"), mine, n,
			rate_accounts_holds, &holds, NULL, 0, &err), 0);
		if (!direct)
			continue;
		CHECK_INT(direct->nlines, it->inv->nlines);
		for (k = 0; k < direct->nlines && k < it->inv->nlines; k++) {
			CHECK_STR(direct->lines[k].key, it->inv->lines[k].key);
			CHECK(direct->lines[k].amount == it->inv->lines[k].amount);
		}
		CHECK(direct->total == it->inv->total);
		CHECK(direct->totals.billed == it->inv->totals.billed);
		rate_invoice_free(direct);
	}
	report_invoices_free(inv);
	free(mine);
	done(s);
}

TEST(unknown_customer_and_missing_fx)
{
	struct store *s = fresh();
	struct report_invoices *inv = NULL;
	struct report_reconcile *r = NULL;
	struct rb_err err;

	rb_err_clear(&err);
	CHECK_INT(apply_config(s,
		"{\"plans\":[{\"id\":\"p\",\"basis\":\"unblended\"}],"
		"\"customers\":[{\"id\":\"eu\",\"name\":\"EU\",\"currency\":\"EUR\",\"plan\":\"p\","
		"\"accounts\":[{\"id\":\"100000000001\"}]},"
		"{\"id\":\"us\",\"name\":\"US\",\"currency\":\"USD\",\"plan\":\"p\","
		"\"accounts\":[{\"id\":\"100000000002\",\"to\":\"2026-09\"}]}]}"), 0);
	CHECK_INT(report_invoices(&inv, s, per("2026-10"), "nobody", &err), RB_EINPUT);
	CHECK(inv == NULL);
	CHECK_STR(err.msg, "unknown customer 'nobody'");
	CHECK_INT(report_invoices(&inv, s, per("2026-10"), NULL, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "'eu'") != NULL && strstr(err.msg, "2026-10") != NULL);
	/* a known customer without an assignment for the period: no invoice */
	CHECK_INT(report_invoices(&inv, s, per("2026-10"), "us", &err), 0);
	CHECK(inv && inv->n == 0);
	report_invoices_free(inv);
	/* reconciliation needs no exchange rate */
	CHECK_INT(report_reconcile(&r, s, per("2026-10"), &err), 0);
	CHECK(r && r->ncustomers == 1 && r->npayers == 0);
	report_reconcile_free(r);
	done(s);
}

/* Any number of reading threads, reading the facts or the rollup, gives
 * the same aggregates. */
TEST(threads_give_the_same_sums)
{
	static struct cur_fact facts[NFACTS];
	static char days[NFACTS][11];
	struct store *s = fresh();
	struct truth t;
	struct report_cfg rc;
	struct report_agg one, many;
	struct rb_err err;
	size_t nfacts = 0, i, j, len;
	int threads, same = 1, added;

	rb_err_clear(&err);
	CHECK_INT(random_facts(s, &t, facts, &nfacts, days, NFACTS), 0);
	CHECK_INT(random_config(s), 0);
	/* a snapshot that does not refresh the rollup reads the facts ... */
	CHECK_INT(report_cfg_load(&rc, s, per("2026-10"), 0, &err), 0);
	CHECK_INT(store_snapshot_rollup(rc.snap), 0);
	CHECK_INT(report_collect(&one, s, &rc, REPORT_NOBODY, 1, &err), 0);
	report_cfg_release(&rc);
	/* ... one for a whole period builds the rollup first and reads it */
	CHECK_INT(report_cfg_load(&rc, s, per("2026-10"), REPORT_WHOLE_PERIOD, &err), 0);
	CHECK_INT(store_snapshot_rollup(rc.snap), 1);
	for (threads = 2; threads <= REPORT_MAX_THREADS + 1; threads++) {
		CHECK_INT(report_collect(&many, s, &rc, REPORT_NOBODY, threads, &err), 0);
		CHECK_INT(many.s.n, one.s.n);
		for (i = 0; i < many.s.n; i++) {
			const char *key = hmap_key(&many.s.keys, i, &len);
			j = hmap_put(&one.s.keys, key, len, &added);
			if (added || j >= one.s.n || one.ci[j] != many.ci[i] ||
			    one.s.facts[j].rows != many.s.facts[i].rows ||
			    one.s.facts[j].unblended != many.s.facts[i].unblended ||
			    one.s.facts[j].ondemand != many.s.facts[i].ondemand ||
			    one.s.facts[j].effective != many.s.facts[i].effective ||
			    strcmp(one.s.facts[j].account, many.s.facts[i].account) ||
			    strcmp(one.s.facts[j].owner, many.s.facts[i].owner))
				same = 0;
		}
		report_agg_release(&many);
	}
	CHECK(same);
	/* one customer (read by its accounts' ranges): exactly its sums */
	CHECK_INT(report_collect(&many, s, &rc, 2, 3, &err), 0);
	j = 0;
	for (i = 0; i < one.s.n; i++)
		j += one.ci[i] == 2;
	CHECK_INT(many.s.n, j);
	for (i = 0; i < many.s.n; i++) {
		const char *key = hmap_key(&many.s.keys, i, &len);
		size_t at = hmap_put(&one.s.keys, key, len, &added);
		if (many.ci[i] != 2 || added || one.s.facts[at].unblended != many.s.facts[i].unblended ||
		    one.s.facts[at].rows != many.s.facts[i].rows)
			same = 0;
	}
	CHECK(same && many.s.n > 0);
	report_agg_release(&many);
	report_agg_release(&one);
	report_cfg_release(&rc);
	done(s);
}

/* A snapshot is one state of the database: what another connection
 * commits meanwhile (configuration, a new import) is not seen in it, and a
 * reader that joins it afterwards is told it cannot see the same state. */
TEST(snapshot_sees_one_state)
{
	static struct cur_fact facts[NFACTS];
	static char days[NFACTS][11];
	struct store *s = fresh(), *other = NULL;
	struct store_snapshot *snap = NULL;
	struct store_reader *r = NULL;
	struct store_import_total *imp0 = NULL, *imp1 = NULL;
	struct truth t;
	json_t *doc = NULL;
	size_t n0 = 0, n1 = 0, nfacts = 0;
	struct rb_err err;
	int same = -1;

	rb_err_clear(&err);
	CHECK_INT(random_facts(s, &t, facts, &nfacts, days, 200), 0);
	CHECK_INT(store_import_totals(&imp0, &n0, s, per("2026-10"), &err), 0);
	CHECK_INT(store_snapshot_begin(&snap, s, per("2026-10"), 0, &err), 0);
	CHECK_INT(store_reader_open(&r, s, &err), 0);
	CHECK_INT(store_reader_join(r, snap, &same, &err), 0);
	CHECK_INT(same, 1);
	store_reader_free(r);
	r = NULL;

	CHECK_INT(store_open(&other, dbpath, &err), 0);
	CHECK_INT(apply_config(other, "{\"plans\":[{\"id\":\"p\",\"basis\":\"unblended\"}]}"), 0);
	CHECK_INT(random_facts(other, &t, facts, &nfacts, days, 200), 0);  /* a new import */

	CHECK_INT(store_config_export(&doc, s, &err), 0);
	CHECK_INT(json_array_size(json_object_get(doc, "plans")), 0);
	json_decref(doc);
	CHECK_INT(store_import_totals(&imp1, &n1, s, per("2026-10"), &err), 0);
	CHECK_INT(n1, n0);
	CHECK(n1 > 0 && imp1[0].id == imp0[0].id);
	store_import_totals_free(imp1, n1);
	CHECK_INT(store_reader_open(&r, s, &err), 0);
	CHECK_INT(store_reader_join(r, snap, &same, &err), 0);
	CHECK_INT(same, 0);
	store_reader_free(r);
	store_snapshot_end(snap);

	/* outside the snapshot: the new state */
	CHECK_INT(store_config_export(&doc, s, &err), 0);
	CHECK_INT(json_array_size(json_object_get(doc, "plans")), 1);
	json_decref(doc);
	CHECK_INT(store_import_totals(&imp1, &n1, s, per("2026-10"), &err), 0);
	CHECK(n1 > 0 && imp1[0].id > imp0[0].id);
	store_import_totals_free(imp1, n1);
	store_import_totals_free(imp0, n0);
	store_free(other);
	done(s);
}

static const struct check_case cases[] = {
	CASE(map_keeps_insertion_indices),
	CASE(by_parse),
	CASE(check_accepts_balanced),
	CASE(check_catches_every_imbalance),
	CASE(random_periods_balance_and_agree),
	CASE(invoices_equal_rating_day_facts),
	CASE(unknown_customer_and_missing_fx),
	CASE(threads_give_the_same_sums),
	CASE(snapshot_sees_one_state),
};
CHECK_MAIN(cases)
