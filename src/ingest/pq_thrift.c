/*
 * pq_thrift.c: the Thrift compact protocol, as far as Parquet's footer
 * (FileMetaData) and page headers (PageHeader) need it, decoded straight
 * into the structs of pq_int.h. Field numbers come from parquet-format's
 * parquet.thrift; fields rebill does not use are skipped.
 *
 * Hostile input: every read is bounds-checked, nesting is limited
 * (TC_MAX_DEPTH) and a list may not claim more elements than it has bytes
 * left, so memory stays proportional to the input.
 *
 * Not for: reading the file or decoding pages (parquet.c).
 */
#include "ingest/pq_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "util/banned.h"

#define TC_MAX_DEPTH 32
#define PQ_FOOTER_WINDOW ((size_t)256 << 10)   /* strings longer than this are bad input */

/* compact protocol types */
enum { TC_STOP, TC_TRUE, TC_FALSE, TC_BYTE, TC_I16, TC_I32, TC_I64, TC_DOUBLE, TC_BINARY,
	TC_LIST, TC_SET, TC_MAP, TC_STRUCT };

struct tc {
	const uint8_t *p, *end;
	int depth;
	const char *bad;   /* first problem, or NULL */
	/* reading a footer from a file through a window (fd >= 0): `left`
	 * bytes of it follow `end` in the file, from offset `off` */
	int fd;
	uint64_t off, left;
	uint8_t *win;
	size_t wincap;
};

static void tc_fail(struct tc *t, const char *why)
{
	if (!t->bad)
		t->bad = why;
	t->p = t->end;
	t->left = 0;
}

/* Makes n bytes available at t->p (n <= the window); 0, or -1 (failed). */
static int tc_fill(struct tc *t, size_t n)
{
	size_t have = (size_t)(t->end - t->p), want;
	if (have >= n)
		return 0;
	if (t->fd < 0 || !t->left || n > t->wincap) {
		tc_fail(t, n > t->wincap && t->left ? "string too long" : "truncated");
		return -1;
	}
	memmove(t->win, t->p, have);
	want = t->wincap - have;
	if (want > t->left)
		want = (size_t)t->left;
	{
		size_t got = 0;
		while (got < want) {
			ssize_t k = pread(t->fd, t->win + have + got, want - got, (off_t)(t->off + got));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				tc_fail(t, "read failed");
				return -1;
			}
			got += (size_t)k;
		}
	}
	t->off += want;
	t->left -= want;
	t->p = t->win;
	t->end = t->win + have + want;
	if ((size_t)(t->end - t->p) < n) {
		tc_fail(t, "truncated");
		return -1;
	}
	return 0;
}

/* bytes left in the whole input */
static uint64_t tc_left(const struct tc *t)
{
	return (uint64_t)(t->end - t->p) + t->left;
}

static int tc_byte(struct tc *t, uint8_t *b)
{
	if (t->p >= t->end && tc_fill(t, 1))
		return -1;
	*b = *t->p++;
	return 0;
}

static void tc_skip_bytes(struct tc *t, uint64_t n)
{
	if (n > tc_left(t)) {
		tc_fail(t, "truncated");
		return;
	}
	while (n) {
		size_t k = (size_t)(t->end - t->p);
		if (!k) {
			if (tc_fill(t, 1))
				return;
			continue;
		}
		if (k > n)
			k = (size_t)n;
		t->p += k;
		n -= k;
	}
}

static uint64_t tc_varint(struct tc *t)
{
	uint64_t v = 0;
	int shift = 0;
	uint8_t b;
	while (!tc_byte(t, &b)) {
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
		if (shift > 63) {
			tc_fail(t, "bad varint");
			return 0;
		}
	}
	return 0;
}

static int64_t tc_zigzag(struct tc *t)
{
	uint64_t v = tc_varint(t);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int32_t tc_i32(struct tc *t)
{
	int64_t v = tc_zigzag(t);
	if (v < INT32_MIN || v > INT32_MAX) {
		tc_fail(t, "integer out of range");
		return 0;
	}
	return (int32_t)v;
}

/* A non-negative i64 (sizes, offsets, counts). */
static int64_t tc_count64(struct tc *t)
{
	int64_t v = tc_zigzag(t);
	if (v < 0) {
		tc_fail(t, "negative size or offset");
		return 0;
	}
	return v;
}

/* Reads the next field header: returns 0 at STOP, else 1 with *id and *type. */
static int tc_field(struct tc *t, int *last, int *id, int *type)
{
	uint8_t b;
	if (tc_byte(t, &b))
		return 0;
	*type = b & 0x0f;
	if (*type == TC_STOP)
		return 0;
	if (b >> 4)
		*id = *last + (b >> 4);
	else
		*id = (int)tc_zigzag(t);
	*last = *id;
	return !t->bad;
}

/* Reads a list header: returns the element count (checked against the
 * bytes left: every element takes at least one). */
static size_t tc_list(struct tc *t, int *etype)
{
	uint8_t b;
	uint64_t n;
	*etype = 0;
	if (tc_byte(t, &b))
		return 0;
	*etype = b & 0x0f;
	n = b >> 4;
	if (n == 15)
		n = tc_varint(t);
	if (n > tc_left(t)) {
		tc_fail(t, "list longer than its data");
		return 0;
	}
	return (size_t)n;
}

static char *tc_string(struct tc *t)
{
	uint64_t len = tc_varint(t);
	char *s;
	if (len > tc_left(t)) {
		tc_fail(t, "truncated string");
		return xstrdup("");
	}
	if (tc_fill(t, (size_t)len))
		return xstrdup("");
	s = xstrndup((const char *)t->p, (size_t)len);
	t->p += len;
	return s;
}

static void tc_skip(struct tc *t, int type);

static void tc_skip_struct(struct tc *t)
{
	int last = 0, id = 0, type = 0;
	if (++t->depth > TC_MAX_DEPTH) {
		tc_fail(t, "nesting too deep");
		return;
	}
	while (tc_field(t, &last, &id, &type))
		tc_skip(t, type);
	t->depth--;
}

static void tc_skip(struct tc *t, int type)
{
	size_t n, i;
	int et, kt;

	switch (type) {
	case TC_TRUE: case TC_FALSE:
		break;
	case TC_BYTE:
		tc_skip_bytes(t, 1);
		break;
	case TC_I16: case TC_I32: case TC_I64:
		tc_varint(t);
		break;
	case TC_DOUBLE:
		tc_skip_bytes(t, 8);
		break;
	case TC_BINARY: {
		uint64_t len = tc_varint(t);
		if (len > tc_left(t))
			tc_fail(t, "truncated string");
		else
			tc_skip_bytes(t, len);
		break;
	}
	case TC_LIST: case TC_SET:
		n = tc_list(t, &et);
		if (++t->depth > TC_MAX_DEPTH) {
			tc_fail(t, "nesting too deep");
			return;
		}
		for (i = 0; i < n && !t->bad; i++) {
			if (et == TC_TRUE || et == TC_FALSE)
				tc_skip(t, TC_BYTE);   /* list booleans take a byte */
			else
				tc_skip(t, et);
		}
		t->depth--;
		break;
	case TC_MAP:
		n = (size_t)tc_varint(t);
		if (!n)
			break;
		if (n > tc_left(t)) {
			tc_fail(t, "map longer than its data");
			return;
		}
		{
			uint8_t b;
			if (tc_byte(t, &b))
				return;
			kt = b >> 4;
			et = b & 0x0f;
		}
		if (++t->depth > TC_MAX_DEPTH) {
			tc_fail(t, "nesting too deep");
			return;
		}
		for (i = 0; i < n && !t->bad; i++) {
			tc_skip(t, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
			tc_skip(t, et == TC_TRUE || et == TC_FALSE ? TC_BYTE : et);
		}
		t->depth--;
		break;
	case TC_STRUCT:
		tc_skip_struct(t);
		break;
	default:
		tc_fail(t, "bad field type");
	}
}

/* Expects a field of type `want` (an i32 may be written as any int type). */
static int tc_want(struct tc *t, int type, int want)
{
	if (type == want || (want == TC_I32 && (type == TC_I16 || type == TC_I64)) ||
	    (want == TC_I64 && (type == TC_I32 || type == TC_I16)))
		return 1;
	tc_skip(t, type);
	tc_fail(t, "field of unexpected type");
	return 0;
}

/* TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS */
static enum pq_kind parse_time_unit(struct tc *t)
{
	int last = 0, id = 0, type = 0;
	enum pq_kind k = PQK_PLAIN;
	while (tc_field(t, &last, &id, &type)) {
		if (type == TC_STRUCT && id >= 1 && id <= 3)
			k = id == 1 ? PQK_TS_MILLIS : id == 2 ? PQK_TS_MICROS : PQK_TS_NANOS;
		tc_skip(t, type);
	}
	return k;
}

static void parse_logical(struct tc *t, struct pq_schema_el *e)
{
	int last = 0, id = 0, type = 0;
	if (++t->depth > TC_MAX_DEPTH) {
		tc_fail(t, "nesting too deep");
		return;
	}
	while (tc_field(t, &last, &id, &type)) {
		if (type != TC_STRUCT) {
			tc_skip(t, type);
			continue;
		}
		if (id == 5) {   /* DecimalType { 1: scale, 2: precision } */
			int l2 = 0, id2 = 0, ty2 = 0;
			e->kind = PQK_DECIMAL;
			while (tc_field(t, &l2, &id2, &ty2)) {
				if (id2 == 1 && tc_want(t, ty2, TC_I32))
					e->scale = tc_i32(t);
				else if (id2 == 2 && tc_want(t, ty2, TC_I32))
					e->precision = tc_i32(t);
				else
					tc_skip(t, ty2);
			}
		} else if (id == 8) {   /* TimestampType { 1: isAdjustedToUTC, 2: unit } */
			int l2 = 0, id2 = 0, ty2 = 0;
			while (tc_field(t, &l2, &id2, &ty2)) {
				if (id2 == 2 && ty2 == TC_STRUCT)
					e->kind = parse_time_unit(t);
				else
					tc_skip(t, ty2);
			}
		} else {
			if (id == 6)
				e->kind = PQK_DATE;
			else if (id == 2)
				e->logical_map = 1;
			else if (id == 3)
				e->logical_list = 1;
			tc_skip(t, type);
		}
	}
	t->depth--;
}

static void parse_schema_el(struct tc *t, struct pq_schema_el *e)
{
	int last = 0, id = 0, type = 0;
	e->converted = -1;
	while (tc_field(t, &last, &id, &type)) {
		switch (id) {
		case 1:
			if (tc_want(t, type, TC_I32)) {
				e->type = tc_i32(t);
				e->has_type = 1;
			}
			break;
		case 2: if (tc_want(t, type, TC_I32)) e->type_length = tc_i32(t); break;
		case 3: if (tc_want(t, type, TC_I32)) e->repetition = tc_i32(t); break;
		case 4:
			if (tc_want(t, type, TC_BINARY)) {
				free(e->name);
				e->name = tc_string(t);
			}
			break;
		case 5: if (tc_want(t, type, TC_I32)) e->num_children = tc_i32(t); break;
		case 6: if (tc_want(t, type, TC_I32)) e->converted = tc_i32(t); break;
		case 7: if (tc_want(t, type, TC_I32)) e->scale = tc_i32(t); break;
		case 8: if (tc_want(t, type, TC_I32)) e->precision = tc_i32(t); break;
		case 10:
			if (tc_want(t, type, TC_STRUCT))
				parse_logical(t, e);
			break;
		default:
			tc_skip(t, type);
		}
	}
	if (!e->name)
		e->name = xstrdup("");
	/* the converted type, for files without LogicalType */
	if (e->kind == PQK_PLAIN) {
		switch (e->converted) {
		case PQ_CT_DECIMAL: e->kind = PQK_DECIMAL; break;
		case PQ_CT_DATE: e->kind = PQK_DATE; break;
		case PQ_CT_TIMESTAMP_MILLIS: e->kind = PQK_TS_MILLIS; break;
		case PQ_CT_TIMESTAMP_MICROS: e->kind = PQK_TS_MICROS; break;
		default: break;
		}
	}
}

static void parse_column_meta(struct tc *t, struct pq_chunk_meta *c)
{
	int last = 0, id = 0, type = 0;
	while (tc_field(t, &last, &id, &type)) {
		switch (id) {
		case 1: if (tc_want(t, type, TC_I32)) c->type = tc_i32(t); break;
		case 4: if (tc_want(t, type, TC_I32)) c->codec = tc_i32(t); break;
		case 5: if (tc_want(t, type, TC_I64)) c->num_values = tc_count64(t); break;
		case 7: if (tc_want(t, type, TC_I64)) c->total_compressed = tc_count64(t); break;
		case 9: if (tc_want(t, type, TC_I64)) c->data_off = tc_count64(t); break;
		case 11: if (tc_want(t, type, TC_I64)) c->dict_off = tc_count64(t); break;
		default: tc_skip(t, type);
		}
	}
}

static void parse_column_chunk(struct tc *t, struct pq_chunk_meta *c)
{
	int last = 0, id = 0, type = 0, have = 0;
	while (tc_field(t, &last, &id, &type)) {
		if (id == 1 && type == TC_BINARY) {
			tc_fail(t, "column chunk in another file (file_path) is not supported");
		} else if (id == 3 && tc_want(t, type, TC_STRUCT)) {
			parse_column_meta(t, c);
			have = 1;
		} else {
			tc_skip(t, type);
		}
	}
	if (!have)
		tc_fail(t, "column chunk without metadata (encrypted?)");
}

static void parse_row_group(struct tc *t, struct pq_rowgroup_meta *g)
{
	int last = 0, id = 0, type = 0, et = 0;
	size_t n, i;
	while (tc_field(t, &last, &id, &type)) {
		if (id == 1 && tc_want(t, type, TC_LIST)) {
			n = tc_list(t, &et);
			if (et != TC_STRUCT && n) {
				tc_fail(t, "bad column list");
				break;
			}
			free(g->cols);
			g->cols = xcalloc(n ? n : 1, sizeof(*g->cols));
			g->ncols = n;
			for (i = 0; i < n && !t->bad; i++)
				parse_column_chunk(t, &g->cols[i]);
		} else if (id == 3 && tc_want(t, type, TC_I64)) {
			g->num_rows = tc_count64(t);
		} else {
			tc_skip(t, type);
		}
	}
}

static int meta_parse(struct tc *tp, struct pq_meta *out, char *why, size_t whylen);

int pq_meta_parse(struct pq_meta *out, const uint8_t *p, size_t n, char *why, size_t whylen)
{
	struct tc t;
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.end = p + n;
	t.fd = -1;
	return meta_parse(&t, out, why, whylen);
}

int pq_meta_parse_fd(struct pq_meta *out, int fd, uint64_t off, uint64_t n, char *why,
	size_t whylen)
{
	struct tc t;
	int ret;
	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.off = off;
	t.left = n;
	t.wincap = PQ_FOOTER_WINDOW;
	t.win = xmalloc(t.wincap);
	t.p = t.end = t.win;
	ret = meta_parse(&t, out, why, whylen);
	free(t.win);
	return ret;
}

static int meta_parse(struct tc *tp, struct pq_meta *out, char *why, size_t whylen)
{
	struct tc t = *tp;
	int last = 0, id = 0, type = 0, et = 0;
	size_t k, i;

	memset(out, 0, sizeof(*out));
	while (tc_field(&t, &last, &id, &type)) {
		if (id == 2 && tc_want(&t, type, TC_LIST)) {
			k = tc_list(&t, &et);
			if (et != TC_STRUCT && k) {
				tc_fail(&t, "bad schema list");
				break;
			}
			out->schema = xcalloc(k ? k : 1, sizeof(*out->schema));
			out->nschema = k;
			for (i = 0; i < k && !t.bad; i++)
				parse_schema_el(&t, &out->schema[i]);
		} else if (id == 3 && tc_want(&t, type, TC_I64)) {
			out->num_rows = tc_count64(&t);
		} else if (id == 4 && tc_want(&t, type, TC_LIST)) {
			k = tc_list(&t, &et);
			if (et != TC_STRUCT && k) {
				tc_fail(&t, "bad row group list");
				break;
			}
			out->rg = xcalloc(k ? k : 1, sizeof(*out->rg));
			out->nrg = k;
			for (i = 0; i < k && !t.bad; i++)
				parse_row_group(&t, &out->rg[i]);
		} else {
			tc_skip(&t, type);
		}
	}
	if (!t.bad && !out->nschema)
		t.bad = "no schema";
	if (t.bad) {
		snprintf(why, whylen, "bad file metadata: %s", t.bad);
		pq_meta_release(out);
		return -1;
	}
	return 0;
}

void pq_meta_release(struct pq_meta *m)
{
	size_t i;
	for (i = 0; m->schema && i < m->nschema; i++)
		free(m->schema[i].name);
	free(m->schema);
	for (i = 0; m->rg && i < m->nrg; i++)
		free(m->rg[i].cols);
	free(m->rg);
	memset(m, 0, sizeof(*m));
}

static void parse_data_header(struct tc *t, struct pq_page_header *h)
{
	int last = 0, id = 0, type = 0;
	while (tc_field(t, &last, &id, &type)) {
		switch (id) {
		case 1: if (tc_want(t, type, TC_I32)) h->num_values = tc_i32(t); break;
		case 2: if (tc_want(t, type, TC_I32)) h->enc = tc_i32(t); break;
		case 3: if (tc_want(t, type, TC_I32)) h->def_enc = tc_i32(t); break;
		case 4: if (tc_want(t, type, TC_I32)) h->rep_enc = tc_i32(t); break;
		default: tc_skip(t, type);
		}
	}
}

static void parse_dict_header(struct tc *t, struct pq_page_header *h)
{
	int last = 0, id = 0, type = 0;
	while (tc_field(t, &last, &id, &type)) {
		if (id == 1 && tc_want(t, type, TC_I32))
			h->num_values = tc_i32(t);
		else if (id == 2 && tc_want(t, type, TC_I32))
			h->enc = tc_i32(t);
		else
			tc_skip(t, type);
	}
}

static void parse_data_header_v2(struct tc *t, struct pq_page_header *h)
{
	int last = 0, id = 0, type = 0;
	while (tc_field(t, &last, &id, &type)) {
		switch (id) {
		case 1: if (tc_want(t, type, TC_I32)) h->num_values = tc_i32(t); break;
		case 2: if (tc_want(t, type, TC_I32)) h->num_nulls = tc_i32(t); break;
		case 3: if (tc_want(t, type, TC_I32)) h->num_rows = tc_i32(t); break;
		case 4: if (tc_want(t, type, TC_I32)) h->enc = tc_i32(t); break;
		case 5: if (tc_want(t, type, TC_I32)) h->def_len = tc_i32(t); break;
		case 6: if (tc_want(t, type, TC_I32)) h->rep_len = tc_i32(t); break;
		case 7:
			if (type == TC_TRUE || type == TC_FALSE)
				h->is_compressed = type == TC_TRUE;
			else
				tc_want(t, type, TC_TRUE);
			break;
		default: tc_skip(t, type);
		}
	}
}

int pq_page_header_parse(struct pq_page_header *out, const uint8_t *p, size_t n,
	size_t *used, char *why, size_t whylen)
{
	struct tc t;
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.end = p + n;
	t.fd = -1;
	int last = 0, id = 0, type = 0, have = 0;

	memset(out, 0, sizeof(*out));
	out->type = -1;
	out->is_compressed = 1;
	while (tc_field(&t, &last, &id, &type)) {
		switch (id) {
		case 1: if (tc_want(&t, type, TC_I32)) out->type = tc_i32(&t); break;
		case 2: if (tc_want(&t, type, TC_I32)) out->usize = tc_i32(&t); break;
		case 3: if (tc_want(&t, type, TC_I32)) out->csize = tc_i32(&t); break;
		case 4:
			if (tc_want(&t, type, TC_I32)) {
				out->crc = (uint32_t)tc_i32(&t);
				out->has_crc = 1;
			}
			break;
		case 5:
			if (tc_want(&t, type, TC_STRUCT)) {
				parse_data_header(&t, out);
				have = 1;
			}
			break;
		case 7:
			if (tc_want(&t, type, TC_STRUCT)) {
				parse_dict_header(&t, out);
				have = 1;
			}
			break;
		case 8:
			if (tc_want(&t, type, TC_STRUCT)) {
				parse_data_header_v2(&t, out);
				have = 1;
			}
			break;
		default:
			tc_skip(&t, type);
		}
	}
	if (!t.bad && (out->usize < 0 || out->csize < 0 || out->num_values < 0 ||
	    out->def_len < 0 || out->rep_len < 0))
		t.bad = "negative size";
	if (!t.bad && out->type != PQ_INDEX_PAGE && !have)
		t.bad = "no page type header";
	if (t.bad) {
		snprintf(why, whylen, "bad page header: %s", t.bad);
		return -1;
	}
	*used = (size_t)(t.p - p);
	return 0;
}
