/*
 * apply.h: applying a configuration document to the current one (spec §7)
 * and saying, object by object, what that changes.
 *
 * `config apply FILE` merges by id: the objects the document names are
 * created or replaced whole, the others are left alone. Identity:
 * tax_clusters, plans and customers by "id" (a customer with its accounts),
 * fx by (period, currency), custom lines by (customer, period) — the lines
 * a document gives for one customer and period replace that group. With
 * replace, the document is the whole configuration (what it leaves out is
 * deleted), which is what applying a `config export` means.
 *
 * The audited objects ("kind:key", as in the audit log) of a canonical
 * document are "tax_cluster:ID", "plan:ID", "customer:ID",
 * "fx:PERIOD:CURRENCY", "custom_lines:CUSTOMER:PERIOD" (an array of
 * {"description", "amount"}).
 *
 * Pure: no I/O. Not for: validating (check.h) or storing (store_config.h).
 */
#ifndef RB_CONFIG_APPLY_H
#define RB_CONFIG_APPLY_H

#include <jansson.h>

#include "util/err.h"

/* A config_edit_fn (edit.h): arg is a struct config_apply. Merged, each
 * section holds the current entries the document does not name, then the
 * document's own entries in its order (so an overlap with a stored
 * assignment is reported at the document's entry). A top-level key that
 * is not a section, or a section that is not an array, is passed through
 * for validation to report. */
struct config_apply {
	json_t *doc;     /* borrowed */
	int replace;
	size_t kept[5];  /* set by the edit: current entries kept first, per section */
};
int config_apply_edit(json_t **doc, void *arg, struct rb_err *err);

/* After validating the merged document: rewrites each problem's path to
 * the document's own JSON path ("$.customers[0].plan"), or, for a problem
 * in a stored object the document did not name, to "stored OBJECT, SUB". */
struct config_result;
void config_apply_problems(const struct config_apply *a, struct config_result *r);

/* The audited objects of a canonical document: a new object "kind:key" ->
 * value, in section order. */
json_t *config_objects(json_t *doc);

/* What changes from canonical document old to canonical document new: a new
 * array of {"action": "create"|"update"|"delete", "object": "kind:key",
 * "before": value|null, "after": value|null[, "fields": [names]]}: old's
 * objects in its order, then the new ones; equal objects are left out. An
 * update of an object (not of a custom line group) lists the names of the
 * fields that differ in "fields". */
json_t *config_changes(json_t *old, json_t *new);

#endif
