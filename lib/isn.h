/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isn — initial sequence numbers for stateful handshakes, RFC 6528:
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * with M a 4 microsecond clock and F keyed SipHash-2-4.  Pure C.
 */
#ifndef SG_ISN_H
#define SG_ISN_H

#include <stdint.h>

#include "pkt.h"
#include "siphash.h"

/* usec: a monotonic microsecond clock; M = usec / 4 (RFC 793's 4 us tick). */
uint32_t isn_make(const struct siphash_key *key, const struct flow4 *flow,
		  uint64_t usec);
/* The same over an IPv6 4-tuple (all 36 bytes of the flow key). */
uint32_t isn_make6(const struct siphash_key *key, const struct flow6 *flow,
		   uint64_t usec);

/*
 * Either family (flow: a flow4 or flow6), and the connection's TSval offset
 * (RFC 7323 5.4: per connection, so TSvals reveal neither the host's clock
 * nor which connections share it) from the other half of the same hash:
 * no extra hashing per SYN.
 */
uint32_t isn_make_any(const struct siphash_key *key, unsigned family,
		      const void *flow, uint64_t usec, uint32_t *ts_off);

/* The TSval offset isn_make_any gave for that flow. */
uint32_t isn_ts_offset(const struct siphash_key *key, unsigned family,
		       const void *flow);

#endif /* SG_ISN_H */
