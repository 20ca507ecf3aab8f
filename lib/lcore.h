/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore — a worker's state: struct worker, its ports, and the accessors
 * every worker-side module uses.  Data only: the loop is worker.c, output
 * tx.c, the handshake handshake.c, connections conn*.c.
 *
 * Everything in struct worker belongs to the lcore running it; the main
 * lcore only reads the counters and gauges (plain loads, see stats.h), and
 * application threads touch only w_cmd (the command ring) and w_budget
 * (the data mbuf credits), both made for it.
 */
#ifndef SG_LCORE_H
#define SG_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "budget.h"
#include "cookie.h"
#include "flow.h"
#include "listener.h"
#include "shared.h"
#include "sg_stats.h"
#include "synq.h"
#include "timer.h"

#define WORKER_BURST		32
#define WORKER_TX_BUF		128
/* Expired timers handled per poll; the rest wait for the next poll so a
 * mass expiry cannot stall the receive path. */
#define WORKER_TIMER_BATCH	64
/* Application commands handled per poll. */
#define WORKER_CMD_BATCH	64
/* Connection objects the worker's own pool cache holds (conn.c takes and
 * returns them through it). */
#define WORKER_CONN_CACHE	64
/* Idle back-off: after this many empty polls, rte_pause(); after
 * WORKER_IDLE_SLEEP_POLLS, sleep, doubling from 1 us to idle_sleep_us. */
#define WORKER_IDLE_PAUSE_POLLS	64
#define WORKER_IDLE_SLEEP_POLLS	1024
/* Mbufs kept out of the connection-data budget for replies in flight
 * (budget.h), beyond the descriptors and TX buffers of the ports. */
#define WORKER_REPLY_MARGIN	(4 * WORKER_BURST)

struct sg_engine;

/* Where a port's frames go instead of rte_eth_tx_burst (test harnesses
 * such as the fuzzer); returns how many it took (it owns those). */
typedef uint16_t (*worker_sink_t)(void *ctx, struct rte_mbuf **m,
				  uint16_t n);

struct worker_port {
	worker_sink_t wp_sink;		/* NULL: the ethdev port */
	void *wp_sink_ctx;
	uint16_t wp_port;		/* ethdev port id */
	uint16_t wp_queue;		/* our RX and TX queue on it */
	bool wp_ck_off;			/* TX checksum offload */
	struct rte_ether_addr wp_mac;
	uint16_t wp_ntx;
	struct rte_mbuf *wp_tx[WORKER_TX_BUF];
};

struct worker {
	struct sg_engine *w_engine;
	struct sg_params w_params;	/* this poll's copy of e_params */
	unsigned w_id;
	int w_socket;
	unsigned w_nports;
	struct worker_port w_ports[SG_MAX_PORTS];

	struct flow_table w_flows;	/* IPv4 4-tuples */
	struct flow_table w_flows6;	/* IPv6 4-tuples (when w_naddr6) */
	struct synq w_synq;
	struct timer_wheel *w_wheel;
	struct rte_mempool *w_mbufs;	/* replies and retransmissions */
	struct rte_mempool *w_conns;	/* struct sg_conn, conn_max */
	struct rte_mempool_cache *w_conn_cache;	/* the worker's, in front
					   of w_conns */
	struct rte_ring *w_cmd;		/* apps -> worker: conns to close
					   (MP enqueue, SC dequeue) */
	uint32_t w_conns_used;
	uint32_t w_orphans;		/* given back and still closing:
					   FIN_WAIT_1/2, CLOSING, LAST_ACK */
	uint32_t w_orphans_max;		/* beyond: close with RST (Linux
					   tcp_max_orphans) */
	uint16_t w_seg_room;		/* data room of a w_mbufs mbuf: no
					   frame we build is larger */

	/* served addresses, network order, copied from the params */
	uint32_t w_addr4[SG_MAX_ADDRS];
	unsigned w_naddr4;
	uint8_t w_addr6[SG_MAX_ADDRS][16];
	unsigned w_naddr6;

	uint64_t w_unix_base;		/* engine's wall-clock base, s */

	/* time, refreshed once per poll */
	uint64_t w_now_us;
	uint32_t w_now_ms;
	uint64_t w_now_sec;

	/* cookies */
	struct cookie_keys w_ckeys;	/* private copy of the engine's */
	uint32_t w_rt_seq;		/* e_rt_lock count w_ckeys and
					   w_params were copied at */
	bool w_flood;			/* half-open table under pressure */
	uint32_t w_flood_changed_ms;	/* when w_flood last changed */
	uint64_t w_listen_overflow[SG_MAX_LISTENERS];	/* ring full */
	bool w_prune_hold;		/* flood over, entries still pruned */
	uint32_t w_prune_until;		/* ... until then (ms) */
	uint32_t w_synq_high;		/* enter cookie mode at this use */
	uint32_t w_synq_low;		/* leave it at this use */
	uint32_t w_cookie_last_ms[SG_MAX_LISTENERS];	/* last cookie sent */
	bool w_cookie_sent[SG_MAX_LISTENERS];

	/* unsolicited RST token bucket */
	uint64_t w_rst_tokens;		/* in 1/1000 tokens */
	uint32_t w_rst_last_ms;

	/* idle back-off */
	uint32_t w_idle_polls;
	uint32_t w_idle_sleep_us;

	uint64_t w_flows_checked_sec;	/* asserts build: last flow_check */

	/* connection data: mbuf credits (budget.h) */
	uint32_t w_credit_cache;	/* worker's local credits */
	uint32_t w_credit_low;		/* under this many free: windows
					   shrink */
	TAILQ_HEAD(, sg_conn) w_budget_waiters;	/* sg_send found none */
	TAILQ_HEAD(, sg_conn) w_tw_list;	/* TIME-WAIT, given back,
						   oldest first */

	struct sg_counters w_stats;
	struct budget w_budget;		/* shared with app threads */
} __rte_cache_aligned;

/* The run-time parameters this poll works with (a snapshot of the
 * engine's, taken under the key seqlock once per poll). */
static inline const struct sg_params *
worker_params(const struct worker *w)
{
	return &w->w_params;
}

/* Count a drop by reason and free the frame. */
static inline void
worker_drop(struct worker *w, struct rte_mbuf *m, enum sg_drop why)
{
	w->w_stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/* The TSval a connection with TSval offset `off` sends now (RFC 7323:
 * a ms clock, a random offset per connection). */
static inline uint32_t
worker_tsval(const struct worker *w, uint32_t off)
{
	return w->w_now_ms + off;
}

/* The MSS we advertise for a family: --mss is IPv4's; IPv6's header is
 * 20 bytes longer. */
static inline uint16_t
worker_mss(const struct sg_params *pp, unsigned family)
{
	return family == 6 ? (uint16_t)(pp->mss - 20) : pp->mss;
}

/* The flow table of a family. */
static inline struct flow_table *
worker_ft(struct worker *w, unsigned family)
{
	return family == 6 ? &w->w_flows6 : &w->w_flows;
}

/* One mbuf credit for connection data (budget.h), or false. */
static inline bool
worker_credit_take(struct worker *w)
{
	return budget_take_local(&w->w_budget, &w->w_credit_cache);
}

/* n mbufs of connection data freed. */
static inline void
worker_credit_give(struct worker *w, uint32_t n)
{
	budget_give_local(&w->w_budget, &w->w_credit_cache, n);
}

/* Few credits left: windows shrink. */
static inline bool
worker_credit_low(const struct worker *w)
{
	return budget_free(&w->w_budget, w->w_credit_cache) <
	       (int64_t)w->w_credit_low;
}

#endif /* SG_LCORE_H */
