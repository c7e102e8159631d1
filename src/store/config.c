/*
 * config.c: storing the billing configuration — reading the tables back as
 * the canonical document (export), writing the difference between two
 * canonical documents object by object with one audit_log row each, the
 * single transaction every change runs in, and the audit log reader.
 * Validation is src/config/check.c; resolving for a period src/config/resolve.c.
 *
 * Not for: deciding what a valid configuration is (src/config).
 */
#include "store/store_config.h"
#include "store/store_int.h"
#include "store/store_documents.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Runs sql with n text parameters (NULL binds SQL NULL). */
static int exec_params(struct store *s, const char *sql, int n, const char *const *params,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int i, rc = 0;

	if (sqlite3_prepare_v2(store_db_int(s), sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(store_db_int(s), err, "cannot prepare a configuration statement");
	for (i = 0; i < n; i++) {
		if (params[i])
			sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i + 1);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_fail_int(store_db_int(s), err, "cannot write the configuration");
	sqlite3_finalize(st);
	return rc;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Sets key to column i when it is not NULL. */
static void col_str(json_t *o, const char *key, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t)
		json_object_set_new(o, key, json_string((const char *)t));
}

/* ---- reading: the tables as the canonical document ---- */

/* Runs a query and calls row(st, arg) for every row. */
static int query(struct store *s, const char *sql, const char *param,
	void (*row)(sqlite3_stmt *st, void *arg), void *arg, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	if (sqlite3_prepare_v2(store_db_int(s), sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(store_db_int(s), err, "cannot read the configuration");
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		row(st, arg);
	if (step != SQLITE_DONE)
		rc = store_fail_int(store_db_int(s), err, "cannot read the configuration");
	sqlite3_finalize(st);
	return rc;
}

static void row_tax(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	col_str(o, "id", st, 0);
	col_str(o, "name", st, 1);
	col_str(o, "rate_pct", st, 2);
	col_str(o, "note", st, 3);
	col_str(o, "category", st, 4);
	json_array_append_new(arg, o);
}

static void row_plan(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	col_str(o, "id", st, 0);
	col_str(o, "currency", st, 6);
	col_str(o, "basis", st, 1);
	col_str(o, "markup_pct", st, 2);
	col_str(o, "credits", st, 3);
	col_str(o, "refunds", st, 4);
	col_str(o, "tax", st, 5);
	json_array_append_new(arg, o);
}

/* Finds the element of arr whose "id" (or key) equals s. */
static json_t *find_by(json_t *arr, const char *key, const char *s)
{
	json_t *e;
	size_t i, lo = 0, hi = json_array_size(arr);

	/* the parents were read ORDER BY id (BINARY: strcmp's order), so a
	 * binary search finds them (a configuration's 12,000 assignments took a
	 * linear search each: 40 % of an invoice preview's CPU); the linear
	 * walk stays for any other order */
	while (s && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *v = jstr(json_array_get(arr, mid), key);
		int c = v ? strcmp(v, s) : -1;
		if (!c)
			return json_array_get(arr, mid);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	json_array_foreach(arr, i, e) {
		const char *v = jstr(e, key);
		if (v && !strcmp(v, s))
			return e;
	}
	return NULL;
}

/* Appends a child to the list `key` of the plan/customer named in column 0. */
static json_t *child_list(json_t *parents, sqlite3_stmt *st, const char *key)
{
	json_t *p = find_by(parents, "id", (const char *)sqlite3_column_text(st, 0)), *l;
	if (!p)
		return NULL;
	l = json_object_get(p, key);
	if (!l) {
		l = json_array();
		json_object_set_new(p, key, l);
	}
	return l;
}

static void row_discount(sqlite3_stmt *st, void *arg)
{
	json_t *p = find_by(arg, "id", (const char *)sqlite3_column_text(st, 0)), *d;
	if (!p)
		return;
	d = json_object_get(p, "discounts");
	if (!d) {
		d = json_object();
		json_object_set_new(p, "discounts", d);
	}
	json_object_set_new(d, (const char *)sqlite3_column_text(st, 1),
		json_string((const char *)sqlite3_column_text(st, 2)));
}

static void row_rule(sqlite3_stmt *st, void *arg)
{
	json_t *l = child_list(arg, st, "rules"), *o;
	if (!l)
		return;
	o = json_object();
	col_str(o, "service", st, 1);
	col_str(o, "usage_type", st, 2);
	col_str(o, "region", st, 3);
	col_str(o, "account", st, 4);
	col_str(o, "line_item_type", st, 5);
	col_str(o, "markup_pct", st, 6);
	if (sqlite3_column_int(st, 7))
		json_object_set_new(o, "exclude", json_true());
	json_array_append_new(l, o);
}

static void row_fee(sqlite3_stmt *st, void *arg)
{
	json_t *l = child_list(arg, st, "fees"), *o;
	if (!l)
		return;
	o = json_object();
	col_str(o, "type", st, 1);
	col_str(o, "amount", st, 2);
	col_str(o, "pct", st, 3);
	col_str(o, "min", st, 4);
	col_str(o, "max", st, 5);
	col_str(o, "description", st, 6);
	json_array_append_new(l, o);
}

static void row_customer(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	col_str(o, "id", st, 0);
	col_str(o, "name", st, 1);
	col_str(o, "currency", st, 2);
	col_str(o, "plan", st, 3);
	col_str(o, "tax_cluster", st, 4);
	col_str(o, "grouping", st, 5);
	col_str(o, "email", st, 6);
	col_str(o, "address", st, 7);
	col_str(o, "vat_id", st, 8);
	col_str(o, "city", st, 9);
	col_str(o, "postal_code", st, 10);
	col_str(o, "country", st, 11);
	col_str(o, "company_id", st, 12);
	col_str(o, "peppol_id", st, 13);
	if (sqlite3_column_type(st, 14) == SQLITE_INTEGER)
		json_object_set_new(o, "payment_terms_days",
			json_integer((json_int_t)sqlite3_column_int64(st, 14)));
	json_object_set_new(o, "accounts", json_array());
	json_array_append_new(arg, o);
}

static void row_assignment(sqlite3_stmt *st, void *arg)
{
	json_t *l = child_list(arg, st, "accounts"), *o;
	if (!l)
		return;
	o = json_object();
	col_str(o, "id", st, 1);
	col_str(o, "from", st, 2);
	col_str(o, "to", st, 3);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		json_t *sp = json_object();
		col_str(sp, "tag", st, 4);
		col_str(sp, "value", st, 5);
		json_object_set_new(o, "split", sp);
	}
	json_array_append_new(l, o);
}

static void row_fx(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	col_str(o, "period", st, 0);
	col_str(o, "currency", st, 1);
	col_str(o, "rate", st, 2);
	json_array_append_new(arg, o);
}

static void row_custom(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	col_str(o, "customer", st, 0);
	col_str(o, "period", st, 1);
	col_str(o, "description", st, 2);
	col_str(o, "amount", st, 3);
	json_array_append_new(arg, o);
}

/* The issuer's columns, in the order of the canonical document. */
static const char *const issuer_cols[] = { "name", "address", "city", "postal_code",
	"country", "vat_id", "company_id", "iban", "bic", "email", "invoice_format",
	"credit_note_format", "peppol_id", "logo" };
#define NISSUER (sizeof(issuer_cols) / sizeof(issuer_cols[0]))

static void row_ledger(sqlite3_stmt *st, void *arg)
{
	json_t *l = json_object_get(arg, "ledger");
	if (!l) {
		l = json_object();
		json_object_set_new(arg, "ledger", l);
	}
	json_object_set_new(l, (const char *)sqlite3_column_text(st, 0),
		json_string((const char *)sqlite3_column_text(st, 1)));
}

static void row_issuer(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	size_t k;
	for (k = 0; k < NISSUER; k++)
		col_str(o, issuer_cols[k], st, (int)k);
	json_object_set_new(arg, "issuer", o);
}

int store_config_export(json_t **out, struct store *s, struct rb_err *err)
{
	json_t *tc = json_array(), *plans = json_array(), *custs = json_array();
	json_t *fx = json_array(), *custom = json_array();
	int rc, began = 0;

	*out = NULL;
	json_t *holder = json_object();

	/* eleven queries, one state of the database */
	if ((rc = store_read_begin_int(s, &began, err)) < 0 ||
	    (rc = query(s, "SELECT id, name, rate_pct, note, category FROM tax_clusters ORDER BY id",
			NULL, row_tax, tc, err)) < 0 ||
	    (rc = query(s, "SELECT id, basis, markup_pct, credits, refunds, tax, currency FROM plans ORDER BY id",
			NULL, row_plan, plans, err)) < 0 ||
	    (rc = query(s, "SELECT plan, type, factor FROM plan_discounts ORDER BY plan, type",
			NULL, row_discount, plans, err)) < 0 ||
	    (rc = query(s, "SELECT plan, service, usage_type, region, account, line_item_type,"
			" markup_pct, exclude FROM plan_rules ORDER BY plan, position",
			NULL, row_rule, plans, err)) < 0 ||
	    (rc = query(s, "SELECT plan, type, amount, pct, min, max, description"
			" FROM plan_fees ORDER BY plan, position", NULL, row_fee, plans, err)) < 0 ||
	    (rc = query(s, "SELECT id, name, currency, plan, tax_cluster, grouping, email,"
			" address, vat_id, city, postal_code, country, company_id, peppol_id, payment_terms_days"
			" FROM customers ORDER BY id", NULL, row_customer, custs, err)) < 0 ||
	    (rc = query(s, "SELECT customer, account, from_period, to_period, split_tag,"
			" split_value FROM assignments ORDER BY customer, account, from_period, split_value", NULL, row_assignment, custs, err)) < 0 ||
	    (rc = query(s, "SELECT period, currency, rate FROM fx_rates ORDER BY period, currency",
			NULL, row_fx, fx, err)) < 0 ||
	    (rc = query(s, "SELECT customer, period, description, amount FROM custom_lines"
			" ORDER BY customer, period, position", NULL, row_custom, custom, err)) < 0 ||
	    (rc = query(s, "SELECT name, address, city, postal_code, country, vat_id, company_id,"
			" iban, bic, email, invoice_format, credit_note_format, peppol_id, logo"
			" FROM issuer", NULL, row_issuer, holder, err)) < 0 ||
	    (rc = query(s, "SELECT key, account FROM ledger_accounts ORDER BY CASE key"
			" WHEN 'receivable' THEN 0 WHEN 'vat' THEN 1 WHEN 'charge' THEN 2 WHEN 'fee' THEN 3"
			" WHEN 'custom' THEN 4 WHEN 'credit' THEN 5 WHEN 'refund' THEN 6"
			" WHEN 'discount' THEN 7 ELSE 8 END", NULL, row_ledger, holder, err)) < 0)
		goto cleanup;
	store_read_end_int(s, began);
	*out = json_object();
	json_object_set_new(*out, "tax_clusters", tc);
	json_object_set_new(*out, "plans", plans);
	json_object_set_new(*out, "customers", custs);
	json_object_set_new(*out, "fx", fx);
	json_object_set_new(*out, "custom_lines", custom);
	if (json_object_get(holder, "issuer"))
		json_object_set(*out, "issuer", json_object_get(holder, "issuer"));
	if (json_object_get(holder, "ledger"))
		json_object_set(*out, "ledger", json_object_get(holder, "ledger"));
	json_decref(holder);
	return 0;
cleanup:
	json_decref(holder);
	store_read_end_int(s, began);
	json_decref(tc);
	json_decref(plans);
	json_decref(custs);
	json_decref(fx);
	json_decref(custom);
	return rc;
}

/* ---- writing: the difference of two canonical documents ---- */

/* Removes the rows of one object (kind, a, b from its key). */
static int delete_object(struct store *s, const char *kind, const char *a, const char *b,
	struct rb_err *err)
{
	const char *p1[1] = { a }, *p2[2] = { a, b };
	int rc = 0;

	if (!strcmp(kind, "tax_cluster"))
		return exec_params(s, "DELETE FROM tax_clusters WHERE id = ?", 1, p1, err);
	if (!strcmp(kind, "issuer"))
		return exec_params(s, "DELETE FROM issuer", 0, p1, err);
	if (!strcmp(kind, "ledger"))
		return exec_params(s, "DELETE FROM ledger_accounts", 0, p1, err);
	if (!strcmp(kind, "plan")) {
		if ((rc = exec_params(s, "DELETE FROM plan_rules WHERE plan = ?", 1, p1, err)) < 0 ||
		    (rc = exec_params(s, "DELETE FROM plan_fees WHERE plan = ?", 1, p1, err)) < 0 ||
		    (rc = exec_params(s, "DELETE FROM plan_discounts WHERE plan = ?", 1, p1, err)) < 0)
			return rc;
		return exec_params(s, "DELETE FROM plans WHERE id = ?", 1, p1, err);
	}
	if (!strcmp(kind, "customer")) {
		if ((rc = exec_params(s, "DELETE FROM assignments WHERE customer = ?", 1, p1, err)) < 0)
			return rc;
		return exec_params(s, "DELETE FROM customers WHERE id = ?", 1, p1, err);
	}
	if (!strcmp(kind, "fx"))
		return exec_params(s, "DELETE FROM fx_rates WHERE period = ? AND currency = ?", 2, p2, err);
	return exec_params(s, "DELETE FROM custom_lines WHERE customer = ? AND period = ?", 2, p2, err);
}

static int insert_object(struct store *s, const char *kind, const char *a, const char *b,
	json_t *v, struct rb_err *err)
{
	json_t *e;
	size_t i;
	int rc = 0;
	char pos[24];

	if (!strcmp(kind, "tax_cluster")) {
		const char *p[5] = { jstr(v, "id"), jstr(v, "name"), jstr(v, "rate_pct"), jstr(v, "note"),
			jstr(v, "category") };
		return exec_params(s, "INSERT INTO tax_clusters (id, name, rate_pct, note, category)"
			" VALUES (?, ?, ?, ?, ?)", 5, p, err);
	}
	if (!strcmp(kind, "ledger")) {
		const char *key;
		json_object_foreach(v, key, e) {
			const char *q[2] = { key, json_string_value(e) };
			if ((rc = exec_params(s, "INSERT INTO ledger_accounts (key, account) VALUES (?, ?)",
					2, q, err)) < 0)
				return rc;
		}
		return 0;
	}
	if (!strcmp(kind, "issuer")) {
		const char *p[NISSUER];
		for (i = 0; i < NISSUER; i++)
			p[i] = jstr(v, issuer_cols[i]);
		return exec_params(s, "INSERT INTO issuer (name, address, city, postal_code, country,"
			" vat_id, company_id, iban, bic, email, invoice_format, credit_note_format,"
			" peppol_id, logo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			(int)NISSUER, p, err);
	}
	if (!strcmp(kind, "plan")) {
		const char *p[7] = { a, jstr(v, "basis"), jstr(v, "markup_pct"), jstr(v, "credits"),
			jstr(v, "refunds"), jstr(v, "tax"), jstr(v, "currency") };
		const char *key;
		if ((rc = exec_params(s, "INSERT INTO plans (id, basis, markup_pct, credits, refunds, tax,"
				" currency) VALUES (?, ?, ?, ?, ?, ?, ?)", 7, p, err)) < 0)
			return rc;
		json_object_foreach(json_object_get(v, "discounts"), key, e) {
			const char *q[3] = { a, key, json_string_value(e) };
			if ((rc = exec_params(s, "INSERT INTO plan_discounts (plan, type, factor)"
					" VALUES (?, ?, ?)", 3, q, err)) < 0)
				return rc;
		}
		json_array_foreach(json_object_get(v, "rules"), i, e) {
			const char *q[9] = { a, pos, jstr(e, "service"), jstr(e, "usage_type"),
				jstr(e, "region"), jstr(e, "account"), jstr(e, "line_item_type"),
				jstr(e, "markup_pct"), json_is_true(json_object_get(e, "exclude")) ? "1" : "0" };
			snprintf(pos, sizeof(pos), "%zu", i);
			if ((rc = exec_params(s, "INSERT INTO plan_rules (plan, position, service,"
					" usage_type, region, account, line_item_type, markup_pct, exclude)"
					" VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER))",
					9, q, err)) < 0)
				return rc;
		}
		json_array_foreach(json_object_get(v, "fees"), i, e) {
			const char *q[8] = { a, pos, jstr(e, "type"), jstr(e, "amount"), jstr(e, "pct"),
				jstr(e, "min"), jstr(e, "max"), jstr(e, "description") };
			snprintf(pos, sizeof(pos), "%zu", i);
			if ((rc = exec_params(s, "INSERT INTO plan_fees (plan, position, type, amount,"
					" pct, min, max, description) VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?)",
					8, q, err)) < 0)
				return rc;
		}
		return 0;
	}
	if (!strcmp(kind, "customer")) {
		char terms[24];
		json_t *tv = json_object_get(v, "payment_terms_days");
		const char *p[15] = { a, jstr(v, "name"), jstr(v, "currency"), jstr(v, "plan"),
			jstr(v, "tax_cluster"), jstr(v, "grouping"), jstr(v, "email"),
			jstr(v, "address"), jstr(v, "vat_id"), jstr(v, "city"), jstr(v, "postal_code"),
			jstr(v, "country"), jstr(v, "company_id"), jstr(v, "peppol_id"),
			tv ? terms : NULL };
		if (tv)
			snprintf(terms, sizeof(terms), "%" JSON_INTEGER_FORMAT, json_integer_value(tv));
		if ((rc = exec_params(s, "INSERT INTO customers (id, name, currency, plan, tax_cluster,"
				" grouping, email, address, vat_id, city, postal_code, country, company_id,"
				" peppol_id, payment_terms_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				" ?, CAST(? AS INTEGER))", 15, p, err)) < 0)
			return rc;
		json_array_foreach(json_object_get(v, "accounts"), i, e) {
			json_t *sp = json_object_get(e, "split");
			const char *q[6] = { jstr(e, "id"), a, jstr(e, "from"), jstr(e, "to"),
				jstr(sp, "tag"), jstr(sp, "value") };
			if ((rc = exec_params(s, "INSERT INTO assignments (account, customer, from_period,"
					" to_period, split_tag, split_value) VALUES (?, ?, ?, ?, ?, ?)", 6, q,
					err)) < 0)
				return rc;
		}
		return 0;
	}
	if (!strcmp(kind, "fx")) {
		const char *p[3] = { a, b, jstr(v, "rate") };
		return exec_params(s, "INSERT INTO fx_rates (period, currency, rate) VALUES (?, ?, ?)",
			3, p, err);
	}
	json_array_foreach(v, i, e) {
		const char *q[5] = { a, b, pos, jstr(e, "description"), jstr(e, "amount") };
		snprintf(pos, sizeof(pos), "%zu", i);
		if ((rc = exec_params(s, "INSERT INTO custom_lines (customer, period, position,"
				" description, amount) VALUES (?, ?, CAST(? AS INTEGER), ?, ?)", 5, q, err)) < 0)
			return rc;
	}
	return 0;
}

static char *dump(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
}

static void now_utc(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes every object that differs between old and new (canonical), one
 * audit row each, in the order config_changes lists them; with dry_run
 * only counts them. r->changes gets the list. */
static int write_diff(struct store *s, json_t *old, json_t *new, const char *source,
	int dry_run, const char *actor, struct config_result *r, struct rb_err *err)
{
	json_t *changes = config_changes(old, new), *c;
	char at[32];
	size_t i;
	int rc = 0;

	now_utc(at, sizeof(at));
	json_array_foreach(changes, i, c) {
		const char *key = json_string_value(json_object_get(c, "object"));
		const char *action = json_string_value(json_object_get(c, "action"));
		json_t *a = json_object_get(c, "before"), *b = json_object_get(c, "after");
		char kind[32], k1[256] = "", k2[256] = "";
		const char *c1, *c2;
		char *before = NULL, *after = NULL;

		if (json_is_null(a))
			a = NULL;
		if (json_is_null(b))
			b = NULL;
		if (!a)
			r->created++;
		else if (!b)
			r->deleted++;
		else
			r->updated++;
		if (dry_run)
			continue;
		c1 = strchr(key, ':');
		snprintf(kind, sizeof(kind), "%.*s", (int)(c1 - key), key);
		c2 = strchr(c1 + 1, ':');
		if (c2 && (!strcmp(kind, "fx") || !strcmp(kind, "custom_lines"))) {
			snprintf(k1, sizeof(k1), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			snprintf(k2, sizeof(k2), "%s", c2 + 1);
		} else {
			snprintf(k1, sizeof(k1), "%s", c1 + 1);
		}
		if (a && !b && (rc = store_documents_refuse_delete(s, kind, k1, err)) < 0)
			goto cleanup;
		/* a removed customer's drafts go with it: nothing was issued,
		 * and a draft must never be finalized for a customer that is gone */
		if (a && !b && !strcmp(kind, "customer")) {
			const char *p1[1] = { k1 };
			if ((rc = exec_params(s, "DELETE FROM drafts WHERE customer = ?", 1, p1, err)) < 0)
				goto cleanup;
		}
		if (a && (rc = delete_object(s, kind, k1, k2, err)) < 0)
			goto cleanup;
		if (b && (rc = insert_object(s, kind, k1, k2, b, err)) < 0)
			goto cleanup;
		before = dump(a);
		after = dump(b);
		{
			const char *p[7] = { at, source, action, key, before, after, store_actor(s, actor) };
			rc = exec_params(s, "INSERT INTO audit_log (at, source, action, object, before, after,"
				" actor) VALUES (?, ?, ?, ?, ?, ?, ?)", 7, p, err);
		}
		free(before);
		free(after);
		if (rc < 0)
			goto cleanup;
	}
cleanup:
	json_decref(r->changes);
	r->changes = changes;
	return rc;
}

static int edit(struct store *s, config_edit_fn fn, void *arg, const char *source,
	const char *actor, int dry_run, struct config_result *r, struct rb_err *err)
{
	json_t *old = NULL, *doc = NULL, *norm = NULL;
	int rc;

	if ((rc = store_begin(s, err)) < 0)
		return rc;
	if ((rc = store_config_export(&old, s, err)) < 0)
		goto cleanup;
	doc = json_deep_copy(old);
	if ((rc = fn(&doc, arg, err)) < 0)
		goto cleanup;
	if ((rc = config_normalize(&norm, doc, r, err)) < 0)
		goto cleanup;
	if ((rc = write_diff(s, old, norm, source, dry_run, actor, r, err)) < 0)
		goto cleanup;
	if (dry_run)
		store_rollback(s);
	else
		rc = store_commit(s, err);
cleanup:
	if (rc < 0)
		store_rollback(s);
	json_decref(old);
	json_decref(doc);
	json_decref(norm);
	return rc;
}

int store_config_edit(struct store *s, config_edit_fn fn, void *arg,
	const char *source, struct config_result *r, struct rb_err *err)
{
	return edit(s, fn, arg, source, NULL, 0, r, err);
}

int store_config_edit_as(struct store *s, config_edit_fn fn, void *arg,
	const char *source, const char *actor, struct config_result *r, struct rb_err *err)
{
	return edit(s, fn, arg, source, actor, 0, r, err);
}

int store_config_apply(struct store *s, json_t *doc, unsigned flags,
	struct config_result *r, struct rb_err *err)
{
	struct config_apply a = { doc, (flags & STORE_APPLY_REPLACE) != 0, { 0 } };
	int rc = edit(s, config_apply_edit, &a, "config apply", NULL,
		(flags & STORE_APPLY_DRY_RUN) != 0, r, err);
	config_apply_problems(&a, r);
	return rc;
}

int store_config_apply_file(struct store *s, const char *path, unsigned flags,
	struct config_result *r, struct rb_err *err)
{
	json_error_t je;
	json_t *doc;
	FILE *f = fopen(path, "rb");
	int rc;

	/* the message import gives for a missing file: "PATH: cannot open: ..." */
	if (!f)
		return rb_err_at(err, RB_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (ferror(f)) {
		rc = rb_err_at(err, RB_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
		fclose(f);
		json_decref(doc);
		return rc;
	}
	fclose(f);
	if (!doc) {
		return rb_err_at(err, RB_EINPUT, path, je.line > 0 ? je.line : 0,
			je.column > 0 ? je.column : 0, "%s", je.text);
	}
	rc = store_config_apply(s, doc, flags, r, err);
	json_decref(doc);
	return rc;
}

/* ---- reading the audit log and the unassigned accounts ---- */

static json_t *parse_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	json_t *v;
	if (!t)
		return json_null();
	v = json_loads((const char *)t, JSON_DECODE_ANY, NULL);
	return v ? v : json_string((const char *)t);
}

static void row_audit(sqlite3_stmt *st, void *arg)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	col_str(o, "at", st, 1);
	col_str(o, "source", st, 2);
	col_str(o, "action", st, 3);
	col_str(o, "object", st, 4);
	json_object_set_new(o, "before", parse_col(st, 5));
	json_object_set_new(o, "after", parse_col(st, 6));
	col_str(o, "actor", st, 7);
	json_array_append_new(arg, o);
}

int store_config_audit(json_t **out, struct store *s, long limit, struct rb_err *err)
{
	char lim[32];
	json_t *arr = json_array();
	int rc;

	snprintf(lim, sizeof(lim), "%ld", limit);
	if (limit > 0)
		rc = query(s, "SELECT id, at, source, action, object, before, after, actor FROM audit_log"
			" ORDER BY id DESC LIMIT CAST(? AS INTEGER)", lim, row_audit, arr, err);
	else
		rc = query(s, "SELECT id, at, source, action, object, before, after, actor FROM audit_log"
			" ORDER BY id DESC", NULL, row_audit, arr, err);
	if (rc < 0) {
		json_decref(arr);
		*out = NULL;
		return rc;
	}
	*out = arr;
	return 0;
}

int store_config_load(struct store *s, int period, struct config_period **out,
	struct rb_err *err)
{
	json_t *doc = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_config_export(&doc, s, err)) < 0)
		return rc;
	rc = config_resolve(out, doc, period, err);
	json_decref(doc);
	return rc;
}
