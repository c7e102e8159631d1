/*
 * csv.c: the RFC 4180 tokenizer and its byte source (see csv.h).
 *
 * One buffer holds the current row and what follows it. Parsing restarts at
 * the start of the current field whenever more bytes are needed: the row is
 * moved to the front of the buffer (offsets of finished fields are relative
 * to the row start, so they stay valid), the buffer grows only when the row
 * alone fills it, and the bytes are never modified before the row is
 * complete. A NUL sentinel after the last valid byte lets the inner loops
 * scan without a bounds check per byte.
 *
 * Not for: column names or values (reader.c).
 */
#include "ingest/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CSV_X86 1
#endif

#include "util/xalloc.h"
#include "util/banned.h"

#define CSV_MAX_FIELDS 65536u   /* fields in a row (the header) */
#define CSV_PAD 64u             /* readable bytes after the sentinel: one window */
#define GZ_INSIZE (256u << 10)

struct fld {
	size_t off;   /* from the row start */
	size_t len;
	int esc;      /* holds doubled quotes */
};

struct csv {
	char *name;
	int fd;                      /* -1: memory source */
	const unsigned char *mem;
	size_t memlen, mempos;
	uint64_t size, bytes_in;

	int gz;
	int zinit;
	int zend;                    /* the last gzip member ended */
	int in_eof;
	z_stream zs;
#ifdef HAVE_ISAL
	struct inflate_state *is;    /* ISA-L's inflater instead of zlib's */
	uint64_t out_total;          /* bytes ISA-L gave */
#endif
	unsigned char *in;
	size_t incap;

	char *buf;                   /* cap + 1 bytes: buf[len] == '\0' */
	size_t cap, len;
	uint64_t base;               /* source offset of buf[0] */
	uint64_t end;                /* byte range: no row starting at or past it (0: none) */
	uint64_t first;              /* source offset of the first row start */
	int have_first;
	int skip_partial;            /* byte range: skip to the first line end first */
	int stopped;                 /* byte range: reached end */
	size_t row;                  /* start of the current row */
	int eof;                     /* no byte after buf[len - 1] */
	int started;
	int failed;
	long line;                   /* line of buf[row] */
	size_t expect;

	struct fld *f;
	size_t nf, fcap;
	struct rb_str *views;
	size_t vcap;
	const unsigned char *used;   /* csv_set_used: 1 for fields to unescape */
	size_t nused;

	enum csv_variant variant;
	uint64_t (*cls_plain)(const unsigned char *p);
	uint64_t (*cls_quoted)(const unsigned char *p);
};

/* Bytes that end a scan: unquoted fields stop at , " \n \r \0; quoted
 * fields at " \n \0. Constant tables: readers on several threads share
 * them without a data race. */
static const unsigned char stop_plain[256] = {
	[0] = 1, [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1,
};
static const unsigned char stop_quoted[256] = {
	[0] = 1, ['"'] = 1, ['\n'] = 1,
};

/*
 * Classifiers: bit i of the result is set when byte p[i] of the 64 at p
 * ends a scan (the tables above). Every variant gives the same bits; the
 * parser below only walks them, so the variants cannot differ in results.
 * The scalar one is the definition, the SIMD ones compare 16 or 32 bytes
 * at a time. The buffer keeps CSV_PAD readable bytes after its sentinel,
 * so a window starting at or before the sentinel never reads outside it.
 */
static uint64_t plain_scalar(const unsigned char *p)
{
	uint64_t m = 0;
	unsigned i;
	for (i = 0; i < 64; i++)
		m |= (uint64_t)stop_plain[p[i]] << i;
	return m;
}

static uint64_t quoted_scalar(const unsigned char *p)
{
	uint64_t m = 0;
	unsigned i;
	for (i = 0; i < 64; i++)
		m |= (uint64_t)stop_quoted[p[i]] << i;
	return m;
}

#ifdef CSV_X86
__attribute__((target("sse2")))
static uint64_t plain_sse2(const unsigned char *p)
{
	const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
	const __m128i zero = _mm_setzero_si128();
	uint64_t m = 0;
	unsigned i;
	for (i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i x = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
				_mm_cmpeq_epi8(v, zero)));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(x) << (16 * i);
	}
	return m;
}

__attribute__((target("sse2")))
static uint64_t quoted_sse2(const unsigned char *p)
{
	const __m128i quote = _mm_set1_epi8('"'), lf = _mm_set1_epi8('\n');
	const __m128i zero = _mm_setzero_si128();
	uint64_t m = 0;
	unsigned i;
	for (i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i x = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
			_mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, zero));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(x) << (16 * i);
	}
	return m;
}

__attribute__((target("avx2")))
static uint64_t plain_avx2(const unsigned char *p)
{
	const __m256i comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"');
	const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
	const __m256i zero = _mm256_setzero_si256();
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	__m256i xa = _mm256_or_si256(
		_mm256_or_si256(_mm256_cmpeq_epi8(a, comma), _mm256_cmpeq_epi8(a, quote)),
		_mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(a, lf),
			_mm256_cmpeq_epi8(a, cr)), _mm256_cmpeq_epi8(a, zero)));
	__m256i xb = _mm256_or_si256(
		_mm256_or_si256(_mm256_cmpeq_epi8(b, comma), _mm256_cmpeq_epi8(b, quote)),
		_mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(b, lf),
			_mm256_cmpeq_epi8(b, cr)), _mm256_cmpeq_epi8(b, zero)));
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(xa) |
		(uint64_t)(uint32_t)_mm256_movemask_epi8(xb) << 32;
}

__attribute__((target("avx2")))
static uint64_t quoted_avx2(const unsigned char *p)
{
	const __m256i quote = _mm256_set1_epi8('"'), lf = _mm256_set1_epi8('\n');
	const __m256i zero = _mm256_setzero_si256();
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	__m256i xa = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(a, quote),
		_mm256_cmpeq_epi8(a, lf)), _mm256_cmpeq_epi8(a, zero));
	__m256i xb = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(b, quote),
		_mm256_cmpeq_epi8(b, lf)), _mm256_cmpeq_epi8(b, zero));
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(xa) |
		(uint64_t)(uint32_t)_mm256_movemask_epi8(xb) << 32;
}
#endif

static const char *const variant_names[CSV_NVARIANTS] = { "scalar", "sse2", "avx2" };

int csv_variant_supported(enum csv_variant v)
{
	switch (v) {
	case CSV_SCALAR:
		return 1;
#ifdef CSV_X86
	case CSV_SSE2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("sse2");
	case CSV_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2");
#endif
	default:
		return 0;
	}
}

const char *csv_variant_name(enum csv_variant v)
{
	return (unsigned)v < CSV_NVARIANTS ? variant_names[v] : "?";
}

/* The best variant this CPU runs, unless $REBILL_CSV_SIMD names one it
 * supports (tests run every variant through it). */
static enum csv_variant pick_variant(void)
{
	const char *env = getenv("REBILL_CSV_SIMD");
	int v;

	if (env && *env)
		for (v = 0; v < CSV_NVARIANTS; v++)
			if (!strcmp(env, variant_names[v]) && csv_variant_supported((enum csv_variant)v))
				return (enum csv_variant)v;
	for (v = CSV_NVARIANTS - 1; v > 0; v--)
		if (csv_variant_supported((enum csv_variant)v))
			break;
	return (enum csv_variant)v;
}

static void set_variant(struct csv *c, enum csv_variant v)
{
	c->variant = v;
	switch (v) {
#ifdef CSV_X86
	case CSV_SSE2:
		c->cls_plain = plain_sse2;
		c->cls_quoted = quoted_sse2;
		break;
	case CSV_AVX2:
		c->cls_plain = plain_avx2;
		c->cls_quoted = quoted_avx2;
		break;
#endif
	default:
		c->variant = CSV_SCALAR;
		c->cls_plain = plain_scalar;
		c->cls_quoted = quoted_scalar;
		break;
	}
}

enum csv_variant csv_variant(const struct csv *c)
{
	return c->variant;
}

/* The first offset at or after q whose byte stops a scan (cls: which
 * bytes); the sentinel at buf[len] bounds it. */
static inline size_t next_stop(uint64_t (*cls)(const unsigned char *), const char *b,
	size_t q)
{
	for (;;) {
		uint64_t m = cls((const unsigned char *)b + q);
		if (m)
			return q + (size_t)__builtin_ctzll(m);
		q += 64;
	}
}

/* Sets the buffer's capacity (ncap >= c->len) with the sentinel byte and
 * CSV_PAD bytes after it, zeroed where new: the classifiers read them. */
static void buf_resize(struct csv *c, size_t ncap)
{
	size_t old = c->buf ? c->cap + 1 + CSV_PAD : 0, now = ncap + 1 + CSV_PAD;

	c->buf = xrealloc(c->buf, now);
	if (now > old)
		memset(c->buf + old, 0, now - old);
	c->cap = ncap;
}

static int raw_read(struct csv *c, void *dst, size_t n, size_t *got, struct rb_err *err)
{
	ssize_t r;

	*got = 0;
	if (c->fd < 0) {
		size_t left = c->memlen - c->mempos;
		if (n > left)
			n = left;
		if (n)
			memcpy(dst, c->mem + c->mempos, n);
		c->mempos += n;
		*got = n;
		c->bytes_in += n;
		return 0;
	}
	do
		r = read(c->fd, dst, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return rb_err_at(err, RB_EIO, c->name, 0, 0, "read failed: %s", strerror(errno));
	*got = (size_t)r;
	c->bytes_in += (uint64_t)r;
	return 0;
}

static int gz_error(struct csv *c, const char *what, struct rb_err *err)
{
	return rb_err_at(err, RB_EINPUT, c->name, c->line, 0, "%s", what);
}

static int fill(struct csv *c, struct rb_err *err);

#ifdef HAVE_ISAL
/* Input ended inside a gzip member. ISA-L keeps back a few bytes zlib
 * would still give, so the error's line would depend on the inflater: a
 * source that can be read again is inflated again with zlib up to where
 * ISA-L stopped, and zlib goes on to the same error it always gave. A pipe
 * reports the line ISA-L reached. */
static int isal_truncated(struct csv *c, struct rb_err *err)
{
	unsigned char scratch[16384];
	uint64_t skip = c->out_total;
	struct stat st;

	if (c->fd >= 0 && (fstat(c->fd, &st) || !S_ISREG(st.st_mode) ||
	    lseek(c->fd, 0, SEEK_SET) != 0))
		return gz_error(c, "truncated gzip data", err);
	free(c->is);
	c->is = NULL;
	c->mempos = 0;
	c->bytes_in = 0;
	c->in_eof = 0;
	c->zend = 0;
	memset(&c->zs, 0, sizeof(c->zs));
	if (inflateInit2(&c->zs, 15 + 32) != Z_OK)
		return rb_err_at(err, RB_EIO, c->name, 0, 0, "cannot start zlib");
	c->zinit = 1;
	while (skip) {
		size_t got;
		int ret;
		if (c->zs.avail_in == 0 && !c->in_eof) {
			if ((ret = raw_read(c, c->in, c->incap, &got, err)))
				return ret;
			if (!got)
				c->in_eof = 1;
			c->zs.next_in = c->in;
			c->zs.avail_in = (uInt)got;
		}
		if (c->zend) {
			if (inflateReset(&c->zs) != Z_OK)
				return gz_error(c, "corrupt gzip data", err);
			c->zend = 0;
		}
		c->zs.next_out = scratch;
		c->zs.avail_out = (uInt)(skip < sizeof(scratch) ? skip : sizeof(scratch));
		ret = inflate(&c->zs, Z_NO_FLUSH);
		skip -= (c->zs.next_out - scratch);
		if (ret == Z_STREAM_END)
			c->zend = 1;
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			return gz_error(c, "corrupt gzip data", err);
		else if (c->zs.next_out == scratch && c->zs.avail_in == 0 && c->in_eof)
			return gz_error(c, "truncated gzip data", err);
	}
	return fill(c, err);
}

/* fill() with ISA-L: the same outcomes as with zlib (concatenated members,
 * "truncated" only once no byte comes out of input that ended, "corrupt"
 * for any bad header, block, symbol, distance or checksum). */
static int fill_isal(struct csv *c, struct rb_err *err)
{
	struct inflate_state *st = c->is;
	size_t got;
	int ret;

	for (;;) {
		size_t room = c->cap - c->len, produced;

		if (st->avail_in == 0 && !c->in_eof) {
			ret = raw_read(c, c->in, c->incap, &got, err);
			if (ret)
				return ret;
			if (!got)
				c->in_eof = 1;
			st->next_in = c->in;
			st->avail_in = (uint32_t)got;
		}
		if (c->zend) {
			if (st->avail_in == 0) {
				if (c->in_eof) {
					c->eof = 1;
					return 0;
				}
				continue;
			}
			{
				uint8_t *in = st->next_in;
				uint32_t avail = st->avail_in;
				isal_inflate_reset(st);
				st->crc_flag = ISAL_GZIP;
				st->next_in = in;
				st->avail_in = avail;
			}
			c->zend = 0;
		}
		st->next_out = (uint8_t *)c->buf + c->len;
		st->avail_out = (uint32_t)room;
		ret = isal_inflate(st);
		produced = room - st->avail_out;
		c->len += produced;
		if (ret < 0 || ret == ISAL_NEED_DICT)
			return gz_error(c, "corrupt gzip data", err);
		c->out_total += produced;
		if (st->block_state == ISAL_BLOCK_FINISH)
			c->zend = 1;
		else if (!produced && st->avail_in == 0 && c->in_eof)
			return isal_truncated(c, err);
		if (produced)
			return 0;
	}
}
#endif

/* Appends at least one byte to buf, or sets eof. */
static int fill(struct csv *c, struct rb_err *err)
{
	size_t got;
	int ret;

	if (!c->gz) {
		ret = raw_read(c, c->buf + c->len, c->cap - c->len, &got, err);
		if (ret)
			return ret;
		if (!got)
			c->eof = 1;
		c->len += got;
		return 0;
	}
#ifdef HAVE_ISAL
	if (c->is)
		return fill_isal(c, err);
#endif
	for (;;) {
		size_t room = c->cap - c->len, produced;

		if (c->zs.avail_in == 0 && !c->in_eof) {
			ret = raw_read(c, c->in, c->incap, &got, err);
			if (ret)
				return ret;
			if (!got)
				c->in_eof = 1;
			c->zs.next_in = c->in;
			c->zs.avail_in = (uInt)got;
		}
		if (c->zend) {
			/* concatenated members: another one follows if input does */
			if (c->zs.avail_in == 0) {
				if (c->in_eof) {
					c->eof = 1;
					return 0;
				}
				continue;
			}
			if (inflateReset(&c->zs) != Z_OK)
				return gz_error(c, "corrupt gzip data", err);
			c->zend = 0;
		}
		c->zs.next_out = (unsigned char *)c->buf + c->len;
		c->zs.avail_out = (uInt)room;
		ret = inflate(&c->zs, Z_NO_FLUSH);
		produced = room - c->zs.avail_out;
		c->len += produced;
		if (ret == Z_STREAM_END)
			c->zend = 1;
		else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
			return gz_error(c, "corrupt gzip data", err);
		else if (ret == Z_MEM_ERROR)
			return rb_err_at(err, RB_EIO, c->name, 0, 0, "out of memory in zlib");
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
			return gz_error(c, "corrupt gzip data", err);
		else if (!produced && c->zs.avail_in == 0 && c->in_eof)
			return gz_error(c, "truncated gzip data", err);
		if (produced)
			return 0;
	}
}

/* Moves the current row to the front, grows the buffer if the row fills
 * it, and reads more. */
static int more(struct csv *c, struct rb_err *err)
{
	int ret;

	if (c->row > 0) {
		c->base += c->row;
		memmove(c->buf, c->buf + c->row, c->len - c->row);
		c->len -= c->row;
		c->row = 0;
	}
	if (c->len == c->cap) {
		size_t ncap;
		if (c->cap >= CSV_MAX_ROW)
			return rb_err_at(err, RB_EINPUT, c->name, c->line, 0,
				"row longer than %u bytes", CSV_MAX_ROW);
		ncap = c->cap * 2 > CSV_MAX_ROW ? CSV_MAX_ROW : c->cap * 2;
		buf_resize(c, ncap);
	}
	ret = fill(c, err);
	c->buf[c->len] = '\0';
	return ret;
}

static struct csv *csv_new(const char *name, size_t bufsize)
{
	struct csv *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(name);
	c->fd = -1;
	buf_resize(c, bufsize ? bufsize : CSV_BUFSIZE);
	c->buf[0] = '\0';
	set_variant(c, pick_variant());
	c->line = 1;
	c->incap = c->cap < GZ_INSIZE ? c->cap : GZ_INSIZE;
	return c;
}

static int csv_start(struct csv *c, const unsigned char *magic, size_t nmagic,
	struct rb_err *err)
{
	if (nmagic >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		c->gz = 1;
		c->in = xmalloc(c->incap);
#ifdef HAVE_ISAL
		{
			/* ISA-L unless $REBILL_INFLATE is "zlib" (tests compare both) */
			const char *env = getenv("REBILL_INFLATE");
			if (!env || strcmp(env, "zlib")) {
				c->is = xmalloc(sizeof(*c->is));
				isal_inflate_init(c->is);
				c->is->crc_flag = ISAL_GZIP;
				return 0;
			}
		}
#endif
		if (inflateInit2(&c->zs, 15 + 32) != Z_OK)
			return rb_err_at(err, RB_EIO, c->name, 0, 0, "cannot start zlib");
		c->zinit = 1;
	}
	return 0;
}

int csv_open_fd(struct csv **out, const char *name, int fd, size_t bufsize,
	struct rb_err *err)
{
	struct csv *c = csv_new(name, bufsize);
	unsigned char magic[2];
	struct stat st;
	ssize_t n;
	size_t got;
	int ret = 0;

	c->fd = fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		c->size = (uint64_t)st.st_size;
	/* the magic bytes are read, not peeked with pread: a pipe or FIFO
	 * cannot seek ("Illegal seek"); they stay in the buffer they belong to */
	got = 0;
	while (got < sizeof(magic)) {
		do
			n = read(fd, magic + got, sizeof(magic) - got);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			ret = rb_err_at(err, RB_EIO, name, 0, 0, "read failed: %s", strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	c->bytes_in = got;
	if (c->cap < sizeof(magic))   /* tests' tiny buffers */
		buf_resize(c, sizeof(magic));
	if (c->incap < sizeof(magic))
		c->incap = sizeof(magic);
	ret = csv_start(c, magic, got, err);
	if (ret)
		goto cleanup;
	if (c->gz) {
		memcpy(c->in, magic, got);
		c->zs.next_in = c->in;
		c->zs.avail_in = (uInt)got;
#ifdef HAVE_ISAL
		if (c->is) {
			c->is->next_in = c->in;
			c->is->avail_in = (uint32_t)got;
		}
#endif
	} else {
		memcpy(c->buf, magic, got);
		c->len = got;
		c->buf[got] = '\0';
	}
cleanup:
	if (ret) {
		csv_free(c);
		c = NULL;
	}
	*out = c;
	return ret;
}

int csv_open_mem(struct csv **out, const char *name, const void *data, size_t len,
	size_t bufsize, struct rb_err *err)
{
	struct csv *c = csv_new(name, bufsize);
	int ret;

	c->mem = data;
	c->memlen = len;
	c->size = len;
	ret = csv_start(c, data, len, err);
	if (ret) {
		csv_free(c);
		c = NULL;
	}
	*out = c;
	return ret;
}

int csv_set_range(struct csv *c, uint64_t start, uint64_t end, struct rb_err *err)
{
	if (c->gz)
		return rb_err_at(err, RB_EUSAGE, c->name, 0, 0,
			"cannot read a byte range of gzip data");
	c->end = end;
	c->have_first = 0;
	if (start == 0)
		return 0;
	if (start > c->size)
		start = c->size;
	if (c->fd >= 0) {
		if (lseek(c->fd, (off_t)(start - 1), SEEK_SET) < 0)
			return rb_err_at(err, RB_EIO, c->name, 0, 0, "seek failed: %s", strerror(errno));
	} else {
		c->mempos = (size_t)(start - 1);
	}
	c->base = start - 1;
	c->row = c->len = 0;
	c->buf[0] = '\0';
	c->eof = 0;
	c->started = 1;
	c->skip_partial = 1;
	c->have_first = 0;
	c->line = 1;
	return 0;
}

void csv_range_info(const struct csv *c, uint64_t *first, uint64_t *stop, long *lines)
{
	*first = c->have_first ? c->first : c->base + c->row;
	*stop = c->base + c->row;
	*lines = c->line - 1;
}

void csv_expect_fields(struct csv *c, size_t n)
{
	c->expect = n;
	if (c->fcap < n + 1) {   /* the fast path in csv_next needs the room */
		c->fcap = n + 1;
		c->f = xreallocarray(c->f, c->fcap, sizeof(*c->f));
	}
}

void csv_set_used(struct csv *c, const unsigned char *used, size_t n)
{
	c->used = used;
	c->nused = n;
}

uint64_t csv_bytes_in(const struct csv *c)
{
	return c->bytes_in;
}

uint64_t csv_size(const struct csv *c)
{
	return c->size;
}

const char *csv_name(const struct csv *c)
{
	return c->name;
}

int csv_head(const struct csv *c, const char **p, size_t *n)
{
	if (c->base != 0 || !c->buf)
		return -1;
	*p = c->buf;
	*n = c->len;
	return 0;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	if (c->zinit)
		inflateEnd(&c->zs);
#ifdef HAVE_ISAL
	free(c->is);
#endif
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->buf);
	free(c->f);
	free(c->views);
	free(c->name);
	free(c);
}

static int fail(struct csv *c, struct rb_err *err, long line, long column,
	const char *what)
{
	c->failed = 1;
	return rb_err_at(err, RB_EINPUT, c->name, line, column, "%s", what);
}

static int add_field(struct csv *c, size_t off, size_t len, int esc, long line,
	struct rb_err *err)
{
	if (len > INGEST_MAX_FIELD) {
		char msg[64];
		snprintf(msg, sizeof(msg), "field longer than %u bytes", INGEST_MAX_FIELD);
		return fail(c, err, line, (long)c->nf + 1, msg);
	}
	if (c->nf == c->fcap) {
		if (c->fcap >= CSV_MAX_FIELDS)
			return fail(c, err, line, (long)c->nf + 1, "too many fields");
		c->fcap = c->fcap ? c->fcap * 2 : 64;
		c->f = xreallocarray(c->f, c->fcap, sizeof(*c->f));
	}
	c->f[c->nf].off = off;
	c->f[c->nf].len = len;
	c->f[c->nf].esc = esc;
	c->nf++;
	return 0;
}

/* Collapses each "" of the field to " in place; returns the new length. */
static size_t unescape(char *s, size_t n)
{
	size_t r, w = 0;
	for (r = 0; r < n; r++) {
		s[w++] = s[r];
		if (s[r] == '"')
			r++;
	}
	return w;
}

static int field_count_error(struct csv *c, long line, long column, size_t got,
	struct rb_err *err)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "row has %s fields than the header (%zu)",
		got > c->expect ? "more" : "fewer", c->expect);
	return fail(c, err, line, column, msg);
}

int csv_next(struct csv *c, const struct rb_str **fields, size_t *nfields,
	long *line, struct rb_err *err)
{
	size_t fstart, p, q, i, end = 0;
	long rlines, flines;
	int ret, nl = 0;   /* nl: the row ended with a line break */
	char *b;

	if (c->failed)
		return rb_err_set(err, RB_EINPUT, "%s: reader used after an error", c->name);
	if (!c->started) {
		while (c->len - c->row < 3 && !c->eof)
			if ((ret = more(c, err)))
				goto failed;
		if (c->len - c->row >= 3 && !memcmp(c->buf + c->row, "\xEF\xBB\xBF", 3))
			c->row += 3;
		c->started = 1;
	}
	while (c->skip_partial) {
		/* a byte range starts after the first line end at or after start - 1 */
		char *lf = memchr(c->buf + c->row, '\n', c->len - c->row);
		if (lf) {
			c->row = (size_t)(lf - c->buf) + 1;
			c->skip_partial = 0;
		} else if (c->eof) {
			c->row = c->len;
			c->skip_partial = 0;
		} else {
			c->row = c->len;
			if ((ret = more(c, err)))
				goto failed;
		}
	}
	if (!c->have_first) {
		c->first = c->base + c->row;
		c->have_first = 1;
	}
	if (c->end && c->base + c->row >= c->end) {
		c->stopped = 1;
		return 0;
	}
	/* empty lines hold no field: skip them */
	for (;;) {
		if (c->row == c->len) {
			if (c->eof)
				return 0;
			if ((ret = more(c, err)))
				goto failed;
			continue;
		}
		b = c->buf + c->row;
		if (b[0] == '\n') {
			c->row++;
			c->line++;
			continue;
		}
		if (b[0] == '\r') {
			if (c->row + 1 == c->len && !c->eof) {
				if ((ret = more(c, err)))
					goto failed;
				continue;
			}
			if (c->row + 1 == c->len || b[1] == '\n') {
				c->row += c->row + 1 == c->len ? 1 : 2;
				c->line++;
				continue;
			}
		}
		break;
	}

	c->nf = 0;
	fstart = 0;
	rlines = 0;
	for (;;) {
		int at_eol = 0;   /* the field ends the row */
		size_t next;      /* offset after the field's separator */

		b = c->buf;
		p = c->row + fstart;
		flines = 0;
		/* fast path, most fields: unquoted and followed by a comma, with
		 * room for another field (the general code below reports the rest).
		 * One classified window of 64 bytes from w serves the fields in it. */
		if (b[p] != '"' && c->nf + 1 < c->fcap && (!c->expect || c->nf + 1 < c->expect)) {
			size_t w = p, d;
			uint64_t m = c->cls_plain((const unsigned char *)b + w), bits;
			do {
				for (;;) {   /* p >= w */
					d = p - w;
					if (d >= 64) {
						w = p;
						m = c->cls_plain((const unsigned char *)b + w);
						continue;
					}
					bits = m >> d;
					if (bits) {
						q = p + (size_t)__builtin_ctzll(bits);
					} else {   /* a long field: the window moves to its end */
						q = next_stop(c->cls_plain, b, w + 64);
						w = q;
						m = c->cls_plain((const unsigned char *)b + w);
					}
					break;
				}
				if (b[q] != ',' || q - p > INGEST_MAX_FIELD)
					break;
				c->f[c->nf].off = p - c->row;
				c->f[c->nf].len = q - p;
				c->f[c->nf].esc = 0;
				c->nf++;
				p = q + 1;
			} while (b[p] != '"' && c->nf + 1 < c->fcap &&
				(!c->expect || c->nf + 1 < c->expect));
		}
		fstart = p - c->row;
		if (p < c->len && b[p] == '"') {
			int esc = 0;
			q = p + 1;
			for (;;) {
				q = next_stop(c->cls_quoted, b, q);
				if (q == c->len)
					break;
				if (b[q] == '\0')
					return fail(c, err, c->line + rlines + flines, (long)c->nf + 1, "NUL byte in field");
				if (b[q] == '\n') {
					flines++;
					q++;
					continue;
				}
				if (q + 1 == c->len)
					break;          /* what follows the quote is unknown yet */
				if (b[q + 1] == '"') {
					esc = 1;
					q += 2;
					continue;
				}
				break;
			}
			if (q == c->len || (q + 1 == c->len && !c->eof) ||
			    (q + 2 == c->len && b[q + 1] == '\r' && !c->eof)) {
				if (c->eof)
					return fail(c, err, c->line + rlines, (long)c->nf + 1,
						"quoted field not closed at end of file");
				if (c->len - p > INGEST_MAX_FIELD + 2) {
					ret = add_field(c, 0, c->len - p, 0, c->line + rlines, err);
					goto failed;
				}
				if ((ret = more(c, err)))
					goto failed;
				continue;
			}
			/* b[q] is the closing quote */
			if ((ret = add_field(c, p + 1 - c->row, q - p - 1, esc,
				c->line + rlines, err)))
				goto failed;
			rlines += flines;
			q++;
			if (q == c->len) {              /* at end of file */
				at_eol = 1;
				next = q;
			} else if (b[q] == ',') {
				next = q + 1;
			} else if (b[q] == '\n') {
				at_eol = 1;
				next = q + 1;
				rlines++;
				nl = 1;
			} else if (b[q] == '\r' && (q + 1 == c->len || b[q + 1] == '\n')) {
				at_eol = 1;
				next = q + 1 == c->len ? q + 1 : q + 2;
				rlines++;
				nl = 1;
			} else {
				return fail(c, err, c->line + rlines, (long)c->nf,
					"unexpected character after closing quote");
			}
		} else {
			q = p;
			for (;;) {
				q = next_stop(c->cls_plain, b, q);
				if (q == c->len || b[q] != '\r')
					break;
				/* CR: a line end before LF; alone, bad input (below) */
				if (q + 1 == c->len) {
					if (c->eof)
						break;
					q = c->len; /* need the next byte */
					break;
				}
				break;
			}
			if (q == c->len && !c->eof) {
				if (c->len - p > INGEST_MAX_FIELD) {
					ret = add_field(c, 0, c->len - p, 0, c->line + rlines, err);
					goto failed;
				}
				if ((ret = more(c, err)))
					goto failed;
				continue;
			}
			if (q < c->len && b[q] == '"')
				return fail(c, err, c->line + rlines, (long)c->nf + 1,
					"quote inside an unquoted field");
			if (q < c->len && b[q] == '\0')
				return fail(c, err, c->line + rlines, (long)c->nf + 1, "NUL byte in field");
			if (q + 1 < c->len && b[q] == '\r' && b[q + 1] != '\n')
				return fail(c, err, c->line + rlines, (long)c->nf + 1,
					"carriage return without line feed outside quotes "
					"(lone CR line ends are not read: convert the file to LF or CRLF)");
			if ((ret = add_field(c, p - c->row, q - p, 0, c->line + rlines, err)))
				goto failed;
			if (q == c->len) {
				at_eol = 1;
				next = q;
			} else if (b[q] == ',') {
				next = q + 1;
			} else if (b[q] == '\n') {
				at_eol = 1;
				next = q + 1;
				rlines++;
				nl = 1;
			} else { /* \r\n or \r at end of file */
				at_eol = 1;
				next = q + 1 < c->len ? q + 2 : q + 1;
				rlines++;
				nl = 1;
			}
		}
		if (at_eol) {
			end = next;
			break;
		}
		if (c->expect && c->nf >= c->expect)
			return field_count_error(c, c->line + rlines, (long)c->nf + 1, c->nf + 1, err);
		fstart = next - c->row;
	}

	if (c->expect && c->nf != c->expect)
		return field_count_error(c, c->line + rlines - nl,
			(long)c->nf + 1, c->nf, err);
	if (c->nf > c->vcap) {
		c->vcap = c->nf;
		c->views = xreallocarray(c->views, c->vcap, sizeof(*c->views));
	}
	for (i = 0; i < c->nf; i++) {
		char *s = c->buf + c->row + c->f[i].off;
		c->views[i].p = s;
		c->views[i].n = c->f[i].esc && (i >= c->nused || c->used[i]) ?
			unescape(s, c->f[i].len) : c->f[i].len;
	}
	*fields = c->views;
	*nfields = c->nf;
	*line = c->line;
	c->line += rlines;
	c->row = end;
	return 1;
failed:
	c->failed = 1;
	return ret;
}
