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

#endif
