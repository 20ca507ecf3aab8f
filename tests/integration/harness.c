/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness for the in-process integration tests: a net_ring port
 * whose RX ring the test fills with crafted client frames and whose TX
 * ring it reads, an engine with one worker driven by worker_poll() on a
 * fake clock.
 */

/*
 * In-process integration: the real worker loop over a net_ring port.
 * The test plays the client: it crafts frames into the port's RX ring,
 * runs worker_poll() with a fake clock, and reads what the worker sent
 * from the TX ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sg_internal.h"


const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
struct rte_ring *rxr, *txr;
struct rte_mempool *cpool;	/* the client's frames */
uint16_t port;
struct rte_ether_addr srv_mac;

struct sg_engine *eng;
struct sg_listener *lst;
struct worker *wk;
uint64_t now_us;

/* ---- harness ------------------------------------------------------------ */

int
group_setup(void **state)
{
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-shconf",
			 "--no-pci", "-l", "0", "--log-level=lib.*:error",
			 "--no-telemetry" };
	struct rte_eth_conf conf;

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	rxr = rte_ring_create("t_rx", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr = rte_ring_create("t_tx", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	cpool = rte_pktmbuf_pool_create("t_cli", 4095, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (rxr == NULL || txr == NULL || cpool == NULL)
		return -1;
	port = (uint16_t)rte_eth_from_rings("t_ring0", &rxr, 1, &txr, 1, 0);
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, 1024, 0, NULL, cpool) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, 0, NULL) < 0 ||
	    rte_eth_dev_start(port) < 0)
		return -1;
	rte_eth_macaddr_get(port, &srv_mac);
	return 0;
}

int
group_teardown(void **state)
{
	(void)state;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return 0;
}

const uint8_t srv_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t cli_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

void
engine_up(void (*tune)(struct sg_params *))
{
	struct sg_params p;

	sg_params_default(&p);
	/* 198.18.0.1/24 (SRV_IP) is the default; IPv6 as well. */
	assert_int_equal(sg_params_add_addr(&p, SRV_IP6_STR "/64"), 0);
	p.synq_size = 1024;
	p.conn_max = 1024;
	p.mbufs = 2047;
	/* The ring port's descriptors hold the test's mbufs, not the
	 * worker's: reserve little for them (budget.h). */
	p.rx_desc = 64;
	p.tx_desc = 64;
	if (tune != NULL)
		tune(&p);
	assert_int_equal(sg_engine_create(&p, 1, &eng), 0);
	assert_int_equal(sg_listen(eng, LPORT, 0, &lst), 0);
	assert_int_equal(sg_engine_attach_queue(eng, 0, port, 0, false), 0);
	wk = sg_engine_worker(eng, 0);
	now_us = 5000000;	/* any start */
}

void
drain_tx(void)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(txr, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

int
engine_down(void **state)
{
	struct sg_conn *c;

	(void)state;
	if (eng == NULL)
		return 0;
	/* Whatever the test did, the flow tables are consistent. */
	assert_int_equal(worker_audit(wk), 0);
	while (sg_accept(lst, &c) == 0)
		sg_close(c);
	worker_poll(wk, now_us);
	assert_int_equal(worker_audit(wk), 0);
	drain_tx();
	sg_engine_destroy(eng);
	eng = NULL;
	return 0;
}

void
poll_at(uint64_t t_us)
{
	now_us = t_us;
	worker_poll(wk, now_us);
}

void
inject(struct rte_mbuf *m)
{
	assert_int_equal(rte_ring_enqueue(rxr, m), 0);
}


/* Frame a client segment to the server (payload appended, checksums
 * recomputed over the whole segment). */
struct rte_mbuf *
frame(const struct seg *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(cpool);
	struct pkt_tcp_out t;
	uint32_t len;

	assert_non_null(m);
	memset(&t, 0, sizeof(t));
	t.family = s->family == 6 ? 6 : 4;
	t.flow.raddr = SRV_IP;	/* as sent by the client: "r" is its peer */
	t.flow.laddr = CLI_IP;
	memcpy(t.flow6.raddr, srv_ip6, 16);
	memcpy(t.flow6.laddr, cli_ip6, 16);
	t.flow.rport = rte_cpu_to_be_16(LPORT);
	t.flow.lport = rte_cpu_to_be_16(s->sport);
	memcpy(t.dst_mac, srv_mac.addr_bytes, 6);
	memcpy(t.src_mac, cli_mac, 6);
	t.seq = s->seq;
	t.ack = s->ack;
	t.flags = s->flags;
	t.win = s->win ? s->win : 29200;
	t.opts = s->opts;
	t.data = s->data;
	t.data_len = s->data ? (uint16_t)strlen(s->data) : 0;
	len = pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *), &t, PKT_TX_CK_SW);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

const uint8_t srv_snm6[16] = { 0xff, 0x02, [11] = 1, 0xff, 0, 0, 1 };

struct rte_mbuf *
icmp6_frame(const uint8_t *src, const uint8_t *dst, uint8_t hlim,
	    const uint8_t *icmp, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(cpool);
	uint8_t *b, *ip6;

	assert_non_null(m);
	b = rte_pktmbuf_mtod(m, uint8_t *);
	ip6 = b + PKT_ETH_LEN;
	memcpy(b, srv_mac.addr_bytes, 6);
	memcpy(b + 6, cli_mac, 6);
	b[12] = 0x86;
	b[13] = 0xdd;
	memset(ip6, 0, PKT_IP6_LEN);
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)(len >> 8);
	ip6[5] = (uint8_t)len;
	ip6[6] = 58;
	ip6[7] = hlim;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	memcpy(ip6 + 40, icmp, len);
	ip6[42] = ip6[43] = 0;
	*(uint16_t *)(ip6 + 42) = pkt_l4_6_cksum(ip6, 58, ip6 + 40, len);
	m->data_len = m->pkt_len = (uint16_t)(PKT_ETH_LEN + PKT_IP6_LEN + len);
	return m;
}

void
send_seg(const struct seg *s)
{
	inject(frame(s));
}

/* The next frame the worker sent, parsed; false when none. */
bool
sent(struct pkt_info *pi, uint8_t *dst_mac)
{
	struct rte_mbuf *m;
	enum sg_drop why;

	if (rte_ring_dequeue(txr, (void **)&m) != 0)
		return false;
	assert_int_equal(pkt_parse(rte_pktmbuf_mtod(m, uint8_t *),
				   m->data_len, 0, pi, &why), PKT_TCP);
	if (dst_mac)
		memcpy(dst_mac, rte_pktmbuf_mtod(m, uint8_t *), 6);
	rte_pktmbuf_free(m);
	return true;
}

bool
sent_any(void)
{
	struct rte_mbuf *m;

	if (rte_ring_dequeue(txr, (void **)&m) != 0)
		return false;
	rte_pktmbuf_free(m);
	return true;
}

struct rte_mbuf *
ping4_frame(void)
{
	static const uint8_t echo[] = {
		/* Ethernet: to us (filled below), from the client */
		0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
		/* IPv4, 20 + 8 + 4 bytes, TTL 64, ICMP */
		0x45, 0, 0, 32, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0,
		198, 18, 0, 2, 198, 18, 0, 1,
		/* ICMP echo request, id 0x0102, seq 7, "ping" */
		8, 0, 0, 0, 0x01, 0x02, 0x00, 0x07, 'p', 'i', 'n', 'g',
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(cpool);
	uint8_t *b, *ip, *ic;

	assert_non_null(m);
	RTE_BUILD_BUG_ON(sizeof(echo) != PING4_LEN);
	b = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(b, echo, sizeof(echo));
	memcpy(b, srv_mac.addr_bytes, 6);
	ip = b + PKT_ETH_LEN;
	ic = ip + 20;
	*(uint16_t *)(ip + 10) = pkt_ip4_cksum(ip, 20);
	*(uint16_t *)(ic + 2) = (uint16_t)~rte_raw_cksum(ic, 12);
	m->data_len = m->pkt_len = sizeof(echo);
	return m;
}

void
expect_none(void)
{
	struct pkt_info pi;

	assert_false(sent(&pi, NULL));
}

const struct pkt_tcp_opts all_opts = {
	.o_present = OPT_MSS | OPT_WSCALE | OPT_SACKOK | OPT_TS,
	.o_mss = 1460, .o_wscale = 7, .o_tsval = 1000, .o_tsecr = 0,
};

/* SYN from sport; returns the SYN-ACK. */
struct pkt_info
syn(uint16_t sport, uint32_t isn, const struct pkt_tcp_opts *o)
{
	struct seg s = { .sport = sport, .seq = isn, .flags = TCPF_SYN };
	struct pkt_info pi;

	if (o)
		s.opts = *o;
	send_seg(&s);
	poll_at(now_us);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(pi.ack, isn + 1);
	return pi;
}

void
ack(uint16_t sport, uint32_t seq, uint32_t a, const char *data,
    const struct pkt_tcp_opts *o)
{
	struct seg s = { .sport = sport, .seq = seq, .ack = a,
			 .flags = TCPF_ACK | (data ? TCPF_PSH : 0),
			 .data = data };

	if (o)
		s.opts = *o;
	send_seg(&s);
	poll_at(now_us);
}

uint64_t
drops(enum sg_drop d)
{
	return wk->w_stats.drops[d];
}

bool
sent_data(struct pkt_info *pi, void *buf, size_t cap, size_t *len)
{
	struct rte_mbuf *m;
	enum sg_drop why;
	size_t n;

	if (rte_ring_dequeue(txr, (void **)&m) != 0)
		return false;
	assert_int_equal(pkt_parse(rte_pktmbuf_mtod(m, uint8_t *),
				   m->data_len, 0, pi, &why), PKT_TCP);
	n = RTE_MIN((size_t)pi->payload_len, cap);
	memcpy(buf, rte_pktmbuf_mtod_offset(m, uint8_t *, pi->payload_off), n);
	*len = pi->payload_len;
	rte_pktmbuf_free(m);
	return true;
}
