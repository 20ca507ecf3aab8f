/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mbq: a connection's mbuf queue between one producer and one consumer,
 * linked through an mbuf dynamic field.  The capacity the rings it
 * replaced had (size - 1), FIFO order across many refills and uneven
 * bursts, counts from both sides, a consumer's half-taken batch followed
 * by new entries, and two threads passing a million mbufs in order.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "eal_group.h"
#include "sg_internal.h"

#define CAP	63

static struct rte_mempool *pool;

static struct rte_mbuf *
mb(uint64_t v)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m != NULL)
		*rte_pktmbuf_mtod(m, uint64_t *) = v;
	return m;
}

static uint64_t
val(struct rte_mbuf *m)
{
	uint64_t v = *rte_pktmbuf_mtod(m, uint64_t *);

	rte_pktmbuf_free(m);
	return v;
}

static void
test_capacity_and_order(void **state)
{
	struct mbq_prod p;
	struct mbq_cons c;
	struct rte_mbuf *burst[16], *m;
	uint64_t next_in = 1, next_out = 1;
	unsigned round, i, n;

	(void)state;
	mbq_init(&p, &c, CAP);
	assert_int_equal(mbq_count(&p, &c), 0);
	assert_int_equal(mbq_free_count(&p, &c), CAP);
	assert_int_equal(mbq_dequeue(&p, &c, &m), -1);
	for (i = 0; i < CAP; i++)
		assert_int_equal(mbq_enqueue(&p, &c, mb(next_in++)), 0);
	m = mb(0);
	assert_int_equal(mbq_enqueue(&p, &c, m), -1);
	rte_pktmbuf_free(m);
	assert_int_equal(mbq_count(&p, &c), CAP);
	assert_int_equal(mbq_free_count(&p, &c), 0);
	/* Uneven bursts, refilled in between: the consumer's taken batch
	 * is finished before the entries pushed since come out. */
	for (round = 0; round < 10000; round++) {
		n = mbq_dequeue_burst(&p, &c, burst, 1 + round % 16);
		assert_true(n >= 1);
		for (i = 0; i < n; i++)
			assert_int_equal(val(burst[i]), next_out++);
		while (mbq_free_count(&p, &c) != 0)
			assert_int_equal(mbq_enqueue(&p, &c, mb(next_in++)),
					 0);
		assert_int_equal(mbq_count(&p, &c), CAP);
	}
	while (mbq_dequeue(&p, &c, &m) == 0)
		assert_int_equal(val(m), next_out++);
	assert_int_equal(next_out, next_in);
	assert_int_equal(mbq_count(&p, &c), 0);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

#define LINE(f) (offsetof(struct sg_conn, f) / RTE_CACHE_LINE_SIZE)

/* A connection holds its queues in 768 bytes (docs/benchmarks.md,
 * "Memory": the <= 1 KiB per connection target), each half on the line
 * its writer owns: the worker's halves with the worker-written counters,
 * the application's with its own fields, never a line shared by the
 * two sides' queue writes. */
static void
test_conn_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct sg_conn), 768);
	assert_int_equal(LINE(c_rxq_p), LINE(c_rx_in));	/* worker */
	assert_int_equal(LINE(c_txq_c), LINE(c_rx_in));	/* worker */
	assert_int_equal(LINE(c_rxq_c), LINE(c_app_rx));	/* app */
	assert_int_equal(LINE(c_txq_p), LINE(c_app_rx));	/* app */
	assert_int_not_equal(LINE(c_rxq_p), LINE(c_rxq_c));
	assert_int_not_equal(LINE(c_txq_p), LINE(c_txq_c));
}

#define PASSES	1000000u

/* Two queues between two threads: the data one (1..N in order) and one
 * that brings the mbufs back, so that neither thread touches the mempool
 * (whose ring may spin on a producer preempted on the same CPU). */
struct two {
	struct mbq_prod p, back_p;
	struct mbq_cons c, back_c;
};

static void *
producer(void *arg)
{
	struct two *q = arg;
	struct rte_mbuf *m;
	uint64_t v = 1;

	while (v <= PASSES) {
		if (mbq_dequeue(&q->back_p, &q->back_c, &m) != 0) {
			sched_yield();	/* EAL pinned both to one CPU */
			continue;
		}
		*rte_pktmbuf_mtod(m, uint64_t *) = v;
		/* Room: at most 31 + 8 of the 40 mbufs are out. */
		if (mbq_enqueue(&q->p, &q->c, m) != 0)
			abort();
		v++;
	}
	return NULL;
}

/* One thread puts 1..N, this one takes them: all of them, in order,
 * never more than the capacity seen waiting. */
static void
test_two_threads(void **state)
{
	static struct two q;
	struct rte_mbuf *burst[8];
	uint64_t want = 1;
	pthread_t t;
	unsigned i, n;

	(void)state;
	mbq_init(&q.p, &q.c, 31);
	mbq_init(&q.back_p, &q.back_c, 40);
	for (i = 0; i < 31; i++)
		assert_int_equal(mbq_enqueue(&q.back_p, &q.back_c, mb(0)), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &q), 0);
	while (want <= PASSES) {
		assert_true(mbq_count(&q.p, &q.c) <= 31);
		n = mbq_dequeue_burst(&q.p, &q.c, burst, 8);
		if (n == 0)
			sched_yield();
		for (i = 0; i < n; i++) {
			assert_int_equal(*rte_pktmbuf_mtod(burst[i],
							   uint64_t *),
					 want++);
			assert_int_equal(mbq_enqueue(&q.back_p, &q.back_c,
						     burst[i]), 0);
		}
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(mbq_count(&q.p, &q.c), 0);
	while (mbq_dequeue(&q.back_p, &q.back_c, burst) == 0)
		rte_pktmbuf_free(burst[0]);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static int
setup(void **state)
{
	if (eal_group_setup(state) < 0 || mbq_register() < 0)
		return -1;
	/* No per-lcore cache: the producer thread is not an lcore. */
	pool = rte_pktmbuf_pool_create("t_mbq", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return pool == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	rte_mempool_free(pool);
	return eal_group_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_layout),
		cmocka_unit_test(test_capacity_and_order),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
