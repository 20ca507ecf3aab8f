/* SPDX-License-Identifier: BSD-3-Clause */
#include "isn.h"

uint32_t
isn_make(const struct siphash_key *key, const struct flow4 *flow,
	 uint64_t usec)
{
	/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
	 * remoteport, secretkey), M a timer ticking every 4 microseconds. */
	uint64_t m0 = (uint64_t)flow->laddr | (uint64_t)flow->raddr << 32;
	uint64_t m1 = (uint64_t)flow->lport | (uint64_t)flow->rport << 16;

	return (uint32_t)(usec >> 2) + (uint32_t)siphash24_2u64(key, m0, m1);
}

uint32_t
isn_make6(const struct siphash_key *key, const struct flow6 *flow,
	  uint64_t usec)
{
	return (uint32_t)(usec >> 2) +
	       (uint32_t)siphash24(key, flow, sizeof(*flow));
}
