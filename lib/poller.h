/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poller — where a connection's events go: a multi-producer (workers),
 * single-consumer (one application thread) rte_ring of {connection,
 * generation} pairs, and an eventfd to sleep on.
 *
 * A connection is on a poller's ring at most once at a time (conn_post
 * enqueues only when its event bits go from none to some; the consumer
 * takes all bits at once), so a ring of `capacity` entries never
 * overflows with `capacity` connections.  The generation skips entries
 * of connections freed and reused since they were queued.
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
	struct rte_ring *p_ring;
	int p_efd;
	uint32_t p_sleeping;		/* atomic */
	uint32_t p_capacity;
};

/* Worker (or sg_poller_add): queue c on p and wake a sleeper. */
void poller_push(struct sg_poller *p, struct sg_conn *c);

#endif /* SG_POLLER_H */
