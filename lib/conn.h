/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn — accepted connections.
 *
 * A connection is created by its worker when a handshake completes (from a
 * half-open entry or a valid cookie), mapped in the worker's flow table
 * and pushed on the listener's accept ring.  From then on:
 *  - the fields under "fixed at promotion" never change, so application
 *    threads read them freely after sg_accept() (the ring's release/acquire
 *    orders them);
 *  - the fields under "worker" are the owning worker's alone;
 *  - c_reset is the one field both sides touch: the worker sets it, the
 *    application reads it, with atomics.
 * An application gives a connection back with sg_close(), which posts it
 * on the worker's command ring; the worker aborts and frees it.
 *
 * Connections come from a per-worker rte_mempool of conn_max objects
 * (single producer / single consumer: only the worker gets and puts).
 */
#ifndef SG_CONN_H
#define SG_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "pkt.h"
#include "syngate.h"
#include "timer.h"

struct worker;

/* Timer kinds of a connection (see synq.h for TK_SYNACK). */
#define TK_CONN		2

/* Our window scale shift, offered when the peer offers one (RFC 7323). */
#define CONN_RCV_WSCALE		7
/* Receive window we advertise, bytes. */
#define CONN_RCV_WND		65535u

enum conn_state {
	CONN_ESTABLISHED = 0,
	CONN_RESET,		/* peer sent a valid RST; unmapped */
};

struct sg_conn {
	/* fixed at promotion */
	struct flow4 c_flow;
	uint32_t c_iss;
	uint32_t c_irs;
	uint8_t c_peer_mac[6];
	uint8_t c_port;			/* index of the worker's port */
	uint8_t c_worker;
	uint8_t c_listener;
	struct worker *c_owner;		/* where sg_close() posts it */
	struct sg_tcp_opts c_opts;
	struct rte_mbuf *c_first;	/* third segment's payload, or NULL */
	uint32_t c_first_len;

	/* worker */
	uint32_t c_snd_nxt;
	uint32_t c_rcv_nxt;
	uint32_t c_snd_wnd;		/* peer's window, scaled */
	uint32_t c_ts_recent;
	uint8_t c_state;
	struct timer_node c_timer;

	/* shared: worker writes, application reads (atomics) */
	uint8_t c_reset;
} __rte_cache_aligned;

#endif /* SG_CONN_H */
