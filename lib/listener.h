/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * listener — TCP ports served on the engine's address, and their accept
 * rings (the accept queue).
 *
 * Each listener has one rte_ring per worker, of exactly `backlog` slots:
 * the worker is the single producer (no atomic read-modify-write on the
 * packet path), application threads are the consumers (multi-consumer
 * dequeue, lock-free CAS on their side).  The backlog therefore bounds
 * each worker's queue, as it bounds each SO_REUSEPORT socket's queue on
 * Linux.  Memory: 8 B per slot per worker.
 *
 * Listeners are created before the workers start and never change while
 * they run, so workers read the table without synchronisation.
 */
#ifndef SG_LISTENER_H
#define SG_LISTENER_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "syngate.h"

/* Pollers that may watch one listener (sg_poller_add_listener). */
#define LISTENER_WATCH_MAX	8

/* One poller watching a listener: at most one SG_EV_ACCEPT of it is
 * queued on the poller or not yet taken (lw_pending). */
struct listener_watch {
	struct sg_poller *lw_poller;
	void *lw_user;
	struct sg_listener *lw_l;
	uint32_t lw_pending;		/* atomic */
} __rte_aligned(16);

/*
 * Laid out by writer, so that no line every worker reads on every push is
 * written per packet by anyone: the rings and the watcher count (set up
 * once, read by every worker), the watchers (written when a worker
 * notifies one and when its poller takes the event, only while watched),
 * and the application threads' accept rotation, written by every accept
 * call (it shared the rings' line until 2026-12-02: one line bouncing
 * between the cores per accept burst).
 */
struct sg_listener {
	struct rte_ring *l_ring[SG_MAX_WORKERS];	/* worker -> apps */
	unsigned l_nrings;
	uint32_t l_backlog;
	uint16_t l_port;		/* host order */
	uint8_t l_id;
	/* Watchers: entries [0, l_nwatch) are filled before l_nwatch is
	 * published (release); workers read them, adders take the lock. */
	uint32_t l_nwatch;

	struct listener_watch l_watch[LISTENER_WATCH_MAX] __rte_cache_aligned;
	uint32_t l_watch_next;		/* rotation (racy hint) */
	rte_spinlock_t l_watch_lock;

	unsigned l_next __rte_cache_aligned;	/* where the next accept
						   starts (racy hint, any
						   value is fine) */
} __rte_cache_aligned;

struct listener_table {
	uint8_t lt_by_port[65536];	/* port (host order) -> id + 1 */
	struct sg_listener *lt_l[SG_MAX_LISTENERS];
	unsigned lt_n;
};

/* The listener on TCP port port_be (network order), or NULL. */
static inline struct sg_listener *
listener_lookup(const struct listener_table *lt, uint16_t port_be)
{
	uint8_t i = lt->lt_by_port[rte_be_to_cpu_16(port_be)];

	return i ? lt->lt_l[i - 1] : NULL;
}

/* Create a listener with n_workers rings (named after engine instance
 * `inst`).  Returns 0 or -errno. */
int listener_create(struct listener_table *lt, uint16_t port,
		    uint32_t backlog, unsigned n_workers, int socket,
		    unsigned inst, struct sg_listener **out);

/* Free all listeners and their rings (connections still queued belong to
 * their worker's pool, freed with it). */
void listener_table_fini(struct listener_table *lt);
/* DPDK heap bytes listener_create takes, an upper bound; no EAL needed. */
size_t listener_mem_size(uint32_t backlog, unsigned n_workers);

#endif /* SG_LISTENER_H */
