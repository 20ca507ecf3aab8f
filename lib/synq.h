/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synq — the half-open table (the SYN queue) of one worker.
 *
 * Entries live in one array of `sq_cap` 64-byte entries, allocated at
 * start and never grown: an attacker can fill it, not enlarge it.
 * Memory: 64 B per entry + 4 B free-stack slot, plus the entry's share of
 * the flow table (see flow.h and docs/architecture.md for the measured
 * total).  Lookup is through the worker's flow table (tagged pointer);
 * allocation is a free stack of indices, O(1), no atomics.
 *
 * IPv6 entries keep their 4-tuple (36 bytes, too big for the line) in a
 * side array indexed like the entries, allocated only when an IPv6
 * address is served: 36 B more per entry then.
 *
 * rte_mempool was passed over for the entries: its per-object header and
 * cache-line rounding make a 64-byte object cost 128 bytes, and a LIFO
 * index stack owned by one thread needs none of its multi-thread
 * machinery.
 */
#ifndef SG_SYNQ_H
#define SG_SYNQ_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "flow.h"
#include "pkt.h"
#include "timer.h"

/* se_flags */
#define SE_WSCALE	0x01	/* peer sent window scale */
#define SE_SACK		0x02	/* peer sent SACK-permitted */
#define SE_TS		0x04	/* peer sent timestamps */
#define SE_ECN		0x08	/* peer asked for ECN */
#define SE_COOKIE	0x10	/* describes a cookie handshake (never in
				   the table, built on the stack) */
#define SE_MSS		0x20	/* peer sent an MSS option */
#define SE_V6		0x40	/* IPv6: the 4-tuple is in sq_flow6[] */
#define SE_CKISN	0x80	/* our ISN is a SYN cookie (and the TSval
				   carries the options), so the ACK still
				   completes if the entry is dropped */

/* Timer kinds (tn_kind) on a worker's wheel. */
#define TK_SYNACK	1

/* One half-open connection: what the SYN negotiated and where to answer. */
struct synq_entry {
	struct timer_node se_timer;	/* SYN-ACK retransmission */
	struct flow4 se_flow;		/* network order (IPv6: ports) */
	uint32_t se_iss;		/* our ISN (RFC 6528) */
	uint32_t se_irs;		/* the peer's ISN */
	uint32_t se_ts_recent;		/* peer TSval from the SYN */
	uint8_t se_peer_mac[6];		/* L2 source of the SYN */
	uint16_t se_mss;		/* peer MSS, host order */
	uint16_t se_peer_win;		/* SYN window (never scaled) */
	uint8_t se_wscale;		/* peer shift, valid with SE_WSCALE */
	uint8_t se_flags;		/* SE_* */
	uint8_t se_retries;		/* SYN-ACKs retransmitted so far */
	uint8_t se_listener;		/* listener id */
	uint8_t se_port;		/* index of the worker's port */
	uint8_t se_live;		/* in use: mapped, not on the free
					   stack (checked, lib/invariant.h) */
} __rte_aligned(64);

struct synq {
	struct synq_entry *sq_entries;	/* sq_cap entries */
	uint32_t *sq_free;		/* stack of free indices */
	struct flow6 *sq_flow6;		/* IPv6 4-tuples, or NULL */
	uint32_t sq_nfree;
	uint32_t sq_cap;
};

/* Allocate cap entries on NUMA socket `socket` (and the IPv6 side array
 * when v6).  Returns 0 or -ENOMEM. */
int synq_init(struct synq *q, uint32_t cap, bool v6, int socket);
void synq_fini(struct synq *q);

/* The bytes of the arrays synq_init allocates (its heap's slack apart). */
size_t synq_mem_size(uint32_t cap, bool v6);

static inline uint32_t
synq_used(const struct synq *q)
{
	return q->sq_cap - q->sq_nfree;
}

/* The address family of e's flow: 4 or 6. */
static inline unsigned
synq_entry_family(const struct synq_entry *e)
{
	return (e->se_flags & SE_V6) ? 6 : 4;
}

/* The flow-table key of e: a struct flow4 or flow6. */
static inline const void *
synq_key(const struct synq *q, const struct synq_entry *e)
{
	if (e->se_flags & SE_V6)
		return &q->sq_flow6[e - q->sq_entries];
	return &e->se_flow;
}

/*
 * Take a free entry and map key (a flow4, or a flow6 when family is 6)
 * -> it in ft (sig = flow_hash of key).  The entry is zeroed but for
 * se_flow, SE_V6 and an unarmed timer.  Returns the
 * entry, or NULL: *err = -ENOSPC when the table is full, -EBUSY when the
 * flow table refused the key (bucket pair full).
 */
struct synq_entry *synq_insert(struct synq *q, struct flow_table *ft,
			       unsigned family, const void *key, uint32_t sig,
			       int *err);

/*
 * Drop an entry: cancel its timer, unmap it from ft when `unmap` (a
 * promotion replaces the mapping instead), free it.
 */
void synq_remove(struct synq *q, struct flow_table *ft,
		 struct timer_wheel *tw, struct synq_entry *e, bool unmap);

static inline void *
synq_tag(struct synq_entry *e)
{
	return (void *)((uintptr_t)e | FLOW_TAG_SYNQ);
}

static inline struct synq_entry *
synq_untag(void *p)
{
	return (struct synq_entry *)((uintptr_t)p & ~FLOW_TAG_SYNQ);
}

static inline bool
flow_is_synq(const void *p)
{
	return ((uintptr_t)p & FLOW_TAG_SYNQ) != 0;
}

#endif /* SG_SYNQ_H */
