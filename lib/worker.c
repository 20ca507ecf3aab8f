/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: one poll-mode lcore, share-nothing.
 *
 * Per burst: parse every frame (pkt_parse), answer ARP / ICMP echo / ND in
 * place, hash the TCP 4-tuples, look them all up in one bulk call per
 * family with prefetching, then dispatch each segment:
 *
 *   no flow             -> hs_listen_input (handshake.c)
 *   half-open entry     -> hs_synq_input (handshake.c)
 *   connection          -> conn_segment (conn_rx.c)
 *
 * Then, every poll: expired timers (SYN-ACK retransmission, connection
 * deadlines), the application's commands, flood-state upkeep, TX flush.
 * Idle polls back off from rte_pause() to sleeps (idle_sleep_us).
 *
 * Replies go to the L2 source of the frame they answer.  No locks; the
 * only atomic operations are on the rings shared with application threads
 * (accept: single-producer enqueue; commands: single-consumer dequeue),
 * once per connection, not per packet, and the seqlock read of the
 * engine's run-time state, once per poll.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "conn.h"
#include "handshake.h"
#include "invariant.h"
#include "keys.h"
#include "tx.h"
#include "worker.h"

/* ---- receive ----------------------------------------------------------- */

static inline unsigned
rx_cksum_flags(const struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags;
	unsigned ck = 0;

	switch (f & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:
		ck |= PKT_CK_IP_GOOD;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		ck |= PKT_CK_IP_BAD;
		break;
	}
	switch (f & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE:
		ck |= PKT_CK_L4_GOOD;
		break;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		ck |= PKT_CK_L4_BAD;
		break;
	}
	return ck;
}

static inline bool
ours4(const struct worker *w, uint32_t a)
{
	unsigned i;

	for (i = 0; i < w->w_naddr4; i++)
		if (w->w_addr4[i] == a)
			return true;
	return false;
}

static inline bool
ours6(const struct worker *w, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < w->w_naddr6; i++)
		if (memcmp(w->w_addr6[i], a, 16) == 0)
			return true;
	return false;
}

/* Is the destination of an IP packet pkt_parse accepted one of ours? */
static inline bool
ours(const struct worker *w, const struct pkt_info *in)
{
	return in->family == 6 ? ours6(w, in->flow6.laddr) :
				 ours4(w, in->flow.laddr);
}

/* Answer a neighbour solicitation for one of our IPv6 addresses. */
static void
nd_input(struct worker *w, unsigned pi, struct rte_mbuf *m,
	 const struct pkt_info *in)
{
	struct worker_port *p = &w->w_ports[pi];

	if (!ours6(w, in->flow6.laddr)) {
		worker_drop(w, m, SG_DROP_ND_NOT_OURS);
		return;
	}
	if ((uint32_t)(m->buf_len - m->data_off) < PKT_ND_NA_LEN) {
		worker_drop(w, m, SG_DROP_NO_MBUF);
		return;
	}
	/* An NS without a source link-layer option (DAD among them) is 8
	 * bytes shorter than our answer: those answers come out of the
	 * reply budget, so a flood of them is not amplified.  The IPv6
	 * length decides, not the frame's: padding is not a request. */
	if (in->l3_end - in->l3_off < PKT_ND_NA_LEN - PKT_ETH_LEN &&
	    !tx_reply_allowed(w)) {
		w->w_stats.rst_ratelimited++;
		rte_pktmbuf_free(m);
		return;
	}
	tx_frame(w, pi, m, pkt_nd_na_reply(rte_pktmbuf_mtod(m, uint8_t *), in,
					   p->wp_mac.addr_bytes));
	w->w_stats.nd_replies++;
}

/* Bulk lookups of the TCP segments of one family: idx[0..n) index the
 * burst arrays. */
static void
lookup_family(struct worker *w, unsigned family, const struct pkt_info *info,
	      const uint32_t *sig, const uint8_t *idx, unsigned n, void **hit)
{
	const void *keys[WORKER_BURST];
	uint32_t s[WORKER_BURST];
	void *h[WORKER_BURST];
	unsigned i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		keys[i] = pkt_flow_key(&info[idx[i]]);
		s[i] = sig[idx[i]];
	}
	flow_lookup_bulk(worker_ft(w, family), keys, s, n, h);
	for (i = 0; i < n; i++)
		hit[idx[i]] = h[i];
}

void
worker_rx(struct worker *w, unsigned pi, struct rte_mbuf **pkts, unsigned n)
{
	struct worker_port *p = &w->w_ports[pi];
	struct pkt_info info[WORKER_BURST];
	uint8_t idx4[WORKER_BURST], idx6[WORKER_BURST];
	uint32_t sig[WORKER_BURST];
	void *hit[WORKER_BURST];
	struct rte_mbuf *seg[WORKER_BURST];
	enum sg_drop why = SG_DROP_SHORT_FRAME;
	unsigned i, nt = 0, n4 = 0, n6 = 0;
	uint64_t bytes = 0;

	/* Pass 1: parse, answer ARP / ICMP / ND, hash the TCP flows. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
		struct pkt_info *in = &info[nt];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		bytes += m->pkt_len;
		switch (pkt_parse(frame, m->data_len, rx_cksum_flags(m), in,
				  &why)) {
		case PKT_DROP:
			worker_drop(w, m, why);
			break;
		case PKT_ARP:
			if (!ours4(w, in->flow.laddr)) {
				worker_drop(w, m, SG_DROP_ARP_NOT_OURS);
				break;
			}
			tx_frame(w, pi, m, pkt_arp_reply(frame,
						p->wp_mac.addr_bytes));
			w->w_stats.arp_replies++;
			break;
		case PKT_ND_NS:
			nd_input(w, pi, m, in);
			break;
		case PKT_ICMP_ECHO:
			if (!ours(w, in)) {
				worker_drop(w, m, SG_DROP_IP_NOT_OURS);
				break;
			}
			tx_frame(w, pi, m, pkt_icmp_echo_reply(frame, in));
			w->w_stats.icmp_replies++;
			break;
		case PKT_TCP:
			if (!ours(w, in)) {
				worker_drop(w, m, SG_DROP_IP_NOT_OURS);
				break;
			}
			sig[nt] = flow_hash(worker_ft(w, in->family),
					    pkt_flow_key(in));
			if (in->family == 6)
				idx6[n6++] = (uint8_t)nt;
			else
				idx4[n4++] = (uint8_t)nt;
			seg[nt] = m;
			nt++;
			break;
		}
	}
	w->w_stats.rx_pkts += n;		/* counted once a burst */
	w->w_stats.rx_bytes += bytes;
	if (nt == 0)
		return;

	/* Pass 2: one bulk lookup per family (the flow table prefetches
	 * the burst's buckets first), then prefetch the entries found. */
	lookup_family(w, 4, info, sig, idx4, n4, hit);
	lookup_family(w, 6, info, sig, idx6, n6, hit);
	for (i = 0; i < nt; i++)
		if (hit[i] != NULL)
			rte_prefetch0(synq_untag(hit[i]));

	/* Pass 3: the state machine.  A segment whose flow changed since
	 * pass 2 (flow.h: the change log) is looked up again. */
	flow_log_reset(worker_ft(w, 4));
	flow_log_reset(worker_ft(w, 6));
	for (i = 0; i < nt; i++) {
		struct flow_table *ft = worker_ft(w, info[i].family);
		void *h = hit[i];

		if (ft->ft_log_n != 0 && flow_log_seen(ft, sig[i]))
			h = flow_lookup(ft, pkt_flow_key(&info[i]), sig[i]);
		SG_VERIFY(h == NULL || flow_value_is(w, h, ft,
						     pkt_flow_key(&info[i])),
			  "flow_value_live", "flow table of worker %u maps a "
			  "segment to %p, which is not a live entry or "
			  "connection of its flow", w->w_id, h);
		if (h == NULL)
			hs_listen_input(w, pi, seg[i], &info[i], sig[i]);
		else if (flow_is_synq(h))
			hs_synq_input(w, pi, seg[i], &info[i], sig[i],
				   synq_untag(h));
		else if (!conn_segment(w, h, seg[i], &info[i]))
			/* TIME-WAIT gave way to a new SYN. */
			hs_listen_input(w, pi, seg[i], &info[i], sig[i]);
	}
}

/* The key a flow-table value holds: a half-open entry's or a
 * connection's 4-tuple (the table stores none). */
static const void *
worker_flow_key(const void *ctx, const void *value)
{
	const struct worker *w = ctx;

	if (flow_is_synq(value))
		return synq_key(&w->w_synq,
				synq_untag((void *)(uintptr_t)value));
	return conn_key(value);
}

/* ---- invariants --------------------------------------------------------- */

bool
flow_value_live(const struct worker *w, void *h)
{
	if (flow_is_synq(h)) {
		const struct synq_entry *e = synq_untag(h);
		const struct synq *q = &w->w_synq;

		return e >= q->sq_entries && e < q->sq_entries + q->sq_cap &&
		       e->se_live;
	} else {
		const struct sg_conn *c = h;

		return (c->c_gen & 1) && c->c_owner == w &&
		       !(c->c_flags & CF_UNMAPPED);
	}
}

bool
flow_value_is(const struct worker *w, void *h, const struct flow_table *ft,
	      const void *key)
{
	const void *own;

	if (!flow_value_live(w, h))
		return false;
	own = flow_is_synq(h) ? synq_key(&w->w_synq, synq_untag(h)) :
				conn_key((const struct sg_conn *)h);
	return memcmp(own, key, ft->ft_key_len) == 0;
}

/* Every value of one flow table: live, and mapped under its own key. */
static int
audit_table(const struct worker *w, const struct flow_table *ft,
	    unsigned family, uint32_t *synq, uint32_t *conns,
	    uint32_t *orphans)
{
	void *data;
	uint32_t it = 0;

	while ((data = flow_iterate(ft, &it)) != NULL) {
		const void *own;

		if (!flow_value_live(w, data))
			return -EINVAL;
		if (flow_is_synq(data)) {
			const struct synq_entry *e = synq_untag(data);

			own = synq_key(&w->w_synq, e);
			if (synq_entry_family(e) != family)
				return -EINVAL;
			(*synq)++;
		} else {
			const struct sg_conn *c = data;

			own = conn_key(c);
			if (c->c_family != family)
				return -EINVAL;
			(*conns)++;
			*orphans += (c->c_flags & CF_ORPHAN) != 0;
		}
		/* Found under its own key, in a bucket its hash names. */
		if (flow_lookup(ft, own, flow_hash(ft, own)) != data)
			return -EINVAL;
	}
	return 0;
}

int
worker_audit(const struct worker *w)
{
	uint32_t synq = 0, conns = 0, orphans = 0;

	if (audit_table(w, &w->w_flows, 4, &synq, &conns, &orphans) < 0 ||
	    audit_table(w, &w->w_flows6, 6, &synq, &conns, &orphans) < 0)
		return -EINVAL;
	/* Every half-open entry is mapped; connections are mapped until
	 * CLOSED and held by the pool until freed; orphans are mapped. */
	if (synq != synq_used(&w->w_synq) || conns > w->w_conns_used ||
	    orphans != w->w_orphans ||
	    worker_conns_out(w) != w->w_conns_used)
		return -EINVAL;
	return 0;
}

/* ---- timers, commands, the loop ---------------------------------------- */

static void
run_timers(struct worker *w)
{
	struct timer_node *ex[WORKER_TIMER_BATCH];
	unsigned n, i, rounds;

	for (rounds = 0; rounds < 4; rounds++) {
		n = timer_advance(w->w_wheel, w->w_now_ms, ex,
				  WORKER_TIMER_BATCH);
		for (i = 0; i < n; i++) {
			if (ex[i]->tn_kind == TK_SYNACK)
				hs_synack_timeout(w, container_of(ex[i],
					struct synq_entry, se_timer));
			else if (ex[i]->tn_kind == TK_CONN)
				conn_timeout(w, container_of(ex[i],
					struct sg_conn, c_timer));
		}
		if (n < WORKER_TIMER_BATCH)
			break;
	}
}

#define CMD_AHEAD	4

static void
run_commands(struct worker *w)
{
	struct conn_ref ref[WORKER_CMD_BATCH];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst_elem(w->w_cmd, ref, sizeof(ref[0]),
					   WORKER_CMD_BATCH, NULL);
	/* The connections were last touched by the application or long
	 * ago: their lines are loaded CMD_AHEAD commands ahead, the flow
	 * bucket a close clears one ahead (its hash read from lines
	 * loaded before). */
	for (i = 0; i < n && i < CMD_AHEAD; i++)
		conn_prefetch(ref[i].conn);
	for (i = 0; i < n; i++) {
		struct sg_conn *c = ref[i].conn;

		if (i + CMD_AHEAD < n)
			conn_prefetch(ref[i + CMD_AHEAD].conn);
		if (i + 1 < n) {
			const struct sg_conn *nx = ref[i + 1].conn;

			flow_prefetch(worker_ft(w, nx->c_family), nx->c_sig);
		}

		/* A command is only posted while the application holds the
		 * connection, and taken before it is freed: one for a life
		 * that ended is a bug somewhere; never act on it. */
		SG_VERIFY(c->c_owner == w && ref[i].gen == c->c_gen,
			  "cmd_current_gen", "conn %p owner %u (worker %u) "
			  "queued gen %u, now %u, state %s", (void *)c,
			  c->c_worker, w->w_id, ref[i].gen, c->c_gen,
			  conn_state_name(c->c_state));
		if (c->c_owner != w || ref[i].gen != c->c_gen) {
			w->w_stats.stale_refs++;
			continue;
		}
		conn_command(w, c);
	}
}

/* The engine's keys and run-time parameters, when they changed: one
 * consistent copy per poll, so that one SYN sees one policy. */
static void
refresh_shared(struct worker *w)
{
	struct sg_engine *e = w->w_engine;
	uint32_t sn = rte_seqlock_read_begin(&e->e_rt_lock);
	struct cookie_keys k;
	struct sg_params p;

	if (sn == w->w_rt_seq)
		return;
	k = e->e_ckeys;
	p = e->e_params;
	if (rte_seqlock_read_retry(&e->e_rt_lock, sn))
		return;		/* being written: next poll */
	w->w_ckeys = k;
	w->w_params = p;
	w->w_rt_seq = sn;
}

int
worker_reserve_port(struct worker *w, uint32_t rx_desc, uint32_t tx_desc)
{
	int64_t need = (int64_t)rx_desc + tx_desc + WORKER_TX_BUF;

	/* Keep at least a few hundred credits for connection data. */
	if (w->w_budget.b_total - need < 8 * BUDGET_BATCH)
		return -ENOBUFS;
	w->w_budget.b_total -= need;
	w->w_budget.b_shared -= need;
	w->w_credit_low = (uint32_t)RTE_MAX(w->w_budget.b_total / 16,
					    (int64_t)4 * BUDGET_BATCH);
	return 0;
}

int
worker_attach_sink(struct worker *w, const uint8_t mac[6],
		   worker_sink_t sink, void *ctx)
{
	struct worker_port *p;

	if (w->w_nports == SG_MAX_PORTS)
		return -ENOSPC;
	if (worker_reserve_port(w, 0, 0) < 0)
		return -ENOBUFS;
	p = &w->w_ports[w->w_nports++];
	memset(p, 0, sizeof(*p));
	memcpy(p->wp_mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	p->wp_sink = sink;
	p->wp_sink_ctx = ctx;
	return 0;
}

int
worker_sink_tx_offload(struct worker *w, unsigned pi, bool on)
{
	if (pi >= w->w_nports || w->w_ports[pi].wp_sink == NULL)
		return -EINVAL;
	w->w_ports[pi].wp_ck_off = on;
	return 0;
}

static void
clock_set(struct worker *w, uint64_t now_us)
{
	w->w_now_us = now_us;
	w->w_now_ms = (uint32_t)(now_us / 1000);
	w->w_now_sec = w->w_unix_base + now_us / 1000000;
	if (w->w_id == 0)
		keys_tick(w->w_engine, w->w_now_sec);
	refresh_shared(w);
}

/* Credits came back (budget.h): wake senders that found none, a few per
 * poll, while there is room for them. */
static void
wake_budget_waiters(struct worker *w)
{
	unsigned i;

	for (i = 0; i < 16 && !TAILQ_EMPTY(&w->w_budget_waiters) &&
		    budget_free(&w->w_budget, w->w_credit_cache) >=
		    2 * BUDGET_BATCH; i++) {
		struct sg_conn *c = TAILQ_FIRST(&w->w_budget_waiters);

		TAILQ_REMOVE(&w->w_budget_waiters, c, c_bw_link);
		c->c_flags &= ~CF_BUDGET_WAIT;
		if (__atomic_exchange_n(&c->c_want_write, 0, __ATOMIC_ACQ_REL))
			conn_post(c, SG_EV_WRITABLE);
	}
}

/* An asserts build checks the flow tables' bookkeeping against what they
 * hold once a second (flow_check rehashes every key: about a millisecond
 * at the default sizes): a displaced count one short would lose a key
 * silently at its next miss. */
static void
check_flows(struct worker *w)
{
#if SG_ASSERTS_ON
	int r4, r6 = 0;

	if (w->w_now_sec == w->w_flows_checked_sec)
		return;
	w->w_flows_checked_sec = w->w_now_sec;
	r4 = flow_check(&w->w_flows);
	if (w->w_naddr6 != 0)
		r6 = flow_check(&w->w_flows6);
	SG_VERIFY((r4 == 0 || r4 == -ENOMEM) && (r6 == 0 || r6 == -ENOMEM),
		  "flow_table_consistent", "worker %u: flow_check %d (IPv4), "
		  "%d (IPv6)", w->w_id, r4, r6);
#else
	RTE_SET_USED(w);
#endif
}

/* What follows receiving in every poll. */
static void
after_rx(struct worker *w)
{
	check_flows(w);
	run_timers(w);
	run_commands(w);
	if (!TAILQ_EMPTY(&w->w_budget_waiters))
		wake_budget_waiters(w);
	hs_poll_end(w);
	tx_flush(w);
}

void
worker_tick(struct worker *w, uint64_t now_us)
{
	clock_set(w, now_us);
	after_rx(w);
}

unsigned
worker_poll(struct worker *w, uint64_t now_us)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	unsigned i, n, total = 0;

	clock_set(w, now_us);
	for (i = 0; i < w->w_nports; i++) {
		struct worker_port *p = &w->w_ports[i];

		if (p->wp_sink != NULL)
			continue;
		n = rte_eth_rx_burst(p->wp_port, p->wp_queue, pkts,
				     WORKER_BURST);
		if (n != 0)
			worker_rx(w, i, pkts, n);
		total += n;
	}
	after_rx(w);
	return total;
}

static void
idle(struct worker *w)
{
	uint32_t max = worker_params(w)->idle_sleep_us;
	struct timespec ts;

	w->w_idle_polls++;
	if (w->w_idle_polls < WORKER_IDLE_PAUSE_POLLS)
		return;
	if (max == 0 || w->w_idle_polls < WORKER_IDLE_SLEEP_POLLS) {
		rte_pause();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->w_idle_sleep_us * 1000;
	nanosleep(&ts, NULL);
	w->w_idle_sleep_us = RTE_MIN(w->w_idle_sleep_us * 2, max);
}

int
sg_worker_main(void *arg)
{
	struct worker *w = arg;
	struct sg_engine *e = w->w_engine;

	while (!__atomic_load_n(&e->e_stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = rte_rdtsc();

		if (worker_poll(w, engine_now_us(e)) != 0) {
			/* Work done, not time spun: the cost per packet is
			 * busy_cycles over packets (like DPDK's lcore busy
			 * telemetry). */
			w->w_stats.busy_cycles += rte_rdtsc() - t0;
			w->w_idle_polls = 0;
			w->w_idle_sleep_us = 1;
		} else {
			idle(w);
		}
	}
	return 0;
}

/* ---- setup ------------------------------------------------------------- */

/* Each connection object carries its two rings, set up once here. */
static void
conn_obj_init_cb(struct rte_mempool *mp, void *arg, void *obj, unsigned i)
{
	(void)mp;
	(void)arg;
	(void)i;
	conn_obj_init(obj);
}

/*
 * rte_pktmbuf_pool_create, but packed: a pool that needs IOVA-contiguous
 * objects is laid out so that no object crosses a page, and without
 * hugepages a page is 4 KiB, so every 2.3 KiB mbuf took a page of its own
 * (67 MB of resident memory for the default 16383, measured with
 * /eal/memzone_info).  When IOVA is the virtual address, virtually
 * contiguous is IOVA-contiguous, so contiguity per object need not be
 * asked for.  With physical IOVAs the pool is created as DPDK would.
 */
static struct rte_mempool *
mbuf_pool_create(const char *name, unsigned n, unsigned cache,
		 uint16_t data_room, int socket)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
		.mbuf_priv_size = 0,
	};
	unsigned flags = rte_eal_iova_mode() == RTE_IOVA_VA ?
			 RTE_MEMPOOL_F_NO_IOVA_CONTIG : 0;
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n,
				      sizeof(struct rte_mbuf) + data_room,
				      cache, sizeof(priv), socket, flags);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
				       NULL) != 0)
		goto fail;
	rte_pktmbuf_pool_init(mp, &priv);
	if (rte_mempool_populate_default(mp) < 0)
		goto fail;
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
fail:
	rte_mempool_free(mp);
	return NULL;
}

/* One mbuf carries a whole frame: a full segment of --mss bytes with the
 * largest headers we write (the port's MTU must match, the daemon
 * checks), and at least the default 2 KiB (NICs that size RX buffers in
 * 1 KiB steps would otherwise scatter a full-size frame over two). */
static uint16_t
seg_room(const struct sg_params *pp)
{
	return (uint16_t)RTE_MAX((unsigned)RTE_MBUF_DEFAULT_DATAROOM,
				 (unsigned)pp->mss + PKT_TCP_MAX_HDR);
}

static unsigned
mbuf_cache(const struct sg_params *pp)
{
	return RTE_MIN(256u, pp->mbufs / 8);
}

/*
 * The connection pool is a stack (DPDK's "stack" mempool driver) behind
 * a cache the worker owns (rte_mempool_cache_create): a connection is
 * made from the one freed last, whose lines are still in the CPU's
 * caches.  A ring hands objects out oldest first, so every new
 * connection was a walk through cold memory (all conn_max objects,
 * 58 MiB at 65536).  The stack takes a lock per call, a locked
 * instruction that waits for every store before it; the cache takes it
 * once per WORKER_CONN_CACHE objects.  The worker's own cache, not the
 * pool's per-lcore ones: those are RTE_MAX_LCORE caches, 1 MiB of heap
 * per worker, for the one lcore that ever gets and puts here
 * (docs/benchmarks.md).  Without the stack driver (a DPDK built without
 * it) the ring is used.  Objects are never DMA'd: they may cross page
 * boundaries (with 4 KiB pages a 2.2 KiB object would otherwise take a
 * page of its own).
 */
static int
conn_pool_create(struct worker *w, const char *name,
		 const struct sg_params *pp, int socket)
{
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, pp->conn_max, conn_obj_size(),
				      0, 0, socket,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return -ENOMEM;
	if (rte_mempool_set_ops_byname(mp, "stack", NULL) != 0 &&
	    rte_mempool_set_ops_byname(mp, "ring_sp_sc", NULL) != 0)
		goto fail;
	if (rte_mempool_populate_default(mp) < 0)
		goto fail;
	rte_mempool_obj_iter(mp, conn_obj_init_cb, NULL);
	w->w_conn_cache = rte_mempool_cache_create(WORKER_CONN_CACHE, socket);
	if (w->w_conn_cache == NULL)
		goto fail;
	w->w_conns = mp;
	return 0;
fail:
	rte_mempool_free(mp);
	return -ENOMEM;
}

static void
conn_pool_free(struct worker *w)
{
	rte_mempool_cache_flush(w->w_conn_cache, w->w_conns);
	rte_mempool_cache_free(w->w_conn_cache);
	rte_mempool_free(w->w_conns);
}

unsigned
worker_conns_out(const struct worker *w)
{
	return rte_mempool_in_use_count(w->w_conns) - w->w_conn_cache->len;
}

/* What the DPDK heap gives an allocation of len bytes beyond len: the
 * element header and alignment; a ring or mempool also has a tailq
 * entry; a mempool's object area a page of rounding. */
#define HEAP_SLACK	(2 * RTE_CACHE_LINE_SIZE)
#define TAILQ_SLACK	(4 * RTE_CACHE_LINE_SIZE)
#define HEAP_PAGE	4096

/* Bytes of a mempool of n objects of elt bytes (cache: per-lcore cache
 * size), as rte_mempool_create_empty, its ring ops (the stack driver's
 * array of n pointers is smaller: counted as a ring) and
 * rte_mempool_populate_default allocate them when objects need not be
 * IOVA-contiguous or pages are large (with physical IOVAs and 4 KiB pages
 * an object may take a page to itself: not counted). */
static size_t
mempool_mem_size(unsigned n, size_t elt, unsigned cache, size_t priv,
		 unsigned flags)
{
	struct rte_mempool_objsz sz;
	size_t hdr, objs;

	rte_mempool_calc_obj_size((uint32_t)elt, flags, &sz);
	hdr = sizeof(struct rte_mempool) +
	      (cache != 0 ? RTE_MAX_LCORE * sizeof(struct rte_mempool_cache) :
	       0) + RTE_CACHE_LINE_ROUNDUP(priv);
	objs = (size_t)n * sz.total_size;
	return hdr + HEAP_SLACK + TAILQ_SLACK +
	       (size_t)rte_ring_get_memsize(rte_align32pow2(n + 1)) +
	       HEAP_SLACK + TAILQ_SLACK + objs + objs / 64 + HEAP_PAGE +
	       HEAP_SLACK;
}

size_t
worker_mem_size(const struct sg_params *pp)
{
	bool v6 = false;
	size_t sz;
	unsigned i;

	for (i = 0; i < pp->n_addrs; i++)
		v6 |= pp->addrs[i].family == 6;
	sz = sizeof(struct worker) + HEAP_SLACK;
	sz += (flow_table_mem_size(2 * (pp->synq_size + pp->conn_max)) +
	       HEAP_SLACK) * (v6 ? 2 : 1);
	sz += synq_mem_size(pp->synq_size, v6) + (v6 ? 3 : 2) * HEAP_SLACK;
	sz += sizeof(struct timer_wheel) + HEAP_SLACK;
	sz += mempool_mem_size(pp->mbufs, sizeof(struct rte_mbuf) +
			       seg_room(pp) + RTE_PKTMBUF_HEADROOM,
			       mbuf_cache(pp),
			       sizeof(struct rte_pktmbuf_pool_private),
			       RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	sz += mempool_mem_size(pp->conn_max, conn_obj_size(), 0, 0,
			       RTE_MEMPOOL_F_NO_IOVA_CONTIG) +
	      sizeof(struct rte_mempool_cache) + HEAP_SLACK;
	sz += (size_t)rte_ring_get_memsize_elem(sizeof(struct conn_ref),
			rte_align32pow2(pp->conn_max + 1)) + HEAP_SLACK +
	      TAILQ_SLACK;
	return sz;
}

int
worker_init(struct worker *w, struct sg_engine *e, unsigned id, int socket)
{
	const struct sg_params *pp = &e->e_params;
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned i;
	int ret;

	w->w_engine = e;
	w->w_id = id;
	w->w_socket = socket;
	w->w_unix_base = e->e_unix_base;

	for (i = 0; i < pp->n_addrs; i++) {
		if (pp->addrs[i].family == 6)
			memcpy(w->w_addr6[w->w_naddr6++], pp->addrs[i].bytes,
			       16);
		else
			memcpy(&w->w_addr4[w->w_naddr4++],
			       pp->addrs[i].bytes, 4);
	}
	snprintf(name, sizeof(name), "sg%u_flows_%u", e->e_id, id);
	ret = flow_table_init(&w->w_flows, name,
			      2 * (pp->synq_size + pp->conn_max), 4, socket,
			      worker_flow_key, w);
	if (ret < 0)
		return ret;
	if (w->w_naddr6 != 0) {
		snprintf(name, sizeof(name), "sg%u_flows6_%u", e->e_id, id);
		ret = flow_table_init(&w->w_flows6, name,
				      2 * (pp->synq_size + pp->conn_max), 6,
				      socket, worker_flow_key, w);
		if (ret < 0)
			goto err_flows;
	}
	ret = synq_init(&w->w_synq, pp->synq_size, w->w_naddr6 != 0, socket);
	if (ret < 0)
		goto err_flows6;
	ret = -ENOMEM;
	w->w_wheel = rte_zmalloc_socket("sg_wheel", sizeof(*w->w_wheel),
					RTE_CACHE_LINE_SIZE, socket);
	if (w->w_wheel == NULL)
		goto err_synq;
	timer_wheel_init(w->w_wheel, 0);
	snprintf(name, sizeof(name), "sg%u_mbufs_%u", e->e_id, id);
	w->w_seg_room = seg_room(pp);
	w->w_mbufs = mbuf_pool_create(name, pp->mbufs, mbuf_cache(pp),
		(uint16_t)(w->w_seg_room + RTE_PKTMBUF_HEADROOM), socket);
	if (w->w_mbufs == NULL)
		goto err_wheel;
	snprintf(name, sizeof(name), "sg%u_conns_%u", e->e_id, id);
	if (conn_pool_create(w, name, pp, socket) < 0)
		goto err_mbufs;
	snprintf(name, sizeof(name), "sg%u_cmd_%u", e->e_id, id);
	w->w_cmd = rte_ring_create_elem(name, sizeof(struct conn_ref),
					pp->conn_max, socket,
					RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (w->w_cmd == NULL)
		goto err_conns;

	/* Connection data may take the pool less its cache (which can hold
	 * 1.5 times its size) and a margin for replies; each port's
	 * descriptors and TX buffer are taken off as it is attached. */
	w->w_budget.b_total = (int64_t)pp->mbufs -
		3 * (int64_t)RTE_MIN(256u, pp->mbufs / 8) / 2 -
		WORKER_REPLY_MARGIN;
	w->w_budget.b_shared = w->w_budget.b_total;
	w->w_credit_low = (uint32_t)RTE_MAX(w->w_budget.b_total / 16,
					    (int64_t)4 * BUDGET_BATCH);
	TAILQ_INIT(&w->w_budget_waiters);
	TAILQ_INIT(&w->w_tw_list);
	/* A quarter of the table may be closing connections nobody holds;
	 * more are reset (they pin mbufs and slots for up to their retries
	 * or 2 MSL). */
	w->w_orphans_max = RTE_MAX(pp->conn_max / 4, 1u);
	w->w_synq_high = pp->synq_size - pp->synq_size / 8;
	w->w_synq_low = pp->synq_size / 2;
	w->w_rst_tokens = ((uint64_t)pp->rst_rate / 10 + 1) * 1000;
	w->w_idle_sleep_us = 1;
	w->w_rt_seq = rte_seqlock_read_begin(&e->e_rt_lock);
	w->w_ckeys = e->e_ckeys;
	w->w_params = e->e_params;
	return 0;

err_conns:
	conn_pool_free(w);
err_mbufs:
	rte_mempool_free(w->w_mbufs);
err_wheel:
	rte_free(w->w_wheel);
err_synq:
	synq_fini(&w->w_synq);
err_flows6:
	flow_table_fini(&w->w_flows6);
err_flows:
	flow_table_fini(&w->w_flows);
	return ret;
}

void
worker_fini(struct worker *w)
{
	unsigned i;

	/* Connections, their mbufs and pending commands go with the pools
	 * and rings freed below. */
	for (i = 0; i < w->w_nports; i++) {
		struct worker_port *p = &w->w_ports[i];

		rte_pktmbuf_free_bulk(p->wp_tx, p->wp_ntx);
		p->wp_ntx = 0;
	}
	rte_ring_free(w->w_cmd);
	conn_pool_free(w);
	rte_mempool_free(w->w_mbufs);
	rte_free(w->w_wheel);
	synq_fini(&w->w_synq);
	flow_table_fini(&w->w_flows6);
	flow_table_fini(&w->w_flows);
}

/* ---- for tests (sg_internal.h) ----------------------------------------- */

void
worker_reset_state(struct worker *w, uint64_t now_us)
{
	SG_VERIFY(w->w_wheel->tw_armed == 0, "reset_idle_worker",
		  "worker %u reset with timers armed", w->w_id);
	timer_wheel_init(w->w_wheel, (uint32_t)(now_us / 1000));
	memset(w->w_cookie_sent, 0, sizeof(w->w_cookie_sent));
	memset(w->w_cookie_last_ms, 0, sizeof(w->w_cookie_last_ms));
	memset(w->w_engine->e_cookie_ms, 0, sizeof(w->w_engine->e_cookie_ms));
	w->w_rst_tokens = ((uint64_t)w->w_params.rst_rate / 10 + 1) * 1000;
	w->w_rst_last_ms = (uint32_t)(now_us / 1000);
	w->w_flood = false;
	w->w_prune_hold = false;
}
