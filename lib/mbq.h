/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbq — a connection's mbuf queue between one producer thread and one
 * consumer thread (received data: worker -> application; data to send:
 * application -> worker), linked through the mbufs themselves.
 *
 * The queue owns no slots: each mbuf carries the link in a dynamic field
 * (rte_mbuf_dynfield, registered once by mbq_register), so a connection
 * with nothing queued holds 32 bytes of queue state, not a ring of
 * pointers sized for the most it may ever hold (the rte_ring, then the
 * slot array of lib/spsc.h before it, cost 640 + 384 bytes per
 * connection: docs/benchmarks.md, "Memory").
 *
 * The producer pushes onto a LIFO (compare-and-swap on q_top); the
 * consumer, when a plain load shows q_top set, takes the whole LIFO at
 * once (exchange with NULL), reverses it into its private FIFO and pops
 * from there: FIFO order overall.  With
 * one producer there is no ABA: the top can only become an mbuf again
 * through that producer's own push.  This is Linux's llist
 * (llist_add/llist_del_all) with the consumer's reversal kept between
 * calls.
 *
 * The capacity is kept by two counters, each written by one side
 * (entries ever queued, entries ever taken): what an attacker can make a
 * connection hold is bounded exactly as before.  The halves are separate
 * structs so that each lives on a cache line its writer owns (struct
 * sg_conn puts them in its worker and application sections).
 */
#ifndef SG_MBQ_H
#define SG_MBQ_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

/* Byte offset of the link field in every mbuf (mbq_register). */
extern int sg_mbq_next_off;

/* Register the link field (once per process; again is harmless).
 * Returns 0 or -errno. */
int mbq_register(void);

#define MBQ_NEXT(m) \
	(*RTE_MBUF_DYNFIELD((m), sg_mbq_next_off, struct rte_mbuf **))

/* Written by the producer only. */
struct mbq_prod {
	struct rte_mbuf *q_top;		/* newest first; the consumer
					   takes it whole */
	uint32_t q_in;			/* entries ever queued */
	uint32_t q_cap;
};

/* Written by the consumer only. */
struct mbq_cons {
	struct rte_mbuf *q_head;	/* taken, oldest first */
	uint32_t q_out;			/* entries ever taken */
};

static inline void
mbq_init(struct mbq_prod *p, struct mbq_cons *c, uint32_t cap)
{
	p->q_top = NULL;
	p->q_in = 0;
	p->q_cap = cap;
	c->q_head = NULL;
	c->q_out = 0;
}

/* Entries waiting (either side).  The consumer's counter is read first:
 * q_in is raised before an entry is pushed, so the difference never goes
 * below 0; entries taken and added between the two loads can make it
 * exceed the capacity. */
static inline uint32_t
mbq_count(const struct mbq_prod *p, const struct mbq_cons *c)
{
	uint32_t out = __atomic_load_n(&c->q_out, __ATOMIC_ACQUIRE);
	uint32_t n = __atomic_load_n(&p->q_in, __ATOMIC_ACQUIRE) - out;

	return n > p->q_cap ? p->q_cap : n;
}

/* Room left (either side; exact on the producer's). */
static inline uint32_t
mbq_free_count(const struct mbq_prod *p, const struct mbq_cons *c)
{
	return p->q_cap - mbq_count(p, c);
}

/* Producer: 0, or -1 when full. */
static inline int
mbq_enqueue(struct mbq_prod *p, const struct mbq_cons *c,
	    struct rte_mbuf *m)
{
	uint32_t in = p->q_in;
	struct rte_mbuf *top;

	if (in - __atomic_load_n(&c->q_out, __ATOMIC_ACQUIRE) >= p->q_cap)
		return -1;
	__atomic_store_n(&p->q_in, in + 1, __ATOMIC_RELEASE);
	top = __atomic_load_n(&p->q_top, __ATOMIC_RELAXED);
	do {
		MBQ_NEXT(m) = top;
	} while (!__atomic_compare_exchange_n(&p->q_top, &top, m, true,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return 0;
}

/* Consumer: up to n entries into m, oldest first; how many. */
static inline unsigned
mbq_dequeue_burst(struct mbq_prod *p, struct mbq_cons *c,
		  struct rte_mbuf **m, unsigned n)
{
	unsigned i;

	/* Taken only when there is something: the exchange is a locked
	 * instruction, which waits for every store before it (Linux tests
	 * llist_empty before llist_del_all for the same reason).  Nothing
	 * seen: the queue was empty at the load. */
	if (c->q_head == NULL &&
	    __atomic_load_n(&p->q_top, __ATOMIC_ACQUIRE) != NULL) {
		struct rte_mbuf *l = __atomic_exchange_n(&p->q_top, NULL,
							 __ATOMIC_ACQUIRE);
		struct rte_mbuf *fifo = NULL;

		while (l != NULL) {		/* newest first -> oldest */
			struct rte_mbuf *next = MBQ_NEXT(l);

			MBQ_NEXT(l) = fifo;
			fifo = l;
			l = next;
		}
		c->q_head = fifo;
	}
	for (i = 0; i < n && c->q_head != NULL; i++) {
		m[i] = c->q_head;
		c->q_head = MBQ_NEXT(m[i]);
	}
	if (i != 0)
		__atomic_store_n(&c->q_out, c->q_out + i, __ATOMIC_RELEASE);
	return i;
}

/* Consumer: 0 and *m, or -1 when empty. */
static inline int
mbq_dequeue(struct mbq_prod *p, struct mbq_cons *c, struct rte_mbuf **m)
{
	return mbq_dequeue_burst(p, c, m, 1) == 1 ? 0 : -1;
}

#endif /* SG_MBQ_H */
