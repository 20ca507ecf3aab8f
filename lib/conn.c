/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn — a connection's life on its worker: the pool object and its
 * rings, creation from a completed handshake (conn_create), events to the
 * application (conn_post), the move to CLOSED (conn_closed) and the one
 * way back to the pool (conn_free).  Input is conn_rx.c, output and the
 * application's commands conn_tx.c, deadlines conn_timer.c, the
 * application's calls conn_api.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "conn.h"
#include "flow.h"
#include "invariant.h"
#include "lcore.h"
#include "poller.h"
#include "synq.h"

static const char *const state_names[CONN_STATE_MAX] = {
	[CONN_ESTABLISHED] = "ESTABLISHED", [CONN_FIN_WAIT_1] = "FIN_WAIT_1",
	[CONN_FIN_WAIT_2] = "FIN_WAIT_2", [CONN_CLOSING] = "CLOSING",
	[CONN_TIME_WAIT] = "TIME_WAIT", [CONN_CLOSE_WAIT] = "CLOSE_WAIT",
	[CONN_LAST_ACK] = "LAST_ACK", [CONN_CLOSED] = "CLOSED",
};

const char *
conn_state_name(unsigned s)
{
	return s < CONN_STATE_MAX ? state_names[s] : "?";
}

int sg_mbq_next_off = -1;

int
mbq_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "syngate_mbq_next",
		.size = sizeof(struct rte_mbuf *),
		.align = __alignof__(struct rte_mbuf *),
	};
	int off = rte_mbuf_dynfield_register(&desc);

	if (off < 0)
		return -rte_errno;
	sg_mbq_next_off = off;
	return 0;
}

size_t
conn_obj_size(void)
{
	return RTE_ALIGN_CEIL(sizeof(struct sg_conn), RTE_CACHE_LINE_SIZE);
}

int
conn_obj_init(struct sg_conn *c)
{
	memset(c, 0, sizeof(*c));
	/* As many entries as the rings these queues replace held (one slot
	 * of a ring stays empty). */
	mbq_init(&c->c_rxq_p, &c->c_rxq_c, CONN_RXQ_SLOTS - 1);
	mbq_init(&c->c_txq_p, &c->c_txq_c, CONN_TXQ_SLOTS - 1);
	return 0;
}

static bool tw_recycle(struct worker *w);

/*
 * The handshake e (a table entry, or one rebuilt from a cookie) completed
 * with segment `in` on port pi: take a connection from the pool, map it
 * under in's flow (sig: its hash), and set it up ESTABLISHED.  Returns it,
 * or NULL when the pool, --conn-max or the flow table has no room.
 */
struct sg_conn *
conn_create(struct worker *w, unsigned pi, const struct pkt_info *in,
	    uint32_t sig, const struct synq_entry *e, uint32_t ts_off)
{
	const struct sg_params *pp = worker_params(w);
	struct sg_conn *c;
	uint32_t peer, mss;
	void *obj;

	while (w->w_conns_used >= pp->conn_max ||
	       rte_mempool_generic_get(w->w_conns, &obj, 1,
				       w->w_conn_cache) < 0)
		if (!tw_recycle(w))
			return NULL;
	c = obj;
	SG_VERIFY(!(c->c_gen & 1) && !timer_armed(&c->c_timer),
		  "conn_alloc_free", "pool gave conn %p gen %u state %s, "
		  "timer armed %d", (void *)c, c->c_gen,
		  conn_state_name(c->c_state), timer_armed(&c->c_timer));
	/* A table entry's key is already mapped: replacing the value
	 * cannot fail.  A cookie connection needs a new key. */
	if (flow_add(worker_ft(w, in->family), pkt_flow_key(in), sig, c) < 0) {
		rte_mempool_generic_put(w->w_conns, &obj, 1, w->w_conn_cache);
		return NULL;
	}
	w->w_conns_used++;
	/* A new life (odd): references to the previous one are stale. */
	__atomic_store_n(&c->c_gen, c->c_gen + 1, __ATOMIC_RELEASE);

	/* ---- fixed ---- */
	c->c_flow = in->flow;
	c->c_family = in->family;
	if (in->family == 6)
		c->c_flow6 = in->flow6;
	c->c_iss = e->se_iss;
	c->c_irs = e->se_irs;
	c->c_ts_off = ts_off;
	c->c_sig = sig;
	memcpy(c->c_peer_mac, e->se_peer_mac, RTE_ETHER_ADDR_LEN);
	c->c_port = (uint8_t)pi;
	c->c_worker = (uint8_t)w->w_id;
	c->c_listener = e->se_listener;
	c->c_owner = w;
	c->c_cmd_ring = w->w_cmd;
	c->c_budget = &w->w_budget;
	c->c_mbufs = w->w_mbufs;
	memset(&c->c_opts, 0, sizeof(c->c_opts));
	c->c_opts.mss = e->se_mss;
	if (e->se_flags & SE_WSCALE) {
		c->c_opts.wscale_ok = true;
		c->c_opts.snd_wscale = e->se_wscale;
		c->c_opts.rcv_wscale = CONN_RCV_WSCALE;
	}
	c->c_opts.sack_ok = e->se_flags & SE_SACK;
	c->c_opts.ts_ok = e->se_flags & SE_TS;
	c->c_opts.ecn_requested = e->se_flags & SE_ECN;
	c->c_opts.via_cookie = (e->se_flags & SE_COOKIE) != 0;
	c->c_first_len = 0;
	/* Our payload per segment: the smaller MSS -- a peer MSS below
	 * Linux's TCP_MIN_MSS taken as that (0 would underflow below) --
	 * less the timestamp option we put in every segment (RFC 7323,
	 * Linux), and never more than one of our mbufs carries with the
	 * headers. */
	peer = RTE_MAX((uint32_t)c->c_opts.mss, CONN_MIN_PEER_MSS);
	mss = RTE_MIN(peer, (uint32_t)worker_mss(pp, c->c_family));
	if (c->c_opts.ts_ok)
		mss -= PKT_TCP_TS_OPT_LEN;
	mss = RTE_MIN(mss, (uint32_t)w->w_seg_room - PKT_TCP_MAX_HDR);
	c->c_smss = (uint16_t)mss;

	/* ---- worker: TCP ---- */
	c->c_state = CONN_ESTABLISHED;
	c->c_flags = 0;
	c->c_dupacks = 0;
	c->c_rexmits = 0;
	c->c_segs_unacked = 0;
	c->c_snd_head = 0;
	c->c_snd_count = 0;
	c->c_snd_off = 0;
	c->c_snd_bytes = 0;
	c->c_snd_una = c->c_iss + 1;
	c->c_snd_nxt = c->c_snd_una;
	c->c_snd_max = c->c_snd_una;
	c->c_snd_wnd = (uint32_t)in->win << c->c_opts.snd_wscale;
	c->c_snd_wl1 = c->c_irs;
	c->c_snd_wl2 = c->c_iss;
	c->c_max_wnd = c->c_snd_wnd;
	/* RFC 5681 3.1 / RFC 6928: initial window of 10 segments. */
	c->c_cwnd = 10u * c->c_smss;
	c->c_ssthresh = UINT32_MAX / 2;
	c->c_rcv_nxt = c->c_irs + 1;
	c->c_rcv_adv = c->c_rcv_nxt + CONN_RCV_WND;
	c->c_ts_recent = (in->opts.o_present & OPT_TS) ? in->opts.o_tsval :
			 e->se_ts_recent;
	c->c_srtt = 0;
	c->c_rttvar = 0;
	c->c_rto = CONN_RTO_INIT_MS;
	c->c_last_rx_ms = w->w_now_ms;
	c->c_tw_link.tqe_prev = NULL;
	ct_init(w, c);

	/* ---- app and shared ---- */
	c->c_app_rx = NULL;
	c->c_app_read = 0;
	c->c_app_sent = 0;
	c->c_app_eof = false;
	c->c_app_shut = false;
	c->c_user = NULL;
	c->c_rx_in = 0;
	c->c_tx_acked = 0;
	c->c_peer_fin = 0;
	c->c_reset = 0;
	c->c_want_write = 0;
	c->c_wnd_small = 0;
	c->c_cmd = 0;
	c->c_ev = 0;
	c->c_poller = NULL;
	c->c_rx_read = 0;
	return c;
}

void
conn_post(struct sg_conn *c, uint32_t ev)
{
	struct sg_poller *p;
	uint32_t old;

	/* Given back: nobody looks at c's events any more (sg_close and
	 * sg_abort cleared c_poller, every call refuses the handle, the
	 * next life starts with none), so no locked instruction for them. */
	if (c->c_flags & CF_APP_CLOSED)
		return;
	old = __atomic_load_n(&c->c_ev, __ATOMIC_ACQUIRE);
	/* Already pending and queued: no atomic read-modify-write at all. */
	if ((old & (ev | EV_QUEUED)) == (ev | EV_QUEUED))
		return;
	/* Bits first, then the poller (sg_poller_add does the opposite):
	 * see poller.c. */
	__atomic_fetch_or(&c->c_ev, ev, __ATOMIC_SEQ_CST);
	p = __atomic_load_n(&c->c_poller, __ATOMIC_SEQ_CST);
	if (p != NULL)
		poller_enqueue(p, c);
}

void
conn_drop_send(struct worker *w, struct sg_conn *c)
{
	struct rte_mbuf *m;
	uint32_t n = 0;

	while (c->c_snd_count != 0) {
		rte_pktmbuf_free(c->c_snd[c->c_snd_head]);
		c->c_snd_head = (uint8_t)((c->c_snd_head + 1) %
					  CONN_SND_SLOTS);
		c->c_snd_count--;
		n++;
	}
	c->c_snd_bytes = 0;
	while (mbq_dequeue(&c->c_txq_p, &c->c_txq_c, &m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	worker_credit_give(w, n);
}

void
conn_orphan_done(struct worker *w, struct sg_conn *c)
{
	if (c->c_flags & CF_ORPHAN) {
		c->c_flags &= ~CF_ORPHAN;
		w->w_orphans--;
	}
}

static void
tw_untrack(struct worker *w, struct sg_conn *c)
{
	if (c->c_tw_link.tqe_prev != NULL) {
		TAILQ_REMOVE(&w->w_tw_list, c, c_tw_link);
		c->c_tw_link.tqe_prev = NULL;
	}
}

void
conn_tw_track(struct worker *w, struct sg_conn *c)
{
	tw_untrack(w, c);
	if (c->c_state == CONN_TIME_WAIT && (c->c_flags & CF_APP_CLOSED))
		TAILQ_INSERT_TAIL(&w->w_tw_list, c, c_tw_link);
}

/*
 * No room for a new connection: end the oldest TIME-WAIT the application
 * is done with (it is freed).  TIME-WAIT protects a 4-tuple's next
 * incarnation from old duplicates; it must not refuse new clients: Linux
 * likewise drops TIME-WAIT beyond tcp_max_tw_buckets.  Returns whether
 * one was recycled.
 */
static bool
tw_recycle(struct worker *w)
{
	struct sg_conn *c = TAILQ_FIRST(&w->w_tw_list);

	if (c == NULL)
		return false;
	w->w_stats.tw_recycled++;
	conn_closed(w, c);		/* frees it: given back */
	return true;
}

void
conn_closed(struct worker *w, struct sg_conn *c)
{
	conn_orphan_done(w, c);
	tw_untrack(w, c);
	if (!(c->c_flags & CF_UNMAPPED)) {
		struct flow_table *ft = worker_ft(w, c->c_family);

		flow_del(ft, conn_key(c), c->c_sig);
		c->c_flags |= CF_UNMAPPED;
	}
	if (c->c_state != CONN_CLOSED)
		w->w_stats.conn_closed++;
	c->c_state = CONN_CLOSED;
	ct_stop(w, c);
	conn_drop_send(w, c);
	/* A reader waiting for more learns there is none. */
	__atomic_store_n(&c->c_peer_fin, 1, __ATOMIC_RELEASE);
	conn_post(c, SG_EV_READABLE | SG_EV_PEER_CLOSED);
	if (c->c_flags & CF_APP_CLOSED)
		conn_free(w, c);
}

void
conn_free(struct worker *w, struct sg_conn *c)
{
	struct rte_mbuf *m;

	/* Freed once, only when TCP is done and the application gave it
	 * back: anything else is a reuse while live. */
	SG_VERIFY((c->c_gen & 1) && c->c_state == CONN_CLOSED &&
		  (c->c_flags & CF_APP_CLOSED) && (c->c_flags & CF_UNMAPPED) &&
		  !conn_app_holds(c) && c->c_owner == w, "conn_free_once",
		  "conn %p gen %u state %s flags %#x held %u owner %u "
		  "(freeing worker %u)", (void *)c, c->c_gen,
		  conn_state_name(c->c_state), c->c_flags, c->c_held,
		  c->c_worker, w->w_id);
	uint32_t n = 0;

	timer_cancel(w->w_wheel, &c->c_timer);
	while (mbq_dequeue(&c->c_rxq_p, &c->c_rxq_c, &m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	worker_credit_give(w, n);
	conn_drop_send(w, c);
	if (c->c_flags & CF_BUDGET_WAIT) {
		TAILQ_REMOVE(&w->w_budget_waiters, c, c_bw_link);
		c->c_flags &= ~CF_BUDGET_WAIT;
	}
	/* Stale commands and events naming c are recognised by the
	 * generation (even: in the pool). */
	__atomic_store_n(&c->c_gen, c->c_gen + 1, __ATOMIC_RELEASE);
	rte_mempool_generic_put(w->w_conns, (void **)&c, 1, w->w_conn_cache);
	w->w_conns_used--;
	w->w_stats.conn_freed++;
}


