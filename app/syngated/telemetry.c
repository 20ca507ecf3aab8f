/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syngated's rte_telemetry commands, readable with the stock
 * dpdk-telemetry.py (JSON over the EAL's SOCK_SEQPACKET socket):
 * /syngate/stats, /syngate/workers, /syngate/worker,<id> and
 * /syngate/listeners come from the library (sg_telemetry_register);
 * the daemon adds
 *
 *   /syngate/config           the settings in force
 *
 * The callback runs on the EAL telemetry thread and only reads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "syngated.h"

/* Held by cmd_config across its reads, so telemetry_stop waits for it. */
static rte_spinlock_t tel_lock = RTE_SPINLOCK_INITIALIZER;
static struct sg_engine *tel_engine;	/* NULL once the engine is gone */
static const struct sg_config *tel_cfg;

static int
fill_config(const struct sg_engine *e, const struct sg_config *cfg,
	    struct rte_tel_data *d)
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

	p = sg_engine_params(e);
	addrs = rte_tel_data_alloc();
	if (addrs == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(addrs, RTE_TEL_STRING_VAL);
	for (i = 0; i < p->n_addrs; i++)
		rte_tel_data_add_array_string(addrs,
			sg_addr_str(&p->addrs[i], addr, sizeof(addr)));
	ports[0] = '\0';
	for (i = 0; i < cfg->n_listen && off < sizeof(ports); i++)
		off += (size_t)snprintf(ports + off, sizeof(ports) - off,
					"%s%u", i ? "," : "",
					cfg->listen_ports[i]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_container(d, "addr", addrs, 0);
	rte_tel_data_add_dict_string(d, "listen", ports);
	rte_tel_data_add_dict_string(d, "cookies", cookies[p->cookies]);
	rte_tel_data_add_dict_string(d, "overflow",
		p->overflow == SG_OVERFLOW_RESET ? "reset" : "drop");
	rte_tel_data_add_dict_string(d, "service", cfg->service);
	rte_tel_data_add_dict_u64(d, "workers", sg_engine_workers(e));
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
	rte_tel_data_add_dict_u64(d, "app_threads", cfg->app_threads);
	rte_tel_data_add_dict_u64(d, "stats", cfg->stats_interval);
	return 0;
}

static int
cmd_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret = -EINVAL;

	(void)cmd;
	(void)params;
	rte_spinlock_lock(&tel_lock);
	if (tel_engine != NULL)
		ret = fill_config(tel_engine, tel_cfg, d);
	rte_spinlock_unlock(&tel_lock);
	return ret;
}

int
telemetry_register(struct sg_engine *e, const struct sg_config *cfg)
{
	int ret;

	tel_engine = e;
	tel_cfg = cfg;
	ret = sg_telemetry_register(e, "/syngate");
	if (ret < 0)
		return ret;
	if (rte_telemetry_register_cmd("/syngate/config", cmd_config,
				       "The settings in force") < 0)
		return -EINVAL;
	return 0;
}

void
telemetry_stop(void)
{
	/* Before the ports close: /syngate/stats reads their counters. */
	sg_telemetry_unregister(tel_engine);
	rte_spinlock_lock(&tel_lock);
	tel_engine = NULL;
	rte_spinlock_unlock(&tel_lock);
}
