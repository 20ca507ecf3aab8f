/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cookie — stateless SYN cookies (RFC 4987 section 3.6), keyed SipHash-2-4.
 *
 * Pure functions over a flow and a key set; no EAL, no mbuf.
 * The bit layout, the timestamp encoding and the forgery bound are described
 * in the block comment at the top of cookie.c.
 */
#ifndef SG_COOKIE_H
#define SG_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "siphash.h"

/* MSS values a cookie can carry (index in 3 bits). */
#define COOKIE_MSS_BITS		3
#define COOKIE_MSS_COUNT	(1u << COOKIE_MSS_BITS)
extern const uint16_t cookie_mss_table[COOKIE_MSS_COUNT];

/* Time counter: one tick per COOKIE_TICK_SEC seconds, 3 bits in the ISN. */
#define COOKIE_TICK_SHIFT	6	/* 64 s */
#define COOKIE_TICK_SEC		(1u << COOKIE_TICK_SHIFT)
#define COOKIE_TIME_BITS	3
/* A cookie is valid in the tick it was minted and the next one:
 * 64..128 s of life (Linux allows 2 minutes, MAX_SYNCOOKIE_AGE). */
#define COOKIE_MAX_AGE_TICKS	1

/*
 * Keys: slot (gen & 1) is current; the other one is the previous key,
 * still accepted.  Cookies carry the parity of the key that minted them.
 * The main lcore rotates (writes the older slot, then bumps gen); a worker
 * copies the set when it sees a new gen, so workers never read a key while
 * it is written.
 */
struct cookie_keys {
	struct siphash_key ck_key[2];
	struct siphash_key ck_grace[2];	/* the pair a reload replaced,
					   accepted until the next rotation */
	uint32_t ck_gen;	/* current slot = ck_gen & 1 */
	bool ck_grace_valid;
};

/* Fleet mode: the key of time epoch n (now_sec / COOKIE_TICK_SEC) is
 * derived from a 32-byte secret the fleet shares, so every host holds the
 * same pair at the same time without talking to the others. */
#define COOKIE_SECRET_LEN	32
void cookie_key_derive(const uint8_t secret[COOKIE_SECRET_LEN],
		       uint64_t epoch, struct siphash_key *out);

/* Fleet mode: the pair for epoch n -- current slot (n & 1) = key(n),
 * previous = key(n - 1) -- and no grace key. */
void cookie_keys_set_epoch(struct cookie_keys *k,
			   const uint8_t secret[COOKIE_SECRET_LEN],
			   uint64_t epoch);

/* Fleet mode: a new secret at epoch n.  As cookie_keys_set_epoch, and the
 * pair it replaces (this epoch's and the previous one's) stays accepted
 * (grace) until the next epoch, so cookies in flight still validate. */
void cookie_keys_reload(struct cookie_keys *k,
			const uint8_t secret[COOKIE_SECRET_LEN],
			uint64_t epoch);

/* What a SYN asked for, carried through the cookie. */
struct cookie_opts {
	uint16_t mss;		/* peer MSS (rounded down to a table value) */
	uint8_t wscale;		/* peer shift, valid if has_ws */
	bool has_ws;
	bool sack_ok;
	bool has_ts;
	bool ecn;		/* the SYN asked for ECN (ECE+CWR) */
	uint32_t ts_off;	/* out: the connection's TSval offset */
};

/* Index of the largest table MSS <= mss (0 when mss is below them all). */
unsigned cookie_mss_index(uint16_t mss);

/*
 * Mint a cookie ISN for a SYN from `flow` with sequence number `irs`,
 * at time `now_sec` (any monotonic seconds clock shared by the checker).
 * Sets o->ts_off, the connection's TSval offset (the low half of the
 * cookie's hash).  When o->has_ts, *tsval receives the TSval to put in the
 * SYN-ACK: `ts_now` (a ms clock) + that offset, its low COOKIE_TS_BITS
 * bits carrying wscale/SACK/ECN (never running ahead).  Returns the ISN.
 */
uint32_t cookie_make(const struct cookie_keys *k, const struct flow4 *flow,
		     uint32_t irs, uint64_t now_sec, struct cookie_opts *o,
		     uint32_t ts_now, uint32_t *tsval);

/* The same for an IPv6 flow: the MAC covers both 128-bit addresses. */
uint32_t cookie_make6(const struct cookie_keys *k, const struct flow6 *flow,
		      uint32_t irs, uint64_t now_sec, struct cookie_opts *o,
		      uint32_t ts_now, uint32_t *tsval);

/* The TSval offset of a valid cookie ISN for (flow, irs) -- flow a flow4
 * or a flow6 by family -- as cookie_make set it (0 if it is not valid). */
uint32_t cookie_ts_offset(const struct cookie_keys *k, unsigned family,
			  const void *flow, uint32_t irs, uint32_t cookie,
			  uint64_t now_sec);

/* Bits of TSval that carry options. */
#define COOKIE_TS_BITS	6

/* The TSval of a SYN-ACK at ts_now whose low COOKIE_TS_BITS carry o's
 * window scale, SACK and ECN (never ahead of ts_now). */
uint32_t cookie_tsval(uint32_t ts_now, const struct cookie_opts *o);

/*
 * Check the ACK of a cookie handshake: `ack` is the segment's ACK field
 * (cookie + 1), `seq` its sequence number (irs + 1); has_ts/tsecr from the
 * ACK's timestamp option.  On success fills *o and returns true: the MSS
 * from the cookie, the other options from TSecr when the ACK has
 * timestamps, else none (a middlebox stripped them).
 */
bool cookie_check(const struct cookie_keys *k, const struct flow4 *flow,
		  uint32_t seq, uint32_t ack, uint64_t now_sec,
		  bool has_ts, uint32_t tsecr, struct cookie_opts *o);
bool cookie_check6(const struct cookie_keys *k, const struct flow6 *flow,
		   uint32_t seq, uint32_t ack, uint64_t now_sec,
		   bool has_ts, uint32_t tsecr, struct cookie_opts *o);

/* Fill both keys from getrandom(2), gen 0.  Returns 0 or -errno. */
int cookie_keys_init(struct cookie_keys *k);

/* Replace the previous key with a fresh random one and make it current. */
int cookie_keys_rotate(struct cookie_keys *k);

#endif /* SG_COOKIE_H */
