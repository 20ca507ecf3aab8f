/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker — the poll loop of one lcore (worker.c): receive a burst,
 * classify, answer ARP / ICMP echo / ND, look the TCP segments up in one
 * bulk call and dispatch them to the handshake or their connection; run
 * timers and the application's commands; transmit; back off when idle.
 * Its state is struct worker (lcore.h).
 */
#ifndef SG_WORKER_H
#define SG_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "lcore.h"

/*
 * One iteration of the worker loop at time now_us (microseconds since the
 * engine started): receive on every port, timers, commands, transmit.
 * Returns packets received.  Tests call it directly with a fake clock.
 */
unsigned worker_poll(struct worker *w, uint64_t now_us);

/* The non-receive half of worker_poll: set the clock, run timers and
 * application commands, transmit. */
void worker_tick(struct worker *w, uint64_t now_us);

/* Process n received frames that arrived on port index pi (no RX call). */
void worker_rx(struct worker *w, unsigned pi, struct rte_mbuf **pkts,
	       unsigned n);

/* Take a port's RX/TX descriptors and TX buffer off the mbufs connection
 * data may use (budget.h).  Returns 0, or -ENOBUFS when the pool is too
 * small for them. */
int worker_reserve_port(struct worker *w, uint32_t rx_desc, uint32_t tx_desc);

/* Give worker w a port with no ethdev behind it: frames it sends go to
 * sink.  For harnesses that drive worker_rx() directly.  Returns 0 or
 * -ENOSPC. */
int worker_attach_sink(struct worker *w, const uint8_t mac[6],
		       worker_sink_t sink, void *ctx);

/* Pretend sink port pi offloads TX checksums as a NIC would (only the
 * pseudo-header sum is written): for benchmarks.  Returns 0 or -EINVAL
 * when pi is not a sink. */
int worker_sink_tx_offload(struct worker *w, unsigned pi, bool on);

/* Is h (a flow-table value) a live half-open entry or connection of w? */
bool flow_value_live(const struct worker *w, void *h);

/* ... and one mapped under key (a key of table ft)? */
bool flow_value_is(const struct worker *w, void *h,
		   const struct flow_table *ft, const void *key);

/* Walk w's flow tables: every value live and mapped under its own key,
 * counts consistent with the half-open table and the connection pool.
 * Returns 0 or -EINVAL.  Slow: tests, the fuzzer, asserts builds. */
int worker_audit(const struct worker *w);

/* Connection objects taken from the pool (not in it, nor in the worker's
 * cache of free ones): w_conns_used when nothing leaks. */
unsigned worker_conns_out(const struct worker *w);

/* Set up / tear down a worker's tables (engine.c calls these). */
int worker_init(struct worker *w, struct sg_engine *e, unsigned id,
		int socket);
void worker_fini(struct worker *w);
/* DPDK heap bytes worker_init takes with these params, an upper bound
 * (sg_engine_mem_size); needs no EAL. */
size_t worker_mem_size(const struct sg_params *pp);

/* For tests (sg_internal.h). */
/* Put an idle worker back to a known state at now_us: timer wheel at that
 * time (it must be empty), no cookie outstanding, a full reply bucket, no
 * flood and no prune hold-down. */
void worker_reset_state(struct worker *w, uint64_t now_us);


#endif /* SG_WORKER_H */
