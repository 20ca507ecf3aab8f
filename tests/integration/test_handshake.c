/* SPDX-License-Identifier: BSD-3-Clause */
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

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sg_internal.h"

#include "harness.h"

/* ---- tests -------------------------------------------------------------- */

static void
test_handshake(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa;
	uint8_t dmac[6];
	struct seg s = { .sport = 40000, .seq = 7777, .flags = TCPF_SYN,
			 .opts = all_opts };

	(void)state;
	engine_up(NULL);
	send_seg(&s);
	poll_at(now_us);
	assert_true(sent(&sa, dmac));
	/* Reply goes to the L2 source of the SYN. */
	assert_memory_equal(dmac, cli_mac, 6);
	assert_int_equal(sa.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(sa.ack, 7778);
	/* parsed as seen by the client: "l" is the client's side */
	assert_int_equal(sa.flow.lport, rte_cpu_to_be_16(40000));
	assert_int_equal(sa.flow.rport, rte_cpu_to_be_16(LPORT));
	assert_int_equal(sa.opts.o_present,
			 OPT_MSS | OPT_WSCALE | OPT_SACKOK | OPT_TS);
	assert_int_equal(sa.opts.o_tsecr, 1000);
	assert_int_equal(wk->w_stats.synq_added, 1);
	assert_int_equal(synq_used(&wk->w_synq), 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);

	o.o_tsval = 1001;
	o.o_tsecr = sa.opts.o_tsval;
	o.o_present = OPT_TS;
	ack(40000, 7778, sa.seq + 1, NULL, &o);
	expect_none();
	assert_int_equal(synq_used(&wk->w_synq), 0);
	assert_int_equal(wk->w_stats.accepted, 1);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.flow.raddr.v4, CLI_IP);
	assert_int_equal(ci.flow.laddr.v4, SRV_IP);
	assert_int_equal(ci.flow.rport, rte_cpu_to_be_16(40000));
	assert_int_equal(ci.flow.lport, rte_cpu_to_be_16(LPORT));
	assert_int_equal(ci.irs, 7777);
	assert_int_equal(ci.iss, sa.seq);
	assert_int_equal(ci.opts.mss, 1460);
	assert_true(ci.opts.wscale_ok);
	assert_int_equal(ci.opts.snd_wscale, 7);
	assert_true(ci.opts.sack_ok);
	assert_true(ci.opts.ts_ok);
	assert_false(ci.opts.via_cookie);
	assert_int_equal(ci.first_data_len, 0);
	assert_int_equal(wk->w_conns_used, 1);

	/* Closing it sends our FIN at snd_nxt (FIN_WAIT_1). */
	assert_int_equal(sg_close(c), 0);
	poll_at(now_us);
	assert_true(sent(&sa, NULL));
	assert_int_equal(sa.tcp_flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(sa.seq, ci.iss + 1);
	assert_int_equal(wk->w_conns_used, 1);
}

static void
tune_rto(struct sg_params *p)
{
	p->synack_rto_ms = 100;
	p->synack_retries = 3;
}

static void
test_synack_retransmit_schedule(void **state)
{
	struct pkt_info sa, re;
	uint64_t t0;
	/* RTO 100 ms doubling, 3 retries: resend at 100, 300, 700 ms;
	 * give up at 1500 ms. */
	static const uint64_t at_ms[] = { 100, 300, 700 };
	unsigned i;

	(void)state;
	engine_up(tune_rto);
	t0 = now_us;
	sa = syn(40001, 100, NULL);
	for (i = 0; i < RTE_DIM(at_ms); i++) {
		poll_at(t0 + at_ms[i] * 1000 - 1000);
		expect_none();
		poll_at(t0 + at_ms[i] * 1000);
		assert_true(sent(&re, NULL));
		assert_int_equal(re.tcp_flags, TCPF_SYN | TCPF_ACK);
		assert_int_equal(re.seq, sa.seq);	/* same ISN */
		assert_int_equal(re.ack, 101);
	}
	assert_int_equal(wk->w_stats.synack_retrans, 3);
	poll_at(t0 + 1499 * 1000);
	expect_none();
	assert_int_equal(synq_used(&wk->w_synq), 1);
	poll_at(t0 + 1500 * 1000);
	expect_none();
	assert_int_equal(synq_used(&wk->w_synq), 0);
	assert_int_equal(wk->w_stats.synq_timeout, 1);
}

static void
test_duplicate_syn(void **state)
{
	struct pkt_info a, b;

	(void)state;
	engine_up(NULL);
	a = syn(40002, 500, &all_opts);
	b = syn(40002, 500, &all_opts);
	assert_int_equal(a.seq, b.seq);
	assert_int_equal(b.opts.o_present, a.opts.o_present);
	assert_int_equal(wk->w_stats.syn_dup, 1);
	assert_int_equal(wk->w_stats.synq_added, 1);
	assert_int_equal(synq_used(&wk->w_synq), 1);
}

static void
test_rst_in_syn_recv(void **state)
{
	struct seg r = { .sport = 40003, .flags = TCPF_RST };

	(void)state;
	engine_up(NULL);
	syn(40003, 900, NULL);
	/* Out of window: ignored, counted. */
	r.seq = 900 + 1 + 70000;
	send_seg(&r);
	poll_at(now_us);
	assert_int_equal(synq_used(&wk->w_synq), 1);
	assert_int_equal(drops(SG_DROP_SYNQ_BAD_SEQ), 1);
	/* In window: the entry goes, nothing is sent back. */
	r.seq = 901;
	send_seg(&r);
	poll_at(now_us);
	expect_none();
	assert_int_equal(synq_used(&wk->w_synq), 0);
	assert_int_equal(wk->w_stats.synq_reset, 1);
}

static void
tune_always(struct sg_params *p)
{
	p->cookies = SG_COOKIES_ALWAYS;
}

static void
test_cookie_end_to_end(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa, r;

	(void)state;
	engine_up(tune_always);
	o.o_wscale = 9;
	sa = syn(40004, 1234, &o);
	assert_int_equal(synq_used(&wk->w_synq), 0);
	assert_int_equal(wk->w_stats.cookies_sent, 1);
	assert_true(sa.opts.o_present & OPT_TS);

	/* A forged ACK (wrong cookie) is refused with a RST. */
	o.o_present = OPT_TS;
	o.o_tsecr = sa.opts.o_tsval;
	ack(40004, 1235, sa.seq + 2, NULL, &o);
	assert_true(sent(&r, NULL));
	assert_true(r.tcp_flags & TCPF_RST);
	assert_int_equal(r.seq, sa.seq + 2);
	assert_int_equal(wk->w_stats.cookies_failed, 1);
	assert_int_equal(drops(SG_DROP_COOKIE_BAD), 1);

	ack(40004, 1235, sa.seq + 1, NULL, &o);
	expect_none();
	assert_int_equal(wk->w_stats.cookies_ok, 1);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_true(ci.opts.via_cookie);
	assert_int_equal(ci.opts.mss, 1460);
	assert_true(ci.opts.wscale_ok);
	assert_int_equal(ci.opts.snd_wscale, 9);
	assert_true(ci.opts.sack_ok);
	assert_true(ci.opts.ts_ok);
	assert_int_equal(ci.iss, sa.seq);
	/* The peer's ISN is the SYN's, rebuilt from the ACK (seq - 1). */
	assert_int_equal(ci.irs, 1234);
	sg_close(c);

	/* Without timestamps only the MSS survives, rounded down. */
	o = all_opts;
	o.o_present = OPT_MSS | OPT_WSCALE | OPT_SACKOK;
	o.o_mss = 1400 + 10;
	sa = syn(40005, 50, &o);
	ack(40005, 51, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.opts.mss, 1400);
	assert_false(ci.opts.wscale_ok);
	assert_false(ci.opts.sack_ok);
	assert_false(ci.opts.ts_ok);
	sg_close(c);
}

/* A small table that prunes under pressure instead of retransmitting. */
static void
tune_small_prune(struct sg_params *p)
{
	p->synq_size = 64;
	p->synack_rto_ms = 100;
	p->synack_retries = 3;
}

/*
 * A middlebox stripped the timestamps from the third segment of a cookie
 * handshake whose SYN had them: it completes as Linux does, with window
 * scaling, SACK and timestamps off (it used to fail the cookie's MAC,
 * which covered the options in TSecr, and draw a RST).
 */
static void
test_cookie_ack_without_timestamps(void **state)
{
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa;

	(void)state;
	engine_up(tune_always);
	sa = syn(40006, 7000, &all_opts);
	assert_true(sa.opts.o_present & OPT_TS);
	ack(40006, 7001, sa.seq + 1, NULL, NULL);	/* no options */
	expect_none();					/* no RST */
	assert_int_equal(wk->w_stats.cookies_ok, 1);
	assert_int_equal(wk->w_stats.cookies_failed, 0);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_true(ci.opts.via_cookie);
	assert_int_equal(ci.opts.mss, 1460);
	assert_false(ci.opts.ts_ok);
	assert_false(ci.opts.wscale_ok);
	assert_false(ci.opts.sack_ok);
	sg_close(c);
}

/*
 * Under a flood the half-open entry of a real client is pruned at its
 * first timeout; its ACK comes later and finds no entry.  The entry's ISN
 * was a cookie (FreeBSD's syncache way), so the ACK completes the
 * handshake instead of drawing a RST (issue 10: 26 clients reset in a
 * four-minute flood, cookies_failed = rst_out = 26).
 */
static void
test_pruned_entry_still_completes(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa, r;
	uint16_t i;

	(void)state;
	engine_up(tune_small_prune);
	/* The real client, with timestamps and window scaling. */
	sa = syn(42000, 9000, &o);
	/* A flood fills the table past its high-water mark. */
	for (i = 0; i < 60; i++)
		syn((uint16_t)(43000 + i), 100u * i, NULL);
	assert_true(wk->w_flood);
	drain_tx();
	/* First timeout: every entry is pruned, the client's among them. */
	poll_at(now_us + 101 * 1000);
	assert_true(wk->w_stats.synq_pruned >= 56);
	assert_int_equal(synq_used(&wk->w_synq), 0);
	drain_tx();
	/* The client's late ACK, echoing the SYN-ACK's TSval. */
	o.o_present = OPT_TS;
	o.o_tsval = 1001;
	o.o_tsecr = sa.opts.o_tsval;
	ack(42000, 9001, sa.seq + 1, NULL, &o);
	assert_false(sent(&r, NULL));			/* no RST */
	assert_int_equal(wk->w_stats.cookies_failed, 0);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_true(ci.opts.via_cookie);
	assert_int_equal(ci.iss, sa.seq);
	assert_true(ci.opts.ts_ok);
	assert_true(ci.opts.wscale_ok);
	assert_int_equal(ci.opts.snd_wscale, 7);
	sg_close(c);
}

static void
tune_small_auto(struct sg_params *p)
{
	p->synq_size = 64;
	p->synack_rto_ms = 100;
	p->synack_retries = 0;
}

static void
test_cookie_auto_hysteresis(void **state)
{
	struct pkt_info sa;
	uint16_t i;

	(void)state;
	engine_up(tune_small_auto);
	/* Stateful up to the high-water mark (7/8 of 64 = 56)... */
	for (i = 0; i < 56; i++)
		syn((uint16_t)(41000 + i), i, NULL);
	assert_int_equal(synq_used(&wk->w_synq), 56);
	assert_true(wk->w_flood);
	assert_int_equal(wk->w_stats.cookie_mode_on, 1);
	assert_int_equal(wk->w_stats.cookies_sent, 0);
	/* ...then cookies, without state. */
	for (i = 0; i < 20; i++)
		syn((uint16_t)(42000 + i), i, NULL);
	assert_int_equal(synq_used(&wk->w_synq), 56);
	assert_int_equal(wk->w_stats.cookies_sent, 20);
	/* A cookie ACK completes while in flood mode. */
	sa = syn(43000, 7, NULL);
	ack(43000, 8, sa.seq + 1, NULL, NULL);
	assert_int_equal(wk->w_stats.cookies_ok, 1);
	/* Hysteresis: below the high-water mark but above the low one
	 * (1/2 = 32), cookies go on. */
	for (i = 0; i < 20; i++) {
		struct seg r = { .sport = (uint16_t)(41000 + i),
				 .seq = (uint32_t)i + 1, .flags = TCPF_RST };

		send_seg(&r);
	}
	poll_at(now_us);
	assert_int_equal(synq_used(&wk->w_synq), 36);
	assert_true(wk->w_flood);
	syn(43001, 9, NULL);
	assert_int_equal(wk->w_stats.cookies_sent, 22);
	assert_int_equal(synq_used(&wk->w_synq), 36);
	/* Entries expire (no retries): at the low-water mark, stateful. */
	poll_at(now_us + 200000);
	drain_tx();
	assert_int_equal(synq_used(&wk->w_synq), 0);
	assert_false(wk->w_flood);
	syn(44000, 1, NULL);
	assert_int_equal(synq_used(&wk->w_synq), 1);
	assert_int_equal(wk->w_stats.cookies_sent, 22);
}

static void
tune_never(struct sg_params *p)
{
	p->synq_size = 64;
	p->cookies = SG_COOKIES_NEVER;
}

static void
test_cookies_never_drops_when_full(void **state)
{
	struct seg s = { .seq = 1, .flags = TCPF_SYN };
	uint16_t i;

	(void)state;
	engine_up(tune_never);
	for (i = 0; i < 64; i++)
		syn((uint16_t)(41000 + i), i, NULL);
	s.sport = 45000;
	send_seg(&s);
	poll_at(now_us);
	expect_none();
	assert_int_equal(drops(SG_DROP_SYNQ_FULL), 1);
	assert_int_equal(wk->w_stats.cookies_sent, 0);
}

static void
test_data_on_third_ack(void **state)
{
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa, a;
	char buf[32];

	(void)state;
	engine_up(NULL);
	sa = syn(40010, 3000, NULL);
	ack(40010, 3001, sa.seq + 1, "hello, syngate", NULL);
	/* The data is acknowledged... */
	assert_true(sent(&a, NULL));
	assert_int_equal(a.tcp_flags, TCPF_ACK);
	assert_int_equal(a.ack, 3001 + 14);
	assert_int_equal(a.seq, sa.seq + 1);
	/* ...and delivered with the connection. */
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.first_data_len, 14);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sg_conn_first_data(c, buf, sizeof(buf)), 14);
	assert_string_equal(buf, "hello, syngate");
	assert_int_equal(wk->w_stats.first_data, 1);
	sg_close(c);
}

static void
test_data_ack_after_lost_ack(void **state)
{
	struct sg_conn *c;
	struct pkt_info sa, a;
	char buf[8];

	(void)state;
	engine_up(NULL);
	sa = syn(40011, 1, NULL);
	/* The pure ACK never arrives; the client's first data segment
	 * (which acknowledges the SYN-ACK too) completes the handshake. */
	ack(40011, 2, sa.seq + 1, "GET", NULL);
	assert_true(sent(&a, NULL));
	assert_int_equal(a.ack, 2 + 3);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_int_equal(sg_conn_first_data(c, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "GET", 3);
	/* The late pure ACK now belongs to the connection, not a new one. */
	ack(40011, 2, sa.seq + 1, NULL, NULL);
	assert_int_equal(wk->w_stats.accepted, 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);
}

static void
tune_backlog1(struct sg_params *p)
{
	p->backlog = 1;
}

static void
tune_backlog1_reset(struct sg_params *p)
{
	p->backlog = 1;
	p->overflow = SG_OVERFLOW_RESET;
}

static void
test_overflow_drop(void **state)
{
	struct sg_conn *c;
	struct pkt_info a, b;

	(void)state;
	engine_up(tune_backlog1);
	a = syn(40020, 10, NULL);
	b = syn(40021, 20, NULL);
	ack(40020, 11, a.seq + 1, NULL, NULL);
	ack(40021, 21, b.seq + 1, NULL, NULL);
	expect_none();			/* dropped silently */
	assert_int_equal(wk->w_stats.overflow_drop, 1);
	assert_int_equal(drops(SG_DROP_ACCEPT_OVERFLOW), 1);
	assert_int_equal(synq_used(&wk->w_synq), 1);	/* entry kept */
	/* Once the application drains the queue, the client's next ACK
	 * completes the kept entry. */
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_close(c);
	ack(40021, 21, b.seq + 1, NULL, NULL);
	drain_tx();
	assert_int_equal(wk->w_stats.accepted, 2);
	assert_int_equal(synq_used(&wk->w_synq), 0);
}

static void
test_overflow_reset(void **state)
{
	struct pkt_info a, b, r;

	(void)state;
	engine_up(tune_backlog1_reset);
	a = syn(40020, 10, NULL);
	b = syn(40021, 20, NULL);
	ack(40020, 11, a.seq + 1, NULL, NULL);
	ack(40021, 21, b.seq + 1, NULL, NULL);
	assert_true(sent(&r, NULL));
	assert_int_equal(r.tcp_flags, TCPF_RST);
	assert_int_equal(r.seq, b.seq + 1);
	assert_int_equal(wk->w_stats.overflow_reset, 1);
	assert_int_equal(synq_used(&wk->w_synq), 0);	/* entry gone */
}

static void
tune_conn2(struct sg_params *p)
{
	p->conn_max = 2;
}

static void
test_conn_table_full(void **state)
{
	struct pkt_info a;
	uint16_t i;

	(void)state;
	engine_up(tune_conn2);
	for (i = 0; i < 3; i++) {
		a = syn((uint16_t)(40030 + i), i * 100, NULL);
		ack((uint16_t)(40030 + i), i * 100 + 1, a.seq + 1, NULL, NULL);
	}
	assert_int_equal(wk->w_stats.accepted, 2);
	assert_int_equal(drops(SG_DROP_CONN_FULL), 1);
	assert_int_equal(wk->w_conns_used, 2);
}

static void
tune_rst_rate(struct sg_params *p)
{
	p->rst_rate = 10;	/* burst: 10/10 + 1 = 2 */
}

static void
test_unknown_flow_rst(void **state)
{
	struct seg s = { .sport = 40040, .seq = 5, .ack = 99999,
			 .flags = TCPF_ACK };
	struct pkt_info r;
	unsigned i, n = 0;

	(void)state;
	engine_up(tune_rst_rate);
	/* RFC 9293: ACK for nothing -> <SEQ=SEG.ACK><CTL=RST>. */
	send_seg(&s);
	poll_at(now_us);
	assert_true(sent(&r, NULL));
	assert_int_equal(r.tcp_flags, TCPF_RST);
	assert_int_equal(r.seq, 99999);
	assert_int_equal(drops(SG_DROP_NO_FLOW), 1);
	/* SYN to a closed port (8081) -> RST+ACK, ack = seq + 1. */
	{
		struct seg c = { .sport = 40041, .seq = 77, .flags = TCPF_SYN };
		struct rte_mbuf *m = frame(&c);
		uint8_t *tcp = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN +
			       PKT_IP4_LEN;
		uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN;

		tcp[2] = 8081 >> 8;
		tcp[3] = 8081 & 0xff;
		tcp[16] = tcp[17] = 0;
		*(uint16_t *)(tcp + 16) = pkt_tcp4_cksum(ip, tcp,
			m->data_len - PKT_ETH_LEN - PKT_IP4_LEN);
		now_us += 1000000;	/* refill the bucket */
		inject(m);
		poll_at(now_us);
		assert_true(sent(&r, NULL));
		assert_int_equal(r.tcp_flags, TCPF_RST | TCPF_ACK);
		assert_int_equal(r.ack, 78);
		assert_int_equal(r.seq, 0);
		assert_int_equal(drops(SG_DROP_NO_LISTENER), 1);
	}
	/* Rate limit: 10 more at the same instant, the bucket holds 2. */
	now_us += 1000000;
	s.flags = TCPF_ACK;
	s.ack = 1;
	for (i = 0; i < 10; i++) {
		s.sport = (uint16_t)(40100 + i);
		send_seg(&s);
	}
	poll_at(now_us);
	while (sent(&r, NULL))
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(wk->w_stats.rst_ratelimited, 8);
	/* Never a RST in answer to a RST. */
	s.flags = TCPF_RST;
	now_us += 1000000;
	send_seg(&s);
	poll_at(now_us);
	expect_none();
}

static void
test_peer_reset_established(void **state)
{
	struct seg r = { .sport = 40050, .flags = TCPF_RST };
	struct sg_conn *c;
	struct pkt_info a;

	(void)state;
	engine_up(NULL);
	a = syn(40050, 600, NULL);
	ack(40050, 601, a.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_false(sg_conn_is_reset(c));
	r.seq = 601;
	send_seg(&r);
	poll_at(now_us);
	assert_true(sg_conn_is_reset(c));
	assert_int_equal(wk->w_stats.conn_reset, 1);
	/* Closing a reset connection frees it without a RST. */
	sg_close(c);
	poll_at(now_us);
	expect_none();
	assert_int_equal(wk->w_conns_used, 0);
}

/* Malformed frames: each counted under its reason, nothing sent. */
static void
test_malformed_counted(void **state)
{
	struct seg s = { .sport = 40060, .seq = 1, .flags = TCPF_SYN };
	struct rte_mbuf *m;
	uint8_t *b;

	(void)state;
	engine_up(NULL);
	m = frame(&s);			/* short frame */
	m->data_len = m->pkt_len = 10;
	inject(m);
	m = frame(&s);			/* bad IP checksum */
	rte_pktmbuf_mtod(m, uint8_t *)[PKT_ETH_LEN + 10] ^= 0x55;
	inject(m);
	m = frame(&s);			/* fragment (MF) */
	b = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN;
	b[6] |= 0x20;
	b[10] = b[11] = 0;
	*(uint16_t *)(b + 10) = pkt_ip4_cksum(b, 20);
	inject(m);
	m = frame(&s);			/* bad TCP checksum */
	rte_pktmbuf_mtod(m, uint8_t *)[PKT_ETH_LEN + PKT_IP4_LEN + 16] ^= 1;
	inject(m);
	m = frame(&s);			/* truncated IP total length */
	b = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN;
	b[2] = 0x10;
	b[3] = 0;
	b[10] = b[11] = 0;
	*(uint16_t *)(b + 10) = pkt_ip4_cksum(b, 20);
	inject(m);
	poll_at(now_us);
	expect_none();
	assert_int_equal(drops(SG_DROP_SHORT_FRAME), 1);
	assert_int_equal(drops(SG_DROP_IP_BAD_CKSUM), 1);
	assert_int_equal(drops(SG_DROP_IP_FRAGMENT), 1);
	assert_int_equal(drops(SG_DROP_TCP_BAD_CKSUM), 1);
	assert_int_equal(drops(SG_DROP_IP_BAD_TOTLEN), 1);
	assert_int_equal(wk->w_stats.syn_in, 0);
	assert_int_equal(wk->w_stats.rx_pkts, 5);
}

static void
test_arp_and_ping(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(cpool);
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x02,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x02, 198, 18, 0, 2,
		0, 0, 0, 0, 0, 0, 198, 18, 0, 1,
	};
	struct rte_mbuf *r = NULL;
	uint8_t *rb;

	(void)state;
	engine_up(NULL);
	memcpy(b, arp, sizeof(arp));
	m->data_len = m->pkt_len = sizeof(arp);
	inject(m);
	poll_at(now_us);
	assert_int_equal(rte_ring_dequeue(txr, (void **)&r), 0);
	rb = rte_pktmbuf_mtod(r, uint8_t *);
	assert_memory_equal(rb, cli_mac, 6);		/* to the asker */
	assert_memory_equal(rb + 6, srv_mac.addr_bytes, 6);
	assert_int_equal(rb[21], 2);			/* reply */
	assert_memory_equal(rb + 22, srv_mac.addr_bytes, 6);
	assert_int_equal(rb[28], 198);
	assert_int_equal(rb[31], 1);
	rte_pktmbuf_free(r);
	assert_int_equal(wk->w_stats.arp_replies, 1);
	/* ARP for another address: not ours. */
	m = rte_pktmbuf_alloc(cpool);
	b = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(b, arp, sizeof(arp));
	b[41] = 9;
	m->data_len = m->pkt_len = sizeof(arp);
	inject(m);
	poll_at(now_us);
	assert_int_equal(rte_ring_dequeue(txr, (void **)&r), -ENOENT);
	assert_int_equal(drops(SG_DROP_ARP_NOT_OURS), 1);

	/* ICMP echo request -> echo reply with the same id/seq/payload. */
	{
		static const uint8_t srv[4] = { 198, 18, 0, 1 };
		static const uint8_t cli[4] = { 198, 18, 0, 2 };
		static const uint8_t idseq_ping[8] = {
			0x01, 0x02, 0x00, 0x07, 'p', 'i', 'n', 'g',
		};

		inject(ping4_frame());
		poll_at(now_us);
		assert_int_equal(rte_ring_dequeue(txr, (void **)&r), 0);
		rb = rte_pktmbuf_mtod(r, uint8_t *);
		assert_memory_equal(rb, cli_mac, 6);
		assert_int_equal(rb[PKT_ETH_LEN + 20], 0);	/* echo reply */
		assert_memory_equal(rb + PKT_ETH_LEN + 12, srv, 4);
		assert_memory_equal(rb + PKT_ETH_LEN + 16, cli, 4);
		assert_memory_equal(rb + PKT_ETH_LEN + 24, idseq_ping, 8);
		/* Both checksums verify. */
		assert_int_equal(rte_raw_cksum(rb + PKT_ETH_LEN, 20), 0xffff);
		assert_int_equal(rte_raw_cksum(rb + PKT_ETH_LEN + 20, 12),
				 0xffff);
		rte_pktmbuf_free(r);
		assert_int_equal(wk->w_stats.icmp_replies, 1);
	}
}

/* ---- IPv6 ----------------------------------------------------------------- */

/* A segment from cli_ip6 to srv_ip6. */
static void
send6(uint16_t sport, uint32_t seq, uint32_t a, uint8_t flags,
      const struct pkt_tcp_opts *o, const char *data)
{
	struct seg s = { .family = 6, .sport = sport, .seq = seq, .ack = a,
			 .flags = flags, .data = data };

	if (o != NULL)
		s.opts = *o;
	send_seg(&s);
	poll_at(now_us);
}

/* The next frame sent must be an IPv6 TCP segment to the client. */
static void
sent6(struct pkt_info *pi)
{
	assert_true(sent(pi, NULL));
	assert_int_equal(pi->family, 6);
	assert_memory_equal(pi->flow6.raddr, srv_ip6, 16);
	assert_memory_equal(pi->flow6.laddr, cli_ip6, 16);
}

/* An IPv4 and an IPv6 connection with the same ports, each with its own
 * handshake, data both ways and close: the two flow tables keep them
 * apart. */
static void
test_ipv6_handshake_and_data(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct sg_conn_info ci;
	struct sg_conn *c, *c4;
	struct pkt_info sa, sa4, d;
	char buf[64];
	long n;

	(void)state;
	engine_up(NULL);
	send6(40000, 7777, 0, TCPF_SYN, &all_opts, NULL);
	sent6(&sa);
	assert_int_equal(sa.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(sa.ack, 7778);
	assert_int_equal(sa.flow6.lport, rte_cpu_to_be_16(40000));
	/* MSS for IPv6: the IPv4 one less 20 bytes of header. */
	assert_int_equal(sa.opts.o_mss, 1460 - 20);
	assert_int_equal(synq_used(&wk->w_synq), 1);
	/* Same ports over IPv4: another flow. */
	sa4 = syn(40000, 5555, &all_opts);
	assert_int_equal(synq_used(&wk->w_synq), 2);
	assert_int_not_equal(sa4.seq, sa.seq);

	/* Third segment with data. */
	o.o_present = OPT_TS;
	o.o_tsval = 1001;
	o.o_tsecr = sa.opts.o_tsval;
	send6(40000, 7778, sa.seq + 1, TCPF_ACK | TCPF_PSH, &o, "hello6");
	sent6(&d);				/* the ACK of the data */
	assert_int_equal(d.ack, 7778 + 6);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.flow.family, 6);
	assert_memory_equal(ci.flow.raddr.v6, cli_ip6, 16);
	assert_memory_equal(ci.flow.laddr.v6, srv_ip6, 16);
	assert_int_equal(ci.flow.rport, rte_cpu_to_be_16(40000));
	assert_int_equal(ci.first_data_len, 6);
	n = sg_recv(c, buf, sizeof(buf));
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "hello6", 6);
	assert_int_equal(synq_used(&wk->w_synq), 1);	/* the v4 one */

	assert_int_equal(sg_send(c, "world6", 6), 6);
	poll_at(now_us);
	sent6(&d);
	assert_int_equal(d.payload_len, 6);
	assert_int_equal(d.seq, sa.seq + 1);

	/* The IPv4 flow completes too, as IPv4. */
	ack(40000, 5556, sa4.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c4), 0);
	sg_conn_info(c4, &ci);
	assert_int_equal(ci.flow.family, 4);
	assert_int_equal(ci.flow.raddr.v4, CLI_IP);
	assert_int_equal(wk->w_conns_used, 2);

	/* Peer closes the v6 one: FIN is ACKed over IPv6. */
	send6(40000, 7778 + 6, sa.seq + 1 + 6, TCPF_FIN | TCPF_ACK, &o, NULL);
	sent6(&d);
	assert_int_equal(d.ack, 7778 + 6 + 1);
	assert_int_equal(sg_close(c), 0);
	poll_at(now_us);
	sent6(&d);
	assert_true(d.tcp_flags & TCPF_FIN);
	sg_close(c4);
}

static void
test_ipv6_cookie(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa, r;

	(void)state;
	engine_up(tune_always);
	send6(41000, 99, 0, TCPF_SYN, &all_opts, NULL);
	sent6(&sa);
	assert_int_equal(wk->w_stats.cookies_sent, 1);
	assert_int_equal(synq_used(&wk->w_synq), 0);
	o.o_present = OPT_TS;
	o.o_tsecr = sa.opts.o_tsval;
	/* Wrong cookie: RST, counted. */
	send6(41000, 100, sa.seq + 2, TCPF_ACK, &o, NULL);
	sent6(&r);
	assert_true(r.tcp_flags & TCPF_RST);
	assert_int_equal(drops(SG_DROP_COOKIE_BAD), 1);
	send6(41000, 100, sa.seq + 1, TCPF_ACK, &o, NULL);
	expect_none();
	assert_int_equal(wk->w_stats.cookies_ok, 1);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.flow.family, 6);
	assert_true(ci.opts.via_cookie);
	assert_int_equal(ci.opts.snd_wscale, 7);
	assert_memory_equal(ci.flow.raddr.v6, cli_ip6, 16);
	sg_close(c);
}

/* Inject ICMPv6 from the client to dst and poll. */
static void
inject_icmp6(const uint8_t *dst, uint8_t hlim, const uint8_t *icmp,
	     unsigned len)
{
	inject(icmp6_frame(cli_ip6, dst, hlim, icmp, len));
	poll_at(now_us);
}

/* Neighbour discovery and echo through the worker; a SYN and an NS for
 * an address not served are counted drops. */
static void
test_ipv6_nd_and_ping(void **state)
{
	const uint8_t *snm = srv_snm6;
	static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	uint8_t ns[32] = { 135, 0 }, echo[12] = { 128, 0, 0, 0, 0, 1, 0, 2,
						  'p', 'i', 'n', 'g' };
	struct rte_mbuf *r = NULL;
	struct pkt_info pi;
	enum sg_drop why;
	uint8_t *rb;

	(void)state;
	engine_up(NULL);
	memcpy(ns + 8, srv_ip6, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, cli_mac, 6);
	inject_icmp6(snm, 255, ns, sizeof(ns));
	assert_int_equal(rte_ring_dequeue(txr, (void **)&r), 0);
	rb = rte_pktmbuf_mtod(r, uint8_t *);
	assert_memory_equal(rb, cli_mac, 6);
	assert_memory_equal(rb + 6, srv_mac.addr_bytes, 6);
	assert_int_equal(rb[54], 136);			/* advertisement */
	assert_memory_equal(rb + 62, srv_ip6, 16);
	assert_memory_equal(rb + 80, srv_mac.addr_bytes, 6);
	assert_int_equal(pkt_l4_6_cksum(rb + 14, 58, rb + 54, 32), 0);
	rte_pktmbuf_free(r);
	assert_int_equal(wk->w_stats.nd_replies, 1);

	memcpy(ns + 8, other, 16);
	inject_icmp6(snm, 255, ns, sizeof(ns));
	expect_none();
	assert_int_equal(drops(SG_DROP_ND_NOT_OURS), 1);

	inject_icmp6(srv_ip6, 64, echo, sizeof(echo));
	assert_int_equal(rte_ring_dequeue(txr, (void **)&r), 0);
	rb = rte_pktmbuf_mtod(r, uint8_t *);
	assert_int_equal(rb[54], 129);			/* echo reply */
	assert_memory_equal(rb + 38, cli_ip6, 16);
	assert_memory_equal(rb + 58, echo + 4, 8);
	rte_pktmbuf_free(r);
	assert_int_equal(wk->w_stats.icmp_replies, 1);
	inject_icmp6(other, 64, echo, sizeof(echo));
	expect_none();
	assert_int_equal(drops(SG_DROP_IP_NOT_OURS), 1);

	/* A SYN to an address we do not serve. */
	{
		struct rte_mbuf *m;
		struct seg s = { .family = 6, .sport = 1, .seq = 1,
				 .flags = TCPF_SYN };

		m = frame(&s);
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 38), other, 16);
		/* fix the TCP checksum for the new destination */
		{
			uint8_t *ip6 = rte_pktmbuf_mtod_offset(m, uint8_t *,
							       14);

			ip6[40 + 16] = ip6[40 + 17] = 0;
			*(uint16_t *)(ip6 + 56) = pkt_l4_6_cksum(ip6, 6,
				ip6 + 40, m->data_len - 54u);
		}
		assert_int_equal(pkt_parse(rte_pktmbuf_mtod(m, uint8_t *),
					   m->data_len, 0, &pi, &why),
				 PKT_TCP);
		inject(m);
		poll_at(now_us);
		expect_none();
		assert_int_equal(drops(SG_DROP_IP_NOT_OURS), 2);
	}
}

/*
 * The SYN-ACK's TSval, then the first data segment's, of one connection
 * accepted `ms` milliseconds after its SYN.  Returns the two TSvals.
 */
static void
tsvals(uint16_t sport, unsigned ms, uint32_t *syn_ack, uint32_t *data)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa, pi;
	struct sg_conn *c;
	char buf[16];
	size_t len;

	sa = syn(sport, 7000, &o);
	*syn_ack = sa.opts.o_tsval;
	now_us += ms * 1000ull;
	o.o_present = OPT_TS;
	o.o_tsval = all_opts.o_tsval + 1;
	o.o_tsecr = sa.opts.o_tsval;
	ack(sport, 7001, sa.seq + 1, NULL, &o);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_int_equal(sg_send(c, "ts", 2), 2);
	poll_at(now_us);
	assert_true(sent_data(&pi, buf, sizeof(buf), &len));
	assert_int_equal(len, 2);
	assert_true(pi.opts.o_present & OPT_TS);
	*data = pi.opts.o_tsval;
	sg_abort(c);
	poll_at(now_us);
	drain_tx();
}

/*
 * RFC 7323 5.4: each connection's TSval clock has its own offset (from
 * the keyed hash of its 4-tuple), so TSvals do not link connections to one
 * host clock; within a connection it runs on, from the SYN-ACK to the
 * data, whether the handshake went through the table or a cookie (which
 * carries no offset: it is derived again from the cookie's hash).
 */
static void
test_tsval_offset_per_connection(void **state)
{
	uint32_t s1, d1, s2, d2;

	(void)state;
	engine_up(NULL);
	tsvals(40100, 5, &s1, &d1);
	tsvals(40101, 5, &s2, &d2);
	/* 5 ms apart on one clock, but not on one offset. */
	assert_int_not_equal(s2 - s1, 5);
	/* While cookies may be used, a SYN-ACK's TSval carries the
	 * options in its low bits, set never ahead of the connection's
	 * clock (so at most two option fields behind it). */
	assert_true(d1 - s1 >= 5 && d1 - s1 < 5 + 128);
	assert_true(d2 - s2 >= 5 && d2 - s2 < 5 + 128);
	engine_down(NULL);

	engine_up(tune_never);
	tsvals(40100, 5, &s1, &d1);
	tsvals(40101, 5, &s2, &d2);
	assert_int_not_equal(s2 - s1, 5);
	assert_int_equal(d1 - s1, 5);
	assert_int_equal(d2 - s2, 5);
	engine_down(NULL);

	engine_up(tune_always);
	tsvals(40100, 7, &s1, &d1);
	assert_int_equal(wk->w_stats.cookies_ok, 1);
	assert_true(d1 - s1 >= 7 && d1 - s1 < 7 + 128);
}

/*
 * The wall clock steps back (NTP, an operator): the cookie keys stay as
 * they are, so a cookie sent before the step still completes (both keys
 * used to be replaced).  A gap of more than one epoch forward refreshes
 * both keys: a cookie minted before a long stall does not live on.
 */
static void
test_cookie_keys_and_clock_steps(void **state)
{
	struct pkt_info sa;
	struct sg_conn *c;

	(void)state;
	engine_up(tune_always);
	sa = syn(40110, 100, NULL);
	assert_int_equal(sg_engine_update_keys(eng, eng->e_unix_base - 3600),
			 0);
	ack(40110, 101, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_abort(c);
	drain_tx();

	sa = syn(40111, 200, NULL);
	assert_int_equal(sg_engine_update_keys(eng, eng->e_unix_base +
					       3 * COOKIE_TICK_SEC), 0);
	ack(40111, 201, sa.seq + 1, NULL, NULL);
	assert_int_equal(wk->w_stats.cookies_failed, 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);
	drain_tx();
	/* Fresh cookies work with the fresh keys. */
	sa = syn(40112, 300, NULL);
	ack(40112, 301, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_abort(c);
}

/*
 * sg_engine_update_keys called again within the epoch it last rotated to
 * (every stats tick calls it) leaves the keys alone: a cookie minted
 * between the calls still completes.  Checked at the epoch the engine
 * started in and again after a rotation (random keys: a second rotation
 * would replace the current key; issue 16, survivors eng-key-same-epoch
 * and eng-key-epoch).
 */
static void
test_cookie_keys_kept_within_epoch(void **state)
{
	uint64_t t;
	struct pkt_info sa;
	struct sg_conn *c;
	unsigned round;

	(void)state;
	engine_up(tune_always);
	t = eng->e_key_epoch * COOKIE_TICK_SEC;
	for (round = 0; round < 2; round++) {
		uint16_t sport = (uint16_t)(40130 + round);

		if (round == 1) {	/* rotate once, to the next epoch */
			t += COOKIE_TICK_SEC;
			assert_int_equal(sg_engine_update_keys(eng, t), 0);
			poll_at(now_us);
		}
		sa = syn(sport, 500, NULL);
		assert_int_equal(sg_engine_update_keys(eng, t + 1), 0);
		assert_int_equal(sg_engine_update_keys(eng,
				 t + COOKIE_TICK_SEC - 1), 0);
		poll_at(now_us);
		ack(sport, 501, sa.seq + 1, NULL, NULL);
		assert_int_equal(wk->w_stats.cookies_failed, 0);
		assert_int_equal(sg_accept(lst, &c), 0);
		sg_abort(c);
		poll_at(now_us);
		drain_tx();
	}
	assert_int_equal(wk->w_stats.cookies_ok, 2);
}

static void
tune_keys_by_app(struct sg_params *p)
{
	p->cookies = SG_COOKIES_ALWAYS;
	p->keys_by_app = true;
}

/* Microseconds from the worker clock's now_us to the start of epoch n. */
static uint64_t
us_to_epoch(uint64_t n)
{
	uint64_t sec = wk->w_unix_base + now_us / 1000000;

	return (n * COOKIE_TICK_SEC - sec) * 1000000 + 1000;
}

/*
 * Nobody calls sg_engine_update_keys: worker 0 rotates the keys itself
 * when its clock enters the next epoch, and a cookie minted just before
 * still completes (the previous key stays).  Two epochs on, the key of
 * the first epoch's slot is a new one.  With keys_by_app the engine
 * leaves them to the application.
 */
static void
keys_on_engine_clock(bool by_app)
{
	uint64_t n0 = eng->e_key_epoch;
	struct siphash_key k0 = eng->e_ckeys.ck_key[n0 & 1];
	struct pkt_info sa;
	struct sg_conn *c;
	uint64_t d = us_to_epoch(n0 + 1);

	if (d > 2000000)	/* 2 s before the epoch ends */
		poll_at(now_us + d - 2000000);
	assert_int_equal(eng->e_key_epoch, n0);
	sa = syn(40150, 700, NULL);
	poll_at(now_us + us_to_epoch(n0 + 1));
	assert_int_equal(eng->e_key_epoch, by_app ? n0 : n0 + 1);
	ack(40150, 701, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_abort(c);
	poll_at(now_us);
	drain_tx();
	poll_at(now_us + us_to_epoch(n0 + 2));
	assert_int_equal(eng->e_key_epoch, by_app ? n0 : n0 + 2);
	assert_int_equal(memcmp(&k0, &eng->e_ckeys.ck_key[n0 & 1],
				sizeof(k0)) == 0, by_app);
	/* Cookies work with whatever keys are current. */
	sa = syn(40151, 800, NULL);
	ack(40151, 801, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_abort(c);
	assert_int_equal(wk->w_stats.cookies_failed, 0);
}

static void
test_keys_rotate_on_engine_clock(void **state)
{
	(void)state;
	engine_up(tune_always);
	keys_on_engine_clock(false);
}

static void
test_keys_by_app_left_alone(void **state)
{
	(void)state;
	engine_up(tune_keys_by_app);
	keys_on_engine_clock(true);
}

/*
 * RFC 3168 6.1.1: only a SYN with both ECE and CWR asks for ECN; one of
 * them alone does not (issue 16, survivor hs-ecn-both).  Through the
 * table and through a cookie (which carries the request in the
 * timestamp, so the SYNs carry one).
 */
static void
ecn_cases(void)
{
	static const uint8_t fl[4] = { TCPF_ECE | TCPF_CWR, TCPF_ECE,
				       TCPF_CWR, 0 };
	unsigned i;

	for (i = 0; i < 4; i++) {
		uint16_t sport = (uint16_t)(40140 + i);
		struct seg s = { .sport = sport, .seq = 900,
				 .flags = TCPF_SYN | fl[i], .opts = all_opts };
		struct pkt_tcp_opts o = all_opts;
		struct sg_conn_info ci;
		struct pkt_info sa;
		struct sg_conn *c;

		send_seg(&s);
		poll_at(now_us);
		assert_true(sent(&sa, NULL));
		assert_int_equal(sa.tcp_flags & (TCPF_SYN | TCPF_ACK),
				 TCPF_SYN | TCPF_ACK);
		o.o_tsval++;
		o.o_tsecr = sa.opts.o_tsval;
		ack(sport, 901, sa.seq + 1, NULL, &o);
		assert_int_equal(sg_accept(lst, &c), 0);
		sg_conn_info(c, &ci);
		assert_int_equal(ci.opts.ecn_requested, i == 0);
		sg_abort(c);
		poll_at(now_us);
		drain_tx();
	}
}

static void
test_ecn_setup_needs_both_flags(void **state)
{
	(void)state;
	engine_up(NULL);
	ecn_cases();
	assert_int_equal(wk->w_stats.synq_added, 4);
}

static void
test_ecn_setup_needs_both_flags_cookie(void **state)
{
	(void)state;
	engine_up(tune_always);
	ecn_cases();
	assert_int_equal(wk->w_stats.cookies_ok, 4);
}

static void
tune_never_isn(struct sg_params *p)
{
	p->cookies = SG_COOKIES_NEVER;
}

/*
 * RFC 6528: the ISN is M + F, M a clock ticking every 4 us.  The same
 * 4-tuple asking again later -- after a reset half-open entry, then after
 * TIME-WAIT -- gets an ISN moved on by exactly the time that passed (a
 * keyed hash alone would hand out the same ISN again; issue 16, gap 1).
 */
static void
test_isn_clock_moves_on(void **state)
{
	struct seg r = { .sport = 40120, .flags = TCPF_RST };
	struct pkt_info a, b, d;
	struct sg_conn *c;
	uint64_t t0;

	(void)state;
	engine_up(tune_never_isn);
	t0 = now_us;
	a = syn(40120, 1000, NULL);
	r.seq = 1001;
	send_seg(&r);
	poll_at(now_us);
	expect_none();
	assert_int_equal(synq_used(&wk->w_synq), 0);
	/* 4 ms later: 1000 ticks. */
	poll_at(t0 + 4000);
	b = syn(40120, 5000, NULL);
	assert_int_equal(b.seq - a.seq, 1000);
	/* Established, closed by us, TIME-WAIT; a new SYN 1 s later. */
	ack(40120, 5001, b.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_close(c);
	poll_at(now_us);
	drain_tx();
	{
		struct seg f = { .sport = 40120, .seq = 5001,
				 .ack = b.seq + 2,
				 .flags = TCPF_ACK | TCPF_FIN };

		send_seg(&f);
		poll_at(now_us);
	}
	drain_tx();
	assert_int_equal(wk->w_stats.time_wait, 1);
	poll_at(t0 + 4000 + 1000000);
	d = syn(40120, 5002 + 100000, NULL);
	assert_int_equal(d.seq - b.seq, 250000);
}

/* RFC 7323 2.3: a window scale above 14 is used as 14. */
static void
test_peer_wscale_capped(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa;
	struct sg_conn *c;

	(void)state;
	engine_up(NULL);
	o.o_present = OPT_MSS | OPT_WSCALE;
	o.o_wscale = 15;
	sa = syn(40130, 3000, &o);
	assert_true(sa.opts.o_present & OPT_WSCALE);
	ack(40130, 3001, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_int_equal(c->c_opts.snd_wscale, 14);
	assert_int_equal(c->c_snd_wnd, 29200u << 14);
	sg_abort(c);
}

/* In SYN-RECEIVED (RFC 9293 3.10.7.4): an ACK of anything but ISN + 1
 * draws <SEQ=SEG.ACK><RST> (the ISN itself included); an ACK with a wrong
 * sequence number is dropped; a SYN+ACK is dropped, not answered like a
 * retransmitted SYN.  None completes the handshake; the right ACK still
 * does. */
static void
test_synq_unacceptable_segments(void **state)
{
	struct seg s = { .sport = 40131 };
	struct pkt_info sa, r;
	struct sg_conn *c;

	(void)state;
	engine_up(NULL);
	sa = syn(40131, 7000, NULL);
	/* ACK = ISN: not ours to take. */
	s.seq = 7001;
	s.ack = sa.seq;
	s.flags = TCPF_ACK;
	send_seg(&s);
	poll_at(now_us);
	assert_true(sent(&r, NULL));
	assert_int_equal(r.tcp_flags, TCPF_RST);
	assert_int_equal(r.seq, sa.seq);
	assert_int_equal(drops(SG_DROP_SYNQ_BAD_ACK), 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);
	/* Right ACK, wrong sequence number. */
	s.seq = 7001 + 100;
	s.ack = sa.seq + 1;
	send_seg(&s);
	poll_at(now_us);
	expect_none();
	assert_int_equal(drops(SG_DROP_SYNQ_BAD_SEQ), 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);
	/* SYN+ACK. */
	s.seq = 7000;
	s.flags = TCPF_SYN | TCPF_ACK;
	send_seg(&s);
	poll_at(now_us);
	expect_none();
	assert_int_equal(drops(SG_DROP_SYNQ_OTHER), 1);
	assert_int_equal(wk->w_stats.syn_dup, 0);
	assert_int_equal(synq_used(&wk->w_synq), 1);
	/* The entry is intact. */
	ack(40131, 7001, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_abort(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_handshake, engine_down),
		cmocka_unit_test_teardown(test_tsval_offset_per_connection,
					  engine_down),
		cmocka_unit_test_teardown(test_cookie_keys_kept_within_epoch,
					  engine_down),
		cmocka_unit_test_teardown(test_ecn_setup_needs_both_flags,
					  engine_down),
		cmocka_unit_test_teardown(test_keys_rotate_on_engine_clock,
					  engine_down),
		cmocka_unit_test_teardown(test_keys_by_app_left_alone,
					  engine_down),
		cmocka_unit_test_teardown(
			test_ecn_setup_needs_both_flags_cookie, engine_down),
		cmocka_unit_test_teardown(test_cookie_keys_and_clock_steps,
					  engine_down),
		cmocka_unit_test_teardown(test_synack_retransmit_schedule, engine_down),
		cmocka_unit_test_teardown(test_duplicate_syn, engine_down),
		cmocka_unit_test_teardown(test_rst_in_syn_recv, engine_down),
		cmocka_unit_test_teardown(test_cookie_end_to_end, engine_down),
		cmocka_unit_test_teardown(test_cookie_ack_without_timestamps,
					  engine_down),
		cmocka_unit_test_teardown(test_pruned_entry_still_completes,
					  engine_down),
		cmocka_unit_test_teardown(test_cookie_auto_hysteresis, engine_down),
		cmocka_unit_test_teardown(test_cookies_never_drops_when_full, engine_down),
		cmocka_unit_test_teardown(test_data_on_third_ack, engine_down),
		cmocka_unit_test_teardown(test_data_ack_after_lost_ack, engine_down),
		cmocka_unit_test_teardown(test_overflow_drop, engine_down),
		cmocka_unit_test_teardown(test_overflow_reset, engine_down),
		cmocka_unit_test_teardown(test_conn_table_full, engine_down),
		cmocka_unit_test_teardown(test_unknown_flow_rst, engine_down),
		cmocka_unit_test_teardown(test_peer_reset_established, engine_down),
		cmocka_unit_test_teardown(test_malformed_counted, engine_down),
		cmocka_unit_test_teardown(test_arp_and_ping, engine_down),
		cmocka_unit_test_teardown(test_ipv6_handshake_and_data, engine_down),
		cmocka_unit_test_teardown(test_ipv6_cookie, engine_down),
		cmocka_unit_test_teardown(test_ipv6_nd_and_ping, engine_down),
		cmocka_unit_test_teardown(test_isn_clock_moves_on, engine_down),
		cmocka_unit_test_teardown(test_peer_wscale_capped, engine_down),
		cmocka_unit_test_teardown(test_synq_unacceptable_segments,
					  engine_down),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
