/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poller — where a connection's events go: a multi-producer (workers),
 * single-consumer (one application thread) rte_ring of {connection,
 * generation} pairs, and an eventfd to sleep on.
 *
 * A connection has at most one live entry on a poller's ring at a time:
 * only who sets its EV_QUEUED bit pushes, and the consumer clears that bit
 * with the event bits when it takes the entry (conn.h).  So a ring of
 * `capacity` entries (plus slack for stale entries of connections given
 * back since) does not overflow with `capacity` connections, and one
 * sg_poller_wait, which dequeues once, never reports a connection twice.
 * The generation skips entries of connections freed since they were
 * queued.
 *
 * Sleeping: the waiter sets p_sleeping, re-checks the ring, then polls the
 * eventfd; a worker that queued an event writes the eventfd only if it
 * sees p_sleeping (both sides fence in between), so wake-ups are never
 * lost and cost a system call only when someone sleeps.
 */
#ifndef SG_POLLER_H
#define SG_POLLER_H

#include <stdint.h>

#include <rte_ring.h>

#include "syngate.h"

struct sg_poller {
	struct rte_ring *p_ring;	/* struct conn_ref; MP enqueue (workers,
					   sg_poller_add), SC dequeue */
	int p_efd;
	uint32_t p_sleeping;		/* atomic */
	uint32_t p_capacity;
	uint64_t p_overflows;		/* enqueues refused (atomic) */
	uint64_t p_stale;		/* entries of freed connections
					   (consumer only) */
};

/* Worker (conn_post) or sg_poller_add: queue c on p unless an entry for it
 * is already queued (EV_QUEUED), and wake a sleeper. */
void poller_enqueue(struct sg_poller *p, struct sg_conn *c);

#endif /* SG_POLLER_H */
