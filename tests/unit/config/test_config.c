/*
 * test_config.c: src/config without a database — the one definition of
 * "an assignment covers P" and the edit verbs on a document.
 */
#include "../check.h"

#include <stdlib.h>
#include <string.h>

#include "config/apply.h"
#include "config/check.h"
#include "config/config.h"
#include "config/edit.h"
#include "util/period.h"
#include "util/banned.h"

static int per(const char *s)
{
	int p = -1;
	period_parse(&p, s, strlen(s));
	return p;
}

TEST(span_covers_inclusive_and_open)
{
	CHECK(config_span_covers(NULL, NULL, per("2026-10")));
	CHECK(config_span_covers("2026-10", "2026-10", per("2026-10")));
	CHECK(config_span_covers("2026-01", NULL, per("2030-12")));
	CHECK(!config_span_covers("2026-11", NULL, per("2026-10")));
	CHECK(config_span_covers(NULL, "2026-10", per("2026-10")));
	CHECK(!config_span_covers(NULL, "2026-09", per("2026-10")));
	CHECK(!config_span_covers("bad", NULL, per("2026-10")));
}

static json_t *doc_two_customers(void)
{
	return json_pack("{s:[], s:[], s:[{s:s, s:[{s:s, s:s}]}, {s:s, s:[]}], s:[], s:[]}",
		"tax_clusters", "plans",
		"customers", "id", "acme", "accounts", "id", "111111111111", "to", "2026-06",
		"id", "beta", "accounts",
		"fx", "custom_lines");
}

TEST(holder_by_period)
{
	json_t *doc = doc_two_customers();
	const json_t *h = config_account_holder(doc, "111111111111", per("2026-06"));
	CHECK(h && !strcmp(json_string_value(json_object_get(h, "id")), "acme"));
	CHECK(!config_account_holder(doc, "111111111111", per("2026-07")));
	CHECK(!config_account_holder(doc, "222222222222", per("2026-06")));
	json_decref(doc);
}

TEST(assign_moves_customer_last)
{
	json_t *doc = doc_two_customers();
	struct config_assign a;
	struct rb_err err;
	const json_t *h;

	memset(&a, 0, sizeof(a));
	a.account = "111111111111";
	a.customer = "acme";
	a.from = "2026-07";
	CHECK_INT(config_assign_edit(&doc, &a, &err), 0);
	CHECK_STR(a.focus, "$.customers[1]");
	h = config_account_holder(doc, "111111111111", per("2026-09"));
	CHECK(h && !strcmp(json_string_value(json_object_get(h, "id")), "acme"));

	a.customer = "nobody";
	CHECK_INT(config_assign_edit(&doc, &a, &err), RB_EINPUT);
	CHECK_STR(err.msg, "no customer 'nobody'");
	a.customer = "acme";
	a.account = "12345";
	CHECK_INT(config_assign_edit(&doc, &a, &err), RB_EUSAGE);
	a.account = "111111111111";
	a.to = "2026-13";
	CHECK_INT(config_assign_edit(&doc, &a, &err), RB_EUSAGE);
	json_decref(doc);
}

TEST(unassign_ends_or_removes)
{
	json_t *doc = json_pack("{s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}]}]}", "customers", "id", "acme",
		"accounts", "id", "111111111111", "from", "2026-01", "id", "111111111111", "from", "2026-09");
	json_t *acc;
	struct config_unassign u;
	struct rb_err err;

	memset(&u, 0, sizeof(u));
	u.account = "111111111111";
	u.from = "2026-05";
	CHECK_INT(config_unassign_edit(&doc, &u, &err), 0);
	CHECK_STR(u.left, "acme");
	acc = json_object_get(json_array_get(json_object_get(doc, "customers"), 0), "accounts");
	/* the first now ends at 2026-04, the one starting 2026-09 is gone */
	CHECK_INT(json_array_size(acc), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(acc, 0), "to")), "2026-04");
	u.from = NULL;
	CHECK_INT(config_unassign_edit(&doc, &u, &err), 0);
	CHECK_INT(json_array_size(acc), 0);
	CHECK_INT(config_unassign_edit(&doc, &u, &err), RB_EINPUT);
	CHECK_STR(err.msg, "account 111111111111 is not assigned");
	json_decref(doc);
}

/* Spec §9: --tag removes just that split; the other split and the plain
 * assignment of the account stay. */
TEST(unassign_one_split)
{
	json_t *doc = json_pack("{s:[{s:s, s:[{s:s, s:{s:s, s:s}}, {s:s}]},"
		" {s:s, s:[{s:s, s:{s:s, s:s}}]}]}", "customers",
		"id", "acme", "accounts", "id", "111111111111", "split", "tag", "team", "value", "a",
		"id", "111111111111",
		"id", "beta", "accounts", "id", "111111111111", "split", "tag", "team", "value", "b");
	json_t *acme, *beta;
	struct config_unassign u;
	struct rb_err err;

	memset(&u, 0, sizeof(u));
	rb_err_clear(&err);
	u.account = "111111111111";
	u.tag = "team";
	u.value = "b";
	CHECK_INT(config_unassign_edit(&doc, &u, &err), 0);
	CHECK_STR(u.left, "beta");
	acme = json_object_get(json_array_get(json_object_get(doc, "customers"), 0), "accounts");
	beta = json_object_get(json_array_get(json_object_get(doc, "customers"), 1), "accounts");
	CHECK_INT(json_array_size(beta), 0);
	CHECK_INT(json_array_size(acme), 2);
	/* the same split again, or a value nobody has: refused, nothing changed */
	CHECK_INT(config_unassign_edit(&doc, &u, &err), RB_EINPUT);
	CHECK_STR(err.msg, "account 111111111111 has no assignment for tag team=b");
	u.tag = "env";
	u.value = "a";
	CHECK_INT(config_unassign_edit(&doc, &u, &err), RB_EINPUT);
	CHECK_INT(json_array_size(acme), 2);
	u.tag = "team";
	CHECK_INT(config_unassign_edit(&doc, &u, &err), 0);
	CHECK_STR(u.left, "acme");
	CHECK_INT(json_array_size(acme), 1);
	CHECK(json_object_get(json_array_get(acme, 0), "split") == NULL);
	json_decref(doc);
}

TEST(fx_set_replaces_or_appends)
{
	json_t *doc = json_pack("{s:[{s:s, s:s, s:s}]}", "fx", "period", "2026-10",
		"currency", "EUR", "rate", "0.9");
	struct config_fx_set c;
	struct rb_err err;

	memset(&c, 0, sizeof(c));
	c.period = "2026-10";
	c.currency = "EUR";
	c.rate = "0.92";
	CHECK_INT(config_fx_set_edit(&doc, &c, &err), 0);
	CHECK_STR(c.was, "0.9");
	CHECK_STR(c.focus, "$.fx[0]");
	c.currency = "GBP";
	CHECK_INT(config_fx_set_edit(&doc, &c, &err), 0);
	CHECK_STR(c.was, "");
	CHECK_STR(c.focus, "$.fx[1]");
	CHECK_INT(json_array_size(json_object_get(doc, "fx")), 2);
	json_decref(doc);
}

TEST(customer_text_fields_round_trip)
{
	json_t *doc = json_pack("{s:[{s:s, s:s}], s:[{s:s, s:s, s:s, s:s, s:s, s:[]}]}",
		"plans", "id", "std", "basis", "unblended",
		"customers", "id", "acme", "name", "Acme", "currency", "EUR", "plan", "std",
		"vat_id", "DE123", "accounts");
	json_t *norm = NULL;
	struct config_result r;
	struct rb_err err;

	config_result_init(&r);
	CHECK_INT(config_normalize(&norm, doc, &r, &err), 0);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(norm,
		"customers"), 0), "vat_id")), "DE123");
	json_decref(norm);
	json_object_set_new(json_array_get(json_object_get(doc, "customers"), 0), "email",
		json_integer(5));
	CHECK_INT(config_normalize(&norm, doc, &r, &err), RB_EINPUT);
	CHECK_INT(r.nproblems, 1);
	if (r.nproblems)
		CHECK_STR(r.problems[0].path, "$.customers[0].email");
	config_result_release(&r);
	json_decref(doc);
}

/* Spec §9: the holder of a row of a split account, period by period. */
TEST(split_holder_by_tag_value)
{
	static const char text[] =
		"{\"plans\": [{\"id\": \"x\", \"basis\": \"unblended\"}], \"customers\": ["
		" {\"id\": \"it\", \"name\": \"IT\", \"currency\": \"USD\", \"plan\": \"x\","
		"  \"accounts\": [{\"id\": \"333333333333\", \"to\": \"2026-09\"}]},"
		" {\"id\": \"ops\", \"name\": \"Ops\", \"currency\": \"USD\", \"plan\": \"x\"},"
		" {\"id\": \"web\", \"name\": \"Web\", \"currency\": \"USD\", \"plan\": \"x\"}]}";
	struct config_assign a1 = { "333333333333", "ops", NULL, NULL, "cc", "ops", "" };
	struct config_assign a2 = { "333333333333", "web", "2026-09", NULL, "cc", "web", "" };
	struct config_assign bad = { "333333333333", "web", "2026-10", NULL, "team", "web", "" };
	struct config_period *p9 = NULL, *p10 = NULL;
	struct config_result r;
	struct rb_err err;
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je), *canon = NULL, *again = NULL;

	rb_err_clear(&err);
	config_result_init(&r);
	CHECK_INT(config_assign_edit(&doc, &a1, &err), 0);
	CHECK_INT(config_assign_edit(&doc, &a2, &err), 0);
	CHECK_INT(config_normalize(&canon, doc, &r, &err), 0);
	CHECK_INT((int)r.nproblems, 0);
	CHECK(canon != NULL);
	if (!canon)
		goto out;
	CHECK_INT(config_resolve(&p9, canon, per("2026-09"), &err), 0);
	CHECK_INT(config_resolve(&p10, canon, per("2026-10"), &err), 0);
	CHECK_STR(config_period_split_key(p9, "333333333333"), "cc");
	CHECK(config_period_split_key(p9, "444444444444") == NULL);
	/* 2026-09: the plain holder it takes what no split matches */
	CHECK_STR(config_period_holder_tagged(p9, "333333333333", "ops")->id, "ops");
	CHECK_STR(config_period_holder_tagged(p9, "333333333333", "web")->id, "web");
	CHECK_STR(config_period_holder_tagged(p9, "333333333333", "qa")->id, "it");
	CHECK_STR(config_period_holder_tagged(p9, "333333333333", NULL)->id, "it");
	/* 2026-10: no plain assignment any more: the rest is nobody's */
	CHECK_STR(config_period_holder_tagged(p10, "333333333333", "web")->id, "web");
	CHECK(config_period_holder_tagged(p10, "333333333333", "qa") == NULL);
	CHECK(config_period_holder_tagged(p10, "333333333333", NULL) == NULL);
	CHECK(config_period_holder(p10, "333333333333") == NULL);
	CHECK_INT((int)p10->holdings[1].naccounts, 1);   /* ops: held, for the purchaser basis */
	/* one tag key per account at a time */
	CHECK_INT(config_assign_edit(&canon, &bad, &err), 0);
	config_result_release(&r);
	config_result_init(&r);
	CHECK(config_normalize(&again, canon, &r, &err) != 0 || r.nproblems == 1);
	CHECK(again == NULL);
	CHECK_INT((int)r.nproblems, 1);
	if (r.nproblems)
		CHECK_STR(r.problems[0].path, "$.customers[2].accounts[1]");
out:
	config_result_release(&r);
	config_period_free(p9);
	config_period_free(p10);
	json_decref(canon);
	json_decref(again);
	json_decref(doc);
}

/* Merge by id keeps what the document does not name and replaces what it
 * does; replace keeps only the document; the changes list the difference. */
TEST(apply_merges_by_id_or_replaces)
{
	json_t *cur = json_loads("{\"plans\": [{\"id\": \"a\", \"markup_pct\": \"1\"},"
		" {\"id\": \"b\"}], \"fx\": [{\"period\": \"2026-10\", \"currency\": \"EUR\","
		" \"rate\": \"0.9\"}]}", 0, NULL);
	json_t *in = json_loads("{\"plans\": [{\"id\": \"b\", \"markup_pct\": \"2\"},"
		" {\"id\": \"c\"}]}", 0, NULL);
	json_t *doc = json_deep_copy(cur), *ch, *plans;
	struct config_apply a = { in, 0, { 0 } };
	struct rb_err err;

	CHECK_INT(config_apply_edit(&doc, &a, &err), 0);
	plans = json_object_get(doc, "plans");
	CHECK_INT(json_array_size(plans), 3);
	/* kept first, then the document's own in its order */
	CHECK_STR(config_str(json_array_get(plans, 0), "id"), "a");
	CHECK_STR(config_str(json_array_get(plans, 1), "id"), "b");
	CHECK_STR(config_str(json_array_get(plans, 1), "markup_pct"), "2");
	CHECK_STR(config_str(json_array_get(plans, 2), "id"), "c");
	CHECK_INT(a.kept[1], 1);
	CHECK_INT(json_array_size(json_object_get(doc, "fx")), 1);
	ch = config_changes(cur, doc);
	CHECK_INT(json_array_size(ch), 2);
	CHECK_STR(config_str(json_array_get(ch, 0), "action"), "update");
	CHECK_STR(config_str(json_array_get(ch, 0), "object"), "plan:b");
	CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(ch, 0), "fields"),
		0)), "markup_pct");
	CHECK_STR(config_str(json_array_get(ch, 1), "action"), "create");
	CHECK_STR(config_str(json_array_get(ch, 1), "object"), "plan:c");
	json_decref(ch);
	json_decref(doc);

	doc = json_deep_copy(cur);
	a.replace = 1;
	CHECK_INT(config_apply_edit(&doc, &a, &err), 0);
	ch = config_changes(cur, doc);
	/* a and the EUR rate deleted, b updated, c created */
	CHECK_INT(json_array_size(ch), 4);
	CHECK_STR(config_str(json_array_get(ch, 0), "object"), "plan:a");
	CHECK_STR(config_str(json_array_get(ch, 0), "action"), "delete");
	CHECK_STR(config_str(json_array_get(ch, 2), "object"), "fx:2026-10:EUR");
	CHECK_STR(config_str(json_array_get(ch, 2), "action"), "delete");
	json_decref(ch);
	json_decref(doc);
	json_decref(in);
	json_decref(cur);
}

/* Issue 13: a rule is named by its position or by its exact match (the
 * set of match fields it has); the order of the others does not matter. */
TEST(rule_named_by_position_or_match)
{
	json_t *doc = json_loads("{\"plans\": [{\"id\": \"p\", \"basis\": \"unblended\", \"rules\": ["
		"{\"service\": \"AmazonEC2\", \"markup_pct\": \"1\"},"
		"{\"service\": \"AmazonEC2\", \"usage_type\": \"*Box*\", \"markup_pct\": \"2\"},"
		"{\"region\": \"eu-west-1\", \"exclude\": true}]}]}", 0, NULL);
	struct config_item_remove rm = { "p", "usage_type=*Box*,service=AmazonEC2", "" };
	struct config_rule_add add = { "p", { "AmazonEC2", NULL, NULL, NULL, NULL, "5" }, 0, 0, "" };
	struct rb_err err;
	json_t *rules = json_object_get(json_array_get(json_object_get(doc, "plans"), 0), "rules");

	CHECK_INT(config_rule_remove_edit(&doc, &rm, &err), 0);
	CHECK_STR(rm.removed, "service=AmazonEC2, usage_type=*Box*: markup 2%");
	CHECK_INT(json_array_size(rules), 2);
	/* service=AmazonEC2 alone is rule 1 only, not "every EC2 rule" */
	rm.which = "service=AmazonEC2";
	CHECK_INT(config_rule_remove_edit(&doc, &rm, &err), 0);
	CHECK_STR(config_str(json_array_get(rules, 0), "region"), "eu-west-1");
	rm.which = "2";
	CHECK_INT(config_rule_remove_edit(&doc, &rm, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "has no rule 2 (it has 1)") != NULL);
	rm.which = "colour=red";
	CHECK_INT(config_rule_remove_edit(&doc, &rm, &err), RB_EUSAGE);
	/* a second rule with the same match is refused, naming the first */
	add.values[0] = NULL;
	add.values[2] = "eu-west-1";
	CHECK_INT(config_rule_add_edit(&doc, &add, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "already has rule 1") != NULL);
	add.values[0] = "AmazonS3";
	CHECK_INT(config_rule_add_edit(&doc, &add, &err), 0);
	CHECK_INT((long)add.index, 2);
	CHECK_STR(add.focus, "$.plans[0].rules[1]");
	json_decref(doc);
}

TEST(plan_discounts_merge)
{
	json_t *doc = json_loads("{\"plans\": [{\"id\": \"p\", \"basis\": \"unblended\","
		" \"discounts\": {\"EdpDiscount\": \"1\"}}]}", 0, NULL), *d;
	struct config_plan_change c;
	struct rb_err err;

	memset(&c, 0, sizeof(c));
	c.id = "p";
	c.discounts = "SppDiscount=0,EdpDiscount=";
	CHECK_INT(config_plan_edit(&doc, &c, &err), 0);
	d = json_object_get(json_array_get(json_object_get(doc, "plans"), 0), "discounts");
	CHECK_INT(json_object_size(d), 1);
	CHECK_STR(config_str(d, "SppDiscount"), "0");
	c.discounts = "SppDiscount";
	CHECK_INT(config_plan_edit(&doc, &c, &err), RB_EUSAGE);
	c.discounts = NULL;
	c.add = 1;
	CHECK_INT(config_plan_edit(&doc, &c, &err), RB_EINPUT);
	json_decref(doc);
}

/* customer remove: refused while it holds accounts, unless unassign; its
 * custom lines go with it, other customers' stay. */
TEST(customer_remove_accounts_and_lines)
{
	json_t *doc = json_loads("{\"customers\": ["
		"{\"id\": \"a\", \"accounts\": [{\"id\": \"111111111111\", \"from\": \"2026-01\"}]},"
		"{\"id\": \"b\"}],"
		"\"custom_lines\": [{\"customer\": \"a\", \"period\": \"2026-10\"},"
		"{\"customer\": \"b\", \"period\": \"2026-10\"}, {\"customer\": \"a\", \"period\": \"2026-11\"}]}",
		0, NULL);
	struct config_customer_remove c = { "a", 0, "", 0, 0 };
	struct rb_err err;

	CHECK_INT(config_customer_remove_edit(&doc, &c, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "111111111111 (from 2026-01)") != NULL);
	CHECK_INT(json_array_size(json_object_get(doc, "customers")), 2);
	c.unassign = 1;
	CHECK_INT(config_customer_remove_edit(&doc, &c, &err), 0);
	CHECK_INT((long)c.naccounts, 1);
	CHECK_INT((long)c.ncustom, 2);
	CHECK_INT(json_array_size(json_object_get(doc, "customers")), 1);
	CHECK_STR(config_str(json_array_get(json_object_get(doc, "custom_lines"), 0), "customer"), "b");
	c.id = "b";
	c.unassign = 0;
	CHECK_INT(config_customer_remove_edit(&doc, &c, &err), 0);
	json_decref(doc);
}

static const struct check_case cases[] = {
	CASE(rule_named_by_position_or_match),
	CASE(plan_discounts_merge),
	CASE(customer_remove_accounts_and_lines),
	CASE(split_holder_by_tag_value),
	CASE(apply_merges_by_id_or_replaces),
	CASE(span_covers_inclusive_and_open),
	CASE(holder_by_period),
	CASE(assign_moves_customer_last),
	CASE(unassign_ends_or_removes),
	CASE(unassign_one_split),
	CASE(fx_set_replaces_or_appends),
	CASE(customer_text_fields_round_trip),
};
CHECK_MAIN(cases)
