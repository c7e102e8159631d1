/*
 * gen.c: writes what model.c describes — the AWS directory layout, RFC 4180
 * CSV (plain or gzip through zlib), one manifest per payer and assembly
 * (jansson), and expected.json: the exact sums rebill must report, computed
 * from each written cell as rebill parses it (dec_parse at DEC_SCALE) and
 * classified with src/cur (cur_classify, cur_views_compute).
 *
 * Not for: what a row contains (model.c).
 */
#include "gen_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>
#include <zlib.h>

#include "cur/cur.h"
#include "util/decimal.h"
#include "util/period.h"
#include "util/xalloc.h"

#include "util/banned.h"

#define PATHSZ 4096
#define OUTBUF (256 * 1024)

void gen_opts_init(struct gen_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->payers = 1;
	opts->accounts = 3;
	opts->rows = 1000;
	period_parse(&opts->period, "2026-10", 7);
	opts->format = GEN_LEGACY;
	opts->parts = 1;
	opts->seed = 1;
}

int gen_opts_check(const struct gen_opts *o, struct rb_err *err)
{
	if (o->payers < 1 || o->payers > GEN_MAX_PAYERS)
		return rb_err_set(err, RB_EUSAGE, "--payers must be 1..%d", GEN_MAX_PAYERS);
	if (o->accounts < 1 || o->accounts > GEN_MAX_ACCOUNTS)
		return rb_err_set(err, RB_EUSAGE, "--accounts must be 1..%d", GEN_MAX_ACCOUNTS);
	if (o->rows < 1 || o->rows > GEN_MAX_ROWS)
		return rb_err_set(err, RB_EUSAGE, "--rows must be 1..%ld", GEN_MAX_ROWS);
	if (o->parts < 1 || o->parts > GEN_MAX_PARTS)
		return rb_err_set(err, RB_EUSAGE, "--parts must be 1..%d", GEN_MAX_PARTS);
	if (o->format != GEN_LEGACY && o->format != GEN_CUR2)
		return rb_err_set(err, RB_EUSAGE, "--format must be legacy or cur2");
	return 0;
}

int gen_format_parse(enum gen_format *out, const char *s)
{
	if (!strcmp(s, "legacy"))
		*out = GEN_LEGACY;
	else if (!strcmp(s, "cur2"))
		*out = GEN_CUR2;
	else
		return -1;
	return 0;
}

/* ---- sums ---- */

struct sums {
	uint64_t rows;
	rb_i128 unblended, ondemand, effective, usage;
};

static void sums_add(struct sums *s, const struct cur_views *v, rb_i128 usage)
{
	/* No overflow check needed: 10^9 rows of amounts below 10^9 USD stay
	 * below 10^37 at DEC_SCALE, inside rb_i128. */
	s->rows++;
	s->unblended += v->unblended;
	s->ondemand += v->ondemand;
	s->effective += v->effective;
	s->usage += usage;
}

static void sums_merge(struct sums *into, const struct sums *s)
{
	into->rows += s->rows;
	into->unblended += s->unblended;
	into->ondemand += s->ondemand;
	into->effective += s->effective;
	into->usage += s->usage;
}

struct payer_sums {
	char id[16];
	char assembly[40];
	struct sums total;
	struct sums *accounts;       /* [accounts + 1] */
	struct sums types[GEN_NTYPES];
	struct sums classes[CUR_NCLASS];
};

/* An amount cell as rebill reads it: empty is 0, else dec_parse at DEC_SCALE. */
static int amount(rb_i128 *out, const char *cell, const char *col, struct rb_err *err)
{
	size_t n = strlen(cell);
	*out = 0;
	if (!n)
		return 0;
	if (dec_parse(out, cell, n, DEC_SCALE) != DEC_OK)
		return rb_err_set(err, RB_EBALANCE, "generated amount '%s' in %s does not parse", cell, col);
	return 0;
}

static int row_account(struct payer_sums *ps, const struct gen_row *r, struct rb_err *err)
{
	struct cur_costs in;
	struct cur_views v;
	rb_i128 usage;
	const char *type = r->cell[COL_TYPE];
	size_t tlen = strlen(type);
	enum cur_class cls;
	int rc = 0;

	memset(&in, 0, sizeof(in));
	if ((rc = amount(&in.unblended, r->cell[COL_UNBLENDED], "UnblendedCost", err)) < 0 ||
	    (rc = amount(&in.public_ondemand, r->cell[COL_OD_COST], "publicOnDemandCost", err)) < 0 ||
	    (rc = amount(&in.ri_effective, r->cell[COL_RI_EFFECTIVE], "EffectiveCost", err)) < 0 ||
	    (rc = amount(&in.ri_unused_amortized_upfront, r->cell[COL_RI_UNUSED_AMORT],
			"UnusedAmortizedUpfrontFeeForBillingPeriod", err)) < 0 ||
	    (rc = amount(&in.ri_unused_recurring, r->cell[COL_RI_UNUSED_RECURRING],
			"UnusedRecurringFee", err)) < 0 ||
	    (rc = amount(&in.sp_effective, r->cell[COL_SP_EFFECTIVE], "SavingsPlanEffectiveCost", err)) < 0 ||
	    (rc = amount(&in.sp_total_commitment, r->cell[COL_SP_TOTAL], "TotalCommitmentToDate", err)) < 0 ||
	    (rc = amount(&in.sp_used_commitment, r->cell[COL_SP_USED], "UsedCommitment", err)) < 0 ||
	    (rc = amount(&usage, r->cell[COL_USAGE_AMOUNT], "UsageAmount", err)) < 0)
		return rc;
	in.has_public_ondemand = r->cell[COL_OD_COST][0] != '\0';
	cls = cur_classify(type, tlen, r->cell[COL_RI_ARN][0] != '\0');
	if (cur_views_compute(&v, type, tlen, cls, &in) != 0)
		return rb_err_set(err, RB_EBALANCE, "cost views of a generated row overflow");
	sums_add(&ps->total, &v, usage);
	sums_add(&ps->accounts[r->account], &v, usage);
	sums_add(&ps->types[r->type], &v, usage);
	sums_add(&ps->classes[cls], &v, usage);
	return 0;
}

/* ---- files ---- */

static int mkdir_p(const char *path, struct rb_err *err)
{
	char buf[PATHSZ];
	size_t i, n = strlen(path);
	struct stat st;

	if (n >= sizeof(buf))
		return rb_err_set(err, RB_EIO, "path too long: '%s'", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return rb_err_set(err, RB_EIO, "cannot create directory '%s': %s", buf, strerror(errno));
		if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
			return rb_err_set(err, RB_EIO, "'%s' is not a directory", buf);
		buf[i] = path[i];
	}
	return 0;
}

static int path_join(char *out, size_t cap, struct rb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int path_join(char *out, size_t cap, struct rb_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return rb_err_set(err, RB_EIO, "path too long under '%.200s'", out);
	return 0;
}

struct writer {
	FILE *f;
	gzFile gz;
	char path[PATHSZ];
	char *buf;
	size_t n;
	uint64_t bytes;
};

static int writer_flush(struct writer *w, struct rb_err *err)
{
	if (!w->n)
		return 0;
	if (w->gz) {
		if (gzwrite(w->gz, w->buf, (unsigned)w->n) != (int)w->n)
			return rb_err_set(err, RB_EIO, "cannot write '%s'", w->path);
	} else if (fwrite(w->buf, 1, w->n, w->f) != w->n) {
		return rb_err_set(err, RB_EIO, "cannot write '%s': %s", w->path, strerror(errno));
	}
	w->bytes += w->n;
	w->n = 0;
	return 0;
}

static int writer_open(struct writer *w, const char *path, int gzip, struct rb_err *err)
{
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->n = 0;
	if (gzip) {
		/* Level 1: CUR text compresses well anyway, and the benchmark needs speed. */
		w->gz = gzopen(path, "wb1");
		if (!w->gz)
			return rb_err_set(err, RB_EIO, "cannot create '%s': %s", path, strerror(errno));
		gzbuffer(w->gz, 1 << 17);
	} else {
		w->f = fopen(path, "wb");
		if (!w->f)
			return rb_err_set(err, RB_EIO, "cannot create '%s': %s", path, strerror(errno));
	}
	return 0;
}

static int writer_close(struct writer *w, struct rb_err *err)
{
	int rc = writer_flush(w, err);
	if (w->gz) {
		if (gzclose(w->gz) != Z_OK && rc == 0)
			rc = rb_err_set(err, RB_EIO, "cannot write '%s'", w->path);
		w->gz = NULL;
	}
	if (w->f) {
		if (fclose(w->f) != 0 && rc == 0)
			rc = rb_err_set(err, RB_EIO, "cannot write '%s': %s", w->path, strerror(errno));
		w->f = NULL;
	}
	return rc;
}

/* Appends one CSV field (RFC 4180: quoted when it holds a comma, a quote,
 * CR or LF; quotes doubled). */
static int csv_field(struct writer *w, const char *s, int first, struct rb_err *err)
{
	size_t n = strlen(s), need = 2 * n + 3, i;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	char *o;

	if (w->n + need > OUTBUF) {
		int rc = writer_flush(w, err);
		if (rc < 0)
			return rc;
	}
	o = w->buf + w->n;
	if (!first)
		*o++ = ',';
	if (!quote) {
		memcpy(o, s, n);
		o += n;
	} else {
		*o++ = '"';
		for (i = 0; i < n; i++) {
			if (s[i] == '"')
				*o++ = '"';
			*o++ = s[i];
		}
		*o++ = '"';
	}
	w->n = (size_t)(o - w->buf);
	return 0;
}

static int csv_end(struct writer *w, struct rb_err *err)
{
	if (w->n + 1 > OUTBUF) {
		int rc = writer_flush(w, err);
		if (rc < 0)
			return rc;
	}
	w->buf[w->n++] = '\n';
	return 0;
}

/* ---- JSON ---- */

static json_t *dec_json(rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format(buf, sizeof(buf), v, DEC_SCALE, DEC_SCALE);
	return json_string(buf);
}

/* One row of the summary shape: {"key", "rows", "unblended", "ondemand",
 * "effective", "usage_amount"} (no key for a total). */
static json_t *sums_json(const char *key, const struct sums *s)
{
	json_t *o = json_object();
	if (key)
		json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "rows", json_integer((json_int_t)s->rows));
	json_object_set_new(o, "unblended", dec_json(s->unblended));
	json_object_set_new(o, "ondemand", dec_json(s->ondemand));
	json_object_set_new(o, "effective", dec_json(s->effective));
	json_object_set_new(o, "usage_amount", dec_json(s->usage));
	return o;
}

static int json_write(json_t *root, const char *path, struct rb_err *err)
{
	int rc = 0;
	FILE *f = fopen(path, "wb");
	if (!f)
		return rb_err_set(err, RB_EIO, "cannot create '%s': %s", path, strerror(errno));
	if (json_dumpf(root, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF)
		rc = rb_err_set(err, RB_EIO, "cannot write '%s'", path);
	if (fclose(f) != 0 && rc == 0)
		rc = rb_err_set(err, RB_EIO, "cannot write '%s': %s", path, strerror(errno));
	return rc;
}

static const char *legacy_type(char kind)
{
	switch (kind) {
	case 'N': return "OptionalBigDecimal";
	case 'D': return "DateTime";
	case 'I': return "Interval";
	default: return "OptionalString";
	}
}

static const char *cur2_type(char kind)
{
	switch (kind) {
	case 'N': return "decimal";
	case 'D': return "timestamp";
	case 'M': return "map<string,string>";
	default: return "string";
	}
}

/* ---- the run ---- */

struct run {
	const struct gen_opts *o;
	const char *dir;
	struct gen_model *m;
	int cols[GEN_NCOL];
	const char *names[GEN_NCOL];
	size_t ncols;
	struct writer w;
	struct gen_result res;
	gen_row_fn fn;
	void *ctx;
	int payer;               /* the payer being written (0-based) */
};

static const char *report_name(const struct run *run)
{
	return run->o->format == GEN_LEGACY ? "rebill-cur" : "rebill-cur2";
}

/* The data directory of the current payer, relative to dir (it is also the
 * S3 key prefix the manifest names), and where its manifest goes. */
static int payer_paths(const struct run *run, char *rel_data, char *manifest, struct rb_err *err)
{
	const char *payer = model_payer_id(run->m), *rep = report_name(run);
	const char *s = model_period_start(run->m), *e = model_period_end(run->m);
	char per[PERIOD_BUFSZ];
	int rc;

	if (run->o->format == GEN_LEGACY) {
		char range[20];
		snprintf(range, sizeof(range), "%.4s%.2s%.2s-%.4s%.2s%.2s", s, s + 5, s + 8, e, e + 5, e + 8);
		rc = path_join(rel_data, PATHSZ, err, "%s/%s/%s/%s", payer, rep, range,
			model_assembly_id(run->m));
		if (rc == 0)
			rc = path_join(manifest, PATHSZ, err, "%s/%s/%s/%s", run->dir, payer, rep, range);
	} else {
		period_format(per, run->o->period);
		rc = path_join(rel_data, PATHSZ, err, "%s/%s/data/BILLING_PERIOD=%s", payer, rep, per);
		if (rc == 0)
			rc = path_join(manifest, PATHSZ, err, "%s/%s/%s/metadata/BILLING_PERIOD=%s",
				run->dir, payer, rep, per);
	}
	return rc;
}

static int part_open(struct run *run, const char *rel_data, int k, json_t *keys, struct rb_err *err)
{
	char rel[PATHSZ], path[PATHSZ];
	size_t i;
	int rc;

	rc = path_join(rel, sizeof(rel), err, "%s/%s-%05d.csv%s", rel_data, report_name(run), k + 1,
		run->o->gzip ? ".gz" : "");
	if (rc == 0)
		rc = path_join(path, sizeof(path), err, "%s/%s", run->dir, rel);
	if (rc == 0)
		rc = writer_open(&run->w, path, run->o->gzip, err);
	for (i = 0; rc == 0 && i < run->ncols; i++)
		rc = csv_field(&run->w, run->names[i], i == 0, err);
	if (rc == 0)
		rc = csv_end(&run->w, err);
	if (rc == 0) {
		char key[PATHSZ + 64];
		if (run->o->format == GEN_LEGACY)
			snprintf(key, sizeof(key), "%s", rel);
		else
			snprintf(key, sizeof(key), "s3://rebill-cur-%s/%s", model_payer_id(run->m), rel);
		json_array_append_new(keys, json_string(key));
		run->res.files++;
	}
	return rc;
}

static int part_close(struct run *run, struct rb_err *err)
{
	uint64_t before = run->w.bytes;
	int rc = writer_close(&run->w, err);
	run->res.bytes += run->w.bytes - before;
	run->w.bytes = 0;
	return rc;
}

static int manifest_write(struct run *run, const char *mdir, json_t *keys, struct rb_err *err)
{
	json_t *root = json_object(), *cols = json_array(), *bp = json_object();
	const char *payer = model_payer_id(run->m);
	const char *s = model_period_start(run->m), *e = model_period_end(run->m);
	char path[PATHSZ], buf[256];
	size_t i;
	int rc;

	for (i = 0; i < run->ncols; i++) {
		const struct gen_coldef *c = &gen_cols[run->cols[i]];
		json_t *col = json_object();
		if (run->o->format == GEN_LEGACY) {
			const char *slash = strchr(c->legacy, '/');
			json_object_set_new(col, "category",
				json_stringn(c->legacy, (size_t)(slash - c->legacy)));
			json_object_set_new(col, "name", json_string(slash + 1));
			json_object_set_new(col, "type", json_string(legacy_type(c->kind)));
		} else {
			json_object_set_new(col, "name", json_string(c->cur2));
			json_object_set_new(col, "type", json_string(cur2_type(c->kind)));
		}
		json_array_append_new(cols, col);
	}
	if (run->o->format == GEN_LEGACY) {
		snprintf(buf, sizeof(buf), "%.4s%.2s%.2sT000000.000Z", s, s + 5, s + 8);
		json_object_set_new(bp, "start", json_string(buf));
		snprintf(buf, sizeof(buf), "%.4s%.2s%.2sT000000.000Z", e, e + 5, e + 8);
		json_object_set_new(bp, "end", json_string(buf));
		json_object_set_new(root, "assemblyId", json_string(model_assembly_id(run->m)));
		json_object_set_new(root, "account", json_string(payer));
		json_object_set_new(root, "columns", cols);
		json_object_set_new(root, "charset", json_string("UTF-8"));
		json_object_set_new(root, "compression", json_string(run->o->gzip ? "GZIP" : "NONE"));
		json_object_set_new(root, "contentType", json_string("text/csv"));
		json_object_set_new(root, "reportId", json_string(model_assembly_id(run->m)));
		json_object_set_new(root, "reportName", json_string(report_name(run)));
		json_object_set_new(root, "billingPeriod", bp);
		snprintf(buf, sizeof(buf), "rebill-cur-%s", payer);
		json_object_set_new(root, "bucket", json_string(buf));
		json_object_set_new(root, "reportKeys", keys);
		json_object_set_new(root, "additionalArtifactKeys", json_array());
	} else {
		json_object_set_new(bp, "start", json_string(s));
		json_object_set_new(bp, "end", json_string(e));
		snprintf(buf, sizeof(buf), "rebill-cur-%s", payer);
		json_object_set_new(root, "bucket", json_string(buf));
		snprintf(buf, sizeof(buf), "arn:aws:bcm-data-exports:us-east-1:%s:export/%s-%.8s",
			payer, report_name(run), model_assembly_id(run->m));
		json_object_set_new(root, "exportArn", json_string(buf));
		json_object_set_new(root, "exportName", json_string(report_name(run)));
		json_object_set_new(root, "executionId", json_string(model_assembly_id(run->m)));
		json_object_set_new(root, "billingPeriod", bp);
		json_object_set_new(root, "compression", json_string(run->o->gzip ? "GZIP" : "NONE"));
		json_object_set_new(root, "contentType", json_string("text/csv"));
		json_object_set_new(root, "columns", cols);
		json_object_set_new(root, "dataFiles", keys);
	}
	rc = mkdir_p(mdir, err);
	if (rc == 0)
		rc = path_join(path, sizeof(path), err, "%s/%s-Manifest.json", mdir, report_name(run));
	if (rc == 0)
		rc = json_write(root, path, err);
	if (rc == 0)
		run->res.files++;
	json_decref(root);
	return rc;
}

static int payer_write(struct run *run, struct payer_sums *ps, struct gen_row *row,
	struct rb_err *err)
{
	char rel_data[PATHSZ], mdir[PATHSZ], path[PATHSZ];
	const char *cells[GEN_NCOL];
	json_t *keys = json_array();
	long i, n = model_row_count(run->m);
	int k = -1, want, rc;
	size_t c;

	rc = payer_paths(run, rel_data, mdir, err);
	if (rc == 0)
		rc = path_join(path, sizeof(path), err, "%s/%s", run->dir, rel_data);
	if (rc == 0)
		rc = mkdir_p(path, err);
	for (i = 0; rc == 0 && i < n; i++) {
		/* Rows split into contiguous parts by row number. */
		want = (int)((long long)i * run->o->parts / n);
		while (rc == 0 && k < want) {
			if (k >= 0)
				rc = part_close(run, err);
			if (rc == 0)
				rc = part_open(run, rel_data, ++k, keys, err);
		}
		if (rc < 0 || !model_row_build(row, run->m, i))
			continue;
		for (c = 0; rc == 0 && c < run->ncols; c++)
			rc = csv_field(&run->w, row->cell[run->cols[c]], c == 0, err);
		if (rc == 0)
			rc = csv_end(&run->w, err);
		if (rc == 0)
			rc = row_account(ps, row, err);
		if (rc == 0 && run->fn) {
			for (c = 0; c < run->ncols; c++)
				cells[c] = row->cell[run->cols[c]];
			run->fn(run->ctx, run->payer, run->ncols, run->names, cells);
		}
		run->res.rows++;
	}
	while (rc == 0 && k < run->o->parts - 1) {
		if (k >= 0)
			rc = part_close(run, err);
		if (rc == 0)
			rc = part_open(run, rel_data, ++k, keys, err);
	}
	if (k >= 0) {
		int rc2 = part_close(run, err);
		if (rc == 0)
			rc = rc2;
	}
	if (rc == 0) {
		rc = manifest_write(run, mdir, keys, err);
		keys = NULL; /* owned by the manifest now */
	}
	json_decref(keys);
	return rc;
}

/* Keys of a breakdown listed in byte order, as a summary would sort them. */
struct keyed {
	const char *key;
	size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static json_t *by_json(const char *period, const char *by, const char *const *keys,
	const struct sums *s, size_t n)
{
	json_t *o = json_object(), *rows = json_array();
	struct keyed *order = xcalloc(n ? n : 1, sizeof(*order));
	struct sums total;
	size_t i;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < n; i++) {
		order[i].key = keys[i];
		order[i].i = i;
	}
	qsort(order, n, sizeof(*order), cmp_keyed);
	for (i = 0; i < n; i++) {
		const struct sums *one = &s[order[i].i];
		if (!one->rows)
			continue;
		json_array_append_new(rows, sums_json(order[i].key, one));
		sums_merge(&total, one);
	}
	json_object_set_new(o, "period", json_string(period));
	json_object_set_new(o, "by", json_string(by));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "total", sums_json(NULL, &total));
	free(order);
	return o;
}

/* Just the "rows" array of by_json. */
static json_t *by_rows(const char *period, const char *by, const char *const *keys,
	const struct sums *s, size_t n)
{
	json_t *o = by_json(period, by, keys, s, n);
	json_t *rows = json_incref(json_object_get(o, "rows"));
	json_decref(o);
	return rows;
}

static int expected_write(struct run *run, struct payer_sums *ps, struct rb_err *err)
{
	const struct gen_opts *o = run->o;
	size_t np = (size_t)o->payers, na = (size_t)o->accounts + 1, p, a, t;
	json_t *root = json_object(), *gen = json_object(), *summary = json_object();
	json_t *payers = json_array();
	const char **keys = xcalloc(np * na, sizeof(*keys));
	const char *class_keys[CUR_NCLASS];
	struct sums *s = xcalloc(np * na, sizeof(*s));
	struct sums types[GEN_NTYPES], classes[CUR_NCLASS];
	char per[PERIOD_BUFSZ], path[PATHSZ];
	int rc;

	period_format(per, o->period);
	json_object_set_new(gen, "payers", json_integer(o->payers));
	json_object_set_new(gen, "accounts", json_integer(o->accounts));
	json_object_set_new(gen, "rows", json_integer(o->rows));
	json_object_set_new(gen, "period", json_string(per));
	json_object_set_new(gen, "format", json_string(o->format == GEN_LEGACY ? "legacy" : "cur2"));
	json_object_set_new(gen, "gzip", json_boolean(o->gzip));
	json_object_set_new(gen, "parts", json_integer(o->parts));
	json_object_set_new(gen, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(gen, "restate", json_boolean(o->restate));
	json_object_set_new(root, "generator", gen);
	json_object_set_new(root, "period", json_string(per));

	/* by payer */
	for (p = 0; p < np; p++) {
		keys[p] = ps[p].id;
		s[p] = ps[p].total;
	}
	json_object_set_new(summary, "payer", by_json(per, "payer", keys, s, np));
	/* by account: ids are unique across payers */
	for (p = 0; p < np; p++) {
		model_payer(run->m, (int)p);
		for (a = 0; a < na; a++) {
			keys[p * na + a] = xstrdup(model_account_id(run->m, (int)a));
			s[p * na + a] = ps[p].accounts[a];
		}
	}
	json_object_set_new(summary, "account", by_json(per, "account", keys, s, np * na));
	for (p = 0; p < np * na; p++)
		free((char *)keys[p]);
	/* by type and class: summed over payers */
	memset(types, 0, sizeof(types));
	memset(classes, 0, sizeof(classes));
	for (p = 0; p < np; p++) {
		for (t = 0; t < GEN_NTYPES; t++)
			sums_merge(&types[t], &ps[p].types[t]);
		for (t = 0; t < CUR_NCLASS; t++)
			sums_merge(&classes[t], &ps[p].classes[t]);
	}
	for (t = 0; t < CUR_NCLASS; t++)
		class_keys[t] = cur_class_name((enum cur_class)t);
	json_object_set_new(summary, "type", by_json(per, "type", gen_type_names, types, GEN_NTYPES));
	json_object_set_new(summary, "class", by_json(per, "class", class_keys, classes, CUR_NCLASS));
	json_object_set_new(root, "summary", summary);

	/* per payer: its accounts, types and classes */
	for (p = 0; p < np; p++) {
		json_t *one = sums_json(NULL, &ps[p].total);
		const char **akeys = xcalloc(na, sizeof(*akeys));
		json_object_set_new(one, "payer", json_string(ps[p].id));
		json_object_set_new(one, "assembly_id", json_string(ps[p].assembly));
		model_payer(run->m, (int)p);
		for (a = 0; a < na; a++)
			akeys[a] = model_account_id(run->m, (int)a);
		json_object_set_new(one, "accounts", by_rows(per, "account", akeys, ps[p].accounts, na));
		json_object_set_new(one, "types", by_rows(per, "type", gen_type_names, ps[p].types,
			GEN_NTYPES));
		json_object_set_new(one, "classes", by_rows(per, "class", class_keys, ps[p].classes,
			CUR_NCLASS));
		json_array_append_new(payers, one);
		free(akeys);
	}
	json_object_set_new(root, "payers", payers);

	rc = path_join(path, sizeof(path), err, "%s/expected.json", run->dir);
	if (rc == 0)
		rc = json_write(root, path, err);
	if (rc == 0)
		run->res.files++;
	json_decref(root);
	free(keys);
	free(s);
	return rc;
}

int gen_write(struct gen_result *out, const struct gen_opts *opts, const char *dir,
	gen_row_fn fn, void *ctx, struct rb_err *err)
{
	struct run run;
	struct payer_sums *ps = NULL;
	struct gen_row *row = NULL;
	int rc, p;
	size_t c;

	memset(&run, 0, sizeof(run));
	memset(out, 0, sizeof(*out));
	rc = gen_opts_check(opts, err);
	if (rc < 0)
		goto cleanup;
	run.o = opts;
	run.dir = dir;
	run.fn = fn;
	run.ctx = ctx;
	for (c = 0; c < GEN_NCOL; c++) {
		const char *name = opts->format == GEN_LEGACY ? gen_cols[c].legacy : gen_cols[c].cur2;
		if (!name)
			continue;
		run.cols[run.ncols] = (int)c;
		run.names[run.ncols++] = name;
	}
	rc = mkdir_p(dir, err);
	if (rc < 0)
		goto cleanup;
	run.w.buf = xmalloc(OUTBUF);
	row = xmalloc(sizeof(*row));
	run.m = model_new(opts);
	ps = xcalloc((size_t)opts->payers, sizeof(*ps));
	for (p = 0; p < opts->payers; p++) {
		model_payer(run.m, p);
		run.payer = p;
		snprintf(ps[p].id, sizeof(ps[p].id), "%s", model_payer_id(run.m));
		snprintf(ps[p].assembly, sizeof(ps[p].assembly), "%s", model_assembly_id(run.m));
		ps[p].accounts = xcalloc((size_t)opts->accounts + 1, sizeof(*ps[p].accounts));
		rc = payer_write(&run, &ps[p], row, err);
		if (rc < 0)
			goto cleanup;
	}
	rc = expected_write(&run, ps, err);
	if (rc == 0)
		*out = run.res;
cleanup:
	if (run.w.f || run.w.gz) {
		struct rb_err ignored;
		writer_close(&run.w, &ignored);
	}
	if (ps)
		for (p = 0; p < opts->payers; p++)
			free(ps[p].accounts);
	free(ps);
	free(row);
	free(run.w.buf);
	model_free(run.m);
	return rc;
}
