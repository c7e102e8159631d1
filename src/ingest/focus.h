/*
 * focus.h: what a FOCUS 1.0-1.2 row (FinOps Open Cost and Usage
 * Specification) means for rebill — its spec §2 class and its three cost
 * views (spec §3) — private to src/ingest. The column map itself (which
 * FOCUS column feeds which cur_row field) lives with the CUR maps in
 * reader.c, so every reader that fills cells by column name (CSV now,
 * Parquet) gets FOCUS from the same table. docs/import-focus.md is the
 * user's view of all of it.
 *
 * Pure functions on cells already split out of the file.
 *
 * Not for: reading files, customers or prices.
 */
#ifndef RB_INGEST_FOCUS_H
#define RB_INGEST_FOCUS_H

#include <stddef.h>

#include "cur/cur.h"
#include "ingest/ingest.h"

/* 1 when a header with these names is a FOCUS dataset: it has at least two
 * of the FOCUS columns rebill requires (BilledCost, ChargeCategory,
 * BillingAccountId, BillingPeriodStart, ChargePeriodStart; no CUR column
 * has these names), so a FOCUS file missing one of them is told which. */
int focus_is_header(const char *const *names, size_t n);

/* The cells of a row that decide its class ("" when absent or null). */
struct focus_charge {
	struct rb_str category;     /* ChargeCategory: Usage|Purchase|Tax|Credit|Adjustment */
	struct rb_str charge_class; /* ChargeClass: "" or Correction */
	struct rb_str commitment;   /* CommitmentDiscountId */
	struct rb_str status;       /* CommitmentDiscountStatus: "" | Used | Unused */
};

/* Gives the row's line item type (a static string, or category itself for
 * a category FOCUS does not define) and spec §2 class:
 *
 *   ChargeCategory  ChargeClass  commitment / status       type              class
 *   Usage           -            status Unused             Usage             commitment
 *   Usage           -            otherwise                 Usage             usage
 *   Purchase        -            CommitmentDiscountId set  Purchase          commitment
 *   Purchase        -            no CommitmentDiscountId   Purchase          fee
 *   Tax             any          -                         Tax[Correction]   tax
 *   Credit          any          -                         Credit[Correction] credit
 *   Adjustment      any          -                         Adjustment[...]   refund
 *   Usage/Purchase  Correction   -                         UsageCorrection.. refund
 *   anything else   any          -                         (the category)    other
 *
 * Values compare without regard to case (providers differ: "Usage-based").
 * Returns 0, or -1 when ChargeCategory is empty or ChargeClass holds a
 * value other than Correction (bad input: which column is in *bad_class). */
int focus_classify(struct rb_str *type, enum cur_class *cls, int *bad_class,
	const struct focus_charge *c);

/* The cost cells of a row, at DEC_SCALE; has_*: the cell was not empty. */
struct focus_costs {
	rb_i128 billed;             /* BilledCost */
	rb_i128 effective;          /* EffectiveCost */
	rb_i128 list;               /* ListCost */
	int has_effective, has_list;
};

/* Spec §3 for FOCUS: unblended = BilledCost; usage rows: ondemand =
 * ListCost, effective = EffectiveCost (each BilledCost when empty);
 * commitment rows: ondemand 0, effective = EffectiveCost (BilledCost when
 * empty); every other class: ondemand = effective = BilledCost. */
void focus_views(struct cur_views *out, enum cur_class cls, const struct focus_costs *in);

/* A FOCUS account id (BillingAccountId, SubAccountId): 1 to
 * FOCUS_ACCOUNT_MAX bytes of visible ASCII (0x21-0x7e, no space). Other
 * clouds' ids are not AWS's 12 digits: Azure "/subscriptions/<GUID>" and
 * "/providers/Microsoft.Billing/billingAccounts/…", GCP project ids
 * ("my-project-123"), Oracle OCIDs ("ocid1.tenancy.oc1..aaaa…"). */
#define FOCUS_ACCOUNT_MAX 128
int focus_account_ok(const char *p, size_t n);

#endif
