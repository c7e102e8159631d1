/*
 * pq_int.h: the Parquet file metadata rebill reads (private to src/ingest;
 * parquet.c and the unit tests use it). pq_thrift.c decodes it from the
 * Thrift compact protocol of the footer and the page headers; the field
 * numbers and enum values are those of parquet-format's parquet.thrift.
 *
 * Invariants after a successful pq_meta_parse: every count matches its
 * array, every string is NUL-terminated, sizes and offsets are >= 0. Nothing
 * is checked against the file size here (parquet.c does that).
 */
#ifndef RB_PQ_INT_H
#define RB_PQ_INT_H

#include <stddef.h>
#include <stdint.h>

/* physical types */
enum { PQ_BOOLEAN, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE, PQ_BYTE_ARRAY,
	PQ_FIXED_LEN_BYTE_ARRAY };
/* repetition */
enum { PQ_REQUIRED, PQ_OPTIONAL, PQ_REPEATED };
/* converted types (legacy logical types) rebill looks at */
enum { PQ_CT_UTF8 = 0, PQ_CT_MAP = 1, PQ_CT_MAP_KEY_VALUE = 2, PQ_CT_LIST = 3,
	PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6, PQ_CT_TIMESTAMP_MILLIS = 9,
	PQ_CT_TIMESTAMP_MICROS = 10 };
/* encodings */
enum { PQ_PLAIN = 0, PQ_PLAIN_DICTIONARY = 2, PQ_RLE = 3, PQ_BIT_PACKED = 4,
	PQ_DELTA_BINARY_PACKED = 5, PQ_DELTA_LENGTH_BYTE_ARRAY = 6, PQ_DELTA_BYTE_ARRAY = 7,
	PQ_RLE_DICTIONARY = 8, PQ_BYTE_STREAM_SPLIT = 9 };
/* codecs */
enum { PQ_UNCOMPRESSED = 0, PQ_SNAPPY = 1, PQ_GZIP = 2, PQ_ZSTD = 6 };
/* page types */
enum { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };

/* What a value means, from LogicalType or else ConvertedType. */
enum pq_kind {
	PQK_PLAIN,       /* as the physical type says */
	PQK_DECIMAL,     /* scale in pq_schema_el.scale */
	PQK_DATE,        /* INT32 days since 1970-01-01 */
	PQK_TS_MILLIS, PQK_TS_MICROS, PQK_TS_NANOS,   /* INT64 since the epoch, UTC */
};

struct pq_schema_el {
	char *name;
	int has_type;           /* a leaf */
	int type;
	int32_t type_length;
	int repetition;
	int32_t num_children;
	int converted;          /* -1 when absent */
	int32_t scale, precision;
	enum pq_kind kind;
	int logical_map, logical_list;
};

struct pq_chunk_meta {
	int type;
	int codec;
	int64_t num_values;     /* level entries (values and nulls) */
	int64_t data_off;
	int64_t dict_off;       /* 0 when absent */
	int64_t total_compressed;
};

struct pq_rowgroup_meta {
	int64_t num_rows;
	size_t ncols;
	struct pq_chunk_meta *cols;
};

struct pq_meta {
	int64_t num_rows;
	size_t nschema;
	struct pq_schema_el *schema;   /* depth first; [0] is the root */
	size_t nrg;
	struct pq_rowgroup_meta *rg;
};

struct pq_page_header {
	int type;
	int32_t usize, csize;    /* uncompressed and compressed page sizes */
	int32_t num_values;      /* data pages: level entries; dictionary: values */
	int enc;                 /* values encoding */
	int def_enc, rep_enc;    /* v1 level encodings */
	int32_t num_nulls, num_rows, def_len, rep_len;   /* v2 */
	int is_compressed;       /* v2, default 1 */
	int has_crc;
	uint32_t crc;            /* CRC-32 of the page data as stored */
};

/* Decodes FileMetaData from the n bytes at p. Returns 0, or -1 with a
 * short reason in why (e.g. "truncated metadata"). Unknown fields are
 * skipped. */
int pq_meta_parse(struct pq_meta *out, const uint8_t *p, size_t n, char *why, size_t whylen);
/* As pq_meta_parse over the n bytes at offset off of the file open at fd,
 * read through a 256 KiB window: a footer of many megabytes (DuckDB writes
 * ~7 KiB of statistics per column chunk) costs no more memory than that.
 * A read failure is a "read failed" reason. */
int pq_meta_parse_fd(struct pq_meta *out, int fd, uint64_t off, uint64_t n, char *why,
	size_t whylen);
void pq_meta_release(struct pq_meta *m);

/* Decodes a PageHeader at the start of the n bytes at p, setting *used to
 * its length. Returns 0, or -1 with a reason in why. */
int pq_page_header_parse(struct pq_page_header *out, const uint8_t *p, size_t n,
	size_t *used, char *why, size_t whylen);

/* For unit tests: decodes count values of a column of physical type `type`
 * (type_length for FIXED_LEN_BYTE_ARRAY, kind and scale as its schema would
 * say) stored with encoding enc (not a dictionary one) in the n bytes at p,
 * and calls fn with the text of each, as cells get it. Returns 0 or -1. */
int pq_decode_for_test(int type, int32_t type_length, enum pq_kind kind, int32_t scale, int enc,
	const uint8_t *p, size_t n, size_t count,
	void (*fn)(void *arg, const char *s, size_t len), void *arg);

/* For unit tests: decode rows `rows` at a time (at most the built-in
 * batch; 0: row by row, as when a MAP or LIST column is projected), before
 * the first pq_reader_next. Both ways must give the same rows and errors. */
struct pq_reader;
void pq_reader_batch_for_test(struct pq_reader *r, size_t rows);
/* Whether top-level column i is a flat column (one leaf, not repeated). */
int pq_reader_is_flat_for_test(const struct pq_reader *r, size_t i);

#endif
