/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port: which mbuf pools net_af_xdp can use.  DPDK 22.11's driver
 * registers a queue's pool with the kernel as one umem, from the page of
 * the pool's first memory chunk, populated_size objects long; a pool with
 * padding between its objects or a second chunk spans more, and the
 * buffers past the window are invalid to the kernel (a port on such a
 * pool went deaf after some 46 000 frames: docs/operations.md).
 * sg_port_setup refuses those pools (port_pool_fits_umem).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_group.h"
#include "sg_internal.h"

/* The workers' own pools are packed (IOVA is VA without hugepages). */
static void
test_worker_pool_fits(void **state)
{
	struct sg_params p;
	struct sg_engine *e;

	(void)state;
	sg_params_default(&p);
	p.synq_size = 1024;
	p.conn_max = 1024;
	p.mbufs = 4095;
	assert_int_equal(sg_engine_create(&p, 1, &e), 0);
	assert_true(port_pool_fits_umem(sg_engine_pktmbuf_pool(e, 0)));
	sg_engine_destroy(e);
}

/* DPDK's default pktmbuf pool keeps each object inside one 4 KiB page
 * (IOVA-contiguous objects): 2.3 KiB objects leave a gap in every page,
 * and the pool spans far more than populated_size objects. */
static void
test_padded_pool_refused(void **state)
{
	struct rte_mempool *mp;

	(void)state;
	mp = rte_pktmbuf_pool_create("t_pad", 1023, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	assert_int_equal(getpagesize(), 4096);
	assert_false(port_pool_fits_umem(mp));
	rte_mempool_free(mp);
}

/* A packed pool in two separate chunks: the second is outside. */
static void
test_two_chunks_refused(void **state)
{
	enum { N = 256 };
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
	};
	struct rte_mempool *mp;
	size_t sz = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) +
					      RTE_MBUF_DEFAULT_BUF_SIZE,
					      RTE_MEMPOOL_F_NO_IOVA_CONTIG,
					      NULL) * (N / 2);
	char *a = rte_malloc("t_chunk_a", sz + 4096, 4096);
	char *b = rte_malloc("t_chunk_b", sz + 4096, 4096);
	int n;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	mp = rte_mempool_create_empty("t_two", N, sizeof(struct rte_mbuf) +
				      RTE_MBUF_DEFAULT_BUF_SIZE, 0,
				      sizeof(priv), 0,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	assert_non_null(mp);
	assert_int_equal(rte_mempool_set_ops_byname(mp, "ring_mp_mc", NULL),
			 0);
	rte_pktmbuf_pool_init(mp, &priv);
	n = rte_mempool_populate_virt(mp, a, sz, 4096, NULL, NULL);
	assert_int_equal(n, N / 2);
	/* One chunk, packed: it fits. */
	assert_true(port_pool_fits_umem(mp));
	n = rte_mempool_populate_virt(mp, b, sz, 4096, NULL, NULL);
	assert_int_equal(n, N / 2);
	assert_false(port_pool_fits_umem(mp));
	rte_mempool_free(mp);
	rte_free(a);
	rte_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worker_pool_fits),
		cmocka_unit_test(test_padded_pool_refused),
		cmocka_unit_test(test_two_chunks_refused),
	};

	return cmocka_run_group_tests(tests, eal_group_setup,
				      eal_group_teardown);
}
