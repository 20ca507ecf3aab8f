/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handshake — LISTEN and SYN-RECEIVED (handshake.c): half-open entries,
 * SYN-ACKs and their retransmission, SYN cookies, flood state, promotion
 * to a connection on an accept ring.
 */
#ifndef SG_HANDSHAKE_H
#define SG_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "lcore.h"
#include "pkt.h"
#include "synq.h"

/* Segments of the current burst that changed the flow table: a later
 * segment of the same burst with the same hash is looked up again, since
 * its bulk lookup result may be stale. */
struct rx_mut {
	unsigned n;
	uint32_t sig[WORKER_BURST];
};

static inline void
mut_note(struct rx_mut *mut, uint32_t sig)
{
	if (mut != NULL && mut->n < WORKER_BURST)
		mut->sig[mut->n++] = sig;
}

static inline bool
mut_seen(const struct rx_mut *mut, uint32_t sig)
{
	unsigned i;

	for (i = 0; i < mut->n; i++)
		if (mut->sig[i] == sig)
			return true;
	return false;
}

/* A segment (in m, taken) for no known flow, on port pi; sig is its flow
 * hash.  Flow-table changes are noted in mut. */
void hs_listen_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct pkt_info *in, uint32_t sig,
		     struct rx_mut *mut);

/* A segment (in m, taken) for the half-open entry e. */
void hs_synq_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		   const struct pkt_info *in, uint32_t sig,
		   struct synq_entry *e, struct rx_mut *mut);

/* e's SYN-ACK timer fired. */
void hs_synack_timeout(struct worker *w, struct synq_entry *e);

/* Once per poll: leave flood mode when the table has drained (and start
 * the prune hold-down). */
void hs_poll_end(struct worker *w);

#endif /* SG_HANDSHAKE_H */
