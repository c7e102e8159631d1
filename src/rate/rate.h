/*
 * rate.h: the billing configuration model and the rating engine — spec
 * §4 and §5 in code. Pure: facts and configuration in, billed amounts and
 * invoices out; no I/O, no SQL, no globals.
 *
 * Scales (see util/decimal.h): CUR amounts in facts are at DEC_SCALE (10);
 * configured factors and percentages at DEC_FACTOR_DIGITS (6); billed USD
 * amounts at RATE_SCALE (18), which holds base x (100 + markup) / 100 and
 * unblended x factor exactly. Invoice amounts are at the currency's minor
 * digits (rate_currency_minor). The configuration structs below are built
 * by the store (src/store/config) or by tests; rate only reads them.
 */
#ifndef RB_RATE_H
#define RB_RATE_H

#include <stddef.h>

#include "cur/cur.h"
#include "util/decimal.h"
#include "util/err.h"

#define RATE_SCALE 18

enum rate_basis { RATE_BASIS_UNBLENDED, RATE_BASIS_ONDEMAND, RATE_BASIS_EFFECTIVE, RATE_BASIS_PURCHASER };
enum rate_grouping { RATE_GROUP_SERVICE, RATE_GROUP_ACCOUNT, RATE_GROUP_ACCOUNT_SERVICE };
enum rate_fee_type { RATE_FEE_FLAT, RATE_FEE_PER_ACCOUNT, RATE_FEE_PERCENT };

/* Names as in the configuration document; the *_from_name functions
 * return the enum value or -1. */
const char *rate_basis_name(enum rate_basis b);
int rate_basis_from_name(const char *s);
const char *rate_grouping_name(enum rate_grouping g);
int rate_grouping_from_name(const char *s);
const char *rate_fee_type_name(enum rate_fee_type t);
int rate_fee_type_from_name(const char *s);

/* ISO 4217 minor digits of a currency code (2 for USD/EUR/GBP, 0 for
 * JPY, ...), or -1 when rebill does not know the code. */
int rate_currency_minor(const char *code);

/* A markup rule. A NULL match field is "not set"; usage_type may hold '*'
 * globs. markup_pct is used only when has_markup. */
struct rate_rule {
	char *service;         /* lineItem/ProductCode, exact */
	char *usage_type;      /* glob */
	char *region;          /* exact */
	char *account;         /* exact */
	char *line_item_type;  /* exact */
	int exclude;
	int has_markup;
	rb_i128 markup_pct;    /* DEC_FACTOR_DIGITS */
};

struct rate_discount {
	char *type;            /* e.g. "SppDiscount" */
	rb_i128 factor;        /* DEC_FACTOR_DIGITS */
};

/* amount, min and max are at DEC_FACTOR_DIGITS but the configuration
 * guarantees they have no more digits than the customer's currency. */
struct rate_fee {
	enum rate_fee_type type;
	rb_i128 amount;        /* flat, per_account */
	rb_i128 pct;           /* percent, DEC_FACTOR_DIGITS */
	int has_min, has_max;
	rb_i128 min, max;      /* percent */
	char *description;
};

struct rate_plan {
	char *id;
	enum rate_basis basis;
	rb_i128 markup_pct;    /* default, DEC_FACTOR_DIGITS */
	struct rate_rule *rules;
	size_t nrules;
	rb_i128 credits;       /* factor, default 1 */
	int refunds_pass;      /* default 1 */
	int tax_pass;          /* default 0 (strip) */
	struct rate_discount *discounts; /* explicit factors; others default per spec §4 */
	size_t ndiscounts;
	struct rate_fee *fees;
	size_t nfees;
};

struct rate_customer {
	char *id;
	char *name;
	char *currency;
	int minor;             /* rate_currency_minor(currency) */
	const struct rate_plan *plan;
	char *tax_cluster;     /* NULL: none, 0% */
	rb_i128 tax_rate_pct;  /* DEC_FACTOR_DIGITS */
	enum rate_grouping grouping;
	int has_fx;            /* 1 for USD always */
	rb_i128 fx;            /* USD -> currency, DEC_FACTOR_DIGITS; 1 for USD */
};

struct rate_custom_line {
	char *description;
	rb_i128 amount;        /* DEC_FACTOR_DIGITS, at most minor digits */
};

/* One fact (or one CUR row: a row is a fact of rows = 1). Strings are
 * borrowed. Amounts at DEC_SCALE. */
struct rate_fact {
	const char *payer;
	const char *account;
	const char *line_item_type;
	enum cur_class cls;
	const char *product_code;
	const char *product_name;
	const char *usage_type;
	const char *operation;
	const char *region;
	const char *owner;     /* "" when none */
	long rows;
	rb_i128 unblended, ondemand, effective;
};

#endif
