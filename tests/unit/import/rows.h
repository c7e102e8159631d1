/*
 * rows.h: building struct cur_row values in C for the import tests (the
 * reader of src/ingest is not needed to test aggregation and writing).
 */
#ifndef RB_TEST_ROWS_H
#define RB_TEST_ROWS_H

#include <string.h>

#include "ingest/ingest.h"
#include "util/period.h"

static inline struct rb_str rs(const char *s)
{
	struct rb_str r = { s, strlen(s) };
	return r;
}

static inline rb_i128 amount(const char *s)
{
	rb_i128 v = 0;
	dec_parse(&v, s, strlen(s), DEC_SCALE);
	return v;
}

/* A Usage row of AmazonEC2 on day with all three views = unblended. */
static inline struct cur_row row_make(const char *payer, const char *account, const char *day,
	const char *type, const char *usage_type, const char *unblended)
{
	struct cur_row r;
	memset(&r, 0, sizeof(r));
	r.line = 2;
	period_from_date(&r.period, day, strlen(day));
	snprintf(r.day, sizeof(r.day), "%s", day);
	r.payer = rs(payer);
	r.account = rs(account);
	r.type = rs(type);
	r.cls = cur_classify(type, strlen(type), 0);
	r.product_code = rs("AmazonEC2");
	r.product_name = rs("Amazon Elastic Compute Cloud");
	r.usage_type = rs(usage_type);
	r.operation = rs("RunInstances");
	r.region = rs("eu-west-1");
	r.resource_id = rs("");
	r.usage_amount = amount("1");
	r.views.unblended = amount(unblended);
	r.views.ondemand = amount(unblended);
	r.views.effective = amount(unblended);
	return r;
}

#endif
