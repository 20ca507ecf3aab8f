/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands under /syngate/, readable with the stock
 * dpdk-telemetry.py (JSON over the EAL's SOCK_SEQPACKET socket):
 *
 *   /syngate/stats            every counter and gauge of the stats line,
 *                             summed over workers
 *   /syngate/workers          per worker: flood state, ms since it last
 *                             changed, half-open and connection occupancy
 *   /syngate/worker,<id>      one worker's counters, gauges and state
 *   /syngate/listeners        per port: backlog, queued, overflows
 *   /syngate/config           the settings in force
 *
 * The callbacks run on the EAL telemetry thread and only read: counters
 * with plain loads, like the stats line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "sg_stats.h"
#include "syngated.h"

static struct sg_engine *tel_engine;	/* NULL once the engine is gone */
static const struct sg_config *tel_cfg;

static void
dict_u64(void *arg, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(arg, name, v);
}

static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sg_counters c;
	struct sg_gauges g;

	(void)cmd;
	(void)params;
	if (tel_engine == NULL)
		return -EINVAL;
	sg_engine_stats(tel_engine, &c, &g);
	rte_tel_data_start_dict(d);
	sg_stats_foreach(&c, &g, dict_u64, d);
	return 0;
}

static int
cmd_worker(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sg_worker_info wi;
	struct sg_counters c;
	struct sg_gauges g;
	char *end;
	unsigned long w;

	(void)cmd;
	if (tel_engine == NULL || params == NULL || *params == '\0')
		return -EINVAL;
	w = strtoul(params, &end, 10);
	if (*end != '\0' ||
	    sg_engine_worker_stats(tel_engine, (unsigned)w, &c, &g, &wi) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state",
				     wi.flood ? "cookies" : "stateful");
	rte_tel_data_add_dict_u64(d, "state_changed_ms_ago",
				  wi.flood_changed_ms);
	sg_stats_foreach(&c, &g, dict_u64, d);
	return 0;
}

static int
cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned w, n;

	(void)cmd;
	(void)params;
	if (tel_engine == NULL)
		return -EINVAL;
	n = sg_engine_workers(tel_engine);
	rte_tel_data_start_dict(d);
	for (w = 0; w < n; w++) {
		struct rte_tel_data *x = rte_tel_data_alloc();
		struct sg_worker_info wi;
		struct sg_counters c;
		struct sg_gauges g;
		char name[16];

		if (x == NULL)
			return -ENOMEM;
		sg_engine_worker_stats(tel_engine, w, &c, &g, &wi);
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_string(x, "state",
			wi.flood ? "cookies" : "stateful");
		rte_tel_data_add_dict_u64(x, "state_changed_ms_ago",
					  wi.flood_changed_ms);
		rte_tel_data_add_dict_u64(x, "synq_used", g.synq_used);
		rte_tel_data_add_dict_u64(x, "synq_cap", g.synq_cap);
		rte_tel_data_add_dict_u64(x, "conns_used", g.conns_used);
		rte_tel_data_add_dict_u64(x, "conns_cap", g.conns_cap);
		rte_tel_data_add_dict_u64(x, "rx_pkts", c.rx_pkts);
		rte_tel_data_add_dict_u64(x, "syn_in", c.syn_in);
		rte_tel_data_add_dict_u64(x, "accepted", c.accepted);
		snprintf(name, sizeof(name), "%u", w);
		rte_tel_data_add_dict_container(d, name, x, 0);
	}
	return 0;
}

static int
cmd_listeners(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sg_listener_info li;
	unsigned i;

	(void)cmd;
	(void)params;
	if (tel_engine == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (i = 0; sg_engine_listener_info(tel_engine, i, &li) == 0; i++) {
		struct rte_tel_data *x = rte_tel_data_alloc();
		char name[16];

		if (x == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_u64(x, "backlog", li.backlog);
		rte_tel_data_add_dict_u64(x, "queued", li.queued);
		rte_tel_data_add_dict_u64(x, "overflows", li.overflows);
		snprintf(name, sizeof(name), "%u", li.port);
		rte_tel_data_add_dict_container(d, name, x, 0);
	}
	return 0;
}

static int
cmd_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct sg_params *p;
	static const char *const cookies[] = {
		[SG_COOKIES_NEVER] = "never", [SG_COOKIES_AUTO] = "auto",
		[SG_COOKIES_ALWAYS] = "always",
	};
	char addr[INET6_ADDRSTRLEN + 5];
	char ports[SG_MAX_LISTENERS * 6 + 1];
	struct rte_tel_data *addrs;
	size_t off = 0;
	unsigned i;

	(void)cmd;
	(void)params;
	if (tel_engine == NULL)
		return -EINVAL;
	p = sg_engine_params(tel_engine);
	addrs = rte_tel_data_alloc();
	if (addrs == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(addrs, RTE_TEL_STRING_VAL);
	for (i = 0; i < p->n_addrs; i++)
		rte_tel_data_add_array_string(addrs,
			sg_addr_str(&p->addrs[i], addr, sizeof(addr)));
	ports[0] = '\0';
	for (i = 0; i < tel_cfg->n_listen && off < sizeof(ports); i++)
		off += (size_t)snprintf(ports + off, sizeof(ports) - off,
					"%s%u", i ? "," : "",
					tel_cfg->listen_ports[i]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_container(d, "addr", addrs, 0);
	rte_tel_data_add_dict_string(d, "listen", ports);
	rte_tel_data_add_dict_string(d, "cookies", cookies[p->cookies]);
	rte_tel_data_add_dict_string(d, "overflow",
		p->overflow == SG_OVERFLOW_RESET ? "reset" : "drop");
	rte_tel_data_add_dict_string(d, "service", tel_cfg->service);
	rte_tel_data_add_dict_u64(d, "workers", sg_engine_workers(tel_engine));
	rte_tel_data_add_dict_u64(d, "synq_size", p->synq_size);
	rte_tel_data_add_dict_u64(d, "backlog", p->backlog);
	rte_tel_data_add_dict_u64(d, "conn_max", p->conn_max);
	rte_tel_data_add_dict_u64(d, "synack_retries", p->synack_retries);
	rte_tel_data_add_dict_u64(d, "synack_rto", p->synack_rto_ms);
	rte_tel_data_add_dict_u64(d, "rst_rate", p->rst_rate);
	rte_tel_data_add_dict_u64(d, "mss", p->mss);
	rte_tel_data_add_dict_u64(d, "msl", p->msl_ms);
	rte_tel_data_add_dict_u64(d, "idle_timeout", p->idle_timeout_ms / 1000);
	rte_tel_data_add_dict_u64(d, "idle_sleep", p->idle_sleep_us);
	rte_tel_data_add_dict_u64(d, "app_threads", tel_cfg->app_threads);
	rte_tel_data_add_dict_u64(d, "stats", tel_cfg->stats_interval);
	return 0;
}

int
telemetry_register(struct sg_engine *e, const struct sg_config *cfg)
{
	tel_engine = e;
	tel_cfg = cfg;
	if (rte_telemetry_register_cmd("/syngate/stats", cmd_stats,
		"Counters and gauges, summed over workers") < 0 ||
	    rte_telemetry_register_cmd("/syngate/workers", cmd_workers,
		"Per worker: state (stateful/cookies) and occupancy") < 0 ||
	    rte_telemetry_register_cmd("/syngate/worker", cmd_worker,
		"One worker's counters and state. Parameters: int worker") < 0 ||
	    rte_telemetry_register_cmd("/syngate/listeners", cmd_listeners,
		"Per listening port: backlog, queued, overflows") < 0 ||
	    rte_telemetry_register_cmd("/syngate/config", cmd_config,
		"The settings in force") < 0)
		return -EINVAL;
	return 0;
}

void
telemetry_stop(void)
{
	__atomic_store_n(&tel_engine, NULL, __ATOMIC_RELEASE);
}
