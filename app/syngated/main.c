/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syngated — the syngate daemon: EAL, ports, one worker per lcore but the
 * main one, application threads running a built-in service, a stats line,
 * cookie-key rotation, clean stop on SIGINT/SIGTERM.
 *
 *   syngated [EAL options] -- [options]
 *
 * Without EAL options it runs on its embedded default: a net_tap port
 * (kernel interface "sg0"), no NIC, no hugepages.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pdump.h>

#include "config.h"
#include "sg_stats.h"
#include "syngate.h"
#include "syngated.h"

int sgd_logtype;

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_hup;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

/*
 * SIGHUP: read the options again (command line over --config file), load
 * the cookie key file again, and apply what can change at run time:
 * cookie policy, SYN-ACK retries and RTO, overflow policy, stats interval.
 * The rest only changes at start (--help says which).
 */
static void
reload(struct sg_engine *e, struct sg_config *cfg, int argc, char **argv)
{
	struct sg_config n;
	uint8_t secret[32];
	char err[512];

	config_defaults(&n);
	if (config_parse_args(&n, argc, argv, err, sizeof(err)) < 0 ||
	    config_validate(&n, err, sizeof(err)) < 0) {
		SGD_LOG(ERR, "reload refused: %s\n", err);
		return;
	}
	if (n.cookie_key_file[0] != '\0') {
		if (config_load_secret(n.cookie_key_file, secret, err,
				       sizeof(err)) < 0) {
			SGD_LOG(ERR, "reload refused: %s\n", err);
			return;
		}
		sg_engine_set_secret(e, secret, (uint64_t)time(NULL));
		memset(secret, 0, sizeof(secret));
	}
	sg_engine_update_params(e, &n.p);
	cfg->p.cookies = n.p.cookies;
	cfg->p.synack_retries = n.p.synack_retries;
	cfg->p.synack_rto_ms = n.p.synack_rto_ms;
	cfg->p.overflow = n.p.overflow;
	cfg->stats_interval = n.stats_interval;
	if (memcmp(&n.p, &cfg->p, sizeof(n.p)) != 0 ||
	    n.n_listen != cfg->n_listen || n.app_threads != cfg->app_threads ||
	    strcmp(n.service, cfg->service) != 0)
		SGD_LOG(WARNING, "reload: settings other than cookies, "
			"synack-retries, synack-rto, overflow, stats and the "
			"cookie key change only at start\n");
	SGD_LOG(INFO, "reloaded%s\n", n.cookie_key_file[0] ?
		" (cookie key file too)" : "");
	printf("syngated: reloaded\n");
	fflush(stdout);
}

/* The embedded default EAL arguments (used when none are given). */
static const char *const default_eal[] = {
	"-l", "0,1", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
	"--vdev=net_tap0,iface=sg0", "--log-level=lib.eal:warning",
};

/* Build argv for rte_eal_init: the defaults when the user gave no EAL
 * options (nothing, or "--" first), else the user's. */
static char **
eal_argv(int argc, char **argv, int *eal_argc, bool *defaulted)
{
	size_t nd = RTE_DIM(default_eal);
	char **out;
	int i;

	*defaulted = argc < 2 || strcmp(argv[1], "--") == 0 ||
		     strcmp(argv[1], "--help") == 0 ||
		     strcmp(argv[1], "-h") == 0;
	if (!*defaulted) {
		*eal_argc = argc;
		return argv;
	}
	out = calloc(nd + (size_t)argc + 2, sizeof(*out));
	if (out == NULL)
		return NULL;
	out[0] = argv[0];
	for (i = 0; i < (int)nd; i++)
		out[i + 1] = (char *)(uintptr_t)default_eal[i];
	*eal_argc = (int)nd + 1;
	/* Keep the application part: "-- opts" or a bare "--help". */
	if (argc >= 2 && strcmp(argv[1], "--") != 0)
		out[(*eal_argc)++] = (char *)(uintptr_t)"--";
	for (i = 1; i < argc; i++)
		out[(*eal_argc)++] = argv[i];
	return out;
}

static void
print_stats(struct sg_engine *e, const char *tag, double elapsed,
	    const struct service *svc)
{
	struct sg_counters c;
	struct sg_gauges g;
	char line[8192];

	sg_engine_stats(e, &c, &g);
	sg_stats_format(line, sizeof(line), &c, &g);
	printf("%s elapsed=%.1f app_accepted=%" PRIu64 " app_requests=%"
	       PRIu64 " %s\n", tag, elapsed, service_accepted(svc),
	       service_requests(svc), line);
	fflush(stdout);
}

static double
mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct sg_listener *listeners[SG_MAX_LISTENERS];
	struct service *svc = NULL;
	struct sg_engine *e = NULL;
	struct sg_config cfg;
	uint8_t secret[32];
	char err[512], addr[SG_MAX_ADDRS * (INET6_ADDRSTRLEN + 5)];
	unsigned n_workers, w, lcore, i;
	double start, next_stats, next_rotate, now;
	bool defaulted;
	char **eargv;
	int eargc, n, ret;

	eargv = eal_argv(argc, argv, &eargc, &defaulted);
	if (eargv == NULL)
		return 1;
	n = rte_eal_init(eargc, eargv);
	if (n < 0) {
		fprintf(stderr, "syngated: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	sgd_logtype = rte_log_register_type_and_pick_level("syngate.main",
							   RTE_LOG_INFO);
	/* Packet capture by dpdk-dumpcap (a secondary process): needs a
	 * shared, hugepage-backed primary; without one it is simply off. */
	if (rte_pdump_init() < 0)
		SGD_LOG(INFO, "pdump unavailable (no multi-process: "
			"--no-shconf or --no-huge)\n");
	config_defaults(&cfg);
	ret = config_parse_args(&cfg, eargc - n, eargv + n, err, sizeof(err));
	if (ret == 0 && cfg.help) {
		config_usage(stdout, "syngated");
		rte_eal_cleanup();
		return 0;
	}
	if (ret == 0)
		ret = config_validate(&cfg, err, sizeof(err));
	if (ret == 0 && cfg.cookie_key_file[0] != '\0')
		ret = config_load_secret(cfg.cookie_key_file, secret, err,
					 sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "syngated: %s\n", err);
		rte_eal_cleanup();
		return 2;
	}
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "syngated: need at least 2 lcores (one main, "
			"one worker), e.g. -l 0,1\n");
		rte_eal_cleanup();
		return 2;
	}
	n_workers = RTE_MIN(rte_lcore_count() - 1, (unsigned)SG_MAX_WORKERS);
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "syngated: no ethdev port; give one with EAL "
			"options, e.g. --vdev=net_tap0,iface=sg0\n");
		rte_eal_cleanup();
		return 2;
	}

	ret = sg_engine_create(&cfg.p, n_workers, &e);
	if (ret < 0) {
		SGD_LOG(ERR, "engine: %s\n", strerror(-ret));
		goto out_eal;
	}
	for (i = 0; i < cfg.n_listen; i++) {
		ret = sg_listen(e, cfg.listen_ports[i], 0, &listeners[i]);
		if (ret < 0) {
			SGD_LOG(ERR, "listen %u: %s\n", cfg.listen_ports[i],
				strerror(-ret));
			goto out_engine;
		}
	}
	if (cfg.cookie_key_file[0] != '\0') {
		sg_engine_set_secret(e, secret, (uint64_t)time(NULL));
		memset(secret, 0, sizeof(secret));
	}
	ret = ports_setup(e, &cfg, n_workers);
	if (ret == -ERANGE) {
		ret = -EINVAL;		/* a configuration error: status 2 */
		goto out_engine;
	}
	if (ret < 0)
		goto out_engine;
	if (telemetry_register(e, &cfg) < 0)
		SGD_LOG(WARNING, "telemetry commands not registered\n");

	printf("syngated: serving %s, tcp port",
	       sg_params_addrs_str(&cfg.p, addr, sizeof(addr)));
	for (i = 0; i < cfg.n_listen; i++)
		printf("%s%u", i ? "," : " ", cfg.listen_ports[i]);
	printf("; %u worker(s), service %s, cookies %s%s\n", n_workers,
	       cfg.service, cfg.p.cookies == SG_COOKIES_AUTO ? "auto" :
	       cfg.p.cookies == SG_COOKIES_ALWAYS ? "always" : "never",
	       defaulted ? "; embedded default port net_tap0 (iface sg0)" :
	       "");
	fflush(stdout);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);

	w = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == n_workers)
			break;
		rte_eal_remote_launch(sg_worker_main, sg_engine_worker(e, w),
				      lcore);
		w++;
	}
	ret = service_start(e, &cfg, listeners, &svc);
	if (ret < 0) {
		SGD_LOG(ERR, "service %s: %s\n", cfg.service, strerror(-ret));
		sg_engine_stop(e);
	}

	start = mono_sec();
	next_stats = start + cfg.stats_interval;
	/* Cookie keys follow the wall-clock epoch (64 s); checked 10 times
	 * a second, so a fleet's hosts switch within 100 ms of each other. */
	next_rotate = start;
	while (!got_signal && !sg_engine_stopping(e)) {
		usleep(100000);
		now = mono_sec();
		if (got_hup) {
			got_hup = 0;
			reload(e, &cfg, eargc - n, eargv + n);
			next_stats = now + cfg.stats_interval;
		}
		if (cfg.stats_interval && now >= next_stats) {
			print_stats(e, "stats", now - start, svc);
			next_stats += cfg.stats_interval;
		}
		if (now >= next_rotate) {
			sg_engine_update_keys(e, (uint64_t)time(NULL));
			next_rotate = now;
		}
	}
	if (got_signal)
		SGD_LOG(INFO, "signal %d: stopping\n", (int)got_signal);
	service_stop(svc);
	sg_engine_stop(e);
	rte_eal_mp_wait_lcore();
	print_stats(e, "final", mono_sec() - start, svc);
	rte_pdump_uninit();
	telemetry_stop();
	service_free(svc);
	ports_stop();
	ret = 0;
out_engine:
	sg_engine_destroy(e);
out_eal:
	rte_eal_cleanup();
	return ret == -EINVAL ? 2 : ret < 0 ? 1 : 0;
}
