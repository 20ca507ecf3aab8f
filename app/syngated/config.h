/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config — syngated's settings: defaults, the INI file (rte_cfgfile) and
 * the command line (getopt_long), in that order of precedence (the command
 * line wins).  No EAL needed: rte_cfgfile is plain C.
 *
 * Every bad value is refused with a message naming the option (or the
 * file's section/key) and the accepted values, written to `err`.
 */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "syngate.h"

#define SG_MAX_SERVICES_NAME	16

struct sg_config {
	struct sg_params p;		/* what the engine needs (syngate.h) */
	uint16_t listen_ports[SG_MAX_LISTENERS];	/* host order */
	unsigned n_listen;
	unsigned app_threads;		/* --app-threads, 0..64 (0: listen
					   without accepting) */
	char service[SG_MAX_SERVICES_NAME];	/* --service: "accept" */
	unsigned stats_interval;	/* --stats SECONDS, 0 = off */
	char config_file[256];		/* --config, "" = none */
	char cookie_key_file[256];	/* --cookie-key-file, "" = random */
	bool help;			/* --help given */
	bool version;			/* --version given */
	unsigned addr_origin;		/* addrs from: 0 default, 1 file,
					   2 command line */
};

/* Fill with the built-in defaults (also documented in --help). */
void config_defaults(struct sg_config *c);

/*
 * Apply the INI file at path (sections [syngate], [listen], see
 * config/syngated.ini).  Returns 0, or -1 with a message in err.
 */
int config_load_file(struct sg_config *c, const char *path,
		     char *err, size_t errlen);

/*
 * Parse the application arguments (after EAL's "--"): first finds --config
 * and loads that file, then applies every other option over it.
 * argv[0] is the program name.  Returns 0, or -1 with a message in err.
 * Resets getopt state itself, so it may be called more than once.
 */
int config_parse_args(struct sg_config *c, int argc, char **argv,
		      char *err, size_t errlen);

/*
 * Read a cookie key file: a 32-byte secret as 64 hex digits, on a line of
 * its own or as "secret = HEX"; blank lines and '#' comments allowed.
 * Refused when others may read or write it (mode & 006) or it is not a
 * regular file.  Returns 0, or -1 with a message in err naming the file.
 */
int config_load_secret(const char *path, uint8_t secret[32], char *err,
		       size_t errlen);

/* Write the --help text. */
void config_usage(FILE *f, const char *prog);

/* Write the manual page (roff, section 8) made from the option table. */
void config_man(FILE *f, const char *version);

/* True when "--name" (name without the dashes, up to any '=') is one of
 * syngated's own options (not an EAL one). */
bool config_is_option(const char *name);

/*
 * The EAL arguments of the INI file's [eal] section: key "args" (may
 * repeat), its value split at blanks, in file order.  *argv is set to a
 * NULL-terminated array (free it with config_free_eal) and *argc to its
 * length, 0 when the file has no [eal] section.  Returns 0, or -1 with a
 * message in err (unknown key, a syngated option among the EAL ones).
 */
int config_load_eal(const char *path, int *argc, char ***argv, char *err,
		    size_t errlen);
void config_free_eal(int argc, char **argv);

/*
 * MiB of DPDK memory (EAL -m) that the tables of c take with n_workers
 * workers (sg_engine_mem_size, a listener per --listen, a poller per
 * --app-threads), 1/8 more and 16 MiB for DPDK itself, rounded up to 16.
 */
unsigned config_eal_mem_mib(const struct sg_config *c, unsigned n_workers);

/*
 * The embedded default EAL arguments (used when none are given), with -m
 * sized to c's tables (config_eal_mem_mib) written to mem: fills argv,
 * returns their count.
 */
#define CONFIG_DEFAULT_EAL_MAX	16
unsigned config_default_eal(const struct sg_config *c,
			    const char *argv[CONFIG_DEFAULT_EAL_MAX],
			    char mem[16]);

/* Cross-field checks done after parsing (e.g. at least one listener).
 * Returns 0, or -1 with a message in err. */
int config_validate(const struct sg_config *c, char *err, size_t errlen);

#endif /* SG_CONFIG_H */
