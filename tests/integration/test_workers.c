/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several workers, as a NIC spreads flows over them: one net_ring port
 * with a queue per worker; the test plays the NIC and the clients.  Each
 * client frame goes to the RX queue that the Toeplitz hash of its 4-tuple
 * (rte_softrss, a random 40-byte key) selects through a 128-entry RETA;
 * each worker answers on its own TX queue.
 *
 * Deterministic part (one thread, fake clock, workers polled in turn):
 * handshakes (table and cookie), data both ways and both closes on every
 * worker; the accept rings of all workers drained fairly; stats per
 * worker and summed; what a RETA change does (a cookie minted by worker A
 * completes on B; the ACK of A's half-open entry reaching B); cookie key
 * rotation and a fleet secret reload while every worker takes SYNs.
 *
 * Concurrent part: the workers on their own lcores (sg_worker_main, real
 * clock), three application threads (one accepts, one serves through a
 * poller holding connections of every worker, one closes), the test
 * thread playing 200 clients.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "sg_internal.h"

#define MAXQ		4
#define RETA_SIZE	128
#define LPORT		8080
#define SRV_IP		RTE_BE32(0xc6120001)	/* 198.18.0.1 */
#define NCLI		64

static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static struct rte_ring *rxr[MAXQ], *txr[MAXQ];
static struct rte_mempool *cpool;
static uint16_t port;
static struct rte_ether_addr srv_mac;
static uint8_t rss_key[40];
static uint16_t reta[RETA_SIZE];

static struct sg_engine *eng;
static struct sg_listener *lst;
static unsigned nw;
static uint64_t now_us;

struct cli {
	uint32_t ip;		/* network order, 198.18.1.x / 198.18.2.x */
	uint16_t sport;
	unsigned q;		/* the queue RSS picks */
	uint32_t snd;		/* next sequence number we send */
	uint32_t rcv;		/* next we expect */
	struct sg_conn *c;
	unsigned state;		/* concurrent part */
	char want[32];
	uint64_t last_us;
};

static struct cli cl[256];

/* ---- the NIC ---------------------------------------------------------- */

static unsigned
rss_queue(uint32_t cli_ip, uint16_t sport)
{
	union rte_thash_tuple t;
	uint32_t h;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = rte_be_to_cpu_32(cli_ip);
	t.v4.dst_addr = rte_be_to_cpu_32(SRV_IP);
	t.v4.sport = sport;
	t.v4.dport = LPORT;
	h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, rss_key);
	return reta[h % RETA_SIZE];
}

static void
reta_spread(unsigned n)
{
	unsigned i;

	for (i = 0; i < RETA_SIZE; i++)
		reta[i] = (uint16_t)(i % n);
}

static struct rte_mbuf *
frame(const struct cli *k, uint8_t flags, uint32_t seq, uint32_t ack,
      const char *data, bool opts)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(cpool);
	struct pkt_tcp_out t;
	uint32_t len;

	assert_non_null(m);
	memset(&t, 0, sizeof(t));
	t.family = 4;
	t.flow.raddr = SRV_IP;
	t.flow.laddr = k->ip;
	t.flow.rport = rte_cpu_to_be_16(LPORT);
	t.flow.lport = rte_cpu_to_be_16(k->sport);
	memcpy(t.dst_mac, srv_mac.addr_bytes, 6);
	memcpy(t.src_mac, cli_mac, 6);
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.win = 29200;
	if (opts) {
		t.opts.o_present = OPT_MSS;
		t.opts.o_mss = 1460;
	}
	t.data = data;
	t.data_len = data ? (uint16_t)strlen(data) : 0;
	len = pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *), &t, PKT_TX_CK_SW);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

/* Client segment into queue q (normally k->q: where RSS puts it). */
static void
send_q(struct cli *k, unsigned q, uint8_t flags, const char *data)
{
	struct rte_mbuf *m = frame(k, flags, k->snd, k->rcv, data,
				   flags == TCPF_SYN);

	while (rte_ring_enqueue(rxr[q], m) != 0)
		rte_pause();
	if (flags & TCPF_SYN)
		k->snd++;
	if (data != NULL)
		k->snd += (uint32_t)strlen(data);
	if (flags & TCPF_FIN)
		k->snd++;
}

static void
send_seg(struct cli *k, uint8_t flags, const char *data)
{
	send_q(k, k->q, flags, data);
}

static void
poll_all(void)
{
	unsigned i;

	for (i = 0; i < nw; i++)
		worker_poll(sg_engine_worker(eng, i), now_us);
}

/* The next segment worker q sent to k (others on that queue are kept in
 * order for their clients: the test drives clients one at a time, so
 * there are none). */
static bool
got(struct cli *k, struct pkt_info *pi, char *buf, size_t cap)
{
	struct rte_mbuf *m;
	enum sg_drop why;

	if (rte_ring_dequeue(txr[k->q], (void **)&m) != 0)
		return false;
	assert_int_equal(pkt_parse(rte_pktmbuf_mtod(m, uint8_t *),
				   m->data_len, 0, pi, &why), PKT_TCP);
	assert_int_equal(pi->flow.laddr, k->ip);
	assert_int_equal(rte_be_to_cpu_16(pi->flow.lport), k->sport);
	if (buf != NULL) {
		size_t n = RTE_MIN((size_t)pi->payload_len, cap - 1);

		memcpy(buf, rte_pktmbuf_mtod_offset(m, char *,
						    pi->payload_off), n);
		buf[n] = '\0';
	}
	rte_pktmbuf_free(m);
	return true;
}

static void
drain_all(void)
{
	struct rte_mbuf *m;
	unsigned q;

	for (q = 0; q < MAXQ; q++)
		while (rte_ring_dequeue(txr[q], (void **)&m) == 0)
			rte_pktmbuf_free(m);
}

/* ---- setup ------------------------------------------------------------ */

static int
group_setup(void **state)
{
	char *argv[] = { "test", "--no-huge", "-m", "512", "--no-shconf",
			 "--no-pci", "--lcores", "(0-4)@(0-1)",
			 "--log-level=lib.*:error", "--no-telemetry" };
	struct rte_eth_conf conf;
	unsigned q;

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	for (q = 0; q < MAXQ; q++) {
		char n[16];

		snprintf(n, sizeof(n), "w_rx%u", q);
		rxr[q] = rte_ring_create(n, 1024, 0,
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "w_tx%u", q);
		txr[q] = rte_ring_create(n, 1024, 0,
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rxr[q] == NULL || txr[q] == NULL)
			return -1;
	}
	cpool = rte_pktmbuf_pool_create("w_cli", 8191, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (cpool == NULL)
		return -1;
	port = (uint16_t)rte_eth_from_rings("w_ring", rxr, MAXQ, txr, MAXQ,
					     0);
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, MAXQ, MAXQ, &conf) < 0)
		return -1;
	for (q = 0; q < MAXQ; q++)
		if (rte_eth_rx_queue_setup(port, (uint16_t)q, 1024, 0, NULL,
					   cpool) < 0 ||
		    rte_eth_tx_queue_setup(port, (uint16_t)q, 1024, 0,
					   NULL) < 0)
			return -1;
	if (rte_eth_dev_start(port) < 0)
		return -1;
	rte_eth_macaddr_get(port, &srv_mac);
	/* A random key, as the daemon programs one: the well-known default
	 * would let an attacker aim every SYN at one worker. */
	if (getrandom(rss_key, sizeof(rss_key), 0) != sizeof(rss_key))
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return 0;
}

static void
engine_up_n(unsigned n, enum sg_cookie_mode cookies)
{
	struct sg_params p;
	unsigned i;

	sg_params_default(&p);
	p.synq_size = 512;
	p.conn_max = 512;
	p.mbufs = 2047;
	p.rx_desc = 64;
	p.tx_desc = 64;
	p.msl_ms = 1000;
	p.cookies = cookies;
	nw = n;
	assert_int_equal(sg_engine_create(&p, n, &eng), 0);
	assert_int_equal(sg_listen(eng, LPORT, 0, &lst), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(sg_engine_attach_queue(eng, i, port,
							(uint16_t)i, false),
				 0);
	reta_spread(n);
	now_us = 7000000;
	poll_all();
}

static int
engine_down(void **state)
{
	struct sg_conn *c;
	unsigned i;

	(void)state;
	if (eng == NULL)
		return 0;
	while (sg_accept(lst, &c) == 0)
		sg_abort(c);
	poll_all();
	for (i = 0; i < nw; i++)
		assert_int_equal(worker_audit(sg_engine_worker(eng, i)), 0);
	drain_all();
	sg_engine_destroy(eng);
	eng = NULL;
	return 0;
}

/* Clients from distinct addresses and ports; all queues used. */
static void
make_clients(unsigned n, unsigned salt)
{
	unsigned i, seen[MAXQ] = { 0 };

	for (i = 0; i < n; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].ip = rte_cpu_to_be_32(0xc6120100u + ((salt + i) % 250) +
					    1);
		cl[i].sport = (uint16_t)(20000 + salt * 7 + i * 13);
		cl[i].q = rss_queue(cl[i].ip, cl[i].sport);
		cl[i].snd = 1000u * (i + 1);
		seen[cl[i].q]++;
	}
	/* RSS reached every worker: with 64 clients over 4 queues, one is
	 * left out with a chance under 4 x (3/4)^64 = 4e-8 (the key is
	 * random); fewer clients are not checked. */
	for (i = 0; n >= 64 && i < nw; i++)
		assert_true(seen[i] > 0);
}

/* SYN, SYN-ACK, ACK with "req <i>": returns the SYN-ACK. */
static struct pkt_info
connect_cli(struct cli *k, const char *req)
{
	struct pkt_info sa;

	send_seg(k, TCPF_SYN, NULL);
	poll_all();
	assert_true(got(k, &sa, NULL, 0));
	assert_int_equal(sa.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_int_equal(sa.ack, k->snd);
	k->rcv = sa.seq + 1;
	send_seg(k, TCPF_ACK | TCPF_PSH, req);
	poll_all();
	{
		/* The ACK of the request (data on the third segment is
		 * answered at once). */
		struct pkt_info a;

		while (got(k, &a, NULL, 0))
			assert_int_equal(a.ack, k->snd);
	}
	return sa;
}

/* ---- deterministic ---------------------------------------------------- */

static void
run_spread(unsigned n, enum sg_cookie_mode cookies)
{
	unsigned i, per[MAXQ] = { 0 }, rss[MAXQ] = { 0 }, got_n = 0;
	struct sg_counters sum, wc;
	struct sg_gauges g;
	struct sg_worker_info wi;
	struct sg_conn *acc[NCLI];
	uint64_t accepted = 0;

	engine_up_n(n, cookies);
	make_clients(NCLI, n * 31 + cookies);
	for (i = 0; i < NCLI; i++) {
		char req[16];

		snprintf(req, sizeof(req), "req %u", i);
		connect_cli(&cl[i], req);
		rss[cl[i].q]++;
	}
	/* One application thread drains all workers' rings: every worker's
	 * connections come out, none is starved. */
	while (got_n < NCLI) {
		unsigned k = sg_accept_burst(lst, acc + got_n, 8);

		assert_true(k > 0);
		got_n += k;
	}
	assert_int_equal(sg_accept(lst, &acc[0]) == -EAGAIN, 1);
	for (i = 0; i < NCLI; i++) {
		struct sg_conn_info ci;
		char buf[32], rsp[32];
		unsigned j;
		long r;

		sg_conn_info(acc[i], &ci);
		for (j = 0; j < NCLI; j++)
			if (cl[j].ip == ci.flow.raddr.v4 &&
			    cl[j].sport == rte_be_to_cpu_16(ci.flow.rport))
				break;
		assert_true(j < NCLI);
		/* The connection lives on the worker RSS sent it to. */
		assert_int_equal(ci.worker, cl[j].q);
		assert_int_equal(ci.opts.via_cookie,
				 cookies == SG_COOKIES_ALWAYS);
		per[ci.worker]++;
		cl[j].c = acc[i];
		r = sg_recv(acc[i], buf, sizeof(buf) - 1);
		assert_true(r > 0);
		buf[r] = '\0';
		snprintf(rsp, sizeof(rsp), "req %u", j);
		assert_string_equal(buf, rsp);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(per[i], rss[i]);
	/* Data back, then both ways of closing, on every worker. */
	for (i = 0; i < NCLI; i++) {
		struct cli *k = &cl[i];
		struct pkt_info pi;
		char rsp[32], buf[64];

		drain_all();
		snprintf(rsp, sizeof(rsp), "rsp %u", i);
		assert_int_equal(sg_send(k->c, rsp, strlen(rsp)),
				 (long)strlen(rsp));
		poll_all();
		assert_true(got(k, &pi, buf, sizeof(buf)));
		assert_string_equal(buf, rsp);
		k->rcv += pi.payload_len;
		if (i % 2 == 0) {
			/* We close first: FIN, their ACK and FIN, our ACK,
			 * TIME-WAIT. */
			sg_close(k->c);
			poll_all();
			assert_true(got(k, &pi, NULL, 0));
			assert_true(pi.tcp_flags & TCPF_FIN);
			k->rcv++;
			send_seg(k, TCPF_ACK | TCPF_FIN, NULL);
			poll_all();
			assert_true(got(k, &pi, NULL, 0));
			assert_int_equal(pi.ack, k->snd);
		} else {
			/* They close first: EOF, our FIN, their ACK. */
			send_seg(k, TCPF_ACK | TCPF_FIN, NULL);
			poll_all();
			assert_int_equal(sg_recv(k->c, buf, sizeof(buf)), 0);
			sg_close(k->c);
			poll_all();
			while (got(k, &pi, NULL, 0) &&
			       !(pi.tcp_flags & TCPF_FIN))
				;
			assert_true(pi.tcp_flags & TCPF_FIN);
			k->rcv++;
			send_seg(k, TCPF_ACK, NULL);
			poll_all();
		}
	}
	/* Stats: per worker and summed agree with what RSS did. */
	sg_engine_stats(eng, &sum, &g);
	for (i = 0; i < n; i++) {
		assert_int_equal(sg_engine_worker_stats(eng, i, &wc, &g, &wi),
				 0);
		assert_int_equal(wc.accepted, rss[i]);
		accepted += wc.accepted;
	}
	assert_int_equal(sum.accepted, NCLI);
	assert_int_equal(accepted, NCLI);
	assert_int_equal(sum.time_wait, NCLI / 2);
	/* 2 MSL later every worker is idle. */
	now_us += 2100000;
	poll_all();
	now_us += 100000;
	poll_all();
	sg_engine_stats(eng, &sum, &g);
	assert_int_equal(g.conns_used, 0);
	assert_int_equal(sum.conn_freed, NCLI);
}

static void
test_two_workers_table(void **state)
{
	(void)state;
	run_spread(2, SG_COOKIES_AUTO);
}

static void
test_four_workers_table(void **state)
{
	(void)state;
	run_spread(4, SG_COOKIES_AUTO);
}

static void
test_four_workers_cookies(void **state)
{
	(void)state;
	run_spread(4, SG_COOKIES_ALWAYS);
}

/* The NIC's RETA changed between a SYN and its ACK: a cookie minted by
 * worker A completes on worker B. */
static void
test_cookie_completes_on_another_worker(void **state)
{
	struct sg_counters wc;
	struct sg_gauges g;
	struct sg_worker_info wi;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa;
	struct cli *k = &cl[0];
	unsigned other;

	(void)state;
	engine_up_n(2, SG_COOKIES_ALWAYS);
	make_clients(8, 5);
	send_seg(k, TCPF_SYN, NULL);
	poll_all();
	assert_true(got(k, &sa, NULL, 0));
	k->rcv = sa.seq + 1;
	other = 1 - k->q;
	send_q(k, other, TCPF_ACK, NULL);
	poll_all();
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.worker, other);
	assert_true(ci.opts.via_cookie);
	assert_int_equal(sg_engine_worker_stats(eng, other, &wc, &g, &wi), 0);
	assert_int_equal(wc.cookies_ok, 1);
	assert_int_equal(wc.cookies_sent, 0);
	sg_abort(c);
}

/*
 * The ACK of worker A's half-open entry reaches worker B.  With cookies
 * possible (auto), the entry's ISN is a cookie and A opened the cookie
 * window for every worker: B completes the connection, and A's entry is
 * left to time out.  With cookies never, B has nothing to check it
 * against: a RST (from its reply budget), drop_no_flow, no crash.
 */
static void
test_half_open_ack_on_another_worker(void **state)
{
	struct sg_counters wc;
	struct sg_gauges g;
	struct sg_worker_info wi;
	struct sg_conn_info ci;
	struct sg_conn *c;
	struct pkt_info sa, r;
	struct cli *k = &cl[0];
	struct cli kb;
	unsigned other, a;

	(void)state;
	engine_up_n(2, SG_COOKIES_AUTO);
	make_clients(8, 9);
	a = k->q;
	other = 1 - a;
	send_seg(k, TCPF_SYN, NULL);
	poll_all();
	assert_true(got(k, &sa, NULL, 0));
	k->rcv = sa.seq + 1;
	send_q(k, other, TCPF_ACK, NULL);
	poll_all();
	assert_int_equal(sg_engine_worker_stats(eng, other, &wc, &g, &wi), 0);
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.worker, other);
	assert_int_equal(wc.cookies_ok, 1);
	sg_abort(c);
	poll_all();
	engine_down(NULL);

	engine_up_n(2, SG_COOKIES_NEVER);
	make_clients(8, 9);
	send_seg(k, TCPF_SYN, NULL);
	poll_all();
	assert_true(got(k, &sa, NULL, 0));
	k->rcv = sa.seq + 1;
	send_q(k, other, TCPF_ACK, NULL);
	poll_all();
	kb = *k;
	kb.q = other;
	assert_true(got(&kb, &r, NULL, 0));
	assert_true(r.tcp_flags & TCPF_RST);
	assert_int_equal(r.seq, sa.seq + 1);
	assert_int_equal(sg_engine_worker_stats(eng, other, &wc, &g, &wi), 0);
	assert_int_equal(wc.drops[SG_DROP_NO_FLOW], 1);
	assert_int_equal(sg_accept(lst, &c), -EAGAIN);
	/* A's entry is intact: the ACK on A still completes it. */
	send_seg(k, TCPF_ACK, NULL);
	poll_all();
	assert_int_equal(sg_accept(lst, &c), 0);
	sg_conn_info(c, &ci);
	assert_int_equal(ci.worker, a);
	sg_abort(c);
}

/* Keys rotate, then the fleet secret is reloaded, while every worker has
 * cookies out: none that is valid is refused. */
static void
test_keys_change_under_all_workers(void **state)
{
	static const uint8_t s1[32] = "fleet secret one for the test...";
	static const uint8_t s2[32] = "fleet secret two for the test...";
	struct sg_counters sum;
	struct sg_gauges g;
	struct sg_conn *c;
	uint64_t t;
	unsigned i, n = 0;

	(void)state;
	engine_up_n(4, SG_COOKIES_ALWAYS);
	/* Workers and the key epochs on one clock, epoch-aligned (the
	 * daemon calls update_keys at each epoch of the clock the workers
	 * use). */
	t = 1700000000 - 1700000000 % COOKIE_TICK_SEC;
	engine_set_unix_base(eng, t - now_us / 1000000);
	assert_int_equal(sg_engine_set_secret(eng, s1, t), 0);
	make_clients(32, 17);
	for (i = 0; i < 32; i++) {
		struct pkt_info sa;

		send_seg(&cl[i], TCPF_SYN, NULL);
		poll_all();
		assert_true(got(&cl[i], &sa, NULL, 0));
		cl[i].rcv = sa.seq + 1;
		if (i == 10) {
			/* rotation: the next epoch */
			assert_int_equal(sg_engine_update_keys(eng,
				t + COOKIE_TICK_SEC), 0);
			now_us += COOKIE_TICK_SEC * 1000000ull;
			poll_all();
		}
		if (i == 20) {
			/* SIGHUP: a new fleet secret */
			assert_int_equal(sg_engine_set_secret(eng, s2,
				t + COOKIE_TICK_SEC), 0);
			poll_all();
		}
	}
	for (i = 0; i < 32; i++)
		send_seg(&cl[i], TCPF_ACK, NULL);
	poll_all();
	while (sg_accept(lst, &c) == 0) {
		n++;
		sg_abort(c);
	}
	assert_int_equal(n, 32);
	sg_engine_stats(eng, &sum, &g);
	assert_int_equal(sum.cookies_failed, 0);
	assert_int_equal(sum.cookies_ok, 32);
}

/* ---- concurrent ------------------------------------------------------- */

#define CCLI		200
#define APP_RING	256

struct app {
	struct sg_poller *poller;
	struct rte_ring *to_close;
	volatile int stop;
	volatile unsigned accepted, served, closed;
	volatile unsigned per_worker[MAXQ];
	pthread_t acceptor_tid, server_tid, closer_tid;
};

static void *
acceptor(void *arg)
{
	struct app *a = arg;

	while (!a->stop) {
		struct sg_conn *c[16];
		unsigned i, n = sg_accept_burst(lst, c, 16);

		for (i = 0; i < n; i++) {
			struct sg_conn_info ci;

			sg_conn_info(c[i], &ci);
			a->per_worker[ci.worker]++;
			/* Handed to the server thread's poller. */
			assert_int_equal(sg_poller_add(a->poller, c[i], a), 0);
		}
		a->accepted += n;
		if (n == 0)
			usleep(100);
	}
	return NULL;
}

static void *
server(void *arg)
{
	struct app *a = arg;
	struct sg_event ev[32];

	while (!a->stop) {
		int i, n = sg_poller_wait(a->poller, ev, 32, 10);

		for (i = 0; i < n; i++) {
			char buf[64], rsp[80];
			long r;

			if (!(ev[i].events & SG_EV_READABLE))
				continue;
			r = sg_recv(ev[i].conn, buf, sizeof(buf) - 1);
			if (r <= 0)
				continue;
			buf[r] = '\0';
			snprintf(rsp, sizeof(rsp), "echo %s", buf);
			if (sg_send(ev[i].conn, rsp, strlen(rsp)) ==
			    (long)strlen(rsp)) {
				a->served++;
				/* Closed by yet another thread. */
				while (rte_ring_enqueue(a->to_close,
							ev[i].conn) != 0)
					usleep(10);
			}
		}
	}
	return NULL;
}

static void *
closer(void *arg)
{
	struct app *a = arg;

	while (!a->stop) {
		struct sg_conn *c;

		if (rte_ring_dequeue(a->to_close, (void **)&c) != 0) {
			usleep(100);
			continue;
		}
		assert_int_equal(sg_close(c), 0);
		a->closed++;
	}
	return NULL;
}

enum { C_SYN_SENT, C_WAIT_RSP, C_WAIT_FIN, C_WAIT_LAST, C_DONE };

/* Map a segment from queue q to its client (by port; all clients have
 * distinct ports). */
static struct cli *
cli_of(const struct pkt_info *pi)
{
	unsigned i, sport = rte_be_to_cpu_16(pi->flow.lport);

	for (i = 0; i < CCLI; i++)
		if (cl[i].sport == sport && cl[i].ip == pi->flow.laddr)
			return &cl[i];
	return NULL;
}

static void
client_input(struct cli *k, const struct pkt_info *pi, const char *data)
{
	switch (k->state) {
	case C_SYN_SENT:
		if (pi->tcp_flags == (TCPF_SYN | TCPF_ACK)) {
			char req[24];

			k->rcv = pi->seq + 1;
			snprintf(req, sizeof(req), "c%u", (unsigned)(k - cl));
			snprintf(k->want, sizeof(k->want), "echo %s", req);
			send_seg(k, TCPF_ACK | TCPF_PSH, req);
			k->state = C_WAIT_RSP;
		}
		break;
	case C_WAIT_RSP:
		if (pi->payload_len != 0 && pi->seq == k->rcv) {
			assert_string_equal(data, k->want);
			k->rcv += pi->payload_len;
			k->state = C_WAIT_FIN;
			if (pi->tcp_flags & TCPF_FIN) {
				k->rcv++;
				send_seg(k, TCPF_ACK | TCPF_FIN, NULL);
				k->state = C_WAIT_LAST;
			} else {
				send_seg(k, TCPF_ACK, NULL);
			}
		}
		break;
	case C_WAIT_FIN:
		if ((pi->tcp_flags & TCPF_FIN) && pi->seq == k->rcv) {
			k->rcv++;
			send_seg(k, TCPF_ACK | TCPF_FIN, NULL);
			k->state = C_WAIT_LAST;
		}
		break;
	case C_WAIT_LAST:
		if (pi->ack == k->snd && !(pi->tcp_flags & TCPF_RST))
			k->state = C_DONE;
		break;
	}
}

static void
test_concurrent_workers_and_threads(void **state)
{
	struct app a;
	unsigned lc, i, done = 0, q, started = 0;
	uint64_t deadline;
	struct sg_counters sum;
	struct sg_gauges g;

	(void)state;
	engine_up_n(4, SG_COOKIES_AUTO);
	memset(&a, 0, sizeof(a));
	assert_int_equal(sg_poller_create(eng, 1024, &a.poller), 0);
	a.to_close = rte_ring_create("w_close", APP_RING, 0,
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(a.to_close);
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (i < nw)
			assert_int_equal(rte_eal_remote_launch(sg_worker_main,
				sg_engine_worker(eng, i), lc), 0);
		i++;
	}
	assert_true(i >= nw);
	pthread_create(&a.acceptor_tid, NULL, acceptor, &a);
	pthread_create(&a.server_tid, NULL, server, &a);
	pthread_create(&a.closer_tid, NULL, closer, &a);
	make_clients(CCLI, 3);
	for (i = 0; i < CCLI; i++)
		cl[i].sport = (uint16_t)(30000 + i),
		cl[i].q = rss_queue(cl[i].ip, cl[i].sport);
	deadline = rte_get_timer_cycles() + 60 * rte_get_timer_hz();
	while (done < CCLI && rte_get_timer_cycles() < deadline) {
		/* Keep 32 handshakes in flight. */
		while (started < CCLI && started - done < 32) {
			send_seg(&cl[started], TCPF_SYN, NULL);
			started++;
		}
		for (q = 0; q < nw; q++) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(txr[q], (void **)&m) == 0) {
				struct pkt_info pi;
				enum sg_drop why;
				struct cli *k;
				char data[64] = "";

				if (pkt_parse(rte_pktmbuf_mtod(m, uint8_t *),
					      m->data_len, 0, &pi, &why) ==
				    PKT_TCP && (k = cli_of(&pi)) != NULL) {
					size_t n = RTE_MIN(
						(size_t)pi.payload_len, (size_t)63);

					assert_int_equal(k->q, q);
					memcpy(data, rte_pktmbuf_mtod_offset(m,
						char *, pi.payload_off), n);
					data[n] = '\0';
					client_input(k, &pi, data);
					if (k->state == C_DONE) {
						k->state++;
						done++;
					}
				}
				rte_pktmbuf_free(m);
			}
		}
		usleep(50);
	}
	sg_engine_stop(eng);
	rte_eal_mp_wait_lcore();
	a.stop = 1;
	sg_poller_wake(a.poller);
	pthread_join(a.acceptor_tid, NULL);
	pthread_join(a.server_tid, NULL);
	pthread_join(a.closer_tid, NULL);
	print_message("concurrent: %u/%u clients done; accepted per worker:",
		      done, CCLI);
	for (i = 0; i < nw; i++)
		print_message(" %u", a.per_worker[i]);
	print_message("\n");
	assert_int_equal(done, CCLI);
	assert_int_equal(a.accepted, CCLI);
	assert_int_equal(a.served, CCLI);
	assert_int_equal(a.closed, CCLI);
	for (i = 0; i < nw; i++)
		assert_true(a.per_worker[i] > 0);
	sg_engine_stats(eng, &sum, &g);
	assert_int_equal(sum.accepted, CCLI);
	assert_int_equal(sum.stale_refs, 0);
	sg_poller_destroy(a.poller);
	rte_ring_free(a.to_close);
	/* The workers stopped: the rest runs on the fake clock again. */
	now_us = engine_now_us(eng);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_two_workers_table, engine_down),
		cmocka_unit_test_teardown(test_four_workers_table,
					  engine_down),
		cmocka_unit_test_teardown(test_four_workers_cookies,
					  engine_down),
		cmocka_unit_test_teardown(
			test_cookie_completes_on_another_worker, engine_down),
		cmocka_unit_test_teardown(
			test_half_open_ack_on_another_worker, engine_down),
		cmocka_unit_test_teardown(test_keys_change_under_all_workers,
					  engine_down),
		cmocka_unit_test_teardown(test_concurrent_workers_and_threads,
					  engine_down),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
