/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poller: one sg_poller_wait never reports a connection twice, whatever a
 * worker posts meanwhile; entries of freed connections are skipped; the
 * ring cannot overflow with as many connections as it was made for.
 *
 * The connections are bare pool objects (conn_obj_init) posted to with the
 * worker's conn_post from a second thread, the way a worker lcore does.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_malloc.h>

#include "sg_internal.h"
#include "eal_group.h"

#define NCONN	48

static struct sg_conn *conns[NCONN];
static volatile int stop;

static void
make_conns(void)
{
	unsigned i;

	for (i = 0; i < NCONN; i++) {
		conns[i] = rte_zmalloc("t_conn", conn_obj_size(), 64);
		assert_non_null(conns[i]);
		assert_int_equal(conn_obj_init(conns[i]), 0);
		conns[i]->c_gen = 1;		/* live */
		conns[i]->c_held = 1;		/* the application's */
	}
}

static void
free_conns(void)
{
	unsigned i;

	for (i = 0; i < NCONN; i++)
		rte_free(conns[i]);
}

static void *
worker_thread(void *arg)
{
	static const uint32_t evs[] = {
		SG_EV_READABLE, SG_EV_WRITABLE, SG_EV_READABLE,
		SG_EV_PEER_CLOSED,
	};
	unsigned long n = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		conn_post(conns[n % NCONN], evs[(n / NCONN) % 4]), n++;
	return NULL;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A worker thread posts to 48 connections as fast as it can while this
 * thread waits for events 64 at a time: no batch may name a connection
 * twice.  (Before the fix, a wait took a second burst off the ring in
 * which a connection it had already reported was queued again: the echo
 * service then freed its state twice.)
 */
static void
test_no_duplicate_in_a_batch(void **state)
{
	struct sg_poller *p;
	struct sg_event ev[64];
	unsigned long batches = 0, events = 0;
	pthread_t t;
	double end;
	int i, j, n;

	(void)state;
	make_conns();
	assert_int_equal(sg_poller_create(NULL, NCONN, &p), 0);
	for (i = 0; i < NCONN; i++)
		assert_int_equal(sg_poller_add(p, conns[i], conns[i]), 0);
	stop = 0;
	assert_int_equal(pthread_create(&t, NULL, worker_thread, NULL), 0);
	/* Enough overlapping batches, or a time cap on a loaded machine. */
	end = mono() + 8.0;
	while (batches < 1000 && mono() < end) {
		n = sg_poller_wait(p, ev, RTE_DIM(ev), 0);
		for (i = 0; i < n; i++) {
			assert_ptr_equal(ev[i].user, ev[i].conn);
			for (j = 0; j < i; j++)
				assert_ptr_not_equal(ev[i].conn, ev[j].conn);
		}
		batches += n != 0;
		events += (unsigned long)n;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	/* The race was exercised, not just a quiet ring. */
	assert_true(batches >= 20);
	assert_true(events > batches);
	assert_int_equal(p->p_overflows, 0);
	sg_poller_destroy(p);
	free_conns();
}

/* An entry queued for a connection that was freed (and maybe reused)
 * since is skipped: its generation moved on. */
static void
test_stale_entry_skipped(void **state)
{
	struct sg_poller *p;
	struct sg_event ev[4];

	(void)state;
	make_conns();
	assert_int_equal(sg_poller_create(NULL, 4, &p), 0);
	assert_int_equal(sg_poller_add(p, conns[0], NULL), 0);
	conn_post(conns[0], SG_EV_READABLE);
	/* The worker frees it and a new life begins (promotion resets the
	 * event state, as conn_established does). */
	conns[0]->c_gen += 2;
	conns[0]->c_ev = 0;
	assert_int_equal(sg_poller_wait(p, ev, 4, 0), 0);
	assert_int_equal(p->p_stale, 1);
	/* The new life queues and reports normally. */
	conn_post(conns[0], SG_EV_READABLE);
	assert_int_equal(sg_poller_wait(p, ev, 4, 0), 1);
	sg_poller_destroy(p);
	free_conns();
}

/* Moving a connection to another poller while an entry waits on the first
 * delivers its pending events to the second. */
static void
test_move_between_pollers(void **state)
{
	struct sg_poller *a, *b;
	struct sg_event ev[4];

	(void)state;
	make_conns();
	assert_int_equal(sg_poller_create(NULL, 4, &a), 0);
	assert_int_equal(sg_poller_create(NULL, 4, &b), 0);
	assert_int_equal(sg_poller_add(a, conns[1], NULL), 0);
	conn_post(conns[1], SG_EV_READABLE);
	assert_int_equal(sg_poller_add(b, conns[1], NULL), 0);
	assert_int_equal(sg_poller_wait(b, ev, 4, 0), 0);	/* a has it */
	assert_int_equal(sg_poller_wait(a, ev, 4, 0), 0);	/* passes on */
	assert_int_equal(sg_poller_wait(b, ev, 4, 0), 1);
	assert_ptr_equal(ev[0].conn, conns[1]);
	assert_int_equal(ev[0].events, SG_EV_READABLE);
	sg_poller_destroy(a);
	sg_poller_destroy(b);
	free_conns();
}

/* A stale entry (the connection freed and reused since) whose new life
 * is on another poller with events pending: skipped as stale, the new
 * life's queued state left alone, its events reported once by its own
 * poller. */
static void
test_stale_entry_new_life_elsewhere(void **state)
{
	struct sg_poller *a, *b;
	struct sg_event ev[4];

	(void)state;
	make_conns();
	assert_int_equal(sg_poller_create(NULL, 4, &a), 0);
	assert_int_equal(sg_poller_create(NULL, 4, &b), 0);
	assert_int_equal(sg_poller_add(a, conns[2], NULL), 0);
	conn_post(conns[2], SG_EV_READABLE);
	conns[2]->c_gen += 2;		/* freed, a new life */
	conns[2]->c_ev = 0;
	assert_int_equal(sg_poller_add(b, conns[2], NULL), 0);
	conn_post(conns[2], SG_EV_WRITABLE);
	assert_int_equal(sg_poller_wait(a, ev, 4, 0), 0);
	assert_int_equal(a->p_stale, 1);
	assert_true(__atomic_load_n(&conns[2]->c_ev, __ATOMIC_RELAXED) &
		    EV_QUEUED);
	assert_int_equal(sg_poller_wait(b, ev, 4, 0), 1);
	assert_int_equal(ev[0].events, SG_EV_WRITABLE);
	sg_poller_destroy(a);
	sg_poller_destroy(b);
	free_conns();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_duplicate_in_a_batch),
		cmocka_unit_test(test_stale_entry_skipped),
		cmocka_unit_test(test_move_between_pollers),
		cmocka_unit_test(test_stale_entry_new_life_elsewhere),
	};

	return cmocka_run_group_tests(tests, eal_group_setup,
				      eal_group_teardown);
}
