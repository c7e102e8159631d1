/*
 * test_property.c: the spec §1 guarantee — rating aggregated facts gives
 * the same invoice as rating the rows one by one. A fixed PRNG generates
 * many rows (every line item class, several accounts, services, usage
 * types, regions, commitment owners, amounts down to E-notation-sized
 * 1e-10); the same rows summed per key (every key field equal) must give
 * identical invoices — every line, subtotal, tax, total and report total —
 * for every basis, grouping and currency tried.
 */
#include "rate_fixture.h"

#include <stdint.h>

#include "util/xalloc.h"

#include "../check.h"

#define NROWS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t pick(size_t n)
{
	return (size_t)(rnd() % n);
}

static const char *const accounts[] = {
	"100000000001", "100000000002", "100000000003", "100000000004", "100000000005",
};
/* the customer holds all of its accounts; 2000.. is another customer's,
 * 999.. the payer held by nobody */
static struct rate_accounts held = { accounts, 5 };
static const char *const owners[] = { "", "100000000002", "200000000009", "999999999999" };

static const struct {
	const char *type;
	int ri_arn;
} types[] = {
	{ "Usage", 0 }, { "DiscountedUsage", 0 }, { "SavingsPlanCoveredUsage", 0 },
	{ "SavingsPlanNegation", 0 }, { "SavingsPlanRecurringFee", 0 }, { "RIFee", 0 },
	{ "Fee", 0 }, { "Fee", 1 }, { "Credit", 0 }, { "Refund", 0 }, { "EdpDiscount", 0 },
	{ "SppDiscount", 0 }, { "BundledDiscount", 0 }, { "Tax", 0 }, { "MysteryType", 0 },
};
static const char *const products[][2] = {
	{ "AmazonEC2", "Amazon Elastic Compute Cloud" },
	{ "AmazonS3", "Amazon Simple Storage Service" },
	{ "AWSSupportBusiness", "AWS Support (Business)" },
	{ "AmazonRDS", "" }, /* no product name: grouped by code */
	{ "AWSDataTransfer", "AWS Data Transfer" },
};
static const char *const usage_types[] = {
	"USE1-BoxUsage:t3.micro", "EUW1-DataTransfer-Out-Bytes", "",
};
static const char *const regions[] = { "us-east-1", "eu-west-1" };

/* A random amount written in E-notation and parsed as CUR amounts are:
 * up to 9 significant digits, from 1e-19 (rounds to 0 or 1e-10) up to
 * about 1e6 USD. */
static rb_i128 amount(int negative)
{
	char buf[64];
	unsigned long long mant = (unsigned long long)(rnd() % 1000000000ULL);
	int e = -19 + (int)pick(17);
	rb_i128 v;

	if (pick(4) == 0)
		mant %= 100; /* many tiny values */
	snprintf(buf, sizeof(buf), "%s%lluE%d", negative ? "-" : "", mant, e);
	if (dec_parse(&v, buf, strlen(buf), DEC_SCALE))
		abort();
	return v;
}

static void gen_rows(struct cur_fact *f, size_t n)
{
	size_t i, t, p;
	int neg;

	for (i = 0; i < n; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		t = pick(sizeof(types) / sizeof(types[0]));
		p = pick(sizeof(products) / sizeof(products[0]));
		f[i].payer = "999999999999";
		f[i].account = accounts[pick(5)];
		f[i].line_item_type = types[t].type;
		f[i].cls = cur_classify(types[t].type, strlen(types[t].type), types[t].ri_arn);
		f[i].product_code = products[p][0];
		f[i].product_name = products[p][1];
		f[i].usage_type = usage_types[pick(3)];
		f[i].operation = "Op";
		f[i].region = regions[pick(2)];
		f[i].owner = f[i].cls == CUR_USAGE || f[i].cls == CUR_COMMITMENT ? owners[pick(4)] : "";
		f[i].rows = 1;
		neg = f[i].cls == CUR_CREDIT || f[i].cls == CUR_DISCOUNT ||
			!strcmp(f[i].line_item_type, "SavingsPlanNegation") || pick(20) == 0;
		f[i].unblended = amount(neg);
		f[i].ondemand = amount(neg);
		f[i].effective = amount(neg);
	}
}

static int cmp_fact_key(const void *pa, const void *pb)
{
	const struct cur_fact *a = pa, *b = pb;
	int r;
	if ((r = strcmp(a->account, b->account)) || (r = strcmp(a->line_item_type, b->line_item_type)) ||
	    (r = (int)a->cls - (int)b->cls) || (r = strcmp(a->product_code, b->product_code)) ||
	    (r = strcmp(a->product_name, b->product_name)) || (r = strcmp(a->usage_type, b->usage_type)) ||
	    (r = strcmp(a->operation, b->operation)) || (r = strcmp(a->region, b->region)) ||
	    (r = strcmp(a->owner, b->owner)))
		return r;
	return 0;
}

/* Sums rows that share every key field into one fact, as the store does.
 * Returns the number of facts written to out. */
static size_t aggregate(struct cur_fact *out, const struct cur_fact *rows, size_t n)
{
	size_t i, m = 0;

	memcpy(out, rows, n * sizeof(rows[0]));
	qsort(out, n, sizeof(out[0]), cmp_fact_key);
	for (i = 0; i < n; i++) {
		if (m && !cmp_fact_key(&out[m - 1], &out[i])) {
			out[m - 1].rows += out[i].rows;
			out[m - 1].unblended += out[i].unblended;
			out[m - 1].ondemand += out[i].ondemand;
			out[m - 1].effective += out[i].effective;
		} else {
			out[m++] = out[i];
		}
	}
	return m;
}

static int same_invoice(const struct rate_invoice *a, const struct rate_invoice *b)
{
	size_t i;
	int c;
	const struct rate_totals *x = &a->totals, *y = &b->totals;

	if (a->nlines != b->nlines || a->subtotal != b->subtotal || a->tax != b->tax ||
	    a->total != b->total || a->charges != b->charges) {
		printf("  invoices differ: %zu vs %zu lines, total %s vs %s\n", a->nlines, b->nlines,
			fx_fmtn(a->total, a->minor, a->minor), fx_fmtn(b->total, b->minor, b->minor));
		return 0;
	}
	for (i = 0; i < a->nlines; i++) {
		const struct rate_line *l = &a->lines[i], *m = &b->lines[i];
		if (l->kind != m->kind || strcmp(l->key, m->key) || strcmp(l->description, m->description) ||
		    l->amount != m->amount || l->usd != m->usd || l->rows != m->rows ||
		    l->quantity != m->quantity) {
			printf("  line %zu differs: %s %s vs %s %s\n", i, l->key,
				fx_fmtn(l->amount, a->minor, a->minor), m->key,
				fx_fmtn(m->amount, b->minor, b->minor));
			return 0;
		}
	}
	if (x->rows != y->rows || x->accounts != y->accounts || x->unblended != y->unblended ||
	    x->ondemand != y->ondemand || x->effective != y->effective || x->billed != y->billed ||
	    x->excluded != y->excluded || x->excluded_rows != y->excluded_rows) {
		printf("  totals differ\n");
		return 0;
	}
	for (c = 0; c < CUR_NCLASS; c++)
		if (x->billed_class[c] != y->billed_class[c] || x->withheld[c] != y->withheld[c]) {
			printf("  totals of class %s differ\n", cur_class_name((enum cur_class)c));
			return 0;
		}
	return 1;
}

TEST(aggregated_equals_row_by_row)
{
	struct cur_fact *rows = xcalloc(NROWS, sizeof(*rows));
	struct cur_fact *agg = xcalloc(NROWS, sizeof(*agg));
	struct config_rule rules[6];
	struct config_discount disc[2] = { { "SppDiscount", 0 }, { "EdpDiscount", 0 } };
	struct config_fee fees[3];
	struct config_custom_line custom = { "Migration project", 0 };
	struct config_plan p = fx_plan(CONFIG_BASIS_UNBLENDED);
	struct config_customer c = fx_customer(&p);
	struct rb_err err;
	size_t nagg, i;
	int basis, grouping, cur, combos = 0, sensitive = 0;

	rb_err_clear(&err);
	gen_rows(rows, NROWS);
	nagg = aggregate(agg, rows, NROWS);
	printf("  %d rows aggregated into %zu facts\n", NROWS, nagg);
	CHECK(nagg < NROWS / 2); /* the property is only tested if rows merge */
	CHECK(nagg > 100);

	memset(rules, 0, sizeof(rules));
	rules[0].service = "AWSSupportBusiness";
	rules[0].exclude = 1;
	rules[1].service = "AmazonEC2";
	rules[1].usage_type = "*BoxUsage*";
	rules[1].has_markup = 1;
	rules[1].markup_pct = F6("8.5");
	rules[2].usage_type = "*Bytes";
	rules[2].has_markup = 1;
	rules[2].markup_pct = F6("1.234567");
	rules[3].region = "eu-west-1";
	rules[3].has_markup = 1;
	rules[3].markup_pct = F6("3");
	rules[4].account = "100000000003";
	rules[4].line_item_type = "Usage";
	rules[4].has_markup = 1;
	rules[4].markup_pct = F6("12.000001");
	rules[5].line_item_type = "MysteryType";
	rules[5].exclude = 1;
	disc[0].factor = F6("0.5");
	disc[1].factor = F6("0.25");
	memset(fees, 0, sizeof(fees));
	fees[0].type = CONFIG_FEE_PERCENT;
	fees[0].pct = F6("10");
	fees[0].has_min = fees[0].has_max = 1;
	fees[0].min = F6("250");
	fees[0].max = F6("100000");
	fees[1].type = CONFIG_FEE_PER_ACCOUNT;
	fees[1].amount = F6("15");
	fees[2].type = CONFIG_FEE_FLAT;
	fees[2].amount = F6("100");
	custom.amount = F6("1200");
	p.rules = rules;
	p.nrules = 6;
	p.markup_pct = F6("7.123457");
	p.credits = F6("0.333333");
	p.discounts = disc;
	p.ndiscounts = 2;
	p.fees = fees;
	p.nfees = 3;
	c.tax_rate_pct = F6("21");

	for (basis = 0; basis < 4; basis++)
		for (grouping = 0; grouping < 3; grouping++)
			for (cur = 0; cur < 3; cur++) {
				struct rate_invoice *a = NULL, *b = NULL;
				p.basis = (enum config_basis)basis;
				p.refunds_pass = (basis + grouping) % 2;
				p.tax_pass = (basis + cur) % 2;
				c.grouping = (enum config_grouping)grouping;
				c.currency = cur == 0 ? "USD" : cur == 1 ? "EUR" : "JPY";
				c.fx = cur == 1 ? F6("0.923456") : F6("151.234567");
				if (rate_invoice_build(&a, &c, fx_period("2026-10"), rows, NROWS,
					rate_accounts_holds, &held, &custom, 1, &err) ||
				    rate_invoice_build(&b, &c, fx_period("2026-10"), agg, nagg,
					rate_accounts_holds, &held, &custom, 1, &err)) {
					printf("  unexpected error: %s\n", err.msg);
					check_failed_++;
				} else {
					rb_i128 naive = 0, v;
					struct rate_bill bl;
					if (!same_invoice(a, b)) {
						printf("  basis %d grouping %d currency %s\n", basis, grouping, c.currency);
						check_failed_++;
					}
					CHECK(a->nlines >= 8);
					CHECK(a->totals.rows == NROWS);
					/* rounding each row instead would change the invoice:
					 * that is what the exact path protects */
					for (i = 0; i < NROWS; i++) {
						rate_fact_bill(&bl, &p, &rows[i], rate_accounts_holds, &held, &err);
						if (bl.cls != CUR_CREDIT && bl.cls != CUR_REFUND &&
						    bl.cls != CUR_DISCOUNT && bl.cls != CUR_TAX) {
							rate_usd_convert(&v, bl.billed, a->fx, a->minor, &err);
							naive += v;
						}
					}
					sensitive += naive != a->charges;
					combos++;
				}
				rate_invoice_free(a);
				rate_invoice_free(b);
			}
	CHECK_INT(combos, 36);
	CHECK(sensitive > combos / 2);
	free(rows);
	free(agg);
}

TEST(order_of_facts_does_not_matter)
{
	struct cur_fact *rows = xcalloc(2000, sizeof(*rows));
	struct config_plan p = fx_plan(CONFIG_BASIS_PURCHASER);
	struct config_customer c = fx_customer(&p);
	struct rate_invoice *a = NULL, *b = NULL;
	struct rb_err err;
	size_t i;

	rb_err_clear(&err);
	gen_rows(rows, 2000);
	p.markup_pct = F6("4.5");
	c.grouping = CONFIG_GROUP_ACCOUNT_SERVICE;
	c.currency = "EUR";
	c.fx = F6("0.91");
	CHECK_INT(rate_invoice_build(&a, &c, 0, rows, 2000, rate_accounts_holds, &held,
		NULL, 0, &err), 0);
	for (i = 2000 - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = pick(i + 1);
		struct cur_fact t = rows[i];
		rows[i] = rows[j];
		rows[j] = t;
	}
	CHECK_INT(rate_invoice_build(&b, &c, 0, rows, 2000, rate_accounts_holds, &held,
		NULL, 0, &err), 0);
	CHECK(a && b && same_invoice(a, b));
	rate_invoice_free(a);
	rate_invoice_free(b);
	free(rows);
}

static const struct check_case cases[] = {
	CASE(aggregated_equals_row_by_row),
	CASE(order_of_facts_does_not_matter),
};

CHECK_MAIN(cases)
