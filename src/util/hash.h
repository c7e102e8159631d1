/*
 * hash.h: the one hash function of rebill's in-memory tables — fast over
 * 8-byte words, well mixed in every bit (tables index with the low bits of
 * its value, some with a 32-bit truncation). For table lookups, not for
 * security. Inline: it runs once per CUR row in the import's hot loop.
 */
#ifndef RB_HASH_H
#define RB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 64-bit finalizer (MurmurHash3's fmix64 constants). */
static inline uint64_t rb_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The hash of n bytes at p. */
static inline uint64_t rb_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n, w;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	return rb_hash_mix(h ^ w);
}

#endif
