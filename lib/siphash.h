/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * siphash — SipHash-2-4 (Aumasson & Bernstein), the keyed PRF syngate uses
 * for everything whose output reaches the wire from input an attacker
 * chooses: SYN cookies and RFC 6528 ISNs (the flow table, whose hash
 * nobody sees, uses NH: lib/flow.h).  Pure C, no EAL.
 */
#ifndef SG_SIPHASH_H
#define SG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0;
	uint64_t k1;
};

/* SipHash-2-4 of len bytes at data (any length, any alignment). */
uint64_t siphash24(const struct siphash_key *key, const void *data,
		   size_t len);

/*
 * SipHash-2-4 of exactly 16 bytes given as two little-endian 64-bit words:
 * the same value as siphash24() over those 16 bytes, without the generic
 * tail handling (the flow-table and cookie hot paths use it).
 */
uint64_t siphash24_2u64(const struct siphash_key *key, uint64_t m0,
			uint64_t m1);

/* Same, exactly 24 bytes as three little-endian words. */
uint64_t siphash24_3u64(const struct siphash_key *key, uint64_t m0,
			uint64_t m1, uint64_t m2);

/* Same, exactly 23 bytes: two words and the seven bytes in m2's low 56
 * bits (m2 < 2^56).  The seven share the last compression with the
 * length, so it costs what 16 bytes do: two SipRounds fewer than 24
 * (the cookie MAC's message, lib/cookie.c). */
uint64_t siphash24_23(const struct siphash_key *key, uint64_t m0,
		      uint64_t m1, uint64_t m2);

/* Fill a key from getrandom(2).  Returns 0 or -errno. */
int siphash_key_random(struct siphash_key *key);

/* Fill len bytes at p from getrandom(2) (any key material: the flow
 * table's hash key too).  Returns 0 or -errno. */
int sg_random_fill(void *p, size_t len);

#endif /* SG_SIPHASH_H */
