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
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pdump.h>
#include <rte_version.h>

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

/* ---- Before the EAL: syngated's own options, EAL arguments, locks ---- */

/* Our own early options, anywhere on the command line. */
static int
early_option(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("syngated %s (%s)\n", SYNGATED_VERSION,
			       rte_version());
			return 0;
		}
		if (strcmp(argv[i], "--man") == 0) {
			config_man(stdout, SYNGATED_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			config_usage(stdout, "syngated");
			return 0;
		}
	}
	return -1;
}

/* A growing argv for rte_eal_init (argv[0] first). */
struct args {
	int n, cap;
	char **v;
};

static int
args_add(struct args *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		int cap = a->cap ? a->cap * 2 : 32;
		char **m = realloc(a->v, (size_t)cap * sizeof(*m));

		if (m == NULL)
			return -1;
		a->v = m;
		a->cap = cap;
	}
	a->v[a->n++] = (char *)(uintptr_t)s;
	a->v[a->n] = NULL;
	return 0;
}

/*
 * One instance per interface: an abstract unix socket named after it.
 * Abstract names live in the network namespace, as interface names do,
 * and vanish with the process, so a crashed daemon leaves no stale lock.
 * The holder listens, so a second instance can learn its PID.
 */
static int
lock_iface(const char *iface, char *err, size_t len)
{
	struct sockaddr_un a;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	socklen_t al;
	int fd, c;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
		 "syngated/iface/%s", iface);
	al = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			 strlen(a.sun_path + 1));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;		/* no lock, no refusal */
	if (bind(fd, (struct sockaddr *)&a, al) == 0) {
		listen(fd, 4);
		return 0;		/* held until exit */
	}
	close(fd);
	if (errno != EADDRINUSE)
		return 0;
	cred.pid = 0;
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c >= 0) {
		if (connect(c, (struct sockaddr *)&a, al) == 0 &&
		    getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
			cred.pid = 0;
		close(c);
	}
	if (cred.pid > 0)
		snprintf(err, len, "interface %s is in use by another "
			 "syngated (pid %d) in this network namespace: stop "
			 "it, or give this one another interface (iface=)",
			 iface, (int)cred.pid);
	else
		snprintf(err, len, "interface %s is in use by another "
			 "syngated in this network namespace: stop it, or "
			 "give this one another interface (iface=)", iface);
	return -1;
}

/* The value of --vdev (as "--vdev=X" or "--vdev X") at eal[i], or NULL. */
static const char *
vdev_arg(int n, char **eal, int i)
{
	if (strncmp(eal[i], "--vdev=", 7) == 0)
		return eal[i] + 7;
	if (strcmp(eal[i], "--vdev") == 0 && i + 1 < n)
		return eal[i + 1];
	return NULL;
}

/*
 * Checks on the virtual devices asked for, before the EAL creates them:
 * /dev/net/tun for net_tap/net_tun, and one instance per interface named
 * with iface=.  Returns 0, or -1 with one line in err.
 */
static int
check_vdevs(int n, char **eal, char *err, size_t len)
{
	int i;

	for (i = 1; i < n; i++) {
		const char *v = vdev_arg(n, eal, i), *p;
		char iface[64];
		size_t k;

		if (v == NULL)
			continue;
		if ((strncmp(v, "net_tap", 7) == 0 ||
		     strncmp(v, "net_tun", 7) == 0) &&
		    access("/dev/net/tun", F_OK) != 0) {
			snprintf(err, len, "%.*s needs /dev/net/tun, which "
				 "is missing: load the tun module (modprobe "
				 "tun), or in a container pass the device "
				 "(--device /dev/net/tun)", (int)strcspn(v, ","),
				 v);
			return -1;
		}
		for (p = strchr(v, ','); p != NULL; p = strchr(p + 1, ','))
			if (strncmp(p + 1, "iface=", 6) == 0)
				break;
		if (p == NULL)
			continue;
		k = strcspn(p + 7, ",");
		if (k == 0 || k >= sizeof(iface))
			continue;
		memcpy(iface, p + 7, k);
		iface[k] = '\0';
		if (lock_iface(iface, err, len) < 0)
			return -1;
	}
	return 0;
}

/* EAL output during rte_eal_init (stdout and stderr), kept to explain a
 * failure in one line, or shown as it is when all went well. */
static int cap_fd = -1, cap_saved[2] = { -1, -1 };

static void
capture_begin(void)
{
	fflush(stdout);
	fflush(stderr);
	cap_fd = memfd_create("syngated-eal", MFD_CLOEXEC);
	if (cap_fd < 0)
		return;
	cap_saved[0] = dup(STDOUT_FILENO);
	cap_saved[1] = dup(STDERR_FILENO);
	if (cap_saved[0] < 0 || cap_saved[1] < 0) {
		close(cap_fd);
		cap_fd = -1;
		return;
	}
	dup2(cap_fd, STDOUT_FILENO);
	dup2(cap_fd, STDERR_FILENO);
}

/* Restore stdout/stderr; return what was written (malloc'd, may be ""). */
static char *
capture_end(void)
{
	char *buf;
	off_t size;
	ssize_t r, got = 0;

	if (cap_fd < 0)
		return strdup("");
	fflush(stdout);
	fflush(stderr);
	dup2(cap_saved[0], STDOUT_FILENO);
	dup2(cap_saved[1], STDERR_FILENO);
	close(cap_saved[0]);
	close(cap_saved[1]);
	size = lseek(cap_fd, 0, SEEK_END);
	if (size < 0)
		size = 0;
	if (size > (1 << 20))
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (buf != NULL) {
		lseek(cap_fd, 0, SEEK_SET);
		while (got < size &&
		       (r = read(cap_fd, buf + got, (size_t)(size - got))) > 0)
			got += r;
		buf[got] = '\0';
	}
	close(cap_fd);
	cap_fd = -1;
	return buf;
}

/* The line of text containing p, without its end (into out). */
static void
line_at(const char *text, const char *p, char *out, size_t len)
{
	const char *b = p, *e = p;

	while (b > text && b[-1] != '\n')
		b--;
	e = p + strcspn(p, "\n");
	/* Drop the EAL's own "EAL: " and a function-name prefix. */
	if (strncmp(b, "EAL: ", 5) == 0)
		b += 5;
	else {
		const char *q = strstr(b, "(): ");

		if (q != NULL && q < e)
			b = q + 4;
	}
	snprintf(out, len, "%.*s", (int)(e - b), b);
}

/*
 * Explain an EAL failure (or a port the EAL failed to create) in one
 * line, from what the EAL wrote.  Returns the exit status to use with
 * the line in err: 2 when the configuration or environment is at fault,
 * 1 for another failure; 0 when nothing was recognised.
 */
static int
diagnose(const char *out, char *err, size_t len)
{
	bool root = geteuid() == 0;
	char line[256];
	const char *p;

	if ((p = strstr(out, "Cannot create lock on '")) != NULL) {
		char path[200];
		const char *q = p + 23;
		size_t k = strcspn(q, "'");
		char *slash;

		snprintf(path, sizeof(path), "%.*s", (int)k, q);
		slash = strrchr(path, '/');
		if (slash != NULL)
			*slash = '\0';
		slash = strrchr(path, '/');
		snprintf(err, len, "another DPDK primary process (another "
			 "syngated?) runs with --file-prefix %s (%.*s is "
			 "locked): stop it, or give each instance its own "
			 "--file-prefix", slash ? slash + 1 : path, (int)k, q);
		return 2;
	}
	if (strstr(out, "unrecognized option") != NULL ||
	    strstr(out, "invalid option") != NULL ||
	    strstr(out, "requires an argument") != NULL) {
		p = strstr(out, "unrecognized option");
		if (p == NULL)
			p = strstr(out, "invalid option");
		if (p == NULL)
			p = strstr(out, "requires an argument");
		line_at(out, p, line, sizeof(line));
		p = strstr(line, ": ");
		snprintf(err, len, "EAL options refused: %s; EAL options go "
			 "before '--', syngated's after it (syngated --help)",
			 p != NULL && strstr(line, "syngated") < p ?
			 p + 2 : line);
		return 2;
	}
	if (strstr(out, "Cannot get hugepage information") != NULL ||
	    strstr(out, "No available hugepages") != NULL ||
	    strstr(out, "Cannot init memory") != NULL ||
	    strstr(out, "not enough memory available") != NULL) {
		snprintf(err, len, "no usable hugepages%s: reserve some (echo "
			 "256 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
			 "nr_hugepages, or NR_2M_PAGES in /etc/dpdk/dpdk.conf)"
			 " or run without them: --no-huge -m 512", root ? "" :
			 " (and not root: hugepages need root)");
		return 2;
	}
	if ((p = strstr(out, "Device or resource busy")) != NULL) {
		line_at(out, p, line, sizeof(line));
		snprintf(err, len, "a device is busy (another syngated or DPDK "
			 "process holds it?): %s", line);
		return 2;
	}
	if ((p = strstr(out, "Operation not permitted")) != NULL ||
	    (p = strstr(out, "Permission denied")) != NULL) {
		line_at(out, p, line, sizeof(line));
		snprintf(err, len, "%s; %s", line, root ?
			 "the capabilities syngated needs (CAP_NET_ADMIN, "
			 "CAP_SYS_ADMIN, CAP_IPC_LOCK) are missing" :
			 "run syngated as root");
		return 2;
	}
	if ((p = strstr(out, "FATAL: Invalid 'command line' arguments")) !=
	    NULL) {
		/* The EAL's reason: its last line before the FATAL one
		 * (the usage text in between is not the EAL's log). */
		const char *q = out, *why = NULL;

		while (q < p) {
			if (strncmp(q, "EAL: ", 5) == 0 &&
			    strncmp(q, "EAL: Detected", 13) != 0 &&
			    strncmp(q, "EAL: FATAL", 10) != 0)
				why = q;
			q = strchr(q, '\n');
			if (q == NULL)
				break;
			q++;
		}
		if (why != NULL)
			line_at(out, why, line, sizeof(line));
		else
			snprintf(line, sizeof(line), "invalid arguments");
		snprintf(err, len, "EAL options refused: %s (syngated --help)",
			 line);
		return 2;
	}
	if ((p = strstr(out, "FATAL: ")) != NULL) {
		/* Whatever the EAL said last before giving up. */
		line_at(out, p + 7, line, sizeof(line));
		snprintf(err, len, "EAL init failed: %s", line);
		return 1;
	}
	return 0;
}

/* At exit, with several workers: what each did (RSS spread them).
 * bench/flood_bench.py reads these lines: add fields at the end. */
static void
print_workers(const struct sg_engine *e)
{
	unsigned w, n = sg_engine_workers(e);

	for (w = 0; n > 1 && w < n; w++) {
		struct sg_counters c;
		struct sg_gauges g;
		struct sg_worker_info wi;

		if (sg_engine_worker_stats(e, w, &c, &g, &wi) < 0)
			continue;
		printf("worker %u: rx_pkts=%" PRIu64 " syn_in=%" PRIu64
		       " accepted=%" PRIu64 " seg_in=%" PRIu64 " seg_out=%"
		       PRIu64 " synack_out=%" PRIu64 " cookies_sent=%" PRIu64
		       " busy_cycles=%" PRIu64 "\n", w, c.rx_pkts, c.syn_in,
		       c.accepted, c.seg_in, c.seg_out, c.synack_out,
		       c.cookies_sent, c.busy_cycles);
	}
	fflush(stdout);
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

/* The EAL's argv and the [eal] section's words (freed on every exit). */
static struct args eal;
static char eal_mem[16];	/* -m of the embedded default, in eal.v */
static char **file_eal;
static int n_file_eal;

static void
free_args(void)
{
	free(eal.v);
	eal.v = NULL;
	config_free_eal(n_file_eal, file_eal);
	file_eal = NULL;
	n_file_eal = 0;
}

/* Print one line for a refusal and return the exit status. */
static int
refuse(int status, const char *msg)
{
	fprintf(stderr, "syngated: %s\n", msg);
	free_args();
	return status;
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
	char **app_argv, *eal_out;
	unsigned n_workers, w, lcore, i;
	double start, next_stats, now;
	const char *eal_from;
	int app_argc, dd, k, n, ret;

	/* --help, --version, --man: print, exit; no EAL, no port. */
	if (early_option(argc, argv) == 0)
		return 0;

	/* argv = [EAL options] -- [options]. */
	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	for (k = 1; k < dd; k++)
		if (strncmp(argv[k], "--", 2) == 0 &&
		    config_is_option(argv[k] + 2)) {
			snprintf(err, sizeof(err), "%.*s is a syngated option, "
				 "not an EAL one: put it after '--' (syngated "
				 "[EAL options] -- %s ...)",
				 (int)strcspn(argv[k], "="), argv[k], argv[k]);
			return refuse(2, err);
		}
	/* Our options first, so that a mistake needs no EAL (and creates no
	 * tap).  app_argv[0] is the program name, as getopt wants. */
	app_argc = dd < argc ? argc - dd : 1;
	app_argv = dd < argc ? argv + dd : argv;
	if (dd < argc)
		app_argv[0] = argv[0];
	config_defaults(&cfg);
	ret = config_parse_args(&cfg, app_argc, app_argv, err, sizeof(err));
	if (ret == 0)
		ret = config_validate(&cfg, err, sizeof(err));
	if (ret == 0 && cfg.cookie_key_file[0] != '\0')
		ret = config_load_secret(cfg.cookie_key_file, secret, err,
					 sizeof(err));
	if (ret == 0 && cfg.config_file[0] != '\0')
		ret = config_load_eal(cfg.config_file, &n_file_eal, &file_eal,
				      err, sizeof(err));
	if (ret < 0)
		return refuse(2, err);

	/* The EAL's arguments: the command line's, else the file's [eal],
	 * else the embedded default. */
	ret = args_add(&eal, argv[0]);
	if (dd > 1) {
		eal_from = "the command line";
		for (k = 1; k < dd && ret == 0; k++)
			ret = args_add(&eal, argv[k]);
		if (n_file_eal > 0)
			printf("syngated: EAL options from the command line; "
			       "[eal] of %s not used\n", cfg.config_file);
	} else if (n_file_eal > 0) {
		eal_from = "[eal] of the config file";
		for (k = 0; k < n_file_eal && ret == 0; k++)
			ret = args_add(&eal, file_eal[k]);
	} else {
		const char *def[CONFIG_DEFAULT_EAL_MAX];
		unsigned nd = config_default_eal(&cfg, def, eal_mem);

		eal_from = NULL;
		for (k = 0; k < (int)nd && ret == 0; k++)
			ret = args_add(&eal, def[k]);
	}
	if (ret < 0)
		return refuse(1, "out of memory");
	if (check_vdevs(eal.n, eal.v, err, sizeof(err)) < 0)
		return refuse(2, err);

	/* The EAL writes its failures (and its usage) at length: keep what
	 * it says and tell the operator in one line. */
	capture_begin();
	opterr = 1;		/* getopt names a bad EAL option */
	optind = 1;
	n = rte_eal_init(eal.n, eal.v);
	ret = rte_errno;
	eal_out = capture_end();
	if (eal_out == NULL)
		eal_out = strdup("");
	if (n < 0) {
		k = diagnose(eal_out ? eal_out : "", err, sizeof(err));
		if (k == 0) {
			fputs(eal_out ? eal_out : "", stderr);
			snprintf(err, sizeof(err), "EAL init failed: %s",
				 rte_strerror(ret));
			k = 1;
		}
		free(eal_out);
		return refuse(k, err);
	}
	if (rte_eth_dev_count_avail() == 0 &&
	    (k = diagnose(eal_out ? eal_out : "", err, sizeof(err))) != 0) {
		free(eal_out);
		rte_eal_cleanup();
		return refuse(2, err);
	}
	fputs(eal_out ? eal_out : "", stderr);
	free(eal_out);

	sgd_logtype = rte_log_register_type_and_pick_level("syngate.main",
							   RTE_LOG_INFO);
	/* Packet capture by dpdk-dumpcap (a secondary process): needs a
	 * shared, hugepage-backed primary; without one it is simply off. */
	if (rte_pdump_init() < 0)
		SGD_LOG(INFO, "pdump unavailable (no multi-process: "
			"--no-shconf or --no-huge)\n");
	if (rte_lcore_count() < 2) {
		rte_eal_cleanup();
		return refuse(2, "need at least 2 lcores (one main, one "
			      "worker), e.g. -l 0,1");
	}
	n_workers = RTE_MIN(rte_lcore_count() - 1, (unsigned)SG_MAX_WORKERS);
	if (rte_eth_dev_count_avail() == 0) {
		rte_eal_cleanup();
		return refuse(2, "no ethdev port; give one with EAL options, "
			      "e.g. --vdev=net_tap0,iface=sg0");
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
	printf("; %u worker(s), service %s, cookies %s%s%s%s\n", n_workers,
	       cfg.app_threads ? cfg.service : "none (--app-threads 0: "
	       "connections wait on the accept rings)",
	       cfg.p.cookies == SG_COOKIES_AUTO ? "auto" :
	       cfg.p.cookies == SG_COOKIES_ALWAYS ? "always" : "never",
	       eal_from ? "; EAL options from " : "; embedded default port "
	       "net_tap0 (iface sg0, --file-prefix syngated, -m ",
	       eal_from ? eal_from : eal_mem, eal_from ? "" : ")");
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
	while (!got_signal && !sg_engine_stopping(e)) {
		usleep(100000);
		now = mono_sec();
		if (got_hup) {
			got_hup = 0;
			reload(e, &cfg, app_argc, app_argv);
			next_stats = now + cfg.stats_interval;
		}
		if (cfg.stats_interval && now >= next_stats) {
			print_stats(e, "stats", now - start, svc);
			next_stats += cfg.stats_interval;
		}
	}
	if (got_signal)
		SGD_LOG(INFO, "signal %d: stopping\n", (int)got_signal);
	service_stop(svc);
	sg_engine_stop(e);
	rte_eal_mp_wait_lcore();
	print_stats(e, "final", mono_sec() - start, svc);
	print_workers(e);
	rte_pdump_uninit();
	telemetry_stop();
	service_free(svc);
	ports_stop();
	ret = 0;
out_engine:
	sg_engine_destroy(e);
out_eal:
	rte_eal_cleanup();
	free_args();
	return ret == -EINVAL ? 2 : ret < 0 ? 1 : 0;
}
