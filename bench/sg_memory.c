/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sg_memory — measure what a half-open entry and an accepted connection
 * cost, including their share of the flow table, mempools and rings, by
 * creating engines of two sizes and comparing DPDK heap usage.
 *
 *   sg_memory [EAL options]      (e.g. --no-huge -m 1024 --no-shconf)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sg_internal.h"

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats s;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &s);
	return s.heap_allocsz_bytes;
}

/* Heap bytes an engine with these sizes takes. */
static size_t
engine_bytes(uint32_t synq, uint32_t conns, bool v6)
{
	struct sg_engine *e;
	struct sg_params p;
	size_t before, after;

	sg_params_default(&p);
	p.synq_size = synq;
	p.conn_max = conns;
	p.backlog = 64;
	p.mbufs = 1024;
	if (v6 && sg_params_add_addr(&p, "2001:db8::1/64") < 0)
		return 0;
	before = heap_used();
	if (sg_engine_create(&p, 1, &e) < 0)
		return 0;
	after = heap_used();
	sg_engine_destroy(e);
	return after - before;
}

int
main(int argc, char **argv)
{
	const uint32_t small = 1024, big = 65536 + 1024;
	size_t base, s_big, c_big, base6, s_big6, c_big6;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	base = engine_bytes(small, small, false);
	s_big = engine_bytes(big, small, false);
	c_big = engine_bytes(small, big, false);
	/* Serving an IPv6 address too: the v6 flow table and the half-open
	 * side array. */
	base6 = engine_bytes(small, small, true);
	s_big6 = engine_bytes(big, small, true);
	c_big6 = engine_bytes(small, big, true);
	if (base == 0 || s_big == 0 || c_big == 0 || base6 == 0 ||
	    s_big6 == 0 || c_big6 == 0) {
		fprintf(stderr, "sg_memory: engine create failed (more -m?)\n");
		return 1;
	}
	printf("sizeof_synq_entry=%zu sizeof_conn=%zu\n",
	       sizeof(struct synq_entry), sizeof(struct sg_conn));
	printf("bytes_per_halfopen=%.1f bytes_per_conn=%.1f "
	       "(heap deltas over %u entries; include flow-table share)\n",
	       (double)(s_big - base) / (big - small),
	       (double)(c_big - base) / (big - small), big - small);
	printf("engine_fixed_bytes=%zu (1 worker, 1024+1024 entries, "
	       "1024 mbufs)\n", base);
	printf("with_ipv6: bytes_per_halfopen=%.1f bytes_per_conn=%.1f "
	       "engine_fixed_bytes=%zu\n",
	       (double)(s_big6 - base6) / (big - small),
	       (double)(c_big6 - base6) / (big - small), base6);
	rte_eal_cleanup();
	return 0;
}
