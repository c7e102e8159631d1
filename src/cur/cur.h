/*
 * cur.h: what a CUR line item means for money — spec §2 (line item classes)
 * and §3 (the three cost views, the commitment owner). Pure functions on
 * already-parsed values; shared by ingest (which stores the views) and rate
 * (which bills by class).
 *
 * Not for: reading files or column names (src/ingest), or customers and
 * prices (src/rate).
 */
#ifndef RB_CUR_H
#define RB_CUR_H

#include <stddef.h>

#include "util/decimal.h"

enum cur_class {
	CUR_USAGE = 0,
	CUR_COMMITMENT,
	CUR_FEE,
	CUR_CREDIT,
	CUR_REFUND,
	CUR_DISCOUNT,
	CUR_TAX,
	CUR_OTHER,
	CUR_NCLASS
};

/* "usage", "commitment", "fee", "credit", "refund", "discount", "tax", "other". */
const char *cur_class_name(enum cur_class c);
/* The class named by s (as cur_class_name returns), or -1. */
int cur_class_from_name(const char *s);

/* Spec §2: the class of a line item type. has_ri_arn: the row's
 * reservation/ReservationARN is not empty (it makes a Fee an RI upfront fee). */
enum cur_class cur_classify(const char *type, size_t len, int has_ri_arn);

/* 1 when the type is one of spec §2's table, 0 when it falls to "other". */
int cur_type_known(const char *type, size_t len);

/* The cost inputs of one row, all at DEC_SCALE. An empty CUR cell is 0;
 * has_public_ondemand says whether pricing/publicOnDemandCost was non-empty. */
struct cur_costs {
	rb_i128 unblended;
	rb_i128 public_ondemand;
	int has_public_ondemand;
	rb_i128 ri_effective;                 /* reservation/EffectiveCost */
	rb_i128 ri_unused_amortized_upfront;  /* reservation/UnusedAmortizedUpfrontFeeForBillingPeriod */
	rb_i128 ri_unused_recurring;          /* reservation/UnusedRecurringFee */
	rb_i128 sp_effective;                 /* savingsPlan/SavingsPlanEffectiveCost */
	rb_i128 sp_total_commitment;          /* savingsPlan/TotalCommitmentToDate */
	rb_i128 sp_used_commitment;           /* savingsPlan/UsedCommitment */
};

struct cur_views {
	rb_i128 unblended;
	rb_i128 ondemand;
	rb_i128 effective;
};

/* Spec §3: the three cost views of a row of the given type and class.
 * Returns 0, or DEC_ERANGE if a sum overflows (not possible for real CUR
 * amounts, but never silent). */
int cur_views_compute(struct cur_views *out, const char *type, size_t len,
	enum cur_class cls, const struct cur_costs *in);

/* Spec §3: the commitment owner, the 12-digit account id in the 5th
 * ':'-separated field of an RI or Savings Plan ARN
 * ("arn:aws:ec2:us-east-1:123456789012:reserved-instances/…"). Writes it
 * NUL-terminated into out[13] and returns 0, or returns -1 (out = "") when
 * the ARN holds no such id. */
int cur_owner_from_arn(char out[13], const char *arn, size_t len);

#endif
