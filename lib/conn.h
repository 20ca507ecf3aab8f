/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn — accepted connections: the worker-side TCP state machine for the
 * established part of the lifecycle (data both ways, the four-way close,
 * TIME-WAIT) and the application's view of a connection.
 *
 * Ownership.  A connection is created by its worker when a handshake
 * completes and lives in the worker's flow table.  Fields are grouped by
 * who writes them:
 *  - "fixed": written once before the connection is pushed on an accept
 *    ring (whose release/acquire orders them), read by anyone after;
 *  - "worker": the owning worker's alone (TCP state, the retransmission
 *    queue, timers);
 *  - "app": the application thread using the connection (one at a time);
 *  - "shared": single-writer counters and flags read by the other side
 *    with acquire loads, and two atomic bit sets (c_cmd: app -> worker
 *    commands; c_ev: worker -> app events), each with a rule that puts a
 *    connection on the command ring / an event ring at most once.
 * Data moves over two rte_rings embedded in the connection (received
 * payload mbufs: worker -> app; mbufs to send: app -> worker), both
 * single-producer single-consumer.
 *
 * A connection is freed by its worker once the application has given it
 * back (sg_close / sg_abort) and the TCP side is CLOSED (after LAST_ACK,
 * TIME-WAIT, a reset or an abort).
 *
 * Generations.  c_gen is even while the object sits in the pool and odd
 * while it is a connection: it moves on at promotion and at free.  Every
 * entry that names a connection across threads -- a command on the
 * worker's ring, an event on a poller's ring -- carries the generation it
 * was queued for, and is ignored (counted) when the connection's has moved
 * on.  The application holds a connection from accept until its first
 * sg_close/sg_abort (c_held); any call after that is refused with -EBADF,
 * so a double close can never free the object twice.
 *
 * The life (create, close, free) is conn.c, the receive path conn_rx.c,
 * the send path and commands conn_tx.c, every deadline conn_timer.c, the
 * application API conn_api.c.
 */
#ifndef SG_CONN_H
#define SG_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pkt.h"
#include "mbq.h"
#include "syngate.h"
#include "timer.h"

struct budget;
struct synq_entry;
struct sg_poller;
struct worker;

/* Timer kinds of a connection (see synq.h for TK_SYNACK). */
#define TK_CONN			2

/* Smallest peer MSS we take (Linux TCP_MIN_MSS): what a SYN announces
 * below it is raised to it. */
#define CONN_MIN_PEER_MSS	88u

/* Our window scale shift, offered when the peer offers one (RFC 7323). */
#define CONN_RCV_WSCALE		7
/* Receive buffer: what we advertise at most; and the SYN's window. */
#define CONN_RCV_BUF		65535u
#define CONN_RCV_WND		CONN_RCV_BUF
/* Received segments queued for the application (one mbuf each): one
 * less than this. */
#define CONN_RXQ_SLOTS		64
/* Segments the application may queue ahead of the worker: one less. */
#define CONN_TXQ_SLOTS		32
/* Retransmission queue: segments sent or about to be, not yet acked. */
#define CONN_SND_SLOTS		32

/* RFC 6298 2.1 / Linux TCP_RTO_MIN, TCP_RTO_MAX. */
#define CONN_RTO_INIT_MS	1000u
#define CONN_RTO_MIN_MS		200u
#define CONN_RTO_MAX_MS		60000u
/* Consecutive RTOs before the connection is given up (Linux
 * tcp_retries2 = 15 is ~15 minutes; a server gives up sooner). */
#define CONN_MAX_REXMITS	8
/* The same for a connection the application gave back (an orphan):
 * Linux's tcp_orphan_retries is 8 by default; an acceptor under attack
 * gives up sooner.  With the RTO at 1 s: 2 + 4 + 8 + 16 s. */
#define CONN_ORPHAN_RETRIES	4
/* Delayed ACK (RFC 9293 3.8.6.3 allows up to 500 ms; Linux 40 ms). */
#define CONN_DELACK_MS		40u
/* Challenge ACKs (RFC 5961 10) per second per worker. */
#define CONN_CHALLENGE_RATE	100u

enum conn_state {
	CONN_ESTABLISHED = 0,
	CONN_FIN_WAIT_1,	/* we sent FIN first */
	CONN_FIN_WAIT_2,	/* our FIN is acked, theirs not yet in */
	CONN_CLOSING,		/* both FINs sent, ours not acked */
	CONN_TIME_WAIT,		/* 2 MSL before the 4-tuple is reused */
	CONN_CLOSE_WAIT,	/* peer sent FIN first */
	CONN_LAST_ACK,		/* our FIN after theirs, awaiting its ACK */
	CONN_CLOSED,		/* unmapped; waits for the application */
	CONN_STATE_MAX
};

/* c_flags (worker) */
#define CF_FIN_QUEUED	0x01	/* the app shut down writing */
#define CF_FIN_SENT	0x02
#define CF_ACK_NOW	0x04	/* send an ACK at the end of this input */
#define CF_APP_CLOSED	0x08	/* the app gave the connection back */
#define CF_RTT_TIMING	0x10	/* c_rtt_seq is being timed (no TS) */
#define CF_UNMAPPED	0x20	/* removed from the flow table */
#define CF_BUDGET_WAIT	0x40	/* sg_send found no mbuf credit: wake it
				   (SG_EV_WRITABLE) when credits return */
#define CF_ORPHAN	0x80	/* given back, closing: counted in
				   w_orphans until TIME-WAIT or CLOSED */

/*
 * c_ev (worker -> app), atomic: SG_EV_* bits pending, and EV_QUEUED while
 * an entry for the connection is on a poller's ring (or about to be).  Only
 * who sets EV_QUEUED pushes; the consumer clears it together with the bits
 * when it takes the entry.  So a ring holds at most one live entry per
 * connection, and one sg_poller_wait (one dequeue) reports a connection at
 * most once.
 */
#define EV_QUEUED	0x80000000u

/* A cross-thread reference to a connection: the command ring's and the
 * pollers' element. */
struct conn_ref {
	struct sg_conn *conn;
	uint32_t gen;		/* c_gen when it was queued */
};

/* c_cmd (app -> worker), atomic */
#define CMD_SEND	0x01	/* txq has data */
#define CMD_WINDOW	0x02	/* the app read: the window may open */
#define CMD_SHUTDOWN	0x04	/* FIN after the queued data */
#define CMD_CLOSE	0x08	/* give back: FIN (RST if unread data) */
#define CMD_ABORT	0x10	/* give back: RST now */
#define CMD_BUDGET	0x20	/* sg_send found no mbuf credit */

struct sg_conn {
	/* ---- fixed at promotion -------------------------------------- */
	struct flow4 c_flow;		/* IPv6: the ports only */
	struct flow6 c_flow6;		/* IPv6: the 4-tuple */
	uint8_t c_family;		/* 4 or 6 */
	uint32_t c_iss;
	uint32_t c_irs;
	uint32_t c_ts_off;		/* TSval = worker ms clock + this
					   (RFC 7323 5.4: per connection) */
	uint8_t c_peer_mac[6];
	uint8_t c_port;			/* index of the worker's port */
	uint8_t c_worker;
	uint8_t c_listener;
	uint16_t c_smss;		/* payload bytes per segment we send */
	uint32_t c_sig;			/* the 4-tuple's flow-table hash */
	struct worker *c_owner;
	struct rte_ring *c_cmd_ring;	/* the owner's command ring */
	struct budget *c_budget;	/* the owner's data mbuf credits */
	struct rte_mempool *c_mbufs;	/* the owner's mbufs (sg_send) */
	struct sg_tcp_opts c_opts;
	uint32_t c_first_len;		/* payload of the third segment */

	/* ---- worker ---------------------------------------------------- */
	uint8_t c_state;
	uint8_t c_flags;
	uint8_t c_dupacks;
	uint8_t c_rexmits;		/* consecutive RTOs / probes */
	uint8_t c_segs_unacked;		/* full segments since our last ACK */
	uint8_t c_snd_head;		/* c_snd[] ring of mbufs */
	uint8_t c_snd_count;
	uint32_t c_snd_off;		/* bytes of c_snd[head] acked */
	uint32_t c_snd_bytes;		/* bytes in c_snd[] from snd_una */
	uint32_t c_snd_una;
	uint32_t c_snd_nxt;
	uint32_t c_snd_max;		/* highest snd_nxt so far */
	uint32_t c_snd_wnd;		/* peer's window, scaled */
	uint32_t c_snd_wl1, c_snd_wl2;
	uint32_t c_max_wnd;
	uint32_t c_cwnd, c_ssthresh;	/* RFC 5681 */
	uint32_t c_fin_seq;		/* sequence number of our FIN */
	uint32_t c_rcv_nxt;
	uint32_t c_rcv_adv;		/* right edge of the window we sent */
	uint32_t c_ts_recent;
	uint32_t c_srtt;		/* ms << 3 (RFC 6298, 0 = no sample) */
	uint32_t c_rttvar;		/* ms << 2 */
	uint32_t c_rto;			/* ms */
	uint32_t c_rtt_seq, c_rtt_ms;	/* Karn timing without TS */
	/* deadlines, ms on the worker clock; 0 = off */
	uint32_t c_rto_at;		/* retransmission / persist */
	uint32_t c_dack_at;		/* delayed ACK */
	uint32_t c_idle_at;		/* idle timeout / FIN_WAIT_2 / TW */
	uint32_t c_last_rx_ms;
	struct timer_node c_timer;
	TAILQ_ENTRY(sg_conn) c_bw_link;	/* on w_budget_waiters while
					   CF_BUDGET_WAIT */
	TAILQ_ENTRY(sg_conn) c_tw_link;	/* on w_tw_list while in TIME-WAIT
					   and given back (tqe_prev NULL
					   otherwise) */
	struct rte_mbuf *c_snd[CONN_SND_SLOTS];

	/* ---- shared, written by the worker (read by the app) ----------- */
	uint64_t c_rx_in __rte_cache_aligned;	/* bytes queued */
	uint64_t c_tx_acked;		/* bytes acked and freed */
	uint8_t c_peer_fin;		/* all data is in rxq */
	uint8_t c_reset;		/* reset / aborted */
	uint8_t c_wnd_small;		/* the window it offered is under
					   half the buffer: reads must tell
					   it (CMD_WINDOW) */
	uint32_t c_gen;			/* odd: live, even: in the pool */
	struct mbq_prod c_rxq_p;	/* worker -> app: payload mbufs */
	struct mbq_cons c_txq_c;	/* app -> worker: mbufs to send */

	/* ---- shared, written by both sides (atomic read-modify-write) --- */
	uint32_t c_cmd __rte_cache_aligned;	/* CMD_*: app sets, worker
						   takes */
	uint32_t c_ev;			/* SG_EV_* | EV_QUEUED: worker sets,
					   the poller's consumer clears */
	uint8_t c_want_write;		/* app sets when sg_send hit a full
					   buffer, worker clears to wake */
	uint8_t c_held;			/* app holds it: set by the worker
					   before the accept push, cleared
					   by the first sg_close/sg_abort */
	uint64_t c_rx_read;		/* bytes consumed: the app writes
					   after a read, the worker reads */
	struct sg_poller *c_poller;	/* where events go: the app sets,
					   the worker reads, atomic */
	void *c_user;			/* the app's, set once */

	/* ---- app (the one thread using it) -------------------------------
	 * Its own cache line: the worker's writes above and in its section
	 * never invalidate what the application thread reads and writes on
	 * every call. */
	struct rte_mbuf *c_app_rx __rte_cache_aligned;	/* partly read */
	uint64_t c_app_read;		/* bytes read by the app */
	uint64_t c_app_sent;		/* bytes queued by the app */
	bool c_app_eof;			/* sg_recv returned 0 */
	bool c_app_shut;		/* sg_shutdown called */
	struct mbq_cons c_rxq_c;	/* the two queues' application */
	struct mbq_prod c_txq_p;	/* halves */
} __rte_cache_aligned;

/* Bytes an application may queue with sg_send() beyond what is acked. */
#define CONN_SND_BUF(c) \
	((uint32_t)(CONN_TXQ_SLOTS + CONN_SND_SLOTS) * (c)->c_smss)

/* ---- conn.c: life ------------------------------------------------- */

/* Memory of a connection object: the struct and its two rings. */
size_t conn_obj_size(void);

/* Set up a connection object's rings (once per mempool object). */
int conn_obj_init(struct sg_conn *c);

/* Worker: the handshake e completed with segment `in` (hash sig) on port
 * pi: a connection, ESTABLISHED and mapped, or NULL when there is no
 * room (pool, --conn-max, flow table).  The caller hands it `in` next
 * (conn_segment). */
struct sg_conn *conn_create(struct worker *w, unsigned pi,
			    const struct pkt_info *in, uint32_t sig,
			    const struct synq_entry *e, uint32_t ts_off);

/* Worker: post events to the application (SG_EV_*). */
void conn_post(struct sg_conn *c, uint32_t ev);

/* Worker: free everything queued for sending (retransmission queue and
 * tx ring). */
void conn_drop_send(struct worker *w, struct sg_conn *c);

/* Worker: c stops being an orphan (it reached TIME-WAIT or CLOSED). */
void conn_orphan_done(struct worker *w, struct sg_conn *c);

/* Worker: c is (again) in TIME-WAIT, or was given back in it: when the
 * application is done with it, it may be recycled, oldest first, if a
 * new connection finds no room (conn_create). */
void conn_tw_track(struct worker *w, struct sg_conn *c);

/* Worker: move to CLOSED: unmap, stop timers, free if the app is done. */
void conn_closed(struct worker *w, struct sg_conn *c);

/* Worker: return c to the pool: drop its queued mbufs, bump its
 * generation.  Only when CLOSED and given back; nothing is sent. */
void conn_free(struct worker *w, struct sg_conn *c);

/* Worker: start loading the lines of c that a command or a close reads
 * and writes (the fixed and TCP fields, the links, the generation, the
 * command and event words, the send queue's producer end). */
static inline void
conn_prefetch(const struct sg_conn *c)
{
	rte_prefetch0(&c->c_flow);
	rte_prefetch0(&c->c_owner);
	rte_prefetch0(&c->c_state);
	rte_prefetch0(&c->c_timer);
	rte_prefetch0(&c->c_tw_link);
	rte_prefetch0(&c->c_gen);
	rte_prefetch0(&c->c_cmd);
	rte_prefetch0(&c->c_txq_p);
}

/* Name of a state, for logs and tests. */
const char *conn_state_name(unsigned s);

/* ---- conn_timer.c: deadlines ---------------------------------------- */

/* What ct_due found expired. */
#define CT_IDLE		0x1	/* idle timeout, FIN_WAIT_2 or TIME-WAIT */
#define CT_DACK		0x2	/* delayed ACK */
#define CT_RTO		0x4	/* retransmission or window probe */

void ct_init(struct worker *w, struct sg_conn *c);	/* created */
void ct_sent(struct worker *w, struct sg_conn *c);	/* data/FIN out */
void ct_ack_sent(struct sg_conn *c);			/* an ACK went */
void ct_acked(struct worker *w, struct sg_conn *c);	/* new data acked */
void ct_delack(struct worker *w, struct sg_conn *c);	/* ACK may wait */
void ct_probe_sent(struct worker *w, struct sg_conn *c); /* window probe */
void ct_progress(struct worker *w, struct sg_conn *c);	/* data or ACK in */
void ct_fin_wait_2(struct worker *w, struct sg_conn *c);
void ct_time_wait(struct worker *w, struct sg_conn *c);
void ct_stop(struct worker *w, struct sg_conn *c);	/* CLOSED */
/* Which deadlines have passed (CT_*), cleared. */
unsigned ct_due(struct worker *w, struct sg_conn *c);
/* Arm the connection's wheel node at its earliest deadline. */
void conn_rearm(struct worker *w, struct sg_conn *c);

/* ---- conn_tx.c: output, commands, expiry ---------------------------- */

/* Worker: send what the window allows, FIN, a pending ACK. */
void conn_output(struct worker *w, struct sg_conn *c);

/* Worker: send a bare ACK now. */
void conn_send_ack(struct worker *w, struct sg_conn *c);

/* Worker: RST the peer (unless it reset us), mark closed, post events. */
void conn_reset(struct worker *w, struct sg_conn *c, bool send_rst);

/* Worker: the application posted commands (c_cmd bits). */
void conn_command(struct worker *w, struct sg_conn *c);

/* Worker: c's timer fired. */
void conn_timeout(struct worker *w, struct sg_conn *c);

/* Worker: the window we can advertise now, bytes. */
uint32_t conn_rcv_window(const struct worker *w, const struct sg_conn *c);

/* ---- conn_rx.c: input ------------------------------------------------ */

/*
 * Worker: a segment for c arrived.  Takes m and returns true; returns
 * false (m untouched, c gone) for a SYN that ended TIME-WAIT: the caller
 * treats it as a segment for no connection.
 */
bool conn_segment(struct worker *w, struct sg_conn *c, struct rte_mbuf *m,
		  const struct pkt_info *in);

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* Does the application hold c (accepted, not yet given back)? */
static inline bool
conn_app_holds(const struct sg_conn *c)
{
	return __atomic_load_n(&c->c_held, __ATOMIC_ACQUIRE) != 0;
}

/* The flow-table key of c: a struct flow4 or flow6 (c_family). */
static inline const void *
conn_key(const struct sg_conn *c)
{
	return c->c_family == 6 ? (const void *)&c->c_flow6 :
				  (const void *)&c->c_flow;
}

#endif /* SG_CONN_H */
