/*
 * store_config.h: the billing configuration (spec §4, §5, §7) — validating,
 * storing, exporting and auditing it, and loading it for rating.
 *
 * The configuration is one JSON document (spec §7). Its canonical form is
 * what `rebill config export` prints: sections sorted (tax clusters, plans
 * and customers by id; fx by period and currency; custom lines by customer
 * and period, entry order kept), decimals as minimal strings ("5", "0.9231"),
 * defaults written out (markup_pct "0", credits "1", refunds "pass", tax
 * "strip", grouping "service"), empty optional lists and unset optional
 * strings left out, a customer's accounts sorted by id and from.
 *
 * Apply semantics: a document is the COMPLETE configuration. Objects it
 * does not name are removed (so export + edit + apply round-trips). A plan
 * must state its basis (no default: it decides what is marked up). Every
 * change runs one code path: begin an IMMEDIATE transaction, read the
 * current canonical document, let the caller edit it, validate the whole
 * result (every problem with its JSON path), then write only the objects
 * that differ with one audit_log row each, and commit. Any failure leaves
 * the database unchanged. Applying the same document twice changes nothing
 * and writes no audit rows.
 *
 * Audited objects: "tax_cluster:ID", "plan:ID", "customer:ID" (with its
 * accounts), "fx:PERIOD:CURRENCY", "custom_lines:CUSTOMER:PERIOD".
 *
 * Not for: rating or printing (src/rate, src/cli).
 */
#ifndef RB_STORE_CONFIG_H
#define RB_STORE_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "rate/rate.h"
#include "store/store.h"
#include "util/err.h"

/* 1 when s is an AWS account id: exactly 12 digits. */
int config_account_ok(const char *s);

/* One validation problem: path is a JSONPath like "$.customers[0].plan",
 * msg says what is wrong ("unknown plan 'gold'"). object names, for people,
 * the top-level object the path is in ("customer 'acme'", "plan 'std'",
 * "tax cluster 'x'", "fx 2026-10 EUR", "custom line of 'acme'"), or is NULL
 * when it cannot be named; sub is the rest of the path inside it ("plan",
 * "fees[0].amount", "" for the object itself), NULL with object. */
struct config_problem {
	char *path;
	char *msg;
	char *object;
	char *sub;
};

/* What a change did, or why it was refused. */
struct config_result {
	size_t created, updated, deleted;   /* objects, as in the audit log */
	struct config_problem *problems;    /* validation problems, section by section */
	size_t nproblems;
};

void config_result_init(struct config_result *r);
void config_result_release(struct config_result *r);

/* An edit of the canonical document: doc is the current configuration
 * (owned by the caller of the callback; modify it in place or replace
 * *doc with a new reference, releasing the old one). Return 0, or an RB_E*
 * code with err set to abandon the change (e.g. "no customer 'x'"). */
typedef int (*config_edit_fn)(json_t **doc, void *arg, struct rb_err *err);

/* Runs one change as described above. source names the command for the
 * audit log ("config apply", "account assign"). Returns 0; RB_EINPUT when
 * the edited document is invalid (problems in r, err says how many) or the
 * callback refused; RB_EIO on a database failure. */
int store_config_edit(struct store *s, config_edit_fn fn, void *arg,
	const char *source, struct config_result *r, struct rb_err *err);

/* Reads FILE (jansson, duplicate keys rejected) and applies it as the
 * complete configuration. A JSON syntax error is RB_EINPUT with
 * err = FILE:LINE:COLUMN; an unreadable file is RB_EIO. */
int store_config_apply_file(struct store *s, const char *path,
	struct config_result *r, struct rb_err *err);

/* The current configuration in canonical form (caller owns *out). */
int store_config_export(json_t **out, struct store *s, struct rb_err *err);

/* Validates and canonicalizes doc without touching any database: *out is
 * the canonical document (NULL when there are problems, listed in r).
 * Returns 0 or RB_EINPUT. */
int store_config_normalize(json_t **out, json_t *doc, struct config_result *r,
	struct rb_err *err);

/* The audit log, newest first, at most limit entries (0: all): an array of
 * {"id", "at", "source", "action", "object", "before", "after"} where
 * before/after are JSON values or null. */
int store_config_audit(json_t **out, struct store *s, long limit, struct rb_err *err);

/* Accounts seen in CUR facts that no customer holds: an array of
 * {"period", "payer", "account", "rows", "unblended"} sorted by period,
 * payer, account; period NULL means every period. */
int store_config_unassigned(json_t **out, struct store *s, const char *period,
	struct rb_err *err);

/* ---- the configuration for rating one period ---- */

struct rate_tax_cluster {
	char *id;
	char *name;
	rb_i128 rate_pct;      /* DEC_FACTOR_DIGITS */
	char *note;            /* NULL when none */
};

/* What one customer holds in the period; parallel to rate_config.customers.
 * Spec §5: the customer gets an invoice for the period when naccounts or
 * ncustom_lines is non-zero. */
struct rate_holdings {
	char **accounts;       /* assigned for the period, sorted */
	size_t naccounts;
	struct rate_custom_line *custom_lines;  /* for the period, entry order */
	size_t ncustom_lines;
};

struct rate_holder {
	char *account;
	size_t customer;       /* index into rate_config.customers */
};

/* Invariants: customers sorted by id, each customer's plan points into
 * plans; holders sorted by account, one per account held in the period
 * (overlaps are impossible: validation refuses them). */
struct rate_config {
	int period;
	struct rate_tax_cluster *tax_clusters;
	size_t ntax_clusters;
	struct rate_plan *plans;
	size_t nplans;
	struct rate_customer *customers;
	struct rate_holdings *holdings;
	size_t ncustomers;
	struct rate_holder *holders;
	size_t nholders;
};

/* Loads the whole configuration as it applies to period (period.h
 * integer). Every customer is listed, also those holding nothing in the
 * period. has_fx is 1 for USD (fx 1) and for a currency with a rate for
 * the period, else 0 with fx 0. */
int store_config_load(struct store *s, int period, struct rate_config **out,
	struct rb_err *err);

/* The customer holding account in cfg's period, or NULL. */
const struct rate_customer *rate_config_holder(const struct rate_config *cfg,
	const char *account);

/* The accounts customer (an index into cfg->customers) holds in cfg's
 * period, as rate's purchaser-basis test wants them: pass
 * rate_accounts_holds and a pointer to the result to rate_fact_bill or
 * rate_invoice_build. Borrowed from cfg. */
struct rate_accounts rate_config_accounts(const struct rate_config *cfg, size_t customer);

/* Frees cfg and everything in it; accepts NULL. */
void rate_config_free(struct rate_config *cfg);

#endif
