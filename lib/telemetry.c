/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands for an engine, under a prefix the embedder picks
 * (syngated: "/syngate"), readable with the stock dpdk-telemetry.py (JSON
 * over the EAL's SOCK_SEQPACKET socket):
 *
 *   PREFIX/stats          every counter and gauge of the stats line,
 *                         summed over workers
 *   PREFIX/workers        per worker: flood state, ms since it last
 *                         changed, half-open and connection occupancy
 *   PREFIX/worker,<id>    one worker's counters, gauges and state
 *   PREFIX/listeners      per port: backlog, queued, overflows
 *
 * DPDK 22.11 hands a callback no user argument and cannot unregister a
 * command, so registered prefixes live in a small table: a callback finds
 * its engine by the command it was called for, and a prefix whose engine
 * is gone keeps its commands, which answer an error.  The callbacks run on
 * the EAL telemetry thread and only read: counters with plain loads, like
 * the stats line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "shared.h"
#include "syngate.h"

RTE_LOG_REGISTER(sg_tel_logtype, syngate.telemetry, INFO);
#define TEL_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, sg_tel_logtype, "syngate: " __VA_ARGS__)

/* DPDK 22.11 lib/telemetry/telemetry.c: MAX_CMD_LEN 56 with the NUL. */
#define TEL_CMD_MAX		55
/* The longest suffix, which must fit after the prefix. */
#define TEL_SUFFIX_MAX		(sizeof("/listeners") - 1)
#define TEL_PREFIX_MAX		SG_TELEMETRY_PREFIX_MAX
#define TEL_MAX_PREFIXES	SG_TELEMETRY_MAX_PREFIXES

enum { TEL_STATS, TEL_WORKERS, TEL_WORKER, TEL_LISTENERS, TEL_NCMDS };

struct tel_cmd {
	const char *tc_suffix;
	telemetry_cb tc_cb;
	int (*tc_fill)(const struct sg_engine *e, const char *params,
		       struct rte_tel_data *d);
	const char *tc_help;
};

struct tel_prefix {
	char tp_name[TEL_PREFIX_MAX + 1];	/* "": never used */
	struct sg_engine *tp_engine;		/* NULL: free to reuse */
	unsigned tp_cmds;	/* bit c: tel_cmds[c] is known to DPDK */
};

/*
 * Held by a callback from its lookup to its last read of the engine, so
 * sg_telemetry_unregister (and with it sg_engine_destroy) waits for one
 * in flight.  Lock order: tel_lock, then DPDK's own (register takes it;
 * DPDK calls a callback without holding it).
 */
static rte_spinlock_t tel_lock = RTE_SPINLOCK_INITIALIZER;
static struct tel_prefix tel_prefixes[TEL_MAX_PREFIXES];

static void
dict_u64(void *arg, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(arg, name, v);
}

static int
fill_stats(const struct sg_engine *e, const char *params,
	   struct rte_tel_data *d)
{
	struct sg_counters c;
	struct sg_gauges g;

	(void)params;
	sg_engine_stats(e, &c, &g);
	rte_tel_data_start_dict(d);
	sg_stats_foreach(&c, &g, dict_u64, d);
	return 0;
}

static int
fill_worker(const struct sg_engine *e, const char *params,
	    struct rte_tel_data *d)
{
	struct sg_worker_info wi;
	struct sg_counters c;
	struct sg_gauges g;
	char *end;
	unsigned long w;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	w = strtoul(params, &end, 10);
	if (*end != '\0' ||
	    sg_engine_worker_stats(e, (unsigned)w, &c, &g, &wi) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state",
				     wi.flood ? "cookies" : "stateful");
	rte_tel_data_add_dict_u64(d, "state_changed_ms_ago",
				  wi.flood_changed_ms);
	sg_stats_foreach(&c, &g, dict_u64, d);
	return 0;
}

/* One worker's entry of PREFIX/workers.  Returns 0 or -ENOMEM. */
static int
add_worker_summary(const struct sg_engine *e, unsigned w,
		   struct rte_tel_data *d)
{
	struct rte_tel_data *x = rte_tel_data_alloc();
	struct sg_worker_info wi;
	struct sg_counters c;
	struct sg_gauges g;
	char name[16];

	if (x == NULL)
		return -ENOMEM;
	sg_engine_worker_stats(e, w, &c, &g, &wi);
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
	return 0;
}

static int
fill_workers(const struct sg_engine *e, const char *params,
	     struct rte_tel_data *d)
{
	unsigned w, n = sg_engine_workers(e);
	int ret;

	(void)params;
	rte_tel_data_start_dict(d);
	for (w = 0; w < n; w++) {
		ret = add_worker_summary(e, w, d);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
fill_listeners(const struct sg_engine *e, const char *params,
	       struct rte_tel_data *d)
{
	struct sg_listener_info li;
	unsigned i;

	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; sg_engine_listener_info(e, i, &li) == 0; i++) {
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

static int cb_stats(const char *cmd, const char *params,
		    struct rte_tel_data *d);
static int cb_workers(const char *cmd, const char *params,
		      struct rte_tel_data *d);
static int cb_worker(const char *cmd, const char *params,
		     struct rte_tel_data *d);
static int cb_listeners(const char *cmd, const char *params,
			struct rte_tel_data *d);

/* In registration order (the order DPDK's "/" lists them). */
static const struct tel_cmd tel_cmds[TEL_NCMDS] = {
	[TEL_STATS] = { "/stats", cb_stats, fill_stats,
		"Counters and gauges, summed over workers" },
	[TEL_WORKERS] = { "/workers", cb_workers, fill_workers,
		"Per worker: state (stateful/cookies) and occupancy" },
	[TEL_WORKER] = { "/worker", cb_worker, fill_worker,
		"One worker's counters and state. Parameters: int worker" },
	[TEL_LISTENERS] = { "/listeners", cb_listeners, fill_listeners,
		"Per listening port: backlog, queued, overflows" },
};

/* The engine of command cmd (PREFIX + suffix); NULL when unregistered.
 * Under tel_lock. */
static struct sg_engine *
tel_engine_of(const char *cmd, const char *suffix)
{
	size_t n = strlen(cmd), ns = strlen(suffix);
	unsigned i;

	if (n <= ns || strcmp(cmd + n - ns, suffix) != 0)
		return NULL;
	n -= ns;
	for (i = 0; i < TEL_MAX_PREFIXES; i++) {
		const struct tel_prefix *tp = &tel_prefixes[i];

		if (strncmp(tp->tp_name, cmd, n) == 0 &&
		    tp->tp_name[n] == '\0')
			return tp->tp_engine;
	}
	return NULL;
}

static int
tel_call(unsigned c, const char *cmd, const char *params,
	 struct rte_tel_data *d)
{
	struct sg_engine *e;
	int ret = -EINVAL;

	rte_spinlock_lock(&tel_lock);
	e = tel_engine_of(cmd, tel_cmds[c].tc_suffix);
	if (e != NULL)
		ret = tel_cmds[c].tc_fill(e, params, d);
	rte_spinlock_unlock(&tel_lock);
	return ret;
}

static int
cb_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(TEL_STATS, cmd, params, d);
}

static int
cb_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(TEL_WORKERS, cmd, params, d);
}

static int
cb_worker(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(TEL_WORKER, cmd, params, d);
}

static int
cb_listeners(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_call(TEL_LISTENERS, cmd, params, d);
}

/* Why prefix cannot name commands, or NULL when it can.  Stricter than
 * DPDK (which takes [A-Za-z0-9_/] after a '/'): no capitals, no empty
 * path component, room for every suffix. */
static const char *
tel_prefix_invalid(const char *prefix)
{
	const char *p;

	if (prefix == NULL || prefix[0] != '/')
		return "must start with '/'";
	RTE_BUILD_BUG_ON(TEL_PREFIX_MAX + TEL_SUFFIX_MAX > TEL_CMD_MAX);
	if (strlen(prefix) > TEL_PREFIX_MAX)
		return "too long: PREFIX/listeners would pass DPDK's limit "
		       "of " RTE_STR(TEL_CMD_MAX) " characters";
	for (p = prefix; *p != '\0'; p++) {
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			return "has an empty component (// or a final /)";
		if (*p != '/' && *p != '_' && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= '0' && *p <= '9'))
			return "may hold only a-z, 0-9, '_' and '/'";
	}
	return NULL;
}

/* Find prefix's slot, or take a free one, or else one whose engine is
 * gone (its old commands then find no slot and answer an error).  Under
 * tel_lock.  Returns 0 and *out, -EEXIST (an engine holds prefix) or
 * -ENOSPC (every slot serves an engine). */
static int
tel_prefix_claim(const char *prefix, struct tel_prefix **out)
{
	struct tel_prefix *spare = NULL;
	unsigned i;

	for (i = 0; i < TEL_MAX_PREFIXES; i++) {
		struct tel_prefix *tp = &tel_prefixes[i];

		if (strcmp(tp->tp_name, prefix) == 0) {
			*out = tp;
			return tp->tp_engine != NULL ? -EEXIST : 0;
		}
		if (tp->tp_engine == NULL &&
		    (spare == NULL || tp->tp_name[0] == '\0'))
			spare = tp;
	}
	if (spare == NULL)
		return -ENOSPC;
	strcpy(spare->tp_name, prefix);		/* length checked */
	spare->tp_cmds = 0;
	*out = spare;
	return 0;
}

/* Give DPDK the commands of tp it does not know yet: a prefix registered
 * again after unregister reuses its commands.  Under tel_lock. */
static int
tel_cmds_register(struct tel_prefix *tp)
{
	char name[TEL_CMD_MAX + 1];
	unsigned c;
	int ret;

	for (c = 0; c < TEL_NCMDS; c++) {
		if (tp->tp_cmds & (1u << c))
			continue;
		snprintf(name, sizeof(name), "%s%s", tp->tp_name,
			 tel_cmds[c].tc_suffix);
		ret = rte_telemetry_register_cmd(name, tel_cmds[c].tc_cb,
						 tel_cmds[c].tc_help);
		if (ret < 0)
			return ret;
		tp->tp_cmds |= 1u << c;
	}
	return 0;
}

int
sg_telemetry_register(struct sg_engine *e, const char *prefix)
{
	const char *why = tel_prefix_invalid(prefix);
	struct tel_prefix *tp = NULL;
	int ret;

	if (e == NULL || why != NULL) {
		TEL_LOG(ERR, "telemetry prefix \"%s\": %s\n",
			prefix != NULL ? prefix : "(null)",
			why != NULL ? why : "no engine");
		return -EINVAL;
	}
	rte_spinlock_lock(&tel_lock);
	ret = tel_prefix_claim(prefix, &tp);
	if (ret == 0)
		ret = tel_cmds_register(tp);
	if (ret == 0)
		tp->tp_engine = e;
	else if (tp != NULL && tp->tp_cmds == 0)
		tp->tp_name[0] = '\0';	/* DPDK knows none: free it */
	rte_spinlock_unlock(&tel_lock);
	if (ret < 0) {
		TEL_LOG(ERR, "telemetry prefix \"%s\": %s\n", prefix,
			ret == -EEXIST ? "registered already" :
			ret == -ENOSPC ? "all " RTE_STR(TEL_MAX_PREFIXES)
					 " prefixes serve engines" :
			strerror(-ret));
		return ret;
	}
	engine_set_destroy_hook(e, sg_telemetry_unregister);
	return 0;
}

void
sg_telemetry_unregister(struct sg_engine *e)
{
	unsigned i;

	rte_spinlock_lock(&tel_lock);
	for (i = 0; i < TEL_MAX_PREFIXES; i++)
		if (tel_prefixes[i].tp_engine == e)
			tel_prefixes[i].tp_engine = NULL;
	rte_spinlock_unlock(&tel_lock);
}
