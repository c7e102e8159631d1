/*
 * facts.c: the SQL of CUR facts — an import batch written in one
 * transaction (delete the restated (payer, period), insert the new facts in
 * multi-row INSERTs), and the reading queries behind `periods`, `accounts`,
 * `summary` and the rating engine's walk over a period's facts.
 *
 * Not for: deciding what a fact is (src/import aggregates rows) or what it
 * costs a customer (src/rate).
 */
#include "store/store_facts.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/hmap.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Rows per multi-row INSERT: fewer statement steps, within SQLite's
 * parameter limit (22 columns x 64 rows). FACT_COLS and RES_COLS are the
 * stored tables' columns (schema v10). */
#define BATCH_ROWS 64
#define FACT_COLS 22
#define RES_COLS 14
#define AMOUNT_COLS "usage_amount, unblended, ondemand, effective, usage_amount_hi," \
	" unblended_hi, ondemand_hi, effective_hi"

/* A fact dictionary being written (schema v10): strings seen in this batch
 * and their ids, found or inserted on first sight. */
struct dict_w {
	struct hmap map;
	int64_t *ids;
	size_t alloc;
	sqlite3_stmt *find, *ins;
};

/* A pending multi-row INSERT: values are copied into C memory until the
 * statement for BATCH_ROWS rows (or the remainder at flush) binds them. */
struct pending_val {
	int is_int;                /* 0 text, 1 integer, 2 NULL */
	int64_t i;
	size_t off, len;
};

struct pending {
	const char *table;
	const char *cols;          /* "(a, b, ...)" */
	int ncols;
	sqlite3_stmt *full;        /* prepared for BATCH_ROWS rows, lazily */
	struct pending_val vals[BATCH_ROWS * FACT_COLS];
	int nvals;
	char *text;
	size_t tlen, talloc;
};

struct replaced_pp {
	char *payer;
	int period;
	int64_t import_id;
};

struct store_batch {
	struct store *s;
	sqlite3 *db;
	char imported_at[32];
	sqlite3_stmt *exists, *del_facts, *del_res, *del_notes, *ins_import, *ins_file,
		*ins_note, *tag_find, *tag_ins;
	struct pending facts, res, items;
	int tag_hits;              /* the last tag set looked up was there already */
	struct replaced_pp *pps;
	size_t npps, alloc;
	size_t last;               /* index of the last pp found (cache) */
	int64_t max_tagset;        /* every tag set id 0..max_tagset exists */
	struct dict_w accounts, dims;
	size_t last_dim[11];       /* per fact field: the dictionary entry of the last fact + 1 */
	int fk_off;                /* foreign_keys is off for the batch: turn it on after */
};

static int prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, struct rb_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	return 0;
}

/* Steps a statement that returns no rows, then resets it. */
static int run(sqlite3 *db, sqlite3_stmt *st, struct rb_err *err, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail_int(db, err, "%s", what);
	return 0;
}

static void fmt_amount(char buf[DEC_BUFSZ], rb_i128 v)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, DEC_SCALE);
}

static int bind_amount(sqlite3_stmt *st, int i, rb_i128 v)
{
	char buf[DEC_BUFSZ];
	fmt_amount(buf, v);
	return sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

static int bind_period(sqlite3_stmt *st, int i, int period)
{
	char buf[PERIOD_BUFSZ];
	period_format(buf, period);
	return sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

/* ---- pending multi-row inserts ---- */

static void pending_init(struct pending *p, const char *table, const char *cols, int ncols)
{
	memset(p, 0, sizeof(*p));
	p->table = table;
	p->cols = cols;
	p->ncols = ncols;
}

static void pending_release(struct pending *p)
{
	sqlite3_finalize(p->full);
	free(p->text);
	p->full = NULL;
	p->text = NULL;
}

static void pending_textn(struct pending *p, const char *s, size_t n)
{
	struct pending_val *v = &p->vals[p->nvals++];
	if (p->tlen + n > p->talloc) {
		p->talloc = (p->tlen + n) * 2 + 4096;
		p->text = xrealloc(p->text, p->talloc);
	}
	memcpy(p->text + p->tlen, s, n);
	v->is_int = 0;
	v->off = p->tlen;
	v->len = n;
	p->tlen += n;
}

static void pending_text(struct pending *p, const char *s)
{
	pending_textn(p, s, strlen(s));
}

static void pending_int(struct pending *p, int64_t i)
{
	struct pending_val *v = &p->vals[p->nvals++];
	v->is_int = 1;
	v->i = i;
}

/* Queues amounts v[0..4) as the stored pairs: the four lo parts, then the
 * four hi parts (NULL when 0). An amount too large for a pair is refused,
 * never rounded: -1 with *bad set to it, nothing queued (the caller names
 * the fact; its message is built only then). */
static int pending_units(struct pending *p, const rb_i128 v[4], rb_i128 *bad)
{
	int64_t lo[4], hi[4];
	int i;
	for (i = 0; i < 4; i++)
		if (store_amount_split_int(&lo[i], &hi[i], v[i]) < 0) {
			*bad = v[i];
			return -1;
		}
	for (i = 0; i < 4; i++)
		pending_int(p, lo[i]);
	for (i = 0; i < 4; i++) {
		struct pending_val *pv = &p->vals[p->nvals++];
		pv->is_int = hi[i] ? 1 : 2;
		pv->i = hi[i];
	}
	return 0;
}

/* ---- dictionaries ---- */

static int dict_w_init(struct dict_w *d, sqlite3 *db, const char *table, const char *col,
	struct rb_err *err)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ?", table, col);
	if ((sqlite3_prepare_v2(db, sql, -1, &d->find, NULL)) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (?)", table, col);
	if ((sqlite3_prepare_v2(db, sql, -1, &d->ins, NULL)) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	return 0;
}

static void dict_w_release(struct dict_w *d)
{
	hmap_release(&d->map);
	free(d->ids);
	sqlite3_finalize(d->find);
	sqlite3_finalize(d->ins);
}

/* The id of s in d: from this batch's map, else from the table, else a
 * new row. */
static int dict_w_id(sqlite3 *db, struct dict_w *d, const char *s, int64_t *out,
	struct rb_err *err)
{
	size_t len = strlen(s), i;
	int added, rc;

	i = hmap_put(&d->map, s, len, &added);
	if (!added) {
		*out = d->ids[i];
		return 0;
	}
	if (i >= d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 256;
		d->ids = xreallocarray(d->ids, d->alloc, sizeof(*d->ids));
	}
	d->ids[i] = -1;
	sqlite3_bind_text(d->find, 1, s, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(d->find);
	if (rc == SQLITE_ROW)
		d->ids[i] = sqlite3_column_int64(d->find, 0);
	sqlite3_reset(d->find);
	sqlite3_clear_bindings(d->find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot look up a fact dimension");
	if (rc == SQLITE_DONE) {
		sqlite3_bind_text(d->ins, 1, s, (int)len, SQLITE_STATIC);
		if ((rc = run(db, d->ins, err, "cannot insert a fact dimension")) < 0)
			return rc;
		sqlite3_clear_bindings(d->ins);
		d->ids[i] = sqlite3_last_insert_rowid(db);
	}
	*out = d->ids[i];
	return 0;
}

static char *insert_sql(const struct pending *p, int rows)
{
	size_t cap = 64 + strlen(p->table) + strlen(p->cols) + (size_t)rows * (size_t)p->ncols * 3;
	char *sql = xmalloc(cap);
	/* OR FAIL: a failing row stops the statement without SQLite undoing its
	 * earlier rows; every caller then rolls the whole transaction back, so
	 * the statement journal that ABORT needs would be pure cost */
	size_t n = (size_t)snprintf(sql, cap, "INSERT OR FAIL INTO %s %s VALUES ", p->table,
		p->cols);
	int r, c;
	for (r = 0; r < rows; r++) {
		sql[n++] = r ? ',' : ' ';
		sql[n++] = '(';
		for (c = 0; c < p->ncols; c++) {
			if (c)
				sql[n++] = ',';
			sql[n++] = '?';
		}
		sql[n++] = ')';
	}
	sql[n] = 0;
	return sql;
}

/* Inserts the pending rows (all of them). */
static int pending_flush(sqlite3 *db, struct pending *p, struct rb_err *err)
{
	int rows = p->nvals / p->ncols, i, rc = 0;
	sqlite3_stmt *st = NULL;
	char *sql = NULL;

	if (rows == 0)
		return 0;
	if (rows == BATCH_ROWS && p->full) {
		st = p->full;
	} else {
		sql = insert_sql(p, rows);
		rc = prepare(db, &st, sql, err);
		free(sql);
		if (rc < 0)
			return rc;
		if (rows == BATCH_ROWS)
			p->full = st;
	}
	for (i = 0; i < p->nvals; i++) {
		const struct pending_val *v = &p->vals[i];
		if (v->is_int == 2)
			sqlite3_bind_null(st, i + 1);
		else if (v->is_int)
			sqlite3_bind_int64(st, i + 1, v->i);
		else
			sqlite3_bind_text(st, i + 1, p->text + v->off, (int)v->len, SQLITE_STATIC);
	}
	rc = run(db, st, err, p->table);
	sqlite3_clear_bindings(st);
	if (st != p->full)
		sqlite3_finalize(st);
	p->nvals = 0;
	p->tlen = 0;
	return rc;
}

/* ---- batch ---- */

static void batch_free(struct store_batch *b)
{
	size_t i;
	if (!b)
		return;
	if (b->fk_off) {
		struct rb_err ignore;
		store_exec_int(b->s, "PRAGMA foreign_keys = ON", &ignore);
	}
	sqlite3_finalize(b->exists);
	sqlite3_finalize(b->del_facts);
	sqlite3_finalize(b->del_res);
	sqlite3_finalize(b->del_notes);
	sqlite3_finalize(b->ins_import);
	sqlite3_finalize(b->ins_file);
	sqlite3_finalize(b->ins_note);
	sqlite3_finalize(b->tag_find);
	sqlite3_finalize(b->tag_ins);
	pending_release(&b->facts);
	pending_release(&b->res);
	pending_release(&b->items);
	dict_w_release(&b->accounts);
	dict_w_release(&b->dims);
	for (i = 0; i < b->npps; i++)
		free(b->pps[i].payer);
	free(b->pps);
	free(b);
}

static int max_tagset_id(int64_t *out, sqlite3 *db, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	*out = 0;
	if ((rc = prepare(db, &st, "SELECT COALESCE(MAX(id), 0) FROM tagsets", err)) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = store_fail_int(db, err, "cannot read the tag sets");
	sqlite3_finalize(st);
	return rc;
}

int store_batch_begin(struct store_batch **out, struct store *s, const char *imported_at,
	struct rb_err *err)
{
	struct store_batch *b = xcalloc(1, sizeof(*b));
	sqlite3 *db = store_db_int(s);
	int rc;

	*out = NULL;
	b->s = s;
	b->db = db;
	snprintf(b->imported_at, sizeof(b->imported_at), "%s", imported_at);
	pending_init(&b->facts, "fact_rows",
		"(period, day_id, payer_id, account_id, type_id, class_id, product_id,"
		" product_name_id, usage_type_id, operation_id, region_id, owner_id, tagset_id, rows,"
		" " AMOUNT_COLS ")", FACT_COLS);
	pending_init(&b->res, "resource_fact_rows",
		"(period, payer_id, account_id, resource_id, product_id, rows, " AMOUNT_COLS ")",
		RES_COLS);
	pending_init(&b->items, "tagset_items", "(tagset_id, key, value)", 3);
	hmap_init(&b->accounts.map);
	hmap_init(&b->dims.map);
	if ((rc = dict_w_init(&b->accounts, db, "fact_accounts", "account", err)) < 0 ||
	    (rc = dict_w_init(&b->dims, db, "fact_dims", "value", err)) < 0)
		goto fail;
	if ((rc = prepare(db, &b->exists,
			"SELECT EXISTS (SELECT 1 FROM fact_rows WHERE period = ?1 AND payer_id ="
			" (SELECT id FROM fact_accounts WHERE account = ?2))"
			" OR EXISTS (SELECT 1 FROM imports WHERE period = ?1 AND payer = ?2)", err)) < 0 ||
	    (rc = prepare(db, &b->del_facts,
			"DELETE FROM fact_rows WHERE period = ?1 AND payer_id ="
			" (SELECT id FROM fact_accounts WHERE account = ?2)", err)) < 0 ||
	    (rc = prepare(db, &b->del_res,
			"DELETE FROM resource_fact_rows WHERE period = ?1 AND payer_id ="
			" (SELECT id FROM fact_accounts WHERE account = ?2)", err)) < 0 ||
	    (rc = prepare(db, &b->del_notes,
			"DELETE FROM import_notes WHERE period = ? AND payer = ?", err)) < 0 ||
	    (rc = prepare(db, &b->ins_import,
			"INSERT INTO imports (payer, period, imported_at, rows, unblended)"
			" VALUES (?, ?, ?, ?, ?)", err)) < 0 ||
	    (rc = prepare(db, &b->ins_file,
			"INSERT INTO import_files (import_id, path, size, assembly_id, rows)"
			" VALUES (?, ?, ?, ?, ?)", err)) < 0 ||
	    (rc = prepare(db, &b->ins_note,
			"INSERT INTO import_notes (payer, period, kind, name, rows, unblended)"
			" VALUES (?, ?, ?, ?, ?, ?)", err)) < 0 ||
	    (rc = prepare(db, &b->tag_find, "SELECT id FROM tagsets WHERE canon = ?", err)) < 0 ||
	    (rc = prepare(db, &b->tag_ins, "INSERT INTO tagsets (canon) VALUES (?)"
			" ON CONFLICT (canon) DO NOTHING", err)) < 0)
		goto fail;
	/* Foreign keys are checked here, not by SQLite, while the batch is
	 * written: with them on, every multi-row INSERT into facts may abort
	 * half-way on its tag set reference, so SQLite keeps a statement journal
	 * of each page it touches, which spilled to a temp file (274k of the
	 * import's 399k writes). The batch's only reference is facts.tagset_id:
	 * tag sets are never deleted and get ids in order, so ids 0..MAX(id)
	 * all exist and store_batch_fact checks the range. (The PRAGMA works
	 * outside a transaction only; inside one, keys stay on, just slower.) */
	if (sqlite3_get_autocommit(db)) {
		if ((rc = store_exec_int(s, "PRAGMA foreign_keys = OFF", err)) < 0)
			goto fail;
		b->fk_off = 1;
	}
	if ((rc = store_begin(s, err)) < 0)
		goto fail;
	if ((rc = max_tagset_id(&b->max_tagset, db, err)) < 0) {
		store_rollback(s);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	batch_free(b);
	return rc;
}

static struct replaced_pp *find_pp(struct store_batch *b, const char *payer, int period)
{
	size_t i;
	if (b->last < b->npps && b->pps[b->last].period == period &&
	    !strcmp(b->pps[b->last].payer, payer))
		return &b->pps[b->last];
	for (i = 0; i < b->npps; i++)
		if (b->pps[i].period == period && !strcmp(b->pps[i].payer, payer)) {
			b->last = i;
			return &b->pps[i];
		}
	return NULL;
}

static int need_pp(struct store_batch *b, struct replaced_pp **out, const char *payer,
	int period, struct rb_err *err)
{
	char p[PERIOD_BUFSZ];
	*out = find_pp(b, payer, period);
	if (*out)
		return 0;
	period_format(p, period);
	return rb_err_set(err, RB_EIO, "import batch: payer '%s' period %s was not declared",
		payer, p);
}

int store_batch_previous(struct store_batch *b, const char *payer, int period, int *had,
	int64_t *rows, rb_i128 *unblended, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*had = 0;
	*rows = 0;
	*unblended = 0;
	if ((rc = prepare(b->db, &st, "SELECT rows, unblended FROM imports"
			" WHERE period = ? AND payer = ? ORDER BY id DESC LIMIT 1", err)) < 0)
		return rc;
	bind_period(st, 1, period);
	sqlite3_bind_text(st, 2, payer, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		*had = 1;
		*rows = sqlite3_column_int64(st, 0);
		if (!t || dec_parse(unblended, t, strlen(t), DEC_SCALE) != DEC_OK)
			rc = store_fail_int(b->db, err, "bad unblended total in imports");
		else
			rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_fail_int(b->db, err, "cannot read the previous import");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_batch_replace(struct store_batch *b, const char *payer, int period, int64_t rows,
	rb_i128 unblended, int *replaced, struct rb_err *err)
{
	struct replaced_pp *pp;
	int rc, had = 0;

	if (find_pp(b, payer, period)) {
		char p[PERIOD_BUFSZ];
		period_format(p, period);
		return rb_err_set(err, RB_EIO, "import batch: payer '%s' period %s declared twice",
			payer, p);
	}
	bind_period(b->exists, 1, period);
	sqlite3_bind_text(b->exists, 2, payer, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(b->exists);
	if (rc == SQLITE_ROW)
		had = sqlite3_column_int(b->exists, 0);
	sqlite3_reset(b->exists);
	if (rc != SQLITE_ROW)
		return store_fail_int(b->db, err, "cannot look up existing facts");
	if (replaced)
		*replaced = had;
	if (had) {
		sqlite3_stmt *dels[3] = { b->del_facts, b->del_res, b->del_notes };
		int i;
		for (i = 0; i < 3; i++) {
			bind_period(dels[i], 1, period);
			sqlite3_bind_text(dels[i], 2, payer, -1, SQLITE_TRANSIENT);
			if ((rc = run(b->db, dels[i], err, "cannot delete restated facts")) < 0)
				return rc;
		}
	}
	sqlite3_bind_text(b->ins_import, 1, payer, -1, SQLITE_TRANSIENT);
	bind_period(b->ins_import, 2, period);
	sqlite3_bind_text(b->ins_import, 3, b->imported_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(b->ins_import, 4, rows);
	bind_amount(b->ins_import, 5, unblended);
	if ((rc = run(b->db, b->ins_import, err, "cannot record the import")) < 0)
		return rc;
	if (b->npps == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 8;
		b->pps = xreallocarray(b->pps, b->alloc, sizeof(*b->pps));
	}
	pp = &b->pps[b->npps++];
	pp->payer = xstrdup(payer);
	pp->period = period;
	pp->import_id = sqlite3_last_insert_rowid(b->db);
	return 0;
}

int store_batch_provider(struct store_batch *b, const char *payer, int period,
	const char *provider, struct rb_err *err)
{
	struct replaced_pp *pp;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = need_pp(b, &pp, payer, period, err)) < 0)
		return rc;
	if ((rc = prepare(b->db, &st, "UPDATE imports SET provider = ? WHERE id = ?", err)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, provider, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, pp->import_id);
	rc = run(b->db, st, err, "cannot record the provider");
	sqlite3_finalize(st);
	return rc;
}

int store_batch_currency(struct store_batch *b, const char *payer, int period,
	const char *currency, struct rb_err *err)
{
	struct replaced_pp *pp;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = need_pp(b, &pp, payer, period, err)) < 0)
		return rc;
	if ((rc = prepare(b->db, &st, "UPDATE imports SET currency = ? WHERE id = ?", err)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, pp->import_id);
	rc = run(b->db, st, err, "cannot record the currency");
	sqlite3_finalize(st);
	return rc;
}

/* Looks canon up in tagsets: 1 found (*out), 0 not there. */
static int tagset_find(struct store_batch *b, int64_t *out, const char *canon, size_t len,
	struct rb_err *err)
{
	int rc;
	sqlite3_bind_text(b->tag_find, 1, canon, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(b->tag_find);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(b->tag_find, 0);
	sqlite3_reset(b->tag_find);
	sqlite3_clear_bindings(b->tag_find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail_int(b->db, err, "cannot look up a tag set");
	return rc == SQLITE_ROW;
}

int store_batch_tagset(struct store_batch *b, int64_t *out, const char *canon,
	struct rb_err *err)
{
	struct pending *items = &b->items;
	const char *p, *prev_key = NULL;
	size_t prev_len = 0, len = strlen(canon);
	int64_t id;
	int rc, start;

	*out = 0;
	if (!*canon)
		return 0;
	/* A set already stored costs a lookup; a new one an insert, whose
	 * UNIQUE check is the lookup. Which comes first follows the last set:
	 * a restated month finds its sets, a new month mostly adds. */
	if (b->tag_hits && (rc = tagset_find(b, out, canon, len, err)) != 0)
		return rc < 0 ? rc : 0;
	sqlite3_bind_text(b->tag_ins, 1, canon, (int)len, SQLITE_STATIC);
	rc = run(b->db, b->tag_ins, err, "cannot insert a tag set");
	sqlite3_clear_bindings(b->tag_ins);
	if (rc < 0)
		return rc;
	if (sqlite3_changes(b->db) == 0) {   /* there already */
		b->tag_hits = 1;
		if ((rc = tagset_find(b, out, canon, len, err)) < 0)
			return rc;
		return rc ? 0 : rb_err_set(err, RB_EIO, "a tag set is neither stored nor new");
	}
	b->tag_hits = 0;
	id = sqlite3_last_insert_rowid(b->db);
	if (id > b->max_tagset)
		b->max_tagset = id;
	/* its items, queued for multi-row inserts (written before the commit) */
	start = items->nvals;
	for (p = canon; *p;) {
		const char *end = strchr(p, '\x1e'), *sep;
		size_t n, klen;
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		sep = memchr(p, '\x1f', n);
		if (!sep) {
			items->nvals = start;
			return rb_err_set(err, RB_EINPUT, "tag set '%.*s': a pair without a value",
				(int)n, p);
		}
		klen = (size_t)(sep - p);
		if (prev_key) {
			size_t m = klen < prev_len ? klen : prev_len;
			int c = memcmp(prev_key, p, m);
			if (c > 0 || (c == 0 && prev_len >= klen)) {
				items->nvals = start;
				return rb_err_set(err, RB_EINPUT,
					"tag set: keys not strictly increasing at '%.*s'", (int)klen, p);
			}
		}
		prev_key = p;
		prev_len = klen;
		p = *end ? end + 1 : end;
	}
	for (p = canon; *p;) {
		const char *end = strchr(p, '\x1e'), *sep;
		size_t n;
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		sep = memchr(p, '\x1f', n);
		pending_int(items, id);
		pending_textn(items, p, (size_t)(sep - p));
		pending_textn(items, sep + 1, n - (size_t)(sep - p) - 1);
		if (items->nvals == BATCH_ROWS * items->ncols &&
		    (rc = pending_flush(b->db, items, err)) < 0)
			return rc;
		p = *end ? end + 1 : end;
	}
	*out = id;
	return 0;
}

/* Queues f as a fact_rows row: its strings as dictionary ids. */
static int pend_fact_row(struct store_batch *b, const struct store_fact *f, struct rb_err *err)
{
	struct pending *p = &b->facts;
	const char *strs[11] = { f->day, f->fact.payer, f->fact.account, f->fact.line_item_type,
		cur_class_name(f->fact.cls), f->fact.product_code, f->fact.product_name,
		f->fact.usage_type, f->fact.operation, f->fact.region, f->fact.owner };
	int64_t ids[11];
	rb_i128 amt[4] = { f->usage_amount, f->fact.unblended, f->fact.ondemand, f->fact.effective };
	char per[PERIOD_BUFSZ];
	rb_i128 bad;
	int i, rc, start = p->nvals;

	for (i = 0; i < 11; i++) {
		struct dict_w *d = i == 1 || i == 2 || i == 10 ? &b->accounts : &b->dims;
		const char *v = strs[i] ? strs[i] : "";
		size_t last = b->last_dim[i];
		/* facts come grouped by payer and account: most fields repeat */
		if (last && !strcmp(d->map.e[last - 1].key, v)) {
			ids[i] = d->ids[last - 1];
			continue;
		}
		if ((rc = dict_w_id(b->db, d, v, &ids[i], err)) < 0)
			return rc;
		b->last_dim[i] = hmap_find(&d->map, v, strlen(v)) + 1;
	}
	period_format(per, f->period);
	pending_text(p, per);
	for (i = 0; i < 11; i++)
		pending_int(p, ids[i]);
	pending_int(p, f->tagset_id);
	pending_int(p, f->fact.rows);
	if (pending_units(p, amt, &bad) < 0) {
		char buf[DEC_BUFSZ];
		fmt_amount(buf, bad);
		p->nvals = start;
		return rb_err_set(err, RB_EINPUT, "payer %s account %s %s: the amount %s is too large"
			" to store exactly (the limit is about 9.2e26)", f->fact.payer, f->fact.account,
			f->day, buf);
	}
	return 0;
}

int store_batch_fact(struct store_batch *b, const struct store_fact *f, struct rb_err *err)
{
	struct pending *p = &b->facts;
	struct replaced_pp *pp;
	int rc;

	if ((rc = need_pp(b, &pp, f->fact.payer, f->period, err)) < 0)
		return rc;
	if (f->tagset_id < 0 || f->tagset_id > b->max_tagset)
		return rb_err_set(err, RB_EIO, "import batch: a fact names tag set %lld, which does not exist",
			(long long)f->tagset_id);
	if ((rc = pend_fact_row(b, f, err)) < 0)
		return rc;
	if (p->nvals == BATCH_ROWS * p->ncols)
		return pending_flush(b->db, p, err);
	return 0;
}

/* Queues f as a resource_fact_rows row. */
static int pend_resource_row(struct store_batch *b, const struct store_resource_fact *f,
	struct rb_err *err)
{
	struct pending *p = &b->res;
	int64_t payer, account, product;
	rb_i128 amt[4] = { f->sum.usage_amount, f->sum.unblended, f->sum.ondemand,
		f->sum.effective };
	char per[PERIOD_BUFSZ];
	rb_i128 bad;
	int rc, start = p->nvals;

	if ((rc = dict_w_id(b->db, &b->accounts, f->payer, &payer, err)) < 0 ||
	    (rc = dict_w_id(b->db, &b->accounts, f->account, &account, err)) < 0 ||
	    (rc = dict_w_id(b->db, &b->dims, f->product_code, &product, err)) < 0)
		return rc;
	period_format(per, f->period);
	pending_text(p, per);
	pending_int(p, payer);
	pending_int(p, account);
	pending_text(p, f->resource_id);
	pending_int(p, product);
	pending_int(p, f->sum.rows);
	if (pending_units(p, amt, &bad) < 0) {
		char buf[DEC_BUFSZ];
		fmt_amount(buf, bad);
		p->nvals = start;
		return rb_err_set(err, RB_EINPUT, "payer %s account %s resource %s %s: the amount %s is"
			" too large to store exactly (the limit is about 9.2e26)", f->payer, f->account,
			f->resource_id, per, buf);
	}
	return 0;
}

int store_batch_resource(struct store_batch *b, const struct store_resource_fact *f,
	struct rb_err *err)
{
	struct pending *p = &b->res;
	struct replaced_pp *pp;
	int rc;

	if ((rc = need_pp(b, &pp, f->payer, f->period, err)) < 0)
		return rc;
	if ((rc = pend_resource_row(b, f, err)) < 0)
		return rc;
	if (p->nvals == BATCH_ROWS * p->ncols)
		return pending_flush(b->db, p, err);
	return 0;
}

int store_batch_file(struct store_batch *b, const char *payer, int period, const char *path,
	uint64_t size, const char *assembly_id, int64_t rows, struct rb_err *err)
{
	struct replaced_pp *pp;
	int rc;

	if ((rc = need_pp(b, &pp, payer, period, err)) < 0)
		return rc;
	sqlite3_bind_int64(b->ins_file, 1, pp->import_id);
	sqlite3_bind_text(b->ins_file, 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(b->ins_file, 3, (int64_t)size);
	sqlite3_bind_text(b->ins_file, 4, assembly_id ? assembly_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(b->ins_file, 5, rows);
	return run(b->db, b->ins_file, err, "cannot record an imported file");
}

int store_batch_note(struct store_batch *b, const char *payer, int period, const char *kind,
	const char *name, int64_t rows, rb_i128 unblended, struct rb_err *err)
{
	struct replaced_pp *pp;
	int rc;

	if ((rc = need_pp(b, &pp, payer, period, err)) < 0)
		return rc;
	sqlite3_bind_text(b->ins_note, 1, payer, -1, SQLITE_TRANSIENT);
	bind_period(b->ins_note, 2, period);
	sqlite3_bind_text(b->ins_note, 3, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(b->ins_note, 4, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(b->ins_note, 5, rows);
	bind_amount(b->ins_note, 6, unblended);
	return run(b->db, b->ins_note, err, "cannot record an import note");
}

int store_batch_commit(struct store_batch *b, struct rb_err *err)
{
	int rc;
	if ((rc = pending_flush(b->db, &b->facts, err)) < 0 ||
	    (rc = pending_flush(b->db, &b->res, err)) < 0 ||
	    (rc = pending_flush(b->db, &b->items, err)) < 0 ||
	    (rc = store_commit(b->s, err)) < 0) {
		store_batch_abort(b);
		return rc;
	}
	batch_free(b);
	return 0;
}

void store_batch_abort(struct store_batch *b)
{
	if (!b)
		return;
	store_rollback(b->s);
	batch_free(b);
}

/* ---- reading ---- */

static char *col_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return xstrdup(t ? t : "");
}

/* Reads rows, unblended, ondemand, effective from columns col..col+3. */
static int col_sums(struct store_sum *sum, sqlite3_stmt *st, int col)
{
	memset(sum, 0, sizeof(*sum));
	sum->rows = sqlite3_column_int64(st, col);
	if (store_col_amount_int(&sum->unblended, st, col + 1) < 0 ||
	    store_col_amount_int(&sum->ondemand, st, col + 2) < 0 ||
	    store_col_amount_int(&sum->effective, st, col + 3) < 0)
		return -1;
	return 0;
}

/* The sums of fact_rows (stored pairs), and of a grouped subquery's. */
#define SUMS "SUM(rows), dec_sum(unblended, unblended_hi), dec_sum(ondemand, ondemand_hi)," \
	" dec_sum(effective, effective_hi)"
#define SUMS_AS "SUM(rows) AS r, dec_sum(unblended, unblended_hi) AS u," \
	" dec_sum(ondemand, ondemand_hi) AS o, dec_sum(effective, effective_hi) AS e"
#define GSUMS "SUM(g.r), dec_sum(g.u), dec_sum(g.o), dec_sum(g.e)"

int store_period_list(struct store_period_info **out, size_t *n, struct store *s,
	struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_period_info *v = NULL;
	size_t cnt = 0, alloc = 0;
	char prev[PERIOD_BUFSZ] = "";
	int rc;

	*out = NULL;
	*n = 0;
	/* the next period after prev, along the (period, account_id) index */
	if ((rc = prepare(db, &st, "SELECT period FROM fact_rows WHERE period > ?1"
			" ORDER BY period LIMIT 1", err)) < 0)
		return rc;
	for (;;) {
		const char *p;
		sqlite3_bind_text(st, 1, prev, -1, SQLITE_TRANSIENT);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		p = (const char *)sqlite3_column_text(st, 0);
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		if (!p || strlen(p) >= sizeof(prev) || period_parse(&v[cnt].period, p, strlen(p)) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad period");
			goto fail;
		}
		snprintf(prev, sizeof(prev), "%s", p);
		cnt++;
		sqlite3_reset(st);
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot list periods");
		goto fail;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return 0;
fail:
	sqlite3_finalize(st);
	free(v);
	return rc;
}

/* The currency of payer's costs in period (two SQL expressions): its
 * latest import's of the period, USD without one. */
#define PAYER_CURRENCY(payer, period) \
	"COALESCE((SELECT currency FROM imports i WHERE i.payer = " payer \
	" AND i.period = " period " ORDER BY i.id DESC LIMIT 1), 'USD')"
/* cur(pid, cc): each payer id of period ?1 with its currency. */
#define PAYER_CURRENCIES_CTE \
	"WITH cur(pid, cc) AS (SELECT a.id, " PAYER_CURRENCY("a.account", "?1") \
	" FROM fact_accounts a WHERE a.account IN (SELECT payer FROM imports WHERE period = ?1)) "

/* The currencies of period's payers (each payer's latest import), sorted;
 * at most 8 kept, *n counts them all. */
static int period_currencies(sqlite3 *db, int period, char cur[][4], size_t max, size_t *n,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = prepare(db, &st,
			"SELECT DISTINCT " PAYER_CURRENCY("p.payer", "?1") " AS c"
			" FROM (SELECT DISTINCT payer FROM imports WHERE period = ?1) p ORDER BY c",
			err)) < 0)
		return rc;
	bind_period(st, 1, period);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (*n < max)
			snprintf(cur[*n], 4, "%s", c ? c : "USD");
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot read the period's currencies");
	return 0;
}

/* Reads rows of (period, currency or NULL, payers, accounts, SUMS) into *v. */
static int period_rows(sqlite3_stmt *st, struct store_period_info **v, size_t *cnt,
	size_t *alloc, sqlite3 *db, struct rb_err *err)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		const char *c = (const char *)sqlite3_column_text(st, 1);
		struct store_period_info *e;
		if (*cnt == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 16;
			*v = xreallocarray(*v, *alloc, sizeof(**v));
		}
		e = &(*v)[*cnt];
		memset(e, 0, sizeof(*e));
		if (!p || period_parse(&e->period, p, strlen(p)) < 0 || col_sums(&e->sum, st, 4) < 0)
			return rb_err_set(err, RB_EIO, "database: a fact holds a bad period or amount");
		snprintf(e->currency, sizeof(e->currency), "%s", c ? c : "USD");
		e->payers = sqlite3_column_int64(st, 2);
		e->accounts = sqlite3_column_int64(st, 3);
		(*cnt)++;
	}
	if (rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot list periods");
	return 0;
}

int store_periods(struct store_period_info **out, size_t *n, struct store *s,
	struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL, *split = NULL;
	struct store_period_info *v = NULL, *w = NULL;
	size_t cnt = 0, alloc = 0, wn = 0, walloc = 0, i, ncur;
	char one[8][4];
	int rc;

	*out = NULL;
	*n = 0;
	/* one pass over every fact sums each period as a whole ... */
	if ((rc = prepare(db, &st,
			"SELECT period, NULL, COUNT(DISTINCT payer_id), COUNT(DISTINCT account_id), " SUMS
			" FROM fact_rows GROUP BY period ORDER BY period", err)) < 0 ||
	    (rc = period_rows(st, &v, &cnt, &alloc, db, err)) < 0)
		goto done;
	/* ... and only a period whose payers bill in several currencies is
	 * summed again, per currency (a join of every fact with its payer's) */
	for (i = 0; i < cnt; i++) {
		if ((rc = period_currencies(db, v[i].period, one, 8, &ncur, err)) < 0)
			goto done;
		if (ncur > 1) {
			if (!split && (rc = prepare(db, &split, PAYER_CURRENCIES_CTE
					"SELECT f.period, COALESCE(c.cc, 'USD') AS cc, COUNT(DISTINCT f.payer_id),"
					" COUNT(DISTINCT f.account_id), " SUMS
					" FROM fact_rows f LEFT JOIN cur c ON c.pid = f.payer_id"
					" WHERE f.period = ?1 GROUP BY cc ORDER BY cc", err)) < 0)
				goto done;
			bind_period(split, 1, v[i].period);
			rc = period_rows(split, &w, &wn, &walloc, db, err);
			sqlite3_reset(split);
			if (rc < 0)
				goto done;
			continue;
		}
		if (wn == walloc) {
			walloc = walloc ? walloc * 2 : 16;
			w = xreallocarray(w, walloc, sizeof(*w));
		}
		w[wn] = v[i];
		memcpy(w[wn].currency, ncur ? one[0] : "USD", 4);
		wn++;
	}
	*out = w;
	*n = wn;
	w = NULL;
	rc = 0;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(split);
	free(v);
	free(w);
	return rc;
}

void store_accounts_free(struct store_account_info *a, size_t n)
{
	size_t i;
	if (!a)
		return;
	for (i = 0; i < n; i++) {
		free(a[i].payer);
		free(a[i].account);
	}
	free(a);
}

static int accounts_one_pass(struct store_account_info **out, size_t *n, sqlite3 *db,
	int period, struct rb_err *err);

int store_accounts(struct store_account_info **out, size_t *n, struct store *s, int period,
	struct rb_err *err)
{
	/* summed in one pass as the summary's groupings are (below) */
	return accounts_one_pass(out, n, store_db_int(s), period, err);
}

void store_groups_free(struct store_group *g, size_t n)
{
	size_t i;
	if (!g)
		return;
	for (i = 0; i < n; i++) {
		free(g[i].key);
		free(g[i].name);
	}
	free(g);
}

static int cmp_group(const void *a, const void *b)
{
	const struct store_group *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->currency, y->currency);
}

/* The sums by one dictionary id (payer, account, region, day, ...): one pass
 * over the period's facts, summed here per (id, payer). In SQL, GROUP BY
 * an id column sorts every fact through a temporary B-tree, and dec_sum is
 * three function calls a fact: on 3 M facts `report reconcile` spent 85 %
 * of its 1.4 s in the payer sums (bench/RESULTS.md). The facts come in
 * account order, so equal keys come in runs and the last key is checked
 * first. A payer's currency is its latest import's of the period (USD
 * without one); with several currencies in the period a key has a group
 * per currency, else one. */
struct id_sum {
	int64_t id, payer;
	struct store_sum sum;
};

static int sum_add(struct store_sum *to, int64_t rows, rb_i128 u, rb_i128 o, rb_i128 e)
{
	if (rows < 0 || to->rows > INT64_MAX - rows || dec_add(&to->unblended, to->unblended, u) != DEC_OK ||
	    dec_add(&to->ondemand, to->ondemand, o) != DEC_OK ||
	    dec_add(&to->effective, to->effective, e) != DEC_OK)
		return -1;
	to->rows += rows;
	return 0;
}

/* The sums of the facts of period (every period when < 0) per (the id in
 * column col, payer id), in the order first seen: *out, *n. */
static int sums_by_id_payer(struct id_sum **out, size_t *n, sqlite3 *db, int period,
	const char *col, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct hmap keys;
	struct id_sum *v = NULL;
	size_t nv = 0, av = 0, last = 0;
	char sql[256];
	int rc;

	*out = NULL;
	*n = 0;
	hmap_init(&keys);
	snprintf(sql, sizeof(sql), "SELECT %s, payer_id, rows, unblended, unblended_hi, ondemand,"
		" ondemand_hi, effective, effective_hi FROM fact_rows%s", col,
		period >= 0 ? " WHERE period = ?1" : "");
	if ((rc = prepare(db, &st, sql, err)) < 0)
		goto fail;
	if (period >= 0)
		bind_period(st, 1, period);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k[2] = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) };
		rb_i128 u, o, e;
		if (!nv || v[last].id != k[0] || v[last].payer != k[1]) {
			int added;
			last = hmap_put(&keys, k, sizeof(k), &added);
			if (added) {
				if (nv == av) {
					av = av ? av * 2 : 64;
					v = xreallocarray(v, av, sizeof(*v));
				}
				memset(&v[nv], 0, sizeof(v[nv]));
				v[nv].id = k[0];
				v[nv].payer = k[1];
				nv++;
			}
		}
		if (store_col_units_int(&u, st, 3, 4) < 0 || store_col_units_int(&o, st, 5, 6) < 0 ||
		    store_col_units_int(&e, st, 7, 8) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad amount");
			goto fail;
		}
		if (sum_add(&v[last].sum, sqlite3_column_int64(st, 2), u, o, e) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a sum of facts is out of range");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot sum facts");
		goto fail;
	}
	*out = v;
	*n = nv;
	v = NULL;
	rc = 0;
fail:
	sqlite3_finalize(st);
	hmap_release(&keys);
	free(v);
	return rc;
}

static int summary_by_id(struct store_group **out, size_t *n, sqlite3 *db, int period,
	const char *col, const char *dict, const char *dict_col, int multi, const char *one_cur,
	struct rb_err *err)
{
	sqlite3_stmt *name = NULL, *cur = NULL;
	struct hmap groups;
	struct id_sum *v = NULL;
	struct store_group *g = NULL;
	struct { int64_t payer; char c[4]; } *pc = NULL;   /* each payer's currency, read once */
	size_t nv = 0, ng = 0, ag = 0, npc = 0, i, j;
	char sql[256];
	int rc;

	hmap_init(&groups);
	if ((rc = sums_by_id_payer(&v, &nv, db, period, col, err)) < 0)
		goto fail;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?1", dict_col, dict);
	if ((rc = prepare(db, &name, sql, err)) < 0 ||
	    (rc = prepare(db, &cur, "SELECT " PAYER_CURRENCY("a.account", "?1")
			" FROM fact_accounts a WHERE a.id = ?2", err)) < 0)
		goto fail;
	bind_period(cur, 1, period);
	/* (id, currency) groups: the payers of one currency summed together */
	for (i = 0; i < nv; i++) {
		char c[4] = "";
		struct { int64_t id; char c[4]; } gk;
		int added;
		size_t gi;
		snprintf(c, sizeof(c), "%s", one_cur);
		for (j = 0; multi && j < npc && pc[j].payer != v[i].payer; j++)
			;
		if (multi && j == npc) {
			sqlite3_bind_int64(cur, 2, v[i].payer);
			if (sqlite3_step(cur) != SQLITE_ROW) {
				rc = store_fail_int(db, err, "database: a fact's payer is not in fact_accounts");
				goto fail;
			}
			pc = xreallocarray(pc, npc + 1, sizeof(*pc));
			pc[npc].payer = v[i].payer;
			snprintf(pc[npc++].c, sizeof(pc[0].c), "%s", (const char *)sqlite3_column_text(cur, 0));
			sqlite3_reset(cur);
		}
		if (multi)
			memcpy(c, pc[j].c, sizeof(c));
		memset(&gk, 0, sizeof(gk));
		gk.id = v[i].id;
		memcpy(gk.c, c, sizeof(c));
		gi = hmap_put(&groups, &gk, sizeof(gk), &added);
		if (added) {
			if (ng == ag) {
				ag = ag ? ag * 2 : 16;
				g = xreallocarray(g, ag, sizeof(*g));
			}
			memset(&g[ng], 0, sizeof(g[ng]));
			sqlite3_bind_int64(name, 1, v[i].id);
			if (sqlite3_step(name) != SQLITE_ROW) {
				rc = store_fail_int(db, err, "database: a fact's key is not in its dictionary");
				goto fail;
			}
			g[ng].key = col_dup(name, 0);
			g[ng].name = xstrdup("");
			memcpy(g[ng].currency, c, sizeof(c));
			sqlite3_reset(name);
			ng++;
		}
		if (sum_add(&g[gi].sum, v[i].sum.rows, v[i].sum.unblended, v[i].sum.ondemand,
				v[i].sum.effective) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a sum of facts is out of range");
			goto fail;
		}
	}
	if (ng > 1)
		qsort(g, ng, sizeof(g[0]), cmp_group);
	*out = g;
	*n = ng;
	g = NULL;
	ng = 0;
	rc = 0;
fail:
	sqlite3_finalize(name);
	sqlite3_finalize(cur);
	hmap_release(&groups);
	free(v);
	free(pc);
	store_groups_free(g, ng);
	return rc;
}

static int cmp_account_info(const void *a, const void *b)
{
	const struct store_account_info *x = a, *y = b;
	int c = strcmp(x->payer, y->payer);
	return c ? c : strcmp(x->account, y->account);
}

/* store_accounts: the sums per (account, payer) of sums_by_id_payer, both
 * named, sorted by payer then account (bytewise). */
/* Each account's currency, its payer's: in the period, or the one of all
 * the payer's periods (RB_EUSAGE when they differ). a is sorted by payer,
 * so each payer is looked up once. */
static int accounts_currencies(struct store_account_info *a, size_t n, sqlite3 *db, int period,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i, j;
	int rc;

	if ((rc = prepare(db, &st,
			"SELECT DISTINCT c FROM (SELECT " PAYER_CURRENCY("?1", "p.period") " AS c"
			" FROM (SELECT DISTINCT period FROM imports WHERE payer = ?1"
			" AND (?2 IS NULL OR period = ?2)) p) ORDER BY c", err)) < 0)
		return rc;
	for (i = 0; i < n; i = j) {
		char cur[4] = "USD", other[4] = "";
		int k = 0;
		sqlite3_bind_text(st, 1, a[i].payer, -1, SQLITE_STATIC);
		if (period >= 0)
			bind_period(st, 2, period);
		else
			sqlite3_bind_null(st, 2);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(st, 0);
			snprintf(k++ ? other : cur, 4, "%s", c ? c : "USD");
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot read a payer's currency");
			break;
		}
		if (k > 1) {
			rc = rb_err_set(err, RB_EUSAGE, "payer %s is billed in %s in some months and %s in "
				"others: its accounts' sums over all periods would add the two; give a period",
				a[i].payer, cur, other);
			break;
		}
		for (j = i; j < n && !strcmp(a[j].payer, a[i].payer); j++)
			memcpy(a[j].currency, cur, 4);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int accounts_one_pass(struct store_account_info **out, size_t *n, sqlite3 *db,
	int period, struct rb_err *err)
{
	sqlite3_stmt *name = NULL;
	struct id_sum *v = NULL;
	struct store_account_info *a = NULL;
	size_t nv = 0, na = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = sums_by_id_payer(&v, &nv, db, period, "account_id", err)) < 0 ||
	    (rc = prepare(db, &name, "SELECT account FROM fact_accounts WHERE id = ?1", err)) < 0)
		goto fail;
	a = xcalloc(nv ? nv : 1, sizeof(*a));
	for (i = 0; i < nv; i++, na++) {
		int64_t ids[2] = { v[i].payer, v[i].id };
		char **to[2] = { &a[i].payer, &a[i].account };
		int j;
		a[i].period = period >= 0 ? period : -1;
		a[i].sum = v[i].sum;
		for (j = 0; j < 2; j++) {
			sqlite3_bind_int64(name, 1, ids[j]);
			if (sqlite3_step(name) != SQLITE_ROW) {
				na++;
				rc = store_fail_int(db, err, "database: a fact's account is not in fact_accounts");
				goto fail;
			}
			*to[j] = col_dup(name, 0);
			sqlite3_reset(name);
		}
	}
	if (na > 1)
		qsort(a, na, sizeof(a[0]), cmp_account_info);
	if ((rc = accounts_currencies(a, na, db, period, err)) < 0)
		goto fail;
	*out = a;
	*n = na;
	a = NULL;
	na = 0;
	rc = 0;
fail:
	sqlite3_finalize(name);
	free(v);
	store_accounts_free(a, na);
	return rc;
}

int store_summary(struct store_group **out, size_t *n, struct store *s, int period,
	enum store_by by, const char *tag_key, struct rb_err *err)
{
	/* each key is an id into a dictionary: sum by id, then name */
	static const char *const cols[] = {
		[STORE_BY_PAYER] = "payer_id",
		[STORE_BY_ACCOUNT] = "account_id",
		[STORE_BY_SERVICE] = "product_id",
		[STORE_BY_REGION] = "region_id",
		[STORE_BY_TYPE] = "type_id",
		[STORE_BY_DAY] = "day_id",
		[STORE_BY_CLASS] = "class_id",
		[STORE_BY_USAGE_TYPE] = "usage_type_id",
		[STORE_BY_OPERATION] = "operation_id",
	};
	/* several currencies: each payer's currency joins every group, which
	 * is summed per (key, currency) */
	static const char cur_cte[] = PAYER_CURRENCIES_CTE;
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_group *v = NULL;
	size_t cnt = 0, alloc = 0, ncur = 0;
	char sql[2048], one[8][4];
	int rc, multi, sums;

	*out = NULL;
	*n = 0;
	if ((rc = period_currencies(db, period, one, 8, &ncur, err)) < 0)
		return rc;
	multi = ncur > 1;
	if (((unsigned)by <= STORE_BY_CLASS && by != STORE_BY_SERVICE) || by == STORE_BY_USAGE_TYPE ||
	    by == STORE_BY_OPERATION)
		return summary_by_id(out, n, db, period, cols[by],
			by == STORE_BY_PAYER || by == STORE_BY_ACCOUNT ? "fact_accounts" : "fact_dims",
			by == STORE_BY_PAYER || by == STORE_BY_ACCOUNT ? "account" : "value", multi,
			ncur ? one[0] : "USD", err);
	sums = multi ? 3 : 2;
	if (by == STORE_BY_TAG)
		snprintf(sql, sizeof(sql), multi
			? "%sSELECT COALESCE(t.value, '') AS k, '', cur.cc, " GSUMS " FROM (SELECT"
			  " tagset_id, payer_id, " SUMS_AS " FROM fact_rows WHERE period = ?1"
			  " GROUP BY tagset_id, payer_id) g"
			  " LEFT JOIN tagset_items t ON t.tagset_id = g.tagset_id AND t.key = ?2"
			  " JOIN cur ON cur.pid = g.payer_id GROUP BY k, cur.cc ORDER BY k, cur.cc"
			: "%sSELECT COALESCE(t.value, '') AS k, '', " GSUMS " FROM (SELECT tagset_id, "
			  SUMS_AS " FROM fact_rows WHERE period = ?1 GROUP BY tagset_id) g"
			  " LEFT JOIN tagset_items t ON t.tagset_id = g.tagset_id AND t.key = ?2"
			  " GROUP BY k ORDER BY k", multi ? cur_cte : "");
	else if (by == STORE_BY_PROVIDER)
		/* a billing account has one provider per period, recorded with
		 * its latest import (FOCUS; "AWS" for CUR) */
		snprintf(sql, sizeof(sql),
			"%sSELECT COALESCE((SELECT provider FROM imports i WHERE i.payer = a.account"
			" AND i.period = ?1 ORDER BY i.id DESC LIMIT 1), '') AS k, ''%s, " GSUMS
			" FROM (SELECT payer_id, " SUMS_AS " FROM fact_rows WHERE period = ?1"
			" GROUP BY payer_id) g JOIN fact_accounts a ON a.id = g.payer_id%s"
			" GROUP BY k%s ORDER BY k%s", multi ? cur_cte : "", multi ? ", cur.cc" : "",
			multi ? " JOIN cur ON cur.pid = g.payer_id" : "", multi ? ", cur.cc" : "",
			multi ? ", cur.cc" : "");
	else if (by == STORE_BY_SERVICE)
		/* the name is the greatest of the code's names, as text */
		snprintf(sql, sizeof(sql),
			"%sSELECT c.value AS k, MAX(n.value)%s, " GSUMS " FROM (SELECT product_id,"
			" product_name_id%s, " SUMS_AS " FROM fact_rows WHERE period = ?1"
			" GROUP BY product_id, product_name_id%s) g JOIN fact_dims c ON c.id = g.product_id"
			" JOIN fact_dims n ON n.id = g.product_name_id%s GROUP BY k%s ORDER BY k%s",
			multi ? cur_cte : "", multi ? ", cur.cc" : "", multi ? ", payer_id" : "",
			multi ? ", payer_id" : "", multi ? " JOIN cur ON cur.pid = g.payer_id" : "",
			multi ? ", cur.cc" : "", multi ? ", cur.cc" : "");
	else
		return rb_err_set(err, RB_EUSAGE, "unknown summary grouping %d", (int)by);
	if ((rc = prepare(db, &st, sql, err)) < 0)
		return rc;
	bind_period(st, 1, period);
	if (by == STORE_BY_TAG)
		sqlite3_bind_text(st, 2, tag_key ? tag_key : "", -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[cnt].key = col_dup(st, 0);
		v[cnt].name = col_dup(st, 1);
		if (multi) {
			const char *c = (const char *)sqlite3_column_text(st, 2);
			snprintf(v[cnt].currency, sizeof(v[cnt].currency), "%s", c ? c : "USD");
		} else {
			snprintf(v[cnt].currency, sizeof(v[cnt].currency), "%s", ncur ? one[0] : "USD");
		}
		cnt++;
		if (col_sums(&v[cnt - 1].sum, st, sums) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad amount");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot sum facts");
		goto fail;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return 0;
fail:
	sqlite3_finalize(st);
	store_groups_free(v, cnt);
	return rc;
}

void store_tag_keys_free(struct store_tag_key *k, size_t n)
{
	size_t i;
	if (!k)
		return;
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
}

int store_tag_keys(struct store_tag_key **out, size_t *n, struct store *s, int period,
	struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_tag_key *v = NULL;
	size_t cnt = 0, alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = prepare(db, &st,
			"SELECT t.key, COUNT(DISTINCT t.value), " GSUMS " FROM (SELECT tagset_id, "
			SUMS_AS " FROM fact_rows WHERE period = ?1 GROUP BY tagset_id) g"
			" JOIN tagset_items t ON t.tagset_id = g.tagset_id"
			" GROUP BY t.key ORDER BY t.key", err)) < 0)
		return rc;
	bind_period(st, 1, period);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[cnt].key = col_dup(st, 0);
		v[cnt].values = (long)sqlite3_column_int64(st, 1);
		cnt++;
		if (col_sums(&v[cnt - 1].sum, st, 2) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad amount");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot list tag keys");
		goto fail;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return 0;
fail:
	sqlite3_finalize(st);
	store_tag_keys_free(v, cnt);
	return rc;
}

int store_facts_each(struct store *s, int period,
	int (*cb)(void *ctx, const struct store_fact *f), void *ctx, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_fact_dicts d;
	int rc, began = 0;

	memset(&d, 0, sizeof(d));
	/* the dictionaries and the facts in one state */
	if ((rc = store_read_begin_int(s, &began, err)) < 0)
		return rc;
	if ((rc = store_fact_dicts_load_int(&d, db, err)) < 0 ||
	    (rc = prepare(db, &st,
			"SELECT f.day_id, f.payer_id, f.account_id, f.type_id, f.class_id, f.product_id,"
			" f.product_name_id, f.usage_type_id, f.operation_id, f.region_id, f.owner_id,"
			" f.tagset_id, t.canon, f.rows, f.usage_amount, f.unblended, f.ondemand,"
			" f.effective, f.usage_amount_hi, f.unblended_hi, f.ondemand_hi, f.effective_hi"
			" FROM fact_rows f JOIN tagsets t ON t.id = f.tagset_id WHERE f.period = ?"
			" ORDER BY f.id", err)) < 0)
		goto out;
	bind_period(st, 1, period);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact f;
		memset(&f, 0, sizeof(f));
		f.period = period;
		f.day = store_dict_get_int(&d.dims, sqlite3_column_int64(st, 0));
		f.tagset_id = sqlite3_column_int64(st, 11);
		f.tags = store_col_text_int(st, 12);
		if (!f.day || store_col_fact_ids_int(&f.fact, &d, st, 1, 13, 15, 19) < 0 ||
		    store_col_units_int(&f.usage_amount, st, 14, 18) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad class or amount");
			goto out;
		}
		if ((rc = cb(ctx, &f)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = store_fail_int(db, err, "cannot read facts");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	store_fact_dicts_release_int(&d);
	store_read_end_int(s, began);
	return rc;
}
