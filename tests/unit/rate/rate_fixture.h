/*
 * rate_fixture.h: small builders shared by the rate unit tests — decimals
 * from strings, a default plan/customer, one fact — so each case states only
 * what it is about. Test-only; not part of rebill.
 */
#ifndef RB_RATE_FIXTURE_H
#define RB_RATE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rate/rate.h"
#include "util/period.h"

/* s as a decimal at `scale`; aborts on a typo in the test itself. */
static inline rb_i128 fx_dec(const char *s, int scale)
{
	rb_i128 v;
	if (dec_parse(&v, s, strlen(s), scale)) {
		fprintf(stderr, "bad test decimal '%s'\n", s);
		abort();
	}
	return v;
}
#define D10(s) fx_dec((s), DEC_SCALE)
#define F6(s) fx_dec((s), DEC_FACTOR_DIGITS)
#define R18(s) fx_dec((s), RATE_SCALE)

/* v at scale, with as few digits as needed; 16 rotating buffers. */
static inline const char *fx_fmt(rb_i128 v, int scale)
{
	static char buf[16][DEC_BUFSZ];
	static int i;
	char *b = buf[i++ % 16];
	dec_format_min(b, DEC_BUFSZ, v, scale);
	return b;
}
/* v at scale with exactly `digits` digits (invoice amounts). */
static inline const char *fx_fmtn(rb_i128 v, int scale, int digits)
{
	static char buf[16][DEC_BUFSZ];
	static int i;
	char *b = buf[i++ % 16];
	dec_format(b, DEC_BUFSZ, v, scale, digits);
	return b;
}

static inline int fx_period(const char *s)
{
	int p = -1;
	if (period_parse(&p, s, strlen(s)))
		abort();
	return p;
}

/* A plan with spec defaults: markup 0, credits 1, refunds pass, tax strip. */
static inline struct config_plan fx_plan(enum config_basis basis)
{
	struct config_plan p;
	memset(&p, 0, sizeof(p));
	p.id = "test";
	p.basis = basis;
	p.credits = F6("1");
	p.refunds_pass = 1;
	p.tax_pass = 0;
	return p;
}

/* A USD customer, service grouping, no tax. */
static inline struct config_customer fx_customer(const struct config_plan *plan)
{
	struct config_customer c;
	memset(&c, 0, sizeof(c));
	c.id = "acme";
	c.name = "Acme";
	c.currency = "USD";
	c.minor = 2;
	c.plan = plan;
	c.grouping = CONFIG_GROUP_SERVICE;
	c.has_fx = 1;
	c.fx = F6("1");
	return c;
}

/* One row of the given type in account 111111111111, EC2 BoxUsage in
 * us-east-1, no commitment owner. Class from spec §2 (Fee without ARN). */
static inline struct cur_fact fx_fact(const char *type, const char *unblended,
	const char *ondemand, const char *effective)
{
	struct cur_fact f;
	memset(&f, 0, sizeof(f));
	f.payer = "999999999999";
	f.account = "111111111111";
	f.line_item_type = type;
	f.cls = cur_classify(type, strlen(type), 0);
	f.product_code = "AmazonEC2";
	f.product_name = "Amazon Elastic Compute Cloud";
	f.usage_type = "USE1-BoxUsage:t3.micro";
	f.operation = "RunInstances";
	f.region = "us-east-1";
	f.owner = "";
	f.rows = 1;
	f.unblended = D10(unblended);
	f.ondemand = D10(ondemand);
	f.effective = D10(effective);
	return f;
}

#endif
