/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4, from the paper (Aumasson & Bernstein, "SipHash: a fast
 * short-input PRF", 2012): 2 compression rounds per 8-byte word,
 * 4 finalisation rounds, 64-bit output.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void
sip_round(struct sip *s)
{
	s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline void
sip_init(struct sip *s, const struct siphash_key *k)
{
	s->v0 = 0x736f6d6570736575ULL ^ k->k0;
	s->v1 = 0x646f72616e646f6dULL ^ k->k1;
	s->v2 = 0x6c7967656e657261ULL ^ k->k0;
	s->v3 = 0x7465646279746573ULL ^ k->k1;
}

/* One message word, c compression rounds (a constant after inlining). */
static inline void
sip_word(struct sip *s, uint64_t m, unsigned c)
{
	unsigned i;

	s->v3 ^= m;
#pragma GCC unroll 4
	for (i = 0; i < c; i++)
		sip_round(s);
	s->v0 ^= m;
}

/* d finalisation rounds; the 64-bit result. */
static inline uint64_t
sip_final(struct sip *s, unsigned d)
{
	unsigned i;

	s->v2 ^= 0xff;
#pragma GCC unroll 4
	for (i = 0; i < d; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return v;
#else
	return __builtin_bswap64(v);
#endif
}

/* SipHash-c-d of len bytes at data. */
static inline uint64_t
sip_bytes(const struct siphash_key *key, const void *data, size_t len,
	  unsigned c, unsigned d)
{
	const uint8_t *p = data;
	const uint8_t *end = p + (len & ~(size_t)7);
	uint64_t b = (uint64_t)len << 56;
	struct sip s;

	sip_init(&s, key);
	for (; p != end; p += 8)
		sip_word(&s, load_le64(p), c);
	switch (len & 7) {
	case 7: b |= (uint64_t)p[6] << 48; /* fall through */
	case 6: b |= (uint64_t)p[5] << 40; /* fall through */
	case 5: b |= (uint64_t)p[4] << 32; /* fall through */
	case 4: b |= (uint64_t)p[3] << 24; /* fall through */
	case 3: b |= (uint64_t)p[2] << 16; /* fall through */
	case 2: b |= (uint64_t)p[1] << 8;  /* fall through */
	case 1: b |= (uint64_t)p[0];
	}
	sip_word(&s, b, c);
	return sip_final(&s, d);
}

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	return sip_bytes(key, data, len, 2, 4);
}

/* SipHash-2-4 of two little-endian words and a last one: the message's
 * length in its top byte, up to seven more bytes below it. */
static inline uint64_t
sip_2u64_last(const struct siphash_key *key, uint64_t m0, uint64_t m1,
	      uint64_t last)
{
	struct sip s;

	sip_init(&s, key);
	sip_word(&s, m0, 2);
	sip_word(&s, m1, 2);
	sip_word(&s, last, 2);
	return sip_final(&s, 4);
}

uint64_t
siphash24_2u64(const struct siphash_key *key, uint64_t m0, uint64_t m1)
{
	return sip_2u64_last(key, m0, m1, 16ULL << 56);
}

uint64_t
siphash24_3u64(const struct siphash_key *key, uint64_t m0, uint64_t m1,
	       uint64_t m2)
{
	struct sip s;

	sip_init(&s, key);
	sip_word(&s, m0, 2);
	sip_word(&s, m1, 2);
	sip_word(&s, m2, 2);
	sip_word(&s, 24ULL << 56, 2);
	return sip_final(&s, 4);
}

uint64_t
siphash24_23(const struct siphash_key *key, uint64_t m0, uint64_t m1,
	     uint64_t m2)
{
	return sip_2u64_last(key, m0, m1, m2 | 23ULL << 56);
}

int
siphash_key_random(struct siphash_key *key)
{
	return sg_random_fill(key, sizeof(*key));
}

int
sg_random_fill(void *dst, size_t len)
{
	uint8_t *p = dst;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(p + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}
