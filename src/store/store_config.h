/*
 * store_config.h: the billing configuration (spec §4, §5, §7) as stored —
 * the canonical document (validated by src/config), its audit log, and
 * loading it for rating one period.
 *
 * The configuration is one JSON document (spec §7); its canonical form is
 * described in config/check.h.
 *
 * Apply semantics (config/apply.h): a document is merged by id — the
 * objects it names are created or replaced, the others kept; with
 * STORE_APPLY_REPLACE it is the COMPLETE configuration and objects it does
 * not name are removed (so export + edit + apply round-trips). Every
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
 * Not for: what a valid configuration is (src/config), rating or printing
 * (src/rate, src/cli).
 */
#ifndef RB_STORE_CONFIG_H
#define RB_STORE_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "config/apply.h"
#include "config/check.h"
#include "config/config.h"
#include "config/edit.h"
#include "store/store.h"
#include "util/err.h"

/* Runs one change as described above. source names the command for the
 * audit log ("config apply", "account assign"). Returns 0; RB_EINPUT when
 * the edited document is invalid (problems in r, err says how many) or the
 * callback refused; RB_EIO on a database failure. */
int store_config_edit(struct store *s, config_edit_fn fn, void *arg,
	const char *source, struct config_result *r, struct rb_err *err);
/* The same, naming in the audit log who made the change (the web user's
 * email; store_config_edit records none). */
int store_config_edit_as(struct store *s, config_edit_fn fn, void *arg,
	const char *source, const char *actor, struct config_result *r, struct rb_err *err);

/* Applies doc (borrowed): merged by id, or the whole configuration with
 * STORE_APPLY_REPLACE. With STORE_APPLY_DRY_RUN it validates and lists the
 * changes (r->changes, counts in r) but writes nothing. Returns as
 * store_config_edit. */
enum { STORE_APPLY_REPLACE = 1 << 0, STORE_APPLY_DRY_RUN = 1 << 1 };
int store_config_apply(struct store *s, json_t *doc, unsigned flags,
	struct config_result *r, struct rb_err *err);

/* Reads FILE (jansson, duplicate keys rejected) and applies it as
 * store_config_apply. A JSON syntax error is RB_EINPUT with
 * err = FILE:LINE:COLUMN; an unreadable file is RB_EIO. */
int store_config_apply_file(struct store *s, const char *path, unsigned flags,
	struct config_result *r, struct rb_err *err);

/* The current configuration in canonical form (caller owns *out). */
int store_config_export(json_t **out, struct store *s, struct rb_err *err);

/* The audit log, newest first, at most limit entries (0: all): an array of
 * {"id", "at", "source", "action", "object", "before", "after"} where
 * before/after are JSON values or null, plus "actor" when a user is known. */
int store_config_audit(json_t **out, struct store *s, long limit, struct rb_err *err);

/* Loads the stored configuration as it applies to period (period.h
 * integer): store_config_export + config_resolve. */
int store_config_load(struct store *s, int period, struct config_period **out,
	struct rb_err *err);

#endif
