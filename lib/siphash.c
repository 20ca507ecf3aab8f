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

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

#define SIP_INIT(k) \
	uint64_t v0 = 0x736f6d6570736575ULL ^ (k)->k0; \
	uint64_t v1 = 0x646f72616e646f6dULL ^ (k)->k1; \
	uint64_t v2 = 0x6c7967656e657261ULL ^ (k)->k0; \
	uint64_t v3 = 0x7465646279746573ULL ^ (k)->k1

#define SIP_WORD(m) do { \
	v3 ^= (m); \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
	v0 ^= (m); \
} while (0)

#define SIP_FINAL() do { \
	v2 ^= 0xff; \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
} while (0)

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

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	const uint8_t *end = p + (len & ~(size_t)7);
	uint64_t b = (uint64_t)len << 56, m;
	SIP_INIT(key);

	for (; p != end; p += 8) {
		m = load_le64(p);
		SIP_WORD(m);
	}
	switch (len & 7) {
	case 7: b |= (uint64_t)p[6] << 48; /* fall through */
	case 6: b |= (uint64_t)p[5] << 40; /* fall through */
	case 5: b |= (uint64_t)p[4] << 32; /* fall through */
	case 4: b |= (uint64_t)p[3] << 24; /* fall through */
	case 3: b |= (uint64_t)p[2] << 16; /* fall through */
	case 2: b |= (uint64_t)p[1] << 8;  /* fall through */
	case 1: b |= (uint64_t)p[0];
	}
	SIP_WORD(b);
	SIP_FINAL();
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
siphash24_2u64(const struct siphash_key *key, uint64_t m0, uint64_t m1)
{
	SIP_INIT(key);

	SIP_WORD(m0);
	SIP_WORD(m1);
	SIP_WORD(16ULL << 56);
	SIP_FINAL();
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
siphash24_3u64(const struct siphash_key *key, uint64_t m0, uint64_t m1,
	       uint64_t m2)
{
	SIP_INIT(key);

	SIP_WORD(m0);
	SIP_WORD(m1);
	SIP_WORD(m2);
	SIP_WORD(24ULL << 56);
	SIP_FINAL();
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-1-3: one compression round per word, three to finalise. */
#define SIP13_WORD(m) do { \
	v3 ^= (m); \
	SIPROUND(v0, v1, v2, v3); \
	v0 ^= (m); \
} while (0)

#define SIP13_FINAL() do { \
	v2 ^= 0xff; \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
	SIPROUND(v0, v1, v2, v3); \
} while (0)

uint64_t
siphash13(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	const uint8_t *end = p + (len & ~(size_t)7);
	uint64_t b = (uint64_t)len << 56, m;
	SIP_INIT(key);

	for (; p != end; p += 8) {
		m = load_le64(p);
		SIP13_WORD(m);
	}
	switch (len & 7) {
	case 7: b |= (uint64_t)p[6] << 48; /* fall through */
	case 6: b |= (uint64_t)p[5] << 40; /* fall through */
	case 5: b |= (uint64_t)p[4] << 32; /* fall through */
	case 4: b |= (uint64_t)p[3] << 24; /* fall through */
	case 3: b |= (uint64_t)p[2] << 16; /* fall through */
	case 2: b |= (uint64_t)p[1] << 8;  /* fall through */
	case 1: b |= (uint64_t)p[0];
	}
	SIP13_WORD(b);
	SIP13_FINAL();
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
siphash13_2u64(const struct siphash_key *key, uint64_t m0, uint64_t m1)
{
	SIP_INIT(key);

	SIP13_WORD(m0);
	SIP13_WORD(m1);
	SIP13_WORD(16ULL << 56);
	SIP13_FINAL();
	return v0 ^ v1 ^ v2 ^ v3;
}

int
siphash_key_random(struct siphash_key *key)
{
	uint8_t *p = (uint8_t *)key;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*key)) {
		n = getrandom(p + got, sizeof(*key) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}
