/*
 * config.h: the billing configuration model (spec §4, §5, §7) — its types,
 * the document's names for its enums, currency minor units, what an
 * assignment covers, and the configuration resolved for one billing period.
 *
 * The configuration is one JSON document (spec §7) whose canonical form is
 * made by config_normalize (config/check.h); src/store stores it, src/rate
 * rates with the structs below, the edit verbs every front end calls are
 * in config/edit.h. Pure: no I/O, no SQL, no globals.
 *
 * Not for: storing (src/store) or rating (src/rate).
 */
#ifndef RB_CONFIG_H
#define RB_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "util/decimal.h"
#include "util/err.h"

enum config_basis { CONFIG_BASIS_UNBLENDED, CONFIG_BASIS_ONDEMAND, CONFIG_BASIS_EFFECTIVE, CONFIG_BASIS_PURCHASER };
enum config_grouping { CONFIG_GROUP_SERVICE, CONFIG_GROUP_ACCOUNT, CONFIG_GROUP_ACCOUNT_SERVICE };
enum config_fee_type { CONFIG_FEE_FLAT, CONFIG_FEE_PER_ACCOUNT, CONFIG_FEE_PERCENT };

/* Names as in the configuration document; the *_from_name functions
 * return the enum value or -1. */
const char *config_basis_name(enum config_basis b);
int config_basis_from_name(const char *s);
const char *config_grouping_name(enum config_grouping g);
int config_grouping_from_name(const char *s);
const char *config_fee_type_name(enum config_fee_type t);
int config_fee_type_from_name(const char *s);

/* ISO 4217 minor digits of a currency code (2 for USD/EUR/GBP, 0 for
 * JPY, ...), or -1 when rebill does not know the code. */
int config_currency_minor(const char *code);

/* A markup rule. A NULL match field is "not set"; usage_type may hold '*'
 * globs. markup_pct is used only when has_markup. */
struct config_rule {
	char *service;         /* lineItem/ProductCode, exact */
	char *usage_type;      /* glob */
	char *region;          /* exact */
	char *account;         /* exact */
	char *line_item_type;  /* exact */
	int exclude;
	int has_markup;
	rb_i128 markup_pct;    /* DEC_FACTOR_DIGITS */
};

struct config_discount {
	char *type;            /* e.g. "SppDiscount" */
	rb_i128 factor;        /* DEC_FACTOR_DIGITS */
};

/* amount, min and max are at DEC_FACTOR_DIGITS but the configuration
 * guarantees they have no more digits than the customer's currency. */
struct config_fee {
	enum config_fee_type type;
	rb_i128 amount;        /* flat, per_account */
	rb_i128 pct;           /* percent, DEC_FACTOR_DIGITS */
	int has_min, has_max;
	rb_i128 min, max;      /* percent */
	char *description;
};

struct config_plan {
	char *id;
	enum config_basis basis;
	rb_i128 markup_pct;    /* default, DEC_FACTOR_DIGITS */
	struct config_rule *rules;
	size_t nrules;
	rb_i128 credits;       /* factor, default 1 */
	int refunds_pass;      /* default 1 */
	int tax_pass;          /* default 0 (strip) */
	struct config_discount *discounts; /* explicit factors; others default per spec §4 */
	size_t ndiscounts;
	struct config_fee *fees;
	size_t nfees;
};

struct config_customer {
	char *id;
	char *name;
	char *currency;
	int minor;             /* config_currency_minor(currency) */
	const struct config_plan *plan;
	char *tax_cluster;     /* NULL: none, 0% */
	rb_i128 tax_rate_pct;  /* DEC_FACTOR_DIGITS */
	enum config_grouping grouping;
	int has_fx;            /* 1 for USD always */
	rb_i128 fx;            /* USD -> currency, DEC_FACTOR_DIGITS; 1 for USD */
	/* The currency of the costs rated for it in the period ("" = USD):
	 * not from the document, set by report from the imports of its
	 * accounts' billing accounts (FOCUS BillingCurrency). When it is the
	 * customer's own currency, fx is 1 and has_fx 1 (nothing converts). */
	char cost_currency[4];
};

struct config_custom_line {
	char *description;
	rb_i128 amount;        /* DEC_FACTOR_DIGITS, at most minor digits */
};

/* The string field key of a document object o, "" when absent or not a
 * string (never NULL). */
const char *config_str(const json_t *o, const char *key);

/* ---- effective-dated assignments ---- */

/* THE definition of "an assignment covers period P" (spec §5): from and to
 * are "YYYY-MM" or NULL (open); the span is inclusive at both ends. A
 * period string that does not parse covers nothing. */
int config_span_covers(const char *from, const char *to, int period);

/* The same for an assignment entry of the document, {"id", "from"?, "to"?}. */
int config_assignment_covers(const json_t *a, int period);

/* The customer entry of doc holding account in period, or NULL. */
const json_t *config_account_holder(const json_t *doc, const char *account, int period);

/* ---- the configuration as it applies to one period: resolve.c ---- */

struct config_tax_cluster {
	char *id;
	char *name;
	rb_i128 rate_pct;      /* DEC_FACTOR_DIGITS */
	char *note;            /* NULL when none */
};

/* What one customer holds in the period; parallel to config_period.customers.
 * Spec §5: the customer gets an invoice for the period when naccounts or
 * ncustom_lines is non-zero. */
struct config_holdings {
	char **accounts;       /* assigned for the period, sorted */
	size_t naccounts;
	struct config_custom_line *custom_lines;  /* for the period, entry order */
	size_t ncustom_lines;
};

/* One assignment covering the period; spec §9: tag and value are its
 * split (NULL: plain, the whole account or what no split matches). */
struct config_holder {
	char *account;
	size_t customer;       /* index into config_period.customers */
	char *tag, *value;
};

/* Invariants: customers sorted by id, each customer's plan points into
 * plans; holders sorted by account, then plain before split, then by
 * split value: per account at most one plain holder and one per split
 * value, all splits with one tag key (validation refuses the rest). */
struct config_period {
	int period;
	struct config_tax_cluster *tax_clusters;
	size_t ntax_clusters;
	struct config_plan *plans;
	size_t nplans;
	struct config_customer *customers;
	struct config_holdings *holdings;
	size_t ncustomers;
	struct config_holder *holders;
	size_t nholders;
};

/* Resolves the canonical document doc (see config/check.h; validated, so
 * only a damaged database makes this fail, RB_EIO) for period (period.h
 * integer): who holds which account, the FX rate, the custom lines. Every
 * customer is listed, also those holding nothing in the period. has_fx is
 * 1 for USD (fx 1) and for a currency with a rate for the period, else 0
 * with fx 0. */
int config_resolve(struct config_period **out, const json_t *doc, int period,
	struct rb_err *err);

/* The customer with a plain (unsplit) assignment of account in cfg's
 * period, or NULL. */
const struct config_customer *config_period_holder(const struct config_period *cfg,
	const char *account);

/* Spec §9: the holders of account (*n of them, contiguous), or NULL. */
const struct config_holder *config_period_holders(const struct config_period *cfg,
	const char *account, size_t *n);
/* The tag key account is split by in cfg's period, or NULL when unsplit. */
const char *config_period_split_key(const struct config_period *cfg, const char *account);
/* THE holder of a row of account whose split tag has value (NULL:
 * untagged): the split assignment matching value, else the plain one,
 * else NULL (unassigned). */
const struct config_customer *config_period_holder_tagged(const struct config_period *cfg,
	const char *account, const char *value);

/* Frees cfg and everything in it; accepts NULL. */
void config_period_free(struct config_period *cfg);

#endif
