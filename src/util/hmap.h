/*
 * hmap.h: THE hash map of rebill — byte strings to dense indices 0, 1, 2,
 * ... in insertion order. Callers keep their values in arrays indexed by
 * what hmap_put returns (the import's interned strings, the report's
 * aggregates, the invoice's line groups). Keys are copied into an arena of
 * 64 KiB chunks; open addressing with linear probing over 32-bit slots,
 * grown at half load; hashed with util/hash.h.
 *
 * Invariants: index i always names the i-th distinct key put; keys are
 * never removed; hmap_key(m, i) stays valid until hmap_release. At most
 * 2^32 - 2 keys.
 *
 * The struct is public so that a map can be embedded and its keys read
 * inline in hot loops: e[0..n) may be read directly (e[i].key, e[i].len);
 * every other field is the implementation's.
 */
#ifndef RB_HMAP_H
#define RB_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_entry {
	const char *key;       /* in the arena, NUL-terminated after len bytes */
	uint32_t len;
	uint32_t hash;
};

struct hmap_chunk;

struct hmap {
	struct hmap_entry *e;
	uint32_t n, alloc;
	uint32_t *slots;       /* index + 1; 0 = empty */
	uint32_t mask;         /* slots - 1, a power of two minus one */
	struct hmap_chunk *chunks;
	char *cur;             /* free space of the newest chunk */
	size_t left;
	size_t bytes;          /* arena bytes allocated */
};

void hmap_init(struct hmap *m);
/* Frees what m holds; m may be initialized again. */
void hmap_release(struct hmap *m);
/* A map of its own on the heap; hmap_free accepts NULL. */
struct hmap *hmap_new(void);
void hmap_free(struct hmap *m);

/* The index of key (len bytes, may hold NULs), inserting it with the next
 * index when new (*added = 1, else 0; added may be NULL). */
size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added);
/* The index of key, or HMAP_NONE when absent. */
size_t hmap_find(const struct hmap *m, const void *key, size_t len);
#define HMAP_NONE ((size_t)-1)

/* Bytes m has allocated, and of those the bytes in use. */
size_t hmap_memory(const struct hmap *m);
size_t hmap_used(const struct hmap *m);

/* How many keys m holds. */
static inline size_t hmap_count(const struct hmap *m)
{
	return m->n;
}

/* The stored copy of the key with index i; *len is set when len is not
 * NULL. */
static inline const char *hmap_key(const struct hmap *m, size_t i, size_t *len)
{
	if (len)
		*len = m->e[i].len;
	return m->e[i].key;
}

#endif
