/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 6528 ISNs: keyed per 4-tuple, advancing with a 4 us clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rte_byteorder.h>

#include "sg_internal.h"

static void
test_isn(void **state)
{
	struct siphash_key k1, k2;
	struct flow4 a = {
		.raddr = RTE_BE32(0xc6120002), .laddr = RTE_BE32(0xc6120001),
		.rport = RTE_BE16(40000), .lport = RTE_BE16(8080),
	};
	struct flow4 b = a;
	uint32_t x;

	(void)state;
	assert_int_equal(siphash_key_random(&k1), 0);
	assert_int_equal(siphash_key_random(&k2), 0);
	x = isn_make(&k1, &a, 1000000);
	/* Deterministic for a key, flow and time. */
	assert_int_equal(isn_make(&k1, &a, 1000000), x);
	/* M: +1 every 4 us, exactly, whatever the flow's offset. */
	assert_int_equal(isn_make(&k1, &a, 1000000 + 4 * 12345),
			 x + 12345);
	assert_int_equal(isn_make(&k1, &a, 1000003), x);
	/* F: the secret and every part of the 4-tuple matter. */
	assert_int_not_equal(isn_make(&k2, &a, 1000000), x);
	b.rport = RTE_BE16(40001);
	assert_int_not_equal(isn_make(&k1, &b, 1000000), x);
	b = a;
	b.raddr ^= RTE_BE32(1);
	assert_int_not_equal(isn_make(&k1, &b, 1000000), x);
	b = a;
	b.laddr ^= RTE_BE32(1);
	assert_int_not_equal(isn_make(&k1, &b, 1000000), x);
	b = a;
	b.lport = RTE_BE16(8081);
	assert_int_not_equal(isn_make(&k1, &b, 1000000), x);
}

static void
test_isn6(void **state)
{
	struct siphash_key k;
	struct flow6 a = {
		.raddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		.laddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.rport = RTE_BE16(40000), .lport = RTE_BE16(8080),
	};
	struct flow6 b;
	uint32_t x;
	unsigned i;

	(void)state;
	assert_int_equal(siphash_key_random(&k), 0);
	x = isn_make6(&k, &a, 1000000);
	assert_int_equal(isn_make6(&k, &a, 1000000 + 4 * 7), x + 7);
	/* Every byte of both addresses matters. */
	for (i = 0; i < 16; i++) {
		b = a;
		b.raddr[i] ^= 1;
		assert_int_not_equal(isn_make6(&k, &b, 1000000), x);
		b = a;
		b.laddr[i] ^= 0x40;
		assert_int_not_equal(isn_make6(&k, &b, 1000000), x);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isn),
		cmocka_unit_test(test_isn6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
