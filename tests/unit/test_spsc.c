/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spsc: a connection's single-producer, single-consumer mbuf queue.
 * The capacity an rte_ring of the same size would have (size - 1), FIFO
 * order across many wrap-arounds of the indexes, counts from both sides,
 * bursts, and two threads passing a million entries in order.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sg_internal.h"

#define SIZE	64

static struct spsc *
queue(uint32_t size)
{
	struct spsc *q = aligned_alloc(64, RTE_ALIGN_CEIL(spsc_memsize(size),
							  64));

	assert_non_null(q);
	spsc_init(q, size);
	return q;
}

static void
test_capacity_and_order(void **state)
{
	struct spsc *q = queue(SIZE);
	uintptr_t next_in = 1, next_out = 1, v;
	void *burst[16];
	unsigned round, i, n;

	(void)state;
	assert_int_equal(spsc_count(q), 0);
	assert_int_equal(spsc_free_count(q), SIZE - 1);
	assert_int_equal(spsc_dequeue(q, (void **)&v), -1);
	/* Fill to the capacity of an rte_ring of the same size. */
	for (i = 0; i < SIZE - 1; i++)
		assert_int_equal(spsc_enqueue(q, (void *)next_in++), 0);
	assert_int_equal(spsc_enqueue(q, (void *)next_in), -1);
	assert_int_equal(spsc_count(q), SIZE - 1);
	assert_int_equal(spsc_free_count(q), 0);
	/* Many times around the ring, in uneven steps, in order. */
	for (round = 0; round < 10000; round++) {
		n = spsc_dequeue_burst(q, burst, 1 + round % 16);
		for (i = 0; i < n; i++)
			assert_int_equal((uintptr_t)burst[i], next_out++);
		while (spsc_free_count(q) != 0)
			assert_int_equal(spsc_enqueue(q, (void *)next_in++), 0);
		assert_int_equal(spsc_count(q), SIZE - 1);
	}
	while (spsc_dequeue(q, (void **)&v) == 0)
		assert_int_equal(v, next_out++);
	assert_int_equal(next_out, next_in);
	assert_int_equal(spsc_count(q), 0);
	free(q);
}

#define PASSES	1000000u

static void *
producer(void *arg)
{
	struct spsc *q = arg;
	uintptr_t v = 1;

	while (v <= PASSES)
		if (spsc_enqueue(q, (void *)v) == 0)
			v++;
	return NULL;
}

/* One thread puts 1..N, this one takes them: all of them, in order,
 * never more than the capacity seen waiting. */
static void
test_two_threads(void **state)
{
	struct spsc *q = queue(32);
	uintptr_t want = 1;
	void *burst[8];
	pthread_t t;
	unsigned i, n;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, producer, q), 0);
	while (want <= PASSES) {
		assert_true(spsc_count(q) <= 31);
		n = spsc_dequeue_burst(q, burst, 8);
		for (i = 0; i < n; i++)
			assert_int_equal((uintptr_t)burst[i], want++);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(spsc_count(q), 0);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_and_order),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
