/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop and the server side of the TCP handshake.
 *
 * Per burst: parse every frame (pkt_parse), answer ARP / ICMP echo in
 * place, hash the TCP 4-tuples, look them all up in one bulk call with
 * prefetching, then run each segment through the handshake:
 *
 *   miss, SYN           -> listener? half-open entry + SYN-ACK, or cookie
 *   miss, ACK           -> cookie check (only while cookies were recently
 *                          sent on that listener), else RST (rate-limited)
 *   half-open entry     -> duplicate SYN: same SYN-ACK again; RST in
 *                          window: drop entry; ACK = ISN+1: promote
 *   connection          -> RST marks it reset; the rest waits for the
 *                          data path
 *
 * Replies are written into the received mbuf where one is at hand (SYN ->
 * SYN-ACK, bad segment -> RST, ARP, ICMP), and go to the L2 source of the
 * frame they answer.  No locks; the only atomic operations are on the
 * rings shared with application threads (accept: single-producer enqueue;
 * commands: single-consumer dequeue), once per connection, not per packet.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "accept.h"
#include "conn.h"
#include "cookie.h"
#include "engine.h"
#include "invariant.h"
#include "isn.h"
#include "worker.h"

/* RFC 9293 3.7.1: without an MSS option the peer can take 536 bytes. */
#define TCP_DEFAULT_MSS		536
/* RFC 7323 2.3: a shift above 14 is taken as 14. */
#define TCP_MAX_WSCALE		14
/* Linux TCP_RTO_MAX: the SYN-ACK back-off never waits longer. */
#define SYNACK_RTO_MAX_MS	120000u
/* Cookie ACKs are checked while a cookie sent on the listener can still
 * be valid: its full lifetime, two time ticks. */
#define COOKIE_WINDOW_MS \
	((COOKIE_MAX_AGE_TICKS + 1) * COOKIE_TICK_SEC * 1000u)

/* Segments of the current burst that changed the flow table: a later
 * segment of the same burst with the same hash is looked up again, since
 * its bulk lookup result may be stale. */
struct rx_mut {
	unsigned n;
	uint32_t sig[WORKER_BURST];
};

static inline const struct sg_params *
params(const struct worker *w)
{
	return &w->w_engine->e_params;
}

static inline bool
seq_in_window(uint32_t seq, uint32_t start, uint32_t wnd)
{
	return (uint32_t)(seq - start) < wnd;
}

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

static inline void
drop(struct worker *w, struct rte_mbuf *m, enum sg_drop why)
{
	w->w_stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/* ---- transmit ---------------------------------------------------------- */

static void
port_flush(struct worker *w, struct worker_port *p)
{
	uint16_t n = p->wp_ntx, sent = 0, k;
	uint64_t bytes = 0;
	unsigned i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		bytes += p->wp_tx[i]->pkt_len;
	/* One retry: a full TX ring usually drains within a burst time. */
	for (i = 0; i < 2 && sent < n; i++) {
		k = p->wp_sink != NULL ?
			p->wp_sink(p->wp_sink_ctx, p->wp_tx + sent, n - sent) :
			rte_eth_tx_burst(p->wp_port, p->wp_queue,
					 p->wp_tx + sent, n - sent);
		sent += k;
	}
	for (i = sent; i < n; i++) {
		bytes -= p->wp_tx[i]->pkt_len;
		drop(w, p->wp_tx[i], SG_DROP_TX_FULL);
	}
	w->w_stats.tx_pkts += sent;
	w->w_stats.tx_bytes += bytes;
	p->wp_ntx = 0;
}

void
worker_flush(struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->w_nports; i++)
		port_flush(w, &w->w_ports[i]);
}

static inline void
tx_push(struct worker *w, unsigned pi, struct rte_mbuf *m)
{
	struct worker_port *p = &w->w_ports[pi];

	if (p->wp_ntx == WORKER_TX_BUF)
		port_flush(w, p);
	p->wp_tx[p->wp_ntx++] = m;
}

/* Make m a single-segment frame of len bytes, ready for TX; tcp_family
 * 4 or 6 asks for TCP checksum offload where the port has it, 0 none. */
static inline void
mbuf_set_frame(const struct worker_port *p, struct rte_mbuf *m, uint32_t len,
	       unsigned tcp_family)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->ol_flags = 0;
	if (tcp_family == 4 && p->wp_ck_off) {
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			      RTE_MBUF_F_TX_TCP_CKSUM;
		m->l2_len = PKT_ETH_LEN;
		m->l3_len = PKT_IP4_LEN;
	} else if (tcp_family == 6 && p->wp_ck_off) {
		m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
		m->l2_len = PKT_ETH_LEN;
		m->l3_len = PKT_IP6_LEN;
	}
}

/*
 * Send the TCP segment t on port pi, written into m when given (the frame
 * being answered: t holds copies of everything read from it), else into a
 * fresh mbuf.
 */
void
worker_tcp_send(struct worker *w, unsigned pi, struct rte_mbuf *m,
		const struct pkt_tcp_out *t)
{
	const struct worker_port *p = &w->w_ports[pi];
	uint32_t need = PKT_TCP_MAX_HDR + (uint32_t)t->data_len, len;

	if (m == NULL) {
		m = rte_pktmbuf_alloc(w->w_mbufs);
		if (m == NULL) {
			w->w_stats.drops[SG_DROP_NO_MBUF]++;
			return;
		}
	}
	/* Never write past the buffer: the received frame being answered
	 * may come from a pool with smaller mbufs (and c_smss keeps data
	 * segments within ours). */
	if ((uint32_t)(m->buf_len - m->data_off) < need) {
		SG_VERIFY(t->data_len == 0, "segment_fits_mbuf", "%u bytes "
			  "of payload, %u of room", t->data_len,
			  (unsigned)(m->buf_len - m->data_off));
		drop(w, m, SG_DROP_NO_MBUF);
		return;
	}
	len = pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *), t,
			     p->wp_ck_off ? PKT_TX_CK_OFF : PKT_TX_CK_SW);
	mbuf_set_frame(p, m, len, t->family == 6 ? 6 : 4);
	tx_push(w, pi, m);
}

void
worker_tcp_out_init(struct pkt_tcp_out *t, const struct worker *w,
		    unsigned pi, unsigned family, const void *key,
		    const uint8_t *peer_mac)
{
	const struct worker_port *p = &w->w_ports[pi];

	t->family = (uint8_t)family;
	if (family == 6) {
		const struct flow6 *f6 = key;

		t->flow6 = *f6;
		t->flow.rport = f6->rport;
		t->flow.lport = f6->lport;
	} else {
		t->flow = *(const struct flow4 *)key;
	}
	memcpy(t->dst_mac, peer_mac, RTE_ETHER_ADDR_LEN);
	memcpy(t->src_mac, p->wp_mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	t->opts.o_present = 0;
	t->win = 0;
	t->data = NULL;
	t->data_len = 0;
}

/* Unsolicited RSTs: token bucket of rst_rate per second, burst of a
 * tenth of a second (at least one). */
bool
worker_reply_allowed(struct worker *w)
{
	uint32_t rate = params(w)->rst_rate;
	uint64_t cap = ((uint64_t)rate / 10 + 1) * 1000;
	uint32_t dt = w->w_now_ms - w->w_rst_last_ms;

	if (rate == 0)
		return false;
	w->w_rst_last_ms = w->w_now_ms;
	w->w_rst_tokens += (uint64_t)dt * rate;
	if (w->w_rst_tokens > cap)
		w->w_rst_tokens = cap;
	if (w->w_rst_tokens < 1000)
		return false;
	w->w_rst_tokens -= 1000;
	return true;
}

/*
 * Answer segment `in` with a RST per RFC 9293 3.10.7.1 (never a RST to a
 * RST), in place; counts `why` either way.  `limited`: subject to the
 * unsolicited-RST rate limit.
 */
static void
rst_reply(struct worker *w, unsigned pi, struct rte_mbuf *m,
	  const struct pkt_info *in, enum sg_drop why, bool limited)
{
	const struct rte_ether_hdr *eh;
	struct pkt_tcp_out t;

	w->w_stats.drops[why]++;
	if (in->tcp_flags & TCPF_RST) {
		rte_pktmbuf_free(m);
		return;
	}
	if (limited && !worker_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		rte_pktmbuf_free(m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	worker_tcp_out_init(&t, w, pi, in->family, pkt_flow_key(in),
			    eh->src_addr.addr_bytes);
	if (in->tcp_flags & TCPF_ACK) {
		t.seq = in->ack;
		t.ack = 0;
		t.flags = TCPF_RST;
	} else {
		t.seq = 0;
		t.ack = in->seq + in->payload_len +
			!!(in->tcp_flags & TCPF_SYN) +
			!!(in->tcp_flags & TCPF_FIN);
		t.flags = TCPF_RST | TCPF_ACK;
	}
	w->w_stats.rst_out++;
	worker_tcp_send(w, pi, m, &t);
}

/* ---- handshake --------------------------------------------------------- */

/* Record what a SYN asked for in e (a table entry or a stack one). */
static void
synq_fill(struct synq_entry *e, unsigned pi, const struct rte_mbuf *m,
	  const struct pkt_info *in, const struct sg_listener *l)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct pkt_tcp_opts *o = &in->opts;

	e->se_flow = in->flow;
	memcpy(e->se_peer_mac, eh->src_addr.addr_bytes, RTE_ETHER_ADDR_LEN);
	e->se_irs = in->seq;
	e->se_peer_win = in->win;
	e->se_listener = l->l_id;
	e->se_port = (uint8_t)pi;
	e->se_retries = 0;
	e->se_flags = in->family == 6 ? SE_V6 : 0;
	e->se_mss = TCP_DEFAULT_MSS;
	if (o->o_present & OPT_MSS) {
		e->se_flags |= SE_MSS;
		e->se_mss = o->o_mss;
	}
	e->se_wscale = 0;
	e->se_ts_recent = 0;
	if (o->o_present & OPT_WSCALE) {
		e->se_flags |= SE_WSCALE;
		e->se_wscale = RTE_MIN(o->o_wscale, TCP_MAX_WSCALE);
	}
	if (o->o_present & OPT_SACKOK)
		e->se_flags |= SE_SACK;
	if (o->o_present & OPT_TS) {
		e->se_flags |= SE_TS;
		e->se_ts_recent = o->o_tsval;
	}
	/* RFC 3168 6.1.1: an ECN-setup SYN has both ECE and CWR. */
	if ((in->tcp_flags & (TCPF_ECE | TCPF_CWR)) == (TCPF_ECE | TCPF_CWR))
		e->se_flags |= SE_ECN;
}

static inline unsigned
entry_family(const struct synq_entry *e)
{
	return (e->se_flags & SE_V6) ? 6 : 4;
}

/* Drop a half-open entry, unmapping it from its family's table. */
static inline void
synq_drop(struct worker *w, struct synq_entry *e, bool unmap)
{
	synq_remove(&w->w_synq, worker_ft(w, entry_family(e)), w->w_wheel, e,
		    unmap);
}

/* What the SYN e records asked for, as a cookie carries it. */
static void
entry_cookie_opts(const struct synq_entry *e, struct cookie_opts *co)
{
	co->mss = e->se_mss;
	co->wscale = e->se_wscale;
	co->has_ws = e->se_flags & SE_WSCALE;
	co->sack_ok = e->se_flags & SE_SACK;
	co->has_ts = e->se_flags & SE_TS;
	co->ecn = e->se_flags & SE_ECN;
}

/* The options of the SYN-ACK e describes: only those its SYN had (MSS
 * included: without it the peer assumes 536), so a first SYN-ACK is never
 * longer than its SYN and the acceptor never amplifies a flood in bytes. */
static void
synack_opts(const struct worker *w, const struct synq_entry *e,
	    struct pkt_tcp_opts *o)
{
	o->o_present = 0;
	if (e->se_flags & SE_MSS) {
		o->o_present |= OPT_MSS;
		o->o_mss = worker_mss(params(w), entry_family(e));
	}
	if (e->se_flags & SE_SACK)
		o->o_present |= OPT_SACKOK;
	if (e->se_flags & SE_TS) {
		o->o_present |= OPT_TS;
		o->o_tsecr = e->se_ts_recent;
	}
	if (e->se_flags & SE_WSCALE) {
		o->o_present |= OPT_WSCALE;
		o->o_wscale = CONN_RCV_WSCALE;
	}
}

/* The TSval offset of the connection e would become (RFC 7323 5.4): the
 * other half of the hash that made its ISN, recomputed (entries have no
 * room to keep it; this runs for retransmissions and promotions only). */
static uint32_t
entry_ts_off(const struct worker *w, const struct synq_entry *e,
	     const void *key)
{
	if (e->se_flags & SE_CKISN)
		return cookie_ts_offset(&w->w_ckeys, entry_family(e), key,
					e->se_irs, e->se_iss, w->w_now_sec);
	return isn_ts_offset(&w->w_engine->e_isn_key, entry_family(e), key);
}

/* Send the SYN-ACK that e describes for the flow with key `key`, into m
 * (or a fresh mbuf), with the TSval of a connection whose offset is
 * ts_off (when e's ISN is a cookie, one that carries the options, as
 * every SYN-ACK of it must). */
static void
synack_send(struct worker *w, const struct synq_entry *e, const void *key,
	    struct rte_mbuf *m, uint32_t ts_off)
{
	uint32_t tsval = w->w_now_ms + ts_off;
	struct pkt_tcp_out t;

	if ((e->se_flags & (SE_CKISN | SE_TS)) == (SE_CKISN | SE_TS)) {
		struct cookie_opts co;

		entry_cookie_opts(e, &co);
		tsval = cookie_tsval(tsval, &co);
	}
	worker_tcp_out_init(&t, w, e->se_port, entry_family(e), key,
			    e->se_peer_mac);
	t.seq = e->se_iss;
	t.ack = e->se_irs + 1;
	t.flags = TCPF_SYN | TCPF_ACK;
	t.win = CONN_RCV_WND;	/* RFC 7323 2.2: a SYN's window is unscaled */
	synack_opts(w, e, &t.opts);
	t.opts.o_tsval = tsval;
	worker_tcp_send(w, e->se_port, m, &t);
}

/* The half-open table is under pressure (past its high-water mark, or
 * full): cookies take over in `auto`, and unanswered SYN-ACKs are no
 * longer retransmitted (synack_timeout). */
static void
flood_enter(struct worker *w)
{
	if (!w->w_flood) {
		w->w_flood = true;
		w->w_flood_changed_ms = w->w_now_ms;
		w->w_stats.flood_on++;
		if (params(w)->cookies == SG_COOKIES_AUTO)
			w->w_stats.cookie_mode_on++;
	}
}

/* The cookie ISN for the SYN `in` that e records, and the TSval offset
 * of the connection it may become. */
static uint32_t
cookie_for(const struct worker *w, const struct pkt_info *in,
	   const struct synq_entry *e, uint32_t *ts_off)
{
	struct cookie_opts co;
	uint32_t tsval, isn;

	entry_cookie_opts(e, &co);
	isn = in->family == 6 ?
		cookie_make6(&w->w_ckeys, &in->flow6, in->seq, w->w_now_sec,
			     &co, 0, &tsval) :
		cookie_make(&w->w_ckeys, &in->flow, in->seq, w->w_now_sec,
			    &co, 0, &tsval);
	*ts_off = co.ts_off;
	return isn;
}

/* ACKs on listener l may carry a cookie from now until the longest a
 * cookie lives (cookie_window_open). */
static inline void
cookie_window_opens(struct worker *w, unsigned l)
{
	w->w_cookie_last_ms[l] = w->w_now_ms;
	w->w_cookie_sent[l] = true;
}

static void
cookie_synack(struct worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct pkt_info *in, const struct sg_listener *l)
{
	struct synq_entry se;
	uint32_t ts_off;

	synq_fill(&se, pi, m, in, l);
	se.se_iss = cookie_for(w, in, &se, &ts_off);
	se.se_flags |= SE_CKISN;
	cookie_window_opens(w, l->l_id);
	w->w_stats.cookies_sent++;
	synack_send(w, &se, pkt_flow_key(in), m, ts_off);
}

static void
syn_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	  const struct pkt_info *in, uint32_t sig, const struct sg_listener *l,
	  struct rx_mut *mut)
{
	const struct sg_params *pp = params(w);
	struct synq_entry *e;
	uint32_t ts_off;
	int err = 0;

	w->w_stats.syn_in++;
	if (pp->cookies == SG_COOKIES_ALWAYS ||
	    (pp->cookies == SG_COOKIES_AUTO && w->w_flood)) {
		cookie_synack(w, pi, m, in, l);
		return;
	}
	e = synq_insert(&w->w_synq, worker_ft(w, in->family), in->family,
			pkt_flow_key(in), sig, &err);
	if (e == NULL) {
		/* Full: flood mode.  A refused bucket (-EBUSY) only
		 * diverts this one SYN. */
		if (err == -ENOSPC)
			flood_enter(w);
		if (pp->cookies == SG_COOKIES_NEVER) {
			drop(w, m, SG_DROP_SYNQ_FULL);
			return;
		}
		cookie_synack(w, pi, m, in, l);
		return;
	}
	mut_note(mut, sig);
	synq_fill(e, pi, m, in, l);
	if (pp->cookies == SG_COOKIES_NEVER) {
		e->se_iss = isn_make_any(&w->w_engine->e_isn_key, in->family,
					 pkt_flow_key(in), w->w_now_us,
					 &ts_off);
	} else {
		/* FreeBSD's syncache way: while cookies may be used, the
		 * entry's ISN is a cookie too, so an ACK that finds the
		 * entry gone (pruned under a flood, timed out, refused on
		 * overflow) still completes as a cookie. */
		e->se_iss = cookie_for(w, in, e, &ts_off);
		e->se_flags |= SE_CKISN;
	}
	timer_arm(w->w_wheel, &e->se_timer, w->w_now_ms + pp->synack_rto_ms);
	w->w_stats.synq_added++;
	w->w_stats.synack_out++;
	synack_send(w, e, pkt_flow_key(in), m, ts_off);
	if (synq_used(&w->w_synq) >= w->w_synq_high)
		flood_enter(w);
}

void
worker_conn_free(struct worker *w, struct sg_conn *c)
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
	while (rte_ring_sc_dequeue(c->c_rxq, (void **)&m) == 0) {
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
	rte_mempool_put(w->w_conns, c);
	w->w_conns_used--;
	w->w_stats.conn_freed++;
}

/* The accept ring or the connection table is full. */
static void
overflow(struct worker *w, unsigned pi, struct rte_mbuf *m,
	 const struct pkt_info *in, uint32_t sig, struct synq_entry *e,
	 enum sg_drop why, struct rx_mut *mut)
{
	bool in_table = !(e->se_flags & SE_COOKIE);

	if (why == SG_DROP_ACCEPT_OVERFLOW)
		w->w_listen_overflow[e->se_listener]++;
	if (params(w)->overflow == SG_OVERFLOW_DROP) {
		/* Like Linux without tcp_abort_on_overflow: ignore the ACK;
		 * the entry stays and the client's retransmission (or our
		 * SYN-ACK retransmission) gives it another chance. */
		w->w_stats.overflow_drop++;
		drop(w, m, why);
		return;
	}
	w->w_stats.overflow_reset++;
	if (in_table) {
		synq_drop(w, e, true);
		mut_note(mut, sig);
	}
	rst_reply(w, pi, m, in, why, false);
}

/*
 * The handshake completed (e: the table entry, or a stack entry rebuilt
 * from a cookie): create the connection, map it, queue it for accept.
 */
static void
promote(struct worker *w, unsigned pi, struct rte_mbuf *m,
	const struct pkt_info *in, uint32_t sig, struct synq_entry *e,
	uint32_t ts_off, struct sg_listener *l, struct rx_mut *mut)
{
	bool in_table = !(e->se_flags & SE_COOKIE);
	struct sg_conn *c;
	void *obj;

	if (!accept_ring_has_room(l, w->w_id)) {
		overflow(w, pi, m, in, sig, e, SG_DROP_ACCEPT_OVERFLOW, mut);
		return;
	}
	if (w->w_conns_used >= params(w)->conn_max ||
	    rte_mempool_get(w->w_conns, &obj) < 0) {
		overflow(w, pi, m, in, sig, e, SG_DROP_CONN_FULL, mut);
		return;
	}
	c = obj;
	SG_VERIFY(!(c->c_gen & 1) && !timer_armed(&c->c_timer),
		  "conn_alloc_free", "pool gave conn %p gen %u state %s, "
		  "timer armed %d", (void *)c, c->c_gen,
		  conn_state_name(c->c_state), timer_armed(&c->c_timer));
	/* A table entry's key is already mapped: replacing the value
	 * cannot fail.  A cookie connection needs a new key. */
	if (flow_add(worker_ft(w, in->family), pkt_flow_key(in), sig, c) < 0) {
		rte_mempool_put(w->w_conns, c);
		overflow(w, pi, m, in, sig, e, SG_DROP_CONN_FULL, mut);
		return;
	}
	mut_note(mut, sig);
	w->w_conns_used++;
	/* A new life (odd): references to the previous one are stale. */
	__atomic_store_n(&c->c_gen, c->c_gen + 1, __ATOMIC_RELEASE);

	c->c_flow = in->flow;
	c->c_family = in->family;
	if (in->family == 6)
		c->c_flow6 = in->flow6;
	c->c_iss = e->se_iss;
	c->c_irs = e->se_irs;
	c->c_ts_off = ts_off;
	memcpy(c->c_peer_mac, e->se_peer_mac, RTE_ETHER_ADDR_LEN);
	c->c_port = (uint8_t)pi;
	c->c_worker = (uint8_t)w->w_id;
	c->c_listener = l->l_id;
	c->c_owner = w;
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
	c->c_opts.via_cookie = !in_table;
	c->c_first_len = 0;
	conn_established(w, c, in->win);
	c->c_ts_recent = (in->opts.o_present & OPT_TS) ? in->opts.o_tsval :
			 e->se_ts_recent;
	if (in_table)
		synq_drop(w, e, false);

	if (in->payload_len != 0 && !worker_credit_take(w)) {
		/* No mbuf credit for data (budget.h): the connection is
		 * made, the data (and a FIN after it) is not taken; the
		 * peer sends it again. */
		w->w_stats.drops[SG_DROP_CONN_NOMEM]++;
		rte_pktmbuf_free(m);
	} else if (in->payload_len != 0) {
		/* RFC 9293 3.10.7.4: data on the completing ACK is
		 * accepted: it is the first thing sg_recv returns (and
		 * sg_conn_first_data peeks at it until then). */
		rte_pktmbuf_adj(m, in->payload_off);
		rte_pktmbuf_trim(m, m->pkt_len - in->payload_len);
		m->ol_flags = 0;
		c->c_first_len = in->payload_len;
		/* An empty ring of a fresh connection: cannot fail. */
		(void)rte_ring_sp_enqueue(c->c_rxq, m);
		c->c_rcv_nxt += in->payload_len;
		c->c_rx_in = in->payload_len;
		w->w_stats.first_data++;
		w->w_stats.seg_in++;
		conn_post(c, SG_EV_READABLE);
		conn_send_ack(w, c);
	} else {
		rte_pktmbuf_free(m);
	}
	if ((in->tcp_flags & TCPF_FIN) &&
	    c->c_rcv_nxt == in->seq + in->payload_len) {
		/* A FIN on the third segment: data then end of stream. */
		c->c_rcv_nxt++;
		c->c_state = CONN_CLOSE_WAIT;
		c->c_peer_fin = 1;
		conn_post(c, SG_EV_READABLE | SG_EV_PEER_CLOSED);
		conn_send_ack(w, c);
	}
	conn_rearm(w, c);
	/* The application holds it from now until sg_close/sg_abort. */
	__atomic_store_n(&c->c_held, 1, __ATOMIC_RELAXED);
	/* Room was checked above and only this worker produces; the push
	 * releases every field written above. */
	(void)accept_ring_push(l, w->w_id, c);
	w->w_stats.accepted++;
}

static void
synq_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	   const struct pkt_info *in, uint32_t sig, struct synq_entry *e,
	   struct rx_mut *mut)
{
	uint8_t fl = in->tcp_flags;

	if (fl & TCPF_RST) {
		/* RFC 9293 3.10.7.4: an RST in the window of SYN-RECEIVED
		 * ends the attempt. */
		if (!seq_in_window(in->seq, e->se_irs + 1, CONN_RCV_WND)) {
			drop(w, m, SG_DROP_SYNQ_BAD_SEQ);
			return;
		}
		synq_drop(w, e, true);
		mut_note(mut, sig);
		w->w_stats.synq_reset++;
		rte_pktmbuf_free(m);
		return;
	}
	if (fl & TCPF_SYN) {
		if (fl & TCPF_ACK) {
			drop(w, m, SG_DROP_SYNQ_OTHER);
			return;
		}
		/* A retransmitted SYN: the SYN-ACK was lost.  Same ISN, same
		 * options, timer unchanged (RFC 9293 3.10.7.4).  A SYN with
		 * another ISN gets the same answer: its ACK won't match and
		 * the peer resets, freeing the entry.  Answers come out of
		 * the reply budget (Linux rate-limits them too): they carry
		 * the first SYN's options, so a spoofed copy without any
		 * would otherwise draw a longer reply than itself, and a
		 * storm of copies as many replies. */
		w->w_stats.syn_dup++;
		if (!worker_reply_allowed(w)) {
			w->w_stats.rst_ratelimited++;
			rte_pktmbuf_free(m);
			return;
		}
		synack_send(w, e, synq_key(&w->w_synq, e), m,
			    entry_ts_off(w, e, synq_key(&w->w_synq, e)));
		return;
	}
	if (!(fl & TCPF_ACK)) {
		drop(w, m, SG_DROP_SYNQ_OTHER);
		return;
	}
	if (in->ack != e->se_iss + 1) {
		/* RFC 9293 3.10.7.4: unacceptable ACK -> <SEQ=SEG.ACK><RST>. */
		rst_reply(w, pi, m, in, SG_DROP_SYNQ_BAD_ACK, true);
		return;
	}
	if (in->seq != e->se_irs + 1) {
		drop(w, m, SG_DROP_SYNQ_BAD_SEQ);
		return;
	}
	promote(w, pi, m, in, sig, e,
		entry_ts_off(w, e, synq_key(&w->w_synq, e)),
		w->w_engine->e_listeners.lt_l[e->se_listener], mut);
}

static inline bool
cookie_window_open(const struct worker *w, const struct sg_listener *l)
{
	return w->w_cookie_sent[l->l_id] &&
	       (uint32_t)(w->w_now_ms - w->w_cookie_last_ms[l->l_id]) <
	       COOKIE_WINDOW_MS;
}

static void
cookie_ack_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		 const struct pkt_info *in, uint32_t sig,
		 struct sg_listener *l, struct rx_mut *mut)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	bool has_ts = in->opts.o_present & OPT_TS;
	struct cookie_opts co;
	struct synq_entry e;

	if (!(in->family == 6 ?
	      cookie_check6(&w->w_ckeys, &in->flow6, in->seq, in->ack,
			    w->w_now_sec, has_ts, in->opts.o_tsecr, &co) :
	      cookie_check(&w->w_ckeys, &in->flow, in->seq, in->ack,
			   w->w_now_sec, has_ts, in->opts.o_tsecr, &co))) {
		w->w_stats.cookies_failed++;
		rst_reply(w, pi, m, in, SG_DROP_COOKIE_BAD, true);
		return;
	}
	w->w_stats.cookies_ok++;
	memset(&e, 0, sizeof(e));
	e.se_flow = in->flow;
	e.se_iss = in->ack - 1;
	e.se_irs = in->seq - 1;
	memcpy(e.se_peer_mac, eh->src_addr.addr_bytes, RTE_ETHER_ADDR_LEN);
	e.se_mss = co.mss;
	e.se_wscale = co.wscale;
	e.se_listener = l->l_id;
	e.se_port = (uint8_t)pi;
	e.se_flags = SE_COOKIE | (in->family == 6 ? SE_V6 : 0) |
		     (co.has_ws ? SE_WSCALE : 0) |
		     (co.sack_ok ? SE_SACK : 0) | (co.has_ts ? SE_TS : 0) |
		     (co.ecn ? SE_ECN : 0);
	e.se_ts_recent = has_ts ? in->opts.o_tsval : 0;
	promote(w, pi, m, in, sig, &e, co.ts_off, l, mut);
}

/* A segment for no known flow. */
static void
listen_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	     const struct pkt_info *in, uint32_t sig, struct rx_mut *mut)
{
	struct sg_listener *l =
		listener_lookup(&w->w_engine->e_listeners, in->flow.lport);
	uint8_t fl = in->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST);

	if (fl == TCPF_SYN) {
		if (l == NULL)
			rst_reply(w, pi, m, in, SG_DROP_NO_LISTENER, true);
		else
			syn_input(w, pi, m, in, sig, l, mut);
		return;
	}
	if (fl == TCPF_ACK && l != NULL &&
	    (params(w)->cookies == SG_COOKIES_ALWAYS ||
	     cookie_window_open(w, l))) {
		cookie_ack_input(w, pi, m, in, sig, l, mut);
		return;
	}
	rst_reply(w, pi, m, in, SG_DROP_NO_FLOW, true);
}

/* ---- receive ----------------------------------------------------------- */

static inline unsigned
rx_cksum_flags(const struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags;
	unsigned ck = 0;

	switch (f & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:
		ck |= PKT_CK_IP_GOOD;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		ck |= PKT_CK_IP_BAD;
		break;
	}
	switch (f & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE:
		ck |= PKT_CK_L4_GOOD;
		break;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		ck |= PKT_CK_L4_BAD;
		break;
	}
	return ck;
}

static inline bool
ours4(const struct worker *w, uint32_t a)
{
	unsigned i;

	for (i = 0; i < w->w_naddr4; i++)
		if (w->w_addr4[i] == a)
			return true;
	return false;
}

static inline bool
ours6(const struct worker *w, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < w->w_naddr6; i++)
		if (memcmp(w->w_addr6[i], a, 16) == 0)
			return true;
	return false;
}

/* Is the destination of an IP packet pkt_parse accepted one of ours? */
static inline bool
ours(const struct worker *w, const struct pkt_info *in)
{
	return in->family == 6 ? ours6(w, in->flow6.laddr) :
				 ours4(w, in->flow.laddr);
}

/* Answer a neighbour solicitation for one of our IPv6 addresses. */
static void
nd_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	 const struct pkt_info *in)
{
	struct worker_port *p = &w->w_ports[pi];

	if (!ours6(w, in->flow6.laddr)) {
		drop(w, m, SG_DROP_ND_NOT_OURS);
		return;
	}
	if ((uint32_t)(m->buf_len - m->data_off) < PKT_ND_NA_LEN) {
		drop(w, m, SG_DROP_NO_MBUF);
		return;
	}
	/* An NS without a source link-layer option (DAD among them) is 8
	 * bytes shorter than our answer: those answers come out of the
	 * reply budget, so a flood of them is not amplified.  The IPv6
	 * length decides, not the frame's: padding is not a request. */
	if (in->l3_end - in->l3_off < PKT_ND_NA_LEN - PKT_ETH_LEN &&
	    !worker_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		rte_pktmbuf_free(m);
		return;
	}
	mbuf_set_frame(p, m, pkt_nd_na_reply(rte_pktmbuf_mtod(m, uint8_t *),
		       in, p->wp_mac.addr_bytes), 0);
	w->w_stats.nd_replies++;
	tx_push(w, pi, m);
}

/* Bulk lookups of the TCP segments of one family: idx[0..n) index the
 * burst arrays. */
static void
lookup_family(struct worker *w, unsigned family, const struct pkt_info *info,
	      const uint32_t *sig, const uint8_t *idx, unsigned n, void **hit)
{
	const void *keys[WORKER_BURST];
	uint32_t s[WORKER_BURST];
	void *h[WORKER_BURST];
	unsigned i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		keys[i] = pkt_flow_key(&info[idx[i]]);
		s[i] = sig[idx[i]];
	}
	flow_lookup_bulk(worker_ft(w, family), keys, s, n, h);
	for (i = 0; i < n; i++)
		hit[idx[i]] = h[i];
}

void
worker_rx(struct worker *w, unsigned pi, struct rte_mbuf **pkts, unsigned n)
{
	struct worker_port *p = &w->w_ports[pi];
	struct pkt_info info[WORKER_BURST];
	uint8_t idx4[WORKER_BURST], idx6[WORKER_BURST];
	uint32_t sig[WORKER_BURST];
	void *hit[WORKER_BURST];
	struct rte_mbuf *seg[WORKER_BURST];
	struct rx_mut mut = { .n = 0 };
	enum sg_drop why = SG_DROP_SHORT_FRAME;
	unsigned i, nt = 0, n4 = 0, n6 = 0;

	/* Pass 1: parse, answer ARP / ICMP / ND, hash the TCP flows. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
		struct pkt_info *in = &info[nt];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		w->w_stats.rx_pkts++;
		w->w_stats.rx_bytes += m->pkt_len;
		switch (pkt_parse(frame, m->data_len, rx_cksum_flags(m), in,
				  &why)) {
		case PKT_DROP:
			drop(w, m, why);
			break;
		case PKT_ARP:
			if (!ours4(w, in->flow.laddr)) {
				drop(w, m, SG_DROP_ARP_NOT_OURS);
				break;
			}
			mbuf_set_frame(p, m, pkt_arp_reply(frame,
				p->wp_mac.addr_bytes), 0);
			w->w_stats.arp_replies++;
			tx_push(w, pi, m);
			break;
		case PKT_ND_NS:
			nd_input(w, pi, m, in);
			break;
		case PKT_ICMP_ECHO:
			if (!ours(w, in)) {
				drop(w, m, SG_DROP_IP_NOT_OURS);
				break;
			}
			mbuf_set_frame(p, m, pkt_icmp_echo_reply(frame, in),
				       0);
			w->w_stats.icmp_replies++;
			tx_push(w, pi, m);
			break;
		case PKT_TCP:
			if (!ours(w, in)) {
				drop(w, m, SG_DROP_IP_NOT_OURS);
				break;
			}
			sig[nt] = flow_hash(worker_ft(w, in->family),
					    pkt_flow_key(in));
			if (in->family == 6)
				idx6[n6++] = (uint8_t)nt;
			else
				idx4[n4++] = (uint8_t)nt;
			seg[nt] = m;
			nt++;
			break;
		}
	}
	if (nt == 0)
		return;

	/* Pass 2: one bulk lookup per family (rte_hash prefetches the
	 * buckets), then prefetch the entries found. */
	lookup_family(w, 4, info, sig, idx4, n4, hit);
	lookup_family(w, 6, info, sig, idx6, n6, hit);
	for (i = 0; i < nt; i++)
		if (hit[i] != NULL)
			rte_prefetch0(synq_untag(hit[i]));

	/* Pass 3: the state machine. */
	for (i = 0; i < nt; i++) {
		void *h = hit[i];

		if (mut.n != 0 && mut_seen(&mut, sig[i]))
			h = flow_lookup(worker_ft(w, info[i].family),
					pkt_flow_key(&info[i]), sig[i]);
		SG_VERIFY(h == NULL || flow_value_live(w, h), "flow_value_live",
			  "flow table of worker %u maps a segment to %p, "
			  "which is not a live entry or connection", w->w_id,
			  h);
		if (h == NULL)
			listen_input(w, pi, seg[i], &info[i], sig[i], &mut);
		else if (flow_is_synq(h))
			synq_input(w, pi, seg[i], &info[i], sig[i],
				   synq_untag(h), &mut);
		else if (!conn_segment(w, h, seg[i], &info[i])) {
			/* TIME-WAIT gave way to a new SYN. */
			mut_note(&mut, sig[i]);
			listen_input(w, pi, seg[i], &info[i], sig[i], &mut);
		} else if (((struct sg_conn *)h)->c_state == CONN_CLOSED) {
			/* Unmapped (maybe freed: the pool object stays
			 * readable and keeps CLOSED until reused, which
			 * cannot happen before this check). */
			mut_note(&mut, sig[i]);
		}
	}
}

/* ---- invariants --------------------------------------------------------- */

bool
flow_value_live(const struct worker *w, void *h)
{
	if (flow_is_synq(h)) {
		const struct synq_entry *e = synq_untag(h);
		const struct synq *q = &w->w_synq;

		return e >= q->sq_entries && e < q->sq_entries + q->sq_cap &&
		       e->se_live;
	} else {
		const struct sg_conn *c = h;

		return (c->c_gen & 1) && c->c_owner == w &&
		       !(c->c_flags & CF_UNMAPPED);
	}
}

/* Every value of one flow table: live, and mapped under its own key. */
static int
audit_table(const struct worker *w, const struct flow_table *ft,
	    unsigned family, uint32_t *synq, uint32_t *conns,
	    uint32_t *orphans)
{
	const void *key;
	void *data;
	uint32_t it = 0;

	if (ft->ft_hash == NULL)
		return 0;
	while (rte_hash_iterate(ft->ft_hash, &key, &data, &it) >= 0) {
		const void *own;

		if (!flow_value_live(w, data))
			return -EINVAL;
		if (flow_is_synq(data)) {
			const struct synq_entry *e = synq_untag(data);

			own = synq_key(&w->w_synq, e);
			if (entry_family(e) != family)
				return -EINVAL;
			(*synq)++;
		} else {
			const struct sg_conn *c = data;

			own = conn_key(c);
			if (c->c_family != family)
				return -EINVAL;
			(*conns)++;
			*orphans += (c->c_flags & CF_ORPHAN) != 0;
		}
		if (memcmp(own, key, ft->ft_key_len) != 0)
			return -EINVAL;
	}
	return 0;
}

int
worker_audit(const struct worker *w)
{
	uint32_t synq = 0, conns = 0, orphans = 0;

	if (audit_table(w, &w->w_flows, 4, &synq, &conns, &orphans) < 0 ||
	    audit_table(w, &w->w_flows6, 6, &synq, &conns, &orphans) < 0)
		return -EINVAL;
	/* Every half-open entry is mapped; connections are mapped until
	 * CLOSED and held by the pool until freed; orphans are mapped. */
	if (synq != synq_used(&w->w_synq) || conns > w->w_conns_used ||
	    orphans != w->w_orphans ||
	    rte_mempool_in_use_count(w->w_conns) != w->w_conns_used)
		return -EINVAL;
	return 0;
}

/* ---- timers, commands, the loop ---------------------------------------- */

/* How long a half-open entry lives at most: its SYN-ACK schedule. */
static uint32_t
synack_lifetime_ms(const struct sg_params *pp)
{
	uint64_t t = 0;
	unsigned i;

	for (i = 0; i <= pp->synack_retries; i++)
		t += RTE_MIN((uint64_t)pp->synack_rto_ms << i,
			     (uint64_t)SYNACK_RTO_MAX_MS);
	return (uint32_t)t;
}

/* After a flood the entries it left are mostly spoofed too: they are
 * still pruned at their first timeout, for one SYN-ACK schedule after the
 * table came back under its low-water mark (hysteresis in time as well
 * as in occupancy), so that what a flood episode sends never outgrows
 * what it received. */
static bool
prune_hold(struct worker *w)
{
	if (w->w_prune_hold && !seq_lt(w->w_now_ms, w->w_prune_until))
		w->w_prune_hold = false;
	return w->w_prune_hold;
}

static void
synack_timeout(struct worker *w, struct synq_entry *e)
{
	const struct sg_params *pp = params(w);
	uint32_t rto;

	bool prune = w->w_flood || prune_hold(w);

	/* An entry dropped without an answer may still see its ACK: when
	 * its ISN is a cookie, let that ACK be checked as one. */
	if ((e->se_retries >= pp->synack_retries || prune) &&
	    (e->se_flags & SE_CKISN))
		cookie_window_opens(w, e->se_listener);
	if (e->se_retries >= pp->synack_retries) {
		w->w_stats.synq_timeout++;
		synq_drop(w, e, true);
		return;
	}
	if (prune) {
		/* Under a flood most entries are spoofed: retransmitting to
		 * them would multiply the flood and keep the table full.
		 * Drop the entry at its first timeout instead; a real client
		 * retransmits its SYN and is answered again (RFC 4987 3.4
		 * reduced SYN-RECEIVED timer). */
		w->w_stats.synq_pruned++;
		synq_drop(w, e, true);
		return;
	}
	e->se_retries++;
	w->w_stats.synack_retrans++;
	synack_send(w, e, synq_key(&w->w_synq, e), NULL,
		    entry_ts_off(w, e, synq_key(&w->w_synq, e)));
	/* Exponential back-off as Linux: rto << retries, capped. */
	rto = RTE_MIN((uint64_t)pp->synack_rto_ms << e->se_retries,
		      (uint64_t)SYNACK_RTO_MAX_MS);
	timer_arm(w->w_wheel, &e->se_timer, w->w_now_ms + rto);
}

static void
run_timers(struct worker *w)
{
	struct timer_node *ex[WORKER_TIMER_BATCH];
	unsigned n, i, rounds;

	for (rounds = 0; rounds < 4; rounds++) {
		n = timer_advance(w->w_wheel, w->w_now_ms, ex,
				  WORKER_TIMER_BATCH);
		for (i = 0; i < n; i++) {
			if (ex[i]->tn_kind == TK_SYNACK)
				synack_timeout(w, container_of(ex[i],
					struct synq_entry, se_timer));
			else if (ex[i]->tn_kind == TK_CONN)
				conn_timer(w, container_of(ex[i],
					struct sg_conn, c_timer));
		}
		if (n < WORKER_TIMER_BATCH)
			break;
	}
}

static void
run_commands(struct worker *w)
{
	struct conn_ref ref[WORKER_CMD_BATCH];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst_elem(w->w_cmd, ref, sizeof(ref[0]),
					   WORKER_CMD_BATCH, NULL);
	for (i = 0; i < n; i++) {
		struct sg_conn *c = ref[i].conn;

		/* A command is only posted while the application holds the
		 * connection, and taken before it is freed: one for a life
		 * that ended is a bug somewhere; never act on it. */
		SG_VERIFY(c->c_owner == w && ref[i].gen == c->c_gen,
			  "cmd_current_gen", "conn %p owner %u (worker %u) "
			  "queued gen %u, now %u, state %s", (void *)c,
			  c->c_worker, w->w_id, ref[i].gen, c->c_gen,
			  conn_state_name(c->c_state));
		if (c->c_owner != w || ref[i].gen != c->c_gen) {
			w->w_stats.stale_refs++;
			continue;
		}
		conn_command(w, c);
	}
}

static void
refresh_keys(struct worker *w)
{
	struct sg_engine *e = w->w_engine;
	uint32_t sn = rte_seqlock_read_begin(&e->e_ckeys_lock);
	struct cookie_keys k;

	if (sn == w->w_ckeys_seq)
		return;
	k = e->e_ckeys;
	if (rte_seqlock_read_retry(&e->e_ckeys_lock, sn))
		return;		/* being written: next poll */
	w->w_ckeys = k;
	w->w_ckeys_seq = sn;
}

int
worker_reserve_port(struct worker *w, uint32_t rx_desc, uint32_t tx_desc)
{
	int64_t need = (int64_t)rx_desc + tx_desc + WORKER_TX_BUF;

	/* Keep at least a few hundred credits for connection data. */
	if (w->w_budget.b_total - need < 8 * BUDGET_BATCH)
		return -ENOBUFS;
	w->w_budget.b_total -= need;
	w->w_budget.b_shared -= need;
	w->w_credit_low = (uint32_t)RTE_MAX(w->w_budget.b_total / 16,
					    (int64_t)4 * BUDGET_BATCH);
	return 0;
}

int
worker_attach_sink(struct worker *w, const uint8_t mac[6],
		   worker_sink_t sink, void *ctx)
{
	struct worker_port *p;

	if (w->w_nports == SG_MAX_PORTS)
		return -ENOSPC;
	if (worker_reserve_port(w, 0, 0) < 0)
		return -ENOBUFS;
	p = &w->w_ports[w->w_nports++];
	memset(p, 0, sizeof(*p));
	memcpy(p->wp_mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	p->wp_sink = sink;
	p->wp_sink_ctx = ctx;
	return 0;
}

static void
clock_set(struct worker *w, uint64_t now_us)
{
	w->w_now_us = now_us;
	w->w_now_ms = (uint32_t)(now_us / 1000);
	w->w_now_sec = w->w_unix_base + now_us / 1000000;
	refresh_keys(w);
}

/* Credits came back (budget.h): wake senders that found none, a few per
 * poll, while there is room for them. */
static void
wake_budget_waiters(struct worker *w)
{
	unsigned i;

	for (i = 0; i < 16 && !TAILQ_EMPTY(&w->w_budget_waiters) &&
		    budget_free(&w->w_budget, w->w_credit_cache) >=
		    2 * BUDGET_BATCH; i++) {
		struct sg_conn *c = TAILQ_FIRST(&w->w_budget_waiters);

		TAILQ_REMOVE(&w->w_budget_waiters, c, c_bw_link);
		c->c_flags &= ~CF_BUDGET_WAIT;
		if (__atomic_exchange_n(&c->c_want_write, 0, __ATOMIC_ACQ_REL))
			conn_post(c, SG_EV_WRITABLE);
	}
}

/* What follows receiving in every poll. */
static void
after_rx(struct worker *w)
{
	run_timers(w);
	run_commands(w);
	if (!TAILQ_EMPTY(&w->w_budget_waiters))
		wake_budget_waiters(w);
	if (w->w_flood && synq_used(&w->w_synq) <= w->w_synq_low) {
		w->w_flood = false;
		w->w_flood_changed_ms = w->w_now_ms;
		w->w_prune_hold = true;
		w->w_prune_until = w->w_now_ms +
				   synack_lifetime_ms(params(w));
	}
	worker_flush(w);
}

void
worker_tick(struct worker *w, uint64_t now_us)
{
	clock_set(w, now_us);
	after_rx(w);
}

unsigned
worker_poll(struct worker *w, uint64_t now_us)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	unsigned i, n, total = 0;

	clock_set(w, now_us);
	for (i = 0; i < w->w_nports; i++) {
		struct worker_port *p = &w->w_ports[i];

		if (p->wp_sink != NULL)
			continue;
		n = rte_eth_rx_burst(p->wp_port, p->wp_queue, pkts,
				     WORKER_BURST);
		if (n != 0)
			worker_rx(w, i, pkts, n);
		total += n;
	}
	after_rx(w);
	return total;
}

static void
idle(struct worker *w)
{
	uint32_t max = params(w)->idle_sleep_us;
	struct timespec ts;

	w->w_idle_polls++;
	if (w->w_idle_polls < WORKER_IDLE_PAUSE_POLLS)
		return;
	if (max == 0 || w->w_idle_polls < WORKER_IDLE_SLEEP_POLLS) {
		rte_pause();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->w_idle_sleep_us * 1000;
	nanosleep(&ts, NULL);
	w->w_idle_sleep_us = RTE_MIN(w->w_idle_sleep_us * 2, max);
}

int
sg_worker_main(void *arg)
{
	struct worker *w = arg;
	struct sg_engine *e = w->w_engine;

	while (!__atomic_load_n(&e->e_stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = rte_rdtsc();

		if (worker_poll(w, engine_now_us(e)) != 0) {
			/* Work done, not time spun: the cost per packet is
			 * busy_cycles over packets (like DPDK's lcore busy
			 * telemetry). */
			w->w_stats.busy_cycles += rte_rdtsc() - t0;
			w->w_idle_polls = 0;
			w->w_idle_sleep_us = 1;
		} else {
			idle(w);
		}
	}
	return 0;
}

/* ---- setup ------------------------------------------------------------- */

/* Each connection object carries its two rings, set up once here. */
static void
conn_obj_init_cb(struct rte_mempool *mp, void *arg, void *obj, unsigned i)
{
	(void)mp;
	(void)arg;
	(void)i;
	conn_obj_init(obj);
}

int
worker_init(struct worker *w, struct sg_engine *e, unsigned id, int socket)
{
	const struct sg_params *pp = &e->e_params;
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned i;
	int ret;

	w->w_engine = e;
	w->w_id = id;
	w->w_socket = socket;
	w->w_unix_base = e->e_unix_base;

	for (i = 0; i < pp->n_addrs; i++) {
		if (pp->addrs[i].family == 6)
			memcpy(w->w_addr6[w->w_naddr6++], pp->addrs[i].bytes,
			       16);
		else
			memcpy(&w->w_addr4[w->w_naddr4++],
			       pp->addrs[i].bytes, 4);
	}
	snprintf(name, sizeof(name), "sg%u_flows_%u", e->e_id, id);
	ret = flow_table_init(&w->w_flows, name,
			      2 * (pp->synq_size + pp->conn_max), 4, socket);
	if (ret < 0)
		return ret;
	if (w->w_naddr6 != 0) {
		snprintf(name, sizeof(name), "sg%u_flows6_%u", e->e_id, id);
		ret = flow_table_init(&w->w_flows6, name,
				      2 * (pp->synq_size + pp->conn_max), 6,
				      socket);
		if (ret < 0)
			goto err_flows;
	}
	ret = synq_init(&w->w_synq, pp->synq_size, w->w_naddr6 != 0, socket);
	if (ret < 0)
		goto err_flows6;
	ret = -ENOMEM;
	w->w_wheel = rte_zmalloc_socket("sg_wheel", sizeof(*w->w_wheel),
					RTE_CACHE_LINE_SIZE, socket);
	if (w->w_wheel == NULL)
		goto err_synq;
	timer_wheel_init(w->w_wheel, 0);
	snprintf(name, sizeof(name), "sg%u_mbufs_%u", e->e_id, id);
	/* One mbuf carries a whole frame: a full segment of --mss bytes
	 * with the largest headers we write (the port's MTU must match,
	 * the daemon checks), and at least the default 2 KiB. */
	w->w_seg_room = (uint16_t)RTE_MAX((unsigned)RTE_MBUF_DEFAULT_DATAROOM,
					  (unsigned)pp->mss + PKT_TCP_MAX_HDR);
	w->w_mbufs = rte_pktmbuf_pool_create(name, pp->mbufs,
		RTE_MIN(256u, pp->mbufs / 8), 0,
		(uint16_t)(w->w_seg_room + RTE_PKTMBUF_HEADROOM), socket);
	if (w->w_mbufs == NULL)
		goto err_wheel;
	snprintf(name, sizeof(name), "sg%u_conns_%u", e->e_id, id);
	/* Never DMA'd: objects may cross page boundaries (with 4 KiB pages
	 * a 2.2 KiB object would otherwise take a page of its own). */
	w->w_conns = rte_mempool_create(name, pp->conn_max, conn_obj_size(),
		0, 0, NULL, NULL, conn_obj_init_cb, NULL, socket,
		RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET |
		RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (w->w_conns == NULL)
		goto err_mbufs;
	snprintf(name, sizeof(name), "sg%u_cmd_%u", e->e_id, id);
	w->w_cmd = rte_ring_create_elem(name, sizeof(struct conn_ref),
					pp->conn_max, socket,
					RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (w->w_cmd == NULL)
		goto err_conns;

	/* Connection data may take the pool less its cache (which can hold
	 * 1.5 times its size) and a margin for replies; each port's
	 * descriptors and TX buffer are taken off as it is attached. */
	w->w_budget.b_total = (int64_t)pp->mbufs -
		3 * (int64_t)RTE_MIN(256u, pp->mbufs / 8) / 2 -
		WORKER_REPLY_MARGIN;
	w->w_budget.b_shared = w->w_budget.b_total;
	w->w_credit_low = (uint32_t)RTE_MAX(w->w_budget.b_total / 16,
					    (int64_t)4 * BUDGET_BATCH);
	TAILQ_INIT(&w->w_budget_waiters);
	/* A quarter of the table may be closing connections nobody holds;
	 * more are reset (they pin mbufs and slots for up to their retries
	 * or 2 MSL). */
	w->w_orphans_max = RTE_MAX(pp->conn_max / 4, 1u);
	w->w_synq_high = pp->synq_size - pp->synq_size / 8;
	w->w_synq_low = pp->synq_size / 2;
	w->w_rst_tokens = ((uint64_t)pp->rst_rate / 10 + 1) * 1000;
	w->w_idle_sleep_us = 1;
	w->w_ckeys_seq = rte_seqlock_read_begin(&e->e_ckeys_lock);
	w->w_ckeys = e->e_ckeys;
	return 0;

err_conns:
	rte_mempool_free(w->w_conns);
err_mbufs:
	rte_mempool_free(w->w_mbufs);
err_wheel:
	rte_free(w->w_wheel);
err_synq:
	synq_fini(&w->w_synq);
err_flows6:
	flow_table_fini(&w->w_flows6);
err_flows:
	flow_table_fini(&w->w_flows);
	return ret;
}

void
worker_fini(struct worker *w)
{
	unsigned i;

	/* Connections, their mbufs and pending commands go with the pools
	 * and rings freed below. */
	for (i = 0; i < w->w_nports; i++) {
		struct worker_port *p = &w->w_ports[i];

		rte_pktmbuf_free_bulk(p->wp_tx, p->wp_ntx);
		p->wp_ntx = 0;
	}
	rte_ring_free(w->w_cmd);
	rte_mempool_free(w->w_conns);
	rte_mempool_free(w->w_mbufs);
	rte_free(w->w_wheel);
	synq_fini(&w->w_synq);
	flow_table_fini(&w->w_flows6);
	flow_table_fini(&w->w_flows);
}
