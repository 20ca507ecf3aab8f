/* SPDX-License-Identifier: BSD-3-Clause */
#include "isn.h"

/* RFC 6528 section 3's F(localip, localport, remoteip, remoteport,
 * secretkey), all 64 bits of it: the ISN takes the low half, the TSval
 * offset the high half (never on the wire as such). */
static uint64_t
isn_f(const struct siphash_key *key, unsigned family, const void *flow)
{
	const struct flow4 *f = flow;
	uint64_t m0, m1;

	if (family == 6)
		return siphash24(key, flow, sizeof(struct flow6));
	m0 = (uint64_t)f->laddr | (uint64_t)f->raddr << 32;
	m1 = (uint64_t)f->lport | (uint64_t)f->rport << 16;
	return siphash24_2u64(key, m0, m1);
}

uint32_t
isn_make_any(const struct siphash_key *key, unsigned family,
	     const void *flow, uint64_t usec, uint32_t *ts_off)
{
	uint64_t f = isn_f(key, family, flow);

	/* ISN = M + F, M a timer ticking every 4 microseconds. */
	if (ts_off != NULL)
		*ts_off = (uint32_t)(f >> 32);
	return (uint32_t)(usec >> 2) + (uint32_t)f;
}

uint32_t
isn_ts_offset(const struct siphash_key *key, unsigned family,
	      const void *flow)
{
	return (uint32_t)(isn_f(key, family, flow) >> 32);
}

uint32_t
isn_make(const struct siphash_key *key, const struct flow4 *flow,
	 uint64_t usec)
{
	return isn_make_any(key, 4, flow, usec, NULL);
}

uint32_t
isn_make6(const struct siphash_key *key, const struct flow6 *flow,
	  uint64_t usec)
{
	return isn_make_any(key, 6, flow, usec, NULL);
}
