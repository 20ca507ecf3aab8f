/* SPDX-License-Identifier: BSD-3-Clause */
/* Settings: defaults, every option, every bad value named with its
 * accepted values, the INI file, and the command line overriding it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include <rte_common.h>

#include "config.h"

static char err[512];

static int
parse(struct sg_config *c, const char *const *args)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)"syngated";
	while (*args != NULL)
		argv[argc++] = (char *)(uintptr_t)*args++;
	argv[argc] = NULL;
	config_defaults(c);
	err[0] = '\0';
	return config_parse_args(c, argc, argv, err, sizeof(err));
}

/* a is text/prefix in its family. */
static void
assert_addr(const struct sg_addr *a, const char *text, unsigned prefix)
{
	uint8_t want[16] = { 0 };
	int family = strchr(text, ':') ? 6 : 4;

	assert_int_equal(inet_pton(family == 6 ? AF_INET6 : AF_INET, text,
				   want), 1);
	assert_int_equal(a->family, family);
	assert_int_equal(a->prefix, prefix);
	assert_memory_equal(a->bytes, want, family == 6 ? 16 : 4);
}

static void
test_defaults(void **state)
{
	struct sg_config c;
	const char *none[] = { NULL };

	(void)state;
	assert_int_equal(parse(&c, none), 0);
	assert_int_equal(c.p.n_addrs, 1);
	assert_addr(&c.p.addrs[0], "198.18.0.1", 24);
	assert_int_equal(c.n_listen, 1);
	assert_int_equal(c.listen_ports[0], 8080);
	assert_int_equal(c.p.cookies, SG_COOKIES_AUTO);
	assert_int_equal(c.p.synq_size, 8192);
	assert_int_equal(c.p.backlog, 4096);
	assert_int_equal(c.p.synack_retries, 5);
	assert_int_equal(c.p.synack_rto_ms, 1000);
	assert_int_equal(c.p.overflow, SG_OVERFLOW_DROP);
	assert_int_equal(c.app_threads, 1);
	assert_string_equal(c.service, "accept");
	assert_int_equal(c.stats_interval, 10);
	assert_false(c.help);
	assert_int_equal(config_validate(&c, err, sizeof(err)), 0);
}

/* The embedded default's -m: the tables' size (no EAL needed), more for
 * bigger tables, the rest of the arguments as documented. */
static void
test_default_eal_mem(void **state)
{
	const char *argv[CONFIG_DEFAULT_EAL_MAX];
	struct sg_config c;
	unsigned n, i, m, mib;
	char mem[16];

	(void)state;
	config_defaults(&c);
	mib = config_eal_mem_mib(&c, 1);
	/* The default tables take 54 MiB of heap (test_memsize). */
	assert_true(mib >= 64 && mib <= 96);
	assert_int_equal(mib % 16, 0);
	n = config_default_eal(&c, argv, mem);
	for (i = 0, m = 0; i + 1 < n; i++)
		if (strcmp(argv[i], "-m") == 0)
			m = (unsigned)atoi(argv[i + 1]);
	assert_int_equal(m, mib);
	assert_string_equal(argv[0], "-l");
	assert_string_equal(argv[1], "0,1");
	c.p.conn_max = 65536;
	assert_true(config_eal_mem_mib(&c, 1) >= mib + 48);
	c.p.mbufs = 65536;
	assert_true(config_eal_mem_mib(&c, 1) >= mib + 48 + 100);
	assert_true(config_eal_mem_mib(&c, 2) > config_eal_mem_mib(&c, 1));
}

static void
test_every_option(void **state)
{
	struct sg_config c;
	const char *args[] = {
		"--addr", "198.19.1.2/16", "--addr", "2001:db8:7::1/48",
		"--listen", "80", "--listen", "443",
		"--cookies", "always", "--synq-size", "1024", "--backlog", "128",
		"--conn-max", "4096", "--synack-retries", "2",
		"--synack-rto", "250", "--overflow", "reset", "--rst-rate", "50",
		"--mss", "1400", "--idle-sleep", "0", "--mbufs", "4096",
		"--rx-desc", "512", "--tx-desc", "256", "--app-threads", "3",
		"--service", "accept", "--stats", "2", NULL,
	};

	(void)state;
	assert_int_equal(parse(&c, args), 0);
	/* --addr is repeatable, both families at once, and replaces the
	 * default. */
	assert_int_equal(c.p.n_addrs, 2);
	assert_addr(&c.p.addrs[0], "198.19.1.2", 16);
	assert_addr(&c.p.addrs[1], "2001:db8:7::1", 48);
	assert_int_equal(c.n_listen, 2);
	assert_int_equal(c.listen_ports[0], 80);
	assert_int_equal(c.listen_ports[1], 443);
	assert_int_equal(c.p.cookies, SG_COOKIES_ALWAYS);
	assert_int_equal(c.p.synq_size, 1024);
	assert_int_equal(c.p.backlog, 128);
	assert_int_equal(c.p.conn_max, 4096);
	assert_int_equal(c.p.synack_retries, 2);
	assert_int_equal(c.p.synack_rto_ms, 250);
	assert_int_equal(c.p.overflow, SG_OVERFLOW_RESET);
	assert_int_equal(c.p.rst_rate, 50);
	assert_int_equal(c.p.mss, 1400);
	assert_int_equal(c.p.idle_sleep_us, 0);
	assert_int_equal(c.p.mbufs, 4096);
	assert_int_equal(c.p.rx_desc, 512);
	assert_int_equal(c.p.tx_desc, 256);
	assert_int_equal(c.app_threads, 3);
	assert_int_equal(c.stats_interval, 2);
	{
		const char *n[] = { "--cookies", "never", NULL };

		assert_int_equal(parse(&c, n), 0);
		assert_int_equal(c.p.cookies, SG_COOKIES_NEVER);
	}
	{
		const char *h[] = { "--help", NULL };

		assert_int_equal(parse(&c, h), 0);
		assert_true(c.help);
	}
}

/* Each bad value: refused, message names the option and what it takes. */
static void
test_bad_values(void **state)
{
	static const struct {
		const char *opt, *val, *want1, *want2;
	} bad[] = {
		{ "--cookies", "sometimes", "--cookies", "auto, always, never" },
		{ "--overflow", "maybe", "--overflow", "drop, reset" },
		{ "--service", "ftp", "--service", "accept" },
		{ "--synq-size", "63", "--synq-size", "64..16777216" },
		{ "--synq-size", "16777217", "--synq-size", "64..16777216" },
		{ "--synq-size", "12abc", "--synq-size", "not a number" },
		{ "--synq-size", "-5", "--synq-size", "64..16777216" },
		{ "--backlog", "0", "--backlog", "1..1048576" },
		{ "--conn-max", "1", "--conn-max", "64..16777216" },
		{ "--synack-retries", "16", "--synack-retries", "0..15" },
		{ "--synack-rto", "0", "--synack-rto", "1..60000" },
		{ "--rst-rate", "99999999", "--rst-rate", "0..10000000" },
		{ "--mss", "100", "--mss", "536..9000" },
		{ "--idle-sleep", "100001", "--idle-sleep", "0..100000" },
		{ "--mbufs", "10", "--mbufs", "1024..1048576" },
		{ "--rx-desc", "1000", "--rx-desc", "power of two" },
		{ "--tx-desc", "8192", "--tx-desc", "64..4096" },
		{ "--app-threads", "65", "--app-threads", "0..64" },
		{ "--stats", "3601", "--stats", "0..3600" },
		{ "--listen", "0", "--listen", "1..65535" },
		{ "--listen", "65536", "--listen", "1..65535" },
		{ "--addr", "198.18.0.1", "--addr", "unicast IPv4 address" },
		{ "--addr", "198.18.0.1/33", "--addr", "1..32" },
		{ "--addr", "nonsense/24", "--addr", "IPv4 address" },
		{ "--addr", "2001:db8::1/129", "--addr", "1..128" },
		{ "--addr", "2001:db8::1", "--addr", "2001:db8::1/64" },
		{ "--addr", "ff02::1/64", "--addr", "unicast" },
		{ "--addr", "224.0.0.1/24", "--addr", "unicast" },
		{ "--addr", "::/64", "--addr", "unicast" },
	};
	struct sg_config c;
	unsigned i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		const char *args[] = { bad[i].opt, bad[i].val, NULL };

		assert_int_equal(parse(&c, args), -1);
		if (strstr(err, bad[i].want1) == NULL ||
		    strstr(err, bad[i].want2) == NULL)
			fail_msg("%s %s: '%s'", bad[i].opt, bad[i].val, err);
	}
	{
		const char *u[] = { "--frobnicate", NULL };
		const char *dup[] = { "--listen", "80", "--listen", "80", NULL };
		const char *extra[] = { "stray", NULL };
		const char *noval[] = { "--synq-size", NULL };

		assert_int_equal(parse(&c, u), -1);
		assert_non_null(strstr(err, "--frobnicate"));
		assert_int_equal(parse(&c, dup), -1);
		assert_non_null(strstr(err, "twice"));
		assert_int_equal(parse(&c, extra), -1);
		assert_non_null(strstr(err, "stray"));
		assert_int_equal(parse(&c, noval), -1);
		assert_non_null(strstr(err, "--synq-size"));
	}
}

static char path[64];

static void
write_file(const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/sg-test-cfg.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_file(void **state)
{
	struct sg_config c;
	const char *args[] = { "--config", path, NULL };
	const char *over[] = { "--config", path, "--synq-size", "2048",
			       "--listen", "9000", "--addr", "2001:db8:9::9/64",
			       NULL };

	(void)state;
	write_file("[syngate]\naddr = 198.18.5.5/30, 2001:db8:5::5/64\n"
		   "listen = 80, 81 82\n"
		   "cookies = never\nsynq_size = 512\nsynack_rto = 3000\n"
		   "overflow = reset\napp_threads = 2\n");
	assert_int_equal(parse(&c, args), 0);
	assert_int_equal(c.p.n_addrs, 2);
	assert_addr(&c.p.addrs[0], "198.18.5.5", 30);
	assert_addr(&c.p.addrs[1], "2001:db8:5::5", 64);
	assert_int_equal(c.n_listen, 3);
	assert_int_equal(c.listen_ports[2], 82);
	assert_int_equal(c.p.cookies, SG_COOKIES_NEVER);
	assert_int_equal(c.p.synq_size, 512);
	assert_int_equal(c.p.synack_rto_ms, 3000);
	assert_int_equal(c.p.overflow, SG_OVERFLOW_RESET);
	assert_int_equal(c.app_threads, 2);
	/* The command line wins, and its --listen replaces the file's. */
	assert_int_equal(parse(&c, over), 0);
	assert_int_equal(c.p.synq_size, 2048);
	assert_int_equal(c.p.cookies, SG_COOKIES_NEVER);
	assert_int_equal(c.n_listen, 1);
	assert_int_equal(c.listen_ports[0], 9000);
	/* ... and so does its --addr. */
	assert_int_equal(c.p.n_addrs, 1);
	assert_addr(&c.p.addrs[0], "2001:db8:9::9", 64);
	unlink(path);

	write_file("[syngate]\ncookies = sometimes\n");
	assert_int_equal(parse(&c, args), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "[syngate] cookies"));
	assert_non_null(strstr(err, "auto, always, never"));
	unlink(path);

	write_file("[syngate]\nsynq_sise = 100\n");
	assert_int_equal(parse(&c, args), -1);
	assert_non_null(strstr(err, "synq_sise"));
	unlink(path);

	write_file("[other]\nx = 1\n");
	assert_int_equal(parse(&c, args), -1);
	assert_non_null(strstr(err, "[other]"));
	unlink(path);

	{
		const char *missing[] = { "--config", "/nonexistent/x.ini",
					  NULL };

		assert_int_equal(parse(&c, missing), -1);
		assert_non_null(strstr(err, "/nonexistent/x.ini"));
	}
}

/* config/syngated.ini documents the defaults: loading it changes nothing. */
/* Addresses: a duplicate and one past SG_MAX_ADDRS are refused by name. */
static void
test_addr_limits(void **state)
{
	const char *dup[] = { "--addr", "2001:db8::1/64", "--addr",
			      "2001:db8::1/120", NULL };
	const char *many[2 * SG_MAX_ADDRS + 3];
	char bufs[SG_MAX_ADDRS + 1][32];
	struct sg_config c;
	unsigned i;

	(void)state;
	assert_int_equal(parse(&c, dup), -1);
	assert_non_null(strstr(err, "--addr"));
	assert_non_null(strstr(err, "given twice"));
	for (i = 0; i <= SG_MAX_ADDRS; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "2001:db8::%u/64", i + 1);
		many[2 * i] = "--addr";
		many[2 * i + 1] = bufs[i];
	}
	many[2 * i] = NULL;
	assert_int_equal(parse(&c, many), -1);
	assert_non_null(strstr(err, "more than 8 addresses"));
	many[2 * SG_MAX_ADDRS] = NULL;
	assert_int_equal(parse(&c, many), 0);
	assert_int_equal(c.p.n_addrs, SG_MAX_ADDRS);
}

static void
test_shipped_file_is_default(void **state)
{
	const char *root = getenv("SG_SOURCE_ROOT");
	struct sg_config c, d;
	char file[512];
	const char *args[] = { "--config", file, NULL };
	const char *none[] = { NULL };

	(void)state;
	if (root == NULL)
		skip();
	snprintf(file, sizeof(file), "%s/config/syngated.ini", root);
	assert_int_equal(parse(&c, args), 0);
	assert_int_equal(parse(&d, none), 0);
	memset(c.config_file, 0, sizeof(c.config_file));
	c.addr_origin = d.addr_origin;	/* where the (same) address came from */
	assert_memory_equal(&c, &d, sizeof(c));
}

static void
test_cookie_key_file(void **state)
{
	static const char hex[] = "00112233445566778899aabbccddeeff"
				  "0123456789ABCDEF0123456789abcdef";
	uint8_t secret[32];
	struct sg_config c;
	const char *args[] = { "--cookie-key-file", path, NULL };
	char text[256];

	(void)state;
	snprintf(text, sizeof(text), "# fleet key\n\nsecret = %s\n", hex);
	write_file(text);
	chmod(path, 0600);
	assert_int_equal(parse(&c, args), 0);
	assert_string_equal(c.cookie_key_file, path);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 0);
	assert_int_equal(secret[0], 0x00);
	assert_int_equal(secret[1], 0x11);
	assert_int_equal(secret[15], 0xff);
	assert_int_equal(secret[16], 0x01);
	assert_int_equal(secret[23], 0xef);
	assert_int_equal(secret[31], 0xef);
	/* Readable by others: refused, with the mode and the remedy. */
	chmod(path, 0644);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "--cookie-key-file"));
	assert_non_null(strstr(err, "0644"));
	assert_non_null(strstr(err, "chmod 600"));
	unlink(path);
	/* Bare hex line is fine; short, non-hex, two secrets are not. */
	snprintf(text, sizeof(text), "%s\n", hex);
	write_file(text);
	chmod(path, 0600);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 0);
	unlink(path);
	write_file("secret = 0011\n");
	chmod(path, 0600);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "64 hex digits"));
	unlink(path);
	snprintf(text, sizeof(text), "%s\n%s\n", hex, hex);
	write_file(text);
	chmod(path, 0600);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 -1);
	unlink(path);
	write_file("# nothing\n");
	chmod(path, 0600);
	assert_int_equal(config_load_secret(path, secret, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no secret"));
	unlink(path);
	assert_int_equal(config_load_secret("/nonexistent/key", secret, err,
					    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_default_eal_mem),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_addr_limits),
		cmocka_unit_test(test_shipped_file_is_default),
		cmocka_unit_test(test_cookie_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
