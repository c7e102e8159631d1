/*
 * focus.c: the meaning of a FOCUS row for rebill (focus.h): its class and
 * cost views. The choices and why are in docs/import-focus.md; the table
 * is in focus.h.
 *
 * Not for: column names (reader.c) or reading files.
 */
#include "ingest/focus.h"

#include <string.h>
#include <strings.h>

#include "util/banned.h"

static int eq(struct rb_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !strncasecmp(s.p, lit, n);
}

int focus_is_header(const char *const *names, size_t n)
{
	static const char *const marks[] = {
		"BilledCost", "ChargeCategory", "BillingAccountId", "BillingPeriodStart",
		"ChargePeriodStart",
	};
	size_t i, j;
	int seen = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < sizeof(marks) / sizeof(marks[0]); j++)
			seen |= !strcmp(names[i], marks[j]) << j;
	/* two of them: a FOCUS file missing one required column is still
	 * told so in FOCUS terms */
	return __builtin_popcount((unsigned)seen) >= 2;
}

int focus_classify(struct rb_str *type, enum cur_class *cls, int *bad_class,
	const struct focus_charge *c)
{
	static const struct {
		const char *name, *correction;
		enum cur_class cls, correction_cls;
	} cats[] = {
		{ "Usage", "UsageCorrection", CUR_USAGE, CUR_REFUND },
		{ "Purchase", "PurchaseCorrection", CUR_FEE, CUR_REFUND },
		{ "Tax", "TaxCorrection", CUR_TAX, CUR_TAX },
		{ "Credit", "CreditCorrection", CUR_CREDIT, CUR_CREDIT },
		{ "Adjustment", "AdjustmentCorrection", CUR_REFUND, CUR_REFUND },
	};
	size_t i;
	int correction;

	*bad_class = 0;
	if (!c->category.n)
		return -1;
	correction = eq(c->charge_class, "Correction");
	if (c->charge_class.n && !correction) {
		*bad_class = 1;
		return -1;
	}
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		const char *name;
		if (!eq(c->category, cats[i].name))
			continue;
		name = correction ? cats[i].correction : cats[i].name;
		type->p = name;
		type->n = strlen(name);
		*cls = correction ? cats[i].correction_cls : cats[i].cls;
		if (!correction && *cls == CUR_USAGE && eq(c->status, "Unused"))
			*cls = CUR_COMMITMENT;
		else if (!correction && *cls == CUR_FEE && c->commitment.n)
			*cls = CUR_COMMITMENT;
		return 0;
	}
	*type = c->category;
	*cls = CUR_OTHER;
	return 0;
}

void focus_views(struct cur_views *out, enum cur_class cls, const struct focus_costs *in)
{
	out->unblended = in->billed;
	switch (cls) {
	case CUR_USAGE:
		out->ondemand = in->has_list ? in->list : in->billed;
		out->effective = in->has_effective ? in->effective : in->billed;
		break;
	case CUR_COMMITMENT:
		out->ondemand = 0;
		out->effective = in->has_effective ? in->effective : in->billed;
		break;
	default:
		out->ondemand = in->billed;
		out->effective = in->billed;
		break;
	}
}

int focus_account_ok(const char *p, size_t n)
{
	size_t i;
	if (!n || n > FOCUS_ACCOUNT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
			return 0;
	return 1;
}
