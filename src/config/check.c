/*
 * check.c: validating a configuration document (spec §7) and turning it
 * into its canonical form (see check.h). Pure: no SQL, no I/O. Every
 * problem is collected with its JSON path, so one run lists them all;
 * nothing is guessed or rounded.
 *
 * Not for: storing (src/store/config.c) or resolving for a period
 * (resolve.c).
 */
#include "config/check.h"
#include "config/config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/decimal.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PATHSZ 256
#define ID_MAX 64

/* Bounds (issue 10): a value past them was accepted and then made every
 * invoice preview fail (an overflow) without naming the customer; now it
 * is refused here, at its JSON path. Generous for real use. */
#define TEXT_MAX 1024              /* bytes of any string (names, notes...) */
#define MARKUP_MAX 10000           /* % markup */
#define TAX_RATE_MAX 100           /* % tax */
#define FEE_PCT_MAX 1000           /* % percent fee */
#define FACTOR_MAX 100             /* credits and discount factors */
#define FX_MAX 1000000             /* invoice currency units per USD */
#define AMOUNT_MAX 1000000000000   /* fee and custom line amounts (1e12) */

static const char *const discount_types[] = {
	"EdpDiscount", "SppDiscount", "BundledDiscount", "PrivateRateDiscount",
	"DistributorDiscount", NULL,
};

void config_result_init(struct config_result *r)
{
	memset(r, 0, sizeof(*r));
}

void config_result_release(struct config_result *r)
{
	size_t i;
	for (i = 0; i < r->nproblems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].msg);
		free(r->problems[i].object);
		free(r->problems[i].sub);
	}
	free(r->problems);
	json_decref(r->changes);
	config_result_init(r);
}

__attribute__((format(printf, 3, 4)))
static void problem(struct config_result *r, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->problems = xreallocarray(r->problems, r->nproblems + 1, sizeof(*r->problems));
	r->problems[r->nproblems].path = xstrdup(path);
	r->problems[r->nproblems].msg = xstrdup(msg);
	r->problems[r->nproblems].object = NULL;
	r->problems[r->nproblems].sub = NULL;
	r->nproblems++;
}

/* Paths longer than PATHSZ (only with absurd keys) end in "...". */
static const char *fit(char *buf, int n)
{
	if (n < 0 || n >= PATHSZ)
		memcpy(buf + PATHSZ - 4, "...", 4);
	return buf;
}

static const char *pkey(char *buf, const char *base, const char *key)
{
	return fit(buf, snprintf(buf, PATHSZ, "%s.%s", base, key));
}

static const char *pidx(char *buf, const char *base, size_t i)
{
	return fit(buf, snprintf(buf, PATHSZ, "%s[%zu]", base, i));
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* Reports every key of obj that is not in allowed. */
static void check_keys(struct config_result *r, json_t *obj, const char *path,
	const char *const *allowed)
{
	const char *key;
	json_t *v;
	char p[PATHSZ];

	json_object_foreach(obj, key, v) {
		if (!in_list(allowed, key))
			problem(r, pkey(p, path, key), "unknown field");
	}
}

/* A string field: NULL when absent, null or (optional fields) empty. */
static const char *get_str(struct config_result *r, json_t *obj, const char *key,
	const char *path, int required)
{
	json_t *v = json_object_get(obj, key);
	char p[PATHSZ];

	pkey(p, path, key);
	if (!v || json_is_null(v)) {
		if (required)
			problem(r, p, "missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		problem(r, p, "expected a string, got %s", type_name(v));
		return NULL;
	}
	if (!json_string_value(v)[0]) {
		if (required)
			problem(r, p, "empty");
		return NULL;
	}
	if (json_string_length(v) > TEXT_MAX) {
		problem(r, p, "longer than %d bytes (%zu)", TEXT_MAX, json_string_length(v));
		return NULL;
	}
	return json_string_value(v);
}

/* A decimal string with at most DEC_FACTOR_DIGITS fractional digits. Returns
 * 1 and sets *out (and *raw) when present and valid, 0 when absent, -1 when
 * bad (reported). */
static int get_dec(struct config_result *r, json_t *obj, const char *key,
	const char *path, int required, rb_i128 *out, const char **raw)
{
	json_t *v = json_object_get(obj, key);
	char p[PATHSZ];
	const char *s;
	int rc;

	pkey(p, path, key);
	if (!v || json_is_null(v)) {
		if (required)
			problem(r, p, "missing");
		return required ? -1 : 0;
	}
	if (!json_is_string(v)) {
		problem(r, p, "expected a decimal string, got %s", type_name(v));
		return -1;
	}
	s = json_string_value(v);
	rc = dec_parse_strict(out, s, strlen(s), DEC_FACTOR_DIGITS, DEC_FACTOR_DIGITS);
	if (rc == DEC_EPRECISION) {
		problem(r, p, "more than %d fractional digits", DEC_FACTOR_DIGITS);
		return -1;
	}
	if (rc == DEC_ERANGE) {
		problem(r, p, "'%s' is out of range", s);
		return -1;
	}
	if (rc != DEC_OK) {
		problem(r, p, "bad decimal '%s'", s);
		return -1;
	}
	if (raw)
		*raw = s;
	return 1;
}

static json_t *dec_json(rb_i128 v)
{
	char buf[DEC_BUFSZ];
	dec_format_min(buf, sizeof(buf), v, DEC_FACTOR_DIGITS);
	return json_string(buf);
}

/* Whether v (at DEC_FACTOR_DIGITS) is above max (whole units); if so it
 * is reported at path.key as "WHAT above MAX". */
static int above(struct config_result *r, const char *path, const char *key, rb_i128 v,
	long long max, const char *what)
{
	char p[PATHSZ];
	if (v <= (rb_i128)max * dec_pow10(DEC_FACTOR_DIGITS))
		return 0;
	problem(r, pkey(p, path, key), "%s above %lld", what, max);
	return 1;
}

/* Fractional digits a factor-scale value needs. */
static int dec_digits(rb_i128 v)
{
	int d = DEC_FACTOR_DIGITS;
	while (d > 0 && v % 10 == 0) {
		v /= 10;
		d--;
	}
	return d;
}

static int get_period(struct config_result *r, json_t *obj, const char *key,
	const char *path, int required, int *out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char p[PATHSZ];

	if ((!v || json_is_null(v)) && !required)
		return 0;
	s = get_str(r, obj, key, path, 1);
	if (!s)
		return -1;
	if (period_parse(out, s, strlen(s)) < 0) {
		problem(r, pkey(p, path, key), "bad period '%s' (expected YYYY-MM)", s);
		return -1;
	}
	return 1;
}

static int id_ok(const char *s)
{
	size_t n = 0;
	for (; *s; s++, n++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n > 0 && n <= ID_MAX;
}

/* An AWS account id is 12 digits (an id of digits only is held to that, so
 * a mistyped AWS id is caught). An id with any other character is another
 * cloud's, from a FOCUS export (Azure "/subscriptions/<GUID>", GCP project
 * ids, Oracle OCIDs): 1 to 128 bytes of visible ASCII, the rule of
 * focus_account_ok in src/ingest/focus.h. */
int config_account_ok(const char *s)
{
	size_t i;
	int digits = 1;
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || i >= 128)
			return 0;
		digits &= s[i] >= '0' && s[i] <= '9';
	}
	return digits ? i == 12 : 1;
}

/* The id field of a section entry: valid and unique within seen. */
static const char *get_id(struct config_result *r, json_t *obj, const char *path, json_t *seen)
{
	const char *id = get_str(r, obj, "id", path, 1);
	char p[PATHSZ];

	if (!id)
		return NULL;
	pkey(p, path, "id");
	if (!id_ok(id)) {
		problem(r, p, "bad id '%s' (use letters, digits, '.', '_' and '-', at most %d)", id, ID_MAX);
		return NULL;
	}
	if (json_object_get(seen, id)) {
		problem(r, p, "duplicate id '%s'", id);
		return NULL;
	}
	return id;
}

/* A section: an array, absent meaning empty. */
static json_t *get_array(struct config_result *r, json_t *obj, const char *key, const char *path)
{
	json_t *v = json_object_get(obj, key);
	char p[PATHSZ];
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_array(v)) {
		problem(r, pkey(p, path, key), "expected an array, got %s", type_name(v));
		return NULL;
	}
	return v;
}

static int is_object(struct config_result *r, json_t *v, const char *path)
{
	if (json_is_object(v))
		return 1;
	problem(r, path, "expected an object, got %s", type_name(v));
	return 0;
}

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

/* ---- sections ---- */

static void check_tax_clusters(struct config_result *r, json_t *doc, json_t *ids, json_t *out)
{
	static const char *const keys[] = { "id", "name", "rate_pct", "note", "category", NULL };
	static const char *const cats[] = { "S", "AE", "Z", "E", "O", NULL };
	json_t *arr = get_array(r, doc, "tax_clusters", "$"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		char path[PATHSZ], p[PATHSZ];
		const char *id, *name, *note, *cat;
		rb_i128 rate = 0;
		int ok = 1;
		json_t *o;

		pidx(path, "$.tax_clusters", i);
		if (!is_object(r, e, path))
			continue;
		check_keys(r, e, path, keys);
		id = get_id(r, e, path, ids);
		name = get_str(r, e, "name", path, 1);
		note = get_str(r, e, "note", path, 0);
		if (get_dec(r, e, "rate_pct", path, 1, &rate, NULL) < 0)
			ok = 0;
		else if (rate < 0) {
			problem(r, pkey(p, path, "rate_pct"), "negative tax rate");
			ok = 0;
		} else if (above(r, path, "rate_pct", rate, TAX_RATE_MAX, "tax rate (%)")) {
			ok = 0;
		}
		/* spec §8: the VAT category; EN 16931 wants a rate for S and 0
		 * for the others, and a reason (the note) for reverse charge */
		cat = get_str(r, e, "category", path, 0);
		if (cat && !in_list(cats, cat)) {
			problem(r, pkey(p, path, "category"),
				"unknown VAT category '%s' (expected S, AE, Z, E or O)", cat);
			ok = 0;
		} else if (cat && ok && !strcmp(cat, "S") && rate <= 0) {
			problem(r, pkey(p, path, "category"), "category S needs a rate_pct above 0");
			ok = 0;
		} else if (cat && ok && strcmp(cat, "S") && rate != 0) {
			problem(r, pkey(p, path, "category"), "category %s needs rate_pct 0", cat);
			ok = 0;
		} else if (cat && !strcmp(cat, "AE") && !note) {
			problem(r, pkey(p, path, "note"), "a reverse-charge (AE) cluster needs a note");
			ok = 0;
		}
		if (!id)
			continue;
		json_object_set_new(ids, id, json_true());
		if (!ok || !name)
			continue;
		o = json_object();
		set_str(o, "id", id);
		set_str(o, "name", name);
		json_object_set_new(o, "rate_pct", dec_json(rate));
		set_str(o, "note", note);
		set_str(o, "category", cat);
		json_array_append_new(out, o);
	}
}

/* An enum field: def when absent (def NULL: required); NULL when bad
 * (reported). */
static const char *get_enum(struct config_result *r, json_t *obj, const char *key,
	const char *path, const char *const *names, const char *def, const char *expect)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char p[PATHSZ];

	if ((!v || json_is_null(v)) && def)
		return def;
	s = get_str(r, obj, key, path, 1);
	if (!s)
		return NULL;
	if (!in_list(names, s)) {
		problem(r, pkey(p, path, key), "unknown %s '%s' (expected %s)", key, s, expect);
		return NULL;
	}
	return s;
}

static json_t *check_rule(struct config_result *r, json_t *e, const char *path)
{
	static const char *const keys[] = { "service", "usage_type", "region", "account",
		"line_item_type", "markup_pct", "exclude", NULL };
	static const char *const match[] = { "service", "usage_type", "region", "account",
		"line_item_type", NULL };
	json_t *o = json_object(), *ex;
	int nmatch = 0, ok = 1, exclude = 0, hasm;
	rb_i128 m = 0;
	char p[PATHSZ];
	size_t k;

	check_keys(r, e, path, keys);
	for (k = 0; match[k]; k++) {
		const char *s = get_str(r, e, match[k], path, 0);
		if (!s) {
			if (json_object_get(e, match[k]) && !json_is_null(json_object_get(e, match[k])) &&
			    json_is_string(json_object_get(e, match[k])))
				problem(r, pkey(p, path, match[k]), "empty");
			continue;
		}
		if (!strcmp(match[k], "account") && !config_account_ok(s)) {
			problem(r, pkey(p, path, "account"), "bad account id '%s' (expected 12 digits)", s);
			ok = 0;
		}
		nmatch++;
		set_str(o, match[k], s);
	}
	ex = json_object_get(e, "exclude");
	if (ex && !json_is_null(ex)) {
		if (!json_is_boolean(ex)) {
			problem(r, pkey(p, path, "exclude"), "expected a boolean, got %s", type_name(ex));
			ok = 0;
		} else {
			exclude = json_is_true(ex);
		}
	}
	hasm = get_dec(r, e, "markup_pct", path, 0, &m, NULL);
	if (hasm < 0)
		ok = 0;
	if (nmatch == 0) {
		problem(r, path, "rule matches everything (set service, usage_type, region, account or line_item_type)");
		ok = 0;
	}
	if (hasm > 0 && exclude) {
		problem(r, pkey(p, path, "markup_pct"), "has no effect on an excluding rule");
		ok = 0;
	} else if (hasm == 0 && !exclude && ok) {
		problem(r, path, "rule sets neither markup_pct nor exclude");
		ok = 0;
	}
	if (hasm > 0 && m < -100 * dec_pow10(DEC_FACTOR_DIGITS)) {
		problem(r, pkey(p, path, "markup_pct"), "markup below -100%%");
		ok = 0;
	} else if (hasm > 0 && above(r, path, "markup_pct", m, MARKUP_MAX, "markup (%)")) {
		ok = 0;
	}
	if (hasm > 0)
		json_object_set_new(o, "markup_pct", dec_json(m));
	if (exclude)
		json_object_set_new(o, "exclude", json_true());
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *check_fee(struct config_result *r, json_t *e, const char *path)
{
	static const char *const keys[] = { "type", "amount", "pct", "min", "max", "description", NULL };
	static const char *const types[] = { "flat", "per_account", "percent", NULL };
	const char *type, *desc;
	rb_i128 amount = 0, pct = 0, min = 0, max = 0;
	int ha, hp, hmin, hmax, ok = 1;
	char p[PATHSZ];
	json_t *o;

	check_keys(r, e, path, keys);
	type = get_enum(r, e, "type", path, types, NULL, "flat, per_account or percent");
	desc = get_str(r, e, "description", path, 0);
	ha = get_dec(r, e, "amount", path, 0, &amount, NULL);
	hp = get_dec(r, e, "pct", path, 0, &pct, NULL);
	hmin = get_dec(r, e, "min", path, 0, &min, NULL);
	hmax = get_dec(r, e, "max", path, 0, &max, NULL);
	if (ha < 0 || hp < 0 || hmin < 0 || hmax < 0 || !type)
		ok = 0;
	if (hmin > 0 && min < 0) {
		problem(r, pkey(p, path, "min"), "negative minimum");
		ok = 0;
	}
	if (hmax > 0 && max < 0) {
		problem(r, pkey(p, path, "max"), "negative maximum");
		ok = 0;
	}
	if ((ha > 0 && (above(r, path, "amount", amount, AMOUNT_MAX, "amount") ||
	                above(r, path, "amount", -amount, AMOUNT_MAX, "amount below minus"))) ||
	    (hmin > 0 && above(r, path, "min", min, AMOUNT_MAX, "minimum")) ||
	    (hmax > 0 && above(r, path, "max", max, AMOUNT_MAX, "maximum")) ||
	    (hp > 0 && above(r, path, "pct", pct, FEE_PCT_MAX, "percentage")))
		ok = 0;
	if (type && !strcmp(type, "percent")) {
		if (ha > 0) {
			problem(r, pkey(p, path, "amount"), "a percent fee has pct, not amount");
			ok = 0;
		}
		if (hp == 0) {
			problem(r, pkey(p, path, "pct"), "missing");
			ok = 0;
		} else if (hp > 0 && pct < 0) {
			problem(r, pkey(p, path, "pct"), "negative percentage");
			ok = 0;
		}
		if (hmin > 0 && hmax > 0 && min > max) {
			problem(r, pkey(p, path, "min"), "min is above max");
			ok = 0;
		}
	} else if (type) {
		if (ha == 0) {
			problem(r, pkey(p, path, "amount"), "missing");
			ok = 0;
		}
		if (hp > 0) {
			problem(r, pkey(p, path, "pct"), "only a percent fee has pct");
			ok = 0;
		}
		if (hmin > 0) {
			problem(r, pkey(p, path, "min"), "only a percent fee has min");
			ok = 0;
		}
		if (hmax > 0) {
			problem(r, pkey(p, path, "max"), "only a percent fee has max");
			ok = 0;
		}
	}
	if (!ok)
		return NULL;
	o = json_object();
	set_str(o, "type", type);
	if (ha > 0)
		json_object_set_new(o, "amount", dec_json(amount));
	if (hp > 0)
		json_object_set_new(o, "pct", dec_json(pct));
	if (hmin > 0)
		json_object_set_new(o, "min", dec_json(min));
	if (hmax > 0)
		json_object_set_new(o, "max", dec_json(max));
	set_str(o, "description", desc);
	return o;
}

/* The list `key` of object e (absent: empty), each entry checked by check;
 * the canonical entries, *ok = 0 when any is bad. */
static json_t *check_list(struct config_result *r, json_t *e, const char *path, const char *key,
	json_t *(*check)(struct config_result *, json_t *, const char *), int *ok)
{
	json_t *out = json_array(), *arr = get_array(r, e, key, path), *x, *c;
	char p[PATHSZ], q[PATHSZ];
	size_t k;

	if (!arr && json_object_get(e, key) && !json_is_null(json_object_get(e, key)))
		*ok = 0;
	json_array_foreach(arr, k, x) {
		pidx(p, pkey(q, path, key), k);
		if (!is_object(r, x, p)) {
			*ok = 0;
			continue;
		}
		c = check(r, x, p);
		if (!c)
			*ok = 0;
		else
			json_array_append_new(out, c);
	}
	return out;
}

static void check_plans(struct config_result *r, json_t *doc, json_t *ids, json_t *out)
{
	static const char *const keys[] = { "id", "currency", "basis", "markup_pct", "rules",
		"credits", "refunds", "tax", "discounts", "fees", NULL };
	static const char *const bases[] = { "unblended", "ondemand", "effective", "purchaser", NULL };
	static const char *const refunds[] = { "pass", "withhold", NULL };
	static const char *const taxes[] = { "pass", "strip", NULL };
	json_t *arr = get_array(r, doc, "plans", "$"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		char path[PATHSZ], p[PATHSZ], q[PATHSZ];
		const char *id, *cur, *basis, *ref, *tax;
		rb_i128 markup = 0, credits = dec_pow10(DEC_FACTOR_DIGITS);
		json_t *disc, *o, *ro, *fo, *dobj, *x;
		int ok = 1;

		pidx(path, "$.plans", i);
		if (!is_object(r, e, path))
			continue;
		check_keys(r, e, path, keys);
		id = get_id(r, e, path, ids);
		cur = get_str(r, e, "currency", path, 0);
		if (cur && config_currency_minor(cur) < 0) {
			problem(r, pkey(p, path, "currency"), "unknown currency '%s'", cur);
			ok = 0;
		} else if (!cur && json_object_get(e, "currency") &&
		           !json_is_null(json_object_get(e, "currency"))) {
			ok = 0;
		}
		basis = get_enum(r, e, "basis", path, bases, NULL,
			"unblended, ondemand, effective or purchaser");
		if (get_dec(r, e, "markup_pct", path, 0, &markup, NULL) < 0)
			ok = 0;
		else if (markup < -100 * dec_pow10(DEC_FACTOR_DIGITS)) {
			problem(r, pkey(p, path, "markup_pct"), "markup below -100%%");
			ok = 0;
		} else if (above(r, path, "markup_pct", markup, MARKUP_MAX, "markup (%)")) {
			ok = 0;
		}
		if (get_dec(r, e, "credits", path, 0, &credits, NULL) < 0)
			ok = 0;
		else if (credits < 0) {
			problem(r, pkey(p, path, "credits"), "negative factor");
			ok = 0;
		} else if (above(r, path, "credits", credits, FACTOR_MAX, "factor")) {
			ok = 0;
		}
		ref = get_enum(r, e, "refunds", path, refunds, "pass", "pass or withhold");
		tax = get_enum(r, e, "tax", path, taxes, "strip", "pass or strip");
		if (!basis || !ref || !tax)
			ok = 0;

		dobj = json_object();
		disc = json_object_get(e, "discounts");
		if (disc && !json_is_null(disc)) {
			const char *dk;
			pkey(p, path, "discounts");
			if (!json_is_object(disc)) {
				problem(r, p, "expected an object, got %s", type_name(disc));
				ok = 0;
			} else {
				json_object_foreach(disc, dk, x) {
					rb_i128 f;
					int rc;
					(void)x;
					if (!in_list(discount_types, dk)) {
						problem(r, pkey(q, p, dk), "unknown discount type '%s'", dk);
						ok = 0;
						continue;
					}
					rc = get_dec(r, disc, dk, p, 1, &f, NULL);
					if (rc < 0) {
						ok = 0;
					} else if (f < 0) {
						problem(r, pkey(q, p, dk), "negative factor");
						ok = 0;
					} else if (above(r, p, dk, f, FACTOR_MAX, "factor")) {
						ok = 0;
					} else {
						json_object_set_new(dobj, dk, dec_json(f));
					}
				}
			}
		}

		ro = check_list(r, e, path, "rules", check_rule, &ok);
		fo = check_list(r, e, path, "fees", check_fee, &ok);

		if (id)
			json_object_set_new(ids, id, json_integer((json_int_t)i));
		if (!id || !ok) {
			json_decref(dobj);
			json_decref(ro);
			json_decref(fo);
			continue;
		}
		o = json_object();
		set_str(o, "id", id);
		set_str(o, "currency", cur);
		set_str(o, "basis", basis);
		json_object_set_new(o, "markup_pct", dec_json(markup));
		json_object_set_new(o, "credits", dec_json(credits));
		set_str(o, "refunds", ref);
		set_str(o, "tax", tax);
		if (json_object_size(dobj))
			json_object_set_new(o, "discounts", dobj);
		else
			json_decref(dobj);
		if (json_array_size(ro))
			json_object_set_new(o, "rules", ro);
		else
			json_decref(ro);
		if (json_array_size(fo))
			json_object_set_new(o, "fees", fo);
		else
			json_decref(fo);
		json_array_append_new(out, o);
	}
}

/* One assignment, for the overlap check. */
struct held {
	const char *account;
	const char *customer;
	const char *tag, *value; /* spec §9 split; NULL: plain */
	int from, to;          /* -1: open */
	char path[PATHSZ];
};

static int overlaps(const struct held *a, const struct held *b)
{
	int a0 = a->from < 0 ? 0 : a->from, a1 = a->to < 0 ? 1 << 30 : a->to;
	int b0 = b->from < 0 ? 0 : b->from, b1 = b->to < 0 ? 1 << 30 : b->to;
	return a0 <= b1 && b0 <= a1;
}

static void describe_span(char *buf, size_t n, const struct held *h)
{
	char f[PERIOD_BUFSZ], t[PERIOD_BUFSZ];
	if (h->from >= 0)
		period_format(f, h->from);
	if (h->to >= 0)
		period_format(t, h->to);
	if (h->from >= 0 && h->to >= 0)
		snprintf(buf, n, "from %s to %s", f, t);
	else if (h->from >= 0)
		snprintf(buf, n, "from %s", f);
	else if (h->to >= 0)
		snprintf(buf, n, "until %s", t);
	else
		snprintf(buf, n, "for every period");
}

/* A non-empty string field of a split, what saying what it is. */
static const char *split_str(struct config_result *r, json_t *sp, const char *key,
	const char *path, const char *what)
{
	json_t *v = json_object_get(sp, key);
	char p[PATHSZ];

	pkey(p, path, key);
	if (!json_is_string(v) || !json_string_value(v)[0]) {
		problem(r, p, "the split's %s must be a non-empty string, got %s", what,
			!v ? "nothing" : json_is_string(v) ? "\"\"" : type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* The split {"tag", "value"} of assignment a at ap (spec §9: non-empty
 * strings). Returns 1 with *tag and *value set, 0 when absent, -1 when bad
 * (reported). */
static int get_split(struct config_result *r, json_t *a, const char *ap, const char **tag,
	const char **value)
{
	static const char *const keys[] = { "tag", "value", NULL };
	json_t *sp = json_object_get(a, "split");
	char p[PATHSZ];

	*tag = *value = NULL;
	if (!sp || json_is_null(sp))
		return 0;
	pkey(p, ap, "split");
	if (!is_object(r, sp, p))
		return -1;
	check_keys(r, sp, p, keys);
	*tag = split_str(r, sp, "tag", p, "tag key");
	*value = split_str(r, sp, "value", p, "tag value");
	return *tag && *value ? 1 : -1;
}

/* Two overlapping assignments of one account conflict (spec §9) when both
 * are plain or both carry the same split; split ones must share the key. */
static void check_overlap(struct config_result *r, const struct held *o2, const struct held *h,
	int *bad)
{
	char span[64];

	describe_span(span, sizeof(span), o2);
	if (!o2->tag != !h->tag)
		return;
	if (o2->tag && strcmp(o2->tag, h->tag)) {
		problem(r, h->path, "account %s is already split by tag '%s' (at %s, '%s' %s); overlapping"
			" split assignments of one account use one tag key, not '%s'", h->account, o2->tag,
			o2->path, o2->customer ? o2->customer : "?", span, h->tag);
		*bad = 1;
		return;
	}
	if (o2->tag && strcmp(o2->value, h->value))
		return;
	if (o2->tag)
		problem(r, h->path, "account %s with %s=%s is already held by '%s' %s (overlapping"
			" assignment)", h->account, h->tag, h->value, o2->customer ? o2->customer : "?", span);
	else
		problem(r, h->path, "account %s is already held by '%s' %s (overlapping assignment)",
			h->account, o2->customer ? o2->customer : "?", span);
	*bad = 1;
}

static json_t *check_accounts(struct config_result *r, json_t *e, const char *path,
	const char *cust, struct held **held, size_t *nheld, int *ok)
{
	static const char *const keys[] = { "id", "from", "to", "split", NULL };
	json_t *arr = get_array(r, e, "accounts", path), *a, *out = json_array();
	char base[PATHSZ];
	size_t k, j;

	if (!arr && json_object_get(e, "accounts") && !json_is_null(json_object_get(e, "accounts")))
		*ok = 0;
	pkey(base, path, "accounts");
	json_array_foreach(arr, k, a) {
		char ap[PATHSZ], p[PATHSZ];
		const char *id, *tag, *value;
		int from = -1, to = -1, rf, rt, rs, bad = 0;
		struct held h;
		json_t *o;

		pidx(ap, base, k);
		if (!is_object(r, a, ap)) {
			*ok = 0;
			continue;
		}
		check_keys(r, a, ap, keys);
		id = get_str(r, a, "id", ap, 1);
		if (id && !config_account_ok(id)) {
			problem(r, pkey(p, ap, "id"), "bad account id '%s' (expected 12 digits)", id);
			id = NULL;
		}
		rf = get_period(r, a, "from", ap, 0, &from);
		rt = get_period(r, a, "to", ap, 0, &to);
		rs = get_split(r, a, ap, &tag, &value);
		if (!id || rf < 0 || rt < 0 || rs < 0) {
			*ok = 0;
			continue;
		}
		if (from >= 0 && to >= 0 && from > to) {
			char f[PERIOD_BUFSZ], t[PERIOD_BUFSZ];
			period_format(f, from);
			period_format(t, to);
			problem(r, pkey(p, ap, "to"), "to %s is before from %s", t, f);
			*ok = 0;
			continue;
		}
		h.account = id;
		h.customer = cust;
		h.tag = tag;
		h.value = value;
		h.from = from;
		h.to = to;
		snprintf(h.path, sizeof(h.path), "%s", ap);
		for (j = 0; j < *nheld && !bad; j++) {
			struct held *o2 = &(*held)[j];
			if (!strcmp(o2->account, id) && overlaps(o2, &h))
				check_overlap(r, o2, &h, &bad);
		}
		if (bad) {
			*ok = 0;
			continue;
		}
		*held = xreallocarray(*held, *nheld + 1, sizeof(**held));
		(*held)[(*nheld)++] = h;
		o = json_object();
		set_str(o, "id", id);
		if (from >= 0) {
			char f[PERIOD_BUFSZ];
			period_format(f, from);
			set_str(o, "from", f);
		}
		if (to >= 0) {
			char t[PERIOD_BUFSZ];
			period_format(t, to);
			set_str(o, "to", t);
		}
		if (tag) {
			json_t *sp = json_object();
			set_str(sp, "tag", tag);
			set_str(sp, "value", value);
			json_object_set_new(o, "split", sp);
		}
		json_array_append_new(out, o);
	}
	return out;
}

static int cmp_account(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "id")),
		json_string_value(json_object_get(y, "id")));
	const char *fx, *fy;
	if (c)
		return c;
	fx = json_string_value(json_object_get(x, "from"));
	fy = json_string_value(json_object_get(y, "from"));
	if (!fx || !fy)
		c = !fx ? (fy ? -1 : 0) : 1;
	else
		c = strcmp(fx, fy);
	if (c)
		return c;
	/* then plain before split, splits by tag value (spec §9) */
	fx = config_str(json_object_get(x, "split"), "value");
	fy = config_str(json_object_get(y, "split"), "value");
	return strcmp(fx, fy);
}

/* Sorts a JSON array in place with cmp over its elements. */
static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr), i;
	json_t **v;
	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

/* A plain text field of an object: its key, whether it must be there and
 * its longest value in bytes (0: no limit). A new such field of an object
 * is one row in its table (customer_text below); the canonical document
 * writes them after the object's other scalar fields, in table order. */
struct text_field {
	const char *key;
	int required;
	size_t max;
};
#define NTEXT(t) (sizeof(t) / sizeof((t)[0]))

static const struct text_field customer_text[] = {
	{ "email", 0, 0 },
	{ "address", 0, 0 },
	{ "vat_id", 0, 0 },
	{ "city", 0, 0 },
	{ "postal_code", 0, 0 },
	{ "country", 0, 0 },       /* ISO 3166 alpha-2: party_check */
	{ "company_id", 0, 0 },
	{ "peppol_id", 0, 0 },     /* SCHEME:ID: party_check */
};

/* The issuer (spec §8): one object, the reseller itself. */
static const struct text_field issuer_text[] = {
	{ "name", 1, 0 },
	{ "address", 0, 0 },
	{ "city", 0, 0 },
	{ "postal_code", 0, 0 },
	{ "country", 0, 0 },
	{ "vat_id", 0, 0 },
	{ "company_id", 0, 0 },
	{ "iban", 0, 34 },
	{ "bic", 0, 11 },
	{ "email", 0, 0 },
	{ "invoice_format", 0, 64 },
	{ "credit_note_format", 0, 64 },
	{ "peppol_id", 0, 0 },
	{ "logo", 0, 0 },
};

/* check_keys for an object whose allowed keys are keys plus its text
 * fields. */
static void check_keys2(struct config_result *r, json_t *obj, const char *path,
	const char *const *keys, const struct text_field *text, size_t ntext)
{
	const char *key;
	json_t *v;
	char p[PATHSZ];
	size_t k;

	json_object_foreach(obj, key, v) {
		int known = in_list(keys, key);
		for (k = 0; k < ntext && !known; k++)
			known = !strcmp(text[k].key, key);
		if (!known)
			problem(r, pkey(p, path, key), "unknown field");
	}
}

/* Reads text field f of obj into *out (NULL when absent). Returns 0 when
 * it is bad (reported), else 1. */
static int get_text(struct config_result *r, json_t *obj, const char *path,
	const struct text_field *f, const char **out)
{
	json_t *v = json_object_get(obj, f->key);
	char p[PATHSZ];

	*out = get_str(r, obj, f->key, path, f->required);
	if (!*out)
		return !f->required && (!v || json_is_null(v) || json_is_string(v));
	if (f->max && strlen(*out) > f->max) {
		problem(r, pkey(p, path, f->key), "longer than %zu bytes", f->max);
		*out = NULL;
		return 0;
	}
	return 1;
}

/* The country (two capital letters) and the peppol_id (SCHEME:ID, the
 * scheme 4 digits) of a customer or the issuer, when given. Returns 0 when
 * one is bad (reported), else 1. */
static int party_check(struct config_result *r, json_t *obj, const char *path)
{
	const char *c = json_string_value(json_object_get(obj, "country"));
	const char *pp = json_string_value(json_object_get(obj, "peppol_id"));
	char p[PATHSZ];
	int ok = 1;
	size_t k;

	if (c && (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')) {
		problem(r, pkey(p, path, "country"),
			"bad country '%s' (expected an ISO 3166 alpha-2 code such as NL)", c);
		ok = 0;
	}
	if (pp) {
		int good = strlen(pp) > 5 && pp[4] == ':';
		for (k = 0; good && k < 4; k++)
			good = pp[k] >= '0' && pp[k] <= '9';
		if (!good) {
			problem(r, pkey(p, path, "peppol_id"),
				"bad peppol_id '%s' (expected SCHEME:ID such as 0106:12345678)", pp);
			ok = 0;
		}
	}
	return ok;
}

/* payment_terms_days: an integer 0..3650 when given (default 30, spec §8). */
static int get_terms(struct config_result *r, json_t *obj, const char *path, json_int_t *out)
{
	json_t *v = json_object_get(obj, "payment_terms_days");
	char p[PATHSZ];
	*out = -1;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3650) {
		problem(r, pkey(p, path, "payment_terms_days"),
			"expected a whole number of days from 0 to 3650");
		return 0;
	}
	*out = json_integer_value(v);
	return 1;
}

/* A document number pattern: text with {YYYY} and exactly one {SEQ} or
 * {SEQ:N} (N digits, 1-9); no other braces. */
static int format_ok(const char *f)
{
	int seq = 0;
	while (*f) {
		if (*f == '}')
			return 0;
		if (*f != '{') {
			f++;
			continue;
		}
		if (!strncmp(f, "{YYYY}", 6)) {
			f += 6;
		} else if (!strncmp(f, "{SEQ}", 5)) {
			seq++;
			f += 5;
		} else if (!strncmp(f, "{SEQ:", 5) && f[5] >= '1' && f[5] <= '9' && f[6] == '}') {
			seq++;
			f += 7;
		} else {
			return 0;
		}
	}
	return seq == 1;
}

static json_t *check_issuer(struct config_result *r, json_t *doc)
{
	static const char *const keys[] = { NULL };
	json_t *e = json_object_get(doc, "issuer"), *o;
	const char *text[NTEXT(issuer_text)], *fi, *fc;
	char p[PATHSZ];
	int ok = 1;
	size_t k;

	if (!e || json_is_null(e))
		return NULL;
	if (!is_object(r, e, "$.issuer"))
		return NULL;
	check_keys2(r, e, "$.issuer", keys, issuer_text, NTEXT(issuer_text));
	for (k = 0; k < NTEXT(issuer_text); k++)
		if (!get_text(r, e, "$.issuer", &issuer_text[k], &text[k]))
			ok = 0;
	ok &= party_check(r, e, "$.issuer");
	fi = json_string_value(json_object_get(e, "invoice_format"));
	fc = json_string_value(json_object_get(e, "credit_note_format"));
	if (fi && !format_ok(fi)) {
		problem(r, pkey(p, "$.issuer", "invoice_format"),
			"bad number format '%s' (text with {YYYY} and one {SEQ} or {SEQ:N})", fi);
		ok = 0;
	}
	if (fc && !format_ok(fc)) {
		problem(r, pkey(p, "$.issuer", "credit_note_format"),
			"bad number format '%s' (text with {YYYY} and one {SEQ} or {SEQ:N})", fc);
		ok = 0;
	}
	if (!strcmp(fi ? fi : "INV-{YYYY}-{SEQ:5}", fc ? fc : "CN-{YYYY}-{SEQ:5}")) {
		problem(r, pkey(p, "$.issuer", "credit_note_format"),
			"invoices and credit notes need different number formats");
		ok = 0;
	}
	if (!ok)
		return NULL;
	o = json_object();
	for (k = 0; k < NTEXT(issuer_text); k++)
		set_str(o, issuer_text[k].key, text[k]);
	return o;
}

/* The general-ledger accounts of the journal (export journal): each a
 * non-empty code; the ones not given keep their defaults (docs/invoices.md). */
static const char *const ledger_keys[] = { "receivable", "vat", "charge", "fee", "custom",
	"credit", "refund", "discount", "tax", NULL };

static json_t *check_ledger(struct config_result *r, json_t *doc)
{
	json_t *e = json_object_get(doc, "ledger"), *o;
	char p[PATHSZ];
	size_t k;
	int ok = 1;

	if (!e || json_is_null(e))
		return NULL;
	if (!is_object(r, e, "$.ledger"))
		return NULL;
	check_keys(r, e, "$.ledger", ledger_keys);
	o = json_object();
	for (k = 0; ledger_keys[k]; k++) {
		const char *v = get_str(r, e, ledger_keys[k], "$.ledger", 0);
		json_t *raw = json_object_get(e, ledger_keys[k]);
		if (!v) {
			if (raw && json_is_string(raw))
				problem(r, pkey(p, "$.ledger", ledger_keys[k]),
					"expected an account code of 1 to 32 characters");
			if (raw && !json_is_null(raw))
				ok = 0;
			continue;
		}
		if (!*v || strlen(v) > 32) {
			problem(r, pkey(p, "$.ledger", ledger_keys[k]), "expected an account code of 1 to 32 characters");
			ok = 0;
			continue;
		}
		set_str(o, ledger_keys[k], v);
	}
	if (!ok || !json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* uses collects {"plan", "currency"} of every customer whose plan and
 * currency are valid (even when something else about it is not), for the
 * fee digit check. */
static void check_customers(struct config_result *r, json_t *doc, json_t *plan_ids,
	json_t *tax_ids, json_t *ids, json_t *out, json_t *uses)
{
	static const char *const keys[] = { "id", "name", "currency", "plan", "tax_cluster",
		"grouping", "accounts", "payment_terms_days", NULL };
	static const char *const groupings[] = { "service", "account", "account_service", NULL };
	json_t *arr = get_array(r, doc, "customers", "$"), *e;
	struct held *held = NULL;
	size_t nheld = 0, i;

	json_array_foreach(arr, i, e) {
		char path[PATHSZ], p[PATHSZ];
		const char *id, *name, *cur, *plan, *tc, *grouping;
		const char *text[sizeof(customer_text) / sizeof(customer_text[0])];
		json_t *o, *accounts;
		json_int_t terms = -1;
		int ok = 1;
		size_t k;

		pidx(path, "$.customers", i);
		if (!is_object(r, e, path))
			continue;
		check_keys2(r, e, path, keys, customer_text, NTEXT(customer_text));
		id = get_id(r, e, path, ids);
		name = get_str(r, e, "name", path, 1);
		cur = get_str(r, e, "currency", path, 1);
		if (cur && config_currency_minor(cur) < 0) {
			problem(r, pkey(p, path, "currency"), "unknown currency '%s'", cur);
			cur = NULL;
		}
		plan = get_str(r, e, "plan", path, 1);
		if (plan && !json_object_get(plan_ids, plan)) {
			problem(r, pkey(p, path, "plan"), "unknown plan '%s'", plan);
			plan = NULL;
		}
		tc = get_str(r, e, "tax_cluster", path, 0);
		if (tc && !json_object_get(tax_ids, tc)) {
			problem(r, pkey(p, path, "tax_cluster"), "unknown tax cluster '%s'", tc);
			ok = 0;
		}
		if (!tc && json_object_get(e, "tax_cluster") &&
		    !json_is_null(json_object_get(e, "tax_cluster")) &&
		    !json_is_string(json_object_get(e, "tax_cluster")))
			ok = 0;
		grouping = get_enum(r, e, "grouping", path, groupings, "service",
			"service, account or account_service");
		for (k = 0; k < NTEXT(customer_text); k++)
			if (!get_text(r, e, path, &customer_text[k], &text[k]))
				ok = 0;
		ok &= party_check(r, e, path);
		ok &= get_terms(r, e, path, &terms);
		accounts = check_accounts(r, e, path, id ? id : "?", &held, &nheld, &ok);
		if (plan && cur) {
			json_t *u = json_object();
			set_str(u, "plan", plan);
			set_str(u, "currency", cur);
			json_object_set_new(u, "index", json_integer((json_int_t)i));
			json_array_append_new(uses, u);
		}
		if (id)
			json_object_set_new(ids, id, json_string(cur ? cur : ""));
		if (!id || !name || !cur || !plan || !grouping || !ok) {
			json_decref(accounts);
			continue;
		}
		sort_array(accounts, cmp_account);
		o = json_object();
		set_str(o, "id", id);
		set_str(o, "name", name);
		set_str(o, "currency", cur);
		set_str(o, "plan", plan);
		set_str(o, "tax_cluster", tc);
		set_str(o, "grouping", grouping);
		for (k = 0; k < NTEXT(customer_text); k++)
			set_str(o, customer_text[k].key, text[k]);
		if (terms >= 0)
			json_object_set_new(o, "payment_terms_days", json_integer(terms));
		json_object_set_new(o, "accounts", accounts);
		json_array_append_new(out, o);
	}
	free(held);
}

/* The currency a plan names (spec §5 step 4), or NULL: none, or not a
 * known currency (reported by check_plans). */
static const char *plan_currency(json_t *doc, const char *pid)
{
	json_t *plan;
	size_t i;

	json_array_foreach(json_object_get(doc, "plans"), i, plan) {
		const char *cur = json_string_value(json_object_get(plan, "currency"));
		if (json_is_object(plan) && !strcmp(config_str(plan, "id"), pid))
			return cur && config_currency_minor(cur) >= 0 ? cur : NULL;
	}
	return NULL;
}

/* Spec §5 step 4: a plan that names its currency is only for customers
 * invoiced in it, so a fee minimum of 250 means one amount. */
static void check_plan_currency(struct config_result *r, json_t *doc, json_t *customers)
	/* customers: the "uses" of check_customers */
{
	json_t *c;
	size_t i;

	json_array_foreach(customers, i, c) {
		const char *pid = config_str(c, "plan"), *cur = config_str(c, "currency");
		const char *want = plan_currency(doc, pid);
		char path[PATHSZ];

		if (!want || !strcmp(want, cur))
			continue;
		snprintf(path, sizeof(path), "$.customers[%lld].currency",
			(long long)json_integer_value(json_object_get(c, "index")));
		problem(r, path, "plan '%s' is for customers invoiced in %s, not %s", pid, want, cur);
	}
}

/* Spec §5 step 4: fee amounts, min and max carry no more digits than the
 * currency of the plan, and of every customer on it, allows. */
static void check_fee_digits(struct config_result *r, json_t *doc, json_t *customers)
	/* customers: the "uses" of check_customers */
{
	static const char *const fields[] = { "amount", "min", "max", NULL };
	json_t *plans = json_object_get(doc, "plans"), *plan, *fee;
	size_t i, k, f;

	if (!json_is_array(plans))
		return;
	json_array_foreach(plans, i, plan) {
		const char *pid = json_string_value(json_object_get(plan, "id"));
		json_t *fees = json_object_get(plan, "fees"), *currs = json_array(), *c;
		size_t ci;

		if (!pid || !json_is_array(fees)) {
			json_decref(currs);
			continue;
		}
		/* the plan's currency and those of its customers, once each */
		if (plan_currency(doc, pid))
			json_array_append_new(currs, json_string(plan_currency(doc, pid)));
		json_array_foreach(customers, ci, c) {
			const char *cur = json_string_value(json_object_get(c, "currency"));
			json_t *x;
			size_t xi;
			int seen = 0;
			if (strcmp(json_string_value(json_object_get(c, "plan")), pid))
				continue;
			json_array_foreach(currs, xi, x)
				seen |= !strcmp(json_string_value(x), cur);
			if (!seen)
				json_array_append_new(currs, json_string(cur));
		}
		json_array_foreach(fees, k, fee) {
			for (f = 0; json_is_object(fee) && fields[f]; f++) {
				json_t *v = json_object_get(fee, fields[f]);
				const char *s = json_string_value(v);
				rb_i128 x;
				if (!s || dec_parse_strict(&x, s, strlen(s), DEC_FACTOR_DIGITS,
						DEC_FACTOR_DIGITS) != DEC_OK)
					continue;
				json_array_foreach(currs, ci, c) {
					const char *cur = json_string_value(c);
					int minor = config_currency_minor(cur);
					if (dec_digits(x) > minor) {
						char path[PATHSZ];
						snprintf(path, sizeof(path), "$.plans[%zu].fees[%zu].%s", i, k, fields[f]);
						problem(r, path, "%s has more digits than %s allows (%d)", s, cur, minor);
					}
				}
			}
		}
		json_decref(currs);
	}
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "id")),
		json_string_value(json_object_get(*(json_t *const *)b, "id")));
}

static void check_fx(struct config_result *r, json_t *doc, json_t *out)
{
	static const char *const keys[] = { "period", "currency", "rate", NULL };
	json_t *arr = get_array(r, doc, "fx", "$"), *e, *seen = json_object();
	size_t i;

	json_array_foreach(arr, i, e) {
		char path[PATHSZ], p[PATHSZ], key[64];
		const char *cur;
		int period = 0, rp, ok = 1;
		rb_i128 rate = 0;
		json_t *o;

		pidx(path, "$.fx", i);
		if (!is_object(r, e, path))
			continue;
		check_keys(r, e, path, keys);
		rp = get_period(r, e, "period", path, 1, &period);
		cur = get_str(r, e, "currency", path, 1);
		if (cur && config_currency_minor(cur) < 0) {
			problem(r, pkey(p, path, "currency"), "unknown currency '%s'", cur);
			cur = NULL;
		} else if (cur && !strcmp(cur, "USD")) {
			problem(r, pkey(p, path, "currency"), "USD needs no rate (amounts are in USD)");
			cur = NULL;
		}
		if (get_dec(r, e, "rate", path, 1, &rate, NULL) < 0) {
			ok = 0;
		} else if (rate <= 0) {
			problem(r, pkey(p, path, "rate"), "a rate must be positive");
			ok = 0;
		} else if (above(r, path, "rate", rate, FX_MAX, "rate")) {
			ok = 0;
		}
		if (rp <= 0 || !cur || !ok)
			continue;
		period_format(p, period);
		if (snprintf(key, sizeof(key), "%s:%s", p, cur) >= (int)sizeof(key))
			continue; /* cannot happen: a known currency is 3 letters */
		if (json_object_get(seen, key)) {
			problem(r, path, "duplicate rate for %s in %s", cur, p);
			continue;
		}
		json_object_set_new(seen, key, json_true());
		o = json_object();
		set_str(o, "period", p);
		set_str(o, "currency", cur);
		json_object_set_new(o, "rate", dec_json(rate));
		json_array_append_new(out, o);
	}
	json_decref(seen);
}

static int cmp_fx(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "period")),
		json_string_value(json_object_get(y, "period")));
	return c ? c : strcmp(json_string_value(json_object_get(x, "currency")),
		json_string_value(json_object_get(y, "currency")));
}

static int cmp_custom(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "customer")),
		json_string_value(json_object_get(y, "customer")));
	if (!c)
		c = strcmp(json_string_value(json_object_get(x, "period")),
			json_string_value(json_object_get(y, "period")));
	if (!c) {
		json_int_t i = json_integer_value(json_object_get(x, "#")),
			j = json_integer_value(json_object_get(y, "#"));
		c = (i > j) - (i < j);
	}
	return c;
}

static void check_custom(struct config_result *r, json_t *doc, json_t *cust_ids, json_t *out)
{
	static const char *const keys[] = { "customer", "period", "description", "amount", NULL };
	json_t *arr = get_array(r, doc, "custom_lines", "$"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		char path[PATHSZ], p[PATHSZ];
		const char *cust, *desc, *raw = NULL, *cur = NULL;
		int period = 0, rp, ra;
		rb_i128 amount = 0;
		json_t *o;

		pidx(path, "$.custom_lines", i);
		if (!is_object(r, e, path))
			continue;
		check_keys(r, e, path, keys);
		cust = get_str(r, e, "customer", path, 1);
		if (cust && !json_object_get(cust_ids, cust)) {
			problem(r, pkey(p, path, "customer"), "unknown customer '%s'", cust);
			cust = NULL;
		}
		if (cust)
			cur = json_string_value(json_object_get(cust_ids, cust));
		rp = get_period(r, e, "period", path, 1, &period);
		desc = get_str(r, e, "description", path, 1);
		ra = get_dec(r, e, "amount", path, 1, &amount, &raw);
		if (ra > 0 && (above(r, path, "amount", amount, AMOUNT_MAX, "amount") ||
		               above(r, path, "amount", -amount, AMOUNT_MAX, "amount below minus")))
			ra = -1;
		if (ra > 0 && cur && *cur && dec_digits(amount) > config_currency_minor(cur)) {
			problem(r, pkey(p, path, "amount"), "%s has more digits than %s allows (%d)",
				raw, cur, config_currency_minor(cur));
			ra = -1;
		}
		if (!cust || rp <= 0 || !desc || ra <= 0)
			continue;
		period_format(p, period);
		o = json_object();
		set_str(o, "customer", cust);
		set_str(o, "period", p);
		set_str(o, "description", desc);
		json_object_set_new(o, "amount", dec_json(amount));
		json_object_set_new(o, "#", json_integer((json_int_t)i));
		json_array_append_new(out, o);
	}
}

/* Names the top-level object a problem is in, from the document checked. */
static void name_object(struct config_problem *p, json_t *doc)
{
	static const struct { const char *section, *what, *k1, *k2; } secs[] = {
		{ "tax_clusters", "tax cluster", "id", NULL },
		{ "plans", "plan", "id", NULL },
		{ "customers", "customer", "id", NULL },
		{ "fx", "fx", "period", "currency" },
		{ "custom_lines", "custom line of", "customer", NULL },
	};
	size_t k, len;
	char label[256];

	for (k = 0; k < sizeof(secs) / sizeof(secs[0]); k++) {
		const char *a, *b, *rest;
		char *end;
		json_t *e;
		unsigned long idx;

		len = strlen(secs[k].section);
		if (strncmp(p->path, "$.", 2) || strncmp(p->path + 2, secs[k].section, len) ||
		    p->path[2 + len] != '[')
			continue;
		idx = strtoul(p->path + 3 + len, &end, 10);
		if (*end != ']')
			return;
		rest = end + 1;
		e = json_array_get(json_object_get(doc, secs[k].section), idx);
		a = json_string_value(json_object_get(e, secs[k].k1));
		b = secs[k].k2 ? json_string_value(json_object_get(e, secs[k].k2)) : NULL;
		if (!a || !*a || (secs[k].k2 && (!b || !*b)))
			return;
		if (b)
			snprintf(label, sizeof(label), "%s %s %s", secs[k].what, a, b);
		else
			snprintf(label, sizeof(label), "%s '%s'", secs[k].what, a);
		p->object = xstrdup(label);
		p->sub = xstrdup(*rest == '.' ? rest + 1 : rest);
		return;
	}
}

int config_normalize(json_t **out, json_t *doc, struct config_result *r,
	struct rb_err *err)
{
	static const char *const keys[] = { "tax_clusters", "plans", "customers", "fx",
		"custom_lines", "issuer", "ledger", NULL };
	json_t *issuer = NULL, *ledger = NULL, *tax_ids = json_object(), *plan_ids = json_object(), *cust_ids = json_object();
	json_t *tc = json_array(), *plans = json_array(), *custs = json_array();
	json_t *fx = json_array(), *custom = json_array(), *uses = json_array(), *c;
	size_t before = r->nproblems, i;
	int rc = 0;

	*out = NULL;
	if (!json_is_object(doc)) {
		problem(r, "$", "expected an object, got %s", type_name(doc));
	} else {
		check_keys(r, doc, "$", keys);
		check_tax_clusters(r, doc, tax_ids, tc);
		check_plans(r, doc, plan_ids, plans);
		check_customers(r, doc, plan_ids, tax_ids, cust_ids, custs, uses);
		check_plan_currency(r, doc, uses);
		check_fee_digits(r, doc, uses);
		check_fx(r, doc, fx);
		check_custom(r, doc, cust_ids, custom);
		issuer = check_issuer(r, doc);
		ledger = check_ledger(r, doc);
	}
	if (r->nproblems > before) {
		size_t n = r->nproblems - before;
		for (i = before; i < r->nproblems; i++)
			name_object(&r->problems[i], doc);
		rc = rb_err_set(err, RB_EINPUT, "%zu problem%s in the configuration", n, n == 1 ? "" : "s");
		goto cleanup;
	}
	sort_array(tc, cmp_id);
	sort_array(plans, cmp_id);
	sort_array(custs, cmp_id);
	sort_array(fx, cmp_fx);
	sort_array(custom, cmp_custom);
	json_array_foreach(custom, i, c)
		json_object_del(c, "#");
	*out = json_object();
	json_object_set_new(*out, "tax_clusters", tc);
	json_object_set_new(*out, "plans", plans);
	json_object_set_new(*out, "customers", custs);
	json_object_set_new(*out, "fx", fx);
	json_object_set_new(*out, "custom_lines", custom);
	if (issuer)
		json_object_set_new(*out, "issuer", issuer);
	if (ledger)
		json_object_set_new(*out, "ledger", ledger);
	tc = plans = custs = fx = custom = issuer = ledger = NULL;
cleanup:
	json_decref(issuer);
	json_decref(ledger);
	json_decref(uses);
	json_decref(tax_ids);
	json_decref(plan_ids);
	json_decref(cust_ids);
	json_decref(tc);
	json_decref(plans);
	json_decref(custs);
	json_decref(fx);
	json_decref(custom);
	return rc;
}
