/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * accept — the accept queue: the worker side pushes completed connections
 * on a listener's per-worker ring; application threads take them with
 * sg_accept()/sg_accept_burst() (syngate.h), polling the rings of all
 * workers round-robin from a rotating start so no worker's queue starves.
 */
#ifndef SG_ACCEPT_H
#define SG_ACCEPT_H

#include <stdbool.h>

#include "listener.h"

/* Worker side: room for one more on worker w's ring of l? */
static inline bool
accept_ring_has_room(const struct sg_listener *l, unsigned w)
{
	return rte_ring_free_count(l->l_ring[w]) != 0;
}

/* A connection was pushed on one of l's rings: tell a watching poller
 * (poller.c). */
void listener_notify(struct sg_listener *l);

/* Worker side: push (single producer; call accept_ring_has_room first),
 * then wake a poller that watches l, if any. */
static inline int
accept_ring_push(struct sg_listener *l, unsigned w, struct sg_conn *c)
{
	int ret = rte_ring_sp_enqueue(l->l_ring[w], c);

	if (ret == 0 && __atomic_load_n(&l->l_nwatch, __ATOMIC_RELAXED) != 0)
		listener_notify(l);
	return ret;
}

#endif /* SG_ACCEPT_H */
