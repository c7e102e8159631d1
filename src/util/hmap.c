/*
 * hmap.c: see hmap.h. Slots hold index + 1 (0: empty) and the full hash,
 * so probing compares keys only on a hash match.
 */
#include "util/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct slot {
	size_t idx1;           /* index + 1; 0 = empty */
	uint64_t hash;
};

struct entry {
	char *key;
	size_t len;
};

struct hmap {
	struct slot *slots;
	size_t cap;            /* power of two */
	struct entry *e;
	size_t n, alloc;
};

struct hmap *hmap_new(void)
{
	struct hmap *m = xcalloc(1, sizeof(*m));
	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(m->slots[0]));
	return m;
}

void hmap_free(struct hmap *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->e[i].key);
	free(m->e);
	free(m->slots);
	free(m);
}

static void grow(struct hmap *m)
{
	size_t cap = m->cap * 2, i, j;
	struct slot *slots = xcalloc(cap, sizeof(slots[0]));
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].idx1)
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].idx1; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

/* The slot of key: its own, or the empty one where it would go. */
static size_t probe(const struct hmap *m, const void *key, size_t len, uint64_t h)
{
	size_t j;
	for (j = h & (m->cap - 1); m->slots[j].idx1; j = (j + 1) & (m->cap - 1)) {
		const struct entry *e = &m->e[m->slots[j].idx1 - 1];
		if (m->slots[j].hash == h && e->len == len && !memcmp(e->key, key, len))
			break;
	}
	return j;
}

size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added)
{
	uint64_t h = rb_hash_bytes(key, len);
	size_t j = probe(m, key, len, h);

	if (m->slots[j].idx1) {
		if (added)
			*added = 0;
		return m->slots[j].idx1 - 1;
	}
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 64;
		m->e = xreallocarray(m->e, m->alloc, sizeof(m->e[0]));
	}
	m->e[m->n].key = xmalloc(len + 1);
	memcpy(m->e[m->n].key, key, len);
	m->e[m->n].key[len] = '\0';
	m->e[m->n].len = len;
	m->slots[j].idx1 = m->n + 1;
	m->slots[j].hash = h;
	m->n++;
	if (m->n * 2 > m->cap)
		grow(m);
	if (added)
		*added = 1;
	return m->n - 1;
}

size_t hmap_find(const struct hmap *m, const void *key, size_t len)
{
	size_t j = probe(m, key, len, rb_hash_bytes(key, len));
	return m->slots[j].idx1 ? m->slots[j].idx1 - 1 : HMAP_NONE;
}

size_t hmap_count(const struct hmap *m)
{
	return m->n;
}

const char *hmap_key(const struct hmap *m, size_t i, size_t *len)
{
	if (len)
		*len = m->e[i].len;
	return m->e[i].key;
}
