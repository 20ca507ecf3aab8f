/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary frames and sequences of frames into the real
 * worker receive path (parser, listener lookup, half-open table, cookie
 * check, connection state machine, timers, application commands), with no
 * ethdev: frames go in through worker_rx() in bursts, what the worker
 * sends comes out through a sink.
 *
 * The input is a little program, one op byte then its operands:
 *   op % 8 == 0, 1  raw frame: 2 length bytes, then the bytes
 *                   (op & 8: mark the checksums NIC-verified)
 *   op % 8 == 2, 3  a well-formed TCP segment (2: IPv4, 3: IPv6) from
 *                   one of 8 clients:
 *                   client, flags, seq delta, ack delta, window, options,
 *                   payload length, payload.  Sequence numbers are the
 *                   client's own plus a delta; ACK numbers follow what
 *                   the worker last sent that client plus a delta, so
 *                   handshakes, data and closes are within reach
 *   op % 8 == 4     advance the clock by (b & 0x7f) ms, or seconds
 *   op % 8 == 5     the application accepts what is waiting
 *   op % 8 == 6     the application acts on a held connection:
 *                   recv, send, shutdown, close, abort
 *   op % 8 == 7     rotate the cookie keys to the next epoch, or
 *                   (op & 8) reload a fleet secret
 * Frames of consecutive ops are delivered as one burst (up to 32), so the
 * in-burst flow-table bookkeeping is exercised too.
 *
 * After each input every connection is given back and the clock moved on
 * until every timer has run; then the half-open table, the connection
 * table, the flow table, the accept rings and the mbuf pool must all be
 * back to their idle counts.  A leak aborts, like a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sg_internal.h"

#define SRV_IP		RTE_BE32(0xc6120001)	/* 198.18.0.1 */
#define NCLI		8
#define HELD_MAX	16

static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct sg_engine *eng;
static struct sg_listener *lst[2];
static struct worker *wk;
static struct rte_mempool *pool;
static unsigned idle_mbufs;
static uint64_t now_us = 1000000;
static uint64_t key_epoch = 1000;

struct client {
	uint32_t snd;		/* next client sequence number */
	uint32_t srv;		/* last server seq + len seen (to ACK) */
};
static struct client cli[NCLI];
static struct sg_conn *held[HELD_MAX];
static unsigned nheld;

static struct rte_mbuf *burst[WORKER_BURST];
static unsigned nburst;

static uint16_t
sink(void *ctx, struct rte_mbuf **m, uint16_t n)
{
	struct pkt_info pi;
	enum sg_drop why;
	uint16_t i;

	(void)ctx;
	for (i = 0; i < n; i++) {
		if (pkt_parse(rte_pktmbuf_mtod(m[i], uint8_t *),
			      m[i]->data_len, 0, &pi, &why) == PKT_TCP) {
			/* pi is as the client sees it: lport = client. */
			unsigned k = rte_be_to_cpu_16(pi.flow.lport) % NCLI;

			cli[k].srv = pi.seq + pi.payload_len +
				!!(pi.tcp_flags & (TCPF_SYN | TCPF_FIN));
		}
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz", "--no-huge", "-m", "512", "--no-shconf",
			"--no-pci", "-l", "0", "--log-level=*:crit",
			"--no-telemetry" };
	struct sg_params p;

	(void)argc;
	(void)argv;
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		abort();
	sg_params_default(&p);
	/* 198.18.0.1/24 (SRV_IP) is the default; IPv6 as well. */
	if (sg_params_add_addr(&p, "2001:db8::1/64") != 0)
		abort();
	p.synq_size = 64;		/* small: floods reach cookie mode */
	p.conn_max = 64;
	p.backlog = 8;
	p.synack_rto_ms = 100;
	p.msl_ms = 100;
	p.idle_timeout_ms = 2000;
	p.mbufs = 4096;
	if (sg_engine_create(&p, 1, &eng) < 0 ||
	    sg_listen(eng, 8080, 0, &lst[0]) < 0 ||
	    sg_listen(eng, 8081, 0, &lst[1]) < 0)
		abort();
	wk = sg_engine_worker(eng, 0);
	if (worker_attach_sink(wk, srv_mac, sink, NULL) < 0)
		abort();
	/* Fixed secrets and TSval base: an input replays the same ISNs,
	 * cookies and timestamps in every run. */
	{
		static const uint8_t secret[32] = "syngate fuzzing: fixed secret";

		sg_engine_set_secret(eng, secret, 64000);
	}
	pool = sg_engine_pktmbuf_pool(eng, 0);
	idle_mbufs = rte_mempool_in_use_count(pool);
	return 0;
}

static void
flush_burst(void)
{
	if (nburst == 0)
		return;
	worker_tick(wk, now_us);	/* clock first, like a poll */
	worker_rx(wk, 0, burst, nburst);
	nburst = 0;
	worker_tick(wk, now_us);
}

static void
queue_frame(struct rte_mbuf *m)
{
	burst[nburst++] = m;
	if (nburst == WORKER_BURST)
		flush_burst();
}

static void
op_raw(uint8_t op, const uint8_t **p, const uint8_t *end)
{
	struct rte_mbuf *m;
	size_t len;

	if (end - *p < 2)
		return;
	len = ((size_t)(*p)[0] << 8 | (*p)[1]) % 1600;
	*p += 2;
	if (len > (size_t)(end - *p))
		len = (size_t)(end - *p);
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return;
	/* An exact-size copy would be better for ASan; the mbuf data room
	 * is 2 KiB, the parser is bounded by data_len. */
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), *p, len);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	if (op & 8)
		m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD |
			      RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	*p += len;
	queue_frame(m);
}

static void
op_tcp(const uint8_t **p, const uint8_t *end, bool v6)
{
	static const uint8_t srv6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct pkt_tcp_out t;
	struct rte_mbuf *m;
	struct client *c;
	uint8_t b[8], dlen, payload[64];
	unsigned k;

	if (end - *p < 8)
		return;
	memcpy(b, *p, 8);
	*p += 8;
	k = b[0] % NCLI;
	c = &cli[k];
	dlen = (uint8_t)(b[7] % 65);
	if (dlen > end - *p)
		dlen = (uint8_t)(end - *p);
	memcpy(payload, *p, dlen);
	*p += dlen;

	memset(&t, 0, sizeof(t));
	t.flow.raddr = SRV_IP;
	t.flow.laddr = RTE_BE32(0xc6120002 + (k >> 2));
	t.flow.rport = (b[0] & 0x80) ? RTE_BE16(8081) : RTE_BE16(8080);
	t.flow.lport = rte_cpu_to_be_16((uint16_t)(40000 + k));
	if (v6) {
		t.family = 6;
		memcpy(t.flow6.raddr, srv6, 16);
		memcpy(t.flow6.laddr, srv6, 16);
		t.flow6.laddr[15] = (uint8_t)(2 + (k >> 2));
	}
	memcpy(t.dst_mac, srv_mac, 6);
	memcpy(t.src_mac, cli_mac, 6);
	t.flags = b[1];
	t.seq = c->snd + (uint32_t)(int8_t)b[2];
	t.ack = c->srv + (uint32_t)(int8_t)b[3];
	t.win = (uint16_t)(b[4] << 8 | b[5]);
	t.opts.o_present = b[6] & 0x0f;
	t.opts.o_mss = (uint16_t)(536 + b[6] * 4);
	t.opts.o_wscale = b[6] >> 4;
	t.opts.o_tsval = (uint32_t)(now_us / 1000);
	t.opts.o_tsecr = c->srv - 1;
	t.data = payload;
	t.data_len = dlen;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return;
	m->data_len = (uint16_t)pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *),
					       &t, PKT_TX_CK_SW);
	m->pkt_len = m->data_len;
	/* The client's sequence space moves as a real one would. */
	if (b[2] == 0)
		c->snd += dlen + !!(t.flags & TCPF_SYN) + !!(t.flags & TCPF_FIN);
	queue_frame(m);
}

static void
op_app(const uint8_t **p, const uint8_t *end)
{
	static const char msg[] = "syngate fuzz payload";
	struct sg_conn *c;
	char buf[256];
	uint8_t b;
	unsigned i;

	if (*p >= end)
		return;
	b = *(*p)++;
	if (nheld == 0)
		return;
	i = (b >> 3) % nheld;
	c = held[i];
	switch (b & 7) {
	case 0:
	case 1:
		(void)sg_recv(c, buf, (size_t)(b & 1 ? 7 : sizeof(buf)));
		break;
	case 2:
	case 3:
		(void)sg_send(c, msg, sizeof(msg) - (b & 1));
		break;
	case 4:
		sg_shutdown(c);
		break;
	case 5:
	case 6:
		if (b & 1)
			sg_abort(c);
		else
			sg_close(c);
		held[i] = held[--nheld];
		break;
	default: {
		struct rte_mbuf *mb[4];
		int n = sg_recv_mbufs(c, mb, 4), j;

		for (j = 0; j < n; j++)
			rte_pktmbuf_free(mb[j]);
		break;
	}
	}
}

static void
op_accept(void)
{
	struct sg_conn *c;
	unsigned l;

	for (l = 0; l < 2; l++)
		while (sg_accept(lst[l], &c) == 0) {
			if (nheld < HELD_MAX)
				held[nheld++] = c;
			else
				sg_close(c);
		}
}

static bool
engine_idle(void)
{
	struct sg_counters c;
	struct sg_gauges g;

	sg_engine_stats(eng, &c, &g);
	return g.synq_used == 0 && g.conns_used == 0 &&
	       g.accept_queued == 0 && flow_count(&wk->w_flows) == 0 &&
	       flow_count(&wk->w_flows6) == 0 &&
	       wk->w_wheel->tw_armed == 0 &&
	       rte_mempool_in_use_count(pool) == idle_mbufs;
}

/* Give everything back and let every timer run (each tick fires a timer
 * at most once, so tick until idle, bounded): the engine must be idle
 * again, or something leaked. */
static void
settle_and_check(void)
{
	unsigned i;

	flush_burst();
	/* Whatever the input did, the tables are consistent now. */
	if (worker_audit(wk) != 0) {
		fprintf(stderr, "flow tables inconsistent after the input\n");
		abort();
	}
	for (i = 0; i < 100 && !(i > 0 && engine_idle()); i++) {
		op_accept();
		while (nheld != 0)
			sg_abort(held[--nheld]);
		now_us += 30 * 1000000ull;
		worker_tick(wk, now_us);
	}
	if (!engine_idle() || worker_audit(wk) != 0) {
		struct sg_counters c;
		struct sg_gauges g;

		sg_engine_stats(eng, &c, &g);
		fprintf(stderr, "leak: synq %lu conns %lu queued %lu flows %u "
			"flows6 %u timers %u mbufs %u (idle %u)\n",
			(unsigned long)g.synq_used, (unsigned long)g.conns_used,
			(unsigned long)g.accept_queued,
			flow_count(&wk->w_flows), flow_count(&wk->w_flows6),
			wk->w_wheel->tw_armed,
			rte_mempool_in_use_count(pool), idle_mbufs);
		abort();
	}
}

/* Every input starts from the same state (the previous one left the
 * engine idle; see settle_and_check), so a crash replays from its input
 * alone: the same clock, an empty wheel at that time, no cookie
 * outstanding, a full RST bucket, no flood, the same key epoch. */
static void
reset_state(void)
{
	now_us = 1000000;
	key_epoch = 1000;
	worker_reset_state(wk, now_us);
	engine_forget_key_epoch(eng);
	sg_engine_update_keys(eng, key_epoch * 64);
	worker_tick(wk, now_us);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	unsigned k;

	reset_state();
	for (k = 0; k < NCLI; k++) {
		cli[k].snd = 1000u * (k + 1);
		cli[k].srv = 0;
	}
	while (p < end) {
		uint8_t op = *p++;

		switch (op % 8) {
		case 0:
		case 1:
			op_raw(op, &p, end);
			break;
		case 2:
		case 3:
			op_tcp(&p, end, op % 8 == 3);
			break;
		case 4:
			flush_burst();
			if (p < end) {
				uint8_t b = *p++;

				now_us += (b & 0x80) ? (uint64_t)(b & 0x7f) *
					1000000 : (uint64_t)b * 1000;
			}
			worker_tick(wk, now_us);
			break;
		case 5:
			flush_burst();
			op_accept();
			break;
		case 6:
			flush_burst();
			op_app(&p, end);
			worker_tick(wk, now_us);
			break;
		case 7: {
			/* op & 8: a reload with one of 16 fleet secrets
			 * (grace key); else the next key epoch. */
			uint8_t secret[32];

			if (op & 8) {
				memset(secret, op >> 4, sizeof(secret));
				sg_engine_set_secret(eng, secret, key_epoch * 64);
			} else {
				key_epoch++;
				sg_engine_update_keys(eng, key_epoch * 64);
			}
			break;
		}
		}
	}
	settle_and_check();
	return 0;
}
