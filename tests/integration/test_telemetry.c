/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sg_telemetry_register: the commands an engine registers answer over the
 * EAL telemetry socket (this EAL runs with telemetry, the other tests
 * without) exactly as dpdk-telemetry.py reads them, with the figures of
 * sg_engine_stats; bad prefixes, a prefix twice and a full table are
 * refused; once unregistered, or its engine destroyed, a command answers
 * null instead of reading the engine.  The engines' workers run on sink
 * ports: SYNs go in through worker_rx(), the SYN-ACKs are dropped.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "sg_internal.h"

#define SRV_IP	RTE_BE32(0xc6120001)
#define CLI_IP	RTE_BE32(0xc6120002)
#define N_SYN	7

static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* DPDK 22.11 answers up to 16 kB (MAX_OUTPUT_LEN). */
static char reply[16384];

static uint16_t
sink(void *ctx, struct rte_mbuf **m, uint16_t n)
{
	(void)ctx;
	rte_pktmbuf_free_bulk(m, n);
	return n;
}

static struct sg_engine *
engine_new(void)
{
	struct sg_engine *e;
	struct sg_listener *l;
	struct sg_params p;

	sg_params_default(&p);
	p.synq_size = 64;
	p.conn_max = 64;
	p.mbufs = 1024;
	assert_int_equal(sg_engine_create(&p, 1, &e), 0);
	assert_int_equal(sg_listen(e, 8080, 0, &l), 0);
	assert_int_equal(worker_attach_sink(sg_engine_worker(e, 0), srv_mac,
					    sink, NULL), 0);
	return e;
}

/* n SYNs to port 8080 of e's worker: half-open entries, counters move. */
static void
syns(struct sg_engine *e, unsigned n)
{
	struct worker *w = sg_engine_worker(e, 0);
	unsigned i;

	worker_tick(w, 1000000);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m =
			rte_pktmbuf_alloc(sg_engine_pktmbuf_pool(e, 0));
		struct pkt_tcp_out t;

		assert_non_null(m);
		memset(&t, 0, sizeof(t));
		t.flow.raddr = SRV_IP;
		t.flow.laddr = CLI_IP;
		t.flow.rport = RTE_BE16(8080);
		t.flow.lport = rte_cpu_to_be_16((uint16_t)(40000 + i));
		memcpy(t.dst_mac, srv_mac, 6);
		memcpy(t.src_mac, cli_mac, 6);
		t.seq = 1000 * i;
		t.flags = TCPF_SYN;
		t.win = 29200;
		m->data_len = (uint16_t)pkt_tcp_build(
			rte_pktmbuf_mtod(m, uint8_t *), &t, PKT_TX_CK_SW);
		m->pkt_len = m->data_len;
		worker_rx(w, 0, &m, 1);
	}
	worker_tick(w, 1000000);
}

/* One command over the EAL telemetry socket, as dpdk-telemetry.py sends
 * it; the JSON answer in reply. */
static const char *
tel(const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	assert_true(s >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path),
		 "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
	assert_int_equal(connect(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	/* First the greeting (version, pid, max_output_len). */
	assert_true(recv(s, reply, sizeof(reply) - 1, 0) > 0);
	assert_true(send(s, cmd, strlen(cmd), 0) == (ssize_t)strlen(cmd));
	n = recv(s, reply, sizeof(reply) - 1, 0);
	close(s);
	assert_true(n > 0);
	reply[n] = '\0';
	return reply;
}

/* json holds "name":v as a whole value. */
static bool
has_u64(const char *json, const char *name, uint64_t v)
{
	char needle[96];
	const char *p = json;
	size_t len;

	len = (size_t)snprintf(needle, sizeof(needle), "\"%s\":%" PRIu64,
			       name, v);
	while ((p = strstr(p, needle)) != NULL) {
		if (p[len] == ',' || p[len] == '}')
			return true;
		p += len;
	}
	return false;
}

static const char *stats_json;
static unsigned stats_missing;

static void
check_stat(void *arg, const char *name, uint64_t v)
{
	(void)arg;
	if (!has_u64(stats_json, name, v)) {
		print_error("%s=%" PRIu64 " not in the answer\n", name, v);
		stats_missing++;
	}
}

/* Every counter and gauge of sg_engine_stats, in PREFIX/stats. */
static void
test_stats_match_engine(void **state)
{
	struct sg_engine *e = engine_new();
	struct sg_counters c;
	struct sg_gauges g;

	(void)state;
	assert_int_equal(sg_telemetry_register(e, "/sgtest"), 0);
	syns(e, N_SYN);
	sg_engine_stats(e, &c, &g);
	assert_int_equal(c.syn_in, N_SYN);
	stats_json = tel("/sgtest/stats");
	assert_true(strncmp(stats_json, "{\"/sgtest/stats\":{", 18) == 0);
	stats_missing = 0;
	sg_stats_foreach(&c, &g, check_stat, NULL);
	assert_int_equal(stats_missing, 0);
	assert_true(has_u64(stats_json, "synq_used", N_SYN));
	sg_engine_destroy(e);
}

/* PREFIX/workers, PREFIX/worker,<id> and PREFIX/listeners. */
static void
test_workers_worker_listeners(void **state)
{
	struct sg_engine *e = engine_new();
	const char *j;

	(void)state;
	assert_int_equal(sg_telemetry_register(e, "/sgtest/b_2"), 0);
	syns(e, N_SYN);
	j = tel("/sgtest/b_2/workers");
	assert_non_null(strstr(j, "{\"/sgtest/b_2/workers\":{\"0\":"
				  "{\"state\":\"stateful\","));
	assert_true(has_u64(j, "synq_used", N_SYN));
	assert_true(has_u64(j, "syn_in", N_SYN));
	j = tel("/sgtest/b_2/worker,0");
	assert_non_null(strstr(j, "{\"/sgtest/b_2/worker\":"
				  "{\"state\":\"stateful\","));
	assert_true(has_u64(j, "syn_in", N_SYN));
	j = tel("/sgtest/b_2/worker,1");
	assert_string_equal(j, "{\"/sgtest/b_2/worker\":null}");
	j = tel("/sgtest/b_2/worker");
	assert_string_equal(j, "{\"/sgtest/b_2/worker\":null}");
	j = tel("/sgtest/b_2/listeners");
	assert_non_null(strstr(j, "\"8080\":{\"backlog\":"));
	assert_true(has_u64(j, "overflows", 0));
	sg_engine_destroy(e);
}

static void
test_bad_prefix(void **state)
{
	static const char *const bad[] = {
		"sgtest", "", "/", "/Sg", "/sg-test", "/sg.test", "/sg test",
		"/sgtest/", "//sgtest", "/sg//test",
		/* 46 characters: with "/listeners", past DPDK's 55 */
		"/abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopqr",
	};
	struct sg_engine *e = engine_new();
	unsigned i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++)
		if (sg_telemetry_register(e, bad[i]) != -EINVAL)
			fail_msg("prefix \"%s\" taken", bad[i]);
	assert_int_equal(sg_telemetry_register(e, NULL), -EINVAL);
	assert_int_equal(sg_telemetry_register(NULL, "/sgtest_c"), -EINVAL);
	/* 45 characters fit. */
	assert_int_equal(sg_telemetry_register(e,
		"/abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopq"), 0);
	assert_non_null(strstr(tel("/abcdefghijklmnopqrstuvwxyz_"
				   "abcdefghijklmnopq/listeners"), "\"8080\""));
	sg_engine_destroy(e);
}

static void
test_prefix_twice(void **state)
{
	struct sg_engine *a = engine_new(), *b = engine_new();

	(void)state;
	assert_int_equal(sg_telemetry_register(a, "/sgtest"), 0);
	assert_int_equal(sg_telemetry_register(a, "/sgtest"), -EEXIST);
	assert_int_equal(sg_telemetry_register(b, "/sgtest"), -EEXIST);
	syns(a, 1);
	/* Still a's. */
	assert_true(has_u64(tel("/sgtest/stats"), "syn_in", 1));
	sg_engine_destroy(b);
	sg_engine_destroy(a);
}

/* After unregister the commands answer null; the prefix can serve
 * again, another engine this time. */
static void
test_unregister(void **state)
{
	struct sg_engine *a = engine_new(), *b = engine_new();

	(void)state;
	assert_int_equal(sg_telemetry_register(a, "/sgtest"), 0);
	syns(a, 3);
	assert_true(has_u64(tel("/sgtest/stats"), "syn_in", 3));
	sg_telemetry_unregister(a);
	assert_string_equal(tel("/sgtest/stats"), "{\"/sgtest/stats\":null}");
	assert_string_equal(tel("/sgtest/workers"),
			    "{\"/sgtest/workers\":null}");
	assert_string_equal(tel("/sgtest/worker,0"),
			    "{\"/sgtest/worker\":null}");
	assert_string_equal(tel("/sgtest/listeners"),
			    "{\"/sgtest/listeners\":null}");
	assert_int_equal(sg_telemetry_register(b, "/sgtest"), 0);
	assert_true(has_u64(tel("/sgtest/stats"), "syn_in", 0));
	sg_engine_destroy(a);
	assert_true(has_u64(tel("/sgtest/stats"), "syn_in", 0));
	sg_engine_destroy(b);
}

/* sg_engine_destroy unregisters: nothing reads the freed engine. */
static void
test_destroy_unregisters(void **state)
{
	struct sg_engine *e = engine_new();

	(void)state;
	assert_int_equal(sg_telemetry_register(e, "/sgtest_d"), 0);
	assert_int_equal(sg_telemetry_register(e, "/sgtest_d2"), 0);
	assert_non_null(strstr(tel("/sgtest_d2/listeners"), "\"8080\""));
	sg_engine_destroy(e);
	assert_string_equal(tel("/sgtest_d/stats"),
			    "{\"/sgtest_d/stats\":null}");
	assert_string_equal(tel("/sgtest_d2/listeners"),
			    "{\"/sgtest_d2/listeners\":null}");
}

/* SG_TELEMETRY_MAX_PREFIXES engines at once, then -ENOSPC; a slot an
 * engine left serves a new prefix, and the old one's commands stay
 * dead. */
static void
test_table_full(void **state)
{
	struct sg_engine *e[SG_TELEMETRY_MAX_PREFIXES], *x = engine_new();
	char name[32];
	unsigned i;

	(void)state;
	for (i = 0; i < SG_TELEMETRY_MAX_PREFIXES; i++) {
		e[i] = engine_new();
		snprintf(name, sizeof(name), "/sgfull/e%u", i);
		assert_int_equal(sg_telemetry_register(e[i], name), 0);
	}
	assert_int_equal(sg_telemetry_register(x, "/sgfull/x"), -ENOSPC);
	sg_engine_destroy(e[3]);
	assert_int_equal(sg_telemetry_register(x, "/sgfull/x"), 0);
	assert_string_equal(tel("/sgfull/e3/stats"),
			    "{\"/sgfull/e3/stats\":null}");
	assert_true(has_u64(tel("/sgfull/x/stats"), "syn_in", 0));
	assert_true(has_u64(tel("/sgfull/e4/stats"), "syn_in", 0));
	for (i = 0; i < SG_TELEMETRY_MAX_PREFIXES; i++)
		if (i != 3)
			sg_engine_destroy(e[i]);
	sg_engine_destroy(x);
}

static volatile bool reader_stop;

/* Query until told to stop: the telemetry thread runs the callback
 * while the main thread destroys the engine. */
static void *
reader(void *arg)
{
	unsigned *n = arg;

	while (!__atomic_load_n(&reader_stop, __ATOMIC_ACQUIRE)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char buf[16384];
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path),
			 "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
		if (s < 0 || connect(s, (struct sockaddr *)&sun,
				     sizeof(sun)) < 0 ||
		    recv(s, buf, sizeof(buf), 0) <= 0 ||
		    send(s, "/sgrace/workers", 15, 0) != 15 ||
		    recv(s, buf, sizeof(buf), 0) <= 0) {
			if (s >= 0)
				close(s);
			continue;
		}
		close(s);
		(*n)++;
	}
	return NULL;
}

/* Destroy while a client reads, again and again: destroy waits for a
 * callback in flight, and nothing hangs or crashes. */
static void
test_destroy_while_reading(void **state)
{
	unsigned round, n = 0;
	pthread_t t;

	(void)state;
	reader_stop = false;
	assert_int_equal(pthread_create(&t, NULL, reader, &n), 0);
	for (round = 0; round < 20; round++) {
		struct sg_engine *e = engine_new();

		assert_int_equal(sg_telemetry_register(e, "/sgrace"), 0);
		usleep(2000);
		sg_engine_destroy(e);
	}
	__atomic_store_n(&reader_stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_true(n > 0);
	assert_string_equal(tel("/sgrace/workers"),
			    "{\"/sgrace/workers\":null}");
}

static int
setup(void **state)
{
	char prefix[32];
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-shconf",
			 "--no-pci",
			 "-l", "0", "--log-level=lib.*:error",
			 "--log-level=syngate.telemetry:critical",
			 "--file-prefix", prefix };

	(void)state;
	/* Telemetry on (unlike the other tests), on a socket of its own. */
	snprintf(prefix, sizeof(prefix), "sgtel%d", (int)getpid());
	return rte_eal_init((int)RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	char dir[PATH_MAX], sock[PATH_MAX + 32];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(sock, sizeof(sock), "%s/dpdk_telemetry.v2", dir);
	rte_eal_cleanup();
	/* DPDK unlinks the socket at exit and leaves the directory of this
	 * per-pid prefix: take both now. */
	unlink(sock);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_match_engine),
		cmocka_unit_test(test_workers_worker_listeners),
		cmocka_unit_test(test_bad_prefix),
		cmocka_unit_test(test_prefix_twice),
		cmocka_unit_test(test_unregister),
		cmocka_unit_test(test_destroy_unregisters),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_destroy_while_reading),
	};

	return cmocka_run_group_tests_name("telemetry", tests, setup,
					   teardown);
}
