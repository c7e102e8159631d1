/* test_config.c: the billing configuration — validation messages with their
 * JSON paths, apply idempotence, export round trip, atomic failure, and
 * per-period loading for rating (store/store_config.h). Uses real SQLite
 * files in a temporary directory. */
#include "../check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store_config.h"
#include "rate/rate.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/banned.h"

static char dir[64];
static int seq;

static const char *good_doc =
	"{\"tax_clusters\": [{\"id\": \"nl-vat\", \"name\": \"NL VAT\", \"rate_pct\": \"21\"}],"
	" \"plans\": [{\"id\": \"std\", \"basis\": \"ondemand\", \"markup_pct\": \"5.50\","
	"   \"rules\": [{\"service\": \"AmazonEC2\", \"markup_pct\": \"8\"}],"
	"   \"fees\": [{\"type\": \"flat\", \"amount\": \"100\"}]},"
	"  {\"id\": \"cost\", \"basis\": \"unblended\", \"discounts\": {\"SppDiscount\": \"0.5\"}}],"
	" \"customers\": [{\"id\": \"acme\", \"name\": \"Acme\", \"currency\": \"EUR\", \"plan\": \"std\","
	"   \"tax_cluster\": \"nl-vat\", \"accounts\": [{\"id\": \"111111111111\", \"from\": \"2026-03\", \"to\": \"2026-06\"},"
	"                                         {\"id\": \"222222222222\"}]},"
	"  {\"id\": \"beta\", \"name\": \"Beta\", \"currency\": \"USD\", \"plan\": \"cost\","
	"   \"accounts\": [{\"id\": \"111111111111\", \"from\": \"2026-07\"}]},"
	"  {\"id\": \"yen\", \"name\": \"Yen KK\", \"currency\": \"JPY\", \"plan\": \"std\"}],"
	" \"fx\": [{\"period\": \"2026-05\", \"currency\": \"EUR\", \"rate\": \"0.92\"}],"
	" \"custom_lines\": [{\"customer\": \"acme\", \"period\": \"2026-05\", \"description\": \"Setup\","
	"   \"amount\": \"-50.00\"}]}";

static const char *db_path(void)
{
	static char p[128];
	snprintf(p, sizeof(p), "%s/t%d.db", dir, ++seq);
	return p;
}

static const char *write_file(const char *text)
{
	static char p[128];
	FILE *f;
	snprintf(p, sizeof(p), "%s/doc%d.json", dir, ++seq);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static struct store *open_db(void)
{
	struct store *s = NULL;
	struct rb_err err;
	CHECK(store_open(&s, db_path(), &err) == 0);
	return s;
}

/* The text of sb, which is released. */
static char *detach(struct strbuf *sb)
{
	char *s = strbuf_detach(sb, NULL);
	strbuf_release(sb);
	return s;
}

/* Every row of every table, as text: a database "dump". */
static char *dump(struct store *s)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *t, *q;
	struct strbuf sb;
	strbuf_init(&sb, 1024, 1 << 24);
	sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &t, NULL);
	while (sqlite3_step(t) == SQLITE_ROW) {
		char sql[256];
		int i;
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2", sqlite3_column_text(t, 0));
		strbuf_addf(&sb, "%s\n", sqlite3_column_text(t, 0));
		sqlite3_prepare_v2(db, sql, -1, &q, NULL);
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(q); i++)
				strbuf_addf(&sb, "%s|", sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "NULL");
			strbuf_addch(&sb, '\n');
		}
		sqlite3_finalize(q);
	}
	sqlite3_finalize(t);
	return detach(&sb);
}

static long audit_rows(struct store *s)
{
	json_t *log = NULL;
	struct rb_err err;
	long n;
	CHECK(store_config_audit(&log, s, 0, &err) == 0);
	n = (long)json_array_size(log);
	json_decref(log);
	return n;
}

static int apply_text(struct store *s, const char *text, struct config_result *r)
{
	struct rb_err err;
	config_result_init(r);
	return store_config_apply_file(s, write_file(text), STORE_APPLY_REPLACE, r, &err);
}

/* The problems of normalizing text, as "PATH: MSG\n" lines. */
static char *problems_of(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &je), *out = NULL;
	struct config_result r;
	struct rb_err err;
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 256, 1 << 20);
	if (!doc) {
		strbuf_addf(&sb, "json: %s", je.text);
		return detach(&sb);
	}
	config_result_init(&r);
	config_normalize(&out, doc, &r, &err);
	for (i = 0; i < r.nproblems; i++)
		strbuf_addf(&sb, "%s: %s\n", r.problems[i].path, r.problems[i].msg);
	config_result_release(&r);
	json_decref(out);
	json_decref(doc);
	return detach(&sb);
}

#define CHECK_PROBLEMS(doc, want) do { \
	char *got_ = problems_of(doc); \
	CHECK_STR(got_, want); \
	free(got_); \
} while (0)

#define PLAN "{\"id\": \"p\", \"basis\": \"unblended\"}"
#define CUST(extra) "{\"id\": \"c\", \"name\": \"C\", \"currency\": \"EUR\", \"plan\": \"p\"" extra "}"

TEST(good_document_has_no_problems)
{
	CHECK_PROBLEMS(good_doc, "");
	CHECK_PROBLEMS("{}", "");
}

TEST(problem_unknown_references)
{
	CHECK_PROBLEMS("{\"plans\": [" PLAN "], \"customers\": [{\"id\": \"c\", \"name\": \"C\","
		" \"currency\": \"EUR\", \"plan\": \"gold\", \"tax_cluster\": \"x\"}],"
		" \"custom_lines\": [{\"customer\": \"nobody\", \"period\": \"2026-01\","
		" \"description\": \"d\", \"amount\": \"1\"}]}",
		"$.customers[0].plan: unknown plan 'gold'\n"
		"$.customers[0].tax_cluster: unknown tax cluster 'x'\n"
		"$.custom_lines[0].customer: unknown customer 'nobody'\n");
}

TEST(problem_overlapping_assignments)
{
	CHECK_PROBLEMS("{\"plans\": [" PLAN "], \"customers\": ["
		"{\"id\": \"acme\", \"name\": \"A\", \"currency\": \"EUR\", \"plan\": \"p\","
		" \"accounts\": [{\"id\": \"123456789012\", \"from\": \"2026-01\"}]},"
		"{\"id\": \"b\", \"name\": \"B\", \"currency\": \"EUR\", \"plan\": \"p\","
		" \"accounts\": [{\"id\": \"123456789012\", \"to\": \"2026-01\"},"
		"                {\"id\": \"123456789012\", \"to\": \"2025-12\"}]}]}",
		"$.customers[1].accounts[0]: account 123456789012 is already held by 'acme' from 2026-01 (overlapping assignment)\n");
	/* adjacent spans do not overlap; the same account of one customer twice does */
	CHECK_PROBLEMS("{\"plans\": [" PLAN "], \"customers\": [" CUST(", \"accounts\": ["
		"{\"id\": \"123456789012\", \"to\": \"2026-01\"}, {\"id\": \"123456789012\", \"from\": \"2026-02\"},"
		"{\"id\": \"123456789012\", \"from\": \"2027-01\", \"to\": \"2027-02\"}]") "]}",
		"$.customers[0].accounts[2]: account 123456789012 is already held by 'c' from 2026-02 (overlapping assignment)\n");
}

TEST(problem_bad_values)
{
	CHECK_PROBLEMS("{\"plans\": [{\"id\": \"p\", \"basis\": \"list\", \"markup_pct\": \"5,0\","
		" \"markup\": \"1\", \"credits\": \"0.1234567\", \"refunds\": \"keep\", \"tax\": 1}],"
		" \"fx\": [{\"period\": \"2026-13\", \"currency\": \"EURO\", \"rate\": \"1.0000001\"}]}",
		"$.plans[0].markup: unknown field\n"
		"$.plans[0].basis: unknown basis 'list' (expected unblended, ondemand, effective or purchaser)\n"
		"$.plans[0].markup_pct: bad decimal '5,0'\n"
		"$.plans[0].credits: more than 6 fractional digits\n"
		"$.plans[0].refunds: unknown refunds 'keep' (expected pass or withhold)\n"
		"$.plans[0].tax: expected a string, got a number\n"
		"$.fx[0].period: bad period '2026-13' (expected YYYY-MM)\n"
		"$.fx[0].currency: unknown currency 'EURO'\n"
		"$.fx[0].rate: more than 6 fractional digits\n");
}

TEST(problem_ids_and_accounts)
{
	CHECK_PROBLEMS("{\"plans\": [" PLAN ", " PLAN ", {\"basis\": \"effective\"}],"
		" \"customers\": [" CUST(", \"grouping\": \"team\", \"accounts\": [{\"id\": \"12345\"},"
		" {\"id\": 123456789012}, {\"id\": \"123456789012\", \"from\": \"2026-05\", \"to\": \"2026-04\"}]")
		"], \"extra\": []}",
		"$.extra: unknown field\n"
		"$.plans[1].id: duplicate id 'p'\n"
		"$.plans[2].id: missing\n"
		"$.customers[0].grouping: unknown grouping 'team' (expected service, account or account_service)\n"
		"$.customers[0].accounts[0].id: bad account id '12345' (expected 12 digits)\n"
		"$.customers[0].accounts[1].id: expected a string, got a number\n"
		"$.customers[0].accounts[2].to: to 2026-04 is before from 2026-05\n");
	CHECK_PROBLEMS("[]", "$: expected an object, got an array\n");
	CHECK_PROBLEMS("{\"customers\": {}}", "$.customers: expected an array, got an object\n");
}

TEST(problem_currency_digits)
{
	CHECK_PROBLEMS("{\"plans\": [{\"id\": \"p\", \"basis\": \"unblended\", \"fees\": ["
		"{\"type\": \"flat\", \"amount\": \"12.345\"}, {\"type\": \"percent\", \"pct\": \"2.5\", \"min\": \"0.5\"}]}],"
		" \"customers\": [" CUST("") ", {\"id\": \"j\", \"name\": \"J\", \"currency\": \"JPY\", \"plan\": \"p\"}],"
		" \"custom_lines\": [{\"customer\": \"j\", \"period\": \"2026-01\", \"description\": \"x\", \"amount\": \"1.5\"}]}",
		"$.plans[0].fees[0].amount: 12.345 has more digits than EUR allows (2)\n"
		"$.plans[0].fees[0].amount: 12.345 has more digits than JPY allows (0)\n"
		"$.plans[0].fees[1].min: 0.5 has more digits than JPY allows (0)\n"
		"$.custom_lines[0].amount: 1.5 has more digits than JPY allows (0)\n");
}

TEST(problem_rules_and_fees)
{
	CHECK_PROBLEMS("{\"plans\": [{\"id\": \"p\", \"basis\": \"unblended\", \"rules\": ["
		"{\"markup_pct\": \"1\"}, {\"service\": \"AmazonEC2\"}, {\"region\": \"x\", \"exclude\": true, \"markup_pct\": \"1\"},"
		"{\"account\": \"1\", \"exclude\": \"yes\"}],"
		" \"fees\": [{\"type\": \"weekly\"}, {\"type\": \"flat\"}, {\"type\": \"percent\", \"amount\": \"1\", \"pct\": \"1\"}]}]}",
		"$.plans[0].rules[0]: rule matches everything (set service, usage_type, region, account or line_item_type)\n"
		"$.plans[0].rules[1]: rule sets neither markup_pct nor exclude\n"
		"$.plans[0].rules[2].markup_pct: has no effect on an excluding rule\n"
		"$.plans[0].rules[3].account: bad account id '1' (expected 12 digits)\n"
		"$.plans[0].rules[3].exclude: expected a boolean, got a string\n"
		"$.plans[0].fees[0].type: unknown type 'weekly' (expected flat, per_account or percent)\n"
		"$.plans[0].fees[1].amount: missing\n"
		"$.plans[0].fees[2].amount: a percent fee has pct, not amount\n");
}

TEST(apply_is_idempotent)
{
	struct store *s = open_db();
	struct config_result r;
	char *d1, *d2;

	CHECK(apply_text(s, good_doc, &r) == 0);
	CHECK_INT(r.created, 8);  /* 1 cluster, 2 plans, 3 customers, 1 fx, 1 custom line group */
	config_result_release(&r);
	d1 = dump(s);
	CHECK(apply_text(s, good_doc, &r) == 0);
	CHECK_INT(r.created + r.updated + r.deleted, 0);
	config_result_release(&r);
	d2 = dump(s);
	CHECK_STR(d2, d1);
	CHECK_INT(audit_rows(s), 8);
	free(d1);
	free(d2);
	store_free(s);
}

TEST(export_apply_round_trip)
{
	struct store *s = open_db();
	struct config_result r;
	struct rb_err err;
	json_t *doc = NULL;
	char *text, *d1, *d2;

	CHECK(apply_text(s, good_doc, &r) == 0);
	config_result_release(&r);
	CHECK(store_config_export(&doc, s, &err) == 0);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	/* canonical: minimal decimals, sorted customers, explicit defaults */
	CHECK(strstr(text, "\"markup_pct\": \"5.5\"") != NULL);
	CHECK(strstr(text, "\"amount\": \"-50\"") != NULL);
	CHECK(strstr(text, "\"credits\": \"1\"") != NULL);
	d1 = dump(s);
	CHECK(apply_text(s, text, &r) == 0);
	CHECK_INT(r.created + r.updated + r.deleted, 0);
	config_result_release(&r);
	d2 = dump(s);
	CHECK_STR(d2, d1);
	free(text);
	free(d1);
	free(d2);
	json_decref(doc);
	store_free(s);
}

TEST(apply_replaces_and_audits)
{
	struct store *s = open_db();
	struct config_result r;
	json_t *log = NULL, *e;
	struct rb_err err;
	size_t i;

	CHECK(apply_text(s, good_doc, &r) == 0);
	config_result_release(&r);
	/* a document without beta, yen, fx and custom lines removes them */
	CHECK(apply_text(s, "{\"tax_clusters\": [{\"id\": \"nl-vat\", \"name\": \"NL VAT\", \"rate_pct\": \"21\"}],"
		" \"plans\": [{\"id\": \"std\", \"basis\": \"ondemand\", \"markup_pct\": \"6\"}],"
		" \"customers\": [{\"id\": \"acme\", \"name\": \"Acme\", \"currency\": \"EUR\", \"plan\": \"std\","
		"   \"tax_cluster\": \"nl-vat\", \"accounts\": [{\"id\": \"111111111111\", \"from\": \"2026-03\", \"to\": \"2026-06\"},"
		"   {\"id\": \"222222222222\"}]}]}", &r) == 0);
	CHECK_INT(r.created, 0);
	CHECK_INT(r.updated, 1);  /* plan std */
	CHECK_INT(r.deleted, 5);  /* plan cost, beta, yen, fx, custom lines */
	config_result_release(&r);
	CHECK(store_config_audit(&log, s, 1, &err) == 0);
	CHECK_INT(json_array_size(log), 1);
	e = json_array_get(log, 0);
	CHECK_STR(json_string_value(json_object_get(e, "source")), "config apply");
	json_decref(log);
	CHECK(store_config_audit(&log, s, 0, &err) == 0);
	CHECK_INT(json_array_size(log), 14);
	json_array_foreach(log, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "object")), "plan:std"))
			continue;
		if (strcmp(json_string_value(json_object_get(e, "action")), "update"))
			continue;
		CHECK_STR(json_string_value(json_object_get(json_object_get(e, "before"), "markup_pct")), "5.5");
		CHECK_STR(json_string_value(json_object_get(json_object_get(e, "after"), "markup_pct")), "6");
	}
	json_decref(log);
	store_free(s);
}

TEST(invalid_apply_leaves_db_unchanged)
{
	struct store *s = open_db();
	struct config_result r;
	char *d1, *d2;

	CHECK(apply_text(s, good_doc, &r) == 0);
	config_result_release(&r);
	d1 = dump(s);
	CHECK_INT(apply_text(s, "{\"plans\": [" PLAN "], \"customers\": [{\"id\": \"c\", \"name\": \"C\", \"currency\": \"EURO\", \"plan\": \"p\"}]}", &r), RB_EINPUT);
	CHECK(r.nproblems > 0);
	config_result_release(&r);
	CHECK_INT(apply_text(s, "{\"plans\": [", &r), RB_EINPUT);
	config_result_release(&r);
	d2 = dump(s);
	CHECK_STR(d2, d1);
	free(d1);
	free(d2);
	store_free(s);
}

TEST(db_failure_mid_apply_leaves_db_unchanged)
{
	struct store *s = open_db();
	struct config_result r;
	struct rb_err err;
	char *d1, *d2;

	CHECK(apply_text(s, "{\"plans\": [" PLAN "], \"customers\": [" CUST("") "]}", &r) == 0);
	config_result_release(&r);
	/* inject a failure on the last table written */
	CHECK(sqlite3_exec(store_db_int(s), "CREATE TRIGGER boom BEFORE INSERT ON custom_lines"
		" BEGIN SELECT RAISE(ABORT, 'injected'); END", NULL, NULL, NULL) == SQLITE_OK);
	d1 = dump(s);
	config_result_init(&r);
	CHECK_INT(store_config_apply_file(s, write_file(good_doc), STORE_APPLY_REPLACE, &r, &err), RB_EIO);
	CHECK(strstr(err.msg, "injected") != NULL);
	config_result_release(&r);
	d2 = dump(s);
	CHECK_STR(d2, d1);
	free(d1);
	free(d2);
	store_free(s);
}

static int load(struct config_period **out, struct store *s, const char *period)
{
	struct rb_err err;
	int p;
	period_parse(&p, period, strlen(period));
	return store_config_load(s, p, out, &err);
}

TEST(load_resolves_assignments_per_period)
{
	struct store *s = open_db();
	struct config_result r;
	struct config_period *c = NULL;
	const struct config_customer *h;

	CHECK(apply_text(s, good_doc, &r) == 0);
	config_result_release(&r);

	CHECK(load(&c, s, "2026-02") == 0);
	CHECK_INT(c->ncustomers, 3);
	CHECK_STR(c->customers[0].id, "acme");
	CHECK(config_period_holder(c, "111111111111") == NULL);  /* before acme's from */
	h = config_period_holder(c, "222222222222");
	CHECK(h && !strcmp(h->id, "acme"));
	CHECK_INT(c->holdings[0].naccounts, 1);
	CHECK(!c->customers[0].has_fx);  /* EUR has no rate for 2026-02 */
	CHECK(c->customers[1].has_fx);   /* USD always */
	CHECK(c->customers[1].fx == 1000000);
	config_period_free(c);

	CHECK(load(&c, s, "2026-05") == 0);
	h = config_period_holder(c, "111111111111");
	CHECK(h && !strcmp(h->id, "acme"));
	CHECK_INT(c->holdings[0].naccounts, 2);
	CHECK_STR(c->holdings[0].accounts[0], "111111111111");
	CHECK(c->customers[0].has_fx && c->customers[0].fx == 920000);
	CHECK(c->customers[0].tax_rate_pct == 21000000);
	CHECK(c->customers[0].plan && !strcmp(c->customers[0].plan->id, "std"));
	CHECK(c->customers[0].plan->markup_pct == 5500000);
	CHECK_INT(c->customers[0].plan->nrules, 1);
	CHECK(c->customers[0].plan->rules[0].has_markup && c->customers[0].plan->rules[0].markup_pct == 8000000);
	CHECK_INT(c->customers[0].plan->nfees, 1);
	CHECK(c->customers[0].plan->fees[0].amount == 100000000);
	CHECK_INT(c->holdings[0].ncustom_lines, 1);
	CHECK(c->holdings[0].custom_lines[0].amount == -50000000);
	CHECK(c->customers[2].minor == 0);
	config_period_free(c);

	CHECK(load(&c, s, "2026-06") == 0);
	h = config_period_holder(c, "111111111111");
	CHECK(h && !strcmp(h->id, "acme"));  /* to is inclusive */
	CHECK_INT(c->holdings[0].ncustom_lines, 0);
	config_period_free(c);

	CHECK(load(&c, s, "2026-07") == 0);
	h = config_period_holder(c, "111111111111");
	CHECK(h && !strcmp(h->id, "beta"));
	{
		struct rate_accounts acme = rate_config_accounts(c, 0), beta = rate_config_accounts(c, 1);
		CHECK(rate_accounts_holds(&beta, "111111111111"));
		CHECK(!rate_accounts_holds(&acme, "111111111111"));
		CHECK(rate_accounts_holds(&acme, "222222222222"));
	}
	CHECK_INT(c->holdings[0].naccounts, 1);
	CHECK_INT(c->holdings[1].naccounts, 1);
	CHECK(c->customers[1].plan->credits == 1000000 && c->customers[1].plan->refunds_pass &&
	      !c->customers[1].plan->tax_pass);
	CHECK_INT(c->customers[1].plan->ndiscounts, 1);
	config_period_free(c);
	store_free(s);
}

/* A verb-style edit: the callback changes the document, validation still
 * applies, and the audit log names the source. */
static int add_overlap(json_t **doc, void *arg, struct rb_err *err)
{
	json_t *beta = json_array_get(json_object_get(*doc, "customers"), 1);
	(void)arg;
	(void)err;
	json_array_append_new(json_object_get(beta, "accounts"),
		json_pack("{s:s, s:s}", "id", "222222222222", "from", "2027-01"));
	return 0;
}

TEST(edit_rejects_overlap)
{
	struct store *s = open_db();
	struct config_result r;
	struct rb_err err;
	long n;

	CHECK(apply_text(s, good_doc, &r) == 0);
	config_result_release(&r);
	n = audit_rows(s);
	config_result_init(&r);
	CHECK_INT(store_config_edit(s, add_overlap, NULL, "account assign", &r, &err), RB_EINPUT);
	CHECK_INT(r.nproblems, 1);
	if (r.nproblems) {
		CHECK_STR(r.problems[0].path, "$.customers[1].accounts[1]");
		CHECK_STR(r.problems[0].object, "customer 'beta'");
		CHECK_STR(r.problems[0].sub, "accounts[1]");
	}
	if (r.nproblems)
		CHECK_STR(r.problems[0].msg, "account 222222222222 is already held by 'acme' for every period (overlapping assignment)");
	config_result_release(&r);
	CHECK_INT(audit_rows(s), n);
	store_free(s);
}

static const struct check_case cases[] = {
	CASE(good_document_has_no_problems),
	CASE(problem_unknown_references),
	CASE(problem_overlapping_assignments),
	CASE(problem_bad_values),
	CASE(problem_ids_and_accounts),
	CASE(problem_currency_digits),
	CASE(problem_rules_and_fees),
	CASE(apply_is_idempotent),
	CASE(export_apply_round_trip),
	CASE(apply_replaces_and_audits),
	CASE(invalid_apply_leaves_db_unchanged),
	CASE(db_failure_mid_apply_leaves_db_unchanged),
	CASE(load_resolves_assignments_per_period),
	CASE(edit_rejects_overlap),
};

static int run(int argc, char **argv)
{
	int rc;
	snprintf(dir, sizeof(dir), "/tmp/rebill-test-config-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = check_run_(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}

int check_main_(int argc, char **argv);
#define main check_main_
CHECK_MAIN(cases)
#undef main

int main(int argc, char **argv)
{
	(void)check_main_;
	return run(argc, argv);
}
