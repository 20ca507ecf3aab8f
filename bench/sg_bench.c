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
 *   sg_bench [EAL options] -- [--packets N] [--json FILE] [--workers W]
 *                               [--only SCENARIO]
 *
 * --only runs one scenario of the single-worker suite (and nothing else):
 * what `perf record` needs to profile one path; SG_BENCH_REPEAT=R feeds
 * the stateless cookie scenarios R times over (the last is reported), so
 * that the profile is the loop's and not the setup's.  --perf-ctl CTL,ACK
 * names perf's control FIFOs: with
 *   mkfifo ctl ack; perf record -D -1 --control fifo:ctl,ack -- \
 *       sg_bench ... -- --only handshake --perf-ctl ctl,ack
 * perf samples the timed loops of the single-worker suite only (not the
 * frames being built, the SYNs a handshake needs first, the setup).
 *
 * Scenarios:
 *   syn_cookie     SYNs from distinct flows, cookies always: SYN-ACK each
 *   syn_cookie_nic the same with a NIC's help: the frames carry the RX
 *                  checksum-good flags, the port offloads TX checksums
 *   syn_stateful   SYNs from distinct flows, cookies never, a table large
 *                  enough: insert + ISN + SYN-ACK + timer each
 *   handshake      the ACK completing a cookie handshake + the
 *                  application's accept and abort (per connection)
 *   ack_flood      random ACKs to a listener with no cookie outstanding:
 *                  a table miss and a rate-limited RST decision each
 *   ack_guess      random ACKs while cookies are out: a cookie check each
 *   garbage        frames with a bad TCP checksum: parse and count
 *
 * With --workers W (1..the EAL lcores), after the suite above: syn_cookie,
 * syn_stateful and handshake again on one engine of 1 worker, then of W
 * workers, each worker on its own lcore with its own share of the flows;
 * the aggregate rate (all packets over the wall clock), each worker's
 * cycles per packet and the scaling from 1 to W workers.  Their JSON goes
 * under "workers".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "sg_internal.h"

#define SRV_IP		RTE_BE32(0xc6120001)
#define BURST		32
#define T0_US		1000000		/* a new engine's worker clock */
#define CLI_MBUFS	8191		/* per lane: bursts in flight, and
					   what the replies keep a while */
#define CLI_CACHE	256

static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct frame {
	uint16_t len;
	uint8_t b[PKT_TCP4_MAX_HDR];
};

/*
 * What one lcore feeds a worker with: its own client pool (an allocation
 * never waits on another lcore), the sink's counters, and the worker's
 * clock (each worker's own).  The single-worker suite is lane 0 alone, on
 * the main lcore.  One cache line or more each, so that lanes on
 * different lcores share none.
 */
struct lane {
	struct rte_mempool *ln_pool;
	struct worker *ln_w;		/* NULL: the baseline (no worker) */
	const struct frame *ln_fr;	/* the next run's frames */
	unsigned ln_n;
	unsigned ln_lcore;
	uint64_t ln_now_us;
	uint32_t *ln_synack;		/* handshake SYNs: SYN-ACK seq by
					   flow index; else NULL */
	uint64_t ln_sunk;
	uint64_t ln_ol_flags;		/* set on every frame (RX checksum
					   flags a NIC would set), or 0 */
	uint64_t ln_cycles;		/* last run: feed()'s TSC cycles */
	uint64_t ln_end;		/* last run: TSC when it was done */
} __rte_cache_aligned;

static struct lane lanes[SG_MAX_WORKERS];
static unsigned nflows;			/* bound of ln_synack's index */

static uint16_t
sink(void *ctx, struct rte_mbuf **m, uint16_t n)
{
	struct lane *ln = ctx;
	uint16_t i;

	if (ln->ln_synack != NULL) {
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
					ln->ln_synack[k] = pi.seq;
			}
		}
	}
	rte_pktmbuf_free_bulk(m, n);
	ln->ln_sunk += n;
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

/* A SYN from each flow. */
static void
build_syns(struct frame *fr, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_SYN, i * 7919u, 0,
		      OPT_MSS | OPT_WSCALE | OPT_SACKOK);
}

/* The ACK completing each flow's handshake, given its SYN-ACK's seq. */
static void
build_acks(struct frame *fr, unsigned n, const uint32_t *synack)
{
	unsigned i;

	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_ACK, i * 7919u + 1, synack[i] + 1, 0);
}

/* Feed frames[0..n) through w (or, with w NULL, only through the mbuf
 * setup and the sink: the baseline), with ln's pool and clock.  Returns
 * TSC cycles. */
static uint64_t
feed(struct lane *ln, struct worker *w, const struct frame *frames,
     unsigned n)
{
	struct rte_mbuf *m[BURST];
	uint64_t t0 = rte_rdtsc_precise(), cyc;
	unsigned i, j, k;

	for (i = 0; i < n; i += BURST) {
		k = RTE_MIN((unsigned)BURST, n - i);
		if (rte_pktmbuf_alloc_bulk(ln->ln_pool, m, k) < 0) {
			fprintf(stderr, "sg_bench: client pool empty\n");
			exit(1);
		}
		for (j = 0; j < k; j++) {
			const struct frame *f = &frames[i + j];

			memcpy(rte_pktmbuf_mtod(m[j], uint8_t *), f->b, f->len);
			m[j]->data_len = f->len;
			m[j]->pkt_len = f->len;
			m[j]->ol_flags = ln->ln_ol_flags;
		}
		if (w == NULL) {
			sink(ln, m, (uint16_t)k);
			continue;
		}
		worker_rx(w, 0, m, k);
		if ((i / BURST) % 16 == 0) {
			ln->ln_now_us += 50;
			worker_tick(w, ln->ln_now_us);
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
static const char *only;	/* --only: the one scenario to run */
static FILE *perf_ctl_f, *perf_ack_f;	/* --perf-ctl: perf's FIFOs */

/* Tell perf (--perf-ctl) to sample or stop ("enable"/"disable"), and wait
 * for its acknowledgement so that no sample of the loop is lost. */
static void
perf_ctl(const char *cmd)
{
	char ack[16];

	if (perf_ctl_f == NULL)
		return;
	fprintf(perf_ctl_f, "%s\n", cmd);
	fflush(perf_ctl_f);
	if (fgets(ack, sizeof(ack), perf_ack_f) == NULL)
		fprintf(stderr, "sg_bench: --perf-ctl: no acknowledgement\n");
}

/* feed, sampled by perf when --perf-ctl is given. */
static uint64_t
timed_feed(struct lane *ln, struct worker *w, const struct frame *frames,
	   unsigned n)
{
	uint64_t cyc;

	perf_ctl("enable");
	cyc = feed(ln, w, frames, n);
	perf_ctl("disable");
	return cyc;
}

static bool
want(const char *name)
{
	return only == NULL || strcmp(only, name) == 0;
}

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

/* An engine of nw workers listening on 8080, worker i sinking into lane
 * i; conns is each worker's connection table and accept queue. */
static struct sg_engine *
engine_make(unsigned nw, enum sg_cookie_mode mode, uint32_t synq,
	    uint32_t conns)
{
	struct sg_listener *l;
	struct sg_engine *e;
	struct sg_params p;
	unsigned i;

	sg_params_default(&p);
	p.cookies = mode;
	p.synq_size = synq;
	p.conn_max = conns;
	p.backlog = conns;
	p.mbufs = 4095;
	p.synack_rto_ms = 60000;	/* no retransmission in the run */
	if (sg_engine_create(&p, nw, &e) < 0) {
		fprintf(stderr, "sg_bench: engine create failed (more -m?)\n");
		exit(1);
	}
	if (sg_listen(e, 8080, 0, &l) < 0) {
		fprintf(stderr, "sg_bench: listen failed (more -m?)\n");
		exit(1);
	}
	for (i = 0; i < nw; i++) {
		struct worker *w = sg_engine_worker(e, i);

		if (worker_attach_sink(w, srv_mac, sink, &lanes[i]) < 0) {
			fprintf(stderr, "sg_bench: no port for the sink\n");
			exit(1);
		}
		worker_tick(w, T0_US);
		lanes[i].ln_w = w;
	}
	return e;
}

/* The single-worker suite's engine: tables as large as the biggest
 * scenario needs. */
static struct worker *
engine(struct sg_engine **e, enum sg_cookie_mode mode, uint32_t synq)
{
	*e = engine_make(1, mode, synq, 65536);
	return lanes[0].ln_w;
}

/* Handshake: SYNs first (collecting the cookies), then the ACKs are timed
 * with the application's accept and abort. */
static void
single_handshake(struct frame *fr, unsigned n, uint64_t base)
{
	struct lane *ln = &lanes[0];
	struct sg_conn *conns[64];
	struct sg_listener *l;
	struct sg_engine *e;
	struct worker *w;
	unsigned i, k, got = 0;
	uint64_t t0;

	w = engine(&e, SG_COOKIES_ALWAYS, 1024);
	l = e->e_listeners.lt_l[0];
	ln->ln_synack = calloc(n, sizeof(*ln->ln_synack));
	if (ln->ln_synack == NULL)
		exit(1);
	feed(ln, w, fr, n);
	build_acks(fr, n, ln->ln_synack);
	free(ln->ln_synack);
	ln->ln_synack = NULL;
	perf_ctl("enable");
	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i += 1024) {
		feed(ln, w, fr + i, RTE_MIN(1024u, n - i));
		while ((k = sg_accept_burst(l, conns, 64)) != 0) {
			got += k;
			while (k != 0)
				sg_abort(conns[--k]);
			worker_tick(w, ln->ln_now_us);
		}
	}
	t0 = rte_rdtsc_precise() - t0;
	perf_ctl("disable");
	report("handshake", t0, base, n);
	if (got != n)
		printf("  (only %u of %u handshakes completed)\n", got, n);
	sg_engine_destroy(e);
}

/* Every scenario on one worker, on the main lcore.  Returns the baseline:
 * TSC cycles of the mbuf setup alone for n packets. */
static uint64_t
run_single(struct frame *fr, unsigned n)
{
	struct lane *ln = &lanes[0];
	const char *rep = getenv("SG_BENCH_REPEAT");
	unsigned repeat = rep != NULL && atoi(rep) > 0 ? (unsigned)atoi(rep) : 1;
	struct sg_engine *e;
	struct worker *w;
	uint64_t base, cyc = 0;
	unsigned i;

	/* Baseline: allocation, copy and free only. */
	build_syns(fr, n);
	base = feed(ln, NULL, fr, n);
	printf("%-13s %8.1f cycles/pkt  (subtracted from the rest)\n",
	       "mbuf_setup", (double)base / n);

	if (want("syn_cookie")) {
		w = engine(&e, SG_COOKIES_ALWAYS, 1024);
		for (i = 0; i < repeat; i++)
			cyc = timed_feed(ln, w, fr, n);
		report("syn_cookie", cyc, base, n);
		sg_engine_destroy(e);
	}

	/* The same with what a NIC does: RX checksums verified (the
	 * mbuf flags), TX checksums offloaded (only the pseudo-header
	 * sum is written). */
	if (want("syn_cookie_nic")) {
		w = engine(&e, SG_COOKIES_ALWAYS, 1024);
		worker_sink_tx_offload(w, 0, true);
		ln->ln_ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD |
				  RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		for (i = 0; i < repeat; i++)
			cyc = timed_feed(ln, w, fr, n);
		ln->ln_ol_flags = 0;
		report("syn_cookie_nic", cyc, base, n);
		sg_engine_destroy(e);
	}

	if (want("syn_stateful")) {
		w = engine(&e, SG_COOKIES_NEVER, n);
		cyc = timed_feed(ln, w, fr, n);
		report("syn_stateful", cyc, base, n);
		sg_engine_destroy(e);
	}

	if (want("handshake"))
		single_handshake(fr, n, base);

	/* ACK flood without cookies out: a table miss each. */
	for (i = 0; i < n; i++)
		build(&fr[i], i, TCPF_ACK, i * 31u, i * 104729u, 0);
	if (want("ack_flood")) {
		w = engine(&e, SG_COOKIES_AUTO, 1024);
		cyc = timed_feed(ln, w, fr, n);
		report("ack_flood", cyc, base, n);
		sg_engine_destroy(e);
	}

	/* ACK flood while cookies are out: a cookie check each. */
	if (want("ack_guess")) {
		w = engine(&e, SG_COOKIES_ALWAYS, 1024);
		cyc = timed_feed(ln, w, fr, n);
		report("ack_guess", cyc, base, n);
		sg_engine_destroy(e);
	}

	/* Garbage: a bad TCP checksum. */
	for (i = 0; i < n; i++)
		fr[i].b[PKT_ETH_LEN + PKT_IP4_LEN + 16] ^= 0x5a;
	if (want("garbage")) {
		w = engine(&e, SG_COOKIES_AUTO, 1024);
		cyc = timed_feed(ln, w, fr, n);
		report("garbage", cyc, base, n);
		sg_engine_destroy(e);
	}
	return base;
}

/* ---- several workers (--workers W) ------------------------------------- */

/*
 * One engine of W workers; worker i is fed by lane i on its own lcore with
 * a disjoint share of the flows (distinct 4-tuples), so the engine is all
 * they share.  Lane 0 runs on the main lcore, lanes 1.. on worker lcores:
 * the main lcore works rather than waits, so W workers take W lcores and
 * nothing spins on a core a worker needs (on 2 cores, -l 0,1, both run a
 * worker; a waiting main lcore would take a core from one of them).
 * Each scenario runs on 1 worker, then on W, in the same process: the
 * ratio of the two aggregates is the scaling, with whatever load the
 * machine carries common to both.
 *
 * Tables: each worker's are sized to its share (connections: MW_CONNS / W
 * each, the half-open table of syn_stateful: its share of the flows), so
 * 1 and W workers hold the same total.
 */
#define MW_CONNS	65536	/* connections per handshake round, all
				   workers; 2.5 KiB each (bench/sg_memory) */

enum { MW_SYN_COOKIE, MW_SYN_STATEFUL, MW_HANDSHAKE, MW_NSCEN };

static const char *const mw_names[MW_NSCEN] = {
	"syn_cookie", "syn_stateful", "handshake",
};

/* The figures of one worker count. */
struct mw_run {
	unsigned nw;
	double base[SG_MAX_WORKERS];	/* mbuf setup, cycles/pkt, by lane */
	double mpps[MW_NSCEN];		/* all packets / wall clock */
	double cycles[MW_NSCEN][SG_MAX_WORKERS];	/* per packet, by
							   worker, mbuf
							   setup subtracted */
};

/* The start line: lanes launched on worker lcores count themselves in and
 * spin; the main lcore releases them all at once. */
static uint32_t mw_ready;
static uint32_t mw_go;

/* Give lanes [0, nw) the workers' lcores: lane 0 the main lcore, the
 * others a worker lcore and a client pool of their own. */
static void
lanes_init(unsigned nw)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned l = 1, lc;

	lanes[0].ln_lcore = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (l == nw)
			break;
		lanes[l].ln_lcore = lc;
		snprintf(name, sizeof(name), "bench_cli%u", l);
		lanes[l].ln_pool = rte_pktmbuf_pool_create(name, CLI_MBUFS,
			CLI_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			(int)rte_lcore_to_socket_id(lc));
		if (lanes[l].ln_pool == NULL) {
			fprintf(stderr, "sg_bench: client pool of lane %u: "
				"%s\n", l, rte_strerror(rte_errno));
			exit(1);
		}
		l++;
	}
}

/* Split frames[0, n) into nw disjoint shares of whole bursts (the last
 * takes the remainder).  Returns the largest share. */
static unsigned
lanes_share(unsigned nw, const struct frame *fr, unsigned n)
{
	unsigned per = n / nw / BURST * BURST, l;

	for (l = 0; l < nw; l++) {
		lanes[l].ln_fr = fr + l * per;
		lanes[l].ln_n = l + 1 < nw ? per : n - l * per;
	}
	return lanes[nw - 1].ln_n;
}

static void
lane_feed(struct lane *ln)
{
	ln->ln_cycles = feed(ln, ln->ln_w, ln->ln_fr, ln->ln_n);
	ln->ln_end = rte_rdtsc_precise();
}

static int
lane_main(void *arg)
{
	__atomic_fetch_add(&mw_ready, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mw_go, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	lane_feed(arg);
	return 0;
}

/* Feed lanes [0, nw) their frames at once.  Returns the wall clock in TSC
 * cycles from the release to the last lane done (the TSC is one clock on
 * every core: DPDK's timers assume it as well). */
static uint64_t
lanes_run(unsigned nw)
{
	uint64_t t0, end = 0;
	unsigned l;

	__atomic_store_n(&mw_ready, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&mw_go, 0, __ATOMIC_RELAXED);
	for (l = 1; l < nw; l++)
		if (rte_eal_remote_launch(lane_main, &lanes[l],
					  lanes[l].ln_lcore) != 0) {
			fprintf(stderr, "sg_bench: lcore %u busy\n",
				lanes[l].ln_lcore);
			exit(1);
		}
	while (__atomic_load_n(&mw_ready, __ATOMIC_ACQUIRE) != nw - 1)
		rte_pause();
	t0 = rte_rdtsc_precise();
	__atomic_store_n(&mw_go, 1, __ATOMIC_RELEASE);
	lane_feed(&lanes[0]);
	for (l = 1; l < nw; l++)
		rte_eal_wait_lcore(lanes[l].ln_lcore);
	for (l = 0; l < nw; l++)
		end = RTE_MAX(end, lanes[l].ln_end);
	return end - t0;
}

/* An engine of nw workers fed by lanes [0, nw), their clocks started
 * afresh with it. */
static struct sg_engine *
mw_engine(unsigned nw, enum sg_cookie_mode mode, uint32_t synq)
{
	struct sg_engine *e;
	unsigned l;

	e = engine_make(nw, mode, synq, MW_CONNS / nw);
	for (l = 0; l < nw; l++)
		lanes[l].ln_now_us = T0_US;
	return e;
}

/* The mbuf setup alone on each lane, all lanes at once (as they run):
 * the least of MW_BASE_RUNS, as a preempted run would make every figure
 * it is subtracted from look cheaper. */
#define MW_BASE_RUNS	3

static void
mw_baseline(struct mw_run *run, struct frame *fr, unsigned n)
{
	unsigned l, i;

	build_syns(fr, n);
	lanes_share(run->nw, fr, n);
	for (l = 0; l < run->nw; l++) {
		lanes[l].ln_w = NULL;
		run->base[l] = HUGE_VAL;
	}
	for (i = 0; i < MW_BASE_RUNS; i++) {
		(void)lanes_run(run->nw);
		for (l = 0; l < run->nw; l++)
			run->base[l] = RTE_MIN(run->base[l],
				(double)lanes[l].ln_cycles / lanes[l].ln_n);
	}
}

/* Scenario sc's figures from a wall clock and each lane's cycles and
 * packets. */
static void
mw_collect(struct mw_run *run, unsigned sc, uint64_t wall, unsigned n,
	   const uint64_t *cyc, const unsigned *pkts)
{
	unsigned l;

	run->mpps[sc] = (double)n * rte_get_tsc_hz() / (double)wall / 1e6;
	for (l = 0; l < run->nw; l++)
		run->cycles[sc][l] = (double)cyc[l] / pkts[l] - run->base[l];
}

/* syn_cookie or syn_stateful: every worker its share of SYNs at once. */
static void
mw_syn(struct mw_run *run, unsigned sc, struct frame *fr, unsigned n)
{
	enum sg_cookie_mode mode = sc == MW_SYN_COOKIE ? SG_COOKIES_ALWAYS :
							 SG_COOKIES_NEVER;
	uint64_t cyc[SG_MAX_WORKERS], wall;
	unsigned pkts[SG_MAX_WORKERS], most, l;
	struct sg_engine *e;

	build_syns(fr, n);
	most = lanes_share(run->nw, fr, n);
	e = mw_engine(run->nw, mode, mode == SG_COOKIES_NEVER ? most : 1024);
	wall = lanes_run(run->nw);
	for (l = 0; l < run->nw; l++) {
		cyc[l] = lanes[l].ln_cycles;
		pkts[l] = lanes[l].ln_n;
	}
	mw_collect(run, sc, wall, n, cyc, pkts);
	sg_engine_destroy(e);
}

/* After a timed round, untimed: the application accepts every connection
 * and aborts it, and each worker runs the aborts (its command ring), so
 * its table is empty for the next round.  The worker lcores are back in
 * WAIT, so the main lcore may drive their workers. */
static void
mw_drain(struct sg_listener *li, unsigned nw)
{
	struct sg_conn *c[64];
	bool busy = true;
	unsigned k, l;

	while (busy) {
		k = sg_accept_burst(li, c, RTE_DIM(c));
		busy = k != 0;
		while (k != 0)
			if (sg_abort(c[--k]) < 0) {
				fprintf(stderr, "sg_bench: abort refused\n");
				exit(1);
			}
		for (l = 0; l < nw; l++) {
			struct worker *w = lanes[l].ln_w;

			worker_tick(w, lanes[l].ln_now_us);
			busy |= rte_ring_count(w->w_cmd) != 0;
		}
	}
}

/* The completing ACKs of cookie handshakes, in rounds of MW_CONNS
 * connections (what the workers' tables hold), each worker its share of
 * each round.  Only the workers are timed: the accepts and aborts run
 * after each round (mw_drain), so the accept rings hold a whole round and
 * never overflow.  Warns about any handshake that did not complete. */
static void
mw_handshake(struct mw_run *run, struct frame *fr, unsigned n)
{
	unsigned nw = run->nw, round = MW_CONNS / nw / BURST * BURST;
	unsigned len[SG_MAX_WORKERS], got[SG_MAX_WORKERS] = { 0 };
	const struct frame *start[SG_MAX_WORKERS];
	uint64_t cyc[SG_MAX_WORKERS] = { 0 }, wall = 0;
	unsigned done, most, l;
	struct sg_listener *li;
	struct sg_engine *e;
	uint32_t *seq;

	seq = calloc(n, sizeof(*seq));
	if (seq == NULL)
		exit(1);
	build_syns(fr, n);
	most = lanes_share(nw, fr, n);
	e = mw_engine(nw, SG_COOKIES_ALWAYS, 1024);
	li = e->e_listeners.lt_l[0];
	for (l = 0; l < nw; l++) {
		lanes[l].ln_synack = seq;
		start[l] = lanes[l].ln_fr;
		len[l] = lanes[l].ln_n;
	}
	(void)lanes_run(nw);	/* the SYNs, untimed: the cookies */
	for (l = 0; l < nw; l++)
		lanes[l].ln_synack = NULL;
	build_acks(fr, n, seq);
	for (done = 0; done < most; done += round) {
		for (l = 0; l < nw; l++) {
			lanes[l].ln_fr = start[l] + RTE_MIN(done, len[l]);
			lanes[l].ln_n = done < len[l] ?
					RTE_MIN(round, len[l] - done) : 0;
		}
		wall += lanes_run(nw);
		for (l = 0; l < nw; l++) {
			cyc[l] += lanes[l].ln_cycles;
			got[l] += rte_ring_count(li->l_ring[l]);
		}
		mw_drain(li, nw);
	}
	for (l = 0; l < nw; l++)
		if (got[l] != len[l])
			printf("sg_bench: warning: %u worker%s: worker %u "
			       "completed %u of %u handshakes (%" PRIu64
			       " accept queue overflows)\n", nw,
			       nw == 1 ? "" : "s", l, got[l], len[l],
			       lanes[l].ln_w->w_listen_overflow[0]);
	mw_collect(run, MW_HANDSHAKE, wall, n, cyc, len);
	sg_engine_destroy(e);
	free(seq);
}

static void
mw_print(const struct mw_run *run, unsigned sc)
{
	unsigned l;

	printf("%-13s %2u worker%s %7.2f Mpps  cycles/pkt by worker:",
	       mw_names[sc], run->nw, run->nw == 1 ? " " : "s",
	       run->mpps[sc]);
	for (l = 0; l < run->nw; l++)
		printf(" %.1f", run->cycles[sc][l]);
	printf("\n");
}

static void
mw_header(unsigned nw, unsigned n)
{
	unsigned l;

	if (nw > 1)
		printf("== workers: 1, then %u, one engine each", nw);
	else
		printf("== workers: 1, one engine");
	printf("; %u packets per scenario, split between the workers; "
	       "lcores", n);
	for (l = 0; l < nw; l++)
		printf("%s%u", l ? "," : " ", lanes[l].ln_lcore);
	printf(" (worker 0 on the main lcore)\n"
	       "   Mpps: all packets / wall clock from the start barrier to "
	       "the last lcore done,\n"
	       "   mbuf setup included; cycles/pkt: each worker's, its "
	       "lcore's mbuf setup subtracted;\n"
	       "   handshake: the completing ACKs only, the accepts and "
	       "aborts run after timing\n");
}

/* syn_cookie, syn_stateful and handshake on 1 worker, then on nw (when
 * more than 1); runs[] gets the figures.  Returns how many runs. */
static unsigned
run_workers(unsigned nw, struct frame *fr, unsigned n, struct mw_run *runs)
{
	unsigned nruns = nw > 1 ? 2 : 1, r, sc, l;

	lanes_init(nw);
	mw_header(nw, n);
	runs[0].nw = 1;
	runs[1].nw = nw;
	for (r = 0; r < nruns; r++) {
		mw_baseline(&runs[r], fr, n);
		printf("%-13s %2u worker%s  cycles/pkt by lane:",
		       "mbuf_setup", runs[r].nw, runs[r].nw == 1 ? " " : "s");
		for (l = 0; l < runs[r].nw; l++)
			printf(" %.1f", runs[r].base[l]);
		printf("\n");
	}
	for (sc = 0; sc < MW_NSCEN; sc++) {
		for (r = 0; r < nruns; r++) {
			if (sc == MW_HANDSHAKE)
				mw_handshake(&runs[r], fr, n);
			else
				mw_syn(&runs[r], sc, fr, n);
			mw_print(&runs[r], sc);
		}
		if (nruns == 2)
			printf("%-13s scaling: %.2fx (%u workers over 1)\n",
			       mw_names[sc], runs[1].mpps[sc] /
			       runs[0].mpps[sc], nw);
	}
	return nruns;
}

static void
json_doubles(FILE *f, const double *v, unsigned n)
{
	unsigned i;

	fprintf(f, "[");
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.1f", i ? ", " : "", v[i]);
	fprintf(f, "]");
}

/* The "workers" object: by worker count, each scenario's aggregate Mpps
 * and cycles per packet by worker; the scaling when there are two runs. */
static void
json_workers(FILE *f, const struct mw_run *runs, unsigned nruns)
{
	unsigned r, sc, l;

	fprintf(f, ", \"workers\": {\"n\": %u, \"lcores\": [",
		runs[nruns - 1].nw);
	for (l = 0; l < runs[nruns - 1].nw; l++)
		fprintf(f, "%s%u", l ? ", " : "", lanes[l].ln_lcore);
	fprintf(f, "], \"worker0_on_main_lcore\": true, "
		"\"handshake_accepts\": \"after_timing\", \"runs\": {");
	for (r = 0; r < nruns; r++) {
		fprintf(f, "%s\"%u\": {\"mbuf_setup_cycles\": ", r ? ", " : "",
			runs[r].nw);
		json_doubles(f, runs[r].base, runs[r].nw);
		fprintf(f, ", \"scenarios\": {");
		for (sc = 0; sc < MW_NSCEN; sc++) {
			fprintf(f, "%s\"%s\": {\"mpps_aggregate\": %.3f, "
				"\"cycles_per_pkt\": ", sc ? ", " : "",
				mw_names[sc], runs[r].mpps[sc]);
			json_doubles(f, runs[r].cycles[sc], runs[r].nw);
			fprintf(f, "}");
		}
		fprintf(f, "}}");
	}
	fprintf(f, "}");
	if (nruns == 2) {
		fprintf(f, ", \"scaling\": {");
		for (sc = 0; sc < MW_NSCEN; sc++)
			fprintf(f, "%s\"%s\": %.3f", sc ? ", " : "",
				mw_names[sc], runs[1].mpps[sc] /
				runs[0].mpps[sc]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

static int
write_json(const char *path, unsigned n, uint64_t base,
	   const struct mw_run *runs, unsigned nruns)
{
	unsigned i;
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "{\"tsc_hz\": %" PRIu64 ", \"packets\": %u, "
		"\"mbuf_setup_cycles\": %.1f, \"scenarios\": {",
		rte_get_tsc_hz(), n, (double)base / n);
	for (i = 0; i < nresults; i++)
		fprintf(f, "%s\"%s\": {\"cycles_per_pkt\": %.1f, "
			"\"mpps_per_core\": %.3f}", i ? ", " : "",
			results[i].name, results[i].cycles,
			rte_get_tsc_hz() / results[i].cycles / 1e6);
	fprintf(f, "}");
	if (nruns != 0)
		json_workers(f, runs, nruns);
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -1;
}

struct opts {
	unsigned o_packets;
	unsigned o_workers;		/* 0: the single-worker suite only */
	const char *o_json;
};

/* Returns 0, or the exit status for a bad command line. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "packets", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ "workers", required_argument, NULL, 'w' },
		{ "only", required_argument, NULL, 'o' },
		{ "perf-ctl", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned most = RTE_MIN(rte_lcore_count(), (unsigned)SG_MAX_WORKERS);
	unsigned long v;
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'n') {
			o->o_packets = (unsigned)strtoul(optarg, NULL, 10) &
				       ~(BURST - 1u);
		} else if (ch == 'j') {
			o->o_json = optarg;
		} else if (ch == 'o') {
			static const char *const names[] = {
				"syn_cookie", "syn_cookie_nic",
				"syn_stateful", "handshake", "ack_flood",
				"ack_guess", "garbage",
			};
			unsigned k;

			for (k = 0; k < RTE_DIM(names); k++)
				if (strcmp(optarg, names[k]) == 0)
					only = names[k];
			if (only == NULL) {
				fprintf(stderr, "sg_bench: --only %s: accepted "
					"syn_cookie, syn_cookie_nic, "
					"syn_stateful, handshake, ack_flood, "
					"ack_guess, garbage\n", optarg);
				return 2;
			}
		} else if (ch == 'p') {
			char ctl[256], *comma = strchr(optarg, ',');

			if (comma == NULL || comma == optarg ||
			    comma[1] == '\0' ||
			    (size_t)(comma - optarg) >= sizeof(ctl)) {
				fprintf(stderr, "sg_bench: --perf-ctl %s: "
					"accepted CTL,ACK (perf's control "
					"and acknowledgement FIFOs)\n", optarg);
				return 2;
			}
			memcpy(ctl, optarg, (size_t)(comma - optarg));
			ctl[comma - optarg] = '\0';
			perf_ctl_f = fopen(ctl, "w");
			perf_ack_f = fopen(comma + 1, "r");
			if (perf_ctl_f == NULL || perf_ack_f == NULL) {
				fprintf(stderr, "sg_bench: --perf-ctl %s: "
					"cannot open: %s\n", optarg,
					strerror(errno));
				return 2;
			}
		} else if (ch == 'w') {
			v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > most) {
				fprintf(stderr, "sg_bench: --workers %s: "
					"accepted 1..%u (the EAL lcores)\n",
					optarg, most);
				return 2;
			}
			o->o_workers = (unsigned)v;
		} else {
			return 2;
		}
	}
	if (o->o_packets < BURST || o->o_packets > (1u << 22)) {
		fprintf(stderr, "sg_bench: --packets: 32..4194304\n");
		return 2;
	}
	if (o->o_packets < o->o_workers * BURST) {
		fprintf(stderr, "sg_bench: --packets: at least %u with "
			"--workers %u (a burst per worker)\n",
			o->o_workers * BURST, o->o_workers);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .o_packets = 1u << 20 };
	struct mw_run runs[2];
	unsigned nruns = 0, n;
	struct frame *fr;
	uint64_t base;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	ret = parse_args(argc - ret, argv + ret, &o);
	if (ret != 0)
		return ret;
	n = nflows = o.o_packets;
	lanes[0].ln_pool = rte_pktmbuf_pool_create("bench_cli", CLI_MBUFS,
		CLI_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	lanes[0].ln_now_us = T0_US;
	fr = calloc(n, sizeof(*fr));
	if (lanes[0].ln_pool == NULL || fr == NULL)
		return 1;
	printf("sg_bench: TSC %.3f GHz, %u packets per scenario, bursts of "
	       "%u, software checksums\n", rte_get_tsc_hz() / 1e9, n, BURST);
	base = run_single(fr, n);
	if (o.o_workers != 0 && only == NULL)
		nruns = run_workers(o.o_workers, fr, n, runs);
	if (o.o_json != NULL && write_json(o.o_json, n, base, runs, nruns) < 0)
		return 1;
	free(fr);
	rte_eal_cleanup();
	return 0;
}
