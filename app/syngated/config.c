/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Settings.  One table describes every option: its long name (the INI key
 * is the same with '_' for '-'), its kind, its range or accepted words and
 * where it is stored, so the command line, the file, the error messages
 * and --help cannot drift apart.
 */
#include <arpa/inet.h>
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "config.h"

enum opt_kind {
	K_UINT,		/* decimal in [min, max] */
	K_POW2,		/* K_UINT and a power of two */
	K_WORD,		/* one of words[] -> its index */
	K_ADDR,		/* IPv4 or IPv6 address/prefix, repeatable */
	K_LISTEN,	/* port, repeatable */
	K_STRING,	/* service name, checked against words[] */
	K_CONFIG,	/* --config (command line only) */
	K_PATH,		/* a file name */
	K_HELP,		/* --help, --version: no value */
};

struct opt_desc {
	const char *name;
	enum opt_kind kind;
	unsigned long min, max;
	const char *const *words;
	const char *help;
};

static const char *const w_cookies[] = { "auto", "always", "never", NULL };
static const enum sg_cookie_mode cookie_modes[] = {
	SG_COOKIES_AUTO, SG_COOKIES_ALWAYS, SG_COOKIES_NEVER,
};
static const char *const w_overflow[] = { "drop", "reset", NULL };
static const char *const w_service[] = {
	"accept", "echo", "discard", "http", NULL,
};

/* Index = getopt_long val - OPT_BASE. */
enum {
	O_CONFIG, O_ADDR, O_LISTEN, O_COOKIES, O_SYNQ_SIZE, O_BACKLOG,
	O_CONN_MAX, O_SYNACK_RETRIES, O_SYNACK_RTO, O_OVERFLOW, O_RST_RATE,
	O_MSS, O_IDLE_SLEEP, O_MBUFS, O_RX_DESC, O_TX_DESC, O_APP_THREADS,
	O_SERVICE, O_STATS, O_MSL, O_IDLE_TIMEOUT, O_KEY_FILE, O_HELP,
	O_VERSION, O_COUNT
};
#define OPT_BASE 256

static const struct opt_desc opts[O_COUNT] = {
	[O_CONFIG] = { "config", K_CONFIG, 0, 0, NULL,
		"INI file with the same keys ('-' written '_')" },
	[O_ADDR] = { "addr", K_ADDR, 0, 0, NULL,
		"address served on the ports, IPv4 or IPv6, ADDR/PREFIX "
		"(repeatable, both families at once)" },
	[O_LISTEN] = { "listen", K_LISTEN, 1, 65535, NULL,
		"TCP port to accept on (repeatable)" },
	[O_COOKIES] = { "cookies", K_WORD, 0, 0, w_cookies,
		"SYN cookie policy" },
	[O_SYNQ_SIZE] = { "synq-size", K_UINT, 64, 16777216, NULL,
		"half-open entries per worker" },
	[O_BACKLOG] = { "backlog", K_UINT, 1, 1048576, NULL,
		"accept ring slots per listener and worker" },
	[O_CONN_MAX] = { "conn-max", K_UINT, 64, 16777216, NULL,
		"accepted connections per worker" },
	[O_SYNACK_RETRIES] = { "synack-retries", K_UINT, 0, 15, NULL,
		"SYN-ACK retransmissions before a half-open entry is dropped" },
	[O_SYNACK_RTO] = { "synack-rto", K_UINT, 1, 60000, NULL,
		"initial SYN-ACK retransmission timeout, ms (doubles)" },
	[O_OVERFLOW] = { "overflow", K_WORD, 0, 0, w_overflow,
		"full accept ring: ignore the ACK, or answer RST" },
	[O_RST_RATE] = { "rst-rate", K_UINT, 0, 10000000, NULL,
		"unsolicited RSTs per second per worker (0: none)" },
	[O_MSS] = { "mss", K_UINT, 536, 9000, NULL, "MSS we advertise" },
	[O_IDLE_SLEEP] = { "idle-sleep", K_UINT, 0, 100000, NULL,
		"longest idle back-off sleep, us (0: busy poll)" },
	[O_MBUFS] = { "mbufs", K_UINT, 1024, 1048576, NULL,
		"mbufs per worker pool" },
	[O_RX_DESC] = { "rx-desc", K_POW2, 64, 4096, NULL,
		"RX descriptors per queue" },
	[O_TX_DESC] = { "tx-desc", K_POW2, 64, 4096, NULL,
		"TX descriptors per queue" },
	[O_APP_THREADS] = { "app-threads", K_UINT, 0, 64, NULL,
		"application threads of the service (0: listen without "
		"accepting; the accept rings fill and --overflow applies)" },
	[O_SERVICE] = { "service", K_STRING, 0, 0, w_service,
		"built-in service" },
	[O_STATS] = { "stats", K_UINT, 0, 3600, NULL,
		"seconds between stats lines (0: only the final one)" },
	[O_MSL] = { "msl", K_UINT, 1, 600000, NULL,
		"maximum segment lifetime, ms (TIME-WAIT lasts 2 MSL)" },
	[O_IDLE_TIMEOUT] = { "idle-timeout", K_UINT, 0, 86400, NULL,
		"abort a connection silent this many seconds (0: never)" },
	[O_KEY_FILE] = { "cookie-key-file", K_PATH, 0, 0, NULL,
		"SYN cookie secret shared by a fleet (mode 600; reloaded on "
		"SIGHUP)" },
	[O_HELP] = { "help", K_HELP, 0, 0, NULL, "this text" },
	[O_VERSION] = { "version", K_HELP, 0, 0, NULL,
		"print the version and exit" },
};

void
config_defaults(struct sg_config *c)
{
	memset(c, 0, sizeof(*c));
	sg_params_default(&c->p);
	c->app_threads = 1;
	snprintf(c->service, sizeof(c->service), "accept");
	c->stats_interval = 10;
}

/* Where the error came from: "--name" or "FILE: [syngate] key". */
struct origin {
	const char *file;	/* NULL: command line */
};

static void
seterr(char *err, size_t len, const struct origin *o, const char *name,
       const char *fmt, ...)
{
	char key[64], msg[384];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->file == NULL) {
		snprintf(err, len, "--%s: %s", name, msg);
		return;
	}
	snprintf(key, sizeof(key), "%s", name);
	for (i = 0; key[i]; i++)
		if (key[i] == '-')
			key[i] = '_';
	snprintf(err, len, "%s: [syngate] %s: %s", o->file, key, msg);
}

static void
words_list(char *buf, size_t len, const char *const *w)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; *w != NULL && off < len; w++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", *w);
}

static int
parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int
add_listen(struct sg_config *c, unsigned long port, const struct origin *o,
	   const char *raw, char *err, size_t len)
{
	unsigned i;

	for (i = 0; i < c->n_listen; i++)
		if (c->listen_ports[i] == port) {
			seterr(err, len, o, "listen", "port %lu given twice",
			       port);
			return -1;
		}
	if (c->n_listen == SG_MAX_LISTENERS) {
		seterr(err, len, o, "listen", "more than %d ports",
		       SG_MAX_LISTENERS);
		return -1;
	}
	(void)raw;
	c->listen_ports[c->n_listen++] = (uint16_t)port;
	return 0;
}

/* The first --addr of the file replaces the default, the first of the
 * command line replaces the file's. */
static int
add_addr(struct sg_config *c, const char *val, const struct origin *o,
	 char *err, size_t len)
{
	unsigned level = o->file == NULL ? 2 : 1;
	int ret;

	if (c->addr_origin < level) {
		c->p.n_addrs = 0;
		c->addr_origin = level;
	}
	ret = sg_params_add_addr(&c->p, val);
	if (ret == -EEXIST)
		seterr(err, len, o, "addr", "'%s' given twice", val);
	else if (ret == -ENOSPC)
		seterr(err, len, o, "addr", "more than %d addresses",
		       SG_MAX_ADDRS);
	else if (ret < 0)
		seterr(err, len, o, "addr", "'%s' is not valid; accepted: a "
		       "unicast IPv4 address with a prefix length 1..32 "
		       "(e.g. 198.18.0.1/24) or IPv6 with 1..128 (e.g. "
		       "2001:db8::1/64)", val ? val : "");
	return ret < 0 ? -1 : 0;
}

/* Store the value of option id into c.  Returns 0 or -1 with err set. */
static int
apply(struct sg_config *c, unsigned id, const char *val,
      const struct origin *o, char *err, size_t len)
{
	const struct opt_desc *d = &opts[id];
	char words[128];
	unsigned long v = 0;
	unsigned i;

	switch (d->kind) {
	case K_UINT:
	case K_POW2:
		if (parse_ulong(val, &v) < 0 || v < d->min || v > d->max ||
		    (d->kind == K_POW2 && (v & (v - 1)) != 0)) {
			seterr(err, len, o, d->name, "'%s' is %s; accepted: "
			       "%lu..%lu%s", val ? val : "",
			       parse_ulong(val, &v) < 0 ? "not a number" :
			       "out of range", d->min, d->max,
			       d->kind == K_POW2 ? ", a power of two" : "");
			return -1;
		}
		break;
	case K_WORD:
	case K_STRING:
		for (i = 0; d->words[i] != NULL; i++)
			if (val != NULL && strcmp(val, d->words[i]) == 0)
				break;
		if (d->words[i] == NULL) {
			words_list(words, sizeof(words), d->words);
			seterr(err, len, o, d->name, "'%s' is not valid; "
			       "accepted: %s", val ? val : "", words);
			return -1;
		}
		v = i;
		break;
	case K_ADDR:
		return add_addr(c, val, o, err, len);
	case K_LISTEN:
		if (parse_ulong(val, &v) < 0 || v < d->min || v > d->max) {
			seterr(err, len, o, d->name, "'%s' is not a valid "
			       "port; accepted: 1..65535", val ? val : "");
			return -1;
		}
		return add_listen(c, v, o, val, err, len);
	case K_PATH:
		if (val == NULL || *val == '\0' ||
		    strlen(val) >= sizeof(c->cookie_key_file)) {
			seterr(err, len, o, d->name, "'%s' is not valid; "
			       "accepted: a file path", val ? val : "");
			return -1;
		}
		snprintf(c->cookie_key_file, sizeof(c->cookie_key_file), "%s",
			 val);
		return 0;
	case K_CONFIG:
	case K_HELP:
		return 0;
	}

	switch (id) {
	case O_COOKIES:
		c->p.cookies = cookie_modes[v];
		break;
	case O_SYNQ_SIZE: c->p.synq_size = (uint32_t)v; break;
	case O_BACKLOG: c->p.backlog = (uint32_t)v; break;
	case O_CONN_MAX: c->p.conn_max = (uint32_t)v; break;
	case O_SYNACK_RETRIES: c->p.synack_retries = (uint8_t)v; break;
	case O_SYNACK_RTO: c->p.synack_rto_ms = (uint32_t)v; break;
	case O_OVERFLOW: c->p.overflow = (enum sg_overflow)v; break;
	case O_RST_RATE: c->p.rst_rate = (uint32_t)v; break;
	case O_MSS: c->p.mss = (uint16_t)v; break;
	case O_IDLE_SLEEP: c->p.idle_sleep_us = (uint32_t)v; break;
	case O_MBUFS: c->p.mbufs = (uint32_t)v; break;
	case O_RX_DESC: c->p.rx_desc = (uint16_t)v; break;
	case O_TX_DESC: c->p.tx_desc = (uint16_t)v; break;
	case O_APP_THREADS: c->app_threads = (unsigned)v; break;
	case O_SERVICE:
		snprintf(c->service, sizeof(c->service), "%s", val);
		break;
	case O_STATS: c->stats_interval = (unsigned)v; break;
	case O_MSL: c->p.msl_ms = (uint32_t)v; break;
	case O_IDLE_TIMEOUT: c->p.idle_timeout_ms = (uint32_t)v * 1000; break;
	}
	return 0;
}

static int
opt_by_key(const char *key)
{
	char name[64];
	unsigned i;

	snprintf(name, sizeof(name), "%s", key);
	for (i = 0; name[i]; i++)
		if (name[i] == '_')
			name[i] = '-';
	for (i = 0; i < O_COUNT; i++)
		if (strcmp(opts[i].name, name) == 0 &&
		    opts[i].kind != K_CONFIG && opts[i].kind != K_HELP)
			return (int)i;
	return -1;
}

int
config_load_file(struct sg_config *c, const char *path, char *err,
		 size_t len)
{
	struct origin o = { path };
	struct rte_cfgfile *f;
	char sections[8][CFG_NAME_LEN];
	char *sp[8];
	struct rte_cfgfile_entry *ent = NULL;
	int ns, ne, i, ret = -1;

	f = rte_cfgfile_load(path, 0);
	if (f == NULL) {
		snprintf(err, len, "--config: cannot read '%s'", path);
		return -1;
	}
	for (i = 0; i < 8; i++)
		sp[i] = sections[i];
	ns = rte_cfgfile_num_sections(f, NULL, 0);
	if (ns > 8 || rte_cfgfile_sections(f, sp, 8) != ns) {
		snprintf(err, len, "%s: too many sections; accepted: "
			 "[syngate]", path);
		goto out;
	}
	for (i = 0; i < ns; i++)
		if (strcmp(sections[i], "syngate") != 0 &&
		    strcmp(sections[i], "eal") != 0) {
			snprintf(err, len, "%s: unknown section [%s]; "
				 "accepted: [syngate], [eal]", path,
				 sections[i]);
			goto out;
		}
	/* [eal] is read before the EAL starts (config_load_eal). */
	if (!rte_cfgfile_has_section(f, "syngate")) {
		ret = 0;
		goto out;
	}
	ne = rte_cfgfile_section_num_entries(f, "syngate");
	ent = calloc((size_t)RTE_MAX(ne, 1), sizeof(*ent));
	if (ent == NULL || rte_cfgfile_section_entries(f, "syngate", ent,
						       ne) != ne) {
		snprintf(err, len, "%s: cannot read [syngate]", path);
		goto out;
	}
	for (i = 0; i < ne; i++) {
		int id = opt_by_key(ent[i].name);

		if (id < 0) {
			snprintf(err, len, "%s: [syngate] %s: unknown key; see "
				 "config/syngated.ini", path, ent[i].name);
			goto out;
		}
		if (id == O_LISTEN || id == O_ADDR) {
			/* A comma/space separated list. */
			char *save = NULL, *tok;

			for (tok = strtok_r(ent[i].value, ", \t", &save);
			     tok != NULL;
			     tok = strtok_r(NULL, ", \t", &save))
				if (apply(c, (unsigned)id, tok, &o, err,
					  len) < 0)
					goto out;
			continue;
		}
		if (apply(c, (unsigned)id, ent[i].value, &o, err, len) < 0)
			goto out;
	}
	ret = 0;
out:
	free(ent);
	rte_cfgfile_close(f);
	return ret;
}

int
config_parse_args(struct sg_config *c, int argc, char **argv, char *err,
		  size_t len)
{
	struct option lo[O_COUNT + 1];
	struct origin o = { NULL };
	bool cli_listen = false;
	unsigned i;
	int ch;

	memset(lo, 0, sizeof(lo));
	for (i = 0; i < O_COUNT; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].kind == K_HELP ? no_argument :
				required_argument;
		lo[i].val = OPT_BASE + (int)i;
	}
	/* Pass 1: --config, so the rest of the command line overrides it. */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1)
		if (ch == OPT_BASE + O_CONFIG) {
			snprintf(c->config_file, sizeof(c->config_file), "%s",
				 optarg);
			if (config_load_file(c, optarg, err, len) < 0)
				return -1;
		}
	/* Pass 2: everything else. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (ch == 'h' || ch == OPT_BASE + O_HELP) {
			c->help = true;
			continue;
		}
		if (ch == OPT_BASE + O_VERSION) {
			c->version = true;
			continue;
		}
		if (ch == '?' || ch == ':') {
			const char *bad = argv[optind - 1];

			if (optopt != 0 && optopt >= OPT_BASE)
				snprintf(err, len, "--%s: needs a value",
					 opts[optopt - OPT_BASE].name);
			else
				snprintf(err, len, "unknown option '%s'; see "
					 "--help", bad);
			return -1;
		}
		i = (unsigned)(ch - OPT_BASE);
		if (i == O_LISTEN && !cli_listen) {
			/* The command line's ports replace the file's. */
			c->n_listen = 0;
			cli_listen = true;
		}
		if (apply(c, i, optarg, &o, err, len) < 0)
			return -1;
	}
	if (optind < argc) {
		snprintf(err, len, "unexpected argument '%s'; see --help",
			 argv[optind]);
		return -1;
	}
	if (c->n_listen == 0)
		c->listen_ports[c->n_listen++] = 8080;
	return 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
config_load_secret(const char *path, uint8_t secret[32], char *err,
		   size_t len)
{
	char line[256];
	struct stat st;
	bool found = false;
	FILE *f;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "--cookie-key-file: cannot read '%s'; "
			 "accepted: a regular file", path);
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, len, "--cookie-key-file: '%s' is accessible to "
			 "other users (mode %04o); accepted: a file only its "
			 "owner and group can read (chmod 600)", path,
			 (unsigned)(st.st_mode & 07777));
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, len, "--cookie-key-file: cannot open '%s'", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *eq;
		unsigned i;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		eq = strchr(p, '=');
		if (eq != NULL) {
			if (strncmp(p, "secret", 6) != 0)
				goto bad;
			p = eq + 1;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (found)
			goto bad;
		for (i = 0; i < 32; i++) {
			int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			secret[i] = (uint8_t)(hi << 4 | lo);
		}
		p += 64;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '\0')
			goto bad;
		found = true;
	}
	fclose(f);
	if (!found) {
		snprintf(err, len, "--cookie-key-file: '%s' has no secret; "
			 "accepted: 64 hex digits (32 bytes)", path);
		return -1;
	}
	return 0;
bad:
	fclose(f);
	snprintf(err, len, "--cookie-key-file: '%s' is not valid; accepted: "
		 "one line of 64 hex digits, or 'secret = <64 hex digits>'",
		 path);
	return -1;
}

int
config_validate(const struct sg_config *c, char *err, size_t len)
{
	if (c->n_listen == 0) {
		snprintf(err, len, "--listen: no port; accepted: 1..65535");
		return -1;
	}
	if (c->p.backlog > c->p.conn_max) {
		snprintf(err, len, "--backlog: %u is above --conn-max %u; "
			 "accepted: 1..conn-max", c->p.backlog,
			 c->p.conn_max);
		return -1;
	}
	return 0;
}

/*
 * The embedded default: a net_tap port (kernel side "sg0"), no NIC, no
 * hugepages.  Its own --file-prefix with the shared configuration on: the
 * EAL locks /var/run/dpdk/syngated/config, so a second instance started
 * the same way is refused instead of sharing the tap (and the telemetry
 * socket has a known place: dpdk-telemetry.py -f syngated).
 */
static const char *const default_eal[] = {
	"-l", "0,1", "--no-huge", "-m", NULL, "--file-prefix", "syngated",
	"--no-pci", "--vdev=net_tap0,iface=sg0",
	"--log-level=lib.eal:warning",
};
/* Its workers: the lcores of its -l but the main one. */
#define DEFAULT_EAL_WORKERS	1
/* DPDK's own heap use beside the engine, listeners and pollers: rte_pdump
 * statistics (4 MiB), ethdev port data, the ports' queues, EAL's
 * memzones (5 MiB with the default tables and one port, measured with
 * /eal/heap_info). */
#define EAL_MEM_FIXED_MIB	16

unsigned
config_eal_mem_mib(const struct sg_config *c, unsigned n_workers)
{
	uint64_t need;

	need = sg_engine_mem_size(&c->p, n_workers);
	need += (uint64_t)c->n_listen * sg_listen_mem_size(&c->p, n_workers,
							   0);
	if (c->app_threads != 0)
		need += (uint64_t)c->app_threads *
			sg_poller_mem_size(c->p.conn_max * n_workers);
	need += need / 8;
	need = (need + (1u << 20) - 1) >> 20;
	return (unsigned)RTE_ALIGN_CEIL(need + EAL_MEM_FIXED_MIB, 16);
}

unsigned
config_default_eal(const struct sg_config *c,
		   const char *argv[CONFIG_DEFAULT_EAL_MAX], char mem[16])
{
	unsigned i;

	RTE_BUILD_BUG_ON(RTE_DIM(default_eal) > CONFIG_DEFAULT_EAL_MAX);
	snprintf(mem, 16, "%u", config_eal_mem_mib(c, DEFAULT_EAL_WORKERS));
	for (i = 0; i < RTE_DIM(default_eal); i++)
		argv[i] = default_eal[i] != NULL ? default_eal[i] : mem;
	return RTE_DIM(default_eal);
}

bool
config_is_option(const char *name)
{
	size_t n = strcspn(name, "=");
	unsigned i;

	for (i = 0; i < O_COUNT; i++)
		if (strlen(opts[i].name) == n &&
		    strncmp(opts[i].name, name, n) == 0)
			return true;
	return false;
}

void
config_free_eal(int argc, char **argv)
{
	int i;

	if (argv == NULL)
		return;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int
config_load_eal(const char *path, int *argc, char ***argv, char *err,
		size_t len)
{
	struct rte_cfgfile_entry *ent = NULL;
	struct rte_cfgfile *f;
	char **out = NULL;
	int ne, i, n = 0, cap = 0, ret = -1;

	*argc = 0;
	*argv = NULL;
	f = rte_cfgfile_load(path, 0);
	if (f == NULL) {
		snprintf(err, len, "--config: cannot read '%s'", path);
		return -1;
	}
	if (!rte_cfgfile_has_section(f, "eal")) {
		ret = 0;
		goto out;
	}
	ne = rte_cfgfile_section_num_entries(f, "eal");
	ent = calloc((size_t)RTE_MAX(ne, 1), sizeof(*ent));
	if (ent == NULL || ne < 0 ||
	    rte_cfgfile_section_entries(f, "eal", ent, ne) != ne) {
		snprintf(err, len, "%s: cannot read [eal]", path);
		goto out;
	}
	for (i = 0; i < ne; i++) {
		char *save = NULL, *tok;

		if (strcmp(ent[i].name, "args") != 0) {
			snprintf(err, len, "%s: [eal] %s: unknown key; "
				 "accepted: args (EAL options, e.g. args = -l "
				 "0-2 -a 0000:3b:00.0; may repeat)", path,
				 ent[i].name);
			goto out;
		}
		for (tok = strtok_r(ent[i].value, " \t", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (strcmp(tok, "--") == 0 ||
			    (strncmp(tok, "--", 2) == 0 &&
			     config_is_option(tok + 2))) {
				snprintf(err, len, "%s: [eal] args: '%s' is "
					 "not an EAL option; syngated's own "
					 "options go in [syngate]", path, tok);
				goto out;
			}
			if (n + 2 > cap) {
				char **m;

				cap = cap ? cap * 2 : 16;
				m = realloc(out, (size_t)cap * sizeof(*out));
				if (m == NULL)
					goto nomem;
				out = m;
			}
			out[n] = strdup(tok);
			if (out[n] == NULL)
				goto nomem;
			out[++n] = NULL;
		}
	}
	if (n == 0) {
		snprintf(err, len, "%s: [eal] has no args; accepted: args = "
			 "EAL options (e.g. -l 0-2 -a 0000:3b:00.0)", path);
		goto out;
	}
	*argc = n;
	*argv = out;
	out = NULL;
	ret = 0;
	goto out;
nomem:
	snprintf(err, len, "%s: [eal]: out of memory", path);
out:
	config_free_eal(n, out);
	free(ent);
	rte_cfgfile_close(f);
	return ret;
}

/* The accepted values of option i ("" if none worth saying). */
static void
opt_range(unsigned i, char *buf, size_t len)
{
	const struct opt_desc *o = &opts[i];

	switch (o->kind) {
	case K_UINT:
	case K_POW2:
		snprintf(buf, len, "%lu..%lu%s", o->min, o->max,
			 o->kind == K_POW2 ? ", a power of two" : "");
		break;
	case K_WORD:
	case K_STRING:
		words_list(buf, len, o->words);
		break;
	case K_LISTEN:
		snprintf(buf, len, "1..65535");
		break;
	default:
		buf[0] = '\0';
	}
}

/* The built-in default of option i ("" if none). */
static void
opt_default(unsigned i, char *buf, size_t len)
{
	struct sg_config d;
	unsigned long v;

	config_defaults(&d);
	buf[0] = '\0';
	switch (i) {
	case O_ADDR: snprintf(buf, len, "198.18.0.1/24"); return;
	case O_LISTEN: snprintf(buf, len, "8080"); return;
	case O_COOKIES:
		for (v = 0; v < RTE_DIM(cookie_modes); v++)
			if (cookie_modes[v] == d.p.cookies)
				snprintf(buf, len, "%s", w_cookies[v]);
		return;
	case O_OVERFLOW:
		snprintf(buf, len, "%s", w_overflow[d.p.overflow]);
		return;
	case O_SERVICE: snprintf(buf, len, "%s", d.service); return;
	case O_SYNQ_SIZE: v = d.p.synq_size; break;
	case O_BACKLOG: v = d.p.backlog; break;
	case O_CONN_MAX: v = d.p.conn_max; break;
	case O_SYNACK_RETRIES: v = d.p.synack_retries; break;
	case O_SYNACK_RTO: v = d.p.synack_rto_ms; break;
	case O_RST_RATE: v = d.p.rst_rate; break;
	case O_MSS: v = d.p.mss; break;
	case O_IDLE_SLEEP: v = d.p.idle_sleep_us; break;
	case O_MBUFS: v = d.p.mbufs; break;
	case O_RX_DESC: v = d.p.rx_desc; break;
	case O_TX_DESC: v = d.p.tx_desc; break;
	case O_APP_THREADS: v = d.app_threads; break;
	case O_STATS: v = d.stats_interval; break;
	case O_MSL: v = d.p.msl_ms; break;
	case O_IDLE_TIMEOUT: v = d.p.idle_timeout_ms / 1000; break;
	default: return;
	}
	snprintf(buf, len, "%lu", v);
}

/* Changeable by SIGHUP (the rest only at start). */
static bool
opt_reloadable(unsigned i)
{
	return i == O_COOKIES || i == O_SYNACK_RETRIES ||
	       i == O_SYNACK_RTO || i == O_OVERFLOW || i == O_STATS ||
	       i == O_KEY_FILE;
}

static const char *
opt_arg(unsigned i)
{
	switch (opts[i].kind) {
	case K_UINT:
	case K_POW2:
		return "N";
	case K_WORD:
	case K_STRING:
		return "WORD";
	case K_ADDR:
		return "IP/PREFIX";
	case K_LISTEN:
		return "PORT";
	case K_CONFIG:
	case K_PATH:
		return "FILE";
	default:
		return NULL;
	}
}

/* The embedded default at the default tables (-m grows with them). */
static void
default_eal_str(char *buf, size_t len)
{
	const char *argv[CONFIG_DEFAULT_EAL_MAX];
	struct sg_config d;
	size_t off = 0;
	unsigned i, n;
	char mem[16];

	config_defaults(&d);
	n = config_default_eal(&d, argv, mem);
	buf[0] = '\0';
	/* The log level is a detail; the rest is what an operator needs. */
	for (i = 0; i + 1 < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? " " : "", argv[i]);
}

void
config_usage(FILE *f, const char *prog)
{
	char range[160], def[64], eal[256], left[40];
	unsigned i;

	default_eal_str(eal, sizeof(eal));
	fprintf(f, "usage: %s [EAL options] -- [options]\n"
		"       %s --help | --version\n\n"
		"EAL options (DPDK's: -l, -a, --vdev, --file-prefix, ...) go "
		"before '--', syngated's after it.\nWithout EAL options: the "
		"[eal] section of the --config file, else\n  %s\n"
		"(-m: the MiB the tables set below take, 1/8 and 16 MiB "
		"more; the figure is at their defaults)\n\n"
		"options:\n", prog, prog, eal);
	for (i = 0; i < O_COUNT; i++) {
		const struct opt_desc *o = &opts[i];
		const char *a = opt_arg(i);

		opt_range(i, range, sizeof(range));
		opt_default(i, def, sizeof(def));
		snprintf(left, sizeof(left), "--%s%s%s", o->name, a ? " " : "",
			 a ? a : "");
		fprintf(f, "  %-26s %s", left, o->help);
		if (range[0] || def[0])
			fprintf(f, " [%s%s%s%s]", range, range[0] && def[0] ?
				"; " : "", def[0] ? "default " : "", def);
		fprintf(f, "%s\n", opt_reloadable(i) ? " (SIGHUP)" : "");
	}
	fprintf(f, "\nevery option is also a key of section [syngate] in the "
		"--config file, '-' written '_';\nEAL options go in its "
		"section [eal] (args = ...)\n"
		"SIGHUP re-reads the options and the key file; the options "
		"marked (SIGHUP) change at run time,\neverything else only at "
		"start\nexit status: 0 stopped by SIGINT/SIGTERM, 1 failure, "
		"2 bad configuration or environment\n");
}

/* roff-escape s onto f: '-' and '\' escaped, a leading '.' or '\'' kept
 * literal. */
static void
roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
}

void
config_man(FILE *f, const char *version)
{
	char range[160], def[64], eal[256];
	unsigned i;

	default_eal_str(eal, sizeof(eal));
	fprintf(f, ".\\\" Generated by syngated --man from its option table; "
		"do not edit.\n"
		".TH SYNGATED 8 \"\" \"syngate %s\" \"System Administration\"\n"
		".SH NAME\nsyngated \\- TCP acceptor on DPDK that keeps "
		"accepting real clients under a SYN flood\n"
		".SH SYNOPSIS\n.B syngated\n.RI [ \"EAL options\" ]\n"
		".B \\-\\-\n.RI [ options ]\n.br\n.B syngated\n"
		".BR \\-\\-help \" | \" \\-\\-version\n"
		".SH DESCRIPTION\n"
		"syngated serves the server side of TCP in user space on every "
		"DPDK ethdev port the EAL finds: one poll-mode worker per lcore "
		"but the main one, a half-open table per worker with SYN-ACK "
		"retransmission, SYN cookies when the table fills (or always), "
		"accept rings drained by application threads that run a "
		"built-in service.\n.PP\n"
		"EAL options go before\n.BR \\-\\- ,\n"
		"syngated's own after it.  Without EAL options syngated takes "
		"them from the\n.B [eal]\nsection of the\n.B \\-\\-config\n"
		"file, else uses its embedded default:\n.RS\n.B ", version);
	roff(f, eal);
	fprintf(f, "\n.RE\n.PP\n"
		"a net_tap port whose kernel side is the interface sg0; no NIC, "
		"no hugepages, and\n.B \\-m\n"
		"the MiB the tables set by the options below take, with 1/8 "
		"and 16 MiB more (the figure above is at their defaults).  Two instances never share an interface: a "
		"second one serving the same\n.B iface=\n"
		"in the same network namespace, or using the same\n"
		".BR \\-\\-file\\-prefix ,\nis refused (exit status 2).\n"
		".SH OPTIONS\n");
	for (i = 0; i < O_COUNT; i++) {
		const struct opt_desc *o = &opts[i];
		const char *a = opt_arg(i);

		opt_range(i, range, sizeof(range));
		opt_default(i, def, sizeof(def));
		fprintf(f, ".TP\n.BI \"\\-\\-");
		roff(f, o->name);
		fprintf(f, "%s\"%s%s\n", a ? " " : "", a ? " " : "",
			a ? a : "");
		roff(f, o->help);
		fputs(".", f);
		if (range[0]) {
			fputs("  Accepted: ", f);
			roff(f, range);
			fputs(".", f);
		}
		if (def[0]) {
			fputs("  Default: ", f);
			roff(f, def);
			fputs(".", f);
		}
		if (opt_reloadable(i))
			fputs("  Changes on SIGHUP.", f);
		fputc('\n', f);
	}
	fprintf(f, ".SH CONFIGURATION FILE\n"
		"An INI file.  Section\n.B [syngate]\n"
		"takes every option above as a key, '\\-' written '_' "
		"(addr and listen take comma-separated lists); the command "
		"line overrides it.  Section\n.B [eal]\n"
		"takes the EAL options, key\n.B args\n"
		"(may repeat), so that a unit file needs only\n"
		".BR \"\\-\\- \\-\\-config\" \" FILE\" .\n"
		"EAL options on the command line replace the section.\n"
		".SH SIGNALS\n.TP\n.B SIGHUP\n"
		"read the options again (command line over the file) and the "
		"cookie key file; the options marked above change at run "
		"time, the others only at start.\n"
		".TP\n.BR SIGINT \", \" SIGTERM\n"
		"stop, print the final stats line and exit 0.\n"
		".SH EXIT STATUS\n.TP\n.B 0\nstopped by a signal, or "
		"\\-\\-help/\\-\\-version.\n.TP\n.B 1\na run-time failure.\n"
		".TP\n.B 2\na bad option or configuration value, or an "
		"environment it cannot run in (no hugepages, not root, no "
		"/dev/net/tun, the interface or file prefix taken by another "
		"instance), each said in one line.  systemd's\n"
		".B RestartPreventExitStatus=2\ndoes not restart it.\n"
		".SH FILES\n.TP\n.I /etc/syngate/syngated.ini\n"
		"the sample configuration, every key at its default.\n"
		".TP\n.I /var/run/dpdk/PREFIX/dpdk_telemetry.v2\n"
		"the telemetry socket (commands under /syngate/), read with\n"
		".BR \"dpdk\\-telemetry.py \\-f \" PREFIX .\n"
		".SH SEE ALSO\n.BR dpdk\\-devbind.py (8),\n"
		".BR dpdk\\-telemetry.py (1),\n"
		"docs/operations.md of the syngate sources.\n");
}
