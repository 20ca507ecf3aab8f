/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handshake — the server side of the TCP handshake, LISTEN and
 * SYN-RECEIVED (the FreeBSD syncache's job):
 *
 *   SYN, no entry       -> half-open entry + SYN-ACK (hs_listen_input), or
 *                          a cookie when the table is under pressure or
 *                          --cookies always; RST when nobody listens
 *   ACK, no entry       -> cookie check while cookies may be out, else
 *                          RST from the reply budget
 *   half-open entry     -> duplicate SYN: the same SYN-ACK from the reply
 *                          budget; RST in window: drop the entry; ACK =
 *                          ISN+1: promote (hs_synq_input)
 *   entry's timer       -> SYN-ACK retransmission with back-off, or prune
 *                          under a flood and for a hold-down after it
 *                          (hs_synack_timeout)
 *
 * Promotion creates the connection (conn_create), hands it the completing
 * segment (conn_segment: data and FIN on the third ACK) and pushes it on
 * the listener's accept ring.  Flood state (w_flood, the prune hold-down)
 * lives here too.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "accept.h"
#include "conn.h"
#include "cookie.h"
#include "handshake.h"
#include "isn.h"
#include "tx.h"

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

static inline bool
seq_in_window(uint32_t seq, uint32_t start, uint32_t wnd)
{
	return (uint32_t)(seq - start) < wnd;
}

/* RFC 3168 6.1.1: an ECN-setup SYN has both ECE and CWR. */
static inline bool
syn_ecn(const struct pkt_info *in)
{
	return (in->tcp_flags & (TCPF_ECE | TCPF_CWR)) ==
	       (TCPF_ECE | TCPF_CWR);
}

/* What a SYN asked for, as SE_* flags (its family's included). */
static inline uint8_t
syn_flags(const struct pkt_info *in)
{
	unsigned p = in->opts.o_present;
	uint8_t f = in->family == 6 ? SE_V6 : 0;

	if (p & OPT_MSS)
		f |= SE_MSS;
	if (p & OPT_WSCALE)
		f |= SE_WSCALE;
	if (p & OPT_SACKOK)
		f |= SE_SACK;
	if (p & OPT_TS)
		f |= SE_TS;
	if (syn_ecn(in))
		f |= SE_ECN;
	return f;
}

/* The SYN's MSS (RFC 9293's default without the option) and window shift
 * (RFC 7323 2.3: at most 14; 0 without the option). */
static inline uint16_t
syn_mss(const struct pkt_info *in)
{
	return in->opts.o_present & OPT_MSS ? in->opts.o_mss :
					      TCP_DEFAULT_MSS;
}

static inline uint8_t
syn_wscale(const struct pkt_info *in)
{
	return in->opts.o_present & OPT_WSCALE ?
	       RTE_MIN(in->opts.o_wscale, TCP_MAX_WSCALE) : 0;
}

/* The L2 source of the frame being answered. */
static inline const uint8_t *
frame_src_mac(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)
		->src_addr.addr_bytes;
}

/* Record what a SYN asked for in e (a table entry). */
static void
synq_fill(struct synq_entry *e, unsigned pi, const struct rte_mbuf *m,
	  const struct pkt_info *in, const struct sg_listener *l)
{
	e->se_flow = in->flow;
	memcpy(e->se_peer_mac, frame_src_mac(m), RTE_ETHER_ADDR_LEN);
	e->se_irs = in->seq;
	e->se_peer_win = in->win;
	e->se_listener = l->l_id;
	e->se_port = (uint8_t)pi;
	e->se_retries = 0;
	e->se_flags = syn_flags(in);
	e->se_mss = syn_mss(in);
	e->se_wscale = syn_wscale(in);
	e->se_ts_recent = e->se_flags & SE_TS ? in->opts.o_tsval : 0;
}

/* Drop a half-open entry, unmapping it from its family's table. */
static inline void
synq_drop(struct worker *w, struct synq_entry *e, bool unmap)
{
	synq_remove(&w->w_synq, worker_ft(w, synq_entry_family(e)), w->w_wheel, e,
		    unmap);
}

/* What a SYN asked for (SE_* flags, MSS, shift), as a cookie carries it. */
static inline void
cookie_opts_of(uint8_t flags, uint16_t mss, uint8_t wscale,
	       struct cookie_opts *co)
{
	co->mss = mss;
	co->wscale = wscale;
	co->has_ws = flags & SE_WSCALE;
	co->sack_ok = flags & SE_SACK;
	co->has_ts = flags & SE_TS;
	co->ecn = flags & SE_ECN;
}

static void
entry_cookie_opts(const struct synq_entry *e, struct cookie_opts *co)
{
	cookie_opts_of(e->se_flags, e->se_mss, e->se_wscale, co);
}

/* The same, read straight off the SYN (the cookie path keeps no flags). */
static inline void
syn_cookie_opts(const struct pkt_info *in, struct cookie_opts *co)
{
	unsigned p = in->opts.o_present;

	co->mss = syn_mss(in);
	co->wscale = syn_wscale(in);
	co->has_ws = p & OPT_WSCALE;
	co->sack_ok = p & OPT_SACKOK;
	co->has_ts = p & OPT_TS;
	co->ecn = syn_ecn(in);
}

/* The options of a SYN-ACK to a SYN that had the options `present`
 * (OPT_*): only those its SYN had (MSS included: without it the peer
 * assumes 536), so a first SYN-ACK is never longer than its SYN and the
 * acceptor never amplifies a flood in bytes.  The values of the options
 * left out are written too, and not sent. */
static inline void
synack_opts_of(const struct worker *w, unsigned present, unsigned family,
	       uint32_t ts_recent, struct pkt_tcp_opts *o)
{
	o->o_present = (uint8_t)(present &
				 (OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE));
	o->o_mss = worker_mss(worker_params(w), family);
	o->o_tsecr = ts_recent;
	o->o_wscale = CONN_RCV_WSCALE;
}

/* The same for a half-open entry's SE_* flags. */
static inline void
synack_opts(const struct worker *w, uint8_t flags, uint32_t ts_recent,
	    struct pkt_tcp_opts *o)
{
	unsigned present = (flags & SE_MSS ? OPT_MSS : 0) |
			   (flags & SE_SACK ? OPT_SACKOK : 0) |
			   (flags & SE_TS ? OPT_TS : 0) |
			   (flags & SE_WSCALE ? OPT_WSCALE : 0);

	synack_opts_of(w, present, flags & SE_V6 ? 6 : 4, ts_recent, o);
}

/* The TSval offset of the connection e would become (RFC 7323 5.4): the
 * other half of the hash that made its ISN, recomputed (entries have no
 * room to keep it; this runs for retransmissions and promotions only). */
static uint32_t
entry_ts_off(const struct worker *w, const struct synq_entry *e,
	     const void *key)
{
	if (e->se_flags & SE_CKISN)
		return cookie_ts_offset(&w->w_ckeys, synq_entry_family(e), key,
					e->se_irs, e->se_iss, w->w_now_sec);
	return isn_ts_offset(&w->w_engine->e_isn_key, synq_entry_family(e), key);
}

/* The header of the SYN-ACK that e describes, into t, with the TSval of
 * a connection whose offset is ts_off (when e's ISN is a cookie, one
 * that carries the options, as every SYN-ACK of it must). */
static void
synack_header(const struct worker *w, const struct synq_entry *e,
	      uint32_t ts_off, struct pkt_tcp_out *t)
{
	uint32_t tsval = w->w_now_ms + ts_off;

	if ((e->se_flags & (SE_CKISN | SE_TS)) == (SE_CKISN | SE_TS)) {
		struct cookie_opts co;

		entry_cookie_opts(e, &co);
		tsval = cookie_tsval(tsval, &co);
	}
	t->seq = e->se_iss;
	t->ack = e->se_irs + 1;
	t->flags = TCPF_SYN | TCPF_ACK;
	t->win = CONN_RCV_WND;	/* RFC 7323 2.2: a SYN's window is unscaled */
	synack_opts(w, e->se_flags, e->se_ts_recent, &t->opts);
	t->opts.o_tsval = tsval;
}

/* Send the SYN-ACK that e describes for the flow with key `key` again,
 * into m (a duplicate SYN being answered) or a fresh mbuf. */
static void
synack_send(struct worker *w, const struct synq_entry *e, const void *key,
	    struct rte_mbuf *m, uint32_t ts_off)
{
	struct pkt_tcp_out t;

	tx_tcp_init(&t, w, e->se_port, synq_entry_family(e), key,
		    e->se_peer_mac);
	synack_header(w, e, ts_off, &t);
	tx_tcp_send(w, e->se_port, m, &t);
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
		if (worker_params(w)->cookies == SG_COOKIES_AUTO)
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

/*
 * ACKs on listener l may carry a cookie from now until the longest a
 * cookie lives (cookie_window_open).  Every worker learns it too, through
 * the engine: a cookie one worker sent may come back to another (the NIC's
 * RETA changed, RSS on addresses only).  That shared word is written at
 * most once a second per worker, so no cache line bounces per packet.
 */
static inline void
cookie_window_opens(struct worker *w, unsigned l)
{
	uint32_t *shared = &w->w_engine->e_cookie_ms[l];
	uint32_t s = __atomic_load_n(shared, __ATOMIC_RELAXED);

	w->w_cookie_last_ms[l] = w->w_now_ms;
	w->w_cookie_sent[l] = true;
	if (s == 0 || (int32_t)(w->w_now_ms - s) >= 1000)
		__atomic_store_n(shared, w->w_now_ms | 1, __ATOMIC_RELAXED);
}

static void
cookie_synack(struct worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct pkt_info *in, const struct sg_listener *l)
{
	struct cookie_opts co;
	struct pkt_tcp_out t;
	uint32_t isn, tsval = 0;

	/* Nothing is kept, so nothing goes through a half-open entry: the
	 * SYN-ACK is written from the SYN (its TSval carries the options,
	 * cookie_make). */
	syn_cookie_opts(in, &co);
	isn = in->family == 6 ?
		cookie_make6(&w->w_ckeys, &in->flow6, in->seq, w->w_now_sec,
			     &co, w->w_now_ms, &tsval) :
		cookie_make(&w->w_ckeys, &in->flow, in->seq, w->w_now_sec,
			    &co, w->w_now_ms, &tsval);
	cookie_window_opens(w, l->l_id);
	w->w_stats.cookies_sent++;
	tx_reply_init(&t);
	t.seq = isn;
	t.ack = in->seq + 1;
	t.flags = TCPF_SYN | TCPF_ACK;
	t.win = CONN_RCV_WND;	/* RFC 7323 2.2: a SYN's window is unscaled */
	synack_opts_of(w, in->opts.o_present, in->family, in->opts.o_tsval,
		       &t.opts);
	t.opts.o_tsval = tsval;
	tx_tcp_reply(w, pi, m, in, &t);
}

static void
syn_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	  const struct pkt_info *in, uint32_t sig, const struct sg_listener *l)
{
	const struct sg_params *pp = worker_params(w);
	struct synq_entry *e;
	struct pkt_tcp_out t;
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
			worker_drop(w, m, SG_DROP_SYNQ_FULL);
			return;
		}
		cookie_synack(w, pi, m, in, l);
		return;
	}
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
		/* ... and its ACK may reach another worker. */
		cookie_window_opens(w, l->l_id);
	}
	timer_arm(w->w_wheel, &e->se_timer, w->w_now_ms + pp->synack_rto_ms);
	w->w_stats.synq_added++;
	w->w_stats.synack_out++;
	tx_reply_init(&t);
	synack_header(w, e, ts_off, &t);
	tx_tcp_reply(w, pi, m, in, &t);
	if (synq_used(&w->w_synq) >= w->w_synq_high)
		flood_enter(w);
}

/* The accept ring or the connection table is full. */
static void
overflow(struct worker *w, unsigned pi, struct rte_mbuf *m,
	 const struct pkt_info *in, uint32_t sig, struct synq_entry *e,
	 enum sg_drop why)
{
	bool in_table = !(e->se_flags & SE_COOKIE);

	if (why == SG_DROP_ACCEPT_OVERFLOW)
		w->w_listen_overflow[e->se_listener]++;
	if (worker_params(w)->overflow == SG_OVERFLOW_DROP) {
		/* Like Linux without tcp_abort_on_overflow: ignore the ACK;
		 * the entry stays and the client's retransmission (or our
		 * SYN-ACK retransmission) gives it another chance. */
		w->w_stats.overflow_drop++;
		worker_drop(w, m, why);
		return;
	}
	w->w_stats.overflow_reset++;
	if (in_table)
		synq_drop(w, e, true);
	tx_rst_reply(w, pi, m, in, why, false);
}

/*
 * The handshake completed (e: the table entry, or a stack entry rebuilt
 * from a cookie): create the connection, map it, queue it for accept.
 */
static void
promote(struct worker *w, unsigned pi, struct rte_mbuf *m,
	const struct pkt_info *in, uint32_t sig, struct synq_entry *e,
	uint32_t ts_off, struct sg_listener *l)
{
	bool in_table = !(e->se_flags & SE_COOKIE);
	struct sg_conn *c;

	if (!accept_ring_has_room(l, w->w_id)) {
		overflow(w, pi, m, in, sig, e, SG_DROP_ACCEPT_OVERFLOW);
		return;
	}
	c = conn_create(w, pi, in, sig, e, ts_off);
	if (c == NULL) {
		overflow(w, pi, m, in, sig, e, SG_DROP_CONN_FULL);
		return;
	}
	if (in_table)
		synq_drop(w, e, false);
	/* The completing segment is the connection's first: RFC 9293
	 * 3.10.7.4 takes data (and a FIN) on it.  Answered at once (Linux's
	 * quick-ACK at the start of a connection). */
	if (in->payload_len != 0 || (in->tcp_flags & TCPF_FIN)) {
		c->c_flags |= CF_ACK_NOW;
		(void)conn_segment(w, c, m, in);	/* not TIME-WAIT */
	} else {
		/* A bare ACK (the usual case): conn_create took its window
		 * and timestamp already. */
		rte_pktmbuf_free(m);
		conn_rearm(w, c);
	}
	if (c->c_rx_in != 0) {
		/* sg_conn_first_data peeks at it until it is read. */
		c->c_first_len = (uint32_t)c->c_rx_in;
		w->w_stats.first_data++;
	}
	/* The application holds it from now until sg_close/sg_abort. */
	__atomic_store_n(&c->c_held, 1, __ATOMIC_RELAXED);
	/* Room was checked above and only this worker produces; the push
	 * releases every field written above. */
	(void)accept_ring_push(l, w->w_id, c);
	w->w_stats.accepted++;
}

void
hs_synq_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	   const struct pkt_info *in, uint32_t sig, struct synq_entry *e)
{
	uint8_t fl = in->tcp_flags;

	if (fl & TCPF_RST) {
		/* RFC 9293 3.10.7.4: an RST in the window of SYN-RECEIVED
		 * ends the attempt. */
		if (!seq_in_window(in->seq, e->se_irs + 1, CONN_RCV_WND)) {
			worker_drop(w, m, SG_DROP_SYNQ_BAD_SEQ);
			return;
		}
		synq_drop(w, e, true);
		w->w_stats.synq_reset++;
		rte_pktmbuf_free(m);
		return;
	}
	if (fl & TCPF_SYN) {
		if (fl & TCPF_ACK) {
			worker_drop(w, m, SG_DROP_SYNQ_OTHER);
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
		if (!tx_reply_allowed(w)) {
			w->w_stats.rst_ratelimited++;
			rte_pktmbuf_free(m);
			return;
		}
		synack_send(w, e, synq_key(&w->w_synq, e), m,
			    entry_ts_off(w, e, synq_key(&w->w_synq, e)));
		return;
	}
	if (!(fl & TCPF_ACK)) {
		worker_drop(w, m, SG_DROP_SYNQ_OTHER);
		return;
	}
	if (in->ack != e->se_iss + 1) {
		/* RFC 9293 3.10.7.4: unacceptable ACK -> <SEQ=SEG.ACK><RST>. */
		tx_rst_reply(w, pi, m, in, SG_DROP_SYNQ_BAD_ACK, true);
		return;
	}
	if (in->seq != e->se_irs + 1) {
		worker_drop(w, m, SG_DROP_SYNQ_BAD_SEQ);
		return;
	}
	promote(w, pi, m, in, sig, e,
		entry_ts_off(w, e, synq_key(&w->w_synq, e)),
		w->w_engine->e_listeners.lt_l[e->se_listener]);
}

static inline bool
cookie_window_open(const struct worker *w, const struct sg_listener *l)
{
	uint32_t s = __atomic_load_n(&w->w_engine->e_cookie_ms[l->l_id],
				     __ATOMIC_RELAXED);

	if (w->w_cookie_sent[l->l_id] &&
	    (uint32_t)(w->w_now_ms - w->w_cookie_last_ms[l->l_id]) <
	    COOKIE_WINDOW_MS)
		return true;
	/* Another worker's (up to a second older than its last). */
	return s != 0 &&
	       (int32_t)(w->w_now_ms - s) < (int32_t)COOKIE_WINDOW_MS + 1000;
}

static void
cookie_ack_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
		 const struct pkt_info *in, uint32_t sig,
		 struct sg_listener *l)
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
		tx_rst_reply(w, pi, m, in, SG_DROP_COOKIE_BAD, true);
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
	promote(w, pi, m, in, sig, &e, co.ts_off, l);
}

/* A segment for no known flow. */
void
hs_listen_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	     const struct pkt_info *in, uint32_t sig)
{
	struct sg_listener *l =
		listener_lookup(&w->w_engine->e_listeners, in->flow.lport);
	uint8_t fl = in->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST);

	if (fl == TCPF_SYN) {
		if (l == NULL)
			tx_rst_reply(w, pi, m, in, SG_DROP_NO_LISTENER, true);
		else
			syn_input(w, pi, m, in, sig, l);
		return;
	}
	if (fl == TCPF_ACK && l != NULL &&
	    (worker_params(w)->cookies == SG_COOKIES_ALWAYS ||
	     cookie_window_open(w, l))) {
		cookie_ack_input(w, pi, m, in, sig, l);
		return;
	}
	tx_rst_reply(w, pi, m, in, SG_DROP_NO_FLOW, true);
}

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

void
hs_synack_timeout(struct worker *w, struct synq_entry *e)
{
	const struct sg_params *pp = worker_params(w);
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


void
hs_poll_end(struct worker *w)
{
	if (w->w_flood && synq_used(&w->w_synq) <= w->w_synq_low) {
		w->w_flood = false;
		w->w_flood_changed_ms = w->w_now_ms;
		w->w_prune_hold = true;
		w->w_prune_until = w->w_now_ms +
				   synack_lifetime_ms(worker_params(w));
	}
}
