/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tx — a worker's output (tx.c): buffered per port, flushed at the end of
 * every poll (and when a buffer fills).
 */
#ifndef SG_TX_H
#define SG_TX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "lcore.h"
#include "pkt.h"

/* Transmit everything buffered. */
void tx_flush(struct worker *w);

/* Send m, a frame of len bytes written in place (ARP, ICMP, ND replies:
 * no checksum offload), on port pi. */
void tx_frame(struct worker *w, unsigned pi, struct rte_mbuf *m, uint32_t len);

/* A segment with no options, a zero window and no data: the fields
 * besides seq, ack and flags that tx_tcp_reply reads. */
static inline void
tx_reply_init(struct pkt_tcp_out *t)
{
	t->opts.o_present = 0;
	t->win = 0;
	t->data = NULL;
	t->data_len = 0;
}

/* Fill the addressing of a segment to the peer of the flow whose key is
 * `key` (a flow4, or a flow6 when family is 6) on port pi, and
 * tx_reply_init's fields. */
void tx_tcp_init(struct pkt_tcp_out *t, const struct worker *w, unsigned pi,
		 unsigned family, const void *key, const uint8_t *peer_mac);

/* Send t on port pi, in m (a frame being answered) or a fresh mbuf. */
void tx_tcp_send(struct worker *w, unsigned pi, struct rte_mbuf *m,
		 const struct pkt_tcp_out *t);

/* Answer segment `in`, received in m (taken), with t's seq, ack, win,
 * flags, options and data, written over the frame (pkt_tcp_reply: the
 * addressing is in's, reversed; t's addressing fields are not read). */
void tx_tcp_reply(struct worker *w, unsigned pi, struct rte_mbuf *m,
		  const struct pkt_info *in, const struct pkt_tcp_out *t);

/* Unsolicited replies (RST, challenge and duplicate ACKs, some NAs and
 * SYN-ACKs): one token of the per-worker bucket, or false (the caller
 * counts rst_ratelimited). */
bool tx_reply_allowed(struct worker *w);

/* Answer segment `in` (in m, taken) with a RST per RFC 9293 3.10.7.1 --
 * never a RST to a RST; counts `why` either way.  `limited`: from the
 * reply bucket. */
void tx_rst_reply(struct worker *w, unsigned pi, struct rte_mbuf *m,
		  const struct pkt_info *in, enum sg_drop why, bool limited);

#endif /* SG_TX_H */
