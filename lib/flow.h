/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow — a worker's flow table: TCP 4-tuple -> half-open entry (the SYN
 * queue) or accepted connection.
 *
 * A worker has one table per address family it serves: IPv4 keys are a
 * struct flow4 (12 bytes), IPv6 keys a struct flow6 (36 bytes).  Two
 * tables rather than one with 36-byte keys keep the IPv4 path as fast and
 * as small as before (a 12-byte key hashes in two SipHash words and
 * compares in one vector load); the v6 table exists only when an IPv6
 * address is served.
 *
 * One DPDK rte_hash per worker (cuckoo, two candidate buckets of 8, bulk
 * lookup with prefetching), created without any concurrency flag: only
 * the owning worker reads or writes it, so no lock or atomic is taken.
 * The stored value is a pointer; bit 0 set marks a half-open entry
 * (struct synq_entry, 64-byte aligned), clear marks a struct sg_conn.
 *
 * The hash is keyed SipHash-2-4 of the 4-tuple with a per-worker random
 * key, so an attacker cannot aim spoofed SYNs at one bucket pair; and even
 * if he could, a cuckoo table bounds the damage to that pair (16 slots):
 * the insert fails, the SYN falls back to a cookie and is counted.
 * The table is sized 2 x (synq_size + conn_max) so that at full
 * occupancy it stays at or under 50 % load, where cuckoo inserts
 * practically never fail.
 */
#ifndef SG_FLOW_H
#define SG_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>

#include "pkt.h"
#include "siphash.h"

#define FLOW_TAG_SYNQ	1ul
#define FLOW_BULK_MAX	32	/* <= RTE_HASH_LOOKUP_BULK_MAX */

/* Changes remembered between flow_log_reset calls (one receive burst). */
#define FLOW_LOG_MAX	32

struct flow_table {
	struct rte_hash *ft_hash;
	struct siphash_key ft_key;
	uint32_t ft_entries;
	uint32_t ft_key_len;		/* sizeof flow4 or flow6 */
	/* The hashes flow_add and flow_del changed since the last
	 * flow_log_reset; ft_log_n counts past FLOW_LOG_MAX (to
	 * FLOW_LOG_MAX + 1), and then every hash counts as changed. */
	uint32_t ft_log_n;
	uint32_t ft_log[FLOW_LOG_MAX];
};

/* entries: table capacity; family 4 or 6 sets the key.  Returns 0 or
 * -errno. */
int flow_table_init(struct flow_table *ft, const char *name,
		    uint32_t entries, unsigned family, int socket);
void flow_table_fini(struct flow_table *ft);

/* key: a struct flow4 or flow6, as the table was made for. */
static inline uint32_t
flow_hash(const struct flow_table *ft, const void *key)
{
	const struct flow4 *f = key;
	uint64_t m0, m1;

	if (ft->ft_key_len != sizeof(struct flow4))
		return (uint32_t)siphash13(&ft->ft_key, key, ft->ft_key_len);
	m0 = (uint64_t)f->raddr | (uint64_t)f->laddr << 32;
	m1 = (uint64_t)f->rport | (uint64_t)f->lport << 16;
	return (uint32_t)siphash13_2u64(&ft->ft_key, m0, m1);
}

/*
 * Look up n (<= FLOW_BULK_MAX) keys with precomputed hashes; data[i] is the
 * stored value or NULL.
 */
void flow_lookup_bulk(const struct flow_table *ft, const void **keys,
		      uint32_t *sig, unsigned n, void **data);

/* One lookup; NULL on a miss. */
void *flow_lookup(const struct flow_table *ft, const void *key,
		  uint32_t sig);

/* Insert or replace key -> data.  Returns 0 or -ENOSPC. */
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

/* Keys in the table. */
uint32_t flow_count(const struct flow_table *ft);

#endif /* SG_FLOW_H */
