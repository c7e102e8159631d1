/*
 * cur.c: spec §2 and §3 in code. Every line item type rebill knows is in
 * one table here; anything else is class "other" and is reported.
 */
#include "cur/cur.h"

#include <string.h>

#include "util/banned.h"

static const char *const class_names[CUR_NCLASS] = {
	"usage", "commitment", "fee", "credit", "refund", "discount", "tax", "other",
};

static const struct {
	const char *type;
	enum cur_class cls;
} types[] = {
	{ "Usage", CUR_USAGE },
	{ "DiscountedUsage", CUR_USAGE },
	{ "SavingsPlanCoveredUsage", CUR_USAGE },
	{ "SavingsPlanNegation", CUR_COMMITMENT },
	{ "SavingsPlanUpfrontFee", CUR_COMMITMENT },
	{ "SavingsPlanRecurringFee", CUR_COMMITMENT },
	{ "RIFee", CUR_COMMITMENT },
	{ "Fee", CUR_FEE }, /* CUR_COMMITMENT with a reservation ARN */
	{ "Credit", CUR_CREDIT },
	{ "Refund", CUR_REFUND },
	{ "EdpDiscount", CUR_DISCOUNT },
	{ "SppDiscount", CUR_DISCOUNT },
	{ "BundledDiscount", CUR_DISCOUNT },
	{ "PrivateRateDiscount", CUR_DISCOUNT },
	{ "DistributorDiscount", CUR_DISCOUNT },
	{ "Tax", CUR_TAX },
};

const char *cur_class_name(enum cur_class c)
{
	return (unsigned)c < CUR_NCLASS ? class_names[c] : "other";
}

int cur_class_from_name(const char *s)
{
	int i;
	for (i = 0; i < CUR_NCLASS; i++)
		if (!strcmp(s, class_names[i]))
			return i;
	return -1;
}

static int type_is(const char *type, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(type, name, len);
}

static int lookup(const char *type, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (type_is(type, len, types[i].type))
			return (int)i;
	return -1;
}

int cur_type_known(const char *type, size_t len)
{
	return lookup(type, len) >= 0;
}

enum cur_class cur_classify(const char *type, size_t len, int has_ri_arn)
{
	int i = lookup(type, len);
	if (i < 0)
		return CUR_OTHER;
	if (types[i].cls == CUR_FEE && has_ri_arn)
		return CUR_COMMITMENT;
	return types[i].cls;
}

int cur_views_compute(struct cur_views *out, const char *type, size_t len,
	enum cur_class cls, const struct cur_costs *in)
{
	out->unblended = in->unblended;

	if (cls == CUR_USAGE)
		out->ondemand = in->has_public_ondemand ? in->public_ondemand : in->unblended;
	else if (cls == CUR_COMMITMENT)
		out->ondemand = 0;
	else
		out->ondemand = in->unblended;

	if (type_is(type, len, "DiscountedUsage"))
		out->effective = in->ri_effective;
	else if (type_is(type, len, "SavingsPlanCoveredUsage"))
		out->effective = in->sp_effective;
	else if (type_is(type, len, "SavingsPlanNegation") ||
		 type_is(type, len, "SavingsPlanUpfrontFee") ||
		 (cls == CUR_COMMITMENT && type_is(type, len, "Fee")))
		out->effective = 0;
	else if (type_is(type, len, "SavingsPlanRecurringFee"))
		return dec_sub(&out->effective, in->sp_total_commitment, in->sp_used_commitment);
	else if (type_is(type, len, "RIFee"))
		return dec_add(&out->effective, in->ri_unused_amortized_upfront, in->ri_unused_recurring);
	else
		out->effective = in->unblended;
	return 0;
}

int cur_owner_from_arn(char out[13], const char *arn, size_t len)
{
	size_t i = 0, field = 0, start = 0;

	out[0] = '\0';
	for (i = 0; i <= len; i++) {
		if (i == len || arn[i] == ':') {
			if (field == 4) {
				size_t n = i - start, k;
				if (n != 12)
					return -1;
				for (k = 0; k < 12; k++)
					if (arn[start + k] < '0' || arn[start + k] > '9')
						return -1;
				memcpy(out, arn + start, 12);
				out[12] = '\0';
				return 0;
			}
			field++;
			start = i + 1;
		}
	}
	return -1;
}
