/*
 * hmap.h: a map from byte strings to dense indices 0, 1, 2, ... in
 * insertion order — the table rebill groups and aggregates with: the caller
 * keeps its values in an array indexed by what hmap_put returns. Keys are
 * copied; open addressing with linear probing, grown at half load. Hashes
 * with util/hash.h.
 *
 * Invariants: index i always names the i-th distinct key put; keys are
 * never removed; hmap_key(m, i) stays valid until hmap_free.
 */
#ifndef RB_HMAP_H
#define RB_HMAP_H

#include <stddef.h>

struct hmap;

struct hmap *hmap_new(void);
/* Frees m and its keys; accepts NULL. */
void hmap_free(struct hmap *m);

/* The index of key (len bytes, may hold NULs), inserting it with the next
 * index when new (*added = 1, else 0; added may be NULL). */
size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added);
/* The index of key, or (size_t)-1 when absent. */
size_t hmap_find(const struct hmap *m, const void *key, size_t len);
/* How many keys m holds. */
size_t hmap_count(const struct hmap *m);
/* The stored copy of the key with index i (NUL-terminated after its len
 * bytes); *len is set when len is not NULL. */
const char *hmap_key(const struct hmap *m, size_t i, size_t *len);

#define HMAP_NONE ((size_t)-1)

#endif
