/*
 * parquet.c: reading Parquet files (see parquet.h): the footer, the schema
 * tree (definition and repetition levels), row groups, column chunks page
 * by page (v1 and v2, dictionary pages), the codecs UNCOMPRESSED, SNAPPY,
 * GZIP and ZSTD, the encodings PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY,
 * RLE/bit-packed hybrid, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and
 * DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, and the values turned into text cells.
 *
 * Memory: per projected leaf column one read buffer (PQ_READ_AHEAD, or a
 * page when larger), one decompressed page, the page's levels and values,
 * and the dictionary as text. Pages past PQ_MAX_PAGE bytes or
 * PQ_MAX_PAGE_VALUES entries are bad input.
 *
 * Not for: CUR column names or row rules (reader.c), Thrift (pq_thrift.c).
 */
#include "ingest/parquet.h"

#include <errno.h>
#include <math.h>
#include <snappy-c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "ingest/pq_int.h"
#include "util/decimal.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define PQ_READ_AHEAD ((size_t)256 << 10)
#define PQ_HEADER_WINDOW ((size_t)64 << 10)
#define PQ_MAX_HEADER ((size_t)16 << 20)
#define PQ_MAX_PAGE ((size_t)64 << 20)
#define PQ_MAX_PAGE_VALUES ((int32_t)1 << 22)
#define PQ_MAX_FOOTER ((uint64_t)256 << 20)
#define PQ_MAX_DEPTH 16
#define PQ_MAX_CELL ((size_t)16 << 20)
#define PQ_BATCH 64   /* rows decoded a column at a time (all columns flat) */

enum shape { SH_FLAT, SH_MAP, SH_LIST, SH_OTHER };
enum vmode { VM_NONE, VM_DICT, VM_STR, VM_FIXED, VM_INT };

struct leaf {
	const struct pq_schema_el *el;
	int max_def, max_rep;
	int rep_def;          /* def level of the innermost repeated ancestor */
	size_t field;
};

struct field {
	const char *name;
	size_t first_leaf, nleaves;
	enum shape shape;
	int projected;
	struct strbuf json;   /* MAP and LIST cells */
	const char *const *keys;   /* MAP: only these keys (NULL: all) */
	size_t nkeys;
	int amount_only;           /* pq_reader_amount_only */
};

struct col {
	const struct leaf *leaf;
	size_t ileaf;
	const struct pq_chunk_meta *cm;
	uint64_t pos, end;        /* next page, end of the chunk */
	int64_t levels_left;      /* entries of the chunk not yet in a page */

	uint8_t *rbuf;            /* file bytes [roff, roff + rlen) */
	size_t rcap, rlen;
	uint64_t roff;
	uint8_t *page;            /* decompressed page */
	size_t pagecap;

	struct rb_str *dict;      /* dictionary values as text */
	size_t ndict;
	char *dtext;
	int have_dict;
	rb_i128 *damt;            /* entry i's exact amount (see amt below) */
	uint8_t *dflag;           /* entry i: DF_AMT, DF_UTF8 */
	uint64_t dict_serial;     /* of this dictionary, unique in the process */
	uint64_t ref;             /* the last value taken: pq_reader_dict_ref */

	int32_t nlev, ilev;       /* entries of the page, next one */
	uint8_t *def, *rep;       /* levels (allocated when the maximum > 0) */
	size_t defcap, repcap;
	int32_t nval, ival;       /* non-null values of the page, next one */
	enum vmode mode;
	struct rle *dstream;      /* VM_DICT: the indices, read as values are taken */
	int bad_index;            /* an index past the dictionary or the data */
	uint32_t *idx;            /* RLE booleans */
	size_t idxcap;
	struct rb_str *sv;
	size_t svcap;
	int64_t *iv;
	size_t ivcap;
	const uint8_t *fixed;     /* VM_FIXED: nval values of `width` bytes */
	size_t width;
	uint8_t *own;             /* DELTA_BYTE_ARRAY values */
	size_t owncap;

	char num[64];             /* the current value as text */
	size_t numlen;
	int have_last;            /* num holds the text of last_bits */
	uint64_t last_bits;
	/* The value just taken as an exact amount at DEC_SCALE, when it is a
	 * number whose text dec_parse would give exactly that (pq_reader_amount);
	 * and whether its text is known to be valid UTF-8 (a dictionary entry,
	 * checked once). */
	int amt_ok, utf8_ok;
	rb_i128 amt;
};

enum { DF_AMT = 1, DF_UTF8 = 2, DF_ARENA = 4 };

struct pq_reader {
	char *name;
	int fd;
	const uint8_t *mem;
	uint64_t size, bytes_in;
	struct pq_meta meta;

	struct leaf *leaves;
	size_t nleaves;
	struct field *fields;
	size_t nfields;
	struct rb_str *cells;
	rb_i128 *amts;                  /* per field: the cell as an amount ... */
	uint8_t *cflags;                /* ... when DF_AMT; DF_UTF8: valid text */
	uint64_t *refs;                 /* per field: the current cell's dictionary ref */
	uint64_t *drefs;                /* ... and its day ref (pq_reader_day_ref) */
	uint64_t day_serials;           /* first of the 2^20 serials of day refs, 0: none yet */
	size_t *proj;                   /* the projected fields, in order */
	size_t nproj;

	size_t rg;                      /* next row group */
	int ranged;                     /* only groups starting in [first_off, stop_off) */
	uint64_t first_off, stop_off;
	int64_t rg_rows_left;
	int rg_open;
	struct col *cols;               /* nleaves, used for projected ones */
	long row;
	char why[256];

	/* When every projected field is a flat column (legacy CUR), rows are
	 * decoded PQ_BATCH at a time, one column after the other (a tight loop
	 * per column instead of every column's state per row), into these
	 * arrays of nproj * PQ_BATCH entries, never past the row group. Values
	 * that live in a page or in the column's number buffer are copied into
	 * the arena (dictionary entries stay valid for the row group). An
	 * error at batch row j cuts the batch there: rows before it are
	 * returned, then the error, as if read row by row (the earliest row,
	 * and in it the first column, wins). */
	int batch_state;                /* 0 undecided, 1 batching, -1 row by row */
	size_t batch_rows;              /* PQ_BATCH, or fewer (tests); 0 never */
	size_t bn, bi;                  /* rows in the batch, next one */
	struct rb_str *bcell;
	uint8_t *bflag;
	rb_i128 *bamt;
	uint64_t *bref, *bdref;
	size_t *boff;
	char *arena;
	size_t alen, acap;
	int bfail;                      /* the batch ends with berr */
	int bret;
	struct rb_err berr;
};

/* ---- text of values ---------------------------------------------------- */

/* Writes the digits of v (>= 0) ending at end, returns the start. */
static char *put_digits(char *end, uint64_t v, int min)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		min--;
	} while (v || min > 0);
	return end;
}

/* The fast case below without the text: *e10 = |d| * 1e10 rounded (the
 * one computation both use). */
static int double_e10(double d, uint64_t *e10)
{
	double a = d < 0 ? -d : d;
	uint64_t r;
	if (!(a < 1e5))
		return 0;
	r = (uint64_t)(a * 1e10 + 0.5);
	if ((double)r / 1e10 != a)
		return 0;
	*e10 = r;
	return 1;
}

/* The common case of CUR costs: |d| < 1e5 with at most 10 fractional
 * digits. r = d * 1e10 rounded; when r / 1e10 (one correctly rounded IEEE
 * division, as strtod of the decimal would round) gives d back, the
 * decimal r * 1e-10 reads back as d; and it is the shortest such: below
 * 1e5 an ulp is under 1.5e-11, so no other decimal with <= 10 fractional
 * digits (and every shorter one has no more) reads back as d. */
static size_t fast_double(char *buf, size_t cap, double d, uint64_t *e10)
{
	uint64_t r, ip, fp;
	char tmp[40], *end = tmp + sizeof(tmp), *p, *q;
	size_t n;
	int i;

	if (cap < 32 || !double_e10(d, &r))
		return 0;
	*e10 = r;
	ip = r / 10000000000u;
	fp = r % 10000000000u;
	p = end;
	if (fp) {
		/* drop trailing zeros of the 10 fractional digits */
		i = 10;
		while (fp % 10 == 0) {
			fp /= 10;
			i--;
		}
		p = put_digits(p, fp, i);
		*--p = '.';
	}
	p = put_digits(p, ip, 1);
	if (d < 0)
		*--p = '-';
	n = (size_t)(end - p);
	for (q = buf; p < end; )
		*q++ = *p++;
	buf[n] = '\0';
	return n;
}

/* As pq_format_double; *amt_ok says whether *amt holds the text's exact
 * value at DEC_SCALE (zero and the fast case: d = r * 1e-10 exactly as
 * written, which dec_parse reads back as r). */
static size_t format_double_amt(char *buf, size_t cap, double d, int *amt_ok, rb_i128 *amt)
{
	int n, prec;
	size_t k;
	uint64_t r = 0;
	*amt_ok = 0;
	if (d == 0) {
		*amt_ok = 1;
		*amt = 0;
		return (size_t)snprintf(buf, cap, "0");
	}
	if (isnan(d))
		return (size_t)snprintf(buf, cap, "nan");
	if (isinf(d))
		return (size_t)snprintf(buf, cap, "%sinf", d < 0 ? "-" : "");
	if ((k = fast_double(buf, cap, d, &r))) {
		*amt_ok = 1;
		*amt = d < 0 ? -(rb_i128)r : (rb_i128)r;
		return k;
	}
	/* Any decimal of <= 15 significant digits survives the trip to a
	 * double and back (DBL_DIG): if 15 digits read back, %.15g (which
	 * drops trailing zeros) is the shortest; else the nearest 16-digit
	 * decimal, else 17 digits (always exact). */
	for (prec = 15; prec < 17; prec++) {
		n = snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return (size_t)n;
	}
	return (size_t)snprintf(buf, cap, "%.17g", d);
}

size_t pq_format_double(char *buf, size_t cap, double d)
{
	int ok;
	rb_i128 v;
	return format_double_amt(buf, cap, d, &ok, &v);
}

/* The exact amount at DEC_SCALE of the text dec_format_min(v, scale)
 * writes, as dec_parse would read it: v * 10^(DEC_SCALE - scale), for
 * scale <= DEC_SCALE and |v| of at most DEC_MAX_SCALE digits (dec_parse
 * refuses more) when it does not overflow. Larger scales round in
 * dec_parse: left to it. */
static int decimal_amt(rb_i128 v, int32_t scale, rb_i128 *out)
{
	static const int64_t p10[DEC_SCALE + 1] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
		10000000, 100000000, 1000000000, 10000000000 };
	const rb_i128 lim = (rb_i128)10000000000000000000u * 10000000000000000000u; /* 1e38 */
	_Static_assert(DEC_SCALE == 10 && DEC_MAX_SCALE == 38, "p10 and lim");
	if (scale < 0 || scale > DEC_SCALE || v >= lim || v <= -lim)
		return 0;
	return !__builtin_mul_overflow(v, (rb_i128)p10[DEC_SCALE - scale], out);
}

/* days since 1970-01-01 to a civil date (proleptic Gregorian) */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* v in units per second (1000, 1000000, 1000000000; `digits` of them) as
 * YYYY-MM-DDTHH:MM:SS[.f]Z, trailing fractional zeros dropped. */
static size_t format_timestamp(char *buf, size_t cap, int64_t v, int64_t units, int digits)
{
	int64_t secs = floor_div(v, units), frac = v - secs * units;
	int64_t days = floor_div(secs, 86400), sod = secs - days * 86400, y;
	unsigned m, d;
	char *w = buf;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || cap < 40)
		return (size_t)snprintf(buf, cap, "timestamp out of range");
	put_digits(w + 4, (uint64_t)y, 4);
	w[4] = '-';
	put_digits(w + 7, m, 2);
	w[7] = '-';
	put_digits(w + 10, d, 2);
	w[10] = 'T';
	put_digits(w + 13, (uint64_t)(sod / 3600), 2);
	w[13] = ':';
	put_digits(w + 16, (uint64_t)(sod / 60 % 60), 2);
	w[16] = ':';
	put_digits(w + 19, (uint64_t)(sod % 60), 2);
	w += 19;
	if (frac) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		*w++ = '.';
		put_digits(w + digits, (uint64_t)frac, digits);
		w += digits;
	}
	*w++ = 'Z';
	*w = '\0';
	return (size_t)(w - buf);
}

static size_t format_date(char *buf, size_t cap, int64_t days)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, cap, "date out of range");
	return (size_t)snprintf(buf, cap, "%04d-%02u-%02u", (int)y, m, d);
}

static size_t format_int(struct col *c, char *buf, size_t cap, int64_t v)
{
	const struct leaf *l = c->leaf;
	c->amt_ok = 0;
	switch (l->el->kind) {
	case PQK_DECIMAL:
		if (l->el->scale >= 0 && l->el->scale <= DEC_MAX_SCALE) {
			c->amt_ok = decimal_amt((rb_i128)v, l->el->scale, &c->amt);
			return dec_format_min(buf, cap, (rb_i128)v, l->el->scale);
		}
		break;
	case PQK_DATE: return format_date(buf, cap, v);
	case PQK_TS_MILLIS: return format_timestamp(buf, cap, v, 1000, 3);
	case PQK_TS_MICROS: return format_timestamp(buf, cap, v, 1000000, 6);
	case PQK_TS_NANOS: return format_timestamp(buf, cap, v, 1000000000, 9);
	default: break;
	}
	if (l->el->type == PQ_BOOLEAN)
		return (size_t)snprintf(buf, cap, "%s", v ? "true" : "false");
	c->amt_ok = decimal_amt((rb_i128)v, 0, &c->amt);
	return (size_t)snprintf(buf, cap, "%lld", (long long)v);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The text of a fixed-width PLAIN value (INT32, INT64, INT96, FLOAT,
 * DOUBLE) into c->num; equal bits as the last value reuse the text. */
static struct rb_str fixed_text(struct col *c, const uint8_t *p)
{
	const struct leaf *l = c->leaf;
	struct rb_str s;
	uint64_t bits;
	size_t n;

	switch (l->el->type) {
	case PQ_INT32: bits = le32(p); break;
	case PQ_FLOAT: bits = le32(p); break;
	case PQ_INT96: bits = le64(p) ^ ((uint64_t)le32(p + 8) << 17); break;
	default: bits = le64(p); break;
	}
	if (c->have_last && bits == c->last_bits && l->el->type != PQ_INT96) {
		s.p = c->num;   /* c->amt_ok and c->amt are still this value's */
		s.n = c->numlen;
		return s;
	}
	c->amt_ok = 0;
	switch (l->el->type) {
	case PQ_INT32:
		n = format_int(c, c->num, sizeof(c->num), (int32_t)le32(p));
		break;
	case PQ_FLOAT: {
		float f;
		uint32_t u = le32(p);
		memcpy(&f, &u, 4);
		n = format_double_amt(c->num, sizeof(c->num), (double)f, &c->amt_ok, &c->amt);
		break;
	}
	case PQ_DOUBLE: {
		double d;
		uint64_t u = le64(p);
		memcpy(&d, &u, 8);
		n = format_double_amt(c->num, sizeof(c->num), d, &c->amt_ok, &c->amt);
		break;
	}
	case PQ_INT96: {
		/* nanoseconds of the day, then the Julian day (Impala, Hive) */
		int64_t nanos = (int64_t)le64(p), jd = (int64_t)le32(p + 8);
		int64_t days = jd - 2440588;
		if (nanos < 0 || nanos >= (int64_t)86400 * 1000000000 || days < -100000 ||
		    days > 106000)   /* nanoseconds since 1970 fit an int64: 1696-2260 */
			n = (size_t)snprintf(c->num, sizeof(c->num), "bad INT96 timestamp");
		else
			n = format_timestamp(c->num, sizeof(c->num),
				days * 86400 * 1000000000 + nanos, 1000000000, 9);
		break;
	}
	default:
		n = format_int(c, c->num, sizeof(c->num), (int64_t)le64(p));
	}
	c->have_last = 1;
	c->last_bits = bits;
	c->numlen = n;
	s.p = c->num;
	s.n = n;
	return s;
}

static struct rb_str int_text(struct col *c, int64_t v)
{
	struct rb_str s;
	if (!c->have_last || c->last_bits != (uint64_t)v) {
		c->numlen = format_int(c, c->num, sizeof(c->num), v);
		c->have_last = 1;
		c->last_bits = (uint64_t)v;
	}
	s.p = c->num;
	s.n = c->numlen;
	return s;
}

/* BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: raw bytes, or a big-endian two's
 * complement unscaled DECIMAL (at most 16 bytes). */
static struct rb_str bytes_text(struct col *c, struct rb_str raw)
{
	const struct leaf *l = c->leaf;
	struct rb_str s;
	rb_i128 v;
	size_t i;

	c->amt_ok = 0;
	if (l->el->kind != PQK_DECIMAL)
		return raw;
	if (!raw.n || raw.n > 16 || l->el->scale < 0 || l->el->scale > DEC_MAX_SCALE) {
		s.p = "bad decimal";
		s.n = strlen(s.p);
		return s;
	}
	v = (signed char)raw.p[0];
	for (i = 1; i < raw.n; i++)
		v = v * 256 + (unsigned char)raw.p[i];
	s.n = dec_format_min(c->num, sizeof(c->num), v, l->el->scale);
	s.p = c->num;
	c->amt_ok = decimal_amt(v, l->el->scale, &c->amt);
	c->have_last = 0;
	return s;
}

/* ---- reading the file ---------------------------------------------------- */

static int read_at(struct pq_reader *r, uint8_t *buf, uint64_t off, size_t n,
	struct rb_err *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(r->fd, buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return rb_err_at(err, RB_EIO, r->name, 0, 0, "read failed: %s", strerror(errno));
		if (k == 0)
			return rb_err_at(err, RB_EINPUT, r->name, 0, 0, "file shrank while read");
		got += (size_t)k;
	}
	r->bytes_in += n;
	return 0;
}

/* Points *out at the file bytes [off, off + n) through c's buffer (which
 * reads ahead up to the chunk end). */
static int col_fetch(struct pq_reader *r, struct col *c, uint64_t off, size_t n,
	const uint8_t **out, struct rb_err *err)
{
	size_t want;
	int ret;

	if (off > r->size || n > r->size - off)
		return rb_err_at(err, RB_EINPUT, r->name, r->row + 1, (long)c->leaf->field + 1,
			"column %s: page past the end of the file", r->fields[c->leaf->field].name);
	if (r->mem) {
		*out = r->mem + off;
		return 0;
	}
	if (c->rbuf && off >= c->roff && off + n <= c->roff + c->rlen) {
		*out = c->rbuf + (off - c->roff);
		return 0;
	}
	want = n;
	if (want < PQ_READ_AHEAD) {
		uint64_t left = (c->end > off ? c->end : r->size) - off;
		want = left < PQ_READ_AHEAD ? (size_t)left : PQ_READ_AHEAD;
		if (want < n)
			want = n;
		if (want > r->size - off)
			want = (size_t)(r->size - off);
	}
	if (want > c->rcap) {
		free(c->rbuf);
		c->rbuf = xmalloc(want);
		c->rcap = want;
	}
	c->rlen = 0;
	if ((ret = read_at(r, c->rbuf, off, want, err)))
		return ret;
	c->roff = off;
	c->rlen = want;
	*out = c->rbuf;
	return 0;
}

static int open_common(struct pq_reader *r, struct rb_err *err);

static struct pq_reader *reader_alloc(const char *name)
{
	struct pq_reader *r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(name);
	r->fd = -1;
	return r;
}

int pq_reader_open_fd(struct pq_reader **out, const char *name, int fd, struct rb_err *err)
{
	struct pq_reader *r = reader_alloc(name);
	struct stat st;
	int ret;

	r->fd = fd;
	if (fstat(fd, &st)) {
		ret = rb_err_at(err, RB_EIO, name, 0, 0, "cannot stat: %s", strerror(errno));
		goto cleanup;
	}
	r->size = (uint64_t)st.st_size;
	ret = open_common(r, err);
cleanup:
	if (ret) {
		pq_reader_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}

int pq_reader_open_mem(struct pq_reader **out, const char *name, const void *data, size_t len,
	struct rb_err *err)
{
	struct pq_reader *r = reader_alloc(name);
	int ret;

	r->mem = data;
	r->size = len;
	ret = open_common(r, err);
	if (ret) {
		pq_reader_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}

/* ---- the schema tree ---------------------------------------------------- */

/* Walks the element at *i and its children (depth first, as stored),
 * adding leaves with their levels. */
static int walk_schema(struct pq_reader *r, size_t *i, int def, int rep, int rep_def,
	size_t field, int depth)
{
	const struct pq_schema_el *e;
	int32_t k;

	if (*i >= r->meta.nschema || depth > PQ_MAX_DEPTH)
		return -1;
	e = &r->meta.schema[(*i)++];
	if (e->repetition == PQ_OPTIONAL) {
		def++;
	} else if (e->repetition == PQ_REPEATED) {
		def++;
		rep++;
		rep_def = def;
	} else if (e->repetition != PQ_REQUIRED) {
		return -1;
	}
	if (e->has_type && e->num_children <= 0) {
		struct leaf *l;
		if (e->type < PQ_BOOLEAN || e->type > PQ_FIXED_LEN_BYTE_ARRAY)
			return -1;
		if (e->type == PQ_FIXED_LEN_BYTE_ARRAY && (e->type_length <= 0 ||
		    e->type_length > (1 << 20)))
			return -1;
		if (r->nleaves >= r->meta.nschema)
			return -1;
		l = &r->leaves[r->nleaves++];
		l->el = e;
		l->max_def = def;
		l->max_rep = rep;
		l->rep_def = rep_def;
		l->field = field;
		return 0;
	}
	if (e->num_children <= 0)
		return -1;
	for (k = 0; k < e->num_children; k++)
		if (walk_schema(r, i, def, rep, rep_def, field, depth + 1))
			return -1;
	return 0;
}

static int build_schema(struct pq_reader *r)
{
	const struct pq_schema_el *root = &r->meta.schema[0];
	size_t i = 1, f;
	int32_t k;

	if (root->num_children < 0 || (size_t)root->num_children >= r->meta.nschema + 1)
		return -1;
	r->nfields = (size_t)root->num_children;
	r->fields = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->fields));
	r->leaves = xcalloc(r->meta.nschema, sizeof(*r->leaves));
	for (k = 0; k < root->num_children; k++) {
		struct field *fd = &r->fields[k];
		const struct pq_schema_el *e;
		size_t j;
		int maxrep = 0;

		if (i >= r->meta.nschema)
			return -1;
		e = &r->meta.schema[i];
		fd->name = e->name;
		fd->first_leaf = r->nleaves;
		if (walk_schema(r, &i, 0, 0, 0, (size_t)k, 0))
			return -1;
		fd->nleaves = r->nleaves - fd->first_leaf;
		for (j = fd->first_leaf; j < r->nleaves; j++)
			if (r->leaves[j].max_rep > maxrep)
				maxrep = r->leaves[j].max_rep;
		if (fd->nleaves == 1 && maxrep == 0)
			fd->shape = SH_FLAT;
		else if (fd->nleaves == 2 && maxrep == 1 && r->leaves[fd->first_leaf].max_rep == 1 &&
			 r->leaves[fd->first_leaf + 1].max_rep == 1)
			fd->shape = SH_MAP;
		else if (fd->nleaves == 1 && maxrep == 1)
			fd->shape = SH_LIST;
		else
			fd->shape = SH_OTHER;
		strbuf_init(&fd->json, 0, PQ_MAX_CELL);
	}
	if (i != r->meta.nschema)
		return -1;
	for (f = 0; f < r->nfields; f++)
		if (!r->fields[f].nleaves)
			return -1;
	return 0;
}

static uint64_t chunk_start(const struct pq_chunk_meta *c)
{
	return c->dict_off > 0 && c->dict_off < c->data_off ? (uint64_t)c->dict_off :
		(uint64_t)c->data_off;
}

static uint64_t rg_start(const struct pq_reader *r, size_t g)
{
	return r->meta.rg[g].ncols ? chunk_start(&r->meta.rg[g].cols[0]) : 0;
}

static int open_common(struct pq_reader *r, struct rb_err *err)
{
	uint8_t tail[8], head[4];
	uint32_t flen;
	size_t g, j;
	int ret = 0;

	if (r->size < 12) {
		ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
			"not a Parquet file: %llu bytes, too short", (unsigned long long)r->size);
		goto cleanup;
	}
	if (r->mem) {
		memcpy(head, r->mem, 4);
		memcpy(tail, r->mem + r->size - 8, 8);
	} else if ((ret = read_at(r, head, 0, 4, err)) ||
		   (ret = read_at(r, tail, r->size - 8, 8, err))) {
		goto cleanup;
	}
	if (memcmp(head, PQ_MAGIC, 4) || memcmp(tail + 4, PQ_MAGIC, 4)) {
		ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
			"not a Parquet file: no PAR1 magic at its %s",
			memcmp(head, PQ_MAGIC, 4) ? "start" : "end (truncated?)");
		goto cleanup;
	}
	flen = le32(tail);
	if ((uint64_t)flen > r->size - 12 || flen > PQ_MAX_FOOTER || flen == 0) {
		ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
			"bad footer length %u (file of %llu bytes)", flen,
			(unsigned long long)r->size);
		goto cleanup;
	}
	if (r->mem)
		ret = pq_meta_parse(&r->meta, r->mem + r->size - 8 - flen, flen, r->why,
			sizeof(r->why));
	else
		ret = pq_meta_parse_fd(&r->meta, r->fd, r->size - 8 - flen, flen, r->why,
			sizeof(r->why));
	r->bytes_in += flen;
	if (ret) {
		ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0, "%s", r->why);
		goto cleanup;
	}
	if (build_schema(r)) {
		ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0, "bad file metadata: bad schema tree");
		goto cleanup;
	}
	for (g = 0; g < r->meta.nrg; g++) {
		const struct pq_rowgroup_meta *rg = &r->meta.rg[g];
		if (rg->ncols != r->nleaves) {
			ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
				"bad file metadata: row group %zu has %zu columns, the schema %zu",
				g + 1, rg->ncols, r->nleaves);
			goto cleanup;
		}
		for (j = 0; j < rg->ncols; j++) {
			const struct pq_chunk_meta *c = &rg->cols[j];
			if (c->type != r->leaves[j].el->type ||
			    chunk_start(c) < 4 || chunk_start(c) >= r->size ||
			    (uint64_t)c->total_compressed > r->size - chunk_start(c)) {
				ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
					"bad file metadata: row group %zu column %s: bad type, "
					"offset or size", g + 1, r->fields[r->leaves[j].field].name);
				goto cleanup;
			}
		}
	}
	r->cells = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->cells));
	r->amts = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->amts));
	r->cflags = xcalloc(r->nfields ? r->nfields : 1, 1);
	r->refs = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->refs));
	r->drefs = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->drefs));
	r->proj = xcalloc(r->nfields ? r->nfields : 1, sizeof(*r->proj));
	for (j = 0; j < r->nfields; j++)
		r->cells[j].p = "";
	r->cols = xcalloc(r->nleaves ? r->nleaves : 1, sizeof(*r->cols));
	r->batch_rows = PQ_BATCH;
cleanup:
	return ret;
}

size_t pq_reader_ncolumns(const struct pq_reader *r)
{
	return r->nfields;
}

const char *pq_reader_column(const struct pq_reader *r, size_t i)
{
	return r->fields[i].name;
}

int pq_reader_project(struct pq_reader *r, size_t i, struct rb_err *err)
{
	struct field *f = &r->fields[i];
	if (f->shape == SH_OTHER)
		return rb_err_at(err, RB_EINPUT, r->name, 0, (long)i + 1,
			"column %s: nested type not supported (only flat columns, "
			"maps and lists of values)", f->name);
	if (!f->projected) {
		f->projected = 1;
		r->proj[r->nproj++] = i;
	}
	return 0;
}

int pq_reader_project_keys(struct pq_reader *r, size_t i, const char *const *keys, size_t nkeys,
	struct rb_err *err)
{
	int ret = pq_reader_project(r, i, err);
	if (!ret && r->fields[i].shape == SH_MAP) {
		r->fields[i].keys = keys;
		r->fields[i].nkeys = nkeys;
	}
	return ret;
}

static int key_wanted(const struct field *f, struct rb_str k)
{
	size_t i;
	if (!f->keys)
		return 1;
	for (i = 0; i < f->nkeys; i++)
		if (strlen(f->keys[i]) == k.n && !memcmp(f->keys[i], k.p, k.n))
			return 1;
	return 0;
}

void pq_reader_set_range(struct pq_reader *r, uint64_t start, uint64_t end)
{
	r->ranged = 1;
	r->first_off = start;
	r->stop_off = end;
}

void pq_reader_range(const struct pq_reader *r, uint64_t *first, uint64_t *stop, long *rows)
{
	size_t g;
	uint64_t f = r->size, s = r->size;
	for (g = 0; g < r->meta.nrg; g++) {
		uint64_t o = rg_start(r, g);
		if (o >= r->first_off && o < f)
			f = o;
		if (o >= r->stop_off && o < s)
			s = o;
	}
	if (r->first_off == 0)
		f = 0;
	*first = f;
	*stop = s;
	*rows = r->row;
}

void pq_reader_amount_only(struct pq_reader *r, size_t i)
{
	if (i < r->nfields)
		r->fields[i].amount_only = 1;
}

void pq_reader_batch_for_test(struct pq_reader *r, size_t rows)
{
	r->batch_rows = rows > PQ_BATCH ? PQ_BATCH : rows;
}

int pq_reader_is_flat_for_test(const struct pq_reader *r, size_t i)
{
	return i < r->nfields && r->fields[i].shape == SH_FLAT;
}

int pq_reader_amount(const struct pq_reader *r, size_t i, rb_i128 *out)
{
	if (i >= r->nfields || !(r->cflags[i] & DF_AMT))
		return 0;
	*out = r->amts[i];
	return 1;
}

int pq_reader_utf8_known(const struct pq_reader *r, size_t i)
{
	return i < r->nfields && (r->cflags[i] & DF_UTF8);
}

uint64_t pq_reader_bytes_in(const struct pq_reader *r)
{
	return r->mem ? r->size : r->bytes_in;
}

uint64_t pq_reader_size(const struct pq_reader *r)
{
	return r->size;
}

/* ---- decompression -------------------------------------------------------- */

static int page_err(struct pq_reader *r, const struct col *c, struct rb_err *err,
	const char *what)
{
	return rb_err_at(err, RB_EINPUT, r->name, r->row + 1, (long)c->leaf->field + 1,
		"column %s: %s", r->fields[c->leaf->field].name, what);
}

static uint8_t *col_page(struct col *c, size_t n)
{
	if (n + 8 > c->pagecap) {
		free(c->page);
		c->pagecap = n + 8;
		c->page = xmalloc(c->pagecap);
	}
	return c->page;
}

/* Decompresses n bytes at in into c->page (usize bytes exactly). */
static int decompress(struct pq_reader *r, struct col *c, const uint8_t *in, size_t n,
	size_t usize, const uint8_t **out, struct rb_err *err)
{
	uint8_t *dst;

	if (usize > PQ_MAX_PAGE)
		return page_err(r, c, err, "page too large");
	switch (c->cm->codec) {
	case PQ_UNCOMPRESSED:
		if (n != usize)
			return page_err(r, c, err, "uncompressed page size differs from its data");
		*out = in;
		return 0;
	case PQ_SNAPPY: {
		size_t len;
		if (snappy_uncompressed_length((const char *)in, n, &len) != SNAPPY_OK || len != usize)
			return page_err(r, c, err, "snappy decompression failed (bad length)");
		dst = col_page(c, usize);
		len = usize;
		if (snappy_uncompress((const char *)in, n, (char *)dst, &len) != SNAPPY_OK ||
		    len != usize)
			return page_err(r, c, err, "snappy decompression failed");
		*out = dst;
		return 0;
	}
	case PQ_GZIP: {
		z_stream z;
		int zr;
		memset(&z, 0, sizeof(z));
		dst = col_page(c, usize);
		if (inflateInit2(&z, 15 + 32) != Z_OK)
			return page_err(r, c, err, "gzip: cannot initialize zlib");
		z.next_in = (Bytef *)(uintptr_t)in;
		z.avail_in = (uInt)n;
		z.next_out = dst;
		z.avail_out = (uInt)usize;
		zr = inflate(&z, Z_FINISH);
		inflateEnd(&z);
		if (zr != Z_STREAM_END || z.total_out != usize)
			return page_err(r, c, err, "gzip decompression failed");
		*out = dst;
		return 0;
	}
	case PQ_ZSTD: {
		size_t got;
		dst = col_page(c, usize);
		got = ZSTD_decompress(dst, usize, in, n);
		if (ZSTD_isError(got) || got != usize)
			return page_err(r, c, err, "zstd decompression failed");
		*out = dst;
		return 0;
	}
	default: {
		char what[64];
		snprintf(what, sizeof(what), "unsupported codec %d", c->cm->codec);
		return page_err(r, c, err, what);
	}
	}
}

static void col_release(struct col *c);

/* ---- encodings ------------------------------------------------------------ */

static int uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;
	while (*p < end) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

/* bw (<= 64) bits at bit offset `bit` of p (n bytes), LSB first */
static inline uint64_t get_bits(const uint8_t *p, size_t n, uint64_t bit, int bw)
{
	size_t byte = (size_t)(bit >> 3);
	int shift = (int)(bit & 7);
	uint64_t v = 0;
	int got = 0;

	if (!bw)
		return 0;
	if (byte + 8 <= n && shift + bw <= 64) {
		v = le64(p + byte) >> shift;
		return bw == 64 ? v : v & ((UINT64_C(1) << bw) - 1);
	}
	while (got < bw && byte < n) {
		v |= (uint64_t)(p[byte] >> shift) << got;
		got += 8 - shift;
		shift = 0;
		byte++;
	}
	return bw == 64 ? v : v & ((UINT64_C(1) << bw) - 1);
}

/* A reader of the RLE / bit-packed hybrid: values of bw bits (<= 32), one
 * at a time, so a page of millions of levels or indices needs no array. */
struct rle {
	const uint8_t *p, *end;
	int bw;
	int packed;          /* in a bit-packed run (else a repeated value) */
	uint32_t left;       /* values left in the run */
	uint32_t value;      /* of a repeated run */
	const uint8_t *grp;  /* of a bit-packed run: its bytes, the next value */
	size_t grpbytes;
	uint64_t gi;
};

static int rle_init(struct rle *r, const uint8_t *p, size_t n, int bw)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->end = p + n;
	r->bw = bw;
	return bw < 0 || bw > 32 ? -1 : 0;
}

static inline int rle_next(struct rle *r, uint32_t *out)
{
	while (!r->left) {
		uint64_t h;
		if (uleb(&r->p, r->end, &h))
			return -1;
		if (h & 1) {   /* bit-packed: (h >> 1) groups of 8 */
			uint64_t groups = h >> 1;
			size_t bytes;
			if (!groups || groups > (uint64_t)(r->end - r->p))
				return -1;
			bytes = (size_t)groups * (size_t)r->bw;
			if (bytes > (size_t)(r->end - r->p))
				return -1;
			r->grp = r->p;
			r->grpbytes = bytes;
			r->gi = 0;
			r->left = (uint32_t)(groups * 8);
			r->packed = 1;
			r->p += bytes;
		} else {
			uint64_t run = h >> 1;
			size_t i, vbytes = ((size_t)r->bw + 7) / 8;
			if (!run || vbytes > (size_t)(r->end - r->p))
				return -1;
			r->value = 0;
			for (i = 0; i < vbytes; i++)
				r->value |= (uint32_t)r->p[i] << (8 * i);
			r->p += vbytes;
			r->left = run > UINT32_MAX ? UINT32_MAX : (uint32_t)run;
			r->packed = 0;
		}
	}
	r->left--;
	if (r->packed)
		*out = (uint32_t)get_bits(r->grp, r->grpbytes, r->gi++ * (uint64_t)r->bw, r->bw);
	else
		*out = r->value;
	return 0;
}

/* count values into out; values past count in the last group are padding */
static int rle_decode(const uint8_t *p, size_t n, int bw, uint32_t *out, size_t count)
{
	struct rle r;
	size_t i;
	if (rle_init(&r, p, n, bw))
		return -1;
	for (i = 0; i < count; i++)
		if (rle_next(&r, &out[i]))
			return -1;
	return 0;
}

/* count levels (each <= max) into out, a run at a time */
static int rle_levels(const uint8_t *p, size_t n, int max, uint8_t *out, size_t count)
{
	struct rle r;
	size_t i = 0;
	int bw = 0;
	while ((1 << bw) <= max)
		bw++;
	if (rle_init(&r, p, n, bw))
		return -1;
	while (i < count) {
		uint32_t v;
		if (rle_next(&r, &v) || v > (uint32_t)max)
			return -1;
		out[i++] = (uint8_t)v;
		if (!r.packed && r.left) {   /* the rest of a repeated run at once */
			size_t k = r.left < count - i ? r.left : count - i;
			memset(out + i, (int)v, k);
			i += k;
			r.left -= (uint32_t)k;
		}
	}
	return 0;
}

/* DELTA_BINARY_PACKED: count values into out; *used bytes consumed. */
static int dbp_decode(const uint8_t *p, size_t n, int64_t *out, size_t count, size_t *used)
{
	const uint8_t *start = p, *end = p + n;
	uint64_t block, nmini, total, first, zz;
	uint64_t per_mini, got = 0;
	int64_t last;

	if (uleb(&p, end, &block) || uleb(&p, end, &nmini) || uleb(&p, end, &total) ||
	    uleb(&p, end, &first))
		return -1;
	if (!block || !nmini || block > (1u << 20) || nmini > block || block % nmini ||
	    (block / nmini) % 8 || total < count)
		return -1;
	per_mini = block / nmini;
	last = (int64_t)((first >> 1) ^ (~(first & 1) + 1));
	if (count)
		out[got++] = last;
	while (got < count) {
		uint8_t widths[256];
		uint64_t m, i, min_delta;
		int64_t md;
		if (uleb(&p, end, &zz))
			return -1;
		md = (int64_t)((zz >> 1) ^ (~(zz & 1) + 1));
		min_delta = (uint64_t)md;
		if (nmini > sizeof(widths) || nmini > (uint64_t)(end - p))
			return -1;
		memcpy(widths, p, (size_t)nmini);
		p += nmini;
		for (m = 0; m < nmini && got < count; m++) {
			size_t bytes;
			if (widths[m] > 64)
				return -1;
			bytes = (size_t)(per_mini * widths[m] / 8);
			if (bytes > (size_t)(end - p))
				return -1;
			for (i = 0; i < per_mini && got < count; i++) {
				uint64_t d = get_bits(p, bytes, i * widths[m], widths[m]);
				last = (int64_t)((uint64_t)last + min_delta + d);
				out[got++] = last;
			}
			p += bytes;
		}
	}
	*used = (size_t)(p - start);
	return 0;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return p;
	free(p);
	*cap = n < 64 ? 64 : n;
	return xcalloc(*cap, size);
}

static int plain_byte_arrays(struct col *c, const uint8_t *p, size_t n, size_t count)
{
	const uint8_t *end = p + n;
	size_t i;
	c->sv = grow(c->sv, &c->svcap, count, sizeof(*c->sv));
	for (i = 0; i < count; i++) {
		uint32_t len;
		if (end - p < 4)
			return -1;
		len = le32(p);
		p += 4;
		if (len > (size_t)(end - p))
			return -1;
		c->sv[i].p = (const char *)p;
		c->sv[i].n = len;
		p += len;
	}
	return 0;
}

static int delta_length(struct col *c, const uint8_t *p, size_t n, size_t count, size_t *used)
{
	size_t u, i;
	const uint8_t *q;
	c->iv = grow(c->iv, &c->ivcap, count, sizeof(*c->iv));
	c->sv = grow(c->sv, &c->svcap, count, sizeof(*c->sv));
	if (dbp_decode(p, n, c->iv, count, &u))
		return -1;
	q = p + u;
	for (i = 0; i < count; i++) {
		if (c->iv[i] < 0 || (uint64_t)c->iv[i] > (uint64_t)(p + n - q))
			return -1;
		c->sv[i].p = (const char *)q;
		c->sv[i].n = (size_t)c->iv[i];
		q += c->iv[i];
	}
	*used = (size_t)(q - p);
	return 0;
}

static int delta_byte_array(struct col *c, const uint8_t *p, size_t n, size_t count)
{
	int64_t *prefix;
	size_t u, i, total = 0, u2;
	uint8_t *w;
	int ret = -1;

	prefix = xcalloc(count ? count : 1, sizeof(*prefix));
	if (dbp_decode(p, n, prefix, count, &u) || delta_length(c, p + u, n - u, count, &u2))
		goto cleanup;
	for (i = 0; i < count; i++) {
		if (prefix[i] < 0)
			goto cleanup;
		total += (size_t)prefix[i] + c->sv[i].n;
		if (total > PQ_MAX_PAGE)
			goto cleanup;
	}
	if (total + 1 > c->owncap) {
		free(c->own);
		c->owncap = total + 1;
		c->own = xmalloc(c->owncap);
	}
	w = c->own;
	for (i = 0; i < count; i++) {
		size_t pre = (size_t)prefix[i];
		struct rb_str suf = c->sv[i];
		if (pre && (!i || pre > c->sv[i - 1].n))
			goto cleanup;
		if (pre)
			memmove(w, c->sv[i - 1].p, pre);
		memcpy(w + pre, suf.p, suf.n);
		c->sv[i].p = (const char *)w;
		c->sv[i].n = pre + suf.n;
		w += pre + suf.n;
	}
	ret = 0;
cleanup:
	free(prefix);
	return ret;
}

static size_t type_width(const struct leaf *l)
{
	switch (l->el->type) {
	case PQ_INT32: case PQ_FLOAT: return 4;
	case PQ_INT64: case PQ_DOUBLE: return 8;
	case PQ_INT96: return 12;
	case PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)l->el->type_length;
	default: return 0;
	}
}

/* Decodes count values of encoding enc from [p, p + n) into c's value
 * arrays (mode). Dictionary indices are checked against the dictionary. */
static int decode_values(struct col *c, int enc, const uint8_t *p, size_t n, size_t count)
{
	const struct leaf *l = c->leaf;
	size_t i, w, used;

	switch (enc) {
	case PQ_PLAIN:
		if (l->el->type == PQ_BYTE_ARRAY) {
			c->mode = VM_STR;
			return plain_byte_arrays(c, p, n, count);
		}
		if (l->el->type == PQ_BOOLEAN) {
			if (count > n * 8)
				return -1;
			c->iv = grow(c->iv, &c->ivcap, count, sizeof(*c->iv));
			for (i = 0; i < count; i++)
				c->iv[i] = (p[i / 8] >> (i % 8)) & 1;
			c->mode = VM_INT;
			return 0;
		}
		w = type_width(l);
		if (!w || count > n / w)
			return -1;
		if (l->el->type == PQ_FIXED_LEN_BYTE_ARRAY) {
			c->sv = grow(c->sv, &c->svcap, count, sizeof(*c->sv));
			for (i = 0; i < count; i++) {
				c->sv[i].p = (const char *)p + i * w;
				c->sv[i].n = w;
			}
			c->mode = VM_STR;
			return 0;
		}
		c->fixed = p;
		c->width = w;
		c->mode = VM_FIXED;
		return 0;
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		if (!c->have_dict)
			return -1;
		c->mode = VM_DICT;
		if (!count)
			return 0;
		if (n < 1)
			return -1;
		if (!c->dstream)
			c->dstream = xmalloc(sizeof(*c->dstream));
		c->bad_index = 0;
		return rle_init(c->dstream, p + 1, n - 1, p[0]);
	case PQ_RLE:
		if (l->el->type != PQ_BOOLEAN || n < 4 || le32(p) > n - 4)
			return -1;
		c->idx = grow(c->idx, &c->idxcap, count, sizeof(*c->idx));
		c->iv = grow(c->iv, &c->ivcap, count, sizeof(*c->iv));
		if (rle_decode(p + 4, le32(p), 1, c->idx, count))
			return -1;
		for (i = 0; i < count; i++)
			c->iv[i] = c->idx[i] & 1;
		c->mode = VM_INT;
		return 0;
	case PQ_DELTA_BINARY_PACKED:
		if (l->el->type != PQ_INT32 && l->el->type != PQ_INT64)
			return -1;
		c->iv = grow(c->iv, &c->ivcap, count, sizeof(*c->iv));
		if (dbp_decode(p, n, c->iv, count, &used))
			return -1;
		if (l->el->type == PQ_INT32)
			for (i = 0; i < count; i++)
				c->iv[i] = (int32_t)(uint32_t)(uint64_t)c->iv[i];
		c->mode = VM_INT;
		return 0;
	case PQ_DELTA_LENGTH_BYTE_ARRAY:
		if (l->el->type != PQ_BYTE_ARRAY)
			return -1;
		c->mode = VM_STR;
		return delta_length(c, p, n, count, &used);
	case PQ_DELTA_BYTE_ARRAY:
		if (l->el->type != PQ_BYTE_ARRAY && l->el->type != PQ_FIXED_LEN_BYTE_ARRAY)
			return -1;
		c->mode = VM_STR;
		return delta_byte_array(c, p, n, count);
	case PQ_BYTE_STREAM_SPLIT: {
		/* byte k of value i is at k * count + i: put the values together */
		size_t k;
		w = type_width(l);
		if (!w || l->el->type == PQ_INT96 || count > n / w)
			return -1;
		if (count * w + 1 > c->owncap) {
			free(c->own);
			c->owncap = count * w + 1;
			c->own = xmalloc(c->owncap);
		}
		for (k = 0; k < w; k++)
			for (i = 0; i < count; i++)
				c->own[i * w + k] = p[k * count + i];
		if (l->el->type == PQ_FIXED_LEN_BYTE_ARRAY) {
			c->sv = grow(c->sv, &c->svcap, count, sizeof(*c->sv));
			for (i = 0; i < count; i++) {
				c->sv[i].p = (const char *)c->own + i * w;
				c->sv[i].n = w;
			}
			c->mode = VM_STR;
			return 0;
		}
		c->fixed = c->own;
		c->width = w;
		c->mode = VM_FIXED;
		return 0;
	}
	default:
		return -1;
	}
}

/* The text of value k of the page. */
static inline struct rb_str value_text(struct col *c, int32_t k)
{
	switch (c->mode) {
	case VM_DICT: {
		/* indices are read in order, as values are taken */
		uint32_t ix;
		if (rle_next(c->dstream, &ix) || ix >= c->ndict) {
			struct rb_str none = { "", 0 };
			c->bad_index = 1;
			c->amt_ok = c->utf8_ok = 0;
			return none;
		}
		c->amt_ok = c->dflag[ix] & DF_AMT;
		c->utf8_ok = c->dflag[ix] & DF_UTF8;
		if (c->amt_ok)
			c->amt = c->damt[ix];
		c->ref = c->dict_serial << PQ_REF_INDEX_BITS | ((uint64_t)ix + 1);
		return c->dict[ix];
	}
	case VM_STR: c->utf8_ok = 0; return bytes_text(c, c->sv[k]);
	case VM_FIXED: c->utf8_ok = 0; return fixed_text(c, c->fixed + (size_t)k * c->width);
	default: c->utf8_ok = 0; return int_text(c, c->iv[k]);
	}
}

int pq_decode_for_test(int type, int32_t type_length, enum pq_kind kind, int32_t scale, int enc,
	const uint8_t *p, size_t n, size_t count,
	void (*fn)(void *arg, const char *s, size_t len), void *arg)
{
	struct pq_schema_el el;
	struct leaf l;
	struct col c;
	size_t i;
	int ret;

	memset(&el, 0, sizeof(el));
	memset(&l, 0, sizeof(l));
	memset(&c, 0, sizeof(c));
	el.type = type;
	el.type_length = type_length;
	el.kind = kind;
	el.scale = scale;
	l.el = &el;
	c.leaf = &l;
	ret = decode_values(&c, enc, p, n, count);
	for (i = 0; !ret && i < count; i++) {
		struct rb_str s = value_text(&c, (int32_t)i);
		fn(arg, s.p, s.n);
	}
	col_release(&c);
	return ret;
}

/* Dictionaries are numbered across every reader of the process, so a ref
 * (pq_reader_dict_ref) names one dictionary entry for the whole import. */
static atomic_uint_fast64_t dict_serials;

static int load_dictionary(struct pq_reader *r, struct col *c, const struct pq_page_header *h,
	const uint8_t *data, struct rb_err *err)
{
	size_t i, total = 0, cnt = (size_t)h->num_values;
	char *w;

	if (c->have_dict)
		return page_err(r, c, err, "second dictionary page");
	if (h->enc != PQ_PLAIN && h->enc != PQ_PLAIN_DICTIONARY)
		return page_err(r, c, err, "bad dictionary page encoding");
	if (cnt > (size_t)PQ_MAX_PAGE_VALUES)
		return page_err(r, c, err, "dictionary too large");
	if (decode_values(c, PQ_PLAIN, data, (size_t)h->usize, cnt))
		return page_err(r, c, err, "bad dictionary page");
	/* the text of every entry, once: two passes (lengths, then copies) */
	c->have_last = 0;
	for (i = 0; i < cnt; i++) {
		total += value_text(c, (int32_t)i).n;
		if (total > PQ_MAX_PAGE)
			return page_err(r, c, err, "dictionary too large");
	}
	c->dict = xcalloc(cnt ? cnt : 1, sizeof(*c->dict));
	c->damt = xcalloc(cnt ? cnt : 1, sizeof(*c->damt));
	c->dflag = xcalloc(cnt ? cnt : 1, 1);
	c->dtext = xmalloc(total + 1);
	w = c->dtext;
	for (i = 0; i < cnt; i++) {
		struct rb_str s = value_text(c, (int32_t)i);
		size_t bad;
		memcpy(w, s.p, s.n);
		c->dict[i].p = w;
		c->dict[i].n = s.n;
		w += s.n;
		if (c->amt_ok) {
			c->dflag[i] |= DF_AMT;
			c->damt[i] = c->amt;
		}
		/* the UTF-8 rule of the CUR reader, once per entry, not per row */
		if (utf8_valid(c->dict[i].p, c->dict[i].n, &bad))
			c->dflag[i] |= DF_UTF8;
	}
	c->ndict = cnt;
	c->have_dict = 1;
	c->dict_serial = atomic_fetch_add(&dict_serials, 1) + 1;
	c->have_last = 0;
	c->mode = VM_NONE;
	return 0;
}

/* Levels of a v1 page: 4-byte length, then RLE. */
static int levels_v1(const uint8_t **p, const uint8_t *end, int enc, int maxlev,
	uint8_t *out, size_t count)
{
	uint32_t len;
	if (enc != PQ_RLE)
		return -1;
	if (end - *p < 4)
		return -1;
	len = le32(*p);
	*p += 4;
	if (len > (size_t)(end - *p) || rle_levels(*p, len, maxlev, out, count))
		return -1;
	*p += len;
	return 0;
}

/* Reads pages until a data page is loaded into c. */
static int col_load_page(struct pq_reader *r, struct col *c, struct rb_err *err)
{
	const struct leaf *l = c->leaf;
	int ret;

	for (;;) {
		struct pq_page_header h;
		const uint8_t *hp = NULL, *data = NULL, *vp = NULL, *vend = NULL;
		size_t avail, used, win = PQ_HEADER_WINDOW, nvals, i;

		if (c->pos >= c->end)
			return page_err(r, c, err, "column chunk ends before its values");
		for (;;) {
			avail = c->end - c->pos < win ? (size_t)(c->end - c->pos) : win;
			if ((ret = col_fetch(r, c, c->pos, avail, &hp, err)))
				return ret;
			if (!pq_page_header_parse(&h, hp, avail, &used, r->why, sizeof(r->why)))
				break;
			if (avail < win || win >= PQ_MAX_HEADER) {
				char what[300];
				snprintf(what, sizeof(what), "at offset %llu: %s",
					(unsigned long long)c->pos, r->why);
				return page_err(r, c, err, what);
			}
			win *= 4;
		}
		if ((uint64_t)h.csize > c->end - c->pos - used)
			return page_err(r, c, err, "page longer than its column chunk");
		if ((ret = col_fetch(r, c, c->pos + used, (size_t)h.csize, &data, err)))
			return ret;
		c->pos += used + (uint64_t)h.csize;
		if (h.has_crc && (uint32_t)crc32(0L, data, (uInt)h.csize) != h.crc)
			return page_err(r, c, err, "page checksum (CRC-32) mismatch");

		if (h.type == PQ_DICTIONARY_PAGE) {
			if ((ret = decompress(r, c, data, (size_t)h.csize, (size_t)h.usize, &data, err)))
				return ret;
			if ((ret = load_dictionary(r, c, &h, data, err)))
				return ret;
			continue;
		}
		if (h.type != PQ_DATA_PAGE && h.type != PQ_DATA_PAGE_V2)
			continue;   /* index pages and unknown ones carry no values */

		if (h.num_values > PQ_MAX_PAGE_VALUES || h.num_values > c->levels_left)
			return page_err(r, c, err, "page holds more values than its column chunk");
		if (h.num_values == 0)
			continue;
		c->nlev = h.num_values;
		if (l->max_def)
			c->def = grow(c->def, &c->defcap, (size_t)c->nlev, 1);
		if (l->max_rep)
			c->rep = grow(c->rep, &c->repcap, (size_t)c->nlev, 1);
		if (h.type == PQ_DATA_PAGE) {
			if ((ret = decompress(r, c, data, (size_t)h.csize, (size_t)h.usize, &data, err)))
				return ret;
			vp = data;
			vend = data + h.usize;
			if (l->max_rep && levels_v1(&vp, vend, h.rep_enc, l->max_rep, c->rep,
			    (size_t)c->nlev))
				return page_err(r, c, err, "bad repetition levels");
			if (l->max_def && levels_v1(&vp, vend, h.def_enc, l->max_def, c->def,
			    (size_t)c->nlev))
				return page_err(r, c, err, "bad definition levels");
		} else {
			size_t lv = (size_t)h.rep_len + (size_t)h.def_len;
			if (lv > (size_t)h.csize || lv > (size_t)h.usize)
				return page_err(r, c, err, "bad level lengths");
			if (l->max_rep && rle_levels(data, (size_t)h.rep_len, l->max_rep,
			    c->rep, (size_t)c->nlev))
				return page_err(r, c, err, "bad repetition levels");
			if (l->max_def && rle_levels(data + h.rep_len, (size_t)h.def_len,
			    l->max_def, c->def, (size_t)c->nlev))
				return page_err(r, c, err, "bad definition levels");
			if (h.is_compressed) {
				if ((ret = decompress(r, c, data + lv, (size_t)h.csize - lv,
				    (size_t)h.usize - lv, &vp, err)))
					return ret;
			} else {
				if (h.csize != h.usize)
					return page_err(r, c, err, "page sizes differ");
				vp = data + lv;
			}
			vend = vp + ((size_t)h.usize - lv);
		}
		if (!l->max_def) {
			nvals = (size_t)c->nlev;
		} else {
			for (nvals = 0, i = 0; i < (size_t)c->nlev; i++)
				nvals += c->def[i] == l->max_def;
		}
		c->have_last = 0;
		if (decode_values(c, h.enc, vp, (size_t)(vend - vp), nvals)) {
			char what[64];
			snprintf(what, sizeof(what), "bad values (encoding %d)", h.enc);
			return page_err(r, c, err, what);
		}
		c->nval = (int32_t)nvals;
		c->ival = 0;
		c->ilev = 0;
		c->levels_left -= c->nlev;
		return 0;
	}
}

/* ---- rows ------------------------------------------------------------------ */

static int col_ready(struct pq_reader *r, struct col *c, struct rb_err *err)
{
	if (c->ilev < c->nlev)
		return 0;
	if (c->levels_left <= 0)
		return page_err(r, c, err, "fewer values than the row group's rows");
	return col_load_page(r, c, err);
}

/* Whether the next entry of c continues the current row (rep > 0). */
static int col_continues(struct pq_reader *r, struct col *c, int *more, struct rb_err *err)
{
	int ret;
	*more = 0;
	if (c->ilev >= c->nlev && c->levels_left <= 0)
		return 0;
	if ((ret = col_ready(r, c, err)))
		return ret;
	*more = c->leaf->max_rep && c->rep[c->ilev] > 0;
	return 0;
}

/* Takes the next entry: *present when it has a value (into *val),
 * *exists when the innermost repeated group has an element. */
static int col_take(struct pq_reader *r, struct col *c, int *present, int *exists,
	struct rb_str *val, struct rb_err *err)
{
	uint32_t d;
	int ret;
	if ((ret = col_ready(r, c, err)))
		return ret;
	d = c->leaf->max_def ? c->def[c->ilev] : 0;
	c->ilev++;
	*present = d == (uint32_t)c->leaf->max_def;
	*exists = (int)d >= c->leaf->rep_def;
	if (*present) {
		if (c->ival >= c->nval)
			return page_err(r, c, err, "more levels than values");
		c->ref = 0;
		*val = value_text(c, c->ival++);
		if (c->bad_index)
			return page_err(r, c, err, "bad dictionary indices");
	}
	return 0;
}

/* Appends s as a JSON string; runs without escapes are copied at once. */
static int json_str(struct strbuf *sb, struct rb_str s)
{
	size_t i, run = 0;
	if (strbuf_grow(sb, s.n + 2) || strbuf_addch(sb, '"'))
		return -1;
	for (i = 0; i < s.n; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		if (strbuf_add(sb, s.p + run, i - run))
			return -1;
		if (ch < 0x20 ? strbuf_addf(sb, "\\u%04x", ch) :
		    strbuf_addch(sb, '\\') || strbuf_addch(sb, ch))
			return -1;
		run = i + 1;
	}
	if (strbuf_add(sb, s.p + run, s.n - run))
		return -1;
	return strbuf_addch(sb, '"');
}

static int read_field(struct pq_reader *r, size_t fi, struct rb_err *err)
{
	struct field *f = &r->fields[fi];
	struct col *k = &r->cols[f->first_leaf];
	struct rb_str kv = { "", 0 }, vv = { "", 0 };
	int kp, ke, vp, ve, more, n = 0, ret, bad = 0;

	if (f->shape == SH_FLAT) {
		if ((ret = col_take(r, k, &kp, &ke, &kv, err)))
			return ret;
		r->cells[fi] = kp ? kv : vv;
		r->cflags[fi] = kp ? (uint8_t)((k->amt_ok ? DF_AMT : 0) | (k->utf8_ok ? DF_UTF8 : 0)) :
			DF_UTF8;
		if (kp && k->amt_ok)
			r->amts[fi] = k->amt;
		r->refs[fi] = kp ? k->ref : 0;
		r->drefs[fi] = r->refs[fi];
		return 0;
	}
	strbuf_reset(&f->json);
	bad |= strbuf_addch(&f->json, f->shape == SH_MAP ? '{' : '[');
	for (;;) {
		struct col *v = f->shape == SH_MAP ? k + 1 : NULL;
		if ((ret = col_take(r, k, &kp, &ke, &kv, err)))
			return ret;
		if (v && (ret = col_take(r, v, &vp, &ve, &vv, err)))
			return ret;
		if (f->shape == SH_MAP && kp && vp && key_wanted(f, kv)) {
			bad |= n++ && strbuf_addch(&f->json, ',');
			bad |= json_str(&f->json, kv) || strbuf_addch(&f->json, ':') ||
				json_str(&f->json, vv);
		} else if (f->shape == SH_LIST && kp) {
			bad |= n++ && strbuf_addch(&f->json, ',');
			bad |= json_str(&f->json, kv);
		}
		if ((ret = col_continues(r, k, &more, err)))
			return ret;
		if (!more)
			break;
	}
	bad |= strbuf_addch(&f->json, f->shape == SH_MAP ? '}' : ']');
	if (bad)
		return rb_err_at(err, RB_EINPUT, r->name, r->row + 1, (long)fi + 1,
			"column %s: value longer than %zu bytes", f->name, PQ_MAX_CELL);
	r->cells[fi].p = n ? f->json.buf : "";
	r->cells[fi].n = n ? f->json.len : 0;
	r->cflags[fi] = 0;
	return 0;
}

static void col_release(struct col *c)
{
	free(c->rbuf);
	free(c->page);
	free(c->dict);
	free(c->damt);
	free(c->dflag);
	free(c->dtext);
	free(c->def);
	free(c->rep);
	free(c->idx);
	free(c->dstream);
	free(c->sv);
	free(c->iv);
	free(c->own);
	memset(c, 0, sizeof(*c));
}

/* Starts row group g: a cursor for every projected leaf (buffers kept). */
static void group_open(struct pq_reader *r, size_t g)
{
	size_t f, j;
	for (f = 0; f < r->nfields; f++) {
		if (!r->fields[f].projected)
			continue;
		for (j = r->fields[f].first_leaf; j < r->fields[f].first_leaf + r->fields[f].nleaves; j++) {
			struct col *c = &r->cols[j];
			const struct pq_chunk_meta *cm = &r->meta.rg[g].cols[j];
			free(c->dict);
			free(c->damt);
			free(c->dflag);
			free(c->dtext);
			c->dict = NULL;
			c->damt = NULL;
			c->dflag = NULL;
			c->dtext = NULL;
			c->ndict = 0;
			c->have_dict = 0;
			c->leaf = &r->leaves[j];
			c->ileaf = j;
			c->cm = cm;
			c->pos = chunk_start(cm);
			c->end = c->pos + (uint64_t)cm->total_compressed;
			c->levels_left = cm->num_values;
			c->nlev = c->ilev = 0;
			c->nval = c->ival = 0;
			c->rlen = 0;
			c->have_last = 0;
		}
	}
	r->rg_rows_left = r->meta.rg[g].num_rows;
	r->rg_open = 1;
}

/* At the end of a row group every projected column must be used up. */
static int group_close(struct pq_reader *r, struct rb_err *err)
{
	size_t j;
	for (j = 0; j < r->nleaves; j++) {
		struct col *c = &r->cols[j];
		if (!r->fields[r->leaves[j].field].projected)
			continue;
		if (c->ilev < c->nlev || c->levels_left > 0)
			return page_err(r, c, err, "more values than the row group's rows");
	}
	r->rg_open = 0;
	return 0;
}

static int in_range(const struct pq_reader *r, size_t g)
{
	uint64_t s;
	if (!r->ranged)
		return 1;
	s = rg_start(r, g);
	return s >= r->first_off && s < r->stop_off;
}

static void arena_put(struct pq_reader *r, struct rb_str s, size_t *off)
{
	if (r->alen + s.n > r->acap) {
		r->acap = (r->alen + s.n) * 2 + 4096;
		r->arena = xrealloc(r->arena, r->acap);
	}
	memcpy(r->arena + r->alen, s.p, s.n);
	*off = r->alen;
	r->alen += s.n;
}

/* For an amount-only column (pq_reader_amount_only): value k's exact
 * amount, computed as format_int, fixed_text and bytes_text would beside
 * its text, without the text; 0 when the text is needed (dictionary pages:
 * their entries are formatted once anyway). */
static int value_amount(const struct col *c, int32_t k, rb_i128 *out)
{
	const struct pq_schema_el *el = c->leaf->el;
	int32_t scale = el->kind == PQK_DECIMAL ? el->scale : el->kind == PQK_PLAIN ? 0 : -1;

	switch (c->mode) {
	case VM_FIXED: {
		const uint8_t *p = c->fixed + (size_t)k * c->width;
		switch (el->type) {
		case PQ_DOUBLE: case PQ_FLOAT: {
			double d;
			uint64_t r;
			if (el->type == PQ_DOUBLE) {
				uint64_t u = le64(p);
				memcpy(&d, &u, 8);
			} else {
				float f;
				uint32_t u = le32(p);
				memcpy(&f, &u, 4);
				d = (double)f;
			}
			if (d == 0) {
				*out = 0;
				return 1;
			}
			if (!double_e10(d, &r))
				return 0;
			*out = d < 0 ? -(rb_i128)r : (rb_i128)r;
			return 1;
		}
		case PQ_INT32:
			return scale >= 0 && decimal_amt((int32_t)le32(p), scale, out);
		case PQ_INT64:
			return scale >= 0 && decimal_amt((int64_t)le64(p), scale, out);
		default:
			return 0;
		}
	}
	case VM_INT:
		return el->type != PQ_BOOLEAN && scale >= 0 && decimal_amt(c->iv[k], scale, out);
	case VM_STR: {
		struct rb_str raw = c->sv[k];
		rb_i128 v;
		size_t i;
		if (el->kind != PQK_DECIMAL || !raw.n || raw.n > 16 || el->scale < 0 ||
		    el->scale > DEC_MAX_SCALE)
			return 0;
		v = (signed char)raw.p[0];
		for (i = 1; i < raw.n; i++)
			v = v * 256 + (unsigned char)raw.p[i];
		return decimal_amt(v, el->scale, out);
	}
	default:
		return 0;
	}
}

/* The day ref of INT64 timestamp value k (units per second): equal for
 * the values whose text (format_timestamp) starts with the same date,
 * different from every dictionary ref. Days are taken in blocks of 4096,
 * one serial each (2^20 serials reserved per reader); 0 past that range. */
static uint64_t day_ref(struct pq_reader *r, const struct col *c, int32_t k, int64_t units)
{
	int64_t v = c->mode == VM_FIXED ? (int64_t)le64(c->fixed + (size_t)k * c->width) : c->iv[k];
	int64_t days = floor_div(floor_div(v, units), 86400), blk = floor_div(days, 4096);
	if (blk < -((int64_t)1 << 19) || blk >= ((int64_t)1 << 19))
		return 0;
	if (!r->day_serials)
		r->day_serials = atomic_fetch_add(&dict_serials, (uint64_t)1 << 20) + 1;
	return (r->day_serials + (uint64_t)(blk + ((int64_t)1 << 19))) << PQ_REF_INDEX_BITS |
		(uint64_t)(days - blk * 4096 + 1);
}

/* Rows [0, n) of the batch for projected field number p (a flat column):
 * 0, or an error at batch row *at (rows before it are filled). */
static int col_fill(struct pq_reader *r, struct col *c, size_t p, size_t n, long base,
	size_t *at, struct rb_err *err)
{
	static const struct rb_str none = { "", 0 };
	const uint32_t maxdef = (uint32_t)c->leaf->max_def;
	struct rb_str *cell = r->bcell + p * PQ_BATCH;
	uint8_t *flag = r->bflag + p * PQ_BATCH;
	rb_i128 *amt = r->bamt + p * PQ_BATCH;
	uint64_t *ref = r->bref + p * PQ_BATCH, *dref = r->bdref + p * PQ_BATCH;
	const int64_t units = c->leaf->el->type != PQ_INT64 ? 0 :
		c->leaf->el->kind == PQK_TS_MILLIS ? 1000 : c->leaf->el->kind == PQK_TS_MICROS ?
		1000000 : c->leaf->el->kind == PQK_TS_NANOS ? 1000000000 : 0;
	size_t *off = r->boff + p * PQ_BATCH;
	const int amount_only = r->fields[c->leaf->field].amount_only;
	size_t j = 0;
	int ret;

	while (j < n) {
		size_t m;
		if (c->ilev >= c->nlev) {
			r->row = base + (long)j;
			if ((ret = col_ready(r, c, err))) {
				*at = j;
				return ret;
			}
		}
		m = (size_t)(c->nlev - c->ilev);
		if (m > n - j)
			m = n - j;
		for (; m > 0; m--, j++) {
			struct rb_str v;
			uint8_t fl;
			if (maxdef && c->def[c->ilev] != maxdef) {
				c->ilev++;
				cell[j] = none;
				flag[j] = DF_UTF8;
				ref[j] = dref[j] = 0;
				continue;
			}
			c->ilev++;
			if (c->ival >= c->nval) {
				r->row = base + (long)j;
				*at = j;
				return page_err(r, c, err, "more levels than values");
			}
			if (amount_only && value_amount(c, c->ival, &amt[j])) {
				/* never parsed: a stand-in that is not empty */
				static const struct rb_str stand_in = { "(number)", 8 };
				c->ival++;
				cell[j] = stand_in;
				flag[j] = DF_AMT | DF_UTF8;
				ref[j] = dref[j] = 0;
				continue;
			}
			v = value_text(c, c->ival++);
			if (c->bad_index) {
				r->row = base + (long)j;
				*at = j;
				return page_err(r, c, err, "bad dictionary indices");
			}
			fl = (uint8_t)((c->amt_ok ? DF_AMT : 0) | (c->utf8_ok ? DF_UTF8 : 0));
			if (c->amt_ok)
				amt[j] = c->amt;
			if (c->mode != VM_DICT) {
				ref[j] = 0;
				dref[j] = units ? day_ref(r, c, c->ival - 1, units) : 0;
				if (v.n) {
					arena_put(r, v, &off[j]);
					fl |= DF_ARENA;
				}
			} else {
				ref[j] = dref[j] = c->ref;
			}
			cell[j] = v;
			flag[j] = fl;
		}
	}
	return 0;
}

/* Decodes the next batch of the open row group (rg_rows_left > 0). */
static void batch_fill(struct pq_reader *r, struct rb_err *err)
{
	size_t n = r->rg_rows_left < (int64_t)r->batch_rows ? (size_t)r->rg_rows_left :
		r->batch_rows, p, j;
	long base = r->row;

	r->alen = 0;
	r->bfail = 0;
	for (p = 0; p < r->nproj && n > 0; p++) {
		const struct field *f = &r->fields[r->proj[p]];
		size_t at = 0;
		struct rb_err e;   /* set by col_fill when it fails */
		int ret;
		ret = col_fill(r, &r->cols[f->first_leaf], p, n, base, &at, &e);
		if (ret) {
			/* later columns only up to this row: an error there in an
			 * earlier row comes first, in the same row this one does */
			r->bfail = 1;
			r->bret = ret;
			r->berr = e;
			n = at;
		}
	}
	r->row = base;
	for (p = 0; p < r->nproj; p++)
		for (j = 0; j < n; j++)
			if (r->bflag[p * PQ_BATCH + j] & DF_ARENA)
				r->bcell[p * PQ_BATCH + j].p = r->arena + r->boff[p * PQ_BATCH + j];
	r->bn = n;
	r->bi = 0;
	(void)err;
}

static void batch_decide(struct pq_reader *r)
{
	size_t p;
	r->batch_state = r->batch_rows ? 1 : -1;
	for (p = 0; p < r->nproj; p++) {
		const struct field *f = &r->fields[r->proj[p]];
		if (f->shape != SH_FLAT || r->leaves[f->first_leaf].max_rep)
			r->batch_state = -1;
	}
	if (r->batch_state < 0 || !r->nproj) {
		r->batch_state = -1;
		return;
	}
	r->bcell = xcalloc(r->nproj * PQ_BATCH, sizeof(*r->bcell));
	r->bflag = xcalloc(r->nproj * PQ_BATCH, 1);
	r->bamt = xcalloc(r->nproj * PQ_BATCH, sizeof(*r->bamt));
	r->bref = xcalloc(r->nproj * PQ_BATCH, sizeof(*r->bref));
	r->bdref = xcalloc(r->nproj * PQ_BATCH, sizeof(*r->bdref));
	r->boff = xcalloc(r->nproj * PQ_BATCH, sizeof(*r->boff));
}

static int next_batched(struct pq_reader *r, const struct rb_str **cells, long *row,
	struct rb_err *err)
{
	size_t p, i;
	int ret;

	if (r->bi >= r->bn) {
		if (r->bfail) {
			*err = r->berr;
			return r->bret;
		}
		while (!r->rg_open || r->rg_rows_left <= 0) {
			if (r->rg_open && (ret = group_close(r, err)))
				return ret;
			while (r->rg < r->meta.nrg && !in_range(r, r->rg))
				r->rg++;
			if (r->rg >= r->meta.nrg)
				return 0;
			group_open(r, r->rg++);
		}
		batch_fill(r, err);
		if (r->bn == 0) {
			*err = r->berr;
			return r->bret;
		}
	}
	i = r->bi++;
	for (p = 0; p < r->nproj; p++) {
		size_t fi = r->proj[p], k = p * PQ_BATCH + i;
		r->cells[fi] = r->bcell[k];
		r->cflags[fi] = r->bflag[k];
		r->refs[fi] = r->bref[k];
		r->drefs[fi] = r->bdref[k];
		if (r->bflag[k] & DF_AMT)
			r->amts[fi] = r->bamt[k];
	}
	r->rg_rows_left--;
	r->row++;
	*cells = r->cells;
	*row = r->row;
	return 1;
}

int pq_reader_next(struct pq_reader *r, const struct rb_str **cells, long *row,
	struct rb_err *err)
{
	size_t f;
	int ret;

	if (!r->batch_state)
		batch_decide(r);
	if (r->batch_state > 0)
		return next_batched(r, cells, row, err);

	while (!r->rg_open || r->rg_rows_left <= 0) {
		if (r->rg_open && (ret = group_close(r, err)))
			return ret;
		while (r->rg < r->meta.nrg && !in_range(r, r->rg))
			r->rg++;
		if (r->rg >= r->meta.nrg)
			return 0;
		group_open(r, r->rg++);
	}
	for (f = 0; f < r->nproj; f++)
		if ((ret = read_field(r, r->proj[f], err)))
			return ret;
	r->rg_rows_left--;
	r->row++;
	*cells = r->cells;
	*row = r->row;
	return 1;
}

uint64_t pq_reader_dict_ref(const struct pq_reader *r, size_t i)
{
	return i < r->nfields && r->fields[i].shape == SH_FLAT ? r->refs[i] : 0;
}

uint64_t pq_reader_day_ref(const struct pq_reader *r, size_t i)
{
	return i < r->nfields && r->fields[i].shape == SH_FLAT ? r->drefs[i] : 0;
}

void pq_reader_free(struct pq_reader *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; r->cols && i < r->nleaves; i++)
		col_release(&r->cols[i]);
	free(r->cols);
	for (i = 0; r->fields && i < r->nfields; i++)
		strbuf_release(&r->fields[i].json);
	free(r->fields);
	free(r->leaves);
	free(r->cells);
	free(r->amts);
	free(r->cflags);
	free(r->bcell);
	free(r->bflag);
	free(r->bamt);
	free(r->bref);
	free(r->bdref);
	free(r->drefs);
	free(r->boff);
	free(r->arena);
	free(r->refs);
	free(r->proj);
	pq_meta_release(&r->meta);
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r);
}
