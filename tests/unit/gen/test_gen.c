/*
 * test_gen.c: unit tests of the CUR generator (tools/gen/gen.h): the same
 * options give the same bytes, every line item type is written, the sums in
 * expected.json equal a recomputation from the emitted rows made here from
 * spec §2/§3 directly (not through src/cur), the CSV is RFC 4180 (read back
 * with a parser written here), and --restate / --parts behave as documented.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../check.h"
#include "gen.h"
#include "util/decimal.h"
#include "util/xalloc.h"

#include "util/banned.h"

/* ---- temporary directories ---- */

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[4096];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/rebill-test-gen-XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? xstrdup(d) : NULL;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* 1 when the trees a and b hold the same files with the same bytes. */
static int same_tree(const char *a, const char *b, int *nfiles)
{
	struct stat sa, sb;
	DIR *d;
	struct dirent *e;
	char pa[4096], pb[4096];
	int same = 1;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode))
		return 0;
	if (!S_ISDIR(sa.st_mode)) {
		size_t la, lb;
		char *ca = slurp(a, &la), *cb = slurp(b, &lb);
		same = ca && cb && la == lb && !memcmp(ca, cb, la);
		free(ca);
		free(cb);
		(*nfiles)++;
		return same;
	}
	/* every entry of a is in b with the same content, and vice versa */
	if (!(d = opendir(a)))
		return 0;
	while (same && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, e->d_name);
		same = same_tree(pa, pb, nfiles);
	}
	closedir(d);
	if (same && (d = opendir(b))) {
		while (same && (e = readdir(d))) {
			snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name);
			same = access(pa, F_OK) == 0;
		}
		closedir(d);
	}
	return same;
}

/* ---- spec §2 and §3, written again here on purpose ---- */

static const char *const known_types[] = {
	"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
	"SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", "RIFee", "Fee", "Credit", "Refund",
	"EdpDiscount", "SppDiscount", "BundledDiscount", "PrivateRateDiscount",
	"DistributorDiscount", "Tax",
};

static const char *spec_class(const char *type, int has_ri_arn)
{
	if (!strcmp(type, "Usage") || !strcmp(type, "DiscountedUsage") ||
	    !strcmp(type, "SavingsPlanCoveredUsage"))
		return "usage";
	if (!strcmp(type, "SavingsPlanNegation") || !strcmp(type, "SavingsPlanUpfrontFee") ||
	    !strcmp(type, "SavingsPlanRecurringFee") || !strcmp(type, "RIFee") ||
	    (!strcmp(type, "Fee") && has_ri_arn))
		return "commitment";
	if (!strcmp(type, "Fee"))
		return "fee";
	if (!strcmp(type, "Credit"))
		return "credit";
	if (!strcmp(type, "Refund"))
		return "refund";
	if (strstr(type, "Discount"))
		return "discount";
	if (!strcmp(type, "Tax"))
		return "tax";
	return "other";
}

/* Column names of both formats, looked up by name in the header. */
enum { U, OD, RIE, RIUA, RIUR, SPE, SPT, SPU, TYPE, ARN, SPARN, ACCT, PAYER, AMOUNT, NC };
static const char *const legacy_names[NC] = {
	"lineItem/UnblendedCost", "pricing/publicOnDemandCost", "reservation/EffectiveCost",
	"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
	"savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/TotalCommitmentToDate",
	"savingsPlan/UsedCommitment", "lineItem/LineItemType", "reservation/ReservationARN",
	"savingsPlan/SavingsPlanARN", "lineItem/UsageAccountId", "bill/PayerAccountId",
	"lineItem/UsageAmount",
};
static const char *const cur2_names[NC] = {
	"line_item_unblended_cost", "pricing_public_on_demand_cost", "reservation_effective_cost",
	"reservation_unused_amortized_upfront_fee_for_billing_period",
	"reservation_unused_recurring_fee", "savings_plan_savings_plan_effective_cost",
	"savings_plan_total_commitment_to_date", "savings_plan_used_commitment",
	"line_item_line_item_type", "reservation_reservation_a_r_n",
	"savings_plan_savings_plan_a_r_n", "line_item_usage_account_id", "bill_payer_account_id",
	"line_item_usage_amount",
};

struct tally {
	long rows;
	rb_i128 u, od, eff, usage;
};

#define MAXKEYS 64

struct recount {
	const char *const *want;     /* legacy_names or cur2_names */
	int idx[NC];
	int ready;
	int bad;                      /* cells that did not parse */
	struct tally total;
	char keys[MAXKEYS][40];       /* "type:Usage", "class:fee", "account:1...", "payer:1..." */
	struct tally by[MAXKEYS];
	int nkeys;
	int fee_with_arn, fee_without_arn;
	int has_e_notation, has_13_digits, has_comma_tag, has_quote_tag, has_non_ascii;
	char last_assembly_row[64];
	/* every row's cells, for the CSV read-back test (small runs only) */
	char **cells;
	size_t ncells, cap;
};

static rb_i128 cell_amount(struct recount *rc, const char *s)
{
	rb_i128 v = 0;
	if (*s && dec_parse(&v, s, strlen(s), DEC_SCALE) != DEC_OK)
		rc->bad++;
	return v;
}

static struct tally *tally_of(struct recount *rc, const char *kind, const char *key)
{
	char k[40];
	int i;
	snprintf(k, sizeof(k), "%s:%s", kind, key);
	for (i = 0; i < rc->nkeys; i++)
		if (!strcmp(rc->keys[i], k))
			return &rc->by[i];
	if (rc->nkeys == MAXKEYS)
		abort();
	snprintf(rc->keys[rc->nkeys], sizeof(rc->keys[0]), "%s", k);
	memset(&rc->by[rc->nkeys], 0, sizeof(rc->by[0]));
	return &rc->by[rc->nkeys++];
}

static void tally_add(struct tally *t, rb_i128 u, rb_i128 od, rb_i128 eff, rb_i128 usage)
{
	t->rows++;
	t->u += u;
	t->od += od;
	t->eff += eff;
	t->usage += usage;
}

static void on_row(void *ctx, int payer, size_t ncols, const char *const *names,
	const char *const *cells)
{
	struct recount *rc = ctx;
	const char *c[NC], *type, *cls;
	rb_i128 u, od, eff, usage;
	size_t i;
	int k;

	(void)payer;
	if (!rc->ready) {
		for (k = 0; k < NC; k++) {
			rc->idx[k] = -1;
			for (i = 0; i < ncols; i++)
				if (!strcmp(names[i], rc->want[k]))
					rc->idx[k] = (int)i;
		}
		rc->ready = 1;
	}
	for (k = 0; k < NC; k++)
		c[k] = rc->idx[k] >= 0 ? cells[rc->idx[k]] : "";
	for (i = 0; i < ncols; i++) {
		if (strstr(cells[i], "E-"))
			rc->has_e_notation |= cells[i][0] == '-' || (cells[i][0] >= '0' && cells[i][0] <= '9');
		if (strstr(cells[i], "dev, test") || strstr(cells[i], "ops, infra"))
			rc->has_comma_tag = 1;
		if (strstr(cells[i], "\"lake\"") || strstr(cells[i], "\\\"lake\\\""))
			rc->has_quote_tag = 1;
		if (strstr(cells[i], "pré-prod") || strstr(cells[i], "日本"))
			rc->has_non_ascii = 1;
	}
	{
		const char *dot = strchr(c[U], '.');
		if (dot && !strchr(c[U], 'E') && strlen(dot + 1) > 10)
			rc->has_13_digits = 1;
	}
	type = c[TYPE];
	cls = spec_class(type, c[ARN][0] != '\0');
	if (!strcmp(type, "Fee"))
		*(c[ARN][0] ? &rc->fee_with_arn : &rc->fee_without_arn) += 1;

	/* spec §3 */
	u = cell_amount(rc, c[U]);
	usage = cell_amount(rc, c[AMOUNT]);
	if (!strcmp(cls, "usage"))
		od = c[OD][0] ? cell_amount(rc, c[OD]) : u;
	else if (!strcmp(cls, "commitment"))
		od = 0;
	else
		od = u;
	if (!strcmp(type, "DiscountedUsage"))
		eff = cell_amount(rc, c[RIE]);
	else if (!strcmp(type, "SavingsPlanCoveredUsage"))
		eff = cell_amount(rc, c[SPE]);
	else if (!strcmp(type, "SavingsPlanNegation") || !strcmp(type, "SavingsPlanUpfrontFee") ||
		 (!strcmp(type, "Fee") && !strcmp(cls, "commitment")))
		eff = 0;
	else if (!strcmp(type, "SavingsPlanRecurringFee"))
		eff = cell_amount(rc, c[SPT]) - cell_amount(rc, c[SPU]);
	else if (!strcmp(type, "RIFee"))
		eff = cell_amount(rc, c[RIUA]) + cell_amount(rc, c[RIUR]);
	else
		eff = u;

	tally_add(&rc->total, u, od, eff, usage);
	tally_add(tally_of(rc, "type", type), u, od, eff, usage);
	tally_add(tally_of(rc, "class", cls), u, od, eff, usage);
	tally_add(tally_of(rc, "payer", c[PAYER]), u, od, eff, usage);
	tally_add(tally_of(rc, "account", c[ACCT]), u, od, eff, usage);
	if (rc->cap) {
		for (i = 0; i < ncols; i++) {
			if (rc->ncells == rc->cap)
				return;
			rc->cells[rc->ncells++] = xstrdup(cells[i]);
		}
	}
}

static void recount_free(struct recount *rc)
{
	size_t i;
	for (i = 0; i < rc->ncells; i++)
		free(rc->cells[i]);
	free(rc->cells);
}

static const char *dec10(char *buf, rb_i128 v)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, DEC_SCALE);
	return buf;
}

/* The row of a summary-shaped object with that key equals the tally. */
static void check_row(json_t *by, const char *key, const struct tally *t)
{
	json_t *rows = json_object_get(by, "rows"), *row;
	size_t i;
	char b[DEC_BUFSZ];
	int found = 0;

	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "key")), key))
			continue;
		found = 1;
		CHECK_INT(json_integer_value(json_object_get(row, "rows")), t->rows);
		CHECK_STR(json_string_value(json_object_get(row, "unblended")), dec10(b, t->u));
		CHECK_STR(json_string_value(json_object_get(row, "ondemand")), dec10(b, t->od));
		CHECK_STR(json_string_value(json_object_get(row, "effective")), dec10(b, t->eff));
		CHECK_STR(json_string_value(json_object_get(row, "usage_amount")), dec10(b, t->usage));
	}
	if (!found)
		printf("  no row '%s' in expected.json\n", key);
	CHECK(found);
}

static json_t *load_expected(const char *dir)
{
	char path[4096];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	return json_load_file(path, 0, &je);
}

/* Generates with opts into a fresh directory, recounting every row. */
static char *run_gen(const struct gen_opts *o, struct recount *rc)
{
	struct gen_result res;
	struct rb_err err;
	char *dir = tmpdir();
	int r;

	rb_err_clear(&err);
	CHECK(dir != NULL);
	r = gen_write(&res, o, dir, rc ? on_row : NULL, rc, &err);
	if (r != 0)
		printf("  gen_write: %s\n", err.msg);
	CHECK_INT(r, 0);
	return dir;
}

static void check_sums(enum gen_format fmt, int gzip, int restate)
{
	struct gen_opts o;
	struct recount rc;
	json_t *exp, *summary, *total;
	char *dir;
	char b[DEC_BUFSZ];
	int i;

	gen_opts_init(&o);
	o.payers = 2;
	o.accounts = 4;
	o.rows = 3000;
	o.parts = 3;
	o.format = fmt;
	o.gzip = gzip;
	o.restate = restate;
	o.seed = 42;
	memset(&rc, 0, sizeof(rc));
	rc.want = fmt == GEN_LEGACY ? legacy_names : cur2_names;
	dir = run_gen(&o, &rc);
	CHECK_INT(rc.bad, 0);
	for (i = 0; i < NC; i++)
		CHECK(rc.idx[i] >= 0);
	if (!restate)
		CHECK_INT(rc.total.rows, 6000);
	exp = load_expected(dir);
	CHECK(exp != NULL);
	summary = json_object_get(exp, "summary");
	total = json_object_get(json_object_get(summary, "payer"), "total");
	CHECK_INT(json_integer_value(json_object_get(total, "rows")), rc.total.rows);
	CHECK_STR(json_string_value(json_object_get(total, "unblended")), dec10(b, rc.total.u));
	CHECK_STR(json_string_value(json_object_get(total, "ondemand")), dec10(b, rc.total.od));
	CHECK_STR(json_string_value(json_object_get(total, "effective")), dec10(b, rc.total.eff));
	for (i = 0; i < rc.nkeys; i++) {
		const char *colon = strchr(rc.keys[i], ':');
		char kind[16];
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - rc.keys[i]), rc.keys[i]);
		check_row(json_object_get(summary, kind), colon + 1, &rc.by[i]);
	}
	/* every type the summary lists was seen here, and nothing else */
	CHECK_INT(json_array_size(json_object_get(json_object_get(summary, "type"), "rows")), 17);
	CHECK_INT(json_array_size(json_object_get(json_object_get(summary, "class"), "rows")), 8);
	CHECK_INT(json_array_size(json_object_get(json_object_get(summary, "account"), "rows")), 10);
	json_decref(exp);
	rm_rf(dir);
	free(dir);
	recount_free(&rc);
}

TEST(sums_legacy_plain) { check_sums(GEN_LEGACY, 0, 0); }
TEST(sums_legacy_gzip) { check_sums(GEN_LEGACY, 1, 0); }
TEST(sums_cur2_plain) { check_sums(GEN_CUR2, 0, 0); }
TEST(sums_cur2_restated) { check_sums(GEN_CUR2, 1, 1); }

TEST(every_line_item_type)
{
	struct gen_opts o;
	struct recount rc;
	char *dir;
	size_t i;
	int n;

	gen_opts_init(&o);
	o.rows = 5000;
	memset(&rc, 0, sizeof(rc));
	rc.want = legacy_names;
	dir = run_gen(&o, &rc);
	for (i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++) {
		int found = 0;
		for (n = 0; n < rc.nkeys; n++)
			if (!strncmp(rc.keys[n], "type:", 5) && !strcmp(rc.keys[n] + 5, known_types[i]))
				found = 1;
		if (!found)
			printf("  type %s missing\n", known_types[i]);
		CHECK(found);
	}
	CHECK(tally_of(&rc, "type", "SomethingNew")->rows > 0);
	CHECK(tally_of(&rc, "class", "other")->rows > 0);
	CHECK(rc.fee_with_arn > 0);
	CHECK(rc.fee_without_arn > 0);
	CHECK(rc.has_e_notation);
	CHECK(rc.has_13_digits);
	CHECK(rc.has_comma_tag);
	CHECK(rc.has_quote_tag);
	CHECK(rc.has_non_ascii);
	/* the smallest data set still has one row of each type */
	rm_rf(dir);
	free(dir);
	recount_free(&rc);
	gen_opts_init(&o);
	o.rows = 18;
	memset(&rc, 0, sizeof(rc));
	rc.want = legacy_names;
	dir = run_gen(&o, &rc);
	CHECK_INT(rc.total.rows, 18);
	for (n = 0, i = 0; i < (size_t)rc.nkeys; i++)
		n += !strncmp(rc.keys[i], "type:", 5);
	CHECK_INT(n, 17);
	rm_rf(dir);
	free(dir);
	recount_free(&rc);
}

TEST(deterministic)
{
	struct gen_opts o;
	char *a, *b, *c, *d;
	int nfiles = 0, ignored = 0;

	gen_opts_init(&o);
	o.payers = 2;
	o.rows = 700;
	o.parts = 3;
	o.gzip = 1;
	o.seed = 7;
	a = run_gen(&o, NULL);
	b = run_gen(&o, NULL);
	CHECK(same_tree(a, b, &nfiles));
	CHECK_INT(nfiles, 2 * (3 + 1) + 1);
	o.seed = 8;
	c = run_gen(&o, NULL);
	CHECK(!same_tree(a, c, &ignored));
	/* the same rows whatever the number of parts: same expected sums */
	o.seed = 7;
	o.parts = 1;
	d = run_gen(&o, NULL);
	{
		json_t *ea = load_expected(a), *ed = load_expected(d);
		json_t *sa = json_object_get(ea, "summary"), *sd = json_object_get(ed, "summary");
		CHECK(ea && ed && json_equal(sa, sd));
		json_decref(ea);
		json_decref(ed);
	}
	rm_rf(a);
	rm_rf(b);
	rm_rf(c);
	rm_rf(d);
	free(a);
	free(b);
	free(c);
	free(d);
}

TEST(restate_differs)
{
	struct gen_opts o;
	char *a, *b;
	json_t *ea, *eb, *pa, *pb;

	gen_opts_init(&o);
	o.rows = 3000;
	a = run_gen(&o, NULL);
	o.restate = 1;
	b = run_gen(&o, NULL);
	ea = load_expected(a);
	eb = load_expected(b);
	pa = json_array_get(json_object_get(ea, "payers"), 0);
	pb = json_array_get(json_object_get(eb, "payers"), 0);
	CHECK(pa && pb);
	CHECK(strcmp(json_string_value(json_object_get(pa, "assembly_id")),
		json_string_value(json_object_get(pb, "assembly_id"))) != 0);
	CHECK_STR(json_string_value(json_object_get(pa, "payer")),
		json_string_value(json_object_get(pb, "payer")));
	CHECK(json_integer_value(json_object_get(pa, "rows")) !=
		json_integer_value(json_object_get(pb, "rows")));
	CHECK(strcmp(json_string_value(json_object_get(pa, "unblended")),
		json_string_value(json_object_get(pb, "unblended"))) != 0);
	json_decref(ea);
	json_decref(eb);
	rm_rf(a);
	rm_rf(b);
	free(a);
	free(b);
}

/* ---- RFC 4180 read-back ---- */

/* Reads one record from *p into fields (each xstrdup'ed); returns the number
 * of fields, 0 at the end, -1 on a malformed record. */
static int csv_record(const char **p, const char *end, char **fields, int max)
{
	const char *s = *p;
	int n = 0;
	if (s >= end)
		return 0;
	for (;;) {
		char *f = xmalloc((size_t)(end - s) + 1);
		size_t len = 0;
		if (*s == '"') {
			s++;
			for (;;) {
				if (s >= end) {
					free(f);
					return -1;
				}
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"') {
						f[len++] = '"';
						s += 2;
						continue;
					}
					s++;
					break;
				}
				f[len++] = *s++;
			}
		} else {
			while (s < end && *s != ',' && *s != '\n' && *s != '"')
				f[len++] = *s++;
			if (s < end && *s == '"') {
				free(f);
				return -1; /* a bare quote inside an unquoted field */
			}
		}
		f[len] = '\0';
		if (n == max) {
			free(f);
			return -1;
		}
		fields[n++] = f;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\n')
			s++;
		else if (s < end)
			return -1;
		break;
	}
	*p = s;
	return n;
}

static void check_csv_readback(enum gen_format fmt)
{
	struct gen_opts o;
	struct recount rc;
	char *dir, path[4608], *data, *fields[256];
	const char *p, *end;
	size_t len, k = 0;
	int n, i, ncols = 0, records = 0, mism = 0;
	DIR *d;
	struct dirent *e;

	gen_opts_init(&o);
	o.rows = 400;
	o.format = fmt;
	memset(&rc, 0, sizeof(rc));
	rc.want = fmt == GEN_LEGACY ? legacy_names : cur2_names;
	rc.cap = 400 * 200;
	rc.cells = xcalloc(rc.cap, sizeof(char *));
	dir = run_gen(&o, &rc);
	/* the one data file: DIR/<payer>/... found by walking down */
	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		struct stat st;
		char next[4608] = "";
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || !(d = opendir(path)))
			break;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "expected.json") ||
			    strstr(e->d_name, "Manifest") || !strcmp(e->d_name, "metadata"))
				continue;
			snprintf(next, sizeof(next), "%.4000s/%s", path, e->d_name);
			if (l > 4 && !strcmp(e->d_name + l - 4, ".csv"))
				break;
		}
		closedir(d);
		if (!next[0])
			break;
		snprintf(path, sizeof(path), "%s", next);
	}
	data = slurp(path, &len);
	CHECK(data != NULL);
	if (!data)
		return;
	p = data;
	end = data + len;
	while ((n = csv_record(&p, end, fields, 256)) > 0) {
		if (records == 0)
			ncols = n;
		else if (n != ncols)
			mism++;
		else
			for (i = 0; i < n; i++, k++)
				if (k >= rc.ncells || strcmp(fields[i], rc.cells[k]))
					mism++;
		for (i = 0; i < n; i++)
			free(fields[i]);
		records++;
	}
	CHECK_INT(n, 0);
	CHECK_INT(mism, 0);
	CHECK_INT(records, 401);
	CHECK_INT(k, rc.ncells);
	CHECK(ncols >= 60);
	/* quotes doubled inside a quoted field, commas quoted */
	if (fmt == GEN_LEGACY) {
		CHECK(strstr(data, ",\"data \"\"lake\"\"\",") != NULL);
		CHECK(strstr(data, ",\"dev, test\",") != NULL);
	} else {
		CHECK(strstr(data, "\"\"user_team\"\":\"\"data \\\"\"lake\\\"\"\"\"") != NULL);
	}
	free(data);
	rm_rf(dir);
	free(dir);
	recount_free(&rc);
}

TEST(csv_rfc4180_legacy) { check_csv_readback(GEN_LEGACY); }
TEST(csv_rfc4180_cur2) { check_csv_readback(GEN_CUR2); }

TEST(bad_options)
{
	struct gen_opts o;
	struct gen_result res;
	struct rb_err err;

	rb_err_clear(&err);
	gen_opts_init(&o);
	o.payers = 0;
	CHECK_INT(gen_write(&res, &o, "/nonexistent/never", NULL, NULL, &err), RB_EUSAGE);
	CHECK(strstr(err.msg, "--payers") != NULL);
	gen_opts_init(&o);
	o.parts = GEN_MAX_PARTS + 1;
	CHECK_INT(gen_opts_check(&o, &err), RB_EUSAGE);
	gen_opts_init(&o);
	o.rows = 0;
	CHECK_INT(gen_opts_check(&o, &err), RB_EUSAGE);
	gen_opts_init(&o);
	CHECK_INT(gen_write(&res, &o, "/proc/rebill-cannot-write-here", NULL, NULL, &err), RB_EIO);
}

static const struct check_case cases[] = {
	CASE(sums_legacy_plain),
	CASE(sums_legacy_gzip),
	CASE(sums_cur2_plain),
	CASE(sums_cur2_restated),
	CASE(every_line_item_type),
	CASE(deterministic),
	CASE(restate_differs),
	CASE(csv_rfc4180_legacy),
	CASE(csv_rfc4180_cur2),
	CASE(bad_options),
};

CHECK_MAIN(cases)
