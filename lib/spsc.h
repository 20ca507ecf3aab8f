/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spsc — a connection's single-producer, single-consumer queue of mbufs
 * (received data: worker -> application; data to send: application ->
 * worker).  The same discipline as an rte_ring made with RING_F_SP_ENQ |
 * RING_F_SC_DEQ, and the same capacity (size - 1), in two cache lines of
 * header instead of rte_ring's six (384 B in DPDK 22.11): every
 * connection has two queues, so with the default 32 768 connections per
 * worker that is 16 MiB less per worker (bench/sg_memory,
 * docs/benchmarks.md).  Producer and consumer each own one line; they
 * meet through release stores and acquire loads of the two indexes.
 */
#ifndef SG_SPSC_H
#define SG_SPSC_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

struct spsc {
	uint32_t q_head;		/* next slot to fill (producer) */
	uint32_t q_mask;		/* size - 1 (a power of two) */
	uint32_t q_tail __rte_cache_aligned;	/* next to take (consumer) */
	uint32_t q_mask_c;		/* the same mask, on the consumer's
					   line */
	void *q_slot[] __rte_cache_aligned;
};

/* Bytes for a queue of size slots (a power of two >= 2). */
static inline size_t
spsc_memsize(uint32_t size)
{
	return sizeof(struct spsc) + (size_t)size * sizeof(void *);
}

static inline void
spsc_init(struct spsc *q, uint32_t size)
{
	q->q_head = 0;
	q->q_tail = 0;
	q->q_mask = size - 1;
	q->q_mask_c = size - 1;
}

/* Entries waiting (either side; exact on the consumer's).  The tail is
 * read first, so the difference never goes below 0; entries taken and
 * added between the two loads can make it exceed the capacity. */
static inline uint32_t
spsc_count(const struct spsc *q)
{
	uint32_t t = __atomic_load_n(&q->q_tail, __ATOMIC_ACQUIRE);
	uint32_t n = __atomic_load_n(&q->q_head, __ATOMIC_ACQUIRE) - t;

	return n > q->q_mask ? q->q_mask : n;
}

/* Room left (either side; exact on the producer's). */
static inline uint32_t
spsc_free_count(const struct spsc *q)
{
	return q->q_mask - spsc_count(q);
}

/* Producer: 0, or -1 when full. */
static inline int
spsc_enqueue(struct spsc *q, void *obj)
{
	uint32_t h = q->q_head;

	if (h - __atomic_load_n(&q->q_tail, __ATOMIC_ACQUIRE) >= q->q_mask)
		return -1;
	q->q_slot[h & q->q_mask] = obj;
	__atomic_store_n(&q->q_head, h + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Consumer: up to n entries into obj; how many. */
static inline unsigned
spsc_dequeue_burst(struct spsc *q, void **obj, unsigned n)
{
	uint32_t t = q->q_tail;
	uint32_t avail = __atomic_load_n(&q->q_head, __ATOMIC_ACQUIRE) - t;
	unsigned i;

	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		obj[i] = q->q_slot[(t + i) & q->q_mask_c];
	__atomic_store_n(&q->q_tail, t + n, __ATOMIC_RELEASE);
	return n;
}

/* Consumer: 0 and *obj, or -1 when empty. */
static inline int
spsc_dequeue(struct spsc *q, void **obj)
{
	return spsc_dequeue_burst(q, obj, 1) == 1 ? 0 : -1;
}

#endif /* SG_SPSC_H */
