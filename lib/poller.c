/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "conn.h"
#include "invariant.h"
#include "poller.h"

/* Entries taken off the ring by one sg_poller_wait dequeue. */
#define POLLER_BURST	64

static uint32_t poller_seq;

int
sg_poller_create(struct sg_engine *e, unsigned capacity,
		 struct sg_poller **out)
{
	char name[RTE_RING_NAMESIZE];
	struct sg_poller *p;

	(void)e;
	if (capacity == 0)
		return -EINVAL;
	p = rte_zmalloc("sg_poller", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "sg_poll_%u",
		 __atomic_fetch_add(&poller_seq, 1, __ATOMIC_RELAXED));
	/* One live entry per connection (EV_QUEUED), plus slack for the
	 * stale entries of connections given back since they were queued. */
	p->p_capacity = capacity + 64;
	p->p_ring = rte_ring_create_elem(name, sizeof(struct conn_ref),
		p->p_capacity, SOCKET_ID_ANY, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (p->p_ring == NULL) {
		rte_free(p);
		return -ENOMEM;
	}
	p->p_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->p_efd < 0) {
		int err = -errno;

		rte_ring_free(p->p_ring);
		rte_free(p);
		return err;
	}
	*out = p;
	return 0;
}

void
sg_poller_destroy(struct sg_poller *p)
{
	if (p == NULL)
		return;
	close(p->p_efd);
	rte_ring_free(p->p_ring);
	rte_free(p);
}

void
poller_enqueue(struct sg_poller *p, struct sg_conn *c)
{
	struct conn_ref ref;
	uint64_t one = 1;

	/* Whoever sets EV_QUEUED pushes; everyone else leaves it to them. */
	if (__atomic_fetch_or(&c->c_ev, EV_QUEUED, __ATOMIC_ACQ_REL) &
	    EV_QUEUED)
		return;
	ref.conn = c;
	ref.gen = __atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE);
	if (rte_ring_mp_enqueue_elem(p->p_ring, &ref, sizeof(ref)) != 0) {
		/* More connections than the poller was made for: the bits
		 * stay pending and the next post or sg_poller_add tries
		 * again. */
		__atomic_fetch_and(&c->c_ev, ~EV_QUEUED, __ATOMIC_ACQ_REL);
		__atomic_fetch_add(&p->p_overflows, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->p_sleeping, __ATOMIC_RELAXED))
		(void)!write(p->p_efd, &one, sizeof(one));
}

int
sg_poller_add(struct sg_poller *p, struct sg_conn *c, void *user)
{
	if (!conn_app_holds(c))
		return -EBADF;
	c->c_user = user;
	/* Dekker with conn_post (which sets its bits, then reads c_poller):
	 * either it sees this poller or this sees its bits; if both, the
	 * EV_QUEUED claim picks one pusher. */
	__atomic_store_n(&c->c_poller, p, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->c_ev, __ATOMIC_SEQ_CST) & ~EV_QUEUED)
		poller_enqueue(p, c);
	return 0;
}

/*
 * Turn dequeued entries into events.  Each connection has at most one
 * live entry on the ring when it is dequeued, so one call reports a
 * connection at most once.
 */
static unsigned
collect(struct sg_poller *p, const struct conn_ref *it, unsigned got,
	struct sg_event *ev)
{
	unsigned n = 0, i;

	for (i = 0; i < got; i++) {
		struct sg_conn *c = it[i].conn;
		struct sg_poller *now;
		uint32_t bits;

		/* Freed since (and maybe reused): its flags belong to the
		 * next life, not to this entry. */
		if (__atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE) != it[i].gen) {
			p->p_stale++;
			continue;
		}
		now = __atomic_load_n(&c->c_poller, __ATOMIC_ACQUIRE);
		if (now != p) {
			/* Given back (sg_close clears c_poller) or moved to
			 * another poller: pass the pending bits on. */
			bits = __atomic_fetch_and(&c->c_ev, ~EV_QUEUED,
						  __ATOMIC_ACQ_REL);
			if (now != NULL && (bits & ~EV_QUEUED) != 0)
				poller_enqueue(now, c);
			continue;
		}
		bits = __atomic_exchange_n(&c->c_ev, 0, __ATOMIC_ACQ_REL);
		if (__atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE) != it[i].gen) {
			/* Freed and reused between the two loads: the bits
			 * were the new life's. */
			__atomic_fetch_or(&c->c_ev, bits, __ATOMIC_ACQ_REL);
			p->p_stale++;
			continue;
		}
		bits &= ~EV_QUEUED;
		if (bits == 0)
			continue;
		ev[n].conn = c;
		ev[n].user = c->c_user;
		ev[n].events = bits;
		n++;
	}
	return n;
}

/* One dequeue (more only while what came out held no event). */
static unsigned
drain(struct sg_poller *p, struct sg_event *ev, unsigned max)
{
	struct conn_ref it[POLLER_BURST];
	unsigned n = 0, got;

	while (n == 0) {
		got = rte_ring_sc_dequeue_burst_elem(p->p_ring, it,
			sizeof(it[0]), RTE_MIN(max, (unsigned)POLLER_BURST),
			NULL);
		if (got == 0)
			break;
		n = collect(p, it, got, ev);
	}
	return n;
}

int
sg_poller_wait(struct sg_poller *p, struct sg_event *ev, unsigned max,
	       int timeout_ms)
{
	struct pollfd pfd = { .fd = p->p_efd, .events = POLLIN };
	uint64_t v;
	unsigned n;

	if (max == 0)
		return 0;
	n = drain(p, ev, max);
	if (n != 0 || timeout_ms == 0)
		return (int)n;
	__atomic_store_n(&p->p_sleeping, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = drain(p, ev, max);
	if (n == 0) {
		poll(&pfd, 1, timeout_ms);
		(void)!read(p->p_efd, &v, sizeof(v));
		n = drain(p, ev, max);
	}
	__atomic_store_n(&p->p_sleeping, 0, __ATOMIC_RELAXED);
	return (int)n;
}

void
sg_poller_wake(struct sg_poller *p)
{
	uint64_t one = 1;

	(void)!write(p->p_efd, &one, sizeof(one));
}
