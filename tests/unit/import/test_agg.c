/*
 * test_agg.c: the aggregation table — equal keys sum exactly, any differing
 * key field makes a new fact, the table grows past many collisions and
 * resizes without losing a key, merging equals aggregating everything in
 * one table, and overflow is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "import/agg.h"
#include "rows.h"
#include "util/banned.h"

static const struct store_fact *find(const struct agg *a, struct store_fact *buf,
	const char *usage_type, const char *day)
{
	size_t i;
	for (i = 0; i < agg_nfacts(a); i++) {
		agg_fact(a, i, buf);
		if (!strcmp(buf->fact.usage_type, usage_type) && (!day || !strcmp(buf->day, day)))
			return buf;
	}
	return NULL;
}

TEST(equal_keys_sum_exactly)
{
	struct agg *a = agg_new();
	struct cur_row r1 = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "0.1");
	struct cur_row r2 = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "0.2");
	struct cur_row r3 = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "0.0000000001");
	struct store_fact f;
	int i;

	CHECK_INT(agg_add(a, &r1, 0), 0);
	CHECK_INT(agg_add(a, &r2, 0), 0);
	for (i = 0; i < 1000; i++)
		CHECK_INT(agg_add(a, &r3, 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), 1);
	agg_fact(a, 0, &f);
	CHECK_INT(f.fact.rows, 1002);
	CHECK(f.fact.unblended == amount("0.3000001"));
	CHECK(f.usage_amount == amount("1002"));
	CHECK_STR(f.fact.payer, "111111111111");
	CHECK_STR(f.fact.product_name, "Amazon Elastic Compute Cloud");
	CHECK_STR(f.tags, "");
	CHECK_INT(f.period, r1.period);
	agg_free(a);
}

TEST(each_key_field_separates)
{
	struct agg *a = agg_new();
	struct cur_row base = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "1");
	struct cur_row v[12];
	struct cur_tag tag = { { "user:Env", 8 }, { "prod", 4 } };
	size_t i;

	for (i = 0; i < 12; i++)
		v[i] = base;
	snprintf(v[1].day, sizeof(v[1].day), "2026-10-02");
	v[2].payer = rs("999999999999");
	v[3].account = rs("333333333333");
	v[4].type = rs("DiscountedUsage");
	v[5].cls = CUR_OTHER;
	v[6].product_code = rs("AmazonS3");
	v[7].product_name = rs("Other name");
	v[8].operation = rs("Op");
	v[9].region = rs("us-east-1");
	snprintf(v[10].owner, sizeof(v[10].owner), "123456789012");
	v[11].ntags = 1;
	v[11].tags = &tag;
	for (i = 0; i < 12; i++)
		CHECK_INT(agg_add(a, &v[i], 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), 12);
	/* the same rows again make no new facts */
	for (i = 0; i < 12; i++)
		CHECK_INT(agg_add(a, &v[(i * 5) % 12], 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), 12);
	CHECK_INT(agg_ntagsets(a), 2);
	CHECK_STR(agg_tagset(a, 1), "user:Env\x1fprod");
	agg_free(a);
}

TEST(growth_and_collisions_keep_every_key)
{
	struct agg *a = agg_new();
	struct store_fact f;
	char ut[48] = "";
	size_t i, n = 50000, bad = 0;
	size_t mem1, mem2;

	/* keys sharing long prefixes, far more than the initial 1024 slots */
	for (i = 0; i < n; i++) {
		struct cur_row r = row_make("111111111111", "222222222222", "2026-10-01", "Usage", ut, "1");
		snprintf(ut, sizeof(ut), "EUW1-BoxUsage:m5.%zu", i);
		r.usage_type = rs(ut);
		r.views.unblended = (rb_i128)i;
		if (agg_add(a, &r, 0) < 0)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), n);
	mem1 = agg_memory(a);
	/* the same keys again, in another order: sums double, no new facts, no growth */
	for (i = n; i-- > 0;) {
		struct cur_row r = row_make("111111111111", "222222222222", "2026-10-01", "Usage", ut, "1");
		snprintf(ut, sizeof(ut), "EUW1-BoxUsage:m5.%zu", i);
		r.usage_type = rs(ut);
		r.views.unblended = (rb_i128)i;
		agg_add(a, &r, 0);
	}
	CHECK_INT(agg_flush(a), 0);
	mem2 = agg_memory(a);
	CHECK_INT(agg_nfacts(a), n);
	CHECK_INT(mem2, mem1);
	CHECK(mem1 < 64u * 1024 * 1024);
	for (i = 0; i < n; i++) {
		agg_fact(a, i, &f);
		if (f.fact.rows != 2 || f.fact.unblended != 2 * (rb_i128)strtol(f.fact.usage_type + 17, NULL, 10))
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK(find(a, &f, "EUW1-BoxUsage:m5.49999", NULL) != NULL);
	agg_free(a);
}

TEST(merge_equals_one_table)
{
	struct agg *one = agg_new(), *x = agg_new(), *y = agg_new();
	struct store_fact f, g;
	char ut[48] = "", day[24] = "";
	size_t i, j, bad = 0;

	for (i = 0; i < 3000; i++) {
		struct cur_row r;
		snprintf(ut, sizeof(ut), "U%zu", i % 700);
		snprintf(day, sizeof(day), "2026-10-%02zu", i % 28 + 1);
		r = row_make("111111111111", i % 3 ? "222222222222" : "333333333333", day, "Usage", ut, "0.3333333333");
		r.resource_id = rs(i % 2 ? "i-1" : "vol-2");
		agg_add(one, &r, (uint32_t)(i % 2));
		agg_add(i % 2 ? x : y, &r, (uint32_t)(i % 2));
	}
	CHECK_INT(agg_flush(one), 0);
	CHECK_INT(agg_flush(y), 0);
	CHECK_INT(agg_merge(x, y), 0);
	CHECK_INT(agg_nfacts(x), agg_nfacts(one));
	CHECK_INT(agg_nresources(x), agg_nresources(one));
	CHECK_INT(agg_nfile_rows(x), agg_nfile_rows(one));
	for (i = 0; i < agg_nfacts(one); i++) {
		int found = 0;
		agg_fact(one, i, &f);
		for (j = 0; j < agg_nfacts(x) && !found; j++) {
			agg_fact(x, j, &g);
			if (!strcmp(f.fact.usage_type, g.fact.usage_type) && !strcmp(f.day, g.day) &&
			    !strcmp(f.fact.account, g.fact.account)) {
				found = 1;
				if (f.fact.rows != g.fact.rows || f.fact.unblended != g.fact.unblended)
					bad++;
			}
		}
		if (!found)
			bad++;
	}
	CHECK_INT(bad, 0);
	for (i = 0; i < agg_nresources(x); i++) {
		struct store_resource_fact rf;
		agg_resource(x, i, &rf);
		CHECK(!strcmp(rf.resource_id, "i-1") || !strcmp(rf.resource_id, "vol-2"));
	}
	for (i = 0; i < agg_nfile_rows(x); i++) {
		struct agg_file_rows fr;
		agg_file_rows(x, i, &fr);
		CHECK_INT(fr.rows, 1500);
		CHECK_STR(fr.payer, "111111111111");
	}
	agg_free(one);
	agg_free(x);
	agg_free(y);
}

TEST(overflow_and_bad_tags_are_refused)
{
	struct agg *a = agg_new();
	struct cur_row r = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "1");
	struct cur_tag bad = { { "k\x1f", 2 }, { "v", 1 } };
	struct store_fact f;
	rb_i128 big = (rb_i128)(((rb_u128)1 << 126) - 1);
	uint32_t file;
	long line;

	r.views.unblended = big;
	r.line = 10;
	CHECK_INT(agg_add(a, &r, 0), 0);
	r.line = 11;
	CHECK_INT(agg_add(a, &r, 3), 0);
	r.line = 12;
	CHECK_INT(agg_add(a, &r, 5), AGG_EOVERFLOW);
	agg_error_row(a, &file, &line);
	CHECK_INT(file, 5);
	CHECK_INT(line, 12);
	CHECK_INT(agg_flush(a), AGG_EOVERFLOW);   /* the fact's own sum passes too */
	agg_error_row(a, &file, &line);          /* held back, still named right */
	CHECK_INT(file, 5);
	CHECK_INT(line, 12);
	agg_fact(a, 0, &f);
	CHECK_INT(f.fact.rows, 2);
	CHECK(f.fact.unblended == big * 2);
	r.ntags = 1;
	r.tags = &bad;
	CHECK_INT(agg_add(a, &r, 0), AGG_ETAG);
	agg_free(a);
}

/* Sums live in 64 bits until they do not fit: then they move to 128 bits
 * without losing a digit, in facts and resource facts, and through merge. */
TEST(sums_past_64_bits_stay_exact)
{
	struct agg *a = agg_new(), *b = agg_new();
	struct cur_row r = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "1");
	struct store_fact f;
	struct store_resource_fact rf;
	rb_i128 half = (rb_i128)(INT64_MAX / 2 + 1);
	int i;

	r.resource_id = rs("i-1");
	r.views.unblended = half;
	r.views.effective = -half;
	for (i = 0; i < 5; i++) {
		CHECK_INT(agg_add(a, &r, 0), 0);
		CHECK_INT(agg_add(b, &r, 0), 0);
	}
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_flush(b), 0);
	agg_fact(a, 0, &f);
	CHECK_INT(f.fact.rows, 5);
	CHECK(f.fact.unblended == half * 5);
	CHECK(f.fact.effective == -half * 5);
	CHECK(f.fact.ondemand == amount("5"));
	agg_resource(a, 0, &rf);
	CHECK(rf.sum.unblended == half * 5);
	CHECK_INT(agg_merge(a, b), 0);
	agg_fact(a, 0, &f);
	CHECK_INT(f.fact.rows, 10);
	CHECK(f.fact.unblended == half * 10);
	CHECK(f.fact.effective == -half * 10);
	agg_free(a);
	agg_free(b);
}


/* Parquet rows name the dictionary entry of their fields (cur_row.ref):
 * the aggregator interns an entry once. Refs give the facts the texts give,
 * and after agg_reset_facts (a spill renumbers the strings) a ref seen
 * before is interned again, never taken for the string its old id now
 * names (ten new strings come first and take the old ids). */
TEST(dictionary_refs_are_their_texts)
{
	struct agg *a = agg_new(), *b = agg_new();
	struct cur_row x = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "BoxA", "1");
	struct cur_row y = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "BoxB", "2");
	struct cur_row z = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "BoxC", "4");
	const uint64_t d = (uint64_t)7 << CUR_REF_INDEX_BITS;   /* dictionary 7 */
	static const char *const names[10] = { "C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7",
		"C8", "C9" };
	struct store_fact f;
	int i;

	x.ref[CUR_REF_UTYPE] = d | 1;
	y.ref[CUR_REF_UTYPE] = d | 2;
	for (i = 0; i < 10; i++) {
		CHECK_INT(agg_add(a, i % 2 ? &y : &x, 0), 0);
		CHECK_INT(agg_add(b, i % 2 ? &y : &x, 0), 0);
	}
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), 2);
	CHECK(find(a, &f, "BoxA", NULL) && f.fact.rows == 5 && f.fact.unblended == amount("5"));
	CHECK(find(a, &f, "BoxB", NULL) && f.fact.rows == 5 && f.fact.unblended == amount("10"));
	/* a spill empties the facts; then a new string comes first and takes
	 * the low ids before entry 2 is seen again */
	agg_reset_facts(a);
	for (i = 0; i < 10; i++) {
		z.usage_type.p = names[i];
		z.usage_type.n = strlen(names[i]);
		CHECK_INT(agg_add(a, &z, 0), 0);
	}
	CHECK_INT(agg_add(a, &y, 0), 0);
	CHECK_INT(agg_add(a, &y, 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_nfacts(a), 11);
	CHECK(find(a, &f, "C3", NULL) && f.fact.rows == 1 && f.fact.unblended == amount("4"));
	CHECK(find(a, &f, "BoxB", NULL) && f.fact.rows == 2 && f.fact.unblended == amount("4"));
	CHECK(find(a, &f, "BoxA", NULL) == NULL);
	/* the table without refs (b) has what a had before the reset */
	CHECK_INT(agg_flush(b), 0);
	CHECK_INT(agg_nfacts(b), 2);
	CHECK(find(b, &f, "BoxA", NULL) && f.fact.rows == 5);
	agg_free(a);
	agg_free(b);
}

/* Tag sets by the refs of their tag cells (cur_row.tagref): one tuple is
 * one tag set, another tuple of the same texts the same set; after
 * agg_reset_facts (tag sets renumbered) a tuple seen before gets the id
 * its tags have now. */
TEST(tag_refs_are_their_tags)
{
	struct agg *a = agg_new();
	struct cur_row r = row_make("111111111111", "222222222222", "2026-10-01", "Usage", "Box", "1");
	struct cur_tag env = { { "user:Env", 8 }, { "prod", 4 } };
	struct cur_tag team = { { "user:Team", 9 }, { "ops", 3 } };
	struct cur_row x = r, y = r, z = r, w = r;
	const uint64_t d = (uint64_t)9 << CUR_REF_INDEX_BITS;
	struct store_fact f;

	x.ntags = 1;
	x.tags = &env;
	x.ntagrefs = 2;
	x.tagref[0] = d | 1;
	x.tagref[1] = 0;
	y = x;
	y.tagref[0] = ((uint64_t)10 << CUR_REF_INDEX_BITS) | 5;   /* another entry, same text */
	z.ntags = 1;
	z.tags = &team;
	z.ntagrefs = 2;
	z.tagref[0] = 0;
	z.tagref[1] = d | 2;
	w.ntags = 0;   /* no tags: no tag set */
	w.ntagrefs = 2;
	w.tagref[0] = w.tagref[1] = 0;
	CHECK_INT(agg_add(a, &x, 0), 0);
	CHECK_INT(agg_add(a, &z, 0), 0);
	CHECK_INT(agg_add(a, &y, 0), 0);
	CHECK_INT(agg_add(a, &x, 0), 0);
	CHECK_INT(agg_add(a, &w, 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_ntagsets(a), 3);
	CHECK_INT(agg_nfacts(a), 3);
	CHECK_STR(agg_tagset(a, 1), "user:Env\x1fprod");
	CHECK_STR(agg_tagset(a, 2), "user:Team\x1fops");
	/* after a spill the team set comes first and takes number 1 */
	agg_reset_facts(a);
	CHECK_INT(agg_add(a, &z, 0), 0);
	CHECK_INT(agg_add(a, &x, 0), 0);
	CHECK_INT(agg_flush(a), 0);
	CHECK_INT(agg_ntagsets(a), 3);
	CHECK_STR(agg_tagset(a, 1), "user:Team\x1fops");
	CHECK_INT(agg_nfacts(a), 2);
	agg_fact(a, 0, &f);
	CHECK_STR(f.tags, "user:Team\x1fops");
	agg_fact(a, 1, &f);
	CHECK_STR(f.tags, "user:Env\x1fprod");
	agg_free(a);
}

static const struct check_case cases[] = {
	CASE(tag_refs_are_their_tags),
	CASE(dictionary_refs_are_their_texts),
	CASE(equal_keys_sum_exactly),
	CASE(each_key_field_separates),
	CASE(growth_and_collisions_keep_every_key),
	CASE(merge_equals_one_table),
	CASE(overflow_and_bad_tags_are_refused),
	CASE(sums_past_64_bits_stay_exact),
};

CHECK_MAIN(cases)
