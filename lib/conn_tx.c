/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The send half of an accepted connection (worker side): segmentation at
 * the negotiated MSS within min(peer window, cwnd), the FIN after the
 * data, ACKs with the window we can offer, what a deadline does when it
 * fires (retransmission with back-off, zero-window probe, delayed ACK,
 * idle / FIN_WAIT_2 / TIME-WAIT end -- the deadlines themselves are
 * conn_timer.c's), the application's commands, and reset.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "conn.h"
#include "lcore.h"
#include "tx.h"

uint32_t
conn_rcv_window(const struct worker *w, const struct sg_conn *c)
{
	uint64_t unread = c->c_rx_in -
		__atomic_load_n(&c->c_rx_read, __ATOMIC_ACQUIRE);
	uint32_t room = unread >= CONN_RCV_BUF ? 0 :
			CONN_RCV_BUF - (uint32_t)unread;
	/* Each queued segment takes a slot whatever its size. */
	uint32_t slots = mbq_free_count(&c->c_rxq_p, &c->c_rxq_c) *
			 (uint32_t)c->c_smss;

	/* The worker's data mbufs are nearly all held (budget.h): a
	 * connection with data unread gets no more room, the others one
	 * segment at a time. */
	if (worker_credit_low(w))
		room = unread != 0 ? 0 : RTE_MIN(room, (uint32_t)c->c_smss);
	return RTE_MIN(room, slots);
}

/* The window field to send, never shrinking the right edge we already
 * offered (RFC 9293 3.8.6.2.2). */
static uint16_t
window_field(const struct worker *w, struct sg_conn *c)
{
	uint32_t wnd = conn_rcv_window(w, c);
	uint32_t max = 65535u << c->c_opts.rcv_wscale;

	if (seq_lt(c->c_rcv_nxt + wnd, c->c_rcv_adv))
		wnd = c->c_rcv_adv - c->c_rcv_nxt;
	wnd = RTE_MIN(wnd, max);
	/* Receiver-side silly window avoidance (RFC 1122 4.2.3.3): do not
	 * open by less than a segment. */
	if (wnd < c->c_smss && wnd < CONN_RCV_BUF / 2 &&
	    !seq_lt(c->c_rcv_nxt + wnd, c->c_rcv_adv))
		wnd = c->c_rcv_adv - c->c_rcv_nxt;
	c->c_rcv_adv = c->c_rcv_nxt + wnd;
	/* Below half the buffer the peer may soon stall on our window:
	 * from now on every read by the application asks for an update
	 * (conn.c), until one has gone out. */
	__atomic_store_n(&c->c_wnd_small, wnd < CONN_RCV_BUF / 2,
			 __ATOMIC_RELEASE);
	return (uint16_t)(wnd >> c->c_opts.rcv_wscale);
}

static void
xmit(struct worker *w, struct sg_conn *c, uint32_t seq, uint8_t flags,
     const void *data, uint16_t len)
{
	struct pkt_tcp_out t;

	tx_tcp_init(&t, w, c->c_port, c->c_family, conn_key(c),
			    c->c_peer_mac);
	t.seq = seq;
	t.ack = c->c_rcv_nxt;
	t.flags = flags;
	t.data = data;
	t.data_len = len;
	if (flags & TCPF_ACK)
		t.win = window_field(w, c);
	else
		t.ack = 0;
	if (c->c_opts.ts_ok) {
		t.opts.o_present = OPT_TS;
		t.opts.o_tsval = worker_tsval(w, c->c_ts_off);
		t.opts.o_tsecr = c->c_ts_recent;
	}
	tx_tcp_send(w, c->c_port, NULL, &t);
	if (flags & TCPF_ACK) {
		c->c_flags &= ~CF_ACK_NOW;
		c->c_segs_unacked = 0;
		ct_ack_sent(c);
	}
}

void
conn_send_ack(struct worker *w, struct sg_conn *c)
{
	xmit(w, c, c->c_snd_nxt, TCPF_ACK, NULL, 0);
}

/* Move what the application queued into the retransmission queue. */
static void
pull_txq(struct sg_conn *c)
{
	struct rte_mbuf *m;

	while (c->c_snd_count < CONN_SND_SLOTS &&
	       mbq_dequeue(&c->c_txq_p, &c->c_txq_c, &m) == 0) {
		c->c_snd[(c->c_snd_head + c->c_snd_count) % CONN_SND_SLOTS] =
			m;
		c->c_snd_count++;
		c->c_snd_bytes += m->data_len;
	}
}

/* Where byte `off` (from snd_una) of the queue is: the mbuf and the
 * offset in it. */
static struct rte_mbuf *
snd_locate(const struct sg_conn *c, uint32_t off, uint32_t *in_mbuf)
{
	unsigned i;

	off += c->c_snd_off;
	for (i = 0; i < c->c_snd_count; i++) {
		struct rte_mbuf *m =
			c->c_snd[(c->c_snd_head + i) % CONN_SND_SLOTS];

		if (off < m->data_len) {
			*in_mbuf = off;
			return m;
		}
		off -= m->data_len;
	}
	return NULL;
}

void
conn_output(struct worker *w, struct sg_conn *c)
{
	bool sent = false;

	if (c->c_state == CONN_CLOSED || c->c_state == CONN_TIME_WAIT) {
		if (c->c_flags & CF_ACK_NOW)
			conn_send_ack(w, c);
		conn_rearm(w, c);
		return;
	}
	pull_txq(c);
	for (;;) {
		uint32_t off = c->c_snd_nxt - c->c_snd_una, in_m, len;
		uint32_t wnd = RTE_MIN(c->c_snd_wnd, c->c_cwnd);
		struct rte_mbuf *m;

		if (off >= c->c_snd_bytes)
			break;
		if (off >= wnd) {
			/* Zero (or used-up) window with data waiting: the
			 * persist timer probes until it opens. */
			ct_sent(w, c);
			break;
		}
		m = snd_locate(c, off, &in_m);
		len = RTE_MIN(m->data_len - in_m, (uint32_t)c->c_smss);
		len = RTE_MIN(len, wnd - off);
		len = RTE_MIN(len, c->c_snd_bytes - off);
		xmit(w, c, c->c_snd_nxt,
		     TCPF_ACK | (off + len == c->c_snd_bytes ? TCPF_PSH : 0),
		     rte_pktmbuf_mtod_offset(m, uint8_t *, in_m),
		     (uint16_t)len);
		w->w_stats.seg_out++;
		if (seq_lt(c->c_snd_nxt, c->c_snd_max))
			w->w_stats.retransmits++;
		else if (!c->c_opts.ts_ok && !(c->c_flags & CF_RTT_TIMING)) {
			c->c_flags |= CF_RTT_TIMING;
			c->c_rtt_seq = c->c_snd_nxt;
			c->c_rtt_ms = w->w_now_ms;
		}
		ct_sent(w, c);
		c->c_snd_nxt += len;
		if (seq_lt(c->c_snd_max, c->c_snd_nxt))
			c->c_snd_max = c->c_snd_nxt;
		sent = true;
	}
	/* The FIN goes once every queued byte is sent (and again after an
	 * RTO rewound snd_nxt to it). */
	if ((c->c_flags & CF_FIN_QUEUED) &&
	    c->c_snd_nxt == c->c_snd_una + c->c_snd_bytes &&
	    mbq_count(&c->c_txq_p, &c->c_txq_c) == 0 &&
	    (!(c->c_flags & CF_FIN_SENT) || c->c_snd_nxt == c->c_fin_seq)) {
		if (!(c->c_flags & CF_FIN_SENT)) {
			c->c_flags |= CF_FIN_SENT;
			c->c_fin_seq = c->c_snd_nxt;
			if (c->c_state == CONN_ESTABLISHED)
				c->c_state = CONN_FIN_WAIT_1;
			else if (c->c_state == CONN_CLOSE_WAIT)
				c->c_state = CONN_LAST_ACK;
		}
		xmit(w, c, c->c_snd_nxt, TCPF_FIN | TCPF_ACK, NULL, 0);
		c->c_snd_nxt++;
		if (seq_lt(c->c_snd_max, c->c_snd_nxt))
			c->c_snd_max = c->c_snd_nxt;
		ct_sent(w, c);
		sent = true;
	}
	if (!sent && (c->c_flags & CF_ACK_NOW))
		conn_send_ack(w, c);
	conn_rearm(w, c);
}

void
conn_reset(struct worker *w, struct sg_conn *c, bool send_rst)
{
	if (send_rst && c->c_state != CONN_CLOSED) {
		xmit(w, c, c->c_snd_nxt, TCPF_RST | TCPF_ACK, NULL, 0);
		w->w_stats.rst_out++;
	}
	__atomic_store_n(&c->c_reset, 1, __ATOMIC_RELEASE);
	conn_post(c, SG_EV_RESET | SG_EV_READABLE);
	conn_closed(w, c);
}

/* Unread data left when the application closes: RST, as Linux does
 * (RFC 2525 2.17). */
static bool
unread_data(const struct sg_conn *c)
{
	return c->c_rx_in != __atomic_load_n(&c->c_rx_read, __ATOMIC_ACQUIRE)
	       || mbq_count(&c->c_rxq_p, &c->c_rxq_c) != 0;
}

void
conn_command(struct worker *w, struct sg_conn *c)
{
	uint32_t cmd = __atomic_exchange_n(&c->c_cmd, 0, __ATOMIC_ACQ_REL);

	if (cmd & (CMD_CLOSE | CMD_ABORT)) {
		c->c_flags |= CF_APP_CLOSED;
		if (c->c_state == CONN_CLOSED) {
			conn_free(w, c);
			return;
		}
		if ((cmd & CMD_ABORT) || unread_data(c)) {
			conn_reset(w, c, true);
			return;
		}
		if (c->c_state == CONN_TIME_WAIT) {
			conn_tw_track(w, c);
		} else {
			if (w->w_orphans >= w->w_orphans_max) {
				w->w_stats.orphans_reset++;
				conn_reset(w, c, true);
				return;
			}
			c->c_flags |= CF_ORPHAN;
			w->w_orphans++;
		}
		cmd |= CMD_SHUTDOWN;
	}
	if ((cmd & CMD_BUDGET) && !(c->c_flags & CF_BUDGET_WAIT)) {
		/* sg_send found no mbuf credit: wake it when there are. */
		c->c_flags |= CF_BUDGET_WAIT;
		TAILQ_INSERT_TAIL(&w->w_budget_waiters, c, c_bw_link);
	}
	if (c->c_state == CONN_CLOSED)
		return;
	if (cmd & CMD_SHUTDOWN)
		c->c_flags |= CF_FIN_QUEUED;
	if (cmd & CMD_WINDOW) {
		/* The application made room: tell the peer if the window
		 * opened by two segments or half the buffer, or from under
		 * a segment to at least one (RFC 1122 4.2.3.3). */
		uint32_t now = conn_rcv_window(w, c);
		uint32_t was = c->c_rcv_adv - c->c_rcv_nxt;

		if (now > was && (now - was >= 2u * c->c_smss ||
				  now - was >= CONN_RCV_BUF / 2 ||
				  (was < c->c_smss && now >= c->c_smss)))
			c->c_flags |= CF_ACK_NOW;
	}
	conn_output(w, c);
}

void
conn_timeout(struct worker *w, struct sg_conn *c)
{
	unsigned due = ct_due(w, c);

	if (due & CT_IDLE) {
		if (c->c_state == CONN_TIME_WAIT ||
		    c->c_state == CONN_FIN_WAIT_2) {
			conn_closed(w, c);	/* may free c */
			return;
		}
		w->w_stats.conn_timeouts++;
		conn_reset(w, c, true);		/* may free c */
		return;
	}
	if (due & CT_DACK)
		c->c_flags |= CF_ACK_NOW;
	if (due & CT_RTO) {
		/* Orphans (given back by the application) are given up
		 * sooner (Linux tcp_orphan_retries). */
		if (++c->c_rexmits > ((c->c_flags & CF_APP_CLOSED) ?
				      CONN_ORPHAN_RETRIES :
				      CONN_MAX_REXMITS)) {
			w->w_stats.conn_timeouts++;
			conn_reset(w, c, true);	/* may free c */
			return;
		}
		if (c->c_snd_una != c->c_snd_max) {
			/* RFC 6298 5.4-5.7 and RFC 5681 3.1: back off,
			 * collapse cwnd, go back to snd_una. */
			uint32_t flight = c->c_snd_max - c->c_snd_una;

			c->c_ssthresh = RTE_MAX(flight / 2, 2u * c->c_smss);
			c->c_cwnd = c->c_smss;
			c->c_rto = RTE_MIN(c->c_rto * 2, CONN_RTO_MAX_MS);
			c->c_snd_nxt = c->c_snd_una;
			c->c_dupacks = 0;
			c->c_flags &= ~CF_RTT_TIMING;
		} else {
			/* Persist (RFC 9293 3.8.6.1): probe the closed
			 * window with an old sequence number; the ACK it
			 * draws carries the current window. */
			w->w_stats.window_probes++;
			xmit(w, c, c->c_snd_una - 1, TCPF_ACK, NULL, 0);
			ct_probe_sent(w, c);
		}
	}
	conn_output(w, c);
}
