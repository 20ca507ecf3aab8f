/* SPDX-License-Identifier: BSD-3-Clause */
/* SYN cookies: round trip of every MSS and option combination, tampering,
 * expiry, key rotation, and the forgery rate against its stated bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>

#include "sg_internal.h"

static const struct flow4 flow = {
	.raddr = RTE_BE32(0xc6120002), .laddr = RTE_BE32(0xc6120001),
	.rport = RTE_BE16(40000), .lport = RTE_BE16(8080),
};
static struct cookie_keys keys;
#define T0	(1000 * 64 + 5)		/* seconds, any */

static int
setup(void **state)
{
	(void)state;
	return cookie_keys_init(&keys);
}

/* The TSval offset of the last cookie minted. */
static uint32_t last_off;

/* Mint for a SYN with these options; return ISN and TSval. */
static uint32_t
mint(const struct cookie_opts *o, uint64_t now, uint32_t irs, uint32_t *ts)
{
	struct cookie_opts m = *o;
	uint32_t isn;

	*ts = 0;
	isn = cookie_make(&keys, &flow, irs, now, &m, 500000, ts);
	last_off = m.ts_off;
	return isn;
}

static void
test_round_trip_all_options(void **state)
{
	struct cookie_opts o, d;
	unsigned mi, ws, sack, ecn, ts;
	uint32_t isn, tsval, n = 0;

	(void)state;
	for (mi = 0; mi < COOKIE_MSS_COUNT; mi++)
	for (ts = 0; ts < 2; ts++)
	for (ws = 0; ws <= 15; ws++)	/* 15: no window scale option */
	for (sack = 0; sack < 2; sack++)
	for (ecn = 0; ecn < 2; ecn++) {
		memset(&o, 0, sizeof(o));
		o.mss = cookie_mss_table[mi];
		o.has_ts = ts;
		o.has_ws = ws != 15;
		o.wscale = (uint8_t)(ws == 15 ? 0 : ws);
		o.sack_ok = sack;
		o.ecn = ecn;
		isn = mint(&o, T0, 1000 + n, &tsval);
		assert_true(cookie_check(&keys, &flow, 1000 + n + 1, isn + 1,
					 T0, ts, tsval, &d));
		assert_int_equal(d.mss, o.mss);
		assert_int_equal(d.has_ts, ts);
		/* The connection's TSval offset comes back with it, and
		 * can be recomputed from the ISN alone. */
		assert_int_equal(d.ts_off, last_off);
		assert_int_equal(cookie_ts_offset(&keys, 4, &flow, 1000 + n,
						  isn, T0), last_off);
		if (ts) {
			assert_int_equal(d.has_ws, o.has_ws);
			if (o.has_ws)
				assert_int_equal(d.wscale, o.wscale);
			assert_int_equal(d.sack_ok, sack);
			assert_int_equal(d.ecn, ecn);
			/* TSval is the clock plus the connection's
			 * offset, never ahead of it. */
			assert_true(500000 + last_off - tsval <= 128);
		} else {
			/* No room without timestamps: lost, like Linux. */
			assert_false(d.has_ws);
			assert_false(d.sack_ok);
		}
		n++;
	}
}

static void
test_mss_rounding(void **state)
{
	(void)state;
	assert_int_equal(cookie_mss_table[cookie_mss_index(1460)], 1460);
	assert_int_equal(cookie_mss_table[cookie_mss_index(1459)], 1452);
	assert_int_equal(cookie_mss_table[cookie_mss_index(9000)], 1460);
	assert_int_equal(cookie_mss_table[cookie_mss_index(536)], 536);
	assert_int_equal(cookie_mss_table[cookie_mss_index(1300)], 1200);
	assert_int_equal(cookie_mss_table[cookie_mss_index(100)], 216);
	assert_true(COOKIE_MSS_COUNT >= 4);
}

static void
test_tampering_rejected(void **state)
{
	struct cookie_opts o = { .mss = 1460, .has_ts = true, .has_ws = true,
				 .wscale = 7, .sack_ok = true };
	struct cookie_opts d;
	struct flow4 f;
	uint32_t isn, ts;
	unsigned bit;

	(void)state;
	isn = mint(&o, T0, 77, &ts);
	assert_true(cookie_check(&keys, &flow, 78, isn + 1, T0, true, ts, &d));
	for (bit = 0; bit < 32; bit++) {
		assert_false(cookie_check(&keys, &flow, 78,
			(isn ^ (1u << bit)) + 1, T0, true, ts, &d));
		assert_false(cookie_check(&keys, &flow, 78 ^ (1u << bit),
			isn + 1, T0, true, ts, &d));
	}
	f = flow; f.raddr ^= 1;
	assert_false(cookie_check(&keys, &f, 78, isn + 1, T0, true, ts, &d));
	f = flow; f.laddr ^= RTE_BE32(1);
	assert_false(cookie_check(&keys, &f, 78, isn + 1, T0, true, ts, &d));
	f = flow; f.rport ^= 1;
	assert_false(cookie_check(&keys, &f, 78, isn + 1, T0, true, ts, &d));
	f = flow; f.lport ^= 1;
	assert_false(cookie_check(&keys, &f, 78, isn + 1, T0, true, ts, &d));
}

/*
 * The options in TSecr are not authenticated (as in Linux: only a peer
 * that saw the SYN-ACK gets this far, and it chose them): they decode as
 * echoed.  An ACK whose timestamps were stripped completes with them off
 * -- it used to fail the MAC and draw a RST (issue 10).
 */
static void
test_options_from_tsecr(void **state)
{
	struct cookie_opts o = { .mss = 1460, .has_ts = true, .has_ws = true,
				 .wscale = 7, .sack_ok = true };
	struct cookie_opts d;
	uint32_t isn, ts;

	(void)state;
	isn = mint(&o, T0, 77, &ts);
	assert_true(cookie_check(&keys, &flow, 78, isn + 1, T0, true, ts, &d));
	assert_true(d.has_ts && d.has_ws && d.sack_ok && !d.ecn);
	assert_int_equal(d.wscale, 7);
	/* SACK bit flipped on the way: decoded as echoed. */
	assert_true(cookie_check(&keys, &flow, 78, isn + 1, T0, true, ts ^ 2,
				 &d));
	assert_false(d.sack_ok);
	/* Timestamps stripped by a middlebox: everything but the MSS off. */
	assert_true(cookie_check(&keys, &flow, 78, isn + 1, T0, false, 0, &d));
	assert_false(d.has_ts || d.has_ws || d.sack_ok || d.ecn);
	assert_int_equal(d.mss, 1460);
	/* The TSval carrying them never runs ahead of the clock. */
	assert_true(cookie_tsval(100000, &o) < 100000);
	assert_int_equal(cookie_tsval(100000, &o) & 63, ts & 63);
}

static void
test_expiry(void **state)
{
	struct cookie_opts o = { .mss = 536 }, d;
	uint64_t t0 = 64 * 5000;	/* start of a tick */
	uint32_t isn, ts;

	(void)state;
	isn = mint(&o, t0, 9, &ts);
	assert_true(cookie_check(&keys, &flow, 10, isn + 1, t0, false, 0, &d));
	assert_true(cookie_check(&keys, &flow, 10, isn + 1, t0 + 63, false, 0,
				 &d));
	assert_true(cookie_check(&keys, &flow, 10, isn + 1, t0 + 127, false,
				 0, &d));
	assert_false(cookie_check(&keys, &flow, 10, isn + 1, t0 + 128, false,
				  0, &d));
	assert_false(cookie_check(&keys, &flow, 10, isn + 1, t0 + 64 * 8,
				  false, 0, &d));
	assert_false(cookie_check(&keys, &flow, 10, isn + 1, t0 + 64 * 9,
				  false, 0, &d));
	/* Before it was minted. */
	assert_false(cookie_check(&keys, &flow, 10, isn + 1, t0 - 64, false,
				  0, &d));
}

static void
test_key_rotation(void **state)
{
	struct cookie_opts o = { .mss = 1400 }, d;
	uint32_t isn, ts;

	(void)state;
	isn = mint(&o, T0, 31, &ts);
	assert_int_equal(cookie_keys_rotate(&keys), 0);
	/* The previous key still validates... */
	assert_true(cookie_check(&keys, &flow, 32, isn + 1, T0, false, 0, &d));
	/* ...and new cookies use the new key. */
	assert_int_not_equal(mint(&o, T0, 31, &ts), isn);
	assert_int_equal(cookie_keys_rotate(&keys), 0);
	assert_false(cookie_check(&keys, &flow, 32, isn + 1, T0, false, 0,
				  &d));
}

/* The layout promises 2^-27 per random guess (lib/cookie.c): for 2^21
 * guesses expect 1/64 of a hit; allow a handful. */
static void
test_forgery_rate(void **state)
{
	struct cookie_opts d;
	uint32_t x = 0x12345678, i, ok = 0;

	(void)state;
	for (i = 0; i < (1u << 21); i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		ok += cookie_check(&keys, &flow, 1000, x, T0, false, 0, &d);
	}
	assert_true(ok <= 3);
}

static const uint8_t secret1[COOKIE_SECRET_LEN] = "fleet secret one, 32 bytes long";
static const uint8_t secret2[COOKIE_SECRET_LEN] = "fleet secret two, 32 bytes long";

static void
test_derive(void **state)
{
	struct siphash_key a, b, c, d;
	uint8_t s3[COOKIE_SECRET_LEN];

	(void)state;
	cookie_key_derive(secret1, 100, &a);
	cookie_key_derive(secret1, 100, &b);
	cookie_key_derive(secret1, 101, &c);
	cookie_key_derive(secret2, 100, &d);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_not_equal(&a, &c, sizeof(a));
	assert_memory_not_equal(&a, &d, sizeof(a));
	/* The second half of the secret counts too. */
	memcpy(s3, secret1, sizeof(s3));
	s3[31] ^= 1;
	cookie_key_derive(s3, 100, &d);
	assert_memory_not_equal(&a, &d, sizeof(a));
}

/* Two hosts with the same secret: a cookie from one validates on the
 * other, in the same epoch and in the next one. */
static void
test_fleet_hosts(void **state)
{
	struct cookie_keys a, b;
	struct cookie_opts o = { .mss = 1460 }, d;
	uint32_t isn, ts;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cookie_keys_set_epoch(&a, secret1, 5000);
	cookie_keys_set_epoch(&b, secret1, 5000);
	isn = cookie_make(&a, &flow, 41, T0, &o, 1, &ts);
	assert_true(cookie_check(&b, &flow, 42, isn + 1, T0, false, 0, &d));
	cookie_keys_set_epoch(&b, secret1, 5001);
	assert_true(cookie_check(&b, &flow, 42, isn + 1, T0, false, 0, &d));
	cookie_keys_set_epoch(&b, secret1, 5002);
	assert_false(cookie_check(&b, &flow, 42, isn + 1, T0, false, 0, &d));
	/* Another fleet's secret: no. */
	cookie_keys_set_epoch(&b, secret2, 5000);
	assert_false(cookie_check(&b, &flow, 42, isn + 1, T0, false, 0, &d));
}

/* A reload keeps the replaced key until the next rotation. */
static void
test_reload_grace(void **state)
{
	struct cookie_keys k;
	struct cookie_opts o = { .mss = 1460 }, d;
	uint32_t old, fresh, ts;

	(void)state;
	memset(&k, 0, sizeof(k));
	cookie_keys_set_epoch(&k, secret1, 7000);
	old = cookie_make(&k, &flow, 41, T0, &o, 1, &ts);
	cookie_keys_reload(&k, secret2, 7000);
	fresh = cookie_make(&k, &flow, 41, T0, &o, 1, &ts);
	assert_int_not_equal(old, fresh);
	assert_true(cookie_check(&k, &flow, 42, old + 1, T0, false, 0, &d));
	assert_true(cookie_check(&k, &flow, 42, fresh + 1, T0, false, 0, &d));
	cookie_keys_set_epoch(&k, secret2, 7001);	/* rotation */
	assert_false(cookie_check(&k, &flow, 42, old + 1, T0, false, 0, &d));
	assert_true(cookie_check(&k, &flow, 42, fresh + 1, T0, false, 0, &d));
}

/* IPv6: round trip, and every byte of both 128-bit addresses is in the
 * MAC (a v6 cookie is not a v4 one for the same ports either). */
static void
test_ipv6(void **state)
{
	struct flow6 f6 = {
		.raddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		.laddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.rport = RTE_BE16(40000), .lport = RTE_BE16(8080),
	};
	struct cookie_opts o = { .mss = 1440, .has_ts = true, .has_ws = true,
				 .wscale = 7, .sack_ok = true };
	struct cookie_opts d;
	struct flow6 g;
	uint32_t isn, ts = 0;
	unsigned i;

	(void)state;
	isn = cookie_make6(&keys, &f6, 41, T0, &o, 500000, &ts);
	assert_true(cookie_check6(&keys, &f6, 42, isn + 1, T0, true, ts, &d));
	assert_int_equal(d.mss, 1440);
	assert_int_equal(d.wscale, 7);
	assert_true(d.sack_ok);
	assert_false(cookie_check6(&keys, &f6, 43, isn + 1, T0, true, ts,
				   &d));
	for (i = 0; i < 16; i++) {
		g = f6;
		g.raddr[i] ^= 0x80;
		assert_false(cookie_check6(&keys, &g, 42, isn + 1, T0, true,
					   ts, &d));
		g = f6;
		g.laddr[i] ^= 0x01;
		assert_false(cookie_check6(&keys, &g, 42, isn + 1, T0, true,
					   ts, &d));
	}
	g = f6;
	g.rport ^= 1;
	assert_false(cookie_check6(&keys, &g, 42, isn + 1, T0, true, ts, &d));
	assert_false(cookie_check(&keys, &flow, 42, isn + 1, T0, true, ts,
				  &d));
	/* Expires like a v4 cookie. */
	assert_false(cookie_check6(&keys, &f6, 42, isn + 1, T0 + 128, true,
				   ts, &d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_options),
		cmocka_unit_test(test_mss_rounding),
		cmocka_unit_test(test_tampering_rejected),
		cmocka_unit_test(test_options_from_tsecr),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_key_rotation),
		cmocka_unit_test(test_forgery_rate),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_fleet_hosts),
		cmocka_unit_test(test_reload_grace),
		cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
