/*
 * check.h: validating the configuration document and making its canonical
 * form (spec §7).
 *
 * The canonical form is what `rebill config export` prints: sections sorted
 * (tax clusters, plans and customers by id; fx by period and currency;
 * custom lines by customer and period, entry order kept), decimals as
 * minimal strings ("5", "0.9231"), defaults written out (markup_pct "0",
 * credits "1", refunds "pass", tax "strip", grouping "service"), empty
 * optional lists and unset optional strings left out, a customer's accounts
 * sorted by id and from. A plan must state its basis (no default: it
 * decides what is marked up).
 *
 * Validation reports every problem with its JSON path, section by section.
 * Plain text fields are declared in tables in check.c (name, required,
 * maximum length): a new field is one table row there plus its column in
 * src/store.
 *
 * Not for: storing the document (src/store/store_config.h).
 */
#ifndef RB_CONFIG_CHECK_H
#define RB_CONFIG_CHECK_H

#include <stddef.h>

#include <jansson.h>

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
	json_t *changes;                    /* config_changes of the change (apply.h), or NULL */
};

void config_result_init(struct config_result *r);
void config_result_release(struct config_result *r);

/* Validates and canonicalizes doc without touching any database: *out is
 * the canonical document (NULL when there are problems, listed in r).
 * Returns 0 or RB_EINPUT. */
int config_normalize(json_t **out, json_t *doc, struct config_result *r,
	struct rb_err *err);

#endif
