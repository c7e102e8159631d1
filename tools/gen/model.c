/*
 * model.c: what a synthetic CUR row says. A fixed catalog (services,
 * regions, tag sets), per payer a set of accounts and commitments (RIs and
 * Savings Plans owned by the payer or by one of its linked accounts), and
 * row i of a payer computed from splitmix64 streams seeded by (seed, payer,
 * i) alone.
 *
 * Amounts are integers at DEC_SCALE, written with util/decimal.h in the
 * shapes real CUR files show: shortest form, fixed 10 digits, E-notation for
 * tiny values, and sometimes 13 fractional digits that rebill must round.
 *
 * Not for: files, CSV quoting or sums (gen.c).
 */
#include "gen_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/decimal.h"
#include "util/period.h"
#include "util/xalloc.h"

#include "util/banned.h"

const struct gen_coldef gen_cols[GEN_NCOL] = {
#define GEN_X(id, legacy, cur2, key, kind) { legacy, cur2, key, kind },
	GEN_COLUMNS(GEN_X)
#undef GEN_X
};

const char *const gen_type_names[GEN_NTYPES] = {
	"Usage", "DiscountedUsage", "RIFee", "Fee", "SavingsPlanCoveredUsage",
	"SavingsPlanNegation", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee",
	"Credit", "Refund", "EdpDiscount", "SppDiscount", "BundledDiscount",
	"PrivateRateDiscount", "DistributorDiscount", "Tax", "SomethingNew",
};

/* Row kinds: the first 17 write gen_type_names[kind]; K_SUPPORT is a Fee
 * without a reservation ARN (K_RI_UPFRONT is the Fee with one). */
enum kind {
	K_USAGE, K_DISCOUNTED, K_RIFEE, K_RI_UPFRONT, K_SP_COVERED, K_SP_NEGATION,
	K_SP_RECURRING, K_SP_UPFRONT, K_CREDIT, K_REFUND, K_EDP, K_SPP, K_BUNDLED,
	K_PRIVATE_RATE, K_DISTRIBUTOR, K_TAX, K_UNKNOWN, K_SUPPORT, NKINDS
};

/* Per 10000 rows, after the first NKINDS rows (one of each kind). */
static const int kind_weight[NKINDS] = {
	7000, 900, 20, 5, 800, 300, 20, 5, 150, 40, 300, 80, 80, 20, 20, 200, 40, 20,
};

/* ---- pseudo-random numbers: splitmix64, no floating point ---- */

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *g)
{
	uint64_t z = (g->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for n far below 2^64. */
static uint64_t rbelow(struct rng *g, uint64_t n)
{
	return rnext(g) % n;
}

/* In [lo, hi]. */
static int64_t rrange(struct rng *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rbelow(g, (uint64_t)(hi - lo + 1));
}

/* ---- the catalog ---- */

#define NREG 5
#define GLOBAL NREG

static const struct region {
	const char *code, *prefix, *location;
} regions[NREG] = {
	{ "us-east-1", "USE1", "US East (N. Virginia)" },
	{ "eu-west-1", "EU", "EU (Ireland)" },
	{ "eu-central-1", "EUC1", "EU (Frankfurt)" },
	{ "ap-northeast-1", "APN1", "Asia Pacific (Tokyo)" },
	{ "us-west-2", "USW2", "US West (Oregon)" },
};

static const struct prod {
	const char *code, *name, *family, *usage_type, *operation, *unit;
	int64_t rate;            /* public on-demand rate at DEC_SCALE */
	char res;                /* resource id shape, 0 for none */
	const char *itype, *os, *vcpu, *memory, *desc;
	int tiny;                /* costs far below a cent: E-notation likely */
	int global;              /* no region */
} prods[] = {
	{ "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "BoxUsage:m5.large",
	  "RunInstances", "Hrs", 960000000, 'i', "m5.large", "Linux", "2", "8 GiB",
	  "$0.096 per On Demand Linux m5.large Instance Hour", 0, 0 },
	{ "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "BoxUsage:c5.xlarge",
	  "RunInstances:0002", "Hrs", 3540000000, 'i', "c5.xlarge", "Windows", "4", "8 GiB",
	  "$0.354 per On Demand Windows c5.xlarge Instance Hour", 0, 0 },
	{ "AmazonEC2", "Amazon Elastic Compute Cloud", "Storage", "EBS:VolumeUsage.gp3",
	  "CreateVolume-Gp3", "GB-Mo", 1095890, 'v', NULL, NULL, NULL, NULL,
	  "$0.08 per GB-month of General Purpose (gp3) provisioned storage", 0, 0 },
	{ "AmazonEC2", "Amazon Elastic Compute Cloud", "Data Transfer", "DataTransfer-Out-Bytes",
	  "RunInstances", "GB", 900000000, 0, NULL, NULL, NULL, NULL,
	  "$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier", 0, 0 },
	{ "AmazonS3", "Amazon Simple Storage Service", "Storage", "TimedStorage-ByteHrs",
	  "StandardStorage", "GB-Mo", 315068, 's', NULL, NULL, NULL, NULL,
	  "$0.023 per GB - first 50 TB / month of storage used", 0, 0 },
	{ "AmazonS3", "Amazon Simple Storage Service", "API Request", "Requests-Tier1",
	  "PutObject", "Requests", 50000, 's', NULL, NULL, NULL, NULL,
	  "$0.005 per 1,000 PUT, COPY, POST, or LIST requests", 1, 0 },
	{ "AmazonRDS", "Amazon Relational Database Service", "Database Instance",
	  "InstanceUsage:db.r5.large", "CreateDBInstance:0002", "Hrs", 2500000000, 'd',
	  "db.r5.large", NULL, "2", "16 GiB",
	  "$0.25 per RDS db.r5.large instance hour (or partial hour) running MySQL", 0, 0 },
	{ "AWSLambda", "AWS Lambda", "Serverless", "Lambda-GB-Second", "Invoke",
	  "Lambda-GB-Second", 166667, 'f', NULL, NULL, NULL, NULL,
	  "AWS Lambda - Total Compute - EU (Ireland)", 1, 0 },
	{ "AWSLambda", "AWS Lambda", "Serverless", "Request", "Invoke", "Requests", 2000, 'f',
	  NULL, NULL, NULL, NULL, "AWS Lambda - Total Requests - EU (Ireland)", 1, 0 },
	{ "AmazonDynamoDB", "Amazon DynamoDB", "Provisioned IOPS", "ReadCapacityUnit-Hrs",
	  "CommittedThroughput", "ReadCapacityUnit-Hrs", 1300000, 't', NULL, NULL, NULL, NULL,
	  "$0.00013 per hour for units of read capacity for a month", 0, 0 },
	{ "AmazonCloudWatch", "AmazonCloudWatch", "Metric", "CW:MetricMonitorUsage",
	  "MetricStorage", "Metrics", 4109590, 0, NULL, NULL, NULL, NULL,
	  "$0.30 per metric-month - first 10,000 metrics", 0, 0 },
	{ "8a1lx2k7qz4hw0c3v9m5rtybe", "CloudGuard Network Security, BYOL \"Next-Gen\" Edition",
	  "", "SoftwareUsage:m5.large", "RunInstances", "Hrs", 500000000, 'i', "m5.large",
	  NULL, NULL, NULL, "$0.05 per hour for software, m5.large", 0, 0 },
	{ "AWSSupportBusiness", "AWS Support (Business)", "", "Dollar", "", "Dollar", 0, 0,
	  NULL, NULL, NULL, NULL, "AWS Support (Business)", 0, 1 },
	{ "ComputeSavingsPlans", "Savings Plans for AWS Compute usage", "",
	  "ComputeSP:1yrPartialUpfront", "", "Hrs", 0, 0, NULL, NULL, NULL, NULL,
	  "1 year Partial Upfront Compute Savings Plan", 0, 1 },
};

#define NPROD ((int)(sizeof(prods) / sizeof(prods[0])))
#define NUSAGE_PROD 12   /* prods[0..11] carry usage */
#define PROD_SUPPORT 12
#define PROD_SP 13
#define PROD_MARKET 11

/* Tag values with commas, quote marks and non-ASCII on purpose. */
static const char *const tag_env[] = { "prod", "staging", "dev, test", "pré-prod" };
static const char *const tag_team[] = { "payments", "data \"lake\"", "ops, infra", "日本チーム" };
static const char *const tag_cc[] = { "CC-1001", "CC-2002", "CC-3003" };
static const char *const tag_owner[] = { "alice@example.com", "Bob \"the builder\", Jr.", "zoë" };
#define NTAGSETS 10
static const signed char tagsets[NTAGSETS][4] = {
	{ -1, -1, -1, -1 }, { 0, 0, 0, 0 }, { 1, 1, 1, -1 }, { 2, -1, 2, 1 }, { 3, 3, -1, 2 },
	{ 0, 2, -1, -1 }, { -1, 1, 0, 1 }, { 1, -1, -1, -1 }, { 0, 3, 1, 0 }, { 2, 2, 2, 2 },
};

#define NRI 4
#define NSP 2
#define MAX_HOURS (31 * 24)

struct commitment {
	int owner;               /* account index */
	int prod, region;
	char arn[128];
	char subscription[16];
};

struct gen_model {
	struct gen_opts opts;
	uint64_t base;           /* from the seed */
	int hours;               /* in the period */
	char period_start[64], period_end[64];
	char iv_month[160];
	char (*hour_start)[64];  /* [hours + 1]: hour h starts at hour_start[h] */
	char (*hour_iv)[160];
	char usage_type[NPROD][GLOBAL + 1][48];
	char sku[NPROD][GLOBAL + 1][20];
	char *prod_map[NPROD][GLOBAL + 1];  /* CUR 2.0 `product` cells (jansson) */
	char *tag_map[NTAGSETS];             /* CUR 2.0 `resource_tags` cells */
	char ri_start[64], ri_end[64];
	int kind_cum[NKINDS];

	/* the current payer */
	int payer;
	uint64_t pbase;
	long rows;
	char (*account_id)[16];  /* [accounts + 1], 0 = the payer */
	char (*account_name)[48];
	char payer_name[48];
	char assembly_id[40];
	char invoice_id[16];
	struct commitment ri[NRI], sp[NSP];
};

static int days_in_month(int year, int month)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return d[month - 1];
}

static void uuid_write(char out[37], uint64_t a, uint64_t b)
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;
	for (i = 0; i < 32; i++) {
		uint64_t w = i < 16 ? a : b;
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[o++] = '-';
		out[o++] = hex[(w >> ((i % 16) * 4)) & 15];
	}
	out[o] = '\0';
}

/* The value of a product attribute column for a product in a region ("" when
 * it has none). The same for legacy columns and the CUR 2.0 map. */
static const char *prod_attr(const struct gen_model *m, int p, int reg, enum gen_col c)
{
	const struct prod *pr = &prods[p];
	const struct region *rg = reg == GLOBAL ? NULL : &regions[reg];
	switch (c) {
	case COL_PRODUCT_NAME: return pr->name;
	case COL_P_SERVICECODE: return pr->code;
	case COL_P_SERVICENAME: return pr->name;
	case COL_P_FAMILY: return pr->family;
	case COL_P_REGION: return rg ? rg->code : "";
	case COL_P_REGION_CODE: return rg ? rg->code : "";
	case COL_P_LOCATION: return rg ? rg->location : "Any";
	case COL_P_LOCATION_TYPE: return rg ? "AWS Region" : "";
	case COL_P_SKU: return m->sku[p][reg];
	case COL_P_USAGETYPE: return m->usage_type[p][reg];
	case COL_P_OPERATION: return pr->operation;
	case COL_P_INSTANCE_TYPE: return pr->itype ? pr->itype : "";
	case COL_P_INSTANCE_FAMILY: return pr->itype ? (pr->itype[0] == 'c' ? "Compute optimized" :
		pr->itype[0] == 'd' ? "Memory optimized" : "General purpose") : "";
	case COL_P_OS: return pr->os ? pr->os : "";
	case COL_P_TENANCY: return pr->os ? "Shared" : "";
	case COL_P_VCPU: return pr->vcpu ? pr->vcpu : "";
	case COL_P_MEMORY: return pr->memory ? pr->memory : "";
	case COL_P_CURRENT_GEN: return pr->itype ? "Yes" : "";
	case COL_P_PRICING_UNIT: return pr->res ? pr->unit : "";
	case COL_P_VOLUME_TYPE: return pr->res == 'v' ? "General Purpose" : "";
	case COL_P_STORAGE_MEDIA: return pr->res == 'v' ? "SSD-backed" : "";
	case COL_P_STORAGE_CLASS: return p == 4 ? "General Purpose" : "";
	case COL_P_DURABILITY: return p == 4 ? "99.999999999%" : "";
	case COL_P_AVAILABILITY: return p == 4 ? "99.99%" : "";
	case COL_P_GROUP: return p == 5 ? "S3-API-Tier1" : p == 8 ? "AWS-Lambda-Requests" : "";
	case COL_P_TRANSFER_TYPE: return p == 3 ? "AWS Outbound" : "";
	case COL_P_FROM_LOCATION: return p == 3 && rg ? rg->location : "";
	case COL_P_FROM_LOCATION_TYPE: return p == 3 ? "AWS Region" : "";
	case COL_P_FROM_REGION: return p == 3 && rg ? rg->code : "";
	case COL_P_TO_LOCATION: return p == 3 ? "External" : "";
	case COL_P_TO_LOCATION_TYPE: return p == 3 ? "Other" : "";
	case COL_P_VERSION: return p == 7 || p == 8 ? "3" : "";
	default: return "";
	}
}

/* The product attribute columns (legacy "product/..."). */
static int is_product_col(int c)
{
	return c >= COL_PRODUCT_NAME && c <= COL_P_VOLUME_TYPE;
}

static char *json_compact(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	char *copy;
	if (!s)
		abort(); /* jansson only fails here when out of memory */
	copy = xstrdup(s);
	free(s);
	json_decref(obj);
	return copy;
}

static void catalog_init(struct gen_model *m)
{
	int p, reg, c, t;
	struct rng g = { 0x5eed5eedull };

	for (p = 0; p < NPROD; p++) {
		for (reg = 0; reg <= GLOBAL; reg++) {
			json_t *obj = json_object();
			static const char alnum[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
			int k;
			if (reg == GLOBAL || prods[p].global)
				snprintf(m->usage_type[p][reg], sizeof(m->usage_type[p][reg]), "%s",
					prods[p].usage_type);
			else
				snprintf(m->usage_type[p][reg], sizeof(m->usage_type[p][reg]), "%s-%s",
					regions[reg].prefix, prods[p].usage_type);
			for (k = 0; k < 16; k++)
				m->sku[p][reg][k] = alnum[rbelow(&g, sizeof(alnum) - 1)];
			m->sku[p][reg][16] = '\0';
			for (c = 0; c < GEN_NCOL; c++) {
				const char *v;
				if (!is_product_col(c) || !gen_cols[c].map_key)
					continue;
				v = prod_attr(m, p, prods[p].global ? GLOBAL : reg, (enum gen_col)c);
				if (*v)
					json_object_set_new(obj, gen_cols[c].map_key, json_string(v));
			}
			m->prod_map[p][reg] = json_compact(obj);
		}
	}
	for (t = 0; t < NTAGSETS; t++) {
		json_t *obj = json_object();
		if (tagsets[t][0] >= 0)
			json_object_set_new(obj, "user_env", json_string(tag_env[(int)tagsets[t][0]]));
		if (tagsets[t][1] >= 0)
			json_object_set_new(obj, "user_team", json_string(tag_team[(int)tagsets[t][1]]));
		if (tagsets[t][2] >= 0)
			json_object_set_new(obj, "user_cost_center", json_string(tag_cc[(int)tagsets[t][2]]));
		if (tagsets[t][3] >= 0)
			json_object_set_new(obj, "user_owner", json_string(tag_owner[(int)tagsets[t][3]]));
		m->tag_map[t] = t == 0 ? xstrdup("") : json_compact(obj);
		if (t == 0)
			json_decref(obj);
	}
}

static void stamp(char *buf, size_t cap, int y, int mo, int d, int h, int millis)
{
	snprintf(buf, cap, millis ? "%04d-%02d-%02dT%02d:00:00.000Z" : "%04d-%02d-%02dT%02d:00:00Z",
		y, mo, d, h);
}

struct gen_model *model_new(const struct gen_opts *opts)
{
	struct gen_model *m = xcalloc(1, sizeof(*m));
	int year = opts->period / 12, month = opts->period % 12 + 1;
	int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
	int days = days_in_month(year, month), h, k, acc = 0;
	char a[64], b[64];

	m->opts = *opts;
	m->base = mix(opts->seed, 0x7265626931ull);
	m->hours = days * 24;
	stamp(m->period_start, sizeof(m->period_start), year, month, 1, 0, 1);
	stamp(m->period_end, sizeof(m->period_end), ny, nm, 1, 0, 1);
	stamp(a, sizeof(a), year, month, 1, 0, 0);
	stamp(b, sizeof(b), ny, nm, 1, 0, 0);
	snprintf(m->iv_month, sizeof(m->iv_month), "%s/%s", a, b);
	m->hour_start = xcalloc((size_t)m->hours + 1, sizeof(*m->hour_start));
	m->hour_iv = xcalloc((size_t)m->hours, sizeof(*m->hour_iv));
	for (h = 0; h <= m->hours; h++) {
		if (h == m->hours)
			snprintf(m->hour_start[h], sizeof(m->hour_start[h]), "%s", m->period_end);
		else
			stamp(m->hour_start[h], sizeof(m->hour_start[h]), year, month, h / 24 + 1, h % 24, 1);
	}
	for (h = 0; h < m->hours; h++) {
		stamp(a, sizeof(a), year, month, h / 24 + 1, h % 24, 0);
		if (h + 1 == m->hours)
			stamp(b, sizeof(b), ny, nm, 1, 0, 0);
		else
			stamp(b, sizeof(b), year, month, (h + 1) / 24 + 1, (h + 1) % 24, 0);
		snprintf(m->hour_iv[h], sizeof(m->hour_iv[h]), "%s/%s", a, b);
	}
	snprintf(m->ri_start, sizeof(m->ri_start), "%04d-01-15T09:00:00.000Z", year);
	snprintf(m->ri_end, sizeof(m->ri_end), "%04d-01-15T08:59:59.000Z", year + 1);
	for (k = 0; k < NKINDS; k++) {
		acc += kind_weight[k];
		m->kind_cum[k] = acc;
	}
	m->account_id = xcalloc((size_t)opts->accounts + 1, sizeof(*m->account_id));
	m->account_name = xcalloc((size_t)opts->accounts + 1, sizeof(*m->account_name));
	catalog_init(m);
	model_payer(m, 0);
	return m;
}

void model_free(struct gen_model *m)
{
	int p, r;
	if (!m)
		return;
	for (p = 0; p < NPROD; p++)
		for (r = 0; r <= GLOBAL; r++)
			free(m->prod_map[p][r]);
	for (p = 0; p < NTAGSETS; p++)
		free(m->tag_map[p]);
	free(m->hour_start);
	free(m->hour_iv);
	free(m->account_id);
	free(m->account_name);
	free(m);
}

void model_payer(struct gen_model *m, int p)
{
	uint64_t payer_num, a;
	int k, naccounts = m->opts.accounts;
	char u[37];

	m->payer = p;
	m->pbase = mix(m->base, (uint64_t)p + 1);
	/* 12 digits: 1PP SSSSSS AAA — payer number, seed part, account index;
	 * unique across payers and accounts. */
	payer_num = 100000000000ull + ((uint64_t)p + 1) * 1000000000ull
		+ (mix(m->base, 77) % 1000000) * 1000;
	for (a = 0; a <= (uint64_t)naccounts; a++) {
		snprintf(m->account_id[a], sizeof(m->account_id[a]), "%012llu",
			(unsigned long long)(payer_num + a));
		if (a == 0)
			snprintf(m->account_name[a], sizeof(m->account_name[a]), "Org %d management", p + 1);
		else if (a == 2)
			snprintf(m->account_name[a], sizeof(m->account_name[a]), "Zürich analytics");
		else
			snprintf(m->account_name[a], sizeof(m->account_name[a]), "workload %llu",
				(unsigned long long)a);
	}
	snprintf(m->payer_name, sizeof(m->payer_name), "Org %d management", p + 1);
	uuid_write(u, mix(m->pbase, m->opts.restate ? 21 : 11), mix(m->pbase, m->opts.restate ? 22 : 12));
	snprintf(m->assembly_id, sizeof(m->assembly_id), "%s", u);
	snprintf(m->invoice_id, sizeof(m->invoice_id), "%09llu",
		(unsigned long long)(mix(m->pbase, 9) % 1000000000ull));
	m->rows = m->opts.rows + (m->opts.restate ? m->opts.rows / 30 : 0);

	for (k = 0; k < NRI; k++) {
		static const int ri_prod[NRI] = { 0, 6, 1, 0 }, ri_reg[NRI] = { 0, 1, 0, 2 };
		struct commitment *c = &m->ri[k];
		/* Even RIs belong to the payer, odd ones to a linked account: rows
		 * of other accounts use them too (sharing across the Organization). */
		c->owner = k % 2 == 0 ? 0 : 1 + (k * 3) % naccounts;
		c->prod = ri_prod[k];
		c->region = ri_reg[k];
		uuid_write(u, mix(m->pbase, 100 + (uint64_t)k), mix(m->pbase, 200 + (uint64_t)k));
		if (prods[c->prod].code[6] == 'R') /* AmazonRDS */
			snprintf(c->arn, sizeof(c->arn), "arn:aws:rds:%s:%s:ri:ri-%.13s",
				regions[c->region].code, m->account_id[c->owner], u);
		else
			snprintf(c->arn, sizeof(c->arn), "arn:aws:ec2:%s:%s:reserved-instances/%s",
				regions[c->region].code, m->account_id[c->owner], u);
		snprintf(c->subscription, sizeof(c->subscription), "%010llu",
			(unsigned long long)(mix(m->pbase, 300 + (uint64_t)k) % 10000000000ull));
	}
	for (k = 0; k < NSP; k++) {
		struct commitment *c = &m->sp[k];
		c->owner = k == 0 ? 0 : 1;
		c->prod = PROD_SP;
		c->region = GLOBAL;
		uuid_write(u, mix(m->pbase, 400 + (uint64_t)k), mix(m->pbase, 500 + (uint64_t)k));
		snprintf(c->arn, sizeof(c->arn), "arn:aws:savingsplans::%s:savingsplan/%s",
			m->account_id[c->owner], u);
		c->subscription[0] = '\0';
	}
}

long model_row_count(const struct gen_model *m)
{
	return m->rows;
}

const char *model_payer_id(const struct gen_model *m) { return m->account_id[0]; }
const char *model_account_id(const struct gen_model *m, int a) { return m->account_id[a]; }
const char *model_assembly_id(const struct gen_model *m) { return m->assembly_id; }
const char *model_period_start(const struct gen_model *m) { return m->period_start; }
const char *model_period_end(const struct gen_model *m) { return m->period_end; }

/* ---- building a row ---- */

static char *arena_take(struct gen_row *r, size_t n)
{
	char *p;
	if (r->used + n > sizeof(r->arena)) {
		/* Rows are bounded by construction; this is a bug, not bad input. */
		fputs("rebill gen: row arena overflow\n", stderr);
		abort();
	}
	p = r->arena + r->used;
	r->used += n;
	return p;
}

static const char *putf(struct gen_row *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *putf(struct gen_row *r, const char *fmt, ...)
{
	char *p = r->arena + r->used;
	size_t room = sizeof(r->arena) - r->used;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		fputs("rebill gen: row arena overflow\n", stderr);
		abort();
	}
	r->used += (size_t)n + 1;
	return p;
}

/* v at DEC_SCALE, exactly, shortest form ("0.0" for zero, as CUR writes it). */
static const char *put_dec(struct gen_row *r, rb_i128 v)
{
	char *p;
	size_t n;
	if (v == 0)
		return "0.0";
	p = arena_take(r, DEC_BUFSZ + 2);
	n = dec_format_min(p, DEC_BUFSZ, v, DEC_SCALE);
	if (!memchr(p, '.', n))
		memcpy(p + n, ".0", 3);
	return p;
}

/* An amount at DEC_SCALE in one of the shapes real CUR files show. What
 * rebill stores is the cell parsed at DEC_SCALE, which is v except for the
 * 13-digit shape (rounded half away from zero; sometimes an exact half). */
static const char *put_amount(struct gen_row *r, struct rng *g, rb_i128 v)
{
	uint64_t pick = rbelow(g, 100);
	rb_i128 mag = v < 0 ? -v : v;
	char *p;

	if (v == 0)
		return "0.0";
	if (mag < 10000000 && pick < 60) {
		/* E-notation, e.g. 1.2E-7: mantissa digits without trailing zeros. */
		unsigned long long mant = (unsigned long long)mag;
		int k = 0, d;
		char digits[24];
		while (mant % 10 == 0) {
			mant /= 10;
			k++;
		}
		d = snprintf(digits, sizeof(digits), "%llu", mant);
		return putf(r, "%s%c.%sE%d", v < 0 ? "-" : "", digits[0], d > 1 ? digits + 1 : "0",
			k - DEC_SCALE + d - 1);
	}
	if (pick < 2 || pick >= 96) {
		/* 13 fractional digits: an exact half (pick < 2) or three random ones. */
		rb_i128 extra = pick < 2 ? 500 : (rb_i128)rbelow(g, 1000);
		rb_i128 w = mag * 1000 + extra;
		p = arena_take(r, DEC_BUFSZ);
		dec_format(p, DEC_BUFSZ, v < 0 ? -w : w, DEC_SCALE + 3, DEC_SCALE + 3);
		return p;
	}
	p = arena_take(r, DEC_BUFSZ);
	if (pick < 40)
		dec_format(p, DEC_BUFSZ, v, DEC_SCALE, DEC_SCALE);
	else
		dec_format_min(p, DEC_BUFSZ, v, DEC_SCALE);
	return p;
}

/* Units of money at DEC_SCALE: lo..hi in 1e-4 USD. */
static rb_i128 money(struct rng *g, int64_t lo_e4, int64_t hi_e4)
{
	return (rb_i128)rrange(g, lo_e4, hi_e4) * 1000000 + (rb_i128)rbelow(g, 1000000);
}

static void put_line_item_id(struct gen_row *r, struct rng *g)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	char *p = arena_take(r, 53);
	uint64_t bits = 0;
	int i;
	for (i = 0; i < 52; i++) {
		if (i % 12 == 0)
			bits = rnext(g);
		p[i] = b32[bits & 31];
		bits >>= 5;
	}
	p[52] = '\0';
	r->cell[COL_ID] = p;
}

static void put_product(struct gen_row *r, const struct gen_model *m, int p, int reg)
{
	int c;
	if (prods[p].global)
		reg = GLOBAL;
	for (c = COL_PRODUCT_NAME; c <= COL_P_VOLUME_TYPE; c++)
		r->cell[c] = prod_attr(m, p, reg, (enum gen_col)c);
	r->cell[COL_PRODUCT_MAP] = m->prod_map[p][reg];
	r->cell[COL_PRODUCT_CODE] = prods[p].code;
	if (p == PROD_MARKET)
		r->cell[COL_BILLING_ENTITY] = "AWS Marketplace";
}

static void put_resource(struct gen_row *r, const struct gen_model *m, struct rng *g, int p,
	int reg)
{
	const char *acct = m->account_id[r->account];
	const char *rc = reg == GLOBAL ? "" : regions[reg].code;
	unsigned n = (unsigned)rbelow(g, 24);
	uint64_t h = mix(m->pbase, (uint64_t)r->account * 64 + n) & 0xfffffffffffffffull;

	switch (prods[p].res) {
	case 'i': r->cell[COL_RESOURCE] = putf(r, "i-0%015llx", (unsigned long long)h); break;
	case 'v': r->cell[COL_RESOURCE] = putf(r, "vol-0%015llx", (unsigned long long)h); break;
	case 's': r->cell[COL_RESOURCE] = putf(r, "logs-%s-%02u", acct + 9, n); break;
	case 'd': r->cell[COL_RESOURCE] = putf(r, "arn:aws:rds:%s:%s:db:orders-%02u", rc, acct, n); break;
	case 'f': r->cell[COL_RESOURCE] = putf(r, "arn:aws:lambda:%s:%s:function:ingest-%02u", rc, acct, n); break;
	case 't': r->cell[COL_RESOURCE] = putf(r, "arn:aws:dynamodb:%s:%s:table/orders-%02u", rc, acct, n); break;
	default: break;
	}
}

static void put_tags(struct gen_row *r, const struct gen_model *m, struct rng *g)
{
	int t = rbelow(g, 4) == 0 ? 0 : 1 + (int)rbelow(g, NTAGSETS - 1);
	if (tagsets[t][0] >= 0)
		r->cell[COL_TAG_ENV] = tag_env[(int)tagsets[t][0]];
	if (tagsets[t][1] >= 0)
		r->cell[COL_TAG_TEAM] = tag_team[(int)tagsets[t][1]];
	if (tagsets[t][2] >= 0)
		r->cell[COL_TAG_COSTCENTER] = tag_cc[(int)tagsets[t][2]];
	if (tagsets[t][3] >= 0)
		r->cell[COL_TAG_OWNER] = tag_owner[(int)tagsets[t][3]];
	r->cell[COL_TAGS_MAP] = m->tag_map[t];
}

static int pick_kind(const struct gen_model *m, struct rng *g, long i)
{
	int k, x;
	if (i < NKINDS)
		return (int)i;
	x = (int)rbelow(g, 10000);
	for (k = 0; k < NKINDS; k++)
		if (x < m->kind_cum[k])
			return k;
	return K_USAGE;
}

/* Usage-shaped cells shared by Usage, DiscountedUsage and
 * SavingsPlanCoveredUsage: usage type, operation, zone, resource, amount. */
static void put_usage_common(struct gen_row *r, const struct gen_model *m, struct rng *g,
	int p, int reg, rb_i128 amount_e10)
{
	r->cell[COL_USAGE_TYPE] = m->usage_type[p][reg];
	r->cell[COL_OPERATION] = prods[p].operation;
	if (prods[p].res == 'i' || prods[p].res == 'v' || prods[p].res == 'd')
		r->cell[COL_AZ] = putf(r, "%s%c", regions[reg].code, 'a' + (int)rbelow(g, 3));
	put_resource(r, m, g, p, reg);
	r->cell[COL_USAGE_AMOUNT] = put_dec(r, amount_e10);
	r->cell[COL_PRICING_CURRENCY] = "USD";
	r->cell[COL_UNIT] = prods[p].unit;
	r->cell[COL_RATE_ID] = putf(r, "%llu", (unsigned long long)(mix((uint64_t)p, (uint64_t)reg) % 100000000000ull));
	put_tags(r, m, g);
}

int model_row_build(struct gen_row *r, const struct gen_model *m, long i)
{
	struct rng t, g;
	uint64_t h = mix(m->pbase ^ 0x5245535441544532ull, (uint64_t)i);
	int changed = 0, kind, p, reg, hour, c;
	rb_i128 v, w, amount;
	const struct commitment *cm;

	if (i >= m->opts.rows && !m->opts.restate)
		return 0;
	if (m->opts.restate) {
		if (i >= NKINDS && i < m->opts.rows && h % 40 == 0)
			return 0;
		changed = h % 10 == 1;
	}
	/* t decides what the row is (kept by a restatement), g its amounts. */
	t.s = mix(m->pbase, (uint64_t)i * 4 + 1);
	g.s = mix(m->pbase, (uint64_t)i * 4 + (changed ? 3 : 2));

	for (c = 0; c < GEN_NCOL; c++)
		r->cell[c] = "";
	r->used = 0;

	kind = pick_kind(m, &t, i);
	r->type = kind == K_SUPPORT ? 3 : kind;
	/* The payer's own account carries about 1 row in 8. */
	r->account = rbelow(&t, 8) == 0 ? 0 : 1 + (int)rbelow(&t, (uint64_t)m->opts.accounts);
	p = (int)rbelow(&t, NUSAGE_PROD);
	reg = (int)rbelow(&t, NREG);
	hour = (int)rbelow(&t, (uint64_t)m->hours);
	put_line_item_id(r, &t);

	r->cell[COL_INVOICE_ID] = m->invoice_id;
	r->cell[COL_INVOICING_ENTITY] = m->payer % 2 ? "Amazon Web Services EMEA SARL"
		: "Amazon Web Services, Inc.";
	r->cell[COL_LEGAL_ENTITY] = r->cell[COL_INVOICING_ENTITY];
	r->cell[COL_BILLING_ENTITY] = "AWS";
	r->cell[COL_BILL_TYPE] = "Anniversary";
	r->cell[COL_PAYER] = m->account_id[0];
	r->cell[COL_PAYER_NAME] = m->payer_name;
	r->cell[COL_BP_START] = m->period_start;
	r->cell[COL_BP_END] = m->period_end;
	r->cell[COL_TYPE] = gen_type_names[r->type];
	r->cell[COL_CURRENCY] = "USD";
	r->cell[COL_INTERVAL] = m->hour_iv[hour];
	r->cell[COL_START] = m->hour_start[hour];
	r->cell[COL_END] = m->hour_start[hour + 1];

	if (kind == K_TAX || (kind >= K_CREDIT && kind <= K_UNKNOWN)) {
		/* Credits, discounts and tax go where the money is, as on real bills. */
		static const int big[5] = { 0, 1, 2, 6, PROD_MARKET };
		p = big[rbelow(&t, 5)];
	}
	switch (kind) {
	case K_USAGE: {
		const struct prod *pr = &prods[p];
		/* usage in 1e-4 units; cost = rate x usage, truncated to DEC_SCALE */
		amount = (rb_i128)rrange(&g, 1, pr->tiny ? 60000 : 5000000) * 1000000;
		v = (rb_i128)pr->rate * amount / dec_pow10(DEC_SCALE);
		put_product(r, m, p, reg);
		put_usage_common(r, m, &g, p, reg, amount);
		r->cell[COL_DESCRIPTION] = pr->desc;
		r->cell[COL_TERM] = "OnDemand";
		r->cell[COL_UNBLENDED_RATE] = put_dec(r, pr->rate);
		r->cell[COL_BLENDED_RATE] = r->cell[COL_UNBLENDED_RATE];
		r->cell[COL_OD_RATE] = r->cell[COL_UNBLENDED_RATE];
		switch (rbelow(&g, 100) / 5) {
		case 0: /* free tier: nothing billed, the public price still known */
			r->cell[COL_UNBLENDED] = "0.0";
			r->cell[COL_OD_COST] = put_amount(r, &g, v);
			break;
		case 1: case 2: /* no public price (ondemand falls back to unblended) */
			r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
			break;
		default:
			r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
			r->cell[COL_OD_COST] = r->cell[COL_UNBLENDED];
		}
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		break;
	}
	case K_DISCOUNTED: {
		int k = (int)rbelow(&t, NRI);
		cm = &m->ri[k];
		p = cm->prod;
		reg = cm->region;
		amount = dec_pow10(DEC_SCALE);
		v = prods[p].rate;                     /* public on-demand for one hour */
		w = v * (50 + (rb_i128)rbelow(&g, 20)) / 100; /* effective */
		put_product(r, m, p, reg);
		put_usage_common(r, m, &g, p, reg, amount);
		r->cell[COL_DESCRIPTION] = putf(r, "USD 0.0 hourly fee per %s (Amazon VPC), %s instance",
			prods[p].os ? prods[p].os : "MySQL", prods[p].itype);
		r->cell[COL_TERM] = "Reserved";
		r->cell[COL_LEASE_LENGTH] = "1yr";
		r->cell[COL_OFFERING_CLASS] = "standard";
		r->cell[COL_PURCHASE_OPTION] = "Partial Upfront";
		r->cell[COL_UNBLENDED_RATE] = "0.0";
		r->cell[COL_UNBLENDED] = "0.0";
		r->cell[COL_BLENDED_RATE] = "0.0";
		r->cell[COL_BLENDED] = "0.0";
		r->cell[COL_OD_RATE] = put_dec(r, v);
		r->cell[COL_OD_COST] = put_amount(r, &g, v);
		r->cell[COL_RI_ARN] = cm->arn;
		r->cell[COL_RI_EFFECTIVE] = put_amount(r, &g, w);
		r->cell[COL_RI_AMORT_USAGE] = put_dec(r, w * 2 / 5);
		r->cell[COL_RI_RECURRING_USAGE] = put_dec(r, w - w * 2 / 5);
		r->cell[COL_NORM_FACTOR] = "4.0";
		r->cell[COL_NORM_USAGE] = "4.0";
		break;
	}
	case K_SP_COVERED: {
		static const int sp_prod[3] = { 0, 1, 7 };
		cm = &m->sp[rbelow(&t, NSP)];
		p = sp_prod[rbelow(&t, 3)];
		amount = (rb_i128)rrange(&g, 1, 2000000) * 1000000;
		v = (rb_i128)prods[p].rate * amount / dec_pow10(DEC_SCALE);
		w = v * (60 + (rb_i128)rbelow(&g, 20)) / 100;
		put_product(r, m, p, reg);
		put_usage_common(r, m, &g, p, reg, amount);
		r->cell[COL_DESCRIPTION] = putf(r, "%s covered by Savings Plan", prods[p].desc);
		r->cell[COL_TERM] = "OnDemand";
		r->cell[COL_UNBLENDED_RATE] = put_dec(r, prods[p].rate);
		r->cell[COL_BLENDED_RATE] = r->cell[COL_UNBLENDED_RATE];
		r->cell[COL_OD_RATE] = r->cell[COL_UNBLENDED_RATE];
		r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		r->cell[COL_OD_COST] = r->cell[COL_UNBLENDED];
		r->cell[COL_SP_ARN] = cm->arn;
		r->cell[COL_SP_EFFECTIVE] = put_amount(r, &g, w);
		r->cell[COL_SP_RATE] = put_dec(r, (rb_i128)prods[p].rate * 7 / 10);
		r->cell[COL_SP_OFFERING] = "ComputeSavingsPlans";
		break;
	}
	case K_SP_NEGATION: {
		cm = &m->sp[rbelow(&t, NSP)];
		p = (int)rbelow(&t, 2);
		amount = (rb_i128)rrange(&g, 1, 2000000) * 1000000;
		v = (rb_i128)prods[p].rate * amount / dec_pow10(DEC_SCALE);
		put_product(r, m, p, reg);
		r->cell[COL_USAGE_TYPE] = m->usage_type[p][reg];
		r->cell[COL_OPERATION] = prods[p].operation;
		r->cell[COL_USAGE_AMOUNT] = put_dec(r, amount);
		r->cell[COL_DESCRIPTION] = putf(r, "SavingsPlanNegation used by AccountId : %s and UsageSku : %s",
			m->account_id[r->account], m->sku[p][reg]);
		r->cell[COL_UNBLENDED_RATE] = put_dec(r, -(rb_i128)prods[p].rate);
		r->cell[COL_UNBLENDED] = put_amount(r, &g, -v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		r->cell[COL_SP_ARN] = cm->arn;
		break;
	}
	case K_RIFEE: {
		cm = &m->ri[rbelow(&t, NRI)];
		r->account = cm->owner;
		p = cm->prod;
		reg = cm->region;
		put_product(r, m, p, reg);
		r->cell[COL_USAGE_TYPE] = putf(r, "%s-HeavyUsage:%s", regions[reg].prefix, prods[p].itype);
		r->cell[COL_OPERATION] = prods[p].operation;
		r->cell[COL_INTERVAL] = m->iv_month;
		r->cell[COL_START] = m->period_start;
		r->cell[COL_END] = m->period_end;
		r->cell[COL_USAGE_AMOUNT] = putf(r, "%d.0", m->hours);
		r->cell[COL_DESCRIPTION] = putf(r, "USD %s hourly fee per %s, %s instance",
			put_dec(r, (rb_i128)prods[p].rate * 3 / 10), prods[p].os ? prods[p].os : "MySQL",
			prods[p].itype);
		v = money(&g, 100000, 5000000);
		r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		r->cell[COL_RI_ARN] = cm->arn;
		r->cell[COL_RI_SUBSCRIPTION] = cm->subscription;
		r->cell[COL_RI_START] = m->ri_start;
		r->cell[COL_RI_END] = m->ri_end;
		r->cell[COL_RI_NUMBER] = "2";
		r->cell[COL_RI_TOTAL_UNITS] = putf(r, "%d.0", m->hours * 2);
		r->cell[COL_RI_UNITS_PER] = putf(r, "%d.0", m->hours);
		r->cell[COL_RI_MODIFICATION] = "Original";
		r->cell[COL_RI_AMORT_PERIOD] = put_amount(r, &g, money(&g, 50000, 1000000));
		r->cell[COL_RI_UNUSED_AMORT] = put_amount(r, &g, money(&g, 0, 200000));
		r->cell[COL_RI_UNUSED_RECURRING] = put_amount(r, &g, money(&g, 0, 100000));
		r->cell[COL_RI_UNUSED_QTY] = putf(r, "%d.0", (int)rbelow(&g, 40));
		break;
	}
	case K_RI_UPFRONT: {
		cm = &m->ri[rbelow(&t, NRI)];
		r->account = cm->owner;
		p = cm->prod;
		reg = cm->region;
		put_product(r, m, p, reg);
		r->cell[COL_BILL_TYPE] = "Purchase";
		r->cell[COL_USAGE_TYPE] = putf(r, "%s-HeavyUsage:%s", regions[reg].prefix, prods[p].itype);
		r->cell[COL_USAGE_AMOUNT] = "1.0";
		r->cell[COL_DESCRIPTION] = putf(r, "Sign up charge for subscription: %s, planId: %s",
			cm->subscription, m->sku[p][reg]);
		v = money(&g, 5000000, 50000000);
		r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		r->cell[COL_UNBLENDED_RATE] = r->cell[COL_UNBLENDED];
		r->cell[COL_RI_ARN] = cm->arn;
		r->cell[COL_RI_SUBSCRIPTION] = cm->subscription;
		r->cell[COL_RI_UPFRONT_VALUE] = r->cell[COL_UNBLENDED];
		r->cell[COL_RI_START] = m->ri_start;
		r->cell[COL_RI_END] = m->ri_end;
		break;
	}
	case K_SP_RECURRING:
	case K_SP_UPFRONT: {
		cm = &m->sp[rbelow(&t, NSP)];
		r->account = cm->owner;
		put_product(r, m, PROD_SP, GLOBAL);
		r->cell[COL_USAGE_TYPE] = prods[PROD_SP].usage_type;
		r->cell[COL_DESCRIPTION] = prods[PROD_SP].desc;
		r->cell[COL_SP_ARN] = cm->arn;
		r->cell[COL_SP_OFFERING] = "ComputeSavingsPlans";
		r->cell[COL_SP_PAYMENT] = "Partial Upfront";
		r->cell[COL_SP_TERM] = "1yr";
		r->cell[COL_SP_START] = m->ri_start;
		r->cell[COL_SP_END] = m->ri_end;
		if (kind == K_SP_RECURRING) {
			r->cell[COL_INTERVAL] = m->iv_month;
			r->cell[COL_START] = m->period_start;
			r->cell[COL_END] = m->period_end;
			r->cell[COL_USAGE_AMOUNT] = putf(r, "%d.0", m->hours);
			v = money(&g, 1000000, 20000000);
			w = v * (70 + (rb_i128)rbelow(&g, 31)) / 100;
			r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
			r->cell[COL_SP_TOTAL] = r->cell[COL_UNBLENDED];
			r->cell[COL_SP_RECURRING] = r->cell[COL_UNBLENDED];
			r->cell[COL_SP_USED] = put_amount(r, &g, w);
		} else {
			r->cell[COL_BILL_TYPE] = "Purchase";
			r->cell[COL_USAGE_AMOUNT] = "1.0";
			v = money(&g, 10000000, 200000000);
			r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
			r->cell[COL_SP_AMORT] = put_dec(r, v / 12);
		}
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		break;
	}
	case K_SUPPORT:
		put_product(r, m, PROD_SUPPORT, GLOBAL);
		r->cell[COL_USAGE_TYPE] = prods[PROD_SUPPORT].usage_type;
		r->cell[COL_INTERVAL] = m->iv_month;
		r->cell[COL_START] = m->period_start;
		r->cell[COL_END] = m->period_end;
		r->cell[COL_DESCRIPTION] = "AWS Support (Business), 10% of monthly AWS usage";
		v = money(&g, 1000000, 10000000);
		r->cell[COL_USAGE_AMOUNT] = "1.0";
		r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		break;
	case K_TAX:
		put_product(r, m, p, reg);
		r->cell[COL_INTERVAL] = m->iv_month;
		r->cell[COL_START] = m->period_start;
		r->cell[COL_END] = m->period_end;
		r->cell[COL_USAGE_AMOUNT] = "1.0";
		r->cell[COL_TAX_TYPE] = m->payer % 2 ? "VAT" : "Sales Tax";
		r->cell[COL_DESCRIPTION] = putf(r, "Tax for product code %s", prods[p].code);
		r->cell[COL_UNBLENDED] = put_amount(r, &g, money(&g, 1, 1000000));
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		break;
	default: {
		/* credits, refunds, discounts (negative) and the unknown type */
		static const char *const desc[NKINDS] = {
			[K_CREDIT] = "AWS Activate Credits, \"Portfolio\" program",
			[K_REFUND] = "Refund for service interruption, ticket 12345",
			[K_EDP] = "EDP discount",
			[K_SPP] = "Solution Provider Program discount",
			[K_BUNDLED] = "Free tier bundled discount",
			[K_PRIVATE_RATE] = "Private rate discount",
			[K_DISTRIBUTOR] = "Distributor discount",
			[K_UNKNOWN] = "A line item type rebill has not seen",
		};
		put_product(r, m, p, reg);
		r->cell[COL_DESCRIPTION] = desc[kind];
		if (kind != K_CREDIT && kind != K_REFUND) {
			r->cell[COL_USAGE_TYPE] = m->usage_type[p][reg];
			r->cell[COL_OPERATION] = prods[p].operation;
		}
		if (kind == K_CREDIT)
			v = -money(&g, 100, 2000000);
		else if (kind == K_REFUND)
			v = -money(&g, 100, 1000000);
		else if (kind == K_UNKNOWN)
			v = money(&g, 0, 50000);
		else if (kind == K_EDP || kind == K_SPP)
			v = -money(&g, 0, 200000);
		else /* bundled, private rate, distributor: often tiny */
			v = rbelow(&g, 3) == 0 ? -(rb_i128)rrange(&g, 1, 9999999) : -money(&g, 0, 20000);
		r->cell[COL_UNBLENDED] = put_amount(r, &g, v);
		r->cell[COL_BLENDED] = r->cell[COL_UNBLENDED];
		if (kind == K_BUNDLED)
			r->cell[COL_DISCOUNT_BUNDLED] = r->cell[COL_UNBLENDED];
		if (kind >= K_EDP && kind <= K_DISTRIBUTOR)
			r->cell[COL_DISCOUNT_TOTAL] = r->cell[COL_UNBLENDED];
		break;
	}
	}
	r->cell[COL_ACCOUNT] = m->account_id[r->account];
	r->cell[COL_ACCOUNT_NAME] = m->account_name[r->account];
	return 1;
}
