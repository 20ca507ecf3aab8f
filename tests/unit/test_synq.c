/* SPDX-License-Identifier: BSD-3-Clause */
/* The half-open table and the flow table under it: full, evict/reuse,
 * timeout through the wheel, keyed hashing, many flows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_eal.h>

#include "eal_group.h"
#include <rte_lcore.h>

#include "sg_internal.h"

static struct flow4
flow_n(uint32_t n)
{
	struct flow4 f = {
		.raddr = rte_cpu_to_be_32(0xc6120000 | (n >> 16)),
		.laddr = RTE_BE32(0xc6120001),
		.rport = rte_cpu_to_be_16((uint16_t)(1024 + (n & 0x7fff))),
		.lport = RTE_BE16(8080),
	};

	f.raddr = rte_cpu_to_be_32(0xc6120000 | (n >> 15));
	return f;
}

/* The key a value holds: a half-open entry's (ctx: its table), or the
 * struct flow4 a test maps as the value itself. */
static const void *
key_of(const void *ctx, const void *v)
{
	if (flow_is_synq(v))
		return synq_key(ctx, synq_untag((void *)(uintptr_t)v));
	return v;
}

static void
test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct synq_entry), 64);
	assert_int_equal(_Alignof(struct synq_entry), 64);
}

static void
test_insert_lookup_remove(void **state)
{
	struct flow_table ft;
	struct synq q = { 0 };
	struct timer_wheel *tw = calloc(1, sizeof(*tw));
	struct flow4 a = flow_n(1), b = flow_n(2), c = flow_n(3);
	const void *keys[3] = { &a, &b, &c };
	uint32_t sig[3];
	void *data[3];
	struct synq_entry *ea, *eb;
	int err = 0;

	(void)state;
	timer_wheel_init(tw, 0);
	assert_int_equal(flow_table_init(&ft, "t_ft1", 256, 4, 0, key_of,
					 &q), 0);
	assert_int_equal(synq_init(&q, 64, false, 0), 0);
	sig[0] = flow_hash(&ft, &a);
	sig[1] = flow_hash(&ft, &b);
	sig[2] = flow_hash(&ft, &c);
	ea = synq_insert(&q, &ft, 4, &a, sig[0], &err);
	eb = synq_insert(&q, &ft, 4, &b, sig[1], &err);
	assert_non_null(ea);
	assert_non_null(eb);
	assert_ptr_not_equal(ea, eb);
	assert_memory_equal(&ea->se_flow, &a, sizeof(a));
	assert_false(timer_armed(&ea->se_timer));
	assert_int_equal(synq_used(&q), 2);
	/* One bulk call: two hits, one miss. */
	flow_lookup_bulk(&ft, keys, sig, 3, data);
	assert_true(flow_is_synq(data[0]));
	assert_ptr_equal(synq_untag(data[0]), ea);
	assert_ptr_equal(synq_untag(data[1]), eb);
	assert_null(data[2]);
	assert_ptr_equal(synq_untag(flow_lookup(&ft, &a, sig[0])), ea);
	/* Remove with unmap: a miss afterwards. */
	synq_remove(&q, &ft, tw, ea, true);
	assert_null(flow_lookup(&ft, &a, sig[0]));
	assert_int_equal(synq_used(&q), 1);
	/* Remove without unmap (promotion): the key stays, slot is free. */
	synq_remove(&q, &ft, tw, eb, false);
	assert_non_null(flow_lookup(&ft, &b, sig[1]));
	assert_int_equal(synq_used(&q), 0);
	assert_int_equal(flow_count(&ft), 1);
	synq_fini(&q);
	flow_table_fini(&ft);
	free(tw);
}

static void
fill_to_capacity(uint32_t cap)
{
	struct flow_table ft;
	struct synq q = { 0 };
	struct timer_wheel *tw = calloc(1, sizeof(*tw));
	struct synq_entry *e, *first = NULL;
	struct flow4 f;
	uint32_t i;
	int err = 0;

	timer_wheel_init(tw, 0);
	assert_int_equal(flow_table_init(&ft, "t_ft2", 2 * cap, 4, 0, key_of,
					 &q), 0);
	assert_int_equal(synq_init(&q, cap, false, 0), 0);
	for (i = 0; i < cap; i++) {
		f = flow_n(i + 1);
		e = synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err);
		assert_non_null(e);
		/* Inside the one array, never outside it. */
		assert_true(e >= q.sq_entries && e < q.sq_entries + cap);
		if (first == NULL)
			first = e;
	}
	assert_int_equal(synq_used(&q), cap);
	f = flow_n(cap + 1);
	assert_null(synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err));
	assert_int_equal(err, -ENOSPC);
	assert_null(flow_lookup(&ft, &f, flow_hash(&ft, &f)));
	/* Evict one: exactly one more fits. */
	synq_remove(&q, &ft, tw, first, true);
	assert_non_null(synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err));
	f = flow_n(cap + 2);
	assert_null(synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err));
	synq_fini(&q);
	flow_table_fini(&ft);
	free(tw);
}

static void
test_full(void **state)
{
	(void)state;
	fill_to_capacity(64);
	fill_to_capacity(1024);
}

/* Entries time out through the wheel; a removed entry's timer is gone. */
static void
test_timeout(void **state)
{
	struct flow_table ft;
	struct synq q = { 0 };
	struct timer_wheel *tw = calloc(1, sizeof(*tw));
	struct synq_entry *e[8];
	struct timer_node *out[8];
	struct flow4 f;
	unsigned i, n;
	int err;

	(void)state;
	timer_wheel_init(tw, 0);
	assert_int_equal(flow_table_init(&ft, "t_ft3", 64, 4, 0, key_of,
					 &q), 0);
	assert_int_equal(synq_init(&q, 8, false, 0), 0);
	for (i = 0; i < 8; i++) {
		f = flow_n(100 + i);
		e[i] = synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err);
		timer_arm(tw, &e[i]->se_timer, 1000 + i * 100);
	}
	synq_remove(&q, &ft, tw, e[3], true);
	synq_remove(&q, &ft, tw, e[5], true);
	n = timer_advance(tw, 2000, out, 8);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		struct synq_entry *x = container_of(out[i], struct synq_entry,
						    se_timer);

		assert_int_equal(out[i]->tn_kind, TK_SYNACK);
		assert_ptr_not_equal(x, e[3]);
		assert_ptr_not_equal(x, e[5]);
		synq_remove(&q, &ft, tw, x, true);
	}
	assert_int_equal(synq_used(&q), 0);
	assert_int_equal(flow_count(&ft), 0);
	synq_fini(&q);
	flow_table_fini(&ft);
	free(tw);
}

static void
test_keyed_hash(void **state)
{
	struct flow_table t1, t2;
	struct flow4 f;
	unsigned i, differ = 0;

	(void)state;
	assert_int_equal(flow_table_init(&t1, "t_ft4", 64, 4, 0, key_of,
					 NULL), 0);
	assert_int_equal(flow_table_init(&t2, "t_ft5", 64, 4, 0, key_of,
					 NULL), 0);
	for (i = 0; i < 16; i++) {
		f = flow_n(i + 1);
		assert_int_equal(flow_hash(&t1, &f), flow_hash(&t1, &f));
		differ += flow_hash(&t1, &f) != flow_hash(&t2, &f);
	}
	assert_true(differ > 0);
	flow_table_fini(&t1);
	flow_table_fini(&t2);
}

/* A flow6 like flow_n: 2001:db8::/32 sources, sequential ports. */
static struct flow6
flow6_n(uint32_t n)
{
	struct flow6 f = {
		.raddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.laddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		.rport = rte_cpu_to_be_16((uint16_t)(1024 + (n & 0x7fff))),
		.lport = RTE_BE16(8080),
	};

	f.raddr[13] = (uint8_t)(n >> 15);
	f.raddr[12] = (uint8_t)(n >> 23);
	return f;
}

static uint32_t
hash_n(const struct flow_table *ft, uint32_t n)
{
	struct flow4 f4;
	struct flow6 f6;

	if (ft->ft_key_len == sizeof(struct flow4)) {
		f4 = flow_n(n);
		return flow_hash(ft, &f4);
	}
	f6 = flow6_n(n);
	return flow_hash(ft, &f6);
}

/*
 * The flow hash spreads what a flood sends (sequential ports from few
 * sources) like a random function would: the primary buckets pass a
 * chi-square test (8 flows a bucket; the bound is six standard
 * deviations over the mean), the 16-bit tags too (over their top 8
 * bits), every output bit is set about half the time, and two tables
 * (two keys) put a flow in the same bucket about once in a bucket count.
 */
static void
test_flow_hash_spread(void **state)
{
	enum { N = 65536, BKT = 8192 };
	static uint32_t load[BKT], tags[256];
	struct flow_table t1, t2;
	unsigned family, i, b, same;
	uint32_t ones[32];
	double chi, e;

	(void)state;
	for (family = 4; family <= 6; family += 2) {
		assert_int_equal(flow_table_init(&t1, "t_fs1", BKT * FLOW_SLOTS,
						 family, 0, key_of, NULL), 0);
		assert_int_equal(flow_table_init(&t2, "t_fs2", BKT * FLOW_SLOTS,
						 family, 0, key_of, NULL), 0);
		assert_int_equal(t1.ft_mask, BKT - 1);
		memset(load, 0, sizeof(load));
		memset(tags, 0, sizeof(tags));
		memset(ones, 0, sizeof(ones));
		same = 0;
		for (i = 0; i < N; i++) {
			uint32_t s = hash_n(&t1, i);

			load[flow_bucket1(&t1, s)]++;
			tags[flow_tag(s) >> 8]++;
			for (b = 0; b < 32; b++)
				ones[b] += s >> b & 1;
			same += flow_bucket1(&t1, s) ==
				flow_bucket1(&t2, hash_n(&t2, i));
		}
		e = (double)N / BKT;
		for (chi = 0, b = 0; b < BKT; b++)
			chi += (load[b] - e) * (load[b] - e) / e;
		assert_true(chi < BKT + 6 * 128);	/* sqrt(2 * BKT) */
		e = (double)N / 256;
		for (chi = 0, b = 0; b < 256; b++)
			chi += (tags[b] - e) * (tags[b] - e) / e;
		assert_true(chi < 256 + 6 * 23);	/* sqrt(2 * 256) */
		for (b = 0; b < 32; b++)
			assert_true(ones[b] > N / 2 - 6 * 128 &&
				    ones[b] < N / 2 + 6 * 128);
		assert_true(same < 8 * N / BKT);
		flow_table_fini(&t1);
		flow_table_fini(&t2);
	}
}

static void
test_many_flows(void **state)
{
	enum { N = 50000 };
	struct flow_table ft;
	struct flow4 f;
	static struct flow4 tag[N];
	uint32_t i;

	(void)state;
	assert_int_equal(flow_table_init(&ft, "t_ft6", 2 * N, 4, 0, key_of,
					 NULL), 0);
	for (i = 0; i < N; i++) {
		f = flow_n(i + 1);
		tag[i] = f;
		assert_int_equal(flow_add(&ft, &f, flow_hash(&ft, &f),
					  &tag[i]), 0);
	}
	assert_int_equal(flow_count(&ft), N);
	for (i = 0; i < N; i++) {
		f = flow_n(i + 1);
		assert_ptr_equal(flow_lookup(&ft, &f, flow_hash(&ft, &f)),
				 &tag[i]);
	}
	flow_table_fini(&ft);
}

/* A table that is really full: flow_add says so (-ENOSPC), the key is
 * not there, and the count stays what was added (issue 16, gap 6: every
 * other test sizes the tables at twice their capacity). */
static void
test_flow_add_full(void **state)
{
	struct flow_table ft;
	struct flow4 f;
	static struct flow4 tag[256];
	uint32_t i, added = 0;
	int ret = 0;

	(void)state;
	assert_int_equal(flow_table_init(&ft, "t_ft7", 16, 4, 0, key_of, NULL),
			 0);
	for (i = 0; i < 256; i++) {
		f = flow_n(i + 1);
		tag[i] = f;
		ret = flow_add(&ft, &f, flow_hash(&ft, &f), &tag[i]);
		if (ret != 0)
			break;
		added++;
	}
	assert_int_equal(ret, -ENOSPC);
	assert_true(added >= 16 && added < 256);
	assert_int_equal(flow_count(&ft), added);
	assert_null(flow_lookup(&ft, &f, flow_hash(&ft, &f)));
	for (i = 0; i < added; i++) {
		f = flow_n(i + 1);
		assert_ptr_equal(flow_lookup(&ft, &f, flow_hash(&ft, &f)),
				 &tag[i]);
	}
	flow_table_fini(&ft);
}

/* Keys that share one hash share one bucket pair: twelve fit, the
 * thirteenth is refused, and moving entries never loses one.  The hash is
 * the caller's (the worker's keyed SipHash); here it is forced. */
static void
test_flow_bucket_pair_bound(void **state)
{
	struct flow_table ft;
	static struct flow4 k[FLOW_SLOTS * 2 + 1];
	uint32_t i;

	(void)state;
	assert_int_equal(flow_table_init(&ft, "t_ft9", 1024, 4, 0, key_of,
					 NULL), 0);
	for (i = 0; i < RTE_DIM(k); i++) {
		k[i] = flow_n(i + 1);
		assert_int_equal(flow_add(&ft, &k[i], 0x1234abcd, &k[i]),
				 i < 2 * FLOW_SLOTS ? 0 : -ENOSPC);
	}
	assert_int_equal(flow_count(&ft), 2 * FLOW_SLOTS);
	for (i = 0; i < RTE_DIM(k); i++)
		assert_ptr_equal(flow_lookup(&ft, &k[i], 0x1234abcd),
				 i < 2 * FLOW_SLOTS ? &k[i] : NULL);
	flow_table_fini(&ft);
}

/* A hash whose bucket pair is (b1, b2) in ft (b1 ^ b2 odd). */
static uint32_t
sig_for(const struct flow_table *ft, uint32_t b1, uint32_t b2)
{
	uint32_t tag;

	for (tag = 0; tag < 65536; tag++)
		if (flow_bucket_alt(ft, b1, (uint16_t)tag) == b2)
			return tag << 16 | b1;
	fail_msg("no tag moves bucket %u to %u", b1, b2);
	return 0;
}

/* An insert whose buckets are both full moves entries along the first
 * free path: here three deep, through slots other than the first, with
 * dead ends (X <-> Y) beside it.  Buckets: A=0 B=5 C=1 E=2 G=3 X=9 Y=8;
 * the path is A[3] -> C[2] -> E[0] -> G. */
static void
test_flow_cuckoo_path(void **state)
{
	enum { A = 0, B = 5, C = 1, E = 2, G = 3, X = 9, Y = 8 };
	static const uint32_t pairs[][2] = {
		{ A, X }, { A, X }, { A, X }, { A, C }, { A, C }, { A, C },
		{ X, Y }, { X, Y }, { X, Y }, { X, Y }, { X, Y }, { X, Y },
		{ Y, X }, { Y, X }, { Y, X }, { Y, X }, { Y, X }, { Y, X },
		{ C, Y }, { C, Y }, { C, E }, { C, E }, { C, E }, { C, E },
		{ E, G }, { E, G }, { E, G }, { E, G }, { E, G }, { E, G },
		{ B, Y }, { B, Y }, { B, Y }, { B, Y }, { B, Y }, { B, Y },
		{ A, B },	/* the one that needs room */
	};
	static struct flow4 k[RTE_DIM(pairs)];
	uint32_t sig[RTE_DIM(pairs)], i, n = RTE_DIM(pairs);
	struct flow_table ft;

	(void)state;
	assert_int_equal(flow_table_init(&ft, "t_ft11", 16 * FLOW_SLOTS, 4, 0,
					 key_of, NULL), 0);
	assert_int_equal(ft.ft_mask, 15);
	for (i = 0; i < n; i++) {
		k[i] = flow_n(i + 1);
		sig[i] = sig_for(&ft, pairs[i][0], pairs[i][1]);
		assert_int_equal(flow_add(&ft, &k[i], sig[i], &k[i]), 0);
		/* All but the last went to their primary bucket. */
		assert_int_equal(ft.ft_moves, i + 1 < n ? 0 : 3);
	}
	assert_int_equal(flow_count(&ft), n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(flow_lookup(&ft, &k[i], sig[i]), &k[i]);
	/* The new key took A's fourth slot; A's first three are untouched,
	 * the moved ones sit in their other bucket. */
	assert_ptr_equal(ft.ft_bkt[A].fb_val[3], &k[n - 1]);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(ft.ft_bkt[A].fb_val[i], &k[i]);
	assert_ptr_equal(ft.ft_bkt[C].fb_val[2], &k[3]);
	assert_ptr_equal(ft.ft_bkt[E].fb_val[0], &k[20]);
	assert_ptr_equal(ft.ft_bkt[G].fb_val[0], &k[24]);
	/* Each moved key left its primary bucket (A, C, E): those count one
	 * displaced key, and its new slot is flagged; nothing else is. */
	for (i = 0; i < 16; i++) {
		assert_int_equal(ft.ft_bkt[i].fb_displaced,
				 i == A || i == C || i == E);
		assert_int_equal(ft.ft_bkt[i].fb_alt,
				 i == C ? 1u << 2 : i == E || i == G ? 1u : 0);
	}
	/* Found through the count, and the count goes when they do. */
	assert_int_equal(flow_del(&ft, &k[3], sig[3]), 0);
	assert_int_equal(flow_del(&ft, &k[20], sig[20]), 0);
	assert_int_equal(flow_del(&ft, &k[24], sig[24]), 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(ft.ft_bkt[i].fb_displaced, 0);
		assert_int_equal(ft.ft_bkt[i].fb_alt, 0);
	}
	assert_int_equal(flow_del(&ft, &k[3], sig[3]), -ENOENT);
	flow_table_fini(&ft);
}

/* Random adds, replaces and deletes against a model, filled to 99 % of
 * the slots so that inserts have to move entries (cuckoo paths): every
 * key stays findable, counted and iterated exactly once, and the
 * table's bookkeeping (flow_check: the displaced counts a miss relies on
 * to skip the second bucket, the slot flags) stays exact throughout. */
static void
test_flow_model(void **state)
{
	enum { N = 1536, OPS = 200000 };
	static struct flow4 k[N];
	static bool in[N];
	struct flow_table ft;
	uint32_t i, n = 0, seen, it, rnd = 12345, refused = 0;
	void *v;

	(void)state;
	/* 1536 slots = 256 buckets of 6 */
	assert_int_equal(flow_table_init(&ft, "t_ft10", N, 4, 0, key_of,
					 NULL), 0);
	for (i = 0; i < N; i++)
		k[i] = flow_n(i + 7);
	for (i = 0; i < OPS; i++) {
		uint32_t j, sig;
		int ret;

		if (i % 1009 == 0)
			assert_int_equal(flow_check(&ft), 0);
		rnd = rnd * 1103515245u + 12345u;
		j = (rnd >> 8) % N;
		sig = flow_hash(&ft, &k[j]);
		if (in[j] && (rnd & 1)) {
			assert_int_equal(flow_del(&ft, &k[j], sig), 0);
			in[j] = false;
			n--;
		} else if (n < N * 99 / 100 || in[j]) {
			ret = flow_add(&ft, &k[j], sig, &k[j]);
			if (ret == -ENOSPC && !in[j]) {
				refused++;
				continue;
			}
			assert_int_equal(ret, 0);
			n += !in[j];
			in[j] = true;
		}
		assert_int_equal(flow_count(&ft), n);
	}
	assert_true(ft.ft_moves > 0);
	assert_true(refused < OPS / 1000);
	assert_int_equal(flow_check(&ft), 0);
	/* flow_check sees a wrong count, flag or slot total. */
	for (i = 0; ft.ft_bkt[i].fb_displaced == 0; i++)
		;
	ft.ft_bkt[i].fb_displaced--;
	assert_int_equal(flow_check(&ft), -ERANGE);
	ft.ft_bkt[i].fb_displaced++;
	ft.ft_bkt[0].fb_alt ^= 1;
	assert_int_equal(flow_check(&ft), -EBADSLT);
	ft.ft_bkt[0].fb_alt ^= 1;
	ft.ft_bkt[0].fb_used++;
	assert_int_equal(flow_check(&ft), -EBADSLT);
	ft.ft_bkt[0].fb_used--;
	assert_int_equal(flow_check(&ft), 0);
	for (i = 0; i < N; i++)
		assert_ptr_equal(flow_lookup(&ft, &k[i], flow_hash(&ft, &k[i])),
				 in[i] ? &k[i] : NULL);
	seen = 0;
	it = 0;
	while ((v = flow_iterate(&ft, &it)) != NULL) {
		i = (uint32_t)((struct flow4 *)v - k);
		assert_true(i < N && in[i]);
		in[i] = false;
		seen++;
	}
	assert_int_equal(seen, n);
	flow_table_fini(&ft);
}

/* The flow table refuses a key while the half-open table has room (a
 * full hash bucket, or the table smaller than the entries): the insert
 * fails with -EBUSY and takes no entry off the free stack. */
static void
test_synq_insert_flow_full(void **state)
{
	struct flow_table ft;
	struct synq q = { 0 };
	struct synq_entry *e = NULL;
	struct flow4 f;
	uint32_t i, used = 0;
	int err = 0;

	(void)state;
	assert_int_equal(flow_table_init(&ft, "t_ft8", 16, 4, 0, key_of,
					 &q), 0);
	assert_int_equal(synq_init(&q, 256, false, 0), 0);
	for (i = 0; i < 256; i++) {
		f = flow_n(i + 1);
		e = synq_insert(&q, &ft, 4, &f, flow_hash(&ft, &f), &err);
		if (e == NULL)
			break;
		used++;
	}
	assert_null(e);
	assert_int_equal(err, -EBUSY);
	assert_int_equal(synq_used(&q), used);
	assert_int_equal(flow_count(&ft), used);
	assert_null(flow_lookup(&ft, &f, flow_hash(&ft, &f)));
	synq_fini(&q);
	flow_table_fini(&ft);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_keyed_hash),
		cmocka_unit_test(test_flow_hash_spread),
		cmocka_unit_test(test_many_flows),
		cmocka_unit_test(test_flow_add_full),
		cmocka_unit_test(test_flow_bucket_pair_bound),
		cmocka_unit_test(test_flow_model),
		cmocka_unit_test(test_flow_cuckoo_path),
		cmocka_unit_test(test_synq_insert_flow_full),
	};

	return cmocka_run_group_tests(tests, eal_group_setup,
				      eal_group_teardown);
}
