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

/* A segment (in m, taken) for no known flow, on port pi; sig is its flow
 * hash. */
void hs_listen_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct pkt_info *in, uint32_t sig);

/* A segment (in m, taken) for the half-open entry e. */
void hs_synq_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		   const struct pkt_info *in, uint32_t sig,
		   struct synq_entry *e);

/* e's SYN-ACK timer fired. */
void hs_synack_timeout(struct worker *w, struct synq_entry *e);

/* Once per poll: leave flood mode when the table has drained (and start
 * the prune hold-down). */
void hs_poll_end(struct worker *w);

#endif /* SG_HANDSHAKE_H */
