/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * budget — how many of a worker's mbufs its connections may hold for data.
 *
 * A worker's pool feeds its RX descriptors, its TX ring and buffer and its
 * replies (ARP, ND, echo, SYN-ACK, RST) as well as the data connections
 * hold: received and not yet read (c_rxq), queued by the application and
 * not yet acknowledged (c_txq, c_snd).  The peer controls the latter --
 * clients that send and never read, zero-window peers -- so it is bounded:
 * a connection takes one credit per data mbuf and gives it back when the
 * mbuf leaves it.  The credits are the pool less what the descriptors, the
 * TX buffer, the mempool cache and a margin for replies need; without a
 * credit, received data is dropped (drop_conn_nomem; the window offered
 * already shrank) and sg_send says -EAGAIN.  So the RX refill and the
 * handshake never starve, whatever the connections do.
 *
 * The credits are one atomic counter per worker, shared with application
 * threads (sg_send takes, sg_recv gives back); the worker keeps a local
 * cache of up to 2 * BUDGET_BATCH so that its per-packet path does one
 * atomic operation per BUDGET_BATCH mbufs, not per mbuf.
 */
#ifndef SG_BUDGET_H
#define SG_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#define BUDGET_BATCH	32

struct budget {
	int64_t b_shared __rte_cache_aligned;	/* atomic: credits free */
	int64_t b_total;			/* credits at start */
};

/* Worker: one credit, from the local cache or a batch of the shared
 * ones.  False when none is left. */
static inline bool
budget_take_local(struct budget *b, uint32_t *cache)
{
	int64_t v, n;

	if (*cache != 0) {
		(*cache)--;
		return true;
	}
	v = __atomic_load_n(&b->b_shared, __ATOMIC_RELAXED);
	do {
		if (v <= 0)
			return false;
		n = RTE_MIN(v, (int64_t)BUDGET_BATCH);
	} while (!__atomic_compare_exchange_n(&b->b_shared, &v, v - n, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*cache = (uint32_t)n - 1;
	return true;
}

/* Worker: n credits back, into the local cache (the excess to the shared
 * counter). */
static inline void
budget_give_local(struct budget *b, uint32_t *cache, uint32_t n)
{
	*cache += n;
	if (*cache > 2 * BUDGET_BATCH) {
		__atomic_fetch_add(&b->b_shared, *cache - BUDGET_BATCH,
				   __ATOMIC_RELAXED);
		*cache = BUDGET_BATCH;
	}
}

/* Application thread: up to n credits; returns how many it got. */
static inline uint32_t
budget_take(struct budget *b, uint32_t n)
{
	int64_t v = __atomic_load_n(&b->b_shared, __ATOMIC_RELAXED), k;

	do {
		if (v <= 0)
			return 0;
		k = RTE_MIN(v, (int64_t)n);
	} while (!__atomic_compare_exchange_n(&b->b_shared, &v, v - k, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return (uint32_t)k;
}

/* Application thread: n credits back. */
static inline void
budget_give(struct budget *b, uint32_t n)
{
	if (n != 0)
		__atomic_fetch_add(&b->b_shared, (int64_t)n, __ATOMIC_RELAXED);
}

/* Credits free now (approximate: others take and give meanwhile). */
static inline int64_t
budget_free(const struct budget *b, uint32_t cache)
{
	return __atomic_load_n(&b->b_shared, __ATOMIC_RELAXED) + cache;
}

#endif /* SG_BUDGET_H */
