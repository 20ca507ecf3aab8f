/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sg_bench — cycles per packet of syngate's hot paths, in process: the
 * real worker_rx() on bursts of 32 pre-built frames, replies into a sink
 * port that frees them (what a NIC's TX completion does).  The cost of
 * getting frames into mbufs (allocation and a copy of the template) is
 * measured alone and subtracted, so the figures are syngate's own work:
 * parsing with software checksum verification, hashing, lookup, the state
 * machine, the reply built in place.
 *
 *   sg_bench [EAL options] -- [--packets N] [--json FILE]
 *
 * Scenarios:
 *   syn_cookie     SYNs from distinct flows, cookies always: SYN-ACK each
 *   syn_stateful   SYNs from distinct flows, cookies never, a table large
 *                  enough: insert + ISN + SYN-ACK + timer each
 *   handshake      the ACK completing a cookie handshake + the
 *                  application's accept and abort (per connection)
 *   ack_flood      random ACKs to a listener with no cookie outstanding:
 *                  a table miss and a rate-limited RST decision each
 *   ack_guess      random ACKs while cookies are out: a cookie check each
 *   garbage        frames with a bad TCP checksum: parse and count
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sg_internal.h"

#define SRV_IP		RTE_BE32(0xc6120001)
#define BURST		32

static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct frame {
	uint16_t len;
	uint8_t b[PKT_TCP4_MAX_HDR];
};

static struct rte_mempool *cpool;
static uint64_t sunk;
static uint32_t *synack_seq;	/* handshake: SYN-ACK seq by flow index */
static unsigned nflows;

static uint16_t
sink(void *ctx, struct rte_mbuf **m, uint16_t n)
{
	uint16_t i;

	(void)ctx;
	if (synack_seq != NULL) {
		for (i = 0; i < n; i++) {
			struct pkt_info pi;
			enum sg_drop why;

			if (pkt_parse(rte_pktmbuf_mtod(m[i], uint8_t *),
				      m[i]->data_len, 0, &pi, &why) == PKT_TCP &&
			    pi.tcp_flags == (TCPF_SYN | TCPF_ACK)) {
				/* parsed as the client sees it: l* is the
				 * client */
				unsigned k = (rte_be_to_cpu_32(pi.flow.laddr) -
					      0xc6128000u) << 8 |
					     (rte_be_to_cpu_16(pi.flow.lport) -
					      1024u) % 256;

				if (k < nflows)
					synack_seq[k] = pi.seq;
			}
		}
	}
	rte_pktmbuf_free_bulk(m, n);
	sunk += n;
	return n;
}

/* Flow k: source 198.18.(128 + k/256/256) .. , port 1024 + k % 256. */
static void
build(struct frame *f, unsigned k, uint8_t flags, uint32_t seq, uint32_t ack,
      uint8_t opts)
{
	struct pkt_tcp_out t;
	uint32_t host = 0xc6128000u + (k >> 8);

	memset(&t, 0, sizeof(t));
	t.flow.raddr = SRV_IP;
	t.flow.laddr = rte_cpu_to_be_32(host);
	t.flow.rport = RTE_BE16(8080);
	t.flow.lport = rte_cpu_to_be_16((uint16_t)(1024 + k % 256));
	memcpy(t.dst_mac, srv_mac, 6);
	memcpy(t.src_mac, cli_mac, 6);
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.win = 29200;
	t.opts.o_present = opts;
	t.opts.o_mss = 1460;
	t.opts.o_wscale = 7;
	t.opts.o_tsval = 1;
	f->len = (uint16_t)pkt_tcp_build(f->b, &t, PKT_TX_CK_SW);
}

/* Feed frames[0..n) through w (or, with w NULL, only through the mbuf
 * setup and the sink: the baseline).  Returns TSC cycles. */
static uint64_t
feed(struct worker *w, const struct frame *frames, unsigned n,
     uint64_t *now_us)
{
	struct rte_mbuf *m[BURST];
	uint64_t t0 = rte_rdtsc_precise(), cyc;
	unsigned i, j, k;

	for (i = 0; i < n; i += BURST) {
		k = RTE_MIN((unsigned)BURST, n - i);
		if (rte_pktmbuf_alloc_bulk(cpool, m, k) < 0) {
			fprintf(stderr, "sg_bench: client pool empty\n");
			exit(1);
		}
		for (j = 0; j < k; j++) {
			const struct frame *f = &frames[i + j];

			memcpy(rte_pktmbuf_mtod(m[j], uint8_t *), f->b, f->len);
			m[j]->data_len = f->len;
			m[j]->pkt_len = f->len;
		}
		if (w == NULL) {
			sink(NULL, m, (uint16_t)k);
			continue;
		}
		worker_rx(w, 0, m, k);
		if ((i / BURST) % 16 == 0) {
			*now_us += 50;
			worker_tick(w, *now_us);
		} else {
			tx_flush(w);
		}
	}
	cyc = rte_rdtsc_precise() - t0;
	return cyc;
}

struct result {
	const char *name;
	double cycles;		/* per packet (per connection: handshake) */
	unsigned packets;
};

static struct result results[8];
static unsigned nresults;

static void
report(const char *name, uint64_t cyc, uint64_t base, unsigned n)
{
	double c = ((double)cyc - (double)base) / n;
	double hz = (double)rte_get_tsc_hz();

	results[nresults].name = name;
	results[nresults].cycles = c;
	results[nresults].packets = n;
	nresults++;
	printf("%-13s %8.1f cycles/pkt  %6.2f Mpps/core  (%u packets, "
	       "%.1f cycles/pkt incl. mbuf setup)\n", name, c, hz / c / 1e6,
	       n, (double)cyc / n);
}

static struct worker *
engine(struct sg_engine **e, enum sg_cookie_mode mode, uint32_t synq)
{
	struct sg_listener *l;
	struct sg_params p;
	struct worker *w;

	sg_params_default(&p);
	p.cookies = mode;
	p.synq_size = synq;
	p.conn_max = 65536;
	p.backlog = 65536;
	p.mbufs = 4095;
	p.synack_rto_ms = 60000;	/* no retransmission in the run */
	if (sg_engine_create(&p, 1, e) < 0 || sg_listen(*e, 8080, 0, &l) < 0) {
		fprintf(stderr, "sg_bench: engine create failed (more -m?)\n");
		exit(1);
	}
	w = sg_engine_worker(*e, 0);
	worker_attach_sink(w, srv_mac, sink, NULL);
	worker_tick(w, 1000000);
	return w;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned n = 1u << 20, i;
	const char *json = NULL;
	struct frame *fr;
	struct sg_engine *e;
	struct worker *w;
	uint64_t base, cyc, now = 1000000;
	struct sg_listener *l;
	struct sg_conn *conns[64];
	int ret, ch;
	FILE *f;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'n')
			n = (unsigned)strtoul(optarg, NULL, 10) & ~(BURST - 1u);
		else if (ch == 'j')
			json = optarg;
		else
			return 2;
	}
	if (n < BURST || n > (1u << 22)) {
		fprintf(stderr, "sg_bench: --packets: 32..4194304\n");
		return 2;
	}
	nflows = n;
	cpool = rte_pktmbuf_pool_create("bench_cli", 8191, 256, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	fr = calloc(n, sizeof(*fr));
	synack_seq = NULL;
	if (cpool == NULL || fr == NULL)
		return 1;
	printf("sg_bench: TSC %.3f GHz, %u packets per scenario, bursts of "
	       "%u, software checksums\n", rte_get_tsc_hz() / 1e9, n, BURST);

	/* Baseline: allocation, copy and free only. */
	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_SYN, i * 7919u, 0,
		      OPT_MSS | OPT_WSCALE | OPT_SACKOK);
	base = feed(NULL, fr, n, &now);
	printf("%-13s %8.1f cycles/pkt  (subtracted from the rest)\n",
	       "mbuf_setup", (double)base / n);

	w = engine(&e, SG_COOKIES_ALWAYS, 1024);
	cyc = feed(w, fr, n, &now);
	report("syn_cookie", cyc, base, n);
	sg_engine_destroy(e);

	w = engine(&e, SG_COOKIES_NEVER, n);
	cyc = feed(w, fr, n, &now);
	report("syn_stateful", cyc, base, n);
	sg_engine_destroy(e);

	/* Handshake: SYNs first (collecting the cookies), then the ACKs
	 * are timed with the application's accept and abort. */
	w = engine(&e, SG_COOKIES_ALWAYS, 1024);
	l = e->e_listeners.lt_l[0];
	synack_seq = calloc(n, sizeof(*synack_seq));
	feed(w, fr, n, &now);
	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_ACK, i * 7919u + 1, synack_seq[i] + 1, 0);
	synack_seq = NULL;
	{
		uint64_t t0 = rte_rdtsc_precise();
		unsigned k, got = 0;

		for (i = 0; i < n; i += 1024) {
			feed(w, fr + i, RTE_MIN(1024u, n - i), &now);
			while ((k = sg_accept_burst(l, conns, 64)) != 0) {
				got += k;
				while (k != 0)
					sg_abort(conns[--k]);
				worker_tick(w, now);
			}
		}
		cyc = rte_rdtsc_precise() - t0;
		report("handshake", cyc, base, n);
		if (got != n)
			printf("  (only %u of %u handshakes completed)\n", got,
			       n);
	}
	sg_engine_destroy(e);

	/* ACK flood without cookies out: a table miss each. */
	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_ACK, i * 31u, i * 104729u, 0);
	w = engine(&e, SG_COOKIES_AUTO, 1024);
	cyc = feed(w, fr, n, &now);
	report("ack_flood", cyc, base, n);
	sg_engine_destroy(e);

	/* ACK flood while cookies are out: a cookie check each. */
	w = engine(&e, SG_COOKIES_ALWAYS, 1024);
	cyc = feed(w, fr, n, &now);
	report("ack_guess", cyc, base, n);
	sg_engine_destroy(e);

	/* Garbage: a bad TCP checksum. */
	for (i = 0; i < n; i++)
		fr[i].b[PKT_ETH_LEN + PKT_IP4_LEN + 16] ^= 0x5a;
	w = engine(&e, SG_COOKIES_AUTO, 1024);
	cyc = feed(w, fr, n, &now);
	report("garbage", cyc, base, n);
	sg_engine_destroy(e);

	if (json != NULL) {
		f = fopen(json, "w");
		if (f == NULL)
			return 1;
		fprintf(f, "{\"tsc_hz\": %" PRIu64 ", \"packets\": %u, "
			"\"mbuf_setup_cycles\": %.1f, \"scenarios\": {",
			rte_get_tsc_hz(), n, (double)base / n);
		for (i = 0; i < nresults; i++)
			fprintf(f, "%s\"%s\": {\"cycles_per_pkt\": %.1f, "
				"\"mpps_per_core\": %.3f}", i ? ", " : "",
				results[i].name, results[i].cycles,
				rte_get_tsc_hz() / results[i].cycles / 1e6);
		fprintf(f, "}}\n");
		fclose(f);
	}
	free(fr);
	rte_eal_cleanup();
	return 0;
}
