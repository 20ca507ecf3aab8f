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
	K_HELP,
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
	O_SERVICE, O_STATS, O_MSL, O_IDLE_TIMEOUT, O_KEY_FILE, O_HELP, O_COUNT
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
	[O_APP_THREADS] = { "app-threads", K_UINT, 1, 64, NULL,
		"application threads of the service" },
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
		if (strcmp(sections[i], "syngate") != 0) {
			snprintf(err, len, "%s: unknown section [%s]; "
				 "accepted: [syngate]", path, sections[i]);
			goto out;
		}
	if (ns == 0) {
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

void
config_usage(FILE *f, const char *prog)
{
	struct sg_config d;
	char range[160];
	unsigned i;

	config_defaults(&d);
	fprintf(f, "usage: %s [EAL options] -- [options]\n\n"
		"Without EAL options: -l 0,1 --no-huge -m 512 --no-shconf "
		"--no-pci --vdev=net_tap0,iface=sg0\n\noptions:\n", prog);
	for (i = 0; i < O_COUNT; i++) {
		const struct opt_desc *o = &opts[i];

		switch (o->kind) {
		case K_UINT:
		case K_POW2:
			snprintf(range, sizeof(range), "%lu..%lu%s", o->min,
				 o->max, o->kind == K_POW2 ? ", power of 2" :
				 "");
			break;
		case K_WORD:
		case K_STRING:
			words_list(range, sizeof(range), o->words);
			break;
		case K_ADDR:
			snprintf(range, sizeof(range), "IP/PREFIX, default "
				 "198.18.0.1/24");
			break;
		case K_LISTEN:
			snprintf(range, sizeof(range), "1..65535, default "
				 "8080");
			break;
		default:
			range[0] = '\0';
		}
		fprintf(f, "  --%-16s %s%s%s%s\n", o->name, o->help,
			range[0] ? " [" : "", range, range[0] ? "]" : "");
	}
	fprintf(f, "\ndefaults: cookies auto, synq-size %u, backlog %u, "
		"conn-max %u, synack-retries %u, synack-rto %u, overflow "
		"drop, rst-rate %u, mss %u, idle-sleep %u, mbufs %u, "
		"rx-desc %u, tx-desc %u, app-threads %u, service %s, "
		"stats %u, msl %u, idle-timeout %u\n", d.p.synq_size, d.p.backlog, d.p.conn_max,
		d.p.synack_retries, d.p.synack_rto_ms, d.p.rst_rate, d.p.mss,
		d.p.idle_sleep_us, d.p.mbufs, d.p.rx_desc, d.p.tx_desc,
		d.app_threads, d.service, d.stats_interval, d.p.msl_ms,
		d.p.idle_timeout_ms / 1000);
	fprintf(f, "every option is also a key of section [syngate] in the "
		"--config file, '-' written '_'\n"
		"SIGHUP re-reads the options and the key file; cookies, "
		"synack-retries, synack-rto, overflow, stats and the cookie "
		"key change at run time, everything else only at start\n");
}
