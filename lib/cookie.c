/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies.
 *
 * The cookie is the ISN of our SYN-ACK (32 bits):
 *
 *   31                                   7 6     4 3     1 0
 *  +--------------------------------------+-------+-------+-+
 *  |              MAC (25 bits)           | t & 7 |  mss  |k|
 *  +--------------------------------------+-------+-------+-+
 *
 *   MAC  top 25 bits of SipHash-2-4 keyed with key[k] over the 4-tuple
 *        (for IPv6 the two full 128-bit addresses and the ports),
 *        the peer's ISN, the full time tick t, the MSS index and k;
 *   t    time tick, now_sec >> COOKIE_TICK_SHIFT (64 s); a cookie is
 *        accepted in its tick and the next one: it lives 64 to 128 s;
 *   mss  index in cookie_mss_table (FreeBSD's eight values);
 *   k    parity of the key that minted it: key[0] or key[1].  Rotation
 *        replaces the older key, so a cookie survives one rotation.
 *
 * When the SYN carried timestamps, the low 6 bits of our TSval carry what
 * the ISN has no room for (the ACK echoes them in TSecr):
 *   bits 5..2 the peer's window scale (15 = it sent none), bit 1
 *   SACK-permitted, bit 0 ECN requested.
 * As in Linux they are not covered by the MAC: only a peer that saw our
 * SYN-ACK can complete the handshake at all, and it chose those options in
 * its SYN anyway.  So an ACK whose timestamps a middlebox stripped still
 * completes -- with window scaling, SACK and timestamps off, as Linux does
 * -- instead of drawing a RST.  Without timestamps in the SYN these options
 * are lost, as with Linux cookies.
 *
 * Forging: for a given 4-tuple and sequence number a blind attacker must
 * hit a 25-bit MAC and one of the 2 valid tick values out of 8; the MSS
 * index and key bit are free but each is covered by the MAC.  A random
 * 32-bit ACK therefore validates with probability 2/8 * 2^-25 = 2^-27
 * (about 7.5e-9) per guess.  The ACK-flood path also only checks cookies
 * on a listener that sent cookies in the last 128 s.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "cookie.h"

const uint16_t cookie_mss_table[COOKIE_MSS_COUNT] = {
	216, 536, 1200, 1360, 1400, 1440, 1452, 1460,
};

#define COOKIE_MAC_BITS	(32 - COOKIE_TIME_BITS - COOKIE_MSS_BITS - 1)
#define TIME_SHIFT	(COOKIE_MSS_BITS + 1)
#define TIME_MASK	((1u << COOKIE_TIME_BITS) - 1)
#define MSS_MASK	(COOKIE_MSS_COUNT - 1)
#define TS_MASK		((1u << COOKIE_TS_BITS) - 1)
#define TS_NO_WSCALE	15u

unsigned
cookie_mss_index(uint16_t mss)
{
	unsigned i;

	for (i = COOKIE_MSS_COUNT - 1; i > 0; i--)
		if (cookie_mss_table[i] <= mss)
			return i;
	return 0;
}

/* The whole SipHash: its top COOKIE_MAC_BITS are the MAC, its low 32 bits
 * the connection's TSval offset (RFC 7323 5.4), never on the wire as
 * such, and the same wherever the cookie validates (fleet keys). */
static uint64_t
cookie_hash(const struct cookie_keys *k, unsigned family, const void *flow,
	    uint32_t irs, uint64_t t, unsigned mss_idx, unsigned parity)
{
	uint64_t m2 = (t & 0xffffffffffULL) | (uint64_t)mss_idx << 40 |
		      (uint64_t)parity << 48;
	uint64_t m0, m1, h;

	/* m2 fills 7 bytes (t's 40 bits, the MSS index, the key parity),
	 * and the message stops there: 23 bytes (IPv6: 47) cost one
	 * compression fewer than 24 (48), as SipHash packs a message's last
	 * seven bytes with its length. */
	if (family == 6) {
		/* flow6 (36 bytes) | irs | m2's 7: one 47-byte message. */
		uint8_t msg[sizeof(struct flow6) + 4 + 8];

		memcpy(msg, flow, sizeof(struct flow6));
		memcpy(msg + sizeof(struct flow6), &irs, 4);
		memcpy(msg + sizeof(struct flow6) + 4, &m2, 8);
		h = siphash24(&k->ck_key[parity], msg, sizeof(msg) - 1);
	} else {
		const struct flow4 *f = flow;

		m0 = (uint64_t)f->raddr | (uint64_t)f->laddr << 32;
		m1 = (uint64_t)f->rport | (uint64_t)f->lport << 16 |
		     (uint64_t)irs << 32;
		h = siphash24_23(&k->ck_key[parity], m0, m1, m2);
	}
	return h;
}

static inline uint32_t
mac_of(uint64_t h)
{
	return (uint32_t)(h >> (64 - COOKIE_MAC_BITS));
}

static uint32_t
cookie_assemble(uint32_t mac, uint64_t t, unsigned mss_idx, unsigned parity)
{
	return mac << (32 - COOKIE_MAC_BITS) |
	       (uint32_t)(t & TIME_MASK) << TIME_SHIFT |
	       (uint32_t)mss_idx << 1 | parity;
}

uint32_t
cookie_tsval(uint32_t ts_now, const struct cookie_opts *o)
{
	uint32_t bits = (o->has_ws ? RTE_MIN(o->wscale, 14u) :
			 TS_NO_WSCALE) << 2 |
			(o->sack_ok ? 2u : 0u) | (o->ecn ? 1u : 0u);

	/* Never ahead of the clock: later TSvals must not go back. */
	return ((ts_now & ~TS_MASK) - (TS_MASK + 1)) | bits;
}

static uint32_t
make_any(const struct cookie_keys *k, unsigned family, const void *flow,
	 uint32_t irs, uint64_t now_sec, struct cookie_opts *o,
	 uint32_t ts_now, uint32_t *tsval)
{
	uint64_t t = now_sec >> COOKIE_TICK_SHIFT;
	unsigned mss_idx = cookie_mss_index(o->mss);
	unsigned parity = k->ck_gen & 1;
	uint64_t h;

	RTE_BUILD_BUG_ON(RTE_DIM(cookie_mss_table) != COOKIE_MSS_COUNT);
	RTE_BUILD_BUG_ON(COOKIE_MAC_BITS != 25);
	h = cookie_hash(k, family, flow, irs, t, mss_idx, parity);
	o->ts_off = (uint32_t)h;
	if (o->has_ts)
		*tsval = cookie_tsval(ts_now + o->ts_off, o);
	return cookie_assemble(mac_of(h), t, mss_idx, parity);
}

uint32_t
cookie_make(const struct cookie_keys *k, const struct flow4 *flow,
	    uint32_t irs, uint64_t now_sec, struct cookie_opts *o,
	    uint32_t ts_now, uint32_t *tsval)
{
	return make_any(k, 4, flow, irs, now_sec, o, ts_now, tsval);
}

uint32_t
cookie_make6(const struct cookie_keys *k, const struct flow6 *flow,
	     uint32_t irs, uint64_t now_sec, struct cookie_opts *o,
	     uint32_t ts_now, uint32_t *tsval)
{
	return make_any(k, 6, flow, irs, now_sec, o, ts_now, tsval);
}

/* Verify cookie for (flow, irs) at now_sec: its MAC under the key it
 * names (or the grace key), at most COOKIE_MAX_AGE_TICKS old.  Returns the
 * whole hash in *h. */
static bool
verify(const struct cookie_keys *k, unsigned family, const void *flow,
       uint32_t irs, uint32_t cookie, uint64_t now_sec, uint64_t *h)
{
	uint64_t t_now = now_sec >> COOKIE_TICK_SHIFT, t;
	unsigned tlow = (cookie >> TIME_SHIFT) & TIME_MASK;
	unsigned mss_idx = (cookie >> 1) & MSS_MASK;
	unsigned parity = cookie & 1;
	unsigned age;

	/* The tick the cookie claims, at most COOKIE_MAX_AGE_TICKS old. */
	age = (unsigned)(t_now - tlow) & TIME_MASK;
	if (age > COOKIE_MAX_AGE_TICKS || age > t_now)
		return false;
	t = t_now - age;
	*h = cookie_hash(k, family, flow, irs, t, mss_idx, parity);
	if (mac_of(*h) != cookie >> (32 - COOKIE_MAC_BITS)) {
		/* Minted with a key a reload has just replaced (the
		 * current one or the previous epoch's)? */
		struct cookie_keys g;

		if (!k->ck_grace_valid)
			return false;
		g.ck_key[parity] = k->ck_grace[parity];
		*h = cookie_hash(&g, family, flow, irs, t, mss_idx, parity);
		if (mac_of(*h) != cookie >> (32 - COOKIE_MAC_BITS))
			return false;
	}
	return true;
}

uint32_t
cookie_ts_offset(const struct cookie_keys *k, unsigned family,
		 const void *flow, uint32_t irs, uint32_t cookie,
		 uint64_t now_sec)
{
	uint64_t h;

	return verify(k, family, flow, irs, cookie, now_sec, &h) ?
	       (uint32_t)h : 0;
}

static bool
check_any(const struct cookie_keys *k, unsigned family, const void *flow,
	  uint32_t seq, uint32_t ack, uint64_t now_sec, bool has_ts,
	  uint32_t tsecr, struct cookie_opts *o)
{
	uint32_t cookie = ack - 1;
	uint64_t h;

	if (!verify(k, family, flow, seq - 1, cookie, now_sec, &h))
		return false;
	memset(o, 0, sizeof(*o));
	o->ts_off = (uint32_t)h;
	o->mss = cookie_mss_table[(cookie >> 1) & MSS_MASK];
	if (has_ts) {
		unsigned ws = (tsecr >> 2) & 15;

		o->has_ts = true;
		o->has_ws = ws != TS_NO_WSCALE;
		o->wscale = (uint8_t)RTE_MIN(ws, 14u);
		o->sack_ok = tsecr & 2;
		o->ecn = tsecr & 1;
	}
	return true;
}

bool
cookie_check(const struct cookie_keys *k, const struct flow4 *flow,
	     uint32_t seq, uint32_t ack, uint64_t now_sec, bool has_ts,
	     uint32_t tsecr, struct cookie_opts *o)
{
	return check_any(k, 4, flow, seq, ack, now_sec, has_ts, tsecr, o);
}

bool
cookie_check6(const struct cookie_keys *k, const struct flow6 *flow,
	      uint32_t seq, uint32_t ack, uint64_t now_sec, bool has_ts,
	      uint32_t tsecr, struct cookie_opts *o)
{
	return check_any(k, 6, flow, seq, ack, now_sec, has_ts, tsecr, o);
}

int
cookie_keys_init(struct cookie_keys *k)
{
	int ret = siphash_key_random(&k->ck_key[0]);

	if (ret == 0)
		ret = siphash_key_random(&k->ck_key[1]);
	k->ck_gen = 0;
	k->ck_grace_valid = false;
	return ret;
}

int
cookie_keys_rotate(struct cookie_keys *k)
{
	int ret = siphash_key_random(&k->ck_key[(k->ck_gen + 1) & 1]);

	if (ret == 0)
		k->ck_gen++;
	k->ck_grace_valid = false;
	return ret;
}

void
cookie_key_derive(const uint8_t secret[COOKIE_SECRET_LEN], uint64_t epoch,
		  struct siphash_key *out)
{
	struct siphash_key k;
	uint64_t x0, x1;

	/* Secret bytes 0..15 key the PRF, 16..31 are mixed into its input:
	 * all 256 bits matter.  "cookie" separates this use. */
	memcpy(&k, secret, sizeof(k));
	memcpy(&x0, secret + 16, sizeof(x0));
	memcpy(&x1, secret + 24, sizeof(x1));
	out->k0 = siphash24_3u64(&k, 0x65696b6f6f63ULL, epoch, x0);
	out->k1 = siphash24_3u64(&k, 0x65696b6f6f63ULL | 1ULL << 56, epoch,
				 x1);
}

void
cookie_keys_set_epoch(struct cookie_keys *k,
		      const uint8_t secret[COOKIE_SECRET_LEN], uint64_t epoch)
{
	cookie_key_derive(secret, epoch, &k->ck_key[epoch & 1]);
	cookie_key_derive(secret, epoch - 1, &k->ck_key[(epoch - 1) & 1]);
	k->ck_gen = (uint32_t)epoch;
	k->ck_grace_valid = false;
}

void
cookie_keys_reload(struct cookie_keys *k,
		   const uint8_t secret[COOKIE_SECRET_LEN], uint64_t epoch)
{
	struct siphash_key old[2] = { k->ck_key[0], k->ck_key[1] };

	cookie_keys_set_epoch(k, secret, epoch);
	k->ck_grace[0] = old[0];
	k->ck_grace[1] = old[1];
	k->ck_grace_valid = true;
}
