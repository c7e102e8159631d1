/*
 * report.h: answers about one billing period, computed from the database —
 * invoice previews (spec §5), the reconciliation (spec §6) and margin
 * breakdowns. The CLI and the HTTP server print what these return; they
 * compute no money themselves.
 *
 * Every call reads one snapshot of the database (store_snapshot_begin: no
 * write, and nothing another process commits meanwhile is seen): the
 * configuration for the period (store_config_load), the period's facts
 * once (store_snapshot_scan, in parallel over account ranges;
 * store_facts_each when tags matter), summed over days and tags
 * (cur_fact_sums; exact: rating the sums equals rating the rows), rated
 * with the pure engine in src/rate. Results are plain values: read their fields,
 * free them with the matching _free (which accepts NULL). Safe to call from
 * several threads on different stores.
 *
 * Scales (util/decimal.h, rate/rate.h): cost views at DEC_SCALE, billed USD
 * and margins at RATE_SCALE, invoice amounts at the invoice's minor digits.
 * Nothing here rounds: printing decides the digits shown.
 *
 * Not for: SQL (src/store), rating rules (src/rate), output formats (src/cli).
 */
#ifndef RB_REPORT_H
#define RB_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "cur/cur.h"
#include "rate/rate.h"
#include "store/store.h"
#include "util/decimal.h"
#include "util/err.h"

struct config_period;

/* ---- invoice previews ---------------------------------------------------- */

struct report_invoice {
	const struct config_customer *customer; /* borrowed from report_invoices.cfg */
	const char *tax_cluster_name;         /* borrowed; NULL without a cluster */
	struct rate_invoice *inv;             /* owned */
	struct rate_explain *explain;         /* owned; only from report_invoices_explain */
};

/* Invariants: items sorted by customer id; one per customer that has an
 * invoice for the period (an assignment covering it, or custom lines). */
struct report_invoices {
	int period;
	struct report_invoice *items;
	size_t n;
	struct config_period *cfg;              /* owned: what items borrow from */
};

/* Builds the draft invoices of period (util/period.h), of every customer or
 * only of `customer` (NULL: all). Returns 0 and sets *out; RB_EINPUT when
 * `customer` is not a configured customer id ("unknown customer 'x'") or an
 * invoice cannot be built (e.g. a missing exchange rate: the rate engine's
 * message names the customer and the period); RB_EIO on a database error.
 * On failure *out is NULL. A known customer without an invoice for the
 * period gives an empty list. */
int report_invoices(struct report_invoices **out, struct store *s, int period,
	const char *customer, struct rb_err *err);
void report_invoices_free(struct report_invoices *r);

/* report_invoices with each item's explain set: for every charge line the
 * rule (or plan default) and markup that priced it, and the charges rules
 * excluded (rate_invoice_explain; `invoice preview --explain`). */
int report_invoices_explain(struct report_invoices **out, struct store *s, int period,
	const char *customer, struct rb_err *err);

/* An exchange rate to rate a customer's invoice with instead of the
 * configured one: re-rating a closed period uses the rate of its first
 * finalized document (spec §8). */
struct report_fx_pin {
	const char *customer;
	rb_i128 fx;            /* DEC_FACTOR_DIGITS */
};

/* report_invoices with the exchange rates of the customers in pins[0..n)
 * pinned. With customer NULL only the customers of pins are rated, in one
 * pass over the period (re-rating: the others are not asked for, so one of
 * them without an exchange rate stops nothing); a pin naming a customer
 * not configured is then "unknown customer 'x'" (RB_EINPUT). With a
 * customer, pins of customers not configured are ignored. */
int report_invoices_pinned(struct report_invoices **out, struct store *s, int period,
	const char *customer, const struct report_fx_pin *pins, size_t npins,
	struct rb_err *err);

/* What a preview of period should warn about (warnings.c): a period with no
 * CUR data, a customer's accounts without rows in it or in no imported data
 * at all, a rule of a plan in use whose service, usage type, region,
 * account or line item type no imported data holds, an FX rate that moved
 * more than 20 % from the previous month. Of every invoiced customer, or of
 * `customer`. msgs are sentences without "warning: ". Release with
 * report_warnings_release. */
struct report_warnings {
	char **msgs;
	size_t n;
};
int report_preview_warnings(struct report_warnings *out, struct store *s, int period,
	const char *customer, struct rb_err *err);
void report_warnings_release(struct report_warnings *w);

/* ---- reconciliation (spec §6) -------------------------------------------- */

struct report_payer {
	char *payer;
	char currency[4];                          /* of its costs (its import's) */
	long rows;
	rb_i128 unblended, assigned, unassigned;   /* DEC_SCALE */
};

/* Cost and revenue of one customer's rows. billed is in USD before FX,
 * managed-service fees and custom lines (those are in the invoice currency
 * and live on the invoice; fees brings them back to USD for the margin). withheld[cls] = Σ unblended − Σ billed of the
 * policy classes (credit, refund, discount, tax), 0 for the others;
 * excluded = Σ unblended of the rows an exclude rule matched. */
struct report_customer {
	const char *customer;                      /* borrowed from the result */
	char currency[4];                          /* of its costs: USD unless its
	                                              accounts' payer bills in another */
	long rows;
	rb_i128 unblended, effective, ondemand;    /* DEC_SCALE */
	rb_i128 billed;                            /* RATE_SCALE, every class */
	/* Spec §6 margin, USD: revenue = billed of the rows other than tax +
	 * fees (the invoice's fee and custom lines ÷ its FX rate, each rounded
	 * to REPORT_DIGITS); cost = effective of the rows other than tax;
	 * margin = revenue − cost. margin_known = 0 when the customer has fee
	 * or custom lines but no exchange rate for the period (fees, revenue
	 * and margin then leave them out and must not be shown as a margin). */
	rb_i128 fees, revenue;                     /* RATE_SCALE */
	rb_i128 cost;                              /* DEC_SCALE */
	rb_i128 margin;                            /* RATE_SCALE */
	int margin_known;
	rb_i128 withheld[CUR_NCLASS];              /* RATE_SCALE */
	rb_i128 excluded;                          /* DEC_SCALE */
	long excluded_rows;
};

struct report_account {
	char *payer;
	char *account;
	char *tag;             /* spec §9: the split account's tag key, else NULL ... */
	char *value;           /* ... and the value no assignment matched (NULL: untagged) */
	long rows;
	rb_i128 unblended;                         /* DEC_SCALE */
	char currency[4];      /* its payer's: the costs' currency (ISO 4217) */
};

struct report_type {
	char *type;                                /* a line item type of class other */
	char currency[4];      /* of the costs: a row per (type, currency) */
	long rows;
	rb_i128 unblended;                         /* DEC_SCALE */
};

/* Invariants (checked before report_reconcile returns, exactly):
 *  - per payer: unblended = assigned + unassigned; and its rows and
 *    unblended equal the database's own sum of the payer's stored facts and
 *    what the payer's latest import counted while reading the CUR files;
 *  - Σ payers' assigned = Σ customers' unblended;
 *  - Σ payers' unassigned = Σ unassigned accounts' unblended.
 * payers sorted by id; customers by id (those with an invoice for the
 * period); unassigned accounts by payer, account; other types by type. */
struct report_reconcile {
	int period;
	struct report_payer *payers;
	size_t npayers;
	struct report_customer *customers;
	size_t ncustomers;
	struct report_account *unassigned;
	size_t nunassigned;
	struct report_type *other;
	size_t nother;
	/* DEC_SCALE: Σ payers' unblended, assigned and unassigned; Σ customers'
	 * unblended; Σ unassigned accounts' unblended (set by the check) */
	rb_i128 total_unblended, total_assigned, total_unassigned, customers_unblended,
		accounts_unblended;
	/* the same sums per currency of the costs (sorted; one entry when every
	 * payer bills in one currency): amounts in different currencies are
	 * only ever added for the check above, never shown as one figure */
	struct report_recon_total {
		char currency[4];
		rb_i128 unblended, assigned, unassigned, customers, accounts;
	} *totals;
	size_t ntotals;
	struct config_period *cfg;                   /* owned */
};

/* Reconciles period (each currency summed apart, no exchange rate). Returns
 * 0; RB_EBALANCE when an invariant above fails (err says which payer or
 * sum and both sides); RB_EINPUT when a fact cannot be rated; RB_EIO on a
 * database error. On failure *out is NULL. */
int report_reconcile(struct report_reconcile **out, struct store *s, int period,
	struct rb_err *err);
void report_reconcile_free(struct report_reconcile *r);

/* What of period no customer holds: exactly report_reconcile's unassigned
 * accounts (spec §9: a split account's remainder one line per tag value
 * matching nobody, "untagged" included), without rating anything or
 * needing an exchange rate. Sorted as there; *out owned by the caller
 * (report_accounts_free). */
int report_unassigned(struct report_account **out, size_t *n, struct store *s, int period,
	struct rb_err *err);
void report_accounts_free(struct report_account *a, size_t n);
/* The same for every period with facts (period < 0) or one, as a JSON
 * array of {"period", "payer", "account", "rows", "currency", "unblended"}
 * plus, on a split account's remainder, "tag" and "tag_value" (null:
 * untagged); sorted by period, then as above. What `account list
 * --unassigned`, GET /api/v1/accounts?unassigned=1 and the console's
 * Unassigned accounts page show. */
struct json_t;
int report_unassigned_json(struct json_t **out, struct store *s, int period, struct rb_err *err);

/* An independent account of each payer's period: name (for messages, e.g.
 * "the import's count") and n parallel entries. */
struct report_source {
	const char *name;
	const char **payers;
	long *rows;
	rb_i128 *unblended;                        /* DEC_SCALE */
	size_t n;
};

/* The balance check itself, exposed so it can be tested on crafted
 * values: returns 0 when r satisfies the invariants above against every
 * source (a source's payer missing from r is fine only with 0 rows and 0
 * cost), else RB_EBALANCE with err naming the payer or sum and both sides.
 * Fills r's totals. */
int report_reconcile_check(struct report_reconcile *r, const struct report_source *src,
	size_t nsrc, struct rb_err *err);

/* ---- margin -------------------------------------------------------------- */

enum report_by {
	REPORT_BY_CUSTOMER,   /* rows of unassigned accounts: key "(unassigned)" */
	REPORT_BY_ACCOUNT,
	REPORT_BY_SERVICE,    /* lineItem/ProductCode */
	REPORT_BY_REGION,
	REPORT_BY_TYPE,       /* lineItem/LineItemType */
	REPORT_BY_TAG,        /* the value of one tag key, "" when untagged */
	REPORT_BY_DAY,        /* "YYYY-MM-DD" (report_explore only) */
};

#define REPORT_UNASSIGNED "(unassigned)"

/* Parses "customer", "account", "service", "region", "type" or "tag:KEY"
 * (*tag_key then points into s, after "tag:"). Returns 0, or RB_EUSAGE. */
int report_by_parse(enum report_by *out, const char **tag_key, const char *s,
	struct rb_err *err);

#define REPORT_FEES "(fees and custom lines)"

/* billed: USD of every row (tax too); spec §6: revenue = billed of the
 * rows other than tax + fees (fee and custom lines ÷ FX, USD), cost =
 * effective of the rows other than tax, margin = revenue − cost. */
struct report_margin_row {
	char *key;
	char currency[4];                          /* of the costs (and so of billed:
	                                              costs not in USD bill in their own) */
	long rows;
	rb_i128 unblended, effective, cost;        /* DEC_SCALE */
	rb_i128 billed, fees, revenue, margin;     /* RATE_SCALE, USD */
};

/* Rows sorted by key, bytewise. Every fact of the period counts (rows of
 * unassigned accounts as the row REPORT_UNASSIGNED, except by account), so
 * total.unblended is the period's total unblended cost. */
struct report_margin {
	int period;
	int to;                                    /* report_explore: the last period; else period */
	int fees_included;                         /* 0: a filter left the fee lines out */
	enum report_by by;
	struct report_margin_row *rows;            /* one per (key, currency) */
	size_t n;
	/* one total per currency of the costs (key "total"), sorted; total is
	 * the one when there is one (all zero when none), and all zero with
	 * mixed = 1 when there are several: amounts in different currencies
	 * are never added */
	struct report_margin_row *totals;
	size_t ntotals;
	int mixed;
	struct report_margin_row total;            /* key "total" */
};

int report_margin(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, struct rb_err *err);
/* The same for one customer's rows and invoice (customer NULL: all, the
 * unassigned included). RB_EINPUT "unknown customer 'x'"; RB_EINPUT when
 * an invoiced customer with fee or custom lines has no exchange rate for
 * the period (its margin would be wrong without them). */
int report_margin_for(struct report_margin **out, struct store *s, int period,
	enum report_by by, const char *tag_key, const char *customer, struct rb_err *err);
void report_margin_free(struct report_margin *m);

/* ---- explorer ------------------------------------------------------------ */

/* What report_explore counts: NULL fields match everything. customer: a
 * customer id, or REPORT_UNASSIGNED for the rows no customer holds. */
struct report_filter {
	const char *customer;
	const char *account;       /* usage account id */
	const char *service;       /* lineItem/ProductCode */
	const char *region;
};

/* report_by_parse's groupings plus "line_item_type" (= type) and "day".
 * Returns 0, or RB_EUSAGE naming the grouping. */
int report_explore_by_parse(enum report_by *out, const char **tag_key, const char *s,
	struct rb_err *err);

/* The margin breakdown (report_margin_for: the same rows, sums and rules)
 * over the periods from..to (from == to: that period, as report_margin;
 * else the periods with facts in the range, summed) and the facts the
 * filter lets through. By day each day is a row. Fee and custom lines are
 * counted (one row REPORT_FEES, or the customer's own by customer) unless
 * the filter names an account, service or region or REPORT_UNASSIGNED:
 * they belong to none, and m->fees_included is then 0. By tag over a
 * range, months without the key count as untagged; RB_EINPUT when no
 * month of it has the key. RB_EUSAGE when to < from; RB_EINPUT for an
 * unknown customer or a missing exchange rate (as report_margin_for). */
int report_explore(struct report_margin **out, struct store *s, int from, int to,
	enum report_by by, const char *tag_key, const struct report_filter *f,
	struct rb_err *err);

/* ---- credits and refunds -------------------------------------------------- */

enum { REPORT_CR_CREDIT, REPORT_CR_REFUND, REPORT_CR_N };

/* One customer's credits and refunds of one period (spec §4 policies):
 * aws = Σ unblended of its rows of the class (what AWS applied, with the
 * CUR's sign: negative), passed = Σ billed USD of them (what its invoice
 * gives on), withheld = aws − passed (what the reseller keeps, spec §6).
 * The rows no customer holds are customer REPORT_UNASSIGNED: passed 0,
 * withheld = aws. */
struct report_credit_row {
	char *customer;
	char currency[4];                          /* of the costs (see margin) */
	int period;
	long rows;
	rb_i128 aws[REPORT_CR_N];                  /* DEC_SCALE */
	rb_i128 passed[REPORT_CR_N];               /* RATE_SCALE */
	rb_i128 withheld[REPORT_CR_N];             /* RATE_SCALE */
};

/* rows sorted by period, then customer (bytewise); only customers with a
 * credit or refund row; total: their sums (customer "total", period from). */
struct report_credits {
	int from, to;
	struct report_credit_row *rows;            /* one per (period, customer, currency) */
	size_t n;
	/* one total per currency, sorted; total is the one when there is one,
	 * all zero with mixed = 1 when there are several (never added) */
	struct report_credit_row *totals;
	size_t ntotals;
	int mixed;
	struct report_credit_row total;
};

/* The credits and refunds of the periods with facts in from..to (from ==
 * to: that period), of every customer or only of `customer`. Needs no
 * exchange rate (USD). RB_EINPUT "unknown customer 'x'"; RB_EUSAGE when
 * to < from; RB_EIO on a database error. */
int report_credits(struct report_credits **out, struct store *s, int from, int to,
	const char *customer, struct rb_err *err);
void report_credits_free(struct report_credits *c);

/* ---- JSON (json.c) --------------------------------------------------------- */

/* Fractional digits of USD amounts in report output (cost exact at
 * DEC_SCALE; billed, margin and withheld rounded half away from zero). */
#define REPORT_DIGITS 10

/* The documents of `rebill invoice preview --format json`, `report
 * reconcile --format json` and `report margin --format json` (by: the
 * grouping as the user wrote it, e.g. "tag:user:Env"), keys in a fixed
 * order. New references, owned by the caller (json_decref). */
struct json_t;
struct json_t *report_invoices_json(const struct report_invoices *r);
struct json_t *report_reconcile_json(const struct report_reconcile *r);
struct json_t *report_margin_json(const struct report_margin *m, const char *by);
/* The explorer's document: {"from", "to", "by", "filters": {"customer",
 * "account", "service", "region"} (null: any), "fees_included", "rows",
 * "total"} with report_margin_json's rows. */
struct json_t *report_explore_json(const struct report_margin *m, const char *by,
	const struct report_filter *f);
/* {"from", "to", "customer" (null: all), "rows": [{"period", "customer",
 * "rows", "credits": {"aws", "passed_on", "withheld"}, "refunds": {...}}],
 * "total": {...}}: USD, 10 fractional digits. */
struct json_t *report_credits_json(const struct report_credits *c, const char *customer);
/* The explorer as CSV (util/textout.h quoting): a header line `BY,rows,
 * unblended,effective,billed_usd,fees_usd,revenue_usd,cost_usd,margin`,
 * one line per row, a last line "total"; all REPORT_DIGITS digits.
 * Returns 0, or RB_EIO when f fails. */
int report_explore_csv(FILE *f, const struct report_margin *m, const char *by);

#endif
