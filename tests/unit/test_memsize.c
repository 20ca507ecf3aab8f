/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memsize: sg_engine_mem_size bounds what sg_engine_create takes from the
 * DPDK heap, closely (the daemon sizes EAL's --no-huge memory with it),
 * for the default tables and for small, large, IPv6, jumbo and
 * two-worker ones, and so do sg_listen_mem_size and sg_poller_mem_size
 * for a listener and a poller; it needs no EAL and refuses what the
 * engine refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "syngate.h"
#include "eal_group.h"

static size_t pre_eal_default;	/* sg_engine_mem_size before rte_eal_init */

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats s;

	assert_int_equal(rte_malloc_get_socket_stats((int)rte_socket_id(),
						     &s), 0);
	return s.heap_allocsz_bytes;
}

/* Create an engine with p, compare the heap it took with the estimate. */
static void
check(const struct sg_params *p, unsigned n_workers)
{
	size_t before, used, est = sg_engine_mem_size(p, n_workers);
	struct sg_engine *e;

	before = heap_used();
	assert_int_equal(sg_engine_create(p, n_workers, &e), 0);
	used = heap_used() - before;
	sg_engine_destroy(e);
	print_message("synq %u conns %u mbufs %u mss %u workers %u: heap %zu, "
		      "estimate %zu (+%.2f%%)\n", p->synq_size, p->conn_max,
		      p->mbufs, p->mss, n_workers, used, est,
		      100.0 * ((double)est - (double)used) / (double)used);
	assert_true(est >= used);
	assert_true(est <= used + used / 25 + 64 * 1024);
}

static void
test_default(void **state)
{
	struct sg_params p;

	(void)state;
	sg_params_default(&p);
	assert_int_equal(sg_engine_mem_size(&p, 1), pre_eal_default);
	check(&p, 1);
}

static void
test_sizes(void **state)
{
	struct sg_params p;

	(void)state;
	sg_params_default(&p);
	p.synq_size = 64;
	p.conn_max = 100;
	p.mbufs = 1000;
	p.backlog = 64;
	check(&p, 1);
	p.synq_size = 40000;
	p.conn_max = 30000;
	p.mbufs = 20000;
	check(&p, 1);
	assert_int_equal(sg_params_add_addr(&p, "2001:db8::1/64"), 0);
	check(&p, 1);
	p.mss = SG_MSS_MAX;		/* 9 KiB mbufs */
	p.mbufs = 4000;
	check(&p, 1);
	sg_params_default(&p);
	p.mbufs = 8000;
	check(&p, 2);
}

static void
test_listen_poller(void **state)
{
	struct sg_params p;
	struct sg_engine *e;
	struct sg_listener *l;
	struct sg_poller *pl;
	size_t before, used, est;

	(void)state;
	sg_params_default(&p);
	p.synq_size = 1024;
	p.conn_max = 20000;
	p.backlog = 5000;
	p.mbufs = 1024;
	assert_int_equal(sg_engine_create(&p, 2, &e), 0);
	before = heap_used();
	assert_int_equal(sg_listen(e, 80, 0, &l), 0);
	used = heap_used() - before;
	est = sg_listen_mem_size(&p, 2, 0);
	print_message("listener: heap %zu, estimate %zu\n", used, est);
	assert_true(est >= used && est <= used + used / 25 + 1024);
	before = heap_used();
	assert_int_equal(sg_poller_create(e, 2 * p.conn_max, &pl), 0);
	used = heap_used() - before;
	est = sg_poller_mem_size(2 * p.conn_max);
	print_message("poller: heap %zu, estimate %zu\n", used, est);
	assert_true(est >= used && est <= used + used / 25 + 1024);
	sg_poller_destroy(pl);
	sg_engine_destroy(e);
}

static void
test_invalid(void **state)
{
	struct sg_params p;

	(void)state;
	sg_params_default(&p);
	assert_int_equal(sg_engine_mem_size(&p, 0), 0);
	assert_int_equal(sg_engine_mem_size(&p, SG_MAX_WORKERS + 1), 0);
	p.conn_max = 0;
	assert_int_equal(sg_engine_mem_size(&p, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_listen_poller),
		cmocka_unit_test(test_invalid),
	};
	struct sg_params p;

	sg_params_default(&p);
	pre_eal_default = sg_engine_mem_size(&p, 1);
	return cmocka_run_group_tests(tests, eal_group_setup,
				      eal_group_teardown);
}
