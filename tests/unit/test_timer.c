/* SPDX-License-Identifier: BSD-3-Clause */
/* The timing wheel against a reference: every timer fires once, at its
 * tick, across revolutions, jumps, bounded draining and clock wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sg_internal.h"

static struct timer_wheel *wheel;

static int
setup(void **state)
{
	(void)state;
	wheel = calloc(1, sizeof(*wheel));
	return wheel == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	free(wheel);
	return 0;
}

/* Advance one ms at a time from..to; record when each node fires. */
static void
run(uint32_t from, uint32_t to, struct timer_node *base, uint32_t *fired_at,
    unsigned *fired_n)
{
	struct timer_node *out[16];
	uint32_t t;
	unsigned n, i;

	for (t = from; t != to + 1; t++) {
		do {
			n = timer_advance(wheel, t, out, 16);
			for (i = 0; i < n; i++) {
				unsigned idx = (unsigned)(out[i] - base);

				assert_false(timer_armed(out[i]));
				fired_at[idx] = t;
				fired_n[idx]++;
			}
		} while (n == 16);
	}
}

static void
test_fires_at_expiry(void **state)
{
	struct timer_node n = { 0 };
	struct timer_node *out[4];
	uint32_t t;

	(void)state;
	timer_wheel_init(wheel, 1000);
	timer_node_init(&n, 3);
	timer_arm(wheel, &n, 1100);
	assert_true(timer_armed(&n));
	assert_int_equal(wheel->tw_armed, 1);
	for (t = 1001; t < 1100; t++)
		assert_int_equal(timer_advance(wheel, t, out, 4), 0);
	assert_int_equal(timer_advance(wheel, 1100, out, 4), 1);
	assert_ptr_equal(out[0], &n);
	assert_int_equal(out[0]->tn_kind, 3);
	assert_int_equal(wheel->tw_armed, 0);
	assert_int_equal(timer_advance(wheel, 1200, out, 4), 0);
}

static void
test_random_against_reference(void **state)
{
	enum { N = 3000 };
	static struct timer_node nodes[N];
	static uint32_t expire[N], fired_at[N];
	static unsigned fired_n[N];
	uint32_t x = 12345;
	unsigned i;

	(void)state;
	memset(fired_n, 0, sizeof(fired_n));
	timer_wheel_init(wheel, 0);
	for (i = 0; i < N; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		expire[i] = 1 + x % 20000;	/* up to ~5 revolutions */
		timer_node_init(&nodes[i], 1);
		timer_arm(wheel, &nodes[i], expire[i]);
	}
	assert_int_equal(wheel->tw_armed, N);
	run(1, 20001, nodes, fired_at, fired_n);
	for (i = 0; i < N; i++) {
		assert_int_equal(fired_n[i], 1);
		assert_int_equal(fired_at[i], expire[i]);
	}
	assert_int_equal(wheel->tw_armed, 0);
}

static void
test_long_timers_skip_revolutions(void **state)
{
	static struct timer_node n[2];
	static uint32_t fired_at[2];
	static unsigned fired_n[2];

	(void)state;
	memset(fired_n, 0, sizeof(fired_n));
	timer_wheel_init(wheel, 0);
	timer_node_init(&n[0], 1);
	timer_node_init(&n[1], 1);
	timer_arm(wheel, &n[0], 10000);		/* 10 s */
	timer_arm(wheel, &n[1], 60000);		/* 60 s: 14+ revolutions */
	run(1, 70000, n, fired_at, fired_n);
	assert_int_equal(fired_n[0], 1);
	assert_int_equal(fired_at[0], 10000);
	assert_int_equal(fired_n[1], 1);
	assert_int_equal(fired_at[1], 60000);
}

static void
test_cancel_and_rearm(void **state)
{
	static struct timer_node n[3];
	static uint32_t fired_at[3];
	static unsigned fired_n[3];

	(void)state;
	memset(fired_n, 0, sizeof(fired_n));
	timer_wheel_init(wheel, 0);
	timer_node_init(&n[0], 1);
	timer_node_init(&n[1], 1);
	timer_node_init(&n[2], 1);
	timer_arm(wheel, &n[0], 50);
	timer_arm(wheel, &n[1], 50);
	timer_arm(wheel, &n[2], 50);
	timer_cancel(wheel, &n[1]);
	timer_cancel(wheel, &n[1]);		/* twice is harmless */
	timer_arm(wheel, &n[2], 5000);		/* re-arm moves it */
	assert_int_equal(wheel->tw_armed, 2);
	run(1, 6000, n, fired_at, fired_n);
	assert_int_equal(fired_n[0], 1);
	assert_int_equal(fired_at[0], 50);
	assert_int_equal(fired_n[1], 0);
	assert_int_equal(fired_n[2], 1);
	assert_int_equal(fired_at[2], 5000);
}

static void
test_bounded_draining(void **state)
{
	enum { N = 1000 };
	static struct timer_node nodes[N];
	static unsigned seen[N];
	struct timer_node *out[7];
	unsigned i, n, total = 0, calls = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	timer_wheel_init(wheel, 0);
	for (i = 0; i < N; i++) {
		timer_node_init(&nodes[i], 1);
		timer_arm(wheel, &nodes[i], 10);
	}
	do {
		n = timer_advance(wheel, 10, out, 7);
		assert_true(n <= 7);
		for (i = 0; i < n; i++)
			seen[out[i] - nodes]++;
		total += n;
		calls++;
	} while (n != 0 && calls < 1000);
	assert_int_equal(total, N);
	for (i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
}

static void
test_big_jump_and_past(void **state)
{
	enum { N = 100 };
	static struct timer_node nodes[N];
	struct timer_node *out[N], late = { 0 };
	unsigned i;

	(void)state;
	timer_wheel_init(wheel, 0);
	for (i = 0; i < N; i++) {
		timer_node_init(&nodes[i], 1);
		timer_arm(wheel, &nodes[i], 1 + i * 997);
	}
	/* 100 s at once (a stalled worker): everything due comes out. */
	assert_int_equal(timer_advance(wheel, 100000, out, N), N);
	/* Armed in the past: fires on the next advance. */
	timer_node_init(&late, 2);
	timer_arm(wheel, &late, 5);
	assert_int_equal(timer_advance(wheel, 100001, out, N), 1);
	assert_ptr_equal(out[0], &late);
}

/* Random jumps (1 ms to 6 s, longer than a revolution), cancels and
 * re-arms against a reference: after each advance to t, exactly the armed
 * timers with expiry <= t have fired, each once. */
static void
test_random_jumps(void **state)
{
	enum { N = 2000 };
	static struct timer_node nodes[N];
	static uint32_t expire[N];
	static bool armed[N];
	struct timer_node *out[16];
	uint32_t x = 777, t = 1000, fired;
	unsigned i, n, round;

	(void)state;
	timer_wheel_init(wheel, t);
	for (i = 0; i < N; i++)
		timer_node_init(&nodes[i], 1);
	for (round = 0; round < 400; round++) {
		/* arm, re-arm or cancel some */
		for (i = 0; i < 20; i++) {
			unsigned k;

			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			k = x % N;
			if (x & 0x10000) {
				timer_cancel(wheel, &nodes[k]);
				armed[k] = false;
			} else {
				expire[k] = t + 1 + (x >> 3) % 20000;
				timer_arm(wheel, &nodes[k], expire[k]);
				armed[k] = true;
			}
		}
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		t += 1 + x % 6000;
		fired = 0;
		do {
			n = timer_advance(wheel, t, out, 16);
			for (i = 0; i < n; i++) {
				unsigned k = (unsigned)(out[i] - nodes);

				assert_true(armed[k]);
				assert_true((int32_t)(t - expire[k]) >= 0);
				armed[k] = false;
				fired++;
			}
		} while (n == 16);
		for (i = 0; i < N; i++)
			if (armed[i])
				assert_true((int32_t)(expire[i] - t) > 0);
		(void)fired;
	}
}

/* An empty wheel jumps to the new time at once (no walk), and timers armed
 * afterwards fire relative to it -- also after the clock wrapped. */
static void
test_empty_wheel_jumps(void **state)
{
	static struct timer_node n;
	struct timer_node *out[1];

	(void)state;
	timer_wheel_init(wheel, 0);
	assert_int_equal(timer_advance(wheel, 3000000, out, 1), 0);
	assert_int_equal(wheel->tw_now, 3000000);
	/* Time never goes back. */
	assert_int_equal(timer_advance(wheel, 2000000, out, 1), 0);
	assert_int_equal(wheel->tw_now, 3000000);
	timer_node_init(&n, 1);
	timer_arm(wheel, &n, 3000000 + 50);
	assert_int_equal(timer_advance(wheel, 3000000 + 49, out, 1), 0);
	assert_int_equal(timer_advance(wheel, 3000000 + 50, out, 1), 1);
	assert_ptr_equal(out[0], &n);
	timer_wheel_init(wheel, 0xffff0000u);
	assert_int_equal(timer_advance(wheel, 0xfffffff0u, out, 1), 0);
	assert_int_equal(wheel->tw_now, 0xfffffff0u);
	timer_arm(wheel, &n, 0x10);			/* past the wrap */
	assert_int_equal(timer_advance(wheel, 0xf, out, 1), 0);
	assert_int_equal(timer_advance(wheel, 0x10, out, 1), 1);
}

static void
test_clock_wrap(void **state)
{
	static struct timer_node n[2];
	static uint32_t fired_at[2];
	static unsigned fired_n[2];
	const uint32_t start = 0xfffff000u;

	(void)state;
	memset(fired_n, 0, sizeof(fired_n));
	timer_wheel_init(wheel, start);
	timer_node_init(&n[0], 1);
	timer_node_init(&n[1], 1);
	timer_arm(wheel, &n[0], start + 0x800);		/* before the wrap */
	timer_arm(wheel, &n[1], start + 0x2000);	/* after: 0x1000 */
	run(start + 1, 0x1800, n, fired_at, fired_n);
	assert_int_equal(fired_n[0], 1);
	assert_int_equal(fired_at[0], start + 0x800);
	assert_int_equal(fired_n[1], 1);
	assert_int_equal(fired_at[1], 0x1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_at_expiry),
		cmocka_unit_test(test_empty_wheel_jumps),
		cmocka_unit_test(test_random_jumps),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_long_timers_skip_revolutions),
		cmocka_unit_test(test_cancel_and_rearm),
		cmocka_unit_test(test_bounded_draining),
		cmocka_unit_test(test_big_jump_and_past),
		cmocka_unit_test(test_clock_wrap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
