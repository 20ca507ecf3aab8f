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

#include "accept.h"
#include "conn.h"
#include "invariant.h"
#include "poller.h"

/* Entries taken off the ring by one sg_poller_wait dequeue. */
#define POLLER_BURST	64

/* A ring entry whose conn field is a struct listener_watch with this bit
 * set stands for an SG_EV_ACCEPT of that watch (watches are 16-byte
 * aligned). */
#define REF_LISTENER	1ul
static uint32_t poller_seq;

size_t
sg_poller_mem_size(unsigned capacity)
{
	/* As sg_poller_create: the poller, its ring (RING_F_EXACT_SZ) and
	 * the ring's tailq entry, each with a heap element's header and
	 * alignment. */
	return sizeof(struct sg_poller) + 2 * RTE_CACHE_LINE_SIZE +
	       (size_t)rte_ring_get_memsize_elem(sizeof(struct conn_ref),
			rte_align32pow2(capacity + 64 + SG_MAX_LISTENERS + 1)) +
	       6 * RTE_CACHE_LINE_SIZE;
}

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
	 * stale entries of connections given back since they were queued,
	 * plus one per watched listener. */
	p->p_capacity = capacity + 64 + SG_MAX_LISTENERS;
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

/* An entry was queued: wake the waiter if it sleeps (Dekker with
 * sg_poller_wait, which sets p_sleeping, then drains once more). */
static void
poller_kick(struct sg_poller *p)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->p_sleeping, __ATOMIC_RELAXED))
		(void)!write(p->p_efd, &one, sizeof(one));
}

void
poller_enqueue(struct sg_poller *p, struct sg_conn *c)
{
	struct conn_ref ref;

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
	poller_kick(p);
}

/* Queue lw's SG_EV_ACCEPT (its lw_pending claimed by the caller). */
static void
watch_enqueue(struct listener_watch *lw)
{
	struct sg_poller *p = lw->lw_poller;
	struct conn_ref ref = {
		.conn = (struct sg_conn *)((uintptr_t)lw | REF_LISTENER),
		.gen = 0,
	};

	if (rte_ring_mp_enqueue_elem(p->p_ring, &ref, sizeof(ref)) != 0) {
		/* Connection entries beyond the capacity took the room
		 * reserved for listeners: the next accept tries again. */
		__atomic_store_n(&lw->lw_pending, 0, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&p->p_overflows, 1, __ATOMIC_RELAXED);
		return;
	}
	poller_kick(p);
}

/*
 * A worker pushed a connection on one of l's rings.  Wake one watcher
 * with no SG_EV_ACCEPT of l pending, starting after the last one woken.
 * If every watcher has one pending, each of them still has to take it:
 * it clears lw_pending (seq_cst) and only then accepts, so it sees this
 * push (ordered before the loads below by the fence).
 */
void
listener_notify(struct sg_listener *l)
{
	unsigned n = __atomic_load_n(&l->l_nwatch, __ATOMIC_ACQUIRE);
	unsigned start = __atomic_load_n(&l->l_watch_next, __ATOMIC_RELAXED);
	unsigned i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		struct listener_watch *lw = &l->l_watch[(start + i) % n];

		if (__atomic_load_n(&lw->lw_pending, __ATOMIC_RELAXED) ||
		    __atomic_exchange_n(&lw->lw_pending, 1, __ATOMIC_SEQ_CST))
			continue;
		__atomic_store_n(&l->l_watch_next, start + i + 1,
				 __ATOMIC_RELAXED);
		watch_enqueue(lw);
		return;
	}
}

int
sg_poller_add_listener(struct sg_poller *p, struct sg_listener *l,
		       void *user)
{
	struct listener_watch *lw;
	unsigned i, n;

	rte_spinlock_lock(&l->l_watch_lock);
	n = l->l_nwatch;
	for (i = 0; i < n; i++)
		if (l->l_watch[i].lw_poller == p) {
			rte_spinlock_unlock(&l->l_watch_lock);
			return -EEXIST;
		}
	if (n == LISTENER_WATCH_MAX) {
		rte_spinlock_unlock(&l->l_watch_lock);
		return -ENOSPC;
	}
	lw = &l->l_watch[n];
	lw->lw_poller = p;
	lw->lw_user = user;
	lw->lw_l = l;
	lw->lw_pending = 0;
	__atomic_store_n(&l->l_nwatch, n + 1, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&l->l_watch_lock);
	/* Connections that were waiting already (a worker that pushed
	 * since either saw this watch or is seen here). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (sg_accept_pending(l) != 0 &&
	    !__atomic_exchange_n(&lw->lw_pending, 1, __ATOMIC_SEQ_CST))
		watch_enqueue(lw);
	return 0;
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

		if ((uintptr_t)c & REF_LISTENER) {
			struct listener_watch *lw = (struct listener_watch *)
				((uintptr_t)c & ~REF_LISTENER);

			/* Cleared before the application accepts: a push
			 * after this wakes a watcher again. */
			__atomic_store_n(&lw->lw_pending, 0, __ATOMIC_SEQ_CST);
			ev[n].conn = NULL;
			ev[n].user = lw->lw_user;
			ev[n].events = SG_EV_ACCEPT;
			ev[n].listener = lw->lw_l;
			n++;
			continue;
		}

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
		ev[n].listener = NULL;
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
