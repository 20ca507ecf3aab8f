/* SPDX-License-Identifier: BSD-3-Clause */
/* Listeners and accept rings: lookup, exact backlog, FIFO, fairness across
 * workers' rings, and many consumer threads against one producer. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_pause.h>

#include "sg_internal.h"
#include "eal_group.h"


/* Fake connections: only their addresses travel through the rings. */
static struct sg_conn *
fake(uintptr_t i)
{
	return (struct sg_conn *)(i * 64 + 64);
}

static void
test_listener_table(void **state)
{
	static struct listener_table lt;
	struct sg_listener *l, *m;
	unsigned i;

	(void)state;
	memset(&lt, 0, sizeof(lt));
	assert_int_equal(listener_create(&lt, 0, 8, 1, 0, 0, &l), -EINVAL);
	assert_int_equal(listener_create(&lt, 8080, 8, 1, 0, 0, &l), 0);
	assert_int_equal(listener_create(&lt, 8080, 8, 1, 0, 0, &m), -EEXIST);
	assert_ptr_equal(listener_lookup(&lt, RTE_BE16(8080)), l);
	assert_null(listener_lookup(&lt, RTE_BE16(8081)));
	assert_null(listener_lookup(&lt, 8080));	/* host order: no */
	for (i = 1; i < SG_MAX_LISTENERS; i++)
		assert_int_equal(listener_create(&lt, (uint16_t)(9000 + i), 1,
						 1, 0, 0, &m), 0);
	assert_int_equal(listener_create(&lt, 100, 1, 1, 0, 0, &m), -ENOSPC);
	assert_int_equal(sg_listener_id(m), SG_MAX_LISTENERS - 1);
	listener_table_fini(&lt);
	assert_null(listener_lookup(&lt, RTE_BE16(8080)));
}

static void
test_exact_backlog_fifo(void **state)
{
	static struct listener_table lt;
	struct sg_listener *l;
	struct sg_conn *c;
	uintptr_t i;

	(void)state;
	memset(&lt, 0, sizeof(lt));
	assert_int_equal(listener_create(&lt, 80, 5, 1, 0, 0, &l), 0);
	for (i = 0; i < 5; i++) {
		assert_true(accept_ring_has_room(l, 0));
		assert_int_equal(accept_ring_push(l, 0, fake(i)), 0);
	}
	assert_false(accept_ring_has_room(l, 0));
	assert_int_equal(sg_accept_pending(l), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(sg_accept(l, &c), 0);
		assert_ptr_equal(c, fake(i));
	}
	assert_int_equal(sg_accept(l, &c), -EAGAIN);
	/* What is still queued at teardown goes with its pool: the rings
	 * are freed without touching the connections (fakes here). */
	accept_ring_push(l, 0, fake(9));
	accept_ring_push(l, 0, fake(10));
	listener_table_fini(&lt);
	assert_int_equal(lt.lt_n, 0);
}

static void
test_all_workers_rings_drained(void **state)
{
	static struct listener_table lt;
	struct sg_listener *l;
	struct sg_conn *c[8];

	(void)state;
	memset(&lt, 0, sizeof(lt));
	assert_int_equal(listener_create(&lt, 80, 4, 4, 0, 0, &l), 0);
	accept_ring_push(l, 3, fake(3));
	assert_int_equal(sg_accept_burst(l, c, 8), 1);
	assert_ptr_equal(c[0], fake(3));
	accept_ring_push(l, 0, fake(0));
	accept_ring_push(l, 2, fake(2));
	assert_int_equal(sg_accept_burst(l, c, 8), 2);
	/* A burst of 1 from full rings rotates its starting ring. */
	accept_ring_push(l, 0, fake(10));
	accept_ring_push(l, 1, fake(11));
	accept_ring_push(l, 2, fake(12));
	accept_ring_push(l, 3, fake(13));
	{
		unsigned seen = 0, i;

		for (i = 0; i < 4; i++) {
			assert_int_equal(sg_accept_burst(l, c, 1), 1);
			seen |= 1u << ((uintptr_t)c[0] / 64 - 1 - 10);
		}
		assert_int_equal(seen, 0xf);
	}
	listener_table_fini(&lt);
}

#define MC_TOTAL	100000
#define MC_THREADS	4

static struct sg_listener *mc_l;
static volatile int mc_done;
static uint8_t mc_seen[MC_THREADS][MC_TOTAL];

static void *
producer(void *arg)
{
	uintptr_t i;

	(void)arg;
	for (i = 0; i < MC_TOTAL; i++) {
		while (!accept_ring_has_room(mc_l, 0))
			sched_yield();	/* 2 cores, 5 threads: let them run */
		accept_ring_push(mc_l, 0, fake(i));
	}
	__atomic_store_n(&mc_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *
consumer(void *arg)
{
	uint8_t *seen = arg;
	struct sg_conn *c[16];
	unsigned n, i;

	for (;;) {
		n = sg_accept_burst(mc_l, c, 16);
		for (i = 0; i < n; i++)
			seen[(uintptr_t)c[i] / 64 - 1]++;
		if (n == 0 && __atomic_load_n(&mc_done, __ATOMIC_ACQUIRE) &&
		    sg_accept_pending(mc_l) == 0)
			break;
		if (n == 0)
			sched_yield();
	}
	return NULL;
}

static void
test_many_consumers(void **state)
{
	static struct listener_table lt;
	pthread_t p, c[MC_THREADS];
	unsigned i, t, total;

	(void)state;
	memset(&lt, 0, sizeof(lt));
	memset(mc_seen, 0, sizeof(mc_seen));
	assert_int_equal(listener_create(&lt, 80, 512, 1, 0, 0, &mc_l), 0);
	for (t = 0; t < MC_THREADS; t++)
		pthread_create(&c[t], NULL, consumer, mc_seen[t]);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	for (t = 0; t < MC_THREADS; t++)
		pthread_join(c[t], NULL);
	for (i = 0; i < MC_TOTAL; i++) {
		total = 0;
		for (t = 0; t < MC_THREADS; t++)
			total += mc_seen[t][i];
		if (total != 1)
			fail_msg("connection %u taken %u times", i, total);
	}
	listener_table_fini(&lt);
}

/* Uneven rings: with one ring deeper than the others, successive single
 * accepts still alternate between the rings (the start advances), so no
 * worker's connections wait behind another's (issue 16, gap 5). */
static void
test_round_robin_uneven_rings(void **state)
{
	static struct listener_table lt;
	struct sg_listener *l;
	struct sg_conn *c;
	uintptr_t i;
	unsigned from[2] = { 0, 0 };

	(void)state;
	memset(&lt, 0, sizeof(lt));
	assert_int_equal(listener_create(&lt, 80, 8, 2, 0, 0, &l), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(accept_ring_push(l, 0, fake(i)), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(accept_ring_push(l, 1, fake(100 + i)), 0);
	/* Four single accepts: both of ring 1's are among them. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(sg_accept(l, &c), 0);
		from[(uintptr_t)c / 64 - 1 >= 100]++;
	}
	assert_int_equal(from[0], 2);
	assert_int_equal(from[1], 2);
	assert_int_equal(sg_accept_pending(l), 4);
	listener_table_fini(&lt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listener_table),
		cmocka_unit_test(test_exact_backlog_fifo),
		cmocka_unit_test(test_all_workers_rings_drained),
		cmocka_unit_test(test_many_consumers),
		cmocka_unit_test(test_round_robin_uneven_rings),
	};

	return cmocka_run_group_tests(tests, eal_group_setup,
				      eal_group_teardown);
}
