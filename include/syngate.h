/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syngate.h — the public API of libsyngate, the only header an application
 * includes.
 *
 * Model: an engine owns one worker per polling lcore.  Each worker owns its
 * RX/TX queues, half-open table (SYN queue), connection table, timing wheel
 * and counters.  Completed handshakes are pushed on accept rings; ordinary
 * application threads (pthreads, not EAL lcores) take them with
 * sg_accept()/sg_accept_burst() and hand them back with sg_close().
 *
 * Error convention: functions return 0 or a negative errno; functions that
 * count return a non-negative count.  None blocks except sg_poller_wait,
 * which sleeps in poll(2) up to its timeout, and none takes a lock except
 * sg_telemetry_* and sg_engine_destroy (a spinlock a telemetry command in
 * progress holds while it reads the engine).
 *
 * This header and sg_stats.h (counters, which it includes) are the whole
 * installed surface: the library exports sg_* symbols only (built with
 * hidden visibility; pkg-config --cflags --libs syngate).
 *
 * Who may call what:
 *  - setup (sg_engine_create, sg_listen, sg_engine_attach_queue,
 *    sg_engine_destroy): the main thread, while no worker runs;
 *  - sg_worker_main: an EAL lcore, once per worker;
 *  - sg_accept*, sg_conn_*, sg_close: any application thread, concurrently;
 *  - sg_engine_stats, sg_engine_stop, sg_engine_update_keys,
 *    sg_engine_set_secret, sg_telemetry_register/_unregister: the main
 *    thread while workers run.
 */
#ifndef SYNGATE_H
#define SYNGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_stats.h"

struct rte_mbuf;
struct rte_mempool;

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* The library's version (the meson project's), at build and at run time. */
#define SG_VERSION_MAJOR	0
#define SG_VERSION_MINOR	2
#define SG_VERSION_PATCH	0
/* "MAJOR.MINOR.PATCH" of the library actually linked. */
const char *sg_version(void);

#define SG_MAX_WORKERS		32
#define SG_MAX_PORTS		8
#define SG_MAX_LISTENERS	64
#define SG_MAX_ADDRS		8

/* When to answer a SYN with a cookie instead of a half-open entry. */
enum sg_cookie_mode {
	SG_COOKIES_NEVER = 0,	/* table full: drop the SYN (counted) */
	SG_COOKIES_AUTO = 1,	/* table full / past high water: cookies */
	SG_COOKIES_ALWAYS = 2,	/* every SYN gets a cookie, no state */
};

/* What to do when a handshake completes and the accept ring is full. */
enum sg_overflow {
	SG_OVERFLOW_DROP = 0,	/* ignore the ACK, keep the half-open entry */
	SG_OVERFLOW_RESET = 1,	/* answer RST (tcp_abort_on_overflow) */
};

/* An address served on the ports, and the length of its on-link prefix. */
struct sg_addr {
	uint8_t family;			/* 4 or 6 */
	uint8_t prefix;			/* 1..32 or 1..128 */
	uint8_t bytes[16];		/* network order; IPv4 in bytes[0..3] */
};

/* Engine parameters (the daemon fills them from config). */
struct sg_params {
	struct sg_addr addrs[SG_MAX_ADDRS];	/* served addresses, both
						   families at once */
	unsigned n_addrs;
	enum sg_cookie_mode cookies;
	uint32_t synq_size;		/* half-open entries per worker */
	uint32_t backlog;		/* accept ring entries per listener
					 * and worker */
	uint32_t conn_max;		/* accepted connections per worker */
	uint8_t synack_retries;		/* 0..15, Linux default 5 */
	uint32_t synack_rto_ms;		/* initial SYN-ACK RTO, 1 s */
	enum sg_overflow overflow;
	uint32_t rst_rate;		/* unsolicited RSTs per second per
					 * worker (token bucket) */
	uint16_t mss;			/* MSS we advertise */
	uint32_t idle_sleep_us;		/* max idle back-off sleep, 0 = spin */
	uint32_t mbufs;			/* mbufs per worker pool */
	uint32_t msl_ms;		/* TIME-WAIT lasts 2 * msl_ms */
	uint32_t idle_timeout_ms;	/* no segment for this long: abort
					   (0 = never) */
	uint16_t rx_desc, tx_desc;	/* descriptors per queue */
	bool keys_by_app;		/* the application rotates the cookie
					   keys (sg_engine_update_keys);
					   false: worker 0 does, on the
					   engine's clock */
};

/* MSS we may advertise (sg_params.mss): RFC 9293's floor is 536 for
 * IPv4, we accept down to Linux's TCP_MIN_MSS; the ceiling is a jumbo
 * frame's (MTU 9040).  Worker mbufs are sized to carry a full segment. */
#define SG_MSS_MIN		88
#define SG_MSS_MAX		9000

/* Fill with the defaults (one address: 198.18.0.1/24). */
void sg_params_default(struct sg_params *p);

/*
 * Check p before sg_engine_create (which checks it too).  Returns 0, or
 * -EINVAL with a message naming the field and its accepted values in err.
 */
int sg_params_check(const struct sg_params *p, char *err, size_t len);

/*
 * Serve one more address, "ADDR/PREFIX" with an IPv4 or IPv6 address.
 * Returns 0, -EINVAL (not an address with a prefix in range), -EEXIST
 * (already served) or -ENOSPC (SG_MAX_ADDRS reached).
 */
int sg_params_add_addr(struct sg_params *p, const char *cidr);

/* Write a as "ADDR/PREFIX" into buf (truncated to len).  Returns buf. */
char *sg_addr_str(const struct sg_addr *a, char *buf, size_t len);

/* Write the served addresses as "ADDR/PREFIX[,ADDR/PREFIX...]" into buf
 * (truncated to len).  Returns buf. */
char *sg_params_addrs_str(const struct sg_params *p, char *buf, size_t len);

/* A TCP 4-tuple, family-tagged; addresses and ports in network order. */
struct sg_flow {
	uint8_t family;			/* 4 or 6 */
	uint16_t lport;
	uint16_t rport;
	union {
		uint32_t v4;
		uint8_t v6[16];
	} laddr, raddr;
};

/* Options a handshake negotiated. */
struct sg_tcp_opts {
	uint16_t mss;			/* peer's MSS (536 if none sent) */
	uint8_t snd_wscale;		/* peer's shift (0 if none) */
	uint8_t rcv_wscale;		/* ours (0 if not negotiated) */
	bool wscale_ok;
	bool sack_ok;
	bool ts_ok;
	bool ecn_requested;		/* the SYN asked for ECN */
	bool via_cookie;		/* completed by a SYN cookie */
};

struct sg_conn_info {
	struct sg_flow flow;
	struct sg_tcp_opts opts;
	uint32_t iss;			/* our initial sequence number */
	uint32_t irs;			/* the peer's */
	unsigned worker;		/* the owning worker */
	unsigned listener;		/* listener id */
	uint32_t first_data_len;	/* bytes that came with the handshake */
};

struct sg_engine;
struct sg_listener;
struct sg_conn;

/*
 * Create an engine for n_workers workers (1..SG_MAX_WORKERS), after
 * rte_eal_init().  Allocates every table and pool up front (memory bounded
 * by params; see docs/architecture.md).  Returns 0 and *out, or -errno.
 */
int sg_engine_create(const struct sg_params *p, unsigned n_workers,
		     struct sg_engine **out);

/*
 * DPDK heap bytes sg_engine_create(p, n_workers) takes: an upper bound,
 * within a few percent (the mbuf pool's objects are counted as packed, as
 * they are with IOVA as VA or hugepages).  sg_listen and sg_poller_create
 * take more (below), the ports' queues and DPDK itself more again.  Needs
 * no EAL: for sizing its memory (-m, --socket-mem) before rte_eal_init.
 * 0 if p or n_workers is invalid.
 */
size_t sg_engine_mem_size(const struct sg_params *p, unsigned n_workers);

/* Free everything (workers must have returned).  Connections still held by
 * the application become invalid; e's telemetry commands answer an error
 * (sg_telemetry_unregister). */
void sg_engine_destroy(struct sg_engine *e);

/*
 * Give worker w the RX/TX queue `queue` of ethdev port `port_id` (already
 * configured and started by the caller).  tx_cksum_offload: the port
 * computes IPv4/TCP checksums on TX.  Returns 0 or -errno.
 */
int sg_engine_attach_queue(struct sg_engine *e, unsigned w, uint16_t port_id,
			   uint16_t queue, bool tx_cksum_offload);

/* How sg_port_setup sets a port up; all zero (or NULL) for the defaults. */
struct sg_port_conf {
	const uint8_t *rss_key;		/* NULL: random (getrandom(2)); an
					   operator who wants symmetric RSS
					   gives e.g. 0x6d5a repeated */
	uint8_t rss_key_len;		/* must be the port's hash_key_size */
	unsigned link_wait_ms;		/* 0: 3000 */
};

/*
 * Set ethdev port_id up for e and start it: one RX/TX queue pair per
 * worker (queue w -> worker w), RSS over the TCP 4-tuple with a random key
 * and the RETA spread over the workers (a warning when the port cannot
 * hash ports), TX/RX checksum offloads where the port has them, an MTU
 * that carries params.mss, the IPv6 solicited-node groups for neighbour
 * discovery, promiscuous mode off; waits for the link.  Before workers
 * start.  Returns 0, -ERANGE when the port cannot carry params.mss (the
 * log says the largest it can), or -errno.
 */
int sg_port_setup(struct sg_engine *e, uint16_t port_id,
		  const struct sg_port_conf *conf);

/* Mbuf pool of worker w (for the caller's rx queue setup). */
struct rte_mempool *sg_engine_pktmbuf_pool(struct sg_engine *e, unsigned w);

/*
 * Listen on TCP port `port` (host order) of the served address.
 * backlog 0 = params.backlog.  Before workers start.  Returns 0 and *out,
 * or -EEXIST / -ENOSPC / -EINVAL / -ENOMEM.
 */
int sg_listen(struct sg_engine *e, uint16_t port, uint32_t backlog,
	      struct sg_listener **out);
/* Heap bytes one sg_listen takes with an engine of params p and n_workers
 * (an upper bound, no EAL needed; backlog 0 = p->backlog). */
size_t sg_listen_mem_size(const struct sg_params *p, unsigned n_workers,
			  uint32_t backlog);

/* The listener's id (0..) as in sg_conn_info.listener. */
unsigned sg_listener_id(const struct sg_listener *l);

/* lcore entry point: run worker (uintptr_t)arg's loop until stopped. */
int sg_worker_main(void *worker);
/* The handle to pass to sg_worker_main for worker w. */
void *sg_engine_worker(struct sg_engine *e, unsigned w);

/* Ask all workers to return (async-signal-safe). */
void sg_engine_stop(struct sg_engine *e);
bool sg_engine_stopping(const struct sg_engine *e);

/*
 * SYN cookie keys change with the wall-clock epoch (unix_sec / 64).  By
 * default worker 0 rotates them on the engine's clock, the one cookies
 * are minted and checked with; an application that set
 * sg_params.keys_by_app calls this at least once per epoch instead.  A
 * call for an epoch not past the current one changes nothing.  The key
 * of the previous epoch stays valid.  Without a secret the keys are
 * random (getrandom(2)); with one, derived from it.  Thread-safe against
 * the workers and sg_engine_set_secret.  Returns 0 or -errno.
 */
int sg_engine_update_keys(struct sg_engine *e, uint64_t unix_sec);

/*
 * Fleet mode: derive cookie keys from a 32-byte secret shared by every
 * host behind one load balancer, so a cookie minted by one validates on
 * any.  The first call (before workers start) also sets the RFC 6528 ISN
 * secret; a later call is a reload: the replaced current key stays valid
 * until the next epoch.  Returns 0.
 */
int sg_engine_set_secret(struct sg_engine *e, const uint8_t *secret,
			 uint64_t unix_sec);

/*
 * Take one completed connection from l's accept rings.  Never blocks.
 * Returns 0 and *c, or -EAGAIN when none is waiting.
 */
int sg_accept(struct sg_listener *l, struct sg_conn **c);

/* Take up to n; returns how many (0..n). */
unsigned sg_accept_burst(struct sg_listener *l, struct sg_conn **c,
			 unsigned n);

/* Connections waiting on l's accept rings now. */
unsigned sg_accept_pending(const struct sg_listener *l);

/* Describe an accepted connection (read-only fields; any thread). */
void sg_conn_info(const struct sg_conn *c, struct sg_conn_info *info);

/*
 * Copy up to len bytes of the data that came with the handshake (the third
 * segment's payload) into buf, without consuming it: sg_recv returns it
 * first.  Only until the application has read something.  Returns the
 * bytes copied (0 when there was none, or it was read).
 */
size_t sg_conn_first_data(struct sg_conn *c, void *buf, size_t len);

/* True once the connection was reset (by the peer, a timeout or abort). */
bool sg_conn_is_reset(const struct sg_conn *c);

/* The pointer given to sg_poller_add (NULL before). */
void *sg_conn_user(const struct sg_conn *c);

/*
 * Data.  One application thread at a time per connection.  None of these
 * block; none takes a lock.  Bytes move through single-producer single-
 * consumer rings between the application and the owning worker.
 */

/*
 * Copy up to len received bytes into buf.  Returns the count (> 0), 0 at
 * the end of the stream (the peer closed and everything was read),
 * -EAGAIN when nothing is waiting, -ECONNRESET after a reset.
 */
long sg_recv(struct sg_conn *c, void *buf, size_t len);

/*
 * Zero-copy receive: up to n mbufs of received payload (data starts at
 * rte_pktmbuf_mtod, data_len bytes each).  The caller frees them with
 * rte_pktmbuf_free.  Returns the count, 0 at end of stream, -EAGAIN or
 * -ECONNRESET as sg_recv.
 */
int sg_recv_mbufs(struct sg_conn *c, struct rte_mbuf **m, unsigned n);

/*
 * Queue up to len bytes for sending (copied; segmented at the negotiated
 * MSS).  Returns the count queued (> 0), -EAGAIN when the send buffer is
 * full (an SG_EV_WRITABLE event follows when room frees up), -EPIPE after
 * sg_shutdown, -ECONNRESET after a reset, -ENOMEM without mbufs.
 */
long sg_send(struct sg_conn *c, const void *buf, size_t len);

/* Half-close: FIN after the queued data; receiving goes on. */
int sg_shutdown(struct sg_conn *c);

/*
 * Give the connection back.  The worker closes it in order (FIN after
 * queued data; TIME-WAIT if we close first) -- or with a RST if received
 * data was left unread, as Linux does -- and frees it when TCP is done.
 * c must not be used afterwards.  Returns 0.
 */
int sg_close(struct sg_conn *c);

/* Give the connection back with a RST now. */
int sg_abort(struct sg_conn *c);

/*
 * Events: a poller collects them for the connections added to it and lets
 * one application thread wait for many connections without spinning.
 */
#define SG_EV_READABLE		0x01	/* data waiting, or end of stream */
#define SG_EV_WRITABLE		0x02	/* send space freed after -EAGAIN */
#define SG_EV_PEER_CLOSED	0x04	/* the peer's FIN is in (no more data
					   after what is waiting) */
#define SG_EV_RESET		0x08	/* reset, timed out or aborted */
#define SG_EV_ACCEPT		0x10	/* a watched listener has connections
					   waiting (conn is NULL) */

struct sg_event {
	struct sg_conn *conn;		/* NULL for SG_EV_ACCEPT */
	void *user;
	uint32_t events;		/* SG_EV_* */
	struct sg_listener *listener;	/* SG_EV_ACCEPT: which one */
};

struct sg_poller;

/* A poller for up to `capacity` connections at a time. */
size_t sg_poller_mem_size(unsigned capacity);	/* heap bytes, as above */
int sg_poller_create(struct sg_engine *e, unsigned capacity,
		     struct sg_poller **out);
void sg_poller_destroy(struct sg_poller *p);

/*
 * Deliver c's events to p, with `user` in each.  Events that happened
 * before (data with the handshake, a FIN) are delivered too.
 */
int sg_poller_add(struct sg_poller *p, struct sg_conn *c, void *user);

/*
 * Watch listener l: p reports SG_EV_ACCEPT (with l and `user`, conn NULL)
 * when connections are waiting on l's accept rings, so an application
 * thread sleeps in sg_poller_wait instead of polling sg_accept.
 * Edge-triggered: after the event, accept until sg_accept_burst returns
 * 0.  Connections already waiting are reported at once.  Up to 8 pollers
 * may watch one listener (one per application thread); each wake-up goes
 * to one of them that has no event of l pending, in turn, so the threads
 * share the accepts.  A poller that watches a listener may be destroyed
 * only once the engine's workers have stopped.  Returns 0, -EEXIST (p
 * watches l already) or -ENOSPC (8 pollers watch l).
 */
int sg_poller_add_listener(struct sg_poller *p, struct sg_listener *l,
			   void *user);

/*
 * Take up to max events; when none is waiting, sleep up to timeout_ms
 * (0: return at once; -1: no limit) until one arrives.  Returns the count
 * (0 on timeout).  Events are edge-triggered: read/write until -EAGAIN.
 */
int sg_poller_wait(struct sg_poller *p, struct sg_event *ev, unsigned max,
		   int timeout_ms);

/* Wake a thread sleeping in sg_poller_wait (returns 0 events). */
void sg_poller_wake(struct sg_poller *p);

/* Sum the counters of all workers and sample the gauges. */
void sg_engine_stats(const struct sg_engine *e, struct sg_counters *c,
		     struct sg_gauges *g);

/* One worker's state, for operators (telemetry). */
struct sg_worker_info {
	bool flood;			/* half-open table under pressure
					   (cookies in auto mode) */
	uint64_t flood_changed_ms;	/* ms since that last changed */
};

/* Counters, gauges and state of worker w.  Returns 0 or -EINVAL. */
int sg_engine_worker_stats(const struct sg_engine *e, unsigned w,
			   struct sg_counters *c, struct sg_gauges *g,
			   struct sg_worker_info *wi);

/* Workers of the engine. */
unsigned sg_engine_workers(const struct sg_engine *e);

struct sg_listener_info {
	uint16_t port;			/* host order */
	uint32_t backlog;		/* per worker ring */
	uint32_t queued;		/* waiting on its rings now */
	uint64_t overflows;		/* handshakes refused: ring full */
};

/* Listener number i (0..), or -ENOENT past the last. */
int sg_engine_listener_info(const struct sg_engine *e, unsigned i,
			    struct sg_listener_info *li);

/*
 * Change what may change while workers run: cookies, synack_retries,
 * synack_rto_ms, overflow (main thread).  The rest of p is ignored: it
 * can only change at start.
 */
void sg_engine_update_params(struct sg_engine *e, const struct sg_params *p);

/* The parameters in force. */
const struct sg_params *sg_engine_params(const struct sg_engine *e);

/* Telemetry prefixes: how many at once (8 * 56 bytes), and how long one
 * may be (DPDK 22.11 takes commands up to 55 characters; the longest
 * suffix is "/listeners"). */
#define SG_TELEMETRY_MAX_PREFIXES	8
#define SG_TELEMETRY_PREFIX_MAX		45

/*
 * Telemetry: register e's commands with DPDK's rte_telemetry (read with
 * dpdk-telemetry.py or any client of the EAL socket):
 *   PREFIX/stats, PREFIX/workers, PREFIX/worker,<id>, PREFIX/listeners
 * (syngated uses the prefix "/syngate"; docs/operations.md shows them).
 * prefix: '/' then a-z, 0-9, '_' and '/', no empty component, at most
 * SG_TELEMETRY_PREFIX_MAX characters.  One engine per prefix; the
 * commands answer on the EAL telemetry thread and only read e.  Main
 * thread, after rte_eal_init.  Returns 0, -EINVAL (a bad prefix or no
 * engine, logged), -EEXIST (the prefix serves an engine already), -ENOSPC
 * (SG_TELEMETRY_MAX_PREFIXES prefixes serve engines) or -ENOMEM.
 */
int sg_telemetry_register(struct sg_engine *e, const char *prefix);

/*
 * Stop answering for e: its commands stay known to DPDK (22.11 cannot
 * remove one) and return an error; the prefix's slot is free again.
 * Waits for a command reading e to finish.  sg_engine_destroy calls it;
 * call it earlier when what the commands read goes first (the ethdev
 * ports, whose counters PREFIX/stats reads).
 */
void sg_telemetry_unregister(struct sg_engine *e);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* SYNGATE_H */
