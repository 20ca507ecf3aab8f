/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive half of an accepted connection (worker side): segment
 * acceptability (RFC 9293 3.10.7.4), RST and SYN handling with RFC 5961
 * challenge ACKs, ACK processing (RFC 6298 RTT, RFC 5681 congestion
 * window, fast retransmit), in-order data to the application, FIN and the
 * close states, TIME-WAIT.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "conn.h"
#include "lcore.h"
#include "tx.h"

/* RFC 5961 3.2, 4.2: answer with an ACK, from the reply budget. */
static void
challenge_ack(struct worker *w, struct sg_conn *c)
{
	if (!tx_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		return;
	}
	w->w_stats.challenge_acks++;
	conn_send_ack(w, c);
}

/* RFC 9293 3.10.7.4, RFC 5961 5: an unacceptable segment draws at most a
 * duplicate ACK, from the reply budget: a blind sender never gets more
 * out of a connection than the budget allows. */
static void
oow_ack(struct worker *w, struct sg_conn *c)
{
	if (!tx_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		return;
	}
	w->w_stats.oow_acks++;
	conn_send_ack(w, c);
}

/*
 * RFC 9293 3.10.7.4's acceptance test: a segment of len sequence numbers
 * (FIN included) starting at seq must overlap the window [rcv_nxt,
 * rcv_nxt + wnd).  With a zero window only what starts at rcv_nxt is
 * taken -- its data is then cut, but its ACK counts (the RFC's "special
 * allowance" for ACKs).
 */
static bool
seq_acceptable(uint32_t rcv_nxt, uint32_t wnd, uint32_t seq, uint32_t len)
{
	uint32_t last = seq + len - 1;

	if (wnd == 0)
		return seq == rcv_nxt;
	if ((uint32_t)(seq - rcv_nxt) < wnd)
		return true;
	return len != 0 && (uint32_t)(last - rcv_nxt) < wnd;
}

/* RFC 6298 2.2-2.4, with Jacobson's scaled arithmetic.  The sample comes
 * from the peer's TSecr, which it chooses: one that is negative or longer
 * than the largest RTO is not a measurement and is ignored (RFC 7323 4.1
 * lets a sender discard implausible samples). */
static void
rtt_sample(struct sg_conn *c, int32_t rtt)
{
	int64_t m = rtt < 1 ? 1 : rtt, srtt = c->c_srtt, rttvar = c->c_rttvar;

	if (rtt < 0 || rtt > (int32_t)CONN_RTO_MAX_MS)
		return;
	if (srtt == 0) {
		srtt = m << 3;
		rttvar = m << 1;
	} else {
		m -= srtt >> 3;
		srtt += m;
		if (m < 0)
			m = -m;
		m -= rttvar >> 2;
		rttvar += m;
	}
	c->c_srtt = (uint32_t)srtt;
	c->c_rttvar = (uint32_t)rttvar;
	c->c_rto = (c->c_srtt >> 3) + RTE_MAX(c->c_rttvar, 1u);
	if (c->c_rto < CONN_RTO_MIN_MS)
		c->c_rto = CONN_RTO_MIN_MS;
	if (c->c_rto > CONN_RTO_MAX_MS)
		c->c_rto = CONN_RTO_MAX_MS;
}

static void
enter_time_wait(struct worker *w, struct sg_conn *c)
{
	conn_orphan_done(w, c);
	c->c_state = CONN_TIME_WAIT;
	ct_time_wait(w, c);
	conn_tw_track(w, c);		/* (a restart moves it to the end) */
	w->w_stats.time_wait++;
}

/* Free acknowledged bytes of the retransmission queue. */
static uint32_t
snd_free(struct worker *w, struct sg_conn *c, uint32_t bytes)
{
	uint32_t freed = 0, mbufs = 0;

	while (bytes != 0 && c->c_snd_count != 0) {
		struct rte_mbuf *m = c->c_snd[c->c_snd_head];
		uint32_t left = m->data_len - c->c_snd_off;

		if (bytes < left) {
			c->c_snd_off += bytes;
			c->c_snd_bytes -= bytes;
			freed += bytes;
			break;
		}
		rte_pktmbuf_free(m);
		mbufs++;
		c->c_snd[c->c_snd_head] = NULL;
		c->c_snd_head = (uint8_t)((c->c_snd_head + 1) %
					  CONN_SND_SLOTS);
		c->c_snd_count--;
		c->c_snd_off = 0;
		c->c_snd_bytes -= left;
		bytes -= left;
		freed += left;
	}
	worker_credit_give(w, mbufs);
	return freed;
}

/* ACK of new data (and maybe our FIN).  Returns false when c was freed. */
static bool
ack_new(struct worker *w, struct sg_conn *c, const struct pkt_info *in)
{
	uint32_t acked = in->ack - c->c_snd_una;
	bool fin_acked = (c->c_flags & CF_FIN_SENT) &&
			 seq_lt(c->c_fin_seq, in->ack);
	uint32_t freed;

	freed = snd_free(w, c, fin_acked ? acked - 1 : acked);
	if (freed != 0) {
		__atomic_store_n(&c->c_tx_acked, c->c_tx_acked + freed,
				 __ATOMIC_RELEASE);
		if (__atomic_load_n(&c->c_want_write, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&c->c_want_write, 0,
					 __ATOMIC_RELAXED);
			conn_post(c, SG_EV_WRITABLE);
		}
	}
	c->c_snd_una = in->ack;
	if (seq_lt(c->c_snd_nxt, c->c_snd_una))
		c->c_snd_nxt = c->c_snd_una;

	/* RTT: from the echoed timestamp (RFC 7323 4.1), else Karn's
	 * single timed segment. */
	if (c->c_opts.ts_ok && (in->opts.o_present & OPT_TS) &&
	    in->opts.o_tsecr != 0)
		rtt_sample(c, (int32_t)(worker_tsval(w, c->c_ts_off) -
					in->opts.o_tsecr));
	else if ((c->c_flags & CF_RTT_TIMING) &&
		 seq_lt(c->c_rtt_seq, in->ack)) {
		rtt_sample(c, (int32_t)(w->w_now_ms - c->c_rtt_ms));
		c->c_flags &= ~CF_RTT_TIMING;
	}
	c->c_rexmits = 0;

	/* RFC 5681 3.1 / 3.2: leave fast recovery, or grow. */
	if (c->c_dupacks >= 3)
		c->c_cwnd = c->c_ssthresh;
	else if (c->c_cwnd < c->c_ssthresh)
		c->c_cwnd += RTE_MIN(acked, (uint32_t)c->c_smss);
	else
		c->c_cwnd += RTE_MAX((uint32_t)c->c_smss * c->c_smss /
				     c->c_cwnd, 1u);
	c->c_dupacks = 0;
	ct_acked(w, c);

	if (fin_acked) {
		switch (c->c_state) {
		case CONN_FIN_WAIT_1:
			c->c_state = CONN_FIN_WAIT_2;
			/* Do not wait forever for the peer's FIN
			 * (Linux tcp_fin_timeout). */
			ct_fin_wait_2(w, c);
			break;
		case CONN_CLOSING:
			enter_time_wait(w, c);
			break;
		case CONN_LAST_ACK: {
			bool gone = c->c_flags & CF_APP_CLOSED;

			conn_closed(w, c);
			return !gone;
		}
		}
	}
	return true;
}

/* Three duplicate ACKs: RFC 5681 3.2 fast retransmit / recovery. */
static void
dup_ack(struct worker *w, struct sg_conn *c)
{
	uint32_t flight = c->c_snd_max - c->c_snd_una;

	if (++c->c_dupacks == 3) {
		c->c_ssthresh = RTE_MAX(flight / 2, 2u * c->c_smss);
		c->c_cwnd = c->c_ssthresh + 3u * c->c_smss;
		w->w_stats.fast_retransmits++;
		/* Resend from snd_una; output then goes on as the window
		 * allows. */
		c->c_snd_nxt = c->c_snd_una;
		c->c_flags &= ~CF_RTT_TIMING;
	} else if (c->c_dupacks > 3) {
		c->c_cwnd += c->c_smss;
	}
}

/* In-order payload to the application.  Returns false if it had to be
 * dropped (no slot). */
static bool
deliver(struct worker *w, struct sg_conn *c, struct rte_mbuf *m,
	const struct pkt_info *in, uint32_t skip, uint32_t len)
{
	/* Held until the application reads it: one credit (budget.h). */
	if (!worker_credit_take(w)) {
		worker_drop(w, m, SG_DROP_CONN_NOMEM);
		return false;
	}
	rte_pktmbuf_adj(m, (uint16_t)(in->payload_off + skip));
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - len));
	m->ol_flags = 0;
	if (mbq_enqueue(&c->c_rxq_p, &c->c_rxq_c, m) != 0) {
		worker_credit_give(w, 1);
		worker_drop(w, m, SG_DROP_CONN_RXQ_FULL);
		return false;
	}
	c->c_rcv_nxt += len;
	__atomic_store_n(&c->c_rx_in, c->c_rx_in + len, __ATOMIC_RELEASE);
	w->w_stats.seg_in++;
	conn_post(c, SG_EV_READABLE);
	/* RFC 9293 3.8.6.3 / RFC 1122: ACK at least every second full
	 * segment; otherwise within the delayed-ACK time. */
	if (++c->c_segs_unacked >= 2 || len < c->c_smss)
		c->c_flags |= CF_ACK_NOW;
	else
		ct_delack(w, c);
	return true;
}

static void
peer_fin(struct worker *w, struct sg_conn *c)
{
	c->c_rcv_nxt++;
	c->c_flags |= CF_ACK_NOW;
	__atomic_store_n(&c->c_peer_fin, 1, __ATOMIC_RELEASE);
	conn_post(c, SG_EV_READABLE | SG_EV_PEER_CLOSED);
	switch (c->c_state) {
	case CONN_ESTABLISHED:
		c->c_state = CONN_CLOSE_WAIT;
		break;
	case CONN_FIN_WAIT_1:
		/* Our FIN not acked yet (else we would be in FIN_WAIT_2). */
		c->c_state = CONN_CLOSING;
		break;
	case CONN_FIN_WAIT_2:
		enter_time_wait(w, c);
		break;
	}
}

/*
 * TIME-WAIT (RFC 9293 3.10.7.4): the only thing expected is the peer's FIN
 * again, exactly where it was (our ACK of it was lost): ACK it and restart
 * the 2 MSL wait.  A SYN above the old sequence space starts a new
 * incarnation (RFC 6191).  RSTs are ignored (RFC 1337).  Anything else is
 * unacceptable: at most a duplicate ACK from the reply budget, and the
 * wait is not restarted -- blind segments cannot extend it.
 */
static bool
time_wait_input(struct worker *w, struct sg_conn *c, struct rte_mbuf *m,
		const struct pkt_info *in)
{
	uint8_t fl = in->tcp_flags;
	uint32_t end = in->seq + in->payload_len + !!(fl & TCPF_FIN);

	if (fl & TCPF_RST) {
		worker_drop(w, m, SG_DROP_CONN_STATE);
		return true;
	}
	if (fl & TCPF_SYN) {
		if (!(fl & TCPF_ACK) && seq_lt(c->c_rcv_nxt, in->seq)) {
			/* A new incarnation: end TIME-WAIT, let the
			 * listener take the SYN. */
			conn_closed(w, c);
			return false;
		}
		challenge_ack(w, c);		/* RFC 5961 4.2 */
		worker_drop(w, m, SG_DROP_CONN_STATE);
		return true;
	}
	if ((fl & (TCPF_FIN | TCPF_ACK)) == (TCPF_FIN | TCPF_ACK) &&
	    end == c->c_rcv_nxt && in->ack == c->c_snd_max) {
		w->w_stats.time_wait_reacks++;
		enter_time_wait(w, c);
		w->w_stats.time_wait--;	/* a restart, not a new entry */
		conn_send_ack(w, c);
		conn_rearm(w, c);
		rte_pktmbuf_free(m);
		return true;
	}
	oow_ack(w, c);
	worker_drop(w, m, SG_DROP_CONN_SEQ);
	return true;
}

/*
 * A segment for c.  Returns false when it must be handled as a segment
 * for no connection (a SYN that ended TIME-WAIT): m is then still the
 * caller's.
 */
bool
conn_segment(struct worker *w, struct sg_conn *c, struct rte_mbuf *m,
	     const struct pkt_info *in)
{
	uint8_t fl = in->tcp_flags;
	uint32_t wnd = conn_rcv_window(w, c);
	uint32_t seq = in->seq, len = in->payload_len, skip = 0;
	bool has_fin = fl & TCPF_FIN, progress = false;

	if (c->c_state == CONN_CLOSED) {
		worker_drop(w, m, SG_DROP_CONN_STATE);
		return true;
	}
	if (c->c_state == CONN_TIME_WAIT)
		return time_wait_input(w, c, m, in);
	c->c_last_rx_ms = w->w_now_ms;

	/* RST: RFC 5961 3.2 -- exactly at rcv_nxt resets; elsewhere in
	 * the window draws a challenge ACK; outside it is dropped. */
	if (fl & TCPF_RST) {
		if (seq == c->c_rcv_nxt) {
			w->w_stats.conn_reset++;
			rte_pktmbuf_free(m);
			conn_reset(w, c, false);
			return true;
		}
		if (seq_lt(c->c_rcv_nxt, seq) &&
		    seq_lt(seq, c->c_rcv_nxt + RTE_MAX(wnd, 1u)))
			challenge_ack(w, c);
		worker_drop(w, m, SG_DROP_CONN_SEQ);
		return true;
	}
	/* SYN on a synchronized connection: RFC 5961 4.2 challenge ACK. */
	if (fl & TCPF_SYN) {
		challenge_ack(w, c);
		worker_drop(w, m, SG_DROP_CONN_STATE);
		return true;
	}
	if (!(fl & TCPF_ACK)) {
		worker_drop(w, m, SG_DROP_CONN_STATE);
		return true;
	}

	/* Acceptability (RFC 9293 3.10.7.4) against the window we offered.
	 * An unacceptable segment -- entirely old, or beyond the window --
	 * moves nothing: neither its ACK field nor its timestamp is looked
	 * at; it draws one duplicate ACK from the reply budget.  A blind
	 * attacker must hit both windows to change anything. */
	if (!seq_acceptable(c->c_rcv_nxt,
			    seq_lt(c->c_rcv_nxt, c->c_rcv_adv) ?
			    c->c_rcv_adv - c->c_rcv_nxt : 0,
			    seq, len + has_fin)) {
		oow_ack(w, c);
		worker_drop(w, m, SG_DROP_CONN_SEQ);
		return true;
	}
	/* Trim what we already have; data beyond rcv_nxt is out of order:
	 * no reassembly, a duplicate ACK tells the peer where we are (fast
	 * retransmit on its side). */
	if (seq_lt(seq, c->c_rcv_nxt)) {
		skip = RTE_MIN(c->c_rcv_nxt - seq, len);
		len -= skip;
		seq = c->c_rcv_nxt;
	} else if (seq != c->c_rcv_nxt && (len != 0 || has_fin)) {
		w->w_stats.ooo_segs++;
		c->c_flags |= CF_ACK_NOW;
		len = 0;
		has_fin = false;
	}
	if (len > wnd) {
		/* Past the room we have: keep what fits, the FIN cannot. */
		len = wnd;
		has_fin = false;
		c->c_flags |= CF_ACK_NOW;
	}

	/* ACK: RFC 5961 5.2 -- acceptable in [snd_una - max_wnd, snd_max];
	 * otherwise drop the segment and answer with an ACK (RFC 9293 says
	 * so for an ACK of what was never sent), from the budget. */
	if (seq_lt(c->c_snd_max, in->ack) ||
	    seq_lt(in->ack, c->c_snd_una - c->c_max_wnd)) {
		oow_ack(w, c);
		worker_drop(w, m, SG_DROP_CONN_ACK);
		return true;
	}
	if ((c->c_opts.ts_ok) && (in->opts.o_present & OPT_TS) &&
	    seq_le(seq, c->c_rcv_nxt))
		c->c_ts_recent = in->opts.o_tsval;
	if (seq_lt(c->c_snd_una, in->ack)) {
		progress = true;
		if (!ack_new(w, c, in)) {
			rte_pktmbuf_free(m);	/* c was freed */
			return true;
		}
		if (c->c_state == CONN_CLOSED) {
			rte_pktmbuf_free(m);
			return true;
		}
	} else if (in->ack == c->c_snd_una && in->payload_len == 0 &&
		   !(fl & TCPF_FIN) && c->c_snd_una != c->c_snd_max &&
		   ((uint32_t)in->win << c->c_opts.snd_wscale) ==
		   c->c_snd_wnd) {
		dup_ack(w, c);
	}
	/* Window update (RFC 9293 3.10.7.4, SND.WL1/WL2).  Answers to our
	 * zero-window probes do not reset the probe count: a peer that
	 * keeps its window shut is given up like a silent one (a bound
	 * like TCP_USER_TIMEOUT); one that opens it starts afresh. */
	if (seq_lt(c->c_snd_wl1, in->seq) ||
	    (c->c_snd_wl1 == in->seq && seq_le(c->c_snd_wl2, in->ack))) {
		uint32_t was = c->c_snd_wnd;

		c->c_snd_wnd = (uint32_t)in->win << c->c_opts.snd_wscale;
		if (was == 0 && c->c_snd_wnd != 0)
			c->c_rexmits = 0;
		c->c_snd_wl1 = in->seq;
		c->c_snd_wl2 = in->ack;
		c->c_max_wnd = RTE_MAX(c->c_max_wnd, c->c_snd_wnd);
	}

	/* New data for a connection the application gave back: nobody will
	 * read it.  RST, as Linux does (LINUX_MIB_TCPABORTONDATA). */
	if (len != 0 && (c->c_flags & CF_APP_CLOSED)) {
		w->w_stats.abort_on_data++;
		rte_pktmbuf_free(m);
		conn_reset(w, c, true);		/* may free c */
		return true;
	}
	/* Data, then FIN, in order. */
	if (len != 0) {
		if (c->c_state == CONN_ESTABLISHED ||
		    c->c_state == CONN_FIN_WAIT_1 ||
		    c->c_state == CONN_FIN_WAIT_2) {
			if (!deliver(w, c, m, in, skip, len))
				has_fin = false;
			else
				progress = true;
			m = NULL;
		} else {
			/* Data after the peer's FIN: RFC 9293 says ignore. */
			has_fin = false;
		}
	}
	if (has_fin) {
		peer_fin(w, c);
		progress = true;
	}
	rte_pktmbuf_free(m);
	/* --idle-timeout counts from the last progress either way: bare
	 * ACKs that move nothing (probe answers, duplicates) do not keep a
	 * connection alive. */
	if (progress)
		ct_progress(w, c);
	conn_output(w, c);
	return true;
}
