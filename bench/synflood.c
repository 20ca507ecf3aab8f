/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synflood — a DPDK load generator for SYN-flood benchmarks, in the spirit
 * of pktgen: on one port and one lcore it sends, at set rates and
 * together,
 *   - a SYN flood from random spoofed sources in --src-net (inside
 *     198.18.0.0/15 only) and ports, with a realistic option mix;
 *   - an ACK flood (random sequence and acknowledgment numbers: a
 *     cookie-guessing attacker) and a RST flood, from the same sources;
 *   - legitimate clients from --legit-src that complete real handshakes
 *     (SYN retransmitted after 1 s and 3 s, as Linux does), optionally
 *     send an HTTP request and wait for the first byte of the answer, then
 *     reset; each records success and latency.
 * It answers ARP for its own addresses (the legitimate source and the
 * spoofed range, so a kernel under test can answer the flood as it would
 * on a real network) and resolves the target's MAC by ARP.
 *
 * With --queues N it drives N queue pairs of the port, the way a NIC with
 * RSS would feed a server of N workers: each frame goes out on the queue
 * the server's RSS would give its flow (see flow_queue), and all N are
 * received from.  Over memif the server's worker k polls ring k, so this
 * is what spreads the load over syngated's workers.
 *
 * Talks to syngated over net_memif, or to a kernel interface through
 * net_af_packet on a veth.  A line of progress a second, a summary at the
 * end, a JSON result file.
 *
 *   synflood [EAL options] -- --dst IP [--dport N] [--syn-rate PPS|max]
 *       [--ack-rate PPS] [--rst-rate PPS] [--legit-rate CPS]
 *       [--legit-max N] [--request] [--duration S] [--timeout S]
 *       [--src-net CIDR] [--legit-src IP] [--dst-mac MAC] [--queues N]
 *       [--json FILE]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_thash.h>

#include "sg_internal.h"

#define BURST		32
#define NB_MBUFS	8191
#define LEGIT_PORT0	20000
#define LEGIT_MAX	16384
#define LAT_MAX		(1u << 20)
#define RATE_MAX	UINT64_MAX
#define BENCH_NET	0xc6120000u	/* 198.18.0.0/15 */
#define BENCH_MASK	0xfffe0000u
#define QUEUES_MAX	8
/* The RETA a NIC indexes with the hash's low bits, filled round-robin
 * over the queues as lib/port.c's reta_spread fills it. */
#define RETA_SIZE	128

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

struct opts {
	uint64_t syn_rate, ack_rate, rst_rate;	/* pps; RATE_MAX = max */
	uint32_t legit_rate;			/* connections / s */
	unsigned legit_max;			/* in flight */
	bool request;
	double duration, timeout;
	uint32_t dst, legit_src, src_net, src_mask;	/* host order */
	uint16_t dport;
	uint8_t dst_mac[6];
	bool have_dst_mac;
	unsigned queues;			/* queue pairs, 1..QUEUES_MAX */
	const char *json;
};

enum lstate { L_FREE, L_SYN_SENT, L_WAIT_RESP };

struct legit {
	uint8_t state;
	uint8_t nsyn;			/* SYNs sent */
	uint32_t isn;
	uint32_t srv_isn;
	uint64_t t_first;		/* tsc of the first SYN */
	uint64_t t_syn;			/* of the last one */
	uint64_t t_est;			/* handshake completed */
	uint64_t t_req;			/* request last sent */
	uint32_t ts_recent;		/* server's TSval (0: no timestamps) */
	uint8_t nreq;			/* requests sent */
};

struct stats {
	uint64_t tx_syn, tx_ack, tx_rst, tx_legit, tx_full, tx_full_legit;
	uint64_t rx, rx_synack_spoof, rx_synack_legit, rx_rst, rx_arp;
	uint64_t rx_other, rx_own;
	uint64_t l_started, l_ok, l_failed, l_timeout, l_reset, l_skipped;
	uint64_t l_syn_retrans;
	uint64_t tx_q[QUEUES_MAX], rx_q[QUEUES_MAX];	/* frames per queue */
};

static struct opts o;
static struct stats st;
static struct legit *lg;
static uint32_t *lat_conn, *lat_resp;	/* microseconds */
static unsigned n_conn, n_resp;
static uint16_t port;
static struct rte_ether_addr our_mac;
static struct rte_mempool *pool;
/* Two transmit buffers per queue: the legitimate clients' frames (and
 * ARP) go out first and are retried while the ring is full, so the
 * generator's own TX ring never drops what is measured; flood frames that
 * do not fit are dropped and counted (tx_full). */
struct txq {
	struct rte_mbuf *m[BURST];
	unsigned n;
	uint16_t qid;
	bool prio;
};
static struct txq tq_flood[QUEUES_MAX], tq_prio[QUEUES_MAX];
static uint64_t hz, rnd = 0x9e3779b97f4a7c15ull;
static volatile sig_atomic_t stop;

static uint64_t
xrand(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- options -------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: synflood [EAL options] -- --dst IP [options]\n"
"  --dst IP           target (198.18.0.0/15)\n"
"  --dport N          target port (8080)\n"
"  --syn-rate PPS     spoofed SYN flood rate, or 'max' (0)\n"
"  --ack-rate PPS     random-ACK flood rate (0)\n"
"  --rst-rate PPS     RST flood rate (0)\n"
"  --legit-rate CPS   legitimate connections per second (0)\n"
"  --legit-max N      legitimate connections in flight, 1..%u (4096)\n"
"  --request          send an HTTP request, wait for the answer\n"
"  --duration S       seconds of load, 0.1..3600 (5)\n"
"  --timeout S        a legitimate connection fails after S, 1..60 (5)\n"
"  --src-net CIDR     spoofed sources, inside 198.18.0.0/15\n"
"                     (198.18.128.0/17)\n"
"  --legit-src IP     legitimate client address (198.18.0.2)\n"
"  --dst-mac MAC      target MAC (default: resolved by ARP)\n"
"  --queues N         RX/TX queue pairs, 1..%u; a flow's frames go out\n"
"                     on the queue RSS would pick (1)\n"
"  --json FILE        write the results as JSON\n", LEGIT_MAX, QUEUES_MAX);
}

static bool
in_bench_net(uint32_t a)
{
	return (a & BENCH_MASK) == BENCH_NET;
}

static int
parse_ip(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = ntohl(in.s_addr);
	return 0;
}

static int
parse_rate(const char *s, uint64_t *r)
{
	char *end;

	if (strcmp(s, "max") == 0) {
		*r = RATE_MAX;
		return 0;
	}
	errno = 0;
	*r = strtoull(s, &end, 10);
	return (errno || *end || *s < '0' || *s > '9' || *r > 1000000000ull) ?
		-1 : 0;
}

static int
fail_opt(const char *name, const char *val, const char *accepted)
{
	fprintf(stderr, "synflood: --%s: '%s' is not valid; accepted: %s\n",
		name, val, accepted);
	return -1;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dst", 1, NULL, 'd' }, { "dport", 1, NULL, 'p' },
		{ "syn-rate", 1, NULL, 's' }, { "ack-rate", 1, NULL, 'a' },
		{ "rst-rate", 1, NULL, 'r' }, { "legit-rate", 1, NULL, 'l' },
		{ "legit-max", 1, NULL, 'L' }, { "request", 0, NULL, 'q' },
		{ "duration", 1, NULL, 't' }, { "timeout", 1, NULL, 'T' },
		{ "src-net", 1, NULL, 'n' }, { "legit-src", 1, NULL, 'c' },
		{ "dst-mac", 1, NULL, 'm' }, { "json", 1, NULL, 'j' },
		{ "queues", 1, NULL, 'Q' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	char *end;
	int ch;

	o.dport = 8080;
	o.legit_max = 4096;
	o.duration = 5;
	o.timeout = 5;
	o.legit_src = 0xc6120002;
	o.src_net = 0xc6128000;
	o.src_mask = 0xffff8000;
	o.queues = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (parse_ip(optarg, &o.dst) < 0 ||
			    !in_bench_net(o.dst))
				return fail_opt("dst", optarg,
						"an IPv4 address in 198.18.0.0/15");
			break;
		case 'p':
			v = strtoull(optarg, &end, 10);
			if (*end || v < 1 || v > 65535)
				return fail_opt("dport", optarg, "1..65535");
			o.dport = (uint16_t)v;
			break;
		case 's':
		case 'a':
		case 'r':
			if (parse_rate(optarg, &v) < 0)
				return fail_opt(ch == 's' ? "syn-rate" :
						ch == 'a' ? "ack-rate" :
						"rst-rate", optarg,
						"0..1000000000 or max");
			*(ch == 's' ? &o.syn_rate : ch == 'a' ? &o.ack_rate :
			  &o.rst_rate) = v;
			break;
		case 'l':
			v = strtoull(optarg, &end, 10);
			if (*end || v > 1000000)
				return fail_opt("legit-rate", optarg,
						"0..1000000");
			o.legit_rate = (uint32_t)v;
			break;
		case 'L':
			v = strtoull(optarg, &end, 10);
			if (*end || v < 1 || v > LEGIT_MAX)
				return fail_opt("legit-max", optarg,
						"1..16384");
			o.legit_max = (unsigned)v;
			break;
		case 'q':
			o.request = true;
			break;
		case 't':
		case 'T':
			{
				double d = strtod(optarg, &end);
				double lo_ = ch == 't' ? 0.1 : 1,
				       hi = ch == 't' ? 3600 : 60;

				if (*end || !(d >= lo_ && d <= hi))
					return fail_opt(ch == 't' ? "duration" :
						"timeout", optarg, ch == 't' ?
						"0.1..3600" : "1..60");
				*(ch == 't' ? &o.duration : &o.timeout) = d;
			}
			break;
		case 'n': {
			char buf[32], *slash;
			unsigned long len;

			snprintf(buf, sizeof(buf), "%s", optarg);
			slash = strchr(buf, '/');
			if (slash == NULL)
				return fail_opt("src-net", optarg,
					"a prefix inside 198.18.0.0/15, e.g. "
					"198.18.128.0/17");
			*slash = '\0';
			len = strtoul(slash + 1, &end, 10);
			if (*end || len < 15 || len > 30 ||
			    parse_ip(buf, &o.src_net) < 0 ||
			    !in_bench_net(o.src_net))
				return fail_opt("src-net", optarg,
					"a prefix /15../30 inside "
					"198.18.0.0/15, e.g. 198.18.128.0/17");
			o.src_mask = ~0u << (32 - len);
			o.src_net &= o.src_mask;
			break;
		}
		case 'c':
			if (parse_ip(optarg, &o.legit_src) < 0 ||
			    !in_bench_net(o.legit_src))
				return fail_opt("legit-src", optarg,
						"an IPv4 address in 198.18.0.0/15");
			break;
		case 'm':
			if (rte_ether_unformat_addr(optarg,
				(struct rte_ether_addr *)o.dst_mac) < 0)
				return fail_opt("dst-mac", optarg,
						"xx:xx:xx:xx:xx:xx");
			o.have_dst_mac = true;
			break;
		case 'j':
			o.json = optarg;
			break;
		case 'Q':
			v = strtoull(optarg, &end, 10);
			if (*end || *optarg < '0' || *optarg > '9' || v < 1 ||
			    v > QUEUES_MAX)
				return fail_opt("queues", optarg,
						"1.." RTE_STR(QUEUES_MAX));
			o.queues = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o.dst == 0) {
		fprintf(stderr, "synflood: --dst is required; accepted: an "
			"IPv4 address in 198.18.0.0/15\n");
		return -1;
	}
	if ((o.legit_src & o.src_mask) == o.src_net) {
		fprintf(stderr, "synflood: --legit-src must lie outside "
			"--src-net\n");
		return -1;
	}
	return 0;
}

/* ---- queue choice ---------------------------------------------------- */

/*
 * Which queue the server's RSS would deliver a flow on: the Toeplitz hash
 * of the IPv4 TCP 4-tuple as the server receives it (source = our address
 * and port, destination = the target's), the hash's low bits indexing a
 * RETA filled round-robin over the queues (so hash % N for N a power of
 * two).  Every frame of a flow -- SYN, ACK, data, RST -- hashes alike.
 *
 * syngated gives a NIC a random key (lib/port.c: a known key lets an
 * attacker aim every flow at one worker).  memif has no RSS: the server's
 * worker k polls ring k and the sender picks the ring, so here the
 * generator plays the NIC with a fixed key, the one of Microsoft's RSS
 * verification suite (also DPDK testpmd's default), checked against that
 * suite's published hash at start.
 */
static const uint8_t rss_key[40] __rte_aligned(4) = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Addresses and ports in host order. */
static uint32_t
rss_hash(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	struct rte_ipv4_tuple t;

	t.src_addr = saddr;
	t.dst_addr = daddr;
	t.sport = sport;
	t.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, rss_key);
}

static unsigned
flow_queue(uint32_t src, uint16_t sport)
{
	if (o.queues == 1)
		return 0;
	return (rss_hash(src, sport, o.dst, o.dport) % RETA_SIZE) %
	       o.queues;
}

/* The first IPv4-with-TCP example of Microsoft's "Verifying the RSS Hash
 * Calculation" (source 0x420995bb port 2794, destination 0xa18e6450 port
 * 1766): hash input only, never an address anything is sent to. */
static bool
rss_hash_selfcheck(void)
{
	return rss_hash(0x420995bb, 2794, 0xa18e6450, 1766) == 0x51ccc178;
}

/* ---- transmit ------------------------------------------------------- */

static void
txq_flush(struct txq *q)
{
	uint16_t sent = 0, k;
	unsigned tries, max = q->prio ? 100000 : 4;

	for (tries = 0; tries < max && sent < q->n; tries++) {
		k = rte_eth_tx_burst(port, q->qid, q->m + sent,
				     (uint16_t)(q->n - sent));
		sent += k;
	}
	st.tx_q[q->qid] += sent;
	if (sent < q->n) {
		if (q->prio)
			st.tx_full_legit += q->n - sent;
		else
			st.tx_full += q->n - sent;
		rte_pktmbuf_free_bulk(q->m + sent, q->n - sent);
	}
	q->n = 0;
}

static void
prio_flush(void)
{
	unsigned q;

	for (q = 0; q < o.queues; q++)
		txq_flush(&tq_prio[q]);
}

static void
gen_flush(void)
{
	unsigned q;

	prio_flush();
	for (q = 0; q < o.queues; q++)
		txq_flush(&tq_flood[q]);
}

static void
txq_push(struct txq *q, struct rte_mbuf *m)
{
	q->m[q->n++] = m;
	if (q->n == BURST)
		txq_flush(q);
}

/* A TCP segment from src:sport to the target; a non-SYN carries a
 * timestamp echoing *tsecr when given (RFC 7323: once negotiated, on
 * every segment). */
static bool
send_tcp(uint32_t src, uint16_t sport, uint32_t seq, uint32_t ack,
	 uint8_t flags, unsigned optmix, const uint32_t *tsecr,
	 const void *data, uint16_t dlen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct pkt_tcp_out t;
	unsigned q;

	if (m == NULL)
		return false;
	memset(&t, 0, sizeof(t));
	t.family = 4;
	t.flow.laddr = htonl(src);	/* "l" is the sender */
	t.flow.raddr = htonl(o.dst);
	t.flow.lport = htons(sport);
	t.flow.rport = htons(o.dport);
	memcpy(t.dst_mac, o.dst_mac, 6);
	memcpy(t.src_mac, our_mac.addr_bytes, 6);
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.win = 64240;
	/* A realistic mix for SYNs: 40 % Linux-like (MSS, SACK, TS, WS),
	 * 30 % MSS only, 20 % MSS, SACK, WS, 10 % none. */
	switch (optmix % 10) {
	case 0: case 1: case 2: case 3:
		t.opts.o_present = OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE;
		break;
	case 4: case 5: case 6:
		t.opts.o_present = OPT_MSS;
		break;
	case 7: case 8:
		t.opts.o_present = OPT_MSS | OPT_SACKOK | OPT_WSCALE;
		break;
	default:
		break;
	}
	if (!(flags & TCPF_SYN))
		t.opts.o_present = tsecr != NULL ? OPT_TS : 0;
	if (tsecr != NULL)
		t.opts.o_tsecr = *tsecr;
	t.opts.o_mss = 1460;
	t.opts.o_wscale = 7;
	t.opts.o_tsval = (uint32_t)(rte_rdtsc() / (hz / 1000));
	t.data = data;
	t.data_len = dlen;
	m->data_len = (uint16_t)pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *),
					       &t, PKT_TX_CK_SW);
	m->pkt_len = m->data_len;
	q = flow_queue(src, sport);
	txq_push(src == o.legit_src ? &tq_prio[q] : &tq_flood[q], m);
	return true;
}

static uint32_t
spoofed(void)
{
	uint32_t a;

	do
		a = o.src_net | ((uint32_t)xrand() & ~o.src_mask);
	while ((a & ~o.src_mask) == 0 || (a | o.src_mask) == ~0u);
	return a;
}

static void
send_arp(uint16_t op, const uint8_t *tha, uint32_t tpa, uint32_t spa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *b;
	uint32_t be;

	if (m == NULL)
		return;
	b = rte_pktmbuf_mtod(m, uint8_t *);
	if (op == 1)
		memset(b, 0xff, 6);
	else
		memcpy(b, tha, 6);
	memcpy(b + 6, our_mac.addr_bytes, 6);
	b[12] = 0x08; b[13] = 0x06;
	b[14] = 0; b[15] = 1; b[16] = 0x08; b[17] = 0; b[18] = 6; b[19] = 4;
	b[20] = 0; b[21] = (uint8_t)op;
	memcpy(b + 22, our_mac.addr_bytes, 6);
	be = htonl(spa);
	memcpy(b + 28, &be, 4);
	if (op == 1)
		memset(b + 32, 0, 6);
	else
		memcpy(b + 32, tha, 6);
	be = htonl(tpa);
	memcpy(b + 38, &be, 4);
	memset(b + 42, 0, 18);
	m->data_len = m->pkt_len = 60;
	/* No 4-tuple to hash: queue 0, where a NIC's RSS puts what it
	 * cannot hash. */
	txq_push(&tq_prio[0], m);
}

/* ---- legitimate clients --------------------------------------------- */

static void
legit_start(uint64_t now)
{
	static unsigned next;
	unsigned i, k;
	struct legit *l;

	for (i = 0; i < o.legit_max; i++) {
		k = (next + i) % o.legit_max;
		if (lg[k].state == L_FREE)
			break;
	}
	if (i == o.legit_max) {
		st.l_skipped++;
		return;
	}
	next = k + 1;
	l = &lg[k];
	l->state = L_SYN_SENT;
	l->nsyn = 1;
	l->isn = (uint32_t)xrand();
	l->t_first = l->t_syn = now;
	st.l_started++;
	st.tx_legit++;
	send_tcp(o.legit_src, (uint16_t)(LEGIT_PORT0 + k), l->isn, 0,
		 TCPF_SYN, 0, NULL, NULL, 0);
}

static void
legit_end(struct legit *l, uint16_t sport, uint32_t seq, bool ok)
{
	/* Abort our side (SO_LINGER 0): the server frees its state. */
	send_tcp(o.legit_src, sport, seq, 0, TCPF_RST, 9, NULL, NULL, 0);
	if (ok)
		st.l_ok++;
	else
		st.l_failed++;
	l->state = L_FREE;
}

static void
lat_add(uint32_t *a, unsigned *n, uint64_t dt)
{
	if (*n < LAT_MAX)
		a[(*n)++] = (uint32_t)RTE_MIN(dt * 1000000 / hz, (uint64_t)UINT32_MAX);
}

static void
legit_input(const struct pkt_info *pi, uint64_t now)
{
	/* pi as we see it: l is our side */
	uint16_t sport = ntohs(pi->flow.lport);
	unsigned k = (unsigned)sport - LEGIT_PORT0;
	struct legit *l;

	if (k >= o.legit_max || lg[k].state == L_FREE)
		return;
	l = &lg[k];
	if (pi->tcp_flags & TCPF_RST) {
		st.l_reset++;
		l->state = L_FREE;
		st.l_failed++;
		return;
	}
	if (l->state == L_WAIT_RESP &&
	    (pi->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) &&
	    pi->ack == l->isn + 1) {
		/* The server retransmitted its SYN-ACK: our ACK was lost or
		 * ignored (a full accept queue); answer again, as TCP does. */
		const uint32_t *tsp = (pi->opts.o_present & OPT_TS) ?
				      &pi->opts.o_tsval : NULL;

		send_tcp(o.legit_src, sport, l->isn + 1, pi->seq + 1,
			 TCPF_ACK | TCPF_PSH, 9, tsp, request,
			 sizeof(request) - 1);
		return;
	}
	if (l->state == L_SYN_SENT &&
	    (pi->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) &&
	    pi->ack == l->isn + 1) {
		const uint32_t *tsp = (pi->opts.o_present & OPT_TS) ?
				      &pi->opts.o_tsval : NULL;

		st.rx_synack_legit++;
		l->srv_isn = pi->seq;
		l->t_est = now;
		lat_add(lat_conn, &n_conn, now - l->t_first);
		if (!o.request) {
			send_tcp(o.legit_src, sport, l->isn + 1, pi->seq + 1,
				 TCPF_ACK, 9, tsp, NULL, 0);
			legit_end(l, sport, l->isn + 1, true);
			return;
		}
		send_tcp(o.legit_src, sport, l->isn + 1, pi->seq + 1,
			 TCPF_ACK | TCPF_PSH, 9, tsp, request,
			 sizeof(request) - 1);
		l->state = L_WAIT_RESP;
		l->t_req = now;
		l->nreq = 1;
		l->ts_recent = tsp != NULL ? *tsp : 0;
		return;
	}
	if (l->state == L_WAIT_RESP && pi->payload_len > 0) {
		lat_add(lat_resp, &n_resp, now - l->t_est);
		legit_end(l, sport, l->isn + 1 + sizeof(request) - 1, true);
	}
}

/* Retransmit SYNs (1 s, then 2 s later, as Linux) and time out. */
static void
legit_timers(uint64_t now)
{
	uint64_t to = (uint64_t)(o.timeout * (double)hz);
	unsigned k;

	for (k = 0; k < o.legit_max; k++) {
		struct legit *l = &lg[k];

		if (l->state == L_FREE)
			continue;
		if (now - l->t_first >= to) {
			st.l_timeout++;
			legit_end(l, (uint16_t)(LEGIT_PORT0 + k),
				  l->state == L_SYN_SENT ? l->isn :
				  l->isn + 1, false);
			continue;
		}
		if (l->state == L_WAIT_RESP &&
		    now - l->t_req >= hz * (1ull << (l->nreq - 1))) {
			/* No answer: retransmit the request (RTO 1 s,
			 * doubling). */
			l->t_req = now;
			l->nreq++;
			send_tcp(o.legit_src, (uint16_t)(LEGIT_PORT0 + k),
				 l->isn + 1, l->srv_isn + 1,
				 TCPF_ACK | TCPF_PSH, 9,
				 l->ts_recent ? &l->ts_recent : NULL,
				 request, sizeof(request) - 1);
			continue;
		}
		if (l->state == L_SYN_SENT &&
		    now - l->t_syn >= hz * (1ull << (l->nsyn - 1))) {
			l->t_syn = now;
			l->nsyn++;
			st.l_syn_retrans++;
			st.tx_legit++;
			send_tcp(o.legit_src, (uint16_t)(LEGIT_PORT0 + k),
				 l->isn, 0, TCPF_SYN, 0, NULL, NULL, 0);
		}
	}
}

static unsigned
legit_inflight(void)
{
	unsigned k, n = 0;

	for (k = 0; k < o.legit_max; k++)
		n += lg[k].state != L_FREE;
	return n;
}

/* ---- receive -------------------------------------------------------- */

static bool
ours(uint32_t a)
{
	return a == o.legit_src || (a & o.src_mask) == o.src_net;
}

static void
rx_one(struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pkt_info pi;
	enum sg_drop why;

	/* net_af_packet hands our own frames back (outgoing packets reach
	 * packet sockets too): not load. */
	if (m->data_len >= 12 && memcmp(b + 6, our_mac.addr_bytes, 6) == 0) {
		st.rx_own++;
		rte_pktmbuf_free(m);
		return;
	}
	st.rx++;
	/* Checksums are not verified: a kernel on a veth sends with partial
	 * (offloaded) checksums, and a generator only needs to classify. */
	switch (pkt_parse(b, m->data_len, PKT_CK_IP_GOOD | PKT_CK_L4_GOOD, &pi,
			  &why)) {
	case PKT_ARP: {
		uint32_t tpa = ntohl(pi.flow.laddr);

		st.rx_arp++;
		if (ours(tpa))
			send_arp(2, b + 22, ntohl(pi.flow.raddr), tpa);
		break;
	}
	case PKT_TCP: {
		/* pi as seen by us: r = the target, l = our address */
		uint32_t dst = ntohl(pi.flow.laddr);

		if (ntohl(pi.flow.raddr) != o.dst)
			break;
		if (pi.tcp_flags & TCPF_RST)
			st.rx_rst++;
		if (dst == o.legit_src)
			legit_input(&pi, now);
		else if ((pi.tcp_flags & (TCPF_SYN | TCPF_ACK)) ==
			 (TCPF_SYN | TCPF_ACK))
			st.rx_synack_spoof++;
		break;
	}
	default:
		/* ARP replies and the rest: the parser refuses a reply
		 * (only requests are PKT_ARP); pick up the target's MAC. */
		if (m->data_len >= 42 && b[12] == 0x08 && b[13] == 0x06 &&
		    b[21] == 2 && !o.have_dst_mac) {
			uint32_t spa;

			memcpy(&spa, b + 28, 4);
			if (ntohl(spa) == o.dst) {
				memcpy(o.dst_mac, b + 22, 6);
				o.have_dst_mac = true;
			}
		}
		st.rx_other++;
		break;
	}
	rte_pktmbuf_free(m);
}

/* One burst from each queue in turn: worker k of the server answers on
 * its own queue, and a legitimate client's replies may come on any (the
 * client is found by its port, not by the queue). */
static void
rx_poll(uint64_t now)
{
	struct rte_mbuf *m[BURST];
	uint16_t n, i, q;

	for (q = 0; q < o.queues; q++) {
		n = rte_eth_rx_burst(port, q, m, BURST);
		st.rx_q[q] += n;
		for (i = 0; i < n; i++)
			rx_one(m[i], now);
	}
}

/* ---- rate control ---------------------------------------------------- */

struct bucket {
	uint64_t rate;		/* per second, RATE_MAX: as fast as TX takes */
	double tokens;
	uint64_t last;
};

static unsigned
bucket_take(struct bucket *bk, uint64_t now, unsigned want)
{
	unsigned n;

	if (bk->rate == 0)
		return 0;
	if (bk->rate == RATE_MAX)
		return want;
	bk->tokens += (double)(now - bk->last) * (double)bk->rate / (double)hz;
	bk->last = now;
	if (bk->tokens > BURST * 2)
		bk->tokens = BURST * 2;
	n = bk->tokens >= want ? want : (unsigned)bk->tokens;
	bk->tokens -= n;
	return n;
}

/* ---- results ---------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(uint32_t *a, unsigned n, double p)
{
	size_t k;

	if (n == 0)
		return NAN;
	k = (size_t)llround(p / 100.0 * (n - 1));
	return a[k] / 1000.0;
}

static void
json_num(FILE *f, const char *k, double v, bool last)
{
	if (isnan(v))
		fprintf(f, "\"%s\": null%s", k, last ? "" : ", ");
	else
		fprintf(f, "\"%s\": %.3f%s", k, v, last ? "" : ", ");
}

static void
report(double secs)
{
	double succ = st.l_started ? 100.0 * st.l_ok / st.l_started : NAN;
	unsigned q;
	FILE *f;

	qsort(lat_conn, n_conn, sizeof(*lat_conn), cmp_u32);
	qsort(lat_resp, n_resp, sizeof(*lat_resp), cmp_u32);
	printf("summary: %.2f s  syn %" PRIu64 " (%.0f pps)  ack %" PRIu64
	       "  rst %" PRIu64 "  tx_full %" PRIu64 " (legit %" PRIu64 ")\n",
	       secs, st.tx_syn, st.tx_syn / secs, st.tx_ack, st.tx_rst,
	       st.tx_full, st.tx_full_legit);
	printf("summary: rx %" PRIu64 "  synack to flood %" PRIu64
	       " (%.0f /s)  rst %" PRIu64 "\n", st.rx, st.rx_synack_spoof,
	       st.rx_synack_spoof / secs, st.rx_rst);
	printf("summary: legit started %" PRIu64 " ok %" PRIu64 " failed %"
	       PRIu64 " (timeout %" PRIu64 ", reset %" PRIu64 ") skipped %"
	       PRIu64 " success %.2f %%  connect p50 %.3f p99 %.3f max %.3f ms"
	       "  response p50 %.3f p99 %.3f ms\n", st.l_started, st.l_ok,
	       st.l_failed, st.l_timeout, st.l_reset, st.l_skipped, succ,
	       pct_ms(lat_conn, n_conn, 50), pct_ms(lat_conn, n_conn, 99),
	       pct_ms(lat_conn, n_conn, 100), pct_ms(lat_resp, n_resp, 50),
	       pct_ms(lat_resp, n_resp, 99));
	if (o.queues > 1) {
		printf("summary: queues %u  tx", o.queues);
		for (q = 0; q < o.queues; q++)
			printf(" %" PRIu64, st.tx_q[q]);
		printf("  rx");
		for (q = 0; q < o.queues; q++)
			printf(" %" PRIu64, st.rx_q[q]);
		printf("\n");
	}
	if (o.json == NULL)
		return;
	f = fopen(o.json, "w");
	if (f == NULL) {
		fprintf(stderr, "synflood: cannot write %s\n", o.json);
		return;
	}
	fprintf(f, "{\"seconds\": %.3f, \"offered\": {", secs);
	fprintf(f, "\"syn_pps\": %.0f, \"ack_pps\": %.0f, \"rst_pps\": %.0f, "
		"\"legit_cps\": %u}, ",
		o.syn_rate == RATE_MAX ? -1.0 : (double)o.syn_rate,
		o.ack_rate == RATE_MAX ? -1.0 : (double)o.ack_rate,
		o.rst_rate == RATE_MAX ? -1.0 : (double)o.rst_rate,
		o.legit_rate);
	fprintf(f, "\"sent\": {\"syn\": %" PRIu64 ", \"ack\": %" PRIu64
		", \"rst\": %" PRIu64 ", \"legit_syn\": %" PRIu64
		", \"tx_full\": %" PRIu64 ", \"tx_full_legit\": %" PRIu64
		"}, ", st.tx_syn, st.tx_ack, st.tx_rst, st.tx_legit,
		st.tx_full, st.tx_full_legit);
	/* What the ring took: flood frames built less those refused. */
	fprintf(f, "\"flood_delivered_pps\": %.0f, ",
		(double)(st.tx_syn + st.tx_ack + st.tx_rst - st.tx_full) /
		secs);
	fprintf(f, "\"syn_pps\": %.0f, ", st.tx_syn / secs);
	fprintf(f, "\"rx\": {\"pkts\": %" PRIu64 ", \"synack_flood\": %"
		PRIu64 ", \"synack_legit\": %" PRIu64 ", \"rst\": %" PRIu64
		", \"arp\": %" PRIu64 "}, ", st.rx, st.rx_synack_spoof,
		st.rx_synack_legit, st.rx_rst, st.rx_arp);
	fprintf(f, "\"synack_flood_pps\": %.0f, ", st.rx_synack_spoof / secs);
	/* Frames the port took and gave per queue (ARP and the drain after
	 * the load included). */
	fprintf(f, "\"queues\": %u, \"tx_per_queue\": [", o.queues);
	for (q = 0; q < o.queues; q++)
		fprintf(f, "%s%" PRIu64, q ? ", " : "", st.tx_q[q]);
	fprintf(f, "], \"rx_per_queue\": [");
	for (q = 0; q < o.queues; q++)
		fprintf(f, "%s%" PRIu64, q ? ", " : "", st.rx_q[q]);
	fprintf(f, "], ");
	fprintf(f, "\"legit\": {\"started\": %" PRIu64 ", \"ok\": %" PRIu64
		", \"failed\": %" PRIu64 ", \"timeout\": %" PRIu64
		", \"reset\": %" PRIu64 ", \"skipped\": %" PRIu64
		", \"syn_retrans\": %" PRIu64 ", ", st.l_started, st.l_ok,
		st.l_failed, st.l_timeout, st.l_reset, st.l_skipped,
		st.l_syn_retrans);
	json_num(f, "success_pct", succ, false);
	json_num(f, "connect_p50_ms", pct_ms(lat_conn, n_conn, 50), false);
	json_num(f, "connect_p99_ms", pct_ms(lat_conn, n_conn, 99), false);
	json_num(f, "connect_max_ms", pct_ms(lat_conn, n_conn, 100), false);
	json_num(f, "response_p50_ms", pct_ms(lat_resp, n_resp, 50), false);
	json_num(f, "response_p99_ms", pct_ms(lat_resp, n_resp, 99), true);
	fprintf(f, "}}\n");
	fclose(f);
}

/* ---- main ------------------------------------------------------------ */

static int
port_init(void)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "synflood: no port (give a --vdev)\n");
		return -1;
	}
	port = 0;
	memset(&conf, 0, sizeof(conf));
	pool = rte_pktmbuf_pool_create("synflood", NB_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return -1;
	ret = rte_eth_dev_configure(port, (uint16_t)o.queues,
				    (uint16_t)o.queues, &conf);
	for (q = 0; ret == 0 && q < o.queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 1024,
					     rte_eth_dev_socket_id(port),
					     NULL, pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, 1024,
					rte_eth_dev_socket_id(port), NULL);
		tq_flood[q].qid = tq_prio[q].qid = q;
		tq_prio[q].prio = true;
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret < 0) {
		fprintf(stderr, "synflood: port setup: %s\n", strerror(-ret));
		return -1;
	}
	rte_eth_promiscuous_enable(port);
	return rte_eth_macaddr_get(port, &our_mac);
}

/* Wait for the link and the target's MAC (ARP), answering ARP meanwhile. */
static int
resolve(void)
{
	uint64_t end = rte_rdtsc() + 10 * hz, next = 0;

	while (!o.have_dst_mac && !stop) {
		uint64_t now = rte_rdtsc();

		if (now > end) {
			fprintf(stderr, "synflood: no ARP reply from the "
				"target in 10 s (is it up?)\n");
			return -1;
		}
		if (now >= next) {
			send_arp(1, NULL, o.dst, o.legit_src);
			gen_flush();
			next = now + hz / 5;
		}
		rx_poll(now);
		gen_flush();
	}
	return stop ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct bucket b_syn, b_ack, b_rst, b_leg;
	uint64_t t0, end, now, next_sec, next_ms = 0, drain_end;
	struct stats prev;
	unsigned sec = 0, n, i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	if (parse_args(argc - ret, argv + ret) < 0) {
		rte_eal_cleanup();
		return 2;
	}
	if (!rss_hash_selfcheck()) {
		fprintf(stderr, "synflood: rte_softrss disagrees with the "
			"published Toeplitz test vector\n");
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	hz = rte_get_tsc_hz();
	lg = calloc(LEGIT_MAX, sizeof(*lg));
	lat_conn = malloc(LAT_MAX * sizeof(*lat_conn));
	lat_resp = malloc(LAT_MAX * sizeof(*lat_resp));
	if (lg == NULL || lat_conn == NULL || lat_resp == NULL ||
	    port_init() < 0 || resolve() < 0) {
		rte_eal_cleanup();
		return 1;
	}
	printf("synflood: target %02x:%02x:%02x:%02x:%02x:%02x, TSC %.3f GHz\n",
	       o.dst_mac[0], o.dst_mac[1], o.dst_mac[2], o.dst_mac[3],
	       o.dst_mac[4], o.dst_mac[5], hz / 1e9);
	fflush(stdout);
	memset(&st, 0, sizeof(st));	/* the ARP exchange is not load */

	now = t0 = rte_rdtsc();
	end = t0 + (uint64_t)(o.duration * (double)hz);
	b_syn = (struct bucket){ o.syn_rate, 0, t0 };
	b_ack = (struct bucket){ o.ack_rate, 0, t0 };
	b_rst = (struct bucket){ o.rst_rate, 0, t0 };
	b_leg = (struct bucket){ o.legit_rate, 0, t0 };
	next_sec = t0 + hz;
	prev = st;
	while (!stop && now < end) {
		now = rte_rdtsc();
		rx_poll(now);
		n = bucket_take(&b_leg, now, 4);
		for (i = 0; i < n; i++)
			legit_start(now);
		prio_flush();
		n = bucket_take(&b_syn, now, BURST);
		for (i = 0; i < n; i++)
			st.tx_syn += send_tcp(spoofed(),
				(uint16_t)(1024 + xrand() % 64000),
				(uint32_t)xrand(), 0, TCPF_SYN,
				(unsigned)(st.tx_syn % 10), NULL, NULL, 0);
		n = bucket_take(&b_ack, now, BURST);
		for (i = 0; i < n; i++)
			st.tx_ack += send_tcp(spoofed(),
				(uint16_t)(1024 + xrand() % 64000),
				(uint32_t)xrand(), (uint32_t)xrand(),
				TCPF_ACK, 9, NULL, NULL, 0);
		n = bucket_take(&b_rst, now, BURST);
		for (i = 0; i < n; i++)
			st.tx_rst += send_tcp(spoofed(),
				(uint16_t)(1024 + xrand() % 64000),
				(uint32_t)xrand(), 0, TCPF_RST, 9, NULL, NULL,
				0);
		if (now >= next_ms) {
			legit_timers(now);
			next_ms = now + hz / 1000;
		}
		gen_flush();
		if (now >= next_sec) {
			sec++;
			printf("t=%u syn_pps=%" PRIu64 " ack_pps=%" PRIu64
			       " rst_pps=%" PRIu64 " rx_pps=%" PRIu64
			       " synack_flood_pps=%" PRIu64 " legit_ok=%" PRIu64
			       " legit_failed=%" PRIu64 " inflight=%u tx_full=%"
			       PRIu64 "\n", sec, st.tx_syn - prev.tx_syn,
			       st.tx_ack - prev.tx_ack, st.tx_rst - prev.tx_rst,
			       st.rx - prev.rx,
			       st.rx_synack_spoof - prev.rx_synack_spoof,
			       st.l_ok, st.l_failed, legit_inflight(),
			       st.tx_full);
			fflush(stdout);
			prev = st;
			next_sec += hz;
		}
	}
	/* Let the legitimate connections in flight finish (bounded by
	 * their timeout). */
	drain_end = rte_rdtsc() + (uint64_t)(o.timeout * (double)hz) + hz / 10;
	while (!stop && legit_inflight() != 0 && (now = rte_rdtsc()) < drain_end) {
		rx_poll(now);
		if (now >= next_ms) {
			legit_timers(now);
			next_ms = now + hz / 1000;
		}
		gen_flush();
	}
	report((double)(end - t0) / (double)hz);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return 0;
}
