/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tx — a worker's output: the per-port TX buffers and their flush, TCP
 * segments built into a received frame being answered or a fresh mbuf,
 * the token bucket every unsolicited reply draws on (--rst-rate), and RST
 * replies (RFC 9293 3.10.7.1).
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "invariant.h"
#include "tx.h"

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
		worker_drop(w, p->wp_tx[i], SG_DROP_TX_FULL);
	}
	w->w_stats.tx_pkts += sent;
	w->w_stats.tx_bytes += bytes;
	p->wp_ntx = 0;
}

void
tx_flush(struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->w_nports; i++)
		port_flush(w, &w->w_ports[i]);
}

static inline void
push(struct worker *w, unsigned pi, struct rte_mbuf *m)
{
	struct worker_port *p = &w->w_ports[pi];

	if (p->wp_ntx == WORKER_TX_BUF)
		port_flush(w, p);
	p->wp_tx[p->wp_ntx++] = m;
}

/* Make m a single-segment frame of len bytes, ready for TX; tcp_family
 * 4 or 6 asks for TCP checksum offload where the port has it, 0 none. */
static inline void
set_frame(const struct worker_port *p, struct rte_mbuf *m, uint32_t len,
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

void
tx_frame(struct worker *w, unsigned pi, struct rte_mbuf *m, uint32_t len)
{
	set_frame(&w->w_ports[pi], m, len, 0);
	push(w, pi, m);
}

/* Never write past the buffer: the received frame being answered may
 * come from a pool with smaller mbufs (and c_smss keeps data segments
 * within ours).  False: m dropped. */
static inline bool
segment_fits(struct worker *w, struct rte_mbuf *m,
	     const struct pkt_tcp_out *t)
{
	uint32_t need = PKT_TCP_MAX_HDR + (uint32_t)t->data_len;

	if (likely((uint32_t)(m->buf_len - m->data_off) >= need))
		return true;
	SG_VERIFY(t->data_len == 0, "segment_fits_mbuf", "%u bytes of "
		  "payload, %u of room", t->data_len,
		  (unsigned)(m->buf_len - m->data_off));
	worker_drop(w, m, SG_DROP_NO_MBUF);
	return false;
}

/*
 * Send the TCP segment t on port pi, written into m when given (the frame
 * being answered: t holds copies of everything read from it), else into a
 * fresh mbuf.
 */
void
tx_tcp_send(struct worker *w, unsigned pi, struct rte_mbuf *m,
		const struct pkt_tcp_out *t)
{
	const struct worker_port *p = &w->w_ports[pi];
	uint32_t len;

	if (m == NULL) {
		m = rte_pktmbuf_alloc(w->w_mbufs);
		if (m == NULL) {
			w->w_stats.drops[SG_DROP_NO_MBUF]++;
			return;
		}
	}
	if (!segment_fits(w, m, t))
		return;
	len = pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *), t,
			     p->wp_ck_off ? PKT_TX_CK_OFF : PKT_TX_CK_SW);
	set_frame(p, m, len, t->family == 6 ? 6 : 4);
	push(w, pi, m);
}

void
tx_tcp_reply(struct worker *w, unsigned pi, struct rte_mbuf *m,
	     const struct pkt_info *in, const struct pkt_tcp_out *t)
{
	const struct worker_port *p = &w->w_ports[pi];
	uint32_t len;

	if (!segment_fits(w, m, t))
		return;
	len = pkt_tcp_reply(rte_pktmbuf_mtod(m, uint8_t *), in,
			    p->wp_mac.addr_bytes, t,
			    p->wp_ck_off ? PKT_TX_CK_OFF : PKT_TX_CK_SW);
	set_frame(p, m, len, in->family == 6 ? 6 : 4);
	push(w, pi, m);
}

void
tx_tcp_init(struct pkt_tcp_out *t, const struct worker *w,
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
	tx_reply_init(t);
}

/* Unsolicited RSTs: token bucket of rst_rate per second, burst of a
 * tenth of a second (at least one). */
bool
tx_reply_allowed(struct worker *w)
{
	uint32_t rate = worker_params(w)->rst_rate;
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
void
tx_rst_reply(struct worker *w, unsigned pi, struct rte_mbuf *m,
	  const struct pkt_info *in, enum sg_drop why, bool limited)
{
	struct pkt_tcp_out t;

	w->w_stats.drops[why]++;
	if (in->tcp_flags & TCPF_RST) {
		rte_pktmbuf_free(m);
		return;
	}
	if (limited && !tx_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		rte_pktmbuf_free(m);
		return;
	}
	tx_reply_init(&t);
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
	tx_tcp_reply(w, pi, m, in, &t);
}

