/*
 * seen.c: what imported data holds, asked cheaply, for the warnings of an
 * invoice preview (report/warnings.c): has a period any fact, has an account
 * facts in a period or in any, does some fact hold a service, usage type,
 * region or line item type. Answered from the fact dictionaries
 * (fact_accounts, fact_dims) and the (period, account_id) index, never by
 * reading every fact: on 3,000,000 facts the old full scans cost ~10 s of
 * CPU per preview (bench/RESULTS.md).
 *
 * The dictionaries only grow (a replaced or deleted month leaves its
 * strings), so a string in them is a candidate, not proof: a value is seen
 * when a fact row holds its id, which one pass over fact_rows confirms and
 * stops as soon as every question is answered. A value that is in no
 * dictionary (a typo) needs no pass at all.
 *
 * Not for: listing accounts with their sums (store_accounts in facts.c).
 */
#include "store/store_period.h"
#include "store/store_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define NONE SIZE_MAX
#define NCOLS 4

struct node {
	size_t query;
	size_t next;
};

int store_values_seen(struct store_seen_query *q, size_t n, struct store *s,
	struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_fact_dicts d;
	size_t *head[NCOLS] = { NULL }, i, id, c, nnodes = 0, anodes = 0, open = 0;
	struct node *nodes = NULL;
	int rc, began = 0;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < n; i++)
		q[i].seen = 0;
	if ((rc = store_read_begin_int(s, &began, err)) < 0 ||
	    (rc = store_fact_dicts_load_int(&d, db, err)) < 0)
		goto cleanup;
	/* the candidate ids of each question, listed per column and id */
	for (c = 0; c < NCOLS; c++) {
		head[c] = xreallocarray(NULL, d.dims.n ? d.dims.n : 1, sizeof(size_t));
		for (id = 0; id < d.dims.n; id++)
			head[c][id] = NONE;
	}
	for (i = 0; i < n; i++) {
		int any = 0;
		if ((unsigned)q[i].col >= NCOLS)
			continue;
		for (id = 0; id < d.dims.n; id++) {
			const char *v = d.dims.v[id];
			if (!v || !(q[i].match ? q[i].match(q[i].value, v) : !strcmp(q[i].value, v)))
				continue;
			if (nnodes == anodes) {
				anodes = anodes ? anodes * 2 : 64;
				nodes = xreallocarray(nodes, anodes, sizeof(*nodes));
			}
			nodes[nnodes].query = i;
			nodes[nnodes].next = head[q[i].col][id];
			head[q[i].col][id] = nnodes++;
			any = 1;
			if (!q[i].match)
				break;          /* the dictionary's strings are unique */
		}
		open += any;
	}
	if (!open)
		goto done;
	/* the columns in enum store_seen_col's order */
	if (sqlite3_prepare_v2(db, "SELECT product_id, usage_type_id, region_id, type_id"
			" FROM fact_rows", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot read the imported values");
		goto cleanup;
	}
	while (open && (rc = sqlite3_step(st)) == SQLITE_ROW)
		for (c = 0; c < NCOLS; c++) {
			int64_t v = sqlite3_column_int64(st, (int)c);
			size_t k;
			if (v < 0 || (uint64_t)v >= d.dims.n || head[c][v] == NONE)
				continue;
			for (k = head[c][v]; k != NONE; k = nodes[k].next)
				if (!q[nodes[k].query].seen) {
					q[nodes[k].query].seen = 1;
					open--;
				}
			head[c][v] = NONE;      /* answered: not again */
		}
	if (open && rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot read the imported values");
		goto cleanup;
	}
done:
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	for (c = 0; c < NCOLS; c++)
		free(head[c]);
	free(nodes);
	store_fact_dicts_release_int(&d);
	store_read_end_int(s, began);
	return rc;
}

/* 1 when stepping st (bound by the caller) yields a row, 0 when not. */
static int has_row(sqlite3 *db, sqlite3_stmt *st, int *out, struct rb_err *err)
{
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot read the imported accounts");
	return 0;
}

int store_accounts_seen(int *any, unsigned char *in_period, unsigned char *ever,
	const char *const *accounts, size_t n, struct store *s, int period, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st_any = NULL, *st_next = NULL, *st_id = NULL, *st_probe = NULL;
	char pb[PERIOD_BUFSZ], (*periods)[PERIOD_BUFSZ] = NULL;
	size_t np = 0, ap = 0, i, k;
	int rc, began = 0, yes;

	*any = 0;
	memset(in_period, 0, n);
	memset(ever, 0, n);
	period_format(pb, period);
	if ((rc = store_read_begin_int(s, &began, err)) < 0)
		goto cleanup;
	/* each an index search: fact_rows_period_account (period, account_id),
	 * fact_accounts' UNIQUE (account) */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM fact_rows WHERE period = ?1 LIMIT 1", -1,
			&st_any, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT period FROM fact_rows WHERE period > ?1"
			" ORDER BY period LIMIT 1", -1, &st_next, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id FROM fact_accounts WHERE account = ?1", -1,
			&st_id, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT 1 FROM fact_rows WHERE period = ?1 AND account_id = ?2"
			" LIMIT 1", -1, &st_probe, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot read the imported accounts");
		goto cleanup;
	}
	sqlite3_bind_text(st_any, 1, pb, -1, SQLITE_STATIC);
	if ((rc = has_row(db, st_any, any, err)) < 0)
		goto cleanup;
	/* the periods with facts, one index step each */
	for (;;) {
		sqlite3_bind_text(st_next, 1, np ? periods[np - 1] : "", -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st_next);
		if (rc != SQLITE_ROW)
			break;
		if (np == ap) {
			ap = ap ? ap * 2 : 16;
			periods = xreallocarray(periods, ap, sizeof(*periods));
		}
		snprintf(periods[np], PERIOD_BUFSZ, "%s", store_col_text_int(st_next, 0));
		np++;
		sqlite3_reset(st_next);
	}
	sqlite3_reset(st_next);
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot read the imported periods");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		int64_t id;
		sqlite3_bind_text(st_id, 1, accounts[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st_id);
		id = rc == SQLITE_ROW ? sqlite3_column_int64(st_id, 0) : -1;
		sqlite3_reset(st_id);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot read the imported accounts");
			goto cleanup;
		}
		if (id < 0)
			continue;       /* in no import at all */
		sqlite3_bind_int64(st_probe, 2, id);
		sqlite3_bind_text(st_probe, 1, pb, -1, SQLITE_STATIC);
		if ((rc = has_row(db, st_probe, &yes, err)) < 0)
			goto cleanup;
		in_period[i] = ever[i] = (unsigned char)yes;
		for (k = 0; !ever[i] && k < np; k++) {
			sqlite3_bind_text(st_probe, 1, periods[k], -1, SQLITE_STATIC);
			if ((rc = has_row(db, st_probe, &yes, err)) < 0)
				goto cleanup;
			ever[i] = (unsigned char)yes;
		}
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st_any);
	sqlite3_finalize(st_next);
	sqlite3_finalize(st_id);
	sqlite3_finalize(st_probe);
	free(periods);
	store_read_end_int(s, began);
	return rc;
}
