/*
 * gen_int.h: what the two halves of the generator share — model.c (what a
 * row says: the column table, the catalog of services, accounts and
 * commitments, one row from (seed, payer, row number)) and gen.c (files,
 * CSV, gzip, manifests and the expected sums).
 *
 * Invariant: a built row's cells are NUL-terminated strings that point into
 * the row's own arena or at static/model-owned strings; they stay valid
 * until the next model_row_build on the same row.
 */
#ifndef RB_GEN_INT_H
#define RB_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gen.h"

/* X(ID, legacy name, CUR 2.0 name, CUR 2.0 product map key, kind)
 * legacy NULL: CUR 2.0 only. cur2 NULL and a map key: a legacy product
 * attribute that CUR 2.0 keeps in its `product` map. cur2 and key NULL:
 * legacy only (the resourceTags columns, which CUR 2.0 keeps in
 * `resource_tags`). kind: 'S' string, 'N' number, 'D' timestamp, 'I'
 * interval, 'M' map. */
#define GEN_COLUMNS(X) \
	X(ID, "identity/LineItemId", "identity_line_item_id", NULL, 'S') \
	X(INTERVAL, "identity/TimeInterval", "identity_time_interval", NULL, 'I') \
	X(INVOICE_ID, "bill/InvoiceId", "bill_invoice_id", NULL, 'S') \
	X(INVOICING_ENTITY, "bill/InvoicingEntity", "bill_invoicing_entity", NULL, 'S') \
	X(BILLING_ENTITY, "bill/BillingEntity", "bill_billing_entity", NULL, 'S') \
	X(BILL_TYPE, "bill/BillType", "bill_bill_type", NULL, 'S') \
	X(PAYER, "bill/PayerAccountId", "bill_payer_account_id", NULL, 'S') \
	X(PAYER_NAME, NULL, "bill_payer_account_name", NULL, 'S') \
	X(BP_START, "bill/BillingPeriodStartDate", "bill_billing_period_start_date", NULL, 'D') \
	X(BP_END, "bill/BillingPeriodEndDate", "bill_billing_period_end_date", NULL, 'D') \
	X(COST_CATEGORY, NULL, "cost_category", NULL, 'M') \
	X(DISCOUNT, NULL, "discount", NULL, 'M') \
	X(DISCOUNT_BUNDLED, NULL, "discount_bundled_discount", NULL, 'N') \
	X(DISCOUNT_TOTAL, NULL, "discount_total_discount", NULL, 'N') \
	X(ACCOUNT, "lineItem/UsageAccountId", "line_item_usage_account_id", NULL, 'S') \
	X(ACCOUNT_NAME, NULL, "line_item_usage_account_name", NULL, 'S') \
	X(TYPE, "lineItem/LineItemType", "line_item_line_item_type", NULL, 'S') \
	X(START, "lineItem/UsageStartDate", "line_item_usage_start_date", NULL, 'D') \
	X(END, "lineItem/UsageEndDate", "line_item_usage_end_date", NULL, 'D') \
	X(PRODUCT_CODE, "lineItem/ProductCode", "line_item_product_code", NULL, 'S') \
	X(USAGE_TYPE, "lineItem/UsageType", "line_item_usage_type", NULL, 'S') \
	X(OPERATION, "lineItem/Operation", "line_item_operation", NULL, 'S') \
	X(AZ, "lineItem/AvailabilityZone", "line_item_availability_zone", NULL, 'S') \
	X(RESOURCE, "lineItem/ResourceId", "line_item_resource_id", NULL, 'S') \
	X(USAGE_AMOUNT, "lineItem/UsageAmount", "line_item_usage_amount", NULL, 'N') \
	X(NORM_FACTOR, "lineItem/NormalizationFactor", "line_item_normalization_factor", NULL, 'N') \
	X(NORM_USAGE, "lineItem/NormalizedUsageAmount", "line_item_normalized_usage_amount", NULL, 'N') \
	X(CURRENCY, "lineItem/CurrencyCode", "line_item_currency_code", NULL, 'S') \
	X(UNBLENDED_RATE, "lineItem/UnblendedRate", "line_item_unblended_rate", NULL, 'N') \
	X(UNBLENDED, "lineItem/UnblendedCost", "line_item_unblended_cost", NULL, 'N') \
	X(BLENDED_RATE, "lineItem/BlendedRate", "line_item_blended_rate", NULL, 'N') \
	X(BLENDED, "lineItem/BlendedCost", "line_item_blended_cost", NULL, 'N') \
	X(NET_UNBLENDED_RATE, NULL, "line_item_net_unblended_rate", NULL, 'N') \
	X(NET_UNBLENDED, NULL, "line_item_net_unblended_cost", NULL, 'N') \
	X(DESCRIPTION, "lineItem/LineItemDescription", "line_item_line_item_description", NULL, 'S') \
	X(TAX_TYPE, "lineItem/TaxType", "line_item_tax_type", NULL, 'S') \
	X(LEGAL_ENTITY, "lineItem/LegalEntity", "line_item_legal_entity", NULL, 'S') \
	X(PRODUCT_MAP, NULL, "product", NULL, 'M') \
	X(PRODUCT_NAME, "product/ProductName", NULL, "product_name", 'S') \
	X(P_AVAILABILITY, "product/availability", NULL, "availability", 'S') \
	X(P_CAPACITY, "product/capacitystatus", NULL, "capacitystatus", 'S') \
	X(P_CLOCK, "product/clockSpeed", NULL, "clock_speed", 'S') \
	X(P_COMMENT, "product/comment", "product_comment", NULL, 'S') \
	X(P_CURRENT_GEN, "product/currentGeneration", NULL, "current_generation", 'S') \
	X(P_DURABILITY, "product/durability", NULL, "durability", 'S') \
	X(P_ECU, "product/ecu", NULL, "ecu", 'S') \
	X(P_EVENT_TYPE, "product/eventType", NULL, "event_type", 'S') \
	X(P_FEE_CODE, "product/feeCode", "product_fee_code", NULL, 'S') \
	X(P_FEE_DESC, "product/feeDescription", "product_fee_description", NULL, 'S') \
	X(P_FROM_LOCATION, "product/fromLocation", "product_from_location", NULL, 'S') \
	X(P_FROM_LOCATION_TYPE, "product/fromLocationType", "product_from_location_type", NULL, 'S') \
	X(P_FROM_REGION, "product/fromRegionCode", "product_from_region_code", NULL, 'S') \
	X(P_GROUP, "product/group", NULL, "group", 'S') \
	X(P_GROUP_DESC, "product/groupDescription", NULL, "group_description", 'S') \
	X(P_INSTANCE_FAMILY, "product/instanceFamily", "product_instance_family", NULL, 'S') \
	X(P_INSTANCE_TYPE, "product/instanceType", "product_instance_type", NULL, 'S') \
	X(P_LICENSE, "product/licenseModel", NULL, "license_model", 'S') \
	X(P_LOCATION, "product/location", "product_location", NULL, 'S') \
	X(P_LOCATION_TYPE, "product/locationType", "product_location_type", NULL, 'S') \
	X(P_MEMORY, "product/memory", NULL, "memory", 'S') \
	X(P_NETWORK, "product/networkPerformance", NULL, "network_performance", 'S') \
	X(P_OPERATION, "product/operation", "product_operation", NULL, 'S') \
	X(P_OS, "product/operatingSystem", NULL, "operating_system", 'S') \
	X(P_PRICING_UNIT, "product/pricingUnit", "product_pricing_unit", NULL, 'S') \
	X(P_FAMILY, "product/productFamily", "product_product_family", NULL, 'S') \
	X(P_REGION, "product/region", NULL, "region", 'S') \
	X(P_REGION_CODE, "product/regionCode", "product_region_code", NULL, 'S') \
	X(P_SERVICECODE, "product/servicecode", "product_servicecode", NULL, 'S') \
	X(P_SERVICENAME, "product/servicename", NULL, "servicename", 'S') \
	X(P_SKU, "product/sku", "product_sku", NULL, 'S') \
	X(P_STORAGE_CLASS, "product/storageClass", NULL, "storage_class", 'S') \
	X(P_STORAGE_MEDIA, "product/storageMedia", NULL, "storage_media", 'S') \
	X(P_TENANCY, "product/tenancy", NULL, "tenancy", 'S') \
	X(P_TO_LOCATION, "product/toLocation", "product_to_location", NULL, 'S') \
	X(P_TO_LOCATION_TYPE, "product/toLocationType", "product_to_location_type", NULL, 'S') \
	X(P_TO_REGION, "product/toRegionCode", "product_to_region_code", NULL, 'S') \
	X(P_TRANSFER_TYPE, "product/transferType", NULL, "transfer_type", 'S') \
	X(P_USAGETYPE, "product/usagetype", "product_usagetype", NULL, 'S') \
	X(P_VCPU, "product/vcpu", NULL, "vcpu", 'S') \
	X(P_VERSION, "product/version", NULL, "version", 'S') \
	X(P_VOLUME_TYPE, "product/volumeType", NULL, "volume_type", 'S') \
	X(LEASE_LENGTH, "pricing/LeaseContractLength", "pricing_lease_contract_length", NULL, 'S') \
	X(OFFERING_CLASS, "pricing/OfferingClass", "pricing_offering_class", NULL, 'S') \
	X(PURCHASE_OPTION, "pricing/PurchaseOption", "pricing_purchase_option", NULL, 'S') \
	X(RATE_CODE, "pricing/RateCode", "pricing_rate_code", NULL, 'S') \
	X(RATE_ID, "pricing/RateId", "pricing_rate_id", NULL, 'S') \
	X(PRICING_CURRENCY, "pricing/currency", "pricing_currency", NULL, 'S') \
	X(OD_COST, "pricing/publicOnDemandCost", "pricing_public_on_demand_cost", NULL, 'N') \
	X(OD_RATE, "pricing/publicOnDemandRate", "pricing_public_on_demand_rate", NULL, 'N') \
	X(TERM, "pricing/term", "pricing_term", NULL, 'S') \
	X(UNIT, "pricing/unit", "pricing_unit", NULL, 'S') \
	X(RI_AMORT_USAGE, "reservation/AmortizedUpfrontCostForUsage", "reservation_amortized_upfront_cost_for_usage", NULL, 'N') \
	X(RI_AMORT_PERIOD, "reservation/AmortizedUpfrontFeeForBillingPeriod", "reservation_amortized_upfront_fee_for_billing_period", NULL, 'N') \
	X(RI_EFFECTIVE, "reservation/EffectiveCost", "reservation_effective_cost", NULL, 'N') \
	X(RI_END, "reservation/EndTime", "reservation_end_time", NULL, 'D') \
	X(RI_MODIFICATION, "reservation/ModificationStatus", "reservation_modification_status", NULL, 'S') \
	X(RI_NORM_PER, "reservation/NormalizedUnitsPerReservation", "reservation_normalized_units_per_reservation", NULL, 'N') \
	X(RI_NUMBER, "reservation/NumberOfReservations", "reservation_number_of_reservations", NULL, 'N') \
	X(RI_RECURRING_USAGE, "reservation/RecurringFeeForUsage", "reservation_recurring_fee_for_usage", NULL, 'N') \
	X(RI_ARN, "reservation/ReservationARN", "reservation_reservation_a_r_n", NULL, 'S') \
	X(RI_START, "reservation/StartTime", "reservation_start_time", NULL, 'D') \
	X(RI_SUBSCRIPTION, "reservation/SubscriptionId", "reservation_subscription_id", NULL, 'S') \
	X(RI_TOTAL_NORM, "reservation/TotalReservedNormalizedUnits", "reservation_total_reserved_normalized_units", NULL, 'N') \
	X(RI_TOTAL_UNITS, "reservation/TotalReservedUnits", "reservation_total_reserved_units", NULL, 'N') \
	X(RI_UNITS_PER, "reservation/UnitsPerReservation", "reservation_units_per_reservation", NULL, 'N') \
	X(RI_UNUSED_AMORT, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period", NULL, 'N') \
	X(RI_UNUSED_NORM, "reservation/UnusedNormalizedUnitQuantity", "reservation_unused_normalized_unit_quantity", NULL, 'N') \
	X(RI_UNUSED_QTY, "reservation/UnusedQuantity", "reservation_unused_quantity", NULL, 'N') \
	X(RI_UNUSED_RECURRING, "reservation/UnusedRecurringFee", "reservation_unused_recurring_fee", NULL, 'N') \
	X(RI_UPFRONT_VALUE, "reservation/UpfrontValue", "reservation_upfront_value", NULL, 'N') \
	X(SP_AMORT, "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", "savings_plan_amortized_upfront_commitment_for_billing_period", NULL, 'N') \
	X(SP_END, "savingsPlan/EndTime", "savings_plan_end_time", NULL, 'D') \
	X(SP_FAMILY, "savingsPlan/InstanceTypeFamily", "savings_plan_instance_type_family", NULL, 'S') \
	X(SP_OFFERING, "savingsPlan/OfferingType", "savings_plan_offering_type", NULL, 'S') \
	X(SP_PAYMENT, "savingsPlan/PaymentOption", "savings_plan_payment_option", NULL, 'S') \
	X(SP_TERM, "savingsPlan/PurchaseTerm", "savings_plan_purchase_term", NULL, 'S') \
	X(SP_RECURRING, "savingsPlan/RecurringCommitmentForBillingPeriod", "savings_plan_recurring_commitment_for_billing_period", NULL, 'N') \
	X(SP_REGION, "savingsPlan/Region", "savings_plan_region", NULL, 'S') \
	X(SP_ARN, "savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n", NULL, 'S') \
	X(SP_EFFECTIVE, "savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost", NULL, 'N') \
	X(SP_RATE, "savingsPlan/SavingsPlanRate", "savings_plan_savings_plan_rate", NULL, 'N') \
	X(SP_START, "savingsPlan/StartTime", "savings_plan_start_time", NULL, 'D') \
	X(SP_TOTAL, "savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date", NULL, 'N') \
	X(SP_USED, "savingsPlan/UsedCommitment", "savings_plan_used_commitment", NULL, 'N') \
	X(TAGS_MAP, NULL, "resource_tags", NULL, 'M') \
	X(TAG_ENV, "resourceTags/user:Env", NULL, NULL, 'S') \
	X(TAG_TEAM, "resourceTags/user:Team", NULL, NULL, 'S') \
	X(TAG_COSTCENTER, "resourceTags/user:CostCenter", NULL, NULL, 'S') \
	X(TAG_OWNER, "resourceTags/user:Owner", NULL, NULL, 'S')

enum gen_col {
#define GEN_X(id, legacy, cur2, key, kind) COL_##id,
	GEN_COLUMNS(GEN_X)
#undef GEN_X
	GEN_NCOL
};

struct gen_coldef {
	const char *legacy;
	const char *cur2;
	const char *map_key;
	char kind;
};

extern const struct gen_coldef gen_cols[GEN_NCOL];

/* The line item types the generator writes, in the order expected.json
 * lists them: spec §2's table plus one unknown type ("other"). */
#define GEN_NTYPES 17
extern const char *const gen_type_names[GEN_NTYPES];

#define GEN_ARENA 8192

struct gen_row {
	const char *cell[GEN_NCOL];
	int type;               /* index into gen_type_names */
	int account;            /* 0 = the payer, 1..M the linked accounts */
	size_t used;            /* bytes of arena in use */
	char arena[GEN_ARENA];
};

struct gen_model;

/* Builds the catalog for opts (services, regions, hours of the month, and
 * the CUR 2.0 product and tag maps, written once with jansson). */
struct gen_model *model_new(const struct gen_opts *opts);
void model_free(struct gen_model *m);

/* Switches the model to payer p (0-based): account ids, commitments,
 * assembly id. */
void model_payer(struct gen_model *m, int p);

/* Rows to consider for the current payer: R, plus R/30 new rows when
 * restating (some of which model_row_build may drop). */
long model_row_count(const struct gen_model *m);

/* Builds row i of the current payer into r. Returns 1 with a row, or 0 when
 * the restated assembly leaves this row out. */
int model_row_build(struct gen_row *r, const struct gen_model *m, long i);

/* Strings of the current payer, owned by the model. */
const char *model_payer_id(const struct gen_model *m);
const char *model_account_id(const struct gen_model *m, int account);
const char *model_assembly_id(const struct gen_model *m);
/* "YYYY-MM-01T00:00:00.000Z" of the period and of the next one. */
const char *model_period_start(const struct gen_model *m);
const char *model_period_end(const struct gen_model *m);

#endif
