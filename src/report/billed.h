/*
 * billed.h: one customer's billed amounts of a period broken down by
 * account, service, region, a tag's value, day or resource — what the
 * customer portal shows. The amounts are the customer's prices: every fact
 * rated with rate_fact_bill under the customer's plan, exactly as the
 * invoice preview rates them (report_invoices), in the invoice currency.
 * Never a cost, margin or withheld amount: the result has none.
 *
 * Invariant (checked before report_billed returns): Σ rows[].amount +
 * other.amount + rounding = total, where for every grouping but resource
 * total is the draft invoice's subtotal (before tax) and other its fee and
 * custom lines; each row's amount is round(Σ billed USD × FX) at the
 * currency's minor digits, so the rounded rows can miss the invoice by a
 * few minor units: that difference is `rounding`, never hidden.
 *
 * Resources: resource facts (CUR lineItem/ResourceId, summed per month,
 * account and product code) carry no usage type, region or line item type,
 * so they cannot be rated by themselves. A resource's billed USD is its
 * share of the billed USD of the charges (usage, commitment, fee and other
 * rows) of its (account, product code), in proportion to the plan basis's
 * cost view (unblended, on-demand or effective) —
 * exact when one markup prices that product of that account, a pro-rata
 * share otherwise. other is then the billed amount of the rows without a
 * resource id, and total round(Σ billed USD × FX) of the accounts shown.
 * A split account (spec §9) shows no resources: its resource facts are
 * not told apart by holder.
 *
 * Not for: cost views (summary.h), margins (report.h).
 */
#ifndef RB_REPORT_BILLED_H
#define RB_REPORT_BILLED_H

#include <stddef.h>

#include "store/store.h"
#include "util/decimal.h"
#include "util/err.h"
#include "util/strbuf.h"

enum report_dim {
	REPORT_DIM_ACCOUNT,
	REPORT_DIM_SERVICE,     /* product code; name = its product name */
	REPORT_DIM_REGION,
	REPORT_DIM_TAG,         /* the value of one tag key; "" when untagged */
	REPORT_DIM_DAY,         /* "YYYY-MM-DD" */
	REPORT_DIM_RESOURCE,    /* resource id; name = product code, account set */
};

/* Parses "account", "service", "region", "day", "resource" or "tag:KEY"
 * (*tag_key then points into s). Returns 0, or RB_EUSAGE. */
int report_dim_parse(enum report_dim *out, const char **tag_key, const char *s,
	struct rb_err *err);

struct report_billed_row {
	char *key;
	char *name;            /* service: product name; resource: product code; else NULL */
	char *account;         /* resource: its account; else NULL */
	rb_i128 usd;           /* RATE_SCALE: Σ billed USD, exact (resource: its share) */
	rb_i128 amount;        /* invoice currency at `minor` digits */
};

struct report_billed {
	int period;
	char *customer;
	char *currency;
	int minor;
	enum report_dim dim;
	char *tag_key;         /* REPORT_DIM_TAG */
	char *account;         /* REPORT_DIM_RESOURCE: the one account asked for, or NULL */
	int invoiced;          /* 0: the customer has no invoice for the period (no rows) */
	struct report_billed_row *rows;   /* sorted by key; resource: by usd descending, key */
	size_t n;
	const char *other_key; /* "(fees and custom lines)" or "(no resource id)" */
	rb_i128 other;         /* `minor` digits */
	rb_i128 rounding;      /* `minor` digits */
	rb_i128 total;         /* `minor` digits */
	char **tag_keys;       /* day and tag: the tag keys on the customer's facts, sorted */
	size_t ntag_keys;
};

#define REPORT_BILLED_FEES "(fees and custom lines)"
#define REPORT_BILLED_NO_RESOURCE "(no resource id)"

/* Builds customer's breakdown of period by dim (tag_key for
 * REPORT_DIM_TAG; account: REPORT_DIM_RESOURCE only, NULL for every
 * account of the customer). RB_EINPUT "unknown customer 'x'", "unknown
 * account 'x'" (the same for an account of another customer as for one that
 * does not exist), a missing exchange rate (as report_invoices); RB_EIO on
 * a database error. *out NULL on failure. */
int report_billed(struct report_billed **out, struct store *s, int period,
	const char *customer, enum report_dim dim, const char *tag_key, const char *account,
	struct rb_err *err);
void report_billed_free(struct report_billed *b);

/* {"period","customer","currency","by","account"?,"rows":[{"key","name"?,
 * "account"?,"amount"}],"other":{"key","amount"},"rounding","total",
 * "tag_keys":[...]?}; amounts as decimal strings at the minor digits. */
struct json_t;
struct json_t *report_billed_json(const struct report_billed *b, const char *by);

/* The same as CSV (RFC 4180, CRLF): a header line, one line per row, then
 * the other, rounding and total lines. Appended to out. */
void report_billed_csv(struct strbuf *out, const struct report_billed *b);

#endif
