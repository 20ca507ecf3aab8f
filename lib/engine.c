/* SPDX-License-Identifier: BSD-3-Clause */
/* Engine setup and what the main lcore does while workers run. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "accept.h"
#include "conn.h"
#include "shared.h"
#include "worker.h"

static unsigned engine_seq;

/* The library's own log type (the daemon has syngate.main). */
RTE_LOG_REGISTER(sg_engine_logtype, syngate.engine, INFO);
#define ENG_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, sg_engine_logtype, "syngate: " __VA_ARGS__)

int
sg_engine_create(const struct sg_params *p, unsigned n_workers,
		 struct sg_engine **out)
{
	struct sg_engine *e;
	char err[128];
	unsigned i;
	int ret;

	if (n_workers == 0 || n_workers > SG_MAX_WORKERS)
		return -EINVAL;
	if (sg_params_check(p, err, sizeof(err)) < 0) {
		ENG_LOG(ERR, "%s\n", err);
		return -EINVAL;
	}
	e = rte_zmalloc("sg_engine", sizeof(*e), RTE_CACHE_LINE_SIZE);
	if (e == NULL)
		return -ENOMEM;
	e->e_params = *p;
	e->e_id = __atomic_fetch_add(&engine_seq, 1, __ATOMIC_RELAXED);
	e->e_tsc_hz = rte_get_tsc_hz();
	e->e_start_tsc = rte_rdtsc();
	e->e_unix_base = (uint64_t)time(NULL);
	e->e_key_epoch = e->e_unix_base / COOKIE_TICK_SEC;
	rte_seqlock_init(&e->e_rt_lock);
	rte_spinlock_init(&e->e_key_lock);
	ret = siphash_key_random(&e->e_isn_key);
	if (ret == 0)
		ret = cookie_keys_init(&e->e_ckeys);
	/* The link field of the connections' mbuf queues (mbq.h). */
	if (ret == 0)
		ret = mbq_register();
	e->e_ckeys.ck_gen = (uint32_t)e->e_key_epoch;
	if (ret < 0)
		goto err_engine;
	for (i = 0; i < n_workers; i++) {
		struct worker *w = rte_zmalloc_socket("sg_worker", sizeof(*w),
			RTE_CACHE_LINE_SIZE, (int)rte_socket_id());

		if (w == NULL) {
			ret = -ENOMEM;
			goto err_workers;
		}
		ret = worker_init(w, e, i, (int)rte_socket_id());
		if (ret < 0) {
			ENG_LOG(ERR, "worker %u: tables of %u half-open entries "
				"and %u connections: %s (give EAL more memory, "
				"-m, or lower --synq-size/--conn-max/--mbufs)\n",
				i, p->synq_size, p->conn_max, strerror(-ret));
			rte_free(w);
			goto err_workers;
		}
		e->e_workers[i] = w;
		e->e_nworkers++;
	}
	*out = e;
	return 0;

err_workers:
	while (e->e_nworkers > 0) {
		struct worker *w = e->e_workers[--e->e_nworkers];

		worker_fini(w);
		rte_free(w);
	}
err_engine:
	rte_free(e);
	return ret;
}

size_t
sg_engine_mem_size(const struct sg_params *p, unsigned n_workers)
{
	char err[128];

	if (n_workers == 0 || n_workers > SG_MAX_WORKERS ||
	    sg_params_check(p, err, sizeof(err)) < 0)
		return 0;
	return sizeof(struct sg_engine) + 2 * RTE_CACHE_LINE_SIZE +
	       (size_t)n_workers * worker_mem_size(p);
}

void
sg_engine_destroy(struct sg_engine *e)
{
	unsigned i;

	if (e == NULL)
		return;
	if (e->e_destroy_hook != NULL)
		e->e_destroy_hook(e);
	/* Connections still queued go with their worker's pool. */
	listener_table_fini(&e->e_listeners);
	for (i = 0; i < e->e_nworkers; i++) {
		worker_fini(e->e_workers[i]);
		rte_free(e->e_workers[i]);
	}
	rte_free(e);
}

void
engine_set_destroy_hook(struct sg_engine *e, void (*fn)(struct sg_engine *e))
{
	e->e_destroy_hook = fn;
}

int
sg_engine_attach_queue(struct sg_engine *e, unsigned wi, uint16_t port_id,
		       uint16_t queue, bool tx_cksum_offload)
{
	struct worker *w;
	struct worker_port *p;
	int ret;

	if (wi >= e->e_nworkers)
		return -EINVAL;
	w = e->e_workers[wi];
	if (w->w_nports == SG_MAX_PORTS)
		return -ENOSPC;
	p = &w->w_ports[w->w_nports];
	memset(p, 0, sizeof(*p));
	ret = rte_eth_macaddr_get(port_id, &p->wp_mac);
	if (ret < 0)
		return ret;
	ret = worker_reserve_port(w, e->e_params.rx_desc, e->e_params.tx_desc);
	if (ret < 0) {
		ENG_LOG(ERR, "worker %u: %u mbufs are too few for the "
			"descriptors of %u ports (%u RX + %u TX each) and "
			"connection data: raise mbufs or lower the descriptor "
			"counts\n", wi, e->e_params.mbufs, w->w_nports + 1,
			e->e_params.rx_desc, e->e_params.tx_desc);
		return ret;
	}
	p->wp_port = port_id;
	p->wp_queue = queue;
	p->wp_ck_off = tx_cksum_offload;
	w->w_nports++;
	return 0;
}

struct rte_mempool *
sg_engine_pktmbuf_pool(struct sg_engine *e, unsigned w)
{
	return w < e->e_nworkers ? e->e_workers[w]->w_mbufs : NULL;
}

int
sg_listen(struct sg_engine *e, uint16_t port, uint32_t backlog,
	  struct sg_listener **out)
{
	return listener_create(&e->e_listeners, port,
			       backlog ? backlog : e->e_params.backlog,
			       e->e_nworkers, (int)rte_socket_id(), e->e_id,
			       out);
}

size_t
sg_listen_mem_size(const struct sg_params *p, unsigned n_workers,
		   uint32_t backlog)
{
	return listener_mem_size(backlog ? backlog : p->backlog, n_workers);
}

void *
sg_engine_worker(struct sg_engine *e, unsigned w)
{
	return w < e->e_nworkers ? e->e_workers[w] : NULL;
}

void
sg_engine_stop(struct sg_engine *e)
{
	__atomic_store_n(&e->e_stop, 1, __ATOMIC_RELAXED);
}

bool
sg_engine_stopping(const struct sg_engine *e)
{
	return __atomic_load_n(&e->e_stop, __ATOMIC_RELAXED) != 0;
}

/* A worker's gauges (accept_queued and rx_nombuf are the engine's). */
static void
worker_gauges(const struct sg_engine *e, const struct worker *w,
	      struct sg_gauges *g)
{
	memset(g, 0, sizeof(*g));
	g->synq_used = synq_used(&w->w_synq);
	g->synq_cap = w->w_synq.sq_cap;
	g->conns_used = w->w_conns_used;
	g->conns_cap = e->e_params.conn_max;
	g->flood_workers = w->w_flood;
	g->mbufs_used = rte_mempool_in_use_count(w->w_mbufs);
	g->data_mbufs_cap = (uint64_t)w->w_budget.b_total;
	g->data_mbufs = (uint64_t)RTE_MAX((int64_t)0, w->w_budget.b_total -
		budget_free(&w->w_budget, w->w_credit_cache));
}

/* RX refills that found a pool empty, over the ethdev ports the workers
 * use (each counted once). */
static uint64_t
ports_rx_nombuf(const struct sg_engine *e)
{
	bool seen[RTE_MAX_ETHPORTS] = { false };
	struct rte_eth_stats st;
	uint64_t n = 0;
	unsigned i, j;

	for (i = 0; i < e->e_nworkers; i++)
		for (j = 0; j < e->e_workers[i]->w_nports; j++) {
			const struct worker_port *p =
				&e->e_workers[i]->w_ports[j];

			if (p->wp_sink != NULL || seen[p->wp_port])
				continue;
			seen[p->wp_port] = true;
			if (rte_eth_stats_get(p->wp_port, &st) == 0)
				n += st.rx_nombuf;
		}
	return n;
}

void
sg_engine_stats(const struct sg_engine *e, struct sg_counters *c,
		struct sg_gauges *g)
{
	unsigned i, j;

	memset(c, 0, sizeof(*c));
	memset(g, 0, sizeof(*g));
	for (i = 0; i < e->e_nworkers; i++) {
		const struct worker *w = e->e_workers[i];
		struct sg_gauges wg;

		sg_stats_add(c, &w->w_stats);
		worker_gauges(e, w, &wg);
#define SG_X(f, n) g->f += wg.f;
		SG_GAUGES(SG_X)
#undef SG_X
	}
	for (j = 0; j < e->e_listeners.lt_n; j++)
		g->accept_queued += sg_accept_pending(e->e_listeners.lt_l[j]);
	g->rx_nombuf = ports_rx_nombuf(e);
}

unsigned
sg_engine_workers(const struct sg_engine *e)
{
	return e->e_nworkers;
}

const struct sg_params *
sg_engine_params(const struct sg_engine *e)
{
	return &e->e_params;
}

int
sg_engine_worker_stats(const struct sg_engine *e, unsigned wi,
		       struct sg_counters *c, struct sg_gauges *g,
		       struct sg_worker_info *info)
{
	const struct worker *w;
	uint64_t now_ms;

	if (wi >= e->e_nworkers)
		return -EINVAL;
	w = e->e_workers[wi];
	*c = w->w_stats;
	worker_gauges(e, w, g);
	now_ms = engine_now_us(e) / 1000;
	info->flood = w->w_flood;
	info->flood_changed_ms = (uint32_t)((uint32_t)now_ms -
					    w->w_flood_changed_ms);
	return 0;
}

int
sg_engine_listener_info(const struct sg_engine *e, unsigned i,
			struct sg_listener_info *li)
{
	const struct sg_listener *l;
	unsigned w;

	if (i >= e->e_listeners.lt_n)
		return -ENOENT;
	l = e->e_listeners.lt_l[i];
	li->port = l->l_port;
	li->backlog = l->l_backlog;
	li->queued = sg_accept_pending(l);
	li->overflows = 0;
	for (w = 0; w < e->e_nworkers; w++)
		li->overflows += e->e_workers[w]->w_listen_overflow[l->l_id];
	return 0;
}

void
sg_engine_update_params(struct sg_engine *e, const struct sg_params *p)
{
	/* Under the seqlock the keys use: each worker copies all of its
	 * parameters at the start of a poll, so a poll sees the old set or
	 * the new one, never a mix. */
	rte_seqlock_write_lock(&e->e_rt_lock);
	e->e_params.cookies = p->cookies;
	e->e_params.synack_retries = p->synack_retries;
	e->e_params.synack_rto_ms = p->synack_rto_ms;
	e->e_params.overflow = p->overflow;
	rte_seqlock_write_unlock(&e->e_rt_lock);
}

const char *
sg_version(void)
{
	return RTE_STR(SG_VERSION_MAJOR) "." RTE_STR(SG_VERSION_MINOR) "."
	       RTE_STR(SG_VERSION_PATCH);
}

/* ---- for tests (sg_internal.h) ----------------------------------------- */

void
engine_set_unix_base(struct sg_engine *e, uint64_t unix_sec)
{
	unsigned i;

	e->e_unix_base = unix_sec;
	for (i = 0; i < e->e_nworkers; i++)
		e->e_workers[i]->w_unix_base = unix_sec;
}

void
engine_forget_key_epoch(struct sg_engine *e)
{
	e->e_key_epoch = 0;
}
