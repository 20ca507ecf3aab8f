/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Established connections through the real worker loop over net_ring, the
 * test playing both the client (frames) and the application (the public
 * API): data both ways, loss and retransmission, windows, both ways of
 * closing with every state on the way, TIME-WAIT, resets and RFC 5961
 * challenge ACKs, pollers.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sg_internal.h"
#include "harness.h"

struct cli {
	uint16_t sport;
	uint32_t snd;		/* client's next sequence number */
	uint32_t rcv;		/* next byte expected from the server */
	struct sg_conn *c;
	uint32_t iss;
};

/* Handshake from sport (data on the third segment when given); the
 * connection is accepted by "the application". */
static struct cli
establish(uint16_t sport, const char *data)
{
	struct cli k = { .sport = sport, .snd = 1000u * sport };
	struct pkt_info sa;

	sa = syn(sport, k.snd, NULL);
	k.iss = sa.seq;
	k.snd++;
	k.rcv = sa.seq + 1;
	ack(sport, k.snd, k.rcv, data, NULL);
	if (data != NULL)
		k.snd += (uint32_t)strlen(data);
	assert_int_equal(sg_accept(lst, &k.c), 0);
	return k;
}

/* A client segment: flags, data, window (0 means the default 29200 so
 * pass win_zero for a zero window). */
static void
cseg(struct cli *k, uint8_t flags, const char *data, uint32_t seq,
     uint32_t a, uint16_t win)
{
	struct seg s = { .sport = k->sport, .seq = seq, .ack = a,
			 .flags = flags, .win = win, .data = data };

	send_seg(&s);
	poll_at(now_us);
}

/* The client sends data in order. */
static void
cdata(struct cli *k, const char *data)
{
	cseg(k, TCPF_ACK | TCPF_PSH, data, k->snd, k->rcv, 0);
	k->snd += (uint32_t)strlen(data);
}

/* The client ACKs everything with a zero window. */
static void
czero(struct cli *k)
{
	struct seg s = { .sport = k->sport, .seq = k->snd, .ack = k->rcv,
			 .flags = TCPF_ACK, .win = 0 };
	struct rte_mbuf *m = frame(&s);
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN;
	uint8_t *tcp = ip + PKT_IP4_LEN;

	tcp[14] = tcp[15] = 0;	/* window 0 (frame() turns 0 into 29200) */
	tcp[16] = tcp[17] = 0;
	*(uint16_t *)(tcp + 16) = pkt_tcp4_cksum(ip, tcp,
		m->data_len - PKT_ETH_LEN - PKT_IP4_LEN);
	inject(m);
	poll_at(now_us);
}

static void
cack(struct cli *k)
{
	cseg(k, TCPF_ACK, NULL, k->snd, k->rcv, 0);
}

static void
cfin(struct cli *k)
{
	cseg(k, TCPF_ACK | TCPF_FIN, NULL, k->snd, k->rcv, 0);
	k->snd++;
}

/* The next segment from the server, payload into buf. */
static struct pkt_info
next_seg(char *buf, size_t cap, size_t *len)
{
	struct pkt_info pi;
	size_t dummy;

	assert_true(sent_data(&pi, buf, cap, len ? len : &dummy));
	return pi;
}

static void
app_send(struct sg_conn *c, const char *s)
{
	assert_int_equal(sg_send(c, s, strlen(s)), (long)strlen(s));
	poll_at(now_us);
}

static void
tune_short_msl(struct sg_params *p)
{
	p->msl_ms = 100;	/* TIME-WAIT 200 ms */
}

/* ---- data ------------------------------------------------------------ */

static void
test_echo_data_from_third_ack(void **state)
{
	char buf[64];
	struct pkt_info pi;
	size_t len;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41000, "hello");
	drain_tx();		/* the ACK of "hello" */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), -EAGAIN);
	app_send(k.c, "hello");
	pi = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(pi.seq, k.iss + 1);
	assert_int_equal(pi.ack, k.snd);
	assert_true(pi.tcp_flags & TCPF_PSH);
	assert_int_equal(wk->w_stats.seg_out, 1);
}

static void
test_in_order_and_out_of_order(void **state)
{
	char buf[64];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41001, NULL);
	cdata(&k, "0123456789");
	/* A segment past a hole: not delivered; a duplicate ACK says where
	 * we are. */
	cseg(&k, TCPF_ACK, "XYZ", k.snd + 100, k.rcv, 0);
	drain_tx();
	cseg(&k, TCPF_ACK, "XYZ", k.snd + 100, k.rcv, 0);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(wk->w_stats.ooo_segs, 2);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "0123456789");
	/* A retransmission of data we have is re-ACKed, not delivered. */
	drain_tx();
	cseg(&k, TCPF_ACK, "0123456789", k.snd - 10, k.rcv, 0);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), -EAGAIN);
	/* Overlap: only the new part is delivered. */
	cseg(&k, TCPF_ACK, "89ab", k.snd - 2, k.rcv, 0);
	k.snd += 2;
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "ab", 2);
}

static void
test_retransmit_on_rto(void **state)
{
	char buf[64];
	struct pkt_info a, b, c2;
	size_t len;
	uint64_t t0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41002, NULL);
	t0 = now_us;
	app_send(k.c, "lost in transit");
	a = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 15);
	/* The client never ACKs: after the initial RTO (1 s) the same
	 * bytes go again, then after 2 s more (back-off). */
	poll_at(t0 + 999 * 1000);
	expect_none();
	poll_at(t0 + 1000 * 1000);
	b = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(b.seq, a.seq);
	assert_int_equal(len, 15);
	assert_memory_equal(buf, "lost in transit", 15);
	assert_int_equal(wk->w_stats.retransmits, 1);
	poll_at(t0 + 2999 * 1000);
	expect_none();
	poll_at(t0 + 3000 * 1000);
	c2 = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(c2.seq, a.seq);
	assert_int_equal(wk->w_stats.retransmits, 2);
	/* Acknowledged: no more. */
	k.rcv += 15;
	cack(&k);
	poll_at(t0 + 60000 * 1000);
	expect_none();
}

static void
test_fast_retransmit(void **state)
{
	static char big[4 * 1460];
	char buf[1600];
	struct pkt_info s[4], r;
	size_t len;
	unsigned i;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41003, NULL);
	/* Four full segments (no MSS option in the SYN: 536 bytes). */
	memset(big, 'a', sizeof(big));
	assert_int_equal(sg_send(k.c, big, 4u * k.c->c_smss),
			 4 * (long)k.c->c_smss);
	poll_at(now_us);
	for (i = 0; i < 4; i++)
		s[i] = next_seg(buf, sizeof(buf), &len);
	expect_none();
	/* Segment 1 lost: the client ACKs segment 0, then three times the
	 * same ACK (each for a later segment it holds). */
	k.rcv = s[1].seq;
	cack(&k);
	cack(&k);
	cack(&k);
	expect_none();
	cack(&k);
	r = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(r.seq, s[1].seq);
	assert_int_equal(wk->w_stats.fast_retransmits, 1);
}

static void
test_zero_window_persist(void **state)
{
	char buf[64];
	struct pkt_info p;
	size_t len;
	uint64_t t0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41004, NULL);
	/* The client's window closes. */
	cseg(&k, TCPF_ACK, NULL, k.snd, k.rcv, 0xffff);
	czero(&k);
	assert_int_equal(k.c->c_snd_wnd, 0);
	t0 = now_us;
	app_send(k.c, "waiting");
	expect_none();			/* nothing fits */
	poll_at(t0 + 1000 * 1000);	/* persist timer: a window probe */
	p = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 0);
	assert_int_equal(p.seq, k.rcv - 1);
	assert_int_equal(wk->w_stats.window_probes, 1);
	/* The window opens: the data goes. */
	cack(&k);
	p = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "waiting", 7);
}

/*
 * Walk the clock in 100 ms steps for up to `secs`, answering every window
 * probe with a zero window.  Returns the probes seen; *reset_at gets the
 * time of the RST (0 if none); probe times go to at[] (up to 16).
 */
static unsigned
answer_probes(struct cli *k, unsigned secs, uint64_t *at, uint64_t *reset_at)
{
	uint64_t t0 = now_us, t;
	unsigned probes = 0;
	char buf[64];

	*reset_at = 0;
	for (t = t0; t <= t0 + secs * 1000000ull && *reset_at == 0;
	     t += 100000) {
		struct pkt_info pi;
		size_t len;

		poll_at(t);
		while (sent_data(&pi, buf, sizeof(buf), &len)) {
			if (pi.tcp_flags & TCPF_RST) {
				*reset_at = t;
				break;
			}
			if (len == 0 && pi.seq == k->rcv - 1) {
				if (probes < 16)
					at[probes] = t;
				probes++;
				czero(k);
			}
		}
	}
	return probes;
}

/*
 * A peer that answers every window probe with a zero window is alive but
 * never takes data: the probes back off (1, 2, 4 ... 60 s) and after
 * CONN_MAX_REXMITS of them the connection is reset.  (Probe answers used
 * to reset the count: such a peer held the connection and its data
 * forever, probed every second.)
 */
static void
test_zero_window_peer_given_up(void **state)
{
	uint64_t at[16], reset_at, t0;
	unsigned probes;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41047, NULL);
	czero(&k);
	t0 = now_us;
	app_send(k.c, "never taken");
	probes = answer_probes(&k, 400, at, &reset_at);
	assert_int_equal(probes, CONN_MAX_REXMITS);
	/* Exponential back-off from the 1 s RTO, capped at 60 s. */
	assert_int_equal((at[0] - t0) / 100000, 10);
	assert_int_equal((at[1] - at[0]) / 100000, 20);
	assert_int_equal((at[2] - at[1]) / 100000, 40);
	assert_int_equal((at[7] - at[6]) / 100000, 600);
	assert_true(reset_at != 0);
	assert_true(reset_at - t0 < 250 * 1000000ull);
	assert_true(sg_conn_is_reset(k.c));
	assert_int_equal(wk->w_stats.conn_timeouts, 1);
}

static void
tune_idle5(struct sg_params *p)
{
	p->idle_timeout_ms = 5000;
}

/* --idle-timeout counts from the last progress: probe answers that move
 * nothing do not keep the connection alive (they used to). */
static void
test_idle_timeout_ignores_probe_answers(void **state)
{
	uint64_t at[16], reset_at, t0;
	struct cli k;

	(void)state;
	engine_up(tune_idle5);
	k = establish(41048, NULL);
	czero(&k);
	t0 = now_us;
	app_send(k.c, "never taken");
	assert_true(answer_probes(&k, 60, at, &reset_at) >= 2);
	assert_true(reset_at != 0);
	assert_true(reset_at - t0 <= 5100000);
	assert_int_equal(wk->w_stats.conn_timeouts, 1);
}

/* A connection the application gave back is an orphan: its probes (or
 * retransmissions) give up after CONN_ORPHAN_RETRIES, and it is freed. */
static void
test_orphan_given_up_sooner(void **state)
{
	uint64_t at[16], reset_at, t0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41049, NULL);
	czero(&k);
	t0 = now_us;
	app_send(k.c, "never taken");
	assert_int_equal(sg_close(k.c), 0);
	assert_int_equal(answer_probes(&k, 400, at, &reset_at),
			 CONN_ORPHAN_RETRIES);
	assert_true(reset_at != 0);
	assert_true(reset_at - t0 < 40 * 1000000ull);
	assert_int_equal(wk->w_conns_used, 0);
	assert_int_equal(wk->w_orphans, 0);
}

/* Data for a connection the application gave back: RST (as Linux). */
static void
test_data_after_close_resets(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41050, NULL);
	assert_int_equal(sg_close(k.c), 0);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_FIN | TCPF_ACK);
	k.rcv++;
	cdata(&k, "too late");
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_true(pi.tcp_flags & TCPF_RST);
	assert_int_equal(wk->w_stats.abort_on_data, 1);
	assert_int_equal(wk->w_conns_used, 0);
}

static void
tune_conn8(struct sg_params *p)
{
	p->conn_max = 8;
}

/* At most conn_max / 4 orphans: a close beyond that is a RST. */
static void
test_max_orphans(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k[3];
	unsigned i;

	(void)state;
	engine_up(tune_conn8);
	for (i = 0; i < 3; i++)
		k[i] = establish((uint16_t)(41051 + i), NULL);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sg_close(k[i].c), 0);
		poll_at(now_us);
		pi = next_seg(buf, sizeof(buf), NULL);
		/* Our FINs are never acked: the first two stay orphans. */
		assert_int_equal(pi.tcp_flags,
				 i < 2 ? (TCPF_FIN | TCPF_ACK) :
					 (TCPF_RST | TCPF_ACK));
	}
	assert_int_equal(wk->w_orphans, 2);
	assert_int_equal(wk->w_stats.orphans_reset, 1);
	assert_int_equal(wk->w_conns_used, 2);
}

static void
test_receive_window_closes_and_reopens(void **state)
{
	static char chunk[1401];
	char buf[2048];
	struct pkt_info pi;
	uint32_t last_win = 0xffffffff;
	unsigned i;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41005, NULL);
	memset(chunk, 'z', 1400);
	/* The application does not read: the advertised window shrinks to
	 * zero (64 KiB receive buffer). */
	for (i = 0; i < 80 && conn_rcv_window(wk, k.c) != 0; i++) {
		cseg(&k, TCPF_ACK, chunk, k.snd, k.rcv, 0);
		k.snd = k.c->c_rcv_nxt;		/* what was taken */
		while (sent(&pi, NULL))
			last_win = pi.win;
	}
	assert_int_equal(conn_rcv_window(wk, k.c), 0);
	assert_int_equal(last_win, 0);
	assert_int_equal(k.c->c_rcv_adv, k.c->c_rcv_nxt);
	/* More data is outside the window: not taken, the ACK repeats the
	 * zero window. */
	cseg(&k, TCPF_ACK, chunk, k.snd, k.rcv, 0);
	assert_int_equal(k.c->c_rcv_nxt, k.snd);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.win, 0);
	drain_tx();
	/* The application reads everything: a window update goes out. */
	while (sg_recv(k.c, buf, sizeof(buf)) > 0)
		;
	poll_at(now_us);
	assert_true(sent(&pi, NULL));
	assert_true(pi.win > 0);
	assert_int_equal(pi.ack, k.snd);
}

/* A TSecr the peer made up (found by the fuzzer: it overflowed the RTT
 * arithmetic) is not an RTT sample. */
static void
test_bogus_tsecr_ignored(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa, d;
	char buf[64];
	struct sg_conn *c;
	struct seg s;
	unsigned i;

	(void)state;
	engine_up(NULL);
	sa = syn(41040, 5000, &o);
	o.o_present = OPT_TS;
	o.o_tsval = 2000;
	o.o_tsecr = sa.opts.o_tsval;
	ack(41040, 5001, sa.seq + 1, NULL, &o);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_true(c->c_opts.ts_ok);
	for (i = 0; i < 3; i++) {
		static const uint32_t bogus[] = {
			0x7fff0000u, 0x80000001u, 12345u,
		};

		app_send(c, "x");
		d = next_seg(buf, sizeof(buf), NULL);
		memset(&s, 0, sizeof(s));
		s.sport = 41040;
		s.seq = 5001;
		s.ack = d.seq + 1;
		s.flags = TCPF_ACK;
		s.opts.o_present = OPT_TS;
		s.opts.o_tsval = 2001 + i;
		/* far in the future, far in the past, nonsense */
		s.opts.o_tsecr = d.opts.o_tsval + bogus[i];
		send_seg(&s);
		poll_at(now_us);
	}
	assert_int_equal(c->c_srtt, 0);		/* no sample taken */
	assert_int_equal(c->c_rto, CONN_RTO_INIT_MS);
	/* An honest echo, 30 ms later, is one. */
	app_send(c, "y");
	d = next_seg(buf, sizeof(buf), NULL);
	poll_at(now_us + 30000);
	memset(&s, 0, sizeof(s));
	s.sport = 41040;
	s.seq = 5001;
	s.ack = d.seq + 1;
	s.flags = TCPF_ACK;
	s.opts.o_present = OPT_TS;
	s.opts.o_tsval = 2010;
	s.opts.o_tsecr = d.opts.o_tsval;
	send_seg(&s);
	poll_at(now_us);
	assert_int_equal(c->c_srtt >> 3, 30);
}

/* ---- closing ----------------------------------------------------------- */

static void
test_passive_close(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41010, NULL);
	cfin(&k);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);		/* FIN acked */
	assert_int_equal(k.c->c_state, CONN_CLOSE_WAIT);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 0);	/* EOF */
	/* Half-close: the server may still send. */
	app_send(k.c, "bye");
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.payload_len, 3);
	k.rcv += 3;
	cack(&k);
	assert_int_equal(sg_close(k.c), 0);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(pi.seq, k.rcv);
	assert_int_equal(k.c->c_state, CONN_LAST_ACK);
	assert_int_equal(wk->w_conns_used, 1);
	k.rcv++;
	cack(&k);				/* ACK of our FIN: CLOSED */
	assert_int_equal(wk->w_conns_used, 0);
	assert_int_equal(wk->w_stats.conn_freed, 1);
	expect_none();
}

static void
test_active_close_time_wait(void **state)
{
	char buf[16];
	struct pkt_info pi;
	uint64_t t;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl);
	k = establish(41011, NULL);
	sg_close(k.c);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(k.c->c_state, CONN_FIN_WAIT_1);
	k.rcv++;
	cack(&k);
	assert_int_equal(k.c->c_state, CONN_FIN_WAIT_2);
	cfin(&k);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(k.c->c_state, CONN_TIME_WAIT);
	assert_int_equal(wk->w_stats.time_wait, 1);
	/* The peer's FIN again (our ACK was lost): re-ACK, restart 2 MSL. */
	t = now_us + 150 * 1000;
	poll_at(t);
	cseg(&k, TCPF_ACK | TCPF_FIN, NULL, k.snd - 1, k.rcv, 0);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(wk->w_stats.time_wait_reacks, 1);
	poll_at(t + 199 * 1000);
	assert_int_equal(wk->w_conns_used, 1);	/* still waiting */
	poll_at(t + 200 * 1000);
	assert_int_equal(wk->w_conns_used, 0);	/* 2 MSL after the re-ACK */
	assert_int_equal(wk->w_stats.conn_freed, 1);
}

static void
tune_conn4(struct sg_params *p)
{
	p->conn_max = 4;	/* TIME-WAIT 60 s (default MSL) */
}

/* Close from our side down to TIME-WAIT. */
static void
to_time_wait(struct cli *k, bool give_back)
{
	char buf[16];

	if (give_back)
		sg_close(k->c);
	else
		sg_shutdown(k->c);
	poll_at(now_us);
	(void)next_seg(buf, sizeof(buf), NULL);		/* our FIN */
	k->rcv++;
	cfin(k);
	(void)next_seg(buf, sizeof(buf), NULL);		/* its ACK */
	assert_int_equal(k->c->c_state, CONN_TIME_WAIT);
}

/*
 * A table full of TIME-WAIT does not refuse new clients (the soak's F1:
 * server-closed connections at 273/s filled 16384 slots for 60 s): the
 * oldest TIME-WAIT the application gave back is recycled.  One it still
 * holds (it only shut down writing) is not.
 */
static void
test_time_wait_recycled_for_new_clients(void **state)
{
	struct cli k[6];
	struct sg_conn *c;
	unsigned i;

	(void)state;
	engine_up(tune_conn4);
	k[0] = establish(41100, NULL);
	to_time_wait(&k[0], false);		/* still held */
	for (i = 1; i < 4; i++) {
		k[i] = establish((uint16_t)(41100 + i), NULL);
		to_time_wait(&k[i], true);
		now_us += 1000;
	}
	assert_int_equal(wk->w_conns_used, 4);
	/* A fifth client: the oldest given-back TIME-WAIT (k[1]) goes. */
	k[4] = establish(41104, NULL);
	assert_int_equal(wk->w_stats.tw_recycled, 1);
	assert_int_equal(wk->w_stats.drops[SG_DROP_CONN_FULL], 0);
	assert_int_equal(worker_audit(wk), 0);
	/* k[1]'s 4-tuple is free: its next SYN starts afresh. */
	k[5] = establish(41101, NULL);
	assert_int_equal(wk->w_stats.tw_recycled, 2);	/* k[2] went */
	assert_int_equal(k[0].c->c_state, CONN_TIME_WAIT);
	assert_int_equal(k[3].c->c_state, CONN_TIME_WAIT);
	/* Now only k[3] is recyclable (k[4] closing is not TIME-WAIT),
	 * then nothing: refused by the overflow policy. */
	sg_close(k[4].c);
	poll_at(now_us);
	drain_tx();
	{
		struct pkt_info sa = syn(41110, 5, NULL);

		ack(41110, 6, sa.seq + 1, NULL, NULL);
		assert_int_equal(sg_accept(lst, &c), 0);
		assert_int_equal(wk->w_stats.tw_recycled, 3);
		sa = syn(41111, 5, NULL);
		ack(41111, 6, sa.seq + 1, NULL, NULL);
		assert_int_equal(sg_accept(lst, &c), -EAGAIN);
		assert_int_equal(wk->w_stats.drops[SG_DROP_CONN_FULL], 1);
		assert_int_equal(wk->w_stats.tw_recycled, 3);
	}
	sg_close(k[0].c);
	poll_at(now_us);
	assert_int_equal(worker_audit(wk), 0);
}

/*
 * One receive burst: the first segment completes a handshake that has no
 * room but for a recycled TIME-WAIT, the second belongs to that
 * TIME-WAIT's flow (its FIN again).  The burst's bulk lookup found the
 * TIME-WAIT connection for the second segment before the first one freed
 * it (and the new connection took the very same pool object): the second
 * segment must be looked up again, find no flow and draw a reset, not
 * run on a freed connection or on the new client's (the kernel_data
 * crash: invariant flow_value_live, worker.c, with ab -c 200 and MSL
 * 500 ms).
 */
static void
test_recycled_time_wait_later_in_same_burst(void **state)
{
	struct cli k[4], b = { .sport = 41200, .snd = 7000 };
	struct pkt_info sa, r;
	struct sg_conn *c;
	unsigned i;

	(void)state;
	engine_up(tune_conn4);
	for (i = 0; i < 4; i++) {
		k[i] = establish((uint16_t)(41100 + i), NULL);
		to_time_wait(&k[i], true);
		now_us += 1000;
	}
	assert_int_equal(wk->w_conns_used, 4);
	sa = syn(b.sport, b.snd, NULL);
	b.snd++;
	b.rcv = sa.seq + 1;
	{	/* one burst: b's ACK, then k[0]'s FIN again */
		struct seg s1 = { .sport = b.sport, .seq = b.snd,
				  .ack = b.rcv, .flags = TCPF_ACK };
		struct seg s2 = { .sport = k[0].sport, .seq = k[0].snd - 1,
				  .ack = k[0].rcv,
				  .flags = TCPF_ACK | TCPF_FIN };

		send_seg(&s1);
		send_seg(&s2);
		poll_at(now_us);
	}
	assert_int_equal(wk->w_stats.tw_recycled, 1);
	assert_int_equal(sg_accept(lst, &c), 0);
	assert_int_equal(c->c_state, CONN_ESTABLISHED);
	assert_int_equal(c->c_flow.rport, rte_cpu_to_be_16(b.sport));
	assert_int_equal(c->c_rcv_nxt, b.snd);
	/* The only reply is a reset to k[0]'s port. */
	assert_true(sent(&r, NULL));
	assert_int_equal(r.tcp_flags & TCPF_RST, TCPF_RST);
	assert_int_equal(r.flow.lport, rte_cpu_to_be_16(k[0].sport));
	expect_none();
	assert_int_equal(drops(SG_DROP_CONN_SEQ), 0);
	assert_int_equal(worker_audit(wk), 0);
	sg_close(c);
	poll_at(now_us);
}

static void
tune_short_msl_budget2(struct sg_params *p)
{
	p->msl_ms = 2000;	/* TIME-WAIT 4 s */
	p->rst_rate = 10;	/* reply budget: burst of 2 */
}

/* Put k in TIME-WAIT (we close first); returns when it entered it. */
static uint64_t
into_time_wait(struct cli *k)
{
	char buf[16];

	sg_close(k->c);
	poll_at(now_us);
	(void)next_seg(buf, sizeof(buf), NULL);		/* our FIN */
	k->rcv++;
	cack(k);
	cfin(k);
	(void)next_seg(buf, sizeof(buf), NULL);		/* its ACK */
	assert_int_equal(k->c->c_state, CONN_TIME_WAIT);
	return now_us;
}

/*
 * TIME-WAIT takes only the peer's FIN again, exactly where it was: 300
 * FINs with random sequence and ACK numbers neither restart the 2 MSL
 * wait nor draw more than the reply budget (they used to keep one entry
 * alive three times as long, each answered: issue 15).
 */
static void
test_time_wait_ignores_blind_fins(void **state)
{
	uint64_t t0;
	unsigned i, replies = 0;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl_budget2);
	k = establish(41055, NULL);
	t0 = into_time_wait(&k);
	for (i = 0; i < 300; i++) {
		now_us += 10 * 1000;		/* 3 s of them */
		cseg(&k, TCPF_ACK | TCPF_FIN, NULL, k.snd + 7919u * (i + 1),
		     k.rcv + 104729u * i, 0);
		while (sent_any())
			replies++;
	}
	assert_int_equal(wk->w_stats.time_wait_reacks, 0);
	/* Budget: 2 at once, then 10 a second. */
	assert_true(replies <= 2 + 30 + 1);
	poll_at(t0 + 3999 * 1000);
	assert_int_equal(wk->w_conns_used, 1);
	poll_at(t0 + 4000 * 1000);
	assert_int_equal(wk->w_conns_used, 0);		/* on time */
}

/*
 * An entirely old segment (sequence number 2^30 below rcv_nxt) whose ACK
 * field acknowledges everything we sent: unacceptable, so its ACK field
 * and timestamp are ignored -- our data is still retransmitted (it used to
 * be taken as delivered: issue 15).  It draws one duplicate ACK.
 */
static void
test_blind_old_segment_moves_nothing(void **state)
{
	struct seg s;
	char buf[64];
	struct pkt_info pi;
	size_t len;
	uint64_t t0;
	uint32_t recent;
	struct cli k = { .sport = 41056, .snd = 9000 };
	struct pkt_tcp_opts o = all_opts;

	(void)state;
	engine_up(NULL);
	{
		struct pkt_info sa = syn(k.sport, k.snd, &o);

		k.snd++;
		k.rcv = sa.seq + 1;
		o.o_present = OPT_TS;
		o.o_tsecr = sa.opts.o_tsval;
		ack(k.sport, k.snd, k.rcv, NULL, &o);
		assert_int_equal(sg_accept(lst, &k.c), 0);
	}
	t0 = now_us;
	app_send(k.c, "unacknowledged");
	(void)next_seg(buf, sizeof(buf), &len);
	recent = k.c->c_ts_recent;
	memset(&s, 0, sizeof(s));
	s.sport = k.sport;
	s.seq = k.snd - (1u << 30);
	s.ack = k.c->c_snd_max;
	s.flags = TCPF_ACK;
	s.opts.o_present = OPT_TS;
	s.opts.o_tsval = recent + 1000000;
	send_seg(&s);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), &len);		/* a duplicate ACK */
	assert_int_equal(len, 0);
	assert_int_equal(pi.ack, k.snd);
	expect_none();
	assert_int_equal(wk->w_stats.oow_acks, 1);
	assert_int_equal(drops(SG_DROP_CONN_SEQ), 1);
	assert_int_not_equal(k.c->c_snd_una, k.c->c_snd_max);
	assert_int_equal(k.c->c_ts_recent, recent);
	poll_at(t0 + 1000 * 1000);			/* RTO: sent again */
	(void)next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 14);
	assert_int_equal(wk->w_stats.retransmits, 1);
}

/*
 * An ACK of what was never sent (above snd_max): RFC 9293 says drop the
 * segment and send an ACK, leave snd_una alone; and such ACKs come out of
 * the reply budget (100 of them drew 100 replies before, issue 15).
 */
static void
test_ack_above_snd_max(void **state)
{
	unsigned i, replies = 0;
	uint32_t una;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl_budget2);
	k = establish(41057, NULL);
	app_send(k.c, "data");
	drain_tx();
	una = k.c->c_snd_una;
	for (i = 0; i < 100; i++) {
		cseg(&k, TCPF_ACK, NULL, k.snd, k.c->c_snd_max + 1 + i, 0);
		while (sent_any())
			replies++;
	}
	assert_int_equal(drops(SG_DROP_CONN_ACK), 100);
	assert_int_equal(k.c->c_snd_una, una);
	assert_true(replies >= 1 && replies <= 2);
	assert_int_equal(wk->w_stats.oow_acks, replies);
	assert_int_equal(wk->w_stats.rst_ratelimited, 100 - replies);
	/* Segments outside the window are no different. */
	for (i = 0; i < 100; i++) {
		cseg(&k, TCPF_ACK, "x", k.snd + 200000 + i, k.rcv, 0);
		while (sent_any())
			replies++;
	}
	assert_int_equal(drops(SG_DROP_CONN_SEQ), 100);
	assert_true(replies <= 2);
}

static void
test_simultaneous_close(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl);
	k = establish(41012, NULL);
	sg_close(k.c);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_FIN | TCPF_ACK);
	/* The client's FIN crosses ours (it does not ACK ours). */
	cfin(&k);
	assert_int_equal(k.c->c_state, CONN_CLOSING);
	drain_tx();
	k.rcv++;
	cack(&k);
	assert_int_equal(k.c->c_state, CONN_TIME_WAIT);
	poll_at(now_us + 200 * 1000);
	assert_int_equal(wk->w_conns_used, 0);
}

/* FIN_WAIT_1 straight to TIME_WAIT: the peer's FIN acks ours. */
static void
test_fin_wait_1_to_time_wait(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl);
	k = establish(41015, NULL);
	sg_close(k.c);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(k.c->c_state, CONN_FIN_WAIT_1);
	k.rcv = pi.seq + 1;
	cfin(&k);
	assert_int_equal(k.c->c_state, CONN_TIME_WAIT);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	poll_at(now_us + 200 * 1000);
	assert_int_equal(wk->w_conns_used, 0);
}

static void
test_fin_retransmitted_on_rto(void **state)
{
	char buf[16];
	struct pkt_info a, b;
	uint64_t t0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41013, NULL);
	t0 = now_us;
	sg_close(k.c);
	poll_at(now_us);
	a = next_seg(buf, sizeof(buf), NULL);
	poll_at(t0 + 1000 * 1000);
	b = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(b.tcp_flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(b.seq, a.seq);
}

static void
test_time_wait_new_syn(void **state)
{
	struct pkt_info sa;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41014, NULL);
	sg_close(k.c);
	poll_at(now_us);
	drain_tx();
	k.rcv++;
	cack(&k);
	cfin(&k);
	drain_tx();
	assert_int_equal(wk->w_stats.time_wait, 1);
	/* RFC 6191: a new SYN above the old sequence space reuses the
	 * 4-tuple at once. */
	sa = syn(41014, k.snd + 100000, NULL);
	assert_int_equal(sa.ack, k.snd + 100001);
	assert_int_equal(wk->w_stats.synq_added, 2);
}

/* ---- resets ------------------------------------------------------------ */

static void
test_rst_exact_and_challenge(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41020, NULL);
	/* In the window but not at rcv_nxt: RFC 5961 challenge ACK. */
	cseg(&k, TCPF_RST, NULL, k.snd + 10, 0, 0);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_ACK);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(wk->w_stats.challenge_acks, 1);
	assert_false(sg_conn_is_reset(k.c));
	/* Outside the window: ignored. */
	cseg(&k, TCPF_RST, NULL, k.snd + 1000000, 0, 0);
	expect_none();
	assert_false(sg_conn_is_reset(k.c));
	/* A SYN on the connection: challenge ACK too. */
	cseg(&k, TCPF_SYN, NULL, k.snd + 5, 0, 0);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(wk->w_stats.challenge_acks, 2);
	/* Exactly at rcv_nxt: reset. */
	cseg(&k, TCPF_RST, NULL, k.snd, 0, 0);
	expect_none();
	assert_true(sg_conn_is_reset(k.c));
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), -ECONNRESET);
	assert_int_equal(sg_send(k.c, "x", 1), -ECONNRESET);
	sg_close(k.c);
	poll_at(now_us);
	assert_int_equal(wk->w_conns_used, 0);
}

static void
test_close_with_unread_data_resets(void **state)
{
	char buf[16];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41021, NULL);
	cdata(&k, "never read");
	drain_tx();
	sg_close(k.c);
	poll_at(now_us);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(wk->w_conns_used, 0);
}

static void
tune_idle(struct sg_params *p)
{
	p->idle_timeout_ms = 2000;
}

static void
test_idle_timeout(void **state)
{
	char buf[16];
	struct pkt_info pi;
	uint64_t t0;
	struct cli k;

	(void)state;
	engine_up(tune_idle);
	k = establish(41022, NULL);
	t0 = now_us;
	poll_at(t0 + 1999 * 1000);
	expect_none();
	poll_at(t0 + 2000 * 1000);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_true(pi.tcp_flags & TCPF_RST);
	assert_true(sg_conn_is_reset(k.c));
	assert_int_equal(wk->w_stats.conn_timeouts, 1);
	sg_close(k.c);
	poll_at(now_us);
	assert_int_equal(wk->w_conns_used, 0);
}

/* ---- events -------------------------------------------------------------- */

static void
test_poller_events(void **state)
{
	struct sg_poller *p;
	struct sg_event ev[4];
	char buf[16];
	int tag, n;
	struct cli k;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &p), 0);
	k = establish(41030, "early");	/* data before the poller exists */
	assert_int_equal(sg_poller_add(p, k.c, &tag), 0);
	n = sg_poller_wait(p, ev, 4, 0);
	assert_int_equal(n, 1);
	assert_ptr_equal(ev[0].conn, k.c);
	assert_ptr_equal(ev[0].user, &tag);
	assert_true(ev[0].events & SG_EV_READABLE);
	assert_int_equal(sg_poller_wait(p, ev, 4, 10), 0);	/* timeout */
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 5);
	cdata(&k, "more");
	cfin(&k);
	n = sg_poller_wait(p, ev, 4, 0);
	assert_int_equal(n, 1);					/* coalesced */
	assert_true(ev[0].events & SG_EV_READABLE);
	assert_true(ev[0].events & SG_EV_PEER_CLOSED);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 4);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 0);
	sg_close(k.c);
	poll_at(now_us);
	sg_poller_destroy(p);
}

/* Complete a handshake from sport; the connection waits on the ring. */
static void
handshake_only(uint16_t sport)
{
	struct pkt_info sa = syn(sport, 300, NULL);

	ack(sport, 301, sa.seq + 1, NULL, NULL);
}

/* Take every connection waiting on lst and give it back; the count. */
static unsigned
accept_all(void)
{
	struct sg_conn *c[8];
	unsigned n, i, total = 0;

	while ((n = sg_accept_burst(lst, c, 8)) != 0) {
		for (i = 0; i < n; i++)
			sg_abort(c[i]);
		total += n;
	}
	poll_at(now_us);
	drain_tx();
	return total;
}

/* The events of p now (no wait), of which `accepts` are SG_EV_ACCEPT of
 * lst with user u. */
static int
listener_events(struct sg_poller *p, void *u, int *accepts)
{
	struct sg_event ev[8];
	int n = sg_poller_wait(p, ev, 8, 0), i;

	*accepts = 0;
	for (i = 0; i < n; i++) {
		assert_int_equal(ev[i].events, SG_EV_ACCEPT);
		assert_null(ev[i].conn);
		assert_ptr_equal(ev[i].listener, lst);
		assert_ptr_equal(ev[i].user, u);
		(*accepts)++;
	}
	return n;
}

/*
 * A poller watching a listener reports SG_EV_ACCEPT when connections
 * wait (also those waiting before it watched), once per edge; with two
 * watchers, a push while one has its event pending wakes the other, and
 * each edge wakes one of them only.
 */
static void
test_poller_listener_accept(void **state)
{
	struct sg_poller *p1, *p2, *more[7];
	int t1, t2, a1, a2;
	unsigned i, n1;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &p1), 0);
	assert_int_equal(sg_poller_create(eng, 16, &p2), 0);
	handshake_only(41040);			/* before anyone watches */
	assert_int_equal(sg_poller_add_listener(p1, lst, &t1), 0);
	assert_int_equal(sg_poller_add_listener(p1, lst, &t1), -EEXIST);
	assert_int_equal(listener_events(p1, &t1, &a1), 1);
	assert_int_equal(accept_all(), 1);
	assert_int_equal(listener_events(p1, &t1, &a1), 0);	/* one edge */

	assert_int_equal(sg_poller_add_listener(p2, lst, &t2), 0);
	assert_int_equal(listener_events(p2, &t2, &a2), 0);	/* none wait */
	handshake_only(41041);	/* wakes one watcher ... */
	handshake_only(41042);	/* ... and this the other */
	assert_int_equal(listener_events(p1, &t1, &a1), 1);
	assert_int_equal(listener_events(p2, &t2, &a2), 1);
	assert_int_equal(accept_all(), 2);
	for (i = 0, n1 = 0; i < 4; i++) {	/* one wake-up per edge, */
		handshake_only((uint16_t)(41043 + i));
		assert_int_equal(listener_events(p1, &t1, &a1) +
				 listener_events(p2, &t2, &a2), 1);
		n1 += (unsigned)a1;
		assert_int_equal(accept_all(), 1);
	}
	assert_int_equal(n1, 2);		/* the watchers in turn */
	/* While a watcher's event is pending, more pushes add nothing. */
	handshake_only(41050);
	handshake_only(41051);
	handshake_only(41052);
	assert_int_equal(listener_events(p1, &t1, &a1) +
			 listener_events(p2, &t2, &a2), 2);
	assert_int_equal(accept_all(), 3);

	for (i = 0; i < 7; i++)
		assert_int_equal(sg_poller_create(eng, 4, &more[i]), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(sg_poller_add_listener(more[i], lst, NULL), 0);
	assert_int_equal(sg_poller_add_listener(more[6], lst, NULL), -ENOSPC);
	/* The workers stop before pollers that watch go (engine_down). */
	engine_down(NULL);
	for (i = 0; i < 7; i++)
		sg_poller_destroy(more[i]);
	sg_poller_destroy(p1);
	sg_poller_destroy(p2);
}

struct waiter {
	struct sg_poller *p;
	int n;
	struct sg_event ev[4];
};

static void *
wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->n = sg_poller_wait(w->p, w->ev, 4, 10000);
	return NULL;
}

/* An application thread asleep in sg_poller_wait is woken by a
 * connection completing on a listener it watches (not by its timeout). */
static void
test_poller_listener_wakes_sleeper(void **state)
{
	struct waiter w = { .n = -1 };
	struct timespec t0, t1;
	pthread_t tid;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &w.p), 0);
	assert_int_equal(sg_poller_add_listener(w.p, lst, &w), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&tid, NULL, wait_thread, &w), 0);
	usleep(100000);
	handshake_only(41060);
	assert_int_equal(pthread_join(tid, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.ev[0].events, SG_EV_ACCEPT);
	assert_ptr_equal(w.ev[0].user, &w);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(accept_all(), 1);
	engine_down(NULL);
	sg_poller_destroy(w.p);
}

/* An event queued before sg_close must not come out after it (the
 * application's per-connection state is gone by then).  Found as a crash
 * of the echo service under load. */
static void
test_no_event_after_close(void **state)
{
	struct sg_poller *p;
	struct sg_event ev[4];
	char buf[16];
	int tag;
	struct cli k;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &p), 0);
	k = establish(41032, NULL);
	assert_int_equal(sg_poller_add(p, k.c, &tag), 0);
	cdata(&k, "one");
	assert_int_equal(sg_poller_wait(p, ev, 4, 0), 1);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 3);
	cdata(&k, "two");		/* queues a new event... */
	sg_close(k.c);			/* ...that the close must void */
	assert_int_equal(sg_poller_wait(p, ev, 4, 0), 0);
	poll_at(now_us);
	sg_poller_destroy(p);
}

/* ---- lifecycle: what the application may do with a handle ---------- */

/*
 * A connection is given back once.  A second sg_close after the worker
 * freed it used to queue it on the command ring again and put the object
 * back in its pool twice -- the pool then handed the same object to two
 * handshakes and an armed timer node was re-initialised (issue 10).
 */
static void
test_double_close_refused(void **state)
{
	struct cli k, a, b;

	(void)state;
	engine_up(NULL);
	k = establish(41040, NULL);
	assert_int_equal(sg_abort(k.c), 0);
	poll_at(now_us);			/* RST, CLOSED, freed */
	drain_tx();
	assert_int_equal(wk->w_stats.conn_freed, 1);
	assert_int_equal(sg_close(k.c), -EBADF);
	assert_int_equal(sg_abort(k.c), -EBADF);
	poll_at(now_us);
	assert_int_equal(wk->w_stats.conn_freed, 1);
	assert_int_equal(wk->w_stats.stale_refs, 0);
	assert_int_equal(worker_conns_out(wk), 0);
	/* Two new connections are two objects. */
	a = establish(41041, NULL);
	b = establish(41042, NULL);
	assert_ptr_not_equal(a.c, b.c);
	assert_int_equal(worker_conns_out(wk), 2);
	assert_int_equal(wk->w_conns_used, 2);
}

/* Every call on a connection given back is refused, before and after the
 * worker freed it; the close that was accepted still runs its course. */
static void
test_calls_after_close_refused(void **state)
{
	struct sg_poller *p;
	struct rte_mbuf *m[2];
	char buf[16];
	struct cli k;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &p), 0);
	k = establish(41043, NULL);
	assert_int_equal(sg_close(k.c), 0);
	/* Not yet seen by the worker: still refused. */
	assert_int_equal(sg_close(k.c), -EBADF);
	assert_int_equal(sg_send(k.c, "x", 1), -EBADF);
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), -EBADF);
	assert_int_equal(sg_recv_mbufs(k.c, m, 2), -EBADF);
	assert_int_equal(sg_shutdown(k.c), -EBADF);
	assert_int_equal(sg_poller_add(p, k.c, NULL), -EBADF);
	poll_at(now_us);
	/* The one close went out: our FIN, nothing else. */
	{
		struct pkt_info pi = next_seg(buf, sizeof(buf), NULL);

		assert_int_equal(pi.tcp_flags, TCPF_FIN | TCPF_ACK);
		expect_none();
	}
	assert_int_equal(wk->w_conns_used, 1);		/* FIN_WAIT_1 */
	sg_poller_destroy(p);
}

/* Adding a connection to a poller twice while an event is pending queues
 * one entry, not two (the second could be reported in the same wait as
 * the first once the worker posted again in between). */
static void
test_poller_add_twice_one_entry(void **state)
{
	struct sg_poller *p;
	struct sg_event ev[8];
	int tag;
	struct cli k;

	(void)state;
	engine_up(NULL);
	assert_int_equal(sg_poller_create(eng, 16, &p), 0);
	k = establish(41044, "early");
	assert_int_equal(sg_poller_add(p, k.c, &tag), 0);
	assert_int_equal(sg_poller_add(p, k.c, &tag), 0);
	assert_int_equal(rte_ring_count(p->p_ring), 1);
	cdata(&k, "more");			/* bits already pending */
	assert_int_equal(rte_ring_count(p->p_ring), 1);
	assert_int_equal(sg_poller_wait(p, ev, 8, 0), 1);
	assert_ptr_equal(ev[0].conn, k.c);
	assert_int_equal(rte_ring_count(p->p_ring), 0);
	/* Taken: the next event queues it again, once. */
	cdata(&k, "again");
	assert_int_equal(rte_ring_count(p->p_ring), 1);
	assert_int_equal(sg_poller_wait(p, ev, 8, 0), 1);
	sg_poller_destroy(p);
}

/* Every segment from c fits smss bytes of payload: send `len` bytes and
 * collect the segments (the window is wide open), checking each. */
static void
send_and_check_segments(struct cli *k, size_t len, unsigned max_payload)
{
	static char out[65536], got[65536];
	size_t sent = 0, rcvd = 0;
	unsigned i, rounds;

	for (i = 0; i < len; i++)
		out[i] = (char)('a' + i % 26);
	for (rounds = 0; rcvd < len && rounds < 1000; rounds++) {
		if (sent < len) {
			long n = sg_send(k->c, out + sent, len - sent);

			assert_true(n > 0 || n == -EAGAIN);
			if (n > 0)
				sent += (size_t)n;
		}
		poll_at(now_us);
		for (;;) {
			struct pkt_info pi;
			size_t seg;

			if (!sent_data(&pi, got + rcvd, sizeof(got) - rcvd,
				       &seg))
				break;
			assert_true(seg >= 1);
			assert_true(seg <= max_payload);
			rcvd += seg;
			k->rcv = pi.seq + (uint32_t)seg;
		}
		cack(k);	/* open the window for more */
	}
	assert_int_equal(rcvd, len);
	assert_memory_equal(got, out, len);
}

/*
 * A peer MSS below what the timestamp option takes (here 0) used to
 * underflow our segment size to ~65 KB, and sg_send wrote through the NULL
 * rte_pktmbuf_append returned.  It is raised to Linux's TCP_MIN_MSS (88):
 * 76-byte segments with timestamps.
 */
static void
test_peer_mss_zero(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa;
	struct cli k = { .sport = 41045, .snd = 7000 };

	(void)state;
	engine_up(NULL);
	o.o_mss = 0;
	sa = syn(k.sport, k.snd, &o);
	k.snd++;
	k.rcv = sa.seq + 1;
	o.o_present = OPT_TS;
	o.o_tsecr = sa.opts.o_tsval;
	ack(k.sport, k.snd, k.rcv, NULL, &o);
	assert_int_equal(sg_accept(lst, &k.c), 0);
	assert_int_equal(k.c->c_smss, CONN_MIN_PEER_MSS - PKT_TCP_TS_OPT_LEN);
	send_and_check_segments(&k, 3000, 76);
}

static void
tune_jumbo(struct sg_params *p)
{
	p->mss = 8960;
}

/*
 * --mss above what a 2 KiB mbuf holds (a jumbo-frame port): the worker's
 * mbufs are sized for a full segment, so 6000 bytes go out as one segment
 * instead of sg_send writing past the end of a 2 KiB buffer (issue 10).
 */
static void
test_jumbo_mss(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa;
	struct cli k = { .sport = 41046, .snd = 9000 };

	(void)state;
	engine_up(tune_jumbo);
	o.o_mss = 8960;
	sa = syn(k.sport, k.snd, &o);
	assert_int_equal(sa.opts.o_mss, 8960);
	k.snd++;
	k.rcv = sa.seq + 1;
	o.o_present = OPT_TS;
	o.o_tsecr = sa.opts.o_tsval;
	ack(k.sport, k.snd, k.rcv, NULL, &o);
	assert_int_equal(sg_accept(lst, &k.c), 0);
	assert_int_equal(k.c->c_smss, 8960 - PKT_TCP_TS_OPT_LEN);
	assert_true(rte_pktmbuf_data_room_size(wk->w_mbufs) >=
		    RTE_PKTMBUF_HEADROOM + 8960 + PKT_TCP_MAX_HDR);
	send_and_check_segments(&k, 6000, 8960 - PKT_TCP_TS_OPT_LEN);
}

static void
test_zero_copy_recv(void **state)
{
	struct rte_mbuf *m[4];
	struct cli k;
	int n;

	(void)state;
	engine_up(NULL);
	k = establish(41031, NULL);
	cdata(&k, "abc");
	cdata(&k, "defg");
	n = sg_recv_mbufs(k.c, m, 4);
	assert_int_equal(n, 2);
	assert_int_equal(m[0]->data_len, 3);
	assert_memory_equal(rte_pktmbuf_mtod(m[0], char *), "abc", 3);
	assert_memory_equal(rte_pktmbuf_mtod(m[1], char *), "defg", 4);
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
	assert_int_equal(sg_recv_mbufs(k.c, m, 4), -EAGAIN);
}

/*
 * Every window update is scaled by the peer's shift (RFC 7323 2.3), not
 * only the one on the third ACK: with wscale 7 a window field of 20 is
 * 2560 bytes, and 1000 bytes go out in one segment (issue 16, gap 2).
 */
static void
test_window_update_scaled(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa, d;
	char buf[2048], data[1001];
	size_t len;
	struct cli k = { .sport = 41092, .snd = 7000 };

	(void)state;
	engine_up(NULL);
	o.o_present = OPT_MSS | OPT_WSCALE | OPT_SACKOK;	/* no TS */
	sa = syn(k.sport, k.snd, &o);
	assert_true(sa.opts.o_present & OPT_WSCALE);
	k.snd++;
	k.rcv = sa.seq + 1;
	ack(k.sport, k.snd, k.rcv, NULL, NULL);
	assert_int_equal(sg_accept(lst, &k.c), 0);
	assert_int_equal(k.c->c_opts.snd_wscale, 7);
	cseg(&k, TCPF_ACK, NULL, k.snd, k.rcv, 20);
	assert_int_equal(k.c->c_snd_wnd, 20u << 7);
	memset(data, 'w', 1000);
	data[1000] = 0;
	app_send(k.c, data);
	d = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 1000);
	assert_int_equal(d.seq, k.rcv);
	/* The window shrinks to 4 << 7 = 512: 512 bytes at most. */
	cseg(&k, TCPF_ACK, NULL, k.snd, k.rcv + 1000, 4);
	assert_int_equal(k.c->c_snd_wnd, 4u << 7);
	app_send(k.c, data);
	d = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(len, 512);
}

/*
 * Small segments: the slot limit (64 segments queued) binds long before
 * the 64 KiB byte limit, so the window we could offer drops below what we
 * already offered.  The right edge never moves left (RFC 9293 3.8.6.2.2;
 * issue 16, gap 4): neither our state nor any ACK sent.
 */
static void
test_right_edge_never_shrinks(void **state)
{
	struct pkt_info pi;
	uint32_t adv, edge = 0;
	bool have_edge = false;
	unsigned i, acks = 0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41093, NULL);
	adv = k.c->c_rcv_adv;
	assert_true(conn_rcv_window(wk, k.c) < adv - k.c->c_rcv_nxt);
	for (i = 0; i < 40; i++) {
		cdata(&k, "s");
		poll_at(now_us + 250000);	/* delayed ACKs go out */
		while (sent(&pi, NULL)) {
			uint32_t e = pi.ack + ((uint32_t)pi.win <<
					      k.c->c_opts.rcv_wscale);

			acks++;
			if (have_edge)
				assert_false(seq_lt(e, edge));
			edge = e;
			have_edge = true;
		}
		assert_false(seq_lt(k.c->c_rcv_adv, adv));
		adv = k.c->c_rcv_adv;
	}
	assert_true(acks > 0);
	assert_int_equal(k.c->c_rcv_nxt, k.snd);
}

static void
tune_conn4096(struct sg_params *p)
{
	p->conn_max = 4096;
}

/*
 * Connections are made from the objects freed last (the pool is a
 * stack behind the worker's cache), so a worker whose connections come
 * and go keeps reusing the same warm objects instead of cycling through
 * all conn_max of them.  Two waves of 1200 connections: the second is
 * made of the first's objects but for the few the cache held unused (a
 * ring, oldest first, hands out objects never used before: some 1100).
 */
static void
test_conn_pool_reuses_recent(void **state)
{
	enum { WAVE = 1200 };
	static struct sg_conn *first[WAVE], *second[WAVE];
	unsigned i, j, fresh = 0;

	(void)state;
	engine_up(tune_conn4096);
	for (i = 0; i < WAVE; i++)
		first[i] = establish((uint16_t)(20000 + i), NULL).c;
	for (i = 0; i < WAVE; i++)
		sg_abort(first[i]);
	for (i = 0; i < 100 && wk->w_conns_used != 0; i++) {
		poll_at(now_us);	/* a poll runs a bounded batch */
		drain_tx();
	}
	assert_int_equal(wk->w_conns_used, 0);
	for (i = 0; i < WAVE; i++)
		second[i] = establish((uint16_t)(30000 + i), NULL).c;
	for (i = 0; i < WAVE; i++) {
		for (j = 0; j < WAVE && first[j] != second[i]; j++)
			;
		fresh += j == WAVE;
		sg_abort(second[i]);
	}
	print_message("second wave: %u of %u objects not used by the "
		      "first\n", fresh, WAVE);
	assert_true(fresh <= WORKER_CONN_CACHE);
}

/* ---- tests for mutation survivors (tests/mutate, docs/mutation.md) ---- */

/* Overlap: the old bytes are cut, rcv_nxt moves by the new ones only and
 * the ACK says so. */
static void
test_overlap_moves_rcv_nxt_by_new_bytes(void **state)
{
	char buf[64];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41094, NULL);
	cdata(&k, "0123456789");
	drain_tx();
	cseg(&k, TCPF_ACK | TCPF_PSH, "89ab", k.snd - 2, k.rcv, 0);
	k.snd += 2;
	assert_int_equal(k.c->c_rcv_nxt, k.snd);
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
}

/* With window scaling the window field is the window >> our shift
 * (7): never more than 65535 >> 7 for our 64 KiB buffer. */
static void
test_window_field_scaled(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa, pi;
	char buf[64];
	struct cli k = { .sport = 41095, .snd = 9000 };

	(void)state;
	engine_up(NULL);
	o.o_present = OPT_MSS | OPT_WSCALE | OPT_SACKOK;
	sa = syn(k.sport, k.snd, &o);
	assert_int_equal(sa.opts.o_wscale, 7);
	k.snd++;
	k.rcv = sa.seq + 1;
	ack(k.sport, k.snd, k.rcv, NULL, NULL);
	assert_int_equal(sg_accept(lst, &k.c), 0);
	cdata(&k, "abc");
	pi = next_seg(buf, sizeof(buf), NULL);
	assert_int_equal(pi.ack, k.snd);
	assert_true(pi.win <= 65535u >> 7);
	assert_int_equal((uint32_t)pi.win << 7,
			 (k.c->c_rcv_adv - k.c->c_rcv_nxt) & ~127u);
}

/* A peer MSS of 200: 1000 bytes go out as five 200-byte segments. */
static void
test_segments_cut_at_peer_mss(void **state)
{
	struct pkt_tcp_opts o = { .o_present = OPT_MSS, .o_mss = 200 };
	struct pkt_info sa, d;
	char buf[2048], data[1001];
	size_t len;
	unsigned i;
	struct sg_conn *c;

	(void)state;
	engine_up(NULL);
	sa = syn(41096, 100, &o);
	ack(41096, 101, sa.seq + 1, NULL, NULL);
	assert_int_equal(sg_accept(lst, &c), 0);
	memset(data, 'm', 1000);
	data[1000] = 0;
	app_send(c, data);
	for (i = 0; i < 5; i++) {
		d = next_seg(buf, sizeof(buf), &len);
		assert_int_equal(len, 200);
		assert_int_equal(d.seq, sa.seq + 1 + 200 * i);
	}
	expect_none();
}

/* RFC 9293 3.8.6.3: the second full-sized segment is ACKed at once, not
 * after the delayed-ACK time. */
static void
test_ack_every_second_full_segment(void **state)
{
	static char full[537];
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41097, NULL);
	assert_int_equal(k.c->c_smss, 536);
	memset(full, 'f', 536);
	cdata(&k, full);
	expect_none();			/* delayed */
	cdata(&k, full);
	assert_true(sent(&pi, NULL));	/* same instant */
	assert_int_equal(pi.ack, k.snd);
}

/* TIME-WAIT: a SYN below the old sequence space is no new incarnation
 * (RFC 6191): a challenge ACK, no SYN-ACK. */
static void
test_time_wait_old_syn_challenged(void **state)
{
	struct seg s = { .sport = 41098, .flags = TCPF_SYN };
	struct pkt_info pi;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41098, NULL);
	sg_close(k.c);
	poll_at(now_us);
	drain_tx();
	k.rcv++;
	cack(&k);
	cfin(&k);
	drain_tx();
	assert_int_equal(wk->w_stats.time_wait, 1);
	s.seq = k.snd - 1000;
	send_seg(&s);
	poll_at(now_us);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.tcp_flags, TCPF_ACK);
	assert_int_equal(pi.ack, k.snd);
	assert_int_equal(wk->w_stats.synq_added, 1);
}

/* A zero receive window takes only a segment at rcv_nxt: one beyond it
 * is unacceptable (dropped, counted), not an out-of-order segment. */
static void
test_zero_window_refuses_beyond(void **state)
{
	static char chunk[1401];
	struct pkt_info pi;
	uint64_t before;
	unsigned i;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41099, NULL);
	memset(chunk, 'z', 1400);
	for (i = 0; i < 80 && conn_rcv_window(wk, k.c) != 0; i++) {
		cseg(&k, TCPF_ACK, chunk, k.snd, k.rcv, 0);
		k.snd = k.c->c_rcv_nxt;
		drain_tx();
	}
	assert_int_equal(k.c->c_rcv_adv, k.c->c_rcv_nxt);
	before = drops(SG_DROP_CONN_SEQ);
	cseg(&k, TCPF_ACK, "x", k.snd + 5000, k.rcv, 0);
	assert_int_equal(drops(SG_DROP_CONN_SEQ), before + 1);
	assert_int_equal(wk->w_stats.ooo_segs, 0);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.win, 0);
}

/* RFC 6298 2.4: a 30 ms RTT still gives the 200 ms minimum RTO. */
static void
test_rto_lower_bound(void **state)
{
	struct pkt_tcp_opts o = all_opts;
	struct pkt_info sa, d;
	char buf[64];
	struct sg_conn *c;
	struct seg s;

	(void)state;
	engine_up(NULL);
	sa = syn(41100, 5000, &o);
	o.o_present = OPT_TS;
	o.o_tsval = 2000;
	o.o_tsecr = sa.opts.o_tsval;
	ack(41100, 5001, sa.seq + 1, NULL, &o);
	assert_int_equal(sg_accept(lst, &c), 0);
	app_send(c, "y");
	d = next_seg(buf, sizeof(buf), NULL);
	poll_at(now_us + 30000);
	memset(&s, 0, sizeof(s));
	s.sport = 41100;
	s.seq = 5001;
	s.ack = d.seq + 1;
	s.flags = TCPF_ACK;
	s.opts.o_present = OPT_TS;
	s.opts.o_tsval = 2010;
	s.opts.o_tsecr = d.opts.o_tsval;
	send_seg(&s);
	poll_at(now_us);
	assert_int_equal(c->c_srtt >> 3, 30);
	assert_int_equal(c->c_rto, CONN_RTO_MIN_MS);
}

/* A bare ACK to a port nobody listens on: RST (no flow), whatever the
 * cookie mode -- there is no listener to look a cookie up for. */
static void
test_ack_to_closed_port_reset(void **state)
{
	struct seg s = { .sport = 41101, .seq = 77, .ack = 1234,
			 .flags = TCPF_ACK };
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint8_t *ip, *tcp;

	(void)state;
	engine_up(NULL);
	m = frame(&s);
	ip = rte_pktmbuf_mtod(m, uint8_t *) + PKT_ETH_LEN;
	tcp = ip + PKT_IP4_LEN;
	tcp[2] = 0;
	tcp[3] = 9;			/* discard: not listening */
	tcp[16] = tcp[17] = 0;
	*(uint16_t *)(tcp + 16) = pkt_tcp4_cksum(ip, tcp,
		m->data_len - PKT_ETH_LEN - PKT_IP4_LEN);
	inject(m);
	poll_at(now_us);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.tcp_flags, TCPF_RST);
	assert_int_equal(pi.seq, 1234);
	assert_int_equal(drops(SG_DROP_NO_FLOW), 1);
}

/* RFC 5681 3.1: after an RTO the congestion window is one segment: of
 * three unacknowledged segments only the first is resent. */
static void
test_rto_collapses_cwnd(void **state)
{
	static char data[1501];
	struct pkt_info d;
	char buf[2048];
	size_t len;
	unsigned n = 0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41102, NULL);
	memset(data, 'r', 1500);
	app_send(k.c, data);
	while (sent_any())
		n++;
	assert_int_equal(n, 3);
	poll_at(now_us + (CONN_RTO_INIT_MS + 10) * 1000);
	d = next_seg(buf, sizeof(buf), &len);
	assert_int_equal(d.seq, k.rcv);
	assert_int_equal(len, k.c->c_smss);
	expect_none();
	assert_int_equal(k.c->c_cwnd, k.c->c_smss);
}

/* RFC 5681 3.1 (and RFC 3465 with L = 1): in slow start one ACK that
 * covers three segments grows the window by one segment, not by the
 * bytes it acknowledged (issue 16, survivor rx-cwnd-ss). */
static void
test_slow_start_one_smss_per_ack(void **state)
{
	static char data[1501];
	uint32_t cwnd0;
	unsigned n = 0;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41103, NULL);
	memset(data, 's', 1500);
	cwnd0 = k.c->c_cwnd;
	assert_true(cwnd0 < k.c->c_ssthresh);
	app_send(k.c, data);
	while (sent_any())
		n++;
	assert_int_equal(n, 3);			/* 536 + 536 + 428 */
	cseg(&k, TCPF_ACK, NULL, k.snd, k.rcv + 1500, 0);
	assert_int_equal(k.c->c_snd_una, k.rcv + 1500);
	assert_int_equal(k.c->c_cwnd, cwnd0 + k.c->c_smss);
}

/* One full segment: no ACK at once, one CONN_DELACK_MS (40 ms) later. */
static void
test_delayed_ack_time(void **state)
{
	static char full[537];
	struct pkt_info pi;
	uint64_t t;
	struct cli k;

	(void)state;
	engine_up(NULL);
	k = establish(41103, NULL);
	memset(full, 'd', 536);
	t = now_us;
	cdata(&k, full);
	expect_none();
	poll_at(t + (CONN_DELACK_MS - 5) * 1000);
	expect_none();
	poll_at(t + (CONN_DELACK_MS + 2) * 1000);
	assert_true(sent(&pi, NULL));
	assert_int_equal(pi.ack, k.snd);
}

/* FIN_WAIT_2 is bounded by 2 MSL from entering it (Linux tcp_fin_timeout):
 * data the peer still sends (a half-close) does not extend it. */
static void
test_fin_wait_2_bounded(void **state)
{
	char buf[16];
	uint64_t t;
	struct cli k;

	(void)state;
	engine_up(tune_short_msl);
	k = establish(41104, NULL);
	assert_int_equal(sg_shutdown(k.c), 0);
	poll_at(now_us);
	drain_tx();
	k.rcv++;
	cack(&k);
	assert_int_equal(k.c->c_state, CONN_FIN_WAIT_2);
	t = now_us;
	poll_at(t + 150 * 1000);
	cdata(&k, "late");
	assert_int_equal(sg_recv(k.c, buf, sizeof(buf)), 4);
	drain_tx();
	poll_at(t + 201 * 1000);
	assert_int_equal(k.c->c_state, CONN_CLOSED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_recycled_time_wait_later_in_same_burst,
			engine_down),
		cmocka_unit_test_teardown(test_slow_start_one_smss_per_ack,
					  engine_down),
		cmocka_unit_test(test_poller_listener_accept),
		cmocka_unit_test(test_poller_listener_wakes_sleeper),
		cmocka_unit_test_teardown(test_echo_data_from_third_ack,
					  engine_down),
		cmocka_unit_test_teardown(test_in_order_and_out_of_order,
					  engine_down),
		cmocka_unit_test_teardown(test_retransmit_on_rto, engine_down),
		cmocka_unit_test_teardown(test_fast_retransmit, engine_down),
		cmocka_unit_test_teardown(test_zero_window_persist, engine_down),
		cmocka_unit_test_teardown(test_bogus_tsecr_ignored, engine_down),
		cmocka_unit_test_teardown(test_receive_window_closes_and_reopens,
					  engine_down),
		cmocka_unit_test_teardown(test_passive_close, engine_down),
		cmocka_unit_test_teardown(test_active_close_time_wait,
					  engine_down),
		cmocka_unit_test_teardown(test_simultaneous_close, engine_down),
		cmocka_unit_test_teardown(test_time_wait_ignores_blind_fins,
					  engine_down),
		cmocka_unit_test_teardown(test_blind_old_segment_moves_nothing,
					  engine_down),
		cmocka_unit_test_teardown(test_ack_above_snd_max, engine_down),
		cmocka_unit_test_teardown(test_fin_wait_1_to_time_wait,
					  engine_down),
		cmocka_unit_test_teardown(test_fin_retransmitted_on_rto,
					  engine_down),
		cmocka_unit_test_teardown(test_time_wait_new_syn, engine_down),
		cmocka_unit_test_teardown(test_rst_exact_and_challenge,
					  engine_down),
		cmocka_unit_test_teardown(test_close_with_unread_data_resets,
					  engine_down),
		cmocka_unit_test_teardown(test_idle_timeout, engine_down),
		cmocka_unit_test_teardown(test_poller_events, engine_down),
		cmocka_unit_test_teardown(test_no_event_after_close, engine_down),
		cmocka_unit_test_teardown(test_zero_copy_recv, engine_down),
		cmocka_unit_test_teardown(test_double_close_refused,
					  engine_down),
		cmocka_unit_test_teardown(test_calls_after_close_refused,
					  engine_down),
		cmocka_unit_test_teardown(test_poller_add_twice_one_entry,
					  engine_down),
		cmocka_unit_test_teardown(test_peer_mss_zero, engine_down),
		cmocka_unit_test_teardown(test_jumbo_mss, engine_down),
		cmocka_unit_test_teardown(test_zero_window_peer_given_up,
					  engine_down),
		cmocka_unit_test_teardown(
			test_idle_timeout_ignores_probe_answers, engine_down),
		cmocka_unit_test_teardown(test_orphan_given_up_sooner,
					  engine_down),
		cmocka_unit_test_teardown(test_data_after_close_resets,
					  engine_down),
		cmocka_unit_test_teardown(test_max_orphans, engine_down),
		cmocka_unit_test_teardown(test_window_update_scaled,
					  engine_down),
		cmocka_unit_test_teardown(test_right_edge_never_shrinks,
					  engine_down),
		cmocka_unit_test_teardown(test_overlap_moves_rcv_nxt_by_new_bytes, engine_down),
		cmocka_unit_test_teardown(test_window_field_scaled, engine_down),
		cmocka_unit_test_teardown(test_segments_cut_at_peer_mss, engine_down),
		cmocka_unit_test_teardown(test_ack_every_second_full_segment, engine_down),
		cmocka_unit_test_teardown(test_time_wait_old_syn_challenged, engine_down),
		cmocka_unit_test_teardown(test_zero_window_refuses_beyond, engine_down),
		cmocka_unit_test_teardown(test_rto_lower_bound, engine_down),
		cmocka_unit_test_teardown(test_ack_to_closed_port_reset, engine_down),
		cmocka_unit_test_teardown(test_rto_collapses_cwnd, engine_down),
		cmocka_unit_test_teardown(test_conn_pool_reuses_recent,
					  engine_down),
		cmocka_unit_test_teardown(test_delayed_ack_time, engine_down),
		cmocka_unit_test_teardown(test_fin_wait_2_bounded, engine_down),
		cmocka_unit_test_teardown(
			test_time_wait_recycled_for_new_clients, engine_down),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
