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
#include "poller.h"

struct poller_item {
	struct sg_conn *conn;
	uint64_t gen;
};

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
	/* Slack for the one duplicate sg_poller_add may race in. */
	p->p_capacity = capacity + 64;
	p->p_ring = rte_ring_create_elem(name, sizeof(struct poller_item),
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
poller_push(struct sg_poller *p, struct sg_conn *c)
{
	struct poller_item it = {
		c, __atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE)
	};
	uint64_t one = 1;

	/* Sized for every connection once: cannot fail; if it ever did,
	 * the bits stay set and the next sg_poller_add re-queues. */
	rte_ring_mp_enqueue_elem(p->p_ring, &it, sizeof(it));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->p_sleeping, __ATOMIC_RELAXED))
		(void)!write(p->p_efd, &one, sizeof(one));
}

int
sg_poller_add(struct sg_poller *p, struct sg_conn *c, void *user)
{
	c->c_user = user;
	__atomic_store_n(&c->c_poller, p, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Events from before the connection had a poller. */
	if (__atomic_load_n(&c->c_ev, __ATOMIC_ACQUIRE) != 0)
		poller_push(p, c);
	return 0;
}

static unsigned
drain(struct sg_poller *p, struct sg_event *ev, unsigned max)
{
	struct poller_item it[32];
	unsigned n = 0, got, i;

	while (n < max) {
		got = rte_ring_sc_dequeue_burst_elem(p->p_ring, it, sizeof(it[0]),
			RTE_MIN(max - n, (unsigned)RTE_DIM(it)), NULL);
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			struct sg_conn *c = it[i].conn;
			uint32_t bits;

			if (__atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE) !=
			    it[i].gen)
				continue;	/* freed since */
			/* Given back (sg_close/sg_abort clear c_poller) or
			 * moved: its state (c_user) is not ours any more. */
			if (__atomic_load_n(&c->c_poller, __ATOMIC_ACQUIRE) != p)
				continue;
			bits = __atomic_exchange_n(&c->c_ev, 0,
						   __ATOMIC_ACQ_REL);
			if (bits == 0)
				continue;	/* a duplicate entry */
			ev[n].conn = c;
			ev[n].user = c->c_user;
			ev[n].events = bits;
			n++;
		}
	}
	return n;
}

int
sg_poller_wait(struct sg_poller *p, struct sg_event *ev, unsigned max,
	       int timeout_ms)
{
	struct pollfd pfd = { .fd = p->p_efd, .events = POLLIN };
	uint64_t v;
	unsigned n = drain(p, ev, max);

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
