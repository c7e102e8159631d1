/*
 * rate.h: the rating engine — spec §4 and §5 in code. Pure: facts and
 * configuration (src/config's types) in, billed amounts and invoices out;
 * no I/O, no SQL, no globals.
 *
 * Scales (see util/decimal.h): CUR amounts in facts are at DEC_SCALE (10);
 * configured factors and percentages at DEC_FACTOR_DIGITS (6); billed USD
 * amounts at RATE_SCALE (18), which holds base x (100 + markup) / 100 and
 * unblended x factor exactly. Invoice amounts are at the currency's minor
 * digits (config_currency_minor). The configuration structs are src/config's
 * (config/config.h), resolved for one period by config_resolve; rate only
 * reads them.
 */
#ifndef RB_RATE_H
#define RB_RATE_H

#include <stddef.h>

#include "config/config.h"
#include "cur/cur.h"
#include "cur/fact.h"
#include "util/decimal.h"
#include "util/err.h"

#define RATE_SCALE 18

/* ---- Rating (spec §4): rule.c, bill.c ---------------------------------- */

/* 1 when s matches the glob pattern p: '*' matches any run of characters,
 * including none; every other character matches only itself (no '?', no
 * classes, no escapes). Both are NUL-terminated; NULL is treated as "". */
int rate_glob_match(const char *p, const char *s);

/* The index in plan->rules of the most specific rule matching f (the most
 * match fields set; ties go to the earlier rule), or -1 when none matches.
 * Match fields: service = f->product_code, usage_type (glob), region,
 * account, line_item_type; a NULL rule field is "not set", a NULL fact
 * field is "". Only meaningful for usage/commitment/fee/other facts: rate
 * never applies rules to the policy classes. */
int rate_rule_find(const struct config_plan *plan, const struct cur_fact *f);

/* The discount factor (DEC_FACTOR_DIGITS) of a discount line item type:
 * the plan's explicit entry, else 1 for BundledDiscount and 0 otherwise. */
rb_i128 rate_discount_factor(const struct config_plan *plan, const char *type);

/* Purchaser basis: does customer C hold `account` for the period being
 * rated? Returns 1 or 0. The caller binds C and P into ctx. */
typedef int (*rate_holds_fn)(void *ctx, const char *account);

/* A ready-made holds test: a set of account ids sorted by strcmp (no
 * duplicates needed, borrowed). Pass rate_accounts_holds as the callback
 * and a struct rate_accounts * as its ctx. */
struct rate_accounts {
	const char *const *ids;
	size_t n;
};
int rate_accounts_holds(void *ctx, const char *account);

/* The accounts customer (an index into cfg->customers) holds in cfg's
 * period, as a holds test: pass rate_accounts_holds and a pointer to the
 * result to rate_fact_bill or rate_invoice_build. Borrowed from cfg. */
struct rate_accounts rate_config_accounts(const struct config_period *cfg, size_t customer);

/* The result of rating one fact for one customer. */
struct rate_bill {
	enum cur_class cls;    /* the fact's class */
	rb_i128 base;          /* DEC_SCALE: base by basis for charge classes
	                          (usage, commitment, fee, other); the unblended
	                          cost for the policy classes */
	int rule;              /* deciding rule index, -1: plan default or policy */
	rb_i128 markup_pct;    /* DEC_FACTOR_DIGITS: applied markup, 0 for policy
	                          classes and excluded facts */
	int excluded;          /* 1: a matching rule has exclude: true */
	rb_i128 excluded_cost; /* DEC_SCALE: the fact's UNBLENDED cost when
	                          excluded (what spec §6 reports as "excluded by
	                          rules"), else 0 */
	rb_i128 billed;        /* RATE_SCALE, USD; 0 when excluded */
	rb_i128 withheld;      /* RATE_SCALE: unblended - billed for the policy
	                          classes (credit, refund, discount, tax), 0 for
	                          the charge classes. It has the sign of the
	                          amounts: withholding half of a -10 credit gives
	                          billed -5, withheld -5. */
};

/* Spec §4: rates fact f under plan. billed is exact: base x (100 + m) / 100
 * or unblended x factor, at RATE_SCALE, never rounded. holds (may be NULL:
 * "holds nothing") is asked only for usage facts with a commitment owner
 * under the purchaser basis. Returns 0, or RB_EINPUT when a product does not
 * fit in 128 bits (err says which fact), or when f->cls is not a class. */
int rate_fact_bill(struct rate_bill *out, const struct config_plan *plan,
	const struct cur_fact *f, rate_holds_fn holds, void *holds_ctx,
	struct rb_err *err);

/* Spec §5 step 3: round(usd x fx, minor) half away from zero. usd at
 * RATE_SCALE, fx at DEC_FACTOR_DIGITS, *out at `minor` digits. Returns 0 or
 * RB_EINPUT when the product does not fit in 128 bits. */
int rate_usd_convert(rb_i128 *out, rb_i128 usd, rb_i128 fx, int minor,
	struct rb_err *err);

/* ---- The invoice (spec §5): invoice.c ---------------------------------- */

enum rate_line_kind {
	RATE_LINE_CHARGE, RATE_LINE_CREDIT, RATE_LINE_REFUND, RATE_LINE_DISCOUNT,
	RATE_LINE_TAX, RATE_LINE_FEE, RATE_LINE_CUSTOM
};
/* "charge", "credit", "refund", "discount", "tax", "fee", "custom". */
const char *rate_line_kind_name(enum rate_line_kind k);

/* One invoice line. key is for machines (spec §5: the grouping key,
 * "credits", "refunds", "discounts", "aws_tax", the fee type, "custom"),
 * description for people. */
struct rate_line {
	enum rate_line_kind kind;
	char *key;
	char *description;
	rb_i128 amount;        /* invoice currency, at the invoice's `minor` digits */
	rb_i128 usd;           /* RATE_SCALE: Σ billed USD behind a charge or
	                          pass-through line; 0 for fees and custom lines */
	long rows;             /* Σ rows of the facts behind it (charge, pass-through) */
	long quantity;         /* per_account fee: the accounts counted; else 1 */
};

/* Figures about the facts behind an invoice, for reports (spec §6). All
 * facts count, including excluded ones and those whose line rounded to 0. */
struct rate_totals {
	long rows;             /* Σ fact rows */
	size_t accounts;       /* distinct accounts with any fact */
	rb_i128 unblended, ondemand, effective;  /* DEC_SCALE, cost views */
	rb_i128 billed;        /* RATE_SCALE, USD: charges + pass-through */
	rb_i128 billed_class[CUR_NCLASS];   /* RATE_SCALE, billed by class */
	rb_i128 withheld[CUR_NCLASS];       /* RATE_SCALE, policy classes only */
	rb_i128 excluded;      /* DEC_SCALE, unblended cost of excluded facts */
	long excluded_rows;
};

/* A built invoice: a plain value, read its fields; owned by the caller and
 * released with rate_invoice_free. Invariants: lines are in spec order
 * (charges by key in strcmp order, then credits, refunds, discounts,
 * aws_tax, fees in plan order, custom lines in entry order); no line has
 * amount 0; subtotal = Σ lines[].amount; total = subtotal + tax. */
struct rate_invoice {
	char *customer;
	int period;
	char *currency;
	int minor;             /* the currency's minor digits: scale of amounts */
	rb_i128 fx;            /* DEC_FACTOR_DIGITS, USD -> currency (1 for USD) */
	rb_i128 tax_rate_pct;  /* DEC_FACTOR_DIGITS */
	struct rate_line *lines;
	size_t nlines;
	rb_i128 charges;       /* Σ charge lines: the base of percent fees */
	rb_i128 subtotal, tax, total;
	struct rate_totals totals;
};

/* Spec §5: builds the invoice of customer c for period (period.h) from its
 * facts for that period (the caller has filtered them to c's accounts and
 * P; the order does not matter) and its custom lines for P (entry order).
 * holds/holds_ctx as for rate_fact_bill. The invoice currency is
 * c->currency with config_currency_minor() digits (c->minor is not trusted);
 * USD always converts at 1, any other currency needs c->has_fx.
 * Returns 0 and sets *out, or a negative RB_E* code with *out = NULL:
 * RB_EINPUT for a customer without plan, an unknown currency, a missing
 * exchange rate ("customer 'acme' has no EUR exchange rate for 2026-10"),
 * a fee/custom amount with more digits than the currency has, or an amount
 * out of 128-bit range. */
int rate_invoice_build(struct rate_invoice **out, const struct config_customer *c,
	int period, const struct cur_fact *facts, size_t nfacts,
	rate_holds_fn holds, void *holds_ctx,
	const struct config_custom_line *custom, size_t ncustom, struct rb_err *err);

/* Frees inv and everything it owns; NULL is fine. */
void rate_invoice_free(struct rate_invoice *inv);

/* The charge line fact f of customer c belongs to (spec §5 step 1, by
 * c->grouping): *acct is the account or NULL, *svc the product name (the
 * product code when it has none) or NULL. Borrowed from f. */
void rate_charge_group(const struct config_customer *c, const struct cur_fact *f,
	const char **acct, const char **svc);
/* The key and description of the charge line of (acct, svc) as
 * rate_charge_group gives them; newly allocated, the caller frees them. */
void rate_charge_names(const char *acct, const char *svc, char **key, char **description);

/* ---- Explaining an invoice: explain.c ------------------------------------ */

/* What priced a part of one charge line: the facts of that line decided by
 * one rule (or by the plan default), or excluded by one rule. */
struct rate_explain_item {
	char *key;             /* the charge line's key and description, as on */
	char *description;     /* the invoice (a line that rounded to 0 or was
	                          wholly excluded is not on it) */
	int rule;              /* index in plan->rules; -1: the plan default */
	int excluded;          /* 1: that rule has exclude: true, billed 0 */
	rb_i128 markup_pct;    /* DEC_FACTOR_DIGITS; 0 when excluded */
	rb_i128 base;          /* DEC_SCALE: Σ base by the plan's basis */
	rb_i128 unblended;     /* DEC_SCALE: Σ unblended (what exclusion left out) */
	rb_i128 billed;        /* RATE_SCALE, USD: Σ billed; 0 when excluded */
	long rows;
};

/* Invariants: items sorted by key, then priced before excluded, then rule
 * (the plan default first); for each key, Σ billed of its items is the
 * exact USD (rate_line.usd) of the invoice's charge line of that key.
 * rule_used[i] is 1 when plan rule i decided at least one fact (priced or
 * excluded), nrules = plan->nrules. */
struct rate_explain {
	struct rate_explain_item *items;
	size_t n;
	unsigned char *rule_used;
	size_t nrules;
};

/* Spec §4 again for the charge-class facts of an invoice, recording which
 * rule decided each and summing by (charge line, rule): what `invoice
 * preview --explain` shows. Same facts, customer and holds test as
 * rate_invoice_build, which stays as fast as without it (this is a second
 * pass, run only when asked). Returns 0 or the error rate_fact_bill
 * returns; out is released with rate_explain_release either way. */
int rate_invoice_explain(struct rate_explain *out, const struct config_customer *c,
	const struct cur_fact *facts, size_t nfacts, rate_holds_fn holds, void *holds_ctx,
	struct rb_err *err);
void rate_explain_release(struct rate_explain *e);

#endif
