/*
 * edit.h: the edits of the configuration document that every front end
 * (CLI, HTTP) offers: assign and unassign an account, set an FX rate, add
 * or change a customer. Each is a config_edit_fn: run it with
 * store_config_edit, which validates the whole edited document with
 * config_normalize and writes it with its audit rows, or call it on a
 * document of your own.
 *
 * Each verb's struct holds its input (borrowed strings, checked by the
 * verb) and, after the edit, what a front end reports: focus is the JSON
 * path of the object changed, so a validation problem inside it can be
 * shown as being about it.
 */
#ifndef RB_CONFIG_EDIT_H
#define RB_CONFIG_EDIT_H

#include <jansson.h>

#include "util/err.h"

#define CONFIG_FOCUS_MAX 64

/* An edit of the canonical document: doc is the current configuration
 * (owned by the caller of the callback; modify it in place or replace
 * *doc with a new reference, releasing the old one). Return 0, or an RB_E*
 * code with err set to abandon the change (e.g. "no customer 'x'"). */
typedef int (*config_edit_fn)(json_t **doc, void *arg, struct rb_err *err);

/* account assign: account (12 digits) is held by customer from..to
 * ("YYYY-MM" or NULL: open). The customer is moved last in the document
 * and the assignment appended, so an overlap is reported at the new
 * assignment. With tag (and value) it holds only the account's rows whose
 * tag has that value (spec §9). RB_EINPUT "no customer 'x'"; RB_EUSAGE for
 * a bad account or period. */
struct config_assign {
	const char *account, *customer, *from, *to;
	const char *tag, *value;   /* spec §9 split; NULL: the whole account */
	char focus[CONFIG_FOCUS_MAX];
};
int config_assign_edit(json_t **doc, void *arg, struct rb_err *err);

/* account unassign: ends every assignment of account at the month before
 * from (removing those that start at or after it); from NULL removes them
 * all. With tag (and value), spec §9: only the split assignments of that
 * tag and value, the account's other splits and its plain assignment stay.
 * left lists the customers changed ("acme, beta"). RB_EINPUT when the
 * account is not assigned (in or after from; with that split). */
struct config_unassign {
	const char *account, *from;
	const char *tag, *value;   /* spec §9 split; NULL: every assignment */
	char left[256];
};
int config_unassign_edit(json_t **doc, void *arg, struct rb_err *err);

/* fx set: the USD -> currency rate of period ("YYYY-MM"); rate is a
 * decimal string (validated with the document). was is the rate it
 * replaced, "" when new. */
struct config_fx_set {
	const char *period, *currency, *rate;
	char was[64];
	char focus[CONFIG_FOCUS_MAX];
};
int config_fx_set_edit(json_t **doc, void *arg, struct rb_err *err);

/* fx unset: removes the rate of (period, currency); was is the rate it
 * removed. RB_EINPUT "no EUR rate for 2026-10" when there is none. */
struct config_fx_unset {
	const char *period, *currency;
	char was[64];
};
int config_fx_unset_edit(json_t **doc, void *arg, struct rb_err *err);

/* customer add / edit: values parallel to config_customer_fields (NULL:
 * unchanged; "" clears an optional field). add refuses an existing id,
 * edit a missing one (RB_EINPUT). */
extern const char *const config_customer_fields[];  /* NULL-terminated */
#define CONFIG_CUSTOMER_NFIELDS 8
struct config_customer_change {
	const char *id;
	int add;
	const char *values[CONFIG_CUSTOMER_NFIELDS];
	char focus[CONFIG_FOCUS_MAX];
};
int config_customer_edit(json_t **doc, void *arg, struct rb_err *err);

/* ---- plans, tax clusters, custom lines, removing a customer (issue 13):
 * the CLI verbs for what needed a JSON document; the HTTP API calls the
 * same functions. Values are the document's strings (decimals as text,
 * checked by validation exactly as in `config apply`). ---- */

/* plan add / set: values parallel to config_plan_fields (NULL: unchanged;
 * "" puts an optional field back to its default). discounts, when not
 * NULL, is "TYPE=FACTOR[,TYPE=FACTOR...]" merged into the plan's
 * discounts ("TYPE=" drops TYPE back to its spec default). add refuses an
 * existing id and needs basis; set refuses a missing one (RB_EINPUT). */
extern const char *const config_plan_fields[];  /* NULL-terminated */
#define CONFIG_PLAN_NFIELDS 6
struct config_plan_change {
	const char *id;
	int add;
	const char *values[CONFIG_PLAN_NFIELDS];
	const char *discounts;
	char focus[CONFIG_FOCUS_MAX];
};
int config_plan_edit(json_t **doc, void *arg, struct rb_err *err);

/* Rules have no ids in the document: a rule is named by its position in
 * its plan (1 = first, as `plan rule list` numbers them; the order decides
 * ties, spec §4) or by its match, "service=AmazonEC2,usage_type=*Box*"
 * (the set of match fields it has, each equal), which does not change when
 * other rules come and go. A plan never holds two rules with the same
 * match (the second could never apply): rule add refuses one. */
extern const char *const config_rule_fields[];  /* match fields, then markup_pct; NULL-terminated */
#define CONFIG_RULE_NFIELDS 6
#define CONFIG_RULE_NMATCH 5

/* "service=AmazonEC2, usage_type=*BoxUsage*: markup 8%" / ": exclude". */
void config_rule_describe(char *buf, size_t n, const json_t *rule);

/* plan rule add: appended to the plan's rules; index is its position. */
struct config_rule_add {
	const char *plan;
	const char *values[CONFIG_RULE_NFIELDS];
	int exclude;
	size_t index;
	char focus[CONFIG_FOCUS_MAX];
};
int config_rule_add_edit(json_t **doc, void *arg, struct rb_err *err);

/* plan rule remove / plan fee remove: which is a 1-based position, or (a
 * rule only) a match as above. removed describes what was removed. */
struct config_item_remove {
	const char *plan, *which;
	char removed[512];
};
int config_rule_remove_edit(json_t **doc, void *arg, struct rb_err *err);
int config_fee_remove_edit(json_t **doc, void *arg, struct rb_err *err);

/* plan fee add: values parallel to config_fee_fields, appended. */
extern const char *const config_fee_fields[];  /* NULL-terminated */
#define CONFIG_FEE_NFIELDS 6
struct config_fee_add {
	const char *plan;
	const char *values[CONFIG_FEE_NFIELDS];
	size_t index;
	char focus[CONFIG_FOCUS_MAX];
};
int config_fee_add_edit(json_t **doc, void *arg, struct rb_err *err);

/* "flat 99 'Support desk'", "percent 10% min 250 max 1000". */
void config_fee_describe(char *buf, size_t n, const json_t *fee);

/* tax-cluster add / set: as config_customer_change. */
extern const char *const config_tax_cluster_fields[];  /* NULL-terminated */
#define CONFIG_TAX_CLUSTER_NFIELDS 4
struct config_tax_cluster_change {
	const char *id;
	int add;
	const char *values[CONFIG_TAX_CLUSTER_NFIELDS];
	char focus[CONFIG_FOCUS_MAX];
};
int config_tax_cluster_edit(json_t **doc, void *arg, struct rb_err *err);

/* custom-line add: a line for (customer, period) after its others; index
 * is its position among them. RB_EINPUT "no customer 'x'". */
struct config_custom_add {
	const char *customer, *period, *description, *amount;
	size_t index;
	char focus[CONFIG_FOCUS_MAX];
};
int config_custom_add_edit(json_t **doc, void *arg, struct rb_err *err);

/* custom-line remove: the line of (customer, period) at position which
 * (1-based), else the one whose description is description, else the
 * only one; RB_EINPUT when none or several fit. removed describes it. */
struct config_custom_remove {
	const char *customer, *period, *which, *description;
	char removed[512];
};
int config_custom_remove_edit(json_t **doc, void *arg, struct rb_err *err);

/* customer remove: the customer and its custom lines. A customer holding
 * accounts (any assignment, any period) is refused, naming them, unless
 * unassign: then its assignments go with it and the accounts are
 * unassigned (their costs show as unassigned in the reconciliation).
 * accounts lists the assignments removed, ncustom the custom lines. The
 * store refuses the removal when finalized documents refer to the
 * customer (store_documents_refuse_delete) and drops its drafts. */
struct config_customer_remove {
	const char *id;
	int unassign;
	char accounts[512];
	size_t naccounts, ncustom;
};
int config_customer_remove_edit(json_t **doc, void *arg, struct rb_err *err);

#endif
