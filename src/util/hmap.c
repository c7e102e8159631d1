/*
 * hmap.c: see hmap.h. Entries keep the key's 32-bit hash, so probing and
 * growing compare and rehash nothing but on a hash match.
 */
#include "util/hmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CHUNK_SIZE (64 * 1024)

struct hmap_chunk {
	struct hmap_chunk *next;
	char data[];
};

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof(*m));
	m->mask = 255;
	m->slots = xcalloc((size_t)m->mask + 1, sizeof(uint32_t));
}

void hmap_release(struct hmap *m)
{
	struct hmap_chunk *c = m->chunks, *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	free(m->e);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

struct hmap *hmap_new(void)
{
	struct hmap *m = xmalloc(sizeof(*m));
	hmap_init(m);
	return m;
}

void hmap_free(struct hmap *m)
{
	if (!m)
		return;
	hmap_release(m);
	free(m);
}

static char *arena_alloc(struct hmap *m, size_t n)
{
	char *p;
	if (n > m->left) {
		size_t sz = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		struct hmap_chunk *c = xmalloc(sizeof(*c) + sz);
		c->next = m->chunks;
		m->chunks = c;
		m->bytes += sizeof(*c) + sz;
		if (sz != CHUNK_SIZE)
			return c->data;     /* a large key has its chunk to itself */
		m->cur = c->data;
		m->left = sz;
	}
	p = m->cur;
	m->cur += n;
	m->left -= n;
	return p;
}

static void grow(struct hmap *m)
{
	uint32_t mask = m->mask * 2 + 1, i;
	uint32_t *slots = xcalloc((size_t)mask + 1, sizeof(uint32_t));
	for (i = 0; i < m->n; i++) {
		uint32_t j = m->e[i].hash & mask;
		while (slots[j])
			j = (j + 1) & mask;
		slots[j] = i + 1;
	}
	free(m->slots);
	m->slots = slots;
	m->mask = mask;
}

/* The slot of key: its own, or the empty one where it would go. */
static uint32_t probe(const struct hmap *m, const void *key, size_t len, uint32_t h)
{
	uint32_t j = h & m->mask;
	for (; m->slots[j]; j = (j + 1) & m->mask) {
		const struct hmap_entry *e = &m->e[m->slots[j] - 1];
		if (e->hash == h && e->len == len && !memcmp(e->key, key, len))
			break;
	}
	return j;
}

size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added)
{
	uint32_t h = (uint32_t)rb_hash_bytes(key, len), j = probe(m, key, len, h);
	struct hmap_entry *e;
	char *copy;

	if (m->slots[j]) {
		if (added)
			*added = 0;
		return m->slots[j] - 1;
	}
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 256;
		m->e = xreallocarray(m->e, m->alloc, sizeof(*m->e));
	}
	copy = arena_alloc(m, len + 1);
	memcpy(copy, key, len);
	copy[len] = '\0';
	e = &m->e[m->n];
	e->key = copy;
	e->len = (uint32_t)len;
	e->hash = h;
	m->slots[j] = ++m->n;
	if ((uint64_t)m->n * 2 > m->mask)
		grow(m);
	if (added)
		*added = 1;
	return m->n - 1;
}

size_t hmap_find(const struct hmap *m, const void *key, size_t len)
{
	uint32_t j = probe(m, key, len, (uint32_t)rb_hash_bytes(key, len));
	return m->slots[j] ? m->slots[j] - 1 : HMAP_NONE;
}

size_t hmap_memory(const struct hmap *m)
{
	return m->bytes + m->alloc * sizeof(*m->e) + ((size_t)m->mask + 1) * sizeof(uint32_t);
}

size_t hmap_used(const struct hmap *m)
{
	return m->bytes + m->n * sizeof(*m->e) + ((size_t)m->mask + 1) * sizeof(uint32_t);
}
