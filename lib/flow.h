/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow — a worker's flow table: TCP 4-tuple -> half-open entry (the SYN
 * queue) or accepted connection.
 *
 * A worker has one table per address family it serves: IPv4 keys are a
 * struct flow4 (12 bytes), IPv6 keys a struct flow6 (36 bytes); the v6
 * table exists only when an IPv6 address is served.
 *
 * A bucketized cuckoo hash that stores no keys.  Every value it maps
 * (a half-open entry or a connection) holds its own 4-tuple, so a bucket
 * keeps a 16-bit tag of the hash and the value's pointer per slot, and a
 * tag match is confirmed against the key the value itself holds (the
 * table's key_of function finds it).  Six slots fill one 64-byte bucket:
 * 10.7 bytes per slot, against rte_hash's 32-byte key-store entry, 8-byte
 * bucket share and 4-byte free-ring slot per key (measured in
 * docs/benchmarks.md, "Memory"), and a hit touches the bucket and the
 * object the segment needs anyway, not a key-store line in between.
 * rte_hash was used until 2026-12-02 and passed over for that reason.
 *
 * Every key has two candidate buckets: the primary from the low bits of
 * its hash, the alternate from the primary and the tag (partial-key
 * cuckoo hashing: b2 = b1 ^ f(tag), so a stored entry can be moved to
 * its other bucket without its key).  A key goes to its primary bucket
 * when that has room, and every bucket counts the keys of its own that
 * had to go elsewhere (fb_displaced): a lookup that misses in the
 * primary bucket stops there when none did, so a miss -- every SYN of a
 * flood, every blind ACK -- reads one cache line, not two, and only the
 * primary bucket is prefetched.  An insert that finds both full
 * moves entries along a breadth-first path of at most FLOW_BFS_MAX
 * buckets; failing that it is refused (-ENOSPC) and the caller falls back
 * (a SYN to a cookie, counted).  Only the owning worker reads or writes a
 * table: no lock, no atomic.  The stored value is a pointer; bit 0 set
 * marks a half-open entry (struct synq_entry, 64-byte aligned), clear
 * marks a struct sg_conn.
 *
 * The hash is NH (the universal hash of UMAC: Black, Halevi, Krawczyk,
 * Krovetz, Rogaway, 1999) of the 4-tuple's 32-bit words under a random
 * key per table, then a fixed bijective mixer (flow_hash): two distinct
 * 4-tuples collide in its 64 bits with probability at most 2^-32 over
 * the key, whatever the attacker chose, and nothing on the wire depends
 * on it; so an attacker cannot aim spoofed SYNs at one bucket pair; and
 * even if he could, the pair holds 12 slots and no more: the insert
 * fails, the SYN falls back to a cookie and is counted
 * (docs/security.md).  It replaced SipHash-1-3 (2026-12-02), which cost
 * five times the instructions for a property the bounded buckets do not
 * need from a PRF.
 * The table is sized 2 x (synq_size + conn_max) slots so that at full
 * occupancy it stays at or under 50 % load, where cuckoo inserts
 * practically never fail.
 */
#ifndef SG_FLOW_H
#define SG_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "pkt.h"

#define FLOW_TAG_SYNQ	1ul
#define FLOW_BULK_MAX	32

#define FLOW_SLOTS	6	/* per 64-byte bucket */
#define FLOW_BFS_MAX	64	/* buckets an insert may search */

/* Changes remembered between flow_log_reset calls (one receive burst). */
#define FLOW_LOG_MAX	32

/* The flow hash's key: a 32-bit word per word of the longest key (a
 * flow6 is nine), and a tenth for the pad. */
#define FLOW_HKEY_WORDS	10

/* The key a mapped value holds (ctx: the table's key_ctx). */
typedef const void *(*flow_key_fn)(const void *ctx, const void *value);

struct flow_bucket {
	uint16_t fb_tag[FLOW_SLOTS];	/* hash >> 16 of the slot's key */
	uint8_t fb_used;		/* slots with a value */
	uint8_t fb_alt;			/* slots whose key's primary bucket
					 * is the other one (bit per slot) */
	/* Keys whose primary bucket this is, stored in their other one: a
	 * lookup that misses here reads the other bucket only when this is
	 * not 0.  Saturates (then stays): an over-count only costs a read. */
	uint16_t fb_displaced;
	void *fb_val[FLOW_SLOTS];	/* NULL: empty */
} __rte_cache_aligned;

#define FLOW_DISPLACED_MAX	UINT16_MAX

struct flow_table {
	struct flow_bucket *ft_bkt;
	uint32_t ft_mask;		/* buckets - 1 (a power of two) */
	uint32_t ft_alt_shift;		/* 32 - log2(buckets) */
	uint32_t ft_count;		/* keys mapped */
	uint32_t ft_key_len;		/* sizeof flow4 or flow6 */
	flow_key_fn ft_key_of;
	const void *ft_key_ctx;
	uint32_t ft_hkey[FLOW_HKEY_WORDS];	/* random, flow_table_init */
	uint64_t ft_moves;		/* entries moved to make room */
	/* The hashes flow_add and flow_del changed since the last
	 * flow_log_reset; ft_log_n counts past FLOW_LOG_MAX (to
	 * FLOW_LOG_MAX + 1), and then every hash counts as changed. */
	uint32_t ft_log_n;
	uint32_t ft_log[FLOW_LOG_MAX];
};

/* entries: slots at least (rounded up to whole buckets, a power of two of
 * them); family 4 or 6 sets the key; key_of(key_ctx, value) finds the key
 * a mapped value holds.  Returns 0 or -errno. */
int flow_table_init(struct flow_table *ft, const char *name,
		    uint32_t entries, unsigned family, int socket,
		    flow_key_fn key_of, const void *key_ctx);
void flow_table_fini(struct flow_table *ft);

/* The bytes of buckets flow_table_init allocates for `entries` slots. */
size_t flow_table_mem_size(uint32_t entries);

/* One NH term: the product of two key-added 32-bit words. */
static inline uint64_t
flow_nh(uint32_t a, uint32_t b, uint32_t ka, uint32_t kb)
{
	return (uint64_t)(uint32_t)(a + ka) * (uint32_t)(b + kb);
}

/* NH's low bits are weak (a product's lowest bit is an AND): mix all 64
 * into the 32 the table uses with MurmurHash3's finaliser, a bijection,
 * so collisions stay as rare as NH's. */
static inline uint32_t
flow_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* The hash of a struct flow6 (flow.c). */
uint32_t flow_hash6(const struct flow_table *ft, const struct flow6 *f);

/* key: a struct flow4 or flow6, as the table was made for.  NH sums
 * (w[2i] + k[2i]) * (w[2i+1] + k[2i+1]) over the key's 32-bit words
 * (the last pair padded with a zero word), mod 2^64. */
static inline uint32_t
flow_hash(const struct flow_table *ft, const void *key)
{
	const uint32_t *k = ft->ft_hkey;
	const struct flow4 *f = key;

	if (ft->ft_key_len != sizeof(struct flow4))
		return flow_hash6(ft, key);
	return flow_hash_mix(flow_nh(f->raddr, f->laddr, k[0], k[1]) +
			     flow_nh((uint32_t)f->rport |
				     (uint32_t)f->lport << 16, 0, k[2], k[3]));
}

/* The two candidate buckets of a hash. */
static inline uint32_t
flow_bucket1(const struct flow_table *ft, uint32_t sig)
{
	return sig & ft->ft_mask;
}

static inline uint32_t
flow_bucket_alt(const struct flow_table *ft, uint32_t b, uint16_t tag)
{
	uint32_t x = (uint32_t)(tag * 0x9e3779b1u) >> ft->ft_alt_shift;

	return (b ^ (x | 1u)) & ft->ft_mask;
}

static inline uint16_t
flow_tag(uint32_t sig)
{
	return (uint16_t)(sig >> 16);
}

/* Start loading the bucket a key of hash sig is looked for in first. */
static inline void
flow_prefetch(const struct flow_table *ft, uint32_t sig)
{
	rte_prefetch0(&ft->ft_bkt[flow_bucket1(ft, sig)]);
}

/*
 * Look up n (<= FLOW_BULK_MAX) keys with precomputed hashes; data[i] is the
 * stored value or NULL.  The primary buckets of all n are prefetched
 * first, so their misses overlap one another.  (Prefetching each as its
 * key is hashed, during the parse, was measured slower: 2026-12-02,
 * syn_stateful 1.9x the cycles with a 4 Mi-entry table, the bucket
 * misses competing with the frames' own; docs/benchmarks.md.)
 */
void flow_lookup_bulk(const struct flow_table *ft, const void **keys,
		      uint32_t *sig, unsigned n, void **data);

/* One lookup; NULL on a miss. */
void *flow_lookup(const struct flow_table *ft, const void *key,
		  uint32_t sig);

/* Insert or replace key -> data (data != NULL, and holding key by the time
 * the table is next searched).  Returns 0 or -ENOSPC: both buckets full
 * and no path of moves frees a slot. */
int flow_add(struct flow_table *ft, const void *key, uint32_t sig,
	     void *data);

/* Remove key.  Returns 0 or -ENOENT. */
int flow_del(struct flow_table *ft, const void *key, uint32_t sig);

/*
 * The change log.  A receive burst looks its segments up in bulk before
 * it runs any of them; a segment that adds or removes a mapping (a SYN,
 * a promotion, a close) or frees another flow's state to make room (a
 * recycled TIME-WAIT) makes the bulk results of the burst's later
 * segments of that flow stale, and a stale result may point at an object
 * already given back or handed to another flow.  Every flow_add and
 * flow_del logs its hash, whoever calls it; the burst looks a segment up
 * again when its hash was logged since the burst began.
 */
static inline void
flow_log_reset(struct flow_table *ft)
{
	ft->ft_log_n = 0;
}

static inline void
flow_log_note(struct flow_table *ft, uint32_t sig)
{
	if (ft->ft_log_n < FLOW_LOG_MAX)
		ft->ft_log[ft->ft_log_n] = sig;
	if (ft->ft_log_n <= FLOW_LOG_MAX)
		ft->ft_log_n++;
}

/* Whether a mapping with hash sig may have changed since the reset. */
static inline bool
flow_log_seen(const struct flow_table *ft, uint32_t sig)
{
	uint32_t i;

	if (ft->ft_log_n > FLOW_LOG_MAX)
		return true;
	for (i = 0; i < ft->ft_log_n; i++)
		if (ft->ft_log[i] == sig)
			return true;
	return false;
}

/*
 * Check the table's bookkeeping against what it holds (tests, and the
 * invariant checks of an asserts build; it hashes every key): each
 * value's tag and bucket follow from its key's hash, fb_used and fb_alt
 * match the slots, each bucket's fb_displaced counts exactly its keys
 * stored in their other bucket (at least that many once saturated), and
 * ft_count the values.  Returns 0, -EFAULT (a value in neither of its
 * buckets), -EBADSLT (slot counts or flags), -ERANGE (a displaced count)
 * or -ENOMEM.
 */
int flow_check(const struct flow_table *ft);

/* Keys in the table. */
static inline uint32_t
flow_count(const struct flow_table *ft)
{
	return ft->ft_count;
}

/* Walk every mapped value: *it starts at 0.  Returns the next value, or
 * NULL at the end.  The table must not change during the walk. */
void *flow_iterate(const struct flow_table *ft, uint32_t *it);

#endif /* SG_FLOW_H */
